/*
 * t-exec-mem.c - memory in the engine: the three address modes for loads,
 * stores and atomics, in and out of bounds with the exact messages (the
 * lowest failing lane's offset), bad handles, zero-copy loads that must
 * not show later stores, in-place kernels, uniform addresses, scatter and
 * gather, windows with a nonzero base, integer division by zero, kernel
 * pools, atomics and the high-order pmap / pmap2 / preduce.
 */
#include <float.h>

#include "tap.h"
#include "exec_util.h"

/* "ldg.u32 r10, [r1 + r0]" with r0 = lane * 4, the usual preamble. */
#define OFF4                                                                   \
	"mov_imm.u32 r250, 2\n"                                                \
	"shl.u64 r0, r255, r250\n"

static const char *const oob_fmt =
	"buffer access out of bounds: offset %llu + size %llu > buffer size "
	"%llu";

static void oob_msg(char *buf, size_t len, uint64_t off, uint64_t size,
		    uint64_t n)
{
	snprintf(buf, len, oob_fmt, (unsigned long long)off,
		 (unsigned long long)size, (unsigned long long)n);
}

/* ---- address modes, in bounds
 * ------------------------------------------------ */

/*
 * One program per memory instruction and mode, on x = 0, 1, 2, ...:
 * out[i] = x[i] loaded through the mode, stored through the same mode.
 */
static void test_modes(void)
{
	static const char *const lds[] = {"ldg", "lds"};
	static const char *const sts[] = {"stg", "sts"};
	const size_t n = 2500;
	uint32_t *x = xcalloc(n, 4), *y = xcalloc(n, 4);
	struct atlas_arg a[2] = {arr(x, n * 4), arr(y, n * 4)};
	struct atlas_program *p;
	int good;

	for (size_t i = 0; i < n; i++)
		x[i] = (uint32_t)(i * 2654435761u);
	for (int k = 0; k < 2; k++) {
		/* [rH + rO], contiguous (zero copy) */
		p = loadf(".kernel m\n.param x u32[] in r1\n"
			  ".param y u32[] out r2\n" OFF4
			  "%s.u32 r10, [r1 + r0]\n"
			  "%s.u32 [r2 + r0], r10\n",
			  lds[k], sts[k]);
		memset(y, 0, n * 4);
		good = run_ok(p, n, a, 2, "[rH + rO] runs") &&
		       memcmp(x, y, n * 4) == 0;
		ok(good, "%s/%s [rH + rO] with affine offsets copy", lds[k],
		   sts[k]);
		atlas_program_free(p);

		/* [rH + rO], offsets reversed: per lane */
		p = loadf(".kernel m\n.param x u32[] in r1\n"
			  ".param y u32[] out r2\n"
			  ".param n u64 value r3\n" OFF4 "mov_imm.u64 r4, 1\n"
			  "sub.u64 r5, r3, r4\n"
			  "sub.u64 r5, r5, r255\n"
			  "shl.u64 r5, r5, r250\n"
			  "%s.u32 r10, [r1 + r5]\n"
			  "%s.u32 [r2 + r5], r10\n",
			  lds[k], sts[k]);
		{
			struct atlas_arg b[3] = {a[0], a[1], scal(n)};

			memset(y, 0, n * 4);
			good = run_ok(p, n, b, 3, "reversed offsets run") &&
			       memcmp(x, y, n * 4) == 0;
			ok(good, "%s/%s [rH + rO] with reversed offsets",
			   lds[k], sts[k]);
		}
		atlas_program_free(p);

		/* [bufH + OFF] and [rH + OFF]: every lane, one element */
		p = loadf(".kernel m\n.param x u32[] in r1\n"
			  ".param y u32[] inout r2\n"
			  "%s.u32 r10, [buf1 + 40]\n"
			  "%s.u32 r11, [r1 + 44]\n"
			  "%s.u32 [buf2 + 8], r10\n"
			  "%s.u32 [r2 + 12], r11\n",
			  lds[k], lds[k], sts[k], sts[k]);
		memset(y, 0, n * 4);
		good = run_ok(p, n, a, 2, "static offsets run") &&
		       y[2] == x[10] && y[3] == x[11] && y[0] == 0 && y[4] == 0;
		ok(good, "%s/%s [bufH + OFF] and [rH + OFF]", lds[k], sts[k]);
		atlas_program_free(p);
	}

	/* [rH + OFF] with a lane-varying handle: even lanes x, odd lanes y */
	p = load(".kernel h\n.param x u32[] in r1\n.param y u32[] inout r2\n"
		 ".param o u32[] out r3\n" OFF4 "mov_imm.u64 r4, 1\n"
		 "mov_imm.u64 r5, 0\n"
		 "and.u64 r6, r255, r4\n"
		 "seteq.u64 p0, r6, r5\n"
		 "sel.u64 r7, p0, r1, r2\n"
		 "ldg.u32 r10, [r7 + 16]\n"
		 "stg.u32 [r3 + r0], r10\n");
	{
		uint32_t *o = xcalloc(n, 4);
		struct atlas_arg b[3] = {a[0], a[1], arr(o, n * 4)};

		for (size_t i = 0; i < n; i++)
			y[i] = (uint32_t)i + 7;
		good = run_ok(p, n, b, 3, "varying handles run");
		for (size_t i = 0; i < n && good; i++)
			good = o[i] == (i & 1 ? y[4] : x[4]);
		ok(good, "[rH + OFF] with a lane-varying handle");
		free(o);
	}
	atlas_program_free(p);
	free(x);
	free(y);
}

/* Uniform addresses, gather and scatter. */
static void test_gather_scatter(void)
{
	const size_t n = 3000;
	float *x = xcalloc(n, 4), *g = xcalloc(n, 4), *s = xcalloc(n, 4),
	      *u = xcalloc(n, 4);
	uint32_t *perm = xcalloc(n, 4);
	struct atlas_arg a[5] = {arr(x, n * 4), arr(perm, n * 4), arr(g, n * 4),
				 arr(s, n * 4), arr(u, n * 4)};
	struct atlas_program *p = load(
		".kernel gs\n.param x f32[] in r1\n.param perm u32[] in r2\n"
		".param g f32[] out r3\n.param s f32[] out r4\n"
		".param u f32[] out r5\n" OFF4 "ldg.u32 r10, [r2 + r0]\n"
		"cvt.u64.u32 r11, r10\n"
		"shl.u64 r11, r11, r250\n"
		"ldg.f32 r12, [r1 + r11]\n" /* gather x[perm[i]] */
		"stg.f32 [r3 + r0], r12\n"
		"ldg.f32 r13, [r1 + r0]\n"
		"stg.f32 [r4 + r11], r13\n" /* scatter */
		"mov_imm.u64 r14, 0\n"
		"ldg.f32 r15, [r1 + r14]\n" /* uniform [rH + rO] */
		"ldg.f32 r16, [buf1 + 4]\n"
		"add.f32 r15, r15, r16\n"
		"stg.f32 [r5 + r0], r15\n");
	int good;

	for (size_t i = 0; i < n; i++) {
		x[i] = (float)i * 0.5f;
		perm[i] = (uint32_t)((i * 7919) % n);
	}
	good = run_ok(p, n, a, 5, "gather/scatter runs");
	for (size_t i = 0; i < n && good; i++)
		good = g[i] == x[perm[i]] && s[perm[i]] == x[i] &&
		       u[i] == x[0] + x[1];
	ok(good, "gather, scatter and uniform-address loads");
	atlas_program_free(p);
	free(x);
	free(g);
	free(s);
	free(u);
	free(perm);
}

