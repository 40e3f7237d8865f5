/*
 * t-json.c - the JSON program reader and writer: for every program under
 * test/fixtures/programs, asm -> JSON -> asm is byte-identical, JSON ->
 * JSON is stable and both readers build the same program; the example of
 * the design notes reads; malformed JSON fails with the exact message and
 * position.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "files.h"
#include "tap.h"

#define FIXTURES "test/fixtures/programs"

/* Do a and b hold the same program (positions aside)? */
static int same_program(const struct atlas_program *a,
			const struct atlas_program *b)
{
	if (strcmp(a->name, b->name) || a->nparams != b->nparams ||
	    a->ninsns != b->ninsns || a->nlabels != b->nlabels ||
	    a->meta_declared != b->meta_declared ||
	    memcmp(&a->meta.classes_mask, &b->meta.classes_mask,
		   sizeof a->meta.classes_mask) ||
	    a->meta.mirror_safe != b->meta.mirror_safe ||
	    a->meta.unity_neutral != b->meta.unity_neutral ||
	    a->meta.uses_boundary != b->meta.uses_boundary ||
	    memcmp(&a->meta.boundary, &b->meta.boundary,
		   sizeof a->meta.boundary) ||
	    a->meta.phase.begin != b->meta.phase.begin ||
	    a->meta.phase.span != b->meta.phase.span)
		return 0;
	for (size_t i = 0; i < a->nparams; i++) {
		const struct isa_param *x = &a->params[i], *y = &b->params[i];

		if (strcmp(x->name, y->name) || x->kind != y->kind ||
		    x->type != y->type || x->use != y->use ||
		    x->reg != y->reg || x->handle != y->handle ||
		    x->access != y->access || x->record_len != y->record_len ||
		    x->record_param != y->record_param)
			return 0;
	}
	for (size_t i = 0; i < a->nlabels; i++) {
		const struct isa_label *x = &a->labels[i], *y = &b->labels[i];

		if (strcmp(x->name, y->name) || x->target != y->target ||
		    x->defined != y->defined)
			return 0;
	}
	for (size_t i = 0; i < a->ninsns; i++) {
		const struct isa_insn *x = &a->insns[i], *y = &b->insns[i];

		if (x->op != y->op || x->type != y->type ||
		    x->type2 != y->type2 || x->sub != y->sub ||
		    x->dst != y->dst || memcmp(x->src, y->src, sizeof x->src) ||
		    x->pred != y->pred || x->label != y->label ||
		    x->imm != y->imm || x->addr.mode != y->addr.mode ||
		    x->addr.base != y->addr.base ||
		    x->addr.index != y->addr.index ||
		    x->addr.handle != y->addr.handle ||
		    x->addr.offset != y->addr.offset ||
		    x->addr.cls != y->addr.cls ||
		    x->addr.page != y->addr.page ||
		    x->addr.byte != y->addr.byte) {
			diag("instruction %zu differs", i);
			return 0;
		}
	}
	return 1;
}

static void roundtrip(const char *dir, const char *name)
{
	char path[512];
	struct atlas_program *p = NULL, *q = NULL, *r = NULL;
	struct atlas_error err = {0};
	char *text, *json = NULL, *back = NULL, *json2 = NULL;
	size_t len = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	text = slurp(path, &len);
	if (!ok(text != NULL, "%s: read", name))
		return;
	if (!ok(asm_read(text, len, &p, &err) == ATLAS_OK, "%s: parses",
		name)) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		goto out;
	}
	json = json_write(p);
	if (!ok(json != NULL, "%s: JSON written", name))
		goto out;
	if (!ok(json_read(json, strlen(json), &q, &err) == ATLAS_OK,
		"%s: JSON reads", name)) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		goto out;
	}
	ok(same_program(p, q), "%s: both readers build the same program", name);
	back = asm_write(q);
	if (!ok(back && strcmp(back, text) == 0,
		"%s: asm -> JSON -> asm is identical", name))
		diag("got:\n%s", back ? back : "(null)");
	if (!ok(json_read(json, strlen(json), &r, &err) == ATLAS_OK,
		"%s: JSON reads again", name))
		goto out;
	json2 = json_write(r);
	ok(json2 && strcmp(json2, json) == 0, "%s: JSON -> JSON is stable",
	   name);
