/*
 * t-kl-v1.c - the original's v1.0 JSON kernels: the example kernels of
 * reference 3.7, written as the original compiler writes them (by
 * test/fixtures/kl/original-compiler.py, an emulation over Python's own
 * ast), read to the expected trees; the Python front end writes the same
 * text; python -> v1 -> read -> v1 is byte-identical; literals keep int
 * versus float; kl_is_v1 tells the forms apart; schema errors name the
 * path and the position of the offending value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl.h"
#include "kl_sx.h"
#include "program.h"
#include "files.h"
#include "tap.h"

#define FIXTURES "test/fixtures/kl"

static const struct {
	const char *name, *body;
} kernels[] = {
	{"vector_add", "{let idx get_global_id(); if (lt idx n) {set c[idx] "
		       "(add a[idx] b[idx])}}"},
	{"vector_dot", "{let idx get_global_id(); if (lt idx n) {let product "
		       "(mul a[idx] b[idx]); do atomic_add_f32(result, "
		       "product)}}"},
	{"gemv_f32",
	 "{let thread_id get_global_id(); if (lt thread_id m) {let sum_val "
	 "0f; for j 0 n 1 {set sum_val (add sum_val (mul A[(add (mul "
	 "thread_id lda) j)] x[j]))}; set y[thread_id] sum_val}}"},
	{"relu", "{let idx get_global_id(); if (lt idx n) {let value a[idx]; "
		 "if (gt value 0f) {set b[idx] value} else {set b[idx] 0f}}}"},
	{"layer_norm",
	 "{let pos get_global_id(); if (lt pos num_positions) {let off (mul "
	 "pos hidden_dim); let mean 0f; for i 0 hidden_dim 1 {set mean (add "
	 "mean input[(add off i)])}; set mean (div mean float(hidden_dim)); "
	 "let var 0f; for i 0 hidden_dim 1 {let d (sub input[(add off i)] "
	 "mean); set var (add var (mul d d))}; set var (div var "
	 "float(hidden_dim)); for i 0 hidden_dim 1 {let x input[(add off "
	 "i)]; set output[(add off i)] (add (mul (mul gamma[i] (sub x mean)) "
	 "rsqrt((add var eps))) beta[i])}}}"},
	{"gemm_f32",
	 "{let tid get_global_id(); let total (mul m n); if (lt tid total) "
	 "{let i (floor_div tid n); let j (mod tid n); let sum_val 0f; for "
	 "k_idx 0 k 1 {set sum_val (add sum_val (mul A[(add (mul i lda) "
	 "k_idx)] B[(add (mul k_idx ldb) j)]))}; set C[(add (mul i ldc) j)] "
	 "sum_val}}"},
	{"nested", "{let idx get_global_id(); if (lt idx n) {let acc 0f; for "
		   "j 0 k 1 {let v a[(add (mul idx k) j)]; if (gt v 0f) {set "
		   "acc (add acc v)} else {if (lt v (neg 1f)) {set acc (sub "
		   "acc 1f)}}}; set out[idx] acc}}"},
	{"sigmoid", "{let idx get_global_id(); if (lt idx n) {set c[idx] (div "
		    "1f (add 1f exp((neg a[idx]))))}}"},
};

static char *read_fixture(const char *name, const char *ext, size_t *len)
{
	char path[256];
	char *s;

	snprintf(path, sizeof path, "%s/%s.%s", FIXTURES, name, ext);
	s = slurp(path, len);
	if (!s)
		diag("cannot read %s", path);
	return s;
}

/* The v1.0 text of Python source: parsed, expanded, written. */
static char *python_to_v1(const char *src, size_t len)
{
	struct kl_module *m = NULL;
	struct atlas_error err = {0};
	char *out;

	if (kl_parse_python(src, len, &m, &err) || kl_expand_inline(m, &err)) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		kl_module_free(m);
		return NULL;
	}
	out = kl_write_v1(m);
	kl_module_free(m);
	return out;
}

/* Read v1.0 text and write it again. */
static char *v1_to_v1(const char *text, size_t len)
{
	struct kl_module *m = NULL;
	struct atlas_error err = {0};
	char *out;

	if (kl_read_v1(text, len, &m, &err)) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		return NULL;
	}
	out = kl_write_v1(m);
	kl_module_free(m);
	return out;
}

