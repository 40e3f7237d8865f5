/*
 * t-kl-access.c - kl_analyse_access: the access class of every array
 * parameter, read/written, and the lane-count guard, on syntax trees
 * built by hand (the shape the front end gives after inline expansion)
 * for the original's kernels and for the edges of each rule.
 *
 * A kernel's result is written as one line, "name: class flags; ...",
 * where class is element, record K, resident, reduction or reduction N
 * (arrays, N the length when known) or scalar, flags are r (read), w (written)
 * and guard.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl.h"
#include "program.h"
#include "tap.h"

/* ---- building trees ----------------------------------------------------- */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		perror("strdup");
		exit(99);
	}
	return d;
}

static struct kl_expr *expr(enum kl_expr_kind kind)
{
	struct kl_expr *e = kl_expr_new(kind, 1, 1);

	if (!e) {
		perror("kl_expr_new");
		exit(99);
	}
	return e;
}

static struct kl_expr *V(const char *name)
{
	struct kl_expr *e = expr(KE_VAR);

	e->name = xstrdup(name);
	return e;
}

static struct kl_expr *I(uint64_t v)
{
	struct kl_expr *e = expr(KE_INT);

	e->ival = v;
	return e;
}

static struct kl_expr *F(double v)
{
	struct kl_expr *e = expr(KE_FLOAT);

	e->fval = v;
	return e;
}

static struct kl_expr *Str(const char *s)
{
	struct kl_expr *e = expr(KE_STRING);

	e->str = xstrdup(s);
	return e;
}

static struct kl_expr *B(enum kl_binop op, struct kl_expr *a, struct kl_expr *b)
{
	struct kl_expr *e = expr(KE_BINARY);

	e->op = (int)op;
	e->a = a;
	e->b = b;
	return e;
}

static struct kl_expr *Not(struct kl_expr *a)
{
	struct kl_expr *e = expr(KE_UNARY);

	e->op = KU_NOT;
	e->a = a;
	return e;
}

/* arr[idx] */
static struct kl_expr *X(const char *arr, struct kl_expr *idx)
{
	struct kl_expr *e = expr(KE_INDEX);

	e->a = V(arr);
	e->b = idx;
	return e;
}

/* fn(args..., NULL) */
static struct kl_expr *C(const char *fn, ...)
{
	struct kl_expr *e = expr(KE_CALL), *arg;
	va_list ap;

	e->name = xstrdup(fn);
	va_start(ap, fn);
	while ((arg = va_arg(ap, struct kl_expr *)))
		if (kl_call_push(e, arg)) {
			perror("kl_call_push");
			exit(99);
		}
	va_end(ap);
	return e;
}

#define GID() C("get_global_id", NULL)
#define ADD(a, b) B(KB_ADD, a, b)
#define MUL(a, b) B(KB_MUL, a, b)
#define LT(a, b) B(KB_LT, a, b)

static struct kl_stmt *stmt(enum kl_stmt_kind kind)
{
	struct kl_stmt *s = kl_stmt_new(kind, 1, 1);

	if (!s) {
		perror("kl_stmt_new");
		exit(99);
	}
	return s;
}

/* The else marker in IF's statement list. */
static struct kl_stmt else_marker;
#define ELSE (&else_marker)

/* Push the NULL-terminated statements of ap into b (ELSE switches to
   other). */
static void fill(struct kl_block *b, struct kl_block *other, int *has_else,
		 va_list ap)
{
	struct kl_stmt *s;

	while ((s = va_arg(ap, struct kl_stmt *))) {
		if (s == ELSE) {
			b = other;
			*has_else = 1;
			continue;
		}
		if (kl_block_push(b, s)) {
			perror("kl_block_push");
			exit(99);
		}
	}
}

static struct kl_stmt *LET(const char *name, struct kl_expr *value)
{
	struct kl_stmt *s = stmt(KS_LET);

	s->name = xstrdup(name);
	s->value = value;
	return s;
}

static struct kl_stmt *SET(struct kl_expr *target, struct kl_expr *value)
{
	struct kl_stmt *s = stmt(KS_ASSIGN);

	s->target = target;
	s->value = value;
	return s;
}

/* name += value, as the front end gives it */
static struct kl_stmt *INC(const char *name, struct kl_expr *value)
{
	return SET(V(name), ADD(V(name), value));
}

static struct kl_stmt *EXPR(struct kl_expr *call)
{
	struct kl_stmt *s = stmt(KS_EXPR);

	s->value = call;
	return s;
}

static struct kl_stmt *RET(void)
{
	return stmt(KS_RETURN);
}

static struct kl_stmt *BRK(void)
{
	return stmt(KS_BREAK);
}

/* if cond: stmts... [ELSE stmts...] NULL */
static struct kl_stmt *IF(struct kl_expr *cond, ...)
{
	struct kl_stmt *s = stmt(KS_IF);
	va_list ap;

	s->value = cond;
	va_start(ap, cond);
	fill(&s->body, &s->orelse, &s->has_else, ap);
	va_end(ap);
	return s;
}

