/*
 * t-vmath.c - accuracy and special values of the vmath array loops.
 *
 * Each function is swept over dense uniform ranges and random bit
 * patterns; the largest error in ulps against a reference is checked
 * against the bound stated in vmath.h.  float results are compared with
 * the double libm function, double results with the long double one.
 * Special values follow C99 Annex F.  The half-precision conversions are
 * checked on all 65536 patterns and against a table-based reference.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "vmath.h"

/* ---- helpers -------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static double u01(void)
{
	return (double)(rnd() >> 11) * 0x1p-53;
}

static float asf(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static uint32_t asu(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

static double asd(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof d);
	return d;
}

static uint64_t asu64(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	return u;
}

/* ulp of a float-rounded value near r (2^-149 at the bottom) */
static double ulp32(double r)
{
	int e;

	r = fabs(r);
	if (r < 0x1p-126)
		return 0x1p-149;
	frexp(r, &e);
	return ldexp(1.0, e - 24);
}

static long double ulp64(long double r)
{
	int e;

	r = fabsl(r);
	if (r < 0x1p-1022L)
		return 0x1p-1074L;
	frexpl(r, &e);
	return ldexpl(1.0L, e - 53);
}

#define BAD 1e9 /* error reported for a wrong special value */

/* error of y against the exact value r, in float ulps */
static double err32(float y, double r)
{
	if (isnan(r))
		return isnan(y) ? 0 : BAD;
	if (isnan(y))
		return BAD;
	if (fabs(r) > FLT_MAX) /* rounds to Inf or to FLT_MAX */
		return y == (float)r ? 0 : BAD;
	if (isinf(y))
		return BAD;
	if (r == 0 && y == 0 && !signbit(y) != !signbit(r))
		return BAD;
	return fabs((double)y - r) / ulp32(r);
}

static double err64(double y, long double r)
{
	if (isnan(r))
		return isnan(y) ? 0 : BAD;
	if (isnan(y))
		return BAD;
	if (fabsl(r) > DBL_MAX)
		return y == (double)r ? 0 : BAD;
	if (isinf(y))
		return BAD;
	if (r == 0 && y == 0 && !signbit(y) != !signbit(r))
		return BAD;
	return (double)(fabsl((long double)y - r) / ulp64(r));
}

/* ---- references ----------------------------------------------------- */

static double r32_exp(double x)
{
	return exp(x);
}
static double r32_log(double x)
{
	return log(x);
}
static double r32_log2(double x)
{
	return log2(x);
}
static double r32_log10(double x)
{
	return log10(x);
}
static double r32_sqrt(double x)
{
	return sqrt(x);
}
static double r32_rsqrt(double x)
{
	return 1.0 / sqrt(x);
}
static double r32_sin(double x)
{
	return sin(x);
}
static double r32_cos(double x)
{
	return cos(x);
}
static double r32_tan(double x)
{
	return tan(x);
}
static double r32_tanh(double x)
{
	return tanh(x);
}
static double r32_sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}
static double r32_erf(double x)
{
	return erf(x);
}
static double r32_floor(double x)
{
	return floor(x);
}
static double r32_ceil(double x)
{
	return ceil(x);
}
static double r32_round(double x)
{
	return round(x);
}

static long double r64_exp(long double x)
{
	return expl(x);
}
static long double r64_log(long double x)
{
	return logl(x);
}
static long double r64_log2(long double x)
{
	return log2l(x);
}
static long double r64_log10(long double x)
{
	return log10l(x);
}
static long double r64_sqrt(long double x)
{
	return sqrtl(x);
}
static long double r64_rsqrt(long double x)
{
	return 1.0L / sqrtl(x);
}
static long double r64_sin(long double x)
{
	return sinl(x);
}
static long double r64_cos(long double x)
{
	return cosl(x);
}
static long double r64_tan(long double x)
{
	return tanl(x);
}
static long double r64_tanh(long double x)
{
	return tanhl(x);
}
static long double r64_erf(long double x)
{
	return erfl(x);
}
static long double r64_floor(long double x)
{
	return floorl(x);
}
static long double r64_ceil(long double x)
{
	return ceill(x);
}
static long double r64_round(long double x)
{
	return roundl(x);
}

static long double r64_sigmoid(long double x)
{
	return 1.0L / (1.0L + expl(-x));
}

/* ---- unary sweeps --------------------------------------------------- */

/*
 * Input generators: uniform in [lo, hi]; log-uniform magnitudes
 * (random exponent between elo and ehi, random mantissa and sign, or
 * positive only); or any bit pattern.
 */
enum gen { UNIF, LOGU, LOGU_POS, BITS };

struct range {
	enum gen g;
	double lo, hi;
};

#define MAXR 4
#define NSWEEP 600000 /* values per range */

struct unary {
	const char *name;
	void (*f32)(float *, const float *, size_t);
	void (*f64)(double *, const double *, size_t);
	double (*r32)(double);
	long double (*r64)(long double);
	double tol32, tol64;
	struct range rg[MAXR];
};

