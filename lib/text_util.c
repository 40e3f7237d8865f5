/*
 * text_util.c - helpers shared by the assembly and JSON readers and
 * writers (see text_util.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_util.h"
#include "vmath.h"

/* ---- growable string ---------------------------------------------------- */

void sb_init(struct strbuf *sb)
{
	memset(sb, 0, sizeof *sb);
}

static int sb_reserve(struct strbuf *sb, size_t more)
{
	size_t ncap;
	char *q;

	if (sb->failed)
		return -1;
	if (more < sb->cap - sb->len)
		return 0;
	if (more > SIZE_MAX / 2 - sb->len)
		goto fail;
	ncap = sb->cap ? sb->cap : 256;
	while (ncap - sb->len <= more)
		ncap *= 2;
	q = realloc(sb->s, ncap);
	if (!q)
		goto fail;
	sb->s = q;
	sb->cap = ncap;
	return 0;
fail:
	sb->failed = 1;
	return -1;
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	if (sb_reserve(sb, n))
		return;
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = 1;
		return;
	}
	if ((size_t)n < sizeof small) {
		sb_add(sb, small, (size_t)n);
		return;
	}
	if (sb_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

char *sb_finish(struct strbuf *sb)
{
	char *s = sb->s;

	if (!sb->failed && !s)
		s = calloc(1, 1);
	if (sb->failed) {
		free(s);
		s = NULL;
	}
	memset(sb, 0, sizeof *sb);
	return s;
}

/* ---- operand layouts ---------------------------------------------------- */

static const char *const operands[] = {
	[FMT_NONE] = "",
	[FMT_LD] = "da",
	[FMT_ST] = "as",
	[FMT_UN] = "ds",
	[FMT_IMM] = "di",
	[FMT_CVT] = "ds",
	[FMT_BIN] = "dss",
	[FMT_TERN] = "dsss",
	[FMT_SETCC] = "qss",
	[FMT_SEL] = "dpss",
	[FMT_BRA] = "l",
	[FMT_CALL] = "l",
	[FMT_LOOP] = "sl",
	[FMT_BAR] = "i",
	[FMT_FENCE] = "",
	[FMT_REDUCE] = "dsi",
	[FMT_POOL_ALLOC] = "di",
	[FMT_POOL_FREE] = "s",
	[FMT_POOL_LOAD] = "dss",
	[FMT_POOL_STORE] = "sss",
	[FMT_ATOM] = "as",
	[FMT_PMAP] = "dss",
	[FMT_PMAP2] = "dsss",
	[FMT_PREDUCE] = "dss",
	[FMT_R] = "d",
	[FMT_RR] = "ds",
	[FMT_PRED_R] = "qs",
	[FMT_RRI] = "dsi",
	[FMT_SRC2] = "ss",
	[FMT_I] = "i",
	[FMT_RRRR] = "dsss",
	[FMT_ATOM_RET] = "das",
	[FMT_GEMM] = "dssssssssss",
	[FMT_GEMV] = "dsssssss",
	[FMT_DOT] = "dsss",
};

const char *text_operands(enum isa_fmt f)
{
	if ((unsigned)f < sizeof operands / sizeof operands[0] && operands[f])
		return operands[f];
	return "";
}

unsigned text_nsrc(enum isa_fmt f)
{
	unsigned n = 0;

	for (const char *o = text_operands(f); *o; o++)
		n += *o == 's';
	return n;
}

enum text_imm text_imm_kind(enum isa_fmt f)
{
	switch (f) {
	case FMT_IMM:
		return TI_TYPED;
	case FMT_BAR:
	case FMT_REDUCE:
	case FMT_POOL_ALLOC:
	case FMT_RRI:
	case FMT_I:
		return TI_UINT;
	default:
		return TI_NONE;
	}
}

uint64_t text_imm_max(enum isa_fmt f)
{
	switch (f) {
	case FMT_BAR:
	case FMT_RRI:
		return 255;
	case FMT_REDUCE:
		return 256;
	case FMT_I:
		return 65535;
	default:
		return UINT64_MAX;
	}
}

/* ---- names ------------------------------------------------------------- */

const char *const text_use_names[5] = {"in", "out", "inout", "value", "guard"};
const char *const text_kind_names[2] = {"array", "scalar"};

const char *text_name(const char *const *names, unsigned n, unsigned i)
{
	return i < n ? names[i] : "?";
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

int text_is_ident(const char *s, size_t n, int label)
{
	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++) {
		const int c = (unsigned char)s[i];

		if (!is_alpha(c) && !is_digit(c) && !(label && c == '.'))
			return 0;
	}
	return 1;
}

/* ---- literals ----------------------------------------------------------- */

int text_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum text_lit text_parse_int(const char *s, size_t n, int *neg, int *hex,
			     uint64_t *mag)
{
	size_t i = 0;
	uint64_t v = 0;
	int big = 0;

	*neg = 0;
	*hex = 0;
	if (i < n && s[i] == '-') {
		*neg = 1;
		i++;
	}
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		*hex = 1;
		for (i += 2; i < n; i++) {
			const int d = text_digit((unsigned char)s[i]);

			if (d < 0)
				return LIT_SYNTAX;
			if (v > UINT64_MAX >> 4)
				big = 1;
			v = v << 4 | (uint64_t)d;
		}
	} else {
		if (i == n)
			return LIT_SYNTAX;
		for (; i < n; i++) {
			const int c = (unsigned char)s[i];

			if (!is_digit(c))
				return LIT_SYNTAX;
			if (v > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
				big = 1;
			v = v * 10 + (uint64_t)(c - '0');
		}
	}
	*mag = v;
	return big ? LIT_RANGE : LIT_OK;
}

static unsigned type_bits(enum atlas_type t)
{
	return (unsigned)atlas_type_size(t) * 8;
}

static uint64_t width_mask(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
}

/* An integer of sign neg and magnitude mag as a w-bit pattern. */
static enum text_lit int_fit(int neg, uint64_t mag, unsigned w, uint64_t *bits)
{
	if (neg) {
		if (mag > (uint64_t)1 << (w - 1))
			return LIT_RANGE;
		*bits = (0 - mag) & width_mask(w);
	} else {
		if (mag > width_mask(w))
			return LIT_RANGE;
		*bits = mag;
	}
	return LIT_OK;
}

/*
 * Check the syntax of a decimal float literal: -?(D+(.D*)?|.D+)(e[+-]?D+)?
 * or -?inf / -?nan.  Sets *special to 'i' or 'n' for those.
 */
static int float_syntax(const char *s, size_t n, int *special)
{
	size_t i = 0, d1 = 0, d2 = 0;

	*special = 0;
	if (i < n && s[i] == '-')
		i++;
	if (n - i == 3 && memcmp(s + i, "inf", 3) == 0) {
		*special = 'i';
		return 1;
	}
	if (n - i == 3 && memcmp(s + i, "nan", 3) == 0) {
		*special = 'n';
		return 1;
	}
	while (i < n && is_digit((unsigned char)s[i]))
		i++, d1++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit((unsigned char)s[i]))
			i++, d2++;
	}
	if (d1 + d2 == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t d3 = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < n && is_digit((unsigned char)s[i]))
			i++, d3++;
		if (d3 == 0)
			return 0;
	}
	return i == n;
}

