/*
 * sql_text.c: growable SQL text, literal quoting and number printing.
 *
 * Failure modes: a buffer whose allocation fails, or whose size would
 * overflow, is marked failed: later appends do nothing and so_sql_take
 * returns NULL, so a caller checks once at the end. Tests can make any
 * allocation fail (so_sql_fail_allocation) to walk every such path.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal_text.h"
#include "sql_text.h"

/* Tests only (so_sql_fail_allocation): allocations left before one fails, and attempts. */
static unsigned long fail_countdown = 0;
static unsigned long attempts = 0;

void
so_sql_fail_allocation(unsigned long n)
{
	fail_countdown = n;
	attempts = 0;
}

unsigned long
so_sql_allocation_attempts(void)
{
	return attempts;
}

/* Whether this allocation is the one a test asked to fail. */
static bool
injected_failure(void)
{
	attempts++;
	return fail_countdown > 0 && --fail_countdown == 0;
}

void
so_sql_init(so_sql *s)
{
	s->data = NULL;
	s->len = 0;
	s->cap = 0;
	s->failed = false;
}

void
so_sql_free(so_sql *s)
{
	free(s->data);
	so_sql_init(s);
}

char *
so_sql_take(so_sql *s)
{
	char	   *text = s->data;

	if (s->failed)
	{
		so_sql_free(s);
		return NULL;
	}
	if (text == NULL)
		text = injected_failure() ? NULL : calloc(1, 1);
	so_sql_init(s);
	return text;
}

/* Room for `more` bytes plus the terminating NUL. */
static bool
reserve(so_sql *s, size_t more)
{
	size_t		need;
	char	   *grown;
	size_t		cap;

	if (s->failed)
		return false;
	if (more > SIZE_MAX / 2 - s->len)
	{
		s->failed = true;
		return false;
	}
	need = s->len + more + 1;
	if (need <= s->cap)
		return true;
	cap = s->cap < 256 ? 256 : s->cap;
	while (cap < need)
		cap *= 2;
	grown = injected_failure() ? NULL : realloc(s->data, cap);
	if (grown == NULL)
	{
		s->failed = true;
		return false;
	}
	s->data = grown;
	s->cap = cap;
	return true;
}

static void
append_bytes(so_sql *s, const char *bytes, size_t n)
{
	if (!reserve(s, n))
		return;
	memcpy(s->data + s->len, bytes, n);
	s->len += n;
	s->data[s->len] = '\0';
}

void
so_sql_append(so_sql *s, const char *text)
{
	append_bytes(s, text, strlen(text));
}

/* Whether fmt's only conversions are %s (no flags, width or precision). */
static bool
only_string_directives(const char *fmt)
{
	for (const char *f = strchr(fmt, '%'); f != NULL; f = strchr(f + 2, '%'))
		if (f[1] != 's')
			return false;
	return true;
}

/* fmt with each %s replaced by the next argument: measured, reserved once, copied. */
static void
append_strings(so_sql *s, const char *fmt, va_list ap)
{
	va_list		measure;
	size_t		total = 0;
	const char *f;

	va_copy(measure, ap);
	for (f = fmt; *f != '\0'; f++)
		if (f[0] == '%' && f[1] == 's')
		{
			const char *arg = va_arg(measure, const char *);

			total += strlen(arg != NULL ? arg : "(null)");
			f++;
		}
		else
			total++;
	va_end(measure);
	if (!reserve(s, total))
		return;
	for (f = fmt; *f != '\0'; f++)
		if (f[0] == '%' && f[1] == 's')
		{
			const char *arg = va_arg(ap, const char *);
			size_t		len;

			if (arg == NULL)
				arg = "(null)";
			len = strlen(arg);
			memcpy(s->data + s->len, arg, len);
			s->len += len;
			f++;
		}
		else
			s->data[s->len++] = *f;
	s->data[s->len] = '\0';
}

void
so_sql_appendf(so_sql *s, const char *fmt,...)
{
	va_list		ap;
	int			n;

	/* only %s directives (most of the compiler's): copied, no printf */
	if (only_string_directives(fmt))
	{
		va_start(ap, fmt);
		append_strings(s, fmt, ap);
		va_end(ap);
		return;
	}
	/* one pass when the text fits the room already there (most appends) */
	if (s->failed)
		return;
	if (s->data != NULL && s->cap - s->len > 1)
	{
		va_start(ap, fmt);
		n = vsnprintf(s->data + s->len, s->cap - s->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t) n < s->cap - s->len)
		{
			s->len += (size_t) n;
			return;
		}
		s->data[s->len] = '\0';	/* the cut-off attempt is not part of the text */
	}
	else
	{
		va_start(ap, fmt);
		n = vsnprintf(NULL, 0, fmt, ap);
		va_end(ap);
	}
	if (n < 0 || !reserve(s, (size_t) n))
	{
		s->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(s->data + s->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t) n;
}

void
so_sql_literal(so_sql *s, const char *value, size_t len)
{
	bool		backslash = false;

	/* worst case below: every byte doubled, plus E'' (and 2 * len + 3 must not wrap) */
	if (len > (SIZE_MAX - 3) / 2 || memchr(value, '\0', len) != NULL)
	{
		s->failed = true;
		return;
	}
	backslash = memchr(value, '\\', len) != NULL;
	if (!reserve(s, 2 * len + 3))
		return;
	if (backslash)
		s->data[s->len++] = 'E';
	s->data[s->len++] = '\'';
	for (size_t i = 0; i < len; i++)
	{
		char		c = value[i];

		if (c == '\'' || (c == '\\' && backslash))
			s->data[s->len++] = c;
		s->data[s->len++] = c;
	}
	s->data[s->len++] = '\'';
	s->data[s->len] = '\0';
}

void
so_format_double(double value, char *buf, size_t size)
{
	/* 15 significant digits read back exactly for most values; 17 always do */
	for (int digits = 15; digits <= 17; digits++)
	{
		snprintf(buf, size, "%.*g", digits, value);
		if (strtod(buf, NULL) == value)
			return;
	}
}

void
so_sql_number(so_sql *s, double value)
{
	char		buf[40];

	if (!isfinite(value))
	{
		s->failed = true;
		return;
	}
	if (value == 0)
		value = 0;				/* -0 prints as 0 */
	so_format_double(value, buf, sizeof(buf));
	/* parenthesised so that a negative number is never read as an operator */
	so_sql_appendf(s, value < 0 ? "(%s)" : "%s", buf);
}

void
so_sql_integer(so_sql *s, int64_t value)
{
	so_sql_appendf(s, value < 0 ? "(%lld)" : "%lld", (long long) value);
}

void
so_sql_decimal(so_sql *s, const char *text, double value)
{
	if (text == NULL || text[0] == '\0')
	{
		so_sql_number(s, value);
		return;
	}
	/* only a number in JSON's grammar may reach the statement */
	if (!so_is_json_number(text))
	{
		s->failed = true;
		return;
	}
	so_sql_appendf(s, text[0] == '-' ? "(%s)" : "%s", text);
}
