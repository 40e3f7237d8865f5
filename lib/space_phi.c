/*
 * space_phi.c - the Φ lens: boundary coordinates (page, byte), their
 * linear index and packed form, boundary-pool offsets, and Φ descriptors.
 */
#include <inttypes.h>

#include "atlas.h"
#include "program.h"

static enum atlas_status check_page(unsigned page, const char *prefix,
				    struct atlas_error *err)
{
	if (page < ATLAS_PAGES)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
			"%sinvalid page: %u (must be in [0, 48))", prefix,
			page);
	return ATLAS_ERR_ARG;
}

static enum atlas_status check_byte(unsigned byte, struct atlas_error *err)
{
	if (byte < ATLAS_PAGE_BYTES)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
			"invalid byte: %u (must be in [0, 256))", byte);
	return ATLAS_ERR_ARG;
}

enum atlas_status atlas_phi_linear_index(unsigned page, unsigned byte,
					 uint32_t *index,
					 struct atlas_error *err)
{
	if (check_page(page, "", err) || check_byte(byte, err))
		return ATLAS_ERR_ARG;
	*index = page * ATLAS_PAGE_BYTES + byte;
	return ATLAS_OK;
}

enum atlas_status atlas_phi_lens_unmap(uint32_t index, unsigned *page,
				       unsigned *byte, struct atlas_error *err)
{
	if (index >= ATLAS_CLASS_BYTES) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"boundary out of range: (%" PRIu32 ", %" PRIu32
				")",
				index / ATLAS_PAGE_BYTES,
				index % ATLAS_PAGE_BYTES);
		return ATLAS_ERR_ARG;
	}
	*page = index / ATLAS_PAGE_BYTES;
	*byte = index % ATLAS_PAGE_BYTES;
	return ATLAS_OK;
}

enum atlas_status atlas_phi_encode(unsigned page, unsigned byte, uint32_t *x,
				   struct atlas_error *err)
{
	if (check_page(page, "", err) || check_byte(byte, err))
		return ATLAS_ERR_ARG;
	*x = (uint32_t)byte << 16 | page;
	return ATLAS_OK;
}

enum atlas_status atlas_phi_decode(uint32_t x, unsigned *page, unsigned *byte,
				   struct atlas_error *err)
{
	if (check_page(x & 0xFFFF, "", err))
		return ATLAS_ERR_ARG;
	*page = x & 0xFFFF;
	*byte = x >> 16 & 0xFF;
	return ATLAS_OK;
}

enum atlas_status atlas_bound_map(unsigned c, unsigned page, unsigned byte,
				  uint64_t *offset, struct atlas_error *err)
{
	if (c >= ATLAS_CLASSES) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"invalid class ID %u for BoundMap (must be < "
				"96)",
				c);
		return ATLAS_ERR_ARG;
	}
	if (check_page(page, "invalid \u03a6-coordinate for BoundMap: ", err) ||
	    check_byte(byte, err))
		return ATLAS_ERR_ARG;
	*offset = (uint64_t)c * ATLAS_CLASS_BYTES + page * ATLAS_PAGE_BYTES +
		  byte;
	return ATLAS_OK;
}

enum atlas_status atlas_bound_unmap(uint64_t offset, unsigned *c,
				    unsigned *page, unsigned *byte,
				    struct atlas_error *err)
{
	unsigned rest;

	if (offset >= ATLAS_POOL_BYTES) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"boundary offset %" PRIu64
				" out of range (must be < 1179648)",
				offset);
		return ATLAS_ERR_ARG;
	}
	*c = (unsigned)(offset / ATLAS_CLASS_BYTES);
	rest = (unsigned)(offset % ATLAS_CLASS_BYTES);
	*page = rest / ATLAS_PAGE_BYTES;
	*byte = rest % ATLAS_PAGE_BYTES;
	return ATLAS_OK;
}

struct atlas_phi_desc atlas_phi_desc_identity(uint64_t base)
{
	struct atlas_phi_desc d = {
		.base_ptr = base,
		.stride_x = ATLAS_PAGE_BYTES,
		.stride_y = 1,
		.swizzle_id = 0,
		.window_x_min = 0,
		.window_x_max = ATLAS_PAGES,
		.window_y_min = 0,
		.window_y_max = ATLAS_PAGE_BYTES,
		.class_offset = 0,
	};

	return d;
}

struct atlas_phi_desc atlas_phi_desc_class_tiled(uint64_t base)
{
	struct atlas_phi_desc d = atlas_phi_desc_identity(base);

	d.class_offset = ATLAS_CLASS_BYTES;
	return d;
}

/* Unsigned arithmetic: the two's-complement result of the signed sum. */
uint64_t atlas_phi_desc_map(const struct atlas_phi_desc *d, unsigned c,
			    unsigned x, unsigned y)
{
	return d->base_ptr + d->class_offset * c + (uint64_t)d->stride_x * x +
	       (uint64_t)d->stride_y * y;
}

int atlas_phi_desc_in_window(const struct atlas_phi_desc *d, unsigned x,
			     unsigned y)
{
	return x >= d->window_x_min && x < d->window_x_max &&
	       y >= d->window_y_min && y < d->window_y_max;
}
