/*
 * t-exec-flow.c - control flow in the engine: LOOP as a do-while, lanes
 * that diverge and merge again (if/else, lane-dependent trip counts,
 * nesting), CALL/RET in divergent code, EXIT in some lanes, bar.sync and
 * memfence as no-ops, the special registers r252-r255 under 3-D launches
 * and lane sub-ranges, and the call stack limits.
 */
#include "tap.h"
#include "exec_util.h"

/* Lane counts each test runs with: within one block, across blocks. */
static const size_t sizes[] = {1, 7, 2048, 2049, 5000};
#define NSIZES (sizeof sizes / sizeof *sizes)

/* Run p with one u64 output per lane; 1 if out[i] == f(i) for all i. */
static int check_u64(struct atlas_program *p, const char *name,
		     uint64_t (*f)(uint64_t))
{
	int good = 1;

	for (size_t z = 0; z < NSIZES && good; z++) {
		size_t n = sizes[z];
		uint64_t *out = xcalloc(n, 8);
		struct atlas_arg a = arr(out, n * 8);
		struct atlas_error err;

		if (!p || run(p, n, &a, 1, &err) != ATLAS_OK) {
			diag("%s: n %zu: %s", name, n,
			     p ? err.msg : "no program");
			good = 0;
		}
		for (size_t i = 0; i < n && good; i++)
			if (out[i] != f(i)) {
				diag("%s: n %zu lane %zu: got %llu want %llu",
				     name, n, i, (unsigned long long)out[i],
				     (unsigned long long)f(i));
				good = 0;
			}
		free(out);
	}
	return ok(good, "%s", name);
}

/* ---- LOOP -------------------------------------------------------------------
 */

static void test_loop_uniform(void)
{
	struct atlas_program *p = load(".kernel l\n"
				       ".param c u32 value r1\n"
				       ".param o u64[] out r2\n"
				       "mov_imm.u64 r3, 0\n"
				       "mov_imm.u64 r4, 1\n"
				       "@body:\n"
				       "add.u64 r3, r3, r4\n"
				       "loop r1, @body\n"
				       "mov_imm.u32 r5, 3\n"
				       "shl.u64 r6, r255, r5\n"
				       "stg.u64 [r2 + r6], r3\n");
	const uint32_t counts[] = {0, 1, 5, 100, 1000};

	for (size_t k = 0; k < 5 && p; k++) {
		uint64_t out[5] = {0};
		struct atlas_arg a[2] = {scal(counts[k]), arr(out, sizeof out)};
		char name[64];

		snprintf(name, sizeof name, "loop with count %u", counts[k]);
		if (run_ok(p, 5, a, 2, name))
			ok(out[0] == counts[k] + 1 && out[4] == counts[k] + 1,
			   "loop with count %u runs the body %u times (%llu)",
			   counts[k], counts[k] + 1,
			   (unsigned long long)out[0]);
	}
	atlas_program_free(p);
}

/* lane % 37, computed in the programs with div, mul and sub */
#define LANE_MOD37                                                             \
	"mov_imm.u64 r40, 37\n"                                                \
	"div.u64 r41, r255, r40\n"                                             \
	"mul.u64 r41, r41, r40\n"                                              \
	"sub.u64 r42, r255, r41\n"

static uint64_t loop_per_lane(uint64_t i)
{
	return i % 37 + 1;
}

static uint64_t tri_mod37(uint64_t i)
{
	uint64_t t = i % 37;

	return t * (t - 1) / 2 * 1000 + t;
}

static uint64_t nested(uint64_t i)
{
	uint64_t x = 0;

	for (uint64_t j = 0; j < i % 5 + 1; j++) {
		if (j & 1) {
			if (i & 1)
				x += 1;
			else
				x += 10;
		} else {
			x += 100;
			for (uint64_t k = 0; k < (i + j) % 3; k++)
				x += 1000;
		}
	}
	return x;
}

