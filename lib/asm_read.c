/*
 * asm_read.c - the assembly reader (man 7 atlas-isa).
 *
 * Line-oriented: a line holds a directive (.kernel, .param), a label
 * definition (@name:), an instruction, or nothing; '#' starts a comment.
 * Every error carries the line and the column of the offending token.
 * The reader checks syntax only: register ranges, types against an
 * operation and label targets are the verifier's business.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "text_util.h"

struct rd {
	const char *text;
	size_t len;
	size_t line; /* current line, 1-based */
	size_t bol;  /* offset of the line's first byte */
	size_t eol;  /* end of the line's content: '#', '\n' or the end */
	size_t pos;  /* the cursor, bol <= pos <= eol */
	struct atlas_program *p;
	struct atlas_error *err;
	int have_kernel, have_insn;
	size_t *defs; /* label indices in definition order */
	size_t ndefs, defs_cap;
	/* the instruction being read, for messages */
	size_t mnem, mnem_end;
	/* "record NAME" lengths, resolved at the end of the header */
	struct pending_record *recs;
	size_t nrecs, recs_cap;
};

/* A .param line's "record NAME", for a parameter that may come later. */
struct pending_record {
	size_t param;	  /* the array's index */
	char *name;	  /* the length's name */
	size_t line, col; /* of the name */
};

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static size_t colof(const struct rd *r, size_t pos)
{
	size_t c = 1;

	for (size_t i = r->bol; i < pos; i++)
		c += ((unsigned char)r->text[i] & 0xc0) != 0x80;
	return c;
}

