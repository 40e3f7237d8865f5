/*
 * isa.h - the Atlas ISA inside libatlas: opcodes, operand formats, the
 * decoded instruction, type properties.  Internal to lib/ (and white-box
 * unit tests); programs use atlas.h only.
 *
 * One table, ISA_OPS below, drives the assembly reader and writer, the
 * JSON reader and writer and the verifier: an instruction's operands are
 * fully described by its format (enum isa_fmt).
 */
#ifndef ATLAS_ISA_H
#define ATLAS_ISA_H

#include <stdint.h>

#include "atlas.h"

#define ISA_NREGS 256
#define ISA_NPREDS 16
#define ISA_NO_PRED 0xffff
#define ISA_MAX_CALL_DEPTH 256
#define ISA_MAX_INSNS (1u << 20)
#define ISA_MAX_SRC 10 /* source registers of one instruction (gemm) */

/* Special registers, set before a lane's first instruction (ref 2.1). */
#define ISA_REG_LANE_IDX_X 252	/* u32 */
#define ISA_REG_BLOCK_IDX_X 253 /* u32 */
#define ISA_REG_BLOCK_DIM_X 254 /* u32 */
#define ISA_REG_GLOBAL_LANE 255 /* u64 */

/* clang-format off */
/*
 * Operand formats.  Fields of struct isa_insn each format uses, and the
 * assembly syntax (T = type suffix):
 */
enum isa_fmt {
	FMT_NONE,       /* exit                          -                      */
	FMT_LD,         /* ldg.T rD, [addr]              dst addr               */
	FMT_ST,         /* stg.T [addr], rS              addr src0             */
	FMT_UN,         /* neg.T rD, rS                  dst src0              */
	FMT_IMM,        /* mov_imm.T rD, IMM             dst imm               */
	FMT_CVT,        /* cvt.TD.TS rD, rS              type=TD type2=TS dst src0 */
	FMT_BIN,        /* add.T rD, rA, rB              dst src0 src1         */
	FMT_TERN,       /* mad.T rD, rA, rB, rC          dst src0 src1 src2    */
	FMT_SETCC,      /* setlt.T pD, rA, rB            sub=cond dst(pred) src0 src1 */
	FMT_SEL,        /* sel.T rD, pP, rA, rB          dst pred src0 src1    */
	FMT_BRA,        /* bra @L | bra.pN @L            label pred            */
	FMT_CALL,       /* call @L                       label                 */
	FMT_LOOP,       /* loop rC, @L                   src0 label            */
	FMT_BAR,        /* bar.sync N                    imm                   */
	FMT_FENCE,      /* memfence.SCOPE                sub=scope             */
	FMT_REDUCE,     /* reduce.add.T rD, rB, N        dst src0 imm          */
	FMT_POOL_ALLOC, /* pool.alloc rD, SIZE           dst imm               */
	FMT_POOL_FREE,  /* pool.free rH                  src0                  */
	FMT_POOL_LOAD,  /* pool.load.T rD, rP, rO        dst src0 src1         */
	FMT_POOL_STORE, /* pool.store.T rP, rO, rS       src0 src1 src2        */
	FMT_ATOM,       /* atom.add.T [addr], rS         addr src0             */
	FMT_PMAP,       /* pmap.OP.T rOut, rIn, rN       sub=map dst src0 src1 */
	FMT_PMAP2,      /* pmap2.OP.T rOut, rA, rB, rN   sub=map2 dst src0 src1 src2 */
	FMT_PREDUCE,    /* preduce.OP.T rOut, rIn, rN    sub=red dst src0 src1 */
	/* BLAS (exec_blas.c): per-lane rows, batched into OpenBLAS calls */
	FMT_GEMM,       /* gemm.TR.T rC, rA, rB, rI, rN, rK, rLda, rLdb, rLdc,
	                   rAlpha, rBeta     sub=trans dst src0..src9       */
	FMT_GEMV,       /* gemv.TR.T rY, rA, rX, rI, rN, rLda, rAlpha, rBeta
	                                     sub=trans dst src0..src6       */
	FMT_DOT,        /* dot.T rD, rA, rB, rN          dst src0 src1 src2    */
	/* Atlas-specific formats (exec_atlas.c; classes are u8 registers) */
	FMT_R,          /* cls.get rD / phase.get rD     dst                   */
	FMT_RR,         /* mirror rD, rS / nbr.count rD, rC    dst src0        */
	FMT_PRED_R,     /* unity.test pD, rC             dst(pred) src0        */
	FMT_RRI,        /* nbr.get rD, rC, IDX           dst src0 imm          */
	FMT_SRC2,       /* res.accum.T rC, rV            src0 src1             */
	FMT_I,          /* phase.adv N                   imm                   */
	FMT_RRRR,       /* bound.map rD, rC, rP, rB      dst src0 src1 src2    */
	FMT_ATOM_RET    /* atom.fetch_add.T rD, [addr], rS   dst addr src0     */
};
/* clang-format on */