/* for name in range(start, stop, step): stmts... NULL */
static struct kl_stmt *FOR3(const char *name, struct kl_expr *start,
			    struct kl_expr *stop, struct kl_expr *step, ...)
{
	struct kl_stmt *s = stmt(KS_FOR);
	int dummy = 0;
	va_list ap;

	s->name = xstrdup(name);
	s->start = start;
	s->stop = stop;
	s->step = step;
	va_start(ap, step);
	fill(&s->body, &s->body, &dummy, ap);
	va_end(ap);
	return s;
}

/* for name in range(stop): as the front end gives it */
#define FOR(name, stop, ...) FOR3(name, I(0), stop, I(1), __VA_ARGS__)

static struct kl_stmt *WHILE(struct kl_expr *cond, ...)
{
	struct kl_stmt *s = stmt(KS_WHILE);
	int dummy = 0;
	va_list ap;

	s->value = cond;
	va_start(ap, cond);
	fill(&s->body, &s->body, &dummy, ap);
	va_end(ap);
	return s;
}

/*
 * A kernel: sig lists its parameters as "name:type" separated by blanks,
 * type "f32[]" for arrays; then the body's statements and NULL.
 */
static struct kl_func *kernel(const char *sig, ...)
{
	struct kl_func *f = calloc(1, sizeof *f);
	const char *p = sig;
	int dummy = 0;
	va_list ap;

	if (!f)
		exit(99);
	f->name = xstrdup("k");
	f->params = calloc(16, sizeof *f->params);
	while (*p) {
		char name[64], type[64];
		struct kl_param *q = &f->params[f->nparams++];
		enum atlas_type t;
		int n = 0;
		size_t l;

		if (sscanf(p, " %63[^:]:%63s%n", name, type, &n) != 2) {
			fprintf(stderr, "bad signature %s\n", p);
			exit(99);
		}
		p += n;
		while (*p == ' ')
			p++;
		l = strlen(type);
		q->type.array = l > 2 && strcmp(type + l - 2, "[]") == 0;
		if (q->type.array)
			type[l - 2] = '\0';
		if (atlas_type_parse(type, &t)) {
			fprintf(stderr, "bad type %s\n", type);
			exit(99);
		}
		q->type.elem = (uint8_t)t;
		q->name = xstrdup(name);
	}
	va_start(ap, sig);
	fill(&f->body, &f->body, &dummy, ap);
	va_end(ap);
	return f;
}

static void kernel_free(struct kl_func *f)
{
	for (size_t i = 0; i < f->nparams; i++)
		free(f->params[i].name);
	free(f->params);
	kl_block_release(&f->body);
	free(f->name);
	free(f);
}

/* ---- checking ----------------------------------------------------------- */

/* "a: element r; n: scalar r guard" */
static void describe(const struct kl_func *f, const struct kl_access *acc,
		     char *buf, size_t size)
{
	static const char *const cls[] = {"any", "element", "record",
					  "resident", "reduction"};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->nparams && len < size; i++) {
		const struct kl_access *a = &acc[i];
		char k[80] = "";

		if (a->cls == ATLAS_ACCESS_RECORD && a->record_param >= 0)
			snprintf(k, sizeof k, " %s",
				 (size_t)a->record_param < f->nparams ?
					 f->params[a->record_param].name :
					 "?");
		else if ((a->cls == ATLAS_ACCESS_RECORD ||
			  a->cls == ATLAS_ACCESS_REDUCTION) &&
			 a->record_len)
			snprintf(k, sizeof k, " %llu",
				 (unsigned long long)a->record_len);
		len += (size_t)snprintf(
			buf + len, size - len, "%s%s: %s%s%s%s%s%s",
			i ? "; " : "", f->params[i].name,
			f->params[i].type.array ? cls[a->cls] : "scalar", k,
			a->read || a->written ? " " : "", a->read ? "r" : "",
			a->written ? "w" : "", a->guard ? " guard" : "");
	}
}

/* Analyse f (and free it); the result must read want. */
static void check(const char *name, struct kl_func *f, const char *want)
{
	struct kl_access acc[16];
	struct atlas_error err = {0};
	char got[1024];

	memset(acc, 0xa5, sizeof acc);
	if (!ok(kl_analyse_access(f, acc, &err) == ATLAS_OK, "%s: analyses",
		name)) {
		diag("%s", err.msg);
		kernel_free(f);
		return;
	}
	describe(f, acc, got, sizeof got);
	is_str(got, want, name);
	for (size_t i = 0; i < f->nparams; i++)
		if ((acc[i].cls != ATLAS_ACCESS_RECORD &&
		     acc[i].cls != ATLAS_ACCESS_REDUCTION &&
		     acc[i].record_len != 0) ||
		    (acc[i].cls != ATLAS_ACCESS_RECORD &&
		     acc[i].record_param != -1))
			ok(0, "%s: parameter %zu has a stray record length",
			   name, i);
	kernel_free(f);
}

/* ---- the original's kernels (reference 3.7), from Python source ------- */

