/*
 * ops_arith.c - the unary, binary and ternary element loops and integer
 * division (ops.h).  Every (operation, type) is its own plain loop,
 * generated from the type lists of ops_impl.h, so that gcc vectorises
 * each one; the lookups hand out pointers from static tables.
 *
 * Signed integer arithmetic is done in the unsigned type A of the list
 * and converted back (gcc defines the narrowing conversion as modular), so
 * wrap-around is never undefined behaviour.  f16/bf16 lanes are widened
 * to f32 a chunk at a time, computed by the f32 loop, and rounded back.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "ops_impl.h"

/* ---- loop shapes -------------------------------------------------------- */

#define BIN(op, name, T, expr)                                                 \
	static void op##_##name(void *dst, const void *pa, const void *pb,     \
				size_t n)                                      \
	{                                                                      \
		T *d = dst;                                                    \
		const T *a = pa, *b = pb;                                      \
		for (size_t i = 0; i < n; i++) {                               \
			const T x = a[i], y = b[i];                            \
			d[i] = (T)(expr);                                      \
		}                                                              \
	}

/* b holds uint32_t amounts whatever T; s is the amount mod the width */
#define SHIFT(op, name, T, W, expr)                                            \
	static void op##_##name(void *dst, const void *pa, const void *pb,     \
				size_t n)                                      \
	{                                                                      \
		T *d = dst;                                                    \
		const T *a = pa;                                               \
		const uint32_t *b = pb;                                        \
		for (size_t i = 0; i < n; i++) {                               \
			const T x = a[i];                                      \
			const unsigned s = b[i] & (W - 1u);                    \
			d[i] = (T)(expr);                                      \
		}                                                              \
	}

#define TERN(op, name, T, expr)                                                \
	static void op##_##name(void *dst, const void *pa, const void *pb,     \
				const void *pc, size_t n)                      \
	{                                                                      \
		T *d = dst;                                                    \
		const T *a = pa, *b = pb, *c = pc;                             \
		for (size_t i = 0; i < n; i++) {                               \
			const T x = a[i], y = b[i], z = c[i];                  \
			d[i] = (T)(expr);                                      \
		}                                                              \
	}

/* ---- integers ----------------------------------------------------------- */

#define INT_LOOPS(name, NAME, T, A, W)                                         \
	UN(not, name, T, ~x)                                                   \
	BIN(add, name, T, (A)x + (A)y)                                         \
	BIN(sub, name, T, (A)x - (A)y)                                         \
	BIN(mul, name, T, (A)x *(A)y)                                          \
	BIN(min, name, T, y < x ? y : x)                                       \
	BIN(max, name, T, y > x ? y : x)                                       \
	BIN(and, name, T, x &y)                                                \
	BIN(or, name, T, x | y)                                                \
	BIN(xor, name, T, x ^ y)                                               \
	SHIFT(shl, name, T, W, (A)x << s)
OPS_INTS(INT_LOOPS)

/*
 * Arithmetic shift right without shifting a negative value: for x < 0,
 * ~x is nonnegative and ~(~x >> s) is the sign-filling shift.
 */
#define SINT_LOOPS(name, NAME, T, A, W)                                        \
	UN(neg, name, T, 0 - (A)x)                                             \
	UN(abs, name, T, x < 0 ? (T)(0 - (A)x) : x)                            \
	SHIFT(shr, name, T, W, x < 0 ? ~(~x >> s) : x >> s)
OPS_SINTS(SINT_LOOPS)

#define UINT_LOOPS(name, NAME, T, A, W) SHIFT(shr, name, T, W, x >> s)
OPS_UINTS(UINT_LOOPS)

TERN(mad, i32, int32_t, (uint32_t)x *(uint32_t)y + (uint32_t)z)
TERN(mad, i64, int64_t, (uint64_t)x *(uint64_t)y + (uint64_t)z)

/* ---- f32, f64 ----------------------------------------------------------- */

/*
 * MIN/MAX return the other operand when one is NaN (Rust f32::min): a
 * compare and a select, which vectorises.  MAD is a*b+c rounded twice:
 * -std=c11 implies -ffp-contract=off, so gcc does not fuse it (t-ops
 * checks a case where the two differ).
 */