/* ---- out of bounds and bad handles ----------------------------------------
 */

static void test_oob(void)
{
	const size_t n = 1000;
	uint32_t *x = xcalloc(600, 4), *y = xcalloc(600, 4);
	struct atlas_arg a[2] = {arr(x, 600 * 4), arr(y, 600 * 4)};
	struct atlas_program *p;
	char msg[160];
	static const struct {
		const char *what, *insn;
	} modes[] = {
		{"ldg [rH + rO]", "ldg.u32 r10, [r1 + r5]"},
		{"stg [rH + rO]", "stg.u32 [r1 + r5], r6"},
		{"lds [rH + rO]", "lds.u32 r10, [r1 + r5]"},
		{"sts [rH + rO]", "sts.u32 [r1 + r5], r6"},
		{"atom.add [rH + rO]", "atom.add.u32 [r1 + r5], r6"},
		{"atom.min [rH + rO]", "atom.min.u32 [r1 + r5], r6"},
	};

	/* offsets (1000 - i) * 4: lane 0 fails first, at offset 4000 */
	oob_msg(msg, sizeof msg, 4000, 4, 2400);
	for (size_t k = 0; k < sizeof modes / sizeof *modes; k++) {
		char name[96];

		p = loadf(".kernel o\n.param x u32[] inout r1\n"
			  ".param y u32[] inout r2\n"
			  "mov_imm.u32 r250, 2\n"
			  "mov_imm.u64 r3, 1000\n"
			  "sub.u64 r5, r3, r255\n"
			  "shl.u64 r5, r5, r250\n"
			  "mov_imm.u32 r6, 1\n"
			  "%s\n",
			  modes[k].insn);
		snprintf(name, sizeof name,
			 "%s: the lowest failing lane's offset", modes[k].what);
		run_fails(p, n, a, 2, ATLAS_ERR_EXEC, msg, name);
		atlas_program_free(p);
	}

	/* affine offsets i * 4 past the end: lane 600 at 2400 */
	oob_msg(msg, sizeof msg, 2400, 4, 2400);
	p = load(".kernel o\n.param x u32[] in r1\n.param y u32[] out r2\n" OFF4
		 "ldg.u32 r10, [r1 + r0]\n");
	run_fails(p, n, a, 2, ATLAS_ERR_EXEC, msg,
		  "contiguous load past the end: lane 600's offset");
	atlas_program_free(p);
	p = load(".kernel o\n.param x u32[] in r1\n.param y u32[] out r2\n" OFF4
		 "mov_imm.u32 r10, 5\n"
		 "stg.u32 [r2 + r0], r10\n");
	run_fails(p, n, a, 2, ATLAS_ERR_EXEC, msg,
		  "contiguous store past the end: lane 600's offset");
	atlas_program_free(p);

	/* static offsets */
	oob_msg(msg, sizeof msg, 2400, 4, 2400);
	p = load(".kernel o\n.param x u32[] in r1\n.param y u32[] out r2\n"
		 "ldg.u32 r10, [buf1 + 2400]\n");
	run_fails(p, 3, a, 2, ATLAS_ERR_EXEC, msg,
		  "ldg [bufH + OFF] past the end");
	atlas_program_free(p);
	oob_msg(msg, sizeof msg, 2398, 4, 2400);
	p = load(".kernel o\n.param x u32[] in r1\n.param y u32[] out r2\n"
		 "mov_imm.u32 r10, 1\n"
		 "stg.u32 [r2 + 2398], r10\n");
	run_fails(p, 3, a, 2, ATLAS_ERR_EXEC, msg,
		  "stg [rH + OFF] straddling the end");
	atlas_program_free(p);
	oob_msg(msg, sizeof msg, 2400, 8, 2400);
	p = load(".kernel o\n.param x u32[] in r1\n.param y u32[] out r2\n"
		 "mov_imm.u64 r10, 1\n"
		 "atom.add.u64 [buf2 + 2400], r10\n");
	run_fails(p, 3, a, 2, ATLAS_ERR_EXEC, msg,
		  "atom.add [bufH + OFF] past the end");
	atlas_program_free(p);

	oob_msg(msg, sizeof msg, 2400, 4, 2400);
	p = load(".kernel o\n.param x u32[] in r1\n.param y u32[] out r2\n"
		 "lds.u32 r10, [r1 + 2400]\n");
	run_fails(p, 3, a, 2, ATLAS_ERR_EXEC, msg,
		  "lds [rH + OFF] past the end");
	atlas_program_free(p);
	oob_msg(msg, sizeof msg, 2397, 4, 2400);
	p = load(".kernel o\n.param x u32[] in r1\n.param y u32[] out r2\n"
		 "mov_imm.u32 r10, 1\n"
		 "atom.min.u32 [r2 + 2397], r10\n");
	run_fails(p, 3, a, 2, ATLAS_ERR_EXEC, msg,
		  "atom.min [rH + OFF] straddling the end");
	atlas_program_free(p);

	/* a failing address in a lane that does not run is no error */
	p = load(".kernel o\n.param x u32[] in r1\n.param y u32[] out r2\n" OFF4
		 "mov_imm.u64 r3, 600\n"
		 "setge.u64 p0, r255, r3\n"
		 "bra.p0 @skip\n"
		 "ldg.u32 r10, [r1 + r0]\n"
		 "stg.u32 [r2 + r0], r10\n"
		 "atom.add.u32 [r2 + r0], r10\n"
		 "@skip:\n");
	run_ok(p, n, a, 2, "bad addresses in inactive lanes do not fault");
	atlas_program_free(p);

	/* bad handles in registers */
	p = load(".kernel h\n.param x u32[] in r1\n.param y u32[] out r2\n"
		 "mov_imm.u64 r3, 7\n"
		 "ldg.u32 r10, [r3 + 0]\n");
	run_fails(p, 4, a, 2, ATLAS_ERR_EXEC, "invalid buffer handle: 7",
		  "ldg through a register holding handle 7");
	atlas_program_free(p);
	p = load(".kernel h\n.param x u32[] in r1\n.param y u32[] out r2\n"
		 "mov_imm.u64 r3, 0\n"
		 "mov_imm.u64 r4, 0\n"
		 "mov_imm.u32 r5, 0\n"
		 "stg.u32 [r3 + r4], r5\n");
	run_fails(p, 4, a, 2, ATLAS_ERR_EXEC, "invalid buffer handle: 0",
		  "stg through handle 0");
	atlas_program_free(p);
	/* lanes >= 5 use handle 3 + lane: lane 5's handle 8 is reported */
	p = load(".kernel h\n.param x u32[] in r1\n.param y u32[] out r2\n"
		 "mov_imm.u64 r3, 3\n"
		 "mov_imm.u64 r4, 5\n"
		 "add.u64 r6, r255, r3\n"
		 "setlt.u64 p0, r255, r4\n"
		 "sel.u64 r7, p0, r1, r6\n"
		 "mov_imm.u32 r5, 9\n"
		 "atom.add.u32 [r7 + 0], r5\n");
	run_fails(p, 20, a, 2, ATLAS_ERR_EXEC, "invalid buffer handle: 8",
		  "atom.add through lane-varying handles, some bad");
	atlas_program_free(p);
	free(x);
	free(y);
}

