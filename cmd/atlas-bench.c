/*
 * atlas-bench - measure the interpreter, the bundled kernels, streaming
 * runs, GEMM and program start-up against their native counterparts.  See
 * man 1 atlas-bench.
 *
 * This file parses the command line, runs the suites libatlas offers
 * (atlas_bench_run), collects their measurements and prints them as a
 * table, JSON or CSV, compares them with a baseline and draws the kernels
 * suite as an SVG chart.  Exit 0; 1: a regression against the baseline,
 * a suite that failed, or trouble with a file; 2: a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>
#include <hwloc.h>
#include <sodium.h>

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

/* The library versions, as name, version pairs; NULL-terminated. */
static const char *const *libraries(void)
{
	static const char *v[12];
	const char *blas = atlas_blas_config();

	blas = blas ? blas + strspn(blas, " ") : "not available";
	if (strncmp(blas, "OpenBLAS ", 9) == 0)
		blas += 9;
	v[0] = "libatlas", v[1] = atlas_version();
	v[2] = "OpenBLAS", v[3] = blas;
	v[4] = "hwloc", v[5] = HWLOC_VERSION;
	v[6] = "cJSON", v[7] = cJSON_Version();
	v[8] = "libsodium", v[9] = sodium_version_string();
	return v;
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

/* A time in ns in human units: "812.0 ns", "3.25 us", "1.20 ms", "2.01 s". */
static void fmt_time(char *s, size_t cap, double ns)
{
	if (ns < 1e3)
		snprintf(s, cap, "%.1f ns", ns);
	else if (ns < 1e6)
		snprintf(s, cap, "%.2f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(s, cap, "%.2f ms", ns / 1e6);
	else
		snprintf(s, cap, "%.2f s", ns / 1e9);
}

/* Bytes in KiB, MiB or GiB when they divide exactly: "32 KiB"; 0: "?". */
static void fmt_bytes(char *s, size_t cap, uint64_t b)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB"};
	int u = 0;

	while (u < 3 && b && b % 1024 == 0)
		b /= 1024, u++;
	if (b)
		snprintf(s, cap, "%" PRIu64 " %s", b, unit[u]);
	else
		snprintf(s, cap, "?");
}

/* The table's header: the machine, the libraries, the settings. */
static void print_header(void)
{
	struct atlas_topo t;
	char c[3][32], reps[32] = "default";

	atlas_topo_get(&t);
	fmt_bytes(c[0], sizeof c[0], t.l1d_size);
	fmt_bytes(c[1], sizeof c[1], t.l2_size);
	fmt_bytes(c[2], sizeof c[2], t.l3_size);
	printf("cpu:        %s\n", t.cpu[0] ? t.cpu : "unknown");
	printf("cores:      %u (L1d %s, L2 %s, L3 %s)\nlibraries: ", t.cores,
	       c[0], c[1], c[2]);
	for (const char *const *v = libraries(); *v; v += 2)
		printf(" %s %s%s", v[0], v[1], v[2] ? "," : "\n");
	if (g.o.reps)
		snprintf(reps, sizeof reps, "%u", g.o.reps);
	printf("run:        %u thread(s), %s repetitions%s\n\n",
	       g.o.threads ? g.o.threads : 1, reps, g.o.quick ? ", quick" : "");
}

enum { COLS = 9 };

/* The cells of one table row. */
static void row(const struct atlas_measure *m, char c[COLS][80])
{
	const double t = m->throughput;

	snprintf(c[0], 80, "%s", m->suite);
	snprintf(c[1], 80, "%s", m->name);
	if (!m->size)
		snprintf(c[2], 80, "-");
	else if (strcmp(m->size_unit, "n") == 0)
		snprintf(c[2], 80, "n=%" PRIu64, m->size);
	else
		snprintf(c[2], 80, "%" PRIu64 " %s", m->size, m->size_unit);
	fmt_time(c[3], 80, m->median_ns);
	fmt_time(c[4], 80, m->min_ns);
	fmt_time(c[5], 80, m->max_ns);
	if (t <= 0)
		snprintf(c[6], 80, "-");
	else
		snprintf(c[6], 80,
			 t >= 100 ? "%.0f %s" :
			 t >= 1	  ? "%.2f %s" :
				    "%.3g %s",
			 t, m->throughput_unit);
	if (m->ratio > 0)
		snprintf(c[7], 80, "%.2fx", m->ratio);
	else
		snprintf(c[7], 80, "-");
	snprintf(c[8], 80, "%s", m->ratio > 0 ? m->against : "");
}

/* The header, then one aligned row per measurement. */
static void print_table(void)
{
	static const char *const head[COLS] = {
		"suite", "name",       "size",	"median", "min",
		"max",	 "throughput", "ratio", "against"};
	static const int right[COLS] = {0, 0, 1, 1, 1, 1, 1, 1, 0};
	char(*cell)[COLS][80] = calloc(g.n + 1, sizeof *cell);
	int w[COLS] = {0};

	if (!cell)
		die(1, "out of memory");
	for (int k = 0; k < COLS; k++)
		snprintf(cell[0][k], 80, "%s", head[k]);
	for (size_t i = 0; i < g.n; i++)
		row(&g.m[i], cell[i + 1]);
	for (size_t i = 0; i <= g.n; i++)
		for (int k = 0; k < COLS; k++)
			if ((int)strlen(cell[i][k]) > w[k])
				w[k] = (int)strlen(cell[i][k]);
	print_header();
	for (size_t i = 0; i <= g.n; i++) {
		for (int k = 0; k < COLS - 1; k++)
			printf("%*s  ", right[k] ? w[k] : -w[k], cell[i][k]);
		printf("%s\n", cell[i][COLS - 1]);
	}
	free(cell);
}

/* s as a JSON string. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		const unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* The fields of a measurement in JSON and CSV, in order; which are numbers. */
static const char *const field[] = {
	"suite",	   "name",   "size",   "size_unit",
	"median_ns",	   "min_ns", "max_ns", "throughput",
	"throughput_unit", "ratio",  "against"};
enum { NFIELDS = 11, NUMBERS = 1 << 2 | 0xf << 4 | 1 << 9 };

/* A number, or "" (none: null in JSON) when it is not finite, or 0. */
static void num(char *s, double x, int zero_none)
{
	s[0] = '\0';
	if (isfinite(x) && (x != 0 || !zero_none))
		snprintf(s, 64, "%.15g", x);
}

/* The fields of m as text. */
static void values(const struct atlas_measure *m, char v[NFIELDS][64])
{
	snprintf(v[0], 64, "%s", m->suite);
	snprintf(v[1], 64, "%s", m->name);
	snprintf(v[2], 64, "%" PRIu64, m->size);
	snprintf(v[3], 64, "%s", m->size_unit);
	num(v[4], m->median_ns, 0);
	num(v[5], m->min_ns, 0);
	num(v[6], m->max_ns, 0);
	num(v[7], m->throughput, 0);
	snprintf(v[8], 64, "%s", m->throughput_unit);
	num(v[9], m->ratio, 1);
	snprintf(v[10], 64, "%s", m->ratio != 0 ? m->against : "");
}

static void print_json(void)
{
	struct atlas_topo t;
	char v[NFIELDS][64];

	atlas_topo_get(&t);
	fputs("{\"machine\": {\"cpu\": ", stdout);
	json_string(t.cpu);
	printf(", \"cores\": %u, \"l1d_bytes\": %" PRIu64
	       ", \"l2_bytes\": %" PRIu64 ", \"l3_bytes\": %" PRIu64
	       ", \"libraries\": {",
	       t.cores, t.l1d_size, t.l2_size, t.l3_size);
	for (const char *const *l = libraries(); *l; l += 2) {
		json_string(l[0]);
		fputs(": ", stdout);
		json_string(l[1]);
		fputs(l[2] ? ", " : "}},\n", stdout);
	}
	snprintf(v[0], 64, g.o.reps ? "%u" : "null", g.o.reps);
	printf(" \"run\": {\"threads\": %u, \"reps\": %s, \"quick\": %s},\n"
	       " \"measurements\": [",
	       g.o.threads ? g.o.threads : 1, v[0],
	       g.o.quick ? "true" : "false");
	for (size_t i = 0; i < g.n; i++) {
		values(&g.m[i], v);
		fputs(i ? ",\n  {" : "\n  {", stdout);
		for (int k = 0; k < NFIELDS; k++) {
			printf("%s\"%s\": ", k ? ", " : "", field[k]);
			if (NUMBERS >> k & 1)
				fputs(v[k][0] ? v[k] : "null", stdout);
			else
				json_string(v[k]);
		}
		putchar('}');
	}
	fputs(g.n ? "\n]}\n" : "]}\n", stdout);
}

/* A CSV record (RFC 4180): fields quoted when they must be. */
static void csv_record(const char *const *v)
{
	for (int k = 0; k < NFIELDS; k++) {
		const char *s = v[k];

		if (k)
			putchar(',');
		if (!s[strcspn(s, ",\"\r\n")]) {
			fputs(s, stdout);
			continue;
		}
		putchar('"');
		for (; *s; s++)
			fputs(*s == '"' ? "\"\"" : (char[2]){*s, '\0'}, stdout);
		putchar('"');
	}
	fputs("\r\n", stdout);
}

static void print_csv(void)
{
	char v[NFIELDS][64];
	const char *p[NFIELDS];

	csv_record(field);
	for (size_t i = 0; i < g.n; i++) {
		values(&g.m[i], v);
		for (int k = 0; k < NFIELDS; k++)
			p[k] = v[k];
		csv_record(p);
	}
}

/* ---- the baseline ------------------------------------------------------ */

static cJSON *base; /* the baseline's "measurements" array */

/* Read the --baseline file: a report of --json. */
static void baseline_load(void)
{
	struct atlas_error err;
	enum atlas_status st;
	cJSON *doc;
	char *text;
	size_t len;
	FILE *f = fopen(g.baseline, "r");

	if (!f)
		die(1, "%s: %s", g.baseline, strerror(errno));
	st = atlas_read_all(fileno(f), BASELINE_MAX, &text, &len, &err);
	fclose(f);
	if (st != ATLAS_OK)
		die(1, "%s: %s", g.baseline, err.msg);
	doc = cJSON_ParseWithLength(text, len);
	free(text);
	base = cJSON_DetachItemFromObjectCaseSensitive(doc, "measurements");
	cJSON_Delete(doc);
	if (!cJSON_IsArray(base))
		die(1, "%s: not a report of atlas-bench --json", g.baseline);
}

/* The baseline's median of the measurement like m, or 0 if none. */
static double baseline_median(const struct atlas_measure *m)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, base)
	{
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(b, "suite");
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "name");
		const cJSON *z = cJSON_GetObjectItemCaseSensitive(b, "size");
		const cJSON *t =
			cJSON_GetObjectItemCaseSensitive(b, "median_ns");

		if (cJSON_IsString(s) &&
		    strcmp(s->valuestring, m->suite) == 0 &&
		    cJSON_IsString(n) && strcmp(n->valuestring, m->name) == 0 &&
		    cJSON_IsNumber(z) && z->valuedouble == (double)m->size &&
		    cJSON_IsNumber(t))
			return t->valuedouble > 0 ? t->valuedouble : 0;
	}
	return 0;
}

