/*
 * stream.c - element-wise streaming: read a chunk of every input array in
 * lock-step, launch one lane per element, write every output array, and
 * repeat, through buffers allocated once.  Memory does not grow with the
 * input size.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

#define STREAM_MAX_PARAMS 64
#define STREAM_BLOCK 1024 /* ISA block size of streamed launches */

struct stream_arr {
	size_t param;
	size_t size; /* element size */
	uint8_t *buf;
	int fd;
	const char *label;
	size_t got; /* bytes in buf after the last read */
	int eof;
};

static enum atlas_status setup(const struct atlas_program *p,
			       const struct atlas_stream_binding *b,
			       size_t chunk, struct stream_arr *in, size_t *nin,
			       struct stream_arr *out, size_t *nout,
			       struct atlas_error *err)
{
	*nin = *nout = 0;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];
		struct stream_arr *a;

		if (q->kind != ATLAS_PARAM_ARRAY) {
			if (q->use == ATLAS_USE_VALUE && !b[i].bound) {
				atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
						"missing value for scalar "
						"parameter '%s'",
						q->name);
				return ATLAS_ERR_ARG;
			}
			continue;
		}
		if (q->use == ATLAS_USE_INOUT) {
			atlas_error_set(err, ATLAS_ERR_UNSUPPORTED, 0, 0,
					"array '%s' is both read and written; "
					"it cannot be streamed",
					q->name);
			return ATLAS_ERR_UNSUPPORTED;
		}
		if (b[i].fd < 0) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"missing binding for array parameter "
					"'%s'",
					q->name);
			return ATLAS_ERR_ARG;
		}
		a = q->use == ATLAS_USE_IN ? &in[(*nin)++] : &out[(*nout)++];
		memset(a, 0, sizeof *a);
		a->param = i;
		a->size = atlas_type_size(q->type);
		a->fd = b[i].fd;
		a->label = b[i].label ? b[i].label : q->name;
		a->buf = aligned_alloc(64, (chunk * a->size + 63) / 64 * 64);
		if (!a->buf) {
			atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0,
					"out of memory");
			return ATLAS_ERR_NOMEM;
		}
	}
	if (*nin == 0) {
		atlas_error_set(err, ATLAS_ERR_UNSUPPORTED, 0, 0,
				"kernel '%s' has no input array to stream",
				p->name);
		return ATLAS_ERR_UNSUPPORTED;
	}
	return ATLAS_OK;
}

/* Read the next chunk of every input; *m = complete elements in all. */
static enum atlas_status read_inputs(struct stream_arr *in, size_t nin,
				     size_t chunk, size_t *m,
				     struct atlas_error *err)
{
	size_t least = chunk;

	for (size_t i = 0; i < nin; i++) {
		struct stream_arr *a = &in[i];
		size_t want = chunk * a->size;

		struct atlas_error e;

		if (atlas_read_full(a->fd, a->buf, want, &a->got, &e)) {
			atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: %s",
					a->label, e.msg);
			if (err)
				err->errnum = e.errnum;
			return ATLAS_ERR_IO;
		}
		a->eof = a->got < want;
		if (a->got / a->size < least)
			least = a->got / a->size;
	}
	*m = least;
	return ATLAS_OK;
}

/* After the last chunk: partial elements and unequal lengths. */
static enum atlas_status check_ends(struct stream_arr *in, size_t nin, size_t m,
				    uint64_t total,
				    const struct atlas_program *p,
				    struct atlas_error *err)
{
	for (size_t i = 0; i < nin; i++) {
		const struct stream_arr *a = &in[i];
		size_t rest = a->got % a->size;

		if (a->got / a->size > m) {
			const struct stream_arr *s = &in[0];

			for (size_t j = 0; j < nin; j++)
				if (in[j].got / in[j].size == m)
					s = &in[j];
			atlas_error_set(err, ATLAS_ERR_INPUT, 0, 0,
					"inputs differ in length: %s ended "
					"after %" PRIu64 " elements, %s has "
					"more",
					s->label, total, a->label);
			return ATLAS_ERR_INPUT;
		}
		if (rest) {
			atlas_error_set(
				err, ATLAS_ERR_INPUT, 0, 0,
				"%s: trailing partial element (%zu "
				"bytes; %s elements are %zu bytes)",
				a->label, rest,
				atlas_type_name(p->params[a->param].type),
				a->size);
			return ATLAS_ERR_INPUT;
		}
	}
	return ATLAS_OK;
}

