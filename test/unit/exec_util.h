/*
 * exec_util.h - what the t-exec-*.c engine tests share: program text built
 * with printf, parsing and running through the public API, typed values
 * kept as zero-extended bit patterns, reference conversions for f16 and
 * bf16 written independently of the library, and ulp distances.
 * Include after tap.h, once per test program.
 */
#ifndef ATLAS_EXEC_UTIL_H
#define ATLAS_EXEC_UTIL_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "isa.h"

static struct atlas_engine *E;

static inline void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "t-exec: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- program text ---------------------------------------------------------
 */

struct sbuf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static inline void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL,
			      b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			exit(1);
		if (b->s && b->len + (size_t)n < b->cap)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			exit(1);
	}
	b->len += (size_t)n;
}

static inline void sb_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

/* Parse assembly text; on failure err holds the message. */
static inline struct atlas_program *parse(const char *text,
					  struct atlas_error *err)
{
	struct atlas_program *p = NULL;

	memset(err, 0, sizeof *err);
	if (atlas_program_parse(text, strlen(text), ATLAS_FORMAT_ASM, &p,
				err) != ATLAS_OK)
		return NULL;
	return p;
}

/* Parse text that must load; a failure is reported and gives NULL. */
static inline struct atlas_program *load(const char *text)
{
	struct atlas_error err;
	struct atlas_program *p = parse(text, &err);

	if (!p)
		diag("program does not load: %zu:%zu: %s\n%s", err.line,
		     err.col, err.msg, text);
	return p;
}

__attribute__((format(printf, 1, 2))) static inline struct atlas_program *
loadf(const char *fmt, ...)
{
	char buf[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return load(buf);
}

/* A test that text fails to load with exactly msg. */
static inline void load_fails(const char *text, const char *msg,
			      const char *name)
{
	struct atlas_error err;
	struct atlas_program *p = parse(text, &err);

	if (p) {
		ok(0, "%s", name);
		diag("loaded; want '%s'", msg);
		atlas_program_free(p);
		return;
	}
	is_str(err.msg, msg, name);
}

static inline struct atlas_arg arr(void *data, uint64_t bytes)
{
	struct atlas_arg a;

	memset(&a, 0, sizeof a);
	a.view.data = data;
	a.view.size = bytes;
	return a;
}

static inline struct atlas_arg scal(uint64_t bits)
{
	struct atlas_arg a;

	memset(&a, 0, sizeof a);
	a.bits = bits;
	return a;
}

/* Run p over n lanes of a linear launch (blocks of bs lanes) on engine e. */
static inline enum atlas_status run_on(struct atlas_engine *e,
				       const struct atlas_program *p,
				       uint64_t n, uint32_t bs,
				       const struct atlas_arg *args,
				       size_t nargs, struct atlas_error *err)
{
	struct atlas_launch l = atlas_launch_linear(n, bs);

	memset(err, 0, sizeof *err);
	return atlas_engine_run(e, p, &l, args, nargs, err);
}

static inline enum atlas_status run(const struct atlas_program *p, uint64_t n,
				    const struct atlas_arg *args, size_t nargs,
				    struct atlas_error *err)
{
	return run_on(E, p, n, 256, args, nargs, err);
}

/* A test that the run succeeds; shows the message if not. */
static inline int run_ok(const struct atlas_program *p, uint64_t n,
			 const struct atlas_arg *args, size_t nargs,
			 const char *name)
{
	struct atlas_error err;
	enum atlas_status st;

	if (!p)
		return ok(0, "%s (no program)", name);
	st = run(p, n, args, nargs, &err);
	if (!ok(st == ATLAS_OK, "%s", name)) {
		diag("status %d: %zu:%zu: %s", (int)st, err.line, err.col,
		     err.msg);
		return 0;
	}
	return 1;
}

/* A test that the run fails with code and exactly msg. */
static inline void run_fails(const struct atlas_program *p, uint64_t n,
			     const struct atlas_arg *args, size_t nargs,
			     enum atlas_status code, const char *msg,
			     const char *name)
{
	struct atlas_error err;
	enum atlas_status st;

	if (!p) {
		ok(0, "%s (no program)", name);
		return;
	}
	st = run(p, n, args, nargs, &err);
	if (!ok(st == code && strcmp(err.msg, msg) == 0, "%s", name))
		diag("got status %d '%s', want %d '%s'", (int)st, err.msg,
		     (int)code, msg);
}

/* ---- typed values ------------------------------------------------------- */

static inline const char *tn(enum atlas_type t)
{
	return atlas_type_name(t);
}

static inline size_t tsz(enum atlas_type t)
{
	static const size_t size[ATLAS_NTYPES] = {1, 2, 4, 8, 1, 2,
						  4, 8, 2, 2, 4, 8};

	return (unsigned)t < ATLAS_NTYPES ? size[t] : 0;
}

static inline unsigned tlog2(enum atlas_type t)
{
	switch (tsz(t)) {
	case 1:
		return 0;
	case 2:
		return 1;
	case 4:
		return 2;
	default:
		return 3;
	}
}

static inline uint64_t tmask(enum atlas_type t)
{
	return tsz(t) == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * tsz(t))) - 1;
}

static inline int t_int(enum atlas_type t)
{
	return t <= ATLAS_U64;
}

static inline int t_sint(enum atlas_type t)
{
	return t <= ATLAS_I64;
}

static inline int t_half(enum atlas_type t)
{
	return t == ATLAS_F16 || t == ATLAS_BF16;
}

