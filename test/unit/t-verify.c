/*
 * t-verify.c - the load-time verifier: every message, valid programs of
 * each control-flow shape, the facts it records, and its speed.
 * Programs are built with the program.h builder; instruction k gets
 * source line k + 1.
 */
#include <stdlib.h>
#include <time.h>

#include "program.h"
#include "tap.h"

static struct atlas_program *P;

static void start(const char *name)
{
	atlas_program_free(P);
	P = program_new(name);
	if (!P) {
		fprintf(stderr, "t-verify: out of memory\n");
		exit(1);
	}
}

static unsigned lab(const char *name)
{
	long i = program_label_ref(P, name);

	if (i < 0) {
		fprintf(stderr, "t-verify: out of memory\n");
		exit(1);
	}
	return (unsigned)i;
}

static void at(const char *name)
{
	if (program_label_define(P, name, NULL) != ATLAS_OK) {
		fprintf(stderr, "t-verify: bad label %s\n", name);
		exit(1);
	}
}

static void param(const char *name, enum atlas_param_kind kind,
		  enum atlas_type t, enum atlas_param_use use, unsigned reg)
{
	if (program_add_param(P, name, kind, t, use, reg, NULL) != ATLAS_OK) {
		fprintf(stderr, "t-verify: bad param %s\n", name);
		exit(1);
	}
	P->params[P->nparams - 1].line = 100 + (uint32_t)P->nparams;
}

static void emit(struct isa_insn in)
{
	in.line = (uint32_t)P->ninsns + 1;
	in.col = 1;
	if (program_emit(P, &in) != ATLAS_OK) {
		fprintf(stderr, "t-verify: emit failed\n");
		exit(1);
	}
}

static struct isa_insn I(enum isa_op op, enum atlas_type t) {
	struct isa_insn in;

	memset(&in, 0, sizeof in);
	in.op = op;
	in.type = t;
	in.pred = ISA_NO_PRED;
	return in;
}

static void
imm(enum atlas_type t, unsigned d, uint64_t v)
{
	struct isa_insn in = I(OP_MOV_IMM, t);

	in.dst = d;
	in.imm = v;
	emit(in);
}

static void un(enum isa_op op, enum atlas_type t, unsigned d, unsigned s)
{
	struct isa_insn in = I(op, t);

	in.dst = d;
	in.src[0] = s;
	emit(in);
}

static void bin(enum isa_op op, enum atlas_type t, unsigned d, unsigned a,
		unsigned b)
{
	struct isa_insn in = I(op, t);

	in.dst = d;
	in.src[0] = a;
	in.src[1] = b;
	emit(in);
}

static void tern(enum isa_op op, enum atlas_type t, unsigned d, unsigned a,
		 unsigned b, unsigned c)
{
	struct isa_insn in = I(op, t);

	in.dst = d;
	in.src[0] = a;
	in.src[1] = b;
	in.src[2] = c;
	emit(in);
}

static void cvt(enum atlas_type to, enum atlas_type from, unsigned d,
		unsigned s)
{
	struct isa_insn in = I(OP_CVT, to);

	in.type2 = from;
	in.dst = d;
	in.src[0] = s;
	emit(in);
}

static void setcc(enum isa_cond c, enum atlas_type t, unsigned pd, unsigned a,
		  unsigned b)
{
	struct isa_insn in = I(OP_SETCC, t);

	in.sub = c;
	in.dst = pd;
	in.src[0] = a;
	in.src[1] = b;
	emit(in);
}

static void sel(enum atlas_type t, unsigned d, unsigned p, unsigned a,
		unsigned b)
{
	struct isa_insn in = I(OP_SEL, t);

	in.dst = d;
	in.pred = p;
	in.src[0] = a;
	in.src[1] = b;
	emit(in);
}

static void bra(const char *l, unsigned pred)
{
	struct isa_insn in = I(OP_BRA, 0);

	in.label = lab(l);
	in.pred = pred;
	emit(in);
}

static void call(const char *l)
{
	struct isa_insn in = I(OP_CALL, 0);

	in.label = lab(l);
	emit(in);
}

static void loop(unsigned r, const char *l)
{
	struct isa_insn in = I(OP_LOOP, 0);

	in.src[0] = r;
	in.label = lab(l);
	emit(in);
}

static void op0(enum isa_op op)
{
	emit(I(op, 0));
}

/* Memory access op.T with address [rB + off] (ADDR_REG). */
static void mem_reg(enum isa_op op, enum atlas_type t, unsigned r,
		    unsigned base, int64_t off)
{
	struct isa_insn in = I(op, t);

	in.addr.mode = ADDR_REG;
	in.addr.base = base;
	in.addr.offset = off;
	if (op == OP_LDG || op == OP_LDS)
		in.dst = r;
	else
		in.src[0] = r;
	emit(in);
}

/* Memory access op.T with address [rB + rO] (ADDR_REGREG). */
static void mem_rr(enum isa_op op, enum atlas_type t, unsigned r, unsigned base,
		   unsigned index)
{
	struct isa_insn in = I(op, t);

	in.addr.mode = ADDR_REGREG;
	in.addr.base = base;
	in.addr.index = index;
	if (op == OP_LDG || op == OP_LDS)
		in.dst = r;
	else
		in.src[0] = r;
	emit(in);
}

/* Memory access op.T with address [bufH + off] (ADDR_BUF). */
static void mem_buf(enum isa_op op, enum atlas_type t, unsigned r,
		    uint64_t handle, int64_t off)
{
	struct isa_insn in = I(op, t);

	in.addr.mode = ADDR_BUF;
	in.addr.handle = handle;
	in.addr.offset = off;
	if (op == OP_LDG || op == OP_LDS)
		in.dst = r;
	else
		in.src[0] = r;
	emit(in);
}

static void reduce(enum isa_op op, enum atlas_type t, unsigned d, unsigned base,
		   uint64_t count)
{
	struct isa_insn in = I(op, t);

	in.dst = d;
	in.src[0] = base;
	in.imm = count;
	emit(in);
}

static void rejects(const char *msg, size_t line, const char *name)
{
	struct atlas_error err;
	enum atlas_status st;

	memset(&err, 0, sizeof err);
	st = program_verify(P, &err);
	if (!ok(st == ATLAS_ERR_VERIFY && err.code == ATLAS_ERR_VERIFY,
		"%s: rejected", name))
		diag("status %d: %s", (int)st, err.msg);
	is_str(err.msg, msg, name);
	if (!ok(err.line == line, "%s: line %zu", name, line))
		diag("got line %zu", err.line);
	ok(!P->verified, "%s: not marked verified", name);
}

