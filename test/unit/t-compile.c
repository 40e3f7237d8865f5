/*
 * t-compile.c - the public compile API (atlas.h): which source a name or a
 * text is, several kernels in one text (assembly sections, JSON arrays,
 * Python functions), choosing one by name, writing several back, v1.0
 * JSON in and out, and the places of errors in texts of several kernels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "files.h"
#include "tap.h"

static const char two_asm[] = ".kernel one\n"
			      ".param x f32[] in r1\n"
			      "\texit\n"
			      "\n"
			      ".kernel two\n"
			      ".param y f32[] out r1\n"
			      "\texit\n";

static const char two_py[] =
	"from atlas_kernel import DeviceArray, f32, get_global_id, u32\n"
	"\n"
	"def one(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):\n"
	"    i = get_global_id()\n"
	"    if i < n:\n"
	"        y[i] = x[i] + 1.0\n"
	"\n"
	"def two(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):\n"
	"    i = get_global_id()\n"
	"    if i < n:\n"
	"        y[i] = x[i] * 2.0\n";

static void sources(void)
{
	is_int(atlas_source_of_path("a/k.py"), ATLAS_SOURCE_PYTHON, "k.py");
	is_int(atlas_source_of_path("k.s"), ATLAS_SOURCE_ASM, "k.s");
	is_int(atlas_source_of_path("k.json"), ATLAS_SOURCE_JSON, "k.json");
	is_int(atlas_source_of_path("k.txt"), ATLAS_SOURCE_AUTO, "k.txt");
	is_int(atlas_source_of_path("-"), ATLAS_SOURCE_AUTO, "-");
	is_int(atlas_source_sniff(" \n{", 3), ATLAS_SOURCE_JSON, "sniff {");
	is_int(atlas_source_sniff("[", 1), ATLAS_SOURCE_JSON, "sniff [");
	is_int(atlas_source_sniff("# c\n  .kernel k\n", 16), ATLAS_SOURCE_ASM,
	       "sniff .kernel");
	is_int(atlas_source_sniff(".kernelx\n", 9), ATLAS_SOURCE_PYTHON,
	       "sniff .kernelx is not a directive");
	is_int(atlas_source_sniff(two_py, strlen(two_py)), ATLAS_SOURCE_PYTHON,
	       "sniff Python");
}

/* Compile text; return the count (0 on failure), names in order. */
static size_t compile(const char *text, enum atlas_source src, char *names,
		      size_t size)
{
	struct atlas_program **v;
	struct atlas_error err = {0};
	size_t n = 0;

	names[0] = '\0';
	if (atlas_compile(text, strlen(text), src, &v, &n, &err)) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		return 0;
	}
	for (size_t i = 0, k = 0; i < n; i++)
		k += (size_t)snprintf(names + k, size - k, "%s%s", i ? " " : "",
				      atlas_program_name(v[i]));
	atlas_programs_free(v, n);
	return n;
}

