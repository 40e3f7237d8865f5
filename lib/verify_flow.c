/*
 * verify_flow.c - the verifier's control-flow passes: basic blocks, a
 * forward dataflow over them to a fixpoint, and the static call depth.
 *
 * Control flow: BRA goes to its target (and, with a predicate, to the next
 * instruction), LOOP to its body and the next instruction, EXIT nowhere,
 * CALL to the callee's entry, RET to the return sites (pc + 1) of the
 * calls to every function from whose entry the RET is reachable without
 * crossing another RET.  This is context-insensitive: a function's RETs
 * meet in one join node, whose successors are the return sites of the
 * reachable calls to it.  A target equal to the program length ends the
 * lane.
 *
 * Dataflow value of a register: the set of types it may hold (one bit per
 * type), V_UNDEF if it may be undefined, V_ENTRY if it may still hold its
 * value from lane entry (a parameter or special register: reg_live_in).
 * Paths meet by bitwise OR, so a register defined on one path only is
 * "maybe undefined" and one typed differently on two paths has two type
 * bits.  A read is correct only if the set is exactly the expected type.
 * The lattice is finite and the transfer monotone, so the worklist stops;
 * reads are checked in a last pass in instruction order, over reached
 * blocks only.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

#define V_TYPES 0x0fffu
#define V_ENTRY 0x4000u
#define V_UNDEF 0x8000u

#define NONE UINT32_MAX

struct vstate {
	uint16_t reg[ISA_NREGS];
	uint16_t pundef; /* predicates that may be undefined */
	uint16_t seen;   /* reached by the analysis */
};

struct triple {
	uint32_t key, val, pc;
};

struct vec {
	struct triple *a;
	size_t n, cap;
};

struct flow {
	struct verifier *v;
	const struct isa_insn *insns;
	uint32_t n;         /* instructions */
	uint32_t nb;        /* basic blocks, in instruction order */
	uint32_t nf;        /* functions: distinct CALL targets < n */
	uint32_t *bstart;   /* block b is [bstart[b], bstart[b + 1]) */
	uint32_t *block_of; /* instruction -> block (leaders only are used) */
	uint32_t *func_at;  /* instruction -> function entered there, NONE */
	uint32_t *fentry;   /* function -> entry instruction */
	uint32_t *ret_off;  /* block -> [ret_off[b], ret_off[b+1]) in rets */
	struct triple *rets; /* (RET block, function) */
	uint32_t *call_off; /* function -> calls to it in calls */
	uint32_t *calls;    /* call instruction indices */
	uint32_t *cg_off;   /* caller (nf = main) -> call graph edges in cg */
	struct triple *cg;  /* (caller, callee or NONE, call instruction) */
	struct vstate *st;  /* nodes: blocks, then function join nodes */
	uint32_t *queue;    /* circular worklist of nodes */
	uint8_t *inq;
	uint32_t qhead, qlen;
};

static int push(struct vec *e, uint32_t key, uint32_t val, uint32_t pc)
{
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 64;
		struct triple *q = realloc(e->a, ncap * sizeof *q);

		if (!q)
			return -1;
		e->a = q;
		e->cap = ncap;
	}
	e->a[e->n++] = (struct triple){key, val, pc};
	return 0;
}

/*
 * Sort e by key (0..nkeys-1, stably) into a new array *out, with *off
 * giving each key's range.  Frees e's array.
 */
static int group(struct vec *e, uint32_t nkeys, uint32_t **off,
		 struct triple **out)
{
	uint32_t *o = calloc((size_t)nkeys + 1, sizeof *o);
	struct triple *s = malloc((e->n ? e->n : 1) * sizeof *s);

	if (!o || !s) {
		free(o);
		free(s);
		return -1;
	}
	for (size_t i = 0; i < e->n; i++)
		o[e->a[i].key + 1]++;
	for (uint32_t k = 0; k < nkeys; k++)
		o[k + 1] += o[k];
	for (size_t i = 0; i < e->n; i++)
		s[o[e->a[i].key]++] = e->a[i];
	for (uint32_t k = nkeys; k > 0; k--)
		o[k] = o[k - 1];
	o[0] = 0;
	free(e->a);
	e->a = NULL;
	*off = o;
	*out = s;
	return 0;
}

static int is_branch(unsigned op)
{
	return op == OP_BRA || op == OP_CALL || op == OP_LOOP;
}

static uint32_t target(const struct flow *g, uint32_t pc)
{
	return g->v->p->labels[g->insns[pc].label].target;
}

