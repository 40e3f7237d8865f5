/*
 * vmath.c - rounding to integers and half-precision conversions (see
 * vmath.h).  The transcendental functions are in vmath_f32.c and
 * vmath_f64.c.
 *
 * All loops are branch-free bit and float arithmetic that gcc
 * vectorises; bit casts go through memcpy.
 */

/* Lets gcc evaluate both arms of a conditional (if-conversion); results
 * are unchanged, only floating-point exception flags may differ. */
#pragma GCC optimize("no-trapping-math")

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bits.h"
#include "vmath.h"

/* ---- floor, ceil, round --------------------------------------------- */

/*
 * On a = |x| < 2^23 (2^52), (a + 2^23) - 2^23 rounds a to the nearest
 * integer t (ties to even); floor, ceil and round of a follow from
 * comparing t with a, and the sign of x goes back on at the end, which
 * also gives floor(-0.5) = -1, ceil(-0.5) = -0 and round(-0.4) = -0.
 * Larger values, Inf and NaN are returned as they are.
 */
static inline float rnd_f32(float x, int mode)
{
	const float a = fabsf(x);
	const float t = (a + 0x1p23f) - 0x1p23f;
	const float up = t < a ? t + 1.0f : t;	 /* ceil a */
	const float down = t > a ? t - 1.0f : t; /* floor a */
	const int neg = asu32(x) >> 31;
	float r;

	if (mode == 0) /* floor x: -ceil a for negative x */
		r = neg ? up : down;
	else if (mode == 1)
		r = neg ? down : up;
	else /* halfway cases went to even; move them away from zero */
		r = a - t >= 0.5f ? t + 1.0f : t;
	r = asf(asu32(r) | (asu32(x) & 0x80000000u));
	return a < 0x1p23f ? r : x;
}

static inline double rnd_f64(double x, int mode)
{
	const double a = fabs(x);
	const double t = (a + 0x1p52) - 0x1p52;
	const double up = t < a ? t + 1.0 : t;
	const double down = t > a ? t - 1.0 : t;
	const int neg = (int)(asu64(x) >> 63);
	double r;

	if (mode == 0)
		r = neg ? up : down;
	else if (mode == 1)
		r = neg ? down : up;
	else
		r = a - t >= 0.5 ? t + 1.0 : t;
	r = asd(asu64(r) | (asu64(x) & 0x8000000000000000u));
	return a < 0x1p52 ? r : x;
}

#define RND(name, mode)                                                        \
	void vm_##name##_f32(float *dst, const float *src, size_t n)           \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			dst[i] = rnd_f32(src[i], mode);                        \
	}                                                                      \
	void vm_##name##_f64(double *dst, const double *src, size_t n)         \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			dst[i] = rnd_f64(src[i], mode);                        \
	}

RND(floor, 0)
RND(ceil, 1)
RND(round, 2)

/* ---- IEEE binary16 -------------------------------------------------- */

void vm_f16_to_f32(float *dst, const uint16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const uint32_t h = src[i];
		const uint32_t em = h & 0x7fffu, m = h & 0x3ffu;
		/* normal: rebias the exponent by 127 - 15 */
		const uint32_t nrm = (em << 13) + 0x38000000u;
		/* Inf/NaN: all-ones exponent, NaN made quiet */
		const uint32_t inf = ((em << 13) + 0x70000000u) |
				     (m != 0 ? 0x400000u : 0);
		/* zero/subnormal: 2^-14 (1 + m/1024) - 2^-14 = m 2^-24 */
		const uint32_t sub =
			asu32(asf((em << 13) + 0x38800000u) - 0x1p-14f);
		const uint32_t r = em >= 0x7c00u ? inf :
						   (em < 0x400u ? sub : nrm);

		dst[i] = asf(r | ((h & 0x8000u) << 16));
	}
}

void vm_f32_to_f16(uint16_t *dst, const float *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const uint32_t u = asu32(src[i]);
		const uint32_t a = u & 0x7fffffffu;
		/* NaN: keep the top payload bits, set the quiet bit */
		const uint32_t nan = 0x7e00u | ((a >> 13) & 0x3ffu);
		/* normal: round to nearest even on the 13 dropped bits; a
		 * carry into the exponent is the right result */
		const uint32_t nrm =
			((a + 0xfffu + ((a >> 13) & 1u)) >> 13) - (112u << 10);
		/* below 2^-14: adding 0.5 rounds to a multiple of 2^-24
		 * (ties to even); m = 1024 is the smallest normal */
		const uint32_t sub = asu32(asf(a) + 0.5f) - 0x3f000000u;
		uint32_t r = a < 0x38800000u ? sub : nrm;

		r = a >= 0x477ff000u ? 0x7c00u : r; /* rounds to Inf */
		r = a > 0x7f800000u ? nan : r;
		dst[i] = (uint16_t)(r | ((u >> 16) & 0x8000u));
	}
}

/* ---- bfloat16 ------------------------------------------------------- */

void vm_bf16_to_f32(float *dst, const uint16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const uint32_t h = src[i];
		const uint32_t q = (h & 0x7fffu) > 0x7f80u ? 0x400000u : 0;

		dst[i] = asf((h << 16) | q);
	}
}

void vm_f32_to_bf16(uint16_t *dst, const float *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const uint32_t u = asu32(src[i]);
		/* round to nearest even; overflow carries into Inf */
		const uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
		const uint32_t nan = (u >> 16) | 0x40u;

		dst[i] = (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? nan : r);
	}
}
