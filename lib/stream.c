/*
 * stream.c - the streaming engine (atlas_stream; DESIGN.md section 4):
 * any input size through one pool allocated at the start.
 *
 * Every array parameter is handled by its access class.  Element and
 * record arrays stream: each has a slice of the pool that holds one
 * chunk's lanes (K elements per lane), inputs are read into it in
 * lock-step, outputs written from it after the launch.  Resident inputs
 * are read whole once; resident outputs and reductions stay in memory for
 * the whole run and are written at the end.  Launches cover whole blocks
 * of ATLAS_STREAM_BLOCK lanes (but the last), numbered globally, so that
 * block_idx, the lane ids and therefore the output do not depend on the
 * pool size; the engine's threads share each launch without changing its
 * result (it runs float atomics on one thread, in lane order, and the
 * reductions live across chunks, so they add up in lane order too).
 *
 * Input errors are found at the end of the stream (a partial element,
 * unequal lengths, a bad number): everything complete before them runs
 * and is written first, so nothing computed is lost.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "program.h"

#define STREAM_MAX_PARAMS 64
/* the largest pool: a block of lanes of the longest records must fit */
#define STREAM_POOL_MAX ((uint64_t)1 << 30)
#define ALIGN 64
/* atlas_launch_linear's grid holds at most UINT32_MAX blocks */
#define STREAM_MAX_LANES ((uint64_t)UINT32_MAX * ATLAS_STREAM_BLOCK)

/* How one array parameter takes part. */
enum role { R_NONE, R_STREAM, R_RESIDENT, R_HELD };

struct sarr {
	enum role role; /* R_HELD: resident output or reduction */
	int input;
	uint64_t k;	/* R_STREAM: elements per lane */
	size_t esize;	/* bytes per element */
	uint8_t *buf;	/* R_STREAM: its pool slice; else malloc'd */
	uint64_t count; /* R_RESIDENT, R_HELD: elements held */
	uint64_t got;	/* R_STREAM inputs: elements in buf */
	struct fmt_reader rd;
	struct fmt_writer wr;
	int rd_open, wr_open;
	int wr_done; /* wr closed by finish */
	const char *label;
};

struct srun {
	const struct atlas_program *p;
	const struct atlas_stream_binding *b;
	struct atlas_stream_options o;
	struct atlas_stream_stats *st;
	struct sarr a[STREAM_MAX_PARAMS];
	long guard;	/* the guard scalar, or -1 */
	uint64_t limit; /* lanes a bound guard asks for, or
			   ATLAS_COUNT_UNSET */
	uint64_t chunk; /* lanes per launch */
	uint8_t *pool;
	uint64_t first; /* lanes run so far */
	int nstreamed_in;
};

static enum atlas_status nomem(struct atlas_error *err)
{
	atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

static uint64_t align_up(uint64_t n)
{
	return (n + ALIGN - 1) / ALIGN * ALIGN;
}

/* ---- the plan ----------------------------------------------------------- */

enum atlas_status program_record_len(const struct atlas_program *p,
				     const struct atlas_stream_binding *b,
				     const struct isa_param *q, uint64_t *k,
				     struct atlas_error *err)
{
	const struct isa_param *s;

	*k = q->access == ATLAS_ACCESS_RECORD ? q->record_len : 1;
	if (q->access != ATLAS_ACCESS_RECORD || q->record_param < 0 ||
	    (size_t)q->record_param >= p->nparams)
		return ATLAS_OK;
	s = &p->params[q->record_param];
	*k = 0;
	if (s->kind != ATLAS_PARAM_SCALAR || !b[q->record_param].bound)
		return ATLAS_OK;
	if (value_count(s->type, b[q->record_param].bits, k) || *k == 0 ||
	    *k > PROGRAM_RECORD_MAX) {
		*k = 0;
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"%s: the record length of '%s' must be "
				"positive",
				s->name, q->name);
		return ATLAS_ERR_ARG;
	}
	return ATLAS_OK;
}

