/*
 * exec_linalg.c - the BLAS instructions gemm, gemv and dot, executed by
 * OpenBLAS (man 7 atlas-isa, "BLAS operations").
 *
 * gemm and gemv have per-lane row semantics: lane k computes row i of the
 * result, i being its value of the row register.  Active lanes of a block
 * in a run (same arrays, sizes, leading dimensions, alpha and beta; rows
 * i, i + 1, ...) become one cblas call of as many rows; any other lane
 * pattern falls back to calls of fewer rows, down to one.  A run whose
 * ranges fail a check is redone lane by lane, so the error reported is the
 * first failing lane's, whatever the batching.
 *
 * Threads: a program with a BLAS instruction runs on one engine thread
 * (engine.c), and OpenBLAS gets the engine's thread budget, at most the
 * processors it sees, for the time of the instruction; dot uses one
 * OpenBLAS thread, as a threaded sdot sums in an order that depends on the
 * thread count.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "exec.h"

/* The operands of one lane: handles out, a, b, then the u32 values (row,
   sizes, leading dimensions), then alpha and beta bits. */
struct blas_args {
	uint64_t hc, ha, hb;
	uint64_t i, n, k, lda, ldb, ldc;
	uint64_t alpha, beta;
};

static void lane_args(struct worker *w, const struct isa_insn *in, size_t k,
		      struct blas_args *a)
{
	const enum atlas_type t = in->type;

	memset(a, 0, sizeof *a);
	a->hc = reg_lane_value(w, in->dst, ATLAS_U64, k);
	a->ha = reg_lane_value(w, in->src[0], ATLAS_U64, k);
	a->hb = reg_lane_value(w, in->src[1], ATLAS_U64, k);
	a->i = reg_lane_value(w, in->src[2], ATLAS_U32, k);
	a->n = reg_lane_value(w, in->src[3], ATLAS_U32, k);
	if (in->op == OP_GEMM) {
		a->k = reg_lane_value(w, in->src[4], ATLAS_U32, k);
		a->lda = reg_lane_value(w, in->src[5], ATLAS_U32, k);
		a->ldb = reg_lane_value(w, in->src[6], ATLAS_U32, k);
		a->ldc = reg_lane_value(w, in->src[7], ATLAS_U32, k);
		a->alpha = reg_lane_value(w, in->src[8], t, k);
		a->beta = reg_lane_value(w, in->src[9], t, k);
	} else {
		a->lda = reg_lane_value(w, in->src[4], ATLAS_U32, k);
		a->alpha = reg_lane_value(w, in->src[5], t, k);
		a->beta = reg_lane_value(w, in->src[6], t, k);
	}
}

/* b continues the run that a's row starts, m rows long. */
/*
 * Does row b continue the call of m rows that a starts?  Calls never
 * cross a multiple of PROGRAM_BLAS_GROUP rows: OpenBLAS's result for a
 * row depends on the call it falls in, and streamed chunks start at such
 * multiples, so fixed groups keep the output independent of the pool
 * size.
 */
static int continues(const struct blas_args *a, const struct blas_args *b,
		     uint64_t m)
{
	return b->i == a->i + m && b->i % PROGRAM_BLAS_GROUP != 0 &&
	       b->hc == a->hc && b->ha == a->ha && b->hb == a->hb &&
	       b->n == a->n && b->k == a->k && b->lda == a->lda &&
	       b->ldb == a->ldb && b->ldc == a->ldc && b->alpha == a->alpha &&
	       b->beta == a->beta;
}

/* An element range [lo, hi) of one array touched by a call. */
struct range {
	uint64_t h, lo, hi;
	uint8_t *p; /* resolved */
};

/* One call's plan: m rows from row i0; what it touches; the checks. */
struct plan {
	uint64_t m;
	struct range r[3]; /* out, a, b */
	const char *bad;   /* a failed argument check, or NULL */
};

