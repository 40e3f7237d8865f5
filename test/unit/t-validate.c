/*
 * t-validate.c - the checks of atlas-validate in the library: the
 * identifier of every kind of error in a kernel's text, the verifier's
 * ids reached from small assembly programs, the lint's warnings and
 * notes (atlas_program_lint), atlas_validate_text, every bundled kernel
 * clean, and how long validating one takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atlas.h"
#include "files.h"
#include "program.h"
#include "tap.h"

#define KDIR "share/atlas/kernels"
#define DEEP_SIZE (64 * 300)

/* Compile text from src; the error's id ("" if it compiled). */
static const char *compile_id(const char *text, enum atlas_source src,
			      struct atlas_error *err)
{
	struct atlas_program **v = NULL;
	size_t n = 0;

	memset(err, 0, sizeof *err);
	snprintf(err->id, sizeof err->id, "stale");
	if (atlas_compile(text, strlen(text), src, &v, &n, err) == ATLAS_OK) {
		atlas_programs_free(v, n);
		return "";
	}
	return err->id;
}

/* The id of text's error, and that it is where it should be. */
static void error_at(const char *text, enum atlas_source src, const char *id,
		     size_t line, size_t col, const char *name)
{
	struct atlas_error err;
	const char *got = compile_id(text, src, &err);

	is_str(got, id, name);
	if (line && !ok(err.line == line && err.col == col, "%s: at %zu:%zu",
			name, line, col))
		diag("got %zu:%zu: %s", err.line, err.col, err.msg);
	else if (line == 0)
		diag("%s: %zu:%zu: %s", name, err.line, err.col, err.msg);
}

static void test_reader_ids(void)
{
	struct atlas_program *p;
	struct atlas_error err;

	/* JSON: syntax, and the program form's schema at the value */
	error_at("{\"format\": \"atlas-program\",\n \"version\": 1,]\n",
		 ATLAS_SOURCE_JSON, "json-syntax", 2, 15, "json syntax");
	error_at("{\"format\": \"atlas-program\", \"version\": 1}\n{}",
		 ATLAS_SOURCE_JSON, "json-syntax", 2, 1, "json trailing data");
	error_at("{\"format\": \"atlas-program\",\n"
		 " \"version\": 2,\n"
		 " \"kernel\": \"k\", \"instructions\": []}\n",
		 ATLAS_SOURCE_JSON, "json-schema", 2, 13, "json schema");
	error_at("{\"format\": \"atlas-program\", \"version\": 1,\n"
		 " \"kernel\": \"k\", \"instructions\": [\n"
		 "  {\"op\": \"exit\", \"bogus\": 1}]}\n",
		 ATLAS_SOURCE_JSON, "json-schema", 3, 18,
		 "json schema in an instruction");
	error_at("[]", ATLAS_SOURCE_JSON, "json-schema", 1, 1,
		 "json: no kernel in the array");
	/* the original's v1.0 form */
	error_at("{\"version\": \"1.0\", \"kernels\": [}", ATLAS_SOURCE_JSON,
		 "json-syntax", 0, 0, "v1.0 json syntax");
	error_at("{\"version\": \"1.0\", \"kernels\": 3}", ATLAS_SOURCE_JSON,
		 "json-schema", 0, 0, "v1.0 json schema");
	/* assembly */
	error_at(".kernel k\n\tfrob.f32 r1, r2\n\texit\n", ATLAS_SOURCE_ASM,
		 "asm-syntax", 2, 2, "asm unknown mnemonic");
	error_at("\texit\n", ATLAS_SOURCE_ASM, "asm-syntax", 1, 2,
		 "asm without .kernel");
	error_at(".kernel k\n\texit\n.kernel k\n\texit\n", ATLAS_SOURCE_ASM,
		 "asm-syntax", 3, 1, "asm duplicate kernel");
	error_at(".kernel k\n.param x f32[] in r1 element\n"
		 ".param x f32[] in r2 element\n\texit\n",
		 ATLAS_SOURCE_ASM, "asm-syntax", 0, 0,
		 "asm duplicate parameter");
	/* the kernel language: parse errors, then the rest */
	error_at("@atlas_kernel\ndef k(x: DeviceArray[f32]:\n    pass\n",
		 ATLAS_SOURCE_PYTHON, "kl-syntax", 0, 0, "kl syntax");
	error_at("@atlas_kernel\ndef k(a: i32, b: u32):\n    c = a + b\n",
		 ATLAS_SOURCE_PYTHON, "kl-semantics", 3, 9, "kl semantics");
	error_at("@atlas_kernel\ndef k(a: i32):\n    c = nope\n",
		 ATLAS_SOURCE_PYTHON, "kl-semantics", 0, 0, "kl unknown name");
	error_at("x = 1\n", ATLAS_SOURCE_PYTHON, "kl-syntax", 1, 1,
		 "kl: a statement at module level");
	/* building a program in code */
	p = atlas_program_new("k");
	memset(&err, 0, sizeof err);
	ok(atlas_program_append(p, "\tfrob r1\n", &err) != ATLAS_OK,
	   "append: bad text fails");
	is_str(err.id, "asm-syntax", "append: asm-syntax");
	atlas_program_free(p);
	/* out of the text's control: no id */
	memset(&err, 0, sizeof err);
	ok(atlas_compile("", 0, (enum atlas_source)42,
			 &(struct atlas_program **){NULL}, &(size_t){0},
			 &err) == ATLAS_ERR_ARG &&
		   err.id[0] == '\0',
	   "bad source kind: no id");
}

