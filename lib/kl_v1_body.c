/*
 * kl_v1_body.c - statements and expressions of the v1.0 JSON (reference
 * 3.3 to 3.5, and the extensions kl_write_v1 writes), into the
 * kernel-language tree; see kl_v1_read.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "json_scan.h"
#include "kl_v1.h"

/* ---- expressions -------------------------------------------------------- */

static struct kl_expr *expr(struct rd *r, struct val v, int arg);

/* A member that is an expression, read with its path; arg: it is a
   call's argument (a string may be). */
static struct kl_expr *member_arg(struct rd *r, struct val o, const char *key,
				  int arg)
{
	struct val v;
	struct kl_expr *e;
	size_t n;

	if (v1_member(r, o, key, 0, &v))
		return NULL;
	n = v1_path_key(r, key);
	e = expr(r, v, arg);
	v1_path_restore(r, n);
	return e;
}

static struct kl_expr *member_expr(struct rd *r, struct val o, const char *key)
{
	return member_arg(r, o, key, 0);
}

static struct kl_expr *new_expr(struct rd *r, enum kl_expr_kind k, size_t off)
{
	uint32_t line, col;
	struct kl_expr *e;

	v1_linecol(r, off, &line, &col);
	e = kl_expr_new(k, line, col);
	if (!e)
		v1_nomem(r);
	return e;
}

/* An integer from its JSON text: -2^63 .. 2^64-1, two's complement. */
static int int_text(const char *s, size_t n, uint64_t *v)
{
	const int neg = n && s[0] == '-';
	uint64_t m = 0;

	for (size_t i = (size_t)neg; i < n; i++) {
		const uint64_t d = (uint64_t)(s[i] - '0');

		if (m > (UINT64_MAX - d) / 10)
			return -1;
		m = m * 10 + d;
	}
	if (neg && m > (uint64_t)1 << 63)
		return -1;
	*v = neg ? 0 - m : m;
	return 0;
}

static struct kl_expr *literal(struct rd *r, struct val o, int arg)
{
	struct val v;
	struct kl_expr *e;
	size_t end;
	char buf[400];

	if (v1_member(r, o, "value", 0, &v))
		return NULL;
	if (cJSON_IsBool(v.j)) {
		e = new_expr(r, KE_BOOL, o.off);
		if (e)
			e->ival = cJSON_IsTrue(v.j);
		return e;
	}
	if (cJSON_IsString(v.j)) {
		if (!arg) {
			v1_fail(r, v.off,
				"string literals are only allowed as call "
				"arguments");
			return NULL;
		}
		e = new_expr(r, KE_STRING, o.off);
		if (e && !(e->str = strdup(v.j->valuestring))) {
			kl_expr_free(e);
			v1_nomem(r);
			return NULL;
		}
		return e;
	}
	if (!cJSON_IsNumber(v.j)) {
		v1_fail(r, v.off, "'value' must be a number or a bool");
		return NULL;
	}
	for (end = v.off;
	     end < r->len && strchr("+-.0123456789eE", r->text[end]); end++)
		;
	if (end - v.off >= sizeof buf) {
		v1_fail(r, v.off, "number too long");
		return NULL;
	}
	memcpy(buf, r->text + v.off, end - v.off);
	buf[end - v.off] = '\0';
	if (strpbrk(buf, ".eE")) {
		e = new_expr(r, KE_FLOAT, o.off);
		if (!e)
			return NULL;
		e->fval = strtod(buf, NULL);
		if (isinf(e->fval)) {
			kl_expr_free(e);
			v1_fail(r, v.off, "float literal out of range");
			return NULL;
		}
		return e;
	}
	e = new_expr(r, KE_INT, o.off);
	if (e && int_text(buf, end - v.off, &e->ival)) {
		kl_expr_free(e);
		v1_fail(r, v.off, "integer literal out of range");
		return NULL;
	}
	return e;
}

/* Look name up in names[count] ("unknown" is floor_div for binary). */
static int op_member(struct rd *r, struct val o, const char *const *names,
		     int count, const char *what, int *op)
{
	struct val v;

	if (v1_member_str(r, o, "op", &v))
		return -1;
	for (int k = 0; k < count; k++)
		if (strcmp(names[k], v.j->valuestring) == 0) {
			*op = k;
			return 0;
		}
	if (count == KB_COUNT && strcmp(v.j->valuestring, "unknown") == 0) {
		*op = KB_FLOOR_DIV;
		return 0;
	}
	return v1_fail(r, v.off, "unknown %s '%s'", what, v.j->valuestring);
}

