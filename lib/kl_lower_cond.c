/*
 * kl_lower_cond.c - lowering comparisons and conditions of the kernel
 * language: comparisons as values and as branches, and/or short-circuit
 * through branches, the choice of a condition's jump, and
 * if-expressions (a select when both sides are safe, else branches).
 */
#include <stdint.h>

#include "kl_lower.h"

/* ---- comparisons and truth ----------------------------------------------- */

static enum isa_cond cond_of(int kb)
{
	switch (kb) {
	case KB_LT:
		return COND_LT;
	case KB_LE:
		return COND_LE;
	case KB_GT:
		return COND_GT;
	case KB_GE:
		return COND_GE;
	case KB_EQ:
		return COND_EQ;
	default:
		return COND_NE;
	}
}

static enum isa_cond negate(enum isa_cond c)
{
	switch (c) {
	case COND_LT:
		return COND_GE;
	case COND_LE:
		return COND_GT;
	case COND_GT:
		return COND_LE;
	case COND_GE:
		return COND_LT;
	case COND_EQ:
		return COND_NE;
	default:
		return COND_EQ;
	}
}

int lw_is_cmp(int kb)
{
	return kb >= KB_LT && kb <= KB_NE;
}

/*
 * The operands of comparison e in their meeting type *t.  Returns 1 with
 * *truth set when both are constants.
 */
static int cmp_operands(struct lw *w, const struct kl_expr *e, struct val *a,
			struct val *b, int *t, int *truth)
{
	enum isa_cond c = cond_of(e->op);
	int ta, tb;

	if (lw_expr(w, e->a, a, LW_NONE, LT_ANY) ||
	    lw_expr(w, e->b, b, LW_NONE, LT_ANY))
		return -1;
	ta = lw_vtype(a);
	tb = lw_vtype(b);
	*t = lw_meet(w, ta, tb, e);
	if (*t < 0)
		return -1;
	if (lt_lit(*t)) {
		if (a->k == VK_INT && b->k == VK_INT) {
			__int128 x = a->i, y = b->i;

			*truth = c == COND_LT ? x < y :
				 c == COND_LE ? x <= y :
				 c == COND_GT ? x > y :
				 c == COND_GE ? x >= y :
				 c == COND_EQ ? x == y :
						x != y;
		} else {
			double x = lw_lit_double(a), y = lw_lit_double(b);

			*truth = c == COND_LT ? x < y :
				 c == COND_LE ? x <= y :
				 c == COND_GT ? x > y :
				 c == COND_GE ? x >= y :
				 c == COND_EQ ? x == y :
						x != y;
		}
		return 1;
	}
	if (lw_to(w, a, *t, LW_NONE, e->a) || lw_to(w, b, *t, LW_NONE, e->b))
		return -1;
	if (a->k == VK_CONST && b->k == VK_CONST) {
		*truth = lw_fold_cmp(c, *t, a->bits, b->bits);
		return 1;
	}
	return lw_reg(w, a) || lw_reg(w, b) ? -1 : 0;
}

/* A comparison as a bool value: setcc, then sel 1 / 0. */
int lw_compare_value(struct lw *w, const struct kl_expr *e, struct val *v,
		     uint16_t dst, int dt)
{
	struct val a, b;
	uint16_t p = 0, one = 0, zero = 0, r = 0;
	int t, truth, rc = cmp_operands(w, e, &a, &b, &t, &truth);

	if (rc)
		return rc < 0 ? -1 : (lw_set_bool(v, truth), 0);
	if (lw_palloc(w, &p) ||
	    lw_emit_setcc(w, cond_of(e->op), t, p, a.reg, b.reg))
		return -1;
	lw_release(w, &a);
	lw_release(w, &b);
	if (lw_const_reg(w, KL_BOOL, 1, &one) ||
	    lw_const_reg(w, KL_BOOL, 0, &zero) ||
	    lw_dest(w, KL_BOOL, dst, dt, &r) ||
	    lw_emit_sel(w, KL_BOOL, r, p, one, zero))
		return -1;
	lw_pfree(w, p);
	lw_set_reg(v, KL_BOOL, r);
	return 0;
}

