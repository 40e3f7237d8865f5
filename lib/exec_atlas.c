/*
 * exec_atlas.c - the Atlas instructions of the block interpreter (man 7
 * atlas-isa, DESIGN.md 8): cls.get, mirror, unity.test, nbr.count,
 * nbr.get, res.accum, phase.get, phase.adv and bound.map.  Classes are u8
 * registers in the atlas numbering; a class >= 96 is a lane error.  The
 * class tables are built once from the space API (space_class.c), so the
 * per-lane work is a lookup.
 */
#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include "exec.h"

static uint8_t mirror_of[ATLAS_CLASSES];
static uint8_t unity_of[ATLAS_CLASSES];
static uint8_t degree_of[ATLAS_CLASSES];
static uint8_t nbr_of[ATLAS_CLASSES][ATLAS_MAX_DEGREE];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void tables_init(void)
{
	for (unsigned c = 0; c < ATLAS_CLASSES; c++) {
		unsigned m = c, d = 0;
		int u = 0;

		atlas_class_mirror(ATLAS_NUMBERING_ATLAS, c, &m, NULL);
		atlas_class_unity(ATLAS_NUMBERING_ATLAS, c, &u, NULL);
		atlas_class_neighbors(ATLAS_NUMBERING_ATLAS, c, nbr_of[c], &d,
				      NULL);
		mirror_of[c] = (uint8_t)m;
		unity_of[c] = (uint8_t)(u != 0);
		degree_of[c] = (uint8_t)d;
	}
}

/* The lanes of split s, or NULL when all lanes of the block are active. */
static const uint8_t *active(const struct worker *w, const struct split *s)
{
	return s->count == w->nlanes ? NULL : s->mask;
}

/* The first active lane. */
static size_t first_active(const struct worker *w, const struct split *s)
{
	const uint8_t *m = active(w, s);
	size_t k = 0;

	if (m)
		while (k < w->nlanes && !m[k])
			k++;
	return k;
}

static int uni(struct worker *w, unsigned reg)
{
	return wreg(w, reg)->shape == SH_UNIFORM;
}

/* Fail lane k with the message of a library error. */
static int lib_fail(struct worker *w, const struct isa_insn *in, size_t k,
		    const struct atlas_error *e)
{
	return lane_fail(w, in, k, ATLAS_ERR_EXEC, "%s", e->msg);
}

static int class_fail(struct worker *w, const struct isa_insn *in, size_t k,
		      unsigned c)
{
	struct atlas_error e;

	memset(&e, 0, sizeof e);
	atlas_class_check(c, &e);
	return lib_fail(w, in, k, &e);
}

/* The first active lane whose class (u8 lanes cls) is >= 96, or SIZE_MAX. */
static size_t bad_class(const struct worker *w, const struct split *s,
			const uint8_t *cls)
{
	const uint8_t *m = active(w, s);
	unsigned any = 0;

	for (size_t k = 0; k < w->nlanes; k++)
		any |= (unsigned)(cls[k] >= ATLAS_CLASSES) & (m ? m[k] : 1u);
	if (!any)
		return SIZE_MAX;
	for (size_t k = 0; k < w->nlanes; k++)
		if ((!m || m[k]) && cls[k] >= ATLAS_CLASSES)
			return k;
	return SIZE_MAX;
}

/* cls.get: BLOCK_IDX_X mod 96, lane by lane (DESIGN.md 8.3). */
static void cls_get(struct worker *w, const struct isa_insn *in,
		    const struct split *s)
{
	const struct launch_ctx *c = w->ctx;
	const uint64_t per = c->lanes_per_block, gx = c->launch->grid[0];
	const uint64_t b0 = w->first / per;
	uint8_t *d;

	if (b0 == (w->first + w->nlanes - 1) / per) {
		reg_commit_uniform(w, in->dst, ATLAS_U8,
				   (b0 % gx) % ATLAS_CLASSES, s);
		return;
	}
	d = w->scratch[1];
	for (size_t k = 0; k < w->nlanes; k++)
		d[k] = (uint8_t)(((w->first + k) / per % gx) % ATLAS_CLASSES);
	reg_commit(w, in->dst, ATLAS_U8, d, s);
}

