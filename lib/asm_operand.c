/*
 * asm_operand.c - the assembly reader's view of one instruction (see
 * asm_read.c): its mnemonic and dot-separated suffixes (types, the
 * operation of a parallel map or reduction, a branch predicate, a fence
 * scope), then its operands by the format's layout: registers,
 * predicates, labels, addresses and immediates.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asm_read.h"
#include "text_util.h"

/* End of an immediate at pos: up to a blank or a comma. */
static size_t imm_end(const struct rd *r, size_t pos)
{
	while (pos < r->eol && !rd_is_blank((unsigned char)r->text[pos]) &&
	       r->text[pos] != ',')
		pos++;
	return pos;
}

/* A register (letter 'r') or predicate ('p') operand at the cursor. */
enum atlas_status rd_reg_operand(struct rd *r, char letter, uint16_t *out)
{
	const char prefix[2] = {letter, '\0'};
	/* ISA_NO_PRED is 0xffff, so predicates stop one short. */
	const uint64_t max = letter == 'p' ? 0xfffe : 0xffff;
	char gbuf[80];
	size_t end;
	uint64_t v;
	int big;

	rd_skip_blanks(r);
	end = rd_word_end(r, r->pos);
	if (!rd_prefixed(r, r->pos, end, prefix, max, &v, &big))
		return rd_fail(r, r->pos, "expected %s, got %s",
			       letter == 'p' ? "predicate" : "register",
			       GOT(r->pos, end));
	if (big)
		return rd_fail(r, r->pos, "%s %s out of range",
			       letter == 'p' ? "predicate" : "register",
			       GOT(r->pos, end));
	*out = (uint16_t)v;
	r->pos = end;
	return ATLAS_OK;
}

static enum atlas_status label_operand(struct rd *r, uint32_t *out)
{
	char gbuf[80];
	size_t end;
	char *name;
	long i;

	rd_skip_blanks(r);
	end = rd_word_end(r, r->pos);
	if (end - r->pos < 2 || r->text[r->pos] != '@' ||
	    !text_is_ident(r->text + r->pos + 1, end - r->pos - 1, 1))
		return rd_fail(r, r->pos, "expected label, got %s",
			       GOT(r->pos, end));
	name = strndup(r->text + r->pos + 1, end - r->pos - 1);
	if (!name)
		return rd_nomem(r);
	i = program_label_ref(r->p, name);
	free(name);
	if (i < 0)
		return rd_nomem(r);
	if (!r->p->labels[i].defined && r->p->labels[i].line == 0) {
		r->p->labels[i].line = (uint32_t)r->line;
		r->p->labels[i].col = (uint32_t)rd_col(r, r->pos);
	}
	*out = (uint32_t)i;
	r->pos = end;
	return ATLAS_OK;
}

/* An unsigned number word in an address; what names it in messages. */
static enum atlas_status addr_number(struct rd *r, uint64_t max,
				     const char *what, uint64_t *v)
{
	char gbuf[80];
	size_t end;

	rd_skip_blanks(r);
	end = rd_word_end(r, r->pos);
	switch (text_parse_uint(r->text + r->pos, end - r->pos, max, v)) {
	case LIT_OK:
		r->pos = end;
		return ATLAS_OK;
	case LIT_RANGE:
		return rd_fail(r, r->pos, "%s %.*s out of range", what,
			       (int)(end - r->pos), r->text + r->pos);
	default:
		return rd_fail(r, r->pos, "expected %s, got %s", what,
			       GOT(r->pos, end));
	}
}

/* Expect the character c (after blanks). */
static enum atlas_status expect_char(struct rd *r, char c, const char *what)
{
	char gbuf[80];

	rd_skip_blanks(r);
	if (r->pos >= r->eol)
		return rd_fail(r, r->pos, "unterminated address");
	if (r->text[r->pos] != c)
		return rd_fail(r, r->pos, "expected %s, got %s", what,
			       GOT(r->pos, rd_word_end(r, r->pos)));
	r->pos++;
	return ATLAS_OK;
}

static enum atlas_status phi_address(struct rd *r, struct isa_addr *a)
{
	uint64_t c, p, b;

