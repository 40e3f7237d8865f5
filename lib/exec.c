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

static void pred_commit(struct worker *w, unsigned p, const uint8_t *src,
			const struct split *s)
{
	struct vpred *q = &w->preds[p];

	if (s->count == w->nlanes) {
		if (src != q->lanes)
			memcpy(q->lanes, src, w->nlanes);
		q->uniform = 0;
		return;
	}
	if (q->uniform)
		memset(q->lanes, q->value, w->nlanes);
	q->uniform = 0;
	ops_blend(q->lanes, src, s->mask, w->nlanes, 1);
}

static void pred_commit_uniform(struct worker *w, unsigned p, uint8_t v,
				const struct split *s)
{
	struct vpred *q = &w->preds[p];

	if (s->count == w->nlanes) {
		q->uniform = 1;
		q->value = v;
		return;
	}
	memset(w->tmask, v, w->nlanes);
	pred_commit(w, p, w->tmask, s);
}

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

/* ---- results ------------------------------------------------------------ */

/*
 * Where a result for in->dst should be computed.  When every lane is
 * written and the next instruction stores exactly this register to a
 * contiguous range, compute straight into the buffer and let the register
 * view it: the store then has nothing to copy.  Otherwise reg_dest.
 */
static void *result_dest(struct worker *w, const struct isa_insn *in,
			 const struct split *s)
{
	const struct atlas_program *p = w->ctx->prog;
	const struct isa_insn *st = in + 1;
	size_t size = isa_size(in->type);
	unsigned h;
	uint64_t off;
	uint8_t *q;

	w->fwd = NULL;
	if (s->count != w->nlanes || (size_t)(st - p->insns) >= p->ninsns ||
	    (st->op != OP_STG && st->op != OP_STS) || st->src[0] != in->dst ||
	    isa_size(st->type) != size || st->addr.mode != ADDR_REGREG ||
	    st->addr.base == in->dst || st->addr.index == in->dst)
		return reg_dest(w, in->dst, in->type, s);
	q = exec_span(w, &st->addr, size, &h, &off);
	if (!q || (uintptr_t)q % size)
		return reg_dest(w, in->dst, in->type, s);
	/* registers viewing that range keep their values */
	regs_unalias(w, h, off, off + w->nlanes * size);
	w->fwd = q;
	w->fwd_handle = h;
	w->fwd_off = off;
	return q;
}

/* Commit a result computed where result_dest said. */
static void result_commit(struct worker *w, const struct isa_insn *in, void *d,
			  const struct split *s)
{
	struct vreg *v;

	if (d != w->fwd || !d) {
		reg_commit(w, in->dst, in->type, d, s);
		return;
	}
	v = wreg(w, in->dst);
	v->shape = SH_VARYING;
	v->size = (uint8_t)isa_size(in->type);
	v->lanes = d;
	v->alias = 1;
	v->alias_handle = (uint16_t)w->fwd_handle;
	v->alias_lo = w->fwd_off;
	v->alias_hi = w->fwd_off + w->nlanes * isa_size(in->type);
}

/* ---- arithmetic -----------------------------------------------------------
 */

static int uni(struct worker *w, unsigned reg)
{
	return wreg(w, reg)->shape == SH_UNIFORM;
}

/* base and stride of a uniform or affine register (uniform: stride 0). */
static int affine_of(struct worker *w, unsigned reg, uint64_t *base,
		     uint64_t *stride)
{
	const struct vreg *v = wreg(w, reg);

	if (v->shape == SH_VARYING)
		return 0;
	*base = v->base;
	*stride = v->shape == SH_AFFINE ? v->stride : 0;
	return 1;
}

/*
 * Integer ADD/SUB/MUL/SHL on uniform and affine operands stay affine:
 * one scalar operation per block.  Returns 1 if handled.
 */
