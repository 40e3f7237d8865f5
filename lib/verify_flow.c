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
 * reachable calls to it; functions that share code are merged into one
 * group with one join node (see walk_functions).  A target equal to the
 * program length ends the lane.
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
	uint16_t seen;	 /* reached by the analysis */
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
	uint32_t n;	    /* instructions */
	uint32_t nb;	    /* basic blocks, in instruction order */
	uint32_t nf;	    /* functions: distinct CALL targets < n */
	uint32_t *bstart;   /* block b is [bstart[b], bstart[b + 1]) */
	uint32_t *block_of; /* instruction -> block (leaders only are used) */
	uint32_t *func_at;  /* instruction -> function entered there, NONE */
	uint32_t *fentry;   /* function -> entry instruction */
	uint32_t *grp;	    /* function -> its group (a member function) */
	uint32_t *claim;    /* block -> function whose walk reached it, NONE */
	uint32_t *call_off; /* group -> calls to its members in calls */
	uint32_t *calls;    /* call instruction indices */
	uint32_t *cg_off;   /* caller (nf = main) -> call graph edges in cg */
	struct triple *cg;  /* (caller, callee or NONE, call instruction) */
	struct vstate *st;  /* nodes: blocks, then function join nodes */
	uint32_t *queue;    /* circular worklist of nodes */
	uint8_t *inq;
	uint8_t *called; /* block ending in a CALL: processed once */
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

/*
 * The calls to each group (for its RETs' successors) and the call graph
 * between groups, main being node nf.
 */
static int build_calls(struct flow *g, const uint8_t *in_main)
{
	struct vec calls = {0}, cg = {0};
	struct triple *sorted = NULL;

	for (uint32_t pc = 0; pc < g->n; pc++) {
		uint32_t t, callee, b, c;

		if (g->insns[pc].op != OP_CALL)
			continue;
		t = target(g, pc);
		callee = t < g->n ? g->grp[g->func_at[t]] : NONE;
		b = g->block_of[pc];
		c = g->claim[b];
		if ((callee != NONE && push(&calls, callee, pc, pc)) ||
		    (in_main[b] && push(&cg, g->nf, callee, pc)) ||
		    (c != NONE && push(&cg, g->grp[c], callee, pc)))
			goto fail;
	}
	if (group(&calls, g->nf, &g->call_off, &sorted) ||
	    group(&cg, g->nf + 1, &g->cg_off, &g->cg))
		goto fail;
	g->calls = malloc((calls.n ? calls.n : 1) * sizeof *g->calls);
	if (!g->calls)
		goto fail;
	for (size_t i = 0; i < calls.n; i++)
		g->calls[i] = sorted[i].pc;
	free(sorted);
	return 0;
fail:
	free(sorted);
	free(calls.a);
	free(cg.a);
	return -1;
}

static int build_functions(struct flow *g)
{
	g->func_at = malloc((size_t)g->n * sizeof *g->func_at);
	if (!g->func_at)
		return -1;
	memset(g->func_at, 0xff, (size_t)g->n * sizeof *g->func_at);
	for (uint32_t pc = 0; pc < g->n; pc++) {
		uint32_t t;

		if (g->insns[pc].op == OP_CALL && (t = target(g, pc)) < g->n &&
		    g->func_at[t] == NONE)
			g->func_at[t] = g->nf++;
	}
	g->fentry = malloc(((size_t)g->nf + 1) * sizeof *g->fentry);
	g->grp = malloc(((size_t)g->nf + 1) * sizeof *g->grp);
	if (!g->fentry || !g->grp)
		return -1;
	for (uint32_t pc = 0; pc < g->n; pc++)
		if (g->func_at[pc] != NONE)
			g->fentry[g->func_at[pc]] = pc;
	for (uint32_t f = 0; f < g->nf; f++)
		g->grp[f] = f;
	return 0;
}

static uint32_t find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/*
 * Successors of the last instruction of block b within its function:
 * calls are stepped over, RET and EXIT end the walk.
 */
