/*
 * t-kl-parse.c - the Python kernel language front end: every construct
 * parses to the expected tree (written compactly as S-expressions), with
 * Python's precedence, comparison chains, elif, augmented assignment,
 * the let/assign rule, docstrings, literals, the lexer's line structure;
 * @inline expansion; and malformed or unsupported input fails with the
 * exact message, line and column.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl.h"
#include "kl_sx.h"
#include "program.h"
#include "text_util.h"
#include "tap.h"

/* ---- helpers ------------------------------------------------------------ */

/* Parse src and expand inline helpers; NULL (with a diagnostic) on error. */
static struct kl_module *parse(const char *src, struct atlas_error *err)
{
	struct kl_module *m = NULL;

	memset(err, 0, sizeof *err);
	if (kl_parse_python(src, strlen(src), &m, err) != ATLAS_OK)
		return NULL;
	if (kl_expand_inline(m, err) != ATLAS_OK) {
		kl_module_free(m);
		return NULL;
	}
	return m;
}

/* The body of the first function of src, as text (free it). */
static char *body_of(const char *src)
{
	struct atlas_error err;
	struct kl_module *m = parse(src, &err);
	char *s;

	if (!m) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		return NULL;
	}
	s = m->nfuncs ? sx_of_block(&m->funcs[0].body) : NULL;
	kl_module_free(m);
	return s;
}

static void body_is(const char *src, const char *want, const char *name)
{
	char *got = body_of(src);

	is_str(got, want, name);
	free(got);
}

/* The tree of one expression. */
static void expr_is(const char *expr, const char *want)
{
	char src[512];
	char *got, *v;

	snprintf(src, sizeof src, "def k(x: f32):\n    r = %s\n", expr);
	got = body_of(src);
	/* "{let r E}" -> "E" */
	v = got && strlen(got) > 7 ? got + 7 : NULL;
	if (v)
		v[strlen(v) - 1] = '\0';
	is_str(v, want, expr);
	free(got);
}

static void error_is(const char *src, size_t line, size_t col, const char *msg)
{
	struct atlas_error err;
	struct kl_module *m = parse(src, &err);

	if (!ok(m == NULL, "refused: %s", msg)) {
		kl_module_free(m);
		return;
	}
	if (!ok(err.code == ATLAS_ERR_PARSE && strcmp(err.msg, msg) == 0 &&
			err.line == line && err.col == col,
		"  %zu:%zu: %s", line, col, msg))
		diag("got %d %zu:%zu: %s", err.code, err.line, err.col,
		     err.msg);
}

/* ---- tests -------------------------------------------------------------- */

static void test_ast(void)
{
	struct kl_expr *call = kl_expr_new(KE_CALL, 3, 4), *copy;
	struct kl_block b = {0};
	int good = 1;

	is_str(kl_binop_names[KB_FLOOR_DIV], "floor_div", "binop name //");
	is_str(kl_binop_names[KB_SHR], "shr", "binop name >>");
	is_str(kl_binop_names[KB_BIT_XOR], "bit_xor", "binop name ^");
	is_str(kl_unop_names[KU_INV], "inv", "unop name ~");
	call->name = strdup("f");
	for (int i = 0; i < 40 && good; i++) {
		struct kl_expr *a = kl_expr_new(KE_INT, 1, (uint32_t)i + 1);

		a->ival = (uint64_t)i;
		good = kl_call_push(call, a) == 0;
	}
	ok(good && call->nargs == 40, "kl_call_push: 40 arguments");
	copy = kl_expr_copy(call);
	ok(copy && copy != call && copy->nargs == 40 &&
		   strcmp(copy->name, "f") == 0 && copy->name != call->name &&
		   copy->args[39]->ival == 39 && copy->args[39]->col == 40 &&
		   copy->line == 3 && copy->col == 4,
	   "kl_expr_copy: deep copy with positions");
	kl_expr_free(call);
	kl_expr_free(copy);
	for (int i = 0; i < 100 && good; i++)
		good = kl_block_push(&b, kl_stmt_new(KS_BREAK, 1, 1)) == 0;
	ok(good && b.n == 100, "kl_block_push: 100 statements");
	kl_block_release(&b);
	ok(b.n == 0 && b.v == NULL, "kl_block_release empties the block");
	kl_expr_free(NULL);
	kl_stmt_free(NULL);
	kl_module_free(NULL);
}

