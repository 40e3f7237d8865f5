/*
 * t-kl-lower.c - lowering the kernel language to the ISA (kl_lower):
 * every construct and intrinsic compiled from Python source, verified,
 * run on the engine over buffers and compared with values computed here
 * in C; the shape of the hot kernels (vector_add in at most 8
 * instructions, sigmoid through the sigmoid instruction); parameters'
 * uses and access classes; register reuse and constant folding; and the
 * lowering errors with their exact messages and positions.
 */
#include "tap.h"
#include "exec_util.h"
#include "kl.h"
#include "program.h"

/* ---- compiling ------------------------------------------------------------
 */

/*
 * Parse src, expand its inline helpers and lower its first kernel.
 * NULL on a lowering error (err filled).  A lowered program that fails
 * verification is a lowering bug: it fails a test and gives NULL.
 */
static struct atlas_program *lower(const char *src, struct atlas_error *err)
{
	struct kl_module *m = NULL;
	struct atlas_program *p = NULL;
	size_t i;

	memset(err, 0, sizeof *err);
	if (kl_parse_python(src, strlen(src), &m, err) != ATLAS_OK ||
	    kl_expand_inline(m, err) != ATLAS_OK) {
		diag("parse: %zu:%zu: %s", err->line, err->col, err->msg);
		kl_module_free(m);
		return NULL;
	}
	for (i = 0; i < m->nfuncs && m->funcs[i].is_inline; i++)
		;
	if (i == m->nfuncs) {
		kl_module_free(m);
		return NULL;
	}
	if (kl_lower(&m->funcs[i], &p, err) == ATLAS_OK &&
	    program_verify(p, err) != ATLAS_OK) {
		char *text = asm_write(p);

		ok(0, "lowered kernel '%s' verifies", m->funcs[i].name);
		diag("%zu:%zu: %s\n%s", err->line, err->col, err->msg,
		     text ? text : "");
		free(text);
		atlas_program_free(p);
		p = NULL;
		err->code = ATLAS_ERR_VERIFY;
	}
	kl_module_free(m);
	return p;
}

/* A kernel that must lower. */
static struct atlas_program *compile(const char *src)
{
	struct atlas_error err;
	struct atlas_program *p = lower(src, &err);

	if (!p && err.code != ATLAS_ERR_VERIFY)
		diag("does not lower: %zu:%zu: %s\n%s", err.line, err.col,
		     err.msg, src);
	return p;
}

/* A kernel that must fail to lower with msg at line:col. */
static void fails(const char *src, size_t line, size_t col, const char *msg)
{
	struct atlas_error err;
	struct atlas_program *p = lower(src, &err);

	if (p) {
		ok(0, "error: %s", msg);
		diag("lowered; want %zu:%zu: %s", line, col, msg);
		atlas_program_free(p);
		return;
	}
	if (!ok(err.code == ATLAS_ERR_PARSE && err.line == line &&
			err.col == col && strcmp(err.msg, msg) == 0,
		"error: %s", msg))
		diag("got %d %zu:%zu: %s", (int)err.code, err.line, err.col,
		     err.msg);
}

/* How many instructions of p have opcode op. */
static size_t count_op(const struct atlas_program *p, enum isa_op op)
{
	size_t n = 0;

	for (size_t i = 0; i < p->ninsns; i++)
		n += p->insns[i].op == op;
	return n;
}

/* The highest register p writes (specials r250-r255 aside). */
static unsigned max_reg(const struct atlas_program *p)
{
	unsigned m = 0;

	for (size_t i = 0; i < p->ninsns; i++) {
		const struct isa_insn *in = &p->insns[i];
		const enum isa_fmt f = isa_op_table[in->op].fmt;

		if ((f == FMT_UN || f == FMT_IMM || f == FMT_CVT ||
		     f == FMT_BIN || f == FMT_TERN || f == FMT_SEL ||
		     f == FMT_LD) &&
		    in->dst < 250 && in->dst > m)
			m = in->dst;
	}
	return m;
}

static void show(const struct atlas_program *p)
{
	char *text = asm_write(p);

	diag("%s", text ? text : "");
	free(text);
}

/* Run p over n lanes; 1 if it succeeded (a failed test otherwise). */
static int go(const struct atlas_program *p, uint64_t n,
	      const struct atlas_arg *a, size_t na, const char *name)
{
	struct atlas_error err;

	if (!p)
		return ok(0, "%s (no program)", name);
	if (run(p, n, a, na, &err) != ATLAS_OK) {
		ok(0, "%s", name);
		diag("run: %zu:%zu: %s", err.line, err.col, err.msg);
		return 0;
	}
	return 1;
}

static int close_f32(float got, double want, unsigned ulps)
{
	if (isnan(want))
		return isnan(got);
	if (isinf(want))
		return got == (float)want;
	return ulp_diff(bits_f32(got), bits_f32((float)want), ATLAS_F32) <=
	       ulps;
}

static int close_f64(double got, double want, double rel)
{
	if (isnan(want))
		return isnan(got);
	return fabs(got - want) <= rel * fmax(1.0, fabs(want));
}

/* ---- the hot kernels -------------------------------------------------------
 */

static void test_vector_add(void)
{
	static const enum isa_op shape[] = {OP_MOV_IMM, OP_SHL, OP_LDG, OP_LDG,
					    OP_ADD,	OP_STG, OP_EXIT};
	struct atlas_program *p = compile(
		"def vector_add(a: DeviceArray[f32], b: DeviceArray[f32],\n"
		"               c: DeviceArray[f32]):\n"
		"    idx = get_global_id()\n"
		"    c[idx] = a[idx] + b[idx]\n");
	const size_t n = 5000;
	float *a = xcalloc(n, 4), *b = xcalloc(n, 4), *c = xcalloc(n, 4);
	struct atlas_arg args[3] = {arr(a, n * 4), arr(b, n * 4),
				    arr(c, n * 4)};
	int good = 1;

	if (!p) {
		ok(0, "vector_add lowers");
		return;
	}
	ok(p->ninsns <= 8, "vector_add: %zu instructions (<= 8)", p->ninsns);
	for (size_t i = 0; i < p->ninsns && i < 7; i++)
		good &= p->insns[i].op == shape[i];
	if (!ok(good && p->ninsns == 7 && count_op(p, OP_CVT) == 0,
		"vector_add has the hand-written shape"))
		show(p);
	for (size_t i = 0; i < n; i++) {
		a[i] = (float)i * 0.5f;
		b[i] = 1.0f / (float)(i + 1);
	}
	if (go(p, n, args, 3, "vector_add runs")) {
		for (size_t i = 0; i < n && good; i++)
			good = c[i] == a[i] + b[i];
		ok(good, "vector_add: c = a + b");
	}
	ok(p->params[0].use == ATLAS_USE_IN &&
		   p->params[2].use == ATLAS_USE_OUT &&
		   p->params[0].access == ATLAS_ACCESS_ELEMENT &&
		   p->params[2].access == ATLAS_ACCESS_ELEMENT,
	   "vector_add: a in, c out, element access");
	atlas_program_free(p);
	free(a);
	free(b);
	free(c);
}

