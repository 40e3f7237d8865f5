/*
 * t-exec-atlas.c - the Atlas instructions in the engine (man 7 atlas-isa):
 * cls.get over several blocks, mirror / nbr.count / nbr.get / unity.test
 * against the space API for every class, bound.map, phase.get / phase.adv
 * with a run state, exact res.accum, every error with its exact message,
 * [phi(C, P, B)] and handle-0 loads and stores into a boundary pool, and
 * one kernel using them all.
 */
#include "tap.h"
#include "exec_util.h"

#define OFF4                                                                   \
	"mov_imm.u32 r250, 2\n"                                                \
	"shl.u64 r0, r255, r250\n"
#define OFF8                                                                   \
	"mov_imm.u32 r250, 3\n"                                                \
	"shl.u64 r8, r255, r250\n"

static enum atlas_status run_st(struct atlas_engine *e,
				const struct atlas_program *p, uint64_t n,
				uint32_t bs, const struct atlas_arg *args,
				size_t nargs, struct atlas_run_state *st,
				struct atlas_error *err)
{
	struct atlas_launch l = atlas_launch_linear(n, bs);

	memset(err, 0, sizeof *err);
	return atlas_engine_run_state(e, p, &l, args, nargs, st, err);
}

/* A run with state st that must fail with exactly msg. */
static void st_fails(const struct atlas_program *p, uint64_t n,
		     const struct atlas_arg *args, size_t nargs,
		     struct atlas_run_state *st, const char *msg,
		     const char *name)
{
	struct atlas_error err;
	enum atlas_status s;

	if (!p) {
		ok(0, "%s (no program)", name);
		return;
	}
	s = run_st(E, p, n, 256, args, nargs, st, &err);
	if (!ok(s == ATLAS_ERR_EXEC && strcmp(err.msg, msg) == 0, "%s", name))
		diag("got status %d '%s', want '%s'", (int)s, err.msg, msg);
}

static const char *const map_k =
	".kernel m\n.param x u8[] in r1\n.param y %s[] out r2\n" OFF4
	"ldg.u8 r10, [r1 + r255]\n"
	"%s\n"
	"%s [r2 + %s], r11\n";

/* ---- class tables ------------------------------------------------------- */

