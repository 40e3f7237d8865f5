/*
 * program.h - the in-memory program: parameters, instructions, labels, and
 * what the verifier learns about them.  Internal to lib/.
 */
#ifndef ATLAS_PROGRAM_H
#define ATLAS_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "atlas.h"
#include "isa.h"

#define PROGRAM_NAME_MAX 128

struct isa_label {
	char *name;	 /* without the '@' */
	uint32_t target; /* instruction index; == ninsns means "past the end" */
	int defined;	 /* 0 while only referenced */
	uint32_t line, col; /* where defined (or first referenced) */
};

struct isa_param {
	char *name;
	enum atlas_param_kind kind;
	enum atlas_type type;
	enum atlas_param_use use;
	uint16_t reg;
	uint16_t handle; /* arrays: 1 + array ordinal; scalars: 0 */
	uint32_t line, col;
	enum atlas_access access; /* arrays; ATLAS_ACCESS_ANY by default */
	uint64_t record_len;	  /* RECORD with a constant length;
				     REDUCTION: its length, 0 if unknown */
	long record_param;	  /* RECORD with a scalar's length, or -1 */
};

/*
 * Facts the verifier establishes and the engine relies on.  Valid only
 * when program->verified is set.
 */
struct isa_facts {
	uint8_t reg_used[ISA_NREGS]; /* register is read or written anywhere */
	uint8_t reg_live_in[ISA_NREGS]; /* read before any write on some path
					   (params and specials only) */
	uint8_t reg_type[ISA_NREGS];	/* a type the register holds somewhere
					   (for sizing; 0xff if never) */
	uint16_t nslots;		/* number of used registers */
	uint16_t slot_of[ISA_NREGS]; /* register -> compact slot, 0xffff unused
				      */
	uint8_t pred_used[ISA_NPREDS];
	unsigned max_call_depth; /* static bound; ISA_MAX_CALL_DEPTH+1 if
				    recursion makes it unbounded */
	int has_float_atomics;	 /* ATOM.* on f32/f64: run in lane order */
	int has_control_flow;	 /* any BRA, CALL, RET, LOOP */
};

struct atlas_program {
	char *name;
	struct isa_param *params;
	size_t nparams, params_cap;
	struct isa_insn *insns;
	size_t ninsns, insns_cap;
	struct isa_label *labels;
	size_t nlabels, labels_cap;
	/* name -> label index + 1 (0: empty), open addressing */
	uint32_t *label_index;
	size_t label_index_cap; /* a power of two, or 0 */
	int verified;
	struct isa_facts facts;
	/* kernel metadata (.classes ... / "metadata"); meta.name is unset
	   here, atlas_program_metadata gives it the program's name */
	struct atlas_metadata meta;
	int meta_declared;
};

/* Builder.  Each returns ATLAS_OK or ATLAS_ERR_NOMEM / ATLAS_ERR_PARSE. */
struct atlas_program *program_new(const char *name);
/* Set or replace the kernel name. */
enum atlas_status program_set_name(struct atlas_program *p, const char *name);
/*
 * Add a parameter.  Fails (ATLAS_ERR_PARSE, "duplicate parameter 'x'") if
 * the name is taken.  Array handles are assigned in declaration order.
 */
enum atlas_status program_add_param(struct atlas_program *p, const char *name,
				    enum atlas_param_kind kind,
				    enum atlas_type type,
				    enum atlas_param_use use, unsigned reg,
				    struct atlas_error *err);
/*
 * Record how the lanes touch array parameter param (atlas.h, enum
 * atlas_access).  RECORD takes its length K as a constant record_len from
 * 1 to PROGRAM_RECORD_MAX (record_param -1) or as scalar integer
 * parameter record_param (record_len 0).  REDUCTION takes its length, the
 * element count of the target, as record_len from 1 to
 * PROGRAM_RECORD_MAX, or 0 when unknown; record_param -1.  The other
 * classes take record_len 0 and record_param -1.  Fails with
 * ATLAS_ERR_ARG and a message (for example "access 'element' needs an
 * array parameter", "record length 'k' is not a scalar parameter",
 * "record length 'k' must have an integer type", "reduction length must
 * be a constant").
 */
enum atlas_status program_set_access(struct atlas_program *p, size_t param,
				     enum atlas_access cls, uint64_t record_len,
				     long record_param,
				     struct atlas_error *err);
/* Names of the access classes, by enum atlas_access: "any", "element",
   "record", "resident", "reduction". */
extern const char *const program_access_names[5];
/* The largest constant record or reduction length (2^53, so that JSON
   can hold it). */
#define PROGRAM_RECORD_MAX ((uint64_t)1 << 53)
/*
 * Index of the label called name, creating an undefined one if needed.
 * Returns -1 on allocation failure.
 */
long program_label_ref(struct atlas_program *p, const char *name);
/* Rebuild the label name index after the labels array was reordered. */
enum atlas_status program_label_reindex(struct atlas_program *p);
/*
 * Define label name at the next instruction index.  A label defined twice
 * fails with "duplicate label 'NAME' at instruction IDX".
 */
