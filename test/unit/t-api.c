/*
 * t-api.c - the public interface of atlas.h as a C user sees it: building
 * programs in code, buffers, launches, errors, values, kernel search and
 * the I/O helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas.h"
#include "tap.h"

/* y = x * 2 + 1 for lanes below n, built in code. */
static struct atlas_program *build_scale(struct atlas_error *err)
{
	struct atlas_program *p = atlas_program_new("scale");

	if (!p)
		return NULL;
	if (atlas_program_add_param(p, "x", ATLAS_PARAM_ARRAY, ATLAS_F32,
				    ATLAS_USE_IN, 1, err) ||
	    atlas_program_add_param(p, "y", ATLAS_PARAM_ARRAY, ATLAS_F32,
				    ATLAS_USE_OUT, 2, err) ||
	    atlas_program_add_param(p, "n", ATLAS_PARAM_SCALAR, ATLAS_U64,
				    ATLAS_USE_GUARD, 3, err) ||
	    atlas_program_append(p,
				 "\tsetge.u64 p0, r255, r3\n"
				 "\tbra.p0 @done\n"
				 "\tmov_imm.u32 r250, 2\n",
				 err) ||
	    atlas_program_append(p,
				 "\tshl.u64 r0, r255, r250\n"
				 "\tldg.f32 r10, [r1 + r0]\n"
				 "\tmov_imm.f32 r11, 2.0\n"
				 "\tmov_imm.f32 r12, 1.0\n"
				 "\tmad.f32 r13, r10, r11, r12\n"
				 "\tstg.f32 [r2 + r0], r13\n"
				 "@done:\n",
				 err)) {
		atlas_program_free(p);
		return NULL;
	}
	return p;
}

static void test_builder(void)
{
	struct atlas_error err = {0};
	struct atlas_program *p = build_scale(&err);
	struct atlas_engine *e = atlas_engine_new(NULL, &err);
	struct atlas_buffer *x = atlas_buffer_new(3000 * 4, &err);
	struct atlas_buffer *y = atlas_buffer_new(3000 * 4, &err);
	struct atlas_launch l = atlas_launch_linear(3000, 256);
	struct atlas_arg args[3];
	float *xv, *yv;
	int good = 1;

	if (!ok(p && e && x && y, "build a program, an engine, buffers"))
		diag("%s", err.msg);
	if (!p || !e || !x || !y)
		return;
	memset(args, 0, sizeof args);
	args[0].view = atlas_buffer_view(x);
	args[1].view = atlas_buffer_view(y);
	args[2].bits = 2500;
	is_int(atlas_engine_run(e, p, &l, args, 3, &err), ATLAS_ERR_ARG,
	       "an unverified program does not run");
	is_str(err.msg, "program has not been verified", "... and says so");
	is_int(atlas_program_verify(p, &err), ATLAS_OK, "verify");
	is_int(atlas_program_length(p), 9, "nine instructions");
	is_int(atlas_engine_run(e, p, &l, args, 2, &err), ATLAS_ERR_ARG,
	       "wrong argument count");
	is_str(err.msg, "kernel 'scale' takes 3 arguments, got 2",
	       "... message");
	xv = atlas_buffer_data(x);
	yv = atlas_buffer_data(y);
	for (int i = 0; i < 3000; i++)
		xv[i] = (float)i;
	is_int(atlas_engine_run(e, p, &l, args, 3, &err), ATLAS_OK, "run");
	for (int i = 0; i < 3000; i++)
		if (yv[i] != (i < 2500 ? 2.0f * i + 1.0f : 0.0f))
			good = 0;
	ok(good, "y = 2x + 1 below the guard, untouched above");
	is_int(atlas_buffer_size(x), 12000, "buffer size");
	is_int(atlas_program_add_param(p, "z", ATLAS_PARAM_SCALAR, ATLAS_U32,
				       ATLAS_USE_VALUE, 4, &err),
	       ATLAS_ERR_ARG, "no parameter after instructions");
	is_str(err.msg, "parameter 'z' added after the first instruction",
	       "... message");
	is_int(atlas_program_append(p, "\tadd.f32 r1, r2\n", &err),
	       ATLAS_ERR_PARSE, "append reports syntax errors");
	is_int(err.line, 1, "... with the line of the appended text");
	atlas_buffer_free(x);
	atlas_buffer_free(y);
	atlas_buffer_free(NULL);
	atlas_engine_free(e);
	atlas_program_free(p);
	atlas_program_free(NULL);
	atlas_engine_free(NULL);
}

/* Many labels: the name index keeps building linear. */
static void test_many_labels(void)
{
	struct atlas_error err = {0};
	struct atlas_program *p = atlas_program_new("labels");
	char line[64];
	int good = 1;

	for (int i = 0; i < 20000 && good; i++) {
		snprintf(line, sizeof line, "@l%d:\n\tbra @l%d\n", i, i + 1);
		good = atlas_program_append(p, line, &err) == ATLAS_OK;
	}
	good = good && atlas_program_append(p, "@l20000:\n", &err) == 0;
	ok(good, "20000 labels with forward references");
	is_int(atlas_program_verify(p, &err), ATLAS_OK, "... verify");
	atlas_program_free(p);
}

