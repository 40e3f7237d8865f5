/*
 * kl_lower_value.c - values in the lowering of the kernel language:
 * language types and how operands meet, literals, conversions (chains of
 * supported CVT pairs), constant folding, registers for values, array
 * addresses and loads.  The rules are in kl_lower.c.
 *
 * Constants are folded by running the interpreter's own op loops on one
 * element (lw_fold_un, lw_fold_bin), so a folded result is bit for bit
 * what the instruction would have computed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl_lower.h"
#include "ops.h"

/* ---- types --------------------------------------------------------------- */

int lt_isa(int t)
{
	return t == KL_BOOL ? ATLAS_U8 : t;
}

int lt_int(int t)
{
	return t >= 0 && t <= ATLAS_U64;
}

int lt_float(int t)
{
	return t >= ATLAS_F16 && t <= ATLAS_F64;
}

int lt_signed(int t)
{
	return (t >= 0 && t <= ATLAS_I64) || lt_float(t);
}

unsigned lt_size(int t)
{
	return (unsigned)isa_size((unsigned)lt_isa(t));
}

const char *lt_name(int t)
{
	switch (t) {
	case KL_BOOL:
		return "bool";
	case LT_ILIT:
		return "int";
	case LT_FLIT:
		return "f32";
	default:
		return atlas_type_name((enum atlas_type)t);
	}
}

int lw_vtype(const struct val *v)
{
	switch (v->k) {
	case VK_INT:
		return LT_ILIT;
	case VK_FLOAT:
		return LT_FLIT;
	case VK_NONE:
		return -1;
	default:
		return v->t;
	}
}

int lt_intlike(int t)
{
	return t == LT_ILIT || lt_int(t);
}

static uint64_t mask_of(int t)
{
	unsigned bits = 8 * lt_size(t);

	return bits == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
}

int lw_fits(__int128 i, int t)
{
	unsigned bits;

	if (!lt_int(t))
		return 1;
	bits = 8 * lt_size(t);
	if (lt_signed(t))
		return i >= -((__int128)1 << (bits - 1)) &&
		       i < ((__int128)1 << (bits - 1));
	return i >= 0 && i < ((__int128)1 << bits);
}

int lw_lit_type(const struct val *v)
{
	if (v->k == VK_FLOAT)
		return ATLAS_F32;
	if (v->k != VK_INT)
		return v->t;
	return lw_fits(v->i, ATLAS_I32) ? ATLAS_I32 :
	       lw_fits(v->i, ATLAS_I64) ? ATLAS_I64 :
					  ATLAS_U64;
}

const char *lw_i128_str(char *buf, __int128 i)
{
	char tmp[48];
	size_t n = 0, k = 0;
	unsigned __int128 u = i < 0 ? -(unsigned __int128)i :
				      (unsigned __int128)i;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (i < 0)
		buf[k++] = '-';
	while (n)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return buf;
}

/* f16 < bf16 rank alike, f32, f64 */
static int frank(int t)
{
	return t == ATLAS_F64 ? 3 : t == ATLAS_F32 ? 2 : 1;
}

int lw_meet(struct lw *w, int a, int b, const struct kl_expr *e)
{
	if (a == b)
		return a;
	if (a == KL_BOOL || b == KL_BOOL)
		return lw_efail(w, e, "cannot mix %s and %s without a cast",
				lt_name(a), lt_name(b));
	if (a == LT_ILIT)
		return b;
	if (b == LT_ILIT)
		return a;
	if (a == LT_FLIT)
		return lt_float(b) ? b : ATLAS_F32;
	if (b == LT_FLIT)
		return lt_float(a) ? a : ATLAS_F32;
	if (lt_int(a) && lt_int(b)) {
		if (lt_size(a) != lt_size(b))
			return lt_size(a) > lt_size(b) ? a : b;
		return lw_efail(w, e, "mixing signed and unsigned: %s and %s",
				lt_name(a), lt_name(b));
	}
	if (lt_int(a))
		return b;
	if (lt_int(b))
		return a;
	if (frank(a) == frank(b))
		return ATLAS_F32; /* f16 with bf16 */
	return frank(a) > frank(b) ? a : b;
}

