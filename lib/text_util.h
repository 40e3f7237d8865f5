/*
 * text_util.h - pieces shared by the assembly and JSON readers and
 * writers: a growable string, the operand layout of each format, literal
 * parsing and canonical literal formatting, source positions.  Internal
 * to lib/.
 */
#ifndef ATLAS_TEXT_UTIL_H
#define ATLAS_TEXT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "isa.h"

/* ---- growable string ---------------------------------------------------- */

/* A malloc'd, always NUL-terminated string; failed is set on ENOMEM. */
struct strbuf {
	char *s;
	size_t len, cap;
	int failed;
};

void sb_init(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hand over the string (caller frees), or NULL (all freed) if it failed. */
char *sb_finish(struct strbuf *sb);

/* ---- operand layouts ---------------------------------------------------- */

/*
 * The operands of a format, in assembly order, one letter each:
 *   d  destination register (insn.dst)
 *   q  destination predicate (insn.dst)
 *   p  predicate operand (insn.pred)
 *   s  the next source register (insn.src[0], src[1], ...)
 *   l  label (insn.label)
 *   i  immediate (insn.imm, see text_imm_kind)
 *   a  address (insn.addr)
 * FMT_BRA's optional predicate is a suffix, not an operand.
 */
const char *text_operands(enum isa_fmt f);

/* Number of 's' letters in text_operands(f). */
unsigned text_nsrc(enum isa_fmt f);

/* What a format's immediate is. */
enum text_imm {
	TI_NONE,
	TI_TYPED, /* FMT_IMM: a literal of insn.type */
	TI_F64,	  /* unity.test epsilon: f64 bits */
	TI_UINT	  /* an unsigned integer up to text_imm_max() */
};
enum text_imm text_imm_kind(enum isa_fmt f);
uint64_t text_imm_max(enum isa_fmt f);

/* ---- names ------------------------------------------------------------- */

/* names[i], or "?" when i is out of range. */
const char *text_name(const char *const *names, unsigned n, unsigned i);
extern const char *const text_use_names[5];  /* "in" ... "guard" */
extern const char *const text_kind_names[2]; /* "array", "scalar" */

/*
 * Is s[0..n) an identifier, [A-Za-z_][A-Za-z0-9_]*, with '.' also allowed
 * after the first character when label is set?
 */
int text_is_ident(const char *s, size_t n, int label);

/* ---- literals ----------------------------------------------------------- */

/* The value of a hex (or lower-base) digit character, or -1. */
int text_digit(int c);

enum text_lit { LIT_OK, LIT_SYNTAX, LIT_RANGE };

/*
 * Parse an integer literal: decimal with an optional '-', or 0x hex.
 * LIT_RANGE when the magnitude does not fit 64 bits.
 */
enum text_lit text_parse_int(const char *s, size_t n, int *neg, int *hex,
			     uint64_t *mag);

/*
 * Parse an immediate of type t into its bit pattern, zero-extended:
 * integers (signed or unsigned of the width), floats (decimal value, inf,
 * nan, or 0x raw bits).
 */
enum text_lit text_parse_imm(const char *s, size_t n, enum atlas_type t,
			     uint64_t *bits);

/* Parse an unsigned integer literal no greater than max. */
enum text_lit text_parse_uint(const char *s, size_t n, uint64_t max,
			      uint64_t *v);

/*
 * Convert a double (a JSON number) to an immediate of type t.  Integer
 * types need an integral value within 2^53.
 */
enum text_lit text_double_imm(double v, enum atlas_type t, uint64_t *bits);

#define TEXT_LIT_MAX 32 /* longest canonical literal, with the NUL */

/*
 * The canonical literal of an immediate of type t: signed or unsigned
 * decimal, the shortest round-tripping decimal for f32/f64 (always with
 * '.' or 'e', or inf/-inf), hex bits for NaNs and f16/bf16.
 */
void text_format_imm(char *buf, enum atlas_type t, uint64_t bits);

/* Shortest "%.Ng" form of v that reads back as v (for messages). */
void text_format_double(char *buf, size_t size, double v);

/* Can text_format_imm's value be a JSON number (an integer within 2^53)? */
int text_imm_json_number(enum atlas_type t, uint64_t bits);

/* ---- positions ---------------------------------------------------------- */

/* 1-based line and column (in UTF-8 characters) of byte off of text. */
void text_linecol(const char *text, size_t off, size_t *line, size_t *col);

#endif /* ATLAS_TEXT_UTIL_H */
