/*
 * verify_atlas.c - the verifier's static Atlas and memory checks (man 1
 * atlas-validate), run by atlas_program_verify after the flow passes, so
 * that every register read is defined and typed:
 *
 *   metadata, mirror-safety, phase-window  the declared metadata passes
 *        atlas_metadata_validate ("invalid metadata: " and its message,
 *        as the launch check words it, less a second "invalid kernel
 *        metadata: "), and a declared phase window is not empty (span 0
 *        admits no phase, DESIGN.md 8.5)
 *   index-range  a load, store or atomic at a constant handle and offset
 *        into a reduction of declared length N that is not inside its N
 *        elements; into a record of constant length K, an access at lane
 *        * K + j (element units) with j outside [0, K)
 *   class-index, boundary-coords  mirror, nbr.count, nbr.get,
 *        unity.test, res.accum or bound.map on a constant class >= 96;
 *        bound.map on a constant page >= 48 (the run-time errors, found
 *        before the run)
 *   class-hop  nbr.get on a constant class with its index at or past the
 *        class's degree.  The ISA has no instruction that moves to a class
 *        given explicitly (nbr.get and mirror only give edges of the
 *        1-skeleton), so this is the only hop that can be illegal.
 *   boundary-footprint  with uses_boundary declared, a constant page or
 *        byte outside the declared (inclusive) footprint: bound.map's
 *        operands, a phi(C, P, B) address, or a constant offset into the
 *        boundary pool (handle 0)
 *   unity-neutral  with unity_neutral declared: when every res.accum a
 *        lane can reach has a constant value and runs exactly once on
 *        every path (it lies on every path from the entry to an exit and
 *        on no cycle) in a program without calls, their values (converted
 *        exactly, as res.accum does) must sum to exactly 0: each lane adds
 *        that sum to R, so any other total breaks "net ΔR over the launch
 *        = 0" in a launch of at least one lane.  Otherwise nothing is
 *        proven and the check after the launch stays the only one.
 *
 * Constants come from a forward dataflow over basic blocks.  A register's
 * value is "known" (the same on every path, in every lane) or not; known
 * values are a·L + b with L the global lane index r255, a = 0 for a plain
 * constant and a != 0 only for 64-bit integers (so that record offsets
 * such as (r255 * K + j) << 2 are seen).  Paths meet by "equal, else
 * unknown".  Constants are computed with the engine's own operations
 * (ops.h), so they are the values the lanes compute.  A CALL sends its
 * state to the callee and, after the call, forgets every register the
 * program writes anywhere.  Each register can only go from known to
 * unknown, so each block is visited a few times; programs whose blocks
 * times registers exceed MAX_CELLS are not analysed (nothing is
 * reported: these checks report only what they prove).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "verify_int.h"

#define MAX_CELLS (1u << 20)
#define MAX_UNITY_BLOCKS 64
#define NOSLOT 0xffffu
#define NONE UINT32_MAX

/* A register's value: known (k = 1) as a·L + b of type t, or unknown. */
struct cv {
	uint64_t a, b;
	uint8_t k, t;
};

struct ca {
	struct verifier *v;
	const struct atlas_program *p;
	const struct isa_insn *insns;
	uint32_t n, nb, nu;
	uint32_t *bstart;   /* block b is [bstart[b], bstart[b + 1]) */
	uint32_t *block_of; /* instruction -> block */
	struct cv *states;  /* block -> state at its start */
	uint8_t *seen;	    /* block reached */
	uint32_t *queue;    /* worklist of blocks */
	uint8_t *inq;
	uint32_t qhead, qlen;
	uint16_t slot[ISA_NREGS];
	uint16_t kill[ISA_NREGS]; /* slots of the tracked registers that
				     some instruction writes */
	unsigned nkill;
	uint32_t nchecked; /* memory and Atlas instructions */
	int has_call;
	struct atlas_metadata m;
	int declared;
	/* unity-neutral: the reached res.accum and their constant deltas */
	size_t nres, nres_known;
	struct atlas_ratio res_sum;
	int res_sum_ok;
	uint32_t res_last; /* the last reached res.accum, by pc */
	uint32_t *res_pc;
};

