/*
 * verify_flow.c - the verifier's dataflow: definedness and types at every
 * reachable read, by a forward dataflow with function summaries over the
 * blocks and functions of verify_cfg.c; and verify_flow, the driver of
 * the flow passes.
 *
 * Dataflow value of a register: the set of types it may hold (one bit per
 * type), V_UNDEF if it may be undefined, V_ENTRY if it may still hold its
 * value from the entry of its function, V_LANE if it may still hold its
 * value from lane entry (a parameter or special register: reg_live_in).
 * Predicates have "may be undefined" and "may hold the entry value" bits.
 * Paths meet by bitwise OR, so a register defined on one path only is
 * "maybe undefined" and one typed differently on two paths has two type
 * bits.  A read is correct only if the set is exactly the expected type.
 *
 * 1. Summaries (solve).  Each function is analysed relative to its entry,
 *    where every register and predicate holds V_ENTRY.  Its summary is
 *    the meet of the states at its RETs: per register, V_ENTRY if some
 *    path leaves it alone, and whatever the other paths write.  The state
 *    after a call is the callee's summary with V_ENTRY replaced by the
 *    state before the call (compose); a tail call composes likewise into
 *    the caller's summary.  Summaries start as "never returns" and grow
 *    to a fixpoint, which covers recursion.  Functions are solved callees
 *    first (by strongly connected components of the call graph).
 * 2. Entry states (solve_entries).  The state at a function's entry is
 *    the meet of the states at the reached calls of it and jumps into it,
 *    starting from the lane's initial state at instruction 0; callers
 *    first.
 * 3. Reads (check_reads).  A reached block's state is its state from 1
 *    composed with its function's entry state from 2.  Composing is a
 *    union over the calls, so a read is accepted exactly when it is
 *    correct whichever call reached it; errors name the reading
 *    instruction and come in instruction order.
 *
 * Each block belongs to one function and is analysed relative to that
 * function only, and the solving order means that outside recursion a
 * summary or an entry state is final when it is used.  So the work is
 * about linear in the program size (the dominators take a few passes).
 *
 * Control flow, functions and the call depth are described in
 * verify_cfg.c.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify_flow.h"

#define V_TYPES 0x0fffu
#define V_LANE 0x2000u
#define V_ENTRY 0x4000u
#define V_UNDEF 0x8000u

/*
 * A state is an array of words: one per tracked register (those that
 * some instruction reads or writes, at slot[r]), then P_UNDEF, the
 * predicates that may be undefined, P_ENTRY, those that may hold their
 * entry value, and SEEN, nonzero once the analysis reached it.
 */
#define P_UNDEF(g) ((g)->nu)
#define P_ENTRY(g) ((g)->nu + 1)
#define SEEN(g) ((g)->nu + 2)
#define NOSLOT 0xffffu

static void enqueue(struct flow *g, uint32_t x)
{
	if (g->inq[x])
		return;
	g->inq[x] = 1;
	g->queue[(g->qhead + g->qlen++) % g->qsize] = x;
}

static uint32_t dequeue(struct flow *g)
{
	const uint32_t x = g->queue[g->qhead];

	g->qhead = (g->qhead + 1) % g->qsize;
	g->qlen--;
	g->inq[x] = 0;
	return x;
}

/* Block b's state. */
static uint16_t *st(const struct flow *g, uint32_t b)
{
	return g->states + (size_t)b * g->stride;
}

/* Function f's summary. */
static uint16_t *sum(const struct flow *g, uint32_t f)
{
	return st(g, g->nb + f);
}

/* Function f's entry state. */
static uint16_t *entry_of(const struct flow *g, uint32_t f)
{
	return st(g, g->nb + g->nf + f);
}

