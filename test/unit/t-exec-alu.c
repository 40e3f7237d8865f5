/*
 * t-exec-alu.c - every arithmetic, logic, compare, select, move and
 * transcendental instruction for every type it accepts, run through the
 * engine and checked lane by lane against a reference written here.
 *
 * Each (operation, type) runs as many small programs: each source operand
 * varying (loaded per lane), uniform (a scalar parameter), an immediate
 * (mov_imm) or affine (derived from r255, integer types only); the
 * operation on all lanes, inside a divergent branch taken by the odd
 * lanes (operands loaded inside the branch), or by the lanes below a cut
 * (operands loaded before it, the destination preloaded from the output);
 * in place (destination = first source) or not; over 1 to 3000 lanes, so
 * that launches cross the engine's 2048-lane blocks.
 */
#include <float.h>

#include "tap.h"
#include "exec_util.h"

enum shape { SV, SU, SI, SA };
static const char shape_ch[] = "VUIA";

enum mask { M_ALL, M_ODD, M_CUT };

struct tcase {
	enum isa_op op;
	int cond;	    /* SETCC */
	enum atlas_type t;  /* operand type */
	enum atlas_type to; /* stored result type */
	int nsrc;
	enum atlas_type st[3]; /* source types */
	int psh;	       /* SEL: predicate 0 varying, 1 true, 2 false */
};

/* One source operand: its lane values. */
struct opnd {
	enum shape sh;
	enum atlas_type t;
	uint64_t *v;	/* SV: n values */
	uint64_t u;	/* SU, SI */
	uint64_t kb[2]; /* SA: lane i holds kb[1] + i * kb[0] */
};

static uint64_t opnd_val(const struct opnd *o, size_t i)
{
	switch (o->sh) {
	case SV:
		return o->v[i];
	case SA:
		return (o->kb[1] + (uint64_t)i * o->kb[0]) & tmask(o->t);
	default:
		return o->u;
	}
}

static int is_transc(enum isa_op op)
{
	return isa_op_table[op].group == GRP_TRANSC;
}

/* ---- input values -----------------------------------------------------------
 */

static uint64_t gen_int(enum atlas_type t)
{
	uint64_t min = (uint64_t)1 << (8 * tsz(t) - 1);
	const uint64_t special[] = {0,
				    1,
				    tmask(t),
				    min,
				    min - 1,
				    min + 1,
				    2,
				    tmask(t) - 1,
				    0x5555555555555555u,
				    0xa5a5a5a5a5a5a5a5u};
	unsigned r = (unsigned)(rnd() % 8);

	if (r < 2)
		return special[rnd() % (sizeof special / sizeof *special)] &
		       tmask(t);
	if (r < 4)
		return (uint64_t)((int64_t)(rnd() % 41) - 20) & tmask(t);
	return rnd() & tmask(t);
}

static uint64_t from_double(double v, enum atlas_type t)
{
	switch (t) {
	case ATLAS_F16:
		return f32_to_half((float)v, 0);
	case ATLAS_BF16:
		return f32_to_half((float)v, 1);
	case ATLAS_F32:
		return bits_f32((float)v);
	default:
		return bits_f64(v);
	}
}

static uint64_t gen_float(enum atlas_type t)
{
	const double special[] = {0.0,	     -0.0, 1.0,	 -1.0,	INFINITY,
				  -INFINITY, NAN,  0.5,	 2.0,	3.0,
				  -2.5,	     1e-3, 1e30, -1e-30};
	int lo = t == ATLAS_F16 ? -16 : -40, hi = t == ATLAS_F16 ? 16 : 40;
	unsigned r = (unsigned)(rnd() % 16);
	double v;

	if (r < 3)
		return from_double(
			special[rnd() % (sizeof special / sizeof *special)], t);
	if (r == 3)
		return rnd() & tmask(t);
	v = ldexp(1 + rndf(), lo + (int)(rnd() % (unsigned)(hi - lo)));
	return from_double(rnd() & 1 ? -v : v, t);
}

/* An input of a transcendental, inside the function's useful domain. */
static uint64_t gen_transc(enum isa_op op, enum atlas_type t, int k)
{
	const double special[] = {0.0, -0.0, INFINITY, -INFINITY,
				  NAN, 1.0,  -1.0,     0.5};
	double v;

	if (rnd() % 10 == 0)
		return from_double(special[rnd() % 8], t);
	switch (op) {
	case OP_POW: /* a base in [0, 4), an exponent in [-8, 8) */
		v = k == 0 ? rndf() * 4 : rndf() * 16 - 8;
		break;
	case OP_EXP:
	case OP_SIGMOID:
	case OP_TANH:
		v = (rndf() * 2 - 1) * (t == ATLAS_F16 ? 12 : 100);
		break;
	case OP_LOG:
	case OP_LOG2:
	case OP_LOG10:
	case OP_SQRT:
	case OP_RSQRT:
		v = ldexp(1 + rndf(), (int)(rnd() % 60) - 30);
		if (rnd() % 16 == 0)
			v = -v;
		break;
	default: /* sin cos tan */
		v = (rndf() * 2 - 1) * (rnd() % 4 ? 10 : 1000);
		break;
	}
	return from_double(v, t);
}

