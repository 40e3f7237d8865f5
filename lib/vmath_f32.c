/*
 * vmath_f32.c - single-precision array math (see vmath.h).
 *
 * Every loop body is straight-line code: polynomials evaluated with
 * explicit fmaf()/fma(), exponent arithmetic on the bit patterns, and
 * conditional expressions that gcc turns into vector blends.  Most
 * functions evaluate a short polynomial in double precision and round
 * once, which keeps the error within about half an ulp.  exp and sigmoid
 * stay in single precision for speed, with the rounding errors that
 * matter tracked by hand (head-tail sums, a corrected division).
 *
 * exp and sigmoid run a cheaper kernel on blocks whose inputs are all of
 * moderate size, and a general kernel (clamps, split scaling for
 * subnormal and overflowing results) otherwise.  sin, cos and tan reduce
 * the argument with a two-part pi/2 in double; for |x| > 2^30 a fix-up
 * pass calls libm on those elements only.
 *
 * Coefficients are minimax fits made for this file (Remez exchange in
 * multiple precision).
 */

/*
 * With -ftrapping-math (the default) gcc refuses to evaluate both arms
 * of a conditional, which stops if-conversion and so vectorisation.  The
 * results do not change: only the floating-point exception flags may.
 */
#pragma GCC optimize("no-trapping-math")

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bits.h"
#include "vmath.h"

#define BLK 1024

/* r with the sign bit of s */
static inline float withsign(float r, float s)
{
	return asf((asu32(r) & 0x7fffffffu) | (asu32(s) & 0x80000000u));
}

/* Largest |x| of a block as a bit pattern; NaN sorts above Inf. */
static uint32_t maxabs(const float *x, size_t n)
{
	uint32_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const uint32_t b = asu32(x[i]) & 0x7fffffffu;
		m = b > m ? b : m;
	}
	return m;
}

#define LOOP(fn, kern)                                                         \
	static void fn(float *dst, const float *src, size_t n)                 \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			dst[i] = kern(src[i]);                                 \
	}

/*
 * Functions with a fast kernel valid when every |x| of a block is at
 * most lim (compared as bit patterns, so NaN and Inf never qualify) and
 * a general kernel.  Out of place, the fast kernel runs first and also
 * returns the largest |x|; the rare block that fails is redone.  In
 * place the source would be gone by then, so the block is checked
 * first.
 */