static void test_sigmoid(void)
{
	struct atlas_program *p = compile(
		"def sigmoid(a: DeviceArray[f32], c: DeviceArray[f32], n: u32):\n"
		"    idx = get_global_id()\n"
		"    if idx < n:\n"
		"        c[idx] = 1.0 / (1.0 + exp(-a[idx]))\n");
	struct atlas_program *h = load(".kernel sigmoid\n"
				       ".param x f32[] in r1\n"
				       ".param y f32[] out r2\n"
				       "mov_imm.u32 r250, 2\n"
				       "shl.u64 r0, r255, r250\n"
				       "ldg.f32 r10, [r1 + r0]\n"
				       "sigmoid.f32 r11, r10\n"
				       "stg.f32 [r2 + r0], r11\n"
				       "exit\n");
	const size_t n = 3000;
	float *a = xcalloc(n, 4), *c = xcalloc(n + 7, 4), *d = xcalloc(n, 4);
	struct atlas_arg args[3] = {arr(a, n * 4), arr(c, (n + 7) * 4),
				    scal(n)};
	struct atlas_arg hargs[2] = {arr(a, n * 4), arr(d, n * 4)};
	int good = 1;

	if (!p || !h) {
		ok(0, "sigmoid lowers");
		atlas_program_free(h);
		return;
	}
	ok(count_op(p, OP_SIGMOID) == 1 && count_op(p, OP_EXP) == 0 &&
		   count_op(p, OP_DIV) == 0,
	   "1/(1 + exp(-x)) lowers to the sigmoid instruction");
	ok(p->params[2].use == ATLAS_USE_GUARD, "sigmoid: n is the guard");
	for (size_t i = 0; i < n; i++)
		a[i] = ((float)i - 1500.0f) / 97.0f;
	for (size_t i = n; i < n + 7; i++)
		c[i] = -1;
	if (go(p, n + 7, args, 3, "sigmoid runs past n") &&
	    go(h, n, hargs, 2, "hand-written sigmoid runs")) {
		for (size_t i = 0; i < n && good; i++)
			good = bits_f32(c[i]) == bits_f32(d[i]);
		ok(good, "compiled sigmoid matches the hand-written one");
		ok(c[n] == -1 && c[n + 6] == -1, "lanes past n store nothing");
	}
	atlas_program_free(p);
	atlas_program_free(h);
	free(a);
	free(c);
	free(d);

	/* any float type, and both orders of the sum */
	p = compile("def s(a: DeviceArray[f64], c: DeviceArray[f64]):\n"
		    "    i = get_global_id()\n"
		    "    c[i] = 1 / (exp(-a[i]) + 1)\n");
	ok(p && count_op(p, OP_SIGMOID) == 1 && count_op(p, OP_EXP) == 0,
	   "1/(exp(-x) + 1) on f64 lowers to sigmoid.f64");
	atlas_program_free(p);
}

/* ---- parameters -------------------------------------------------------- */

static void test_params(void)
{
	struct atlas_program *p = compile(
		"def k(a: DeviceArray[f32], b: DeviceArray[f32],\n"
		"      c: DeviceArray[f32], d: DeviceArray[i32], flag: bool,\n"
		"      n: u32, s: f32):\n"
		"    i = get_global_id()\n"
		"    if i < n:\n"
		"        b[i] += s\n"
		"        if flag:\n"
		"            c[i] = a[i]\n");
	uint8_t ok_regs = 1;

	if (!p) {
		ok(0, "parameters kernel lowers");
		return;
	}
	for (size_t i = 0; i < p->nparams; i++)
		ok_regs &= p->params[i].reg == i + 1;
	ok(ok_regs, "parameters in r1, r2, ... in declaration order");
	ok(p->params[0].use == ATLAS_USE_IN &&
		   p->params[1].use == ATLAS_USE_INOUT &&
		   p->params[2].use == ATLAS_USE_OUT &&
		   p->params[3].use == ATLAS_USE_IN,
	   "arrays: in, inout, out; an unused array is in");
	ok(p->params[4].kind == ATLAS_PARAM_SCALAR &&
		   p->params[4].type == ATLAS_U8 &&
		   p->params[4].use == ATLAS_USE_VALUE,
	   "a bool scalar is a u8 value");
	ok(p->params[5].use == ATLAS_USE_GUARD &&
		   p->params[6].use == ATLAS_USE_VALUE,
	   "n is the guard, s a value");
	{
		const size_t n = 100;
		float *a = xcalloc(n, 4), *b = xcalloc(n, 4),
		      *c = xcalloc(n, 4);
		struct atlas_arg args[7] = {
			arr(a, n * 4),	     arr(b, n * 4), arr(c, n * 4),
			arr(NULL, 0),	     scal(1),	    scal(n - 10),
			scal(bits_f32(2.5f))};
		int good = 1;

		for (size_t i = 0; i < n; i++) {
			a[i] = (float)i;
			b[i] = 1;
		}
		if (go(p, n, args, 7, "parameters kernel runs")) {
			for (size_t i = 0; i < n && good; i++)
				good = i < n - 10 ?
					       b[i] == 3.5f && c[i] == a[i] :
					       b[i] == 1 && c[i] == 0;
			ok(good, "b[i] += s and the bool flag");
		}
		free(a);
		free(b);
		free(c);
	}
	atlas_program_free(p);
}

/* ---- arithmetic ---------------------------------------------------------- */

static int64_t floordiv_ref(int64_t x, int64_t y)
{
	int64_t q = x / y;

	return q - (x % y != 0 && (x < 0) != (y < 0));
}

static int64_t mod_ref(int64_t x, int64_t y)
{
	int64_t r = x % y;

	return r != 0 && (r < 0) != (y < 0) ? r + y : r;
}

static void test_int_division(void)
{
	static int32_t xs[] = {7, -7, 7, -7, 0,	  13, -13,
			       1, -1, 5, -5, 100, 3,  INT32_MIN};
	static int32_t ys[] = {2,  2, -2, -2, 5, -4,   4,
			       -1, 3, -3, 10, 7, -100, -1};
	const size_t n = sizeof xs / sizeof *xs;
	struct atlas_program *p =
		compile("def k(x: DeviceArray[i32], y: DeviceArray[i32],\n"
			"      q: DeviceArray[i32], r: DeviceArray[i32],\n"
			"      f: DeviceArray[f32]):\n"
			"    i = get_global_id()\n"
			"    q[i] = x[i] // y[i]\n"
			"    r[i] = x[i] % y[i]\n"
			"    f[i] = x[i] / y[i]\n");
	int32_t q[16], r[16];
	float f[16];
	struct atlas_arg a[5] = {arr(xs, sizeof xs), arr(ys, sizeof ys),
				 arr(q, sizeof q), arr(r, sizeof r),
				 arr(f, sizeof f)};
	int good = 1;

	if (go(p, n, a, 5, "i32 // and % run")) {
		for (size_t i = 0; i < n; i++) {
			int64_t wq = xs[i] == INT32_MIN && ys[i] == -1 ?
					     INT32_MIN :
					     floordiv_ref(xs[i], ys[i]);
			int64_t wr = ys[i] == -1 ? 0 : mod_ref(xs[i], ys[i]);

			if (q[i] != wq || r[i] != wr ||
			    f[i] != (float)xs[i] / (float)ys[i]) {
				diag("%d, %d: %d %d %g", xs[i], ys[i], q[i],
				     r[i], (double)f[i]);
				good = 0;
			}
		}
		ok(good, "// rounds toward minus infinity, %% takes the "
			 "divisor's sign, / gives f32");
	}
	{
		int32_t zy[16] = {1, 0};
		struct atlas_arg z[5] = {arr(xs, sizeof xs), arr(zy, sizeof zy),
					 arr(q, sizeof q), arr(r, sizeof r),
					 arr(f, sizeof f)};

		run_fails(p, 2, z, 5, ATLAS_ERR_EXEC, "division by zero",
			  "integer // by zero is the run-time error");
	}
	atlas_program_free(p);

	/* unsigned: plain division */
	p = compile("def k(x: DeviceArray[u32], q: DeviceArray[u32],\n"
		    "      r: DeviceArray[u32]):\n"
		    "    i = get_global_id()\n"
		    "    q[i] = x[i] // 7\n"
		    "    r[i] = x[i] % 7\n");
	{
		uint32_t x[3] = {4000000000u, 6, 700}, uq[3], ur[3];
		struct atlas_arg ua[3] = {arr(x, 12), arr(uq, 12), arr(ur, 12)};

		if (go(p, 3, ua, 3, "u32 // and % run"))
			ok(uq[0] == 4000000000u / 7 &&
				   ur[0] == 4000000000u % 7 && uq[1] == 0 &&
				   ur[1] == 6 && uq[2] == 100 && ur[2] == 0,
			   "u32 // and %% are plain division");
	}
	atlas_program_free(p);
}

