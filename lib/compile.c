/*
 * compile.c - the public face of the compiler: a kernel source of any
 * kind (the Python kernel language, assembly, the JSON program form, the
 * original's v1.0 JSON) in, one verified program per kernel out.
 *
 * The readers of assembly and of the JSON program form read one kernel.
 * A text that holds several (assembly with several .kernel sections, a
 * JSON array) is read one kernel at a time: a copy of the kernel's slice
 * from the start of its first line, what comes before it on that line
 * blanked out, so that columns stay those of the whole text; the lines
 * the reader reports, and those it records for run-time messages, are
 * then moved down by the lines before the slice.  Each byte of the text
 * is copied once, however many kernels it holds.
 *
 * Every error in a kernel's text gets the identifier of its check
 * (atlas.h, "validation") here, where each reader returns: the readers
 * tag only what they alone can tell (JSON syntax, limits), the verifier
 * tags its own, and the rest is the reader's: asm-syntax, json-schema,
 * kl-syntax (the Python parser) or kl-semantics (inline expansion and
 * lowering).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "kl.h"
#include "program.h"
#include "text_util.h"

/* One kernel's slice of the text: [begin, end); its line starts at bol,
   after lines newlines. */
struct slice {
	size_t begin, end;
	size_t bol, lines;
};

static int has_suffix(const char *s, const char *suffix)
{
	const size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

enum atlas_source atlas_source_of_path(const char *path)
{
	if (has_suffix(path, ".py"))
		return ATLAS_SOURCE_PYTHON;
	if (has_suffix(path, ".s"))
		return ATLAS_SOURCE_ASM;
	if (has_suffix(path, ".json"))
		return ATLAS_SOURCE_JSON;
	return ATLAS_SOURCE_AUTO;
}

static int blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* Does the line starting at off begin, after blanks, with ".kernel"? */
static int kernel_line(const char *text, size_t len, size_t off)
{
	while (off < len && (text[off] == ' ' || text[off] == '\t'))
		off++;
	return len - off >= 7 && memcmp(text + off, ".kernel", 7) == 0 &&
	       (len - off == 7 || blank((unsigned char)text[off + 7]) ||
		text[off + 7] == '#');
}

enum atlas_source atlas_source_sniff(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && blank((unsigned char)text[i]))
		i++;
	if (i < len && (text[i] == '{' || text[i] == '['))
		return ATLAS_SOURCE_JSON;
	for (size_t bol = 0; bol < len;) {
		const char *nl = memchr(text + bol, '\n', len - bol);

		if (kernel_line(text, len, bol))
			return ATLAS_SOURCE_ASM;
		bol = nl ? (size_t)(nl - text) + 1 : len;
	}
	return ATLAS_SOURCE_PYTHON;
}

/* ---- the list of programs being built ----------------------------------- */

struct plist {
	struct atlas_program **v;
	size_t n, cap;
};

static enum atlas_status plist_push(struct plist *l, struct atlas_program *p,
				    struct atlas_error *err)
{
	if (l->n == l->cap) {
		const size_t cap = l->cap ? l->cap * 2 : 4;
		struct atlas_program **v = realloc(l->v, cap * sizeof *v);

		if (!v) {
			atlas_program_free(p);
			atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0,
					"out of memory");
			return ATLAS_ERR_NOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = p;
	return ATLAS_OK;
}

void atlas_programs_free(struct atlas_program **progs, size_t count)
{
	if (!progs)
		return;
	for (size_t i = 0; i < count; i++)
		atlas_program_free(progs[i]);
	free(progs);
}

static enum atlas_status nomem(struct atlas_error *err)
{
	atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

/* ---- assembly and the JSON program form --------------------------------- */

typedef enum atlas_status (*reader_fn)(const char *, size_t,
				       struct atlas_program **,
				       struct atlas_error *);

/* A reader of one kernel, and the identifier of its errors. */
struct reader {
	reader_fn read;
	const char *id;
};

static const struct reader asm_reader = {asm_read, "asm-syntax"};
static const struct reader json_reader = {json_read, "json-schema"};

/* Move the source lines of p (and of err) down by k lines. */
static void shift_lines(struct atlas_program *p, struct atlas_error *err,
			size_t k)
{
	if (err && err->line)
		err->line += k;
	for (size_t i = 0; p && i < p->ninsns; i++)
		p->insns[i].line += p->insns[i].line ? (uint32_t)k : 0;
	for (size_t i = 0; p && i < p->nlabels; i++)
		p->labels[i].line += p->labels[i].line ? (uint32_t)k : 0;
	for (size_t i = 0; p && i < p->nparams; i++)
		p->params[i].line += p->params[i].line ? (uint32_t)k : 0;
}

/*
 * Read and verify the kernel in slice s of text (all of it: whole).  The
 * copy starts at the slice's line with one blank for each character
 * before the slice on it, so that columns are those of the whole text.
 */
static enum atlas_status read_one(const struct reader *rd, const char *text,
				  int whole, struct slice s, struct plist *l,
				  struct atlas_error *err)
{
	struct atlas_program *p = NULL;
	enum atlas_status st;
	char *copy = NULL;
	size_t pad = 0; /* characters (not bytes) before the slice */

