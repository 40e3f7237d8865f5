/*
 * t-kernels.c - every bundled kernel (share/atlas/kernels/NAME.json, built
 * by make from NAME.py) gives the right numbers: run on the engine
 * directly, over whole buffers, and compared with a reference computed
 * here in double precision (exactly, or within the accuracy atlas-isa(7)
 * and atlas-run(1) state).  The guard scalar is tested too: lanes past
 * it write nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "bits.h"
#include "files.h"
#include "tap.h"

#define KDIR "share/atlas/kernels"
#define MAXP 10

static struct atlas_engine *eng;

/* An argument: an f32 array of n elements, or a scalar's bits. */
struct karg {
	float *f;
	size_t n;
	uint64_t bits;
};

static struct atlas_program *load(const char *name)
{
	char path[256];
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};
	size_t len;
	char *text;

	snprintf(path, sizeof path, "%s/%s.json", KDIR, name);
	text = slurp(path, &len);
	if (!text) {
		diag("%s: cannot read (run make first)", path);
		return NULL;
	}
	if (atlas_program_parse(text, len, ATLAS_FORMAT_JSON, &p, &err))
		diag("%s:%zu:%zu: %s", path, err.line, err.col, err.msg);
	free(text);
	return p;
}

/* Run kernel name over lanes lanes with the arguments a; 0 or -1. */
static int run(const char *name, size_t lanes, const struct karg *a)
{
	struct atlas_program *p = load(name);
	struct atlas_arg args[MAXP];
	struct atlas_launch l = atlas_launch_linear(lanes, 256);
	struct atlas_error err = {0};
	size_t np;
	int rc = -1;

	if (!p)
		return -1;
	np = atlas_program_param_count(p);
	memset(args, 0, sizeof args);
	for (size_t i = 0; i < np && i < MAXP; i++) {
		args[i].view.data = a[i].f;
		args[i].view.size = a[i].n * sizeof(float);
		args[i].bits = a[i].bits;
	}
	if (atlas_engine_run(eng, p, &l, args, np, &err) == ATLAS_OK)
		rc = 0;
	else
		diag("%s: %s", name, err.msg);
	atlas_program_free(p);
	return rc;
}

/* A scalar argument: the bits of u32 v or of f32 v. */
static struct karg u32arg(uint32_t v)
{
	return (struct karg){NULL, 0, v};
}

static struct karg f32arg(float v)
{
	return (struct karg){NULL, 0, asu32(v)};
}

static uint32_t seed = 12345;

/* n floats in [lo, hi) from a fixed LCG (malloc'd). */
static float *gen(size_t n, double lo, double hi)
{
	float *v = calloc(n ? n : 1, sizeof *v);

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		v[i] = (float)(lo + (hi - lo) * (seed >> 8) / 16777216.0);
	}
	return v;
}

/* n small integers in [lo, hi] as floats: every sum of them is exact. */
static float *gen_int(size_t n, int lo, int hi)
{
	float *v = gen(n, lo, hi + 1);

	for (size_t i = 0; i < n; i++)
		v[i] = floorf(v[i]);
	return v;
}

/* Distance in units in the last place; NaN matches NaN only. */
static uint32_t ulps(float a, float b)
{
	int64_t x = (int32_t)asu32(a), y = (int32_t)asu32(b);

	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b) ? 0 : UINT32_MAX;
	x = x < 0 ? INT32_MIN - x : x;
	y = y < 0 ? INT32_MIN - y : y;
	return (uint32_t)(x > y ? x - y : y - x);
}

/* got[i] within max ulp of want[i] (or within rel of it) for all i. */
static int close_to(const char *what, const float *got, const double *want,
		    size_t n, uint32_t max, double rel)
{
	for (size_t i = 0; i < n; i++) {
		const float w = (float)want[i];

		if (ulps(got[i], w) <= max ||
		    fabs(got[i] - want[i]) <= rel * fabs(want[i]))
			continue;
		diag("%s: element %zu: got %.9g, want %.9g", what, i, got[i],
		     want[i]);
		return 0;
	}
	return 1;
}

/* ---- element-wise kernels ------------------------------------------------ */

static double bin_ref(const char *k, double a, double b)
{
	if (!strcmp(k, "vector_add"))
		return a + b;
	if (!strcmp(k, "vector_sub"))
		return a - b;
	if (!strcmp(k, "vector_mul"))
		return a * b;
	if (!strcmp(k, "vector_div"))
		return a / b;
	if (!strcmp(k, "vector_min"))
		return a < b ? a : b;
	if (!strcmp(k, "vector_max"))
		return a > b ? a : b;
	return pow(a, b);
}