/* The "args" array of a call into e. */
static int call_args(struct rd *r, struct val o, struct kl_expr *e)
{
	struct val a, x;
	const cJSON *j;
	size_t i = 0, n;

	if (v1_member(r, o, "args", 0, &a))
		return -1;
	if (!cJSON_IsArray(a.j))
		return v1_fail(r, a.off, "'args' must be an array");
	x.off = js_first(r->text, r->len, a.off);
	n = v1_path_key(r, "args");
	cJSON_ArrayForEach(j, a.j)
	{
		struct kl_expr *arg;
		size_t m = v1_path_index(r, i++);

		x.j = j;
		arg = expr(r, x, 1);
		v1_path_restore(r, m);
		if (!arg)
			return -1;
		if (kl_call_push(e, arg)) {
			kl_expr_free(arg);
			return v1_nomem(r);
		}
		x.off = v1_next_off(r, x.off);
	}
	v1_path_restore(r, n);
	return 0;
}

static const char *const var_keys[] = {"type", "name", NULL};
static const char *const literal_keys[] = {"type", "value", NULL};
static const char *const binary_keys[] = {"type", "op", "left", "right", NULL};
static const char *const unary_keys[] = {"type", "op", "operand", NULL};
static const char *const index_keys[] = {"type", "array", "index", NULL};
static const char *const call_keys[] = {"type", "function", "args", NULL};
static const char *const ifexpr_keys[] = {"type", "condition", "then", "else",
					  NULL};

static const struct {
	const char *type;
	enum kl_expr_kind kind;
	const char *const *keys;
} expr_types[] = {
	{"var", KE_VAR, var_keys},
	{"literal", KE_INT, literal_keys},
	{"binary_op", KE_BINARY, binary_keys},
	{"unary_op", KE_UNARY, unary_keys},
	{"index", KE_INDEX, index_keys},
	{"call", KE_CALL, call_keys},
	{"if_expr", KE_IFEXPR, ifexpr_keys},
};

/* The kind-specific members of a new expression e. */
static int expr_fields(struct rd *r, struct val v, struct kl_expr *e)
{
	struct val f;

	switch (e->kind) {
	case KE_VAR:
		return v1_member_name(r, v, "name", &e->name);
	case KE_BINARY:
		if (op_member(r, v, kl_binop_names, KB_COUNT, "operator",
			      &e->op) ||
		    !(e->a = member_expr(r, v, "left")) ||
		    !(e->b = member_expr(r, v, "right")))
			return -1;
		return 0;
	case KE_UNARY:
		if (op_member(r, v, kl_unop_names, KU_COUNT, "unary operator",
			      &e->op) ||
		    !(e->a = member_expr(r, v, "operand")))
			return -1;
		return 0;
	case KE_INDEX:
		if (!(e->a = member_expr(r, v, "array")))
			return -1;
		if (e->a->kind != KE_VAR) {
			v1_member(r, v, "array", 0, &f);
			return v1_fail(r, f.off, "'array' must be a var");
		}
		return (e->b = member_expr(r, v, "index")) ? 0 : -1;
	case KE_CALL:
		if (v1_member_str(r, v, "function", &f))
			return -1;
		if (!f.j->valuestring[0])
			return v1_fail(r, f.off,
				       "'function' must not be empty");
		e->name = strdup(f.j->valuestring);
		if (!e->name)
			return v1_nomem(r);
		return call_args(r, v, e);
	case KE_IFEXPR:
		if (!(e->c = member_expr(r, v, "condition")) ||
		    !(e->a = member_expr(r, v, "then")) ||
		    !(e->b = member_expr(r, v, "else")))
			return -1;
		return 0;
	default:
		return 0;
	}
}

/* An expression object; arg: it is a call's argument. */
static struct kl_expr *expr(struct rd *r, struct val v, int arg)
{
	struct val t;
	struct kl_expr *e;
	size_t k;