	if (!whole) {
		for (size_t i = s.bol; i < s.begin; i++)
			pad += ((unsigned char)text[i] & 0xc0) != 0x80;
		if (!(copy = malloc(pad + s.end - s.begin + 1)))
			return nomem(err);
		memset(copy, ' ', pad);
		memcpy(copy + pad, text + s.begin, s.end - s.begin);
		text = copy;
	}
	st = error_tag(rd->read(text, whole ? s.end : pad + s.end - s.begin, &p,
				err),
		       err, rd->id);
	if (!whole)
		shift_lines(p, st == ATLAS_OK ? NULL : err, s.lines);
	if (st == ATLAS_OK)
		st = program_verify(p, err);
	free(copy);
	if (st != ATLAS_OK) {
		atlas_program_free(p);
		return st;
	}
	return plist_push(l, p, err);
}

struct named {
	const char *name;
	size_t i;
};

static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	const int c = strcmp(x->name, y->name);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The index of the first program of l whose name an earlier one has:
   SIZE_MAX if none, SIZE_MAX - 1 out of memory. */
static size_t first_duplicate(const struct plist *l)
{
	struct named *v = malloc(l->n * sizeof *v);
	size_t dup = SIZE_MAX;

	if (!v)
		return SIZE_MAX - 1;
	for (size_t i = 0; i < l->n; i++)
		v[i] = (struct named){atlas_program_name(l->v[i]), i};
	qsort(v, l->n, sizeof *v, by_name);
	for (size_t k = 1; k < l->n; k++)
		if (strcmp(v[k - 1].name, v[k].name) == 0 && v[k].i < dup)
			dup = v[k].i;
	free(v);
	return dup;
}

/* Read each of the n slices of text as one kernel, finding where their
   lines start on the way. */
static enum atlas_status read_slices(const struct reader *rd, const char *text,
				     struct slice *s, size_t n, struct plist *l,
				     struct atlas_error *err)
{
	enum atlas_status st = ATLAS_OK;
	size_t pos = 0, lines = 0, bol = 0, dup, line, col;

	for (size_t i = 0; i < n && st == ATLAS_OK; i++) {
		for (; pos < s[i].begin; pos++)
			if (text[pos] == '\n') {
				lines++;
				bol = pos + 1;
			}
		s[i].bol = bol;
		s[i].lines = lines;
		st = read_one(rd, text, 0, s[i], l, err);
	}
	if (st == ATLAS_OK && (dup = first_duplicate(l)) != SIZE_MAX) {
		if (dup == SIZE_MAX - 1)
			return nomem(err);
		text_linecol(text, s[dup].begin, &line, &col);
		atlas_error_set(err, ATLAS_ERR_PARSE, line, col,
				"duplicate kernel '%s'",
				atlas_program_name(l->v[dup]));
		return error_tag(ATLAS_ERR_PARSE, err, rd->id);
	}
	return st;
}

/* Append the slice [begin, end) to *s (of *n, capacity *cap). */
static int slice_push(struct slice **s, size_t *n, size_t *cap, size_t begin,
		      size_t end)
{
	if (*n == *cap) {
		const size_t ncap = *cap ? *cap * 2 : 8;
		struct slice *q = realloc(*s, ncap * sizeof *q);

		if (!q)
			return -1;
		*s = q;
		*cap = ncap;
	}
	(*s)[(*n)++] = (struct slice){begin, end, 0, 0};
	return 0;
}

/*
 * Assembly: a section per .kernel line, up to the next one; what comes
 * before the first belongs to it.  Without any .kernel line the reader
 * says what is missing.
 */
static enum atlas_status compile_asm(const char *text, size_t len,
				     struct plist *l, struct atlas_error *err)
{
	struct slice *s = NULL;
	size_t n = 0, cap = 0;
	enum atlas_status st;