static int build_blocks(struct flow *g)
{
	uint8_t *lead = calloc((size_t)g->n + 1, 1);
	uint32_t b = 0;

	if (!lead)
		return -1;
	lead[0] = 1;
	for (uint32_t pc = 0; pc < g->n; pc++) {
		const unsigned op = g->insns[pc].op;

		if (is_branch(op))
			lead[target(g, pc)] = 1;
		if (is_branch(op) || op == OP_RET || op == OP_EXIT)
			lead[pc + 1] = 1;
	}
	for (uint32_t pc = 0; pc < g->n; pc++)
		g->nb += lead[pc];
	g->bstart = malloc(((size_t)g->nb + 1) * sizeof *g->bstart);
	g->block_of = malloc((size_t)g->n * sizeof *g->block_of);
	if (!g->bstart || !g->block_of) {
		free(lead);
		return -1;
	}
	for (uint32_t pc = 0; pc < g->n; pc++) {
		if (lead[pc])
			g->bstart[b++] = pc;
		g->block_of[pc] = b - 1;
	}
	g->bstart[b] = g->n;
	free(lead);
	return 0;
}

static int build_functions(struct flow *g)
{
	struct vec calls = {0};
	struct triple *sorted;

	g->func_at = malloc((size_t)g->n * sizeof *g->func_at);
	if (!g->func_at)
		return -1;
	memset(g->func_at, 0xff, (size_t)g->n * sizeof *g->func_at);
	for (uint32_t pc = 0; pc < g->n; pc++) {
		uint32_t t;

		if (g->insns[pc].op != OP_CALL || (t = target(g, pc)) >= g->n)
			continue;
		if (g->func_at[t] == NONE)
			g->func_at[t] = g->nf++;
		if (push(&calls, g->func_at[t], pc, pc))
			goto fail;
	}
	g->fentry = malloc(((size_t)g->nf + 1) * sizeof *g->fentry);
	if (!g->fentry || group(&calls, g->nf, &g->call_off, &sorted))
		goto fail;
	g->calls = malloc((calls.n ? calls.n : 1) * sizeof *g->calls);
	if (!g->calls) {
		free(sorted);
		return -1;
	}
	for (size_t i = 0; i < calls.n; i++)
		g->calls[i] = sorted[i].pc;
	free(sorted);
	for (uint32_t pc = 0; pc < g->n; pc++)
		if (g->func_at[pc] != NONE)
			g->fentry[g->func_at[pc]] = pc;
	return 0;
fail:
	free(calls.a);
	return -1;
}

/*
 * Walk each function (and main, numbered nf) within itself, stepping over
 * calls: record which functions each RET belongs to and the call graph.
 */
static int walk_functions(struct flow *g)
{
	struct vec rets = {0}, cg = {0};
	uint32_t *mark = calloc(g->nb, sizeof *mark);
	uint32_t *stack = malloc((size_t)g->nb * sizeof *stack);
	int rc = -1;

	if (!mark || !stack)
		goto out;
	for (uint32_t w = 0; w <= g->nf; w++) {
		uint32_t sp = 0, b = g->block_of[w < g->nf ? g->fentry[w] : 0];

		mark[b] = w + 1;
		stack[sp++] = b;
		while (sp > 0) {
			uint32_t next[2], nn = 0, pc, t;
			const struct isa_insn *in;

			b = stack[--sp];
			pc = g->bstart[b + 1] - 1;
			in = &g->insns[pc];
			t = is_branch(in->op) ? target(g, pc) : NONE;
			switch (in->op) {
			case OP_RET:
				if (w < g->nf && push(&rets, b, w, pc))
					goto out;
				break;
			case OP_EXIT:
				break;
			case OP_CALL:
				if (push(&cg, w, t < g->n ? g->func_at[t] : NONE,
					 pc))
					goto out;
				next[nn++] = pc + 1;
				break;
			case OP_BRA:
			case OP_LOOP:
				next[nn++] = t;
				if (in->op == OP_LOOP || in->pred != ISA_NO_PRED)
					next[nn++] = pc + 1;
				break;
			default:
				next[nn++] = pc + 1;
				break;
			}
			for (uint32_t k = 0; k < nn; k++) {
				if (next[k] >= g->n)
					continue;
				b = g->block_of[next[k]];
				if (mark[b] != w + 1) {
					mark[b] = w + 1;
					stack[sp++] = b;
				}
			}
		}
	}
	if (group(&rets, g->nb, &g->ret_off, &g->rets) ||
	    group(&cg, g->nf + 1, &g->cg_off, &g->cg))
		goto out;
	rc = 0;
out:
	free(rets.a);
	free(cg.a);
	free(mark);
	free(stack);
	return rc;
}

static void enqueue(struct flow *g, uint32_t x)
{
	const uint32_t nodes = g->nb + g->nf;

	if (g->inq[x])
		return;
	g->inq[x] = 1;
	g->queue[(g->qhead + g->qlen++) % nodes] = x;
}