/* Report every median more than --threshold percent above its baseline. */
static void baseline_compare(void)
{
	for (size_t i = 0; i < g.n; i++) {
		const struct atlas_measure *m = &g.m[i];
		const double b = baseline_median(m);
		const double pct = b > 0 ? (m->median_ns / b - 1) * 100 : 0;

		if (!b && g.verbosity >= 2)
			fprintf(stderr,
				PROG ": %s %s %" PRIu64 ": not in the "
				     "baseline\n",
				m->suite, m->name, m->size);
		if (!b || !(pct > g.threshold))
			continue;
		g.failed = 1;
		if (g.verbosity >= 1)
			fprintf(stderr,
				PROG ": regression: %s %s %" PRIu64
				     ": median %.1f ns, baseline %.1f ns "
				     "(+%.1f%%)\n",
				m->suite, m->name, m->size, m->median_ns, b,
				pct);
	}
	cJSON_Delete(base);
}

/* ---- the chart --------------------------------------------------------- */

/* s with the XML special characters escaped. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++)
		if (strchr("&<>\"", *s))
			fprintf(f, "&#%d;", *s);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
}

/* Is g.m[i] a point of the chart: 1; and the first of its kernel: 2. */
static int drawn(size_t i)
{
	const struct atlas_measure *m = &g.m[i];
	int first = 2;

	if (strcmp(m->suite, "kernels") || !m->size || !(m->throughput > 0) ||
	    !isfinite(m->throughput))
		return 0;
	for (size_t j = 0; j < i && first == 2; j++)
		if (strcmp(g.m[j].suite, "kernels") == 0 &&
		    strcmp(g.m[j].name, m->name) == 0)
			first = 1;
	return first;
}

