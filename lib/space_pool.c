/*
 * space_pool.c - the boundary pool (96 class-major blocks of 12,288
 * bytes) and the linear bump allocator.
 */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "atlas.h"
#include "program.h"

struct atlas_bound_pool {
	uint8_t *data;
	int locked, huge;
};

struct atlas_bound_pool *atlas_bound_pool_new(struct atlas_error *err)
{
	struct atlas_bound_pool *pool = calloc(1, sizeof(*pool));
	long page = sysconf(_SC_PAGESIZE);
	void *data = NULL;

	/* Page alignment (a multiple of 64) lets mlock and madvise apply. */
	if (page < 64)
		page = 64;
	if (!pool || posix_memalign(&data, (size_t)page, ATLAS_POOL_BYTES)) {
		free(pool);
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0,
				"out of memory allocating the boundary pool");
		return NULL;
	}
	pool->data = data;
#ifdef MADV_HUGEPAGE
	/* Before the first touch, so that the zeroing faults huge pages. */
	pool->huge = madvise(data, ATLAS_POOL_BYTES, MADV_HUGEPAGE) == 0;
#endif
	memset(data, 0, ATLAS_POOL_BYTES);
	/* Best effort: RLIMIT_MEMLOCK may forbid it, which is no error. */
	pool->locked = mlock(data, ATLAS_POOL_BYTES) == 0;
	return pool;
}

void atlas_bound_pool_free(struct atlas_bound_pool *pool)
{
	if (!pool)
		return;
	if (pool->locked)
		munlock(pool->data, ATLAS_POOL_BYTES);
	free(pool->data);
	free(pool);
}

uint8_t *atlas_bound_pool_data(struct atlas_bound_pool *pool)
{
	return pool->data;
}

enum atlas_status atlas_bound_pool_view(struct atlas_bound_pool *pool,
					unsigned c, uint8_t **data, size_t *len,
					struct atlas_error *err)
{
	if (atlas_class_check(c, err))
		return ATLAS_ERR_ARG;
	*data = pool->data + (size_t)c * ATLAS_CLASS_BYTES;
	*len = ATLAS_CLASS_BYTES;
	return ATLAS_OK;
}

int atlas_bound_pool_locked(const struct atlas_bound_pool *pool)
{
	return pool->locked;
}

int atlas_bound_pool_huge(const struct atlas_bound_pool *pool)
{
	return pool->huge;
}

void atlas_bump_init(struct atlas_bump *b, uint64_t capacity)
{
	b->capacity = capacity;
	b->used = 0;
}

void atlas_bump_reset(struct atlas_bump *b)
{
	b->used = 0;
}

enum atlas_status atlas_bump_alloc(struct atlas_bump *b, uint64_t size,
				   uint64_t align, uint64_t *offset,
				   struct atlas_error *err)
{
	uint64_t start;

	if (size == 0) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"cannot allocate zero-sized buffer");
		return ATLAS_ERR_ARG;
	}
	if (align == 0 || (align & (align - 1)) != 0) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"alignment %" PRIu64 " is not a power of two",
				align);
		return ATLAS_ERR_ARG;
	}
	start = (b->used + align - 1) & ~(align - 1);
	if (start < b->used || start + size < start ||
	    (b->capacity && start + size > b->capacity)) {
		uint64_t avail = b->capacity ? b->capacity - b->used : 0;

		atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
				"out of memory: requested %" PRIu64
				" bytes, %" PRIu64 " available",
				size, avail);
		return ATLAS_ERR_LIMIT;
	}
	*offset = start;
	b->used = start + size;
	return ATLAS_OK;
}
