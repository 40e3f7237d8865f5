/*
 * blas.h - OpenBLAS, loaded when a kernel or a benchmark first needs it
 * (dlopen), so that the programs that never multiply matrices do not pay
 * for its start-up (its threads and CPU probing: about 3 ms, a third of
 * atlas-run's start-up).  Internal to libatlas.
 */
#ifndef ATLAS_BLAS_H
#define ATLAS_BLAS_H

#include <cblas.h>

#include "atlas.h"

/* The entry points libatlas calls. */
struct blas {
	__typeof__(cblas_sgemm) *sgemm;
	__typeof__(cblas_dgemm) *dgemm;
	__typeof__(cblas_sgemv) *sgemv;
	__typeof__(cblas_dgemv) *dgemv;
	__typeof__(cblas_sdot) *sdot;
	__typeof__(cblas_ddot) *ddot;
	__typeof__(openblas_get_num_procs) *get_num_procs;
	__typeof__(openblas_get_num_threads) *get_num_threads;
	__typeof__(openblas_set_num_threads) *set_num_threads;
	__typeof__(openblas_get_config) *get_config;
};

/*
 * OpenBLAS's entry points, loaded once per process; NULL, with "OpenBLAS
 * is not available: REASON" in err, when it cannot be loaded.
 */
const struct blas *blas_get(struct atlas_error *err);

#endif
