/*
 * resident.c - resident runs: every input array read whole into memory,
 * one launch over all lanes, every output written at the end.  This is
 * how atlas-run runs the kernels that cannot stream element by element
 * (records, resident and reduction arrays, inout arrays; man 1
 * atlas-run, "Resident runs").  Memory grows with the arrays, within a
 * limit per array; in exchange any kernel runs, correctly.
 *
 * All or nothing: outputs are written only after the launch succeeded,
 * and an inout file is replaced by rename, so a lane fault or a read
 * error leaves every file as it was (output files the caller truncated
 * when it opened them stay empty).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "program.h"

#define RES_MAX_PARAMS 64
#define RES_BLOCK 256 /* ISA block size of the launch */
/* atlas_launch_linear's grid holds at most UINT32_MAX blocks */
#define RES_MAX_LANES ((uint64_t)UINT32_MAX * RES_BLOCK)

/* One array parameter of the run. */
struct res_arr {
	uint8_t *data;	/* malloc'd: the input's bytes, or zeroed output */
	uint64_t count; /* elements */
	size_t esize;	/* bytes per element */
};

struct res_run {
	const struct atlas_program *p;
	const struct atlas_stream_binding *b;
	uint64_t max;	       /* bytes per array */
	const uint64_t *sizes; /* per parameter, or NULL */
	uint64_t lanes;
	struct res_arr a[RES_MAX_PARAMS];
	/* inout files: the file replaced, and its replacement until renamed */
	char *real[RES_MAX_PARAMS], *tmp[RES_MAX_PARAMS];
	struct atlas_stream_stats *st;
	struct atlas_run_state *state; /* may be NULL */
};

static int is_input(const struct isa_param *q)
{
	return q->kind == ATLAS_PARAM_ARRAY && q->use != ATLAS_USE_OUT;
}

static int is_output(const struct isa_param *q)
{
	return q->kind == ATLAS_PARAM_ARRAY && q->use != ATLAS_USE_IN;
}

static enum atlas_status nomem(struct atlas_error *err)
{
	atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

/* Every scalar is bound (guards may be left), every array bound; no
   size for an input, no bf16 .npy. */
static enum atlas_status check_bindings(const struct res_run *r,
					struct atlas_error *err)
{
	const struct atlas_program *p = r->p;

	if (program_check_bound(p, r->b, err))
		return ATLAS_ERR_ARG;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];
		const struct atlas_stream_binding *b = &r->b[i];

		if (q->kind == ATLAS_PARAM_SCALAR)
			continue;
		/* before the run: a failed output would lose its results */
		if (b->format == ATLAS_DATA_NPY && q->type == ATLAS_BF16) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"%s: no .npy dtype for bf16",
					b->label ? b->label : q->name);
			return ATLAS_ERR_ARG;
		}
		if (r->sizes && r->sizes[i] != ATLAS_COUNT_UNSET &&
		    q->use != ATLAS_USE_OUT) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"array '%s' is an input: its size is "
					"its file's",
					q->name);
			return ATLAS_ERR_ARG;
		}
	}
	return ATLAS_OK;
}

static enum atlas_status too_big(const struct res_run *r,
				 const struct isa_param *q, const char *what,
				 struct atlas_error *err)
{
	atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
			"%s: resident %s larger than %" PRIu64 " bytes",
			q->name, what, r->max);
	return ATLAS_ERR_LIMIT;
}

/* Grow a->data to hold cap elements. */
/* Read input array i whole, within the limit, in its binding's format. */
static enum atlas_status read_input(struct res_run *r, size_t i,
				    struct atlas_error *err)
{
	const struct isa_param *q = &r->p->params[i];
	const struct atlas_stream_binding *b = &r->b[i];
	struct res_arr *a = &r->a[i];
	struct fmt_reader rd;
	enum atlas_status rc;

	if ((rc = fmt_reader_open(&rd, b->fd, b->format, q->type,
				  b->label ? b->label : q->name, err)) !=
	    ATLAS_OK)
		return rc;
	a->esize = rd.esize;
	rc = fmt_read_whole(&rd, q->name, r->max, &a->data, &a->count, err);
	r->st->bytes_in += rd.bytes;
	fmt_reader_close(&rd);
	return rc;
}