out:
	free(json2);
	free(back);
	free(json);
	atlas_program_free(r);
	atlas_program_free(q);
	atlas_program_free(p);
	free(text);
}

static const char example[] =
	"{\n"
	"  \"format\": \"atlas-program\",\n"
	"  \"version\": 1,\n"
	"  \"kernel\": \"sigmoid\",\n"
	"  \"params\": [\n"
	"    {\"name\": \"x\", \"kind\": \"array\", \"type\": \"f32\", "
	"\"use\": \"in\", \"register\": 1},\n"
	"    {\"name\": \"n\", \"kind\": \"scalar\", \"type\": \"u32\", "
	"\"use\": \"guard\", \"register\": 4}\n"
	"  ],\n"
	"  \"labels\": [{\"name\": \"exit\", \"target\": 7}],\n"
	"  \"instructions\": [\n"
	"    {\"op\": \"mov_imm\", \"type\": \"u32\", \"dst\": 250, \"imm\": 2},\n"
	"    {\"op\": \"mov_imm\", \"type\": \"f32\", \"dst\": 3, \"imm\": "
	"\"1.0\"},\n"
	"    {\"op\": \"ldg\", \"type\": \"f32\", \"dst\": 10, \"addr\": "
	"{\"mode\": \"regreg\", \"base\": 1, \"index\": 0}},\n"
	"    {\"op\": \"stg\", \"type\": \"f32\", \"src\": [11], \"addr\": "
	"{\"mode\": \"reg\", \"base\": 2, \"offset\": 4}},\n"
	"    {\"op\": \"set\", \"cond\": \"ge\", \"type\": \"u64\", \"dst\": 0, "
	"\"src\": [255, 4]},\n"
	"    {\"op\": \"bra\", \"pred\": 0, \"label\": \"exit\"},\n"
	"    {\"op\": \"cvt\", \"type\": \"f32\", \"from\": \"i32\", \"dst\": 1, "
	"\"src\": [2]},\n"
	"    {\"op\": \"memfence\", \"scope\": \"device\"},\n"
	"    {\"op\": \"pmap\", \"map\": \"sqrt\", \"type\": \"f32\", \"dst\": 3, "
	"\"src\": [1, 4]}\n"
	"  ]\n"
	"}\n";

static const char example_asm[] = ".kernel sigmoid\n"
				  ".param x f32[] in r1\n"
				  ".param n u32 guard r4\n"
				  "\tmov_imm.u32 r250, 2\n"
				  "\tmov_imm.f32 r3, 1.0\n"
				  "\tldg.f32 r10, [r1 + r0]\n"
				  "\tstg.f32 [r2 + 4], r11\n"
				  "\tsetge.u64 p0, r255, r4\n"
				  "\tbra.p0 @exit\n"
				  "\tcvt.f32.i32 r1, r2\n"
				  "@exit:\n"
				  "\tmemfence.device\n"
				  "\tpmap.sqrt.f32 r3, r1, r4\n";

static void check_example(void)
{
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};
	char *s;

	if (!ok(json_read(example, strlen(example), &p, &err) == ATLAS_OK,
		"design example reads")) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		return;
	}
	s = asm_write(p);
	is_str(s, example_asm, "design example as assembly");
	is_int(p->insns[5].line, 16, "instruction line");
	is_int(p->insns[5].col, 5, "instruction column");
	is_int(p->labels[0].line, 9, "label line");
	is_int(p->labels[0].col, 14, "label column");
	is_int(p->params[1].line, 7, "param line");
	free(s);
	atlas_program_free(p);
}