/* mirror, nbr.count, nbr.get: a class in, a table value out. */
static int class_map(struct worker *w, const struct isa_insn *in,
		     const struct split *s)
{
	const enum atlas_type t = in->op == OP_NBR_COUNT ? ATLAS_U32 : ATLAS_U8;
	const uint8_t *cls = NULL, *m = active(w, s);
	const unsigned i = (unsigned)in->imm;
	size_t bad = SIZE_MAX;

	if (uni(w, in->src[0])) {
		const unsigned c = (unsigned)(wreg(w, in->src[0])->base & 0xff);
		uint64_t v;

		if (c >= ATLAS_CLASSES)
			return class_fail(w, in, first_active(w, s), c);
		if (in->op == OP_MIRROR) {
			v = mirror_of[c];
		} else if (in->op == OP_NBR_COUNT) {
			v = degree_of[c];
		} else {
			if (i >= degree_of[c])
				goto past;
			v = nbr_of[c][i];
		}
		reg_commit_uniform(w, in->dst, t, v, s);
		return 0;
	}
	cls = reg_lanes(w, in->src[0], ATLAS_U8);
	bad = bad_class(w, s, cls);
	if (in->op == OP_NBR_GET) {
		/* the first failing lane, whichever its error */
		for (size_t k = 0; k < w->nlanes; k++) {
			if (m && !m[k])
				continue;
			if (k == bad)
				break;
			if (i >= degree_of[cls[k]]) {
				bad = k;
				break;
			}
		}
	}
	if (bad != SIZE_MAX) {
		const unsigned c = cls[bad];

		if (c >= ATLAS_CLASSES)
			return class_fail(w, in, bad, c);
		goto past;
	}
	if (in->op == OP_NBR_COUNT) {
		uint32_t *d = w->scratch[1];

		for (size_t k = 0; k < w->nlanes; k++)
			d[k] = degree_of[cls[k] % ATLAS_CLASSES];
		reg_commit(w, in->dst, t, d, s);
	} else {
		uint8_t *d = w->scratch[1];

		if (in->op == OP_MIRROR)
			for (size_t k = 0; k < w->nlanes; k++)
				d[k] = mirror_of[cls[k] % ATLAS_CLASSES];
		else
			for (size_t k = 0; k < w->nlanes; k++)
				d[k] = nbr_of[cls[k] % ATLAS_CLASSES]
					     [i % ATLAS_MAX_DEGREE];
		reg_commit(w, in->dst, t, d, s);
	}
	return 0;
past : {
	/* nbr.get past the degree: the message of atlas_class_neighbor */
	const size_t k = bad == SIZE_MAX ? first_active(w, s) : bad;
	const unsigned c =
		uni(w, in->src[0]) ?
			(unsigned)(wreg(w, in->src[0])->base & 0xff) :
			cls[k];
	struct atlas_error e;
	unsigned out;

	memset(&e, 0, sizeof e);
	atlas_class_neighbor(ATLAS_NUMBERING_ATLAS, c, i, &out, &e);
	return lib_fail(w, in, k, &e);
}
}

/* unity.test pD, rC: pD <- class rC is a unity class. */
static int unity_test(struct worker *w, const struct isa_insn *in,
		      const struct split *s)
{
	const uint8_t *cls;
	uint8_t *d;
	size_t bad;

	if (uni(w, in->src[0])) {
		const unsigned c = (unsigned)(wreg(w, in->src[0])->base & 0xff);

		if (c >= ATLAS_CLASSES)
			return class_fail(w, in, first_active(w, s), c);
		pred_commit_uniform(w, in->dst, unity_of[c], s);
		return 0;
	}
	cls = reg_lanes(w, in->src[0], ATLAS_U8);
	bad = bad_class(w, s, cls);
	if (bad != SIZE_MAX)
		return class_fail(w, in, bad, cls[bad]);
	d = w->scratch[1];
	for (size_t k = 0; k < w->nlanes; k++)
		d[k] = unity_of[cls[k] % ATLAS_CLASSES];
	pred_commit(w, in->dst, d, s);
	return 0;
}

