/*
 * verify_flow.h - what the verifier's flow passes share: verify_cfg.c
 * (basic blocks, functions, call graph, call depth) and verify_flow.c
 * (the dataflow and the driver, verify_flow in verify_int.h).  Internal
 * to those two files.
 */
#ifndef ATLAS_VERIFY_FLOW_H
#define ATLAS_VERIFY_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "verify_int.h"

#define NONE UINT32_MAX

struct triple {
	uint32_t key, val, pc;
};

struct flow {
	struct verifier *v;
	const struct isa_insn *insns;
	uint32_t n;	    /* instructions */
	uint32_t nb;	    /* basic blocks, in instruction order */
	uint32_t nf;	    /* functions */
	uint32_t *bstart;   /* block b is [bstart[b], bstart[b + 1]) */
	uint32_t *block_of; /* instruction -> block (leaders only are used) */
	uint32_t *fn;	    /* block -> its function; NONE if unreachable */
	uint32_t *head;	    /* function -> its entry block */
	uint32_t *dep_off;  /* function -> blocks that call it or jump in */
	struct triple *dep; /* (callee, block, call instruction or NONE) */
	uint32_t *out_off;  /* function -> its blocks in out */
	struct triple *out; /* (function, block that calls or leaves, -) */
	uint32_t *cg_off;   /* caller -> call graph edges in cg */
	struct triple *cg;  /* (caller, callee or NONE, call instruction or
			       NONE for a tail call) */
	uint32_t nscc;	    /* strongly connected components of cg */
	uint32_t *scc;	    /* function -> its component */
	uint32_t *sorder;   /* functions by component, callees first */
	uint32_t *soff;	    /* component -> its functions in sorder */
	uint32_t *depth;    /* component -> deepest chain of calls from it */
	uint32_t *best;	    /* component -> cg edge starting it, or NONE */
	int recursive;	    /* some component reached from main calls itself */
	uint32_t cur;	    /* component being solved (solve_entries) */
	uint32_t nu;	    /* registers tracked */
	uint32_t stride;    /* words in a state: nu + 3 */
	uint16_t slot[ISA_NREGS]; /* register -> its word, NOSLOT */
	/* block -> state at its start (relative to its function's entry),
	   then function -> state at its RETs (relative), function -> state
	   at its entry, and three scratch states */
	uint16_t *states;
	uint16_t *tmp[3];
	uint32_t *queue; /* circular worklist of blocks or functions */
	uint8_t *inq;
	uint32_t qhead, qlen, qsize;
};

/*
 * Blocks, functions, the edges between functions and the call graph's
 * components of g (g->v, insns and n set); -1 when out of memory.
 */
int verify_cfg_build(struct flow *g);
/*
 * Successors of the last instruction of block b within its function (a
 * CALL goes on at the next instruction, RET and EXIT end the walk): their
 * number, the blocks in next[0..2).
 */
uint32_t verify_cfg_succ(const struct flow *g, uint32_t b, uint32_t *next);
/* The function the CALL at pc enters; NONE if it ends the lane. */
uint32_t verify_cfg_callee(const struct flow *g, uint32_t pc);
/*
 * Set f.max_call_depth; "call stack overflow" at the call that passes
 * ISA_MAX_CALL_DEPTH.
 */
enum atlas_status verify_call_depth(struct flow *g);

#endif /* ATLAS_VERIFY_FLOW_H */
