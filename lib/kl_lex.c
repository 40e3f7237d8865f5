/*
 * kl_lex.c - the tokenizer of the Python kernel language, after Python's
 * own: INDENT and DEDENT from the leading blanks of each logical line
 * (tabs to multiples of 8, and an indentation that compares differently
 * when a tab counts as one column is inconsistent), no line structure
 * inside brackets or after a backslash, comments, blank lines, strings
 * (for docstrings and the names of parallel_* operations), numbers with
 * underscores, \n, \r\n and \r line ends.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl_parse.h"
#include "program.h"
#include "text_util.h"

#define MAX_INDENT 100 /* Python's own limit */
#define MAX_BRACKETS 200

struct lx {
	const char *s;
	size_t n, pos;
	size_t line, line_start; /* current line number and its offset */
	struct kl_toks *out;
	struct atlas_error *err;
	/* indentation stack: columns with tabs to 8, and with tabs as 1 */
	size_t ind[MAX_INDENT], alt[MAX_INDENT];
	size_t nind;
	/* open brackets: offset of each */
	size_t br[MAX_BRACKETS];
	size_t nbr;
	int line_has_tokens;
};

static uint32_t col_at(const struct lx *x, size_t off)
{
	uint32_t c = 1;

	for (size_t i = x->line_start; i < off; i++)
		if (((unsigned char)x->s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Line and column of byte off (line ends: \n, \r\n, \r). */
static void linecol(const struct lx *x, size_t off, size_t *line, size_t *col)
{
	size_t l = 1, ls = 0;

	for (size_t i = 0; i < off; i++)
		if (x->s[i] == '\n' ||
		    (x->s[i] == '\r' &&
		     (i + 1 >= x->n || x->s[i + 1] != '\n'))) {
			l++;
			ls = i + 1;
		}
	*line = l;
	*col = 1;
	for (size_t i = ls; i < off; i++)
		if (((unsigned char)x->s[i] & 0xc0) != 0x80)
			++*col;
}

__attribute__((format(printf, 3, 4))) static enum atlas_status
lfail(struct lx *x, size_t off, const char *fmt, ...)
{
	char msg[sizeof x->err->msg];
	size_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	linecol(x, off < x->n ? off : x->n, &line, &col);
	atlas_error_set(x->err, ATLAS_ERR_PARSE, line, col, "%s", msg);
	return ATLAS_ERR_PARSE;
}

static enum atlas_status lnomem(struct lx *x)
{
	atlas_error_set(x->err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

/* Append a token of kind k spanning [from, to); NULL on ENOMEM. */
static struct kl_tok *emit(struct lx *x, enum kl_tok_kind k, size_t from,
			   size_t to)
{
	struct kl_toks *t = x->out;
	struct kl_tok *tok;

	if (t->n == t->cap) {
		const size_t ncap = t->cap ? t->cap * 2 : 256;
		struct kl_tok *v;

		if (ncap > SIZE_MAX / sizeof *v)
			return NULL;
		v = realloc(t->v, ncap * sizeof *v);
		if (!v)
			return NULL;
		t->v = v;
		t->cap = ncap;
	}
	tok = &t->v[t->n++];
	memset(tok, 0, sizeof *tok);
	tok->kind = k;
	tok->line = (uint32_t)x->line;
	tok->col = col_at(x, from);
	tok->s = x->s + from;
	tok->n = to - from;
	if (k != T_NEWLINE && k != T_INDENT && k != T_DEDENT)
		x->line_has_tokens = 1;
	return tok;
}

void kl_toks_release(struct kl_toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].str);
	free(t->v);
	memset(t, 0, sizeof *t);
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int at(const struct lx *x, size_t off)
{
	return off < x->n ? (unsigned char)x->s[off] : -1;
}

/* Length of the line end at off (\n, \r\n, \r), or 0. */
static size_t eol_len(const struct lx *x, size_t off)
{
	if (at(x, off) == '\n')
		return 1;
	if (at(x, off) == '\r')
		return at(x, off + 1) == '\n' ? 2 : 1;
	return 0;
}

static void new_line(struct lx *x, size_t next)
{
	x->line++;
	x->line_start = next;
}

/* ---- indentation -------------------------------------------------------- */

/*
 * At the start of a logical line: measure its indentation; a blank or
 * comment-only line has none (*blank set).
 */
static enum atlas_status indentation(struct lx *x, int *blank)
{
	size_t col = 0, alt = 0, i = x->pos;
	const size_t start = x->pos;
	int c;

	for (;; i++) {
		c = at(x, i);
		if (c == ' ') {
			col++;
			alt++;
		} else if (c == '\t') {
			col = (col / 8 + 1) * 8;
			alt++;
		} else if (c == '\f') {
			col = alt = 0;
		} else {
			break;
		}
	}
	x->pos = i;
	*blank = c == -1 || c == '#' || eol_len(x, i) ||
		 (c == '\\' && eol_len(x, i + 1));
	if (*blank)
		return ATLAS_OK;
	if (col == x->ind[x->nind - 1]) {
		if (alt != x->alt[x->nind - 1])
			goto inconsistent;
		return ATLAS_OK;
	}
	if (col > x->ind[x->nind - 1]) {
		if (alt <= x->alt[x->nind - 1])
			goto inconsistent;
		if (x->nind == MAX_INDENT)
			return lfail(x, i, "too many levels of indentation");
		x->ind[x->nind] = col;
		x->alt[x->nind++] = alt;
		return emit(x, T_INDENT, start, i) ? ATLAS_OK : lnomem(x);
	}
	while (x->nind > 1 && col < x->ind[x->nind - 1]) {
		x->nind--;
		if (!emit(x, T_DEDENT, i, i))
			return lnomem(x);
	}
	if (col != x->ind[x->nind - 1])
		return lfail(x, i,
			     "unindent does not match any outer indentation "
			     "level");
	if (alt != x->alt[x->nind - 1])
		goto inconsistent;
	return ATLAS_OK;
inconsistent:
	return lfail(x, i,
		     "inconsistent use of tabs and spaces in indentation");
}

/* ---- numbers ------------------------------------------------------------ */

/* A digit's value, or 99 when c is no digit of any base up to 16. */
static int digit_value(int c)
{
	const int d = text_digit(c);

	return d < 0 ? 99 : d;
}

/*
 * Digits of base b with single underscores between them, from i; returns
 * the offset past them, or 0 when an underscore is misplaced.  The value
 * accumulates into *v (*big set on overflow); *count gets the digits.
 */
static size_t digits(const struct lx *x, size_t i, int b, uint64_t *v, int *big,
		     size_t *count)
{
	*count = 0;
	for (;;) {
		const int c = at(x, i);

		if (c == '_') {
			if (digit_value(at(x, i + 1)) >= b)
				return 0;
			i++;
			continue;
		}
		if (c < 0 || digit_value(c) >= b)
			return i;
		if (*v > (UINT64_MAX - (uint64_t)digit_value(c)) / (uint64_t)b)
			*big = 1;
		*v = *v * (uint64_t)b + (uint64_t)digit_value(c);
		++*count;
		i++;
	}
}

static int ident_char(int c)
{
	return is_alpha(c) || is_digit(c) || c >= 0x80;
}

static enum atlas_status prefixed_int(struct lx *x, size_t start)
{
	static const char *const what[] = {
		['x'] = "hexadecimal", ['o'] = "octal", ['b'] = "binary"};
	const int p = at(x, start + 1) | 0x20;
	const int base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
	uint64_t v = 0;
	int big = 0;
	size_t count, i = start + 2;
	struct kl_tok *tok;

	if (at(x, i) == '_')
		i++;
	i = digits(x, i, base, &v, &big, &count);
	if (i == 0 || count == 0 || ident_char(at(x, i)) || is_digit(at(x, i)))
		return lfail(x, start, "invalid %s literal", what[p]);
	if (big)
		return lfail(x, start, "integer literal too large");
	tok = emit(x, T_INT, start, i);
	if (!tok)
		return lnomem(x);
	tok->ival = v;
	x->pos = i;
	return ATLAS_OK;
}

/* A float's text without underscores into buf, then its value. */
static enum atlas_status float_value(struct lx *x, size_t start, size_t end,
				     double *v)
{
	char buf[512];
	size_t k = 0;

	if (end - start >= sizeof buf)
		return lfail(x, start, "float literal too long");
	for (size_t i = start; i < end; i++)
		if (x->s[i] != '_')
			buf[k++] = x->s[i];
	buf[k] = '\0';
	*v = strtod(buf, NULL);
	if (isinf(*v))
		return lfail(x, start, "float literal out of range");
	return ATLAS_OK;
}

static enum atlas_status number(struct lx *x)
{
	const size_t start = x->pos;
	size_t i = start, count, frac;
	uint64_t v = 0, ignored = 0;
	int big = 0, is_float = 0, nonzero = 0;
	struct kl_tok *tok;
	double d;

	if (at(x, i) == '0' && strchr("xXoObB", at(x, i + 1) & 0xff) &&
	    at(x, i + 1) > 0)
		return prefixed_int(x, start);
	if (at(x, i) != '.') {
		i = digits(x, i, 10, &v, &big, &count);
		if (i == 0)
			goto invalid;
		for (size_t k = start; k < i; k++)
			nonzero |= x->s[k] != '0' && x->s[k] != '_';
	}
	if (at(x, i) == '.') {
		is_float = 1;
		i++;
		if (is_digit(at(x, i))) {
			i = digits(x, i, 10, &ignored, &big, &frac);
			if (i == 0)
				goto invalid;
		}
	}
	if ((at(x, i) | 0x20) == 'e' &&
	    (is_digit(at(x, i + 1)) ||
	     ((at(x, i + 1) == '+' || at(x, i + 1) == '-') &&
	      is_digit(at(x, i + 2))))) {
		is_float = 1;
		i += 1 + (at(x, i + 1) == '+' || at(x, i + 1) == '-');
		i = digits(x, i, 10, &ignored, &big, &frac);
		if (i == 0)
			goto invalid;
	}
	if ((at(x, i) | 0x20) == 'j')
		return lfail(x, start, "imaginary literals are not supported");
	if (ident_char(at(x, i)) || (at(x, i) == '.' && !is_float))
		goto invalid;
	if (is_float) {
		enum atlas_status st = float_value(x, start, i, &d);

		if (st != ATLAS_OK)
			return st;
		tok = emit(x, T_FLOAT, start, i);
		if (!tok)
			return lnomem(x);
		tok->fval = d;
	} else {
		if (x->s[start] == '0' && nonzero)
			return lfail(x, start,
				     "leading zeros in decimal integer "
				     "literals are not permitted");
		if (big)
			return lfail(x, start, "integer literal too large");
		tok = emit(x, T_INT, start, i);
		if (!tok)
			return lnomem(x);
		tok->ival = v;
	}
	x->pos = i;
	return ATLAS_OK;
invalid:
	return lfail(x, start, "invalid decimal literal");
}

/* ---- strings ------------------------------------------------------------ */

static void put_utf8(char *out, size_t *k, uint32_t u)
{
	if (u < 0x80) {
		out[(*k)++] = (char)u;
	} else if (u < 0x800) {
		out[(*k)++] = (char)(0xc0 | u >> 6);
		out[(*k)++] = (char)(0x80 | (u & 0x3f));
	} else if (u < 0x10000) {
		out[(*k)++] = (char)(0xe0 | u >> 12);
		out[(*k)++] = (char)(0x80 | (u >> 6 & 0x3f));
		out[(*k)++] = (char)(0x80 | (u & 0x3f));
	} else {
		out[(*k)++] = (char)(0xf0 | u >> 18);
		out[(*k)++] = (char)(0x80 | (u >> 12 & 0x3f));
		out[(*k)++] = (char)(0x80 | (u >> 6 & 0x3f));
		out[(*k)++] = (char)(0x80 | (u & 0x3f));
	}
}

/* n hex digits at off as a value, or -1. */
static long hex_n(const struct lx *x, size_t off, int n)
{
	long v = 0;

	for (int k = 0; k < n; k++) {
		const int d = digit_value(at(x, off + (size_t)k));

		if (d >= 16)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * The escape sequence at i (its backslash) into out; *i moves past it.
 * Unknown escapes stay as they are, as in Python.
 */
static enum atlas_status escape(struct lx *x, size_t *i, char *out, size_t *k)
{
	static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
	const int c = at(x, *i + 1);
	const char *e;
	long u;
	int n;

	if (eol_len(x, *i + 1)) {
		*i += 1 + eol_len(x, *i + 1);
		new_line(x, *i);
		return ATLAS_OK;
	}
	for (e = simple; *e; e += 2)
		if (c == *e) {
			out[(*k)++] = e[1];
			*i += 2;
			return ATLAS_OK;
		}
	if (c >= '0' && c <= '7') {
		n = 1;
		u = c - '0';
		while (n < 3 && at(x, *i + 1 + (size_t)n) >= '0' &&
		       at(x, *i + 1 + (size_t)n) <= '7')
			u = u * 8 + (at(x, *i + 1 + (size_t)n++) - '0');
		put_utf8(out, k, (uint32_t)u);
		*i += 1 + (size_t)n;
		return ATLAS_OK;
	}
	n = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
	if (n) {
		u = hex_n(x, *i + 2, n);
		if (u < 0 || u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
			return lfail(x, *i, "invalid \\%c escape", c);
		put_utf8(out, k, (uint32_t)u);
		*i += 2 + (size_t)n;
		return ATLAS_OK;
	}
	if (c == 'N')
		return lfail(x, *i, "\\N{...} escapes are not supported");
	out[(*k)++] = '\\';
	*i += 1;
	return ATLAS_OK;
}

/* A string literal at x->pos (its opening quote), after prefix at start. */
static enum atlas_status string(struct lx *x, size_t start, int raw)
{
	const char q = x->s[x->pos];
	const int triple = at(x, x->pos + 1) == q && at(x, x->pos + 2) == q;
	const size_t line0 = x->line, ls0 = x->line_start;
	size_t i = x->pos + (triple ? 3 : 1), k = 0;
	struct kl_tok *tok;
	enum atlas_status st;
	char *out;

	/* Decoded text is never longer than the source. */
	out = malloc(x->n - x->pos + 1);
	if (!out)
		return lnomem(x);
	for (;;) {
		const int c = at(x, i);

		if (c < 0 || (!triple && eol_len(x, i))) {
			free(out);
			x->line = line0;
			x->line_start = ls0;
			return lfail(x, start,
				     triple ? "unterminated triple-quoted "
					      "string literal" :
					      "unterminated string literal");
		}
		if (c == q &&
		    (!triple || (at(x, i + 1) == q && at(x, i + 2) == q))) {
			i += triple ? 3 : 1;
			break;
		}
		if (c == '\\' && !raw) {
			st = escape(x, &i, out, &k);
			if (st != ATLAS_OK) {
				free(out);
				return st;
			}
			continue;
		}
		if (c == '\\' && (at(x, i + 1) == q || at(x, i + 1) == '\\')) {
			out[k++] = '\\';
			out[k++] = x->s[i + 1];
			i += 2;
			continue;
		}
		if (eol_len(x, i)) {
			const size_t l = eol_len(x, i);

			out[k++] = '\n';
			i += l;
			new_line(x, i);
			continue;
		}
		out[k++] = (char)c;
		i++;
	}
	out[k] = '\0';
	/* The token's position is its first character. */
	{
		const size_t line1 = x->line, ls1 = x->line_start;

		x->line = line0;
		x->line_start = ls0;
		tok = emit(x, T_STRING, start, i);
		x->line = line1;
		x->line_start = ls1;
	}
	if (!tok) {
		free(out);
		return lnomem(x);
	}
	tok->str = out;
	x->pos = i;
	return ATLAS_OK;
}

/*
 * A name at x->pos, or a string with the prefix it spells (r, u; b and f
 * are refused).
 */
static enum atlas_status name(struct lx *x)
{
	const size_t start = x->pos;
	size_t i = start;
	char pre[3] = "";

	while (i < x->n && (is_alpha(at(x, i)) || is_digit(at(x, i))))
		i++;
	if (at(x, i) >= 0x80)
		return lfail(x, i, "non-ASCII identifiers are not supported");
	if (i - start <= 2 && (at(x, i) == '\'' || at(x, i) == '"')) {
		for (size_t k = start; k < i; k++)
			pre[k - start] = (char)(x->s[k] | 0x20);
		if (!strcmp(pre, "b") || !strcmp(pre, "br") ||
		    !strcmp(pre, "rb"))
			return lfail(x, start,
				     "bytes literals are not supported");
		if (!strcmp(pre, "f") || !strcmp(pre, "fr") ||
		    !strcmp(pre, "rf"))
			return lfail(x, start, "f-strings are not supported");
		if (!strcmp(pre, "r") || !strcmp(pre, "u")) {
			x->pos = i;
			return string(x, start, pre[0] == 'r');
		}
	}
	if (!emit(x, T_NAME, start, i))
		return lnomem(x);
	x->pos = i;
	return ATLAS_OK;
}

/* ---- operators and brackets --------------------------------------------- */

static const char *const ops3[] = {"**=", "//=", ">>=", "<<=", "..."};
static const char *const ops2[] = {
	"->", ":=", "**", "//", ">>", "<<", "<=", ">=", "==", "!=",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="};
static const char ops1[] = "+-*/%@&|^~<>()[]{},:.;=";

static enum atlas_status bracket(struct lx *x, int c)
{
	static const char open[] = "([{", close[] = ")]}";

	if (strchr(open, c)) {
		if (x->nbr == MAX_BRACKETS) {
			lfail(x, x->pos, "too many nested parentheses");
			if (x->err)
				x->err->code = ATLAS_ERR_LIMIT;
			return ATLAS_ERR_LIMIT;
		}
		x->br[x->nbr++] = x->pos;
		return ATLAS_OK;
	}
	if (x->nbr == 0)
		return lfail(x, x->pos, "unmatched '%c'", c);
	{
		const char o = x->s[x->br[x->nbr - 1]];

		if (strchr(close, c) - close != strchr(open, o) - open)
			return lfail(x, x->pos,
				     "closing parenthesis '%c' does not match "
				     "opening parenthesis '%c'",
				     c, o);
	}
	x->nbr--;
	return ATLAS_OK;
}

static enum atlas_status op(struct lx *x)
{
	const int c = at(x, x->pos);
	size_t len = 0;
	enum atlas_status st;

	for (size_t k = 0; k < sizeof ops3 / sizeof *ops3 && !len; k++)
		if (x->n - x->pos >= 3 &&
		    memcmp(x->s + x->pos, ops3[k], 3) == 0)
			len = 3;
	for (size_t k = 0; k < sizeof ops2 / sizeof *ops2 && !len; k++)
		if (x->n - x->pos >= 2 &&
		    memcmp(x->s + x->pos, ops2[k], 2) == 0)
			len = 2;
	if (!len && c > 0 && strchr(ops1, c))
		len = 1;
	if (!len) {
		if (c >= 0x80) {
			const unsigned char *u =
				(const unsigned char *)x->s + x->pos;
			const size_t left = x->n - x->pos;
			uint32_t cp = c;

			if (c >= 0xc0 && c < 0xe0 && left >= 2)
				cp = (uint32_t)(c & 0x1f) << 6 | (u[1] & 0x3f);
			else if (c >= 0xe0 && c < 0xf0 && left >= 3)
				cp = (uint32_t)(c & 0x0f) << 12 |
				     (uint32_t)(u[1] & 0x3f) << 6 |
				     (u[2] & 0x3f);
			else if (c >= 0xf0 && left >= 4)
				cp = (uint32_t)(c & 0x07) << 18 |
				     (uint32_t)(u[1] & 0x3f) << 12 |
				     (uint32_t)(u[2] & 0x3f) << 6 |
				     (u[3] & 0x3f);
			return lfail(x, x->pos, "invalid character U+%04X",
				     (unsigned)cp);
		}
		if (c > 0x20 && c < 0x7f)
			return lfail(x, x->pos, "invalid character '%c'", c);
		return lfail(x, x->pos, "invalid character U+%04X", c);
	}
	if (len == 1 && strchr("()[]{}", c)) {
		st = bracket(x, c);
		if (st != ATLAS_OK)
			return st;
	}
	if (!emit(x, T_OP, x->pos, x->pos + len))
		return lnomem(x);
	x->pos += len;
	return ATLAS_OK;
}

/* ---- the main loop ------------------------------------------------------ */

/* End of a physical line at x->pos (its line end, not yet consumed). */
static enum atlas_status line_end(struct lx *x, int *at_line_start)
{
	const size_t l = eol_len(x, x->pos);

	if (x->nbr == 0 && x->line_has_tokens) {
		if (!emit(x, T_NEWLINE, x->pos, x->pos))
			return lnomem(x);
		x->line_has_tokens = 0;
	}
	x->pos += l;
	new_line(x, x->pos);
	*at_line_start = x->nbr == 0;
	return ATLAS_OK;
}

static enum atlas_status finish(struct lx *x)
{
	if (x->nbr)
		return lfail(x, x->br[x->nbr - 1], "'%c' was never closed",
			     x->s[x->br[x->nbr - 1]]);
	if (x->line_has_tokens && !emit(x, T_NEWLINE, x->pos, x->pos))
		return lnomem(x);
	for (; x->nind > 1; x->nind--)
		if (!emit(x, T_DEDENT, x->pos, x->pos))
			return lnomem(x);
	return emit(x, T_END, x->pos, x->pos) ? ATLAS_OK : lnomem(x);
}

static enum atlas_status token(struct lx *x, int *at_line_start)
{
	const int c = at(x, x->pos);

	if (c == ' ' || c == '\t' || c == '\f') {
		x->pos++;
		return ATLAS_OK;
	}
	if (c == '#') {
		while (x->pos < x->n && !eol_len(x, x->pos))
			x->pos++;
		return ATLAS_OK;
	}
	if (eol_len(x, x->pos))
		return line_end(x, at_line_start);
	if (c == '\\') {
		const size_t l = eol_len(x, x->pos + 1);

		if (x->pos + 1 >= x->n)
			return lfail(x, x->pos,
				     "unexpected end of input after line "
				     "continuation character");
		if (!l)
			return lfail(x, x->pos,
				     "unexpected character after line "
				     "continuation character");
		x->pos += 1 + l;
		new_line(x, x->pos);
		return ATLAS_OK;
	}
	if (is_digit(c) || (c == '.' && is_digit(at(x, x->pos + 1))))
		return number(x);
	if (is_alpha(c))
		return name(x);
	if (c == '\'' || c == '"')
		return string(x, x->pos, 0);
	return op(x);
}

enum atlas_status kl_lex(const char *text, size_t len, struct kl_toks *out,
			 struct atlas_error *err)
{
	struct lx *x = calloc(1, sizeof *x);
	enum atlas_status st = ATLAS_OK;
	int at_line_start = 1, blank;

	memset(out, 0, sizeof *out);
	if (!x) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	x->s = text;
	x->n = len;
	x->line = 1;
	x->out = out;
	x->err = err;
	x->nind = 1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		x->pos = x->line_start = 3;
	while (st == ATLAS_OK && x->pos < x->n) {
		if (at_line_start) {
			at_line_start = 0;
			st = indentation(x, &blank);
			continue;
		}
		st = token(x, &at_line_start);
	}
	if (st == ATLAS_OK)
		st = finish(x);
	free(x);
	if (st != ATLAS_OK)
		kl_toks_release(out);
	return st;
}
