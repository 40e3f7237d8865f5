/*
 * atlas.h - the public interface of libatlas, the Atlas ISA toolkit library.
 *
 * Ownership rule: functions never take ownership of their arguments.  Every
 * object returned by a *_new, *_parse or *_load function is released by the
 * matching *_free function, and every *_free accepts NULL.  Strings returned
 * as "char *" are malloc'd and freed by the caller with free().
 *
 * The library never prints, never exits and never touches stdin, stdout or
 * stderr: it returns an enum atlas_status and, on failure, fills the
 * caller's struct atlas_error (which may be NULL when the caller does not
 * care about the message).
 */
#ifndef ATLAS_H
#define ATLAS_H

#include <stddef.h>
#include <stdint.h>

#define ATLAS_VERSION "0.1.0"

/* ---- status and errors ------------------------------------------------ */

enum atlas_status {
	ATLAS_OK = 0,
	ATLAS_ERR_NOMEM,       /* out of memory */
	ATLAS_ERR_IO,	       /* read or write failure (errno text in msg) */
	ATLAS_ERR_PARSE,       /* malformed assembly or JSON */
	ATLAS_ERR_VERIFY,      /* program rejected by the verifier */
	ATLAS_ERR_EXEC,	       /* a lane faulted during a launch */
	ATLAS_ERR_ARG,	       /* bad argument from the caller */
	ATLAS_ERR_LIMIT,       /* a documented limit was exceeded */
	ATLAS_ERR_UNSUPPORTED, /* operation not supported for this type */
	ATLAS_ERR_INPUT	       /* malformed input data (e.g. partial element) */
};

/*
 * Filled on failure.  msg is a complete, lower-case message without the
 * program name.  line and col are 1-based source positions when the error
 * refers to a place in a program text or JSON file, else 0.
 */
struct atlas_error {
	enum atlas_status code;
	char msg[256];
	size_t line, col;
	int errnum; /* ATLAS_ERR_IO: the errno of the failed call, else 0 */
};

/* A short static description of a status code. */
const char *atlas_strerror(enum atlas_status code);

/* The library version string, ATLAS_VERSION. */
const char *atlas_version(void);

/* ---- types -------------------------------------------------------------- */

/* The 12 ISA types.  f16 and bf16 registers hold raw bit patterns. */
enum atlas_type {
	ATLAS_I8,
	ATLAS_I16,
	ATLAS_I32,
	ATLAS_I64,
	ATLAS_U8,
	ATLAS_U16,
	ATLAS_U32,
	ATLAS_U64,
	ATLAS_F16,
	ATLAS_BF16,
	ATLAS_F32,
	ATLAS_F64,
	ATLAS_NTYPES
};

/* Display name ("f32"), or "?" for an out-of-range value. */
const char *atlas_type_name(enum atlas_type t);
/* Size in bytes of one element; 0 for an out-of-range value. */
size_t atlas_type_size(enum atlas_type t);
/* Parse a display name; returns 0 and sets *t, or -1 if unknown. */
int atlas_type_parse(const char *name, enum atlas_type *t);

/* ---- programs ----------------------------------------------------------- */

struct atlas_program;

enum atlas_format {
	ATLAS_FORMAT_AUTO, /* reading: any source (atlas_source_sniff) */
	ATLAS_FORMAT_ASM,  /* assembly text, man 7 atlas-isa */
	ATLAS_FORMAT_JSON  /* JSON program form, man 5 atlas-kernel; reading:
			      v1.0 JSON too */
};

enum atlas_param_kind { ATLAS_PARAM_ARRAY, ATLAS_PARAM_SCALAR };

/*
 * How a parameter is used.  Arrays: in (read only), out (written only) or
 * inout.  Scalars: value, or guard (the lane-count bound: a runner binds it
 * to the number of lanes launched so far when the user does not).
 */
enum atlas_param_use {
	ATLAS_USE_IN,
	ATLAS_USE_OUT,
	ATLAS_USE_INOUT,
	ATLAS_USE_VALUE,
	ATLAS_USE_GUARD
};

/*
 * How the lanes of a launch touch an array parameter (man 5
 * atlas-kernel), found by atlas-compile's analysis: element (lane i
 * touches x[i]), record (lane i touches x[i*K + j], 0 <= j < K), resident
 * (the index does not depend on the lane: the whole array), reduction
 * (the target of atomics).  ATLAS_ACCESS_ANY: not analysed (hand-written
 * programs); runners treat it as resident, except that a program whose
 * arrays are all ANY streams element by element (atlas_program_streams).
 */