static void test_class_ops(void)
{
	uint8_t x[96], y8[96];
	uint32_t y32[96];
	struct atlas_arg a8[2] = {arr(x, 96), arr(y8, 96)};
	struct atlas_arg a32[2] = {arr(x, 96), arr(y32, 96 * 4)};
	struct atlas_program *p;
	int good = 1;

	for (unsigned c = 0; c < 96; c++)
		x[c] = (uint8_t)c;

	p = loadf(map_k, "u8", "mirror r11, r10", "stg.u8", "r255");
	if (run_ok(p, 96, a8, 2, "mirror runs"))
		for (unsigned c = 0; c < 96; c++) {
			unsigned m;

			atlas_class_mirror(ATLAS_NUMBERING_ATLAS, c, &m, NULL);
			good &= y8[c] == m;
		}
	ok(good, "mirror of every class");
	ok(y8[0] == 3 && y8[4] == 1 && y8[10] == 7 && y8[95] == 92,
	   "mirror 0->3, 4->1, 10->7, 95->92");
	atlas_program_free(p);

	p = loadf(map_k, "u32", "nbr.count r11, r10", "stg.u32", "r0");
	good = 1;
	if (run_ok(p, 96, a32, 2, "nbr.count runs")) {
		unsigned n6 = 0, n5 = 0;

		for (unsigned c = 0; c < 96; c++) {
			unsigned d;

			atlas_class_neighbors(ATLAS_NUMBERING_ATLAS, c, NULL,
					      &d, NULL);
			good &= y32[c] == d;
			n6 += y32[c] == 6;
			n5 += y32[c] == 5;
		}
		ok(n6 == 32 && n5 == 64, "32 classes of degree 6, 64 of 5");
	}
	ok(good, "nbr.count of every class");
	atlas_program_free(p);

	for (unsigned i = 0; i < 6; i++) {
		char op[64];
		uint8_t nb[96][6];
		unsigned deg[96], n = 0;
		uint8_t cls[96];

		for (unsigned c = 0; c < 96; c++) {
			atlas_class_neighbors(ATLAS_NUMBERING_ATLAS, c, nb[c],
					      &deg[c], NULL);
			if (i < deg[c])
				cls[n++] = (uint8_t)c;
		}
		memcpy(x, cls, n);
		snprintf(op, sizeof op, "nbr.get r11, r10, %u", i);
		p = loadf(map_k, "u8", op, "stg.u8", "r255");
		good = run_ok(p, n, a8, 2, "nbr.get runs");
		for (unsigned k = 0; good && k < n; k++)
			good &= y8[k] == nb[cls[k]][i];
		ok(good, "nbr.get index %u of the %u classes with more", i, n);
		atlas_program_free(p);
	}
	for (unsigned c = 0; c < 96; c++)
		x[c] = (uint8_t)c;

	p = loadf(map_k, "u8",
		  "unity.test p3, r10\nmov_imm.u8 r12, 1\n"
		  "mov_imm.u8 r13, 0\nsel.u8 r11, p3, r12, r13",
		  "stg.u8", "r255");
	good = run_ok(p, 96, a8, 2, "unity.test runs");
	for (unsigned c = 0; good && c < 96; c++)
		good &= y8[c] == (c == 1 || c == 4);
	ok(good, "unity.test: exactly classes 1 and 4");
	atlas_program_free(p);

	/* uniform class registers */
	{
		uint32_t out[4] = {0};
		struct atlas_arg a[1] = {arr(out, 16)};
		unsigned d;
		uint8_t nb[6];

		p = load(".kernel u\n.param o u32[] out r1\n"
			 "mov_imm.u8 r10, 10\nmirror r11, r10\n"
			 "cvt.u32.u8 r12, r11\nstg.u32 [r1 + 0], r12\n"
			 "nbr.count r13, r10\nstg.u32 [r1 + 4], r13\n"
			 "nbr.get r14, r10, 1\ncvt.u32.u8 r15, r14\n"
			 "stg.u32 [r1 + 8], r15\n"
			 "mov_imm.u8 r16, 4\nunity.test p0, r16\n"
			 "mov_imm.u32 r17, 1\nmov_imm.u32 r18, 0\n"
			 "sel.u32 r19, p0, r17, r18\nstg.u32 [r1 + 12], r19\n");
		atlas_class_neighbors(ATLAS_NUMBERING_ATLAS, 10, nb, &d, NULL);
		good = run_ok(p, 1, a, 1, "uniform class ops run");
		ok(good && out[0] == 7 && out[1] == d && out[2] == nb[1] &&
			   out[3] == 1,
		   "uniform: mirror 10 = 7, degree, neighbour 1, unity 4");
		atlas_program_free(p);
	}
}

/* ---- errors of the class instructions ------------------------------------ */