static void test_loops(void)
{
	struct atlas_program *p;

	/* LOOP with a per-lane count: lane i runs the body i % 37 + 1 times */
	p = load(".kernel l\n.param o u64[] out r2\n" LANE_MOD37
		 "cvt.u32.u64 r1, r42\n"
		 "mov_imm.u64 r3, 0\n"
		 "mov_imm.u64 r4, 1\n"
		 "@body:\n"
		 "add.u64 r3, r3, r4\n"
		 "loop r1, @body\n"
		 "mov_imm.u32 r5, 3\n"
		 "shl.u64 r6, r255, r5\n"
		 "stg.u64 [r2 + r6], r3\n");
	check_u64(p, "loop with per-lane counts (lane % 37)", loop_per_lane);
	atlas_program_free(p);

	/* bra.p loop: lane i iterates i % 37 times, summing 0..t-1 */
	p = load(".kernel l\n.param o u64[] out r2\n" LANE_MOD37
		 "mov_imm.u64 r3, 0\n"
		 "mov_imm.u64 r4, 1\n"
		 "mov_imm.u64 r7, 0\n"
		 "mov_imm.u64 r8, 1000\n"
		 "@top:\n"
		 "setge.u64 p0, r7, r42\n"
		 "bra.p0 @done\n"
		 "mul.u64 r9, r7, r8\n"
		 "add.u64 r3, r3, r9\n"
		 "add.u64 r7, r7, r4\n"
		 "bra @top\n"
		 "@done:\n"
		 "add.u64 r3, r3, r7\n"
		 "mov_imm.u32 r5, 3\n"
		 "shl.u64 r6, r255, r5\n"
		 "stg.u64 [r2 + r6], r3\n");
	check_u64(p, "bra.p loop with lane-dependent trip counts", tri_mod37);
	atlas_program_free(p);

	/*
	 * Nested divergence: a loop of i % 5 + 1 iterations; odd iterations
	 * branch on the lane's parity, even ones run an inner LOOP-less
	 * bra loop of (i + j) % 3 iterations.
	 */
	p = load(".kernel n\n.param o u64[] out r2\n"
		 "mov_imm.u64 r40, 5\n"
		 "div.u64 r41, r255, r40\n"
		 "mul.u64 r41, r41, r40\n"
		 "sub.u64 r42, r255, r41\n" /* i % 5 */
		 "mov_imm.u64 r1, 1\n"
		 "mov_imm.u64 r0, 0\n"
		 "add.u64 r42, r42, r1\n" /* trips */
		 "mov_imm.u64 r3, 0\n"	  /* x */
		 "mov_imm.u64 r7, 0\n"	  /* j */
		 "mov_imm.u64 r10, 1\n"
		 "mov_imm.u64 r11, 10\n"
		 "mov_imm.u64 r12, 100\n"
		 "mov_imm.u64 r13, 1000\n"
		 "mov_imm.u64 r14, 3\n"
		 "and.u64 r15, r255, r1\n"
		 "setne.u64 p3, r15, r0\n" /* lane odd */
		 "@outer:\n"
		 "and.u64 r16, r7, r1\n"
		 "seteq.u64 p1, r16, r0\n"
		 "bra.p1 @even_j\n"
		 "bra.p3 @odd_lane\n"
		 "add.u64 r3, r3, r11\n"
		 "bra @next\n"
		 "@odd_lane:\n"
		 "add.u64 r3, r3, r10\n"
		 "bra @next\n"
		 "@even_j:\n"
		 "add.u64 r3, r3, r12\n"
		 "add.u64 r17, r255, r7\n"
		 "div.u64 r18, r17, r14\n"
		 "mul.u64 r18, r18, r14\n"
		 "sub.u64 r17, r17, r18\n" /* (i + j) % 3 */
		 "mov_imm.u64 r19, 0\n"
		 "@inner:\n"
		 "setge.u64 p2, r19, r17\n"
		 "bra.p2 @next\n"
		 "add.u64 r3, r3, r13\n"
		 "add.u64 r19, r19, r1\n"
		 "bra @inner\n"
		 "@next:\n"
		 "add.u64 r7, r7, r1\n"
		 "setlt.u64 p0, r7, r42\n"
		 "bra.p0 @outer\n"
		 "mov_imm.u32 r5, 3\n"
		 "shl.u64 r6, r255, r5\n"
		 "stg.u64 [r2 + r6], r3\n");
	check_u64(p, "if inside if inside loops, lanes diverging at each level",
		  nested);
	atlas_program_free(p);
}