/* Instruction groups (reference 2.4 categories). */
enum isa_group {
	GRP_DATA,
	GRP_ARITH,
	GRP_LOGIC,
	GRP_CONTROL,
	GRP_SYNC,
	GRP_ATLAS,
	GRP_REDUCE,
	GRP_TRANSC,
	GRP_POOL,
	GRP_ATOMIC,
	GRP_HIGHER
};

/* Type masks: which operand types an instruction accepts. */
#define TM(t) (1u << (t))
#define TM_SINT (TM(ATLAS_I8) | TM(ATLAS_I16) | TM(ATLAS_I32) | TM(ATLAS_I64))
#define TM_UINT (TM(ATLAS_U8) | TM(ATLAS_U16) | TM(ATLAS_U32) | TM(ATLAS_U64))
#define TM_INT (TM_SINT | TM_UINT)
#define TM_HALF (TM(ATLAS_F16) | TM(ATLAS_BF16))
#define TM_FLT (TM(ATLAS_F32) | TM(ATLAS_F64))
#define TM_FLOAT (TM_FLT | TM_HALF)
#define TM_ALL (TM_INT | TM_FLOAT)
#define TM_NUM (TM_INT | TM_FLOAT)   /* integer and float arithmetic */
#define TM_SNUM (TM_SINT | TM_FLOAT) /* signed: NEG, ABS */
#define TM_W32_64                                                              \
	(TM(ATLAS_I32) | TM(ATLAS_I64) | TM(ATLAS_U32) | TM(ATLAS_U64))
#define TM_NONE 0u

/* clang-format off */
/*
 * X(ENUM, "mnemonic", format, group, accepted types)
 * The mnemonic is the JSON "op" value and the assembly name before the type
 * suffix.  setcc's assembly name is "set" followed by the condition.
 */
