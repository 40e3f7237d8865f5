/*
 * lint.c - atlas_program_lint: what a verified program does that is
 * allowed but suspect (warnings: unreachable code, loops without a
 * provable bound) and what its reader should know (notes: how each array
 * is accessed and streamed, which accesses are checked at run time).
 *
 * The graph is one of instructions, within a function: BRA goes to its
 * target (and, with a predicate, on), LOOP to its body and on, CALL on
 * (the callee returns), RET and EXIT nowhere; reachability also follows
 * CALL into its callee.
 *
 * Loops are the strongly connected components of the reachable graph.
 * A component entered at one instruction h, its header, is bounded when
 * some exit test in it compares an integer counter with a limit that
 * does not change round the loop, every write of the counter in the loop
 * steps it by a constant towards the limit, and every path from h back
 * to h passes both a step and the test; or when a LOOP instruction
 * branches back into it, its counter written by nothing else and every
 * path round passing it.  (That covers what the kernel language emits
 * for "for i in range(a, b, step)" and "while i < n: ... i += c".)
 * The component without h is then split again into the loops nested in
 * it, each judged on its own.  A component with several entries is not
 * bounded; its entries are removed and the rest split likewise.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "verify_int.h"

#define NONE UINT32_MAX

struct lint {
	const struct atlas_program *p;
	const struct isa_insn *in;
	uint32_t n;
	uint16_t *wreg;	 /* pc -> register it writes, or NOREG */
	uint16_t *wpred; /* pc -> predicate it writes, or ISA_NO_PRED */
	uint8_t *reach;	 /* reached from instruction 0 */
	uint8_t *entry;	 /* instruction 0 and call targets */
	uint32_t *poff;	 /* preds of pc: pred[poff[pc] .. poff[pc + 1]) */
	uint32_t *pred;	 /* (reachable ones only) */
	uint32_t *mark;	 /* pc -> the loop being judged that holds it */
	uint32_t *seen;	 /* pc -> search stamp */
	uint32_t *block; /* pc -> blocked-set stamp */
	uint32_t *stack; /* search stack, n */
	uint32_t stamp;	 /* for seen and block */
	uint8_t loop_writes[ISA_NREGS]; /* registers the loop judged writes */
	uint32_t loop_id;		/* for mark */
	/* Tarjan's scratch */
	uint32_t *idx, *low, *tstk, *cs, *ce;
	uint8_t *onstk;
	/* loops to judge: node lists in pool, (offset, size) in todo */
	uint32_t *pool;
	size_t npool, pool_cap;
	uint32_t *todo;
	size_t ntodo, todo_cap;
};

#define NOREG 0xffff

static uint32_t target(const struct lint *L, uint32_t pc)
{
	return L->p->labels[L->in[pc].label].target;
}

/* Successors within the function (CALL goes on); their number. */
static unsigned succ(const struct lint *L, uint32_t pc, uint32_t next[2])
{
	const struct isa_insn *in = &L->in[pc];
	unsigned k = 0;

	switch (in->op) {
	case OP_RET:
	case OP_EXIT:
		return 0;
	case OP_BRA:
	case OP_LOOP:
		if (target(L, pc) < L->n)
			next[k++] = target(L, pc);
		if (in->op == OP_BRA && in->pred == ISA_NO_PRED)
			return k;
		break;
	default:
		break;
	}
	if (pc + 1 < L->n && (k == 0 || next[0] != pc + 1))
		next[k++] = pc + 1;
	return k;
}

static int grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	void **a = arr;
	size_t ncap = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (!(q = realloc(*a, ncap * elem)))
		return -1;
	*a = q;
	*cap = ncap;
	return 0;
}

static void release(struct lint *L)
{
	free(L->wreg);
	free(L->wpred);
	free(L->reach);
	free(L->entry);
	free(L->poff);
	free(L->pred);
	free(L->mark);
	free(L->seen);
	free(L->block);
	free(L->stack);
	free(L->idx);
	free(L->low);
	free(L->tstk);
	free(L->cs);
	free(L->ce);
	free(L->onstk);
	free(L->pool);
	free(L->todo);
}