static const struct unary U[] = {
	{"exp",
	 vm_exp_f32,
	 vm_exp_f64,
	 r32_exp,
	 r64_exp,
	 1,
	 1,
	 {{UNIF, -87.5, 87.5},
	  {UNIF, -110, 92},
	  {UNIF, -750, 712},
	  {BITS, 0, 0}}},
	{"log",
	 vm_log_f32,
	 vm_log_f64,
	 r32_log,
	 r64_log,
	 1,
	 1,
	 {{UNIF, 0.5, 2},
	  {LOGU_POS, -1075, 1024},
	  {UNIF, 0, 1e6},
	  {BITS, 0, 0}}},
	{"log2",
	 vm_log2_f32,
	 vm_log2_f64,
	 r32_log2,
	 r64_log2,
	 1,
	 1,
	 {{UNIF, 0.5, 2},
	  {LOGU_POS, -1075, 1024},
	  {UNIF, 0, 1e6},
	  {BITS, 0, 0}}},
	{"log10",
	 vm_log10_f32,
	 vm_log10_f64,
	 r32_log10,
	 r64_log10,
	 1,
	 2,
	 {{UNIF, 0.5, 2},
	  {LOGU_POS, -1075, 1024},
	  {UNIF, 0, 1e6},
	  {BITS, 0, 0}}},
	{"sqrt",
	 vm_sqrt_f32,
	 vm_sqrt_f64,
	 r32_sqrt,
	 r64_sqrt,
	 0.5,
	 0.5,
	 {{UNIF, 0, 4}, {LOGU_POS, -1075, 1024}, {BITS, 0, 0}}},
	{"rsqrt",
	 vm_rsqrt_f32,
	 vm_rsqrt_f64,
	 r32_rsqrt,
	 r64_rsqrt,
	 1,
	 1,
	 {{UNIF, 0, 4}, {LOGU_POS, -1075, 1024}, {BITS, 0, 0}}},
	{"sin",
	 vm_sin_f32,
	 vm_sin_f64,
	 r32_sin,
	 r64_sin,
	 1,
	 1,
	 {{UNIF, -10, 10}, {LOGU, -30, 30}, {UNIF, -1e6, 1e6}, {BITS, 0, 0}}},
	{"cos",
	 vm_cos_f32,
	 vm_cos_f64,
	 r32_cos,
	 r64_cos,
	 1,
	 1,
	 {{UNIF, -10, 10}, {LOGU, -30, 30}, {UNIF, -1e6, 1e6}, {BITS, 0, 0}}},
	{"tan",
	 vm_tan_f32,
	 vm_tan_f64,
	 r32_tan,
	 r64_tan,
	 2,
	 2,
	 {{UNIF, -10, 10}, {LOGU, -30, 30}, {UNIF, -1e6, 1e6}, {BITS, 0, 0}}},
	{"tanh",
	 vm_tanh_f32,
	 vm_tanh_f64,
	 r32_tanh,
	 r64_tanh,
	 2,
	 2,
	 {{UNIF, -1, 1}, {UNIF, -22, 22}, {LOGU, -80, 6}, {BITS, 0, 0}}},
	{"sigmoid",
	 vm_sigmoid_f32,
	 vm_sigmoid_f64,
	 r32_sigmoid,
	 r64_sigmoid,
	 2,
	 2,
	 {{UNIF, -87.5, 87.5},
	  {UNIF, -20, 20},
	  {UNIF, -760, 760},
	  {BITS, 0, 0}}},
	{"erf",
	 vm_erf_f32,
	 vm_erf_f64,
	 r32_erf,
	 r64_erf,
	 2,
	 2,
	 {{UNIF, -1, 1}, {UNIF, -6.5, 6.5}, {LOGU, -80, 3}, {BITS, 0, 0}}},
	{"floor",
	 vm_floor_f32,
	 vm_floor_f64,
	 r32_floor,
	 r64_floor,
	 0,
	 0,
	 {{UNIF, -100, 100}, {LOGU, -10, 60}, {BITS, 0, 0}}},
	{"ceil",
	 vm_ceil_f32,
	 vm_ceil_f64,
	 r32_ceil,
	 r64_ceil,
	 0,
	 0,
	 {{UNIF, -100, 100}, {LOGU, -10, 60}, {BITS, 0, 0}}},
	{"round",
	 vm_round_f32,
	 vm_round_f64,
	 r32_round,
	 r64_round,
	 0,
	 0,
	 {{UNIF, -100, 100}, {LOGU, -10, 60}, {BITS, 0, 0}}},
};

static double gen_value(const struct range *r, int f32)
{
	const uint64_t b = rnd();

	switch (r->g) {
	case UNIF:
		return r->lo + (r->hi - r->lo) * u01();
	case LOGU:
	case LOGU_POS: {
		const double e = floor(r->lo + (r->hi - r->lo) * u01());
		const double v = ldexp(1.0 + u01(), (int)e);
		return r->g == LOGU && (b & 1) ? -v : v;
	}
	case BITS:
		break;
	}
	return f32 ? (double)asf((uint32_t)b) : asd(b);
}

/*
 * n values of range r through the function; also runs them in place and
 * checks the results are the same.  Returns the largest error and the
 * worst input.
 */
static double sweep32(const struct unary *t, const struct range *r, float *x,
		      float *y, float *z, size_t n, float *worst)
{
	double me = 0;

	for (size_t i = 0; i < n; i++)
		z[i] = x[i] = (float)gen_value(r, 1);
	t->f32(y, x, n);
	t->f32(z, z, n);
	for (size_t i = 0; i < n; i++) {
		double e = err32(y[i], t->r32(x[i]));

		if (asu(y[i]) != asu(z[i]) && !(isnan(y[i]) && isnan(z[i])))
			e = BAD;
		if (e > me) {
			me = e;
			*worst = x[i];
		}
	}
	return me;
}