/* Immediates: numbers, strings, 2^53. */
static void check_imms(void)
{
	static const struct {
		const char *insn;
		uint64_t imm;
	} t[] = {
		{"\"type\": \"u64\", \"dst\": 1, \"imm\": 9007199254740992",
		 9007199254740992u},
		{"\"type\": \"u64\", \"dst\": 1, \"imm\": "
		 "\"18446744073709551615\"",
		 UINT64_MAX},
		{"\"type\": \"i8\", \"dst\": 1, \"imm\": -1", 0xff},
		{"\"type\": \"i64\", \"dst\": 1, \"imm\": \"-0x1\"", 0},
		{"\"type\": \"f32\", \"dst\": 1, \"imm\": 1.5", 0x3fc00000},
		{"\"type\": \"f32\", \"dst\": 1, \"imm\": \"0x7fc00000\"",
		 0x7fc00000},
		{"\"type\": \"f16\", \"dst\": 1, \"imm\": 1", 0x3c00},
		{"\"type\": \"f64\", \"dst\": 1, \"imm\": \"-inf\"",
		 0xfff0000000000000u},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char src[512];
		struct atlas_program *p = NULL;
		struct atlas_error err = {0};
		enum atlas_status st;

		snprintf(src, sizeof src,
			 "{\"format\": \"atlas-program\", \"version\": 1, "
			 "\"kernel\": \"k\", \"instructions\": [{\"op\": "
			 "\"mov_imm\", %s}]}",
			 t[i].insn);
		st = json_read(src, strlen(src), &p, &err);
		if (i == 3) {
			/* negative hex is not a literal */
			is_str(err.msg,
			       "instructions[0]: invalid immediate '-0x1'",
			       "negative hex rejected");
		} else if (ok(st == ATLAS_OK && p->insns[0].imm == t[i].imm,
			      "imm %s", t[i].insn) == 0) {
			diag("%s", st == ATLAS_OK ? "wrong value" : err.msg);
		}
		atlas_program_free(p);
	}
}

struct bad {
	const char *src;
	const char *msg;
	size_t line, col;
};

#define HEAD                                                                   \
	"{\"format\": \"atlas-program\", \"version\": 1, \"kernel\": \"k\",\n"
#define INSNS(x) HEAD "\"instructions\": [\n" x "\n]}"
/* An array parameter x with more keys x. */
#define PARAM(x)                                                                \
	HEAD "\"params\": [\n{\"name\": \"x\", \"kind\": \"array\", \"type\": " \
	     "\"f32\", \"use\": \"in\", \"register\": 1, " x "}],\n"            \
	     "\"instructions\": []}"

