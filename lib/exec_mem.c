/*
 * exec_mem.c - memory instructions of the block interpreter: loads and
 * stores through the address modes, atomics, kernel pools and the
 * high-order ParallelMap / MapBinary / Reduce.  Every access is checked
 * against the buffer's window; the first failing lane aborts the launch.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "ops.h"

/* Resolve (handle, byte offset) for size bytes to a pointer, or fail. */
/* The name of the array parameter with buffer handle h. */
static const char *array_name(const struct atlas_program *p, uint64_t h)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (p->params[i].kind == ATLAS_PARAM_ARRAY &&
		    p->params[i].handle == h)
			return p->params[i].name;
	return "?";
}

static int resolve(struct worker *w, const struct isa_insn *in, size_t lane,
		   uint64_t h, uint64_t off, uint64_t size, uint8_t **ptr)
{
	const struct launch_ctx *c = w->ctx;
	const struct atlas_view *v;

	/* handle 0 is the boundary pool, when the run has one */
	if (h >= c->nviews || (h == 0 && !c->views[0].data))
		return lane_fail(w, in, lane, ATLAS_ERR_EXEC,
				 "invalid buffer handle: %" PRIu64, h);
	v = &c->views[h];
	if (off < v->base || off - v->base > v->size ||
	    size > v->size - (off - v->base)) {
		if (v->window)
			return lane_fail(w, in, lane, ATLAS_ERR_EXEC,
					 "array '%s' accessed outside its "
					 "chunk: offset %" PRIu64
					 " + size %" PRIu64
					 " not within [%" PRIu64 ", %" PRIu64
					 ") (a streamed array may touch only "
					 "its own lanes' elements)",
					 array_name(c->prog, h), off, size,
					 v->base, v->base + v->size);
		if (v->base == 0)
			return lane_fail(w, in, lane, ATLAS_ERR_EXEC,
					 "buffer access out of bounds: offset "
					 "%" PRIu64 " + size %" PRIu64
					 " > buffer size %" PRIu64,
					 off, size, v->size);
		return lane_fail(w, in, lane, ATLAS_ERR_EXEC,
				 "buffer access out of bounds: offset %" PRIu64
				 " + size %" PRIu64
				 " outside the window [%" PRIu64 ", %" PRIu64
				 ")",
				 off, size, v->base, v->base + v->size);
	}
	*ptr = (uint8_t *)v->data + (off - v->base);
	return 0;
}

int exec_resolve(struct worker *w, const struct isa_insn *in, size_t lane,
		 uint64_t h, uint64_t off, uint64_t size, uint8_t **ptr)
{
	return resolve(w, in, lane, h, off, size, ptr);
}

/* The handle and offset of lane k's address. */
static void lane_addr(struct worker *w, const struct isa_addr *a, size_t k,
		      uint64_t *h, uint64_t *off)
{
	switch (a->mode) {
	case ADDR_BUF:
		*h = a->handle;
		*off = (uint64_t)a->offset;
		break;
	case ADDR_PHI:
		*h = 0;
		*off = (uint64_t)a->cls * ATLAS_CLASS_BYTES +
		       (uint64_t)a->page * ATLAS_PAGE_BYTES + a->byte;
		break;
	case ADDR_REG:
		*h = reg_lane_value(w, a->base, ATLAS_U64, k);
		*off = (uint64_t)a->offset;
		break;
	default:
		*h = reg_lane_value(w, a->base, ATLAS_U64, k);
		*off = reg_lane_value(w, a->index, ATLAS_U64, k);
		break;
	}
}

/* Is the address the same in every lane?  Then set *h, *off. */
static int addr_uniform(struct worker *w, const struct isa_addr *a, uint64_t *h,
			uint64_t *off)
{
	if (a->mode != ADDR_BUF && a->mode != ADDR_PHI &&
	    wreg(w, a->base)->shape != SH_UNIFORM)
		return 0;
	if (a->mode == ADDR_REGREG && wreg(w, a->index)->shape != SH_UNIFORM)
		return 0;
	lane_addr(w, a, 0, h, off);
	return 1;
}