/* The guard, found and read. */
static void plan_guard(struct srun *r)
{
	const struct atlas_program *p = r->p;

	r->guard = -1;
	r->limit = ATLAS_COUNT_UNSET;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		if (q->kind == ATLAS_PARAM_SCALAR &&
		    q->use == ATLAS_USE_GUARD && r->guard < 0) {
			r->guard = (long)i;
			if (r->b[i].bound &&
			    value_count(q->type, r->b[i].bits, &r->limit))
				r->limit = 0; /* negative: no lane passes */
		}
	}
}

/* Each array's role; all ANY is element-wise. */
static enum atlas_status plan_arrays(struct srun *r, struct atlas_error *err)
{
	const struct atlas_program *p = r->p;
	int any = 1;

	for (size_t i = 0; i < p->nparams; i++)
		if (p->params[i].kind == ATLAS_PARAM_ARRAY &&
		    p->params[i].access != ATLAS_ACCESS_ANY)
			any = 0;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];
		const struct atlas_stream_binding *b = &r->b[i];
		struct sarr *a = &r->a[i];
		enum atlas_status rc;

		if (q->kind != ATLAS_PARAM_ARRAY)
			continue;
		a->input = q->use == ATLAS_USE_IN;
		a->esize = atlas_type_size(q->type);
		a->label = b->label ? b->label : q->name;
		if (any || q->access == ATLAS_ACCESS_ELEMENT ||
		    q->access == ATLAS_ACCESS_RECORD) {
			a->role = R_STREAM;
			/* value scalars are bound by now */
			if ((rc = program_record_len(p, r->b, q, &a->k, err)) !=
			    ATLAS_OK)
				return rc;
			if (a->k == 0) { /* a guard that is also K */
				atlas_error_set(
					err, ATLAS_ERR_ARG, 0, 0,
					"missing value for scalar "
					"parameter '%s'",
					p->params[q->record_param].name);
				return ATLAS_ERR_ARG;
			}
			r->nstreamed_in += a->input;
		} else {
			a->role = a->input ? R_RESIDENT : R_HELD;
		}
	}
	if (r->nstreamed_in == 0 && r->limit == ATLAS_COUNT_UNSET) {
		if (r->guard >= 0)
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"cannot tell how many lanes to run "
					"(bind %s or give --lanes)",
					p->params[r->guard].name);
		else
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"cannot tell how many lanes to run "
					"(give --lanes)");
		return ATLAS_ERR_ARG;
	}
	return ATLAS_OK;
}

/* The element count of a resident output or reduction. */
static enum atlas_status held_count(const struct srun *r, size_t i, uint64_t *n,
				    struct atlas_error *err)
{
	const struct isa_param *q = &r->p->params[i];
	const uint64_t max = r->o.max_resident;

	if (r->o.sizes && r->o.sizes[i] != ATLAS_COUNT_UNSET)
		*n = r->o.sizes[i];
	else if (q->access == ATLAS_ACCESS_REDUCTION && q->record_len)
		*n = q->record_len;
	else {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"size of output '%s' unknown (give --size "
				"%s=COUNT)",
				q->name, q->name);
		return ATLAS_ERR_ARG;
	}
	if (*n > max / r->a[i].esize) {
		atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
				"%s: resident output larger than %" PRIu64
				" bytes",
				q->name, max);
		return ATLAS_ERR_LIMIT;
	}
	return ATLAS_OK;
}

/*
 * Lanes per launch: as many whole blocks as the pool holds, at least one;
 * then the pool, cut into one aligned slice per streamed array.
 */
static enum atlas_status plan_pool(struct srun *r, struct atlas_error *err)
{
	const struct atlas_program *p = r->p;
	/* whole groups of BLAS rows (program.h), else whole blocks */
	const uint64_t granule = program_uses_blas(p) ? PROGRAM_BLAS_GROUP :
							ATLAS_STREAM_BLOCK;
	uint64_t per_lane = 0, bytes = 0;
	uint8_t *at;

