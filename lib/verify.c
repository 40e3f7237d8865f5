/*
 * verify.c - the load-time verifier: program limits, parameters, label
 * targets and each instruction on its own (opcode, register and predicate
 * indices, types, address modes, label references), in that order and in
 * instruction order, then the dataflow and call-depth passes of
 * verify_flow.c, then the constant and Atlas checks of verify_atlas.c.
 * The first error stops verification.
 *
 * A program that passes never names a register, predicate, label or
 * buffer that does not exist, never reads an undefined register or
 * predicate, never reads a register holding another type than the
 * instruction expects, and never nests calls deeper than
 * ISA_MAX_CALL_DEPTH unless it recurses (the engine then checks at run
 * time).  So the engine does no per-lane type or definedness checks.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "verify_int.h"

#define MAX_PARAMS 64

enum atlas_status verify_fail(struct verifier *v, const char *id, uint32_t line,
			      uint32_t col, const char *fmt, ...)
{
	va_list ap;

	if (v->err) {
		v->err->code = ATLAS_ERR_VERIFY;
		snprintf(v->err->id, sizeof v->err->id, "%s", id);
		v->err->line = line;
		v->err->col = col;
		va_start(ap, fmt);
		vsnprintf(v->err->msg, sizeof v->err->msg, fmt, ap);
		va_end(ap);
	}
	return ATLAS_ERR_VERIFY;
}

enum atlas_status verify_nomem(struct verifier *v)
{
	atlas_error_set(v->err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

static void rd(struct opnds *o, unsigned r, unsigned t)
{
	o->r[o->nr] = (uint16_t)r;
	o->rt[o->nr++] = (uint8_t)t;
}

static void wr(struct opnds *o, unsigned r, unsigned t)
{
	o->nw = 1;
	o->w = (uint16_t)r;
	o->wt = (uint8_t)t;
}

static void addr_reads(const struct isa_insn *in, struct opnds *o)
{
	if (in->addr.mode == ADDR_REG) {
		rd(o, in->addr.base, ATLAS_U64);
	} else if (in->addr.mode == ADDR_REGREG) {
		rd(o, in->addr.base, ATLAS_U64);
		rd(o, in->addr.index, ATLAS_U64);
	}
}

void verify_decode(const struct isa_insn *in, struct opnds *o)
{
	const unsigned t = in->type;

	o->nr = 0;
	o->rcount = 0;
	o->nw = 0;
	o->pr = o->pw = ISA_NO_PRED;
	switch (isa_op_table[in->op].fmt) {
	case FMT_LD:
		addr_reads(in, o);
		wr(o, in->dst, t);
		break;
	case FMT_ST:
	case FMT_ATOM:
		addr_reads(in, o);
		rd(o, in->src[0], t);
		break;
	case FMT_ATOM_RET:
		addr_reads(in, o);
		rd(o, in->src[0], t);
		wr(o, in->dst, t);
		break;
	case FMT_UN:
		rd(o, in->src[0], t);
		wr(o, in->dst, t);
		break;
	case FMT_IMM:
		wr(o, in->dst, t);
		break;
	case FMT_CVT:
		rd(o, in->src[0], in->type2);
		wr(o, in->dst, t);
		break;
	case FMT_BIN:
		rd(o, in->src[0], t);
		rd(o, in->src[1],
		   in->op == OP_SHL || in->op == OP_SHR ? ATLAS_U32 : t);
		wr(o, in->dst, t);
		break;
	case FMT_TERN:
		rd(o, in->src[0], t);
		rd(o, in->src[1], t);
		rd(o, in->src[2], t);
		wr(o, in->dst, t);
		break;
	case FMT_SETCC:
		rd(o, in->src[0], t);
		rd(o, in->src[1], t);
		o->pw = in->dst;
		break;
	case FMT_SEL:
		o->pr = in->pred;
		rd(o, in->src[0], t);
		rd(o, in->src[1], t);
		wr(o, in->dst, t);
		break;
	case FMT_BRA:
		o->pr = in->pred;
		break;
	case FMT_LOOP:
		rd(o, in->src[0], ATLAS_U32);
		wr(o, in->src[0], ATLAS_U32);
		break;
	case FMT_REDUCE:
		o->rbase = in->src[0];
		o->rcount = in->imm;
		o->rtype = (uint8_t)t;
		wr(o, in->dst, t);
		break;
	case FMT_POOL_ALLOC:
		wr(o, in->dst, ATLAS_U64);
		break;
	case FMT_POOL_FREE:
		rd(o, in->src[0], ATLAS_U64);
		break;
	case FMT_POOL_LOAD:
		rd(o, in->src[0], ATLAS_U64);
		rd(o, in->src[1], ATLAS_U64);
		wr(o, in->dst, t);
		break;
	case FMT_POOL_STORE:
		rd(o, in->src[0], ATLAS_U64);
		rd(o, in->src[1], ATLAS_U64);
		rd(o, in->src[2], t);
		break;
	case FMT_PMAP:
	case FMT_PREDUCE:
		rd(o, in->dst, ATLAS_U64);
		rd(o, in->src[0], ATLAS_U64);
		rd(o, in->src[1], ATLAS_U32);
		break;
	case FMT_PMAP2:
		rd(o, in->dst, ATLAS_U64);
		rd(o, in->src[0], ATLAS_U64);
		rd(o, in->src[1], ATLAS_U64);
		rd(o, in->src[2], ATLAS_U32);
		break;
	case FMT_GEMM:
	case FMT_GEMV: {
		/* handles C A B (y A x); the row, sizes and leading
		   dimensions; alpha and beta */
		const unsigned nu = isa_op_table[in->op].fmt == FMT_GEMM ? 6 :
									   3;

		rd(o, in->dst, ATLAS_U64);
		rd(o, in->src[0], ATLAS_U64);
		rd(o, in->src[1], ATLAS_U64);
		for (unsigned i = 2; i < 2 + nu; i++)
			rd(o, in->src[i], ATLAS_U32);
		rd(o, in->src[2 + nu], t);
		rd(o, in->src[3 + nu], t);
		break;
	}
	case FMT_DOT:
		rd(o, in->src[0], ATLAS_U64);
		rd(o, in->src[1], ATLAS_U64);
		rd(o, in->src[2], ATLAS_U32);
		wr(o, in->dst, t);
		break;
	case FMT_R: /* cls.get, phase.get */
		wr(o, in->dst, in->op == OP_CLS_GET ? ATLAS_U8 : ATLAS_U32);
		break;
	case FMT_RR: /* mirror, nbr.count */
		rd(o, in->src[0], ATLAS_U8);
		wr(o, in->dst, in->op == OP_MIRROR ? ATLAS_U8 : ATLAS_U32);
		break;
	case FMT_PRED_R: /* unity.test */
		rd(o, in->src[0], ATLAS_U8);
		o->pw = in->dst;
		break;
	case FMT_RRI: /* nbr.get */
		rd(o, in->src[0], ATLAS_U8);
		wr(o, in->dst, ATLAS_U8);
		break;
	case FMT_SRC2: /* res.accum.T */
		rd(o, in->src[0], ATLAS_U8);
		rd(o, in->src[1], t);
		break;
	case FMT_RRRR: /* bound.map */
		rd(o, in->src[0], ATLAS_U8);
		rd(o, in->src[1], ATLAS_U8);
		rd(o, in->src[2], ATLAS_U8);
		wr(o, in->dst, ATLAS_U64);
		break;
	default: /* no register operands */
		break;
	}
}

