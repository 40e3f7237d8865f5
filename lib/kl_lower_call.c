/*
 * kl_lower_call.c - lowering calls of the kernel language: the lane id,
 * the math functions, abs/min/max/pow, casts, atomics and the parallel
 * operations (pmap, pmap2, preduce).  The rules are in kl_lower.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kl_lower.h"

enum fclass {
	F_GID,	    /* get_global_id() */
	F_TRANSC,   /* exp(x) ...: a float function */
	F_ROUNDING, /* floor ceil round: integers pass through */
	F_ABS,
	F_MINMAX,
	F_POW,
	F_CAST,
	F_ATOM_TYPED, /* atomic_add_f32(arr, v): arr[0] += v */
	F_ATOM,	      /* atomic_add(arr, i, v), atomic_min(arr, i, v) */
	F_PMAP,
	F_PMAP2,
	F_PREDUCE,
	F_GEMM, /* gemm(A, B, C, row, n, k, lda, ldb, ldc[, alpha, beta[, tr]])
		 */
	F_GEMV, /* gemv(A, x, y, row, n, lda[, alpha, beta[, tr]]) */
	F_DOT	/* dot(a, b, n): a value */
};

struct fn {
	const char *name;
	enum fclass cls;
	int nargs; /* -2: at least two; -1: checked by the lowering */
	int op;	   /* enum isa_op */
	int t;	   /* F_CAST, F_ATOM_TYPED: the type */
};

static const struct fn fns[] = {
	{"get_global_id", F_GID, 0, 0, 0},
	{"exp", F_TRANSC, 1, OP_EXP, 0},
	{"expf", F_TRANSC, 1, OP_EXP, 0},
	{"log", F_TRANSC, 1, OP_LOG, 0},
	{"logf", F_TRANSC, 1, OP_LOG, 0},
	{"log2", F_TRANSC, 1, OP_LOG2, 0},
	{"log10", F_TRANSC, 1, OP_LOG10, 0},
	{"sqrt", F_TRANSC, 1, OP_SQRT, 0},
	{"sqrtf", F_TRANSC, 1, OP_SQRT, 0},
	{"rsqrt", F_TRANSC, 1, OP_RSQRT, 0},
	{"sin", F_TRANSC, 1, OP_SIN, 0},
	{"sinf", F_TRANSC, 1, OP_SIN, 0},
	{"cos", F_TRANSC, 1, OP_COS, 0},
	{"cosf", F_TRANSC, 1, OP_COS, 0},
	{"tan", F_TRANSC, 1, OP_TAN, 0},
	{"tanh", F_TRANSC, 1, OP_TANH, 0},
	{"sigmoid", F_TRANSC, 1, OP_SIGMOID, 0},
	{"erf", F_TRANSC, 1, OP_ERF, 0},
	{"floor", F_ROUNDING, 1, OP_FLOOR, 0},
	{"ceil", F_ROUNDING, 1, OP_CEIL, 0},
	{"round", F_ROUNDING, 1, OP_ROUND, 0},
	{"abs", F_ABS, 1, OP_ABS, 0},
	{"min", F_MINMAX, -2, OP_MIN, 0},
	{"max", F_MINMAX, -2, OP_MAX, 0},
	{"pow", F_POW, 2, OP_POW, 0},
	{"float", F_CAST, 1, 0, ATLAS_F32},
	{"int", F_CAST, 1, 0, ATLAS_I32},
	{"bool", F_CAST, 1, 0, KL_BOOL},
	{"i8", F_CAST, 1, 0, ATLAS_I8},
	{"i16", F_CAST, 1, 0, ATLAS_I16},
	{"i32", F_CAST, 1, 0, ATLAS_I32},
	{"i64", F_CAST, 1, 0, ATLAS_I64},
	{"u8", F_CAST, 1, 0, ATLAS_U8},
	{"u16", F_CAST, 1, 0, ATLAS_U16},
	{"u32", F_CAST, 1, 0, ATLAS_U32},
	{"u64", F_CAST, 1, 0, ATLAS_U64},
	{"f16", F_CAST, 1, 0, ATLAS_F16},
	{"bf16", F_CAST, 1, 0, ATLAS_BF16},
	{"f32", F_CAST, 1, 0, ATLAS_F32},
	{"f64", F_CAST, 1, 0, ATLAS_F64},
	{"atomic_add_f32", F_ATOM_TYPED, 2, OP_ATOM_ADD, ATLAS_F32},
	{"atomic_add_u32", F_ATOM_TYPED, 2, OP_ATOM_ADD, ATLAS_U32},
	{"atomic_add_i32", F_ATOM_TYPED, 2, OP_ATOM_ADD, ATLAS_I32},
	{"atomic_add", F_ATOM, 3, OP_ATOM_ADD, 0},
	{"atomic_min", F_ATOM, 3, OP_ATOM_MIN, 0},
	{"parallel_map_unary", F_PMAP, 4, OP_PMAP, 0},
	{"parallel_map_binary", F_PMAP2, 5, OP_PMAP2, 0},
	{"parallel_reduce", F_PREDUCE, 4, OP_PREDUCE, 0},
	{"gemm", F_GEMM, -1, OP_GEMM, 0},
	{"gemv", F_GEMV, -1, OP_GEMV, 0},
	{"dot", F_DOT, 3, OP_DOT, 0},
};