int lw_float_of(int a, int b)
{
	int fa = lt_float(a) ? a : -1, fb = lt_float(b) ? b : -1;

	if (a == ATLAS_F64 || b == ATLAS_F64 || a == ATLAS_I64 ||
	    a == ATLAS_U64 || b == ATLAS_I64 || b == ATLAS_U64)
		return ATLAS_F64;
	if (fa >= 0 && fb >= 0)
		return fa == fb		      ? fa :
		       frank(fa) == frank(fb) ? ATLAS_F32 :
		       frank(fa) > frank(fb)  ? fa :
						fb;
	return fa >= 0 ? fa : fb >= 0 ? fb : ATLAS_F32;
}

int lw_implicit_ok(int from, int t)
{
	if (from == t)
		return 1;
	if (from == LT_ILIT)
		return t != KL_BOOL;
	if (from == LT_FLIT)
		return lt_float(t);
	if (from == KL_BOOL || t == KL_BOOL)
		return 0;
	if (lt_int(from))
		return lt_int(t) || lt_float(t);
	return lt_float(t);
}

/* ---- folding ------------------------------------------------------------- */

uint64_t lw_fold_un(enum isa_op op, int t, uint64_t a)
{
	uint64_t r = 0;

	ops_unary(op, (enum atlas_type)lt_isa(t))(&r, &a, 1);
	return r;
}

int lw_fold_bin(enum isa_op op, int t, uint64_t a, uint64_t b, uint64_t *r)
{
	const enum atlas_type it = (enum atlas_type)lt_isa(t);

	*r = 0;
	if (isa_type_is_int(it) &&
	    (op == OP_DIV || op == OP_FLOORDIV || op == OP_MOD)) {
		if ((b & mask_of(t)) == 0)
			return -1;
		ops_idiv_op(op, it, r, &a, &b, NULL, 1);
		return 0;
	}
	ops_binary(op, it)(r, &a, &b, 1);
	return 0;
}

int lw_fold_cmp(enum isa_cond c, int t, uint64_t a, uint64_t b)
{
	uint8_t r = 0;

	ops_compare(c, (enum atlas_type)lt_isa(t))(&r, &a, &b, 1);
	return r;
}

/*
 * The next type on the way from ISA type f to t, one supported CVT away
 * (see "Conversions" in kl_lower.c).
 */
static int cvt_next(int f, int t)
{
	if (ops_convert((enum atlas_type)t, (enum atlas_type)f))
		return t;
	if (lt_int(f) && lt_int(t)) /* resize, keeping f's signedness */
		return (lt_signed(f) ? ATLAS_I8 : ATLAS_U8) +
		       (t - (lt_signed(t) ? ATLAS_I8 : ATLAS_U8));
	if (lt_int(f)) {
		if (t == ATLAS_F32)
			return isa_size((unsigned)f) == 8 ? ATLAS_F64 :
			       lt_signed(f)		  ? ATLAS_I32 :
							    ATLAS_U32;
		if (t == ATLAS_F64)
			return lt_signed(f) ? ATLAS_I64 : ATLAS_U64;
		return cvt_next(f, ATLAS_F32); /* halves through f32 */
	}
	if (lt_int(t)) {
		if (f != ATLAS_F32 && f != ATLAS_F64)
			return ATLAS_F32;
		if (f == ATLAS_F32)
			return isa_size((unsigned)t) == 8 ? ATLAS_F64 :
							    ATLAS_I32;
		return ATLAS_I64;
	}
	return ATLAS_F32; /* between float types */
}

/* Convert constant bits of language type f to t (bool: truth). */
uint64_t lw_fold_cvt(int f, int t, uint64_t bits)
{
	int from = lt_isa(f);

	if (t == KL_BOOL)
		return (uint64_t)lw_fold_cmp(COND_NE, f, bits, 0);
	while (from != lt_isa(t)) {
		int next = cvt_next(from, lt_isa(t));
		uint64_t r = 0;

		ops_convert((enum atlas_type)next,
			    (enum atlas_type)from)(&r, &bits, 1);
		bits = r;
		from = next;
	}
	return bits;
}

