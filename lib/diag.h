/*
 * diag.h - building a list of diagnostics (struct atlas_diags, atlas.h
 * "validation").  Internal to lib/.
 */
#ifndef ATLAS_DIAG_H
#define ATLAS_DIAG_H

#include <stddef.h>

#include "atlas.h"

/*
 * Append a diagnostic of severity sev and check id at line, col of the
 * kernel called kernel (NULL: none) to d, its message formatted; an
 * overlong kernel name or message is cut short.  Returns ATLAS_OK or
 * ATLAS_ERR_NOMEM (d unchanged).
 */
enum atlas_status diag_add(struct atlas_diags *d, enum atlas_severity sev,
			   const char *id, size_t line, size_t col,
			   const char *kernel, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Sort d->v[from ..] by line, then column, keeping the order of ties. */
enum atlas_status diag_sort(struct atlas_diags *d, size_t from);

#endif /* ATLAS_DIAG_H */
