/*
 * t-asm.c - the assembly reader and writer: every program under
 * test/fixtures/programs reads and writes back byte for byte, immediates
 * read to the right bits, non-canonical spellings are accepted, and
 * malformed text fails with the exact message and position.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "files.h"
#include "tap.h"

#define FIXTURES "test/fixtures/programs"

static void roundtrip(const char *name)
{
	char path[512];
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};
	char *text, *out;
	size_t len = 0;

	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	text = slurp(path, &len);
	if (!ok(text != NULL, "%s: read", name))
		return;
	if (!ok(asm_read(text, len, &p, &err) == ATLAS_OK, "%s: parses",
		name)) {
		diag("%zu:%zu: %s", err.line, err.col, err.msg);
		free(text);
		return;
	}
	out = asm_write(p);
	if (!ok(out && strcmp(out, text) == 0, "%s: writes back identically",
		name))
		diag("got:\n%s", out ? out : "(null)");
	free(out);
	atlas_program_free(p);
	free(text);
}

/* Read src, expecting success; return the program (caller frees). */
static struct atlas_program *parse(const char *src)
{
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};

	if (asm_read(src, strlen(src), &p, &err) != ATLAS_OK)
		diag("unexpected error %zu:%zu: %s", err.line, err.col,
		     err.msg);
	return p;
}

/* One instruction's immediate, read from "\tINSN\n" after a .kernel. */
static void imm_is(const char *insn, uint64_t want)
{
	char src[256];
	struct atlas_program *p;

	snprintf(src, sizeof src, ".kernel k\n\t%s\n", insn);
	p = parse(src);
	if (!ok(p && p->ninsns == 1 && p->insns[0].imm == want, "%s -> 0x%llx",
		insn, (unsigned long long)want) &&
	    p && p->ninsns == 1)
		diag("got 0x%llx", (unsigned long long)p->insns[0].imm);
	atlas_program_free(p);
}

/* src reads and writes back as want. */
static void canon(const char *src, const char *want, const char *name)
{
	struct atlas_program *p = parse(src);
	char *out = p ? asm_write(p) : NULL;

	is_str(out, want, name);
	free(out);
	atlas_program_free(p);
}

struct bad {
	const char *src;
	const char *msg;
	size_t line, col;
};