static void several(void)
{
	struct atlas_program **v;
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};
	char names[64];
	size_t n;
	char *json, *asm_text;

	ok(compile(two_asm, ATLAS_SOURCE_AUTO, names, sizeof names) == 2 &&
		   !strcmp(names, "one two"),
	   "assembly: two .kernel sections");
	ok(compile(two_py, ATLAS_SOURCE_PYTHON, names, sizeof names) == 2 &&
		   !strcmp(names, "one two"),
	   "Python: two kernels");
	if (atlas_compile(two_asm, strlen(two_asm), ATLAS_SOURCE_ASM, &v, &n,
			  &err)) {
		ok(0, "compile two_asm");
		return;
	}
	json = atlas_programs_write(v, n, ATLAS_FORMAT_JSON, &err);
	asm_text = atlas_programs_write(v, n, ATLAS_FORMAT_ASM, &err);
	ok(json && json[0] == '[', "two programs write a JSON array");
	is_str(asm_text, two_asm, "two programs write their listings");
	ok(json && compile(json, ATLAS_SOURCE_AUTO, names, sizeof names) == 2 &&
		   !strcmp(names, "one two"),
	   "the array reads back");
	is_int(atlas_program_parse(json, strlen(json), ATLAS_FORMAT_JSON, &p,
				   &err),
	       ATLAS_ERR_ARG, "atlas_program_parse: several kernels fail");
	is_str(err.msg, "several kernels (one, two): choose one by name",
	       "... with the list");
	ok(p == NULL, "... and no program");
	is_int(atlas_program_parse_named(json, strlen(json), ATLAS_SOURCE_AUTO,
					 "two", &p, &err),
	       ATLAS_OK, "atlas_program_parse_named picks 'two'");
	is_str(p ? atlas_program_name(p) : NULL, "two", "... by its name");
	atlas_program_free(p);
	is_int(atlas_program_parse_named(two_asm, strlen(two_asm),
					 ATLAS_SOURCE_ASM, "three", &p, &err),
	       ATLAS_ERR_ARG, "an unknown name fails");
	is_str(err.msg, "no kernel 'three' (the kernels are one, two)",
	       "... with the list");
	free(json);
	free(asm_text);
	atlas_programs_free(v, n);
	atlas_programs_free(NULL, 0);
}

static void errors(void)
{
	static const char bad_second[] = ".kernel one\n\texit\n"
					 ".kernel two\n\tfrob r1\n";
	static const char empty_arr[] = "  []";
	struct atlas_program **v = NULL;
	struct atlas_error err = {0};
	size_t n = 7;

	is_int(atlas_compile(bad_second, strlen(bad_second), ATLAS_SOURCE_AUTO,
			     &v, &n, &err),
	       ATLAS_ERR_PARSE, "an error in the second assembly kernel");
	ok(err.line == 4 && err.col == 2,
	   "... at its place in the text (%zu:%zu)", err.line, err.col);
	ok(v == NULL && n == 0, "... and no programs");
	is_int(atlas_compile(empty_arr, strlen(empty_arr), ATLAS_SOURCE_JSON,
			     &v, &n, &err),
	       ATLAS_ERR_PARSE, "an empty JSON array");
	is_str(err.msg, "no kernel in the array", "... says so");
	ok(err.line == 1 && err.col == 3, "... at the '['");
	ok(atlas_compile_v1(two_asm, strlen(two_asm), ATLAS_SOURCE_AUTO,
			    &err) == NULL &&
		   err.code == ATLAS_ERR_UNSUPPORTED,
	   "v1.0 output from assembly: unsupported");
}

static void v1(void)
{
	size_t len;
	char *text = slurp("test/fixtures/v1/vector_add.json", &len);
	struct atlas_program *p = NULL;
	struct atlas_param_info pi[4];
	struct atlas_error err = {0};
	char *back;

	if (!ok(text != NULL, "read the v1.0 vector_add fixture"))
		return;
	is_int(atlas_program_parse(text, len, ATLAS_FORMAT_JSON, &p, &err),
	       ATLAS_OK, "atlas_program_parse reads v1.0 JSON, lowered");
	if (p) {
		for (size_t i = 0; i < 4; i++)
			atlas_program_param(p, i, &pi[i]);
		ok(atlas_program_param_count(p) == 4 &&
			   pi[0].access == ATLAS_ACCESS_ELEMENT &&
			   pi[2].use == ATLAS_USE_OUT &&
			   pi[3].use == ATLAS_USE_GUARD,
		   "... with its access classes and guard");
	}
	atlas_program_free(p);
	back = atlas_compile_v1(text, len, ATLAS_SOURCE_AUTO, &err);
	is_str(back, text, "v1.0 in, the same v1.0 out");
	free(back);
	free(text);
}

int main(void)
{
	(void)fixtures_in; /* files.h: only slurp is used here */
	sources();
	several();
	errors();
	v1();
	return done_testing();
}
