/*
 * t-exec-cvt.c - the CVT table (reference 2.7, plus f16/bf16 <-> f32 and
 * the same-type half copies): every one of the 144 type pairs either
 * loads and converts boundary values exactly as the reference written
 * here does, or is refused at load with "unsupported operation: CVT from
 * A to B".  Each supported pair runs on varying, uniform, affine
 * (integers) and masked operands.
 */
#include <float.h>

#include "tap.h"
#include "exec_util.h"

/* The pairs the engine supports, decided independently of ops_cvt.c. */
static int supported(enum atlas_type to, enum atlas_type from)
{
	if (to == from)
		return 1;
	if (t_int(to) && t_int(from))
		return t_sint(to) == t_sint(from) || tsz(to) == tsz(from);
#define P(a, b) (to == ATLAS_##a && from == ATLAS_##b)
	return P(F32, I32) || P(F32, U32) || P(F64, I64) || P(F64, U64) ||
	       P(I32, F32) || P(U32, F32) || P(I64, F64) || P(U64, F64) ||
	       P(F32, F64) || P(F64, F32) || P(F32, F16) || P(F16, F32) ||
	       P(F32, BF16) || P(BF16, F32);
#undef P
}

/* Float to integer as Rust `as`: truncate, saturate, NaN -> 0. */
static uint64_t sat(double v, enum atlas_type to)
{
	unsigned w = 8 * (unsigned)tsz(to);
	double lo = t_sint(to) ? -ldexp(1, (int)w - 1) : 0;
	double hi = t_sint(to) ? ldexp(1, (int)w - 1) : ldexp(1, (int)w);

	if (isnan(v))
		return 0;
	v = trunc(v);
	if (v <= lo)
		return (uint64_t)(int64_t)lo & tmask(to);
	if (v >= hi)
		return t_sint(to) ? (tmask(to) >> 1) : tmask(to);
	if (v < 0)
		return (uint64_t)(int64_t)v & tmask(to);
	return (uint64_t)v;
}

static uint64_t ref_cvt(enum atlas_type to, enum atlas_type from, uint64_t x)
{
	if (t_int(from) && t_int(to))
		return (t_sint(from) ? (uint64_t)sx(x, from) : x) & tmask(to);
	if (to == from)
		return x;
	if (t_int(to))
		return sat(fval(x, from), to);
	switch (from) {
	case ATLAS_I32:
		return bits_f32((float)(int32_t)x);
	case ATLAS_U32:
		return bits_f32((float)(uint32_t)x);
	case ATLAS_I64:
		return bits_f64((double)(int64_t)x);
	case ATLAS_U64:
		return bits_f64((double)x);
	case ATLAS_F16:
	case ATLAS_BF16:
		return bits_f32(half_to_f32((uint16_t)x, from == ATLAS_BF16));
	case ATLAS_F32:
		if (to == ATLAS_F64)
			return bits_f64((double)f32_of(x));
		return f32_to_half(f32_of(x), to == ATLAS_BF16);
	default: /* f64 -> f32 */
		return bits_f32((float)f64_of(x));
	}
}

/* ---- boundary values ---------------------------------------------------- */

static uint64_t *vals;
static size_t nvals, vals_cap;

static void add(uint64_t v)
{
	if (nvals == vals_cap) {
		vals_cap = vals_cap ? 2 * vals_cap : 256;
		vals = realloc(vals, vals_cap * sizeof *vals);
		if (!vals)
			exit(1);
	}
	vals[nvals++] = v;
}

static void add_f(double v, enum atlas_type t)
{
	add(t == ATLAS_F32 ? bits_f32((float)v) : bits_f64(v));
}

