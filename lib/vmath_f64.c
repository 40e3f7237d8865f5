/*
 * vmath_f64.c - double-precision array math (see vmath.h).
 *
 * The loops are straight-line code that gcc vectorises: polynomials
 * with explicit fma(), exponent arithmetic on bit patterns, selects.
 * To stay within about one ulp the kernels carry the quantities that
 * matter as unevaluated sums hi + lo (Fast2Sum / 2Sum, fma products)
 * and round once at the end.  Coefficients are minimax fits made for
 * this file (Remez exchange in multiple precision).
 *
 * exp, sigmoid and log run a cheaper kernel on blocks whose inputs are
 * all in a safe range and a general one otherwise.  sin, cos and tan
 * reduce by a three-part pi/2 and are accurate for |x| <= 2^30; larger
 * finite elements are redone by libm in a fix-up pass.
 */

/* See vmath_f32.c: lets gcc if-convert; results are unchanged. */
#pragma GCC optimize("no-trapping-math")

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bits.h"
#include "vmath.h"

#define BLK 512

#define SIGN 0x8000000000000000u

static inline double withsign(double r, double s)
{
	return asd((asu64(r) & ~SIGN) | (asu64(s) & SIGN));
}

/* Largest bits(x) - off over a block (unsigned, so smaller wraps). */
static uint64_t maxoff(const double *x, size_t n, uint64_t mask, uint64_t off)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const uint64_t b = (asu64(x[i]) & mask) - off;
		m = b > m ? b : m;
	}
	return m;
}

#define LOOP(fn, kern)                                                         \
	static void fn(double *dst, const double *src, size_t n)               \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			dst[i] = kern(src[i]);                                 \
	}

/*
 * Functions with a fast kernel valid when (bits(x) & mask) - off <= lim
 * for every x of a block, and a general kernel.  Out of place, the fast
 * kernel runs first and also returns that maximum; the rare block that
 * fails is redone.  In place the block is checked first.
 */
#define BLOCKED(name, mask, off, lim)                                          \
	LOOP(name##_fast, name##_fast1)                                        \
	LOOP(name##_full, name##_full1)                                        \
	static uint64_t name##_fast_max(double *dst, const double *src,        \
					size_t n)                              \
	{                                                                      \
		uint64_t m = 0;                                                \
		for (size_t i = 0; i < n; i++) {                               \
			const uint64_t b = (asu64(src[i]) & (mask)) - (off);   \
			m = b > m ? b : m;                                     \
			dst[i] = name##_fast1(src[i]);                         \
		}                                                              \
		return m;                                                      \
	}                                                                      \
	void vm_##name##_f64(double *dst, const double *src, size_t n)         \
	{                                                                      \
		for (size_t i = 0; i < n; i += BLK) {                          \
			const size_t m = n - i < BLK ? n - i : BLK;            \
			if (dst != src) {                                      \
				if (name##_fast_max(dst + i, src + i, m) >     \
				    (lim))                                     \
					name##_full(dst + i, src + i, m);      \
			} else if (maxoff(src + i, m, mask, off) <= (lim)) {   \
				name##_fast(dst + i, src + i, m);              \
			} else {                                               \
				name##_full(dst + i, src + i, m);              \
			}                                                      \
		}                                                              \
	}

#define SIMPLE(name, kern)                                                     \
	void vm_##name##_f64(double *dst, const double *src, size_t n)         \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			dst[i] = kern(src[i]);                                 \
	}

/* ---- exp ------------------------------------------------------------ */

#define MAGIC 0x1.8p52 /* adding it rounds |v| < 2^51 to an integer */
#define LOG2E 0x1.71547652b82fep+0
#define LN2HI 0x1.62e42fefa3800p-1 /* 42 bits: k LN2HI exact, |k| < 2^11 */
#define LN2LO 0x1.ef35793c76730p-45

/* e^r = 1 + r + r^2 q(r), |r| <= ln2/2, relative error 2^-62 */
static inline double expq(double r)
{
	double q = 0x1.1e39c872d59eep-29;

	q = fma(q, r, 0x1.af4c9be0209b5p-26);
	q = fma(q, r, 0x1.27e5972300924p-22);
	q = fma(q, r, 0x1.71de02e4ce906p-19);
	q = fma(q, r, 0x1.a01a01581ed1ep-16);
	q = fma(q, r, 0x1.a01a01aba7eb4p-13);
	q = fma(q, r, 0x1.6c16c16c23a38p-10);
	q = fma(q, r, 0x1.1111111110163p-7);
	q = fma(q, r, 0x1.555555555553cp-5);
	q = fma(q, r, 0x1.5555555555557p-3);
	return fma(q, r, 0.5);
}