/* What each instruction writes, what is reached, the predecessors. */
static int build(struct lint *L)
{
	const uint32_t n = L->n;
	uint32_t sp = 0, next[2], *fill;

	L->wreg = malloc(n * sizeof *L->wreg);
	L->wpred = malloc(n * sizeof *L->wpred);
	L->reach = calloc(n, 1);
	L->entry = calloc(n, 1);
	L->poff = calloc((size_t)n + 1, sizeof *L->poff);
	L->mark = calloc(n, sizeof *L->mark);
	L->seen = calloc(n, sizeof *L->seen);
	L->block = calloc(n, sizeof *L->block);
	L->stack = malloc(n * sizeof *L->stack);
	if (!L->wreg || !L->wpred || !L->reach || !L->entry || !L->poff ||
	    !L->mark || !L->seen || !L->block || !L->stack)
		return -1;
	for (uint32_t pc = 0; pc < n; pc++) {
		struct opnds o;

		verify_decode(&L->in[pc], &o);
		L->wreg[pc] = o.nw ? o.w : NOREG;
		L->wpred[pc] = o.pw;
	}
	L->entry[0] = L->reach[0] = 1;
	L->stack[sp++] = 0;
	while (sp > 0) {
		const uint32_t pc = L->stack[--sp];
		unsigned k = succ(L, pc, next);

		if (L->in[pc].op == OP_CALL && target(L, pc) < n) {
			L->entry[target(L, pc)] = 1;
			next[k++] = target(L, pc);
		}
		for (unsigned j = 0; j < k; j++)
			if (!L->reach[next[j]]) {
				L->reach[next[j]] = 1;
				L->stack[sp++] = next[j];
			}
	}
	for (uint32_t pc = 0; pc < n; pc++)
		for (unsigned j = L->reach[pc] ? succ(L, pc, next) : 0;
		     j-- > 0;)
			L->poff[next[j] + 1]++;
	for (uint32_t pc = 0; pc < n; pc++)
		L->poff[pc + 1] += L->poff[pc];
	L->pred = malloc((L->poff[n] ? L->poff[n] : 1) * sizeof *L->pred);
	fill = malloc(((size_t)n + 1) * sizeof *fill);
	if (!L->pred || !fill) {
		free(fill);
		return -1;
	}
	memcpy(fill, L->poff, ((size_t)n + 1) * sizeof *fill);
	for (uint32_t pc = 0; pc < n; pc++)
		for (unsigned j = L->reach[pc] ? succ(L, pc, next) : 0;
		     j-- > 0;)
			L->pred[fill[next[j]]++] = pc;
	free(fill);
	return 0;
}

/* ---- loops ----------------------------------------------------------------
 */

/* The one instruction that leads to pc, or NONE. */
static uint32_t prev(const struct lint *L, uint32_t pc)
{
	if (L->entry[pc] || L->poff[pc + 1] - L->poff[pc] != 1)
		return NONE;
	return L->pred[L->poff[pc]];
}

/* Is register r written in the loop being judged? */
static int written(const struct lint *L, unsigned r)
{
	return r < ISA_NREGS && L->loop_writes[r];
}

/* The constant that a mov_imm at pc writes, sign-extended from type t. */
static int imm_of(const struct lint *L, uint32_t pc, unsigned t, int64_t *v)
{
	const struct isa_insn *in = &L->in[pc];
	unsigned bits;
	uint64_t x;

	if (in->op != OP_MOV_IMM || !isa_type_is_int((enum atlas_type)t))
		return 0;
	bits = 8 * (unsigned)isa_size(t);
	x = in->imm;
	if (bits < 64) {
		x &= ((uint64_t)1 << bits) - 1;
		if (x >> (bits - 1))
			x |= ~(uint64_t)0 << bits;
	}
	*v = (int64_t)x;
	return 1;
}