/* res.accum.T rC, rV: R[rC] += rV exactly, in lane order, under the lock. */
static int res_accum(struct worker *w, const struct isa_insn *in,
		     const struct split *s)
{
	struct launch_ctx *c = w->ctx;
	const uint8_t *cls, *m = active(w, s);
	const void *val;
	int rc = 0;

	if (!c->has_res)
		return lane_fail(w, in, first_active(w, s), ATLAS_ERR_EXEC,
				 "no resonance accumulator");
	cls = reg_lanes(w, in->src[0], ATLAS_U8);
	val = reg_lanes(w, in->src[1], (enum atlas_type)in->type);
	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < w->nlanes && rc == 0; k++) {
		struct atlas_error e;
		struct atlas_ratio r;
		enum atlas_status st;

		if (m && !m[k])
			continue;
		if (cls[k] >= ATLAS_CLASSES) {
			rc = class_fail(w, in, k, cls[k]);
			break;
		}
		memset(&e, 0, sizeof e);
		if (in->type == ATLAS_F32)
			st = atlas_ratio_from_f32(((const float *)val)[k], &r,
						  &e);
		else
			st = atlas_ratio_from_f64(((const double *)val)[k], &r,
						  &e);
		if (st == ATLAS_OK)
			st = atlas_resonance_accumulate(&c->res, cls[k], r, &e);
		if (st != ATLAS_OK)
			rc = lib_fail(w, in, k, &e);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* bound.map rD, rC, rP, rB: rD <- C*12288 + P*256 + B (u8 inputs). */
static int bound_map(struct worker *w, const struct isa_insn *in,
		     const struct split *s)
{
	const uint8_t *cl, *pg, *by, *m = active(w, s);
	uint64_t *d;
	unsigned any = 0;

	if (uni(w, in->src[0]) && uni(w, in->src[1]) && uni(w, in->src[2])) {
		struct atlas_error e;
		uint64_t off;

		memset(&e, 0, sizeof e);
		if (atlas_bound_map(
			    (unsigned)(wreg(w, in->src[0])->base & 0xff),
			    (unsigned)(wreg(w, in->src[1])->base & 0xff),
			    (unsigned)(wreg(w, in->src[2])->base & 0xff), &off,
			    &e) != ATLAS_OK)
			return lib_fail(w, in, first_active(w, s), &e);
		reg_commit_uniform(w, in->dst, ATLAS_U64, off, s);
		return 0;
	}
	cl = reg_lanes(w, in->src[0], ATLAS_U8);
	pg = reg_lanes(w, in->src[1], ATLAS_U8);
	by = reg_lanes(w, in->src[2], ATLAS_U8);
	d = w->scratch[1];
	/* one vector loop; lanes out of range (active or not) send the
	   block to the lane-by-lane check below */
	for (size_t k = 0; k < w->nlanes; k++) {
		any |= (unsigned)(cl[k] >= ATLAS_CLASSES) |
		       (unsigned)(pg[k] >= ATLAS_PAGES);
		d[k] = (uint64_t)cl[k] * ATLAS_CLASS_BYTES +
		       (uint64_t)pg[k] * ATLAS_PAGE_BYTES + by[k];
	}
	if (any) {
		for (size_t k = 0; k < w->nlanes; k++) {
			struct atlas_error e;
			uint64_t off;

			if (m && !m[k])
				continue;
			memset(&e, 0, sizeof e);
			if (atlas_bound_map(cl[k], pg[k], by[k], &off, &e) !=
			    ATLAS_OK)
				return lib_fail(w, in, k, &e);
		}
	}
	reg_commit(w, in->dst, ATLAS_U64, d, s);
	return 0;
}

int exec_atlas(struct worker *w, const struct isa_insn *in,
	       const struct split *s)
{
	struct launch_ctx *c = w->ctx;

	pthread_once(&tables_once, tables_init);
	switch ((enum isa_op)in->op) {
	case OP_CLS_GET:
		cls_get(w, in, s);
		return 0;
	case OP_MIRROR:
	case OP_NBR_COUNT:
	case OP_NBR_GET:
		return class_map(w, in, s);
	case OP_UNITY_TEST:
		return unity_test(w, in, s);
	case OP_RES_ACCUM:
		return res_accum(w, in, s);
	case OP_PHASE_GET:
		reg_commit_uniform(w, in->dst, ATLAS_U32, c->phase0, s);
		return 0;
	case OP_PHASE_ADV:
		pthread_mutex_lock(&c->lock);
		atlas_phase_advance(&c->phase, in->imm * s->count);
		pthread_mutex_unlock(&c->lock);
		return 0;
	case OP_BOUND_MAP:
		return bound_map(w, in, s);
	default:
		return lane_fail(w, in, 0, ATLAS_ERR_UNSUPPORTED,
				 "invalid opcode: %u", (unsigned)in->op);
	}
}