/*
 * e^(x + xl) = 2^k p, p in [0.7, 1.42): r = x - k ln2 is kept as an
 * exact head rh and a small tail rl (which also takes xl), and 1 + rh is
 * formed exactly, so p has one rounding plus about 0.05 ulp.  t holds k
 * in its low bits.
 */
static inline double exp_core(double x, double xl, double *tp)
{
	const double t = fma(x, LOG2E, MAGIC);
	const double k = t - MAGIC;
	const double rh = fma(k, -LN2HI, x);
	const double rl = fma(k, -LN2LO, xl);
	const double r = rh + rl;
	const double tail = fma(r * r, expq(r), rl);
	const double hi = 1.0 + rh;

	*tp = t;
	return hi + (((1.0 - hi) + rh) + tail);
}

/* 2^k for the k in t, |k| <= 1022 */
static inline double pow2k(double t)
{
	return asd((asu64(t) << 52) +
		   (0x3ff0000000000000u - (asu64(MAGIC) << 52)));
}

/* p 2^k for any k in t with |k| <= 2100: p 2^k1 is exact and the second
 * product rounds once (subnormal) or overflows. */
static inline double scale_split(double p, double t)
{
	const uint64_t ki = asu64(t) - asu64(MAGIC);
	const uint64_t k1 = (uint64_t)((int64_t)ki >> 1);

	return p * asd((k1 << 52) + 0x3ff0000000000000u) *
	       asd(((ki - k1) << 52) + 0x3ff0000000000000u);
}

/* |x| <= 708: 2^k and the result are normal */
static inline double exp_fast1(double x)
{
	double t;
	const double p = exp_core(x, 0.0, &t);

	return p * pow2k(t);
}

static inline double exp_full1(double x)
{
	double t;

	x = x > 710.0 ? 710.0 : x; /* NaN stays NaN */
	x = x < -746.0 ? -746.0 : x;
	const double p = exp_core(x, 0.0, &t);

	return scale_split(p, t);
}

BLOCKED(exp, ~SIGN, 0, asu64(708.0))

/* ---- sigmoid -------------------------------------------------------- */

/*
 * e = exp(-|x|); y = num / (1 + e), num = 1 for x >= 0 and e otherwise.
 * 1 + e is formed exactly as dh + dl and one correction step removes the
 * rounding of the quotient.
 */
static inline double sigm_tail(double x, double e)
{
	const double dh = 1.0 + e;
	const double dl = (1.0 - dh) + e;
	const double num = x >= 0.0 ? 1.0 : e;
	const double inv = 1.0 / dh;
	const double y0 = num * inv;
	const double res = fma(-y0, dl, fma(-y0, dh, num));

	return fma(res, inv, y0);
}

static inline double sigmoid_fast1(double x)
{
	double t;
	const double p = exp_core(-fabs(x), 0.0, &t);

	return sigm_tail(x, p * pow2k(t));
}

static inline double sigmoid_full1(double x)
{
	double a = fabs(x), t;

	a = a > 746.0 ? 746.0 : a; /* NaN stays NaN */
	const double p = exp_core(-a, 0.0, &t);

	return sigm_tail(x, scale_split(p, t));
}

BLOCKED(sigmoid, ~SIGN, 0, asu64(708.0))

/* ---- tanh ----------------------------------------------------------- */

/*
 * tanh a = m / (m + 2), m = e^2a - 1 = (2^k - 1) + 2^k (rh + tl) kept as
 * a head-tail pair; the division is corrected like sigmoid's.  tanh
 * rounds to 1 for a > 19.1.
 */