/* s with every "unknown" op replaced by "floor_div" (free it). */
static char *unknown_to_floor_div(const char *s)
{
	struct strbuf sb;
	const char *p;

	sb_init(&sb);
	while ((p = strstr(s, "\"unknown\""))) {
		sb_add(&sb, s, (size_t)(p - s));
		sb_puts(&sb, "\"floor_div\"");
		s = p + 9;
	}
	sb_puts(&sb, s);
	return sb_finish(&sb);
}

static void test_kernel(const char *name, const char *body)
{
	char *json, *py, *out, *want;
	struct kl_module *m = NULL;
	struct atlas_error err = {0};
	size_t jlen, plen;
	char *sx;

	json = read_fixture(name, "json", &jlen);
	py = read_fixture(name, "py", &plen);
	if (!json || !py) {
		ok(0, "%s: fixtures", name);
		free(json);
		free(py);
		return;
	}
	ok(kl_is_v1(json, jlen), "%s: detected as v1.0", name);
	if (ok(kl_read_v1(json, jlen, &m, &err) == ATLAS_OK, "%s: reads",
	       name)) {
		sx = m->nfuncs == 1 ? sx_of_block(&m->funcs[0].body) : NULL;
		is_str(sx, body, "  the tree");
		ok(m->nfuncs == 1 && strcmp(m->funcs[0].name, name) == 0,
		   "  its name");
		free(sx);
	} else {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
	}
	kl_module_free(m);
	/* Ours writes floor_div where the original wrote "unknown". */
	want = unknown_to_floor_div(json);
	out = v1_to_v1(json, jlen);
	ok(out && strcmp(out, want) == 0, "%s: v1 -> v1 %s", name,
	   strcmp(want, json) ? "(unknown -> floor_div)" : "is identical");
	free(out);
	out = python_to_v1(py, plen);
	ok(out && strcmp(out, want) == 0, "%s: python -> v1 is the fixture",
	   name);
	free(out);
	free(want);
	free(json);
	free(py);
}

static void test_round_trip(const char *name)
{
	char *py, *a, *b = NULL;
	size_t len;

	py = read_fixture(name, "py", &len);
	a = py ? python_to_v1(py, len) : NULL;
	if (a)
		b = v1_to_v1(a, strlen(a));
	ok(a && b && strcmp(a, b) == 0,
	   "%s: python -> v1 -> read -> v1 is byte-identical", name);
	free(a);
	free(b);
	free(py);
}

/* Strings as arguments anywhere in a call, parallel_* ones included. */
static void test_string_args(void)
{
	static const char src[] =
		"def k(a: DeviceArray[f32], n: u32):\n"
		"    log('x=', a[0], \"\\u00e9\\n\")\n"
		"    parallel_map_unary(a, 'b', \"exp\", n)\n";
	char *a = python_to_v1(src, strlen(src)), *b = NULL;

	if (a)
		b = v1_to_v1(a, strlen(a));
	ok(a && b && strcmp(a, b) == 0 &&
		   strstr(a, "\"value\": \"\\u00e9\\n\"") != NULL &&
		   strstr(a,
			  "\"output\": {\n          \"type\": "
			  "\"literal\",\n          \"value\": \"b\"") != NULL,
	   "string arguments: written escaped, read back");
	free(a);
	free(b);
}

static void test_extensions(void)
{
	char *py, *json, *out;
	struct kl_module *m = NULL;
	struct atlas_error err;
	size_t plen, jlen;

	py = read_fixture("extensions", "py", &plen);
	json = read_fixture("extensions", "json", &jlen);
	out = py ? python_to_v1(py, plen) : NULL;
	ok(out && json && strcmp(out, json) == 0,
	   "extensions: while, break, continue, bit and bool ops, if_expr, "
	   "unary, **, //, two kernels as an array");
	free(out);
	test_round_trip("extensions");
	if (json && kl_read_v1(json, jlen, &m, &err) == ATLAS_OK) {
		const struct kl_stmt *w = m->funcs[0].body.v[3];

		ok(m->nfuncs == 2 && w->kind == KS_WHILE &&
			   w->body.v[1]->body.v[0]->kind == KS_CONTINUE &&
			   w->body.v[2]->body.v[0]->kind == KS_BREAK,
		   "extensions: the tree reads back");
		ok(m->funcs[0].params[1].type.array &&
			   m->funcs[0].params[1].type.elem == ATLAS_F64 &&
			   m->funcs[0].params[3].type.elem == KL_BOOL &&
			   m->funcs[1].params[0].type.elem == ATLAS_U8,
		   "extensions: parameter types");
	} else {
		ok(0, "extensions: reads");
	}
	kl_module_free(m);
	free(py);
	free(json);
}

