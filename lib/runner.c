/*
 * runner.c - what a command that runs kernels needs before the run:
 * loading the kernel its command line names, and binding its NAME=VALUE
 * operands and the standard input and output to the parameters.  Kept
 * out of cmd/atlas-run.c so that the command stays a thin shell (STYLE
 * rule 2); the messages are atlas-run's.
 *
 * Binding is in two steps.  atlas_bind_operand opens the files the
 * operands name, output files without truncating them; atlas_bind_stdio
 * then gives the standard input and output to the arrays left unbound,
 * checks that every parameter that needs a value has one and that no
 * output is the file of another binding, and only then truncates the
 * output files, so that "atlas-run relu a=x b=x" fails with x intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "program.h"

#define KERNEL_MAX ((uint64_t)64 << 20) /* largest kernel file */
#define PIPE_SIZE (1 << 20) /* what atlas_run_kernel grows pipes to */

/* The names of the kernels v[0..n) (or parameters), ", "-separated. */
static void list_names(char *buf, size_t cap, const char *const *names,
		       size_t n)
{
	size_t m = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < n && m < cap; k++)
		m += (size_t)snprintf(buf + m, cap - m, "%s%s", k ? ", " : "",
				      names[k]);
}

/* Read and compile the file at path: every kernel in it. */
static enum atlas_status compile_file(const char *path,
				      struct atlas_program ***v, size_t *n,
				      struct atlas_error *err)
{
	struct atlas_error e;
	enum atlas_status rc;
	size_t len;
	char *text;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: %s", path,
				strerror(errno));
		return ATLAS_ERR_IO;
	}
	rc = atlas_read_all(fd, KERNEL_MAX, &text, &len, &e);
	close(fd);
	if (rc == ATLAS_OK) {
		rc = atlas_compile(text, len, atlas_source_of_path(path), v, n,
				   &e);
		free(text);
	}
	if (rc != ATLAS_OK && e.line)
		atlas_error_set(err, rc, 0, 0, "%s:%zu:%zu: %s", path, e.line,
				e.col, e.msg);
	else if (rc != ATLAS_OK)
		atlas_error_set(err, rc, 0, 0, "%s: %s", path, e.msg);
	return rc;
}

enum atlas_status atlas_kernel_load(const char *kernel, const char *name,
				    struct atlas_program **out, char **path,
				    struct atlas_error *err)
{
	const size_t klen = strlen(kernel);
	const char *names[64];
	struct atlas_program **v;
	enum atlas_status rc;
	char list[512];
	size_t n, i = 0;

	*out = NULL;
	*path = NULL;
	if (klen > 3 && strcmp(kernel + klen - 3, ".py") == 0) {
		if (!(*path = strdup(kernel))) {
			atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0,
					"out of memory");
			return ATLAS_ERR_NOMEM;
		}
	} else if ((rc = atlas_kernel_find(kernel, path, err)) != ATLAS_OK) {
		return rc;
	}
	if ((rc = compile_file(*path, &v, &n, err)) != ATLAS_OK)
		return rc;
	for (size_t k = 0; k < n && k < 64; k++)
		names[k] = atlas_program_name(v[k]);
	list_names(list, sizeof list, names, n < 64 ? n : 64);
	while (name && i < n && strcmp(atlas_program_name(v[i]), name))
		i++;
	if (!name && n > 1)
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"%s holds kernels %s: choose one with -k NAME",
				*path, list);
	else if (i == n)
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"%s: no kernel '%s' (it has %s)", *path, name,
				list);
	else {
		*out = v[i];
		v[i] = NULL;
	}
	atlas_programs_free(v, n);
	return *out ? ATLAS_OK : ATLAS_ERR_ARG;
}

struct atlas_stream_binding *atlas_bindings_new(const struct atlas_program *p,
						struct atlas_error *err)
{
	struct atlas_stream_binding *b = calloc(p->nparams + 1, sizeof *b);

	if (!b) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < p->nparams + 1; i++)
		b[i].fd = b[i].out_fd = -1;
	return b;
}