static inline double tanh1(double x)
{
	double a = fabs(x);

	a = a > 20.0 ? 20.0 : a; /* NaN stays NaN */
	const double z = 2.0 * a;
	const double t = fma(z, LOG2E, MAGIC);
	const double k = t - MAGIC;
	const double rh = fma(k, -LN2HI, z);
	const double rl = k * -LN2LO;
	const double r = rh + rl;
	const double tl = fma(r * r, expq(r), rl);
	const double s = pow2k(t);
	const double A = s - 1.0, B = s * rh;
	const double m0 = A + B; /* |A| >= |B| or A = 0 */
	const double m1 = ((A - m0) + B) + s * tl;
	/* renormalise: the correction below needs |ml| << |mh| */
	const double mh = m0 + m1;
	const double ml = (m0 - mh) + m1;
	/* den = m + 2 as dh + dl */
	const double big = mh > 2.0 ? mh : 2.0, small = mh > 2.0 ? 2.0 : mh;
	const double dh = big + small;
	const double dl = ((big - dh) + small) + ml;
	const double inv = 1.0 / dh;
	const double q0 = mh * inv;
	const double res = fma(-q0, dh, mh) + (ml - q0 * dl);

	return withsign(fma(res, inv, q0), x);
}

SIMPLE(tanh, tanh1)

/* ---- log, log2, log10 ----------------------------------------------- */

#define LOG2E_LO 0x1.777d0ffda0d24p-56
#define L10_2HI 0x1.34413509f7800p-2 /* 42 bits */
#define L10_2LO 0x1.fef311f12b358p-46
#define LOG10E 0x1.bcb7b1526e50ep-2
#define LOG10E_LO 0x1.95355baaafad3p-57

/*
 * x = 2^k z, z in [sqrt(1/2), sqrt(2)), f = z - 1, s = f/(2+f):
 * log1p f = f - f^2/2 + s (f^2/2 + R), R = s^2 l(s^2).  Returns log1p f
 * as hi + *lo (relative error about 2^-58) and k in *kp.
 */
static inline double log_core(double x, double *lo, double *kp)
{
	const uint64_t ix = asu64(x);
	const uint64_t tmp = ix - 0x3fe6a09e667f3bcdu;
	const double k = (double)((int64_t)tmp >> 52);
	const double z = asd(ix - (tmp & 0xfff0000000000000u));
	const double f = z - 1.0;
	const double s = f / (2.0 + f);
	const double u = s * s;
	double l = 0x1.0db93935d7c3bp-3;

	l = fma(l, u, 0x1.0f9372bd3ee27p-3);
	l = fma(l, u, 0x1.3b1ddeae921d4p-3);
	l = fma(l, u, 0x1.745cf0f251128p-3);
	l = fma(l, u, 0x1.c71c7215528bdp-3);
	l = fma(l, u, 0x1.249249246b239p-2);
	l = fma(l, u, 0x1.9999999999a88p-2);
	l = fma(l, u, 0x1.5555555555555p-1);
	const double f2 = f * f, f2l = fma(f, f, -f2);
	const double hh = 0.5 * f2;
	const double hi = f - hh;

	*lo = (((f - hi) - hh) - 0.5 * f2l) + s * (hh + u * l);
	*kp = k;
	return hi;
}

/* positive normal finite: bits - 2^-1022 <= DBL_MAX - 2^-1022 */
#define POSNORM_OFF 0x0010000000000000u
#define POSNORM_MAX 0x7fdfffffffffffffu

/* Subnormals are scaled by 2^54; zero, negatives, Inf and NaN get a
 * harmless argument and are replaced by logsel(). */
static inline double logarg(double x, double *kadj)
{
	const int sub = x < 0x1p-1022;

	*kadj = sub ? -54.0 : 0.0;
	x = sub ? x * 0x1p54 : x;
	return x > 0.0 && x < INFINITY ? x : 1.0;
}

static inline double logsel(double x, double y)
{
	y = x == INFINITY ? INFINITY : y;
	y = x == 0.0 ? -INFINITY : y;
	y = x < 0.0 ? NAN : y;
	return x != x ? x : y;
}

/* k ln2 + (hi + lo) */
static inline double log_fin(double hi, double lo, double k)
{
	const double kh = k * LN2HI, kl = k * LN2LO;
	const double s = kh + hi; /* |kh| >= |hi| unless k = 0 */

	return s + (((kh - s) + hi) + (kl + lo));
}

/* k + (hi + lo) / ln2 */
static inline double log2_fin(double hi, double lo, double k)
{
	const double ph = hi * LOG2E;
	const double pl = fma(hi, LOG2E, -ph) + (hi * LOG2E_LO + lo * LOG2E);
	const double s = k + ph;

	return s + (((k - s) + ph) + pl);
}