static double sweep64(const struct unary *t, const struct range *r, double *x,
		      double *y, double *z, size_t n, double *worst)
{
	double me = 0;

	for (size_t i = 0; i < n; i++)
		z[i] = x[i] = gen_value(r, 0);
	t->f64(y, x, n);
	t->f64(z, z, n);
	for (size_t i = 0; i < n; i++) {
		double e = err64(y[i], t->r64(x[i]));

		if (asu64(y[i]) != asu64(z[i]) && !(isnan(y[i]) && isnan(z[i])))
			e = BAD;
		if (e > me) {
			me = e;
			*worst = x[i];
		}
	}
	return me;
}

static void test_unary_sweeps(void)
{
	const size_t n = NSWEEP;
	float *xf = malloc(n * sizeof *xf), *yf = malloc(n * sizeof *yf);
	float *zf = malloc(n * sizeof *zf);
	double *xd = malloc(n * sizeof *xd), *yd = malloc(n * sizeof *yd);
	double *zd = malloc(n * sizeof *zd);

	if (!ok(xf && yf && zf && xd && yd && zd, "sweep buffers"))
		return;
	for (size_t t = 0; t < sizeof U / sizeof U[0]; t++) {
		double m32 = 0, m64 = 0, w64 = 0;
		float w32 = 0;

		for (int k = 0; k < MAXR; k++) {
			const struct range *r = &U[t].rg[k];
			float wf = 0;
			double wd = 0, e;

			if (k > 0 && r->g == UNIF && r->lo == 0 && r->hi == 0)
				break;
			/* f64 sweeps are a third the size: long double
			 * references are slower */
			e = sweep32(&U[t], r, xf, yf, zf, n, &wf);
			if (e > m32) {
				m32 = e;
				w32 = wf;
			}
			e = sweep64(&U[t], r, xd, yd, zd, n / 3, &wd);
			if (e > m64) {
				m64 = e;
				w64 = wd;
			}
			if (r->g == BITS)
				break;
		}
		if (!ok(m32 <= U[t].tol32, "%s_f32 max error %.3f ulp <= %g",
			U[t].name, m32, U[t].tol32))
			diag("worst input %a", (double)w32);
		if (!ok(m64 <= U[t].tol64, "%s_f64 max error %.3f ulp <= %g",
			U[t].name, m64, U[t].tol64))
			diag("worst input %a", w64);
	}
	free(xf);
	free(yf);
	free(zf);
	free(xd);
	free(yd);
	free(zd);
}

/* ---- special values ------------------------------------------------- */

struct special {
	const char *name;
	void (*f32)(float *, const float *, size_t);
	void (*f64)(double *, const double *, size_t);
	double x, want; /* want NAN: any NaN */
};

#define INF INFINITY

