/*
 * exec.h - the CPU backend's block-SIMT interpreter.  Internal to lib/.
 *
 * A worker runs one instruction over a block of up to EXEC_B consecutive
 * lanes at a time.  Each virtual register is an array of EXEC_B lane
 * values, but a register whose value is the same in every lane (a kernel
 * parameter, a constant) is kept as one scalar (SH_UNIFORM), and an integer
 * register whose value grows by a fixed step from lane to lane (the global
 * lane id, a byte offset derived from it) as base + lane * stride
 * (SH_AFFINE).  Operations on such registers cost one scalar operation per
 * block, and a load through an affine offset becomes one bounds check and
 * a pointer bind to the buffer itself (zero copy).
 *
 * Divergence: the lanes of a block are partitioned into splits, each with
 * its own pc, call stack and lane mask.  The split with the deepest call
 * stack, then the lowest pc, runs next; splits meeting at the same pc with
 * the same stack merge again (reconvergence).  With structured code this
 * is the immediate post-dominator rule; with any code it is correct,
 * because lanes share nothing but memory.
 */
#ifndef ATLAS_EXEC_H
#define ATLAS_EXEC_H

#include <pthread.h>
#include <stdint.h>

#include "atlas.h"
#include "isa.h"
#include "program.h"

/* Lanes per interpreter block: three operand arrays of 4-byte lanes stay
   within L1 (performance-notes B6). */
#define EXEC_B 2048

enum vshape { SH_UNIFORM, SH_AFFINE, SH_VARYING };

/*
 * A register's lanes live in one of four layouts, by element size (1, 2,
 * 4 or 8 bytes), each an array of EXEC_B elements of its own.  A lane's
 * value is in the layout of the type it was last written with: the
 * verifier guarantees that a lane reads a register with the type its
 * path last wrote, so a masked write of another size leaves the other
 * lanes' values intact in their layout.
 */
struct vreg {
	uint8_t shape;	/* enum vshape */
	uint8_t size;	/* element size of the value (of lanes, if VARYING) */
	uint8_t filled; /* UNIFORM/AFFINE: the size whose layout holds the
			   expanded lanes too, else 0 */
	uint8_t alias;	/* VARYING: lanes points into a buffer, not own */
	uint16_t alias_handle;	     /* when alias: the buffer's handle */
	uint64_t alias_lo, alias_hi; /* when alias: data byte range aliased */
	uint64_t base;	 /* UNIFORM: value bits; AFFINE: lane 0's value */
	uint64_t stride; /* AFFINE: per-lane increment, wrapping in the width */
	void *lanes;	 /* VARYING: the lane values */
	uint8_t *store;	 /* the four layouts: 15 * EXEC_B bytes */
};

/* The layout of elements of size bytes in a register's storage. */
static inline void *own_of(const struct vreg *v, size_t size)
{
	return v->store + (size - 1) * EXEC_B;
}

struct vpred {
	uint8_t uniform; /* 1: every lane holds value */
	uint8_t value;
	uint8_t *lanes; /* EXEC_B bytes, 0 or 1 */
};

struct split {
	uint32_t pc;
	uint32_t depth;
	uint32_t count;	 /* active lanes */
	uint8_t *mask;	 /* EXEC_B bytes */
	size_t ones;	 /* mask is known to be lanes [0, ones) set, the
			    rest clear; SIZE_MAX when unknown */
	uint32_t *stack; /* ISA_MAX_CALL_DEPTH return pcs, or NULL */
};

struct kpool {
	uint8_t *data;
	uint64_t size;
	int live;
};

/* Shared by all workers of one launch. */
struct launch_ctx {
	const struct atlas_program *prog;
	const struct atlas_launch *launch;
	const struct atlas_arg *args;
	const struct atlas_view *views; /* by handle; views[0] unused */
	size_t nviews;
	uint64_t first_lane, nlanes; /* lanes [first, first+n) */
	uint64_t lanes_per_block;    /* BX*BY*BZ */
	unsigned threads;	     /* the engine's thread budget (BLAS) */
	/* kernel pools (PoolAlloc), guarded by lock */
	pthread_mutex_t lock;
	struct kpool *pools;
	size_t npools, pools_cap;
	uint64_t pool_bytes, pool_limit;
	/* the Atlas run state: views[0] is the boundary pool (data NULL: none);
	   phase.adv and res.accum change phase and res under lock, and the
	   engine copies them back to the caller's state on success */
	uint32_t phase0; /* the phase at launch start (phase.get) */
	struct atlas_phase phase;
	int has_res;
	struct atlas_resonance res;
	/* the earliest failing interpreter block so far, or UINT64_MAX */
	uint64_t err_block;
	struct atlas_error err;
};

/* One worker's state: its register file and scratch space. */
struct worker {
	struct vreg *regs; /* by slot */
	uint16_t nslots_cap;
	struct vpred preds[ISA_NPREDS];
	uint8_t *mem; /* backing store of everything below */
	size_t mem_size;
	void *scratch[3]; /* EXEC_B * 8 bytes each */
	uint8_t *tmask;	  /* EXEC_B bytes */
	struct split *splits;
	size_t nsplits, splits_cap;
	size_t nlanes;	/* lanes in the current block */
	uint64_t first; /* global id of the block's lane 0 */
	struct launch_ctx *ctx;
	struct atlas_error err;
	int failed;
	/* a result being computed in place of the store that follows it */
	void *fwd;
	unsigned fwd_handle;
	uint64_t fwd_off;
};