/* k log10(2) + (hi + lo) log10(e) */
static inline double log10_fin(double hi, double lo, double k)
{
	const double ph = hi * LOG10E;
	const double pl = fma(hi, LOG10E, -ph) + (hi * LOG10E_LO + lo * LOG10E);
	const double kh = k * L10_2HI, kl = k * L10_2LO;
	const double s = kh + ph;

	return s + (((kh - s) + ph) + (kl + pl));
}

#define LOGFN(name, fin)                                                       \
	static inline double name##_fast1(double x)                            \
	{                                                                      \
		double lo, k;                                                  \
		const double hi = log_core(x, &lo, &k);                        \
		return fin(hi, lo, k);                                         \
	}                                                                      \
	static inline double name##_full1(double x)                            \
	{                                                                      \
		double lo, k, ka;                                              \
		const double hi = log_core(logarg(x, &ka), &lo, &k);           \
		return logsel(x, fin(hi, lo, k + ka));                         \
	}                                                                      \
	BLOCKED(name, ~(uint64_t)0, POSNORM_OFF, POSNORM_MAX)

LOGFN(log, log_fin)
LOGFN(log2, log2_fin)
LOGFN(log10, log10_fin)

/* ---- sqrt, rsqrt ---------------------------------------------------- */

/* Correctly rounded by the instruction; vectorised only under
 * -fno-math-errno (see vmath_f32.c). */
static inline double sqrt1(double x)
{
	return __builtin_sqrt(x);
}

SIMPLE(sqrt, sqrt1)

/*
 * Three Newton steps from a bit-pattern guess reach 2^-34; a last step
 * with the residual 1 - x r^2 computed exactly (fma) brings the error to
 * half an ulp plus a little.  Subnormals are scaled by 2^108.
 */
static inline double rsqrt1(double x)
{
	const int sub = x < 0x1p-1022;
	double d = sub ? x * 0x1p108 : x;

	d = d > 0.0 && d < INFINITY ? d : 1.0;
	double r = asd(0x5fe6eb50c7b537a9u - (asu64(d) >> 1));
	const double h = 0.5 * d;

	r = r * fma(-h * r, r, 1.5);
	r = r * fma(-h * r, r, 1.5);
	r = r * fma(-h * r, r, 1.5);
	const double p = d * r, pl = fma(d, r, -p);
	const double e = fma(-p, r, 1.0) - pl * r;

	r = fma(0.5 * r, e, r);
	r = sub ? r * 0x1p54 : r;
	r = x == INFINITY ? 0.0 : r;
	r = x == 0.0 ? withsign(INFINITY, x) : r;
	r = x < 0.0 ? NAN : r;
	return x != x ? x : r;
}

SIMPLE(rsqrt, rsqrt1)

/* ---- sin, cos, tan -------------------------------------------------- */

#define TWO_OVER_PI 0x1.45f306dc9c883p-1
#define PIO2_1 0x1.921fb54442d18p+0
#define PIO2_2 0x1.1a62633145c07p-54
#define PIO2_3 -0x1.f1976b7ed8fbcp-110
#define TRIG_LIM 0x1p30

/*
 * x = k pi/2 + (rh + rl), |rh| <= pi/4 + tiny.  x - k PIO2_1 is exact
 * for |x| <= 2^30 (multiples of 2^-53 below 1); k PIO2_2 is split
 * exactly by fma and subtracted with 2Sum, so the reduced argument is
 * good to about 2^-100 absolute.
 */
static inline double trig_reduce(double x, double *rlo, uint64_t *q)
{
	const double t = fma(x, TWO_OVER_PI, MAGIC);
	const double k = t - MAGIC;
	const double r1 = fma(-k, PIO2_1, x);
	const double w = k * PIO2_2, wl = fma(k, PIO2_2, -w);
	const double rh = r1 - w;
	const double bb = rh - r1;
	const double e1 = (r1 - (rh - bb)) + (-w - bb);
	const double rl = (e1 - wl) - k * PIO2_3;
	const double hi = rh + rl;

	*rlo = (rh - hi) + rl;
	*q = asu64(t);
	return hi;
}

/* sin(rh + rl) = rh + tail */
static inline double sin_tail(double rh, double rl)
{
	const double u = rh * rh;
	double s = -0x1.ab16256fea695p-41;

	s = fma(s, u, 0x1.61217c312dc3ep-33);
	s = fma(s, u, -0x1.ae64540f2bcdep-26);
	s = fma(s, u, 0x1.71de3a545e82ep-19);
	s = fma(s, u, -0x1.a01a01a019927p-13);
	s = fma(s, u, 0x1.1111111111110p-7);
	s = fma(s, u, -0x1.5555555555555p-3);
	return fma(rh * u, s, fma(-0.5 * u, rl, rl));
}

