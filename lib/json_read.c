/*
 * json_read.c - the JSON program reader (man 5 atlas-kernel).
 *
 * cJSON builds the tree, but it keeps no source positions, so the text is
 * first checked by a small validating scanner of our own (which gives
 * syntax errors a precise place and message), and schema errors are
 * placed by walking the text again along the path to the offending value.
 * The same scanner steps through the instruction array once to give every
 * instruction its line and column.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "json_scan.h"
#include "program.h"
#include "text_util.h"

/* ---- the schema reader -------------------------------------------------- */

struct jr {
	const char *text;
	size_t len;
	struct atlas_error *err;
	struct atlas_program *p;
	char where[64];	      /* "instructions[3]" or "" at the top level */
	const cJSON *obj;     /* the object being read */
	size_t off;	      /* its offset in text */
	struct records *recs; /* {"record": NAME} lengths to resolve */
};

/* {"record": NAME} of params[param], resolved once all params are read. */
struct record_ref {
	size_t param;
	const char *name; /* in the cJSON tree */
	size_t off;	  /* of the name's string */
};

struct records {
	struct record_ref *v;
	size_t n, cap;
};

static size_t child_index(const cJSON *parent, const cJSON *child)
{
	size_t k = 0;

	for (const cJSON *c = parent->child; c && c != child; c = c->next)
		k++;
	return k;
}

__attribute__((format(printf, 3, 4))) static enum atlas_status
jfail(struct jr *r, size_t off, const char *fmt, ...)
{
	char msg[sizeof r->err->msg];
	size_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	text_linecol(r->text, off < r->len ? off : r->len, &line, &col);
	if (r->where[0])
		atlas_error_set(r->err, ATLAS_ERR_PARSE, line, col, "%s: %s",
				r->where, msg);
	else
		atlas_error_set(r->err, ATLAS_ERR_PARSE, line, col, "%s", msg);
	return ATLAS_ERR_PARSE;
}

