/*
 * bench_stream.c - the stream suite: atlas-run in a pipeline against
 * cat in the same place (`cat F | atlas-run relu | cat` vs `cat F | cat
 * | cat`, A/B interleaved, F a page-cached file of f32 data); memcpy
 * bandwidth in this process, the ceiling of any copy; and the peak RSS
 * of atlas-run relu over a small and a large stream from a generator
 * pipe, with the amplification (bytes streamed per byte of RSS), which
 * shows that memory does not grow with the input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define MiB ((uint64_t)1 << 20)
#define FILE_FULL (1024 * MiB)
#define FILE_QUICK (16 * MiB)
#define COPY_FULL (256 * MiB)
#define COPY_QUICK (64 * MiB)

static const uint64_t rss_full[] = {100 * MiB, 4096 * MiB};
static const uint64_t rss_quick[] = {10 * MiB, 100 * MiB};

struct stream_env {
	char dir[4096];
	char run[4096];	 /* atlas-run, quoted for sh */
	char data[4096]; /* the data file, quoted */
	char errs[4200]; /* stderr of the commands */
	char err_q[4300];
	char stats[4200]; /* atlas-run --stats */
	char stats_q[4300];
};

/* Write size bytes of f32 data to path. */
static enum atlas_status write_data(const char *path, uint64_t size,
				    struct atlas_error *err)
{
	const size_t chunk = MiB;
	float *buf = malloc(chunk);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	enum atlas_status rc = ATLAS_OK;

	if (!buf || fd < 0) {
		rc = buf ? bench_fail(err, ATLAS_ERR_IO, "%s: %s", path,
				      strerror(errno)) :
			   bench_fail(err, ATLAS_ERR_NOMEM, "out of memory");
		goto done;
	}
	bench_fill(buf, ATLAS_F32, chunk / 4);
	for (uint64_t k = 0; k < size && rc == ATLAS_OK; k += chunk)
		rc = atlas_write_full(fd, buf,
				      size - k < chunk ? size - k : chunk, err);
	if (close(fd) && rc == ATLAS_OK)
		rc = bench_fail(err, ATLAS_ERR_IO, "%s: %s", path,
				strerror(errno));
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* Quote atlas-run, the data file and the error file for sh. */
static enum atlas_status env_paths(struct stream_env *v, const char *bindir,
				   struct atlas_error *err)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/atlas-run", bindir);
	if (access(path, X_OK))
		return bench_fail(err, ATLAS_ERR_ARG, "%s: %s", path,
				  strerror(errno));
	if (bench_shquote(v->run, sizeof v->run, path))
		return bench_fail(err, ATLAS_ERR_ARG, "%s: name too long",
				  path);
	snprintf(v->errs, sizeof v->errs, "%s/stderr", v->dir);
	snprintf(v->stats, sizeof v->stats, "%s/stats", v->dir);
	snprintf(path, sizeof path, "%s/data.f32", v->dir);
	if (bench_shquote(v->data, sizeof v->data, path) ||
	    bench_shquote(v->err_q, sizeof v->err_q, v->errs) ||
	    bench_shquote(v->stats_q, sizeof v->stats_q, v->stats))
		return bench_fail(err, ATLAS_ERR_ARG, "%s: name too long",
				  v->dir);
	return ATLAS_OK;
}

struct shell_cmd {
	const char *what;
	char cmd[17200];
	const char *errs;
	const char *stats; /* NULL, or atlas-run's --stats output */
	double peak_rss;   /* bytes, the largest of the runs */
};

/* The peak_rss line of atlas-run --stats in the file at path. */
static enum atlas_status read_peak(struct shell_cmd *s, struct atlas_error *err)
{
	FILE *f = fopen(s->stats, "r");
	char line[256];
	unsigned long long rss = 0;
	int found = 0;

	while (f && !found && fgets(line, sizeof line, f))
		found = sscanf(line, "peak_rss %llu", &rss) == 1;
	if (f)
		fclose(f);
	if (!found)
		return bench_fail(err, ATLAS_ERR_IO,
				  "%s: no peak_rss in atlas-run --stats",
				  s->what);
	if ((double)rss > s->peak_rss)
		s->peak_rss = (double)rss;
	return ATLAS_OK;
}

static enum atlas_status run_sh(void *arg, struct atlas_error *err)
{
	struct shell_cmd *s = arg;
	enum atlas_status rc = bench_sh(s->what, s->cmd, s->errs, err);

	return rc == ATLAS_OK && s->stats ? read_peak(s, err) : rc;
}

static void shell_cmd_init(struct shell_cmd *s, const struct stream_env *v,
			   const char *what, const char *pipeline)
{
	s->what = what;
	s->errs = v->errs;
	s->stats = NULL;
	s->peak_rss = 0;
	snprintf(s->cmd, sizeof s->cmd, "{ %s; } 2> %s", pipeline, v->err_q);
}

static enum atlas_status pipelines(struct bench_ctx *c, struct stream_env *v)
{
	const uint64_t size = c->o->quick ? FILE_QUICK : FILE_FULL;
	char path[4200], line[12500];
	struct shell_cmd a, b;
	struct bench_stat sa, sb;
	struct atlas_measure m;
	enum atlas_status rc;

