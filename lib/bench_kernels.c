/*
 * bench_kernels.c - the kernels suite: each bundled kernel (or the
 * user's, o->kernel) run in memory through the engine at a range of
 * sizes, against a native C loop doing the same work (bench_native.c)
 * where there is one.  The sizes come from the kernel's parameters: its
 * element arrays get SIZE elements; record arrays SIZE elements in
 * records of RECORD_K (the record length scalar gets RECORD_K), resident
 * arrays one record, reductions their declared length; the guard gets
 * the lane count and float value scalars BENCH_EPS.  A kernel that needs
 * anything else (gemm_f32's dimensions) is not driven here: the blas
 * suite measures those.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_PARAMS 16
#define RECORD_K 64

static const uint64_t sizes_full[] = {256,	4096,	   65536,
				      1u << 20, 16u << 20, 64u << 20};
static const uint64_t sizes_quick[] = {256, 65536};

/* How to drive one kernel: the element count of each parameter per lane
   (streamed arrays) or in all (the others). */
struct plan {
	size_t np;
	struct atlas_param_info pi[MAX_PARAMS];
	uint64_t per_lane[MAX_PARAMS]; /* streamed arrays; else 0 */
	uint64_t fixed[MAX_PARAMS];    /* other arrays */
	uint64_t k;		       /* elements per lane */
	long k_param;		       /* the scalar that holds k, or -1 */
};

/* The record length of array pi, 0 if none can be chosen. */
static uint64_t record_len(const struct atlas_param_info *pi, struct plan *pl)
{
	if (pi->record_len)
		return pi->record_len;
	if (pi->record_param < 0 ||
	    (pl->k_param >= 0 && pl->k_param != pi->record_param))
		return 0;
	pl->k_param = pi->record_param;
	return RECORD_K;
}

/* Fill pl for the arrays of p; -1 when one cannot be sized. */
static int plan_arrays(struct plan *pl)
{
	int streams = 0, resident = 0;

	for (size_t i = 0; i < pl->np; i++) {
		const struct atlas_param_info *pi = &pl->pi[i];
		uint64_t k = 1;

		if (pi->kind != ATLAS_PARAM_ARRAY)
			continue;
		switch (pi->access) {
		case ATLAS_ACCESS_RECORD:
			if (!(k = record_len(pi, pl)) ||
			    (pl->k > 1 && pl->k != k))
				return -1;
			pl->k = k;
			/* fall through */
		case ATLAS_ACCESS_ANY:
		case ATLAS_ACCESS_ELEMENT:
			pl->per_lane[i] = k;
			streams = 1;
			break;
		case ATLAS_ACCESS_REDUCTION:
			pl->fixed[i] = pi->reduction_len ? pi->reduction_len :
							   1;
			break;
		case ATLAS_ACCESS_RESIDENT:
			resident = 1;
			break;
		}
	}
	for (size_t i = 0; i < pl->np; i++)
		if (pl->pi[i].kind == ATLAS_PARAM_ARRAY &&
		    pl->pi[i].access == ATLAS_ACCESS_RESIDENT)
			pl->fixed[i] = pl->k;
	/* a resident array is one record: only when there are records */
	return streams && (!resident || pl->k_param >= 0) ? 0 : -1;
}

/* Fill pl for p; -1 when the kernel cannot be driven automatically. */
static int plan_kernel(const struct atlas_program *p, struct plan *pl)
{
	memset(pl, 0, sizeof *pl);
	pl->np = atlas_program_param_count(p);
	pl->k = 1;
	pl->k_param = -1;
	if (pl->np > MAX_PARAMS)
		return -1;
	for (size_t i = 0; i < pl->np; i++)
		atlas_program_param(p, i, &pl->pi[i]);
	if (plan_arrays(pl))
		return -1;
	for (size_t i = 0; i < pl->np; i++) {
		const struct atlas_param_info *pi = &pl->pi[i];
		const int fl = pi->type == ATLAS_F32 || pi->type == ATLAS_F64;

		if (pi->kind == ATLAS_PARAM_SCALAR &&
		    pi->use != ATLAS_USE_GUARD && (long)i != pl->k_param && !fl)
			return -1;
	}
	return 0;
}

