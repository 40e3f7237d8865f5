/*
 * atlas-pool - boundary pool images and Atlas class lookups, in plain
 * text for scripts: one value or one row a line.  See man 1 atlas-pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas.h"

#define PROG "atlas-pool"

/* clang-format off */
/* The options as bits: those given, those a command takes. */
enum { O_FORCE = 1, O_CLASS = 2, O_PAGE = 4, O_COUNT = 8, O_NUMB = 16,
       O_JSON = 32 };
/* ENCODE to UNITY in the order of enum atlas_pool_query */
enum cmd_id { ENCODE, DECODE, MAP, UNMAP, CLASS, MIRROR, NBRS, UNITY,
	      CREATE, PUT, GET, STAT, TABLE };
/* clang-format on */
enum { OPT_NUMBERING = 256, OPT_JSON };
static const int optchar[] = {'f', 'c', 'p', 'n', OPT_NUMBERING, OPT_JSON};
static const char *const optname[] = {"--force", "--class",	"--page",
				      "--count", "--numbering", "--json"};

static struct {
	int verbosity, version;
	unsigned seen; /* O_* bits of the options given */
	enum atlas_numbering numbering;
	const char *cls, *page, *count;
} g = {.verbosity = 1};
#include "cli.h"

/* A library failure: its message, exit 1. */
static void check(enum atlas_status st, const struct atlas_error *err)
{
	if (st != ATLAS_OK)
		die(1, "%s", err->msg);
}

/* Parse a number below limit: malformed exits 2, out of range 1. */
static uint64_t num(const char *what, const char *text, uint64_t limit,
		    int inclusive)
{
	struct atlas_error err;
	uint64_t v;

	if (atlas_number_parse_below(what, text, limit, inclusive, &v, &err))
		die(err.code == ATLAS_ERR_ARG ? 2 : 1, "%s", err.msg);
	return v;
}

/* Binary data to or from a terminal only with -f. */
static void refuse_tty(int fd)
{
	if (!(g.seen & O_FORCE) && isatty(fd))
		die(1, "refusing to %s binary data %s a terminal (use -f)",
		    fd ? "write" : "read", fd ? "to" : "from");
}

/* put, get, stat and table: they work on file (NULL for table). */
static void pool(enum cmd_id id, const char *file, const char *src)
{
	static uint8_t data[ATLAS_POOL_BYTES];
	const int fd = src && strcmp(src, "-") ? open(src, O_RDONLY) : 0;
	const int json = g.seen & O_JSON, rw = id == PUT || id == GET;
	unsigned c = 0, p = 0;
	size_t room = 0;
	struct atlas_error err;
	char row[256];

	if (rw && !g.cls)
		die(2, "missing --class");
	c = rw ? (unsigned)num("class", g.cls, ATLAS_CLASSES, 0) : 0;
	p = g.page ? (unsigned)num("page", g.page, ATLAS_PAGES, 0) : 0;
	room = rw ? ATLAS_CLASS_BYTES - (size_t)p * ATLAS_PAGE_BYTES : 0;
	if (fd < 0)
		die(1, "%s: %s", src, strerror(errno));
	if (id == PUT) {
		if (fd == 0)
			refuse_tty(0);
		check(atlas_pool_file_put(file, c, p, fd,
					  fd ? src : "standard input", NULL,
					  &err),
		      &err);
		return;
	}
	if (file && atlas_pool_file_read(file, data, &err) != ATLAS_OK)
		die(1, "%s: %s", file, err.msg);
	if (id == GET) {
		const size_t n = g.count ? num("count", g.count, room + 1, 1) :
					   room;

		refuse_tty(1);
		if (fwrite(data + (size_t)c * ATLAS_CLASS_BYTES +
				   (size_t)p * ATLAS_PAGE_BYTES,
			   1, n, stdout) != n)
			write_error(errno);
		return;
	}
	for (c = 0; c < ATLAS_CLASSES; c++) {
		check(atlas_pool_row(file ? data : NULL, g.numbering, c, json,
				     row, sizeof row, &err),
		      &err);
		printf("%s%s%s", json ? (c ? ",\n" : "[\n") : "", row,
		       json ? "" : "\n");
	}
	fputs(json ? "\n]\n" : "", stdout);
}

/* The commands.  ops: the operands, f a file, S an optional source,
   c class, p page, b byte, o offset, x phi value. */