	for (size_t bol = 0; bol < len;) {
		const char *nl = memchr(text + bol, '\n', len - bol);

		if (kernel_line(text, len, bol)) {
			if (n)
				s[n - 1].end = bol;
			if (slice_push(&s, &n, &cap, n ? bol : 0, len)) {
				free(s);
				return nomem(err);
			}
		}
		bol = nl ? (size_t)(nl - text) + 1 : len;
	}
	if (n <= 1)
		st = read_one(&asm_reader, text, 1,
			      (struct slice){0, len, 0, 0}, l, err);
	else
		st = read_slices(&asm_reader, text, s, n, l, err);
	free(s);
	return st;
}

static size_t skip_blanks(const char *text, size_t len, size_t i)
{
	while (i < len && blank((unsigned char)text[i]))
		i++;
	return i;
}

/* Is the JSON text (one kernel, or an array: its first) v1.0? */
static int json_is_v1(const char *text, size_t len)
{
	const size_t i = skip_blanks(text, len, 0);
	struct js j = {text, len, NULL, 0};
	size_t e, end;

	if (i >= len || text[i] != '[')
		return kl_is_v1(text, len);
	e = end = js_first(text, len, i);
	if (e >= len || text[e] == ']' || js_value(&j, &end, 0))
		return 0;
	return kl_is_v1(text + e, end - e);
}

/*
 * The JSON program form: one object, or an array of them.  A text that
 * does not scan goes to the reader whole, for its message.
 */
static enum atlas_status compile_json(const char *text, size_t len,
				      struct plist *l, struct atlas_error *err)
{
	const size_t i = skip_blanks(text, len, 0);
	struct js j = {text, len, NULL, 0};
	struct slice *s = NULL;
	size_t pos = i, n = 0, cap = 0, line, col;
	enum atlas_status st;

	if (i >= len || text[i] != '[' || js_value(&j, &pos, 0) ||
	    skip_blanks(text, len, pos) < len)
		return read_one(&json_reader, text, 1,
				(struct slice){0, len, 0, 0}, l, err);
	for (pos = js_first(text, len, i); pos < len && text[pos] != ']';
	     pos = js_skip(text, len, pos)) {
		size_t end = pos;

		js_value(&j, &end, 0);
		if (slice_push(&s, &n, &cap, pos, end)) {
			free(s);
			return nomem(err);
		}
	}
	if (n == 0) {
		text_linecol(text, i, &line, &col);
		atlas_error_set(err, ATLAS_ERR_PARSE, line, col,
				"no kernel in the array");
		return error_tag(ATLAS_ERR_PARSE, err, json_reader.id);
	}
	st = read_slices(&json_reader, text, s, n, l, err);
	free(s);
	return st;
}

/* ---- the kernel language and v1.0 JSON ---------------------------------- */

/* Inline helpers expanded; every kernel lowered and verified, in order. */
static enum atlas_status lower_module(struct kl_module *m, struct plist *l,
				      struct atlas_error *err)
{
	enum atlas_status st =
		error_tag(kl_expand_inline(m, err), err, "kl-semantics");

	for (size_t i = 0; i < m->nfuncs && st == ATLAS_OK; i++) {
		const struct kl_func *f = &m->funcs[i];
		struct atlas_program *p = NULL;

		if (f->is_inline) /* the parsers refuse duplicate names */
			continue;
		st = error_tag(kl_lower(f, &p, err), err, "kl-semantics");
		if (st == ATLAS_OK)
			st = program_verify(p, err);
		if (st != ATLAS_OK)
			atlas_program_free(p);
		else
			st = plist_push(l, p, err);
	}
	if (st == ATLAS_OK && l->n == 0) {
		atlas_error_set(err, ATLAS_ERR_PARSE, 0, 0,
				"no kernel in the source");
		st = error_tag(ATLAS_ERR_PARSE, err, "kl-semantics");
	}
	return st;
}

/* Does src (not AUTO) name a source read into a syntax tree? */
static int has_tree(const char *text, size_t len, enum atlas_source src)
{
	return src == ATLAS_SOURCE_PYTHON ||
	       (src == ATLAS_SOURCE_JSON && json_is_v1(text, len));
}

/* The syntax tree of a Python or v1.0 JSON text (has_tree). */
static enum atlas_status read_module(const char *text, size_t len,
				     enum atlas_source src,
				     struct kl_module **m,
				     struct atlas_error *err)
{
	*m = NULL;
	if (src == ATLAS_SOURCE_PYTHON)
		return error_tag(kl_parse_python(text, len, m, err), err,
				 "kl-syntax");
	return error_tag(kl_read_v1(text, len, m, err), err, "json-schema");
}

enum atlas_status atlas_compile(const char *text, size_t len,
				enum atlas_source src,
				struct atlas_program ***progs, size_t *count,
				struct atlas_error *err)
{
	struct plist l = {NULL, 0, 0};
	struct kl_module *m = NULL;
	enum atlas_status st;

