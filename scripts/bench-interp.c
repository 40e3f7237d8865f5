/*
 * bench-interp.c - interpreted kernels against native C loops, in memory,
 * on one thread, measured back to back (A/B interleaved, median of R);
 * then the time atlas-compile takes per kernel.
 *
 *   scripts/bench-interp [ELEMENTS] [REPEATS]
 *
 * For sigmoid and vector_add over ELEMENTS f32 values (default 64 Mi), it
 * prints ns per element of the bundled kernels compiled from the kernel
 * language (share/atlas/kernels/NAME.json, built by make), of the same
 * kernels written by hand in assembly (test/fixtures/programs/NAME.s)
 * and of native loops built -O3 -march=native, the ratios compiled/hand
 * (the target is at most 1.1) and hand/native, and ns per
 * instruction-lane of the hand-written kernel (its time over elements
 * times the instructions each lane executes).  "native" sigmoid uses the
 * same vectorised exp as the interpreter (the fastest C we have); "libm"
 * calls expf per element, as plain C code does.
 *
 * The compile times are the median and the largest of 50 compilations
 * (atlas_compile: parse, lower, verify) of each .py in
 * share/atlas/kernels.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <dirent.h>
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

static char *slurp(const char *path, size_t *len)
{
	struct atlas_error err = {0};
	char *text;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || atlas_read_all(fd, 1 << 20, &text, len, &err)) {
		perror(path);
		exit(1);
	}
	close(fd);
	return text;
}

static struct atlas_program *load(const char *path)
{
	struct atlas_error err = {0};
	struct atlas_program *p = NULL;
	size_t len;
	char *text = slurp(path, &len);

	if (atlas_program_parse(text, len, ATLAS_FORMAT_AUTO, &p, &err)) {
		fprintf(stderr, "%s:%zu:%zu: %s (run make first)\n", path,
			err.line, err.col, err.msg);
		exit(1);
	}
	free(text);
	return p;
}

/* Run p over n lanes: its arrays are bufs in order, its scalars n (the
   compiled kernels' guard). */
