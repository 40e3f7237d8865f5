/*
 * exec.c - the block interpreter: splits and control flow, and the
 * arithmetic, logic and conversion instructions.  Memory instructions are
 * in exec_mem.c, the register file in exec_reg.c.
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "ops.h"

/* ---- splits ------------------------------------------------------------- */

static struct split *split_new(struct worker *w)
{
	struct split *s;

	if (w->nsplits == w->splits_cap) {
		size_t cap = w->splits_cap ? w->splits_cap * 2 : 4;
		struct split *q = realloc(w->splits, cap * sizeof *q);

		if (!q)
			return NULL;
		memset(q + w->splits_cap, 0, (cap - w->splits_cap) * sizeof *q);
		w->splits = q;
		w->splits_cap = cap;
	}
	s = &w->splits[w->nsplits];
	if (!s->mask) {
		if (!(s->mask = malloc(EXEC_B)))
			return NULL;
		s->ones = SIZE_MAX;
	}
	w->nsplits++;
	return s;
}

static int split_stack(struct split *s)
{
	if (!s->stack)
		s->stack = malloc(ISA_MAX_CALL_DEPTH * sizeof *s->stack);
	return s->stack ? 0 : -1;
}

/* Remove split i, keeping its buffers for reuse. */
static void split_drop(struct worker *w, size_t i)
{
	struct split tmp = w->splits[i];

	w->splits[i] = w->splits[w->nsplits - 1];
	w->splits[w->nsplits - 1] = tmp;
	w->nsplits--;
}

static int same_stack(const struct split *a, const struct split *b)
{
	return a->depth == b->depth &&
	       (a->depth == 0 ||
		memcmp(a->stack, b->stack, a->depth * sizeof *a->stack) == 0);
}

/* Merge split i into another split waiting at the same place, if any. */
static void split_merge(struct worker *w, size_t i)
{
	struct split *s = &w->splits[i];

	for (size_t j = 0; j < w->nsplits; j++) {
		struct split *o = &w->splits[j];

		if (j == i || o->pc != s->pc || !same_stack(o, s))
			continue;
		for (size_t k = 0; k < w->nlanes; k++)
			o->mask[k] |= s->mask[k];
		o->count += s->count;
		o->ones = SIZE_MAX;
		split_drop(w, i);
		return;
	}
}

/* The split to run next: deepest call stack first, then lowest pc. */
static size_t split_pick(const struct worker *w)
{
	size_t best = 0;

	for (size_t i = 1; i < w->nsplits; i++) {
		const struct split *a = &w->splits[i], *b = &w->splits[best];

		if (a->depth > b->depth ||
		    (a->depth == b->depth && a->pc < b->pc))
			best = i;
	}
	return best;
}

/*
 * Lanes of split i in w->tmask (count ntaken) go to target; the others fall
 * through to pc + 1.
 */
static int branch(struct worker *w, size_t i, uint32_t ntaken, uint32_t target)
{
	struct split *s = &w->splits[i], *t;

	if (ntaken == 0) {
		s->pc++;
		return 0;
	}
	if (ntaken == s->count) {
		s->pc = target;
		return 0;
	}
	t = split_new(w);
	if (!t)
		return -1;
	s = &w->splits[i];
	if (s->depth) {
		if (split_stack(t))
			return -1;
		memcpy(t->stack, s->stack, s->depth * sizeof *s->stack);
	}
	t->depth = s->depth;
	t->pc = target;
	t->count = ntaken;
	memcpy(t->mask, w->tmask, EXEC_B);
	t->ones = SIZE_MAX;
	s->ones = SIZE_MAX;
	for (size_t k = 0; k < w->nlanes; k++)
		s->mask[k] &= (uint8_t)!w->tmask[k];
	s->count -= ntaken;
	s->pc++;
	split_merge(w, w->nsplits - 1);
	return 0;
}

/* ---- predicates ---------------------------------------------------------- */

