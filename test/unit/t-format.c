/*
 * t-format.c - the data formats of array parameters (lib/format.h): raw,
 * text and .npy readers and writers, through regular files and pipes.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "files.h"
#include "tap.h"

/* ---- helpers ---- */

/* The read end of a pipe a child fills with data, step bytes a write. */
static int pipe_with(const void *data, size_t len, size_t step)
{
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(p[0]);
		for (size_t at = 0; at < len; at += step) {
			const size_t n = len - at < step ? len - at : step;

			if (write(p[1], (const char *)data + at, n) !=
			    (ssize_t)n)
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static void reap(void)
{
	while (wait(NULL) > 0)
		;
}

/* Read everything r gives, up to max elements, in reads of step. */
static size_t read_all(struct fmt_reader *r, void *buf, size_t max, size_t step)
{
	size_t n = 0, k;

	while (n < max && !r->eof) {
		const size_t want = max - n < step ? max - n : step;

		k = fmt_read(r, (char *)buf + n * r->esize, want);
		if (k < want && !r->eof)
			return (size_t)-1; /* broke the contract */
		n += k;
	}
	return n;
}

/* Write n elements of type t in format f to a new temporary file. */
static int write_tmp(enum atlas_data_format f, enum atlas_type t,
		     const void *data, size_t n, uint64_t count)
{
	struct fmt_writer w;
	struct atlas_error err = {0};
	int fd = tmp_with(NULL, 0);

	if (fmt_writer_open(&w, fd, f, t, count, "out", &err) ||
	    fmt_write(&w, data, n, &err) || fmt_writer_close(&w, &err)) {
		diag("write: %s", err.msg);
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* ---- names ---- */

static void test_names(void)
{
	enum atlas_data_format f = ATLAS_DATA_RAW;

	is_str(atlas_data_format_name(ATLAS_DATA_RAW), "raw", "name raw");
	is_str(atlas_data_format_name(ATLAS_DATA_TEXT), "text", "name text");
	is_str(atlas_data_format_name(ATLAS_DATA_NPY), "npy", "name npy");
	is_str(atlas_data_format_name((enum atlas_data_format)7), "?",
	       "name out of range");
	ok(atlas_data_format_parse("npy", &f) == 0 && f == ATLAS_DATA_NPY,
	   "parse npy");
	ok(atlas_data_format_parse("text", &f) == 0 && f == ATLAS_DATA_TEXT,
	   "parse text");
	ok(atlas_data_format_parse("raw", &f) == 0 && f == ATLAS_DATA_RAW,
	   "parse raw");
	ok(atlas_data_format_parse("NPY", &f) == -1, "parse is exact");
}

/* ---- text ---- */

/* Values of every type, as bit patterns (esize bytes each, low first). */
static const uint64_t ints[][5] = {
	[ATLAS_I8] = {0x80, 0x7f, 0, 0xff, 1},
	[ATLAS_I16] = {0x8000, 0x7fff, 0, 0xffff, 1},
	[ATLAS_I32] = {0x80000000u, 0x7fffffff, 0, 0xffffffffu, 1},
	[ATLAS_I64] = {(uint64_t)1 << 63, INT64_MAX, 0, UINT64_MAX, 1},
	[ATLAS_U8] = {0, 0xff, 1, 0x80, 0x7f},
	[ATLAS_U16] = {0, 0xffff, 1, 0x8000, 0x7fff},
	[ATLAS_U32] = {0, 0xffffffffu, 1, 0x80000000u, 0x7fffffff},
	[ATLAS_U64] = {0, UINT64_MAX, 1, (uint64_t)1 << 63, INT64_MAX},
};

static const uint64_t f16s[] = {0,	0x8000, 0x3c00, 0xbc00, 0x7c00,
				0xfc00, 0x7e00, 0xfe00, 0x7d01, 0x0001,
				0x03ff, 0x0400, 0x7bff, 0x3555, 0xfbff};
static const uint64_t bf16s[] = {0,	 0x8000, 0x3f80, 0xbf80, 0x7f80,
				 0xff80, 0x7fc0, 0xffc0, 0x7f81, 0x0001,
				 0x007f, 0x0080, 0x7f7f, 0x3eab, 0xff7f};
static const uint64_t f32s[] = {0,	     0x80000000u, 0x3f800000u,
				0xbf800000u, 0x7f800000u, 0xff800000u,
				0x7fc00000u, 0xffc00000u, 0x7fc00001u,
				0x7f800001u, 0x00000001u, 0x007fffffu,
				0x00800000u, 0x7f7fffffu, 0x3dcccccdu,
				0x3eaaaaabu, 0xff7fffffu, 0x4b000001u};
static const uint64_t f64s[] = {0,
				(uint64_t)1 << 63,
				0x3ff0000000000000u,
				0x7ff0000000000000u,
				0xfff0000000000000u,
				0x7ff8000000000000u,
				0xfff8000000000000u,
				0x7ff8000000000001u,
				0x7ff0000000000001u,
				1,
				0x000fffffffffffffu,
				0x0010000000000000u,
				0x7fefffffffffffffu,
				0x3fb999999999999au,
				0x3fd5555555555555u,
				0xffefffffffffffffu};

/* Pack bit patterns as elements of esize bytes. */
static void pack(void *dst, const uint64_t *v, size_t n, size_t esize)
{
	for (size_t i = 0; i < n; i++)
		memcpy((char *)dst + i * esize, &v[i], esize); /* little-endian
								*/
}

/* Write n elements of t as text, read them back: the same bytes? */
static int round_trip(enum atlas_type t, const void *data, size_t n)
{
	const size_t es = atlas_type_size(t);
	struct fmt_reader r;
	struct atlas_error err = {0};
	char *back = malloc(n * es + 1);
	int fd = write_tmp(ATLAS_DATA_TEXT, t, data, n, ATLAS_COUNT_UNSET);
	int good = fd >= 0 && back &&
		   fmt_reader_open(&r, fd, ATLAS_DATA_TEXT, t, "in", &err) ==
			   ATLAS_OK;

	if (good) {
		good = read_all(&r, back, n, 7) == n &&
		       memcmp(back, data, n * es) == 0 && !r.failed &&
		       fmt_read(&r, back, 1) == 0 && r.eof;
		if (r.failed)
			diag("%s", r.err.msg);
		fmt_reader_close(&r);
	}
	free(back);
	if (fd >= 0)
		close(fd);
	return good;
}

/* The text one element of t is written as. */
static char *text_of(enum atlas_type t, uint64_t bits)
{
	static char out[64];
	size_t len;
	char *s;
	int fd = write_tmp(ATLAS_DATA_TEXT, t, &bits, 1, ATLAS_COUNT_UNSET);

	out[0] = '\0';
	if (fd < 0 || !(s = contents(fd, &len)))
		return out;
	snprintf(out, sizeof out, "%s", s);
	free(s);
	close(fd);
	return out;
}

static void test_text_round_trip(void)
{
	uint8_t buf[sizeof f64s];
	uint16_t *all = malloc(65536 * 2);
	uint32_t *many = malloc(100000 * 4);
	uint64_t x = 88172645463325252u;

	for (int t = ATLAS_I8; t <= ATLAS_U64; t++) {
		pack(buf, ints[t], 5, atlas_type_size((enum atlas_type)t));
		ok(round_trip((enum atlas_type)t, buf, 5),
		   "text round trip: %s extremes",
		   atlas_type_name((enum atlas_type)t));
	}
	pack(buf, f16s, 15, 2);
	ok(round_trip(ATLAS_F16, buf, 15), "text round trip: f16 specials");
	pack(buf, bf16s, 15, 2);
	ok(round_trip(ATLAS_BF16, buf, 15), "text round trip: bf16 specials");
	pack(buf, f32s, 18, 4);
	ok(round_trip(ATLAS_F32, buf, 18), "text round trip: f32 specials");
	pack(buf, f64s, 16, 8);
	ok(round_trip(ATLAS_F64, buf, 16), "text round trip: f64 specials");
	for (uint32_t i = 0; i < 65536; i++)
		all[i] = (uint16_t)i;
	ok(round_trip(ATLAS_F16, all, 65536), "text round trip: every f16");
	ok(round_trip(ATLAS_BF16, all, 65536), "text round trip: every bf16");
	for (size_t i = 0; i < 100000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		many[i] = (uint32_t)x;
	}
	ok(round_trip(ATLAS_F32, many, 100000), "text round trip: f32 random");
	ok(round_trip(ATLAS_F64, many, 50000), "text round trip: f64 random");
	free(all);
	free(many);
}

static void test_text_spelling(void)
{
	is_str(text_of(ATLAS_F32, 0x3dcccccdu), "0.1\n", "f32 0.1");
	is_str(text_of(ATLAS_F32, 0x80000000u), "-0\n", "f32 -0");
	is_str(text_of(ATLAS_F32, 0x7fc00000u), "nan\n", "f32 nan");
	is_str(text_of(ATLAS_F32, 0xffc00000u), "-nan\n", "f32 -nan");
	is_str(text_of(ATLAS_F32, 0x7fc00001u), "0x7fc00001\n",
	       "f32 NaN payload in hex");
	is_str(text_of(ATLAS_F32, 0xff800000u), "-inf\n", "f32 -inf");
	is_str(text_of(ATLAS_F32, 0x3eaaaaabu), "0.33333334\n", "f32 1/3");
	is_str(text_of(ATLAS_F32, 1), "1e-45\n", "f32 denormal: the shortest");
	is_str(text_of(ATLAS_F64, 0x3fb999999999999au), "0.1\n", "f64 0.1");
	is_str(text_of(ATLAS_F64, 0x3fd5555555555555u), "0.3333333333333333\n",
	       "f64 1/3");
	is_str(text_of(ATLAS_F64, 0x7ff0000000000000u), "inf\n", "f64 inf");
	is_str(text_of(ATLAS_F16, 0x3555), "0.3333\n", "f16 1/3");
	is_str(text_of(ATLAS_F16, 0x7bff), "6.55e+04\n", "f16 max");
	is_str(text_of(ATLAS_F16, 0x7e00), "nan\n", "f16 nan");
	is_str(text_of(ATLAS_BF16, 0x3f80), "1\n", "bf16 1");
	is_str(text_of(ATLAS_I8, 0x80), "-128\n", "i8 min");
	is_str(text_of(ATLAS_I64, (uint64_t)1 << 63), "-9223372036854775808\n",
	       "i64 min");
	is_str(text_of(ATLAS_U64, UINT64_MAX), "18446744073709551615\n",
	       "u64 max");
	is_str(text_of(ATLAS_U8, 0xff), "255\n", "u8 max");
}

/* Read text of type t; *n elements stored in out; the reader's message. */
static const char *read_text(enum atlas_type t, const char *text, void *out,
			     size_t max, size_t *n)
{
	static struct atlas_error e;
	struct fmt_reader r;
	int fd = tmp_with(text, strlen(text));

	*n = 0;
	memset(&e, 0, sizeof e);
	if (fmt_reader_open(&r, fd, ATLAS_DATA_TEXT, t, "x.txt", &e))
		return e.msg;
	*n = read_all(&r, out, max, 2);
	if (r.failed)
		e = r.err;
	fmt_reader_close(&r);
	close(fd);
	return e.msg;
}

static void test_text_read(void)
{
	float f[8];
	uint16_t h[8];
	uint8_t u8[8];
	int32_t i32[8];
	size_t n;

	is_str(read_text(ATLAS_F32, " 1\t2.5\n\n-3e2 \r\n inf\fnan\v0x3f800000",
			 f, 8, &n),
	       "", "text: any white space");
	ok(n == 6 && f[0] == 1 && f[1] == 2.5f && f[2] == -300 && isinf(f[3]) &&
		   isnan(f[4]) && f[5] == 1,
	   "text: the numbers");
	is_str(read_text(ATLAS_F16, "1.5 0.1 -2 65504 65519 1e-8 0x3c00", h, 8,
			 &n),
	       "", "f16 decimals");
	ok(n == 7 && h[0] == 0x3e00 && h[1] == 0x2e66 && h[2] == 0xc000 &&
		   h[3] == 0x7bff && h[4] == 0x7bff && h[5] == 0 &&
		   h[6] == 0x3c00,
	   "f16: rounded to nearest even");
	is_str(read_text(ATLAS_F16, "3e-8 0.00048828125 2049 2051", h, 8, &n),
	       "", "f16 ties");
	ok(n == 4 && h[0] == 0x0001 && h[1] == 0x1000 && h[2] == 0x6800 &&
		   h[3] == 0x6802,
	   "f16 ties to even");
	is_str(read_text(ATLAS_BF16, "1 0.1 3.0e38 -inf", h, 8, &n), "",
	       "bf16 decimals");
	ok(n == 4 && h[0] == 0x3f80 && h[1] == 0x3dcd && h[2] == 0x7f62 &&
		   h[3] == 0xff80,
	   "bf16 values");
	is_str(read_text(ATLAS_F32, "1 2\n  3 x 4\n", f, 8, &n),
	       "x.txt:2: invalid value 'x' for f32", "text: a bad number");
	is_int(n, 3, "text: the numbers before it are delivered");
	is_str(read_text(ATLAS_U8, "1\n2\n\n256", u8, 8, &n),
	       "x.txt:4: invalid value '256' for u8", "text: u8 out of range");
	is_int(n, 2, "text: two before it");
	is_str(read_text(ATLAS_U8, "-1", u8, 8, &n),
	       "x.txt:1: invalid value '-1' for u8", "text: u8 negative");
	is_str(read_text(ATLAS_I32, "-2147483648 0x7fffffff 2147483648", i32, 8,
			 &n),
	       "x.txt:1: invalid value '2147483648' for i32",
	       "text: i32 range");
	ok(n == 2 && i32[0] == INT32_MIN && i32[1] == INT32_MAX,
	   "text: i32 extremes");
	is_str(read_text(ATLAS_F32, "1e39", f, 8, &n),
	       "x.txt:1: invalid value '1e39' for f32", "text: f32 overflow");
	is_str(read_text(ATLAS_F16, "\n\n70000", h, 8, &n),
	       "x.txt:3: invalid value '70000' for f16", "text: f16 overflow");
	is_str(read_text(ATLAS_BF16, "1e39", h, 8, &n),
	       "x.txt:1: invalid value '1e39' for bf16", "text: bf16 overflow");
	is_str(read_text(ATLAS_F16, "0x10000", h, 8, &n),
	       "x.txt:1: invalid value '0x10000' for f16", "text: f16 hex");
	is_str(read_text(ATLAS_F32, "", f, 8, &n), "", "text: empty input");
	is_int(n, 0, "text: no elements");
	is_str(read_text(ATLAS_F32, " \n\t ", f, 8, &n), "",
	       "text: only white space");
	is_int(n, 0, "text: no elements either");
}

static void test_text_buffers(void)
{
	const size_t count = 60000;
	const size_t size = count * 12;
	char *text = malloc(size);
	uint32_t *back = malloc(count * 4), want = 0;
	size_t len = 0, n = 0;
	struct fmt_reader r;
	struct atlas_error err = {0};
	int fd, good = 1;

	/* numbers of varying length and spacing, across many buffers */
	for (uint32_t i = 0; i < count; i++)
		len += (size_t)snprintf(text + len, size - len, "%" PRIu32 "%s",
					i * 7919u, i % 5 ? " " : "\n  \t");
	fd = pipe_with(text, len, 1000);
	if (fmt_reader_open(&r, fd, ATLAS_DATA_TEXT, ATLAS_U32, "p", &err))
		good = 0;
	else
		n = read_all(&r, back, count + 1, 4099);
	for (size_t i = 0; good && i < count; i++, want += 7919u)
		good = back[i] == want;
	ok(good && n == count && r.eof && !r.failed && r.bytes == len,
	   "text from a pipe in small writes: %zu numbers", n);
	ok(r.line == count / 5 + 1, "text: lines counted (%" PRIu64 ")",
	   r.line);
	fmt_reader_close(&r);
	close(fd);
	reap();

	/* a number longer than the buffer */
	memset(text, '1', FMT_TEXT_BUF + 10);
	memcpy(text, "5\n", 2);
	fd = tmp_with(text, FMT_TEXT_BUF + 10);
	fmt_reader_open(&r, fd, ATLAS_DATA_TEXT, ATLAS_U32, "long", &err);
	n = read_all(&r, back, 10, 10);
	ok(n == 1 && back[0] == 5 && r.failed, "text: a long number fails");
	is_str(r.err.msg, "long:2: value longer than 65536 bytes",
	       "text: the long number's message");
	fmt_reader_close(&r);
	close(fd);
	free(text);
	free(back);
}

/* ---- raw ---- */

static void test_raw(void)
{
	const size_t big = 3 * FMT_TRANSFER + 5;
	uint8_t *data = malloc(big), *back = malloc(big + 8);
	struct fmt_reader r;
	struct fmt_writer w;
	struct atlas_error err = {0};
	float f[4];
	int fd, p[2];
	size_t len;
	char *s;

	for (size_t i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 31 + (i >> 9));
	/* a regular file: its count from the current offset */
	fd = tmp_with(data, 18);
	lseek(fd, 4, SEEK_SET);
	fmt_reader_open(&r, fd, ATLAS_DATA_RAW, ATLAS_F32, "r", &err);
	is_int(r.count, 3, "raw count: (size - offset) / 4");
	is_int(fmt_read(&r, f, 4), 3, "raw: three whole elements");
	ok(r.eof && r.partial == 2 && !r.failed && r.bytes == 14,
	   "raw: a trailing partial element of 2 bytes");
	ok(memcmp(f, data + 4, 12) == 0, "raw: the bytes");
	fmt_reader_close(&r);
	close(fd);

	/* a pipe: more than FMT_TRANSFER in one read, in pieces */
	fd = pipe_with(data, big, 100000);
	fmt_reader_open(&r, fd, ATLAS_DATA_RAW, ATLAS_U8, "p", &err);
	ok(r.count == ATLAS_COUNT_UNSET, "raw from a pipe: count unknown");
	len = fmt_read(&r, back, big + 8);
	ok(len == big && memcmp(back, data, big) == 0 && r.eof,
	   "raw: %zu bytes from a pipe in one fmt_read", len);
	fmt_reader_close(&r);
	close(fd);
	reap();

	/* a read error: deferred */
	fd = open(".", O_RDONLY);
	fmt_reader_open(&r, fd, ATLAS_DATA_RAW, ATLAS_F32, "dir", &err);
	ok(fmt_read(&r, f, 4) == 0 && r.failed && r.eof &&
		   r.err.code == ATLAS_ERR_IO && r.err.errnum != 0,
	   "raw: a read error is kept in the reader");
	is_str(r.err.msg, "dir: read error: Is a directory",
	       "raw: read error message");
	fmt_reader_close(&r);
	close(fd);

	/* writes to a pipe, more than FMT_TRANSFER */
	if (pipe(p) == 0) {
		if (fork() == 0) {
			close(p[0]);
			fmt_writer_open(&w, p[1], ATLAS_DATA_RAW, ATLAS_U8,
					ATLAS_COUNT_UNSET, "o", &err);
			_exit(fmt_write(&w, data, big, &err) ||
			      fmt_writer_close(&w, &err));
		}
		close(p[1]);
		s = contents(p[0], &len);
		ok(s && len == big && memcmp(s, data, big) == 0,
		   "raw: %zu bytes written to a pipe", len);
		free(s);
		close(p[0]);
		reap();
	}

	/* a write error */
	fd = open("/dev/full", O_WRONLY);
	fmt_writer_open(&w, fd, ATLAS_DATA_RAW, ATLAS_F32, 4, "full", &err);
	ok(fmt_write(&w, f, 1, &err) == ATLAS_ERR_IO, "raw: write error");
	is_str(err.msg, "full: write error: No space left on device",
	       "raw: its message");
	fmt_writer_discard(&w);
	fmt_writer_open(&w, fd, ATLAS_DATA_RAW, ATLAS_F32, 4, NULL, &err);
	fmt_write(&w, f, 1, &err);
	is_str(err.msg, "write error: No space left on device",
	       "raw: the message without a label");
	fmt_writer_discard(&w);
	close(fd);
	free(data);
	free(back);
}

/* ---- .npy ---- */

/* A .npy file of version v in out: dict padded as numpy pads, then data. */
static size_t npy(char *out, int v, const char *dict, const void *data,
		  size_t dlen)
{
	const size_t pre = v == 1 ? 10 : 12, dl = strlen(dict);
	const size_t pad = (64 - (pre + dl + 1) % 64) % 64;
	const size_t hlen = dl + 1 + pad;

	memcpy(out, "\x93NUMPY", 6);
	out[6] = (char)v;
	out[7] = 0;
	out[8] = (char)(hlen & 0xff);
	out[9] = (char)(hlen >> 8);
	if (v > 1)
		out[10] = out[11] = 0;
	memcpy(out + pre, dict, dl);
	memset(out + pre + dl, ' ', pad);
	out[pre + hlen - 1] = '\n';
	memcpy(out + pre + hlen, data, dlen);
	return pre + hlen + dlen;
}

/* The message of reading a .npy file (empty if none); *n elements. */
static const char *read_npy(enum atlas_type t, const char *file, size_t len,
			    void *out, size_t max, size_t *n, uint64_t *count)
{
	static struct atlas_error e;
	struct fmt_reader r;
	int fd = tmp_with(file, len);

	*n = 0;
	*count = 0;
	memset(&e, 0, sizeof e);
	if (fmt_reader_open(&r, fd, ATLAS_DATA_NPY, t, "x.npy", &e)) {
		close(fd);
		return e.msg;
	}
	*count = r.count;
	*n = read_all(&r, out, max, 2);
	if (r.failed)
		e = r.err;
	else if (r.bytes != len)
		snprintf(e.msg, sizeof e.msg, "read %" PRIu64 " of %zu bytes",
			 r.bytes, len);
	fmt_reader_close(&r);
	close(fd);
	return e.msg;
}

static const char *const dtypes[] = {"|i1", "<i2", "<i4", "<i8", "|u1", "<u2",
				     "<u4", "<u8", "<f2", NULL,	 "<f4", "<f8"};

static void test_npy_read_types(void)
{
	const uint8_t data[24] = {1,  2,  3,  4,  5,  6,  7,  8,
				  9,  10, 11, 12, 13, 14, 15, 16,
				  17, 18, 19, 20, 21, 22, 23, 24};
	char file[256], dict[128];
	uint8_t back[32];
	uint64_t count;
	size_t n, len;

	for (int t = 0; t < ATLAS_NTYPES; t++) {
		const size_t es = atlas_type_size((enum atlas_type)t);

		if (!dtypes[t])
			continue;
		snprintf(dict, sizeof dict,
			 "{'descr': '%s', 'fortran_order': False, "
			 "'shape': (3,), }",
			 dtypes[t]);
		len = npy(file, 1, dict, data, 3 * es);
		is_str(read_npy((enum atlas_type)t, file, len, back, 8, &n,
				&count),
		       "", dtypes[t]);
		ok(n == 3 && count == 3 && memcmp(back, data, 3 * es) == 0,
		   "npy %s: three elements", dtypes[t]);
	}
	len = npy(file, 1,
		  "{'descr': '<u1', 'fortran_order': False, "
		  "'shape': (2,), }",
		  data, 2);
	is_str(read_npy(ATLAS_U8, file, len, back, 8, &n, &count), "",
	       "npy: '<u1' is u8 too");
	len = npy(file, 1,
		  "{'descr': '<i1', 'fortran_order': False, "
		  "'shape': (2,), }",
		  data, 2);
	is_str(read_npy(ATLAS_I8, file, len, back, 8, &n, &count), "",
	       "npy: '<i1' is i8 too");
	len = npy(file, 1,
		  "{'descr': '|f4', 'fortran_order': False, "
		  "'shape': (2,), }",
		  data, 8);
	is_str(read_npy(ATLAS_F32, file, len, back, 8, &n, &count),
	       "x.npy: .npy dtype '|f4' does not match f32",
	       "npy: '|' only for bytes");
}

static void test_npy_read_shapes(void)
{
	static const struct {
		int v;
		const char *dict;
		size_t n;
	} ok_dicts[] = {
		{1, "{'descr': '<i2', 'fortran_order': False, 'shape': (), }",
		 1},
		{1,
		 "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }",
		 6},
		{1, "{'shape': (2,3),'fortran_order':False,'descr':'<i2'}", 6},
		{1,
		 "{\"descr\": \"<i2\", \"fortran_order\": False, "
		 "\"shape\": (3L, 1L)}",
		 3},
		{1, "{'descr': '<i2', 'fortran_order': False, 'shape': (0,), }",
		 0},
		{1,
		 " { 'descr' : '<i2' , 'fortran_order' : False , "
		 "'shape' : ( 1 , 2 , 2 , ) , } ",
		 4},
		{2, "{'descr': '<i2', 'fortran_order': False, 'shape': (5,), }",
		 5},
		{3, "{'descr': '<i2', 'fortran_order': False, 'shape': (4,), }",
		 4},
	};
	uint16_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];
	char file[256];
	uint64_t count;
	size_t n, len;

	for (size_t i = 0; i < sizeof ok_dicts / sizeof ok_dicts[0]; i++) {
		len = npy(file, ok_dicts[i].v, ok_dicts[i].dict, data,
			  ok_dicts[i].n * 2);
		is_str(read_npy(ATLAS_I16, file, len, back, 8, &n, &count), "",
		       ok_dicts[i].dict);
		ok(n == ok_dicts[i].n && count == n &&
			   memcmp(back, data, n * 2) == 0,
		   "npy v%d: %zu elements", ok_dicts[i].v, n);
	}
}

static void test_npy_read_errors(void)
{
	static const struct {
		int v;
		const char *dict;
		size_t dlen;
		const char *msg;
	} bad[] = {
		{1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
		 8, "x.npy: .npy dtype '<f8' does not match f32"},
		{1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
		 4, "x.npy: big-endian .npy data is not supported"},
		{1,
		 "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
		 24, "x.npy: Fortran-order .npy arrays are not supported"},
		{1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }",
		 14, "x.npy: .npy data ends after 3 of 5 elements"},
		{1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
		 12, "x.npy: data after the 2 elements of the .npy array"},
		{1, "{'descr': '<f4', 'fortran_order': False}", 0,
		 "x.npy: malformed .npy header"},
		{1,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), "
		 "'x': 1}",
		 4, "x.npy: malformed .npy header"},
		{1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
		 4, "x.npy: malformed .npy header"},
		{1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
		 4, "x.npy: malformed .npy header"},
		{1,
		 "{'descr': [('a', '<f4')], 'fortran_order': False, "
		 "'shape': (1,)}",
		 4, "x.npy: malformed .npy header"},
		{1,
		 "{'descr': '<f4', 'fortran_order': False, "
		 "'shape': (4294967296, 4294967296)}",
		 0, "x.npy: .npy shape too large"},
		{4, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
		 4, "x.npy: unsupported .npy version 4.0"},
	};
	const float data[6] = {1, 2, 3, 4, 5, 6};
	char file[512];
	float back[8];
	uint64_t count;
	size_t n, len;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		len = npy(file, bad[i].v, bad[i].dict, data, bad[i].dlen);
		is_str(read_npy(ATLAS_F32, file, len, back, 8, &n, &count),
		       bad[i].msg, bad[i].msg);
	}
	len = npy(file, 1, bad[3].dict, data, 14);
	read_npy(ATLAS_F32, file, len, back, 8, &n, &count);
	ok(n == 3 && count == 5, "npy: the elements before the end delivered");
	len = npy(file, 1, bad[4].dict, data, 12);
	read_npy(ATLAS_F32, file, len, back, 8, &n, &count);
	ok(n == 2 && back[1] == 2, "npy: the elements before extra data");
	is_str(read_npy(ATLAS_F32, "PK\3\4 not npy at all", 20, back, 8, &n,
			&count),
	       "x.npy: not a .npy file", "npy: bad magic");
	is_str(read_npy(ATLAS_F32, "\x93NUM", 4, back, 8, &n, &count),
	       "x.npy: not a .npy file", "npy: too short for magic");
	is_str(read_npy(ATLAS_F32, file, 40, back, 8, &n, &count),
	       "x.npy: truncated .npy header", "npy: truncated header");
	is_str(read_npy(ATLAS_BF16, file, len, back, 8, &n, &count),
	       "x.npy: no .npy dtype for bf16", "npy: bf16 input");
}