static const struct bad bad[] = {
	{"", "invalid JSON: unexpected end of input", 1, 1},
	{"{", "invalid JSON: unexpected end of input", 1, 2},
	{"{\"a\": 1,}", "invalid JSON: expected a string key", 1, 9},
	{"{\"a\" 1}", "invalid JSON: expected ':' after object key", 1, 6},
	{"{\"a\": [1 2]}", "invalid JSON: expected ',' or ']'", 1, 10},
	{"{\"a\": tru}", "invalid JSON: unexpected character 't'", 1, 7},
	{"{\"a\": 01}", "invalid JSON: invalid number", 1, 7},
	{"{\"a\": \"x\n\"}", "invalid JSON: control character in string", 1, 9},
	{"{\"a\": \"x}", "invalid JSON: unterminated string", 1, 7},
	{"{\"a\": \"\\q\"}", "invalid JSON: invalid escape in string", 1, 8},
	{"{} x", "invalid JSON: unexpected data after the value", 1, 4},
	{"\n  [1, 2]", "expected a JSON object", 2, 3},
	{"{\"version\": \"1.0\", \"kernel\": {\"name\": \"k\"}}",
	 "v1.0 kernel files are not supported yet", 1, 13},
	{"{\"format\": \"atlas\", \"version\": 1}",
	 "expected \"format\": \"atlas-program\"", 1, 12},
	{"{\"version\": 1}", "expected \"format\": \"atlas-program\"", 1, 1},
	{"{\"format\": \"atlas-program\", \"version\": 2}",
	 "expected \"version\": 1", 1, 40},
	{"{\"format\": \"atlas-program\", \"bogus\": 2}", "unknown key 'bogus'",
	 1, 29},
	{"{\"format\": \"atlas-program\", \"format\": \"x\"}",
	 "duplicate key 'format'", 1, 29},
	{HEAD "\"instructions\": 5}", "'instructions' must be an array", 2, 17},
	{HEAD "\"params\": []}", "missing key 'instructions'", 1, 1},
	{HEAD "\"kernel\": 3, \"instructions\": []}", "duplicate key 'kernel'",
	 2, 1},
	{"{\"format\": \"atlas-program\", \"version\": 1, \"kernel\": \"a b\"}",
	 "invalid kernel name 'a b'", 1, 53},
	{INSNS("  {\"op\": \"exit\"},\n  {\"op\": \"foo\"}"),
	 "instructions[1]: unknown op 'foo'", 4, 10},
	{INSNS("  {\"op\": \"add\", \"type\": \"f32\", \"src\": [1, 2]}"),
	 "instructions[0]: missing key 'dst'", 3, 3},
	{INSNS("  {\"type\": \"f32\"}"), "instructions[0]: missing key 'op'", 3,
	 3},
	{INSNS("  {\"op\": \"add\", \"type\": \"f33\", \"dst\": 1, \"src\": "
	       "[1, 2]}"),
	 "instructions[0]: unknown type 'f33'", 3, 25},
	{INSNS("  {\"op\": \"add\", \"type\": \"f32\", \"dst\": 1, \"src\": [1]}"),
	 "instructions[0]: 'src' must be an array of 2 registers", 3, 49},
	{INSNS("  {\"op\": \"add\", \"type\": \"f32\", \"dst\": 1, \"src\": "
	       "[1, 70000]}"),
	 "instructions[0]: src[1] must be an integer from 0 to 65535", 3, 53},
	{INSNS("  {\"op\": \"add\", \"type\": \"f32\", \"dst\": 1.5, \"src\": "
	       "[1, 2]}"),
	 "instructions[0]: 'dst' must be an integer from 0 to 65535", 3, 39},
	{INSNS("  {\"op\": \"add\", \"type\": \"f32\", \"dst\": 1, \"src\": "
	       "[1, 2], \"imm\": 3}"),
	 "instructions[0]: unknown key 'imm'", 3, 57},
	{INSNS("  {\"op\": \"exit\", \"op\": \"exit\"}"),
	 "instructions[0]: duplicate key 'op'", 3, 18},
	{INSNS("  {\"op\": \"mov_imm\", \"type\": \"u8\", \"dst\": 1, \"imm\": "
	       "256}"),
	 "instructions[0]: immediate 256 out of range for u8", 3, 52},
	{INSNS("  {\"op\": \"mov_imm\", \"type\": \"u64\", \"dst\": 1, \"imm\": "
	       "18446744073709551615}"),
	 "instructions[0]: immediate 1.8446744073709552e+19 beyond 2^53 must "
	 "be a string",
	 3, 53},
	{INSNS("  {\"op\": \"mov_imm\", \"type\": \"f32\", \"dst\": 1, \"imm\": "
	       "true}"),
	 "instructions[0]: 'imm' must be a number or a string", 3, 53},
	{INSNS("  {\"op\": \"mov_imm\", \"type\": \"f32\", \"dst\": 1, \"imm\": "
	       "\"one\"}"),
	 "instructions[0]: invalid immediate 'one'", 3, 53},
	{INSNS("  {\"op\": \"bar.sync\", \"imm\": 256}"),
	 "instructions[0]: immediate 256 out of range (0 to 255)", 3, 29},
	{INSNS("  {\"op\": \"set\", \"cond\": \"lq\", \"type\": \"f32\", \"dst\": "
	       "0, \"src\": [1, 2]}"),
	 "instructions[0]: unknown condition 'lq'", 3, 25},
	{INSNS("  {\"op\": \"memfence\", \"scope\": \"galaxy\"}"),
	 "instructions[0]: unknown scope 'galaxy'", 3, 31},
	{INSNS("  {\"op\": \"pmap2\", \"map\": \"sqrt\", \"type\": \"f32\", "
	       "\"dst\": 0, \"src\": [1, 2, 3]}"),
	 "instructions[0]: unknown pmap2 operation 'sqrt'", 3, 26},
	{INSNS("  {\"op\": \"bra\", \"label\": \"9x\"}"),
	 "instructions[0]: invalid label name '9x'", 3, 26},
	{INSNS("  {\"op\": \"ldg\", \"type\": \"f32\", \"dst\": 0, \"addr\": "
	       "{\"mode\": \"x\"}}"),
	 "instructions[0].addr: unknown address mode 'x'", 3, 59},
	{INSNS("  {\"op\": \"ldg\", \"type\": \"f32\", \"dst\": 0, \"addr\": "
	       "{\"mode\": \"reg\", \"base\": 1}}"),
	 "instructions[0].addr: missing key 'offset'", 3, 50},
	{INSNS("  {\"op\": \"ldg\", \"type\": \"f32\", \"dst\": 0, \"addr\": "
	       "{\"mode\": \"reg\", \"base\": 1, \"offset\": -2147483649}}"),
	 "instructions[0].addr: 'offset' must be an integer from -2147483648 "
	 "to 2147483647",
	 3, 87},
	{INSNS("  {\"op\": \"ldg\", \"type\": \"f32\", \"dst\": 0, \"addr\": "
	       "{\"mode\": \"buf\", \"handle\": 1, \"index\": 0}}"),
	 "instructions[0].addr: unknown key 'index'", 3, 79},
	{INSNS("  5"), "instructions[0]: expected an object", 3, 3},
	{HEAD
	 "\"params\": [{\"name\": \"x\", \"kind\": \"array\", \"type\": "
	 "\"f33\", \"use\": \"in\", \"register\": 1}], \"instructions\": []}",
	 "params[0]: unknown type 'f33'", 2, 51},
	{HEAD "\"params\": [{\"name\": \"x\", \"kind\": \"array\", \"type\": "
	      "\"f32\", \"use\": \"value\", \"register\": 1}], "
	      "\"instructions\": []}",
	 "params[0]: use 'value' needs a scalar parameter", 2, 65},
	{HEAD "\"params\": [{\"name\": \"x\", \"kind\": \"array\", \"type\": "
	      "\"f32\", \"use\": \"in\", \"register\": 1},\n"
	      "{\"name\": \"x\", \"kind\": \"array\", \"type\": "
	      "\"f32\", \"use\": \"in\", \"register\": 2}], "
	      "\"instructions\": []}",
	 "params[1]: duplicate parameter 'x'", 3, 10},
	{HEAD
	 "\"labels\": [{\"name\": \"a\", \"target\": 0}, {\"name\": \"a\", "
	 "\"target\": 0}], \"instructions\": []}",
	 "labels[1]: duplicate label 'a'", 2, 49},
	{HEAD "\"labels\": [{\"name\": \"a\", \"target\": -1}], "
	      "\"instructions\": []}",
	 "labels[0]: 'target' must be an integer from 0 to 4294967295", 2, 36},
	/* access classes */
	{PARAM("\"access\": \"streamed\""),
	 "params[0]: unknown access class 'streamed'", 3, 85},
	{PARAM("\"access\": \"any\""), "params[0]: unknown access class 'any'",
	 3, 85},
	{PARAM("\"access\": \"record\""),
	 "params[0]: access 'record' needs a length", 3, 85},
	{PARAM("\"access\": 4"),
	 "params[0]: 'access' must be a string or an object", 3, 85},
	{PARAM("\"access\": null"),
	 "params[0]: 'access' must be a string or an object", 3, 85},
	{PARAM("\"access\": {\"record\": 0}"),
	 "params[0].access: 'record' must be an integer from 1 to "
	 "9007199254740992 or a parameter name",
	 3, 96},
	{PARAM("\"access\": {\"record\": 2.5}"),
	 "params[0].access: 'record' must be an integer from 1 to "
	 "9007199254740992 or a parameter name",
	 3, 96},
	{PARAM("\"access\": {\"record\": \"a b\"}"),
	 "params[0].access: 'record' must be an integer from 1 to "
	 "9007199254740992 or a parameter name",
	 3, 96},
	{PARAM("\"access\": {\"record\": \"k\"}"),
	 "params[0].access: record length 'k' is not a scalar parameter", 3,
	 96},
	{PARAM("\"access\": {\"record\": \"x\"}"),
	 "params[0].access: record length 'x' is not a scalar parameter", 3,
	 96},
	{PARAM("\"access\": {\"record\": \"e\"}},\n"
	       "{\"name\": \"e\", \"kind\": \"scalar\", \"type\": \"f64\", "
	       "\"use\": \"value\", \"register\": 2"),
	 "params[0].access: record length 'e' must have an integer type", 3,
	 96},
	{PARAM("\"access\": {\"rec\": 4}"),
	 "params[0].access: unknown key 'rec'", 3, 86},
	{PARAM("\"access\": {}"), "params[0].access: missing key 'record'", 3,
	 85},
	{PARAM("\"access\": {\"reduction\": 0}"),
	 "params[0].access: 'reduction' must be an integer from 1 to "
	 "9007199254740992",
	 3, 99},
	{PARAM("\"access\": {\"reduction\": -1}"),
	 "params[0].access: 'reduction' must be an integer from 1 to "
	 "9007199254740992",
	 3, 99},
	{PARAM("\"access\": {\"reduction\": 9007199254740994}"),
	 "params[0].access: 'reduction' must be an integer from 1 to "
	 "9007199254740992",
	 3, 99},
	{PARAM("\"access\": {\"reduction\": 1.5}"),
	 "params[0].access: 'reduction' must be an integer from 1 to "
	 "9007199254740992",
	 3, 99},
	{PARAM("\"access\": {\"reduction\": \"n\"}"),
	 "params[0].access: 'reduction' must be an integer from 1 to "
	 "9007199254740992",
	 3, 99},
	{PARAM("\"access\": {\"reduction\": null}"),
	 "params[0].access: 'reduction' must be an integer from 1 to "
	 "9007199254740992",
	 3, 99},
	{PARAM("\"access\": {\"record\": 4, \"reduction\": 2}"),
	 "params[0].access: 'record' and 'reduction' exclude each other", 3,
	 99},
	{PARAM("\"access\": {\"reduction\": 2, \"record\": 4}"),
	 "params[0].access: 'record' and 'reduction' exclude each other", 3,
	 102},
	{PARAM("\"access\": {\"reduction\": 2, \"reduction\": 2}"),
	 "params[0].access: duplicate key 'reduction'", 3, 102},
	{PARAM("\"access\": \"element\", \"access\": \"element\""),
	 "params[0]: duplicate key 'access'", 3, 96},
	{HEAD "\"params\": [\n{\"name\": \"n\", \"kind\": \"scalar\", "
	      "\"type\": \"u32\", \"use\": \"value\", \"register\": 1, "
	      "\"access\": \"element\"}], \"instructions\": []}",
	 "params[0]: access 'element' needs an array parameter", 3, 89},
	{HEAD "\"params\": [\n{\"name\": \"n\", \"kind\": \"scalar\", "
	      "\"type\": \"u32\", \"use\": \"value\", \"register\": 1, "
	      "\"access\": {\"record\": 4}}], \"instructions\": []}",
	 "params[0]: access 'record' needs an array parameter", 3, 89},
	{HEAD "\"params\": [\n{\"name\": \"n\", \"kind\": \"scalar\", "
	      "\"type\": \"u32\", \"use\": \"value\", \"register\": 1, "
	      "\"access\": {\"reduction\": 4}}], \"instructions\": []}",
	 "params[0]: access 'reduction' needs an array parameter", 3, 89},
};

