/*
 * kl_sx.h - test helper: a kernel-language tree as compact text
 * (S-expressions for expressions, "{...; ...}" for blocks), so that tests
 * can compare shapes in one line.  Header-only, for the unit tests.
 */
#ifndef ATLAS_TEST_KL_SX_H
#define ATLAS_TEST_KL_SX_H

#include <inttypes.h>

#include "kl.h"
#include "text_util.h"

static void sx_expr(struct strbuf *sb, const struct kl_expr *e)
{
	switch (e->kind) {
	case KE_VAR:
		sb_puts(sb, e->name);
		return;
	case KE_INT:
		sb_printf(sb, "%" PRIu64, e->ival);
		return;
	case KE_FLOAT:
		sb_printf(sb, "%gf", e->fval);
		return;
	case KE_BOOL:
		sb_puts(sb, e->ival ? "True" : "False");
		return;
	case KE_STRING:
		sb_printf(sb, "\"%s\"", e->str);
		return;
	case KE_BINARY:
		sb_printf(sb, "(%s ", kl_binop_names[e->op]);
		sx_expr(sb, e->a);
		sb_puts(sb, " ");
		sx_expr(sb, e->b);
		sb_puts(sb, ")");
		return;
	case KE_UNARY:
		sb_printf(sb, "(%s ", kl_unop_names[e->op]);
		sx_expr(sb, e->a);
		sb_puts(sb, ")");
		return;
	case KE_INDEX:
		sx_expr(sb, e->a);
		sb_puts(sb, "[");
		sx_expr(sb, e->b);
		sb_puts(sb, "]");
		return;
	case KE_CALL:
		sb_printf(sb, "%s(", e->name);
		for (size_t i = 0; i < e->nargs; i++) {
			if (i)
				sb_puts(sb, ", ");
			sx_expr(sb, e->args[i]);
		}
		sb_puts(sb, ")");
		return;
	case KE_IFEXPR:
		sb_puts(sb, "(if ");
		sx_expr(sb, e->c);
		sb_puts(sb, " ");
		sx_expr(sb, e->a);
		sb_puts(sb, " ");
		sx_expr(sb, e->b);
		sb_puts(sb, ")");
		return;
	}
}

static void sx_block(struct strbuf *sb, const struct kl_block *b);

static void sx_stmt(struct strbuf *sb, const struct kl_stmt *s)
{
	switch (s->kind) {
	case KS_LET:
		sb_printf(sb, "let %s ", s->name);
		sx_expr(sb, s->value);
		return;
	case KS_ASSIGN:
		sb_puts(sb, "set ");
		sx_expr(sb, s->target);
		sb_puts(sb, " ");
		sx_expr(sb, s->value);
		return;
	case KS_IF:
		sb_puts(sb, "if ");
		sx_expr(sb, s->value);
		sb_puts(sb, " ");
		sx_block(sb, &s->body);
		if (s->has_else) {
			sb_puts(sb, " else ");
			sx_block(sb, &s->orelse);
		}
		return;
	case KS_FOR:
		sb_printf(sb, "for %s ", s->name);
		sx_expr(sb, s->start);
		sb_puts(sb, " ");
		sx_expr(sb, s->stop);
		sb_puts(sb, " ");
		sx_expr(sb, s->step);
		sb_puts(sb, " ");
		sx_block(sb, &s->body);
		return;
	case KS_WHILE:
		sb_puts(sb, "while ");
		sx_expr(sb, s->value);
		sb_puts(sb, " ");
		sx_block(sb, &s->body);
		return;
	case KS_BREAK:
		sb_puts(sb, "break");
		return;
	case KS_CONTINUE:
		sb_puts(sb, "continue");
		return;
	case KS_RETURN:
		sb_puts(sb, "return");
		if (s->value) {
			sb_puts(sb, " ");
			sx_expr(sb, s->value);
		}
		return;
	case KS_EXPR:
		sb_puts(sb, "do ");
		sx_expr(sb, s->value);
		return;
	}
}

static void sx_block(struct strbuf *sb, const struct kl_block *b)
{
	sb_puts(sb, "{");
	for (size_t i = 0; i < b->n; i++) {
		if (i)
			sb_puts(sb, "; ");
		sx_stmt(sb, b->v[i]);
	}
	sb_puts(sb, "}");
}

/* The block as text (free it), or NULL. */
static char *sx_of_block(const struct kl_block *b)
{
	struct strbuf sb;

	sb_init(&sb);
	sx_block(&sb, b);
	return sb_finish(&sb);
}

#endif /* ATLAS_TEST_KL_SX_H */
