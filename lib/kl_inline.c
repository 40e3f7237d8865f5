/*
 * kl_inline.c - expansion of @inline helpers, as the original does it:
 * each call of a helper is replaced by a copy of the helper's return
 * expression with the arguments substituted for the parameters, by
 * position, as syntax trees.  Helpers are expanded first, each once, in
 * the order their calls need them; a helper met again while it is being
 * expanded is recursion.  Afterwards the module holds only kernels.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl.h"
#include "program.h"

/* Nodes that expansion may create in all, against exponential growth. */
#define EXPAND_MAX_NODES 1000000

enum { NEW, BUSY, DONE };

struct ix {
	struct kl_module *m;
	struct atlas_error *err;
	unsigned char *state; /* per function */
	size_t nodes;
};

__attribute__((format(printf, 3, 4))) static enum atlas_status
fail(struct ix *x, const struct kl_expr *at, const char *fmt, ...)
{
	char msg[sizeof x->err->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	atlas_error_set(x->err, ATLAS_ERR_PARSE, at->line, at->col, "%s", msg);
	return ATLAS_ERR_PARSE;
}

static enum atlas_status nomem(struct ix *x)
{
	atlas_error_set(x->err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

static long find_helper(const struct kl_module *m, const char *name)
{
	for (size_t i = 0; i < m->nfuncs; i++)
		if (m->funcs[i].is_inline &&
		    strcmp(m->funcs[i].name, name) == 0)
			return (long)i;
	return -1;
}

static long find_param(const struct kl_func *f, const char *name)
{
	for (size_t i = 0; i < f->nparams; i++)
		if (strcmp(f->params[i].name, name) == 0)
			return (long)i;
	return -1;
}

/*
 * A copy of e with each parameter of f replaced by a copy of its argument
 * (a plain copy when f is NULL), counting the nodes made; NULL on ENOMEM
 * or past the limit.
 */
static struct kl_expr *substitute(struct ix *x, const struct kl_expr *e,
				  const struct kl_func *f,
				  struct kl_expr *const *args)
{
	struct kl_expr *c;
	long k;

	if (!e)
		return NULL;
	if (++x->nodes > EXPAND_MAX_NODES)
		return NULL;
	if (f && e->kind == KE_VAR && (k = find_param(f, e->name)) >= 0)
		return substitute(x, args[k], NULL, NULL);
	c = kl_expr_new(e->kind, e->line, e->col);
	if (!c)
		return NULL;
	c->op = e->op;
	c->ival = e->ival;
	c->fval = e->fval;
	if ((e->name && !(c->name = strdup(e->name))) ||
	    (e->str && !(c->str = strdup(e->str))) ||
	    (e->a && !(c->a = substitute(x, e->a, f, args))) ||
	    (e->b && !(c->b = substitute(x, e->b, f, args))) ||
	    (e->c && !(c->c = substitute(x, e->c, f, args))))
		goto fail;
	for (size_t i = 0; i < e->nargs; i++) {
		struct kl_expr *a = substitute(x, e->args[i], f, args);

		if (!a || kl_call_push(c, a)) {
			kl_expr_free(a);
			goto fail;
		}
	}
	return c;
fail:
	kl_expr_free(c);
	return NULL;
}

static enum atlas_status expand_helper(struct ix *x, size_t h);

/* Expand the helper calls in *pe and below, in place. */
static enum atlas_status expand_expr(struct ix *x, struct kl_expr **pe)
{
	struct kl_expr *e = *pe, *r;
	const struct kl_func *f;
	enum atlas_status st = ATLAS_OK;
	long h;

	if (!e)
		return ATLAS_OK;
	if ((st = expand_expr(x, &e->a)) || (st = expand_expr(x, &e->b)) ||
	    (st = expand_expr(x, &e->c)))
		return st;
	for (size_t i = 0; i < e->nargs; i++)
		if ((st = expand_expr(x, &e->args[i])))
			return st;
	if (e->kind != KE_CALL || (h = find_helper(x->m, e->name)) < 0)
		return ATLAS_OK;
	if (x->state[h] == BUSY)
		return fail(x, e, "recursive inline function not allowed: %s",
			    e->name);
	if (x->state[h] == NEW && (st = expand_helper(x, (size_t)h)))
		return st;
	f = &x->m->funcs[h];
	if (e->nargs != f->nparams)
		return fail(x, e,
			    "inline function %s takes %zu arguments, got %zu",
			    f->name, f->nparams, e->nargs);
	r = substitute(x, f->body.v[0]->value, f, e->args);
	if (!r) {
		if (x->nodes > EXPAND_MAX_NODES) {
			atlas_error_set(x->err, ATLAS_ERR_LIMIT, e->line,
					e->col, "inline expansion too large");
			return ATLAS_ERR_LIMIT;
		}
		return nomem(x);
	}
	kl_expr_free(e);
	*pe = r;
	return ATLAS_OK;
}

/* The first variable of e that is not a parameter of f, or NULL. */
static const struct kl_expr *free_var(const struct kl_expr *e,
				      const struct kl_func *f)
{
	const struct kl_expr *v = NULL;

	if (!e)
		return NULL;
	if (e->kind == KE_VAR)
		return find_param(f, e->name) < 0 ? e : NULL;
	for (size_t i = 0; i < e->nargs && !v; i++)
		v = free_var(e->args[i], f);
	if (!v)
		v = free_var(e->a, f);
	if (!v)
		v = free_var(e->c, f);
	if (!v)
		v = free_var(e->b, f);
	return v;
}

/* Expand the calls in helper h's return expression. */
static enum atlas_status expand_helper(struct ix *x, size_t h)
{
	struct kl_func *f = &x->m->funcs[h];
	const struct kl_expr *v;
	enum atlas_status st;

	if (f->body.n != 1 || f->body.v[0]->kind != KS_RETURN ||
	    !f->body.v[0]->value) {
		atlas_error_set(x->err, ATLAS_ERR_PARSE, f->line, f->col,
				"inline function %s must contain only a return "
				"statement (excluding docstring)",
				f->name);
		return ATLAS_ERR_PARSE;
	}
	v = free_var(f->body.v[0]->value, f);
	if (v) {
		atlas_error_set(x->err, ATLAS_ERR_PARSE, v->line, v->col,
				"name '%s' is not defined in inline function "
				"%s",
				v->name, f->name);
		return ATLAS_ERR_PARSE;
	}
	x->state[h] = BUSY;
	st = expand_expr(x, &f->body.v[0]->value);
	if (st == ATLAS_OK)
		x->state[h] = DONE;
	return st;
}

static enum atlas_status expand_block(struct ix *x, struct kl_block *b);

static enum atlas_status expand_stmt(struct ix *x, struct kl_stmt *s)
{
	const int helper_call = s->kind == KS_EXPR && s->value &&
				s->value->kind == KE_CALL &&
				find_helper(x->m, s->value->name) >= 0;
	enum atlas_status st;

	if ((st = expand_expr(x, &s->target)) ||
	    (st = expand_expr(x, &s->value)) ||
	    (st = expand_expr(x, &s->start)) ||
	    (st = expand_expr(x, &s->stop)) ||
	    (st = expand_expr(x, &s->step)) ||
	    (st = expand_block(x, &s->body)) ||
	    (st = expand_block(x, &s->orelse)))
		return st;
	if (helper_call && s->value->kind != KE_CALL) {
		atlas_error_set(x->err, ATLAS_ERR_PARSE, s->line, s->col,
				"a call of an inline function as a statement "
				"has no effect");
		return ATLAS_ERR_PARSE;
	}
	return ATLAS_OK;
}

static enum atlas_status expand_block(struct ix *x, struct kl_block *b)
{
	enum atlas_status st;

	for (size_t i = 0; i < b->n; i++)
		if ((st = expand_stmt(x, b->v[i])))
			return st;
	return ATLAS_OK;
}

static void func_release(struct kl_func *f)
{
	free(f->name);
	for (size_t k = 0; k < f->nparams; k++)
		free(f->params[k].name);
	free(f->params);
	kl_block_release(&f->body);
	free(f->doc);
}

enum atlas_status kl_expand_inline(struct kl_module *m, struct atlas_error *err)
{
	struct ix x = {m, err, NULL, 0};
	enum atlas_status st = ATLAS_OK;
	size_t k = 0;

	x.state = calloc(m->nfuncs ? m->nfuncs : 1, 1);
	if (!x.state)
		return nomem(&x);
	/* Every helper, used or not, so that its errors show. */
	for (size_t i = 0; i < m->nfuncs && !st; i++)
		if (m->funcs[i].is_inline && x.state[i] == NEW)
			st = expand_helper(&x, i);
	for (size_t i = 0; i < m->nfuncs && !st; i++)
		if (!m->funcs[i].is_inline)
			st = expand_block(&x, &m->funcs[i].body);
	free(x.state);
	if (st != ATLAS_OK)
		return st;
	for (size_t i = 0; i < m->nfuncs; i++) {
		if (m->funcs[i].is_inline)
			func_release(&m->funcs[i]);
		else
			m->funcs[k++] = m->funcs[i];
	}
	m->nfuncs = k;
	return ATLAS_OK;
}
