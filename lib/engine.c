/*
 * engine.c - the execution engine: launches split into interpreter blocks
 * of EXEC_B lanes, spread over a fixed set of worker threads.
 *
 * Each thread takes one contiguous range of blocks.  Results do not depend
 * on the thread count: lanes share nothing but memory, atomics on integers
 * commute, and launches with float atomics run on one thread in lane
 * order.  The error reported is the one of the lowest failing block, as a
 * single thread would have found it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

/* Below this many lanes per thread, threads cost more than they save. */
#define LANES_PER_THREAD_MIN 32768
#define POOL_LIMIT_DEFAULT ((uint64_t)64 << 20)
#define MAX_PARAMS 64

struct atlas_engine {
	unsigned nthreads;
	uint64_t pool_limit;
	struct worker *workers;
	pthread_t *threads; /* nthreads - 1 helpers; worker 0 is the caller */
	unsigned started;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	unsigned long generation;
	unsigned pending;
	int quit;
	/* the job */
	struct launch_ctx *ctx;
	uint64_t nblocks;
	unsigned job_threads;
};

struct helper_arg {
	struct atlas_engine *e;
	unsigned index;
};

static void run_range(struct worker *w, struct launch_ctx *c, uint64_t b0,
		      uint64_t b1)
{
	for (uint64_t b = b0; b < b1; b++) {
		uint64_t first = c->first_lane + b * EXEC_B;
		uint64_t left = c->first_lane + c->nlanes - first;

		if (__atomic_load_n(&c->err_block, __ATOMIC_RELAXED) < b)
			return;
		if (exec_block(w, first, left < EXEC_B ? left : EXEC_B) == 0)
			continue;
		pthread_mutex_lock(&c->lock);
		if (b < c->err_block) {
			__atomic_store_n(&c->err_block, b, __ATOMIC_RELAXED);
			c->err = w->err;
		}
		pthread_mutex_unlock(&c->lock);
		return;
	}
}

static void run_share(struct atlas_engine *e, unsigned t)
{
	uint64_t n = e->nblocks, T = e->job_threads;

	run_range(&e->workers[t], e->ctx, n * t / T, n * (t + 1) / T);
}

static void *helper_main(void *arg)
{
	struct helper_arg *h = arg;
	struct atlas_engine *e = h->e;
	unsigned long seen = 0;

	pthread_mutex_lock(&e->mu);
	for (;;) {
		while (!e->quit && e->generation == seen)
			pthread_cond_wait(&e->go, &e->mu);
		if (e->quit)
			break;
		seen = e->generation;
		if (h->index < e->job_threads) {
			pthread_mutex_unlock(&e->mu);
			run_share(e, h->index);
			pthread_mutex_lock(&e->mu);
			if (--e->pending == 0)
				pthread_cond_signal(&e->done);
		}
	}
	pthread_mutex_unlock(&e->mu);
	free(h);
	return NULL;
}

static int start_helpers(struct atlas_engine *e)
{
	for (; e->started + 1 < e->nthreads; e->started++) {
		struct helper_arg *h = malloc(sizeof *h);

		if (!h)
			return -1;
		h->e = e;
		h->index = e->started + 1;
		if (pthread_create(&e->threads[e->started], NULL, helper_main,
				   h)) {
			free(h);
			return -1;
		}
	}
	return 0;
}

struct atlas_engine *atlas_engine_new(const struct atlas_engine_options *opts,
				      struct atlas_error *err)
{
	struct atlas_engine *e = calloc(1, sizeof *e);

	if (!e)
		goto nomem;
	e->nthreads = opts && opts->threads ? opts->threads : 1;
	e->pool_limit = opts && opts->pool_limit ? opts->pool_limit :
						   POOL_LIMIT_DEFAULT;
	e->workers = calloc(e->nthreads, sizeof *e->workers);
	e->threads = calloc(e->nthreads, sizeof *e->threads);
	if (!e->workers || !e->threads)
		goto nomem;
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->go, NULL);
	pthread_cond_init(&e->done, NULL);
	return e;
