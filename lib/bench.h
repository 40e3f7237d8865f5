/*
 * bench.h - what the suite files of atlas_bench_run share (lib/bench*.c):
 * the timing method, the measurement records, child processes and
 * temporary files.  Internal to the library.
 */
#ifndef ATLAS_BENCH_H
#define ATLAS_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "atlas.h"

/* One suite's run: where measurements go and how long samples last. */
struct bench_ctx {
	const struct atlas_bench_options *o;
	const char *suite;
	atlas_bench_emit emit;
	void *arg;
	struct atlas_error *err;
	unsigned reps;	  /* timed repetitions of each measurement */
	unsigned threads; /* engine threads, at least 1 */
	double sample_ns; /* a sample repeats the operation to last this */
	int stop;	  /* set when emit asked to stop */
};

/* Median, smallest and largest time of one run of an operation, in ns. */
struct bench_stat {
	double median, min, max;
};

/* One run of the operation being measured: ATLAS_OK or a failure (err). */
typedef enum atlas_status (*bench_fn)(void *arg, struct atlas_error *err);

/* The monotonic clock, in ns. */
double bench_now_ns(void);

/*
 * Measure fa (and fb, when not NULL) by the method of atlas.h: one
 * warm-up run each, which also sets how many runs a sample takes (enough
 * to last c->sample_ns); then c->reps samples of each, A/B interleaved,
 * the order swapped every other repetition.  Times are per run.
 */
enum atlas_status bench_pair(struct bench_ctx *c, bench_fn fa, void *a,
			     bench_fn fb, void *b, struct bench_stat *sa,
			     struct bench_stat *sb);

/* A measurement of c's suite from a summary; the rest zeroed. */
void bench_measure(struct atlas_measure *m, const struct bench_ctx *c,
		   const char *name, uint64_t size, const char *size_unit,
		   const struct bench_stat *s);

/* Set m's throughput; and its ratio to other, against name, when other. */
void bench_rate(struct atlas_measure *m, double throughput, const char *unit,
		const struct bench_stat *other, const char *against);

/* Hand m to the caller; returns nonzero (and sets c->stop) to stop. */
int bench_emit(struct bench_ctx *c, const struct atlas_measure *m);

/* Set err: code and a formatted message; returns code. */
enum atlas_status bench_fail(struct atlas_error *err, enum atlas_status code,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Deterministic data for an array of n elements of type t. */
void bench_fill(void *data, enum atlas_type t, uint64_t n);

/*
 * Load the bundled kernel name: from o->kernel_dir when set, else where
 * atlas_kernel_find finds it.
 */
enum atlas_status bench_kernel_load(const struct atlas_bench_options *o,
				    const char *name, struct atlas_program **p,
				    struct atlas_error *err);

/* An engine of c->threads threads. */
struct atlas_engine *bench_engine(const struct bench_ctx *c);

/* ---- processes and files (bench_proc.c) ---- */

/* A private temporary directory in $TMPDIR (else /tmp), into dir. */
enum atlas_status bench_tmpdir(char *dir, size_t size, struct atlas_error *err);

/* Remove dir and the plain files in it (best effort). */
void bench_tmpdir_remove(const char *dir);

/* s quoted for sh(1) into buf (size bytes); -1 if it does not fit. */
int bench_shquote(char *buf, size_t size, const char *s);

/*
 * Run argv[0] (searched in PATH when it has no '/') with stdin from
 * in, stdout to out and stderr to errpath (NULL: /dev/null), wait for
 * it and check that it exits 0 and wrote nothing to errpath.  *maxrss
 * (if not NULL): its ru_maxrss, KiB, which counts the caller's RSS at
 * the spawn (exec keeps the high-water mark).  Messages name what.
 */
enum atlas_status bench_exec(const char *what, char *const argv[],
			     const char *in, const char *out,
			     const char *errpath, long *maxrss,
			     struct atlas_error *err);

/* bench_exec of /bin/sh -c cmd. */
enum atlas_status bench_sh(const char *what, char *cmd, const char *errpath,
			   struct atlas_error *err);

/* ---- the suites ---- */

enum atlas_status bench_interp(struct bench_ctx *c);
enum atlas_status bench_kernels(struct bench_ctx *c);
enum atlas_status bench_stream(struct bench_ctx *c);
enum atlas_status bench_blas(struct bench_ctx *c);
enum atlas_status bench_startup(struct bench_ctx *c);

/* ---- native loops (bench_native.c) ---- */

/* The value the kernels suite gives float value scalars (an epsilon). */
#define BENCH_EPS 1e-5

/*
 * A native C loop doing a kernel's work over its arrays, in parameter
 * order: lanes lanes of k elements each (element-wise kernels: k = 1).
 */
typedef void (*bench_native_fn)(void *const *arrays, size_t lanes, size_t k);

/* The native loop of the bundled kernel name, or NULL. */
bench_native_fn bench_native_find(const char *name);

#endif /* ATLAS_BENCH_H */
