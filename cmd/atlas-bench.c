/*
 * atlas-bench - measure the interpreter, the bundled kernels, streaming
 * runs, GEMM and program start-up against their native counterparts.  See
 * man 1 atlas-bench.
 *
 * This file parses the command line, runs the suites libatlas offers
 * (atlas_bench_run), collects their measurements and prints the table,
 * JSON or CSV, the regressions against a baseline and the SVG chart that
 * the library formats (atlas_bench_table, atlas_bench_compare, ...).  Exit 0;
 * 1: a regression against the baseline, a suite that failed, or trouble with a
 * file; 2: a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas.h"

#define PROG "atlas-bench"
#define SYNOPSIS                                                               \
	PROG " [-hqVv] [--baseline file] [--csv | --json] [--kernel file]\n"   \
	     "       [--plot file.svg] [--quick] [--reps n] [-t threads]\n"    \
	     "       [--threshold pct] [suite ...]"
#define THREADS_MAX 1024
#define REPS_MAX 1000000
#define BASELINE_MAX ((uint64_t)64 << 20)

enum {
	OPT_BASELINE = 256,
	OPT_CSV,
	OPT_JSON,
	OPT_KERNEL,
	OPT_PLOT,
	OPT_QUICK,
	OPT_REPS,
	OPT_THRESHOLD
};
enum output { TABLE, JSON, CSV };

static struct {
	int verbosity, version;
	enum output out;
	struct atlas_bench_options o;
	const char *baseline, *plot;
	double threshold;	/* --threshold, percent */
	const char *suites[16]; /* to run, in order */
	size_t nsuites;
	struct atlas_measure *m; /* collected */
	size_t n, cap;
	int failed; /* a suite failed or a regression was found */
} g = {.verbosity = 1, .threshold = 10};
#include "cli.h"

__attribute__((noreturn)) static void help(void)
{
	fputs("usage: " SYNOPSIS "\n"
	      "Measure the Atlas toolkit against native code.\n"
	      "Suites: interp kernels stream blas startup (default: all).\n\n"
	      "      --baseline FILE   compare with a previous --json "
	      "report\n"
	      "      --csv             print CSV\n"
	      "  -h, --help            print this help and exit\n"
	      "      --json            print JSON\n"
	      "      --kernel FILE     the kernels suite measures this "
	      "kernel only\n"
	      "      --plot FILE.svg   draw the kernels suite's throughput\n"
	      "  -q, --quiet           print no regressions, only the exit "
	      "status\n"
	      "      --quick           small sizes and few repetitions\n"
	      "      --reps N          repetitions per measurement\n"
	      "  -t, --threads N       engine threads (default 1)\n"
	      "      --threshold PCT   a regression is a median PCT% slower "
	      "(default 10)\n"
	      "  -v, --verbose         say what runs and what the baseline "
	      "lacks\n"
	      "  -V, --version         print the version and exit\n",
	      stdout);
	close_stdout();
	exit(0);
}

