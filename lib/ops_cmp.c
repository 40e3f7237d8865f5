/*
 * ops_cmp.c - SETcc compare loops, and the type-blind lane moves SEL,
 * blend and broadcast (ops.h).
 */
#include <assert.h>
#include <string.h>

#include "ops_impl.h"

/* ---- compares ----------------------------------------------------------- */

/* The C operators already give IEEE results: NaN false except !=. */
#define CMP(c, name, T, OPR)                                                   \
	static void c##_##name(uint8_t *d, const void *pa, const void *pb,     \
			       size_t n)                                       \
	{                                                                      \
		const T *a = pa, *b = pb;                                      \
		for (size_t i = 0; i < n; i++)                                 \
			d[i] = (uint8_t)(a[i] OPR b[i]);                       \
	}

#define CMPS(name, NAME, T, ...)                                               \
	CMP(eq, name, T, ==)                                                   \
	CMP(ne, name, T, !=)                                                   \
	CMP(lt, name, T, <)                                                    \
	CMP(le, name, T, <=)                                                   \
	CMP(gt, name, T, >)                                                    \
	CMP(ge, name, T, >=)
OPS_INTS(CMPS)
OPS_FLTS(CMPS)

static void half_cmp(ops_cmp_fn f, int bf, uint8_t *d, const void *pa,
		     const void *pb, size_t n)
{
	float x[OPS_CHUNK], y[OPS_CHUNK];
	const uint16_t *a = pa, *b = pb;

	for (size_t i = 0; i < n; i += OPS_CHUNK) {
		const size_t m = ops_chunk(n, i);
		ops_widen(bf, x, a + i, m);
		ops_widen(bf, y, b + i, m);
		f(d + i, x, y, m);
	}
}

#define HALF_CMP(c, name, bf)                                                  \
	static void c##_##name(uint8_t *d, const void *a, const void *b,       \
			       size_t n)                                       \
	{                                                                      \
		half_cmp(c##_f32, bf, d, a, b, n);                             \
	}
#define HALF_CMPS(name, NAME, bf)                                              \
	HALF_CMP(eq, name, bf)                                                 \
	HALF_CMP(ne, name, bf)                                                 \
	HALF_CMP(lt, name, bf)                                                 \
	HALF_CMP(le, name, bf)                                                 \
	HALF_CMP(gt, name, bf)                                                 \
	HALF_CMP(ge, name, bf)
OPS_HALVES(HALF_CMPS)

/* clang-format off */
#define CMP_ENT(name, NAME, ...)                                               \
	[COND_EQ][ATLAS_##NAME] = eq_##name,                                   \
	[COND_NE][ATLAS_##NAME] = ne_##name,                                   \
	[COND_LT][ATLAS_##NAME] = lt_##name,                                   \
	[COND_LE][ATLAS_##NAME] = le_##name,                                   \
	[COND_GT][ATLAS_##NAME] = gt_##name,                                   \
	[COND_GE][ATLAS_##NAME] = ge_##name,
/* The unsigned conditions exist for unsigned types only, as the plain ones. */
#define CMPU_ENT(name, NAME, ...)                                              \
	[COND_LTU][ATLAS_##NAME] = lt_##name,                                  \
	[COND_LEU][ATLAS_##NAME] = le_##name,                                  \
	[COND_GTU][ATLAS_##NAME] = gt_##name,                                  \
	[COND_GEU][ATLAS_##NAME] = ge_##name,

static const ops_cmp_fn cmp_tab[COND_COUNT][ATLAS_NTYPES] = {
	OPS_INTS(CMP_ENT) OPS_FLTS(CMP_ENT) OPS_HALVES(CMP_ENT)
	OPS_UINTS(CMPU_ENT)
};
/* clang-format on */

ops_cmp_fn ops_compare(enum isa_cond c, enum atlas_type t)
{
	if ((unsigned)c >= COND_COUNT || (unsigned)t >= ATLAS_NTYPES ||
	    !(isa_op_table[OP_SETCC].types & TM(t)))
		return NULL;
	return cmp_tab[c][t];
}

/* ---- select, blend, broadcast ------------------------------------------- */

#define MOVES(T, size)                                                         \
	static void select_##size(void *dst, const uint8_t *p, const void *pa, \
				  const void *pb, size_t n)                    \
	{                                                                      \
		T *d = dst;                                                    \
		const T *a = pa, *b = pb;                                      \
		for (size_t i = 0; i < n; i++)                                 \
			d[i] = p[i] ? a[i] : b[i];                             \
	}                                                                      \
	static void blend_##size(void *dst, const void *ps,                    \
				 const uint8_t *mask, size_t n)                \
	{                                                                      \
		T *d = dst;                                                    \
		const T *s = ps;                                               \
		for (size_t i = 0; i < n; i++)                                 \
			d[i] = mask[i] ? s[i] : d[i];                          \
	}                                                                      \
	static void broadcast_##size(void *dst, const void *pv, size_t n)      \
	{                                                                      \
		T *d = dst;                                                    \
		T v;                                                           \
		memcpy(&v, pv, sizeof v);                                      \
		for (size_t i = 0; i < n; i++)                                 \
			d[i] = v;                                              \
	}
MOVES(uint8_t, 1)
MOVES(uint16_t, 2)
MOVES(uint32_t, 4)
MOVES(uint64_t, 8)

void ops_select(void *dst, const uint8_t *p, const void *a, const void *b,
		size_t n, size_t elem)
{
	switch (elem) {
	case 1:
		select_1(dst, p, a, b, n);
		break;
	case 2:
		select_2(dst, p, a, b, n);
		break;
	case 4:
		select_4(dst, p, a, b, n);
		break;
	case 8:
		select_8(dst, p, a, b, n);
		break;
	default:
		assert(!"ops_select: bad element size");
	}
}

void ops_blend(void *dst, const void *src, const uint8_t *mask, size_t n,
	       size_t elem)
{
	switch (elem) {
	case 1:
		blend_1(dst, src, mask, n);
		break;
	case 2:
		blend_2(dst, src, mask, n);
		break;
	case 4:
		blend_4(dst, src, mask, n);
		break;
	case 8:
		blend_8(dst, src, mask, n);
		break;
	default:
		assert(!"ops_blend: bad element size");
	}
}

void ops_broadcast(void *dst, const void *v, size_t n, size_t elem)
{
	switch (elem) {
	case 1:
		broadcast_1(dst, v, n);
		break;
	case 2:
		broadcast_2(dst, v, n);
		break;
	case 4:
		broadcast_4(dst, v, n);
		break;
	case 8:
		broadcast_8(dst, v, n);
		break;
	default:
		assert(!"ops_broadcast: bad element size");
	}
}