nomem:
	if (e) {
		free(e->workers);
		free(e->threads);
		free(e);
	}
	atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return NULL;
}

void atlas_engine_free(struct atlas_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->mu);
	e->quit = 1;
	pthread_cond_broadcast(&e->go);
	pthread_mutex_unlock(&e->mu);
	for (unsigned i = 0; i < e->started; i++)
		pthread_join(e->threads[i], NULL);
	for (unsigned i = 0; i < e->nthreads; i++)
		worker_release(&e->workers[i]);
	pthread_mutex_destroy(&e->mu);
	pthread_cond_destroy(&e->go);
	pthread_cond_destroy(&e->done);
	free(e->workers);
	free(e->threads);
	free(e);
}

struct atlas_launch atlas_launch_linear(uint64_t n, uint32_t block_size)
{
	struct atlas_launch l;
	uint64_t g;

	memset(&l, 0, sizeof l);
	if (block_size == 0)
		block_size = 256;
	g = (n + block_size - 1) / block_size;
	l.grid[0] = g > UINT32_MAX ? UINT32_MAX : (uint32_t)(g ? g : 1);
	l.grid[1] = l.grid[2] = 1;
	l.block[0] = block_size;
	l.block[1] = l.block[2] = 1;
	/* lane_end 0 means the whole grid: n = 0 is the empty range at the
	   end of the grid's one block instead */
	l.lane_begin = n ? 0 : block_size;
	l.lane_end = n ? n : block_size;
	return l;
}

/* Lanes in the grid, or 0 with err set. */
static uint64_t grid_lanes(const struct atlas_launch *l,
			   struct atlas_error *err)
{
	uint64_t n = 1;

	for (int i = 0; i < 3; i++) {
		uint64_t d[2] = {l->grid[i], l->block[i]};

		for (int j = 0; j < 2; j++) {
			if (d[j] == 0) {
				atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
						"invalid launch configuration: "
						"zero dimension");
				return 0;
			}
			if (n > UINT64_MAX / d[j]) {
				atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
						"invalid launch configuration: "
						"too many lanes");
				return 0;
			}
			n *= d[j];
		}
	}
	return n;
}

static enum atlas_status check_args(const struct atlas_program *p,
				    const struct atlas_arg *args, size_t nargs,
				    struct atlas_view *views, size_t *nviews,
				    struct atlas_error *err)
{
	if (!p->verified) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"program has not been verified");
		return ATLAS_ERR_ARG;
	}
	if (program_check_nargs(p, nargs, MAX_PARAMS, err))
		return ATLAS_ERR_ARG;
	*nviews = 1;
	memset(&views[0], 0, sizeof views[0]);
	for (size_t i = 0; i < nargs; i++)
		if (p->params[i].kind == ATLAS_PARAM_ARRAY)
			views[(*nviews)++] = args[i].view;
	return ATLAS_OK;
}

/*
 * Pool ids and the old values atom.fetch_add returns are handed out in
 * execution order: one thread keeps them independent of the thread count.
 * gemm, gemv and dot run on one engine thread, which gives OpenBLAS the
 * engine's threads (exec_blas.c): the cores are never oversubscribed.
 */
static int needs_one_thread(const struct atlas_program *p)
{
	/* res.accum adds in lane order: whether an intermediate sum
	   overflows may depend on the order */
	for (size_t i = 0; i < p->ninsns; i++)
		if (p->insns[i].op == OP_POOL_ALLOC ||
		    p->insns[i].op == OP_ATOM_FETCH_ADD ||
		    p->insns[i].op == OP_RES_ACCUM)
			return 1;
	return program_uses_blas(p);
}

static void free_pools(struct launch_ctx *c)
{
	for (size_t i = 0; i < c->npools; i++)
		free(c->pools[i].data);
	free(c->pools);
}

enum atlas_status atlas_engine_run(struct atlas_engine *e,
				   const struct atlas_program *p,
				   const struct atlas_launch *l,
				   const struct atlas_arg *args, size_t nargs,
				   struct atlas_error *err)
{
	return atlas_engine_run_state(e, p, l, args, nargs, NULL, err);
}