static const struct special S[] = {
	{"exp", vm_exp_f32, vm_exp_f64, NAN, NAN},
	{"exp", vm_exp_f32, vm_exp_f64, INF, INF},
	{"exp", vm_exp_f32, vm_exp_f64, -INF, 0},
	{"exp", vm_exp_f32, vm_exp_f64, 0, 1},
	{"exp", vm_exp_f32, vm_exp_f64, -0.0, 1},
	{"exp", vm_exp_f32, vm_exp_f64, 1000, INF},
	{"exp", vm_exp_f32, vm_exp_f64, -1000, 0},
	{"exp", vm_exp_f32, vm_exp_f64, 1e300, INF},
	{"exp", vm_exp_f32, vm_exp_f64, -1e300, 0},
	{"log", vm_log_f32, vm_log_f64, NAN, NAN},
	{"log", vm_log_f32, vm_log_f64, INF, INF},
	{"log", vm_log_f32, vm_log_f64, -INF, NAN},
	{"log", vm_log_f32, vm_log_f64, 0, -INF},
	{"log", vm_log_f32, vm_log_f64, -0.0, -INF},
	{"log", vm_log_f32, vm_log_f64, -1, NAN},
	{"log", vm_log_f32, vm_log_f64, -1e-40, NAN},
	{"log", vm_log_f32, vm_log_f64, 1, 0},
	{"log2", vm_log2_f32, vm_log2_f64, NAN, NAN},
	{"log2", vm_log2_f32, vm_log2_f64, INF, INF},
	{"log2", vm_log2_f32, vm_log2_f64, 0, -INF},
	{"log2", vm_log2_f32, vm_log2_f64, -0.0, -INF},
	{"log2", vm_log2_f32, vm_log2_f64, -2, NAN},
	{"log2", vm_log2_f32, vm_log2_f64, 1, 0},
	{"log2", vm_log2_f32, vm_log2_f64, 1024, 10},
	{"log2", vm_log2_f32, vm_log2_f64, 0x1p-140, -140},
	{"log10", vm_log10_f32, vm_log10_f64, NAN, NAN},
	{"log10", vm_log10_f32, vm_log10_f64, INF, INF},
	{"log10", vm_log10_f32, vm_log10_f64, 0, -INF},
	{"log10", vm_log10_f32, vm_log10_f64, -0.0, -INF},
	{"log10", vm_log10_f32, vm_log10_f64, -3, NAN},
	{"log10", vm_log10_f32, vm_log10_f64, 1, 0},
	{"log10", vm_log10_f32, vm_log10_f64, 1000, 3},
	{"sqrt", vm_sqrt_f32, vm_sqrt_f64, NAN, NAN},
	{"sqrt", vm_sqrt_f32, vm_sqrt_f64, INF, INF},
	{"sqrt", vm_sqrt_f32, vm_sqrt_f64, -INF, NAN},
	{"sqrt", vm_sqrt_f32, vm_sqrt_f64, -1, NAN},
	{"sqrt", vm_sqrt_f32, vm_sqrt_f64, 0, 0},
	{"sqrt", vm_sqrt_f32, vm_sqrt_f64, -0.0, -0.0},
	{"sqrt", vm_sqrt_f32, vm_sqrt_f64, 4, 2},
	{"rsqrt", vm_rsqrt_f32, vm_rsqrt_f64, NAN, NAN},
	{"rsqrt", vm_rsqrt_f32, vm_rsqrt_f64, INF, 0},
	{"rsqrt", vm_rsqrt_f32, vm_rsqrt_f64, -INF, NAN},
	{"rsqrt", vm_rsqrt_f32, vm_rsqrt_f64, -1, NAN},
	{"rsqrt", vm_rsqrt_f32, vm_rsqrt_f64, 0, INF},
	{"rsqrt", vm_rsqrt_f32, vm_rsqrt_f64, -0.0, -INF},
	{"rsqrt", vm_rsqrt_f32, vm_rsqrt_f64, 4, 0.5},
	{"rsqrt", vm_rsqrt_f32, vm_rsqrt_f64, 0x1p-140, 0x1p70},
	{"sin", vm_sin_f32, vm_sin_f64, NAN, NAN},
	{"sin", vm_sin_f32, vm_sin_f64, INF, NAN},
	{"sin", vm_sin_f32, vm_sin_f64, -INF, NAN},
	{"sin", vm_sin_f32, vm_sin_f64, 0, 0},
	{"sin", vm_sin_f32, vm_sin_f64, -0.0, -0.0},
	{"sin", vm_sin_f32, vm_sin_f64, -0x1p-140, -0x1p-140},
	{"cos", vm_cos_f32, vm_cos_f64, NAN, NAN},
	{"cos", vm_cos_f32, vm_cos_f64, INF, NAN},
	{"cos", vm_cos_f32, vm_cos_f64, -INF, NAN},
	{"cos", vm_cos_f32, vm_cos_f64, 0, 1},
	{"cos", vm_cos_f32, vm_cos_f64, -0.0, 1},
	{"tan", vm_tan_f32, vm_tan_f64, NAN, NAN},
	{"tan", vm_tan_f32, vm_tan_f64, INF, NAN},
	{"tan", vm_tan_f32, vm_tan_f64, -INF, NAN},
	{"tan", vm_tan_f32, vm_tan_f64, 0, 0},
	{"tan", vm_tan_f32, vm_tan_f64, -0.0, -0.0},
	{"tanh", vm_tanh_f32, vm_tanh_f64, NAN, NAN},
	{"tanh", vm_tanh_f32, vm_tanh_f64, INF, 1},
	{"tanh", vm_tanh_f32, vm_tanh_f64, -INF, -1},
	{"tanh", vm_tanh_f32, vm_tanh_f64, 0, 0},
	{"tanh", vm_tanh_f32, vm_tanh_f64, -0.0, -0.0},
	{"tanh", vm_tanh_f32, vm_tanh_f64, 1e30, 1},
	{"tanh", vm_tanh_f32, vm_tanh_f64, -0x1p-140, -0x1p-140},
	{"sigmoid", vm_sigmoid_f32, vm_sigmoid_f64, NAN, NAN},
	{"sigmoid", vm_sigmoid_f32, vm_sigmoid_f64, INF, 1},
	{"sigmoid", vm_sigmoid_f32, vm_sigmoid_f64, -INF, 0},
	{"sigmoid", vm_sigmoid_f32, vm_sigmoid_f64, 0, 0.5},
	{"sigmoid", vm_sigmoid_f32, vm_sigmoid_f64, -0.0, 0.5},
	{"sigmoid", vm_sigmoid_f32, vm_sigmoid_f64, 1e30, 1},
	{"sigmoid", vm_sigmoid_f32, vm_sigmoid_f64, -1e30, 0},
	{"erf", vm_erf_f32, vm_erf_f64, NAN, NAN},
	{"erf", vm_erf_f32, vm_erf_f64, INF, 1},
	{"erf", vm_erf_f32, vm_erf_f64, -INF, -1},
	{"erf", vm_erf_f32, vm_erf_f64, 0, 0},
	{"erf", vm_erf_f32, vm_erf_f64, -0.0, -0.0},
	{"erf", vm_erf_f32, vm_erf_f64, 10, 1},
	{"floor", vm_floor_f32, vm_floor_f64, NAN, NAN},
	{"floor", vm_floor_f32, vm_floor_f64, INF, INF},
	{"floor", vm_floor_f32, vm_floor_f64, -INF, -INF},
	{"floor", vm_floor_f32, vm_floor_f64, -0.0, -0.0},
	{"floor", vm_floor_f32, vm_floor_f64, 0.5, 0},
	{"floor", vm_floor_f32, vm_floor_f64, -0.5, -1},
	{"floor", vm_floor_f32, vm_floor_f64, -1e-30, -1},
	{"floor", vm_floor_f32, vm_floor_f64, 1e-30, 0},
	{"floor", vm_floor_f32, vm_floor_f64, -2.5, -3},
	{"floor", vm_floor_f32, vm_floor_f64, 8388607.5, 8388607},
	{"ceil", vm_ceil_f32, vm_ceil_f64, NAN, NAN},
	{"ceil", vm_ceil_f32, vm_ceil_f64, INF, INF},
	{"ceil", vm_ceil_f32, vm_ceil_f64, -INF, -INF},
	{"ceil", vm_ceil_f32, vm_ceil_f64, -0.0, -0.0},
	{"ceil", vm_ceil_f32, vm_ceil_f64, -0.5, -0.0},
	{"ceil", vm_ceil_f32, vm_ceil_f64, -1e-30, -0.0},
	{"ceil", vm_ceil_f32, vm_ceil_f64, 1e-30, 1},
	{"ceil", vm_ceil_f32, vm_ceil_f64, 2.5, 3},
	{"ceil", vm_ceil_f32, vm_ceil_f64, -8388607.5, -8388607},
	{"round", vm_round_f32, vm_round_f64, NAN, NAN},
	{"round", vm_round_f32, vm_round_f64, INF, INF},
	{"round", vm_round_f32, vm_round_f64, -INF, -INF},
	{"round", vm_round_f32, vm_round_f64, -0.0, -0.0},
	{"round", vm_round_f32, vm_round_f64, 0.5, 1},
	{"round", vm_round_f32, vm_round_f64, -0.5, -1},
	{"round", vm_round_f32, vm_round_f64, 1.5, 2},
	{"round", vm_round_f32, vm_round_f64, 2.5, 3},
	{"round", vm_round_f32, vm_round_f64, -2.5, -3},
	{"round", vm_round_f32, vm_round_f64, -0.25, -0.0},
	{"round", vm_round_f32, vm_round_f64, 0.49999997, 0},
	{"round", vm_round_f32, vm_round_f64, 0.49999999999999994, 0},
	{"round", vm_round_f32, vm_round_f64, 8388607.5, 8388608},
	{"round", vm_round_f32, vm_round_f64, 4503599627370495.5,
	 4503599627370496},
};