static void test_class_errors(void)
{
	uint8_t x[100], y8[100];
	uint32_t y32[100];
	struct atlas_arg a8[2] = {arr(x, 100), arr(y8, 100)};
	struct atlas_arg a32[2] = {arr(x, 100), arr(y32, 400)};
	struct atlas_arg c3 = scal(3), c255 = scal(255), c96 = scal(96);
	struct atlas_program *p;
	char want[128];

	for (unsigned k = 0; k < 100; k++)
		x[k] = (uint8_t)(k % 96);
	x[50] = 96;
	x[70] = 200;
	p = loadf(map_k, "u8", "mirror r11, r10", "stg.u8", "r255");
	run_fails(p, 100, a8, 2, ATLAS_ERR_EXEC,
		  "invalid class index: 96 (must be < 96)", "mirror 96");
	atlas_program_free(p);
	p = loadf(map_k, "u32", "nbr.count r11, r10", "stg.u32", "r0");
	run_fails(p, 100, a32, 2, ATLAS_ERR_EXEC,
		  "invalid class index: 96 (must be < 96)", "nbr.count 96");
	atlas_program_free(p);
	p = loadf(map_k, "u8", "nbr.get r11, r10, 0", "stg.u8", "r255");
	run_fails(p, 100, a8, 2, ATLAS_ERR_EXEC,
		  "invalid class index: 96 (must be < 96)", "nbr.get 96");
	atlas_program_free(p);
	p = loadf(map_k, "u8", "unity.test p0, r10\nmov.u8 r11, r10", "stg.u8",
		  "r255");
	run_fails(p, 100, a8, 2, ATLAS_ERR_EXEC,
		  "invalid class index: 96 (must be < 96)", "unity.test 96");
	atlas_program_free(p);

	/* nbr.get past the degree: the first failing lane's class */
	p = loadf(map_k, "u8", "nbr.get r11, r10, 5", "stg.u8", "r255");
	{
		unsigned first = 0, d = 6;

		while (d == 6) {
			atlas_class_neighbors(ATLAS_NUMBERING_ATLAS, first,
					      NULL, &d, NULL);
			if (d == 6)
				first++;
		}
		snprintf(want, sizeof want,
			 "neighbor index 5 out of range for class %u (degree "
			 "5)",
			 first);
		run_fails(p, 100, a8, 2, ATLAS_ERR_EXEC, want,
			  "nbr.get 5 past a degree of 5");
	}
	atlas_program_free(p);
	/* uniform classes from a scalar: a constant one is refused at load
	   (t-verify-atlas.c) */
	p = load(".kernel u\n.param c u8 value r1\nnbr.get r2, r1, 6\n");
	{
		unsigned d3;

		atlas_class_neighbors(ATLAS_NUMBERING_ATLAS, 3, NULL, &d3,
				      NULL);
		snprintf(want, sizeof want,
			 "neighbor index 6 out of range for class 3 (degree "
			 "%u)",
			 d3);
	}
	run_fails(p, 1, &c3, 1, ATLAS_ERR_EXEC, want, "nbr.get 6, uniform");
	atlas_program_free(p);
	p = load(".kernel u\n.param c u8 value r1\nmirror r2, r1\n");
	run_fails(p, 1, &c255, 1, ATLAS_ERR_EXEC,
		  "invalid class index: 255 (must be < 96)", "mirror 255");
	atlas_program_free(p);
	p = load(".kernel u\n.param c u8 value r1\nunity.test p1, r1\n");
	run_fails(p, 1, &c96, 1, ATLAS_ERR_EXEC,
		  "invalid class index: 96 (must be < 96)",
		  "unity.test 96, uniform");
	atlas_program_free(p);
	load_fails(".kernel u\nmov_imm.u32 r1, 3\nmirror r2, r1\n",
		   "type mismatch: expected u8, got u32",
		   "mirror reads a u8 register");
}

/* ---- bound.map ------------------------------------------------------------
 */