#define IMPORTS                                                                \
	"from atlas_kernel import DeviceArray, f32, u32, get_global_id, "      \
	"atomic_add_f32, atomic_add, rsqrt, inline\n"

/* Parse src, expand its inline helpers, analyse its last kernel. */
static void check_py(const char *name, const char *src, const char *want)
{
	struct kl_module *m = NULL;
	struct atlas_error err = {0};
	struct kl_access acc[16];
	char got[1024];

	if (!ok(kl_parse_python(src, strlen(src), &m, &err) == ATLAS_OK &&
			kl_expand_inline(m, &err) == ATLAS_OK && m->nfuncs > 0,
		"%s: parses", name)) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		kl_module_free(m);
		return;
	}
	if (ok(kl_analyse_access(&m->funcs[m->nfuncs - 1], acc, &err) ==
		       ATLAS_OK,
	       "%s: analyses", name)) {
		describe(&m->funcs[m->nfuncs - 1], acc, got, sizeof got);
		is_str(got, want, name);
	}
	kl_module_free(m);
}

static void originals(void)
{
	check_py("vector_add",
		 IMPORTS
		 "def vector_add(a: DeviceArray[f32], b: DeviceArray[f32],"
		 " c: DeviceArray[f32], n: u32):\n"
		 "    idx = get_global_id()\n"
		 "    if idx < n:\n"
		 "        c[idx] = a[idx] + b[idx]\n",
		 "a: element r; b: element r; c: element w; n: scalar r guard");
	check_py("vector_dot",
		 IMPORTS
		 "def vector_dot(a: DeviceArray[f32], b: DeviceArray[f32],"
		 " result: DeviceArray[f32], n: u32):\n"
		 "    idx = get_global_id()\n"
		 "    if idx < n:\n"
		 "        product = a[idx] * b[idx]\n"
		 "        atomic_add_f32(result, product)\n",
		 "a: element r; b: element r; result: reduction 1 w; "
		 "n: scalar r guard");
	check_py("vector_sum",
		 IMPORTS "def vector_sum(a: DeviceArray[f32],"
			 " result: DeviceArray[f32], n: u32):\n"
			 "    idx = get_global_id()\n"
			 "    if idx < n:\n"
			 "        atomic_add_f32(result, a[idx])\n",
		 "a: element r; result: reduction 1 w; n: scalar r guard");
	/*
	 * gemv: A[thread_id*lda + j] with j in range(n).  Nothing proves
	 * n <= lda, so a lane might reach into the next row: A runs
	 * resident (correct, not streamed).  x is indexed by j alone.
	 */
	check_py("gemv_f32",
		 IMPORTS
		 "def gemv_f32(A: DeviceArray[f32], x: DeviceArray[f32],"
		 " y: DeviceArray[f32], m: u32, n: u32, lda: u32):\n"
		 "    thread_id = get_global_id()\n"
		 "    if thread_id < m:\n"
		 "        sum_val = 0.0\n"
		 "        for j in range(n):\n"
		 "            sum_val += A[thread_id * lda + j] * x[j]\n"
		 "        y[thread_id] = sum_val\n",
		 "A: resident r; x: resident r; y: element w; "
		 "m: scalar r guard; n: scalar r; lda: scalar r");
	check_py("gemv over range(lda)",
		 IMPORTS
		 "def gemv_f32(A: DeviceArray[f32], x: DeviceArray[f32],"
		 " y: DeviceArray[f32], m: u32, lda: u32):\n"
		 "    thread_id = get_global_id()\n"
		 "    if thread_id < m:\n"
		 "        sum_val = 0.0\n"
		 "        for j in range(lda):\n"
		 "            sum_val += A[j + lda * thread_id] * x[j]\n"
		 "        y[thread_id] = sum_val\n",
		 "A: record lda r; x: resident r; y: element w; "
		 "m: scalar r guard; lda: scalar r");
	check_py("gemm_f32",
		 IMPORTS
		 "def gemm_f32(A: DeviceArray[f32], B: DeviceArray[f32],"
		 " C: DeviceArray[f32], m: u32, n: u32, k: u32,"
		 " lda: u32, ldb: u32, ldc: u32):\n"
		 "    tid = get_global_id()\n"
		 "    total = m * n\n"
		 "    if tid < total:\n"
		 "        i = tid // n\n"
		 "        j = tid % n\n"
		 "        sum_val = 0.0\n"
		 "        for k_idx in range(k):\n"
		 "            sum_val += A[i * lda + k_idx] *"
		 " B[k_idx * ldb + j]\n"
		 "        C[i * ldc + j] = sum_val\n",
		 "A: resident r; B: resident r; C: resident w; m: scalar r; "
		 "n: scalar r; k: scalar r; lda: scalar r; ldb: scalar r; "
		 "ldc: scalar r");
	check_py("layer_norm",
		 IMPORTS "def layer_norm(input: DeviceArray[f32],"
			 " gamma: DeviceArray[f32], beta: DeviceArray[f32],"
			 " output: DeviceArray[f32], num_positions: u32,"
			 " hidden_dim: u32, eps: f32):\n"
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
			 "        for i in range(hidden_dim):\n"
			 "            x = input[off + i]\n"
			 "            output[off + i] = gamma[i] * (x - mean) *"
			 " rsqrt(var + eps) + beta[i]\n",
		 "input: record hidden_dim r; gamma: resident r; "
		 "beta: resident r; output: record hidden_dim w; "
		 "num_positions: scalar r guard; hidden_dim: scalar r; "
		 "eps: scalar r");
	check_py("relu",
		 IMPORTS "def relu(a: DeviceArray[f32], b: DeviceArray[f32],"
			 " n: u32):\n"
			 "    idx = get_global_id()\n"
			 "    if idx < n:\n"
			 "        value = a[idx]\n"
			 "        if value > 0.0:\n"
			 "            b[idx] = value\n"
			 "        else:\n"
			 "            b[idx] = 0.0\n",
		 "a: element r; b: element w; n: scalar r guard");
	check_py("shifted index gid+1",
		 IMPORTS "def shift(x: DeviceArray[f32], y: DeviceArray[f32],"
			 " n: u32):\n"
			 "    gid = get_global_id()\n"
			 "    if gid < n:\n"
			 "        y[gid] = x[gid + 1]\n",
		 "x: resident r; y: element w; n: scalar r guard");
	check_py("data-dependent index",
		 IMPORTS
		 "def gather(x: DeviceArray[f32], idx: DeviceArray[u32],"
		 " y: DeviceArray[f32], n: u32):\n"
		 "    gid = get_global_id()\n"
		 "    if gid < n:\n"
		 "        y[gid] = x[idx[gid]]\n",
		 "x: resident r; idx: element r; y: element w; "
		 "n: scalar r guard");
	check_py("a kernel without a guard",
		 IMPORTS "def scale(x: DeviceArray[f32], y: DeviceArray[f32],"
			 " k: f32):\n"
			 "    gid = get_global_id()\n"
			 "    y[gid] = x[gid] * k\n",
		 "x: element r; y: element w; k: scalar r");
	check_py("quantum_search: atomic_add(total, 0, 1)",
		 IMPORTS "def search(hits: DeviceArray[u32],"
			 " total: DeviceArray[u32], n: u32):\n"
			 "    tid = get_global_id()\n"
			 "    if tid < n:\n"
			 "        if hits[tid] > 0:\n"
			 "            atomic_add(total, 0, 1)\n",
		 "hits: element r; total: reduction 1 w; n: scalar r guard");
	check_py("an index built by an inline helper",
		 IMPORTS "@inline\n"
			 "def at(row, k, j):\n"
			 "    return row * k + j\n"
			 "\n"
			 "def rows(x: DeviceArray[f32], y: DeviceArray[f32],"
			 " n: u32, k: u32):\n"
			 "    r = get_global_id()\n"
			 "    if r < n:\n"
			 "        for j in range(k):\n"
			 "            y[at(r, k, j)] = x[at(r, k, j)] * 2.0\n",
		 "x: record k r; y: record k w; n: scalar r guard; "
		 "k: scalar r");
}