/* same value, same sign of zero, or both NaN */
static int same(double y, double want)
{
	if (isnan(want))
		return isnan(y);
	return y == want && !signbit(y) == !signbit(want);
}

static void test_specials(void)
{
	int bad32 = 0, bad64 = 0;

	for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
		/* in a block of ordinary values, so the general kernels
		 * run next to the fast ones */
		float xf[37], yf[37];
		double xd[37], yd[37];

		for (int j = 0; j < 37; j++) {
			xf[j] = 0.25f * (float)j;
			xd[j] = 0.25 * j;
		}
		xf[19] = (float)S[i].x;
		xd[19] = S[i].x;
		S[i].f32(yf, xf, 37);
		S[i].f64(yd, xd, 37);
		/* float inputs that round (0.49999997, 8388607.5, ...)
		 * are checked in double only */
		if ((double)xf[19] == S[i].x || isnan(S[i].x)) {
			if (!same(yf[19], (double)(float)S[i].want)) {
				diag("%s_f32(%a) = %a, want %a", S[i].name,
				     S[i].x, (double)yf[19], S[i].want);
				bad32++;
			}
		}
		if (!same(yd[19], S[i].want)) {
			diag("%s_f64(%a) = %a, want %a", S[i].name, S[i].x,
			     yd[19], S[i].want);
			bad64++;
		}
	}
	is_int(bad32, 0, "f32 special values");
	is_int(bad64, 0, "f64 special values");
}

/* Annex F values that a libm call gives exactly: overflow, underflow
 * and subnormal results of exp. */
static void test_exp_edges(void)
{
	static const float xf[] = {88.72283f,	88.72284f,   -87.33654f,
				   -87.33655f,	-103.27893f, -103.97207f,
				   -103.97208f, -100.5f,     -95.25f};
	static const double xd[] = {709.782712893384,
				    709.7827128933841,
				    -708.3964185322641,
				    -708.4,
				    -744.4400719213812,
				    -745.1332191019411,
				    -745.1332191019412,
				    -740.5,
				    -725.25};
	float yf[9];
	double yd[9];
	int bad = 0;

	vm_exp_f32(yf, xf, 9);
	vm_exp_f64(yd, xd, 9);
	for (int i = 0; i < 9; i++) {
		if (err32(yf[i], exp((double)xf[i])) > 1) {
			diag("exp_f32(%a) = %a", (double)xf[i], (double)yf[i]);
			bad++;
		}
		if (err64(yd[i], expl(xd[i])) > 1) {
			diag("exp_f64(%a) = %a", xd[i], yd[i]);
			bad++;
		}
	}
	is_int(bad, 0, "exp at the overflow and underflow edges");
}

/* ---- sin, cos, tan beyond the fast range ---------------------------- */

