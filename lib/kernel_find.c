/*
 * kernel_find.c - where a kernel named on a command line lives: a path,
 * a directory of $ATLAS_KERNEL_PATH, or the bundled kernels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "program.h"

#define PATH_CAP 4096

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Is DIR/NAME.s or DIR/NAME.json there?  Then *path holds it. */
static int try_dir(const char *dir, size_t dlen, const char *name, char **path)
{
	static const char *const ext[] = {".s", ".json"};
	char buf[PATH_CAP];

	for (int i = 0; i < 2; i++) {
		int n = snprintf(buf, sizeof buf, "%.*s/%s%s", (int)dlen, dir,
				 name, ext[i]);

		if (n > 0 && (size_t)n < sizeof buf && access(buf, F_OK) == 0) {
			*path = strdup(buf);
			return 1;
		}
	}
	return 0;
}

/* BIN/../share/atlas/kernels for the running program, or "". */
static void bundled_dir(char *dir, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", dir, cap - 32);
	char *slash = NULL;

	dir[n > 0 ? (size_t)n : 0] = '\0';
	for (int i = 0; i < 2 && (slash = strrchr(dir, '/')); i++)
		*slash = '\0';
	if (slash)
		strncat(dir, "/share/atlas/kernels", cap - strlen(dir) - 1);
	else
		dir[0] = '\0';
}

enum atlas_status atlas_kernel_find(const char *name, char **path,
				    struct atlas_error *err)
{
	const char *env = getenv("ATLAS_KERNEL_PATH");
	char dirs[2 * PATH_CAP], looked[sizeof dirs] = "";
	size_t len = 0;

	*path = NULL;
	if (strchr(name, '/') || has_suffix(name, ".s") ||
	    has_suffix(name, ".json")) {
		*path = strdup(name);
		goto done;
	}
	snprintf(dirs, PATH_CAP, "%s:", env ? env : "");
	bundled_dir(dirs + strlen(dirs), PATH_CAP);
	for (const char *d = dirs, *e; *d; d = *e ? e + 1 : e) {
		e = d + strcspn(d, ":");
		if (e == d)
			continue;
		if (try_dir(d, (size_t)(e - d), name, path))
			goto done;
		if (len < sizeof looked)
			len += (size_t)snprintf(looked + len,
						sizeof looked - len, "%s%.*s",
						len ? ", " : "", (int)(e - d),
						d);
	}
	atlas_error_set(err, ATLAS_ERR_ARG, 0, 0,
			"kernel '%s' not found (looked in %s)", name,
			len ? looked : "no directories");
	return ATLAS_ERR_ARG;
done:
	if (!*path) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	return ATLAS_OK;
}
