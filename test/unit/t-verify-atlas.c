/*
 * t-verify-atlas.c - the verifier's static Atlas and memory checks
 * (verify_atlas.c): for each check id a failing program with its exact
 * message, id and place, and passing programs next to it; constants
 * through arithmetic, joins and loops; every bundled kernel still
 * verifies, and how long that takes.
 */
#include <stdlib.h>
#include <time.h>

#include "atlas.h"
#include "files.h"
#include "tap.h"

#define KDIR "share/atlas/kernels"
/* a u8 in and out, lane by lane: the body of most programs below */
#define COPY                                                                   \
	".param x u8[] in r1\n.param y u8[] out r2\n"                          \
	"\tldg.u8 r10, [r1 + r255]\n\tstg.u8 [r2 + r255], r10\n"

static struct atlas_program *parse(const char *text, struct atlas_error *err)
{
	struct atlas_program *p = NULL;

	memset(err, 0, sizeof *err);
	if (atlas_program_parse(text, strlen(text), ATLAS_FORMAT_ASM, &p,
				err) != ATLAS_OK)
		return NULL;
	return p;
}

/* text verifies. */
static void passes(const char *text, const char *name)
{
	struct atlas_error err;
	struct atlas_program *p = parse(text, &err);

	if (!ok(p != NULL, "%s", name))
		diag("%zu:%zu: [%s] %s", err.line, err.col, err.id, err.msg);
	atlas_program_free(p);
}

/* text fails to verify with exactly id, line:col and msg. */
static void fails(const char *text, const char *id, size_t line, size_t col,
		  const char *msg, const char *name)
{
	struct atlas_error err;
	struct atlas_program *p = parse(text, &err);

	if (p) {
		ok(0, "%s", name);
		diag("verified; want [%s] %s", id, msg);
		atlas_program_free(p);
		return;
	}
	if (!ok(err.code == ATLAS_ERR_VERIFY && strcmp(err.id, id) == 0 &&
			err.line == line && err.col == col &&
			strcmp(err.msg, msg) == 0,
		"%s", name))
		diag("got %d %zu:%zu: [%s] %s; want %zu:%zu: [%s] %s",
		     (int)err.code, err.line, err.col, err.id, err.msg, line,
		     col, id, msg);
}

/* ---- index-range --------------------------------------------------------
 */

#define RED(n)                                                                 \
	".kernel r\n.param x f32[] in r1 element\n"                            \
	".param result f32[] out r2 reduction " n "\n"                         \
	"\tmov_imm.u32 r0, 2\n\tshl.u64 r3, r255, r0\n"                        \
	"\tldg.f32 r10, [r1 + r3]\n"