/* "unknown parameter 'NAME' (kernel K takes A, B, C)" */
static enum atlas_status unknown(const struct atlas_program *p,
				 const char *name, struct atlas_error *err)
{
	const char *names[64];
	char list[1024];
	size_t n = p->nparams < 64 ? p->nparams : 64;

	for (size_t k = 0; k < n; k++)
		names[k] = p->params[k].name;
	list_names(list, sizeof list, names, n);
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
			"unknown parameter '%s' (kernel %s takes %s)", name,
			p->name, n ? list : "no parameters");
	return ATLAS_ERR_ARG;
}

/*
 * The "FMT:" prefix of the value of an array binding, FMT a format name:
 * set *f and return the rest; else v itself (a file called "text:x" is
 * bound as "./text:x").
 */
static const char *format_prefix(const char *v, enum atlas_data_format *f)
{
	const char *colon = strchr(v, ':');
	char fmt[8];

	if (!colon || colon - v >= (long)sizeof fmt)
		return v;
	memcpy(fmt, v, (size_t)(colon - v));
	fmt[colon - v] = '\0';
	return atlas_data_format_parse(fmt, f) == 0 ? colon + 1 : v;
}

enum atlas_status atlas_bind_operand(const struct atlas_program *p,
				     struct atlas_stream_binding *b,
				     const char *op, struct atlas_error *err)
{
	/* outputs are truncated by atlas_bind_stdio, after the checks */
	static const int flags[] = {[ATLAS_USE_IN] = O_RDONLY,
				    [ATLAS_USE_OUT] = O_WRONLY | O_CREAT,
				    [ATLAS_USE_INOUT] = O_RDWR};
	const char *v = strchr(op, '=');
	const struct isa_param *q;
	char name[256];
	long i;

	if (!v || v == op) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"invalid binding '%s' (expected name=value)",
				op);
		return ATLAS_ERR_ARG;
	}
	snprintf(name, sizeof name, "%.*s", (int)(v - op), op);
	v++;
	if ((i = atlas_program_param_find(p, name)) < 0)
		return unknown(p, name, err);
	q = &p->params[i];
	if (b[i].fd >= 0 || b[i].bound) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"parameter '%s' is bound twice", name);
		return ATLAS_ERR_ARG;
	}
	if (q->kind == ATLAS_PARAM_SCALAR) {
		struct atlas_error e;

		if (atlas_value_parse(v, q->type, &b[i].bits, &e)) {
			atlas_error_set(err, e.code, 0, 0, "%s: %s", name,
					e.msg);
			return e.code;
		}
		b[i].bound = 1;
		return ATLAS_OK;
	}
	v = format_prefix(v, &b[i].format);
	b[i].bound = 1;
	b[i].label = v;
	if (strcmp(v, "-") == 0) {
		b[i].fd = q->use == ATLAS_USE_OUT;
		b[i].out_fd = q->use == ATLAS_USE_INOUT ? 1 : -1;
		b[i].label = q->use == ATLAS_USE_OUT ? "standard output" :
						       "standard input";
	} else if ((b[i].fd = open(v, flags[q->use], 0666)) < 0) {
		atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: %s",
				*v ? v : "''", strerror(errno));
		return ATLAS_ERR_IO;
	} else if (q->use == ATLAS_USE_INOUT) {
		b[i].path = v; /* replaced at the end of a resident run */
	}
	return ATLAS_OK;
}

enum atlas_status program_check_bound(const struct atlas_program *p,
				      const struct atlas_stream_binding *b,
				      struct atlas_error *err)
{
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		if (q->kind == ATLAS_PARAM_ARRAY &&
		    (b[i].fd < 0 || (q->use == ATLAS_USE_INOUT && !b[i].path &&
				     b[i].out_fd < 0))) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"missing binding for array parameter "
					"'%s'",
					q->name);
			return ATLAS_ERR_ARG;
		}
		if (q->use == ATLAS_USE_VALUE && !b[i].bound) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"missing value for scalar parameter "
					"'%s'",
					q->name);
			return ATLAS_ERR_ARG;
		}
	}
	return ATLAS_OK;
}

/* One descriptor of a binding: fd, its name, and whether it is written. */
struct end {
	int fd, writes;
	const char *label;
	struct stat st;
};

/*
 * No file written through one binding may be read or written through
 * another: "OUT and IN are the same file".  Regular files only (two
 * bindings of /dev/null are fine).  An inout file is read whole before it
 * is replaced by rename, so it only counts as read.
 */
