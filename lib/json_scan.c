/*
 * json_scan.c - a small validating JSON scanner over the raw text (see
 * json_scan.h).  cJSON builds the trees; this gives positions.
 */
#include <stdio.h>
#include <string.h>

#include "json_scan.h"

size_t js_ws(const struct js *j, size_t pos)
{
	while (pos < j->n && (j->s[pos] == ' ' || j->s[pos] == '\t' ||
			      j->s[pos] == '\n' || j->s[pos] == '\r'))
		pos++;
	return pos;
}

static int js_err(struct js *j, size_t pos, const char *msg)
{
	j->msg = msg;
	j->errpos = pos;
	return -1;
}

static int hex4(const struct js *j, size_t pos, unsigned *v)
{
	*v = 0;
	if (j->n - pos < 4)
		return -1;
	for (size_t i = pos; i < pos + 4; i++) {
		const int c = (unsigned char)j->s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

int js_string(struct js *j, size_t *pos)
{
	size_t i = *pos + 1;

	while (i < j->n) {
		const unsigned char c = (unsigned char)j->s[i];
		unsigned u, u2;

		if (c == '"') {
			*pos = i + 1;
			return 0;
		}
		if (c < 0x20)
			return js_err(j, i, "control character in string");
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= j->n)
			break;
		switch (j->s[i + 1]) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			i += 2;
			break;
		case 'u':
			/* cJSON rejects lone surrogates; \u0000 would cut
			   the string short. */
			if (hex4(j, i + 2, &u) < 0 || u == 0 ||
			    (u >= 0xdc00 && u <= 0xdfff))
				return js_err(j, i, "invalid \\u escape");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (j->n - i < 12 || j->s[i + 6] != '\\' ||
				    j->s[i + 7] != 'u' ||
				    hex4(j, i + 8, &u2) < 0 || u2 < 0xdc00 ||
				    u2 > 0xdfff)
					return js_err(j, i,
						      "invalid \\u escape");
				i += 6;
			}
			i += 6;
			break;
		default:
			return js_err(j, i, "invalid escape in string");
		}
	}
	return js_err(j, *pos, "unterminated string");
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int js_number(struct js *j, size_t *pos)
{
	size_t i = *pos;
	const size_t start = i;

	if (i < j->n && j->s[i] == '-')
		i++;
	if (i < j->n && j->s[i] == '0') {
		i++;
	} else if (i < j->n && is_digit((unsigned char)j->s[i])) {
		while (i < j->n && is_digit((unsigned char)j->s[i]))
			i++;
	} else {
		return js_err(j, start, "invalid number");
	}
	if (i < j->n && j->s[i] == '.') {
		i++;
		if (i >= j->n || !is_digit((unsigned char)j->s[i]))
			return js_err(j, start, "invalid number");
		while (i < j->n && is_digit((unsigned char)j->s[i]))
			i++;
	}
	if (i < j->n && (j->s[i] == 'e' || j->s[i] == 'E')) {
		i++;
		if (i < j->n && (j->s[i] == '+' || j->s[i] == '-'))
			i++;
		if (i >= j->n || !is_digit((unsigned char)j->s[i]))
			return js_err(j, start, "invalid number");
		while (i < j->n && is_digit((unsigned char)j->s[i]))
			i++;
	}
	if (i < j->n && (is_digit((unsigned char)j->s[i]) || j->s[i] == '.' ||
			 j->s[i] == 'e' || j->s[i] == 'E' ||
			 (j->s[i] >= 'a' && j->s[i] <= 'z')))
		return js_err(j, start, "invalid number");
	*pos = i;
	return 0;
}

/* An unexpected byte (syntax_error names it) or the end of the input. */
static int js_unexpected(struct js *j, size_t pos)
{
	if (pos >= j->n)
		return js_err(j, pos, "unexpected end of input");
	return js_err(j, pos, NULL); /* the caller's message names the byte */
}

