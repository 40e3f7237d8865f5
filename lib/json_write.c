/*
 * json_write.c - a program in the JSON program form (man 5 atlas-kernel).
 *
 * The printer is our own rather than cJSON_Print so that the layout is
 * fixed and readable: one parameter, label or instruction per line, keys
 * in a fixed order, only the keys an instruction's format uses, integers
 * beyond 2^53 and all float immediates as strings holding the assembly
 * literal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "program.h"
#include "text_util.h"

#define JSON_SAFE_MAX ((uint64_t)1 << 53)

static void put_str(struct strbuf *sb, const char *s)
{
	sb_puts(sb, "\"");
	for (; *s; s++) {
		const unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else if (c == '\n')
			sb_puts(sb, "\\n");
		else if (c == '\t')
			sb_puts(sb, "\\t");
		else if (c < 0x20)
			sb_printf(sb, "\\u%04x", c);
		else
			sb_add(sb, (const char *)&c, 1);
	}
	sb_puts(sb, "\"");
}

/* ", "key": " (or without the comma for the first key of an object). */
static void put_key(struct strbuf *sb, int *first, const char *key)
{
	sb_printf(sb, "%s\"%s\": ", *first ? "" : ", ", key);
	*first = 0;
}

static void put_skey(struct strbuf *sb, int *first, const char *key,
		     const char *val)
{
	put_key(sb, first, key);
	put_str(sb, val);
}

static void put_ukey(struct strbuf *sb, int *first, const char *key, uint64_t v)
{
	put_key(sb, first, key);
	if (v <= JSON_SAFE_MAX)
		sb_printf(sb, "%" PRIu64, v);
	else
		sb_printf(sb, "\"%" PRIu64 "\"", v);
}

static const char *type_name(unsigned t)
{
	return atlas_type_name((enum atlas_type)t);
}

static void put_addr(struct strbuf *sb, const struct isa_addr *a)
{
	int first = 1;

	sb_puts(sb, "{");
	switch (a->mode) {
	case ADDR_BUF:
		put_skey(sb, &first, "mode", "buf");
		put_ukey(sb, &first, "handle", a->handle);
		put_key(sb, &first, "offset");
		sb_printf(sb, "%" PRId64, a->offset);
		break;
	case ADDR_PHI:
		put_skey(sb, &first, "mode", "phi");
		put_ukey(sb, &first, "class", a->cls);
		put_ukey(sb, &first, "page", a->page);
		put_ukey(sb, &first, "byte", a->byte);
		break;
	case ADDR_REG:
		put_skey(sb, &first, "mode", "reg");
		put_ukey(sb, &first, "base", a->base);
		put_key(sb, &first, "offset");
		sb_printf(sb, "%" PRId64, a->offset);
		break;
	case ADDR_REGREG:
		put_skey(sb, &first, "mode", "regreg");
		put_ukey(sb, &first, "base", a->base);
		put_ukey(sb, &first, "index", a->index);
		break;
	default:
		put_skey(sb, &first, "mode", "?");
		break;
	}
	sb_puts(sb, "}");
}

static void put_imm(struct strbuf *sb, const struct isa_insn *in,
		    enum isa_fmt f)
{
	char lit[TEXT_LIT_MAX];

	switch (text_imm_kind(f)) {
	case TI_TYPED:
		text_format_imm(lit, (enum atlas_type)in->type, in->imm);
		if (text_imm_json_number((enum atlas_type)in->type, in->imm))
			sb_puts(sb, lit);
		else
			put_str(sb, lit);
		break;
	case TI_F64:
		text_format_imm(lit, ATLAS_F64, in->imm);
		put_str(sb, lit);
		break;
	default:
		if (in->imm <= JSON_SAFE_MAX)
			sb_printf(sb, "%" PRIu64, in->imm);
		else
			sb_printf(sb, "\"%" PRIu64 "\"", in->imm);
		break;
	}
}

