/*
 * bench_blas.c - the blas suite: square f32 GEMM and GEMV called from
 * OpenBLAS directly (cblas_sgemm, cblas_sgemv) against the bundled
 * gemm_f32 and gemv_f32 kernels run through the engine, however the
 * engine runs them, A/B interleaved; and what share of the machine's
 * peak cblas_sgemm reaches.  OpenBLAS gets as many threads as the
 * engine, so that neither side has more of the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "bench.h"

static const unsigned gemm_full[] = {64, 256, 1024};
static const unsigned gemm_quick[] = {64, 128};
static const unsigned gemv_full[] = {256, 1024, 4096};
static const unsigned gemv_quick[] = {256, 1024};

struct blas_run {
	int gemv;
	int n;
	double ghz;	  /* the clock, measured once */
	float *a, *b, *c; /* A, B (gemv: x), C (gemv: y) */
	struct atlas_engine *e;
	const struct atlas_program *p;
	struct atlas_launch l;
	struct atlas_arg args[16];
	size_t np;
	const struct blas *blas; /* OpenBLAS, called directly */
};

static enum atlas_status run_cblas(void *arg, struct atlas_error *err)
{
	struct blas_run *r = arg;

	(void)err;
	if (r->gemv)
		r->blas->sgemv(CblasRowMajor, CblasNoTrans, r->n, r->n, 1.0f,
			       r->a, r->n, r->b, 1, 0.0f, r->c, 1);
	else
		r->blas->sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r->n,
			       r->n, r->n, 1.0f, r->a, r->n, r->b, r->n, 0.0f,
			       r->c, r->n);
	return ATLAS_OK;
}

static enum atlas_status run_kernel(void *arg, struct atlas_error *err)
{
	struct blas_run *r = arg;

	return atlas_engine_run(r->e, r->p, &r->l, r->args, r->np, err);
}

/* Bind r's arrays in order (A, B, C) and every scalar (m, n, k and the
   leading dimensions: all n for a square problem). */
static enum atlas_status bind_kernel(struct blas_run *r,
				     struct atlas_error *err)
{
	const uint64_t n = (uint64_t)r->n, nn = n * n;
	float *arr[3] = {r->a, r->b, r->c};
	const uint64_t len[3] = {nn, r->gemv ? n : nn, r->gemv ? n : nn};
	size_t k = 0;

	r->np = atlas_program_param_count(r->p);
	if (r->np > 16)
		return bench_fail(err, ATLAS_ERR_UNSUPPORTED,
				  "%s: unexpected parameters",
				  atlas_program_name(r->p));
	for (size_t i = 0; i < r->np; i++) {
		struct atlas_param_info pi;

		atlas_program_param(r->p, i, &pi);
		if (pi.kind == ATLAS_PARAM_SCALAR) {
			r->args[i].bits = n;
		} else if (k < 3 && pi.type == ATLAS_F32) {
			r->args[i].view =
				(struct atlas_view){arr[k], len[k] * 4, 0, 0};
			k++;
		} else {
			return bench_fail(err, ATLAS_ERR_UNSUPPORTED,
					  "%s: unexpected parameters",
					  atlas_program_name(r->p));
		}
	}
	r->l = atlas_launch_linear(r->gemv ? n : nn, ATLAS_STREAM_BLOCK);
	return ATLAS_OK;
}

/* The machine's clock in GHz: a chain of dependent adds (one a cycle),
   the best of ten short runs (a run another process interrupts only
   reads low); else /proc/cpuinfo; else 0. */
static double clock_ghz(void)
{
	double best = 0;
#if defined(__x86_64__)
	for (int k = 0; k < 10; k++) {
		const long iters = 100000;
		uint64_t x = 0;
		const double t0 = bench_now_ns();
		double g;

		for (long i = 0; i < iters; i++)
			__asm__ volatile(".rept 50\n\taddq $1, %0\n\t.endr"
					 : "+r"(x));
		g = (double)iters * 50 / (bench_now_ns() - t0);
		best = g > best ? g : best;
	}
#endif
	if (best <= 0) {
		FILE *f = fopen("/proc/cpuinfo", "r");
		char line[256];
		double mhz;

		while (f && fgets(line, sizeof line, f))
			if (sscanf(line, "cpu MHz : %lf", &mhz) == 1 &&
			    mhz / 1e3 > best)
				best = mhz / 1e3;
		if (f)
			fclose(f);
	}
	return best;
}

/* f32 FLOP per cycle and core: two FMA pipes of the widest vectors (AMD
   runs AVX-512 on 256-bit pipes). */
static unsigned flop_per_cycle(void)
{
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f"))
		return __builtin_cpu_is("amd") ? 32 : 64;
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return 32;
	if (__builtin_cpu_supports("avx"))
		return 16;
	return 8;
#else
	return 8;
#endif
}

