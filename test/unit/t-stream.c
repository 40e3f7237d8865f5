/*
 * t-stream.c - the streaming engine (atlas_stream): element, record,
 * resident and reduction arrays across chunk boundaries give the bytes a
 * resident run gives, whatever the pool size and thread count; input
 * errors come after the complete output; lanes that stray from their
 * chunk fail naming the array.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas.h"
#include "files.h"
#include "tap.h"

/* y[i] = x[i] * 2 + t[i % 4] (t resident); s[0] += x[i] (reduction);
   r[3i + j] = x[i] + j (records of 3, out); q[i] = sum of w[2i], w[2i+1]
   (records of 2, in). */
static const char *const mixed = ".kernel mixed\n"
				 ".param x f32[] in r1 element\n"
				 ".param w f32[] in r2 record 2\n"
				 ".param t f32[] in r3 resident\n"
				 ".param y f32[] out r4 element\n"
				 ".param r f32[] out r5 record 3\n"
				 ".param q f32[] out r6 element\n"
				 ".param s f32[] out r7 reduction\n"
				 ".param n u64 guard r8\n"
				 "setge.u64 p0, r255, r8\n"
				 "bra.p0 @exit\n"
				 "mov_imm.u32 r250, 2\n"
				 "shl.u64 r0, r255, r250\n"
				 "ldg.f32 r10, [r1 + r0]\n"
				 "add.f32 r11, r10, r10\n"
				 "mov_imm.u64 r251, 3\n"
				 "and.u64 r12, r255, r251\n"
				 "shl.u64 r13, r12, r250\n"
				 "ldg.f32 r14, [r3 + r13]\n"
				 "add.f32 r11, r11, r14\n"
				 "stg.f32 [r4 + r0], r11\n"
				 "mov_imm.u64 r20, 12\n"
				 "mul.u64 r21, r255, r20\n"
				 "stg.f32 [r5 + r21], r10\n"
				 "mov_imm.f32 r22, 1.0\n"
				 "add.f32 r23, r10, r22\n"
				 "mov_imm.u64 r24, 4\n"
				 "add.u64 r25, r21, r24\n"
				 "stg.f32 [r5 + r25], r23\n"
				 "add.f32 r23, r23, r22\n"
				 "add.u64 r25, r25, r24\n"
				 "stg.f32 [r5 + r25], r23\n"
				 "mov_imm.u64 r26, 8\n"
				 "mul.u64 r27, r255, r26\n"
				 "ldg.f32 r28, [r2 + r27]\n"
				 "add.u64 r27, r27, r24\n"
				 "ldg.f32 r29, [r2 + r27]\n"
				 "add.f32 r28, r28, r29\n"
				 "stg.f32 [r6 + r0], r28\n"
				 "mov_imm.u64 r30, 0\n"
				 "atom.add.f32 [r7 + r30], r10\n"
				 "@exit:\n"
				 "exit\n";

/* Lane i reads x[i + 1]: outside its chunk at the chunk's end. */
static const char *const stray = ".kernel stray\n"
				 ".param x f32[] in r1 element\n"
				 ".param y f32[] out r2 element\n"
				 "mov_imm.u32 r250, 2\n"
				 "shl.u64 r0, r255, r250\n"
				 "mov_imm.u64 r5, 4\n"
				 "add.u64 r6, r0, r5\n"
				 "ldg.f32 r3, [r1 + r6]\n"
				 "stg.f32 [r2 + r0], r3\n"
				 "exit\n";

/* y = x + z, lock-step. */
static struct atlas_engine *engine1;

static const char *const add2 = ".kernel add2\n"
				".param x f32[] in r1 element\n"
				".param z f32[] in r2 element\n"
				".param y f32[] out r3 element\n"
				"mov_imm.u32 r250, 2\n"
				"shl.u64 r0, r255, r250\n"
				"ldg.f32 r10, [r1 + r0]\n"
				"ldg.f32 r11, [r2 + r0]\n"
				"add.f32 r12, r10, r11\n"
				"stg.f32 [r3 + r0], r12\n"
				"exit\n";

static struct atlas_program *parse(const char *text)
{
	struct atlas_program *p = NULL;
	struct atlas_error err;

	if (atlas_program_parse(text, strlen(text), ATLAS_FORMAT_ASM, &p,
				&err) ||
	    atlas_program_verify(p, &err)) {
		diag("parse: %s", err.msg);
		atlas_program_free(p);
		return NULL;
	}
	return p;
}

#define NX 100003 /* lanes: not a multiple of any block or chunk */

struct mixed_data {
	float x[NX], w[2 * NX], t[4];
};

struct outs {
	uint8_t *y, *r, *q, *s;
	size_t ny, nr, nq, ns;
};

static void outs_free(struct outs *o)
{
	free(o->y);
	free(o->r);
	free(o->q);
	free(o->s);
}

/* Run mixed over d with the given pool and engine; 0 on success. */
static int run_mixed(const struct atlas_program *p, const struct mixed_data *d,
		     struct atlas_engine *e, uint64_t pool, int resident,
		     struct outs *o, struct atlas_stream_stats *st)
{
	struct atlas_stream_binding b[8];
	struct atlas_error err;
	uint64_t sizes[8];
	enum atlas_status rc;