/* The metadata object: errors with their places. */
static const struct bad bad_meta[] = {
	{HEAD "\"metadata\": [], \"instructions\": []}",
	 "'metadata' must be an object", 2, 13},
	{HEAD "\"metadata\": {\"name\": \"k\"}, \"instructions\": []}",
	 "metadata: unknown key 'name'", 2, 14},
	{HEAD "\"metadata\": {\"mirror_safe\": 1}, \"instructions\": []}",
	 "metadata: 'mirror_safe' must be true or false", 2, 29},
	{HEAD "\"metadata\": {\"phase\": {\"span\": -1}}, "
	      "\"instructions\": []}",
	 "metadata.phase: 'span' must be an integer from 0 to 4294967295", 2,
	 32},
	{HEAD "\"metadata\": {\"boundary\": {\"page_max\": 256}}, "
	      "\"instructions\": []}",
	 "metadata.boundary: 'page_max' must be an integer from 0 to 255", 2,
	 39},
	{HEAD "\"metadata\": {\"classes_mask\": {\"high\": 4294967296}}, "
	      "\"instructions\": []}",
	 "metadata.classes_mask: 'high' must be an integer from 0 to "
	 "4294967295",
	 2, 39},
	{HEAD "\"metadata\": {\"classes_mask\": {\"low\": \"x\"}}, "
	      "\"instructions\": []}",
	 "metadata.classes_mask: 'low' must be an integer from 0 to "
	 "18446744073709551615",
	 2, 38},
};

