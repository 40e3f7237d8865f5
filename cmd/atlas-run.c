/*
 * atlas-run - run a kernel over raw binary buffers: element-wise kernels
 * chunk by chunk in constant memory, the others resident, over whole
 * arrays in memory.  See man 1 atlas-run.
 *
 * This file parses the command line and maps the library's results to
 * messages and exit statuses; libatlas finds the kernel, opens the files
 * and does the work.  Everything main owns is in g, so that the dying paths
 * leak nothing a leak checker could see.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas.h"

#define PROG "atlas-run"
#define SYNOPSIS                                                               \
	PROG " [-fhqVv] [--boundary file] [-k name] [--phase n] [--stats]\n"   \
	     "       [-t threads] kernel [name=value ...]"
#define CHUNK_LANES 65536
#define PIPE_SIZE (1 << 20)
#define THREADS_MAX 1024

enum {
	OPT_LANES = 256,
	OPT_MAX_RESIDENT,
	OPT_SIZE,
	OPT_BOUNDARY,
	OPT_PHASE,
	OPT_STATS
};

static struct {
	unsigned threads;
	int force, verbosity, version;
	int resident;	      /* --lanes or --size: run resident */
	int stats;	      /* --stats */
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
} g = {.threads = 1, .verbosity = 1, .ro = {.lanes = ATLAS_COUNT_UNSET}};
#include "cli.h"

__attribute__((noreturn)) static void help(void)
{
	fputs("usage: " SYNOPSIS "\n"
	      "Run a kernel over raw binary buffers.\n\n"
	      "      --boundary FILE\n"
	      "                     map pool image FILE as buffer handle 0\n"
	      "  -f, --force        read or write binary data on a terminal\n"
	      "  -h, --help         print this help and exit\n"
	      "  -k, --kernel NAME  run kernel NAME of a file of several\n"
	      "      --lanes N      run N lanes, resident\n"
	      "      --max-resident SIZE\n"
	      "                     hold at most SIZE bytes per array in a\n"
	      "                     resident run (default 1G)\n"
	      "      --phase N      start at phase N, 0 to 767 (default 0)\n"
	      "  -q, --quiet        print nothing on stderr but errors\n"
	      "      --size NAME=COUNT\n"
	      "                     output array NAME has COUNT elements\n"
	      "      --stats        print counts, phase and resonance on stderr\n"
	      "  -t, --threads N    run on N threads, 1 to 1024 (default 1)\n"
	      "  -v, --verbose      print a summary on stderr\n"
	      "  -V, --version      print the version and exit\n",
	      stdout);
	close_stdout();
	exit(0);
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"boundary", required_argument, NULL, OPT_BOUNDARY},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"kernel", required_argument, NULL, 'k'},
		{"lanes", required_argument, NULL, OPT_LANES},
		{"max-resident", required_argument, NULL, OPT_MAX_RESIDENT},
		{"size", required_argument, NULL, OPT_SIZE},
		{"phase", required_argument, NULL, OPT_PHASE},
		{"quiet", no_argument, NULL, 'q'},
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
	while ((c = getopt_long(argc, argv, ":fhk:qt:vV", longopts, NULL)) !=
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
		case OPT_PHASE:
			if (atlas_size_parse(optarg, &n, NULL) ||
			    strpbrk(optarg, "kKmMgG") || n >= 768)
				die(2, "invalid phase '%s' (expected 0 to 767)",
				    optarg);
			g.rs.phase = (uint32_t)n;
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
			if (atlas_size_parse(optarg, &g.ro.max_resident,
					     NULL) ||
			    !g.ro.max_resident)
				die(2, "invalid size '%s' for --max-resident",
				    optarg);
			break;
		case OPT_SIZE:
			end = strchr(optarg, '=');
			if (!end || end == optarg ||
			    atlas_size_parse(end + 1, &n, NULL))
				die(2,
				    "invalid size '%s' (expected name=count)",
				    optarg);
			g.specs[g.nspecs++] = optarg;
			g.resident = 1;
			break;
		default:
			option_error(c, arg);
		}
	}
}

/* Load the kernel, apply --size, bind the operands and stdio. */
static void setup(const char *kernel, char **ops, int nops)
{
	struct atlas_error err;
	size_t n;

	if (atlas_kernel_load(kernel, g.kname, &g.p, &g.kpath, &err) ||
	    !(g.b = atlas_bindings_new(g.p, &err)))
		die(1, "%s", err.msg);
	n = atlas_program_param_count(g.p);
	if (!(g.sizes = calloc(n + 1, sizeof *g.sizes)))
		die(1, "out of memory");
	for (size_t k = 0; k < n; k++)
		g.sizes[k] = ATLAS_COUNT_UNSET;
	for (size_t k = 0; k < g.nspecs; k++)
		if (atlas_resident_size(g.p, g.specs[k], g.sizes, &err))
			die(1, "--size: %s", err.msg);
	g.ro.sizes = g.sizes;
	for (int k = 0; k < nops; k++)
		if (atlas_bind_operand(g.p, g.b, ops[k], &err))
			die(1, "%s", err.msg);
	if (atlas_bind_stdio(g.p, g.b, &err))
		die(1, "%s", err.msg);
	/* fd 0 and 1 as arrays: never a terminal without -f */
	for (size_t i = 0; i < 2 * n; i++) {
		const int fd = i % 2 ? g.b[i / 2].out_fd : g.b[i / 2].fd;

		if ((fd == 0 || fd == 1) && !g.force && isatty(fd))
			die(1,
			    "refusing to %s binary data %s a terminal (use "
			    "-f to force)",
			    fd ? "write" : "read", fd ? "to" : "from");
	}
}

/* --stats: counts, the final phase and epoch, R[c] != 0 one per line. */
static void print_stats(const struct atlas_stream_stats *st)
{
	char buf[ATLAS_RATIO_BUFSIZE];

	fprintf(stderr,
		"elements %" PRIu64 "\nbytes_in %" PRIu64 "\nbytes_out %" PRIu64
		"\nchunks %" PRIu64 "\nphase %" PRIu32 "\nepoch %" PRIu64 "\n",
		st->elements, st->bytes_in, st->bytes_out, st->chunks,
		g.rs.phase, g.rs.epoch);
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
	struct atlas_stream_options so = {.state = &g.rs};
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
	/* each thread gets a chunk's worth of lanes per launch */
	rc = resident ? atlas_resident_run(g.e, g.p, g.b, n, &g.ro, &st, &err) :
			atlas_stream(g.e, g.p, g.b, n, &so, &st, &err);
	if (rc) {
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
	if (g.stats)
		print_stats(&st);
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

/* After the run: unity neutrality, when the kernel declares it. */
static void check_neutral(void)
{
	struct atlas_metadata m;
	struct atlas_error err;

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
	for (size_t i = 0; i < atlas_program_param_count(g.p); i++) {
		struct atlas_param_info pi;

		atlas_program_param(g.p, i, &pi);
		if (g.b[i].fd > 2 && close(g.b[i].fd) != 0 &&
		    pi.use != ATLAS_USE_IN)
			die(1, "%s: write error: %s", g.b[i].label,
			    strerror(errno));
	}
	atlas_pool_file_unmap(g.rs.boundary.data);
	check_neutral();
	atlas_engine_free(g.e);
	atlas_program_free(g.p);
	free(g.kpath);
	free(g.b);
	free(g.sizes);
	free(g.specs);
	close_stdout();
	return 0;
}
