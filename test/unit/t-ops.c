/*
 * t-ops.c - known-answer tests for the typed element loops of lib/ops.h.
 *
 * Expected values are computed here independently of lib/ops*.c: integer
 * results by masking and sign-extending 64-bit arithmetic, f32 results in
 * double (correctly rounded for + - * / sqrt), halves by a decoder of our
 * own, plus hand-written special cases.  Lane counts 1, 7, 1024 and 1027
 * cover vector bodies and tails; a sentinel after the last lane catches
 * writes past n.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops.h"
#include "tap.h"

#define NMAX 1100
static const size_t ns[] = {1, 7, 1024, 1027};
#define NNS (sizeof ns / sizeof ns[0])
#define SENTINEL 0xa5u

static uint64_t A[NMAX], B[NMAX], C[NMAX], D[NMAX], E[NMAX];
static uint8_t P[NMAX];

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- type helpers -------------------------------------------------------- */

static const enum atlas_type all_types[] = {ATLAS_I8,	ATLAS_I16, ATLAS_I32,
					    ATLAS_I64,	ATLAS_U8,  ATLAS_U16,
					    ATLAS_U32,	ATLAS_U64, ATLAS_F16,
					    ATLAS_BF16, ATLAS_F32, ATLAS_F64};
static const enum atlas_type int_types[] = {ATLAS_I8,  ATLAS_I16, ATLAS_I32,
					    ATLAS_I64, ATLAS_U8,  ATLAS_U16,
					    ATLAS_U32, ATLAS_U64};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *tn(enum atlas_type t)
{
	return atlas_type_name(t);
}

static unsigned bits(enum atlas_type t)
{
	return (unsigned)atlas_type_size(t) * 8;
}

static int is_sint(enum atlas_type t)
{
	return t == ATLAS_I8 || t == ATLAS_I16 || t == ATLAS_I32 ||
	       t == ATLAS_I64;
}

static int is_uint(enum atlas_type t)
{
	return t == ATLAS_U8 || t == ATLAS_U16 || t == ATLAS_U32 ||
	       t == ATLAS_U64;
}

static uint64_t wmask(enum atlas_type t)
{
	return bits(t) == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits(t)) - 1;
}

static uint64_t get(enum atlas_type t, const void *p, size_t i)
{
	const unsigned char *b = (const unsigned char *)p + i * (bits(t) / 8);
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (bits(t)) {
	case 8:
		memcpy(&u8, b, 1);
		return u8;
	case 16:
		memcpy(&u16, b, 2);
		return u16;
	case 32:
		memcpy(&u32, b, 4);
		return u32;
	default:
		memcpy(&u64, b, 8);
		return u64;
	}
}

static void put(enum atlas_type t, void *p, size_t i, uint64_t v)
{
	unsigned char *b = (unsigned char *)p + i * (bits(t) / 8);
	const uint8_t u8 = (uint8_t)v;
	const uint16_t u16 = (uint16_t)v;
	const uint32_t u32 = (uint32_t)v;

	switch (bits(t)) {
	case 8:
		memcpy(b, &u8, 1);
		break;
	case 16:
		memcpy(b, &u16, 2);
		break;
	case 32:
		memcpy(b, &u32, 4);
		break;
	default:
		memcpy(b, &v, 8);
	}
}

/* two's complement value of the low bits(t) bits of v */
static int64_t sx(enum atlas_type t, uint64_t v)
{
	const unsigned w = bits(t);

	v &= wmask(t);
	if (w < 64 && (v >> (w - 1)) & 1)
		v |= ~wmask(t);
	return (int64_t)v;
}