/* A whole number in [lo, hi] for the option named opt. */
static unsigned number(const char *arg, const char *opt, unsigned lo,
		       unsigned hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || v < lo || v > hi)
		die(2, "invalid %s '%s' (expected %u to %u)", opt, arg, lo, hi);
	return (unsigned)v;
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"baseline", required_argument, NULL, OPT_BASELINE},
		{"csv", no_argument, NULL, OPT_CSV},
		{"help", no_argument, NULL, 'h'},
		{"json", no_argument, NULL, OPT_JSON},
		{"kernel", required_argument, NULL, OPT_KERNEL},
		{"plot", required_argument, NULL, OPT_PLOT},
		{"quick", no_argument, NULL, OPT_QUICK},
		{"quiet", no_argument, NULL, 'q'},
		{"reps", required_argument, NULL, OPT_REPS},
		{"threads", required_argument, NULL, 't'},
		{"threshold", required_argument, NULL, OPT_THRESHOLD},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	int c;
	char *end;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqt:vV", longopts, NULL)) != -1) {
		const char *arg = argv[optind - 1];

		switch (c) {
		case 'h':
			help();
		case 'q':
		case 'v':
			g.verbosity += c == 'v' ? 1 : -1;
			break;
		case 't':
			g.o.threads =
				number(optarg, "thread count", 1, THREADS_MAX);
			break;
		case 'V':
			g.version = 1;
			break;
		case OPT_BASELINE:
			g.baseline = optarg;
			break;
		case OPT_CSV:
		case OPT_JSON:
			if (g.out != TABLE &&
			    g.out != (c == OPT_CSV ? CSV : JSON))
				die(2, "options '--csv' and '--json' are "
				       "mutually exclusive");
			g.out = c == OPT_CSV ? CSV : JSON;
			break;
		case OPT_KERNEL:
			g.o.kernel = optarg;
			break;
		case OPT_PLOT:
			g.plot = optarg;
			break;
		case OPT_QUICK:
			g.o.quick = 1;
			break;
		case OPT_REPS:
			g.o.reps =
				number(optarg, "repetition count", 1, REPS_MAX);
			break;
		case OPT_THRESHOLD:
			errno = 0;
			g.threshold = strtod(optarg, &end);
			if (*optarg < '0' || *optarg > '9' || *end || errno ||
			    !(g.threshold <= 1e6))
				die(2,
				    "invalid threshold '%s' (expected a "
				    "percentage, 0 or more)",
				    optarg);
			break;
		default:
			option_error(c, arg);
		}
	}
}

/* The SUITE operands, checked and without repeats; none: every suite. */
static void select_suites(int argc, char **argv)
{
	int kernels = 0;

	for (int i = optind; i < argc; i++) {
		size_t k = 0, j = 0;

		while (atlas_bench_suites[k] &&
		       strcmp(atlas_bench_suites[k], argv[i]) != 0)
			k++;
		if (!atlas_bench_suites[k])
			die(2, "unknown suite '%s'", argv[i]);
		while (j < g.nsuites && g.suites[j] != atlas_bench_suites[k])
			j++;
		if (j == g.nsuites && j < sizeof g.suites / sizeof *g.suites)
			g.suites[g.nsuites++] = atlas_bench_suites[k];
	}
	/* none: every suite; --kernel alone: only the suite it is for */
	for (size_t k = 0; optind == argc && atlas_bench_suites[k]; k++)
		if ((!g.o.kernel ||
		     strcmp(atlas_bench_suites[k], "kernels") == 0) &&
		    g.nsuites < sizeof g.suites / sizeof *g.suites)
			g.suites[g.nsuites++] = atlas_bench_suites[k];
	for (size_t j = 0; j < g.nsuites; j++)
		kernels |= strcmp(g.suites[j], "kernels") == 0;
	if (g.o.kernel && !kernels)
		die(2, "option '--kernel' needs the kernels suite");
	if (g.plot && !kernels)
		die(2, "option '--plot' needs the kernels suite");
}

/* BIN, the running program's directory, and BIN/../share/atlas/kernels. */
static void find_dirs(char *bin, char *kernels, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", bin, cap - 1);
	char *slash;

	bin[n > 0 ? (size_t)n : 0] = '\0';
	if ((slash = strrchr(bin, '/')))
		*slash = '\0';
	snprintf(kernels, cap, "%s", bin);
	if ((slash = strrchr(kernels, '/')))
		*slash = '\0';
	if (snprintf(kernels + strlen(kernels), cap - strlen(kernels),
		     "/share/atlas/kernels") >= (int)(cap - strlen(kernels)))
		die(1, "%s: path too long", bin);
	g.o.bindir = bin;
	g.o.kernel_dir = kernels;
}

/* Called by the suites: keep the measurement. */
static int collect(void *arg, const struct atlas_measure *m)
{
	(void)arg;
	if (g.n == g.cap) {
		size_t cap = g.cap ? 2 * g.cap : 64;
		struct atlas_measure *p = realloc(g.m, cap * sizeof *p);

		if (!p)
			die(1, "out of memory");
		g.m = p, g.cap = cap;
	}
	g.m[g.n++] = *m;
	return 0;
}

/* ---- output ------------------------------------------------------------ */

/* Print s, a string the library built, and free it; NULL: out of memory. */
static void put(char *s)
{
	if (!s)
		die(1, "out of memory");
	fputs(s, stdout);
	free(s);
}