static uint64_t odd9(uint64_t i)
{
	return i & 1 ? 9 : 7;
}

static uint64_t four(uint64_t i)
{
	return i & 1 ? 4000 : 4;
}

/*
 * One uniform count register feeds two loops on the two sides of a
 * branch: the even lanes' loop must not use up the odd lanes' count.
 * A uniform predicate is then overwritten in the odd lanes only.
 */
static void test_shared_count(void)
{
	struct atlas_program *p = load(".kernel sc\n.param o u64[] out r2\n"
				       "mov_imm.u32 r1, 3\n"
				       "mov_imm.u64 r3, 0\n"
				       "mov_imm.u64 r4, 1\n"
				       "mov_imm.u64 r5, 1000\n"
				       "mov_imm.u64 r0, 0\n"
				       "and.u64 r6, r255, r4\n"
				       "setne.u64 p0, r6, r0\n"
				       "bra.p0 @odd\n"
				       "@even_body:\n"
				       "add.u64 r3, r3, r4\n"
				       "loop r1, @even_body\n"
				       "bra @join\n"
				       "@odd:\n"
				       "add.u64 r3, r3, r5\n"
				       "loop r1, @odd\n"
				       "@join:\n"
				       "mov_imm.u32 r8, 3\n"
				       "shl.u64 r9, r255, r8\n"
				       "stg.u64 [r2 + r9], r3\n");
	struct atlas_program *q = load(".kernel up\n.param o u64[] out r2\n"
				       "mov_imm.u64 r4, 1\n"
				       "mov_imm.u64 r0, 0\n"
				       "mov_imm.u64 r5, 7\n"
				       "setlt.u64 p1, r0, r4\n" /* uniform true
								 */
				       "and.u64 r6, r255, r4\n"
				       "seteq.u64 p0, r6, r0\n"
				       "bra.p0 @even\n"
				       "setlt.u64 p1, r4, r0\n" /* false, odd
								   lanes only */
				       "@even:\n"
				       "bra.p1 @store\n"
				       "mov_imm.u64 r5, 9\n"
				       "@store:\n"
				       "mov_imm.u32 r8, 3\n"
				       "shl.u64 r9, r255, r8\n"
				       "stg.u64 [r2 + r9], r5\n");

	check_u64(p, "one uniform loop count shared by two divergent loops",
		  four);
	check_u64(q, "a uniform predicate overwritten in some lanes", odd9);
	atlas_program_free(p);
	atlas_program_free(q);
}

/* LOOP counts loaded from memory: the count is a copy, memory unchanged */
static void test_loop_from_memory(void)
{
	const size_t n = 2000;
	uint32_t *c = xcalloc(n, 4);
	uint64_t *o = xcalloc(n, 8);
	struct atlas_arg a[2] = {arr(c, n * 4), arr(o, n * 8)};
	struct atlas_program *p = load(".kernel lm\n"
				       ".param c u32[] inout r1\n"
				       ".param o u64[] out r2\n"
				       "mov_imm.u32 r5, 2\n"
				       "shl.u64 r6, r255, r5\n"
				       "ldg.u32 r7, [r1 + r6]\n"
				       "mov_imm.u64 r3, 0\n"
				       "mov_imm.u64 r4, 1\n"
				       "@body:\n"
				       "add.u64 r3, r3, r4\n"
				       "loop r7, @body\n"
				       "mov_imm.u32 r5, 3\n"
				       "shl.u64 r6, r255, r5\n"
				       "stg.u64 [r2 + r6], r3\n");
	int good;

	for (size_t i = 0; i < n; i++)
		c[i] = (uint32_t)(i * 7 % 23);
	good = run_ok(p, n, a, 2, "loop on counts loaded from memory");
	for (size_t i = 0; i < n && good; i++)
		good = o[i] == i * 7 % 23 + 1 && c[i] == i * 7 % 23;
	ok(good, "... each lane loops count + 1 times, the counts in memory "
		 "stay");
	a[0] = arr(c, 4);
	{
		struct atlas_error err;

		ok(run(p, 1, a, 1, &err) == ATLAS_ERR_ARG &&
			   strcmp(err.msg,
				  "kernel 'lm' takes 2 arguments, got 1") == 0,
		   "a wrong argument count is refused (%s)", err.msg);
	}
	atlas_program_free(p);
	free(c);
	free(o);
}