static void test_npy_write(void)
{
	const float f3[3] = {1, 2, 3};
	char want[256], *got;
	uint8_t data[64], back[64];
	struct fmt_writer w;
	struct atlas_error err = {0};
	uint64_t count;
	size_t len, n;
	int fd, p[2];

	/* np.save("x.npy", np.array([1, 2, 3], dtype=np.float32)) */
	memcpy(want, "\x93NUMPY\x01\x00\x76\x00", 10);
	memset(want + 10, ' ', 117);
	memcpy(want + 10,
	       "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 57);
	want[127] = '\n';
	memcpy(want + 128, f3, 12);
	fd = write_tmp(ATLAS_DATA_NPY, ATLAS_F32, f3, 3, 3);
	got = contents(fd, &len);
	ok(got && len == 140 && memcmp(got, want, 140) == 0,
	   "npy: np.save's bytes for float32 [1, 2, 3]");
	free(got);
	close(fd);
	/* the count told at close: the same bytes */
	fd = write_tmp(ATLAS_DATA_NPY, ATLAS_F32, f3, 3, ATLAS_COUNT_UNSET);
	got = contents(fd, &len);
	ok(got && len == 140 && memcmp(got, want, 140) == 0,
	   "npy: a header patched at close, the same bytes");
	free(got);
	close(fd);
	/* in two writes, count unknown */
	fd = tmp_with(NULL, 0);
	fmt_writer_open(&w, fd, ATLAS_DATA_NPY, ATLAS_F32, ATLAS_COUNT_UNSET,
			"out", &err);
	ok(fmt_write(&w, f3, 1, &err) == 0 &&
		   fmt_write(&w, f3 + 1, 2, &err) == 0 &&
		   fmt_writer_close(&w, &err) == 0 && w.bytes == 140,
	   "npy: two writes, count unknown");
	got = contents(fd, &len);
	ok(got && len == 140 && memcmp(got, want, 140) == 0,
	   "npy: the same bytes again");
	free(got);
	close(fd);

	/* every type, written and read back */
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 37);
	for (int t = 0; t < ATLAS_NTYPES; t++) {
		const size_t es = atlas_type_size((enum atlas_type)t);

		if (!dtypes[t])
			continue;
		fd = write_tmp(ATLAS_DATA_NPY, (enum atlas_type)t, data, 5, 5);
		got = contents(fd, &len);
		ok(got && len == 128 + 5 * es &&
			   memcmp(got + 128, data, 5 * es) == 0 &&
			   strcmp(read_npy((enum atlas_type)t, got, len, back,
					   8, &n, &count),
				  "") == 0 &&
			   n == 5 && memcmp(back, data, 5 * es) == 0,
		   "npy %s: written and read back", dtypes[t]);
		free(got);
		close(fd);
	}
	/* an empty array, count unknown */
	fd = write_tmp(ATLAS_DATA_NPY, ATLAS_U16, data, 0, ATLAS_COUNT_UNSET);
	got = contents(fd, &len);
	ok(got && len == 128 &&
		   memcmp(got + 10,
			  "{'descr': '<u2', 'fortran_order': "
			  "False, 'shape': (0,), }",
			  57) == 0,
	   "npy: an empty array");
	free(got);
	close(fd);

	/* a pipe needs the count */
	if (pipe(p) == 0) {
		ok(fmt_writer_open(&w, p[1], ATLAS_DATA_NPY, ATLAS_F32,
				   ATLAS_COUNT_UNSET, "-",
				   &err) == ATLAS_ERR_ARG,
		   "npy to a pipe, count unknown: refused");
		is_str(err.msg,
		       "-: a .npy output to a pipe needs its length in advance",
		       "npy to a pipe: the message");
		ok(fmt_writer_open(&w, p[1], ATLAS_DATA_NPY, ATLAS_F32, 1, "-",
				   &err) == ATLAS_OK &&
			   fmt_write(&w, f3, 1, &err) == ATLAS_OK &&
			   fmt_writer_close(&w, &err) == ATLAS_OK,
		   "npy to a pipe, count known");
		close(p[1]);
		got = contents(p[0], &len);
		ok(got && len == 132, "npy to a pipe: header and data");
		free(got);
		close(p[0]);
	}

	/* counts that disagree; bf16 */
	fd = tmp_with(NULL, 0);
	fmt_writer_open(&w, fd, ATLAS_DATA_NPY, ATLAS_F32, 3, "out", &err);
	fmt_write(&w, f3, 2, &err);
	ok(fmt_writer_close(&w, &err) != ATLAS_OK, "npy: too few elements");
	is_str(err.msg, "out: .npy output got 2 elements, its header says 3",
	       "npy: their message");
	ok(fmt_writer_open(&w, fd, ATLAS_DATA_NPY, ATLAS_BF16, 3, "out",
			   &err) != ATLAS_OK,
	   "npy: bf16 output refused");
	is_str(err.msg, "out: no .npy dtype for bf16", "npy: bf16 message");
	close(fd);
}