static void test_float_division(void)
{
	static float xs[] = {7.5f, -7.5f, 7.5f, -7.5f, 1.0f, -0.0f, 6.0f};
	static float ys[] = {2.0f, 2.0f, -2.0f, -2.0f, 0.1f, 3.0f, 0.0f};
	const size_t n = 7;
	struct atlas_program *p =
		compile("def k(x: DeviceArray[f32], y: DeviceArray[f32],\n"
			"      q: DeviceArray[f32], r: DeviceArray[f32]):\n"
			"    i = get_global_id()\n"
			"    q[i] = x[i] // y[i]\n"
			"    r[i] = x[i] % y[i]\n");
	float q[7], r[7];
	struct atlas_arg a[4] = {arr(xs, sizeof xs), arr(ys, sizeof ys),
				 arr(q, sizeof q), arr(r, sizeof r)};

	if (go(p, n, a, 4, "f32 // and % run"))
		ok(q[0] == 3 && r[0] == 1.5f && q[1] == -4 && r[1] == 0.5f &&
			   q[2] == -4 && r[2] == -0.5f && q[3] == 3 &&
			   r[3] == -1.5f && q[4] == 9 &&
			   fabsf(r[4] - 0.1f) < 1e-6f && q[5] == 0 &&
			   signbit(q[5]) && r[5] == 0 && isnan(q[6]) &&
			   isnan(r[6]),
		   "f32 // and %% follow Python (by zero: NaN)");
	atlas_program_free(p);
}

static void test_int_types(void)
{
	struct atlas_program *p = compile(
		"def k(o: DeviceArray[i64], x: u8, y: i8, z: i32, w: i64,\n"
		"      u: u32):\n"
		"    a = x + 1\n" /* u8: wraps */
		"    b = y * y\n" /* i8: wraps */
		"    c = z + w\n" /* i64: the wider wins */
		"    d = x + z\n" /* i32 */
		"    o[0] = a\n"
		"    o[1] = b\n"
		"    o[2] = c\n"
		"    o[3] = d\n"
		"    o[4] = u + 4294967295\n" /* a u32 literal: wraps */
		"    o[5] = -u\n"
		"    o[6] = 3000000000 + 0\n" /* folded; i64 */
		"    o[7] = (2 + 3) * 4 - 7 // 2\n");
	int64_t o[8] = {0};
	struct atlas_arg a[6] = {
		arr(o, sizeof o), scal(255), scal((uint8_t)-100),
		scal(0x7fffffff), scal(1),   scal(5)};

	if (go(p, 1, a, 6, "integer types run") &&
	    !ok(o[0] == 0 && o[1] == 16 && o[2] == 0x80000000LL &&
			o[3] == (int32_t)(0x7fffffffu + 255u) && o[4] == 4 &&
			o[5] == 4294967291LL && o[6] == 3000000000LL &&
			o[7] == 17,
		"integer arithmetic wraps in its type, the wider wins"))
		diag("o = %lld %lld %lld %lld %lld %lld %lld %lld",
		     (long long)o[0], (long long)o[1], (long long)o[2],
		     (long long)o[3], (long long)o[4], (long long)o[5],
		     (long long)o[6], (long long)o[7]);
	atlas_program_free(p);
}

static void test_bitwise(void)
{
	struct atlas_program *p = compile(
		"def k(o: DeviceArray[i32], u: DeviceArray[u32], x: i32,\n"
		"      y: u32):\n"
		"    o[0] = x & 0xff\n"
		"    o[1] = x | 3\n"
		"    o[2] = x ^ -1\n"
		"    o[3] = ~x\n"
		"    o[4] = x >> 4\n"
		"    o[5] = x << 3\n"
		"    u[0] = y >> 4\n"
		"    u[1] = 1 << y\n");
	int32_t o[6] = {0};
	uint32_t u[2] = {0};
	struct atlas_arg a[4] = {arr(o, sizeof o), arr(u, sizeof u),
				 scal((uint32_t)-1000), scal(0x80000005u)};

	if (go(p, 1, a, 4, "bitwise operators run"))
		ok(o[0] == (-1000 & 0xff) && o[1] == (-1000 | 3) &&
			   o[2] == 999 && o[3] == 999 && o[4] == -63 &&
			   o[5] == -8000 && u[0] == 0x08000000u && u[1] == 32,
		   "& | ^ ~ >> << (arithmetic for signed, count mod width)");
	atlas_program_free(p);
}

static void test_power(void)
{
	struct atlas_program *p = compile(
		"def k(o: DeviceArray[i32], f: DeviceArray[f32], x: i32,\n"
		"      y: f32):\n"
		"    o[0] = x ** 5\n"
		"    o[1] = x ** 0\n"
		"    o[2] = x ** 13\n"
		"    o[3] = 2 ** 10\n"
		"    f[0] = y ** 2\n"
		"    f[1] = y ** 2.5\n"
		"    f[2] = pow(y, -1.5)\n"
		"    f[3] = y ** x\n");
	int32_t o[4] = {0};
	float f[4] = {0};
	struct atlas_arg a[4] = {arr(o, sizeof o), arr(f, sizeof f), scal(3),
				 scal(bits_f32(1.7f))};
	uint32_t w13 = 1;

	for (int i = 0; i < 13; i++)
		w13 *= 3;
	if (go(p, 1, a, 4, "powers run"))
		ok(o[0] == 243 && o[1] == 1 && o[2] == (int32_t)w13 &&
			   o[3] == 1024 && f[0] == 1.7f * 1.7f &&
			   close_f32(f[1], pow(1.7f, 2.5), 1) &&
			   close_f32(f[2], pow(1.7f, -1.5), 1) &&
			   close_f32(f[3], pow(1.7f, 3.0), 1),
		   "x**n by multiplication, float powers through pow");
	ok(p && count_op(p, OP_POW) == 3, "pow instructions only where needed");
	atlas_program_free(p);
}

/* ---- truth, conditions, control flow ------------------------------------ */

