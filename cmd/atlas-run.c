/*
 * atlas-run - run a kernel over arrays in files and pipes: streamed chunk
 * by chunk through one fixed pool when the kernel allows it, else
 * resident, over whole arrays in memory.  See man 1 atlas-run.
 *
 * This file parses the command line, shows progress and statistics, and
 * maps the library's results to messages and exit statuses; libatlas
 * finds the kernel, binds and opens the files (lib/runner.c) and does the
 * work.  Everything main owns is in g, so that the dying paths leak
 * nothing a leak checker could see.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atlas.h"

#define PROG "atlas-run"
#define SYNOPSIS                                                                \
	PROG " [-fhqVv] [--boundary file] [--format fmt] [-k name] [-o file]\n" \
	     "       [--phase n] [--pool-size size] [--progress] [--stats]\n"   \
	     "       [-t threads] kernel [name=value ...]"
#define PIPE_SIZE (1 << 20)
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
	unsigned threads; /* 0: chosen after binding */
	int force, verbosity, version;
	int resident; /* --lanes, or --size of a streamed array */
	int stats;    /* --stats */
	int progress; /* --progress */
	uint64_t pool_size;
	enum atlas_data_format format;
	const char *output;   /* -o */
	const char *boundary; /* --boundary: the pool image */
	struct atlas_run_state rs;
	struct atlas_resonance res;
	const char *kname; /* -k: the kernel to pick from the file */
	char *kpath;	   /* the kernel file */
	struct atlas_program *p;
	struct atlas_stream_binding *b; /* one per parameter */
	struct atlas_engine *e;
	struct atlas_resident_options ro;
	const char **specs; /* the --size arguments */
	size_t nspecs;
	uint64_t *sizes; /* one per parameter */
} g = {.verbosity = 1, .ro = {.lanes = ATLAS_COUNT_UNSET}};
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
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fhk:o:qt:vV", longopts, NULL)) !=
	       -1) {
		const char *arg = argv[optind - 1];

		switch (c) {
		case 'f':
			g.force = 1;
			break;
		case 'h':
			help();
		case 'k':
			g.kname = optarg;
			break;
		case 'o':
			g.output = strcmp(optarg, "-") ? optarg : NULL;
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
			g.threads = (unsigned)t;
			break;
		case 'V':
			g.version = 1;
			break;
		case OPT_BOUNDARY:
			g.boundary = optarg;
			break;
		case OPT_FORMAT:
			if (atlas_data_format_parse(optarg, &g.format))
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
			g.pool_size = size_arg("--pool-size", optarg, POOL_MIN,
					       POOL_MAX);
			break;
		case OPT_PROGRESS:
			g.progress = 1;
			break;
		case OPT_STATS:
			g.stats = 1;
			break;
		case OPT_LANES:
			if (atlas_size_parse(optarg, &g.ro.lanes, NULL))
				die(2, "invalid lane count '%s'", optarg);
			g.resident = 1;
			break;
		case OPT_MAX_RESIDENT:
			g.ro.max_resident = size_arg("--max-resident", optarg,
						     1, UINT64_MAX);
			break;
		case OPT_SIZE:
			end = strchr(optarg, '=');
			if (!end || end == optarg ||
			    atlas_size_parse(end + 1, &n, NULL))
				die(2,
				    "invalid size '%s' (expected name=count)",
				    optarg);
			g.specs[g.nspecs++] = optarg;
			break;
		default:
			option_error(c, arg);
		}
	}
}

/*
 * -o FILE: opened (not truncated) as fd 1 before the defaults are bound,
 * so that the same-file check sees it; the arrays that go there are named
 * after it.
 */