static uint32_t intra_succ(const struct flow *g, uint32_t b, uint32_t *next)
{
	const uint32_t pc = g->bstart[b + 1] - 1;
	const struct isa_insn *in = &g->insns[pc];
	uint32_t nn = 0;

	switch (in->op) {
	case OP_RET:
	case OP_EXIT:
		return 0;
	case OP_BRA:
	case OP_LOOP:
		if (target(g, pc) < g->n)
			next[nn++] = g->block_of[target(g, pc)];
		if (in->op == OP_BRA && in->pred == ISA_NO_PRED)
			return nn;
		break;
	default:
		break;
	}
	if (pc + 1 < g->n)
		next[nn++] = g->block_of[pc + 1];
	return nn;
}

/*
 * Walk main, then each function, within itself.  Functions whose walks
 * meet (they share code) are merged into one group (union-find over
 * grp[]); every block reached from a function entry is claimed by one
 * walk, so the walks together are linear.  A group is then treated as
 * one function: its RETs return to the calls to any of its members.
 * That is exact for functions that share no code, and sound (it only
 * adds paths) otherwise.
 */
static int walk_functions(struct flow *g)
{
	uint32_t *stack = malloc(((size_t)g->nb + 1) * sizeof *stack);
	uint8_t *in_main = calloc(g->nb, 1);
	uint32_t sp = 0, next[2];

	g->claim = malloc((size_t)g->nb * sizeof *g->claim);
	if (!stack || !in_main || !g->claim)
		goto fail;
	memset(g->claim, 0xff, (size_t)g->nb * sizeof *g->claim);
	in_main[0] = 1;
	stack[sp++] = 0;
	while (sp > 0) {
		const uint32_t b = stack[--sp];

		for (uint32_t k = intra_succ(g, b, next); k-- > 0;)
			if (!in_main[next[k]]) {
				in_main[next[k]] = 1;
				stack[sp++] = next[k];
			}
	}
	for (uint32_t f = 0; f < g->nf; f++) {
		const uint32_t e = g->block_of[g->fentry[f]];

		if (g->claim[e] != NONE) {
			g->grp[find(g->grp, f)] = find(g->grp, g->claim[e]);
			continue;
		}
		g->claim[e] = f;
		stack[sp++] = e;
		while (sp > 0) {
			const uint32_t b = stack[--sp];

			for (uint32_t k = intra_succ(g, b, next); k-- > 0;) {
				const uint32_t c = g->claim[next[k]];

				if (c == NONE) {
					g->claim[next[k]] = f;
					stack[sp++] = next[k];
				} else if (find(g->grp, c) != find(g->grp, f)) {
					g->grp[find(g->grp, c)] =
						find(g->grp, f);
				}
			}
		}
	}
	for (uint32_t f = 0; f < g->nf; f++)
		g->grp[f] = find(g->grp, f);
	if (build_calls(g, in_main))
		goto fail;
	free(stack);
	free(in_main);
	return 0;
fail:
	free(stack);
	free(in_main);
	return -1;
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
		s->pundef &= (uint16_t) ~(1u << o.pw);
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
		if (g->claim[b] != NONE)
			flow_to(g, g->nb + g->grp[g->claim[b]], s);
		return;
	case OP_CALL:
		if (t >= g->n)
			return;
		f = g->grp[g->func_at[t]];
		flow_to(g, g->block_of[t], s);
		/*
		 * The first time through, this call's return site becomes
		 * reachable from the RETs: give it what they have so far
		 * (later changes come through flow_join).
		 */
		if (!g->called[b] && g->st[g->nb + f].seen && pc + 1 < g->n)
			flow_to(g, g->block_of[pc + 1], &g->st[g->nb + f]);
		g->called[b] = 1;
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
	g->called = calloc(g->nb, 1);
	if (!g->st || !g->queue || !g->inq || !g->called)
		return -1;
	for (unsigned r = 0; r < ISA_NREGS; r++)
		s.reg[r] = v->entry_type[r] == 0xff ?
				   V_UNDEF :
				   (uint16_t)(TM(v->entry_type[r]) | V_ENTRY);
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
		assert(other != 0); /* a defined register has a type */
		return verify_fail(
			v, in->line, in->col,
			"type mismatch: expected %s, got %s",
			atlas_type_name((enum atlas_type)t),
			atlas_type_name((enum atlas_type)__builtin_ctz(other)));
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
				if (check_read(v, in, &s, o.rbase + (unsigned)k,
					       o.rtype))
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
	free(g->grp);
	free(g->claim);
	free(g->call_off);
	free(g->calls);
	free(g->cg_off);
	free(g->cg);
	free(g->st);
	free(g->queue);
	free(g->inq);
	free(g->called);
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