static void test_short_circuit(void)
{
	struct atlas_program *p = compile(
		"def k(a: DeviceArray[f32], o: DeviceArray[i32], n: u32):\n"
		"    i = get_global_id()\n"
		"    if i < n and a[i] > 0.0:\n"
		"        o[i] = 1\n"
		"    if i >= n or a[i] < 0.0:\n"
		"        return\n"
		"    o[i] += 10\n"
		"    if not (a[i] == 0.0 or 0 < i < 3):\n"
		"        o[i] += 100\n"
		"    b = a[i] > 1.0\n"
		"    if b and not b:\n"
		"        o[i] = -1\n");
	const size_t n = 50;
	float a[50];
	int32_t o[60] = {0};
	struct atlas_arg args[3] = {arr(a, sizeof a), arr(o, sizeof o),
				    scal(n)};
	int good = 1;

	for (size_t i = 0; i < n; i++)
		a[i] = (float)(i % 5) - 2.0f;
	if (go(p, 60, args, 3, "and/or/not kernel runs with lanes past n")) {
		for (size_t i = 0; i < 60; i++) {
			int32_t want = 0;

			if (i < n) {
				want = a[i] > 0 ? 1 : 0;
				if (!(a[i] < 0)) {
					want += 10;
					if (!(a[i] == 0 || (0 < i && i < 3)))
						want += 100;
				}
			}
			good &= o[i] == want;
		}
		ok(good, "and/or short-circuit: a[i] is never read for i >= n");
	}
	atlas_program_free(p);

	/* a comparison, a bool variable and not as values */
	p = compile(
		"def k(a: DeviceArray[f32], o: DeviceArray[u8],\n"
		"      f: DeviceArray[u8], flag: bool):\n"
		"    i = get_global_id()\n"
		"    lt = a[i] < 1.0\n"
		"    t = bool(f[i])\n"
		"    both = lt and t\n"
		"    o[i] = (u8(not lt) + u8(both) * 2 + u8(t == lt) * 4 +\n"
		"            u8(flag or lt) * 8 + u8(t != flag) * 16)\n");
	{
		float av[4] = {0, 2, NAN, -1};
		uint8_t fv[4] = {0, 7, 1, 1}, ov[4];
		struct atlas_arg aa[4] = {arr(av, 16), arr(ov, 4), arr(fv, 4),
					  scal(0)};

		if (go(p, 4, aa, 4, "bool values run"))
			ok(ov[0] == 8 && ov[1] == 1 + 16 && ov[2] == 1 + 16 &&
				   ov[3] == 2 + 4 + 8 + 16,
			   "comparisons, and, or, not, ==, != on bool values");
	}
	atlas_program_free(p);
}

static void test_if_chain(void)
{
	struct atlas_program *p =
		compile("def k(a: DeviceArray[f32], o: DeviceArray[i32]):\n"
			"    i = get_global_id()\n"
			"    v = a[i]\n"
			"    if v < -1.0:\n"
			"        o[i] = 1\n"
			"    elif v < 0.0:\n"
			"        o[i] = 2\n"
			"    elif v == 0.0:\n"
			"        o[i] = 3\n"
			"    else:\n"
			"        o[i] = 4\n"
			"    if v > 5.0:\n"
			"        o[i] += 10\n"
			"    else:\n"
			"        o[i] += 20\n");
	float a[6] = {-3, -0.5f, 0, 2, 9, NAN};
	int32_t o[6];
	struct atlas_arg args[2] = {arr(a, sizeof a), arr(o, sizeof o)};

	if (go(p, 6, args, 2, "if/elif/else runs"))
		ok(o[0] == 21 && o[1] == 22 && o[2] == 23 && o[3] == 24 &&
			   o[4] == 14 && o[5] == 24,
		   "if/elif/else (NaN takes the else branches)");
	atlas_program_free(p);
}

static void test_while(void)
{
	/* collatz steps: lanes leave the loop at different times */
	struct atlas_program *p = compile("def k(o: DeviceArray[u32]):\n"
					  "    i = get_global_id()\n"
					  "    x = i + 1\n"
					  "    steps = 0\n"
					  "    while True:\n"
					  "        if x == 1:\n"
					  "            break\n"
					  "        steps += 1\n"
					  "        if x % 2 == 0:\n"
					  "            x = x // 2\n"
					  "            continue\n"
					  "        x = 3 * x + 1\n"
					  "    o[i] = steps\n");
	const size_t n = 3000;
	uint32_t *o = xcalloc(n, 4);
	struct atlas_arg a[1] = {arr(o, n * 4)};
	int good = 1;

	if (go(p, n, a, 1, "while with break and continue runs")) {
		for (size_t i = 0; i < n; i++) {
			uint64_t x = i + 1;
			uint32_t s = 0;

			while (x != 1) {
				x = x % 2 ? 3 * x + 1 : x / 2;
				s++;
			}
			good &= o[i] == s;
		}
		ok(good, "while/break/continue: divergent trip counts");
	}
	free(o);
	atlas_program_free(p);
}

static void test_for(void)
{
	struct atlas_program *p =
		compile("def k(o: DeviceArray[i32], n: i32, s: i32):\n"
			"    a = 0\n"
			"    for j in range(n):\n"
			"        a += j\n"
			"    o[0] = a\n"
			"    b = 0\n"
			"    for j in range(2, n):\n"
			"        b += j\n"
			"    o[1] = b\n"
			"    c = 0\n"
			"    for j in range(1, n, 3):\n"
			"        c += j\n"
			"    o[2] = c\n"
			"    d = 0\n"
			"    for j in range(n, 0, -2):\n"
			"        d += j\n"
			"    o[3] = d\n"
			"    e = 0\n"
			"    for j in range(0, n, s):\n"
			"        e += 1\n"
			"    o[4] = e\n"
			"    f = 0\n"
			"    for j in range(n, -n, s):\n"
			"        f += 1\n"
			"    o[5] = f\n"
			"    g = 0\n"
			"    for j in range(4):\n"
			"        for m in range(j):\n"
			"            g += m * 10 + j\n"
			"    o[6] = g\n"
			"    h = 0\n"
			"    for j in range(5):\n"
			"        j = j * 2\n"
			"        h += j\n"
			"    o[7] = h\n"
			"    o[8] = j\n");
	int32_t o[9];
	struct atlas_arg a3[3] = {arr(o, sizeof o), scal(10), scal(3)};
	struct atlas_arg an[3] = {arr(o, sizeof o), scal(10),
				  scal((uint32_t)-4)};
	int g = 0;

	for (int j = 0; j < 4; j++)
		for (int m = 0; m < j; m++)
			g += m * 10 + j;
	if (go(p, 1, a3, 3, "for loops run (step 3)"))
		ok(o[0] == 45 && o[1] == 44 && o[2] == 1 + 4 + 7 &&
			   o[3] == 10 + 8 + 6 + 4 + 2 && o[4] == 4 &&
			   o[5] == 0 && o[6] == g && o[7] == 20 && o[8] == 8,
		   "range with 1, 2, 3 arguments, negative, variable steps, "
		   "nesting, a body assigning the variable");
	if (go(p, 1, an, 3, "for loops run (step -4)"))
		ok(o[4] == 0 && o[5] == 5, "a negative variable step");
	atlas_program_free(p);
}

static void test_return_and_late_binding(void)
{
	struct atlas_program *p =
		compile("def k(a: DeviceArray[i32], o: DeviceArray[i32]):\n"
			"    i = get_global_id()\n"
			"    if a[i] < 0:\n"
			"        return\n"
			"    if a[i] > 5:\n"
			"        y = a[i] * 2\n"
			"    o[i] = y + 1\n");
	int32_t a[4] = {-1, 3, 7, 100}, o[4] = {-9, -9, -9, -9};
	struct atlas_arg args[2] = {arr(a, sizeof a), arr(o, sizeof o)};

	if (go(p, 4, args, 2, "return and a variable bound in a branch"))
		ok(o[0] == -9 && o[1] == 1 && o[2] == 15 && o[3] == 201,
		   "return ends the lane; an unassigned variable holds 0");
	atlas_program_free(p);
}

static void test_ifexpr(void)
{
	struct atlas_program *p = compile(
		"def k(a: DeviceArray[f32], o: DeviceArray[f32],\n"
		"      q: DeviceArray[f32], n: u32):\n"
		"    i = get_global_id()\n"
		"    x = i32(i)\n"
		"    o[i] = 1.0 if x % 2 == 0 else -1.0\n"
		"    q[i] = a[i] * 2.0 if i < n else max(f32(x), 0.0)\n");
	const size_t n = 20;
	float a[20], o[30], q[30];
	struct atlas_arg args[4] = {arr(a, sizeof a), arr(o, sizeof o),
				    arr(q, sizeof q), scal(n)};
	int good = 1;

	for (size_t i = 0; i < n; i++)
		a[i] = (float)i / 4;
	if (go(p, 30, args, 4, "if-expressions run")) {
		for (size_t i = 0; i < 30; i++)
			good &= o[i] == (i % 2 ? -1.0f : 1.0f) &&
				q[i] == (i < n ? a[i] * 2 : (float)i);
		ok(good, "a if c else b: the unsafe side only runs when "
			 "chosen");
	}
	ok(p && count_op(p, OP_SEL) >= 1, "a safe if-expression is a sel");
	atlas_program_free(p);
}