/* Merge s into d; nonzero if d changed. */
static int merge(const struct flow *g, uint16_t *d, const uint16_t *s)
{
	unsigned ch = 0;

	if (!d[SEEN(g)]) {
		memcpy(d, s, g->stride * sizeof *d);
		d[SEEN(g)] = 1;
		return 1;
	}
	/* the registers and both predicate sets */
	for (uint32_t k = 0; k < g->nu + 2; k++) {
		const uint16_t m = d[k] | s[k];

		ch |= m ^ d[k];
		d[k] = m;
	}
	return ch != 0;
}

/*
 * out = s, relative to a function's entry, with the entry values taken
 * from e: a register holding V_ENTRY in s may hold whatever it holds in
 * e.  out may be s or e.
 */
static void compose(const struct flow *g, uint16_t *out, const uint16_t *s,
		    const uint16_t *e)
{
	const uint16_t pundef = s[P_UNDEF(g)] | (s[P_ENTRY(g)] & e[P_UNDEF(g)]);
	const uint16_t pentry = s[P_ENTRY(g)] & e[P_ENTRY(g)];

	for (uint32_t k = 0; k < g->nu; k++) {
		const uint16_t m = s[k];

		out[k] = (uint16_t)((m & ~V_ENTRY) | (m & V_ENTRY ? e[k] : 0));
	}
	out[P_UNDEF(g)] = pundef;
	out[P_ENTRY(g)] = pentry;
	out[SEEN(g)] = 1;
}

static void transfer(const struct flow *g, const struct isa_insn *in,
		     uint16_t *s)
{
	struct opnds o;

	verify_decode(in, &o);
	if (o.nw) {
		assert(g->slot[o.w] != NOSLOT);
		s[g->slot[o.w]] = (uint16_t)TM(o.wt);
	}
	if (o.pw != ISA_NO_PRED) {
		s[P_UNDEF(g)] &= (uint16_t) ~(1u << o.pw);
		s[P_ENTRY(g)] &= (uint16_t) ~(1u << o.pw);
	}
}

static void flow_to(struct flow *g, uint32_t b, const uint16_t *s)
{
	if (merge(g, st(g, b), s))
		enqueue(g, b);
}

/* Function f returns in state s: grow its summary, revisit its callers. */
static void flow_ret(struct flow *g, uint32_t f, const uint16_t *s)
{
	if (!merge(g, sum(g, f), s))
		return;
	for (uint32_t k = g->dep_off[f]; k < g->dep_off[f + 1]; k++)
		if (st(g, g->dep[k].val)[SEEN(g)])
			enqueue(g, g->dep[k].val);
}

/*
 * After the CALL at pc, s is the callee's summary composed with s.
 * Returns -1 if nothing comes back: the call ends the lane, or the
 * callee does not return (yet).
 */
static int step_call(const struct flow *g, uint32_t pc, uint16_t *s)
{
	const uint32_t c = verify_cfg_callee(g, pc);

	if (c == NONE || !sum(g, c)[SEEN(g)])
		return -1;
	compose(g, s, sum(g, c), s);
	return 0;
}

/* Run block b on s (a copy of its state). */
static void flow_block(struct flow *g, uint32_t b, uint16_t *s)
{
	const uint32_t end = g->bstart[b + 1], f = g->fn[b];
	uint16_t *t = g->tmp[2];
	uint32_t next[2];

	for (uint32_t i = g->bstart[b]; i < end; i++) {
		transfer(g, &g->insns[i], s);
		if (g->insns[i].op == OP_CALL && step_call(g, i, s))
			return;
	}
	if (g->insns[end - 1].op == OP_RET) {
		flow_ret(g, f, s);
		return;
	}
	for (uint32_t k = verify_cfg_succ(g, b, next); k-- > 0;) {
		const uint32_t c = g->fn[next[k]];

		if (c == f) {
			flow_to(g, next[k], s);
		} else if (sum(g, c)[SEEN(g)]) {
			compose(g, t, sum(g, c), s);
			flow_ret(g, f, t);
		}
	}
}