static uint64_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

uint64_t lw_f64_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	return u;
}

/* The double a literal stands for. */
double lw_lit_double(const struct val *v)
{
	if (v->k == VK_FLOAT)
		return v->f;
	if (v->i >= INT64_MIN && v->i <= INT64_MAX)
		return (double)(int64_t)v->i;
	return (double)(uint64_t)v->i;
}

/* The bits of literal v as type t (integers wrap, floats round). */
static uint64_t lit_bits(const struct val *v, int t)
{
	float f;

	if (t == KL_BOOL)
		return v->k == VK_INT ? v->i != 0 : v->f != 0 || isnan(v->f);
	if (lt_int(t)) {
		if (v->k == VK_INT)
			return (uint64_t)v->i & mask_of(t);
		return lw_fold_cvt(ATLAS_F64, t, lw_f64_bits(v->f));
	}
	if (t == ATLAS_F64)
		return lw_f64_bits(lw_lit_double(v));
	if (v->k == VK_INT && v->i >= INT64_MIN && v->i <= INT64_MAX)
		f = (float)(int64_t)v->i;
	else if (v->k == VK_INT)
		f = (float)(uint64_t)v->i;
	else
		f = (float)v->f;
	return lw_fold_cvt(ATLAS_F32, t, f32_bits(f));
}

int lw_truth(const struct val *v)
{
	switch (v->k) {
	case VK_INT:
		return v->i != 0;
	case VK_FLOAT:
		return v->f != 0 || isnan(v->f);
	default:
		return lw_fold_cmp(COND_NE, v->t, v->bits, 0);
	}
}

void lw_set_const(struct val *v, int t, uint64_t bits)
{
	memset(v, 0, sizeof *v);
	v->k = VK_CONST;
	v->t = t;
	v->bits = bits;
}

void lw_set_reg(struct val *v, int t, uint16_t r)
{
	memset(v, 0, sizeof *v);
	v->k = VK_REG;
	v->t = t;
	v->reg = r;
}

int lw_is_const(const struct val *v)
{
	return v->k == VK_CONST || v->k == VK_INT || v->k == VK_FLOAT;
}

__int128 lw_const_int(const struct val *v)
{
	unsigned sh;

	if (v->k == VK_INT)
		return v->i;
	sh = 64 - 8 * lt_size(v->t);
	if (lt_signed(v->t))
		return (int64_t)(v->bits << sh) >> sh;
	return (__int128)v->bits;
}

/* dst when a result of type t may go there (dt), else LW_NONE. */
uint16_t lw_dst_for(uint16_t dst, int dt, int t)
{
	return dt == LT_ANY || dt == t ? dst : LW_NONE;
}

/* ---- registers for values ------------------------------------------------ */

int lw_reg(struct lw *w, struct val *v)
{
	struct lw_centry key, *c;
	uint16_t r = 0;

	if (v->k == VK_REG)
		return 0;
	if (v->k == VK_INT || v->k == VK_FLOAT) {
		v->bits = lit_bits(v, lw_lit_type(v));
		v->t = lw_lit_type(v);
		v->k = VK_CONST;
	}
	memset(&key, 0, sizeof key);
	key.kind = CK_IMM;
	key.t = lt_isa(v->t);
	key.bits = v->bits;
	c = lw_cache_find(w, &key);
	if (c) {
		lw_set_reg(v, v->t, c->reg);
		return 0;
	}
	if (lw_alloc(w, R_TEMP, &r) || lw_emit_imm(w, v->t, r, v->bits))
		return -1;
	key.reg = r;
	lw_cache_add(w, &key);
	lw_set_reg(v, v->t, r);
	return 0;
}