/* ---- functions --------------------------------------------------------------
 */

struct mfn {
	const char *name;
	double (*ref)(double);
	double lo, hi;
	unsigned ulps;
};

static double ref_sigmoid(double x)
{
	return 1 / (1 + exp(-x));
}

static double ref_rsqrt(double x)
{
	return 1 / sqrt(x);
}

static double ref_round(double x)
{
	return nearbyint(x);
}

static void test_math(void)
{
	static const struct mfn fs[] = {{"exp", exp, -20, 20, 2},
					{"log", log, 0.01, 100, 2},
					{"log2", log2, 0.01, 100, 2},
					{"log10", log10, 0.01, 100, 2},
					{"sqrt", sqrt, 0, 100, 1},
					{"rsqrt", ref_rsqrt, 0.01, 100, 2},
					{"sin", sin, -10, 10, 2},
					{"cos", cos, -10, 10, 2},
					{"tan", tan, -1.5, 1.5, 3},
					{"tanh", tanh, -5, 5, 3},
					{"sigmoid", ref_sigmoid, -10, 10, 3},
					{"erf", erf, -3, 3, 3},
					{"floor", floor, -10, 10, 0},
					{"ceil", ceil, -10, 10, 0},
					{"round", ref_round, -5, 5, 0},
					{"abs", fabs, -10, 10, 0}};
	const size_t n = 257;
	float *a = xcalloc(n, 4), *o = xcalloc(n, 4);

	for (size_t k = 0; k < sizeof fs / sizeof *fs; k++) {
		char src[256];
		struct atlas_program *p;
		struct atlas_arg args[2] = {arr(a, n * 4), arr(o, n * 4)};
		int good = 1;

		snprintf(src, sizeof src,
			 "def k(a: DeviceArray[f32], o: DeviceArray[f32]):\n"
			 "    i = get_global_id()\n"
			 "    o[i] = %s(a[i])\n",
			 fs[k].name);
		p = compile(src);
		for (size_t i = 0; i < n; i++)
			a[i] = (float)(fs[k].lo + (fs[k].hi - fs[k].lo) *
							  (double)i /
							  (double)(n - 1));
		a[n / 2] = k >= 12 ? 2.5f : a[n / 2]; /* a tie for round */
		if (go(p, n, args, 2, fs[k].name)) {
			for (size_t i = 0; i < n && good; i++)
				if (!close_f32(o[i], fs[k].ref((double)a[i]),
					       fs[k].ulps)) {
					diag("%s(%a) = %a", fs[k].name,
					     (double)a[i], (double)o[i]);
					good = 0;
				}
			ok(good, "%s() on f32", fs[k].name);
		}
		atlas_program_free(p);
	}
	free(a);
	free(o);

	/* round: halfway cases to even; integers pass through the
	   rounding functions; an integer argument of exp is an f32 */
	{
		struct atlas_program *p = compile(
			"def k(o: DeviceArray[f32], v: DeviceArray[i32],\n"
			"      x: i32):\n"
			"    o[0] = round(0.5) + round(1.5) * 10.0\n"
			"    o[1] = round(f32(x) + 0.5)\n"
			"    o[2] = round(-0.5)\n"
			"    o[3] = exp(x)\n"
			"    v[0] = floor(x) + ceil(x) + round(x)\n"
			"    v[1] = abs(-x)\n"
			"    v[2] = min(x, 3, -7)\n"
			"    v[3] = max(x, 3)\n");
		float of[4];
		int32_t ov[4];
		struct atlas_arg args[3] = {arr(of, sizeof of),
					    arr(ov, sizeof ov), scal(2)};

		if (go(p, 1, args, 3, "round, floor, abs, min, max run"))
			ok(of[0] == 20 && of[1] == 2 && of[2] == 0 &&
				   signbit(of[2]) &&
				   close_f32(of[3], exp(2.0), 1) &&
				   ov[0] == 6 && ov[1] == 2 && ov[2] == -7 &&
				   ov[3] == 3,
			   "round to even, integers through floor/ceil/round, "
			   "abs/min/max of integers");
		atlas_program_free(p);
	}
	{
		struct atlas_program *p = compile(
			"def k(o: DeviceArray[f32], u: DeviceArray[u32],\n"
			"      x: f32, y: u32):\n"
			"    o[0] = min(x, 0.0)\n"
			"    o[1] = max(x, 0.0)\n"
			"    o[2] = abs(x)\n"
			"    o[3] = max(x, 2)\n"
			"    u[0] = abs(y)\n"
			"    u[1] = min(y, 4000000000)\n");
		float of[4];
		uint32_t ou[2];
		struct atlas_arg args[4] = {arr(of, sizeof of),
					    arr(ou, sizeof ou),
					    scal(bits_f32(-1.25f)),
					    scal(4000000001u)};

		if (go(p, 1, args, 4, "float min/max/abs run"))
			ok(of[0] == -1.25f && of[1] == 0 && of[2] == 1.25f &&
				   of[3] == 2 && ou[0] == 4000000001u &&
				   ou[1] == 4000000000u,
			   "min/max/abs of floats; abs of unsigned is itself");
		atlas_program_free(p);
	}
}

static void test_casts(void)
{
	struct atlas_program *p = compile(
		"def k(f: DeviceArray[f32], d: DeviceArray[f64],\n"
		"      i: DeviceArray[i64], b: DeviceArray[u8], x: i32,\n"
		"      y: f32, u: u32, v: u8, w: i64, z: f64):\n"
		"    f[0] = float(x)\n"
		"    f[1] = f32(v)\n" /* u8 -> u32 -> f32 */
		"    f[2] = f32(w)\n" /* i64 -> f64 -> f32 */
		"    f[3] = f16(y)\n" /* rounds to f16 */
		"    d[0] = f64(u)\n" /* u32 -> u64 -> f64 */
		"    d[1] = x\n"      /* implicit i32 -> f64 */
		"    d[2] = f64(y)\n"
		"    i[0] = int(y)\n" /* truncates */
		"    i[1] = i64(z)\n"
		"    i[2] = u8(300)\n"	     /* an explicit cast wraps */
		"    i[3] = i8(y * 100.0)\n" /* f32 -> i32 -> i8 */
		"    i[4] = i32(z)\n"	     /* f64 -> i64 -> i32, wraps */
		"    i[5] = int(True) + int(bool(z))\n"
		"    b[0] = u8(bool(y))\n"
		"    b[1] = u8(bool(0.0))\n"
		"    b[2] = u8(-1.0)\n");
	float f[4];
	double d[3];
	int64_t iv[6];
	uint8_t b[3];
	struct atlas_arg a[10] = {arr(f, sizeof f),
				  arr(d, sizeof d),
				  arr(iv, sizeof iv),
				  arr(b, sizeof b),
				  scal((uint32_t)-7),
				  scal(bits_f32(-2.7f)),
				  scal(4000000000u),
				  scal(200),
				  scal(((uint64_t)1 << 40) + 1),
				  scal(bits_f64(5e9))};

	if (go(p, 1, a, 10, "casts run"))
		ok(f[0] == -7 && f[1] == 200 &&
			   f[2] == (float)(((int64_t)1 << 40) + 1) &&
			   f[3] == half_to_f32(f32_to_half(-2.7f, 0), 0) &&
			   d[0] == 4e9 && d[1] == -7 && d[2] == (double)-2.7f &&
			   iv[0] == -2 && iv[1] == 5000000000LL &&
			   iv[2] == 44 &&
			   iv[3] == (int8_t)(int32_t)(-2.7f * 100.0f) &&
			   iv[4] == (int32_t)(uint32_t)5000000000LL &&
			   iv[5] == 2 && b[0] == 1 && b[1] == 0 && b[2] == 255,
		   "conversions through chains of supported CVT pairs");
	ok(p && count_op(p, OP_CVT) >= 10, "casts use cvt");
	atlas_program_free(p);
}