/* cos(rh + rl) = *hi + tail, *hi = 1 - rh^2/2 rounded */
static inline double cos_tail(double rh, double rl, double *hi)
{
	const double u = rh * rh, ul = fma(rh, rh, -u);
	const double hu = 0.5 * u;
	const double w = 1.0 - hu;
	double c = -0x1.907c1fbf1823fp-37;

	c = fma(c, u, 0x1.1eeb66d0c5483p-29);
	c = fma(c, u, -0x1.27e4fa15d91fap-22);
	c = fma(c, u, 0x1.a01a019f4d267p-16);
	c = fma(c, u, -0x1.6c16c16c16960p-10);
	c = fma(c, u, 0x1.5555555555555p-5);
	*hi = w;
	return (((1.0 - w) - hu) - 0.5 * ul) + fma(u * u, c, -rh * rl);
}

static inline double sin1(double x)
{
	double rl, ch;
	uint64_t q;
	const double rh = trig_reduce(x, &rl, &q);
	const double st = sin_tail(rh, rl), ct = cos_tail(rh, rl, &ch);
	const double y = q & 1 ? ch + ct : rh + st;

	/* the sums lose the sign of -0 */
	return x == 0.0 ? x : asd(asu64(y) ^ ((q & 2) << 62));
}

static inline double cos1(double x)
{
	double rl, ch;
	uint64_t q;
	const double rh = trig_reduce(x, &rl, &q);
	const double st = sin_tail(rh, rl), ct = cos_tail(rh, rl, &ch);
	const double y = q & 1 ? rh + st : ch + ct;

	return asd(asu64(y) ^ (((q + 1) & 2) << 62));
}

/* tan = sin/cos (or -cos/sin) from the head-tail pairs, with one
 * correction step on the quotient. */
static inline double tan1(double x)
{
	double rl, ch;
	uint64_t q;
	const double rh = trig_reduce(x, &rl, &q);
	const double st = sin_tail(rh, rl), ct = cos_tail(rh, rl, &ch);
	const int odd = q & 1;
	/* renormalised sin = sh + sl and cos = chh + cl: the quotient
	 * correction needs tails far below the heads */
	const double sh = rh + st, sl = (rh - sh) + st;
	const double chh = ch + ct, cl = (ch - chh) + ct;
	const double nh = odd ? -chh : sh, nl = odd ? -cl : sl;
	const double dh = odd ? sh : chh, dl = odd ? sl : cl;
	const double inv = 1.0 / dh;
	const double q0 = nh * inv;
	const double res = fma(-q0, dh, nh) + (nl - q0 * dl);

	return x == 0.0 ? x : fma(res, inv, q0);
}

#define TRIG(name, kern, libm)                                                 \
	static void name##_loop(double *dst, const double *src, size_t n)      \
	{                                                                      \
		for (size_t i = 0; i < n; i++)                                 \
			dst[i] = kern(src[i]);                                 \
	}                                                                      \
	void vm_##name##_f64(double *dst, const double *src, size_t n)         \
	{                                                                      \
		double tmp[BLK];                                               \
                                                                               \
		for (size_t i = 0; i < n; i += BLK) {                          \
			const size_t m = n - i < BLK ? n - i : BLK;            \
			if (maxoff(src + i, m, ~SIGN, 0) <= asu64(TRIG_LIM)) { \
				name##_loop(dst + i, src + i, m);              \
				continue;                                      \
			}                                                      \
			memcpy(tmp, src + i, m * sizeof *tmp);                 \
			name##_loop(dst + i, tmp, m);                          \
			for (size_t j = 0; j < m; j++)                         \
				if (fabs(tmp[j]) > TRIG_LIM &&                 \
				    fabs(tmp[j]) < INFINITY)                   \
					dst[i + j] = libm(tmp[j]);             \
		}                                                              \
	}

TRIG(sin, sin1, sin)
TRIG(cos, cos1, cos)
TRIG(tan, tan1, tan)

/* ---- pow ------------------------------------------------------------ */

/*
 * log x = k ln2 + log1p f as hi + lo to about 2^-66 relative (x positive
 * normal, k gets kadj added): s = f/(2+f), the term f^2/2 and the
 * leading (2/3) s^2 of R are carried exactly, the rest of the series
 * (a 2^-9 relative part) in plain double.
 */
