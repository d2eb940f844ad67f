/*
 * test_sql_text.c: the core's SQL text: literals, numbers, the buffer.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sql_text.h"
#include "sql_lexer.h"
#include "tap.h"

/* The buffer's text is want, or (want NULL) the buffer refused its value. */
static void
sql_is(so_sql *s, const char *want, const char *what)
{
	char	   *got = so_sql_take(s);

	if (want == NULL)
		ok(got == NULL, "%s: refused", what);
	else
		is_str(got != NULL ? got : "(refused)", want, "%s", what);
	free(got);
}

static void
literal_is(const char *value, size_t len, const char *want, const char *what)
{
	so_sql		s;

	so_sql_init(&s);
	so_sql_literal(&s, value, len);
	sql_is(&s, want, what);
}

#define LIT(v, want) literal_is((v), strlen(v), (want), #v)

static void
test_literals(void)
{
	/* PostgreSQL's rules: '' doubles a quote; with a backslash, E'' and \\ */
	LIT("abc", "'abc'");
	LIT("", "''");
	LIT("O'Brien", "'O''Brien'");
	LIT("''", "''''''");
	LIT("a\\b", "E'a\\\\b'");
	LIT("\\", "E'\\\\'");
	LIT("'\\", "E'''\\\\'");
	LIT("\\'; DROP TABLE x; --", "E'\\\\''; DROP TABLE x; --'");
	LIT("$$", "'$$'");
	LIT("/* c */ -- d", "'/* c */ -- d'");
	LIT("caf\xc3\xa9", "'caf\xc3\xa9'");
	literal_is("a\0b", 3, NULL, "embedded NUL");
	literal_is("\0", 1, NULL, "lone NUL");

	/* every literal reads back whole: the lexer sees one literal and nothing else */
	{
		const char *values[] = {"x", "'", "\\", "'\\'", "\\\\''", "E'", "e'x", "''''", "a'b\\c'd"};

		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		{
			so_sql		s;
			char	   *sql,
					   *rest;

			so_sql_init(&s);
			so_sql_append(&s, "SELECT ");
			so_sql_literal(&s, values[i], strlen(values[i]));
			so_sql_append(&s, " AS v");
			sql = so_sql_take(&s);
			rest = sql != NULL ? sql_outside_literals(sql) : NULL;
			is_str(rest != NULL ? rest : "(open literal)", "SELECT ? AS v",
				   "literal of [%s] is closed where it should be", values[i]);
			free(rest);
			free(sql);
		}
	}
}

static void
number_is(double v, const char *want, const char *what)
{
	so_sql		s;

	so_sql_init(&s);
	so_sql_number(&s, v);
	sql_is(&s, want, what);
}

static void
test_numbers(void)
{
	char		buf[40];

	number_is(0, "0", "zero");
	number_is(-0.0, "0", "negative zero prints as 0");
	number_is(0.1, "0.1", "0.1 with the fewest digits");
	number_is(0.3, "0.3", "0.3");
	number_is(75, "75", "whole number");
	number_is(-0.5, "(-0.5)", "negative numbers are parenthesised");
	number_is(100000, "100000", "100000");
	number_is(1e300, "1e+300", "large");
	number_is(1.0 / 3, "0.3333333333333333", "a third reads back exactly");
	number_is(NAN, NULL, "NaN");
	number_is(INFINITY, NULL, "infinity");
	number_is(-INFINITY, NULL, "minus infinity");

	{
		int			exact = 1;

		for (int i = 0; i < 100000; i++)
		{
			double		v = (i - 50000) * 0.0137 + i * 1e-9;

			so_format_double(v, buf, sizeof(buf));
			if (strtod(buf, NULL) != v)
				exact = 0;
		}
		ok(exact, "100,000 doubles read back exactly");
	}
}

static void
decimal_is(const char *text, double fallback, const char *want, const char *what)
{
	so_sql		s;

	so_sql_init(&s);
	so_sql_decimal(&s, text, fallback);
	sql_is(&s, want, what);
}

static void
test_decimals(void)
{
	decimal_is("0.33333333333333334", 0, "0.33333333333333334", "the text as written, beyond a double's digits");
	decimal_is("100.0000000000000000001", 100, "100.0000000000000000001", "more digits than a double keeps");
	decimal_is("-0.5", -0.5, "(-0.5)", "negative text is parenthesised");
	decimal_is("1e-7", 1e-7, "1e-7", "exponents pass");
	decimal_is("", 0.25, "0.25", "no text: the double");
	decimal_is("1;DROP", 1, NULL, "anything but a number is refused");
	decimal_is("1 OR 1=1", 1, NULL, "spaces are refused");
	decimal_is("'1'", 1, NULL, "quotes are refused");
}

static void
test_buffer(void)
{
	so_sql		s;
	char	   *text;

	so_sql_init(&s);
	text = so_sql_take(&s);
	is_str(text, "", "an empty buffer gives empty text");
	free(text);

	so_sql_init(&s);
	for (int i = 0; i < 10000; i++)
		so_sql_appendf(&s, "%d,", i);
	text = so_sql_take(&s);
	ok(text != NULL && strlen(text) == 48890, "appends grow the buffer");
	ok(text != NULL && strncmp(text, "0,1,2,", 6) == 0, "and keep the order");
	free(text);

	/* appendf: only %s (copied without printf), mixed (printf), growing past the room */
	{
		char		big[1001];

		memset(big, 'z', 1000);
		big[1000] = '\0';
		so_sql_init(&s);
		so_sql_appendf(&s, "a%sb%sc", "x", "");
		so_sql_appendf(&s, "[%s]", big);
		so_sql_appendf(&s, "%s=%d;%zu%%", "n", -7, (size_t) 12);
		so_sql_appendf(&s, "%5s|", "ab");
		text = so_sql_take(&s);
		ok(text != NULL && strncmp(text, "axbc[z", 6) == 0 && strlen(text) == 4 + 1002 + 8 + 6,
		   "appendf with %%s only, past the buffer's room, then printf's conversions");
		ok(text != NULL && strcmp(text + 4 + 1002, "n=-7;12%   ab|") == 0,
		   "... %%d, %%zu, %%%% and a width still go through printf");
		free(text);
	}

	so_sql_init(&s);
	so_sql_append(&s, "a");
	so_sql_literal(&s, "x\0y", 3);
	so_sql_append(&s, "b");
	ok(s.failed, "a refused value marks the buffer failed");
	ok(so_sql_take(&s) == NULL, "and nothing is handed over");
}

int
main(void)
{
	test_literals();
	test_numbers();
	test_decimals();
	test_buffer();
	/* a length whose doubled worst case would wrap around (issue 16): refused before any byte is read */
	{
		so_sql		s;
		char		value[4] = {'a', 'b', 'c', 'd'};	/* no NUL: nothing past it may be read */

		so_sql_init(&s);
		so_sql_literal(&s, value, SIZE_MAX / 2 + 10);
		sql_is(&s, NULL, "a literal of SIZE_MAX / 2 + 10 bytes");
	}
	/* an allocation that fails: the buffer refuses, the next one works */
	{
		so_sql		s;

		so_sql_init(&s);
		so_sql_fail_allocation(1);
		so_sql_append(&s, "SELECT 1");
		sql_is(&s, NULL, "an append whose allocation fails");
		so_sql_append(&s, "SELECT 2");
		sql_is(&s, "SELECT 2", "the next buffer allocates again");
	}

	return done_testing();
}
