/*
 * kl_lower_expr.c - lowering expressions of the kernel language:
 * operators (with the folding of literals), comparisons and conditions
 * (short-circuit and/or through branches), powers, the sigmoid pattern,
 * if-expressions.  Values, conversions and loads are in
 * kl_lower_value.c; the rules are in kl_lower.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl_lower.h"

/* ---- operators ----------------------------------------------------------- */

static const char *const op_sym[KB_COUNT] = {"+",  "-",	 "*",  "/",   "%",
					     "//", "**", "<",  "<=",  ">",
					     ">=", "==", "!=", "and", "or",
					     "&",  "|",	 "^",  "<<",  ">>"};

#define INT128_MIN_OK (-((__int128)1 << 63))
#define INT128_MAX_OK (((__int128)1 << 64) - 1)

/* Fold an arithmetic or bitwise operator on two literals. */
static int fold_lit(struct lw *w, const struct kl_expr *e, const struct val *a,
		    const struct val *b, struct val *v)
{
	memset(v, 0, sizeof *v);
	if (a->k == VK_INT && b->k == VK_INT) {
		__int128 x = a->i, y = b->i, r = 0;

		switch (e->op) {
		case KB_ADD:
			r = x + y;
			break;
		case KB_SUB:
			r = x - y;
			break;
		case KB_MUL:
			if (__builtin_mul_overflow(x, y, &r))
				return lw_efail(w, e,
						"integer constant too large");
			break;
		case KB_FLOOR_DIV:
		case KB_MOD:
			if (y == 0)
				return lw_efail(w, e, "division by zero");
			r = x % y;
			if (e->op == KB_MOD) {
				if (r != 0 && (r < 0) != (y < 0))
					r += y;
			} else {
				r = x / y - (r != 0 && (x < 0) != (y < 0));
			}
			break;
		case KB_BIT_AND:
			r = x & y;
			break;
		case KB_BIT_OR:
			r = x | y;
			break;
		case KB_BIT_XOR:
			r = x ^ y;
			break;
		case KB_SHL:
		case KB_SHR:
			if (y < 0)
				return lw_efail(w, e, "negative shift count");
			if (e->op == KB_SHR)
				r = y >= 127 ? (x < 0 ? -1 : 0) : x >> y;
			else if (x != 0 &&
				 (y > 64 || __builtin_mul_overflow(
						    x, (__int128)1 << y, &r)))
				return lw_efail(w, e,
						"integer constant too large");
			break;
		default:
			return lw_efail(w, e, "operator '%s' on literals",
					op_sym[e->op]);
		}
		if (r < INT128_MIN_OK || r > INT128_MAX_OK)
			return lw_efail(w, e, "integer constant too large");
		v->k = VK_INT;
		v->i = r;
		return 0;
	}
	{
		double x = lw_lit_double(a), y = lw_lit_double(b);
		uint64_t bits;

		v->k = VK_FLOAT;
		switch (e->op) {
		case KB_ADD:
			v->f = x + y;
			return 0;
		case KB_SUB:
			v->f = x - y;
			return 0;
		case KB_MUL:
			v->f = x * y;
			return 0;
		case KB_DIV:
		case KB_FLOOR_DIV:
		case KB_MOD:
			if (y == 0)
				return lw_efail(w, e, "division by zero");
			if (e->op == KB_DIV) {
				v->f = x / y;
				return 0;
			}
			lw_fold_bin(e->op == KB_MOD ? OP_MOD : OP_FLOORDIV,
				    ATLAS_F64, lw_f64_bits(x), lw_f64_bits(y),
				    &bits);
			memcpy(&v->f, &bits, 8);
			return 0;
		default:
			return lw_efail(w, e,
					"operator '%s' needs integers, "
					"got f32",
					op_sym[e->op]);
		}
	}
}

static enum isa_op arith_op(int kb, int t)
{
	switch (kb) {
	case KB_ADD:
		return OP_ADD;
	case KB_SUB:
		return OP_SUB;
	case KB_MUL:
		return OP_MUL;
	case KB_FLOOR_DIV:
		return lt_int(t) && !lt_signed(t) ? OP_DIV : OP_FLOORDIV;
	case KB_MOD:
		return OP_MOD;
	case KB_BIT_AND:
		return OP_AND;
	case KB_BIT_OR:
		return OP_OR;
	case KB_BIT_XOR:
		return OP_XOR;
	case KB_SHL:
		return OP_SHL;
	default:
		return OP_SHR;
	}
}

static int is_lit_type(int t)
{
	return t == LT_ILIT || t == LT_FLIT;
}

/* + - * // % */
static int arith(struct lw *w, const struct kl_expr *e, struct val *a,
		 struct val *b, struct val *v, uint16_t dst, int dt)
{
	int ta = lw_vtype(a), tb = lw_vtype(b), t;