enum atlas_status program_label_define(struct atlas_program *p,
				       const char *name,
				       struct atlas_error *err);
/* Append a copy of insn. */
enum atlas_status program_emit(struct atlas_program *p,
			       const struct isa_insn *insn);

/*
 * Verify the program (reference 2.5, 2.8): indices, label targets, types
 * at every use, definitions before use, call depth, limits.  Fills
 * p->facts and sets p->verified on success.
 */
enum atlas_status program_verify(struct atlas_program *p,
				 struct atlas_error *err);

/*
 * Append the instructions and labels of assembly text to p (directives
 * are .param lines, before p's first instruction).  err->line/col set.
 */
enum atlas_status asm_append(struct atlas_program *p, const char *text,
			     size_t len, struct atlas_error *err);
/*
 * Check that a run gives p exactly one argument per parameter (and no
 * more than max): "kernel 'NAME' takes N arguments, got M".
 */
enum atlas_status program_check_nargs(const struct atlas_program *p,
				      size_t nargs, size_t max,
				      struct atlas_error *err);

/*
 * An integer scalar's bits (zero-extended, as bound) as a count: 0 and
 * *v, or -1 when the value is negative or t is not an integer type.
 */
int value_count(enum atlas_type t, uint64_t bits, uint64_t *v);
/* The largest count a value of integer type t holds. */
uint64_t value_count_max(enum atlas_type t);

/*
 * K, the elements per lane of array q under the bindings b: 1 unless q is
 * a record; its constant; or the value bound to its scalar, 1 to
 * PROGRAM_RECORD_MAX, else "NAME: the record length of 'ARRAY' must be
 * positive".  0 when that scalar is unbound.
 */
enum atlas_status program_record_len(const struct atlas_program *p,
				     const struct atlas_stream_binding *b,
				     const struct isa_param *q, uint64_t *k,
				     struct atlas_error *err);

/*
 * Every array of p bound to a file (an inout array also to where its
 * result goes), every value scalar to a value, in parameter order:
 * "missing binding for array parameter 'x'", "missing value for scalar
 * parameter 'n'".  Guards may be left unbound.
 */
enum atlas_status program_check_bound(const struct atlas_program *p,
				      const struct atlas_stream_binding *b,
				      struct atlas_error *err);

/*
 * Rows one gemm or gemv call of OpenBLAS never crosses a multiple of:
 * its result for a row depends on how the rows were grouped into calls,
 * so the groups are fixed, and streamed launches of programs that use
 * these instructions (program_uses_blas) cover multiples of it.
 */
#define PROGRAM_BLAS_GROUP 1024
int program_uses_blas(const struct atlas_program *p);

/* Readers: build an unverified program from text.  err->line/col set. */
enum atlas_status asm_read(const char *text, size_t len,
			   struct atlas_program **out, struct atlas_error *err);
enum atlas_status json_read(const char *text, size_t len,
			    struct atlas_program **out,
			    struct atlas_error *err);
/* Writers: malloc'd NUL-terminated text, NULL on allocation failure. */
char *asm_write(const struct atlas_program *p);
char *json_write(const struct atlas_program *p);

/*
 * One launch of p with the run state (may be NULL) after the checks its
 * declared metadata asks for (atlas_metadata_check_launch at the state's
 * phase): what the runners call.
 */
enum atlas_status program_launch(struct atlas_engine *e,
				 const struct atlas_program *p,
				 const struct atlas_launch *l,
				 const struct atlas_arg *args, size_t nargs,
				 struct atlas_run_state *state,
				 struct atlas_error *err);

/*
 * Parse a class list "all" or "N[-M][,N[-M]...]" (classes < 96,
 * ascending or not) in text[0, len) into *m.  Returns 0, or -1 with
 * *bad the offset of the offending character and msg a message.
 */
int program_classes_parse(const char *text, size_t len,
			  struct atlas_class_mask *m, size_t *bad, char *msg,
			  size_t msgsize);
/* Append the canonical class list of m ("all", or "0-5,10") to sb. */
struct strbuf;
void program_classes_format(struct strbuf *sb, struct atlas_class_mask m);
/* The metadata directives of p, if it declares any (canonical form). */
void asm_meta_write(struct strbuf *sb, const struct atlas_program *p);

/* Fill err (if not NULL) with code, position and a formatted message. */
void atlas_error_set(struct atlas_error *err, enum atlas_status code,
		     size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Give the error of a failed step on a kernel's text (st) the identifier
 * id of its check (atlas.h, "validation"), unless it has one already: a
 * reader tags what it returns, the verifier's own ids stay.  Out of
 * memory is no check and gets none.  Returns st.
 */
enum atlas_status error_tag(enum atlas_status st, struct atlas_error *err,
			    const char *id);

#endif /* ATLAS_PROGRAM_H */