/* tmask = active lanes of s whose predicate is set; returns their count. */
static uint32_t pred_taken(struct worker *w, unsigned p, const struct split *s)
{
	const struct vpred *q = &w->preds[p];
	uint32_t n = 0;

	if (q->uniform) {
		if (q->value)
			memcpy(w->tmask, s->mask, w->nlanes);
		else
			memset(w->tmask, 0, w->nlanes);
		return q->value ? s->count : 0;
	}
	for (size_t k = 0; k < w->nlanes; k++) {
		w->tmask[k] = s->mask[k] & q->lanes[k];
		n += w->tmask[k];
	}
	return n;
}

/* ---- control flow -----------------------------------------------------------
 */

static uint32_t target_of(const struct worker *w, const struct isa_insn *in)
{
	return w->ctx->prog->labels[in->label].target;
}

static int do_loop(struct worker *w, const struct isa_insn *in, size_t i)
{
	struct split *s = &w->splits[i];
	struct vreg *v = wreg(w, in->src[0]);
	uint32_t n = 0, *c;
	const void *src;

	if (v->shape == SH_UNIFORM) {
		if (v->base == 0) {
			s->pc++;
			return 0;
		}
		reg_commit_uniform(w, in->src[0], ATLAS_U32, v->base - 1, s);
		s->pc = target_of(w, in);
		return 0;
	}
	/* per lane: count > 0 ? count--, jump : fall through */
	src = reg_lanes(w, in->src[0], ATLAS_U32);
	c = own_of(v, sizeof *c);
	if (src != (const void *)c)
		memcpy(c, src, w->nlanes * sizeof *c);
	v->shape = SH_VARYING;
	v->size = sizeof *c;
	v->lanes = c;
	v->alias = 0;
	for (size_t k = 0; k < w->nlanes; k++) {
		uint8_t go = s->mask[k] & (c[k] != 0);

		w->tmask[k] = go;
		c[k] -= go;
		n += go;
	}
	return branch(w, i, n, target_of(w, in));
}

/* Control flow: move split i's pc.  Returns 0, or -1 with w->err set. */
static int control(struct worker *w, const struct isa_insn *in, size_t i)
{
	struct split *s = &w->splits[i];

	switch (in->op) {
	case OP_BRA:
		if (in->pred == ISA_NO_PRED) {
			s->pc = target_of(w, in);
			break;
		}
		if (branch(w, i, pred_taken(w, in->pred, s), target_of(w, in)))
			return lane_fail(w, in, 0, ATLAS_ERR_NOMEM,
					 "out of memory");
		break;
	case OP_LOOP:
		if (do_loop(w, in, i))
			return lane_fail(w, in, 0, ATLAS_ERR_NOMEM,
					 "out of memory");
		break;
	case OP_CALL:
		if (s->depth >= ISA_MAX_CALL_DEPTH)
			return lane_fail(w, in, 0, ATLAS_ERR_EXEC,
					 "call stack overflow (max depth: %d)",
					 ISA_MAX_CALL_DEPTH);
		if (split_stack(s))
			return lane_fail(w, in, 0, ATLAS_ERR_NOMEM,
					 "out of memory");
		s->stack[s->depth++] = s->pc + 1;
		s->pc = target_of(w, in);
		break;
	case OP_RET:
		if (s->depth == 0)
			return lane_fail(w, in, 0, ATLAS_ERR_EXEC,
					 "call stack underflow: attempted "
					 "return with empty call stack");
		s->pc = s->stack[--s->depth];
		break;
	default: /* EXIT */
		split_drop(w, i);
		return 0;
	}
	if (w->nsplits > 1)
		split_merge(w, i);
	return 0;
}

/*
 * Execute the instruction at split i's pc and advance it.  One flat
 * switch on the opcode: a single indirect jump per instruction and block.
 */
