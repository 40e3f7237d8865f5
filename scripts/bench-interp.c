/*
 * bench-interp.c - interpreted kernels against native C loops, in memory,
 * on one thread, measured back to back (A/B interleaved, median of R).
 *
 *   scripts/bench-interp [ELEMENTS] [REPEATS]
 *
 * For sigmoid and vector_add over ELEMENTS f32 values (default 64 Mi), it
 * prints ns per element of the interpreted kernel (share/atlas/kernels)
 * and of native loops built -O3 -march=native, the ratio, and ns per
 * instruction-lane (the interpreted time over elements times the
 * instructions each lane executes).  "native" sigmoid uses the same
 * vectorised exp as the interpreter (the fastest C we have); "libm" calls
 * expf per element, as plain C code does.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "atlas.h"
#include "vmath.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

__attribute__((noinline)) static void native_sigmoid_libm(float *y,
							  const float *x,
							  size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = 1.0f / (1.0f + expf(-x[i]));
}

__attribute__((noinline)) static void native_sigmoid(float *y, const float *x,
						     size_t n)
{
	vm_sigmoid_f32(y, x, n);
}

__attribute__((noinline)) static void native_add(float *c, const float *a,
						 const float *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c[i] = a[i] + b[i];
}

static struct atlas_program *load(const char *path)
{
	struct atlas_error err = {0};
	struct atlas_program *p = NULL;
	char *text;
	size_t len;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || atlas_read_all(fd, 1 << 20, &text, &len, &err)) {
		perror(path);
		exit(1);
	}
	close(fd);
	if (atlas_program_parse(text, len, ATLAS_FORMAT_AUTO, &p, &err)) {
		fprintf(stderr, "%s:%zu:%zu: %s\n", path, err.line, err.col,
			err.msg);
		exit(1);
	}
	free(text);
	return p;
}

static void run(struct atlas_engine *e, struct atlas_program *p, float **bufs,
		int nbufs, size_t n)
{
	struct atlas_arg args[3];
	struct atlas_launch l = atlas_launch_linear(n, 256);
	struct atlas_error err = {0};

	memset(args, 0, sizeof args);
	for (int i = 0; i < nbufs; i++) {
		args[i].view.data = bufs[i];
		args[i].view.size = n * sizeof(float);
	}
	if (atlas_engine_run(e, p, &l, args, nbufs, &err)) {
		fprintf(stderr, "run: %s\n", err.msg);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : (size_t)64 << 20;
	int R = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 7;
	float *x = aligned_alloc(64, n * 4), *y = aligned_alloc(64, n * 4),
	      *z = aligned_alloc(64, n * 4);
	double t_int_sig[64], t_nat_sig[64], t_libm[64], t_int_add[64],
		t_nat_add[64];
	struct atlas_engine *e = atlas_engine_new(NULL, NULL);
	struct atlas_program *sig = load("share/atlas/kernels/sigmoid.s");
	struct atlas_program *add = load("share/atlas/kernels/vector_add.s");
	/* instructions each lane executes (straight-line kernels) */
	double sig_ins = (double)atlas_program_length(sig);
	double add_ins = (double)atlas_program_length(add);

	if (R > 64)
		R = 64;
	for (size_t i = 0; i < n; i++)
		x[i] = (float)((double)(i % 20000) / 1000.0 - 10.0);
	memset(y, 0, n * 4);
	memset(z, 0, n * 4);
	/* warm-up */
	run(e, sig, (float *[]){x, y}, 2, n);
	native_sigmoid(z, x, n);
	for (int r = 0; r < R; r++) {
		double t0 = now();
		run(e, sig, (float *[]){x, y}, 2, n);
		double t1 = now();
		native_sigmoid(z, x, n);
		double t2 = now();
		native_sigmoid_libm(z, x, n);
		double t3 = now();
		run(e, add, (float *[]){x, z, y}, 3, n);
		double t4 = now();
		native_add(y, x, z, n);
		double t5 = now();
		t_int_sig[r] = (t1 - t0) / n * 1e9;
		t_nat_sig[r] = (t2 - t1) / n * 1e9;
		t_libm[r] = (t3 - t2) / n * 1e9;
		t_int_add[r] = (t4 - t3) / n * 1e9;
		t_nat_add[r] = (t5 - t4) / n * 1e9;
	}
	double is = median(t_int_sig, R), ns = median(t_nat_sig, R),
	       lm = median(t_libm, R), ia = median(t_int_add, R),
	       na = median(t_nat_add, R);
	printf("elements %zu, repeats %d, 1 thread, medians (ns/element)\n",
	       n, R);
	printf("%-12s %10s %10s %8s %14s\n", "kernel", "interp", "native",
	       "ratio", "ns/insn-lane");
	printf("%-12s %10.3f %10.3f %8.3f %14.4f\n", "sigmoid", is, ns, is / ns,
	       is / sig_ins);
	printf("%-12s %10.3f %10.3f %8.3f %14.4f\n", "sigmoid/libm", is, lm,
	       is / lm, is / sig_ins);
	printf("%-12s %10.3f %10.3f %8.3f %14.4f\n", "vector_add", ia, na,
	       ia / na, ia / add_ins);
	atlas_program_free(sig);
	atlas_program_free(add);
	atlas_engine_free(e);
	free(x);
	free(y);
	free(z);
	return 0;
}