/* The chart's axes: log2 of sizes in [lo, hi], throughput in [0, top]. */
static struct {
	double lo, hi, top;
} ax;
#define PX(s) (70 + (log2((double)(s)) - ax.lo) / (ax.hi - ax.lo) * 490)
#define PY(t) (400 - (t) / ax.top * 360)

/* The polyline (0) or the dots (1) of the kernel of g.m[i]. */
static void series(FILE *f, size_t i, int dots)
{
	fputs(dots ? "" : "<polyline fill=\"none\" points=\"", f);
	for (size_t j = i; j < g.n; j++)
		if (drawn(j) && strcmp(g.m[j].name, g.m[i].name) == 0)
			fprintf(f,
				dots ? "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n" :
				       "%.1f,%.1f ",
				PX(g.m[j].size), PY(g.m[j].throughput));
	fputs(dots ? "" : "\"/>\n", f);
}

/*
 * An SVG line chart of the kernels suite: throughput against size, on a
 * log2 axis, one line per kernel (the suites measure sizes in increasing
 * order), with a legend.
 */
static void plot(const char *path)
{
	static const char *const color[] = {"#1f77b4", "#d62728", "#2ca02c",
					    "#ff7f0e", "#9467bd", "#8c564b",
					    "#e377c2", "#17becf"};
	const char *unit = "", *sunit = "";
	FILE *f = fopen(path, "w");
	size_t nk = 0;

	if (!f)
		die(1, "%s: %s", path, strerror(errno));
	ax.lo = INFINITY, ax.hi = ax.top = 0;
	for (size_t i = 0; i < g.n; i++)
		if (drawn(i)) {
			ax.lo = fmin(ax.lo, floor(log2((double)g.m[i].size)));
			ax.hi = fmax(ax.hi, ceil(log2((double)g.m[i].size)));
			ax.top = fmax(ax.top, g.m[i].throughput * 1.1);
			unit = g.m[i].throughput_unit, sunit = g.m[i].size_unit;
		}
	if (!(ax.lo < ax.hi))
		ax.lo = isfinite(ax.lo) ? ax.lo : 0, ax.hi = ax.lo + 1;
	ax.top = ax.top > 0 ? ax.top : 1;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" "
	      "height=\"450\" font-family=\"sans-serif\" font-size=\"12\">\n"
	      "<rect width=\"760\" height=\"450\" fill=\"white\"/>\n"
	      "<text x=\"315\" y=\"24\" text-anchor=\"middle\" "
	      "font-size=\"15\">atlas-bench: kernels</text>\n",
	      f);
	for (int k = 0; k <= 5; k++) /* horizontal grid, throughput labels */
		fprintf(f,
			"<path d=\"M70 %.1fH560\" stroke=\"#ddd\"/><text x=\"64\" "
			"y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
			PY(ax.top * k / 5), PY(ax.top * k / 5) + 4,
			ax.top * k / 5);
	for (double e = ax.lo; e <= ax.hi; e += ax.hi - ax.lo > 12 ? 2 : 1)
		fprintf(f,
			"<path d=\"M%.1f 40V400\" stroke=\"#ddd\"/><text x=\"%.1f\" "
			"y=\"416\" text-anchor=\"middle\">2^%.0f</text>\n",
			PX(exp2(e)), PX(exp2(e)), e);
	fputs("<path d=\"M70 40V400H560\" fill=\"none\" stroke=\"black\"/>\n"
	      "<text x=\"315\" y=\"438\" text-anchor=\"middle\">size (",
	      f);
	xml_text(f, sunit);
	fputs(")</text>\n<text transform=\"translate(18 220) rotate(-90)\" "
	      "text-anchor=\"middle\">throughput (",
	      f);
	xml_text(f, unit);
	fputs(")</text>\n", f);
	for (size_t i = 0; i < g.n; i++) {
		if (drawn(i) != 2)
			continue;
		fprintf(f, "<g stroke=\"%s\" fill=\"%s\"><title>",
			color[nk % 8], color[nk % 8]);
		xml_text(f, g.m[i].name);
		fputs("</title>\n", f);
		series(f, i, 0);
		series(f, i, 1);
		fprintf(f,
			"<path d=\"M580 %zuh14\" stroke-width=\"3\"/><text x=\"600\" "
			"y=\"%zu\" stroke=\"none\" fill=\"black\">",
			50 + 20 * nk, 55 + 20 * nk);
		xml_text(f, g.m[i].name);
		fputs("</text></g>\n", f);
		nk++;
	}
	if (!nk)
		fputs("<text x=\"315\" y=\"220\" text-anchor=\"middle\">no "
		      "measurements</text>\n",
		      f);
	fputs("</svg>\n", f);
	if (ferror(f) | fclose(f))
		die(1, "%s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	char bin[4096], kernels[4096];
	struct atlas_error err;

	parse_options(argc, argv);
	if (g.version) {
		printf(PROG " " ATLAS_VERSION "\n");
		for (const char *const *v = libraries(); g.verbosity >= 2 && *v;
		     v += 2)
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
	if (g.out == JSON)
		print_json();
	else if (g.out == CSV)
		print_csv();
	else
		print_table();
	if (g.plot)
		plot(g.plot);
	if (g.baseline)
		baseline_compare();
	close_stdout();
	return g.failed;
}