/* ---- if/else ----------------------------------------------------------------
 */

static uint64_t ifelse(uint64_t i)
{
	uint64_t a = i * 7 + 3;

	return ((i % 3 == 0) ? a * 2 : a + 100) + 1;
}

static void test_ifelse(void)
{
	struct atlas_program *p = load(".kernel ie\n.param o u64[] out r2\n"
				       "mov_imm.u64 r1, 7\n"
				       "mov_imm.u64 r3, 3\n"
				       "mul.u64 r10, r255, r1\n"
				       "add.u64 r10, r10, r3\n" /* a = 7i + 3,
								   affine */
				       "div.u64 r4, r255, r3\n"
				       "mul.u64 r4, r4, r3\n"
				       "seteq.u64 p0, r4, r255\n" /* i % 3 == 0
								   */
				       "bra.p0 @then\n"
				       "mov_imm.u64 r5, 100\n"
				       "add.u64 r11, r10, r5\n"
				       "bra @join\n"
				       "@then:\n"
				       "add.u64 r11, r10, r10\n"
				       "@join:\n"
				       "mov_imm.u64 r6, 1\n"
				       "add.u64 r11, r11, r6\n"
				       "mov_imm.u32 r7, 3\n"
				       "shl.u64 r8, r255, r7\n"
				       "stg.u64 [r2 + r8], r11\n");

	check_u64(p, "if/else: lanes take different sides, results merge",
		  ifelse);
	atlas_program_free(p);
}

/* ---- CALL / RET
 * --------------------------------------------------------------- */

static uint64_t calls(uint64_t i)
{
	uint64_t x = i;

	if (i & 1)
		x = x * 3 + 1; /* f */
	if (i % 3 == 0)
		x = (x * 3 + 1) * 2 + 5; /* g calls f, then doubles, adds 5 */
	x = x * 3 + 1;			 /* f from a third site, all lanes */
	return x;
}

static void test_calls(void)
{
	struct atlas_program *p = load(".kernel c\n.param o u64[] out r2\n"
				       "mov.u64 r20, r255\n"
				       "mov_imm.u64 r1, 1\n"
				       "mov_imm.u64 r0, 0\n"
				       "mov_imm.u64 r3, 3\n"
				       "mov_imm.u64 r4, 2\n"
				       "mov_imm.u64 r5, 5\n"
				       "and.u64 r6, r255, r1\n"
				       "seteq.u64 p0, r6, r0\n"
				       "bra.p0 @s1\n"
				       "call @f\n" /* odd lanes */
				       "@s1:\n"
				       "div.u64 r7, r255, r3\n"
				       "mul.u64 r7, r7, r3\n"
				       "setne.u64 p1, r7, r255\n"
				       "bra.p1 @s2\n"
				       "call @g\n" /* lanes i % 3 == 0 */
				       "@s2:\n"
				       "call @f\n"
				       "mov_imm.u32 r8, 3\n"
				       "shl.u64 r9, r255, r8\n"
				       "stg.u64 [r2 + r9], r20\n"
				       "exit\n"
				       "@f:\n"
				       "mul.u64 r20, r20, r3\n"
				       "add.u64 r20, r20, r1\n"
				       "ret\n"
				       "@g:\n"
				       "call @f\n"
				       "mul.u64 r20, r20, r4\n"
				       "add.u64 r20, r20, r5\n"
				       "ret\n");

	check_u64(p, "call/ret from divergent code, two sites, nested calls",
		  calls);
	atlas_program_free(p);
}

static uint64_t recurse(uint64_t i)
{
	return (i % 10) * 2 + 1;
}