/*
 * The value of r when pc runs (from pc itself when self: at pc's end),
 * when the straight line of code that leads to pc sets it by mov_imm.
 */
static int const_before(const struct lint *L, uint32_t pc, int self, unsigned r,
			unsigned t, int64_t *v)
{
	for (uint32_t steps = 0; steps < L->n; steps++) {
		if (!self && (pc = prev(L, pc)) == NONE)
			return 0;
		self = 0;
		if (L->wreg[pc] == r)
			return imm_of(L, pc, t, v);
	}
	return 0;
}

/*
 * The value of r at pc in the loop being judged, headed by h: a constant set
 * by mov_imm on the way from h to pc, or before the loop (on every way
 * into it) when the loop does not write it.
 */
static int const_at(const struct lint *L, uint32_t h, uint32_t pc, unsigned r,
		    unsigned t, int64_t *v)
{
	int have = 0;

	if (written(L, r))
		return const_before(L, pc, 0, r, t, v);
	if (L->entry[h])
		return 0;
	for (uint32_t j = L->poff[h]; j < L->poff[h + 1]; j++) {
		const uint32_t u = L->pred[j];
		int64_t x;

		if (L->mark[u] == L->mark[h])
			continue;
		if (!const_before(L, u, 1, r, t, &x) || (have && x != *v))
			return 0;
		*v = x;
		have = 1;
	}
	return have;
}

/*
 * Does every path from h back to h within the loop pass an instruction
 * whose block stamp is L->stamp?
 */
static int always_passes(struct lint *L, uint32_t h)
{
	const uint32_t id = L->mark[h];
	uint32_t sp = 0, next[2];

	if (L->block[h] == L->stamp)
		return 1;
	L->stack[sp++] = h;
	L->seen[h] = L->stamp;
	while (sp > 0) {
		const uint32_t pc = L->stack[--sp];

		for (unsigned j = succ(L, pc, next); j-- > 0;) {
			const uint32_t c = next[j];

			if (c == h)
				return 0;
			if (L->mark[c] != id || L->block[c] == L->stamp ||
			    L->seen[c] == L->stamp)
				continue;
			L->seen[c] = L->stamp;
			L->stack[sp++] = c;
		}
	}
	return 1;
}

/* A LOOP instruction at e that counts the loop down. */
static int loop_counted(struct lint *L, const uint32_t *s, uint32_t m,
			uint32_t h, uint32_t e)
{
	const uint32_t t = target(L, e);
	const unsigned c = L->in[e].src[0];

	if (t >= L->n || L->mark[t] != L->mark[h])
		return 0;
	for (uint32_t k = 0; k < m; k++)
		if (L->wreg[s[k]] == c && s[k] != e)
			return 0;
	L->stamp++;
	L->block[e] = L->stamp;
	return always_passes(L, h);
}

static enum isa_cond negate(enum isa_cond c)
{
	static const enum isa_cond neg[] = {
		[COND_EQ] = COND_NE, [COND_NE] = COND_EQ, [COND_LT] = COND_GE,
		[COND_LE] = COND_GT, [COND_GT] = COND_LE, [COND_GE] = COND_LT};

	return neg[c];
}

/* a c b as b c' a */
static enum isa_cond swap(enum isa_cond c)
{
	static const enum isa_cond sw[] = {
		[COND_EQ] = COND_EQ, [COND_NE] = COND_NE, [COND_LT] = COND_GT,
		[COND_LE] = COND_GE, [COND_GT] = COND_LT, [COND_GE] = COND_LE};

	return sw[c];
}

/*
 * Counter i, stepped towards limit lim (dir +1: up, -1: down), as the
 * test at e requires; the setcc that computes the test is at sc.
 */
