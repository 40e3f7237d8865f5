/*
 * kl_parse_expr.c - expressions of the Python kernel language, by
 * recursive descent in Python's precedence order (lowest first):
 *
 *   a if c else b, or, and, not, comparisons (chains become 'and' of
 *   comparisons), |, ^, &, << >>, + -, * / // %, unary + - ~, ** (right
 *   associative, binding tighter than a unary operator on its left),
 *   calls name(args), subscripts name[index], atoms.
 *
 * Whatever Python has beyond this is an error at its token.
 */
#include <stdlib.h>
#include <string.h>

#include "kl_parse.h"

static struct kl_expr *new_expr(struct ps *p, enum kl_expr_kind k,
				uint32_t line, uint32_t col)
{
	struct kl_expr *e = kl_expr_new(k, line, col);

	if (!e)
		ps_nomem(p);
	return e;
}

/* A binary node over a and b (both freed on failure), at a's place. */
static struct kl_expr *binary(struct ps *p, int op, struct kl_expr *a,
			      struct kl_expr *b)
{
	struct kl_expr *e;

	if (!a || !b) {
		kl_expr_free(a);
		kl_expr_free(b);
		return NULL;
	}
	e = new_expr(p, KE_BINARY, a->line, a->col);
	if (!e) {
		kl_expr_free(a);
		kl_expr_free(b);
		return NULL;
	}
	e->op = op;
	e->a = a;
	e->b = b;
	return e;
}

static struct kl_expr *fail_null(struct ps *p, const struct kl_tok *tok,
				 const char *msg)
{
	ps_fail(p, tok, "%s", msg);
	return NULL;
}

/* ---- atoms and trailers ------------------------------------------------- */

/* Adjacent string literals, concatenated as Python does. */
static struct kl_expr *strings(struct ps *p)
{
	const struct kl_tok *tok = ps_next(p);
	struct kl_expr *e = new_expr(p, KE_STRING, tok->line, tok->col);
	size_t len = strlen(tok->str);

	if (!e)
		return NULL;
	e->str = malloc(len + 1);
	if (!e->str)
		goto nomem;
	memcpy(e->str, tok->str, len + 1);
	while (ps_peek(p, 0)->kind == T_STRING) {
		const char *more = ps_next(p)->str;
		const size_t m = strlen(more);
		char *s = realloc(e->str, len + m + 1);

		if (!s)
			goto nomem;
		memcpy(s + len, more, m + 1);
		e->str = s;
		len += m;
	}
	return e;
nomem:
	kl_expr_free(e);
	ps_nomem(p);
	return NULL;
}

static struct kl_expr *paren(struct ps *p)
{
	const struct kl_tok *open = ps_next(p);
	struct kl_expr *e;

	if (ps_at(p, ")"))
		return fail_null(p, open, "tuples are not supported");
	e = ps_expr_any(p);
	if (!e)
		return NULL;
	if (ps_at(p, ",")) {
		kl_expr_free(e);
		return fail_null(p, ps_peek(p, 0), "tuples are not supported");
	}
	if (ps_at(p, "for")) {
		kl_expr_free(e);
		return fail_null(p, ps_peek(p, 0),
				 "comprehensions are not supported");
	}
	if (ps_expect(p, ")")) {
		kl_expr_free(e);
		return NULL;
	}
	return e;
}

/* Keywords with a message of their own where an expression starts. */
static const char *const kw_msgs[][2] = {
	{"None", "None is not supported"},
	{"lambda", "lambda expressions are not supported"},
	{"yield", "'yield' is not supported"},
	{"await", "'await' is not supported"},
};

static struct kl_expr *name_atom(struct ps *p)
{
	const struct kl_tok *tok = ps_peek(p, 0);
	struct kl_expr *e;

	if (ps_is(tok, "True") || ps_is(tok, "False")) {
		ps_next(p);
		e = new_expr(p, KE_BOOL, tok->line, tok->col);
		if (e)
			e->ival = ps_is(tok, "True");
		return e;
	}
	for (size_t k = 0; k < sizeof kw_msgs / sizeof *kw_msgs; k++)
		if (ps_is(tok, kw_msgs[k][0]))
			return fail_null(p, tok, kw_msgs[k][1]);
	if (ps_keyword(tok)) {
		ps_expected(p, "an expression");
		return NULL;
	}
	ps_next(p);
	e = new_expr(p, KE_VAR, tok->line, tok->col);
	if (e && !(e->name = ps_strdup(p, tok))) {
		kl_expr_free(e);
		return NULL;
	}
	return e;
}

static struct kl_expr *atom(struct ps *p)
{
	const struct kl_tok *tok = ps_peek(p, 0);
	struct kl_expr *e;