/* The verifier's id for an assembly program's error. */
static void verify_id(const char *body, const char *id)
{
	char text[4096];
	struct atlas_error err;

	snprintf(text, sizeof text,
		 ".kernel k\n.param x f32[] in r1 element\n"
		 ".param n u32 value r2\n%s",
		 body);
	is_str(compile_id(text, ATLAS_SOURCE_ASM, &err), id, id);
	diag("%zu:%zu: %s", err.line, err.col, err.msg);
}

static void test_verifier_ids(void)
{
	char *deep;
	size_t k = 0;
	struct atlas_error err;

	verify_id("\tmov.u32 r3, r300\n\texit\n", "register");
	verify_id("\tmov_imm.u32 r3, 1\n\tmov_imm.u32 r4, 2\n"
		  "\tsetlt.u32 p20, r3, r4\n\texit\n",
		  "predicate");
	verify_id("\tmov_imm.f32 r3, 1.0\n\tadd.u32 r4, r3, r2\n\texit\n",
		  "type-mismatch");
	verify_id("\tadd.u32 r4, r3, r2\n\texit\n", "uninitialized");
	verify_id("\tbra @nowhere\n\texit\n", "undefined-label");
	verify_id("\tmov_imm.i32 r3, 1\n\tsqrt.i32 r4, r3\n\texit\n",
		  "unsupported");
	verify_id("\tldg.f32 r3, [buf7 + 0]\n\texit\n", "buffer-handle");
	verify_id("\tldg.f32 r3, [phi(99, 0, 0)]\n\texit\n", "class-index");
	verify_id("\tldg.f32 r3, [phi(1, 60, 0)]\n\texit\n", "boundary-coords");
	/* a chain of calls one deeper than the ISA allows */
	deep = malloc(DEEP_SIZE);
	k += (size_t)snprintf(deep + k, DEEP_SIZE - k, ".kernel k\n");
	for (int i = 0; i <= 257; i++)
		k += (size_t)snprintf(deep + k, DEEP_SIZE - k,
				      "@f%d:\n\tcall @f%d\n\tret\n", i, i + 1);
	snprintf(deep + k, DEEP_SIZE - k, "@f258:\n\tret\n");
	is_str(compile_id(deep, ATLAS_SOURCE_ASM, &err), "call-depth",
	       "call-depth");
	free(deep);
	/* an immediate out of range: the readers refuse it first, so build
	   the program in code */
	{
		struct atlas_program *p = program_new("k");
		struct isa_insn in;

		memset(&in, 0, sizeof in);
		in.op = OP_MOV_IMM;
		in.type = ATLAS_U8;
		in.dst = 3;
		in.pred = ISA_NO_PRED;
		program_emit(p, &in);
		in.op = OP_NBR_GET;
		in.type = 0;
		in.dst = 4;
		in.src[0] = 3;
		in.imm = 300;
		program_emit(p, &in);
		memset(&err, 0, sizeof err);
		atlas_program_verify(p, &err);
		is_str(err.id, "immediate", "immediate");
		atlas_program_free(p);
	}
	/* a label past the end: only the JSON form can say that */
	is_str(compile_id("{\"format\": \"atlas-program\", \"version\": 1,"
			  " \"kernel\": \"k\","
			  " \"labels\": [{\"name\": \"l\", \"target\": 9}],"
			  " \"instructions\": [{\"op\": \"exit\"}]}",
			  ATLAS_SOURCE_JSON, &err),
	       "label-target", "label-target");
	diag("%zu:%zu: %s", err.line, err.col, err.msg);
}