/* The upper-cased mnemonic of in, for messages: "MAD", "SETLTU". */
static const char *opname(const struct isa_insn *in, char *buf, size_t len)
{
	size_t k;

	if (in->op == OP_SETCC && in->sub < COND_COUNT)
		snprintf(buf, len, "set%s", isa_cond_names[in->sub]);
	else
		snprintf(buf, len, "%s", isa_op_table[in->op].mnemonic);
	for (k = 0; buf[k]; k++)
		buf[k] = (char)toupper((unsigned char)buf[k]);
	return buf;
}

static enum atlas_status check_params(struct verifier *v)
{
	const struct atlas_program *p = v->p;
	uint8_t owner[ISA_NREGS];

	memset(owner, 0xff, sizeof owner);
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];
		int use_ok;

		if (q->reg >= ISA_NREGS)
			return verify_fail(v, "register", q->line, q->col,
					   "invalid register index: %u",
					   (unsigned)q->reg);
		if (q->reg >= ISA_REG_LANE_IDX_X)
			return verify_fail(
				v, "param-register", q->line, q->col,
				"parameter '%s' uses special register r%u",
				q->name, (unsigned)q->reg);
		if (owner[q->reg] != 0xff)
			return verify_fail(
				v, "param-register", q->line, q->col,
				"parameters '%s' and '%s' share register r%u",
				p->params[owner[q->reg]].name, q->name,
				(unsigned)q->reg);
		owner[q->reg] = (uint8_t)i;
		if ((unsigned)q->type >= ATLAS_NTYPES)
			return verify_fail(v, "param-type", q->line, q->col,
					   "parameter '%s': invalid type",
					   q->name);
		if (q->kind == ATLAS_PARAM_ARRAY) {
			use_ok = q->use == ATLAS_USE_IN ||
				 q->use == ATLAS_USE_OUT ||
				 q->use == ATLAS_USE_INOUT;
			v->narrays++;
		} else if (q->kind == ATLAS_PARAM_SCALAR) {
			use_ok = q->use == ATLAS_USE_VALUE ||
				 q->use == ATLAS_USE_GUARD;
			if (q->use == ATLAS_USE_GUARD &&
			    !isa_type_is_int(q->type))
				return verify_fail(v, "guard-type", q->line,
						   q->col,
						   "guard parameter '%s' must "
						   "have an integer type",
						   q->name);
		} else {
			use_ok = 0;
		}
		if (!use_ok)
			return verify_fail(v, "param-use", q->line, q->col,
					   "parameter '%s': invalid use",
					   q->name);
		v->entry_type[q->reg] = q->kind == ATLAS_PARAM_ARRAY ?
						ATLAS_U64 :
						(uint8_t)q->type;
	}
	return ATLAS_OK;
}

