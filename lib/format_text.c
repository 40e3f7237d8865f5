/*
 * format_text.c - the text data format (format.h): decimal numbers
 * separated by white space on input, one per line on output.
 *
 * Numbers are read as scalar bindings are (atlas_value_parse), so that a
 * value means the same on the command line and in a file; f16 and bf16
 * take decimals besides their hex bit patterns.  Numbers are written as
 * the shortest decimal that reads back to the same bits, so that a text
 * round trip is exact; a NaN with a payload, which no decimal spells, is
 * written as its hex bit pattern, which reads back too.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "format.h"
#include "program.h"
#include "vmath.h"

/* Room for the longest number written ("-2.2250738585072014e-308") */
#define TEXT_MAX_NUMBER 40

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* ---- f16 and bf16 from decimals ---- */

/*
 * d rounded once, to nearest even, to a format of mbits stored mantissa
 * bits whose normal exponents start at emin; above max, infinity.  The
 * result is exact in a float (both formats are subsets of f32).
 */
static float round_half(double d, int mbits, int emin, double max)
{
	const double a = fabs(d);
	int e;
	double q, r;

	if (isnan(d) || isinf(d))
		return (float)d;
	(void)frexp(a, &e); /* a in [2^(e-1), 2^e) */
	e = a == 0 || e - 1 < emin ? emin : e - 1;
	q = ldexp(1.0, e - mbits); /* the spacing of values near a */
	r = nearbyint(a / q) * q;  /* a / q and the product are exact */
	if (r > max)
		r = INFINITY;
	return (float)copysign(r, d);
}

static uint16_t f16_of(double d)
{
	/* 65504 is the largest f16; 65520 would round to 65536 */
	const float f = round_half(d, 10, -14, 65504.0);
	uint16_t h;

	vm_f32_to_f16(&h, &f, 1); /* exact */
	return h;
}

static uint16_t bf16_of(double d)
{
	const float f = round_half(d, 7, -126, 0x1.fep127);
	uint16_t h;

	vm_f32_to_bf16(&h, &f, 1); /* exact */
	return h;
}

/*
 * A number of type t: what atlas_value_parse reads; for f16 and bf16
 * also a decimal, read as an f64 binding is, then rounded.  A finite
 * decimal that rounds to infinity is out of range, as it is for f32.
 */
static enum atlas_status parse_value(const char *s, enum atlas_type t,
				     uint64_t *bits, struct atlas_error *err)
{
	const int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	uint64_t d;

	if ((t != ATLAS_F16 && t != ATLAS_BF16) || hex)
		return atlas_value_parse(s, t, bits, err);
	if (atlas_value_parse(s, ATLAS_F64, &d, NULL) == ATLAS_OK) {
		*bits = t == ATLAS_F16 ? f16_of(asd(d)) : bf16_of(asd(d));
		if ((*bits & 0x7fff) != (t == ATLAS_F16 ? 0x7c00u : 0x7f80u) ||
		    isinf(asd(d)))
			return ATLAS_OK;
	}
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0, "invalid value '%s' for %s",
			s, atlas_type_name(t));
	return ATLAS_ERR_ARG;
}

/* Store the low esize bytes of bits as an element in memory. */
static void store(void *dst, uint64_t bits, size_t esize)
{
	const uint8_t u8 = (uint8_t)bits;
	const uint16_t u16 = (uint16_t)bits;
	const uint32_t u32 = (uint32_t)bits;

	switch (esize) {
	case 1:
		memcpy(dst, &u8, 1);
		break;
	case 2:
		memcpy(dst, &u16, 2);
		break;
	case 4:
		memcpy(dst, &u32, 4);
		break;
	default:
		memcpy(dst, &bits, 8);
	}
}

/* The element at src as a bit pattern. */
static uint64_t load(const void *src, size_t esize)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (esize) {
	case 1:
		memcpy(&u8, src, 1);
		return u8;
	case 2:
		memcpy(&u16, src, 2);
		return u16;
	case 4:
		memcpy(&u32, src, 4);
		return u32;
	default:
		memcpy(&u64, src, 8);
		return u64;
	}
}