uint8_t *exec_span(struct worker *w, const struct isa_addr *a, uint64_t size,
		   unsigned *handle, uint64_t *off)
{
	const struct vreg *o;
	const struct atlas_view *v;
	uint64_t h, len = w->nlanes * size;

	if (a->mode != ADDR_REGREG || wreg(w, a->base)->shape != SH_UNIFORM)
		return NULL;
	o = wreg(w, a->index);
	if (o->shape != SH_AFFINE || o->stride != size)
		return NULL;
	h = wreg(w, a->base)->base;
	if (h >= w->ctx->nviews || (h == 0 && !w->ctx->views[0].data))
		return NULL;
	v = &w->ctx->views[h];
	*handle = (unsigned)h;
	*off = o->base;
	if (o->base < v->base || o->base - v->base > v->size ||
	    len > v->size - (o->base - v->base))
		return NULL;
	return (uint8_t *)v->data + (o->base - v->base);
}

/*
 * The byte range [*lo, *hi) that the active lanes of an [rH + rO] address
 * with a uniform handle touch, and the view it must lie in; 0 if the
 * address is not of that form or the range is not inside the view (the
 * caller then goes lane by lane and reports the first failing lane).
 */
static const struct atlas_view *scattered(struct worker *w,
					  const struct isa_addr *a,
					  const uint8_t *mask, uint64_t size,
					  const uint64_t **offs)
{
	const struct atlas_view *v;
	uint64_t h, lo = UINT64_MAX, hi = 0;
	const uint64_t *o;

	if (a->mode != ADDR_REGREG || wreg(w, a->base)->shape != SH_UNIFORM)
		return NULL;
	h = wreg(w, a->base)->base;
	if (h >= w->ctx->nviews || (h == 0 && !w->ctx->views[0].data))
		return NULL;
	v = &w->ctx->views[h];
	o = reg_lanes(w, a->index, ATLAS_U64);
	for (size_t k = 0; k < w->nlanes; k++) {
		uint64_t x = mask && !mask[k] ? lo : o[k];
		uint64_t y = mask && !mask[k] ? hi : o[k];

		lo = x < lo ? x : lo;
		hi = y > hi ? y : hi;
	}
	if (lo == UINT64_MAX && hi == 0)
		return v; /* no active lane */
	if (lo < v->base || hi - v->base > v->size ||
	    size > v->size - (hi - v->base))
		return NULL;
	*offs = o;
	return v;
}

/* Load lane values of size bytes from scattered offsets of one buffer. */
static int gather(struct worker *w, const struct isa_addr *a,
		  const uint8_t *mask, uint64_t size, uint8_t *d)
{
	const uint64_t *o = NULL;
	const struct atlas_view *v = scattered(w, a, mask, size, &o);
	const uint8_t *base;

	if (!v)
		return 0;
	if (!o)
		return 1;
	base = v->data;
	for (size_t k = 0; k < w->nlanes; k++) {
		if (mask && !mask[k])
			continue;
		switch (size) {
		case 1:
			d[k] = base[o[k] - v->base];
			break;
		case 2:
			memcpy(d + 2 * k, base + (o[k] - v->base), 2);
			break;
		case 4:
			memcpy(d + 4 * k, base + (o[k] - v->base), 4);
			break;
		default:
			memcpy(d + 8 * k, base + (o[k] - v->base), 8);
			break;
		}
	}
	return 1;
}

static const uint8_t *first_lane_mask(const struct worker *w,
				      const struct split *s)
{
	return s->count == w->nlanes ? NULL : s->mask;
}