static const struct fn *fn_find(const char *name)
{
	for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
		if (strcmp(fns[i].name, name) == 0)
			return &fns[i];
	return NULL;
}

int lw_call_safe(const struct kl_expr *e)
{
	const struct fn *f = fn_find(e->name);

	return f && f->cls <= F_CAST;
}

static const char *const ordinal[] = {"first", "second", "third",  "fourth",
				      "fifth", "sixth",	 "seventh"};

/* Argument i of call e as an array parameter; -1 with an error if not. */
static long array_arg(struct lw *w, const struct kl_expr *e, size_t i)
{
	const struct kl_expr *a = e->args[i];
	long pi = a->kind == KE_VAR ? lw_param_find(w, a->name) : -1;

	if (pi < 0 || !w->k->params[pi].type.array)
		return lw_efail(w, a,
				"%s() needs an array parameter as its %s "
				"argument",
				e->name, ordinal[i]);
	return pi;
}

/* Argument i of e as a value of type t, converted as by assignment. */
static int value_arg(struct lw *w, const struct kl_expr *e, size_t i, int t,
		     const char *role, struct val *v)
{
	const struct kl_expr *a = e->args[i];

	if (lw_expr(w, a, v, LW_NONE, LT_ANY))
		return -1;
	if (!lw_implicit_ok(lw_vtype(v), t))
		return lw_efail(w, a,
				"cannot pass %s as the %s %s of %s() "
				"without a cast",
				lt_name(lw_vtype(v)), lt_name(t), role,
				e->name);
	return lw_to(w, v, t, LW_NONE, a) || lw_reg(w, v) ? -1 : 0;
}

/* A number (not bool) argument. */
static int number_arg(struct lw *w, const struct kl_expr *e, size_t i,
		      struct val *v)
{
	if (lw_expr(w, e->args[i], v, LW_NONE, LT_ANY))
		return -1;
	if (lw_vtype(v) == KL_BOOL)
		return lw_efail(w, e->args[i], "%s() needs a number, got bool",
				e->name);
	return 0;
}

/* ---- math ------------------------------------------------------------ */

/* exp(x) and the other float functions */
static int transc(struct lw *w, const struct kl_expr *e, const struct fn *f,
		  struct val *v, uint16_t dst, int dt)
{
	struct val a;
	int t;

	if (number_arg(w, e, 0, &a))
		return -1;
	t = lw_vtype(&a);
	t = lt_float(t) ? t : lw_float_of(t, t);
	if (lw_to(w, &a, t, LW_NONE, e->args[0]))
		return -1;
	return lw_unop(w, (enum isa_op)f->op, t, &a, v, dst, dt);
}

/* floor ceil round: of an integer, itself */
static int rounding(struct lw *w, const struct kl_expr *e, const struct fn *f,
		    struct val *v, uint16_t dst, int dt)
{
	struct val a;
	int t;

