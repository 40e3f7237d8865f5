/*
 * kl_access_index.c - the patterns of the access analysis (kl_access.c):
 * the lane id through casts and single-binding variables, record lengths,
 * and whether an array index has the form lane*K + j with j provably in
 * [0, K).
 */
#include <stdint.h>
#include <string.h>

#include "isa.h"
#include "kl_access.h"

#define RESOLVE_DEPTH 64 /* single-binding variables followed in a row */

/* A cast that keeps every lane id of a launch: to a 32- or 64-bit
   integer type. */
static int is_wide_int_cast(const struct kl_expr *e)
{
	static const char *const casts[] = {"int", "i32", "u32", "i64", "u64"};

	if (!e || e->kind != KE_CALL || e->nargs != 1 || !e->name)
		return 0;
	for (size_t i = 0; i < sizeof casts / sizeof casts[0]; i++)
		if (strcmp(e->name, casts[i]) == 0)
			return 1;
	return 0;
}

/* e with wide integer casts stripped and single-binding local variables
   replaced by their values. */
const struct kl_expr *ka_resolve(const struct an *a, const struct kl_expr *e)
{
	for (int depth = 0; e && depth < RESOLVE_DEPTH; depth++) {
		const struct var *v;

		if (is_wide_int_cast(e)) {
			e = e->args[0];
			continue;
		}
		if (e->kind != KE_VAR)
			return e;
		v = ka_find(a, e->name);
		if (!v || v->param >= 0 || v->nlet != 1 || v->nfor != 0 ||
		    !v->def)
			return e;
		e = v->def;
	}
	return e;
}

int ka_is_lane(const struct an *a, const struct kl_expr *e)
{
	e = ka_resolve(a, e);
	return ka_is_call(e, "get_global_id") && e->nargs == 0;
}

/* An integer scalar parameter that is never assigned; its index or -1. */
long ka_int_scalar_param(const struct an *a, const struct kl_expr *e)
{
	const struct var *v;
	const struct kl_param *p;

	if (!e || e->kind != KE_VAR)
		return -1;
	v = ka_find(a, e->name);
	if (!v || v->param < 0 || v->nlet || v->nfor)
		return -1;
	p = &a->k->params[v->param];
	if (p->type.array || p->type.elem >= ATLAS_NTYPES ||
	    !isa_type_is_int((enum atlas_type)p->type.elem))
		return -1;
	return v->param;
}

/* A record length: an integer literal in [1, 2^53] or an unassigned
   integer scalar parameter. */
static int kexpr(const struct an *a, const struct kl_expr *e, struct kval *k)
{
	long p;

	e = ka_resolve(a, e);
	memset(k, 0, sizeof *k);
	if (e && e->kind == KE_INT) {
		if (e->ival < 1 || e->ival > PROGRAM_RECORD_MAX)
			return 0;
		k->lit = e->ival;
		return 1;
	}
	p = ka_int_scalar_param(a, e);
	if (p < 0)
		return 0;
	k->is_param = 1;
	k->param = (size_t)p;
	return 1;
}

int ka_same_k(const struct kval *x, const struct kval *y)
{
	return x->is_param == y->is_param &&
	       (x->is_param ? x->param == y->param : x->lit == y->lit);
}

/* lane * K or K * lane. */
static int lane_times(const struct an *a, const struct kl_expr *e,
		      struct kval *k)
{
	e = ka_resolve(a, e);
	if (!e || e->kind != KE_BINARY || e->op != KB_MUL)
		return 0;
	if (ka_is_lane(a, e->a) && kexpr(a, e->b, k))
		return 1;
	return ka_is_lane(a, e->b) && kexpr(a, e->a, k);
}

/* A non-negative integer literal no greater than max (as the tree holds
   it, after resolving); *v receives it. */
static int lit_le(const struct an *a, const struct kl_expr *e, uint64_t max,
		  uint64_t *v)
{
	e = ka_resolve(a, e);
	if (!e || e->kind != KE_INT || e->ival > max)
		return 0;
	*v = e->ival;
	return 1;
}

/* Every for loop binding name in b counts over a part of [0, K). */
static int loops_within(const struct an *a, const struct kl_block *b,
			const char *name, const struct kval *k)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];
		uint64_t start, step, stop;

		if (s->kind == KS_FOR && strcmp(s->name, name) == 0) {
			if (s->start && !lit_le(a, s->start, INT64_MAX, &start))
				return 0;
			if (s->step &&
			    (!lit_le(a, s->step, INT64_MAX, &step) || step < 1))
				return 0;
			if (k->is_param ? ka_int_scalar_param(
						  a, ka_resolve(a, s->stop)) !=
						  (long)k->param :
					  !lit_le(a, s->stop, k->lit, &stop))
				return 0;
		}
		if (!loops_within(a, &s->body, name, k) ||
		    !loops_within(a, &s->orelse, name, k))
			return 0;
	}
	return 1;
}

/* Is j provably in [0, K)? */
static int offset_ok(const struct an *a, const struct kl_expr *j,
		     const struct kval *k)
{
	const struct var *v;
	uint64_t lit;

	j = ka_resolve(a, j);
	if (!j)
		return 0;
	if (j->kind == KE_INT)
		return k->is_param ? j->ival == 0 :
				     lit_le(a, j, k->lit - 1, &lit);
	if (j->kind != KE_VAR)
		return 0;
	v = ka_find(a, j->name);
	if (!v || v->param >= 0 || v->nlet != 0 || v->nfor == 0)
		return 0;
	return loops_within(a, &a->k->body, v->name, k);
}

/* Does index e have the form lane*K + j (K = 1 for the lane itself)? */
int ka_record_index(const struct an *a, const struct kl_expr *e, struct kval *k)
{
	e = ka_resolve(a, e);
	if (!e)
		return 0;
	if (ka_is_lane(a, e)) {
		memset(k, 0, sizeof *k);
		k->lit = 1;
		return 1;
	}
	if (lane_times(a, e, k))
		return 1;
	if (e->kind != KE_BINARY || e->op != KB_ADD)
		return 0;
	if (lane_times(a, e->a, k) && offset_ok(a, e->b, k))
		return 1;
	return lane_times(a, e->b, k) && offset_ok(a, e->a, k);
}