int exec_load(struct worker *w, const struct isa_insn *in,
	      const struct split *s)
{
	enum atlas_type t = in->type;
	uint64_t size = isa_size(t), h, off;
	const uint8_t *mask = first_lane_mask(w, s);
	uint8_t *p = NULL, *d;
	unsigned hv;

	if (addr_uniform(w, &in->addr, &h, &off)) {
		uint64_t bits = 0;

		if (resolve(w, in, 0, h, off, size, &p))
			return -1;
		memcpy(&bits, p, size);
		reg_commit_uniform(w, in->dst, t, bits, s);
		return 0;
	}
	if (!mask && (p = exec_span(w, &in->addr, size, &hv, &off))) {
		struct vreg *r = wreg(w, in->dst);
		uint64_t len = w->nlanes * size;

		r->shape = SH_VARYING;
		r->size = (uint8_t)size;
		if ((uintptr_t)p % size == 0) {
			/* zero copy: the register views the buffer */
			r->lanes = p;
			r->alias = 1;
			r->alias_handle = (uint16_t)hv;
			r->alias_lo = off;
			r->alias_hi = off + len;
			return 0;
		}
		memcpy(own_of(r, size), p, len);
		r->lanes = own_of(r, size);
		r->alias = 0;
		return 0;
	}
	/* scattered lanes of one buffer: one range check, then a gather */
	d = reg_dest(w, in->dst, t, s);
	if (gather(w, &in->addr, mask, size, d)) {
		reg_commit(w, in->dst, t, d, s);
		return 0;
	}
	/* a lane out of range, or handles that differ: lane by lane */
	for (size_t k = 0; k < w->nlanes; k++) {
		if (mask && !mask[k])
			continue;
		lane_addr(w, &in->addr, k, &h, &off);
		if (resolve(w, in, k, h, off, size, &p))
			return -1;
		memcpy(d + k * size, p, size);
	}
	reg_commit(w, in->dst, t, d, s);
	return 0;
}

int exec_store(struct worker *w, const struct isa_insn *in,
	       const struct split *s)
{
	enum atlas_type t = in->type;
	uint64_t size = isa_size(t), h, off, last_h = UINT64_MAX;
	const uint8_t *mask = first_lane_mask(w, s);
	const uint8_t *val;
	uint8_t *p = NULL;
	unsigned hv;

	if (!mask && (p = exec_span(w, &in->addr, size, &hv, &off))) {
		struct vreg *v = wreg(w, in->src[0]);
		uint64_t len = w->nlanes * size;

		/* already there: the value was computed in place (exec.c) */
		if (v->shape == SH_VARYING && v->lanes == p)
			return 0;
		regs_unalias(w, hv, off, off + len);
		memcpy(p, reg_lanes(w, in->src[0], t), len);
		return 0;
	}
	val = reg_lanes(w, in->src[0], t);
	for (size_t k = 0; k < w->nlanes; k++) {
		if (mask && !mask[k])
			continue;
		lane_addr(w, &in->addr, k, &h, &off);
		if (resolve(w, in, k, h, off, size, &p))
			return -1;
		if (h != last_h) {
			regs_unalias(w, (unsigned)h, 0, UINT64_MAX);
			last_h = h;
			/* src may have viewed this buffer: read its copy, not
			   what the lanes before this one stored */
			val = reg_lanes(w, in->src[0], t);
		}
		memcpy(p, val + k * size, size);
	}
	return 0;
}

int exec_atomic(struct worker *w, const struct isa_insn *in,
		const struct split *s)
{
	enum atlas_type t = in->type;
	uint64_t size = isa_size(t), h, off, last_h = UINT64_MAX;
	ops_bin_fn fn = ops_binary(in->op == OP_ATOM_MIN ? OP_MIN : OP_ADD, t);
	struct launch_ctx *c = w->ctx;
	uint8_t *old = in->op == OP_ATOM_FETCH_ADD ? w->scratch[1] : NULL;
	int rc = 0;

	/* Lanes apply their updates in lane order, one instruction of a
	   block at a time under the launch lock: integer results do not
	   depend on the order, and float atomics make the engine run the
	   launch on one thread (see engine.c), so the order is fixed. */
	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < w->nlanes && rc == 0; k++) {
		uint64_t cur = 0, v;
		uint8_t *p = NULL;

		if (!s->mask[k])
			continue;
		lane_addr(w, &in->addr, k, &h, &off);
		if (resolve(w, in, k, h, off, size, &p)) {
			rc = -1;
			break;
		}
		if (h != last_h) {
			regs_unalias(w, (unsigned)h, 0, UINT64_MAX);
			last_h = h;
		}
		v = reg_lane_value(w, in->src[0], t, k);
		memcpy(&cur, p, size);
		if (old)
			memcpy(old + k * size, &cur, size);
		fn(&cur, &cur, &v, 1);
		memcpy(p, &cur, size);
	}
	pthread_mutex_unlock(&c->lock);
	if (rc == 0 && old)
		reg_commit(w, in->dst, t, old, s);
	return rc;
}

