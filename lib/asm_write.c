/*
 * asm_write.c - a program as canonical assembly text (man 7 atlas-isa):
 * the .kernel and .param directives, then one tab-indented instruction a
 * line, each label on its own line before the instruction it targets.
 * asm_read reads this back into the same program, and writing that again
 * gives the same bytes.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "program.h"
#include "text_util.h"

static const char *type_name(unsigned t)
{
	return atlas_type_name((enum atlas_type)t);
}

static void put_addr(struct strbuf *sb, const struct isa_addr *a)
{
	switch (a->mode) {
	case ADDR_BUF:
		sb_printf(sb, "[buf%" PRIu64 " + %" PRId64 "]", a->handle,
			  a->offset);
		break;
	case ADDR_PHI:
		sb_printf(sb, "[phi(%" PRIu32 ", %" PRIu32 ", %" PRIu32 ")]",
			  a->cls, a->page, a->byte);
		break;
	case ADDR_REG:
		if (a->offset < 0)
			sb_printf(sb, "[r%u - %" PRIu64 "]", a->base,
				  (uint64_t)0 - (uint64_t)a->offset);
		else
			sb_printf(sb, "[r%u + %" PRId64 "]", a->base,
				  a->offset);
		break;
	case ADDR_REGREG:
		sb_printf(sb, "[r%u + r%u]", a->base, a->index);
		break;
	default:
		sb_puts(sb, "[?]");
		break;
	}
}

static const char *label_name(const struct atlas_program *p, uint32_t i)
{
	return i < p->nlabels ? p->labels[i].name : "?";
}

/* The mnemonic with its suffixes: "setlt.f32", "cvt.f32.i32", "bra.p0". */
static void put_mnemonic(struct strbuf *sb, const struct isa_insn *in)
{
	const struct isa_op_info *op = &isa_op_table[in->op];

	switch (op->fmt) {
	case FMT_SETCC:
		sb_printf(sb, "set%s.%s",
			  text_name(isa_cond_names, COND_COUNT, in->sub),
			  type_name(in->type));
		return;
	case FMT_CVT:
		sb_printf(sb, "%s.%s.%s", op->mnemonic, type_name(in->type),
			  type_name(in->type2));
		return;
	case FMT_PMAP:
		sb_printf(sb, "%s.%s.%s", op->mnemonic,
			  text_name(isa_map_names, MAP_COUNT, in->sub),
			  type_name(in->type));
		return;
	case FMT_PMAP2:
		sb_printf(sb, "%s.%s.%s", op->mnemonic,
			  text_name(isa_map2_names, MAP2_COUNT, in->sub),
			  type_name(in->type));
		return;
	case FMT_PREDUCE:
		sb_printf(sb, "%s.%s.%s", op->mnemonic,
			  text_name(isa_red_names, RED_COUNT, in->sub),
			  type_name(in->type));
		return;
	case FMT_GEMM:
		sb_printf(sb, "%s.%s.%s", op->mnemonic,
			  text_name(isa_gemm_trans_names, ISA_GEMM_TRANS,
				    in->sub),
			  type_name(in->type));
		return;
	case FMT_GEMV:
		sb_printf(sb, "%s.%s.%s", op->mnemonic,
			  text_name(isa_gemv_trans_names, ISA_GEMV_TRANS,
				    in->sub),
			  type_name(in->type));
		return;
	case FMT_BRA:
		sb_puts(sb, op->mnemonic);
		if (in->pred != ISA_NO_PRED)
			sb_printf(sb, ".p%u", in->pred);
		return;
	case FMT_FENCE:
		sb_printf(sb, "%s.%s", op->mnemonic,
			  text_name(isa_scope_names, SCOPE_COUNT, in->sub));
		return;
	default:
		sb_puts(sb, op->mnemonic);
		if (op->types)
			sb_printf(sb, ".%s", type_name(in->type));
		return;
	}
}