static int affine_binary(struct worker *w, const struct isa_insn *in,
			 const struct split *s)
{
	uint64_t ab, as, bb, bs, base, stride;
	unsigned bits = 8 * (unsigned)isa_size(in->type);

	if (!affine_of(w, in->src[0], &ab, &as) ||
	    !affine_of(w, in->src[1], &bb, &bs) || (as == 0 && bs == 0))
		return 0;
	switch (in->op) {
	case OP_ADD:
		base = ab + bb, stride = as + bs;
		break;
	case OP_SUB:
		base = ab - bb, stride = as - bs;
		break;
	case OP_MUL:
		if (as && bs)
			return 0;
		base = ab * bb, stride = as * bb + bs * ab;
		break;
	case OP_SHL:
		if (bs)
			return 0;
		base = ab << (bb % bits), stride = as << (bb % bits);
		break;
	default:
		return 0;
	}
	reg_commit_affine(w, in->dst, in->type, base, stride, s);
	return 1;
}

static int do_idiv(struct worker *w, const struct isa_insn *in,
		   const struct split *s)
{
	enum atlas_type t = in->type;
	const void *a, *b;
	size_t bad;

	if (uni(w, in->src[0]) && uni(w, in->src[1])) {
		uint64_t r = 0;

		if (wreg(w, in->src[1])->base == 0)
			return lane_fail(w, in, 0, ATLAS_ERR_EXEC,
					 "division by zero");
		ops_idiv_op((enum isa_op)in->op, t, &r,
			    &wreg(w, in->src[0])->base,
			    &wreg(w, in->src[1])->base, NULL, 1);
		reg_commit_uniform(w, in->dst, t, r, s);
		return 0;
	}
	a = reg_lanes(w, in->src[0], t);
	b = reg_lanes(w, in->src[1], t);
	/* ops_idiv leaves inactive lanes alone, so it can write the
	   register in place once it holds every lane's old value. */
	if (s->count == w->nlanes) {
		void *dst = w->scratch[0];

		bad = ops_idiv_op((enum isa_op)in->op, t, dst, a, b, NULL,
				  w->nlanes);
		if (bad == w->nlanes)
			reg_commit(w, in->dst, t, dst, s);
	} else {
		memcpy(w->scratch[0], reg_lanes(w, in->dst, t),
		       w->nlanes * isa_size(t));
		bad = ops_idiv_op((enum isa_op)in->op, t, w->scratch[0], a, b,
				  s->mask, w->nlanes);
		if (bad == w->nlanes)
			reg_commit(w, in->dst, t, w->scratch[0], s);
	}
	if (bad != w->nlanes)
		return lane_fail(w, in, bad, ATLAS_ERR_EXEC,
				 "division by zero");
	return 0;
}

static int do_binary(struct worker *w, const struct isa_insn *in,
		     const struct split *s)
{
	enum atlas_type t = in->type;
	enum atlas_type tb = in->op == OP_SHL || in->op == OP_SHR ? ATLAS_U32 :
								    t;
	ops_bin_fn fn;
	const void *a, *b;
	void *d;

	if ((in->op == OP_DIV || in->op == OP_FLOORDIV || in->op == OP_MOD) &&
	    isa_type_is_int(t))
		return do_idiv(w, in, s);
	if (isa_type_is_int(t) && affine_binary(w, in, s))
		return 0;
	fn = ops_binary((enum isa_op)in->op, t);
	if (uni(w, in->src[0]) && uni(w, in->src[1])) {
		uint64_t r = 0;

		fn(&r, &wreg(w, in->src[0])->base, &wreg(w, in->src[1])->base,
		   1);
		reg_commit_uniform(w, in->dst, t, r, s);
		return 0;
	}
	d = result_dest(w, in, s);
	/* a u32 shift amount written in place as a wider type would be
	   overwritten before it is read */
	if (tb != t && in->dst == in->src[1] && d != w->fwd)
		d = w->scratch[0];
	a = reg_lanes(w, in->src[0], t);
	b = reg_lanes(w, in->src[1], tb);
	fn(d, a, b, w->nlanes);
	result_commit(w, in, d, s);
	return 0;
}