static enum atlas_status jnomem(struct jr *r)
{
	atlas_error_set(r->err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

/* Offset of a member of the current object (its value, or its key). */
static size_t member_off(const struct jr *r, const cJSON *item, int key)
{
	return js_child(r->text, r->len, r->off, child_index(r->obj, item),
			key);
}

/* Offset of child sub of the current object's member item. */
static size_t sub_off(const struct jr *r, const cJSON *item, const cJSON *sub)
{
	return js_child(r->text, r->len, member_off(r, item, 0),
			child_index(item, sub), 0);
}

#define TRY(x)                                                                 \
	do {                                                                   \
		enum atlas_status st_ = (x);                                   \
		if (st_ != ATLAS_OK)                                           \
			return st_;                                            \
	} while (0)

/* Every key of the current object is one of keys[], and only once. */
static enum atlas_status check_keys(struct jr *r, const char *const *keys,
				    size_t nkeys)
{
	for (const cJSON *c = r->obj->child; c; c = c->next) {
		size_t k;

		for (k = 0; k < nkeys; k++)
			if (strcmp(keys[k], c->string) == 0)
				break;
		if (k == nkeys)
			return jfail(r, member_off(r, c, 1), "unknown key '%s'",
				     c->string);
		for (const cJSON *d = r->obj->child; d != c; d = d->next)
			if (strcmp(d->string, c->string) == 0)
				return jfail(r, member_off(r, c, 1),
					     "duplicate key '%s'", c->string);
	}
	return ATLAS_OK;
}

static enum atlas_status get(struct jr *r, const char *key, const cJSON **item)
{
	*item = cJSON_GetObjectItemCaseSensitive(r->obj, key);
	if (!*item)
		return jfail(r, r->off, "missing key '%s'", key);
	return ATLAS_OK;
}

static enum atlas_status get_str(struct jr *r, const char *key,
				 const cJSON **item)
{
	TRY(get(r, key, item));
	if (!cJSON_IsString(*item))
		return jfail(r, member_off(r, *item, 0),
			     "'%s' must be a string", key);
	return ATLAS_OK;
}

/* A JSON number that is an integer in [lo, hi] (|bounds| <= 2^53). */
static int int_in(const cJSON *item, double lo, double hi, double *v)
{
	if (!cJSON_IsNumber(item))
		return 0;
	*v = item->valuedouble;
	return *v == floor(*v) && *v >= lo && *v <= hi;
}

#define SAFE_MAX 9007199254740992.0 /* 2^53 */

static enum atlas_status get_uint(struct jr *r, const char *key, double max,
				  uint64_t *out)
{
	const cJSON *item;
	double v;

	TRY(get(r, key, &item));
	if (!int_in(item, 0, max, &v))
		return jfail(r, member_off(r, item, 0),
			     "'%s' must be an integer from 0 to %.0f", key,
			     max);
	*out = (uint64_t)v;
	return ATLAS_OK;
}

static enum atlas_status get_reg(struct jr *r, const char *key, int pred,
				 uint16_t *out)
{
	uint64_t v;

	TRY(get_uint(r, key, pred ? 0xfffe : 0xffff, &v));
	*out = (uint16_t)v;
	return ATLAS_OK;
}

/* A string member looked up in a table of names; what names it. */
static enum atlas_status get_name(struct jr *r, const char *key,
				  const char *const *names, int n,
				  const char *what, int *out)
{
	const cJSON *item;

	TRY(get_str(r, key, &item));
	*out = isa_name_find(names, n, item->valuestring);
	if (*out < 0)
		return jfail(r, member_off(r, item, 0), "unknown %s '%s'", what,
			     item->valuestring);
	return ATLAS_OK;
}

static enum atlas_status get_type(struct jr *r, const char *key, uint8_t *out)
{
	const cJSON *item;
	enum atlas_type t;

	TRY(get_str(r, key, &item));
	if (atlas_type_parse(item->valuestring, &t) < 0)
		return jfail(r, member_off(r, item, 0), "unknown type '%s'",
			     item->valuestring);
	*out = (uint8_t)t;
	return ATLAS_OK;
}

/* Step into the object member item (already known to be an object). */
static void enter(struct jr *r, struct jr *saved, const cJSON *item,
		  const char *name)
{
	const size_t off = member_off(r, item, 0);

	*saved = *r;
	snprintf(r->where, sizeof r->where, "%.40s%s%.16s", saved->where,
		 saved->where[0] ? "." : "", name);
	r->obj = item;
	r->off = off;
}

/* ---- params and labels -------------------------------------------------- */

static const char *const param_keys[] = {"name", "kind",     "type",
					 "use",	 "register", "access"};
static const char *const access_keys[] = {"record", "reduction"};

/* {"record": K} or {"record": NAME}: the current object. */
static enum atlas_status read_record(struct jr *r, size_t param)
{
	const cJSON *rec;
	struct records *rs = r->recs;
	struct record_ref *q;
	double v;

	TRY(get(r, "record", &rec));
	if (cJSON_IsString(rec) &&
	    text_is_ident(rec->valuestring, strlen(rec->valuestring), 0)) {
		if (rs->n == rs->cap) {
			const size_t ncap = rs->cap ? 2 * rs->cap : 8;

			q = realloc(rs->v, ncap * sizeof *q);
			if (!q)
				return jnomem(r);
			rs->v = q;
			rs->cap = ncap;
		}
		rs->v[rs->n++] = (struct record_ref){param, rec->valuestring,
						     member_off(r, rec, 0)};
		return ATLAS_OK;
	}
	if (!int_in(rec, 1, SAFE_MAX, &v))
		return jfail(r, member_off(r, rec, 0),
			     "'record' must be an integer from 1 to %.0f or a "
			     "parameter name",
			     SAFE_MAX);
	return program_set_access(r->p, param, ATLAS_ACCESS_RECORD, (uint64_t)v,
				  -1, r->err);
}

/* {"reduction": N}: the current object. */
static enum atlas_status read_reduction(struct jr *r, size_t param)
{
	const cJSON *len;
	double v;

	TRY(get(r, "reduction", &len));
	if (!int_in(len, 1, SAFE_MAX, &v))
		return jfail(r, member_off(r, len, 0),
			     "'reduction' must be an integer from 1 to %.0f",
			     SAFE_MAX);
	return program_set_access(r->p, param, ATLAS_ACCESS_REDUCTION,
				  (uint64_t)v, -1, r->err);
}

/* {"record": ...} or {"reduction": N}: the current object. */
static enum atlas_status read_access_object(struct jr *r, size_t param)
{
	const cJSON *red, *rec;

	TRY(check_keys(r, access_keys, 2));
	red = cJSON_GetObjectItemCaseSensitive(r->obj, "reduction");
	rec = cJSON_GetObjectItemCaseSensitive(r->obj, "record");
	if (red && rec) {
		const cJSON *later = child_index(r->obj, red) >
						     child_index(r->obj, rec) ?
					     red :
					     rec;

		return jfail(r, member_off(r, later, 1),
			     "'record' and 'reduction' exclude each other");
	}
	return red ? read_reduction(r, param) : read_record(r, param);
}

/* The optional "access" of the parameter just added (index param). */
static enum atlas_status read_access(struct jr *r, size_t param)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->obj, "access");
	const int array = r->p->params[param].kind == ATLAS_PARAM_ARRAY;
	struct jr saved;
	size_t off;
	int cls;