static int cond_compare(struct lw *w, const struct kl_expr *e, long label,
			int jump_if)
{
	enum isa_cond c = cond_of(e->op);
	struct val a, b;
	uint16_t p = 0;
	long skip;
	int t, truth, rc = cmp_operands(w, e, &a, &b, &t, &truth);

	if (rc)
		return rc < 0		? -1 :
		       truth == jump_if ? lw_emit_bra(w, label, ISA_NO_PRED) :
					  0;
	if (lw_palloc(w, &p))
		return -1;
	if (jump_if || !lt_float(t) || c == COND_EQ || c == COND_NE) {
		/* negating is exact for integers and for == and != */
		if (lw_emit_setcc(w, jump_if ? c : negate(c), t, p, a.reg,
				  b.reg) ||
		    lw_emit_bra(w, label, p))
			return -1;
	} else {
		/* !(x < y) is not x >= y when NaN is involved */
		skip = lw_label(w, "then");
		if (skip < 0 || lw_emit_setcc(w, c, t, p, a.reg, b.reg) ||
		    lw_emit_bra(w, skip, p) ||
		    lw_emit_bra(w, label, ISA_NO_PRED) || lw_place(w, skip))
			return -1;
	}
	lw_release(w, &a);
	lw_release(w, &b);
	lw_pfree(w, p);
	return 0;
}

static int cond_value(struct lw *w, const struct kl_expr *e, long label,
		      int jump_if)
{
	struct val v;
	uint16_t p = 0, zero = 0;

	if (lw_expr(w, e, &v, LW_NONE, LT_ANY))
		return -1;
	if (lw_is_const(&v))
		return lw_truth(&v) == jump_if ?
			       lw_emit_bra(w, label, ISA_NO_PRED) :
			       0;
	if (lw_const_reg(w, v.t, 0, &zero) || lw_palloc(w, &p) ||
	    lw_emit_setcc(w, jump_if ? COND_NE : COND_EQ, v.t, p, v.reg,
			  zero) ||
	    lw_emit_bra(w, label, p))
		return -1;
	lw_release(w, &v);
	lw_pfree(w, p);
	return 0;
}

int lw_cond(struct lw *w, const struct kl_expr *e, long label, int jump_if)
{
	uint32_t line = w->line, col = w->col;
	long skip;
	int rc;

	w->line = e->line;
	w->col = e->col;
	if (e->kind == KE_UNARY && e->op == KU_NOT) {
		rc = lw_cond(w, e->a, label, !jump_if);
	} else if (e->kind == KE_BINARY &&
		   (e->op == KB_AND || e->op == KB_OR)) {
		/* and: jump_if 0 needs either false; or: jump_if 1 either
		   true; otherwise the first decides, skipping the second */
		int either = (e->op == KB_AND) == !jump_if;

		skip = either ? label :
				lw_label(w, e->op == KB_AND ? "and" : "or");
		rc = -1;
		if (skip >= 0 &&
		    lw_cond(w, e->a, skip, either ? jump_if : !jump_if) == 0 &&
		    lw_cond(w, e->b, label, jump_if) == 0 &&
		    (either || lw_place(w, skip) == 0))
			rc = 0;
	} else if (e->kind == KE_BINARY && lw_is_cmp(e->op)) {
		rc = cond_compare(w, e, label, jump_if);
	} else {
		rc = cond_value(w, e, label, jump_if);
	}
	w->line = line;
	w->col = col;
	return rc;
}

/* and / or as a value: 0, then 1 unless the condition jumps past. */
int lw_bool_value(struct lw *w, const struct kl_expr *e, struct val *v)
{
	uint16_t r = 0;
	long l;

	if (lw_alloc(w, R_TEMP, &r) || lw_emit_imm(w, KL_BOOL, r, 0))
		return -1;
	l = lw_label(w, "bool");
	if (l < 0 || lw_cond(w, e, l, 0) || lw_emit_imm(w, KL_BOOL, r, 1) ||
	    lw_place(w, l))
		return -1;
	lw_set_reg(v, KL_BOOL, r);
	return 0;
}

int lw_prefers_true(struct lw *w, const struct kl_expr *c, int *yes)
{
	int ta, tb;

	*yes = 0;
	if (c->kind != KE_BINARY || !lw_is_cmp(c->op) || c->op == KB_EQ ||
	    c->op == KB_NE)
		return 0;
	if (lw_peek_type(w, c->a, &ta) || lw_peek_type(w, c->b, &tb))
		return -1;
	*yes = lt_float(ta) || lt_float(tb) ||
	       (ta == LT_FLIT && tb != KL_BOOL) ||
	       (tb == LT_FLIT && ta != KL_BOOL);
	return 0;
}

/* ---- if-expressions ------------------------------------------------------ */

int lw_safe(const struct kl_expr *e)
{
	switch (e->kind) {
	case KE_VAR:
	case KE_INT:
	case KE_FLOAT:
	case KE_BOOL:
		return 1;
	case KE_UNARY:
		return lw_safe(e->a);
	case KE_BINARY:
		if ((e->op == KB_FLOOR_DIV || e->op == KB_MOD) &&
		    !((e->b->kind == KE_INT && e->b->ival != 0) ||
		      (e->b->kind == KE_FLOAT && e->b->fval != 0)))
			return 0;
		return lw_safe(e->a) && lw_safe(e->b);
	case KE_IFEXPR:
		return lw_safe(e->a) && lw_safe(e->b) && lw_safe(e->c);
	case KE_CALL:
		if (!lw_call_safe(e))
			return 0;
		for (size_t i = 0; i < e->nargs; i++)
			if (!lw_safe(e->args[i]))
				return 0;
		return 1;
	default:
		return 0;
	}
}