static uint64_t gen(const struct tcase *c, int k)
{
	enum atlas_type t = c->st[k];

	if ((c->op == OP_SHL || c->op == OP_SHR) && k == 1)
		return rnd() % 200;
	if (is_transc(c->op))
		return gen_transc(c->op, t, k);
	if (t_int(t)) {
		uint64_t v = gen_int(t);

		if ((c->op == OP_DIV || c->op == OP_FLOORDIV ||
		     c->op == OP_MOD) &&
		    k == 1 && v == 0)
			v = 3;
		return v;
	}
	return gen_float(t);
}

/* ---- the reference
 * ------------------------------------------------------------ */

static int cmp_holds(int cond, int lt, int eq, int unordered)
{
	if (unordered)
		return cond == COND_NE;
	switch (cond) {
	case COND_EQ:
		return eq;
	case COND_NE:
		return !eq;
	case COND_LT:
	case COND_LTU:
		return lt;
	case COND_LE:
	case COND_LEU:
		return lt || eq;
	case COND_GT:
	case COND_GTU:
		return !lt && !eq;
	default:
		return !lt;
	}
}

static uint64_t ref_int(const struct tcase *c, uint64_t x, uint64_t y,
			uint64_t z)
{
	enum atlas_type t = c->t;
	uint64_t m = tmask(t);
	unsigned w = 8 * (unsigned)tsz(t);
	int s = t_sint(t);
	int64_t a = sx(x, t), b = sx(y, t);

	x &= m;
	z &= m;
	if (c->op != OP_SHL && c->op != OP_SHR)
		y &= m;
	switch (c->op) {
	case OP_MOV:
		return x;
	case OP_ADD:
		return (x + y) & m;
	case OP_SUB:
		return (x - y) & m;
	case OP_MUL:
		return (x * y) & m;
	case OP_DIV:
		if (!s)
			return x / y;
		if (b == -1)
			return (0 - x) & m;
		return (uint64_t)(a / b) & m;
	case OP_FLOORDIV: /* toward minus infinity */
		if (!s)
			return x / y;
		if (b == -1)
			return (0 - x) & m;
		return (uint64_t)(a / b - (a % b != 0 && (a < 0) != (b < 0))) &
		       m;
	case OP_MOD: /* the sign of the divisor */
		if (!s)
			return x % y;
		if (b == -1)
			return 0;
		return (uint64_t)(a % b != 0 && (a % b < 0) != (b < 0) ?
					  a % b + b :
					  a % b) &
		       m;
	case OP_MIN:
		return (s ? b < a : y < x) ? y : x;
	case OP_MAX:
		return (s ? b > a : y > x) ? y : x;
	case OP_ABS:
		return a < 0 ? (0 - x) & m : x;
	case OP_NEG:
		return (0 - x) & m;
	case OP_AND:
		return x & y;
	case OP_OR:
		return x | y;
	case OP_XOR:
		return x ^ y;
	case OP_NOT:
		return ~x & m;
	case OP_SHL:
		return (x << (y % w)) & m;
	case OP_SHR:
		if (s) /* arithmetic: floor division by 2^s */
			return (uint64_t)(a < 0 ? ~(~a >> (y % w)) :
						  a >> (y % w)) &
			       m;
		return x >> (y % w);
	case OP_MAD:
		return (x * y + z) & m;
	case OP_SETCC:
		return (uint64_t)cmp_holds(c->cond, s ? a < b : x < y, x == y,
					   0);
	default:
		return 0;
	}
}

/* Round a double to float type t, the way the engine gets there. */
static uint64_t round_to(double v, enum atlas_type t)
{
	return from_double(t == ATLAS_F64 ? v : (double)(float)v, t);
}

/*
 * Python's float divmod (Objects/floatobject.c), in the precision of the
 * type: halves are computed in f32, as the engine widens them.
 */
#define PY_DIVMOD(name, T, FMOD, FLOOR, COPYSIGN)                              \
	static T pymod_##name(T x, T y)                                        \
	{                                                                      \
		T mod = FMOD(x, y);                                            \
		if (mod)                                                       \
			return (y < 0) != (mod < 0) ? mod + y : mod;           \
		return COPYSIGN(0, y);                                         \
	}                                                                      \
	static T pyfloordiv_##name(T x, T y)                                   \
	{                                                                      \
		T mod = FMOD(x, y), div = (x - mod) / y, fd;                   \
		if (mod && (y < 0) != (mod < 0))                               \
			div -= 1;                                              \
		if (!div)                                                      \
			return COPYSIGN(0, x / y);                             \
		fd = FLOOR(div);                                               \
		if (div - fd > (T)0.5)                                         \
			fd += 1;                                               \
		return fd;                                                     \
	}
PY_DIVMOD(f, float, fmodf, floorf, copysignf)
PY_DIVMOD(d, double, fmod, floor, copysign)

