/*
 * exec_reg.c - the worker's register file: shapes (uniform, affine,
 * varying), expansion to lane arrays, and masked commits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "ops.h"

#define ALIGN 64
#define LANE_BYTES ((size_t)EXEC_B * 8)
#define SLOT_BYTES ((size_t)EXEC_B * 15) /* layouts of 1 + 2 + 4 + 8 bytes */

int worker_reserve(struct worker *w, uint16_t nslots)
{
	size_t need;
	uint8_t *m;

	if (w->mem && nslots <= w->nslots_cap)
		return 0;
	if (nslots < 16)
		nslots = 16;
	/* registers, 3 scratch arrays, predicates, the split mask */
	need = (size_t)nslots * SLOT_BYTES + 3 * LANE_BYTES +
	       ISA_NPREDS * EXEC_B + EXEC_B;
	m = aligned_alloc(ALIGN, need);
	if (!m)
		return -1;
	/* Zeroed once, so that lanes never computed hold numbers, not
	   indeterminate bytes. */
	memset(m, 0, need);
	free(w->regs);
	w->regs = calloc(nslots, sizeof *w->regs);
	if (!w->regs) {
		free(m);
		return -1;
	}
	free(w->mem);
	w->mem = m;
	w->mem_size = need;
	w->nslots_cap = nslots;
	for (size_t i = 0; i < nslots; i++)
		w->regs[i].store = m + i * SLOT_BYTES;
	m += (size_t)nslots * SLOT_BYTES;
	for (int i = 0; i < 3; i++, m += LANE_BYTES)
		w->scratch[i] = m;
	for (int i = 0; i < ISA_NPREDS; i++, m += EXEC_B)
		w->preds[i].lanes = m;
	w->tmask = m;
	return 0;
}

void worker_release(struct worker *w)
{
	for (size_t i = 0; i < w->splits_cap; i++) {
		free(w->splits[i].mask);
		free(w->splits[i].stack);
	}
	free(w->splits);
	free(w->regs);
	free(w->mem);
	memset(w, 0, sizeof *w);
}

static uint64_t width_mask(size_t size)
{
	return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
}

/* dst[i] = base + i * stride, in the width of size bytes. */
static void iota(void *dst, uint64_t base, uint64_t stride, size_t n,
		 size_t size)
{
	switch (size) {
	case 1: {
		uint8_t *d = dst;
		for (size_t i = 0; i < n; i++)
			d[i] = (uint8_t)(base + i * stride);
		break;
	}
	case 2: {
		uint16_t *d = dst;
		for (size_t i = 0; i < n; i++)
			d[i] = (uint16_t)(base + i * stride);
		break;
	}
	case 4: {
		uint32_t *d = dst;
		uint32_t b = (uint32_t)base, s = (uint32_t)stride;
		for (size_t i = 0; i < n; i++)
			d[i] = b + (uint32_t)i * s;
		break;
	}
	default: {
		uint64_t *d = dst;
		for (size_t i = 0; i < n; i++)
			d[i] = base + i * stride;
		break;
	}
	}
}

/*
 * Before a masked write of elements of size bytes: keep the lanes that
 * are not written in the layout of their own type, and make the layout of
 * size the register's.  Lanes outside the mask whose type had another
 * size keep their values in that other layout.
 */
static void materialize(struct worker *w, struct vreg *v, size_t size)
{
	void *old = own_of(v, v->size);

	switch (v->shape) {
	case SH_UNIFORM:
		if (v->filled != v->size)
			ops_broadcast(old, &v->base, w->nlanes, v->size);
		break;
	case SH_AFFINE:
		if (v->filled != v->size)
			iota(old, v->base, v->stride, w->nlanes, v->size);
		break;
	default:
		if (v->lanes != old)
			memcpy(old, v->lanes, w->nlanes * v->size);
		break;
	}
	v->shape = SH_VARYING;
	v->alias = 0;
	v->filled = 0;
	v->size = (uint8_t)size;
	v->lanes = own_of(v, size);
}

