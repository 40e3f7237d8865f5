/*
 * kl_parse.c - the Python kernel language (reference 3.6; man 1
 * atlas-compile): the module level (imports of atlas_kernel, decorated
 * function definitions, an optional module docstring), function
 * signatures and their annotations, and the token helpers the statement
 * and expression parsers share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl_parse.h"
#include "program.h"

/* ---- token helpers ------------------------------------------------------ */

const struct kl_tok *ps_peek(const struct ps *p, size_t k)
{
	const struct kl_tok *t = &p->t[p->i];

	/* The token array ends with T_END: never look past it. */
	while (k-- && t->kind != T_END)
		t++;
	return t;
}

const struct kl_tok *ps_next(struct ps *p)
{
	const struct kl_tok *t = &p->t[p->i];

	if (t->kind != T_END)
		p->i++;
	return t;
}

int ps_is(const struct kl_tok *tok, const char *s)
{
	return (tok->kind == T_OP || tok->kind == T_NAME) &&
	       strlen(s) == tok->n && memcmp(tok->s, s, tok->n) == 0;
}

int ps_at(const struct ps *p, const char *s)
{
	return ps_is(ps_peek(p, 0), s);
}

int ps_accept(struct ps *p, const char *s)
{
	if (!ps_at(p, s))
		return 0;
	ps_next(p);
	return 1;
}

static const char *const keywords[] = {
	"False",  "None",     "True",  "and",	 "as",	     "assert",
	"async",  "await",    "break", "class",	 "continue", "def",
	"del",	  "elif",     "else",  "except", "finally",  "for",
	"from",	  "global",   "if",    "import", "in",	     "is",
	"lambda", "nonlocal", "not",   "or",	 "pass",     "raise",
	"return", "try",      "while", "with",	 "yield",
};

int ps_keyword(const struct kl_tok *tok)
{
	if (tok->kind != T_NAME)
		return 0;
	for (size_t k = 0; k < sizeof keywords / sizeof *keywords; k++)
		if (ps_is(tok, keywords[k]))
			return 1;
	return 0;
}

void ps_describe(const struct kl_tok *tok, char *buf, size_t size)
{
	switch (tok->kind) {
	case T_END:
		snprintf(buf, size, "end of input");
		return;
	case T_NEWLINE:
		snprintf(buf, size, "end of line");
		return;
	case T_INDENT:
		snprintf(buf, size, "indent");
		return;
	case T_DEDENT:
		snprintf(buf, size, "dedent");
		return;
	case T_STRING:
		snprintf(buf, size, "string literal");
		return;
	default:
		snprintf(buf, size, "'%.*s'", tok->n > 40 ? 40 : (int)tok->n,
			 tok->s);
		return;
	}
}

static enum atlas_status vfail(struct ps *p, uint32_t line, uint32_t col,
			       const char *fmt, va_list ap)
{
	char msg[sizeof p->err->msg];

	if (p->st != ATLAS_OK)
		return p->st;
	vsnprintf(msg, sizeof msg, fmt, ap);
	atlas_error_set(p->err, ATLAS_ERR_PARSE, line, col, "%s", msg);
	p->st = ATLAS_ERR_PARSE;
	return p->st;
}

enum atlas_status ps_fail(struct ps *p, const struct kl_tok *tok,
			  const char *fmt, ...)
{
	enum atlas_status st;
	va_list ap;

	va_start(ap, fmt);
	st = vfail(p, tok->line, tok->col, fmt, ap);
	va_end(ap);
	return st;
}

enum atlas_status ps_fail_at(struct ps *p, uint32_t line, uint32_t col,
			     const char *fmt, ...)
{
	enum atlas_status st;
	va_list ap;

	va_start(ap, fmt);
	st = vfail(p, line, col, fmt, ap);
	va_end(ap);
	return st;
}