static void emit_peak(struct bench_ctx *c, const struct bench_stat *s, int n,
		      double ghz)
{
	struct atlas_topo t;
	unsigned cores, fpc = flop_per_cycle();
	double peak, gflops = 2.0 * n * n * (double)n / s->median;
	char name[64];
	struct atlas_measure m;

	atlas_topo_get(&t);
	cores = c->threads < t.cores ? c->threads : t.cores;
	peak = cores * ghz * fpc;
	snprintf(name, sizeof name, "sgemm %% of peak (%u x %.2f GHz x %u)",
		 cores, ghz, fpc);
	bench_measure(&m, c, name, (uint64_t)n, "n", s);
	bench_rate(&m, peak > 0 ? 100 * gflops / peak : 0, "%", NULL, NULL);
	bench_emit(c, &m);
}

/* Emit the pair of one size: cblas, then the kernel with its ratio. */
static void emit_pair(struct bench_ctx *c, const struct blas_run *r,
		      const struct bench_stat *sb, const struct bench_stat *sk)
{
	const double n = r->n;
	/* gemm: FLOP; gemv: bytes of A, x and y */
	const double work = r->gemv ? 4 * (n * n + 2 * n) : 2 * n * n * n;
	const char *unit = r->gemv ? "GB/s" : "GFLOP/s";
	const char *ref = r->gemv ? "cblas_sgemv" : "cblas_sgemm";
	struct atlas_measure m;

	bench_measure(&m, c, ref, (uint64_t)r->n, "n", sb);
	bench_rate(&m, work / sb->median, unit, NULL, NULL);
	if (bench_emit(c, &m))
		return;
	bench_measure(&m, c, atlas_program_name(r->p), (uint64_t)r->n, "n", sk);
	bench_rate(&m, work / sk->median, unit, sb, ref);
	if (bench_emit(c, &m) || r->gemv)
		return;
	emit_peak(c, sb, r->n, r->ghz);
}

static enum atlas_status one_size(struct bench_ctx *c, struct blas_run *r)
{
	const size_t nn = (size_t)r->n * (size_t)r->n;
	const size_t nb = r->gemv ? (size_t)r->n : nn;
	struct bench_stat sb, sk;
	enum atlas_status rc = ATLAS_ERR_NOMEM;

	r->a = malloc(nn * 4);
	r->b = malloc(nb * 4);
	r->c = calloc(nb, 4);
	if (r->a && r->b && r->c) {
		bench_fill(r->a, ATLAS_F32, nn);
		bench_fill(r->b, ATLAS_F32, nb);
		rc = bind_kernel(r, c->err);
	} else {
		bench_fail(c->err, rc, "out of memory");
	}
	if (rc == ATLAS_OK)
		rc = bench_pair(c, run_cblas, r, run_kernel, r, &sb, &sk);
	if (rc == ATLAS_OK)
		emit_pair(c, r, &sb, &sk);
	free(r->a);
	free(r->b);
	free(r->c);
	return rc;
}

static enum atlas_status one_kind(struct bench_ctx *c, struct blas_run *r,
				  const char *kernel, const unsigned *sizes,
				  size_t ns)
{
	struct atlas_program *p = NULL;
	enum atlas_status rc = bench_kernel_load(c->o, kernel, &p, c->err);

	r->p = p;
	for (size_t i = 0; i < ns && rc == ATLAS_OK && !c->stop; i++) {
		r->n = (int)sizes[i];
		rc = one_size(c, r);
	}
	atlas_program_free(p);
	return rc;
}

enum atlas_status bench_blas(struct bench_ctx *c)
{
	const int q = c->o->quick;
	struct blas_run r = {0};
	enum atlas_status rc;
	int saved;

	if (!(r.blas = blas_get(c->err)))
		return ATLAS_ERR_UNSUPPORTED;
	if (!(r.e = bench_engine(c)))
		return c->err ? c->err->code : ATLAS_ERR_NOMEM;
	saved = r.blas->get_num_threads();
	r.blas->set_num_threads((int)c->threads);
	r.ghz = clock_ghz();
	rc = one_kind(c, &r, "gemm_f32", q ? gemm_quick : gemm_full,
		      q ? 2 : sizeof gemm_full / sizeof *gemm_full);
	r.gemv = 1;
	if (rc == ATLAS_OK && !c->stop)
		rc = one_kind(c, &r, "gemv_f32", q ? gemv_quick : gemv_full,
			      q ? 2 : sizeof gemv_full / sizeof *gemv_full);
	r.blas->set_num_threads(saved);
	atlas_engine_free(r.e);
	return rc;
}