static void test_bound_map(void)
{
	struct atlas_program *p;
	uint64_t out[300];
	uint8_t cpb[3][300];
	struct atlas_arg a[4] = {arr(cpb[0], 300), arr(cpb[1], 300),
				 arr(cpb[2], 300), arr(out, 2400)};
	struct atlas_arg c96 = scal(96);
	int good;

	p = load(".kernel b\n.param o u64[] out r1\n"
		 "mov_imm.u8 r2, 5\nmov_imm.u8 r3, 10\nmov_imm.u8 r4, 20\n"
		 "bound.map r5, r2, r3, r4\nstg.u64 [r1 + 0], r5\n");
	out[0] = 0;
	ok(run_ok(p, 1, a + 3, 1, "bound.map runs") && out[0] == 64020,
	   "bound.map(5, 10, 20) = 64020");
	atlas_program_free(p);

	for (unsigned k = 0; k < 300; k++) {
		cpb[0][k] = (uint8_t)(k % 96);
		cpb[1][k] = (uint8_t)(k % 48);
		cpb[2][k] = (uint8_t)(k * 7);
	}
	p = load(".kernel b\n.param c u8[] in r1\n.param p u8[] in r2\n"
		 ".param b u8[] in r3\n.param o u64[] out r4\n" OFF8
		 "ldg.u8 r10, [r1 + r255]\nldg.u8 r11, [r2 + r255]\n"
		 "ldg.u8 r12, [r3 + r255]\nbound.map r13, r10, r11, r12\n"
		 "stg.u64 [r4 + r8], r13\n");
	good = run_ok(p, 300, a, 4, "bound.map per lane runs");
	for (unsigned k = 0; good && k < 300; k++)
		good &= out[k] == (uint64_t)(k % 96) * 12288 + (k % 48) * 256 +
					  (uint8_t)(k * 7);
	ok(good, "bound.map per lane");
	cpb[1][123] = 48;
	cpb[0][200] = 96;
	run_fails(p, 300, a, 4, ATLAS_ERR_EXEC,
		  "invalid \xce\xa6-coordinate for BoundMap: invalid page: 48 "
		  "(must be in [0, 48))",
		  "bound.map page 48");
	cpb[0][100] = 100;
	run_fails(p, 300, a, 4, ATLAS_ERR_EXEC,
		  "invalid class ID 100 for BoundMap (must be < 96)",
		  "bound.map class 100, the first failing lane");
	atlas_program_free(p);
	p = load(".kernel b\n.param c u8 value r2\nmov_imm.u8 r3, 0\n"
		 "bound.map r5, r2, r3, r3\n");
	run_fails(p, 1, &c96, 1, ATLAS_ERR_EXEC,
		  "invalid class ID 96 for BoundMap (must be < 96)",
		  "bound.map uniform class 96");
	atlas_program_free(p);
}

/* ---- cls.get --------------------------------------------------------------
 */

static void test_cls_get(void)
{
	const size_t n = 32 * 200;
	uint8_t *y = xcalloc(n, 1);
	struct atlas_arg a[1] = {arr(y, n)};
	struct atlas_program *p;
	struct atlas_error err;
	struct atlas_engine *e4;
	struct atlas_engine_options o = {4, 0};
	int good;

	p = load(".kernel c\n.param y u8[] out r1\ncls.get r2\n"
		 "stg.u8 [r1 + r255], r2\n");
	good = run_on(E, p, n, 32, a, 1, &err) == ATLAS_OK;
	for (size_t k = 0; good && k < n; k++)
		good &= y[k] == (k / 32) % 96;
	ok(good, "cls.get = block index mod 96, 200 blocks of 32");
	good = run_on(E, p, 100, 256, a, 1, &err) == ATLAS_OK;
	for (size_t k = 0; good && k < 100; k++)
		good &= y[k] == 0;
	ok(good, "cls.get in one block is 0");
	free(y);
	y = xcalloc(200000, 1);
	a[0] = arr(y, 200000);
	e4 = atlas_engine_new(&o, NULL);
	good = e4 && run_on(e4, p, 200000, 64, a, 1, &err) == ATLAS_OK;
	for (size_t k = 0; good && k < 200000; k++)
		good &= y[k] == (k / 64) % 96;
	ok(good, "cls.get on four threads");
	atlas_engine_free(e4);
	atlas_program_free(p);
	free(y);
}

/* ---- phase ----------------------------------------------------------------
 */