int lw_dest(struct lw *w, int t, uint16_t dst, int dt, uint16_t *r)
{
	if (dst != LW_NONE && (dt == LT_ANY || dt == t)) {
		*r = dst;
		return 0;
	}
	return lw_alloc(w, R_TEMP, r);
}

/* A register holding constant bits of type t. */
int lw_const_reg(struct lw *w, int t, uint64_t bits, uint16_t *r)
{
	struct val v;

	lw_set_const(&v, t, bits);
	if (lw_reg(w, &v))
		return -1;
	*r = v.reg;
	return 0;
}

/* The truth of register value v as a bool in a register. */
static int truth_reg(struct lw *w, struct val *v, uint16_t dst)
{
	uint16_t p = 0, zero = 0, one = 0, fals = 0, r = 0;

	if (lw_const_reg(w, v->t, 0, &zero) ||
	    lw_const_reg(w, KL_BOOL, 1, &one) ||
	    lw_const_reg(w, KL_BOOL, 0, &fals) || lw_palloc(w, &p) ||
	    lw_emit_setcc(w, COND_NE, v->t, p, v->reg, zero))
		return -1;
	if (v->reg != dst)
		lw_release(w, v);
	if (dst != LW_NONE)
		r = dst;
	else if (lw_alloc(w, R_TEMP, &r))
		return -1;
	if (lw_emit_sel(w, KL_BOOL, r, p, one, fals))
		return -1;
	lw_pfree(w, p);
	lw_set_reg(v, KL_BOOL, r);
	return 0;
}

int lw_to(struct lw *w, struct val *v, int t, uint16_t dst,
	  const struct kl_expr *e)
{
	struct lw_centry key, *c;
	char buf[48];
	int from, stable;

	switch (v->k) {
	case VK_INT:
	case VK_FLOAT:
		if (v->k == VK_INT && !lw_fits(v->i, t))
			return lw_fail(w, e ? e->line : w->line,
				       e ? e->col : w->col,
				       "integer literal %s does not fit in %s",
				       lw_i128_str(buf, v->i), lt_name(t));
		lw_set_const(v, t, lit_bits(v, t));
		return 0;
	case VK_CONST:
		if (v->t != t)
			lw_set_const(v, t, lw_fold_cvt(v->t, t, v->bits));
		return 0;
	case VK_REG:
		break;
	default:
		return lw_fail(w, w->line, w->col, "value expected");
	}
	if (v->t == t)
		return 0;
	if (t == KL_BOOL)
		return truth_reg(w, v, dst);
	from = lt_isa(v->t);
	/* a parameter or variable converted again in the same statement */
	memset(&key, 0, sizeof key);
	key.kind = CK_CVT;
	key.t = lt_isa(t);
	key.from = from;
	key.src = v->reg;
	stable = dst == LW_NONE &&
		 (w->rs[v->reg] == R_VAR || w->rs[v->reg] == R_FIXED);
	if (stable && (c = lw_cache_find(w, &key)) != NULL) {
		lw_set_reg(v, t, c->reg);
		return 0;
	}
	while (from != lt_isa(t)) {
		int next = cvt_next(from, lt_isa(t));
		uint16_t r = 0;

		if (v->reg != dst)
			lw_release(w, v);
		if (next == lt_isa(t) && dst != LW_NONE)
			r = dst;
		else if (lw_alloc(w, R_TEMP, &r))
			return -1;
		if (lw_emit_cvt(w, next, from, r, v->reg))
			return -1;
		v->reg = r;
		from = next;
	}
	v->t = t;
	if (stable) {
		key.reg = v->reg;
		lw_cache_add(w, &key);
	}
	return 0;
}

int lw_put(struct lw *w, struct val *v, int t, uint16_t dst)
{
	if (lw_to(w, v, t, dst, NULL))
		return -1;
	if (v->k == VK_CONST)
		return lw_emit_imm(w, t, dst, v->bits);
	if (v->reg == dst)
		return 0;
	lw_release(w, v);
	return lw_emit_un(w, OP_MOV, t, dst, v->reg);
}

