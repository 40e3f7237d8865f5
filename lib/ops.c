/*
 * ops.c - reduction identities and the high-order loops pmap, pmap2 and
 * preduce over f32/f64 arrays (ops.h).  The element-wise loops live in
 * ops_arith.c, ops_cmp.c and ops_cvt.c.
 */
#include <assert.h>
#include <math.h>

#include "ops_impl.h"

uint64_t ops_identity(enum isa_op reduce_op, enum atlas_type t)
{
	/* {add, mul, min, max} bit patterns */
	static const uint64_t id[ATLAS_NTYPES][4] = {
		[ATLAS_I32] = {0, 1, 0x7fffffffu, 0x80000000u},
		[ATLAS_I64] = {0, 1, 0x7fffffffffffffffu, 0x8000000000000000u},
		[ATLAS_F16] = {0, 0x3c00u, 0x7c00u, 0xfc00u},
		[ATLAS_BF16] = {0, 0x3f80u, 0x7f80u, 0xff80u},
		[ATLAS_F32] = {0, 0x3f800000u, 0x7f800000u, 0xff800000u},
		[ATLAS_F64] = {0, 0x3ff0000000000000u, 0x7ff0000000000000u,
			       0xfff0000000000000u},
	};
	int k;

	switch (reduce_op) {
	case OP_REDUCE_ADD:
		k = 0;
		break;
	case OP_REDUCE_MUL:
		k = 1;
		break;
	case OP_REDUCE_MIN:
		k = 2;
		break;
	case OP_REDUCE_MAX:
		k = 3;
		break;
	default:
		return 0;
	}
	if ((unsigned)t >= ATLAS_NTYPES)
		return 0;
	return id[t][k];
}

/* ---- pmap, pmap2 -------------------------------------------------------- */

#define VM_MAP(op, name)                                                       \
	static void op##_##name(void *d, const void *s, size_t n)              \
	{                                                                      \
		vm_##op##_##name(d, s, n);                                     \
	}
#define VM_MAP2(op, name)                                                      \
	static void op##_##name(void *d, const void *a, const void *b,         \
				size_t n)                                      \
	{                                                                      \
		vm_##op##_##name(d, a, b, n);                                  \
	}

/* relu: NaN and -0 give +0, as max(x, 0) with the NaN rule of MAX */
#define MAP_FLT(name, NAME, T, A, W)                                           \
	UN(reciprocal, name, T, 1 / x)                                         \
	UN(relu, name, T, x > 0 ? x : 0)                                       \
	VM_MAP(ceil, name)                                                     \
	VM_MAP(floor, name)                                                    \
	VM_MAP(round, name)                                                    \
	VM_MAP(erf, name)                                                      \
	VM_MAP2(pow, name)                                                     \
	VM_MAP2(atan2, name)
OPS_FLTS(MAP_FLT)

ops_un_fn ops_map(enum isa_map m, enum atlas_type t)
{
	const int d = t == ATLAS_F64;

	if (t != ATLAS_F32 && t != ATLAS_F64)
		return NULL;
	switch (m) {
	case MAP_ABS:
		return ops_unary(OP_ABS, t);
	case MAP_NEG:
		return ops_unary(OP_NEG, t);
	case MAP_SQRT:
		return ops_unary(OP_SQRT, t);
	case MAP_EXP:
		return ops_unary(OP_EXP, t);
	case MAP_LOG:
		return ops_unary(OP_LOG, t);
	case MAP_SIN:
		return ops_unary(OP_SIN, t);
	case MAP_COS:
		return ops_unary(OP_COS, t);
	case MAP_TAN:
		return ops_unary(OP_TAN, t);
	case MAP_SIGMOID:
		return ops_unary(OP_SIGMOID, t);
	case MAP_TANH:
		return ops_unary(OP_TANH, t);
	case MAP_CEIL:
		return d ? ceil_f64 : ceil_f32;
	case MAP_FLOOR:
		return d ? floor_f64 : floor_f32;
	case MAP_ROUND:
		return d ? round_f64 : round_f32;
	case MAP_ERF:
		return d ? erf_f64 : erf_f32;
	case MAP_RECIPROCAL:
		return d ? reciprocal_f64 : reciprocal_f32;
	case MAP_RELU:
		return d ? relu_f64 : relu_f32;
	case MAP_COUNT:
		break;
	}
	return NULL;
}

ops_bin_fn ops_map2(enum isa_map2 m, enum atlas_type t)
{
	const int d = t == ATLAS_F64;

	if (t != ATLAS_F32 && t != ATLAS_F64)
		return NULL;
	switch (m) {
	case MAP2_ADD:
		return ops_binary(OP_ADD, t);
	case MAP2_SUB:
		return ops_binary(OP_SUB, t);
	case MAP2_MUL:
		return ops_binary(OP_MUL, t);
	case MAP2_DIV:
		return ops_binary(OP_DIV, t);
	case MAP2_MIN:
		return ops_binary(OP_MIN, t);
	case MAP2_MAX:
		return ops_binary(OP_MAX, t);
	case MAP2_POW:
		return d ? pow_f64 : pow_f32;
	case MAP2_ATAN2:
		return d ? atan2_f64 : atan2_f32;
	case MAP2_COUNT:
		break;
	}
	return NULL;
}