static const struct bad bad[] = {
	{"", "missing .kernel directive", 1, 1},
	{"# only a comment\n\n", "missing .kernel directive", 1, 1},
	{"\tadd.f32 r0, r1, r2\n", "missing .kernel directive", 1, 2},
	{".param x f32[] in r1\n", "missing .kernel directive", 1, 1},
	{".kernel a\n.kernel b\n", "duplicate .kernel directive", 2, 1},
	{".kernel 9k\n", "invalid kernel name '9k'", 1, 9},
	{".kernel\n", "expected kernel name", 1, 8},
	{".kernel k extra\n", "unexpected 'extra' after directive", 1, 11},
	{".kernel k\n.foo\n", "unknown directive '.foo'", 2, 1},
	{".kernel k\n\tfoo r1\n", "unknown instruction 'foo'", 2, 2},
	{".kernel k\n\tsetxx.f32 p0, r1, r2\n",
	 "unknown instruction 'setxx.f32'", 2, 2},
	{".kernel k\n\tadd.f33 r0, r1, r2\n", "unknown type 'f33'", 2, 6},
	{".kernel k\n\tadd r0, r1, r2\n", "missing type suffix for 'add'", 2,
	 5},
	{".kernel k\n\tcvt.f32 r0, r1\n", "missing type suffix for 'cvt.f32'",
	 2, 9},
	{".kernel k\n\texit.f32\n", "unexpected suffix '.f32'", 2, 6},
	{".kernel k\n\tadd.f32.f32 r0, r1, r2\n", "unexpected suffix '.f32'", 2,
	 9},
	{".kernel k\n\tmemfence.galaxy\n", "unknown scope 'galaxy'", 2, 11},
	{".kernel k\n\tmemfence\n", "missing scope suffix for 'memfence'", 2,
	 10},
	{".kernel k\n\tpmap.cube.f32 r3, r1, r4\n",
	 "unknown pmap operation 'cube'", 2, 7},
	{".kernel k\n\tbra.q1 @a\n", "expected predicate, got 'q1'", 2, 6},
	{".kernel k\n\tmov.u32 x1, r2\n", "expected register, got 'x1'", 2, 10},
	{".kernel k\n\tmov.u32 r70000, r1\n", "register 'r70000' out of range",
	 2, 10},
	{".kernel k\n\tsel.f32 r0, r1, r2, r3\n",
	 "expected predicate, got 'r1'", 2, 14},
	{".kernel k\n\tsetlt.f32 p65535, r1, r2\n",
	 "predicate 'p65535' out of range", 2, 12},
	{".kernel k\n\tadd.f32 r0 r1, r2\n", "expected ',' after operand", 2,
	 13},
	{".kernel k\n\tadd.f32 r0, r1\n", "too few operands for 'add.f32'", 2,
	 16},
	{".kernel k\n\texit junk # comment\n",
	 "unexpected 'junk' after instruction", 2, 7},
	{".kernel k\n\tmov.u32 r1, r2, r3\n",
	 "unexpected ',' after instruction", 2, 16},
	{".kernel k\n\texit\n.param x f32[] in r1\n",
	 ".param after the first instruction", 3, 1},
	{".kernel k\n.param x f32[] guard r1\n",
	 "use 'guard' needs a scalar parameter", 2, 16},
	{".kernel k\n.param n u32 in r1\n", "use 'in' needs an array parameter",
	 2, 14},
	{".kernel k\n.param x f32[] sideways r1\n",
	 "unknown parameter use 'sideways'", 2, 16},
	{".kernel k\n.param x f33[] in r1\n", "unknown type 'f33'", 2, 10},
	{".kernel k\n.param x f32[] in r1\n.param x f32[] in r2\n",
	 "duplicate parameter 'x'", 3, 8},
	{".kernel k\n@a:\n\texit\n@a:\n",
	 "program error: duplicate label 'a' at instruction 1", 4, 1},
	{".kernel k\n@a\n", "expected ':' after label name", 2, 3},
	{".kernel k\n@a :\n", "expected ':' after label name", 2, 3},
	{".kernel k\n@a: exit\n", "unexpected 'exit' after label", 2, 5},
	{".kernel k\n@9a:\n", "invalid label name '9a'", 2, 1},
	{".kernel k\n\tbra exit\n", "expected label, got 'exit'", 2, 6},
	{".kernel k\n\tldg.f32 r0, r1\n", "expected '[' to start an address", 2,
	 14},
	{".kernel k\n\tldg.f32 r0, [r1 + r0\n", "unterminated address", 2, 22},
	{".kernel k\n\tldg.f32 r0, [r1 + r0 # ]\n", "unterminated address", 2,
	 23},
	{".kernel k\n\tldg.f32 r0, [x]\n",
	 "expected register, 'bufN' or 'phi(' in address, got 'x'", 2, 15},
	{".kernel k\n\tldg.f32 r0, [r1 * 4]\n",
	 "expected '+', '-' or ']' in address, got '*'", 2, 18},
	{".kernel k\n\tldg.f32 r0, [r1 + 3000000000]\n",
	 "offset 3000000000 out of range", 2, 20},
	{".kernel k\n\tldg.f32 r0, [r1 - 2147483649]\n",
	 "offset 2147483649 out of range", 2, 20},
	{".kernel k\n\tldg.f32 r0, [buf1 - 4]\n",
	 "buffer offset must not be negative", 2, 20},
	{".kernel k\n\tldg.f32 r0, [\xce\xa6(1, 2, x)]\n",
	 "expected phi byte, got 'x'", 2, 23},
	{".kernel k\n\tmov_imm.u8 r0, 256\n",
	 "immediate 256 out of range for u8", 2, 17},
	{".kernel k\n\tmov_imm.i8 r0, -129\n",
	 "immediate -129 out of range for i8", 2, 17},
	{".kernel k\n\tmov_imm.u64 r0, 18446744073709551616\n",
	 "immediate 18446744073709551616 out of range for u64", 2, 18},
	{".kernel k\n\tmov_imm.f32 r0, 1e39\n",
	 "immediate 1e39 out of range for f32", 2, 18},
	{".kernel k\n\tmov_imm.f16 r0, 70000\n",
	 "immediate 70000 out of range for f16", 2, 18},
	{".kernel k\n\tmov_imm.f16 r0, 0x10000\n",
	 "immediate 0x10000 out of range for f16", 2, 18},
	{".kernel k\n\tmov_imm.f32 r0, abc\n", "invalid immediate 'abc'", 2,
	 18},
	{".kernel k\n\tmov_imm.u32 r0, 1.5\n", "invalid immediate '1.5'", 2,
	 18},
	{".kernel k\n\tunity.test p0, x\n", "expected register, got 'x'", 2,
	 17},
	{".kernel k\n\tres.accum r0, r1\n",
	 "missing type suffix for 'res.accum'", 2, 11},
	{".kernel k\n\tbar.sync 256\n", "immediate 256 out of range (0 to 255)",
	 2, 11},
	{".kernel k\n\treduce.add.f32 r0, r1, 257\n",
	 "immediate 257 out of range (0 to 256)", 2, 25},
	{".kernel k\n\tphase.adv -1\n",
	 "immediate -1 out of range (0 to 65535)", 2, 12},
	/* access classes */
	{".kernel k\n.param x f32[] in r1 streamed\n",
	 "unknown access class 'streamed'", 2, 22},
	{".kernel k\n.param x f32[] in r1 any\n", "unknown access class 'any'",
	 2, 22},
	{".kernel k\n.param x f32[] in r1\tElement\n",
	 "unknown access class 'Element'", 2, 22},
	{".kernel k\n.param n u32 value r1 element\n",
	 "access 'element' needs an array parameter", 2, 23},
	{".kernel k\n.param n u32 value r1 record 4\n",
	 "access 'record' needs an array parameter", 2, 23},
	{".kernel k\n.param x f32[] in r1 record\n", "expected record length",
	 2, 28},
	{".kernel k\n.param x f32[] in r1 record # 4\n",
	 "expected record length", 2, 29},
	{".kernel k\n.param x f32[] in r1 record 0\n",
	 "record length 0 out of range (1 to 9007199254740992)", 2, 29},
	{".kernel k\n.param x f32[] in r1 record -4\n",
	 "record length -4 out of range (1 to 9007199254740992)", 2, 29},
	{".kernel k\n.param x f32[] in r1 record 9007199254740993\n",
	 "record length 9007199254740993 out of range (1 to "
	 "9007199254740992)",
	 2, 29},
	{".kernel k\n.param x f32[] in r1 record 4x\n",
	 "invalid record length '4x'", 2, 29},
	{".kernel k\n.param x f32[] in r1 record a.b\n",
	 "invalid record length 'a.b'", 2, 29},
	{".kernel k\n.param n u32 value r1 reduction 2\n",
	 "access 'reduction' needs an array parameter", 2, 23},
	{".kernel k\n.param x f32[] in r1 reduction 0\n",
	 "reduction length 0 out of range (1 to 9007199254740992)", 2, 32},
	{".kernel k\n.param x f32[] in r1 reduction -1\n",
	 "reduction length -1 out of range (1 to 9007199254740992)", 2, 32},
	{".kernel k\n.param x f32[] in r1 reduction 9007199254740993\n",
	 "reduction length 9007199254740993 out of range (1 to "
	 "9007199254740992)",
	 2, 32},
	{".kernel k\n.param x f32[] in r1 reduction 2x\n",
	 "invalid reduction length '2x'", 2, 32},
	{".kernel k\n.param x f32[] in r1 reduction n\n",
	 "invalid reduction length 'n'", 2, 32},
	{".kernel k\n.param x f32[] in r1 reduction 2 2\n",
	 "unexpected '2' after directive", 2, 34},
	{".kernel k\n.param x f32[] in r1 element extra\n",
	 "unexpected 'extra' after directive", 2, 30},
	{".kernel k\n.param x f32[] in r1 record 4 4\n",
	 "unexpected '4' after directive", 2, 31},
	{".kernel k\n.param x f32[] in r1 record k\n",
	 "record length 'k' is not a scalar parameter", 2, 29},
	{".kernel k\n.param x f32[] in r1 record y\n.param y f32[] out r2\n",
	 "record length 'y' is not a scalar parameter", 2, 29},
	{".kernel k\n.param x f32[] in r1 record x\n",
	 "record length 'x' is not a scalar parameter", 2, 29},
	{".kernel k\n.param x f32[] in r1 record e\n.param e f32 value r2\n",
	 "record length 'e' must have an integer type", 2, 29},
	/* resolved at the end of the header, before the instructions */
	{".kernel k\n.param x f32[] in r1 record m\n\tfoo\n",
	 "record length 'm' is not a scalar parameter", 2, 29},
	{".kernel k\n.param x f32[] in r1 record m\n\texit\n"
	 ".param m u32 value r2\n",
	 "record length 'm' is not a scalar parameter", 2, 29},
	/* metadata directives */
	{".classes 1\n", "missing .kernel directive", 1, 1},
	{".kernel k\n\texit\n.mirror_safe\n",
	 ".mirror_safe after the first instruction", 3, 1},
	{".kernel k\n.unity_neutral\n.unity_neutral\n",
	 "duplicate .unity_neutral directive", 3, 1},
	{".kernel k\n.uses_boundary x\n", "unexpected 'x' after directive", 2,
	 16},
	{".kernel k\n.classes\n", "expected class list", 2, 9},
	{".kernel k\n.classes 1,96\n", "class 96 out of range (0 to 95)", 2,
	 12},
	{".kernel k\n.classes 1,,2\n", "invalid class list '1,,2'", 2, 12},
	{".kernel k\n.classes 5-3\n", "empty class range 5-3", 2, 10},
	{".kernel k\n.classes 2-x\n", "invalid class list '2-x'", 2, 12},
	{".kernel k\n.boundary 0 47 0\n", "expected byte", 2, 17},
	{".kernel k\n.boundary 0 256 0 255\n",
	 "page 256 out of range (0 to 255)", 2, 13},
	{".kernel k\n.phase 1 -2\n", "invalid phase span '-2'", 2, 10},
	{".kernel k\n.phase 4294967296 1\n",
	 "phase 4294967296 out of range (0 to 4294967295)", 2, 8},
	{".kernel k\n.phase 1 2 3\n", "unexpected '3' after directive", 2, 12},
};

