/*
 * verify_flow.c - the verifier's control-flow passes: basic blocks,
 * functions, a forward dataflow with function summaries, and the static
 * call depth.
 *
 * Control flow within a function: BRA goes to its target (and, with a
 * predicate, to the next instruction), LOOP to its body and the next
 * instruction, CALL to the next instruction once the callee returns (so
 * a CALL does not end a basic block), RET and EXIT nowhere.  A target
 * equal to the program length ends the lane.
 *
 * Functions.  The program start and every CALL target are entries.  With
 * all entries made successors of one virtual root, a block belongs to the
 * function of the entry that dominates it; a block that two entries reach
 * without passing through it (code that functions share, such as a common
 * tail) is not dominated by either and starts a function of its own.  So
 * every function has a single entry, every block belongs to one function,
 * and an edge from one function into another always goes to the other's
 * entry: a tail call, that is a call followed by a return.
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
 * Call depth: the deepest chain of CALLs from instruction 0 (a tail call
 * adds none).  A component of the call graph reached from instruction 0
 * that calls into itself is recursion: the depth is then unbounded and
 * the engine checks it at run time.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

#define V_TYPES 0x0fffu
#define V_LANE 0x2000u
#define V_ENTRY 0x4000u
#define V_UNDEF 0x8000u

#define NONE UINT32_MAX

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
	uint32_t nf;	    /* functions */
	uint32_t *bstart;   /* block b is [bstart[b], bstart[b + 1]) */
	uint32_t *block_of; /* instruction -> block (leaders only are used) */
	uint32_t *fn;	    /* block -> its function; NONE if unreachable */
	uint32_t *head;	    /* function -> its entry block */
	uint32_t *dep_off;  /* function -> blocks that call it or jump in */
	struct triple *dep; /* (callee, block, call instruction or NONE) */
	uint32_t *out_off;  /* function -> its blocks in out */
	struct triple *out; /* (function, block that calls or leaves, -) */
	uint32_t *cg_off;   /* caller -> call graph edges in cg */
	struct triple *cg;  /* (caller, callee or NONE, call instruction or
			       NONE for a tail call) */
	uint32_t nscc;	    /* strongly connected components of cg */
	uint32_t *scc;	    /* function -> its component */
	uint32_t *sorder;   /* functions by component, callees first */
	uint32_t *soff;	    /* component -> its functions in sorder */
	uint32_t *depth;    /* component -> deepest chain of calls from it */
	uint32_t *best;	    /* component -> cg edge starting it, or NONE */
	int recursive;	    /* some component reached from main calls itself */
	uint32_t cur;	    /* component being solved (solve_entries) */
	uint32_t nu;	    /* registers tracked */
	uint32_t stride;    /* words in a state: nu + 3 */
	uint16_t slot[ISA_NREGS]; /* register -> its word, NOSLOT */
	/* block -> state at its start (relative to its function's entry),
	   then function -> state at its RETs (relative), function -> state
	   at its entry, and three scratch states */
	uint16_t *states;
	uint16_t *tmp[3];
	uint32_t *queue; /* circular worklist of blocks or functions */
	uint8_t *inq;
	uint32_t qhead, qlen, qsize;
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
		free(e->a);
		e->a = NULL;
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
		/* a call goes on in its block, through the callee's summary */
		if (op == OP_BRA || op == OP_LOOP || op == OP_RET ||
		    op == OP_EXIT)
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
 * Successors of the last instruction of block b within its function (a
 * CALL goes on at the next instruction, RET and EXIT end the walk).
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

/* Entries, in block order: instruction 0 and every CALL target. */
static uint8_t *find_entries(const struct flow *g)
{
	uint8_t *entry = calloc(g->nb, 1);

	if (!entry)
		return NULL;
	entry[0] = 1;
	for (uint32_t pc = 0; pc < g->n; pc++)
		if (g->insns[pc].op == OP_CALL && target(g, pc) < g->n)
			entry[g->block_of[target(g, pc)]] = 1;
	return entry;
}

/*
 * Depth-first search from the entries (the virtual root's successors):
 * order[0..*nr) gets the reachable blocks in reverse postorder, rpo[b]
 * their position from 1, NONE if unreachable, and rpo[nb] the root's, 0.
 */