static int do_ternary(struct worker *w, const struct isa_insn *in,
		      const struct split *s)
{
	enum atlas_type t = in->type;
	ops_tern_fn fn = ops_ternary((enum isa_op)in->op, t);
	const void *a, *b, *c;
	void *d;

	if (uni(w, in->src[0]) && uni(w, in->src[1]) && uni(w, in->src[2])) {
		uint64_t r = 0;

		fn(&r, &wreg(w, in->src[0])->base, &wreg(w, in->src[1])->base,
		   &wreg(w, in->src[2])->base, 1);
		reg_commit_uniform(w, in->dst, t, r, s);
		return 0;
	}
	d = result_dest(w, in, s);
	a = reg_lanes(w, in->src[0], t);
	b = reg_lanes(w, in->src[1], t);
	c = reg_lanes(w, in->src[2], t);
	fn(d, a, b, c, w->nlanes);
	result_commit(w, in, d, s);
	return 0;
}

static void do_mov(struct worker *w, const struct isa_insn *in,
		   const struct split *s)
{
	enum atlas_type t = in->type;
	struct vreg *src = wreg(w, in->src[0]), *dst = wreg(w, in->dst);
	size_t size = isa_size(t);

	if (in->src[0] == in->dst)
		return;
	switch (src->shape) {
	case SH_UNIFORM:
		reg_commit_uniform(w, in->dst, t, src->base, s);
		return;
	case SH_AFFINE:
		reg_commit_affine(w, in->dst, t, src->base, src->stride, s);
		return;
	default:
		if (src->alias && src->size == size && s->count == w->nlanes) {
			/* share the view of the buffer: no copy */
			dst->shape = SH_VARYING;
			dst->size = src->size;
			dst->lanes = src->lanes;
			dst->alias = 1;
			dst->alias_handle = src->alias_handle;
			dst->alias_lo = src->alias_lo;
			dst->alias_hi = src->alias_hi;
			return;
		}
		reg_commit(w, in->dst, t, reg_lanes(w, in->src[0], t), s);
		return;
	}
}

static void do_unary(struct worker *w, const struct isa_insn *in,
		     const struct split *s)
{
	enum atlas_type t = in->type;
	ops_un_fn fn = ops_unary((enum isa_op)in->op, t);
	const void *a;
	void *d;

	if (uni(w, in->src[0])) {
		uint64_t r = 0;

		fn(&r, &wreg(w, in->src[0])->base, 1);
		reg_commit_uniform(w, in->dst, t, r, s);
		return;
	}
	d = result_dest(w, in, s);
	a = reg_lanes(w, in->src[0], t);
	fn(d, a, w->nlanes);
	result_commit(w, in, d, s);
}

/*
 * Integer-to-integer conversion of an affine register: it stays affine
 * when no lane's value wraps around in the source width.
 */
static int affine_cvt(struct worker *w, const struct isa_insn *in,
		      const struct split *s)
{
	enum atlas_type to = in->type, from = in->type2;
	const struct vreg *v = wreg(w, in->src[0]);
	unsigned fb = 8 * (unsigned)isa_size(from);
	unsigned tb = 8 * (unsigned)isa_size(to);
	int64_t base, stride;
	__int128 last, lo, hi;

	if (v->shape != SH_AFFINE || !isa_type_is_int(to) ||
	    !isa_type_is_int(from))
		return 0;
	if (tb <= fb) {
		reg_commit_affine(w, in->dst, to, v->base, v->stride, s);
		return 1;
	}
	/* Widening: sign-extend the stride, the base as the source type. */
	stride = fb == 64 ? (int64_t)v->stride :
			    (int64_t)(v->stride << (64 - fb)) >> (64 - fb);
	if (isa_type_is_signed(from)) {
		base = (int64_t)(v->base << (64 - fb)) >> (64 - fb);
		lo = -((__int128)1 << (fb - 1));
		hi = ((__int128)1 << (fb - 1)) - 1;
	} else {
		base = (int64_t)v->base;
		lo = 0;
		hi = ((__int128)1 << fb) - 1;
	}
	last = (__int128)base + (__int128)stride * (__int128)(w->nlanes - 1);
	if (last < lo || last > hi)
		return 0;
	reg_commit_affine(w, in->dst, to, (uint64_t)base, (uint64_t)stride, s);
	return 1;
}