/* ---- kernel pools -----------------------------------------------------------
 */

/* Caller holds the lock. */
static int pool_get(struct worker *w, const struct isa_insn *in, size_t k,
		    uint64_t id, struct kpool **out)
{
	struct launch_ctx *c = w->ctx;

	if (id == 0 || id > c->npools || !c->pools[id - 1].live)
		return lane_fail(w, in, k, ATLAS_ERR_EXEC,
				 "invalid pool handle: %" PRIu64, id);
	*out = &c->pools[id - 1];
	return 0;
}

static int pool_alloc(struct worker *w, const struct isa_insn *in, size_t k,
		      uint64_t *id)
{
	struct launch_ctx *c = w->ctx;
	uint64_t size = in->imm;
	struct kpool *q;

	if (size > c->pool_limit || c->pool_bytes > c->pool_limit - size)
		return lane_fail(w, in, k, ATLAS_ERR_LIMIT,
				 "pool allocation of %" PRIu64
				 " bytes exceeds the limit of %" PRIu64
				 " bytes",
				 size, c->pool_limit);
	if (c->npools == c->pools_cap) {
		size_t cap = c->pools_cap ? c->pools_cap * 2 : 16;

		q = realloc(c->pools, cap * sizeof *q);
		if (!q)
			return lane_fail(w, in, k, ATLAS_ERR_NOMEM,
					 "out of memory");
		c->pools = q;
		c->pools_cap = cap;
	}
	q = &c->pools[c->npools];
	q->data = calloc(1, size ? size : 1);
	if (!q->data)
		return lane_fail(w, in, k, ATLAS_ERR_NOMEM, "out of memory");
	q->size = size;
	q->live = 1;
	c->pool_bytes += size;
	*id = ++c->npools;
	return 0;
}

static int pool_lane(struct worker *w, const struct isa_insn *in, size_t k,
		     uint8_t *out)
{
	struct launch_ctx *c = w->ctx;
	uint64_t size = isa_size(in->type);
	struct kpool *q = NULL;
	uint64_t id = 0, off, v;

	switch (in->op) {
	case OP_POOL_ALLOC:
		if (pool_alloc(w, in, k, &id))
			return -1;
		memcpy(out + k * 8, &id, 8);
		return 0;
	case OP_POOL_FREE:
		id = reg_lane_value(w, in->src[0], ATLAS_U64, k);
		if (pool_get(w, in, k, id, &q))
			return -1;
		free(q->data);
		q->data = NULL;
		q->live = 0;
		c->pool_bytes -= q->size;
		return 0;
	default:
		id = reg_lane_value(w, in->src[0], ATLAS_U64, k);
		off = reg_lane_value(w, in->src[1], ATLAS_U64, k);
		if (pool_get(w, in, k, id, &q))
			return -1;
		if (off > q->size || size > q->size - off)
			return lane_fail(w, in, k, ATLAS_ERR_EXEC,
					 "pool access out of bounds: offset "
					 "%" PRIu64 " + size %" PRIu64
					 " > pool size %" PRIu64,
					 off, size, q->size);
		if (in->op == OP_POOL_LOAD) {
			memcpy(out + k * size, q->data + off, size);
		} else {
			v = reg_lane_value(w, in->src[2], in->type, k);
			memcpy(q->data + off, &v, size);
		}
		return 0;
	}
}

