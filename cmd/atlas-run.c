/*
 * atlas-run - run a kernel over raw binary buffers, chunk by chunk, in
 * constant memory.  See man 1 atlas-run.
 *
 * This file parses the command line, finds and opens the files and maps
 * the library's results to messages and exit statuses; libatlas does the
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
#include <unistd.h>

#include "atlas.h"

#define PROG "atlas-run"
#define SYNOPSIS PROG " [-fhqVv] [-t threads] kernel [name=value ...]"
#define KERNEL_MAX ((uint64_t)64 << 20) /* largest kernel file */
#define CHUNK_LANES 65536
#define PIPE_SIZE (1 << 20)
#define THREADS_MAX 1024

static struct {
	unsigned threads;
	int force, verbosity, version;
	char *kpath; /* the kernel file */
	struct atlas_program *p;
	struct atlas_stream_binding *b; /* one per parameter */
	size_t n;
	struct atlas_engine *e;
} g = {.threads = 1, .verbosity = 1};

/*
 * Print "atlas-run: MESSAGE" and exit with status; status 2 (a usage
 * error) adds the "Try" line.
 */
__attribute__((noreturn, format(printf, 2, 3))) static void
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (status == 2)
		fputs("Try '" PROG " --help' for more information.\n", stderr);
	exit(status);
}

/* Close stdout; a failure is a write error. */
static void close_stdout(void)
{
	if (fclose(stdout) != 0 && errno != EBADF)
		die(1, "write error: %s", strerror(errno));
}

__attribute__((noreturn)) static void help(void)
{
	fputs("usage: " SYNOPSIS "\n"
	      "Run a kernel over raw binary buffers.\n\n"
	      "  -f, --force        read or write binary data on a terminal\n"
	      "  -h, --help         print this help and exit\n"
	      "  -q, --quiet        print nothing on stderr but errors\n"
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
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"quiet", no_argument, NULL, 'q'},
		{"threads", required_argument, NULL, 't'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	unsigned long t;
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fhqt:vV", longopts, NULL)) !=
	       -1) {
		const char *arg = argv[optind - 1];

		switch (c) {
		case 'f':
			g.force = 1;
			break;
		case 'h':
			help();
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
		case ':':
			if (strncmp(arg, "--", 2) == 0)
				die(2, "option '%.*s' requires an argument",
				    (int)strcspn(arg, "="), arg);
			die(2, "option '-%c' requires an argument", optopt);
		default:
			if (optopt)
				die(2, "unknown option '-%c'", optopt);
			die(2, "unknown option '%s'", arg);
		}
	}
}

static void load_kernel(const char *kernel)
{
	struct atlas_error err;
	char *text;
	size_t len;
	int fd;

	if (atlas_kernel_find(kernel, &g.kpath, &err))
		die(1, "%s", err.msg);
	if ((fd = open(g.kpath, O_RDONLY)) < 0)
		die(1, "%s: %s", g.kpath, strerror(errno));
	if (atlas_read_all(fd, KERNEL_MAX, &text, &len, &err) != ATLAS_OK)
		die(1, "%s: %s", g.kpath, err.msg);
	close(fd);
	if (atlas_program_parse(text, len, ATLAS_FORMAT_AUTO, &g.p, &err)) {
		free(text);
		if (err.line)
			die(1, "%s:%zu:%zu: %s", g.kpath, err.line, err.col,
			    err.msg);
		die(1, "%s: %s", g.kpath, err.msg);
	}
	free(text);
	g.n = atlas_program_param_count(g.p);
	if (!(g.b = calloc(g.n + 1, sizeof *g.b)))
		die(1, "out of memory");
	for (size_t i = 0; i < g.n; i++)
		g.b[i].fd = -1;
}

static struct atlas_param_info param(size_t i)
{
	struct atlas_param_info pi;

	atlas_program_param(g.p, i, &pi);
	return pi;
}

