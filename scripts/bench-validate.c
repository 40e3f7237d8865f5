/*
 * bench-validate.c - what validation costs: for every bundled kernel
 * (share/atlas/kernels/*.py and *.json), the median and the largest of R
 * runs of atlas_compile (parse, lower, verify: what atlas-run and
 * atlas-compile do on every load, errors only) and of atlas_validate_text
 * (the same plus atlas_program_lint's warnings and notes: what
 * atlas-validate does).  Targets (issue 6): validating any bundled kernel
 * under 2 ms; validation adding under 1 ms to atlas-run's start-up.
 *
 *   scripts/bench-validate [REPEATS]     (default 200)
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atlas.h"

#define DIR_KERNELS "share/atlas/kernels"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median and maximum of t[0..n), sorted in place. */
static void summary(double *t, int n, double *med, double *max)
{
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	*med = t[n / 2];
	*max = t[n - 1];
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Time R compilations and R validations of one kernel file; 0 if good. */
static int bench_file(const char *path, int reps, double *worst)
{
	struct atlas_error err;
	double *tc = malloc(sizeof *tc * (size_t)reps);
	double *tv = malloc(sizeof *tv * (size_t)reps);
	double cm, cx, vm, vx;
	size_t len, warn = 0, errors = 0;
	char *text;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !tc || !tv ||
	    atlas_read_all(fd, (uint64_t)1 << 26, &text, &len, &err)) {
		fprintf(stderr, "bench-validate: %s: cannot read\n", path);
		return 1;
	}
	close(fd);
	for (int r = 0; r < reps; r++) {
		struct atlas_program **v;
		struct atlas_diags d = {0};
		size_t n;
		double t0 = now();

		if (atlas_compile(text, len, atlas_source_of_path(path), &v, &n,
				  &err)) {
			fprintf(stderr, "bench-validate: %s: %s\n", path,
				err.msg);
			return 1;
		}
		tc[r] = now() - t0;
		atlas_programs_free(v, n);
		t0 = now();
		if (atlas_validate_text(text, len, atlas_source_of_path(path),
					&d, &err))
			return 1;
		tv[r] = now() - t0;
		warn = d.count[ATLAS_SEV_WARNING];
		errors = d.count[ATLAS_SEV_ERROR];
		atlas_diags_free(&d);
	}
	summary(tc, reps, &cm, &cx);
	summary(tv, reps, &vm, &vx);
	printf("%-32s %9.3f %9.3f %9.3f %9.3f %4zu %4zu\n", path, cm * 1e3,
	       cx * 1e3, vm * 1e3, vx * 1e3, errors, warn);
	if (vm > *worst)
		*worst = vm;
	free(text);
	free(tc);
	free(tv);
	return errors || warn;
}

int main(int argc, char **argv)
{
	const int reps = argc > 1 ? atoi(argv[1]) : 200;
	DIR *dir = opendir(DIR_KERNELS);
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	double worst = 0;
	int bad = 0;

	if (!dir || reps < 1) {
		fprintf(stderr, "usage: bench-validate [REPEATS] (run from the "
				"source tree)\n");
		return 2;
	}
	while ((e = readdir(dir)) && n < 256) {
		const size_t l = strlen(e->d_name);

		if ((l > 3 && !strcmp(e->d_name + l - 3, ".py")) ||
		    (l > 5 && !strcmp(e->d_name + l - 5, ".json"))) {
			char *p = malloc(l + sizeof DIR_KERNELS + 1);

			sprintf(p, "%s/%s", DIR_KERNELS, e->d_name);
			names[n++] = p;
		}
	}
	closedir(dir);
	qsort(names, n, sizeof *names, cmp_name);
	printf("%-32s %9s %9s %9s %9s %4s %4s\n", "kernel (ms, " "median/max)",
	       "compile", "max", "validate", "max", "err", "warn");
	for (size_t k = 0; k < n; k++) {
		bad |= bench_file(names[k], reps, &worst);
		free(names[k]);
	}
	printf("slowest validation (median): %.3f ms; target < 2 ms: %s\n",
	       worst * 1e3, worst < 2e-3 ? "PASS" : "FAIL");
	if (bad)
		printf("some bundled kernel has errors or warnings: FAIL\n");
	return bad || worst >= 2e-3;
}