	for (size_t i = 0; i < p->nparams; i++)
		if (r->a[i].role == R_STREAM) {
			if (r->a[i].k >
			    STREAM_POOL_MAX / r->a[i].esize / granule) {
				atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
						"%s: records of %" PRIu64
						" elements are too long to "
						"stream (%" PRIu64 " of them "
						"exceed %" PRIu64 " bytes)",
						p->params[i].name, r->a[i].k,
						granule, STREAM_POOL_MAX);
				return ATLAS_ERR_LIMIT;
			}
			per_lane += r->a[i].k * r->a[i].esize;
		}
	r->chunk = per_lane ? r->o.pool_size / per_lane : r->o.pool_size;
	r->chunk -= r->chunk % granule;
	if (r->chunk < granule)
		r->chunk = granule;
	for (size_t i = 0; i < p->nparams; i++)
		if (r->a[i].role == R_STREAM)
			bytes += align_up(r->chunk * r->a[i].k * r->a[i].esize);
	/* the pool asked for, whole: what whole blocks leave over is slack */
	if (bytes && bytes < r->o.pool_size)
		bytes = align_up(r->o.pool_size);
	if (bytes && !(r->pool = aligned_alloc(ALIGN, bytes)))
		return nomem(err);
	r->st->pool_size = bytes;
	at = r->pool;
	for (size_t i = 0; i < p->nparams; i++)
		if (r->a[i].role == R_STREAM) {
			r->a[i].buf = at;
			at += align_up(r->chunk * r->a[i].k * r->a[i].esize);
		}
	return ATLAS_OK;
}

/* ---- files -------------------------------------------------------------- */

/* Read resident input i whole, within max_resident. */
static enum atlas_status read_resident(struct srun *r, size_t i,
				       struct atlas_error *err)
{
	struct sarr *a = &r->a[i];
	const enum atlas_status rc =
		fmt_read_whole(&a->rd, r->p->params[i].name, r->o.max_resident,
			       &a->buf, &a->count, err);

	r->st->resident_size += a->count * a->esize;
	return rc;
}

/* The lanes the run will make, when the inputs tell before it starts. */
static uint64_t lanes_expected(const struct srun *r)
{
	uint64_t n = r->limit;

	for (size_t i = 0; i < r->p->nparams; i++) {
		const struct sarr *a = &r->a[i];

		if (a->role == R_STREAM && a->input &&
		    a->rd.count != ATLAS_COUNT_UNSET &&
		    (n == ATLAS_COUNT_UNSET || a->rd.count / a->k < n))
			n = a->rd.count / a->k;
	}
	return n;
}

/*
 * Open every reader (resident inputs read whole), then every writer, with
 * its element count when known.
 */
static enum atlas_status open_files(struct srun *r, struct atlas_error *err)
{
	const struct atlas_program *p = r->p;
	enum atlas_status rc;
	uint64_t lanes;

	for (size_t i = 0; i < p->nparams; i++) {
		struct sarr *a = &r->a[i];

		if (a->role == R_NONE || !a->input)
			continue;
		rc = fmt_reader_open(&a->rd, r->b[i].fd, r->b[i].format,
				     p->params[i].type, a->label, err);
		if (rc != ATLAS_OK)
			return rc;
		a->rd_open = 1;
		if (a->role == R_RESIDENT &&
		    (rc = read_resident(r, i, err)) != ATLAS_OK)
			return rc;
	}
	lanes = lanes_expected(r);
	r->st->lanes_expected = lanes;
	for (size_t i = 0; i < p->nparams; i++) {
		struct sarr *a = &r->a[i];
		uint64_t n = ATLAS_COUNT_UNSET;

		if (a->role == R_NONE || a->input)
			continue;
		if (a->role == R_HELD) {
			if ((rc = held_count(r, i, &a->count, err)))
				return rc;
			if (!(a->buf = calloc(a->count ? a->count : 1,
					      a->esize)))
				return nomem(err);
			r->st->resident_size += a->count * a->esize;
			n = a->count;
		} else if (lanes != ATLAS_COUNT_UNSET) {
			n = lanes * a->k;
		}
		rc = fmt_writer_open(&a->wr, r->b[i].fd, r->b[i].format,
				     p->params[i].type, n, a->label, err);
		if (rc != ATLAS_OK)
			return rc;
		a->wr_open = 1;
	}
	return ATLAS_OK;
}

/* ---- the chunks --------------------------------------------------------- */