#define BLOCKED(name, lim)                                                     \
	LOOP(name##_fast, name##_fast1)                                        \
	LOOP(name##_full, name##_full1)                                        \
	static uint32_t name##_fast_max(float *dst, const float *src,          \
					size_t n)                              \
	{                                                                      \
		uint32_t m = 0;                                                \
		for (size_t i = 0; i < n; i++) {                               \
			const uint32_t b = asu32(src[i]) & 0x7fffffffu;        \
			m = b > m ? b : m;                                     \
			dst[i] = name##_fast1(src[i]);                         \
		}                                                              \
		return m;                                                      \
	}                                                                      \
	void vm_##name##_f32(float *dst, const float *src, size_t n)           \
	{                                                                      \
		for (size_t i = 0; i < n; i += BLK) {                          \
			const size_t m = n - i < BLK ? n - i : BLK;            \
			if (dst != src) {                                      \
				if (name##_fast_max(dst + i, src + i, m) >     \
				    asu32(lim))                                \
					name##_full(dst + i, src + i, m);      \
			} else if (maxabs(src + i, m) <= asu32(lim)) {         \
				name##_fast(dst + i, src + i, m);              \
			} else {                                               \
				name##_full(dst + i, src + i, m);              \
			}                                                      \
		}                                                              \
	}

/* ---- exp ------------------------------------------------------------ */

#define MAGICF 0x1.8p23f /* adding it rounds |v| < 2^22 to an integer */
#define LOG2EF 0x1.715476p+0f
#define LN2HIF 0x1.62e4p-1f /* 15 bits: k * LN2HIF is exact for |k| < 512 */
#define LN2LOF 0x1.7f7d1cp-20f

/* e^r = 1 + r + r^2 q(r) on |r| <= ln2/2, relative error 2^-27. */
static inline float expq(float r)
{
	float q = 0x1.6a5668p-10f;

	q = fmaf(q, r, 0x1.1208c8p-7f);
	q = fmaf(q, r, 0x1.5557b6p-5f);
	q = fmaf(q, r, 0x1.5554e0p-3f);
	return fmaf(q, r, 0x1.fffffep-2f);
}

/*
 * e^x = 2^k e^r with r = x - k ln2 split as rh (exact) + rl.  The sum
 * 1 + rh is kept as a head and an exact tail so that the only large
 * rounding is the last addition.  Returns the mantissa part p in
 * [0.7, 1.5) and leaves t (k in its low bits) for the scaling.
 */
static inline float expf_core(float x, float *tp)
{
	const float t = fmaf(x, LOG2EF, MAGICF);
	const float k = t - MAGICF;
	const float rh = fmaf(k, -LN2HIF, x);
	const float rl = k * -LN2LOF;
	const float r = rh + rl;
	const float tail = fmaf(r * r, expq(r), rl);
	const float hi = 1.0f + rh;

	*tp = t;
	return hi + (((1.0f - hi) + rh) + tail);
}

/* |x| <= 87.5: 2^k is normal and so is the result, except that
 * p * 2^-126 may round once more into the subnormal range (still
 * within one ulp). */
static inline float exp_fast1(float x)
{
	float t;
	const float p = expf_core(x, &t);

	return p *
	       asf((asu32(t) << 23) + (0x3f800000u - (asu32(MAGICF) << 23)));
}

static inline float exp_full1(float x)
{
	float t;
	const float p = expf_core(x, &t);
	const uint32_t ki = asu32(t) - asu32(MAGICF);
	/* 2^k as 2^k1 * 2^k2: p * 2^k1 is exact, the second product may
	 * round into the subnormal range or overflow to Inf. */
	const uint32_t k1 = (uint32_t)((int32_t)ki >> 1);
	const float s1 = asf((k1 << 23) + 0x3f800000u);
	const float s2 = asf(((ki - k1) << 23) + 0x3f800000u);
	float y = p * s1 * s2;

	y = x > 88.8f ? INFINITY : y;
	y = x < -104.0f ? 0.0f : y;
	return y;
}

BLOCKED(exp, 87.5f)

/* ---- sigmoid -------------------------------------------------------- */

/*
 * e = exp(-a) for a = |x|, then y = num / (1 + e) with num = 1 (x >= 0)
 * or e (x < 0), which never overflows.  The quotient y0 = num * (1 / dh)
 * is corrected with the exact residual num - y0 (1 + e): num - y0 is
 * exact (Sterbenz), so one fma gives it with a single rounding and the
 * rounding of dh = 1 + e drops out too.  The error is that of e plus
 * half an ulp.
 */
static inline float sigm_tail(float x, float e)
{
	const float num = x >= 0.0f ? 1.0f : e;
	const float inv = 1.0f / (1.0f + e);
	const float y0 = num * inv;
	const float res = fmaf(-y0, e, num - y0);

	return fmaf(res, inv, y0);
}

/* exp(-a) = s e^-r with s = 2^-k, r = a - k ln2, computed as
 * s - s (r - r^2 q(-r)) with one rounding */
static inline float expneg(float a, float s, float t)
{
	const float k = t - MAGICF;
	const float r = fmaf(k, -LN2LOF, fmaf(k, -LN2HIF, a));

	return fmaf(-s, fmaf(-(r * r), expq(-r), r), s);
}

static inline float sigmoid_fast1(float x)
{
	const float a = fabsf(x);
	const float t = fmaf(a, LOG2EF, MAGICF);
	/* 2^-k with k <= 126 */
	const float s =
		asf((0x3f800000u + (asu32(MAGICF) << 23)) - (asu32(t) << 23));

	return sigm_tail(x, expneg(a, s, t));
}

static inline float sigmoid_full1(float x)
{
	float a = fabsf(x);

	a = a > 104.0f ? 104.0f : a; /* NaN stays NaN */
	const float t = fmaf(a, LOG2EF, MAGICF);
	const uint32_t ki = asu32(t) - asu32(MAGICF);
	const uint32_t k1 = ki >> 1;
	/* 2^-k = s1 s2: the product with s1 is exact, s2 rounds once */
	const float s1 = asf(0x3f800000u - (k1 << 23));
	const float s2 = asf(0x3f800000u - ((ki - k1) << 23));

	return sigm_tail(x, expneg(a, s1, t) * s2);
}

BLOCKED(sigmoid, 87.5f)

/* ---- double-precision helpers for the other functions --------------- */

#define MAGICD 0x1.8p52
#define LOG2E 0x1.71547652b82fep+0
#define LN2 0x1.62e42fefa39efp-1
#define LN2HI 0x1.62e42fefa3800p-1 /* 42 bits */
#define LN2LO 0x1.ef35793c76730p-45

/* e^r - 1 - r = r^2 q(r) on |r| <= ln2/2; e^r relative error 2^-32.5 */
static inline double expm1q(double r)
{
	double q = 0x1.9e5e91d76872ep-13;

	q = fma(q, r, 0x1.6d406f08f557ap-10);
	q = fma(q, r, 0x1.111289f5bd77dp-7);
	q = fma(q, r, 0x1.5554eb9b62572p-5);
	q = fma(q, r, 0x1.5555548fd03d8p-3);
	return fma(q, r, 0x1.0000000af43e8p-1);
}

/* 2^k for an integer-valued t - MAGICD (|k| < 1023) */
static inline double scale2(double t)
{
	return asd((asu64(t) << 52) +
		   (0x3ff0000000000000u - (asu64(MAGICD) << 52)));
}

/* e^z for |z| < 700 (no special values), relative error 2^-32 */
static inline double expd(double z)
{
	const double t = fma(z, LOG2E, MAGICD);
	const double k = t - MAGICD;
	const double r = fma(k, -LN2, z);

	return fma(fma(r * r, expm1q(r), r), scale2(t), scale2(t));
}

/*
 * log of a positive normal double: x = 2^k z, z in [sqrt(1/2), sqrt(2)),
 * s = (z-1)/(z+1), log z = 2s + s^3 l(s^2).  Returns log z, sets *k.
 */
static inline double logd_core(double x, double *kp)
{
	const uint64_t ix = asu64(x);
	const uint64_t tmp = ix - 0x3fe6a09e667f3bcdu;
	const int64_t k = (int64_t)tmp >> 52;
	const double z = asd(ix - (tmp & 0xfff0000000000000u));
	const double f = z - 1.0;
	const double s = f / (2.0 + f);
	const double u = s * s;
	double l = 0x1.8e0d9343311a8p-3;

	l = fma(l, u, 0x1.c66658a203507p-3);
	l = fma(l, u, 0x1.24934eb0a6b90p-2);
	l = fma(l, u, 0x1.999998934d14ap-2);
	l = fma(l, u, 0x1.555555556a5aap-1);
	*kp = (double)k;
	return fma(s * u, l, 2.0 * s);
}

/* ---- log, log2, log10 ----------------------------------------------- */

/*
 * In double: every positive float is a normal double, so subnormal
 * inputs need no special step.  Special values by selects.
 */
static inline float logsel(float x, double v)
{
	float y = (float)v;

	y = x == INFINITY ? INFINITY : y;
	y = x == 0.0f ? -INFINITY : y;
	y = x < 0.0f ? NAN : y;
	y = x != x ? x : y;
	return y;
}

static inline double logarg(float x)
{
	/* keep the bit tricks in range for 0, negatives, Inf and NaN; the
	 * result is replaced by logsel() */
	return x > 0.0f && x < INFINITY ? (double)x : 1.0;
}

static inline float log1f(float x)
{
	double k;
	const double l = logd_core(logarg(x), &k);

	return logsel(x, fma(k, LN2, l));
}

static inline float log21f(float x)
{
	double k;
	const double l = logd_core(logarg(x), &k);

	return logsel(x, fma(l, LOG2E, k));
}

static inline float log101f(float x)
{
	double k;
	const double l = logd_core(logarg(x), &k);

	return logsel(x,
		      fma(k, 0x1.34413509f79ffp-2, l * 0x1.bcb7b1526e50ep-2));
}

#define SIMPLE(name, kern)                                                     \
	void vm_##name##_f32(float *dst, const float *src, size_t n)           \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			dst[i] = kern(src[i]);                                 \
	}

