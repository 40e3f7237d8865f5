/*
 * verify_cfg.c - the control-flow graph of the verifier's flow passes
 * (verify_flow.c): basic blocks, functions, the calls and jumps between
 * them, the call graph's strongly connected components, and the static
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
 * Call depth: the deepest chain of CALLs from instruction 0 (a tail call
 * adds none).  A component of the call graph reached from instruction 0
 * that calls into itself is recursion: the depth is then unbounded and
 * the engine checks it at run time.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify_flow.h"

struct vec {
	struct triple *a;
	size_t n, cap;
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

static uint32_t target(const struct flow *g, uint32_t pc)
{
	return g->v->p->labels[g->insns[pc].label].target;
}

int verify_blocks(const struct atlas_program *p, const struct isa_insn *insns,
		  uint32_t n, int calls_end, uint32_t *nb, uint32_t **bstart,
		  uint32_t **block_of)
{
	uint8_t *lead = calloc((size_t)n + 1, 1);
	uint32_t b = 0;

	*nb = 0;
	*bstart = *block_of = NULL;
	if (!lead)
		return -1;
	lead[0] = 1;
	for (uint32_t pc = 0; pc < n; pc++) {
		const unsigned op = insns[pc].op;

		if (op == OP_BRA || op == OP_CALL || op == OP_LOOP)
			lead[p->labels[insns[pc].label].target] = 1;
		if (op == OP_BRA || op == OP_LOOP || op == OP_RET ||
		    op == OP_EXIT || (calls_end && op == OP_CALL))
			lead[pc + 1] = 1;
	}
	for (uint32_t pc = 0; pc < n; pc++)
		*nb += lead[pc];
	*bstart = malloc(((size_t)*nb + 1) * sizeof **bstart);
	*block_of = malloc((size_t)n * sizeof **block_of);
	if (!*bstart || !*block_of) {
		free(lead);
		return -1;
	}
	for (uint32_t pc = 0; pc < n; pc++) {
		if (lead[pc])
			(*bstart)[b++] = pc;
		(*block_of)[pc] = b - 1;
	}
	(*bstart)[b] = n;
	free(lead);
	return 0;
}

/* a call goes on in its block, through the callee's summary */
static int build_blocks(struct flow *g)
{
	return verify_blocks(g->v->p, g->insns, g->n, 0, &g->nb, &g->bstart,
			     &g->block_of);
}

/*
 * Successors of the last instruction of block b within its function (a
 * CALL goes on at the next instruction, RET and EXIT end the walk).
 */
uint32_t verify_cfg_succ(const struct flow *g, uint32_t b, uint32_t *next)
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
			const uint32_t nn = verify_cfg_succ(g, b, next);

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

/* The state of the Lengauer-Tarjan dominator computation (dominators). */
struct lt {
	uint32_t *num;	  /* block -> preorder number from 1; 0: unreached */
	uint32_t *vert;	  /* preorder number -> block */
	uint32_t *parent; /* block -> its parent in the DFS tree */
	uint32_t *semi;	  /* block -> preorder number of its semidominator */
	uint32_t *anc;	  /* forest: block -> ancestor, NONE at a tree root */
	uint32_t *label;  /* forest: block -> least-semi block on its path */
	uint32_t *bucket, *bnext; /* blocks by semidominator, linked */
	uint32_t *path;		  /* scratch for compress */
};

/* Depth-first preorder from the root nb, whose successors are the
   entries; fills num, vert, parent; returns the count (root included). */
static uint32_t lt_dfs(const struct flow *g, const uint8_t *entry, struct lt *t,
		       uint32_t *stack, uint8_t *edge)
{
	uint32_t n = 0, sp = 0, next[2];

	t->num[g->nb] = ++n;
	t->vert[n] = g->nb;
	for (uint32_t e = 0; e < g->nb; e++) {
		if (!entry[e] || t->num[e])
			continue;
		t->parent[e] = g->nb;
		t->num[e] = ++n;
		t->vert[n] = e;
		stack[sp] = e;
		edge[sp++] = 0;
		while (sp > 0) {
			const uint32_t b = stack[sp - 1];
			const uint32_t nn = verify_cfg_succ(g, b, next);
			uint32_t c;

			if (edge[sp - 1] >= nn) {
				sp--;
				continue;
			}
			c = next[edge[sp - 1]++];
			if (t->num[c])
				continue;
			t->parent[c] = b;
			t->num[c] = ++n;
			t->vert[n] = c;
			stack[sp] = c;
			edge[sp++] = 0;
		}
	}
	return n;
}