#define FLT_LOOPS(name, NAME, T, A, W)                                         \
	UN(neg, name, T, -x)                                                   \
	BIN(add, name, T, x + y)                                               \
	BIN(sub, name, T, x - y)                                               \
	BIN(mul, name, T, x *y)                                                \
	BIN(div, name, T, x / y)                                               \
	BIN(min, name, T, (y < x || x != x) ? y : x)                           \
	BIN(max, name, T, (y > x || x != x) ? y : x)                           \
	TERN(mad, name, T, x *y + z)
OPS_FLTS(FLT_LOOPS)

UN(abs, f32, float, fabsf(x))
UN(abs, f64, double, fabs(x))

/*
 * MOD and FLOORDIV follow Python's float divmod: the remainder takes the
 * sign of the divisor, the quotient is floor(x / y) computed so that
 * q * y + r == x as nearly as rounding allows.  A zero divisor gives NaN
 * for both (Python raises; floats here never fault).
 */
#define PYDIVMOD(name, T, FMOD, FLOOR, COPYSIGN)                               \
	static inline T pymod_##name(T x, T y)                                 \
	{                                                                      \
		T m = FMOD(x, y);                                              \
		if (m != 0)                                                    \
			return (y < 0) != (m < 0) ? m + y : m;                 \
		return COPYSIGN((T)0, y);                                      \
	}                                                                      \
	static inline T pyfloordiv_##name(T x, T y)                            \
	{                                                                      \
		const T m = FMOD(x, y);                                        \
		T div = (x - m) / y, fd;                                       \
		if (m != 0 && (y < 0) != (m < 0))                              \
			div -= 1;                                              \
		if (div == 0)                                                  \
			return COPYSIGN((T)0, x / y);                          \
		fd = FLOOR(div);                                               \
		return div - fd > (T)0.5 ? fd + 1 : fd;                        \
	}
PYDIVMOD(f32, float, fmodf, floorf, copysignf)
PYDIVMOD(f64, double, fmod, floor, copysign)
BIN(mod, f32, float, pymod_f32(x, y))
BIN(mod, f64, double, pymod_f64(x, y))
BIN(floordiv, f32, float, pyfloordiv_f32(x, y))
BIN(floordiv, f64, double, pyfloordiv_f64(x, y))

/*
 * ROUND rounds halfway cases to even, as Python's round(): below 2^23
 * (2^52) in magnitude, adding and subtracting that power of two rounds in
 * the default rounding mode, which is to nearest even; anything larger,
 * infinities and NaN are integers already.  Branch-free, so it
 * vectorises.
 */
UN(round, f32, float,
   fabsf(x) < 0x1p23f ? copysignf((fabsf(x) + 0x1p23f) - 0x1p23f, x) : x)
UN(round, f64, double,
   fabs(x) < 0x1p52 ? copysign((fabs(x) + 0x1p52) - 0x1p52, x) : x)

static void pow_f32(void *d, const void *a, const void *b, size_t n)
{
	vm_pow_f32(d, a, b, n);
}

static void pow_f64(void *d, const void *a, const void *b, size_t n)
{
	vm_pow_f64(d, a, b, n);
}
TERN(fma, f32, float, fmaf(x, y, z))
TERN(fma, f64, double, fma(x, y, z))

/* X(op, OP): the transcendentals, all through vmath.h */
#define TRANSC(X)                                                              \
	X(exp, EXP)                                                            \
	X(log, LOG)                                                            \
	X(log2, LOG2)                                                          \
	X(log10, LOG10)                                                        \
	X(sqrt, SQRT)                                                          \
	X(rsqrt, RSQRT)                                                        \
	X(sin, SIN)                                                            \
	X(cos, COS)                                                            \
	X(tan, TAN)                                                            \
	X(tanh, TANH)                                                          \
	X(sigmoid, SIGMOID)                                                    \
	X(erf, ERF)                                                            \
	X(floor, FLOOR)                                                        \
	X(ceil, CEIL)

#define VM_WRAP(op, OP)                                                        \
	static void op##_f32(void *d, const void *s, size_t n)                 \
	{                                                                      \
		vm_##op##_f32(d, s, n);                                        \
	}                                                                      \
	static void op##_f64(void *d, const void *s, size_t n)                 \
	{                                                                      \
		vm_##op##_f64(d, s, n);                                        \
	}