#define ISA_OPS(X)                                                             \
	X(LDG, "ldg", FMT_LD, GRP_DATA, TM_ALL)                                \
	X(STG, "stg", FMT_ST, GRP_DATA, TM_ALL)                                \
	X(LDS, "lds", FMT_LD, GRP_DATA, TM_ALL)                                \
	X(STS, "sts", FMT_ST, GRP_DATA, TM_ALL)                                \
	X(MOV, "mov", FMT_UN, GRP_DATA, TM_ALL)                                \
	X(MOV_IMM, "mov_imm", FMT_IMM, GRP_DATA, TM_ALL)                       \
	X(CVT, "cvt", FMT_CVT, GRP_DATA, TM_ALL)                               \
	X(ADD, "add", FMT_BIN, GRP_ARITH, TM_NUM)                              \
	X(SUB, "sub", FMT_BIN, GRP_ARITH, TM_NUM)                              \
	X(MUL, "mul", FMT_BIN, GRP_ARITH, TM_NUM)                              \
	X(DIV, "div", FMT_BIN, GRP_ARITH, TM_NUM)                              \
	X(FLOORDIV, "floordiv", FMT_BIN, GRP_ARITH, TM_NUM)                    \
	X(MOD, "mod", FMT_BIN, GRP_ARITH, TM_NUM)                              \
	X(MAD, "mad", FMT_TERN, GRP_ARITH,                                     \
	  TM(ATLAS_I32) | TM(ATLAS_I64) | TM_FLOAT)                            \
	X(FMA, "fma", FMT_TERN, GRP_ARITH, TM_FLOAT)                           \
	X(MIN, "min", FMT_BIN, GRP_ARITH, TM_NUM)                              \
	X(MAX, "max", FMT_BIN, GRP_ARITH, TM_NUM)                              \
	X(ABS, "abs", FMT_UN, GRP_ARITH, TM_SNUM)                              \
	X(NEG, "neg", FMT_UN, GRP_ARITH, TM_SNUM)                              \
	X(AND, "and", FMT_BIN, GRP_LOGIC, TM_INT)                              \
	X(OR, "or", FMT_BIN, GRP_LOGIC, TM_INT)                                \
	X(XOR, "xor", FMT_BIN, GRP_LOGIC, TM_INT)                              \
	X(NOT, "not", FMT_UN, GRP_LOGIC, TM_INT)                               \
	X(SHL, "shl", FMT_BIN, GRP_LOGIC, TM_INT)                              \
	X(SHR, "shr", FMT_BIN, GRP_LOGIC, TM_INT)                              \
	X(SETCC, "set", FMT_SETCC, GRP_LOGIC, TM_NUM)                          \
	X(SEL, "sel", FMT_SEL, GRP_LOGIC, TM_NUM)                              \
	X(BRA, "bra", FMT_BRA, GRP_CONTROL, TM_NONE)                           \
	X(CALL, "call", FMT_CALL, GRP_CONTROL, TM_NONE)                        \
	X(RET, "ret", FMT_NONE, GRP_CONTROL, TM_NONE)                          \
	X(LOOP, "loop", FMT_LOOP, GRP_CONTROL, TM_NONE)                        \
	X(EXIT, "exit", FMT_NONE, GRP_CONTROL, TM_NONE)                        \
	X(BAR_SYNC, "bar.sync", FMT_BAR, GRP_SYNC, TM_NONE)                    \
	X(MEM_FENCE, "memfence", FMT_FENCE, GRP_SYNC, TM_NONE)                 \
	X(CLS_GET, "cls.get", FMT_R, GRP_ATLAS, TM_NONE)                       \
	X(MIRROR, "mirror", FMT_RR, GRP_ATLAS, TM_NONE)                        \
	X(UNITY_TEST, "unity.test", FMT_PRED_R, GRP_ATLAS, TM_NONE)            \
	X(NBR_COUNT, "nbr.count", FMT_RR, GRP_ATLAS, TM_NONE)                  \
	X(NBR_GET, "nbr.get", FMT_RRI, GRP_ATLAS, TM_NONE)                     \
	X(RES_ACCUM, "res.accum", FMT_SRC2, GRP_ATLAS, TM_FLT)                 \
	X(PHASE_GET, "phase.get", FMT_R, GRP_ATLAS, TM_NONE)                   \
	X(PHASE_ADV, "phase.adv", FMT_I, GRP_ATLAS, TM_NONE)                   \
	X(BOUND_MAP, "bound.map", FMT_RRRR, GRP_ATLAS, TM_NONE)                \
	X(REDUCE_ADD, "reduce.add", FMT_REDUCE, GRP_REDUCE,                    \
	  TM(ATLAS_I32) | TM(ATLAS_I64) | TM_FLOAT)                            \
	X(REDUCE_MIN, "reduce.min", FMT_REDUCE, GRP_REDUCE,                    \
	  TM(ATLAS_I32) | TM(ATLAS_I64) | TM_FLOAT)                            \
	X(REDUCE_MAX, "reduce.max", FMT_REDUCE, GRP_REDUCE,                    \
	  TM(ATLAS_I32) | TM(ATLAS_I64) | TM_FLOAT)                            \
	X(REDUCE_MUL, "reduce.mul", FMT_REDUCE, GRP_REDUCE,                    \
	  TM(ATLAS_I32) | TM(ATLAS_I64) | TM_FLOAT)                            \
	X(EXP, "exp", FMT_UN, GRP_TRANSC, TM_FLOAT)                            \
	X(LOG, "log", FMT_UN, GRP_TRANSC, TM_FLOAT)                            \
	X(LOG2, "log2", FMT_UN, GRP_TRANSC, TM_FLOAT)                          \
	X(LOG10, "log10", FMT_UN, GRP_TRANSC, TM_FLOAT)                        \
	X(SQRT, "sqrt", FMT_UN, GRP_TRANSC, TM_FLOAT)                          \
	X(RSQRT, "rsqrt", FMT_UN, GRP_TRANSC, TM_FLOAT)                        \
	X(SIN, "sin", FMT_UN, GRP_TRANSC, TM_FLOAT)                            \
	X(COS, "cos", FMT_UN, GRP_TRANSC, TM_FLOAT)                            \
	X(TAN, "tan", FMT_UN, GRP_TRANSC, TM_FLOAT)                            \
	X(TANH, "tanh", FMT_UN, GRP_TRANSC, TM_FLOAT)                          \
	X(SIGMOID, "sigmoid", FMT_UN, GRP_TRANSC, TM_FLOAT)                    \
	X(ERF, "erf", FMT_UN, GRP_TRANSC, TM_FLOAT)                            \
	X(FLOOR, "floor", FMT_UN, GRP_TRANSC, TM_FLOAT)                        \
	X(CEIL, "ceil", FMT_UN, GRP_TRANSC, TM_FLOAT)                          \
	X(ROUND, "round", FMT_UN, GRP_TRANSC, TM_FLOAT)                        \
	X(POW, "pow", FMT_BIN, GRP_TRANSC, TM_FLOAT)                           \
	X(POOL_ALLOC, "pool.alloc", FMT_POOL_ALLOC, GRP_POOL, TM_NONE)         \
	X(POOL_FREE, "pool.free", FMT_POOL_FREE, GRP_POOL, TM_NONE)            \
	X(POOL_LOAD, "pool.load", FMT_POOL_LOAD, GRP_POOL, TM_INT | TM_FLT)    \
	X(POOL_STORE, "pool.store", FMT_POOL_STORE, GRP_POOL,                  \
	  TM_INT | TM_FLT)                                                     \
	X(ATOM_ADD, "atom.add", FMT_ATOM, GRP_ATOMIC, TM_W32_64 | TM_FLT)      \
	X(ATOM_MIN, "atom.min", FMT_ATOM, GRP_ATOMIC, TM_W32_64 | TM_FLT)      \
	X(ATOM_FETCH_ADD, "atom.fetch_add", FMT_ATOM_RET, GRP_ATOMIC,          \
	  TM_W32_64 | TM_FLT)                                                  \
	X(PMAP, "pmap", FMT_PMAP, GRP_HIGHER, TM_FLT)                          \
	X(PMAP2, "pmap2", FMT_PMAP2, GRP_HIGHER, TM_FLT)                       \
	X(PREDUCE, "preduce", FMT_PREDUCE, GRP_HIGHER, TM_FLT)                 \
	X(GEMM, "gemm", FMT_GEMM, GRP_HIGHER, TM_FLT)                          \
	X(GEMV, "gemv", FMT_GEMV, GRP_HIGHER, TM_FLT)                          \
	X(DOT, "dot", FMT_DOT, GRP_HIGHER, TM_FLT)