/* f(k) = k ? f(k - 1) + 2 : 1, lane i calls f(i % 10): divergent depths */
static void test_recursion(void)
{
	struct atlas_program *p = load(".kernel r\n.param o u64[] out r2\n"
				       "mov_imm.u64 r40, 10\n"
				       "div.u64 r41, r255, r40\n"
				       "mul.u64 r41, r41, r40\n"
				       "sub.u64 r10, r255, r41\n"
				       "mov_imm.u64 r1, 1\n"
				       "mov_imm.u64 r0, 0\n"
				       "mov_imm.u64 r3, 2\n"
				       "mov_imm.u64 r20, 1\n"
				       "call @f\n"
				       "mov_imm.u32 r8, 3\n"
				       "shl.u64 r9, r255, r8\n"
				       "stg.u64 [r2 + r9], r20\n"
				       "exit\n"
				       "@f:\n"
				       "seteq.u64 p0, r10, r0\n"
				       "bra.p0 @base\n"
				       "sub.u64 r10, r10, r1\n"
				       "call @f\n"
				       "add.u64 r20, r20, r3\n"
				       "@base:\n"
				       "ret\n");

	check_u64(p, "recursion to lane-dependent depths", recurse);
	atlas_program_free(p);
}

static void test_call_limits(void)
{
	struct atlas_program *p =
		load(".kernel r\n.param d u32 value r1\n.param o u32[] out r2\n"
		     "mov_imm.u32 r3, 1\n"
		     "mov_imm.u32 r4, 0\n"
		     "mov_imm.u32 r5, 0\n"
		     "call @f\n"
		     "stg.u32 [r2 + 0], r5\n"
		     "exit\n"
		     "@f:\n"
		     "add.u32 r5, r5, r3\n"
		     "seteq.u32 p0, r1, r4\n"
		     "bra.p0 @out\n"
		     "sub.u32 r1, r1, r3\n"
		     "call @f\n"
		     "@out:\n"
		     "ret\n");
	uint32_t out = 0;
	struct atlas_arg a[2] = {scal(255), arr(&out, 4)};

	if (run_ok(p, 3, a, 2, "256 nested calls run"))
		is_int(out, 256, "... and f ran 256 times");
	a[0] = scal(256);
	run_fails(p, 3, a, 2, ATLAS_ERR_EXEC,
		  "call stack overflow (max depth: 256)",
		  "257 nested calls overflow the call stack");
	atlas_program_free(p);

	/* only lanes 5.. recurse too deep: still an error */
	p = load(".kernel r\n"
		 "cvt.u32.u64 r1, r255\n"
		 "mov_imm.u32 r6, 60\n"
		 "mul.u32 r1, r1, r6\n"
		 "mov_imm.u32 r3, 1\n"
		 "mov_imm.u32 r4, 0\n"
		 "call @f\n"
		 "exit\n"
		 "@f:\n"
		 "seteq.u32 p0, r1, r4\n"
		 "bra.p0 @out\n"
		 "sub.u32 r1, r1, r3\n"
		 "call @f\n"
		 "@out:\n"
		 "ret\n");
	run_fails(p, 8, NULL, 0, ATLAS_ERR_EXEC,
		  "call stack overflow (max depth: 256)",
		  "lanes recursing 300 deep overflow, shallower ones do not");
	atlas_program_free(p);

	/* ret with an empty stack, in the odd lanes only */
	p = load(".kernel u\n"
		 "mov_imm.u64 r1, 1\n"
		 "mov_imm.u64 r0, 0\n"
		 "and.u64 r3, r255, r1\n"
		 "seteq.u64 p0, r3, r0\n"
		 "bra.p0 @even\n"
		 "ret\n"
		 "@even:\n"
		 "exit\n");
	if (p) {
		run_fails(p, 4, NULL, 0, ATLAS_ERR_EXEC,
			  "call stack underflow: attempted return with empty "
			  "call stack",
			  "ret with an empty call stack");
		atlas_program_free(p);
	}
}

/* ---- EXIT, no-ops, setcc/sel -----------------------------------------------
 */

