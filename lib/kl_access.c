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
 *   slots cannot be combined at the end), with a length when every
 *   atomic's index is an integer literal (atomic_add_f32(r, v) is index
 *   0): the largest + 1, at most 2^53 (else 0, unknown);
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
 *
 * This file holds the names, the bindings, the uses of the parameters
 * and the classification; kl_access_index.c the index patterns,
 * kl_access_lane.c lane dependence and the lane-count guards.
 */
#include <stdlib.h>
#include <string.h>

#include "kl_access.h"

/* ---- names -------------------------------------------------------------- */

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct var *ka_find(const struct an *a, const char *name)
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
	struct var *v = ka_find(a, name);

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
	if (a->index_cap && ka_find(a, name) == NULL) {
		size_t i = hash(name) & (a->index_cap - 1);

		while (a->index[i])
			i = (i + 1) & (a->index_cap - 1);
		a->index[i] = (uint32_t)a->nvars;
	}
	return v;
}

int ka_is_array_param(const struct an *a, const struct var *v)
{
	return v && v->param >= 0 && a->k->params[v->param].type.array;
}

/* The array parameter an expression names (a KE_VAR), or -1. */
long ka_array_of(const struct an *a, const struct kl_expr *e)
{
	const struct var *v;

	if (!e || e->kind != KE_VAR)
		return -1;
	v = ka_find(a, e->name);
	return ka_is_array_param(a, v) ? v->param : -1;
}

int ka_is_call(const struct kl_expr *e, const char *name)
{
	return e && e->kind == KE_CALL && e->name && strcmp(e->name, name) == 0;
}

int ka_is_atomic(const struct kl_expr *e)
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
unsigned ka_count_bindings(const struct kl_block *b, const char *name)
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
		n += ka_count_bindings(&s->body, name);
		n += ka_count_bindings(&s->orelse, name);
	}
	return n;
}

/* ---- uses of the parameters --------------------------------------------- */

static void use_expr(struct an *a, const struct kl_expr *e, int value);

/*
 * The index of an atomic, when it is an integer literal (through casts
 * and single-binding variables) whose element count fits a declared
 * length: 0 and *v, else -1.  idx NULL is atomic_add_f32(r, v): r[0].
 */
static int atomic_lit(const struct an *a, const struct kl_expr *idx,
		      uint64_t *v)
{
	const struct kl_expr *e = idx ? ka_resolve(a, idx) : NULL;

	*v = 0;
	if (!idx)
		return 0;
	if (!e || e->kind != KE_INT || e->ival >= PROGRAM_RECORD_MAX)
		return -1;
	*v = e->ival;
	return 0;
}

/*
 * An access to array p at index idx (NULL: element 0 of an atomic);
 * atomic: 0 (a load or store), 1 (an atomic statement) or 2 (an atomic
 * whose old value is used, which a reduction combined at the end could
 * not give).
 */
static void access_k(struct an *a, long p, const struct kl_expr *idx,
		     int atomic, int m, const struct kval *kp);

static void access(struct an *a, long p, const struct kl_expr *idx, int atomic)
{
	struct kval k;
	int m;

	memset(&k, 0, sizeof k);
	if (idx)
		m = ka_record_index(a, idx, &k);
	else
		m = 0; /* atomic_add_f32(r, v): r[0] */
	access_k(a, p, idx, atomic, m, &k);
}