static inline double log_dd(double x, double kadj, double *lo)
{
	const uint64_t ix = asu64(x);
	const uint64_t tmp = ix - 0x3fe6a09e667f3bcdu;
	const double k = (double)((int64_t)tmp >> 52) + kadj;
	const double z = asd(ix - (tmp & 0xfff0000000000000u));
	const double f = z - 1.0;
	/* s = sh + sl */
	const double Dh = 2.0 + f, Dl = (2.0 - Dh) + f;
	const double inv = 1.0 / Dh;
	const double sh = f * inv;
	const double sl = (fma(-sh, Dh, f) - sh * Dl) * inv;
	/* u = s^2 = uh + ul; R = (2/3) u + u^2 m(u) = Rh + Rl */
	const double uh = sh * sh;
	const double ul = fma(sh, sh, -uh) + 2.0 * sh * sl;
	double m = 0x1.09fdef3a3f5c4p-3;

	m = fma(m, uh, 0x1.0ff8297786dbfp-3);
	m = fma(m, uh, 0x1.3b19bba35cedap-3);
	m = fma(m, uh, 0x1.745d0644a0be6p-3);
	m = fma(m, uh, 0x1.c71c71dddd656p-3);
	m = fma(m, uh, 0x1.249249248c94fp-2);
	m = fma(m, uh, 0x1.99999999999a1p-2);
	const double c1 = 0x1.5555555555555p-1, c1l = 0x1.5555555555555p-55;
	const double Rh = c1 * uh;
	const double Rl = fma(c1, uh, -Rh) + (c1l * uh + c1 * ul) + uh * uh * m;
	/* f^2/2 = hh + hl */
	const double f2 = f * f;
	const double hh = 0.5 * f2, hl = 0.5 * fma(f, f, -f2);
	/* V = f^2/2 + R, T = s V */
	const double Vh = hh + Rh;
	const double Vl = ((hh - Vh) + Rh) + (hl + Rl);
	const double Th = sh * Vh;
	const double Tl = fma(sh, Vh, -Th) + (sh * Vl + sl * Vh);
	/* log1p f = f - f^2/2 + T */
	const double Ah = f - hh;
	const double Al = ((f - Ah) - hh) - hl;
	const double Bh = Ah + Th;
	const double Bl = ((Ah - Bh) + Th) + (Al + Tl);
	/* + k ln2 */
	const double Kh = k * LN2HI;
	const double Lh = Kh + Bh;
	const double Ll = ((Kh - Lh) + Bh) + (k * LN2LO + Bl);
	const double hi = Lh + Ll;

	*lo = (Lh - hi) + Ll;
	return hi;
}

/*
 * |a|^b = exp(b log|a|) with b log|a| as a head-tail pair: the log error
 * (2^-66 relative) costs under 0.1 ulp even at overflow size, and
 * exp_core takes the tail.  Annex F special cases by selects.
 */
static inline double pow1(double a, double b)
{
	const double aa = fabs(a), ab = fabs(b);
	const double as = aa < 0x1p-1022 ? aa * 0x1p54 : aa;
	const double kadj = aa < 0x1p-1022 ? -54.0 : 0.0;
	double ll;
	double lh = log_dd(as > 0.0 && as < INFINITY ? as : 1.0, kadj, &ll);

	lh = aa == INFINITY || aa != aa ? aa : lh;
	lh = aa == 0.0 ? -INFINITY : lh;
	double eh = b * lh;
	double el = fma(b, lh, -eh) + b * ll;

	el = fabs(eh) < 1000.0 ? el : 0.0; /* Inf - Inf */
	eh = eh > 710.0 ? 710.0 : eh;	   /* NaN stays NaN */
	eh = eh < -746.0 ? -746.0 : eh;
	double t;
	const double p = exp_core(eh, el, &t);
	double y = scale_split(p, t);

	/* |b| >= 2^52 is an integer, >= 2^53 even; Inf is even */
	const double rb = (ab + 0x1p52) - 0x1p52;
	const uint64_t isint = (uint64_t)(ab >= 0x1p52) | (rb == ab);
	const uint64_t odd = ab < 0x1p52 ? asu64(ab + 0x1p52) & 1 :
					   (uint64_t)(ab < 0x1p53) & asu64(ab);
	const uint64_t neg = asu64(a) >> 63;

	/* bitwise operators: no short-circuit control flow in the loop */
	y = neg & isint & odd ? -y : y;
	y = (uint64_t)(a < 0.0) & (a > -INFINITY) & ~isint ? NAN : y;
	y = ((uint64_t)(a == -1.0) & (ab == INFINITY)) | (a == 1.0) |
			    (b == 0.0) ?
		    1.0 :
		    y;
	return y;
}