static void put_insn(struct strbuf *sb, const struct atlas_program *p,
		     const struct isa_insn *in)
{
	const struct isa_op_info *op;
	char lit[TEXT_LIT_MAX];
	unsigned s = 0;

	if (in->op >= OP_COUNT) {
		sb_puts(sb, "\t?\n");
		return;
	}
	op = &isa_op_table[in->op];
	sb_puts(sb, "\t");
	put_mnemonic(sb, in);
	for (const char *o = text_operands(op->fmt); *o; o++) {
		sb_puts(sb, o == text_operands(op->fmt) ? " " : ", ");
		switch (*o) {
		case 'd':
			sb_printf(sb, "r%u", in->dst);
			break;
		case 'q':
			sb_printf(sb, "p%u", in->dst);
			break;
		case 'p':
			sb_printf(sb, "p%u", in->pred);
			break;
		case 's':
			sb_printf(sb, "r%u", in->src[s++]);
			break;
		case 'l':
			sb_printf(sb, "@%s", label_name(p, in->label));
			break;
		case 'a':
			put_addr(sb, &in->addr);
			break;
		case 'i':
			switch (text_imm_kind(op->fmt)) {
			case TI_TYPED:
				text_format_imm(lit, (enum atlas_type)in->type,
						in->imm);
				sb_puts(sb, lit);
				break;
			case TI_F64:
				text_format_imm(lit, ATLAS_F64, in->imm);
				sb_puts(sb, lit);
				break;
			default:
				sb_printf(sb, "%" PRIu64, in->imm);
				break;
			}
			break;
		}
	}
	sb_puts(sb, "\n");
}

/* A defined label and where it goes, for sorting by target. */
struct lpos {
	uint32_t target;
	size_t index;
};

/* By target; equal targets keep the program's label order. */
static int by_target(const void *a, const void *b)
{
	const struct lpos *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void put_label(struct strbuf *sb, const struct isa_label *l)
{
	sb_printf(sb, "@%s:\n", l->name);
}

/* " element", " record 4", " record lda", " reduction 1", " reduction"
   (length unknown), or nothing for ANY. */
static void put_access(struct strbuf *sb, const struct atlas_program *p,
		       const struct isa_param *q)
{
	if (q->access == ATLAS_ACCESS_ANY)
		return;
	sb_printf(sb, " %s", text_name(program_access_names, 5, q->access));
	if (q->access == ATLAS_ACCESS_REDUCTION && q->record_len)
		sb_printf(sb, " %" PRIu64, q->record_len);
	if (q->access != ATLAS_ACCESS_RECORD)
		return;
	if (q->record_param >= 0)
		sb_printf(sb, " %s",
			  (size_t)q->record_param < p->nparams ?
				  p->params[q->record_param].name :
				  "?");
	else
		sb_printf(sb, " %" PRIu64, q->record_len);
}

char *asm_write(const struct atlas_program *p)
{
	struct strbuf sb;
	struct lpos *order = NULL;
	size_t nord = 0, k = 0;

	sb_init(&sb);
	if (p->nlabels) {
		order = malloc(p->nlabels * sizeof *order);
		if (!order)
			return NULL;
		for (size_t i = 0; i < p->nlabels; i++)
			if (p->labels[i].defined)
				order[nord++] =
					(struct lpos){p->labels[i].target, i};
		qsort(order, nord, sizeof *order, by_target);
	}
	sb_printf(&sb, ".kernel %s\n", p->name ? p->name : "");
	for (size_t i = 0; i < p->nparams; i++) {
		const struct isa_param *q = &p->params[i];

		sb_printf(&sb, ".param %s %s%s %s r%u", q->name,
			  type_name(q->type),
			  q->kind == ATLAS_PARAM_ARRAY ? "[]" : "",
			  text_name(text_use_names, 5, q->use), q->reg);
		put_access(&sb, p, q);
		sb_puts(&sb, "\n");
	}
	asm_meta_write(&sb, p);
	for (size_t i = 0; i < p->ninsns; i++) {
		while (k < nord && order[k].target <= i)
			put_label(&sb, &p->labels[order[k++].index]);
		put_insn(&sb, p, &p->insns[i]);
	}
	while (k < nord)
		put_label(&sb, &p->labels[order[k++].index]);
	free(order);
	return sb_finish(&sb);
}