enum atlas_status ps_nomem(struct ps *p)
{
	if (p->st == ATLAS_OK) {
		atlas_error_set(p->err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		p->st = ATLAS_ERR_NOMEM;
	}
	return p->st;
}

static void limit(struct ps *p, const struct kl_tok *tok, const char *msg)
{
	if (p->st == ATLAS_OK) {
		atlas_error_set(p->err, ATLAS_ERR_LIMIT, tok->line, tok->col,
				"%s", msg);
		p->st = ATLAS_ERR_LIMIT;
	}
}

int ps_enter(struct ps *p, const struct kl_tok *tok)
{
	if (p->depth < PS_MAX_DEPTH)
		return 0;
	limit(p, tok, "too deeply nested (the limit is 200 levels)");
	return -1;
}

int ps_chain(struct ps *p, const struct kl_tok *tok, size_t n)
{
	if (n <= PS_MAX_CHAIN)
		return 0;
	limit(p, tok,
	      "expression too long (the limit is 1000 operators "
	      "in a row)");
	return -1;
}

enum atlas_status ps_expected(struct ps *p, const char *what)
{
	char got[64];

	ps_describe(ps_peek(p, 0), got, sizeof got);
	return ps_fail(p, ps_peek(p, 0), "expected %s, got %s", what, got);
}

enum atlas_status ps_expect(struct ps *p, const char *s)
{
	char what[16];