static uint32_t f2u(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static float u2f(uint32_t u)
{
	float f;
	memcpy(&f, &u, 4);
	return f;
}

static uint64_t d2u(double f)
{
	uint64_t u;
	memcpy(&u, &f, 8);
	return u;
}

static double u2d(uint64_t u)
{
	double f;
	memcpy(&f, &u, 8);
	return f;
}

/* f32/f64 lanes as double */
static double getf(enum atlas_type t, const void *p, size_t i)
{
	return t == ATLAS_F32 ? u2f((uint32_t)get(t, p, i)) : u2d(get(t, p, i));
}

static void putf(enum atlas_type t, void *p, size_t i, double v)
{
	put(t, p, i, t == ATLAS_F32 ? f2u((float)v) : d2u(v));
}

/* our own half decoder (f16: IEEE binary16; bf16: top of a binary32) */
static float h2f(uint16_t h, int bf)
{
	if (bf)
		return u2f((uint32_t)h << 16);
	const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	float v;
	if (e == 0)
		v = ldexpf((float)m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexpf((float)(m | 0x400), e - 25);
	return h & 0x8000 ? -v : v;
}

/* exact encoder, for values representable in the half format */
static uint16_t f2h(float f, int bf)
{
	if (bf)
		return (uint16_t)(f2u(f) >> 16);
	const uint16_t s = signbit(f) ? 0x8000 : 0;
	int e;
	if (f == 0)
		return s;
	const float m = frexpf(fabsf(f), &e); /* [0.5, 1) */
	return (uint16_t)(s | (uint16_t)((e - 1 + 15) << 10) |
			  (uint16_t)((m * 2 - 1) * 1024));
}

/* same bits, or both NaN */
static int same_f(enum atlas_type t, double got, double want)
{
	if (isnan(got) || isnan(want))
		return isnan(got) && isnan(want);
	if (t == ATLAS_F32)
		return f2u((float)got) == f2u((float)want);
	return d2u(got) == d2u(want);
}

/* distance in units in the last place between two finite values */
static double ulps(enum atlas_type t, double got, double want)
{
	if (isnan(got) || isnan(want))
		return isnan(got) && isnan(want) ? 0 : INFINITY;
	if (isinf(got) || isinf(want))
		return got == want ? 0 : INFINITY;
	const double w = fabs(want);
	int e;
	frexp(w == 0 ? (t == ATLAS_F32 ? FLT_MIN : DBL_MIN) : w, &e);
	const int mant = t == ATLAS_F32 ? 24 : 53;
	const int emin = t == ATLAS_F32 ? -125 : -1021;
	return fabs(got - want) / ldexp(1, (e < emin ? emin : e) - mant);
}

/* Sentinel bytes after lane n of dst: nothing may write past n. */
static void prefill(void *dst, size_t bytes)
{
	memset(dst, SENTINEL, bytes);
}

static int tail_ok(const void *dst, size_t n, size_t elem)
{
	const unsigned char *b = dst;
	for (size_t i = n * elem; i < (n + 8) * elem; i++)
		if (b[i] != SENTINEL)
			return 0;
	return 1;
}

/* ---- lookups --------------------------------------------------------------
 */

static int accepts(enum isa_op op, enum atlas_type t)
{
	return (isa_op_table[op].types & TM(t)) != 0;
}

static int is_float_t(enum atlas_type t)
{
	return t == ATLAS_F16 || t == ATLAS_BF16 || t == ATLAS_F32 ||
	       t == ATLAS_F64;
}

static void test_lookups(void)
{
	int bad_un = 0, bad_bin = 0, bad_tern = 0, bad_cmp = 0;

	for (int op = 0; op < OP_COUNT; op++) {
		for (size_t k = 0; k < NELEM(all_types); k++) {
			const enum atlas_type t = all_types[k];
			const int un = op == OP_MOV || op == OP_ABS ||
				       op == OP_NEG || op == OP_NOT ||
				       (isa_op_table[op].group == GRP_TRANSC &&
					isa_op_table[op].fmt == FMT_UN);
			const int bin =
				op == OP_ADD || op == OP_SUB || op == OP_MUL ||
				op == OP_MIN || op == OP_MAX || op == OP_AND ||
				op == OP_OR || op == OP_XOR || op == OP_SHL ||
				op == OP_SHR || op == OP_POW ||
				((op == OP_DIV || op == OP_FLOORDIV ||
				  op == OP_MOD) &&
				 is_float_t(t));
			const int tern = op == OP_MAD || op == OP_FMA;
			const int acc = accepts((enum isa_op)op, t);
			if ((ops_unary((enum isa_op)op, t) != NULL) !=
			    (un && acc)) {
				diag("ops_unary(%s, %s)",
				     isa_op_table[op].mnemonic, tn(t));
				bad_un++;
			}
			if ((ops_binary((enum isa_op)op, t) != NULL) !=
			    (bin && acc)) {
				diag("ops_binary(%s, %s)",
				     isa_op_table[op].mnemonic, tn(t));
				bad_bin++;
			}
			if ((ops_ternary((enum isa_op)op, t) != NULL) !=
			    (tern && acc)) {
				diag("ops_ternary(%s, %s)",
				     isa_op_table[op].mnemonic, tn(t));
				bad_tern++;
			}
		}
	}
	ok(!bad_un, "ops_unary is NULL exactly off the instruction table");
	ok(!bad_bin, "ops_binary is NULL exactly off the instruction table");
	ok(!bad_tern, "ops_ternary is NULL exactly off the instruction table");

	/* spot checks against reference 2.4, independent of the table */
	ok(!ops_unary(OP_NEG, ATLAS_U32), "neg.u32 unsupported");
	ok(!ops_unary(OP_ABS, ATLAS_U8), "abs.u8 unsupported");
	ok(!ops_unary(OP_NOT, ATLAS_F32), "not.f32 unsupported");
	ok(!ops_unary(OP_EXP, ATLAS_I32), "exp.i32 unsupported");
	ok(!ops_unary(OP_ADD, ATLAS_I32), "add is not unary");
	ok(ops_unary(OP_MOV, ATLAS_BF16) != NULL, "mov.bf16 supported");
	ok(ops_unary(OP_SIGMOID, ATLAS_F16) != NULL, "sigmoid.f16 supported");
	ok(!ops_binary(OP_DIV, ATLAS_I32), "div.i32 goes through ops_idiv");
	ok(ops_binary(OP_DIV, ATLAS_F32) != NULL, "div.f32 supported");
	ok(!ops_binary(OP_SHL, ATLAS_F32), "shl.f32 unsupported");
	ok(!ops_binary(OP_AND, ATLAS_F16), "and.f16 unsupported");
	ok(ops_binary(OP_ADD, ATLAS_BF16) != NULL, "add.bf16 supported");
	ok(!ops_ternary(OP_MAD, ATLAS_I8), "mad.i8 unsupported");
	ok(!ops_ternary(OP_MAD, ATLAS_U32), "mad.u32 unsupported");
	ok(ops_ternary(OP_MAD, ATLAS_I64) != NULL, "mad.i64 supported");
	ok(!ops_ternary(OP_FMA, ATLAS_I32), "fma.i32 unsupported");
	ok(ops_ternary(OP_FMA, ATLAS_F16) != NULL, "fma.f16 supported");

	for (int c = 0; c < COND_COUNT; c++)
		for (size_t k = 0; k < NELEM(all_types); k++) {
			const enum atlas_type t = all_types[k];
			const int want = c < COND_LTU || is_uint(t);
			if ((ops_compare((enum isa_cond)c, t) != NULL) !=
			    want) {
				diag("ops_compare(%s, %s)", isa_cond_names[c],
				     tn(t));
				bad_cmp++;
			}
		}
	ok(!bad_cmp, "ops_compare: all types, unsigned conditions only "
		     "for unsigned types");
	ok(!ops_compare(COND_LTU, ATLAS_I32), "setltu.i32 unsupported");
	ok(!ops_compare(COND_GEU, ATLAS_F32), "setgeu.f32 unsupported");
	ok(!ops_compare(COND_LEU, ATLAS_F16), "setleu.f16 unsupported");
	ok(ops_compare(COND_GTU, ATLAS_U8) != NULL, "setgtu.u8 supported");
}

/* ---- integers --------------------------------------------------------------
 */

static uint64_t int_special(enum atlas_type t, size_t k)
{
	const uint64_t m = wmask(t), min = (m >> 1) + 1;
	const uint64_t v[] = {0,
			      1,
			      2,
			      3,
			      7,
			      m,
			      min,
			      min - 1,
			      min + 1,
			      m - 6,
			      0x5555555555555555u & m,
			      0xaaaaaaaaaaaaaaaau & m};
	return v[k % NELEM(v)] & m;
}
#define NSPECIAL 12

/* a: specials crossed with b's specials, then random */
static void fill_int(enum atlas_type t, void *a, void *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const int spec = i < NSPECIAL * NSPECIAL;
		put(t, a, i, spec ? int_special(t, i % NSPECIAL) : rnd());
		if (b)
			put(t, b, i,
			    spec ? int_special(t, i / NSPECIAL) : rnd());
	}
}

static void fill_shift(uint32_t *b, unsigned w, size_t n)
{
	const uint32_t v[] = {0,     1,		  w - 1,      w,
			      w + 1, 2 * w,	  2 * w - 1,  31,
			      32,    33,	  63,	      64,
			      65,    0xffffffffu, 0x80000000u};
	for (size_t i = 0; i < n; i++)
		b[i] = i < NELEM(v) * NSPECIAL ? v[i / NSPECIAL] :
		       i & 1		       ? (uint32_t)rnd() :
						 (uint32_t)(rnd() % 200);
}

static uint64_t ref_int(enum isa_op op, enum atlas_type t, uint64_t x,
			uint64_t y)
{
	const uint64_t m = wmask(t);
	const unsigned w = bits(t);
	const int s = is_sint(t);
	unsigned sh;
	uint64_t r;

	x &= m;
	switch (op) {
	case OP_ADD:
		return (x + y) & m;
	case OP_SUB:
		return (x - y) & m;
	case OP_MUL:
		return (x * y) & m;
	case OP_MIN:
		y &= m;
		return (s ? sx(t, x) < sx(t, y) : x < y) ? x : y;
	case OP_MAX:
		y &= m;
		return (s ? sx(t, x) > sx(t, y) : x > y) ? x : y;
	case OP_AND:
		return x & y & m;
	case OP_OR:
		return (x | y) & m;
	case OP_XOR:
		return (x ^ y) & m;
	case OP_SHL:
		return (x << (y % w)) & m;
	case OP_SHR:
		sh = (unsigned)(y % w);
		r = x >> sh;
		if (s && (x >> (w - 1)) & 1)
			r |= m & ~(m >> sh);
		return r;
	case OP_NOT:
		return ~x & m;
	case OP_NEG:
		return (0 - x) & m;
	case OP_ABS:
		return sx(t, x) < 0 ? (0 - x) & m : x;
	default:
		return 0;
	}
}

static void test_int_ops(void)
{
	static const enum isa_op bins[] = {OP_ADD, OP_SUB, OP_MUL, OP_MIN,
					   OP_MAX, OP_AND, OP_OR,  OP_XOR,
					   OP_SHL, OP_SHR};
	static const enum isa_op uns[] = {OP_NOT, OP_NEG, OP_ABS, OP_MOV};

	for (size_t k = 0; k < NELEM(int_types); k++) {
		const enum atlas_type t = int_types[k];
		const size_t es = atlas_type_size(t);
		for (size_t o = 0; o < NELEM(bins); o++) {
			const enum isa_op op = bins[o];
			const int shift = op == OP_SHL || op == OP_SHR;
			const ops_bin_fn f = ops_binary(op, t);
			for (size_t z = 0; z < NNS; z++) {
				const size_t n = ns[z];
				size_t bad = n;
				fill_int(t, A, B, n);
				if (shift)
					fill_shift((uint32_t *)B, bits(t), n);
				prefill(D, sizeof D);
				f(D, A, B, n);
				for (size_t i = 0; i < n && bad == n; i++) {
					const uint64_t y =
						shift ? ((uint32_t *)B)[i] :
							get(t, B, i);
					if (get(t, D, i) !=
					    ref_int(op, t, get(t, A, i), y))
						bad = i;
				}
				if (!ok(bad == n && tail_ok(D, n, es),
					"%s.%s n=%zu",
					isa_op_table[op].mnemonic, tn(t), n) &&
				    bad < n)
					diag("lane %zu: %#llx op %#llx = %#llx",
					     bad,
					     (unsigned long long)get(t, A, bad),
					     (unsigned long long)get(t, B, bad),
					     (unsigned long long)get(t, D,
								     bad));
			}
		}
		for (size_t o = 0; o < NELEM(uns); o++) {
			const enum isa_op op = uns[o];
			const ops_un_fn f = ops_unary(op, t);
			if (!f) /* NEG and ABS: signed only */
				continue;
			for (size_t z = 0; z < NNS; z++) {
				const size_t n = ns[z];
				size_t bad = n;
				fill_int(t, A, NULL, n);
				prefill(D, sizeof D);
				f(D, A, n);
				for (size_t i = 0; i < n && bad == n; i++) {
					const uint64_t x = get(t, A, i);
					const uint64_t want =
						op == OP_MOV ?
							x :
							ref_int(op, t, x, 0);
					if (get(t, D, i) != want)
						bad = i;
				}
				ok(bad == n && tail_ok(D, n, es), "%s.%s n=%zu",
				   isa_op_table[op].mnemonic, tn(t), n);
			}
		}
	}

	/* in place: dst is an operand */
	fill_int(ATLAS_I32, A, B, 1027);
	memcpy(C, A, sizeof C);
	ops_binary(OP_ADD, ATLAS_I32)(A, A, B, 1027);
	size_t bad = 0;
	for (size_t i = 0; i < 1027; i++)
		bad += get(ATLAS_I32, A, i) != ref_int(OP_ADD, ATLAS_I32,
						       get(ATLAS_I32, C, i),
						       get(ATLAS_I32, B, i));
	ok(!bad, "add.i32 in place (dst == a)");
}

struct int_case {
	enum isa_op op;
	enum atlas_type t;
	uint64_t x, y, want;
};

static void test_int_known(void)
{
	static const struct int_case cases[] = {
		{OP_ADD, ATLAS_I8, 127, 1, 0x80},
		{OP_ADD, ATLAS_U32, 0xffffffffu, 2, 1},
		{OP_ADD, ATLAS_I64, 0x7fffffffffffffffu, 1,
		 0x8000000000000000u},
		{OP_SUB, ATLAS_U8, 0, 1, 0xff},
		{OP_SUB, ATLAS_I16, 0x8000, 1, 0x7fff},
		{OP_MUL, ATLAS_U16, 0xffff, 0xffff, 1},
		{OP_MUL, ATLAS_I16, 0x4000, 4, 0},
		{OP_MUL, ATLAS_I32, 0x10000, 0x10000, 0},
		{OP_MUL, ATLAS_I64, 0x8000000000000000u, ~(uint64_t)0,
		 0x8000000000000000u},
		{OP_MIN, ATLAS_I32, 0xffffffffu, 1, 0xffffffffu},
		{OP_MIN, ATLAS_U32, 0xffffffffu, 1, 1},
		{OP_MAX, ATLAS_I8, 0x80, 0x7f, 0x7f},
		{OP_MAX, ATLAS_U8, 0x80, 0x7f, 0x80},
		{OP_MAX, ATLAS_I64, 0x8000000000000000u, 0, 0},
		{OP_AND, ATLAS_U16, 0xff0f, 0x0ff0, 0x0f00},
		{OP_OR, ATLAS_I8, 0x80, 0x01, 0x81},
		{OP_XOR, ATLAS_U64, ~(uint64_t)0, 1, ~(uint64_t)1},
		{OP_SHL, ATLAS_I32, 1, 33, 2},
		{OP_SHL, ATLAS_U8, 0xff, 4, 0xf0},
		{OP_SHL, ATLAS_U8, 1, 8, 1},
		{OP_SHL, ATLAS_I16, 1, 15, 0x8000},
		{OP_SHL, ATLAS_I64, 1, 63, 0x8000000000000000u},
		{OP_SHL, ATLAS_U64, 1, 64, 1},
		{OP_SHL, ATLAS_U32, 3, 0xffffffffu, 0x80000000u},
		{OP_SHR, ATLAS_I8, 0x80, 7, 0xff},
		{OP_SHR, ATLAS_I8, 0x80, 9, 0xc0},
		{OP_SHR, ATLAS_U8, 0x80, 7, 1},
		{OP_SHR, ATLAS_U8, 0x80, 8, 0x80},
		{OP_SHR, ATLAS_I16, 0xfff0, 2, 0xfffc},
		{OP_SHR, ATLAS_I32, 0x80000000u, 31, 0xffffffffu},
		{OP_SHR, ATLAS_I32, 0x7fffffffu, 30, 1},
		{OP_SHR, ATLAS_U32, 0x80000000u, 32, 0x80000000u},
		{OP_SHR, ATLAS_I64, (uint64_t)-16, 2, (uint64_t)-4},
		{OP_SHR, ATLAS_I64, 0x8000000000000000u, 127, ~(uint64_t)0},
		{OP_SHR, ATLAS_U64, 0x8000000000000000u, 63, 1},
		{OP_NOT, ATLAS_U16, 0, 0, 0xffff},
		{OP_NOT, ATLAS_I8, 0, 0, 0xff},
		{OP_NOT, ATLAS_U64, 0x0f, 0, 0xfffffffffffffff0u},
		{OP_NEG, ATLAS_I16, 0x8000, 0, 0x8000},
		{OP_NEG, ATLAS_I64, 5, 0, (uint64_t)-5},
		{OP_NEG, ATLAS_I8, 0, 0, 0},
		{OP_ABS, ATLAS_I32, 0x80000000u, 0, 0x80000000u},
		{OP_ABS, ATLAS_I8, 0x80, 0, 0x80},
		{OP_ABS, ATLAS_I8, 0xff, 0, 1},
		{OP_ABS, ATLAS_I64, 0x8000000000000000u, 0,
		 0x8000000000000000u},
		{OP_ABS, ATLAS_I16, 0x7fff, 0, 0x7fff},
	};

	for (size_t k = 0; k < NELEM(cases); k++) {
		const struct int_case *c = &cases[k];
		const enum atlas_type t = c->t;
		uint32_t amt = (uint32_t)c->y;
		prefill(D, sizeof D);
		put(t, A, 0, c->x);
		put(t, B, 0, c->y);
		if (c->op == OP_NOT || c->op == OP_NEG || c->op == OP_ABS)
			ops_unary(c->op, t)(D, A, 1);
		else if (c->op == OP_SHL || c->op == OP_SHR)
			ops_binary(c->op, t)(D, A, &amt, 1);
		else
			ops_binary(c->op, t)(D, A, B, 1);
		if (!ok(get(t, D, 0) == c->want && tail_ok(D, 1, bits(t) / 8),
			"%s.%s %#llx, %#llx", isa_op_table[c->op].mnemonic,
			tn(t), (unsigned long long)c->x,
			(unsigned long long)c->y))
			diag("got %#llx, want %#llx",
			     (unsigned long long)get(t, D, 0),
			     (unsigned long long)c->want);
	}

	/* MAD wraps (i32, i64) */
	for (int w = 0; w < 2; w++) {
		const enum atlas_type t = w ? ATLAS_I64 : ATLAS_I32;
		const ops_tern_fn f = ops_ternary(OP_MAD, t);
		for (size_t z = 0; z < NNS; z++) {
			const size_t n = ns[z];
			size_t bad = n;
			fill_int(t, A, B, n);
			fill_int(t, C, NULL, n);
			prefill(D, sizeof D);
			f(D, A, B, C, n);
			for (size_t i = 0; i < n && bad == n; i++)
				if (get(t, D, i) !=
				    ((get(t, A, i) * get(t, B, i) +
				      get(t, C, i)) &
				     wmask(t)))
					bad = i;
			ok(bad == n && tail_ok(D, n, bits(t) / 8),
			   "mad.%s n=%zu", tn(t), n);
		}
	}
	int32_t x = INT32_MAX, y = 2, z = 3, r = 0;
	ops_ternary(OP_MAD, ATLAS_I32)(&r, &x, &y, &z, 1);
	is_int(r, 1, "mad.i32 0x7fffffff*2+3 wraps to 1");
	int64_t x6 = INT64_MIN, y6 = -1, z6 = -1, r6 = 0;
	ops_ternary(OP_MAD, ATLAS_I64)(&r6, &x6, &y6, &z6, 1);
	ok(r6 == INT64_MAX, "mad.i64 MIN*-1-1 wraps to MAX");
}

/* ---- integer division -------------------------------------------------- */

static uint64_t ref_div(enum atlas_type t, uint64_t x, uint64_t y)
{
	const uint64_t m = wmask(t);

	if (!is_sint(t))
		return (x & m) / (y & m);
	if (sx(t, y) == -1)
		return (0 - x) & m;
	return (uint64_t)(sx(t, x) / sx(t, y)) & m;
}

static void test_idiv(void)
{
	for (size_t k = 0; k < NELEM(int_types); k++) {
		const enum atlas_type t = int_types[k];
		const size_t es = atlas_type_size(t);
		for (size_t z = 0; z < NNS; z++) {
			const size_t n = ns[z];
			size_t bad = n, r;
			fill_int(t, A, B, n);
			for (size_t i = 0; i < n; i++)
				if (get(t, B, i) == 0)
					put(t, B, i, i % 3 ? wmask(t) : 1);
			prefill(D, sizeof D);
			r = ops_idiv(t, D, A, B, NULL, n);
			for (size_t i = 0; i < n && bad == n; i++)
				if (get(t, D, i) !=
				    ref_div(t, get(t, A, i), get(t, B, i)))
					bad = i;
			if (!ok(r == n && bad == n && tail_ok(D, n, es),
				"idiv.%s n=%zu", tn(t), n) &&
			    bad < n)
				diag("lane %zu: %#llx / %#llx = %#llx", bad,
				     (unsigned long long)get(t, A, bad),
				     (unsigned long long)get(t, B, bad),
				     (unsigned long long)get(t, D, bad));

			/* masked: inactive lanes have zero divisors */
			for (size_t i = 0; i < n; i++) {
				P[i] = (uint8_t)(rnd() % 3);
				if (!P[i])
					put(t, B, i, 0);
			}
			P[0] = 0;
			put(t, B, 0, 0);
			prefill(D, sizeof D);
			r = ops_idiv(t, D, A, B, P, n);
			bad = n;
			for (size_t i = 0; i < n && bad == n; i++) {
				const uint64_t want =
					P[i] ? ref_div(t, get(t, A, i),
						       get(t, B, i)) :
					       wmask(t) & 0xa5a5a5a5a5a5a5a5u;
				if (get(t, D, i) != want)
					bad = i;
			}
			ok(r == n && bad == n && tail_ok(D, n, es),
			   "idiv.%s masked n=%zu", tn(t), n);

			/* the first active zero divisor: nothing written */
			const size_t j = n / 2;
			P[j] = 1;
			put(t, B, j, 0);
			prefill(D, sizeof D);
			r = ops_idiv(t, D, A, B, P, n);
			int untouched = tail_ok(D, 0, 1);
			for (size_t i = 0; i < n * es; i++)
				untouched &= ((unsigned char *)D)[i] ==
					     SENTINEL;
			is_int(r, j, "idiv zero divisor lane index");
			ok(untouched, "idiv.%s zero divisor n=%zu: no write",
			   tn(t), n);
			r = ops_idiv(t, D, A, B, NULL, n);
			is_int(r, 0, "idiv unmasked: lane 0 has divisor 0");
		}
	}

	int32_t a[] = {7, -7, 7, -7, INT32_MIN, INT32_MIN, 0};
	int32_t b[] = {-2, 2, 2, -2, -1, 1, 5};
	int32_t want[] = {-3, -3, 3, 3, INT32_MIN, INT32_MIN, 0};
	int32_t d[7];
	ok(ops_idiv(ATLAS_I32, d, a, b, NULL, 7) == 7 &&
		   memcmp(d, want, sizeof d) == 0,
	   "idiv.i32 truncates toward zero, MIN/-1 = MIN");
	int8_t a8 = INT8_MIN, b8 = -1, d8 = 0;
	ops_idiv(ATLAS_I8, &d8, &a8, &b8, NULL, 1);
	is_int(d8, INT8_MIN, "idiv.i8 -128/-1 = -128");
	int64_t a64 = INT64_MIN, b64 = -1, d64 = 0;
	ops_idiv(ATLAS_I64, &d64, &a64, &b64, NULL, 1);
	ok(d64 == INT64_MIN, "idiv.i64 MIN/-1 = MIN");
	uint64_t ua = UINT64_MAX, ub = 3, ud = 0;
	ops_idiv(ATLAS_U64, &ud, &ua, &ub, NULL, 1);
	ok(ud == 0x5555555555555555u, "idiv.u64 max/3");
	uint8_t u8a = 200, u8b = 7, u8d = 0, m0 = 0;
	ok(ops_idiv(ATLAS_U8, &u8d, &u8a, &u8b, NULL, 1) == 1 && u8d == 28,
	   "idiv.u8 200/7 = 28");
	u8b = 0;
	ok(ops_idiv(ATLAS_U8, &u8d, &u8a, &u8b, &m0, 1) == 1 && u8d == 28,
	   "idiv.u8 inactive zero divisor: no trap, no write");
}

/* ---- f32, f64
 * ----------------------------------------------------------------- */

static double flt_special(enum atlas_type t, size_t k)
{
	const double v[] = {0.0,
			    -0.0,
			    1.0,
			    -1.0,
			    0.5,
			    3.0,
			    -2.5,
			    INFINITY,
			    -INFINITY,
			    NAN,
			    1e30,
			    -7.25,
			    t == ATLAS_F32 ? 1e-40 : 5e-324,
			    t == ATLAS_F32 ? FLT_MAX : DBL_MAX};
	return v[k % NELEM(v)];
}
#define NFSPECIAL 14

static double flt_random(enum atlas_type t)
{
	const uint64_t r = rnd();
	if (r & 1) /* any bit pattern: NaNs, infinities, subnormals */
		return t == ATLAS_F32 ? u2f((uint32_t)(r >> 32)) : u2d(r);
	return ((double)(r >> 11) / 9007199254740992.0 - 0.5) * 2000;
}

static void fill_flt(enum atlas_type t, void *a, void *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const int spec = i < NFSPECIAL * NFSPECIAL;
		putf(t, a, i,
		     spec ? flt_special(t, i % NFSPECIAL) : flt_random(t));
		if (b)
			putf(t, b, i,
			     spec ? flt_special(t, i / NFSPECIAL) :
				    flt_random(t));
	}
}