	memset(b, 0, sizeof b);
	for (int i = 0; i < 8; i++) {
		b[i].fd = b[i].out_fd = -1;
		sizes[i] = ATLAS_COUNT_UNSET;
	}
	b[0].fd = tmp_with(d->x, sizeof d->x);
	b[1].fd = tmp_with(d->w, sizeof d->w);
	b[2].fd = tmp_with(d->t, sizeof d->t);
	for (int i = 3; i < 7; i++)
		b[i].fd = tmp_with(NULL, 0);
	sizes[6] = 1;
	if (resident) {
		struct atlas_resident_options ro = {.lanes = ATLAS_COUNT_UNSET,
						    .sizes = sizes};

		rc = atlas_resident_run(e, p, b, 8, &ro, st, &err);
	} else {
		struct atlas_stream_options so = {.pool_size = pool,
						  .sizes = sizes};

		rc = atlas_stream(e, p, b, 8, &so, st, &err);
	}
	if (rc)
		diag("run: %s", err.msg);
	o->y = (uint8_t *)contents(b[3].fd, &o->ny);
	o->r = (uint8_t *)contents(b[4].fd, &o->nr);
	o->q = (uint8_t *)contents(b[5].fd, &o->nq);
	o->s = (uint8_t *)contents(b[6].fd, &o->ns);
	for (int i = 0; i < 7; i++)
		close(b[i].fd);
	return rc;
}

static int same(const struct outs *a, const struct outs *b)
{
	return a->ny == b->ny && a->nr == b->nr && a->nq == b->nq &&
	       a->ns == b->ns && !memcmp(a->y, b->y, a->ny) &&
	       !memcmp(a->r, b->r, a->nr) && !memcmp(a->q, b->q, a->nq) &&
	       !memcmp(a->s, b->s, a->ns);
}

static void test_mixed(struct atlas_engine *const *engines)
{
	static struct mixed_data d;
	static const uint64_t pools[] = {4096, 65536, 1 << 20, 16 << 20};
	struct atlas_program *p = parse(mixed);
	struct atlas_stream_stats st;
	struct outs ref, o;
	double sum = 0;
	int good = 1;

	if (!ok(p != NULL, "mixed parses"))
		return;
	ok(atlas_program_streams(p), "mixed streams");
	for (size_t i = 0; i < NX; i++) {
		d.x[i] = (float)((i * 7919) % 1000) / 8.0f - 60.0f;
		d.w[2 * i] = (float)i;
		d.w[2 * i + 1] = 0.5f;
	}
	for (int i = 0; i < 4; i++)
		d.t[i] = (float)(i * 100);
	/* the reference: one resident launch */
	is_int(run_mixed(p, &d, engines[1], 0, 1, &ref, &st), 0,
	       "resident reference runs");
	for (size_t i = 0; i < NX && ref.y && ref.r && ref.q; i++) {
		float y, r0, r2, q;

		memcpy(&y, ref.y + 4 * i, 4);
		memcpy(&r0, ref.r + 12 * i, 4);
		memcpy(&r2, ref.r + 12 * i + 8, 4);
		memcpy(&q, ref.q + 4 * i, 4);
		good &= y == d.x[i] * 2 + d.t[i % 4] && r0 == d.x[i] &&
			r2 == d.x[i] + 2.0f && q == (float)i + 0.5f;
		sum += d.x[i];
	}
	ok(good && ref.ny == 4 * NX && ref.nr == 12 * NX && ref.ns == 4,
	   "the reference is right");
	for (size_t k = 0; k < sizeof pools / sizeof *pools; k++)
		for (unsigned t = 1; t <= 3; t++) {
			int rc = run_mixed(p, &d, engines[t], pools[k], 0, &o,
					   &st);

			ok(rc == 0 && same(&ref, &o) && st.elements == NX,
			   "pool %llu, %u threads: the resident run's bytes "
			   "(%llu chunks)",
			   (unsigned long long)pools[k], t,
			   (unsigned long long)st.chunks);
			outs_free(&o);
		}
	/* the pool is one allocation of whole blocks of lanes, at least one */
	run_mixed(p, &d, engines[1], 4096, 0, &o, &st);
	is_int(st.pool_size, 256 * (4 + 8 + 4 + 12 + 4),
	       "a tiny pool grows to one block");
	is_int(st.resident_size, 16 + 4, "resident and reduction bytes");
	is_int(st.lanes_expected, NX, "lanes known from regular files");
	outs_free(&o);
	outs_free(&ref);
	atlas_program_free(p);
}