	if (!cJSON_IsObject(v.j)) {
		v1_fail(r, v.off, "expected an expression object");
		return NULL;
	}
	if (v1_member_str(r, v, "type", &t))
		return NULL;
	for (k = 0; k < sizeof expr_types / sizeof *expr_types; k++)
		if (strcmp(expr_types[k].type, t.j->valuestring) == 0)
			break;
	if (k == sizeof expr_types / sizeof *expr_types) {
		v1_fail(r, t.off, "unknown expression type '%s'",
			t.j->valuestring);
		return NULL;
	}
	if (v1_check_keys(r, v, expr_types[k].keys))
		return NULL;
	if (expr_types[k].kind == KE_INT)
		return literal(r, v, arg);
	e = new_expr(r, expr_types[k].kind, v.off);
	if (e && expr_fields(r, v, e)) {
		kl_expr_free(e);
		return NULL;
	}
	return e;
}

/* ---- statements --------------------------------------------------------- */

static const char *const let_keys[] = {"type", "name", "value", NULL};
static const char *const assign_keys[] = {"type", "target", "value", NULL};
static const char *const if_keys[] = {"type", "condition", "then_body",
				      "else_body", NULL};
static const char *const for_keys[] = {"type", "var",  "start", "stop",
				       "step", "body", NULL};
static const char *const while_keys[] = {"type", "condition", "body", NULL};
static const char *const jump_keys[] = {"type", NULL};
static const char *const return_keys[] = {"type", "value", NULL};
static const char *const pmu_keys[] = {"type",	    "input", "output",
				       "operation", "count", NULL};
static const char *const pmb_keys[] = {
	"type", "input_a", "input_b", "output", "operation", "count", NULL};

static const struct {
	const char *type;
	enum kl_stmt_kind kind;
	const char *const *keys;
} stmt_types[] = {
	{"let", KS_LET, let_keys},
	{"assign", KS_ASSIGN, assign_keys},
	{"if", KS_IF, if_keys},
	{"for", KS_FOR, for_keys},
	{"while", KS_WHILE, while_keys},
	{"break", KS_BREAK, jump_keys},
	{"continue", KS_CONTINUE, jump_keys},
	{"return", KS_RETURN, return_keys},
	{"call", KS_EXPR, call_keys},
	{"parallel_map_unary", KS_EXPR, pmu_keys},
	{"parallel_map_binary", KS_EXPR, pmb_keys},
	{"parallel_reduce", KS_EXPR, pmu_keys},
};

/* A parallel_* statement: a call of the same name, in Python's order. */
static struct kl_expr *parallel(struct rd *r, struct val o, const char *name,
				const char *const *keys)
{
	struct kl_expr *call = new_expr(r, KE_CALL, o.off);

	if (!call || !(call->name = strdup(name)))
		goto nomem;
	for (size_t k = 1; keys[k]; k++) {
		struct kl_expr *a;
		struct val v;

		if (strcmp(keys[k], "operation") == 0) {
			if (v1_member_str(r, o, "operation", &v))
				goto fail;
			a = new_expr(r, KE_STRING, v.off);
			if (!a || !(a->str = strdup(v.j->valuestring))) {
				kl_expr_free(a);
				goto nomem;
			}
		} else if (!(a = member_arg(r, o, keys[k], 1))) {
			goto fail;
		}
		if (kl_call_push(call, a)) {
			kl_expr_free(a);
			goto nomem;
		}
	}
	return call;
nomem:
	v1_nomem(r);
fail:
	kl_expr_free(call);
	return NULL;
}

/* An optional expression member: absent or null is NULL (*ok stays 1). */
static struct kl_expr *optional_expr(struct rd *r, struct val o,
				     const char *key, int *ok)
{
	struct val v;

	*ok = 0;
	if (v1_member(r, o, key, 1, &v))
		return NULL;
	*ok = 1;
	if (!v.j || cJSON_IsNull(v.j))
		return NULL;
	*ok = 0;
	return member_expr(r, o, key);
}