	a->mode = ADDR_PHI;
	TRY(expect_char(r, '(', "'(' after phi"));
	TRY(addr_number(r, UINT32_MAX, "phi class", &c));
	TRY(expect_char(r, ',', "','"));
	TRY(addr_number(r, UINT32_MAX, "phi page", &p));
	TRY(expect_char(r, ',', "','"));
	TRY(addr_number(r, UINT32_MAX, "phi byte", &b));
	TRY(expect_char(r, ')', "')'"));
	a->cls = (uint32_t)c;
	a->page = (uint32_t)p;
	a->byte = (uint32_t)b;
	return ATLAS_OK;
}

#define BUF_OFFSET_MAX ((uint64_t)1 << 53)

/* [bufH + OFF], [phi(C, P, B)], [rH + OFF], [rH - K], [rH], [rH + rO] */
static enum atlas_status address(struct rd *r, struct isa_addr *a)
{
	char gbuf[80];
	size_t start, end;
	uint64_t v;
	int big;

	memset(a, 0, sizeof *a);
	rd_skip_blanks(r);
	if (r->pos >= r->eol || r->text[r->pos] != '[')
		return rd_fail(r, r->pos, "expected '[' to start an address");
	r->pos++;
	rd_skip_blanks(r);
	if (r->pos >= r->eol)
		return rd_fail(r, r->pos, "unterminated address");
	start = r->pos;
	end = rd_word_end(r, start);
	if (rd_equals(r, start, end, "phi") ||
	    rd_equals(r, start, end, "\xce\xa6")) {
		r->pos = end;
		TRY(phi_address(r, a));
		return expect_char(r, ']', "']' to end the address");
	}
	if (rd_prefixed(r, start, end, "buf", UINT32_MAX, &v, &big)) {
		if (big)
			return rd_fail(r, start,
				       "buffer handle %s out of range",
				       GOT(start, end));
		a->mode = ADDR_BUF;
		a->handle = v;
	} else if (rd_prefixed(r, start, end, "r", 0xffff, &v, &big)) {
		if (big)
			return rd_fail(r, start, "register %s out of range",
				       GOT(start, end));
		a->mode = ADDR_REG;
		a->base = (uint16_t)v;
	} else {
		return rd_fail(
			r, start,
			"expected register, 'bufN' or 'phi(' in address, "
			"got %s",
			GOT(start, end));
	}
	r->pos = end;
	rd_skip_blanks(r);
	if (r->pos >= r->eol)
		return rd_fail(r, r->pos, "unterminated address");
	if (r->text[r->pos] == ']') {
		r->pos++;
		return ATLAS_OK;
	}
	if (r->text[r->pos] == '+') {
		r->pos++;
		rd_skip_blanks(r);
		end = rd_word_end(r, r->pos);
		if (a->mode == ADDR_REG &&
		    rd_prefixed(r, r->pos, end, "r", 0xffff, &v, &big)) {
			if (big)
				return rd_fail(r, r->pos,
					       "register %s out of range",
					       GOT(r->pos, end));
			a->mode = ADDR_REGREG;
			a->index = (uint16_t)v;
			r->pos = end;
		} else {
			TRY(addr_number(r,
					a->mode == ADDR_BUF ? BUF_OFFSET_MAX :
							      INT32_MAX,
					"offset", &v));
			a->offset = (int64_t)v;
		}
	} else if (r->text[r->pos] == '-') {
		if (a->mode == ADDR_BUF)
			return rd_fail(r, r->pos,
				       "buffer offset must not be negative");
		r->pos++;
		TRY(addr_number(r, (uint64_t)INT32_MAX + 1, "offset", &v));
		a->offset = -(int64_t)v;
	} else {
		return rd_fail(r, r->pos,
			       "expected '+', '-' or ']' in address, "
			       "got %s",
			       GOT(r->pos, rd_word_end(r, r->pos)));
	}
	return expect_char(r, ']', "']' to end the address");
}

/* The immediate operand of an instruction of format f and type t. */
static enum atlas_status imm_operand(struct rd *r, enum isa_fmt f,
				     enum atlas_type t, uint64_t *v)
{
	const enum text_imm kind = text_imm_kind(f);
	char gbuf[80];
	size_t end;
	enum text_lit res;
	const char *tn = NULL;