/* Read the next chunk of every streamed input; the lanes they all hold. */
static uint64_t read_chunk(struct srun *r, uint64_t want)
{
	uint64_t m = want;

	for (size_t i = 0; i < r->p->nparams; i++) {
		struct sarr *a = &r->a[i];

		if (a->role != R_STREAM || !a->input)
			continue;
		a->got = fmt_read(&a->rd, a->buf, want * a->k);
		if (a->got / a->k < m)
			m = a->got / a->k;
	}
	return m;
}

/* Launch lanes [first, first + m) over the chunk. */
static enum atlas_status launch(struct atlas_engine *e, struct srun *r,
				uint64_t m, struct atlas_error *err)
{
	const struct atlas_program *p = r->p;
	struct atlas_arg args[STREAM_MAX_PARAMS];
	struct atlas_launch l;

	memset(args, 0, sizeof args);
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];
		const struct sarr *a = &r->a[i];
		const uint64_t lane_bytes = a->k * a->esize;

		if (q->kind == ATLAS_PARAM_SCALAR) {
			args[i].bits = (int)i == r->guard && !r->b[i].bound ?
					       r->first + m :
					       r->b[i].bits;
		} else if (a->role == R_STREAM) {
			args[i].view.data = a->buf;
			args[i].view.size = m * lane_bytes;
			args[i].view.base = r->first * lane_bytes;
			args[i].view.window = 1;
			/* lanes that store nothing give zeros */
			if (!a->input)
				memset(a->buf, 0, m * lane_bytes);
		} else {
			args[i].view.data = a->buf;
			args[i].view.size = a->count * a->esize;
		}
	}
	l = atlas_launch_linear(r->first + m, ATLAS_STREAM_BLOCK);
	l.lane_begin = r->first;
	return program_launch(e, p, &l, args, p->nparams, r->o.state, err);
}

/* Write the chunk's m lanes of every streamed output. */
static enum atlas_status write_chunk(struct srun *r, uint64_t m,
				     struct atlas_error *err)
{
	for (size_t i = 0; i < r->p->nparams; i++) {
		struct sarr *a = &r->a[i];
		enum atlas_status rc;

		if (a->role != R_STREAM || a->input)
			continue;
		if ((rc = fmt_write(&a->wr, a->buf, m * a->k, err)))
			return rc;
	}
	return ATLAS_OK;
}

/* Bytes moved so far, for the stats. */
static void count_bytes(struct srun *r)
{
	r->st->bytes_in = r->st->bytes_out = 0;
	for (size_t i = 0; i < r->p->nparams; i++) {
		const struct sarr *a = &r->a[i];

		if (a->rd_open)
			r->st->bytes_in += a->rd.bytes;
		if (a->wr_open)
			r->st->bytes_out += a->wr.bytes;
	}
}

/* Every chunk; returns at the end of the input or at the first error. */
static enum atlas_status run_chunks(struct atlas_engine *e, struct srun *r,
				    struct atlas_error *err)
{
	const long g = r->guard;
	const uint64_t guard_max =
		g >= 0 && !r->b[g].bound ?
			value_count_max(r->p->params[g].type) :
			UINT64_MAX;

	for (;;) {
		uint64_t want = r->chunk, m;
		enum atlas_status rc;

		if (r->limit != ATLAS_COUNT_UNSET && r->limit - r->first < want)
			want = r->limit - r->first;
		if (want == 0)
			return ATLAS_OK;
		m = r->nstreamed_in ? read_chunk(r, want) : want;
		if (m && (r->first + m > STREAM_MAX_LANES ||
			  r->first + m > guard_max)) {
			atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
					"too many lanes: %" PRIu64,
					r->first + m);
			return ATLAS_ERR_LIMIT;
		}
		if (m && (rc = launch(e, r, m, err)) != ATLAS_OK)
			return rc;
		rc = write_chunk(r, m, err);
		r->first += m;
		r->st->elements = r->first;
		r->st->chunks += m > 0;
		count_bytes(r);
		if (rc != ATLAS_OK)
			return rc;
		if (r->o.progress)
			r->o.progress(r->o.progress_arg, r->st);
		if (m < want)
			return ATLAS_OK;
	}
}