static uint64_t max1(uint64_t v)
{
	return v ? v : 1;
}

/* Plan gemm/gemv rows [a->i, a->i + m): ranges, leading dimensions. */
static void plan(const struct isa_insn *in, const struct blas_args *a,
		 uint64_t m, struct plan *p)
{
	const int ta = in->sub & 1, tb = (in->sub >> 1) & 1;
	const uint64_t i0 = a->i, last = a->i + m - 1, n = a->n;

	memset(p, 0, sizeof *p);
	p->m = m;
	p->r[0].h = a->hc;
	p->r[1].h = a->ha;
	p->r[2].h = a->hb;
	if (a->hc == a->ha || a->hc == a->hb) {
		p->bad = "the output array is also an input";
		return;
	}
	if (in->op == OP_GEMV) {
		/* y[i] = alpha op(A)[i, 0..n) . x[0..n) + beta y[i] */
		if (ta ? a->lda < last + 1 : a->lda < max1(n)) {
			p->bad = "leading dimension of A too small";
			return;
		}
		p->r[0].lo = i0;
		p->r[0].hi = last + 1;
		if (n) {
			p->r[1].lo = ta ? i0 : i0 * a->lda;
			p->r[1].hi = ta ? (n - 1) * a->lda + last + 1 :
					  last * a->lda + n;
			p->r[2].hi = n;
		}
		return;
	}
	/* C[i, 0..n) = alpha op(A)[i, 0..k) op(B) + beta C[i, 0..n) */
	if (ta ? a->lda < last + 1 : a->lda < max1(a->k)) {
		p->bad = "leading dimension of A too small";
		return;
	}
	if (a->ldb < max1(tb ? a->k : n)) {
		p->bad = "leading dimension of B too small";
		return;
	}
	if (a->ldc < max1(n)) {
		p->bad = "leading dimension of C too small";
		return;
	}
	if (!n)
		return;
	p->r[0].lo = i0 * a->ldc;
	p->r[0].hi = last * a->ldc + n;
	if (a->k) {
		p->r[1].lo = ta ? i0 : i0 * a->lda;
		p->r[1].hi = ta ? (a->k - 1) * a->lda + last + 1 :
				  last * a->lda + a->k;
		p->r[2].hi = tb ? (n - 1) * a->ldb + a->k :
				  (a->k - 1) * a->ldb + n;
	}
}

/* Whether bytes [lo, hi) * size of handle h lie in its view. */
static int in_view(const struct launch_ctx *c, uint64_t h, uint64_t lo,
		   uint64_t hi, uint64_t size)
{
	const struct atlas_view *v;

	if (h >= c->nviews || (h == 0 && !c->views[0].data))
		return 0;
	v = &c->views[h];
	if (hi > UINT64_MAX / size)
		return 0;
	lo *= size;
	hi *= size;
	return lo >= v->base && hi - v->base <= v->size;
}

/* Resolve the plan's ranges; quiet: only say whether they are valid. */
static int resolve_plan(struct worker *w, const struct isa_insn *in,
			size_t lane, struct plan *p, int quiet)
{
	const uint64_t size = isa_size(in->type);

	if (p->bad) {
		if (!quiet)
			lane_fail(w, in, lane, ATLAS_ERR_EXEC, "%s: %s",
				  isa_op_table[in->op].mnemonic, p->bad);
		return -1;
	}
	for (int j = 0; j < 3; j++) {
		struct range *r = &p->r[j];

		if (r->hi == 0)
			continue; /* nothing touched */
		if (quiet) {
			if (!in_view(w->ctx, r->h, r->lo, r->hi, size))
				return -1;
			r->p = (uint8_t *)w->ctx->views[r->h].data +
			       (r->lo * size - w->ctx->views[r->h].base);
			continue;
		}
		if (r->hi > UINT64_MAX / size)
			return lane_fail(w, in, lane, ATLAS_ERR_EXEC,
					 "buffer access out of bounds: offset "
					 "%" PRIu64 " + size %" PRIu64
					 " overflows",
					 r->lo, r->hi - r->lo);
		if (exec_resolve(w, in, lane, r->h, r->lo * size,
				 (r->hi - r->lo) * size, &r->p))
			return -1;
	}
	return 0;
}

