/*
 * value.c - scalar values given as text (command-line bindings).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

static enum atlas_status invalid(const char *s, enum atlas_type t,
				 struct atlas_error *err)
{
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0, "invalid value '%s' for %s",
			s, atlas_type_name(t));
	return ATLAS_ERR_ARG;
}

static enum atlas_status parse_float(const char *s, enum atlas_type t,
				     uint64_t *bits, struct atlas_error *err)
{
	char *end;
	double d;

	errno = 0;
	if (t == ATLAS_F32) {
		float f = strtof(s, &end);
		uint32_t u;

		d = f;
		memcpy(&u, &f, sizeof u);
		*bits = u;
	} else {
		d = strtod(s, &end);
		memcpy(bits, &d, sizeof d);
	}
	if (!*s || strpbrk(s, " \t\n\v\f\rxX") || *end)
		return invalid(s, t, err);
	/* Overflow to infinity is an error; "inf" itself is not. */
	if (errno == ERANGE && isinf(d))
		return invalid(s, t, err);
	return ATLAS_OK;
}

enum atlas_status atlas_value_parse(const char *s, enum atlas_type t,
				    uint64_t *bits, struct atlas_error *err)
{
	const unsigned w = 8 * (unsigned)atlas_type_size(t);
	const uint64_t mask = w == 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;
	const int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const int neg = *s == '-' && t <= ATLAS_I64;
	const uint64_t max = hex	    ? mask :
			     t <= ATLAS_I64 ? (mask >> 1) + (uint64_t)neg :
					      mask;
	const char *m = s + neg + 2 * hex;
	char *end;

	if (w == 0)
		return invalid(s, t, err);
	if ((t == ATLAS_F32 || t == ATLAS_F64) && !hex)
		return parse_float(s, t, bits, err);
	if (!*m || !strchr(hex ? "0123456789abcdefABCDEF" : "0123456789", *m) ||
	    (isa_type_is_float(t) && !hex))
		return invalid(s, t, err);
	errno = 0;
	*bits = strtoull(m, &end, hex ? 16 : 10);
	if (*end || errno || *bits > max)
		return invalid(s, t, err);
	*bits = (neg ? 0 - *bits : *bits) & mask;
	return ATLAS_OK;
}

int value_count(enum atlas_type t, uint64_t bits, uint64_t *v)
{
	const unsigned w = 8 * (unsigned)atlas_type_size(t);

	if (t > ATLAS_U64)
		return -1;
	if (t <= ATLAS_I64 && (bits >> (w - 1)) & 1)
		return -1;
	*v = bits;
	return 0;
}

uint64_t value_count_max(enum atlas_type t)
{
	const unsigned w = 8 * (unsigned)atlas_type_size(t);
	const uint64_t mask = w == 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;

	return t <= ATLAS_I64 ? mask >> 1 : mask;
}