static void do_cvt(struct worker *w, const struct isa_insn *in,
		   const struct split *s)
{
	ops_un_fn fn = ops_convert((enum atlas_type)in->type,
				   (enum atlas_type)in->type2);
	const void *a;
	void *d;

	if (uni(w, in->src[0])) {
		uint64_t r = 0;

		fn(&r, &wreg(w, in->src[0])->base, 1);
		reg_commit_uniform(w, in->dst, in->type, r, s);
		return;
	}
	if (affine_cvt(w, in, s))
		return;
	a = reg_lanes(w, in->src[0], in->type2);
	/* in place, a conversion between types of different sizes would
	   overwrite lanes before reading them */
	d = in->dst == in->src[0] ? w->scratch[0] :
				    reg_dest(w, in->dst, in->type, s);
	fn(d, a, w->nlanes);
	reg_commit(w, in->dst, in->type, d, s);
}

/*
 * The exact value of lane k of an affine register of integer type t, as
 * a 128-bit integer (for checks that no lane wraps around).
 */
static __int128 affine_exact(const struct vreg *v, enum atlas_type t, size_t k)
{
	unsigned bits = 8 * (unsigned)isa_size(t);
	int64_t stride = bits == 64 ? (int64_t)v->stride :
				      (int64_t)(v->stride << (64 - bits)) >>
					      (64 - bits);
	__int128 base =
		isa_type_is_signed(t) ?
			(bits == 64 ?
				 (__int128)(int64_t)v->base :
				 (__int128)((int64_t)(v->base << (64 - bits)) >>
					    (64 - bits))) :
			(__int128)v->base;

	return base + (__int128)stride * (__int128)k;
}

/*
 * An ordering comparison of an affine register with a uniform one (the
 * lane-count guard `gid < n`) has one result for the whole block when the
 * lanes' values do not wrap and the first and last lanes agree: the
 * sequence is monotonic.  Returns 1 if the predicate was set that way.
 */
static int affine_setcc(struct worker *w, const struct isa_insn *in,
			const struct split *s, ops_cmp_fn fn)
{
	const struct vreg *a = wreg(w, in->src[0]), *b = wreg(w, in->src[1]);
	const struct vreg *v = a->shape == SH_AFFINE ? a : b;
	enum atlas_type t = in->type;
	unsigned bits = 8 * (unsigned)isa_size(t);
	__int128 lo, hi, last;
	uint64_t first_bits, last_bits, m;
	uint8_t r0 = 0, r1 = 0;

	if (in->sub == COND_EQ || in->sub == COND_NE || !isa_type_is_int(t) ||
	    !((a->shape == SH_AFFINE && b->shape == SH_UNIFORM) ||
	      (b->shape == SH_AFFINE && a->shape == SH_UNIFORM)))
		return 0;
	lo = isa_type_is_signed(t) ? -((__int128)1 << (bits - 1)) : 0;
	hi = isa_type_is_signed(t) ? ((__int128)1 << (bits - 1)) - 1 :
				     ((__int128)1 << bits) - 1;
	last = affine_exact(v, t, w->nlanes - 1);
	if (last < lo || last > hi)
		return 0;
	m = bits == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
	first_bits = v->base & m;
	last_bits = (uint64_t)last & m;
	if (v == a) {
		fn(&r0, &first_bits, &b->base, 1);
		fn(&r1, &last_bits, &b->base, 1);
	} else {
		fn(&r0, &a->base, &first_bits, 1);
		fn(&r1, &a->base, &last_bits, 1);
	}
	if (r0 != r1)
		return 0;
	pred_commit_uniform(w, in->dst, r0, s);
	return 1;
}