static void binary(const char *k, uint32_t max)
{
	const size_t n = 5000, lanes = 5200, guard = 4900;
	const int p = !strcmp(k, "vector_pow");
	float *a = p ? gen(n, 0.5, 4) : gen(n, -100, 100);
	float *b = p ? gen(n, -3, 3) : gen(n, -100, 100);
	float *c = calloc(n, sizeof *c);
	double *w = calloc(n, sizeof *w);
	const struct karg args[] = {
		{a, n, 0}, {b, n, 0}, {c, n, 0}, u32arg((uint32_t)guard)};
	int good;

	for (size_t i = 0; i < guard; i++)
		w[i] = (float)bin_ref(k, a[i], b[i]);
	/* more lanes than the guard: the rest write nothing */
	good = run(k, lanes, args) == 0 && close_to(k, c, w, n, max, 0);
	ok(good, "%s: c = a op b within %u ulp, nothing past the guard", k,
	   max);
	free(a);
	free(b);
	free(c);
	free(w);
}

static double un_ref(const char *k, double x)
{
	static const struct {
		const char *name;
		double (*fn)(double);
	} fns[] = {{"vector_abs", fabs},
		   {"vector_sqrt", sqrt},
		   {"exp", exp},
		   {"log", log},
		   {"sin", sin},
		   {"cos", cos},
		   {"tanh_activation", tanh}};

	for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
		if (!strcmp(k, fns[i].name))
			return fns[i].fn(x);
	if (!strcmp(k, "vector_neg"))
		return -x;
	if (!strcmp(k, "vector_rsqrt"))
		return 1 / sqrt(x);
	if (!strcmp(k, "sigmoid"))
		return 1 / (1 + exp(-x));
	if (!strcmp(k, "relu"))
		return x > 0 ? x : 0;
	return x / 2 * (1 + erf(x / sqrt(2))); /* gelu */
}

static void unary(const char *k, double lo, double hi, uint32_t max, double rel)
{
	const size_t n = 4099;
	float *a = gen(n, lo, hi), *b = calloc(n, sizeof *b);
	double *w = calloc(n, sizeof *w);
	const struct karg args[] = {{a, n, 0}, {b, n, 0}, u32arg(n)};

	for (size_t i = 0; i < n; i++)
		w[i] = un_ref(k, a[i]);
	ok(run(k, n, args) == 0 && close_to(k, b, w, n, max, rel),
	   "%s on [%g, %g): within %u ulp", k, lo, hi, max);
	free(a);
	free(b);
	free(w);
}

/* relu: NaN and -0.0 give +0.0, as the original's "if value > 0.0". */
static void relu_special(void)
{
	float a[] = {NAN, -0.0f, 0.0f, -INFINITY, INFINITY, 1e-45f, -1e-45f};
	const size_t n = sizeof a / sizeof *a;
	float b[sizeof a / sizeof *a];
	const uint32_t want[] = {0, 0, 0, 0, 0x7f800000, 1, 0};
	const struct karg args[] = {{a, n, 0}, {b, n, 0}, u32arg(n)};
	int good = run("relu", n, args) == 0;

	for (size_t i = 0; i < n && good; i++)
		good = asu32(b[i]) == want[i];
	ok(good, "relu: NaN, -0.0, -inf give +0.0; inf, subnormals pass");
}

/* ---- reductions ---------------------------------------------------------- */

static void reductions(void)
{
	const size_t n = 10007;
	float *a = gen_int(n, -8, 8), *b = gen_int(n, -8, 8);
	float r[2] = {0, 0};
	double dot = 0, sum = 0;
	struct karg args[] = {{a, n, 0}, {b, n, 0}, {r, 2, 0}, u32arg(n)};

	for (size_t i = 0; i < n; i++) {
		dot += (double)a[i] * b[i];
		sum += a[i];
	}
	ok(run("vector_dot", n, args) == 0 && r[0] == dot && r[1] == 0,
	   "vector_dot: result[0] = sum of a*b (%g), exactly", dot);
	r[0] = 0;
	args[1] = (struct karg){r, 2, 0};
	args[2] = u32arg(n);
	ok(run("vector_sum", n, args) == 0 && r[0] == sum && r[1] == 0,
	   "vector_sum: result[0] = sum of a (%g), exactly", sum);
	free(a);
	free(b);
}

/* ---- matrices ------------------------------------------------------------ */

static void gemv(void)
{
	const uint32_t m = 37, n = 19, lda = 23;
	float *A = gen_int((size_t)m * lda, -4, 4), *x = gen_int(n, -4, 4);
	float y[37 + 3] = {0};
	double w[37 + 3] = {0};
	const struct karg args[] = {{A, (size_t)m * lda, 0},
				    {x, n, 0},
				    {y, m + 3, 0},
				    u32arg(m),
				    u32arg(n),
				    u32arg(lda)};

	for (uint32_t r = 0; r < m; r++)
		for (uint32_t j = 0; j < n; j++)
			w[r] += (double)A[r * lda + j] * x[j];
	ok(run("gemv_f32", m + 3, args) == 0 &&
		   close_to("gemv_f32", y, w, m + 3, 0, 0),
	   "gemv_f32: y = A x, %u x %u, lda %u, exactly", m, n, lda);
	free(A);
	free(x);
}

