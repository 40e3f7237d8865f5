/*
 * format_npy.c - the NumPy .npy data format (format.h): a header (magic,
 * version, a Python dict literal naming dtype, order and shape) followed
 * by the elements, little-endian, in C order.
 *
 * Versions 1.0 to 3.0 are read; 1.0 is written, laid out as numpy's
 * np.save lays it out (the dict, spare spaces for a shape of 21 digits,
 * then spaces and '\n' to a multiple of 64 bytes), so that the bytes
 * match numpy's and a header written before the element count is known
 * can be patched in place to any count.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "program.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64
#define NPY_MAX_HEADER 65536 /* longer headers are refused */
#define NPY_GROWTH_DIGITS 21 /* numpy's GROWTH_AXIS_MAX_DIGITS */
#define NPY_HEADER_BUF 256   /* a written header is shorter */

/* The dtype of t ("<f4"), or NULL (bf16). */
static const char *npy_dtype(enum atlas_type t)
{
	static const char *const dtypes[ATLAS_NTYPES] = {
		[ATLAS_I8] = "|i1",  [ATLAS_I16] = "<i2", [ATLAS_I32] = "<i4",
		[ATLAS_I64] = "<i8", [ATLAS_U8] = "|u1",  [ATLAS_U16] = "<u2",
		[ATLAS_U32] = "<u4", [ATLAS_U64] = "<u8", [ATLAS_F16] = "<f2",
		[ATLAS_F32] = "<f4", [ATLAS_F64] = "<f8"};

	return (unsigned)t < ATLAS_NTYPES ? dtypes[t] : NULL;
}

/* ---- the header dict ---- */

struct dict {
	const char *s;
	size_t i, n;
	const char *descr; /* in s, not NUL-terminated */
	size_t descr_len;
	int fortran, have; /* have: bits of the keys seen */
	uint64_t count;
};

enum { HAVE_DESCR = 1, HAVE_ORDER = 2, HAVE_SHAPE = 4, TOO_LARGE = 8 };

static void ws(struct dict *d)
{
	while (d->i < d->n && strchr(" \t\r\n", d->s[d->i]) && d->s[d->i])
		d->i++;
}

/* Skip c (and the white space after it): 0, or -1 if c is not next. */
static int eat(struct dict *d, char c)
{
	if (d->i >= d->n || d->s[d->i] != c)
		return -1;
	d->i++;
	ws(d);
	return 0;
}

/* A quoted string without escapes: its text at *p, *len bytes. */
static int string(struct dict *d, const char **p, size_t *len)
{
	const char q = d->i < d->n ? d->s[d->i] : 0;
	size_t j;

	if (q != '\'' && q != '"')
		return -1;
	for (j = d->i + 1; j < d->n && d->s[j] != q && d->s[j] != '\\'; j++)
		;
	if (j >= d->n || d->s[j] != q)
		return -1;
	*p = d->s + d->i + 1;
	*len = j - d->i - 1;
	d->i = j + 1;
	ws(d);
	return 0;
}

static int word(struct dict *d, const char *w)
{
	const size_t l = strlen(w);

	if (d->n - d->i < l || memcmp(d->s + d->i, w, l) != 0)
		return -1;
	d->i += l;
	ws(d);
	return 0;
}

/* One dimension: digits, with Python 2's 'L' suffix allowed. */
static int dim(struct dict *d, uint64_t *v)
{
	const size_t from = d->i;

	*v = 0;
	while (d->i < d->n && d->s[d->i] >= '0' && d->s[d->i] <= '9') {
		const uint64_t digit = (uint64_t)(d->s[d->i++] - '0');

		if (*v > (UINT64_MAX - 1 - digit) / 10)
			d->have |= TOO_LARGE;
		else
			*v = *v * 10 + digit;
	}
	if (d->i == from)
		return -1;
	if (d->i < d->n && d->s[d->i] == 'L')
		d->i++;
	ws(d);
	return 0;
}

/* (), (n,), (n, k, ...): d->count is the product. */
static int shape(struct dict *d)
{
	uint64_t v;

	d->count = 1;
	if (eat(d, '('))
		return -1;
	while (eat(d, ')')) {
		if (dim(d, &v))
			return -1;
		if (v && d->count > (UINT64_MAX - 1) / v)
			d->have |= TOO_LARGE;
		else
			d->count *= v;
		if (eat(d, ',') && (d->i >= d->n || d->s[d->i] != ')'))
			return -1;
	}
	return 0;
}

/* One "'key': value" of the dict. */
static int entry(struct dict *d)
{
	const char *k;
	size_t len;
	int bit;

	if (string(d, &k, &len) || eat(d, ':'))
		return -1;
	if (len == 5 && memcmp(k, "descr", 5) == 0) {
		bit = HAVE_DESCR;
		if (string(d, &d->descr, &d->descr_len))
			return -1;
	} else if (len == 13 && memcmp(k, "fortran_order", 13) == 0) {
		bit = HAVE_ORDER;
		d->fortran = word(d, "True") == 0;
		if (!d->fortran && word(d, "False"))
			return -1;
	} else if (len == 5 && memcmp(k, "shape", 5) == 0) {
		bit = HAVE_SHAPE;
		if (shape(d))
			return -1;
	} else {
		return -1;
	}
	if (d->have & bit)
		return -1;
	d->have |= bit;
	return 0;
}