static int dfs(const struct flow *g, const uint8_t *entry, uint32_t *order,
	       uint32_t *rpo, uint32_t *nr)
{
	uint32_t *stack = malloc((size_t)g->nb * sizeof *stack);
	uint8_t *edge = malloc(g->nb);
	uint32_t sp = 0, post = 0, next[2];

	if (!stack || !edge) {
		free(stack);
		free(edge);
		return -1;
	}
	for (uint32_t b = 0; b < g->nb; b++)
		rpo[b] = NONE;
	rpo[g->nb] = 0;
	for (uint32_t e = 0; e < g->nb; e++) {
		if (!entry[e] || rpo[e] != NONE)
			continue;
		rpo[e] = 0; /* on the stack */
		stack[sp] = e;
		edge[sp++] = 0;
		while (sp > 0) {
			const uint32_t b = stack[sp - 1];
			const uint32_t nn = intra_succ(g, b, next);

			if (edge[sp - 1] < nn) {
				const uint32_t c = next[edge[sp - 1]++];

				if (rpo[c] == NONE) {
					rpo[c] = 0;
					stack[sp] = c;
					edge[sp++] = 0;
				}
				continue;
			}
			order[post++] = b;
			sp--;
		}
	}
	for (uint32_t k = 0; k < post / 2; k++) {
		const uint32_t t = order[k];

		order[k] = order[post - 1 - k];
		order[post - 1 - k] = t;
	}
	for (uint32_t k = 0; k < post; k++)
		rpo[order[k]] = k + 1;
	*nr = post;
	free(stack);
	free(edge);
	return 0;
}

/* Nearest common dominator of a and b (root: nb, rpo[nb] == 0). */
static uint32_t intersect(const uint32_t *idom, const uint32_t *rpo, uint32_t a,
			  uint32_t b)
{
	while (a != b) {
		while (rpo[a] > rpo[b])
			a = idom[a];
		while (rpo[b] > rpo[a])
			b = idom[b];
	}
	return a;
}

/*
 * Immediate dominators of the reachable blocks, root nb (Cooper, Harvey
 * and Kennedy, "A Simple, Fast Dominance Algorithm": a few passes in
 * reverse postorder).
 */
static int dominators(const struct flow *g, const uint8_t *entry,
		      const uint32_t *order, const uint32_t *rpo, uint32_t nr,
		      uint32_t *idom)
{
	uint32_t *poff = calloc((size_t)g->nb + 1, sizeof *poff);
	uint32_t *fill = malloc(((size_t)g->nb + 1) * sizeof *fill);
	uint32_t *pred = NULL, next[2];
	int changed = 1;

	if (!poff || !fill)
		goto fail;
	for (uint32_t k = 0; k < nr; k++)
		for (uint32_t j = intra_succ(g, order[k], next); j-- > 0;)
			poff[next[j] + 1]++;
	for (uint32_t b = 0; b < g->nb; b++)
		poff[b + 1] += poff[b];
	pred = malloc((poff[g->nb] ? poff[g->nb] : 1) * sizeof *pred);
	if (!pred)
		goto fail;
	memcpy(fill, poff, ((size_t)g->nb + 1) * sizeof *fill);
	for (uint32_t k = 0; k < nr; k++)
		for (uint32_t j = intra_succ(g, order[k], next); j-- > 0;)
			pred[fill[next[j]]++] = order[k];
	for (uint32_t b = 0; b < g->nb; b++)
		idom[b] = entry[b] && rpo[b] != NONE ? g->nb : NONE;
	idom[g->nb] = g->nb;
	while (changed) {
		changed = 0;
		for (uint32_t k = 0; k < nr; k++) {
			const uint32_t b = order[k];
			uint32_t d = NONE;

			if (entry[b])
				continue;
			for (uint32_t j = poff[b]; j < poff[b + 1]; j++) {
				const uint32_t p = pred[j];

				if (idom[p] == NONE)
					continue;
				d = d == NONE ? p : intersect(idom, rpo, p, d);
			}
			if (d != idom[b]) {
				idom[b] = d;
				changed = 1;
			}
		}
	}
	free(poff);
	free(fill);
	free(pred);
	return 0;
fail:
	free(poff);
	free(fill);
	free(pred);
	return -1;
}

/*
 * The functions: fn[] and head[] from the dominators, then the calls and
 * jumps between them (dep, out, cg).
 */
