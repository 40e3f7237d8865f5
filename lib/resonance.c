/*
 * resonance.c - exact rational resonance: the accumulator R[96]
 * (reference 1.6, DESIGN.md 8.2).
 *
 * Ratios are i64/i64 in canonical form.  Every addition is done on
 * 128-bit integers and reduced before the result is narrowed, so that no
 * value is ever rounded: a result that does not fit i64 is an error and
 * leaves its target as it was.  Sums over the 96 classes keep a 128-bit
 * running sum, so partial sums may leave i64 range as long as the total
 * comes back.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* A ratio on 128 bits: den > 0 and, once reduced, gcd(|num|, den) = 1. */
struct wide {
	i128 num, den;
};

static const struct atlas_ratio zero = {0, 1};

static u128 uabs(i128 v)
{
	return v < 0 ? (u128)0 - (u128)v : (u128)v;
}

static u128 gcd(u128 a, u128 b)
{
	while (b) {
		/* Almost every ratio fits 64 bits: cheap division there. */
		if (!(a >> 64) && !(b >> 64)) {
			uint64_t x = (uint64_t)a, y = (uint64_t)b;

			while (y) {
				uint64_t t = x % y;

				x = y;
				y = t;
			}
			return x;
		}
		u128 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Divide out the common factor of a ratio whose den > 0. */
static struct wide reduce(struct wide w)
{
	u128 g;

	assert(w.den > 0);
	if (w.num == 0) {
		w.den = 1;
		return w;
	}
	/* g <= den <= the i128 maximum: the signed division is defined. */
	g = gcd(uabs(w.num), (u128)w.den);
	w.num /= (i128)g;
	w.den /= (i128)g;
	return w;
}

/*
 * *sum = a + b, reduced.  Works with lcm(a.den, b.den) rather than the
 * product of the denominators, to keep intermediates small; returns -1
 * when even 128 bits do not hold them.  Two i64 ratios never overflow.
 */
static int wide_add(struct wide a, struct wide b, struct wide *sum)
{
	i128 g = (i128)gcd((u128)a.den, (u128)b.den);
	i128 bg = b.den / g, ag = a.den / g, x, y;
	struct wide r;

	if (__builtin_mul_overflow(a.num, bg, &x) ||
	    __builtin_mul_overflow(b.num, ag, &y) ||
	    __builtin_add_overflow(x, y, &r.num) ||
	    __builtin_mul_overflow(a.den, bg, &r.den))
		return -1;
	*sum = reduce(r);
	return 0;
}

static struct wide widen(struct atlas_ratio r)
{
	struct wide w = {r.num, r.den};

	return w;
}

static int fits_i64(i128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/* Decimal text of v; buf holds at least 41 bytes. */
static const char *i128_str(char *buf, i128 v)
{
	char tmp[41], *p = tmp + sizeof tmp;
	u128 u = uabs(v);

	*--p = '\0';
	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	memcpy(buf, p, (size_t)(tmp + sizeof tmp - p));
	return buf;
}

static enum atlas_status overflow(struct wide w, struct atlas_error *err)
{
	char n[41], d[41];

	atlas_error_set(
		err, ATLAS_ERR_LIMIT, 0, 0,
		"resonance arithmetic overflow: %s/%s exceeds i64 range",
		i128_str(n, w.num), i128_str(d, w.den));
	return ATLAS_ERR_LIMIT;
}

/* Narrow a reduced ratio to *out, or fail with the overflow message. */
static enum atlas_status narrow(struct wide w, struct atlas_ratio *out,
				struct atlas_error *err)
{
	if (!fits_i64(w.num) || !fits_i64(w.den))
		return overflow(w, err);
	out->num = (int64_t)w.num;
	out->den = (int64_t)w.den;
	return ATLAS_OK;
}

enum atlas_status atlas_ratio_check(struct atlas_ratio r,
				    struct atlas_error *err)
{
	if (r.den == 0) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"resonance ratio has zero denominator");
		return ATLAS_ERR_ARG;
	}
	if (r.den < 0 || (r.num == 0 && r.den != 1) ||
	    gcd(uabs(r.num), (u128)r.den) != 1) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"resonance ratio non-canonical: %" PRId64
				"/%" PRId64,
				r.num, r.den);
		return ATLAS_ERR_ARG;
	}
	return ATLAS_OK;
}