/* ---- atomics and parallel operations ------------------------------------ */

static void test_atomics(void)
{
	struct atlas_program *p = compile(
		"def vector_dot(a: DeviceArray[f32], b: DeviceArray[f32],\n"
		"               result: DeviceArray[f32], n: u32):\n"
		"    idx = get_global_id()\n"
		"    if idx < n:\n"
		"        product = a[idx] * b[idx]\n"
		"        atomic_add_f32(result, product)\n");
	const size_t n = 1000;
	float *a = xcalloc(n, 4), *b = xcalloc(n, 4), r = 0;
	struct atlas_arg args[4] = {arr(a, n * 4), arr(b, n * 4), arr(&r, 4),
				    scal(n)};
	float want = 0;

	for (size_t i = 0; i < n; i++) {
		a[i] = (float)(i % 7);
		b[i] = 0.5f;
		want += a[i] * b[i];
	}
	if (go(p, n + 24, args, 4, "vector_dot runs"))
		ok(r == want, "atomic_add_f32: the dot product (%g)",
		   (double)r);
	ok(p && p->params[2].access == ATLAS_ACCESS_REDUCTION &&
		   p->params[2].use != ATLAS_USE_IN,
	   "the atomic target is a reduction, written");
	atlas_program_free(p);
	free(b);

	p = compile("def k(a: DeviceArray[f32], hist: DeviceArray[u32],\n"
		    "      count: DeviceArray[u32], s: DeviceArray[i32],\n"
		    "      lo: DeviceArray[f32]):\n"
		    "    i = get_global_id()\n"
		    "    atomic_add(hist, i % 8, 1)\n"
		    "    atomic_add_u32(count, 2)\n"
		    "    atomic_add_i32(s, -3)\n"
		    "    atomic_min(lo, 0, a[i])\n");
	{
		uint32_t hist[8] = {0}, count = 0;
		int32_t s = 0;
		float lo = INFINITY;
		struct atlas_arg aa[5] = {arr(a, n * 4), arr(hist, sizeof hist),
					  arr(&count, 4), arr(&s, 4),
					  arr(&lo, 4)};
		int good = 1;

		for (size_t i = 0; i < n; i++)
			a[i] = 100.0f - (float)i * 0.25f;
		if (go(p, n, aa, 5, "atomics run")) {
			for (int k = 0; k < 8; k++)
				good &= hist[k] == n / 8;
			ok(good && count == 2 * n && s == -3 * (int32_t)n &&
				   lo == a[n - 1],
			   "atomic_add(arr, i, v), atomic_add_u32/_i32, "
			   "atomic_min");
		}
	}
	atlas_program_free(p);
	free(a);
}

static void test_parallel(void)
{
	struct atlas_program *p = compile(
		"def k(a: DeviceArray[f32], b: DeviceArray[f32],\n"
		"      c: DeviceArray[f32], s: DeviceArray[f32], n: u32):\n"
		"    parallel_map_unary(a, b, \"relu\", n)\n"
		"    parallel_map_binary(a, b, c, \"add\", n)\n"
		"    parallel_reduce(c, s, \"sum\", n)\n");
	float a[10], b[10], c[10], s = 0, want = 0;
	struct atlas_arg args[5] = {arr(a, sizeof a), arr(b, sizeof b),
				    arr(c, sizeof c), arr(&s, 4), scal(10)};
	int good = 1;

	for (int i = 0; i < 10; i++)
		a[i] = (float)i - 4.5f;
	if (go(p, 1, args, 5, "parallel operations run")) {
		for (int i = 0; i < 10; i++) {
			float r = a[i] > 0 ? a[i] : 0;

			good &= b[i] == r && c[i] == a[i] + r;
			want += a[i] + r;
		}
		ok(good && s == want,
		   "parallel_map_unary, parallel_map_binary, parallel_reduce");
	}
	ok(p && count_op(p, OP_PMAP) == 1 && count_op(p, OP_PMAP2) == 1 &&
		   count_op(p, OP_PREDUCE) == 1,
	   "pmap, pmap2, preduce");
	atlas_program_free(p);
}

/* ---- whole kernels ----------------------------------------------------------
 */

static void test_gemv(void)
{
	struct atlas_program *p = compile(
		"def gemv_f32(A: DeviceArray[f32], x: DeviceArray[f32],\n"
		"             y: DeviceArray[f32], m: u32, n: u32, lda: u32):\n"
		"    thread_id = get_global_id()\n"
		"    if thread_id < m:\n"
		"        sum_val = 0.0\n"
		"        for j in range(n):\n"
		"            sum_val += A[thread_id * lda + j] * x[j]\n"
		"        y[thread_id] = sum_val\n");
	const uint32_t m = 37, n = 19, lda = 21;
	float *A = xcalloc(m * lda, 4), x[19], y[40];
	struct atlas_arg a[6] = {arr(A, m * lda * 4),
				 arr(x, sizeof x),
				 arr(y, sizeof y),
				 scal(m),
				 scal(n),
				 scal(lda)};
	int good = 1;

	for (uint32_t i = 0; i < m * lda; i++)
		A[i] = (float)((i * 7) % 11) - 5;
	for (uint32_t j = 0; j < n; j++)
		x[j] = (float)j / 8;
	if (go(p, 40, a, 6, "gemv runs")) {
		for (uint32_t i = 0; i < m; i++) {
			float s = 0;

			for (uint32_t j = 0; j < n; j++)
				s += A[i * lda + j] * x[j];
			good &= y[i] == s;
		}
		ok(good, "gemv: y = A x");
	}
	free(A);
	atlas_program_free(p);
}

static void test_layer_norm(void)
{
	struct atlas_program *p = compile(
		"def layer_norm(input: DeviceArray[f32], gamma: DeviceArray[f32],\n"
		"               beta: DeviceArray[f32], output: DeviceArray[f32],\n"
		"               num_positions: u32, hidden_dim: u32, eps: f32):\n"
		"    pos = get_global_id()\n"
		"    if pos < num_positions:\n"
		"        off = pos * hidden_dim\n"
		"        mean = 0.0\n"
		"        for i in range(hidden_dim):\n"
		"            mean += input[off + i]\n"
		"        mean = mean / float(hidden_dim)\n"
		"        var = 0.0\n"
		"        for i in range(hidden_dim):\n"
		"            d = input[off + i] - mean\n"
		"            var += d * d\n"
		"        var = var / float(hidden_dim)\n"
		"        inv = rsqrt(var + eps)\n"
		"        for i in range(hidden_dim):\n"
		"            x = input[off + i]\n"
		"            output[off + i] = gamma[i] * (x - mean) * inv + "
		"beta[i]\n");
	const uint32_t np = 9, hd = 16;
	float in[144], g[16], be[16], out[144];
	struct atlas_arg a[7] = {
		arr(in, sizeof in),   arr(g, sizeof g), arr(be, sizeof be),
		arr(out, sizeof out), scal(np),		scal(hd),
		scal(bits_f32(1e-5f))};
	int good = 1;

	for (uint32_t i = 0; i < np * hd; i++)
		in[i] = (float)((i * 13) % 17) / 3 - 2;
	for (uint32_t i = 0; i < hd; i++) {
		g[i] = 1 + (float)i / 16;
		be[i] = (float)i / 32;
	}
	if (go(p, 12, a, 7, "layer_norm runs")) {
		for (uint32_t r = 0; r < np; r++) {
			double mean = 0, var = 0;

			for (uint32_t i = 0; i < hd; i++)
				mean += in[r * hd + i];
			mean /= hd;
			for (uint32_t i = 0; i < hd; i++)
				var += (in[r * hd + i] - mean) *
				       (in[r * hd + i] - mean);
			var /= hd;
			for (uint32_t i = 0; i < hd; i++) {
				double want = g[i] * (in[r * hd + i] - mean) /
						      sqrt(var + 1e-5) +
					      be[i];

				good &= close_f64(out[r * hd + i], want, 1e-5);
			}
		}
		ok(good, "layer_norm against double precision");
	}
	if (!ok(p && max_reg(p) < 40, "layer_norm uses few registers (r%u)",
		p ? max_reg(p) : 0))
		show(p);
	atlas_program_free(p);
}

