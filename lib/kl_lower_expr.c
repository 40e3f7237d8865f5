/*
 * kl_lower_expr.c - lowering expressions of the kernel language: the
 * dispatch by kind and by binary operator, the sigmoid pattern, and
 * snapshots (lowering an expression only to learn its type).  Operators
 * are in kl_lower_arith.c, comparisons, conditions and if-expressions in
 * kl_lower_cond.c; values, conversions and loads in kl_lower_value.c;
 * the rules in kl_lower.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kl_lower.h"

/* ---- snapshots: lowering an expression only to learn its type ----------- */

struct snap {
	size_t ninsns, nlabels, ncache;
	uint8_t rs[ISA_NREGS];
	uint16_t preds;
	struct lw_centry cache[LW_CACHE];
};

int lw_peek_type(struct lw *w, const struct kl_expr *e, int *t)
{
	struct atlas_program *p = w->p;
	struct snap *s = malloc(sizeof *s);
	struct val v;
	int rc;

	if (!s)
		return lw_nomem(w);
	s->ninsns = p->ninsns;
	s->nlabels = p->nlabels;
	s->ncache = w->ncache;
	s->preds = w->preds;
	memcpy(s->rs, w->rs, sizeof s->rs);
	memcpy(s->cache, w->cache, sizeof s->cache);
	rc = lw_expr(w, e, &v, LW_NONE, LT_ANY);
	if (rc == 0)
		*t = lw_vtype(&v);
	for (size_t i = s->nlabels; i < p->nlabels; i++)
		free(p->labels[i].name);
	p->nlabels = s->nlabels;
	p->ninsns = s->ninsns;
	w->ncache = s->ncache;
	w->preds = s->preds;
	memcpy(w->rs, s->rs, sizeof s->rs);
	memcpy(w->cache, s->cache, sizeof s->cache);
	free(s);
	if (rc == 0 && program_label_reindex(p) != ATLAS_OK)
		return lw_nomem(w);
	return rc;
}

/* ---- the sigmoid pattern --------------------------------------------------
 */

static int is_one(const struct kl_expr *e)
{
	return (e->kind == KE_INT && e->ival == 1) ||
	       (e->kind == KE_FLOAT && e->fval == 1.0);
}

/* x when e is 1/(1 + exp(-x)) (or 1/(exp(-x) + 1)), else NULL. */
static const struct kl_expr *sigmoid_arg(const struct kl_expr *e)
{
	const struct kl_expr *d = e->b, *x;

	if (!is_one(e->a) || d->kind != KE_BINARY || d->op != KB_ADD)
		return NULL;
	x = is_one(d->a) ? d->b : is_one(d->b) ? d->a : NULL;
	if (!x || x->kind != KE_CALL || x->nargs != 1 ||
	    (strcmp(x->name, "exp") != 0 && strcmp(x->name, "expf") != 0))
		return NULL;
	x = x->args[0];
	return x->kind == KE_UNARY && x->op == KU_NEG ? x->a : NULL;
}

static int sigmoid(struct lw *w, const struct kl_expr *x, struct val *v,
		   uint16_t dst, int dt, int *done)
{
	struct val a;
	int t;

	*done = 0;
	if (lw_peek_type(w, x, &t))
		return -1;
	if (!lt_float(t) && t != LT_FLIT)
		return 0; /* integers: -x could wrap; lower as written */
	*done = 1;
	t = t == LT_FLIT ? ATLAS_F32 : t;
	if (lw_expr(w, x, &a, LW_NONE, LT_ANY) || lw_to(w, &a, t, LW_NONE, x))
		return -1;
	return lw_unop(w, OP_SIGMOID, t, &a, v, dst, dt);
}

/* ---- binary operators --------------------------------------------------- */

static int binary(struct lw *w, const struct kl_expr *e, struct val *v,
		  uint16_t dst, int dt)
{
	const struct kl_expr *x;
	struct val a, b;
	int done;

	if (e->op == KB_AND || e->op == KB_OR)
		return lw_bool_value(w, e, v);
	if (lw_is_cmp(e->op))
		return lw_compare_value(w, e, v, dst, dt);
	if (e->op == KB_POW)
		return lw_power(w, e, e->a, e->b, v, dst, dt);
	if (e->op == KB_DIV && (x = sigmoid_arg(e)) != NULL) {
		if (sigmoid(w, x, v, dst, dt, &done))
			return -1;
		if (done)
			return 0;
	}
	if (lw_expr(w, e->a, &a, LW_NONE, LT_ANY) ||
	    lw_expr(w, e->b, &b, LW_NONE, LT_ANY))
		return -1;
	return lw_arith(w, e, &a, &b, v, dst, dt);
}

/* ---- expressions ----------------------------------------------------------
 */

static int expr(struct lw *w, const struct kl_expr *e, struct val *v,
		uint16_t dst, int dt)
{
	memset(v, 0, sizeof *v);
	switch (e->kind) {
	case KE_VAR:
		return lw_var_value(w, e, v);
	case KE_INT:
		v->k = VK_INT;
		v->i = (int64_t)e->ival;
		return 0;
	case KE_FLOAT:
		v->k = VK_FLOAT;
		v->f = e->fval;
		return 0;
	case KE_BOOL:
		lw_set_bool(v, e->ival != 0);
		return 0;
	case KE_BINARY:
		return binary(w, e, v, dst, dt);
	case KE_UNARY:
		return lw_unary(w, e, v, dst, dt);
	case KE_INDEX:
		return lw_load(w, e, v, dst, dt);
	case KE_CALL:
		return lw_call(w, e, v, dst, dt);
	case KE_IFEXPR:
		return lw_ifexpr(w, e, v, dst, dt);
	default:
		return lw_efail(w, e,
				"a string can only name the operation of "
				"a parallel_* call");
	}
}

int lw_expr(struct lw *w, const struct kl_expr *e, struct val *v, uint16_t dst,
	    int dt)
{
	uint32_t line = w->line, col = w->col;
	int rc;

	w->line = e->line;
	w->col = e->col;
	rc = expr(w, e, v, dst, dt);
	if (rc == 0 && v->k == VK_NONE)
		rc = lw_efail(w, e, "%s() returns no value", e->name);
	w->line = line;
	w->col = col;
	return rc;
}

int lw_expr_stmt(struct lw *w, const struct kl_expr *e)
{
	uint32_t line = w->line, col = w->col;
	struct val v;
	int rc;

	w->line = e->line;
	w->col = e->col;
	rc = expr(w, e, &v, LW_NONE, LT_ANY);
	if (rc == 0)
		lw_release(w, &v);
	w->line = line;
	w->col = col;
	return rc;
}
