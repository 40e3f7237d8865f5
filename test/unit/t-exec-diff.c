/*
 * t-exec-diff.c - differential tests of the block interpreter: random
 * structured programs (arithmetic on uniform, affine and varying values,
 * if/else on lane-dependent conditions, LOOP with lane-dependent counts,
 * calls, sel, lane-private stores and loads, exits) run once over whole
 * blocks of lanes, and again over odd-sized lane ranges and one lane at a
 * time.  Lanes share no memory, so every lane's registers at the end must
 * be the same however the lanes were grouped: divergence, reconvergence
 * and the register shapes must never change a result.
 */
#include "tap.h"
#include "exec_util.h"

#define NREG 16 /* data registers r10..r25, all u32 */
#define NLANES 2100
#define MAXDEPTH 3

static struct sbuf S;
static unsigned nlabel;

static unsigned reg(void)
{
	return 10 + (unsigned)(rnd() % NREG);
}

/* One arithmetic, logic, compare or memory step on the data registers. */
static void gen_op(int in_func)
{
	static const char *const bin[] = {"add", "sub", "mul", "and", "or",
					  "xor", "shl", "shr", "min", "max"};
	static const char *const conds[] = {"eq", "ne", "lt",  "le",
					    "gt", "ge", "ltu", "geu"};
	unsigned d = reg(), a = reg(), b = reg();
	unsigned pr = in_func ? 8 : 4 + (unsigned)(rnd() % 4);

	switch (rnd() % 9) {
	case 0:
	case 1:
	case 2:
		sb_printf(&S, "%s.u32 r%u, r%u, r%u\n", bin[rnd() % 10], d, a,
			  b);
		break;
	case 3: /* divide by b | 1, never zero */
		sb_printf(&S, "or.u32 r9, r%u, r8\ndiv.u32 r%u, r%u, r9\n", b,
			  d, a);
		break;
	case 4:
		sb_printf(&S,
			  "set%s.u32 p%u, r%u, r%u\nsel.u32 r%u, p%u, r%u, "
			  "r%u\n",
			  conds[rnd() % 8], pr, a, b, d, pr, b, a);
		break;
	case 5:
		sb_printf(&S, "mov_imm.u32 r%u, %u\n", d,
			  (unsigned)(rnd() % 1000));
		break;
	case 6: /* through u64 and u8: affine stays affine, or not */
		sb_printf(&S,
			  "cvt.u64.u32 r6, r%u\nadd.u64 r6, r6, r255\n"
			  "cvt.u8.u64 r7, r6\ncvt.u32.u8 r%u, r7\n",
			  a, d);
		break;
	case 7: /* lane-private memory: o[lane * 16 + 15] */
		sb_printf(&S,
			  "stg.u32 [r3 + r5], r%u\n"
			  "ldg.u32 r%u, [r3 + r5]\n",
			  a, d);
		break;
	default:
		sb_printf(&S, "not.u32 r%u, r%u\n", d, a);
		break;
	}
}

static void gen_block(int depth, int in_func, int nfuncs);

static void gen_stmt(int depth, int in_func, int nfuncs)
{
	unsigned k = rnd() % 10, l;

	if (depth >= MAXDEPTH || k < 4) {
		gen_op(in_func);
		return;
	}
	l = nlabel++;
	switch (k) {
	case 4:
	case 5: /* if / else on a lane-dependent condition */
		sb_printf(&S, "setlt.u32 p%d, r%u, r%u\nbra.p%d @else%u\n",
			  in_func ? 9 : depth, reg(), reg(),
			  in_func ? 9 : depth, l);
		gen_block(depth + 1, in_func, nfuncs);
		sb_printf(&S, "bra @end%u\n@else%u:\n", l, l);
		gen_block(depth + 1, in_func, nfuncs);
		sb_printf(&S, "@end%u:\n", l);
		break;
	case 6:
	case 7: /* LOOP with a count of (reg & 3) or a uniform count */
		if (in_func)
			goto op;
		if (rnd() & 1)
			sb_printf(&S, "and.u32 r%d, r%u, r2\n", 30 + depth,
				  reg());
		else
			sb_printf(&S, "mov_imm.u32 r%d, 2\n", 30 + depth);
		sb_printf(&S, "@loop%u:\n", l);
		gen_block(depth + 1, in_func, nfuncs);
		sb_printf(&S, "loop r%d, @loop%u\n", 30 + depth, l);
		break;
	case 8: /* a call, from wherever the lanes are */
		if (in_func || !nfuncs)
			goto op;
		sb_printf(&S, "call @f%u\n", (unsigned)(rnd() % nfuncs));
		break;
	default: /* some lanes exit */
		if (rnd() % 4)
			goto op;
		sb_printf(&S,
			  "mov_imm.u32 r9, 61\nsetgt.u32 p%d, r%u, r9\n"
			  "and.u32 r9, r%u, r9\nseteq.u32 p%d, r9, r8\n"
			  "bra.p%d @quit\n",
			  in_func ? 9 : depth, reg(), reg(),
			  in_func ? 9 : depth, in_func ? 9 : depth);
		break;
	}
	return;
op:
	gen_op(in_func);
}