static void accepts(const char *name)
{
	struct atlas_error err;
	enum atlas_status st;

	memset(&err, 0, sizeof err);
	st = program_verify(P, &err);
	if (!ok(st == ATLAS_OK && P->verified, "%s: accepted", name))
		diag("status %d, line %zu: %s", (int)st, err.line, err.msg);
}

/* ---- program-level and parameter errors ---------------------------------- */

static void test_params(void)
{
	char name[16];

	start("");
	op0(OP_EXIT);
	rejects("kernel name cannot be empty", 0, "empty name");

	start("k");
	for (int i = 0; i < 65; i++) {
		snprintf(name, sizeof name, "p%d", i);
		param(name, ATLAS_PARAM_SCALAR, ATLAS_U32, ATLAS_USE_VALUE,
		      (unsigned)i);
	}
	rejects("too many parameters (max 64)", 165, "65 parameters");

	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 300);
	rejects("invalid register index: 300", 101, "param register 300");

	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 1);
	param("x", ATLAS_PARAM_SCALAR, ATLAS_U32, ATLAS_USE_VALUE, 252);
	rejects("parameter 'x' uses special register r252", 102,
		"param in special register");

	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 3);
	param("b", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_OUT, 3);
	rejects("parameters 'a' and 'b' share register r3", 102,
		"params share a register");

	start("k");
	param("n", ATLAS_PARAM_SCALAR, ATLAS_F32, ATLAS_USE_GUARD, 4);
	rejects("guard parameter 'n' must have an integer type", 101,
		"float guard");

	start("k");
	param("x", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_VALUE, 1);
	rejects("parameter 'x': invalid use", 101, "array used as value");

	start("k");
	param("s", ATLAS_PARAM_SCALAR, ATLAS_I32, ATLAS_USE_INOUT, 1);
	rejects("parameter 's': invalid use", 101, "scalar used as inout");

	start("k");
	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof name, "p%d", i);
		param(name, ATLAS_PARAM_SCALAR, ATLAS_U32, ATLAS_USE_VALUE,
		      (unsigned)i);
	}
	accepts("64 parameters");

	start("k");
	program_set_name(P, "renamed");
	accepts("empty program");
	is_int(P->facts.nslots, 0, "empty program: no slots");
	is_int(P->facts.max_call_depth, 0, "empty program: depth 0");
}

/* ---- per-instruction errors ---------------------------------------------- */

static void test_insns(void)
{
	struct isa_insn in;

	start("k");
	imm(ATLAS_F32, 1, 0);
	bin(OP_ADD, ATLAS_F32, 2, 1, 300);
	rejects("invalid register index: 300", 2, "source register 300");

	start("k");
	imm(ATLAS_F32, 256, 0);
	rejects("invalid register index: 256", 1, "destination register 256");

	start("k");
	mem_rr(OP_LDG, ATLAS_F32, 1, 2, 999);
	rejects("invalid register index: 999", 1, "address index register");

	start("k");
	imm(ATLAS_F32, 1, 0);
	setcc(COND_LT, ATLAS_F32, 16, 1, 1);
	rejects("invalid predicate index: 16", 2, "setcc predicate 16");

	start("k");
	at("top");
	bra("top", 20);
	rejects("invalid predicate index: 20", 1, "branch predicate 20");

	start("k");
	imm(ATLAS_F32, 1, 0);
	sel(ATLAS_F32, 2, ISA_NO_PRED, 1, 1);
	rejects("invalid predicate index: 65535", 2, "sel without predicate");

	start("k");
	tern(OP_MAD, ATLAS_U8, 1, 2, 3, 4);
	rejects("unsupported operation: MAD for type u8", 1, "mad.u8");

	start("k");
	tern(OP_FMA, ATLAS_I32, 1, 2, 3, 4);
	rejects("unsupported operation: FMA for type i32", 1, "fma.i32");

	start("k");
	bin(OP_AND, ATLAS_F32, 1, 2, 3);
	rejects("unsupported operation: AND for type f32", 1, "and.f32");

	start("k");
	un(OP_NEG, ATLAS_U32, 1, 2);
	rejects("unsupported operation: NEG for type u32", 1, "neg.u32");

	start("k");
	un(OP_SQRT, ATLAS_I32, 1, 2);
	rejects("unsupported operation: SQRT for type i32", 1, "sqrt.i32");

	start("k");
	reduce(OP_REDUCE_ADD, ATLAS_U8, 1, 2, 2);
	rejects("unsupported operation: REDUCE.ADD for type u8", 1,
		"reduce.add.u8");

	start("k");
	setcc(COND_LTU, ATLAS_I32, 0, 1, 2);
	rejects("unsupported operation: SETLTU for type i32", 1, "setltu.i32");

	start("k");
	setcc(COND_GEU, ATLAS_F32, 0, 1, 2);
	rejects("unsupported operation: SETGEU for type f32", 1, "setgeu.f32");

	start("k");
	cvt(ATLAS_F64, ATLAS_I32, 1, 2);
	rejects("unsupported operation: CVT from i32 to f64", 1, "cvt.f64.i32");

	start("k");
	cvt(ATLAS_U16, ATLAS_I8, 1, 2);
	rejects("unsupported operation: CVT from i8 to u16", 1, "cvt.u16.i8");

	start("k");
	in = I(OP_CLS_GET, 0);
	in.dst = 1;
	emit(in);
	accepts("cls.get");

	start("k");
	in = I(OP_RES_ACCUM, ATLAS_I32);
	emit(in);
	rejects("unsupported operation: RES.ACCUM for type i32", 1,
		"res.accum.i32");

	start("k");
	in = I(OP_NBR_GET, 0);
	in.imm = 256;
	emit(in);
	rejects("immediate 256 out of range (0 to 255)", 1, "nbr.get 256");

	start("k");
	in = I(OP_LDG, ATLAS_F32);
	in.addr.mode = ADDR_PHI;
	in.addr.cls = 95;
	in.addr.page = 47;
	in.addr.byte = 255;
	emit(in);
	accepts("phi address");

	start("k");
	in = I(OP_LDG, ATLAS_F32);
	in.addr.mode = ADDR_PHI;
	in.addr.cls = 96;
	emit(in);
	rejects("invalid class index: 96 (must be < 96)", 1, "phi class 96");

	start("k");
	in = I(OP_STG, ATLAS_F32);
	in.addr.mode = ADDR_PHI;
	in.addr.page = 48;
	in.addr.byte = 3;
	emit(in);
	rejects("invalid boundary coordinates: page=48 (must be < 48), "
		"byte=3 (must be < 256)",
		1, "phi page 48");

	start("k");
	in = I(OP_LDG, ATLAS_F32);
	in.addr.mode = ADDR_PHI;
	in.addr.byte = 256;
	emit(in);
	rejects("invalid boundary coordinates: page=0 (must be < 48), "
		"byte=256 (must be < 256)",
		1, "phi byte 256");

	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 1);
	mem_reg(OP_LDG, ATLAS_F32, 2, 1, -4);
	rejects("RegisterIndirect negative offset -4 would underflow byte "
		"offset",
		1, "negative register offset");

	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 1);
	param("n", ATLAS_PARAM_SCALAR, ATLAS_U32, ATLAS_USE_GUARD, 4);
	mem_buf(OP_LDG, ATLAS_F32, 2, 1, 0);
	mem_buf(OP_LDG, ATLAS_F32, 2, 2, 0);
	rejects("invalid buffer handle: 2", 2, "buffer handle past arrays");

	start("k");
	mem_buf(OP_LDG, ATLAS_F32, 2, 0, 0);
	rejects("invalid buffer handle: 0", 1, "buffer handle 0");

	start("k");
	reduce(OP_REDUCE_ADD, ATLAS_F32, 1, 250, 10);
	rejects("invalid register index: 259", 1, "reduce past r255");

	start("k");
	reduce(OP_REDUCE_MAX, ATLAS_F32, 1, 0, 300);
	rejects("invalid register index: 299", 1, "reduce count 300");

	start("k");
	in = I(OP_COUNT, 0);
	in.op = 999;
	emit(in);
	rejects("invalid opcode: 999", 1, "opcode 999");

	/* Errors come in instruction order. */
	start("k");
	imm(ATLAS_F32, 1, 0);
	tern(OP_MAD, ATLAS_U8, 1, 2, 3, 4);
	bin(OP_ADD, ATLAS_F32, 2, 1, 300);
	rejects("unsupported operation: MAD for type u8", 2,
		"first error wins");
}

