/*
 * ops_impl.h - what the lib/ops*.c files share: the element type lists
 * the op loops are generated from, and the f16/bf16 chunk helpers.
 * Private to those files.
 */
#ifndef ATLAS_OPS_IMPL_H
#define ATLAS_OPS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "ops.h"
#include "vmath.h"

/*
 * X(name, NAME, T, A, W): element type T of the enum value ATLAS_NAME, bit
 * width W, and A, the unsigned type (at least unsigned int wide) that
 * wrapping arithmetic on T is done in: A never promotes to int, so
 * nothing overflows a signed type.
 */
#define OPS_SINTS(X)                                                           \
	X(i8, I8, int8_t, uint32_t, 8)                                         \
	X(i16, I16, int16_t, uint32_t, 16)                                     \
	X(i32, I32, int32_t, uint32_t, 32)                                     \
	X(i64, I64, int64_t, uint64_t, 64)
#define OPS_UINTS(X)                                                           \
	X(u8, U8, uint8_t, uint32_t, 8)                                        \
	X(u16, U16, uint16_t, uint32_t, 16)                                    \
	X(u32, U32, uint32_t, uint32_t, 32)                                    \
	X(u64, U64, uint64_t, uint64_t, 64)
#define OPS_INTS(X) OPS_SINTS(X) OPS_UINTS(X)

/* X(name, NAME, T, A, W) for f32 and f64 (A: the same-size bits type) */
#define OPS_FLTS(X)                                                            \
	X(f32, F32, float, uint32_t, 32)                                       \
	X(f64, F64, double, uint64_t, 64)

/* op_name(dst, src, n): dst[i] = expr of x = src[i], for element type T */
#define UN(op, name, T, expr)                                                  \
	static void op##_##name(void *dst, const void *src, size_t n)          \
	{                                                                      \
		T *d = dst;                                                    \
		const T *s = src;                                              \
		for (size_t i = 0; i < n; i++) {                               \
			const T x = s[i];                                      \
			d[i] = (T)(expr);                                      \
		}                                                              \
	}

/* X(name, NAME, bf): the half types, computed through f32 */
#define OPS_HALVES(X) X(f16, F16, 0) X(bf16, BF16, 1)

/* Lanes per chunk when f16/bf16 are widened to f32 on the stack. */
#define OPS_CHUNK 256

static inline void ops_widen(int bf, float *dst, const void *src, size_t n)
{
	if (bf)
		vm_bf16_to_f32(dst, src, n);
	else
		vm_f16_to_f32(dst, src, n);
}

static inline void ops_narrow(int bf, void *dst, const float *src, size_t n)
{
	if (bf)
		vm_f32_to_bf16(dst, src, n);
	else
		vm_f32_to_f16(dst, src, n);
}

static inline size_t ops_chunk(size_t n, size_t i)
{
	return n - i < OPS_CHUNK ? n - i : OPS_CHUNK;
}

#endif /* ATLAS_OPS_IMPL_H */