static enum atlas_status check_program(struct verifier *v)
{
	const struct atlas_program *p = v->p;

	if (!p->name || !p->name[0])
		return verify_fail(v, "kernel-name", 0, 0,
				   "kernel name cannot be empty");
	if (p->ninsns > ISA_MAX_INSNS)
		return verify_fail(v, "limit", 0, 0,
				   "too many instructions (max %u)",
				   ISA_MAX_INSNS);
	if (p->nparams > MAX_PARAMS)
		return verify_fail(v, "limit", p->params[MAX_PARAMS].line,
				   p->params[MAX_PARAMS].col,
				   "too many parameters (max %d)", MAX_PARAMS);
	memset(v->entry_type, 0xff, sizeof v->entry_type);
	v->entry_type[ISA_REG_LANE_IDX_X] = ATLAS_U32;
	v->entry_type[ISA_REG_BLOCK_IDX_X] = ATLAS_U32;
	v->entry_type[ISA_REG_BLOCK_DIM_X] = ATLAS_U32;
	v->entry_type[ISA_REG_GLOBAL_LANE] = ATLAS_U64;
	if (check_params(v) != ATLAS_OK)
		return ATLAS_ERR_VERIFY;
	for (size_t i = 0; i < p->nlabels; i++) {
		const struct isa_label *l = &p->labels[i];

		if (l->defined && l->target > p->ninsns)
			return verify_fail(v, "label-target", l->line, l->col,
					   "program error: label '%s' points "
					   "to invalid instruction index %u "
					   "(max: %zu)",
					   l->name, (unsigned)l->target,
					   p->ninsns);
	}
	return ATLAS_OK;
}

/* Record that register r is used, holding type t (for facts). */
static void note_reg(struct verifier *v, unsigned r, unsigned t)
{
	uint8_t *rt = &v->f.reg_type[r];

	v->f.reg_used[r] = 1;
	if (*rt == 0xff || atlas_type_size((enum atlas_type)t) >
				   atlas_type_size((enum atlas_type) * rt))
		*rt = (uint8_t)t;
}

