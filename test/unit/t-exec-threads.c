/*
 * t-exec-threads.c - results do not depend on the engine's thread count:
 * the same launch over 400,000 lanes (enough for three threads of more
 * than 65536 lanes each) with 1, 2 and 3 threads gives byte-identical
 * outputs, float-atomic reductions included, and of two faulting blocks
 * the earlier one is reported whichever thread finds its fault first.
 */
#include "tap.h"
#include "exec_util.h"

#define N 400000
#define NBINS 64

static struct atlas_engine *engines[4];

/* Element-wise math, divergence, lane-dependent loops, integer atomics. */
static const char *const mixed = ".kernel th\n"
				 ".param x f32[] in r1\n"
				 ".param k u32[] in r2\n"
				 ".param y f32[] out r3\n"
				 ".param z u32[] out r4\n"
				 ".param h u32[] inout r5\n"
				 ".param s u64[] inout r6\n"
				 "mov_imm.u32 r250, 2\n"
				 "shl.u64 r0, r255, r250\n"
				 "ldg.f32 r10, [r1 + r0]\n"
				 "ldg.u32 r11, [r2 + r0]\n"
				 "exp.f32 r12, r10\n"
				 "mov_imm.f32 r13, 1.5\n"
				 "fma.f32 r12, r12, r13, r10\n"
				 "mov_imm.u32 r14, 1\n"
				 "and.u32 r15, r11, r14\n"
				 "mov_imm.u32 r16, 0\n"
				 "seteq.u32 p0, r15, r16\n"
				 "bra.p0 @even\n"
				 "abs.f32 r17, r10\n"
				 "sqrt.f32 r17, r17\n"
				 "add.f32 r12, r12, r17\n"
				 "bra @join\n"
				 "@even:\n"
				 "sin.f32 r17, r10\n"
				 "sub.f32 r12, r12, r17\n"
				 "@join:\n"
				 "stg.f32 [r3 + r0], r12\n"
				 "mov_imm.u32 r20, 17\n"
				 "div.u32 r21, r11, r20\n"
				 "mul.u32 r21, r21, r20\n"
				 "sub.u32 r21, r11, r21\n"
				 "mov_imm.u32 r22, 0\n"
				 "mov_imm.u32 r23, 0\n"
				 "@top:\n"
				 "setge.u32 p1, r23, r21\n"
				 "bra.p1 @done\n"
				 "mul.u32 r24, r23, r11\n"
				 "add.u32 r22, r22, r24\n"
				 "add.u32 r23, r23, r14\n"
				 "bra @top\n"
				 "@done:\n"
				 "stg.u32 [r4 + r0], r22\n"
				 "mov_imm.u32 r25, 63\n"
				 "and.u32 r26, r11, r25\n"
				 "cvt.u64.u32 r27, r26\n"
				 "shl.u64 r27, r27, r250\n"
				 "atom.add.u32 [r5 + r27], r14\n"
				 "cvt.u64.u32 r28, r11\n"
				 "atom.add.u64 [r6 + 0], r28\n";

/* Float atomics: a lane-order sum and a minimum into single elements. */
static const char *const fatomic = ".kernel fa\n"
				   ".param x f32[] in r1\n"
				   ".param s f32[] inout r2\n"
				   "mov_imm.u32 r250, 2\n"
				   "shl.u64 r0, r255, r250\n"
				   "ldg.f32 r10, [r1 + r0]\n"
				   "atom.add.f32 [r2 + 0], r10\n"
				   "atom.min.f32 [r2 + 4], r10\n"
				   "mov.u32 r11, r252\n"
				   "cvt.f32.u32 r12, r11\n"
				   "atom.add.f32 [buf2 + 8], r12\n";