enum atlas_status atlas_ratio_make(int64_t num, int64_t den,
				   struct atlas_ratio *out,
				   struct atlas_error *err)
{
	struct wide w = {num, den};

	if (den == 0) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"resonance ratio has zero denominator");
		return ATLAS_ERR_ARG;
	}
	if (w.den < 0) {
		w.num = -w.num;
		w.den = -w.den;
	}
	return narrow(reduce(w), out, err);
}

enum atlas_status atlas_ratio_add(struct atlas_ratio a, struct atlas_ratio b,
				  struct atlas_ratio *out,
				  struct atlas_error *err)
{
	enum atlas_status st;
	struct wide s;
	int rc;

	if ((st = atlas_ratio_check(a, err)) != ATLAS_OK ||
	    (st = atlas_ratio_check(b, err)) != ATLAS_OK)
		return st;
	rc = wide_add(widen(a), widen(b), &s);
	assert(rc == 0); /* |n·b + a·d| < 2^127 for i64 parts */
	(void)rc;
	return narrow(s, out, err);
}

int atlas_ratio_cmp(struct atlas_ratio a, struct atlas_ratio b)
{
	/* Both products stay below 2^126 in magnitude. */
	i128 x = (i128)a.num * b.den, y = (i128)b.num * a.den;

	return (x > y) - (x < y);
}

enum atlas_status atlas_ratio_from_f64(double x, struct atlas_ratio *out,
				       struct atlas_error *err)
{
	uint64_t bits, m;
	int e, neg;

	if (!isfinite(x)) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"not a finite number");
		return ATLAS_ERR_ARG;
	}
	memcpy(&bits, &x, sizeof bits);
	neg = (int)(bits >> 63);
	e = (int)(bits >> 52 & 0x7ff);
	m = bits & (((uint64_t)1 << 52) - 1);
	if (m == 0 && e == 0) { /* +0 and -0 */
		*out = zero;
		return ATLAS_OK;
	}
	if (e == 0)
		e = 1; /* subnormal: no implicit bit */
	else
		m |= (uint64_t)1 << 52;
	/* x = ±m·2^e with m odd */
	e -= 1075;
	e += __builtin_ctzll(m);
	m >>= __builtin_ctzll(m);
	if (e >= 0) {
		/* m·2^e <= 2^63 - 1, or 2^63 when negative */
		u128 v = e < 64 ? (u128)m << e : 0;
		u128 max = ((u128)1 << 63) - (neg ? 0 : 1);

		if (e < 64 && v <= max) {
			out->num = neg ? (int64_t)((i128)0 - (i128)v) :
					 (int64_t)v;
			out->den = 1;
			return ATLAS_OK;
		}
		atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
				"resonance arithmetic overflow: %s%" PRIu64
				"*2^%d exceeds i64 range",
				neg ? "-" : "", m, e);
		return ATLAS_ERR_LIMIT;
	}
	if (-e > 62) {
		atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
				"resonance arithmetic overflow: %s%" PRIu64
				"/2^%d exceeds i64 range",
				neg ? "-" : "", m, -e);
		return ATLAS_ERR_LIMIT;
	}
	out->num = neg ? -(int64_t)m : (int64_t)m;
	out->den = (int64_t)1 << -e;
	return ATLAS_OK;
}

enum atlas_status atlas_ratio_from_f32(float x, struct atlas_ratio *out,
				       struct atlas_error *err)
{
	/* Every float is a double of the same value. */
	return atlas_ratio_from_f64((double)x, out, err);
}

char *atlas_ratio_format(struct atlas_ratio r, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRId64 "/%" PRId64, r.num, r.den);
	return buf;
}

/* ---- the accumulator ---------------------------------------------------- */

void atlas_resonance_zero(struct atlas_resonance *acc)
{
	for (size_t c = 0; c < ATLAS_RESONANCE_CLASSES; c++)
		acc->r[c] = zero;
}

struct atlas_resonance *atlas_resonance_new(struct atlas_error *err)
{
	struct atlas_resonance *acc = malloc(sizeof *acc);

	if (!acc) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return NULL;
	}
	atlas_resonance_zero(acc);
	return acc;
}

void atlas_resonance_free(struct atlas_resonance *acc)
{
	free(acc);
}

static enum atlas_status check_class(uint64_t cls, struct atlas_error *err)
{
	if (cls < ATLAS_RESONANCE_CLASSES)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
			"invalid class index: %" PRIu64 " (must be < %d)", cls,
			ATLAS_RESONANCE_CLASSES);
	return ATLAS_ERR_ARG;
}