	if (!item)
		return ATLAS_OK;
	off = member_off(r, item, 0);
	if (cJSON_IsObject(item)) {
		if (!array)
			return jfail(r, off,
				     "access '%s' needs an array parameter",
				     cJSON_GetObjectItemCaseSensitive(
					     item, "reduction") ?
					     "reduction" :
					     "record");
		enter(r, &saved, item, "access");
		TRY(read_access_object(r, param));
		*r = saved;
		return ATLAS_OK;
	}
	if (!cJSON_IsString(item))
		return jfail(r, off, "'access' must be a string or an object");
	cls = isa_name_find(program_access_names, 5, item->valuestring);
	if (cls <= (int)ATLAS_ACCESS_ANY)
		return jfail(r, off, "unknown access class '%s'",
			     item->valuestring);
	if (!array)
		return jfail(r, off, "access '%s' needs an array parameter",
			     item->valuestring);
	if (cls == ATLAS_ACCESS_RECORD)
		return jfail(r, off, "access 'record' needs a length");
	return program_set_access(r->p, param, (enum atlas_access)cls, 0, -1,
				  r->err);
}

/* Give each {"record": NAME} its parameter, now that all are read. */
static enum atlas_status resolve_records(struct jr *r)
{
	const struct records *rs = r->recs;

	for (size_t i = 0; i < rs->n; i++) {
		const struct record_ref *q = &rs->v[i];
		const long k = atlas_program_param_find(r->p, q->name);
		struct atlas_error e;

		snprintf(r->where, sizeof r->where, "params[%zu].access",
			 q->param);
		if (k < 0 || r->p->params[k].kind != ATLAS_PARAM_SCALAR)
			return jfail(r, q->off,
				     "record length '%s' is not a scalar "
				     "parameter",
				     q->name);
		if (program_set_access(r->p, q->param, ATLAS_ACCESS_RECORD, 0,
				       k, &e) != ATLAS_OK)
			return jfail(r, q->off, "%s", e.msg);
	}
	r->where[0] = '\0';
	return ATLAS_OK;
}

static enum atlas_status read_param(struct jr *r, size_t line, size_t col)
{
	const cJSON *name;
	int kind, use;
	uint8_t type;
	uint16_t reg;
	struct atlas_error e;
	enum atlas_status st;

	TRY(check_keys(r, param_keys, 6));
	TRY(get_str(r, "name", &name));
	if (!text_is_ident(name->valuestring, strlen(name->valuestring), 0))
		return jfail(r, member_off(r, name, 0),
			     "invalid parameter name '%s'", name->valuestring);
	TRY(get_name(r, "kind", text_kind_names, 2, "parameter kind", &kind));
	TRY(get_type(r, "type", &type));
	TRY(get_name(r, "use", text_use_names, 5, "parameter use", &use));
	if (kind == ATLAS_PARAM_ARRAY && use > ATLAS_USE_INOUT)
		return jfail(r,
			     member_off(r,
					cJSON_GetObjectItemCaseSensitive(r->obj,
									 "use"),
					0),
			     "use '%s' needs a scalar parameter",
			     text_use_names[use]);
	if (kind == ATLAS_PARAM_SCALAR && use <= ATLAS_USE_INOUT)
		return jfail(r,
			     member_off(r,
					cJSON_GetObjectItemCaseSensitive(r->obj,
									 "use"),
					0),
			     "use '%s' needs an array parameter",
			     text_use_names[use]);
	TRY(get_reg(r, "register", 0, &reg));
	st = program_add_param(r->p, name->valuestring,
			       (enum atlas_param_kind)kind,
			       (enum atlas_type)type, (enum atlas_param_use)use,
			       reg, &e);
	if (st == ATLAS_ERR_PARSE)
		return jfail(r, member_off(r, name, 0), "%s", e.msg);
	if (st != ATLAS_OK)
		return jnomem(r);
	r->p->params[r->p->nparams - 1].line = (uint32_t)line;
	r->p->params[r->p->nparams - 1].col = (uint32_t)col;
	return read_access(r, r->p->nparams - 1);
}