/*
 * Reference in double; for f32 one rounding of the double result, which
 * is the correctly rounded f32 result for + - * /.
 */
static double ref_flt(enum isa_op op, enum atlas_type t, double x, double y)
{
	double r;

	switch (op) {
	case OP_ADD:
		r = x + y;
		break;
	case OP_SUB:
		r = x - y;
		break;
	case OP_MUL:
		r = x * y;
		break;
	case OP_DIV:
		r = x / y;
		break;
	case OP_MIN:
		r = isnan(x) ? y : isnan(y) ? x : x < y ? x : y;
		break;
	case OP_MAX:
		r = isnan(x) ? y : isnan(y) ? x : x > y ? x : y;
		break;
	case OP_NEG:
		r = -x;
		break;
	case OP_ABS:
		r = fabs(x);
		break;
	default:
		r = NAN;
	}
	return t == ATLAS_F32 ? (float)r : r;
}

/* MIN/MAX of equal values (+0 and -0) may return either. */
static int flt_ok(enum isa_op op, enum atlas_type t, double got, double x,
		  double y)
{
	if ((op == OP_MIN || op == OP_MAX) && x == y)
		return got == x;
	return same_f(t, got, ref_flt(op, t, x, y));
}

static void test_flt_ops(void)
{
	static const enum isa_op bins[] = {OP_ADD, OP_SUB, OP_MUL,
					   OP_DIV, OP_MIN, OP_MAX};
	static const enum isa_op uns[] = {OP_NEG, OP_ABS, OP_MOV};

	for (int w = 0; w < 2; w++) {
		const enum atlas_type t = w ? ATLAS_F64 : ATLAS_F32;
		const size_t es = atlas_type_size(t);
		for (size_t o = 0; o < NELEM(bins); o++) {
			const enum isa_op op = bins[o];
			for (size_t z = 0; z < NNS; z++) {
				const size_t n = ns[z];
				size_t bad = n;
				fill_flt(t, A, B, n);
				prefill(D, sizeof D);
				ops_binary(op, t)(D, A, B, n);
				for (size_t i = 0; i < n && bad == n; i++)
					if (!flt_ok(op, t, getf(t, D, i),
						    getf(t, A, i),
						    getf(t, B, i)))
						bad = i;
				if (!ok(bad == n && tail_ok(D, n, es),
					"%s.%s n=%zu",
					isa_op_table[op].mnemonic, tn(t), n) &&
				    bad < n)
					diag("lane %zu: %a op %a = %a", bad,
					     getf(t, A, bad), getf(t, B, bad),
					     getf(t, D, bad));
			}
		}
		for (size_t o = 0; o < NELEM(uns); o++) {
			const enum isa_op op = uns[o];
			for (size_t z = 0; z < NNS; z++) {
				const size_t n = ns[z];
				size_t bad = n;
				fill_flt(t, A, NULL, n);
				prefill(D, sizeof D);
				ops_unary(op, t)(D, A, n);
				for (size_t i = 0; i < n && bad == n; i++) {
					const double x = getf(t, A, i);
					const uint64_t u = get(t, A, i);
					const uint64_t sign =
						(wmask(t) >> 1) + 1;
					/* bitwise, NaN included */
					const uint64_t want =
						op == OP_MOV ? u :
						op == OP_ABS ? u & ~sign :
							       u ^ sign;
					if (get(t, D, i) != want ||
					    !same_f(t, getf(t, D, i),
						    op == OP_MOV ?
							    x :
							    ref_flt(op, t, x,
								    0)))
						bad = i;
				}
				ok(bad == n && tail_ok(D, n, es), "%s.%s n=%zu",
				   isa_op_table[op].mnemonic, tn(t), n);
			}
		}
		/* MAD: two roundings; FMA: one */
		for (size_t z = 0; z < NNS; z++) {
			const size_t n = ns[z];
			size_t badm = n, badf = n;
			for (size_t i = 0; i < n; i++) {
				putf(t, A, i, flt_random(t) / 64);
				putf(t, B, i, flt_random(t) / 64);
				putf(t, C, i, flt_random(t));
			}
			ops_ternary(OP_MAD, t)(D, A, B, C, n);
			ops_ternary(OP_FMA, t)(E, A, B, C, n);
			for (size_t i = 0; i < n; i++) {
				const double x = getf(t, A, i),
					     y = getf(t, B, i),
					     c = getf(t, C, i);
				double m, f;
				if (t == ATLAS_F32) {
					/* the product of floats is exact in
					 * double */
					m = (float)((double)(float)(x * y) + c);
					f = fmaf((float)x, (float)y, (float)c);
				} else {
					volatile double p = x * y;
					m = p + c;
					f = fma(x, y, c);
				}
				if (badm == n && !same_f(t, getf(t, D, i), m))
					badm = i;
				if (badf == n && !same_f(t, getf(t, E, i), f))
					badf = i;
			}
			ok(badm == n, "mad.%s n=%zu", tn(t), n);
			ok(badf == n, "fma.%s n=%zu", tn(t), n);
		}
	}

	/* cases where fused and unfused differ: MAD must not be contracted */
	{
		const float a = 1 + 0x1p-12f, c = -(1 + 0x1p-11f);
		float m = 1, f = 0;
		ops_ternary(OP_MAD, ATLAS_F32)(&m, &a, &a, &c, 1);
		ops_ternary(OP_FMA, ATLAS_F32)(&f, &a, &a, &c, 1);
		ok(m == 0 && f == 0x1p-24f,
		   "f32: mad rounds twice (0), fma once (2^-24)");
		const double ad = 1 + 0x1p-27, cd = -(1 + 0x1p-26);
		double md = 1, fd = 0;
		ops_ternary(OP_MAD, ATLAS_F64)(&md, &ad, &ad, &cd, 1);
		ops_ternary(OP_FMA, ATLAS_F64)(&fd, &ad, &ad, &cd, 1);
		ok(md == 0 && fd == 0x1p-54,
		   "f64: mad rounds twice (0), fma once (2^-54)");
	}

	/* hand-written */
	{
		float x[] = {NAN, 1, NAN, -0.0f, 2}, y[] = {1, NAN, NAN, 5, -3};
		float mn[5], mx[5];
		ops_binary(OP_MIN, ATLAS_F32)(mn, x, y, 5);
		ops_binary(OP_MAX, ATLAS_F32)(mx, x, y, 5);
		ok(mn[0] == 1 && mn[1] == 1 && isnan(mn[2]) && mn[3] == 0 &&
			   signbit(mn[3]) && mn[4] == -3,
		   "min.f32 NaN returns the other operand");
		ok(mx[0] == 1 && mx[1] == 1 && isnan(mx[2]) && mx[3] == 5 &&
			   mx[4] == 2,
		   "max.f32 NaN returns the other operand");
		double xd[] = {NAN, -1e300}, yd[] = {-4, NAN}, md[2];
		ops_binary(OP_MAX, ATLAS_F64)(md, xd, yd, 2);
		ok(md[0] == -4 && md[1] == -1e300, "max.f64 NaN rule");
		ops_binary(OP_MIN, ATLAS_F64)(md, xd, yd, 2);
		ok(md[0] == -4 && md[1] == -1e300, "min.f64 NaN rule");

		float z[] = {0.0f, -0.0f}, r[2];
		ops_unary(OP_NEG, ATLAS_F32)(r, z, 2);
		ok(signbit(r[0]) && !signbit(r[1]),
		   "neg.f32 of +-0 flips sign");
		ops_unary(OP_ABS, ATLAS_F32)(r, z, 2);
		ok(!signbit(r[0]) && !signbit(r[1]), "abs.f32 -0 = +0");
		float mz[] = {-0.0f, -0.0f}, pz[] = {-0.0f, 0.0f};
		ops_binary(OP_ADD, ATLAS_F32)(r, mz, pz, 2);
		ok(signbit(r[0]) && !signbit(r[1]),
		   "add.f32 -0 + -0 = -0, -0 + +0 = +0");
		double one = 1, zero = 0, q;
		ops_binary(OP_DIV, ATLAS_F64)(&q, &one, &zero, 1);
		ok(isinf(q) && q > 0, "div.f64 1/0 = +inf");
		ops_binary(OP_DIV, ATLAS_F64)(&q, &zero, &zero, 1);
		ok(isnan(q), "div.f64 0/0 = NaN");
	}

	/* in place, both operands */
	fill_flt(ATLAS_F32, A, B, 1027);
	memcpy(C, A, sizeof C);
	ops_binary(OP_MUL, ATLAS_F32)(B, A, B, 1027);
	ops_binary(OP_SUB, ATLAS_F32)(A, A, A, 1027);
	size_t bad = 0;
	for (size_t i = 0; i < 1027; i++) {
		const double c = getf(ATLAS_F32, C, i);
		bad += !same_f(ATLAS_F32, getf(ATLAS_F32, A, i),
			       ref_flt(OP_SUB, ATLAS_F32, c, c));
	}
	ok(!bad, "sub.f32 in place (dst == a == b)");
}