	if (number_arg(w, e, 0, &a))
		return -1;
	t = lw_vtype(&a);
	if (t == LT_ILIT || lt_int(t)) {
		*v = a;
		return 0;
	}
	if (t == LT_FLIT) {
		*v = a;
		v->f = f->op == OP_FLOOR ? floor(a.f) :
		       f->op == OP_CEIL	 ? ceil(a.f) :
					   nearbyint(a.f);
		return 0;
	}
	return lw_unop(w, (enum isa_op)f->op, t, &a, v, dst, dt);
}

static int abs_of(struct lw *w, const struct kl_expr *e, struct val *v,
		  uint16_t dst, int dt)
{
	struct val a;
	int t;

	if (number_arg(w, e, 0, &a))
		return -1;
	t = lw_vtype(&a);
	*v = a;
	if (t == LT_ILIT) {
		v->i = a.i < 0 ? -a.i : a.i;
		if (v->i > (((__int128)1 << 64) - 1))
			return lw_efail(w, e, "integer constant too large");
		return 0;
	}
	if (t == LT_FLIT) {
		v->f = fabs(a.f);
		return 0;
	}
	if (lt_int(t) && !lt_signed(t))
		return 0;
	return lw_unop(w, OP_ABS, t, &a, v, dst, dt);
}

/* min(a, b, ...) / max: pairwise, in the type all arguments meet in */
static int minmax(struct lw *w, const struct kl_expr *e, const struct fn *f,
		  struct val *v, uint16_t dst, int dt)
{
	struct val args[16] = {{0}}, acc;
	int t = -1;

	if (e->nargs > 16)
		return lw_efail(w, e,
				"%s() takes at most 16 arguments, got %zu",
				e->name, e->nargs);
	for (size_t i = 0; i < e->nargs; i++) {
		if (number_arg(w, e, i, &args[i]))
			return -1;
		t = i == 0 ? lw_vtype(&args[0]) :
			     lw_meet(w, t, lw_vtype(&args[i]), e);
		if (t < 0)
			return -1;
	}
	if (t == LT_ILIT || t == LT_FLIT) {
		/* literals alone: fold; NaN loses, as in the instruction */
		acc = args[0];
		for (size_t i = 1; i < e->nargs; i++) {
			const struct val *b = &args[i];
			int take;

			if (t == LT_ILIT) {
				take = f->op == OP_MIN ? b->i < acc.i :
							 b->i > acc.i;
			} else {
				double x = acc.k == VK_INT ? (double)acc.i :
							     acc.f,
				       y = b->k == VK_INT ? (double)b->i : b->f;

				take = isnan(x) ||
				       (f->op == OP_MIN ? y < x : y > x);
				acc.k = VK_FLOAT;
				acc.f = x;
				if (take)
					acc.f = y;
				continue;
			}
			if (take)
				acc = *b;
		}
		*v = acc;
		return 0;
	}
	for (size_t i = 0; i < e->nargs; i++)
		if (lw_to(w, &args[i], t, LW_NONE, e->args[i]))
			return -1;
	acc = args[0];
	for (size_t i = 1; i < e->nargs; i++) {
		struct val r;

		if (lw_binop(w, e, (enum isa_op)f->op, t, &acc, &args[i], &r,
			     i + 1 == e->nargs ? dst : LW_NONE, dt))
			return -1;
		acc = r;
	}
	*v = acc;
	return 0;
}

/* float(x), int(x), f32(x), u8(x), bool(x) ... */
static int cast(struct lw *w, const struct kl_expr *e, int t, struct val *v,
		uint16_t dst, int dt)
{
	struct val a;

	if (lw_expr(w, e->args[0], &a, LW_NONE, LT_ANY))
		return -1;
	if (a.k == VK_INT && lt_int(t)) {
		/* an explicit cast wraps a literal into the type */
		a.i = (__int128)((uint64_t)a.i &
				 (lt_size(t) == 8 ?
					  ~(uint64_t)0 :
					  ((uint64_t)1 << (8 * lt_size(t))) -
						  1));
		if (lt_signed(t) && lt_size(t) < 8 &&
		    (a.i >> (8 * lt_size(t) - 1)))
			a.i -= (__int128)1 << (8 * lt_size(t));
		else if (lt_signed(t) && a.i > INT64_MAX)
			a.i -= (__int128)1 << 64;
	}
	if (lw_vtype(&a) == KL_BOOL && t != KL_BOOL)
		a.t = ATLAS_U8; /* 0 or 1 */
	if (lw_to(w, &a, t,
		  dst != LW_NONE && (dt == LT_ANY || dt == t) ? dst : LW_NONE,
		  e->args[0]))
		return -1;
	*v = a;
	return 0;
}