/* Fill vals with the interesting inputs of type from. */
static void boundary(enum atlas_type from)
{
	static const double common[] = {
		0.0, -0.0, 0.5, -0.5, 0.999, -0.999, 1.0, -1.0, 1.5, -1.5, 2.5,
		-2.5, 127.9, 128.0, 255.5, 256.0, -128.9, -129.0, 32767.5,
		32768.0, 65535.9, 65536.0, 65504.0, 65519.99, 65520.0, -65520.0,
		2147483520.0, 2147483648.0, -2147483648.0, -2147483904.0,
		4294967040.0, 4294967296.0, 1e10, -1e10, 9223372036854774784.0,
		9223372036854775808.0, -9223372036854775808.0,
		-9223373136366403584.0, 18446744073709549568.0,
		18446744073709551616.0, 1e30, -1e30, FLT_MAX, -FLT_MAX, FLT_MIN,
		-FLT_MIN, 1e-40, -1e-40, 1e-8, INFINITY, -INFINITY, NAN, -NAN,
		/* f16 ties: 1 + 2^-11 -> 1, 1 + 3 * 2^-11 -> up, 2^-25 -> 0 */
		1.00048828125, 1.00146484375, 0x1p-24, 0x1p-25, 0x1.8p-25,
		0x1p-14, 0x1.ff8p-15,
		/* bf16 ties: 1 + 2^-8 -> 1, 1 + 3 * 2^-8 -> up */
		1.00390625, 1.01171875, 0x1.fep127, 0x1.ffp127};
	nvals = 0;
	if (t_half(from)) {
		for (uint64_t v = 0; v < 0x10000; v++)
			add(v);
		return;
	}
	if (t_int(from)) {
		uint64_t min = (uint64_t)1 << (8 * tsz(from) - 1);
		const uint64_t special[] = {0,
					    1,
					    tmask(from),
					    min,
					    min - 1,
					    min + 1,
					    0x7f,
					    0x80,
					    0xff,
					    0x100,
					    0x7fff,
					    0x8000,
					    0xffff,
					    0x10000,
					    0x7fffffff,
					    0x80000000u,
					    0xffffffff,
					    0x100000000u,
					    0x1000001,
					    0x1000003,
					    0x20000000000001u,
					    0x7ffffffffffffc00u,
					    0xfffffffffffff800u,
					    0xfffffffffffffbffu};

		for (size_t k = 0; k < sizeof special / sizeof *special; k++)
			add(special[k] & tmask(from));
		for (int k = 0; k < 40; k++)
			add(rnd() & tmask(from));
		return;
	}
	for (size_t k = 0; k < sizeof common / sizeof *common; k++)
		add_f(common[k], from);
	if (from == ATLAS_F64) {
		/* f32 rounding ties and overflow past FLT_MAX */
		add_f(1 + 0x1p-24, from);
		add_f(1 + 0x1.8p-23, from);
		add_f(0x1.ffffffp127, from);
		add_f(0x1.fffffefp127, from);
		add_f(1e300, from);
		add_f(1e-300, from);
		add_f(-0x1p-150, from);
		add_f(0x1.8p-149, from);
	}
	for (int k = 0; k < 40; k++)
		add(rnd() & tmask(from));
	/* f32 values a bf16 rounds up to infinity or ties */
	if (from == ATLAS_F32) {
		add(0x3f808000);
		add(0x3f818000);
		add(0x3f80c000);
		add(0x7f7fffff);
		add(0xff7f8000);
		add(0x7f800001); /* signalling NaN */
		add(0x33000001); /* just above half the smallest f16 */
	}
}

/* ---- runs -------------------------------------------------------------------
 */

/*
 * Varying, masked (odd lanes; the even ones keep a sentinel) and uniform
 * conversions of every value, and for integer pairs an affine source.
 */