/* ---- reading ---- */

enum atlas_status fmt_text_reader_open(struct fmt_reader *r,
				       struct atlas_error *err)
{
	/* one byte more, for the NUL after a token at the end of input */
	if (!(r->text = malloc(FMT_TEXT_BUF + 1))) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	return ATLAS_OK;
}

/* Stop r with "LABEL:LINE: msg". */
static void text_fail(struct fmt_reader *r, uint64_t line, const char *msg)
{
	if (r->label)
		atlas_error_set(&r->err, ATLAS_ERR_INPUT, 0, 0,
				"%s:%" PRIu64 ": %s", r->label, line, msg);
	else
		atlas_error_set(&r->err, ATLAS_ERR_INPUT, 0, 0,
				"line %" PRIu64 ": %s", line, msg);
	r->failed = 1;
	r->eof = 1;
}

/*
 * Move the unconsumed text to the front and fill the rest of the buffer.
 * Returns 0 when nothing more can come (end of input, or r->failed).
 */
static int refill(struct fmt_reader *r)
{
	size_t got;

	if (r->text_eof || r->failed)
		return 0;
	memmove(r->text, r->text + r->tpos, r->tlen - r->tpos);
	r->tlen -= r->tpos;
	r->tpos = 0;
	got = fmt_bytes_in(r, r->text + r->tlen, FMT_TEXT_BUF - r->tlen);
	r->tlen += got;
	/* fmt_bytes_in fills the buffer unless the input ended */
	if (r->tlen < FMT_TEXT_BUF)
		r->text_eof = 1;
	return !r->failed;
}

/* Skip white space; 0 when no token follows. */
static int skip_space(struct fmt_reader *r)
{
	for (;;) {
		while (r->tpos < r->tlen && is_space(r->text[r->tpos])) {
			if (r->text[r->tpos] == '\n')
				r->line++;
			r->tpos++;
		}
		if (r->tpos < r->tlen)
			return 1;
		if (!refill(r) || r->tlen == 0)
			return 0;
	}
}

/*
 * The next token, whole in the buffer: *len bytes at text + tpos.
 * Returns 0 when none follows (end of input or r->failed).
 */
static int next_token(struct fmt_reader *r, size_t *len)
{
	size_t i, from = 0;

	if (!skip_space(r))
		return 0;
	for (;;) {
		for (i = r->tpos + from; i < r->tlen && !is_space(r->text[i]);
		     i++)
			;
		if (i < r->tlen || r->text_eof)
			break;
		if (r->tpos == 0) {
			text_fail(r, r->line, "value longer than 65536 bytes");
			return 0;
		}
		from = i - r->tpos; /* scanned already */
		if (!refill(r))
			return 0;
	}
	*len = i - r->tpos;
	return 1;
}

/* Parse the token of len bytes at tpos into dst; 0, or -1 (r failed). */
static int take_token(struct fmt_reader *r, size_t len, void *dst)
{
	char *tok = r->text + r->tpos;
	const char save = tok[len];
	struct atlas_error e;
	uint64_t bits;
	int rc = 0;

	tok[len] = '\0';
	if (strlen(tok) != len) { /* a NUL inside */
		atlas_error_set(&e, ATLAS_ERR_ARG, 0, 0,
				"invalid value '%s' for %s", tok,
				atlas_type_name(r->type));
		rc = -1;
	} else if (parse_value(tok, r->type, &bits, &e) != ATLAS_OK) {
		rc = -1;
	}
	if (rc == 0)
		store(dst, bits, r->esize);
	else
		text_fail(r, r->line, e.msg);
	tok[len] = save;
	r->tpos += len;
	return rc;
}

size_t fmt_text_read(struct fmt_reader *r, void *buf, size_t n)
{
	size_t k = 0, len;

	while (k < n && next_token(r, &len) &&
	       take_token(r, len, (char *)buf + k * r->esize) == 0)
		k++;
	if (k < n)
		r->eof = 1;
	r->elements += k;
	return k;
}

/* ---- writing ---- */

