/*
 * kl_lower_emit.c - the machinery of the lowering of the kernel
 * language: errors, registers and predicates, labels, instruction
 * emission, and the cache of values computed earlier in a statement.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl_lower.h"

/* ---- errors ------------------------------------------------------------- */

int lw_fail(struct lw *w, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;

	if (w->failed)
		return -1;
	w->failed = ATLAS_ERR_PARSE;
	if (w->err) {
		memset(w->err, 0, sizeof *w->err);
		w->err->code = ATLAS_ERR_PARSE;
		w->err->line = line;
		w->err->col = col;
		va_start(ap, fmt);
		vsnprintf(w->err->msg, sizeof w->err->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int lw_nomem(struct lw *w)
{
	if (!w->failed)
		atlas_error_set(w->err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	w->failed = ATLAS_ERR_NOMEM;
	return -1;
}

/* ---- registers and predicates ------------------------------------------ */

int lw_alloc(struct lw *w, enum lw_rstate st, uint16_t *r)
{
	for (unsigned i = 1; i <= LW_LASTREG; i++)
		if (w->rs[i] == R_FREE) {
			w->rs[i] = (uint8_t)st;
			*r = (uint16_t)i;
			return 0;
		}
	return lw_fail(w, w->line, w->col,
		       "kernel too complex: out of registers");
}

void lw_free(struct lw *w, uint16_t r)
{
	if (r <= LW_LASTREG && w->rs[r] != R_FIXED)
		w->rs[r] = R_FREE;
}

void lw_release(struct lw *w, const struct val *v)
{
	if (v->k == VK_REG && v->reg <= LW_LASTREG && w->rs[v->reg] == R_TEMP)
		w->rs[v->reg] = R_FREE;
}

int lw_palloc(struct lw *w, uint16_t *p)
{
	for (unsigned i = 0; i < ISA_NPREDS; i++)
		if (!(w->preds & (1u << i))) {
			w->preds |= (uint16_t)(1u << i);
			*p = (uint16_t)i;
			return 0;
		}
	return lw_fail(w, w->line, w->col,
		       "expression too complex: out of predicates");
}

void lw_pfree(struct lw *w, uint16_t p)
{
	w->preds &= (uint16_t) ~(1u << p);
}

/* ---- the cache ------------------------------------------------------------
 */

static int centry_eq(const struct lw_centry *a, const struct lw_centry *b);

struct lw_centry *lw_cache_find(struct lw *w, const struct lw_centry *key)
{
	for (size_t i = 0; i < w->ncache; i++)
		if (centry_eq(&w->cache[i], key))
			return &w->cache[i];
	return NULL;
}

void lw_cache_add(struct lw *w, const struct lw_centry *ent)
{
	if (w->ncache < LW_CACHE) {
		w->cache[w->ncache++] = *ent;
		w->rs[ent->reg] = R_CACHE;
	}
}

/* Forget the values; their registers stay taken until the statement
   ends (a value may still be on its way into an instruction). */
void lw_cache_clear(struct lw *w)
{
	w->ncache = 0;
}

/* Structural equality of two pure expressions. */
static int expr_eq(const struct kl_expr *a, const struct kl_expr *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->op != b->op || a->ival != b->ival ||
	    memcmp(&a->fval, &b->fval, sizeof a->fval) != 0 ||
	    a->nargs != b->nargs)
		return 0;
	if ((a->name || b->name) &&
	    (!a->name || !b->name || strcmp(a->name, b->name) != 0))
		return 0;
	if ((a->str || b->str) &&
	    (!a->str || !b->str || strcmp(a->str, b->str) != 0))
		return 0;
	for (size_t i = 0; i < a->nargs; i++)
		if (!expr_eq(a->args[i], b->args[i]))
			return 0;
	return expr_eq(a->a, b->a) && expr_eq(a->b, b->b) &&
	       expr_eq(a->c, b->c);
}

static int centry_eq(const struct lw_centry *a, const struct lw_centry *b)
{
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case CK_IMM:
		return a->t == b->t && a->bits == b->bits;
	case CK_OFFSET:
		return a->shift == b->shift && expr_eq(a->e, b->e);
	default:
		return a->t == b->t && a->from == b->from && a->src == b->src;
	}
}

/* ---- labels -------------------------------------------------------------- */

long lw_label(struct lw *w, const char *what)
{
	char name[48];
	long l;

	snprintf(name, sizeof name, "%s_%u", what, ++w->nlabels);
	l = program_label_ref(w->p, name);
	if (l < 0)
		lw_nomem(w);
	return l;
}

int lw_place(struct lw *w, long l)
{
	lw_cache_clear(w);
	enum atlas_status st =
		program_label_define(w->p, w->p->labels[l].name, w->err);

	if (st != ATLAS_OK) {
		w->failed = st;
		return -1;
	}
	return 0;
}

/* ---- emission ------------------------------------------------------------ */

void lw_insn_init(struct isa_insn *in, enum isa_op op, int t)
{
	memset(in, 0, sizeof *in);
	in->op = (uint16_t)op;
	in->type = (uint8_t)(t < 0 ? 0 : lt_isa(t));
	in->pred = ISA_NO_PRED;
}

int lw_emit(struct lw *w, struct isa_insn *in)
{
	in->line = w->line;
	in->col = w->col;
	if (program_emit(w->p, in) != ATLAS_OK)
		return lw_nomem(w);
	return 0;
}

int lw_emit_imm(struct lw *w, int t, uint16_t dst, uint64_t bits)
{
	struct isa_insn in;

	lw_insn_init(&in, OP_MOV_IMM, t);
	in.dst = dst;
	in.imm = bits;
	return lw_emit(w, &in);
}

int lw_emit_un(struct lw *w, enum isa_op op, int t, uint16_t dst, uint16_t src)
{
	struct isa_insn in;

	lw_insn_init(&in, op, t);
	in.dst = dst;
	in.src[0] = src;
	return lw_emit(w, &in);
}

int lw_emit_bin(struct lw *w, enum isa_op op, int t, uint16_t dst, uint16_t a,
		uint16_t b)
{
	struct isa_insn in;

	lw_insn_init(&in, op, t);
	in.dst = dst;
	in.src[0] = a;
	in.src[1] = b;
	return lw_emit(w, &in);
}

int lw_emit_cvt(struct lw *w, int to, int from, uint16_t dst, uint16_t src)
{
	struct isa_insn in;

	lw_insn_init(&in, OP_CVT, to);
	in.type2 = (uint8_t)lt_isa(from);
	in.dst = dst;
	in.src[0] = src;
	return lw_emit(w, &in);
}

int lw_emit_setcc(struct lw *w, enum isa_cond c, int t, uint16_t p, uint16_t a,
		  uint16_t b)
{
	struct isa_insn in;

	lw_insn_init(&in, OP_SETCC, t);
	in.sub = (uint8_t)c;
	in.dst = p;
	in.src[0] = a;
	in.src[1] = b;
	return lw_emit(w, &in);
}

int lw_emit_sel(struct lw *w, int t, uint16_t dst, uint16_t p, uint16_t a,
		uint16_t b)
{
	struct isa_insn in;

	lw_insn_init(&in, OP_SEL, t);
	in.dst = dst;
	in.pred = p;
	in.src[0] = a;
	in.src[1] = b;
	return lw_emit(w, &in);
}

int lw_emit_bra(struct lw *w, long label, uint16_t pred)
{
	struct isa_insn in;

	lw_insn_init(&in, OP_BRA, -1);
	in.label = (uint32_t)label;
	in.pred = pred;
	return lw_emit(w, &in);
}

int lw_emit_exit(struct lw *w)
{
	struct isa_insn in;

	lw_insn_init(&in, OP_EXIT, -1);
	return lw_emit(w, &in);
}
