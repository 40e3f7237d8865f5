/*
 * vmath.c - array math loops (placeholder: libm per element; the fast
 * polynomial versions replace this).
 */
#include <math.h>
#include <string.h>

#include "vmath.h"

#define LOOP1(name, f32expr, f64expr)                                          \
	void vm_##name##_f32(float *dst, const float *src, size_t n)           \
	{                                                                      \
		for (size_t i = 0; i < n; i++) {                               \
			const float x = src[i];                                \
			dst[i] = (f32expr);                                    \
		}                                                              \
	}                                                                      \
	void vm_##name##_f64(double *dst, const double *src, size_t n)         \
	{                                                                      \
		for (size_t i = 0; i < n; i++) {                               \
			const double x = src[i];                               \
			dst[i] = (f64expr);                                    \
		}                                                              \
	}

LOOP1(exp, expf(x), exp(x))
LOOP1(log, logf(x), log(x))
LOOP1(log2, log2f(x), log2(x))
LOOP1(log10, log10f(x), log10(x))
LOOP1(sqrt, sqrtf(x), sqrt(x))
LOOP1(rsqrt, (float)(1.0 / sqrt((double)x)), 1.0L / sqrtl(x))
LOOP1(sin, sinf(x), sin(x))
LOOP1(cos, cosf(x), cos(x))
LOOP1(tan, tanf(x), tan(x))
LOOP1(tanh, tanhf(x), tanh(x))
LOOP1(sigmoid, (float)(1.0 / (1.0 + exp(-(double)x))), 1.0 / (1.0 + exp(-x)))
LOOP1(erf, erff(x), erf(x))
LOOP1(floor, floorf(x), floor(x))
LOOP1(ceil, ceilf(x), ceil(x))
LOOP1(round, roundf(x), round(x))

void vm_pow_f32(float *dst, const float *a, const float *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = powf(a[i], b[i]);
}

void vm_pow_f64(double *dst, const double *a, const double *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = pow(a[i], b[i]);
}

void vm_atan2_f32(float *dst, const float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = atan2f(y[i], x[i]);
}

void vm_atan2_f64(double *dst, const double *y, const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = atan2(y[i], x[i]);
}

static float f16_one(uint16_t h)
{
	const uint32_t s = (uint32_t)(h & 0x8000u) << 16;
	const uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ffu;
	float f;
	uint32_t u;

	if (e == 0) {
		f = ldexpf((float)m, -24);
		memcpy(&u, &f, 4);
		u |= s;
	} else if (e == 31) {
		u = s | 0x7f800000u | (m << 13) | (m ? 0x400000u : 0);
	} else {
		u = s | ((e + 112) << 23) | (m << 13);
	}
	memcpy(&f, &u, 4);
	return f;
}

void vm_f16_to_f32(float *dst, const uint16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = f16_one(src[i]);
}

static uint16_t f32_to_f16_one(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	const uint16_t s = (uint16_t)((u >> 16) & 0x8000u);
	const float a = fabsf(f);

	if (a != a)
		return (uint16_t)(s | 0x7e00u | ((u >> 13) & 0x3ffu));
	if (a >= 65520.0f)
		return (uint16_t)(s | 0x7c00u);
	if (a < 0x1p-14f) {
		/* subnormal: exact multiple of 2^-24, rounded to even */
		return (uint16_t)(s | (uint16_t)nearbyintf(a * 0x1p24f));
	}
	uint32_t ua = u & 0x7fffffffu;
	uint32_t r = ua + 0xfffu + ((ua >> 13) & 1u);
	return (uint16_t)(s | ((r >> 13) - (112u << 10)));
}

void vm_f32_to_f16(uint16_t *dst, const float *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = f32_to_f16_one(src[i]);
}

void vm_bf16_to_f32(float *dst, const uint16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const uint32_t u = (uint32_t)src[i] << 16;
		memcpy(&dst[i], &u, 4);
	}
}

void vm_f32_to_bf16(uint16_t *dst, const float *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &src[i], 4);
		if ((u & 0x7fffffffu) > 0x7f800000u)
			dst[i] = (uint16_t)((u >> 16) | 0x40u);
		else
			dst[i] = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >>
					    16);
	}
}