SIMPLE(log, log1f)
SIMPLE(log2, log21f)
SIMPLE(log10, log101f)

/* ---- sqrt, rsqrt ---------------------------------------------------- */

/*
 * sqrt is correctly rounded by the hardware instruction.  gcc vectorises
 * the builtin only under -fno-math-errno (a per-file flag in the
 * Makefile); without it this is a scalar sqrtss per element, still
 * exact.
 */
static inline float sqrt1f(float x)
{
	return __builtin_sqrtf(x);
}

SIMPLE(sqrt, sqrt1f)

/*
 * 1/sqrt(x) by Newton's iteration in double from a bit-pattern guess:
 * three steps take the relative error from 3.4% to about 2^-35, and the
 * one rounding to float gives at most 0.5 ulp + tiny.
 */
static inline float rsqrt1f(float x)
{
	const double d = x > 0.0f && x < INFINITY ? (double)x : 1.0;
	double r = asd(0x5fe6eb50c7b537a9u - (asu64(d) >> 1));
	const double h = 0.5 * d;

	r = r * fma(-h * r, r, 1.5);
	r = r * fma(-h * r, r, 1.5);
	r = r * fma(-h * r, r, 1.5);
	float y = (float)r;
	y = x == INFINITY ? 0.0f : y;
	y = x == 0.0f ? withsign(INFINITY, x) : y;
	y = x < 0.0f ? NAN : y;
	y = x != x ? x : y;
	return y;
}