/* Merge state s into node x; queue x if it changed. */
static void flow_to(struct flow *g, uint32_t x, const struct vstate *s)
{
	struct vstate *d = &g->st[x];
	unsigned ch = 0;

	if (!d->seen) {
		*d = *s;
		d->seen = 1;
		enqueue(g, x);
		return;
	}
	for (unsigned r = 0; r < ISA_NREGS; r++) {
		const uint16_t m = d->reg[r] | s->reg[r];

		ch |= m ^ d->reg[r];
		d->reg[r] = m;
	}
	ch |= (d->pundef | s->pundef) ^ d->pundef;
	d->pundef |= s->pundef;
	if (ch)
		enqueue(g, x);
}

static void transfer(const struct isa_insn *in, struct vstate *s)
{
	struct opnds o;

	verify_decode(in, &o);
	if (o.nw)
		s->reg[o.w] = (uint16_t)TM(o.wt);
	if (o.pw != ISA_NO_PRED)
		s->pundef &= (uint16_t)~(1u << o.pw);
}

static void flow_block(struct flow *g, uint32_t b, struct vstate *s)
{
	const uint32_t end = g->bstart[b + 1], pc = end - 1;
	const struct isa_insn *in = &g->insns[pc];
	uint32_t t, f;

	for (uint32_t i = g->bstart[b]; i < end; i++)
		transfer(&g->insns[i], s);
	t = is_branch(in->op) ? target(g, pc) : NONE;
	switch (in->op) {
	case OP_EXIT:
		return;
	case OP_RET:
		for (uint32_t k = g->ret_off[b]; k < g->ret_off[b + 1]; k++)
			flow_to(g, g->nb + g->rets[k].val, s);
		return;
	case OP_CALL:
		if (t >= g->n)
			return;
		f = g->func_at[t];
		flow_to(g, g->block_of[t], s);
		/* This call's return site is now reachable from the RETs. */
		if (g->st[g->nb + f].seen)
			enqueue(g, g->nb + f);
		return;
	case OP_BRA:
	case OP_LOOP:
		if (t < g->n)
			flow_to(g, g->block_of[t], s);
		if (in->op == OP_BRA && in->pred == ISA_NO_PRED)
			return;
		break;
	default:
		break;
	}
	if (pc + 1 < g->n)
		flow_to(g, g->block_of[pc + 1], s);
}

static void flow_join(struct flow *g, uint32_t f, const struct vstate *s)
{
	for (uint32_t k = g->call_off[f]; k < g->call_off[f + 1]; k++) {
		const uint32_t pc = g->calls[k];

		if (g->st[g->block_of[pc]].seen && pc + 1 < g->n)
			flow_to(g, g->block_of[pc + 1], s);
	}
}

static int solve(struct flow *g)
{
	const uint32_t nodes = g->nb + g->nf;
	const struct verifier *v = g->v;
	struct vstate s;

	g->st = calloc(nodes, sizeof *g->st);
	g->queue = malloc((size_t)nodes * sizeof *g->queue);
	g->inq = calloc(nodes, 1);
	if (!g->st || !g->queue || !g->inq)
		return -1;
	for (unsigned r = 0; r < ISA_NREGS; r++)
		s.reg[r] = v->entry_type[r] == 0xff
				   ? V_UNDEF
				   : (uint16_t)(TM(v->entry_type[r]) | V_ENTRY);
	s.pundef = 0xffff;
	s.seen = 1;
	flow_to(g, 0, &s);
	while (g->qlen > 0) {
		const uint32_t x = g->queue[g->qhead];

		g->qhead = (g->qhead + 1) % nodes;
		g->qlen--;
		g->inq[x] = 0;
		s = g->st[x];
		if (x < g->nb)
			flow_block(g, x, &s);
		else
			flow_join(g, x - g->nb, &s);
	}
	return 0;
}

static enum atlas_status check_read(struct verifier *v,
				    const struct isa_insn *in,
				    const struct vstate *s, unsigned r,
				    unsigned t)
{
	const unsigned m = s->reg[r];
	unsigned other;

	if (m & V_UNDEF)
		return verify_fail(v, in->line, in->col,
				   "uninitialized register: r%u", r);
	if ((m & V_TYPES) != TM(t)) {
		other = m & V_TYPES & ~TM(t);
		return verify_fail(v, in->line, in->col,
				   "type mismatch: expected %s, got %s",
				   atlas_type_name((enum atlas_type)t),
				   atlas_type_name((enum atlas_type)
							   __builtin_ctz(other)));
	}
	if (m & V_ENTRY)
		v->f.reg_live_in[r] = 1;
	return ATLAS_OK;
}