/* ---- transcendentals ------------------------------------------------------
 */

struct transc {
	enum isa_op op;
	double lo, hi; /* input range */
	double (*ref)(double);
};

static double ref_rsqrt(double x)
{
	return (double)(1.0L / sqrtl((long double)x));
}

static double ref_sigmoid(double x)
{
	return (double)(1.0L / (1.0L + expl(-(long double)x)));
}

static void test_transc(void)
{
	static const struct transc tr[] = {
		{OP_EXP, -80, 80, exp},
		{OP_LOG, 1e-30, 1e6, log},
		{OP_LOG2, 1e-30, 1e6, log2},
		{OP_LOG10, 1e-30, 1e6, log10},
		{OP_SQRT, 0, 1e6, sqrt},
		{OP_RSQRT, 1e-30, 1e6, ref_rsqrt},
		{OP_SIN, -100, 100, sin},
		{OP_COS, -100, 100, cos},
		{OP_TAN, -100, 100, tan},
		{OP_TANH, -20, 20, tanh},
		{OP_SIGMOID, -30, 30, ref_sigmoid},
	};
	/* f16 / bf16 inputs and exact results */
	static const float hin[] = {0, 1, 8, 100, 4, 4, 0, 0, 0, 0, 0};
	static const float hout[] = {1, 0, 3, 2, 2, 0.5, 0, 1, 0, 0, 0.5};

	for (size_t k = 0; k < NELEM(tr); k++) {
		for (int w = 0; w < 2; w++) {
			const enum atlas_type t = w ? ATLAS_F64 : ATLAS_F32;
			for (size_t z = 0; z < NNS; z++) {
				const size_t n = ns[z];
				double worst = 0;
				size_t at = 0;
				for (size_t i = 0; i < n; i++)
					putf(t, A, i,
					     tr[k].lo + (tr[k].hi - tr[k].lo) *
								(double)i / n);
				putf(t, A, 0, NAN);
				ops_unary(tr[k].op, t)(D, A, n);
				for (size_t i = 0; i < n; i++) {
					const double x = getf(t, A, i);
					double want = tr[k].ref(x);
					if (t == ATLAS_F32)
						want = (float)want;
					const double u =
						ulps(t, getf(t, D, i), want);
					if (u > worst) {
						worst = u;
						at = i;
					}
				}
				if (!ok(worst <= 16, "%s.%s n=%zu",
					isa_op_table[tr[k].op].mnemonic, tn(t),
					n))
					diag("%.1f ulp at %a -> %a", worst,
					     getf(t, A, at), getf(t, D, at));
			}
		}
		for (int bf = 0; bf < 2; bf++) {
			const enum atlas_type t = bf ? ATLAS_BF16 : ATLAS_F16;
			uint16_t x[3] = {f2h(hin[k], bf), 0x7e00, 0},
				 d[3] = {0, 0, 0xa5a5};
			if (bf)
				x[1] = 0x7fc0;
			ops_unary(tr[k].op, t)(d, x, 2);
			if (!ok(d[0] == f2h(hout[k], bf) &&
					isnan(h2f(d[1], bf)) && d[2] == 0xa5a5,
				"%s.%s(%g) = %g",
				isa_op_table[tr[k].op].mnemonic, tn(t), hin[k],
				hout[k]))
				diag("got %#x", d[0]);
		}
	}
	/* rounding back to the half format */
	uint16_t two[2] = {0x4000, 0x4000}, r[2];
	ops_unary(OP_SQRT, ATLAS_F16)(r, two, 1);
	is_int(r[0], 0x3da8, "sqrt.f16(2) rounds to 0x3da8");
	ops_unary(OP_SQRT, ATLAS_BF16)(r, two, 1);
	is_int(r[0], 0x3fb5, "sqrt.bf16(2) rounds to 0x3fb5");
	float m1 = -1, s;
	ops_unary(OP_SQRT, ATLAS_F32)(&s, &m1, 1);
	ok(isnan(s), "sqrt.f32(-1) is NaN");
	double zd = 0, ed;
	ops_unary(OP_EXP, ATLAS_F64)(&ed, &zd, 1);
	ok(ed == 1, "exp.f64(0) = 1");
}