static void test_trig_large(void)
{
	enum { N = 3000 };
	float xf[N], sf[N], cf[N], tf[N];
	double xd[N], sd[N], cd[N], td[N];
	double m32 = 0, m64 = 0;

	for (int i = 0; i < N; i++) {
		/* all magnitudes up to the largest finite value */
		const double v = ldexp(1.0 + u01(), 20 + (int)(rnd() % 108));
		xf[i] = (float)(i & 1 ? -v : v);
		xd[i] = ldexp(1.0 + u01(), 25 + (int)(rnd() % 998));
		if (i % 7 == 0)
			xd[i] = 0x1p30 * (1.0 + 0x1p-40 * (i % 5));
	}
	vm_sin_f32(sf, xf, N);
	vm_cos_f32(cf, xf, N);
	vm_tan_f32(tf, xf, N);
	vm_sin_f64(sd, xd, N);
	vm_cos_f64(cd, xd, N);
	vm_tan_f64(td, xd, N);
	for (int i = 0; i < N; i++) {
		const double x = xf[i];
		m32 = fmax(m32, err32(sf[i], sin(x)));
		m32 = fmax(m32, err32(cf[i], cos(x)));
		m32 = fmax(m32, err32(tf[i], tan(x)) / 2);
		m64 = fmax(m64, err64(sd[i], sinl(xd[i])));
		m64 = fmax(m64, err64(cd[i], cosl(xd[i])));
		m64 = fmax(m64, err64(td[i], tanl(xd[i])) / 2);
	}
	ok(m32 <= 1, "sin/cos/tan_f32 large arguments: %.3f ulp", m32);
	ok(m64 <= 1, "sin/cos/tan_f64 large arguments: %.3f ulp", m64);
}

/* ---- pow, atan2 ----------------------------------------------------- */

static const double PV[] = {NAN,     INF,	 -INF,	 0.0,	   -0.0,
			    1.0,     -1.0,	 2.0,	 -2.0,	   0.5,
			    -0.5,    3.0,	 -3.0,	 2.5,	   -2.5,
			    1e300,   -1e300,	 1e-300, -1e-310,  0x1p53,
			    -0x1p53, 0x1p52 + 1, 1e-30,	 7.0,	   -7.0,
			    100.0,   0.75,	 -1e-5,	 0x1p-1074};
#define NPV (sizeof PV / sizeof PV[0])

/* every pair of special operands against libm (which follows Annex F) */
static void test_binary_specials(void)
{
	float af[NPV * NPV], bf[NPV * NPV], yf[NPV * NPV], zf[NPV * NPV];
	double ad[NPV * NPV], bd[NPV * NPV], yd[NPV * NPV], zd[NPV * NPV];
	int bad = 0;

	for (size_t i = 0; i < NPV; i++)
		for (size_t j = 0; j < NPV; j++) {
			ad[i * NPV + j] = PV[i];
			bd[i * NPV + j] = PV[j];
			af[i * NPV + j] = (float)PV[i];
			bf[i * NPV + j] = (float)PV[j];
		}
	vm_pow_f32(yf, af, bf, NPV * NPV);
	vm_pow_f64(yd, ad, bd, NPV * NPV);
	vm_atan2_f32(zf, af, bf, NPV * NPV);
	vm_atan2_f64(zd, ad, bd, NPV * NPV);
	for (size_t k = 0; k < NPV * NPV; k++) {
		const double pf = pow((double)af[k], (double)bf[k]);
		const double tf = atan2((double)af[k], (double)bf[k]);

		if (err32(yf[k], pf) > 1) {
			diag("pow_f32(%a, %a) = %a, want %a", (double)af[k],
			     (double)bf[k], (double)yf[k], pf);
			bad++;
		}
		if (err64(yd[k], powl(ad[k], bd[k])) > 1) {
			diag("pow_f64(%a, %a) = %a, want %a", ad[k], bd[k],
			     yd[k], pow(ad[k], bd[k]));
			bad++;
		}
		if (err32(zf[k], tf) > 1) {
			diag("atan2_f32(%a, %a) = %a, want %a", (double)af[k],
			     (double)bf[k], (double)zf[k], tf);
			bad++;
		}
		if (err64(zd[k], atan2l(ad[k], bd[k])) > 1) {
			diag("atan2_f64(%a, %a) = %a, want %a", ad[k], bd[k],
			     zd[k], atan2(ad[k], bd[k]));
			bad++;
		}
	}
	is_int(bad, 0, "pow and atan2 special operands (Annex F)");
}

static void gen_pair(int k, double *a, double *b)
{
	switch (k % 6) {
	case 0: /* any bits */
		*a = asd(rnd());
		*b = asd(rnd());
		break;
	case 1:
		*a = 4 * u01();
		*b = 200 * (u01() - 0.5);
		break;
	case 2: /* all magnitudes, moderate exponents */
		*a = ldexp(0.5 + u01(), (int)(rnd() % 400) - 200);
		*b = 10 * (u01() - 0.5);
		break;
	case 3: /* negative bases, integer exponents */
		*a = -floor(20 * u01());
		*b = floor(60 * (u01() - 0.5));
		break;
	case 4: /* near 1, large exponents: results near overflow */
		*a = 1 + (u01() - 0.5) * 0x1p-10;
		*b = ldexp(u01() - 0.5, 22);
		break;
	default:
		*a = 10 * (u01() - 0.5);
		*b = 10 * (u01() - 0.5);
		break;
	}
}

