/*
 * kl_lower_arith.c - lowering the arithmetic operators of the kernel
 * language: + - * / // %, the bitwise operators and shifts, with the
 * folding of literals; the unary operators; powers (** and pow()).
 * Comparisons and conditions are in kl_lower_cond.c, the expression
 * dispatch in kl_lower_expr.c.
 */
#include <math.h>
#include <stdint.h>
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
	if (lt_lit(t))
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
	if (lt_lit(ta) && lt_lit(tb))
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

int lw_arith(struct lw *w, const struct kl_expr *e, struct val *a,
	     struct val *b, struct val *v, uint16_t dst, int dt)
{
	switch (e->op) {
	case KB_DIV:
		return divide(w, e, a, b, v, dst, dt);
	case KB_SHL:
	case KB_SHR:
		return shift(w, e, a, b, v, dst, dt);
	case KB_BIT_AND:
	case KB_BIT_OR:
	case KB_BIT_XOR:
		return bitwise(w, e, a, b, v, dst, dt);
	default:
		return arith(w, e, a, b, v, dst, dt);
	}
}

/* ---- unary operators ----------------------------------------------------- */

static const char *const un_sym[KU_COUNT] = {"+", "-", "not", "~"};

int lw_unary(struct lw *w, const struct kl_expr *e, struct val *v, uint16_t dst,
	     int dt)
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
			lw_set_bool(v, !a.bits);
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

/* ---- powers ---------------------------------------------------------------
 */

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
	if (lt_lit(ta) && lt_lit(tb))
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