static uint64_t ref_float(const struct tcase *c, uint64_t bx, uint64_t by,
			  uint64_t bz)
{
	enum atlas_type t = c->t;
	double x = fval(bx, t), y = fval(by, t), z = fval(bz, t), p;

	switch (c->op) {
	case OP_MOV:
		return bx;
	case OP_ADD:
		return round_to(x + y, t);
	case OP_SUB:
		return round_to(x - y, t);
	case OP_MUL:
		return round_to(x * y, t);
	case OP_DIV:
		return round_to(x / y, t);
	case OP_FLOORDIV:
		if (t == ATLAS_F64)
			return bits_f64(pyfloordiv_d(x, y));
		return from_double(pyfloordiv_f((float)x, (float)y), t);
	case OP_MOD:
		if (t == ATLAS_F64)
			return bits_f64(pymod_d(x, y));
		return from_double(pymod_f((float)x, (float)y), t);
	case OP_MIN:
		return isnan(x) ? by : isnan(y) ? bx : y < x ? by : bx;
	case OP_MAX:
		return isnan(x) ? by : isnan(y) ? bx : y > x ? by : bx;
	case OP_ABS:
		return from_double(fabs(x), t);
	case OP_NEG:
		return from_double(-x, t);
	case OP_MAD:
		/* two roundings, in f32 for f32 and the halves */
		p = x * y;
		if (t != ATLAS_F64)
			p = (float)p;
		return round_to(p + z, t);
	case OP_FMA:
		if (t == ATLAS_F64)
			return bits_f64(fma(x, y, z));
		return round_to(fmaf((float)x, (float)y, (float)z), t);
	case OP_SETCC:
		return (uint64_t)cmp_holds(c->cond, x < y, x == y,
					   isnan(x) || isnan(y));
	default:
		return 0;
	}
}

/* Transcendentals in long double, rounded to t. */
static uint64_t ref_transc(enum isa_op op, enum atlas_type t, uint64_t bx,
			   uint64_t by)
{
	long double x = fval(bx, t), r;

	switch (op) {
	case OP_EXP:
		r = expl(x);
		break;
	case OP_LOG:
		r = logl(x);
		break;
	case OP_LOG2:
		r = log2l(x);
		break;
	case OP_LOG10:
		r = log10l(x);
		break;
	case OP_SQRT:
		r = sqrtl(x);
		break;
	case OP_RSQRT:
		r = 1 / sqrtl(x);
		break;
	case OP_SIN:
		r = sinl(x);
		break;
	case OP_COS:
		r = cosl(x);
		break;
	case OP_TAN:
		r = tanl(x);
		break;
	case OP_TANH:
		r = tanhl(x);
		break;
	case OP_ERF:
		r = erfl(x);
		break;
	case OP_FLOOR:
		r = floorl(x);
		break;
	case OP_CEIL:
		r = ceill(x);
		break;
	case OP_ROUND: /* halfway cases to even */
		r = nearbyintl(x);
		break;
	case OP_POW:
		r = powl(x, (long double)fval(by, t));
		break;
	default:
		r = 1 / (1 + expl(-x));
		break;
	}
	if (t == ATLAS_F64)
		return bits_f64((double)r);
	return from_double((double)(float)r, t);
}

/* The allowed error of a transcendental, in ulps of t. */
static uint64_t transc_tol(enum atlas_type t)
{
	return t == ATLAS_F32 ? 2 : t == ATLAS_F64 ? 4 : 1;
}

static uint64_t ref_sel(uint64_t p, uint64_t x, uint64_t y)
{
	return p ? x : y;
}

static uint64_t reference(const struct tcase *c, const uint64_t *x)
{
	if (c->op == OP_SEL)
		return 0; /* done by the caller, which knows the predicate */
	if (is_transc(c->op))
		return ref_transc(c->op, c->t, x[0], x[1]);
	if (t_int(c->t))
		return ref_int(c, x[0], x[1], x[2]);
	return ref_float(c, x[0], x[1], x[2]);
}

static int result_ok(const struct tcase *c, uint64_t got, uint64_t want)
{
	if (is_transc(c->op) && !is_nan_bits(want, c->to) &&
	    !is_nan_bits(got, c->to))
		return ulp_diff(got, want, c->to) <= transc_tol(c->to);
	return same_value(got, want, c->to);
}

/* ---- one program -------------------------------------------------------- */

static const char *offreg(enum atlas_type t)
{
	static const char *const r[] = {"r240", "r241", "r242", "r243"};

	return r[tlog2(t)];
}

struct run_case {
	const struct tcase *c;
	enum shape sh[3];
	enum mask mask;
	int inplace;
	size_t n;
};

static struct sbuf prog_text;
static unsigned nfail_diags;

/*
 * rD = rB + lane * rK in type t (rB = rK + 1): cvt from r255 (through i64
 * for the signed types), mul, add.
 */
static void emit_affine(struct sbuf *b, enum atlas_type t, int d, int k)
{
	if (t_sint(t))
		sb_printf(b, "cvt.i64.u64 r%d, r255\ncvt.%s.i64 r%d, r%d\n", d,
			  tn(t), d, d);
	else
		sb_printf(b, "cvt.%s.u64 r%d, r255\n", tn(t), d);
	sb_printf(b, "mul.%s r%d, r%d, r%d\nadd.%s r%d, r%d, r%d\n", tn(t), d,
		  d, k, tn(t), d, d, k + 1);
}

static void emit_operand(struct sbuf *b, const struct run_case *rc,
			 const struct opnd *o, int k)
{
	enum atlas_type t = rc->c->st[k];
	const char *ld = rc->mask == M_ODD ? "lds" : "ldg";

	switch (o->sh) {
	case SV:
		sb_printf(b, "%s.%s r%d, [r%d + %s]\n", ld, tn(t), 10 + k,
			  1 + k, offreg(t));
		break;
	case SI:
		sb_printf(b, "mov_imm.%s r%d, 0x%llx\n", tn(t), 10 + k,
			  (unsigned long long)o->u);
		break;
	case SA:
		emit_affine(b, t, 10 + k, 30 + 2 * k);
		break;
	default:
		break;
	}
}

/* The register holding source k. */
static int src_reg(const struct opnd *o, int k)
{
	return o->sh == SU ? 20 + k : 10 + k;
}

