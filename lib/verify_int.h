/*
 * verify_int.h - what the parts of the verifier share: verify.c
 * (limits, parameters, labels, each instruction on its own) and the flow
 * passes, verify_cfg.c (control flow, call depth) and verify_flow.c
 * (dataflow; see verify_flow.h), then verify_atlas.c (constants and the
 * Atlas checks).  Internal to verify*.c, and lint.c, which decodes
 * operands with verify_decode.
 */
#ifndef ATLAS_VERIFY_INT_H
#define ATLAS_VERIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"

/* The registers and predicates one instruction reads and writes. */
struct opnds {
	int nr; /* reads r[0..nr), of types rt[] */
	uint16_t r[ISA_MAX_SRC + 1];
	uint8_t rt[ISA_MAX_SRC + 1];
	uint16_t rbase; /* REDUCE: also reads r[rbase .. rbase + rcount) */
	uint64_t rcount;
	uint8_t rtype;
	int nw; /* 1 if it writes register w, of type wt */
	uint16_t w;
	uint8_t wt;
	uint16_t pr, pw; /* predicate read / written, ISA_NO_PRED if none */
};

struct verifier {
	struct atlas_program *p;
	struct atlas_error *err;
	struct isa_facts f; /* filled as the passes go */
	size_t n;	    /* instructions */
	unsigned narrays;   /* array parameters: handles 1..narrays */
	uint8_t entry_type[ISA_NREGS]; /* type at lane entry, 0xff: undefined */
};

/*
 * Decode the operands of in, whose opcode is valid.
 * Register and predicate indices are not checked.
 */
void verify_decode(const struct isa_insn *in, struct opnds *o);

/*
 * Fill v->err with ATLAS_ERR_VERIFY, the check's stable identifier id
 * (man 1 atlas-validate) and a message; returns the code.
 */
enum atlas_status verify_fail(struct verifier *v, const char *id, uint32_t line,
			      uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Fill v->err with "out of memory"; returns ATLAS_ERR_NOMEM. */
enum atlas_status verify_nomem(struct verifier *v);

/*
 * Cut the n instructions of p into basic blocks: *nb blocks, block b
 * being [bstart[b], bstart[b + 1]), block_of[pc] the block of pc (both
 * malloc'd).  Branch targets start blocks; BRA, LOOP, RET, EXIT (and
 * CALL when calls_end) end them.  -1 when out of memory.
 */
int verify_blocks(const struct atlas_program *p, const struct isa_insn *insns,
		  uint32_t n, int calls_end, uint32_t *nb, uint32_t **bstart,
		  uint32_t **block_of);

/*
 * The control-flow passes over a program of at least one instruction
 * that passed the per-instruction checks: definedness and types at every
 * reachable read (filling f.reg_live_in), then the call depth (filling
 * f.max_call_depth).
 */
enum atlas_status verify_flow(struct verifier *v);

/*
 * The static Atlas and memory checks (verify_atlas.c) over a program that
 * passed the flow passes: the declared metadata, then constant indices,
 * classes, neighbour hops and boundary coordinates in instruction order,
 * then unity neutrality.  Reports only what it proves.
 */
enum atlas_status verify_atlas(struct verifier *v);

#endif /* ATLAS_VERIFY_INT_H */