static void gen_block(int depth, int in_func, int nfuncs)
{
	unsigned n = 1 + (unsigned)(rnd() % 4);

	for (unsigned i = 0; i < n; i++)
		gen_stmt(depth, in_func, nfuncs);
}

static void gen_program(void)
{
	int nfuncs = (int)(rnd() % 3);

	sb_reset(&S);
	nlabel = 0;
	sb_printf(&S, ".kernel d\n"
		      ".param x u32[] in r1\n"
		      ".param o u32[] out r3\n"
		      ".param u u32 value r11\n"
		      "mov_imm.u32 r2, 3\n"
		      "mov_imm.u32 r8, 1\n"
		      "mov_imm.u64 r5, 64\n"
		      "mul.u64 r5, r5, r255\n"
		      "mov_imm.u64 r6, 60\n"
		      "add.u64 r5, r5, r6\n" /* &o[lane * 16 + 15] */
		      "mov_imm.u32 r7, 2\n"
		      "shl.u64 r6, r255, r7\n"
		      "ldg.u32 r12, [r1 + r6]\n" /* varying */
		      "cvt.u32.u64 r10, r255\n"	 /* affine */
		      "mov_imm.u32 r13, 12345\n" /* uniform */
		      "and.u32 r30, r12, r2\n"	 /* loop counters */
		      "mov_imm.u32 r31, 1\n"
		      "and.u32 r32, r10, r2\n");
	for (int k = 14; k < 10 + NREG; k++)
		sb_printf(&S, "mov.u32 r%d, r%d\n", k, 10 + k % 4);
	gen_block(0, 0, nfuncs);
	sb_printf(&S, "@store:\n");
	for (int k = 0; k < NREG - 1; k++)
		sb_printf(&S,
			  "mov_imm.u64 r6, %d\nsub.u64 r6, r5, r6\n"
			  "stg.u32 [r3 + r6], r%d\n",
			  60 - 4 * k, 10 + k);
	sb_printf(&S, "@quit:\nexit\n");
	for (int f = 0; f < nfuncs; f++) {
		sb_printf(&S, "@f%d:\n", f);
		gen_block(1, 1, 0);
		sb_printf(&S, "ret\n");
	}
}

/* Run over [begin, end) of a linear launch of NLANES lanes in blocks of bs. */
static int run_range(const struct atlas_program *p, uint32_t bs, uint64_t begin,
		     uint64_t end, struct atlas_arg *a, struct atlas_error *err)
{
	struct atlas_launch l = atlas_launch_linear(NLANES, bs);

	l.lane_begin = begin;
	l.lane_end = end;
	return atlas_engine_run(E, p, &l, a, 3, err) == ATLAS_OK;
}

int main(void)
{
	uint32_t *x = xcalloc(NLANES, 4);
	uint32_t *o1 = xcalloc(NLANES * 16, 4), *o2 = xcalloc(NLANES * 16, 4);
	unsigned bad_programs = 0, runs = 0;
	static const uint64_t cuts[] = {0, 1, 8, 1000, 1023, 1500, NLANES};

	E = atlas_engine_new(NULL, NULL);
	if (!E)
		return 1;
	for (size_t i = 0; i < NLANES; i++)
		x[i] = (uint32_t)rnd();
	for (int prog = 0; prog < 300; prog++) {
		struct atlas_program *p;
		struct atlas_arg a[3] = {arr(x, NLANES * 4),
					 arr(o1, NLANES * 64), scal(rnd())};
		struct atlas_error err;
		int good = 1;

		gen_program();
		p = load(S.s);
		if (!p) {
			bad_programs++;
			continue;
		}
		memset(o1, 0xee, NLANES * 64);
		if (!run_range(p, 256, 0, NLANES, a, &err)) {
			diag("program %d: %s\n%s", prog, err.msg, S.s);
			bad_programs++;
			atlas_program_free(p);
			continue;
		}
		/* odd-sized ranges */
		a[1] = arr(o2, NLANES * 64);
		memset(o2, 0xee, NLANES * 64);
		for (size_t c = 0; c + 1 < sizeof cuts / sizeof *cuts; c++)
			good &= run_range(p, 300, cuts[c], cuts[c + 1], a,
					  &err);
		if (!good || memcmp(o1, o2, NLANES * 64) != 0)
			good = 0;
		/* a sample of lanes one at a time */
		for (size_t i = 0; i < NLANES && good; i += 1 + rnd() % 97) {
			good &= run_range(p, 256, i, i + 1, a, &err);
			good &= memcmp(o1 + i * 16, o2 + i * 16, 64) == 0;
			runs++;
		}
		if (!good) {
			for (size_t i = 0; i < NLANES * 16; i++)
				if (o1[i] != o2[i]) {
					diag("program %d: lane %zu r%zu: block "
					     "0x%x, alone 0x%x",
					     prog, i / 16, 10 + i % 16, o1[i],
					     o2[i]);
					break;
				}
			if (bad_programs < 3)
				diag("%s", S.s);
			bad_programs++;
		}
		atlas_program_free(p);
	}
	ok(bad_programs == 0,
	   "300 random programs: the same results by whole blocks, odd "
	   "ranges and %u single lanes",
	   runs);
	atlas_engine_free(E);
	free(S.s);
	free(x);
	free(o1);
	free(o2);
	return done_testing();
}
