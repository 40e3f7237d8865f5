/*
 * kl_v1_read.c - the original's v1.0 JSON kernels (reference 3.1 to 3.5):
 * {"version": "1.0", "kernel": {"name", "params", "body"}} or an array of
 * such objects, into the kernel-language tree.
 *
 * As in json_read.c, the shared scanner checks the syntax first and cJSON
 * builds the tree; every value read carries its offset in the text (found
 * along the path from its parent), so that each schema error names the
 * path ("kernel.body[2].value: unknown expression type 'foo'") and the
 * line and column of the offending value.  Literals are told apart by
 * their text: a number with '.' or an exponent is a float.
 *
 * Beyond the original's schema, what kl_write_v1 writes for the Python
 * subset reads back: "while", "break", "continue", every op name of
 * kl_binop_names ("unknown" is floor_div, as the original writes //),
 * "unary_op", "if_expr", and a string "literal" as a call's argument.
 *
 * This file: the helpers of kl_v1.h, kernels and parameters, the entry
 * points; kl_v1_body.c: statements and expressions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "json_scan.h"
#include "kl.h"
#include "kl_v1.h"
#include "program.h"
#include "text_util.h"

/* ---- errors and paths --------------------------------------------------- */

void v1_linecol(struct rd *r, size_t off, uint32_t *line, uint32_t *col)
{
	if (off > r->len)
		off = r->len;
	if (off < r->cur_off) {
		r->cur_off = 0;
		r->cur_line = r->cur_col = 1;
	}
	for (; r->cur_off < off; r->cur_off++) {
		const unsigned char c = (unsigned char)r->text[r->cur_off];

		if (c == '\n') {
			r->cur_line++;
			r->cur_col = 1;
		} else if ((c & 0xc0) != 0x80) {
			r->cur_col++;
		}
	}
	*line = (uint32_t)r->cur_line;
	*col = (uint32_t)r->cur_col;
}

int v1_fail(struct rd *r, size_t off, const char *fmt, ...)
{
	char msg[sizeof r->err->msg];
	uint32_t line, col;
	va_list ap;

	if (r->st != ATLAS_OK)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	v1_linecol(r, off, &line, &col);
	if (r->where[0])
		atlas_error_set(r->err, ATLAS_ERR_PARSE, line, col, "%s: %s",
				r->where, msg);
	else
		atlas_error_set(r->err, ATLAS_ERR_PARSE, line, col, "%s", msg);
	r->st = ATLAS_ERR_PARSE;
	return -1;
}

