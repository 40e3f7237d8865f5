/*
 * space_class.c - the 96 resonance classes in both numberings (man 7
 * atlas): byte to class, canonical byte, mirror, unity, neighbours, and
 * class masks.  Everything is arithmetic on the class label; nothing is
 * built at run time, so every function is thread-safe.
 */
#include <string.h>

#include "atlas.h"
#include "program.h"

const char *atlas_numbering_name(enum atlas_numbering n)
{
	switch (n) {
	case ATLAS_NUMBERING_ATLAS:
		return "atlas";
	case ATLAS_NUMBERING_SIGIL:
		return "sigil";
	}
	return "?";
}

int atlas_numbering_parse(const char *name, enum atlas_numbering *n)
{
	if (strcmp(name, "atlas") == 0)
		*n = ATLAS_NUMBERING_ATLAS;
	else if (strcmp(name, "sigil") == 0)
		*n = ATLAS_NUMBERING_SIGIL;
	else
		return -1;
	return 0;
}

/*
 * atlas: the label (e1, e2, e3, e6, e7) is bits 0..4; bits 5-6 give d45 + 1
 * with 3 folded onto 0 (d45 = -1).  sigil: the d of bits (b4, b5) is
 * 00 -> 0, 10 -> 1, 01 -> 2, 11 -> 0.
 */
unsigned atlas_class_of_byte(enum atlas_numbering n, uint8_t b)
{
	static const uint8_t sigil_d[4] = {0, 1, 2, 0};

	if (n == ATLAS_NUMBERING_SIGIL)
		return 24u * (b >> 6) + 8u * sigil_d[(b >> 4) & 3] +
		       ((b >> 1) & 7u);
	return 48u * (b & 1u) + 24u * ((b >> 1) & 1u) + 12u * ((b >> 2) & 1u) +
	       6u * ((b >> 3) & 1u) + 3u * ((b >> 4) & 1u) +
	       ((b >> 5) & 3u) % 3u;
}

enum atlas_status atlas_class_check(unsigned c, struct atlas_error *err)
{
	if (c < ATLAS_CLASSES)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
			"invalid class index: %u (must be < 96)", c);
	return ATLAS_ERR_ARG;
}

enum atlas_status atlas_class_byte(enum atlas_numbering n, unsigned c,
				   uint8_t *byte, struct atlas_error *err)
{
	if (atlas_class_check(c, err))
		return ATLAS_ERR_ARG;
	if (n == ATLAS_NUMBERING_SIGIL) {
		unsigned d = c % 24 / 8;

		*byte = (uint8_t)((c / 24) << 6 | (d == 1 ? 0x10 : 0) |
				  (d == 2 ? 0x20 : 0) | (c % 8) << 1);
		return ATLAS_OK;
	}
	/* The lowest member: bits 5-6 = d45 + 1, never the alias 3. */
	*byte = (uint8_t)((c / 48) | (c / 24 % 2) << 1 | (c / 12 % 2) << 2 |
			  (c / 6 % 2) << 3 | (c / 3 % 2) << 4 | (c % 3) << 5);
	return ATLAS_OK;
}

enum atlas_status atlas_class_mirror(enum atlas_numbering n, unsigned c,
				     unsigned *mirror, struct atlas_error *err)
{
	if (atlas_class_check(c, err))
		return ATLAS_ERR_ARG;
	if (n == ATLAS_NUMBERING_SIGIL) {
		unsigned d = c % 24 / 8;

		*mirror = d == 1 ? c + 8 : d == 2 ? c - 8 : c;
		return ATLAS_OK;
	}
	*mirror = c % 6 < 3 ? c + 3 : c - 3;
	return ATLAS_OK;
}

enum atlas_status atlas_class_unity(enum atlas_numbering n, unsigned c,
				    int *unity, struct atlas_error *err)
{
	if (atlas_class_check(c, err))
		return ATLAS_ERR_ARG;
	*unity = n == ATLAS_NUMBERING_ATLAS && (c == 1 || c == 4);
	return ATLAS_OK;
}

void atlas_class_unity_bitmap(enum atlas_numbering n, uint8_t bitmap[12])
{
	memset(bitmap, 0, 12);
	if (n == ATLAS_NUMBERING_ATLAS)
		bitmap[0] = 1u << 1 | 1u << 4;
}

/*
 * atlas: flip e1, e2, e3 or e6 (c ± 48, 24, 12, 6), and the two d45
 * moves: e4 sends ±1 to 0 and 0 to +1, e5 sends ±1 to 0 and 0 to -1.
 * With d45 = ±1 both moves give 0, so the degree is 5; with 0 it is 6.
 */
static unsigned neighbors(unsigned c, uint8_t out[ATLAS_MAX_DEGREE])
{
	static const unsigned flips[4] = {48, 24, 12, 6};
	unsigned t = c % 3, k = 0, i, j;

	for (i = 0; i < 4; i++)
		out[k++] = (uint8_t)(c / flips[i] % 2 ? c - flips[i] :
							c + flips[i]);
	if (t == 1) {
		out[k++] = (uint8_t)(c - 1);
		out[k++] = (uint8_t)(c + 1);
	} else {
		out[k++] = (uint8_t)(c - t + 1);
	}
	for (i = 1; i < k; i++) /* insertion sort: at most 6 */
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			uint8_t x = out[j];

			out[j] = out[j - 1];
			out[j - 1] = x;
		}
	return k;
}