	switch (tok->kind) {
	case T_NAME:
		return name_atom(p);
	case T_INT:
	case T_FLOAT:
		ps_next(p);
		e = new_expr(p, tok->kind == T_INT ? KE_INT : KE_FLOAT,
			     tok->line, tok->col);
		if (e) {
			e->ival = tok->ival;
			e->fval = tok->fval;
		}
		return e;
	case T_STRING:
		return strings(p);
	default:
		break;
	}
	if (ps_is(tok, "("))
		return paren(p);
	if (ps_is(tok, "["))
		return fail_null(p, tok, "list literals are not supported");
	if (ps_is(tok, "{"))
		return fail_null(p, tok,
				 "dict and set literals are not supported");
	if (ps_is(tok, "..."))
		return fail_null(p, tok, "ellipsis is not supported");
	if (ps_is(tok, "*") || ps_is(tok, "**"))
		return fail_null(p, tok, "star expressions are not supported");
	ps_expected(p, "an expression");
	return NULL;
}

/* The parallel_* intrinsics: argument count and the operation's place. */
static const struct {
	const char *name;
	size_t nargs, op;
} parallel[] = {
	{"parallel_map_unary", 4, 2},
	{"parallel_map_binary", 5, 3},
	{"parallel_reduce", 4, 2},
};

static int check_parallel(struct ps *p, const struct kl_expr *call,
			  const struct kl_tok *at)
{
	for (size_t k = 0; k < sizeof parallel / sizeof *parallel; k++) {
		const struct kl_expr *op;

		if (strcmp(call->name, parallel[k].name) != 0)
			continue;
		if (call->nargs != parallel[k].nargs) {
			ps_fail(p, at, "%s requires %zu arguments, got %zu",
				call->name, parallel[k].nargs, call->nargs);
			return -1;
		}
		op = call->args[parallel[k].op];
		if (op->kind != KE_STRING) {
			ps_fail_at(p, op->line, op->col,
				   "%s operation must be a string literal",
				   call->name);
			return -1;
		}
	}
	return 0;
}

/* The arguments of a call, after its '('. */
static int call_args(struct ps *p, struct kl_expr *call)
{
	while (!ps_accept(p, ")")) {
		const struct kl_tok *tok = ps_peek(p, 0);
		struct kl_expr *a;

		if (ps_is(tok, "*") || ps_is(tok, "**")) {
			ps_fail(p, tok, "star arguments are not supported");
			return -1;
		}
		if (tok->kind == T_NAME && ps_is(ps_peek(p, 1), "=")) {
			ps_fail(p, tok, "keyword arguments are not supported");
			return -1;
		}
		a = ps_expr_any(p);
		if (!a)
			return -1;
		if (kl_call_push(call, a)) {
			kl_expr_free(a);
			ps_nomem(p);
			return -1;
		}
		if (ps_at(p, "for")) {
			ps_fail(p, ps_peek(p, 0),
				"comprehensions are not supported");
			return -1;
		}
		if (!ps_accept(p, ",") && !ps_at(p, ")")) {
			ps_expected(p, "',' or ')'");
			return -1;
		}
	}
	return 0;
}

/* name(args): base is the KE_VAR of the name; it becomes the call. */
static struct kl_expr *call(struct ps *p, struct kl_expr *base)
{
	const struct kl_tok *at = ps_next(p); /* '(' */

	base->kind = KE_CALL;
	if (call_args(p, base) || check_parallel(p, base, at)) {
		kl_expr_free(base);
		return NULL;
	}
	return base;
}

static struct kl_expr *subscript(struct ps *p, struct kl_expr *base)
{
	const struct kl_tok *open = ps_next(p);
	struct kl_expr *e, *idx = NULL;

	if (base->kind == KE_INDEX) {
		ps_fail(p, open, "chained subscripts are not supported");
		goto fail;
	}
	if (base->kind != KE_VAR) {
		ps_fail(p, open, "only a name can be indexed");
		goto fail;
	}
	if (ps_at(p, ":")) {
		ps_fail(p, ps_peek(p, 0), "slices are not supported");
		goto fail;
	}
	idx = ps_expr_any(p);
	if (!idx)
		goto fail;
	if (ps_at(p, ":")) {
		ps_fail(p, ps_peek(p, 0), "slices are not supported");
		goto fail;
	}
	if (ps_at(p, ",")) {
		ps_fail(p, ps_peek(p, 0),
			"multi-dimensional subscripts are not supported");
		goto fail;
	}
	if (ps_expect(p, "]"))
		goto fail;
	e = new_expr(p, KE_INDEX, base->line, base->col);
	if (!e)
		goto fail;
	e->a = base;
	e->b = idx;
	return e;
fail:
	kl_expr_free(base);
	kl_expr_free(idx);
	return NULL;
}