int v1_nomem(struct rd *r)
{
	if (r->st == ATLAS_OK) {
		atlas_error_set(r->err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		r->st = ATLAS_ERR_NOMEM;
	}
	return -1;
}

/* Extend the path by ".key" (or "key" at the top) or "[i]"; returns the
   length to restore. */
size_t v1_path_key(struct rd *r, const char *key)
{
	const size_t n = strlen(r->where);

	snprintf(r->where + n, sizeof r->where - n, "%s%s", n ? "." : "", key);
	return n;
}

size_t v1_path_index(struct rd *r, size_t i)
{
	const size_t n = strlen(r->where);

	snprintf(r->where + n, sizeof r->where - n, "[%zu]", i);
	return n;
}

void v1_path_restore(struct rd *r, size_t n)
{
	r->where[n] = '\0';
}

/* ---- objects ------------------------------------------------------------ */

static size_t child_index(const cJSON *parent, const cJSON *child)
{
	size_t k = 0;

	for (const cJSON *c = parent->child; c && c != child; c = c->next)
		k++;
	return k;
}

/* Every key of object o is one of keys[] (NULL-terminated), once. */
int v1_check_keys(struct rd *r, struct val o, const char *const *keys)
{
	for (const cJSON *c = o.j->child; c; c = c->next) {
		size_t k;

		for (k = 0; keys[k]; k++)
			if (strcmp(keys[k], c->string) == 0)
				break;
		if (!keys[k] ||
		    cJSON_GetObjectItemCaseSensitive(o.j, c->string) != c)
			return v1_fail(r,
				       js_child(r->text, r->len, o.off,
						child_index(o.j, c), 1),
				       keys[k] ? "duplicate key '%s'" :
						 "unknown key '%s'",
				       c->string);
	}
	return 0;
}

/* Member key of object o; a missing one is an error unless optional
   (then v->j is NULL). */
int v1_member(struct rd *r, struct val o, const char *key, int optional,
	      struct val *v)
{
	v->j = cJSON_GetObjectItemCaseSensitive(o.j, key);
	v->off = o.off;
	if (!v->j)
		return optional ? 0 :
				  v1_fail(r, o.off, "missing key '%s'", key);
	v->off = js_child(r->text, r->len, o.off, child_index(o.j, v->j), 0);
	return 0;
}

int v1_member_str(struct rd *r, struct val o, const char *key, struct val *v)
{
	if (v1_member(r, o, key, 0, v))
		return -1;
	if (!cJSON_IsString(v->j))
		return v1_fail(r, v->off, "'%s' must be a string", key);
	return 0;
}

/* A member that is a name (an identifier). */
int v1_member_name(struct rd *r, struct val o, const char *key, char **out)
{
	struct val v;

	if (v1_member_str(r, o, key, &v))
		return -1;
	if (!text_is_ident(v.j->valuestring, strlen(v.j->valuestring), 0))
		return v1_fail(r, v.off, "invalid name '%s'", v.j->valuestring);
	*out = strdup(v.j->valuestring);
	return *out ? 0 : v1_nomem(r);
}

/* The element after e (at off) in its array: its offset. */
size_t v1_next_off(const struct rd *r, size_t off)
{
	return js_skip(r->text, r->len, off);
}

/* ---- kernels ------------------------------------------------------------ */

static const char *const scalar_keys[] = {"kind", "type", NULL};
static const char *const array_keys[] = {"kind", "element_type", NULL};

/* {"kind": "scalar", "type": T} */
static int scalar(struct rd *r, struct val o, uint8_t *t)
{
	static const char *const names[] = {"u8",  "u16", "u32",  "u64",
					    "i8",  "i16", "i32",  "i64",
					    "f32", "f64", "bool", "usize"};
	static const uint8_t types[] = {ATLAS_U8,  ATLAS_U16, ATLAS_U32,
					ATLAS_U64, ATLAS_I8,  ATLAS_I16,
					ATLAS_I32, ATLAS_I64, ATLAS_F32,
					ATLAS_F64, KL_BOOL,   ATLAS_U64};
	struct val k;

	if (!cJSON_IsObject(o.j))
		return v1_fail(r, o.off, "expected a type object");
	if (v1_member_str(r, o, "kind", &k))
		return -1;
	if (strcmp(k.j->valuestring, "scalar") != 0)
		return v1_fail(r, k.off, "expected \"kind\": \"scalar\"");
	if (v1_check_keys(r, o, scalar_keys) || v1_member_str(r, o, "type", &k))
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i], k.j->valuestring) == 0) {
			*t = types[i];
			return 0;
		}
	return v1_fail(r, k.off, "unknown scalar type '%s'", k.j->valuestring);
}

static int param_type(struct rd *r, struct val o, struct kl_type *t)
{
	struct val k, e;
	size_t n;
	int st;

	memset(t, 0, sizeof *t);
	if (!cJSON_IsObject(o.j))
		return v1_fail(r, o.off, "expected a type object");
	if (v1_member_str(r, o, "kind", &k))
		return -1;
	if (strcmp(k.j->valuestring, "scalar") == 0)
		return scalar(r, o, &t->elem);
	if (strcmp(k.j->valuestring, "device_ptr") == 0)
		return v1_fail(r, k.off,
			       "device_ptr parameters are not supported");
	if (strcmp(k.j->valuestring, "device_array") != 0)
		return v1_fail(r, k.off, "unknown type kind '%s'",
			       k.j->valuestring);
	if (v1_check_keys(r, o, array_keys) ||
	    v1_member(r, o, "element_type", 0, &e))
		return -1;
	t->array = 1;
	n = v1_path_key(r, "element_type");
	st = scalar(r, e, &t->elem);
	if (st == 0 && t->elem == KL_BOOL)
		st = v1_fail(r, e.off, "arrays of bool are not supported");
	v1_path_restore(r, n);
	return st;
}

