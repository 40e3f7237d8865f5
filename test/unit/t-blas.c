/*
 * t-blas.c - the BLAS instructions gemm, gemv and dot (exec_blas.c)
 * against naive double-precision references: every transpose, alpha and
 * beta other than 1 and 0, f32 and f64, sizes 1x1x1 to 513x257x129, rows
 * in and out of order; out-of-range operands give lane errors.
 *
 * Tolerance: |got - want| <= 1e-4 * (|alpha| sum |a| |b| + |beta| |c|),
 * the error bound relative to the magnitude of the terms summed.
 */
#include "tap.h"

#include "exec_util.h"

static uint64_t rng = 88172645463325252ull;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / (double)(1ull << 53) * 2.0 - 1.0;
}

static double get(const void *p, enum atlas_type t, size_t i)
{
	if (t == ATLAS_F32)
		return ((const float *)p)[i];
	return ((const double *)p)[i];
}

static void put(void *p, enum atlas_type t, size_t i, double v)
{
	if (t == ATLAS_F32)
		((float *)p)[i] = (float)v;
	else
		((double *)p)[i] = v;
}

static void *fill(size_t n, enum atlas_type t)
{
	void *p = xcalloc(n, tsz(t));

	for (size_t i = 0; i < n; i++)
		put(p, t, i, urand());
	return p;
}

static uint64_t fbits(double v, enum atlas_type t)
{
	uint64_t b = 0;

	if (t == ATLAS_F32) {
		float f = (float)v;

		memcpy(&b, &f, 4);
	} else {
		memcpy(&b, &v, 8);
	}
	return b;
}

/* The gemm kernel: lane g computes row g (or m - 1 - g with rev). */
static struct atlas_program *gemm_prog(enum atlas_type t, unsigned tr, int rev)
{
	return loadf(".kernel g\n.param A %s[] in r1\n.param B %s[] in r2\n"
		     ".param C %s[] inout r3\n.param n u32 value r4\n"
		     ".param k u32 value r5\n.param lda u32 value r6\n"
		     ".param ldb u32 value r7\n.param ldc u32 value r8\n"
		     ".param alpha %s value r9\n.param beta %s value r10\n"
		     ".param last u32 value r11\n"
		     "cvt.u32.u64 r12, r255\n%s"
		     "gemm.%s.%s r3, r1, r2, r12, r4, r5, r6, r7, r8, r9, "
		     "r10\nexit\n",
		     tn(t), tn(t), tn(t), tn(t), tn(t),
		     rev ? "sub.u32 r12, r11, r12\n" : "",
		     isa_gemm_trans_names[tr], tn(t));
}

static void test_gemm_case(enum atlas_type t, unsigned tr, size_t m, size_t n,
			   size_t k, int rev)
{
	const int ta = tr & 1, tb = tr >> 1 & 1;
	const size_t lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
	const double alpha = 1.5, beta = -0.75;
	void *a = fill(m * k, t), *b = fill(k * n, t), *c = fill(m * n, t);
	double *c0 = xcalloc(m * n, sizeof *c0);
	struct atlas_program *p = gemm_prog(t, tr, rev);
	struct atlas_arg args[11];
	char name[128];
	size_t bad = SIZE_MAX;
	double worst = 0;

	for (size_t i = 0; i < m * n; i++)
		c0[i] = get(c, t, i);
	args[0] = arr(a, m * k * tsz(t));
	args[1] = arr(b, k * n * tsz(t));
	args[2] = arr(c, m * n * tsz(t));
	args[3] = scal(n);
	args[4] = scal(k);
	args[5] = scal(lda);
	args[6] = scal(ldb);
	args[7] = scal(ldc);
	args[8] = scal(fbits(alpha, t));
	args[9] = scal(fbits(beta, t));
	args[10] = scal(m - 1);
	snprintf(name, sizeof name, "gemm.%s.%s %zux%zux%zu%s",
		 isa_gemm_trans_names[tr], tn(t), m, n, k,
		 rev ? " rows reversed" : "");
	if (run_ok(p, m, args, 11, name)) {
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < n; j++) {
				double s = 0, mag = 0, want, err;

				for (size_t l = 0; l < k; l++) {
					double x = get(a, t,
						       ta ? l * lda + i :
							    i * lda + l);
					double y = get(b, t,
						       tb ? j * ldb + l :
							    l * ldb + j);

					s += x * y;
					mag += fabs(x * y);
				}
				want = alpha * s + beta * c0[i * ldc + j];
				mag = fabs(alpha) * mag +
				      fabs(beta * c0[i * ldc + j]);
				err = fabs(get(c, t, i * ldc + j) - want);
				if (err > 1e-4 * mag && bad == SIZE_MAX)
					bad = i * ldc + j;
				if (mag > 0 && err / mag > worst)
					worst = err / mag;
			}
		if (!ok(bad == SIZE_MAX, "%s: within 1e-4 relative", name))
			diag("element %zu; worst relative error %g", bad,
			     worst);
	}
	atlas_program_free(p);
	free(a);
	free(b);
	free(c);
	free(c0);
}