/* The diagnostics of a text, one "SEV:LINE:ID" word per diagnostic. */
static char *summary(const char *text, enum atlas_source src,
		     struct atlas_diags *d)
{
	static char buf[2048];
	struct atlas_error err;
	size_t k = 0;

	memset(d, 0, sizeof *d);
	if (atlas_validate_text(text, strlen(text), src, d, &err) != ATLAS_OK)
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < d->n && k < sizeof buf - 64; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s:%zu:%s",
				      i ? " " : "",
				      atlas_severity_name(d->v[i].severity),
				      d->v[i].line, d->v[i].id);
	return buf;
}

/* The warnings of an assembly kernel, as summary() gives them. */
static void warnings(const char *body, const char *want, const char *name)
{
	char text[4096], got[2048] = "";
	struct atlas_diags d;
	const char *s;
	size_t k = 0;

	snprintf(text, sizeof text,
		 ".kernel k\n.param x f32[] in r1 element\n"
		 ".param n u32 value r2\n%s",
		 body);
	s = summary(text, ATLAS_SOURCE_ASM, &d);
	for (size_t i = 0; s && i < d.n; i++)
		if (d.v[i].severity != ATLAS_SEV_NOTE)
			k += (size_t)snprintf(got + k, sizeof got - k,
					      "%s%zu:%s", k ? " " : "",
					      d.v[i].line, d.v[i].id);
	is_str(got, want, name);
	for (size_t i = 0; s && i < d.n; i++)
		if (d.v[i].severity != ATLAS_SEV_NOTE)
			diag("%zu:%zu: %s", d.v[i].line, d.v[i].col,
			     d.v[i].msg);
	atlas_diags_free(&d);
}