/* Check every read of the reached blocks, in instruction order. */
static enum atlas_status check_reads(struct flow *g)
{
	struct verifier *v = g->v;

	for (uint32_t b = 0; b < g->nb; b++) {
		struct vstate s = g->st[b];

		if (!s.seen)
			continue;
		for (uint32_t pc = g->bstart[b]; pc < g->bstart[b + 1]; pc++) {
			const struct isa_insn *in = &g->insns[pc];
			struct opnds o;

			verify_decode(in, &o);
			if (o.pr != ISA_NO_PRED && (s.pundef >> o.pr & 1))
				return verify_fail(
					v, in->line, in->col,
					"uninitialized predicate: p%u",
					(unsigned)o.pr);
			for (int k = 0; k < o.nr; k++)
				if (check_read(v, in, &s, o.r[k], o.rt[k]))
					return ATLAS_ERR_VERIFY;
			for (uint64_t k = 0; k < o.rcount; k++)
				if (check_read(v, in, &s,
					       o.rbase + (unsigned)k, o.rtype))
					return ATLAS_ERR_VERIFY;
			transfer(in, &s);
		}
	}
	return ATLAS_OK;
}

/* The deepest chain of calls from main; NONE if some reachable call
 * recurses.  depth[] must hold nf + 1 zeros. */
static uint32_t call_depth(struct flow *g, uint32_t *depth, uint32_t *stack,
			   uint32_t *edge, uint8_t *color)
{
	uint32_t sp = 0;

	stack[sp] = g->nf;
	edge[sp++] = g->cg_off[g->nf];
	color[g->nf] = 1;
	while (sp > 0) {
		const uint32_t u = stack[sp - 1];

		if (edge[sp - 1] == g->cg_off[u + 1]) {
			color[u] = 2;
			sp--;
			continue;
		}
		const uint32_t c = g->cg[edge[sp - 1]].val;

		if (c != NONE && color[c] == 1)
			return NONE;
		if (c != NONE && color[c] == 0) {
			color[c] = 1;
			stack[sp] = c;
			edge[sp++] = g->cg_off[c];
			continue;
		}
		if ((c == NONE ? 0 : depth[c]) + 1 > depth[u])
			depth[u] = (c == NONE ? 0 : depth[c]) + 1;
		edge[sp - 1]++;
	}
	return depth[g->nf];
}

static enum atlas_status check_calls(struct flow *g)
{
	const size_t nn = (size_t)g->nf + 1;
	uint32_t *depth = calloc(nn, sizeof *depth);
	uint32_t *stack = malloc(nn * sizeof *stack);
	uint32_t *edge = malloc(nn * sizeof *edge);
	uint8_t *color = calloc(nn, 1);
	enum atlas_status st = ATLAS_OK;
	uint32_t d, u, level = 0;

	if (!depth || !stack || !edge || !color) {
		st = verify_nomem(g->v);
		goto out;
	}
	d = call_depth(g, depth, stack, edge, color);
	if (d == NONE) {
		g->v->f.max_call_depth = ISA_MAX_CALL_DEPTH + 1;
		goto out;
	}
	g->v->f.max_call_depth = d;
	/* Follow a deepest chain down to the call that overflows. */
	for (u = g->nf; d > ISA_MAX_CALL_DEPTH && u != NONE;) {
		const struct triple *e = NULL;

		for (uint32_t k = g->cg_off[u]; k < g->cg_off[u + 1]; k++) {
			const uint32_t c = g->cg[k].val;

			if ((c == NONE ? 0 : depth[c]) + 1 == depth[u]) {
				e = &g->cg[k];
				break;
			}
		}
		assert(e);
		if (!e)
			break;
		if (++level > ISA_MAX_CALL_DEPTH) {
			const struct isa_insn *in = &g->insns[e->pc];

			st = verify_fail(g->v, in->line, in->col,
					 "call stack overflow (max depth: %d)",
					 ISA_MAX_CALL_DEPTH);
			goto out;
		}
		u = e->val;
	}
out:
	free(depth);
	free(stack);
	free(edge);
	free(color);
	return st;
}

static void flow_release(struct flow *g)
{
	free(g->bstart);
	free(g->block_of);
	free(g->func_at);
	free(g->fentry);
	free(g->ret_off);
	free(g->rets);
	free(g->call_off);
	free(g->calls);
	free(g->cg_off);
	free(g->cg);
	free(g->st);
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
	if (build_blocks(&g) || build_functions(&g) || walk_functions(&g) ||
	    solve(&g)) {
		flow_release(&g);
		return verify_nomem(v);
	}
	st = check_reads(&g);
	if (st == ATLAS_OK)
		st = check_calls(&g);
	flow_release(&g);
	return st;
}