static void test_pair(enum atlas_type to, enum atlas_type from)
{
	char name[64], text[2048];
	size_t n = nvals, bad = n;
	void *a = xcalloc(n, tsz(from)), *o1 = xcalloc(n, tsz(to)),
	     *o2 = xcalloc(n, tsz(to)), *o3 = xcalloc(3, tsz(to));
	uint64_t sent = 0x5a5a5a5a5a5a5a5au & tmask(to);
	struct atlas_arg args[5];
	struct atlas_program *p;
	struct atlas_error err;

	snprintf(name, sizeof name, "cvt.%s.%s", tn(to), tn(from));
	for (size_t i = 0; i < n; i++)
		put_bits(a, from, i, vals[i]);
	snprintf(text, sizeof text,
		 ".kernel c\n"
		 ".param a %s[] in r1\n"
		 ".param u %s value r2\n"
		 ".param o %s[] out r3\n"
		 ".param m %s[] out r4\n"
		 ".param v %s[] out r7\n"
		 "mov_imm.u32 r250, %u\n"
		 "shl.u64 r5, r255, r250\n"
		 "mov_imm.u32 r251, %u\n"
		 "shl.u64 r6, r255, r251\n"
		 "ldg.%s r10, [r1 + r5]\n"
		 "cvt.%s.%s r11, r10\n"
		 "stg.%s [r3 + r6], r11\n"
		 "mov_imm.u64 r20, 1\n"
		 "mov_imm.u64 r21, 0\n"
		 "and.u64 r22, r255, r20\n"
		 "seteq.u64 p0, r22, r21\n"
		 "mov_imm.%s r12, 0x%llx\n"
		 "bra.p0 @even\n"
		 "cvt.%s.%s r12, r10\n"
		 "@even:\n"
		 "stg.%s [r4 + r6], r12\n"
		 "cvt.%s.%s r13, r2\n"
		 "stg.%s [r7 + 0], r13\n",
		 tn(from), tn(from), tn(to), tn(to), tn(to), tlog2(from),
		 tlog2(to), tn(from), tn(to), tn(from), tn(to), tn(to),
		 (unsigned long long)sent, tn(to), tn(from), tn(to), tn(to),
		 tn(from), tn(to));
	if (!supported(to, from)) {
		char msg[128];

		snprintf(msg, sizeof msg,
			 "unsupported operation: CVT from %s to %s", tn(from),
			 tn(to));
		load_fails(text, msg, name);
		goto out;
	}
	p = load(text);
	args[0] = arr(a, n * tsz(from));
	args[2] = arr(o1, n * tsz(to));
	args[3] = arr(o2, n * tsz(to));
	args[4] = arr(o3, tsz(to));
	args[1] = scal(0);
	if (!run_ok(p, n, args, 5, name)) {
		atlas_program_free(p);
		goto out;
	}
	for (size_t i = 0; i < n && bad == n; i++)
		if (!same_value(get_bits(o1, to, i), ref_cvt(to, from, vals[i]),
				to) ||
		    !same_value(get_bits(o2, to, i),
				i & 1 ? ref_cvt(to, from, vals[i]) : sent, to))
			bad = i;
	if (!ok(bad == n, "%s: %zu varying values, all lanes and odd lanes",
		name, n))
		diag("input 0x%llx: got 0x%llx (masked 0x%llx), want 0x%llx",
		     (unsigned long long)vals[bad],
		     (unsigned long long)get_bits(o1, to, bad),
		     (unsigned long long)get_bits(o2, to, bad),
		     (unsigned long long)ref_cvt(to, from, vals[bad]));
	/* uniform: a scalar parameter, converted once per block */
	bad = n;
	for (size_t i = 0; i < n && bad == n; i += t_half(from) ? 97 : 1) {
		args[1] = scal(vals[i]);
		if (run(p, 2, args, 5, &err) != ATLAS_OK ||
		    !same_value(get_bits(o3, to, 0), ref_cvt(to, from, vals[i]),
				to))
			bad = i;
	}
	if (!ok(bad == n, "%s: uniform values", name))
		diag("input 0x%llx: got 0x%llx, want 0x%llx (%s)",
		     (unsigned long long)vals[bad],
		     (unsigned long long)get_bits(o3, to, 0),
		     (unsigned long long)ref_cvt(to, from, vals[bad]), err.msg);
	atlas_program_free(p);
out:
	free(a);
	free(o1);
	free(o2);
	free(o3);
}

/*
 * Integer to integer on an affine source: lane i converts
 * (base + i * step) mod 2^w of the source type.  Bases near the wrap
 * point make some blocks wrap inside the block, which a widening must
 * not keep affine.
 */