enum atlas_status fmt_text_writer_open(struct fmt_writer *w,
				       struct atlas_error *err)
{
	if (!(w->text = malloc(FMT_TEXT_BUF))) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	return ATLAS_OK;
}

/*
 * A NaN or an infinity of sign neg: "nan", "-nan", "inf", "-inf"; a NaN
 * other than the one "nan" reads as (canon) is written in hex.
 */
static int special(char *out, uint64_t bits, uint64_t canon, uint64_t sign,
		   int nan, int digits)
{
	const char *minus = bits & sign ? "-" : "";

	if (!nan)
		return snprintf(out, TEXT_MAX_NUMBER, "%sinf", minus);
	if ((bits & ~sign) == canon)
		return snprintf(out, TEXT_MAX_NUMBER, "%snan", minus);
	return snprintf(out, TEXT_MAX_NUMBER, "0x%0*" PRIx64, digits, bits);
}

/*
 * The shortest %.Pg, P in lo..hi, that reads back as bits (%.{hi}g always
 * does).  Reading back is monotonic in P, so P is found by bisection.
 */
static int shortest(char *out, double v, int lo, int hi, enum atlas_type t,
		    uint64_t bits)
{
	while (lo < hi) {
		const int mid = lo + (hi - lo) / 2;
		uint64_t back;

		snprintf(out, TEXT_MAX_NUMBER, "%.*g", mid, v);
		if (parse_value(out, t, &back, NULL) == ATLAS_OK &&
		    back == bits)
			hi = mid;
		else
			lo = mid + 1;
	}
	return snprintf(out, TEXT_MAX_NUMBER, "%.*g", lo, v);
}

/* Element bits of type t as text in out; returns its length. */
static int format_value(char *out, enum atlas_type t, uint64_t bits)
{
	const unsigned w = 8 * (unsigned)atlas_type_size(t);
	uint16_t h = (uint16_t)bits;
	float f;

	switch (t) {
	case ATLAS_F64:
		if (!isfinite(asd(bits)))
			return special(out, bits, 0x7ff8000000000000u,
				       (uint64_t)1 << 63, isnan(asd(bits)), 16);
		return shortest(out, asd(bits), 1, 17, t, bits);
	case ATLAS_F32:
		f = asf((uint32_t)bits);
		if (!isfinite(f))
			return special(out, bits, 0x7fc00000u, 0x80000000u,
				       isnan(f), 8);
		return shortest(out, f, 1, 9, t, bits);
	case ATLAS_F16:
	case ATLAS_BF16:
		if (t == ATLAS_F16)
			vm_f16_to_f32(&f, &h, 1);
		else
			vm_bf16_to_f32(&f, &h, 1);
		if (!isfinite(f))
			return special(out, bits,
				       t == ATLAS_F16 ? 0x7e00u : 0x7fc0u,
				       0x8000u, isnan(f), 4);
		return shortest(out, f, 1, 9, t, bits);
	default:
		break;
	}
	if (t <= ATLAS_I64) /* sign-extend from w bits */
		return snprintf(out, TEXT_MAX_NUMBER, "%" PRId64,
				(int64_t)(bits << (64 - w)) >> (64 - w));
	return snprintf(out, TEXT_MAX_NUMBER, "%" PRIu64, bits);
}

enum atlas_status fmt_text_flush(struct fmt_writer *w, struct atlas_error *err)
{
	enum atlas_status rc = fmt_bytes_out(w, w->text, w->tlen, err);

	w->tlen = 0;
	return rc;
}

enum atlas_status fmt_text_write(struct fmt_writer *w, const void *buf,
				 size_t n, struct atlas_error *err)
{
	enum atlas_status rc;

	for (size_t i = 0; i < n; i++) {
		const uint64_t bits =
			load((const char *)buf + i * w->esize, w->esize);

		if (w->tlen > FMT_TEXT_BUF - TEXT_MAX_NUMBER - 1 &&
		    (rc = fmt_text_flush(w, err)) != ATLAS_OK)
			return rc;
		w->tlen +=
			(size_t)format_value(w->text + w->tlen, w->type, bits);
		w->text[w->tlen++] = '\n';
		w->elements++;
	}
	return ATLAS_OK;
}
