/*
 * atlas-run - run a kernel over arrays in files and pipes: streamed chunk
 * by chunk through one fixed pool when the kernel allows it, else
 * resident, over whole arrays in memory.  See man 1 atlas-run.
 *
 * This file parses the command line, shows progress and statistics, and
 * maps the library's results to messages and exit statuses; libatlas
 * finds the kernel, binds and opens the files, picks the defaults and
 * the kind of run (lib/runner.c) and does the work.  Everything main owns
 * is in g, so that the dying paths leak nothing a leak checker could see.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "atlas.h"

#define PROG "atlas-run"
#define SYNOPSIS                                                                \
	PROG " [-fhqVv] [--boundary file] [--format fmt] [-k name] [-o file]\n" \
	     "       [--phase n] [--pool-size size] [--progress] [--stats]\n"   \
	     "       [-t threads] kernel [name=value ...]"
#define THREADS_MAX 1024
#define POOL_MIN ((uint64_t)4 << 10)
#define POOL_MAX ((uint64_t)1 << 30)

enum {
	OPT_LANES = 256,
	OPT_MAX_RESIDENT,
	OPT_SIZE,
	OPT_BOUNDARY,
	OPT_PHASE,
	OPT_STATS,
	OPT_POOL_SIZE,
	OPT_FORMAT,
	OPT_PROGRESS
};

static struct {
	int verbosity, version;
	int stats;		      /* --stats */
	int progress;		      /* --progress */
	struct atlas_command_line cl; /* the rest of the options */
	struct atlas_run_state rs;
	struct atlas_resonance res;
	const char *kname; /* -k: the kernel to pick from the file */
	char *kpath;	   /* the kernel file */
	struct atlas_program *p;
	struct atlas_stream_binding *b; /* one per parameter */
	const char **specs;		/* the --size arguments */
} g = {.verbosity = 1, .cl = {.lanes = ATLAS_COUNT_UNSET}};
#include "cli.h"

/* The progress line: shown, when on, at most 4 times a second. */
static struct {
	int on;		    /* 2: --progress; 1: after 1 s (a terminal) */
	int shown;	    /* a line is on the screen */
	double start, last; /* seconds */
	int len;	    /* of the line shown */
} pr;

__attribute__((noreturn)) static void help(void)
{
	fputs("usage: " SYNOPSIS "\n"
	      "Run a kernel over arrays in files and pipes.\n\n"
	      "      --boundary FILE\n"
	      "                     map pool image FILE as buffer handle 0\n"
	      "  -f, --force        read or write binary data on a terminal\n"
	      "      --format FMT   arrays are in format FMT: raw, text or "
	      "npy\n"
	      "                     (default raw)\n"
	      "  -h, --help         print this help and exit\n"
	      "  -k, --kernel NAME  run kernel NAME of a file of several\n"
	      "      --lanes N      run N lanes, resident\n"
	      "      --max-resident SIZE\n"
	      "                     hold at most SIZE bytes per resident "
	      "array\n"
	      "                     (default 1G)\n"
	      "  -o, --output FILE  write what goes to standard output to "
	      "FILE\n"
	      "      --phase N      start at phase N, 0 to 767 (default 0)\n"
	      "      --pool-size SIZE\n"
	      "                     stream through a pool of SIZE bytes, 4K "
	      "to 1G\n"
	      "                     (default: from the cache size)\n"
	      "      --progress     show progress on stderr\n"
	      "  -q, --quiet        print nothing on stderr but errors\n"
	      "      --size NAME=COUNT\n"
	      "                     output array NAME has COUNT elements\n"
	      "      --stats        print counts, sizes, times and the "
	      "Atlas state\n"
	      "                     on stderr\n"
	      "  -t, --threads N    run on N threads, 1 to 1024 (default: "
	      "every core,\n"
	      "                     1 for a pipe on stdin or stdout)\n"
	      "  -v, --verbose      print a summary on stderr\n"
	      "  -V, --version      print the version and exit\n",
	      stdout);
	close_stdout();
	exit(0);
}