static uint64_t mask_of(unsigned t)
{
	const size_t s = isa_size(t);

	return s == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * s)) - 1;
}

static int wide_int(unsigned t)
{
	return t == ATLAS_U64 || t == ATLAS_I64;
}

static struct cv unknown(void)
{
	struct cv c;

	memset(&c, 0, sizeof c);
	return c;
}

static struct cv known(unsigned t, uint64_t a, uint64_t b)
{
	struct cv c;

	memset(&c, 0, sizeof c);
	c.k = 1;
	c.t = (uint8_t)t;
	c.a = wide_int(t) ? a : 0;
	c.b = b & mask_of(t);
	return c;
}

/* A constant (the same value in every lane). */
static int konst(const struct cv *c)
{
	return c->k && c->a == 0;
}

/* Register r's value in s; an untracked register is unknown. */
static const struct cv *reg(const struct ca *g, const struct cv *s, unsigned r)
{
	static const struct cv none;

	return g->slot[r] == NOSLOT ? &none : &s[g->slot[r]];
}

static uint32_t target(const struct ca *g, uint32_t pc)
{
	return g->p->labels[g->insns[pc].label].target;
}

/*
 * Successors of block b (a CALL: its callee, then the next instruction);
 * *exits is set when the block can end the lane (EXIT, RET, or control
 * reaching the end of the program).
 */
static uint32_t succ(const struct ca *g, uint32_t b, uint32_t next[2],
		     int *exits)
{
	const uint32_t pc = g->bstart[b + 1] - 1;
	const struct isa_insn *in = &g->insns[pc];
	uint32_t to[2], nt = 0, k = 0;

	*exits = 0;
	switch (in->op) {
	case OP_EXIT:
	case OP_RET:
		*exits = 1;
		return 0;
	case OP_BRA:
		to[nt++] = target(g, pc);
		if (in->pred != ISA_NO_PRED)
			to[nt++] = pc + 1;
		break;
	case OP_LOOP:
	case OP_CALL:
		to[nt++] = target(g, pc);
		to[nt++] = pc + 1;
		break;
	default:
		to[nt++] = pc + 1;
		break;
	}
	for (uint32_t i = 0; i < nt; i++) {
		if (to[i] >= g->n)
			*exits = 1;
		else
			next[k++] = g->block_of[to[i]];
	}
	return k;
}

/* Blocks end at calls too: the values after one are recomputed. */
static int build_blocks(struct ca *g)
{
	for (uint32_t pc = 0; pc < g->n; pc++)
		if (g->insns[pc].op == OP_CALL)
			g->has_call = 1;
	return verify_blocks(g->p, g->insns, g->n, 1, &g->nb, &g->bstart,
			     &g->block_of);
}

/* ---- the values ---------------------------------------------------------
 */

/* Apply an ops.h function to constants of type t: 0, or -1. */
static int eval_un(ops_un_fn f, uint64_t a, uint64_t *out)
{
	uint64_t d = 0;

	if (!f)
		return -1;
	f(&d, &a, 1);
	*out = d;
	return 0;
}

static struct cv eval_bin(const struct isa_insn *in, const struct cv *x,
			  const struct cv *y)
{
	const unsigned t = in->type;
	uint64_t d = 0;

	if (!x->k || !y->k)
		return unknown();
	if (x->a || y->a) {
		/* a·L + b in 64-bit integers: sums, and products or shifts by
		   a constant */
		if (!wide_int(t))
			return unknown();
		switch (in->op) {
		case OP_ADD:
			return known(t, x->a + y->a, x->b + y->b);
		case OP_SUB:
			return known(t, x->a - y->a, x->b - y->b);
		case OP_MUL:
			if (y->a == 0)
				return known(t, x->a * y->b, x->b * y->b);
			if (x->a == 0)
				return known(t, y->a * x->b, y->b * x->b);
			return unknown();
		case OP_SHL:
			if (y->a)
				return unknown();
			return known(t, x->a << (y->b & 63),
				     x->b << (y->b & 63));
		default:
			return unknown();
		}
	}
	switch (in->op) {
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
	case OP_MIN:
	case OP_MAX:
	case OP_AND:
	case OP_OR:
	case OP_XOR:
	case OP_SHL:
	case OP_SHR:
		break;
	case OP_DIV:
	case OP_FLOORDIV:
	case OP_MOD:
		if (isa_type_is_float((enum atlas_type)t))
			break;
		/* a zero divisor is the lane's error, not a value */
		if (ops_idiv_op((enum isa_op)in->op, (enum atlas_type)t, &d,
				&x->b, &y->b, NULL, 1) != 1)
			return unknown();
		return known(t, 0, d);
	default:
		return unknown();
	}
	{
		const ops_bin_fn f =
			ops_binary((enum isa_op)in->op, (enum atlas_type)t);

		if (!f)
			return unknown();
		f(&d, &x->b, &y->b, 1);
	}
	return known(t, 0, d);
}