static void check_bad(const struct bad *b)
{
	struct atlas_program *p = NULL;
	struct atlas_error err = {0};
	enum atlas_status st = asm_read(b->src, strlen(b->src), &p, &err);
	char name[160];

	snprintf(name, sizeof name, "error: %s", b->msg);
	if (!ok(st == ATLAS_ERR_PARSE && p == NULL, "%s: fails", name))
		diag("status %d", (int)st);
	is_str(err.msg, b->msg, name);
	is_int(err.line, b->line, "  line");
	is_int(err.col, b->col, "  column");
	atlas_program_free(p);
}

static void check_positions(void)
{
	struct atlas_program *p =
		parse("# header\n.kernel k\n\n  @a:\n\tbra @b # x\n"
		      "    exit\n@b:\n");

	if (!ok(p != NULL, "positions: parses"))
		return;
	is_int(p->ninsns, 2, "positions: two instructions");
	is_int(p->insns[0].line, 5, "positions: bra line");
	is_int(p->insns[0].col, 2, "positions: bra col");
	is_int(p->insns[1].line, 6, "positions: exit line");
	is_int(p->insns[1].col, 5, "positions: exit col");
	is_int(p->nlabels, 2, "positions: two labels");
	is_str(p->labels[0].name, "a", "positions: labels in definition order");
	is_str(p->labels[1].name, "b", "positions: b second");
	is_int(p->labels[1].target, 2, "positions: b targets the end");
	is_int(p->labels[1].line, 7, "positions: b line");
	is_int(p->labels[1].col, 1, "positions: b col");
	is_int(p->insns[0].label, 1, "positions: bra refers to b");
	atlas_program_free(p);
}