SIMPLE(rsqrt, rsqrt1f)

/* ---- sin, cos, tan -------------------------------------------------- */

#define TWO_OVER_PI 0x1.45f306dc9c883p-1
#define PIO2_1 0x1.921fb54442d18p+0
#define PIO2_2 0x1.1a62633145c07p-54
#define TRIG_LIM 0x1p30f

/*
 * x = k pi/2 + r, |r| <= pi/4.  For |x| <= 2^30, x - k*PIO2_1 is exact
 * (both are multiples of 2^-52 and the difference is below 1) and the
 * second fma leaves a relative error near 2^-53.
 */
static inline double trig_reduce(float x, uint32_t *q)
{
	const double d = x;
	const double t = fma(d, TWO_OVER_PI, MAGICD);
	const double k = t - MAGICD;

	*q = (uint32_t)asu64(t);
	return fma(-k, PIO2_2, fma(-k, PIO2_1, d));
}

static inline double sin_poly(double r)
{
	const double u = r * r;
	double s = 0x1.6dbc3045a6524p-19;

	s = fma(s, u, -0x1.a013a20ca63bep-13);
	s = fma(s, u, 0x1.11110deb454ccp-7);
	s = fma(s, u, -0x1.555555545c970p-3);
	return fma(r * u, s, r);
}

static inline double cos_poly(double r)
{
	const double u = r * r;
	double c = -0x1.25230cb0bedc7p-22;

	c = fma(c, u, 0x1.a015c0b54101ap-16);
	c = fma(c, u, -0x1.6c16bf5235176p-10);
	c = fma(c, u, 0x1.55555555024d2p-5);
	return fma(u * u, c, fma(u, -0.5, 1.0));
}

static inline float sin1f(float x)
{
	uint32_t q;
	const double r = trig_reduce(x, &q);
	const double s = sin_poly(r), c = cos_poly(r);
	const float y = (float)(q & 1 ? c : s);

	/* the polynomial loses the sign of -0 */
	return x == 0.0f ? x : asf(asu32(y) ^ ((q & 2) << 30));
}

static inline float cos1f(float x)
{
	uint32_t q;
	const double r = trig_reduce(x, &q);
	const double s = sin_poly(r), c = cos_poly(r);
	const float y = (float)(q & 1 ? s : c);

	return asf(asu32(y) ^ (((q + 1) & 2) << 30));
}

static inline float tan1f(float x)
{
	uint32_t q;
	const double r = trig_reduce(x, &q);
	const double s = sin_poly(r), c = cos_poly(r);
	const double n = q & 1 ? -c : s, d = q & 1 ? s : c;

	return x == 0.0f ? x : (float)(n / d);
}

/*
 * The kernels are right for |x| <= 2^30 and give NaN for Inf and NaN.
 * Blocks with larger finite elements are copied first (dst may be src),
 * then those elements are redone by libm.
 */
