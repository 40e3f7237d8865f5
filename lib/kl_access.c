/*
 * kl_access.c - how the lanes of a kernel touch its parameters (kl.h,
 * kl_analyse_access), for the streaming engine of DESIGN.md section 4.
 *
 * The rules, on the tree after inline expansion:
 *
 * - The lane id is get_global_id(), or a variable bound exactly once (by
 *   '=') to the lane id, possibly through 32- or 64-bit integer casts.
 *   Single-binding variables stand for the expression they hold wherever
 *   the patterns below are matched ("off = gid * K" then "x[off + j]").
 *
 * - Arrays.  Every index of the array (reads, stores, atomics) has the
 *   form gid*K + j, K*gid + j, j + gid*K or gid*K, with the same K each
 *   time: RECORD of K, or ELEMENT when every index is the lane id itself
 *   (K = 1).  K is an integer literal from 1 to 2^53 or an integer scalar
 *   parameter that is never assigned.  j must be provably in [0, K): an
 *   integer literal below a literal K (only 0 when K is a parameter), or
 *   a variable bound only by for loops over range(S, STOP, STEP) with
 *   literals S >= 0, STEP >= 1 and STOP = K (a literal STOP <= K when K is
 *   a literal).  gemv's A[gid*lda + j], j in range(n), is therefore not a
 *   record: nothing proves n <= lda, and it runs RESIDENT.
 *   Otherwise REDUCTION when the array is only ever the target of
 *   atomic_* statements whose indices do not depend on the lane (see
 *   below) and whose old values are not used (a counter handing out
 *   slots cannot be combined at the end);
 *   otherwise RESIDENT, which is always correct: what cannot stream runs
 *   resident.  An array passed to parallel_map_unary/binary or
 *   parallel_reduce, or named anywhere but as an indexed array or an
 *   atomic's target, is RESIDENT (and counted as read and written when
 *   its role is unknown).
 *
 * - Lane dependence (for reductions).  An expression depends on the lane
 *   if it calls get_global_id() or an atomic (whose old value depends on
 *   the order of lanes), reads an array that the kernel writes, indexes
 *   with a lane-dependent index, or uses a lane-dependent variable.  A
 *   variable is lane-dependent when a binding's value (or a for loop's
 *   bounds) is, or when it is bound under a lane-dependent condition (an
 *   if, the body of a while or for whose condition or bounds depend on
 *   the lane, or of a loop left by a lane-dependent break or continue)
 *   and is also bound outside that branch, or the branch is inside a
 *   loop.  A lane-dependent return needs no such care: the lanes that
 *   carry on all see the same values.
 *
 * - Scalars.  guard: an integer scalar n, never assigned, that appears
 *   only in lane-count guards at the top level of the kernel, before any
 *   array is touched: "if gid < n:" (or "n > gid") with no array named
 *   after it or in its else branch, or "if gid >= n: return" (or "n <=
 *   gid", "not gid < n").  A runner may then bind n itself.
 */
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "kl.h"
#include "program.h"

#define RESOLVE_DEPTH 64 /* single-binding variables followed in a row */

/* A name of the kernel: a parameter or a local variable. */
struct var {
	const char *name;
	long param;    /* index of the parameter, or -1 */
	unsigned nlet; /* bindings by '=' (let, assign, augmented) */
	unsigned nfor; /* bindings as a for loop's variable */
	const struct kl_expr *def; /* the value of the first '=' binding */
	int lane;		   /* lane-dependent */
};

/* A record length K: a literal or a scalar parameter. */
struct kval {
	int is_param;
	uint64_t lit;
	size_t param;
};

/* What the accesses to one array parameter look like so far. */
struct arr {
	unsigned accesses; /* indexed reads, stores, atomics */
	int matched;	   /* every index is lane*K + j */
	struct kval k;	   /* that K (valid once accesses > 0) */
	int atomics_only;  /* every access is an atomic */
	int no_reduce;	   /* an atomic's index depends on the lane, or its
			      old value is used */
	int resident;	   /* parallel_* argument, or an unknown use */
};