/* ---- windows
 * ------------------------------------------------------------------ */

/*
 * The array's bytes [4000, 8000) live at data: elements 1000..1999.
 * Lane i reads element 1000 + i and writes 2 * it to the same place.
 */
static void test_window(void)
{
	const size_t n = 1000;
	uint32_t *x = xcalloc(n, 4);
	struct atlas_arg a[2];
	struct atlas_program *p = load(
		".kernel w\n.param x u32[] inout r1\n.param b u64 value r2\n" OFF4
		"add.u64 r3, r0, r2\n"
		"ldg.u32 r10, [r1 + r3]\n"
		"add.u32 r10, r10, r10\n"
		"stg.u32 [r1 + r3], r10\n");
	struct atlas_program *q = load(
		".kernel w\n.param x u32[] inout r1\n.param b u64 value r2\n" OFF4
		"add.u64 r3, r0, r2\n"
		"mov_imm.u64 r4, 1\n"
		"mov_imm.u64 r5, 0\n"
		"and.u64 r6, r255, r4\n"
		"seteq.u64 p0, r6, r5\n"
		"bra.p0 @even\n"
		"ldg.u32 r10, [r1 + r3]\n"
		"add.u32 r10, r10, r10\n"
		"stg.u32 [r1 + r3], r10\n"
		"@even:\n");
	int good = 1;
	char msg[160];

	for (size_t i = 0; i < n; i++)
		x[i] = (uint32_t)i;
	a[0] = arr(x, n * 4);
	a[0].view.base = 4000;
	a[1] = scal(4000);
	if (run_ok(p, n, a, 2, "window [4000, 8000): in bounds")) {
		for (size_t i = 0; i < n; i++)
			good &= x[i] == 2 * i;
		ok(good, "... each lane doubled its element");
	}
	if (run_ok(q, n, a, 2, "window, odd lanes (per-lane path)")) {
		good = 1;
		for (size_t i = 0; i < n; i++)
			good &= x[i] == (i & 1 ? 4 * i : 2 * i);
		ok(good, "... the odd lanes doubled theirs again");
	}
	snprintf(msg, sizeof msg,
		 "buffer access out of bounds: offset 3996 + size 4 outside "
		 "the window [4000, 8000)");
	a[1] = scal(3996);
	run_fails(p, n, a, 2, ATLAS_ERR_EXEC, msg, "window: one element below");
	a[1] = scal(3996 + 8);
	run_fails(q, n, a, 2, ATLAS_ERR_EXEC,
		  "buffer access out of bounds: offset 8000 + size 4 outside "
		  "the window [4000, 8000)",
		  "window: past the top, lane 999 (odd lanes only)");
	a[1] = scal(0);
	run_fails(p, n, a, 2, ATLAS_ERR_EXEC,
		  "buffer access out of bounds: offset 0 + size 4 outside "
		  "the window [4000, 8000)",
		  "window: offset 0 lies below it");
	atlas_program_free(p);
	atlas_program_free(q);
	free(x);
}

/* ---- zero copy and aliasing
 * --------------------------------------------------- */

static void test_aliasing(void)
{
	const size_t n = 3000;
	uint32_t *x = xcalloc(n + 1, 4), *y = xcalloc(n, 4), *z = xcalloc(n, 4);
	struct atlas_arg a[3] = {arr(x, (n + 1) * 4), arr(y, n * 4),
				 arr(z, n * 4)};
	struct atlas_program *p;
	int good;

	/* load, store new values over it, use the register: old values */
	p = load(".kernel a\n.param x u32[] inout r1\n.param y u32[] out r2\n"
		 ".param z u32[] out r3\n" OFF4 "ldg.u32 r10, [r1 + r0]\n"
		 "mov.u32 r11, r10\n"
		 "mov_imm.u32 r12, 1000000\n"
		 "add.u32 r13, r10, r12\n"
		 "stg.u32 [r1 + r0], r13\n"
		 "ldg.u32 r14, [r1 + r0]\n"
		 "stg.u32 [r2 + r0], r10\n"
		 "add.u32 r14, r14, r11\n"
		 "stg.u32 [r3 + r0], r14\n");
	for (size_t i = 0; i <= n; i++)
		x[i] = (uint32_t)i;
	good = run_ok(p, n, a, 3, "load, store, load again");
	for (size_t i = 0; i < n && good; i++)
		good = x[i] == i + 1000000 && y[i] == i &&
		       z[i] == 2 * i + 1000000;
	ok(good, "a register loaded before a store keeps the old value, "
		 "a load after it sees the new one");
	atlas_program_free(p);

	/* the same with the store in a divergent branch (per-lane path) */
	p = load(".kernel a\n.param x u32[] inout r1\n.param y u32[] out r2\n"
		 ".param z u32[] out r3\n" OFF4 "ldg.u32 r10, [r1 + r0]\n"
		 "mov.u32 r11, r10\n"
		 "mov_imm.u64 r4, 1\n"
		 "mov_imm.u64 r5, 0\n"
		 "and.u64 r6, r255, r4\n"
		 "seteq.u64 p0, r6, r5\n"
		 "bra.p0 @even\n"
		 "mov_imm.u32 r12, 1000000\n"
		 "add.u32 r13, r10, r12\n"
		 "stg.u32 [r1 + r0], r13\n"
		 "@even:\n"
		 "stg.u32 [r2 + r0], r10\n"
		 "stg.u32 [r3 + r0], r11\n");
	for (size_t i = 0; i <= n; i++)
		x[i] = (uint32_t)i;
	good = run_ok(p, n, a, 3, "store in a branch");
	for (size_t i = 0; i < n && good; i++)
		good = x[i] == (i & 1 ? i + 1000000 : i) && y[i] == i &&
		       z[i] == i;
	ok(good, "a divergent store does not change registers loaded before");
	atlas_program_free(p);

	/*
	 * x[i + 1] = x[i] through a lane-varying (not affine) offset: every
	 * lane of a block stores the value it loaded, whatever the lanes
	 * before it stored, whether the load was zero copy or a copy; the
	 * store goes lane by lane.  (Across blocks, lanes of a later block
	 * see the earlier block's stores, so this runs in one block.)
	 */
	for (int copy = 0; copy < 2; copy++) {
		p = loadf(".kernel s\n.param x u32[] inout r1\n" OFF4
			  "mov_imm.u64 r4, 4\n"
			  "mov_imm.u64 r5, 0xffffffffffffffff\n"
			  "%s"
			  "ldg.u32 r10, [r1 + r0]\n"
			  "add.u64 r6, r0, r4\n"
			  "and.u64 r6, r6, r5\n"
			  "stg.u32 [r1 + r6], r10\n",
			  copy ? "and.u64 r0, r0, r5\n" : "");
		for (size_t i = 0; i <= n; i++)
			x[i] = (uint32_t)i * 3;
		good = run_ok(p, 1000, a, 1, "shift by one element");
		for (size_t i = 0; i < 1000 && good; i++)
			if (x[i + 1] != i * 3) {
				diag("x[%zu] = %u, want %zu", i + 1, x[i + 1],
				     i * 3);
				good = 0;
			}
		ok(good, "x[i + 1] = x[i], loaded %s, stored lane by lane",
		   copy ? "by copy" : "zero copy");
		atlas_program_free(p);
	}

	/* in place: an inout array read then written, twice over */
	p = load(".kernel ip\n.param x u32[] inout r1\n" OFF4
		 "ldg.u32 r10, [r1 + r0]\n"
		 "mov_imm.u32 r11, 3\n"
		 "mul.u32 r10, r10, r11\n"
		 "stg.u32 [r1 + r0], r10\n"
		 "ldg.u32 r12, [r1 + r0]\n"
		 "add.u32 r12, r12, r11\n"
		 "stg.u32 [r1 + r0], r12\n");
	for (size_t i = 0; i <= n; i++)
		x[i] = (uint32_t)i;
	good = run_ok(p, n, a, 1, "in-place kernel");
	for (size_t i = 0; i < n && good; i++)
		good = x[i] == 3 * i + 3;
	ok(good && x[n] == n, "in place: x[i] = 3 x[i] + 3, nothing past n");
	atlas_program_free(p);

	/* an atomic on the buffer a register was loaded from */
	p = load(
		".kernel at\n.param x u32[] inout r1\n.param y u32[] out r2\n" OFF4
		"ldg.u32 r10, [r1 + r0]\n"
		"mov_imm.u32 r11, 5\n"
		"atom.add.u32 [r1 + r0], r11\n"
		"stg.u32 [r2 + r0], r10\n");
	for (size_t i = 0; i <= n; i++)
		x[i] = (uint32_t)i;
	good = run_ok(p, n, a, 2, "load then atomic");
	for (size_t i = 0; i < n && good; i++)
		good = x[i] == i + 5 && y[i] == i;
	ok(good, "an atomic does not change registers loaded before it");
	atlas_program_free(p);
	free(x);
	free(y);
	free(z);
}