static int counted(struct lint *L, const uint32_t *s, uint32_t m, uint32_t h,
		   uint32_t e, uint32_t sc, unsigned i, unsigned lim, int dir)
{
	const unsigned t = L->in[sc].type;
	int64_t v;
	int steps = 0;

	if (i == lim || (written(L, lim) && !const_at(L, h, sc, lim, t, &v)))
		return 0;
	L->stamp++;
	for (uint32_t k = 0; k < m; k++) {
		const struct isa_insn *in = &L->in[s[k]];
		unsigned by;

		if (L->wreg[s[k]] != i)
			continue;
		if (in->op == OP_ADD && in->src[0] == i)
			by = in->src[1];
		else if (in->op == OP_ADD && in->src[1] == i)
			by = in->src[0];
		else if (in->op == OP_SUB && in->src[0] == i)
			by = in->src[1];
		else
			return 0;
		if (by == i || !const_at(L, h, s[k], by, in->type, &v) ||
		    v == 0)
			return 0;
		if ((v > 0) != ((in->op == OP_ADD) == (dir > 0)))
			return 0;
		L->block[s[k]] = L->stamp;
		steps++;
	}
	if (!steps || !always_passes(L, h))
		return 0;
	L->stamp++;
	L->block[e] = L->stamp;
	return always_passes(L, h);
}

/* A conditional branch at e that leaves the loop on a counter's test. */
static int exit_counted(struct lint *L, const uint32_t *s, uint32_t m,
			uint32_t h, uint32_t e, int *tries)
{
	const struct isa_insn *br = &L->in[e], *in;
	const uint32_t t = target(L, e), id = L->mark[h];
	const int tin = t < L->n && L->mark[t] == id;
	const int fin = e + 1 < L->n && L->mark[e + 1] == id;
	uint32_t sc = e;
	enum isa_cond c;

	if (tin == fin)
		return 0;
	/* the setcc that sets the predicate, just before */
	for (int k = 0; k < 8 && (sc = prev(L, sc)) != NONE; k++)
		if (L->wpred[sc] == br->pred)
			break;
	if (sc == NONE || L->wpred[sc] != br->pred)
		return 0;
	in = &L->in[sc];
	if (in->op != OP_SETCC || !isa_type_is_int((enum atlas_type)in->type))
		return 0;
	for (uint32_t q = prev(L, e); q != sc; q = prev(L, q))
		if (L->wreg[q] == in->src[0] || L->wreg[q] == in->src[1])
			return 0;
	/* the unsigned conditions are the plain ones on unsigned types */
	c = (enum isa_cond)(in->sub >= COND_LTU ? in->sub - 4 : in->sub);
	if (!tin)
		c = negate(c);
	/* the loop goes on while src0 c src1 */
	++*tries;
	for (int k = 0; k < 2; k++) {
		const unsigned i = in->src[k], lim = in->src[1 - k];
		const enum isa_cond ci = k ? swap(c) : c;
		int dir;

		if (ci == COND_LT || ci == COND_LE)
			dir = 1;
		else if (ci == COND_GT || ci == COND_GE)
			dir = -1;
		else
			continue;
		if (counted(L, s, m, h, e, sc, i, lim, dir))
			return 1;
	}
	return 0;
}

/*
 * Is the loop s[0..m) headed by h bounded?  Each way out that is tried
 * costs a pass over the loop: a loop with many is judged on its first
 * MAX_TRIES, so that no program makes this quadratic.
 */
#define MAX_TRIES 16

static int bounded(struct lint *L, const uint32_t *s, uint32_t m, uint32_t h)
{
	int tries = 0;

	memset(L->loop_writes, 0, sizeof L->loop_writes);
	for (uint32_t k = 0; k < m; k++)
		if (L->wreg[s[k]] < ISA_NREGS)
			L->loop_writes[L->wreg[s[k]]] = 1;
	for (uint32_t k = 0; k < m && tries < MAX_TRIES; k++) {
		const struct isa_insn *in = &L->in[s[k]];

		if (in->op == OP_LOOP) {
			tries++;
			if (loop_counted(L, s, m, h, s[k]))
				return 1;
		}
		if (in->op == OP_BRA && in->pred != ISA_NO_PRED &&
		    exit_counted(L, s, m, h, s[k], &tries))
			return 1;
	}
	return 0;
}

