/*
 * tap.h - a tiny Test Anything Protocol emitter for the C unit tests.
 * Each test program prints "ok N - name" / "not ok N - name" lines and a
 * final plan; prove(1) reads them.  Header-only: include it once per test.
 */
#ifndef ATLAS_TAP_H
#define ATLAS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static int ok(int cond, const char *fmt,
						    ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

/* A diagnostic line, shown by prove -v and on failure. */
__attribute__((format(printf, 1, 2))) static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define is_str(got, want, name)                                                \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (!ok(g_ && strcmp(g_, w_) == 0, "%s", name))                \
			diag("got '%s', want '%s'", g_ ? g_ : "(null)", w_);   \
	} while (0)

#define is_int(got, want, name)                                                \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		if (!ok(g_ == w_, "%s", name))                                 \
			diag("got %lld, want %lld", g_, w_);                   \
	} while (0)

/* Print the plan; the exit status says whether everything passed. */
static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* ATLAS_TAP_H */