/* ---- division by zero
 * -------------------------------------------------------------- */

static void test_div_zero(void)
{
	const size_t n = 3000;
	int32_t *d = xcalloc(n, 4), *o = xcalloc(n, 4);
	struct atlas_arg a[2] = {arr(d, n * 4), arr(o, n * 4)};
	struct atlas_program *p, *q;
	int good = 1;

	p = load(".kernel d\n.param d i32[] in r1\n.param o i32[] out r2\n" OFF4
		 "ldg.i32 r10, [r1 + r0]\n"
		 "mov_imm.i32 r11, 1000\n"
		 "div.i32 r12, r11, r10\n"
		 "stg.i32 [r2 + r0], r12\n");
	/* zero divisors only in the even lanes; the odd lanes divide */
	q = load(".kernel d\n.param d i32[] in r1\n.param o i32[] out r2\n" OFF4
		 "ldg.i32 r10, [r1 + r0]\n"
		 "mov_imm.i32 r11, 1000\n"
		 "mov_imm.i32 r12, -7\n"
		 "mov_imm.u64 r4, 1\n"
		 "mov_imm.u64 r5, 0\n"
		 "and.u64 r6, r255, r4\n"
		 "seteq.u64 p0, r6, r5\n"
		 "bra.p0 @even\n"
		 "div.i32 r12, r11, r10\n"
		 "@even:\n"
		 "stg.i32 [r2 + r0], r12\n");
	for (size_t i = 0; i < n; i++)
		d[i] = i & 1 ? (int32_t)(i % 50) - 25 : 0;
	for (size_t i = 25; i < n; i += 50)
		d[i] = 1;
	if (run_ok(q, n, a, 2, "zero divisors in inactive lanes")) {
		for (size_t i = 0; i < n; i++)
			good &= o[i] == (i & 1 ? 1000 / d[i] : -7);
		ok(good, "... the active lanes divide");
	}
	run_fails(p, n, a, 2, ATLAS_ERR_EXEC, "division by zero",
		  "division by zero in an active lane");
	{
		struct atlas_error err;

		run(p, n, a, 2, &err);
		ok(err.line == 8 && err.col == 1,
		   "... located at the div, line 8 column 1 (%zu:%zu)",
		   err.line, err.col);
	}
	for (size_t i = 0; i < n; i++)
		d[i] = 1;
	d[2999] = 0;
	run_fails(p, n, a, 2, ATLAS_ERR_EXEC, "division by zero",
		  "division by zero in the last lane only");
	atlas_program_free(p);
	p = load(".kernel d\n.param o i32[] out r2\n"
		 "mov_imm.i32 r11, 1000\n"
		 "mov_imm.i32 r10, 0\n"
		 "div.i32 r12, r11, r10\n");
	run_fails(p, 5, a + 1, 1, ATLAS_ERR_EXEC, "division by zero",
		  "uniform division by zero");
	atlas_program_free(p);
	p = load(".kernel d\n.param o i32[] out r2\n"
		 "mov_imm.f32 r11, 1.0\n"
		 "mov_imm.f32 r10, 0\n"
		 "div.f32 r12, r11, r10\n"
		 "stg.f32 [r2 + 0], r12\n");
	if (run_ok(p, 5, a + 1, 1, "float division by zero is no error"))
		ok(isinf(f32_of((uint32_t)o[0])), "... and gives inf");
	atlas_program_free(p);
	atlas_program_free(q);
	free(d);
	free(o);
}

/* ---- pools
 * ------------------------------------------------------------------------ */