/* A copy of a range at an address aligned for its elements, when the
   buffer's is not (buffers need no alignment; OpenBLAS wants it). */
static int aligned(struct range *r, uint64_t size, uint8_t **tmp)
{
	*tmp = NULL;
	if (r->hi == 0 || (uintptr_t)r->p % size == 0)
		return 0;
	*tmp = malloc((r->hi - r->lo) * size);
	if (!*tmp)
		return -1;
	memcpy(*tmp, r->p, (r->hi - r->lo) * size);
	return 0;
}

/* C (or y) = beta C on rows of n elements, ld apart: the k = 0 case. */
static void scale_rows(enum atlas_type t, uint8_t *c, uint64_t m, uint64_t n,
		       uint64_t ld, uint64_t beta)
{
	for (uint64_t r = 0; r < m; r++)
		for (uint64_t j = 0; j < n; j++) {
			uint8_t *e = c + (r * ld + j) * isa_size(t);

			if (t == ATLAS_F32) {
				float b, v;

				memcpy(&b, &beta, 4);
				memcpy(&v, e, 4);
				v = b == 0.0f ? 0.0f : b * v;
				memcpy(e, &v, 4);
			} else {
				double b, v;

				memcpy(&b, &beta, 8);
				memcpy(&v, e, 8);
				v = b == 0.0 ? 0.0 : b * v;
				memcpy(e, &v, 8);
			}
		}
}

/* OpenBLAS, loaded by the first gemm, gemv or dot (exec_linalg); the
   programs that hold one run on one engine thread */
static const struct blas *B;

static void call_gemm(const struct isa_insn *in, const struct blas_args *a,
		      uint64_t m, uint8_t *c, const uint8_t *pa,
		      const uint8_t *pb)
{
	const enum CBLAS_TRANSPOSE ta = in->sub & 1 ? CblasTrans : CblasNoTrans;
	const enum CBLAS_TRANSPOSE tb = in->sub & 2 ? CblasTrans : CblasNoTrans;

	if (in->type == ATLAS_F32) {
		float al, be;

		memcpy(&al, &a->alpha, 4);
		memcpy(&be, &a->beta, 4);
		B->sgemm(CblasRowMajor, ta, tb, (int)m, (int)a->n, (int)a->k,
			 al, (const float *)(const void *)pa, (int)a->lda,
			 (const float *)(const void *)pb, (int)a->ldb, be,
			 (float *)(void *)c, (int)a->ldc);
	} else {
		double al, be;

		memcpy(&al, &a->alpha, 8);
		memcpy(&be, &a->beta, 8);
		B->dgemm(CblasRowMajor, ta, tb, (int)m, (int)a->n, (int)a->k,
			 al, (const double *)(const void *)pa, (int)a->lda,
			 (const double *)(const void *)pb, (int)a->ldb, be,
			 (double *)(void *)c, (int)a->ldc);
	}
}

static void call_gemv(const struct isa_insn *in, const struct blas_args *a,
		      uint64_t m, uint8_t *y, const uint8_t *pa,
		      const uint8_t *px)
{
	/* op(A) rows [i0, i0 + m): A's rows, or A's columns transposed */
	const int ta = in->sub & 1;
	const int rows = ta ? (int)a->n : (int)m,
		  cols = ta ? (int)m : (int)a->n;
	const enum CBLAS_TRANSPOSE tr = ta ? CblasTrans : CblasNoTrans;

	if (in->type == ATLAS_F32) {
		float al, be;

		memcpy(&al, &a->alpha, 4);
		memcpy(&be, &a->beta, 4);
		B->sgemv(CblasRowMajor, tr, rows, cols, al,
			 (const float *)(const void *)pa, (int)a->lda,
			 (const float *)(const void *)px, 1, be,
			 (float *)(void *)y, 1);
	} else {
		double al, be;

		memcpy(&al, &a->alpha, 8);
		memcpy(&be, &a->beta, 8);
		B->dgemv(CblasRowMajor, tr, rows, cols, al,
			 (const double *)(const void *)pa, (int)a->lda,
			 (const double *)(const void *)px, 1, be,
			 (double *)(void *)y, 1);
	}
}

