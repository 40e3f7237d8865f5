/*
 * t-resonance.c - exact rational resonance (reference 1.6): canonical
 * form, exact addition and its overflow, exact conversion of floats, the
 * accumulator R[96], unity neutrality and statistics.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "atlas.h"
#include "tap.h"

#define P62 ((int64_t)1 << 62)
#define NC ATLAS_RESONANCE_CLASSES

static struct atlas_error E;

/* expr (which may use &E) must fail with code and message msg. */
#define is_err(expr, code, want, name)                                         \
	do {                                                                   \
		memset(&E, 0, sizeof E);                                       \
		is_int((expr), (code), name);                                  \
		is_str(E.msg, (want), name ": message");                       \
	} while (0)

static struct atlas_ratio R(int64_t n, int64_t d) {
	struct atlas_ratio r = {n, d};

	return r;
}

static char fbuf[4][ATLAS_RATIO_BUFSIZE];
static unsigned fnext;

static const char *fmt(struct atlas_ratio r)
{
	return atlas_ratio_format(r, fbuf[fnext++ % 4], ATLAS_RATIO_BUFSIZE);
}

static void test_check(void)
{
	struct atlas_ratio out = R(7, 7);
	static const struct {
		struct atlas_ratio r;
		const char *msg;
	} bad[] = {
		{{2, 4}, "resonance ratio non-canonical: 2/4"},
		{{1, -2}, "resonance ratio non-canonical: 1/-2"},
		{{0, 5}, "resonance ratio non-canonical: 0/5"},
		{{0, -1}, "resonance ratio non-canonical: 0/-1"},
		{{-1, -1}, "resonance ratio non-canonical: -1/-1"},
		{{INT64_MIN, 2},
		 "resonance ratio non-canonical: -9223372036854775808/2"},
		{{1, INT64_MIN},
		 "resonance ratio non-canonical: 1/-9223372036854775808"},
		{{1, 0}, "resonance ratio has zero denominator"},
		{{0, 0}, "resonance ratio has zero denominator"},
	};

	is_int(atlas_ratio_check(R(0, 1), NULL), ATLAS_OK, "0/1 canonical");
	is_int(atlas_ratio_check(R(-3, 4), NULL), ATLAS_OK, "-3/4 canonical");
	is_int(atlas_ratio_check(R(INT64_MIN, 1), NULL), ATLAS_OK,
	       "INT64_MIN/1 canonical");
	is_int(atlas_ratio_check(R(1, INT64_MAX), NULL), ATLAS_OK,
	       "1/INT64_MAX canonical");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		is_err(atlas_ratio_check(bad[i].r, &E), ATLAS_ERR_ARG,
		       bad[i].msg, "check rejects");

	is_int(atlas_ratio_make(2, 4, &out, NULL), ATLAS_OK, "make 2/4");
	is_str(fmt(out), "1/2", "2/4 reduces to 1/2");
	atlas_ratio_make(1, -2, &out, NULL);
	is_str(fmt(out), "-1/2", "1/-2 becomes -1/2");
	atlas_ratio_make(0, -5, &out, NULL);
	is_str(fmt(out), "0/1", "0/-5 becomes 0/1");
	atlas_ratio_make(INT64_MIN, INT64_MIN, &out, NULL);
	is_str(fmt(out), "1/1", "INT64_MIN/INT64_MIN is 1/1");
	atlas_ratio_make(-6, -4, &out, NULL);
	is_str(fmt(out), "3/2", "-6/-4 is 3/2");
	is_err(atlas_ratio_make(INT64_MIN, -1, &out, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 9223372036854775808/1 exceeds "
	       "i64 range",
	       "INT64_MIN/-1 overflows");
	is_str(fmt(out), "3/2", "make leaves out unchanged on overflow");
	is_err(atlas_ratio_make(3, 0, &out, &E), ATLAS_ERR_ARG,
	       "resonance ratio has zero denominator", "make 3/0");
}

static void test_add(void)
{
	struct atlas_ratio s = R(9, 9);

	is_int(atlas_ratio_add(R(1, 4), R(-1, 4), &s, NULL), ATLAS_OK,
	       "1/4 + -1/4");
	is_str(fmt(s), "0/1", "1/4 + -1/4 = 0/1");
	atlas_ratio_add(R(1, 3), R(-1, 4), &s, NULL);
	is_str(fmt(s), "1/12", "1/3 + -1/4 = 1/12");
	atlas_ratio_add(R(1, 6), R(1, 10), &s, NULL);
	is_str(fmt(s), "4/15", "1/6 + 1/10 = 4/15");
	atlas_ratio_add(R(-INT64_MAX, 1), R(-1, 1), &s, NULL);
	is_str(fmt(s), "-9223372036854775808/1",
	       "-INT64_MAX + -1 = INT64_MIN exactly");
	atlas_ratio_add(R(INT64_MAX, 2), R(1, 2), &s, NULL);
	is_str(fmt(s), "4611686018427387904/1",
	       "INT64_MAX/2 + 1/2: the 2^63 numerator reduces back");
	atlas_ratio_add(R(1, P62 - 1), R(-1, P62 - 1), &s, NULL);
	is_str(fmt(s), "0/1", "x + -x = 0/1 at large denominators");

	s = R(5, 7);
	is_err(atlas_ratio_add(R(INT64_MAX, 1), R(1, 1), &s, &E),
	       ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 9223372036854775808/1 exceeds "
	       "i64 range",
	       "INT64_MAX + 1 overflows");
	is_str(fmt(s), "5/7", "out unchanged on overflow");
	is_err(atlas_ratio_add(R(INT64_MIN, 1), R(-1, 1), &s, &E),
	       ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: -9223372036854775809/1 exceeds "
	       "i64 range",
	       "INT64_MIN - 1 overflows");
	/* (2^62 - 1 + 2^62) / (2^62 (2^62 - 1)): coprime, den ~ 2^124 */
	is_err(atlas_ratio_add(R(1, P62), R(1, P62 - 1), &s, &E),
	       ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 9223372036854775807/"
	       "21267647932558653961849226946058125312 exceeds i64 range",
	       "1/2^62 + 1/(2^62 - 1) overflows");
	is_str(fmt(s), "5/7", "out unchanged on denominator overflow");
	is_err(atlas_ratio_add(R(1, 2), R(2, 4), &s, &E), ATLAS_ERR_ARG,
	       "resonance ratio non-canonical: 2/4",
	       "add rejects a non-canonical operand");

	is_int(atlas_ratio_cmp(R(1, 3), R(1, 4)), 1, "1/3 > 1/4");
	is_int(atlas_ratio_cmp(R(-1, 3), R(-1, 4)), -1, "-1/3 < -1/4");
	is_int(atlas_ratio_cmp(R(2, 3), R(2, 3)), 0, "2/3 = 2/3");
	is_int(atlas_ratio_cmp(R(INT64_MIN, 1), R(INT64_MAX, 1)), -1,
	       "INT64_MIN < INT64_MAX");
	is_int(atlas_ratio_cmp(R(INT64_MAX, INT64_MAX - 1), R(1, 1)), 1,
	       "cmp next to 1 by cross-multiplication");
}

static void test_float(void)
{
	struct atlas_ratio r = R(0, 1);

	is_int(atlas_ratio_from_f32(0.1f, &r, NULL), ATLAS_OK, "f32 0.1");
	is_str(fmt(r), "13421773/134217728", "f32 0.1 is exact");
	atlas_ratio_from_f64(0.1, &r, NULL);
	is_str(fmt(r), "3602879701896397/36028797018963968",
	       "f64 0.1 is exact");
	atlas_ratio_from_f32(0.25f, &r, NULL);
	is_str(fmt(r), "1/4", "f32 0.25 = 1/4");
	atlas_ratio_from_f64(0.25, &r, NULL);
	is_str(fmt(r), "1/4", "f64 0.25 = 1/4");
	atlas_ratio_from_f64(-0.0, &r, NULL);
	is_str(fmt(r), "0/1", "-0.0 = 0/1");
	atlas_ratio_from_f32(-0.0f, &r, NULL);
	is_str(fmt(r), "0/1", "f32 -0.0 = 0/1");
	atlas_ratio_from_f64(-0.75, &r, NULL);
	is_str(fmt(r), "-3/4", "-0.75 = -3/4");
	atlas_ratio_from_f64(3.0, &r, NULL);
	is_str(fmt(r), "3/1", "3.0 = 3/1");
	atlas_ratio_from_f64(ldexp(1, 62), &r, NULL);
	is_str(fmt(r), "4611686018427387904/1", "2^62");
	atlas_ratio_from_f64(-ldexp(1, 63), &r, NULL);
	is_str(fmt(r), "-9223372036854775808/1", "-2^63 fits");
	atlas_ratio_from_f64(ldexp(9007199254740991.0, 9), &r, NULL);
	is_str(fmt(r), "4611686018427387392/1", "(2^53 - 1) 2^9");
	atlas_ratio_from_f64(ldexp(1, -62), &r, NULL);
	is_str(fmt(r), "1/4611686018427387904", "2^-62 fits");
	atlas_ratio_from_f64(-ldexp(3, -62), &r, NULL);
	is_str(fmt(r), "-3/4611686018427387904", "-3 2^-62");
	atlas_ratio_from_f32(16777215.0f, &r, NULL);
	is_str(fmt(r), "16777215/1", "f32 2^24 - 1");
	is_err(atlas_ratio_from_f32(ldexpf(1, -126), &r, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 1/2^126 exceeds i64 range",
	       "smallest normal f32 overflows");

	r = R(1, 2);
	is_err(atlas_ratio_from_f64(ldexp(1, 63), &r, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 1*2^63 exceeds i64 range",
	       "2^63 overflows");
	is_err(atlas_ratio_from_f64(-ldexp(3, 62), &r, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: -3*2^62 exceeds i64 range",
	       "-3 2^62 overflows");
	is_err(atlas_ratio_from_f64(ldexp(1, -63), &r, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 1/2^63 exceeds i64 range",
	       "2^-63 overflows");
	is_err(atlas_ratio_from_f32(ldexpf(1, -149), &r, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 1/2^149 exceeds i64 range",
	       "smallest f32 subnormal overflows");
	is_err(atlas_ratio_from_f64(-5e-324, &r, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: -1/2^1074 exceeds i64 range",
	       "smallest f64 subnormal overflows");
	is_err(atlas_ratio_from_f64(1.7976931348623157e308, &r, &E),
	       ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 9007199254740991*2^971 "
	       "exceeds i64 range",
	       "largest f64 overflows");
	is_err(atlas_ratio_from_f64(NAN, &r, &E), ATLAS_ERR_ARG,
	       "not a finite number", "NaN rejected");
	is_err(atlas_ratio_from_f64(-INFINITY, &r, &E), ATLAS_ERR_ARG,
	       "not a finite number", "-inf rejected");
	is_err(atlas_ratio_from_f32(INFINITY, &r, &E), ATLAS_ERR_ARG,
	       "not a finite number", "f32 inf rejected");
	is_str(fmt(r), "1/2", "out unchanged by failed conversions");

	/* Every f32 that converts gives back the same float. */
	int bad = 0;
	for (float f = 1e-6f; f < 1e6f; f *= 1.37f) {
		float g[2] = {f, -f};

		for (int i = 0; i < 2; i++) {
			if (atlas_ratio_from_f32(g[i], &r, NULL) != ATLAS_OK ||
			    atlas_ratio_check(r, NULL) != ATLAS_OK ||
			    (float)((long double)r.num / r.den) != g[i])
				bad++;
		}
	}
	is_int(bad, 0, "f32 conversions are canonical and exact");
}

static void test_format(void)
{
	char small[4];

	is_str(fmt(R(0, 1)), "0/1", "zero formats as 0/1");
	is_str(fmt(R(5, 1)), "5/1", "integers keep /1");
	is_str(fmt(R(-1, 4)), "-1/4", "negative");
	is_str(fmt(R(INT64_MIN, INT64_MAX)),
	       "-9223372036854775808/9223372036854775807",
	       "the longest ratio fits ATLAS_RATIO_BUFSIZE");
	is_str(atlas_ratio_format(R(12345, 7), small, sizeof small), "123",
	       "a short buffer truncates, NUL-terminated");
}

static void test_accumulator(void)
{
	struct atlas_resonance *acc = atlas_resonance_new(NULL), before;
	struct atlas_ratio d[NC], s;
	int neutral = -1, zeros = 0;

	atlas_resonance_free(NULL);
	ok(acc != NULL, "atlas_resonance_new");
	if (!acc)
		return;
	for (int c = 0; c < NC; c++)
		zeros += acc->r[c].num == 0 && acc->r[c].den == 1;
	is_int(zeros, NC, "a new accumulator holds 96 times 0/1");

	/* 1/4 + (-1/4) = 0, neutral */
	is_int(atlas_resonance_accumulate(acc, 7, R(1, 4), NULL), ATLAS_OK,
	       "R[7] += 1/4");
	is_int(atlas_resonance_is_neutral(acc, &neutral, NULL), ATLAS_OK,
	       "is_neutral");
	is_int(neutral, 0, "R[7] = 1/4 is not neutral");
	is_err(atlas_resonance_check_neutral(acc, &E), ATLAS_ERR_EXEC,
	       "unity neutrality violation: net resonance delta non-zero",
	       "check_neutral fails");
	atlas_resonance_accumulate(acc, 7, R(-1, 4), NULL);
	is_str(fmt(acc->r[7]), "0/1", "R[7] = 1/4 + -1/4 = 0/1");
	atlas_resonance_is_neutral(acc, &neutral, NULL);
	is_int(neutral, 1, "back to neutral");
	is_int(atlas_resonance_check_neutral(acc, NULL), ATLAS_OK,
	       "check_neutral passes");

	/* 1/3 in one class, -1/4 in another: not neutral */
	atlas_resonance_accumulate(acc, 0, R(1, 3), NULL);
	atlas_resonance_accumulate(acc, 95, R(-1, 4), NULL);
	atlas_resonance_is_neutral(acc, &neutral, NULL);
	is_int(neutral, 0, "1/3 + -1/4 is not neutral");
	is_int(atlas_resonance_sum(acc, &s, NULL), ATLAS_OK, "sum");
	is_str(fmt(s), "1/12", "sum is 1/12");

	/* errors: class, delta, R unchanged */
	before = *acc;
	is_err(atlas_resonance_accumulate(acc, 96, R(1, 2), &E), ATLAS_ERR_ARG,
	       "invalid class index: 96 (must be < 96)", "class 96 rejected");
	is_err(atlas_resonance_accumulate(acc, UINT64_MAX, R(1, 2), &E),
	       ATLAS_ERR_ARG,
	       "invalid class index: 18446744073709551615 (must be < 96)",
	       "huge class rejected");
	is_err(atlas_resonance_accumulate(acc, 96, R(1, 0), &E), ATLAS_ERR_ARG,
	       "invalid class index: 96 (must be < 96)",
	       "the class is checked before the delta");
	is_err(atlas_resonance_accumulate(acc, 3, R(2, 4), &E), ATLAS_ERR_ARG,
	       "resonance ratio non-canonical: 2/4", "delta 2/4 rejected");
	is_err(atlas_resonance_accumulate(acc, 3, R(1, -2), &E), ATLAS_ERR_ARG,
	       "resonance ratio non-canonical: 1/-2", "delta 1/-2 rejected");
	is_err(atlas_resonance_accumulate(acc, 3, R(0, 5), &E), ATLAS_ERR_ARG,
	       "resonance ratio non-canonical: 0/5", "delta 0/5 rejected");
	is_err(atlas_resonance_accumulate(acc, 3, R(1, 0), &E), ATLAS_ERR_ARG,
	       "resonance ratio has zero denominator", "delta 1/0 rejected");
	atlas_resonance_zero(acc);
	atlas_resonance_accumulate(acc, 5, R(1, P62), NULL);
	before = *acc;
	is_err(atlas_resonance_accumulate(acc, 5, R(1, P62 - 1), &E),
	       ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 9223372036854775807/"
	       "21267647932558653961849226946058125312 exceeds i64 range",
	       "R[5] overflow reported");
	ok(memcmp(&before, acc, sizeof before) == 0,
	   "R unchanged by the overflow");
	is_str(fmt(acc->r[5]), "1/4611686018427387904", "R[5] still 1/2^62");

	/* ISA-SPEC example: Δ[10] = 1/4, Δ[42] = -1/4, neutral */
	atlas_resonance_zero(acc);
	for (int c = 0; c < NC; c++)
		d[c] = R(0, 1);
	d[10] = R(1, 4);
	d[42] = R(-1, 4);
	is_int(atlas_resonance_add_deltas(acc, d, NULL), ATLAS_OK,
	       "add_deltas, ISA-SPEC example");
	is_str(fmt(acc->r[10]), "1/4", "R[10] = 1/4");
	is_str(fmt(acc->r[42]), "-1/4", "R[42] = -1/4");
	atlas_resonance_is_neutral(acc, &neutral, NULL);
	is_int(neutral, 1, "ISA-SPEC example is neutral");

	/* atomicity: a bad 50th delta, then an overflow in the last class */
	for (int c = 0; c < NC; c++)
		d[c] = R(1, 1);
	d[49] = R(2, 4);
	before = *acc;
	is_err(atlas_resonance_add_deltas(acc, d, &E), ATLAS_ERR_ARG,
	       "resonance ratio non-canonical: 2/4",
	       "add_deltas rejects the 50th delta");
	ok(memcmp(&before, acc, sizeof before) == 0,
	   "no class changed by a rejected add_deltas");
	d[49] = R(1, 0);
	is_err(atlas_resonance_add_deltas(acc, d, &E), ATLAS_ERR_ARG,
	       "resonance ratio has zero denominator",
	       "add_deltas rejects a zero denominator");
	ok(memcmp(&before, acc, sizeof before) == 0, "still unchanged");
	d[49] = R(1, 1);
	acc->r[95] = R(INT64_MAX, 1);
	before = *acc;
	is_err(atlas_resonance_add_deltas(acc, d, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 9223372036854775808/1 exceeds "
	       "i64 range",
	       "add_deltas overflow in class 95");
	ok(memcmp(&before, acc, sizeof before) == 0,
	   "an overflow in the last class leaves the first 95 unchanged");
	acc->r[95] = R(0, 1);
	is_int(atlas_resonance_add_deltas(acc, d, NULL), ATLAS_OK,
	       "add_deltas of 96 times 1/1");
	is_str(fmt(acc->r[10]), "5/4", "R[10] = 1/4 + 1");
	is_str(fmt(acc->r[0]), "1/1", "R[0] = 1");
	atlas_resonance_sum(acc, &s, NULL);
	is_str(fmt(s), "96/1", "sum = 96");

	atlas_resonance_free(acc);
}

static void test_sums(void)
{
	struct atlas_resonance acc;
	struct atlas_resonance_stats st = {{9, 9}, {9, 9}, 9, 9};
	struct atlas_ratio s = R(5, 7);
	int neutral = -1;

	/* statistics */
	atlas_resonance_zero(&acc);
	is_int(atlas_resonance_statistics(&acc, &st, NULL), ATLAS_OK,
	       "statistics of zero");
	is_str(fmt(st.sum), "0/1", "zero: sum");
	is_str(fmt(st.max), "0/1", "zero: max");
	is_int(st.max_class, 0, "zero: max class");
	is_int(st.nonzero, 0, "zero: nonzero");
	acc.r[3] = R(-7, 2);
	acc.r[5] = R(3, 1);
	acc.r[7] = R(1, 3);
	acc.r[90] = R(7, 2);
	acc.r[91] = R(-7, 2);
	is_int(atlas_resonance_statistics(&acc, &st, NULL), ATLAS_OK,
	       "statistics");
	is_str(fmt(st.sum), "-1/6", "sum -7/2 + 3 + 1/3 + 7/2 - 7/2");
	is_str(fmt(st.max), "-7/2", "max |R| is -7/2, sign kept");
	is_int(st.max_class, 3, "max class: the lowest of the ties");
	is_int(st.nonzero, 5, "five non-zero classes");
	acc.r[60] = R(INT64_MIN, 1);
	acc.r[61] = R(INT64_MAX, 1);
	atlas_resonance_statistics(&acc, &st, NULL);
	is_str(fmt(st.max), "-9223372036854775808/1", "max INT64_MIN/1");
	is_int(st.max_class, 60, "its class");
	acc.r[60] = R(INT64_MAX - 1, INT64_MAX);
	acc.r[61] = R(INT64_MAX - 2, INT64_MAX - 1);
	acc.r[3] = R(0, 1);
	acc.r[5] = R(0, 1);
	acc.r[90] = R(0, 1);
	acc.r[91] = R(0, 1);
	atlas_resonance_statistics(&acc, &st, NULL);
	is_int(st.max_class, 60, "cross-multiplication tells near-1 apart");

	/* partial sums beyond i64 are fine when the total comes back */
	atlas_resonance_zero(&acc);
	acc.r[0] = R(INT64_MAX, 1);
	acc.r[1] = R(INT64_MAX, 1);
	acc.r[2] = R(-INT64_MAX, 1);
	acc.r[3] = R(-INT64_MAX, 1);
	is_int(atlas_resonance_is_neutral(&acc, &neutral, NULL), ATLAS_OK,
	       "is_neutral with large partial sums");
	is_int(neutral, 1, "MAX + MAX - MAX - MAX is neutral");
	acc.r[4] = R(1, 1);
	is_int(atlas_resonance_sum(&acc, &s, NULL), ATLAS_OK,
	       "sum with large partial sums");
	is_str(fmt(s), "1/1", "its total, 1");

	/* a total outside i64 */
	atlas_resonance_zero(&acc);
	acc.r[0] = R(INT64_MAX, 1);
	acc.r[1] = R(1, 1);
	s = R(5, 7);
	is_err(atlas_resonance_sum(&acc, &s, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 9223372036854775808/1 exceeds "
	       "i64 range",
	       "sum overflow");
	is_str(fmt(s), "5/7", "sum target unchanged");
	is_err(atlas_resonance_statistics(&acc, &st, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 9223372036854775808/1 exceeds "
	       "i64 range",
	       "statistics fail with the sum");
	atlas_resonance_is_neutral(&acc, &neutral, NULL);
	is_int(neutral, 0, "not neutral, though the sum does not fit");
	acc.r[0] = R(1, INT64_MAX);
	acc.r[1] = R(1, INT64_MAX - 2);
	is_err(atlas_resonance_sum(&acc, &s, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: 18446744073709551612/"
	       "85070591730234615828950163710522949635 exceeds i64 range",
	       "sum denominator overflow");

	/* three coprime denominators near 2^63: beyond 128 bits */
	acc.r[2] = R(1, P62);
	is_err(atlas_resonance_is_neutral(&acc, &neutral, &E), ATLAS_ERR_LIMIT,
	       "resonance arithmetic overflow: sum exceeds i128 range",
	       "neutrality check beyond 128 bits");
}

int main(void)
{
	test_check();
	test_add();
	test_float();
	test_format();
	test_accumulator();
	test_sums();
	return done_testing();
}