static int build_functions(struct flow *g)
{
	uint8_t *entry = find_entries(g);
	uint32_t *order = malloc((size_t)g->nb * sizeof *order);
	uint32_t *rpo = malloc(((size_t)g->nb + 1) * sizeof *rpo);
	uint32_t *idom = malloc(((size_t)g->nb + 1) * sizeof *idom);
	uint32_t nr = 0;
	int ret = -1;

	g->fn = malloc((size_t)g->nb * sizeof *g->fn);
	if (!entry || !order || !rpo || !idom || !g->fn ||
	    dfs(g, entry, order, rpo, &nr) ||
	    dominators(g, entry, order, rpo, nr, idom))
		goto out;
	for (uint32_t b = 0; b < g->nb; b++) {
		g->fn[b] = NONE;
		if (idom[b] == g->nb)
			g->fn[b] = g->nf++;
	}
	g->head = malloc(((size_t)g->nf + 1) * sizeof *g->head);
	if (!g->head)
		goto out;
	for (uint32_t k = 0; k < nr; k++) {
		const uint32_t b = order[k];

		/* a dominator comes first in reverse postorder */
		if (g->fn[b] == NONE)
			g->fn[b] = g->fn[idom[b]];
		else
			g->head[g->fn[b]] = b;
	}
	ret = 0;
out:
	free(entry);
	free(order);
	free(rpo);
	free(idom);
	return ret;
}

/* The function the CALL at pc enters; NONE if it ends the lane. */
static uint32_t callee(const struct flow *g, uint32_t pc)
{
	const uint32_t t = target(g, pc);

	return t < g->n ? g->fn[g->block_of[t]] : NONE;
}

static int build_edges(struct flow *g)
{
	struct vec dep = {0}, out = {0}, cg = {0};
	uint32_t next[2];

	for (uint32_t b = 0; b < g->nb; b++) {
		const uint32_t f = g->fn[b], pc = g->bstart[b + 1] - 1;
		int leaves = 0;

		if (f == NONE)
			continue;
		for (uint32_t i = g->bstart[b]; i <= pc; i++) {
			uint32_t c;

			if (g->insns[i].op != OP_CALL)
				continue;
			c = callee(g, i);
			if ((c != NONE && push(&dep, c, b, i)) ||
			    push(&cg, f, c, i))
				goto fail;
			leaves |= c != NONE;
		}
		for (uint32_t k = intra_succ(g, b, next); k-- > 0;) {
			const uint32_t c = g->fn[next[k]];

			if (c == f)
				continue;
			assert(g->head[c] == next[k]);
			if (push(&dep, c, b, NONE) || push(&cg, f, c, NONE))
				goto fail;
			leaves = 1;
		}
		if (leaves && push(&out, f, b, pc))
			goto fail;
	}
	if (group(&dep, g->nf, &g->dep_off, &g->dep) ||
	    group(&out, g->nf, &g->out_off, &g->out) ||
	    group(&cg, g->nf, &g->cg_off, &g->cg))
		goto fail;
	return 0;
fail:
	free(dep.a);
	free(out.a);
	free(cg.a);
	return -1;
}

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
	const uint32_t c = callee(g, pc);

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
	for (uint32_t k = intra_succ(g, b, next); k-- > 0;) {
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
			if (callee(g, i) != NONE)
				flow_in(g, callee(g, i), s);
			if (step_call(g, i, s))
				break;
		}
		if (i <= pc)
			continue;
		for (uint32_t j = intra_succ(g, b, next); j-- > 0;)
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
					g->v, in->line, in->col,
					"uninitialized predicate: p%u",
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

/*
 * Component k (stk[j..sp)) is complete: list its functions and find its
 * deepest chain of calls.  A tail call adds no depth; a call within the
 * component is recursion.  Returns 1 if there is one.
 */
static int close_scc(struct flow *g, const uint32_t *stk, uint32_t j,
		     uint32_t sp, uint32_t k)
{
	const uint32_t base = g->soff[k];
	int rec = 0;

	g->depth[k] = 0;
	g->best[k] = NONE;
	for (uint32_t m = j; m < sp; m++)
		g->scc[stk[m]] = k;
	for (uint32_t m = j; m < sp; m++) {
		const uint32_t f = stk[m];

		g->sorder[base + m - j] = f;
		for (uint32_t e = g->cg_off[f]; e < g->cg_off[f + 1]; e++) {
			const uint32_t c = g->cg[e].val;
			const uint32_t w = g->cg[e].pc != NONE;
			uint32_t d;

			if (c != NONE && g->scc[c] == k) {
				rec |= (int)w;
				continue;
			}
			d = w + (c == NONE ? 0 : g->depth[g->scc[c]]);
			if (d > g->depth[k]) {
				g->depth[k] = d;
				g->best[k] = e;
			}
		}
	}
	g->soff[k + 1] = base + sp - j;
	return rec;
}

