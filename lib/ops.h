/*
 * ops.h - the typed element-wise loops the interpreter runs: one function
 * per (operation, type), each a plain loop over n lanes that gcc
 * vectorises.  Arrays hold values of the instruction's type; f16 and bf16
 * arrays hold uint16_t bit patterns and are computed by widening to f32
 * and rounding back (DESIGN.md 8.7).  A NULL lookup result means "this
 * operation does not accept this type" (the verifier has already refused
 * such programs, so the engine treats NULL as an internal error).
 *
 * Semantics follow reference/atlas-original.md 2.4 and 2.7: integers wrap
 * (two's complement, no UB: computed in unsigned arithmetic), shifts take
 * the amount modulo the bit width and SHR is arithmetic for signed types,
 * float MIN/MAX return the other operand when one is NaN, float->int CVT
 * truncates toward zero and saturates with NaN -> 0.
 *
 * dst may equal an operand (in-place) but must not partially overlap one.
 */
#ifndef ATLAS_OPS_H
#define ATLAS_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "isa.h"

typedef void (*ops_un_fn)(void *dst, const void *a, size_t n);
typedef void (*ops_bin_fn)(void *dst, const void *a, const void *b, size_t n);
typedef void (*ops_tern_fn)(void *dst, const void *a, const void *b,
			    const void *c, size_t n);
typedef void (*ops_cmp_fn)(uint8_t *dst, const void *a, const void *b,
			   size_t n);

/*
 * OP_MOV, OP_ABS, OP_NEG, OP_NOT and the transcendentals OP_EXP ...
 * OP_ROUND (through vmath.h; ROUND rounds halfway cases to even).
 */
ops_un_fn ops_unary(enum isa_op op, enum atlas_type t);

/*
 * OP_ADD, OP_SUB, OP_MUL, OP_MIN, OP_MAX, OP_AND, OP_OR, OP_XOR, and
 * OP_DIV, OP_FLOORDIV, OP_MOD for float types only (integer division can
 * fault: ops_idiv_op); OP_POW.
 * OP_SHL and OP_SHR: b is an array of uint32_t shift amounts, whatever t.
 */
ops_bin_fn ops_binary(enum isa_op op, enum atlas_type t);

/* OP_MAD (a*b+c, two roundings) and OP_FMA (fused). */
ops_tern_fn ops_ternary(enum isa_op op, enum atlas_type t);

/*
 * dst[i] = a[i] COND b[i] as 0/1.  NULL for the unsigned conditions
 * (LTU ... GEU) on signed or float types.  NaN compares false except NE.
 */
ops_cmp_fn ops_compare(enum isa_cond c, enum atlas_type t);

/*
 * CVT from -> to (reference 2.7, extended: f16/bf16 <-> f32 and f16/bf16
 * same-type copies are allowed).  NULL when the pair is not supported.
 */
ops_un_fn ops_convert(enum atlas_type to, enum atlas_type from);

/* dst[i] = p[i] ? a[i] : b[i] for elements of size elem (1, 2, 4 or 8). */
void ops_select(void *dst, const uint8_t *p, const void *a, const void *b,
		size_t n, size_t elem);

/*
 * Integer division of type t over the lanes whose mask byte is nonzero
 * (all lanes if mask is NULL); other lanes of dst are left unchanged.
 * Signed MIN / -1 wraps to MIN.  Returns the index of the first active
 * lane whose divisor is zero (nothing is written then), or n.
 */
size_t ops_idiv(enum atlas_type t, void *dst, const void *a, const void *b,
		const uint8_t *mask, size_t n);

/*
 * The same for op OP_DIV (ops_idiv), OP_FLOORDIV or OP_MOD.  FLOORDIV
 * rounds the quotient toward minus infinity and MOD's result takes the
 * sign of the divisor, as Python's // and %; MIN // -1 wraps to MIN and
 * MIN % -1 is 0.
 */
size_t ops_idiv_op(enum isa_op op, enum atlas_type t, void *dst, const void *a,
		   const void *b, const uint8_t *mask, size_t n);

/*
 * dst[i] = mask[i] ? src[i] : dst[i] for elements of size elem.
 */
void ops_blend(void *dst, const void *src, const uint8_t *mask, size_t n,
	       size_t elem);

/*
 * Fill dst[0..n) with the value at *v (elem bytes).
 */
void ops_broadcast(void *dst, const void *v, size_t n, size_t elem);

/*
 * The identity of a reduction for type t (REDUCE_ADD: 0, REDUCE_MUL: 1,
 * REDUCE_MIN: the type's max or +inf, REDUCE_MAX: min or -inf), as the
 * bit pattern of one element, zero-extended.
 */
uint64_t ops_identity(enum isa_op reduce_op, enum atlas_type t);

/* Element loops for the high-order ops over float arrays (f32, f64). */
ops_un_fn ops_map(enum isa_map m, enum atlas_type t);
ops_bin_fn ops_map2(enum isa_map2 m, enum atlas_type t);
/* out = reduction of a[0..n) (pairwise / multi-accumulator, deterministic) */
void ops_reduce_array(enum isa_red r, enum atlas_type t, void *out,
		      const void *a, size_t n);

#endif /* ATLAS_OPS_H */