static const struct command {
	const char *name, *usage, *ops;
	unsigned opts; /* the O_* options it takes */
} commands[] = {
	[CREATE] = {"create", "[-f] file", "f", O_FORCE},
	[PUT] = {"put", "[-f] -c class [-p page] file [source]", "fS",
		 O_FORCE | O_CLASS | O_PAGE},
	[GET] = {"get", "[-f] -c class [-p page] [-n count] file", "f",
		 O_FORCE | O_CLASS | O_PAGE | O_COUNT},
	[STAT] = {"stat", "[--json] file", "f", O_JSON},
	[ENCODE] = {"phi encode", "page byte", "pb", 0},
	[DECODE] = {"phi decode", "x", "x", 0},
	[MAP] = {"map", "class page byte", "cpb", 0},
	[UNMAP] = {"unmap", "offset", "o", 0},
	[CLASS] = {"class", "[--numbering=name] byte", "b", O_NUMB},
	[MIRROR] = {"mirror", "[--numbering=name] class", "c", O_NUMB},
	[NBRS] = {"neighbors", "class", "c", 0},
	[UNITY] = {"unity", "[--numbering=name]", "", O_NUMB},
	[TABLE] = {"table", "[--numbering=name] [--json]", "", O_NUMB | O_JSON},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

__attribute__((noreturn)) static void help(void)
{
	for (size_t i = 0, k; i < NCOMMANDS; i++) {
		k = (i + CREATE) % NCOMMANDS; /* the pool commands first */
		printf("%s " PROG " %s %s\n",
		       i ? "      " : "usage:", commands[k].name,
		       commands[k].usage);
	}
	fputs("       " PROG " [-hqVv]\n"
	      "Work with Atlas boundary pool images and classes.\n\n"
	      "  -c, --class CLASS     the class of put and get\n"
	      "  -f, --force           let create overwrite a file, put and "
	      "get use a terminal\n"
	      "  -h, --help            print this help and exit\n"
	      "      --json            print stat and table as JSON\n"
	      "  -n, --count COUNT     the number of bytes get writes\n"
	      "      --numbering NAME  the class numbering: atlas or sigil\n"
	      "  -p, --page PAGE       the first page of put and get\n"
	      "  -q, --quiet           print nothing on stderr but errors\n"
	      "  -v, --verbose         with -V, print the library version too\n"
	      "  -V, --version         print the version and exit\n",
	      stdout);
	close_stdout();
	exit(0);
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"class", required_argument, NULL, 'c'},
		{"count", required_argument, NULL, 'n'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"json", no_argument, NULL, OPT_JSON},
		{"numbering", required_argument, NULL, OPT_NUMBERING},
		{"page", required_argument, NULL, 'p'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:fhn:p:qvV", longopts, NULL)) !=
	       -1) {
		const char *arg = argv[optind - 1];

		for (int k = 0; k < 6; k++)
			g.seen |= c == optchar[k] ? 1u << k : 0;
		if (c == 'c' || c == 'n' || c == 'p')
			*(c == 'c' ? &g.cls :
			  c == 'n' ? &g.count :
				     &g.page) = optarg;
		if (c == OPT_NUMBERING &&
		    atlas_numbering_parse(optarg, &g.numbering) != 0)
			die(2,
			    "invalid numbering '%s' (expected atlas or sigil)",
			    optarg);
		if (c == 'h')
			help();
		g.verbosity += c == 'v' ? 1 : c == 'q' ? -1 : 0;
		g.version |= c == 'V';
		if (c == ':' || c == '?')
			option_error(c, arg);
	}
}

int main(int argc, char **argv)
{
	static const char kinds[] = "cpbox";
	static const char *const what[] = {"class", "page", "byte", "offset",
					   "phi value"};
	static const uint64_t limit[] = {ATLAS_CLASSES, ATLAS_PAGES,
					 ATLAS_PAGE_BYTES, ATLAS_POOL_BYTES,
					 (uint64_t)1 << 32};
	char **a;
	int n, w;
	uint64_t v[3] = {0};
	size_t id;
	const char *ops;
	struct atlas_error err;
	char line[256];

	parse_options(argc, argv);
	if (g.version) {
		printf(PROG " " ATLAS_VERSION "\n");
		if (g.verbosity >= 2)
			printf("libatlas %s\n", atlas_version());
		close_stdout();
		return 0;
	}
	a = argv + optind;
	if ((n = argc - optind) == 0)
		die(2, "missing command");
	w = strcmp(a[0], "phi") == 0 && n > 1 ? 2 : 1; /* phi encode|decode */
	if (snprintf(line, sizeof line, "%s%s%s", a[0], w > 1 ? " " : "",
		     w > 1 ? a[1] : "") < 0)
		line[0] = '\0';
	for (id = 0; id < NCOMMANDS && strcmp(commands[id].name, line);)
		id++;
	if (id == NCOMMANDS)
		die(2, "unknown command '%s'", line);
	a += w;
	n -= w;
	ops = commands[id].ops;
	if (n < (int)strcspn(ops, "S"))
		die(2, "missing operand (usage: " PROG " %s %s)",
		    commands[id].name, commands[id].usage);
	if (n > (int)strlen(ops))
		die(2, "unexpected operand '%s'", a[strlen(ops)]);
	for (unsigned k = 0; k < 6; k++)
		if (g.seen & ~commands[id].opts & (1u << k))
			die(2, "option '%s' does not apply to '%s'", optname[k],
			    commands[id].name);
	for (int i = 0; i < n; i++) {
		const char *k = strchr(kinds, ops[i]);

		if (k)
			v[i] = num(what[k - kinds], a[i], limit[k - kinds], 0);
	}
	if (id <= UNITY) {
		check(atlas_pool_query((enum atlas_pool_query)id, g.numbering,
				       v, line, sizeof line, &err),
		      &err);
		printf("%s\n", line);
	} else if (id == CREATE) {
		if (atlas_pool_file_create(a[0], g.seen & O_FORCE, &err))
			die(1, "%s: %s", a[0], err.msg);
	} else {
		pool(id, n ? a[0] : NULL, n > 1 ? a[1] : NULL);
	}
	close_stdout();
	return 0;
}