/*
 * Lanes an element or record input gives: its element count, divided by
 * its record length.  *ok = 0 when the array gives none.
 */
static enum atlas_status lanes_of(const struct res_run *r, size_t i,
				  uint64_t *lanes, int *ok,
				  struct atlas_error *err)
{
	const struct isa_param *q = &r->p->params[i];
	const struct res_arr *a = &r->a[i];
	enum atlas_status rc;
	uint64_t k = 1;

	*ok = 0;
	if (!is_input(q) || (q->access != ATLAS_ACCESS_ELEMENT &&
			     q->access != ATLAS_ACCESS_RECORD))
		return ATLAS_OK;
	if (q->access == ATLAS_ACCESS_RECORD &&
	    ((rc = program_record_len(r->p, r->b, q, &k, err)) || k == 0))
		return rc;
	if (a->count % k) {
		atlas_error_set(err, ATLAS_ERR_INPUT, 0, 0,
				"%s: %" PRIu64 " elements are not a whole "
				"number of records of %" PRIu64,
				q->name, a->count, k);
		return ATLAS_ERR_INPUT;
	}
	*lanes = a->count / k;
	*ok = 1;
	return ATLAS_OK;
}

/* The guard scalar, or -1. */
static long guard_param(const struct atlas_program *p)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (p->params[i].kind == ATLAS_PARAM_SCALAR &&
		    p->params[i].use == ATLAS_USE_GUARD)
			return (long)i;
	return -1;
}

/*
 * How many lanes: given, else the bound guard, else the first element or
 * record input, which every other one must then agree with.
 */
static enum atlas_status infer_lanes(struct res_run *r, uint64_t given,
				     struct atlas_error *err)
{
	const struct atlas_program *p = r->p;
	const long g = guard_param(p);
	enum atlas_status rc;
	long first = -1;

	r->lanes = given;
	if (given == ATLAS_COUNT_UNSET && g >= 0 && r->b[g].bound &&
	    p->params[g].type <= ATLAS_U64 &&
	    value_count(p->params[g].type, r->b[g].bits, &r->lanes))
		r->lanes = 0; /* a negative bound: no lane passes it */
	for (size_t i = 0;
	     i < p->nparams && (first >= 0 || r->lanes == ATLAS_COUNT_UNSET);
	     i++) {
		uint64_t n;
		int ok;

		if ((rc = lanes_of(r, i, &n, &ok, err)) != ATLAS_OK)
			return rc;
		if (!ok)
			continue;
		if (first < 0) {
			first = (long)i;
			r->lanes = n;
		} else if (n != r->lanes) {
			atlas_error_set(err, ATLAS_ERR_INPUT, 0, 0,
					"inputs differ in length: %s gives "
					"%" PRIu64 " lanes, %s %" PRIu64,
					p->params[first].name, r->lanes,
					p->params[i].name, n);
			return ATLAS_ERR_INPUT;
		}
	}
	if (r->lanes == ATLAS_COUNT_UNSET) {
		if (g >= 0)
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"cannot tell how many lanes to run "
					"(bind %s or give --lanes)",
					p->params[g].name);
		else
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"cannot tell how many lanes to run "
					"(give --lanes)");
		return ATLAS_ERR_ARG;
	}
	if (r->lanes > RES_MAX_LANES ||
	    (g >= 0 && !r->b[g].bound &&
	     r->lanes > value_count_max(p->params[g].type))) {
		atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
				"too many lanes: %" PRIu64, r->lanes);
		return ATLAS_ERR_LIMIT;
	}
	return ATLAS_OK;
}