/* One size of one kernel: its buffers and launch. */
struct krun {
	const struct plan *pl;
	struct atlas_engine *e;
	const struct atlas_program *p;
	bench_native_fn native;
	struct atlas_launch l;
	struct atlas_arg args[MAX_PARAMS];
	void *arrays[MAX_PARAMS]; /* the arrays, in order */
	size_t narrays;
	uint64_t lanes;
	double bytes; /* moved in and out by one run */
};

static enum atlas_status run_engine(void *arg, struct atlas_error *err)
{
	struct krun *r = arg;

	return atlas_engine_run(r->e, r->p, &r->l, r->args, r->pl->np, err);
}

static enum atlas_status run_native(void *arg, struct atlas_error *err)
{
	struct krun *r = arg;

	(void)err;
	r->native(r->arrays, r->lanes, r->pl->k);
	return ATLAS_OK;
}

static uint64_t scalar_bits(const struct krun *r, size_t i)
{
	const struct atlas_param_info *pi = &r->pl->pi[i];
	const float f = (float)BENCH_EPS;
	const double d = BENCH_EPS;
	uint64_t bits = 0;

	if (pi->use == ATLAS_USE_GUARD)
		return r->lanes;
	if ((long)i == r->pl->k_param)
		return r->pl->k;
	if (pi->type == ATLAS_F32) {
		uint32_t u;

		memcpy(&u, &f, sizeof u);
		return u;
	}
	memcpy(&bits, &d, sizeof bits);
	return bits;
}

/* Allocate and fill the arguments of r for its lane count. */
static enum atlas_status krun_setup(struct krun *r, struct atlas_error *err)
{
	for (size_t i = 0; i < r->pl->np; i++) {
		const struct atlas_param_info *pi = &r->pl->pi[i];
		const uint64_t n =
			r->pl->per_lane[i] * r->lanes + r->pl->fixed[i];
		const size_t bytes = n * atlas_type_size(pi->type);
		void *d;

		if (pi->kind == ATLAS_PARAM_SCALAR) {
			r->args[i].bits = scalar_bits(r, i);
			continue;
		}
		if (!(d = aligned_alloc(64, (bytes + 63) / 64 * 64)))
			return bench_fail(err, ATLAS_ERR_NOMEM,
					  "out of memory");
		memset(d, 0, bytes);
		r->arrays[r->narrays++] = d;
		if (pi->use != ATLAS_USE_OUT)
			bench_fill(d, pi->type, n);
		r->args[i].view = (struct atlas_view){d, bytes, 0, 0};
		r->bytes +=
			(double)bytes * (pi->use == ATLAS_USE_INOUT ? 2 : 1);
	}
	r->l = atlas_launch_linear(r->lanes, ATLAS_STREAM_BLOCK);
	return ATLAS_OK;
}

static void krun_free(struct krun *r)
{
	for (size_t i = 0; i < r->narrays; i++)
		free(r->arrays[i]);
	r->narrays = 0;
}

static enum atlas_status one_size(struct bench_ctx *c, struct krun *r,
				  const char *name, uint64_t size)
{
	struct bench_stat s, sn;
	struct atlas_measure m;
	enum atlas_status rc;

	r->lanes = size / r->pl->k;
	r->bytes = 0;
	if (!r->lanes)
		return ATLAS_OK;
	rc = krun_setup(r, c->err);
	if (rc == ATLAS_OK)
		rc = bench_pair(c, run_engine, r, r->native ? run_native : NULL,
				r, &s, &sn);
	krun_free(r);
	if (rc != ATLAS_OK)
		return rc;
	bench_measure(&m, c, name, r->lanes * r->pl->k, "elements", &s);
	bench_rate(&m, r->bytes / s.median, "GB/s", r->native ? &sn : NULL,
		   "native C");
	bench_emit(c, &m);
	return ATLAS_OK;
}

