/*
 * atlas-compile - compile kernel sources (the Python kernel language,
 * assembly, JSON) to JSON kernel files, assembly listings or the
 * original's v1.0 JSON.  See man 1 atlas-compile.
 *
 * This file parses the command line, reads the source, writes the output
 * and maps the library's results to messages and exit statuses; libatlas
 * does the work.  A file output is written to a temporary file beside it
 * and renamed into place, so that a failure never leaves part of one.
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
#include <sys/stat.h>
#include <unistd.h>

#include "atlas.h"

#define PROG "atlas-compile"
#define SYNOPSIS PROG " [-hqVv] [--emit=format] [-o out] source"
#define SOURCE_MAX ((uint64_t)64 << 20) /* largest source file */

enum emit { EMIT_JSON, EMIT_ASM, EMIT_V1 };
enum { OPT_EMIT = 256 };

static struct {
	enum emit emit;
	int verbosity, version;
	const char *src; /* the source operand, "-" for stdin */
	const char *out; /* -o, "-" for stdout, NULL for the default */
	const char *tmp; /* the temporary file while it exists */
	char *text;	 /* the source text, then the output text */
	struct atlas_program **p;
	size_t np;
} g = {.verbosity = 1};

/* die() and write_error() remove the temporary output file first */
#define CLI_CLEANUP() ((void)(g.tmp && unlink(g.tmp)))
#include "cli.h"

__attribute__((noreturn)) static void help(void)
{
	fputs("usage: " SYNOPSIS "\n"
	      "Compile a kernel source to a JSON kernel file.\n\n"
	      "      --emit FORMAT  write json (the default), asm or v1\n"
	      "  -h, --help         print this help and exit\n"
	      "  -o, --output OUT   write to OUT ('-': standard output)\n"
	      "  -q, --quiet        print nothing on stderr but errors\n"
	      "  -v, --verbose      describe each kernel on stderr\n"
	      "  -V, --version      print the version and exit\n",
	      stdout);
	close_stdout();
	exit(0);
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"emit", required_argument, NULL, OPT_EMIT},
		{"help", no_argument, NULL, 'h'},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	static const char *const emits[] = {"json", "asm", "v1"};
	int c, k;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:qvV", longopts, NULL)) != -1) {
		const char *arg = argv[optind - 1];

		switch (c) {
		case OPT_EMIT:
			for (k = 0; k < 3 && strcmp(optarg, emits[k]); k++)
				;
			if (k == 3)
				die(2,
				    "invalid output format '%s' (expected "
				    "json, asm or v1)",
				    optarg);
			g.emit = (enum emit)k;
			break;
		case 'h':
			help();
		case 'o':
			g.out = optarg;
			break;
		case 'q':
		case 'v':
			g.verbosity += c == 'v' ? 1 : -1;
			break;
		case 'V':
			g.version = 1;
			break;
		default:
			option_error(c, arg);
		}
	}
}

/* The default output: SOURCE with its extension replaced. */
static const char *default_out(void)
{
	static char buf[4096];
	const char *base = strrchr(g.src, '/') ? strrchr(g.src, '/') + 1 :
						 g.src;
	const char *dot = strrchr(base, '.');
	const int n = dot && dot != base ? (int)(dot - g.src) :
					   (int)strlen(g.src);

	if (snprintf(buf, sizeof buf, "%.*s%s", n, g.src,
		     g.emit == EMIT_ASM ? ".s" : ".json") >= (int)sizeof buf)
		die(1, "%s: file name too long", g.src);
	if (strcmp(buf, g.src) == 0)
		die(2, "the output would replace the source '%s' (use -o)",
		    g.src);
	return buf;
}

/* Report a library error about the source. */
__attribute__((noreturn)) static void die_src(const struct atlas_error *err)
{
	if (err->line)
		die(1, "%s:%zu:%zu: %s", g.src, err->line, err->col, err->msg);
	die(1, "%s: %s", g.src, err->msg);
}