static void test_pools(void)
{
	const size_t n = 1500;
	uint64_t *o = xcalloc(n, 8), *ids = xcalloc(n, 8);
	struct atlas_arg a[2] = {arr(o, n * 8), arr(ids, n * 8)};
	struct atlas_program *p;
	struct atlas_engine *small;
	struct atlas_engine_options opt = {1, 4096};
	char msg[160];
	int good = 1;

	/* every lane: its own pool, store at 8 and 100, load back, free */
	p = load(".kernel p\n.param o u64[] out r1\n.param ids u64[] out r2\n"
		 "mov_imm.u32 r250, 3\n"
		 "shl.u64 r0, r255, r250\n"
		 "pool.alloc r3, 128\n"
		 "mov_imm.u64 r4, 8\n"
		 "mov_imm.u64 r5, 100\n"
		 "mov_imm.u64 r6, 3\n"
		 "mul.u64 r7, r255, r6\n"
		 "pool.store.u64 r3, r4, r7\n"
		 "cvt.u32.u64 r8, r255\n"
		 "pool.store.u32 r3, r5, r8\n"
		 "pool.load.u64 r9, r3, r4\n"
		 "pool.load.u32 r10, r3, r5\n"
		 "cvt.u64.u32 r11, r10\n"
		 "add.u64 r9, r9, r11\n"
		 "mov_imm.u64 r12, 0\n"
		 "pool.load.f64 r13, r3, r12\n"
		 "mov_imm.f64 r14, 0\n"
		 "setne.f64 p0, r13, r14\n"
		 "bra.p0 @skip\n"
		 "stg.u64 [r1 + r0], r9\n"
		 "@skip:\n"
		 "stg.u64 [r2 + r0], r3\n"
		 "pool.free r3\n");
	if (run_ok(p, n, a, 2, "pool.alloc/store/load/free in every lane")) {
		for (size_t i = 0; i < n; i++)
			good &= o[i] == 4 * i;
		ok(good, "... each lane reads back what it stored, and a new "
			 "pool reads as zero");
		good = 1;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < i && good; j += 97)
				good &= ids[i] != ids[j] && ids[i] != 0;
		ok(good, "... pool ids are distinct and nonzero");
	}
	atlas_program_free(p);

	p = load(".kernel p\n"
		 "pool.alloc r3, 16\n"
		 "pool.free r3\n"
		 "pool.free r3\n");
	run_fails(p, 1, NULL, 0, ATLAS_ERR_EXEC, "invalid pool handle: 1",
		  "pool.free twice");
	atlas_program_free(p);
	p = load(".kernel p\n"
		 "mov_imm.u64 r3, 99\n"
		 "mov_imm.u64 r4, 0\n"
		 "pool.load.u32 r5, r3, r4\n");
	run_fails(p, 1, NULL, 0, ATLAS_ERR_EXEC, "invalid pool handle: 99",
		  "pool.load from an unknown id");
	atlas_program_free(p);
	p = load(".kernel p\n"
		 "pool.alloc r3, 16\n"
		 "mov_imm.u64 r4, 12\n"
		 "mov_imm.f64 r5, 1\n"
		 "pool.store.f64 r3, r4, r5\n");
	run_fails(
		p, 1, NULL, 0, ATLAS_ERR_EXEC,
		"pool access out of bounds: offset 12 + size 8 > pool size 16",
		"pool.store straddling the end");
	atlas_program_free(p);
	p = load(".kernel p\n"
		 "pool.alloc r3, 16\n"
		 "mov_imm.u64 r4, 16\n"
		 "pool.load.u8 r5, r3, r4\n");
	run_fails(
		p, 1, NULL, 0, ATLAS_ERR_EXEC,
		"pool access out of bounds: offset 16 + size 1 > pool size 16",
		"pool.load at the end");
	atlas_program_free(p);

	/* the limit: 4096 bytes per launch; freed bytes count no longer */
	small = atlas_engine_new(&opt, NULL);
	p = load(".kernel p\n"
		 "pool.alloc r3, 1024\n");
	{
		struct atlas_error err;

		ok(run_on(small, p, 4, 4, NULL, 0, &err) == ATLAS_OK,
		   "4 lanes x 1024 bytes fit a 4096-byte pool limit");
		snprintf(msg, sizeof msg,
			 "pool allocation of 1024 bytes exceeds the limit of "
			 "4096 bytes");
		if (!ok(run_on(small, p, 5, 5, NULL, 0, &err) ==
					ATLAS_ERR_LIMIT &&
				strcmp(err.msg, msg) == 0,
			"the fifth lane's pool exceeds it"))
			diag("got '%s'", err.msg);
	}
	atlas_program_free(p);
	p = load(".kernel p\n"
		 "pool.alloc r3, 4096\n"
		 "pool.free r3\n"
		 "pool.alloc r3, 4096\n"
		 "pool.free r3\n");
	ok(run_on(small, p, 1, 1, NULL, 0, &(struct atlas_error){0}) ==
		   ATLAS_OK,
	   "freed pool bytes can be allocated again");
	atlas_program_free(p);
	atlas_engine_free(small);
	free(o);
	free(ids);
}

/* ---- atomics
 * --------------------------------------------------------------------- */

/*
 * atom.fetch_add hands each lane the value before its own addition, in
 * lane order: lane i of a counter starting at 10 gets 10 + 3i, also in a
 * divergent branch (odd lanes only) and across blocks and threads.
 */
static void test_fetch_add(void)
{
	const size_t n = 5000;
	uint32_t ctr[2] = {10, 10}, *old = xcalloc(n, 4);
	struct atlas_arg a[2] = {arr(ctr, sizeof ctr), arr(old, n * 4)};
	struct atlas_program *p =
		load(".kernel fa\n"
		     ".param c u32[] inout r1\n.param o u32[] out r2\n"
		     "mov_imm.u32 r250, 2\n"
		     "shl.u64 r20, r255, r250\n"
		     "mov_imm.u32 r5, 3\n"
		     "atom.fetch_add.u32 r6, [r1 + 0], r5\n"
		     "stg.u32 [r2 + r20], r6\n"
		     "mov_imm.u64 r7, 1\n"
		     "and.u64 r8, r255, r7\n"
		     "seteq.u64 p0, r8, r7\n"
		     "bra.p0 @odd\n"
		     "exit\n"
		     "@odd:\n"
		     "mov_imm.u64 r9, 4\n"
		     "atom.fetch_add.u32 r10, [r1 + r9], r5\n"
		     "stg.u32 [r2 + r20], r10\n");
	int good = 1;

	if (run_ok(p, n, a, 2, "atom.fetch_add runs")) {
		for (size_t i = 0; i < n; i++)
			if (old[i] != (i % 2 ? 10 + 3 * (uint32_t)(i / 2) :
					       10 + 3 * (uint32_t)i))
				good = 0;
		ok(good, "each lane gets the value before its addition");
		is_int(ctr[0], 10 + 3 * n, "the counter holds the total");
		is_int(ctr[1], 10 + 3 * (n / 2), "odd lanes only");
	}
	atlas_program_free(p);
	free(old);
}