static void test_npy_pipe(void)
{
	uint32_t data[5000], back[5001];
	char *file = malloc(sizeof data + 256);
	struct fmt_reader r;
	struct atlas_error err = {0};
	size_t len, n = 0;
	int fd;

	for (uint32_t i = 0; i < 5000; i++)
		data[i] = i * 2654435761u;
	len = npy(
		file, 1,
		"{'descr': '<u4', 'fortran_order': False, 'shape': (5000,), }",
		data, sizeof data);
	fd = pipe_with(file, len, 333);
	if (fmt_reader_open(&r, fd, ATLAS_DATA_NPY, ATLAS_U32, "p", &err) ==
	    ATLAS_OK) {
		n = read_all(&r, back, 5001, 777);
		fmt_reader_close(&r);
	}
	ok(n == 5000 && memcmp(back, data, sizeof data) == 0 && r.eof &&
		   !r.failed && r.bytes == len,
	   "npy from a pipe in small writes");
	close(fd);
	reap();
	free(file);
}

static void test_npy(void)
{
	test_npy_read_types();
	test_npy_read_shapes();
	test_npy_read_errors();
	test_npy_write();
	test_npy_pipe();
}

/* ---- resident runs ---- */

/* y = x * 2 + 1 for lanes below n. */
static struct atlas_program *scale(void)
{
	struct atlas_program *p = atlas_program_new("scale");