/* The value in s of the class register r as a class, or -1. */
static int class_of(const struct ca *g, const struct cv *s, unsigned r)
{
	const struct cv *c = reg(g, s, r);

	return konst(c) ? (int)(c->b & 0xff) : -1;
}

/* What in writes, from the values in s (before it). */
static struct cv value_of(const struct ca *g, const struct isa_insn *in,
			  const struct cv *s)
{
	const unsigned t = in->type;
	const struct cv *x;
	uint64_t d = 0;
	unsigned u = 0;
	int c;

	switch (in->op) {
	case OP_MOV_IMM:
		return known(t, 0, in->imm);
	case OP_MOV:
		return *reg(g, s, in->src[0]);
	case OP_NEG:
	case OP_ABS:
	case OP_NOT:
		x = reg(g, s, in->src[0]);
		if (x->k && x->a && in->op == OP_NEG)
			return known(t, 0 - x->a, 0 - x->b);
		if (!konst(x) ||
		    eval_un(ops_unary((enum isa_op)in->op, (enum atlas_type)t),
			    x->b, &d))
			return unknown();
		return known(t, 0, d);
	case OP_CVT:
		x = reg(g, s, in->src[0]);
		if (x->k && x->a && wide_int(t))
			return known(t, x->a, x->b); /* u64 <-> i64 */
		if (!konst(x) ||
		    eval_un(ops_convert((enum atlas_type)t,
					(enum atlas_type)in->type2),
			    x->b, &d))
			return unknown();
		return known(t, 0, d);
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
	case OP_DIV:
	case OP_FLOORDIV:
	case OP_MOD:
	case OP_MIN:
	case OP_MAX:
	case OP_AND:
	case OP_OR:
	case OP_XOR:
	case OP_SHL:
	case OP_SHR:
		return eval_bin(in, reg(g, s, in->src[0]),
				reg(g, s, in->src[1]));
	case OP_MAD:
	case OP_FMA: {
		const struct cv *y = reg(g, s, in->src[1]);
		const struct cv *z = reg(g, s, in->src[2]);
		const ops_tern_fn f =
			ops_ternary((enum isa_op)in->op, (enum atlas_type)t);

		x = reg(g, s, in->src[0]);
		if (!f || !konst(x) || !konst(y) || !konst(z))
			return unknown();
		f(&d, &x->b, &y->b, &z->b, 1);
		return known(t, 0, d);
	}
	case OP_SEL: {
		const struct cv *y = reg(g, s, in->src[1]);

		x = reg(g, s, in->src[0]);
		if (x->k && y->k && x->a == y->a && x->b == y->b)
			return *x;
		return unknown();
	}
	case OP_MIRROR:
	case OP_NBR_COUNT:
	case OP_NBR_GET:
		c = class_of(g, s, in->src[0]);
		if (c < 0 || c >= ATLAS_CLASSES)
			return unknown();
		if (in->op == OP_MIRROR)
			atlas_class_mirror(ATLAS_NUMBERING_ATLAS, (unsigned)c,
					   &u, NULL);
		else if (in->op == OP_NBR_COUNT)
			atlas_class_neighbors(ATLAS_NUMBERING_ATLAS,
					      (unsigned)c, NULL, &u, NULL);
		else if (atlas_class_neighbor(ATLAS_NUMBERING_ATLAS,
					      (unsigned)c, (unsigned)in->imm,
					      &u, NULL) != ATLAS_OK)
			return unknown();
		return known(in->op == OP_NBR_COUNT ? ATLAS_U32 : ATLAS_U8, 0,
			     u);
	default:
		return unknown();
	}
}