/* clang-format on */
enum isa_op {
#define ISA_ENUM(e, m, f, g, t) OP_##e,
	ISA_OPS(ISA_ENUM)
#undef ISA_ENUM
		OP_COUNT
};

struct isa_op_info {
	const char *mnemonic;
	enum isa_fmt fmt;
	enum isa_group group;
	uint32_t types; /* TM mask; TM_NONE: the instruction takes no type */
};

extern const struct isa_op_info isa_op_table[OP_COUNT];

/* SETcc conditions, in assembly order: "seteq", "setne", ... */
enum isa_cond {
	COND_EQ,
	COND_NE,
	COND_LT,
	COND_LE,
	COND_GT,
	COND_GE,
	COND_LTU,
	COND_LEU,
	COND_GTU,
	COND_GEU,
	COND_COUNT
};
extern const char *const isa_cond_names[COND_COUNT];

/* MemFence scopes: "memfence.thread" ... */
enum isa_scope {
	SCOPE_THREAD,
	SCOPE_BLOCK,
	SCOPE_DEVICE,
	SCOPE_SYSTEM,
	SCOPE_COUNT
};
extern const char *const isa_scope_names[SCOPE_COUNT];

/* ParallelMap operations (pmap.OP). */
/* clang-format off */
#define ISA_MAP_OPS(X)                                                         \
	X(ABS, "abs") X(NEG, "neg") X(SQRT, "sqrt") X(EXP, "exp")              \
	X(LOG, "log") X(SIN, "sin") X(COS, "cos") X(TAN, "tan")                \
	X(CEIL, "ceil") X(FLOOR, "floor") X(ROUND, "round")                    \
	X(RECIPROCAL, "reciprocal") X(ERF, "erf") X(SIGMOID, "sigmoid")        \
	X(TANH, "tanh") X(RELU, "relu")