static void test_atomics(void)
{
	const size_t n = 5000;
	float *xf = xcalloc(n, 4), sf[2] = {0, 0};
	double *xd = xcalloc(n, 8), sd[2] = {0, 0};
	int32_t *xi = xcalloc(n, 4);
	uint32_t hist[16] = {0}, mins[3] = {0};
	int64_t s64[2] = {0, 0};
	int32_t mini[2] = {0, 0};
	struct atlas_arg a[9] = {arr(xf, n * 4),	arr(xd, n * 8),
				 arr(xi, n * 4),	arr(sf, 8),
				 arr(sd, 16),		arr(hist, sizeof hist),
				 arr(s64, 16),		arr(mini, 8),
				 arr(mins, sizeof mins)};
	struct atlas_program *p =
		load(".kernel at\n"
		     ".param xf f32[] in r1\n.param xd f64[] in r2\n"
		     ".param xi i32[] in r3\n.param sf f32[] inout r4\n"
		     ".param sd f64[] inout r5\n.param hist u32[] inout r6\n"
		     ".param s64 i64[] inout r7\n.param mini i32[] inout r8\n"
		     ".param mins f32[] inout r9\n"
		     "mov_imm.u32 r250, 2\n"
		     "shl.u64 r20, r255, r250\n"
		     "mov_imm.u32 r251, 3\n"
		     "shl.u64 r21, r255, r251\n"
		     "ldg.f32 r10, [r1 + r20]\n"
		     "ldg.f64 r11, [r2 + r21]\n"
		     "ldg.i32 r12, [r3 + r20]\n"
		     "atom.add.f32 [buf4 + 0], r10\n" /* lane-order f32 sum */
		     "atom.add.f64 [r5 + 0], r11\n"
		     "mov_imm.u64 r22, 4\n"
		     "atom.add.f32 [r4 + r22], r10\n" /* the same, [rH + rO] */
		     "mov_imm.u64 r23, 15\n"
		     "and.u64 r24, r255, r23\n"
		     "shl.u64 r24, r24, r250\n"
		     "mov_imm.u32 r25, 1\n"
		     "atom.add.u32 [r6 + r24], r25\n" /* histogram of lane % 16
						       */
		     "cvt.i64.i32 r26, r12\n"
		     "atom.add.i64 [buf7 + 0], r26\n"
		     "atom.min.i32 [r8 + 0], r12\n"
		     "atom.min.f32 [r9 + 0], r10\n"
		     "mov_imm.u64 r27, 8\n"
		     "cvt.f32.i32 r28, r12\n"
		     "atom.min.f32 [r9 + r27], r28\n");
	float want_f = 0, want_min = 0, want_min2 = 0;
	double want_d = 0;
	int64_t want_64 = 0;
	int32_t want_mi = 0;
	int good = 1;

	for (size_t i = 0; i < n; i++) {
		xf[i] = (float)((rndf() - 0.3) * ldexp(1, (int)(rnd() % 30)));
		xd[i] = (rndf() - 0.3) * ldexp(1, (int)(rnd() % 60));
		xi[i] = (int32_t)(rnd() % 2000000) - 1000000;
	}
	xf[77] = NAN; /* min ignores it (the other operand wins) */
	xf[78] = -NAN;
	for (size_t i = 0; i < n; i++) {
		volatile float t = want_f + xf[i];

		want_f = t;
		want_d += xd[i];
		want_64 += xi[i];
		want_mi = xi[i] < want_mi ? xi[i] : want_mi;
		if (!isnan(xf[i]) && (xf[i] < want_min || isnan(want_min)))
			want_min = xf[i];
		if ((float)xi[i] < want_min2)
			want_min2 = (float)xi[i];
	}
	mins[1] = 0xdeadbeef;
	if (run_ok(p, n, a, 9, "atomics over 5000 lanes")) {
		ok(isnan(sf[0]) && isnan(want_f),
		   "atom.add.f32 with a NaN lane gives NaN");
		for (size_t i = 0; i < 16; i++)
			good &= hist[i] == n / 16 + (i < n % 16);
		ok(good, "atom.add.u32 histogram [rH + rO]");
		ok(sd[0] == want_d,
		   "atom.add.f64 [rH + OFF]: lane-order sum "
		   "(%.17g, want %.17g)",
		   sd[0], want_d);
		ok(s64[0] == want_64, "atom.add.i64 [bufH + OFF]");
		ok(mini[0] == want_mi, "atom.min.i32 (%d, want %d)", mini[0],
		   want_mi);
		ok(f32_of(mins[0]) == want_min,
		   "atom.min.f32 skips NaN lanes (%g, want %g)",
		   (double)f32_of(mins[0]), (double)want_min);
		ok(f32_of(mins[2]) == want_min2, "atom.min.f32 [rH + rO]");
		ok(mins[1] == 0xdeadbeef, "atomics touch nothing else");
	}
	/* without NaNs: the f32 sum must be the lane-order sum, bit for bit */
	xf[77] = 1.5f;
	xf[78] = -3.25f;
	want_f = 0;
	for (size_t i = 0; i < n; i++) {
		volatile float t = want_f + xf[i];

		want_f = t;
	}
	sf[0] = sf[1] = 0;
	for (int rep = 0; rep < 3; rep++) {
		sf[0] = sf[1] = 0;
		if (!run_ok(p, n, a, 9, "atomics again"))
			break;
		ok(sf[0] == want_f && sf[1] == want_f,
		   "atom.add.f32 sums 5000 lanes in lane order, run %d (%.9g, "
		   "want %.9g)",
		   rep, (double)sf[0], (double)want_f);
	}
	atlas_program_free(p);
	free(xf);
	free(xd);
	free(xi);
}

/* ---- pmap, pmap2, preduce
 * -------------------------------------------------------- */

static double map_ref(int m, double x)
{
	switch (m) {
	case MAP_ABS:
		return fabs(x);
	case MAP_NEG:
		return -x;
	case MAP_SQRT:
		return sqrtl(x);
	case MAP_EXP:
		return expl(x);
	case MAP_LOG:
		return logl(x);
	case MAP_SIN:
		return sinl(x);
	case MAP_COS:
		return cosl(x);
	case MAP_TAN:
		return tanl(x);
	case MAP_CEIL:
		return ceil(x);
	case MAP_FLOOR:
		return floor(x);
	case MAP_ROUND:
		return round(x);
	case MAP_RECIPROCAL:
		return 1 / (long double)x;
	case MAP_ERF:
		return erfl(x);
	case MAP_SIGMOID:
		return 1 / (1 + expl(-(long double)x));
	case MAP_TANH:
		return tanhl(x);
	default: /* relu */
		return x > 0 ? x : 0;
	}
}

static double map2_ref(int m, double x, double y)
{
	switch (m) {
	case MAP2_ADD:
		return (long double)x + y;
	case MAP2_SUB:
		return (long double)x - y;
	case MAP2_MUL:
		return (long double)x * y;
	case MAP2_DIV:
		return (long double)x / y;
	case MAP2_POW:
		return powl(x, y);
	case MAP2_MIN:
		return isnan(x) ? y : isnan(y) ? x : y < x ? y : x;
	case MAP2_MAX:
		return isnan(x) ? y : isnan(y) ? x : y > x ? y : x;
	default:
		return atan2l(x, y);
	}
}

/* got within tol ulps of the reference value v rounded to t */
static int close_to(uint64_t got, double v, enum atlas_type t, uint64_t tol)
{
	uint64_t want = t == ATLAS_F32 ? bits_f32((float)v) : bits_f64(v);

	if (is_nan_bits(want, t) || is_nan_bits(got, t))
		return is_nan_bits(want, t) && is_nan_bits(got, t);
	return ulp_diff(got, want, t) <= tol;
}

