/*
 * kl_access_lane.c - the lane rules of the access analysis (kl_access.c):
 * which values and variables depend on the lane (the taint pass, for
 * reductions), and which integer scalars only bound the lane count
 * (guards).
 */
#include <stdlib.h>
#include <string.h>

#include "kl_access.h"

/* A branch whose execution depends on the lane (taint of bindings). */
struct region {
	const struct kl_block *b;
	int in_loop; /* the branch is inside, or is the body of, a loop */
	const struct region *up;
};

/* ---- lane dependence ---------------------------------------------------- */

int ka_lane_dep(const struct an *a, const struct kl_expr *e)
{
	const struct var *v;
	long p;

	if (!e)
		return 0;
	switch (e->kind) {
	case KE_VAR:
		v = ka_find(a, e->name);
		return v && v->lane;
	case KE_CALL:
		if (ka_is_call(e, "get_global_id") || ka_is_atomic(e))
			return 1;
		for (size_t i = 0; i < e->nargs; i++)
			if (ka_lane_dep(a, e->args[i]))
				return 1;
		return 0;
	case KE_INDEX:
		p = ka_array_of(a, e->a);
		/* another lane may have written the element */
		if (p < 0 || a->wrote[p])
			return 1;
		return ka_lane_dep(a, e->b);
	default:
		return ka_lane_dep(a, e->a) || ka_lane_dep(a, e->b) ||
		       ka_lane_dep(a, e->c);
	}
}

/* A break or continue of the loop whose body is b (not of inner loops). */
static int has_exit(const struct kl_block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];

		if (s->kind == KS_BREAK || s->kind == KS_CONTINUE)
			return 1;
		if (s->kind == KS_IF &&
		    (has_exit(&s->body) || has_exit(&s->orelse)))
			return 1;
	}
	return 0;
}

/* Does a lane-dependent condition leave the loop whose body is b? */
static int lane_exit(const struct an *a, const struct kl_block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];

		if (s->kind != KS_IF)
			continue;
		if (ka_lane_dep(a, s->value) ?
			    has_exit(&s->body) || has_exit(&s->orelse) :
			    lane_exit(a, &s->body) || lane_exit(a, &s->orelse))
			return 1;
	}
	return 0;
}

/* Does binding v under the lane-dependent branches r make it differ
   between lanes? */
static int control_taints(const struct var *v, const struct region *r)
{
	for (; r; r = r->up)
		if (r->in_loop ||
		    ka_count_bindings(r->b, v->name) < v->nlet + v->nfor)
			return 1;
	return 0;
}

static void taint(struct an *a, const char *name, int dep,
		  const struct region *r)
{
	struct var *v = ka_find(a, name);

	if (v && !v->lane && (dep || control_taints(v, r))) {
		v->lane = 1;
		a->changed = 1;
	}
}

static void taint_block(struct an *a, const struct kl_block *b,
			const struct region *r, unsigned loops)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];
		struct region then = {&s->body, 1, r};
		struct region other = {&s->orelse, loops > 0, r};
		int dep;

		switch (s->kind) {
		case KS_LET:
			taint(a, s->name, ka_lane_dep(a, s->value), r);
			break;
		case KS_ASSIGN:
			if (s->target && s->target->kind == KE_VAR)
				taint(a, s->target->name,
				      ka_lane_dep(a, s->value), r);
			break;
		case KS_FOR:
			dep = ka_lane_dep(a, s->start) ||
			      ka_lane_dep(a, s->stop) ||
			      ka_lane_dep(a, s->step);
			taint(a, s->name, dep, r);
			taint_block(a, &s->body,
				    dep || lane_exit(a, &s->body) ? &then : r,
				    loops + 1);
			break;
		case KS_WHILE:
			dep = ka_lane_dep(a, s->value) ||
			      lane_exit(a, &s->body);
			taint_block(a, &s->body, dep ? &then : r, loops + 1);
			break;
		case KS_IF:
			if (!ka_lane_dep(a, s->value)) {
				taint_block(a, &s->body, r, loops);
				taint_block(a, &s->orelse, r, loops);
				break;
			}
			then.in_loop = loops > 0;
			taint_block(a, &s->body, &then, loops);
			taint_block(a, &s->orelse, &other, loops);
			break;
		default:
			break;
		}
	}
}

void ka_taint(struct an *a)
{
	taint_block(a, &a->k->body, NULL, 0);
}

/* ---- the lane-count guard ----------------------------------------------- */