static void emit_op(struct sbuf *b, const struct run_case *rc,
		    const struct opnd *o, int dst)
{
	const struct tcase *c = rc->c;
	const char *mn = isa_op_table[c->op].mnemonic;
	int r0 = src_reg(&o[0], 0), r1 = src_reg(&o[1], 1),
	    r2 = src_reg(&o[2], 2);

	switch (isa_op_table[c->op].fmt) {
	case FMT_UN:
		sb_printf(b, "%s.%s r%d, r%d\n", mn, tn(c->t), dst, r0);
		break;
	case FMT_BIN:
		sb_printf(b, "%s.%s r%d, r%d, r%d\n", mn, tn(c->t), dst, r0,
			  r1);
		break;
	case FMT_TERN:
		sb_printf(b, "%s.%s r%d, r%d, r%d, r%d\n", mn, tn(c->t), dst,
			  r0, r1, r2);
		break;
	case FMT_SETCC:
		sb_printf(b, "set%s.%s p1, r%d, r%d\n", isa_cond_names[c->cond],
			  tn(c->t), r0, r1);
		break;
	case FMT_SEL:
		sb_printf(b, "sel.%s r%d, p3, r%d, r%d\n", tn(c->t), dst, r0,
			  r1);
		break;
	default:
		break;
	}
}

/*
 * Build, run and check one program.  Returns 1 if every lane matches.
 */