static void test_higher(void)
{
	const size_t n = 3000;
	enum atlas_type types[] = {ATLAS_F32, ATLAS_F64};

	for (int ti = 0; ti < 2; ti++) {
		enum atlas_type t = types[ti];
		size_t sz = tsz(t);
		uint8_t *x = xcalloc(n, sz), *y = xcalloc(n, sz),
			*o = xcalloc(n + 1, sz);
		struct atlas_arg a[4] = {arr(x, n * sz), arr(y, n * sz),
					 arr(o, (n + 1) * sz), scal(n)};
		uint64_t tol = t == ATLAS_F32 ? 2 : 4;

		for (size_t i = 0; i < n; i++) {
			double u = (rndf() * 2 - 1) * 20, v = rndf() * 4 + 0.1;

			if (i % 100 == 7)
				u = i % 200 == 7 ? 2.5 : -0.5; /* round ties */
			put_bits(x, t, i,
				 t == ATLAS_F32 ? bits_f32((float)u) :
						  bits_f64(u));
			put_bits(y, t, i,
				 t == ATLAS_F32 ? bits_f32((float)v) :
						  bits_f64(v));
		}
		for (int m = 0; m < MAP_COUNT; m++) {
			struct atlas_program *p = loadf(
				".kernel h\n.param x %s[] in r1\n"
				".param y %s[] in r2\n.param o %s[] out r3\n"
				".param n u32 value r4\n"
				"pmap.%s.%s r3, r1, r4\n",
				tn(t), tn(t), tn(t), isa_map_names[m], tn(t));
			char name[64];
			size_t bad = n;

			snprintf(name, sizeof name, "pmap.%s.%s",
				 isa_map_names[m], tn(t));
			put_bits(o, t, n, 0x1234);
			if (!run_ok(p, 1, a, 4, name)) {
				atlas_program_free(p);
				continue;
			}
			for (size_t i = 0; i < n && bad == n; i++) {
				double v =
					map_ref(m, fval(get_bits(x, t, i), t));

				if (!close_to(get_bits(o, t, i), v, t,
					      m <= MAP_NEG || m == MAP_CEIL ||
							      m == MAP_FLOOR ||
							      m == MAP_ROUND ||
							      m == MAP_RELU ?
						      0 :
						      tol))
					bad = i;
			}
			if (!ok(bad == n && get_bits(o, t, n) == 0x1234,
				"%s over %zu elements", name, n) &&
			    bad < n)
				diag("element %zu: %.17g -> %.17g", bad,
				     fval(get_bits(x, t, bad), t),
				     fval(get_bits(o, t, bad), t));
			atlas_program_free(p);
		}
		for (int m = 0; m < MAP2_COUNT; m++) {
			struct atlas_program *p = loadf(
				".kernel h\n.param x %s[] in r1\n"
				".param y %s[] in r2\n.param o %s[] out r3\n"
				".param n u32 value r4\n"
				"pmap2.%s.%s r3, r1, r2, r4\n",
				tn(t), tn(t), tn(t), isa_map2_names[m], tn(t));
			char name[64];
			size_t bad = n;

			snprintf(name, sizeof name, "pmap2.%s.%s",
				 isa_map2_names[m], tn(t));
			if (!run_ok(p, 1, a, 4, name)) {
				atlas_program_free(p);
				continue;
			}
			for (size_t i = 0; i < n && bad == n; i++) {
				double v = map2_ref(m,
						    fval(get_bits(x, t, i), t),
						    fval(get_bits(y, t, i), t));

				if (!close_to(get_bits(o, t, i), v, t,
					      m < MAP2_POW || m == MAP2_MIN ||
							      m == MAP2_MAX ?
						      0 :
						      tol))
					bad = i;
			}
			if (!ok(bad == n, "%s over %zu elements", name, n))
				diag("element %zu: %.17g, %.17g -> %.17g", bad,
				     fval(get_bits(x, t, bad), t),
				     fval(get_bits(y, t, bad), t),
				     fval(get_bits(o, t, bad), t));
			atlas_program_free(p);
		}
		for (int m = 0; m < RED_COUNT; m++) {
			struct atlas_program *p = loadf(
				".kernel h\n.param x %s[] in r1\n"
				".param y %s[] in r2\n.param o %s[] out r3\n"
				".param n u32 value r4\n"
				"preduce.%s.%s r3, r2, r4\n",
				tn(t), tn(t), tn(t), isa_red_names[m], tn(t));
			long double acc = m == RED_SUM	   ? 0 :
					  m == RED_PRODUCT ? 1 :
					  m == RED_MIN	   ? INFINITY :
							     -INFINITY;
			char name[64];
			size_t cnt = m == RED_PRODUCT ? 200 : n;

			snprintf(name, sizeof name, "preduce.%s.%s",
				 isa_red_names[m], tn(t));
			a[3] = scal(cnt);
			put_bits(o, t, 1, 0x4321);
			if (!run_ok(p, 1, a, 4, name)) {
				atlas_program_free(p);
				a[3] = scal(n);
				continue;
			}
			for (size_t i = 0; i < cnt; i++) {
				long double v = fval(get_bits(y, t, i), t);

				if (m == RED_SUM)
					acc += v;
				else if (m == RED_PRODUCT)
					acc *= v;
				else if (m == RED_MIN)
					acc = v < acc ? v : acc;
				else
					acc = v > acc ? v : acc;
			}
			ok(close_to(get_bits(o, t, 0), (double)acc, t,
				    m >= RED_MIN ? 0 : 4) &&
				   get_bits(o, t, 1) == 0x4321,
			   "%s over %zu elements (%.17g, want %.17g)", name,
			   cnt, fval(get_bits(o, t, 0), t), (double)acc);
			a[3] = scal(n);
			atlas_program_free(p);
		}
		/* a count past the array */
		{
			struct atlas_program *p = loadf(
				".kernel h\n.param x %s[] in r1\n"
				".param y %s[] in r2\n.param o %s[] out r3\n"
				".param n u32 value r4\n"
				"pmap.abs.%s r3, r1, r4\n",
				tn(t), tn(t), tn(t), tn(t));
			char msg[160];

			a[3] = scal(n + 2);
			oob_msg(msg, sizeof msg, 0, (n + 2) * sz, n * sz);
			run_fails(p, 1, a, 4, ATLAS_ERR_EXEC, msg,
				  "pmap with a count past the input");
			a[3] = scal(n);
			atlas_program_free(p);
		}
		free(x);
		free(y);
		free(o);
	}
}

/*
 * Buffers need no alignment (values are copied as bytes): f32 arrays at
 * odd addresses through loads, stores, atomics, pmap and preduce.
 */
static void test_unaligned(void)
{
	const size_t n = 1500;
	uint8_t *xb = xcalloc(n * 4 + 1, 1), *yb = xcalloc(n * 4 + 3, 1);
	uint8_t *sb = xcalloc(16, 1);
	struct atlas_arg a[4] = {arr(xb + 1, n * 4), arr(yb + 3, n * 4),
				 arr(sb + 1, 8), scal(n)};
	struct atlas_program *p =
		load(".kernel u\n.param x f32[] in r1\n.param y f32[] out r2\n"
		     ".param s f32[] inout r3\n.param n u32 value r4\n" OFF4
		     "ldg.f32 r10, [r1 + r0]\n"
		     "add.f32 r11, r10, r10\n"
		     "stg.f32 [r2 + r0], r11\n"
		     "atom.add.f32 [r3 + 0], r10\n");
	struct atlas_program *q = load(
		".kernel u\n.param x f32[] in r1\n.param y f32[] inout r2\n"
		".param s f32[] inout r3\n.param n u32 value r4\n"
		"mov_imm.u64 r5, 4\n"
		"ldg.f32 r6, [r3 + r5]\n"
		"preduce.max.f32 r3, r1, r4\n"
		"pmap.neg.f32 r2, r2, r4\n"
		"stg.f32 [r3 + r5], r6\n");
	float sum = 0, mx = -INFINITY, got[2];
	int good;

	for (size_t i = 0; i < n; i++) {
		float v = (float)i * 0.25f - 100;
		volatile float t = sum + v;

		memcpy(xb + 1 + 4 * i, &v, 4);
		sum = t;
		mx = v > mx ? v : mx;
	}
	good = run_ok(p, n, a, 4, "misaligned buffers: loads, stores, atomics");
	memcpy(got, sb + 1, 8);
	ok(good && got[0] == sum && got[1] == 0,
	   "... atom.add.f32 at an odd address");
	good = good && run_ok(q, 1, a, 4, "misaligned buffers: pmap, preduce");
	memcpy(got, sb + 1, 8);
	for (size_t i = 0; i < n && good; i++) {
		float v, w;

		memcpy(&v, xb + 1 + 4 * i, 4);
		memcpy(&w, yb + 3 + 4 * i, 4);
		good = w == -(v + v);
	}
	ok(good && got[0] == mx && got[1] == 0,
	   "... pmap and preduce at odd addresses");
	atlas_program_free(p);
	atlas_program_free(q);
	free(xb);
	free(yb);
	free(sb);
}