#define K(params, body)                                                        \
	"{\"version\": \"1.0\", \"kernel\": {\"name\": \"k\", \"params\": "    \
	"[" params "], \"body\": [" body "]}}"
#define SCALAR(n, t)                                                           \
	"{\"name\": \"" n "\", \"type\": {\"kind\": \"scalar\", \"type\": "    \
	"\"" t "\"}}"
#define LET(n, v) "{\"type\": \"let\", \"name\": \"" n "\", \"value\": " v "}"
#define LIT(v) "{\"type\": \"literal\", \"value\": " v "}"
#define VAR(n) "{\"type\": \"var\", \"name\": \"" n "\"}"

static void test_literals(void)
{
	static const char text[] =
		"{\"version\": \"1.0\", \"kernel\": {\"name\": \"k\",\n"
		" \"params\": [\n"
		"  {\"name\": \"n\", \"type\": {\"kind\": \"scalar\", "
		"\"type\": \"usize\"}},\n"
		"  {\"name\": \"x\", \"type\": {\"kind\": \"scalar\", "
		"\"type\": \"i32\"}}],\n"
		" \"body\": [\n"
		"  {\"type\": \"let\", \"name\": \"a\", \"value\": "
		"{\"type\": \"literal\", \"value\": 1}},\n"
		"  {\"type\": \"let\", \"name\": \"b\", \"value\": "
		"{\"type\": \"literal\", \"value\": 1.0}},\n"
		"  {\"type\": \"let\", \"name\": \"c\", \"value\": "
		"{\"type\": \"literal\", \"value\": 1e3}},\n"
		"  {\"type\": \"let\", \"name\": \"d\", \"value\": "
		"{\"type\": \"literal\", \"value\": -5}},\n"
		"  {\"type\": \"let\", \"name\": \"e\", \"value\": "
		"{\"type\": \"literal\", \"value\": 18446744073709551615}},\n"
		"  {\"type\": \"let\", \"name\": \"f\", \"value\": "
		"{\"type\": \"literal\", \"value\": true}},\n"
		"  {\"type\": \"let\", \"name\": \"g\", \"value\": "
		"{\"type\": \"literal\", \"value\": -0.0}},\n"
		"  {\"type\": \"let\", \"name\": \"h\", \"value\": "
		"{\"type\": \"literal\", \"value\": 2E-1}},\n"
		"  {\"type\": \"return\"},\n"
		"  {\"type\": \"call\", \"function\": \"f\", \"args\": "
		"[{\"type\": \"literal\", \"value\": \"op\"}]}]}}\n";
	struct kl_module *m = NULL;
	struct atlas_error err;
	const struct kl_block *b;

	if (!ok(kl_read_v1(text, strlen(text), &m, &err) == ATLAS_OK,
		"literals read")) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		return;
	}
	b = &m->funcs[0].body;
	ok(b->v[0]->value->kind == KE_INT && b->v[0]->value->ival == 1,
	   "1 is an int");
	ok(b->v[1]->value->kind == KE_FLOAT && b->v[1]->value->fval == 1.0,
	   "1.0 is a float");
	ok(b->v[2]->value->kind == KE_FLOAT && b->v[2]->value->fval == 1000,
	   "1e3 is a float");
	ok(b->v[3]->value->kind == KE_INT &&
		   b->v[3]->value->ival == (uint64_t)-5,
	   "-5 is an int, two's complement");
	ok(b->v[4]->value->kind == KE_INT && b->v[4]->value->ival == UINT64_MAX,
	   "2^64-1 is exact");
	ok(b->v[5]->value->kind == KE_BOOL && b->v[5]->value->ival == 1,
	   "true is a bool");
	ok(b->v[6]->value->kind == KE_FLOAT && b->v[6]->value->fval == 0,
	   "-0.0 is a float");
	ok(b->v[7]->value->kind == KE_FLOAT && b->v[7]->value->fval == 0.2,
	   "2E-1 is a float");
	ok(b->v[8]->kind == KS_RETURN && !b->v[8]->value,
	   "return without value");
	ok(b->v[9]->kind == KS_EXPR &&
		   b->v[9]->value->args[0]->kind == KE_STRING &&
		   strcmp(b->v[9]->value->args[0]->str, "op") == 0,
	   "a string literal as a call argument");
	ok(m->funcs[0].params[0].type.elem == ATLAS_U64 &&
		   m->funcs[0].params[1].line == 4 &&
		   m->funcs[0].params[1].col == 3,
	   "usize is u64; parameters have positions");
	is_int(b->v[1]->line * 100 + b->v[1]->col, 703,
	       "statement at its object");
	is_int(b->v[1]->value->line * 100 + b->v[1]->value->col, 741,
	       "expression at its object");
	kl_module_free(m);
}