static uint64_t size_arg(const char *what, const char *arg, uint64_t lo,
			 uint64_t hi)
{
	uint64_t n;

	if (atlas_size_parse(arg, &n, NULL) || n < lo || n > hi) {
		if (hi == UINT64_MAX)
			die(2, "invalid size '%s' for %s", arg, what);
		die(2, "invalid size '%s' for %s (expected 4K to 1G)", arg,
		    what);
	}
	return n;
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"boundary", required_argument, NULL, OPT_BOUNDARY},
		{"force", no_argument, NULL, 'f'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{"kernel", required_argument, NULL, 'k'},
		{"lanes", required_argument, NULL, OPT_LANES},
		{"max-resident", required_argument, NULL, OPT_MAX_RESIDENT},
		{"output", required_argument, NULL, 'o'},
		{"phase", required_argument, NULL, OPT_PHASE},
		{"pool-size", required_argument, NULL, OPT_POOL_SIZE},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"quiet", no_argument, NULL, 'q'},
		{"size", required_argument, NULL, OPT_SIZE},
		{"stats", no_argument, NULL, OPT_STATS},
		{"threads", required_argument, NULL, 't'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	unsigned long t;
	uint64_t n;
	char *end;
	int c;

	if (!(g.specs = calloc((size_t)argc, sizeof *g.specs)))
		die(1, "out of memory");
	g.cl.size_specs = g.specs;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fhk:o:qt:vV", longopts, NULL)) !=
	       -1) {
		const char *arg = argv[optind - 1];

		switch (c) {
		case 'f':
			g.cl.force = 1;
			break;
		case 'h':
			help();
		case 'k':
			g.kname = optarg;
			break;
		case 'o':
			g.cl.output = strcmp(optarg, "-") ? optarg : NULL;
			break;
		case 'q':
		case 'v':
			g.verbosity += c == 'v' ? 1 : -1;
			break;
		case 't':
			errno = 0;
			t = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || errno ||
			    t < 1 || t > THREADS_MAX)
				die(2,
				    "invalid thread count '%s' (expected 1 "
				    "to %d)",
				    optarg, THREADS_MAX);
			g.cl.threads = (unsigned)t;
			break;
		case 'V':
			g.version = 1;
			break;
		case OPT_BOUNDARY:
			g.cl.boundary = optarg;
			break;
		case OPT_FORMAT:
			if (atlas_data_format_parse(optarg, &g.cl.format))
				die(2,
				    "invalid format '%s' (expected raw, text "
				    "or npy)",
				    optarg);
			break;
		case OPT_PHASE:
			if (atlas_size_parse(optarg, &n, NULL) ||
			    strpbrk(optarg, "kKmMgG") || n >= 768)
				die(2, "invalid phase '%s' (expected 0 to 767)",
				    optarg);
			g.rs.phase = (uint32_t)n;
			break;
		case OPT_POOL_SIZE:
			g.cl.pool_size = size_arg("--pool-size", optarg,
						  POOL_MIN, POOL_MAX);
			break;
		case OPT_PROGRESS:
			g.progress = 1;
			break;
		case OPT_STATS:
			g.stats = 1;
			break;
		case OPT_LANES:
			if (atlas_size_parse(optarg, &g.cl.lanes, NULL))
				die(2, "invalid lane count '%s'", optarg);
			break;
		case OPT_MAX_RESIDENT:
			g.cl.max_resident = size_arg("--max-resident", optarg,
						     1, UINT64_MAX);
			break;
		case OPT_SIZE:
			end = strchr(optarg, '=');
			if (!end || end == optarg ||
			    atlas_size_parse(end + 1, &n, NULL))
				die(2,
				    "invalid size '%s' (expected name=count)",
				    optarg);
			g.specs[g.cl.nsize_specs++] = optarg;
			break;
		default:
			option_error(c, arg);
		}
	}
}