/* A branch whose execution depends on the lane (taint of bindings). */
struct region {
	const struct kl_block *b;
	int in_loop; /* the branch is inside, or is the body of, a loop */
	const struct region *up;
};

struct an {
	const struct kl_func *k;
	struct kl_access *out;
	struct var *vars;
	size_t nvars, cap;
	uint32_t *index; /* open addressing: var index + 1, 0 empty */
	size_t index_cap;
	struct arr *arrs;     /* one per parameter (used for arrays) */
	unsigned char *wrote; /* the kernel writes array parameter i */
	int changed;	      /* the taint pass changed something */
	int nomem;
};

/* ---- names -------------------------------------------------------------- */

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct var *find(const struct an *a, const char *name)
{
	size_t mask, i;

	if (!a->index_cap || !name)
		return NULL;
	mask = a->index_cap - 1;
	for (i = hash(name) & mask; a->index[i]; i = (i + 1) & mask)
		if (strcmp(a->vars[a->index[i] - 1].name, name) == 0)
			return &a->vars[a->index[i] - 1];
	return NULL;
}

static int reindex(struct an *a, size_t cap)
{
	uint32_t *q = calloc(cap, sizeof *q);

	if (!q)
		return -1;
	free(a->index);
	a->index = q;
	a->index_cap = cap;
	for (size_t v = 0; v < a->nvars; v++) {
		size_t i = hash(a->vars[v].name) & (cap - 1);

		while (a->index[i])
			i = (i + 1) & (cap - 1);
		a->index[i] = (uint32_t)v + 1;
	}
	return 0;
}

/* The variable called name, added if new; NULL when out of memory. */
static struct var *intern(struct an *a, const char *name)
{
	struct var *v = find(a, name);

	if (v)
		return v;
	if (a->nvars == a->cap) {
		const size_t ncap = a->cap ? 2 * a->cap : 32;

		v = realloc(a->vars, ncap * sizeof *v);
		if (!v) {
			a->nomem = 1;
			return NULL;
		}
		a->vars = v;
		a->cap = ncap;
	}
	v = &a->vars[a->nvars++];
	memset(v, 0, sizeof *v);
	v->name = name;
	v->param = -1;
	if (2 * a->nvars >= a->index_cap &&
	    reindex(a, a->index_cap ? 2 * a->index_cap : 64) < 0) {
		a->nvars--;
		a->nomem = 1;
		return NULL;
	}
	if (a->index_cap && find(a, name) == NULL) {
		size_t i = hash(name) & (a->index_cap - 1);

		while (a->index[i])
			i = (i + 1) & (a->index_cap - 1);
		a->index[i] = (uint32_t)a->nvars;
	}
	return v;
}

static int is_array_param(const struct an *a, const struct var *v)
{
	return v && v->param >= 0 && a->k->params[v->param].type.array;
}

/* The array parameter an expression names (a KE_VAR), or -1. */
static long array_of(const struct an *a, const struct kl_expr *e)
{
	const struct var *v;

	if (!e || e->kind != KE_VAR)
		return -1;
	v = find(a, e->name);
	return is_array_param(a, v) ? v->param : -1;
}

static int is_call(const struct kl_expr *e, const char *name)
{
	return e && e->kind == KE_CALL && e->name && strcmp(e->name, name) == 0;
}

static int is_atomic(const struct kl_expr *e)
{
	return e && e->kind == KE_CALL && e->name &&
	       strncmp(e->name, "atomic_", 7) == 0;
}

/* ---- bindings ----------------------------------------------------------- */

static void bind(struct an *a, const char *name, const struct kl_expr *value)
{
	struct var *v = intern(a, name);

	if (!v)
		return;
	if (value) {
		if (v->nlet++ == 0)
			v->def = value;
	} else {
		v->nfor++;
	}
}