/* Whether every array of the plan is f32: the native loops' type. */
static int all_f32(const struct plan *pl)
{
	for (size_t i = 0; i < pl->np; i++)
		if (pl->pi[i].kind == ATLAS_PARAM_ARRAY &&
		    pl->pi[i].type != ATLAS_F32)
			return 0;
	return 1;
}

/* Every size of p; *driven 0 when p cannot be driven. */
static enum atlas_status one_kernel(struct bench_ctx *c,
				    const struct atlas_program *p, int bundled,
				    int *driven)
{
	const uint64_t *sizes = c->o->quick ? sizes_quick : sizes_full;
	const size_t ns = c->o->quick ? sizeof sizes_quick / sizeof *sizes :
					sizeof sizes_full / sizeof *sizes;
	const char *name = atlas_program_name(p);
	struct plan pl;
	struct krun r = {.pl = &pl, .p = p};
	enum atlas_status rc = ATLAS_OK;

	*driven = plan_kernel(p, &pl) == 0;
	if (!*driven)
		return ATLAS_OK;
	if (bundled && all_f32(&pl))
		r.native = bench_native_find(name);
	if (!(r.e = bench_engine(c)))
		return c->err ? c->err->code : ATLAS_ERR_NOMEM;
	for (size_t i = 0; i < ns && rc == ATLAS_OK && !c->stop; i++)
		rc = one_size(c, &r, name, sizes[i]);
	atlas_engine_free(r.e);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names (without .json) of the kernels in dir, sorted; *n of them. */
static char **list_kernels(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cap = 0;

	*n = 0;
	while (d && (de = readdir(d))) {
		const size_t k = strlen(de->d_name);

		if (k <= 5 || strcmp(de->d_name + k - 5, ".json"))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			if (!(nv = realloc(v, cap * sizeof *v)))
				break;
			v = nv;
		}
		if (!(v[*n] = strndup(de->d_name, k - 5)))
			break;
		(*n)++;
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, by_name);
	return v;
}

static enum atlas_status user_kernel(struct bench_ctx *c)
{
	struct atlas_program *p;
	char *path = NULL;
	enum atlas_status rc;
	int driven = 0;

	rc = atlas_kernel_load(c->o->kernel, NULL, &p, &path, c->err);
	free(path);
	if (rc != ATLAS_OK)
		return rc;
	rc = one_kernel(c, p, 0, &driven);
	if (rc == ATLAS_OK && !driven)
		rc = bench_fail(c->err, ATLAS_ERR_UNSUPPORTED,
				"%s: cannot choose sizes for kernel '%s' (it "
				"needs scalars other than its guard, or "
				"resident arrays)",
				c->o->kernel, atlas_program_name(p));
	atlas_program_free(p);
	return rc;
}

enum atlas_status bench_kernels(struct bench_ctx *c)
{
	const char *dir = c->o->kernel_dir;
	enum atlas_status rc = ATLAS_OK;
	size_t n = 0;
	char **names;

	if (c->o->kernel)
		return user_kernel(c);
	if (!dir)
		return bench_fail(c->err, ATLAS_ERR_ARG,
				  "no kernel directory for the kernels suite");
	names = list_kernels(dir, &n);
	if (!n)
		rc = bench_fail(c->err, ATLAS_ERR_ARG,
				"%s: no kernels (*.json)", dir);
	for (size_t i = 0; i < n; i++) {
		struct atlas_program *p = NULL;
		int driven;

		if (rc == ATLAS_OK && !c->stop)
			rc = bench_kernel_load(c->o, names[i], &p, c->err);
		if (rc == ATLAS_OK && !c->stop)
			rc = one_kernel(c, p, 1, &driven);
		atlas_program_free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}