/* clang-format on */
enum isa_map {
#define ISA_MAP_ENUM(e, s) MAP_##e,
	ISA_MAP_OPS(ISA_MAP_ENUM)
#undef ISA_MAP_ENUM
		MAP_COUNT
};
extern const char *const isa_map_names[MAP_COUNT];

/* ParallelMapBinary operations (pmap2.OP). */
enum isa_map2 {
	MAP2_ADD,
	MAP2_SUB,
	MAP2_MUL,
	MAP2_DIV,
	MAP2_POW,
	MAP2_MIN,
	MAP2_MAX,
	MAP2_ATAN2,
	MAP2_COUNT
};
extern const char *const isa_map2_names[MAP2_COUNT];

/* ParallelReduce operations (preduce.OP). */
enum isa_red { RED_SUM, RED_PRODUCT, RED_MIN, RED_MAX, RED_COUNT };
extern const char *const isa_red_names[RED_COUNT];

/* Transposes of gemm.TR (A then B: "nn" ... "tt") and gemv.TR ("n", "t"):
   bit 0 transposes A, bit 1 B. */
#define ISA_GEMM_TRANS 4
#define ISA_GEMV_TRANS 2
extern const char *const isa_gemm_trans_names[ISA_GEMM_TRANS];
extern const char *const isa_gemv_trans_names[ISA_GEMV_TRANS];

/* Address modes of LDG/STG/LDS/STS/ATOM (reference 2.3). */
enum isa_addr_mode {
	ADDR_BUF,   /* [bufH + OFF]     static handle, static byte offset   */
	ADDR_PHI,   /* [Φ(C, P, B)]     boundary pool (handle 0)            */
	ADDR_REG,   /* [rH + OFF] / [rH - K]  handle in u64 rH, static offset */
	ADDR_REGREG /* [rH + rO]        handle in u64 rH, byte offset in u64 rO
		     */
};

struct isa_addr {
	uint8_t mode;	 /* enum isa_addr_mode */
	uint16_t base;	 /* ADDR_REG, ADDR_REGREG: handle register */
	uint16_t index;	 /* ADDR_REGREG: offset register */
	uint64_t handle; /* ADDR_BUF */
	int64_t offset;	 /* ADDR_BUF: byte offset >= 0; ADDR_REG: i32 offset */
	uint32_t cls, page, byte; /* ADDR_PHI */
};

/*
 * A decoded instruction.  Register fields are wider than 8 bits so that a
 * reader can hold an out-of-range index for the verifier to report.
 */
struct isa_insn {
	uint16_t op;   /* enum isa_op */
	uint8_t type;  /* enum atlas_type of the operands (FMT_CVT: dest) */
	uint8_t type2; /* FMT_CVT: source type */
	uint8_t sub;   /* cond, scope, map, map2 or red, by format */
	uint16_t dst;  /* destination register, or predicate (SETCC, unity.test)
			*/
	uint16_t src[ISA_MAX_SRC]; /* source registers */
	uint16_t pred;	/* FMT_BRA, FMT_SEL predicate; ISA_NO_PRED if none */
	uint32_t label; /* FMT_BRA/CALL/LOOP: index into the program's labels */
	uint64_t imm;	/* immediate, by format */
	struct isa_addr addr;
	uint32_t line, col; /* source position, 0 if unknown */
};

/* Element size of a valid type, inline for the interpreter's hot path. */
static inline size_t isa_size(unsigned t)
{
	static const unsigned char size[ATLAS_NTYPES] = {1, 2, 4, 8, 1, 2,
							 4, 8, 2, 2, 4, 8};
	return size[t];
}

/* Type properties. */
int isa_type_is_int(enum atlas_type t);
int isa_type_is_signed(enum atlas_type t); /* signed ints and all floats */
int isa_type_is_float(enum atlas_type t);  /* f16 bf16 f32 f64 */

/* Look up an opcode by mnemonic; returns -1 if unknown. */
int isa_op_find(const char *mnemonic);

/* Look up a name in a table of n names; returns its index or -1. */
int isa_name_find(const char *const *names, int n, const char *name);

#endif /* ATLAS_ISA_H */
