/*
 * asm_read.h - inside the assembly reader (asm_read and asm_append in
 * program.h): the state its files share.  asm_read.c holds the cursor
 * and its tokens, lines, labels, directives and the driver;
 * asm_operand.c mnemonics, suffixes, operands, addresses and
 * immediates.  Internal to those two files.
 */
#ifndef ATLAS_ASM_READ_H
#define ATLAS_ASM_READ_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"

struct rd {
	const char *text;
	size_t len;
	size_t line; /* current line, 1-based */
	size_t bol;  /* offset of the line's first byte */
	size_t eol;  /* end of the line's content: '#', '\n' or the end */
	size_t pos;  /* the cursor, bol <= pos <= eol */
	struct atlas_program *p;
	struct atlas_error *err;
	int have_kernel, have_insn;
	unsigned meta_seen; /* metadata directives read, by asm_meta.c */
	size_t *defs;	    /* label indices in definition order */
	size_t ndefs, defs_cap;
	/* the instruction being read, for messages */
	size_t mnem, mnem_end;
	/* "record NAME" lengths, resolved at the end of the header */
	struct pending_record *recs;
	size_t nrecs, recs_cap;
};

/* A .param line's "record NAME", for a parameter that may come later. */
struct pending_record {
	size_t param;	  /* the array's index */
	char *name;	  /* the length's name */
	size_t line, col; /* of the name */
};

/* One dot-separated suffix of a mnemonic: text[pos, end), no dot. */
struct suffix {
	size_t pos, end;
};

#define TRY(x)                                                                 \
	do {                                                                   \
		enum atlas_status st_ = (x);                                   \
		if (st_ != ATLAS_OK)                                           \
			return st_;                                            \
	} while (0)

/* ---- asm_read.c: the cursor and its tokens ------------------------------ */

int rd_is_blank(int c);
/* Column of pos on the current line, 1-based, in UTF-8 characters. */
size_t rd_col(const struct rd *r, size_t pos);
/* Fail with ATLAS_ERR_PARSE at pos on the current line. */
enum atlas_status rd_fail(struct rd *r, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fail with "out of memory" at the cursor. */
enum atlas_status rd_nomem(struct rd *r);
void rd_skip_blanks(struct rd *r);
/* End of the operand-like word at pos: one punctuation character, or a
   run of anything else up to a blank, punctuation or '-'. */
size_t rd_word_end(const struct rd *r, size_t pos);
/* End of a blank-delimited token at pos. */
size_t rd_tok_end(const struct rd *r, size_t pos);
/* "'word'" or "end of line", for messages (GOT: into a local gbuf). */
const char *rd_got(const struct rd *r, size_t pos, size_t end, char *buf,
		   size_t size);
#define GOT(pos, end) rd_got(r, (pos), (end), gbuf, sizeof gbuf)
/* Is text[pos, end) the string s? */
int rd_equals(const struct rd *r, size_t pos, size_t end, const char *s);
/* Copy text[pos, end) into buf as a NUL-terminated string; 0 if it did
   not fit. */
int rd_copy(const struct rd *r, size_t pos, size_t end, char *buf, size_t size);
/* Look text[pos, end) up in a name table; -1 if absent. */
int rd_lookup(const struct rd *r, size_t pos, size_t end,
	      const char *const *names, int n);
/* The type named text[pos, end): 0, or -1 if there is none. */
int rd_lookup_type(const struct rd *r, size_t pos, size_t end,
		   enum atlas_type *t);
/*
 * Parse a decimal number with a letter prefix ("r12", "p0", "buf3") at
 * [pos, end).  Returns 1 if the word has that shape (then *v is set, or
 * *big when it exceeds max), 0 if not.
 */
int rd_prefixed(const struct rd *r, size_t pos, size_t end, const char *prefix,
		uint64_t max, uint64_t *v, int *big);

/* ---- asm_operand.c: mnemonics and operands ------------------------------ */

/* Find the operation of the mnemonic token [pos, end); returns the end of
   the mnemonic proper (suffixes follow), or 0 if unknown. */
size_t rd_find_op(const struct rd *r, size_t pos, size_t end, uint16_t *op,
		  uint8_t *cond);
/* The suffixes of an instruction, by its format. */
enum atlas_status rd_suffixes(struct rd *r, struct isa_insn *in,
			      const struct suffix *sfx, size_t n);
/* The operands of an instruction, by its format's layout. */
enum atlas_status rd_operands(struct rd *r, struct isa_insn *in);
/* A register (letter 'r') or predicate ('p') operand at the cursor. */
enum atlas_status rd_reg_operand(struct rd *r, char letter, uint16_t *out);

/* ---- asm_meta.c: the metadata directives -------------------------------- */

/*
 * If text[start, end) names a metadata directive, read the rest of its
 * line into r->p->meta, set *st and return 1; else return 0.
 */
int asm_meta_directive(struct rd *r, size_t start, size_t end,
		       enum atlas_status *st);

#endif /* ATLAS_ASM_READ_H */