	if (!p ||
	    atlas_program_add_param(p, "x", ATLAS_PARAM_ARRAY, ATLAS_F32,
				    ATLAS_USE_IN, 1, NULL) ||
	    atlas_program_add_param(p, "y", ATLAS_PARAM_ARRAY, ATLAS_F32,
				    ATLAS_USE_OUT, 2, NULL) ||
	    atlas_program_add_param(p, "n", ATLAS_PARAM_SCALAR, ATLAS_U64,
				    ATLAS_USE_GUARD, 3, NULL) ||
	    atlas_program_append(p,
				 "\tsetge.u64 p0, r255, r3\n"
				 "\tbra.p0 @done\n"
				 "\tmov_imm.u32 r250, 2\n"
				 "\tshl.u64 r0, r255, r250\n"
				 "\tldg.f32 r10, [r1 + r0]\n"
				 "\tmov_imm.f32 r11, 2.0\n"
				 "\tmov_imm.f32 r12, 1.0\n"
				 "\tmad.f32 r13, r10, r11, r12\n"
				 "\tstg.f32 [r2 + r0], r13\n"
				 "@done:\n",
				 NULL)) {
		atlas_program_free(p);
		return NULL;
	}
	return p;
}

/* An inout array in text, replaced in its file: x = x * 2 + 1. */
static void test_resident_inout(struct atlas_engine *e)
{
	struct atlas_program *p = atlas_program_new("inc");
	struct atlas_resident_options o = {.lanes = ATLAS_COUNT_UNSET};
	struct atlas_stream_binding b[2];
	struct atlas_error err = {0};
	char path[] = "/tmp/t-format-inout-XXXXXX", *got;
	int fd = mkstemp(path);
	size_t len;

	if (!p || fd < 0 ||
	    atlas_program_add_param(p, "x", ATLAS_PARAM_ARRAY, ATLAS_F32,
				    ATLAS_USE_INOUT, 1, NULL) ||
	    atlas_program_add_param(p, "n", ATLAS_PARAM_SCALAR, ATLAS_U64,
				    ATLAS_USE_GUARD, 3, NULL) ||
	    atlas_program_append(p,
				 "\tsetge.u64 p0, r255, r3\n"
				 "\tbra.p0 @done\n"
				 "\tmov_imm.u32 r250, 2\n"
				 "\tshl.u64 r0, r255, r250\n"
				 "\tldg.f32 r10, [r1 + r0]\n"
				 "\tmov_imm.f32 r11, 2.0\n"
				 "\tmov_imm.f32 r12, 1.0\n"
				 "\tmad.f32 r13, r10, r11, r12\n"
				 "\tstg.f32 [r1 + r0], r13\n"
				 "@done:\n",
				 NULL) ||
	    atlas_program_verify(p, &err) ||
	    write(fd, "0.5 1e3\n-1\n", 11) != 11) {
		ok(0, "resident inout: set up");
		atlas_program_free(p);
		return;
	}
	lseek(fd, 0, SEEK_SET);
	memset(b, 0, sizeof b);
	b[0].fd = fd;
	b[0].path = path;
	b[0].out_fd = -1;
	b[0].label = path;
	b[0].format = ATLAS_DATA_TEXT;
	b[1].bound = 1;
	b[1].bits = 3;
	ok(atlas_resident_run(e, p, b, 2, &o, NULL, &err) == ATLAS_OK,
	   "resident inout in text");
	close(fd);
	fd = open(path, O_RDONLY);
	got = contents(fd, &len);
	is_str(got ? got : "", "2\n2001\n-1\n", "resident inout: the file");
	free(got);
	close(fd);
	unlink(path);
	atlas_program_free(p);
}