/* The value of bits as a signed integer of type t (sign-extended). */
static inline int64_t sx(uint64_t bits, enum atlas_type t)
{
	unsigned w = 8 * (unsigned)tsz(t);

	bits &= tmask(t);
	if (w < 64 && (bits >> (w - 1)) & 1)
		bits |= ~tmask(t);
	return (int64_t)bits;
}

static inline uint64_t get_bits(const void *a, enum atlas_type t, size_t i)
{
	uint64_t x = 0;

	memcpy(&x, (const uint8_t *)a + i * tsz(t), tsz(t));
	return x;
}

static inline void put_bits(void *a, enum atlas_type t, size_t i, uint64_t x)
{
	memcpy((uint8_t *)a + i * tsz(t), &x, tsz(t));
}

static inline float f32_of(uint64_t b)
{
	uint32_t u = (uint32_t)b;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static inline uint64_t bits_f32(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static inline double f64_of(uint64_t b)
{
	double d;

	memcpy(&d, &b, 8);
	return d;
}

static inline uint64_t bits_f64(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	return u;
}

/*
 * Reference half conversions, independent of vmath.c: decoding is exact
 * arithmetic; encoding rounds x / quantum to an integer with nearbyint
 * (ties to even) in double, where both steps are exact.
 */
static inline float half_to_f32(uint16_t h, int bf)
{
	unsigned mbits = bf ? 7 : 10, ebits = bf ? 8 : 5;
	int bias = (1 << (ebits - 1)) - 1;
	unsigned e = (h >> mbits) & ((1u << ebits) - 1);
	unsigned m = h & ((1u << mbits) - 1);
	double v;

	if (e == (1u << ebits) - 1)
		v = m ? NAN : INFINITY;
	else if (e == 0)
		v = ldexp(m, 1 - bias - (int)mbits);
	else
		v = ldexp(m | (1u << mbits), (int)e - bias - (int)mbits);
	return (float)((h & 0x8000) ? -v : v);
}

static inline uint16_t f32_to_half(float f, int bf)
{
	unsigned mbits = bf ? 7 : 10, ebits = bf ? 8 : 5;
	int bias = (1 << (ebits - 1)) - 1, e;
	uint16_t sign = signbit(f) ? 0x8000 : 0;
	double x = fabs((double)f), q, r;

	if (isnan(f))
		return (uint16_t)(sign | (((1u << ebits) - 1) << mbits) |
				  (1u << (mbits - 1)));
	if (isinf(x))
		return (uint16_t)(sign | (((1u << ebits) - 1) << mbits));
	if (x == 0)
		return sign;
	frexp(x, &e); /* x in [2^(e-1), 2^e) */
	e -= 1;
	if (e < 1 - bias)
		e = 1 - bias;
	q = ldexp(1, e - (int)mbits);
	r = nearbyint(x / q) * q;
	if (r == 0)
		return sign;
	if (r >= ldexp(1, bias + 1))
		return (uint16_t)(sign | (((1u << ebits) - 1) << mbits));
	frexp(r, &e);
	e -= 1;
	if (e < 1 - bias) /* subnormal */
		return (uint16_t)(sign |
				  (uint16_t)(r /
					     ldexp(1, 1 - bias - (int)mbits)));
	return (uint16_t)(sign | ((unsigned)(e + bias) << mbits) |
			  ((uint64_t)(r / ldexp(1, e - (int)mbits)) &
			   ((1u << mbits) - 1)));
}

/* Is bits a NaN of float type t? */
static inline int is_nan_bits(uint64_t b, enum atlas_type t)
{
	switch (t) {
	case ATLAS_F16:
		return (b & 0x7c00) == 0x7c00 && (b & 0x3ff);
	case ATLAS_BF16:
		return (b & 0x7f80) == 0x7f80 && (b & 0x7f);
	case ATLAS_F32:
		return isnan(f32_of(b));
	case ATLAS_F64:
		return isnan(f64_of(b));
	default:
		return 0;
	}
}

/* Float bits as a monotonic integer (-0 and +0 both 0). */
static inline int64_t ordered(uint64_t b, enum atlas_type t)
{
	unsigned w = 8 * (unsigned)tsz(t);
	uint64_t sign = (uint64_t)1 << (w - 1);
	int64_t mag = (int64_t)(b & (sign - 1));

	return (b & sign) ? -mag : mag;
}

/* Distance in ulps between two non-NaN floats of type t. */
static inline uint64_t ulp_diff(uint64_t a, uint64_t b, enum atlas_type t)
{
	int64_t x = ordered(a, t), y = ordered(b, t);

	return x > y ? (uint64_t)(x - y) : (uint64_t)(y - x);
}

/* Equal as results: same bits, or both NaN for float types. */
static inline int same_value(uint64_t got, uint64_t want, enum atlas_type t)
{
	got &= tmask(t);
	want &= tmask(t);
	if (!t_int(t) && is_nan_bits(want, t))
		return is_nan_bits(got, t);
	return got == want;
}

/* Float value of bits (any float type) as a double, halves exactly. */
static inline double fval(uint64_t b, enum atlas_type t)
{
	switch (t) {
	case ATLAS_F16:
		return half_to_f32((uint16_t)b, 0);
	case ATLAS_BF16:
		return half_to_f32((uint16_t)b, 1);
	case ATLAS_F32:
		return f32_of(b);
	default:
		return f64_of(b);
	}
}

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static inline uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* A uniform double in [0, 1). */
static inline double rndf(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

#endif /* ATLAS_EXEC_UTIL_H */