/* Run add2 over two raw inputs; the output and the message. */
static enum atlas_status run_add2(const void *x, size_t nx, const void *z,
				  size_t nz, size_t *nout, char *msg,
				  size_t msgsize)
{
	struct atlas_program *p = parse(add2);
	struct atlas_stream_binding b[3];
	struct atlas_stream_options so = {.pool_size = 4096};
	struct atlas_error err;
	enum atlas_status rc;
	char *out;

	memset(b, 0, sizeof b);
	b[0].fd = tmp_with(x, nx);
	b[0].label = "x.f32";
	b[1].fd = tmp_with(z, nz);
	b[1].label = "z.f32";
	b[2].fd = tmp_with(NULL, 0);
	b[2].label = "y.f32";
	rc = atlas_stream(engine1, p, b, 3, &so, NULL, &err);
	snprintf(msg, msgsize, "%s", rc ? err.msg : "");
	out = contents(b[2].fd, nout);
	free(out);
	for (int i = 0; i < 3; i++)
		close(b[i].fd);
	atlas_program_free(p);
	return rc;
}

static void test_input_errors(void)
{
	static float x[5000], z[5000];
	char msg[512];
	size_t n;

	is_int(run_add2(x, 4000, z, 4000, &n, msg, sizeof msg), ATLAS_OK,
	       "equal lengths");
	is_int(n, 4000, "all of it written");
	is_int(run_add2(x, 4002, z, 4002, &n, msg, sizeof msg), ATLAS_ERR_INPUT,
	       "trailing partial element");
	is_str(msg,
	       "x.f32: trailing partial element (2 bytes; f32 elements are 4 "
	       "bytes)",
	       "its message");
	is_int(n, 4000, "the complete elements written first");
	is_int(run_add2(x, 8000, z, 4000, &n, msg, sizeof msg), ATLAS_ERR_INPUT,
	       "first input longer");
	is_str(msg,
	       "inputs differ in length: z.f32 ended after 1000 elements, "
	       "x.f32 has more",
	       "the message names both");
	is_int(n, 4000, "the common length written first");
	is_int(run_add2(x, 4000, z, 4004, &n, msg, sizeof msg), ATLAS_ERR_INPUT,
	       "second input longer by one element");
	is_str(msg,
	       "inputs differ in length: x.f32 ended after 1000 elements, "
	       "z.f32 has more",
	       "the message names both");
	/* a difference at a chunk boundary: 4096-byte pool, 512 lanes */
	is_int(run_add2(x, 2048 * 2, z, 2048 * 2 + 4, &n, msg, sizeof msg),
	       ATLAS_ERR_INPUT, "longer by one element past a whole chunk");
	is_int(run_add2(x, 0, z, 0, &n, msg, sizeof msg), ATLAS_OK,
	       "empty inputs");
	is_int(n, 0, "give empty output");
	is_int(run_add2(x, 4, z, 4, &n, msg, sizeof msg), ATLAS_OK,
	       "one element");
	is_int(n, 4, "gives one");
}

static void test_stray(void)
{
	static float x[1000];
	struct atlas_program *p = parse(stray);
	struct atlas_stream_binding b[2];
	struct atlas_stream_options so = {.pool_size = 4096};
	struct atlas_error err;
	size_t n;
	char *out;

	memset(b, 0, sizeof b);
	b[0].fd = tmp_with(x, sizeof x);
	b[1].fd = tmp_with(NULL, 0);
	is_int(atlas_stream(engine1, p, b, 2, &so, NULL, &err), ATLAS_ERR_EXEC,
	       "a lane outside its chunk faults");
	ok(strstr(err.msg, "array 'x' accessed outside its chunk: offset "
			   "2048 + size 4 not within [0, 2048)") != NULL,
	   "naming the array: %s", err.msg);
	out = contents(b[1].fd, &n);
	is_int(n, 0, "the faulting chunk is not written");
	free(out);
	close(b[0].fd);
	close(b[1].fd);
	atlas_program_free(p);
}

static void test_refusals(void)
{
	static const char *const inout = ".kernel io\n"
					 ".param x f32[] inout r1 element\n"
					 "exit\n";
	struct atlas_program *p = parse(inout);
	struct atlas_program *q = parse(mixed);
	struct atlas_stream_binding b[8];
	struct atlas_error err;

	ok(p && !atlas_program_streams(p), "an inout array cannot stream");
	memset(b, 0, sizeof b);
	b[0].fd = -1;
	is_int(atlas_stream(engine1, p, b, 1, NULL, NULL, &err),
	       ATLAS_ERR_UNSUPPORTED, "atlas_stream refuses it");
	for (int i = 0; i < 8; i++)
		b[i].fd = i < 7 ? 0 : -1;
	b[1].fd = -1;
	is_int(atlas_stream(engine1, q, b, 8, NULL, NULL, &err), ATLAS_ERR_ARG,
	       "an unbound array");
	is_str(err.msg, "missing binding for array parameter 'w'", "names it");
	atlas_program_free(p);
	atlas_program_free(q);
}

int main(void)
{
	struct atlas_engine *engines[4] = {NULL};

	for (unsigned t = 1; t <= 3; t++) {
		struct atlas_engine_options eo = {.threads = t};

		engines[t] = atlas_engine_new(&eo, NULL);
	}
	engine1 = engines[1];
	test_mixed(engines);
	test_input_errors();
	test_stray();
	test_refusals();
	for (unsigned t = 1; t <= 3; t++)
		atlas_engine_free(engines[t]);
	return done_testing();
}