/* The whole dict, in any order, a trailing comma allowed. */
static int parse_dict(struct dict *d)
{
	ws(d);
	if (eat(d, '{'))
		return -1;
	while (eat(d, '}')) {
		if (entry(d))
			return -1;
		if (eat(d, ',') && (d->i >= d->n || d->s[d->i] != '}'))
			return -1;
	}
	if (d->i != d->n ||
	    (d->have & 7) != (HAVE_DESCR | HAVE_ORDER | HAVE_SHAPE))
		return -1;
	return 0;
}

/* ---- reading ---- */

/* Fail opening r with r's deferred error, or a new one. */
static enum atlas_status open_fail(struct fmt_reader *r,
				   struct atlas_error *err, const char *msg)
{
	if (r->failed) {
		if (err)
			*err = r->err;
		return r->err.code;
	}
	fmt_error(err, ATLAS_ERR_INPUT, r->label, "%s", msg);
	return ATLAS_ERR_INPUT;
}

/* Check the dict: dtype, then order. */
static enum atlas_status check_dict(struct fmt_reader *r, const struct dict *d,
				    struct atlas_error *err)
{
	const char *want = npy_dtype(r->type);
	const char *got = d->descr;
	const size_t len = d->descr_len;

	if (len > 0 && got[0] == '>') {
		fmt_error(err, ATLAS_ERR_INPUT, r->label,
			  "big-endian .npy data is not supported");
		return ATLAS_ERR_INPUT;
	}
	if (len != 3 || memcmp(got + 1, want + 1, 2) != 0 ||
	    (got[0] != want[0] &&
	     !(r->esize == 1 && (got[0] == '<' || got[0] == '|')))) {
		fmt_error(err, ATLAS_ERR_INPUT, r->label,
			  ".npy dtype '%.*s' does not match %s",
			  len > 32 ? 32 : (int)len, got,
			  atlas_type_name(r->type));
		return ATLAS_ERR_INPUT;
	}
	if (d->fortran) {
		fmt_error(err, ATLAS_ERR_INPUT, r->label,
			  "Fortran-order .npy arrays are not supported");
		return ATLAS_ERR_INPUT;
	}
	if (d->have & TOO_LARGE) {
		fmt_error(err, ATLAS_ERR_INPUT, r->label,
			  ".npy shape too large");
		return ATLAS_ERR_INPUT;
	}
	r->count = r->left = d->count;
	return ATLAS_OK;
}

/* Read the header of hlen bytes and check it. */
static enum atlas_status read_dict(struct fmt_reader *r, size_t hlen,
				   struct atlas_error *err)
{
	struct dict d = {0};
	enum atlas_status rc;
	char *h;

	if (hlen > NPY_MAX_HEADER)
		return open_fail(r, err, ".npy header too long");
	if (!(h = malloc(hlen ? hlen : 1))) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	if (fmt_bytes_in(r, h, hlen) < hlen) {
		free(h);
		return open_fail(r, err, "truncated .npy header");
	}
	d.s = h;
	d.n = hlen;
	if (parse_dict(&d))
		rc = open_fail(r, err, "malformed .npy header");
	else
		rc = check_dict(r, &d, err);
	free(h);
	return rc;
}

enum atlas_status fmt_npy_reader_open(struct fmt_reader *r,
				      struct atlas_error *err)
{
	unsigned char pre[12];
	size_t nlen;
	char msg[64];

	if (!npy_dtype(r->type)) {
		fmt_error(err, ATLAS_ERR_INPUT, r->label,
			  "no .npy dtype for %s", atlas_type_name(r->type));
		return ATLAS_ERR_INPUT;
	}
	if (fmt_bytes_in(r, pre, 8) < 8 ||
	    memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
		return open_fail(r, err, "not a .npy file");
	if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0) {
		snprintf(msg, sizeof msg, "unsupported .npy version %u.%u",
			 pre[6], pre[7]);
		return open_fail(r, err, msg);
	}
	nlen = pre[6] == 1 ? 2 : 4; /* the header length: u16, else u32 */
	if (fmt_bytes_in(r, pre + 8, nlen) < nlen)
		return open_fail(r, err, "truncated .npy header");
	return read_dict(r,
			 nlen == 2 ? (size_t)pre[8] | (size_t)pre[9] << 8 :
				     (size_t)pre[8] | (size_t)pre[9] << 8 |
					     (size_t)pre[10] << 16 |
					     (size_t)pre[11] << 24,
			 err);
}

/* After the last element: the input must end. */
static void check_end(struct fmt_reader *r)
{
	char c;

	if (fmt_bytes_in(r, &c, 1) == 1)
		fmt_fail(r, ATLAS_ERR_INPUT,
			 "data after the %" PRIu64
			 " elements of the .npy array",
			 r->count);
	r->eof = 1;
}