static void test_vector_add(void)
{
	static const char src[] =
		"from atlas_kernel import DeviceArray, f32, u32\n"
		"\n"
		"@atlas_kernel\n"
		"def vector_add(a: DeviceArray[f32], b: DeviceArray[f32],\n"
		"               c: DeviceArray[f32], n: u32):\n"
		"    \"\"\"c = a + b\"\"\"\n"
		"    idx = get_global_id()\n"
		"    if idx < n:\n"
		"        c[idx] = a[idx] + b[idx]\n";
	static const char want[] =
		"{\n"
		"  \"version\": \"1.0\",\n"
		"  \"kernel\": {\n"
		"    \"name\": \"vector_add\",\n"
		"    \"params\": [\n"
		"      {\n"
		"        \"name\": \"a\",\n"
		"        \"type\": {\n"
		"          \"kind\": \"device_array\",\n"
		"          \"element_type\": {\n"
		"            \"kind\": \"scalar\",\n"
		"            \"type\": \"f32\"\n"
		"          }\n"
		"        }\n"
		"      },\n"
		"      {\n"
		"        \"name\": \"b\",\n"
		"        \"type\": {\n"
		"          \"kind\": \"device_array\",\n"
		"          \"element_type\": {\n"
		"            \"kind\": \"scalar\",\n"
		"            \"type\": \"f32\"\n"
		"          }\n"
		"        }\n"
		"      },\n"
		"      {\n"
		"        \"name\": \"c\",\n"
		"        \"type\": {\n"
		"          \"kind\": \"device_array\",\n"
		"          \"element_type\": {\n"
		"            \"kind\": \"scalar\",\n"
		"            \"type\": \"f32\"\n"
		"          }\n"
		"        }\n"
		"      },\n"
		"      {\n"
		"        \"name\": \"n\",\n"
		"        \"type\": {\n"
		"          \"kind\": \"scalar\",\n"
		"          \"type\": \"u32\"\n"
		"        }\n"
		"      }\n"
		"    ],\n"
		"    \"body\": [\n"
		"      {\n"
		"        \"type\": \"let\",\n"
		"        \"name\": \"idx\",\n"
		"        \"value\": {\n"
		"          \"type\": \"call\",\n"
		"          \"function\": \"get_global_id\",\n"
		"          \"args\": []\n"
		"        }\n"
		"      },\n"
		"      {\n"
		"        \"type\": \"if\",\n"
		"        \"condition\": {\n"
		"          \"type\": \"binary_op\",\n"
		"          \"op\": \"lt\",\n"
		"          \"left\": {\n"
		"            \"type\": \"var\",\n"
		"            \"name\": \"idx\"\n"
		"          },\n"
		"          \"right\": {\n"
		"            \"type\": \"var\",\n"
		"            \"name\": \"n\"\n"
		"          }\n"
		"        },\n"
		"        \"then_body\": [\n"
		"          {\n"
		"            \"type\": \"assign\",\n"
		"            \"target\": {\n"
		"              \"type\": \"index\",\n"
		"              \"array\": {\n"
		"                \"type\": \"var\",\n"
		"                \"name\": \"c\"\n"
		"              },\n"
		"              \"index\": {\n"
		"                \"type\": \"var\",\n"
		"                \"name\": \"idx\"\n"
		"              }\n"
		"            },\n"
		"            \"value\": {\n"
		"              \"type\": \"binary_op\",\n"
		"              \"op\": \"add\",\n"
		"              \"left\": {\n"
		"                \"type\": \"index\",\n"
		"                \"array\": {\n"
		"                  \"type\": \"var\",\n"
		"                  \"name\": \"a\"\n"
		"                },\n"
		"                \"index\": {\n"
		"                  \"type\": \"var\",\n"
		"                  \"name\": \"idx\"\n"
		"                }\n"
		"              },\n"
		"              \"right\": {\n"
		"                \"type\": \"index\",\n"
		"                \"array\": {\n"
		"                  \"type\": \"var\",\n"
		"                  \"name\": \"b\"\n"
		"                },\n"
		"                \"index\": {\n"
		"                  \"type\": \"var\",\n"
		"                  \"name\": \"idx\"\n"
		"                }\n"
		"              }\n"
		"            }\n"
		"          }\n"
		"        ],\n"
		"        \"else_body\": null\n"
		"      }\n"
		"    ]\n"
		"  }\n"
		"}\n";
	struct atlas_error err;
	struct kl_module *m = parse(src, &err);
	const struct kl_func *f;
	char *out;

	if (!ok(m != NULL, "vector_add parses")) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		return;
	}
	f = &m->funcs[0];
	is_int(m->nfuncs, 1, "one kernel");
	is_str(f->name, "vector_add", "kernel name");
	is_str(f->doc, "c = a + b", "docstring kept in doc");
	is_int(f->is_inline, 0, "not inline");
	is_int(f->line * 100 + f->col, 401, "function at its 'def'");
	is_int(f->nparams, 4, "four parameters");
	ok(f->params[0].type.array && f->params[0].type.elem == ATLAS_F32,
	   "a: DeviceArray[f32]");
	ok(!f->params[3].type.array && f->params[3].type.elem == ATLAS_U32,
	   "n: u32");
	is_int(f->params[2].line * 100 + f->params[2].col, 516,
	       "parameter c at 5:16");
	is_int(f->body.v[1]->line * 100 + f->body.v[1]->col, 805, "if at 8:5");
	is_int(f->body.v[1]->value->line * 100 + f->body.v[1]->value->col, 808,
	       "condition at 8:8");
	is_int(f->body.v[1]->body.v[0]->value->b->line * 100 +
		       f->body.v[1]->body.v[0]->value->b->col,
	       927, "b[idx] at 9:27");
	out = kl_write_v1(m);
	is_str(out, want, "vector_add as v1.0 JSON");
	free(out);
	kl_module_free(m);
}