static void transfer(const struct ca *g, const struct isa_insn *in,
		     struct cv *s)
{
	struct opnds o;

	verify_decode(in, &o);
	if (o.nw && g->slot[o.w] != NOSLOT)
		s[g->slot[o.w]] = value_of(g, in, s);
}

/* After a call: whatever the callee may write is unknown. */
static void kill_written(const struct ca *g, struct cv *s)
{
	for (unsigned k = 0; k < g->nkill; k++)
		s[g->kill[k]] = unknown();
}

/* ---- the dataflow -------------------------------------------------------
 */

static struct cv *state(const struct ca *g, uint32_t b)
{
	return g->states + (size_t)b * g->nu;
}

static void enqueue(struct ca *g, uint32_t b)
{
	if (g->inq[b])
		return;
	g->inq[b] = 1;
	g->queue[(g->qhead + g->qlen++) % g->nb] = b;
}

static uint32_t dequeue(struct ca *g)
{
	const uint32_t b = g->queue[g->qhead];

	g->qhead = (g->qhead + 1) % g->nb;
	g->qlen--;
	g->inq[b] = 0;
	return b;
}

/* Merge s into block b's state; revisit b if it changed. */
static void flow_to(struct ca *g, uint32_t b, const struct cv *s)
{
	struct cv *d = state(g, b);
	int ch = 0;

	if (!g->seen[b]) {
		memcpy(d, s, g->nu * sizeof *d);
		g->seen[b] = 1;
		enqueue(g, b);
		return;
	}
	for (uint32_t k = 0; k < g->nu; k++) {
		if (!d[k].k || (s[k].k && s[k].t == d[k].t &&
				s[k].a == d[k].a && s[k].b == d[k].b))
			continue;
		d[k] = unknown();
		ch = 1;
	}
	if (ch)
		enqueue(g, b);
}

static void entry_state(const struct ca *g, struct cv *s)
{
	for (uint32_t k = 0; k < g->nu; k++)
		s[k] = unknown();
	for (size_t i = 0; i < g->p->nparams; i++) {
		const struct isa_param *q = &g->p->params[i];

		if (q->kind == ATLAS_PARAM_ARRAY && g->slot[q->reg] != NOSLOT)
			s[g->slot[q->reg]] = known(ATLAS_U64, 0, q->handle);
	}
	if (g->slot[ISA_REG_GLOBAL_LANE] != NOSLOT)
		s[g->slot[ISA_REG_GLOBAL_LANE]] = known(ATLAS_U64, 1, 0);
}

static void solve(struct ca *g, struct cv *s)
{
	entry_state(g, s);
	flow_to(g, 0, s);
	while (g->qlen > 0) {
		const uint32_t b = dequeue(g);
		uint32_t next[2], nn;
		int exits;

		memcpy(s, state(g, b), g->nu * sizeof *s);
		for (uint32_t pc = g->bstart[b]; pc < g->bstart[b + 1]; pc++)
			transfer(g, &g->insns[pc], s);
		nn = succ(g, b, next, &exits);
		if (g->insns[g->bstart[b + 1] - 1].op == OP_CALL && nn > 0) {
			/* the callee gets s; the code after the call, s
			   without what the callee may write */
			flow_to(g, next[0], s);
			if (nn < 2)
				continue;
			kill_written(g, s);
			flow_to(g, next[1], s);
			continue;
		}
		for (uint32_t k = 0; k < nn; k++)
			flow_to(g, next[k], s);
	}
}

/* ---- the checks ---------------------------------------------------------
 */

#define PREFIX "invalid kernel metadata: "

static enum atlas_status check_metadata(struct ca *g)
{
	const struct atlas_metadata *m = &g->m;
	struct atlas_error e;
	const char *id = "metadata";