static void put_insn(struct strbuf *sb, const struct atlas_program *p,
		     const struct isa_insn *in)
{
	const struct isa_op_info *op;
	const char *ops;
	int first = 1;

	sb_puts(sb, "{");
	if (in->op >= OP_COUNT) {
		put_skey(sb, &first, "op", "?");
		sb_puts(sb, "}");
		return;
	}
	op = &isa_op_table[in->op];
	ops = text_operands(op->fmt);
	put_skey(sb, &first, "op", op->mnemonic);
	switch (op->fmt) {
	case FMT_PMAP:
		put_skey(sb, &first, "map",
			 text_name(isa_map_names, MAP_COUNT, in->sub));
		break;
	case FMT_PMAP2:
		put_skey(sb, &first, "map",
			 text_name(isa_map2_names, MAP2_COUNT, in->sub));
		break;
	case FMT_PREDUCE:
		put_skey(sb, &first, "map",
			 text_name(isa_red_names, RED_COUNT, in->sub));
		break;
	case FMT_GEMM:
		put_skey(sb, &first, "trans",
			 text_name(isa_gemm_trans_names, ISA_GEMM_TRANS,
				   in->sub));
		break;
	case FMT_GEMV:
		put_skey(sb, &first, "trans",
			 text_name(isa_gemv_trans_names, ISA_GEMV_TRANS,
				   in->sub));
		break;
	case FMT_SETCC:
		put_skey(sb, &first, "cond",
			 text_name(isa_cond_names, COND_COUNT, in->sub));
		break;
	case FMT_FENCE:
		put_skey(sb, &first, "scope",
			 text_name(isa_scope_names, SCOPE_COUNT, in->sub));
		break;
	default:
		break;
	}
	if (op->types)
		put_skey(sb, &first, "type", type_name(in->type));
	if (op->fmt == FMT_CVT)
		put_skey(sb, &first, "from", type_name(in->type2));
	if (strchr(ops, 'd') || strchr(ops, 'q'))
		put_ukey(sb, &first, "dst", in->dst);
	if (strchr(ops, 'p') || (op->fmt == FMT_BRA && in->pred != ISA_NO_PRED))
		put_ukey(sb, &first, "pred", in->pred);
	if (text_nsrc(op->fmt)) {
		put_key(sb, &first, "src");
		for (unsigned i = 0; i < text_nsrc(op->fmt); i++)
			sb_printf(sb, "%s%u", i ? ", " : "[", in->src[i]);
		sb_puts(sb, "]");
	}
	if (strchr(ops, 'l'))
		put_skey(sb, &first, "label",
			 in->label < p->nlabels ? p->labels[in->label].name :
						  "?");
	if (strchr(ops, 'i')) {
		put_key(sb, &first, "imm");
		put_imm(sb, in, op->fmt);
	}
	if (strchr(ops, 'a')) {
		put_key(sb, &first, "addr");
		put_addr(sb, &in->addr);
	}
	sb_puts(sb, "}");
}

/* "access": "element" / {"record": 4} / {"record": "lda"} /
   {"reduction": 1} / "reduction" (length unknown); nothing for ANY. */
static void put_access(struct strbuf *sb, int *first,
		       const struct atlas_program *p, const struct isa_param *q)
{
	int rfirst = 1;

	if (q->access == ATLAS_ACCESS_ANY)
		return;
	if (q->access == ATLAS_ACCESS_REDUCTION && q->record_len) {
		put_key(sb, first, "access");
		sb_puts(sb, "{");
		put_ukey(sb, &rfirst, "reduction", q->record_len);
		sb_puts(sb, "}");
		return;
	}
	if (q->access != ATLAS_ACCESS_RECORD) {
		put_skey(sb, first, "access",
			 text_name(program_access_names, 5, q->access));
		return;
	}
	put_key(sb, first, "access");
	sb_puts(sb, "{");
	if (q->record_param >= 0)
		put_skey(sb, &rfirst, "record",
			 (size_t)q->record_param < p->nparams ?
				 p->params[q->record_param].name :
				 "?");
	else
		put_ukey(sb, &rfirst, "record", q->record_len);
	sb_puts(sb, "}");
}