/* NAME=VALUE: a file (or "-") for an array, a number for a scalar. */
static void bind_operand(const char *op)
{
	static const int flags[] = {[ATLAS_USE_IN] = O_RDONLY,
				    [ATLAS_USE_OUT] = O_WRONLY | O_CREAT |
						      O_TRUNC,
				    [ATLAS_USE_INOUT] = O_RDWR};
	const char *v = strchr(op, '=') + 1;
	const int len = (int)(v - 1 - op);
	char name[256], list[1024] = "";
	struct atlas_param_info pi;
	struct atlas_error err;
	long i;

	snprintf(name, sizeof name, "%.*s", len, op);
	if ((i = atlas_program_param_find(g.p, name)) < 0) {
		for (size_t k = 0, n = 0; k < g.n && n < sizeof list; k++)
			n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
					      k ? ", " : "", param(k).name);
		die(1, "unknown parameter '%s' (kernel %s takes %s)", name,
		    atlas_program_name(g.p), g.n ? list : "no parameters");
	}
	pi = param((size_t)i);
	if (g.b[i].fd >= 0 || g.b[i].bound)
		die(1, "parameter '%s' is bound twice", name);
	if (pi.kind == ATLAS_PARAM_SCALAR &&
	    atlas_value_parse(v, pi.type, &g.b[i].bits, &err))
		die(1, "%s: %s", name, err.msg);
	g.b[i].bound = 1;
	if (pi.kind == ATLAS_PARAM_SCALAR)
		return;
	g.b[i].label = v;
	if (strcmp(v, "-") == 0)
		g.b[i].fd = pi.use == ATLAS_USE_OUT ? 1 : 0;
	else if ((g.b[i].fd = open(v, flags[pi.use], 0666)) < 0)
		die(1, "%s: %s", *v ? v : "''", strerror(errno));
}

/*
 * The one unbound input array reads stdin, the one unbound output array
 * writes stdout; neither may be a terminal without -f, nor be shared.
 */
static void bind_stdio(void)
{
	long last[2] = {-1, -1}; /* the unbound array; -2: more than one */
	const char *user[2] = {NULL, NULL};

	for (size_t i = 0; i < g.n; i++) {
		const struct atlas_param_info pi = param(i);
		const int k = pi.use == ATLAS_USE_OUT;

		if (pi.kind == ATLAS_PARAM_ARRAY && pi.use != ATLAS_USE_INOUT &&
		    g.b[i].fd < 0)
			last[k] = last[k] == -1 ? (long)i : -2;
	}
	for (int k = 0; k < 2; k++)
		if (last[k] >= 0) {
			g.b[last[k]].fd = k;
			g.b[last[k]].label = "-";
		}
	for (size_t i = 0; i < g.n; i++) {
		const int fd = g.b[i].fd;

		if (fd != 0 && fd != 1)
			continue;
		if (user[fd])
			die(1, "standard %s is bound to both '%s' and '%s'",
			    fd ? "output" : "input", user[fd], param(i).name);
		user[fd] = param(i).name;
		if (!g.force && isatty(fd))
			die(1,
			    "refusing to %s binary data %s a terminal (use "
			    "-f to force)",
			    fd ? "write" : "read", fd ? "to" : "from");
	}
}

static void run(void)
{
	const struct atlas_engine_options eo = {.threads = g.threads};
	struct atlas_stream_stats st;
	struct atlas_error err;

	for (size_t i = 0; i < g.n; i++)
		if (g.b[i].fd >= 0)
			atlas_pipe_grow(g.b[i].fd, PIPE_SIZE);
	if (!(g.e = atlas_engine_new(&eo, &err)))
		die(1, "%s", err.msg);
	/* each thread gets a chunk's worth of lanes per launch */
	if (atlas_stream_run(g.e, g.p, g.b, g.n,
			     (size_t)CHUNK_LANES * g.threads, &st, &err)) {
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
	if (g.verbosity >= 2)
		fprintf(stderr,
			PROG ": %s: %" PRIu64 " elements, %" PRIu64
			     " bytes in, %" PRIu64 " bytes out, %" PRIu64
			     " chunks, %u threads\n",
			atlas_program_name(g.p), st.elements, st.bytes_in,
			st.bytes_out, st.chunks, g.threads);
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
	load_kernel(argv[optind]);
	for (int i = optind + 1; i < argc; i++)
		bind_operand(argv[i]);
	bind_stdio();
	run();
	for (size_t i = 0; i < g.n; i++)
		if (g.b[i].fd > 2 && close(g.b[i].fd) != 0 &&
		    param(i).use != ATLAS_USE_IN)
			die(1, "%s: write error: %s", g.b[i].label,
			    strerror(errno));
	atlas_engine_free(g.e);
	atlas_program_free(g.p);
	free(g.kpath);
	free(g.b);
	close_stdout();
	return 0;
}