static int step(struct worker *w, size_t i)
{
	struct split *s = &w->splits[i];
	const struct isa_insn *in = &w->ctx->prog->insns[s->pc];
	int rc = 0;

	switch ((enum isa_op)in->op) {
	case OP_BRA:
	case OP_CALL:
	case OP_RET:
	case OP_LOOP:
	case OP_EXIT:
		return control(w, in, i);
	case OP_LDG:
	case OP_LDS:
		rc = exec_load(w, in, s);
		break;
	case OP_STG:
	case OP_STS:
		rc = exec_store(w, in, s);
		break;
	case OP_MOV:
		exec_mov(w, in, s);
		break;
	case OP_MOV_IMM:
		reg_commit_uniform(w, in->dst, in->type, in->imm, s);
		break;
	case OP_CVT:
		exec_cvt(w, in, s);
		break;
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
	case OP_DIV:
	case OP_FLOORDIV:
	case OP_MOD:
	case OP_POW:
	case OP_MIN:
	case OP_MAX:
	case OP_AND:
	case OP_OR:
	case OP_XOR:
	case OP_SHL:
	case OP_SHR:
		rc = exec_binary(w, in, s);
		break;
	case OP_MAD:
	case OP_FMA:
		exec_ternary(w, in, s);
		break;
	case OP_ABS:
	case OP_NEG:
	case OP_NOT:
	case OP_EXP:
	case OP_LOG:
	case OP_LOG2:
	case OP_LOG10:
	case OP_SQRT:
	case OP_RSQRT:
	case OP_SIN:
	case OP_COS:
	case OP_TAN:
	case OP_TANH:
	case OP_SIGMOID:
	case OP_ERF:
	case OP_FLOOR:
	case OP_CEIL:
	case OP_ROUND:
		exec_unary(w, in, s);
		break;
	case OP_SETCC:
		exec_setcc(w, in, s);
		break;
	case OP_SEL:
		exec_sel(w, in, s);
		break;
	case OP_BAR_SYNC:
		/* Lanes of a block run in lock step, instruction by
		   instruction, so bar.sync holds within a block. */
		break;
	case OP_MEM_FENCE:
		if (in->sub >= SCOPE_DEVICE)
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		break;
	case OP_REDUCE_ADD:
	case OP_REDUCE_MIN:
	case OP_REDUCE_MAX:
	case OP_REDUCE_MUL:
		exec_reduce(w, in, s);
		break;
	case OP_POOL_ALLOC:
	case OP_POOL_FREE:
	case OP_POOL_LOAD:
	case OP_POOL_STORE:
		rc = exec_pool(w, in, s);
		break;
	case OP_ATOM_ADD:
	case OP_ATOM_MIN:
	case OP_ATOM_FETCH_ADD:
		rc = exec_atomic(w, in, s);
		break;
	case OP_PMAP:
	case OP_PMAP2:
	case OP_PREDUCE:
		rc = exec_higher(w, in, s);
		break;
	case OP_GEMM:
	case OP_GEMV:
	case OP_DOT:
		rc = exec_linalg(w, in, s);
		break;
	case OP_CLS_GET:
	case OP_MIRROR:
	case OP_UNITY_TEST:
	case OP_NBR_COUNT:
	case OP_NBR_GET:
	case OP_RES_ACCUM:
	case OP_PHASE_GET:
	case OP_PHASE_ADV:
	case OP_BOUND_MAP:
		rc = exec_atlas(w, in, s);
		break;
	default: /* the verifier lets no other opcode through */
		return lane_fail(w, in, 0, ATLAS_ERR_UNSUPPORTED,
				 "invalid opcode: %u", (unsigned)in->op);
	}
	if (rc)
		return -1;
	s = &w->splits[i];
	s->pc++;
	if (w->nsplits > 1)
		split_merge(w, i);
	return 0;
}

/* ---- block setup
 * ------------------------------------------------------------- */

static void set_uniform(struct worker *w, unsigned reg, size_t size,
			uint64_t bits)
{
	struct vreg *v = wreg(w, reg);

	v->shape = SH_UNIFORM;
	v->size = (uint8_t)size;
	v->base = bits;
	v->filled = 0;
}

