/*
 * t-bench.c - atlas_bench_run: every suite in quick mode makes
 * well-formed measurements (printed as diagnostics, with the time each
 * suite took); an unknown suite is an argument error; emit can stop a
 * suite.  Run from the repository root (make check), where bin/atlas-run
 * and share/atlas/kernels are.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "atlas.h"
#include "tap.h"

struct seen {
	const char *suite;
	int count, bad;
	int ratios; /* measurements with a ratio */
	char first_bad[160];
	int stop_after; /* nonzero: stop after this many */
};

static int known_unit(const char *u)
{
	static const char *const units[] = {
		"GB/s", "GFLOP/s", "ns/lane-insn", "%", "KiB", "x", ""};

	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (strcmp(u, units[i]) == 0)
			return 1;
	return 0;
}

/* Why m is malformed, or NULL. */
static const char *check(const struct seen *s, const struct atlas_measure *m)
{
	if (strcmp(m->suite, s->suite))
		return "suite";
	if (!m->name[0])
		return "empty name";
	if (!(m->min_ns > 0) || !(m->median_ns >= m->min_ns) ||
	    !(m->max_ns >= m->median_ns) || !isfinite(m->max_ns))
		return "min <= median <= max";
	if (m->size && !m->size_unit[0])
		return "size without unit";
	if (!known_unit(m->throughput_unit) || m->throughput < 0 ||
	    !isfinite(m->throughput))
		return "throughput";
	if (m->throughput_unit[0] && !(m->throughput > 0) &&
	    strcmp(m->throughput_unit, "%"))
		return "throughput zero";
	if (m->ratio < 0 || (m->ratio > 0) != (m->against[0] != 0))
		return "ratio and against";
	return NULL;
}

static int emit(void *arg, const struct atlas_measure *m)
{
	struct seen *s = arg;
	const char *why = check(s, m);

	s->count++;
	s->ratios += m->ratio > 0;
	if (why && !s->bad++)
		snprintf(s->first_bad, sizeof s->first_bad, "%s: %s", m->name,
			 why);
	diag("%-8s %-44s %10llu %-8s %12.0f ns  %10.4g %-12s x%.3g %s",
	     m->suite, m->name, (unsigned long long)m->size, m->size_unit,
	     m->median_ns, m->throughput, m->throughput_unit, m->ratio,
	     m->against);
	return s->stop_after && s->count >= s->stop_after;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const struct atlas_bench_options quick = {
	.quick = 1,
	.bindir = "bin",
	.kernel_dir = "share/atlas/kernels",
};

static void test_suite(const char *suite)
{
	struct seen s = {.suite = suite};
	struct atlas_error err = {0};
	const double t0 = now();
	enum atlas_status rc = atlas_bench_run(suite, &quick, emit, &s, &err);

	diag("%s --quick: %.2f s", suite, now() - t0);
	if (!ok(rc == ATLAS_OK, "%s: runs", suite))
		diag("%s", err.msg);
	ok(s.count > 0, "%s: measures (%d)", suite, s.count);
	if (!ok(s.bad == 0, "%s: well-formed", suite))
		diag("%s", s.first_bad);
	if (strcmp(suite, "interp"))
		ok(s.ratios > 0, "%s: has ratios", suite);
}

static void test_unknown(void)
{
	struct atlas_error err = {0};
	struct seen s = {.suite = "nope"};

	is_int(atlas_bench_run("nope", &quick, emit, &s, &err), ATLAS_ERR_ARG,
	       "unknown suite: ATLAS_ERR_ARG");
	is_str(err.msg, "unknown suite 'nope'", "unknown suite: message");
	is_int(s.count, 0, "unknown suite: no measurements");
}

static void test_stop(void)
{
	struct seen s = {.suite = "interp", .stop_after = 2};
	struct atlas_error err = {0};

	is_int(atlas_bench_run("interp", &quick, emit, &s, &err), ATLAS_OK,
	       "emit stops a suite: ATLAS_OK");
	is_int(s.count, 2, "emit stops a suite: no more measurements");
}

static void test_user_kernel(void)
{
	struct atlas_bench_options o = quick;
	struct seen s = {.suite = "kernels"};
	struct atlas_error err = {0};

	o.kernel = "share/atlas/kernels/relu.json";
	is_int(atlas_bench_run("kernels", &o, emit, &s, &err), ATLAS_OK,
	       "--kernel FILE: runs");
	is_int(s.count, 2, "--kernel FILE: two sizes, that kernel only");
	is_int(s.ratios, 0, "--kernel FILE: no native loop");
	o.kernel = "share/atlas/kernels/gemm_f32.json";
	s.count = 0;
	is_int(atlas_bench_run("kernels", &o, emit, &s, &err),
	       ATLAS_ERR_UNSUPPORTED, "--kernel gemm_f32: cannot be sized");
}

int main(void)
{
	for (size_t i = 0; atlas_bench_suites[i]; i++)
		test_suite(atlas_bench_suites[i]);
	test_unknown();
	test_stop();
	test_user_kernel();
	return done_testing();
}