static const char *const label_keys[] = {"name", "target"};

static enum atlas_status read_label(struct jr *r, size_t line, size_t col)
{
	const cJSON *name;
	const size_t before = r->p->nlabels;
	uint64_t target;
	long i;

	TRY(check_keys(r, label_keys, 2));
	TRY(get_str(r, "name", &name));
	if (!text_is_ident(name->valuestring, strlen(name->valuestring), 1))
		return jfail(r, member_off(r, name, 0),
			     "invalid label name '%s'", name->valuestring);
	TRY(get_uint(r, "target", UINT32_MAX, &target));
	i = program_label_ref(r->p, name->valuestring);
	if (i < 0)
		return jnomem(r);
	if ((size_t)i < before)
		return jfail(r, member_off(r, name, 0), "duplicate label '%s'",
			     name->valuestring);
	r->p->labels[i].defined = 1;
	r->p->labels[i].target = (uint32_t)target;
	r->p->labels[i].line = (uint32_t)line;
	r->p->labels[i].col = (uint32_t)col;
	return ATLAS_OK;
}

/* ---- instructions ------------------------------------------------------- */

static enum atlas_status read_addr(struct jr *r, struct isa_addr *a)
{
	static const char *const modes[] = {"buf", "phi", "reg", "regreg"};
	static const char *const keys[4][4] = {
		{"mode", "handle", "offset"},
		{"mode", "class", "page", "byte"},
		{"mode", "base", "offset"},
		{"mode", "base", "index"},
	};
	static const size_t nkeys[4] = {3, 4, 3, 3};
	const cJSON *item;
	struct jr saved;
	uint64_t v;
	double d;
	int mode;

	memset(a, 0, sizeof *a);
	TRY(get(r, "addr", &item));
	if (!cJSON_IsObject(item))
		return jfail(r, member_off(r, item, 0),
			     "'addr' must be an object");
	enter(r, &saved, item, "addr");
	TRY(get_name(r, "mode", modes, 4, "address mode", &mode));
	TRY(check_keys(r, keys[mode], nkeys[mode]));
	a->mode = (uint8_t)mode;
	switch (mode) {
	case ADDR_BUF:
		TRY(get_uint(r, "handle", UINT32_MAX, &a->handle));
		TRY(get_uint(r, "offset", SAFE_MAX, &v));
		a->offset = (int64_t)v;
		break;
	case ADDR_PHI:
		TRY(get_uint(r, "class", UINT32_MAX, &v));
		a->cls = (uint32_t)v;
		TRY(get_uint(r, "page", UINT32_MAX, &v));
		a->page = (uint32_t)v;
		TRY(get_uint(r, "byte", UINT32_MAX, &v));
		a->byte = (uint32_t)v;
		break;
	case ADDR_REG:
		TRY(get_reg(r, "base", 0, &a->base));
		TRY(get(r, "offset", &item));
		if (!int_in(item, INT32_MIN, INT32_MAX, &d))
			return jfail(r, member_off(r, item, 0),
				     "'offset' must be an integer from "
				     "-2147483648 to 2147483647");
		a->offset = (int64_t)d;
		break;
	default:
		TRY(get_reg(r, "base", 0, &a->base));
		TRY(get_reg(r, "index", 0, &a->index));
		break;
	}
	*r = saved;
	return ATLAS_OK;
}

static enum atlas_status read_src(struct jr *r, unsigned n, uint16_t *src)
{
	const cJSON *item, *e;
	unsigned i = 0;
	double v;

	TRY(get(r, "src", &item));
	if (!cJSON_IsArray(item) || (unsigned)cJSON_GetArraySize(item) != n)
		return jfail(r, member_off(r, item, 0),
			     "'src' must be an array of %u register%s", n,
			     n == 1 ? "" : "s");
	cJSON_ArrayForEach(e, item)
	{
		if (!int_in(e, 0, 0xffff, &v))
			return jfail(r, sub_off(r, item, e),
				     "src[%u] must be an integer from 0 to "
				     "65535",
				     i);
		src[i++] = (uint16_t)v;
	}
	return ATLAS_OK;
}