/* The Atlas run state into c (views[0] is the boundary pool). */
static void state_in(struct launch_ctx *c, struct atlas_view *views,
		     const struct atlas_run_state *st)
{
	if (!st)
		return;
	views[0] = st->boundary;
	c->phase0 = st->phase % ATLAS_PHASE_MODULUS;
	c->phase.value = c->phase0;
	c->phase.epoch = st->epoch;
	if (st->resonance) {
		c->has_res = 1;
		c->res = *st->resonance;
	}
}

static void state_out(const struct launch_ctx *c, struct atlas_run_state *st)
{
	if (!st)
		return;
	st->phase = c->phase.value;
	st->epoch = c->phase.epoch;
	if (st->resonance)
		*st->resonance = c->res;
}

enum atlas_status
atlas_engine_run_state(struct atlas_engine *e, const struct atlas_program *p,
		       const struct atlas_launch *l,
		       const struct atlas_arg *args, size_t nargs,
		       struct atlas_run_state *state, struct atlas_error *err)
{
	struct atlas_view views[MAX_PARAMS + 1];
	struct launch_ctx c;
	enum atlas_status st;
	uint64_t total, end;
	unsigned T;

	memset(&c, 0, sizeof c);
	st = check_args(p, args, nargs, views, &c.nviews, err);
	if (st != ATLAS_OK)
		return st;
	state_in(&c, views, state);
	total = grid_lanes(l, err);
	if (total == 0)
		return ATLAS_ERR_ARG;
	end = l->lane_end ? l->lane_end : total;
	if (l->lane_begin > end || end > total) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"invalid launch configuration: lanes [%" PRIu64
				", %" PRIu64 ") outside a grid of %" PRIu64
				" lanes",
				l->lane_begin, end, total);
		return ATLAS_ERR_ARG;
	}
	c.prog = p;
	c.launch = l;
	c.args = args;
	c.views = views;
	c.first_lane = l->lane_begin;
	c.nlanes = end - l->lane_begin;
	c.lanes_per_block = (uint64_t)l->block[0] * l->block[1] * l->block[2];
	c.pool_limit = e->pool_limit;
	c.threads = e->nthreads;
	c.err_block = UINT64_MAX;
	if (c.nlanes == 0 || p->ninsns == 0) {
		state_out(&c, state);
		return ATLAS_OK;
	}
	pthread_mutex_init(&c.lock, NULL);

	T = e->nthreads;
	if (c.nlanes / LANES_PER_THREAD_MIN < T)
		T = (unsigned)(c.nlanes / LANES_PER_THREAD_MIN);
	if (T < 1 || p->facts.has_float_atomics || needs_one_thread(p))
		T = 1;
	for (unsigned i = 0; i < T; i++) {
		e->workers[i].ctx = &c;
		if (worker_reserve(&e->workers[i], p->facts.nslots)) {
			pthread_mutex_destroy(&c.lock);
			atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0,
					"out of memory");
			return ATLAS_ERR_NOMEM;
		}
	}
	e->ctx = &c;
	e->nblocks = (c.nlanes + EXEC_B - 1) / EXEC_B;
	e->job_threads = T;
	if (T > 1 && start_helpers(e) == 0 && e->started + 1 >= T) {
		pthread_mutex_lock(&e->mu);
		e->pending = T - 1;
		e->generation++;
		pthread_cond_broadcast(&e->go);
		pthread_mutex_unlock(&e->mu);
		run_share(e, 0);
		pthread_mutex_lock(&e->mu);
		while (e->pending)
			pthread_cond_wait(&e->done, &e->mu);
		pthread_mutex_unlock(&e->mu);
	} else {
		e->job_threads = 1;
		run_share(e, 0);
	}
	e->ctx = NULL;
	free_pools(&c);
	pthread_mutex_destroy(&c.lock);
	if (c.err_block != UINT64_MAX) {
		if (err)
			*err = c.err;
		return c.err.code;
	}
	state_out(&c, state);
	return ATLAS_OK;
}
