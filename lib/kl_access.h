/*
 * kl_access.h - inside the access analysis (kl_analyse_access in kl.h):
 * the state its files share.  kl_access.c holds the rules, names,
 * bindings, the uses of the parameters and the classification;
 * kl_access_index.c the index patterns; kl_access_lane.c lane dependence
 * and the lane-count guards.  Internal to kl_access*.c.
 */
#ifndef ATLAS_KL_ACCESS_H
#define ATLAS_KL_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "kl.h"
#include "program.h"

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
	int idx_unknown;   /* an atomic's index is not an integer literal */
	uint64_t idx_max;  /* else the largest atomic index */
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

/* ---- kl_access.c: names and bindings ------------------------------------ */

/* The variable or parameter called name, or NULL. */
struct var *ka_find(const struct an *a, const char *name);
int ka_is_array_param(const struct an *a, const struct var *v);
/* The array parameter an expression names (a KE_VAR), or -1. */
long ka_array_of(const struct an *a, const struct kl_expr *e);
/* Is e a call of name / of an atomic_* function? */
int ka_is_call(const struct kl_expr *e, const char *name);
int ka_is_atomic(const struct kl_expr *e);
/* Bindings of name inside b (at any depth). */
unsigned ka_count_bindings(const struct kl_block *b, const char *name);

/* ---- kl_access_index.c: patterns ---------------------------------------- */

/* e with wide integer casts stripped and single-binding local variables
   replaced by their values. */
const struct kl_expr *ka_resolve(const struct an *a, const struct kl_expr *e);
/* Is e the lane id? */
int ka_is_lane(const struct an *a, const struct kl_expr *e);
/* An integer scalar parameter that is never assigned; its index or -1. */
long ka_int_scalar_param(const struct an *a, const struct kl_expr *e);
int ka_same_k(const struct kval *x, const struct kval *y);
/* Does index e have the form lane*K + j (K = 1 for the lane itself)? */
int ka_record_index(const struct an *a, const struct kl_expr *e,
		    struct kval *k);

/* ---- kl_access_lane.c: lane dependence, guards -------------------------- */

/* Does e depend on the lane? */
int ka_lane_dep(const struct an *a, const struct kl_expr *e);
/* One taint pass over the body: a->changed when a variable became
   lane-dependent. */
void ka_taint(struct an *a);
/* Mark the lane-count guards (a->out[].guard). */
void ka_find_guards(struct an *a);

#endif /* ATLAS_KL_ACCESS_H */