size_t fmt_npy_read(struct fmt_reader *r, void *buf, size_t n)
{
	const size_t want = n < r->left ? n : (size_t)r->left;
	const size_t got = fmt_bytes_in(r, buf, want * r->esize);
	const size_t k = got / r->esize;

	r->left -= k;
	r->elements += k;
	if (r->failed)
		return k;
	if (k < want) {
		r->partial = got % r->esize;
		fmt_fail(r, ATLAS_ERR_INPUT,
			 ".npy data ends after %" PRIu64 " of %" PRIu64
			 " elements",
			 r->elements, r->count);
	} else if (r->left == 0) {
		check_end(r);
	}
	return k;
}

/* ---- writing ---- */

/* The header of a 1-D array of n elements in out; returns its length. */
static size_t header(const struct fmt_writer *w, uint64_t n, char *out)
{
	char dict[NPY_HEADER_BUF];
	const int digits = snprintf(NULL, 0, "%" PRIu64, n);
	const int dl = snprintf(dict, sizeof dict,
				"{'descr': '%s', 'fortran_order': False, "
				"'shape': (%" PRIu64 ",), }%*s",
				npy_dtype(w->type), n,
				NPY_GROWTH_DIGITS - digits, "");
	/* with the '\n', padded to a multiple of NPY_ALIGN, as numpy pads:
	   a whole NPY_ALIGN of spaces rather than none */
	const size_t hlen = (size_t)dl + 1;
	const size_t pad = NPY_ALIGN - (10 + hlen) % NPY_ALIGN;
	const size_t total = 10 + hlen + pad;

	memcpy(out, NPY_MAGIC "\x01\x00", 8);
	out[8] = (char)((hlen + pad) & 0xff);
	out[9] = (char)((hlen + pad) >> 8);
	memcpy(out + 10, dict, (size_t)dl);
	memset(out + 10 + dl, ' ', pad);
	out[total - 1] = '\n';
	return total;
}

enum atlas_status fmt_npy_writer_open(struct fmt_writer *w,
				      struct atlas_error *err)
{
	if (!npy_dtype(w->type)) {
		fmt_error(err, ATLAS_ERR_ARG, w->label, "no .npy dtype for %s",
			  atlas_type_name(w->type));
		return ATLAS_ERR_ARG;
	}
	if (w->count != ATLAS_COUNT_UNSET)
		return ATLAS_OK;
	/* the header is patched at close: it must be found again */
	if ((w->header_at = lseek(w->fd, 0, SEEK_CUR)) < 0) {
		fmt_error(err, ATLAS_ERR_ARG, w->label,
			  "a .npy output to a pipe needs its length in "
			  "advance");
		return ATLAS_ERR_ARG;
	}
	return ATLAS_OK;
}

/* Write the header announcing n elements. */
static enum atlas_status put_header(struct fmt_writer *w, uint64_t n,
				    struct atlas_error *err)
{
	char h[2 * NPY_HEADER_BUF];
	enum atlas_status rc;

	w->header_len = header(w, n, h);
	if ((rc = fmt_bytes_out(w, h, w->header_len, err)) == ATLAS_OK)
		w->header_done = 1;
	return rc;
}

enum atlas_status fmt_npy_write(struct fmt_writer *w, const void *buf, size_t n,
				struct atlas_error *err)
{
	enum atlas_status rc;

	if (!w->header_done &&
	    (rc = put_header(w, w->count == ATLAS_COUNT_UNSET ? 0 : w->count,
			     err)) != ATLAS_OK)
		return rc;
	if ((rc = fmt_bytes_out(w, buf, n * w->esize, err)) == ATLAS_OK)
		w->elements += n;
	return rc;
}

/* Rewrite the header in place with the count now known. */
static enum atlas_status patch_header(struct fmt_writer *w,
				      struct atlas_error *err)
{
	char h[2 * NPY_HEADER_BUF];
	const size_t len = header(w, w->elements, h);
	size_t done = 0;

	/* the same length: the spare spaces take any count's digits */
	assert(len == w->header_len);
	while (done < len) {
		const ssize_t k = pwrite(w->fd, h + done, len - done,
					 w->header_at + (off_t)done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			const int e = k < 0 ? errno : EIO;

			fmt_error(err, ATLAS_ERR_IO, fmt_write_label(w),
				  "write error: %s", strerror(e));
			if (err)
				err->errnum = e;
			return ATLAS_ERR_IO;
		}
		done += (size_t)k;
	}
	return ATLAS_OK;
}

enum atlas_status fmt_npy_writer_close(struct fmt_writer *w,
				       struct atlas_error *err)
{
	const int known = w->count != ATLAS_COUNT_UNSET;
	enum atlas_status rc;

	if (!w->header_done) {
		rc = put_header(w, known ? w->count : w->elements, err);
		if (rc != ATLAS_OK)
			return rc;
	} else if (!known) {
		return patch_header(w, err);
	}
	if (known && w->elements != w->count) {
		fmt_error(err, ATLAS_ERR_ARG, w->label,
			  ".npy output got %" PRIu64
			  " elements, its header says %" PRIu64,
			  w->elements, w->count);
		return ATLAS_ERR_ARG;
	}
	return ATLAS_OK;
}