/* Access classes: what the reader records, and the writer's spelling. */
static void check_access(void)
{
	struct atlas_program *p;
	char *out;

	p = parse(".kernel k\n"
		  ".param b f32[] in r2 element # c\n"
		  ".param c f32[] in r3  record   0x10\n"
		  ".param d f32[] inout r4 record m\n"
		  ".param e u8[] out r5 reduction\n"
		  ".param f f32[] in r6 resident\n"
		  ".param g f32[] in r1\n"
		  ".param m i64 value r7\n"
		  ".param s f32[] out r8 reduction 0x04 # 4\n"
		  ".param t f32[] out r9 reduction # unknown\n"
		  "\texit\n");
	if (!ok(p != NULL, "access: parses"))
		return;
	is_int(p->params[0].access, ATLAS_ACCESS_ELEMENT, "access: element");
	is_int(p->params[1].access, ATLAS_ACCESS_RECORD, "access: record");
	is_int(p->params[1].record_len, 16, "access: record 0x10 is 16");
	is_int(p->params[1].record_param, -1, "access: constant length");
	is_int(p->params[2].access, ATLAS_ACCESS_RECORD, "access: record m");
	is_int(p->params[2].record_len, 0, "access: no constant length");
	is_int(p->params[2].record_param, 6,
	       "access: length is parameter 6, declared later");
	is_int(p->params[3].access, ATLAS_ACCESS_REDUCTION,
	       "access: reduction");
	is_int(p->params[3].record_len, 0, "access: reduction, no length");
	is_int(p->params[7].access, ATLAS_ACCESS_REDUCTION,
	       "access: reduction 0x04");
	is_int(p->params[7].record_len, 4, "access: reduction length 4");
	is_int(p->params[7].record_param, -1, "access: reduction, no param");
	is_int(p->params[8].record_len, 0,
	       "access: reduction, a comment is no length");
	is_int(p->params[4].access, ATLAS_ACCESS_RESIDENT, "access: resident");
	is_int(p->params[5].access, ATLAS_ACCESS_ANY, "access: absent is any");
	is_int(p->params[5].record_param, -1, "access: any has no length");
	is_int(p->params[6].access, ATLAS_ACCESS_ANY, "access: scalar is any");
	out = asm_write(p);
	is_str(out,
	       ".kernel k\n"
	       ".param b f32[] in r2 element\n"
	       ".param c f32[] in r3 record 16\n"
	       ".param d f32[] inout r4 record m\n"
	       ".param e u8[] out r5 reduction\n"
	       ".param f f32[] in r6 resident\n"
	       ".param g f32[] in r1\n"
	       ".param m i64 value r7\n"
	       ".param s f32[] out r8 reduction 4\n"
	       ".param t f32[] out r9 reduction\n"
	       "\texit\n",
	       "access: written canonically, nothing for any");
	free(out);
	atlas_program_free(p);
}