/* ---- the end ------------------------------------------------------------ */

/* Does input a hold more than what was read?  Reads one element. */
static int has_more(struct sarr *a)
{
	uint8_t scratch[16];

	if (a->rd.eof)
		return 0;
	return fmt_read(&a->rd, scratch, 1) == 1;
}

/* Complete lanes input a delivered. */
static uint64_t lanes_of(const struct sarr *a)
{
	return a->rd.elements / a->k;
}

/* The streamed input that gave the fewest lanes, or NULL. */
static struct sarr *shortest_input(struct srun *r)
{
	struct sarr *s = NULL;

	for (size_t i = 0; i < r->p->nparams; i++) {
		struct sarr *a = &r->a[i];

		if (a->role == R_STREAM && a->input &&
		    (!s || lanes_of(a) < lanes_of(s)))
			s = a;
	}
	return s;
}

/* A failed reader's error, or a partial element or record. */
static enum atlas_status check_tails(struct srun *r, struct atlas_error *err)
{
	const struct atlas_program *p = r->p;

	for (size_t i = 0; i < p->nparams; i++) {
		const struct sarr *a = &r->a[i];

		if (a->rd_open && a->rd.failed) {
			if (err)
				*err = a->rd.err;
			return a->rd.err.code;
		}
	}
	for (size_t i = 0; i < p->nparams; i++) {
		const struct sarr *a = &r->a[i];

		if (a->role != R_STREAM || !a->input)
			continue;
		if (fmt_reader_status(&a->rd, err) != ATLAS_OK)
			return ATLAS_ERR_INPUT; /* partial: none failed */
		if (a->rd.elements % a->k) {
			atlas_error_set(err, ATLAS_ERR_INPUT, 0, 0,
					"%s: trailing partial record (%" PRIu64
					" of %" PRIu64 " elements)",
					a->label, a->rd.elements % a->k, a->k);
			return ATLAS_ERR_INPUT;
		}
	}
	return ATLAS_OK;
}

/*
 * After the last chunk: the first input error, if any.  With a bound
 * guard, an input too short for it; else inputs of unequal lengths (one
 * ended, another gave or holds more); then a failed reader or a partial
 * element or record.
 */
static enum atlas_status check_ends(struct srun *r, struct atlas_error *err)
{
	struct sarr *s = shortest_input(r);

	if (!s)
		return ATLAS_OK;
	if (r->limit != ATLAS_COUNT_UNSET) {
		if (r->first == r->limit)
			return ATLAS_OK;
		if (s->rd.failed)
			return check_tails(r, err);
		atlas_error_set(err, ATLAS_ERR_INPUT, 0, 0,
				"%s ended after %" PRIu64 " elements; "
				"%s=%" PRIu64 " asks for more",
				s->label, s->rd.elements,
				r->p->params[r->guard].name, r->limit);
		return ATLAS_ERR_INPUT;
	}
	for (size_t i = 0; i < r->p->nparams && !s->rd.failed; i++) {
		struct sarr *a = &r->a[i];

		if (a->role != R_STREAM || !a->input || a == s)
			continue;
		if (lanes_of(a) > lanes_of(s) || has_more(a)) {
			atlas_error_set(err, ATLAS_ERR_INPUT, 0, 0,
					"inputs differ in length: %s ended "
					"after %" PRIu64 " elements, %s has "
					"more",
					s->label, s->rd.elements, a->label);
			return ATLAS_ERR_INPUT;
		}
	}
	return check_tails(r, err);
}

/*
 * Write the held arrays (when the run got to its end: a lane fault leaves
 * them unwritten), then finish every writer, so that what was written
 * stays a well-formed file.  The first error.
 */
static enum atlas_status finish(struct srun *r, int write_held,
				struct atlas_error *err)
{
	enum atlas_status rc = ATLAS_OK;

