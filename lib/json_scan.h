/*
 * json_scan.h - a validating JSON scanner over the raw text, shared by
 * the JSON readers.  cJSON builds the tree but keeps no source positions:
 * the text is first checked by this scanner (which gives syntax errors a
 * precise place and message), and schema errors are placed by walking the
 * text again along the path to the offending value.  Internal to lib/.
 */
#ifndef ATLAS_JSON_SCAN_H
#define ATLAS_JSON_SCAN_H

#include <stddef.h>

#define JSON_MAX_DEPTH 512 /* below cJSON's own nesting limit */

/* The text s[0..n), and on error a message and its offset. */
struct js {
	const char *s;
	size_t n;
	const char *msg; /* on error; NULL: an unexpected byte at errpos */
	size_t errpos;
};

/* Offset of the first non-blank byte at or after pos. */
size_t js_ws(const struct js *j, size_t pos);

/* Check the string starting at *pos (its '"'); advance past it.  0 or -1
   (j->msg, j->errpos set). */
int js_string(struct js *j, size_t *pos);

/* Check the value starting at *pos, nested depth deep; advance past it.
   0 or -1 (j->msg, j->errpos set). */
int js_value(struct js *j, size_t *pos, int depth);

/* Offset of the next value after the one at pos, within a container:
   past the value, blanks and a ',' (or at the closing bracket). */
size_t js_skip(const char *s, size_t n, size_t pos);

/* Offset of the first member (its key) or element of the container at
   off. */
size_t js_first(const char *s, size_t n, size_t off);

/* The value of the member whose key is at off. */
size_t js_member_value(const char *s, size_t n, size_t off);

/*
 * Offset of child k of the container at off: an array's element, or an
 * object member's value (or key when want_key).
 */
size_t js_child(const char *s, size_t n, size_t off, size_t k, int want_key);

/* The message of a failed scan, without position: j->msg, or
   "unexpected character 'x'", "unexpected byte 0xNN", "unexpected end of
   input". */
void js_describe(const struct js *j, char *buf, size_t size);

#endif /* ATLAS_JSON_SCAN_H */