static void test_identical(const float *x, const uint32_t *k)
{
	struct atlas_program *p = load(mixed), *q = load(fatomic);
	float *y[4], fs[4][3];
	uint32_t *z[4], h[4][NBINS];
	uint64_t s[4];
	int good = 1;

	for (unsigned t = 1; t <= 3; t++) {
		struct atlas_arg a[6];
		struct atlas_error err;
		struct atlas_launch l = atlas_launch_linear(N, 1000);

		y[t] = xcalloc(N, 4);
		z[t] = xcalloc(N, 4);
		memset(h[t], 0, sizeof h[t]);
		s[t] = 0;
		a[0] = arr((void *)(uintptr_t)x, N * 4);
		a[1] = arr((void *)(uintptr_t)k, N * 4);
		a[2] = arr(y[t], N * 4);
		a[3] = arr(z[t], N * 4);
		a[4] = arr(h[t], sizeof h[t]);
		a[5] = arr(&s[t], 8);
		if (!ok(p && atlas_engine_run(engines[t], p, &l, a, 6, &err) ==
					ATLAS_OK,
			"%u thread(s): mixed program over %d lanes", t, N))
			diag("%s", p ? err.msg : "no program");
		memset(fs[t], 0, sizeof fs[t]);
		fs[t][1] = INFINITY;
		a[1] = arr(fs[t], sizeof fs[t]);
		if (!ok(q && atlas_engine_run(engines[t], q, &l, a, 2, &err) ==
					ATLAS_OK,
			"%u thread(s): float atomics over %d lanes", t, N))
			diag("%s", q ? err.msg : "no program");
	}
	for (unsigned t = 2; t <= 3; t++) {
		ok(memcmp(y[1], y[t], N * 4) == 0 &&
			   memcmp(z[1], z[t], N * 4) == 0,
		   "%u threads: element-wise outputs identical to 1 thread", t);
		ok(memcmp(h[1], h[t], sizeof h[1]) == 0 && s[1] == s[t],
		   "%u threads: integer atomics identical", t);
		ok(memcmp(fs[1], fs[t], sizeof fs[1]) == 0,
		   "%u threads: float atomic sums identical, bit for bit", t);
	}
	/* spot checks against the reference */
	{
		float sum = 0, mn = INFINITY, lsum = 0;
		uint64_t ks = 0;
		uint32_t hist[NBINS] = {0};

		for (size_t i = 0; i < N; i++) {
			volatile float v = sum + x[i],
				       w = lsum + (float)(i % 1000);

			sum = v;
			lsum = w;
			mn = x[i] < mn ? x[i] : mn;
			ks += k[i];
			hist[k[i] & 63]++;
		}
		ok(fs[1][0] == sum && fs[1][1] == mn && fs[1][2] == lsum,
		   "atom.add.f32 is the lane-order f32 sum (%.9g, want %.9g)",
		   (double)fs[1][0], (double)sum);
		ok(s[1] == ks && memcmp(h[1], hist, sizeof hist) == 0,
		   "integer atomics: sum and histogram");
		for (size_t i = 0; i < N && good; i += 997) {
			uint32_t want = 0;

			for (uint32_t j = 0; j < k[i] % 17; j++)
				want += j * k[i];
			good = z[1][i] == want;
		}
		ok(good, "lane-dependent loops");
	}
	for (unsigned t = 1; t <= 3; t++) {
		free(y[t]);
		free(z[t]);
	}
	atlas_program_free(p);
	atlas_program_free(q);
}

/* A sub-range of lanes, as a streaming runner launches them. */
static void test_subrange(const float *x)
{
	struct atlas_program *q = load(fatomic);
	float fs[4][3];

	for (unsigned t = 1; t <= 3; t++) {
		struct atlas_arg a[2] = {arr((void *)(uintptr_t)x, N * 4),
					 arr(fs[t], sizeof fs[t])};
		struct atlas_launch l = atlas_launch_linear(N, 1000);
		struct atlas_error err;

		l.lane_begin = 12345;
		l.lane_end = N - 777;
		memset(fs[t], 0, sizeof fs[t]);
		fs[t][1] = INFINITY;
		if (!ok(q && atlas_engine_run(engines[t], q, &l, a, 2, &err) ==
					ATLAS_OK,
			"%u thread(s): lanes [12345, %d)", t, N - 777))
			diag("%s", q ? err.msg : "no program");
	}
	ok(memcmp(fs[1], fs[2], sizeof fs[1]) == 0 &&
		   memcmp(fs[1], fs[3], sizeof fs[1]) == 0,
	   "sub-range float atomics identical across thread counts");
	{
		float sum = 0;

		for (size_t i = 12345; i < N - 777; i++) {
			volatile float v = sum + x[i];

			sum = v;
		}
		ok(fs[1][0] == sum, "... and the lane-order sum of the range");
	}
	atlas_program_free(q);
}