static void bind_block(struct an *a, const struct kl_block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];

		switch (s->kind) {
		case KS_LET:
			bind(a, s->name, s->value);
			break;
		case KS_ASSIGN:
			if (s->target && s->target->kind == KE_VAR)
				bind(a, s->target->name, s->value);
			break;
		case KS_FOR:
			bind(a, s->name, NULL);
			break;
		default:
			break;
		}
		bind_block(a, &s->body);
		bind_block(a, &s->orelse);
	}
}

/* Bindings of name inside b (at any depth). */
static unsigned count_bindings(const struct kl_block *b, const char *name)
{
	unsigned n = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];

		if (((s->kind == KS_LET || s->kind == KS_FOR) &&
		     strcmp(s->name, name) == 0) ||
		    (s->kind == KS_ASSIGN && s->target &&
		     s->target->kind == KE_VAR &&
		     strcmp(s->target->name, name) == 0))
			n++;
		n += count_bindings(&s->body, name);
		n += count_bindings(&s->orelse, name);
	}
	return n;
}

/* ---- patterns ----------------------------------------------------------- */

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
static const struct kl_expr *resolve(const struct an *a,
				     const struct kl_expr *e)
{
	for (int depth = 0; e && depth < RESOLVE_DEPTH; depth++) {
		const struct var *v;

		if (is_wide_int_cast(e)) {
			e = e->args[0];
			continue;
		}
		if (e->kind != KE_VAR)
			return e;
		v = find(a, e->name);
		if (!v || v->param >= 0 || v->nlet != 1 || v->nfor != 0 ||
		    !v->def)
			return e;
		e = v->def;
	}
	return e;
}

static int is_lane(const struct an *a, const struct kl_expr *e)
{
	e = resolve(a, e);
	return is_call(e, "get_global_id") && e->nargs == 0;
}

/* An integer scalar parameter that is never assigned; its index or -1. */
static long int_scalar_param(const struct an *a, const struct kl_expr *e)
{
	const struct var *v;
	const struct kl_param *p;

	if (!e || e->kind != KE_VAR)
		return -1;
	v = find(a, e->name);
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

	e = resolve(a, e);
	memset(k, 0, sizeof *k);
	if (e && e->kind == KE_INT) {
		if (e->ival < 1 || e->ival > PROGRAM_RECORD_MAX)
			return 0;
		k->lit = e->ival;
		return 1;
	}
	p = int_scalar_param(a, e);
	if (p < 0)
		return 0;
	k->is_param = 1;
	k->param = (size_t)p;
	return 1;
}

static int same_k(const struct kval *x, const struct kval *y)
{
	return x->is_param == y->is_param &&
	       (x->is_param ? x->param == y->param : x->lit == y->lit);
}

/* lane * K or K * lane. */
static int lane_times(const struct an *a, const struct kl_expr *e,
		      struct kval *k)
{
	e = resolve(a, e);
	if (!e || e->kind != KE_BINARY || e->op != KB_MUL)
		return 0;
	if (is_lane(a, e->a) && kexpr(a, e->b, k))
		return 1;
	return is_lane(a, e->b) && kexpr(a, e->a, k);
}

/* A non-negative integer literal no greater than max (as the tree holds
   it, after resolving); *v receives it. */
