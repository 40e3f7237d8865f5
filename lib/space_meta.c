/*
 * space_meta.c - kernel metadata (ISA attributes): defaults, validate()
 * with the reference's rules and messages in their order, and the
 * runtime checks made around a launch.
 */
#include <inttypes.h>
#include <string.h>

#include "atlas.h"
#include "program.h"

void atlas_metadata_init(struct atlas_metadata *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->classes_mask = atlas_class_mask_all();
	m->boundary.page_max = ATLAS_PAGES - 1;
	m->boundary.byte_max = ATLAS_PAGE_BYTES - 1;
	m->phase.begin = 0;
	m->phase.span = ATLAS_PHASE_MODULUS;
}

static enum atlas_status invalid(struct atlas_error *err, const char *what)
{
	atlas_error_set(err, ATLAS_ERR_VERIFY, 0, 0,
			"invalid kernel metadata: %s", what);
	return ATLAS_ERR_VERIFY;
}

static enum atlas_status invalid_page(struct atlas_error *err, unsigned page)
{
	atlas_error_set(err, ATLAS_ERR_VERIFY, 0, 0,
			"invalid page: %u (must be in [0, 48))", page);
	return ATLAS_ERR_VERIFY;
}

/*
 * Is some class of mask without its mirror (atlas numbering, where every
 * class has one)?  Then *c and *mirror name the first such class.
 */
static int mirror_missing(struct atlas_class_mask mask, unsigned *c,
			  unsigned *mirror)
{
	uint8_t active[ATLAS_CLASSES];
	unsigned k = atlas_class_mask_active(mask, active);

	for (unsigned i = 0; i < k; i++) {
		unsigned m = 0;

		atlas_class_mirror(ATLAS_NUMBERING_ATLAS, active[i], &m, NULL);
		if (!atlas_class_mask_is_set(mask, m)) {
			*c = active[i];
			*mirror = m;
			return 1;
		}
	}
	return 0;
}

enum atlas_status atlas_metadata_validate(const struct atlas_metadata *m,
					  struct atlas_error *err)
{
	const struct atlas_boundary_footprint *f = &m->boundary;
	unsigned c, mc;

	if (!m->name || !*m->name)
		return invalid(err, "kernel name cannot be empty");
	if (atlas_class_mask_count(m->classes_mask) == 0)
		return invalid(err, "kernel must access at least one class");
	if (f->page_min >= ATLAS_PAGES)
		return invalid_page(err, f->page_min);
	if (f->page_max >= ATLAS_PAGES)
		return invalid_page(err, f->page_max);
	if (f->page_min > f->page_max)
		return invalid(err, "page_min > page_max");
	if (f->byte_min > f->byte_max)
		return invalid(err, "byte_min > byte_max");
	if (m->phase.begin >= ATLAS_PHASE_MODULUS) {
		atlas_error_set(err, ATLAS_ERR_VERIFY, 0, 0,
				"invalid phase: %" PRIu32
				" (must be in [0, 768))",
				m->phase.begin);
		return ATLAS_ERR_VERIFY;
	}
	if (m->phase.span > ATLAS_PHASE_MODULUS) {
		atlas_error_set(err, ATLAS_ERR_VERIFY, 0, 0,
				"invalid kernel metadata: phase span %" PRIu32
				" exceeds modulus 768",
				m->phase.span);
		return ATLAS_ERR_VERIFY;
	}
	if (!m->mirror_safe)
		return ATLAS_OK;
	if (!mirror_missing(m->classes_mask, &c, &mc))
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_VERIFY, 0, 0,
			"invalid kernel metadata: mirror pair %u missing for "
			"class %u",
			mc, c);
	return ATLAS_ERR_VERIFY;
}

enum atlas_status atlas_metadata_check_phase(const struct atlas_metadata *m,
					     uint32_t phase,
					     struct atlas_error *err)
{
	if (atlas_phase_in_window(phase, m->phase.begin, m->phase.span))
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_EXEC, 0, 0,
			"phase window violation: current phase %" PRIu32
			" not in [%" PRIu32 ", %" PRIu32 ")",
			phase, m->phase.begin,
			atlas_phase_window_end(m->phase.begin, m->phase.span));
	return ATLAS_ERR_EXEC;
}

enum atlas_status atlas_metadata_check_boundary(const struct atlas_metadata *m,
						unsigned x, unsigned y,
						struct atlas_error *err)
{
	const struct atlas_boundary_footprint *f = &m->boundary;

	if (x >= f->page_min && x <= f->page_max && y >= f->byte_min &&
	    y <= f->byte_max)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_EXEC, 0, 0,
			"boundary violation: (%u, %u) outside window ([%u, "
			"%u], [%u, %u])",
			x, y, f->page_min, f->page_max, f->byte_min,
			f->byte_max);
	return ATLAS_ERR_EXEC;
}

enum atlas_status atlas_metadata_check_mirror(const struct atlas_metadata *m,
					      struct atlas_error *err)
{
	unsigned c, mc;

	if (!m->mirror_safe || !mirror_missing(m->classes_mask, &c, &mc))
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_EXEC, 0, 0,
			"mirror safety violation: class %u and mirror %u "
			"produced different results",
			c, mc);
	return ATLAS_ERR_EXEC;
}

enum atlas_status atlas_metadata_check_launch(const struct atlas_metadata *m,
					      uint32_t phase,
					      struct atlas_error *err)
{
	struct atlas_error e;
	enum atlas_status st;

	if ((st = atlas_metadata_check_phase(m, phase, err)) ||
	    (st = atlas_metadata_check_mirror(m, err)))
		return st;
	if (atlas_metadata_validate(m, &e) == ATLAS_OK)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_VERIFY, 0, 0, "invalid metadata: %s",
			e.msg);
	return ATLAS_ERR_VERIFY;
}

enum atlas_status atlas_metadata_check_alias(const struct atlas_buffer_range *a,
					     const struct atlas_buffer_range *b,
					     struct atlas_error *err)
{
	/* Saturating ends: a range reaching past 2^64 still overlaps. */
	uint64_t a_end = a->offset + a->size < a->offset ? UINT64_MAX :
							   a->offset + a->size;
	uint64_t b_end = b->offset + b->size < b->offset ? UINT64_MAX :
							   b->offset + b->size;

	if (a->pool != b->pool || a_end <= b->offset || b_end <= a->offset)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_EXEC, 0, 0,
			"aliasing violation: buffers %" PRIu64 " and %" PRIu64
			" overlap",
			a->id, b->id);
	return ATLAS_ERR_EXEC;
}