/* Does anything in e (or b) name an array parameter? */
static int names_array(const struct an *a, const struct kl_expr *e)
{
	if (!e)
		return 0;
	if (e->kind == KE_VAR)
		return ka_array_of(a, e) >= 0;
	for (size_t i = 0; i < e->nargs; i++)
		if (names_array(a, e->args[i]))
			return 1;
	return names_array(a, e->a) || names_array(a, e->b) ||
	       names_array(a, e->c);
}

static int block_names_array(const struct an *a, const struct kl_block *b);

static int stmt_names_array(const struct an *a, const struct kl_stmt *s)
{
	if ((s->kind == KS_LET || s->kind == KS_FOR) &&
	    ka_is_array_param(a, ka_find(a, s->name)))
		return 1;
	return names_array(a, s->value) || names_array(a, s->target) ||
	       names_array(a, s->start) || names_array(a, s->stop) ||
	       names_array(a, s->step) || block_names_array(a, &s->body) ||
	       block_names_array(a, &s->orelse);
}

static int block_names_array(const struct an *a, const struct kl_block *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (stmt_names_array(a, b->v[i]))
			return 1;
	return 0;
}

/* References to parameter name in e / b. */
static unsigned refs(const struct kl_expr *e, const char *name)
{
	unsigned n;

	if (!e)
		return 0;
	n = e->kind == KE_VAR && strcmp(e->name, name) == 0;
	for (size_t i = 0; i < e->nargs; i++)
		n += refs(e->args[i], name);
	return n + refs(e->a, name) + refs(e->b, name) + refs(e->c, name);
}

static unsigned block_refs(const struct kl_block *b, const char *name)
{
	unsigned n = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];

		n += refs(s->value, name) + refs(s->target, name) +
		     refs(s->start, name) + refs(s->stop, name) +
		     refs(s->step, name) + block_refs(&s->body, name) +
		     block_refs(&s->orelse, name);
	}
	return n;
}

/*
 * The bound n of "lane < n" (below: 1) or "lane >= n" (below: 0), also
 * written "n > lane", "n <= lane", "not (...)": the scalar's index, or -1.
 */
static long guard_bound(const struct an *a, const struct kl_expr *c, int below)
{
	const int lt = below ? KB_LT : KB_GE, gt = below ? KB_GT : KB_LE;

	if (c && c->kind == KE_UNARY && c->op == KU_NOT)
		return guard_bound(a, c->a, !below);
	if (!c || c->kind != KE_BINARY)
		return -1;
	if (c->op == lt && ka_is_lane(a, c->a))
		return ka_int_scalar_param(a, ka_resolve(a, c->b));
	if (c->op == gt && ka_is_lane(a, c->b))
		return ka_int_scalar_param(a, ka_resolve(a, c->a));
	return -1;
}

/* Is b exactly "return" (no value)? */
static int just_return(const struct kl_block *b)
{
	return b->n == 1 && b->v[0]->kind == KS_RETURN && !b->v[0]->value;
}

/*
 * Mark the guards.  Each top-level statement before the first that names
 * an array may be "if lane >= n: return"; the one that names arrays may
 * be "if lane < n:" when no later statement (nor its else) names one.
 * n must appear nowhere but in such guards: a runner that binds it to
 * the lanes launched so far changes nothing else.
 */
void ka_find_guards(struct an *a)
{
	const struct kl_block *body = &a->k->body;
	unsigned *uses_in_guards;
	size_t last_touch = 0; /* 1 + index of the last statement naming an
				  array, 0 if none */

	uses_in_guards = calloc(a->k->nparams + 1, sizeof *uses_in_guards);
	if (!uses_in_guards) {
		a->nomem = 1;
		return;
	}
	for (size_t i = 0; i < body->n; i++)
		if (stmt_names_array(a, body->v[i]))
			last_touch = i + 1;
	for (size_t i = 0; i < body->n; i++) {
		const struct kl_stmt *s = body->v[i];
		long n;

		if (s->kind == KS_IF) {
			n = guard_bound(a, s->value, 0);
			if (n < 0 || !just_return(&s->body) ||
			    block_names_array(a, &s->orelse)) {
				n = guard_bound(a, s->value, 1);
				if (last_touch > i + 1 ||
				    names_array(a, s->value) ||
				    block_names_array(a, &s->orelse))
					n = -1;
			}
			if (n >= 0)
				uses_in_guards[n] +=
					refs(s->value, a->k->params[n].name);
		}
		if (stmt_names_array(a, s))
			break;
	}
	for (size_t i = 0; i < a->k->nparams; i++)
		if (uses_in_guards[i] &&
		    uses_in_guards[i] ==
			    block_refs(body, a->k->params[i].name) &&
		    !a->out[i].written)
			a->out[i].guard = 1;
	free(uses_in_guards);
}
