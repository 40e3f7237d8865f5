/*
 * ops_cvt.c - CVT loops (ops.h; reference 2.7 plus the f16/bf16
 * extension of DESIGN.md 8.7).  One loop per supported (to, from) pair;
 * every other pair has no entry in the table and looks up as NULL.
 */
#include <string.h>

#include "ops_impl.h"

#define CVT(to, from, TT, FT, expr)                                            \
	static void cvt_##to##_##from(void *dst, const void *src, size_t n)    \
	{                                                                      \
		TT *d = dst;                                                   \
		const FT *s = src;                                             \
		for (size_t i = 0; i < n; i++) {                               \
			const FT x = s[i];                                     \
			d[i] = (TT)(expr);                                     \
		}                                                              \
	}

/*
 * Integer to integer, as Rust `as`: the C conversion sign- or zero-extends
 * when widening; narrowing and unsigned -> signed of the same width are
 * modular in gcc (implementation-defined, never undefined).
 */
#define TO_SINTS(X, from, FROM, FT)                                            \
	X(i8, I8, int8_t, from, FROM, FT)                                      \
	X(i16, I16, int16_t, from, FROM, FT)                                   \
	X(i32, I32, int32_t, from, FROM, FT)                                   \
	X(i64, I64, int64_t, from, FROM, FT)
#define TO_UINTS(X, from, FROM, FT)                                            \
	X(u8, U8, uint8_t, from, FROM, FT)                                     \
	X(u16, U16, uint16_t, from, FROM, FT)                                  \
	X(u32, U32, uint32_t, from, FROM, FT)                                  \
	X(u64, U64, uint64_t, from, FROM, FT)