static void test_binary_sweeps(void)
{
	enum { N = 300000 };
	float *af = malloc(N * sizeof *af), *bf = malloc(N * sizeof *bf);
	float *yf = malloc(N * sizeof *yf), *zf = malloc(N * sizeof *zf);
	double *ad = malloc(N * sizeof *ad), *bd = malloc(N * sizeof *bd);
	double *yd = malloc(N * sizeof *yd), *zd = malloc(N * sizeof *zd);
	double mp32 = 0, mp64 = 0, ma32 = 0, ma64 = 0;

	if (!ok(af && bf && yf && zf && ad && bd && yd && zd,
		"binary sweep buffers"))
		return;
	for (int k = 0; k < N; k++) {
		gen_pair(k, &ad[k], &bd[k]);
		af[k] = (float)ad[k];
		bf[k] = (float)bd[k];
		if (k % 6 == 0) {
			af[k] = asf((uint32_t)rnd());
			bf[k] = asf((uint32_t)rnd());
		}
		if (k % 6 == 4) /* keep float results in range */
			bf[k] = (float)ldexp(u01() - 0.5, 16);
	}
	vm_pow_f32(yf, af, bf, N);
	vm_atan2_f32(zf, af, bf, N);
	vm_pow_f64(yd, ad, bd, N / 3);
	vm_atan2_f64(zd, ad, bd, N / 3);
	for (int k = 0; k < N; k++) {
		const double a = af[k], b = bf[k];

		mp32 = fmax(mp32, err32(yf[k], pow(a, b)));
		ma32 = fmax(ma32, err32(zf[k], atan2(a, b)));
		if (k < N / 3) {
			mp64 = fmax(mp64, err64(yd[k], powl(ad[k], bd[k])));
			ma64 = fmax(ma64, err64(zd[k], atan2l(ad[k], bd[k])));
		}
	}
	ok(mp32 <= 1, "pow_f32 max error %.3f ulp <= 1", mp32);
	ok(mp64 <= 1, "pow_f64 max error %.3f ulp <= 1", mp64);
	ok(ma32 <= 1, "atan2_f32 max error %.3f ulp <= 1", ma32);
	ok(ma64 <= 1, "atan2_f64 max error %.3f ulp <= 1", ma64);
	free(af);
	free(bf);
	free(yf);
	free(zf);
	free(ad);
	free(bd);
	free(yd);
	free(zd);
}

/* ---- half precision ------------------------------------------------- */

/* value of a binary16 pattern, computed independently of the library */
static double f16_value(uint16_t h)
{
	const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	const double s = h & 0x8000 ? -1.0 : 1.0;

	if (e == 31)
		return m ? NAN : s * INFINITY;
	if (e == 0)
		return s * ldexp(m, -24);
	return s * ldexp(1024 + m, e - 25);
}

/*
 * Reference rounding of a finite float to binary16: nearest of the two
 * neighbouring representable values (the 65504 + 16 boundary counts as
 * the next step, i.e. rounds to Inf), ties to the even pattern.
 */
static uint16_t f16_ref(float x)
{
	const double v = fabs((double)x);
	uint16_t lo = 0, hi = 0x7c00;

	/* largest pattern with value <= v (patterns are monotonic) */
	while (hi - lo > 1) {
		const uint16_t mid = (uint16_t)((lo + hi) / 2);
		if (f16_value(mid) <= v)
			lo = mid;
		else
			hi = mid;
	}
	if (f16_value(lo) == v)
		hi = lo;
	uint16_t r = lo;
	if (hi != lo) {
		const double up = hi == 0x7c00 ? 65520.0 : f16_value(hi);
		const double dl = v - f16_value(lo), du = up - v;
		r = du < dl || (du == dl && (hi & 1) == 0) ? hi : lo;
		if (hi == 0x7c00 && v < 65520.0)
			r = lo;
	}
	return (uint16_t)(r | (x < 0 || (x == 0 && signbit(x)) ? 0x8000 : 0));
}

static void test_f16(void)
{
	enum { N = 65536, M = 400000 };
	static uint16_t h[N], h2[N];
	static float f[N];
	int bad = 0;

	for (int i = 0; i < N; i++)
		h[i] = (uint16_t)i;
	vm_f16_to_f32(f, h, N);
	for (int i = 0; i < N; i++) {
		const double v = f16_value(h[i]);
		const int nan = isnan(v);
		if (nan ? !(isnan(f[i]) && (asu(f[i]) & 0x400000)) :
			  !same(f[i], v)) {
			if (bad++ < 5)
				diag("f16 %04x -> %a, want %a", i, (double)f[i],
				     v);
		}
	}
	is_int(bad, 0, "f16 to f32, all 65536 patterns");

	vm_f32_to_f16(h2, f, N);
	bad = 0;
	for (int i = 0; i < N; i++) {
		const int nan = ((i >> 10) & 0x1f) == 31 && (i & 0x3ff);
		/* NaN: same sign and top payload bits, quiet bit set */
		const int good = nan ? h2[i] == (i | 0x200) : h2[i] == i;
		if (!good && bad++ < 5)
			diag("f16 round trip %04x -> %04x", i, h2[i]);
	}
	is_int(bad, 0, "f16 -> f32 -> f16 round trip, all patterns");

	/* rounding: midpoints between neighbours (ties), one float ulp
	 * either side, and random floats of every magnitude */
	float *x = malloc(M * sizeof *x);
	uint16_t *y = malloc(M * sizeof *y);
	if (!ok(x && y, "f16 rounding buffers"))
		return;
	for (int i = 0; i < M; i++) {
		const int k = (int)(rnd() % 0x7bff);
		const float mid = (float)((f16_value((uint16_t)k) +
					   f16_value((uint16_t)(k + 1))) /
					  2);
		switch (i % 4) {
		case 0:
			x[i] = mid;
			break;
		case 1:
			x[i] = nextafterf(mid, (float)(i & 2 ? INFINITY : 0));
			break;
		case 2:
			x[i] = asf((uint32_t)rnd());
			break;
		default:
			x[i] = (float)ldexp(u01(), (int)(rnd() % 48) - 30);
			break;
		}
		if (i & 8)
			x[i] = -x[i];
	}
	x[0] = 65519.99f;
	x[1] = 65520.0f;
	x[2] = 0x1p-25f;
	x[3] = 0x1.000002p-25f;
	x[4] = 0x1.ffcp-15f;
	vm_f32_to_f16(y, x, M);
	bad = 0;
	for (int i = 0; i < M; i++) {
		uint16_t want;
		if (isnan(x[i]))
			want = (uint16_t)(((asu(x[i]) >> 16) & 0x8000) |
					  0x7e00 | ((asu(x[i]) >> 13) & 0x3ff));
		else if (isinf(x[i]))
			want = x[i] > 0 ? 0x7c00 : 0xfc00;
		else
			want = f16_ref(x[i]);
		if (y[i] != want && bad++ < 5)
			diag("f32 %a -> f16 %04x, want %04x", (double)x[i],
			     y[i], want);
	}
	is_int(bad, 0, "f32 to f16 rounding (ties to even, Inf, subnormals)");
	free(x);
	free(y);
}