enum atlas_access {
	ATLAS_ACCESS_ANY,
	ATLAS_ACCESS_ELEMENT,
	ATLAS_ACCESS_RECORD,
	ATLAS_ACCESS_RESIDENT,
	ATLAS_ACCESS_REDUCTION
};

struct atlas_param_info {
	const char *name; /* owned by the program */
	enum atlas_param_kind kind;
	enum atlas_type type; /* element type for arrays */
	enum atlas_param_use use;
	unsigned reg;	 /* register that receives the handle/value */
	unsigned handle; /* arrays: buffer handle (1 + array ordinal) */
	enum atlas_access access; /* arrays */
	uint64_t record_len;	  /* RECORD: K, when a constant */
	long record_param; /* RECORD: K is this scalar parameter, or -1 */
};

/*
 * Parse a program from text (not NUL-terminated; len bytes): assembly,
 * JSON (the program form, or the original's v1.0 form, lowered as it is
 * read) or, with ATLAS_FORMAT_AUTO, the kernel language too.  The text
 * must hold one kernel (atlas_program_parse_named chooses among several).
 * On success *out holds a verified program.  On failure err->line/col
 * locate the problem.
 */
enum atlas_status atlas_program_parse(const char *text, size_t len,
				      enum atlas_format fmt,
				      struct atlas_program **out,
				      struct atlas_error *err);

/*
 * Write a program in the given form (ASM or JSON).  Returns a malloc'd
 * NUL-terminated string, or NULL on failure (err filled).  Writing then
 * parsing gives back an identical program; asm -> json -> asm is
 * byte-identical.
 */
char *atlas_program_write(const struct atlas_program *p, enum atlas_format fmt,
			  struct atlas_error *err);

void atlas_program_free(struct atlas_program *p);

/* The kernel name declared by the program. */
const char *atlas_program_name(const struct atlas_program *p);
/* Number of instructions. */
size_t atlas_program_length(const struct atlas_program *p);
/* Number of parameters, in declaration order. */
size_t atlas_program_param_count(const struct atlas_program *p);
/* Describe parameter i; returns 0, or -1 if i is out of range. */
int atlas_program_param(const struct atlas_program *p, size_t i,
			struct atlas_param_info *info);
/* Index of the parameter called name, or -1. */
long atlas_program_param_find(const struct atlas_program *p, const char *name);

/*
 * Building a program in code: a new, empty program, its parameters, then
 * its instructions and labels appended as assembly text (one or more
 * lines, man 7 atlas-isa), then atlas_program_verify before running it.
 */
struct atlas_program *atlas_program_new(const char *name);

/* Add a parameter; arrays get handles 1, 2, ... in declaration order. */
enum atlas_status
atlas_program_add_param(struct atlas_program *p, const char *name,
			enum atlas_param_kind kind, enum atlas_type type,
			enum atlas_param_use use, unsigned reg,
			struct atlas_error *err);

/* Append NUL-terminated assembly text; err->line is a line of text. */
enum atlas_status atlas_program_append(struct atlas_program *p,
				       const char *text,
				       struct atlas_error *err);

/*
 * Verify p (types at every use, definitions before use, labels, call
 * depth, limits).  Parsing verifies already; a program changed since must
 * be verified again before it runs.
 */
enum atlas_status atlas_program_verify(struct atlas_program *p,
				       struct atlas_error *err);

/* ---- compiling kernels ----------------------------------------------------
 */

/*
 * What a kernel source is written in.  Any of them may hold several
 * kernels: Python functions, assembly .kernel sections, or a JSON array.
 */
enum atlas_source {
	ATLAS_SOURCE_AUTO,   /* atlas_source_sniff decides */
	ATLAS_SOURCE_PYTHON, /* the kernel language, man 1 atlas-compile */
	ATLAS_SOURCE_ASM,    /* assembly, man 7 atlas-isa */
	ATLAS_SOURCE_JSON    /* the program form or the original's v1.0
				JSON, man 5 atlas-kernel */
};

/* The source a file name implies: .py, .s, .json; else AUTO. */
enum atlas_source atlas_source_of_path(const char *path);

/*
 * The source a text holds: JSON if its first non-blank character is '{'
 * or '[', else assembly if a line starts with ".kernel", else Python.
 * Never returns AUTO.
 */
enum atlas_source atlas_source_sniff(const char *text, size_t len);

/*
 * Compile every kernel of a source text (len bytes, not NUL-terminated)
 * to a verified program, in source order: Python and v1.0 JSON are
 * parsed, their @inline helpers expanded and each kernel lowered to the
 * ISA with its parameters' access classes; assembly and the program form
 * are read.  On success *progs is a malloc'd array of *count >= 1
 * programs, released with atlas_programs_free.  On failure err->line/col
 * locate the problem in the text.
 */
