/*
 * program.c - building, inspecting and freeing programs; the public
 * parse/write entry points that pick a reader or writer.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

static const char *const status_text[] = {
	[ATLAS_OK] = "success",
	[ATLAS_ERR_NOMEM] = "out of memory",
	[ATLAS_ERR_IO] = "input/output error",
	[ATLAS_ERR_PARSE] = "malformed program",
	[ATLAS_ERR_VERIFY] = "program rejected by the verifier",
	[ATLAS_ERR_EXEC] = "execution error",
	[ATLAS_ERR_ARG] = "invalid argument",
	[ATLAS_ERR_LIMIT] = "limit exceeded",
	[ATLAS_ERR_UNSUPPORTED] = "unsupported operation",
	[ATLAS_ERR_INPUT] = "malformed input data",
};

const char *atlas_strerror(enum atlas_status code)
{
	if ((unsigned)code < sizeof status_text / sizeof status_text[0])
		return status_text[code];
	return "unknown status";
}

const char *atlas_version(void)
{
	return ATLAS_VERSION;
}

void atlas_error_set(struct atlas_error *err, enum atlas_status code,
		     size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = code;
	err->errnum = 0;
	err->id[0] = '\0';
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

enum atlas_status error_tag(enum atlas_status st, struct atlas_error *err,
			    const char *id)
{
	if (st != ATLAS_OK && st != ATLAS_ERR_NOMEM && err && !err->id[0])
		snprintf(err->id, sizeof err->id, "%s", id);
	return st;
}

/* Grow *arr (of elem-sized items) so that it holds at least n+1 items. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / elem)
		return -1;
	q = realloc(*arr, ncap * elem);
	if (!q)
		return -1;
	*arr = q;
	*cap = ncap;
	return 0;
}

struct atlas_program *program_new(const char *name)
{
	struct atlas_program *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	if (program_set_name(p, name ? name : "") != ATLAS_OK) {
		free(p);
		return NULL;
	}
	atlas_metadata_init(&p->meta, NULL);
	return p;
}

enum atlas_status program_set_name(struct atlas_program *p, const char *name)
{
	char *s = strdup(name);

	if (!s)
		return ATLAS_ERR_NOMEM;
	free(p->name);
	p->name = s;
	return ATLAS_OK;
}

enum atlas_status program_add_param(struct atlas_program *p, const char *name,
				    enum atlas_param_kind kind,
				    enum atlas_type type,
				    enum atlas_param_use use, unsigned reg,
				    struct atlas_error *err)
{
	struct isa_param *q;
	unsigned handle = 0;

	for (size_t i = 0; i < p->nparams; i++) {
		if (strcmp(p->params[i].name, name) == 0) {
			atlas_error_set(err, ATLAS_ERR_PARSE, 0, 0,
					"duplicate parameter '%s'", name);
			return ATLAS_ERR_PARSE;
		}
		if (p->params[i].kind == ATLAS_PARAM_ARRAY)
			handle++;
	}
	if (grow((void **)&p->params, &p->params_cap, p->nparams, sizeof *q))
		goto nomem;
	q = &p->params[p->nparams];
	memset(q, 0, sizeof *q);
	q->name = strdup(name);
	if (!q->name)
		goto nomem;
	q->kind = kind;
	q->type = type;
	q->use = use;
	q->reg = (uint16_t)(reg > 0xffff ? 0xffff : reg);
	q->handle = kind == ATLAS_PARAM_ARRAY ? (uint16_t)(handle + 1) : 0;
	q->access = ATLAS_ACCESS_ANY;
	q->record_param = -1;
	p->nparams++;
	p->verified = 0;
	return ATLAS_OK;
nomem:
	atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

const char *const program_access_names[5] = {"any", "element", "record",
					     "resident", "reduction"};

enum atlas_status program_set_access(struct atlas_program *p, size_t param,
				     enum atlas_access cls, uint64_t record_len,
				     long record_param, struct atlas_error *err)
{
	struct isa_param *q;
	const struct isa_param *k;

	if (param >= p->nparams) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0, "no parameter %zu",
				param);
		return ATLAS_ERR_ARG;
	}
	q = &p->params[param];
	if ((unsigned)cls > ATLAS_ACCESS_REDUCTION) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"invalid access class %u", (unsigned)cls);
		return ATLAS_ERR_ARG;
	}
	if (cls != ATLAS_ACCESS_ANY && q->kind != ATLAS_PARAM_ARRAY) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"access '%s' needs an array parameter",
				program_access_names[cls]);
		return ATLAS_ERR_ARG;
	}
	if (cls == ATLAS_ACCESS_REDUCTION) {
		if (record_param != -1) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"reduction length must be a constant");
			return ATLAS_ERR_ARG;
		}
		if (record_len > PROGRAM_RECORD_MAX) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"reduction length %" PRIu64
					" out of range (1 to %" PRIu64 ")",
					record_len, PROGRAM_RECORD_MAX);
			return ATLAS_ERR_ARG;
		}
	} else if (cls != ATLAS_ACCESS_RECORD) {
		if (record_len != 0 || record_param != -1) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"record length given for access '%s'",
					program_access_names[cls]);
			return ATLAS_ERR_ARG;
		}
	} else if (record_param >= 0) {
		if (record_len != 0) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"record length given twice");
			return ATLAS_ERR_ARG;
		}
		if ((size_t)record_param >= p->nparams) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"no parameter %ld", record_param);
			return ATLAS_ERR_ARG;
		}
		k = &p->params[record_param];
		if (k->kind != ATLAS_PARAM_SCALAR) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"record length '%s' is not a scalar "
					"parameter",
					k->name);
			return ATLAS_ERR_ARG;
		}
		if (!isa_type_is_int(k->type)) {
			atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
					"record length '%s' must have an "
					"integer type",
					k->name);
			return ATLAS_ERR_ARG;
		}
	} else if (record_param != -1 || record_len < 1 ||
		   record_len > PROGRAM_RECORD_MAX) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"record length %" PRIu64
				" out of range (1 to %" PRIu64 ")",
				record_len, PROGRAM_RECORD_MAX);
		return ATLAS_ERR_ARG;
	}
	q->access = cls;
	q->record_len = record_len;
	q->record_param = record_param;
	return ATLAS_OK;
}

/* FNV-1a: label names are short. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void index_insert(struct atlas_program *p, size_t label)
{
	size_t mask = p->label_index_cap - 1;
	size_t i = name_hash(p->labels[label].name) & mask;

	while (p->label_index[i])
		i = (i + 1) & mask;
	p->label_index[i] = (uint32_t)label + 1;
}

enum atlas_status program_label_reindex(struct atlas_program *p)
{
	size_t cap = 64;
	uint32_t *q;

	while (cap < 2 * (p->nlabels + 1))
		cap *= 2;
	q = calloc(cap, sizeof *q);
	if (!q)
		return ATLAS_ERR_NOMEM;
	free(p->label_index);
	p->label_index = q;
	p->label_index_cap = cap;
	for (size_t i = 0; i < p->nlabels; i++)
		index_insert(p, i);
	return ATLAS_OK;
}

long program_label_ref(struct atlas_program *p, const char *name)
{
	struct isa_label *l;
	size_t i, mask;

	if (p->label_index_cap < 2 * (p->nlabels + 1) &&
	    program_label_reindex(p) != ATLAS_OK)
		return -1;
	mask = p->label_index_cap - 1;
	for (i = name_hash(name) & mask; p->label_index[i]; i = (i + 1) & mask)
		if (strcmp(p->labels[p->label_index[i] - 1].name, name) == 0)
			return (long)p->label_index[i] - 1;
	if (grow((void **)&p->labels, &p->labels_cap, p->nlabels, sizeof *l))
		return -1;
	l = &p->labels[p->nlabels];
	memset(l, 0, sizeof *l);
	l->name = strdup(name);
	if (!l->name)
		return -1;
	p->label_index[i] = (uint32_t)p->nlabels + 1;
	return (long)p->nlabels++;
}

enum atlas_status program_label_define(struct atlas_program *p,
				       const char *name,
				       struct atlas_error *err)
{
	long i = program_label_ref(p, name);
	struct isa_label *l;

	if (i < 0) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	l = &p->labels[i];
	if (l->defined) {
		atlas_error_set(err, ATLAS_ERR_PARSE, 0, 0,
				"program error: duplicate label '%s' at "
				"instruction %zu",
				name, p->ninsns);
		return ATLAS_ERR_PARSE;
	}
	l->defined = 1;
	l->target = (uint32_t)p->ninsns;
	p->verified = 0;
	return ATLAS_OK;
}

enum atlas_status program_emit(struct atlas_program *p,
			       const struct isa_insn *insn)
{
	if (p->ninsns >= ISA_MAX_INSNS)
		return ATLAS_ERR_LIMIT;
	if (grow((void **)&p->insns, &p->insns_cap, p->ninsns, sizeof *insn))
		return ATLAS_ERR_NOMEM;
	p->insns[p->ninsns++] = *insn;
	p->verified = 0;
	return ATLAS_OK;
}

void atlas_program_free(struct atlas_program *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nparams; i++)
		free(p->params[i].name);
	for (size_t i = 0; i < p->nlabels; i++)
		free(p->labels[i].name);
	free(p->params);
	free(p->labels);
	free(p->label_index);
	free(p->insns);
	free(p->name);
	free(p);
}

const char *atlas_program_name(const struct atlas_program *p)
{
	return p->name;
}

size_t atlas_program_length(const struct atlas_program *p)
{
	return p->ninsns;
}

size_t atlas_program_param_count(const struct atlas_program *p)
{
	return p->nparams;
}

int atlas_program_param(const struct atlas_program *p, size_t i,
			struct atlas_param_info *info)
{
	const struct isa_param *q;

	if (i >= p->nparams)
		return -1;
	q = &p->params[i];
	info->name = q->name;
	info->kind = q->kind;
	info->type = q->type;
	info->use = q->use;
	info->reg = q->reg;
	info->handle = q->handle;
	info->access = q->access;
	info->record_len = q->access == ATLAS_ACCESS_RECORD ? q->record_len : 0;
	info->record_param = q->record_param;
	info->reduction_len =
		q->access == ATLAS_ACCESS_REDUCTION ? q->record_len : 0;
	return 0;
}

long atlas_program_param_find(const struct atlas_program *p, const char *name)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strcmp(p->params[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* One kernel, through the compiler (compile.c), which reads every source. */
enum atlas_status atlas_program_parse(const char *text, size_t len,
				      enum atlas_format fmt,
				      struct atlas_program **out,
				      struct atlas_error *err)
{
	static const enum atlas_source src[] = {
		[ATLAS_FORMAT_AUTO] = ATLAS_SOURCE_AUTO,
		[ATLAS_FORMAT_ASM] = ATLAS_SOURCE_ASM,
		[ATLAS_FORMAT_JSON] = ATLAS_SOURCE_JSON};