enum atlas_status atlas_class_neighbors(enum atlas_numbering n, unsigned c,
					uint8_t nbr[ATLAS_MAX_DEGREE],
					unsigned *degree,
					struct atlas_error *err)
{
	uint8_t tmp[ATLAS_MAX_DEGREE];
	unsigned k;

	if (atlas_class_check(c, err))
		return ATLAS_ERR_ARG;
	if (n != ATLAS_NUMBERING_ATLAS) {
		atlas_error_set(err, ATLAS_ERR_UNSUPPORTED, 0, 0,
				"the %s numbering defines no neighbors",
				atlas_numbering_name(n));
		return ATLAS_ERR_UNSUPPORTED;
	}
	k = neighbors(c, tmp);
	if (nbr)
		memcpy(nbr, tmp, k);
	if (degree)
		*degree = k;
	return ATLAS_OK;
}

enum atlas_status atlas_class_neighbor(enum atlas_numbering n, unsigned c,
				       unsigned i, unsigned *out,
				       struct atlas_error *err)
{
	uint8_t nbr[ATLAS_MAX_DEGREE];
	unsigned k;
	enum atlas_status st = atlas_class_neighbors(n, c, nbr, &k, err);

	if (st)
		return st;
	if (i >= k) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"neighbor index %u out of range for class %u "
				"(degree %u)",
				i, c, k);
		return ATLAS_ERR_ARG;
	}
	*out = nbr[i];
	return ATLAS_OK;
}

enum atlas_status atlas_class_check_hop(unsigned from, unsigned to,
					struct atlas_error *err)
{
	uint8_t nbr[ATLAS_MAX_DEGREE];
	unsigned k, i;

	if (atlas_class_check(from, err) || atlas_class_check(to, err))
		return ATLAS_ERR_ARG;
	if (to == from || to == (from % 6 < 3 ? from + 3 : from - 3))
		return ATLAS_OK;
	k = neighbors(from, nbr);
	for (i = 0; i < k; i++)
		if (nbr[i] == to)
			return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_EXEC, 0, 0,
			"illegal neighbor traversal: class %u \u2192 %u not in "
			"1-skeleton",
			from, to);
	return ATLAS_ERR_EXEC;
}

struct atlas_class_mask atlas_class_mask_all(void)
{
	struct atlas_class_mask m = {UINT64_MAX, UINT32_MAX};

	return m;
}

struct atlas_class_mask atlas_class_mask_none(void)
{
	struct atlas_class_mask m = {0, 0};

	return m;
}

void atlas_class_mask_set(struct atlas_class_mask *m, unsigned c)
{
	if (c < 64)
		m->low |= UINT64_C(1) << c;
	else if (c < ATLAS_CLASSES)
		m->high |= UINT32_C(1) << (c - 64);
}

void atlas_class_mask_clear(struct atlas_class_mask *m, unsigned c)
{
	if (c < 64)
		m->low &= ~(UINT64_C(1) << c);
	else if (c < ATLAS_CLASSES)
		m->high &= ~(UINT32_C(1) << (c - 64));
}

int atlas_class_mask_is_set(struct atlas_class_mask m, unsigned c)
{
	if (c < 64)
		return (int)(m.low >> c & 1);
	if (c < ATLAS_CLASSES)
		return (int)(m.high >> (c - 64) & 1);
	return 0;
}

unsigned atlas_class_mask_count(struct atlas_class_mask m)
{
	return (unsigned)(__builtin_popcountll(m.low) +
			  __builtin_popcount(m.high));
}

int atlas_class_mask_overlaps(struct atlas_class_mask a,
			      struct atlas_class_mask b)
{
	return (a.low & b.low) != 0 || (a.high & b.high) != 0;
}

int atlas_class_mask_is_disjoint(struct atlas_class_mask a,
				 struct atlas_class_mask b)
{
	return !atlas_class_mask_overlaps(a, b);
}

struct atlas_class_mask atlas_class_mask_intersection(struct atlas_class_mask a,
						      struct atlas_class_mask b)
{
	struct atlas_class_mask m = {a.low & b.low, a.high & b.high};

	return m;
}

struct atlas_class_mask atlas_class_mask_union(struct atlas_class_mask a,
					       struct atlas_class_mask b)
{
	struct atlas_class_mask m = {a.low | b.low, a.high | b.high};

	return m;
}

unsigned atlas_class_mask_active(struct atlas_class_mask m,
				 uint8_t out[ATLAS_CLASSES])
{
	unsigned c, k = 0;

	for (c = 0; c < ATLAS_CLASSES; c++)
		if (atlas_class_mask_is_set(m, c))
			out[k++] = (uint8_t)c;
	return k;
}
