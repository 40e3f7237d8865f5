/*
 * kl_v1_write.c - the original's v1.0 JSON (reference 3.1 to 3.5), as its
 * Python compiler prints it with json.dumps(indent=2): two spaces per
 * level, "," at line ends, ": " after keys, keys in the schema's
 * order ("type" first), non-ASCII escaped as \uXXXX, floats as Python's
 * repr (always with '.' or an exponent), "else_body": null when an if has
 * no else.  Constructs the original lacks use natural names: "while",
 * "break", "continue", op names of kl_binop_names, "unary_op", "if_expr",
 * and a string "literal" for a string argument of a call.  One kernel is
 * an object, any other count an array; the text ends with a newline.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl.h"
#include "text_util.h"

struct w {
	struct strbuf sb;
	int depth;
};

/* ---- JSON pieces -------------------------------------------------------- */

static void newline(struct w *w)
{
	static const char spaces[] = "\n                                "
				     "                                ";
	size_t n = 2 * (size_t)w->depth;

	sb_add(&w->sb, spaces, 1);
	for (; n > sizeof spaces - 2; n -= sizeof spaces - 2)
		sb_add(&w->sb, spaces + 1, sizeof spaces - 2);
	sb_add(&w->sb, spaces + 1, n);
}

/* One UTF-8 sequence at s (n bytes left): its code point and length;
   invalid bytes stand for themselves (as U+0080..U+00FF). */
static uint32_t utf8(const unsigned char *s, size_t n, size_t *len)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t k = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
	uint32_t u;

	*len = 1;
	if (k == 1 || k > n || s[0] > 0xf4)
		return s[0];
	u = s[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return s[0];
		u = u << 6 | (s[i] & 0x3f);
	}
	if (u < min[k] || u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
		return s[0];
	*len = k;
	return u;
}

/* A JSON string as Python's json.dumps (ensure_ascii) writes it. */
static void string(struct w *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const size_t n = strlen(s);

	sb_puts(&w->sb, "\"");
	for (size_t i = 0; i < n;) {
		const unsigned char c = p[i];
		const char *esc = NULL;
		size_t len;
		uint32_t u;

		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		default:
			break;
		}
		if (esc) {
			sb_puts(&w->sb, esc);
			i++;
			continue;
		}
		if (c >= 0x20 && c < 0x80) {
			sb_add(&w->sb, s + i, 1);
			i++;
			continue;
		}
		u = utf8(p + i, n - i, &len);
		i += len;
		if (u >= 0x10000) {
			u -= 0x10000;
			sb_printf(&w->sb, "\\u%04x\\u%04x", 0xd800 + (u >> 10),
				  0xdc00 + (u & 0x3ff));
		} else {
			sb_printf(&w->sb, "\\u%04x", u);
		}
	}
	sb_puts(&w->sb, "\"");
}

/* Members and elements: each after ",\n" (or "\n" first) and indent. */
static void key(struct w *w, int *n, const char *k)
{
	if ((*n)++)
		sb_puts(&w->sb, ",");
	newline(w);
	string(w, k);
	sb_puts(&w->sb, ": ");
}

static void item(struct w *w, int *n)
{
	if ((*n)++)
		sb_puts(&w->sb, ",");
	newline(w);
}

static void begin(struct w *w, const char *c)
{
	sb_puts(&w->sb, c);
	w->depth++;
}

static void end(struct w *w, int n, const char *c)
{
	w->depth--;
	if (n)
		newline(w);
	sb_puts(&w->sb, c);
}

/* "key": "value" */
static void key_str(struct w *w, int *n, const char *k, const char *v)
{
	key(w, n, k);
	string(w, v);
}

/*
 * A float as Python's repr: the shortest digits that read back, in
 * positional notation when the decimal exponent is in [-4, 16), else as
 * d.ddde+XX.
 */