/* access, with the record match m and its K already found. */
static void access_k(struct an *a, long p, const struct kl_expr *idx,
		     int atomic, int m, const struct kval *kp)
{
	struct arr *r = &a->arrs[p];
	const struct kval k = *kp;
	uint64_t lit;

	if (r->accesses++ == 0) {
		r->matched = m;
		r->k = k;
		r->atomics_only = atomic != 0;
	} else {
		r->matched = r->matched && m && ka_same_k(&r->k, &k);
		r->atomics_only = r->atomics_only && atomic != 0;
	}
	if (atomic == 2 || (atomic && ka_lane_dep(a, idx)))
		r->no_reduce = 1;
	if (atomic && atomic_lit(a, idx, &lit) == 0) {
		if (lit > r->idx_max)
			r->idx_max = lit;
	} else if (atomic) {
		r->idx_unknown = 1;
	}
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
	long p = ka_array_of(a, target);
	size_t first = 1;

	if (p < 0 && target && target->kind == KE_INDEX && e->nargs == 2) {
		p = ka_array_of(a, target->a);
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

	if (ka_is_call(e, "parallel_map_unary") ||
	    ka_is_call(e, "parallel_reduce"))
		nin = 1;
	else if (ka_is_call(e, "parallel_map_binary"))
		nin = 2;
	else
		return 0;
	for (size_t i = 0; i < e->nargs; i++) {
		const long p = i <= nin ? ka_array_of(a, e->args[i]) : -1;

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

/*
 * gemm(A, B, C, row, ...), gemv(A, x, y, row, ...), dot(a, b, n): the
 * inputs resident (rows and columns of any lane); gemv's y is touched at
 * y[row] only, an access like any other; C and y are read only when
 * alpha and beta are given (beta 0 reads nothing).
 */
/*
 * gemm's row of A (i = 0, untransposed) or C (i = 2) for the lane: a
 * record of lda or ldc elements when row is the lane id and the leading
 * dimension a literal or an unassigned integer parameter (BLAS needs it
 * at least k, or n: a row never reaches the next one).  0 otherwise.
 */
static int gemm_row(const struct an *a, const struct kl_expr *e, size_t i,
		    struct kval *k)
{
	const struct kl_expr *ld = e->args[i == 0 ? 6 : 8];
	const struct kl_expr *tr = e->nargs > 11 ? e->args[11] : NULL;
	long q;

	memset(k, 0, sizeof *k);
	if (e->nargs < 9 || !ka_is_lane(a, e->args[3]) ||
	    (i == 0 && tr && (tr->kind != KE_STRING || tr->str[0] != 'n')))
		return 0;
	ld = ka_resolve(a, ld);
	if (ld && ld->kind == KE_INT && ld->ival >= 1 &&
	    ld->ival <= PROGRAM_RECORD_MAX) {
		k->lit = ld->ival;
		return 1;
	}
	if ((q = ka_int_scalar_param(a, ld)) < 0)
		return 0;
	k->is_param = 1;
	k->param = (size_t)q;
	return 1;
}

static int use_blas(struct an *a, const struct kl_expr *e)
{
	const int gemm = ka_is_call(e, "gemm"), gemv = ka_is_call(e, "gemv");
	const size_t narr = gemm || gemv ? 3 : 2;

	if (!gemm && !gemv && !ka_is_call(e, "dot"))
		return 0;
	for (size_t i = 0; i < e->nargs; i++) {
		const long p = i < narr ? ka_array_of(a, e->args[i]) : -1;
		struct kval k;

		if (p < 0) {
			use_expr(a, e->args[i], 1);
			continue;
		}
		if (i < 2) {
			if (gemm && i == 0 && gemm_row(a, e, i, &k))
				access_k(a, p, NULL, 0, 1, &k);
			else
				a->arrs[p].resident = 1;
			a->out[p].read = 1;
			continue;
		}
		if (gemv && e->nargs > 3)
			access(a, p, e->args[3], 0);
		else if (gemm && gemm_row(a, e, i, &k))
			access_k(a, p, NULL, 0, 1, &k);
		else
			a->arrs[p].resident = 1;
		a->out[p].written = 1;
		if (e->nargs > (gemm ? 9u : 6u))
			a->out[p].read = 1;
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
		v = ka_find(a, e->name);
		if (!v || v->param < 0)
			return;
		if (ka_is_array_param(a, v))
			unknown_use(a, v->param);
		else
			a->out[v->param].read = 1;
		return;
	case KE_INDEX:
		p = ka_array_of(a, e->a);
		if (p < 0) {
			use_expr(a, e->a, 1);
		} else {
			access(a, p, e->b, 0);
			a->out[p].read = 1;
		}
		use_expr(a, e->b, 1);
		return;
	case KE_CALL:
		if (ka_is_atomic(e)) {
			use_atomic(a, e, value);
			return;
		}
		if (use_parallel(a, e) || use_blas(a, e))
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
			    (p = ka_array_of(a, s->target->a)) >= 0) {
				access(a, p, s->target->b, 0);
				a->out[p].written = 1;
				use_expr(a, s->target->b, 1);
			} else if (s->target && s->target->kind == KE_VAR) {
				v = ka_find(a, s->target->name);
				if (ka_is_array_param(a, v))
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
			v = ka_find(a, s->name);
			if (ka_is_array_param(a, v))
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
			o->record_len = r->idx_unknown ? 0 : r->idx_max + 1;
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
			ka_taint(&a);
		} while (a.changed && ++rounds <= a.nvars);
		uses(&a);
		ka_find_guards(&a);
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
