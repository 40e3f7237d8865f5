/*
 * format.h - reading and writing the elements of an array parameter in
 * its data format (enum atlas_data_format; man 1 atlas-run, Formats):
 * raw, text or NumPy .npy, a chunk at a time, in memory that does not
 * grow with the data.  Used by the streaming and resident runners.
 *
 * Readers never fail in the middle: an error after the start (a read
 * error, a malformed number) is kept in the reader (failed, err) and the
 * elements before it are delivered first, so that a runner can run and
 * write them before it reports the error.  Internal to libatlas.
 */
#ifndef ATLAS_FORMAT_H
#define ATLAS_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "atlas.h"

/* Bytes one read(2) or write(2) on a pipe moves at most. */
#define FMT_TRANSFER (256 * 1024)

/* Bytes of the text buffers: a number in a text input is shorter. */
#define FMT_TEXT_BUF (64 * 1024)

struct fmt_reader {
	/* set by fmt_reader_open, read-only after */
	int fd;
	enum atlas_data_format fmt;
	enum atlas_type type;
	size_t esize; /* bytes per element in memory */
	const char *label;
	/*
	 * Elements the input holds from where reading starts, when known
	 * before reading them: a .npy header's shape, a raw regular file's
	 * size (from the current offset) divided by esize, rounded down;
	 * else ATLAS_COUNT_UNSET (pipes, text).
	 */
	uint64_t count;

	/* progress, updated by fmt_read */
	uint64_t elements; /* elements delivered so far */
	uint64_t bytes;	   /* bytes read from fd, header included */
	int eof;	   /* no element will follow (end of input or failed) */
	size_t partial;	   /* at end of input: bytes of a trailing partial
			      element (raw, .npy), else 0 */
	int failed;	   /* an error follows the elements delivered */
	struct atlas_error err; /* that error, messages prefixed by label */

	/* private */
	int regular;   /* fd is a regular file: read in one call */
	uint64_t left; /* .npy: elements the header still promises */
	char *text;    /* text: the read buffer (FMT_TEXT_BUF bytes) */
	size_t tlen;   /* bytes in text */
	size_t tpos;   /* bytes of text consumed */
	uint64_t line; /* text: line of text[tpos], from 1 */
	int text_eof;  /* text: fd reached its end */
};

/*
 * Start reading fd in format f as elements of type t; label names the
 * file in messages ("LABEL: message").  Reads a .npy header and checks it
 * (magic, version 1.0 to 3.0, dtype equal to t's little-endian dtype,
 * C order, a shape of non-negative integers) with messages such as
 * "LABEL: not a .npy file", "LABEL: .npy dtype '<f8' does not match f32",
 * "LABEL: Fortran-order .npy arrays are not supported", "LABEL: no .npy
 * dtype for bf16".  Returns ATLAS_ERR_INPUT, ATLAS_ERR_IO or
 * ATLAS_ERR_NOMEM with a message on failure (nothing to close then).
 */
enum atlas_status fmt_reader_open(struct fmt_reader *r, int fd,
				  enum atlas_data_format f, enum atlas_type t,
				  const char *label, struct atlas_error *err);

/*
 * Read up to n elements into buf (n * esize bytes); returns the number
 * stored, fewer than n only when r->eof is then set.  Raw and .npy data
 * read from a pipe move at most FMT_TRANSFER bytes per read(2); regular
 * files are read directly.  Text: numbers separated by white space, each
 * as atlas_value_parse reads it, except that f16 and bf16 take decimals
 * too (rounded to nearest even); a bad number stops the input with
 * "LABEL:LINE: invalid value 'TEXT' for f32" in r->err.  A .npy input
 * that ends before its shape says fails with "LABEL: .npy data ends after
 * N of M elements"; one with bytes after the data, with "LABEL: data
 * after the N elements of the .npy array".  At the end of raw input a
 * partial element sets r->partial (not an error here: the runner words
 * it).
 */
size_t fmt_read(struct fmt_reader *r, void *buf, size_t n);

/*
 * After the last fmt_read: the error that ends r, if any: its deferred
 * error (r->failed), else a partial trailing element ("LABEL: trailing
 * partial element (N bytes; f32 elements are 4 bytes)", ATLAS_ERR_INPUT).
 */
enum atlas_status fmt_reader_status(const struct fmt_reader *r,
				    struct atlas_error *err);

/*
 * Read every element r gives into a malloc'd buffer (*data, free it;
 * one byte more than *count elements, so never a malloc(0)), at once
 * when r->count is known, else growing it geometrically, and then
 * fmt_reader_status.  More than max_bytes fails with "NAME: resident
 * input larger than MAX bytes" (ATLAS_ERR_LIMIT).  *data and *count hold
 * what was read whatever the result.
 */
enum atlas_status fmt_read_whole(struct fmt_reader *r, const char *name,
				 uint64_t max_bytes, uint8_t **data,
				 uint64_t *count, struct atlas_error *err);