__attribute__((format(printf, 3, 4))) static enum atlas_status
fail(struct rd *r, size_t pos, const char *fmt, ...)
{
	char msg[sizeof r->err->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	atlas_error_set(r->err, ATLAS_ERR_PARSE, r->line, colof(r, pos), "%s",
			msg);
	return ATLAS_ERR_PARSE;
}

static enum atlas_status nomem(struct rd *r)
{
	atlas_error_set(r->err, ATLAS_ERR_NOMEM, r->line, colof(r, r->pos),
			"out of memory");
	return ATLAS_ERR_NOMEM;
}

static void skip_blanks(struct rd *r)
{
	while (r->pos < r->eol && is_blank((unsigned char)r->text[r->pos]))
		r->pos++;
}

static int is_punct(int c)
{
	return c == '[' || c == ']' || c == '(' || c == ')' || c == ',' ||
	       c == '+' || c == ':';
}

/* End of the operand-like word at pos: one punctuation character, or a
   run of anything else up to a blank, punctuation or '-'. */
static size_t word_end(const struct rd *r, size_t pos)
{
	if (pos >= r->eol)
		return pos;
	if (is_punct((unsigned char)r->text[pos]))
		return pos + 1;
	/* A '-' ends a word (as in "[r1-4]") unless it starts one. */
	pos++;
	while (pos < r->eol && !is_blank((unsigned char)r->text[pos]) &&
	       !is_punct((unsigned char)r->text[pos]) && r->text[pos] != '-')
		pos++;
	return pos;
}

/* End of a blank-delimited token at pos. */
static size_t tok_end(const struct rd *r, size_t pos)
{
	while (pos < r->eol && !is_blank((unsigned char)r->text[pos]))
		pos++;
	return pos;
}

/* End of an immediate at pos: up to a blank or a comma. */
static size_t imm_end(const struct rd *r, size_t pos)
{
	while (pos < r->eol && !is_blank((unsigned char)r->text[pos]) &&
	       r->text[pos] != ',')
		pos++;
	return pos;
}

/* "'word'" or "end of line", for messages. */
static const char *got(const struct rd *r, size_t pos, size_t end, char *buf,
		       size_t size)
{
	size_t n = end - pos;

	if (pos >= r->eol)
		return "end of line";
	if (n > 60)
		n = 60;
	snprintf(buf, size, "'%.*s%s'", (int)n, r->text + pos,
		 end - pos > n ? "..." : "");
	return buf;
}

#define GOT(pos, end) got(r, (pos), (end), gbuf, sizeof gbuf)

static int equals(const struct rd *r, size_t pos, size_t end, const char *s)
{
	return end - pos == strlen(s) &&
	       memcmp(r->text + pos, s, end - pos) == 0;
}

/* Copy text[pos, end) into buf as a NUL-terminated string; 0 if it did
   not fit (then it cannot be a known name anyway). */
static int copy(const struct rd *r, size_t pos, size_t end, char *buf,
		size_t size)
{
	if (end - pos >= size)
		return 0;
	memcpy(buf, r->text + pos, end - pos);
	buf[end - pos] = '\0';
	return 1;
}

/* Look text[pos, end) up in a name table; -1 if absent. */
static int lookup(const struct rd *r, size_t pos, size_t end,
		  const char *const *names, int n)
{
	char buf[32];

	if (!copy(r, pos, end, buf, sizeof buf))
		return -1;
	return isa_name_find(names, n, buf);
}

static int lookup_type(const struct rd *r, size_t pos, size_t end,
		       enum atlas_type *t)
{
	char buf[32];

	return copy(r, pos, end, buf, sizeof buf) &&
			       atlas_type_parse(buf, t) == 0 ?
		       0 :
		       -1;
}

/*
 * Parse a decimal number with a letter prefix ("r12", "p0", "buf3") at
 * [pos, end).  Returns 1 if the word has that shape (then *v is set, or
 * *big when it exceeds max), 0 if not.
 */
static int prefixed(const struct rd *r, size_t pos, size_t end,
		    const char *prefix, uint64_t max, uint64_t *v, int *big)
{
	const size_t k = strlen(prefix);
	uint64_t x = 0;

	*big = 0;
	if (end - pos <= k || memcmp(r->text + pos, prefix, k) != 0)
		return 0;
	for (size_t i = pos + k; i < end; i++) {
		const int c = (unsigned char)r->text[i];

		if (c < '0' || c > '9')
			return 0;
		if (!*big) {
			x = x * 10 + (uint64_t)(c - '0');
			if (x > max)
				*big = 1;
		}
	}
	*v = x;
	return 1;
}

/* A register (letter 'r') or predicate ('p') operand at the cursor. */
static enum atlas_status reg_operand(struct rd *r, char letter, uint16_t *out)
{
	const char prefix[2] = {letter, '\0'};
	/* ISA_NO_PRED is 0xffff, so predicates stop one short. */
	const uint64_t max = letter == 'p' ? 0xfffe : 0xffff;
	char gbuf[80];
	size_t end;
	uint64_t v;
	int big;

	skip_blanks(r);
	end = word_end(r, r->pos);
	if (!prefixed(r, r->pos, end, prefix, max, &v, &big))
		return fail(r, r->pos, "expected %s, got %s",
			    letter == 'p' ? "predicate" : "register",
			    GOT(r->pos, end));
	if (big)
		return fail(r, r->pos, "%s %s out of range",
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

	skip_blanks(r);
	end = word_end(r, r->pos);
	if (end - r->pos < 2 || r->text[r->pos] != '@' ||
	    !text_is_ident(r->text + r->pos + 1, end - r->pos - 1, 1))
		return fail(r, r->pos, "expected label, got %s",
			    GOT(r->pos, end));
	name = strndup(r->text + r->pos + 1, end - r->pos - 1);
	if (!name)
		return nomem(r);
	i = program_label_ref(r->p, name);
	free(name);
	if (i < 0)
		return nomem(r);
	if (!r->p->labels[i].defined && r->p->labels[i].line == 0) {
		r->p->labels[i].line = (uint32_t)r->line;
		r->p->labels[i].col = (uint32_t)colof(r, r->pos);
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

	skip_blanks(r);
	end = word_end(r, r->pos);
	switch (text_parse_uint(r->text + r->pos, end - r->pos, max, v)) {
	case LIT_OK:
		r->pos = end;
		return ATLAS_OK;
	case LIT_RANGE:
		return fail(r, r->pos, "%s %.*s out of range", what,
			    (int)(end - r->pos), r->text + r->pos);
	default:
		return fail(r, r->pos, "expected %s, got %s", what,
			    GOT(r->pos, end));
	}
}

/* Expect the character c (after blanks). */
static enum atlas_status expect_char(struct rd *r, char c, const char *what)
{
	char gbuf[80];

	skip_blanks(r);
	if (r->pos >= r->eol)
		return fail(r, r->pos, "unterminated address");
	if (r->text[r->pos] != c)
		return fail(r, r->pos, "expected %s, got %s", what,
			    GOT(r->pos, word_end(r, r->pos)));
	r->pos++;
	return ATLAS_OK;
}

#define TRY(x)                                                                 \
	do {                                                                   \
		enum atlas_status st_ = (x);                                   \
		if (st_ != ATLAS_OK)                                           \
			return st_;                                            \
	} while (0)

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
	skip_blanks(r);
	if (r->pos >= r->eol || r->text[r->pos] != '[')
		return fail(r, r->pos, "expected '[' to start an address");
	r->pos++;
	skip_blanks(r);
	if (r->pos >= r->eol)
		return fail(r, r->pos, "unterminated address");
	start = r->pos;
	end = word_end(r, start);
	if (equals(r, start, end, "phi") || equals(r, start, end, "\xce\xa6")) {
		r->pos = end;
		TRY(phi_address(r, a));
		return expect_char(r, ']', "']' to end the address");
	}
	if (prefixed(r, start, end, "buf", UINT32_MAX, &v, &big)) {
		if (big)
			return fail(r, start, "buffer handle %s out of range",
				    GOT(start, end));
		a->mode = ADDR_BUF;
		a->handle = v;
	} else if (prefixed(r, start, end, "r", 0xffff, &v, &big)) {
		if (big)
			return fail(r, start, "register %s out of range",
				    GOT(start, end));
		a->mode = ADDR_REG;
		a->base = (uint16_t)v;
	} else {
		return fail(r, start,
			    "expected register, 'bufN' or 'phi(' in address, "
			    "got %s",
			    GOT(start, end));
	}
	r->pos = end;
	skip_blanks(r);
	if (r->pos >= r->eol)
		return fail(r, r->pos, "unterminated address");
	if (r->text[r->pos] == ']') {
		r->pos++;
		return ATLAS_OK;
	}
	if (r->text[r->pos] == '+') {
		r->pos++;
		skip_blanks(r);
		end = word_end(r, r->pos);
		if (a->mode == ADDR_REG &&
		    prefixed(r, r->pos, end, "r", 0xffff, &v, &big)) {
			if (big)
				return fail(r, r->pos,
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
			return fail(r, r->pos,
				    "buffer offset must not be negative");
		r->pos++;
		TRY(addr_number(r, (uint64_t)INT32_MAX + 1, "offset", &v));
		a->offset = -(int64_t)v;
	} else {
		return fail(r, r->pos,
			    "expected '+', '-' or ']' in address, "
			    "got %s",
			    GOT(r->pos, word_end(r, r->pos)));
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

	skip_blanks(r);
	end = imm_end(r, r->pos);
	if (r->pos == end)
		return fail(r, r->pos, "expected immediate, got %s",
			    GOT(r->pos, word_end(r, r->pos)));
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
		return fail(r, r->pos, "invalid immediate %s",
			    GOT(r->pos, end));
	if (res == LIT_RANGE) {
		if (tn)
			return fail(r, r->pos,
				    "immediate %.*s out of range for %s",
				    (int)(end - r->pos), r->text + r->pos, tn);
		return fail(r, r->pos,
			    "immediate %.*s out of range (0 to %llu)",
			    (int)(end - r->pos), r->text + r->pos,
			    (unsigned long long)text_imm_max(f));
	}
	r->pos = end;
	return ATLAS_OK;
}

/* The operands of an instruction, by its format's layout. */
static enum atlas_status operands(struct rd *r, struct isa_insn *in)
{
	const enum isa_fmt f = isa_op_table[in->op].fmt;
	char gbuf[80];
	unsigned s = 0;

	for (const char *o = text_operands(f); *o; o++) {
		skip_blanks(r);
		if (r->pos >= r->eol)
			return fail(r, r->pos, "too few operands for '%.*s'",
				    (int)(r->mnem_end - r->mnem),
				    r->text + r->mnem);
		if (o != text_operands(f)) {
			if (r->text[r->pos] != ',')
				return fail(r, r->pos,
					    "expected ',' after operand");
			r->pos++;
		}
		switch (*o) {
		case 'd':
			TRY(reg_operand(r, 'r', &in->dst));
			break;
		case 'q':
			TRY(reg_operand(r, 'p', &in->dst));
			break;
		case 'p':
			TRY(reg_operand(r, 'p', &in->pred));
			break;
		case 's':
			TRY(reg_operand(r, 'r', &in->src[s++]));
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
	skip_blanks(r);
	if (r->pos < r->eol)
		return fail(r, r->pos, "unexpected %s after instruction",
			    GOT(r->pos, word_end(r, r->pos)));
	return ATLAS_OK;
}

/* Find the operation of the mnemonic token [pos, end); returns the end of
   the mnemonic proper (suffixes follow), or 0 if unknown. */
static size_t find_op(const struct rd *r, size_t pos, size_t end, uint16_t *op,
		      uint8_t *cond)
{
	char buf[32];

	/* Longest prefix that ends at a '.' or the token's end. */
	for (size_t e = end; e > pos; e--) {
		int i;

		if (e != end && r->text[e] != '.')
			continue;
		if (!copy(r, pos, e, buf, sizeof buf))
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
			c = lookup(r, pos + 3, e, isa_cond_names, COND_COUNT);
			if (c >= 0) {
				*op = OP_SETCC;
				*cond = (uint8_t)c;
				return e;
			}
		}
	}
	return 0;
}

/* One dot-separated suffix of a mnemonic: text[pos, end), no dot. */
struct suffix {
	size_t pos, end;
};

static enum atlas_status suffix_type(struct rd *r, const struct suffix *s,
				     uint8_t *t)
{
	enum atlas_type ty;

	if (lookup_type(r, s->pos, s->end, &ty) < 0)
		return fail(r, s->pos, "unknown type '%.*s'",
			    (int)(s->end - s->pos), r->text + s->pos);
	*t = (uint8_t)ty;
	return ATLAS_OK;
}

#define MAX_SUFFIX 4

/* The suffixes of an instruction, by its format. */
static enum atlas_status suffixes(struct rd *r, struct isa_insn *in,
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
		return fail(r, r->mnem_end, "missing %s suffix for '%.*s'",
			    missing, (int)(r->mnem_end - r->mnem),
			    r->text + r->mnem);
	if (n > want)
		return fail(r, sfx[want].pos - 1, "unexpected suffix '.%.*s'",
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
			k = lookup(r, sfx[0].pos, sfx[0].end, isa_map_names,
				   MAP_COUNT);
		else if (op->fmt == FMT_PMAP2)
			k = lookup(r, sfx[0].pos, sfx[0].end, isa_map2_names,
				   MAP2_COUNT);
		else
			k = lookup(r, sfx[0].pos, sfx[0].end, isa_red_names,
				   RED_COUNT);
		if (k < 0)
			return fail(r, sfx[0].pos,
				    "unknown %s operation '%.*s'", op->mnemonic,
				    (int)(sfx[0].end - sfx[0].pos),
				    r->text + sfx[0].pos);
		in->sub = (uint8_t)k;
		return suffix_type(r, &sfx[1], &in->type);
	case FMT_BRA:
		if (n) {
			uint64_t v;
			int big;

			if (!prefixed(r, sfx[0].pos, sfx[0].end, "p", 0xfffe,
				      &v, &big))
				return fail(r, sfx[0].pos,
					    "expected predicate, got '%.*s'",
					    (int)(sfx[0].end - sfx[0].pos),
					    r->text + sfx[0].pos);
			if (big)
				return fail(r, sfx[0].pos,
					    "predicate '%.*s' out of range",
					    (int)(sfx[0].end - sfx[0].pos),
					    r->text + sfx[0].pos);
			in->pred = (uint16_t)v;
		}
		return ATLAS_OK;
	case FMT_FENCE:
		k = lookup(r, sfx[0].pos, sfx[0].end, isa_scope_names,
			   SCOPE_COUNT);
		if (k < 0)
			return fail(r, sfx[0].pos, "unknown scope '%.*s'",
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

/*
 * Give each "record NAME" of the header its parameter.  Runs at the first
 * instruction and at the end of the text, so that the name may be a
 * parameter declared after the array.
 */
static enum atlas_status resolve_records(struct rd *r)
{
	enum atlas_status st = ATLAS_OK;
	size_t i;

	for (i = 0; i < r->nrecs && st == ATLAS_OK; i++) {
		const struct pending_record *q = &r->recs[i];
		const long k = atlas_program_param_find(r->p, q->name);

		if (k < 0 || r->p->params[k].kind != ATLAS_PARAM_SCALAR) {
			atlas_error_set(r->err, ATLAS_ERR_PARSE, q->line,
					q->col,
					"record length '%s' is not a scalar "
					"parameter",
					q->name);
			st = ATLAS_ERR_PARSE;
			break;
		}
		st = program_set_access(r->p, q->param, ATLAS_ACCESS_RECORD, 0,
					k, r->err);
		if (st != ATLAS_OK) {
			if (r->err) {
				r->err->code = ATLAS_ERR_PARSE;
				r->err->line = q->line;
				r->err->col = q->col;
			}
			st = ATLAS_ERR_PARSE;
		}
	}
	for (i = 0; i < r->nrecs; i++)
		free(r->recs[i].name);
	r->nrecs = 0;
	return st;
}

static enum atlas_status instruction(struct rd *r)
{
	struct isa_insn in;
	struct suffix sfx[MAX_SUFFIX + 1];
	size_t start = r->pos, end = tok_end(r, r->pos), e, n = 0;
	enum atlas_status st;

	if (!r->have_kernel)
		return fail(r, start, "missing .kernel directive");
	TRY(resolve_records(r));
	memset(&in, 0, sizeof in);
	in.pred = ISA_NO_PRED;
	r->mnem = start;
	r->mnem_end = end;
	e = find_op(r, start, end, &in.op, &in.sub);
	if (!e)
		return fail(r, start, "unknown instruction '%.*s'",
			    (int)(end - start), r->text + start);
	while (e < end && n <= MAX_SUFFIX) {
		/* r->text[e] == '.' */
		size_t s = e + 1;

		e = s;
		while (e < end && r->text[e] != '.')
			e++;
		sfx[n].pos = s;
		sfx[n].end = e;
		n++;
	}
	TRY(suffixes(r, &in, sfx, n));
	r->pos = end;
	TRY(operands(r, &in));
	in.line = (uint32_t)r->line;
	in.col = (uint32_t)colof(r, start);
	st = program_emit(r->p, &in);
	if (st == ATLAS_ERR_LIMIT) {
		atlas_error_set(r->err, st, r->line, colof(r, start),
				"too many instructions (max %u)",
				ISA_MAX_INSNS);
		return st;
	}
	if (st != ATLAS_OK)
		return nomem(r);
	r->have_insn = 1;
	return ATLAS_OK;
}

static enum atlas_status label_def(struct rd *r)
{
	const size_t start = r->pos;
	size_t end = start + 1;
	char gbuf[80];
	enum atlas_status st;
	char *name;
	long i;

	if (!r->have_kernel)
		return fail(r, start, "missing .kernel directive");
	while (end < r->eol && !is_blank((unsigned char)r->text[end]) &&
	       r->text[end] != ':')
		end++;
	if (!text_is_ident(r->text + start + 1, end - start - 1, 1))
		return fail(r, start, "invalid label name '%.*s'",
			    (int)(end - start - 1), r->text + start + 1);
	if (end >= r->eol || r->text[end] != ':')
		return fail(r, end, "expected ':' after label name");
	r->pos = end + 1;
	skip_blanks(r);
	if (r->pos < r->eol)
		return fail(r, r->pos, "unexpected %s after label",
			    GOT(r->pos, tok_end(r, r->pos)));
	if (r->ndefs == r->defs_cap) {
		const size_t ncap = r->defs_cap ? 2 * r->defs_cap : 16;
		size_t *q = realloc(r->defs, ncap * sizeof *q);

		if (!q)
			return nomem(r);
		r->defs = q;
		r->defs_cap = ncap;
	}
	name = strndup(r->text + start + 1, end - start - 1);
	if (!name)
		return nomem(r);
	st = program_label_define(r->p, name, r->err);
	i = st == ATLAS_OK ? program_label_ref(r->p, name) : -1;
	free(name);
	if (st != ATLAS_OK) {
		if (r->err) {
			r->err->line = r->line;
			r->err->col = colof(r, start);
		}
		return st;
	}
	if (i < 0)
		return nomem(r);
	r->p->labels[i].line = (uint32_t)r->line;
	r->p->labels[i].col = (uint32_t)colof(r, start);
	r->defs[r->ndefs++] = (size_t)i;
	return ATLAS_OK;
}

/* Expect the end of a directive's line. */
static enum atlas_status directive_end(struct rd *r)
{
	char gbuf[80];

	skip_blanks(r);
	if (r->pos < r->eol)
		return fail(r, r->pos, "unexpected %s after directive",
			    GOT(r->pos, tok_end(r, r->pos)));
	return ATLAS_OK;
}

/* .kernel NAME */
static enum atlas_status kernel_directive(struct rd *r, size_t start)
{
	size_t end;
	char *name;
	enum atlas_status st;

	if (r->have_kernel)
		return fail(r, start, "duplicate .kernel directive");
	skip_blanks(r);
	end = tok_end(r, r->pos);
	if (r->pos == end)
		return fail(r, r->pos, "expected kernel name");
	if (!text_is_ident(r->text + r->pos, end - r->pos, 0))
		return fail(r, r->pos, "invalid kernel name '%.*s'",
			    (int)(end - r->pos), r->text + r->pos);
	name = strndup(r->text + r->pos, end - r->pos);
	if (!name)
		return nomem(r);
	st = program_set_name(r->p, name);
	free(name);
	if (st != ATLAS_OK)
		return nomem(r);
	r->pos = end;
	r->have_kernel = 1;
	return directive_end(r);
}

/* The optional access class at the end of a .param line. */
struct access {
	enum atlas_access cls;
	uint64_t len;	       /* record: a constant length, or 0 */
	size_t name, name_end; /* record: a parameter's name, or empty */
};

/* [element | resident | reduction | record K | record NAME] */
static enum atlas_status access_word(struct rd *r, enum atlas_param_kind kind,
				     struct access *a)
{
	char gbuf[80];
	size_t end;
	int cls;

	memset(a, 0, sizeof *a);
	skip_blanks(r);
	if (r->pos >= r->eol)
		return ATLAS_OK;
	end = tok_end(r, r->pos);
	cls = lookup(r, r->pos, end, program_access_names, 5);
	if (cls <= (int)ATLAS_ACCESS_ANY)
		return fail(r, r->pos, "unknown access class '%.*s'",
			    (int)(end - r->pos), r->text + r->pos);
	if (kind != ATLAS_PARAM_ARRAY)
		return fail(r, r->pos, "access '%s' needs an array parameter",
			    program_access_names[cls]);
	a->cls = (enum atlas_access)cls;
	r->pos = end;
	if (a->cls != ATLAS_ACCESS_RECORD)
		return ATLAS_OK;
	skip_blanks(r);
	end = tok_end(r, r->pos);
	if (r->pos == end)
		return fail(r, r->pos, "expected record length");
	if ((r->text[r->pos] >= '0' && r->text[r->pos] <= '9') ||
	    r->text[r->pos] == '-') {
		switch (text_parse_uint(r->text + r->pos, end - r->pos,
					PROGRAM_RECORD_MAX, &a->len)) {
		case LIT_OK:
			if (a->len > 0)
				break;
			/* fall through */
		case LIT_RANGE:
			return fail(r, r->pos,
				    "record length %.*s out of range (1 to "
				    "%llu)",
				    (int)(end - r->pos), r->text + r->pos,
				    (unsigned long long)PROGRAM_RECORD_MAX);
		default:
			return fail(r, r->pos, "invalid record length %s",
				    GOT(r->pos, end));
		}
	} else if (text_is_ident(r->text + r->pos, end - r->pos, 0)) {
		a->name = r->pos;
		a->name_end = end;
	} else {
		return fail(r, r->pos, "invalid record length %s",
			    GOT(r->pos, end));
	}
	r->pos = end;
	return ATLAS_OK;
}

/* Give the parameter just added its access class (a named record length
   waits for the end of the header). */
static enum atlas_status set_access(struct rd *r, const struct access *a)
{
	const size_t param = r->p->nparams - 1;
	struct pending_record *q;

	if (a->cls == ATLAS_ACCESS_ANY)
		return ATLAS_OK;
	if (a->cls != ATLAS_ACCESS_RECORD || a->len)
		/* access_word checked what the setter checks */
		return program_set_access(r->p, param, a->cls, a->len, -1,
					  r->err);
	if (r->nrecs == r->recs_cap) {
		const size_t ncap = r->recs_cap ? 2 * r->recs_cap : 8;

		q = realloc(r->recs, ncap * sizeof *q);
		if (!q)
			return nomem(r);
		r->recs = q;
		r->recs_cap = ncap;
	}
	q = &r->recs[r->nrecs];
	q->name = strndup(r->text + a->name, a->name_end - a->name);
	if (!q->name)
		return nomem(r);
	q->param = param;
	q->line = r->line;
	q->col = colof(r, a->name);
	r->nrecs++;
	return ATLAS_OK;
}

/* .param NAME TYPE[] USE rN [ACCESS]  /  .param NAME TYPE USE rN */
static enum atlas_status param_directive(struct rd *r, size_t start)
{
	enum atlas_param_kind kind = ATLAS_PARAM_SCALAR;
	enum atlas_type type;
	size_t name, name_end, end;
	struct access acc;
	enum atlas_status st;
	uint16_t reg;
	char *s;
	int use;

	if (!r->have_kernel)
		return fail(r, start, "missing .kernel directive");
	if (r->have_insn)
		return fail(r, start, ".param after the first instruction");
	skip_blanks(r);
	name = r->pos;
	name_end = tok_end(r, name);
	if (name == name_end)
		return fail(r, name, "expected parameter name");
	if (!text_is_ident(r->text + name, name_end - name, 0))
		return fail(r, name, "invalid parameter name '%.*s'",
			    (int)(name_end - name), r->text + name);
	r->pos = name_end;
	skip_blanks(r);
	end = tok_end(r, r->pos);
	if (r->pos == end)
		return fail(r, r->pos, "expected parameter type");
	if (end - r->pos > 2 && memcmp(r->text + end - 2, "[]", 2) == 0) {
		kind = ATLAS_PARAM_ARRAY;
		if (lookup_type(r, r->pos, end - 2, &type) < 0)
			return fail(r, r->pos, "unknown type '%.*s'",
				    (int)(end - 2 - r->pos), r->text + r->pos);
	} else if (lookup_type(r, r->pos, end, &type) < 0) {
		return fail(r, r->pos, "unknown type '%.*s'",
			    (int)(end - r->pos), r->text + r->pos);
	}
	r->pos = end;
	skip_blanks(r);
	end = tok_end(r, r->pos);
	if (r->pos == end)
		return fail(r, r->pos, "expected parameter use");
	use = lookup(r, r->pos, end, text_use_names, 5);
	if (use < 0)
		return fail(r, r->pos, "unknown parameter use '%.*s'",
			    (int)(end - r->pos), r->text + r->pos);
	if (kind == ATLAS_PARAM_ARRAY && use > ATLAS_USE_INOUT)
		return fail(r, r->pos, "use '%s' needs a scalar parameter",
			    text_use_names[use]);
	if (kind == ATLAS_PARAM_SCALAR && use <= ATLAS_USE_INOUT)
		return fail(r, r->pos, "use '%s' needs an array parameter",
			    text_use_names[use]);
	r->pos = end;
	TRY(reg_operand(r, 'r', &reg));
	TRY(access_word(r, kind, &acc));
	TRY(directive_end(r));
	s = strndup(r->text + name, name_end - name);
	if (!s)
		return nomem(r);
	st = program_add_param(r->p, s, kind, type, (enum atlas_param_use)use,
			       reg, r->err);
	free(s);
	if (st != ATLAS_OK) {
		if (r->err) {
			r->err->line = r->line;
			r->err->col = colof(r, name);
		}
		return st;
	}
	r->p->params[r->p->nparams - 1].line = (uint32_t)r->line;
	r->p->params[r->p->nparams - 1].col = (uint32_t)colof(r, start);
	return set_access(r, &acc);
}

static enum atlas_status directive(struct rd *r)
{
	const size_t start = r->pos, end = tok_end(r, r->pos);

	r->pos = end;
	if (equals(r, start, end, ".kernel"))
		return kernel_directive(r, start);
	if (equals(r, start, end, ".param"))
		return param_directive(r, start);
	return fail(r, start, "unknown directive '%.*s'", (int)(end - start),
		    r->text + start);
}

/*
 * Put the labels in definition order (then the undefined ones), so that
 * the JSON form lists them as the text defines them and writing gives
 * back the same text whatever order references created them in.
 */
static enum atlas_status reorder_labels(struct rd *r)
{
	struct atlas_program *p = r->p;
	struct isa_label *nl;
	uint32_t *map;
	size_t k = 0;

	if (p->nlabels == 0)
		return ATLAS_OK;
	nl = malloc(p->nlabels * sizeof *nl);
	map = malloc(p->nlabels * sizeof *map);
	if (!nl || !map) {
		free(nl);
		free(map);
		return nomem(r);
	}
	for (size_t i = 0; i < r->ndefs; i++) {
		nl[k] = p->labels[r->defs[i]];
		map[r->defs[i]] = (uint32_t)k++;
	}
	for (size_t i = 0; i < p->nlabels; i++) {
		if (!p->labels[i].defined) {
			nl[k] = p->labels[i];
			map[i] = (uint32_t)k++;
		}
	}
	for (size_t i = 0; i < p->ninsns; i++) {
		const enum isa_fmt f = isa_op_table[p->insns[i].op].fmt;

		if (f == FMT_BRA || f == FMT_CALL || f == FMT_LOOP)
			p->insns[i].label = map[p->insns[i].label];
	}
	free(p->labels);
	free(map);
	p->labels = nl;
	p->labels_cap = p->nlabels;
	return program_label_reindex(p) == ATLAS_OK ? ATLAS_OK : nomem(r);
}

static enum atlas_status line(struct rd *r)
{
	skip_blanks(r);
	if (r->pos >= r->eol)
		return ATLAS_OK;
	switch (r->text[r->pos]) {
	case '.':
		return directive(r);
	case '@':
		return label_def(r);
	default:
		return instruction(r);
	}
}

/* Read every line of r->text into r->p. */
static enum atlas_status read_lines(struct rd *r)
{
	enum atlas_status st;
	size_t next;

	for (r->bol = 0, r->line = 1; r->bol < r->len;
	     r->bol = next, r->line++) {
		const char *nl =
			memchr(r->text + r->bol, '\n', r->len - r->bol);
		const char *hash;

		r->eol = nl ? (size_t)(nl - r->text) : r->len;
		next = nl ? r->eol + 1 : r->len;
		hash = memchr(r->text + r->bol, '#', r->eol - r->bol);
		if (hash)
			r->eol = (size_t)(hash - r->text);
		r->pos = r->bol;
		st = line(r);
		if (st != ATLAS_OK)
			return st;
	}
	return resolve_records(r);
}

static void release(struct rd *r)
{
	for (size_t i = 0; i < r->nrecs; i++)
		free(r->recs[i].name);
	free(r->recs);
	free(r->defs);
}

enum atlas_status asm_read(const char *text, size_t len,
			   struct atlas_program **out, struct atlas_error *err)
{
	struct rd r;
	enum atlas_status st;

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.text = text;
	r.len = len;
	r.err = err;
	r.p = program_new("");
	if (!r.p) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	st = read_lines(&r);
	if (st == ATLAS_OK && !r.have_kernel) {
		atlas_error_set(err, ATLAS_ERR_PARSE, 1, 1,
				"missing .kernel directive");
		st = ATLAS_ERR_PARSE;
	}
	if (st == ATLAS_OK)
		st = reorder_labels(&r);
	release(&r);
	if (st != ATLAS_OK) {
		atlas_program_free(r.p);
		return st;
	}
	*out = r.p;
	return ATLAS_OK;
}

enum atlas_status asm_append(struct atlas_program *p, const char *text,
			     size_t len, struct atlas_error *err)
{
	struct rd r;
	enum atlas_status st;

	memset(&r, 0, sizeof r);
	r.text = text;
	r.len = len;
	r.err = err;
	r.p = p;
	r.have_kernel = 1;
	r.have_insn = p->ninsns > 0;
	p->verified = 0;
	st = read_lines(&r);
	release(&r);
	return st;
}