/* The JSON form of reference 1.9: fields read, defaults kept, and the
   full 64-bit mask as a string. */
static void check_meta(void)
{
	static const char src[] = HEAD
		"\"metadata\": {\"classes_mask\": {\"low\": "
		"\"18446744073709551615\", \"high\": 3}, "
		"\"unity_neutral\": true, \"phase\": {\"begin\": 100}}, "
		"\"instructions\": []}";
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};
	struct atlas_metadata m;
	char *out = NULL;

	if (!ok(json_read(src, strlen(src), &p, &err) == ATLAS_OK,
		"metadata: reads"))
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
	ok(p && atlas_program_metadata(p, &m) &&
		   m.classes_mask.low == UINT64_MAX &&
		   m.classes_mask.high == 3 && m.unity_neutral &&
		   !m.mirror_safe && m.phase.begin == 100 &&
		   m.phase.span == 768 && m.boundary.page_max == 47,
	   "metadata: fields and defaults");
	out = p ? asm_write(p) : NULL;
	is_str(out,
	       ".kernel k\n.classes 0-65\n.unity_neutral\n"
	       ".phase 100 768\n",
	       "metadata: as assembly");
	free(out);
	out = p ? json_write(p) : NULL;
	ok(out && strstr(out, "\"metadata\": {\"classes_mask\": {\"low\": "
			      "\"18446744073709551615\", \"high\": 3}, "
			      "\"mirror_safe\": false, \"unity_neutral\": "
			      "true, \"uses_boundary\": false, \"boundary\": "
			      "{\"page_min\": 0, \"page_max\": 47, "
			      "\"byte_min\": 0, \"byte_max\": 255}, "
			      "\"phase\": {\"begin\": 100, \"span\": 768}}"),
	   "metadata: JSON written with every field");
	free(out);
	atlas_program_free(p);
}