/*
 * atom.add and atom.min for every type they take, on all lanes and on the
 * odd lanes only: lane i updates bin i % 8; the result is the fold of the
 * bin's lanes in lane order (which matters for floats only).
 */
static uint64_t atom_fold(int is_min, enum atlas_type t, uint64_t acc,
			  uint64_t v)
{
	uint64_t m = tmask(t);

	if (t == ATLAS_F32) {
		float a = f32_of(acc), b = f32_of(v);

		if (!is_min)
			return bits_f32(a + b);
		return isnan(a) ? v : isnan(b) ? acc : b < a ? v : acc;
	}
	if (t == ATLAS_F64) {
		double a = f64_of(acc), b = f64_of(v);

		if (!is_min)
			return bits_f64(a + b);
		return isnan(a) ? v : isnan(b) ? acc : b < a ? v : acc;
	}
	if (!is_min)
		return (acc + v) & m;
	if (t_sint(t))
		return sx(v, t) < sx(acc, t) ? v : acc;
	return v < acc ? v : acc;
}

static void test_atom_types(void)
{
	static const enum atlas_type types[] = {ATLAS_I32, ATLAS_I64,
						ATLAS_U32, ATLAS_U64,
						ATLAS_F32, ATLAS_F64};
	const size_t n = 3000;

	for (size_t ti = 0; ti < 6; ti++) {
		enum atlas_type t = types[ti];
		size_t sz = tsz(t);
		uint8_t *x = xcalloc(n, sz), bins[8 * 8], want[8 * 8];

		for (size_t i = 0; i < n; i++) {
			uint64_t v = rnd();

			if (t == ATLAS_F32)
				v = bits_f32((float)((rndf() - 0.5) * 1e4));
			else if (t == ATLAS_F64)
				v = bits_f64((rndf() - 0.5) * 1e12);
			else if (rnd() % 2)
				v = (uint64_t)((int64_t)(rnd() % 2001) - 1000);
			put_bits(x, t, i, v & tmask(t));
		}
		for (int op = 0; op < 2; op++) {
			for (int odd = 0; odd < 2; odd++) {
				struct atlas_arg a[2] = {arr(x, n * sz),
							 arr(bins, 8 * sz)};
				struct atlas_program *p = loadf(
					".kernel at\n.param x %s[] in r1\n"
					".param b %s[] inout r2\n"
					"mov_imm.u32 r250, %u\n"
					"shl.u64 r0, r255, r250\n"
					"ldg.%s r10, [r1 + r0]\n"
					"mov_imm.u64 r3, 7\n"
					"and.u64 r4, r255, r3\n"
					"shl.u64 r4, r4, r250\n"
					"mov_imm.u64 r5, 1\n"
					"and.u64 r6, r255, r5\n"
					"mov_imm.u64 r7, %d\n"
					"setlt.u64 p0, r6, r7\n"
					"bra.p0 @skip\n"
					"atom.%s.%s [r2 + r4], r10\n"
					"@skip:\n",
					tn(t), tn(t), tlog2(t), tn(t), odd,
					op ? "min" : "add", tn(t));
				char name[64];

				for (size_t b = 0; b < 8; b++) {
					uint64_t init = op ? rnd() & tmask(t) :
							     0;

					if (op && t == ATLAS_F32)
						init = bits_f32(1e3f);
					if (op && t == ATLAS_F64)
						init = bits_f64(1e9);
					put_bits(bins, t, b, init);
					put_bits(want, t, b, init);
				}
				for (size_t i = odd; i < n; i += 1 + odd)
					put_bits(want, t, i % 8,
						 atom_fold(op, t,
							   get_bits(want, t,
								    i % 8),
							   get_bits(x, t, i)));
				snprintf(name, sizeof name, "atom.%s.%s%s",
					 op ? "min" : "add", tn(t),
					 odd ? ", odd lanes" : "");
				if (run_ok(p, n, a, 2, name))
					ok(memcmp(bins, want, 8 * sz) == 0,
					   "%s: 8 bins, lane-order results",
					   name);
				atlas_program_free(p);
			}
		}
		free(x);
	}
}

/*
 * pool.store and pool.load for every type they take: each lane stores
 * its value (varying) and a uniform one at lane-dependent offsets of its
 * own pool and loads both back.
 */
static void test_pool_types(void)
{
	const size_t n = 1100;

	for (int ti = 0; ti < ATLAS_NTYPES; ti++) {
		enum atlas_type t = (enum atlas_type)ti;
		size_t sz = tsz(t);
		uint8_t *x = xcalloc(n, sz), *o = xcalloc(n, sz),
			*o2 = xcalloc(n, sz);
		uint64_t u = rnd() & tmask(t);
		struct atlas_arg a[4] = {arr(x, n * sz), arr(o, n * sz),
					 arr(o2, n * sz), scal(u)};
		struct atlas_program *p;
		char text[1024], name[64];
		int good = 1;

		snprintf(text, sizeof text,
			 ".kernel pt\n.param x %s[] in r1\n"
			 ".param o %s[] out r2\n.param o2 %s[] out r3\n"
			 ".param u %s value r4\n"
			 "mov_imm.u32 r250, %u\n"
			 "shl.u64 r0, r255, r250\n"
			 "ldg.%s r10, [r1 + r0]\n"
			 "pool.alloc r5, 64\n"
			 "mov_imm.u64 r6, 7\n"
			 "and.u64 r7, r255, r6\n" /* offset 0..7 */
			 "mov_imm.u64 r8, 40\n"	  /* and 40 */
			 "pool.store.%s r5, r7, r10\n"
			 "pool.store.%s r5, r8, r4\n"
			 "pool.load.%s r11, r5, r7\n"
			 "pool.load.%s r12, r5, r8\n"
			 "stg.%s [r2 + r0], r11\n"
			 "stg.%s [r3 + r0], r12\n"
			 "pool.free r5\n",
			 tn(t), tn(t), tn(t), tn(t), tlog2(t), tn(t), tn(t),
			 tn(t), tn(t), tn(t), tn(t), tn(t));
		snprintf(name, sizeof name, "pool.store/load.%s", tn(t));
		if (t_half(t)) {
			char msg[96];

			snprintf(msg, sizeof msg,
				 "unsupported operation: POOL.STORE for type "
				 "%s",
				 tn(t));
			load_fails(text, msg, name);
			free(x);
			free(o);
			free(o2);
			continue;
		}
		for (size_t i = 0; i < n; i++)
			put_bits(x, t, i, rnd());
		p = load(text);
		if (run_ok(p, n, a, 4, name)) {
			good = memcmp(x, o, n * sz) == 0;
			for (size_t i = 0; i < n && good; i++)
				good = get_bits(o2, t, i) == u;
			ok(good, "%s: values round trip", name);
		}
		atlas_program_free(p);
		free(x);
		free(o);
		free(o2);
	}
}

int main(void)
{
	E = atlas_engine_new(NULL, NULL);
	if (!E)
		return 1;
	test_modes();
	test_gather_scatter();
	test_oob();
	test_window();
	test_aliasing();
	test_div_zero();
	test_pools();
	test_atomics();
	test_fetch_add();
	test_higher();
	test_unaligned();
	test_atom_types();
	test_pool_types();
	atlas_engine_free(E);
	return done_testing();
}
