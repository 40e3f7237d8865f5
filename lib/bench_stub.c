/*
 * bench_stub.c - TEMPORARY stand-in for the benchmark suites (lib/bench*.c,
 * written on another branch), so that atlas-bench and its tests build and
 * run before they are merged.  Delete this file at the merge.
 *
 * The symbols are weak, so the real suites win if both are linked.  The
 * figures are made up from the sizes: only their shape is real (the
 * suites, names, sizes and units of man 1 atlas-bench).  With a kernel
 * (--kernel), the kernels suite compiles it first and fails as the real
 * suite would on a kernel that does not compile.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas.h"
#include "program.h"

__attribute__((weak)) const char *const atlas_bench_suites[] = {
	"interp", "kernels", "stream", "blas", "startup", NULL};

/* One made-up measurement: median ns per unit of size, +-10%. */
static int fake(atlas_bench_emit emit, void *arg, const char *suite,
		const char *name, uint64_t size, const char *size_unit,
		double ns, double work, const char *tunit, double ratio,
		const char *against)
{
	struct atlas_measure m = {.size = size,
				  .median_ns = ns,
				  .min_ns = ns * 0.9,
				  .max_ns = ns * 1.1,
				  .throughput = work / ns,
				  .ratio = ratio};

	snprintf(m.suite, sizeof m.suite, "%s", suite);
	snprintf(m.name, sizeof m.name, "%s", name);
	snprintf(m.size_unit, sizeof m.size_unit, "%s", size_unit);
	snprintf(m.throughput_unit, sizeof m.throughput_unit, "%s", tunit);
	snprintf(m.against, sizeof m.against, "%s", against);
	return emit(arg, &m);
}

/* The kernel file's base name without its extension. */
static void kernel_name(const char *path, char *name, size_t cap)
{
	const char *b = strrchr(path, '/');

	snprintf(name, cap, "%s", b ? b + 1 : path);
	name[strcspn(name, ".")] = '\0';
}

/* Does the kernel file compile?  As the real suite checks. */
static enum atlas_status kernel_check(const char *path, struct atlas_error *err)
{
	struct atlas_program **progs = NULL;
	size_t len, n = 0;
	char *text = NULL;
	enum atlas_status st;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: cannot open",
				path);
		return ATLAS_ERR_IO;
	}
	st = atlas_read_all(fd, (uint64_t)64 << 20, &text, &len, err);
	close(fd);
	if (st == ATLAS_OK)
		st = atlas_compile(text, len, atlas_source_of_path(path),
				   &progs, &n, err);
	atlas_programs_free(progs, n);
	free(text);
	if (st != ATLAS_OK && err) {
		char msg[sizeof err->msg];

		snprintf(msg, sizeof msg, "%s", err->msg);
		atlas_error_set(err, st, err->line, err->col, "%s: %s", path,
				msg);
	}
	return st;
}

static int kernels(const struct atlas_bench_options *o, atlas_bench_emit emit,
		   void *arg)
{
	static const char *const names[] = {"vector_add", "sigmoid", NULL};
	char own[64];
	const char *mine[] = {own, NULL};
	const char *const *k = names;

	if (o->kernel) {
		kernel_name(o->kernel, own, sizeof own);
		k = mine;
	}
	for (; *k; k++)
		for (uint64_t n = 1024; n <= (o->quick ? 65536u : 1u << 22);
		     n *= 4) {
			const double ns = 200 + 0.9 * (double)n;

			if (fake(emit, arg, "kernels", *k, n, "elements", ns,
				 12.0 * (double)n, "GB/s", 1.8, "native C"))
				return 1;
		}
	return 0;
}

__attribute__((weak)) enum atlas_status
atlas_bench_run(const char *suite, const struct atlas_bench_options *o,
		atlas_bench_emit emit, void *arg, struct atlas_error *err)
{
	const uint64_t big = o->quick ? 1u << 16 : 1u << 24;

	if (strcmp(suite, "interp") == 0) {
		if (fake(emit, arg, suite, "sigmoid", big, "elements",
			 0.8 * (double)big, 40.0 * (double)big, "ns/lane-insn",
			 2.5, "native C") == 0)
			fake(emit, arg, suite, "vector_add", big, "elements",
			     0.5 * (double)big, 4.0 * (double)big,
			     "ns/lane-insn", 1.9, "native C");
	} else if (strcmp(suite, "kernels") == 0) {
		if (o->kernel) {
			enum atlas_status st = kernel_check(o->kernel, err);

			if (st != ATLAS_OK)
				return st;
		}
		kernels(o, emit, arg);
	} else if (strcmp(suite, "stream") == 0) {
		fake(emit, arg, suite, "atlas-run sigmoid", big * 4, "bytes",
		     0.3 * (double)big, 4.0 * (double)big, "GB/s", 3.1, "cat");
	} else if (strcmp(suite, "blas") == 0) {
		for (uint64_t n = 64; n <= (o->quick ? 128u : 1024u); n *= 2)
			if (fake(emit, arg, suite, "gemm_f32", n, "n",
				 (double)(n * n * n) / 4,
				 2.0 * (double)(n * n * n), "GFLOP/s", 40,
				 "cblas_sgemm"))
				break;
	} else if (strcmp(suite, "startup") == 0) {
		fake(emit, arg, suite, "atlas-run --version", 0, "", 900e3, 0,
		     "", 1.6, "true");
	} else {
		atlas_error_set(err, ATLAS_ERR_ARG, 0, 0, "unknown suite '%s'",
				suite);
		return ATLAS_ERR_ARG;
	}
	return ATLAS_OK;
}