int lw_into(struct lw *w, const struct kl_expr *e, int t, uint16_t dst,
	    const char *what)
{
	struct val v;
	int from;

	if (lw_expr(w, e, &v, dst, t))
		return -1;
	if (v.k == VK_REG && v.reg == dst)
		return 0;
	from = lw_vtype(&v);
	if (!lw_implicit_ok(from, t))
		return lw_efail(w, e, "cannot assign %s to %s without a cast",
				lt_name(from), what);
	return lw_to(w, &v, t, dst, e) || lw_put(w, &v, t, dst) ? -1 : 0;
}

/* ---- operations ---------------------------------------------------------- */

int lw_unop(struct lw *w, enum isa_op op, int t, struct val *a, struct val *v,
	    uint16_t dst, int dt)
{
	uint16_t r = 0;

	if (a->k == VK_CONST) {
		lw_set_const(v, t, lw_fold_un(op, t, a->bits));
		return 0;
	}
	if (lw_reg(w, a))
		return -1;
	lw_release(w, a);
	if (lw_dest(w, t, dst, dt, &r) || lw_emit_un(w, op, t, r, a->reg))
		return -1;
	lw_set_reg(v, t, r);
	return 0;
}

int lw_binop(struct lw *w, const struct kl_expr *e, enum isa_op op, int t,
	     struct val *a, struct val *b, struct val *v, uint16_t dst, int dt)
{
	uint64_t bits;
	uint16_t r = 0;

	if (a->k == VK_CONST && b->k == VK_CONST) {
		if (lw_fold_bin(op, t, a->bits, b->bits, &bits))
			return lw_efail(w, e, "division by zero");
		lw_set_const(v, t, bits);
		return 0;
	}
	if (lw_reg(w, a) || lw_reg(w, b))
		return -1;
	lw_release(w, a);
	lw_release(w, b);
	if (lw_dest(w, t, dst, dt, &r) ||
	    lw_emit_bin(w, op, t, r, a->reg, b->reg))
		return -1;
	lw_set_reg(v, t, r);
	return 0;
}

/* ---- arrays ---------------------------------------------------------------
 */

