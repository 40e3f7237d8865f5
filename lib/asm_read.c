/*
 * asm_read.c - the assembly reader (man 7 atlas-isa): the cursor and its
 * tokens, lines, label definitions, directives and the driver.  The
 * mnemonics and operands of an instruction are read in asm_operand.c.
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

#include "asm_read.h"
#include "text_util.h"

int rd_is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

size_t rd_col(const struct rd *r, size_t pos)
{
	size_t c = 1;

	for (size_t i = r->bol; i < pos; i++)
		c += ((unsigned char)r->text[i] & 0xc0) != 0x80;
	return c;
}

__attribute__((format(printf, 3, 4))) enum atlas_status
rd_fail(struct rd *r, size_t pos, const char *fmt, ...)
{
	char msg[sizeof r->err->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	atlas_error_set(r->err, ATLAS_ERR_PARSE, r->line, rd_col(r, pos), "%s",
			msg);
	return ATLAS_ERR_PARSE;
}

enum atlas_status rd_nomem(struct rd *r)
{
	atlas_error_set(r->err, ATLAS_ERR_NOMEM, r->line, rd_col(r, r->pos),
			"out of memory");
	return ATLAS_ERR_NOMEM;
}

void rd_skip_blanks(struct rd *r)
{
	while (r->pos < r->eol && rd_is_blank((unsigned char)r->text[r->pos]))
		r->pos++;
}

static int is_punct(int c)
{
	return c == '[' || c == ']' || c == '(' || c == ')' || c == ',' ||
	       c == '+' || c == ':';
}

/* End of the operand-like word at pos: one punctuation character, or a
   run of anything else up to a blank, punctuation or '-'. */
size_t rd_word_end(const struct rd *r, size_t pos)
{
	if (pos >= r->eol)
		return pos;
	if (is_punct((unsigned char)r->text[pos]))
		return pos + 1;
	/* A '-' ends a word (as in "[r1-4]") unless it starts one. */
	pos++;
	while (pos < r->eol && !rd_is_blank((unsigned char)r->text[pos]) &&
	       !is_punct((unsigned char)r->text[pos]) && r->text[pos] != '-')
		pos++;
	return pos;
}

/* End of a blank-delimited token at pos. */
size_t rd_tok_end(const struct rd *r, size_t pos)
{
	while (pos < r->eol && !rd_is_blank((unsigned char)r->text[pos]))
		pos++;
	return pos;
}