	*progs = NULL;
	*count = 0;
	if (src == ATLAS_SOURCE_AUTO)
		src = atlas_source_sniff(text, len);
	if (has_tree(text, len, src)) {
		st = read_module(text, len, src, &m, err);
		if (st == ATLAS_OK)
			st = lower_module(m, &l, err);
		kl_module_free(m);
	} else if (src == ATLAS_SOURCE_ASM) {
		st = compile_asm(text, len, &l, err);
	} else if (src == ATLAS_SOURCE_JSON) {
		st = compile_json(text, len, &l, err);
	} else {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"unknown kernel source kind %d", (int)src);
		st = ATLAS_ERR_ARG;
	}
	if (st != ATLAS_OK) {
		atlas_programs_free(l.v, l.n);
		return st;
	}
	*progs = l.v;
	*count = l.n;
	return ATLAS_OK;
}

char *atlas_compile_v1(const char *text, size_t len, enum atlas_source src,
		       struct atlas_error *err)
{
	struct plist l = {NULL, 0, 0};
	struct kl_module *m = NULL;
	enum atlas_status st;
	char *s = NULL;

	if (src == ATLAS_SOURCE_AUTO)
		src = atlas_source_sniff(text, len);
	if (!has_tree(text, len, src)) {
		atlas_error_set(err, ATLAS_ERR_UNSUPPORTED, 0, 0,
				"v1.0 JSON is written only from the kernel "
				"language or from v1.0 JSON");
		return NULL;
	}
	st = read_module(text, len, src, &m, err);
	/* the kernels must compile: v1.0 output is meant to run */
	if (st == ATLAS_OK)
		st = lower_module(m, &l, err);
	if (st == ATLAS_OK && !(s = kl_write_v1(m)))
		nomem(err);
	atlas_programs_free(l.v, l.n);
	kl_module_free(m);
	return s;
}

/* "a, b, c" of the kernels' names, cut short to fit buf. */
static void name_list(char *buf, size_t size, struct atlas_program **v,
		      size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && k < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "",
				      atlas_program_name(v[i]));
}

enum atlas_status atlas_program_parse_named(const char *text, size_t len,
					    enum atlas_source src,
					    const char *name,
					    struct atlas_program **out,
					    struct atlas_error *err)
{
	struct atlas_program **v;
	size_t n, pick = 0;
	char names[160];
	enum atlas_status st;

	*out = NULL;
	st = atlas_compile(text, len, src, &v, &n, err);
	if (st != ATLAS_OK)
		return st;
	name_list(names, sizeof names, v, n);
	if (!name && n > 1) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"several kernels (%s): choose one by name",
				names);
		st = ATLAS_ERR_ARG;
	}
	for (pick = 0; name && pick < n; pick++)
		if (strcmp(atlas_program_name(v[pick]), name) == 0)
			break;
	if (st == ATLAS_OK && pick == n) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"no kernel '%s' (the kernels are %s)", name,
				names);
		st = ATLAS_ERR_ARG;
	}
	if (st == ATLAS_OK) {
		*out = v[pick];
		v[pick] = NULL;
	}
	atlas_programs_free(v, n);
	return st;
}

char *atlas_programs_write(struct atlas_program *const *progs, size_t count,
			   enum atlas_format fmt, struct atlas_error *err)
{
	const int json = fmt == ATLAS_FORMAT_JSON;
	struct strbuf sb;
	char *out;

	if (count == 0) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"no programs to write");
		return NULL;
	}
	if (count == 1)
		return atlas_program_write(progs[0], fmt, err);
	sb_init(&sb);
	sb_puts(&sb, json ? "[\n" : "");
	for (size_t i = 0; i < count; i++) {
		char *s = atlas_program_write(progs[i], fmt, err);
		size_t n;

		if (!s) {
			free(sb_finish(&sb));
			return NULL;
		}
		n = strlen(s);
		if (json && n && s[n - 1] == '\n')
			n--;
		if (i)
			sb_puts(&sb, json ? ",\n" : "\n");
		sb_add(&sb, s, n);
		free(s);
	}
	sb_puts(&sb, json ? "\n]\n" : "");
	if (!(out = sb_finish(&sb)))
		nomem(err);
	return out;
}
