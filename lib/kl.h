/*
 * kl.h - the kernel language inside libatlas: one syntax tree shared by
 * the Python front end (kl_parse_python), the original's v1.0 JSON
 * (kl_read_v1 / kl_write_v1) and the lowering to the ISA (kl_lower).
 * Internal to lib/.
 *
 * The tree mirrors the v1.0 JSON schema (reference/atlas-original.md 3.2
 * to 3.5), extended with what the Python subset has beyond it: while,
 * break, continue, boolean and/or, bitwise operators, //, **, comparison
 * chains (parsed into 'and' of comparisons), if-expressions.
 *
 * Every node carries the 1-based line and column of its first token in
 * the source (0 when it came from JSON without positions), so that every
 * error can say "FILE:LINE:COL: message".
 */
#ifndef ATLAS_KL_H
#define ATLAS_KL_H

#include <stddef.h>
#include <stdint.h>

#include "atlas.h"

/* A scalar type of the language: an ISA type, or bool. */
#define KL_BOOL ATLAS_NTYPES

struct kl_type {
	uint8_t array; /* 1: DeviceArray[elem] (a buffer handle) */
	uint8_t elem;  /* enum atlas_type, or KL_BOOL */
};

enum kl_expr_kind {
	KE_VAR,	   /* name */
	KE_INT,	   /* ival (an integer literal; its type comes from context) */
	KE_FLOAT,  /* fval (a float literal: f32 unless f64 is involved) */
	KE_BOOL,   /* ival 0 or 1 */
	KE_STRING, /* str (only as an argument: parallel_map_unary's op) */
	KE_BINARY, /* op (enum kl_binop), a, b */
	KE_UNARY,  /* op (enum kl_unop), a */
	KE_INDEX,  /* a[b]: a is the array expression (a KE_VAR), b the index */
	KE_CALL,   /* name(args...) */
	KE_IFEXPR  /* a if c else b */
};

/* Binary operators; names as in v1.0 JSON "op" (kl_binop_names). */
enum kl_binop {
	KB_ADD,
	KB_SUB,
	KB_MUL,
	KB_DIV,
	KB_MOD,
	KB_FLOOR_DIV,
	KB_POW,
	KB_LT,
	KB_LE,
	KB_GT,
	KB_GE,
	KB_EQ,
	KB_NE,
	KB_AND,
	KB_OR, /* boolean */
	KB_BIT_AND,
	KB_BIT_OR,
	KB_BIT_XOR,
	KB_SHL,
	KB_SHR,
	KB_COUNT
};
extern const char *const kl_binop_names[KB_COUNT];

/* Unary operators: + - not ~ ("pos" "neg" "not" "inv"). */
enum kl_unop { KU_POS, KU_NEG, KU_NOT, KU_INV, KU_COUNT };
extern const char *const kl_unop_names[KU_COUNT];

struct kl_expr {
	enum kl_expr_kind kind;
	uint32_t line, col;
	int op;	       /* KE_BINARY, KE_UNARY */
	char *name;    /* KE_VAR, KE_CALL */
	char *str;     /* KE_STRING */
	uint64_t ival; /* KE_INT (two's complement), KE_BOOL */
	double fval;   /* KE_FLOAT */
	struct kl_expr *a, *b, *c;
	struct kl_expr **args; /* KE_CALL */
	size_t nargs;
};

enum kl_stmt_kind {
	KS_LET,	   /* name = value (first binding of a name) */
	KS_ASSIGN, /* target = value; target is a KE_VAR or KE_INDEX */
	KS_IF,	   /* if value: body [else: orelse] */
	KS_FOR,	   /* for name in range(start, stop, step): body */
	KS_WHILE,  /* while value: body */
	KS_BREAK,
	KS_CONTINUE,
	KS_RETURN, /* return [value] */
	KS_EXPR	   /* a call as a statement: atomic_add_f32(r, v),
		      parallel_map_unary(in, out, "op", n), ... */
};

struct kl_stmt;

struct kl_block {
	struct kl_stmt **v;
	size_t n, cap;
};

