/*
 * kl_parse_stmt.c - statements of the Python kernel language: assignment
 * (the first binding of a name in a function is a let, later ones
 * assignments, as the original's one "declared_vars" set per function
 * does), augmented assignment, if/elif/else, for over range(), while,
 * break, continue, return, pass, call statements, and the docstring.
 */
#include <stdlib.h>
#include <string.h>

#include "kl_parse.h"

/* ---- names bound in the function ---------------------------------------- */

int ps_bound(const struct ps *p, const char *s, size_t n)
{
	for (size_t i = 0; i < p->nnames; i++)
		if (p->names[i].n == n && memcmp(p->names[i].s, s, n) == 0)
			return 1;
	return 0;
}

int ps_bind(struct ps *p, const char *s, size_t n)
{
	if (ps_bound(p, s, n))
		return 0;
	if (p->nnames == p->names_cap) {
		const size_t ncap = p->names_cap ? p->names_cap * 2 : 16;
		struct kl_name *v = realloc(p->names, ncap * sizeof *v);

		if (!v) {
			ps_nomem(p);
			return -1;
		}
		p->names = v;
		p->names_cap = ncap;
	}
	p->names[p->nnames].s = s;
	p->names[p->nnames++].n = n;
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static struct kl_stmt *new_stmt(struct ps *p, enum kl_stmt_kind k,
				uint32_t line, uint32_t col)
{
	struct kl_stmt *s = kl_stmt_new(k, line, col);

	if (!s)
		ps_nomem(p);
	return s;
}

/* Append s to b (s freed on failure); 0 or -1. */
static int push(struct ps *p, struct kl_block *b, struct kl_stmt *s)
{
	if (!s)
		return -1;
	if (kl_block_push(b, s)) {
		kl_stmt_free(s);
		ps_nomem(p);
		return -1;
	}
	return 0;
}

static int fail(struct ps *p, const struct kl_tok *tok, const char *msg)
{
	ps_fail(p, tok, "%s", msg);
	return -1;
}

static int end_of_simple(const struct ps *p)
{
	const struct kl_tok *tok = ps_peek(p, 0);

	return tok->kind == T_NEWLINE || tok->kind == T_END || ps_is(tok, ";");
}

static const char *const compound_kw[] = {"if",	   "elif", "else",  "for",
					  "while", "def",  "class", "with",
					  "try",   "async"};

/* Keywords that start a statement the language does not have. */
static const char *const refused_kw[][2] = {
	{"global", "'global' statements are not supported"},
	{"nonlocal", "'nonlocal' statements are not supported"},
	{"del", "'del' statements are not supported"},
	{"assert", "'assert' statements are not supported"},
	{"raise", "'raise' statements are not supported"},
	{"yield", "'yield' is not supported"},
	{"import", "imports are only allowed at module level"},
	{"from", "imports are only allowed at module level"},
	{"with", "'with' statements are not supported"},
	{"try", "'try' statements are not supported"},
	{"async", "'async' is not supported"},
	{"class", "class definitions are not supported"},
	{"def", "nested functions are not supported"},
	{"@", "nested functions are not supported"},
};

/* ---- assignment and expression statements ------------------------------- */

static const char *const aug_ops[] = {"+=",  "-=", "*=", "/=", "//=", "%=",
				      "**=", "&=", "|=", "^=", "<<=", ">>="};
static const int aug_kl[] = {KB_ADD,	   KB_SUB,     KB_MUL, KB_DIV,
			     KB_FLOOR_DIV, KB_MOD,     KB_POW, KB_BIT_AND,
			     KB_BIT_OR,	   KB_BIT_XOR, KB_SHL, KB_SHR};

static int valid_target(struct ps *p, const struct kl_expr *t)
{
	if (t->kind != KE_VAR && t->kind != KE_INDEX) {
		ps_fail_at(p, t->line, t->col, "invalid assignment target");
		return 0;
	}
	return ps_check_strings(p, t) == 0;
}

/* x = e: a let on the first binding of x, else an assignment. */
static struct kl_stmt *assignment(struct ps *p, struct kl_expr *target)
{
	struct kl_expr *value;
	struct kl_stmt *s;

	ps_next(p); /* '=' */
	value = ps_expr(p);
	if (!value)
		goto fail;
	if (ps_at(p, "=")) {
		ps_fail(p, ps_peek(p, 0),
			"multiple assignment targets are not supported");
		goto fail;
	}
	if (ps_at(p, ",")) {
		ps_fail(p, ps_peek(p, 0), "tuples are not supported");
		goto fail;
	}
	if (target->kind == KE_VAR &&
	    !ps_bound(p, target->name, strlen(target->name))) {
		s = new_stmt(p, KS_LET, target->line, target->col);
		if (!s || ps_bind(p, target->name, strlen(target->name)))
			goto fail_s;
		s->name = target->name;
		target->name = NULL;
		kl_expr_free(target);
	} else {
		s = new_stmt(p, KS_ASSIGN, target->line, target->col);
		if (!s)
			goto fail;
		s->target = target;
	}
	s->value = value;
	return s;
fail_s:
	kl_stmt_free(s);
fail:
	kl_expr_free(target);
	kl_expr_free(value);
	return NULL;
}

/* x op= e: x = x op e, with the target copied. */
static struct kl_stmt *augmented(struct ps *p, struct kl_expr *target, int op)
{
	struct kl_expr *value = NULL, *copy = NULL, *bin = NULL;
	struct kl_stmt *s;

	ps_next(p);
	value = ps_expr(p);
	if (!value)
		goto fail;
	copy = kl_expr_copy(target);
	bin = kl_expr_new(KE_BINARY, target->line, target->col);
	s = new_stmt(p, KS_ASSIGN, target->line, target->col);
	if (!copy || !bin || !s) {
		kl_stmt_free(s);
		ps_nomem(p);
		goto fail;
	}
	bin->op = op;
	bin->a = copy;
	bin->b = value;
	s->target = target;
	s->value = bin;
	return s;
fail:
	kl_expr_free(target);
	kl_expr_free(value);
	kl_expr_free(copy);
	kl_expr_free(bin);
	return NULL;
}

/* After a ',' at the top of a statement: tuple or several targets? */
static int tuple_error(struct ps *p)
{
	const struct kl_tok *comma = ps_peek(p, 0);
	int depth = 0;

	for (size_t k = 0;; k++) {
		const struct kl_tok *t = ps_peek(p, k);

		if (t->kind == T_NEWLINE || t->kind == T_END ||
		    (depth == 0 && ps_is(t, ";")))
			break;
		if (ps_is(t, "(") || ps_is(t, "["))
			depth++;
		else if (ps_is(t, ")") || ps_is(t, "]"))
			depth--;
		else if (depth == 0 && ps_is(t, "="))
			return fail(p, comma,
				    "multiple assignment targets are not "
				    "supported");
	}
	return fail(p, comma, "tuples are not supported");
}

/* A statement that starts with an expression. */
static int expr_stmt(struct ps *p, struct kl_block *b, int doc_ok)
{
	const struct kl_tok *first = ps_peek(p, 0);
	struct kl_expr *e = ps_expr_any(p);
	const struct kl_tok *tok;
	struct kl_stmt *s;

	if (!e)
		return -1;
	tok = ps_peek(p, 0);
	if (ps_is(tok, "=")) {
		if (!valid_target(p, e)) {
			kl_expr_free(e);
			return -1;
		}
		return push(p, b, assignment(p, e));
	}
	for (size_t k = 0; k < sizeof aug_ops / sizeof *aug_ops; k++)
		if (ps_is(tok, aug_ops[k])) {
			if (!valid_target(p, e)) {
				kl_expr_free(e);
				return -1;
			}
			return push(p, b, augmented(p, e, aug_kl[k]));
		}
	if (ps_is(tok, "@=")) {
		kl_expr_free(e);
		return fail(p, tok, "the '@' operator is not supported");
	}
	if (ps_is(tok, ":")) {
		kl_expr_free(e);
		return fail(p, tok, "annotated assignments are not supported");
	}
	if (ps_is(tok, ",")) {
		kl_expr_free(e);
		return tuple_error(p);
	}
	if (e->kind == KE_STRING && doc_ok && end_of_simple(p)) {
		p->doc = e->str;
		e->str = NULL;
		kl_expr_free(e);
		return 0;
	}
	if (e->kind == KE_STRING) {
		kl_expr_free(e);
		return fail(p, first,
			    "a docstring must be the first statement of a "
			    "function");
	}
	if (e->kind != KE_CALL) {
		ps_fail_at(p, e->line, e->col,
			   "only calls can be used as statements");
		kl_expr_free(e);
		return -1;
	}
	if (ps_check_strings(p, e)) {
		kl_expr_free(e);
		return -1;
	}
	s = new_stmt(p, KS_EXPR, e->line, e->col);
	if (!s) {
		kl_expr_free(e);
		return -1;
	}
	s->value = e;
	return push(p, b, s);
}

/* ---- simple statements -------------------------------------------------- */

static int simple(struct ps *p, struct kl_block *b)
{
	const struct kl_tok *tok = ps_peek(p, 0);
	const int doc_ok = p->doc_ok;
	struct kl_stmt *s;

	p->doc_ok = 0;
	if (ps_accept(p, "pass"))
		return 0;
	if (ps_is(tok, "break") || ps_is(tok, "continue")) {
		const int brk = ps_is(tok, "break");

		if (!p->loops)
			return fail(p, tok,
				    brk ? "'break' outside loop" :
					  "'continue' not properly in loop");
		ps_next(p);
		return push(p, b,
			    new_stmt(p, brk ? KS_BREAK : KS_CONTINUE, tok->line,
				     tok->col));
	}
	if (ps_is(tok, "return")) {
		ps_next(p);
		s = new_stmt(p, KS_RETURN, tok->line, tok->col);
		if (!s)
			return -1;
		if (!end_of_simple(p)) {
			s->value = ps_expr(p);
			if (!s->value) {
				kl_stmt_free(s);
				return -1;
			}
			if (ps_at(p, ",")) {
				kl_stmt_free(s);
				return fail(p, ps_peek(p, 0),
					    "tuples are not supported");
			}
		}
		return push(p, b, s);
	}
	for (size_t k = 0; k < sizeof refused_kw / sizeof *refused_kw; k++)
		if (ps_is(tok, refused_kw[k][0]))
			return fail(p, tok, refused_kw[k][1]);
	for (size_t k = 0; k < sizeof compound_kw / sizeof *compound_kw; k++)
		if (ps_is(tok, compound_kw[k])) {
			ps_expected(p, "a simple statement");
			return -1;
		}
	return expr_stmt(p, b, doc_ok);
}

/* simple (';' simple)* [';'] NEWLINE */
static int simple_stmts(struct ps *p, struct kl_block *b)
{
	for (;;) {
		if (simple(p, b))
			return -1;
		if (ps_accept(p, ";")) {
			if (ps_peek(p, 0)->kind != T_NEWLINE)
				continue;
		}
		if (ps_peek(p, 0)->kind == T_END)
			return 0;
		if (ps_peek(p, 0)->kind != T_NEWLINE) {
			ps_expected(p, "end of line");
			return -1;
		}
		ps_next(p);
		return 0;
	}
}

/* ---- compound statements ------------------------------------------------ */

static int stmt(struct ps *p, struct kl_block *b);

int ps_suite(struct ps *p, struct kl_block *b)
{
	if (ps_peek(p, 0)->kind != T_NEWLINE)
		return simple_stmts(p, b);
	ps_next(p);
	if (ps_peek(p, 0)->kind != T_INDENT)
		return fail(p, ps_peek(p, 0), "expected an indented block");
	ps_next(p);
	while (ps_peek(p, 0)->kind != T_DEDENT && ps_peek(p, 0)->kind != T_END)
		if (stmt(p, b))
			return -1;
	if (ps_peek(p, 0)->kind == T_DEDENT)
		ps_next(p);
	return 0;
}

/* ':' and the suite after it. */
static int colon_suite(struct ps *p, struct kl_block *b)
{
	if (ps_expect(p, ":"))
		return -1;
	return ps_suite(p, b);
}

/* if / elif: the keyword is current. */
static int if_stmt(struct ps *p, struct kl_block *b)
{
	const struct kl_tok *tok = ps_next(p);
	struct kl_stmt *s = new_stmt(p, KS_IF, tok->line, tok->col);

	if (!s)
		return -1;
	s->value = ps_expr(p);
	if (!s->value || colon_suite(p, &s->body))
		goto fail;
	if (ps_at(p, "elif")) {
		int r;

		s->has_else = 1;
		if (ps_enter(p, ps_peek(p, 0)))
			goto fail;
		p->depth++;
		r = if_stmt(p, &s->orelse);
		p->depth--;
		if (r)
			goto fail;
	} else if (ps_accept(p, "else")) {
		s->has_else = 1;
		if (colon_suite(p, &s->orelse))
			goto fail;
	}
	return push(p, b, s);
fail:
	kl_stmt_free(s);
	return -1;
}

/* 'else' after a loop's body is refused. */
static int loop_else(struct ps *p)
{
	if (ps_at(p, "else"))
		return fail(p, ps_peek(p, 0),
			    "'else' after a loop is not supported");
	return 0;
}

static int loop_body(struct ps *p, struct kl_stmt *s)
{
	int r;

	p->loops++;
	r = colon_suite(p, &s->body);
	p->loops--;
	return r ? r : loop_else(p);
}

static struct kl_expr *int_lit(struct ps *p, const struct kl_expr *at,
			       uint64_t v)
{
	struct kl_expr *e = kl_expr_new(KE_INT, at->line, at->col);

	if (!e)
		ps_nomem(p);
	else
		e->ival = v;
	return e;
}

/* range(stop), range(start, stop), range(start, stop, step) into s. */
static int range_args(struct ps *p, struct kl_stmt *s, struct kl_expr *it)
{
	if (it->kind != KE_CALL || strcmp(it->name, "range") != 0) {
		ps_fail_at(p, it->line, it->col,
			   "only 'for' loops over range() are supported");
		return -1;
	}
	if (it->nargs < 1 || it->nargs > 3) {
		ps_fail_at(p, it->line, it->col, "invalid range() call");
		return -1;
	}
	for (size_t i = 0; i < it->nargs; i++)
		if (it->args[i]->kind == KE_STRING) {
			ps_fail_at(p, it->args[i]->line, it->args[i]->col,
				   "invalid range() call");
			return -1;
		}
	if (it->nargs == 1) {
		s->stop = it->args[0];
		s->start = int_lit(p, it, 0);
	} else {
		s->start = it->args[0];
		s->stop = it->args[1];
	}
	s->step = it->nargs == 3 ? it->args[2] : int_lit(p, it, 1);
	it->nargs = 0;
	return s->start && s->step ? 0 : -1;
}

static int for_stmt(struct ps *p, struct kl_block *b)
{
	const struct kl_tok *tok = ps_next(p);
	const struct kl_tok *var = ps_peek(p, 0);
	struct kl_stmt *s;
	struct kl_expr *it;

	if (var->kind != T_NAME || ps_keyword(var) ||
	    ps_is(ps_peek(p, 1), ",") || ps_is(ps_peek(p, 1), "[") ||
	    ps_is(ps_peek(p, 1), ".") || ps_is(ps_peek(p, 1), "("))
		return fail(p, var,
			    "for loop target must be a simple variable");
	ps_next(p);
	if (ps_expect(p, "in"))
		return -1;
	s = new_stmt(p, KS_FOR, tok->line, tok->col);
	if (!s)
		return -1;
	s->name = ps_strdup(p, var);
	it = s->name ? ps_expr(p) : NULL;
	if (!it || range_args(p, s, it) || ps_bind(p, var->s, var->n) ||
	    loop_body(p, s)) {
		kl_expr_free(it);
		kl_stmt_free(s);
		return -1;
	}
	kl_expr_free(it);
	return push(p, b, s);
}

static int while_stmt(struct ps *p, struct kl_block *b)
{
	const struct kl_tok *tok = ps_next(p);
	struct kl_stmt *s = new_stmt(p, KS_WHILE, tok->line, tok->col);

	if (!s)
		return -1;
	s->value = ps_expr(p);
	if (!s->value || loop_body(p, s)) {
		kl_stmt_free(s);
		return -1;
	}
	return push(p, b, s);
}

static int stmt(struct ps *p, struct kl_block *b)
{
	const struct kl_tok *tok = ps_peek(p, 0);

	if (tok->kind == T_INDENT)
		return fail(p, tok, "unexpected indent");
	if (ps_is(tok, "if")) {
		p->doc_ok = 0;
		return if_stmt(p, b);
	}
	if (ps_is(tok, "for")) {
		p->doc_ok = 0;
		return for_stmt(p, b);
	}
	if (ps_is(tok, "while")) {
		p->doc_ok = 0;
		return while_stmt(p, b);
	}
	if (ps_is(tok, "elif") || ps_is(tok, "else")) {
		ps_fail(p, tok, "'%.*s' without a matching 'if'", (int)tok->n,
			tok->s);
		return -1;
	}
	return simple_stmts(p, b);
}