static void test_exit(void)
{
	size_t n = 3000;
	uint32_t *out = xcalloc(n, 4);
	struct atlas_arg a = arr(out, n * 4);
	struct atlas_program *p = load(".kernel e\n.param o u32[] inout r2\n"
				       "mov_imm.u64 r3, 3\n"
				       "div.u64 r4, r255, r3\n"
				       "mul.u64 r4, r4, r3\n"
				       "seteq.u64 p0, r4, r255\n"
				       "mov_imm.u32 r5, 2\n"
				       "shl.u64 r6, r255, r5\n"
				       "cvt.u32.u64 r7, r255\n"
				       "bra.p0 @quit\n"
				       "stg.u32 [r2 + r6], r7\n"
				       "bra @end\n"
				       "@quit:\n"
				       "exit\n"
				       "stg.u32 [r2 + r6], r5\n" /* never
								    reached */
				       "@end:\n");
	int good = 1;

	for (size_t i = 0; i < n; i++)
		out[i] = 0xdeadbeef;
	if (run_ok(p, n, &a, 1, "exit in every third lane")) {
		for (size_t i = 0; i < n; i++)
			good &= out[i] == (i % 3 ? (uint32_t)i : 0xdeadbeef);
		ok(good, "exited lanes store nothing, the others run on");
	}
	atlas_program_free(p);
	free(out);
}

static uint64_t noops(uint64_t i)
{
	return (i & 1) ? i * 5 : i * 5 + 2;
}

static void test_sync_noops(void)
{
	struct atlas_program *p = load(".kernel s\n.param o u64[] out r2\n"
				       "bar.sync 0\n"
				       "mov_imm.u64 r1, 5\n"
				       "memfence.thread\n"
				       "mul.u64 r3, r255, r1\n"
				       "memfence.block\n"
				       "mov_imm.u64 r4, 1\n"
				       "mov_imm.u64 r0, 0\n"
				       "and.u64 r5, r255, r4\n"
				       "setne.u64 p0, r5, r0\n"
				       "bra.p0 @odd\n"
				       "bar.sync 1\n"
				       "memfence.device\n"
				       "mov_imm.u64 r6, 2\n"
				       "add.u64 r3, r3, r6\n"
				       "memfence.system\n"
				       "@odd:\n"
				       "bar.sync 0\n"
				       "mov_imm.u32 r8, 3\n"
				       "shl.u64 r9, r255, r8\n"
				       "stg.u64 [r2 + r9], r3\n");

	check_u64(p, "bar.sync and memfence (all scopes) are no-ops", noops);
	atlas_program_free(p);
}

static uint64_t maxsel(uint64_t i)
{
	uint64_t a = (i * 2654435761u) % 1000, b = 999 - i % 1000;

	return a > b ? a : b;
}

static void test_setcc_sel(void)
{
	struct atlas_program *p = load(".kernel m\n.param o u64[] out r2\n"
				       "mov_imm.u64 r1, 2654435761\n"
				       "mov_imm.u64 r3, 1000\n"
				       "mov_imm.u64 r4, 999\n"
				       "mul.u64 r10, r255, r1\n"
				       "div.u64 r5, r10, r3\n"
				       "mul.u64 r5, r5, r3\n"
				       "sub.u64 r10, r10, r5\n" /* a */
				       "div.u64 r5, r255, r3\n"
				       "mul.u64 r5, r5, r3\n"
				       "sub.u64 r11, r255, r5\n"
				       "sub.u64 r11, r4, r11\n" /* b */
				       "setgt.u64 p5, r10, r11\n"
				       "sel.u64 r12, p5, r10, r11\n"
				       "mov_imm.u32 r8, 3\n"
				       "shl.u64 r9, r255, r8\n"
				       "stg.u64 [r2 + r9], r12\n");

	check_u64(p, "setgt into a predicate, sel picks the larger", maxsel);
	atlas_program_free(p);
}

/* ---- special registers and launch geometry ----------------------------------
 */

struct geo {
	uint32_t g[3], b[3];
};