static int js_container(struct js *j, size_t *pos, int depth)
{
	const char close = j->s[*pos] == '{' ? '}' : ']';
	size_t i = js_ws(j, *pos + 1);

	if (depth >= JSON_MAX_DEPTH)
		return js_err(j, *pos, "nesting too deep");
	if (i < j->n && j->s[i] == close) {
		*pos = i + 1;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (i >= j->n)
				return js_unexpected(j, i);
			if (j->s[i] != '"')
				return js_err(j, i, "expected a string key");
			if (js_string(j, &i))
				return -1;
			i = js_ws(j, i);
			if (i >= j->n)
				return js_unexpected(j, i);
			if (j->s[i] != ':')
				return js_err(j, i,
					      "expected ':' after object key");
			i = js_ws(j, i + 1);
		}
		if (js_value(j, &i, depth + 1))
			return -1;
		i = js_ws(j, i);
		if (i >= j->n)
			return js_unexpected(j, i);
		if (j->s[i] == close) {
			*pos = i + 1;
			return 0;
		}
		if (j->s[i] != ',')
			return js_err(j, i,
				      close == '}' ? "expected ',' or '}'" :
						     "expected ',' or ']'");
		i = js_ws(j, i + 1);
	}
}

int js_value(struct js *j, size_t *pos, int depth)
{
	size_t i = *pos;

	if (i >= j->n)
		return js_unexpected(j, i);
	switch (j->s[i]) {
	case '{':
	case '[':
		return js_container(j, pos, depth);
	case '"':
		return js_string(j, pos);
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		return js_number(j, pos);
	default:
		break;
	}
	if (j->n - i >= 4 && memcmp(j->s + i, "true", 4) == 0)
		*pos = i + 4;
	else if (j->n - i >= 5 && memcmp(j->s + i, "false", 5) == 0)
		*pos = i + 5;
	else if (j->n - i >= 4 && memcmp(j->s + i, "null", 4) == 0)
		*pos = i + 4;
	else
		return js_unexpected(j, i);
	return 0;
}

/* Offset of the next value after the one at pos, within a container:
   past the value, blanks and a ',' (or at the closing bracket). */
size_t js_skip(const char *s, size_t n, size_t pos)
{
	struct js j = {s, n, NULL, 0};

	if (js_value(&j, &pos, 0))
		return n;
	pos = js_ws(&j, pos);
	if (pos < n && s[pos] == ',')
		pos = js_ws(&j, pos + 1);
	return pos;
}

/* Offset of the first member (its key) or element of the container at
   off. */
size_t js_first(const char *s, size_t n, size_t off)
{
	const struct js j = {s, n, NULL, 0};

	return js_ws(&j, off + 1);
}

/* The value of the member whose key is at off. */
size_t js_member_value(const char *s, size_t n, size_t off)
{
	struct js j = {s, n, NULL, 0};

	if (js_string(&j, &off))
		return n;
	off = js_ws(&j, off);
	return js_ws(&j, off + 1); /* past ':' */
}

/*
 * Offset of child k of the container at off: an array's element, or an
 * object member's value (or key when want_key).
 */
size_t js_child(const char *s, size_t n, size_t off, size_t k, int want_key)
{
	const int obj = off < n && s[off] == '{';
	size_t pos = js_first(s, n, off);

	for (size_t i = 0; pos < n; i++) {
		const size_t v = obj ? js_member_value(s, n, pos) : pos;

		if (i == k)
			return want_key ? pos : v;
		pos = js_skip(s, n, v);
	}
	return off;
}

void js_describe(const struct js *j, char *buf, size_t size)
{
	const size_t pos = j->errpos;
	const unsigned char c = pos < j->n ? (unsigned char)j->s[pos] : 0;

	if (j->msg)
		snprintf(buf, size, "%s", j->msg);
	else if (pos >= j->n)
		snprintf(buf, size, "unexpected end of input");
	else if (c > 0x20 && c < 0x7f)
		snprintf(buf, size, "unexpected character '%c'", c);
	else
		snprintf(buf, size, "unexpected byte 0x%02x", c);
}