/* Allocate a worker's storage for programs of up to nslots registers. */
int worker_reserve(struct worker *w, uint16_t nslots);
void worker_release(struct worker *w);

/*
 * Run lanes [first, first + n) (n <= EXEC_B) of the launch in ctx.
 * Returns 0, or -1 with w->err filled.
 */
int exec_block(struct worker *w, uint64_t first, size_t n);

/*
 * Arithmetic, logic, conversions, comparisons, selects and register
 * reductions for the lanes of split s (exec_alu.c).  exec_binary fails
 * only on integer division by zero: 0 or -1 with w->err set.
 */
int exec_binary(struct worker *w, const struct isa_insn *in,
		const struct split *s);
void exec_ternary(struct worker *w, const struct isa_insn *in,
		  const struct split *s);
void exec_mov(struct worker *w, const struct isa_insn *in,
	      const struct split *s);
void exec_unary(struct worker *w, const struct isa_insn *in,
		const struct split *s);
void exec_cvt(struct worker *w, const struct isa_insn *in,
	      const struct split *s);
void exec_setcc(struct worker *w, const struct isa_insn *in,
		const struct split *s);
void exec_sel(struct worker *w, const struct isa_insn *in,
	      const struct split *s);
void exec_reduce(struct worker *w, const struct isa_insn *in,
		 const struct split *s);

/* Memory instructions (exec_mem.c).  Return 0 or -1 with w->err set. */
int exec_load(struct worker *w, const struct isa_insn *in,
	      const struct split *s);
int exec_store(struct worker *w, const struct isa_insn *in,
	       const struct split *s);
int exec_atomic(struct worker *w, const struct isa_insn *in,
		const struct split *s);
int exec_pool(struct worker *w, const struct isa_insn *in,
	      const struct split *s);
int exec_higher(struct worker *w, const struct isa_insn *in,
		const struct split *s);

/*
 * Bytes [off, off + size) of buffer handle h for lane's access by in as a
 * pointer, or -1 with the lane error ("buffer access out of bounds", ...)
 * in w->err.
 */
int exec_resolve(struct worker *w, const struct isa_insn *in, size_t lane,
		 uint64_t h, uint64_t off, uint64_t size, uint8_t **ptr);

/* gemm, gemv and dot through OpenBLAS (exec_blas.c; not named exec_blas:
   OpenBLAS exports a function of that name): 0 or -1, w->err set. */
int exec_linalg(struct worker *w, const struct isa_insn *in,
		const struct split *s);

/* The Atlas instructions (exec_atlas.c): 0, or -1 with w->err set. */
int exec_atlas(struct worker *w, const struct isa_insn *in,
	       const struct split *s);

/*
 * If every lane of the block addresses one contiguous, in-window range of
 * elements of size bytes (uniform handle, offset affine with stride size),
 * return its start and set *handle, *off; else NULL.
 */
uint8_t *exec_span(struct worker *w, const struct isa_addr *a, uint64_t size,
		   unsigned *handle, uint64_t *off);

/* Register helpers shared by exec*.c. */
static inline struct vreg *wreg(struct worker *w, unsigned reg)
{
	return &w->regs[w->ctx->prog->facts.slot_of[reg]];
}

/* The lane values of a register as an array (expanding UNIFORM/AFFINE). */
const void *reg_lanes(struct worker *w, unsigned reg, enum atlas_type t);
/* The value of one lane, zero-extended bits. */
uint64_t reg_lane_value(struct worker *w, unsigned reg, enum atlas_type t,
			size_t lane);
/*
 * Write a result held in src (EXEC_B lanes of type t) to register reg for
 * the lanes of split s.
 */
void reg_commit(struct worker *w, unsigned reg, enum atlas_type t,
		const void *src, const struct split *s);
/* Write base + lane * stride to reg for the lanes of split s. */
void reg_commit_affine(struct worker *w, unsigned reg, enum atlas_type t,
		       uint64_t base, uint64_t stride, const struct split *s);
/*
 * Where an operation on split s should put its lane results of type t for
 * reg: the register's own storage when every lane is written, else
 * scratch[0] (to be blended by reg_commit).
 */
void *reg_dest(struct worker *w, unsigned reg, enum atlas_type t,
	       const struct split *s);
/* Write a uniform value to reg for the lanes of split s. */
void reg_commit_uniform(struct worker *w, unsigned reg, enum atlas_type t,
			uint64_t bits, const struct split *s);
/* Copy aliased registers overlapping [lo, hi) of buffer handle into own
   storage, before that range is written. */
void regs_unalias(struct worker *w, unsigned handle, uint64_t lo, uint64_t hi);

/* Write predicate p for the lanes of split s from src (EXEC_B bytes, 0 or
   1), or from one value (exec_alu.c). */
void pred_commit(struct worker *w, unsigned p, const uint8_t *src,
		 const struct split *s);
void pred_commit_uniform(struct worker *w, unsigned p, uint8_t v,
			 const struct split *s);

/* Set w->err (message as in the reference) and return -1. */
int lane_fail(struct worker *w, const struct isa_insn *in, size_t lane,
	      enum atlas_status code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif /* ATLAS_EXEC_H */