static void test_phase(void)
{
	uint32_t y[100];
	struct atlas_arg a[1] = {arr(y, 400)}, c99 = scal(99);
	struct atlas_run_state st;
	struct atlas_program *p;
	struct atlas_error err;
	struct atlas_engine *e4;
	struct atlas_engine_options o = {4, 0};
	int good;

	p = load(".kernel ph\n.param y u32[] out r1\n" OFF4 "phase.get r2\n"
		 "stg.u32 [r1 + r0], r2\nphase.adv 3\n");
	memset(&st, 0, sizeof st);
	st.phase = 700;
	good = run_st(E, p, 100, 32, a, 1, &st, &err) == ATLAS_OK;
	for (unsigned k = 0; good && k < 100; k++)
		good &= y[k] == 700;
	ok(good, "phase.get reads the phase at launch start in every lane");
	ok(st.phase == (700 + 300) % 768 && st.epoch == 1,
	   "phase.adv 3 over 100 lanes: 700 -> 232, epoch 1 (got %u, %llu)",
	   st.phase, (unsigned long long)st.epoch);
	good = run_st(E, p, 100, 32, a, 1, &st, &err) == ATLAS_OK;
	ok(good && y[0] == 232 && y[99] == 232 && st.phase == 532 &&
		   st.epoch == 1,
	   "the phase carries between launches");
	good = run_on(E, p, 10, 32, a, 1, &err) == ATLAS_OK;
	ok(good && y[0] == 0 && y[9] == 0, "no state: phase.get is 0");
	atlas_program_free(p);

	/* divergent lanes: only those executing phase.adv count */
	p = load(".kernel ph\nmov_imm.u64 r1, 10\nsetltu.u64 p0, r255, r1\n"
		 "bra.p0 @skip\nphase.adv 2\n@skip:\nexit\n");
	memset(&st, 0, sizeof st);
	good = run_st(E, p, 100, 32, NULL, 0, &st, &err) == ATLAS_OK;
	ok(good && st.phase == 180 && st.epoch == 0,
	   "phase.adv counts executing lanes only (90 * 2)");
	e4 = atlas_engine_new(&o, NULL);
	memset(&st, 0, sizeof st);
	good = e4 && run_st(e4, p, 200010, 256, NULL, 0, &st, &err) == ATLAS_OK;
	ok(good && st.phase == (200000u * 2) % 768 &&
		   st.epoch == 200000u * 2 / 768,
	   "phase.adv on four threads");
	atlas_engine_free(e4);
	atlas_program_free(p);

	/* a failed launch leaves the phase alone */
	p = load(".kernel ph\n.param c u8 value r1\nphase.adv 5\n"
		 "mirror r2, r1\n");
	memset(&st, 0, sizeof st);
	st.phase = 7;
	st_fails(p, 10, &c99, 1, &st, "invalid class index: 99 (must be < 96)",
		 "failing launch");
	ok(st.phase == 7 && st.epoch == 0, "failed launch: phase unchanged");
	atlas_program_free(p);
}

/* ---- resonance ------------------------------------------------------------
 */

static const char *const res_k =
	".kernel r\n.param c u8[] in r1\n.param v %s[] in r2\n" OFF4 OFF8
	"ldg.u8 r10, [r1 + r255]\nldg.%s r11, [r2 + %s]\n"
	"res.accum.%s r10, r11\n";