/* Pass 1: every block's state relative to its function, the summaries. */
static int solve(struct flow *g)
{
	const size_t nstates = (size_t)g->nb + 2 * (size_t)g->nf + 3;
	uint16_t *entry, *s;

	for (unsigned r = 0; r < ISA_NREGS; r++)
		g->slot[r] = g->v->f.reg_used[r] ? (uint16_t)g->nu++ : NOSLOT;
	g->stride = g->nu + 3;
	g->qsize = g->nb;
	g->states = calloc(nstates, g->stride * sizeof *g->states);
	g->queue = malloc((size_t)g->qsize * sizeof *g->queue);
	g->inq = calloc(g->qsize, 1);
	if (!g->states || !g->queue || !g->inq)
		return -1;
	for (int k = 0; k < 3; k++)
		g->tmp[k] = st(g, g->nb + 2 * g->nf + (uint32_t)k);
	entry = g->tmp[0];
	s = g->tmp[1];
	for (uint32_t k = 0; k < g->nu; k++)
		entry[k] = V_ENTRY;
	entry[P_UNDEF(g)] = 0;
	entry[P_ENTRY(g)] = 0xffff;
	entry[SEEN(g)] = 1;
	/*
	 * Callees first: a component's calls out of it find final
	 * summaries, so each block is visited a few times at most.
	 */
	for (uint32_t k = 0; k < g->nscc; k++) {
		for (uint32_t i = g->soff[k]; i < g->soff[k + 1]; i++)
			flow_to(g, g->head[g->sorder[i]], entry);
		while (g->qlen > 0) {
			const uint32_t b = dequeue(g);

			memcpy(s, st(g, b), g->stride * sizeof *s);
			flow_block(g, b, s);
		}
	}
	return 0;
}

/*
 * Merge s into f's entry state.  Callers come first, so only a function
 * of the component being solved can need another visit.
 */
static void flow_in(struct flow *g, uint32_t f, const uint16_t *s)
{
	if (merge(g, entry_of(g, f), s) && g->scc[f] == g->cur)
		enqueue(g, f);
}

/* Function f's calls and jumps out, from its entry state. */
static void flow_out(struct flow *g, uint32_t f)
{
	uint16_t *s = g->tmp[1];

	for (uint32_t k = g->out_off[f]; k < g->out_off[f + 1]; k++) {
		const uint32_t b = g->out[k].val;
		const uint32_t pc = g->bstart[b + 1] - 1;
		uint32_t next[2], i;

		if (!st(g, b)[SEEN(g)])
			continue;
		compose(g, s, st(g, b), entry_of(g, f));
		for (i = g->bstart[b]; i <= pc; i++) {
			transfer(g, &g->insns[i], s);
			if (g->insns[i].op != OP_CALL)
				continue;
			if (verify_cfg_callee(g, i) != NONE)
				flow_in(g, verify_cfg_callee(g, i), s);
			if (step_call(g, i, s))
				break;
		}
		if (i <= pc)
			continue;
		for (uint32_t j = verify_cfg_succ(g, b, next); j-- > 0;)
			if (g->fn[next[j]] != f)
				flow_in(g, g->fn[next[j]], s);
	}
}

/*
 * Pass 2: the state at each reached function's entry, from the lane's
 * initial state at instruction 0 (function fn[0]), callers first.
 */
static void solve_entries(struct flow *g)
{
	const struct verifier *v = g->v;
	uint16_t *s = g->tmp[0];

	for (unsigned r = 0; r < ISA_NREGS; r++)
		if (g->slot[r] != NOSLOT)
			s[g->slot[r]] =
				v->entry_type[r] == 0xff ?
					V_UNDEF :
					(uint16_t)(TM(v->entry_type[r]) |
						   V_LANE);
	s[P_UNDEF(g)] = 0xffff;
	s[P_ENTRY(g)] = 0;
	s[SEEN(g)] = 1;
	g->cur = NONE;
	flow_in(g, g->fn[0], s);
	for (uint32_t k = g->nscc; k-- > 0;) {
		g->cur = k;
		for (uint32_t i = g->soff[k]; i < g->soff[k + 1]; i++)
			if (entry_of(g, g->sorder[i])[SEEN(g)])
				enqueue(g, g->sorder[i]);
		while (g->qlen > 0)
			flow_out(g, dequeue(g));
	}
}

