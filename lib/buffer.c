/*
 * buffer.c - plain memory for kernel arguments.
 */
#include <stdlib.h>
#include <string.h>

#include "program.h"

struct atlas_buffer {
	void *data;
	uint64_t size;
};

struct atlas_buffer *atlas_buffer_new(uint64_t size, struct atlas_error *err)
{
	struct atlas_buffer *b = malloc(sizeof *b);
	uint64_t rounded = (size + 63) / 64 * 64;

	if (b && size <= SIZE_MAX - 63 &&
	    (b->data = aligned_alloc(64, rounded ? rounded : 64))) {
		memset(b->data, 0, rounded);
		b->size = size;
		return b;
	}
	free(b);
	atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return NULL;
}

void atlas_buffer_free(struct atlas_buffer *b)
{
	if (!b)
		return;
	free(b->data);
	free(b);
}

void *atlas_buffer_data(const struct atlas_buffer *b)
{
	return b->data;
}

uint64_t atlas_buffer_size(const struct atlas_buffer *b)
{
	return b->size;
}

struct atlas_view atlas_buffer_view(const struct atlas_buffer *b)
{
	struct atlas_view v = {b->data, b->size, 0, 0};

	return v;
}