static int stmt_fields(struct rd *r, struct val v, struct kl_stmt *s,
		       size_t type)
{
	int ok, present;

	switch (s->kind) {
	case KS_LET:
		if (v1_member_name(r, v, "name", &s->name))
			return -1;
		return (s->value = member_expr(r, v, "value")) ? 0 : -1;
	case KS_ASSIGN:
		if (!(s->target = member_expr(r, v, "target")))
			return -1;
		if (s->target->kind != KE_VAR && s->target->kind != KE_INDEX) {
			struct val t;

			v1_member(r, v, "target", 0, &t);
			return v1_fail(r, t.off,
				       "'target' must be a var or an index");
		}
		return (s->value = member_expr(r, v, "value")) ? 0 : -1;
	case KS_IF:
		if (!(s->value = member_expr(r, v, "condition")) ||
		    v1_block(r, v, "then_body", 0, &s->body, &present) ||
		    v1_block(r, v, "else_body", 1, &s->orelse, &s->has_else))
			return -1;
		return 0;
	case KS_FOR:
		if (v1_member_name(r, v, "var", &s->name) ||
		    !(s->start = member_expr(r, v, "start")) ||
		    !(s->stop = member_expr(r, v, "stop")) ||
		    !(s->step = member_expr(r, v, "step")))
			return -1;
		r->loops++;
		ok = v1_block(r, v, "body", 0, &s->body, &present);
		r->loops--;
		return ok;
	case KS_WHILE:
		if (!(s->value = member_expr(r, v, "condition")))
			return -1;
		r->loops++;
		ok = v1_block(r, v, "body", 0, &s->body, &present);
		r->loops--;
		return ok;
	case KS_BREAK:
	case KS_CONTINUE:
		if (!r->loops)
			return v1_fail(r, v.off, "'%s' outside loop",
				       stmt_types[type].type);
		return 0;
	case KS_RETURN:
		s->value = optional_expr(r, v, "value", &ok);
		return s->value || ok ? 0 : -1;
	case KS_EXPR:
		if (strcmp(stmt_types[type].type, "call") == 0) {
			s->value = new_expr(r, KE_CALL, v.off);
			return s->value ? expr_fields(r, v, s->value) : -1;
		}
		s->value = parallel(r, v, stmt_types[type].type,
				    stmt_types[type].keys);
		return s->value ? 0 : -1;
	}
	return 0;
}

static struct kl_stmt *stmt(struct rd *r, struct val v)
{
	struct val t;
	struct kl_stmt *s;
	uint32_t line, col;
	size_t k;

	if (!cJSON_IsObject(v.j)) {
		v1_fail(r, v.off, "expected a statement object");
		return NULL;
	}
	if (v1_member_str(r, v, "type", &t))
		return NULL;
	for (k = 0; k < sizeof stmt_types / sizeof *stmt_types; k++)
		if (strcmp(stmt_types[k].type, t.j->valuestring) == 0)
			break;
	if (k == sizeof stmt_types / sizeof *stmt_types) {
		v1_fail(r, t.off, "unknown statement type '%s'",
			t.j->valuestring);
		return NULL;
	}
	if (v1_check_keys(r, v, stmt_types[k].keys))
		return NULL;
	v1_linecol(r, v.off, &line, &col);
	s = kl_stmt_new(stmt_types[k].kind, line, col);
	if (!s) {
		v1_nomem(r);
		return NULL;
	}
	if (stmt_fields(r, v, s, k)) {
		kl_stmt_free(s);
		return NULL;
	}
	return s;
}

/*
 * The statement array o[key] into b.  When optional, a missing key or null
 * leaves *present 0.
 */
int v1_block(struct rd *r, struct val o, const char *key, int optional,
	     struct kl_block *b, int *present)
{
	struct val a, x;
	const cJSON *j;
	size_t i = 0, n;

	*present = 0;
	if (v1_member(r, o, key, optional, &a))
		return -1;
	if (!a.j || (optional && cJSON_IsNull(a.j)))
		return 0;
	if (!cJSON_IsArray(a.j))
		return v1_fail(r, a.off,
			       optional ? "'%s' must be an array or null" :
					  "'%s' must be an array",
			       key);
	*present = 1;
	n = v1_path_key(r, key);
	x.off = js_first(r->text, r->len, a.off);
	cJSON_ArrayForEach(j, a.j)
	{
		struct kl_stmt *s;
		const size_t m = v1_path_index(r, i++);

		x.j = j;
		s = stmt(r, x);
		v1_path_restore(r, m);
		if (!s)
			return -1;
		if (kl_block_push(b, s)) {
			kl_stmt_free(s);
			return v1_nomem(r);
		}
		x.off = v1_next_off(r, x.off);
	}
	v1_path_restore(r, n);
	return 0;
}