static void test_gemm(void)
{
	static const size_t sizes[][3] = {{1, 1, 1},
					  {2, 3, 4},
					  {17, 5, 33},
					  {64, 64, 64},
					  {513, 257, 129}};

	for (int ti = 0; ti < 2; ti++)
		for (unsigned tr = 0; tr < ISA_GEMM_TRANS; tr++)
			for (size_t s = 0; s < 5; s++)
				test_gemm_case(ti ? ATLAS_F64 : ATLAS_F32, tr,
					       sizes[s][0], sizes[s][1],
					       sizes[s][2], 0);
	/* one cblas call per row */
	test_gemm_case(ATLAS_F32, 0, 17, 5, 33, 1);
	test_gemm_case(ATLAS_F64, 3, 64, 7, 9, 1);
}

static void test_gemv_case(enum atlas_type t, unsigned tr, size_t m, size_t n)
{
	const int ta = tr & 1;
	const size_t lda = ta ? m : n;
	const double alpha = -0.5, beta = 2.0;
	void *a = fill(m * n, t), *x = fill(n, t), *y = fill(m, t);
	double *y0 = xcalloc(m, sizeof *y0);
	struct atlas_program *p =
		loadf(".kernel v\n.param A %s[] in r1\n.param x %s[] in r2\n"
		      ".param y %s[] inout r3\n.param n u32 value r4\n"
		      ".param lda u32 value r5\n.param alpha %s value r6\n"
		      ".param beta %s value r7\n"
		      "cvt.u32.u64 r12, r255\n"
		      "gemv.%s.%s r3, r1, r2, r12, r4, r5, r6, r7\nexit\n",
		      tn(t), tn(t), tn(t), tn(t), tn(t),
		      isa_gemv_trans_names[tr], tn(t));
	struct atlas_arg args[7];
	char name[128];
	size_t bad = SIZE_MAX;

	for (size_t i = 0; i < m; i++)
		y0[i] = get(y, t, i);
	args[0] = arr(a, m * n * tsz(t));
	args[1] = arr(x, n * tsz(t));
	args[2] = arr(y, m * tsz(t));
	args[3] = scal(n);
	args[4] = scal(lda);
	args[5] = scal(fbits(alpha, t));
	args[6] = scal(fbits(beta, t));
	snprintf(name, sizeof name, "gemv.%s.%s %zux%zu",
		 isa_gemv_trans_names[tr], tn(t), m, n);
	if (run_ok(p, m, args, 7, name)) {
		for (size_t i = 0; i < m; i++) {
			double s = 0, mag = 0, want;

			for (size_t j = 0; j < n; j++) {
				double v = get(a, t,
					       ta ? j * lda + i : i * lda + j) *
					   get(x, t, j);

				s += v;
				mag += fabs(v);
			}
			want = alpha * s + beta * y0[i];
			mag = fabs(alpha) * mag + fabs(beta * y0[i]);
			if (fabs(get(y, t, i) - want) > 1e-4 * mag &&
			    bad == SIZE_MAX)
				bad = i;
		}
		if (!ok(bad == SIZE_MAX, "%s: within 1e-4 relative", name))
			diag("row %zu", bad);
	}
	atlas_program_free(p);
	free(a);
	free(x);
	free(y);
	free(y0);
}

static void test_gemv(void)
{
	static const size_t sizes[][2] = {
		{1, 1}, {2, 3}, {17, 33}, {64, 64}, {513, 257}};

	for (int ti = 0; ti < 2; ti++)
		for (unsigned tr = 0; tr < ISA_GEMV_TRANS; tr++)
			for (size_t s = 0; s < 5; s++)
				test_gemv_case(ti ? ATLAS_F64 : ATLAS_F32, tr,
					       sizes[s][0], sizes[s][1]);
}