void vm_pow_f64(double *dst, const double *a, const double *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = pow1(a[i], b[i]);
}

/* ---- atan2 ---------------------------------------------------------- */

#define PIO4_HI 0x1.921fb54442d18p-1
#define PIO4_LO 0x1.1a62633145c07p-55

/*
 * t = min/max of |y|, |x|; for t > tan(pi/8), atan t = pi/4 +
 * atan((t-1)/(t+1)).  The quotient u is formed with its rounding error
 * (exact sums, corrected division), and R = m pi/4 + sg atan(u) is
 * summed head first; the sign comes from y.
 */
static inline double atan2_1(double y, double x)
{
	double ay = fabs(y), ax = fabs(x);
	const int both_inf = ay == INFINITY && ax == INFINITY;

	ay = both_inf ? 1.0 : ay;
	ax = both_inf ? 1.0 : ax;
	const int swap = ay > ax;
	double mn = swap ? ax : ay, mx = swap ? ay : ax;
	/* keep mn + mx finite and the residuals below out of the
	 * subnormal range (they are 2^-53 of the numerator) */
	const double sc = mx > 0x1p1020 ? 0x1p-4 :
					  (mx < 0x1p-900 ? 0x1p200 : 1.0);

	mn *= sc;
	mx *= sc;
	const double ns = mn < 0x1p-800 ? 0x1p200 : 1.0;
	const int big = mn > 0x1.a827999fcef32p-2 * mx;
	const double dfh = mn - mx, dfl = ((-mx) - dfh) + mn;
	const double smh = mx + mn, sml = (mx - smh) + mn;
	const double nh = big ? dfh : mn * ns, nl = big ? dfl : 0.0;
	const double dh = big ? smh : mx, dl = big ? sml : 0.0;
	const double inv = 1.0 / dh;
	double u = nh * inv;
	double ul = (fma(-u, dh, nh) + (nl - u * dl)) * inv;

	/* dh = 0: atan2(0, 0) or NaN; dh = Inf: the residual is NaN */
	u = dh == 0.0 ? nh : (big ? u : u / ns);
	ul = dh == 0.0 ? 0.0 : (big ? ul : ul / ns);
	ul = dh == INFINITY ? 0.0 : ul;
	const double w = u * u;
	double p = 0x1.0b731add89ad6p-6;

	p = fma(p, w, -0x1.1b7f772afa9cbp-5);
	p = fma(p, w, 0x1.74fcd8bd81d9ep-5);
	p = fma(p, w, -0x1.ac81c0a32139bp-5);
	p = fma(p, w, 0x1.e19b1b86b0444p-5);
	p = fma(p, w, -0x1.110e94339b876p-4);
	p = fma(p, w, 0x1.3b1393921b4c6p-4);
	p = fma(p, w, -0x1.745d1664bde91p-4);
	p = fma(p, w, 0x1.c71c71c32a0a5p-4);
	p = fma(p, w, -0x1.249249248db37p-3);
	p = fma(p, w, 0x1.9999999999957p-3);
	p = fma(p, w, -0x1.5555555555555p-2);
	/* atan(u + ul) = u + tau */
	const double tau = fma(u * w, p, fma(-ul, w, ul));

	double m = swap ? (big ? 1.0 : 2.0) : (big ? 1.0 : 0.0);
	double sg = swap ? -1.0 : 1.0;
	const int xneg = (int)(asu64(x) >> 63);

	m = xneg ? 4.0 - m : m;
	sg = xneg ? -sg : sg;
	const double mh = m * PIO4_HI;
	const double S = fma(sg, u, mh); /* |mh| >= |u| unless m = 0 */
	const double e = (mh - S) + sg * u;
	const double R = S + (e + fma(sg, tau, m * PIO4_LO));

	return withsign(R, y);
}

void vm_atan2_f64(double *dst, const double *y, const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = atan2_1(y[i], x[i]);
}

/* ---- erf ------------------------------------------------------------ */