/* ---- element and record ------------------------------------------------- */

/* y[gid] = x[INDEX] under the guard "gid < n"; sig adds parameters. */
static struct kl_func *copy_at(const char *sig, struct kl_expr *index)
{
	char s[256];

	snprintf(s, sizeof s, "x:f32[] y:f32[] n:u32%s%s", *sig ? " " : "",
		 sig);
	return kernel(s, LET("gid", GID()),
		      IF(LT(V("gid"), V("n")),
			 SET(X("y", V("gid")), X("x", index)), NULL),
		      NULL);
}

static void indices(void)
{
	check("shifted index gid+1", copy_at("", ADD(V("gid"), I(1))),
	      "x: resident r; y: element w; n: scalar r guard");
	check("scaled index gid*2 alone", copy_at("", MUL(V("gid"), I(2))),
	      "x: record 2 r; y: element w; n: scalar r guard");
	check("gid*2 + 1", copy_at("", ADD(MUL(V("gid"), I(2)), I(1))),
	      "x: record 2 r; y: element w; n: scalar r guard");
	check("gid*2 + 2 leaves the record",
	      copy_at("", ADD(MUL(V("gid"), I(2)), I(2))),
	      "x: resident r; y: element w; n: scalar r guard");
	check("gid*1 is the element", copy_at("", MUL(I(1), V("gid"))),
	      "x: element r; y: element w; n: scalar r guard");
	check("gid*0", copy_at("", MUL(V("gid"), I(0))),
	      "x: resident r; y: element w; n: scalar r guard");
	check("gid*gid", copy_at("", MUL(V("gid"), V("gid"))),
	      "x: resident r; y: element w; n: scalar r guard");
	check("data-dependent index", copy_at("idx:u32[]", X("idx", V("gid"))),
	      "x: resident r; y: element w; n: scalar r guard; "
	      "idx: element r");
	check("constant index", copy_at("", I(3)),
	      "x: resident r; y: element w; n: scalar r guard");
	check("gid*k + 0 with a parameter k",
	      copy_at("k:u64", ADD(MUL(V("gid"), V("k")), I(0))),
	      "x: record k r; y: element w; n: scalar r guard; k: scalar r");
	check("gid*k + 1: not provably below k",
	      copy_at("k:u64", ADD(MUL(V("gid"), V("k")), I(1))),
	      "x: resident r; y: element w; n: scalar r guard; k: scalar r");
	check("gid*e with a float e", copy_at("e:f32", MUL(V("gid"), V("e"))),
	      "x: resident r; y: element w; n: scalar r guard; e: scalar r");
	check("casts around the lane id",
	      copy_at("", C("u64", C("int", V("gid"), NULL), NULL)),
	      "x: element r; y: element w; n: scalar r guard");
	check("a narrowing cast is not the lane id",
	      copy_at("", C("u16", V("gid"), NULL)),
	      "x: resident r; y: element w; n: scalar r guard");
	check("a float cast is not the lane id",
	      copy_at("", C("float", V("gid"), NULL)),
	      "x: resident r; y: element w; n: scalar r guard");

	/* copies of the lane id, and a reassigned one */
	check("copies of the lane id",
	      kernel("x:f32[] y:f32[]", LET("g", GID()),
		     LET("h", C("u32", V("g"), NULL)), LET("i", V("h")),
		     SET(X("y", V("i")), X("x", V("g"))), NULL),
	      "x: element r; y: element w");
	check("a reassigned lane id is not the lane id",
	      kernel("x:f32[] y:f32[] n:u32", LET("i", GID()),
		     IF(B(KB_GE, V("i"), V("n")), SET(V("i"), I(0)), NULL),
		     SET(X("y", V("i")), X("x", V("i"))), NULL),
	      "x: resident r; y: resident w; n: scalar r");
	check("a lane id bound by a loop is not the lane id",
	      kernel("x:f32[] y:f32[]", LET("i", GID()), FOR("i", I(4), NULL),
		     SET(X("y", V("i")), I(0)), NULL),
	      "x: resident; y: resident w");

	/* records of a literal length */
	check("record 4 from loops and literals",
	      kernel("x:f32[] y:f32[]", LET("g", GID()),
		     LET("base", MUL(I(4), V("g"))),
		     FOR("j", I(4),
			 SET(X("y", ADD(V("j"), V("base"))),
			     X("x", ADD(V("base"), V("j")))),
			 NULL),
		     FOR3("t", I(1), I(3), I(2),
			  SET(X("y", ADD(MUL(V("g"), I(4)), V("t"))), I(0)),
			  NULL),
		     SET(X("y", ADD(V("base"), I(3))), X("x", V("base"))),
		     NULL),
	      "x: record 4 r; y: record 4 w");
	check("a loop past the record",
	      kernel("x:f32[]", LET("g", GID()),
		     FOR("j", I(5),
			 SET(X("x", ADD(MUL(V("g"), I(4)), V("j"))), I(0)),
			 NULL),
		     NULL),
	      "x: resident w");
	check("a loop from a negative start",
	      kernel("x:f32[]", LET("g", GID()),
		     FOR3("j", I((uint64_t)-1), I(4), I(1),
			  SET(X("x", ADD(MUL(V("g"), I(4)), V("j"))), I(0)),
			  NULL),
		     NULL),
	      "x: resident w");
	check("a loop variable also assigned",
	      kernel("x:f32[]", LET("g", GID()),
		     FOR("j", I(4), INC("j", I(1)),
			 SET(X("x", ADD(MUL(V("g"), I(4)), V("j"))), I(0)),
			 NULL),
		     NULL),
	      "x: resident w");
	check("one loop over range(4), one over range(8)",
	      kernel("x:f32[]", LET("g", GID()), FOR("j", I(4), NULL),
		     FOR("j", I(8), NULL),
		     SET(X("x", ADD(MUL(V("g"), I(4)), V("j"))), I(0)), NULL),
	      "x: resident w");
	check("two record lengths",
	      kernel("x:f32[]", LET("g", GID()),
		     SET(X("x", MUL(V("g"), I(4))), I(0)),
		     SET(X("x", MUL(V("g"), I(2))), I(0)), NULL),
	      "x: resident w");
	check("element and record",
	      kernel("x:f32[]", LET("g", GID()), SET(X("x", V("g")), I(0)),
		     SET(X("x", MUL(V("g"), I(2))), I(0)), NULL),
	      "x: resident w");
	check("records of k and of m",
	      kernel("x:f32[] k:u32 m:u32", LET("g", GID()),
		     SET(X("x", MUL(V("g"), V("k"))), I(0)),
		     SET(X("x", MUL(V("g"), V("m"))), I(0)), NULL),
	      "x: resident w; k: scalar r; m: scalar r");
	check("in-place update of the element",
	      kernel("x:f32[]", LET("g", GID()),
		     SET(X("x", V("g")), MUL(X("x", V("g")), F(2))), NULL),
	      "x: element rw");
}