/* The element count of output array i, or ATLAS_COUNT_UNSET. */
static enum atlas_status output_count(const struct res_run *r, size_t i,
				      uint64_t *n, struct atlas_error *err)
{
	const struct isa_param *q = &r->p->params[i];
	enum atlas_status rc;
	uint64_t k;

	*n = ATLAS_COUNT_UNSET;
	if (r->sizes && r->sizes[i] != ATLAS_COUNT_UNSET) {
		*n = r->sizes[i];
	} else if (q->access == ATLAS_ACCESS_ELEMENT) {
		*n = r->lanes;
	} else if (q->access == ATLAS_ACCESS_REDUCTION) {
		/* the length the program declares (the largest constant
		   index + 1); else it must be given */
		if (q->record_len)
			*n = q->record_len;
	} else if (q->access == ATLAS_ACCESS_RECORD) {
		if ((rc = program_record_len(r->p, r->b, q, &k, err)) !=
		    ATLAS_OK)
			return rc;
		if (k && r->lanes > (UINT64_MAX - 1) / k)
			return too_big(r, q, "output", err);
		if (k)
			*n = r->lanes * k;
	}
	if (*n == ATLAS_COUNT_UNSET) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"size of output '%s' unknown (give --size "
				"%s=COUNT)",
				q->name, q->name);
		return ATLAS_ERR_ARG;
	}
	return ATLAS_OK;
}

/* Allocate every out array zeroed, at its size. */
static enum atlas_status alloc_outputs(struct res_run *r,
				       struct atlas_error *err)
{
	for (size_t i = 0; i < r->p->nparams; i++) {
		const struct isa_param *q = &r->p->params[i];
		struct res_arr *a = &r->a[i];
		enum atlas_status rc;

		if (q->kind != ATLAS_PARAM_ARRAY || q->use != ATLAS_USE_OUT)
			continue;
		if ((rc = output_count(r, i, &a->count, err)) != ATLAS_OK)
			return rc;
		a->esize = atlas_type_size(q->type);
		if (a->count > r->max / a->esize)
			return too_big(r, q, "output", err);
		if (a->count * a->esize > SIZE_MAX - 1 ||
		    !(a->data = calloc((size_t)(a->count * a->esize) + 1, 1)))
			return nomem(err);
	}
	return ATLAS_OK;
}

/* One launch of every lane over the whole arrays. */
static enum atlas_status launch(struct atlas_engine *e, struct res_run *r,
				struct atlas_error *err)
{
	const struct atlas_program *p = r->p;
	struct atlas_arg args[RES_MAX_PARAMS];
	struct atlas_launch l;

	memset(args, 0, sizeof args);
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		if (q->kind == ATLAS_PARAM_ARRAY) {
			args[i].view.data = r->a[i].data;
			args[i].view.size = r->a[i].count * r->a[i].esize;
		} else if (q->use == ATLAS_USE_GUARD && !r->b[i].bound) {
			args[i].bits = r->lanes;
		} else {
			args[i].bits = r->b[i].bits;
		}
	}
	r->st->elements = r->lanes;
	if (r->lanes == 0)
		return ATLAS_OK;
	r->st->chunks = 1;
	l = atlas_launch_linear(r->lanes, RES_BLOCK);
	return program_launch(e, p, &l, args, p->nparams, r->state, err);
}

/* Fill err with "WHAT: strerror(e)". */
static enum atlas_status io_error(const char *what, int e,
				  struct atlas_error *err)
{
	atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: %s", what, strerror(e));
	if (err)
		err->errnum = e;
	return ATLAS_ERR_IO;
}

/* An array to write: count elements of type t at data, in format f. */
struct res_out {
	enum atlas_data_format f;
	enum atlas_type t;
	const void *data;
	uint64_t count;
	const char *label; /* the file, in messages */
};

/* Write o to fd; *bytes grows by what reached it. */
static enum atlas_status write_array(int fd, const struct res_out *o,
				     uint64_t *bytes, struct atlas_error *err)
{
	struct fmt_writer w;
	enum atlas_status rc;

	if ((rc = fmt_writer_open(&w, fd, o->f, o->t, o->count, o->label,
				  err)) != ATLAS_OK)
		return rc;
	if ((rc = fmt_write(&w, o->data, (size_t)o->count, err)) != ATLAS_OK)
		fmt_writer_discard(&w);
	else
		rc = fmt_writer_close(&w, err);
	*bytes += w.bytes;
	return rc;
}

/* The array i of r, as its binding says to write it. */
static struct res_out out_of(const struct res_run *r, size_t i)
{
	const struct res_out o = {r->b[i].format, r->p->params[i].type,
				  r->a[i].data, r->a[i].count,
				  r->b[i].label ? r->b[i].label :
						  r->p->params[i].name};