static void test_resonance(void)
{
	uint8_t cls[8];
	float vf[8];
	double vd[8];
	struct atlas_arg af[2] = {arr(cls, 8), arr(vf, 32)};
	struct atlas_arg ad[2] = {arr(cls, 8), arr(vd, 64)};
	struct atlas_resonance *R = atlas_resonance_new(NULL);
	struct atlas_run_state st;
	struct atlas_program *pf, *pd;
	struct atlas_error err;
	struct atlas_ratio third, sum, q;
	char want[300], b1[ATLAS_RATIO_BUFSIZE];
	int good;

	pf = loadf(res_k, "f32", "f32", "r0", "f32");
	pd = loadf(res_k, "f64", "f64", "r8", "f64");
	memset(&st, 0, sizeof st);
	st.resonance = R;
	cls[0] = 7, vf[0] = 0.25f;
	cls[1] = 7, vf[1] = -0.25f;
	good = run_st(E, pf, 2, 32, af, 2, &st, &err) == ATLAS_OK;
	ok(good && R->r[7].num == 0 && R->r[7].den == 1,
	   "res.accum.f32 0.25 + -0.25 = 0/1 (neutral)");
	cls[0] = 1, vf[0] = 0.1f;
	cls[1] = 1, vf[1] = 0.25f;
	good = run_st(E, pf, 2, 32, af, 2, &st, &err) == ATLAS_OK;
	ok(good && R->r[1].num == 13421773 + 33554432 &&
		   R->r[1].den == 134217728,
	   "f32 0.1 + 0.25 exactly: %lld/%lld", (long long)R->r[1].num,
	   (long long)R->r[1].den);

	/* 1/3-ish: three f64 1/3 add exactly */
	atlas_resonance_zero(R);
	atlas_ratio_from_f64(1.0 / 3.0, &third, NULL);
	atlas_ratio_add(third, third, &sum, NULL);
	atlas_ratio_add(sum, third, &sum, NULL);
	for (int k = 0; k < 3; k++)
		cls[k] = 95, vd[k] = 1.0 / 3.0;
	good = run_st(E, pd, 3, 32, ad, 2, &st, &err) == ATLAS_OK;
	ok(good && atlas_ratio_cmp(R->r[95], sum) == 0 && R->r[95].den > 1,
	   "res.accum.f64 3 x (1/3 as a double) exactly: %s",
	   atlas_ratio_format(R->r[95], b1, sizeof b1));
	good = 1;
	for (int c = 0; c < 95; c++)
		good &= R->r[c].num == 0 && R->r[c].den == 1;
	ok(good, "other classes untouched");

	/* overflow: 2^62 + 2^62; R unchanged */
	atlas_resonance_zero(R);
	cls[0] = 3, vd[0] = 4611686018427387904.0;
	cls[1] = 3, vd[1] = 4611686018427387904.0;
	cls[2] = 4, vd[2] = 1.0;
	atlas_ratio_from_f64(vd[0], &q, NULL);
	memset(&err, 0, sizeof err);
	atlas_ratio_add(q, q, &sum, &err);
	snprintf(want, sizeof want, "%s", err.msg);
	st_fails(pd, 3, ad, 2, &st, want, "res.accum overflow");
	ok(strstr(want, "overflow") != NULL, "  (%s)", want);
	good = 1;
	for (int c = 0; c < 96; c++)
		good &= R->r[c].num == 0 && R->r[c].den == 1;
	ok(good, "overflow: R unchanged");

	cls[0] = 96, vd[0] = 1;
	st_fails(pd, 1, ad, 2, &st, "invalid class index: 96 (must be < 96)",
		 "res.accum class 96");
	cls[0] = 2, vd[0] = NAN;
	st_fails(pd, 1, ad, 2, &st, "not a finite number", "res.accum NaN");
	cls[0] = 2, vf[0] = INFINITY;
	st_fails(pf, 1, af, 2, &st, "not a finite number", "res.accum.f32 inf");
	st.resonance = NULL;
	cls[0] = 2, vd[0] = 1;
	st_fails(pd, 1, ad, 2, &st, "no resonance accumulator",
		 "res.accum without an accumulator");
	run_fails(pd, 1, ad, 2, ATLAS_ERR_EXEC, "no resonance accumulator",
		  "res.accum with atlas_engine_run");
	load_fails(".kernel r\nmov_imm.u8 r1, 0\nmov_imm.i32 r2, 1\n"
		   "res.accum.i32 r1, r2\n",
		   "unsupported operation: RES.ACCUM for type i32",
		   "res.accum.i32 rejected");
	atlas_program_free(pf);
	atlas_program_free(pd);
	atlas_resonance_free(R);
}

/* ---- the boundary pool ----------------------------------------------------
 */

