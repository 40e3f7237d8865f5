/*
 * verify_flow.c - the verifier's control-flow passes: basic blocks,
 * functions, a forward dataflow with function summaries, and the static
 * call depth.
 *
 * Control flow within a function: BRA goes to its target (and, with a
 * predicate, to the next instruction), LOOP to its body and the next
 * instruction, CALL to the next instruction once the callee returns, RET
 * and EXIT nowhere.  A target equal to the program length ends the lane.
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
 *    to a fixpoint, which covers recursion.
 * 2. Entry states (solve_entries).  The state at a function's entry is
 *    the meet of the states at the reached calls of it and jumps into it,
 *    starting from the lane's initial state at instruction 0.
 * 3. Reads (check_reads).  A reached block's state is its state from 1
 *    composed with its function's entry state from 2.  Composing is a
 *    union over the calls, so a read is accepted exactly when it is
 *    correct whichever call reached it; errors name the reading
 *    instruction and come in instruction order.
 *
 * Each block belongs to one function and is analysed relative to that
 * function only, so the work is linear in the program size times the
 * (small) number of times a summary or an entry state grows.
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

struct vstate {
	uint16_t reg[ISA_NREGS];
	uint16_t pundef; /* predicates that may be undefined */
	uint16_t pentry; /* predicates that may hold their entry value */
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
	struct vstate *st;  /* block -> state at its start (relative) */
	struct vstate *sum; /* function -> state at its RETs (relative) */
	struct vstate *in;  /* function -> state at its entry */
	uint32_t *queue;    /* circular worklist of blocks or functions */
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
 * Successors of the last instruction of block b within its function:
 * a CALL goes on at the next instruction, RET and EXIT end the walk.
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
static uint32_t intersect(const uint32_t *idom, const uint32_t *rpo,
			  uint32_t a, uint32_t b)
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

