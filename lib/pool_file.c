/*
 * pool_file.c - boundary pool images on disk (ATLAS_POOL_BYTES raw
 * bytes, class-major), BLAKE2b-256 digests and the plain numbers of
 * atlas-pool's command line (decimal or 0x hex).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "program.h"

enum atlas_status atlas_number_parse(const char *text, uint64_t *out,
				     struct atlas_error *err)
{
	const int hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
	const char *p = hex ? text + 2 : text;
	const unsigned base = hex ? 16 : 10;
	uint64_t v = 0;
	int over = 0;

	if (!*p)
		goto bad;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (hex && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (hex && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			goto bad;
		if (v > (UINT64_MAX - d) / base)
			over = 1;
		v = v * base + d;
	}
	if (over) {
		atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
				"number '%s' out of range", text);
		return ATLAS_ERR_LIMIT;
	}
	*out = v;
	return ATLAS_OK;
bad:
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0, "invalid number '%s'", text);
	return ATLAS_ERR_ARG;
}

enum atlas_status atlas_number_parse_below(const char *what, const char *text,
					   uint64_t limit, int inclusive,
					   uint64_t *out,
					   struct atlas_error *err)
{
	const char *rel = inclusive ? "<=" : "<";
	const uint64_t shown = inclusive ? limit - 1 : limit;
	enum atlas_status st = atlas_number_parse(text, out, err);

	if (st == ATLAS_ERR_ARG)
		atlas_error_set(err, st, 0, 0, "invalid %s '%s' (not a number)",
				what, text);
	else if (st != ATLAS_OK)
		atlas_error_set(err, st, 0, 0,
				"invalid %s %s (must be %s %" PRIu64 ")", what,
				text, rel, shown);
	else if (*out >= limit)
		atlas_error_set(err, st = ATLAS_ERR_LIMIT, 0, 0,
				"invalid %s %" PRIu64 " (must be %s %" PRIu64
				")",
				what, *out, rel, shown);
	return st;
}

enum atlas_status atlas_digest(const void *data, size_t len,
			       uint8_t out[ATLAS_DIGEST_BYTES],
			       struct atlas_error *err)
{
	/* sodium_init is idempotent and thread-safe; it picks the fastest
	   implementation for this machine. */
	if (sodium_init() < 0) {
		atlas_error_set(err, ATLAS_ERR_UNSUPPORTED, 0, 0,
				"libsodium failed to initialise");
		return ATLAS_ERR_UNSUPPORTED;
	}
	crypto_generichash(out, ATLAS_DIGEST_BYTES, data, len, NULL, 0);
	return ATLAS_OK;
}

static enum atlas_status io_error(struct atlas_error *err)
{
	const int e = errno;

	atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s", strerror(e));
	if (err)
		err->errnum = e;
	return ATLAS_ERR_IO;
}

static enum atlas_status not_pool(struct atlas_error *err, uint64_t n)
{
	atlas_error_set(err, ATLAS_ERR_INPUT, 0, 0,
			"not a pool image (%" PRIu64 " bytes, want %d)", n,
			ATLAS_POOL_BYTES);
	return ATLAS_ERR_INPUT;
}

enum atlas_status atlas_pool_file_read(const char *path, uint8_t *buf,
				       struct atlas_error *err)
{
	const int fd = open(path, O_RDONLY);
	enum atlas_status st = ATLAS_OK;
	uint64_t total;
	struct stat sb;
	size_t got;
	char extra[4096];

	if (fd < 0 || fstat(fd, &sb) != 0)
		st = io_error(err);
	else if (S_ISDIR(sb.st_mode))
		st = (errno = EISDIR, io_error(err));
	else if (S_ISREG(sb.st_mode) && sb.st_size != ATLAS_POOL_BYTES)
		st = not_pool(err, (uint64_t)sb.st_size);
	else if ((st = atlas_read_full(fd, buf, ATLAS_POOL_BYTES, &got, err)))
		;
	else if (got < ATLAS_POOL_BYTES)
		st = not_pool(err, got);
	else {
		/* a pipe or device: count what follows the image */
		for (total = got; !st && got > 0; total += got)
			st = atlas_read_full(fd, extra, sizeof extra, &got,
					     err);
		if (!st && total > ATLAS_POOL_BYTES)
			st = not_pool(err, total);
	}
	if (fd >= 0)
		close(fd);
	return st;
}

enum atlas_status atlas_pool_file_map(const char *path, void **data,
				      struct atlas_error *err)
{
	const int fd = open(path, O_RDWR);
	enum atlas_status st = ATLAS_OK;
	struct stat sb;
	void *m;

