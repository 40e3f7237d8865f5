/*
 * kl_lower.h - inside the lowering of the kernel language to the ISA
 * (kl_lower in kl.h): the state its files share.  kl_lower.c holds the
 * driver, names, statements and control flow; kl_lower_emit.c errors,
 * registers, labels, the statement's cache and instruction emission;
 * kl_lower_value.c types, literals, conversions, constant folding and
 * array accesses; kl_lower_expr.c the expression dispatch and snapshots;
 * kl_lower_arith.c operators and powers; kl_lower_cond.c comparisons,
 * conditions and if-expressions; kl_lower_call.c the intrinsics, casts,
 * atomics and parallel operations.  Internal to kl_lower*.c.
 *
 * The type rules are stated once, at the top of kl_lower.c.
 */
#ifndef ATLAS_KL_LOWER_H
#define ATLAS_KL_LOWER_H

#include <stddef.h>
#include <stdint.h>

#include "isa.h"
#include "kl.h"
#include "program.h"

/* Registers r1 .. LW_LASTREG hold parameters, variables, temporaries. */
#define LW_LASTREG 249
#define LW_NONE 0xffffu
#define LW_CACHE 32 /* values remembered within a statement */

/*
 * Language types: enum atlas_type, KL_BOOL (held as u8 0 or 1), and two
 * pseudo-types for literals that have not taken a type yet.
 */
#define LT_ILIT (KL_BOOL + 1) /* an integer literal */
#define LT_FLIT (KL_BOOL + 2) /* a float literal */
#define LT_ANY (-1)	      /* "whatever the value's type" (dst hints) */

/* What a register holds while a kernel is lowered. */
enum lw_rstate {
	R_FREE,
	R_FIXED, /* a parameter or special register */
	R_VAR,	 /* a variable, for the whole kernel */
	R_HELD,	 /* a loop's bound or step, until the loop ends */
	R_TEMP,	 /* a temporary: freed when used */
	R_CACHE	 /* a remembered value: freed when the statement ends */
};

/* A value as expression lowering hands it on. */
enum vkind {
	VK_NONE,  /* no value: an atomic or parallel operation */
	VK_REG,	  /* register reg holds a value of type t */
	VK_CONST, /* a constant of type t: bits, zero-extended */
	VK_INT,	  /* an integer literal (or folded literals): i */
	VK_FLOAT  /* a float literal (or folded literals): f */
};

struct val {
	enum vkind k;
	int t; /* VK_REG, VK_CONST: enum atlas_type or KL_BOOL */
	uint16_t reg;
	uint64_t bits;
	__int128 i;
	double f;
};

struct lw_var {
	const char *name;
	int t;
	uint16_t reg;
	uint8_t nested; /* first bound inside a block: zeroed at entry */
};

struct lw_loop {
	long brk, cont; /* label indices */
};

enum lw_ckind { CK_IMM, CK_OFFSET, CK_CVT };

/* A value computed earlier in the statement, kept in register reg. */
struct lw_centry {
	int kind;      /* enum lw_ckind */
	int t;	       /* CK_IMM: ISA type; CK_CVT: destination type */
	uint64_t bits; /* CK_IMM */
	const struct kl_expr *e; /* CK_OFFSET: the index */
	unsigned shift;		 /* CK_OFFSET */
	uint16_t src;		 /* CK_CVT */
	int from;		 /* CK_CVT */
	uint16_t reg;
};

struct lw {
	const struct kl_func *k;
	struct atlas_program *p;
	struct atlas_error *err;
	int failed;
	uint32_t line, col;    /* position of the node being lowered */
	uint8_t rs[ISA_NREGS]; /* enum lw_rstate */
	uint16_t preds;	       /* predicates in use, one bit each */
	struct lw_var *vars;
	size_t nvars, vars_cap;
	struct lw_loop *loops;
	size_t nloops, loops_cap;
	struct lw_centry cache[LW_CACHE];
	size_t ncache;
	unsigned nlabels;    /* labels made, for unique names */
	uint16_t gid_off[4]; /* register of gid << k, set at entry; LW_NONE */
	int depth;	     /* block nesting of the statement being lowered */
};

/* ---- kl_lower_emit.c: errors, registers, labels, emission ------------- */