static void test_resident(void)
{
	struct atlas_program *p = scale();
	struct atlas_engine *e = atlas_engine_new(NULL, NULL);
	struct atlas_resident_options o = {.lanes = 3};
	struct atlas_stream_binding b[3];
	struct atlas_stream_stats st;
	struct atlas_error err = {0};
	uint64_t sizes[3] = {ATLAS_COUNT_UNSET, 3, ATLAS_COUNT_UNSET};
	const float want[3] = {3, 5, 7};
	char *got;
	size_t len;

	if (!ok(p && e && atlas_program_verify(p, &err) == ATLAS_OK,
		"resident: a program and an engine"))
		return;
	memset(b, 0, sizeof b);
	o.sizes = sizes;
	b[0].fd = tmp_with("1\n2 3\n", 6);
	b[0].label = "x.txt";
	b[0].format = ATLAS_DATA_TEXT;
	b[1].fd = tmp_with(NULL, 0);
	b[1].label = "y.npy";
	b[1].format = ATLAS_DATA_NPY;
	b[2].bound = 1;
	b[2].bits = 3;
	ok(atlas_resident_run(e, p, b, 3, &o, &st, &err) == ATLAS_OK,
	   "resident: text in, .npy out");
	got = contents(b[1].fd, &len);
	ok(got && len == 140 && memcmp(got + 128, want, 12) == 0 &&
		   st.bytes_in == 6 && st.bytes_out == 140,
	   "resident: the .npy output");
	free(got);
	close(b[0].fd);
	b[0].fd = tmp_with("1\n2 z\n", 6);
	ok(atlas_resident_run(e, p, b, 3, &o, &st, &err) == ATLAS_ERR_INPUT,
	   "resident: a bad number fails");
	is_str(err.msg, "x.txt:2: invalid value 'z' for f32",
	       "resident: its message");
	close(b[0].fd);
	close(b[1].fd);
	b[1].format = ATLAS_DATA_RAW;
	b[0].fd = tmp_with("1\n2 3\n", 6);
	b[1].fd = open("/dev/full", O_WRONLY);
	ok(atlas_resident_run(e, p, b, 3, &o, &st, &err) == ATLAS_ERR_IO,
	   "resident: a write error");
	is_str(err.msg, "y.npy: write error: No space left on device",
	       "resident: the message names the file");
	close(b[0].fd);
	close(b[1].fd);
	test_resident_inout(e);
	atlas_engine_free(e);
	atlas_program_free(p);
}

int main(void)
{
	test_names();
	test_text_round_trip();
	test_text_spelling();
	test_text_read();
	test_text_buffers();
	test_raw();
	test_npy();
	test_resident();
	return done_testing();
}
