/*
 * format.c - the data formats of array parameters (format.h): their
 * names, the reader and writer dispatch, and raw data, which is the bytes
 * of the elements as they are in memory.  Text is in format_text.c,
 * NumPy .npy in format_npy.c.
 *
 * Pipes move at most FMT_TRANSFER bytes per call, so that a chunk of
 * input is taken in pieces the size of an enlarged pipe buffer; regular
 * files are read and written in one call per request, which the kernel
 * serves best.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "program.h"

static const char *const names[] = {"raw", "text", "npy"};

const char *atlas_data_format_name(enum atlas_data_format f)
{
	return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "?";
}

int atlas_data_format_parse(const char *name, enum atlas_data_format *f)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*f = (enum atlas_data_format)i;
			return 0;
		}
	return -1;
}

static void vfmt_error(struct atlas_error *err, enum atlas_status code,
		       const char *label, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void vfmt_error(struct atlas_error *err, enum atlas_status code,
		       const char *label, const char *fmt, va_list ap)
{
	char msg[sizeof err->msg];

	if (!err)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (label)
		atlas_error_set(err, code, 0, 0, "%s: %s", label, msg);
	else
		atlas_error_set(err, code, 0, 0, "%s", msg);
}

void fmt_error(struct atlas_error *err, enum atlas_status code,
	       const char *label, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt_error(err, code, label, fmt, ap);
	va_end(ap);
}

void fmt_fail(struct fmt_reader *r, enum atlas_status code, const char *fmt,
	      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt_error(&r->err, code, r->label, fmt, ap);
	va_end(ap);
	r->failed = 1;
	r->eof = 1;
}

/* Whether fd is a regular file. */
static int is_regular(int fd, struct stat *st)
{
	return fstat(fd, st) == 0 && S_ISREG(st->st_mode);
}

size_t fmt_bytes_in(struct fmt_reader *r, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		const size_t want = r->regular || n - done < FMT_TRANSFER ?
					    n - done :
					    FMT_TRANSFER;
		struct atlas_error e;
		size_t got;

		if (atlas_read_full(r->fd, (char *)buf + done, want, &got,
				    &e)) {
			done += got;
			r->bytes += got;
			fmt_fail(r, ATLAS_ERR_IO, "%s", e.msg);
			r->err.errnum = e.errnum;
			return done;
		}
		done += got;
		r->bytes += got;
		if (got < want)
			break;
	}
	return done;
}

const char *fmt_write_label(const struct fmt_writer *w)
{
	return w->fd == STDOUT_FILENO ? NULL : w->label;
}

enum atlas_status fmt_bytes_out(struct fmt_writer *w, const void *buf, size_t n,
				struct atlas_error *err)
{
	size_t done = 0;

	while (done < n) {
		const size_t want = w->regular || n - done < FMT_TRANSFER ?
					    n - done :
					    FMT_TRANSFER;
		struct atlas_error e;

		if (atlas_write_full(w->fd, (const char *)buf + done, want,
				     &e)) {
			fmt_error(err, ATLAS_ERR_IO, fmt_write_label(w), "%s",
				  e.msg);
			if (err)
				err->errnum = e.errnum;
			return ATLAS_ERR_IO;
		}
		done += want;
		w->bytes += want;
	}
	return ATLAS_OK;
}

/* Raw elements: the count of a regular file from where reading starts. */
static void raw_count(struct fmt_reader *r, const struct stat *st)
{
	off_t at = lseek(r->fd, 0, SEEK_CUR);

	if (at < 0)
		at = 0;
	r->count = st->st_size > at ? (uint64_t)(st->st_size - at) / r->esize :
				      0;
}

enum atlas_status fmt_reader_open(struct fmt_reader *r, int fd,
				  enum atlas_data_format f, enum atlas_type t,
				  const char *label, struct atlas_error *err)
{
	struct stat st;

	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->fmt = f;
	r->type = t;
	r->esize = atlas_type_size(t);
	r->label = label;
	r->count = ATLAS_COUNT_UNSET;
	r->line = 1;
	r->regular = is_regular(fd, &st);
	if (r->esize == 0) {
		fmt_error(err, ATLAS_ERR_ARG, label, "no element type");
		return ATLAS_ERR_ARG;
	}
	switch (f) {
	case ATLAS_DATA_RAW:
		if (r->regular)
			raw_count(r, &st);
		return ATLAS_OK;
	case ATLAS_DATA_TEXT:
		return fmt_text_reader_open(r, err);
	case ATLAS_DATA_NPY:
		return fmt_npy_reader_open(r, err);
	}
	fmt_error(err, ATLAS_ERR_ARG, label, "unknown data format %d", (int)f);
	return ATLAS_ERR_ARG;
}

/* Raw: whole elements; at the end, what is left of one is partial. */
static size_t raw_read(struct fmt_reader *r, void *buf, size_t n)
{
	const size_t want = n * r->esize;
	const size_t got = fmt_bytes_in(r, buf, want);
	const size_t k = got / r->esize;

	if (got < want) {
		r->eof = 1;
		if (!r->failed)
			r->partial = got % r->esize;
	}
	r->elements += k;
	return k;
}