static struct kl_expr *primary(struct ps *p)
{
	const int bare = ps_peek(p, 0)->kind == T_NAME;
	struct kl_expr *e = atom(p);

	for (int callable = bare && e && e->kind == KE_VAR; e; callable = 0) {
		const struct kl_tok *tok = ps_peek(p, 0);

		if (ps_is(tok, "(")) {
			if (!callable) {
				kl_expr_free(e);
				return fail_null(
					p, tok,
					"only named functions can be called");
			}
			e = call(p, e);
		} else if (ps_is(tok, "[")) {
			e = subscript(p, e);
		} else if (ps_is(tok, ".")) {
			kl_expr_free(e);
			return fail_null(p, tok,
					 "attribute access is not supported");
		} else {
			break;
		}
	}
	return e;
}

/* ---- operators ---------------------------------------------------------- */

static struct kl_expr *factor(struct ps *p);

static struct kl_expr *power(struct ps *p)
{
	struct kl_expr *e = primary(p), *b;

	if (!e || !ps_at(p, "**"))
		return e;
	if (ps_enter(p, ps_peek(p, 0))) {
		kl_expr_free(e);
		return NULL;
	}
	ps_next(p);
	p->depth++;
	b = factor(p);
	p->depth--;
	return binary(p, KB_POW, e, b);
}

static struct kl_expr *factor(struct ps *p)
{
	static const char *const ops[] = {"+", "-", "~"};
	static const int uops[] = {KU_POS, KU_NEG, KU_INV};
	const struct kl_tok *tok = ps_peek(p, 0);

	for (size_t k = 0; k < 3; k++) {
		struct kl_expr *e, *a;

		if (!ps_is(tok, ops[k]))
			continue;
		if (ps_enter(p, tok))
			return NULL;
		ps_next(p);
		p->depth++;
		a = factor(p);
		p->depth--;
		if (!a)
			return NULL;
		e = new_expr(p, KE_UNARY, tok->line, tok->col);
		if (!e) {
			kl_expr_free(a);
			return NULL;
		}
		e->op = uops[k];
		e->a = a;
		return e;
	}
	return power(p);
}

/* Left-associative levels, from the loosest (|) to the tightest (*). */
static const struct level {
	const char *ops[4];
	int kl[4];
} levels[] = {
	{{"|"}, {KB_BIT_OR}},
	{{"^"}, {KB_BIT_XOR}},
	{{"&"}, {KB_BIT_AND}},
	{{"<<", ">>"}, {KB_SHL, KB_SHR}},
	{{"+", "-"}, {KB_ADD, KB_SUB}},
	{{"*", "/", "//", "%"}, {KB_MUL, KB_DIV, KB_FLOOR_DIV, KB_MOD}},
};
#define NLEVELS (sizeof levels / sizeof *levels)

static struct kl_expr *level(struct ps *p, size_t lv)
{
	struct kl_expr *e;

	if (lv == NLEVELS)
		return factor(p);
	e = level(p, lv + 1);
	for (size_t n = 1; e; n++) {
		const struct kl_tok *tok = ps_peek(p, 0);
		size_t k;

		if (lv == NLEVELS - 1 && ps_is(tok, "@")) {
			kl_expr_free(e);
			return fail_null(p, tok,
					 "the '@' operator is not supported");
		}
		for (k = 0; k < 4 && levels[lv].ops[k]; k++)
			if (ps_is(tok, levels[lv].ops[k]))
				break;
		if (k == 4 || !levels[lv].ops[k])
			break;
		if (ps_chain(p, tok, n)) {
			kl_expr_free(e);
			return NULL;
		}
		ps_next(p);
		e = binary(p, levels[lv].kl[k], e, level(p, lv + 1));
	}
	return e;
}

/* A comparison operator at the current token: its KB_, or -1. */
static int comparison_op(struct ps *p)
{
	static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};
	static const int kl[] = {KB_LT, KB_LE, KB_GT, KB_GE, KB_EQ, KB_NE};
	const struct kl_tok *tok = ps_peek(p, 0);

	for (size_t k = 0; k < 6; k++)
		if (ps_is(tok, ops[k]))
			return kl[k];
	if (ps_is(tok, "in") ||
	    (ps_is(tok, "not") && ps_is(ps_peek(p, 1), "in"))) {
		ps_fail(p, tok, "the 'in' operator is not supported");
		return -2;
	}
	if (ps_is(tok, "is")) {
		ps_fail(p, tok, "the 'is' operator is not supported");
		return -2;
	}
	return -1;
}

/* a < b < c is (a < b) and (b < c), with b copied. */
static struct kl_expr *comparison(struct ps *p)
{
	struct kl_expr *left = level(p, 0), *acc = NULL;
	size_t n = 0;
	int op;