static void test_affine(enum atlas_type to, enum atlas_type from)
{
	static const size_t n = 3000;
	uint64_t min = (uint64_t)1 << (8 * tsz(from) - 1);
	const uint64_t bases[] = {0, min - 1500, tmask(from) - 1500, min - 5,
				  12345};
	const uint64_t steps[] = {1, tmask(from), 3, 1, 2};
	void *o = xcalloc(n, tsz(to)), *m = xcalloc(n, tsz(to));
	struct atlas_program *p;
	char name[64];
	int good = 1;

	snprintf(name, sizeof name, "cvt.%s.%s of affine values", tn(to),
		 tn(from));
	p = loadf(".kernel c\n"
		  ".param k %s value r1\n"
		  ".param b %s value r2\n"
		  ".param o %s[] out r3\n"
		  ".param m %s[] out r4\n"
		  "mov_imm.u32 r250, %u\n"
		  "shl.u64 r5, r255, r250\n"
		  "cvt.%s.u64 r10, r255\n"
		  "cvt.%s.%s r10, r10\n"
		  "mul.%s r10, r10, r1\n"
		  "add.%s r10, r10, r2\n"
		  "cvt.%s.%s r11, r10\n"
		  "stg.%s [r3 + r5], r11\n"
		  "mov_imm.u64 r20, 1000\n"
		  "mov_imm.%s r12, 0\n"
		  "setlt.u64 p0, r255, r20\n"
		  "bra.p0 @low\n"
		  "cvt.%s.%s r12, r10\n"
		  "@low:\n"
		  "stg.%s [r4 + r5], r12\n",
		  tn(from), tn(from), tn(to), tn(to), tlog2(to),
		  t_sint(from) ? "i64" : tn(from), tn(from),
		  t_sint(from) ? "i64" : tn(from), tn(from), tn(from), tn(to),
		  tn(from), tn(to), tn(to), tn(to), tn(from), tn(to));
	for (size_t k = 0; k < sizeof bases / sizeof *bases && p; k++) {
		struct atlas_arg args[4] = {scal(steps[k]),
					    scal(bases[k] & tmask(from)),
					    arr(o, n * tsz(to)),
					    arr(m, n * tsz(to))};
		struct atlas_error err;

		if (run(p, n, args, 4, &err) != ATLAS_OK) {
			diag("%s", err.msg);
			good = 0;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t x = (bases[k] + i * steps[k]) & tmask(from);
			uint64_t want = ref_cvt(to, from, x);

			if (get_bits(o, to, i) != want ||
			    get_bits(m, to, i) != (i < 1000 ? 0 : want)) {
				diag("base 0x%llx step 0x%llx lane %zu: got "
				     "0x%llx / 0x%llx, want 0x%llx",
				     (unsigned long long)bases[k],
				     (unsigned long long)steps[k], i,
				     (unsigned long long)get_bits(o, to, i),
				     (unsigned long long)get_bits(m, to, i),
				     (unsigned long long)want);
				good = 0;
				break;
			}
		}
	}
	ok(p && good, "%s", name);
	atlas_program_free(p);
	free(o);
	free(m);
}

/* Known answers, as a check on the reference conversions themselves. */
static void test_known(void)
{
	ok(f32_to_half(1.0f, 0) == 0x3c00 && f32_to_half(65504.0f, 0) == 0x7bff,
	   "reference f16: 1 and 65504");
	ok(f32_to_half(65520.0f, 0) == 0x7c00 &&
		   f32_to_half(-65519.0f, 0) == 0xfbff,
	   "reference f16: 65520 rounds to inf, 65519 does not");
	ok(f32_to_half(0x1p-24f, 0) == 0x0001 &&
		   f32_to_half(0x1p-25f, 0) == 0 &&
		   f32_to_half(0x1.8p-25f, 0) == 0x0001,
	   "reference f16: subnormal ties to even");
	ok(f32_to_half(f32_of(0x3f808000), 1) == 0x3f80 &&
		   f32_to_half(f32_of(0x3f818000), 1) == 0x3f82 &&
		   f32_to_half(f32_of(0x7f7fffff), 1) == 0x7f80,
	   "reference bf16: ties to even, overflow to inf");
	ok(half_to_f32(0x0001, 0) == 0x1p-24f &&
		   half_to_f32(0xc000, 0) == -2.0f &&
		   isinf(half_to_f32(0x7c00, 0)) &&
		   isnan(half_to_f32(0x7e00, 0)) &&
		   half_to_f32(0x0001, 1) == 0x1p-133f,
	   "reference f16/bf16 decoding");
}

int main(void)
{
	E = atlas_engine_new(NULL, NULL);
	if (!E)
		return 1;
	test_known();
	for (int from = 0; from < ATLAS_NTYPES; from++) {
		boundary((enum atlas_type)from);
		for (int to = 0; to < ATLAS_NTYPES; to++)
			test_pair((enum atlas_type)to, (enum atlas_type)from);
	}
	for (int from = 0; from <= ATLAS_U64; from++)
		for (int to = 0; to <= ATLAS_U64; to++)
			if (supported((enum atlas_type)to,
				      (enum atlas_type)from))
				test_affine((enum atlas_type)to,
					    (enum atlas_type)from);
	free(vals);
	atlas_engine_free(E);
	return done_testing();
}