static int run_one(const struct run_case *rc)
{
	const struct tcase *c = rc->c;
	struct sbuf *b = &prog_text;
	struct opnd o[3];
	struct atlas_arg args[16];
	size_t nargs = 0, n = rc->n, cut = (2 * n + 2) / 3, bad = n;
	uint64_t sent = 0, *want = NULL, *x;
	void *in[3] = {NULL, NULL, NULL}, *out;
	struct atlas_program *p;
	struct atlas_error err;
	enum atlas_status st;
	int dst = 13, good = 1;

	memset(o, 0, sizeof o);
	sb_reset(b);
	sb_printf(b, ".kernel t\n");
	for (int k = 0; k < c->nsrc; k++) {
		enum atlas_type t = c->st[k];

		o[k].sh = rc->sh[k];
		o[k].t = t;
		switch (o[k].sh) {
		case SV:
			o[k].v = xcalloc(n, sizeof *o[k].v);
			in[k] = xcalloc(n, tsz(t));
			for (size_t i = 0; i < n; i++) {
				o[k].v[i] = gen(c, k);
				put_bits(in[k], t, i, o[k].v[i]);
			}
			sb_printf(b, ".param s%d %s[] in r%d\n", k, tn(t),
				  1 + k);
			args[nargs++] = arr(in[k], n * tsz(t));
			break;
		case SU:
		case SI:
			o[k].u = gen(c, k);
			if (o[k].sh == SU) {
				sb_printf(b, ".param u%d %s value r%d\n", k,
					  tn(t), 20 + k);
				args[nargs++] = scal(o[k].u);
			}
			break;
		case SA:
			o[k].kb[0] = rnd() % 3 ? rnd() % 9 : gen_int(t);
			o[k].kb[1] = gen_int(t);
			sb_printf(b,
				  ".param k%d %s value r%d\n"
				  ".param b%d %s value r%d\n",
				  k, tn(t), 30 + 2 * k, k, tn(t), 31 + 2 * k);
			args[nargs++] = scal(o[k].kb[0]);
			args[nargs++] = scal(o[k].kb[1]);
			break;
		}
	}
	if (rc->inplace)
		dst = src_reg(&o[0], 0);
	/* the output, preloaded with random bits */
	out = xcalloc(n, tsz(c->to));
	for (size_t i = 0; i < n; i++)
		put_bits(out, c->to, i, rnd());
	x = xcalloc(n, sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = get_bits(out, c->to, i);
	sb_printf(b, ".param o %s[] inout r9\n", tn(c->to));
	args[nargs++] = arr(out, n * tsz(c->to));
	sb_printf(b, "mov_imm.u32 r236, 1\n"
		     "mov_imm.u32 r237, 2\n"
		     "mov_imm.u32 r238, 3\n"
		     "mov.u64 r240, r255\n"
		     "shl.u64 r241, r255, r236\n"
		     "shl.u64 r242, r255, r237\n"
		     "shl.u64 r243, r255, r238\n"
		     "mov_imm.u64 r230, 1\n"
		     "mov_imm.u64 r231, 0\n"
		     "and.u64 r232, r255, r230\n");
	if (rc->mask == M_ODD)
		sb_printf(b, "seteq.u64 p2, r232, r231\n");
	else if (rc->mask == M_CUT)
		sb_printf(b,
			  "mov_imm.u64 r233, %zu\nsetge.u64 p2, r255, r233\n",
			  cut);
	if (c->op == OP_SEL) {
		if (c->psh == 0)
			sb_printf(b, "mov_imm.u64 r234, 2\n"
				     "and.u64 r235, r255, r234\n"
				     "setne.u64 p3, r235, r231\n");
		else
			sb_printf(b, "setlt.u64 p3, %s\n",
				  c->psh == 1 ? "r231, r230" : "r230, r231");
	}
	if (c->op == OP_SETCC) {
		sb_printf(b, "seteq.u64 p1, r232, r231\n");
	} else if (!rc->inplace && rc->mask == M_ODD) {
		sent = gen_int(ATLAS_U64) & tmask(c->to);
		sb_printf(b, "mov_imm.%s r13, 0x%llx\n", tn(c->to),
			  (unsigned long long)sent);
	} else if (!rc->inplace && rc->mask == M_CUT) {
		sb_printf(b, "ldg.%s r13, [r9 + %s]\n", tn(c->to),
			  offreg(c->to));
	}
	if (rc->mask != M_ODD)
		for (int k = 0; k < c->nsrc; k++)
			emit_operand(b, rc, &o[k], k);
	if (rc->mask != M_ALL)
		sb_printf(b, "bra.p2 @skip\n");
	if (rc->mask == M_ODD)
		for (int k = 0; k < c->nsrc; k++)
			emit_operand(b, rc, &o[k], k);
	emit_op(b, rc, o, dst);
	sb_printf(b, "@skip:\n");
	if (c->op == OP_SETCC)
		sb_printf(b,
			  "mov_imm.u32 r228, 1\n"
			  "mov_imm.u32 r229, 0\n"
			  "sel.u32 r%d, p1, r228, r229\n",
			  dst);
	sb_printf(b, "%s.%s [r9 + %s], r%d\n",
		  rc->mask == M_CUT ? "sts" : "stg", tn(c->to), offreg(c->to),
		  dst);

	p = load(b->s);
	if (!p) {
		good = 0;
		goto out;
	}
	st = run(p, n, args, nargs, &err);
	atlas_program_free(p);
	if (st != ATLAS_OK) {
		diag("run failed: %s\n%s", err.msg, b->s);
		good = 0;
		goto out;
	}
	want = xcalloc(n, sizeof *want);
	for (size_t i = 0; i < n; i++) {
		int active = rc->mask == M_ALL ? 1 :
			     rc->mask == M_ODD ? (int)(i & 1) :
						 i < cut;
		uint64_t v[3] = {0, 0, 0};

		for (int k = 0; k < c->nsrc; k++)
			v[k] = opnd_val(&o[k], i);
		if (active && c->op == OP_SEL)
			want[i] = ref_sel(c->psh == 0 ? (i & 2) != 0 :
							c->psh == 1,
					  v[0], v[1]);
		else if (active)
			want[i] = reference(c, v);
		else if (c->op == OP_SETCC)
			want[i] = (i & 1) == 0;
		else if (rc->inplace)
			want[i] = v[0];
		else if (rc->mask == M_ODD)
			want[i] = sent;
		else
			want[i] = x[i];
		if (!result_ok(c, get_bits(out, c->to, i), want[i])) {
			bad = i;
			break;
		}
	}
	if (bad < n) {
		good = 0;
		if (nfail_diags++ < 12) {
			diag("shapes %.*s mask %d inplace %d n %zu: lane %zu: "
			     "in 0x%llx 0x%llx 0x%llx got 0x%llx want 0x%llx",
			     c->nsrc,
			     (const char[]){shape_ch[rc->sh[0]],
					    shape_ch[rc->sh[1]],
					    shape_ch[rc->sh[2]]},
			     (int)rc->mask, rc->inplace, n, bad,
			     (unsigned long long)opnd_val(&o[0], bad),
			     (unsigned long long)(c->nsrc > 1 ?
							  opnd_val(&o[1], bad) :
							  0),
			     (unsigned long long)(c->nsrc > 2 ?
							  opnd_val(&o[2], bad) :
							  0),
			     (unsigned long long)get_bits(out, c->to, bad),
			     (unsigned long long)want[bad]);
			diag("%s", b->s);
		}
	}
out:
	for (int k = 0; k < 3; k++) {
		free(o[k].v);
		free(in[k]);
	}
	free(out);
	free(x);
	free(want);
	return good;
}

/* ---- the matrix --------------------------------------------------------- */

static const char *const shapes1[] = {"V", "U", "I", "A"};
static const char *const shapes2[] = {"VV", "VU", "UV", "UU", "VI", "IV", "II",
				      "AV", "VA", "AU", "UA", "AA", "AI"};
static const char *const shapes3[] = {"VVV", "UVV", "VUV", "VVU", "UUU",
				      "AUU", "UAV", "VVA", "IIV", "AAA"};
static const size_t sizes[] = {1, 7, 2048, 2049, 5000};

static enum shape shape_of(char ch)
{
	return (enum shape)(strchr(shape_ch, ch) - shape_ch);
}

/* Can this combination run?  Affine needs integers; no zero divisors. */
static int combo_ok(const struct tcase *c, const char *sh)
{
	for (int k = 0; k < c->nsrc; k++)
		if (sh[k] == 'A' && !t_int(c->st[k]))
			return 0;
	if ((c->op == OP_DIV || c->op == OP_FLOORDIV || c->op == OP_MOD) &&
	    t_int(c->t) && sh[1] == 'A')
		return 0;
	return 1;
}

/* Run every shape, mask and size combination of case c. */
static void run_case_all(const struct tcase *c, const char *name)
{
	const char *const *sh = c->nsrc == 1 ? shapes1 :
				c->nsrc == 2 ? shapes2 :
					       shapes3;
	size_t nsh = c->nsrc == 1 ? 4 :
		     c->nsrc == 2 ? sizeof shapes2 / sizeof *shapes2 :
				    sizeof shapes3 / sizeof *shapes3;
	int can_inplace = c->to == c->t && c->op != OP_SETCC;
	unsigned runs = 0, fails = 0, turn = 0;

	nfail_diags = 0;
	for (size_t s = 0; s < nsh; s++) {
		if (!combo_ok(c, sh[s]))
			continue;
		for (int m = M_ALL; m <= M_CUT; m++) {
			for (int ip = 0; ip <= can_inplace; ip++) {
				struct run_case rc;

				if (ip && m == M_ODD)
					continue;
				memset(&rc, 0, sizeof rc);
				rc.c = c;
				for (int k = 0; k < c->nsrc; k++)
					rc.sh[k] = shape_of(sh[s][k]);
				rc.mask = (enum mask)m;
				rc.inplace = ip;
				/* all sizes for the first combination, two
				   in turn for the others */
				for (size_t z = 0; z < 5; z++) {
					if (s > 0 && z != turn % 5 &&
					    z != (turn + 2) % 5)
						continue;
					rc.n = sizes[z];
					runs++;
					fails += !run_one(&rc);
				}
				turn++;
			}
		}
	}
	if (!ok(fails == 0, "%s: %u programs", name, runs))
		diag("%u of %u programs wrong", fails, runs);
}

/* The upper-cased mnemonic, as in messages ("MAD"); static storage. */
static const char *upper(const char *s)
{
	static char buf[32];
	size_t k;

	for (k = 0; s[k] && k + 1 < sizeof buf; k++)
		buf[k] = (char)(s[k] >= 'a' && s[k] <= 'z' ? s[k] - 32 : s[k]);
	buf[k] = '\0';
	return buf;
}

static void one_type(enum isa_op op, enum atlas_type t)
{
	const struct isa_op_info *info = &isa_op_table[op];
	struct tcase c;
	char name[64];

	memset(&c, 0, sizeof c);
	c.op = op;
	c.t = c.to = t;
	c.st[0] = c.st[1] = c.st[2] = t;
	switch (info->fmt) {
	case FMT_UN:
		c.nsrc = 1;
		break;
	case FMT_BIN:
		c.nsrc = 2;
		if (op == OP_SHL || op == OP_SHR)
			c.st[1] = ATLAS_U32;
		break;
	case FMT_TERN:
		c.nsrc = 3;
		break;
	case FMT_SEL:
		c.nsrc = 2;
		for (int ps = 0; ps < 3; ps++) {
			c.psh = ps;
			snprintf(name, sizeof name, "sel.%s (predicate %s)",
				 tn(t),
				 ps == 0 ? "varying" :
				 ps == 1 ? "uniform true" :
					   "uniform false");
			run_case_all(&c, name);
		}
		return;
	case FMT_SETCC:
		c.nsrc = 2;
		c.to = ATLAS_U32;
		for (int k = 0; k < COND_COUNT; k++) {
			c.cond = k;
			snprintf(name, sizeof name, "set%s.%s",
				 isa_cond_names[k], tn(t));
			if (k >= COND_LTU && (t_sint(t) || !t_int(t))) {
				char text[256], msg[128], cn[16];

				snprintf(text, sizeof text,
					 ".kernel t\n"
					 ".param a %s value r1\n"
					 "set%s.%s p0, r1, r1\n",
					 tn(t), isa_cond_names[k], tn(t));
				snprintf(cn, sizeof cn, "set%s",
					 isa_cond_names[k]);
				snprintf(msg, sizeof msg,
					 "unsupported operation: %s for "
					 "type %s",
					 upper(cn), tn(t));
				load_fails(text, msg, name);
				continue;
			}
			run_case_all(&c, name);
		}
		return;
	default:
		return;
	}
	snprintf(name, sizeof name, "%s.%s", info->mnemonic, tn(t));
	run_case_all(&c, name);
}

/* Types an operation refuses fail at load with the reference's message. */
static void refused(enum isa_op op, enum atlas_type t)
{
	const struct isa_op_info *info = &isa_op_table[op];
	char text[256], msg[128], name[96];
	const char *mn = info->mnemonic;

	switch (info->fmt) {
	case FMT_UN:
		snprintf(text, sizeof text,
			 ".kernel t\n.param a %s value r1\n%s.%s r2, r1\n",
			 tn(t), mn, tn(t));
		break;
	case FMT_BIN:
		snprintf(text, sizeof text,
			 ".kernel t\n.param a %s value r1\n"
			 ".param b u32 value r3\n"
			 "%s.%s r2, r1, r%d\n",
			 tn(t), mn, tn(t),
			 op == OP_SHL || op == OP_SHR ? 3 : 1);
		break;
	case FMT_TERN:
		snprintf(text, sizeof text,
			 ".kernel t\n.param a %s value r1\n"
			 "%s.%s r2, r1, r1, r1\n",
			 tn(t), mn, tn(t));
		break;
	default:
		return;
	}
	snprintf(msg, sizeof msg, "unsupported operation: %s for type %s",
		 upper(mn), tn(t));
	snprintf(name, sizeof name, "%s.%s refused at load", mn, tn(t));
	load_fails(text, msg, name);
}

/* ---- reductions over registers ----------------------------------------------
 */

static uint64_t fold(enum isa_op rop, enum atlas_type t, uint64_t acc,
		     uint64_t v)
{
	struct tcase c;

	memset(&c, 0, sizeof c);
	c.op = rop == OP_REDUCE_ADD ? OP_ADD :
	       rop == OP_REDUCE_MUL ? OP_MUL :
	       rop == OP_REDUCE_MIN ? OP_MIN :
				      OP_MAX;
	c.t = c.to = t;
	return t_int(t) ? ref_int(&c, acc, v, 0) : ref_float(&c, acc, v, 0);
}

static uint64_t identity(enum isa_op rop, enum atlas_type t)
{
	uint64_t min = (uint64_t)1 << (8 * tsz(t) - 1);

	switch (rop) {
	case OP_REDUCE_ADD:
		return 0;
	case OP_REDUCE_MUL:
		return t_int(t) ? 1 : from_double(1, t);
	case OP_REDUCE_MIN:
		return t_int(t) ? min - 1 : from_double(INFINITY, t);
	default:
		return t_int(t) ? min : from_double(-INFINITY, t);
	}
}

/*
 * reduce.OP.T r13, r40, N over N = 0..6 registers of mixed shapes
 * (varying, uniform parameter, immediate, affine for integers), on all
 * lanes and on the odd lanes only.
 */
static void test_reduce(enum isa_op rop, enum atlas_type t)
{
	const char *mn = isa_op_table[rop].mnemonic;
	const char *const order = t_int(t) ? "VUIAVU" : "VUIVUV";
	struct sbuf b = {NULL, 0, 0};
	unsigned fails = 0, runs = 0;

	for (int cnt = 0; cnt <= 6; cnt++) {
		for (int odd = 0; odd < 2; odd++) {
			size_t n = odd ? 1030 : 7 + (size_t)cnt * 500;
			struct atlas_arg args[16];
			size_t nargs = 0;
			struct opnd o[6];
			void *in[6], *out;
			uint64_t sent = gen_int(ATLAS_U64) & tmask(t);
			struct atlas_program *p;
			struct atlas_error err;
			size_t i;

			memset(o, 0, sizeof o);
			memset(in, 0, sizeof in);
			sb_reset(&b);
			sb_printf(&b, ".kernel r\n");
			for (int k = 0; k < 6; k++) {
				o[k].t = t;
				o[k].sh = shape_of(order[k]);
				if (o[k].sh == SV) {
					in[k] = xcalloc(n, tsz(t));
					o[k].v = xcalloc(n, 8);
					for (i = 0; i < n; i++) {
						o[k].v[i] =
							t_int(t) ? gen_int(t) :
								   gen_float(t);
						put_bits(in[k], t, i,
							 o[k].v[i]);
					}
					sb_printf(&b,
						  ".param a%d %s[] in r%d\n", k,
						  tn(t), 100 + k);
					args[nargs++] = arr(in[k], n * tsz(t));
				} else if (o[k].sh == SA) {
					o[k].kb[0] = rnd() % 5;
					o[k].kb[1] = gen_int(t);
					sb_printf(&b,
						  ".param k%d %s value r%d\n"
						  ".param b%d %s value r%d\n",
						  k, tn(t), 110 + 2 * k, k,
						  tn(t), 111 + 2 * k);
					args[nargs++] = scal(o[k].kb[0]);
					args[nargs++] = scal(o[k].kb[1]);
				} else {
					o[k].u = t_int(t) ? gen_int(t) :
							    gen_float(t);
					if (o[k].sh == SU) {
						sb_printf(&b,
							  ".param u%d %s value "
							  "r%d\n",
							  k, tn(t), 130 + k);
						args[nargs++] = scal(o[k].u);
					}
				}
			}
			out = xcalloc(n, tsz(t));
			sb_printf(&b, ".param o %s[] out r9\n", tn(t));
			args[nargs++] = arr(out, n * tsz(t));
			sb_printf(&b,
				  "mov_imm.u32 r1, %u\n"
				  "shl.u64 r0, r255, r1\n"
				  "mov_imm.u64 r2, 1\n"
				  "mov_imm.u64 r3, 0\n"
				  "and.u64 r4, r255, r2\n"
				  "seteq.u64 p2, r4, r3\n"
				  "mov_imm.%s r13, 0x%llx\n",
				  tlog2(t), tn(t), (unsigned long long)sent);
			for (int k = 0; k < 6; k++) {
				switch (o[k].sh) {
				case SV:
					sb_printf(&b,
						  "ldg.%s r%d, [r%d + r0]\n",
						  tn(t), 40 + k, 100 + k);
					break;
				case SU:
					sb_printf(&b, "mov.%s r%d, r%d\n",
						  tn(t), 40 + k, 130 + k);
					break;
				case SI:
					sb_printf(&b,
						  "mov_imm.%s r%d, 0x%llx\n",
						  tn(t), 40 + k,
						  (unsigned long long)o[k].u);
					break;
				default:
					emit_affine(&b, t, 40 + k, 110 + 2 * k);
				}
			}
			if (odd)
				sb_printf(&b, "bra.p2 @skip\n");
			sb_printf(&b,
				  "%s.%s r13, r40, %d\n@skip:\n"
				  "stg.%s [r9 + r0], r13\n",
				  mn, tn(t), cnt, tn(t));
			p = load(b.s);
			runs++;
			if (!p || run(p, n, args, nargs, &err) != ATLAS_OK) {
				if (p)
					diag("%s", err.msg);
				fails++;
			} else {
				for (i = 0; i < n; i++) {
					uint64_t acc = identity(rop, t);

					if (odd && !(i & 1))
						acc = sent;
					else
						for (int k = 0; k < cnt; k++)
							acc = fold(
								rop, t, acc,
								opnd_val(&o[k],
									 i));
					if (!same_value(get_bits(out, t, i),
							acc, t))
						break;
				}
				if (i < n) {
					fails++;
					diag("count %d odd %d lane %zu: got "
					     "0x%llx want 0x%llx",
					     cnt, odd, i,
					     (unsigned long long)get_bits(out,
									  t, i),
					     (unsigned long long)identity(rop,
									  t));
				}
			}
			atlas_program_free(p);
			for (int k = 0; k < 6; k++) {
				free(in[k]);
				free(o[k].v);
			}
			free(out);
		}
	}
	free(b.s);
	ok(fails == 0, "%s.%s over 0..6 registers: %u programs", mn, tn(t),
	   runs);
}

/* ---- mov_imm and immediates -------------------------------------------------
 */

static void test_mov_imm(void)
{
	static const struct {
		const char *type, *imm;
		uint64_t bits;
	} cases[] = {
		{"i8", "-128", 0x80},
		{"i8", "0xff", 0xff},
		{"u8", "255", 0xff},
		{"i16", "-2", 0xfffe},
		{"u16", "0xbeef", 0xbeef},
		{"i32", "-2147483648", 0x80000000},
		{"u32", "4294967295", 0xffffffff},
		{"i64", "-1", 0xffffffffffffffffu},
		{"u64", "0x8000000000000001", 0x8000000000000001u},
		{"f16", "0x3c00", 0x3c00},
		{"bf16", "0x3f80", 0x3f80},
		{"f32", "0x3f800000", 0x3f800000},
		{"f32", "1.5", 0x3fc00000},
		{"f64", "-2", 0xc000000000000000u},
		{"f64", "0x7ff8000000000000", 0x7ff8000000000000u},
	};

	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		enum atlas_type t;
		uint8_t out[8 * 9];
		struct atlas_arg a;
		struct atlas_program *p;
		char name[96];
		int good = 1;

		atlas_type_parse(cases[k].type, &t);
		memset(out, 0xcd, sizeof out);
		a = arr(out, 9 * tsz(t));
		/* the odd lanes get the immediate, the even ones zero */
		p = loadf(".kernel m\n.param o %s[] out r9\n"
			  "mov_imm.u32 r1, %u\nshl.u64 r0, r255, r1\n"
			  "mov_imm.u64 r2, 1\nmov_imm.u64 r3, 0\n"
			  "and.u64 r4, r255, r2\nseteq.u64 p0, r4, r3\n"
			  "mov_imm.%s r5, 0\n"
			  "bra.p0 @even\nmov_imm.%s r5, %s\n@even:\n"
			  "stg.%s [r9 + r0], r5\n",
			  cases[k].type, tlog2(t), cases[k].type, cases[k].type,
			  cases[k].imm, cases[k].type);
		snprintf(name, sizeof name, "mov_imm.%s %s", cases[k].type,
			 cases[k].imm);
		if (!run_ok(p, 9, &a, 1, name)) {
			atlas_program_free(p);
			continue;
		}
		for (size_t i = 0; i < 9; i++)
			good &= get_bits(out, t, i) ==
				(i & 1 ? cases[k].bits : 0);
		ok(good, "%s: odd lanes hold 0x%llx", name,
		   (unsigned long long)cases[k].bits);
		atlas_program_free(p);
	}
}