	while (left && (op = comparison_op(p)) != -1) {
		struct kl_expr *right, *next = NULL, *cmp;

		if (op == -2 || ps_chain(p, ps_peek(p, 0), ++n))
			goto fail;
		ps_next(p);
		right = level(p, 0);
		if (!right)
			goto fail;
		if (comparison_op(p) != -1) {
			next = kl_expr_copy(right);
			if (!next) {
				kl_expr_free(right);
				ps_nomem(p);
				goto fail;
			}
		}
		cmp = binary(p, op, left, right);
		left = next;
		if (!cmp)
			goto fail;
		acc = acc ? binary(p, KB_AND, acc, cmp) : cmp;
		if (!acc)
			goto fail;
		if (!left)
			return acc;
	}
	if (!left)
		goto fail;
	return left;
fail:
	kl_expr_free(left);
	kl_expr_free(acc);
	return NULL;
}

static struct kl_expr *not_test(struct ps *p)
{
	const struct kl_tok *tok = ps_peek(p, 0);
	struct kl_expr *e, *a;

	if (!ps_is(tok, "not"))
		return comparison(p);
	if (ps_enter(p, tok))
		return NULL;
	ps_next(p);
	p->depth++;
	a = not_test(p);
	p->depth--;
	if (!a)
		return NULL;
	e = new_expr(p, KE_UNARY, tok->line, tok->col);
	if (!e) {
		kl_expr_free(a);
		return NULL;
	}
	e->op = KU_NOT;
	e->a = a;
	return e;
}

static struct kl_expr *and_test(struct ps *p)
{
	struct kl_expr *e = not_test(p);

	for (size_t n = 1; e && ps_at(p, "and"); n++) {
		if (ps_chain(p, ps_peek(p, 0), n)) {
			kl_expr_free(e);
			return NULL;
		}
		ps_next(p);
		e = binary(p, KB_AND, e, not_test(p));
	}
	return e;
}

static struct kl_expr *or_test(struct ps *p)
{
	struct kl_expr *e = and_test(p);

	for (size_t n = 1; e && ps_at(p, "or"); n++) {
		if (ps_chain(p, ps_peek(p, 0), n)) {
			kl_expr_free(e);
			return NULL;
		}
		ps_next(p);
		e = binary(p, KB_OR, e, and_test(p));
	}
	return e;
}

static struct kl_expr *test(struct ps *p);

struct kl_expr *ps_expr_any(struct ps *p)
{
	struct kl_expr *e;

	if (ps_enter(p, ps_peek(p, 0)))
		return NULL;
	p->depth++;
	e = test(p);
	p->depth--;
	return e;
}

static struct kl_expr *test(struct ps *p)
{
	struct kl_expr *e, *c, *b, *r;

	if (ps_at(p, "lambda"))
		return fail_null(p, ps_peek(p, 0),
				 "lambda expressions are not supported");
	e = or_test(p);
	if (e && ps_accept(p, "if")) {
		c = or_test(p);
		if (!c || ps_expect(p, "else")) {
			kl_expr_free(c);
			kl_expr_free(e);
			return NULL;
		}
		b = ps_expr_any(p);
		if (!b) {
			kl_expr_free(c);
			kl_expr_free(e);
			return NULL;
		}
		r = new_expr(p, KE_IFEXPR, e->line, e->col);
		if (!r) {
			kl_expr_free(b);
			kl_expr_free(c);
			kl_expr_free(e);
			return NULL;
		}
		r->a = e;
		r->b = b;
		r->c = c;
		e = r;
	}
	if (e && ps_at(p, ":=")) {
		kl_expr_free(e);
		return fail_null(p, ps_peek(p, 0),
				 "assignment expressions are not supported");
	}
	return e;
}

/* The first string in e outside a call's argument list, or NULL. */
static const struct kl_expr *stray_string(const struct kl_expr *e)
{
	const struct kl_expr *s = NULL;

	if (!e)
		return NULL;
	if (e->kind == KE_STRING)
		return e;
	if (e->kind == KE_CALL) {
		for (size_t i = 0; i < e->nargs && !s; i++)
			if (e->args[i]->kind != KE_STRING)
				s = stray_string(e->args[i]);
		return s;
	}
	s = stray_string(e->a);
	if (!s)
		s = stray_string(e->c);
	if (!s)
		s = stray_string(e->b);
	return s;
}

int ps_check_strings(struct ps *p, const struct kl_expr *e)
{
	const struct kl_expr *s = stray_string(e);

	if (!s)
		return 0;
	ps_fail_at(p, s->line, s->col,
		   "string literals are only allowed as call arguments");
	return -1;
}

struct kl_expr *ps_expr(struct ps *p)
{
	struct kl_expr *e = ps_expr_any(p);

	if (e && ps_check_strings(p, e)) {
		kl_expr_free(e);
		return NULL;
	}
	return e;
}