	return o;
}

/* Write o to a new file tmp (a mkstemp template) with mode. */
static enum atlas_status write_new(char *tmp, mode_t mode,
				   const struct res_out *o, uint64_t *bytes,
				   struct atlas_error *err)
{
	enum atlas_status rc;
	int fd = mkstemp(tmp);

	if (fd < 0)
		return io_error(tmp, errno, err);
	if (fchmod(fd, mode) != 0)
		rc = io_error(tmp, errno, err);
	else {
		struct res_out named = *o;

		named.label = tmp;
		rc = write_array(fd, &named, bytes, err);
	}
	if (close(fd) != 0 && rc == ATLAS_OK)
		rc = io_error(tmp, errno, err);
	if (rc != ATLAS_OK)
		unlink(tmp);
	return rc;
}

/*
 * The first half of atlas_file_replace: *real is the regular file path
 * names, *tmp a new file beside it holding o (both malloc'd; NULL on
 * failure).
 */
static enum atlas_status stage(const char *path, const struct res_out *o,
			       uint64_t *bytes, char **real, char **tmp,
			       struct atlas_error *err)
{
	enum atlas_status rc;
	struct stat st;
	size_t n;

	*tmp = NULL;
	if (!(*real = realpath(path, NULL)) || stat(*real, &st) != 0) {
		rc = io_error(path, errno, err);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		atlas_error_set(err, ATLAS_ERR_IO, 0, 0,
				"%s: cannot replace it: not a regular file",
				path);
		rc = ATLAS_ERR_IO;
		goto fail;
	}
	n = strlen(*real);
	if (!(*tmp = malloc(n + sizeof ".XXXXXX"))) {
		rc = nomem(err);
		goto fail;
	}
	memcpy(*tmp, *real, n);
	memcpy(*tmp + n, ".XXXXXX", sizeof ".XXXXXX");
	if ((rc = write_new(*tmp, st.st_mode & 07777, o, bytes, err)) ==
	    ATLAS_OK)
		return ATLAS_OK;
fail:
	free(*tmp);
	free(*real);
	*tmp = *real = NULL;
	return rc;
}

/*
 * Write every output in its format: first every inout file to a new file
 * beside it, then the outputs to descriptors, in parameter order, and
 * only then rename the new files over the old, so that a write error
 * leaves the inout files as they were.
 */
static enum atlas_status write_outputs(struct res_run *r,
				       struct atlas_error *err)
{
	const struct atlas_program *p = r->p;
	uint64_t *bytes = &r->st->bytes_out;
	enum atlas_status rc;

	for (size_t i = 0; i < p->nparams; i++) {
		const struct res_out o = out_of(r, i);

		if (p->params[i].use == ATLAS_USE_INOUT && r->b[i].path &&
		    (rc = stage(r->b[i].path, &o, bytes, &r->real[i],
				&r->tmp[i], err)) != ATLAS_OK)
			return rc;
	}
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];
		const struct atlas_stream_binding *b = &r->b[i];
		const struct res_out o = out_of(r, i);

		if (!is_output(q) || r->tmp[i])
			continue;
		rc = write_array(q->use == ATLAS_USE_INOUT ? b->out_fd : b->fd,
				 &o, bytes, err);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < p->nparams; i++) {
		if (!r->tmp[i])
			continue;
		if (rename(r->tmp[i], r->real[i]) != 0)
			return io_error(r->b[i].path, errno, err);
		free(r->tmp[i]);
		r->tmp[i] = NULL;
	}
	return ATLAS_OK;
}

static enum atlas_status run(struct atlas_engine *e, struct res_run *r,
			     uint64_t lanes, struct atlas_error *err)
{
	enum atlas_status rc;

	if ((rc = check_bindings(r, err)) != ATLAS_OK)
		return rc;
	for (size_t i = 0; i < r->p->nparams; i++)
		if (is_input(&r->p->params[i]) &&
		    (rc = read_input(r, i, err)) != ATLAS_OK)
			return rc;
	if ((rc = infer_lanes(r, lanes, err)) != ATLAS_OK ||
	    (rc = alloc_outputs(r, err)) != ATLAS_OK ||
	    (rc = launch(e, r, err)) != ATLAS_OK)
		return rc;
	return write_outputs(r, err);
}