static enum atlas_status check_same(const struct atlas_program *p,
				    const struct atlas_stream_binding *b,
				    struct atlas_error *err)
{
	struct end *v = calloc(2 * p->nparams + 1, sizeof *v);
	enum atlas_status rc = ATLAS_OK;
	size_t n = 0;

	if (!v) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	for (size_t i = 0; i < p->nparams; i++) {
		const char *out = b[i].out_fd == 1 ? "standard output" :
						     b[i].label;

		if (p->params[i].kind != ATLAS_PARAM_ARRAY)
			continue;
		v[n++] = (struct end){b[i].fd,
				      p->params[i].use == ATLAS_USE_OUT,
				      b[i].label,
				      {0}};
		if (b[i].out_fd >= 0)
			v[n++] = (struct end){b[i].out_fd, 1, out, {0}};
	}
	for (size_t k = 0; k < n; k++)
		if (fstat(v[k].fd, &v[k].st) != 0 || !S_ISREG(v[k].st.st_mode))
			v[k].fd = -1;
	for (size_t k = 0; k < n && !rc; k++)
		for (size_t j = 0; j < n && !rc; j++)
			if (j != k && v[k].writes && v[k].fd >= 0 &&
			    v[j].fd >= 0 && (v[j].writes ? j > k : 1) &&
			    v[k].st.st_dev == v[j].st.st_dev &&
			    v[k].st.st_ino == v[j].st.st_ino) {
				atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
						"%s and %s are the same file",
						v[k].label, v[j].label);
				rc = ATLAS_ERR_ARG;
			}
	free(v);
	return rc;
}

/* atlas_bind_stdio with so standing for standard output (-o FILE). */
static enum atlas_status bind_stdio_to(const struct atlas_program *p,
				       struct atlas_stream_binding *b, int so,
				       struct atlas_error *err)
{
	long last[2] = {-1, -1}; /* the unbound array; -2: more than one */
	const char *user[2] = {NULL, NULL};
	enum atlas_status rc;

	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];
		const int k = q->use == ATLAS_USE_OUT;

		if (q->kind == ATLAS_PARAM_ARRAY && b[i].fd < 0)
			last[k] = last[k] == -1 ? (long)i : -2;
		/* "NAME=-" names standard output, which so stands for */
		if (k && b[i].fd == 1)
			b[i].fd = so;
		if (b[i].out_fd == 1)
			b[i].out_fd = so;
	}
	for (int k = 0; k < 2; k++)
		if (last[k] >= 0) {
			b[last[k]].fd = k ? so : 0;
			if (!b[last[k]].label)
				b[last[k]].label = k ? "standard output" :
						       "standard input";
			if (p->params[last[k]].use == ATLAS_USE_INOUT)
				b[last[k]].out_fd = so;
		}
	for (size_t i = 0; i < p->nparams * 2; i++) {
		int fd = i % 2 ? b[i / 2].out_fd : b[i / 2].fd;

		fd = fd == so ? 1 : fd;
		if (fd != 0 && fd != 1)
			continue;
		if (user[fd]) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"standard %s is bound to both '%s' and "
					"'%s'",
					fd ? "output" : "input", user[fd],
					p->params[i / 2].name);
			return ATLAS_ERR_ARG;
		}
		user[fd] = p->params[i / 2].name;
	}
	if ((rc = program_check_bound(p, b, err)) ||
	    (rc = check_same(p, b, err)))
		return rc;
	for (size_t i = 0; i < p->nparams; i++) {
		struct stat st;

		if (p->params[i].kind != ATLAS_PARAM_ARRAY ||
		    p->params[i].use != ATLAS_USE_OUT || b[i].fd <= 2 ||
		    fstat(b[i].fd, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (ftruncate(b[i].fd, 0) != 0) {
			const int e = errno;

			atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: %s",
					b[i].label, strerror(e));
			if (err)
				err->errnum = e;
			return ATLAS_ERR_IO;
		}
	}
	return ATLAS_OK;
}

enum atlas_status atlas_bind_stdio(const struct atlas_program *p,
				   struct atlas_stream_binding *b,
				   struct atlas_error *err)
{
	return bind_stdio_to(p, b, 1, err);
}