static enum atlas_status read_label_ref(struct jr *r, size_t line, size_t col,
					uint32_t *out)
{
	const cJSON *item;
	long i;

	TRY(get_str(r, "label", &item));
	if (!text_is_ident(item->valuestring, strlen(item->valuestring), 1))
		return jfail(r, member_off(r, item, 0),
			     "invalid label name '%s'", item->valuestring);
	i = program_label_ref(r->p, item->valuestring);
	if (i < 0)
		return jnomem(r);
	if (!r->p->labels[i].defined && r->p->labels[i].line == 0) {
		r->p->labels[i].line = (uint32_t)line;
		r->p->labels[i].col = (uint32_t)col;
	}
	*out = (uint32_t)i;
	return ATLAS_OK;
}

static enum atlas_status read_imm(struct jr *r, const struct isa_insn *in,
				  enum isa_fmt f, uint64_t *out)
{
	const enum text_imm kind = text_imm_kind(f);
	const enum atlas_type t = kind == TI_F64 ? ATLAS_F64 :
						   (enum atlas_type)in->type;
	const char *tn = atlas_type_name(t);
	const uint64_t max = text_imm_max(f);
	const cJSON *item;
	enum text_lit res;
	char num[40];
	size_t off;

	TRY(get(r, "imm", &item));
	off = member_off(r, item, 0);
	if (cJSON_IsString(item)) {
		const char *s = item->valuestring;

		if (kind == TI_UINT)
			res = text_parse_uint(s, strlen(s), max, out);
		else
			res = text_parse_imm(s, strlen(s), t, out);
		if (res == LIT_SYNTAX)
			return jfail(r, off, "invalid immediate '%s'", s);
		if (res == LIT_RANGE && kind == TI_UINT)
			return jfail(r, off,
				     "immediate %s out of range (0 to %llu)", s,
				     (unsigned long long)max);
		if (res == LIT_RANGE)
			return jfail(r, off, "immediate %s out of range for %s",
				     s, tn);
		return ATLAS_OK;
	}
	if (!cJSON_IsNumber(item))
		return jfail(r, off, "'imm' must be a number or a string");
	text_format_double(num, sizeof num, item->valuedouble);
	if (kind == TI_UINT) {
		const double v = item->valuedouble;

		if (v != floor(v))
			return jfail(r, off, "invalid immediate %s", num);
		if (v < 0 || v > SAFE_MAX || v > (double)max)
			return jfail(r, off,
				     "immediate %s out of range (0 to %llu)",
				     num, (unsigned long long)max);
		*out = (uint64_t)v;
		return ATLAS_OK;
	}
	res = text_double_imm(item->valuedouble, t, out);
	if (res == LIT_SYNTAX)
		return jfail(r, off, "invalid immediate %s for %s", num, tn);
	if (res == LIT_RANGE && isa_type_is_int(t) &&
	    fabs(item->valuedouble) > SAFE_MAX)
		return jfail(r, off,
			     "immediate %s beyond 2^53 must be a string", num);
	if (res == LIT_RANGE)
		return jfail(r, off, "immediate %s out of range for %s", num,
			     tn);
	return ATLAS_OK;
}

static enum atlas_status read_insn(struct jr *r, size_t line, size_t col)
{
	const char *keys[12];
	const struct isa_op_info *op;
	const cJSON *item;
	struct isa_insn in;
	const char *ops;
	size_t nkeys = 0;
	enum atlas_status st;
	int k;

	memset(&in, 0, sizeof in);
	in.pred = ISA_NO_PRED;
	in.line = (uint32_t)line;
	in.col = (uint32_t)col;
	TRY(get_str(r, "op", &item));
	k = isa_op_find(item->valuestring);
	if (k < 0)
		return jfail(r, member_off(r, item, 0), "unknown op '%s'",
			     item->valuestring);
	in.op = (uint16_t)k;
	op = &isa_op_table[k];
	ops = text_operands(op->fmt);