	if (ta == KL_BOOL || tb == KL_BOOL)
		return lw_efail(w, e, "operator '%s' needs numbers, got bool",
				op_sym[e->op]);
	t = lw_meet(w, ta, tb, e);
	if (t < 0)
		return -1;
	if (is_lit_type(t))
		return fold_lit(w, e, a, b, v);
	if (lw_to(w, a, t, LW_NONE, e->a) || lw_to(w, b, t, LW_NONE, e->b))
		return -1;
	return lw_binop(w, e, arith_op(e->op, t), t, a, b, v, dst, dt);
}

/* / : always a float */
static int divide(struct lw *w, const struct kl_expr *e, struct val *a,
		  struct val *b, struct val *v, uint16_t dst, int dt)
{
	int ta = lw_vtype(a), tb = lw_vtype(b), t;

	if (ta == KL_BOOL || tb == KL_BOOL)
		return lw_efail(w, e, "operator '/' needs numbers, got bool");
	if (is_lit_type(ta) && is_lit_type(tb))
		return fold_lit(w, e, a, b, v);
	t = lw_float_of(ta, tb);
	if (lw_to(w, a, t, LW_NONE, e->a) || lw_to(w, b, t, LW_NONE, e->b))
		return -1;
	return lw_binop(w, e, OP_DIV, t, a, b, v, dst, dt);
}

/* & | ^ */
static int bitwise(struct lw *w, const struct kl_expr *e, struct val *a,
		   struct val *b, struct val *v, uint16_t dst, int dt)
{
	int ta = lw_vtype(a), tb = lw_vtype(b), t;

	if (ta == KL_BOOL && tb == KL_BOOL)
		return lw_binop(w, e, arith_op(e->op, KL_BOOL), KL_BOOL, a, b,
				v, dst, dt);
	if (!lt_intlike(ta) || !lt_intlike(tb))
		return lw_efail(w, e, "operator '%s' needs integers, got %s",
				op_sym[e->op],
				lt_name(lt_intlike(ta) ? tb : ta));
	t = lw_meet(w, ta, tb, e);
	if (t < 0)
		return -1;
	if (t == LT_ILIT)
		return fold_lit(w, e, a, b, v);
	if (lw_to(w, a, t, LW_NONE, e->a) || lw_to(w, b, t, LW_NONE, e->b))
		return -1;
	return lw_binop(w, e, arith_op(e->op, t), t, a, b, v, dst, dt);
}

/* << >> : the left operand's type, a u32 count */
static int shift(struct lw *w, const struct kl_expr *e, struct val *a,
		 struct val *b, struct val *v, uint16_t dst, int dt)
{
	int ta = lw_vtype(a), tb = lw_vtype(b), t;
	char buf[48];

	if (!lt_intlike(ta) || !lt_intlike(tb))
		return lw_efail(w, e, "operator '%s' needs integers, got %s",
				op_sym[e->op],
				lt_name(lt_intlike(ta) ? tb : ta));
	if (ta == LT_ILIT && tb == LT_ILIT)
		return fold_lit(w, e, a, b, v);
	t = ta != LT_ILIT ? ta : tb;
	if (b->k == VK_INT) {
		if (b->i < 0)
			return lw_efail(w, e->b, "negative shift count");
		if (b->i >= 8 * (__int128)lt_size(t))
			return lw_efail(w, e->b,
					"shift count %s is not below the "
					"width of %s",
					lw_i128_str(buf, b->i), lt_name(t));
	}
	if (lw_to(w, a, t, LW_NONE, e->a) ||
	    lw_to(w, b, ATLAS_U32, LW_NONE, e->b))
		return -1;
	return lw_binop(w, e, arith_op(e->op, t), t, a, b, v, dst, dt);
}

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

static int is_cmp(int kb)
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
	if (is_lit_type(*t)) {
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

static void set_bool(struct val *v, int truth)
{
	lw_set_const(v, KL_BOOL, (uint64_t)(truth != 0));
}

/* A comparison as a bool value: setcc, then sel 1 / 0. */
static int compare_value(struct lw *w, const struct kl_expr *e, struct val *v,
			 uint16_t dst, int dt)
{
	struct val a, b;
	uint16_t p = 0, one = 0, zero = 0, r = 0;
	int t, truth, rc = cmp_operands(w, e, &a, &b, &t, &truth);

	if (rc)
		return rc < 0 ? -1 : (set_bool(v, truth), 0);
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
	} else if (e->kind == KE_BINARY && is_cmp(e->op)) {
		rc = cond_compare(w, e, label, jump_if);
	} else {
		rc = cond_value(w, e, label, jump_if);
	}
	w->line = line;
	w->col = col;
	return rc;
}

/* and / or as a value: 0, then 1 unless the condition jumps past. */
static int bool_value(struct lw *w, const struct kl_expr *e, struct val *v)
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