	memset(&e, 0, sizeof e);
	if (atlas_metadata_validate(m, &e) != ATLAS_OK) {
		const char *msg = e.msg;

		if (strstr(msg, "mirror pair"))
			id = "mirror-safety";
		else if (strstr(msg, "phase"))
			id = "phase-window";
		/* "invalid metadata: " says it once */
		if (strncmp(msg, PREFIX, strlen(PREFIX)) == 0)
			msg += strlen(PREFIX);
		return verify_fail(g->v, id, 0, 0, "invalid metadata: %s", msg);
	}
	if (m->phase.span == 0)
		return verify_fail(g->v, "phase-window", 0, 0,
				   "invalid metadata: phase window (%" PRIu32
				   ", 0) is empty: no phase can launch the "
				   "kernel",
				   m->phase.begin);
	return ATLAS_OK;
}

/* A constant page and/or byte (-1: unknown) inside the footprint? */
static enum atlas_status footprint(struct ca *g, const struct isa_insn *in,
				   int page, int byte)
{
	const struct atlas_boundary_footprint *f = &g->m.boundary;

	if (!g->declared || !g->m.uses_boundary)
		return ATLAS_OK;
	if (page >= 0 && (page < f->page_min || page > f->page_max))
		return verify_fail(g->v, "boundary-footprint", in->line,
				   in->col,
				   "boundary violation: page %d outside the "
				   "declared footprint's pages [%u, %u]",
				   page, f->page_min, f->page_max);
	if (byte >= 0 && (byte < f->byte_min || byte > f->byte_max))
		return verify_fail(g->v, "boundary-footprint", in->line,
				   in->col,
				   "boundary violation: byte %d outside the "
				   "declared footprint's bytes [%u, %u]",
				   byte, f->byte_min, f->byte_max);
	return ATLAS_OK;
}

static const struct isa_param *array_param(const struct ca *g, uint64_t h)
{
	for (size_t i = 0; i < g->p->nparams; i++)
		if (g->p->params[i].kind == ATLAS_PARAM_ARRAY &&
		    g->p->params[i].handle == h)
			return &g->p->params[i];
	return NULL;
}

/* Is [off, off + size) outside [0, lim)? */
static int outside(uint64_t off, uint64_t size, uint64_t lim)
{
	return off > lim || size > lim - off;
}

/* The address of a memory instruction: handle h (known), offset off. */
static enum atlas_status check_access(struct ca *g, const struct isa_insn *in,
				      struct cv *s)
{
	const struct isa_addr *ad = &in->addr;
	const uint64_t size = isa_size(in->type);
	const struct isa_param *q;
	struct cv off;
	uint64_t h, es;

	switch (ad->mode) {
	case ADDR_PHI:
		return footprint(g, in, (int)ad->page, (int)ad->byte);
	case ADDR_BUF:
		h = ad->handle;
		off = known(ATLAS_U64, 0, (uint64_t)ad->offset);
		break;
	case ADDR_REG:
	case ADDR_REGREG: {
		const struct cv *base = reg(g, s, ad->base);

		if (!konst(base))
			return ATLAS_OK;
		h = base->b;
		off = ad->mode == ADDR_REG ?
			      known(ATLAS_U64, 0, (uint64_t)ad->offset) :
			      *reg(g, s, ad->index);
		break;
	}
	default:
		return ATLAS_OK;
	}
	if (!off.k)
		return ATLAS_OK;
	if (h == 0) {
		/* the boundary pool: class-major 12,288-byte blocks */
		if (off.a || outside(off.b, size, ATLAS_POOL_BYTES))
			return ATLAS_OK;
		return footprint(
			g, in,
			(int)(off.b % ATLAS_CLASS_BYTES / ATLAS_PAGE_BYTES),
			(int)(off.b % ATLAS_PAGE_BYTES));
	}
	if (!(q = array_param(g, h)) || !q->record_len)
		return ATLAS_OK;
	es = isa_size(q->type);
	if (q->access == ATLAS_ACCESS_REDUCTION && off.a == 0 &&
	    outside(off.b, size, q->record_len * es))
		return verify_fail(g->v, "index-range", in->line, in->col,
				   "index out of range: '%s' has %" PRIu64
				   " element%s, access at element %" PRId64,
				   q->name, q->record_len,
				   q->record_len == 1 ? "" : "s",
				   (int64_t)off.b / (int64_t)es);
	if (q->access == ATLAS_ACCESS_RECORD && q->record_param < 0 &&
	    off.a == q->record_len * es &&
	    outside(off.b, size, q->record_len * es))
		return verify_fail(g->v, "index-range", in->line, in->col,
				   "index out of range: '%s' has records of "
				   "%" PRIu64 " element%s, access at element "
				   "%" PRId64 " of each lane's record",
				   q->name, q->record_len,
				   q->record_len == 1 ? "" : "s",
				   (int64_t)off.b / (int64_t)es);
	return ATLAS_OK;
}