/* ---- f16, bf16 arithmetic
 * ---------------------------------------------------- */

static void test_half_ops(void)
{
	static const enum isa_op bins[] = {OP_ADD, OP_SUB, OP_MUL, OP_MIN,
					   OP_MAX};

	for (int bf = 0; bf < 2; bf++) {
		const enum atlas_type t = bf ? ATLAS_BF16 : ATLAS_F16;
		uint16_t *a = (uint16_t *)A, *b = (uint16_t *)B,
			 *c = (uint16_t *)C, *d = (uint16_t *)D;
		/* small integers: every result is exact in the format */
		for (size_t o = 0; o < NELEM(bins); o++) {
			const enum isa_op op = bins[o];
			for (size_t z = 0; z < NNS; z++) {
				const size_t n = ns[z];
				size_t bad = n;
				for (size_t i = 0; i < n; i++) {
					a[i] = f2h(
						(float)((int)(rnd() % 31) - 15),
						bf);
					b[i] = f2h(
						(float)((int)(rnd() % 31) - 15),
						bf);
				}
				prefill(D, sizeof D);
				ops_binary(op, t)(d, a, b, n);
				for (size_t i = 0; i < n && bad == n; i++) {
					const float x = h2f(a[i], bf),
						    y = h2f(b[i], bf);
					const float want = (float)ref_flt(
						op, ATLAS_F32, x, y);
					if (op == OP_MIN || op == OP_MAX ?
						    h2f(d[i], bf) != want :
						    d[i] != f2h(want, bf))
						bad = i;
				}
				if (!ok(bad == n && tail_ok(D, n, 2),
					"%s.%s n=%zu",
					isa_op_table[op].mnemonic, tn(t), n) &&
				    bad < n)
					diag("lane %zu: %#x op %#x = %#x", bad,
					     a[bad], b[bad], d[bad]);
			}
		}
		for (size_t z = 0; z < NNS; z++) {
			const size_t n = ns[z];
			size_t badm = n, badf = n, badn = n, bada = n;
			for (size_t i = 0; i < n; i++) {
				a[i] = f2h((float)((int)(rnd() % 15) - 7), bf);
				b[i] = f2h((float)((int)(rnd() % 15) - 7), bf);
				c[i] = f2h((float)((int)(rnd() % 15) - 7), bf);
			}
			a[0] = bf ? 0xffc1 : 0xfe01; /* NaN with payload */
			ops_ternary(OP_MAD, t)(d, a, b, c, n);
			for (size_t i = 1; i < n; i++)
				if (badm == n &&
				    d[i] != f2h(h2f(a[i], bf) * h2f(b[i], bf) +
							h2f(c[i], bf),
						bf))
					badm = i;
			ops_ternary(OP_FMA, t)(d, a, b, c, n);
			for (size_t i = 1; i < n; i++)
				if (badf == n &&
				    d[i] != f2h(h2f(a[i], bf) * h2f(b[i], bf) +
							h2f(c[i], bf),
						bf))
					badf = i;
			prefill(D, sizeof D);
			ops_unary(OP_NEG, t)(d, a, n);
			for (size_t i = 0; i < n; i++)
				if (badn == n && d[i] != (a[i] ^ 0x8000))
					badn = i;
			ops_unary(OP_ABS, t)(d, a, n);
			for (size_t i = 0; i < n; i++)
				if (bada == n && d[i] != (a[i] & 0x7fff))
					bada = i;
			ok(badm == n, "mad.%s n=%zu", tn(t), n);
			ok(badf == n, "fma.%s n=%zu", tn(t), n);
			ok(badn == n && tail_ok(D, n, 2), "neg.%s n=%zu", tn(t),
			   n);
			ok(bada == n, "abs.%s n=%zu", tn(t), n);
		}

		/* MOV copies bit patterns, NaN payloads included */
		for (size_t z = 0; z < NNS; z++) {
			const size_t n = ns[z];
			for (size_t i = 0; i < n; i++)
				a[i] = (uint16_t)rnd();
			prefill(D, sizeof D);
			ops_unary(OP_MOV, t)(d, a, n);
			ok(memcmp(d, a, n * 2) == 0 && tail_ok(D, n, 2),
			   "mov.%s n=%zu", tn(t), n);
		}

		/* division and rounding, NaN rule of MIN/MAX */
		uint16_t x[4] = {f2h(6, bf), f2h(1, bf), f2h(1, bf),
				 f2h(-1, bf)};
		uint16_t y[4] = {f2h(3, bf), f2h(3, bf), 0, 0};
		uint16_t r[4];
		ops_binary(OP_DIV, t)(r, x, y, 4);
		ok(r[0] == f2h(2, bf) && r[1] == (bf ? 0x3eab : 0x3555) &&
			   r[2] == (bf ? 0x7f80 : 0x7c00) &&
			   r[3] == (bf ? 0xff80 : 0xfc00),
		   "div.%s 6/3, 1/3 rounded, +-1/0", tn(t));
		uint16_t nan = bf ? 0x7fc0 : 0x7e00;
		uint16_t p[2] = {nan, f2h(2, bf)}, q[2] = {f2h(2, bf), nan};
		ops_binary(OP_MIN, t)(r, p, q, 2);
		ok(r[0] == f2h(2, bf) && r[1] == f2h(2, bf),
		   "min.%s NaN returns the other operand", tn(t));
		ops_binary(OP_MAX, t)(r, p, q, 2);
		ok(r[0] == f2h(2, bf) && r[1] == f2h(2, bf),
		   "max.%s NaN returns the other operand", tn(t));
		/* 1 + half an ulp: a tie, rounds to even (1) */
		uint16_t one = f2h(1, bf),
			 half_ulp = f2h(bf ? 0x1p-8f : 0x1p-11f, bf);
		ops_binary(OP_ADD, t)(r, &one, &half_ulp, 1);
		is_int(r[0], one, "add rounds to nearest even");
		uint16_t big = bf ? 0x7f7f : 0x7bff; /* the largest finite */
		ops_binary(OP_ADD, t)(r, &big, &big, 1);
		is_int(r[0], bf ? 0x7f80 : 0x7c00, "add overflows to +inf");
	}
}

/* ---- compares --------------------------------------------------------------
 */

static int ref_cmp(int c, double x, double y)
{
	switch (c) {
	case COND_EQ:
		return x == y;
	case COND_NE:
		return x != y;
	case COND_LT:
	case COND_LTU:
		return x < y;
	case COND_LE:
	case COND_LEU:
		return x <= y;
	case COND_GT:
	case COND_GTU:
		return x > y;
	default:
		return x >= y;
	}
}

static int ref_icmp(int c, enum atlas_type t, uint64_t x, uint64_t y)
{
	if (is_sint(t)) {
		const int64_t a = sx(t, x), b = sx(t, y);
		return a == b ? c == COND_EQ || c == COND_LE || c == COND_GE :
		       a < b  ? c == COND_NE || c == COND_LT || c == COND_LE :
				c == COND_NE || c == COND_GT || c == COND_GE;
	}
	x &= wmask(t);
	y &= wmask(t);
	return x == y ? c == COND_EQ || c == COND_LE || c == COND_GE ||
				c == COND_LEU || c == COND_GEU :
	       x < y ? c == COND_NE || c == COND_LT || c == COND_LE ||
			       c == COND_LTU || c == COND_LEU :
		       c == COND_NE || c == COND_GT || c == COND_GE ||
			       c == COND_GTU || c == COND_GEU;
}

static void test_compare(void)
{
	uint8_t *d = (uint8_t *)D;

	for (size_t k = 0; k < NELEM(all_types); k++) {
		const enum atlas_type t = all_types[k];
		const int half = t == ATLAS_F16 || t == ATLAS_BF16;
		const int bf = t == ATLAS_BF16;
		for (int c = 0; c < COND_COUNT; c++) {
			const ops_cmp_fn f = ops_compare((enum isa_cond)c, t);
			if (!f)
				continue;
			size_t badz = 0;
			for (size_t z = 0; z < NNS; z++) {
				const size_t n = ns[z];
				size_t bad = n;
				if (is_sint(t) || is_uint(t))
					fill_int(t, A, B, n);
				else if (!half)
					fill_flt(t, A, B, n);
				else
					for (size_t i = 0; i < n; i++) {
						const float v[] = {
							NAN, 0,	   -0.0f,   1,
							-1,  2.5f, INFINITY};
						((uint16_t *)A)[i] =
							f2h(v[i % 7], bf);
						((uint16_t *)B)[i] = f2h(
							v[(i / 7 + rnd()) % 7],
							bf);
					}
				prefill(D, sizeof D);
				f(d, A, B, n);
				for (size_t i = 0; i < n && bad == n; i++) {
					int want;
					if (half)
						want = ref_cmp(
							c,
							h2f(((uint16_t *)A)[i],
							    bf),
							h2f(((uint16_t *)B)[i],
							    bf));
					else if (is_float_t(t))
						want = ref_cmp(c, getf(t, A, i),
							       getf(t, B, i));
					else
						want = ref_icmp(c, t,
								get(t, A, i),
								get(t, B, i));
					if (d[i] != want)
						bad = i;
				}
				badz += bad != n || !tail_ok(D, n, 1);
			}
			ok(!badz, "set%s.%s n=1,7,1024,1027", isa_cond_names[c],
			   tn(t));
		}
	}
	float x[] = {NAN, NAN, 1, 1}, y[] = {NAN, 1, NAN, 1};
	uint8_t r[4];
	ops_compare(COND_EQ, ATLAS_F32)(r, x, y, 4);
	ok(!r[0] && !r[1] && !r[2] && r[3], "seteq.f32 NaN is false");
	ops_compare(COND_NE, ATLAS_F32)(r, x, y, 4);
	ok(r[0] && r[1] && r[2] && !r[3], "setne.f32 NaN is true");
	ops_compare(COND_GE, ATLAS_F32)(r, x, y, 4);
	ok(!r[0] && !r[1] && !r[2] && r[3], "setge.f32 NaN is false");
	double z[] = {-0.0}, pz[] = {0.0};
	ops_compare(COND_EQ, ATLAS_F64)(r, z, pz, 1);
	ok(r[0] == 1, "seteq.f64 -0 == +0");
	uint32_t ua = 0xffffffffu, ub = 1;
	ops_compare(COND_GTU, ATLAS_U32)(r, &ua, &ub, 1);
	ok(r[0] == 1, "setgtu.u32 0xffffffff > 1");
	int32_t ia = -1, ib = 1;
	ops_compare(COND_LT, ATLAS_I32)(r, &ia, &ib, 1);
	ok(r[0] == 1, "setlt.i32 -1 < 1");
}

/* ---- CVT
 * ------------------------------------------------------------------------ */