/*
 * Queue the component v[0..m) if it is a loop (one node without an edge
 * to itself is none).  The caller made room.
 */
static void push_loop(struct lint *L, const uint32_t *v, uint32_t m)
{
	uint32_t next[2];
	int cycle = m > 1;

	for (unsigned j = m == 1 ? succ(L, v[0], next) : 0; j-- > 0;)
		cycle |= next[j] == v[0];
	if (!cycle)
		return;
	assert(L->npool + m <= L->pool_cap && L->ntodo + 2 <= L->todo_cap);
	L->todo[L->ntodo++] = (uint32_t)L->npool;
	L->todo[L->ntodo++] = m;
	memcpy(L->pool + L->npool, v, m * sizeof *v);
	L->npool += m;
}

/*
 * Queue the loops among the nodes v[0..m) whose mark is id: the strongly
 * connected components (Tarjan, iteratively) with a cycle.  The pool has
 * room for m more nodes, the queue for m more loops.
 */
static void find_loops(struct lint *L, const uint32_t *v, uint32_t m,
		       uint32_t id)
{
	uint32_t counter = 0, sp = 0, csp = 0, next[2];

	for (uint32_t k = 0; k < m; k++)
		L->idx[v[k]] = NONE;
	for (uint32_t k = 0; k < m; k++) {
		uint32_t u = v[k];

		if (L->mark[u] != id || L->idx[u] != NONE)
			continue;
		L->idx[u] = L->low[u] = counter++;
		L->tstk[sp++] = u;
		L->onstk[u] = 1;
		L->cs[csp] = u;
		L->ce[csp++] = 0;
		while (csp > 0) {
			const unsigned ns = succ(L, u = L->cs[csp - 1], next);

			if (L->ce[csp - 1] < ns) {
				const uint32_t c = next[L->ce[csp - 1]++];

				if (L->mark[c] != id)
					continue;
				if (L->idx[c] == NONE) {
					L->idx[c] = L->low[c] = counter++;
					L->tstk[sp++] = c;
					L->onstk[c] = 1;
					L->cs[csp] = c;
					L->ce[csp++] = 0;
				} else if (L->onstk[c] &&
					   L->idx[c] < L->low[u]) {
					L->low[u] = L->idx[c];
				}
				continue;
			}
			if (--csp > 0 && L->low[u] < L->low[L->cs[csp - 1]])
				L->low[L->cs[csp - 1]] = L->low[u];
			if (L->low[u] == L->idx[u]) {
				uint32_t j = sp;

				do
					L->onstk[L->tstk[--j]] = 0;
				while (L->tstk[j] != u);
				push_loop(L, L->tstk + j, sp - j);
				sp = j;
			}
		}
	}
}

static enum atlas_status warn_loop(struct lint *L, struct atlas_diags *d,
				   uint32_t h, int entries)
{
	const struct isa_insn *in = &L->in[h];

	if (entries > 1)
		return diag_add(d, ATLAS_SEV_WARNING, "loop-bound", in->line,
				in->col, L->p->name,
				"loop with %d entries: its trip count cannot "
				"be bounded",
				entries);
	return diag_add(d, ATLAS_SEV_WARNING, "loop-bound", in->line, in->col,
			L->p->name,
			"loop without a provable bound: no integer counter is "
			"stepped by a constant towards a fixed limit on every "
			"path round it");
}

/* Is v, in the loop marked id, entered from outside it? */
static int entered(const struct lint *L, uint32_t v, uint32_t id)
{
	if (L->entry[v])
		return 1;
	for (uint32_t j = L->poff[v]; j < L->poff[v + 1]; j++)
		if (L->mark[L->pred[j]] != id)
			return 1;
	return 0;
}

