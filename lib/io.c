/*
 * io.c - full reads and writes that survive short transfers, EINTR and
 * non-blocking descriptors; whole-input reads; pipe sizing.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "program.h"

/* Wait until fd is ready for events (after EAGAIN). */
static void wait_fd(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
}

static enum atlas_status io_fail(struct atlas_error *err, const char *what)
{
	int e = errno;

	atlas_error_set(err, ATLAS_ERR_IO, 0, 0, "%s: %s", what, strerror(e));
	if (err)
		err->errnum = e;
	return ATLAS_ERR_IO;
}

enum atlas_status atlas_read_full(int fd, void *buf, size_t n, size_t *got,
				  struct atlas_error *err)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);

		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			wait_fd(fd, POLLIN);
			continue;
		}
		*got = done;
		return io_fail(err, "read error");
	}
	*got = done;
	return ATLAS_OK;
}

enum atlas_status atlas_write_full(int fd, const void *buf, size_t n,
				   struct atlas_error *err)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, (const char *)buf + done, n - done);

		if (r >= 0) {
			done += (size_t)r;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			wait_fd(fd, POLLOUT);
			continue;
		}
		return io_fail(err, "write error");
	}
	return ATLAS_OK;
}

enum atlas_status atlas_read_all(int fd, uint64_t max, char **data, size_t *len,
				 struct atlas_error *err)
{
	struct stat st;
	size_t cap = 64 * 1024, n = 0, got;
	char *buf, *q, c;

	*data = NULL;
	*len = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((uint64_t)st.st_size > max)
			goto too_big_nobuf;
		cap = (size_t)st.st_size + 1;
	}
	buf = malloc(cap);
	if (!buf)
		goto nomem;
	for (;;) {
		if (atlas_read_full(fd, buf + n, cap - 1 - n, &got, err))
			goto fail;
		n += got;
		if (n > max)
			goto too_big;
		if (n < cap - 1)
			break;
		/* Full: probe for the end before growing. */
		if (atlas_read_full(fd, &c, 1, &got, err))
			goto fail;
		if (got == 0)
			break;
		if (n + 1 > max)
			goto too_big;
		if (cap > SIZE_MAX / 2 || !(q = realloc(buf, cap * 2)))
			goto nomem_buf;
		buf = q;
		cap *= 2;
		buf[n++] = c;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return ATLAS_OK;
nomem_buf:
	free(buf);
nomem:
	atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
	return ATLAS_ERR_NOMEM;
fail:
	free(buf);
	return ATLAS_ERR_IO;
too_big:
	free(buf);
too_big_nobuf:
	atlas_error_set(err, ATLAS_ERR_LIMIT, 0, 0,
			"input larger than %" PRIu64 " bytes", max);
	return ATLAS_ERR_LIMIT;
}

void atlas_pipe_grow(int fd, size_t size)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    fcntl(fd, F_GETPIPE_SZ) < (int)size)
		(void)fcntl(fd, F_SETPIPE_SZ, (int)size);
}