static const char *const param_keys[] = {"name", "type", NULL};

static int params(struct rd *r, struct val o, struct kl_func *f)
{
	struct val a, x, t;
	const cJSON *j;
	size_t i = 0, n;

	if (v1_member(r, o, "params", 0, &a))
		return -1;
	if (!cJSON_IsArray(a.j))
		return v1_fail(r, a.off, "'params' must be an array");
	f->params =
		calloc((size_t)cJSON_GetArraySize(a.j) + 1, sizeof *f->params);
	if (!f->params)
		return v1_nomem(r);
	n = v1_path_key(r, "params");
	x.off = js_first(r->text, r->len, a.off);
	cJSON_ArrayForEach(j, a.j)
	{
		struct kl_param *q = &f->params[f->nparams];
		const size_t m = v1_path_index(r, i++);
		size_t k;

		x.j = j;
		if (!cJSON_IsObject(j))
			return v1_fail(r, x.off, "expected a parameter object");
		if (v1_check_keys(r, x, param_keys) ||
		    v1_member_name(r, x, "name", &q->name))
			return -1;
		f->nparams++;
		v1_linecol(r, x.off, &q->line, &q->col);
		for (size_t p = 0; p + 1 < f->nparams; p++)
			if (strcmp(f->params[p].name, q->name) == 0) {
				v1_member(r, x, "name", 0, &t);
				return v1_fail(r, t.off,
					       "duplicate parameter '%s'",
					       q->name);
			}
		if (v1_member(r, x, "type", 0, &t))
			return -1;
		k = v1_path_key(r, "type");
		if (param_type(r, t, &q->type))
			return -1;
		v1_path_restore(r, k);
		v1_path_restore(r, m);
		x.off = v1_next_off(r, x.off);
	}
	v1_path_restore(r, n);
	return 0;
}

static const char *const top_keys[] = {"version", "kernel", NULL};
static const char *const kernel_keys[] = {"name", "params", "body", NULL};

/* One {"version": "1.0", "kernel": {...}} object into f. */
static int kernel(struct rd *r, struct val o, struct kl_func *f)
{
	struct val v, k;
	size_t n;
	int present;

	if (!cJSON_IsObject(o.j))
		return v1_fail(r, o.off, "expected a kernel object");
	if (v1_member(r, o, "version", 0, &v))
		return -1;
	if (!cJSON_IsString(v.j))
		return v1_fail(r, v.off, "'version' must be a string");
	if (strcmp(v.j->valuestring, "1.0") != 0)
		return v1_fail(r, v.off, "unsupported schema version: %s",
			       v.j->valuestring);
	if (v1_check_keys(r, o, top_keys) || v1_member(r, o, "kernel", 0, &k))
		return -1;
	n = v1_path_key(r, "kernel");
	if (!cJSON_IsObject(k.j))
		return v1_fail(r, k.off, "expected an object");
	v1_linecol(r, k.off, &f->line, &f->col);
	if (v1_check_keys(r, k, kernel_keys) || v1_member_str(r, k, "name", &v))
		return -1;
	if (!v.j->valuestring[0])
		return v1_fail(r, v.off, "kernel name cannot be empty");
	if (!text_is_ident(v.j->valuestring, strlen(v.j->valuestring), 0))
		return v1_fail(r, v.off, "invalid kernel name '%s'",
			       v.j->valuestring);
	f->name = strdup(v.j->valuestring);
	if (!f->name)
		return v1_nomem(r);
	if (params(r, k, f) || v1_block(r, k, "body", 0, &f->body, &present))
		return -1;
	v1_path_restore(r, n);
	return 0;
}