/* ---- labels ------------------------------------------------------------ */

static void test_labels(void)
{
	start("k");
	op0(OP_EXIT);
	bra("nowhere", ISA_NO_PRED);
	rejects("program error: undefined label 'nowhere' referenced in "
		"instruction 1",
		2, "undefined label");

	start("k");
	op0(OP_EXIT);
	at("L");
	op0(OP_EXIT);
	P->labels[lab("L")].target = 99;
	P->labels[lab("L")].line = 7;
	rejects("program error: label 'L' points to invalid instruction "
		"index 99 (max: 2)",
		7, "label past the end");

	start("k");
	bra("end", ISA_NO_PRED);
	imm(ATLAS_F32, 1, 0);
	at("end");
	accepts("label at the end of the program");
}

/* ---- dataflow ----------------------------------------------------------- */

static void test_dataflow(void)
{
	start("k");
	imm(ATLAS_F32, 1, 0);
	bin(OP_ADD, ATLAS_F32, 2, 1, 5);
	rejects("uninitialized register: r5", 2, "read of undefined register");

	start("k");
	imm(ATLAS_U32, 1, 0);
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	rejects("type mismatch: expected f32, got u32", 2, "type mismatch");

	start("k");
	imm(ATLAS_F32, 1, 0);
	sel(ATLAS_F32, 2, 3, 1, 1);
	rejects("uninitialized predicate: p3", 2, "undefined predicate");

	start("k");
	at("top");
	bra("top", 0);
	rejects("uninitialized predicate: p0", 1, "branch on undefined p0");

	start("k");
	imm(ATLAS_I32, 1, 1);
	imm(ATLAS_U64, 2, 1);
	bin(OP_SHL, ATLAS_I32, 3, 1, 2);
	rejects("type mismatch: expected u32, got u64", 3, "shift amount u64");

	start("k");
	imm(ATLAS_I32, 1, 1);
	imm(ATLAS_U32, 2, 1);
	bin(OP_SHR, ATLAS_I32, 3, 1, 2);
	accepts("shift amount u32");

	start("k");
	imm(ATLAS_U64, 0, 3);
	at("body");
	loop(0, "body");
	rejects("type mismatch: expected u32, got u64", 2, "loop count u64");

	start("k");
	imm(ATLAS_F32, 1, 0);
	mem_reg(OP_LDG, ATLAS_F32, 2, 1, 0);
	rejects("type mismatch: expected u64, got f32", 2,
		"address base must be u64");

	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 1);
	imm(ATLAS_U32, 0, 0);
	mem_rr(OP_LDG, ATLAS_F32, 2, 1, 0);
	rejects("type mismatch: expected u64, got u32", 2,
		"address index must be u64");

	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_OUT, 1);
	imm(ATLAS_F32, 2, 0);
	mem_reg(OP_STG, ATLAS_F64, 2, 1, 0);
	rejects("type mismatch: expected f64, got f32", 2,
		"stored value has the instruction type");

	start("k");
	cvt(ATLAS_F32, ATLAS_I32, 1, 252);
	rejects("type mismatch: expected i32, got u32", 1,
		"cvt reads the source type");

	start("k");
	reduce(OP_REDUCE_ADD, ATLAS_F32, 0, 1, 3);
	imm(ATLAS_F32, 1, 0);
	rejects("uninitialized register: r1", 1, "reduce reads its registers");

	start("k");
	imm(ATLAS_F32, 1, 0);
	imm(ATLAS_F32, 2, 0);
	imm(ATLAS_I32, 3, 0);
	reduce(OP_REDUCE_ADD, ATLAS_F32, 0, 1, 3);
	rejects("type mismatch: expected f32, got i32", 4,
		"reduce checks every register");

	start("k");
	reduce(OP_REDUCE_MUL, ATLAS_F32, 0, 1, 0);
	bin(OP_ADD, ATLAS_F32, 0, 0, 0);
	accepts("reduce of zero registers");

	start("k");
	bin(OP_ADD, ATLAS_U32, 1, 252, 254);
	bin(OP_ADD, ATLAS_U64, 2, 255, 255);
	bin(OP_MUL, ATLAS_U32, 3, 253, 1);
	accepts("special registers are defined at entry");

	start("k");
	bin(OP_ADD, ATLAS_U64, 1, 252, 252);
	rejects("type mismatch: expected u64, got u32", 1,
		"special registers are u32");

	start("k");
	imm(ATLAS_F64, 252, 0);
	bin(OP_ADD, ATLAS_F64, 1, 252, 252);
	accepts("special registers can be overwritten");

	/* pool */
	start("k");
	struct isa_insn in = I(OP_POOL_ALLOC, 0);
	in.dst = 1;
	in.imm = 64;
	emit(in);
	imm(ATLAS_U64, 2, 8);
	in = I(OP_POOL_STORE, ATLAS_F32);
	in.src[0] = 1;
	in.src[1] = 2;
	in.src[2] = 252;
	emit(in);
	rejects("type mismatch: expected f32, got u32", 3,
		"pool.store value type");

	start("k");
	in = I(OP_POOL_ALLOC, 0);
	in.dst = 1;
	in.imm = 64;
	emit(in);
	imm(ATLAS_U64, 2, 8);
	in = I(OP_POOL_LOAD, ATLAS_F32);
	in.dst = 3;
	in.src[0] = 1;
	in.src[1] = 2;
	emit(in);
	in = I(OP_POOL_STORE, ATLAS_F32);
	in.src[0] = 1;
	in.src[1] = 2;
	in.src[2] = 3;
	emit(in);
	in = I(OP_POOL_FREE, 0);
	in.src[0] = 1;
	emit(in);
	accepts("pool alloc, load, store, free");

	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 1);
	param("b", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_OUT, 2);
	in = I(OP_PMAP, ATLAS_F32);
	in.sub = MAP_SQRT;
	in.dst = 2;
	in.src[0] = 1;
	in.src[1] = 255;
	emit(in);
	rejects("type mismatch: expected u32, got u64", 1, "pmap count is u32");
}

