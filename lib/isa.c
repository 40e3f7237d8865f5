/*
 * isa.c - the instruction table and type properties.
 */
#include <string.h>

#include "isa.h"

const struct isa_op_info isa_op_table[OP_COUNT] = {
#define ISA_INFO(e, m, f, g, t) [OP_##e] = {m, f, g, t},
	ISA_OPS(ISA_INFO)
#undef ISA_INFO
};

const char *const isa_cond_names[COND_COUNT] = {
	"eq", "ne", "lt", "le", "gt", "ge", "ltu", "leu", "gtu", "geu"};

const char *const isa_scope_names[SCOPE_COUNT] = {"thread", "block", "device",
						  "system"};

const char *const isa_map_names[MAP_COUNT] = {
#define ISA_MAP_NAME(e, s) s,
	ISA_MAP_OPS(ISA_MAP_NAME)
#undef ISA_MAP_NAME
};

const char *const isa_map2_names[MAP2_COUNT] = {"add", "sub", "mul", "div",
						"pow", "min", "max", "atan2"};

const char *const isa_red_names[RED_COUNT] = {"sum", "product", "min", "max"};

const char *const isa_gemm_trans_names[ISA_GEMM_TRANS] = {"nn", "tn", "nt",
							  "tt"};
const char *const isa_gemv_trans_names[ISA_GEMV_TRANS] = {"n", "t"};

static const char *const type_names[ATLAS_NTYPES] = {"i8",   "i16", "i32",
						     "i64",  "u8",  "u16",
						     "u32",  "u64", "f16",
						     "bf16", "f32", "f64"};

static const unsigned char type_sizes[ATLAS_NTYPES] = {1, 2, 4, 8, 1, 2,
						       4, 8, 2, 2, 4, 8};

const char *atlas_type_name(enum atlas_type t)
{
	return (unsigned)t < ATLAS_NTYPES ? type_names[t] : "?";
}

size_t atlas_type_size(enum atlas_type t)
{
	return (unsigned)t < ATLAS_NTYPES ? type_sizes[t] : 0;
}

int atlas_type_parse(const char *name, enum atlas_type *t)
{
	int i = isa_name_find(type_names, ATLAS_NTYPES, name);

	if (i < 0)
		return -1;
	*t = (enum atlas_type)i;
	return 0;
}

int isa_type_is_int(enum atlas_type t)
{
	return t <= ATLAS_U64;
}

int isa_type_is_signed(enum atlas_type t)
{
	return t <= ATLAS_I64 || t >= ATLAS_F16;
}

int isa_type_is_float(enum atlas_type t)
{
	return t >= ATLAS_F16 && t <= ATLAS_F64;
}

int isa_op_find(const char *mnemonic)
{
	for (int i = 0; i < OP_COUNT; i++)
		if (strcmp(isa_op_table[i].mnemonic, mnemonic) == 0)
			return i;
	return -1;
}

int isa_name_find(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}