/* Register and predicate indices of one instruction. */
static enum atlas_status check_indices(struct verifier *v,
				       const struct isa_insn *in,
				       const struct opnds *o)
{
	const enum isa_fmt fmt = isa_op_table[in->op].fmt;

	for (int k = 0; k < o->nr; k++)
		if (o->r[k] >= ISA_NREGS)
			return verify_fail(v, "register", in->line, in->col,
					   "invalid register index: %u",
					   (unsigned)o->r[k]);
	if (fmt == FMT_REDUCE) {
		uint64_t last = o->rbase;

		if (o->rcount > 0)
			last = o->rcount - 1 > UINT64_MAX - o->rbase ?
				       UINT64_MAX :
				       o->rbase + (o->rcount - 1);
		if (last >= ISA_NREGS)
			return verify_fail(v, "register", in->line, in->col,
					   "invalid register index: %llu",
					   (unsigned long long)last);
	}
	if (o->nw && o->w >= ISA_NREGS)
		return verify_fail(v, "register", in->line, in->col,
				   "invalid register index: %u",
				   (unsigned)o->w);
	if ((fmt == FMT_SEL || o->pr != ISA_NO_PRED) && o->pr >= ISA_NPREDS)
		return verify_fail(v, "predicate", in->line, in->col,
				   "invalid predicate index: %u",
				   (unsigned)o->pr);
	if (o->pw != ISA_NO_PRED && o->pw >= ISA_NPREDS)
		return verify_fail(v, "predicate", in->line, in->col,
				   "invalid predicate index: %u",
				   (unsigned)o->pw);
	return ATLAS_OK;
}

/* The instruction's type(s), condition and sub-operation. */
static enum atlas_status check_types(struct verifier *v,
				     const struct isa_insn *in)
{
	const struct isa_op_info *info = &isa_op_table[in->op];
	const enum atlas_type t = (enum atlas_type)in->type;
	char name[32];

	if (in->op == OP_SETCC && in->sub >= COND_COUNT)
		return verify_fail(v, "condition", in->line, in->col,
				   "invalid condition code: %u",
				   (unsigned)in->sub);
	if (info->types != TM_NONE &&
	    (t >= ATLAS_NTYPES || !(info->types & TM(t))))
		goto unsupported;
	/* The engine runs what ops.h offers: the verifier asks it. */
	if (in->op == OP_SETCC && !ops_compare((enum isa_cond)in->sub, t))
		goto unsupported;
	if (in->op == OP_CVT && (in->type2 >= ATLAS_NTYPES ||
				 !ops_convert(t, (enum atlas_type)in->type2)))
		return verify_fail(v, "unsupported", in->line, in->col,
				   "unsupported operation: CVT from %s to %s",
				   atlas_type_name(in->type2),
				   atlas_type_name(t));
	if ((info->fmt == FMT_RRI && in->imm > 255) ||
	    (info->fmt == FMT_I && in->imm > 65535))
		return verify_fail(v, "immediate", in->line, in->col,
				   "immediate %llu out of range (0 to %u)",
				   (unsigned long long)in->imm,
				   info->fmt == FMT_RRI ? 255u : 65535u);
	if ((info->fmt == FMT_FENCE && in->sub >= SCOPE_COUNT) ||
	    (info->fmt == FMT_PMAP && in->sub >= MAP_COUNT) ||
	    (info->fmt == FMT_PMAP2 && in->sub >= MAP2_COUNT) ||
	    (info->fmt == FMT_PREDUCE && in->sub >= RED_COUNT) ||
	    (info->fmt == FMT_GEMM && in->sub >= ISA_GEMM_TRANS) ||
	    (info->fmt == FMT_GEMV && in->sub >= ISA_GEMV_TRANS))
		return verify_fail(v, "unsupported", in->line, in->col,
				   "unsupported operation: %s variant %u",
				   opname(in, name, sizeof name),
				   (unsigned)in->sub);
	return ATLAS_OK;
unsupported:
	return verify_fail(v, "unsupported", in->line, in->col,
			   "unsupported operation: %s for type %s",
			   opname(in, name, sizeof name), atlas_type_name(t));
}