size_t fmt_read(struct fmt_reader *r, void *buf, size_t n)
{
	assert(n <= SIZE_MAX / r->esize);
	if (r->eof || n == 0)
		return 0;
	switch (r->fmt) {
	case ATLAS_DATA_TEXT:
		return fmt_text_read(r, buf, n);
	case ATLAS_DATA_NPY:
		return fmt_npy_read(r, buf, n);
	default:
		return raw_read(r, buf, n);
	}
}

void fmt_reader_close(struct fmt_reader *r)
{
	free(r->text);
	r->text = NULL;
}

enum atlas_status fmt_writer_open(struct fmt_writer *w, int fd,
				  enum atlas_data_format f, enum atlas_type t,
				  uint64_t count, const char *label,
				  struct atlas_error *err)
{
	struct stat st;

	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->fmt = f;
	w->type = t;
	w->esize = atlas_type_size(t);
	w->label = label;
	w->count = count;
	w->regular = is_regular(fd, &st);
	if (w->esize == 0) {
		fmt_error(err, ATLAS_ERR_ARG, label, "no element type");
		return ATLAS_ERR_ARG;
	}
	switch (f) {
	case ATLAS_DATA_RAW:
		return ATLAS_OK;
	case ATLAS_DATA_TEXT:
		return fmt_text_writer_open(w, err);
	case ATLAS_DATA_NPY:
		return fmt_npy_writer_open(w, err);
	}
	fmt_error(err, ATLAS_ERR_ARG, label, "unknown data format %d", (int)f);
	return ATLAS_ERR_ARG;
}

enum atlas_status fmt_write(struct fmt_writer *w, const void *buf, size_t n,
			    struct atlas_error *err)
{
	enum atlas_status rc;

	assert(n <= SIZE_MAX / w->esize);
	switch (w->fmt) {
	case ATLAS_DATA_TEXT:
		return fmt_text_write(w, buf, n, err);
	case ATLAS_DATA_NPY:
		return fmt_npy_write(w, buf, n, err);
	default:
		if ((rc = fmt_bytes_out(w, buf, n * w->esize, err)) == ATLAS_OK)
			w->elements += n;
		return rc;
	}
}

enum atlas_status fmt_writer_close(struct fmt_writer *w,
				   struct atlas_error *err)
{
	enum atlas_status rc = ATLAS_OK;

	if (w->fmt == ATLAS_DATA_TEXT)
		rc = fmt_text_flush(w, err);
	else if (w->fmt == ATLAS_DATA_NPY)
		rc = fmt_npy_writer_close(w, err);
	fmt_writer_discard(w);
	return rc;
}

void fmt_writer_discard(struct fmt_writer *w)
{
	free(w->text);
	w->text = NULL;
}

enum atlas_status fmt_reader_status(const struct fmt_reader *r,
				    struct atlas_error *err)
{
	if (r->failed) {
		if (err)
			*err = r->err;
		return r->err.code;
	}
	if (r->partial) {
		atlas_error_set(err, ATLAS_ERR_INPUT, 0, 0,
				"%s: trailing partial element (%zu bytes; %s "
				"elements are %zu bytes)",
				r->label, r->partial, atlas_type_name(r->type),
				r->esize);
		return ATLAS_ERR_INPUT;
	}
	return ATLAS_OK;
}

/* Make *data hold cap elements of r. */
static enum atlas_status grow_to(const struct fmt_reader *r, uint8_t **data,
				 uint64_t cap, struct atlas_error *err)
{
	uint8_t *q;

	if (cap > (SIZE_MAX - 1) / r->esize ||
	    !(q = realloc(*data, (size_t)(cap * r->esize) + 1))) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	*data = q;
	return ATLAS_OK;
}

enum atlas_status fmt_read_whole(struct fmt_reader *r, const char *name,
				 uint64_t max_bytes, uint8_t **data,
				 uint64_t *count, struct atlas_error *err)
{
	const uint64_t limit = max_bytes / r->esize; /* elements */
	uint64_t cap = r->count != ATLAS_COUNT_UNSET ? r->count :
						       (64 * 1024) / r->esize;
	enum atlas_status rc;
	uint64_t probe;

	*data = NULL;
	*count = 0;
	if ((r->count != ATLAS_COUNT_UNSET && r->count > limit))
		goto too_big;
	if (cap > limit)
		cap = limit;
	if ((rc = grow_to(r, data, cap, err)) != ATLAS_OK)
		return rc;
	while (!r->eof) {
		if (*count < cap) {
			*count += fmt_read(r, *data + *count * r->esize,
					   (size_t)(cap - *count));
			continue;
		}
		if (cap == limit) { /* full: one more element is too many */
			if (fmt_read(r, &probe, 1) == 1)
				goto too_big;
			break;
		}
		cap = cap > limit / 2 ? limit : cap * 2 + 1;
		if ((rc = grow_to(r, data, cap, err)) != ATLAS_OK)
			return rc;
	}
	return fmt_reader_status(r, err);
too_big:
	atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
			"%s: resident input larger than %" PRIu64 " bytes",
			name, max_bytes);
	return ATLAS_ERR_LIMIT;
}