/* ---- unary operators ----------------------------------------------------- */

static const char *const un_sym[KU_COUNT] = {"+", "-", "not", "~"};

static int unary(struct lw *w, const struct kl_expr *e, struct val *v,
		 uint16_t dst, int dt)
{
	struct val a, zero;
	uint16_t one = 0;
	int t;

	if (lw_expr(w, e->a, &a, LW_NONE, LT_ANY))
		return -1;
	t = lw_vtype(&a);
	if (e->op == KU_NOT) {
		if (lw_to(w, &a, KL_BOOL, LW_NONE, e->a))
			return -1;
		if (a.k == VK_CONST) {
			set_bool(v, !a.bits);
			return 0;
		}
		if (lw_const_reg(w, KL_BOOL, 1, &one))
			return -1;
		lw_set_reg(&zero, KL_BOOL, one);
		return lw_binop(w, e, OP_XOR, KL_BOOL, &a, &zero, v, dst, dt);
	}
	if (t == KL_BOOL || (e->op == KU_INV && !lt_intlike(t)))
		return lw_efail(w, e, "operator '%s' needs %s, got %s",
				un_sym[e->op],
				e->op == KU_INV ? "an integer" : "a number",
				lt_name(t));
	if (e->op == KU_POS) {
		*v = a;
		return 0;
	}
	if (a.k == VK_INT || a.k == VK_FLOAT) {
		*v = a;
		if (a.k == VK_FLOAT)
			v->f = -a.f;
		else if (e->op == KU_NEG)
			v->i = -a.i;
		else
			v->i = ~a.i;
		if (v->k == VK_INT &&
		    (v->i < INT128_MIN_OK || v->i > INT128_MAX_OK))
			return lw_efail(w, e, "integer constant too large");
		return 0;
	}
	if (e->op == KU_INV)
		return lw_unop(w, OP_NOT, t, &a, v, dst, dt);
	if (lt_signed(t))
		return lw_unop(w, OP_NEG, t, &a, v, dst, dt);
	lw_set_const(&zero, t, 0); /* unsigned: 0 - x, wrapping */
	return lw_binop(w, e, OP_SUB, t, &zero, &a, v, dst, dt);
}

/* ---- powers and sigmoid ------------------------------------------------- */

static int fold_pow_lit(struct lw *w, const struct kl_expr *e,
			const struct val *a, const struct val *b, struct val *v)
{
	memset(v, 0, sizeof *v);
	if (a->k == VK_INT && b->k == VK_INT && b->i >= 0) {
		__int128 r = 1, x = a->i;

		for (__int128 n = b->i; n > 0; n--) {
			if (__builtin_mul_overflow(r, x, &r) ||
			    r < INT128_MIN_OK || r > INT128_MAX_OK)
				return lw_efail(w, e,
						"integer constant too large");
			if (r == 0 || r == 1)
				break; /* stays so */
			if (r == -1) {
				r = (n - 1) % 2 ? 1 : -1;
				break;
			}
		}
		v->k = VK_INT;
		v->i = r;
		return 0;
	}
	if (lw_lit_double(a) == 0 && lw_lit_double(b) < 0)
		return lw_efail(w, e, "0 cannot be raised to a negative power");
	v->k = VK_FLOAT;
	v->f = pow(lw_lit_double(a), lw_lit_double(b));
	return 0;
}

/* Keep v's register (if a temporary) until the statement ends. */
static void keep(struct lw *w, const struct val *v)
{
	if (v->k == VK_REG && w->rs[v->reg] == R_TEMP)
		w->rs[v->reg] = R_CACHE;
}

/* x ** n for an integer constant n >= 0: square and multiply. */
static int int_power(struct lw *w, const struct kl_expr *e, int t,
		     struct val *a, uint64_t n, struct val *v, uint16_t dst,
		     int dt)
{
	struct val acc, sq = *a, x, y, r;
	int have = 0;

	if (n == 0) {
		lw_release(w, a);
		lw_set_const(v, t, 1);
		return 0;
	}
	for (;;) {
		if (n & 1) {
			if (!have) {
				acc = sq;
				have = 1;
			} else {
				x = sq;
				keep(w, &x);
				if (lw_binop(w, e, OP_MUL, t, &acc, &x, &r,
					     n == 1 ? dst : LW_NONE, dt))
					return -1;
				acc = r;
			}
		}
		n >>= 1;
		if (!n)
			break;
		keep(w, &sq); /* read twice, and acc may be it */
		x = sq;
		y = sq;
		if (lw_binop(w, e, OP_MUL, t, &x, &y, &r, LW_NONE, dt))
			return -1;
		sq = r;
	}
	*v = acc;
	return 0;
}