#define INT_CVT(to, TO, TT, from, FROM, FT) CVT(to, from, TT, FT, x)
#define INT_CVT_ENT(to, TO, TT, from, FROM, FT)                                \
	[ATLAS_##TO][ATLAS_##FROM] = cvt_##to##_##from,

#define FROM_SINT(name, NAME, T, A, W) TO_SINTS(INT_CVT, name, NAME, T)
#define FROM_UINT(name, NAME, T, A, W) TO_UINTS(INT_CVT, name, NAME, T)
OPS_SINTS(FROM_SINT)
OPS_UINTS(FROM_UINT)

/* X(signed, SIGNED, unsigned, UNSIGNED): the same-width pairs */
#define SAME_WIDTH(X)                                                          \
	X(i8, I8, int8_t, u8, U8, uint8_t)                                     \
	X(i16, I16, int16_t, u16, U16, uint16_t)                               \
	X(i32, I32, int32_t, u32, U32, uint32_t)                               \
	X(i64, I64, int64_t, u64, U64, uint64_t)
#define REINTERPRET(s, S, ST, u, U, UT)                                        \
	CVT(s, u, ST, UT, x)                                                   \
	CVT(u, s, UT, ST, x)
SAME_WIDTH(REINTERPRET)

/* Integer to float of the same width: rounds to nearest. */
CVT(f32, i32, float, int32_t, x)
CVT(f64, i64, double, int64_t, x)
CVT(f32, u32, float, uint32_t, x)
CVT(f64, u64, double, uint64_t, x)
CVT(f64, f32, double, float, x)
CVT(f32, f64, float, double, x)
CVT(f32, f32, float, float, x)
CVT(f64, f64, double, double, x)

/*
 * Float to integer, as Rust `as`: truncate toward zero, saturate, NaN
 * -> 0.  The value is clamped into range before the C conversion (which
 * is undefined out of range), then lanes at or above 2^W get the maximum:
 * HI is 2^W (2^(W-1) signed) and HI_IN the largest float below it.
 */
#define SAT(to, from, TT, FT, LO, HI, HI_IN, TMAX)                             \
	static void cvt_##to##_##from(void *dst, const void *src, size_t n)    \
	{                                                                      \
		TT *d = dst;                                                   \
		const FT *s = src;                                             \
		for (size_t i = 0; i < n; i++) {                               \
			const FT x = s[i];                                     \
			FT c = x == x ? x : 0;                                 \
			c = c > (LO) ? c : (LO);                               \
			c = c < (HI) ? c : (HI_IN);                            \
			const TT r = (TT)c;                                    \
			d[i] = x >= (HI) ? (TMAX) : r;                         \
		}                                                              \
	}
SAT(i32, f32, int32_t, float, -0x1p31f, 0x1p31f, 0x1.fffffep30f, INT32_MAX)
SAT(u32, f32, uint32_t, float, 0.0f, 0x1p32f, 0x1.fffffep31f, UINT32_MAX)
SAT(i64, f64, int64_t, double, -0x1p63, 0x1p63, 0x1.fffffffffffffp62, INT64_MAX)
SAT(u64, f64, uint64_t, double, 0.0, 0x1p64, 0x1.fffffffffffffp63, UINT64_MAX)

/* f16/bf16 <-> f32 through vmath.h; f16 -> f16 and bf16 -> bf16 copy. */
static void cvt_f32_f16(void *d, const void *s, size_t n)
{
	vm_f16_to_f32(d, s, n);
}

static void cvt_f16_f32(void *d, const void *s, size_t n)
{
	vm_f32_to_f16(d, s, n);
}

static void cvt_f32_bf16(void *d, const void *s, size_t n)
{
	vm_bf16_to_f32(d, s, n);
}

static void cvt_bf16_f32(void *d, const void *s, size_t n)
{
	vm_f32_to_bf16(d, s, n);
}

static void copy_2(void *d, const void *s, size_t n)
{
	if (d != s && n)
		memmove(d, s, n * 2);
}

/* [to][from] */
/* clang-format off */
static const ops_un_fn cvt_tab[ATLAS_NTYPES][ATLAS_NTYPES] = {
#define FROM_SINT_ENT(name, NAME, T, A, W) TO_SINTS(INT_CVT_ENT, name, NAME, T)
#define FROM_UINT_ENT(name, NAME, T, A, W) TO_UINTS(INT_CVT_ENT, name, NAME, T)
	OPS_SINTS(FROM_SINT_ENT)
	OPS_UINTS(FROM_UINT_ENT)
#define REINTERPRET_ENT(s, S, ST, u, U, UT)                                    \
	[ATLAS_##S][ATLAS_##U] = cvt_##s##_##u,                                \
	[ATLAS_##U][ATLAS_##S] = cvt_##u##_##s,
	SAME_WIDTH(REINTERPRET_ENT)
	[ATLAS_F32][ATLAS_I32] = cvt_f32_i32,
	[ATLAS_F64][ATLAS_I64] = cvt_f64_i64,
	[ATLAS_F32][ATLAS_U32] = cvt_f32_u32,
	[ATLAS_F64][ATLAS_U64] = cvt_f64_u64,
	[ATLAS_I32][ATLAS_F32] = cvt_i32_f32,
	[ATLAS_I64][ATLAS_F64] = cvt_i64_f64,
	[ATLAS_U32][ATLAS_F32] = cvt_u32_f32,
	[ATLAS_U64][ATLAS_F64] = cvt_u64_f64,
	[ATLAS_F64][ATLAS_F32] = cvt_f64_f32,
	[ATLAS_F32][ATLAS_F64] = cvt_f32_f64,
	[ATLAS_F32][ATLAS_F32] = cvt_f32_f32,
	[ATLAS_F64][ATLAS_F64] = cvt_f64_f64,
	[ATLAS_F32][ATLAS_F16] = cvt_f32_f16,
	[ATLAS_F16][ATLAS_F32] = cvt_f16_f32,
	[ATLAS_F32][ATLAS_BF16] = cvt_f32_bf16,
	[ATLAS_BF16][ATLAS_F32] = cvt_bf16_f32,
	[ATLAS_F16][ATLAS_F16] = copy_2,
	[ATLAS_BF16][ATLAS_BF16] = copy_2,
};
/* clang-format on */

ops_un_fn ops_convert(enum atlas_type to, enum atlas_type from)
{
	if ((unsigned)to >= ATLAS_NTYPES || (unsigned)from >= ATLAS_NTYPES)
		return NULL;
	return cvt_tab[to][from];
}