static uint64_t quiet_nan(enum atlas_type t, int neg)
{
	switch (t) {
	case ATLAS_F16:
		return neg ? 0xfe00u : 0x7e00u;
	case ATLAS_BF16:
		return neg ? 0xffc0u : 0x7fc0u;
	case ATLAS_F32:
		return neg ? 0xffc00000u : 0x7fc00000u;
	default:
		return neg ? 0xfff8000000000000u : 0x7ff8000000000000u;
	}
}

/* A float value (already rounded to f32 for the narrow types) as bits. */
static enum text_lit float_bits(double d, float f, enum atlas_type t,
				int was_inf, uint64_t *bits)
{
	uint16_t h;
	uint32_t u;

	switch (t) {
	case ATLAS_F64:
		if (isinf(d) && !was_inf)
			return LIT_RANGE;
		memcpy(bits, &d, 8);
		return LIT_OK;
	case ATLAS_F32:
		if (isinf(f) && !was_inf)
			return LIT_RANGE;
		memcpy(&u, &f, 4);
		*bits = u;
		return LIT_OK;
	case ATLAS_F16:
	case ATLAS_BF16:
		if (isinf(f) && !was_inf)
			return LIT_RANGE;
		if (t == ATLAS_F16)
			vm_f32_to_f16(&h, &f, 1);
		else
			vm_f32_to_bf16(&h, &f, 1);
		if (!was_inf &&
		    (h & 0x7fffu) == (t == ATLAS_F16 ? 0x7c00u : 0x7f80u))
			return LIT_RANGE;
		*bits = h;
		return LIT_OK;
	default:
		return LIT_SYNTAX;
	}
}