/* Run the planned call (ranges resolved). */
static int run_plan(struct worker *w, const struct isa_insn *in, size_t lane,
		    const struct blas_args *a, struct plan *p)
{
	const uint64_t size = isa_size(in->type);
	struct range *out = &p->r[0];
	uint8_t *tmp[3] = {NULL, NULL, NULL};
	int rc = 0;

	if (out->hi == 0)
		return 0; /* no columns */
	if (a->n > INT_MAX || a->k > INT_MAX || a->lda > INT_MAX ||
	    a->ldb > INT_MAX || a->ldc > INT_MAX || p->m > INT_MAX)
		return lane_fail(w, in, lane, ATLAS_ERR_EXEC,
				 "%s: size out of range",
				 isa_op_table[in->op].mnemonic);
	regs_unalias(w, (unsigned)out->h, out->lo * size, out->hi * size);
	for (int j = 0; j < 3; j++)
		if (aligned(&p->r[j], size, &tmp[j])) {
			rc = lane_fail(w, in, lane, ATLAS_ERR_NOMEM,
				       "out of memory");
			goto done;
		}
#define AT(j) (tmp[j] ? tmp[j] : p->r[j].p)
	if (in->op == OP_GEMM && a->k == 0)
		scale_rows(in->type, AT(0), p->m, a->n, a->ldc, a->beta);
	else if (in->op == OP_GEMV && a->n == 0)
		scale_rows(in->type, AT(0), p->m, 1, 1, a->beta);
	else if (in->op == OP_GEMM)
		call_gemm(in, a, p->m, AT(0), AT(1), AT(2));
	else
		call_gemv(in, a, p->m, AT(0), AT(1), AT(2));
#undef AT
	if (tmp[0])
		memcpy(out->p, tmp[0], (out->hi - out->lo) * size);
done:
	for (int j = 0; j < 3; j++)
		free(tmp[j]);
	return rc;
}

/* Rows of the run starting at lane k0 with args a, m lanes long. */
static int run_rows(struct worker *w, const struct isa_insn *in,
		    const size_t *lanes, size_t nl, const struct blas_args *a)
{
	struct plan p;

	plan(in, a, nl, &p);
	if (resolve_plan(w, in, lanes[0], &p, nl > 1) == 0)
		return run_plan(w, in, lanes[0], a, &p);
	if (nl == 1)
		return -1;
	/* something is wrong in the run: lane by lane, in order */
	for (size_t j = 0; j < nl; j++) {
		struct blas_args b;

		lane_args(w, in, lanes[j], &b);
		plan(in, &b, 1, &p);
		if (resolve_plan(w, in, lanes[j], &p, 0) ||
		    run_plan(w, in, lanes[j], &b, &p))
			return -1;
	}
	return 0;
}

static int exec_rows(struct worker *w, const struct isa_insn *in,
		     const struct split *s)
{
	size_t *lanes = (size_t *)w->scratch[2]; /* EXEC_B * 8 bytes */
	struct blas_args a, b;
	size_t nl = 0;

	for (size_t k = 0; k < w->nlanes; k++) {
		if (!s->mask[k])
			continue;
		lane_args(w, in, k, &b);
		if (nl && continues(&a, &b, nl)) {
			lanes[nl++] = k;
			continue;
		}
		if (nl && run_rows(w, in, lanes, nl, &a))
			return -1;
		a = b;
		lanes[0] = k;
		nl = 1;
	}
	return nl ? run_rows(w, in, lanes, nl, &a) : 0;
}