	if ((unsigned)fmt >= sizeof src / sizeof src[0]) {
		*out = NULL;
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0, "unknown format %d",
				(int)fmt);
		return ATLAS_ERR_ARG;
	}
	return atlas_program_parse_named(text, len, src[fmt], NULL, out, err);
}

char *atlas_program_write(const struct atlas_program *p, enum atlas_format fmt,
			  struct atlas_error *err)
{
	char *s = fmt == ATLAS_FORMAT_JSON ? json_write(p) : asm_write(p);

	if (!s)
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return s;
}

struct atlas_program *atlas_program_new(const char *name)
{
	return program_new(name);
}

enum atlas_status atlas_program_add_param(struct atlas_program *p,
					  const char *name,
					  enum atlas_param_kind kind,
					  enum atlas_type type,
					  enum atlas_param_use use,
					  unsigned reg, struct atlas_error *err)
{
	if (p->ninsns) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"parameter '%s' added after the first "
				"instruction",
				name);
		return ATLAS_ERR_ARG;
	}
	return program_add_param(p, name, kind, type, use, reg, err);
}

enum atlas_status atlas_program_append(struct atlas_program *p,
				       const char *text,
				       struct atlas_error *err)
{
	return error_tag(asm_append(p, text, strlen(text), err), err,
			 "asm-syntax");
}

enum atlas_status atlas_program_verify(struct atlas_program *p,
				       struct atlas_error *err)
{
	return program_verify(p, err);
}

enum atlas_status program_check_nargs(const struct atlas_program *p,
				      size_t nargs, size_t max,
				      struct atlas_error *err)
{
	if (nargs == p->nparams && nargs <= max)
		return ATLAS_OK;
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
			"kernel '%s' takes %zu arguments, got %zu", p->name,
			p->nparams, nargs);
	return ATLAS_ERR_ARG;
}
