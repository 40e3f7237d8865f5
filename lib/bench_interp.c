/*
 * bench_interp.c - the interp suite: what one instruction costs the
 * interpreter per lane, for each opcode family.  Each family is a small
 * assembly program that loads x[i], runs a chain of about 32
 * instructions of the family on it (each reads the result of the one
 * before, so nothing can be skipped) and stores y[i]; it runs over N
 * lanes in memory, and the throughput is the time over N times the
 * instructions each lane executes, load, store and address arithmetic
 * included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define LANES_FULL (1u << 20)
#define LANES_QUICK (1u << 16)
/* Instructions of the family in one program, about. */
#define CHAIN 32

struct family {
	const char *name;
	const char *type;     /* of x and y: "f32" or "u32" */
	const char *setup;    /* lines before the chain (constants) */
	const char *entry;    /* repeated to make the chain; r10 in, out */
	unsigned entry_insns; /* executed per entry; 0: its lines */
	unsigned iters;	      /* nonzero: the chain is a loop body */
	const char *tail;     /* after exit: called code */
};

static const struct family families[] = {
	{"int arith (add/sub/mul.u32)", "u32",
	 "mov_imm.u32 r20, 3\nmov_imm.u32 r21, 5\n",
	 "add.u32 r11, r10, r20\nmul.u32 r12, r11, r21\n"
	 "sub.u32 r10, r12, r20\n",
	 0, 0, ""},
	{"float arith (add/mul/fma.f32)", "f32",
	 "mov_imm.f32 r20, 0.5\nmov_imm.f32 r21, 0.999\n",
	 "add.f32 r11, r10, r20\nmul.f32 r12, r11, r21\n"
	 "fma.f32 r10, r12, r21, r20\n",
	 0, 0, ""},
	{"logic (and/or/xor/not/shl/shr.u32)", "u32",
	 "mov_imm.u32 r20, 0x0f0f0f0f\nmov_imm.u32 r21, 1\n",
	 "xor.u32 r11, r10, r20\nshl.u32 r12, r11, r21\n"
	 "or.u32 r13, r12, r20\nshr.u32 r14, r13, r21\n"
	 "and.u32 r15, r14, r20\nnot.u32 r10, r15\n",
	 0, 0, ""},
	{"compare/select (set/sel.f32)", "f32",
	 "mov_imm.f32 r20, 1.5\nmov_imm.f32 r21, 0.25\n",
	 "setlt.f32 p0, r10, r20\nsel.f32 r11, p0, r10, r21\n"
	 "setgt.f32 p1, r11, r21\nsel.f32 r10, p1, r11, r20\n",
	 0, 0, ""},
	{"convert (cvt f32/i32)", "f32", "",
	 "cvt.i32.f32 r11, r10\ncvt.f32.i32 r10, r11\n", 0, 0, ""},
	{"memory (ldg/stg.f32)", "f32", "",
	 "stg.f32 [r2 + r0], r10\nldg.f32 r10, [r1 + r0]\n", 0, 0, ""},
	{"exp/log.f32", "f32", "", "exp.f32 r11, r10\nlog.f32 r10, r11\n", 0, 0,
	 ""},
	{"sin/cos.f32", "f32", "", "sin.f32 r11, r10\ncos.f32 r10, r11\n", 0, 0,
	 ""},
	{"sigmoid/tanh.f32", "f32", "",
	 "sigmoid.f32 r11, r10\ntanh.f32 r10, r11\n", 0, 0, ""},
	{"sqrt/rsqrt.f32", "f32", "", "sqrt.f32 r11, r10\nrsqrt.f32 r10, r11\n",
	 0, 0, ""},
	{"control flow (loop)", "f32", "mov_imm.f32 r20, 0.5\n",
	 "add.f32 r10, r10, r20\n", 0, CHAIN / 2, ""},
	{"control flow (call/ret)", "f32", "mov_imm.f32 r20, 0.5\n",
	 "call @f\n", 3, 0, "@f:\n\tadd.f32 r10, r10, r20\n\tret\n"},
	{"atomics (atom.add.f32)", "f32", "", "atom.add.f32 [r2 + r0], r10\n",
	 0, 0, ""},
};

static unsigned lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Entries in the chain of f. */
static unsigned entries(const struct family *f)
{
	const unsigned k = f->entry_insns ? f->entry_insns : lines(f->entry);

	return f->iters ? 1 : CHAIN / k ? CHAIN / k : 1;
}