/*
 * -o FILE: opened (not truncated) before the defaults are bound, to stand
 * for standard output, so that the same-file check sees it; the arrays
 * that go there are named after it.  *fd: the descriptor, or 1.
 */
static enum atlas_status open_output(const struct atlas_program *p,
				     struct atlas_stream_binding *b,
				     const char *output, int *fd,
				     struct atlas_error *err)
{
	*fd = 1;
	if (!output)
		return ATLAS_OK;
	if ((*fd = open(output, O_WRONLY | O_CREAT, 0666)) < 0) {
		atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: %s", output,
				strerror(errno));
		return ATLAS_ERR_IO;
	}
	for (size_t i = 0; i < p->nparams; i++)
		if (p->params[i].kind == ATLAS_PARAM_ARRAY &&
		    p->params[i].use == ATLAS_USE_OUT && b[i].fd < 0)
			b[i].label = output;
	return ATLAS_OK;
}

/* After binding: -o has its array (else its descriptor is closed). */
static enum atlas_status check_output(const struct atlas_program *p,
				      const struct atlas_stream_binding *b,
				      const char *output, int fd,
				      struct atlas_error *err)
{
	struct stat st;
	size_t i = 0;

	if (!output)
		return ATLAS_OK;
	while (i < p->nparams && b[i].out_fd != fd && b[i].fd != fd)
		i++;
	if (i == p->nparams) {
		close(fd);
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"-o %s: no output array is left to write there",
				output);
		return ATLAS_ERR_ARG;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    ftruncate(fd, 0) != 0) {
		atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: %s", output,
				strerror(errno));
		return ATLAS_ERR_IO;
	}
	return ATLAS_OK;
}

/*
 * The descriptor fd 0 or 1 of one end of a binding (i / 2: the binding;
 * odd i: its out_fd), else -1.
 */
static int stdio_end(const struct atlas_stream_binding *b, size_t i)
{
	const int fd = i % 2 ? b[i / 2].out_fd : b[i / 2].fd;

	return fd == 0 || fd == 1 ? fd : -1;
}

/* fd 0 and 1 as binary arrays: never a terminal without -f. */
static enum atlas_status check_terminals(const struct atlas_program *p,
					 const struct atlas_stream_binding *b,
					 struct atlas_error *err)
{
	for (size_t i = 0; i < 2 * p->nparams; i++) {
		const int fd = stdio_end(b, i);

		if (fd >= 0 && b[i / 2].format != ATLAS_DATA_TEXT &&
		    isatty(fd)) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"refusing to %s binary data %s a "
					"terminal (use -f to force)",
					fd ? "write" : "read",
					fd ? "to" : "from");
			return ATLAS_ERR_ARG;
		}
	}
	return ATLAS_OK;
}

/* Whether fd 0 or fd 1 serves an array and is not a regular file. */
static int stdio_pipe(const struct atlas_program *p,
		      const struct atlas_stream_binding *b)
{
	struct stat st;

	for (size_t i = 0; i < 2 * p->nparams; i++) {
		const int fd = stdio_end(b, i);

		if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)))
			return 1;
	}
	return 0;
}

/*
 * Apply --size spec to cl->sizes; the size of a streamed array is one
 * only a resident run has.
 */
static enum atlas_status apply_size(const struct atlas_program *p,
				    const char *spec,
				    struct atlas_command_line *cl,
				    struct atlas_error *err)
{
	struct atlas_error e;
	enum atlas_access a;
	char name[256];

	if (atlas_resident_size(p, spec, cl->sizes, &e)) {
		atlas_error_set(err, e.code, 0, 0, "--size: %s", e.msg);
		return e.code;
	}
	snprintf(name, sizeof name, "%.*s", (int)(strchr(spec, '=') - spec),
		 spec);
	a = p->params[atlas_program_param_find(p, name)].access;
	if (a == ATLAS_ACCESS_ELEMENT || a == ATLAS_ACCESS_RECORD ||
	    a == ATLAS_ACCESS_ANY)
		cl->resident = 1;
	return ATLAS_OK;
}

enum atlas_status atlas_bind_command_line(const struct atlas_program *p,
					  struct atlas_stream_binding *b,
					  char *const *ops, size_t nops,
					  struct atlas_command_line *cl,
					  struct atlas_error *err)
{
	enum atlas_status rc;
	struct atlas_topo topo;
	int so; /* what stands for standard output */