	keys[nkeys++] = "op";
	if (op->fmt == FMT_PMAP || op->fmt == FMT_PMAP2 ||
	    op->fmt == FMT_PREDUCE)
		keys[nkeys++] = "map";
	if (op->fmt == FMT_GEMM || op->fmt == FMT_GEMV)
		keys[nkeys++] = "trans";
	if (op->fmt == FMT_SETCC)
		keys[nkeys++] = "cond";
	if (op->fmt == FMT_FENCE)
		keys[nkeys++] = "scope";
	if (op->types)
		keys[nkeys++] = "type";
	if (op->fmt == FMT_CVT)
		keys[nkeys++] = "from";
	if (strchr(ops, 'd') || strchr(ops, 'q'))
		keys[nkeys++] = "dst";
	if (strchr(ops, 'p') || op->fmt == FMT_BRA)
		keys[nkeys++] = "pred";
	if (text_nsrc(op->fmt))
		keys[nkeys++] = "src";
	if (strchr(ops, 'l'))
		keys[nkeys++] = "label";
	if (strchr(ops, 'i'))
		keys[nkeys++] = "imm";
	if (strchr(ops, 'a'))
		keys[nkeys++] = "addr";
	TRY(check_keys(r, keys, nkeys));

	switch (op->fmt) {
	case FMT_PMAP:
		TRY(get_name(r, "map", isa_map_names, MAP_COUNT,
			     "pmap operation", &k));
		in.sub = (uint8_t)k;
		break;
	case FMT_PMAP2:
		TRY(get_name(r, "map", isa_map2_names, MAP2_COUNT,
			     "pmap2 operation", &k));
		in.sub = (uint8_t)k;
		break;
	case FMT_PREDUCE:
		TRY(get_name(r, "map", isa_red_names, RED_COUNT,
			     "preduce operation", &k));
		in.sub = (uint8_t)k;
		break;
	case FMT_GEMM:
		TRY(get_name(r, "trans", isa_gemm_trans_names, ISA_GEMM_TRANS,
			     "gemm transpose", &k));
		in.sub = (uint8_t)k;
		break;
	case FMT_GEMV:
		TRY(get_name(r, "trans", isa_gemv_trans_names, ISA_GEMV_TRANS,
			     "gemv transpose", &k));
		in.sub = (uint8_t)k;
		break;
	case FMT_SETCC:
		TRY(get_name(r, "cond", isa_cond_names, COND_COUNT, "condition",
			     &k));
		in.sub = (uint8_t)k;
		break;
	case FMT_FENCE:
		TRY(get_name(r, "scope", isa_scope_names, SCOPE_COUNT, "scope",
			     &k));
		in.sub = (uint8_t)k;
		break;
	default:
		break;
	}
	if (op->types)
		TRY(get_type(r, "type", &in.type));
	if (op->fmt == FMT_CVT)
		TRY(get_type(r, "from", &in.type2));
	if (strchr(ops, 'd') || strchr(ops, 'q'))
		TRY(get_reg(r, "dst", strchr(ops, 'q') != NULL, &in.dst));
	if (strchr(ops, 'p') ||
	    (op->fmt == FMT_BRA &&
	     cJSON_GetObjectItemCaseSensitive(r->obj, "pred")))
		TRY(get_reg(r, "pred", 1, &in.pred));
	if (text_nsrc(op->fmt))
		TRY(read_src(r, text_nsrc(op->fmt), in.src));
	if (strchr(ops, 'l'))
		TRY(read_label_ref(r, line, col, &in.label));
	if (strchr(ops, 'i'))
		TRY(read_imm(r, &in, op->fmt, &in.imm));
	if (strchr(ops, 'a'))
		TRY(read_addr(r, &in.addr));
	st = program_emit(r->p, &in);
	if (st == ATLAS_ERR_LIMIT) {
		atlas_error_set(r->err, st, line, col,
				"too many instructions (max %u)",
				ISA_MAX_INSNS);
		return error_tag(st, r->err, "limit");
	}
	if (st != ATLAS_OK)
		return jnomem(r);
	return ATLAS_OK;
}

/* ---- the top level ------------------------------------------------------ */

/* Advance a (line, col) cursor from byte from to byte to. */
static void advance(const char *text, size_t from, size_t to, size_t *line,
		    size_t *col)
{
	for (size_t i = from; i < to; i++) {
		const unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			++*line;
			*col = 1;
		} else if ((c & 0xc0) != 0x80) {
			++*col;
		}
	}
}

typedef enum atlas_status (*read_fn)(struct jr *, size_t, size_t);