#define TRIG(name, kern, libm)                                                 \
	static void name##_loop(float *dst, const float *src, size_t n)        \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			dst[i] = kern(src[i]);                                 \
	}                                                                      \
	void vm_##name##_f32(float *dst, const float *src, size_t n)           \
	{                                                                      \
		float tmp[BLK];                                                \
                                                                               \
		for (size_t i = 0; i < n; i += BLK) {                          \
			const size_t m = n - i < BLK ? n - i : BLK;            \
			if (maxabs(src + i, m) <= asu32(TRIG_LIM)) {           \
				name##_loop(dst + i, src + i, m);              \
				continue;                                      \
			}                                                      \
			memcpy(tmp, src + i, m * sizeof *tmp);                 \
			name##_loop(dst + i, tmp, m);                          \
			for (size_t j = 0; j < m; j++)                         \
				if (fabsf(tmp[j]) > TRIG_LIM &&                \
				    fabsf(tmp[j]) < INFINITY)                  \
					dst[i + j] = (float)libm(tmp[j]);      \
		}                                                              \
	}

TRIG(sin, sin1f, sin)
TRIG(cos, cos1f, cos)
TRIG(tan, tan1f, tan)

/* ---- tanh ----------------------------------------------------------- */

/*
 * tanh a = m / (m + 2) with m = e^2a - 1 = 2^k (1 + p) - 1, p = e^r - 1;
 * m keeps full relative accuracy for small a.  tanh a rounds to 1 in
 * float for a > 9.01.
 */
static inline float tanh1f(float x)
{
	float a = fabsf(x);

	a = a > 9.5f ? 9.5f : a; /* NaN stays NaN */
	const double z = 2.0 * (double)a;
	const double t = fma(z, LOG2E, MAGICD);
	const double k = t - MAGICD;
	const double r = fma(k, -LN2LO, fma(k, -LN2HI, z));
	const double p = fma(r * r, expm1q(r), r);
	const double s = scale2(t);
	const double m = fma(s, p, s - 1.0);

	return withsign((float)(m / (m + 2.0)), x);
}

SIMPLE(tanh, tanh1f)

/* ---- erf ------------------------------------------------------------ */

/*
 * |x| < 0.875: erf x = x + x e(x^2).  Above: erf x = 1 - e^(-x^2) g(x),
 * g a polynomial in x - 2.4375 fitted to minimise the error of erfc on
 * [0.875, 4]; erf rounds to 1 in float beyond 3.92.
 */
static inline float erf1f(float x)
{
	float a = fabsf(x);

	a = a > 4.0f ? 4.0f : a; /* NaN stays NaN */
	const double d = a, u = d * d;
	double e = -0x1.66faa7f19fe4ap-17;

	e = fma(e, u, 0x1.e4ecb4088f0dbp-14);
	e = fma(e, u, -0x1.be8e15af37c84p-11);
	e = fma(e, u, 0x1.5649886b04393p-8);
	e = fma(e, u, -0x1.b82c0280cd9a0p-6);
	e = fma(e, u, 0x1.ce2f1c505fa5cp-4);
	e = fma(e, u, -0x1.812746a3f1cbdp-2);
	e = fma(e, u, 0x1.06eba82128909p-3);
	const double small = fma(d, e, d);

	const double v = d - 2.4375;
	double g = -0x1.40955d0931f7fp-19;

	g = fma(g, v, -0x1.5bfab9c98072cp-18);
	g = fma(g, v, -0x1.45cc3aee0e9f3p-17);
	g = fma(g, v, 0x1.d1987177872e7p-16);
	g = fma(g, v, -0x1.9fae3cf061b87p-15);
	g = fma(g, v, 0x1.00d5c5e35ac07p-12);
	g = fma(g, v, -0x1.b0a50245d8564p-11);
	g = fma(g, v, 0x1.623bead12237cp-9);
	g = fma(g, v, -0x1.1b6800f638edcp-7);
	g = fma(g, v, 0x1.b2272c012354ep-6);
	g = fma(g, v, -0x1.3db03f7aaec1cp-4);
	g = fma(g, v, 0x1.b973946931af7p-3);
	const double large = fma(-expd(-u), g, 1.0);

	return withsign((float)(a < 0.875f ? small : large), x);
}

SIMPLE(erf, erf1f)