static enum atlas_status bad_class(struct ca *g, const struct isa_insn *in,
				   int c)
{
	return verify_fail(g->v, "class-index", in->line, in->col,
			   "invalid class index: %d (must be < 96)", c);
}

/* A res.accum's constant delta, counted towards the unity sum. */
static void note_res(struct ca *g, uint32_t pc, struct cv *s)
{
	const struct isa_insn *in = &g->insns[pc];
	const struct cv *x = reg(g, s, in->src[1]);
	struct atlas_ratio r;
	enum atlas_status st;

	g->res_pc[g->nres++] = pc;
	g->res_last = pc;
	if (!konst(x))
		return;
	if (in->type == ATLAS_F32) {
		const uint32_t bits = (uint32_t)x->b;
		float f;

		memcpy(&f, &bits, sizeof f);
		st = atlas_ratio_from_f32(f, &r, NULL);
	} else {
		double d;

		memcpy(&d, &x->b, sizeof d);
		st = atlas_ratio_from_f64(d, &r, NULL);
	}
	if (st != ATLAS_OK)
		return;
	g->nres_known++;
	if (g->res_sum_ok &&
	    atlas_ratio_add(g->res_sum, r, &g->res_sum, NULL) != ATLAS_OK)
		g->res_sum_ok = 0;
}

static enum atlas_status check_insn(struct ca *g, uint32_t pc, struct cv *s)
{
	const struct isa_insn *in = &g->insns[pc];
	const enum isa_fmt fmt = isa_op_table[in->op].fmt;
	struct atlas_error e;
	unsigned u;
	int c, page;

	if (fmt == FMT_LD || fmt == FMT_ST || fmt == FMT_ATOM ||
	    fmt == FMT_ATOM_RET)
		return check_access(g, in, s);
	switch (in->op) {
	case OP_MIRROR:
	case OP_NBR_COUNT:
	case OP_UNITY_TEST:
	case OP_NBR_GET:
	case OP_RES_ACCUM:
		if (in->op == OP_RES_ACCUM)
			note_res(g, pc, s);
		c = class_of(g, s, in->src[0]);
		if (c >= ATLAS_CLASSES)
			return bad_class(g, in, c);
		memset(&e, 0, sizeof e);
		if (c >= 0 && in->op == OP_NBR_GET &&
		    atlas_class_neighbor(ATLAS_NUMBERING_ATLAS, (unsigned)c,
					 (unsigned)in->imm, &u, &e) != ATLAS_OK)
			return verify_fail(g->v, "class-hop", in->line, in->col,
					   "%s", e.msg);
		return ATLAS_OK;
	case OP_BOUND_MAP:
		c = class_of(g, s, in->src[0]);
		page = class_of(g, s, in->src[1]);
		if (c >= ATLAS_CLASSES)
			return verify_fail(g->v, "class-index", in->line,
					   in->col,
					   "invalid class ID %d for BoundMap "
					   "(must be < 96)",
					   c);
		if (page >= ATLAS_PAGES)
			return verify_fail(g->v, "boundary-coords", in->line,
					   in->col,
					   "invalid \u03a6-coordinate for "
					   "BoundMap: invalid page: %d (must "
					   "be in [0, 48))",
					   page);
		return footprint(g, in, page, class_of(g, s, in->src[2]));
	default:
		return ATLAS_OK;
	}
}

/*
 * Does block b run exactly once in every lane: on every path from the
 * entry to an exit (the entry cannot reach an exit around it) and on no
 * cycle (its successors cannot reach it)?  mark and stack hold nb
 * entries.
 */