/* Read each element (an object) of the top-level array member key. */
static enum atlas_status read_array(struct jr *r, const char *key, int required,
				    read_fn fn)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r->obj, key);
	const cJSON *e;
	struct jr saved = *r;
	size_t pos, last = 0, line = 1, col = 1, i = 0;

	if (!arr) {
		if (required)
			return jfail(r, r->off, "missing key '%s'", key);
		return ATLAS_OK;
	}
	pos = member_off(r, arr, 0);
	if (!cJSON_IsArray(arr))
		return jfail(r, pos, "'%s' must be an array", key);
	pos = js_first(r->text, r->len, pos);
	cJSON_ArrayForEach(e, arr)
	{
		enum atlas_status st;

		advance(r->text, last, pos, &line, &col);
		last = pos;
		snprintf(r->where, sizeof r->where, "%s[%zu]", key, i);
		if (!cJSON_IsObject(e))
			return jfail(r, pos, "expected an object");
		r->obj = e;
		r->off = pos;
		st = fn(r, line, col);
		if (st != ATLAS_OK)
			return st;
		pos = js_skip(r->text, r->len, pos);
		i++;
	}
	*r = saved;
	return ATLAS_OK;
}

static const char *const meta_keys[] = {"classes_mask",	 "mirror_safe",
					"unity_neutral", "uses_boundary",
					"boundary",	 "phase"};
static const char *const mask_keys[] = {"low", "high"};
static const char *const bound_keys[] = {"page_min", "page_max", "byte_min",
					 "byte_max"};
static const char *const phase_keys[] = {"begin", "span"};

/* An optional member key of the current object, an integer to max (a
   decimal string as well, for values beyond 2^53). */
static enum atlas_status opt_uint(struct jr *r, const char *key, uint64_t max,
				  uint64_t *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->obj, key);
	const char *s;
	double v;

	if (!item)
		return ATLAS_OK;
	s = cJSON_IsString(item) ? item->valuestring : NULL;
	if (s ? *s >= '0' && *s <= '9' &&
			    text_parse_uint(s, strlen(s), max, out) == LIT_OK :
		int_in(item, 0, max < SAFE_MAX ? (double)max : SAFE_MAX, &v)) {
		if (!s)
			*out = (uint64_t)v;
		return ATLAS_OK;
	}
	return jfail(r, member_off(r, item, 0),
		     "'%s' must be an integer from 0 to %llu", key,
		     (unsigned long long)max);
}

static enum atlas_status opt_bool(struct jr *r, const char *key, int *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->obj, key);

	if (!item)
		return ATLAS_OK;
	if (!cJSON_IsBool(item))
		return jfail(r, member_off(r, item, 0),
			     "'%s' must be true or false", key);
	*out = cJSON_IsTrue(item);
	return ATLAS_OK;
}

/* Step into the optional object member key; 0 if absent. */
static int opt_obj(struct jr *r, struct jr *saved, const char *key,
		   enum atlas_status *st)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->obj, key);

	*st = ATLAS_OK;
	if (!item)
		return 0;
	if (!cJSON_IsObject(item)) {
		*st = jfail(r, member_off(r, item, 0), "'%s' must be an object",
			    key);
		return 0;
	}
	enter(r, saved, item, key);
	return 1;
}

/* "metadata": reference 1.9's JSON form; absent fields keep defaults. */
static enum atlas_status read_meta(struct jr *r)
{
	struct atlas_metadata *m = &r->p->meta;
	struct jr top, saved;
	enum atlas_status st;
	uint64_t v[4];