static int build_edges(struct flow *g)
{
	struct vec dep = {0}, out = {0}, cg = {0};
	uint32_t next[2];

	for (uint32_t b = 0; b < g->nb; b++) {
		const uint32_t f = g->fn[b], pc = g->bstart[b + 1] - 1;
		int leaves = 0;

		if (f == NONE)
			continue;
		if (g->insns[pc].op == OP_CALL) {
			const uint32_t t = target(g, pc);
			const uint32_t c = t < g->n ? g->fn[g->block_of[t]] : NONE;

			if ((c != NONE && push(&dep, c, b, pc)) ||
			    push(&cg, f, c, pc))
				goto fail;
			leaves = c != NONE;
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

/* Merge s into d; nonzero if d changed. */
static int merge(struct vstate *d, const struct vstate *s)
{
	unsigned ch = 0;

	if (!d->seen) {
		*d = *s;
		d->seen = 1;
		return 1;
	}
	for (unsigned r = 0; r < ISA_NREGS; r++) {
		const uint16_t m = d->reg[r] | s->reg[r];

		ch |= m ^ d->reg[r];
		d->reg[r] = m;
	}
	ch |= (d->pundef | s->pundef) ^ d->pundef;
	ch |= (d->pentry | s->pentry) ^ d->pentry;
	d->pundef |= s->pundef;
	d->pentry |= s->pentry;
	return ch != 0;
}

/*
 * out = s, relative to a function's entry, with the entry values taken
 * from e: a register holding V_ENTRY in s may hold whatever it holds in
 * e.  out may be e.
 */
static void compose(struct vstate *out, const struct vstate *s,
		    const struct vstate *e)
{
	const uint16_t pundef = s->pundef | (s->pentry & e->pundef);
	const uint16_t pentry = s->pentry & e->pentry;

	for (unsigned r = 0; r < ISA_NREGS; r++) {
		const uint16_t m = s->reg[r];

		out->reg[r] = (uint16_t)((m & ~V_ENTRY) |
					 (m & V_ENTRY ? e->reg[r] : 0));
	}
	out->pundef = pundef;
	out->pentry = pentry;
	out->seen = 1;
}

static void transfer(const struct isa_insn *in, struct vstate *s)
{
	struct opnds o;

	verify_decode(in, &o);
	if (o.nw)
		s->reg[o.w] = (uint16_t)TM(o.wt);
	if (o.pw != ISA_NO_PRED) {
		s->pundef &= (uint16_t) ~(1u << o.pw);
		s->pentry &= (uint16_t) ~(1u << o.pw);
	}
}

static void flow_to(struct flow *g, uint32_t b, const struct vstate *s)
{
	if (merge(&g->st[b], s))
		enqueue(g, b);
}

/* Function f returns in state s: grow its summary, revisit its callers. */
static void flow_ret(struct flow *g, uint32_t f, const struct vstate *s)
{
	if (!merge(&g->sum[f], s))
		return;
	for (uint32_t k = g->dep_off[f]; k < g->dep_off[f + 1]; k++)
		if (g->st[g->dep[k].val].seen)
			enqueue(g, g->dep[k].val);
}

static void flow_block(struct flow *g, uint32_t b, struct vstate *s)
{
	const uint32_t end = g->bstart[b + 1], pc = end - 1, f = g->fn[b];
	const struct isa_insn *in = &g->insns[pc];
	uint32_t next[2];
	struct vstate t;

	for (uint32_t i = g->bstart[b]; i < end; i++)
		transfer(&g->insns[i], s);
	if (in->op == OP_RET) {
		flow_ret(g, f, s);
		return;
	}
	if (in->op == OP_CALL) {
		const uint32_t tg = target(g, pc);

		if (tg >= g->n || !g->sum[g->fn[g->block_of[tg]]].seen)
			return; /* the lane ends, or no return yet */
		compose(s, &g->sum[g->fn[g->block_of[tg]]], s);
	}
	for (uint32_t k = intra_succ(g, b, next); k-- > 0;) {
		const uint32_t c = g->fn[next[k]];

		if (c == f) {
			flow_to(g, next[k], s);
		} else if (g->sum[c].seen) {
			compose(&t, &g->sum[c], s);
			flow_ret(g, f, &t);
		}
	}
}

/* Pass 1: every block's state relative to its function, the summaries. */
static int solve(struct flow *g)
{
	struct vstate s;

	g->qsize = g->nb;
	g->st = calloc(g->nb, sizeof *g->st);
	g->sum = calloc((size_t)g->nf + 1, sizeof *g->sum);
	g->in = calloc((size_t)g->nf + 1, sizeof *g->in);
	g->queue = malloc((size_t)g->qsize * sizeof *g->queue);
	g->inq = calloc(g->qsize, 1);
	if (!g->st || !g->sum || !g->in || !g->queue || !g->inq)
		return -1;
	for (unsigned r = 0; r < ISA_NREGS; r++)
		s.reg[r] = V_ENTRY;
	s.pundef = 0;
	s.pentry = 0xffff;
	s.seen = 1;
	for (uint32_t f = 0; f < g->nf; f++)
		flow_to(g, g->head[f], &s);
	while (g->qlen > 0) {
		const uint32_t b = dequeue(g);

		s = g->st[b];
		flow_block(g, b, &s);
	}
	return 0;
}

static void flow_in(struct flow *g, uint32_t f, const struct vstate *s)
{
	if (merge(&g->in[f], s))
		enqueue(g, f);
}

/*
 * Pass 2: the state at each reached function's entry, from the lane's
 * initial state at instruction 0 (function fn[0]).
 */
static void solve_entries(struct flow *g)
{
	const struct verifier *v = g->v;
	struct vstate s;

	for (unsigned r = 0; r < ISA_NREGS; r++)
		s.reg[r] = v->entry_type[r] == 0xff ?
				   V_UNDEF :
				   (uint16_t)(TM(v->entry_type[r]) | V_LANE);
	s.pundef = 0xffff;
	s.pentry = 0;
	s.seen = 1;
	flow_in(g, g->fn[0], &s);
	while (g->qlen > 0) {
		const uint32_t f = dequeue(g);

		for (uint32_t k = g->out_off[f]; k < g->out_off[f + 1]; k++) {
			const uint32_t b = g->out[k].val;
			const uint32_t pc = g->bstart[b + 1] - 1;
			uint32_t next[2];

			if (!g->st[b].seen)
				continue;
			compose(&s, &g->st[b], &g->in[f]);
			for (uint32_t i = g->bstart[b]; i <= pc; i++)
				transfer(&g->insns[i], &s);
			if (g->insns[pc].op == OP_CALL) {
				const uint32_t t = target(g, pc);
				uint32_t c;

				if (t >= g->n)
					continue;
				c = g->fn[g->block_of[t]];
				flow_in(g, c, &s);
				if (!g->sum[c].seen)
					continue;
				compose(&s, &g->sum[c], &s);
			}
			for (uint32_t j = intra_succ(g, b, next); j-- > 0;)
				if (g->fn[next[j]] != f)
					flow_in(g, g->fn[next[j]], &s);
		}
	}
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
	if (m & V_LANE)
		v->f.reg_live_in[r] = 1;
	return ATLAS_OK;
}

/* Pass 3: check every read of the reached blocks, in instruction order. */
static enum atlas_status check_reads(struct flow *g)
{
	struct verifier *v = g->v;

	for (uint32_t b = 0; b < g->nb; b++) {
		struct vstate s;

		if (!g->st[b].seen || !g->in[g->fn[b]].seen)
			continue;
		compose(&s, &g->st[b], &g->in[g->fn[b]]);
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

/*
 * The call graph's strongly connected components (Tarjan), each with the
 * deepest chain of calls from it (depth[], through edge best[]): a tail
 * call adds no depth.  Returns 1 if a component reachable from
 * instruction 0 holds a call (recursion), 0 if not, -1 out of memory.
 */
static int call_sccs(const struct flow *g, uint32_t *scc, uint32_t *depth,
		     uint32_t *best)
{
	const uint32_t nf = g->nf;
	uint32_t *idx = malloc((size_t)nf * sizeof *idx);
	uint32_t *low = malloc((size_t)nf * sizeof *low);
	uint32_t *stk = malloc((size_t)nf * sizeof *stk);
	uint32_t *cs = malloc((size_t)nf * sizeof *cs);
	uint32_t *ce = malloc((size_t)nf * sizeof *ce);
	uint8_t *onstk = calloc(nf, 1);
	uint32_t counter = 0, nscc = 0, sp = 0, csp = 0, u = g->fn[0];
	int rec = -1;

	if (!idx || !low || !stk || !cs || !ce || !onstk)
		goto out;
	rec = 0;
	for (uint32_t f = 0; f < nf; f++)
		idx[f] = scc[f] = NONE;
	idx[u] = low[u] = counter++;
	stk[sp++] = u;
	onstk[u] = 1;
	cs[csp] = u;
	ce[csp++] = g->cg_off[u];
	while (csp > 0) {
		uint32_t j, k;

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
		/* u heads a component: stk[j..sp) */
		k = nscc++;
		depth[k] = 0;
		best[k] = NONE;
		j = sp;
		do
			scc[stk[--j]] = k;
		while (stk[j] != u);
		for (uint32_t m = j; m < sp; m++) {
			const uint32_t f = stk[m];

			for (uint32_t e = g->cg_off[f]; e < g->cg_off[f + 1];
			     e++) {
				const uint32_t c = g->cg[e].val;
				const uint32_t w = g->cg[e].pc != NONE;
				uint32_t d;

				if (c != NONE && scc[c] == k) {
					rec |= w;
					continue;
				}
				d = w + (c == NONE ? 0 : depth[scc[c]]);
				if (d > depth[k]) {
					depth[k] = d;
					best[k] = e;
				}
			}
			onstk[f] = 0;
		}
		sp = j;
	}
out:
	free(idx);
	free(low);
	free(stk);
	free(cs);
	free(ce);
	free(onstk);
	return rec;
}

/* The static call depth, and "call stack overflow" past the limit. */
static enum atlas_status check_calls(struct flow *g)
{
	const size_t nn = (size_t)g->nf + 1;
	uint32_t *scc = malloc(nn * sizeof *scc);
	uint32_t *depth = malloc(nn * sizeof *depth);
	uint32_t *best = malloc(nn * sizeof *best);
	enum atlas_status st = ATLAS_OK;
	uint32_t k, level = 0;
	int rec;

	if (!scc || !depth || !best ||
	    (rec = call_sccs(g, scc, depth, best)) < 0) {
		st = verify_nomem(g->v);
		goto out;
	}
	if (rec) {
		g->v->f.max_call_depth = ISA_MAX_CALL_DEPTH + 1;
		goto out;
	}
	k = scc[g->fn[0]];
	g->v->f.max_call_depth = depth[k];
	/* Follow a deepest chain down to the call that overflows. */
	while (depth[k] + level > ISA_MAX_CALL_DEPTH) {
		const struct triple *e;

		assert(best[k] != NONE);
		if (best[k] == NONE)
			break;
		e = &g->cg[best[k]];
		if (e->pc != NONE && ++level > ISA_MAX_CALL_DEPTH) {
			const struct isa_insn *in = &g->insns[e->pc];

			st = verify_fail(g->v, in->line, in->col,
					 "call stack overflow (max depth: %d)",
					 ISA_MAX_CALL_DEPTH);
			goto out;
		}
		if (e->val == NONE)
			break;
		k = scc[e->val];
	}
out:
	free(scc);
	free(depth);
	free(best);
	return st;
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
	free(g->st);
	free(g->sum);
	free(g->in);
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
	    solve(&g)) {
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