int exec_pool(struct worker *w, const struct isa_insn *in,
	      const struct split *s)
{
	struct launch_ctx *c = w->ctx;
	uint8_t *out = w->scratch[1];
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < w->nlanes && rc == 0; k++)
		if (s->mask[k])
			rc = pool_lane(w, in, k, out);
	pthread_mutex_unlock(&c->lock);
	if (rc)
		return -1;
	if (in->op == OP_POOL_ALLOC)
		reg_commit(w, in->dst, ATLAS_U64, out, s);
	else if (in->op == OP_POOL_LOAD)
		reg_commit(w, in->dst, in->type, out, s);
	return 0;
}

/* ---- high-order operations ------------------------------------------------
 */

/* A whole-array operand of n elements from offset 0 of handle h. */
static int array_at(struct worker *w, const struct isa_insn *in, size_t k,
		    unsigned reg, uint64_t n, uint64_t size, uint8_t **p)
{
	uint64_t h = reg_lane_value(w, reg, ATLAS_U64, k);

	if (n > UINT64_MAX / size)
		return lane_fail(w, in, k, ATLAS_ERR_EXEC,
				 "buffer access out of bounds: offset 0 + "
				 "size %" PRIu64 " overflows",
				 n);
	return resolve(w, in, k, h, 0, n * size, p);
}

static int higher_lane(struct worker *w, const struct isa_insn *in, size_t k)
{
	enum atlas_type t = in->type;
	uint64_t size = isa_size(t);
	unsigned count_reg = in->op == OP_PMAP2 ? in->src[2] : in->src[1];
	uint64_t n = reg_lane_value(w, count_reg, ATLAS_U32, k);
	uint8_t *out = NULL, *a = NULL, *b = NULL;

	if (array_at(w, in, k, in->src[0], n, size, &a))
		return -1;
	if (in->op == OP_PMAP2 && array_at(w, in, k, in->src[1], n, size, &b))
		return -1;
	if (array_at(w, in, k, in->dst, in->op == OP_PREDUCE ? 1 : n, size,
		     &out))
		return -1;
	regs_unalias(w, (unsigned)reg_lane_value(w, in->dst, ATLAS_U64, k), 0,
		     UINT64_MAX);
	if (in->op == OP_PREDUCE) {
		uint64_t r = 0;
		uint8_t *copy = NULL;

		/* The reduction reads the array as T in place: buffers need
		   no alignment, so one at an odd address is copied first. */
		if (n && (uintptr_t)a % size) {
			copy = malloc(n * size);
			if (!copy)
				return lane_fail(w, in, k, ATLAS_ERR_NOMEM,
						 "out of memory");
			memcpy(copy, a, n * size);
			a = copy;
		}
		ops_reduce_array((enum isa_red)in->sub, t, &r, a, n);
		free(copy);
		memcpy(out, &r, size);
		return 0;
	}
	/* through aligned scratch, a block at a time */
	for (uint64_t i = 0; i < n; i += EXEC_B) {
		size_t m = n - i < EXEC_B ? (size_t)(n - i) : EXEC_B;

		memcpy(w->scratch[1], a + i * size, m * size);
		if (b) {
			memcpy(w->scratch[2], b + i * size, m * size);
			ops_map2((enum isa_map2)in->sub, t)(
				w->scratch[0], w->scratch[1], w->scratch[2], m);
		} else {
			ops_map((enum isa_map)in->sub, t)(w->scratch[0],
							  w->scratch[1], m);
		}
		memcpy(out + i * size, w->scratch[0], m * size);
	}
	return 0;
}

int exec_higher(struct worker *w, const struct isa_insn *in,
		const struct split *s)
{
	for (size_t k = 0; k < w->nlanes; k++)
		if (s->mask[k] && higher_lane(w, in, k))
			return -1;
	return 0;
}