static void test_folding_and_registers(void)
{
	struct atlas_program *p =
		compile("def k(o: DeviceArray[f32], v: DeviceArray[i32]):\n"
			"    v[0] = (2 + 3) * 4 - 1\n"
			"    v[1] = 7 // 2 + 7 % -2 + (1 << 4)\n"
			"    o[0] = f32(1.0) / 3.0\n"
			"    o[1] = 2.0 ** 0.5\n"
			"    o[2] = exp(f32(0.0)) + sqrt(f32(4.0))\n");
	float o[3];
	int32_t v[2];
	struct atlas_arg a[2] = {arr(o, sizeof o), arr(v, sizeof v)};

	ok(p && count_op(p, OP_ADD) == 0 && count_op(p, OP_MUL) == 0 &&
		   count_op(p, OP_DIV) == 0 && count_op(p, OP_POW) == 0 &&
		   count_op(p, OP_EXP) == 0 && count_op(p, OP_SQRT) == 0,
	   "constant subexpressions are folded");
	if (go(p, 1, a, 2, "folded constants run"))
		ok(v[0] == 19 && v[1] == 3 + -1 + 16 && o[0] == 1.0f / 3.0f &&
			   o[1] == (float)sqrt(2.0) && o[2] == 3,
		   "folded values");
	atlas_program_free(p);

	/* many statements, long expressions: temporaries are reused */
	p = compile("def k(a: DeviceArray[f32], o: DeviceArray[f32]):\n"
		    "    i = get_global_id()\n"
		    "    s = a[i]\n"
		    "    s = s * 2.0 + a[i] * 3.0 - a[i] / 4.0 + s * s\n"
		    "    s = s * 2.0 + a[i] * 3.0 - a[i] / 4.0 + s * s\n"
		    "    s = s * 2.0 + a[i] * 3.0 - a[i] / 4.0 + s * s\n"
		    "    s = s * 2.0 + a[i] * 3.0 - a[i] / 4.0 + s * s\n"
		    "    s = s * 2.0 + a[i] * 3.0 - a[i] / 4.0 + s * s\n"
		    "    o[i] = s\n");
	ok(p && max_reg(p) < 14,
	   "temporaries are freed after each statement "
	   "(r%u)",
	   p ? max_reg(p) : 0);
	atlas_program_free(p);
}

static void test_inline(void)
{
	struct atlas_program *p =
		compile("@inline\n"
			"def sq(x):\n"
			"    return x * x\n"
			"\n"
			"def k(a: DeviceArray[f32], o: DeviceArray[f32]):\n"
			"    i = get_global_id()\n"
			"    o[i] = sq(a[i]) + sq(2.0)\n");
	float a[3] = {1, 2, 3}, o[3];
	struct atlas_arg args[2] = {arr(a, sizeof a), arr(o, sizeof o)};

	if (go(p, 3, args, 2, "a kernel with an @inline helper runs"))
		ok(o[0] == 5 && o[1] == 8 && o[2] == 13, "@inline helper");
	atlas_program_free(p);
}

static void test_more(void)
{
	struct atlas_program *p =
		compile("def k(o: DeviceArray[i32], h: DeviceArray[f32],\n"
			"      d: DeviceArray[f64], x: f32, y: f64, n: i32):\n"
			"    i = 3\n"
			"    c = 0\n"
			"    for i in range(1, i):\n" /* stop is read before i
							 moves */
			"        c += 1\n"
			"    o[0] = c * 10 + i\n"
			"    o[1] = +n\n"
			"    k = 0\n"
			"    while k < n:\n"
			"        k += 1\n"
			"        if k == 2:\n"
			"            continue\n"
			"        o[2] += k\n"
			"    for j in range(10):\n"
			"        if j % 2 == 1:\n"
			"            continue\n"
			"        if j > 6:\n"
			"            break\n"
			"        o[3] += j\n"
			"    hx = f16(x)\n" /* f16 arithmetic, widened to f32 */
			"    h[0] = hx * hx + hx\n"
			"    h[1] = hx / 2.0\n"
			"    d[0] = exp(y) + sin(y)\n"
			"    exp(y)\n");
	int32_t o[4] = {0};
	float h[2];
	double d[1];
	struct atlas_arg a[6] = {arr(o, sizeof o),    arr(h, sizeof h),
				 arr(d, sizeof d),    scal(bits_f32(1.5f)),
				 scal(bits_f64(0.5)), scal(5)};

	if (go(p, 1, a, 6, "more constructs run"))
		ok(o[0] == 2 * 10 + 3 && o[1] == 5 && o[2] == 1 + 3 + 4 + 5 &&
			   o[3] == 0 + 2 + 4 + 6 && h[0] == 3.75f &&
			   h[1] == 0.75f &&
			   close_f64(d[0], exp(0.5) + sin(0.5), 1e-15),
		   "a bound read before the loop variable moves, unary +, "
		   "while/continue, if-break, f16 and f64 arithmetic");
	atlas_program_free(p);

	/* lane-id offsets for several element sizes, set once at entry */
	p = compile("def k(b: DeviceArray[u8], s: DeviceArray[i16],\n"
		    "      d: DeviceArray[f64]):\n"
		    "    i = get_global_id()\n"
		    "    d[i] = f64(b[i]) + f64(s[i])\n"
		    "    d[i] = d[i] * 2.0\n");
	{
		uint8_t b[300];
		int16_t sv[300];
		double dv[300];
		struct atlas_arg aa[3] = {arr(b, sizeof b), arr(sv, sizeof sv),
					  arr(dv, sizeof dv)};
		int good = 1;

		for (int i = 0; i < 300; i++) {
			b[i] = (uint8_t)i;
			sv[i] = (int16_t)(-7 * i);
		}
		if (go(p, 300, aa, 3, "u8, i16 and f64 arrays run")) {
			for (int i = 0; i < 300; i++)
				good &= dv[i] == 2.0 * ((uint8_t)i - 7 * i);
			ok(good, "u8, i16, f64 elements");
		}
		ok(p && count_op(p, OP_SHL) == 2,
		   "one shift per element size (u8 needs none)");
	}
	atlas_program_free(p);
}

/* ---- errors ------------------------------------------------------------- */