int lw_power(struct lw *w, const struct kl_expr *e, const struct kl_expr *base,
	     const struct kl_expr *expo, struct val *v, uint16_t dst, int dt)
{
	struct val a, b;
	int ta, tb, t;

	if (lw_expr(w, base, &a, LW_NONE, LT_ANY) ||
	    lw_expr(w, expo, &b, LW_NONE, LT_ANY))
		return -1;
	ta = lw_vtype(&a);
	tb = lw_vtype(&b);
	if (ta == KL_BOOL || tb == KL_BOOL)
		return lw_efail(w, e, "operator '**' needs numbers, got bool");
	if (is_lit_type(ta) && is_lit_type(tb))
		return fold_pow_lit(w, e, &a, &b, v);
	if (lt_intlike(ta) && lt_intlike(tb)) {
		__int128 n = lw_is_const(&b) ? lw_const_int(&b) : -1;

		t = ta != LT_ILIT ? ta : tb;
		if (ta == LT_ILIT || n < 0)
			return lw_efail(w, e,
					"integer power needs a constant "
					"non-negative exponent");
		if (n > UINT64_MAX)
			n = UINT64_MAX;
		if (lw_to(w, &a, t, LW_NONE, base))
			return -1;
		return int_power(w, e, t, &a, (uint64_t)n, v, dst, dt);
	}
	t = lw_float_of(ta, tb);
	if (lw_is_const(&b)) {
		double n = b.k == VK_CONST ? 0 : lw_lit_double(&b);
		int small = b.k != VK_CONST && (n == 0 || n == 1 || n == 2);

		if (small && n == 0) { /* 1, even for NaN */
			lw_release(w, &a);
			lw_set_const(v, t,
				     lw_fold_cvt(ATLAS_F64, t,
						 lw_f64_bits(1.0)));
			return 0;
		}
		if (small &&
		    lw_to(w, &a, t, n == 1 ? lw_dst_for(dst, dt, t) : LW_NONE,
			  base))
			return -1;
		if (small && n == 1) {
			*v = a;
			return 0;
		}
		if (small) {
			struct val a2 = a;

			keep(w, &a);
			return lw_binop(w, e, OP_MUL, t, &a, &a2, v, dst, dt);
		}
	}
	if (lw_to(w, &a, t, LW_NONE, base) || lw_to(w, &b, t, LW_NONE, expo))
		return -1;
	return lw_binop(w, e, OP_POW, t, &a, &b, v, dst, dt);
}

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

/* ---- snapshots: lowering an expression only to learn its type ----------- */

struct snap {
	size_t ninsns, nlabels, ncache;
	uint8_t rs[ISA_NREGS];
	uint16_t preds;
	struct lw_centry cache[LW_CACHE];
};

static int peek_type(struct lw *w, const struct kl_expr *e, int *t)
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

int lw_prefers_true(struct lw *w, const struct kl_expr *c, int *yes)
{
	int ta, tb;

	*yes = 0;
	if (c->kind != KE_BINARY || !is_cmp(c->op) || c->op == KB_EQ ||
	    c->op == KB_NE)
		return 0;
	if (peek_type(w, c->a, &ta) || peek_type(w, c->b, &tb))
		return -1;
	*yes = lt_float(ta) || lt_float(tb) ||
	       (ta == LT_FLIT && tb != KL_BOOL) ||
	       (tb == LT_FLIT && ta != KL_BOOL);
	return 0;
}

static int sigmoid(struct lw *w, const struct kl_expr *x, struct val *v,
		   uint16_t dst, int dt, int *done)
{
	struct val a;
	int t;

	*done = 0;
	if (peek_type(w, x, &t))
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
		return bool_value(w, e, v);
	if (is_cmp(e->op))
		return compare_value(w, e, v, dst, dt);
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
	switch (e->op) {
	case KB_DIV:
		return divide(w, e, &a, &b, v, dst, dt);
	case KB_SHL:
	case KB_SHR:
		return shift(w, e, &a, &b, v, dst, dt);
	case KB_BIT_AND:
	case KB_BIT_OR:
	case KB_BIT_XOR:
		return bitwise(w, e, &a, &b, v, dst, dt);
	default:
		return arith(w, e, &a, &b, v, dst, dt);
	}
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

	if (c->kind == KE_BINARY && is_cmp(c->op)) {
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

static int ifexpr(struct lw *w, const struct kl_expr *e, struct val *v,
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
	if (peek_type(w, e->a, &ta) || peek_type(w, e->b, &tb))
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
		set_bool(v, e->ival != 0);
		return 0;
	case KE_BINARY:
		return binary(w, e, v, dst, dt);
	case KE_UNARY:
		return unary(w, e, v, dst, dt);
	case KE_INDEX:
		return lw_load(w, e, v, dst, dt);
	case KE_CALL:
		return lw_call(w, e, v, dst, dt);
	case KE_IFEXPR:
		return ifexpr(w, e, v, dst, dt);
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