enum atlas_status
atlas_resident_run(struct atlas_engine *e, const struct atlas_program *p,
		   const struct atlas_stream_binding *b, size_t nbind,
		   const struct atlas_resident_options *opts,
		   struct atlas_stream_stats *stats, struct atlas_error *err)
{
	static const struct atlas_resident_options defaults = {
		.lanes = ATLAS_COUNT_UNSET};
	struct atlas_stream_stats dummy;
	struct res_run *r;
	enum atlas_status rc;

	if (!opts)
		opts = &defaults;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof *stats);
	if (program_check_nargs(p, nbind, RES_MAX_PARAMS, err))
		return ATLAS_ERR_ARG;
	if (!(r = calloc(1, sizeof *r)))
		return nomem(err);
	r->p = p;
	r->b = b;
	r->max = opts->max_resident ? opts->max_resident :
				      ATLAS_MAX_RESIDENT_DEFAULT;
	r->sizes = opts->sizes;
	r->st = stats;
	r->state = opts->state;
	rc = run(e, r, opts->lanes, err);
	for (size_t i = 0; i < p->nparams; i++) {
		if (r->tmp[i])
			unlink(r->tmp[i]);
		free(r->tmp[i]);
		free(r->real[i]);
		free(r->a[i].data);
	}
	free(r);
	return rc;
}

enum atlas_status atlas_resident_size(const struct atlas_program *p,
				      const char *spec, uint64_t *sizes,
				      struct atlas_error *err)
{
	const char *eq = strchr(spec, '=');
	long i = -1;
	uint64_t n;

	if (!eq || eq == spec || atlas_size_parse(eq + 1, &n, NULL)) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"invalid size binding '%s' (expected "
				"name=count)",
				spec);
		return ATLAS_ERR_ARG;
	}
	for (size_t k = 0; k < p->nparams && i < 0; k++)
		if (strlen(p->params[k].name) == (size_t)(eq - spec) &&
		    memcmp(p->params[k].name, spec, (size_t)(eq - spec)) == 0)
			i = (long)k;
	if (i < 0 || p->params[i].kind != ATLAS_PARAM_ARRAY) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"kernel %s has no array '%.*s'", p->name,
				(int)(eq - spec), spec);
		return ATLAS_ERR_ARG;
	}
	if (p->params[i].use != ATLAS_USE_OUT) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"array '%s' is an input: its size is its "
				"file's",
				p->params[i].name);
		return ATLAS_ERR_ARG;
	}
	sizes[i] = n;
	return ATLAS_OK;
}

enum atlas_status atlas_file_replace(const char *path, const void *data,
				     size_t len, struct atlas_error *err)
{
	const struct res_out o = {ATLAS_DATA_RAW, ATLAS_U8, data, len, path};
	enum atlas_status rc;
	uint64_t bytes = 0;
	char *real, *tmp;

	if ((rc = stage(path, &o, &bytes, &real, &tmp, err)) != ATLAS_OK)
		return rc;
	if (rename(tmp, real) != 0) {
		rc = io_error(path, errno, err);
		unlink(tmp);
	}
	free(tmp);
	free(real);
	return rc;
}

enum atlas_status atlas_size_parse(const char *text, uint64_t *out,
				   struct atlas_error *err)
{
	static const char units[] = "KkMmGg";
	const char *s = text, *u;
	uint64_t n = 0, mul = 1;

	while (*s >= '0' && *s <= '9') {
		if (n > (UINT64_MAX - 10) / 10)
			goto bad;
		n = n * 10 + (uint64_t)(*s++ - '0');
	}
	if (s == text)
		goto bad;
	if (*s && (u = strchr(units, *s)) != NULL) {
		mul = (uint64_t)1 << (10 * (1 + (u - units) / 2));
		s++;
	}
	if (*s || (n && mul > 1 && n > (UINT64_MAX - 1) / mul))
		goto bad;
	*out = n * mul;
	return ATLAS_OK;
bad:
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0, "invalid size '%s'", text);
	return ATLAS_ERR_ARG;
}
