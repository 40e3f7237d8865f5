/*
 * bench.c - atlas_bench_run (man 1 atlas-bench): the suites, and the
 * method they share.  Every measurement: a warm-up run, which also sets
 * how many runs one timed sample takes (short operations are repeated
 * to last a few milliseconds, so that the clock's resolution and the
 * call overhead do not count); then the repetitions, A/B interleaved
 * when two operations are compared, the order swapped every other
 * repetition so that drift in the machine's speed hits both alike; then
 * the median, minimum and maximum of the samples, per run.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

const char *const atlas_bench_suites[] = {"interp", "kernels", "stream",
					  "blas",   "startup", NULL};

static enum atlas_status (*const suite_fns[])(struct bench_ctx *) = {
	bench_interp, bench_kernels, bench_stream, bench_blas, bench_startup};

/* Repetitions and sample length when the caller does not say. */
#define REPS_FULL 7
#define REPS_QUICK 3
#define SAMPLE_NS_FULL 20e6
#define SAMPLE_NS_QUICK 2e6
/* A sample never repeats an operation more than this. */
#define MAX_INNER 100000

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

enum atlas_status bench_fail(struct atlas_error *err, enum atlas_status code,
			     const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	memset(err, 0, sizeof *err);
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void summarise(double *v, unsigned n, struct bench_stat *s)
{
	qsort(v, n, sizeof *v, cmp_double);
	s->min = v[0];
	s->max = v[n - 1];
	s->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Runs per sample for an operation whose warm-up run took t ns. */
static unsigned inner_runs(const struct bench_ctx *c, double t)
{
	double k = t > 0 ? ceil(c->sample_ns / t) : MAX_INNER;

	return k < 1 ? 1 : k > MAX_INNER ? MAX_INNER : (unsigned)k;
}

/* Time inner runs of f; *ns the time per run. */
static enum atlas_status sample(bench_fn f, void *a, unsigned inner, double *ns,
				struct atlas_error *err)
{
	const double t0 = bench_now_ns();
	enum atlas_status rc = ATLAS_OK;

	for (unsigned i = 0; i < inner && rc == ATLAS_OK; i++)
		rc = f(a, err);
	*ns = (bench_now_ns() - t0) / inner;
	return rc;
}

enum atlas_status bench_pair(struct bench_ctx *c, bench_fn fa, void *a,
			     bench_fn fb, void *b, struct bench_stat *sa,
			     struct bench_stat *sb)
{
	const unsigned n = c->reps;
	double *va = calloc(2 * (size_t)n, sizeof *va), *vb = va + n;
	double ta = 0, tb = 0;
	unsigned ka, kb = 1;
	enum atlas_status rc;

	if (!va)
		return bench_fail(c->err, ATLAS_ERR_NOMEM, "out of memory");
	rc = sample(fa, a, 1, &ta, c->err);
	if (rc == ATLAS_OK && fb)
		rc = sample(fb, b, 1, &tb, c->err);
	ka = inner_runs(c, ta);
	kb = inner_runs(c, tb);
	for (unsigned r = 0; r < n && rc == ATLAS_OK; r++) {
		const int swap = fb && r % 2;

		if (swap)
			rc = sample(fb, b, kb, &vb[r], c->err);
		if (rc == ATLAS_OK)
			rc = sample(fa, a, ka, &va[r], c->err);
		if (rc == ATLAS_OK && fb && !swap)
			rc = sample(fb, b, kb, &vb[r], c->err);
	}
	if (rc == ATLAS_OK) {
		summarise(va, n, sa);
		if (fb)
			summarise(vb, n, sb);
	}
	free(va);
	return rc;
}

/* Copy s into the fixed array dst of size bytes, cut short if need be. */
static void set_text(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s ? s : "");
}

void bench_measure(struct atlas_measure *m, const struct bench_ctx *c,
		   const char *name, uint64_t size, const char *size_unit,
		   const struct bench_stat *s)
{
	memset(m, 0, sizeof *m);
	set_text(m->suite, sizeof m->suite, c->suite);
	set_text(m->name, sizeof m->name, name);
	m->size = size;
	set_text(m->size_unit, sizeof m->size_unit, size ? size_unit : "");
	m->median_ns = s->median;
	m->min_ns = s->min;
	m->max_ns = s->max;
}

void bench_rate(struct atlas_measure *m, double throughput, const char *unit,
		const struct bench_stat *other, const char *against)
{
	m->throughput = throughput;
	set_text(m->throughput_unit, sizeof m->throughput_unit, unit);
	if (other && other->median > 0) {
		m->ratio = m->median_ns / other->median;
		set_text(m->against, sizeof m->against, against);
	}
}

int bench_emit(struct bench_ctx *c, const struct atlas_measure *m)
{
	if (!c->stop && c->emit(c->arg, m))
		c->stop = 1;
	return c->stop;
}

void bench_fill(void *data, enum atlas_type t, uint64_t n)
{
	/* floats in [0.5, 2.5): inside the domain of every bundled kernel
	   (log, sqrt, pow, division); small positive integers */
	for (uint64_t i = 0; i < n; i++) {
		const double f = 0.5 + (double)(i % 1000) * 0.002;
		const unsigned k = (unsigned)(i % 97) + 1;

		switch (t) {
		case ATLAS_F32:
			((float *)data)[i] = (float)f;
			break;
		case ATLAS_F64:
			((double *)data)[i] = f;
			break;
		case ATLAS_I8:
		case ATLAS_U8:
			((uint8_t *)data)[i] = (uint8_t)k;
			break;
		case ATLAS_I16:
		case ATLAS_U16:
		case ATLAS_F16:
		case ATLAS_BF16:
			/* 0x3c00 + k: f16 values near 1; bf16 tiny */
			((uint16_t *)data)[i] = (uint16_t)(0x3c00 + k);
			break;
		case ATLAS_I32:
		case ATLAS_U32:
			((uint32_t *)data)[i] = k;
			break;
		default:
			((uint64_t *)data)[i] = k;
			break;
		}
	}
}

enum atlas_status bench_kernel_load(const struct atlas_bench_options *o,
				    const char *name, struct atlas_program **p,
				    struct atlas_error *err)
{
	char file[4096], *path = NULL;
	enum atlas_status rc;

	if (o->kernel_dir) {
		if ((size_t)snprintf(file, sizeof file, "%s/%s.json",
				     o->kernel_dir, name) >= sizeof file)
			return bench_fail(err, ATLAS_ERR_ARG,
					  "kernel directory name too long");
		name = file;
	}
	rc = atlas_kernel_load(name, NULL, p, &path, err);
	free(path);
	return rc;
}

struct atlas_engine *bench_engine(const struct bench_ctx *c)
{
	const struct atlas_engine_options eo = {.threads = c->threads};

	return atlas_engine_new(&eo, c->err);
}

enum atlas_status atlas_bench_run(const char *suite,
				  const struct atlas_bench_options *o,
				  atlas_bench_emit emit, void *arg,
				  struct atlas_error *err)
{
	const struct atlas_bench_options none = {0};
	struct bench_ctx c = {0};
	size_t i = 0;

	while (atlas_bench_suites[i] &&
	       strcmp(atlas_bench_suites[i], suite ? suite : ""))
		i++;
	if (!atlas_bench_suites[i])
		return bench_fail(err, ATLAS_ERR_ARG, "unknown suite '%s'",
				  suite ? suite : "");
	if (!emit)
		return bench_fail(err, ATLAS_ERR_ARG, "no emit function");
	c.o = o ? o : &none;
	c.suite = atlas_bench_suites[i];
	c.emit = emit;
	c.arg = arg;
	c.err = err;
	c.reps = c.o->reps ? c.o->reps : c.o->quick ? REPS_QUICK : REPS_FULL;
	c.threads = c.o->threads ? c.o->threads : 1;
	c.sample_ns = c.o->quick ? SAMPLE_NS_QUICK : SAMPLE_NS_FULL;
	return suite_fns[i](&c);
}
