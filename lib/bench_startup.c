/*
 * bench_startup.c - the startup suite: `atlas-run relu < /dev/null >
 * /dev/null` (load, find and read the kernel, set up, see end of input,
 * exit) against `true`, both spawned directly (no shell), A/B
 * interleaved.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

struct startup {
	char *const *argv;
	const char *what;
	const char *errs;
};

static enum atlas_status run_prog(void *arg, struct atlas_error *err)
{
	const struct startup *s = arg;

	return bench_exec(s->what, s->argv, NULL, NULL, s->errs, NULL, err);
}

static enum atlas_status startup_run(struct bench_ctx *c, const char *dir)
{
	char run[4200], errs[4200], relu[] = "relu", tru[] = "true";
	char *const argv_a[] = {run, relu, NULL};
	char *const argv_b[] = {tru, NULL};
	struct startup a = {argv_a, "atlas-run relu", errs},
		       b = {argv_b, "true", errs};
	struct bench_stat sa, sb;
	struct atlas_measure m;
	enum atlas_status rc;

	snprintf(run, sizeof run, "%s/atlas-run", c->o->bindir);
	snprintf(errs, sizeof errs, "%s/stderr", dir);
	if (access(run, X_OK))
		return bench_fail(c->err, ATLAS_ERR_ARG, "%s: %s", run,
				  strerror(errno));
	rc = bench_pair(c, run_prog, &a, run_prog, &b, &sa, &sb);
	if (rc != ATLAS_OK)
		return rc;
	bench_measure(&m, c, "atlas-run relu < /dev/null", 0, "", &sa);
	bench_rate(&m, 0, "", &sb, "true");
	if (!bench_emit(c, &m)) {
		bench_measure(&m, c, "true", 0, "", &sb);
		bench_emit(c, &m);
	}
	return ATLAS_OK;
}

enum atlas_status bench_startup(struct bench_ctx *c)
{
	char dir[4096];
	enum atlas_status rc;

	if (!c->o->bindir)
		return bench_fail(c->err, ATLAS_ERR_ARG,
				  "the startup suite needs the directory of "
				  "atlas-run");
	if ((rc = bench_tmpdir(dir, sizeof dir, c->err)) != ATLAS_OK)
		return rc;
	rc = startup_run(c, dir);
	bench_tmpdir_remove(dir);
	return rc;
}