enum atlas_status atlas_resonance_accumulate(struct atlas_resonance *acc,
					     uint64_t cls,
					     struct atlas_ratio delta,
					     struct atlas_error *err)
{
	enum atlas_status st;

	if ((st = check_class(cls, err)) != ATLAS_OK ||
	    (st = atlas_ratio_check(delta, err)) != ATLAS_OK)
		return st;
	/* R[c] is canonical by construction; narrow() writes it only on
	   success. */
	return atlas_ratio_add(acc->r[cls], delta, &acc->r[cls], err);
}

enum atlas_status atlas_resonance_add_deltas(
	struct atlas_resonance *acc,
	const struct atlas_ratio delta[ATLAS_RESONANCE_CLASSES],
	struct atlas_error *err)
{
	struct atlas_resonance next;
	enum atlas_status st;
	size_t c;

	for (c = 0; c < ATLAS_RESONANCE_CLASSES; c++)
		if ((st = atlas_ratio_check(delta[c], err)) != ATLAS_OK)
			return st;
	/* Add into a copy, so that an overflow in any class changes none. */
	next = *acc;
	for (c = 0; c < ATLAS_RESONANCE_CLASSES; c++)
		if ((st = atlas_ratio_add(next.r[c], delta[c], &next.r[c],
					  err)) != ATLAS_OK)
			return st;
	*acc = next;
	return ATLAS_OK;
}

/* The exact sum of R on 128 bits, not narrowed. */
static enum atlas_status wide_sum(const struct atlas_resonance *acc,
				  struct wide *sum, struct atlas_error *err)
{
	struct wide s = {0, 1};

	for (size_t c = 0; c < ATLAS_RESONANCE_CLASSES; c++) {
		if (acc->r[c].num == 0)
			continue;
		if (wide_add(s, widen(acc->r[c]), &s) < 0) {
			atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
					"resonance arithmetic overflow: sum "
					"exceeds i128 range");
			return ATLAS_ERR_LIMIT;
		}
	}
	*sum = s;
	return ATLAS_OK;
}

enum atlas_status atlas_resonance_sum(const struct atlas_resonance *acc,
				      struct atlas_ratio *sum,
				      struct atlas_error *err)
{
	enum atlas_status st;
	struct wide s;

	if ((st = wide_sum(acc, &s, err)) != ATLAS_OK)
		return st;
	return narrow(s, sum, err);
}

enum atlas_status atlas_resonance_is_neutral(const struct atlas_resonance *acc,
					     int *neutral,
					     struct atlas_error *err)
{
	enum atlas_status st;
	struct wide s;

	if ((st = wide_sum(acc, &s, err)) != ATLAS_OK)
		return st;
	*neutral = s.num == 0;
	return ATLAS_OK;
}

enum atlas_status
atlas_resonance_check_neutral(const struct atlas_resonance *acc,
			      struct atlas_error *err)
{
	enum atlas_status st;
	int neutral;

	if ((st = atlas_resonance_is_neutral(acc, &neutral, err)) != ATLAS_OK)
		return st;
	if (neutral)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_EXEC, 0, 0,
			"unity neutrality violation: net resonance delta "
			"non-zero");
	return ATLAS_ERR_EXEC;
}

/* Whether |a| > |b|, by cross-multiplication (products below 2^126). */
static int abs_greater(struct atlas_ratio a, struct atlas_ratio b)
{
	return uabs(a.num) * (u128)b.den > uabs(b.num) * (u128)a.den;
}

enum atlas_status atlas_resonance_statistics(const struct atlas_resonance *acc,
					     struct atlas_resonance_stats *st,
					     struct atlas_error *err)
{
	struct atlas_resonance_stats s = {zero, zero, 0, 0};
	enum atlas_status rc;

	for (unsigned c = 0; c < ATLAS_RESONANCE_CLASSES; c++) {
		if (acc->r[c].num == 0)
			continue;
		s.nonzero++;
		if (abs_greater(acc->r[c], s.max)) {
			s.max = acc->r[c];
			s.max_class = c;
		}
	}
	if ((rc = atlas_resonance_sum(acc, &s.sum, err)) != ATLAS_OK)
		return rc;
	*st = s;
	return ATLAS_OK;
}