static void test_lint(void)
{
	struct atlas_diags d;

	/* lines: 4 is the first instruction */
	warnings("\tbra @a\n\tmov_imm.u32 r3, 1\n\tmov_imm.u32 r3, 2\n@a:\n"
		 "\tbra @end\n\tmov_imm.u32 r3, 3\n@end:\n\texit\n",
		 "5:unreachable 9:unreachable", "unreachable runs");
	warnings("\tmov_imm.u32 r3, 0\n\tmov_imm.u32 r4, 1\n@top:\n"
		 "\tadd.u32 r3, r3, r4\n\tsetlt.u32 p0, r3, r2\n"
		 "\tbra.p0 @top\n\texit\n",
		 "", "counted loop (do-while)");
	warnings("\tmov_imm.u32 r3, 0\n\tmov_imm.u32 r4, 1\n@top:\n"
		 "\tsub.u32 r3, r3, r4\n\tsetlt.u32 p0, r3, r2\n"
		 "\tbra.p0 @top\n\texit\n",
		 "7:loop-bound", "counter stepped the wrong way");
	warnings("\tmov_imm.u32 r3, 0\n\tmov_imm.u32 r4, 1\n@top:\n"
		 "\tadd.u32 r3, r3, r4\n\tsetlt.u32 p0, r3, r2\n"
		 "\tadd.u32 r2, r2, r4\n\tbra.p0 @top\n\texit\n",
		 "7:loop-bound", "limit written in the loop");
	warnings("\tmov_imm.u32 r3, 0\n\tmov_imm.u32 r4, 1\n@top:\n"
		 "\tsetlt.u32 p0, r3, r2\n\tbra.p0 @skip\n"
		 "\tadd.u32 r3, r3, r4\n@skip:\n\tsetlt.u32 p1, r3, r2\n"
		 "\tbra.p1 @top\n\texit\n",
		 "7:loop-bound", "a path round the loop without a step");
	warnings("@top:\n\tbra @top\n\texit\n", "5:loop-bound 6:unreachable",
		 "endless loop");
	warnings("\tmov_imm.u32 r3, 10\n@top:\n\tmov.u32 r4, r3\n"
		 "\tloop r3, @top\n\texit\n",
		 "", "LOOP counts down");
	warnings("\tmov_imm.u32 r3, 10\n@top:\n\tmov_imm.u32 r3, 5\n"
		 "\tloop r3, @top\n\texit\n",
		 "6:loop-bound", "LOOP counter reset in the loop");
	/* nested: the outer loop bounded, the inner one not */
	warnings("\tmov_imm.u32 r3, 0\n\tmov_imm.u32 r4, 1\n@outer:\n"
		 "\tmov_imm.u32 r5, 0\n@inner:\n\tsetlt.u32 p1, r5, r2\n"
		 "\tbra.p1 @inner\n"
		 "\tadd.u32 r3, r3, r4\n\tsetlt.u32 p0, r3, r2\n"
		 "\tbra.p0 @outer\n\texit\n",
		 "9:loop-bound", "nested loops, each judged");
	warnings("\tmov_imm.u32 r3, 0\n\tsetlt.u32 p0, r3, r2\n"
		 "\tbra.p0 @b\n@a:\n\tbra @b\n@b:\n\tbra @a\n\texit\n",
		 "8:loop-bound 11:unreachable", "two entries");
	/* the kernel language's loops, for, while, with continue, down */
	ok(summary("@atlas_kernel\n"
		   "def k(x: DeviceArray[f32], y: DeviceArray[f32], n: u32, "
		   "s: i32):\n"
		   "    i = get_global_id()\n"
		   "    j = u32(0)\n"
		   "    while j < n:\n"
		   "        j += u32(3)\n"
		   "        if j == u32(7):\n"
		   "            continue\n"
		   "        if j == u32(9):\n"
		   "            break\n"
		   "    for q in range(s, 0, -2):\n"
		   "        for r in range(n):\n"
		   "            y[i] = x[i] + 1.0\n"
		   "    m = n\n"
		   "    while m > u32(0):\n"
		   "        m = m - u32(1)\n"
		   "    y[i] = x[i]\n",
		   ATLAS_SOURCE_PYTHON, &d) &&
		   d.count[ATLAS_SEV_WARNING] == 0 &&
		   d.count[ATLAS_SEV_ERROR] == 0,
	   "kernel-language loops are bounded");
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].severity != ATLAS_SEV_NOTE)
			diag("%zu:%zu: %s", d.v[i].line, d.v[i].col,
			     d.v[i].msg);
	atlas_diags_free(&d);
	ok(summary("@atlas_kernel\n"
		   "def k(x: DeviceArray[f32], n: u32):\n"
		   "    i = get_global_id()\n"
		   "    j = u32(0)\n"
		   "    while j < n:\n"
		   "        x[i] = 1.0\n",
		   ATLAS_SOURCE_PYTHON, &d) &&
		   d.count[ATLAS_SEV_WARNING] == 1,
	   "a while loop that never steps: a warning");
	atlas_diags_free(&d);
	/* why a kernel cannot stream */
	ok(summary(".kernel k\n.param a f32[] in r1 element\n"
		   ".param x f32[] inout r2 element\n"
		   "\tldg.f32 r3, [r1 + 0]\n\tstg.f32 [r2 + 0], r3\n\texit\n",
		   ATLAS_SOURCE_ASM, &d) &&
		   d.n == 3,
	   "resident kernel: three notes");
	if (d.n == 3) {
		is_str(d.v[0].msg,
		       "'a' is element-wise, but the kernel runs resident ('x' "
		       "is inout): read whole",
		       "element array of a resident kernel");
		is_str(d.v[1].msg, "'x' is inout: the kernel runs resident",
		       "inout array");
		is_str(d.v[2].id, "runtime-bounds", "runtime-bounds note");
		is_int(d.v[2].line, 4, "runtime-bounds at the first access");
		diag("%s", d.v[2].msg);
	}
	atlas_diags_free(&d);
	/* an error from the text: one diagnostic, placed */
	is_str(summary(".kernel k\n\tfrob\n", ATLAS_SOURCE_ASM, &d),
	       "error:2:asm-syntax", "a text that does not compile");
	atlas_diags_free(&d);
}