/* Free what the reader holds (not the fd). */
void fmt_reader_close(struct fmt_reader *r);

struct fmt_writer {
	/* set by fmt_writer_open, read-only after */
	int fd;
	enum atlas_data_format fmt;
	enum atlas_type type;
	size_t esize;
	const char *label;

	/* progress */
	uint64_t elements; /* elements written so far */
	uint64_t bytes;	   /* bytes written to fd, header included */

	/* private */
	int regular;	   /* fd is a regular file: written in one call */
	uint64_t count;	   /* .npy: elements the header announces, or
			      ATLAS_COUNT_UNSET (patched at close) */
	int header_done;   /* .npy: the header is written */
	off_t header_at;   /* .npy: fd's offset where the header starts */
	size_t header_len; /* .npy: its length */
	char *text;	   /* text: the output buffer (FMT_TEXT_BUF bytes) */
	size_t tlen;
};

/*
 * Start writing elements of type t to fd in format f; label names the
 * file in messages, or is NULL for messages without a name ("write
 * error: STRERROR", as resident runs word it).  count is the
 * number of elements that will be written, when known before the first
 * (ATLAS_COUNT_UNSET otherwise).  A .npy output whose count is unknown
 * needs a seekable fd: its header is written with room for any shape and
 * patched at fmt_writer_close; on a pipe it fails with "LABEL: a .npy
 * output to a pipe needs its length in advance".  Nothing is written
 * before the first fmt_write or fmt_writer_close.
 */
enum atlas_status fmt_writer_open(struct fmt_writer *w, int fd,
				  enum atlas_data_format f, enum atlas_type t,
				  uint64_t count, const char *label,
				  struct atlas_error *err);

/*
 * Write n elements from buf (n * esize bytes).  Text: one number per
 * line, the shortest decimal that reads back to the same value (integers
 * in decimal; nan, inf, -inf).  Raw and .npy data written to a pipe move
 * at most FMT_TRANSFER bytes per write(2).  Errors: "LABEL: write error:
 * STRERROR" (ATLAS_ERR_IO, errnum set, so that EPIPE can be told apart).
 */
enum atlas_status fmt_write(struct fmt_writer *w, const void *buf, size_t n,
			    struct atlas_error *err);

/*
 * Finish the output: flush text, write the .npy header of an empty array,
 * patch a .npy header written without its count; a .npy output that
 * announced count elements and got a different number fails ("LABEL:
 * .npy output got N elements, its header says M").  Frees what the writer
 * holds (not the fd) either way.
 */
enum atlas_status fmt_writer_close(struct fmt_writer *w,
				   struct atlas_error *err);

/* Free what the writer holds, without finishing the output. */
void fmt_writer_discard(struct fmt_writer *w);

/* ---- between format.c, format_text.c and format_npy.c ---- */

/* Fill err with "LABEL: message" ("message" if label is NULL). */
void fmt_error(struct atlas_error *err, enum atlas_status code,
	       const char *label, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Stop r after what it delivered: failed, eof, and r->err as fmt_error. */
void fmt_fail(struct fmt_reader *r, enum atlas_status code, const char *fmt,
	      ...) __attribute__((format(printf, 3, 4)));
/* Read up to n bytes as raw data is read; fewer only at the end of input
   or after an error (r->failed). */
size_t fmt_bytes_in(struct fmt_reader *r, void *buf, size_t n);
/* The label of w's write errors: none for standard output, whose write
   errors read "write error: STRERROR" as in every Atlas program. */
const char *fmt_write_label(const struct fmt_writer *w);
/* Write n bytes as raw data is written. */
enum atlas_status fmt_bytes_out(struct fmt_writer *w, const void *buf, size_t n,
				struct atlas_error *err);

enum atlas_status fmt_text_reader_open(struct fmt_reader *r,
				       struct atlas_error *err);
size_t fmt_text_read(struct fmt_reader *r, void *buf, size_t n);
enum atlas_status fmt_text_writer_open(struct fmt_writer *w,
				       struct atlas_error *err);
enum atlas_status fmt_text_write(struct fmt_writer *w, const void *buf,
				 size_t n, struct atlas_error *err);
enum atlas_status fmt_text_flush(struct fmt_writer *w, struct atlas_error *err);

enum atlas_status fmt_npy_reader_open(struct fmt_reader *r,
				      struct atlas_error *err);
size_t fmt_npy_read(struct fmt_reader *r, void *buf, size_t n);
enum atlas_status fmt_npy_writer_open(struct fmt_writer *w,
				      struct atlas_error *err);
enum atlas_status fmt_npy_write(struct fmt_writer *w, const void *buf, size_t n,
				struct atlas_error *err);
enum atlas_status fmt_npy_writer_close(struct fmt_writer *w,
				       struct atlas_error *err);

#endif