/* reference 2.7, extended for f16/bf16 (DESIGN.md 8.7) */
static int cvt_supported(enum atlas_type to, enum atlas_type from)
{
	static const enum atlas_type fl[][2] = {
		{ATLAS_F32, ATLAS_I32},	 {ATLAS_F64, ATLAS_I64},
		{ATLAS_F32, ATLAS_U32},	 {ATLAS_F64, ATLAS_U64},
		{ATLAS_I32, ATLAS_F32},	 {ATLAS_I64, ATLAS_F64},
		{ATLAS_U32, ATLAS_F32},	 {ATLAS_U64, ATLAS_F64},
		{ATLAS_F32, ATLAS_F64},	 {ATLAS_F64, ATLAS_F32},
		{ATLAS_F32, ATLAS_F16},	 {ATLAS_F16, ATLAS_F32},
		{ATLAS_F32, ATLAS_BF16}, {ATLAS_BF16, ATLAS_F32}};

	if (to == from)
		return 1;
	if ((is_sint(to) && is_sint(from)) || (is_uint(to) && is_uint(from)))
		return 1;
	if ((is_sint(to) || is_uint(to)) && (is_sint(from) || is_uint(from)))
		return bits(to) == bits(from);
	for (size_t k = 0; k < NELEM(fl); k++)
		if (fl[k][0] == to && fl[k][1] == from)
			return 1;
	return 0;
}

struct cvt_case {
	enum atlas_type to, from;
	uint64_t x, want; /* bit patterns */
};

static void test_convert(void)
{
	int bad_null = 0;

	for (size_t i = 0; i < NELEM(all_types); i++)
		for (size_t j = 0; j < NELEM(all_types); j++) {
			const enum atlas_type to = all_types[i],
					      from = all_types[j];
			if ((ops_convert(to, from) != NULL) !=
			    cvt_supported(to, from)) {
				diag("cvt.%s.%s", tn(to), tn(from));
				bad_null++;
			}
		}
	ok(!bad_null, "ops_convert supports exactly the pairs of the table");
	ok(!ops_convert(ATLAS_F64, ATLAS_I32), "cvt.f64.i32 unsupported");
	ok(!ops_convert(ATLAS_F32, ATLAS_U8), "cvt.f32.u8 unsupported");
	ok(!ops_convert(ATLAS_U16, ATLAS_I8), "cvt.u16.i8 unsupported");
	ok(!ops_convert(ATLAS_I64, ATLAS_F32), "cvt.i64.f32 unsupported");
	ok(!ops_convert(ATLAS_F64, ATLAS_F16), "cvt.f64.f16 unsupported");
	ok(!ops_convert(ATLAS_F16, ATLAS_BF16), "cvt.f16.bf16 unsupported");
	ok(!ops_convert(ATLAS_I16, ATLAS_F16), "cvt.i16.f16 unsupported");

	/* integer <-> integer: extend by the source's signedness, truncate */
	for (size_t i = 0; i < NELEM(int_types); i++)
		for (size_t j = 0; j < NELEM(int_types); j++) {
			const enum atlas_type to = int_types[i],
					      from = int_types[j];
			const ops_un_fn f = ops_convert(to, from);
			size_t badz = 0;
			if (!f)
				continue;
			for (size_t z = 0; z < NNS; z++) {
				const size_t n = ns[z];
				size_t bad = n;
				fill_int(from, A, NULL, n);
				prefill(D, sizeof D);
				f(D, A, n);
				for (size_t k = 0; k < n && bad == n; k++) {
					const uint64_t x = get(from, A, k);
					const uint64_t v =
						is_sint(from) ?
							(uint64_t)sx(from, x) :
							x;
					if (get(to, D, k) != (v & wmask(to)))
						bad = k;
				}
				badz += bad != n ||
					!tail_ok(D, n, bits(to) / 8);
			}
			ok(!badz, "cvt.%s.%s n=1,7,1024,1027", tn(to),
			   tn(from));
		}

	static const struct cvt_case cases[] = {
		{ATLAS_I32, ATLAS_I8, 0x80, 0xffffff80u},
		{ATLAS_U32, ATLAS_U8, 0x80, 0x80},
		{ATLAS_I8, ATLAS_I32, 0x12345680u, 0x80},
		{ATLAS_U16, ATLAS_U64, 0x123456789abcdef0u, 0xdef0},
		{ATLAS_I64, ATLAS_I16, 0x8000, 0xffffffffffff8000u},
		{ATLAS_U8, ATLAS_I8, 0xff, 0xff},
		{ATLAS_I64, ATLAS_U64, ~(uint64_t)0, ~(uint64_t)0},
		{ATLAS_F32, ATLAS_I32, 16777217, 0x4b800000u}, /* 2^24 */
		{ATLAS_F32, ATLAS_I32, 0x80000000u, 0xcf000000u},
		{ATLAS_F32, ATLAS_U32, 0xffffffffu, 0x4f800000u}, /* 2^32 */
		{ATLAS_F64, ATLAS_I64, 0x20000000000001u, 0x4340000000000000u},
		{ATLAS_F64, ATLAS_U64, ~(uint64_t)0, 0x43f0000000000000u},
		{ATLAS_F64, ATLAS_I64, 0x8000000000000000u,
		 0xc3e0000000000000u},
		/* f32 -> i32: truncate, saturate, NaN -> 0 */
		{ATLAS_I32, ATLAS_F32, 0x7fc00000u, 0},		  /* NaN */
		{ATLAS_I32, ATLAS_F32, 0xffc00000u, 0},		  /* -NaN */
		{ATLAS_I32, ATLAS_F32, 0x7f800000u, 0x7fffffffu}, /* inf */
		{ATLAS_I32, ATLAS_F32, 0xff800000u, 0x80000000u}, /* -inf */
		{ATLAS_I32, ATLAS_F32, 0x4f000000u, 0x7fffffffu}, /* 2^31 */
		{ATLAS_I32, ATLAS_F32, 0xcf000000u, 0x80000000u}, /* -2^31 */
		{ATLAS_I32, ATLAS_F32, 0xcf000001u, 0x80000000u},
		{ATLAS_I32, ATLAS_F32, 0x4effffffu, 2147483520u},
		{ATLAS_I32, ATLAS_F32, 0xc039999au, 0xfffffffeu}, /* -2.9 */
		{ATLAS_I32, ATLAS_F32, 0x4039999au, 2},		  /* 2.9 */
		{ATLAS_I32, ATLAS_F32, 0x80000000u, 0},		  /* -0 */
		{ATLAS_I32, ATLAS_F32, 0x501502f9u, 0x7fffffffu}, /* 1e10 */
		{ATLAS_U32, ATLAS_F32, 0xbf800000u, 0},		  /* -1 */
		{ATLAS_U32, ATLAS_F32, 0xbf666666u, 0},		  /* -0.9 */
		{ATLAS_U32, ATLAS_F32, 0x4f800000u, 0xffffffffu}, /* 2^32 */
		{ATLAS_U32, ATLAS_F32, 0x4f7fffffu, 4294967040u},
		{ATLAS_U32, ATLAS_F32, 0x7fc00000u, 0},
		{ATLAS_U32, ATLAS_F32, 0x406ccccdu, 3}, /* 3.7 */
		{ATLAS_U32, ATLAS_F32, 0xff800000u, 0},
		{ATLAS_U32, ATLAS_F32, 0x7f800000u, 0xffffffffu},
		{ATLAS_I64, ATLAS_F64, 0x43e0000000000000u,
		 0x7fffffffffffffffu},
		{ATLAS_I64, ATLAS_F64, 0xc3e0000000000000u,
		 0x8000000000000000u},
		{ATLAS_I64, ATLAS_F64, 0xc3e0000000000001u,
		 0x8000000000000000u},
		{ATLAS_I64, ATLAS_F64, 0x43dfffffffffffffu,
		 0x7ffffffffffffc00u},
		{ATLAS_I64, ATLAS_F64, 0x7ff8000000000000u, 0},
		{ATLAS_I64, ATLAS_F64, 0xfff0000000000000u,
		 0x8000000000000000u},
		{ATLAS_I64, ATLAS_F64, 0xc00b333333333333u, (uint64_t)-3},
		{ATLAS_U64, ATLAS_F64, 0x43f0000000000000u, ~(uint64_t)0},
		{ATLAS_U64, ATLAS_F64, 0x43efffffffffffffu,
		 0xfffffffffffff800u},
		{ATLAS_U64, ATLAS_F64, 0xc014000000000000u, 0}, /* -5 */
		{ATLAS_U64, ATLAS_F64, 0x7ff8000000000000u, 0},
		{ATLAS_U64, ATLAS_F64, 0x7ff0000000000000u, ~(uint64_t)0},
		{ATLAS_U64, ATLAS_F64, 0x4045000000000000u, 42},
		/* f32 <-> f64 */
		{ATLAS_F64, ATLAS_F32, 0x3dcccccdu, 0x3fb99999a0000000u},
		{ATLAS_F32, ATLAS_F64, 0x3fb999999999999au, 0x3dcccccdu},
		/* 1e300 */
		{ATLAS_F32, ATLAS_F64, 0x7e37e43c8800759cu, 0x7f800000u},
		{ATLAS_F32, ATLAS_F64, 0x8000000000000000u, 0x80000000u},
		{ATLAS_F64, ATLAS_F32, 0x80000000u, 0x8000000000000000u},
		{ATLAS_F64, ATLAS_F32, 0xff800000u, 0xfff0000000000000u},
		{ATLAS_F32, ATLAS_F32, 0x7fc00001u, 0x7fc00001u},
		{ATLAS_F64, ATLAS_F64, 0x7ff8000000000001u,
		 0x7ff8000000000001u},
		/* halves */
		{ATLAS_F32, ATLAS_F16, 0x3c00, 0x3f800000u},
		{ATLAS_F32, ATLAS_F16, 0xc000, 0xc0000000u},
		{ATLAS_F32, ATLAS_F16, 0x7c00, 0x7f800000u},
		{ATLAS_F32, ATLAS_F16, 0x0001, 0x33800000u}, /* 2^-24 */
		{ATLAS_F32, ATLAS_F16, 0x7bff, 0x477fe000u}, /* 65504 */
		{ATLAS_F32, ATLAS_F16, 0x8000, 0x80000000u},
		{ATLAS_F16, ATLAS_F32, 0x3f800000u, 0x3c00},
		{ATLAS_F16, ATLAS_F32, 0x477ff000u, 0x7c00}, /* 65520 -> inf */
		{ATLAS_F16, ATLAS_F32, 0x477fe000u, 0x7bff},
		{ATLAS_F16, ATLAS_F32, 0x33800000u, 0x0001},
		{ATLAS_F16, ATLAS_F32, 0x33000000u, 0x0000}, /* 2^-25: tie to 0
							      */
		{ATLAS_F16, ATLAS_F32, 0x80000000u, 0x8000},
		{ATLAS_F32, ATLAS_BF16, 0x3f80, 0x3f800000u},
		{ATLAS_F32, ATLAS_BF16, 0xff80, 0xff800000u},
		{ATLAS_BF16, ATLAS_F32, 0x3f800000u, 0x3f80},
		{ATLAS_BF16, ATLAS_F32, 0x3f808000u, 0x3f80}, /* tie to even */
		{ATLAS_BF16, ATLAS_F32, 0x3f818000u, 0x3f82}, /* tie to even */
		{ATLAS_BF16, ATLAS_F32, 0x3f808001u, 0x3f81},
		{ATLAS_BF16, ATLAS_F32, 0x7f7fffffu, 0x7f80}, /* FLT_MAX -> inf
							       */
		{ATLAS_F16, ATLAS_F16, 0x7e01, 0x7e01},
		{ATLAS_BF16, ATLAS_BF16, 0xffc1, 0xffc1},
	};
	for (size_t k = 0; k < NELEM(cases); k++) {
		const struct cvt_case *c = &cases[k];
		uint64_t x[1] = {0};
		put(c->from, x, 0, c->x);
		prefill(D, sizeof D);
		ops_convert(c->to, c->from)(D, x, 1);
		const uint64_t got = get(c->to, D, 0);
		if (!ok(got == c->want && tail_ok(D, 1, bits(c->to) / 8),
			"cvt.%s.%s %#llx -> %#llx", tn(c->to), tn(c->from),
			(unsigned long long)c->x, (unsigned long long)c->want))
			diag("got %#llx", (unsigned long long)got);
	}

	/* float <-> integer over many lanes, against long double arithmetic */
	static const enum atlas_type fi[][2] = {
		{ATLAS_F32, ATLAS_I32}, {ATLAS_F64, ATLAS_I64},
		{ATLAS_F32, ATLAS_U32}, {ATLAS_F64, ATLAS_U64},
		{ATLAS_I32, ATLAS_F32}, {ATLAS_I64, ATLAS_F64},
		{ATLAS_U32, ATLAS_F32}, {ATLAS_U64, ATLAS_F64},
		{ATLAS_F32, ATLAS_F64}, {ATLAS_F64, ATLAS_F32}};
	for (size_t k = 0; k < NELEM(fi); k++) {
		const enum atlas_type to = fi[k][0], from = fi[k][1];
		size_t badz = 0;
		for (size_t z = 0; z < NNS; z++) {
			const size_t n = ns[z];
			size_t bad = n;
			if (is_float_t(from))
				for (size_t i = 0; i < n; i++) {
					double v = flt_random(from);
					if (i % 3 == 0)
						v = ldexp(v, (int)(rnd() % 60));
					putf(from, A, i,
					     i < NFSPECIAL ?
						     flt_special(from, i) :
						     v);
				}
			else
				fill_int(from, A, NULL, n);
			prefill(D, sizeof D);
			ops_convert(to, from)(D, A, n);
			for (size_t i = 0; i < n && bad == n; i++) {
				uint64_t want;
				if (is_float_t(to) && is_float_t(from)) {
					const double x = getf(from, A, i);
					if (!same_f(to, getf(to, D, i), x))
						bad = i;
					continue;
				}
				if (is_float_t(to)) {
					const uint64_t x = get(from, A, i);
					const long double v =
						is_sint(from) ?
							(long double)sx(from,
									x) :
							(long double)x;
					/* one rounding: long double holds it
					 * exactly */
					want = to == ATLAS_F32 ? f2u((float)v) :
								 d2u((double)v);
				} else {
					const long double x = getf(from, A, i);
					const long double tx = truncl(x);
					const int s = is_sint(to);
					const long double hi =
						ldexpl(1, (int)bits(to) - s);
					if (isnan(x))
						want = 0;
					else if (tx >= hi)
						want = s ? wmask(to) >> 1 :
							   wmask(to);
					else if (s && tx < -hi)
						want = (wmask(to) >> 1) + 1;
					else if (!s && tx < 0)
						want = 0;
					else if (tx < 0)
						want = (uint64_t)(int64_t)tx &
						       wmask(to);
					else
						want = (uint64_t)tx;
				}
				if (get(to, D, i) != want)
					bad = i;
			}
			if (bad < n)
				diag("lane %zu: %#llx -> %#llx", bad,
				     (unsigned long long)get(from, A, bad),
				     (unsigned long long)get(to, D, bad));
			badz += bad != n || !tail_ok(D, n, bits(to) / 8);
		}
		ok(!badz, "cvt.%s.%s n=1,7,1024,1027", tn(to), tn(from));
	}

	/* halves <-> f32 and copies over many lanes: every f16 round-trips */
	for (int bf = 0; bf < 2; bf++) {
		const enum atlas_type t = bf ? ATLAS_BF16 : ATLAS_F16;
		uint16_t *h = (uint16_t *)A, *r = (uint16_t *)C;
		size_t bad = 0;
		for (size_t i = 0; i < 1027; i++)
			h[i] = (uint16_t)(i * 64 + i / 16);
		ops_convert(ATLAS_F32, t)(D, h, 1027);
		ops_convert(t, ATLAS_F32)(r, D, 1027);
		for (size_t i = 0; i < 1027; i++) {
			const float f = ((float *)D)[i], w = h2f(h[i], bf);
			bad += !(f == w || (isnan(f) && isnan(w)));
			bad += !isnan(w) && r[i] != h[i];
		}
		ok(!bad, "cvt %s -> f32 -> %s round trip, 1027 lanes", tn(t),
		   tn(t));
		prefill(D, sizeof D);
		ops_convert(t, t)(D, h, 1027);
		ok(memcmp(D, h, 2054) == 0 && tail_ok(D, 1027, 2),
		   "cvt.%s.%s copies", tn(t), tn(t));
	}
}