/* program_set_access: the checks the lowering relies on. */
static void check_set_access(void)
{
	struct atlas_program *p = parse(".kernel k\n"
					".param a f32[] in r1\n"
					".param n u32 value r2\n"
					".param e f32 value r3\n");
	struct atlas_error err = {0};
	struct atlas_param_info info;
	static const struct {
		size_t param;
		enum atlas_access cls;
		uint64_t len;
		long k;
		const char *msg;
	} t[] = {
		{3, ATLAS_ACCESS_ELEMENT, 0, -1, "no parameter 3"},
		{1, ATLAS_ACCESS_ELEMENT, 0, -1,
		 "access 'element' needs an array parameter"},
		{0, (enum atlas_access)9, 0, -1, "invalid access class 9"},
		{0, ATLAS_ACCESS_ELEMENT, 4, -1,
		 "record length given for access 'element'"},
		{0, ATLAS_ACCESS_RESIDENT, 0, 1,
		 "record length given for access 'resident'"},
		{0, ATLAS_ACCESS_RECORD, 0, -1,
		 "record length 0 out of range (1 to 9007199254740992)"},
		{0, ATLAS_ACCESS_RECORD, 4, 1, "record length given twice"},
		{0, ATLAS_ACCESS_RECORD, 0, 7, "no parameter 7"},
		{0, ATLAS_ACCESS_RECORD, 0, 0,
		 "record length 'a' is not a scalar parameter"},
		{0, ATLAS_ACCESS_RECORD, 0, 2,
		 "record length 'e' must have an integer type"},
		{0, ATLAS_ACCESS_REDUCTION, 0, 1,
		 "reduction length must be a constant"},
		{0, ATLAS_ACCESS_REDUCTION, 0, -2,
		 "reduction length must be a constant"},
		{0, ATLAS_ACCESS_REDUCTION, ((uint64_t)1 << 53) + 1, -1,
		 "reduction length 9007199254740993 out of range (1 to "
		 "9007199254740992)"},
		{1, ATLAS_ACCESS_REDUCTION, 1, -1,
		 "access 'reduction' needs an array parameter"},
	};

	if (!ok(p != NULL, "set_access: program"))
		return;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const enum atlas_status st = program_set_access(
			p, t[i].param, t[i].cls, t[i].len, t[i].k, &err);

		is_int(st, ATLAS_ERR_ARG, t[i].msg);
		is_str(err.msg, t[i].msg, "  message");
	}
	is_int(p->params[0].access, ATLAS_ACCESS_ANY,
	       "set_access: failures change nothing");
	is_int(program_set_access(p, 0, ATLAS_ACCESS_RECORD, 0, 1, &err),
	       ATLAS_OK, "set_access: record n");
	is_int(p->params[0].record_param, 1, "  record_param");
	is_int(program_set_access(p, 0, ATLAS_ACCESS_RECORD, 3, -1, &err),
	       ATLAS_OK, "set_access: record 3");
	is_int(p->params[0].record_param, -1, "  record_param reset");
	is_int(p->params[0].record_len, 3, "  record_len");
	is_int(program_set_access(p, 0, ATLAS_ACCESS_ANY, 0, -1, &err),
	       ATLAS_OK, "set_access: back to any");
	is_int(p->params[0].record_len, 0, "  record_len reset");
	is_int(program_set_access(p, 1, ATLAS_ACCESS_ANY, 0, -1, &err),
	       ATLAS_OK, "set_access: any on a scalar");
	is_int(program_set_access(p, 0, ATLAS_ACCESS_REDUCTION, 0, -1, &err),
	       ATLAS_OK, "set_access: reduction, length unknown");
	is_int(program_set_access(p, 0, ATLAS_ACCESS_REDUCTION,
				  (uint64_t)1 << 53, -1, &err),
	       ATLAS_OK, "set_access: reduction of 2^53");
	is_int(program_set_access(p, 0, ATLAS_ACCESS_REDUCTION, 3, -1, &err),
	       ATLAS_OK, "set_access: reduction of 3");
	is_int(p->params[0].record_len, 3, "  record_len holds it");
	is_int(atlas_program_param(p, 0, &info), 0, "param info");
	is_int(info.reduction_len, 3, "  reduction_len");
	is_int(info.record_len, 0, "  record_len: none for a reduction");
	is_int(info.record_param, -1, "  record_param");
	is_int(program_set_access(p, 0, ATLAS_ACCESS_RECORD, 3, -1, &err),
	       ATLAS_OK, "set_access: record 3 again");
	is_int(atlas_program_param(p, 0, &info), 0, "param info");
	is_int(info.reduction_len, 0, "  reduction_len: none for a record");
	is_int(info.record_len, 3, "  record_len");
	atlas_program_free(p);
}