static int once(const struct ca *g, uint32_t b, uint8_t *mark, uint32_t *stack)
{
	uint32_t sp = 0, next[2];
	int exits;

	/* around b from the entry */
	memset(mark, 0, g->nb);
	if (b != 0) {
		mark[0] = 1;
		stack[sp++] = 0;
	}
	while (sp > 0) {
		const uint32_t x = stack[--sp];
		const uint32_t nn = succ(g, x, next, &exits);

		if (exits)
			return 0;
		for (uint32_t k = 0; k < nn; k++)
			if (next[k] != b && !mark[next[k]]) {
				mark[next[k]] = 1;
				stack[sp++] = next[k];
			}
	}
	/* back to b from its successors */
	memset(mark, 0, g->nb);
	for (uint32_t k = succ(g, b, next, &exits); k-- > 0;)
		if (!mark[next[k]]) {
			mark[next[k]] = 1;
			stack[sp++] = next[k];
		}
	while (sp > 0) {
		const uint32_t x = stack[--sp];
		const uint32_t nn = succ(g, x, next, &exits);

		if (x == b)
			return 0;
		for (uint32_t k = 0; k < nn; k++)
			if (!mark[next[k]]) {
				mark[next[k]] = 1;
				stack[sp++] = next[k];
			}
	}
	return 1;
}

static enum atlas_status check_unity(struct ca *g)
{
	const struct isa_insn *in;
	char buf[ATLAS_RATIO_BUFSIZE];
	uint8_t *mark;
	uint32_t *stack, last = NONE, nblk = 0;
	int all = 1;

	if (!g->declared || !g->m.unity_neutral || g->has_call ||
	    g->nres == 0 || g->nres_known != g->nres || !g->res_sum_ok)
		return ATLAS_OK;
	if (g->res_sum.num == 0)
		return ATLAS_OK;
	mark = malloc(g->nb);
	stack = malloc((size_t)g->nb * sizeof *stack);
	if (!mark || !stack) {
		free(mark);
		free(stack);
		return verify_nomem(g->v);
	}
	for (size_t i = 0; i < g->nres && all; i++) {
		const uint32_t b = g->block_of[g->res_pc[i]];

		if (b == last)
			continue;
		last = b;
		all = ++nblk <= MAX_UNITY_BLOCKS && once(g, b, mark, stack);
	}
	free(mark);
	free(stack);
	if (!all)
		return ATLAS_OK;
	in = &g->insns[g->res_last];
	return verify_fail(g->v, "unity-neutral", in->line, in->col,
			   "unity neutrality violation: the constant "
			   "resonance deltas of each lane sum to %s, not 0",
			   atlas_ratio_format(g->res_sum, buf, sizeof buf));
}

static enum atlas_status check_all(struct ca *g, struct cv *s)
{
	enum atlas_status st;

	for (uint32_t b = 0; b < g->nb; b++) {
		if (!g->seen[b])
			continue;
		memcpy(s, state(g, b), g->nu * sizeof *s);
		for (uint32_t pc = g->bstart[b]; pc < g->bstart[b + 1]; pc++) {
			if ((st = check_insn(g, pc, s)) != ATLAS_OK)
				return st;
			transfer(g, &g->insns[pc], s);
			if (g->insns[pc].op == OP_CALL)
				kill_written(g, s);
		}
	}
	return check_unity(g);
}

/* Mark register r as needed (once). */
static void need(uint8_t *needed, uint16_t *work, unsigned *nw, unsigned r)
{
	if (!needed[r]) {
		needed[r] = 1;
		work[(*nw)++] = (uint16_t)r;
	}
}

/*
 * Choose the registers to track: those the checks read (addresses,
 * classes, res.accum values) and, transitively, the registers their
 * values are computed from.  Every other register stays unknown, which
 * keeps the states small.  Also lists the tracked registers a call may
 * change (kill).
 */