/*
 * Lane `early` divides by zero or stores out of bounds, so does lane
 * `late`; the early one is reported with any thread count.
 */
static void test_first_error(void)
{
	struct atlas_program *p = load(".kernel e\n"
				       ".param d u32[] in r1\n"
				       ".param o u32[] out r2\n"
				       ".param m u64 value r3\n"
				       "mov_imm.u32 r250, 2\n"
				       "shl.u64 r0, r255, r250\n"
				       "ldg.u32 r10, [r1 + r0]\n"
				       "mov_imm.u32 r11, 1000\n"
				       "div.u32 r12, r11, r10\n"
				       "mov_imm.u64 r13, 0x100000000\n"
				       "add.u64 r14, r0, r13\n"
				       "seteq.u64 p0, r255, r3\n"
				       "sel.u64 r15, p0, r14, r0\n"
				       "stg.u32 [r2 + r15], r12\n");
	uint32_t *d = xcalloc(N, 4), *o = xcalloc(N, 4);
	/* the last block of thread 0 and the first of thread 2 (3 threads) */
	const uint64_t early = 129 * 1024 + 5, late = 260 * 1024 + 3;
	char oob[160];

	for (size_t i = 0; i < N; i++)
		d[i] = 1 + (uint32_t)(i % 7);
	for (int c = 0; c < 2; c++) {
		struct atlas_arg a[3] = {arr(d, N * 4), arr(o, N * 4),
					 scal(c ? early : late)};
		uint64_t bad = c ? early : late;

		d[c ? late : early] = 0;
		snprintf(oob, sizeof oob,
			 "buffer access out of bounds: offset %llu + size 4 > "
			 "buffer size %d",
			 (unsigned long long)(bad * 4 + 0x100000000u), N * 4);
		for (unsigned t = 1; t <= 3; t++) {
			struct atlas_error err;
			enum atlas_status st =
				p ? run_on(engines[t], p, N, 1000, a, 3, &err) :
				    ATLAS_ERR_ARG;
			const char *want = c ? oob : "division by zero";

			if (!ok(st == ATLAS_ERR_EXEC &&
					strcmp(err.msg, want) == 0,
				"%u thread(s): early %s, late %s: the early "
				"one is reported",
				t, c ? "bad store" : "division by zero",
				c ? "division by zero" : "bad store"))
				diag("got '%s', want '%s'", p ? err.msg : "",
				     want);
		}
		d[c ? late : early] = 1;
	}
	atlas_program_free(p);
	free(d);
	free(o);
}

int main(void)
{
	float *x = xcalloc(N, 4);
	uint32_t *k = xcalloc(N, 4);
	int rc;

	for (unsigned t = 1; t <= 3; t++) {
		struct atlas_engine_options opt = {t, 0};

		engines[t] = atlas_engine_new(&opt, NULL);
		if (!engines[t])
			return 1;
	}
	for (size_t i = 0; i < N; i++) {
		x[i] = (float)((rndf() * 2 - 1) * 10);
		k[i] = (uint32_t)rnd();
	}
	E = engines[1];
	test_identical(x, k);
	test_subrange(x);
	test_first_error();
	for (unsigned t = 1; t <= 3; t++)
		atlas_engine_free(engines[t]);
	free(x);
	free(k);
	rc = done_testing();
	return rc;
}