enum atlas_status atlas_compile(const char *text, size_t len,
				enum atlas_source src,
				struct atlas_program ***progs, size_t *count,
				struct atlas_error *err);

/* Free count programs and the array that holds them; NULL is a no-op. */
void atlas_programs_free(struct atlas_program **progs, size_t count);

/*
 * The original's v1.0 JSON (man 5 atlas-kernel) of a Python source, its
 * @inline helpers expanded, or of v1.0 JSON (rewritten in the original's
 * layout): a malloc'd string, or NULL on failure.  The kernels must
 * compile.  Other sources fail with ATLAS_ERR_UNSUPPORTED.
 */
char *atlas_compile_v1(const char *text, size_t len, enum atlas_source src,
		       struct atlas_error *err);

/*
 * Write count >= 1 programs as one text: in JSON one program is an
 * object and several are an array of them; in assembly the listings
 * follow each other, separated by a blank line.  atlas_compile reads
 * both back.  Returns a malloc'd string, or NULL (err filled).
 */
char *atlas_programs_write(struct atlas_program *const *progs, size_t count,
			   enum atlas_format fmt, struct atlas_error *err);

/*
 * Compile a source and keep one kernel: the one called name, or, when
 * name is NULL, the only one (several are then an ATLAS_ERR_ARG error
 * that lists them).  atlas_program_parse is this with name NULL.
 */
enum atlas_status atlas_program_parse_named(const char *text, size_t len,
					    enum atlas_source src,
					    const char *name,
					    struct atlas_program **out,
					    struct atlas_error *err);

/* ---- launches and buffers ----------------------------------------------- */

/* A zeroed, 64-byte aligned buffer of size bytes to run kernels over. */
struct atlas_buffer;

struct atlas_buffer *atlas_buffer_new(uint64_t size, struct atlas_error *err);
void atlas_buffer_free(struct atlas_buffer *b);
void *atlas_buffer_data(const struct atlas_buffer *b);
uint64_t atlas_buffer_size(const struct atlas_buffer *b);
/* The whole buffer as a kernel argument's view (base 0). */
struct atlas_view atlas_buffer_view(const struct atlas_buffer *b);

/*
 * A window of a kernel buffer: the bytes [base, base + size) of the
 * buffer's address space live at data.  Accesses outside the window fail
 * with "buffer access out of bounds".  Whole buffers have base 0.
 */
struct atlas_view {
	void *data;
	uint64_t size;
	uint64_t base;
};

/* One argument per parameter, in declaration order. */
struct atlas_arg {
	struct atlas_view view; /* arrays */
	uint64_t bits; /* scalars: the value's bit pattern, zero-extended */
};

/*
 * Launch geometry (reference 2.6).  Lanes are numbered by GLOBAL_LANE_ID;
 * only lanes in [lane_begin, lane_end) run (lane_end 0 means all lanes of
 * the grid), which lets a streaming runner launch one chunk at a time.
 */
struct atlas_launch {
	uint32_t grid[3];
	uint32_t block[3];
	uint64_t lane_begin, lane_end;
};

/* A 1-D launch of n lanes in blocks of block_size (grid = ceil(n/bs)). */
struct atlas_launch atlas_launch_linear(uint64_t n, uint32_t block_size);

/* An execution engine: worker threads and their register files. */
struct atlas_engine;

struct atlas_engine_options {
	unsigned threads;    /* 0 = 1 thread */
	uint64_t pool_limit; /* bytes PoolAlloc may hold per launch; 0 = default
			      */
};

/* Create an engine; opts may be NULL for defaults.  NULL on failure. */
struct atlas_engine *atlas_engine_new(const struct atlas_engine_options *opts,
				      struct atlas_error *err);
void atlas_engine_free(struct atlas_engine *e);

/*
 * Run program p over the lanes of launch l.  args holds one argument per
 * parameter.  The first lane error aborts the launch: its message is the
 * reference's (e.g. "division by zero") and err->line is the source line
 * of the faulting instruction, when known.
 */
enum atlas_status atlas_engine_run(struct atlas_engine *e,
				   const struct atlas_program *p,
				   const struct atlas_launch *l,
				   const struct atlas_arg *args, size_t nargs,
				   struct atlas_error *err);

/*
 * Parse text as a value of type t into its bit pattern, zero-extended.
 * As for the ISA's immediates, 0x hex is the raw bit pattern of any type;
 * otherwise integers are decimal within the type's range, f32 and f64
 * decimal floats (inf and nan included; overflow is an error); f16 and
 * bf16 take hex only.
 */