const void *reg_lanes(struct worker *w, unsigned reg, enum atlas_type t)
{
	struct vreg *v = wreg(w, reg);
	size_t size = isa_size(t);

	switch (v->shape) {
	case SH_UNIFORM:
		if (v->filled != size) {
			ops_broadcast(own_of(v, size), &v->base, w->nlanes,
				      size);
			v->filled = (uint8_t)size;
		}
		return own_of(v, size);
	case SH_AFFINE:
		if (v->filled != size) {
			iota(own_of(v, size), v->base, v->stride, w->nlanes,
			     size);
			v->filled = (uint8_t)size;
		}
		return own_of(v, size);
	default:
		/* lanes last written with another size keep theirs there */
		return v->size == size ? v->lanes : own_of(v, size);
	}
}

uint64_t reg_lane_value(struct worker *w, unsigned reg, enum atlas_type t,
			size_t lane)
{
	struct vreg *v = wreg(w, reg);
	size_t size = isa_size(t);
	uint64_t x = 0;

	switch (v->shape) {
	case SH_UNIFORM:
		return v->base;
	case SH_AFFINE:
		return (v->base + lane * v->stride) & width_mask(size);
	default:
		memcpy(&x, (const uint8_t *)reg_lanes(w, reg, t) + lane * size,
		       size);
		return x;
	}
}

static int full(const struct worker *w, const struct split *s)
{
	return s->count == w->nlanes;
}

void reg_commit(struct worker *w, unsigned reg, enum atlas_type t,
		const void *src, const struct split *s)
{
	struct vreg *v = wreg(w, reg);
	size_t size = isa_size(t);
	void *own = own_of(v, size);

	if (full(w, s)) {
		if (src != own)
			memcpy(own, src, w->nlanes * size);
		v->shape = SH_VARYING;
		v->size = (uint8_t)size;
		v->lanes = own;
		v->alias = 0;
		return;
	}
	materialize(w, v, size);
	ops_blend(own, src, s->mask, w->nlanes, size);
}

void reg_commit_uniform(struct worker *w, unsigned reg, enum atlas_type t,
			uint64_t bits, const struct split *s)
{
	struct vreg *v = wreg(w, reg);
	size_t size = isa_size(t);

	bits &= width_mask(size);
	if (full(w, s)) {
		v->shape = SH_UNIFORM;
		v->size = (uint8_t)size;
		v->base = bits;
		v->filled = 0;
		v->alias = 0;
		return;
	}
	ops_broadcast(w->scratch[2], &bits, w->nlanes, size);
	materialize(w, v, size);
	ops_blend(own_of(v, size), w->scratch[2], s->mask, w->nlanes, size);
}

void reg_commit_affine(struct worker *w, unsigned reg, enum atlas_type t,
		       uint64_t base, uint64_t stride, const struct split *s)
{
	struct vreg *v = wreg(w, reg);
	size_t size = isa_size(t);
	uint64_t m = width_mask(size);

	if (full(w, s)) {
		v->shape = SH_AFFINE;
		v->size = (uint8_t)size;
		v->base = base & m;
		v->stride = stride & m;
		v->filled = 0;
		v->alias = 0;
		return;
	}
	iota(w->scratch[2], base, stride, w->nlanes, size);
	materialize(w, v, size);
	ops_blend(own_of(v, size), w->scratch[2], s->mask, w->nlanes, size);
}

void *reg_dest(struct worker *w, unsigned reg, enum atlas_type t,
	       const struct split *s)
{
	return full(w, s) ? own_of(wreg(w, reg), isa_size(t)) : w->scratch[0];
}

void regs_unalias(struct worker *w, unsigned handle, uint64_t lo, uint64_t hi)
{
	const struct isa_facts *f = &w->ctx->prog->facts;

	for (unsigned i = 0; i < f->nslots; i++) {
		struct vreg *v = &w->regs[i];

		if (!v->alias || v->alias_handle != handle)
			continue;
		if (v->alias_hi <= lo || hi <= v->alias_lo)
			continue;
		memcpy(own_of(v, v->size), v->lanes, v->alias_hi - v->alias_lo);
		v->lanes = own_of(v, v->size);
		v->alias = 0;
	}
}

int lane_fail(struct worker *w, const struct isa_insn *in, size_t lane,
	      enum atlas_status code, const char *fmt, ...)
{
	va_list ap;

	(void)lane;
	w->err.code = code;
	w->err.line = in ? in->line : 0;
	w->err.col = in ? in->col : 0;
	va_start(ap, fmt);
	vsnprintf(w->err.msg, sizeof w->err.msg, fmt, ap);
	va_end(ap);
	w->failed = 1;
	return -1;
}