/* ---- atan2 ---------------------------------------------------------- */

#define PIO4 0x1.921fb54442d18p-1

/*
 * With t = min/max of |y|, |x| (so t <= 1): for t > tan(pi/8) use
 * atan t = pi/4 + atan((t-1)/(t+1)); swap and quadrant give
 * R = m pi/4 + sg atan(u) with m in 0..4, and the sign comes from y.
 */
static inline float atan2_1f(float yf, float xf)
{
	const double y = yf, x = xf;
	double ay = fabs(y), ax = fabs(x);
	const int both_inf = ay == INFINITY && ax == INFINITY;

	ay = both_inf ? 1.0 : ay;
	ax = both_inf ? 1.0 : ax;
	const int swap = ay > ax;
	const double mn = swap ? ax : ay, mx = swap ? ay : ax;
	const int big = mn > 0x1.a827999fcef32p-2 * mx;
	const double num = big ? mn - mx : mn;
	const double den = big ? mn + mx : mx;
	double u = num / den;

	u = den == 0.0 ? num : u; /* 0 for atan2(0, 0), NaN stays */
	const double w = u * u;
	double p = 0x1.9e752466ba09fp-5;

	p = fma(p, w, -0x1.617702b5ed387p-4);
	p = fma(p, w, 0x1.c5836090f0718p-4);
	p = fma(p, w, -0x1.248a5452a0bdcp-3);
	p = fma(p, w, 0x1.99997c6813e9bp-3);
	p = fma(p, w, -0x1.5555554ca4766p-2);
	const double at = fma(u * w, p, u);

	double m = swap ? (big ? 1.0 : 2.0) : (big ? 1.0 : 0.0);
	double sg = swap ? -1.0 : 1.0;
	const int xneg = asu32(xf) >> 31;

	m = xneg ? 4.0 - m : m;
	sg = xneg ? -sg : sg;
	return withsign((float)fma(sg, at, m * PIO4), yf);
}

void vm_atan2_f32(float *dst, const float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = atan2_1f(y[i], x[i]);
}

/* ---- pow ------------------------------------------------------------ */

/*
 * |a|^b = 2^(b log2|a|) in double: log2 to about 2^-42 relative, so the
 * exponent is good to 2^-35 even at overflow size; exp2 to 2^-32.  Annex
 * F special cases by selects afterwards.
 */
static inline float pow1f(float a, float b)
{
	const float aa = fabsf(a), ab = fabsf(b);
	const int afin = aa > 0.0f && aa < INFINITY;
	double k;
	const double l = logd_core(afin ? (double)aa : 1.0, &k);
	double l2 = fma(l, LOG2E, k);

	l2 = afin ? l2 : (double)aa; /* Inf or NaN */
	l2 = aa == 0.0f ? -INFINITY : l2;
	double w = (double)b * l2;

	w = w > 200.0 ? 200.0 : w; /* NaN stays NaN */
	w = w < -200.0 ? -200.0 : w;
	const double t = w + MAGICD;
	const double r = (w - (t - MAGICD)) * LN2;
	const double core = fma(fma(r * r, expm1q(r), r), scale2(t), scale2(t));
	float y = (float)core;

	/* integer and odd-integer tests on b; |b| >= 2^23 is an integer,
	 * >= 2^24 even; Inf counts as an even integer */
	const float rb = (ab + 0x1p23f) - 0x1p23f;
	const uint32_t isint = (uint32_t)(ab >= 0x1p23f) | (rb == ab);
	const uint32_t odd = ab < 0x1p23f ?
				     asu32(ab + 0x1p23f) & 1 :
				     (uint32_t)(ab < 0x1p24f) & asu32(ab);
	const uint32_t neg = asu32(a) >> 31;

	/* bitwise operators: no short-circuit control flow in the loop */
	y = neg & isint & odd ? -y : y;
	y = (uint32_t)(a < 0.0f) & (a > -INFINITY) & ~isint ? NAN : y;
	y = ((uint32_t)(a == -1.0f) & (ab == INFINITY)) | (a == 1.0f) |
			    (b == 0.0f) ?
		    1.0f :
		    y;
	return y;
}

void vm_pow_f32(float *dst, const float *a, const float *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = pow1f(a[i], b[i]);
}