	if (!opt_obj(r, &top, "metadata", &st))
		return st;
	r->p->meta_declared = 1;
	TRY(check_keys(r, meta_keys, 6));
	TRY(opt_bool(r, "mirror_safe", &m->mirror_safe));
	TRY(opt_bool(r, "unity_neutral", &m->unity_neutral));
	TRY(opt_bool(r, "uses_boundary", &m->uses_boundary));
	if (opt_obj(r, &saved, "classes_mask", &st)) {
		v[0] = m->classes_mask.low;
		v[1] = m->classes_mask.high;
		TRY(check_keys(r, mask_keys, 2));
		TRY(opt_uint(r, "low", UINT64_MAX, &v[0]));
		TRY(opt_uint(r, "high", UINT32_MAX, &v[1]));
		m->classes_mask.low = v[0];
		m->classes_mask.high = (uint32_t)v[1];
		*r = saved;
	}
	TRY(st);
	if (opt_obj(r, &saved, "boundary", &st)) {
		uint8_t *f[4] = {&m->boundary.page_min, &m->boundary.page_max,
				 &m->boundary.byte_min, &m->boundary.byte_max};

		TRY(check_keys(r, bound_keys, 4));
		for (int i = 0; i < 4; i++) {
			v[i] = *f[i];
			TRY(opt_uint(r, bound_keys[i], 255, &v[i]));
			*f[i] = (uint8_t)v[i];
		}
		*r = saved;
	}
	TRY(st);
	if (opt_obj(r, &saved, "phase", &st)) {
		v[0] = m->phase.begin;
		v[1] = m->phase.span;
		TRY(check_keys(r, phase_keys, 2));
		TRY(opt_uint(r, "begin", UINT32_MAX, &v[0]));
		TRY(opt_uint(r, "span", UINT32_MAX, &v[1]));
		m->phase.begin = (uint32_t)v[0];
		m->phase.span = (uint32_t)v[1];
		*r = saved;
	}
	TRY(st);
	*r = top;
	return ATLAS_OK;
}

static const char *const top_keys[] = {"format",      "version", "kernel",
				       "metadata",    "params",	 "labels",
				       "instructions"};

static enum atlas_status read_program(struct jr *r)
{
	const cJSON *item;

	item = cJSON_GetObjectItemCaseSensitive(r->obj, "version");
	if (cJSON_IsString(item) && strcmp(item->valuestring, "1.0") == 0)
		return jfail(r, member_off(r, item, 0),
			     "v1.0 kernel files are not supported yet");
	TRY(check_keys(r, top_keys, 7));
	item = cJSON_GetObjectItemCaseSensitive(r->obj, "format");
	if (!cJSON_IsString(item) ||
	    strcmp(item->valuestring, "atlas-program") != 0)
		return jfail(r, item ? member_off(r, item, 0) : r->off,
			     "expected \"format\": \"atlas-program\"");
	item = cJSON_GetObjectItemCaseSensitive(r->obj, "version");
	if (!cJSON_IsNumber(item) || item->valuedouble != 1)
		return jfail(r, item ? member_off(r, item, 0) : r->off,
			     "expected \"version\": 1");
	TRY(get_str(r, "kernel", &item));
	if (!text_is_ident(item->valuestring, strlen(item->valuestring), 0))
		return jfail(r, member_off(r, item, 0),
			     "invalid kernel name '%s'", item->valuestring);
	if (program_set_name(r->p, item->valuestring) != ATLAS_OK)
		return jnomem(r);
	TRY(read_meta(r));
	TRY(read_array(r, "params", 0, read_param));
	TRY(resolve_records(r));
	TRY(read_array(r, "labels", 0, read_label));
	return read_array(r, "instructions", 1, read_insn);
}

static enum atlas_status syntax_error(struct jr *r, const struct js *j)
{
	char msg[128];

	js_describe(j, msg, sizeof msg);
	return error_tag(jfail(r, j->errpos, "invalid JSON: %s", msg), r->err,
			 "json-syntax");
}

enum atlas_status json_read(const char *text, size_t len,
			    struct atlas_program **out, struct atlas_error *err)
{
	struct js j = {text, len, NULL, 0};
	struct records recs = {NULL, 0, 0};
	struct jr r;
	cJSON *root;
	size_t pos;
	enum atlas_status st;

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.text = text;
	r.len = len;
	r.err = err;
	pos = js_ws(&j, 0);
	r.off = pos;
	if (js_value(&j, &pos, 0))
		return syntax_error(&r, &j);
	pos = js_ws(&j, pos);
	if (pos < len)
		return error_tag(jfail(&r, pos,
				       "invalid JSON: unexpected "
				       "data after the value"),
				 err, "json-syntax");
	root = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
	if (!root)
		return jnomem(&r);
	r.obj = root;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return jfail(&r, r.off, "expected a JSON object");
	}
	r.p = program_new("");
	if (!r.p) {
		cJSON_Delete(root);
		return jnomem(&r);
	}
	r.recs = &recs;
	st = read_program(&r);
	free(recs.v);
	cJSON_Delete(root);
	if (st != ATLAS_OK) {
		atlas_program_free(r.p);
		return st;
	}
	*out = r.p;
	return ATLAS_OK;
}