static void test_precedence(void)
{
	static const char *const cases[][2] = {
		{"a + b * c", "(add a (mul b c))"},
		{"a * b + c", "(add (mul a b) c)"},
		{"a - b - c", "(sub (sub a b) c)"},
		{"a / b // c % d", "(mod (floor_div (div a b) c) d)"},
		{"a ** b ** c", "(pow a (pow b c))"},
		{"-a ** b", "(neg (pow a b))"},
		{"a ** -b", "(pow a (neg b))"},
		{"-a * b", "(mul (neg a) b)"},
		{"~a + +b", "(add (inv a) (pos b))"},
		{"- - a", "(neg (neg a))"},
		{"a | b ^ c & d", "(bit_or a (bit_xor b (bit_and c d)))"},
		{"a & b | c", "(bit_or (bit_and a b) c)"},
		{"a << b + c", "(shl a (add b c))"},
		{"a >> b << c", "(shl (shr a b) c)"},
		{"a & b << c", "(bit_and a (shl b c))"},
		{"a + b < c", "(lt (add a b) c)"},
		{"a | b == c", "(eq (bit_or a b) c)"},
		{"a < b", "(lt a b)"},
		{"a <= b", "(le a b)"},
		{"a > b", "(gt a b)"},
		{"a >= b", "(ge a b)"},
		{"a == b", "(eq a b)"},
		{"a != b", "(ne a b)"},
		{"a < b < c", "(and (lt a b) (lt b c))"},
		{"a < b <= c != d", "(and (and (lt a b) (le b c)) (ne c d))"},
		{"0 <= i + 1 < n", "(and (le 0 (add i 1)) (lt (add i 1) n))"},
		{"not a < b", "(not (lt a b))"},
		{"not not a", "(not (not a))"},
		{"a and b or c", "(or (and a b) c)"},
		{"a or b and c", "(or a (and b c))"},
		{"a and b and c", "(and (and a b) c)"},
		{"not a and b", "(and (not a) b)"},
		{"a if c else b", "(if c a b)"},
		{"a if c else b if d else e", "(if c a (if d b e))"},
		{"a or b if c or d else e", "(if (or c d) (or a b) e)"},
		{"(a + b) * c", "(mul (add a b) c)"},
		{"((a))", "a"},
		{"x[i * 4 + j]", "x[(add (mul i 4) j)]"},
		{"f()", "f()"},
		{"f(a, g(b), c[d],)", "f(a, g(b), c[d])"},
		{"max(a, b) - min(a, b)", "(sub max(a, b) min(a, b))"},
		{"-x[i]", "(neg x[i])"},
		{"-f(x) ** 2", "(neg (pow f(x) 2))"},
		{"1 - -1", "(sub 1 (neg 1))"},
		{"a < (b < c)", "(lt a (lt b c))"},
		{"(a < b) < c", "(lt (lt a b) c)"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		expr_is(cases[i][0], cases[i][1]);
}

static void test_literals(void)
{
	static const char *const cases[][2] = {
		{"0", "0"},
		{"42", "42"},
		{"1_000_000", "1000000"},
		{"0x1F", "31"},
		{"0XfF", "255"},
		{"0x_ff", "255"},
		{"0o17", "15"},
		{"0b1010", "10"},
		{"0b_1", "1"},
		{"00", "0"},
		{"18446744073709551615", "18446744073709551615"},
		{"2.5", "2.5f"},
		{"3.", "3f"},
		{".5", "0.5f"},
		{"1e3", "1000f"},
		{"1E-2", "0.01f"},
		{"1.5e+2", "150f"},
		{"1_0.2_5", "10.25f"},
		{"0.0", "0f"},
		{"007.5", "7.5f"},
		{"True", "True"},
		{"False", "False"},
	};
	static const char src[] =
		"def k(a: DeviceArray[f32], n: u32):\n"
		"    parallel_map_unary(a, a, \"sig\" 'moid', n)\n"
		"    parallel_map_binary(a, a, a, r'a\\d', n)\n"
		"    parallel_reduce(a, a, \"\\x41\\t\\u00e9\\101\\q\", n)\n";

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		expr_is(cases[i][0], cases[i][1]);
	body_is(src,
		"{do parallel_map_unary(a, a, \"sigmoid\", n); "
		"do parallel_map_binary(a, a, a, \"a\\d\", n); "
		"do parallel_reduce(a, a, \"A\t\xc3\xa9"
		"A\\q\", n)}",
		"strings: concatenation, raw, escapes");
}

static void test_statements(void)
{
	body_is("def k(a: DeviceArray[f32], n: u32):\n"
		"    x = 1\n"
		"    x = x + 1\n"
		"    n = 2\n"
		"    a[x] = 3\n"
		"    if n:\n"
		"        y = 1\n"
		"    else:\n"
		"        y = 2\n"
		"    for i in range(n):\n"
		"        pass\n"
		"    i = 5\n",
		"{let x 1; set x (add x 1); set n 2; set a[x] 3; "
		"if n {let y 1} else {set y 2}; for i 0 n 1 {}; set i 5}",
		"let on the first binding, then assign (one set per function)");
	body_is("def k(a: DeviceArray[f32], n: u32):\n"
		"    x = 1\n"
		"    x += 2\n"
		"    x -= 3\n"
		"    x *= 4\n"
		"    x /= 5\n"
		"    x //= 6\n"
		"    x %= 7\n"
		"    x **= 8\n"
		"    x &= 9\n"
		"    x |= 10\n"
		"    x ^= 11\n"
		"    x <<= 12\n"
		"    x >>= 13\n"
		"    a[n * 2] += x\n",
		"{let x 1; set x (add x 2); set x (sub x 3); set x (mul x 4); "
		"set x (div x 5); set x (floor_div x 6); set x (mod x 7); "
		"set x (pow x 8); set x (bit_and x 9); set x (bit_or x 10); "
		"set x (bit_xor x 11); set x (shl x 12); set x (shr x 13); "
		"set a[(mul n 2)] (add a[(mul n 2)] x)}",
		"augmented assignment, the target copied");
	body_is("def k(n: u32):\n"
		"    if n < 1:\n"
		"        x = 1\n"
		"    elif n < 2:\n"
		"        x = 2\n"
		"    elif n < 3:\n"
		"        x = 3\n",
		"{if (lt n 1) {let x 1} else {if (lt n 2) {set x 2} else "
		"{if (lt n 3) {set x 3}}}}",
		"elif: nested ifs, the last without else");
	body_is("def k(n: u32):\n"
		"    if n:\n"
		"        pass\n"
		"    elif n:\n"
		"        pass\n"
		"    else:\n"
		"        return\n",
		"{if n {} else {if n {} else {return}}}", "elif then else");
	body_is("def k(n: u32):\n"
		"    for i in range(n):\n"
		"        pass\n"
		"    for j in range(1, n):\n"
		"        pass\n"
		"    for j in range(n, 0, -1):\n"
		"        continue\n",
		"{for i 0 n 1 {}; for j 1 n 1 {}; for j n 0 (neg 1) "
		"{continue}}",
		"range with 1, 2 and 3 arguments");
	body_is("def k(n: u32):\n"
		"    while n > 0:\n"
		"        n -= 1\n"
		"        if n == 3:\n"
		"            break\n"
		"        for i in range(2):\n"
		"            if i:\n"
		"                continue\n"
		"            break\n",
		"{while (gt n 0) {set n (sub n 1); if (eq n 3) {break}; "
		"for i 0 2 1 {if i {continue}; break}}}",
		"while, break, continue");
	body_is("def k(n: u32):\n"
		"    return\n"
		"    return n + 1\n",
		"{return; return (add n 1)}", "return with and without value");
	body_is("def k(a: DeviceArray[f32], r: DeviceArray[f32], n: u32):\n"
		"    atomic_add_f32(r, a[0])\n"
		"    old = atomic_add(r, 0, 1)\n"
		"    parallel_map_unary(a, r, \"exp\", n)\n",
		"{do atomic_add_f32(r, a[0]); let old atomic_add(r, 0, 1); "
		"do parallel_map_unary(a, r, \"exp\", n)}",
		"call statements");
	body_is("def k(n: u32):\n"
		"    pass\n",
		"{}", "pass alone: an empty body");
	body_is("def k(n: u32): x = 1; y = 2;\n"
		"\n"
		"def h(n: u32):\n"
		"    if n: return\n",
		"{let x 1; let y 2}", "suites on the def line, semicolons");
	body_is("def k(n: u32):\n"
		"    if n: x = 1; y = 2\n"
		"    else: pass\n",
		"{if n {let x 1; let y 2} else {}}", "same-line suites");
	body_is("def k(a: DeviceArray[f32], n: u32):\n"
		"    x = True if n else False\n"
		"    y = not x and n >= 2\n",
		"{let x (if n True False); let y (and (not x) (ge n 2))}",
		"bool literals and operators");
}

static void test_lines(void)
{
	body_is("# a comment\r\n"
		"from atlas_kernel import *\r\n"
		"def k(a: DeviceArray[f32],   # first\r\n"
		"      n: u32):\r\n"
		"\r\n"
		"    # comment at another indentation\r\n"
		"  # and another\r\n"
		"    x = (1 +\r\n"
		"  2) * \\\r\n"
		"           3\r\n"
		"    if x:\r\n"
		"        y = 1",
		"{let x (mul (add 1 2) 3); if x {let y 1}}",
		"CRLF, comments, brackets, backslash, no final newline");
	body_is("def k(n: u32):\n"
		"\tif n:\n"
		"\t\tx = 1\n"
		"\telse:\n"
		"\t\tx = 2\n"
		"\tfor i in range(n):\n"
		"\t        x = 3\n",
		"{if n {let x 1} else {set x 2}; for i 0 n 1 {set x 3}}",
		"tabs, and tab then spaces consistently");
	body_is("\"\"\"The module's docstring.\"\"\"\n"
		"def k(n: u32):\n"
		"    '''Kernel\n"
		"    docstring.'''\n"
		"    if n:\n"
		"        pass\n",
		"{if n {}}", "module and multi-line docstrings");
}

static void test_module(void)
{
	static const char src[] =
		"from atlas_kernel import inline, atlas_kernel\n"
		"\n"
		"@inline\n"
		"def sq(x):\n"
		"    \"\"\"x squared\"\"\"\n"
		"    return x * x\n"
		"\n"
		"@atlas_kernel\n"
		"def k1(a: DeviceArray[i8], b: DeviceArray[u64], c: "
		"DeviceArray[float], d: DeviceArray[int]):\n"
		"    a[0] = sq(b[0])\n"
		"\n"
		"def k2(p: u8, q: u16, r: i16, s: i64, t: f64, u: bool, v: "
		"usize, w: int, x: float, y: i32) -> None:\n"
		"    return\n";
	static const uint8_t types1[] = {ATLAS_I8, ATLAS_U64, ATLAS_F32,
					 ATLAS_I32};
	static const uint8_t types2[] = {ATLAS_U8,  ATLAS_U16, ATLAS_I16,
					 ATLAS_I64, ATLAS_F64, KL_BOOL,
					 ATLAS_U64, ATLAS_I32, ATLAS_F32,
					 ATLAS_I32};
	struct kl_module *m = NULL;
	struct atlas_error err;
	int good = 1;

	if (!ok(kl_parse_python(src, strlen(src), &m, &err) == ATLAS_OK,
		"several functions parse")) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		return;
	}
	is_int(m->nfuncs, 3, "three functions before expansion");
	ok(m->funcs[0].is_inline && !m->funcs[1].is_inline,
	   "@inline marks the helper");
	is_str(m->funcs[0].doc, "x squared", "helper docstring");
	for (size_t i = 0; i < 4; i++)
		good &= m->funcs[1].params[i].type.array &&
			m->funcs[1].params[i].type.elem == types1[i];
	ok(good, "array element types (float -> f32, int -> i32)");
	for (size_t i = 0; i < 10; i++)
		good &= !m->funcs[2].params[i].type.array &&
			m->funcs[2].params[i].type.elem == types2[i];
	ok(good, "scalar types (usize -> u64, bool)");
	ok(kl_expand_inline(m, &err) == ATLAS_OK, "expansion");
	is_int(m->nfuncs, 2, "only kernels remain");
	ok(m->nfuncs == 2 && strcmp(m->funcs[0].name, "k1") == 0 &&
		   strcmp(m->funcs[1].name, "k2") == 0,
	   "kernels in source order");
	kl_module_free(m);

	m = NULL;
	ok(kl_parse_python("", 0, &m, &err) == ATLAS_OK && m && m->nfuncs == 0,
	   "an empty file is an empty module");
	kl_module_free(m);
	m = NULL;
	ok(kl_parse_python("# nothing\n\n", 11, &m, &err) == ATLAS_OK && m &&
		   m->nfuncs == 0,
	   "only a comment");
	kl_module_free(m);
	m = NULL;
	ok(kl_parse_python("x = 1\n", 6, &m, NULL) == ATLAS_ERR_PARSE &&
		   m == NULL,
	   "errors without an error record");
}

static void test_inline(void)
{
	body_is("@inline\n"
		"def sq(x: f32) -> f32:\n"
		"    return x * x\n"
		"@atlas_kernel\n"
		"def k(a: DeviceArray[f32]):\n"
		"    a[0] = sq(a[1] + 1.0)\n",
		"{set a[0] (mul (add a[1] 1f) (add a[1] 1f))}",
		"argument substituted for every use");
	body_is("@inline\n"
		"def add3(x, y, z):\n"
		"    return x + y + z\n"
		"@inline\n"
		"def sq(x):\n"
		"    return x * x\n"
		"@inline\n"
		"def norm2(x, y):\n"
		"    '''Nested helpers.'''\n"
		"    return add3(sq(x), sq(y), 0.0)\n"
		"def k(a: DeviceArray[f32]):\n"
		"    a[0] = norm2(a[1], 2)\n"
		"    if norm2(1, 2) > 0:\n"
		"        a[2] = norm2(norm2(1, 2), 3)\n",
		"{set a[0] (add (add (mul a[1] a[1]) (mul 2 2)) 0f); "
		"if (gt (add (add (mul 1 1) (mul 2 2)) 0f) 0) {set a[2] (add "
		"(add (mul (add (add (mul 1 1) (mul 2 2)) 0f) (add (add (mul 1 "
		"1) (mul 2 2)) 0f)) (mul 3 3)) 0f)}}",
		"nested helpers, by position, helpers before their users");
	body_is("def k(a: DeviceArray[f32], n: u32):\n"
		"    for i in range(n):\n"
		"        a[i] = twice(i)\n"
		"@inline\n"
		"def twice(v):\n"
		"    return 2 * v\n",
		"{for i 0 n 1 {set a[i] (mul 2 i)}}",
		"a helper defined after its user");
	body_is("@inline\n"
		"def bump(r, v):\n"
		"    return atomic_add(r, 0, v)\n"
		"def k(a: DeviceArray[u32]):\n"
		"    bump(a, 1)\n",
		"{do atomic_add(a, 0, 1)}",
		"a helper returning a call, used as a statement");
	error_is("@inline\n"
		 "def f(x):\n"
		 "    return f(x) + 1\n"
		 "def k(a: DeviceArray[f32]):\n"
		 "    a[0] = f(1.0)\n",
		 3, 12, "recursive inline function not allowed: f");
	error_is("@inline\n"
		 "def f(x):\n"
		 "    return g(x)\n"
		 "@inline\n"
		 "def g(x):\n"
		 "    return 1 + f(x)\n"
		 "def k(a: DeviceArray[f32]):\n"
		 "    a[0] = 1.0\n",
		 6, 16, "recursive inline function not allowed: f");
	error_is("@inline\n"
		 "def f(x, y):\n"
		 "    return x + y\n"
		 "def k(a: DeviceArray[f32]):\n"
		 "    a[0] = f(1.0)\n",
		 5, 12, "inline function f takes 2 arguments, got 1");
	error_is("@inline\n"
		 "def f(x):\n"
		 "    return x * scale\n",
		 3, 16, "name 'scale' is not defined in inline function f");
	error_is("@inline\n"
		 "def f(x):\n"
		 "    return x * 2\n"
		 "def k(a: DeviceArray[f32]):\n"
		 "    f(a[0])\n",
		 5, 5,
		 "a call of an inline function as a statement has no "
		 "effect");
}

/* ---- errors ------------------------------------------------------------- */

static const struct {
	const char *src;
	size_t line, col;
	const char *msg;
} errors[] = {
	{"def k(a):\n    pass\n", 1, 7,
	 "all kernel parameters must have type annotations"},
	{"def k(a: DeviceArray[bool]):\n    pass\n", 1, 10,
	 "unsupported type annotation: DeviceArray[bool]"},
	{"def k(a: list):\n    pass\n", 1, 10,
	 "unsupported type annotation: list"},
	{"def k(a: DeviceArray[ f16 ]):\n    pass\n", 1, 10,
	 "unsupported type annotation: DeviceArray[ f16 ]"},
	{"def k(a: u32) -> DeviceArray[f32]:\n    pass\n", 1, 18,
	 "unsupported type annotation: DeviceArray[f32]"},
	{"def k(a: DeviceArray[f32], a: u32):\n    pass\n", 1, 28,
	 "duplicate parameter 'a'"},
	{"def k(a: u32 = 1):\n    pass\n", 1, 14,
	 "default parameter values are not supported"},
	{"def k(*a):\n    pass\n", 1, 7, "'*' parameters are not supported"},
	{"@foo\ndef k(a: u32):\n    pass\n", 1, 2, "unknown decorator 'foo'"},
	{"@atlas_kernel()\ndef k(a: u32):\n    pass\n", 1, 2,
	 "unknown decorator 'atlas_kernel()'"},
	{"def k(a: u32):\n    pass\ndef k(b: u32):\n    pass\n", 3, 5,
	 "duplicate function 'k'"},
	{"@inline\ndef h(a):\n    x = a\n    return x\n", 3, 5,
	 "inline function h must contain only a return statement "
	 "(excluding docstring)"},
	{"@inline\ndef h(a):\n    '''Doc.'''\n", 2, 5,
	 "inline function h must contain only a return statement "
	 "(excluding docstring)"},
	{"import numpy\n", 1, 8,
	 "only atlas_kernel can be imported, not 'numpy'"},
	{"from math import exp\n", 1, 6,
	 "only atlas_kernel can be imported, not 'math'"},
	{"from . import x\n", 1, 6, "relative imports are not supported"},
	{"x = 1\n", 1, 1,
	 "only imports and function definitions are allowed at module level"},
	{"class A:\n    pass\n", 1, 1, "class definitions are not supported"},
	{"async def k(a: u32):\n    pass\n", 1, 1, "'async' is not supported"},
	{"def k(a: u32):\n    def g(b: u32):\n        pass\n", 2, 5,
	 "nested functions are not supported"},
	{"def k(a: u32):\n    x = [1, 2]\n", 2, 9,
	 "list literals are not supported"},
	{"def k(a: u32):\n    x = {1: 2}\n", 2, 9,
	 "dict and set literals are not supported"},
	{"def k(a: u32):\n    x = (1, 2)\n", 2, 11, "tuples are not supported"},
	{"def k(a: u32):\n    x = ()\n", 2, 9, "tuples are not supported"},
	{"def k(a: u32):\n    return 1, 2\n", 2, 13,
	 "tuples are not supported"},
	{"def k(a: u32):\n    x = lambda y: y\n", 2, 9,
	 "lambda expressions are not supported"},
	{"def k(a: u32):\n    x = math.exp(a)\n", 2, 13,
	 "attribute access is not supported"},
	{"def k(a: u32):\n    x = y = 1\n", 2, 11,
	 "multiple assignment targets are not supported"},
	{"def k(a: u32):\n    x, y = 1, 2\n", 2, 6,
	 "multiple assignment targets are not supported"},
	{"def k(a: DeviceArray[f32]):\n    x = a[1:2]\n", 2, 12,
	 "slices are not supported"},
	{"def k(a: DeviceArray[f32]):\n    x = a[:]\n", 2, 11,
	 "slices are not supported"},
	{"def k(a: DeviceArray[f32]):\n    x = a[1][2]\n", 2, 13,
	 "chained subscripts are not supported"},
	{"def k(a: u32):\n    a[1, 2] = 3\n", 2, 8,
	 "multi-dimensional subscripts are not supported"},
	{"def k(a: u32):\n    x = f(a)[0]\n", 2, 13,
	 "only a name can be indexed"},
	{"def k(a: u32):\n    x = f(a)(b)\n", 2, 13,
	 "only named functions can be called"},
	{"def k(a: u32):\n    x = \"s\"\n", 2, 9,
	 "string literals are only allowed as call arguments"},
	{"def k(a: u32):\n    x = f(\"s\" + a)\n", 2, 11,
	 "string literals are only allowed as call arguments"},
	{"def k(a: u32):\n    \"doc\"\n    x = 1\n    \"late\"\n", 4, 5,
	 "a docstring must be the first statement of a function"},
	{"def k(a: u32):\n    f(x=1)\n", 2, 7,
	 "keyword arguments are not supported"},
	{"def k(a: u32):\n    f(*a)\n", 2, 7,
	 "star arguments are not supported"},
	{"def k(a: u32):\n    x = (i for i in a)\n", 2, 12,
	 "comprehensions are not supported"},
	{"def k(a: u32):\n    with a:\n        pass\n", 2, 5,
	 "'with' statements are not supported"},
	{"def k(a: u32):\n    try:\n        pass\n    except:\n        pass\n",
	 2, 5, "'try' statements are not supported"},
	{"def k(a: u32):\n    global a\n", 2, 5,
	 "'global' statements are not supported"},
	{"def k(a: u32):\n    nonlocal a\n", 2, 5,
	 "'nonlocal' statements are not supported"},
	{"def k(a: u32):\n    del a\n", 2, 5,
	 "'del' statements are not supported"},
	{"def k(a: u32):\n    assert a\n", 2, 5,
	 "'assert' statements are not supported"},
	{"def k(a: u32):\n    raise a\n", 2, 5,
	 "'raise' statements are not supported"},
	{"def k(a: u32):\n    yield a\n", 2, 5, "'yield' is not supported"},
	{"def k(a: u32):\n    import atlas_kernel\n", 2, 5,
	 "imports are only allowed at module level"},
	{"def k(a: u32):\n    if (x := 1):\n        pass\n", 2, 11,
	 "assignment expressions are not supported"},
	{"def k(a: u32):\n    break\n", 2, 5, "'break' outside loop"},
	{"def k(a: u32):\n    continue\n", 2, 5,
	 "'continue' not properly in loop"},
	{"def k(a: u32):\n    for i in range():\n        pass\n", 2, 14,
	 "invalid range() call"},
	{"def k(a: u32):\n    for i in range(1, 2, 3, 4):\n        pass\n", 2,
	 14, "invalid range() call"},
	{"def k(a: u32):\n    for i in range('a'):\n        pass\n", 2, 20,
	 "invalid range() call"},
	{"def k(a: u32):\n    for i in a:\n        pass\n", 2, 14,
	 "only 'for' loops over range() are supported"},
	{"def k(a: u32):\n    for i, j in range(3):\n        pass\n", 2, 9,
	 "for loop target must be a simple variable"},
	{"def k(a: DeviceArray[u32]):\n    for a[0] in range(3):\n"
	 "        pass\n",
	 2, 9, "for loop target must be a simple variable"},
	{"def k(a: u32):\n    while a:\n        pass\n    else:\n        "
	 "pass\n",
	 4, 5, "'else' after a loop is not supported"},
	{"def k(a: u32):\n    else:\n        pass\n", 2, 5,
	 "'else' without a matching 'if'"},
	{"def k(a: u32):\n    x = a is None\n", 2, 11,
	 "the 'is' operator is not supported"},
	{"def k(a: u32):\n    x = a not in b\n", 2, 11,
	 "the 'in' operator is not supported"},
	{"def k(a: u32):\n    x = a @ b\n", 2, 11,
	 "the '@' operator is not supported"},
	{"def k(a: u32):\n    x = None\n", 2, 9, "None is not supported"},
	{"def k(a: u32):\n    x = ...\n", 2, 9, "ellipsis is not supported"},
	{"def k(a: u32):\n    x + 1\n", 2, 5,
	 "only calls can be used as statements"},
	{"def k(a: u32):\n    x: f32 = 1.0\n", 2, 6,
	 "annotated assignments are not supported"},
	{"def k(a: u32):\n    f(x) = 1\n", 2, 5, "invalid assignment target"},
	{"def k(a: u32):\n    1 += 1\n", 2, 5, "invalid assignment target"},
	{"def k(a: u32):\n    parallel_map_unary(a, a, 1, a)\n", 2, 30,
	 "parallel_map_unary operation must be a string literal"},
	{"def k(a: u32):\n    parallel_reduce(a, a, \"sum\")\n", 2, 20,
	 "parallel_reduce requires 4 arguments, got 3"},
	{"def k(a: u32):\n    x = a if b\n", 2, 15,
	 "expected 'else', got end of line"},
	{"def k(a: u32):\n    x = 1 2\n", 2, 11,
	 "expected end of line, got '2'"},
	{"def k(a: u32)\n    pass\n", 1, 14, "expected ':', got end of line"},
	{"def k(a: u32):\n    x = -\n", 2, 10,
	 "expected an expression, got end of line"},
	{"def k(a: u32):\n    x = f(a b)\n", 2, 13,
	 "expected ',' or ')', got 'b'"},
	{"def (a: u32):\n    pass\n", 1, 5,
	 "expected a function name, got '('"},
	/* the lexer */
	{"def k(a: u32):\n    x = 1\n      y = 2\n", 3, 1, "unexpected indent"},
	{"def k(a: u32):\n    if a:\n    x = 1\n", 3, 5,
	 "expected an indented block"},
	{"def k(a: u32):\n", 2, 1, "expected an indented block"},
	{"def k(a: u32):\n    if a:\n        x = 1\n   y = 2\n", 4, 4,
	 "unindent does not match any outer indentation level"},
	{"def k(a: u32):\n\tif a:\n        x = 1\n\tx = 2\n", 3, 9,
	 "inconsistent use of tabs and spaces in indentation"},
	{"def k(a: u32):\n    x = (1 +\n", 2, 9, "'(' was never closed"},
	{"def k(a: u32):\n    x = 1)\n", 2, 10, "unmatched ')'"},
	{"def k(a: u32):\n    x = (1]\n", 2, 11,
	 "closing parenthesis ']' does not match opening parenthesis '('"},
	{"def k(a: u32):\n    x = 'abc\n", 2, 9, "unterminated string literal"},
	{"def k(a: u32):\n    x = f(\"\"\"abc\n", 2, 11,
	 "unterminated triple-quoted string literal"},
	{"def k(a: u32):\n    x = 0123\n", 2, 9,
	 "leading zeros in decimal integer literals are not permitted"},
	{"def k(a: u32):\n    x = 0x\n", 2, 9, "invalid hexadecimal literal"},
	{"def k(a: u32):\n    x = 0o8\n", 2, 9, "invalid octal literal"},
	{"def k(a: u32):\n    x = 0b12\n", 2, 9, "invalid binary literal"},
	{"def k(a: u32):\n    x = 1__0\n", 2, 9, "invalid decimal literal"},
	{"def k(a: u32):\n    x = 1_\n", 2, 9, "invalid decimal literal"},
	{"def k(a: u32):\n    x = 12abc\n", 2, 9, "invalid decimal literal"},
	{"def k(a: u32):\n    x = 1j\n", 2, 9,
	 "imaginary literals are not supported"},
	{"def k(a: u32):\n    x = 18446744073709551616\n", 2, 9,
	 "integer literal too large"},
	{"def k(a: u32):\n    x = 1e999\n", 2, 9, "float literal out of range"},
	{"def k(a: u32):\n    x = $\n", 2, 9, "invalid character '$'"},
	{"def k(a: u32):\n    x = a ! b\n", 2, 11, "invalid character '!'"},
	{"def k(a: u32):\n    x = \xc3\xa9\n", 2, 9,
	 "invalid character U+00E9"},
	{"def k(a: u32):\n    x\xc3\xa9 = 1\n", 2, 6,
	 "non-ASCII identifiers are not supported"},
	{"def k(a: u32):\n    x = 1 \\ 2\n", 2, 11,
	 "unexpected character after line continuation character"},
	{"def k(a: u32):\n    x = b\"abc\"\n", 2, 9,
	 "bytes literals are not supported"},
	{"def k(a: u32):\n    x = f\"abc\"\n", 2, 9,
	 "f-strings are not supported"},
	{"def k(a: u32):\n    f('\\N{DASH}')\n", 2, 8,
	 "\\N{...} escapes are not supported"},
	{"def k(a: u32):\n    f('\\x4')\n", 2, 8, "invalid \\x escape"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof errors / sizeof *errors; i++)
		error_is(errors[i].src, errors[i].line, errors[i].col,
			 errors[i].msg);
}

/* Deep nesting and long chains fail cleanly or parse, never crash. */
static void test_limits(void)
{
	struct strbuf sb;
	struct kl_module *m = NULL;
	struct atlas_error err;
	char *src;
	enum atlas_status st;

	sb_init(&sb);
	sb_puts(&sb, "def k(a: u32):\n    x = ");
	for (int i = 0; i < 100000; i++)
		sb_puts(&sb, "(");
	sb_puts(&sb, "1");
	for (int i = 0; i < 100000; i++)
		sb_puts(&sb, ")");
	sb_puts(&sb, "\n");
	src = sb_finish(&sb);
	st = kl_parse_python(src, strlen(src), &m, &err);
	ok(st == ATLAS_ERR_LIMIT &&
		   strcmp(err.msg, "too many nested parentheses") == 0 &&
		   err.line == 2 && err.col == 209,
	   "100000 parentheses: %zu:%zu: %s", err.line, err.col, err.msg);
	kl_module_free(m);
	free(src);

	sb_init(&sb);
	sb_puts(&sb, "def k(a: u32):\n    x = ");
	for (int i = 0; i < 150; i++)
		sb_puts(&sb, "-(");
	sb_puts(&sb, "1");
	for (int i = 0; i < 150; i++)
		sb_puts(&sb, ")");
	sb_puts(&sb, "\n");
	src = sb_finish(&sb);
	m = NULL;
	st = kl_parse_python(src, strlen(src), &m, &err);
	ok(st == ATLAS_ERR_LIMIT &&
		   strcmp(err.msg, "too deeply nested (the limit is 200 "
				   "levels)") == 0,
	   "150 negated parentheses: %zu:%zu: %s", err.line, err.col, err.msg);
	kl_module_free(m);
	free(src);

	sb_init(&sb);
	sb_puts(&sb, "def k(a: u32):\n    x = 1");
	for (int i = 0; i < 1001; i++)
		sb_puts(&sb, " + 1");
	sb_puts(&sb, "\n");
	src = sb_finish(&sb);
	m = NULL;
	st = kl_parse_python(src, strlen(src), &m, &err);
	ok(st == ATLAS_ERR_LIMIT && err.line == 2 && err.col == 4011 &&
		   strcmp(err.msg, "expression too long (the limit is 1000 "
				   "operators in a row)") == 0,
	   "1001 additions: %zu:%zu: %s", err.line, err.col, err.msg);
	kl_module_free(m);
	free(src);

	sb_init(&sb);
	sb_puts(&sb, "def k(a: u32):\n    x = 1");
	for (int i = 0; i < 999; i++)
		sb_puts(&sb, " + 1");
	sb_puts(&sb, "\n");
	src = sb_finish(&sb);
	m = NULL;
	st = kl_parse_python(src, strlen(src), &m, &err);
	ok(st == ATLAS_OK, "999 additions parse");
	kl_module_free(m);
	free(src);

	sb_init(&sb);
	sb_puts(&sb, "@inline\ndef f0(x):\n    return x + x\n");
	for (int i = 1; i < 40; i++)
		sb_printf(&sb,
			  "@inline\ndef f%d(x):\n    return f%d(x) + f%d(x)\n",
			  i, i - 1, i - 1);
	sb_puts(&sb, "def k(a: DeviceArray[f32]):\n    a[0] = f39(1.0)\n");
	src = sb_finish(&sb);
	m = NULL;
	st = kl_parse_python(src, strlen(src), &m, &err);
	if (st == ATLAS_OK)
		st = kl_expand_inline(m, &err);
	ok(st == ATLAS_ERR_LIMIT &&
		   strcmp(err.msg, "inline expansion too large") == 0,
	   "exponential inline expansion stops: %s", err.msg);
	kl_module_free(m);
	free(src);
}

int main(void)
{
	test_ast();
	test_vector_add();
	test_precedence();
	test_literals();
	test_statements();
	test_lines();
	test_module();
	test_inline();
	test_errors();
	test_limits();
	return done_testing();
}
