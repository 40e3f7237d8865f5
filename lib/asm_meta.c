/*
 * asm_meta.c - the kernel metadata directives of the assembly reader
 * (man 7 atlas-isa, "Metadata"): .classes, .mirror_safe, .unity_neutral,
 * .uses_boundary, .boundary and .phase, and the class lists they and the
 * JSON form share.
 */
#include <stdio.h>
#include <string.h>

#include "asm_read.h"
#include "text_util.h"

static const char *const meta_names[] = {".classes",	   ".mirror_safe",
					 ".unity_neutral", ".uses_boundary",
					 ".boundary",	   ".phase"};
#define NMETA (sizeof meta_names / sizeof meta_names[0])

/* A decimal number at [pos, end) of s; -1 if not one, 0 if above max. */
static int number(const char *s, size_t pos, size_t end, uint64_t max,
		  uint64_t *v)
{
	if (pos == end || s[pos] < '0' || s[pos] > '9')
		return -1;
	switch (text_parse_uint(s + pos, end - pos, max, v)) {
	case LIT_OK:
		return 1;
	case LIT_RANGE:
		return 0;
	default:
		return -1;
	}
}

int program_classes_parse(const char *text, size_t len,
			  struct atlas_class_mask *m, size_t *bad, char *msg,
			  size_t msgsize)
{
	size_t pos = 0;

	if (len == 3 && memcmp(text, "all", 3) == 0) {
		*m = atlas_class_mask_all();
		return 0;
	}
	*m = atlas_class_mask_none();
	for (;;) {
		size_t end = pos, dash;
		uint64_t lo, hi;
		int k;

		while (end < len && text[end] != ',')
			end++;
		for (dash = pos; dash < end && text[dash] != '-'; dash++)
			;
		if ((k = number(text, pos, dash, 95, &lo)) <= 0) {
			*bad = pos;
			snprintf(msg, msgsize,
				 k ? "invalid class list '%.*s'" :
				     "class %.*s out of range (0 to 95)",
				 (int)(k ? len : dash - pos),
				 text + (k ? 0 : pos));
			return -1;
		}
		hi = lo;
		if (dash < end &&
		    (k = number(text, dash + 1, end, 95, &hi)) <= 0) {
			*bad = dash + 1;
			snprintf(msg, msgsize,
				 k ? "invalid class list '%.*s'" :
				     "class %.*s out of range (0 to 95)",
				 (int)(k ? len : end - dash - 1),
				 text + (k ? 0 : dash + 1));
			return -1;
		}
		if (hi < lo) {
			*bad = pos;
			snprintf(msg, msgsize, "empty class range %.*s",
				 (int)(end - pos), text + pos);
			return -1;
		}
		for (uint64_t c = lo; c <= hi; c++)
			atlas_class_mask_set(m, (unsigned)c);
		if (end == len)
			return 0;
		pos = end + 1;
	}
}

void program_classes_format(struct strbuf *sb, struct atlas_class_mask m)
{
	const char *sep = "";

	if (atlas_class_mask_count(m) == ATLAS_CLASSES) {
		sb_puts(sb, "all");
		return;
	}
	for (unsigned c = 0; c < ATLAS_CLASSES; c++) {
		unsigned e = c;

		if (!atlas_class_mask_is_set(m, c))
			continue;
		while (e + 1 < ATLAS_CLASSES &&
		       atlas_class_mask_is_set(m, e + 1))
			e++;
		if (e == c)
			sb_printf(sb, "%s%u", sep, c);
		else
			sb_printf(sb, "%s%u-%u", sep, c, e);
		sep = ",";
		c = e;
	}
}

/* The next blank-delimited number of a directive, at most max. */
static enum atlas_status operand(struct rd *r, const char *what, uint64_t max,
				 uint64_t *v)
{
	char gbuf[80];
	size_t end;
	int k;

	rd_skip_blanks(r);
	end = rd_tok_end(r, r->pos);
	if (r->pos == end)
		return rd_fail(r, r->pos, "expected %s", what);
	k = number(r->text, r->pos, end, max, v);
	if (k < 0)
		return rd_fail(r, r->pos, "invalid %s %s", what,
			       GOT(r->pos, end));
	if (k == 0)
		return rd_fail(r, r->pos, "%s %.*s out of range (0 to %llu)",
			       what, (int)(end - r->pos), r->text + r->pos,
			       (unsigned long long)max);
	r->pos = end;
	return ATLAS_OK;
}

static enum atlas_status meta_end(struct rd *r)
{
	char gbuf[80];

	rd_skip_blanks(r);
	if (r->pos < r->eol)
		return rd_fail(r, r->pos, "unexpected %s after directive",
			       GOT(r->pos, rd_tok_end(r, r->pos)));
	r->p->meta_declared = 1;
	return ATLAS_OK;
}