enum atlas_status atlas_value_parse(const char *text, enum atlas_type t,
				    uint64_t *bits, struct atlas_error *err);

/*
 * Find the kernel called name: name itself if it contains '/' or ends in
 * .s or .json; else NAME.s then NAME.json in each directory of
 * $ATLAS_KERNEL_PATH (colon-separated), then in the bundled kernels,
 * BIN/../share/atlas/kernels where BIN holds the running program.  On
 * success *path is a malloc'd path; else ATLAS_ERR_ARG, and the message
 * lists the directories searched.
 */
enum atlas_status atlas_kernel_find(const char *name, char **path,
				    struct atlas_error *err);

/* ---- I/O helpers ----------------------------------------------------------
 */

/*
 * Read up to n bytes from fd, looping over short reads, EINTR and EAGAIN
 * (by polling).  *got receives the byte count; less than n only at end of
 * input.  Returns ATLAS_OK or ATLAS_ERR_IO (errno preserved).
 */
enum atlas_status atlas_read_full(int fd, void *buf, size_t n, size_t *got,
				  struct atlas_error *err);

/* Write all n bytes to fd, looping as atlas_read_full does. */
enum atlas_status atlas_write_full(int fd, const void *buf, size_t n,
				   struct atlas_error *err);

/*
 * Read all of fd into a malloc'd buffer (NUL-terminated for convenience;
 * *len excludes the NUL).  Regular files are sized with fstat, pipes grow
 * geometrically.  Fails with ATLAS_ERR_LIMIT past max bytes.
 */
enum atlas_status atlas_read_all(int fd, uint64_t max, char **data, size_t *len,
				 struct atlas_error *err);

/*
 * If fd is a FIFO, try to enlarge its buffer to size bytes (best effort).
 */
void atlas_pipe_grow(int fd, size_t size);

/* ---- streaming ------------------------------------------------------------
 */

/* Where an argument of a streamed launch comes from or goes to. */
struct atlas_stream_binding {
	int fd; /* arrays: the file descriptor to read or write; -1 unbound */
	const char *label; /* the file's name for messages ("-" for stdio) */
	uint64_t bits;	   /* scalars: value bit pattern */
	int bound;	   /* scalars: nonzero if the user gave a value */
	/*
	 * inout arrays (resident runs only): fd is read; the result goes to
	 * the file path when it is not NULL (replaced by rename, see
	 * atlas_file_replace), else to out_fd.
	 */
	const char *path;
	int out_fd;
};

struct atlas_stream_stats {
	uint64_t elements; /* lanes run */
	uint64_t bytes_in, bytes_out;
	uint64_t chunks;
};

/*
 * Run an element-wise program over its array parameters, chunk by chunk:
 * one lane per element, arrays of use "in" read in lock-step from their
 * fds, arrays of use "out" written to theirs, chunk_lanes lanes at a time
 * through buffers allocated once.  Output already computed is written
 * before an error is returned.  stats may be NULL.
 */
enum atlas_status atlas_stream_run(struct atlas_engine *e,
				   const struct atlas_program *p,
				   const struct atlas_stream_binding *b,
				   size_t nbind, size_t chunk_lanes,
				   struct atlas_stream_stats *stats,
				   struct atlas_error *err);

/*
 * Whether p can run through atlas_stream_run: no array is inout, and
 * every array is of access class element, or every array is
 * ATLAS_ACCESS_ANY (a hand-written program that declares no class is
 * taken to be element-wise).  Anything else (records, resident and
 * reduction arrays, ANY mixed with analysed classes, inout arrays) must
 * run resident, through atlas_resident_run.
 */
int atlas_program_streams(const struct atlas_program *p);

/* ---- command lines that run kernels ---------------------------------------
 */

/*
 * Load the kernel a command line names (atlas-run's KERNEL operand): a
 * kernel-language source if it ends in .py, else what atlas_kernel_find
 * finds; compile it, and keep its kernel called name, or its only one
 * when name is NULL.  On success *out is the program and *path the
 * malloc'd path of the file (also set on some failures; free it
 * either way).  Messages name the file: "FILE:LINE:COL: message" for an
 * error in the text.
 */
enum atlas_status atlas_kernel_load(const char *kernel, const char *name,
				    struct atlas_program **out, char **path,
				    struct atlas_error *err);

/*
 * One unbound binding per parameter of p (fd and out_fd -1), for
 * atlas_bind_operand and the runners; free() it.  NULL if out of memory.
 */
struct atlas_stream_binding *atlas_bindings_new(const struct atlas_program *p,
						struct atlas_error *err);