static int track(struct ca *g)
{
	/* dep[w]: the registers some instruction writing w reads */
	uint8_t(*dep)[ISA_NREGS / 8] = calloc(ISA_NREGS, sizeof *dep);
	uint8_t needed[ISA_NREGS];
	uint16_t work[ISA_NREGS];
	uint8_t written[ISA_NREGS];
	unsigned nw = 0;

	if (!dep)
		return -1;
	memset(needed, 0, sizeof needed);
	memset(written, 0, sizeof written);
	for (uint32_t pc = 0; pc < g->n; pc++) {
		const struct isa_insn *in = &g->insns[pc];
		const enum isa_fmt fmt = isa_op_table[in->op].fmt;
		struct opnds o;

		verify_decode(in, &o);
		if (o.nw) {
			written[o.w] = 1;
			for (int k = 0; k < o.nr; k++)
				dep[o.w][o.r[k] / 8] |=
					(uint8_t)(1u << o.r[k] % 8);
		}
		if (fmt == FMT_LD || fmt == FMT_ST || fmt == FMT_ATOM ||
		    fmt == FMT_ATOM_RET ||
		    isa_op_table[in->op].group == GRP_ATLAS)
			g->nchecked++;
		if ((fmt == FMT_LD || fmt == FMT_ST || fmt == FMT_ATOM ||
		     fmt == FMT_ATOM_RET) &&
		    (in->addr.mode == ADDR_REG ||
		     in->addr.mode == ADDR_REGREG)) {
			need(needed, work, &nw, in->addr.base);
			if (in->addr.mode == ADDR_REGREG)
				need(needed, work, &nw, in->addr.index);
		}
		if (isa_op_table[in->op].group == GRP_ATLAS)
			for (int k = 0; k < o.nr; k++)
				if (k == 0 || in->op != OP_RES_ACCUM ||
				    g->m.unity_neutral)
					need(needed, work, &nw, o.r[k]);
	}
	while (nw > 0) {
		const unsigned w = work[--nw];

		for (unsigned i = 0; i < ISA_NREGS / 8; i++)
			for (unsigned m = dep[w][i]; m; m &= m - 1)
				need(needed, work, &nw,
				     8 * i + (unsigned)__builtin_ctz(m));
	}
	free(dep);
	for (unsigned r = 0; r < ISA_NREGS; r++) {
		g->slot[r] = needed[r] ? (uint16_t)g->nu++ : NOSLOT;
		if (needed[r] && written[r])
			g->kill[g->nkill++] = g->slot[r];
	}
	return 0;
}

static void release(struct ca *g)
{
	free(g->bstart);
	free(g->block_of);
	free(g->states);
	free(g->seen);
	free(g->queue);
	free(g->inq);
	free(g->res_pc);
}

enum atlas_status verify_atlas(struct verifier *v)
{
	struct ca g;
	struct cv *s;
	enum atlas_status st;

	memset(&g, 0, sizeof g);
	g.v = v;
	g.p = v->p;
	g.insns = v->p->insns;
	g.n = (uint32_t)v->n;
	g.declared = atlas_program_metadata(v->p, &g.m);
	if (g.declared && (st = check_metadata(&g)) != ATLAS_OK)
		return st;
	if (g.n == 0)
		return ATLAS_OK;
	if (track(&g))
		return verify_nomem(v);
	if (g.nchecked == 0)
		return ATLAS_OK;
	if (build_blocks(&g)) {
		release(&g);
		return verify_nomem(v);
	}
	if ((uint64_t)g.nb * (g.nu + 1) > MAX_CELLS) {
		release(&g);
		return ATLAS_OK;
	}
	g.states = malloc(((size_t)g.nb + 1) * (g.nu + 1) * sizeof *g.states);
	g.seen = calloc(g.nb, 1);
	g.queue = malloc((size_t)g.nb * sizeof *g.queue);
	g.inq = calloc(g.nb, 1);
	g.res_pc = malloc((size_t)g.n * sizeof *g.res_pc);
	if (!g.states || !g.seen || !g.queue || !g.inq || !g.res_pc) {
		release(&g);
		return verify_nomem(v);
	}
	g.res_sum.den = 1;
	g.res_sum_ok = 1;
	/* the scratch state lies after the blocks' */
	s = state(&g, g.nb);
	solve(&g, s);
	st = check_all(&g, s);
	release(&g);
	return st;
}