static void open_output(size_t n)
{
	int fd;

	if (!g.output)
		return;
	if ((fd = open(g.output, O_WRONLY | O_CREAT, 0666)) < 0)
		die(1, "%s: %s", g.output, strerror(errno));
	if (fd != 1 && (dup2(fd, 1) < 0 || close(fd) != 0))
		die(1, "%s: %s", g.output, strerror(errno));
	for (size_t i = 0; i < n; i++) {
		struct atlas_param_info pi;

		atlas_program_param(g.p, i, &pi);
		if (pi.kind == ATLAS_PARAM_ARRAY && pi.use == ATLAS_USE_OUT &&
		    (g.b[i].fd < 0 || g.b[i].fd == 1))
			g.b[i].label = g.output;
	}
}

/* After binding: -o has its array, and is truncated now. */
static void check_output(size_t n)
{
	struct stat st;
	size_t i = 0;

	while (g.output && i < n && g.b[i].out_fd != 1 && g.b[i].fd != 1)
		i++;
	if (g.output && i == n)
		die(1, "-o %s: no output array is left to write there",
		    g.output);
	if (g.output && fstat(1, &st) == 0 && S_ISREG(st.st_mode) &&
	    ftruncate(1, 0) != 0)
		die(1, "%s: %s", g.output, strerror(errno));
}

/* Whether fd 0 or fd 1 serves an array and is not a regular file. */
static int stdio_pipe(size_t n)
{
	struct stat st;

	for (size_t i = 0; i < 2 * n; i++) {
		const int fd = i % 2 ? g.b[i / 2].out_fd : g.b[i / 2].fd;

		if ((fd == 0 || fd == 1) &&
		    (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)))
			return 1;
	}
	return 0;
}