TRANSC(VM_WRAP)

/* ---- f16, bf16 ---------------------------------------------------------- */

static void half_un(ops_un_fn f, int bf, void *dst, const void *src, size_t n)
{
	float x[OPS_CHUNK];
	uint16_t *d = dst;
	const uint16_t *s = src;

	for (size_t i = 0; i < n; i += OPS_CHUNK) {
		const size_t m = ops_chunk(n, i);
		ops_widen(bf, x, s + i, m);
		f(x, x, m);
		ops_narrow(bf, d + i, x, m);
	}
}

static void half_bin(ops_bin_fn f, int bf, void *dst, const void *pa,
		     const void *pb, size_t n)
{
	float x[OPS_CHUNK], y[OPS_CHUNK];
	uint16_t *d = dst;
	const uint16_t *a = pa, *b = pb;

	for (size_t i = 0; i < n; i += OPS_CHUNK) {
		const size_t m = ops_chunk(n, i);
		ops_widen(bf, x, a + i, m);
		ops_widen(bf, y, b + i, m);
		f(x, x, y, m);
		ops_narrow(bf, d + i, x, m);
	}
}

static void half_tern(ops_tern_fn f, int bf, void *dst, const void *pa,
		      const void *pb, const void *pc, size_t n)
{
	float x[OPS_CHUNK], y[OPS_CHUNK], z[OPS_CHUNK];
	uint16_t *d = dst;
	const uint16_t *a = pa, *b = pb, *c = pc;

	for (size_t i = 0; i < n; i += OPS_CHUNK) {
		const size_t m = ops_chunk(n, i);
		ops_widen(bf, x, a + i, m);
		ops_widen(bf, y, b + i, m);
		ops_widen(bf, z, c + i, m);
		f(x, x, y, z, m);
		ops_narrow(bf, d + i, x, m);
	}
}