	*data = NULL;
	if (fd < 0 || fstat(fd, &sb) != 0)
		st = io_error(err);
	else if (S_ISDIR(sb.st_mode))
		st = (errno = EISDIR, io_error(err));
	else if (!S_ISREG(sb.st_mode) || sb.st_size != ATLAS_POOL_BYTES)
		/* only a regular file maps; anything else is no image */
		st = not_pool(err,
			      S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0);
	else if ((m = mmap(NULL, ATLAS_POOL_BYTES, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, 0)) == MAP_FAILED)
		st = io_error(err);
	else
		*data = m;
	if (fd >= 0)
		close(fd);
	return st;
}

void atlas_pool_file_unmap(void *data)
{
	if (data)
		munmap(data, ATLAS_POOL_BYTES);
}

enum atlas_status atlas_pool_file_create(const char *path, int overwrite,
					 struct atlas_error *err)
{
	const int flags = O_WRONLY | O_CREAT | (overwrite ? O_TRUNC : O_EXCL);
	const int fd = open(path, flags, 0666);
	uint8_t *zero;
	enum atlas_status st;

	if (fd < 0)
		return io_error(err);
	if (!(zero = calloc(1, ATLAS_POOL_BYTES))) {
		close(fd);
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	st = atlas_write_full(fd, zero, ATLAS_POOL_BYTES, err);
	free(zero);
	if (close(fd) != 0 && !st)
		st = io_error(err);
	return st;
}

enum atlas_status atlas_pool_class_stat(const uint8_t *pool, unsigned c,
					size_t *nonzero,
					uint8_t digest[ATLAS_DIGEST_BYTES],
					struct atlas_error *err)
{
	const uint8_t *v = pool + (size_t)c * ATLAS_CLASS_BYTES;
	enum atlas_status st = atlas_class_check(c, err);
	size_t nz = 0;

	if (st != ATLAS_OK)
		return st;
	for (size_t i = 0; i < ATLAS_CLASS_BYTES; i++)
		nz += v[i] != 0;
	if ((st = atlas_digest(v, ATLAS_CLASS_BYTES, digest, err)) == ATLAS_OK)
		*nonzero = nz;
	return st;
}

enum atlas_status atlas_class_info(enum atlas_numbering n, unsigned c,
				   struct atlas_class_info *info,
				   struct atlas_error *err)
{
	enum atlas_status st;

	memset(info, 0, sizeof *info);
	if ((st = atlas_class_mirror(n, c, &info->mirror, err)) ||
	    (st = atlas_class_unity(n, c, &info->unity, err)) ||
	    (st = atlas_class_byte(n, c, &info->byte, err)))
		return st;
	if (n == ATLAS_NUMBERING_ATLAS)
		st = atlas_class_neighbors(n, c, info->nbr, &info->degree, err);
	return st;
}

enum atlas_status atlas_pool_row(const uint8_t *pool, enum atlas_numbering n,
				 unsigned c, int json, char *buf, size_t size,
				 struct atlas_error *err)
{
	const int atlas = n == ATLAS_NUMBERING_ATLAS;
	uint8_t d[ATLAS_DIGEST_BYTES];
	struct atlas_class_info ci;
	enum atlas_status st;
	size_t nz, k;
	char nbr[64] = "";

	if (pool) {
		if ((st = atlas_pool_class_stat(pool, c, &nz, d, err)))
			return st;
		k = (size_t)snprintf(buf, size,
				     json ? "{\"class\":%u,\"nonzero\":%zu,"
					    "\"digest\":\"" :
					    "%u %zu ",
				     c, nz);
		for (int i = 0; i < ATLAS_DIGEST_BYTES && k < size; i++)
			k += (size_t)snprintf(buf + k, size - k, "%02x", d[i]);
		if (k < size)
			snprintf(buf + k, size - k, "%s", json ? "\"}" : "");
		return ATLAS_OK;
	}
	if ((st = atlas_class_info(n, c, &ci, err)))
		return st;
	for (unsigned i = 0, j = 0; i < ci.degree; i++)
		j += (unsigned)snprintf(nbr + j, sizeof nbr - j, "%s%u",
					i ? "," : "", ci.nbr[i]);
	if (json)
		snprintf(buf, size,
			 "{\"class\":%u,\"mirror\":%u,\"degree\":%s%.0u,"
			 "\"neighbors\":%s%s%s,\"unity\":%s,\"byte\":%u}",
			 c, ci.mirror, atlas ? "" : "null", ci.degree,
			 atlas ? "[" : "null", nbr, atlas ? "]" : "",
			 ci.unity ? "true" : "false", ci.byte);
	else
		snprintf(buf, size, "%u %u %s%.0u %s %d 0x%02X", c, ci.mirror,
			 atlas ? "" : "-", ci.degree, atlas ? nbr : "-",
			 ci.unity != 0, ci.byte);
	return ATLAS_OK;
}

/* Put "name: " before the message of err; returns its code. */
static enum atlas_status prefix(struct atlas_error *err, const char *name)
{
	char msg[sizeof err->msg];