static void run(struct atlas_engine *e, struct atlas_program *p, float **bufs,
		size_t n)
{
	struct atlas_arg args[8];
	struct atlas_launch l = atlas_launch_linear(n, 256);
	struct atlas_error err = {0};
	size_t np = atlas_program_param_count(p), k = 0;

	memset(args, 0, sizeof args);
	for (size_t i = 0; i < np && i < 8; i++) {
		struct atlas_param_info pi;

		atlas_program_param(p, i, &pi);
		if (pi.kind == ATLAS_PARAM_SCALAR) {
			args[i].bits = n;
			continue;
		}
		args[i].view.data = bufs[k++];
		args[i].view.size = n * sizeof(float);
	}
	if (atlas_engine_run(e, p, &l, args, np, &err)) {
		fprintf(stderr, "run: %s\n", err.msg);
		exit(1);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Median and largest time of 50 compilations of each bundled .py. */
static void bench_compile(void)
{
	const char *dir = "share/atlas/kernels";
	DIR *d = opendir(dir);
	struct dirent *de;
	char *names[256];
	int n = 0;

	if (!d) {
		perror(dir);
		exit(1);
	}
	while ((de = readdir(d)) && n < 256) {
		size_t k = strlen(de->d_name);

		if (k > 3 && strcmp(de->d_name + k - 3, ".py") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	printf("\ncompile time (atlas_compile), 50 runs each\n");
	printf("%-18s %10s %10s %8s\n", "kernel", "median ms", "max ms",
	       "insns");
	for (int i = 0; i < n; i++) {
		char path[512];
		double t[50], worst = 0;
		size_t len, count = 0, insns = 0;
		char *text;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		text = slurp(path, &len);
		for (int r = 0; r < 50; r++) {
			struct atlas_program **v;
			struct atlas_error err = {0};
			double t0 = now();

			if (atlas_compile(text, len, ATLAS_SOURCE_PYTHON, &v,
					  &count, &err)) {
				fprintf(stderr, "%s:%zu:%zu: %s\n", path,
					err.line, err.col, err.msg);
				exit(1);
			}
			t[r] = (now() - t0) * 1e3;
			worst = t[r] > worst ? t[r] : worst;
			insns = atlas_program_length(v[0]);
			atlas_programs_free(v, count);
		}
		printf("%-18.*s %10.3f %10.3f %8zu\n",
		       (int)strlen(names[i]) - 3, names[i], median(t, 50),
		       worst, insns);
		free(text);
		free(names[i]);
	}
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : (size_t)64 << 20;
	int R = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 7;
	float *x = aligned_alloc(64, n * 4), *y = aligned_alloc(64, n * 4),
	      *z = aligned_alloc(64, n * 4);
	double t_hand_sig[64], t_comp_sig[64], t_nat_sig[64], t_libm[64],
		t_hand_add[64], t_comp_add[64], t_nat_add[64];
	struct atlas_engine *e = atlas_engine_new(NULL, NULL);
	struct atlas_program *hsig = load("test/fixtures/programs/sigmoid.s");
	struct atlas_program *hadd =
		load("test/fixtures/programs/vector_add.s");
	struct atlas_program *csig = load("share/atlas/kernels/sigmoid.json");
	struct atlas_program *cadd =
		load("share/atlas/kernels/vector_add.json");
	/* instructions each lane executes (straight-line kernels) */
	double sig_ins = (double)atlas_program_length(hsig);
	double add_ins = (double)atlas_program_length(hadd);

	if (R > 64)
		R = 64;
	for (size_t i = 0; i < n; i++)
		x[i] = (float)((double)(i % 20000) / 1000.0 - 10.0);
	memset(y, 0, n * 4);
	memset(z, 0, n * 4);
	/* warm-up */
	run(e, hsig, (float *[]){x, y}, n);
	run(e, csig, (float *[]){x, y}, n);
	native_sigmoid(z, x, n);
	for (int r = 0; r < R; r++) {
		double t0 = now();
		run(e, hsig, (float *[]){x, y}, n);
		double t1 = now();
		run(e, csig, (float *[]){x, y}, n);
		double t2 = now();
		native_sigmoid(z, x, n);
		double t3 = now();
		native_sigmoid_libm(z, x, n);
		double t4 = now();
		run(e, hadd, (float *[]){x, z, y}, n);
		double t5 = now();
		run(e, cadd, (float *[]){x, z, y}, n);
		double t6 = now();
		native_add(y, x, z, n);
		double t7 = now();
		t_hand_sig[r] = (t1 - t0) / n * 1e9;
		t_comp_sig[r] = (t2 - t1) / n * 1e9;
		t_nat_sig[r] = (t3 - t2) / n * 1e9;
		t_libm[r] = (t4 - t3) / n * 1e9;
		t_hand_add[r] = (t5 - t4) / n * 1e9;
		t_comp_add[r] = (t6 - t5) / n * 1e9;
		t_nat_add[r] = (t7 - t6) / n * 1e9;
	}
	double hs = median(t_hand_sig, R), cs = median(t_comp_sig, R),
	       ns = median(t_nat_sig, R), lm = median(t_libm, R),
	       ha = median(t_hand_add, R), ca = median(t_comp_add, R),
	       na = median(t_nat_add, R);
	printf("elements %zu, repeats %d, 1 thread, medians (ns/element)\n",
	       n, R);
	printf("%-12s %9s %9s %9s %9s %9s %13s\n", "kernel", "compiled",
	       "hand", "native", "comp/hand", "hand/nat", "ns/insn-lane");
	printf("%-12s %9.3f %9.3f %9.3f %9.3f %9.3f %13.4f\n", "sigmoid", cs,
	       hs, ns, cs / hs, hs / ns, hs / sig_ins);
	printf("%-12s %9.3f %9.3f %9.3f %9.3f %9.3f %13.4f\n", "sigmoid/libm",
	       cs, hs, lm, cs / hs, hs / lm, hs / sig_ins);
	printf("%-12s %9.3f %9.3f %9.3f %9.3f %9.3f %13.4f\n", "vector_add",
	       ca, ha, na, ca / ha, ha / na, ha / add_ins);
	atlas_program_free(hsig);
	atlas_program_free(hadd);
	atlas_program_free(csig);
	atlas_program_free(cadd);
	atlas_engine_free(e);
	free(x);
	free(y);
	free(z);
	bench_compile();
	return 0;
}