static void test_index_range(void)
{
	fails(RED("1") "\tatom.add.f32 [r2 + 12], r10\n", "index-range", 7, 2,
	      "index out of range: 'result' has 1 element, access at element "
	      "3",
	      "reduction of 1: [r2 + 12]");
	passes(RED("1") "\tatom.add.f32 [r2 + 0], r10\n",
	       "reduction of 1: [r2 + 0]");
	fails(RED("4") "\tatom.add.f32 [buf2 + 16], r10\n", "index-range", 7, 2,
	      "index out of range: 'result' has 4 elements, access at "
	      "element 4",
	      "reduction of 4: [buf2 + 16]");
	passes(RED("4") "\tatom.add.f32 [buf2 + 12], r10\n",
	       "reduction of 4: [buf2 + 12]");
	/* a computed constant offset: 1 << 3 */
	fails(RED("2") "\tmov_imm.u64 r4, 1\n\tmov_imm.u32 r5, 3\n"
		       "\tshl.u64 r4, r4, r5\n\tatom.add.f32 [r2 + r4], r10\n",
	      "index-range", 10, 2,
	      "index out of range: 'result' has 2 elements, access at "
	      "element 2",
	      "reduction of 2: [r2 + (1 << 3)]");
	passes(RED("2") "\tmov_imm.u64 r4, 1\n\tmov_imm.u32 r5, 2\n"
			"\tshl.u64 r4, r4, r5\n\tatom.add.f32 [r2 + r4], r10\n",
	       "reduction of 2: [r2 + (1 << 2)]");
	/* a handle moved to another register is still the handle */
	fails(RED("1") "\tmov.u64 r6, r2\n\tatom.add.f32 [r6 + 4], r10\n",
	      "index-range", 8, 2,
	      "index out of range: 'result' has 1 element, access at element "
	      "1",
	      "reduction through a copied handle");
	/* joins: equal constants stay constant, different ones do not */
	fails(RED("1") "\tsetlt.u32 p0, r252, r254\n\tbra.p0 @a\n"
		       "\tmov_imm.u64 r4, 8\n\tbra @j\n@a:\n"
		       "\tmov_imm.u64 r4, 8\n@j:\n"
		       "\tatom.add.f32 [r2 + r4], r10\n",
	      "index-range", 14, 2,
	      "index out of range: 'result' has 1 element, access at element "
	      "2",
	      "the same constant on both paths");
	passes(RED("1") "\tsetlt.u32 p0, r252, r254\n\tbra.p0 @a\n"
			"\tmov_imm.u64 r4, 8\n\tbra @j\n@a:\n"
			"\tmov_imm.u64 r4, 0\n@j:\n"
			"\tatom.add.f32 [r2 + r4], r10\n",
	       "different constants on two paths: not proven");
	passes(RED("1") "\tmov_imm.u64 r4, 0\n\tmov_imm.u64 r5, 4\n"
			"\tmov_imm.u32 r6, 3\n@top:\n"
			"\tatom.add.f32 [r2 + r4], r10\n"
			"\tadd.u64 r4, r4, r5\n\tloop r6, @top\n",
	       "an offset that a loop changes: not proven (run-time check)");
	passes(RED("") "\tatom.add.f32 [r2 + 400], r10\n",
	       "a reduction of unknown length: not checked");

	/* records of constant length 3: (lane * 3 + j) * 4 */
#define REC(j)                                                                 \
	".kernel rec\n.param x f32[] in r1 record 3\n"                         \
	".param y f32[] out r2\n"                                              \
	"\tmov_imm.u64 r4, 3\n\tmul.u64 r5, r255, r4\n"                        \
	"\tmov_imm.u64 r6, " j "\n\tadd.u64 r5, r5, r6\n"                      \
	"\tmov_imm.u32 r7, 2\n\tshl.u64 r5, r5, r7\n"                          \
	"\tldg.f32 r10, [r1 + r5]\n"                                           \
	"\tmov_imm.u32 r8, 2\n\tshl.u64 r9, r255, r8\n"                        \
	"\tstg.f32 [r2 + r9], r10\n"
	fails(REC("3"), "index-range", 10, 2,
	      "index out of range: 'x' has records of 3 elements, access at "
	      "element 3 of each lane's record",
	      "record of 3: element 3");
	passes(REC("2"), "record of 3: element 2");
#undef REC
}

/* ---- class-hop, class-index ---------------------------------------------
 */

