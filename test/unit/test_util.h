/*
 * test_util.h: small helpers shared by the core's unit tests (header-only).
 *
 * Test documents are written with ' for " so that they stay readable in C;
 * sq() turns them into JSON. Every helper aborts on out-of-memory: a test
 * that cannot allocate has nothing useful to report.
 */
#ifndef SO_TEST_UTIL_H
#define SO_TEST_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void *
xmalloc(size_t n)
{
	void	   *p = malloc(n > 0 ? n : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		abort();
	}
	return p;
}

/* A malloc'd copy of s with every ' replaced by ". */
static inline char *
sq(const char *s)
{
	size_t		n = strlen(s);
	char	   *c = xmalloc(n + 1);

	for (size_t i = 0; i <= n; i++)
		c[i] = (s[i] == '\'') ? '"' : s[i];
	return c;
}

/* A malloc'd printf; ' in the result is not translated. */
static inline char *
fmt(const char *f, ...)
{
	va_list		ap;
	int			n;
	char	   *s;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0)
		abort();
	s = xmalloc((size_t) n + 1);
	va_start(ap, f);
	vsnprintf(s, (size_t) n + 1, f, ap);
	va_end(ap);
	return s;
}

/* A malloc'd string of n copies of unit. */
static inline char *
repeat(const char *unit, size_t n)
{
	size_t		u = strlen(unit);
	char	   *s = xmalloc(u * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

/* A description for TAP: the document, shortened, with its test line. */
static inline const char *
describe(char *buf, size_t size, int line, const char *doc)
{
	size_t		n;

	if (doc == NULL)
		doc = "(null)";
	n = strlen(doc);
	if (n > 70)
		snprintf(buf, size, "line %d: %.60s...(%zu bytes)", line, doc, n);
	else
		snprintf(buf, size, "line %d: %s", line, doc);
	/* keep TAP lines intact */
	for (char *c = buf; *c != '\0'; c++)
		if ((unsigned char) *c < 0x20 || *c == '#')
			*c = '?';
	return buf;
}

#endif							/* SO_TEST_UTIL_H */