static void do_setcc(struct worker *w, const struct isa_insn *in,
		     const struct split *s)
{
	ops_cmp_fn fn = ops_compare((enum isa_cond)in->sub, in->type);
	const void *a, *b;
	uint8_t *d;

	if (affine_setcc(w, in, s, fn))
		return;
	if (uni(w, in->src[0]) && uni(w, in->src[1])) {
		uint8_t r = 0;

		fn(&r, &wreg(w, in->src[0])->base, &wreg(w, in->src[1])->base,
		   1);
		pred_commit_uniform(w, in->dst, r, s);
		return;
	}
	a = reg_lanes(w, in->src[0], in->type);
	b = reg_lanes(w, in->src[1], in->type);
	d = s->count == w->nlanes ? w->preds[in->dst].lanes :
				    (uint8_t *)w->scratch[0];
	fn(d, a, b, w->nlanes);
	pred_commit(w, in->dst, d, s);
}

static void do_sel(struct worker *w, const struct isa_insn *in,
		   const struct split *s)
{
	const struct vpred *p = &w->preds[in->pred];
	enum atlas_type t = in->type;
	const void *a, *b;
	void *d;

	if (p->uniform) {
		struct isa_insn mov = *in;

		mov.src[0] = p->value ? in->src[0] : in->src[1];
		do_mov(w, &mov, s);
		return;
	}
	a = reg_lanes(w, in->src[0], t);
	b = reg_lanes(w, in->src[1], t);
	d = reg_dest(w, in->dst, t, s);
	ops_select(d, p->lanes, a, b, w->nlanes, isa_size(t));
	reg_commit(w, in->dst, t, d, s);
}

static enum isa_op reduce_op(enum isa_op op)
{
	switch (op) {
	case OP_REDUCE_ADD:
		return OP_ADD;
	case OP_REDUCE_MUL:
		return OP_MUL;
	case OP_REDUCE_MIN:
		return OP_MIN;
	default:
		return OP_MAX;
	}
}

/* REDUCE over the registers base .. base+count-1, lane by lane. */
static void do_reduce(struct worker *w, const struct isa_insn *in,
		      const struct split *s)
{
	enum atlas_type t = in->type;
	ops_bin_fn fn = ops_binary(reduce_op((enum isa_op)in->op), t);
	uint64_t acc = ops_identity((enum isa_op)in->op, t);
	size_t size = isa_size(t);
	unsigned k = 0, count = (unsigned)in->imm;
	void *d;

	/* uniform prefix: scalar */
	for (; k < count && uni(w, in->src[0] + k); k++)
		fn(&acc, &acc, &wreg(w, in->src[0] + k)->base, 1);
	if (k == count) {
		reg_commit_uniform(w, in->dst, t, acc, s);
		return;
	}
	d = w->scratch[1];
	ops_broadcast(d, &acc, w->nlanes, size);
	for (; k < count; k++)
		fn(d, d, reg_lanes(w, in->src[0] + k, t), w->nlanes);
	reg_commit(w, in->dst, t, d, s);
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
		do_mov(w, in, s);
		break;
	case OP_MOV_IMM:
		reg_commit_uniform(w, in->dst, in->type, in->imm, s);
		break;
	case OP_CVT:
		do_cvt(w, in, s);
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
		rc = do_binary(w, in, s);
		break;
	case OP_MAD:
	case OP_FMA:
		do_ternary(w, in, s);
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
		do_unary(w, in, s);
		break;
	case OP_SETCC:
		do_setcc(w, in, s);
		break;
	case OP_SEL:
		do_sel(w, in, s);
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
		do_reduce(w, in, s);
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
	default:
		return lane_fail(w, in, 0, ATLAS_ERR_UNSUPPORTED,
				 "unsupported instruction: %s",
				 isa_op_table[in->op].mnemonic);
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