static void test_detect(void)
{
	static const char *const yes[] = {
		"{\"version\": \"1.0\", \"kernel\": {}}",
		"  [ {\"version\":\"1.0\"} ]",
		"{\"kernel\": {}, \"version\": \"2.0\"}",
	};
	static const char *const no[] = {
		"{\"format\": \"atlas-program\", \"version\": 1}",
		"[]",
		"",
		"{\"kernel\": \"k\"}",
		"{\"version\" 1}",
		"def k(a: u32):",
	};
	struct kl_module *m = NULL;
	struct atlas_error err;
	char *out;

	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		ok(kl_is_v1(yes[i], strlen(yes[i])), "v1: %s", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		ok(!kl_is_v1(no[i], strlen(no[i])), "not v1: %s", no[i]);
	ok(kl_read_v1("[]", 2, &m, &err) == ATLAS_OK && m->nfuncs == 0,
	   "an empty array is no kernel");
	out = m ? kl_write_v1(m) : NULL;
	is_str(out, "[]\n", "no kernel writes []");
	free(out);
	kl_module_free(m);
	m = NULL;
	ok(kl_read_v1("{}", 2, &m, NULL) == ATLAS_ERR_PARSE && m == NULL,
	   "errors without an error record");
}

static const struct {
	const char *text;
	const char *at; /* the offending value: its first occurrence */
	const char *msg;
} errors[] = {
	{"{\"version\": \"2.0\", \"kernel\": {}}", "\"2.0\"",
	 "unsupported schema version: 2.0"},
	{"{\"version\": 1.0, \"kernel\": {}}", "1.0",
	 "'version' must be a string"},
	{"{\"kernel\": {}}", "{", "missing key 'version'"},
	{"{\"version\": \"1.0\", \"kernel\": {}, \"extra\": 1}", "\"extra\"",
	 "unknown key 'extra'"},
	{"{\"version\": \"1.0\", \"kernel\": {\"name\": \"\", \"params\": [], "
	 "\"body\": []}}",
	 "\"\"", "kernel: kernel name cannot be empty"},
	{"{\"version\": \"1.0\", \"kernel\": {\"name\": \"a-b\", \"params\": "
	 "[], \"body\": []}}",
	 "\"a-b\"", "kernel: invalid kernel name 'a-b'"},
	{"{\"version\": \"1.0\", \"kernel\": {\"name\": \"k\", \"nam\": 1}}",
	 "\"nam\"", "kernel: unknown key 'nam'"},
	{"{\"version\": \"1.0\", \"kernel\": {\"name\": \"k\", \"params\": [], "
	 "\"body\": 3}}",
	 "3}", "kernel: 'body' must be an array"},
	{K("{\"name\": \"p\", \"type\": {\"kind\": \"device_ptr\"}}", ""),
	 "\"device_ptr\"",
	 "kernel.params[0].type: device_ptr parameters are not supported"},
	{K(SCALAR("a", "u32") ", " SCALAR("b", "f16"), ""), "\"f16\"",
	 "kernel.params[1].type: unknown scalar type 'f16'"},
	{K("{\"name\": \"a\", \"type\": {\"kind\": \"device_array\", "
	   "\"element_type\": {\"kind\": \"scalar\", \"type\": \"bool\"}}}",
	   ""),
	 "{\"kind\": \"scalar\"",
	 "kernel.params[0].type.element_type: arrays of bool are not "
	 "supported"},
	{K(SCALAR("a", "u32") ", " SCALAR("a", "f32"), ""),
	 "\"a\", \"type\": "
	 "{\"kind\": "
	 "\"scalar\", "
	 "\"type\": \"f32",
	 "kernel.params[1]: duplicate parameter 'a'"},
	{K("", "{\"type\": \"foo\"}"), "\"foo\"",
	 "kernel.body[0]: unknown statement type 'foo'"},
	{K("", LET("a", LIT("1")) ", " LET("b", LIT("2")) ", " LET(
		       "c", "{\"type\": \"foo\"}")),
	 "\"foo\"", "kernel.body[2].value: unknown expression type 'foo'"},
	{K("", LET("a", "{\"type\": \"binary_op\", \"op\": \"xor\", "
			"\"left\": " VAR("x") ", \"right\": " VAR("y") "}")),
	 "\"xor\"", "kernel.body[0].value: unknown operator 'xor'"},
	{K("", "{\"type\": \"assign\", \"target\": " LIT(
		       "1") ", \"value\": " LIT("2") "}"),
	 "{\"type\": \"literal\"",
	 "kernel.body[0]: 'target' must be a var or an index"},
	{K("", LET("a", "{\"type\": \"index\", \"array\": " LIT(
				"1") ", \"index\": " LIT("2") "}")),
	 "{\"type\": \"literal\"",
	 "kernel.body[0].value: 'array' must be a var"},
	{K("", LET("a", LIT("\"s\""))), "\"s\"",
	 "kernel.body[0].value: string literals are only allowed as call "
	 "arguments"},
	{K("", LET("a", LIT("null"))), "null",
	 "kernel.body[0].value: 'value' must be a number or a bool"},
	{K("", LET("a", LIT("18446744073709551616"))), "1844",
	 "kernel.body[0].value: integer literal out of range"},
	{K("", "{\"type\": \"let\", \"name\": \"a\"}"), "{\"type\": \"let\"",
	 "kernel.body[0]: missing key 'value'"},
	{K("",
	   "{\"type\": \"let\", \"name\": \"1x\", \"value\": " LIT("1") "}"),
	 "\"1x\"", "kernel.body[0]: invalid name '1x'"},
	{K("", "{\"type\": \"if\", \"condition\": " LIT(
		       "true") ", \"then_body\": [], \"else_body\": 5}"),
	 "5}", "kernel.body[0]: 'else_body' must be an array or null"},
	{K("", "{\"type\": \"break\"}"), "{\"type\": \"break\"}",
	 "kernel.body[0]: 'break' outside loop"},
	{K("", "{\"type\": \"while\", \"condition\": " LIT(
		       "true") ", \"body\": [{\"type\": \"continue\", "
			       "\"x\": 1}]}"),
	 "\"x\"", "kernel.body[0].body[0]: unknown key 'x'"},
	{K("",
	   "{\"type\": \"parallel_map_unary\", \"input\": " VAR(
		   "a") ", \"output\": " VAR("a") ", \"count\": " VAR("n") "}"),
	 "{\"type\": \"parallel_map_unary\"",
	 "kernel.body[0]: missing key 'operation'"},
	{K("", "{\"type\": \"call\", \"function\": \"f\", \"args\": {}}"), "{}",
	 "kernel.body[0]: 'args' must be an array"},
	{K("", "{\"type\": \"call\", \"function\": \"f\", \"args\": [" LIT(
		       "1") ", {\"type\": \"unary_op\", \"op\": \"abs\", "
			    "\"operand\": " LIT("1") "}]}"),
	 "\"abs\"", "kernel.body[0].args[1]: unknown unary operator 'abs'"},
	{K("", LET("a", LIT("1")) ", " LET("a", LIT("1"))),
	 "{\"type\": \"let\"", NULL},
	{"{\"version\": \"1.0\", \"version\": \"1.0\"}",
	 "\"version\": \"1.0\"}", "duplicate key 'version'"},
	{"[{\"version\": \"1.0\", \"kernel\": {\"name\": \"k\", \"params\": [], "
	 "\"body\": []}}, {\"version\": \"0.9\"}]",
	 "\"0.9\"", "[1]: unsupported schema version: 0.9"},
	{"[{\"version\": \"1.0\", \"kernel\": {\"name\": \"k\", \"params\": [], "
	 "\"body\": []}}, {\"version\": \"1.0\", \"kernel\": {\"name\": \"k\", "
	 "\"params\": [], \"body\": []}}]",
	 "{\"version\": \"1.0\", \"kernel\": {\"name\": \"k\", \"params\": [], "
	 "\"body\": []}}]",
	 "[1]: duplicate kernel 'k'"},
	{"42", "42", "expected a v1.0 kernel object or an array of them"},
	{"{\"version\": \"1.0\" \"kernel\": 1}", "\"kernel\"",
	 "invalid JSON: expected ',' or '}'"},
	{"{\"version\": \"1.0\", \"kernel\": [1, 2,]}", "]}",
	 "invalid JSON: unexpected character ']'"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
		const char *text = errors[i].text;
		const char *at = strstr(text, errors[i].at);
		struct kl_module *m = NULL;
		struct atlas_error err = {0};
		enum atlas_status st;
		size_t col = at ? (size_t)(at - text) + 1 : 0;

		st = kl_read_v1(text, strlen(text), &m, &err);
		if (!errors[i].msg) {
			/* A let of a declared name is just a let. */
			ok(st == ATLAS_OK, "a second let of a name reads");
			kl_module_free(m);
			continue;
		}
		kl_module_free(m);
		if (!ok(st == ATLAS_ERR_PARSE &&
				strcmp(err.msg, errors[i].msg) == 0 &&
				err.line == 1 && err.col == col,
			"1:%zu: %s", col, errors[i].msg))
			diag("got %d %zu:%zu: %s", st, err.line, err.col,
			     err.msg);
	}
}

/* Positions on later lines of an indented file. */
static void test_positions(void)
{
	char *json, *bad;
	size_t len;
	struct kl_module *m = NULL;
	struct atlas_error err;
	char *p;

	json = read_fixture("relu", "json", &len);
	if (!json)
		return;
	if (kl_read_v1(json, len, &m, &err) == ATLAS_OK) {
		const struct kl_stmt *s = m->funcs[0].body.v[1];

		/* The if object starts on its own line at column 7. */
		ok(s->kind == KS_IF && s->col == 7 && s->line > 30 &&
			   s->body.v[1]->line > s->line &&
			   s->body.v[1]->has_else,
		   "statements carry line and column (%u:%u)", s->line, s->col);
	}
	kl_module_free(m);
	m = NULL;
	bad = strdup(json);
	p = strstr(bad, "\"gt\"");
	memcpy(p, "\"gx\"", 4);
	ok(kl_read_v1(bad, len, &m, &err) == ATLAS_ERR_PARSE &&
		   strcmp(err.msg, "kernel.body[1].then_body[1].condition: "
				   "unknown operator 'gx'") == 0,
	   "nested path: %s", err.msg);
	{
		size_t line, col;

		text_linecol(bad, (size_t)(p - bad), &line, &col);
		ok(err.line == line && err.col == col,
		   "  at the op's value %zu:%zu", line, col);
	}
	kl_module_free(m);
	free(bad);
	free(json);
}

int main(void)
{
	for (size_t i = 0; i < sizeof kernels / sizeof *kernels; i++)
		test_kernel(kernels[i].name, kernels[i].body);
	for (size_t i = 0; i < sizeof kernels / sizeof *kernels; i++)
		test_round_trip(kernels[i].name);
	test_extensions();
	test_string_args();
	test_literals();
	test_detect();
	test_errors();
	test_positions();
	return done_testing();
}