	rd_skip_blanks(r);
	end = imm_end(r, r->pos);
	if (r->pos == end)
		return rd_fail(r, r->pos, "expected immediate, got %s",
			       GOT(r->pos, rd_word_end(r, r->pos)));
	if (kind == TI_TYPED) {
		res = text_parse_imm(r->text + r->pos, end - r->pos, t, v);
		tn = atlas_type_name(t);
	} else if (kind == TI_F64) {
		res = text_parse_imm(r->text + r->pos, end - r->pos, ATLAS_F64,
				     v);
		tn = "f64";
	} else {
		res = text_parse_uint(r->text + r->pos, end - r->pos,
				      text_imm_max(f), v);
	}
	if (res == LIT_SYNTAX)
		return rd_fail(r, r->pos, "invalid immediate %s",
			       GOT(r->pos, end));
	if (res == LIT_RANGE) {
		if (tn)
			return rd_fail(r, r->pos,
				       "immediate %.*s out of range for %s",
				       (int)(end - r->pos), r->text + r->pos,
				       tn);
		return rd_fail(r, r->pos,
			       "immediate %.*s out of range (0 to %llu)",
			       (int)(end - r->pos), r->text + r->pos,
			       (unsigned long long)text_imm_max(f));
	}
	r->pos = end;
	return ATLAS_OK;
}

/* The operands of an instruction, by its format's layout. */
enum atlas_status rd_operands(struct rd *r, struct isa_insn *in)
{
	const enum isa_fmt f = isa_op_table[in->op].fmt;
	char gbuf[80];
	unsigned s = 0;

	for (const char *o = text_operands(f); *o; o++) {
		rd_skip_blanks(r);
		if (r->pos >= r->eol)
			return rd_fail(r, r->pos, "too few operands for '%.*s'",
				       (int)(r->mnem_end - r->mnem),
				       r->text + r->mnem);
		if (o != text_operands(f)) {
			if (r->text[r->pos] != ',')
				return rd_fail(r, r->pos,
					       "expected ',' after operand");
			r->pos++;
		}
		switch (*o) {
		case 'd':
			TRY(rd_reg_operand(r, 'r', &in->dst));
			break;
		case 'q':
			TRY(rd_reg_operand(r, 'p', &in->dst));
			break;
		case 'p':
			TRY(rd_reg_operand(r, 'p', &in->pred));
			break;
		case 's':
			TRY(rd_reg_operand(r, 'r', &in->src[s++]));
			break;
		case 'l':
			TRY(label_operand(r, &in->label));
			break;
		case 'a':
			TRY(address(r, &in->addr));
			break;
		case 'i':
			TRY(imm_operand(r, f, (enum atlas_type)in->type,
					&in->imm));
			break;
		}
	}
	rd_skip_blanks(r);
	if (r->pos < r->eol)
		return rd_fail(r, r->pos, "unexpected %s after instruction",
			       GOT(r->pos, rd_word_end(r, r->pos)));
	return ATLAS_OK;
}

/* Find the operation of the mnemonic token [pos, end); returns the end of
   the mnemonic proper (suffixes follow), or 0 if unknown. */
size_t rd_find_op(const struct rd *r, size_t pos, size_t end, uint16_t *op,
		  uint8_t *cond)
{
	char buf[32];

	/* Longest prefix that ends at a '.' or the token's end. */
	for (size_t e = end; e > pos; e--) {
		int i;

		if (e != end && r->text[e] != '.')
			continue;
		if (!rd_copy(r, pos, e, buf, sizeof buf))
			continue;
		i = isa_op_find(buf);
		if (i >= 0 && i != OP_SETCC) {
			*op = (uint16_t)i;
			return e;
		}
	}
	/* set<cond> */
	{
		size_t e = pos;
		int c;

		while (e < end && r->text[e] != '.')
			e++;
		if (e - pos > 3 && memcmp(r->text + pos, "set", 3) == 0) {
			c = rd_lookup(r, pos + 3, e, isa_cond_names,
				      COND_COUNT);
			if (c >= 0) {
				*op = OP_SETCC;
				*cond = (uint8_t)c;
				return e;
			}
		}
	}
	return 0;
}

static enum atlas_status suffix_type(struct rd *r, const struct suffix *s,
				     uint8_t *t)
{
	enum atlas_type ty;

	if (rd_lookup_type(r, s->pos, s->end, &ty) < 0)
		return rd_fail(r, s->pos, "unknown type '%.*s'",
			       (int)(s->end - s->pos), r->text + s->pos);
	*t = (uint8_t)ty;
	return ATLAS_OK;
}