static void check_bad(const struct bad *b)
{
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};
	enum atlas_status st = json_read(b->src, strlen(b->src), &p, &err);
	char name[200];

	snprintf(name, sizeof name, "error: %s", b->msg);
	if (!ok(st == ATLAS_ERR_PARSE && p == NULL, "%s: fails", name))
		diag("status %d", (int)st);
	is_str(err.msg, b->msg, name);
	is_int(err.line, b->line, "  line");
	is_int(err.col, b->col, "  column");
	atlas_program_free(p);
}

/* Access classes in the JSON form: each spelling, and back. */
static void check_access(void)
{
	static const char src[] =
		"{\"format\": \"atlas-program\", \"version\": 1, \"kernel\": "
		"\"k\", \"params\": [\n"
		"{\"name\": \"a\", \"kind\": \"array\", \"type\": \"f32\", "
		"\"use\": \"in\", \"register\": 1, \"access\": {\"record\": "
		"\"lda\"}},\n"
		"{\"name\": \"b\", \"kind\": \"array\", \"type\": \"f32\", "
		"\"access\": {\"record\": 3}, \"use\": \"in\", \"register\": 2},\n"
		"{\"name\": \"c\", \"kind\": \"array\", \"type\": \"f32\", "
		"\"use\": \"out\", \"register\": 3, \"access\": \"element\"},\n"
		"{\"name\": \"d\", \"kind\": \"array\", \"type\": \"f32\", "
		"\"use\": \"in\", \"register\": 4, \"access\": \"resident\"},\n"
		"{\"name\": \"e\", \"kind\": \"array\", \"type\": \"f32\", "
		"\"use\": \"out\", \"register\": 5, \"access\": \"reduction\"},\n"
		"{\"name\": \"lda\", \"kind\": \"scalar\", \"type\": \"u64\", "
		"\"use\": \"value\", \"register\": 6},\n"
		"{\"name\": \"s\", \"kind\": \"array\", \"type\": \"f32\", "
		"\"use\": \"out\", \"register\": 7, \"access\": "
		"{\"reduction\": 4}}],\n"
		"\"instructions\": [{\"op\": \"exit\"}]}";
	static const char want_asm[] = ".kernel k\n"
				       ".param a f32[] in r1 record lda\n"
				       ".param b f32[] in r2 record 3\n"
				       ".param c f32[] out r3 element\n"
				       ".param d f32[] in r4 resident\n"
				       ".param e f32[] out r5 reduction\n"
				       ".param lda u64 value r6\n"
				       ".param s f32[] out r7 reduction 4\n"
				       "\texit\n";
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};
	char *s;

	if (!ok(json_read(src, strlen(src), &p, &err) == ATLAS_OK,
		"access: JSON reads")) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		return;
	}
	is_int(p->params[0].access, ATLAS_ACCESS_RECORD, "access: record");
	is_int(p->params[0].record_param, 5,
	       "access: record length named before it is declared");
	is_int(p->params[1].record_len, 3, "access: constant record length");
	is_int(p->params[1].record_param, -1, "access: no length parameter");
	is_int(p->params[4].access, ATLAS_ACCESS_REDUCTION,
	       "access: reduction");
	is_int(p->params[4].record_len, 0, "access: reduction, no length");
	is_int(p->params[6].access, ATLAS_ACCESS_REDUCTION,
	       "access: reduction 4");
	is_int(p->params[6].record_len, 4, "access: reduction length");
	is_int(p->params[5].access, ATLAS_ACCESS_ANY, "access: absent is any");
	s = asm_write(p);
	is_str(s, want_asm, "access: as assembly");
	free(s);
	s = json_write(p);
	ok(s &&
		   strstr(s, "\"register\": 1, \"access\": {\"record\": "
			     "\"lda\"}}") &&
		   strstr(s, "\"register\": 2, \"access\": {\"record\": 3}}") &&
		   strstr(s, "\"register\": 5, \"access\": \"reduction\"}") &&
		   strstr(s, "\"register\": 6}") &&
		   strstr(s, "\"register\": 7, \"access\": {\"reduction\": "
			     "4}}"),
	   "access: JSON keys written after the register, none for any");
	free(s);
	atlas_program_free(p);
}

int main(void)
{
	/* every hand-written test program: fixtures (the assembly the
	   bundled kernels replaced among them), atlas-run's */
	static const char *const dirs[] = {FIXTURES, "test/fixtures/run"};

	for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
		size_t n;
		char **names = fixtures_in(dirs[d], &n);

		ok(n >= 3, "found %zu programs in %s", n, dirs[d]);
		for (size_t i = 0; i < n; i++) {
			roundtrip(dirs[d], names[i]);
			free(names[i]);
		}
		free(names);
	}
	check_example();
	check_imms();
	check_access();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_bad(&bad[i]);
	for (size_t i = 0; i < sizeof bad_meta / sizeof bad_meta[0]; i++)
		check_bad(&bad_meta[i]);
	check_meta();
	return done_testing();
}