/*
 * Bind the operand "NAME=VALUE" (man 1 atlas-run, Bindings): a scalar
 * takes the value (atlas_value_parse); an array takes "-" (fd 0 for an
 * input, 1 for an output, 0 and out_fd 1 for an inout array) or a file
 * opened for its use: read, created or truncated for writing, or read
 * and write (inout; path is set: a resident run replaces it).  The
 * caller closes the descriptors above 2.  b[].label points into op.
 */
enum atlas_status atlas_bind_operand(const struct atlas_program *p,
				     struct atlas_stream_binding *b,
				     const char *op, struct atlas_error *err);

/*
 * The defaults of man 1 atlas-run: the one unbound input array (in or
 * inout) reads fd 0, the one unbound out array writes fd 1, as does an
 * inout array that reads fd 0.  Fails when fd 0 or fd 1 would serve two
 * arrays.  Terminals are the caller's business.
 */
enum atlas_status atlas_bind_stdio(const struct atlas_program *p,
				   struct atlas_stream_binding *b,
				   struct atlas_error *err);

/* ---- resident runs --------------------------------------------------------
 */

/* An element count or lane count left for atlas_resident_run to infer. */
#define ATLAS_COUNT_UNSET UINT64_MAX

/* The default of atlas_resident_options.max_resident: 1 GiB. */
#define ATLAS_MAX_RESIDENT_DEFAULT ((uint64_t)1 << 30)

struct atlas_resident_options {
	/* lanes to run, or ATLAS_COUNT_UNSET to infer them */
	uint64_t lanes;
	/* bytes one array may hold in memory, input or output; 0: the
	   default, ATLAS_MAX_RESIDENT_DEFAULT */
	uint64_t max_resident;
	/* NULL, or one element count per parameter for the output arrays
	   (ATLAS_COUNT_UNSET where not given): overrides what is inferred */
	const uint64_t *sizes;
};

/*
 * Run p once over whole arrays held in memory, for kernels that cannot
 * stream (man 1 atlas-run, "Resident runs").  Every input array (in and
 * inout) is read whole from its fd, within opts->max_resident bytes;
 * outputs are allocated zeroed; one launch of all lanes runs; then every
 * out array is written to its fd and every inout array to its path
 * (atlas_file_replace) or out_fd, in parameter order.
 *
 * The lane count is opts->lanes if set; else the value of the guard
 * scalar if bound; else the element count of the first element or record
 * input (records: divided by their length).  An unbound guard is bound to
 * the lane count.  Output element counts: opts->sizes if given; element
 * arrays: lanes; records: lanes * K; reductions: 1; inout arrays: their
 * input's; resident and unanalysed outputs must be given in sizes.
 *
 * All or nothing: when reading fails or a lane faults, nothing is
 * written.  Inout files are replaced (renamed over) only after every
 * output to a descriptor was written; a write error leaves them as they
 * were, though earlier outputs to descriptors are written.  stats and
 * opts may be NULL (defaults); stats->chunks is 1 when lanes ran.
 */
enum atlas_status
atlas_resident_run(struct atlas_engine *e, const struct atlas_program *p,
		   const struct atlas_stream_binding *b, size_t nbind,
		   const struct atlas_resident_options *opts,
		   struct atlas_stream_stats *stats, struct atlas_error *err);

/*
 * Apply a size given as "NAME=COUNT" (atlas-run --size; COUNT as
 * atlas_size_parse reads it) to sizes, one element count per parameter
 * of p: NAME must be an array of use out.  Returns ATLAS_ERR_ARG with a
 * message otherwise.
 */
enum atlas_status atlas_resident_size(const struct atlas_program *p,
				      const char *spec, uint64_t *sizes,
				      struct atlas_error *err);

/*
 * Replace the file at path with len bytes of data: written to a new file
 * in the same directory (the target of a symbolic link path), given the
 * old file's permissions, then renamed over it, so that readers see the
 * old contents or the new, never a part.  path must name an existing
 * regular file.
 */
enum atlas_status atlas_file_replace(const char *path, const void *data,
				     size_t len, struct atlas_error *err);

/*
 * Parse a count: decimal digits with an optional suffix K, M or G
 * (either case) for units of 1024, 1024^2, 1024^3 ("64K" = 65536).
 * Nothing else is accepted: no sign, blanks or hex.  Returns ATLAS_OK and
 * sets *out, or ATLAS_ERR_ARG ("invalid size 'TEXT'") on a malformed or
 * too large (over 2^64 - 2) value.
 */
enum atlas_status atlas_size_parse(const char *text, uint64_t *out,
				   struct atlas_error *err);

#endif /* ATLAS_H */