static enum atlas_status
run_chunks(struct atlas_engine *e, const struct atlas_program *p,
	   const struct atlas_stream_binding *b, size_t chunk,
	   struct stream_arr *in, size_t nin, struct stream_arr *out,
	   size_t nout, struct atlas_run_state *state,
	   struct atlas_stream_stats *st, struct atlas_error *err)
{
	struct atlas_arg args[STREAM_MAX_PARAMS];
	struct stream_arr *arr[STREAM_MAX_PARAMS] = {0};
	uint64_t first = 0;
	enum atlas_status rc;

	for (size_t i = 0; i < nin; i++)
		arr[in[i].param] = &in[i];
	for (size_t i = 0; i < nout; i++)
		arr[out[i].param] = &out[i];
	for (;;) {
		struct atlas_launch l;
		size_t m;
		int more;

		rc = read_inputs(in, nin, chunk, &m, err);
		if (rc)
			return rc;
		more = 1;
		for (size_t i = 0; i < nin; i++)
			if (in[i].eof)
				more = 0;
		l = atlas_launch_linear(first + m, STREAM_BLOCK);
		l.lane_begin = first;
		for (size_t i = 0; i < p->nparams; i++) {
			const struct isa_param *q = &p->params[i];

			memset(&args[i], 0, sizeof args[i]);
			if (q->kind == ATLAS_PARAM_ARRAY) {
				size_t sz = arr[i]->size;

				args[i].view.data = arr[i]->buf;
				args[i].view.size = (uint64_t)m * sz;
				args[i].view.base = first * sz;
			} else if (q->use == ATLAS_USE_GUARD && !b[i].bound) {
				args[i].bits = first + m;
			} else {
				args[i].bits = b[i].bits;
			}
		}
		/* lanes that store nothing give zeros, not stale bytes */
		for (size_t i = 0; i < nout; i++)
			memset(out[i].buf, 0, m * out[i].size);
		if (m) {
			rc = program_launch(e, p, &l, args, p->nparams, state,
					    err);
			if (rc)
				return rc;
		}
		for (size_t i = 0; i < nout; i++) {
			rc = atlas_write_full(out[i].fd, out[i].buf,
					      m * out[i].size, err);
			if (rc)
				return rc;
			st->bytes_out += m * out[i].size;
		}
		for (size_t i = 0; i < nin; i++)
			st->bytes_in += in[i].got;
		st->elements += m;
		st->chunks += m > 0;
		first += m;
		if (!more)
			return check_ends(in, nin, m, first, p, err);
	}
}

enum atlas_status
atlas_stream(struct atlas_engine *e, const struct atlas_program *p,
	     const struct atlas_stream_binding *b, size_t nbind,
	     const struct atlas_stream_options *opts,
	     struct atlas_stream_stats *stats, struct atlas_error *err)
{
	struct stream_arr in[STREAM_MAX_PARAMS], out[STREAM_MAX_PARAMS];
	struct atlas_stream_stats dummy;
	size_t nin = 0, nout = 0;
	enum atlas_status rc;
	size_t chunk_lanes = 65536;

	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof *stats);
	if (program_check_nargs(p, nbind, STREAM_MAX_PARAMS, err))
		return ATLAS_ERR_ARG;
	rc = setup(p, b, chunk_lanes, in, &nin, out, &nout, err);
	if (rc == ATLAS_OK)
		rc = run_chunks(e, p, b, chunk_lanes, in, nin, out, nout,
				opts ? opts->state : NULL, stats, err);
	for (size_t i = 0; i < nin; i++)
		free(in[i].buf);
	for (size_t i = 0; i < nout; i++)
		free(out[i].buf);
	return rc;
}

int atlas_program_streams(const struct atlas_program *p)
{
	size_t arrays = 0, element = 0, any = 0;

	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		if (q->kind != ATLAS_PARAM_ARRAY)
			continue;
		if (q->use == ATLAS_USE_INOUT)
			return 0;
		arrays++;
		element += q->access == ATLAS_ACCESS_ELEMENT;
		any += q->access == ATLAS_ACCESS_ANY;
	}
	/* a program that declares no access class at all is taken to be
	   element-wise, as hand-written ones were before the analysis: a
	   lane that strays outside its chunk faults, it never reads wrong
	   data */
	return element == arrays || any == arrays;
}