	if (!(cl->sizes = calloc(p->nparams + 1, sizeof *cl->sizes))) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	for (size_t k = 0; k < p->nparams; k++) {
		cl->sizes[k] = ATLAS_COUNT_UNSET;
		b[k].format = cl->format;
	}
	cl->resident = cl->lanes != ATLAS_COUNT_UNSET;
	for (size_t k = 0; k < cl->nsize_specs; k++)
		if ((rc = apply_size(p, cl->size_specs[k], cl, err)))
			return rc;
	for (size_t k = 0; k < nops; k++)
		if ((rc = atlas_bind_operand(p, b, ops[k], err)))
			return rc;
	if ((rc = open_output(p, b, cl->output, &so, err)) ||
	    (rc = bind_stdio_to(p, b, so, err)) ||
	    (rc = check_output(p, b, cl->output, so, err)) ||
	    (!cl->force && (rc = check_terminals(p, b, err))))
		return rc;
	/* the topology (some ms of hwloc) only when a default needs it */
	if (!cl->threads && stdio_pipe(p, b))
		cl->threads = 1;
	if (!cl->threads) {
		atlas_topo_get(&topo);
		cl->threads = topo.cores;
	}
	if (!cl->pool_size)
		cl->pool_size = atlas_pool_size_for(cl->threads);
	cl->resident |= !atlas_program_streams(p);
	return ATLAS_OK;
}

enum atlas_status atlas_run_kernel(const struct atlas_program *p,
				   const struct atlas_stream_binding *b,
				   const struct atlas_command_line *cl,
				   struct atlas_stream_stats *stats,
				   struct atlas_error *err)
{
	const struct atlas_engine_options eo = {.threads = cl->threads};
	const struct atlas_resident_options ro = {.lanes = cl->lanes,
						  .max_resident =
							  cl->max_resident,
						  .sizes = cl->sizes,
						  .state = cl->state};
	const struct atlas_stream_options so = {
		.pool_size = cl->pool_size,
		.max_resident = cl->max_resident,
		.sizes = cl->sizes,
		.state = cl->state,
		.progress = cl->progress,
		.progress_arg = cl->progress_arg};
	struct atlas_view *pool = cl->state ? &cl->state->boundary : NULL;
	struct atlas_engine *e;
	struct atlas_error e2;
	enum atlas_status rc;
	void *data = NULL;

	if (!(e = atlas_engine_new(&eo, &e2))) {
		atlas_error_set(err, e2.code, 0, 0, "%s", e2.msg);
		return e2.code;
	}
	if (cl->boundary &&
	    (rc = atlas_pool_file_map(cl->boundary, &data, &e2))) {
		atlas_error_set(err, rc, 0, 0, "%s: %s", cl->boundary, e2.msg);
		atlas_engine_free(e);
		return rc;
	}
	if (pool) {
		pool->data = data;
		pool->size = data ? ATLAS_POOL_BYTES : 0;
	}
	for (size_t i = 0; i < p->nparams; i++)
		if (b[i].fd >= 0)
			atlas_pipe_grow(b[i].fd, PIPE_SIZE);
	rc = cl->resident ?
		     atlas_resident_run(e, p, b, p->nparams, &ro, stats, err) :
		     atlas_stream(e, p, b, p->nparams, &so, stats, err);
	if (pool)
		pool->data = NULL;
	atlas_pool_file_unmap(data);
	atlas_engine_free(e);
	return rc;
}

enum atlas_status atlas_bindings_close(const struct atlas_program *p,
				       struct atlas_stream_binding *b,
				       struct atlas_error *err)
{
	enum atlas_status rc = ATLAS_OK;

	for (size_t i = 0; i < p->nparams; i++) {
		if (b[i].fd <= 2)
			continue;
		if (close(b[i].fd) != 0 && p->params[i].use != ATLAS_USE_IN &&
		    !rc) {
			const int e = errno;

			atlas_error_set(err, ATLAS_ERR_IO, 0, 0,
					"%s: write error: %s", b[i].label,
					strerror(e));
			if (err)
				err->errnum = e;
			rc = ATLAS_ERR_IO;
		}
		b[i].fd = -1;
	}
	return rc;
}
