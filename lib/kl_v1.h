/*
 * kl_v1.h - inside the v1.0 JSON reader (kl_v1_read.c: kernels,
 * parameters, helpers; kl_v1_body.c: statements and expressions): a JSON
 * value with its offset, the reader's state, and the helpers that place
 * every schema error at the offending value under its path.  Internal to
 * those files.
 */
#ifndef ATLAS_KL_V1_H
#define ATLAS_KL_V1_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "kl.h"

/* A JSON value and its offset in the text. */
struct val {
	const cJSON *j;
	size_t off;
};

/* The reader: the text, the first error, where it is. */
struct rd {
	const char *text;
	size_t len;
	struct atlas_error *err;
	enum atlas_status st;
	char where[200]; /* path of the value being read */
	int loops;	 /* loops around the statement being read */
	/* A cursor for positions: values are mostly read in text order. */
	size_t cur_off, cur_line, cur_col;
};

/* ---- errors and paths (kl_v1_read.c) ------------------------------------ */

/* Line and column of byte off of the text. */
void v1_linecol(struct rd *r, size_t off, uint32_t *line, uint32_t *col);
/*
 * Record a schema error at off, prefixed by the path ("kernel.body[2]:
 * ..."), unless one is recorded already; returns -1.
 */
int v1_fail(struct rd *r, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int v1_nomem(struct rd *r);
/* Extend the path by ".key" or "[i]"; each returns the length that
   v1_path_restore takes back to. */
size_t v1_path_key(struct rd *r, const char *key);
size_t v1_path_index(struct rd *r, size_t i);
void v1_path_restore(struct rd *r, size_t n);

/* ---- objects ------------------------------------------------------------ */

/* Every key of object o is one of keys[] (NULL-terminated), once. */
int v1_check_keys(struct rd *r, struct val o, const char *const *keys);
/* Member key of object o; a missing one is an error unless optional (then
   v->j is NULL). */
int v1_member(struct rd *r, struct val o, const char *key, int optional,
	      struct val *v);
/* A member that must be a string. */
int v1_member_str(struct rd *r, struct val o, const char *key, struct val *v);
/* A member that is a name (an identifier): a malloc'd copy in *out. */
int v1_member_name(struct rd *r, struct val o, const char *key, char **out);
/* Offset of the element after the one at off in its array. */
size_t v1_next_off(const struct rd *r, size_t off);

/* ---- statements (kl_v1_body.c) ------------------------------------------ */

/*
 * The statement array o[key] into b.  When optional, a missing key or null
 * leaves *present 0.
 */
int v1_block(struct rd *r, struct val o, const char *key, int optional,
	     struct kl_block *b, int *present);

#endif /* ATLAS_KL_V1_H */