static void gemm(void)
{
	const uint32_t m = 7, n = 9, k = 5, lda = 6, ldb = 11, ldc = 10;
	float *A = gen_int(m * lda, -4, 4), *B = gen_int(k * ldb, -4, 4);
	float C[7 * 10] = {0};
	double w[7 * 10] = {0};
	const struct karg args[] = {{A, m * lda, 0}, {B, k * ldb, 0},
				    {C, m * ldc, 0}, u32arg(m),
				    u32arg(n),	     u32arg(k),
				    u32arg(lda),     u32arg(ldb),
				    u32arg(ldc)};

	for (uint32_t i = 0; i < m; i++)
		for (uint32_t j = 0; j < n; j++)
			for (uint32_t l = 0; l < k; l++)
				w[i * ldc + j] +=
					(double)A[i * lda + l] * B[l * ldb + j];
	ok(run("gemm_f32", m * n + 5, args) == 0 &&
		   close_to("gemm_f32", C, w, m * ldc, 0, 0),
	   "gemm_f32: C = A B, %u x %u x %u, padding untouched, exactly", m, n,
	   k);
	free(A);
	free(B);
}

static void layer_norm(void)
{
	const uint32_t P = 13, H = 32;
	float *in = gen(P * H, -10, 10), *g = gen(H, 0.5, 2),
	      *b = gen(H, -1, 1);
	float out[13 * 32];
	double w[13 * 32];
	const float eps = 1e-5f;
	const struct karg args[] = {{in, P * H, 0},  {g, H, 0}, {b, H, 0},
				    {out, P * H, 0}, u32arg(P), u32arg(H),
				    f32arg(eps)};

	for (uint32_t p = 0; p < P; p++) {
		double mean = 0, var = 0;

		for (uint32_t i = 0; i < H; i++)
			mean += in[p * H + i];
		mean /= H;
		for (uint32_t i = 0; i < H; i++)
			var += (in[p * H + i] - mean) * (in[p * H + i] - mean);
		var /= H;
		for (uint32_t i = 0; i < H; i++)
			w[p * H + i] = g[i] * (in[p * H + i] - mean) /
					       sqrt(var + eps) +
				       b[i];
	}
	ok(run("layer_norm", P, args) == 0 &&
		   close_to("layer_norm", out, w, P * H, 8, 2e-5),
	   "layer_norm: %u rows of %u, within 2e-5", P, H);
	free(in);
	free(g);
	free(b);
}

static void softmax(void)
{
	const uint32_t R = 17, C = 29;
	float *x = gen(R * C, -20, 20), y[17 * 29];
	double w[17 * 29];
	const struct karg args[] = {
		{x, R * C, 0}, {y, R * C, 0}, u32arg(R), u32arg(C)};

	/* a row of large numbers: exp would overflow without the max */
	for (uint32_t j = 0; j < C; j++)
		x[3 * C + j] = 80.0f + (float)j;
	for (uint32_t r = 0; r < R; r++) {
		double top = x[r * C], s = 0;

		for (uint32_t j = 1; j < C; j++)
			top = fmax(top, x[r * C + j]);
		for (uint32_t j = 0; j < C; j++)
			s += exp(x[r * C + j] - top);
		for (uint32_t j = 0; j < C; j++)
			w[r * C + j] = exp(x[r * C + j] - top) / s;
	}
	ok(run("softmax", R, args) == 0 &&
		   close_to("softmax", y, w, R * C, 8, 1e-5),
	   "softmax: %u rows of %u, large values too, within 1e-5", R, C);
	free(x);
}

int main(void)
{
	static const char *const bin[] = {"vector_add", "vector_sub",
					  "vector_mul", "vector_div",
					  "vector_min", "vector_max"};

	(void)fixtures_in; /* files.h: only slurp is used here */
	eng = atlas_engine_new(NULL, NULL);
	for (size_t i = 0; i < sizeof bin / sizeof *bin; i++)
		binary(bin[i], 0);
	binary("vector_pow", 4);
	unary("vector_abs", -100, 100, 0, 0);
	unary("vector_neg", -100, 100, 0, 0);
	unary("vector_sqrt", 0, 1e6, 0, 0);
	unary("vector_rsqrt", 1e-3, 1e6, 1, 0);
	unary("exp", -87, 88, 1, 0);
	unary("log", 1e-30, 1e30, 1, 0);
	unary("sin", -100, 100, 1, 0);
	unary("cos", -100, 100, 1, 0);
	unary("tanh_activation", -10, 10, 2, 0);
	unary("sigmoid", -30, 30, 2, 0);
	unary("relu", -100, 100, 0, 0);
	unary("gelu", -5.5, 6, 2, 0);
	relu_special();
	reductions();
	gemv();
	gemm();
	layer_norm();
	softmax();
	atlas_engine_free(eng);
	return done_testing();
}