/* Store r252..r255 of every lane at index r255; check reference 2.6. */
static void test_geometry(const struct geo *G, uint64_t begin, uint64_t end)
{
	uint64_t per = (uint64_t)G->b[0] * G->b[1] * G->b[2];
	uint64_t total = per * G->g[0] * G->g[1] * G->g[2];
	uint32_t *tx = xcalloc(total, 4), *bx = xcalloc(total, 4),
		 *bd = xcalloc(total, 4);
	uint64_t *gl = xcalloc(total, 8);
	struct atlas_arg a[4] = {arr(tx, total * 4), arr(bx, total * 4),
				 arr(bd, total * 4), arr(gl, total * 8)};
	struct atlas_program *p = load(".kernel g\n"
				       ".param tx u32[] out r1\n"
				       ".param bx u32[] out r2\n"
				       ".param bd u32[] out r3\n"
				       ".param gl u64[] out r4\n"
				       "mov_imm.u32 r5, 2\n"
				       "shl.u64 r6, r255, r5\n"
				       "mov_imm.u32 r5, 3\n"
				       "shl.u64 r7, r255, r5\n"
				       "stg.u32 [r1 + r6], r252\n"
				       "stg.u32 [r2 + r6], r253\n"
				       "stg.u32 [r3 + r6], r254\n"
				       "stg.u64 [r4 + r7], r255\n");
	struct atlas_launch l;
	struct atlas_error err;
	uint64_t bad = total;
	int whole;

	memset(&l, 0, sizeof l);
	memcpy(l.grid, G->g, sizeof l.grid);
	memcpy(l.block, G->b, sizeof l.block);
	l.lane_begin = begin;
	l.lane_end = end;
	for (uint64_t i = 0; i < total; i++)
		gl[i] = 0xfefefefe;
	if (!p || atlas_engine_run(E, p, &l, a, 4, &err) != ATLAS_OK) {
		ok(0, "grid (%u,%u,%u) block (%u,%u,%u) runs", G->g[0], G->g[1],
		   G->g[2], G->b[0], G->b[1], G->b[2]);
		diag("%s", p ? err.msg : "no program");
		goto out;
	}
	whole = !begin && !end;
	if (!end)
		end = total;
	for (uint64_t i = 0; i < total && bad == total; i++) {
		uint64_t k = i / per, j = i % per;

		if (i < begin || i >= end) {
			if (gl[i] != 0xfefefefe)
				bad = i;
			continue;
		}
		if (gl[i] != i || tx[i] != j % G->b[0] ||
		    bx[i] != k % G->g[0] || bd[i] != G->b[0])
			bad = i;
	}
	if (!ok(bad == total,
		"grid (%u,%u,%u) block (%u,%u,%u) lanes [%llu, %llu): "
		"r252-r255 per reference 2.6",
		G->g[0], G->g[1], G->g[2], G->b[0], G->b[1], G->b[2],
		(unsigned long long)begin, (unsigned long long)end))
		diag("lane %llu: r252 %u r253 %u r254 %u r255 %llu",
		     (unsigned long long)bad, tx[bad], bx[bad], bd[bad],
		     (unsigned long long)gl[bad]);
	if (G->g[0] == 4 && G->g[1] == 4 && G->g[2] == 2 && whole) {
		/* block (1,2,0) is block_linear 9: lanes 144..159 */
		int good = 1;

		for (uint64_t i = 9 * per; i < 10 * per; i++)
			good &= bx[i] == 1 && gl[i] == i;
		ok(good && tx[9 * per + 3] == 3 && tx[9 * per + 8 + 3] == 3,
		   "block (1,2,0) in grid (4,4,2) is block_linear 9");
	}
out:
	atlas_program_free(p);
	free(tx);
	free(bx);
	free(bd);
	free(gl);
}