/* Judge the loop pool[off .. off + size) and queue the loops inside. */
static enum atlas_status judge(struct lint *L, struct atlas_diags *d,
			       size_t off, uint32_t size)
{
	const uint32_t id = ++L->loop_id;
	uint32_t *s = L->pool + off, h = NONE;
	int entries = 0;

	for (uint32_t k = 0; k < size; k++)
		L->mark[s[k]] = id;
	for (uint32_t k = 0; k < size; k++)
		if (entered(L, s[k], id)) {
			h = h == NONE || s[k] < h ? s[k] : h;
			entries++;
		}
	assert(h != NONE); /* a reachable loop is entered */
	if ((entries != 1 || !bounded(L, s, size, h)) &&
	    warn_loop(L, d, h, entries) != ATLAS_OK)
		return ATLAS_ERR_NOMEM;
	/* the loops inside are those of the loop without its entries: mark
	   them (after finding them all) with the next id */
	for (uint32_t k = 0; k < size; k++)
		L->idx[s[k]] = entered(L, s[k], id) ? 0 : id + 1;
	for (uint32_t k = 0; k < size; k++)
		L->mark[s[k]] = L->idx[s[k]];
	L->loop_id++;
	/* room for the inner loops, so that s stays put */
	if (grow(&L->pool, &L->pool_cap, L->npool + size, sizeof *L->pool) ||
	    grow(&L->todo, &L->todo_cap, L->ntodo + 2 * (size_t)size,
		 sizeof *L->todo))
		return ATLAS_ERR_NOMEM;
	s = L->pool + off;
	find_loops(L, s, size, L->loop_id);
	return ATLAS_OK;
}

/* Judge every loop, outermost first; each gets at most one warning. */
static enum atlas_status check_loops(struct lint *L, struct atlas_diags *d)
{
	const uint32_t n = L->n;
	uint32_t m = 0;

	L->idx = malloc(n * sizeof *L->idx);
	L->low = malloc(n * sizeof *L->low);
	L->tstk = malloc(n * sizeof *L->tstk);
	L->cs = malloc(n * sizeof *L->cs);
	L->ce = malloc(n * sizeof *L->ce);
	L->onstk = calloc(n, 1);
	if (!L->idx || !L->low || !L->tstk || !L->cs || !L->ce || !L->onstk ||
	    grow(&L->pool, &L->pool_cap, 2 * (size_t)n, sizeof *L->pool) ||
	    grow(&L->todo, &L->todo_cap, 2 * (size_t)n, sizeof *L->todo))
		return ATLAS_ERR_NOMEM;
	/* the reachable instructions, at the end of the pool's first half */
	L->loop_id = 1;
	for (uint32_t pc = 0; pc < n; pc++)
		if (L->reach[pc]) {
			L->mark[pc] = L->loop_id;
			L->pool[n + m++] = pc;
		}
	find_loops(L, L->pool + n, m, L->loop_id);
	while (L->ntodo > 0) {
		const uint32_t size = L->todo[--L->ntodo];
		const uint32_t off = L->todo[--L->ntodo];

		if (judge(L, d, off, size) != ATLAS_OK)
			return ATLAS_ERR_NOMEM;
	}
	return ATLAS_OK;
}

/* ---- unreachable code -----------------------------------------------------
 */

static enum atlas_status check_reach(const struct lint *L,
				     struct atlas_diags *d)
{
	for (uint32_t pc = 0; pc < L->n;) {
		uint32_t end = pc;

		if (L->reach[pc]) {
			pc++;
			continue;
		}
		while (end < L->n && !L->reach[end])
			end++;
		if (diag_add(d, ATLAS_SEV_WARNING, "unreachable",
			     L->in[pc].line, L->in[pc].col, L->p->name,
			     "unreachable code: no path from the kernel's entry "
			     "reaches %s",
			     end - pc == 1 ? "this instruction" :
					     "these instructions") != ATLAS_OK)
			return ATLAS_ERR_NOMEM;
		pc = end;
	}
	return ATLAS_OK;
}

/* ---- notes ----------------------------------------------------------------
 */

