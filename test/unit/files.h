/*
 * files.h - test helpers: read a whole file, list the *.s programs of a
 * directory.  Header-only, for the unit tests.
 */
#ifndef ATLAS_TEST_FILES_H
#define ATLAS_TEST_FILES_H

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atlas.h"

/* The contents of path, NUL-terminated (free it), or NULL. */
static inline char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	char *data = NULL;

	if (fd < 0)
		return NULL;
	if (atlas_read_all(fd, (uint64_t)64 << 20, &data, len, NULL))
		data = NULL;
	close(fd);
	return data;
}

static inline int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The sorted names of the *.s files in dir, except bad-*.s (free each
 * and the array); *n receives the count.
 */
static inline char **fixtures_in(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t k = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		const size_t l = strlen(e->d_name);
		char **q;

		if (l < 3 || strcmp(e->d_name + l - 2, ".s") != 0 ||
		    strncmp(e->d_name, "bad-", 4) == 0)
			continue;
		q = realloc(v, (k + 1) * sizeof *v);
		if (!q)
			break;
		v = q;
		v[k++] = strdup(e->d_name);
	}
	closedir(d);
	if (k)
		qsort(v, k, sizeof *v, cmp_name);
	*n = k;
	return v;
}

/* A new temporary file holding len bytes of data, at offset 0; -1 on
   failure. */
static inline int tmp_with(const void *data, size_t len)
{
	char name[] = "/tmp/atlas-test-XXXXXX";
	int fd = mkstemp(name);

	if (fd < 0)
		return -1;
	unlink(name);
	if (len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The whole of fd from offset 0 (free it), or NULL. */
static inline char *contents(int fd, size_t *len)
{
	char *data = NULL;

	lseek(fd, 0, SEEK_SET);
	if (atlas_read_all(fd, (uint64_t)1 << 30, &data, len, NULL))
		return NULL;
	return data;
}

#endif /* ATLAS_TEST_FILES_H */