/*
 * The call graph's strongly connected components (Tarjan), numbered
 * callees first, those reachable from instruction 0 before the others.
 */
static int build_sccs(struct flow *g)
{
	const uint32_t nf = g->nf;
	uint32_t *idx = malloc((size_t)nf * sizeof *idx);
	uint32_t *low = malloc((size_t)nf * sizeof *low);
	uint32_t *stk = malloc((size_t)nf * sizeof *stk);
	uint32_t *cs = malloc((size_t)nf * sizeof *cs);
	uint32_t *ce = malloc((size_t)nf * sizeof *ce);
	uint8_t *onstk = calloc(nf, 1);
	uint32_t counter = 0, sp = 0, csp = 0;
	int ret = -1;

	g->scc = malloc((size_t)nf * sizeof *g->scc);
	g->sorder = malloc((size_t)nf * sizeof *g->sorder);
	g->soff = malloc(((size_t)nf + 1) * sizeof *g->soff);
	g->depth = malloc((size_t)nf * sizeof *g->depth);
	g->best = malloc((size_t)nf * sizeof *g->best);
	if (!idx || !low || !stk || !cs || !ce || !onstk || !g->scc ||
	    !g->sorder || !g->soff || !g->depth || !g->best)
		goto out;
	for (uint32_t f = 0; f < nf; f++)
		idx[f] = g->scc[f] = NONE;
	g->soff[0] = 0;
	for (uint32_t r = 0; r <= nf; r++) {
		uint32_t u = r == 0 ? g->fn[0] : r - 1;

		if (idx[u] != NONE)
			continue;
		idx[u] = low[u] = counter++;
		stk[sp++] = u;
		onstk[u] = 1;
		cs[csp] = u;
		ce[csp++] = g->cg_off[u];
		while (csp > 0) {
			uint32_t j;

			u = cs[csp - 1];
			if (ce[csp - 1] < g->cg_off[u + 1]) {
				const uint32_t c = g->cg[ce[csp - 1]++].val;

				if (c == NONE)
					continue;
				if (idx[c] == NONE) {
					idx[c] = low[c] = counter++;
					stk[sp++] = c;
					onstk[c] = 1;
					cs[csp] = c;
					ce[csp++] = g->cg_off[c];
				} else if (onstk[c] && idx[c] < low[u]) {
					low[u] = idx[c];
				}
				continue;
			}
			if (--csp > 0 && low[u] < low[cs[csp - 1]])
				low[cs[csp - 1]] = low[u];
			if (low[u] != idx[u])
				continue;
			j = sp;
			do
				onstk[stk[--j]] = 0;
			while (stk[j] != u);
			if (close_scc(g, stk, j, sp, g->nscc++) && r == 0)
				g->recursive = 1;
			sp = j;
		}
	}
	ret = 0;
out:
	free(idx);
	free(low);
	free(stk);
	free(cs);
	free(ce);
	free(onstk);
	return ret;
}

/* The static call depth, and "call stack overflow" past the limit. */
static enum atlas_status check_calls(struct flow *g)
{
	uint32_t k = g->scc[g->fn[0]], level = 0;

	if (g->recursive) {
		g->v->f.max_call_depth = ISA_MAX_CALL_DEPTH + 1;
		return ATLAS_OK;
	}
	g->v->f.max_call_depth = g->depth[k];
	/* Follow a deepest chain down to the call that overflows. */
	while (g->depth[k] + level > ISA_MAX_CALL_DEPTH) {
		const struct triple *e;

		assert(g->best[k] != NONE);
		if (g->best[k] == NONE)
			break;
		e = &g->cg[g->best[k]];
		if (e->pc != NONE && ++level > ISA_MAX_CALL_DEPTH) {
			const struct isa_insn *in = &g->insns[e->pc];

			return verify_fail(g->v, in->line, in->col,
					   "call stack overflow (max depth: "
					   "%d)",
					   ISA_MAX_CALL_DEPTH);
		}
		if (e->val == NONE)
			break;
		k = g->scc[e->val];
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
	if (build_blocks(&g) || build_functions(&g) || build_edges(&g) ||
	    build_sccs(&g) || solve(&g)) {
		flow_release(&g);
		return verify_nomem(v);
	}
	solve_entries(&g);
	st = check_reads(&g);
	if (st == ATLAS_OK)
		st = check_calls(&g);
	flow_release(&g);
	return st;
}