static void test_launch(void)
{
	const struct geo geos[] = {
		{{4, 4, 2}, {8, 2, 1}},	  {{3, 2, 2}, {5, 3, 2}},
		{{1, 1, 1}, {1, 1, 1}},	  {{3, 1, 1}, {1000, 1, 1}},
		{{2, 3, 1}, {700, 1, 2}},
	};
	struct atlas_program *p = load(".kernel z\n.param o u32[] out r1\n"
				       "stg.u32 [r1 + 0], r252\n");
	struct atlas_launch l;
	struct atlas_error err;
	uint8_t out[16];
	struct atlas_arg a = arr(out, sizeof out);

	for (size_t k = 0; k < sizeof geos / sizeof *geos; k++)
		test_geometry(&geos[k], 0, 0);
	test_geometry(&geos[0], 100, 300);
	test_geometry(&geos[3], 1500, 2900);
	test_geometry(&geos[4], 1023, 1025);
	test_geometry(&geos[4], 5, 5);

	memset(&l, 0, sizeof l);
	l.grid[0] = l.grid[1] = l.grid[2] = 1;
	l.block[0] = 4;
	l.block[1] = 0;
	l.block[2] = 1;
	if (!ok(p && atlas_engine_run(E, p, &l, &a, 1, &err) == ATLAS_ERR_ARG,
		"a zero block dimension is refused"))
		return;
	is_str(err.msg, "invalid launch configuration: zero dimension",
	       "... with its message");
	/* an empty linear launch runs no lane (lane_end 0 means "all") */
	l = atlas_launch_linear(0, 4);
	ok(atlas_engine_run(E, p, &l, &a, 1, &err) == ATLAS_OK,
	   "atlas_launch_linear(0, 4) runs");
	{
		struct atlas_arg none = arr(out, 0);

		ok(atlas_engine_run(E, p, &l, &none, 1, &err) == ATLAS_OK,
		   "atlas_launch_linear(0, 4) runs no lane (empty buffer: %s)",
		   err.msg);
	}
	l.grid[0] = l.grid[1] = l.grid[2] = 1;
	l.block[0] = 4;
	l.block[1] = l.block[2] = 1;
	l.lane_begin = 2;
	l.lane_end = 5;
	ok(atlas_engine_run(E, p, &l, &a, 1, &err) == ATLAS_ERR_ARG,
	   "lanes past the grid are refused");
	is_str(err.msg,
	       "invalid launch configuration: lanes [2, 5) outside a grid of 4 "
	       "lanes",
	       "... with its message");
	atlas_program_free(p);
}

/*
 * A register holds f32 in even lanes and u64 in odd lanes: the odd lanes
 * run first and write their u64 under a mask; the even lanes' f32 values
 * must survive in their own layout.
 */
static void test_mixed_types(void)
{
	const size_t n = 5000;
	float *x = xcalloc(n, 4), *y = xcalloc(n, 4);
	uint64_t *z = xcalloc(n, 8);
	struct atlas_arg a[3] = {arr(x, n * 4), arr(y, n * 4), arr(z, n * 8)};
	struct atlas_program *p = load(".kernel mixed\n"
				       ".param x f32[] in r1\n"
				       ".param y f32[] out r2\n"
				       ".param z u64[] out r3\n"
				       "mov_imm.u32 r250, 2\n"
				       "shl.u64 r0, r255, r250\n"
				       "mov_imm.u32 r251, 3\n"
				       "shl.u64 r9, r255, r251\n"
				       "ldg.f32 r5, [r1 + r0]\n"
				       "mov_imm.u64 r7, 1\n"
				       "and.u64 r8, r255, r7\n"
				       "setne.u64 p0, r8, r7\n"
				       "bra.p0 @even\n"
				       "mov_imm.u64 r5, 77\n"
				       "stg.u64 [r3 + r9], r5\n"
				       "exit\n"
				       "@even:\n"
				       "stg.f32 [r2 + r0], r5\n");
	int good = 1;

	for (size_t i = 0; i < n; i++)
		x[i] = (float)i + 0.5f;
	if (run_ok(p, n, a, 3, "one register, two types in two branches")) {
		for (size_t i = 0; i < n; i++)
			if (i % 2 ? z[i] != 77 || y[i] != 0 :
				    y[i] != x[i] || z[i] != 0)
				good = 0;
		ok(good, "each lane keeps the value of its own type");
	}
	atlas_program_free(p);
	free(x);
	free(y);
	free(z);
}

int main(void)
{
	E = atlas_engine_new(NULL, NULL);
	if (!E)
		return 1;
	test_loop_uniform();
	test_loops();
	test_shared_count();
	test_loop_from_memory();
	test_ifelse();
	test_calls();
	test_recursion();
	test_call_limits();
	test_exit();
	test_sync_noops();
	test_setcc_sel();
	test_launch();
	test_mixed_types();
	atlas_engine_free(E);
	return done_testing();
}