/* ---- control flow -------------------------------------------------------- */

static void test_control(void)
{
	/* if/else defining r5 on both sides */
	start("k");
	setcc(COND_LT, ATLAS_U32, 0, 252, 254);
	bra("else", 0);
	imm(ATLAS_F32, 5, 1);
	bra("join", ISA_NO_PRED);
	at("else");
	imm(ATLAS_F32, 5, 2);
	at("join");
	bin(OP_ADD, ATLAS_F32, 6, 5, 5);
	op0(OP_EXIT);
	accepts("if/else diamond");

	/* one-sided if */
	start("k");
	setcc(COND_LT, ATLAS_U32, 0, 252, 254);
	bra("join", 0);
	imm(ATLAS_F32, 5, 1);
	at("join");
	bin(OP_ADD, ATLAS_F32, 6, 5, 5);
	rejects("uninitialized register: r5", 4, "maybe undefined after if");

	/* two types meeting */
	start("k");
	setcc(COND_LT, ATLAS_U32, 0, 252, 254);
	bra("else", 0);
	imm(ATLAS_F32, 5, 1);
	bra("join", ISA_NO_PRED);
	at("else");
	imm(ATLAS_U32, 5, 2);
	at("join");
	bin(OP_ADD, ATLAS_F32, 6, 5, 5);
	rejects("type mismatch: expected f32, got u32", 6,
		"type conflict after a merge");

	start("k");
	setcc(COND_LT, ATLAS_U32, 0, 252, 254);
	bra("else", 0);
	imm(ATLAS_F32, 5, 1);
	bra("join", ISA_NO_PRED);
	at("else");
	imm(ATLAS_U32, 5, 2);
	at("join");
	bin(OP_ADD, ATLAS_U32, 6, 5, 5);
	rejects("type mismatch: expected u32, got f32", 6,
		"type conflict names the other type");

	/* a conflict that is overwritten before use is fine */
	start("k");
	setcc(COND_LT, ATLAS_U32, 0, 252, 254);
	bra("else", 0);
	imm(ATLAS_F32, 5, 1);
	bra("join", ISA_NO_PRED);
	at("else");
	imm(ATLAS_U32, 5, 2);
	at("join");
	imm(ATLAS_I64, 5, 0);
	bin(OP_ADD, ATLAS_I64, 6, 5, 5);
	accepts("conflict overwritten before use");

	/* LOOP: do-while; the body defines a register used after it */
	start("k");
	imm(ATLAS_U32, 0, 3);
	imm(ATLAS_F32, 1, 0);
	at("body");
	imm(ATLAS_F32, 2, 0x3f800000);
	bin(OP_ADD, ATLAS_F32, 1, 1, 2);
	loop(0, "body");
	bin(OP_MUL, ATLAS_F32, 3, 1, 2);
	op0(OP_EXIT);
	accepts("LOOP");

	/* a register first defined at the end of a loop body is undefined on
	 * the first trip */
	start("k");
	imm(ATLAS_U32, 0, 3);
	at("body");
	bin(OP_ADD, ATLAS_F32, 1, 2, 2);
	imm(ATLAS_F32, 2, 0);
	loop(0, "body");
	rejects("uninitialized register: r2", 2, "loop-carried undefined");

	/* a loop that changes a register's type around the back edge */
	start("k");
	imm(ATLAS_U32, 0, 3);
	imm(ATLAS_F32, 1, 0);
	at("body");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	imm(ATLAS_I32, 1, 0);
	loop(0, "body");
	rejects("type mismatch: expected f32, got i32", 3,
		"type changed around a loop");

	/* CALL/RET into a function that defines a register */
	start("k");
	call("f");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 1, 0x3f800000);
	op0(OP_RET);
	accepts("CALL/RET");
	is_int(P->facts.max_call_depth, 1, "CALL/RET: depth 1");
	ok(P->facts.has_control_flow, "CALL/RET: has control flow");

	/* a function that does not always define r1 */
	start("k");
	call("f");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	op0(OP_EXIT);
	at("f");
	setcc(COND_EQ, ATLAS_U32, 1, 252, 252);
	bra("out", 1);
	imm(ATLAS_F32, 1, 0x3f800000);
	at("out");
	op0(OP_RET);
	rejects("uninitialized register: r1", 2,
		"function defines a register on one path");

	/* a function using a caller's register */
	start("k");
	imm(ATLAS_F32, 7, 0);
	call("f");
	call("f");
	bin(OP_ADD, ATLAS_F32, 3, 8, 7);
	op0(OP_EXIT);
	at("f");
	bin(OP_ADD, ATLAS_F32, 8, 7, 7);
	op0(OP_RET);
	accepts("function reads the caller's registers");
	is_int(P->facts.max_call_depth, 1, "two calls: depth 1");

	/* nested calls */
	start("k");
	call("f");
	op0(OP_EXIT);
	at("f");
	call("g");
	op0(OP_RET);
	at("g");
	imm(ATLAS_F32, 1, 0);
	op0(OP_RET);
	accepts("nested calls");
	is_int(P->facts.max_call_depth, 2, "nested calls: depth 2");

	/* two entries into shared code: f falls through into g */
	start("k");
	call("f");
	bin(OP_ADD, ATLAS_F32, 3, 1, 2);
	call("g");
	bin(OP_ADD, ATLAS_F32, 4, 2, 1);
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 1, 0);
	at("g");
	imm(ATLAS_F32, 2, 0);
	op0(OP_RET);
	accepts("functions sharing code");
	is_int(P->facts.max_call_depth, 1, "shared code: depth 1");

	/* divergent-looking code: a guard branch to the end, a loop inside
	 * a branch, predicated select */
	start("k");
	param("n", ATLAS_PARAM_SCALAR, ATLAS_U32, ATLAS_USE_GUARD, 4);
	setcc(COND_GE, ATLAS_U32, 0, 252, 4);
	bra("done", 0);
	imm(ATLAS_U32, 9, 5);
	imm(ATLAS_F32, 1, 0);
	setcc(COND_EQ, ATLAS_U32, 2, 252, 9);
	bra("skip", 2);
	at("body");
	bin(OP_ADD, ATLAS_F32, 1, 1, 1);
	loop(9, "body");
	at("skip");
	sel(ATLAS_F32, 3, 2, 1, 1);
	at("done");
	op0(OP_EXIT);
	accepts("divergent-looking code");

	/* unreachable code is not checked for definedness */
	start("k");
	op0(OP_EXIT);
	bin(OP_ADD, ATLAS_F32, 1, 2, 3);
	accepts("unreachable undefined reads");

	start("k");
	op0(OP_EXIT);
	bin(OP_ADD, ATLAS_F32, 1, 2, 300);
	rejects("invalid register index: 300", 2,
		"unreachable code still has its indices checked");

	/* recursion */
	start("k");
	call("f");
	op0(OP_EXIT);
	at("f");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	bra("out", 0);
	call("f");
	at("out");
	op0(OP_RET);
	accepts("recursion");
	is_int(P->facts.max_call_depth, ISA_MAX_CALL_DEPTH + 1,
	       "recursion: unbounded depth");
}