static void test_values(void)
{
	struct atlas_error err = {0};
	uint64_t v = 0;

	is_int(atlas_value_parse("255", ATLAS_U8, &v, &err), ATLAS_OK,
	       "u8 255");
	is_int(v, 255, "... value");
	is_int(atlas_value_parse("256", ATLAS_U8, &v, &err), ATLAS_ERR_ARG,
	       "u8 256 is out of range");
	is_str(err.msg, "invalid value '256' for u8", "... message");
	is_int(atlas_value_parse("-128", ATLAS_I8, &v, &err), ATLAS_OK,
	       "i8 -128");
	is_int(v, 0x80, "... bits");
	is_int(atlas_value_parse("1.5", ATLAS_F32, &v, &err), ATLAS_OK,
	       "f32 1.5");
	is_int(v, 0x3fc00000, "... bits");
	is_int(atlas_value_parse("0x3c00", ATLAS_F16, &v, &err), ATLAS_OK,
	       "f16 hex bits");
	is_int(atlas_value_parse("1.0", ATLAS_F16, &v, &err), ATLAS_ERR_ARG,
	       "f16 takes hex only");
	is_int(atlas_value_parse("1e999", ATLAS_F64, &v, &err), ATLAS_ERR_ARG,
	       "f64 overflow is an error");
	is_int(atlas_value_parse("abc", ATLAS_I32, &v, &err), ATLAS_ERR_ARG,
	       "letters are not a number");
}

static void test_types_and_status(void)
{
	enum atlas_type t;
	int good = 1;

	for (int i = 0; i < ATLAS_NTYPES; i++)
		if (atlas_type_parse(atlas_type_name((enum atlas_type)i), &t) ||
		    (int)t != i)
			good = 0;
	ok(good, "every type name parses back");
	is_int(atlas_type_size(ATLAS_BF16), 2, "bf16 is 2 bytes");
	is_int(atlas_type_parse("f33", &t), -1, "unknown type");
	is_str(atlas_type_name(ATLAS_NTYPES), "?", "out-of-range type name");
	good = 1;
	for (int i = 0; i <= ATLAS_ERR_INPUT; i++)
		if (!atlas_strerror((enum atlas_status)i)[0])
			good = 0;
	ok(good, "every status has a description");
	is_str(atlas_version(), ATLAS_VERSION, "version");
}

static void test_kernel_find(void)
{
	struct atlas_error err = {0};
	char dir[] = "/tmp/t-api-XXXXXX", file[64];
	char *path = NULL;
	int fd;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(file, sizeof file, "%s/mine.s", dir);
	fd = open(file, O_WRONLY | O_CREAT, 0644);
	close(fd);
	setenv("ATLAS_KERNEL_PATH", dir, 1);
	is_int(atlas_kernel_find("mine", &path, &err), ATLAS_OK,
	       "a bare name is found in ATLAS_KERNEL_PATH");
	is_str(path, file, "... as DIR/NAME.s");
	free(path);
	is_int(atlas_kernel_find("x/y.json", &path, &err), ATLAS_OK,
	       "a path is taken as it is");
	is_str(path, "x/y.json", "... unchanged");
	free(path);
	is_int(atlas_kernel_find("nope", &path, &err), ATLAS_ERR_ARG,
	       "a missing kernel");
	ok(strncmp(err.msg, "kernel 'nope' not found (looked in ", 35) == 0 &&
		   strstr(err.msg, dir) != NULL,
	   "... lists where it looked");
	unlink(file);
	rmdir(dir);
	unsetenv("ATLAS_KERNEL_PATH");
}

static void test_io(void)
{
	struct atlas_error err = {0};
	int fds[2], full = open("/dev/full", O_WRONLY);
	char *data = NULL, buf[8];
	size_t len = 0, got = 0;

	is_int(atlas_write_full(full, "abc", 3, &err), ATLAS_ERR_IO,
	       "writing to /dev/full fails");
	is_int(err.errnum, ENOSPC, "... with ENOSPC");
	is_str(err.msg, "write error: No space left on device", "... message");
	close(full);
	if (pipe(fds) == 0) {
		ssize_t w = write(fds[1], "hello world", 11);

		close(fds[1]);
		ok(w == 11, "fill a pipe");
		is_int(atlas_read_all(fds[0], 1 << 20, &data, &len, &err),
		       ATLAS_OK, "read a pipe whole");
		is_str(data, "hello world", "... content");
		free(data);
		close(fds[0]);
	}
	if (pipe(fds) == 0) {
		ssize_t w = write(fds[1], "hello world", 11);

		close(fds[1]);
		(void)w;
		is_int(atlas_read_all(fds[0], 5, &data, &len, &err),
		       ATLAS_ERR_LIMIT, "a limit on whole reads");
		is_str(err.msg, "input larger than 5 bytes", "... message");
		close(fds[0]);
	}
	if (pipe(fds) == 0) {
		ssize_t w = write(fds[1], "abc", 3);

		close(fds[1]);
		(void)w;
		is_int(atlas_read_full(fds[0], buf, sizeof buf, &got, &err),
		       ATLAS_OK, "a short read at the end is not an error");
		is_int(got, 3, "... three bytes");
		close(fds[0]);
	}
}

int main(void)
{
	test_builder();
	test_many_labels();
	test_values();
	test_types_and_status();
	test_kernel_find();
	test_io();
	return done_testing();
}