/* ---- resident and reduction --------------------------------------------- */

static void wholes(void)
{
	check("parallel_map_unary",
	      kernel("x:f32[] y:f32[] n:u32",
		     EXPR(C("parallel_map_unary", V("x"), V("y"), Str("relu"),
			    V("n"), NULL)),
		     NULL),
	      "x: resident r; y: resident w; n: scalar r");
	check("parallel_map_binary and parallel_reduce",
	      kernel("a:f32[] b:f32[] c:f32[] s:f32[] n:u32",
		     EXPR(C("parallel_map_binary", V("a"), V("b"), V("c"),
			    Str("add"), V("n"), NULL)),
		     EXPR(C("parallel_reduce", V("c"), V("s"), Str("sum"),
			    V("n"), NULL)),
		     NULL),
	      "a: resident r; b: resident r; c: resident rw; s: resident w; "
	      "n: scalar r");
	check("an unused array",
	      kernel("x:f32[] y:f32[]", SET(X("y", GID()), F(1)), NULL),
	      "x: resident; y: element w");
	check("an array named as a value",
	      kernel("x:f32[] y:f32[]", LET("z", V("x")),
		     SET(X("y", GID()), F(1)), NULL),
	      "x: resident rw; y: element w");

	/* reductions */
	check("atomic on r[3]",
	      kernel("v:f32[] r:f32[]", LET("g", GID()),
		     EXPR(C("atomic_add_f32", X("r", I(3)), X("v", V("g")),
			    NULL)),
		     NULL),
	      "v: element r; r: reduction 4 w");
	check("atomics over a loop's indices",
	      kernel("v:f32[] r:f32[] n:u32", LET("g", GID()),
		     IF(LT(V("g"), V("n")),
			FOR("j", I(4),
			    EXPR(C("atomic_add", V("r"), V("j"), X("v", V("g")),
				   NULL)),
			    NULL),
			NULL),
		     NULL),
	      "v: element r; r: reduction w; n: scalar r guard");
	check("histogram: a data-dependent atomic index",
	      kernel("v:u32[] hist:u32[]", LET("g", GID()),
		     EXPR(C("atomic_add", V("hist"), X("v", V("g")), I(1),
			    NULL)),
		     NULL),
	      "v: element r; hist: resident w");
	check("an atomic at the lane id is the element",
	      kernel("v:u32[] hist:u32[]", LET("g", GID()),
		     EXPR(C("atomic_add", V("hist"), V("g"), X("v", V("g")),
			    NULL)),
		     NULL),
	      "v: element r; hist: element w");
	check("an atomic's old value is used",
	      kernel("cnt:u32[] y:u32[]", LET("g", GID()),
		     LET("slot", C("atomic_add", V("cnt"), I(0), I(1), NULL)),
		     SET(X("y", V("g")), V("slot")), NULL),
	      "cnt: resident rw; y: element w");
	check("an index chosen by a lane-dependent branch",
	      kernel("v:f32[] r:f32[]", LET("g", GID()), LET("k", I(0)),
		     IF(B(KB_GT, X("v", V("g")), F(0)), SET(V("k"), I(1)),
			NULL),
		     EXPR(C("atomic_add", V("r"), V("k"), F(1), NULL)), NULL),
	      "v: element r; r: resident w");
	check("an index bound once in a lane-dependent branch",
	      kernel("v:f32[] r:f32[]", LET("g", GID()),
		     IF(B(KB_GT, X("v", V("g")), F(0)), LET("k", I(1)),
			EXPR(C("atomic_add", V("r"), V("k"), F(1), NULL)),
			NULL),
		     NULL),
	      "v: element r; r: reduction 2 w");
	check("an index set in a loop under a lane-dependent branch",
	      kernel("v:f32[] r:f32[]", LET("g", GID()),
		     FOR("j", I(4),
			 IF(B(KB_GT, X("v", V("g")), V("j")), LET("k", V("j")),
			    NULL),
			 NULL),
		     EXPR(C("atomic_add", V("r"), V("k"), F(1), NULL)), NULL),
	      "v: element r; r: resident w");
	check("an index left by a lane-dependent break",
	      kernel("v:f32[] r:f32[]", LET("g", GID()), LET("k", I(0)),
		     FOR("j", I(4),
			 IF(B(KB_GT, X("v", V("g")), V("j")), BRK(), NULL),
			 SET(V("k"), V("j")), NULL),
		     EXPR(C("atomic_add", V("r"), V("k"), F(1), NULL)), NULL),
	      "v: element r; r: resident w");
	check("an index from a loop bounded by the lane",
	      kernel("r:f32[]", LET("g", GID()),
		     FOR("j", V("g"),
			 EXPR(C("atomic_add", V("r"), V("j"), F(1), NULL)),
			 NULL),
		     NULL),
	      "r: resident w");
	check("an index counted by a lane-dependent while",
	      kernel("v:f32[] r:f32[]", LET("g", GID()), LET("k", I(0)),
		     WHILE(LT(V("k"), X("v", V("g"))), INC("k", I(1)), NULL),
		     EXPR(C("atomic_add", V("r"), V("k"), F(1), NULL)), NULL),
	      "v: element r; r: resident w");
	check("an index read from an array the kernel writes",
	      kernel("t:u32[] r:f32[]", LET("g", GID()),
		     SET(X("t", V("g")), V("g")),
		     EXPR(C("atomic_add", V("r"), X("t", I(0)), F(1), NULL)),
		     NULL),
	      "t: resident rw; r: resident w");
	check("an index read from a table nobody writes",
	      kernel("t:u32[] r:f32[]",
		     EXPR(C("atomic_add", V("r"), X("t", I(0)), F(1), NULL)),
		     NULL),
	      "t: resident r; r: reduction w");
	check("atomics and a load",
	      kernel("r:f32[] y:f32[]", LET("g", GID()),
		     EXPR(C("atomic_add_f32", V("r"), F(1), NULL)),
		     SET(X("y", V("g")), X("r", I(0))), NULL),
	      "r: resident rw; y: element w");
	check("an early return keeps reductions",
	      kernel("v:f32[] r:f32[] n:u32", LET("g", GID()), LET("k", I(0)),
		     IF(B(KB_GE, V("g"), V("n")), RET(), NULL),
		     SET(V("k"), I(2)),
		     EXPR(C("atomic_add", V("r"), V("k"), X("v", V("g")), NULL)),
		     NULL),
	      "v: element r; r: reduction w; n: scalar r guard");
}