int asm_meta_directive(struct rd *r, size_t start, size_t end,
		       enum atlas_status *st)
{
	struct atlas_metadata *m = &r->p->meta;
	uint64_t v[4];
	size_t k, tok;
	char msg[128];

	for (k = 0; k < NMETA; k++)
		if (rd_equals(r, start, end, meta_names[k]))
			break;
	if (k == NMETA)
		return 0;
	if (!r->have_kernel)
		*st = rd_fail(r, start, "missing .kernel directive");
	else if (r->have_insn)
		*st = rd_fail(r, start, "%s after the first instruction",
			      meta_names[k]);
	else if (r->meta_seen & (1u << k))
		*st = rd_fail(r, start, "duplicate %s directive",
			      meta_names[k]);
	else
		*st = ATLAS_OK;
	if (*st)
		return 1;
	r->meta_seen |= 1u << k;
	switch (k) {
	case 0:
		rd_skip_blanks(r);
		tok = rd_tok_end(r, r->pos);
		if (r->pos == tok) {
			*st = rd_fail(r, r->pos, "expected class list");
			return 1;
		}
		if (program_classes_parse(r->text + r->pos, tok - r->pos,
					  &m->classes_mask, &end, msg,
					  sizeof msg)) {
			*st = rd_fail(r, r->pos + end, "%s", msg);
			return 1;
		}
		r->pos = tok;
		break;
	case 1:
		m->mirror_safe = 1;
		break;
	case 2:
		m->unity_neutral = 1;
		break;
	case 3:
		m->uses_boundary = 1;
		break;
	case 4:
		for (int i = 0; i < 4; i++)
			if ((*st = operand(r, i < 2 ? "page" : "byte", 255,
					   &v[i])))
				return 1;
		m->boundary.page_min = (uint8_t)v[0];
		m->boundary.page_max = (uint8_t)v[1];
		m->boundary.byte_min = (uint8_t)v[2];
		m->boundary.byte_max = (uint8_t)v[3];
		break;
	default:
		if ((*st = operand(r, "phase", UINT32_MAX, &v[0])) ||
		    (*st = operand(r, "phase span", UINT32_MAX, &v[1])))
			return 1;
		m->phase.begin = (uint32_t)v[0];
		m->phase.span = (uint32_t)v[1];
		break;
	}
	*st = meta_end(r);
	return 1;
}

void asm_meta_write(struct strbuf *sb, const struct atlas_program *p)
{
	const struct atlas_metadata *m = &p->meta;
	const struct atlas_boundary_footprint *b = &m->boundary;
	int any = 0;

	if (!p->meta_declared)
		return;
	any = m->mirror_safe || m->unity_neutral || m->uses_boundary ||
	      b->page_min != 0 || b->page_max != ATLAS_PAGES - 1 ||
	      b->byte_min != 0 || b->byte_max != ATLAS_PAGE_BYTES - 1 ||
	      m->phase.begin != 0 || m->phase.span != ATLAS_PHASE_MODULUS;
	/* declared but all defaults: ".classes all" keeps it declared */
	if (!any || atlas_class_mask_count(m->classes_mask) != ATLAS_CLASSES) {
		sb_puts(sb, ".classes ");
		program_classes_format(sb, m->classes_mask);
		sb_puts(sb, "\n");
	}
	if (m->mirror_safe)
		sb_puts(sb, ".mirror_safe\n");
	if (m->unity_neutral)
		sb_puts(sb, ".unity_neutral\n");
	if (m->uses_boundary)
		sb_puts(sb, ".uses_boundary\n");
	if (b->page_min != 0 || b->page_max != ATLAS_PAGES - 1 ||
	    b->byte_min != 0 || b->byte_max != ATLAS_PAGE_BYTES - 1)
		sb_printf(sb, ".boundary %u %u %u %u\n", b->page_min,
			  b->page_max, b->byte_min, b->byte_max);
	if (m->phase.begin != 0 || m->phase.span != ATLAS_PHASE_MODULUS)
		sb_printf(sb, ".phase %u %u\n", m->phase.begin, m->phase.span);
}

int atlas_program_metadata(const struct atlas_program *p,
			   struct atlas_metadata *m)
{
	*m = p->meta;
	m->name = p->name ? p->name : "";
	return p->meta_declared;
}

enum atlas_status program_launch(struct atlas_engine *e,
				 const struct atlas_program *p,
				 const struct atlas_launch *l,
				 const struct atlas_arg *args, size_t nargs,
				 struct atlas_run_state *state,
				 struct atlas_error *err)
{
	struct atlas_metadata m;
	enum atlas_status st;

	if (atlas_program_metadata(p, &m) &&
	    (st = atlas_metadata_check_launch(&m, state ? state->phase : 0,
					      err)) != ATLAS_OK)
		return st;
	return atlas_engine_run_state(e, p, l, args, nargs, state, err);
}