/* "'word'" or "end of line", for messages. */
const char *rd_got(const struct rd *r, size_t pos, size_t end, char *buf,
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

int rd_equals(const struct rd *r, size_t pos, size_t end, const char *s)
{
	return end - pos == strlen(s) &&
	       memcmp(r->text + pos, s, end - pos) == 0;
}

/* Copy text[pos, end) into buf as a NUL-terminated string; 0 if it did
   not fit (then it cannot be a known name anyway). */
int rd_copy(const struct rd *r, size_t pos, size_t end, char *buf, size_t size)
{
	if (end - pos >= size)
		return 0;
	memcpy(buf, r->text + pos, end - pos);
	buf[end - pos] = '\0';
	return 1;
}

/* Look text[pos, end) up in a name table; -1 if absent. */
int rd_lookup(const struct rd *r, size_t pos, size_t end,
	      const char *const *names, int n)
{
	char buf[32];

	if (!rd_copy(r, pos, end, buf, sizeof buf))
		return -1;
	return isa_name_find(names, n, buf);
}

int rd_lookup_type(const struct rd *r, size_t pos, size_t end,
		   enum atlas_type *t)
{
	char buf[32];

	return rd_copy(r, pos, end, buf, sizeof buf) &&
			       atlas_type_parse(buf, t) == 0 ?
		       0 :
		       -1;
}

/*
 * Parse a decimal number with a letter prefix ("r12", "p0", "buf3") at
 * [pos, end).  Returns 1 if the word has that shape (then *v is set, or
 * *big when it exceeds max), 0 if not.
 */
int rd_prefixed(const struct rd *r, size_t pos, size_t end, const char *prefix,
		uint64_t max, uint64_t *v, int *big)
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

#define MAX_SUFFIX 4

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
	size_t start = r->pos, end = rd_tok_end(r, r->pos), e, n = 0;
	enum atlas_status st;

	if (!r->have_kernel)
		return rd_fail(r, start, "missing .kernel directive");
	TRY(resolve_records(r));
	memset(&in, 0, sizeof in);
	in.pred = ISA_NO_PRED;
	r->mnem = start;
	r->mnem_end = end;
	e = rd_find_op(r, start, end, &in.op, &in.sub);
	if (!e)
		return rd_fail(r, start, "unknown instruction '%.*s'",
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
	TRY(rd_suffixes(r, &in, sfx, n));
	r->pos = end;
	TRY(rd_operands(r, &in));
	in.line = (uint32_t)r->line;
	in.col = (uint32_t)rd_col(r, start);
	st = program_emit(r->p, &in);
	if (st == ATLAS_ERR_LIMIT) {
		atlas_error_set(r->err, st, r->line, rd_col(r, start),
				"too many instructions (max %u)",
				ISA_MAX_INSNS);
		return error_tag(st, r->err, "limit");
	}
	if (st != ATLAS_OK)
		return rd_nomem(r);
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
		return rd_fail(r, start, "missing .kernel directive");
	while (end < r->eol && !rd_is_blank((unsigned char)r->text[end]) &&
	       r->text[end] != ':')
		end++;
	if (!text_is_ident(r->text + start + 1, end - start - 1, 1))
		return rd_fail(r, start, "invalid label name '%.*s'",
			       (int)(end - start - 1), r->text + start + 1);
	if (end >= r->eol || r->text[end] != ':')
		return rd_fail(r, end, "expected ':' after label name");
	r->pos = end + 1;
	rd_skip_blanks(r);
	if (r->pos < r->eol)
		return rd_fail(r, r->pos, "unexpected %s after label",
			       GOT(r->pos, rd_tok_end(r, r->pos)));
	if (r->ndefs == r->defs_cap) {
		const size_t ncap = r->defs_cap ? 2 * r->defs_cap : 16;
		size_t *q = realloc(r->defs, ncap * sizeof *q);

		if (!q)
			return rd_nomem(r);
		r->defs = q;
		r->defs_cap = ncap;
	}
	name = strndup(r->text + start + 1, end - start - 1);
	if (!name)
		return rd_nomem(r);
	st = program_label_define(r->p, name, r->err);
	i = st == ATLAS_OK ? program_label_ref(r->p, name) : -1;
	free(name);
	if (st != ATLAS_OK) {
		if (r->err) {
			r->err->line = r->line;
			r->err->col = rd_col(r, start);
		}
		return st;
	}
	if (i < 0)
		return rd_nomem(r);
	r->p->labels[i].line = (uint32_t)r->line;
	r->p->labels[i].col = (uint32_t)rd_col(r, start);
	r->defs[r->ndefs++] = (size_t)i;
	return ATLAS_OK;
}

/* Expect the end of a directive's line. */
static enum atlas_status directive_end(struct rd *r)
{
	char gbuf[80];

	rd_skip_blanks(r);
	if (r->pos < r->eol)
		return rd_fail(r, r->pos, "unexpected %s after directive",
			       GOT(r->pos, rd_tok_end(r, r->pos)));
	return ATLAS_OK;
}

/* .kernel NAME */
static enum atlas_status kernel_directive(struct rd *r, size_t start)
{
	size_t end;
	char *name;
	enum atlas_status st;

	if (r->have_kernel)
		return rd_fail(r, start, "duplicate .kernel directive");
	rd_skip_blanks(r);
	end = rd_tok_end(r, r->pos);
	if (r->pos == end)
		return rd_fail(r, r->pos, "expected kernel name");
	if (!text_is_ident(r->text + r->pos, end - r->pos, 0))
		return rd_fail(r, r->pos, "invalid kernel name '%.*s'",
			       (int)(end - r->pos), r->text + r->pos);
	name = strndup(r->text + r->pos, end - r->pos);
	if (!name)
		return rd_nomem(r);
	st = program_set_name(r->p, name);
	free(name);
	if (st != ATLAS_OK)
		return rd_nomem(r);
	r->pos = end;
	r->have_kernel = 1;
	return directive_end(r);
}

/* The optional access class at the end of a .param line. */
struct access {
	enum atlas_access cls;
	uint64_t len;	       /* record, reduction: a constant length, or 0 */
	size_t name, name_end; /* record: a parameter's name, or empty */
};

/* A constant record or reduction length (what: "record", "reduction"),
   from 1 to PROGRAM_RECORD_MAX, at r->pos up to end. */
static enum atlas_status length_word(struct rd *r, const char *what, size_t end,
				     uint64_t *len)
{
	char gbuf[80];

	switch (text_parse_uint(r->text + r->pos, end - r->pos,
				PROGRAM_RECORD_MAX, len)) {
	case LIT_OK:
		if (*len > 0)
			return ATLAS_OK;
		/* fall through */
	case LIT_RANGE:
		return rd_fail(r, r->pos,
			       "%s length %.*s out of range (1 to %llu)", what,
			       (int)(end - r->pos), r->text + r->pos,
			       (unsigned long long)PROGRAM_RECORD_MAX);
	default:
		return rd_fail(r, r->pos, "invalid %s length %s", what,
			       GOT(r->pos, end));
	}
}

/* [element | resident | reduction [N] | record K | record NAME] */
static enum atlas_status access_word(struct rd *r, enum atlas_param_kind kind,
				     struct access *a)
{
	char gbuf[80];
	size_t end;
	int cls;

	memset(a, 0, sizeof *a);
	rd_skip_blanks(r);
	if (r->pos >= r->eol)
		return ATLAS_OK;
	end = rd_tok_end(r, r->pos);
	cls = rd_lookup(r, r->pos, end, program_access_names, 5);
	if (cls <= (int)ATLAS_ACCESS_ANY)
		return rd_fail(r, r->pos, "unknown access class '%.*s'",
			       (int)(end - r->pos), r->text + r->pos);
	if (kind != ATLAS_PARAM_ARRAY)
		return rd_fail(r, r->pos,
			       "access '%s' needs an array parameter",
			       program_access_names[cls]);
	a->cls = (enum atlas_access)cls;
	r->pos = end;
	if (a->cls == ATLAS_ACCESS_REDUCTION) {
		/* an optional length; a comment or the end of line ends it */
		rd_skip_blanks(r);
		end = rd_tok_end(r, r->pos);
		if (r->pos == end)
			return ATLAS_OK;
		TRY(length_word(r, "reduction", end, &a->len));
		r->pos = end;
		return ATLAS_OK;
	}
	if (a->cls != ATLAS_ACCESS_RECORD)
		return ATLAS_OK;
	rd_skip_blanks(r);
	end = rd_tok_end(r, r->pos);
	if (r->pos == end)
		return rd_fail(r, r->pos, "expected record length");
	if ((r->text[r->pos] >= '0' && r->text[r->pos] <= '9') ||
	    r->text[r->pos] == '-') {
		TRY(length_word(r, "record", end, &a->len));
	} else if (text_is_ident(r->text + r->pos, end - r->pos, 0)) {
		a->name = r->pos;
		a->name_end = end;
	} else {
		return rd_fail(r, r->pos, "invalid record length %s",
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
			return rd_nomem(r);
		r->recs = q;
		r->recs_cap = ncap;
	}
	q = &r->recs[r->nrecs];
	q->name = strndup(r->text + a->name, a->name_end - a->name);
	if (!q->name)
		return rd_nomem(r);
	q->param = param;
	q->line = r->line;
	q->col = rd_col(r, a->name);
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
		return rd_fail(r, start, "missing .kernel directive");
	if (r->have_insn)
		return rd_fail(r, start, ".param after the first instruction");
	rd_skip_blanks(r);
	name = r->pos;
	name_end = rd_tok_end(r, name);
	if (name == name_end)
		return rd_fail(r, name, "expected parameter name");
	if (!text_is_ident(r->text + name, name_end - name, 0))
		return rd_fail(r, name, "invalid parameter name '%.*s'",
			       (int)(name_end - name), r->text + name);
	r->pos = name_end;
	rd_skip_blanks(r);
	end = rd_tok_end(r, r->pos);
	if (r->pos == end)
		return rd_fail(r, r->pos, "expected parameter type");
	if (end - r->pos > 2 && memcmp(r->text + end - 2, "[]", 2) == 0) {
		kind = ATLAS_PARAM_ARRAY;
		if (rd_lookup_type(r, r->pos, end - 2, &type) < 0)
			return rd_fail(r, r->pos, "unknown type '%.*s'",
				       (int)(end - 2 - r->pos),
				       r->text + r->pos);
	} else if (rd_lookup_type(r, r->pos, end, &type) < 0) {
		return rd_fail(r, r->pos, "unknown type '%.*s'",
			       (int)(end - r->pos), r->text + r->pos);
	}
	r->pos = end;
	rd_skip_blanks(r);
	end = rd_tok_end(r, r->pos);
	if (r->pos == end)
		return rd_fail(r, r->pos, "expected parameter use");
	use = rd_lookup(r, r->pos, end, text_use_names, 5);
	if (use < 0)
		return rd_fail(r, r->pos, "unknown parameter use '%.*s'",
			       (int)(end - r->pos), r->text + r->pos);
	if (kind == ATLAS_PARAM_ARRAY && use > ATLAS_USE_INOUT)
		return rd_fail(r, r->pos, "use '%s' needs a scalar parameter",
			       text_use_names[use]);
	if (kind == ATLAS_PARAM_SCALAR && use <= ATLAS_USE_INOUT)
		return rd_fail(r, r->pos, "use '%s' needs an array parameter",
			       text_use_names[use]);
	r->pos = end;
	TRY(rd_reg_operand(r, 'r', &reg));
	TRY(access_word(r, kind, &acc));
	TRY(directive_end(r));
	s = strndup(r->text + name, name_end - name);
	if (!s)
		return rd_nomem(r);
	st = program_add_param(r->p, s, kind, type, (enum atlas_param_use)use,
			       reg, r->err);
	free(s);
	if (st != ATLAS_OK) {
		if (r->err) {
			r->err->line = r->line;
			r->err->col = rd_col(r, name);
		}
		return st;
	}
	r->p->params[r->p->nparams - 1].line = (uint32_t)r->line;
	r->p->params[r->p->nparams - 1].col = (uint32_t)rd_col(r, start);
	return set_access(r, &acc);
}

static enum atlas_status directive(struct rd *r)
{
	const size_t start = r->pos, end = rd_tok_end(r, r->pos);
	enum atlas_status st;

	r->pos = end;
	if (asm_meta_directive(r, start, end, &st))
		return st;
	if (rd_equals(r, start, end, ".kernel"))
		return kernel_directive(r, start);
	if (rd_equals(r, start, end, ".param"))
		return param_directive(r, start);
	return rd_fail(r, start, "unknown directive '%.*s'", (int)(end - start),
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
		return rd_nomem(r);
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
	return program_label_reindex(p) == ATLAS_OK ? ATLAS_OK : rd_nomem(r);
}

static enum atlas_status line(struct rd *r)
{
	rd_skip_blanks(r);
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