/* The measurements as --json, --csv or the table asks. */
static void print_report(void)
{
	struct atlas_topo t;
	const struct atlas_bench_machine h = {&t, atlas_bench_libraries(),
					      g.o.threads, g.o.reps, g.o.quick};

	atlas_topo_get(&t);
	if (g.out == JSON)
		put(atlas_bench_json(g.m, g.n, &h));
	else if (g.out == CSV)
		put(atlas_bench_csv(g.m, g.n));
	else {
		put(atlas_bench_header(&h));
		put(atlas_bench_table(g.m, g.n));
	}
}

/* Write the --plot chart of the kernels suite. */
static void plot(const char *path)
{
	char *svg = atlas_bench_svg(g.m, g.n);
	FILE *f;

	if (!svg)
		die(1, "out of memory");
	if (!(f = fopen(path, "w")))
		die(1, "%s: %s", path, strerror(errno));
	fputs(svg, f);
	free(svg);
	if (ferror(f) | fclose(f))
		die(1, "%s: %s", path, strerror(errno));
}

/* ---- the baseline ------------------------------------------------------ */

static struct atlas_bench_baseline *base;

/* Read the --baseline file: a report of --json. */
static void baseline_load(void)
{
	struct atlas_error err;
	enum atlas_status st;
	char *text;
	size_t len;
	FILE *f = fopen(g.baseline, "r");

	if (!f)
		die(1, "%s: %s", g.baseline, strerror(errno));
	st = atlas_read_all(fileno(f), BASELINE_MAX, &text, &len, &err);
	fclose(f);
	if (st != ATLAS_OK)
		die(1, "%s: %s", g.baseline, err.msg);
	base = atlas_bench_baseline_parse(text, len, &err);
	free(text);
	if (!base)
		die(1, "%s: %s", g.baseline, err.msg);
}

/* Report every median more than --threshold percent above its baseline. */
static void baseline_compare(void)
{
	struct atlas_bench_delta *d = calloc(g.n ? g.n : 1, sizeof *d);

	if (!d)
		die(1, "out of memory");
	if (atlas_bench_compare(base, g.m, g.n, g.threshold, d))
		g.failed = 1;
	for (size_t i = 0; i < g.n; i++) {
		const struct atlas_measure *m = &g.m[i];

		if (!d[i].baseline_ns && g.verbosity >= 2)
			fprintf(stderr,
				PROG ": %s %s %" PRIu64 ": not in the "
				     "baseline\n",
				m->suite, m->name, m->size);
		if (d[i].regression && g.verbosity >= 1)
			fprintf(stderr,
				PROG ": regression: %s %s %" PRIu64
				     ": median %.1f ns, baseline %.1f ns "
				     "(+%.1f%%)\n",
				m->suite, m->name, m->size, m->median_ns,
				d[i].baseline_ns, d[i].pct);
	}
	free(d);
	atlas_bench_baseline_free(base);
}

int main(int argc, char **argv)
{
	char bin[4096], kernels[4096];
	struct atlas_error err;

	parse_options(argc, argv);
	if (g.version) {
		printf(PROG " " ATLAS_VERSION "\n");
		for (const char *const *v = atlas_bench_libraries();
		     g.verbosity >= 2 && *v; v += 2)
			printf("%s %s\n", v[0], v[1]);
		close_stdout();
		return 0;
	}
	select_suites(argc, argv);
	if (g.o.kernel && access(g.o.kernel, R_OK) != 0)
		die(1, "%s: %s", g.o.kernel, strerror(errno));
	find_dirs(bin, kernels, sizeof bin);
	if (g.baseline)
		baseline_load();
	for (size_t j = 0; j < g.nsuites; j++) {
		if (g.verbosity >= 2 || (g.verbosity >= 1 && isatty(2)))
			fprintf(stderr, PROG ": running %s\n", g.suites[j]);
		if (atlas_bench_run(g.suites[j], &g.o, collect, NULL, &err) !=
		    ATLAS_OK) {
			fprintf(stderr, PROG ": %s: %s\n", g.suites[j],
				err.msg);
			g.failed = 1;
		}
	}
	print_report();
	if (g.plot)
		plot(g.plot);
	if (g.baseline)
		baseline_compare();
	close_stdout();
	return g.failed;
}
