/*
 * atlas-validate - check kernels without running them: every error the
 * verifier finds (the checks atlas-compile and atlas-run apply), and the
 * warnings and notes of the lint pass.  See man 1 atlas-validate.
 *
 * This file parses the command line, reads each kernel and prints the
 * library's diagnostics as lines on stderr or as one JSON document on
 * stdout; libatlas (atlas_validate_text) does the work.  Exit 0: every
 * kernel valid; 1: one is not; 2: trouble (usage, an unreadable file).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas.h"

#define PROG "atlas-validate"
#define SYNOPSIS PROG " [-hqVv] [--json] [--strict] kernel ..."
#define SOURCE_MAX ((uint64_t)64 << 20) /* largest kernel file */

enum { OPT_JSON = 256, OPT_STRICT };

static struct {
	int verbosity, version;
	int json, strict; /* --json, --strict */
	int invalid;	  /* a kernel is not valid */
	int trouble;	  /* a kernel could not be read */
	size_t nfiles;	  /* reported in the JSON document */
} g = {.verbosity = 1};
#include "cli.h"

__attribute__((noreturn)) static void help(void)
{
	fputs("usage: " SYNOPSIS "\n"
	      "Check kernels without running them.\n\n"
	      "  -h, --help         print this help and exit\n"
	      "      --json         print a JSON report on standard output\n"
	      "  -q, --quiet        print no diagnostics\n"
	      "      --strict       count warnings as errors\n"
	      "  -v, --verbose      print notes too\n"
	      "  -V, --version      print the version and exit\n",
	      stdout);
	close_stdout();
	exit(0);
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"json", no_argument, NULL, OPT_JSON},
		{"quiet", no_argument, NULL, 'q'},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvV", longopts, NULL)) != -1) {
		const char *arg = argv[optind - 1];

		switch (c) {
		case 'h':
			help();
		case OPT_JSON:
			g.json = 1;
			break;
		case 'q':
		case 'v':
			g.verbosity += c == 'v' ? 1 : -1;
			break;
		case OPT_STRICT:
			g.strict = 1;
			break;
		case 'V':
			g.version = 1;
			break;
		default:
			option_error(c, arg);
		}
	}
}

/* Write s as a JSON string. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		const unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch == '\t')
			fputs("\\t", stdout);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* The JSON object of one file: its diagnostics, or why it was not read. */
static void json_file(const char *file, const struct atlas_diags *d, int valid,
		      const char *trouble)
{
	printf("%s\n  {\"file\": ", g.nfiles++ ? "," : "");
	json_string(file);
	printf(", \"valid\": %s", valid ? "true" : "false");
	if (trouble) {
		fputs(", \"error\": ", stdout);
		json_string(trouble);
	}
	printf(", \"errors\": %zu, \"warnings\": %zu, \"notes\": %zu, "
	       "\"diagnostics\": [",
	       d->count[ATLAS_SEV_ERROR], d->count[ATLAS_SEV_WARNING],
	       d->count[ATLAS_SEV_NOTE]);
	for (size_t i = 0; i < d->n; i++) {
		const struct atlas_diag *q = &d->v[i];

		printf("%s\n    {\"severity\": \"%s\", \"id\": ", i ? "," : "",
		       atlas_severity_name(q->severity));
		json_string(q->id);
		if (q->line)
			printf(", \"line\": %zu, \"column\": %zu", q->line,
			       q->col);
		else
			fputs(", \"line\": null, \"column\": null", stdout);
		fputs(", \"kernel\": ", stdout);
		if (q->kernel[0])
			json_string(q->kernel);
		else
			fputs("null", stdout);
		fputs(", \"message\": ", stdout);
		json_string(q->msg);
		putchar('}');
	}
	fputs(d->n ? "\n  ]}" : "]}", stdout);
}

/* A kernel that could not be read: a message, exit status 2 at the end. */
static void trouble(const char *file, const char *msg)
{
	static const struct atlas_diags none;

	fprintf(stderr, PROG ": %s: %s\n", file, msg);
	g.trouble = 1;
	if (g.json)
		json_file(file, &none, 0, msg);
}

/* "FILE:LINE:COL: SEVERITY: [ID] message" on stderr, as -q and -v say. */
static void print_diags(const char *file, const struct atlas_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct atlas_diag *q = &d->v[i];

		if (g.verbosity < 1 ||
		    (q->severity == ATLAS_SEV_NOTE && g.verbosity < 2))
			continue;
		fprintf(stderr, PROG ": %s:", file);
		if (q->line)
			fprintf(stderr, "%zu:%zu:", q->line, q->col);
		fprintf(stderr, " %s: ", atlas_severity_name(q->severity));
		if (q->id[0])
			fprintf(stderr, "[%s] ", q->id);
		fprintf(stderr, "%s\n", q->msg);
	}
}

/* Validate one KERNEL operand: a path, "-" (stdin) or a kernel's name. */
static void validate(const char *kernel)
{
	struct atlas_diags d = {0};
	struct atlas_error err;
	char *path = NULL, *text = NULL;
	size_t len, bad;
	int fd = 0;

	if (strcmp(kernel, "-") != 0) {
		const size_t n = strlen(kernel);

		/* a .py source is a path; else find it as atlas-run does */
		if (n > 3 && strcmp(kernel + n - 3, ".py") == 0)
			path = strdup(kernel);
		else if (atlas_kernel_find(kernel, &path, &err) != ATLAS_OK) {
			trouble(kernel, err.msg);
			return;
		}
		if (!path)
			die(1, "out of memory");
		if ((fd = open(path, O_RDONLY)) < 0) {
			trouble(path, strerror(errno));
			free(path);
			return;
		}
	}
	if (atlas_read_all(fd, SOURCE_MAX, &text, &len, &err) != ATLAS_OK) {
		trouble(path ? path : kernel, err.msg);
	} else if (atlas_validate_text(text, len,
				       atlas_source_of_path(path ? path : ""),
				       &d, &err) != ATLAS_OK) {
		die(1, "%s: %s", path ? path : kernel, err.msg);
	} else {
		bad = d.count[ATLAS_SEV_ERROR] +
		      (g.strict ? d.count[ATLAS_SEV_WARNING] : 0);
		g.invalid |= bad > 0;
		if (g.json)
			json_file(path ? path : kernel, &d, bad == 0, NULL);
		else
			print_diags(path ? path : kernel, &d);
	}
	if (fd > 0)
		close(fd);
	atlas_diags_free(&d);
	free(text);
	free(path);
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
	if (optind >= argc)
		die(2, "missing kernel");
	for (int i = optind; i < argc; i++)
		if (!argv[i][0])
			die(2, "empty kernel name");
	if (g.json)
		fputs("{\"files\": [", stdout);
	for (int i = optind; i < argc; i++)
		validate(argv[i]);
	if (g.json)
		printf("\n], \"strict\": %s, \"valid\": %s}\n",
		       g.strict ? "true" : "false",
		       g.invalid || g.trouble ? "false" : "true");
	close_stdout();
	return g.trouble ? 2 : g.invalid ? 1 : 0;
}