static void test_classes(void)
{
	char text[512];

	fails(".kernel h\n.param y u8[] out r1\n\tmov_imm.u8 r10, 0\n"
	      "\tnbr.get r11, r10, 5\n\tstg.u8 [r1 + r255], r11\n",
	      "class-hop", 4, 2,
	      "neighbor index 5 out of range for class 0 (degree 5)",
	      "nbr.get past the degree of class 0");
	passes(".kernel h\n.param y u8[] out r1\n\tmov_imm.u8 r10, 0\n"
	       "\tnbr.get r11, r10, 4\n\tstg.u8 [r1 + r255], r11\n",
	       "nbr.get 4 of class 0: a legal hop");
	passes(".kernel h\n.param y u8[] out r1\n\tmov_imm.u8 r10, 1\n"
	       "\tnbr.get r11, r10, 5\n\tstg.u8 [r1 + r255], r11\n",
	       "nbr.get 5 of class 1 (degree 6): a legal hop");
	/* mirror(9) = 6, of degree 5 */
	fails(".kernel h\n.param y u8[] out r1\n\tmov_imm.u8 r10, 9\n"
	      "\tmirror r11, r10\n\tnbr.get r12, r11, 5\n"
	      "\tstg.u8 [r1 + r255], r12\n",
	      "class-hop", 5, 2,
	      "neighbor index 5 out of range for class 6 (degree 5)",
	      "a class computed by mirror");
	passes(".kernel h\n.param x u8[] in r1\n.param y u8[] out r2\n"
	       "\tldg.u8 r10, [r1 + r255]\n\tnbr.get r11, r10, 5\n"
	       "\tstg.u8 [r2 + r255], r11\n",
	       "a class loaded per lane: the run-time check");

	static const char *const ops[] = {"mirror r11, r10",
					  "nbr.count r11, r10",
					  "nbr.get r11, r10, 0",
					  "unity.test p0, r10"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof text,
			 ".kernel c\n\tmov_imm.u8 r10, 96\n\t%s\n", ops[i]);
		fails(text, "class-index", 3, 2,
		      "invalid class index: 96 (must be < 96)", ops[i]);
	}
	fails(".kernel c\n\tmov_imm.u8 r10, 200\n\tmov_imm.f32 r11, 0.5\n"
	      "\tres.accum.f32 r10, r11\n",
	      "class-index", 4, 2, "invalid class index: 200 (must be < 96)",
	      "res.accum on class 200");
	fails(".kernel c\n\tmov_imm.u8 r10, 96\n\tmov_imm.u8 r11, 0\n"
	      "\tbound.map r12, r10, r11, r11\n",
	      "class-index", 4, 2,
	      "invalid class ID 96 for BoundMap (must be < 96)",
	      "bound.map on class 96");
	fails(".kernel c\n\tmov_imm.u8 r10, 5\n\tmov_imm.u8 r11, 48\n"
	      "\tbound.map r12, r10, r11, r11\n",
	      "boundary-coords", 4, 2,
	      "invalid \xce\xa6-coordinate for BoundMap: invalid page: 48 "
	      "(must be in [0, 48))",
	      "bound.map on page 48");
	passes(".kernel c\n\tmov_imm.u8 r10, 95\n\tmov_imm.u8 r11, 47\n"
	       "\tbound.map r12, r10, r11, r11\n\tmirror r13, r10\n",
	       "class 95, page 47");
}

/* ---- unity-neutral ------------------------------------------------------
 */

#define UNI                                                                    \
	".kernel u\n.param y u8[] out r1\n.unity_neutral\n"                    \
	"\tmov_imm.u8 r10, 10\n\tmov_imm.u8 r11, 42\n"                         \
	"\tmov_imm.f64 r12, 1.0\n\tmov_imm.f64 r13, 3.0\n"                     \
	"\tdiv.f64 r14, r12, r13\n"