	snprintf(path, sizeof path, "%s/data.f32", v->dir);
	if ((rc = write_data(path, size, c->err)) != ATLAS_OK)
		return rc;
	snprintf(line, sizeof line, "cat %s | %s relu | cat > /dev/null",
		 v->data, v->run);
	shell_cmd_init(&a, v, "cat FILE | atlas-run relu | cat", line);
	snprintf(line, sizeof line, "cat %s | cat | cat > /dev/null", v->data);
	shell_cmd_init(&b, v, "cat FILE | cat | cat", line);
	rc = bench_pair(c, run_sh, &a, run_sh, &b, &sa, &sb);
	unlink(path);
	if (rc != ATLAS_OK)
		return rc;
	bench_measure(&m, c, a.what, size, "bytes", &sa);
	bench_rate(&m, (double)size / sa.median, "GB/s", &sb, "cat");
	if (!bench_emit(c, &m)) {
		bench_measure(&m, c, b.what, size, "bytes", &sb);
		bench_rate(&m, (double)size / sb.median, "GB/s", NULL, NULL);
		bench_emit(c, &m);
	}
	return ATLAS_OK;
}

struct copy {
	void *dst, *src;
	size_t n;
};

static enum atlas_status run_copy(void *arg, struct atlas_error *err)
{
	struct copy *k = arg;

	(void)err;
	memcpy(k->dst, k->src, k->n);
	/* keep the copy from being optimised away */
	__asm__ volatile("" : : "r"(k->dst) : "memory");
	return ATLAS_OK;
}

/* memcpy bandwidth, counting the bytes read and written. */
static enum atlas_status copy_rate(struct bench_ctx *c)
{
	struct copy k = {.n = c->o->quick ? COPY_QUICK : COPY_FULL};
	struct bench_stat s;
	struct atlas_measure m;
	enum atlas_status rc = ATLAS_ERR_NOMEM;

	k.src = malloc(k.n);
	k.dst = malloc(k.n);
	if (k.src && k.dst) {
		memset(k.src, 1, k.n);
		memset(k.dst, 0, k.n);
		rc = bench_pair(c, run_copy, &k, NULL, NULL, &s, NULL);
	} else {
		bench_fail(c->err, rc, "out of memory");
	}
	free(k.src);
	free(k.dst);
	if (rc != ATLAS_OK)
		return rc;
	bench_measure(&m, c, "memcpy (read + write)", k.n, "bytes", &s);
	bench_rate(&m, 2.0 * (double)k.n / s.median, "GB/s", NULL, NULL);
	bench_emit(c, &m);
	return ATLAS_OK;
}

/*
 * Peak RSS and amplification of atlas-run relu over size bytes, as
 * atlas-run --stats reports it (its own getrusage: the RSS of a process
 * spawned from this one would count this one's, which exec inherits).
 */
static enum atlas_status rss_one(struct bench_ctx *c, struct stream_env *v,
				 uint64_t size)
{
	char line[12800];
	struct shell_cmd s;
	struct bench_stat st;
	struct atlas_measure m;
	enum atlas_status rc;

	snprintf(line, sizeof line,
		 "head -c %llu /dev/zero | %s relu --stats > /dev/null 2> %s",
		 (unsigned long long)size, v->run, v->stats_q);
	shell_cmd_init(&s, v, "head -c N /dev/zero | atlas-run relu", line);
	s.stats = v->stats;
	if ((rc = bench_pair(c, run_sh, &s, NULL, NULL, &st, NULL)) != ATLAS_OK)
		return rc;
	bench_measure(&m, c, "atlas-run relu peak RSS", size, "bytes", &st);
	bench_rate(&m, s.peak_rss / 1024, "KiB", NULL, NULL);
	if (bench_emit(c, &m))
		return ATLAS_OK;
	bench_measure(&m, c, "atlas-run relu amplification", size, "bytes",
		      &st);
	bench_rate(&m, s.peak_rss > 0 ? (double)size / s.peak_rss : 0, "x",
		   NULL, NULL);
	bench_emit(c, &m);
	return ATLAS_OK;
}

static enum atlas_status stream_all(struct bench_ctx *c, struct stream_env *v)
{
	const uint64_t *rs = c->o->quick ? rss_quick : rss_full;
	enum atlas_status rc;

	if ((rc = env_paths(v, c->o->bindir, c->err)) != ATLAS_OK)
		return rc;
	rc = pipelines(c, v);
	if (rc == ATLAS_OK && !c->stop)
		rc = copy_rate(c);
	for (size_t i = 0; i < 2 && rc == ATLAS_OK && !c->stop; i++)
		rc = rss_one(c, v, rs[i]);
	return rc;
}

enum atlas_status bench_stream(struct bench_ctx *c)
{
	struct stream_env *v;
	enum atlas_status rc;

	if (!c->o->bindir)
		return bench_fail(c->err, ATLAS_ERR_ARG,
				  "the stream suite needs the directory of "
				  "atlas-run");
	if (!(v = calloc(1, sizeof *v)))
		return bench_fail(c->err, ATLAS_ERR_NOMEM, "out of memory");
	rc = bench_tmpdir(v->dir, sizeof v->dir, c->err);
	if (rc == ATLAS_OK) {
		rc = stream_all(c, v);
		bench_tmpdir_remove(v->dir);
	}
	free(v);
	return rc;
}
