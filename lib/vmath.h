/*
 * vmath.h - vectorisable math over arrays: the transcendental op loops of
 * the interpreter.  No libm call per element; branch-free polynomials the
 * compiler turns into SIMD code.  Accuracy (max error against a correctly
 * rounded result) is stated with each function and checked by
 * test/unit/t-vmath.c.  NaN in gives NaN out; +-Inf and +-0 follow C99
 * Annex F.
 *
 * dst and src may be the same array (in-place), but must not otherwise
 * overlap.
 */
#ifndef ATLAS_VMATH_H
#define ATLAS_VMATH_H

#include <stddef.h>
#include <stdint.h>

#define VMATH_UNARY(name)                                                      \
	void vm_##name##_f32(float *dst, const float *src, size_t n);          \
	void vm_##name##_f64(double *dst, const double *src, size_t n);

VMATH_UNARY(exp)     /* f32 <= 1 ulp, f64 <= 1 ulp */
VMATH_UNARY(log)     /* f32 <= 1 ulp, f64 <= 1 ulp */
VMATH_UNARY(log2)    /* f32 <= 1 ulp, f64 <= 1 ulp */
VMATH_UNARY(log10)   /* f32 <= 1 ulp, f64 <= 2 ulp */
VMATH_UNARY(sqrt)    /* correctly rounded */
VMATH_UNARY(rsqrt)   /* 1/sqrt(x): <= 1 ulp */
VMATH_UNARY(sin)     /* <= 1 ulp for |x| <= 2^20 (f32) / 2^30 (f64) */
VMATH_UNARY(cos)     /* as sin */
VMATH_UNARY(tan)     /* <= 2 ulp, same ranges */
VMATH_UNARY(tanh)    /* <= 2 ulp */
VMATH_UNARY(sigmoid) /* 1/(1+exp(-x)): <= 2 ulp */
VMATH_UNARY(erf)     /* <= 2 ulp */
VMATH_UNARY(floor)   /* exact */
VMATH_UNARY(ceil)    /* exact */
VMATH_UNARY(round)   /* exact, halfway cases away from zero */

#undef VMATH_UNARY

/* Binary: dst[i] = f(a[i], b[i]). */
void vm_pow_f32(float *dst, const float *a, const float *b, size_t n);
void vm_pow_f64(double *dst, const double *a, const double *b, size_t n);
void vm_atan2_f32(float *dst, const float *y, const float *x, size_t n);
void vm_atan2_f64(double *dst, const double *y, const double *x, size_t n);

/* Half-precision conversions, round to nearest even, NaN kept quiet. */
void vm_f16_to_f32(float *dst, const uint16_t *src, size_t n);
void vm_f32_to_f16(uint16_t *dst, const float *src, size_t n);
void vm_bf16_to_f32(float *dst, const uint16_t *src, size_t n);
void vm_f32_to_bf16(uint16_t *dst, const float *src, size_t n);

#endif /* ATLAS_VMATH_H */