static void test_unity(void)
{
	/* 1/3 as a double is 6004799503160661/2^54; less 1/4 */
	fails(UNI "\tmov_imm.f64 r15, -0.25\n\tres.accum.f64 r10, r14\n"
		  "\tres.accum.f64 r11, r15\n\tstg.u8 [r1 + r255], r10\n",
	      "unity-neutral", 11, 2,
	      "unity neutrality violation: the constant resonance deltas of "
	      "each lane sum to 1501199875790165/18014398509481984, not 0",
	      "1/3 and -1/4");
	passes(UNI "\tneg.f64 r15, r14\n\tres.accum.f64 r10, r14\n"
		   "\tres.accum.f64 r11, r15\n\tstg.u8 [r1 + r255], r10\n",
	       "1/3 and -1/3 in two classes: neutral");
	fails(UNI "\tres.accum.f64 r10, r14\n"
		  "\tsetlt.u32 p0, r252, r254\n\tbra.p0 @a\n"
		  "\tstg.u8 [r1 + r255], r10\n\tbra @j\n@a:\n"
		  "\tstg.u8 [r1 + r255], r11\n@j:\n"
		  "\tneg.f64 r14, r14\n\tmov_imm.f64 r15, 0.5\n"
		  "\tadd.f64 r14, r14, r15\n\tres.accum.f64 r11, r14\n",
	      "unity-neutral", 20, 2,
	      "unity neutrality violation: the constant resonance deltas of "
	      "each lane sum to 1/2, not 0",
	      "after a join, every path runs it: 1/3 + (1/2 - 1/3)");
	passes(UNI "\tres.accum.f64 r10, r14\n"
		   "\tsetlt.u32 p0, r252, r254\n\tbra.p0 @a\n"
		   "\tres.accum.f64 r11, r14\n@a:\n\texit\n",
	       "a res.accum on one path only: not proven");
	passes(UNI "\tmov_imm.u32 r20, 2\n@top:\n\tres.accum.f64 r10, r14\n"
		   "\tloop r20, @top\n",
	       "a res.accum in a loop: not proven");
	passes(".kernel u\n.param c u8[] in r1\n.param v f32[] in r2\n"
	       ".unity_neutral\n\tmov_imm.u32 r0, 2\n"
	       "\tshl.u64 r3, r255, r0\n\tldg.u8 r10, [r1 + r255]\n"
	       "\tldg.f32 r11, [r2 + r3]\n\tres.accum.f32 r10, r11\n"
	       "\tmov_imm.f32 r12, 0.5\n\tres.accum.f32 r10, r12\n",
	       "a value loaded per lane: not proven");
	passes(".kernel u\n\tmov_imm.u8 r10, 1\n\tmov_imm.f32 r11, 0.5\n"
	       "\tres.accum.f32 r10, r11\n",
	       "not declared unity_neutral: not checked");
}

/* ---- metadata, mirror-safety, phase-window ------------------------------
 */

static void test_metadata(void)
{
	fails(".kernel m\n.boundary 5 2 0 255\n" COPY, "metadata", 0, 0,
	      "invalid metadata: page_min > page_max", "page_min > page_max");
	fails(".kernel m\n.boundary 0 50 0 255\n" COPY, "metadata", 0, 0,
	      "invalid metadata: invalid page: 50 (must be in [0, 48))",
	      "page 50");
	fails(".kernel m\n.boundary 0 47 9 8\n" COPY, "metadata", 0, 0,
	      "invalid metadata: byte_min > byte_max", "byte_min > byte_max");
	fails(".kernel m\n.classes 10\n.mirror_safe\n" COPY, "mirror-safety", 0,
	      0, "invalid metadata: mirror pair 7 missing for class 10",
	      "mirror-safe {10}");
	passes(".kernel m\n.classes 7,10\n.mirror_safe\n" COPY,
	       "mirror-safe {7, 10}: closed under mirror");
	passes(".kernel m\n.classes 10\n" COPY,
	       "{10} without mirror_safe: not checked");
	fails(".kernel m\n.phase 768 10\n" COPY, "phase-window", 0, 0,
	      "invalid metadata: invalid phase: 768 (must be in [0, 768))",
	      "phase 768");
	fails(".kernel m\n.phase 0 769\n" COPY, "phase-window", 0, 0,
	      "invalid metadata: phase span 769 exceeds modulus 768",
	      "phase span 769");
	fails(".kernel m\n.phase 5 0\n" COPY, "phase-window", 0, 0,
	      "invalid metadata: phase window (5, 0) is empty: no phase can "
	      "launch the kernel",
	      "phase span 0");
	passes(".kernel m\n.phase 700 118\n" COPY, "phase window (700, 118)");
	passes(".kernel m\n.phase 0 768\n" COPY, "phase window (0, 768)");
}

/* ---- boundary-footprint -------------------------------------------------
 */

#define FOOT                                                                   \
	".kernel f\n.param x u8[] in r1\n.param y u8[] out r2\n"               \
	".uses_boundary\n.boundary 1 2 16 31\n"