/* The access notes of bundled kernel name, joined by "|". */
static void access_notes(const char *name, const char *want)
{
	char path[256], got[2048] = "";
	struct atlas_diags d = {0};
	struct atlas_error err;
	size_t len, k = 0;
	char *text;

	snprintf(path, sizeof path, "%s/%s.json", KDIR, name);
	text = slurp(path, &len);
	if (text)
		atlas_validate_text(text, len, ATLAS_SOURCE_JSON, &d, &err);
	for (size_t i = 0; i < d.n; i++)
		if (strcmp(d.v[i].id, "access") == 0)
			k += (size_t)snprintf(got + k, sizeof got - k, "%s%s",
					      k ? "|" : "", d.v[i].msg);
	is_str(got, want, name);
	atlas_diags_free(&d);
	free(text);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_bundled(void)
{
	DIR *dir = opendir(KDIR);
	struct dirent *e;
	double worst = 0;
	char worst_name[256] = "";
	int count = 0;

	if (!ok(dir != NULL, "open %s", KDIR))
		return;
	while ((e = readdir(dir))) {
		const size_t l = strlen(e->d_name);
		char path[512];
		struct atlas_diags d = {0};
		struct atlas_error err;
		size_t len;
		char *text;
		double t0, t;
		const int reps = 200;

		if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", KDIR, e->d_name);
		if (!(text = slurp(path, &len)))
			continue;
		count++;
		ok(atlas_validate_text(text, len, ATLAS_SOURCE_JSON, &d,
				       &err) == ATLAS_OK &&
			   d.count[ATLAS_SEV_ERROR] == 0 &&
			   d.count[ATLAS_SEV_WARNING] == 0 &&
			   d.count[ATLAS_SEV_NOTE] > 0,
		   "%s: no errors, no warnings", e->d_name);
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].severity != ATLAS_SEV_NOTE)
				diag("%s:%zu:%zu: %s: [%s] %s", e->d_name,
				     d.v[i].line, d.v[i].col,
				     atlas_severity_name(d.v[i].severity),
				     d.v[i].id, d.v[i].msg);
		atlas_diags_free(&d);
		t0 = now();
		for (int r = 0; r < reps; r++) {
			atlas_validate_text(text, len, ATLAS_SOURCE_JSON, &d,
					    &err);
			atlas_diags_free(&d);
		}
		t = (now() - t0) / reps;
		if (t > worst) {
			worst = t;
			snprintf(worst_name, sizeof worst_name, "%s",
				 e->d_name);
		}
		free(text);
	}
	closedir(dir);
	ok(count >= 20, "%d bundled kernels validated", count);
	/* a figure for the record, not an assertion: builds vary */
	diag("slowest validation: %s, %.1f us (compile + lint)", worst_name,
	     worst * 1e6);
}

int main(void)
{
	test_reader_ids();
	test_verifier_ids();
	test_lint();
	access_notes("vector_add", "'a' is element-wise: streams one element "
				   "per lane|'b' is element-wise: streams one "
				   "element per lane|'c' is element-wise: "
				   "streams one element per lane");
	access_notes("gemv_f32",
		     "'A' is resident: read whole (no lane is proven to touch "
		     "only its own element or record)|'x' is resident: read "
		     "whole (no lane is proven to touch only its own element "
		     "or record)|'y' is element-wise: streams one element per "
		     "lane");
	access_notes("vector_sum", "'a' is element-wise: streams one element "
				   "per lane|'result' is a reduction of 1 "
				   "element: held and written at the end");
	access_notes("layer_norm",
		     "'input' is a record of 'hidden_dim' elements per lane: "
		     "streams one record per lane|'gamma' is resident: read "
		     "whole (no lane is proven to touch only its own element "
		     "or record)|'beta' is resident: read whole (no lane is "
		     "proven to touch only its own element or record)|'output' "
		     "is a record of 'hidden_dim' elements per "
		     "lane: streams one record per lane");
	test_bundled();
	return done_testing();
}