static enum text_lit parse_float(const char *s, size_t n, enum atlas_type t,
				 uint64_t *bits)
{
	char buf[512];
	int special;
	double d = 0;
	float f = 0;

	if (!float_syntax(s, n, &special) || n >= sizeof buf)
		return LIT_SYNTAX;
	if (special == 'n') {
		*bits = quiet_nan(t, s[0] == '-');
		return LIT_OK;
	}
	if (special == 'i') {
		d = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
		f = (float)d;
	} else {
		memcpy(buf, s, n);
		buf[n] = '\0';
		/* Decimal to f32 directly: rounding through double first can
		   round twice. */
		if (t == ATLAS_F64)
			d = strtod(buf, NULL);
		else
			f = strtof(buf, NULL);
	}
	return float_bits(d, f, t, special == 'i', bits);
}

enum text_lit text_parse_imm(const char *s, size_t n, enum atlas_type t,
			     uint64_t *bits)
{
	enum text_lit r;
	int neg, hex;
	uint64_t mag;

	if ((unsigned)t >= ATLAS_NTYPES)
		return LIT_SYNTAX;
	if (isa_type_is_int(t)) {
		r = text_parse_int(s, n, &neg, &hex, &mag);
		if (r != LIT_OK)
			return r;
		if (hex && neg)
			return LIT_SYNTAX;
		return int_fit(neg, mag, type_bits(t), bits);
	}
	r = text_parse_int(s, n, &neg, &hex, &mag);
	if (hex) {
		/* Raw bits for a float type. */
		if (r != LIT_OK || neg)
			return r == LIT_RANGE ? LIT_RANGE : LIT_SYNTAX;
		if (mag > width_mask(type_bits(t)))
			return LIT_RANGE;
		*bits = mag;
		return LIT_OK;
	}
	return parse_float(s, n, t, bits);
}

enum text_lit text_parse_uint(const char *s, size_t n, uint64_t max,
			      uint64_t *v)
{
	enum text_lit r;
	int neg, hex;
	uint64_t mag;

	r = text_parse_int(s, n, &neg, &hex, &mag);
	if (r != LIT_OK)
		return r;
	if (hex && neg)
		return LIT_SYNTAX;
	if ((neg && mag != 0) || mag > max)
		return LIT_RANGE;
	*v = mag;
	return LIT_OK;
}

#define TWO53 9007199254740992.0

enum text_lit text_double_imm(double v, enum atlas_type t, uint64_t *bits)
{
	if ((unsigned)t >= ATLAS_NTYPES)
		return LIT_SYNTAX;
	if (isa_type_is_int(t)) {
		if (v != floor(v))
			return LIT_SYNTAX;
		if (fabs(v) > TWO53)
			return LIT_RANGE;
		return int_fit(v < 0, (uint64_t)fabs(v), type_bits(t), bits);
	}
	return float_bits(v, (float)v, t, isinf(v), bits);
}

/* Does the decimal s read back as v (as an f32 when is_f32)? */
static int reads_back(const char *s, double v, int is_f32)
{
	return is_f32 ? strtof(s, NULL) == (float)v : strtod(s, NULL) == v;
}

/*
 * Shortest %.Ng (N = 1..9 for f32, 17 for f64) of v that reads back as
 * the same value, into buf of size bytes (at least 32).
 */