static int add_kernel(struct rd *r, struct kl_module *m, struct val o)
{
	struct kl_func *f;

	if (m->nfuncs == m->cap) {
		const size_t ncap = m->cap ? m->cap * 2 : 4;

		f = realloc(m->funcs, ncap * sizeof *f);
		if (!f)
			return v1_nomem(r);
		m->funcs = f;
		m->cap = ncap;
	}
	f = &m->funcs[m->nfuncs++];
	memset(f, 0, sizeof *f);
	if (kernel(r, o, f))
		return -1;
	for (size_t i = 0; i + 1 < m->nfuncs; i++)
		if (strcmp(m->funcs[i].name, f->name) == 0)
			return v1_fail(r, o.off, "duplicate kernel '%s'",
				       f->name);
	return 0;
}

static int module(struct rd *r, const cJSON *root, size_t off,
		  struct kl_module *m)
{
	struct val x = {root, off};
	const cJSON *j;
	size_t i = 0;

	if (cJSON_IsObject(root))
		return add_kernel(r, m, x);
	if (!cJSON_IsArray(root))
		return v1_fail(r, off,
			       "expected a v1.0 kernel object or an array of "
			       "them");
	x.off = js_first(r->text, r->len, off);
	cJSON_ArrayForEach(j, root)
	{
		v1_path_index(r, i++);
		x.j = j;
		if (add_kernel(r, m, x))
			return -1;
		v1_path_restore(r, 0);
		x.off = v1_next_off(r, x.off);
	}
	return 0;
}

enum atlas_status kl_read_v1(const char *text, size_t len,
			     struct kl_module **out, struct atlas_error *err)
{
	struct js j = {text, len, NULL, 0};
	struct kl_module *m;
	struct rd r;
	cJSON *root;
	size_t pos, start;
	char msg[128];

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.text = text;
	r.len = len;
	r.err = err;
	r.cur_line = r.cur_col = 1;
	start = pos = js_ws(&j, 0);
	if (js_value(&j, &pos, 0)) {
		js_describe(&j, msg, sizeof msg);
		v1_fail(&r, j.errpos, "invalid JSON: %s", msg);
		return error_tag(r.st, err, "json-syntax");
	}
	pos = js_ws(&j, pos);
	if (pos < len) {
		v1_fail(&r, pos,
			"invalid JSON: unexpected data after the value");
		return error_tag(r.st, err, "json-syntax");
	}
	root = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
	m = calloc(1, sizeof *m);
	if (!root || !m) {
		cJSON_Delete(root);
		free(m);
		v1_nomem(&r);
		return r.st;
	}
	module(&r, root, start, m);
	cJSON_Delete(root);
	if (r.st != ATLAS_OK) {
		kl_module_free(m);
		return r.st;
	}
	*out = m;
	return ATLAS_OK;
}

/* ---- detection ---------------------------------------------------------- */

/*
 * The program form has "version": 1, a number; v1.0 files have a string
 * there, so any string version goes to kl_read_v1, which names a wrong
 * one.
 */
int kl_is_v1(const char *text, size_t len)
{
	struct js j = {text, len, NULL, 0};
	size_t pos = js_ws(&j, 0);

	if (pos < len && text[pos] == '[')
		pos = js_ws(&j, pos + 1);
	if (pos >= len || text[pos] != '{')
		return 0;
	pos = js_ws(&j, pos + 1);
	while (pos < len && text[pos] == '"') {
		const size_t key = pos;
		size_t v, klen;

		if (js_string(&j, &pos))
			return 0;
		klen = pos - key;
		pos = js_ws(&j, pos);
		if (pos >= len || text[pos] != ':')
			return 0;
		v = js_ws(&j, pos + 1);
		if (klen == 9 && memcmp(text + key, "\"version\"", 9) == 0)
			return v < len && text[v] == '"';
		pos = v;
		if (js_value(&j, &pos, 0))
			return 0;
		pos = js_ws(&j, pos);
		if (pos >= len || text[pos] != ',')
			return 0;
		pos = js_ws(&j, pos + 1);
	}
	return 0;
}
