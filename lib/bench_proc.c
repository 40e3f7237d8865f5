/*
 * bench_proc.c - child processes and temporary files for the suites that
 * time programs (stream, startup).  posix_spawn, so that no code runs in
 * a forked copy of the caller.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

enum atlas_status bench_tmpdir(char *dir, size_t size, struct atlas_error *err)
{
	const char *t = getenv("TMPDIR");

	if (!t || !*t)
		t = "/tmp";
	if ((size_t)snprintf(dir, size, "%s/atlas-bench.XXXXXX", t) >= size)
		return bench_fail(err, ATLAS_ERR_ARG, "TMPDIR too long");
	if (!mkdtemp(dir)) {
		bench_fail(err, ATLAS_ERR_IO, "%s: %s", dir, strerror(errno));
		if (err)
			err->errnum = errno;
		return ATLAS_ERR_IO;
	}
	return ATLAS_OK;
}

void bench_tmpdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir,
				     de->d_name) < sizeof path)
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int bench_shquote(char *buf, size_t size, const char *s)
{
	size_t k = 0;

	/* 'it'\''s' */
	for (const char *p = s;; p++) {
		const char *add = *p == '\'' ? "'\\''" : NULL;
		const size_t need = add ? 4 : 1;

		if (p == s) {
			if (k + 1 >= size)
				return -1;
			buf[k++] = '\'';
		}
		if (!*p)
			break;
		if (k + need >= size)
			return -1;
		if (add)
			memcpy(buf + k, add, need);
		else
			buf[k] = *p;
		k += need;
	}
	if (k + 2 > size)
		return -1;
	buf[k++] = '\'';
	buf[k] = '\0';
	return 0;
}

/* The first line of the file at path into buf; "" when empty. */
static void first_line(const char *path, char *buf, size_t size)
{
	FILE *f = path ? fopen(path, "r") : NULL;

	buf[0] = '\0';
	if (f && fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

static enum atlas_status spawn_io(posix_spawn_file_actions_t *fa,
				  const char *in, const char *out,
				  const char *errpath)
{
	const int wr = O_WRONLY | O_CREAT | O_TRUNC;

	if (posix_spawn_file_actions_init(fa))
		return ATLAS_ERR_NOMEM;
	if (posix_spawn_file_actions_addopen(fa, 0, in ? in : "/dev/null",
					     O_RDONLY, 0) ||
	    posix_spawn_file_actions_addopen(fa, 1, out ? out : "/dev/null", wr,
					     0666) ||
	    posix_spawn_file_actions_addopen(
		    fa, 2, errpath ? errpath : "/dev/null", wr, 0666)) {
		posix_spawn_file_actions_destroy(fa);
		return ATLAS_ERR_NOMEM;
	}
	return ATLAS_OK;
}

/* Why the child that ended with status failed, into err. */
static enum atlas_status child_failed(const char *what, int status,
				      const char *errpath,
				      struct atlas_error *err)
{
	char line[200];

	first_line(errpath, line, sizeof line);
	if (line[0])
		return bench_fail(err, ATLAS_ERR_IO, "%s: %s", what, line);
	if (WIFSIGNALED(status))
		return bench_fail(err, ATLAS_ERR_IO, "%s: killed by signal %d",
				  what, WTERMSIG(status));
	return bench_fail(err, ATLAS_ERR_IO, "%s: exit status %d", what,
			  WEXITSTATUS(status));
}

/* Whether the file at path is missing or empty. */
static int empty_file(const char *path)
{
	struct stat st;

	return !path || stat(path, &st) != 0 || st.st_size == 0;
}

enum atlas_status bench_exec(const char *what, char *const argv[],
			     const char *in, const char *out,
			     const char *errpath, long *maxrss,
			     struct atlas_error *err)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	pid_t pid;
	int status = 0, e;

	if (spawn_io(&fa, in, out, errpath) != ATLAS_OK)
		return bench_fail(err, ATLAS_ERR_NOMEM, "out of memory");
	e = strchr(argv[0], '/') ?
		    posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) :
		    posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e) {
		bench_fail(err, ATLAS_ERR_IO, "%s: %s", argv[0], strerror(e));
		if (err)
			err->errnum = e;
		return ATLAS_ERR_IO;
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return bench_fail(err, ATLAS_ERR_IO, "%s: wait: %s",
					  what, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    !empty_file(errpath))
		return child_failed(what, status, errpath, err);
	if (maxrss)
		*maxrss = ru.ru_maxrss;
	return ATLAS_OK;
}

enum atlas_status bench_sh(const char *what, char *cmd, const char *errpath,
			   struct atlas_error *err)
{
	char sh[] = "/bin/sh", c[] = "-c";
	char *const argv[] = {sh, c, cmd, NULL};

	return bench_exec(what, argv, NULL, NULL, errpath, NULL, err);
}