/* dot: every active lane's register gets a[0..n) . b[0..n). */
static int exec_dot(struct worker *w, const struct isa_insn *in,
		    const struct split *s)
{
	const enum atlas_type t = in->type;
	const uint64_t size = isa_size(t);
	uint8_t *out = w->scratch[1];
	uint64_t last[3] = {UINT64_MAX, 0, 0}, bits = 0;

	for (size_t k = 0; k < w->nlanes; k++) {
		uint64_t ha, hb, n;
		struct plan p;

		if (!s->mask[k])
			continue;
		ha = reg_lane_value(w, in->src[0], ATLAS_U64, k);
		hb = reg_lane_value(w, in->src[1], ATLAS_U64, k);
		n = reg_lane_value(w, in->src[2], ATLAS_U32, k);
		if (ha != last[0] || hb != last[1] || n != last[2]) {
			uint8_t *tmp[3] = {NULL, NULL, NULL};
			int rc = 0;

			memset(&p, 0, sizeof p);
			p.r[1] = (struct range){ha, 0, n, NULL};
			p.r[2] = (struct range){hb, 0, n, NULL};
			if (n > INT_MAX)
				return lane_fail(w, in, k, ATLAS_ERR_EXEC,
						 "dot: size out of range");
			if (resolve_plan(w, in, k, &p, 0))
				return -1;
			if (aligned(&p.r[1], size, &tmp[1]) ||
			    aligned(&p.r[2], size, &tmp[2]))
				rc = lane_fail(w, in, k, ATLAS_ERR_NOMEM,
					       "out of memory");
#define AT(j) (tmp[j] ? tmp[j] : p.r[j].p)
			if (!rc && t == ATLAS_F32) {
				float r = n ? B->sdot((int)n,
						      (const float *)(void *)AT(
							      1),
						      1,
						      (const float *)(void *)AT(
							      2),
						      1) :
					      0.0f;

				bits = 0;
				memcpy(&bits, &r, 4);
			} else if (!rc) {
				double r =
					n ? B->ddot((int)n,
						    (const double *)(void *)AT(
							    1),
						    1,
						    (const double *)(void *)AT(
							    2),
						    1) :
					    0.0;

				memcpy(&bits, &r, 8);
			}
#undef AT
			free(tmp[1]);
			free(tmp[2]);
			if (rc)
				return -1;
			last[0] = ha;
			last[1] = hb;
			last[2] = n;
		}
		memcpy(out + k * size, &bits, size);
	}
	reg_commit(w, in->dst, t, out, s);
	return 0;
}

int exec_linalg(struct worker *w, const struct isa_insn *in,
		const struct split *s)
{
	struct atlas_error e;
	int procs;
	int want = w->ctx->threads ? (int)w->ctx->threads : 1;
	int old, rc;

	if (!B && !(B = blas_get(&e))) {
		size_t k = 0;

		while (k + 1 < w->nlanes && !s->mask[k])
			k++;
		return lane_fail(w, in, k, ATLAS_ERR_EXEC, "%s", e.msg);
	}
	procs = B->get_num_procs();
	old = B->get_num_threads();
	if (procs > 0 && want > procs)
		want = procs;
	if (in->op == OP_DOT)
		want = 1;
	if (want != old)
		B->set_num_threads(want);
	rc = in->op == OP_DOT ? exec_dot(w, in, s) : exec_rows(w, in, s);
	if (want != old)
		B->set_num_threads(old);
	return rc;
}

int program_uses_blas(const struct atlas_program *p)
{
	for (size_t i = 0; i < p->ninsns; i++)
		if (p->insns[i].op == OP_GEMM || p->insns[i].op == OP_GEMV ||
		    p->insns[i].op == OP_DOT)
			return 1;
	return 0;
}