/* r252 LANE_IDX_X and r253 BLOCK_IDX_X lane by lane (reference 2.6). */
static void set_coords(struct worker *w)
{
	const struct launch_ctx *c = w->ctx;
	const struct isa_facts *f = &c->prog->facts;
	uint32_t bx = c->launch->block[0], gx = c->launch->grid[0];
	uint64_t per = c->lanes_per_block;
	uint32_t *tx = NULL, *blk = NULL;

	if (f->reg_live_in[ISA_REG_LANE_IDX_X])
		tx = own_of(wreg(w, ISA_REG_LANE_IDX_X), 4);
	if (f->reg_live_in[ISA_REG_BLOCK_IDX_X])
		blk = own_of(wreg(w, ISA_REG_BLOCK_IDX_X), 4);
	if (!tx && !blk)
		return;
	for (size_t k = 0; k < w->nlanes; k++) {
		uint64_t g = w->first + k;

		if (tx)
			tx[k] = (uint32_t)((g % per) % bx);
		if (blk)
			blk[k] = (uint32_t)((g / per) % gx);
	}
	if (tx) {
		wreg(w, ISA_REG_LANE_IDX_X)->shape = SH_VARYING;
		wreg(w, ISA_REG_LANE_IDX_X)->size = 4;
		wreg(w, ISA_REG_LANE_IDX_X)->lanes = tx;
	}
	if (blk) {
		wreg(w, ISA_REG_BLOCK_IDX_X)->shape = SH_VARYING;
		wreg(w, ISA_REG_BLOCK_IDX_X)->size = 4;
		wreg(w, ISA_REG_BLOCK_IDX_X)->lanes = blk;
	}
}

static void block_setup(struct worker *w)
{
	const struct launch_ctx *c = w->ctx;
	const struct atlas_program *p = c->prog;
	const struct isa_facts *f = &p->facts;

	for (unsigned i = 0; i < f->nslots; i++) {
		w->regs[i].alias = 0;
		w->regs[i].filled = 0;
		w->regs[i].size = 8;
		w->regs[i].shape = SH_UNIFORM;
	}
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		if (f->slot_of[q->reg] == 0xffff)
			continue; /* never used */
		if (q->kind == ATLAS_PARAM_ARRAY) {
			set_uniform(w, q->reg, 8, q->handle);
		} else {
			/* Registers hold zero-extended bits: drop what the
			   caller left above the type's width. */
			size_t size = isa_size(q->type);
			uint64_t bits = c->args[i].bits;

			if (size < 8)
				bits &= ((uint64_t)1 << (8 * size)) - 1;
			set_uniform(w, q->reg, size, bits);
		}
	}
	if (f->reg_live_in[ISA_REG_GLOBAL_LANE]) {
		struct vreg *v = wreg(w, ISA_REG_GLOBAL_LANE);

		v->shape = SH_AFFINE;
		v->size = 8;
		v->base = w->first;
		v->stride = 1;
	}
	if (f->reg_live_in[ISA_REG_BLOCK_DIM_X])
		set_uniform(w, ISA_REG_BLOCK_DIM_X, 4, c->launch->block[0]);
	set_coords(w);
	for (int i = 0; i < ISA_NPREDS; i++)
		w->preds[i].uniform = 0;
}

int exec_block(struct worker *w, uint64_t first, size_t n)
{
	const struct atlas_program *p = w->ctx->prog;
	struct split *s;

	w->nlanes = n;
	w->first = first;
	w->failed = 0;
	block_setup(w);
	w->nsplits = 0;
	s = split_new(w);
	if (!s)
		return lane_fail(w, NULL, 0, ATLAS_ERR_NOMEM, "out of memory");
	s->pc = 0;
	s->depth = 0;
	s->count = (uint32_t)n;
	if (s->ones != n) {
		memset(s->mask, 1, n);
		memset(s->mask + n, 0, EXEC_B - n);
		s->ones = n;
	}
	while (w->nsplits) {
		size_t i = w->nsplits == 1 ? 0 : split_pick(w);

		if (w->splits[i].pc >= p->ninsns) {
			split_drop(w, i);
			continue;
		}
		if (step(w, i))
			return -1;
	}
	return 0;
}