static void py_float(char *buf, size_t size, double v)
{
	char s[40], digits[24];
	int prec, x, nd = 0;
	const char *e;
	size_t k = 0;

	if (isnan(v) || isinf(v)) {
		snprintf(buf, size, "%s",
			 isnan(v) ? "NaN" :
			 v < 0	  ? "-Infinity" :
				    "Infinity");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(s, sizeof s, "%.*e", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	e = strchr(s, 'e');
	x = (int)strtol(e + 1, NULL, 10);
	for (const char *c = s; c < e; c++)
		if (*c >= '0' && *c <= '9')
			digits[nd++] = *c;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	if (signbit(v))
		buf[k++] = '-';
	if (x >= 16 || x < -4) {
		buf[k++] = digits[0];
		if (nd > 1) {
			buf[k++] = '.';
			memcpy(buf + k, digits + 1, (size_t)nd - 1);
			k += (size_t)nd - 1;
		}
		snprintf(buf + k, size - k, "e%c%02d", x < 0 ? '-' : '+',
			 x < 0 ? -x : x);
		return;
	}
	if (x < 0) {
		buf[k++] = '0';
		buf[k++] = '.';
		for (int i = -1; i > x; i--)
			buf[k++] = '0';
		memcpy(buf + k, digits, (size_t)nd);
		k += (size_t)nd;
	} else {
		for (int i = 0; i <= x; i++)
			buf[k++] = i < nd ? digits[i] : '0';
		buf[k++] = '.';
		if (nd > x + 1) {
			memcpy(buf + k, digits + x + 1, (size_t)(nd - x - 1));
			k += (size_t)(nd - x - 1);
		} else {
			buf[k++] = '0';
		}
	}
	buf[k] = '\0';
}

/* ---- expressions -------------------------------------------------------- */

static void expr(struct w *w, const struct kl_expr *e);

static void key_expr(struct w *w, int *n, const char *k,
		     const struct kl_expr *e)
{
	key(w, n, k);
	if (e)
		expr(w, e);
	else
		sb_puts(&w->sb, "null");
}

static void args(struct w *w, int *n, const char *k, const struct kl_expr *call)
{
	int m = 0;

	key(w, n, k);
	begin(w, "[");
	for (size_t i = 0; i < call->nargs; i++) {
		item(w, &m);
		expr(w, call->args[i]);
	}
	end(w, m, "]");
}

static const char *op_name(const char *const *names, int count, int op)
{
	return op >= 0 && op < count ? names[op] : "unknown";
}

static void literal(struct w *w, const struct kl_expr *e)
{
	char buf[48];

	switch (e->kind) {
	case KE_INT:
		if (e->ival >> 63)
			snprintf(buf, sizeof buf, "%" PRId64, (int64_t)e->ival);
		else
			snprintf(buf, sizeof buf, "%" PRIu64, e->ival);
		break;
	case KE_FLOAT:
		py_float(buf, sizeof buf, e->fval);
		break;
	case KE_BOOL:
		snprintf(buf, sizeof buf, "%s", e->ival ? "true" : "false");
		break;
	default:
		string(w, e->str ? e->str : "");
		return;
	}
	sb_puts(&w->sb, buf);
}

static void expr(struct w *w, const struct kl_expr *e)
{
	int n = 0;

	begin(w, "{");
	switch (e->kind) {
	case KE_VAR:
		key_str(w, &n, "type", "var");
		key_str(w, &n, "name", e->name);
		break;
	case KE_INT:
	case KE_FLOAT:
	case KE_BOOL:
	case KE_STRING:
		key_str(w, &n, "type", "literal");
		key(w, &n, "value");
		literal(w, e);
		break;
	case KE_BINARY:
		key_str(w, &n, "type", "binary_op");
		key_str(w, &n, "op", op_name(kl_binop_names, KB_COUNT, e->op));
		key_expr(w, &n, "left", e->a);
		key_expr(w, &n, "right", e->b);
		break;
	case KE_UNARY:
		key_str(w, &n, "type", "unary_op");
		key_str(w, &n, "op", op_name(kl_unop_names, KU_COUNT, e->op));
		key_expr(w, &n, "operand", e->a);
		break;
	case KE_INDEX:
		key_str(w, &n, "type", "index");
		key_expr(w, &n, "array", e->a);
		key_expr(w, &n, "index", e->b);
		break;
	case KE_CALL:
		key_str(w, &n, "type", "call");
		key_str(w, &n, "function", e->name);
		args(w, &n, "args", e);
		break;
	case KE_IFEXPR:
		key_str(w, &n, "type", "if_expr");
		key_expr(w, &n, "condition", e->c);
		key_expr(w, &n, "then", e->a);
		key_expr(w, &n, "else", e->b);
		break;
	}
	end(w, n, "}");
}

/* ---- statements --------------------------------------------------------- */

static void block(struct w *w, const struct kl_block *b);

static void key_block(struct w *w, int *n, const char *k,
		      const struct kl_block *b)
{
	key(w, n, k);
	block(w, b);
}

/* The parallel_* statements: their fields, in the call's order. */
static const struct {
	const char *name;
	const char *fields[5];
	size_t nargs, op;
} parallel[] = {
	{"parallel_map_unary", {"input", "output", "operation", "count"}, 4, 2},
	{"parallel_map_binary",
	 {"input_a", "input_b", "output", "operation", "count"},
	 5,
	 3},
	{"parallel_reduce", {"input", "output", "operation", "count"}, 4, 2},
};

/* A call statement of a parallel_* intrinsic; 0 if c is none. */
static int parallel_stmt(struct w *w, int *n, const struct kl_expr *c)
{
	for (size_t k = 0; k < sizeof parallel / sizeof *parallel; k++) {
		if (strcmp(c->name, parallel[k].name) != 0 ||
		    c->nargs != parallel[k].nargs ||
		    c->args[parallel[k].op]->kind != KE_STRING)
			continue;
		key_str(w, n, "type", c->name);
		for (size_t i = 0; i < c->nargs; i++)
			if (i == parallel[k].op)
				key_str(w, n, parallel[k].fields[i],
					c->args[i]->str);
			else
				key_expr(w, n, parallel[k].fields[i],
					 c->args[i]);
		return 1;
	}
	return 0;
}

static void stmt(struct w *w, const struct kl_stmt *s)
{
	int n = 0;

	begin(w, "{");
	switch (s->kind) {
	case KS_LET:
		key_str(w, &n, "type", "let");
		key_str(w, &n, "name", s->name);
		key_expr(w, &n, "value", s->value);
		break;
	case KS_ASSIGN:
		key_str(w, &n, "type", "assign");
		key_expr(w, &n, "target", s->target);
		key_expr(w, &n, "value", s->value);
		break;
	case KS_IF:
		key_str(w, &n, "type", "if");
		key_expr(w, &n, "condition", s->value);
		key_block(w, &n, "then_body", &s->body);
		if (s->has_else) {
			key_block(w, &n, "else_body", &s->orelse);
		} else {
			key(w, &n, "else_body");
			sb_puts(&w->sb, "null");
		}
		break;
	case KS_FOR:
		key_str(w, &n, "type", "for");
		key_str(w, &n, "var", s->name);
		key_expr(w, &n, "start", s->start);
		key_expr(w, &n, "stop", s->stop);
		key_expr(w, &n, "step", s->step);
		key_block(w, &n, "body", &s->body);
		break;
	case KS_WHILE:
		key_str(w, &n, "type", "while");
		key_expr(w, &n, "condition", s->value);
		key_block(w, &n, "body", &s->body);
		break;
	case KS_BREAK:
		key_str(w, &n, "type", "break");
		break;
	case KS_CONTINUE:
		key_str(w, &n, "type", "continue");
		break;
	case KS_RETURN:
		key_str(w, &n, "type", "return");
		key_expr(w, &n, "value", s->value);
		break;
	case KS_EXPR:
		if (s->value && s->value->kind == KE_CALL) {
			if (parallel_stmt(w, &n, s->value))
				break;
			key_str(w, &n, "type", "call");
			key_str(w, &n, "function", s->value->name);
			args(w, &n, "args", s->value);
		} else {
			/* Not a call: no v1.0 form (readers refuse it). */
			key_str(w, &n, "type", "expr");
			key_expr(w, &n, "value", s->value);
		}
		break;
	}
	end(w, n, "}");
}

static void block(struct w *w, const struct kl_block *b)
{
	int n = 0;

	begin(w, "[");
	for (size_t i = 0; i < b->n; i++) {
		item(w, &n);
		stmt(w, b->v[i]);
	}
	end(w, n, "]");
}

/* ---- kernels ------------------------------------------------------------ */

static const char *scalar_name(uint8_t t)
{
	return t == KL_BOOL ? "bool" : atlas_type_name((enum atlas_type)t);
}

static void scalar_type(struct w *w, uint8_t t)
{
	int n = 0;

	begin(w, "{");
	key_str(w, &n, "kind", "scalar");
	key_str(w, &n, "type", scalar_name(t));
	end(w, n, "}");
}

static void param(struct w *w, const struct kl_param *q)
{
	int n = 0, m = 0;

	begin(w, "{");
	key_str(w, &n, "name", q->name);
	key(w, &n, "type");
	if (q->type.array) {
		begin(w, "{");
		key_str(w, &m, "kind", "device_array");
		key(w, &m, "element_type");
		scalar_type(w, q->type.elem);
		end(w, m, "}");
	} else {
		scalar_type(w, q->type.elem);
	}
	end(w, n, "}");
}

static void kernel(struct w *w, const struct kl_func *f)
{
	int n = 0, k = 0, m = 0;

	begin(w, "{");
	key_str(w, &n, "version", "1.0");
	key(w, &n, "kernel");
	begin(w, "{");
	key_str(w, &k, "name", f->name);
	key(w, &k, "params");
	begin(w, "[");
	for (size_t i = 0; i < f->nparams; i++) {
		item(w, &m);
		param(w, &f->params[i]);
	}
	end(w, m, "]");
	key_block(w, &k, "body", &f->body);
	end(w, k, "}");
	end(w, n, "}");
}

char *kl_write_v1(const struct kl_module *m)
{
	struct w w;
	size_t nk = 0;
	int n = 0;

	memset(&w, 0, sizeof w);
	sb_init(&w.sb);
	for (size_t i = 0; i < m->nfuncs; i++)
		nk += !m->funcs[i].is_inline;
	if (nk != 1)
		begin(&w, "[");
	for (size_t i = 0; i < m->nfuncs; i++) {
		if (m->funcs[i].is_inline)
			continue;
		if (nk != 1)
			item(&w, &n);
		kernel(&w, &m->funcs[i]);
	}
	if (nk != 1)
		end(&w, n, "]");
	sb_puts(&w.sb, "\n");
	return sb_finish(&w.sb);
}