static void test_bf16(void)
{
	enum { N = 65536, M = 400000 };
	static uint16_t h[N], h2[N];
	static float f[N];
	int bad = 0;

	for (int i = 0; i < N; i++)
		h[i] = (uint16_t)i;
	vm_bf16_to_f32(f, h, N);
	vm_f32_to_bf16(h2, f, N);
	for (int i = 0; i < N; i++) {
		const int nan = (i & 0x7fff) > 0x7f80;
		const int good = nan ? isnan(f[i]) && h2[i] == (i | 0x40) :
				       asu(f[i]) == (uint32_t)i << 16 &&
						 h2[i] == i;
		if (!good && bad++ < 5)
			diag("bf16 %04x -> %a -> %04x", i, (double)f[i], h2[i]);
	}
	is_int(bad, 0, "bf16 -> f32 -> bf16, all 65536 patterns");

	float *x = malloc(M * sizeof *x);
	uint16_t *y = malloc(M * sizeof *y);
	if (!ok(x && y, "bf16 rounding buffers"))
		return;
	for (int i = 0; i < M; i++) {
		uint32_t b = (uint32_t)rnd();
		if (i % 3 == 0) /* exact ties */
			b = (b & 0xffff0000u) | 0x8000u;
		x[i] = asf(b);
	}
	vm_f32_to_bf16(y, x, M);
	bad = 0;
	for (int i = 0; i < M; i++) {
		const uint32_t b = asu(x[i]);
		uint16_t want;
		if (isnan(x[i])) {
			want = (uint16_t)((b >> 16) | 0x40);
		} else {
			/* nearest of the truncated value and the next one
			 * up in magnitude, ties to even */
			const uint16_t lo = (uint16_t)(b >> 16);
			const double vl = fabs((double)asf((uint32_t)lo << 16));
			const double vh =
				(lo & 0x7fff) == 0x7f7f ?
					0x1p128 :
					fabs((double)asf((uint32_t)(lo + 1)
							 << 16));
			const double v = fabs((double)x[i]);
			const int up = v - vl > vh - v ||
				       (v - vl == vh - v && (lo & 1));
			want = (uint16_t)(up ? lo + 1 : lo);
		}
		if (y[i] != want && bad++ < 5)
			diag("f32 %a -> bf16 %04x, want %04x", (double)x[i],
			     y[i], want);
	}
	is_int(bad, 0, "f32 to bf16 rounding (ties to even)");
	free(x);
	free(y);
}

/* ---- odd lengths and in-place use ----------------------------------- */

static void test_lengths(void)
{
	static const size_t lens[] = {0,   1,	 7,    15,   16,  17,
				      511, 1023, 1024, 1025, 3000};
	float x[3000], y[3000], z[3000];
	int bad = 0;

	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		const size_t n = lens[k];
		for (size_t i = 0; i < 3000; i++)
			x[i] = y[i] = (float)(20 * (u01() - 0.5));
		if (n > 3)
			x[n / 2] = 200.0f; /* one block on the general path */
		memcpy(z, x, sizeof z);
		vm_sigmoid_f32(y, x, n);
		vm_sigmoid_f32(z, z, n);
		for (size_t i = 0; i < 3000; i++) {
			if (i < n && (err32(y[i], r32_sigmoid(x[i])) > 2 ||
				      y[i] != z[i]))
				bad++;
			if (i >= n && (y[i] != x[i] || z[i] != x[i]))
				bad++; /* wrote past the end */
		}
	}
	is_int(bad, 0, "lengths 0..3000, in place and out of place");
}

int main(void)
{
	test_specials();
	test_exp_edges();
	test_unary_sweeps();
	test_trig_large();
	test_binary_specials();
	test_binary_sweeps();
	test_f16();
	test_bf16();
	test_lengths();
	return done_testing();
}
