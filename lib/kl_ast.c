/*
 * kl_ast.c - building, copying and releasing the kernel-language syntax
 * tree (kl.h).
 */
#include <stdlib.h>
#include <string.h>

#include "kl.h"

const char *const kl_binop_names[KB_COUNT] = {
	"add", "sub",	  "mul",    "div",     "mod", "floor_div", "pow",
	"lt",  "le",	  "gt",	    "ge",      "eq",  "ne",	   "and",
	"or",  "bit_and", "bit_or", "bit_xor", "shl", "shr",
};

const char *const kl_unop_names[KU_COUNT] = {"pos", "neg", "not", "inv"};

struct kl_expr *kl_expr_new(enum kl_expr_kind kind, uint32_t line, uint32_t col)
{
	struct kl_expr *e = calloc(1, sizeof *e);

	if (!e)
		return NULL;
	e->kind = kind;
	e->line = line;
	e->col = col;
	return e;
}

struct kl_stmt *kl_stmt_new(enum kl_stmt_kind kind, uint32_t line, uint32_t col)
{
	struct kl_stmt *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->kind = kind;
	s->line = line;
	s->col = col;
	return s;
}

/* Grow *v (of *cap elements of size sz) to hold n + 1; 0 or -1. */
static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / sz)
		return -1;
	q = realloc(*v, ncap * sz);
	if (!q)
		return -1;
	*v = q;
	*cap = ncap;
	return 0;
}

/* On failure the caller still owns s. */
int kl_block_push(struct kl_block *b, struct kl_stmt *s)
{
	void *v = b->v;

	if (grow(&v, &b->cap, b->n, sizeof *b->v))
		return -1;
	b->v = v;
	b->v[b->n++] = s;
	return 0;
}

/*
 * The argument vector grows by powers of two from 4: nargs alone tells
 * the capacity, so the node needs no extra field.
 */
static size_t args_cap(size_t n)
{
	size_t cap = 4;

	if (n == 0)
		return 0;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* On failure the caller still owns arg. */
int kl_call_push(struct kl_expr *call, struct kl_expr *arg)
{
	size_t cap = args_cap(call->nargs);
	void *v = call->args;

	if (grow(&v, &cap, call->nargs, sizeof *call->args))
		return -1;
	call->args = v;
	call->args[call->nargs++] = arg;
	return 0;
}

static char *dup_str(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

struct kl_expr *kl_expr_copy(const struct kl_expr *e)
{
	struct kl_expr *c;

	if (!e)
		return NULL;
	c = kl_expr_new(e->kind, e->line, e->col);
	if (!c)
		return NULL;
	c->op = e->op;
	c->ival = e->ival;
	c->fval = e->fval;
	if ((e->name && !(c->name = dup_str(e->name))) ||
	    (e->str && !(c->str = dup_str(e->str))) ||
	    (e->a && !(c->a = kl_expr_copy(e->a))) ||
	    (e->b && !(c->b = kl_expr_copy(e->b))) ||
	    (e->c && !(c->c = kl_expr_copy(e->c))))
		goto fail;
	for (size_t i = 0; i < e->nargs; i++) {
		struct kl_expr *a = kl_expr_copy(e->args[i]);

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

void kl_expr_free(struct kl_expr *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->str);
	kl_expr_free(e->a);
	kl_expr_free(e->b);
	kl_expr_free(e->c);
	for (size_t i = 0; i < e->nargs; i++)
		kl_expr_free(e->args[i]);
	free(e->args);
	free(e);
}

void kl_stmt_free(struct kl_stmt *s)
{
	if (!s)
		return;
	free(s->name);
	kl_expr_free(s->target);
	kl_expr_free(s->value);
	kl_expr_free(s->start);
	kl_expr_free(s->stop);
	kl_expr_free(s->step);
	kl_block_release(&s->body);
	kl_block_release(&s->orelse);
	free(s);
}

void kl_block_release(struct kl_block *b)
{
	for (size_t i = 0; i < b->n; i++)
		kl_stmt_free(b->v[i]);
	free(b->v);
	memset(b, 0, sizeof *b);
}

void kl_module_free(struct kl_module *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfuncs; i++) {
		struct kl_func *f = &m->funcs[i];

		free(f->name);
		for (size_t k = 0; k < f->nparams; k++)
			free(f->params[k].name);
		free(f->params);
		kl_block_release(&f->body);
		free(f->doc);
	}
	free(m->funcs);
	free(m);
}