/* ---- calls: function summaries ------------------------------------------ */

/* Verify assembly text; 1 if accepted.  The message goes to diag. */
static int asm_verifies(const char *text, const char *name)
{
	struct atlas_program *p = NULL;
	struct atlas_error err;
	enum atlas_status st;

	memset(&err, 0, sizeof err);
	st = asm_read(text, strlen(text), &p, &err);
	if (st == ATLAS_OK)
		st = program_verify(p, &err);
	if (st != ATLAS_OK)
		diag("%s: line %zu: %s", name, err.line, err.msg);
	atlas_program_free(p);
	return st == ATLAS_OK;
}

static void test_calls(void)
{
	const struct isa_facts *f;

	ok(asm_verifies(".kernel t\n"
			".param o u32[] out r3\n"
			"\tcall @f\n"
			"\tmov_imm.u32 r30, 2\n"
			"\tcall @f\n"
			"\tstg.u32 [r3 + 0], r30\n"
			"\texit\n"
			"@f:\n"
			"\tret\n",
			"defined between two calls"),
	   "register defined between two calls of a function: accepted");

	/* the same, built, so that the state after each call is checked */
	start("k");
	param("o", ATLAS_PARAM_ARRAY, ATLAS_U32, ATLAS_USE_OUT, 3);
	call("f");
	imm(ATLAS_U32, 30, 2);
	call("f");
	mem_reg(OP_STG, ATLAS_U32, 30, 3, 0);
	op0(OP_EXIT);
	at("f");
	op0(OP_RET);
	accepts("a call keeps what the callee leaves alone");

	start("k");
	imm(ATLAS_F32, 5, 0);
	call("f");
	bin(OP_ADD, ATLAS_F32, 6, 5, 5);
	imm(ATLAS_U32, 5, 1);
	call("f");
	bin(OP_ADD, ATLAS_U32, 7, 5, 5);
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_I32, 1, 0);
	op0(OP_RET);
	accepts("types differ between calls, callee leaves the register");

	/* what the callee reads must hold at every call */
	start("k");
	call("f");
	imm(ATLAS_F32, 7, 0);
	call("f");
	op0(OP_EXIT);
	at("f");
	bin(OP_ADD, ATLAS_F32, 8, 7, 7);
	op0(OP_RET);
	rejects("uninitialized register: r7", 5,
		"callee reads a register one call leaves undefined");

	start("k");
	imm(ATLAS_F32, 7, 0);
	call("f");
	imm(ATLAS_U32, 7, 0);
	call("f");
	op0(OP_EXIT);
	at("f");
	bin(OP_ADD, ATLAS_F32, 8, 7, 7);
	op0(OP_RET);
	rejects("type mismatch: expected f32, got u32", 6,
		"callee reads a register of another type at one call");

	start("k");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	call("f");
	call("g");
	op0(OP_EXIT);
	at("g");
	imm(ATLAS_F32, 1, 0);
	at("f");
	sel(ATLAS_F32, 2, 0, 252, 252);
	op0(OP_RET);
	rejects("type mismatch: expected f32, got u32", 6,
		"callee reads a special register of another type");

	start("k");
	call("f");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	call("f");
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 1, 0);
	sel(ATLAS_F32, 2, 0, 1, 1);
	op0(OP_RET);
	rejects("uninitialized predicate: p0", 6,
		"callee reads a predicate one call leaves undefined");

	/* a callee writing a register on one path only */
	start("k");
	imm(ATLAS_F32, 1, 0);
	call("f");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	op0(OP_EXIT);
	at("f");
	setcc(COND_EQ, ATLAS_U32, 1, 252, 252);
	bra("out", 1);
	imm(ATLAS_F32, 1, 0x3f800000);
	at("out");
	op0(OP_RET);
	accepts("callee writes on one path, caller defined it before");

	start("k");
	imm(ATLAS_U32, 1, 0);
	call("f");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	op0(OP_EXIT);
	at("f");
	setcc(COND_EQ, ATLAS_U32, 1, 252, 252);
	bra("out", 1);
	imm(ATLAS_F32, 1, 0x3f800000);
	at("out");
	op0(OP_RET);
	rejects("type mismatch: expected f32, got u32", 3,
		"callee writes on one path over another type");

	start("k");
	call("f");
	sel(ATLAS_F32, 2, 1, 252, 252);
	op0(OP_EXIT);
	at("f");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	bra("out", 0);
	setcc(COND_EQ, ATLAS_U32, 1, 252, 252);
	at("out");
	op0(OP_RET);
	rejects("uninitialized predicate: p1", 2,
		"callee sets a predicate on one path");

	/* a callee that never returns: the code after the call is dead */
	start("k");
	call("f");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	at("f");
	op0(OP_EXIT);
	accepts("callee never returns");

	start("k");
	call("end");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	at("end");
	accepts("call to the end of the program");
	is_int(P->facts.max_call_depth, 1, "call to the end: depth 1");

	/* nested calls: summaries of summaries, requirements through two
	 * levels */
	start("k");
	imm(ATLAS_F32, 9, 0);
	call("f");
	bin(OP_ADD, ATLAS_F32, 4, 1, 3);
	call("g");
	op0(OP_EXIT);
	at("f");
	call("g");
	bin(OP_ADD, ATLAS_F32, 3, 1, 9);
	op0(OP_RET);
	at("g");
	bin(OP_ADD, ATLAS_F32, 1, 9, 9);
	op0(OP_RET);
	accepts("nested calls with summaries");
	is_int(P->facts.max_call_depth, 2, "nested summaries: depth 2");

	start("k");
	call("f");
	imm(ATLAS_F32, 9, 0);
	call("f");
	op0(OP_EXIT);
	at("f");
	call("g");
	op0(OP_RET);
	at("g");
	bin(OP_ADD, ATLAS_F32, 1, 9, 9);
	op0(OP_RET);
	rejects("uninitialized register: r9", 7,
		"nested callee reads a register one outer call leaves "
		"undefined");

	start("k");
	imm(ATLAS_U32, 9, 0);
	call("f");
	imm(ATLAS_F32, 9, 0);
	call("g");
	bin(OP_ADD, ATLAS_F32, 3, 1, 1);
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_U32, 9, 1);
	call("g");
	op0(OP_RET);
	at("g");
	bin(OP_ADD, ATLAS_F32, 1, 9, 9);
	op0(OP_RET);
	rejects("type mismatch: expected f32, got u32", 10,
		"nested callee reads what its caller wrote");

	start("k");
	call("f");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	op0(OP_EXIT);
	at("f");
	call("g");
	op0(OP_RET);
	at("g");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	bra("out", 0);
	imm(ATLAS_F32, 1, 0);
	at("out");
	op0(OP_RET);
	rejects("uninitialized register: r1", 2,
		"nested callee writes on one path");

	start("k");
	imm(ATLAS_F32, 1, 0);
	call("f");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	op0(OP_EXIT);
	at("f");
	call("g");
	op0(OP_RET);
	at("g");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	bra("out", 0);
	imm(ATLAS_F32, 1, 0);
	at("out");
	op0(OP_RET);
	accepts("nested callee writes on one path, caller defined it");

	/* shared code: two entries falling into a common tail */
	start("k");
	imm(ATLAS_U32, 1, 0);
	call("g");
	bin(OP_ADD, ATLAS_U32, 3, 1, 1);
	call("f");
	bin(OP_ADD, ATLAS_F32, 4, 1, 2);
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 1, 0);
	at("g");
	imm(ATLAS_F32, 2, 0);
	op0(OP_RET);
	accepts("entry into shared code keeps what it does not write");
	is_int(P->facts.max_call_depth, 1, "shared code: depth 1");

	start("k");
	call("g");
	bin(OP_ADD, ATLAS_F32, 3, 1, 2);
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 1, 0);
	at("g");
	imm(ATLAS_F32, 2, 0);
	op0(OP_RET);
	rejects("uninitialized register: r1", 2,
		"only the code after the called entry runs");

	/* a common tail reached by branches, reading the caller's r9 */
	start("k");
	imm(ATLAS_F32, 9, 0);
	call("f");
	call("g");
	bin(OP_ADD, ATLAS_F32, 3, 2, 5);
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 1, 0);
	bra("tail", ISA_NO_PRED);
	at("g");
	imm(ATLAS_F32, 2, 0);
	at("tail");
	bin(OP_ADD, ATLAS_F32, 5, 9, 9);
	op0(OP_RET);
	accepts("shared tail");

	start("k");
	call("f");
	imm(ATLAS_F32, 9, 0);
	call("g");
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 1, 0);
	bra("tail", ISA_NO_PRED);
	at("g");
	imm(ATLAS_F32, 2, 0);
	at("tail");
	bin(OP_ADD, ATLAS_F32, 5, 9, 9);
	op0(OP_RET);
	rejects("uninitialized register: r9", 8,
		"shared tail reads a register one entry's caller leaves "
		"undefined");

	/* g jumps into the middle of f */
	start("k");
	imm(ATLAS_F32, 1, 0);
	call("f");
	imm(ATLAS_U32, 1, 0);
	call("g");
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 2, 0);
	at("mid");
	bin(OP_ADD, ATLAS_F32, 3, 1, 2);
	op0(OP_RET);
	at("g");
	imm(ATLAS_F32, 2, 0);
	bra("mid", ISA_NO_PRED);
	rejects("type mismatch: expected f32, got u32", 7,
		"jump into the middle of another function");

	start("k");
	imm(ATLAS_F32, 1, 0);
	call("f");
	imm(ATLAS_U32, 1, 0);
	call("g");
	bin(OP_ADD, ATLAS_F32, 4, 3, 3);
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 2, 0);
	at("mid");
	bin(OP_ADD, ATLAS_F32, 3, 2, 2);
	op0(OP_RET);
	at("g");
	imm(ATLAS_F32, 2, 0);
	bra("mid", ISA_NO_PRED);
	accepts("jump into the middle of another function");

	/* f and g each jump into the other: a loop, not recursion */
	start("k");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	call("f");
	call("g");
	op0(OP_EXIT);
	at("f");
	imm(ATLAS_F32, 1, 0);
	at("g");
	imm(ATLAS_F32, 2, 0);
	bra("f", 0);
	op0(OP_RET);
	accepts("functions jumping into each other");
	is_int(P->facts.max_call_depth, 1, "jumps between functions: depth 1");

	/* recursion: the summary is a fixpoint */
	start("k");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	call("f");
	bin(OP_ADD, ATLAS_F32, 3, 1, 1);
	op0(OP_EXIT);
	at("f");
	bra("base", 0);
	call("f");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	op0(OP_RET);
	at("base");
	imm(ATLAS_F32, 1, 0);
	op0(OP_RET);
	accepts("recursion with a base case that defines r1");
	is_int(P->facts.max_call_depth, ISA_MAX_CALL_DEPTH + 1,
	       "recursion with a base case: unbounded depth");

	start("k");
	call("f");
	op0(OP_EXIT);
	at("f");
	bra("base", 0);
	call("f");
	op0(OP_RET);
	at("base");
	op0(OP_RET);
	rejects("uninitialized predicate: p0", 3,
		"recursive function reads an undefined predicate");

	start("k");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	imm(ATLAS_F32, 1, 0);
	call("f");
	op0(OP_EXIT);
	at("f");
	bra("base", 0);
	imm(ATLAS_U32, 1, 0);
	call("f");
	op0(OP_RET);
	at("base");
	bin(OP_ADD, ATLAS_F32, 2, 1, 1);
	op0(OP_RET);
	rejects("type mismatch: expected f32, got u32", 9,
		"recursive call reaches a read with another type");

	/* registers never written anywhere */
	start("k");
	call("f");
	op0(OP_EXIT);
	at("f");
	bin(OP_ADD, ATLAS_F32, 1, 40, 40);
	op0(OP_RET);
	rejects("uninitialized register: r40", 3,
		"callee reads a register written nowhere");

	start("k");
	imm(ATLAS_F32, 1, 0);
	call("f");
	call("f");
	op0(OP_EXIT);
	at("f");
	call("g");
	op0(OP_RET);
	at("g");
	bin(OP_ADD, ATLAS_F32, 2, 1, 41);
	op0(OP_RET);
	rejects("uninitialized register: r41", 7,
		"nested callee reads a register written nowhere");

	start("k");
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	bra("skip", 0);
	bin(OP_ADD, ATLAS_U32, 1, 252, 42);
	at("skip");
	op0(OP_EXIT);
	rejects("uninitialized register: r42", 3,
		"branch reads a register written nowhere");

	/* facts: reads inside callees */
	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 1);
	param("s", ATLAS_PARAM_SCALAR, ATLAS_F32, ATLAS_USE_VALUE, 6);
	imm(ATLAS_U64, 255, 0);
	call("f");
	imm(ATLAS_F32, 6, 0);
	call("f");
	op0(OP_EXIT);
	at("f");
	mem_reg(OP_LDG, ATLAS_F32, 2, 1, 0);
	bin(OP_ADD, ATLAS_U32, 3, 252, 252);
	bin(OP_ADD, ATLAS_U64, 4, 255, 255);
	bin(OP_ADD, ATLAS_F32, 5, 6, 6);
	op0(OP_RET);
	accepts("callee reads params and specials");
	f = &P->facts;
	ok(f->reg_live_in[1] && f->reg_live_in[252] && f->reg_live_in[6],
	   "facts: params and specials read in a callee are live in");
	ok(!f->reg_live_in[255] && !f->reg_live_in[253],
	   "facts: a special overwritten before the call is not live in");
}