/* ---- reduction lengths -------------------------------------------------- */

static void reduction_lengths(void)
{
	check_py("atomic_add(r, 3, v) and atomic_add(r, 1, v)",
		 IMPORTS "def k(v: DeviceArray[u32], r: DeviceArray[u32]):\n"
			 "    gid = get_global_id()\n"
			 "    atomic_add(r, 3, v[gid])\n"
			 "    atomic_add(r, 1, v[gid])\n",
		 "v: element r; r: reduction 4 w");
	check_py("a scalar parameter's index: length unknown",
		 IMPORTS "def k(v: DeviceArray[u32], r: DeviceArray[u32],"
			 " s: u32):\n"
			 "    gid = get_global_id()\n"
			 "    atomic_add(r, s, v[gid])\n",
		 "v: element r; r: reduction w; s: scalar r");
	check("atomic_add_f32(r, v) and atomic_max(r[5], v)",
	      kernel("v:f32[] r:f32[]", LET("g", GID()),
		     EXPR(C("atomic_add_f32", V("r"), X("v", V("g")), NULL)),
		     EXPR(C("atomic_max", X("r", I(5)), X("v", V("g")), NULL)),
		     NULL),
	      "v: element r; r: reduction 6 w");
	check("a literal through a cast and a variable",
	      kernel("v:f32[] r:f32[]", LET("g", GID()), LET("k", I(2)),
		     EXPR(C("atomic_add", V("r"), C("u64", V("k"), NULL),
			    X("v", V("g")), NULL)),
		     NULL),
	      "v: element r; r: reduction 3 w");
	check("a literal and a scalar: length unknown",
	      kernel("v:f32[] r:f32[] s:u32", LET("g", GID()),
		     EXPR(C("atomic_add", V("r"), I(0), X("v", V("g")), NULL)),
		     EXPR(C("atomic_add", V("r"), V("s"), X("v", V("g")), NULL)),
		     NULL),
	      "v: element r; r: reduction w; s: scalar r");
	check("an arithmetic index: length unknown",
	      kernel("v:f32[] r:f32[]", LET("g", GID()),
		     EXPR(C("atomic_add", V("r"), ADD(I(1), I(1)),
			    X("v", V("g")), NULL)),
		     NULL),
	      "v: element r; r: reduction w");
	check("index 2^53 - 1: length 2^53",
	      kernel("v:f32[] r:f32[]", LET("g", GID()),
		     EXPR(C("atomic_add", V("r"), I(((uint64_t)1 << 53) - 1),
			    X("v", V("g")), NULL)),
		     NULL),
	      "v: element r; r: reduction 9007199254740992 w");
	check("index 2^53: length unknown",
	      kernel("v:f32[] r:f32[]", LET("g", GID()),
		     EXPR(C("atomic_add", V("r"), I((uint64_t)1 << 53),
			    X("v", V("g")), NULL)),
		     NULL),
	      "v: element r; r: reduction w");
	check("index -1 (two's complement): length unknown",
	      kernel("v:f32[] r:f32[]", LET("g", GID()),
		     EXPR(C("atomic_add", V("r"), I(UINT64_MAX), X("v", V("g")),
			    NULL)),
		     NULL),
	      "v: element r; r: reduction w");
}