/* Instructions each lane of f's program executes. */
static double executed(const struct family *f)
{
	const unsigned k = f->entry_insns ? f->entry_insns : lines(f->entry);
	const unsigned loop = f->iters ? 1 : 0;
	const unsigned iters = f->iters ? f->iters : 1;

	/* address (2), load, setup, loop counter; chain (+ loop); store,
	   exit */
	return 3 + lines(f->setup) + loop +
	       (double)iters * (entries(f) * k + loop) + 2;
}

/* Append the indented lines of s to buf at *k. */
static int put_lines(char *buf, size_t size, size_t *k, const char *s)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && *s != '@' && *k < size)
			buf[(*k)++] = '\t';
		if (*k < size)
			buf[(*k)++] = *s;
		bol = *s == '\n';
	}
	return *k < size ? 0 : -1;
}

/* The assembly of f's program into buf; -1 if it does not fit. */
static int program_text(const struct family *f, char *buf, size_t size)
{
	int n = snprintf(buf, size,
			 ".kernel bench\n.param x %s[] in r1\n"
			 ".param y %s[] out r2\n\tmov_imm.u32 r250, 2\n"
			 "\tshl.u64 r0, r255, r250\n\tldg.%s r10, [r1 + r0]\n",
			 f->type, f->type, f->type);
	size_t k;

	if (n < 0 || (size_t)n >= size)
		return -1;
	k = (size_t)n;
	put_lines(buf, size, &k, f->setup);
	if (f->iters)
		k += (size_t)snprintf(buf + k, size > k ? size - k : 0,
				      "\tmov_imm.u32 r30, %u\n@body:\n",
				      f->iters - 1);
	for (unsigned i = 0, e = entries(f); i < e && k < size; i++)
		put_lines(buf, size, &k, f->entry);
	if (f->iters && k < size)
		k += (size_t)snprintf(buf + k, size - k, "\tloop r30, @body\n");
	if (k < size)
		k += (size_t)snprintf(buf + k, size - k,
				      "\tstg.%s [r2 + r0], r10\n\texit\n%s",
				      f->type, f->tail);
	return k < size ? 0 : -1;
}

struct interp_run {
	struct atlas_engine *e;
	struct atlas_program *p;
	struct atlas_launch l;
	struct atlas_arg args[2];
};

static enum atlas_status run_once(void *arg, struct atlas_error *err)
{
	struct interp_run *r = arg;

	return atlas_engine_run(r->e, r->p, &r->l, r->args, 2, err);
}

static enum atlas_status one_family(struct bench_ctx *c, const struct family *f,
				    struct interp_run *r, uint64_t lanes)
{
	char text[8192];
	struct bench_stat s;
	struct atlas_measure m;
	enum atlas_status rc;

	if (program_text(f, text, sizeof text))
		return bench_fail(c->err, ATLAS_ERR_LIMIT, "%s: too long",
				  f->name);
	rc = atlas_program_parse(text, strlen(text), ATLAS_FORMAT_ASM, &r->p,
				 c->err);
	if (rc == ATLAS_OK)
		rc = bench_pair(c, run_once, r, NULL, NULL, &s, NULL);
	atlas_program_free(r->p);
	r->p = NULL;
	if (rc != ATLAS_OK)
		return rc;
	bench_measure(&m, c, f->name, lanes, "lanes", &s);
	bench_rate(&m, s.median / ((double)lanes * executed(f)), "ns/lane-insn",
		   NULL, NULL);
	bench_emit(c, &m);
	return ATLAS_OK;
}

enum atlas_status bench_interp(struct bench_ctx *c)
{
	const uint64_t lanes = c->o->quick ? LANES_QUICK : LANES_FULL;
	struct atlas_buffer *x = atlas_buffer_new(lanes * 4, c->err);
	struct atlas_buffer *y = atlas_buffer_new(lanes * 4, c->err);
	struct interp_run r = {0};
	enum atlas_status rc = ATLAS_ERR_NOMEM;

	if (!x || !y || !(r.e = bench_engine(c)))
		goto done;
	bench_fill(atlas_buffer_data(x), ATLAS_F32, lanes);
	r.l = atlas_launch_linear(lanes, ATLAS_STREAM_BLOCK);
	r.args[0].view = atlas_buffer_view(x);
	r.args[1].view = atlas_buffer_view(y);
	rc = ATLAS_OK;
	for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
		if (c->stop || rc != ATLAS_OK)
			break;
		rc = one_family(c, &families[i], &r, lanes);
	}
done:
	if (rc == ATLAS_ERR_NOMEM && c->err && !c->err->msg[0])
		bench_fail(c->err, rc, "out of memory");
	atlas_engine_free(r.e);
	atlas_buffer_free(x);
	atlas_buffer_free(y);
	return rc;
}