/* ---- atomics ------------------------------------------------------------ */

static int emit_atom(struct lw *w, enum isa_op op, int t,
		     const struct isa_addr *addr, uint16_t src)
{
	struct isa_insn in;

	memset(&in, 0, sizeof in);
	in.op = (uint16_t)op;
	in.type = (uint8_t)lt_isa(t);
	in.pred = ISA_NO_PRED;
	in.addr = *addr;
	in.src[0] = src;
	return lw_emit(w, &in);
}

/* atomic_add_f32(arr, v) / _u32 / _i32: arr[0] += v */
static int atom_typed(struct lw *w, const struct kl_expr *e, const struct fn *f)
{
	struct isa_addr addr;
	struct val v;
	long pi = array_arg(w, e, 0);

	if (pi < 0)
		return -1;
	if (lw_param_type(w, pi) != f->t)
		return lw_efail(w, e->args[0],
				"%s() needs a DeviceArray[%s], got "
				"DeviceArray[%s]",
				e->name, lt_name(f->t),
				lt_name(lw_param_type(w, pi)));
	if (value_arg(w, e, 1, f->t, "value", &v))
		return -1;
	memset(&addr, 0, sizeof addr);
	addr.mode = ADDR_REG;
	addr.base = (uint16_t)(pi + 1);
	return emit_atom(w, (enum isa_op)f->op, f->t, &addr, v.reg);
}

/*
 * atomic_add(arr, i, v) returns the old arr[i] (atom.fetch_add);
 * atomic_min(arr, i, v) returns nothing.
 */
static int atom(struct lw *w, const struct kl_expr *e, const struct fn *f,
		struct val *res, uint16_t dst, int dt)
{
	struct isa_addr addr;
	struct isa_insn in;
	struct val v;
	long pi = array_arg(w, e, 0);
	uint16_t r = 0;
	int t;

	if (pi < 0)
		return -1;
	t = lw_param_type(w, pi);
	if (t == KL_BOOL || !(isa_op_table[f->op].types & TM(lt_isa(t))))
		return lw_efail(w, e->args[0],
				"%s() needs an array of i32, i64, u32, u64, "
				"f32 or f64, got DeviceArray[%s]",
				e->name, lt_name(t));
	if (lw_addr(w, pi, e->args[1], &addr) ||
	    value_arg(w, e, 2, t, "value", &v))
		return -1;
	if (f->op != OP_ATOM_ADD)
		return emit_atom(w, (enum isa_op)f->op, t, &addr, v.reg);
	if (lw_dest(w, t, dst, dt, &r))
		return -1;
	memset(&in, 0, sizeof in);
	in.op = OP_ATOM_FETCH_ADD;
	in.type = (uint8_t)lt_isa(t);
	in.pred = ISA_NO_PRED;
	in.addr = addr;
	in.src[0] = v.reg;
	in.dst = r;
	if (lw_emit(w, &in))
		return -1;
	lw_set_reg(res, t, r);
	return 0;
}

/*
 * The first narr arguments of a high-order or BLAS call: arrays, all of
 * f32 or all of f64; their type, or -1.
 */
static int float_arrays(struct lw *w, const struct kl_expr *e, size_t narr,
			long *pa)
{
	int t;

	for (size_t i = 0; i < narr; i++)
		if ((pa[i] = array_arg(w, e, i)) < 0)
			return -1;
	t = lw_param_type(w, pa[0]);
	for (size_t i = 0; i < narr; i++)
		if (lw_param_type(w, pa[i]) != t ||
		    (t != ATLAS_F32 && t != ATLAS_F64))
			return lw_efail(w, e->args[i],
					"%s() needs arrays of f32 or of f64, "
					"got DeviceArray[%s]",
					e->name,
					lt_name(lw_param_type(w, pa[i])));
	return t;
}