/* -v: "NAME: N instructions, K parameters (x element, n guard, ...)". */
static void describe(const struct atlas_program *p)
{
	static const char *const access[] = {"any", "element", "record",
					     "resident", "reduction"};
	const size_t n = atlas_program_param_count(p);
	struct atlas_param_info pi, len;

	fprintf(stderr, PROG ": %s: %zu instructions, %zu parameters",
		atlas_program_name(p), atlas_program_length(p), n);
	for (size_t k = 0; k < n && !atlas_program_param(p, k, &pi); k++) {
		fprintf(stderr, "%s%s %s", k ? ", " : " (", pi.name,
			pi.kind == ATLAS_PARAM_ARRAY ? access[pi.access] :
			pi.use == ATLAS_USE_GUARD    ? "guard" :
						       "value");
		if (pi.access == ATLAS_ACCESS_RECORD && pi.record_param < 0)
			fprintf(stderr, " of %" PRIu64, pi.record_len);
		else if (pi.access == ATLAS_ACCESS_RECORD &&
			 !atlas_program_param(p, (size_t)pi.record_param, &len))
			fprintf(stderr, " of %s", len.name);
	}
	fputs(n ? ")\n" : "\n", stderr);
}

static void compile(void)
{
	const int fd = strcmp(g.src, "-") ? open(g.src, O_RDONLY) : 0;
	struct atlas_error err;
	size_t len;
	char *out;

	if (fd < 0)
		die(1, "%s: %s", g.src, strerror(errno));
	if (atlas_read_all(fd, SOURCE_MAX, &g.text, &len, &err) != ATLAS_OK)
		die(1, "%s: %s", g.src, err.msg);
	if (fd > 0)
		close(fd);
	if (atlas_compile(g.text, len, atlas_source_of_path(g.src), &g.p, &g.np,
			  &err) != ATLAS_OK)
		die_src(&err);
	for (size_t i = 0; i < g.np && g.verbosity >= 2; i++)
		describe(g.p[i]);
	if (g.emit == EMIT_V1)
		out = atlas_compile_v1(g.text, len, atlas_source_of_path(g.src),
				       &err);
	else
		out = atlas_programs_write(g.p, g.np,
					   g.emit == EMIT_ASM ?
						   ATLAS_FORMAT_ASM :
						   ATLAS_FORMAT_JSON,
					   &err);
	if (!out)
		die_src(&err);
	free(g.text);
	g.text = out;
}

/*
 * Write the output to path: to a temporary file in the same directory,
 * then renamed over path.  A path that exists and is not a regular file
 * (/dev/null, a FIFO) is written in place.
 */
static void write_file(const char *path)
{
	static char tmp[4096 + 8];
	struct atlas_error err;
	struct stat st;
	mode_t mask;
	int fd;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((fd = open(path, O_WRONLY | O_TRUNC)) < 0)
			die(1, "%s: %s", path, strerror(errno));
	} else {
		snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
		if ((fd = mkstemp(tmp)) < 0)
			die(1, "%s: %s", path, strerror(errno));
		g.tmp = tmp;
		mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (atlas_write_full(fd, g.text, strlen(g.text), &err) != ATLAS_OK)
		die(1, "%s: write error: %s", path, strerror(err.errnum));
	if (close(fd) != 0)
		die(1, "%s: write error: %s", path, strerror(errno));
	if (g.tmp && rename(g.tmp, path) != 0)
		die(1, "%s: %s", path, strerror(errno));
	g.tmp = NULL;
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
		die(2, "missing source");
	if (optind + 1 < argc)
		die(2, "unexpected operand '%s'", argv[optind + 1]);
	g.src = argv[optind];
	if (g.out && !g.out[0])
		die(2, "empty output file name");
	if (!g.out)
		g.out = strcmp(g.src, "-") ? default_out() : "-";
	compile();
	if (strcmp(g.out, "-") == 0) {
		if (fputs(g.text, stdout) == EOF)
			write_error(errno);
	} else {
		write_file(g.out);
	}
	atlas_programs_free(g.p, g.np);
	free(g.text);
	close_stdout();
	return 0;
}
