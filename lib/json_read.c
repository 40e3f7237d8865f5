/* json_read.c - STUB, being written. */
#include "program.h"

enum atlas_status json_read(const char *text, size_t len,
			   struct atlas_program **out, struct atlas_error *err)
{
	(void)text;
	(void)len;
	*out = NULL;
	atlas_error_set(err, ATLAS_ERR_PARSE, 0, 0, "not implemented");
	return ATLAS_ERR_PARSE;
}