/* main calls f0, f0 calls f1, ..., f(n-2) calls f(n-1): depth n. */
static void chain(unsigned n)
{
	char name[16], next[16];

	start("k");
	call("f0");
	op0(OP_EXIT);
	for (unsigned i = 0; i < n; i++) {
		snprintf(name, sizeof name, "f%u", i);
		snprintf(next, sizeof next, "f%u", i + 1);
		at(name);
		if (i + 1 < n)
			call(next);
		op0(OP_RET);
	}
}

static void test_depth(void)
{
	chain(256);
	accepts("256 nested calls");
	is_int(P->facts.max_call_depth, 256, "256 nested calls: depth 256");

	chain(257);
	/* f255 (instructions 2 + 2*255 = 512) makes the 257th call */
	rejects("call stack overflow (max depth: 256)", 513,
		"257 nested calls");
}

/* ---- facts --------------------------------------------------------------- */

static void test_facts(void)
{
	const struct isa_facts *f = &P->facts;
	struct isa_insn in;

	/* out[i] = a[i] + a[i] for i < n */
	start("add");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_IN, 1);
	param("out", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_OUT, 3);
	param("n", ATLAS_PARAM_SCALAR, ATLAS_U32, ATLAS_USE_GUARD, 4);
	param("unused", ATLAS_PARAM_SCALAR, ATLAS_F64, ATLAS_USE_VALUE, 7);
	cvt(ATLAS_U64, ATLAS_U32, 5, 4);
	setcc(COND_GE, ATLAS_U64, 0, 255, 5);
	bra("end", 0);
	imm(ATLAS_U32, 250, 2);
	bin(OP_SHL, ATLAS_U64, 0, 255, 250);
	mem_rr(OP_LDG, ATLAS_F32, 10, 1, 0);
	bin(OP_ADD, ATLAS_F32, 12, 10, 10);
	mem_rr(OP_STG, ATLAS_F32, 12, 3, 0);
	at("end");
	op0(OP_EXIT);
	accepts("element-wise kernel");
	f = &P->facts;

	static const unsigned used[] = {0, 1, 3, 4, 5, 10, 12, 250, 255};
	unsigned nused = 0;
	for (unsigned r = 0; r < ISA_NREGS; r++)
		nused += f->reg_used[r];
	is_int(nused, 9, "facts: 9 registers used");
	is_int(f->nslots, 9, "facts: 9 slots");
	for (unsigned k = 0; k < 9; k++) {
		ok(f->reg_used[used[k]], "facts: r%u used", used[k]);
		is_int(f->slot_of[used[k]], k,
		       "facts: slot of a used register");
	}
	ok(!f->reg_used[2] && !f->reg_used[7] && !f->reg_used[252],
	   "facts: r2, r7 (unused param), r252 unused");
	is_int(f->slot_of[2], 0xffff, "facts: unused register has no slot");
	ok(f->reg_live_in[1] && f->reg_live_in[3] && f->reg_live_in[4] &&
		   f->reg_live_in[255],
	   "facts: params and r255 live in");
	ok(!f->reg_live_in[0] && !f->reg_live_in[5] && !f->reg_live_in[7] &&
		   !f->reg_live_in[252],
	   "facts: others not live in");
	is_int(f->reg_type[0], ATLAS_U64, "facts: r0 u64");
	is_int(f->reg_type[4], ATLAS_U32, "facts: r4 u32");
	is_int(f->reg_type[10], ATLAS_F32, "facts: r10 f32");
	is_int(f->reg_type[2], 0xff, "facts: r2 no type");
	ok(f->pred_used[0] && !f->pred_used[1], "facts: p0 used, p1 not");
	is_int(f->max_call_depth, 0, "facts: no calls");
	ok(f->has_control_flow, "facts: control flow");
	ok(!f->has_float_atomics, "facts: no float atomics");

	/* a param overwritten before any read is not live in; widest type */
	start("k");
	param("a", ATLAS_PARAM_ARRAY, ATLAS_F32, ATLAS_USE_INOUT, 1);
	imm(ATLAS_U64, 1, 0);
	mem_reg(OP_LDG, ATLAS_U8, 2, 1, 0);
	cvt(ATLAS_U64, ATLAS_U8, 2, 2);
	in = I(OP_ATOM_ADD, ATLAS_F32);
	in.addr.mode = ADDR_BUF;
	in.addr.handle = 1;
	in.src[0] = 3;
	imm(ATLAS_F32, 3, 0);
	emit(in);
	accepts("overwritten param, float atomics");
	f = &P->facts;
	ok(f->reg_used[1] && !f->reg_live_in[1],
	   "facts: overwritten param not live in");
	is_int(f->reg_type[2], ATLAS_U64, "facts: widest type of r2");
	ok(f->has_float_atomics, "facts: float atomics");
	ok(!f->has_control_flow, "facts: straight line");

	/* a param read on one path only is live in */
	start("k");
	param("s", ATLAS_PARAM_SCALAR, ATLAS_I32, ATLAS_USE_VALUE, 6);
	setcc(COND_EQ, ATLAS_U32, 0, 252, 252);
	bra("skip", 0);
	imm(ATLAS_I32, 6, 1);
	at("skip");
	bin(OP_ADD, ATLAS_I32, 7, 6, 6);
	accepts("param maybe overwritten");
	ok(P->facts.reg_live_in[6], "facts: live in on some path");
}

