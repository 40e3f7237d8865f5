/*
 * filter-native.c - the native C baseline of scripts/bench-stream: the
 * streaming filter atlas-run would be if the kernel were compiled C.
 *
 *   filter-native [-c ELEMENTS] [-p PIPESIZE] copy|relu|sigmoid
 *   filter-native gen SIZE [SEED]
 *
 * The filter modes read raw f32 from stdin ELEMENTS at a time (default
 * 131072: a 1 MiB pool holding one f32 input and one f32 output chunk, as
 * atlas-run's), looping over short reads like atlas_read_full, compute
 * into a separate output buffer and write it to stdout with a full-write
 * loop.  sigmoid calls vm_sigmoid_f32, the vectorised loop the interpreter
 * runs for its sigmoid op; relu is max(0, x) with NaN and -0.0 giving 0.0,
 * as the bundled kernel; copy moves the bytes unchanged.  -p grows stdin
 * and stdout to PIPESIZE bytes when they are pipes (atlas-run does so).
 *
 * gen writes SIZE bytes (suffix K, M or G: binary units) of f32 values
 * spread over [-8, 8), from a xorshift generator, to stdout.
 *
 * Exit status 0, 1 on an I/O error or a trailing partial element, 2 on a
 * usage error.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmath.h"

#define PROG "filter-native"

enum mode { COPY, RELU, SIGMOID };

static void usage(const char *why)
{
	if (why)
		fprintf(stderr, PROG ": %s\n", why);
	fputs("usage: " PROG " [-c elements] [-p pipesize] copy|relu|sigmoid\n"
	      "       " PROG " gen size [seed]\n",
	      stderr);
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	exit(1);
}

/* SIZE with an optional K, M or G suffix (binary units), > 0. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	if (*s < '0' || *s > '9')
		usage("bad number");
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (errno || *end || v == 0 || v > (UINT64_MAX >> shift))
		usage("bad number");
	return (uint64_t)v << shift;
}

static size_t read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);

		if (r > 0)
			done += (size_t)r;
		else if (r == 0)
			break;
		else if (errno != EINTR)
			die("read error");
	}
	return done;
}

static void write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, (const char *)buf + done, n - done);

		if (w >= 0)
			done += (size_t)w;
		else if (errno != EINTR)
			die("write error");
	}
}

static void pipe_grow(int fd, int size)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    fcntl(fd, F_GETPIPE_SZ) < size)
		(void)fcntl(fd, F_SETPIPE_SZ, size);
}

__attribute__((noinline)) static void relu(float *restrict y,
					   const float *restrict x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static int filter(enum mode m, size_t chunk)
{
	const size_t bytes = chunk * sizeof(float);
	float *in = aligned_alloc(64, (bytes + 63) / 64 * 64);
	float *out = aligned_alloc(64, (bytes + 63) / 64 * 64);
	size_t got;

	if (!in || !out)
		die("out of memory");
	do {
		size_t n;

		got = read_full(0, in, bytes);
		n = got / sizeof(float);
		if (m == SIGMOID)
			vm_sigmoid_f32(out, in, n);
		else if (m == RELU)
			relu(out, in, n);
		write_full(1, m == COPY ? in : out, n * sizeof(float));
	} while (got == bytes);
	free(in);
	free(out);
	if (got % sizeof(float)) {
		fprintf(stderr, PROG ": trailing partial element\n");
		return 1;
	}
	return 0;
}

/* xorshift64*: fast, and values that differ lane to lane. */
static int gen(uint64_t size, uint64_t seed)
{
	enum { N = 1 << 18 };
	static float buf[N];
	uint64_t s = seed ? seed : 0x9e3779b97f4a7c15u;

	while (size) {
		size_t n = size < sizeof buf ? (size_t)size : sizeof buf;

		for (size_t i = 0; i < N; i++) {
			s ^= s >> 12;
			s ^= s << 25;
			s ^= s >> 27;
			/* top 24 bits, scaled to [-8, 8) */
			buf[i] = (float)((s * 0x2545f4914f6cdd1du) >> 40) *
					 (16.0f / 16777216.0f) -
				 8.0f;
		}
		write_full(1, buf, n);
		size -= n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t chunk = 131072;
	int pipesize = 0, c;

	while ((c = getopt(argc, argv, ":c:p:")) != -1) {
		switch (c) {
		case 'c':
			chunk = (size_t)parse_size(optarg);
			if (chunk > ((size_t)1 << 28))
				usage("-c: too large");
			break;
		case 'p':
			if (parse_size(optarg) > (1 << 30))
				usage("-p: too large");
			pipesize = (int)parse_size(optarg);
			break;
		default:
			usage("bad option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(NULL);
	if (strcmp(argv[0], "gen") == 0) {
		if (argc < 2 || argc > 3)
			usage(NULL);
		return gen(parse_size(argv[1]),
			   argc == 3 ? parse_size(argv[2]) : 0);
	}
	if (argc != 1)
		usage(NULL);
	if (pipesize) {
		pipe_grow(0, pipesize);
		pipe_grow(1, pipesize);
	}
	if (strcmp(argv[0], "copy") == 0)
		return filter(COPY, chunk);
	if (strcmp(argv[0], "relu") == 0)
		return filter(RELU, chunk);
	if (strcmp(argv[0], "sigmoid") == 0)
		return filter(SIGMOID, chunk);
	usage("unknown mode");
	return 2;
}