static enum atlas_status check_read(const struct flow *g,
				    const struct isa_insn *in,
				    const uint16_t *s, unsigned r, unsigned t)
{
	struct verifier *v = g->v;
	unsigned m, other;

	assert(g->slot[r] != NOSLOT);
	m = s[g->slot[r]];
	if (m & V_UNDEF)
		return verify_fail(v, "uninitialized", in->line, in->col,
				   "uninitialized register: r%u", r);
	if ((m & V_TYPES) != TM(t)) {
		other = m & V_TYPES & ~TM(t);
		assert(other != 0); /* a defined register has a type */
		return verify_fail(
			v, "type-mismatch", in->line, in->col,
			"type mismatch: expected %s, got %s",
			atlas_type_name((enum atlas_type)t),
			atlas_type_name((enum atlas_type)__builtin_ctz(other)));
	}
	if (m & V_LANE)
		v->f.reg_live_in[r] = 1;
	return ATLAS_OK;
}

/* Pass 3: check every read of the reached blocks, in instruction order. */
static enum atlas_status check_reads(struct flow *g)
{
	uint16_t *s = g->tmp[0];

	for (uint32_t b = 0; b < g->nb; b++) {
		if (!st(g, b)[SEEN(g)] || !entry_of(g, g->fn[b])[SEEN(g)])
			continue;
		compose(g, s, st(g, b), entry_of(g, g->fn[b]));
		for (uint32_t pc = g->bstart[b]; pc < g->bstart[b + 1]; pc++) {
			const struct isa_insn *in = &g->insns[pc];
			struct opnds o;

			verify_decode(in, &o);
			if (o.pr != ISA_NO_PRED && (s[P_UNDEF(g)] >> o.pr & 1))
				return verify_fail(
					g->v, "uninitialized", in->line,
					in->col, "uninitialized predicate: p%u",
					(unsigned)o.pr);
			for (int k = 0; k < o.nr; k++)
				if (check_read(g, in, s, o.r[k], o.rt[k]))
					return ATLAS_ERR_VERIFY;
			for (uint64_t k = 0; k < o.rcount; k++)
				if (check_read(g, in, s, o.rbase + (unsigned)k,
					       o.rtype))
					return ATLAS_ERR_VERIFY;
			transfer(g, in, s);
			if (in->op == OP_CALL && step_call(g, pc, s))
				break;
		}
	}
	return ATLAS_OK;
}

static void flow_release(struct flow *g)
{
	free(g->bstart);
	free(g->block_of);
	free(g->fn);
	free(g->head);
	free(g->dep_off);
	free(g->dep);
	free(g->out_off);
	free(g->out);
	free(g->cg_off);
	free(g->cg);
	free(g->scc);
	free(g->sorder);
	free(g->soff);
	free(g->depth);
	free(g->best);
	free(g->states);
	free(g->queue);
	free(g->inq);
}

enum atlas_status verify_flow(struct verifier *v)
{
	struct flow g;
	enum atlas_status st;

	memset(&g, 0, sizeof g);
	g.v = v;
	g.insns = v->p->insns;
	g.n = (uint32_t)v->n;
	if (verify_cfg_build(&g) || solve(&g)) {
		flow_release(&g);
		return verify_nomem(v);
	}
	solve_entries(&g);
	st = check_reads(&g);
	if (st == ATLAS_OK)
		st = verify_call_depth(&g);
	flow_release(&g);
	return st;
}