	if (ps_accept(p, s))
		return ATLAS_OK;
	snprintf(what, sizeof what, "'%s'", s);
	return ps_expected(p, what);
}

char *ps_strdup(struct ps *p, const struct kl_tok *tok)
{
	char *s = malloc(tok->n + 1);

	if (!s) {
		ps_nomem(p);
		return NULL;
	}
	memcpy(s, tok->s, tok->n);
	s[tok->n] = '\0';
	return s;
}

/* ---- annotations -------------------------------------------------------- */

static const struct {
	const char *name;
	uint8_t type;
} scalar_types[] = {
	{"u8", ATLAS_U8},   {"u16", ATLAS_U16},	  {"u32", ATLAS_U32},
	{"u64", ATLAS_U64}, {"i8", ATLAS_I8},	  {"i16", ATLAS_I16},
	{"i32", ATLAS_I32}, {"i64", ATLAS_I64},	  {"f32", ATLAS_F32},
	{"f64", ATLAS_F64}, {"bool", KL_BOOL},	  {"usize", ATLAS_U64},
	{"int", ATLAS_I32}, {"float", ATLAS_F32},
};

static int scalar_type(const struct kl_tok *tok, uint8_t *t)
{
	if (tok->kind != T_NAME)
		return 0;
	for (size_t k = 0; k < sizeof scalar_types / sizeof *scalar_types; k++)
		if (ps_is(tok, scalar_types[k].name)) {
			*t = scalar_types[k].type;
			return 1;
		}
	return 0;
}

/*
 * The tokens of an annotation: up to a ',' or ')' or '=' (or ':' for a
 * return annotation) outside brackets.  Returns the count.
 */
static size_t annotation_len(const struct ps *p, int ret)
{
	int depth = 0;
	size_t k = 0;

	for (;; k++) {
		const struct kl_tok *t = ps_peek(p, k);

		if (t->kind == T_END || t->kind == T_NEWLINE)
			return k;
		if (depth == 0 && (ps_is(t, ",") || ps_is(t, "=") ||
				   (ret ? ps_is(t, ":") : ps_is(t, ")"))))
			return k;
		if (ps_is(t, "(") || ps_is(t, "[") || ps_is(t, "{"))
			depth++;
		else if (ps_is(t, ")") || ps_is(t, "]") || ps_is(t, "}"))
			depth--;
	}
}

/*
 * T, DeviceArray[T]; for a return annotation (ret), T or None.  The
 * tokens are consumed; 0 or -1.
 */
static int annotation(struct ps *p, int ret, struct kl_type *type)
{
	const struct kl_tok *t0 = ps_peek(p, 0);
	const size_t n = annotation_len(p, ret);
	int ok = 0;

	memset(type, 0, sizeof *type);
	if (n == 1 && ret && ps_is(t0, "None"))
		ok = 1;
	else if (n == 1)
		ok = scalar_type(t0, &type->elem);
	else if (n == 4 && !ret && ps_is(t0, "DeviceArray") &&
		 ps_is(ps_peek(p, 1), "[") && ps_is(ps_peek(p, 3), "]") &&
		 scalar_type(ps_peek(p, 2), &type->elem) &&
		 type->elem != KL_BOOL) {
		type->array = 1;
		ok = 1;
	}
	if (!ok) {
		const struct kl_tok *last = ps_peek(p, n ? n - 1 : 0);
		const size_t len = n ? (size_t)(last->s + last->n - t0->s) : 0;

		ps_fail(p, t0, "unsupported type annotation: %.*s",
			len > 80 ? 80 : (int)len, t0->s);
		return -1;
	}
	p->i += n;
	return 0;
}

/* ---- functions ---------------------------------------------------------- */

/* Decorators before a def: @atlas_kernel, @inline. */
static int decorators(struct ps *p, int *is_inline)
{
	while (ps_accept(p, "@")) {
		const struct kl_tok *t0 = ps_peek(p, 0);
		size_t n = 0;

		while (ps_peek(p, n)->kind != T_NEWLINE &&
		       ps_peek(p, n)->kind != T_END)
			n++;
		if (n == 1 && ps_is(t0, "inline")) {
			*is_inline = 1;
		} else if (!(n == 1 && ps_is(t0, "atlas_kernel"))) {
			const struct kl_tok *last = ps_peek(p, n ? n - 1 : 0);
			const size_t len =
				n ? (size_t)(last->s + last->n - t0->s) : 0;

			ps_fail(p, t0, "unknown decorator '%.*s'",
				len > 80 ? 80 : (int)len, t0->s);
			return -1;
		}
		p->i += n;
		if (ps_peek(p, 0)->kind == T_NEWLINE)
			ps_next(p);
	}
	return 0;
}

static int add_param(struct ps *p, struct kl_func *f, size_t *cap,
		     const struct kl_tok *name, const struct kl_type *type)
{
	struct kl_param *q;

	if (f->nparams == *cap) {
		const size_t ncap = *cap ? *cap * 2 : 8;

		q = realloc(f->params, ncap * sizeof *q);
		if (!q) {
			ps_nomem(p);
			return -1;
		}
		f->params = q;
		*cap = ncap;
	}
	q = &f->params[f->nparams];
	q->name = ps_strdup(p, name);
	if (!q->name)
		return -1;
	q->type = *type;
	q->line = name->line;
	q->col = name->col;
	f->nparams++;
	return ps_bind(p, name->s, name->n);
}

static int params(struct ps *p, struct kl_func *f, int is_inline)
{
	size_t cap = 0;

	if (ps_expect(p, "("))
		return -1;
	while (!ps_accept(p, ")")) {
		const struct kl_tok *name = ps_peek(p, 0);
		struct kl_type type = {0, ATLAS_F32};

		if (ps_is(name, "*") || ps_is(name, "**") || ps_is(name, "/")) {
			ps_fail(p, name, "'%.*s' parameters are not supported",
				(int)name->n, name->s);
			return -1;
		}
		if (name->kind != T_NAME || ps_keyword(name)) {
			ps_expected(p, "a parameter name");
			return -1;
		}
		if (ps_bound(p, name->s, name->n)) {
			ps_fail(p, name, "duplicate parameter '%.*s'",
				(int)name->n, name->s);
			return -1;
		}
		ps_next(p);
		if (ps_accept(p, ":")) {
			if (annotation(p, 0, &type))
				return -1;
		} else if (!is_inline) {
			ps_fail(p, name,
				"all kernel parameters must have type "
				"annotations");
			return -1;
		}
		if (ps_at(p, "=")) {
			ps_fail(p, ps_peek(p, 0),
				"default parameter values are not supported");
			return -1;
		}
		if (add_param(p, f, &cap, name, &type))
			return -1;
		if (!ps_accept(p, ",") && !ps_at(p, ")")) {
			ps_expected(p, "',' or ')'");
			return -1;
		}
	}
	return 0;
}

/* An @inline helper's body is one 'return value' (after a docstring). */
static int check_inline(struct ps *p, const struct kl_func *f,
			const struct kl_tok *name)
{
	const struct kl_stmt *bad = NULL;

	if (f->body.n == 1 && f->body.v[0]->kind == KS_RETURN &&
	    f->body.v[0]->value)
		return 0;
	for (size_t i = 0; i < f->body.n && !bad; i++)
		if (i > 0 || f->body.v[i]->kind != KS_RETURN ||
		    !f->body.v[i]->value)
			bad = f->body.v[i];
	if (bad)
		ps_fail_at(p, bad->line, bad->col,
			   "inline function %s must contain only a return "
			   "statement (excluding docstring)",
			   f->name);
	else
		ps_fail(p, name,
			"inline function %s must contain only a return "
			"statement (excluding docstring)",
			f->name);
	return -1;
}

static void func_release(struct kl_func *f)
{
	free(f->name);
	for (size_t k = 0; k < f->nparams; k++)
		free(f->params[k].name);
	free(f->params);
	kl_block_release(&f->body);
	free(f->doc);
	memset(f, 0, sizeof *f);
}

static int func_body(struct ps *p, struct kl_func *f, const struct kl_tok *name)
{
	struct kl_type ret;

	if (params(p, f, f->is_inline))
		return -1;
	if (ps_accept(p, "->") && annotation(p, 1, &ret))
		return -1;
	if (ps_expect(p, ":"))
		return -1;
	p->doc_ok = 1;
	p->doc = NULL;
	p->loops = 0;
	if (ps_suite(p, &f->body)) {
		free(p->doc);
		p->doc = NULL;
		return -1;
	}
	f->doc = p->doc;
	p->doc = NULL;
	return f->is_inline ? check_inline(p, f, name) : 0;
}

static int add_func(struct ps *p, struct kl_module *m, struct kl_func *f)
{
	if (m->nfuncs == m->cap) {
		const size_t ncap = m->cap ? m->cap * 2 : 8;
		struct kl_func *v = realloc(m->funcs, ncap * sizeof *v);

		if (!v) {
			ps_nomem(p);
			return -1;
		}
		m->funcs = v;
		m->cap = ncap;
	}
	m->funcs[m->nfuncs++] = *f;
	return 0;
}

static int funcdef(struct ps *p, struct kl_module *m)
{
	struct kl_func f;
	const struct kl_tok *def, *name;

	memset(&f, 0, sizeof f);
	if (decorators(p, &f.is_inline))
		return -1;
	def = ps_peek(p, 0);
	if (ps_is(def, "class") || ps_is(def, "async")) {
		ps_fail(p, def, "%s",
			ps_is(def, "class") ?
				"class definitions are not supported" :
				"'async' is not supported");
		return -1;
	}
	if (ps_expect(p, "def"))
		return -1;
	name = ps_peek(p, 0);
	if (name->kind != T_NAME || ps_keyword(name)) {
		ps_expected(p, "a function name");
		return -1;
	}
	ps_next(p);
	for (size_t i = 0; i < m->nfuncs; i++)
		if (strlen(m->funcs[i].name) == name->n &&
		    memcmp(m->funcs[i].name, name->s, name->n) == 0) {
			ps_fail(p, name, "duplicate function '%.*s'",
				(int)name->n, name->s);
			return -1;
		}
	f.line = def->line;
	f.col = def->col;
	p->nnames = 0;
	f.name = ps_strdup(p, name);
	if (!f.name || func_body(p, &f, name) || add_func(p, m, &f)) {
		func_release(&f);
		return -1;
	}
	return 0;
}

/* ---- imports ------------------------------------------------------------ */

/* A dotted module name, which must be atlas_kernel. */
static int module_name(struct ps *p)
{
	const struct kl_tok *t0 = ps_peek(p, 0);
	size_t n = 1;

	if (t0->kind != T_NAME || ps_keyword(t0)) {
		ps_expected(p, "a module name");
		return -1;
	}
	while (ps_is(ps_peek(p, n), ".") && ps_peek(p, n + 1)->kind == T_NAME)
		n += 2;
	if (n != 1 || !ps_is(t0, "atlas_kernel")) {
		const struct kl_tok *last = ps_peek(p, n - 1);

		ps_fail(p, t0, "only atlas_kernel can be imported, not '%.*s'",
			(int)(last->s + last->n - t0->s), t0->s);
		return -1;
	}
	p->i += n;
	return 0;
}

/* name [as name] */
static int import_as(struct ps *p)
{
	if (ps_peek(p, 0)->kind != T_NAME || ps_keyword(ps_peek(p, 0))) {
		ps_expected(p, "a name");
		return -1;
	}
	ps_next(p);
	if (ps_accept(p, "as")) {
		if (ps_peek(p, 0)->kind != T_NAME ||
		    ps_keyword(ps_peek(p, 0))) {
			ps_expected(p, "a name");
			return -1;
		}
		ps_next(p);
	}
	return 0;
}

/* from atlas_kernel import (*|names|(names)); import atlas_kernel */
static int import(struct ps *p)
{
	if (ps_accept(p, "import")) {
		do {
			if (module_name(p))
				return -1;
			if (ps_accept(p, "as") && import_as(p))
				return -1;
		} while (ps_accept(p, ","));
		return 0;
	}
	ps_next(p); /* from */
	if (ps_at(p, ".")) {
		ps_fail(p, ps_peek(p, 0), "relative imports are not supported");
		return -1;
	}
	if (module_name(p) || ps_expect(p, "import"))
		return -1;
	if (ps_accept(p, "*"))
		return 0;
	if (ps_accept(p, "(")) {
		do {
			if (ps_at(p, ")"))
				break;
			if (import_as(p))
				return -1;
		} while (ps_accept(p, ","));
		return ps_expect(p, ")") ? -1 : 0;
	}
	do {
		if (import_as(p))
			return -1;
	} while (ps_accept(p, ","));
	return 0;
}

/* ---- the module --------------------------------------------------------- */

static int top_stmt(struct ps *p, struct kl_module *m, int first)
{
	const struct kl_tok *tok = ps_peek(p, 0);

	if (tok->kind == T_INDENT) {
		ps_fail(p, tok, "unexpected indent");
		return -1;
	}
	if (ps_is(tok, "@") || ps_is(tok, "def"))
		return funcdef(p, m);
	if (ps_is(tok, "class") || ps_is(tok, "async")) {
		ps_fail(p, tok, "%s",
			ps_is(tok, "class") ?
				"class definitions are not supported" :
				"'async' is not supported");
		return -1;
	}
	if (ps_is(tok, "import") || ps_is(tok, "from")) {
		if (import(p))
			return -1;
	} else if (first && tok->kind == T_STRING) {
		/* The module's docstring. */
		while (ps_peek(p, 0)->kind == T_STRING)
			ps_next(p);
	} else {
		ps_fail(p, tok,
			"only imports and function definitions are allowed "
			"at module level");
		return -1;
	}
	if (ps_accept(p, ";") && ps_peek(p, 0)->kind != T_NEWLINE)
		return 0;
	if (ps_peek(p, 0)->kind == T_NEWLINE) {
		ps_next(p);
		return 0;
	}
	ps_expected(p, "end of line");
	return -1;
}

enum atlas_status kl_parse_python(const char *text, size_t len,
				  struct kl_module **out,
				  struct atlas_error *err)
{
	struct kl_toks toks;
	struct kl_module *m;
	struct ps p;
	enum atlas_status st;

	*out = NULL;
	st = kl_lex(text, len, &toks, err);
	if (st != ATLAS_OK)
		return st;
	m = calloc(1, sizeof *m);
	memset(&p, 0, sizeof p);
	p.t = toks.v;
	p.err = err;
	if (!m)
		ps_nomem(&p);
	for (int first = 1; m && ps_peek(&p, 0)->kind != T_END; first = 0) {
		if (ps_peek(&p, 0)->kind == T_NEWLINE) {
			ps_next(&p);
			continue;
		}
		if (top_stmt(&p, m, first))
			break;
	}
	free(p.names);
	kl_toks_release(&toks);
	if (p.st != ATLAS_OK) {
		kl_module_free(m);
		return p.st;
	}
	*out = m;
	return ATLAS_OK;
}