/* ---- select, blend, broadcast
 * ------------------------------------------------- */

static void test_moves(void)
{
	static const size_t sizes[] = {1, 2, 4, 8};

	for (size_t k = 0; k < NELEM(sizes); k++) {
		const size_t es = sizes[k];
		for (size_t z = 0; z < NNS; z++) {
			const size_t n = ns[z];
			unsigned char *a = (unsigned char *)A,
				      *b = (unsigned char *)B,
				      *d = (unsigned char *)D,
				      *e = (unsigned char *)E;
			size_t bads = 0, badb = 0, badc = 0;
			for (size_t i = 0; i < n * es; i++) {
				a[i] = (unsigned char)rnd();
				b[i] = (unsigned char)rnd();
				e[i] = (unsigned char)rnd();
			}
			for (size_t i = 0; i < n; i++)
				P[i] = (uint8_t)(rnd() % 3 ? rnd() % 256 : 0);
			prefill(D, sizeof D);
			ops_select(D, P, A, B, n, es);
			for (size_t i = 0; i < n; i++)
				bads += memcmp(d + i * es,
					       (P[i] ? a : b) + i * es,
					       es) != 0;
			ok(!bads && tail_ok(D, n, es), "select elem=%zu n=%zu",
			   es, n);

			prefill(D, sizeof D);
			memcpy(D, E, n * es);
			ops_blend(D, A, P, n, es);
			for (size_t i = 0; i < n; i++)
				badb += memcmp(d + i * es,
					       (P[i] ? a : e) + i * es,
					       es) != 0;
			ok(!badb && tail_ok(D, n, es), "blend elem=%zu n=%zu",
			   es, n);

			const uint64_t v = rnd();
			prefill(D, sizeof D);
			ops_broadcast(D, &v, n, es);
			for (size_t i = 0; i < n; i++)
				badc += memcmp(d + i * es, &v, es) != 0;
			ok(!badc && tail_ok(D, n, es),
			   "broadcast elem=%zu n=%zu", es, n);
		}
	}
	/* select in place over the false operand */
	uint32_t x[3] = {1, 2, 3}, y[3] = {4, 5, 6};
	uint8_t p[3] = {1, 0, 2};
	ops_select(y, p, x, y, 3, 4);
	ok(y[0] == 1 && y[1] == 5 && y[2] == 3, "select in place");
}

/* ---- identities
 * ---------------------------------------------------------------- */

static void test_identity(void)
{
	static const struct {
		enum atlas_type t;
		uint64_t add, mul, min, max;
	} id[] = {
		{ATLAS_I32, 0, 1, 0x7fffffff, 0x80000000},
		{ATLAS_I64, 0, 1, 0x7fffffffffffffffu, 0x8000000000000000u},
		{ATLAS_F16, 0, 0x3c00, 0x7c00, 0xfc00},
		{ATLAS_BF16, 0, 0x3f80, 0x7f80, 0xff80},
		{ATLAS_F32, 0, 0x3f800000, 0x7f800000, 0xff800000},
		{ATLAS_F64, 0, 0x3ff0000000000000u, 0x7ff0000000000000u,
		 0xfff0000000000000u},
	};
	for (size_t k = 0; k < NELEM(id); k++) {
		const enum atlas_type t = id[k].t;
		ok(ops_identity(OP_REDUCE_ADD, t) == id[k].add &&
			   ops_identity(OP_REDUCE_MUL, t) == id[k].mul &&
			   ops_identity(OP_REDUCE_MIN, t) == id[k].min &&
			   ops_identity(OP_REDUCE_MAX, t) == id[k].max,
		   "identities of reduce.{add,mul,min,max}.%s", tn(t));
	}
}

/* ---- pmap, pmap2, preduce
 * ------------------------------------------------------- */

static double ref_relu(double x)
{
	return x > 0 ? x : 0;
}

static double ref_recip(double x)
{
	return 1 / x;
}

static double ref_neg(double x)
{
	return -x;
}

