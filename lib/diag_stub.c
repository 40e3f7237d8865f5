/*
 * diag_stub.c - TEMPORARY weak stand-ins for the diagnostics API of
 * atlas.h (lib/diag.c and lib/lint.c, written in another branch), so that
 * atlas-validate builds and runs on the wip-vcli branch.  Delete this file
 * when lib/diag.c is merged: the strong definitions there replace these.
 *
 * atlas_validate_text compiles the text and turns a failure into one
 * error diagnostic; atlas_program_lint finds nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "atlas.h"

#define WEAK __attribute__((weak))

WEAK const char *atlas_severity_name(enum atlas_severity s)
{
	static const char *const names[] = {"note", "warning", "error"};

	return (unsigned)s < 3 ? names[s] : "?";
}

WEAK void atlas_diags_free(struct atlas_diags *d)
{
	if (!d)
		return;
	free(d->v);
	memset(d, 0, sizeof *d);
}

WEAK enum atlas_status atlas_program_lint(const struct atlas_program *p,
					  struct atlas_diags *d,
					  struct atlas_error *err)
{
	(void)p;
	(void)d;
	(void)err;
	return ATLAS_OK;
}

WEAK enum atlas_status atlas_validate_text(const char *text, size_t len,
					   enum atlas_source src,
					   struct atlas_diags *d,
					   struct atlas_error *err)
{
	struct atlas_program **p;
	struct atlas_error e;
	struct atlas_diag *g;
	size_t n;

	if (atlas_compile(text, len, src, &p, &n, &e) == ATLAS_OK) {
		for (size_t i = 0; i < n; i++)
			if (atlas_program_lint(p[i], d, err) != ATLAS_OK) {
				atlas_programs_free(p, n);
				return ATLAS_ERR_NOMEM;
			}
		atlas_programs_free(p, n);
		return ATLAS_OK;
	}
	if (e.code == ATLAS_ERR_NOMEM) {
		if (err)
			*err = e;
		return ATLAS_ERR_NOMEM;
	}
	if (d->n == d->cap) {
		const size_t cap = d->cap ? 2 * d->cap : 8;

		if (!(g = realloc(d->v, cap * sizeof *g))) {
			if (err)
				memset(err, 0, sizeof *err);
			return ATLAS_ERR_NOMEM;
		}
		d->v = g;
		d->cap = cap;
	}
	g = &d->v[d->n++];
	memset(g, 0, sizeof *g);
	g->severity = ATLAS_SEV_ERROR;
	memcpy(g->id, e.id, sizeof g->id);
	g->line = e.line;
	g->col = e.col;
	memcpy(g->msg, e.msg, sizeof g->msg);
	d->count[ATLAS_SEV_ERROR]++;
	return ATLAS_OK;
}