/* ---- parallel operations ------------------------------------------------- */

static int parallel(struct lw *w, const struct kl_expr *e, const struct fn *f)
{
	const size_t narr = f->cls == F_PMAP2 ? 3 : 2, iop = narr;
	const struct kl_expr *opn = e->args[iop];
	long pa[3];
	struct isa_insn in;
	struct val n;
	int t, sub;

	if ((t = float_arrays(w, e, narr, pa)) < 0)
		return -1;
	if (opn->kind != KE_STRING)
		return lw_efail(w, opn,
				"%s() operation must be a string literal",
				e->name);
	sub = f->cls == F_PMAP ?
		      isa_name_find(isa_map_names, MAP_COUNT, opn->str) :
	      f->cls == F_PMAP2 ?
		      isa_name_find(isa_map2_names, MAP2_COUNT, opn->str) :
		      isa_name_find(isa_red_names, RED_COUNT, opn->str);
	if (sub < 0)
		return lw_efail(w, opn, "unknown %s() operation '%s'", e->name,
				opn->str);
	if (value_arg(w, e, iop + 1, ATLAS_U32, "count", &n))
		return -1;
	memset(&in, 0, sizeof in);
	in.op = (uint16_t)f->op;
	in.type = (uint8_t)t;
	in.sub = (uint8_t)sub;
	in.pred = ISA_NO_PRED;
	/* pmap rOut, rIn, rN / pmap2 rOut, rA, rB, rN / preduce rOut, rIn,
	   rN: the output array is the last array argument */
	in.dst = (uint16_t)(pa[narr - 1] + 1);
	in.src[0] = (uint16_t)(pa[0] + 1);
	if (f->cls == F_PMAP2) {
		in.src[1] = (uint16_t)(pa[1] + 1);
		in.src[2] = n.reg;
	} else {
		in.src[1] = n.reg;
	}
	return lw_emit(w, &in);
}

/* ---- BLAS ---------------------------------------------------------------- */

/*
 * gemm(A, B, C, row, n, k, lda, ldb, ldc[, alpha, beta[, "nt"]]) and
 * gemv(A, x, y, row, n, lda[, alpha, beta[, "t"]]): alpha 1 and beta 0
 * when left out, no transposes.
 */
static int blas_rows(struct lw *w, const struct kl_expr *e, const struct fn *f)
{
	const int gemm = f->cls == F_GEMM;
	const size_t nu = gemm ? 6 : 3, base = 3 + nu; /* row.. ld */
	const char *const *names = gemm ? isa_gemm_trans_names :
					  isa_gemv_trans_names;
	struct isa_insn in;
	struct val v;
	long pa[3];
	int t, sub = 0;

	if (e->nargs != base && e->nargs != base + 2 && e->nargs != base + 3)
		return lw_efail(w, e,
				"%s() takes %zu, %zu or %zu arguments, got %zu",
				e->name, base, base + 2, base + 3, e->nargs);
	if ((t = float_arrays(w, e, 3, pa)) < 0)
		return -1;
	memset(&in, 0, sizeof in);
	in.op = (uint16_t)f->op;
	in.type = (uint8_t)t;
	in.pred = ISA_NO_PRED;
	/* gemm rC, rA, rB, ... / gemv rY, rA, rX, ...: the output array is
	   the third argument */
	in.dst = (uint16_t)(pa[2] + 1);
	in.src[0] = (uint16_t)(pa[0] + 1);
	in.src[1] = (uint16_t)(pa[1] + 1);
	for (size_t i = 3; i < base; i++) {
		static const char *const roles[] = {"row",
						    "size",
						    "size",
						    "leading dimension",
						    "leading dimension",
						    "leading dimension"};

		if (value_arg(w, e, i, ATLAS_U32,
			      roles[gemm || i < 5 ? i - 3 : i], &v))
			return -1;
		in.src[i - 1] = v.reg;
	}
	for (size_t i = 0; i < 2; i++) {
		uint16_t r;

		if (e->nargs > base) {
			if (value_arg(w, e, base + i, t, i ? "beta" : "alpha",
				      &v))
				return -1;
			r = v.reg;
		} else if (lw_const_reg(w, t,
					i	       ? 0 :
					t == ATLAS_F32 ? 0x3f800000u :
							 0x3ff0000000000000ull,
					&r)) {
			return -1;
		}
		in.src[base - 1 + i] = r;
	}
	if (e->nargs == base + 3) {
		const struct kl_expr *tr = e->args[base + 2];

		if (tr->kind != KE_STRING ||
		    (sub = isa_name_find(names,
					 gemm ? ISA_GEMM_TRANS : ISA_GEMV_TRANS,
					 tr->str)) < 0)
			return lw_efail(w, tr,
					"%s() transpose must be %s, as a "
					"string literal",
					e->name,
					gemm ? "\"nn\", \"tn\", \"nt\" or "
					       "\"tt\"" :
					       "\"n\" or \"t\"");
	}
	in.sub = (uint8_t)sub;
	return lw_emit(w, &in);
}