/* Why a program that does not stream runs resident. */
static void resident_reason(const struct atlas_program *p, char *buf,
			    size_t size)
{
	const struct isa_param *any = NULL;
	int analysed = 0;

	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		if (q->kind != ATLAS_PARAM_ARRAY)
			continue;
		if (q->use == ATLAS_USE_INOUT) {
			snprintf(buf, size, "'%s' is inout", q->name);
			return;
		}
		analysed |= q->access != ATLAS_ACCESS_ANY;
		if (q->access == ATLAS_ACCESS_ANY && !any)
			any = q;
	}
	if (analysed && any)
		snprintf(buf, size, "'%s' has no access class", any->name);
	else
		snprintf(buf, size,
			 "no array streams and no guard scalar "
			 "bounds the lanes");
}

/* One array's note: its class and whether and why it streams. */
static enum atlas_status note_array(const struct atlas_program *p,
				    const struct isa_param *q, int streams,
				    const char *why, struct atlas_diags *d)
{
	const int in = q->use == ATLAS_USE_IN;
	const char *whole = in ? "read whole" :
				 "held whole and written at "
				 "the end";
	char k[PROGRAM_NAME_MAX + 8];

#define NOTE(...)                                                              \
	diag_add(d, ATLAS_SEV_NOTE, "access", 0, 0, p->name, __VA_ARGS__)
	if (q->use == ATLAS_USE_INOUT)
		return NOTE("'%s' is inout: the kernel runs resident", q->name);
	switch (q->access) {
	case ATLAS_ACCESS_ELEMENT:
		if (streams)
			return NOTE("'%s' is element-wise: streams one element "
				    "per lane",
				    q->name);
		return NOTE("'%s' is element-wise, but the kernel runs "
			    "resident (%s): %s",
			    q->name, why, whole);
	case ATLAS_ACCESS_RECORD:
		if (q->record_param >= 0)
			snprintf(k, sizeof k, "'%s'",
				 p->params[q->record_param].name);
		else
			snprintf(k, sizeof k, "%llu",
				 (unsigned long long)q->record_len);
		if (streams)
			return NOTE("'%s' is a record of %s elements per lane: "
				    "streams one record per lane",
				    q->name, k);
		return NOTE("'%s' is a record of %s elements per lane, but "
			    "the kernel runs resident (%s): %s",
			    q->name, k, why, whole);
	case ATLAS_ACCESS_RESIDENT:
		return NOTE("'%s' is resident: %s (no lane is proven to "
			    "touch only its own element or record)",
			    q->name, whole);
	case ATLAS_ACCESS_REDUCTION:
		if (q->record_len == 0)
			return NOTE("'%s' is a reduction of a length given "
				    "when it runs: held and written at the end",
				    q->name);
		return NOTE("'%s' is a reduction of %llu element%s: held and "
			    "written at the end",
			    q->name, (unsigned long long)q->record_len,
			    q->record_len == 1 ? "" : "s");
	default:
		if (streams)
			return NOTE("'%s' has no access class: taken as "
				    "element-wise, streams one element per "
				    "lane",
				    q->name);
		return NOTE("'%s' has no access class: %s, so the kernel runs "
			    "resident",
			    q->name, whole);
	}
#undef NOTE
}

static enum atlas_status note_arrays(const struct atlas_program *p,
				     struct atlas_diags *d)
{
	const int streams = atlas_program_streams(p);
	char why[PROGRAM_NAME_MAX + 32] = "";

	if (!streams)
		resident_reason(p, why, sizeof why);
	for (size_t i = 0; i < p->nparams; i++)
		if (p->params[i].kind == ATLAS_PARAM_ARRAY &&
		    note_array(p, &p->params[i], streams, why, d) != ATLAS_OK)
			return ATLAS_ERR_NOMEM;
	return ATLAS_OK;
}

/*
 * Is the memory access in proven in range?  Boundary pool addresses are
 * (the verifier checks their coordinates), and constant offsets into a
 * reduction of declared length, through its handle or its parameter's
 * register (when nothing writes it); the rest depend on the lane or on
 * the arguments.  written[r]: some instruction writes register r.
 */
