/*
 * blas.c - OpenBLAS loaded on first use (blas.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "blas.h"
#include "program.h"

#define BLAS_LIBRARY "libopenblas.so.0"

static struct blas api;
static char why[200];
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Look name up in h into *slot; 0, or -1 with why set. */
static int sym(void *h, const char *name, void *slot)
{
	void *f = dlsym(h, name);

	if (!f) {
		snprintf(why, sizeof why, "%s has no %s", BLAS_LIBRARY, name);
		return -1;
	}
	*(void **)slot = f;
	return 0;
}

static void load(void)
{
	void *h = dlopen(BLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, sizeof why, "%s", dlerror());
		return;
	}
	loaded = !sym(h, "cblas_sgemm", &api.sgemm) &&
		 !sym(h, "cblas_dgemm", &api.dgemm) &&
		 !sym(h, "cblas_sgemv", &api.sgemv) &&
		 !sym(h, "cblas_dgemv", &api.dgemv) &&
		 !sym(h, "cblas_sdot", &api.sdot) &&
		 !sym(h, "cblas_ddot", &api.ddot) &&
		 !sym(h, "openblas_get_num_procs", &api.get_num_procs) &&
		 !sym(h, "openblas_get_num_threads", &api.get_num_threads) &&
		 !sym(h, "openblas_set_num_threads", &api.set_num_threads) &&
		 !sym(h, "openblas_get_config", &api.get_config);
}

const struct blas *blas_get(struct atlas_error *err)
{
	pthread_once(&once, load);
	if (loaded)
		return &api;
	atlas_error_set(err, ATLAS_ERR_UNSUPPORTED, 0, 0,
			"OpenBLAS is not available: %s", why);
	return NULL;
}

const char *atlas_blas_config(void)
{
	const struct blas *b = blas_get(NULL);

	return b ? b->get_config() : NULL;
}
