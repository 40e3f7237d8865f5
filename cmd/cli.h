/*
 * cli.h - what the programs share: fatal messages in the STYLE.md shape,
 * closing stdout, and getopt_long's errors.  Header-only, included once by
 * each cmd/atlas-*.c after it defines PROG.  These functions exit the
 * process, which only programs may do (STYLE.md rule 10).  A program may
 * define CLI_CLEANUP() to run before any exit (atlas-compile removes its
 * temporary output file).
 */
#ifndef ATLAS_CLI_H
#define ATLAS_CLI_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CLI_CLEANUP
#define CLI_CLEANUP() ((void)0)
#endif

/*
 * Print "PROG: MESSAGE" and exit with status; status 2 (a usage error)
 * adds the "Try" line.
 */
__attribute__((noreturn, format(printf, 2, 3))) static inline void
die(int status, const char *fmt, ...)
{
	va_list ap;

	CLI_CLEANUP();
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (status == 2)
		fputs("Try '" PROG " --help' for more information.\n", stderr);
	exit(status);
}

/* A write to stdout failed with errno e: EPIPE dies of SIGPIPE, quietly. */
__attribute__((noreturn)) static inline void write_error(int e)
{
	if (e == EPIPE) {
		CLI_CLEANUP();
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	die(1, "write error: %s", strerror(e));
}

/* Close stdout before exiting; a failure is a write error. */
static inline void close_stdout(void)
{
	if (fclose(stdout) != 0 && errno != EBADF)
		write_error(errno);
}

/*
 * getopt_long returned ':' (missing argument) or '?' (unknown option) for
 * the word arg: a usage error.
 */
__attribute__((noreturn)) static inline void option_error(int c,
							  const char *arg)
{
	if (c == ':' && strncmp(arg, "--", 2) == 0)
		die(2, "option '%.*s' requires an argument",
		    (int)strcspn(arg, "="), arg);
	if (c == ':')
		die(2, "option '-%c' requires an argument", optopt);
	/* "--help=1": glibc sets optopt to the option's value */
	if (optopt && strncmp(arg, "--", 2) == 0)
		die(2, "option '%.*s' takes no argument",
		    (int)strcspn(arg, "="), arg);
	if (optopt)
		die(2, "unknown option '-%c'", optopt);
	die(2, "unknown option '%s'", arg);
}

#endif /* ATLAS_CLI_H */
