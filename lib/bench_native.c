/*
 * bench_native.c - the native C loops the kernels suite compares the
 * bundled kernels with: what a C programmer would write, built like the
 * library (-O3, this machine's vector units).  The transcendental ones
 * call the same vectorised math the interpreter's op loops use
 * (vmath.h), so that a ratio measures the interpreter and not two
 * different exp functions; the rest are plain loops.  Each computes what
 * its kernel's docstring says (share/atlas/kernels/NAME.py).
 */
#include <math.h>
#include <string.h>

#include "bench.h"
#include "vmath.h"

#define A(i) ((float *)arrays[i])
/* vmath's scratch: chunks small enough for the stack and L1 */
#define CHUNK 1024

#define UNARY_VM(fn, vm)                                                       \
	static void fn(void *const *arrays, size_t n, size_t k)                \
	{                                                                      \
		(void)k;                                                       \
		vm(A(1), A(0), n);                                             \
	}

UNARY_VM(n_sigmoid, vm_sigmoid_f32)
UNARY_VM(n_exp, vm_exp_f32)
UNARY_VM(n_log, vm_log_f32)
UNARY_VM(n_sin, vm_sin_f32)
UNARY_VM(n_cos, vm_cos_f32)
UNARY_VM(n_tanh, vm_tanh_f32)
UNARY_VM(n_sqrt, vm_sqrt_f32)
UNARY_VM(n_rsqrt, vm_rsqrt_f32)

#define UNARY(fn, expr)                                                        \
	static void fn(void *const *arrays, size_t n, size_t k)                \
	{                                                                      \
		const float *restrict a = A(0);                                \
		float *restrict b = A(1);                                      \
		(void)k;                                                       \
		for (size_t i = 0; i < n; i++)                                 \
			b[i] = (expr);                                         \
	}

UNARY(n_relu, a[i] > 0.0f ? a[i] : 0.0f)
UNARY(n_abs, fabsf(a[i]))
UNARY(n_neg, -a[i])

#define BINARY(fn, expr)                                                       \
	static void fn(void *const *arrays, size_t n, size_t k)                \
	{                                                                      \
		const float *restrict a = A(0), *restrict b = A(1);            \
		float *restrict c = A(2);                                      \
		(void)k;                                                       \
		for (size_t i = 0; i < n; i++)                                 \
			c[i] = (expr);                                         \
	}

BINARY(n_add, a[i] + b[i])
BINARY(n_sub, a[i] - b[i])
BINARY(n_mul, a[i] * b[i])
BINARY(n_div, a[i] / b[i])
BINARY(n_min, b[i] < a[i] ? b[i] : a[i])
BINARY(n_max, b[i] > a[i] ? b[i] : a[i])

static void n_pow(void *const *arrays, size_t n, size_t k)
{
	(void)k;
	vm_pow_f32(A(2), A(0), A(1), n);
}

/* result[0] += the sum, in order, as the kernel's atomics add. */
static void n_sum(void *const *arrays, size_t n, size_t k)
{
	const float *a = A(0);
	float s = A(1)[0];

	(void)k;
	for (size_t i = 0; i < n; i++)
		s += a[i];
	A(1)[0] = s;
}

static void n_dot(void *const *arrays, size_t n, size_t k)
{
	const float *a = A(0), *b = A(1);
	float s = A(2)[0];

	(void)k;
	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	A(2)[0] = s;
}

/* x Phi(x) in f64, as the kernel computes it. */
static void n_gelu(void *const *arrays, size_t n, size_t k)
{
	const float *a = A(0);
	float *b = A(1);
	double t[CHUNK];

	(void)k;
	for (size_t i = 0; i < n; i += CHUNK) {
		const size_t m = n - i < CHUNK ? n - i : CHUNK;

		for (size_t j = 0; j < m; j++)
			t[j] = (double)a[i + j] * 0.70710678118654752;
		vm_erf_f64(t, t, m);
		for (size_t j = 0; j < m; j++)
			b[i + j] =
				(float)(0.5 * (double)a[i + j] * (1.0 + t[j]));
	}
}

static void softmax_row(const float *x, float *y, size_t k)
{
	float top = x[0], total = 0;

	for (size_t j = 1; j < k; j++)
		top = x[j] > top ? x[j] : top;
	for (size_t j = 0; j < k; j++)
		y[j] = x[j] - top;
	vm_exp_f32(y, y, k);
	for (size_t j = 0; j < k; j++)
		total += y[j];
	for (size_t j = 0; j < k; j++)
		y[j] /= total;
}

static void n_softmax(void *const *arrays, size_t n, size_t k)
{
	for (size_t r = 0; k && r < n; r++)
		softmax_row(A(0) + r * k, A(1) + r * k, k);
}

static void norm_row(const float *x, const float *g, const float *b, float *y,
		     size_t k)
{
	float mean = 0, var = 0, inv;

	for (size_t i = 0; i < k; i++)
		mean += x[i];
	mean /= (float)k;
	for (size_t i = 0; i < k; i++)
		var += (x[i] - mean) * (x[i] - mean);
	var /= (float)k;
	inv = 1.0f / sqrtf(var + (float)BENCH_EPS);
	for (size_t i = 0; i < k; i++)
		y[i] = g[i] * (x[i] - mean) * inv + b[i];
}

static void n_layer_norm(void *const *arrays, size_t n, size_t k)
{
	for (size_t r = 0; k && r < n; r++)
		norm_row(A(0) + r * k, A(1), A(2), A(3) + r * k, k);
}

static const struct {
	const char *name;
	bench_native_fn fn;
} natives[] = {
	{"cos", n_cos},		 {"exp", n_exp},
	{"gelu", n_gelu},	 {"layer_norm", n_layer_norm},
	{"log", n_log},		 {"relu", n_relu},
	{"sigmoid", n_sigmoid},	 {"sin", n_sin},
	{"softmax", n_softmax},	 {"tanh_activation", n_tanh},
	{"vector_abs", n_abs},	 {"vector_add", n_add},
	{"vector_div", n_div},	 {"vector_dot", n_dot},
	{"vector_max", n_max},	 {"vector_min", n_min},
	{"vector_mul", n_mul},	 {"vector_neg", n_neg},
	{"vector_pow", n_pow},	 {"vector_rsqrt", n_rsqrt},
	{"vector_sqrt", n_sqrt}, {"vector_sub", n_sub},
	{"vector_sum", n_sum},
};

bench_native_fn bench_native_find(const char *name)
{
	for (size_t i = 0; i < sizeof natives / sizeof *natives; i++)
		if (strcmp(natives[i].name, name) == 0)
			return natives[i].fn;
	return NULL;
}