/* ---- preduce ------------------------------------------------------------ */

/*
 * Sums and products: NACC accumulators (S, the accumulator type, is
 * double for f32 input too) run over blocks of RBLOCK lanes and are
 * combined pairwise; blocks are combined by halving recursion on block
 * boundaries.  The order depends on n alone, so results are
 * deterministic, and the error grows with log n.
 */
#define NACC 16
#define RBLOCK 512

#define RED_ARITH(op, name, T, S, OPR, ID)                                     \
	static S op##_blk_##name(const T *a, size_t n)                         \
	{                                                                      \
		S acc[NACC];                                                   \
		size_t i = 0;                                                  \
		for (int j = 0; j < NACC; j++)                                 \
			acc[j] = (ID);                                         \
		for (; i + NACC <= n; i += NACC)                               \
			for (int j = 0; j < NACC; j++)                         \
				acc[j] = acc[j] OPR(S) a[i + j];               \
		for (int j = 0; i < n; i++, j++)                               \
			acc[j] = acc[j] OPR(S) a[i];                           \
		for (int w = NACC / 2; w; w /= 2)                              \
			for (int j = 0; j < w; j++)                            \
				acc[j] = acc[j] OPR acc[j + w];                \
		return acc[0];                                                 \
	}                                                                      \
	static S op##_rec_##name(const T *a, size_t n)                         \
	{                                                                      \
		if (n <= RBLOCK)                                               \
			return op##_blk_##name(a, n);                          \
		const size_t h = (n / 2 + RBLOCK - 1) / RBLOCK * RBLOCK;       \
		return op##_rec_##name(a, h)                                   \
			OPR op##_rec_##name(a + h, n - h);                     \
	}

RED_ARITH(sum, f32, float, double, +, 0)
RED_ARITH(sum, f64, double, double, +, 0)
RED_ARITH(prod, f32, float, double, *, 1)
RED_ARITH(prod, f64, double, double, *, 1)

/*
 * min/max skip NaN lanes (the MIN/MAX rule folded from the identity):
 * an accumulator starts at +-inf and only ever takes a non-NaN value, so
 * the result is NaN-free; n = 0 or all NaN gives the identity.
 */
#define RED_MINMAX(op, name, T, CMP, ID)                                       \
	static T op##_all_##name(const T *a, size_t n)                         \
	{                                                                      \
		T acc[NACC];                                                   \
		size_t i = 0;                                                  \
		for (int j = 0; j < NACC; j++)                                 \
			acc[j] = (ID);                                         \
		for (; i + NACC <= n; i += NACC)                               \
			for (int j = 0; j < NACC; j++)                         \
				acc[j] = a[i + j] CMP acc[j] ? a[i + j] :      \
							       acc[j];         \
		for (int j = 0; i < n; i++, j++)                               \
			acc[j] = a[i] CMP acc[j] ? a[i] : acc[j];              \
		for (int w = NACC / 2; w; w /= 2)                              \
			for (int j = 0; j < w; j++)                            \
				acc[j] = acc[j + w] CMP acc[j] ? acc[j + w] :  \
								 acc[j];       \
		return acc[0];                                                 \
	}

RED_MINMAX(min, f32, float, <, INFINITY)
RED_MINMAX(min, f64, double, <, (double)INFINITY)
RED_MINMAX(max, f32, float, >, -INFINITY)
RED_MINMAX(max, f64, double, >, -(double)INFINITY)

void ops_reduce_array(enum isa_red r, enum atlas_type t, void *out,
		      const void *a, size_t n)
{
	assert(t == ATLAS_F32 || t == ATLAS_F64);
	if (t == ATLAS_F32) {
		float *o = out;
		switch (r) {
		case RED_SUM:
			*o = (float)sum_rec_f32(a, n);
			break;
		case RED_PRODUCT:
			*o = (float)prod_rec_f32(a, n);
			break;
		case RED_MIN:
			*o = min_all_f32(a, n);
			break;
		case RED_MAX:
			*o = max_all_f32(a, n);
			break;
		case RED_COUNT:
			assert(!"ops_reduce_array: bad op");
		}
	} else if (t == ATLAS_F64) {
		double *o = out;
		switch (r) {
		case RED_SUM:
			*o = sum_rec_f64(a, n);
			break;
		case RED_PRODUCT:
			*o = prod_rec_f64(a, n);
			break;
		case RED_MIN:
			*o = min_all_f64(a, n);
			break;
		case RED_MAX:
			*o = max_all_f64(a, n);
			break;
		case RED_COUNT:
			assert(!"ops_reduce_array: bad op");
		}
	}
}
