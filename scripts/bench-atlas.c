/*
 * bench-atlas.c - the boundary pool through the interpreter: bound.map +
 * ldg over the whole 1,179,648-byte pool (handle 0, reached through a
 * register holding 0, as man 7 atlas-isa describes), against a plain
 * contiguous ldg over the same pool, in GB/s of pool bytes read.
 *
 *   scripts/bench-atlas [REPEATS] [THREADS]     (default 200, 1)
 *
 * One lane per element of the pool (u32: 294,912 lanes; u8: 1,179,648).
 * The bound.map kernels compute class, page and byte from the lane id
 * (class = i / per-class, page and byte from the remainder), map them
 * with bound.map and load through [r2 + r13] with r2 = 0.  The plain
 * kernels load [r2 + lane·size].  Each kernel stores what it loaded into
 * an output array (checked against the pool once); the "nostore" row is
 * the bound.map u32 kernel without that store.  Times are the median of
 * REPEATS launches, interleaved A/B; the target is >= 1 GB/s for
 * bound.map + ldg.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atlas.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * bound.map kernel for elements of 1 << sh bytes: per class 12288 >> sh
 * elements, 256 >> sh per page.
 */
static char *bound_kernel(unsigned sh, int store)
{
	static char buf[2048];
	const char *t = sh ? "u32" : "u8";

	snprintf(buf, sizeof buf,
		 ".kernel bound_%s\n"
		 ".param y %s[] out r1\n"
		 /* the lane id as u32: coordinates in 4-byte lanes */
		 "cvt.u32.u64 r19, r255\n"
		 "mov_imm.u32 r20, %u\n"
		 "div.u32 r21, r19, r20\n"	    /* class */
		 "mod.u32 r22, r19, r20\n"	    /* element in class */
		 "mov_imm.u32 r23, %u\n"
		 "shr.u32 r24, r22, r23\n"	    /* page */
		 "mov_imm.u32 r25, %u\n"
		 "and.u32 r26, r22, r25\n"	    /* element in page */
		 "mov_imm.u32 r27, %u\n"
		 "shl.u32 r28, r26, r27\n"	    /* byte */
		 "cvt.u8.u32 r10, r21\n"
		 "cvt.u8.u32 r11, r24\n"
		 "cvt.u8.u32 r12, r28\n"
		 "bound.map r13, r10, r11, r12\n"
		 "mov_imm.u64 r2, 0\n"
		 "ldg.%s r5, [r2 + r13]\n"
		 "%s",
		 t, t, 12288u >> sh, 8 - sh, (256u >> sh) - 1, sh, t,
		 store ? (sh ? "mov_imm.u32 r250, 2\n"
			       "shl.u64 r0, r255, r250\n"
			       "stg.u32 [r1 + r0], r5\n"
			     : "stg.u8 [r1 + r255], r5\n")
		       : "");
	return buf;
}

static char *plain_kernel(unsigned sh)
{
	static char buf[1024];
	const char *t = sh ? "u32" : "u8";

	snprintf(buf, sizeof buf,
		 ".kernel plain_%s\n"
		 ".param y %s[] out r1\n"
		 "mov_imm.u32 r250, %u\n"
		 "shl.u64 r0, r255, r250\n"
		 "mov_imm.u64 r2, 0\n"
		 "ldg.%s r5, [r2 + r0]\n"
		 "stg.%s [r1 + r0], r5\n",
		 t, t, sh, t, t);
	return buf;
}

static struct atlas_program *load(const char *text)
{
	struct atlas_error err = {0};
	struct atlas_program *p = NULL;

	if (atlas_program_parse(text, strlen(text), ATLAS_FORMAT_ASM, &p,
				&err) ||
	    atlas_program_verify(p, &err)) {
		fprintf(stderr, "kernel:%zu:%zu: %s\n%s", err.line, err.col,
			err.msg, text);
		exit(1);
	}
	return p;
}

static void run(struct atlas_engine *e, const struct atlas_program *p,
		unsigned sh, uint8_t *out, struct atlas_run_state *st)
{
	struct atlas_error err = {0};
	struct atlas_arg a;
	struct atlas_launch l = atlas_launch_linear(ATLAS_POOL_BYTES >> sh, 256);

	memset(&a, 0, sizeof a);
	a.view.data = out;
	a.view.size = ATLAS_POOL_BYTES;
	if (atlas_engine_run_state(e, p, &l, &a, 1, st, &err)) {
		fprintf(stderr, "run %s: %s\n", atlas_program_name(p), err.msg);
		exit(1);
	}
}

#define NK 5

int main(int argc, char **argv)
{
	int R = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 200;
	unsigned threads = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1;
	struct atlas_engine_options o = {.threads = threads};
	struct atlas_engine *e = atlas_engine_new(&o, NULL);
	struct atlas_bound_pool *bp = atlas_bound_pool_new(NULL);
	uint8_t *pool = atlas_bound_pool_data(bp);
	uint8_t *out = aligned_alloc(64, ATLAS_POOL_BYTES);
	struct atlas_run_state st;
	const char *names[NK] = {"bound.map+ldg.u32", "plain ldg.u32",
				 "bound.map+ldg.u8", "plain ldg.u8",
				 "bound.map+ldg.u32 nostore"};
	unsigned shs[NK] = {2, 2, 0, 0, 2};
	struct atlas_program *p[NK];
	double *t[NK];

	if (!e || !bp || !out || R < 1)
		return 1;
	p[0] = load(bound_kernel(2, 1));
	p[1] = load(plain_kernel(2));
	p[2] = load(bound_kernel(0, 1));
	p[3] = load(plain_kernel(0));
	p[4] = load(bound_kernel(2, 0));
	memset(&st, 0, sizeof st);
	st.boundary.data = pool;
	st.boundary.size = ATLAS_POOL_BYTES;
	for (size_t i = 0; i < ATLAS_POOL_BYTES; i++)
		pool[i] = (uint8_t)(i * 2654435761u >> 13);
	/* check once, and warm up */
	for (int k = 0; k < 4; k++) {
		memset(out, 0, ATLAS_POOL_BYTES);
		run(e, p[k], shs[k], out, &st);
		if (memcmp(out, pool, ATLAS_POOL_BYTES) != 0) {
			fprintf(stderr, "%s: output differs from the pool\n",
				names[k]);
			return 1;
		}
	}
	for (int k = 0; k < NK; k++)
		t[k] = malloc(sizeof(double) * R);
	for (int r = 0; r < R; r++)
		for (int k = 0; k < NK; k++) {
			double t0 = now();

			run(e, p[k], shs[k], out, &st);
			t[k][r] = now() - t0;
		}
	printf("pool %d bytes, repeats %d, threads %u, medians\n",
	       ATLAS_POOL_BYTES, R, threads ? threads : 1);
	printf("%-26s %10s %10s %12s\n", "kernel", "ms", "GB/s", "ns/lane");
	for (int k = 0; k < NK; k++) {
		double m = median(t[k], R);

		printf("%-26s %10.3f %10.3f %12.3f\n", names[k], m * 1e3,
		       ATLAS_POOL_BYTES / m * 1e-9,
		       m * 1e9 / (ATLAS_POOL_BYTES >> shs[k]));
		atlas_program_free(p[k]);
		free(t[k]);
	}
	atlas_bound_pool_free(bp);
	atlas_engine_free(e);
	free(out);
	return 0;
}
