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
	/* the stable identifier of the check that failed, for errors in a
	   kernel's text or program (man 1 atlas-validate); else "" */
	char id[24];
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
	long record_param;	/* RECORD: K is this scalar parameter, or -1 */
	uint64_t reduction_len; /* REDUCTION: element count, when the
				   program declares it (indices are all
				   constants: the largest + 1); else 0 */
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
 * with "buffer access out of bounds".  Whole buffers have base 0.  A
 * window that is one chunk of a streamed array (window nonzero) fails
 * with a message that names the array and the chunk instead.
 */
struct atlas_view {
	void *data;
	uint64_t size;
	uint64_t base;
	int window;
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

/* ---- Atlas run state (engine) ------------------------------------------- */
struct atlas_resonance;
/*
 * What the Atlas instructions of a run see and change (man 7 atlas-isa):
 * the boundary pool as buffer handle 0 ([phi(C, P, B)] addresses, and
 * registers holding handle 0), the phase (phase.get reads it as it was at
 * launch start; phase.adv N advances it by N per executing lane,
 * applied at launch end as atlas_phase_advance, epoch counting the wraps)
 * and the resonance accumulator res.accum adds to (in lane order).
 * A launch that fails leaves phase, epoch and resonance unchanged.
 */
struct atlas_run_state {
	struct atlas_view boundary; /* handle 0; data NULL = none */
	uint32_t phase;		    /* in [0, 768); taken mod 768 */
	uint64_t epoch;
	struct atlas_resonance *resonance; /* may be NULL: res.accum then
					      fails "no resonance
					      accumulator" */
};

/*
 * atlas_engine_run with a run state (NULL: no boundary pool, phase 0, no
 * accumulator, which is what atlas_engine_run does).
 */
enum atlas_status
atlas_engine_run_state(struct atlas_engine *e, const struct atlas_program *p,
		       const struct atlas_launch *l,
		       const struct atlas_arg *args, size_t nargs,
		       struct atlas_run_state *state, struct atlas_error *err);

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

/* ---- validation -----------------------------------------------------------
 *
 * The checks of man 1 atlas-validate.  Every check has a stable
 * identifier (struct atlas_error.id, struct atlas_diag.id).  Errors, which
 * atlas_program_verify applies (so atlas-compile, atlas-run and
 * atlas-validate cannot disagree):
 *
 *   kernel text    json-syntax, json-schema (program form and v1.0 JSON;
 *                  line and column of the offending value), asm-syntax,
 *                  kl-syntax, kl-semantics (the kernel language)
 *   parameters     param-register, param-type, param-use, guard-type,
 *                  kernel-name, limit
 *   instructions   register, predicate, condition, opcode, unsupported,
 *                  immediate, address, buffer-handle, buffer-offset,
 *                  class-index, boundary-coords
 *   control flow   label-target, undefined-label, call-depth
 *   dataflow       uninitialized, type-mismatch
 *   memory         index-range (a constant index provably outside the
 *                  declared length of a reduction or record)
 *   Atlas          metadata (KernelMetadata.validate), mirror-safety (a
 *                  class mask that is not closed under mirror when
 *                  mirror_safe), phase-window, boundary-footprint (a
 *                  constant Phi access outside the declared footprint),
 *                  class-hop (a constant neighbour hop that is not an
 *                  edge, or past the degree), unity-neutral (constant
 *                  ResAccum deltas that do not sum to 0 exactly when
 *                  unity_neutral is declared)
 *
 * Warnings and notes, from atlas_program_lint: unreachable (warning:
 * instructions no path reaches), loop-bound (warning: a loop whose trip
 * count cannot be bounded), access (note: each array's access class and
 * whether and why it streams), runtime-bounds (note: accesses whose range
 * is checked when the kernel runs).
 */

enum atlas_severity { ATLAS_SEV_NOTE, ATLAS_SEV_WARNING, ATLAS_SEV_ERROR };

/* "note", "warning", "error"; "?" for an out-of-range value. */
const char *atlas_severity_name(enum atlas_severity s);

struct atlas_diag {
	enum atlas_severity severity;
	char id[24];	  /* the check, as listed above */
	size_t line, col; /* in the kernel's text; 0, 0: no one place */
	char kernel[64];  /* the kernel it concerns; "" when none compiled */
	char msg[256];
};

/* A growing list of diagnostics; zero-initialise, then atlas_diags_free. */
struct atlas_diags {
	struct atlas_diag *v;
	size_t n, cap;
	size_t count[3]; /* by severity */
};

void atlas_diags_free(struct atlas_diags *d);

/*
 * Append the warnings and notes of a verified program to d (see the list
 * above), in order of line and column.  Returns ATLAS_OK, ATLAS_ERR_NOMEM
 * (d unchanged) or ATLAS_ERR_ARG (p is not verified).
 */
enum atlas_status atlas_program_lint(const struct atlas_program *p,
				     struct atlas_diags *d,
				     struct atlas_error *err);

/*
 * Validate a kernel source text as atlas_compile reads it (src may be
 * AUTO): a text that does not compile gives one error diagnostic, with
 * the id, line, column and message of atlas_compile's error; otherwise
 * each kernel gives its atlas_program_lint diagnostics.  Returns ATLAS_OK
 * (whatever was found) or ATLAS_ERR_NOMEM (ATLAS_ERR_ARG for an unknown
 * src).
 */
enum atlas_status atlas_validate_text(const char *text, size_t len,
				      enum atlas_source src,
				      struct atlas_diags *d,
				      struct atlas_error *err);

/*
 * OpenBLAS's build description (openblas_get_config), loading it if it
 * is not yet loaded; NULL when it cannot be.  libatlas loads OpenBLAS
 * only when a kernel or a benchmark first needs it.
 */
const char *atlas_blas_config(void);

/* ---- benchmarks (man 1 atlas-bench)
 * ------------------------------------------
 *
 * Suites produce measurements; the functions below format them.  Method: every
 * measurement is preceded by a warm-up run, repeated, and summarised by
 * its median, minimum and maximum; a ratio compares two medians measured
 * A/B interleaved in the same repetitions.
 */

struct atlas_measure {
	char suite[16];	    /* "interp", "kernels", "stream", "blas",
			       "startup" */
	char name[64];	    /* what was measured, e.g. "sigmoid" */
	uint64_t size;	    /* the problem size, in size_unit; 0 if none */
	char size_unit[16]; /* "elements", "bytes", "n" (n x n x n) */
	double median_ns, min_ns, max_ns; /* one run of the operation */
	double throughput;		  /* at the median; 0 if none */
	char throughput_unit[16]; /* "GB/s", "GFLOP/s", "ns/lane-insn" */
	double ratio;		  /* median / the other's median; 0: none */
	char against[48];	  /* the other: "native C", "cblas_sgemm",
				     "cat", "true", "memcpy" */
};

struct atlas_bench_options {
	int quick;		/* small sizes, 3 repetitions: seconds */
	unsigned reps;		/* repetitions; 0: the suite's default */
	unsigned threads;	/* engine threads; 0: 1 */
	const char *kernel;	/* kernels suite: this kernel file only */
	const char *bindir;	/* stream, startup: where atlas-run is */
	const char *kernel_dir; /* the bundled kernels' directory */
};

/* The suites, in their order of man 1 atlas-bench; NULL-terminated. */
extern const char *const atlas_bench_suites[];

/* Called with each measurement as it is made; nonzero stops the suite. */
typedef int (*atlas_bench_emit)(void *arg, const struct atlas_measure *m);

/*
 * Run one suite, calling emit for each measurement.  ATLAS_ERR_ARG for an
 * unknown suite ("unknown suite 'x'"); other failures (a kernel that does
 * not run, a process that cannot start) end the suite with a message.
 */
enum atlas_status atlas_bench_run(const char *suite,
				  const struct atlas_bench_options *o,
				  atlas_bench_emit emit, void *arg,
				  struct atlas_error *err);

/*
 * The versions of libatlas and the libraries it uses (OpenBLAS, hwloc,
 * cJSON, libsodium), as name, version pairs; NULL-terminated.  Static
 * storage; OpenBLAS is loaded if it is not yet ("not available" if it
 * cannot be).
 */
const char *const *atlas_bench_libraries(void);

/* What a report says of the machine and of the run. */
struct atlas_bench_machine {
	const struct atlas_topo *topo; /* atlas_topo_get */
	const char *const *libraries;  /* name, version pairs; NULL-ended */
	unsigned threads;	       /* 0: 1 */
	unsigned reps;		       /* 0: each suite's default */
	int quick;		       /* --quick */
};

/*
 * The table's header: the CPU, its cores and caches, the libraries and
 * the run's settings, ending in an empty line.  A malloc'd string, or
 * NULL when out of memory.
 */
char *atlas_bench_header(const struct atlas_bench_machine *h);

/*
 * The n measurements of v as an aligned table, a line of column names
 * first (suite, name, size, median, min, max, throughput, ratio,
 * against).  A malloc'd string, or NULL when out of memory.
 */
char *atlas_bench_table(const struct atlas_measure *v, size_t n);

/*
 * The report of man 1 atlas-bench --json: the machine, the run and the n
 * measurements of v.  A malloc'd string, or NULL when out of memory.
 */
char *atlas_bench_json(const struct atlas_measure *v, size_t n,
		       const struct atlas_bench_machine *h);

/*
 * The n measurements of v as CSV (RFC 4180, CRLF line ends), a header
 * record of the field names first.  A malloc'd string, or NULL when out
 * of memory.
 */
char *atlas_bench_csv(const struct atlas_measure *v, size_t n);

/*
 * An SVG line chart of the kernels suite's measurements among v:
 * throughput against size on a log2 axis, one line per kernel, with a
 * legend.  A malloc'd string, or NULL when out of memory.
 */
char *atlas_bench_svg(const struct atlas_measure *v, size_t n);

/* The measurements of a previous report, to compare with. */
struct atlas_bench_baseline;

/*
 * Read text[0..len), a report of atlas-bench --json.  NULL on failure
 * (ATLAS_ERR_PARSE: "not a report of atlas-bench --json"); free the result
 * with atlas_bench_baseline_free.
 */
struct atlas_bench_baseline *
atlas_bench_baseline_parse(const char *text, size_t len,
			   struct atlas_error *err);

/* Free b; NULL is a no-op. */
void atlas_bench_baseline_free(struct atlas_bench_baseline *b);

/* One measurement against its baseline. */
struct atlas_bench_delta {
	double baseline_ns; /* the baseline's median; 0: not in it */
	double pct;	    /* the median's change, percent; 0 if none */
	int regression;	    /* pct above the threshold */
};

/*
 * Compare each of the n measurements of v with the baseline's of the same
 * suite, name and size, filling d[0..n).  A regression is a median more
 * than threshold percent above the baseline's.  Returns the number of
 * regressions.
 */
size_t atlas_bench_compare(const struct atlas_bench_baseline *b,
			   const struct atlas_measure *v, size_t n,
			   double threshold, struct atlas_bench_delta *d);

/* ---- the machine ----------------------------------------------------------
 */

/*
 * What hwloc reports of the machine (sysconf and /proc/cpuinfo where hwloc
 * fails).
 */
struct atlas_topo {
	unsigned cores;	  /* physical cores this process may use, at least 1 */
	uint64_t l2_size; /* bytes of one core's L2 cache (else its L1d); 0 if
			     unknown */
	uint64_t l1d_size, l3_size; /* bytes of the first L1d and L3 caches;
				       0 if unknown (or none) */
	char cpu[96];		    /* the CPU model, e.g. "AMD EPYC 7B13";
				       "" if unknown */
};

/* Fill *t; the topology is read once per process. */
void atlas_topo_get(struct atlas_topo *t);

/* ---- data formats ---------------------------------------------------------
 */

/* How the elements of an array parameter appear in its file (man 1
   atlas-run, Formats). */
enum atlas_data_format {
	ATLAS_DATA_RAW,	 /* headerless little-endian elements (the default) */
	ATLAS_DATA_TEXT, /* decimal numbers separated by white space; written
			    one per line */
	ATLAS_DATA_NPY	 /* NumPy .npy: little-endian, C order, the
			    parameter's dtype */
};

/* "raw", "text", "npy"; "?" for an out-of-range value. */
const char *atlas_data_format_name(enum atlas_data_format f);
/* Parse one of those names: 0 and *f, or -1. */
int atlas_data_format_parse(const char *name, enum atlas_data_format *f);

/* ---- streaming ------------------------------------------------------------
 */

/* Where an argument of a run comes from or goes to. */
struct atlas_stream_binding {
	int fd; /* arrays: the file descriptor to read or write; -1 unbound */
	const char *label; /* the file's name for messages */
	uint64_t bits;	   /* scalars: value bit pattern */
	int bound;	   /* scalars: nonzero if the user gave a value */
	/*
	 * inout arrays (resident runs only): fd is read; the result goes to
	 * the file path when it is not NULL (replaced by rename, see
	 * atlas_file_replace), else to out_fd.
	 */
	const char *path;
	int out_fd;
	enum atlas_data_format format; /* arrays; raw when zeroed */
};

struct atlas_stream_stats {
	uint64_t elements;	      /* lanes run */
	uint64_t bytes_in, bytes_out; /* file bytes, headers and text included
				       */
	uint64_t chunks;	      /* launches */
	uint64_t pool_size; /* bytes of the chunk pool; 0 in resident runs */
	uint64_t resident_size;	 /* bytes of resident and reduction arrays */
	uint64_t lanes_expected; /* lanes the run will make, when known before
				    it starts (a bound guard, a .npy or
				    regular-file input); else
				    ATLAS_COUNT_UNSET */
};

/* An element count or lane count left for the runner to infer. */
#define ATLAS_COUNT_UNSET UINT64_MAX

/* The default of atlas_resident_options.max_resident and
   atlas_stream_options.max_resident: 1 GiB. */
#define ATLAS_MAX_RESIDENT_DEFAULT ((uint64_t)1 << 30)

/* The chunk pool when neither the caller nor the machine says: 1 MiB. */
#define ATLAS_POOL_SIZE_DEFAULT ((uint64_t)1 << 20)

/*
 * The pool size for a run on the given number of threads: one core's L2
 * cache per thread (atlas_topo_get), within 256 KiB and 16 MiB; else
 * ATLAS_POOL_SIZE_DEFAULT.
 */
uint64_t atlas_pool_size_for(unsigned threads);

struct atlas_stream_options {
	/* bytes of the chunk pool; 0: ATLAS_POOL_SIZE_DEFAULT.  Grown to one
	   block of lanes when smaller (stats->pool_size tells) */
	uint64_t pool_size;
	/* bytes one resident or reduction array may hold; 0: the default */
	uint64_t max_resident;
	/* NULL, or one element count per parameter for resident and
	   reduction outputs (ATLAS_COUNT_UNSET where not given) */
	const uint64_t *sizes;
	/* NULL, or the run state every launch uses and carries on
	   (atlas_engine_run_state) */
	struct atlas_run_state *state;
	/* NULL, or called after each chunk is written, with the counts so
	   far (for a progress display) */
	void (*progress)(void *arg, const struct atlas_stream_stats *st);
	void *progress_arg;
};

/*
 * Run p over a stream, chunk by chunk, in memory that does not grow with
 * the input (DESIGN.md section 4, man 1 atlas-run "Streaming").  Each
 * array parameter is handled by its access class:
 *
 * - element and record (K elements per lane) arrays stream: inputs are
 *   read in lock-step, a whole number of records at a time, into one pool
 *   of opts->pool_size bytes allocated at the start; outputs are written
 *   chunk by chunk.  Launches cover a multiple of ATLAS_STREAM_BLOCK lanes
 *   (1024 for programs that use gemm, gemv or dot; the last launch
 *   excepted), numbered globally; a lane that touches its array outside
 *   its chunk fails, naming the array.
 * - resident inputs are read whole once, within opts->max_resident bytes;
 *   resident outputs (their length from opts->sizes) and reductions
 *   (opts->sizes, else the length the program declares) are held zeroed
 *   through the run and written once at the end.
 *
 * The lane count is the value of a bound guard scalar, else the length of
 * the streamed inputs (which must agree), else an error.  An unbound
 * guard is bound, in each launch, to the lanes launched so far.  Output
 * bytes do not depend on the engine's thread count or the pool size.
 *
 * Errors in the input (a partial trailing element or record, inputs of
 * different lengths, a text or read error) come after every complete lane
 * before them has run and been written, reductions and resident outputs
 * included.  A lane fault writes nothing more.  stats and opts may be
 * NULL.  Programs atlas_program_streams refuses fail with
 * ATLAS_ERR_UNSUPPORTED; run them with atlas_resident_run.
 */
enum atlas_status
atlas_stream(struct atlas_engine *e, const struct atlas_program *p,
	     const struct atlas_stream_binding *b, size_t nbind,
	     const struct atlas_stream_options *opts,
	     struct atlas_stream_stats *stats, struct atlas_error *err);

/* The ISA block size of streamed launches (block_idx counts these). */
#define ATLAS_STREAM_BLOCK 256

/*
 * Whether p can run through atlas_stream: no array is inout; every array
 * has an analysed access class (element, record, resident, reduction), or
 * every array is ATLAS_ACCESS_ANY (a hand-written program that declares
 * no class is taken to be element-wise); and at least one array streams
 * or a guard scalar exists to bound the lanes.  Anything else must run
 * resident, through atlas_resident_run.
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
 * takes the value (atlas_value_parse); an array takes "[FMT:]FILE", FMT
 * a format name (atlas_data_format_parse) that sets b[].format (left as
 * it is without one: the caller's default), and FILE "-" (fd 0 for an
 * input, 1 for an output, 0 and out_fd 1 for an inout array; labelled
 * "standard input" or "standard output") or a file opened for its use:
 * read, created for writing (not truncated: atlas_bind_stdio does that
 * after its checks), or read and write (inout; path is set: a resident
 * run replaces it).  The caller closes the descriptors above 2.
 * b[].label points into op or is static.
 */
enum atlas_status atlas_bind_operand(const struct atlas_program *p,
				     struct atlas_stream_binding *b,
				     const char *op, struct atlas_error *err);

/*
 * After the operands: the defaults of man 1 atlas-run: the one unbound
 * input array (in or inout) reads fd 0, the one unbound out array writes
 * fd 1, as does an inout array that reads fd 0; they are labelled
 * "standard input" or "standard output" unless the caller set b[].label
 * (atlas-run -o).  Then the checks, in this order, each ATLAS_ERR_ARG:
 * "standard input (output) is bound to both 'A' and 'B'"; "missing
 * binding for array parameter 'A'"; "missing value for scalar parameter
 * 'S'" (a guard may stay unbound); "OUT and IN are the same file" (their
 * labels; regular files, fd 0 and 1 included, one of them written).
 * Last, the regular output files above fd 2 are truncated.  Terminals
 * are the caller's business.
 */
enum atlas_status atlas_bind_stdio(const struct atlas_program *p,
				   struct atlas_stream_binding *b,
				   struct atlas_error *err);

/*
 * What atlas-run's command line asks of a run (man 1 atlas-run), for
 * atlas_bind_command_line and atlas_run_kernel.  Zero it and set lanes
 * to ATLAS_COUNT_UNSET, then set what the options give.
 */
struct atlas_command_line {
	const char *output;	       /* -o FILE; NULL: standard output */
	int force;		       /* -f: binary data on a terminal */
	enum atlas_data_format format; /* of arrays bound without "FMT:" */
	const char *const *size_specs; /* the --size NAME=COUNT arguments */
	size_t nsize_specs;
	uint64_t lanes;	       /* --lanes (a resident run), or unset */
	uint64_t max_resident; /* bytes per resident array; 0: default */
	/* threads and pool bytes; 0: chosen by atlas_bind_command_line */
	unsigned threads;
	uint64_t pool_size;
	const char *boundary; /* --boundary FILE, or NULL */
	/* NULL, or the run state and progress callback of the run (see
	   struct atlas_stream_options) */
	struct atlas_run_state *state;
	void (*progress)(void *arg, const struct atlas_stream_stats *st);
	void *progress_arg;
	/* set by atlas_bind_command_line: whether the run is resident
	   (--lanes, a --size of a streamed array, or a kernel that cannot
	   stream), and the --size counts, one per parameter of the program
	   (ATLAS_COUNT_UNSET where not given; malloc'd: free() it) */
	int resident;
	uint64_t *sizes;
};

/*
 * Bind the command line cl and its operands ops[0..nops) ("NAME=VALUE")
 * to b (from atlas_bindings_new), in atlas-run's order: every array takes
 * cl->format; the --size counts go to cl->sizes ("--size: message" from
 * atlas_resident_size); the operands are bound (atlas_bind_operand); -o
 * FILE is opened, created but not truncated ("FILE: strerror"), to take
 * the place of standard output in atlas_bind_stdio's defaults, and names
 * the out arrays left unbound; then those defaults.  After its checks: -o
 * FILE must have an array ("-o FILE: no output array is left to write
 * there"), and is truncated if regular; fd 0 and 1 are never a terminal
 * for binary (not text) data without cl->force ("refusing to write
 * binary data to a terminal (use -f to force)", or read from).  Last,
 * the defaults: cl->threads every core (atlas_topo_get), or 1 when fd 0
 * or 1 serves an array and is not a regular file; cl->pool_size
 * atlas_pool_size_for those threads; and cl->resident.  cl->sizes is set
 * (or NULL, out of memory) whatever the result.  The caller closes the
 * descriptors with atlas_bindings_close.
 */
enum atlas_status atlas_bind_command_line(const struct atlas_program *p,
					  struct atlas_stream_binding *b,
					  char *const *ops, size_t nops,
					  struct atlas_command_line *cl,
					  struct atlas_error *err);

/*
 * Run p over b as cl says, after atlas_bind_command_line, on an engine of
 * cl->threads threads of its own (atlas_engine_new): the pool image
 * cl->boundary, if set, is mapped as cl->state's boundary for the run
 * (atlas_pool_file_map; "FILE: message"); the pipes of the bindings are
 * grown to 1 MiB (atlas_pipe_grow); then atlas_resident_run if
 * cl->resident, else atlas_stream.  Returns what they return; stats as
 * theirs.  The engine is freed and the image unmapped before returning.
 */
enum atlas_status atlas_run_kernel(const struct atlas_program *p,
				   const struct atlas_stream_binding *b,
				   const struct atlas_command_line *cl,
				   struct atlas_stream_stats *stats,
				   struct atlas_error *err);

/*
 * Close the descriptors of b above fd 2 and mark them unbound (-1).  A
 * failure to close a file that was written is ATLAS_ERR_IO, "LABEL: write
 * error: strerror" (errnum set), for the first such file; every one is
 * closed either way.
 */
enum atlas_status atlas_bindings_close(const struct atlas_program *p,
				       struct atlas_stream_binding *b,
				       struct atlas_error *err);

/* ---- resident runs --------------------------------------------------------
 */

struct atlas_resident_options {
	/* lanes to run, or ATLAS_COUNT_UNSET to infer them */
	uint64_t lanes;
	/* bytes one array may hold in memory, input or output; 0: the
	   default, ATLAS_MAX_RESIDENT_DEFAULT */
	uint64_t max_resident;
	/* NULL, or one element count per parameter for the output arrays
	   (ATLAS_COUNT_UNSET where not given): overrides what is inferred */
	const uint64_t *sizes;
	/* NULL, or the run state the launch uses and updates
	   (atlas_engine_run_state) */
	struct atlas_run_state *state;
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
 * arrays: lanes; records: lanes * K; reductions: the length the program
 * declares; inout arrays: their input's; other outputs must be given in
 * sizes.  Inputs are read, and outputs written, in their binding's
 * format (a .npy output holds one dimension).
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

/* ---- Atlas space -------------------------------------------------------- */

/*
 * The Atlas-12288 model (man 7 atlas): 96 resonance classes, a phase
 * counter modulo 768, the Φ lens over 48 pages of 256 bytes, and the
 * boundary pool of 96 class-major blocks of 12,288 bytes.
 */
#define ATLAS_CLASSES 96
#define ATLAS_PAGES 48
#define ATLAS_PAGE_BYTES 256
#define ATLAS_CLASS_BYTES 12288	 /* 48 pages of 256 bytes */
#define ATLAS_POOL_BYTES 1179648 /* 96 classes of 12,288 bytes */
#define ATLAS_PHASE_MODULUS 768
#define ATLAS_MAX_DEGREE 6

/*
 * The two class numberings.  atlas (the graph numbering used by the ISA,
 * metadata and validation): class = 48·b0 + 24·b1 + 12·b2 + 6·b3 + 3·b4 +
 * (((b >> 5) & 3) mod 3), bit 7 ignored; mirror flips e7 (c ± 3); unity
 * classes {1, 4}; neighbours flip e1, e2, e3 or e6 or move d45.  sigil
 * (circuits): class = 24·h2 + 8·d + l, bit 0 ignored; mirror swaps d 1 ↔ 2
 * (c ± 8, or c when d = 0); it defines no unity set (empty here) and no
 * neighbours (ATLAS_ERR_UNSUPPORTED).
 */
enum atlas_numbering { ATLAS_NUMBERING_ATLAS, ATLAS_NUMBERING_SIGIL };

/* "atlas" or "sigil"; "?" for an out-of-range value. */
const char *atlas_numbering_name(enum atlas_numbering n);
/* Parse "atlas" or "sigil"; returns 0 and sets *n, or -1 if unknown. */
int atlas_numbering_parse(const char *name, enum atlas_numbering *n);

/* The class (0..95) of a byte: a table lookup. */
unsigned atlas_class_of_byte(enum atlas_numbering n, uint8_t byte);

/*
 * Check a class index: ATLAS_OK, or ATLAS_ERR_ARG with "invalid class
 * index: C (must be < 96)".  Every atlas_class_* function taking a class
 * makes this check first.
 */
enum atlas_status atlas_class_check(unsigned c, struct atlas_error *err);

/*
 * The canonical byte of class c: sigil, rep(c) (bit 0 clear); atlas, the
 * lowest byte of the class.
 */
enum atlas_status atlas_class_byte(enum atlas_numbering n, unsigned c,
				   uint8_t *byte, struct atlas_error *err);

/* The mirror of class c (an involution in both numberings). */
enum atlas_status atlas_class_mirror(enum atlas_numbering n, unsigned c,
				     unsigned *mirror, struct atlas_error *err);

/* Sets *unity to 1 if c is a unity class ({1, 4} in atlas; none in sigil). */
enum atlas_status atlas_class_unity(enum atlas_numbering n, unsigned c,
				    int *unity, struct atlas_error *err);

/* The unity classes as a 96-bit bitmap: bit c % 8 of byte c / 8. */
void atlas_class_unity_bitmap(enum atlas_numbering n, uint8_t bitmap[12]);

/*
 * The neighbours of class c in ascending order into nbr (up to
 * ATLAS_MAX_DEGREE; nbr may be NULL) and their number into *degree (may
 * be NULL): 5 or 6 in atlas.  sigil: ATLAS_ERR_UNSUPPORTED.
 */
enum atlas_status atlas_class_neighbors(enum atlas_numbering n, unsigned c,
					uint8_t nbr[ATLAS_MAX_DEGREE],
					unsigned *degree,
					struct atlas_error *err);

/*
 * Neighbour i (0-based, ascending order) of class c; i at or past the
 * degree is ATLAS_ERR_ARG, "neighbor index I out of range for class C
 * (degree D)".
 */
enum atlas_status atlas_class_neighbor(enum atlas_numbering n, unsigned c,
				       unsigned i, unsigned *out,
				       struct atlas_error *err);

/*
 * A class hop from → to is legal (atlas numbering) when to == from, to is
 * the mirror of from, or to is a neighbour; otherwise ATLAS_ERR_EXEC,
 * "illegal neighbor traversal: class F → T not in 1-skeleton".
 */
enum atlas_status atlas_class_check_hop(unsigned from, unsigned to,
					struct atlas_error *err);

/* A set of classes: low holds classes 0..63, high classes 64..95. */
struct atlas_class_mask {
	uint64_t low;
	uint32_t high;
};

/* All 96 classes; no class. */
struct atlas_class_mask atlas_class_mask_all(void);
struct atlas_class_mask atlas_class_mask_none(void);
/* Add or remove class c (c >= 96 is ignored); test it (0 when c >= 96). */
void atlas_class_mask_set(struct atlas_class_mask *m, unsigned c);
void atlas_class_mask_clear(struct atlas_class_mask *m, unsigned c);
int atlas_class_mask_is_set(struct atlas_class_mask m, unsigned c);
/* The number of classes in m. */
unsigned atlas_class_mask_count(struct atlas_class_mask m);
/* Whether a and b share a class; whether they share none. */
int atlas_class_mask_overlaps(struct atlas_class_mask a,
			      struct atlas_class_mask b);
int atlas_class_mask_is_disjoint(struct atlas_class_mask a,
				 struct atlas_class_mask b);
struct atlas_class_mask
atlas_class_mask_intersection(struct atlas_class_mask a,
			      struct atlas_class_mask b);
struct atlas_class_mask atlas_class_mask_union(struct atlas_class_mask a,
					       struct atlas_class_mask b);
/* The classes of m in ascending order into out; returns their number. */
unsigned atlas_class_mask_active(struct atlas_class_mask m,
				 uint8_t out[ATLAS_CLASSES]);

/*
 * The phase counter: value in [0, 768) and a 64-bit epoch counting the
 * wraps of atlas_phase_advance.  A zeroed struct is phase 0, epoch 0.
 */
struct atlas_phase {
	uint32_t value;
	uint64_t epoch;
};

/* value = p mod 768; the epoch is unchanged. */
void atlas_phase_set(struct atlas_phase *ph, uint64_t p);
/* value = (value + delta) mod 768; epoch += floor((value + delta) / 768). */
void atlas_phase_advance(struct atlas_phase *ph, uint64_t delta);
/* value = 0, epoch = 0. */
void atlas_phase_reset(struct atlas_phase *ph);
/* The class (phase / 8, 0..95) and sub-phase (phase % 8) of phase mod 768. */
unsigned atlas_phase_class(uint32_t phase);
unsigned atlas_phase_sub(uint32_t phase);

/* A phase window: begin and span, half-open, wrapping modulo 768. */
struct atlas_phase_window {
	uint32_t begin, span;
};

/*
 * Whether phase (mod 768) lies in the window (begin, span): span 0 is
 * empty, span >= 768 is every phase, otherwise [begin, begin + span)
 * modulo 768.
 */
int atlas_phase_in_window(uint32_t phase, uint32_t begin, uint32_t span);
/* The exclusive end of a window, (begin + span) mod 768. */
uint32_t atlas_phase_window_end(uint32_t begin, uint32_t span);

/*
 * Φ: the linear index page·256 + byte of a boundary coordinate, checking
 * page < 48 ("invalid page: P (must be in [0, 48))") and byte < 256
 * ("invalid byte: B (must be in [0, 256))"), ATLAS_ERR_ARG.
 */
enum atlas_status atlas_phi_linear_index(unsigned page, unsigned byte,
					 uint32_t *index,
					 struct atlas_error *err);
/*
 * The inverse of atlas_phi_linear_index; index >= 12288 is ATLAS_ERR_ARG,
 * "boundary out of range: (index / 256, index % 256)".
 */
enum atlas_status atlas_phi_lens_unmap(uint32_t index, unsigned *page,
				       unsigned *byte, struct atlas_error *err);
/* (byte << 16) | page, with the checks of atlas_phi_linear_index. */
enum atlas_status atlas_phi_encode(unsigned page, unsigned byte, uint32_t *x,
				   struct atlas_error *err);
/* page = x & 0xFFFF, byte = (x >> 16) & 0xFF; page >= 48 is an error. */
enum atlas_status atlas_phi_decode(uint32_t x, unsigned *page, unsigned *byte,
				   struct atlas_error *err);

/*
 * The boundary-pool offset class·12288 + page·256 + byte.  Errors
 * (ATLAS_ERR_ARG): "invalid class ID C for BoundMap (must be < 96)",
 * "invalid Φ-coordinate for BoundMap: invalid page: P (must be in [0,
 * 48))", "invalid byte: B (must be in [0, 256))".
 */
enum atlas_status atlas_bound_map(unsigned c, unsigned page, unsigned byte,
				  uint64_t *offset, struct atlas_error *err);
/*
 * The inverse of atlas_bound_map; offset >= 1179648 is ATLAS_ERR_ARG,
 * "boundary offset O out of range (must be < 1179648)".
 */
enum atlas_status atlas_bound_unmap(uint64_t offset, unsigned *c,
				    unsigned *page, unsigned *byte,
				    struct atlas_error *err);

/*
 * A Φ descriptor: map(c, x, y) = base_ptr + class_offset·c + stride_x·x +
 * stride_y·y in 64-bit two's complement; windows are half-open.
 */
struct atlas_phi_desc {
	uint64_t base_ptr;
	int64_t stride_x, stride_y;
	uint16_t swizzle_id; /* 0: none (the only one defined) */
	uint8_t window_x_min, window_x_max;
	uint16_t window_y_min, window_y_max;
	uint64_t class_offset;
};

/* identity: strides 256 and 1, windows [0, 48) × [0, 256), class_offset 0. */
struct atlas_phi_desc atlas_phi_desc_identity(uint64_t base);
/* class_tiled: identity with class_offset 12288. */
struct atlas_phi_desc atlas_phi_desc_class_tiled(uint64_t base);
uint64_t atlas_phi_desc_map(const struct atlas_phi_desc *d, unsigned c,
			    unsigned x, unsigned y);
int atlas_phi_desc_in_window(const struct atlas_phi_desc *d, unsigned x,
			     unsigned y);

/*
 * The boundary pool: ATLAS_POOL_BYTES zeroed bytes, 64-byte aligned (in
 * fact page aligned), class c at offset c·12288.  Locking it in memory
 * and asking for huge pages are best effort: their failure is no error,
 * only reported by atlas_bound_pool_locked and atlas_bound_pool_huge.
 */
struct atlas_bound_pool;

/* A new zeroed pool, or NULL with ATLAS_ERR_NOMEM. */
struct atlas_bound_pool *atlas_bound_pool_new(struct atlas_error *err);
void atlas_bound_pool_free(struct atlas_bound_pool *pool);
/* The ATLAS_POOL_BYTES bytes of the pool. */
uint8_t *atlas_bound_pool_data(struct atlas_bound_pool *pool);
/* The 12,288 bytes of class c (*len = ATLAS_CLASS_BYTES). */
enum atlas_status atlas_bound_pool_view(struct atlas_bound_pool *pool,
					unsigned c, uint8_t **data, size_t *len,
					struct atlas_error *err);
/* Whether mlock and MADV_HUGEPAGE succeeded. */
int atlas_bound_pool_locked(const struct atlas_bound_pool *pool);
int atlas_bound_pool_huge(const struct atlas_bound_pool *pool);

/*
 * A linear bump allocator of offsets within a pool of capacity bytes
 * (0: unlimited).  Offsets are never reused; atlas_bump_reset starts
 * over.
 */
struct atlas_bump {
	uint64_t capacity, used;
};

void atlas_bump_init(struct atlas_bump *b, uint64_t capacity);
void atlas_bump_reset(struct atlas_bump *b);
/*
 * Allocate size bytes aligned to align (a power of two) and set *offset.
 * Errors, ATLAS_ERR_ARG: "cannot allocate zero-sized buffer", "alignment
 * A is not a power of two"; ATLAS_ERR_LIMIT: "out of memory: requested R
 * bytes, A available" (A = capacity - used), leaving b unchanged.
 */
enum atlas_status atlas_bump_alloc(struct atlas_bump *b, uint64_t size,
				   uint64_t align, uint64_t *offset,
				   struct atlas_error *err);

/* Boundary footprint: pages and bytes a kernel touches, INCLUSIVE ranges. */
struct atlas_boundary_footprint {
	uint8_t page_min, page_max, byte_min, byte_max;
};

/*
 * Kernel metadata (ISA attributes).  name is borrowed, not copied: it
 * must outlive the struct.
 */
struct atlas_metadata {
	const char *name;
	struct atlas_class_mask classes_mask;
	int mirror_safe, unity_neutral, uses_boundary;
	struct atlas_boundary_footprint boundary;
	struct atlas_phase_window phase;
};

/*
 * The defaults for name: every class, the flags false, the full footprint
 * {0, 47, 0, 255} and the full phase window {0, 768}.
 */
void atlas_metadata_init(struct atlas_metadata *m, const char *name);

/*
 * Validate m, returning on the first failure with ATLAS_ERR_VERIFY and
 * one of, in this order: "invalid kernel metadata: kernel name cannot be
 * empty", "invalid kernel metadata: kernel must access at least one
 * class", "invalid page: P (must be in [0, 48))" (page_min, then
 * page_max), "invalid kernel metadata: page_min > page_max", "invalid
 * kernel metadata: byte_min > byte_max", "invalid phase: P (must be in
 * [0, 768))", "invalid kernel metadata: phase span S exceeds modulus
 * 768", "invalid kernel metadata: mirror pair M missing for class C"
 * (mirror_safe, atlas numbering).
 */
enum atlas_status atlas_metadata_validate(const struct atlas_metadata *m,
					  struct atlas_error *err);

/*
 * The metadata p declares (man 7 atlas-isa: .classes, .mirror_safe,
 * .unity_neutral, .uses_boundary, .boundary, .phase; JSON "metadata"),
 * named after p: 1 when p declares any, else 0 with *m the defaults.
 * m->name points into p.
 */
int atlas_program_metadata(const struct atlas_program *p,
			   struct atlas_metadata *m);

/*
 * Runtime checks (ATLAS_ERR_EXEC).  Phase: "phase window violation:
 * current phase P not in [B, E)".  Boundary (the footprint is
 * inclusive): "boundary violation: (X, Y) outside window ([PMIN, PMAX],
 * [BMIN, BMAX])"; callers check it when uses_boundary is set.  Mirror
 * safety (only when mirror_safe): "mirror safety violation: class C and
 * mirror M produced different results".
 */
enum atlas_status atlas_metadata_check_phase(const struct atlas_metadata *m,
					     uint32_t phase,
					     struct atlas_error *err);
enum atlas_status atlas_metadata_check_boundary(const struct atlas_metadata *m,
						unsigned x, unsigned y,
						struct atlas_error *err);
enum atlas_status atlas_metadata_check_mirror(const struct atlas_metadata *m,
					      struct atlas_error *err);
/*
 * Before a launch: the phase window, then mirror safety, then validate,
 * whose message becomes "invalid metadata: MSG" (ATLAS_ERR_VERIFY).
 */
enum atlas_status atlas_metadata_check_launch(const struct atlas_metadata *m,
					      uint32_t phase,
					      struct atlas_error *err);

/* A buffer's extent within a pool, for the aliasing check. */
struct atlas_buffer_range {
	uint64_t id;
	unsigned pool;
	uint64_t offset, size;
};

/*
 * Two buffers alias when in the same pool and a.end > b.offset and b.end
 * > a.offset: ATLAS_ERR_EXEC, "aliasing violation: buffers A and B
 * overlap".
 */
enum atlas_status atlas_metadata_check_alias(const struct atlas_buffer_range *a,
					     const struct atlas_buffer_range *b,
					     struct atlas_error *err);

/* ---- resonance ---------------------------------------------------------- */

/*
 * An exact rational, the unit of resonance (man 7 atlas, DESIGN.md 8.2).
 * Canonical form: den > 0, gcd(|num|, den) = 1, and zero is 0/1.  Every
 * ratio the library returns is canonical, and every ratio it takes must
 * be (atlas_ratio_make reduces any other pair).
 */
struct atlas_ratio {
	int64_t num, den;
};

/* Bytes atlas_ratio_format needs at most: "-9223372036854775808/" + 19
   digits + NUL. */
#define ATLAS_RATIO_BUFSIZE 48

/*
 * Whether r is canonical: ATLAS_OK, else ATLAS_ERR_ARG with "resonance
 * ratio has zero denominator" or "resonance ratio non-canonical: N/D"
 * (a negative denominator, a common factor, or 0/D with D != 1).
 */
enum atlas_status atlas_ratio_check(struct atlas_ratio r,
				    struct atlas_error *err);

/*
 * num/den in canonical form in *out.  ATLAS_ERR_ARG for den 0 (message
 * as atlas_ratio_check); ATLAS_ERR_LIMIT "resonance arithmetic overflow:
 * N/D exceeds i64 range" when the reduced value does not fit (only
 * INT64_MIN/-1 and its multiples).  *out is unchanged on failure.
 */
enum atlas_status atlas_ratio_make(int64_t num, int64_t den,
				   struct atlas_ratio *out,
				   struct atlas_error *err);

/*
 * *out = a + b exactly (reference 1.6 RES_ACCUM: 128-bit intermediates,
 * reduced, then narrowed).  a and b must be canonical (atlas_ratio_check
 * and its message).  A result outside i64 is ATLAS_ERR_LIMIT "resonance
 * arithmetic overflow: N/D exceeds i64 range", N/D the reduced exact
 * result.  *out is written only on success, so it may be the variable a
 * or b was read from (acc = a + acc).
 */
enum atlas_status atlas_ratio_add(struct atlas_ratio a, struct atlas_ratio b,
				  struct atlas_ratio *out,
				  struct atlas_error *err);

/* -1, 0 or 1 as a < b, a = b, a > b; exact.  Both canonical. */
int atlas_ratio_cmp(struct atlas_ratio a, struct atlas_ratio b);

/*
 * The exact value of a finite double (±m·2^e, reduced) in *out; -0 and +0
 * give 0/1.  NaN and infinities: ATLAS_ERR_ARG "not a finite number".  A
 * value whose numerator or denominator does not fit i64 (|x| >= 2^63
 * except -2^63, or a denominator above 2^62): ATLAS_ERR_LIMIT "resonance
 * arithmetic overflow: M*2^E exceeds i64 range" or "... M/2^E ...", M
 * odd.  *out is unchanged on failure.
 */
enum atlas_status atlas_ratio_from_f64(double x, struct atlas_ratio *out,
				       struct atlas_error *err);

/* As atlas_ratio_from_f64, for a float: f32 0.1 is 13421773/134217728. */
enum atlas_status atlas_ratio_from_f32(float x, struct atlas_ratio *out,
				       struct atlas_error *err);

/*
 * Write r as "N/D" into buf (size bytes, ATLAS_RATIO_BUFSIZE suffice)
 * and return buf.  The denominator is always written ("0/1", "3/1"):
 * every value has one shape, the one the messages use, and a script
 * splits it at the '/'.
 */
char *atlas_ratio_format(struct atlas_ratio r, char *buf, size_t size);

#define ATLAS_RESONANCE_CLASSES 96

/*
 * The resonance accumulator R[96] (reference 1.6): one canonical ratio
 * per class, all 0/1 at first.  A plain struct: embed it and clear it
 * with atlas_resonance_zero, or allocate one with atlas_resonance_new.
 * The functions below never leave an entry non-canonical, and a failed
 * call changes no entry.
 */
struct atlas_resonance {
	struct atlas_ratio r[ATLAS_RESONANCE_CLASSES];
};

/* Set every entry of acc to 0/1. */
void atlas_resonance_zero(struct atlas_resonance *acc);

/* A zeroed accumulator, freed with atlas_resonance_free; NULL if out of
   memory. */
struct atlas_resonance *atlas_resonance_new(struct atlas_error *err);
void atlas_resonance_free(struct atlas_resonance *acc);

/*
 * R[cls] += delta (the ResAccum instruction).  Errors, in this order:
 * ATLAS_ERR_ARG "invalid class index: C (must be < 96)"; the delta's
 * atlas_ratio_check error; atlas_ratio_add's overflow, R[cls] unchanged.
 */
enum atlas_status atlas_resonance_accumulate(struct atlas_resonance *acc,
					     uint64_t cls,
					     struct atlas_ratio delta,
					     struct atlas_error *err);

/*
 * R[c] += delta[c] for all 96 classes, all or nothing: every delta is
 * checked first (the first bad one is reported, as atlas_ratio_check
 * words it), then the sums are formed in a copy, so that an overflow in
 * any class leaves every entry as it was.
 */
enum atlas_status atlas_resonance_add_deltas(
	struct atlas_resonance *acc,
	const struct atlas_ratio delta[ATLAS_RESONANCE_CLASSES],
	struct atlas_error *err);

/*
 * The exact sum of the 96 entries in *sum.  The running sum is kept on
 * 128 bits, so partial sums may leave i64 range; ATLAS_ERR_LIMIT when the
 * total does not fit i64 ("resonance arithmetic overflow: N/D exceeds i64
 * range") or an intermediate does not fit 128 bits ("resonance arithmetic
 * overflow: sum exceeds i128 range").
 */
enum atlas_status atlas_resonance_sum(const struct atlas_resonance *acc,
				      struct atlas_ratio *sum,
				      struct atlas_error *err);

/*
 * Unity neutrality: *neutral = (the sum of R is exactly 0).  The total
 * need not fit i64, so only the i128 overflow of atlas_resonance_sum can
 * fail.
 */
enum atlas_status atlas_resonance_is_neutral(const struct atlas_resonance *acc,
					     int *neutral,
					     struct atlas_error *err);

/*
 * The post-launch check (reference 1.10): ATLAS_OK when neutral, else
 * ATLAS_ERR_EXEC "unity neutrality violation: net resonance delta
 * non-zero" (or the overflow error of atlas_resonance_is_neutral).
 */
enum atlas_status
atlas_resonance_check_neutral(const struct atlas_resonance *acc,
			      struct atlas_error *err);

struct atlas_resonance_stats {
	struct atlas_ratio sum; /* exact sum of the entries */
	/*
	 * The entry of largest absolute value, sign kept (|INT64_MIN/1|
	 * would not fit), and its class: the lowest on ties; 0/1 and class
	 * 0 when every entry is zero.
	 */
	struct atlas_ratio max;
	unsigned max_class;
	unsigned nonzero; /* number of entries other than 0/1 */
};

/*
 * Fill *st (reference 1.6 statistics; magnitudes compared exactly by
 * cross-multiplication).  Fails, *st unchanged, only when the sum does
 * (atlas_resonance_sum).
 */
enum atlas_status atlas_resonance_statistics(const struct atlas_resonance *acc,
					     struct atlas_resonance_stats *st,
					     struct atlas_error *err);

/* ---- pool files ---- */

/*
 * Parse an unsigned number: decimal digits, or hex digits after 0x or 0X;
 * nothing else (no sign, blanks or suffix).  Returns ATLAS_OK and sets
 * *out; ATLAS_ERR_ARG "invalid number 'TEXT'" when malformed,
 * ATLAS_ERR_LIMIT "number 'TEXT' out of range" above 2^64 - 1.
 */
enum atlas_status atlas_number_parse(const char *text, uint64_t *out,
				     struct atlas_error *err);

/*
 * atlas_number_parse, then a range check: the value must be below limit
 * (inclusive: at most limit - 1).  ATLAS_ERR_ARG "invalid WHAT 'TEXT'
 * (not a number)"; ATLAS_ERR_LIMIT "invalid WHAT N (must be < LIMIT)"
 * or, inclusive, "(must be <= LIMIT - 1)".  limit must not be 0.
 */
enum atlas_status atlas_number_parse_below(const char *what, const char *text,
					   uint64_t limit, int inclusive,
					   uint64_t *out,
					   struct atlas_error *err);

#define ATLAS_DIGEST_BYTES 32

/*
 * The BLAKE2b-256 digest (unkeyed, libsodium crypto_generichash) of len
 * bytes of data into out, as "b2sum -l 256" computes it.  Fails only if
 * libsodium cannot initialise (ATLAS_ERR_UNSUPPORTED).
 */
enum atlas_status atlas_digest(const void *data, size_t len,
			       uint8_t out[ATLAS_DIGEST_BYTES],
			       struct atlas_error *err);

/*
 * Read the pool image at path, exactly ATLAS_POOL_BYTES bytes, into buf
 * (ATLAS_POOL_BYTES bytes, owned by the caller).  Errors, their messages
 * without the path: ATLAS_ERR_IO (strerror text, errnum set);
 * ATLAS_ERR_INPUT "not a pool image (N bytes, want 1179648)".
 */
enum atlas_status atlas_pool_file_read(const char *path, uint8_t *buf,
				       struct atlas_error *err);

/*
 * Map the pool image at path read-write and shared, so that stores reach
 * the file: *data is its ATLAS_POOL_BYTES bytes, to give back with
 * atlas_pool_file_unmap.  Errors as atlas_pool_file_read's (a file of
 * another size: "not a pool image (N bytes, want 1179648)").
 */
enum atlas_status atlas_pool_file_map(const char *path, void **data,
				      struct atlas_error *err);
/* Unmap what atlas_pool_file_map mapped; NULL is a no-op. */
void atlas_pool_file_unmap(void *data);

/*
 * Create a zeroed pool image at path (mode 0666 less the umask).  An
 * existing file is an error (EEXIST, ATLAS_ERR_IO) unless overwrite is
 * set, when it is truncated and rewritten in place.
 */
enum atlas_status atlas_pool_file_create(const char *path, int overwrite,
					 struct atlas_error *err);

/*
 * The number of non-zero bytes of class c of pool (ATLAS_POOL_BYTES
 * bytes) and the BLAKE2b-256 digest of its ATLAS_CLASS_BYTES bytes.
 * ATLAS_ERR_ARG for c >= 96 (atlas_class_check).
 */
enum atlas_status atlas_pool_class_stat(const uint8_t *pool, unsigned c,
					size_t *nonzero,
					uint8_t digest[ATLAS_DIGEST_BYTES],
					struct atlas_error *err);

/* Everything about one class in one numbering, for tables. */
struct atlas_class_info {
	unsigned mirror;
	unsigned degree; /* 0 in sigil, which defines no neighbours */
	uint8_t nbr[ATLAS_MAX_DEGREE]; /* the first degree are set, ascending */
	int unity;
	uint8_t byte; /* the canonical byte (atlas_class_byte) */
};

/* Fill *info for class c; ATLAS_ERR_ARG for c >= 96. */
enum atlas_status atlas_class_info(enum atlas_numbering n, unsigned c,
				   struct atlas_class_info *info,
				   struct atlas_error *err);

/*
 * Row c of atlas-pool's tables into buf (size bytes; 256 suffice), no
 * newline: with pool set, the stat row "class nonzero digest" of that
 * pool image, else the class table row "class mirror degree neighbours
 * unity byte" of numbering n (neighbours comma-separated; degree and
 * neighbours "-" in sigil; unity 0 or 1; byte 0xHH).  json: a JSON
 * object instead, with the keys class, nonzero, digest (lower-case hex)
 * or class, mirror, degree, neighbors (an array; null in sigil), unity
 * (a boolean), byte (a number).  ATLAS_ERR_ARG for c >= 96.
 */
enum atlas_status atlas_pool_row(const uint8_t *pool, enum atlas_numbering n,
				 unsigned c, int json, char *buf, size_t size,
				 struct atlas_error *err);

/* The lookups of atlas-pool. */
enum atlas_pool_query {
	ATLAS_QUERY_ENCODE,    /* v: page, byte; "0xXXXXXXXX" */
	ATLAS_QUERY_DECODE,    /* v: x; "page byte" */
	ATLAS_QUERY_MAP,       /* v: class, page, byte; the offset */
	ATLAS_QUERY_UNMAP,     /* v: offset; "class page byte" */
	ATLAS_QUERY_CLASS,     /* v: byte; its class in numbering n */
	ATLAS_QUERY_MIRROR,    /* v: class; its mirror in numbering n */
	ATLAS_QUERY_NEIGHBORS, /* v: class; its atlas neighbours, ascending */
	ATLAS_QUERY_UNITY      /* the unity classes of numbering n */
};

/*
 * Answer lookup q on the numbers v into buf (size bytes; 64 suffice) as
 * one line of text without the newline; lists are space-separated.
 * Errors: those of the atlas_phi_*, atlas_bound_* and atlas_class_*
 * functions, and for DECODE "invalid page P in phi value 0xX (must be
 * < 48)" (ATLAS_ERR_ARG).
 */
enum atlas_status atlas_pool_query(enum atlas_pool_query q,
				   enum atlas_numbering n, const uint64_t *v,
				   char *buf, size_t size,
				   struct atlas_error *err);

/*
 * Write the bytes of fd into class c of the pool image at path from page
 * on, at most the room left in the class (12288 - 256·page bytes), and
 * replace the file (atlas_file_replace).  *got (if got is not NULL):
 * the bytes read from fd.
 * Messages name path or src (the name of fd): "SRC: more than N bytes
 * for class C from page P" (ATLAS_ERR_LIMIT, the file unchanged), and
 * those of atlas_pool_file_read and the I/O helpers.
 */
enum atlas_status atlas_pool_file_put(const char *path, unsigned c,
				      unsigned page, int fd, const char *src,
				      size_t *got, struct atlas_error *err);

#endif /* ATLAS_H */