/* Can the value of e be remembered within a statement? */
static int cacheable(const struct kl_expr *e)
{
	switch (e->kind) {
	case KE_VAR:
	case KE_INT:
	case KE_FLOAT:
	case KE_BOOL:
		return 1;
	case KE_UNARY:
		return cacheable(e->a);
	case KE_BINARY:
		return cacheable(e->a) && cacheable(e->b);
	case KE_IFEXPR:
		return cacheable(e->a) && cacheable(e->b) && cacheable(e->c);
	case KE_CALL:
		if (!lw_call_safe(e))
			return 0;
		for (size_t i = 0; i < e->nargs; i++)
			if (!cacheable(e->args[i]))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static unsigned log2_size(int t)
{
	unsigned s = lt_size(t), k = 0;

	while ((1u << k) < s)
		k++;
	return k;
}

int lw_addr(struct lw *w, long pi, const struct kl_expr *e, struct isa_addr *a)
{
	const int t = lw_param_type(w, pi);
	const unsigned sh = log2_size(t);
	struct lw_centry key, *c;
	struct val v, k;
	char buf[48];
	int can = cacheable(e);
	uint16_t r = 0;

	memset(a, 0, sizeof *a);
	a->base = (uint16_t)(pi + 1);
	if (lw_is_gid(w, e) && w->gid_off[sh] != LW_NONE) {
		a->mode = ADDR_REGREG; /* set at entry */
		a->index = w->gid_off[sh];
		return 0;
	}
	memset(&key, 0, sizeof key);
	key.kind = CK_OFFSET;
	key.e = e;
	key.shift = sh;
	if (can && (c = lw_cache_find(w, &key)) != NULL) {
		a->mode = ADDR_REGREG;
		a->index = c->reg;
		return 0;
	}
	if (lw_expr(w, e, &v, LW_NONE, LT_ANY))
		return -1;
	if (!lt_intlike(lw_vtype(&v)))
		return lw_efail(w, e, "array index must be an integer, got %s",
				lt_name(lw_vtype(&v)));
	if (lw_is_const(&v)) {
		__int128 i = lw_const_int(&v);

		if (i < 0)
			return lw_efail(w, e, "negative array index %s",
					lw_i128_str(buf, i));
		if (i > (__int128)(UINT64_MAX >> sh))
			return lw_efail(w, e, "array index %s is too large",
					lw_i128_str(buf, i));
		if (i <= (INT32_MAX >> sh)) {
			a->mode = ADDR_REG;
			a->offset = (int64_t)(i << sh);
			return 0;
		}
		lw_set_const(&v, ATLAS_U64, (uint64_t)i << sh);
		if (lw_reg(w, &v))
			return -1;
		a->mode = ADDR_REGREG;
		a->index = v.reg;
		return 0;
	}
	if (lw_to(w, &v, ATLAS_U64, LW_NONE, e))
		return -1;
	if (sh) {
		lw_set_const(&k, ATLAS_U32, sh);
		if (lw_reg(w, &k))
			return -1;
		lw_release(w, &v);
		if (lw_alloc(w, R_TEMP, &r) ||
		    lw_emit_bin(w, OP_SHL, ATLAS_U64, r, v.reg, k.reg))
			return -1;
		v.reg = r;
	}
	if (can && w->rs[v.reg] == R_TEMP) {
		key.reg = v.reg;
		lw_cache_add(w, &key);
	}
	a->mode = ADDR_REGREG;
	a->index = v.reg;
	return 0;
}

/* The array parameter named by e (a KE_VAR), or -1 with an error. */
long lw_array_of(struct lw *w, const struct kl_expr *e)
{
	long pi;

	if (e->kind != KE_VAR)
		return lw_efail(w, e, "only a parameter array can be indexed");
	pi = lw_param_find(w, e->name);
	if (pi >= 0 && w->k->params[pi].type.array)
		return pi;
	if (pi < 0 && !lw_var_find(w, e->name))
		return lw_efail(w, e, "undeclared name '%s'", e->name);
	return lw_efail(w, e, "'%s' is not an array", e->name);
}

int lw_load(struct lw *w, const struct kl_expr *e, struct val *v, uint16_t dst,
	    int dt)
{
	long pi = lw_array_of(w, e->a);
	struct isa_addr addr;
	struct isa_insn in;
	struct val x;
	uint16_t r = 0;
	int t;

	if (pi < 0 || lw_addr(w, pi, e->b, &addr))
		return -1;
	t = lw_param_type(w, pi);
	if (lw_dest(w, t, dst, dt, &r))
		return -1;
	memset(&in, 0, sizeof in);
	in.op = OP_LDG;
	in.type = (uint8_t)lt_isa(t);
	in.pred = ISA_NO_PRED;
	in.dst = r;
	in.addr = addr;
	if (lw_emit(w, &in))
		return -1;
	lw_set_reg(v, t, r);
	if (t != KL_BOOL)
		return 0;
	/* bytes of a bool array other than 0 count as true: make them 1 */
	lw_set_reg(&x, ATLAS_U8, r);
	if (lw_to(w, &x, KL_BOOL, r, e))
		return -1;
	return 0;
}

int lw_var_value(struct lw *w, const struct kl_expr *e, struct val *v)
{
	long pi = lw_param_find(w, e->name);
	const struct lw_var *var;

	if (pi >= 0) {
		if (w->k->params[pi].type.array)
			return lw_efail(w, e, "array '%s' used as a value",
					e->name);
		lw_set_reg(v, lw_param_type(w, pi), (uint16_t)(pi + 1));
		return 0;
	}
	var = lw_var_find(w, e->name);
	if (!var && lw_var_slot(w, e->name))
		return lw_efail(w, e,
				"variable '%s' is used before it is "
				"assigned",
				e->name);
	if (!var)
		return lw_efail(w, e, "undeclared name '%s'", e->name);
	lw_set_reg(v, var->t, var->reg);
	return 0;
}