static void test_boundary(void)
{
	struct atlas_bound_pool *bp = atlas_bound_pool_new(NULL);
	uint8_t *pool = atlas_bound_pool_data(bp);
	struct atlas_run_state st;
	struct atlas_program *p;
	struct atlas_error err;
	uint32_t y[4096];
	struct atlas_arg a[1] = {arr(y, sizeof y)};
	uint8_t *view;
	size_t vlen;
	int good;

	memset(&st, 0, sizeof st);
	st.boundary.data = pool;
	st.boundary.size = ATLAS_POOL_BYTES;
	p = load(".kernel b\n.param y u32[] out r1\n"
		 "mov_imm.u8 r2, 42\nstg.u8 [phi(5, 10, 20)], r2\n"
		 "mov_imm.u32 r3, 0xdeadbeef\nstg.u32 [phi(95, 47, 252)], r3\n"
		 "ldg.u32 r4, [phi(0, 0, 0)]\nstg.u32 [r1 + 0], r4\n");
	memcpy(pool, "\x01\x02\x03\x04", 4);
	good = run_st(E, p, 1, 32, a, 1, &st, &err) == ATLAS_OK;
	ok(good && pool[64020] == 42, "stg.u8 [phi(5, 10, 20)] writes 64020");
	ok(good && memcmp(pool + ATLAS_POOL_BYTES - 4, "\xef\xbe\xad\xde", 4) ==
			   0,
	   "stg.u32 [phi(95, 47, 252)] writes the last word");
	ok(good && y[0] == 0x04030201, "ldg.u32 [phi(0, 0, 0)] reads");
	run_fails(p, 1, a, 1, ATLAS_ERR_EXEC, "invalid buffer handle: 0",
		  "phi without a boundary pool");
	atlas_program_free(p);

	/* handle 0 in a register: every lane reads class 3's words */
	atlas_bound_pool_view(bp, 3, &view, &vlen, NULL);
	for (size_t k = 0; k < vlen / 4; k++)
		memcpy(view + 4 * k, &(uint32_t){(uint32_t)k * 3 + 1}, 4);
	p = load(".kernel b\n.param y u32[] out r1\n" OFF4
		 "mov_imm.u64 r2, 0\nmov_imm.u64 r3, 36864\n"
		 "add.u64 r4, r0, r3\nldg.u32 r5, [r2 + r4]\n"
		 "stg.u32 [r1 + r0], r5\n");
	good = run_st(E, p, 3072, 256, a, 1, &st, &err) == ATLAS_OK;
	for (size_t k = 0; good && k < 3072; k++)
		good &= y[k] == k * 3 + 1;
	ok(good, "[r2 + r4] with r2 = 0 reads class 3 of the pool");
	run_fails(p, 3072, a, 1, ATLAS_ERR_EXEC, "invalid buffer handle: 0",
		  "handle 0 without a boundary pool");
	atlas_program_free(p);

	/* stores through handle 0 per lane, and atomics */
	p = load(".kernel b\n" OFF4 "mov_imm.u64 r2, 0\n"
		 "cvt.u32.u64 r5, r255\nstg.u32 [r2 + r0], r5\n"
		 "mov_imm.i32 r6, 2\natom.add.i32 [phi(1, 2, 3)], r6\n");
	memset(pool, 0, 12288 + 1024);
	good = run_st(E, p, 1000, 256, NULL, 0, &st, &err) == ATLAS_OK;
	for (uint32_t k = 0; good && k < 1000; k++)
		good &= memcmp(pool + 4 * k, &k, 4) == 0 ||
			(4 * k + 4 > 12288 + 515 && 4 * k < 12288 + 519);
	ok(good, "stores through handle 0");
	{
		int32_t v;

		memcpy(&v, pool + 12288 + 515, 4);
		ok(good && v == 2000, "atom.add.i32 [phi(1, 2, 3)] x 1000");
	}
	atlas_program_free(p);

	/* a class view as an ordinary buffer */
	atlas_bound_pool_view(bp, 3, &view, &vlen, NULL);
	p = load(".kernel b\n.param v u32[] in r1\n.param y u32[] out r2\n"
		 "ldg.u32 r3, [r1 + 8]\nstg.u32 [r2 + 0], r3\n");
	{
		struct atlas_arg b[2] = {arr(view, vlen), arr(y, 4)};

		ok(run_ok(p, 1, b, 2, "class view runs") && y[0] == 7,
		   "class view: word 2 of class 3");
	}
	atlas_program_free(p);

	/* the verifier */
	load_fails(".kernel b\nldg.u8 r1, [phi(96, 0, 0)]\n",
		   "invalid class index: 96 (must be < 96)", "phi class 96");
	load_fails(".kernel b\nldg.u8 r1, [phi(0, 48, 0)]\n",
		   "invalid boundary coordinates: page=48 (must be < 48), "
		   "byte=0 (must be < 256)",
		   "phi page 48");
	load_fails(".kernel b\nmov_imm.u8 r1, 0\nstg.u8 [phi(0, 1, 256)], r1\n",
		   "invalid boundary coordinates: page=1 (must be < 48), "
		   "byte=256 (must be < 256)",
		   "phi byte 256");
	atlas_bound_pool_free(bp);
}

