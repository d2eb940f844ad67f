/*
 * tap.h: a tiny header-only TAP producer for the core's unit tests.
 *
 *   ok(cond, fmt, ...)          pass when cond is true
 *   is_int(got, want, fmt, ...) pass when the integers are equal
 *   is_str(got, want, fmt, ...) pass when the strings are equal (NULL == NULL)
 *   return done_testing();      prints the plan "1..N"; exit status 1 if any failed
 *
 * Failures print the file, line, and got/want values as TAP diagnostics.
 */
#ifndef SO_TAP_H
#define SO_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int	tap_count = 0;
static int	tap_failed = 0;

static inline void
tap_vreport(int pass, const char *file, int line, const char *fmt, va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass)
		printf("#   Failed test at %s line %d.\n", file, line);
}

static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	tap_vreport(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int
tap_is_int(long long got, long long want, const char *file, int line,
		   const char *fmt, ...)
{
	va_list		ap;
	int			pass = (got == want);

	va_start(ap, fmt);
	tap_vreport(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return pass;
}

static inline int
tap_is_str(const char *got, const char *want, const char *file, int line,
		   const char *fmt, ...)
{
	va_list		ap;
	int			pass;

	if (got == NULL || want == NULL)
		pass = (got == want);
	else
		pass = (strcmp(got, want) == 0);
	va_start(ap, fmt);
	tap_vreport(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#          got: '%s'\n#     expected: '%s'\n",
			   got ? got : "(null)", want ? want : "(null)");
	return pass;
}

#define ok(cond, ...) tap_ok((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long long) (got), (long long) (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* Diagnostics that do not count as tests. */
#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed > 0)
		printf("# Looks like you failed %d test%s of %d.\n", tap_failed,
			   tap_failed == 1 ? "" : "s", tap_count);
	fflush(stdout);
	return tap_failed > 0 ? 1 : 0;
}

#endif							/* SO_TAP_H */
