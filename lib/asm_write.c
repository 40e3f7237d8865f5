/* asm_write.c - STUB, being written. */
#include <stddef.h>

#include "program.h"

char *asm_write(const struct atlas_program *p)
{
	(void)p;
	return NULL;
}