/* The type both sides of an if-expression take. */
static int side_type(struct lw *w, const struct kl_expr *e, int ta, int tb)
{
	int t = lw_meet(w, ta, tb, e);

	return t == LT_ILIT ? ATLAS_I32 : t == LT_FLIT ? ATLAS_F32 : t;
}

/* A predicate for condition c: 1 with *truth when it is a constant. */
static int pred_of(struct lw *w, const struct kl_expr *c, uint16_t *p,
		   int *truth)
{
	struct val a, b, zero;
	int t, rc;

	if (c->kind == KE_BINARY && lw_is_cmp(c->op)) {
		rc = cmp_operands(w, c, &a, &b, &t, truth);
		if (rc)
			return rc;
		if (lw_palloc(w, p) ||
		    lw_emit_setcc(w, cond_of(c->op), t, *p, a.reg, b.reg))
			return -1;
		lw_release(w, &a);
		lw_release(w, &b);
		return 0;
	}
	if (lw_expr(w, c, &a, LW_NONE, LT_ANY) ||
	    lw_to(w, &a, KL_BOOL, LW_NONE, c))
		return -1;
	if (a.k == VK_CONST) {
		*truth = (int)a.bits;
		return 1;
	}
	lw_set_const(&zero, KL_BOOL, 0);
	if (lw_reg(w, &zero) || lw_palloc(w, p) ||
	    lw_emit_setcc(w, COND_NE, KL_BOOL, *p, a.reg, zero.reg))
		return -1;
	lw_release(w, &a);
	return 0;
}

int lw_ifexpr(struct lw *w, const struct kl_expr *e, struct val *v,
	      uint16_t dst, int dt)
{
	struct val a, b;
	uint16_t p = 0, r = 0;
	int t, ta, tb, truth, rc;
	long l_else, l_end;

	if (lw_safe(e->a) && lw_safe(e->b)) {
		/* both sides, then a select: no branches */
		rc = pred_of(w, e->c, &p, &truth);
		if (rc)
			return rc < 0 ? -1 :
					lw_expr(w, truth ? e->a : e->b, v, dst,
						dt);
		if (lw_expr(w, e->a, &a, LW_NONE, LT_ANY) ||
		    lw_expr(w, e->b, &b, LW_NONE, LT_ANY))
			return -1;
		t = side_type(w, e, lw_vtype(&a), lw_vtype(&b));
		if (t < 0 || lw_to(w, &a, t, LW_NONE, e->a) ||
		    lw_to(w, &b, t, LW_NONE, e->b) || lw_reg(w, &a) ||
		    lw_reg(w, &b))
			return -1;
		lw_release(w, &a);
		lw_release(w, &b);
		if (lw_dest(w, t, dst, dt, &r) ||
		    lw_emit_sel(w, t, r, p, a.reg, b.reg))
			return -1;
		lw_pfree(w, p);
		lw_set_reg(v, t, r);
		return 0;
	}
	/* branches: only the chosen side runs */
	if (e->c->kind == KE_BOOL || e->c->kind == KE_INT ||
	    e->c->kind == KE_FLOAT)
		return lw_expr(w,
			       (e->c->kind == KE_FLOAT ? e->c->fval != 0 :
							 e->c->ival != 0) ?
				       e->a :
				       e->b,
			       v, dst, dt);
	if (lw_peek_type(w, e->a, &ta) || lw_peek_type(w, e->b, &tb))
		return -1;
	t = side_type(w, e, ta, tb);
	if (t < 0 || lw_alloc(w, R_TEMP, &r))
		return -1;
	l_else = lw_label(w, "ifx");
	l_end = lw_label(w, "ifxend");
	if (l_else < 0 || l_end < 0 || lw_cond(w, e->c, l_else, 0) ||
	    lw_expr(w, e->a, &a, LW_NONE, LT_ANY) || lw_to(w, &a, t, r, e->a) ||
	    lw_put(w, &a, t, r) || lw_emit_bra(w, l_end, ISA_NO_PRED) ||
	    lw_place(w, l_else) || lw_expr(w, e->b, &b, LW_NONE, LT_ANY) ||
	    lw_to(w, &b, t, r, e->b) || lw_put(w, &b, t, r) ||
	    lw_place(w, l_end))
		return -1;
	lw_set_reg(v, t, r);
	return 0;
}