/* ---- all together -----------------------------------------------------------
 */

/*
 * Per lane k: c = cls.get (block size 8, so c = k / 8 mod 96); out[k] =
 * pool[bound.map(mirror(c), nbr.count(c) + phase, nbr.get(c, 0))] +
 * unity(c); res.accum.f32 c, 0.5; phase.adv 1.
 */
static void test_all(void)
{
	struct atlas_bound_pool *bp = atlas_bound_pool_new(NULL);
	uint8_t *pool = atlas_bound_pool_data(bp);
	struct atlas_resonance *R = atlas_resonance_new(NULL);
	struct atlas_run_state st;
	struct atlas_program *p;
	struct atlas_error err;
	const size_t n = 800;
	uint8_t y[800];
	struct atlas_arg a[1] = {arr(y, n)};
	int good;

	for (size_t i = 0; i < ATLAS_POOL_BYTES; i++)
		pool[i] = (uint8_t)(i * 31 + (i >> 8));
	memset(&st, 0, sizeof st);
	st.boundary.data = pool;
	st.boundary.size = ATLAS_POOL_BYTES;
	st.resonance = R;
	st.phase = 4;
	p = load(".kernel all\n.param y u8[] out r1\n"
		 "cls.get r2\nmirror r3, r2\nnbr.count r4, r2\n"
		 "phase.get r5\nadd.u32 r6, r4, r5\ncvt.u8.u32 r7, r6\n"
		 "nbr.get r8, r2, 0\nbound.map r9, r3, r7, r8\n"
		 "mov_imm.u64 r10, 0\nldg.u8 r11, [r10 + r9]\n"
		 "unity.test p0, r2\nmov_imm.u8 r12, 1\nmov_imm.u8 r13, 0\n"
		 "sel.u8 r14, p0, r12, r13\nadd.u8 r15, r11, r14\n"
		 "stg.u8 [r1 + r255], r15\n"
		 "mov_imm.f32 r16, 0.5\nres.accum.f32 r2, r16\nphase.adv 1\n");
	good = run_st(E, p, n, 8, a, 1, &st, &err) == ATLAS_OK;
	if (!good)
		diag("%s", err.msg);
	for (size_t k = 0; good && k < n; k++) {
		unsigned c = (unsigned)(k / 8 % 96), m, d;
		uint8_t nb[6];
		uint64_t off;

		atlas_class_mirror(ATLAS_NUMBERING_ATLAS, c, &m, NULL);
		atlas_class_neighbors(ATLAS_NUMBERING_ATLAS, c, nb, &d, NULL);
		atlas_bound_map(m, d + 4, nb[0], &off, NULL);
		good &= y[k] == (uint8_t)(pool[off] + (c == 1 || c == 4));
	}
	ok(good, "a kernel using every Atlas instruction");
	good = 1;
	for (unsigned c = 0; c < 96; c++) {
		/* lanes per class: 8 per block, blocks c and c + 96 */
		unsigned lanes = 8 * (c + 96 < n / 8 ? 2 : 1);

		good &= R->r[c].num * 2 == (int64_t)lanes && R->r[c].den == 1;
	}
	ok(good, "its resonance: 0.5 per lane of each class");
	ok(st.phase == (4 + 800) % 768 && st.epoch == 1,
	   "its phase: 4 + 800 lanes");
	atlas_program_free(p);
	atlas_resonance_free(R);
	atlas_bound_pool_free(bp);
}

int main(void)
{
	E = atlas_engine_new(NULL, NULL);
	if (!E)
		return 1;
	test_class_ops();
	test_class_errors();
	test_bound_map();
	test_cls_get();
	test_phase();
	test_resonance();
	test_boundary();
	test_all();
	atlas_engine_free(E);
	return done_testing();
}