static int proven(const struct atlas_program *p, const struct isa_insn *in,
		  const uint8_t *written)
{
	const struct isa_addr *a = &in->addr;

	if (a->mode == ADDR_PHI)
		return 1;
	if (a->mode != ADDR_BUF && (a->mode != ADDR_REG || written[a->base]))
		return 0;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		if (q->kind != ATLAS_PARAM_ARRAY ||
		    (a->mode == ADDR_BUF ? q->handle != a->handle :
					   q->reg != a->base))
			continue;
		/* record_len <= 2^53 elements: the product fits */
		return q->access == ATLAS_ACCESS_REDUCTION &&
		       q->record_len != 0 && a->offset >= 0 &&
		       (uint64_t)a->offset + isa_size(in->type) <=
			       q->record_len * isa_size(q->type);
	}
	return 0;
}

static enum atlas_status note_bounds(const struct lint *L,
				     struct atlas_diags *d)
{
	const struct isa_insn *first = NULL;
	size_t total = 0, checked = 0;
	uint8_t written[ISA_NREGS + 1] = {0};

	for (uint32_t pc = 0; pc < L->n; pc++)
		written[L->wreg[pc] < ISA_NREGS ? L->wreg[pc] : ISA_NREGS] = 1;
	for (uint32_t pc = 0; pc < L->n; pc++) {
		const struct isa_insn *in = &L->in[pc];
		const enum isa_fmt f = isa_op_table[in->op].fmt;

		if (!L->reach[pc] || (f != FMT_LD && f != FMT_ST &&
				      f != FMT_ATOM && f != FMT_ATOM_RET))
			continue;
		total++;
		if (!proven(L->p, in, written) && checked++ == 0)
			first = in;
	}
	if (total == 0)
		return ATLAS_OK;
	if (!first)
		return diag_add(d, ATLAS_SEV_NOTE, "runtime-bounds", 0, 0,
				L->p->name,
				"every memory access is proven in range");
	if (checked == 1)
		return diag_add(
			d, ATLAS_SEV_NOTE, "runtime-bounds", first->line,
			first->col, L->p->name,
			"1 of %zu memory accesses (this one) is checked "
			"against its array's bounds when the kernel "
			"runs: its address depends on the lane or the "
			"arguments",
			total);
	return diag_add(d, ATLAS_SEV_NOTE, "runtime-bounds", first->line,
			first->col, L->p->name,
			"%zu of %zu memory accesses (the first here) are "
			"checked against their array's bounds when the kernel "
			"runs: their addresses depend on the lane or the "
			"arguments",
			checked, total);
}

enum atlas_status atlas_program_lint(const struct atlas_program *p,
				     struct atlas_diags *d,
				     struct atlas_error *err)
{
	struct lint L;
	const size_t from = d->n;
	enum atlas_status st = ATLAS_OK;

	if (!p->verified) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"kernel '%s' is not verified", p->name);
		return ATLAS_ERR_ARG;
	}
	memset(&L, 0, sizeof L);
	L.p = p;
	L.in = p->insns;
	L.n = (uint32_t)p->ninsns;
	if (note_arrays(p, d) != ATLAS_OK)
		st = ATLAS_ERR_NOMEM;
	if (st == ATLAS_OK && L.n > 0 &&
	    (build(&L) || check_reach(&L, d) != ATLAS_OK ||
	     check_loops(&L, d) != ATLAS_OK || note_bounds(&L, d) != ATLAS_OK))
		st = ATLAS_ERR_NOMEM;
	if (st == ATLAS_OK)
		st = diag_sort(d, from);
	release(&L);
	if (st != ATLAS_OK) {
		/* nothing half done */
		while (d->n > from)
			d->count[d->v[--d->n].severity]--;
		atlas_error_set(err, st, 0, 0, "out of memory");
	}
	return st;
}