static int lit_le(const struct an *a, const struct kl_expr *e, uint64_t max,
		  uint64_t *v)
{
	e = resolve(a, e);
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
			if (k->is_param ?
				    int_scalar_param(a, resolve(a, s->stop)) !=
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

	j = resolve(a, j);
	if (!j)
		return 0;
	if (j->kind == KE_INT)
		return k->is_param ? j->ival == 0 :
				     lit_le(a, j, k->lit - 1, &lit);
	if (j->kind != KE_VAR)
		return 0;
	v = find(a, j->name);
	if (!v || v->param >= 0 || v->nlet != 0 || v->nfor == 0)
		return 0;
	return loops_within(a, &a->k->body, v->name, k);
}

/* Does index e have the form lane*K + j (K = 1 for the lane itself)? */
static int record_index(const struct an *a, const struct kl_expr *e,
			struct kval *k)
{
	e = resolve(a, e);
	if (!e)
		return 0;
	if (is_lane(a, e)) {
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

/* ---- lane dependence ---------------------------------------------------- */

static int lane_dep(const struct an *a, const struct kl_expr *e)
{
	const struct var *v;
	long p;

	if (!e)
		return 0;
	switch (e->kind) {
	case KE_VAR:
		v = find(a, e->name);
		return v && v->lane;
	case KE_CALL:
		if (is_call(e, "get_global_id") || is_atomic(e))
			return 1;
		for (size_t i = 0; i < e->nargs; i++)
			if (lane_dep(a, e->args[i]))
				return 1;
		return 0;
	case KE_INDEX:
		p = array_of(a, e->a);
		/* another lane may have written the element */
		if (p < 0 || a->wrote[p])
			return 1;
		return lane_dep(a, e->b);
	default:
		return lane_dep(a, e->a) || lane_dep(a, e->b) ||
		       lane_dep(a, e->c);
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
		if (lane_dep(a, s->value) ?
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
		    count_bindings(r->b, v->name) < v->nlet + v->nfor)
			return 1;
	return 0;
}

static void taint(struct an *a, const char *name, int dep,
		  const struct region *r)
{
	struct var *v = find(a, name);

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
			taint(a, s->name, lane_dep(a, s->value), r);
			break;
		case KS_ASSIGN:
			if (s->target && s->target->kind == KE_VAR)
				taint(a, s->target->name, lane_dep(a, s->value),
				      r);
			break;
		case KS_FOR:
			dep = lane_dep(a, s->start) || lane_dep(a, s->stop) ||
			      lane_dep(a, s->step);
			taint(a, s->name, dep, r);
			taint_block(a, &s->body,
				    dep || lane_exit(a, &s->body) ? &then : r,
				    loops + 1);
			break;
		case KS_WHILE:
			dep = lane_dep(a, s->value) || lane_exit(a, &s->body);
			taint_block(a, &s->body, dep ? &then : r, loops + 1);
			break;
		case KS_IF:
			if (!lane_dep(a, s->value)) {
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

/* ---- uses of the parameters --------------------------------------------- */

static void use_expr(struct an *a, const struct kl_expr *e, int value);

/*
 * An access to array p at index idx (NULL: element 0 of an atomic);
 * atomic: 0 (a load or store), 1 (an atomic statement) or 2 (an atomic
 * whose old value is used, which a reduction combined at the end could
 * not give).
 */
static void access(struct an *a, long p, const struct kl_expr *idx, int atomic)
{
	struct arr *r = &a->arrs[p];
	struct kval k;
	int m;

	memset(&k, 0, sizeof k);
	if (idx)
		m = record_index(a, idx, &k);
	else
		m = 0; /* atomic_add_f32(r, v): r[0] */
	if (r->accesses++ == 0) {
		r->matched = m;
		r->k = k;
		r->atomics_only = atomic != 0;
	} else {
		r->matched = r->matched && m && same_k(&r->k, &k);
		r->atomics_only = r->atomics_only && atomic != 0;
	}
	if (atomic == 2 || (atomic && lane_dep(a, idx)))
		r->no_reduce = 1;
}

/* An array named where its role is not known: anything may happen. */
static void unknown_use(struct an *a, long p)
{
	a->arrs[p].resident = 1;
	a->out[p].read = 1;
	a->out[p].written = 1;
}

/* atomic_*(arr, v) / atomic_*(arr, i, v) / atomic_*(arr[i], v). */
static void use_atomic(struct an *a, const struct kl_expr *e, int value)
{
	const struct kl_expr *target = e->nargs ? e->args[0] : NULL;
	const struct kl_expr *idx = NULL;
	long p = array_of(a, target);
	size_t first = 1;

	if (p < 0 && target && target->kind == KE_INDEX && e->nargs == 2) {
		p = array_of(a, target->a);
		idx = target->b;
		if (p >= 0)
			use_expr(a, idx, 1);
	} else if (p >= 0 && e->nargs == 3) {
		idx = e->args[1];
	} else if (p >= 0 && e->nargs != 2) {
		p = -1; /* not an atomic we know: every argument as usual */
	}
	if (p < 0) {
		first = 0;
	} else {
		access(a, p, idx, value ? 2 : 1);
		a->out[p].written = 1;
		if (value)
			a->out[p].read = 1;
	}
	for (size_t i = first; i < e->nargs; i++)
		use_expr(a, e->args[i], 1);
}

/* parallel_map_unary(in, out, op, n), parallel_map_binary(a, b, out, op,
   n), parallel_reduce(in, out, op, n): whole arrays, resident. */
static int use_parallel(struct an *a, const struct kl_expr *e)
{
	size_t nin;

	if (is_call(e, "parallel_map_unary") || is_call(e, "parallel_reduce"))
		nin = 1;
	else if (is_call(e, "parallel_map_binary"))
		nin = 2;
	else
		return 0;
	for (size_t i = 0; i < e->nargs; i++) {
		const long p = i <= nin ? array_of(a, e->args[i]) : -1;

		if (p < 0) {
			use_expr(a, e->args[i], 1);
			continue;
		}
		a->arrs[p].resident = 1;
		if (i < nin)
			a->out[p].read = 1;
		else
			a->out[p].written = 1;
	}
	return 1;
}

/* The uses in expression e; value: its result is used. */
static void use_expr(struct an *a, const struct kl_expr *e, int value)
{
	const struct var *v;
	long p;

	if (!e)
		return;
	switch (e->kind) {
	case KE_VAR:
		v = find(a, e->name);
		if (!v || v->param < 0)
			return;
		if (is_array_param(a, v))
			unknown_use(a, v->param);
		else
			a->out[v->param].read = 1;
		return;
	case KE_INDEX:
		p = array_of(a, e->a);
		if (p < 0) {
			use_expr(a, e->a, 1);
		} else {
			access(a, p, e->b, 0);
			a->out[p].read = 1;
		}
		use_expr(a, e->b, 1);
		return;
	case KE_CALL:
		if (is_atomic(e)) {
			use_atomic(a, e, value);
			return;
		}
		if (use_parallel(a, e))
			return;
		for (size_t i = 0; i < e->nargs; i++)
			use_expr(a, e->args[i], 1);
		return;
	default:
		use_expr(a, e->a, 1);
		use_expr(a, e->b, 1);
		use_expr(a, e->c, 1);
		return;
	}
}

static void use_block(struct an *a, const struct kl_block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];
		const struct var *v;
		long p;

		switch (s->kind) {
		case KS_ASSIGN:
			if (s->target && s->target->kind == KE_INDEX &&
			    (p = array_of(a, s->target->a)) >= 0) {
				access(a, p, s->target->b, 0);
				a->out[p].written = 1;
				use_expr(a, s->target->b, 1);
			} else if (s->target && s->target->kind == KE_VAR) {
				v = find(a, s->target->name);
				if (is_array_param(a, v))
					unknown_use(a, v->param);
				else if (v && v->param >= 0)
					a->out[v->param].written = 1;
			} else {
				use_expr(a, s->target, 1);
			}
			use_expr(a, s->value, 1);
			break;
		case KS_LET:
		case KS_FOR:
			v = find(a, s->name);
			if (is_array_param(a, v))
				unknown_use(a, v->param);
			else if (v && v->param >= 0)
				a->out[v->param].written = 1;
			use_expr(a, s->value, 1);
			use_expr(a, s->start, 1);
			use_expr(a, s->stop, 1);
			use_expr(a, s->step, 1);
			break;
		case KS_EXPR:
			use_expr(a, s->value, 0);
			break;
		default:
			use_expr(a, s->value, 1);
			break;
		}
		use_block(a, &s->body);
		use_block(a, &s->orelse);
	}
}

/* Fill a->out[].read/written and a->arrs from the whole body. */
static void uses(struct an *a)
{
	const struct kl_func *k = a->k;

	for (size_t i = 0; i < k->nparams; i++) {
		a->out[i].read = 0;
		a->out[i].written = 0;
	}
	memset(a->arrs, 0, k->nparams * sizeof *a->arrs);
	use_block(a, &k->body);
}

/* ---- the lane-count guard ----------------------------------------------- */

/* Does anything in e (or b) name an array parameter? */
static int names_array(const struct an *a, const struct kl_expr *e)
{
	if (!e)
		return 0;
	if (e->kind == KE_VAR)
		return array_of(a, e) >= 0;
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
	    is_array_param(a, find(a, s->name)))
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
	if (c->op == lt && is_lane(a, c->a))
		return int_scalar_param(a, resolve(a, c->b));
	if (c->op == gt && is_lane(a, c->b))
		return int_scalar_param(a, resolve(a, c->a));
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
static void find_guards(struct an *a)
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

/* ---- the analysis ------------------------------------------------------- */

static void classify(struct an *a)
{
	for (size_t i = 0; i < a->k->nparams; i++) {
		const struct arr *r = &a->arrs[i];
		struct kl_access *o = &a->out[i];

		o->cls = ATLAS_ACCESS_ANY;
		o->record_len = 0;
		o->record_param = -1;
		if (!a->k->params[i].type.array)
			continue;
		o->cls = ATLAS_ACCESS_RESIDENT;
		if (r->resident || r->accesses == 0)
			continue;
		if (r->matched) {
			if (r->k.is_param) {
				o->cls = ATLAS_ACCESS_RECORD;
				o->record_param = (long)r->k.param;
			} else if (r->k.lit == 1) {
				o->cls = ATLAS_ACCESS_ELEMENT;
			} else {
				o->cls = ATLAS_ACCESS_RECORD;
				o->record_len = r->k.lit;
			}
		} else if (r->atomics_only && !r->no_reduce) {
			o->cls = ATLAS_ACCESS_REDUCTION;
		}
	}
}

enum atlas_status kl_analyse_access(const struct kl_func *k,
				    struct kl_access *out,
				    struct atlas_error *err)
{
	struct an a;
	size_t rounds = 0;

	memset(&a, 0, sizeof a);
	a.k = k;
	a.out = out;
	memset(out, 0, k->nparams * sizeof *out);
	for (size_t i = 0; i < k->nparams; i++) {
		struct var *v = intern(&a, k->params[i].name);

		if (v)
			v->param = (long)i;
		out[i].record_param = -1;
	}
	a.arrs = calloc(k->nparams + 1, sizeof *a.arrs);
	a.wrote = calloc(k->nparams + 1, 1);
	if (!a.arrs || !a.wrote)
		a.nomem = 1;
	if (!a.nomem)
		bind_block(&a, &k->body);
	if (!a.nomem) {
		/* which arrays are written: reads of those depend on the
		   lane */
		uses(&a);
		for (size_t i = 0; i < k->nparams; i++)
			a.wrote[i] = (unsigned char)out[i].written;
		do {
			a.changed = 0;
			taint_block(&a, &k->body, NULL, 0);
		} while (a.changed && ++rounds <= a.nvars);
		uses(&a);
		find_guards(&a);
		classify(&a);
	}
	free(a.arrs);
	free(a.wrote);
	free(a.vars);
	free(a.index);
	if (a.nomem) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	return ATLAS_OK;
}