	for (size_t i = 0; i < r->p->nparams; i++) {
		struct sarr *a = &r->a[i];

		if (a->role == R_HELD && a->wr_open && write_held &&
		    rc == ATLAS_OK)
			rc = fmt_write(&a->wr, a->buf, a->count, err);
	}
	for (size_t i = 0; i < r->p->nparams; i++) {
		struct sarr *a = &r->a[i];
		struct atlas_error e;
		enum atlas_status c;

		if (!a->wr_open || a->wr_done)
			continue;
		a->wr_done = 1;
		c = fmt_writer_close(&a->wr, &e);
		if (c != ATLAS_OK && rc == ATLAS_OK) {
			rc = c;
			if (err)
				*err = e;
		}
	}
	return rc;
}

static void release(struct srun *r)
{
	for (size_t i = 0; i < r->p->nparams; i++) {
		struct sarr *a = &r->a[i];

		if (a->rd_open)
			fmt_reader_close(&a->rd);
		if (a->wr_open && !a->wr_done)
			fmt_writer_discard(&a->wr);
		if (a->role == R_RESIDENT || a->role == R_HELD)
			free(a->buf);
	}
	free(r->pool);
}

enum atlas_status
atlas_stream(struct atlas_engine *e, const struct atlas_program *p,
	     const struct atlas_stream_binding *b, size_t nbind,
	     const struct atlas_stream_options *opts,
	     struct atlas_stream_stats *stats, struct atlas_error *err)
{
	struct atlas_stream_stats dummy;
	struct srun r;
	enum atlas_status rc, in_rc;
	struct atlas_error in_err;

	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof *stats);
	stats->lanes_expected = ATLAS_COUNT_UNSET;
	if (program_check_nargs(p, nbind, STREAM_MAX_PARAMS, err))
		return ATLAS_ERR_ARG;
	if (!atlas_program_streams(p)) {
		atlas_error_set(err, ATLAS_ERR_UNSUPPORTED, 0, 0,
				"kernel '%s' cannot stream", p->name);
		return ATLAS_ERR_UNSUPPORTED;
	}
	memset(&r, 0, sizeof r);
	r.p = p;
	r.b = b;
	r.st = stats;
	if (opts)
		r.o = *opts;
	if (!r.o.pool_size)
		r.o.pool_size = ATLAS_POOL_SIZE_DEFAULT;
	if (!r.o.max_resident)
		r.o.max_resident = ATLAS_MAX_RESIDENT_DEFAULT;
	rc = program_check_bound(p, b, err);
	plan_guard(&r);
	if (rc == ATLAS_OK)
		rc = plan_arrays(&r, err);
	if (rc == ATLAS_OK)
		rc = plan_pool(&r, err);
	if (rc == ATLAS_OK)
		rc = open_files(&r, err);
	if (rc == ATLAS_OK)
		rc = run_chunks(e, &r, err);
	if (rc == ATLAS_OK) {
		/* input errors come after the complete output */
		in_rc = check_ends(&r, &in_err);
		rc = finish(&r, 1, err);
		if (rc == ATLAS_OK && in_rc != ATLAS_OK) {
			rc = in_rc;
			if (err)
				*err = in_err;
		}
	} else if (r.first || r.st->chunks) {
		struct atlas_error ignored;

		/* keep what was written: finish the formats, no held data */
		(void)finish(&r, 0, &ignored);
	}
	count_bytes(&r);
	release(&r);
	return rc;
}

int atlas_program_streams(const struct atlas_program *p)
{
	size_t arrays = 0, analysed = 0, streamed = 0;
	int guard = 0;

	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		if (q->kind != ATLAS_PARAM_ARRAY) {
			guard |= q->use == ATLAS_USE_GUARD;
			continue;
		}
		if (q->use == ATLAS_USE_INOUT)
			return 0;
		arrays++;
		analysed += q->access != ATLAS_ACCESS_ANY;
		streamed += q->access == ATLAS_ACCESS_ELEMENT ||
			    q->access == ATLAS_ACCESS_RECORD ||
			    q->access == ATLAS_ACCESS_ANY;
	}
	/* a program that declares no access class at all is taken to be
	   element-wise, as hand-written ones were before the analysis: a
	   lane that strays outside its chunk faults, it never reads wrong
	   data */
	if (analysed != 0 && analysed != arrays)
		return 0;
	return streamed > 0 || guard;
}