static void test_dot(void)
{
	for (int ti = 0; ti < 2; ti++) {
		const enum atlas_type t = ti ? ATLAS_F64 : ATLAS_F32;
		const size_t n = 1000;
		void *a = fill(n, t), *b = fill(n, t), *o = xcalloc(4, 8);
		struct atlas_program *p = loadf(
			".kernel d\n.param a %s[] in r1\n.param b %s[] in r2\n"
			".param o %s[] out r3\n.param n u32 value r4\n"
			"dot.%s r10, r1, r2, r4\nstg.%s [r3 + 0], r10\nexit\n",
			tn(t), tn(t), tn(t), tn(t), tn(t));
		struct atlas_arg args[4];
		double s = 0, mag = 0;

		args[0] = arr(a, n * tsz(t));
		args[1] = arr(b, n * tsz(t));
		args[2] = arr(o, tsz(t));
		args[3] = scal(n);
		for (size_t i = 0; i < n; i++) {
			s += get(a, t, i) * get(b, t, i);
			mag += fabs(get(a, t, i) * get(b, t, i));
		}
		if (run_ok(p, 1, args, 4, tn(t)))
			ok(fabs(get(o, t, 0) - s) <= 1e-4 * mag,
			   "dot.%s over %zu elements", tn(t), n);
		args[3] = scal(n + 1);
		run_fails(p, 1, args, 4, ATLAS_ERR_EXEC,
			  t == ATLAS_F32 ? "buffer access out of bounds: "
					   "offset 0 + size 4004 > buffer size "
					   "4000" :
					   "buffer access out of bounds: "
					   "offset 0 + size 8008 > buffer size "
					   "8000",
			  "dot past the end: a lane error");
		atlas_program_free(p);
		free(a);
		free(b);
		free(o);
	}
}

static void test_errors(void)
{
	struct atlas_program *p = gemm_prog(ATLAS_F32, 0, 0);
	float a[12] = {0}, b[12] = {0}, c[12] = {0};
	struct atlas_arg args[11];

	/* C is 3x4 (12 floats), rows 0..3 of m = 4 do not fit */
	args[0] = arr(a, sizeof a);
	args[1] = arr(b, sizeof b);
	args[2] = arr(c, sizeof c);
	args[3] = scal(4);
	args[4] = scal(3);
	args[5] = scal(3);
	args[6] = scal(4);
	args[7] = scal(4);
	args[8] = scal(fbits(1, ATLAS_F32));
	args[9] = scal(0);
	args[10] = scal(3);
	run_fails(p, 4, args, 11, ATLAS_ERR_EXEC,
		  "buffer access out of bounds: offset 48 + size 16 > buffer "
		  "size 48",
		  "gemm: C's fourth row past the end is a lane error");
	args[6] = scal(100);
	run_fails(p, 1, args, 11, ATLAS_ERR_EXEC,
		  "buffer access out of bounds: offset 0 + size 816 > buffer "
		  "size 48",
		  "gemm: B's range with ldb = 100 is checked");
	args[6] = scal(4);
	args[5] = scal(2);
	run_fails(p, 1, args, 11, ATLAS_ERR_EXEC,
		  "gemm: leading dimension of A too small",
		  "gemm: lda < k is an error, never an OpenBLAS message");
	args[5] = scal(3);
	run_ok(p, 3, args, 11, "gemm: then 3 rows run");
	atlas_program_free(p);
	p = loadf(".kernel g\n.param A f32[] in r1\n.param C f32[] out r3\n"
		  ".param n u32 value r4\nmov_imm.f32 r9, 1.0\n"
		  "mov_imm.u32 r12, 0\n"
		  "gemm.nn.f32 r3, r1, r3, r12, r4, r4, r4, r4, r4, r9, r9\n");
	args[0] = arr(a, sizeof a);
	args[1] = arr(c, sizeof c);
	args[2] = scal(2);
	run_fails(p, 1, args, 3, ATLAS_ERR_EXEC,
		  "gemm: the output array is also an input",
		  "gemm: C as B is an error");
	atlas_program_free(p);
	load_fails(".kernel g\n.param A f32[] in r1\n"
		   "gemm.nn.f32 r1, r1, r1, r1, r1, r1, r1, r1, r1, r1, r1\n",
		   "type mismatch: expected u32, got u64",
		   "gemm: the verifier types every operand");
}

int main(void)
{
	E = atlas_engine_new(NULL, NULL);
	if (!E)
		return 1;
	test_gemm();
	test_gemv();
	test_dot();
	test_errors();
	atlas_engine_free(E);
	return done_testing();
}