/*
 * |x| < 0.875: erf x = x + x e(x^2).  Above: erf x = 1 - e^(-x^2) g(x),
 * g a polynomial in x - c on [0.875, 2), [2, 3.5) and [3.5, 6] (fitted
 * to minimise the error of erfc, below 2^-57), whose coefficients are
 * picked per element; e^(-x^2) takes x^2 as an exact head-tail pair.
 * erf rounds to 1 beyond 5.93.
 */
#define G3(a, b, c) (hi2 ? (c) : (hi1 ? (b) : (a)))

static inline double erf1(double x)
{
	double a = fabs(x);

	a = a > 6.0 ? 6.0 : a; /* NaN stays NaN */
	const double u = a * a, ul = fma(a, a, -u);
	double e = -0x1.dc9f96b81d0dap-31;

	e = fma(e, u, 0x1.e54e0e9ba25f9p-27);
	e = fma(e, u, -0x1.5dd0832b23249p-23);
	e = fma(e, u, 0x1.b9c1221487e00p-20);
	e = fma(e, u, -0x1.f4d01d5edba22p-17);
	e = fma(e, u, 0x1.f9a31006adb97p-14);
	e = fma(e, u, -0x1.c02db3658a71bp-11);
	e = fma(e, u, 0x1.565bcd0bd44cfp-8);
	e = fma(e, u, -0x1.b82ce3127ba39p-6);
	e = fma(e, u, 0x1.ce2f21a0429c0p-4);
	e = fma(e, u, -0x1.812746b0379e5p-2);
	e = fma(e, u, 0x1.06eba8214db69p-3);
	const double small = fma(a, e, a);

	const int hi1 = a >= 2.0, hi2 = a >= 3.5;
	const double v = a - G3(1.4375, 2.75, 4.75);
	double g = G3(-0x1.43bdd8df2ad4dp-24, 0.0, 0.0);

	g = fma(g, v, G3(0x1.fb7ef7065980fp-23, 0.0, 0.0));
	g = fma(g, v, G3(-0x1.927289b0be534p-21, -0x1.88b83aac6b104p-27, 0.0));
	g = fma(g, v, G3(0x1.5dfb115651223p-19, 0x1.101966aa19ed9p-25, 0.0));
	g = fma(g, v, G3(-0x1.24e053fea8a8ep-17, -0x1.1182fe295c02bp-23, 0.0));
	g = fma(g, v, G3(0x1.d9c4b2a7d6a0bp-16, 0x1.292a2d0f0950fp-21, 0.0));
	g = fma(g, v,
		G3(-0x1.73772cff274bbp-14, -0x1.2df3f701d8abbp-19,
		   -0x1.3001bad580c68p-23));
	g = fma(g, v,
		G3(0x1.198a1174925d5p-12, 0x1.2bf18be3743dbp-17,
		   -0x1.bc5934bbd3e0ap-23));
	g = fma(g, v,
		G3(-0x1.9b4f132479a0bp-11, -0x1.2311d7fab9534p-15,
		   -0x1.f94c5685176c7p-20));
	g = fma(g, v,
		G3(0x1.209579cd3997bp-9, 0x1.131bd86b38d2cp-13,
		   0x1.609498062ea33p-18));
	g = fma(g, v,
		G3(-0x1.835e05aa1c8a1p-8, -0x1.f99e42aef83afp-12,
		   -0x1.172862aa5d3dep-15));
	g = fma(g, v,
		G3(0x1.eedbaf5dbb8abp-7, 0x1.c2c72f63637cap-10,
		   0x1.6c74d9e3dab68p-13));
	g = fma(g, v,
		G3(-0x1.2ae454cdd313ep-5, -0x1.84e9ab330ad14p-8,
		   -0x1.dc19de1ccfa57p-11));
	g = fma(g, v,
		G3(0x1.528b08cb6235bp-4, 0x1.43b98bacb4744p-6,
		   0x1.317c5a7311d08p-8));
	g = fma(g, v,
		G3(-0x1.63698e1f5ae10p-3, -0x1.030578132ee2fp-4,
		   -0x1.811497ee27183p-6));
	g = fma(g, v,
		G3(0x1.5416a05961e1cp-2, 0x1.8c9eb68ff2798p-3,
		   0x1.dc603a4c251a1p-4));
	double t;
	const double p = exp_core(-u, -ul, &t);
	const double large = fma(-(p * pow2k(t)), g, 1.0);

	return withsign(a < 0.875 ? small : large, x);
}

SIMPLE(erf, erf1)
