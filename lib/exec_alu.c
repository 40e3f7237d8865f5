/*
 * exec_alu.c - the block interpreter's arithmetic, logic, conversion,
 * comparison and register-reduction instructions: scalar work for uniform
 * and affine operands, vector loops (lib/ops.h) otherwise, and results
 * computed in place of the store that follows them.
 */
#include <string.h>

#include "exec.h"
#include "ops.h"

/* ---- predicates ---------------------------------------------------------- */

void pred_commit(struct worker *w, unsigned p, const uint8_t *src,
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

void pred_commit_uniform(struct worker *w, unsigned p, uint8_t v,
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

/*
 * An unsigned affine dividend (the lane id, an offset) over a uniform
 * divisor: quotient and remainder step from lane to lane without a
 * division per lane (gid // n, gid % n).  Returns 1 if handled.
 */
static int affine_idiv(struct worker *w, const struct isa_insn *in,
		       const struct split *s)
{
	enum atlas_type t = in->type;
	const struct vreg *a = wreg(w, in->src[0]), *b = wreg(w, in->src[1]);
	unsigned bits = 8 * (unsigned)isa_size(t);
	uint64_t d, q, r, dq, dr, last;
	void *out;

	if (isa_type_is_signed(t) || a->shape != SH_AFFINE ||
	    b->shape != SH_UNIFORM || b->base == 0)
		return 0;
	d = b->base;
	/* no lane may wrap around the type's width */
	if (a->stride > (UINT64_MAX - a->base) / (w->nlanes ? w->nlanes : 1))
		return 0;
	last = a->base + a->stride * (w->nlanes - 1);
	if (bits < 64 && last >> bits)
		return 0;
	q = a->base / d, r = a->base % d;
	dq = a->stride / d, dr = a->stride % d;
	out = reg_dest(w, in->dst, t, s);
	/*
	 * Between two wraps of the remainder both quotient and remainder
	 * are affine in the lane: fill each run with one vector loop.
	 */
#define AFFINE_IDIV_LOOP(T)                                                    \
	do {                                                                   \
		T *o = out;                                                    \
		for (size_t k = 0; k < w->nlanes;) {                           \
			size_t run = w->nlanes - k;                            \
			uint64_t v0 = in->op == OP_MOD ? r : q;                \
			uint64_t step = in->op == OP_MOD ? dr : dq;            \
			if (dr && (d - r + dr - 1) / dr < run)                 \
				run = (size_t)((d - r + dr - 1) / dr);         \
			for (size_t j = 0; j < run; j++)                       \
				o[k + j] = (T)(v0 + j * step);                 \
			k += run;                                              \
			q += run * dq;                                         \
			r += run * dr;                                         \
			if (r >= d) {                                          \
				r -= d;                                        \
				q++;                                           \
			}                                                      \
		}                                                              \
	} while (0)
	switch (bits) {
	case 8:
		AFFINE_IDIV_LOOP(uint8_t);
		break;
	case 16:
		AFFINE_IDIV_LOOP(uint16_t);
		break;
	case 32:
		AFFINE_IDIV_LOOP(uint32_t);
		break;
	default:
		AFFINE_IDIV_LOOP(uint64_t);
		break;
	}
#undef AFFINE_IDIV_LOOP
	reg_commit(w, in->dst, t, out, s);
	return 1;
}

static int do_idiv(struct worker *w, const struct isa_insn *in,
		   const struct split *s)
{
	enum atlas_type t = in->type;
	const void *a, *b;
	size_t bad;

	if (affine_idiv(w, in, s))
		return 0;

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

int exec_binary(struct worker *w, const struct isa_insn *in,
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

void exec_ternary(struct worker *w, const struct isa_insn *in,
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
		return;
	}
	d = result_dest(w, in, s);
	a = reg_lanes(w, in->src[0], t);
	b = reg_lanes(w, in->src[1], t);
	c = reg_lanes(w, in->src[2], t);
	fn(d, a, b, c, w->nlanes);
	result_commit(w, in, d, s);
}

void exec_mov(struct worker *w, const struct isa_insn *in,
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

void exec_unary(struct worker *w, const struct isa_insn *in,
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

void exec_cvt(struct worker *w, const struct isa_insn *in,
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

void exec_setcc(struct worker *w, const struct isa_insn *in,
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

void exec_sel(struct worker *w, const struct isa_insn *in,
	      const struct split *s)
{
	const struct vpred *p = &w->preds[in->pred];
	enum atlas_type t = in->type;
	const void *a, *b;
	void *d;

	if (p->uniform) {
		struct isa_insn mov = *in;

		mov.src[0] = p->value ? in->src[0] : in->src[1];
		exec_mov(w, &mov, s);
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
void exec_reduce(struct worker *w, const struct isa_insn *in,
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