/* ---- the lane-count guard ----------------------------------------------- */

/* if COND: y[gid] = x[gid] */
static struct kl_func *guarded(struct kl_expr *cond)
{
	return kernel("x:f32[] y:f32[] n:u32 f:f32", LET("gid", GID()),
		      IF(cond, SET(X("y", V("gid")), X("x", V("gid"))), NULL),
		      NULL);
}

static void guards(void)
{
	static const char plain[] =
		"x: element r; y: element w; n: scalar r guard; f: scalar";
	static const char none[] =
		"x: element r; y: element w; n: scalar r; f: scalar";

	check("guard n > gid", guarded(B(KB_GT, V("n"), V("gid"))), plain);
	check("guard not gid >= n", guarded(Not(B(KB_GE, V("gid"), V("n")))),
	      plain);
	check("guard gid < u64(n)",
	      guarded(LT(V("gid"), C("u64", V("n"), NULL))), plain);
	check("gid <= n is not a guard", guarded(B(KB_LE, V("gid"), V("n"))),
	      none);
	check("gid < n + 1 is not a guard",
	      guarded(LT(V("gid"), ADD(V("n"), I(1)))), none);
	check("n < gid is not a guard", guarded(LT(V("n"), V("gid"))), none);
	check("a float bound is not a guard", guarded(LT(V("gid"), V("f"))),
	      "x: element r; y: element w; n: scalar; f: scalar r");
	check("a kernel without a guard",
	      kernel("x:f32[] y:f32[] n:u32", LET("gid", GID()),
		     SET(X("y", V("gid")), X("x", V("gid"))), NULL),
	      "x: element r; y: element w; n: scalar");
	check("guard by early return",
	      kernel("x:f32[] y:f32[] n:u32", LET("gid", GID()),
		     IF(B(KB_GE, V("gid"), V("n")), RET(), NULL),
		     SET(X("y", V("gid")), X("x", V("gid"))), NULL),
	      "x: element r; y: element w; n: scalar r guard");
	check("guard by early return, n <= gid",
	      kernel("x:f32[] y:f32[] n:u32", LET("gid", GID()),
		     IF(B(KB_LE, V("n"), V("gid")), RET(), NULL),
		     SET(X("y", V("gid")), X("x", V("gid"))), NULL),
	      "x: element r; y: element w; n: scalar r guard");
	check("an early return after an access is no guard",
	      kernel("x:f32[] y:f32[] n:u32", LET("gid", GID()),
		     SET(X("y", V("gid")), X("x", V("gid"))),
		     IF(B(KB_GE, V("gid"), V("n")), RET(), NULL), NULL),
	      "x: element r; y: element w; n: scalar r");
	check("the bound used elsewhere is no guard",
	      kernel("x:f32[] y:f32[] n:u32", LET("gid", GID()),
		     IF(LT(V("gid"), V("n")),
			SET(X("y", V("gid")), B(KB_DIV, X("x", V("gid")),
						C("float", V("n"), NULL))),
			NULL),
		     NULL),
	      "x: element r; y: element w; n: scalar r");
	check("an access before the guard",
	      kernel("x:f32[] y:f32[] n:u32", LET("gid", GID()),
		     LET("t", X("x", I(0))),
		     IF(LT(V("gid"), V("n")), SET(X("y", V("gid")), V("t")),
			NULL),
		     NULL),
	      "x: resident r; y: element w; n: scalar r");
	check("an access after the guard",
	      kernel("x:f32[] y:f32[] n:u32", LET("gid", GID()),
		     IF(LT(V("gid"), V("n")), SET(X("y", V("gid")), F(1)),
			NULL),
		     SET(X("x", V("gid")), F(2)), NULL),
	      "x: element w; y: element w; n: scalar r");
	check("an access in the guard's else",
	      kernel("x:f32[] y:f32[] n:u32", LET("gid", GID()),
		     IF(LT(V("gid"), V("n")), SET(X("y", V("gid")), F(1)), ELSE,
			SET(X("x", V("gid")), F(2)), NULL),
		     NULL),
	      "x: element w; y: element w; n: scalar r");
	check("a nested guard is no guard",
	      kernel("x:f32[] y:f32[] n:u32 m:u32", LET("gid", GID()),
		     IF(LT(V("gid"), V("n")),
			IF(LT(V("gid"), V("m")),
			   SET(X("y", V("gid")), X("x", V("gid"))), NULL),
			NULL),
		     NULL),
	      "x: element r; y: element w; n: scalar r guard; m: scalar r");
	check("two early returns",
	      kernel("x:f32[] y:f32[] n:u32 m:u32", LET("gid", GID()),
		     IF(B(KB_GE, V("gid"), V("n")), RET(), NULL),
		     IF(B(KB_GE, V("gid"), V("m")), RET(), NULL),
		     SET(X("y", V("gid")), X("x", V("gid"))), NULL),
	      "x: element r; y: element w; n: scalar r guard; "
	      "m: scalar r guard");
	check("a guard on a copy of the lane id",
	      kernel("x:f32[] y:f32[] n:i64", LET("g", GID()),
		     LET("i", C("i64", V("g"), NULL)),
		     IF(LT(V("i"), V("n")), SET(X("y", V("i")), F(1)), NULL),
		     NULL),
	      "x: resident; y: element w; n: scalar r guard");
	check("a kernel with no parameters", kernel("", RET(), NULL), "");
}

int main(void)
{
	originals();
	indices();
	wholes();
	reduction_lengths();
	guards();
	return done_testing();
}
