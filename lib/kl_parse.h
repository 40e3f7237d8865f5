/*
 * kl_parse.h - inside the Python kernel-language front end: the tokens of
 * kl_lex.c and the parser state shared by kl_parse.c (module, functions),
 * kl_parse_stmt.c (statements) and kl_parse_expr.c (expressions).
 * Internal to those files.
 */
#ifndef ATLAS_KL_PARSE_H
#define ATLAS_KL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "kl.h"

/* ---- tokens ------------------------------------------------------------- */

enum kl_tok_kind {
	T_END,	   /* end of input */
	T_NEWLINE, /* end of a logical line */
	T_INDENT,
	T_DEDENT,
	T_NAME, /* identifiers and keywords */
	T_INT,
	T_FLOAT,
	T_STRING,
	T_OP /* operators and delimiters */
};

struct kl_tok {
	enum kl_tok_kind kind;
	uint32_t line, col; /* 1-based; col in characters */
	const char *s;	    /* the source text of the token */
	size_t n;
	uint64_t ival; /* T_INT */
	double fval;   /* T_FLOAT */
	char *str;     /* T_STRING: the decoded value, malloc'd */
};

struct kl_toks {
	struct kl_tok *v;
	size_t n, cap;
};

/*
 * Split Python source into tokens, with INDENT and DEDENT from the leading
 * blanks of each logical line and NEWLINE at its end, like Python's
 * tokenizer; the last token is T_END.  On failure *out is released.
 */
enum atlas_status kl_lex(const char *text, size_t len, struct kl_toks *out,
			 struct atlas_error *err);
void kl_toks_release(struct kl_toks *t);

/* ---- parser state ------------------------------------------------------- */

/* A name bound in the function being parsed (a span of the source). */
struct kl_name {
	const char *s;
	size_t n;
};

struct ps {
	const struct kl_tok *t; /* tokens, ending with T_END */
	size_t i;		/* the current token */
	struct atlas_error *err;
	enum atlas_status st; /* the first error */
	/* The function being parsed: names bound so far (parameters, lets,
	   loop variables), and the depth of loops around the statement. */
	struct kl_name *names;
	size_t nnames, names_cap;
	int loops;
	int depth; /* nesting of the parser's recursion */
	/* The next statement may be the docstring, kept here. */
	int doc_ok;
	char *doc;
};

/* The current token, and the one k tokens ahead (T_END at the end). */
const struct kl_tok *ps_peek(const struct ps *p, size_t k);
/* The current token, then advance. */
const struct kl_tok *ps_next(struct ps *p);
/* Is tok the operator or keyword s? */
int ps_is(const struct kl_tok *tok, const char *s);
/* Is the current token s?  ps_accept also consumes it. */
int ps_at(const struct ps *p, const char *s);
int ps_accept(struct ps *p, const char *s);
/* Is tok a Python keyword? */
int ps_keyword(const struct kl_tok *tok);
/* A description of tok for messages: "'x'", "end of line", ... */
void ps_describe(const struct kl_tok *tok, char *buf, size_t size);

/*
 * Record an error at tok (the first one wins) and return ATLAS_ERR_PARSE;
 * ps_nomem records an allocation failure.
 */
enum atlas_status ps_fail(struct ps *p, const struct kl_tok *tok,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same at a node's position. */
enum atlas_status ps_fail_at(struct ps *p, uint32_t line, uint32_t col,
			     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
enum atlas_status ps_nomem(struct ps *p);

/*
 * Limits that keep the recursion of the parser and of every walk over the
 * tree shallow: nesting of expressions and blocks, and the length of one
 * chain of operators of the same precedence.
 */
#define PS_MAX_DEPTH 200
#define PS_MAX_CHAIN 1000

/* Enter a nested construct at tok: 0, or -1 past PS_MAX_DEPTH. */
int ps_enter(struct ps *p, const struct kl_tok *tok);
/* A chain of n operators at tok: 0, or -1 past PS_MAX_CHAIN. */
int ps_chain(struct ps *p, const struct kl_tok *tok, size_t n);
/* "expected WHAT, got <the current token>". */
enum atlas_status ps_expected(struct ps *p, const char *what);
/* Consume the operator s, or fail with "expected 's', got ...". */
enum atlas_status ps_expect(struct ps *p, const char *s);
/* A malloc'd copy of tok's text (NULL after recording ENOMEM). */
char *ps_strdup(struct ps *p, const struct kl_tok *tok);

/* ---- expressions (kl_parse_expr.c) --------------------------------------
 */

/*
 * Parse an expression (Python's "test": a conditional expression and
 * everything below it).  Strings are rejected unless they are call
 * arguments.  NULL on error.
 */
struct kl_expr *ps_expr(struct ps *p);

/* Parse an expression without checking where strings appear. */
struct kl_expr *ps_expr_any(struct ps *p);

/*
 * Fail at the first string literal in e that is not an argument of a
 * call; 0 or -1.
 */
int ps_check_strings(struct ps *p, const struct kl_expr *e);

/* ---- statements (kl_parse_stmt.c) --------------------------------------
 */

/*
 * Parse the suite after a ':' (an indented block, or simple statements on
 * the same line) into b.  0 or -1.
 */
int ps_suite(struct ps *p, struct kl_block *b);

/*
 * Is the name s[0..n) bound in the current function?  Bind it (the text
 * must live as long as the function's parse: the source or the tree).
 */
int ps_bound(const struct ps *p, const char *s, size_t n);
int ps_bind(struct ps *p, const char *s, size_t n);

#endif /* ATLAS_KL_PARSE_H */