static void put_bkey(struct strbuf *sb, int *first, const char *key, int v)
{
	put_key(sb, first, key);
	sb_puts(sb, v ? "true" : "false");
}

/* "metadata": every field, in the order of reference 1.9's JSON form. */
static void put_meta(struct strbuf *sb, const struct atlas_metadata *m)
{
	int first = 1, f2 = 1, f3 = 1, f4 = 1;

	sb_puts(sb, ",\n  \"metadata\": {");
	put_key(sb, &first, "classes_mask");
	sb_puts(sb, "{");
	put_ukey(sb, &f2, "low", m->classes_mask.low);
	put_ukey(sb, &f2, "high", m->classes_mask.high);
	sb_puts(sb, "}");
	put_bkey(sb, &first, "mirror_safe", m->mirror_safe);
	put_bkey(sb, &first, "unity_neutral", m->unity_neutral);
	put_bkey(sb, &first, "uses_boundary", m->uses_boundary);
	put_key(sb, &first, "boundary");
	sb_puts(sb, "{");
	put_ukey(sb, &f3, "page_min", m->boundary.page_min);
	put_ukey(sb, &f3, "page_max", m->boundary.page_max);
	put_ukey(sb, &f3, "byte_min", m->boundary.byte_min);
	put_ukey(sb, &f3, "byte_max", m->boundary.byte_max);
	sb_puts(sb, "}");
	put_key(sb, &first, "phase");
	sb_puts(sb, "{");
	put_ukey(sb, &f4, "begin", m->phase.begin);
	put_ukey(sb, &f4, "span", m->phase.span);
	sb_puts(sb, "}}");
}

char *json_write(const struct atlas_program *p)
{
	struct strbuf sb;
	size_t n = 0;

	sb_init(&sb);
	sb_puts(&sb, "{\n  \"format\": \"atlas-program\",\n  \"version\": 1,\n"
		     "  \"kernel\": ");
	put_str(&sb, p->name ? p->name : "");
	if (p->meta_declared)
		put_meta(&sb, &p->meta);
	sb_puts(&sb, ",\n  \"params\": [");
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];
		int first = 1;

		sb_puts(&sb, i ? ",\n    {" : "\n    {");
		put_skey(&sb, &first, "name", q->name);
		put_skey(&sb, &first, "kind",
			 text_name(text_kind_names, 2, q->kind));
		put_skey(&sb, &first, "type", type_name(q->type));
		put_skey(&sb, &first, "use",
			 text_name(text_use_names, 5, q->use));
		put_ukey(&sb, &first, "register", q->reg);
		put_access(&sb, &first, p, q);
		sb_puts(&sb, "}");
	}
	sb_puts(&sb,
		p->nparams ? "\n  ],\n  \"labels\": [" : "],\n  \"labels\": [");
	for (size_t i = 0; i < p->nlabels; i++) {
		const struct isa_label *l = &p->labels[i];
		int first = 1;

		if (!l->defined)
			continue;
		sb_puts(&sb, n++ ? ",\n    {" : "\n    {");
		put_skey(&sb, &first, "name", l->name);
		put_ukey(&sb, &first, "target", l->target);
		sb_puts(&sb, "}");
	}
	sb_puts(&sb, n ? "\n  ],\n  \"instructions\": [" :
			 "],\n  \"instructions\": [");
	for (size_t i = 0; i < p->ninsns; i++) {
		sb_puts(&sb, i ? ",\n    " : "\n    ");
		put_insn(&sb, p, &p->insns[i]);
	}
	sb_puts(&sb, p->ninsns ? "\n  ]\n}\n" : "]\n}\n");
	return sb_finish(&sb);
}