/* dot(a, b, n): the sum of a[i] * b[i] for i < n, in the arrays' type. */
static int dot(struct lw *w, const struct kl_expr *e, struct val *res,
	       uint16_t dst, int dt)
{
	struct isa_insn in;
	struct val n;
	long pa[2];
	uint16_t r = 0;
	int t;

	if ((t = float_arrays(w, e, 2, pa)) < 0 ||
	    value_arg(w, e, 2, ATLAS_U32, "count", &n) ||
	    lw_dest(w, t, dst, dt, &r))
		return -1;
	memset(&in, 0, sizeof in);
	in.op = OP_DOT;
	in.type = (uint8_t)t;
	in.pred = ISA_NO_PRED;
	in.dst = r;
	in.src[0] = (uint16_t)(pa[0] + 1);
	in.src[1] = (uint16_t)(pa[1] + 1);
	in.src[2] = n.reg;
	if (lw_emit(w, &in))
		return -1;
	lw_set_reg(res, t, r);
	return 0;
}

/* ---- calls --------------------------------------------------------------- */

static int check_nargs(struct lw *w, const struct kl_expr *e,
		       const struct fn *f)
{
	if (f->nargs == -1)
		return 0;
	if (f->nargs == -2) {
		if (e->nargs >= 2)
			return 0;
		return lw_efail(w, e,
				"%s() takes at least 2 arguments, got %zu",
				e->name, e->nargs);
	}
	if (e->nargs == (size_t)f->nargs)
		return 0;
	if (f->nargs == 0)
		return lw_efail(w, e, "%s() takes no arguments, got %zu",
				e->name, e->nargs);
	return lw_efail(w, e, "%s() takes %d argument%s, got %zu", e->name,
			f->nargs, f->nargs == 1 ? "" : "s", e->nargs);
}

int lw_call(struct lw *w, const struct kl_expr *e, struct val *v, uint16_t dst,
	    int dt)
{
	const struct fn *f = fn_find(e->name);

	memset(v, 0, sizeof *v);
	if (!f)
		return lw_efail(w, e, "unknown function '%s'", e->name);
	if (check_nargs(w, e, f))
		return -1;
	switch (f->cls) {
	case F_GID:
		v->k = VK_REG;
		v->t = ATLAS_U64;
		v->reg = ISA_REG_GLOBAL_LANE;
		return 0;
	case F_TRANSC:
		return transc(w, e, f, v, dst, dt);
	case F_ROUNDING:
		return rounding(w, e, f, v, dst, dt);
	case F_ABS:
		return abs_of(w, e, v, dst, dt);
	case F_MINMAX:
		return minmax(w, e, f, v, dst, dt);
	case F_POW:
		return lw_power(w, e, e->args[0], e->args[1], v, dst, dt);
	case F_CAST:
		return cast(w, e, f->t, v, dst, dt);
	case F_ATOM_TYPED:
		return atom_typed(w, e, f);
	case F_ATOM:
		return atom(w, e, f, v, dst, dt);
	case F_GEMM:
	case F_GEMV:
		return blas_rows(w, e, f);
	case F_DOT:
		return dot(w, e, v, dst, dt);
	default:
		return parallel(w, e, f);
	}
}