static enum atlas_status check_addr(struct verifier *v,
				    const struct isa_insn *in)
{
	const struct isa_addr *a = &in->addr;

	switch (a->mode) {
	case ADDR_BUF:
		if (a->handle < 1 || a->handle > v->narrays)
			return verify_fail(v, "buffer-handle", in->line,
					   in->col,
					   "invalid buffer handle: %llu",
					   (unsigned long long)a->handle);
		if (a->offset < 0)
			return verify_fail(v, "buffer-offset", in->line,
					   in->col,
					   "invalid buffer offset: %lld",
					   (long long)a->offset);
		return ATLAS_OK;
	case ADDR_PHI:
		if (a->cls >= ATLAS_CLASSES)
			return verify_fail(v, "class-index", in->line, in->col,
					   "invalid class index: %u (must be "
					   "< 96)",
					   (unsigned)a->cls);
		if (a->page >= ATLAS_PAGES || a->byte >= ATLAS_PAGE_BYTES)
			return verify_fail(v, "boundary-coords", in->line,
					   in->col,
					   "invalid boundary coordinates: "
					   "page=%u (must be < 48), byte=%u "
					   "(must be < 256)",
					   (unsigned)a->page,
					   (unsigned)a->byte);
		return ATLAS_OK;
	case ADDR_REG:
		if (a->offset < 0)
			return verify_fail(v, "address", in->line, in->col,
					   "RegisterIndirect negative offset "
					   "%lld would underflow byte offset",
					   (long long)a->offset);
		return ATLAS_OK;
	case ADDR_REGREG:
		return ATLAS_OK;
	default:
		return verify_fail(v, "address", in->line, in->col,
				   "invalid address mode: %u",
				   (unsigned)a->mode);
	}
}

static enum atlas_status check_insn(struct verifier *v, size_t pc)
{
	const struct isa_insn *in = &v->p->insns[pc];
	const struct isa_op_info *info;
	struct opnds o;

	if (in->op >= OP_COUNT)
		return verify_fail(v, "opcode", in->line, in->col,
				   "invalid opcode: %u", (unsigned)in->op);
	info = &isa_op_table[in->op];
	verify_decode(in, &o);
	if (check_indices(v, in, &o) != ATLAS_OK ||
	    check_types(v, in) != ATLAS_OK)
		return ATLAS_ERR_VERIFY;
	if ((info->fmt == FMT_LD || info->fmt == FMT_ST ||
	     info->fmt == FMT_ATOM || info->fmt == FMT_ATOM_RET) &&
	    check_addr(v, in) != ATLAS_OK)
		return ATLAS_ERR_VERIFY;
	if (info->fmt == FMT_BRA || info->fmt == FMT_CALL ||
	    info->fmt == FMT_LOOP) {
		if (in->label >= v->p->nlabels)
			return verify_fail(v, "undefined-label", in->line,
					   in->col,
					   "program error: undefined label "
					   "#%u referenced in instruction %zu",
					   (unsigned)in->label, pc);
		if (!v->p->labels[in->label].defined)
			return verify_fail(v, "undefined-label", in->line,
					   in->col,
					   "program error: undefined label "
					   "'%s' referenced in instruction %zu",
					   v->p->labels[in->label].name, pc);
		v->f.has_control_flow = 1;
	}
	if (in->op == OP_RET)
		v->f.has_control_flow = 1;
	if (info->group == GRP_ATOMIC && isa_type_is_float(in->type))
		v->f.has_float_atomics = 1;

	for (int k = 0; k < o.nr; k++)
		note_reg(v, o.r[k], o.rt[k]);
	for (uint64_t k = 0; k < o.rcount; k++)
		note_reg(v, o.rbase + (unsigned)k, o.rtype);
	if (o.nw)
		note_reg(v, o.w, o.wt);
	if (o.pr != ISA_NO_PRED)
		v->f.pred_used[o.pr] = 1;
	if (o.pw != ISA_NO_PRED)
		v->f.pred_used[o.pw] = 1;
	return ATLAS_OK;
}

static void finish_facts(struct isa_facts *f)
{
	f->nslots = 0;
	for (unsigned r = 0; r < ISA_NREGS; r++)
		f->slot_of[r] = f->reg_used[r] ? f->nslots++ : 0xffff;
}

enum atlas_status program_verify(struct atlas_program *p,
				 struct atlas_error *err)
{
	struct verifier v;
	enum atlas_status st;

	memset(&v, 0, sizeof v);
	v.p = p;
	v.err = err;
	v.n = p->ninsns;
	memset(v.f.reg_type, 0xff, sizeof v.f.reg_type);
	p->verified = 0;
	st = check_program(&v);
	for (size_t pc = 0; st == ATLAS_OK && pc < v.n; pc++)
		st = check_insn(&v, pc);
	if (st == ATLAS_OK && v.n > 0)
		st = verify_flow(&v);
	if (st == ATLAS_OK)
		st = verify_atlas(&v);
	if (st != ATLAS_OK)
		return st;
	finish_facts(&v.f);
	p->facts = v.f;
	p->verified = 1;
	return ATLAS_OK;
}