/* The block of least semidominator on v's forest path (compressing it). */
static uint32_t lt_eval(struct lt *t, uint32_t v)
{
	uint32_t k = 0;

	if (t->anc[v] == NONE)
		return v;
	/* the path up to the forest root's child, then compress down it */
	for (uint32_t x = v; t->anc[t->anc[x]] != NONE; x = t->anc[x])
		t->path[k++] = x;
	while (k-- > 0) {
		const uint32_t x = t->path[k], a = t->anc[x];

		if (t->semi[t->label[a]] < t->semi[t->label[x]])
			t->label[x] = t->label[a];
		t->anc[x] = t->anc[a];
	}
	return t->label[v];
}

/*
 * Immediate dominators of the reachable blocks, the root being nb, whose
 * successors are the entries (Lengauer and Tarjan, "A Fast Algorithm for
 * Finding Dominators in a Flowgraph", with path compression: O(m log n),
 * so that no program, however its branches are laid out, makes the
 * verifier slow).  idom[b] is NONE for an unreachable block.
 */
static int dominators(const struct flow *g, const uint8_t *entry,
		      uint32_t *idom)
{
	const size_t nv = (size_t)g->nb + 1;
	uint32_t *poff = calloc(nv + 1, sizeof *poff);
	uint32_t *pred = NULL, *fill = NULL, *stack = NULL, next[2], n;
	uint8_t *edge = malloc(nv);
	struct lt t;
	uint32_t **fields[] = {&t.num,	 &t.vert,   &t.parent, &t.semi, &t.anc,
			       &t.label, &t.bucket, &t.bnext,  &t.path};
	int ret = -1;

	memset(&t, 0, sizeof t);
	for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
		if (!(*fields[k] = calloc(nv + 1, sizeof **fields[k])))
			goto out;
	if (!poff || !edge || !(stack = malloc(nv * sizeof *stack)) ||
	    !(fill = malloc((nv + 1) * sizeof *fill)))
		goto out;
	n = lt_dfs(g, entry, &t, stack, edge);
	/* the predecessors of every reached block */
	for (uint32_t b = 0; b < g->nb; b++)
		if (t.num[b])
			for (uint32_t j = verify_cfg_succ(g, b, next); j-- > 0;)
				poff[next[j] + 1]++;
	for (uint32_t b = 0; b < g->nb; b++)
		poff[b + 1] += poff[b];
	if (!(pred = malloc((poff[g->nb] ? poff[g->nb] : 1) * sizeof *pred)))
		goto out;
	memcpy(fill, poff, (nv + 1) * sizeof *fill);
	for (uint32_t b = 0; b < g->nb; b++)
		if (t.num[b])
			for (uint32_t j = verify_cfg_succ(g, b, next); j-- > 0;)
				pred[fill[next[j]]++] = b;
	for (size_t v = 0; v < nv; v++) {
		t.semi[v] = t.num[v];
		t.anc[v] = NONE;
		t.label[v] = (uint32_t)v;
		t.bucket[v] = NONE;
		idom[v] = NONE;
	}
	for (uint32_t i = n; i >= 2; i--) {
		const uint32_t w = t.vert[i], pw = t.parent[w];

		/* the root is a predecessor of every entry */
		if (entry[w])
			t.semi[w] = 1;
		for (uint32_t j = poff[w]; j < poff[w + 1]; j++) {
			const uint32_t u = lt_eval(&t, pred[j]);

			if (t.semi[u] < t.semi[w])
				t.semi[w] = t.semi[u];
		}
		t.bnext[w] = t.bucket[t.vert[t.semi[w]]];
		t.bucket[t.vert[t.semi[w]]] = w;
		t.anc[w] = pw;
		for (uint32_t v = t.bucket[pw]; v != NONE; v = t.bnext[v]) {
			const uint32_t u = lt_eval(&t, v);

			idom[v] = t.semi[u] < t.semi[v] ? u : pw;
		}
		t.bucket[pw] = NONE;
	}
	for (uint32_t i = 2; i <= n; i++) {
		const uint32_t w = t.vert[i];

		if (idom[w] != t.vert[t.semi[w]])
			idom[w] = idom[idom[w]];
	}
	idom[g->nb] = g->nb;
	ret = 0;
out:
	for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
		free(*fields[k]);
	free(poff);
	free(pred);
	free(fill);
	free(stack);
	free(edge);
	return ret;
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
	    dfs(g, entry, order, rpo, &nr) || dominators(g, entry, idom))
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
uint32_t verify_cfg_callee(const struct flow *g, uint32_t pc)
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
			c = verify_cfg_callee(g, i);
			if ((c != NONE && push(&dep, c, b, i)) ||
			    push(&cg, f, c, i))
				goto fail;
			leaves |= c != NONE;
		}
		for (uint32_t k = verify_cfg_succ(g, b, next); k-- > 0;) {
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
enum atlas_status verify_call_depth(struct flow *g)
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

			return verify_fail(g->v, "call-depth", in->line,
					   in->col,
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

int verify_cfg_build(struct flow *g)
{
	if (build_blocks(g) || build_functions(g) || build_edges(g) ||
	    build_sccs(g))
		return -1;
	return 0;
}