/* The suffixes of an instruction, by its format. */
enum atlas_status rd_suffixes(struct rd *r, struct isa_insn *in,
			      const struct suffix *sfx, size_t n)
{
	const struct isa_op_info *op = &isa_op_table[in->op];
	const char *missing = NULL;
	size_t want = 0;
	int k;

	switch (op->fmt) {
	case FMT_CVT:
		want = 2;
		missing = "type";
		break;
	case FMT_PMAP:
	case FMT_PMAP2:
	case FMT_PREDUCE:
		want = 2;
		missing = n == 0 ? "operation" : "type";
		break;
	case FMT_GEMM:
	case FMT_GEMV:
		want = 2;
		missing = n == 0 ? "transpose" : "type";
		break;
	case FMT_BRA:
		want = n ? 1 : 0;
		break;
	case FMT_FENCE:
		want = 1;
		missing = "scope";
		break;
	default:
		want = op->types ? 1 : 0;
		missing = "type";
		break;
	}
	if (n < want)
		return rd_fail(r, r->mnem_end, "missing %s suffix for '%.*s'",
			       missing, (int)(r->mnem_end - r->mnem),
			       r->text + r->mnem);
	if (n > want)
		return rd_fail(r, sfx[want].pos - 1,
			       "unexpected suffix '.%.*s'",
			       (int)(sfx[want].end - sfx[want].pos),
			       r->text + sfx[want].pos);
	switch (op->fmt) {
	case FMT_CVT:
		TRY(suffix_type(r, &sfx[0], &in->type));
		return suffix_type(r, &sfx[1], &in->type2);
	case FMT_PMAP:
	case FMT_PMAP2:
	case FMT_PREDUCE:
		if (op->fmt == FMT_PMAP)
			k = rd_lookup(r, sfx[0].pos, sfx[0].end, isa_map_names,
				      MAP_COUNT);
		else if (op->fmt == FMT_PMAP2)
			k = rd_lookup(r, sfx[0].pos, sfx[0].end, isa_map2_names,
				      MAP2_COUNT);
		else
			k = rd_lookup(r, sfx[0].pos, sfx[0].end, isa_red_names,
				      RED_COUNT);
		if (k < 0)
			return rd_fail(r, sfx[0].pos,
				       "unknown %s operation '%.*s'",
				       op->mnemonic,
				       (int)(sfx[0].end - sfx[0].pos),
				       r->text + sfx[0].pos);
		in->sub = (uint8_t)k;
		return suffix_type(r, &sfx[1], &in->type);
	case FMT_GEMM:
	case FMT_GEMV:
		if (op->fmt == FMT_GEMM)
			k = rd_lookup(r, sfx[0].pos, sfx[0].end,
				      isa_gemm_trans_names, ISA_GEMM_TRANS);
		else
			k = rd_lookup(r, sfx[0].pos, sfx[0].end,
				      isa_gemv_trans_names, ISA_GEMV_TRANS);
		if (k < 0)
			return rd_fail(r, sfx[0].pos,
				       "unknown %s transpose '%.*s'",
				       op->mnemonic,
				       (int)(sfx[0].end - sfx[0].pos),
				       r->text + sfx[0].pos);
		in->sub = (uint8_t)k;
		return suffix_type(r, &sfx[1], &in->type);
	case FMT_BRA:
		if (n) {
			uint64_t v;
			int big;

			if (!rd_prefixed(r, sfx[0].pos, sfx[0].end, "p", 0xfffe,
					 &v, &big))
				return rd_fail(r, sfx[0].pos,
					       "expected predicate, got '%.*s'",
					       (int)(sfx[0].end - sfx[0].pos),
					       r->text + sfx[0].pos);
			if (big)
				return rd_fail(r, sfx[0].pos,
					       "predicate '%.*s' out of range",
					       (int)(sfx[0].end - sfx[0].pos),
					       r->text + sfx[0].pos);
			in->pred = (uint16_t)v;
		}
		return ATLAS_OK;
	case FMT_FENCE:
		k = rd_lookup(r, sfx[0].pos, sfx[0].end, isa_scope_names,
			      SCOPE_COUNT);
		if (k < 0)
			return rd_fail(r, sfx[0].pos, "unknown scope '%.*s'",
				       (int)(sfx[0].end - sfx[0].pos),
				       r->text + sfx[0].pos);
		in->sub = (uint8_t)k;
		return ATLAS_OK;
	default:
		if (want)
			return suffix_type(r, &sfx[0], &in->type);
		return ATLAS_OK;
	}
}