#define HALF_UN(op, name, bf)                                                  \
	static void op##_##name(void *d, const void *s, size_t n)              \
	{                                                                      \
		half_un(op##_f32, bf, d, s, n);                                \
	}
#define HALF_BIN(op, name, bf)                                                 \
	static void op##_##name(void *d, const void *a, const void *b,         \
				size_t n)                                      \
	{                                                                      \
		half_bin(op##_f32, bf, d, a, b, n);                            \
	}
#define HALF_TERN(op, name, bf)                                                \
	static void op##_##name(void *d, const void *a, const void *b,         \
				const void *c, size_t n)                       \
	{                                                                      \
		half_tern(op##_f32, bf, d, a, b, c, n);                        \
	}
#define HALF_TRANSC(op, OP) HALF_UN(op, f16, 0) HALF_UN(op, bf16, 1)
TRANSC(HALF_TRANSC)
HALF_TRANSC(round, ROUND)

/*
 * ABS and NEG of a half clear or flip the sign bit: exactly what widening,
 * computing and rounding back gives, NaN payloads included.
 */
#define HALF_LOOPS(name, NAME, bf)                                             \
	UN(abs, name, uint16_t, x & 0x7fffu)                                   \
	UN(neg, name, uint16_t, x ^ 0x8000u)                                   \
	HALF_BIN(add, name, bf)                                                \
	HALF_BIN(sub, name, bf)                                                \
	HALF_BIN(mul, name, bf)                                                \
	HALF_BIN(div, name, bf)                                                \
	HALF_BIN(mod, name, bf)                                                \
	HALF_BIN(floordiv, name, bf)                                           \
	HALF_BIN(pow, name, bf)                                                \
	HALF_BIN(min, name, bf)                                                \
	HALF_BIN(max, name, bf)                                                \
	HALF_TERN(mad, name, bf)                                               \
	HALF_TERN(fma, name, bf)
OPS_HALVES(HALF_LOOPS)

/* ---- MOV: a copy by element size ---------------------------------------- */

#define MOV(size, T)                                                           \
	static void mov_##size(void *d, const void *s, size_t n)               \
	{                                                                      \
		if (d != s && n)                                               \
			memmove(d, s, n * sizeof(T));                          \
	}
MOV(1, uint8_t)
MOV(2, uint16_t)
MOV(4, uint32_t)
MOV(8, uint64_t)

/* ---- lookup tables ------------------------------------------------------ */

/* clang-format off */

static const ops_un_fn un_tab[OP_COUNT][ATLAS_NTYPES] = {
	[OP_MOV] = {[ATLAS_I8] = mov_1, [ATLAS_U8] = mov_1,
		    [ATLAS_I16] = mov_2, [ATLAS_U16] = mov_2,
		    [ATLAS_F16] = mov_2, [ATLAS_BF16] = mov_2,
		    [ATLAS_I32] = mov_4, [ATLAS_U32] = mov_4,
		    [ATLAS_F32] = mov_4, [ATLAS_I64] = mov_8,
		    [ATLAS_U64] = mov_8, [ATLAS_F64] = mov_8},
#define INT_UN_ENT(name, NAME, T, A, W) [OP_NOT][ATLAS_##NAME] = not_##name,
	OPS_INTS(INT_UN_ENT)
#define SIGNED_UN_ENT(name, NAME, ...)                                         \
	[OP_NEG][ATLAS_##NAME] = neg_##name, [OP_ABS][ATLAS_##NAME] = abs_##name,
	OPS_SINTS(SIGNED_UN_ENT)
	OPS_FLTS(SIGNED_UN_ENT)
	OPS_HALVES(SIGNED_UN_ENT)
#define TRANSC_ENT(op, OP)                                                     \
	[OP_##OP][ATLAS_F32] = op##_f32, [OP_##OP][ATLAS_F64] = op##_f64,      \
	[OP_##OP][ATLAS_F16] = op##_f16, [OP_##OP][ATLAS_BF16] = op##_bf16,
	TRANSC(TRANSC_ENT)
	TRANSC_ENT(round, ROUND)
};

#define NUM_BIN_ENT(name, NAME, ...)                                           \
	[OP_ADD][ATLAS_##NAME] = add_##name,                                   \
	[OP_SUB][ATLAS_##NAME] = sub_##name,                                   \
	[OP_MUL][ATLAS_##NAME] = mul_##name,                                   \
	[OP_MIN][ATLAS_##NAME] = min_##name,                                   \
	[OP_MAX][ATLAS_##NAME] = max_##name,
#define INT_BIN_ENT(name, NAME, ...)                                           \
	[OP_AND][ATLAS_##NAME] = and_##name, [OP_OR][ATLAS_##NAME] = or_##name,  \
	[OP_XOR][ATLAS_##NAME] = xor_##name,                                   \
	[OP_SHL][ATLAS_##NAME] = shl_##name,                                   \
	[OP_SHR][ATLAS_##NAME] = shr_##name,
#define FLOAT_BIN_ENT(name, NAME, ...)                                         \
	[OP_DIV][ATLAS_##NAME] = div_##name,                                   \
	[OP_MOD][ATLAS_##NAME] = mod_##name,                                   \
	[OP_FLOORDIV][ATLAS_##NAME] = floordiv_##name,                         \
	[OP_POW][ATLAS_##NAME] = pow_##name,

static const ops_bin_fn bin_tab[OP_COUNT][ATLAS_NTYPES] = {
	OPS_INTS(NUM_BIN_ENT) OPS_FLTS(NUM_BIN_ENT) OPS_HALVES(NUM_BIN_ENT)
	OPS_INTS(INT_BIN_ENT)
	OPS_FLTS(FLOAT_BIN_ENT) OPS_HALVES(FLOAT_BIN_ENT)
};

#define FLOAT_TERN_ENT(name, NAME, ...)                                        \
	[OP_MAD][ATLAS_##NAME] = mad_##name, [OP_FMA][ATLAS_##NAME] = fma_##name,

static const ops_tern_fn tern_tab[OP_COUNT][ATLAS_NTYPES] = {
	[OP_MAD][ATLAS_I32] = mad_i32,
	[OP_MAD][ATLAS_I64] = mad_i64,
	OPS_FLTS(FLOAT_TERN_ENT) OPS_HALVES(FLOAT_TERN_ENT)
};
/* clang-format on */

/* The instruction table has the last word on which types an op accepts. */
static int accepts(enum isa_op op, enum atlas_type t)
{
	return (unsigned)op < OP_COUNT && (unsigned)t < ATLAS_NTYPES &&
	       (isa_op_table[op].types & TM(t));
}

ops_un_fn ops_unary(enum isa_op op, enum atlas_type t)
{
	return accepts(op, t) ? un_tab[op][t] : NULL;
}

ops_bin_fn ops_binary(enum isa_op op, enum atlas_type t)
{
	return accepts(op, t) ? bin_tab[op][t] : NULL;
}

ops_tern_fn ops_ternary(enum isa_op op, enum atlas_type t)
{
	return accepts(op, t) ? tern_tab[op][t] : NULL;
}

/* ---- integer division --------------------------------------------------- */

typedef size_t (*idiv_fn)(void *dst, const void *a, const void *b,
			  const uint8_t *mask, size_t n);

/*
 * First pass: find an active lane with a zero divisor (then nothing is
 * written).  Second pass: divide the active lanes.  x86 traps on MIN / -1,
 * so a divisor of -1 negates (wrapping) instead of dividing.
 */
#define IDIV(name, T, expr)                                                    \
	static size_t idiv_##name(void *dst, const void *pa, const void *pb,   \
				  const uint8_t *mask, size_t n)               \
	{                                                                      \
		T *d = dst;                                                    \
		const T *a = pa, *b = pb;                                      \
		for (size_t i = 0; i < n; i++)                                 \
			if ((!mask || mask[i]) && b[i] == 0)                   \
				return i;                                      \
		for (size_t i = 0; i < n; i++) {                               \
			if (mask && !mask[i])                                  \
				continue;                                      \
			const T x = a[i], y = b[i];                            \
			d[i] = (T)(expr);                                      \
		}                                                              \
		return n;                                                      \
	}
/*
 * Signed FLOORDIV and MOD round the quotient toward minus infinity, as
 * Python does: a truncated quotient is one too large when the remainder
 * is nonzero and the operands' signs differ, and the remainder then
 * takes the divisor's sign.  A divisor of -1 never divides (see above).
 */
#define SINT_IDIV(name, NAME, T, A, W)                                         \
	IDIV(name, T, y == -1 ? (T)(0 - (A)x) : (T)(x / y))                    \
	IDIV(floordiv_##name, T,                                               \
	     y == -1 ?                                                         \
		     (T)(0 - (A)x) :                                           \
		     (T)((A)(x / y) - (A)(x % y != 0 && (x < 0) != (y < 0))))  \
	IDIV(mod_##name, T,                                                    \
	     y == -1 ? (T)0 :                                                  \
		       (T)(x % y != 0 && (x % y < 0) != (y < 0) ?              \
				   (A)(x % y) + (A)y :                         \
				   (A)(x % y)))
#define UINT_IDIV(name, NAME, T, A, W)                                         \
	IDIV(name, T, x / y)                                                   \
	IDIV(floordiv_##name, T, x / y)                                        \
	IDIV(mod_##name, T, x % y)
OPS_SINTS(SINT_IDIV)
OPS_UINTS(UINT_IDIV)

#define IDIV_ENT(name, NAME, ...)                                              \
	[0][ATLAS_##NAME] = idiv_##name,                                       \
	[1][ATLAS_##NAME] = idiv_floordiv_##name,                              \
	[2][ATLAS_##NAME] = idiv_mod_##name,
static const idiv_fn idiv_tab[3][ATLAS_NTYPES] = {OPS_INTS(IDIV_ENT)};

size_t ops_idiv_op(enum isa_op op, enum atlas_type t, void *dst, const void *a,
		   const void *b, const uint8_t *mask, size_t n)
{
	const int k = op == OP_FLOORDIV ? 1 : op == OP_MOD ? 2 : 0;

	assert(op == OP_DIV || op == OP_FLOORDIV || op == OP_MOD);
	assert((unsigned)t < ATLAS_NTYPES && idiv_tab[k][t]);
	if ((unsigned)t >= ATLAS_NTYPES || !idiv_tab[k][t])
		return n;
	return idiv_tab[k][t](dst, a, b, mask, n);
}

size_t ops_idiv(enum atlas_type t, void *dst, const void *a, const void *b,
		const uint8_t *mask, size_t n)
{
	return ops_idiv_op(OP_DIV, t, dst, a, b, mask, n);
}