struct kl_stmt {
	enum kl_stmt_kind kind;
	uint32_t line, col;
	char *name;		/* KS_LET, KS_FOR */
	struct kl_expr *target; /* KS_ASSIGN */
	struct kl_expr *value;	/* LET, ASSIGN, EXPR, RETURN (or NULL),
				   IF and WHILE condition */
	struct kl_expr *start, *stop, *step; /* KS_FOR */
	struct kl_block body;		     /* IF then, FOR, WHILE */
	struct kl_block orelse;		     /* IF else */
	int has_else; /* IF: 0 = v1.0 "else_body": null */
};

struct kl_param {
	char *name;
	struct kl_type type;
	uint32_t line, col;
};

struct kl_func {
	char *name;
	int is_inline; /* @inline helper: expanded, never lowered */
	struct kl_param *params;
	size_t nparams;
	struct kl_block body;
	char *doc; /* docstring, or NULL */
	uint32_t line, col;
};

/* A source file: kernels and inline helpers, in source order. */
struct kl_module {
	struct kl_func *funcs;
	size_t nfuncs, cap;
};

/* Tree construction and release (kl_ast.c).  NULL on allocation failure. */
struct kl_expr *kl_expr_new(enum kl_expr_kind kind, uint32_t line,
			    uint32_t col);
struct kl_stmt *kl_stmt_new(enum kl_stmt_kind kind, uint32_t line,
			    uint32_t col);
int kl_block_push(struct kl_block *b, struct kl_stmt *s);
/* Append an argument to a KE_CALL; 0 or -1. */
int kl_call_push(struct kl_expr *call, struct kl_expr *arg);
struct kl_expr *kl_expr_copy(const struct kl_expr *e);
void kl_expr_free(struct kl_expr *e);
void kl_stmt_free(struct kl_stmt *s);
void kl_block_release(struct kl_block *b);
void kl_module_free(struct kl_module *m);

/*
 * Parse Python kernel source (reference 3.6; man 1 atlas-compile).  Every
 * construct outside the language is an error with its position, never
 * dropped.  @inline helpers are kept in the module; kl_expand_inline
 * substitutes them.
 */
enum atlas_status kl_parse_python(const char *text, size_t len,
				  struct kl_module **out,
				  struct atlas_error *err);

/*
 * Expand every call of an @inline helper in the kernels of m (arguments
 * substituted by position), and drop the helpers.  Recursion is an error:
 * "recursive inline function not allowed: NAME".
 */
enum atlas_status kl_expand_inline(struct kl_module *m,
				   struct atlas_error *err);

/*
 * The original's v1.0 JSON: one kernel object {"version":"1.0","kernel":
 * {...}} or an array of them.  The reader gives positions of the JSON
 * values; the writer prints as the original's compiler does (indent 2,
 * keys in schema order; an array when m has several kernels).
 */
enum atlas_status kl_read_v1(const char *text, size_t len,
			     struct kl_module **out, struct atlas_error *err);
char *kl_write_v1(const struct kl_module *m);

/* Does this JSON text look like v1.0 ("version": "1.0" at top level)? */
int kl_is_v1(const char *text, size_t len);

/* What the analysis learns about one parameter (kl_access.c). */
struct kl_access {
	enum atlas_access cls; /* arrays */
	uint64_t record_len;   /* RECORD: constant K; REDUCTION: the length
				  when every atomic's index is an integer
				  literal (the largest + 1), else 0 */
	long record_param;     /* RECORD: K is this scalar parameter; -1 */
	int read, written;     /* arrays: loaded from / stored to / atomics */
	int guard;	       /* scalars: the lane-count guard
				  (`if get_global_id() < n`) */
};

/*
 * Analyse how kernel k's lanes touch its parameters: out[i] describes
 * parameter i.  Runs on the tree after inline expansion.
 */
enum atlas_status kl_analyse_access(const struct kl_func *k,
				    struct kl_access *out,
				    struct atlas_error *err);

/*
 * Lower one kernel to an ISA program (not yet verified): types, registers,
 * control flow, intrinsics, and the parameters' access classes and
 * lane-count guard.
 */
enum atlas_status kl_lower(const struct kl_func *k, struct atlas_program **out,
			   struct atlas_error *err);

#endif /* ATLAS_KL_H */