/*
 * A scalar parameter whose bits are not zero-extended past its type's
 * width is taken modulo the width: a u8 divisor of 0x100 is zero.
 */
static void test_scalar_high_bits(void)
{
	struct atlas_program *p = load(".kernel d\n"
				       ".param x u8 value r1\n"
				       ".param y u8 value r2\n"
				       ".param o u8[] out r3\n"
				       "div.u8 r4, r1, r2\n"
				       "stg.u8 [r3 + r255], r4\n");
	uint8_t out[4] = {0};
	struct atlas_arg a[3] = {scal(0x107), scal(0x203), arr(out, 4)};

	if (run_ok(p, 4, a, 3, "u8 scalars with high bits set"))
		ok(out[0] == 2 && out[3] == 2, "7 / 3 = 2 (got %u)", out[0]);
	a[1] = scal(0x100);
	run_fails(p, 4, a, 3, ATLAS_ERR_EXEC, "division by zero",
		  "u8 divisor 0x100 is zero");
	atlas_program_free(p);
}

int main(void)
{
	E = atlas_engine_new(NULL, NULL);
	if (!E)
		return 1;
	for (int op = 0; op < OP_COUNT; op++) {
		const struct isa_op_info *info = &isa_op_table[op];

		if (info->fmt != FMT_UN && info->fmt != FMT_BIN &&
		    info->fmt != FMT_TERN && info->fmt != FMT_SETCC &&
		    info->fmt != FMT_SEL)
			continue;
		if (info->group == GRP_POOL || info->group == GRP_HIGHER)
			continue;
		for (int t = 0; t < ATLAS_NTYPES; t++) {
			if (info->types & TM(t))
				one_type((enum isa_op)op, (enum atlas_type)t);
			else
				refused((enum isa_op)op, (enum atlas_type)t);
		}
	}
	for (int op = OP_REDUCE_ADD; op <= OP_REDUCE_MUL; op++)
		for (int t = 0; t < ATLAS_NTYPES; t++)
			if (isa_op_table[op].types & TM(t))
				test_reduce((enum isa_op)op,
					    (enum atlas_type)t);
	test_mov_imm();
	test_scalar_high_bits();
	atlas_engine_free(E);
	free(prog_text.s);
	return done_testing();
}