static void test_map(void)
{
	static const struct {
		enum isa_map m;
		double (*ref)(double);
		int exact;
	} maps[] = {
		{MAP_ABS, fabs, 1},    {MAP_NEG, ref_neg, 1},
		{MAP_SQRT, sqrt, 1},   {MAP_EXP, exp, 0},
		{MAP_LOG, log, 0},     {MAP_SIN, sin, 0},
		{MAP_COS, cos, 0},     {MAP_TAN, tan, 0},
		{MAP_CEIL, ceil, 1},   {MAP_FLOOR, floor, 1},
		{MAP_ROUND, round, 1}, {MAP_RECIPROCAL, ref_recip, 1},
		{MAP_ERF, erf, 0},     {MAP_SIGMOID, ref_sigmoid, 0},
		{MAP_TANH, tanh, 0},   {MAP_RELU, ref_relu, 1},
	};
	static const double in[] = {0.5,  -0.5, 2.5,  -2.5, 1.0,  3.7,
				    -3.7, 0.1,	10.0, 0.0,  -0.0, 1e-3,
				    7.25, -1.5, 1.5,  100.0};

	for (size_t k = 0; k < NELEM(maps); k++)
		for (int w = 0; w < 2; w++) {
			const enum atlas_type t = w ? ATLAS_F64 : ATLAS_F32;
			const ops_un_fn f = ops_map(maps[k].m, t);
			size_t bad = 0;
			if (!f) {
				ok(0, "pmap.%s.%s exists",
				   isa_map_names[maps[k].m], tn(t));
				continue;
			}
			for (size_t i = 0; i < 1027; i++) {
				double v = in[i % NELEM(in)] *
					   (1 + (double)(i / 16) / 64);
				if (maps[k].m == MAP_SQRT ||
				    maps[k].m == MAP_LOG)
					v = fabs(v) + 0.25;
				putf(t, A, i, v);
			}
			prefill(D, sizeof D);
			f(D, A, 1027);
			for (size_t i = 0; i < 1027; i++) {
				const double x = getf(t, A, i),
					     got = getf(t, D, i);
				double want = maps[k].ref(x);
				if (t == ATLAS_F32)
					want = (float)want;
				bad += maps[k].exact ? !same_f(t, got, want) &&
							       !(got == 0 &&
								 want == 0) :
						       ulps(t, got, want) > 16;
			}
			ok(!bad && tail_ok(D, 1027, atlas_type_size(t)),
			   "pmap.%s.%s", isa_map_names[maps[k].m], tn(t));
		}
	double r[4], x[4] = {2.5, -2.5, 0.5, -0.0}, nn = NAN;
	ops_map(MAP_ROUND, ATLAS_F64)(r, x, 4);
	ok(r[0] == 3 && r[1] == -3 && r[2] == 1 && r[3] == 0,
	   "pmap.round halfway cases away from zero");
	ops_map(MAP_RELU, ATLAS_F64)(r, x, 4);
	ok(r[0] == 2.5 && r[1] == 0 && r[2] == 0.5 && r[3] == 0 &&
		   !signbit(r[3]),
	   "pmap.relu");
	ops_map(MAP_RELU, ATLAS_F64)(r, &nn, 1);
	ok(r[0] == 0, "pmap.relu NaN -> 0");
	ok(!ops_map(MAP_ABS, ATLAS_I32) && !ops_map(MAP_EXP, ATLAS_F16) &&
		   !ops_map(MAP_RELU, ATLAS_BF16),
	   "pmap only over f32, f64");

	/* pmap2 */
	static const enum isa_map2 m2[] = {MAP2_ADD, MAP2_SUB, MAP2_MUL,
					   MAP2_DIV, MAP2_MIN, MAP2_MAX};
	static const enum isa_op o2[] = {OP_ADD, OP_SUB, OP_MUL,
					 OP_DIV, OP_MIN, OP_MAX};
	for (size_t k = 0; k < NELEM(m2); k++)
		for (int w = 0; w < 2; w++) {
			const enum atlas_type t = w ? ATLAS_F64 : ATLAS_F32;
			size_t bad = 0;
			fill_flt(t, A, B, 1027);
			ops_map2(m2[k], t)(D, A, B, 1027);
			for (size_t i = 0; i < 1027; i++)
				bad += !flt_ok(o2[k], t, getf(t, D, i),
					       getf(t, A, i), getf(t, B, i));
			ok(!bad, "pmap2.%s.%s", isa_map2_names[m2[k]], tn(t));
		}
	for (int w = 0; w < 2; w++) {
		const enum atlas_type t = w ? ATLAS_F64 : ATLAS_F32;
		size_t badp = 0, bada = 0;
		for (size_t i = 0; i < 1027; i++) {
			putf(t, A, i, 0.01 + (double)i / 100);
			putf(t, B, i, -3 + (double)i / 170);
		}
		ops_map2(MAP2_POW, t)(D, A, B, 1027);
		ops_map2(MAP2_ATAN2, t)(E, B, A, 1027);
		for (size_t i = 0; i < 1027; i++) {
			const double a = getf(t, A, i), b = getf(t, B, i);
			double wp = pow(a, b), wa = atan2(b, a);
			if (t == ATLAS_F32) {
				wp = (float)wp;
				wa = (float)wa;
			}
			badp += ulps(t, getf(t, D, i), wp) > 16;
			bada += ulps(t, getf(t, E, i), wa) > 16;
		}
		ok(!badp, "pmap2.pow.%s", tn(t));
		ok(!bada, "pmap2.atan2.%s (y, x)", tn(t));
	}
	ok(!ops_map2(MAP2_ADD, ATLAS_I32) && !ops_map2(MAP2_POW, ATLAS_F16),
	   "pmap2 only over f32, f64");
}

static void test_reduce(void)
{
	const size_t big = 1000000;
	float *f = malloc(big * sizeof *f);
	double *g = malloc(big * sizeof *g);
	float rf, rf2;
	double rd, rd2;

	if (!f || !g) {
		ok(0, "malloc");
		free(f);
		free(g);
		return;
	}
	for (size_t i = 0; i < 1027; i++)
		g[i] = (double)(i + 1);
	ops_reduce_array(RED_SUM, ATLAS_F64, &rd, g, 1027);
	ok(rd == 527878, "preduce.sum.f64 1..1027");
	for (size_t z = 0; z < NNS; z++) {
		const size_t n = ns[z];
		double want = 0;
		for (size_t i = 0; i < n; i++) {
			f[i] = (float)(i % 100) - 49.5f;
			want += f[i];
		}
		ops_reduce_array(RED_SUM, ATLAS_F32, &rf, f, n);
		ok(rf == (float)want, "preduce.sum.f32 n=%zu", n);
	}

	for (size_t i = 0; i < big; i++) {
		f[i] = 0.1f;
		g[i] = 0.1;
	}
	ops_reduce_array(RED_SUM, ATLAS_F32, &rf, f, big);
	ops_reduce_array(RED_SUM, ATLAS_F32, &rf2, f, big);
	if (!ok(rf == (float)(1e6 * (double)0.1f) && f2u(rf) == f2u(rf2),
		"preduce.sum.f32 of 10^6 x 0.1f is correctly rounded, "
		"deterministic"))
		diag("got %.9g", rf);
	ops_reduce_array(RED_SUM, ATLAS_F64, &rd, g, big);
	ops_reduce_array(RED_SUM, ATLAS_F64, &rd2, g, big);
	if (!ok(fabs(rd - 1e5) < 1e-8 && d2u(rd) == d2u(rd2),
		"preduce.sum.f64 of 10^6 x 0.1 within 1e-8, deterministic"))
		diag("error %g", rd - 1e5);

	for (size_t i = 0; i < 1027; i++) {
		f[i] = 1.001f;
		g[i] = 1.001;
	}
	ops_reduce_array(RED_PRODUCT, ATLAS_F64, &rd, g, 1027);
	ok(fabs(rd / pow(1.001, 1027) - 1) < 1e-12, "preduce.product.f64");
	ops_reduce_array(RED_PRODUCT, ATLAS_F32, &rf, f, 1027);
	ok(fabs(rf / pow((double)1.001f, 1027) - 1) < 1e-6,
	   "preduce.product.f32");
	for (size_t i = 0; i < 10; i++)
		f[i] = 2;
	ops_reduce_array(RED_PRODUCT, ATLAS_F32, &rf, f, 10);
	ok(rf == 1024, "preduce.product.f32 2^10");

	/* min/max skip NaN */
	for (size_t z = 0; z < NNS; z++) {
		const size_t n = ns[z];
		double mn = INFINITY, mx = -INFINITY;
		for (size_t i = 0; i < n; i++) {
			g[i] = i % 5 == 2 ? NAN : flt_random(ATLAS_F64);
			if (isnan(g[i]))
				continue;
			mn = g[i] < mn ? g[i] : mn;
			mx = g[i] > mx ? g[i] : mx;
		}
		for (size_t i = 0; i < n; i++)
			f[i] = (float)g[i];
		ops_reduce_array(RED_MIN, ATLAS_F64, &rd, g, n);
		ops_reduce_array(RED_MAX, ATLAS_F64, &rd2, g, n);
		ok(same_f(ATLAS_F64, rd, mn) && same_f(ATLAS_F64, rd2, mx),
		   "preduce.min/max.f64 n=%zu skip NaN", n);
		float fmn = INFINITY, fmx = -INFINITY;
		for (size_t i = 0; i < n; i++)
			if (!isnan(f[i])) {
				fmn = f[i] < fmn ? f[i] : fmn;
				fmx = f[i] > fmx ? f[i] : fmx;
			}
		ops_reduce_array(RED_MIN, ATLAS_F32, &rf, f, n);
		ops_reduce_array(RED_MAX, ATLAS_F32, &rf2, f, n);
		ok(rf == fmn && rf2 == fmx, "preduce.min/max.f32 n=%zu", n);
	}
	float h[] = {NAN, 3, NAN, -2, 5};
	ops_reduce_array(RED_MIN, ATLAS_F32, &rf, h, 5);
	ops_reduce_array(RED_MAX, ATLAS_F32, &rf2, h, 5);
	ok(rf == -2 && rf2 == 5, "preduce.min/max.f32 {NaN,3,NaN,-2,5}");
	ops_reduce_array(RED_MIN, ATLAS_F32, &rf, h, 1);
	ok(isinf(rf) && rf > 0, "preduce.min.f32 all NaN gives +inf");

	/* n = 0: the identity */
	ops_reduce_array(RED_SUM, ATLAS_F64, &rd, g, 0);
	ok(rd == 0, "preduce.sum n=0 = 0");
	ops_reduce_array(RED_PRODUCT, ATLAS_F32, &rf, f, 0);
	ok(rf == 1, "preduce.product n=0 = 1");
	ops_reduce_array(RED_MIN, ATLAS_F64, &rd, g, 0);
	ok(isinf(rd) && rd > 0, "preduce.min n=0 = +inf");
	ops_reduce_array(RED_MAX, ATLAS_F32, &rf, f, 0);
	ok(isinf(rf) && rf < 0, "preduce.max n=0 = -inf");
	free(f);
	free(g);
}

/* ---- speed (reported, not asserted: sanitizer builds are slow) --------------
 */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench(void)
{
	const ops_bin_fn f = ops_binary(OP_ADD, ATLAS_F32);
	const int reps = 20000;
	float *a = (float *)A, *b = (float *)B, *d = (float *)D;

	for (size_t i = 0; i < 1024; i++) {
		a[i] = (float)i;
		b[i] = 1;
	}
	const double t0 = now();
	for (int r = 0; r < reps; r++)
		f(d, a, b, 1024);
	const double dt = now() - t0;
	ok(d[1023] == 1024, "add.f32 timing loop ran");
	diag("add.f32 over 1024 lanes: %.4f ns/lane", dt / reps / 1024 * 1e9);
}

int main(void)
{
	test_lookups();
	test_int_ops();
	test_int_known();
	test_idiv();
	test_flt_ops();
	test_transc();
	test_half_ops();
	test_compare();
	test_convert();
	test_moves();
	test_identity();
	test_map();
	test_reduce();
	bench();
	return done_testing();
}