/* Load the kernel, apply --size, bind the operands and stdio. */
static void setup(const char *kernel, char **ops, int nops)
{
	struct atlas_error err;
	struct atlas_topo topo;
	size_t n;

	if (atlas_kernel_load(kernel, g.kname, &g.p, &g.kpath, &err) ||
	    !(g.b = atlas_bindings_new(g.p, &err)))
		die(1, "%s", err.msg);
	n = atlas_program_param_count(g.p);
	if (!(g.sizes = calloc(n + 1, sizeof *g.sizes)))
		die(1, "out of memory");
	for (size_t k = 0; k < n; k++) {
		g.sizes[k] = ATLAS_COUNT_UNSET;
		g.b[k].format = g.format;
	}
	for (size_t k = 0; k < g.nspecs; k++) {
		const char *spec = g.specs[k];
		char name[256];
		struct atlas_param_info pi;

		if (atlas_resident_size(g.p, spec, g.sizes, &err))
			die(1, "--size: %s", err.msg);
		/* the size of a streamed array: only a resident run has it */
		snprintf(name, sizeof name, "%.*s",
			 (int)(strchr(spec, '=') - spec), spec);
		atlas_program_param(
			g.p, (size_t)atlas_program_param_find(g.p, name), &pi);
		if (pi.access == ATLAS_ACCESS_ELEMENT ||
		    pi.access == ATLAS_ACCESS_RECORD ||
		    pi.access == ATLAS_ACCESS_ANY)
			g.resident = 1;
	}
	g.ro.sizes = g.sizes;
	for (int k = 0; k < nops; k++)
		if (atlas_bind_operand(g.p, g.b, ops[k], &err))
			die(1, "%s", err.msg);
	open_output(n);
	if (atlas_bind_stdio(g.p, g.b, &err))
		die(1, "%s", err.msg);
	check_output(n);
	/* fd 0 and 1 as binary arrays: never a terminal without -f */
	for (size_t i = 0; i < 2 * n; i++) {
		const int fd = i % 2 ? g.b[i / 2].out_fd : g.b[i / 2].fd;

		if ((fd == 0 || fd == 1) && !g.force &&
		    g.b[i / 2].format != ATLAS_DATA_TEXT && isatty(fd))
			die(1,
			    "refusing to %s binary data %s a terminal (use "
			    "-f to force)",
			    fd ? "write" : "read", fd ? "to" : "from");
	}
	atlas_topo_get(&topo);
	if (!g.threads)
		g.threads = stdio_pipe(n) ? 1 : topo.cores;
	if (!g.pool_size)
		g.pool_size = atlas_pool_size_for(g.threads);
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
		st->pool_size, st->resident_size, g.threads, g.rs.phase,
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
	const struct atlas_engine_options eo = {.threads = g.threads};
	const int resident = g.resident || !atlas_program_streams(g.p);
	const size_t n = atlas_program_param_count(g.p);
	struct atlas_stream_options so = {.pool_size = g.pool_size,
					  .max_resident = g.ro.max_resident,
					  .sizes = g.sizes,
					  .state = &g.rs};
	struct atlas_stream_stats st;
	struct atlas_error err;
	enum atlas_status rc;

	for (size_t i = 0; i < n; i++)
		if (g.b[i].fd >= 0)
			atlas_pipe_grow(g.b[i].fd, PIPE_SIZE);
	if (!(g.e = atlas_engine_new(&eo, &err)))
		die(1, "%s", err.msg);
	if (g.boundary &&
	    atlas_pool_file_map(g.boundary, &g.rs.boundary.data, &err))
		die(1, "%s: %s", g.boundary, err.msg);
	g.rs.boundary.size = g.boundary ? ATLAS_POOL_BYTES : 0;
	g.rs.resonance = &g.res;
	g.ro.state = &g.rs;
	pr.on = g.progress ? 2 : g.verbosity >= 1 && isatty(2);
	if (pr.on)
		so.progress = progress;
	pr.start = now();
	rc = resident ? atlas_resident_run(g.e, g.p, g.b, n, &g.ro, &st, &err) :
			atlas_stream(g.e, g.p, g.b, n, &so, &st, &err);
	if (rc) {
		if (pr.shown)
			fputc('\n', stderr);
		/* EPIPE with SIGPIPE ignored: die quietly of SIGPIPE. */
		if (err.code == ATLAS_ERR_IO && err.errnum == EPIPE) {
			signal(SIGPIPE, SIG_DFL);
			raise(SIGPIPE);
		}
		if (err.line)
			die(1, "%s:%zu:%zu: %s", g.kpath, err.line, err.col,
			    err.msg);
		die(1, "%s", err.msg);
	}
	if (pr.on == 2 || pr.shown)
		progress(&pr, &st);
	if (g.stats)
		print_stats(&st, now() - pr.start);
	if (g.verbosity >= 2 && resident)
		fprintf(stderr,
			PROG ": %s: %" PRIu64 " lanes, %" PRIu64
			     " bytes in, %" PRIu64
			     " bytes out, resident, %u threads\n",
			atlas_program_name(g.p), st.elements, st.bytes_in,
			st.bytes_out, g.threads);
	else if (g.verbosity >= 2)
		fprintf(stderr,
			PROG ": %s: %" PRIu64 " elements, %" PRIu64
			     " bytes in, %" PRIu64 " bytes out, %" PRIu64
			     " chunks, %u threads\n",
			atlas_program_name(g.p), st.elements, st.bytes_in,
			st.bytes_out, st.chunks, g.threads);
}

/* After the run: close the files, then unity neutrality if declared. */
static void finish(void)
{
	struct atlas_metadata m;
	struct atlas_error err;

	for (size_t i = 0; i < atlas_program_param_count(g.p); i++) {
		struct atlas_param_info pi;

		atlas_program_param(g.p, i, &pi);
		if (g.b[i].fd > 2 && close(g.b[i].fd) != 0 &&
		    pi.use != ATLAS_USE_IN)
			die(1, "%s: write error: %s", g.b[i].label,
			    strerror(errno));
	}
	atlas_pool_file_unmap(g.rs.boundary.data);
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
	atlas_engine_free(g.e);
	atlas_program_free(g.p);
	free(g.kpath);
	free(g.b);
	free(g.sizes);
	free(g.specs);
	close_stdout();
	return 0;
}