/* ---- speed --------------------------------------------------------------- */

/*
 * Verify P and show the time it took (speed is measured by benchmarks,
 * not asserted here: this machine's timings drift).
 */
static void timed(const char *name)
{
	struct timespec t0, t1;
	struct atlas_error err;
	enum atlas_status st;

	diag("%s: %zu instructions", name, P->ninsns);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = program_verify(P, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!ok(st == ATLAS_OK, "%s: accepted", name))
		diag("%s", err.msg);
	diag("verified in %.3f ms",
	     (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

static void test_speed(void)
{
	char name[32];

	/* 10,000 instructions: a loop around 1,000 diamonds of 10 */
	start("big");
	imm(ATLAS_U32, 0, 10);
	imm(ATLAS_F32, 1, 0);
	at("top");
	for (unsigned i = 0; i < 999; i++) {
		snprintf(name, sizeof name, "e%u", i);
		setcc(COND_LT, ATLAS_U32, i % 16, 252, 254);
		bra(name, i % 16);
		imm(ATLAS_F32, 2 + i % 200, i);
		bin(OP_ADD, ATLAS_F32, 1, 1, 1);
		snprintf(name, sizeof name, "j%u", i);
		bra(name, ISA_NO_PRED);
		snprintf(name, sizeof name, "e%u", i);
		at(name);
		imm(ATLAS_F32, 2 + i % 200, i);
		bin(OP_MUL, ATLAS_F32, 1, 1, 1);
		snprintf(name, sizeof name, "j%u", i);
		at(name);
		bin(OP_ADD, ATLAS_F32, 1, 1, 2 + i % 200);
		bin(OP_ADD, ATLAS_F32, 1, 1, 1);
		un(OP_MOV, ATLAS_F32, 230, 1);
	}
	loop(0, "top");
	op0(OP_EXIT);
	timed("10,000 instructions");

	/* 1,000 functions, called from main; f(i) also calls f(i + 1) on
	 * one path, in chains of 100 */
	start("calls");
	imm(ATLAS_F32, 1, 0);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "f%u", i);
		call(name);
		bin(OP_ADD, ATLAS_F32, 1, 1, 2 + i % 200);
	}
	op0(OP_EXIT);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "f%u", i);
		at(name);
		setcc(COND_LT, ATLAS_U32, 0, 252, 254);
		snprintf(name, sizeof name, "s%u", i);
		bra(name, 0);
		snprintf(name, sizeof name, "f%u", i + 1);
		if ((i + 1) % 100 != 0)
			call(name);
		snprintf(name, sizeof name, "s%u", i);
		at(name);
		imm(ATLAS_F32, 2 + i % 200, i);
		bin(OP_ADD, ATLAS_F32, 2 + i % 200, 2 + i % 200, 1);
		op0(OP_RET);
	}
	timed("1,000 functions");
	is_int(P->facts.max_call_depth, 100, "1,000 functions: depth 100");

	/* 3,000 entries, each falling into the next: one shared tail */
	start("shared");
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(name, sizeof name, "f%u", i);
		call(name);
	}
	bin(OP_ADD, ATLAS_F32, 3, 1, 2);
	op0(OP_EXIT);
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(name, sizeof name, "f%u", i);
		at(name);
		imm(ATLAS_F32, 1 + i % 2, i);
	}
	op0(OP_RET);
	timed("3,000 entries into shared code");
	is_int(P->facts.max_call_depth, 1, "3,000 entries: depth 1");

	/* 100,000 branches out of one loop to one exit: a block with
	 * 100,000 predecessors down a chain of dominators, which took the
	 * iterative dominator algorithm minutes */
	start("exits");
	at("top");
	for (unsigned i = 0; i < 100000; i++) {
		setcc(COND_LT, ATLAS_U32, 0, 252, 254);
		bra("out", 0);
	}
	bra("top", ISA_NO_PRED);
	at("out");
	op0(OP_EXIT);
	timed("100,000 exits from a loop");
}

int main(void)
{
	test_params();
	test_insns();
	test_labels();
	test_dataflow();
	test_control();
	test_calls();
	test_depth();
	test_facts();
	test_speed();
	atlas_program_free(P);
	return done_testing();
}