/* Load the kernel, bind the command line to it. */
static void setup(const char *kernel, char **ops, int nops)
{
	struct atlas_error err;

	if (atlas_kernel_load(kernel, g.kname, &g.p, &g.kpath, &err) ||
	    !(g.b = atlas_bindings_new(g.p, &err)) ||
	    atlas_bind_command_line(g.p, g.b, ops, (size_t)nops, &g.cl, &err))
		die(1, "%s", err.msg);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The progress callback: one line, rewritten in place. */
static void progress(void *arg, const struct atlas_stream_stats *st)
{
	const double t = now(), dt = t - pr.start;
	const int final = arg != NULL;
	char pct[16] = "";
	int len;

	if (!final &&
	    (dt < (pr.on == 2 ? 0.0 : 1.0) || (pr.shown && t - pr.last < 0.25)))
		return;
	if (st->lanes_expected != ATLAS_COUNT_UNSET && st->lanes_expected &&
	    st->elements <= st->lanes_expected)
		snprintf(pct, sizeof pct, " (%d%%)",
			 (int)(100.0 * (double)st->elements /
			       (double)st->lanes_expected));
	len = fprintf(stderr,
		      "\r" PROG ": %" PRIu64 " elements%s, %.1f MB in, %.1f MB "
		      "out, %.1f MB/s",
		      st->elements, pct, (double)st->bytes_in / 1e6,
		      (double)st->bytes_out / 1e6,
		      dt > 0 ? (double)st->bytes_in / 1e6 / dt : 0.0);
	fprintf(stderr, "%*s", pr.len > len ? pr.len - len : 0, "");
	if (final)
		fputc('\n', stderr);
	pr.len = len;
	pr.shown = !final;
	pr.last = t;
}

/* --stats: counts, sizes, the Atlas state, measures, R[c] != 0. */
static void print_stats(const struct atlas_stream_stats *st, double secs)
{
	char buf[ATLAS_RATIO_BUFSIZE];
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr,
		"elements %" PRIu64 "\nbytes_in %" PRIu64 "\nbytes_out %" PRIu64
		"\nchunks %" PRIu64 "\npool_size %" PRIu64
		"\nresident_size %" PRIu64 "\nthreads %u\nphase %" PRIu32
		"\nepoch %" PRIu64 "\npeak_rss %" PRIu64
		"\nseconds %.3f\nthroughput %.1f MB/s\n",
		st->elements, st->bytes_in, st->bytes_out, st->chunks,
		st->pool_size, st->resident_size, g.cl.threads, g.rs.phase,
		g.rs.epoch, (uint64_t)ru.ru_maxrss * 1024, secs,
		secs > 0 ? (double)st->bytes_in / 1e6 / secs : 0.0);
	for (unsigned c = 0; c < ATLAS_RESONANCE_CLASSES; c++)
		if (g.res.r[c].num)
			fprintf(stderr, "R[%u] = %s\n", c,
				atlas_ratio_format(g.res.r[c], buf,
						   sizeof buf));
}

static void run(void)
{
	struct atlas_stream_stats st;
	struct atlas_error err;
	char chunks[32] = "resident";

	g.rs.resonance = &g.res;
	g.cl.state = &g.rs;
	pr.on = g.progress ? 2 : g.verbosity >= 1 && isatty(2);
	g.cl.progress = pr.on ? progress : NULL;
	pr.start = now();
	if (atlas_run_kernel(g.p, g.b, &g.cl, &st, &err)) {
		if (pr.shown)
			fputc('\n', stderr);
		/* EPIPE with SIGPIPE ignored: die quietly of SIGPIPE. */
		if (err.code == ATLAS_ERR_IO && err.errnum == EPIPE)
			write_error(EPIPE);
		if (err.line)
			die(1, "%s:%zu:%zu: %s", g.kpath, err.line, err.col,
			    err.msg);
		die(1, "%s", err.msg);
	}
	if (pr.on == 2 || pr.shown)
		progress(&pr, &st);
	if (g.stats)
		print_stats(&st, now() - pr.start);
	if (!g.cl.resident)
		snprintf(chunks, sizeof chunks, "%" PRIu64 " chunks",
			 st.chunks);
	if (g.verbosity >= 2)
		fprintf(stderr,
			PROG ": %s: %" PRIu64 " %s, %" PRIu64
			     " bytes in, %" PRIu64
			     " bytes out, %s, %u threads\n",
			atlas_program_name(g.p), st.elements,
			g.cl.resident ? "lanes" : "elements", st.bytes_in,
			st.bytes_out, chunks, g.cl.threads);
}

/* After the run: close the files, then unity neutrality if declared. */
static void finish(void)
{
	struct atlas_metadata m;
	struct atlas_error err;

	if (atlas_bindings_close(g.p, g.b, &err))
		die(1, "%s", err.msg);
	if (atlas_program_metadata(g.p, &m) && m.unity_neutral &&
	    atlas_resonance_check_neutral(&g.res, &err))
		die(1, "%s", err.msg);
}

int main(int argc, char **argv)
{
	parse_options(argc, argv);
	if (g.version) {
		printf(PROG " " ATLAS_VERSION "\n");
		if (g.verbosity >= 2)
			printf("libatlas %s\n", atlas_version());
		close_stdout();
		return 0;
	}
	if (optind >= argc || !argv[optind][0])
		die(2, "missing kernel");
	for (int i = optind + 1; i < argc; i++)
		if (argv[i][0] == '=' || !strchr(argv[i], '='))
			die(2, "invalid binding '%s' (expected name=value)",
			    argv[i]);
	setup(argv[optind], argv + optind + 1, argc - optind - 1);
	atlas_resonance_zero(&g.res);
	run();
	finish();
	atlas_program_free(g.p);
	free(g.kpath);
	free(g.b);
	free(g.cl.sizes);
	free(g.specs);
	close_stdout();
	return 0;
}