static void shortest(char *buf, size_t size, double v, int is_f32)
{
	const int maxp = is_f32 ? 9 : 17;
	char s[48], alt[48];
	const char *e;
	size_t n;
	int p;

	for (p = 1; p <= maxp; p++) {
		snprintf(s, sizeof s, "%.*g", p, v);
		if (reads_back(s, v, is_f32))
			break;
	}
	if (p > maxp)
		p = maxp;
	/*
	 * %g switches to an exponent as soon as the decimal exponent reaches
	 * the precision (100 -> "1e+02"); print such values in full while
	 * they have no more digits than the type's precision.
	 */
	e = strchr(s, 'e');
	if (e) {
		const long x = strtol(e + 1, NULL, 10);

		if (x >= p && x < maxp) {
			snprintf(alt, sizeof alt, "%.*g", (int)x + 1, v);
			if (reads_back(alt, v, is_f32))
				memcpy(s, alt, sizeof s);
		}
	}
	n = strlen(s);
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

void text_format_double(char *buf, size_t size, double v)
{
	if (isnan(v)) {
		snprintf(buf, size, "nan");
		return;
	}
	shortest(buf, size, v, 0);
}

/* Add ".0" when a decimal float literal has neither '.' nor 'e'. */
static void add_point(char *buf)
{
	if (!strpbrk(buf, ".e") && !strstr(buf, "inf"))
		memcpy(buf + strlen(buf), ".0", 3);
}

void text_format_imm(char *buf, enum atlas_type t, uint64_t bits)
{
	const unsigned w = type_bits(t);
	uint32_t u;
	float f;
	double d;

	switch (t) {
	case ATLAS_I8:
	case ATLAS_I16:
	case ATLAS_I32:
	case ATLAS_I64: {
		uint64_t m = bits & width_mask(w);
		int64_t v;

		if (w < 64 && (m >> (w - 1)) & 1)
			m |= ~width_mask(w);
		memcpy(&v, &m, 8);
		snprintf(buf, TEXT_LIT_MAX, "%" PRId64, v);
		return;
	}
	case ATLAS_U8:
	case ATLAS_U16:
	case ATLAS_U32:
	case ATLAS_U64:
		snprintf(buf, TEXT_LIT_MAX, "%" PRIu64, bits & width_mask(w));
		return;
	case ATLAS_F16:
	case ATLAS_BF16:
		snprintf(buf, TEXT_LIT_MAX, "0x%04" PRIx64, bits & 0xffffu);
		return;
	case ATLAS_F32:
		u = (uint32_t)bits;
		memcpy(&f, &u, 4);
		if (isnan(f)) {
			snprintf(buf, TEXT_LIT_MAX, "0x%08" PRIx32, u);
			return;
		}
		shortest(buf, TEXT_LIT_MAX - 2, f, 1);
		add_point(buf);
		return;
	case ATLAS_F64:
		memcpy(&d, &bits, 8);
		if (isnan(d)) {
			snprintf(buf, TEXT_LIT_MAX, "0x%016" PRIx64, bits);
			return;
		}
		shortest(buf, TEXT_LIT_MAX - 2, d, 0);
		add_point(buf);
		return;
	default:
		snprintf(buf, TEXT_LIT_MAX, "0x%" PRIx64, bits);
		return;
	}
}

int text_imm_json_number(enum atlas_type t, uint64_t bits)
{
	const unsigned w = type_bits(t);
	const uint64_t lim = (uint64_t)1 << 53;
	uint64_t m;

	if ((unsigned)t >= ATLAS_NTYPES || !isa_type_is_int(t))
		return 0;
	m = bits & width_mask(w);
	if (isa_type_is_signed(t) && (m >> (w - 1)) & 1)
		return (0 - (m | ~width_mask(w))) <= lim;
	return m <= lim;
}

/* ---- positions ---------------------------------------------------------- */

void text_linecol(const char *text, size_t off, size_t *line, size_t *col)
{
	size_t l = 1, c = 1;

	for (size_t i = 0; i < off; i++) {
		const unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}