/* atlas_program_append reads .param lines with access classes too. */
static void check_append(void)
{
	struct atlas_program *p = program_new("k");
	struct atlas_error err = {0};

	is_int(asm_append(p,
			  ".param A f32[] in r1 record lda\n"
			  ".param lda u32 value r2\n",
			  strlen(".param A f32[] in r1 record lda\n"
				 ".param lda u32 value r2\n"),
			  &err),
	       ATLAS_OK, "append: record length declared later");
	is_int(p->params[0].record_param, 1, "append: resolved");
	is_int(asm_append(p, ".param B f32[] in r3 record q\n",
			  strlen(".param B f32[] in r3 record q\n"), &err),
	       ATLAS_ERR_PARSE, "append: unknown length fails");
	is_str(err.msg, "record length 'q' is not a scalar parameter",
	       "append: message");
	atlas_program_free(p);
}

int main(void)
{
	size_t n;
	char **names = fixtures_in(FIXTURES, &n);

	ok(n >= 4, "found %zu fixture programs", n);
	for (size_t i = 0; i < n; i++) {
		roundtrip(names[i]);
		free(names[i]);
	}
	free(names);

	/* metadata: any order and spelling in, the canonical form out */
	canon(".kernel k\n.phase 0 768\n.boundary 0 47 0 255\n",
	      ".kernel k\n.classes all\n", "metadata: all defaults");
	canon(".kernel k\n.phase 5 10\n.classes 11,10,3-4,0-2,95\n"
	      ".uses_boundary\n.param x u8[] in r1\n\texit\n",
	      ".kernel k\n.param x u8[] in r1\n.classes 0-4,10-11,95\n"
	      ".uses_boundary\n.phase 5 10\n\texit\n",
	      "metadata: canonical order and class list");
	canon(".kernel k\n.classes 0-95\n.mirror_safe\n",
	      ".kernel k\n.mirror_safe\n",
	      "metadata: every class is the default");
	{
		struct atlas_program *p = parse(".kernel k\n.classes 10,7\n"
						".boundary 1 2 3 4\n");
		struct atlas_metadata m;

		ok(p && atlas_program_metadata(p, &m) &&
			   strcmp(m.name, "k") == 0 &&
			   atlas_class_mask_count(m.classes_mask) == 2 &&
			   atlas_class_mask_is_set(m.classes_mask, 7) &&
			   m.boundary.page_min == 1 &&
			   m.boundary.byte_max == 4 && m.phase.span == 768 &&
			   !m.mirror_safe,
		   "atlas_program_metadata gives the declared metadata");
		atlas_program_free(p);
		p = parse(".kernel k\n");
		ok(p && !atlas_program_metadata(p, &m) &&
			   atlas_class_mask_count(m.classes_mask) == 96,
		   "no metadata declared: 0 and the defaults");
		atlas_program_free(p);
	}

	imm_is("mov_imm.f32 r1, 1.0", 0x3f800000);
	imm_is("mov_imm.f32 r1, 1", 0x3f800000);
	imm_is("mov_imm.f32 r1, nan", 0x7fc00000);
	imm_is("mov_imm.f32 r1, -nan", 0xffc00000);
	imm_is("mov_imm.f32 r1, -inf", 0xff800000);
	imm_is("mov_imm.f32 r1, 0x3f800000", 0x3f800000);
	imm_is("mov_imm.f32 r1, .5", 0x3f000000);
	imm_is("mov_imm.f64 r1, -0.0", 0x8000000000000000u);
	imm_is("mov_imm.f64 r1, 2.5e-3", 0x3f647ae147ae147bu);
	imm_is("mov_imm.f16 r1, 1.0", 0x3c00);
	imm_is("mov_imm.f16 r1, -2", 0xc000);
	imm_is("mov_imm.f16 r1, nan", 0x7e00);
	imm_is("mov_imm.bf16 r1, 1.0", 0x3f80);
	imm_is("mov_imm.i8 r1, -1", 0xff);
	imm_is("mov_imm.i8 r1, 255", 0xff);
	imm_is("mov_imm.u8 r1, -128", 0x80);
	imm_is("mov_imm.i32 r1, -1", 0xffffffffu);
	imm_is("mov_imm.i64 r1, -1", UINT64_MAX);
	imm_is("mov_imm.u16 r1, 0xFFFF", 0xffff);
	imm_is("pool.alloc r0, 0x1000", 4096);

	canon(".kernel k # name\r\n"
	      "\r\n"
	      "   .param   x  f32[]   in   r1   # the input\r\n"
	      "@l:  # comment\n"
	      "add.f32   r0,r1 ,  r2#c\n"
	      "  ldg.f32 r0,[r1+r0]\n"
	      "  ldg.f32 r0,[r1]\n"
	      "  ldg.f32 r0,[r1-0]\n"
	      "  ldg.f32 r0,[ buf2 ]\n"
	      "  ldg.f32 r0,[\xce\xa6( 1,2 ,3 )]\n"
	      "  stg.i8 [ r1 - 0x10 ] , r2\n"
	      "  mov_imm.i8 r1, 0xff\n"
	      "  mov_imm.u32 r1, 007\n"
	      "  mov_imm.f32 r1, 2.50\n"
	      "  mov_imm.f32 r1, 1e2\n"
	      "  mov_imm.f64 r1, -nan\n"
	      "  mov_imm.f16 r1, 1.0\n"
	      "  bra.p1 @l\n"
	      "  sqrt.u8 r0, r1\n",
	      ".kernel k\n"
	      ".param x f32[] in r1\n"
	      "@l:\n"
	      "\tadd.f32 r0, r1, r2\n"
	      "\tldg.f32 r0, [r1 + r0]\n"
	      "\tldg.f32 r0, [r1 + 0]\n"
	      "\tldg.f32 r0, [r1 + 0]\n"
	      "\tldg.f32 r0, [buf2 + 0]\n"
	      "\tldg.f32 r0, [phi(1, 2, 3)]\n"
	      "\tstg.i8 [r1 - 16], r2\n"
	      "\tmov_imm.i8 r1, -1\n"
	      "\tmov_imm.u32 r1, 7\n"
	      "\tmov_imm.f32 r1, 2.5\n"
	      "\tmov_imm.f32 r1, 100.0\n"
	      "\tmov_imm.f64 r1, 0xfff8000000000000\n"
	      "\tmov_imm.f16 r1, 0x3c00\n"
	      "\tbra.p1 @l\n"
	      "\tsqrt.u8 r0, r1\n",
	      "non-canonical spellings read and write canonically (and a "
	      "type outside the op's mask is not a parse error)");

	check_positions();
	check_access();
	check_set_access();
	check_append();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_bad(&bad[i]);
	return done_testing();
}
