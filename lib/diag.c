/*
 * diag.c - diagnostics: the list atlas_program_lint and
 * atlas_validate_text fill, and atlas_validate_text itself, which is
 * atlas_compile's error or every kernel's lint (lint.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "program.h"

const char *atlas_severity_name(enum atlas_severity s)
{
	static const char *const names[] = {"note", "warning", "error"};

	return (unsigned)s < 3 ? names[s] : "?";
}

void atlas_diags_free(struct atlas_diags *d)
{
	if (!d)
		return;
	free(d->v);
	memset(d, 0, sizeof *d);
}

enum atlas_status diag_add(struct atlas_diags *d, enum atlas_severity sev,
			   const char *id, size_t line, size_t col,
			   const char *kernel, const char *fmt, ...)
{
	struct atlas_diag *g;
	va_list ap;

	if (d->n == d->cap) {
		const size_t cap = d->cap ? d->cap * 2 : 16;
		struct atlas_diag *v = realloc(d->v, cap * sizeof *v);

		if (!v)
			return ATLAS_ERR_NOMEM;
		d->v = v;
		d->cap = cap;
	}
	g = &d->v[d->n++];
	g->severity = sev;
	snprintf(g->id, sizeof g->id, "%s", id);
	g->line = line;
	g->col = col;
	snprintf(g->kernel, sizeof g->kernel, "%s", kernel ? kernel : "");
	va_start(ap, fmt);
	vsnprintf(g->msg, sizeof g->msg, fmt, ap);
	va_end(ap);
	if ((unsigned)sev < 3)
		d->count[sev]++;
	return ATLAS_OK;
}

static int before(const struct atlas_diag *a, const struct atlas_diag *b)
{
	return a->line != b->line ? a->line < b->line : a->col < b->col;
}

enum atlas_status diag_sort(struct atlas_diags *d, size_t from)
{
	const size_t n = d->n - from;
	struct atlas_diag *a = d->v + from, *tmp;

	/* almost always in order already: check before allocating */
	for (size_t i = 1; i < n; i++)
		if (before(&a[i], &a[i - 1]))
			goto sort;
	return ATLAS_OK;
sort:
	if (!(tmp = malloc(n * sizeof *tmp)))
		return ATLAS_ERR_NOMEM;
	/* bottom-up merge sort: stable */
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			const size_t mid = lo + w < n ? lo + w : n;
			const size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				tmp[k++] = before(&a[j], &a[i]) ? a[j++] :
								  a[i++];
			while (i < mid)
				tmp[k++] = a[i++];
			while (j < hi)
				tmp[k++] = a[j++];
		}
		memcpy(a, tmp, n * sizeof *a);
	}
	free(tmp);
	return ATLAS_OK;
}

static enum atlas_status nomem(struct atlas_error *err)
{
	atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
}

enum atlas_status atlas_validate_text(const char *text, size_t len,
				      enum atlas_source src,
				      struct atlas_diags *d,
				      struct atlas_error *err)
{
	struct atlas_program **v = NULL;
	struct atlas_error e;
	size_t n = 0;
	enum atlas_status st;

	if ((unsigned)src > ATLAS_SOURCE_JSON) {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
				"unknown kernel source kind %d", (int)src);
		return ATLAS_ERR_ARG;
	}
	memset(&e, 0, sizeof e);
	st = atlas_compile(text, len, src, &v, &n, &e);
	if (st == ATLAS_ERR_NOMEM) {
		if (err)
			*err = e;
		return st;
	}
	if (st != ATLAS_OK)
		return diag_add(d, ATLAS_SEV_ERROR, e.id, e.line, e.col, NULL,
				"%s", e.msg) == ATLAS_OK ?
			       ATLAS_OK :
			       nomem(err);
	for (size_t i = 0; i < n && st == ATLAS_OK; i++)
		st = atlas_program_lint(v[i], d, err);
	atlas_programs_free(v, n);
	return st;
}