static void test_errors(void)
{
	fails("def k(o: DeviceArray[f32]):\n"
	      "    o[0] = q + 1.0\n",
	      2, 12, "undeclared name 'q'");
	fails("def k(o: DeviceArray[f32], n: i32):\n"
	      "    for i in range(n):\n"
	      "        if i > 0:\n"
	      "            o[i] = t\n"
	      "        t = 1.0\n",
	      4, 20, "variable 't' is used before it is assigned");
	fails("def k(o: DeviceArray[u8], x: u8):\n"
	      "    o[0] = x + 300\n",
	      2, 16, "integer literal 300 does not fit in u8");
	fails("def k(o: DeviceArray[i32], x: i32, y: u32):\n"
	      "    o[0] = x + y\n",
	      2, 12, "mixing signed and unsigned: i32 and u32");
	fails("def k(o: DeviceArray[i32]):\n"
	      "    k = 0\n"
	      "    k = 1.5\n",
	      3, 9, "cannot assign f32 to i32 variable 'k' without a cast");
	fails("def k(o: DeviceArray[i32], x: f32):\n"
	      "    o[0] = x\n",
	      2, 12, "cannot assign f32 to i32 element of 'o' without a cast");
	fails("def k(o: DeviceArray[i32], x: f32):\n"
	      "    y = 0\n"
	      "    y = x > 0.0\n",
	      3, 9, "cannot assign bool to i32 variable 'y' without a cast");
	fails("def k(o: DeviceArray[f32], n: u32):\n"
	      "    n = 3\n",
	      2, 5, "cannot assign to scalar parameter 'n'");
	fails("def k(o: DeviceArray[f32], n: u32):\n"
	      "    o = 3\n",
	      2, 5, "cannot assign to array parameter 'o'");
	fails("def k(o: DeviceArray[f32]):\n"
	      "    return 3\n",
	      2, 12, "a kernel cannot return a value");
	fails("def k(o: DeviceArray[f32]):\n"
	      "    o[0] = foo(1)\n",
	      2, 12, "unknown function 'foo'");
	fails("def k(o: DeviceArray[f32]):\n"
	      "    o[0] = exp(1.0, 2.0)\n",
	      2, 12, "exp() takes 1 argument, got 2");
	fails("def k(o: DeviceArray[f32]):\n"
	      "    o[0] = min(1.0)\n",
	      2, 12, "min() takes at least 2 arguments, got 1");
	fails("def k(o: DeviceArray[i32]):\n"
	      "    o[0] = get_global_id(0)\n",
	      2, 12, "get_global_id() takes no arguments, got 1");
	fails("def k(o: DeviceArray[i32], x: i32, y: i32):\n"
	      "    o[0] = x ** y\n",
	      2, 12, "integer power needs a constant non-negative exponent");
	fails("def k(o: DeviceArray[i32], x: i32):\n"
	      "    o[0] = x ** -1\n",
	      2, 12, "integer power needs a constant non-negative exponent");
	fails("def k(o: DeviceArray[f32]):\n"
	      "    for i in range(0, 2.5):\n"
	      "        o[0] = 1.0\n",
	      2, 23, "range() arguments must be integers, got f32");
	fails("def k(o: DeviceArray[f32]):\n"
	      "    for i in range(0, 10, 0):\n"
	      "        o[0] = 1.0\n",
	      2, 27, "range() step must not be zero");
	fails("def k(o: DeviceArray[f32], x: f32):\n"
	      "    o[x] = 1.0\n",
	      2, 7, "array index must be an integer, got f32");
	fails("def k(o: DeviceArray[f32]):\n"
	      "    o[-1] = 1.0\n",
	      2, 7, "negative array index -1");
	fails("def k(o: DeviceArray[i32], x: f32):\n"
	      "    atomic_add_f32(o, x)\n",
	      2, 20,
	      "atomic_add_f32() needs a DeviceArray[f32], got "
	      "DeviceArray[i32]");
	fails("def k(o: DeviceArray[u32]):\n"
	      "    x = atomic_min(o, 0, 1)\n",
	      2, 9, "atomic_min() returns no value");
	fails("def k(a: DeviceArray[f32], b: DeviceArray[f32]):\n"
	      "    parallel_map_unary(a, b, \"frob\", 4)\n",
	      2, 30, "unknown parallel_map_unary() operation 'frob'");
	fails("def k(o: DeviceArray[i32]):\n"
	      "    o[0] = 1 // 0\n",
	      2, 12, "division by zero");
	fails("def k(o: DeviceArray[i32], x: i32):\n"
	      "    b = x > 0\n"
	      "    o[0] = b + 1\n",
	      3, 12, "operator '+' needs numbers, got bool");
	fails("def k(o: DeviceArray[i32], x: f32):\n"
	      "    o[0] = i32(x & 1)\n",
	      2, 16, "operator '&' needs integers, got f32");
	fails("def k(o: DeviceArray[i32], x: i32):\n"
	      "    o[0] = x << 40\n",
	      2, 17, "shift count 40 is not below the width of i32");
	fails("def k(a: DeviceArray[f32], o: DeviceArray[f32]):\n"
	      "    o[0] = a + 1.0\n",
	      2, 12, "array 'a' used as a value");
	fails("def k(o: DeviceArray[f32], n: u32):\n"
	      "    o[0] = n[0]\n",
	      2, 12, "'n' is not an array");
	fails("def k(o: DeviceArray[f32], x: f32):\n"
	      "    i = int(x)\n"
	      "    for i in range(3):\n"
	      "        o[i] = 0.0\n"
	      "    y = 1.0\n"
	      "    for y in range(3):\n"
	      "        o[0] = 1.0\n",
	      6, 5, "loop variable 'y' must be an integer, got f32");
	fails("def k(o: DeviceArray[f32], n: u32):\n"
	      "    o[0] = 2 ** -1 + 0 ** -1\n",
	      2, 22, "0 cannot be raised to a negative power");
	fails("def k(o: DeviceArray[f32], x: f32):\n"
	      "    o[0] = sqrt(x > 0.0)\n",
	      2, 17, "sqrt() needs a number, got bool");
	fails("def k(o: DeviceArray[f32], x: f32):\n"
	      "    o[0] = max(x, x > 1.0)\n",
	      2, 19, "max() needs a number, got bool");
	fails("def k(o: DeviceArray[f32], x: f32):\n"
	      "    o[0] = x if x > 0.0 else True\n",
	      2, 12, "cannot mix f32 and bool without a cast");
}

/* Errors the parser cannot produce: trees built by hand. */
static void test_errors_by_hand(void)
{
	static char kname[] = "k", oname[] = "o";
	struct kl_func f;
	struct kl_param prm;
	struct kl_stmt *s = kl_stmt_new(KS_BREAK, 3, 9);
	struct atlas_program *p = NULL;
	struct atlas_error err;

	memset(&f, 0, sizeof f);
	memset(&prm, 0, sizeof prm);
	f.name = kname;
	prm.name = oname;
	prm.type.array = 1;
	prm.type.elem = ATLAS_F32;
	f.params = &prm;
	f.nparams = 1;
	if (!s || kl_block_push(&f.body, s)) {
		ok(0, "a tree by hand");
		return;
	}
	ok(kl_lower(&f, &p, &err) == ATLAS_ERR_PARSE && !p &&
		   strcmp(err.msg, "'break' outside a loop") == 0 &&
		   err.line == 3 && err.col == 9,
	   "error: 'break' outside a loop");
	s->kind = KS_CONTINUE;
	ok(kl_lower(&f, &p, &err) == ATLAS_ERR_PARSE &&
		   strcmp(err.msg, "'continue' outside a loop") == 0,
	   "error: 'continue' outside a loop");
	kl_block_release(&f.body);
}

int main(void)
{
	E = atlas_engine_new(NULL, NULL);
	if (!E)
		return 1;
	test_vector_add();
	test_sigmoid();
	test_params();
	test_int_division();
	test_float_division();
	test_int_types();
	test_bitwise();
	test_power();
	test_short_circuit();
	test_if_chain();
	test_while();
	test_for();
	test_return_and_late_binding();
	test_ifexpr();
	test_math();
	test_casts();
	test_atomics();
	test_parallel();
	test_gemv();
	test_layer_norm();
	test_folding_and_registers();
	test_inline();
	test_more();
	test_errors();
	test_errors_by_hand();
	atlas_engine_free(E);
	return done_testing();
}