	memcpy(msg, err->msg, sizeof msg);
	if (snprintf(err->msg, sizeof err->msg, "%s: %s", name, msg) < 0)
		err->msg[0] = '\0';
	return err->code;
}

enum atlas_status atlas_pool_file_put(const char *path, unsigned c,
				      unsigned page, int fd, const char *src,
				      size_t *got, struct atlas_error *err)
{
	const size_t room = ATLAS_CLASS_BYTES - (size_t)page * ATLAS_PAGE_BYTES;
	uint8_t *pool = malloc(ATLAS_POOL_BYTES + ATLAS_CLASS_BYTES + 1);
	uint8_t *buf = pool + ATLAS_POOL_BYTES;
	uint64_t off;
	enum atlas_status st;
	size_t n = 0;

	if (!pool) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	if ((st = atlas_bound_map(c, page, 0, &off, err)))
		;
	else if ((st = atlas_pool_file_read(path, pool, err)))
		prefix(err, path);
	else if ((st = atlas_read_full(fd, buf, room + 1, &n, err)))
		prefix(err, src);
	else if (n > room)
		atlas_error_set(err, st = ATLAS_ERR_LIMIT, 0, 0,
				"%s: more than %zu bytes for class %u from "
				"page %u",
				src, room, c, page);
	else if (memcpy(pool + off, buf, n), 1)
		/* its messages name path */
		st = atlas_file_replace(path, pool, ATLAS_POOL_BYTES, err);
	free(pool);
	if (got)
		*got = n;
	return st;
}

enum atlas_status atlas_pool_query(enum atlas_pool_query q,
				   enum atlas_numbering n, const uint64_t *v,
				   char *buf, size_t size,
				   struct atlas_error *err)
{
	struct atlas_class_info ci;
	enum atlas_status st = ATLAS_OK;
	unsigned c, p, b;
	uint64_t off;
	uint32_t x = (uint32_t)v[0];
	size_t k = 0;

	buf[0] = '\0';
	switch (q) {
	case ATLAS_QUERY_ENCODE:
		if (!(st = atlas_phi_encode(v[0], v[1], &x, err)))
			snprintf(buf, size, "0x%08" PRIx32, x);
		break;
	case ATLAS_QUERY_DECODE:
		if ((x & 0xFFFF) >= ATLAS_PAGES) {
			atlas_error_set(err, st = ATLAS_ERR_ARG, 0, 0,
					"invalid page %u in phi value "
					"0x%08" PRIx32 " (must be < 48)",
					(unsigned)(x & 0xFFFF), x);
		} else if (!(st = atlas_phi_decode(x, &p, &b, err)))
			snprintf(buf, size, "%u %u", p, b);
		break;
	case ATLAS_QUERY_MAP:
		if (!(st = atlas_bound_map(v[0], v[1], v[2], &off, err)))
			snprintf(buf, size, "%" PRIu64, off);
		break;
	case ATLAS_QUERY_UNMAP:
		if (!(st = atlas_bound_unmap(v[0], &c, &p, &b, err)))
			snprintf(buf, size, "%u %u %u", c, p, b);
		break;
	case ATLAS_QUERY_CLASS:
		snprintf(buf, size, "%u",
			 atlas_class_of_byte(n, (uint8_t)v[0]));
		break;
	case ATLAS_QUERY_MIRROR:
		if (!(st = atlas_class_mirror(n, v[0], &c, err)))
			snprintf(buf, size, "%u", c);
		break;
	case ATLAS_QUERY_NEIGHBORS:
		if ((st = atlas_class_info(ATLAS_NUMBERING_ATLAS, v[0], &ci,
					   err)))
			break;
		for (unsigned i = 0; i < ci.degree && k < size; i++)
			k += (size_t)snprintf(buf + k, size - k, "%s%u",
					      i ? " " : "", ci.nbr[i]);
		break;
	case ATLAS_QUERY_UNITY:
		for (c = 0; c < ATLAS_CLASSES && k < size; c++)
			if (!atlas_class_info(n, c, &ci, NULL) && ci.unity)
				k += (size_t)snprintf(buf + k, size - k, "%s%u",
						      k ? " " : "", c);
		break;
	}
	return st;
}