static void test_footprint(void)
{
	fails(FOOT "\tldg.u8 r10, [phi(7, 3, 16)]\n", "boundary-footprint", 6,
	      2,
	      "boundary violation: page 3 outside the declared footprint's "
	      "pages [1, 2]",
	      "phi page 3");
	fails(FOOT "\tldg.u8 r10, [phi(7, 1, 32)]\n", "boundary-footprint", 6,
	      2,
	      "boundary violation: byte 32 outside the declared footprint's "
	      "bytes [16, 31]",
	      "phi byte 32");
	passes(FOOT "\tldg.u8 r10, [phi(7, 1, 16)]\n"
		    "\tstg.u8 [phi(95, 2, 31)], r10\n",
	       "phi at the footprint's corners");
	fails(FOOT "\tmov_imm.u8 r10, 7\n\tmov_imm.u8 r11, 0\n"
		   "\tmov_imm.u8 r12, 20\n\tbound.map r13, r10, r11, r12\n",
	      "boundary-footprint", 9, 2,
	      "boundary violation: page 0 outside the declared footprint's "
	      "pages [1, 2]",
	      "bound.map page 0");
	passes(FOOT "\tmov_imm.u8 r10, 7\n\tmov_imm.u8 r11, 2\n"
		    "\tldg.u8 r12, [r1 + r255]\n"
		    "\tbound.map r13, r10, r11, r12\n",
	       "bound.map with a byte per lane: the page is in");
	/* handle 0 at 7 * 12288 + 3 * 256 + 20 */
	fails(FOOT "\tmov_imm.u64 r10, 0\n\tmov_imm.u64 r11, 86804\n"
		   "\tldg.u8 r12, [r10 + r11]\n",
	      "boundary-footprint", 8, 2,
	      "boundary violation: page 3 outside the declared footprint's "
	      "pages [1, 2]",
	      "a constant offset into the boundary pool");
	passes(".kernel f\n\tldg.u8 r10, [phi(7, 40, 200)]\n",
	       "no uses_boundary: no footprint");
}

/* ---- the bundled kernels ------------------------------------------------
 */

static void test_bundled(void)
{
	static const char *const names[] = {
		"cos",	      "exp",	      "gelu",	     "gemm_f32",
		"gemv_f32",   "layer_norm",   "log",	     "relu",
		"sigmoid",    "sin",	      "softmax",     "tanh_activation",
		"vector_abs", "vector_add",   "vector_div",  "vector_dot",
		"vector_max", "vector_min",   "vector_mul",  "vector_neg",
		"vector_pow", "vector_rsqrt", "vector_sqrt", "vector_sub",
		"vector_sum"};
	const size_t nk = sizeof names / sizeof names[0];
	double worst = 0, total = 0;
	int good = 1;

	for (size_t i = 0; i < nk; i++) {
		char path[256];
		struct atlas_program *p = NULL;
		struct atlas_error err = {0};
		struct timespec t0, t1;
		size_t len;
		char *text;
		double ms;

		snprintf(path, sizeof path, "%s/%s.json", KDIR, names[i]);
		if (!(text = slurp(path, &len))) {
			good = 0;
			diag("%s: cannot read (run make first)", path);
			continue;
		}
		if (atlas_program_parse(text, len, ATLAS_FORMAT_JSON, &p,
					&err) != ATLAS_OK) {
			good = 0;
			diag("%s:%zu:%zu: [%s] %s", path, err.line, err.col,
			     err.id, err.msg);
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (p && atlas_program_verify(p, &err) != ATLAS_OK) {
			good = 0;
			diag("%s: [%s] %s", path, err.id, err.msg);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		total += ms;
		worst = ms > worst ? ms : worst;
		atlas_program_free(p);
		free(text);
	}
	ok(good, "all %zu bundled kernels verify", nk);
	/* timings drift on this machine: shown, not asserted */
	diag("verified in %.3f ms in all, %.3f ms at most", total, worst);
}

int main(void)
{
	test_index_range();
	test_classes();
	test_unity();
	test_metadata();
	test_footprint();
	test_bundled();
	return done_testing();
}