/* Fail at (line, col) with ATLAS_ERR_PARSE and a message; returns -1. */
int lw_fail(struct lw *w, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Fail at node e. */
#define lw_efail(w, e, ...) lw_fail((w), (e)->line, (e)->col, __VA_ARGS__)
int lw_nomem(struct lw *w);

/* A free register in state st; -1 (error set) when none is left. */
int lw_alloc(struct lw *w, enum lw_rstate st, uint16_t *r);
void lw_free(struct lw *w, uint16_t r);
/* Free v's register if it is a temporary. */
void lw_release(struct lw *w, const struct val *v);
int lw_palloc(struct lw *w, uint16_t *p);
void lw_pfree(struct lw *w, uint16_t p);

/* A new label (index into the program's labels), named after what. */
long lw_label(struct lw *w, const char *what);
/* Define label l at the next instruction; forgets the cache. */
int lw_place(struct lw *w, long l);

/* An instruction with opcode op on type t (-1: none), no operands. */
void lw_insn_init(struct isa_insn *in, enum isa_op op, int t);
/* Emit one instruction at the current position. */
int lw_emit(struct lw *w, struct isa_insn *in);
int lw_emit_imm(struct lw *w, int t, uint16_t dst, uint64_t bits);
int lw_emit_un(struct lw *w, enum isa_op op, int t, uint16_t dst, uint16_t src);
int lw_emit_bin(struct lw *w, enum isa_op op, int t, uint16_t dst, uint16_t a,
		uint16_t b);
int lw_emit_cvt(struct lw *w, int to, int from, uint16_t dst, uint16_t src);
int lw_emit_setcc(struct lw *w, enum isa_cond c, int t, uint16_t p, uint16_t a,
		  uint16_t b);
int lw_emit_sel(struct lw *w, int t, uint16_t dst, uint16_t p, uint16_t a,
		uint16_t b);
int lw_emit_bra(struct lw *w, long label, uint16_t pred);
int lw_emit_exit(struct lw *w);

/* The values computed earlier in the statement (cleared at labels). */
struct lw_centry *lw_cache_find(struct lw *w, const struct lw_centry *key);
void lw_cache_add(struct lw *w, const struct lw_centry *ent);
void lw_cache_clear(struct lw *w);

/* ---- kl_lower.c: names ------------------------------------------------- */

/* Variables and parameters by name: NULL or -1 when there is none.
   lw_var_find finds a variable bound so far, lw_var_slot any. */
struct lw_var *lw_var_find(struct lw *w, const char *name);
struct lw_var *lw_var_slot(struct lw *w, const char *name);
long lw_param_find(const struct lw *w, const char *name);
/* The language type of parameter i's value or elements. */
int lw_param_type(const struct lw *w, long i);
/* Is e the lane id: get_global_id() or a variable that only holds it? */
int lw_is_gid(struct lw *w, const struct kl_expr *e);

/* ---- kl_lower_value.c: types, literals, conversions, folding, arrays --- */

/* Properties of language types (not the literal pseudo-types). */
int lt_isa(int t); /* the ISA type that holds it */
int lt_int(int t);
int lt_float(int t);
int lt_signed(int t);
unsigned lt_size(int t);
const char *lt_name(int t);
/* Integer types and the integer literal pseudo-type. */
int lt_intlike(int t);
/* The language type of a value (LT_ILIT, LT_FLIT for literals). */
int lw_vtype(const struct val *v);
/* The type a lone literal takes: i32 (i64, u64 when too big), f32. */
int lw_lit_type(const struct val *v);
/* Does the integer literal value fit type t? */
int lw_fits(__int128 i, int t);
/* Decimal text of i (buf of at least 48 bytes). */
const char *lw_i128_str(char *buf, __int128 i);
/* The meeting type of two arithmetic operands (lw_vtype codes), or -1
   with an error at e. */
int lw_meet(struct lw *w, int a, int b, const struct kl_expr *e);
/* The float type an operation on operand types a and b computes in. */
int lw_float_of(int a, int b);
/* May a value of type from (language or literal type) be converted to t
   without a cast (assignment, arguments)? */
int lw_implicit_ok(int from, int t);

/* Folding with the instructions' own loops.  lw_fold_bin returns -1 when
   an integer divisor is zero; lw_fold_cvt to bool gives the truth. */
uint64_t lw_fold_un(enum isa_op op, int t, uint64_t a);
int lw_fold_bin(enum isa_op op, int t, uint64_t a, uint64_t b, uint64_t *r);
int lw_fold_cmp(enum isa_cond c, int t, uint64_t a, uint64_t b);
uint64_t lw_fold_cvt(int f, int t, uint64_t bits);
uint64_t lw_f64_bits(double d);
/* The double a literal stands for. */
double lw_lit_double(const struct val *v);
/* The truth of a constant or literal value. */
int lw_truth(const struct val *v);
/* The value of an integer constant or literal (sign-extended). */
__int128 lw_const_int(const struct val *v);
void lw_set_const(struct val *v, int t, uint64_t bits);
void lw_set_reg(struct val *v, int t, uint16_t r);
/* A constant or a literal? */
int lw_is_const(const struct val *v);

/* Make v a register (constants through the cache). */
int lw_reg(struct lw *w, struct val *v);
/* A register holding constant bits of type t (through the cache). */
int lw_const_reg(struct lw *w, int t, uint64_t bits, uint16_t *r);
/* The register for a result of type t: dst if allowed, else a temporary. */
int lw_dest(struct lw *w, int t, uint16_t dst, int dt, uint16_t *r);
/* dst when a result of type t may go there (dt), else LW_NONE. */
uint16_t lw_dst_for(uint16_t dst, int dt, int t);
/*
 * Convert v to type t (any conversion the language has; an integer
 * literal must fit an integer type), emitting the last instruction into
 * dst when it is not LW_NONE.
 */
int lw_to(struct lw *w, struct val *v, int t, uint16_t dst,
	  const struct kl_expr *e);
/* Put v, converted to type t, into register dst. */
int lw_put(struct lw *w, struct val *v, int t, uint16_t dst);
/*
 * Lower e into register dst of type t with the implicit conversions of
 * assignment; what names the target in messages ("i32 variable 'x'").
 */
int lw_into(struct lw *w, const struct kl_expr *e, int t, uint16_t dst,
	    const char *what);
/* op a (ISA unary op) and a op b (ISA binary op) in type t, folded when
   the operands are constants; temporaries among a and b are consumed. */
int lw_unop(struct lw *w, enum isa_op op, int t, struct val *a, struct val *v,
	    uint16_t dst, int dt);
int lw_binop(struct lw *w, const struct kl_expr *e, enum isa_op op, int t,
	     struct val *a, struct val *b, struct val *v, uint16_t dst, int dt);

/* The address of array parameter pi's element at index e. */
int lw_addr(struct lw *w, long pi, const struct kl_expr *e, struct isa_addr *a);
/* The array parameter named by e (a KE_VAR), or -1 with an error. */
long lw_array_of(struct lw *w, const struct kl_expr *e);
/* arr[i] as a value; a name as a value. */
int lw_load(struct lw *w, const struct kl_expr *e, struct val *v, uint16_t dst,
	    int dt);
int lw_var_value(struct lw *w, const struct kl_expr *e, struct val *v);

/* ---- kl_lower_expr.c: expressions -----------------------------------------
 */

/*
 * Lower e to a value.  dst (or LW_NONE) is a register the value may be
 * computed into, when its type is dt (LT_ANY: any type).  A call without
 * a value is an error (lw_expr_stmt allows it).
 */
int lw_expr(struct lw *w, const struct kl_expr *e, struct val *v, uint16_t dst,
	    int dt);
int lw_expr_stmt(struct lw *w, const struct kl_expr *e);
/* The type of e's value, learnt by lowering e and undoing it. */
int lw_peek_type(struct lw *w, const struct kl_expr *e, int *t);

/* Is t one of the literal pseudo-types? */
static inline int lt_lit(int t)
{
	return t == LT_ILIT || t == LT_FLIT;
}

/* Make v the bool constant truth (nonzero: 1). */
static inline void lw_set_bool(struct val *v, int truth)
{
	lw_set_const(v, KL_BOOL, (uint64_t)(truth != 0));
}

/* ---- kl_lower_arith.c: operators, powers ----------------------------------
 */

/*
 * a op b for binary e with an arithmetic (+ - * / // %), bitwise or
 * shift operator, the operands already lowered; op a for unary e.
 */
int lw_arith(struct lw *w, const struct kl_expr *e, struct val *a,
	     struct val *b, struct val *v, uint16_t dst, int dt);
int lw_unary(struct lw *w, const struct kl_expr *e, struct val *v, uint16_t dst,
	     int dt);
/* base ** expo (the operator and pow()). */
int lw_power(struct lw *w, const struct kl_expr *e, const struct kl_expr *base,
	     const struct kl_expr *expo, struct val *v, uint16_t dst, int dt);

/* ---- kl_lower_cond.c: comparisons, conditions, if-expressions -------------
 */

/* Jump to label when e's truth is jump_if. */
int lw_cond(struct lw *w, const struct kl_expr *e, long label, int jump_if);
/* Is binary operator kb a comparison? */
int lw_is_cmp(int kb);
/* Comparison e, and and / or e, as bool values. */
int lw_compare_value(struct lw *w, const struct kl_expr *e, struct val *v,
		     uint16_t dst, int dt);
int lw_bool_value(struct lw *w, const struct kl_expr *e, struct val *v);
/*
 * Is condition c cheaper as a jump when true (an ordered comparison of
 * floats, whose negation is not a comparison because of NaN)?  *yes.
 */
int lw_prefers_true(struct lw *w, const struct kl_expr *c, int *yes);
/* Would evaluating e never fault and have no side effects? */
int lw_safe(const struct kl_expr *e);
/* If-expression e: e->a if e->c else e->b. */
int lw_ifexpr(struct lw *w, const struct kl_expr *e, struct val *v,
	      uint16_t dst, int dt);

/* ---- kl_lower_call.c: calls -------------------------------------------- */

/* Lower call e; v->k is VK_NONE for the operations without a value. */
int lw_call(struct lw *w, const struct kl_expr *e, struct val *v, uint16_t dst,
	    int dt);
/* Is e a call of a function with no side effects that cannot fault? */
int lw_call_safe(const struct kl_expr *e);

#endif /* ATLAS_KL_LOWER_H */
