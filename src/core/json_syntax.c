/*
 * json_syntax.c: a strict RFC 8259 syntax check run before json-c.
 *
 * Iterative, with a fixed-size stack, so that hostile nesting cannot exhaust
 * the C stack of a backend. See json_syntax.h for why json-c alone is not
 * enough.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json_syntax.h"
#include "json_read.h"

typedef struct scanner
{
	const unsigned char *s;
	size_t		len;
	size_t		pos;
	const char *problem;		/* set on the first error */
	so_errcode	code;
} scanner;

static bool
fail(scanner *sc, so_errcode code, const char *problem)
{
	sc->code = code;
	sc->problem = problem;
	return false;
}

static void
skip_ws(scanner *sc)
{
	while (sc->pos < sc->len)
	{
		unsigned char c = sc->s[sc->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		sc->pos++;
	}
}

static bool
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t		need;
	unsigned char lo = 0x80,
				hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;			/* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F;			/* no UTF-16 surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;			/* nothing above U+10FFFF */
	}
	else
		return 0;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need;
}

/* A string starting at the opening quote; key strings may not hold \u0000. */
static bool
scan_string(scanner *sc, bool is_key)
{
	sc->pos++;					/* opening quote */
	while (sc->pos < sc->len)
	{
		unsigned char c = sc->s[sc->pos];

		if (c == '"')
		{
			sc->pos++;
			return true;
		}
		if (c < 0x20)
			return fail(sc, SO_ERR_SYNTAX, "control character in a string (escape it)");
		if (c == '\\')
		{
			if (sc->pos + 1 >= sc->len)
				break;
			c = sc->s[sc->pos + 1];
			if (c == 'u')
			{
				if (sc->pos + 6 > sc->len)
					break;
				for (size_t i = 2; i < 6; i++)
					if (!is_hex(sc->s[sc->pos + i]))
						return fail(sc, SO_ERR_SYNTAX, "invalid \\u escape");
				/* json-c keeps keys as C strings and would cut them here */
				if (is_key && memcmp(sc->s + sc->pos + 2, "0000", 4) == 0)
					return fail(sc, SO_ERR_FORMAT, "an object key contains a NUL character (\\u0000)");
				sc->pos += 6;
				continue;
			}
			if (strchr("\"\\/bfnrt", c) == NULL || c == '\0')
				return fail(sc, SO_ERR_SYNTAX, "invalid escape in a string");
			sc->pos += 2;
			continue;
		}
		if (c >= 0x80)
		{
			size_t		n = utf8_seq_len(sc->s + sc->pos, sc->len - sc->pos);

			if (n == 0)
				return fail(sc, SO_ERR_SYNTAX, "invalid UTF-8 in a string");
			sc->pos += n;
			continue;
		}
		sc->pos++;
	}
	return fail(sc, SO_ERR_SYNTAX, "unterminated string");
}

static bool
scan_digits(scanner *sc)
{
	size_t		start = sc->pos;

	while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
		sc->pos++;
	return sc->pos > start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
scan_number(scanner *sc)
{
	if (sc->s[sc->pos] == '-')
		sc->pos++;
	if (sc->pos < sc->len && sc->s[sc->pos] == '0')
		sc->pos++;
	else if (!scan_digits(sc))
	{
		if (sc->pos < sc->len && (sc->s[sc->pos] == 'I' || sc->s[sc->pos] == 'i'))
			return fail(sc, SO_ERR_SYNTAX, "Infinity is not a JSON number");
		return fail(sc, SO_ERR_SYNTAX, "invalid number");
	}
	if (sc->pos < sc->len && sc->s[sc->pos] == '.')
	{
		sc->pos++;
		if (!scan_digits(sc))
			return fail(sc, SO_ERR_SYNTAX, "invalid number: digits must follow the decimal point");
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E'))
	{
		sc->pos++;
		if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
			sc->pos++;
		if (!scan_digits(sc))
			return fail(sc, SO_ERR_SYNTAX, "invalid number: digits must follow the exponent");
	}
	if (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
		return fail(sc, SO_ERR_SYNTAX, "invalid number: no leading zeros");
	return true;
}

static bool
scan_literal(scanner *sc, const char *word)
{
	size_t		n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
		return fail(sc, SO_ERR_SYNTAX, "unexpected character");
	sc->pos += n;
	return true;
}

static bool
scan_scalar(scanner *sc)
{
	unsigned char c = sc->s[sc->pos];

	switch (c)
	{
		case '"':
			return scan_string(sc, false);
		case 't':
			return scan_literal(sc, "true");
		case 'f':
			return scan_literal(sc, "false");
		case 'n':
			return scan_literal(sc, "null");
		case 'N':
			return fail(sc, SO_ERR_SYNTAX, "NaN is not a JSON number");
		case 'I':
			return fail(sc, SO_ERR_SYNTAX, "Infinity is not a JSON number");
		case '\'':
			return fail(sc, SO_ERR_SYNTAX, "strings must use double quotes");
		case '/':
			return fail(sc, SO_ERR_SYNTAX, "comments are not JSON");
		default:
			if (c == '-' || (c >= '0' && c <= '9'))
				return scan_number(sc);
			return fail(sc, SO_ERR_SYNTAX, "unexpected character");
	}
}

/* "key" then ':' with whitespace around; positioned before the key. */
static bool
scan_key(scanner *sc)
{
	skip_ws(sc);
	if (sc->pos >= sc->len)
		return fail(sc, SO_ERR_SYNTAX, "unexpected end of input");
	if (sc->s[sc->pos] != '"')
		return fail(sc, SO_ERR_SYNTAX, sc->s[sc->pos] == '\'' ?
					"strings must use double quotes" :
					"expected a double-quoted object key");
	if (!scan_string(sc, true))
		return false;
	skip_ws(sc);
	if (sc->pos >= sc->len)
		return fail(sc, SO_ERR_SYNTAX, "unexpected end of input");
	if (sc->s[sc->pos] != ':')
		return fail(sc, SO_ERR_SYNTAX, "expected ':' after an object key");
	sc->pos++;
	return true;
}

static bool
scan_document(scanner *sc, int max_depth, char *first)
{
	char		stack[SO_JSON_MAX_DEPTH];
	int			depth = 0;

	if (max_depth > SO_JSON_MAX_DEPTH)
		max_depth = SO_JSON_MAX_DEPTH;
	skip_ws(sc);
	if (sc->pos >= sc->len)
		return fail(sc, SO_ERR_SYNTAX, "empty document");
	*first = (char) sc->s[sc->pos];

	for (;;)
	{
		unsigned char c;

		/* at the start of a value */
		skip_ws(sc);
		if (sc->pos >= sc->len)
			return fail(sc, SO_ERR_SYNTAX, "unexpected end of input");
		c = sc->s[sc->pos];
		if (c == '{' || c == '[')
		{
			char		close = (c == '{') ? '}' : ']';

			if (depth >= max_depth)
				return fail(sc, SO_ERR_TOO_DEEP, "nested too deep");
			stack[depth++] = close;
			sc->pos++;
			skip_ws(sc);
			if (sc->pos < sc->len && sc->s[sc->pos] == (unsigned char) close)
			{
				sc->pos++;
				depth--;
			}
			else
			{
				if (c == '{' && !scan_key(sc))
					return false;
				continue;
			}
		}
		else if (!scan_scalar(sc))
			return false;

		/* a value is complete: close containers or move to the next value */
		for (;;)
		{
			skip_ws(sc);
			if (depth == 0)
			{
				if (sc->pos < sc->len)
					return fail(sc, SO_ERR_SYNTAX, "trailing characters after the document");
				return true;
			}
			if (sc->pos >= sc->len)
				return fail(sc, SO_ERR_SYNTAX, "unexpected end of input");
			c = sc->s[sc->pos];
			if (c == (unsigned char) stack[depth - 1])
			{
				sc->pos++;
				depth--;
				continue;
			}
			if (c != ',')
				return fail(sc, SO_ERR_SYNTAX, stack[depth - 1] == '}' ?
							"expected ',' or '}'" : "expected ',' or ']'");
			sc->pos++;
			if (stack[depth - 1] == '}' && !scan_key(sc))
				return false;
			skip_ws(sc);
			if (sc->pos < sc->len && (sc->s[sc->pos] == ']' || sc->s[sc->pos] == '}'))
				return fail(sc, SO_ERR_SYNTAX, "trailing comma");
			break;
		}
	}
}

void
so_json_snippet(const char *json, size_t len, size_t max, char *buf, size_t bufsize)
{
	size_t		o = 0;

	if (bufsize < 3)
	{
		if (bufsize > 0)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < len && i < max; i++)
	{
		unsigned char c = (unsigned char) json[i];

		if (o + 4 > bufsize)
			break;
		if (c == '"' || c == '\\')
			buf[o++] = '\\';
		buf[o++] = (c >= 0x20 && c < 0x7F) ? (char) c : '?';
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

int
so_json_check_syntax(const char *json, size_t len, int max_depth,
					 const char *what, char *first, so_error *err)
{
	scanner		sc;
	char		message[SO_ERR_TEXT_LEN];
	char		expected[SO_ERR_TEXT_LEN];
	char		found[SO_ERR_FOUND_LEN];

	/* even NULL + 0 is undefined behavior */
	sc.s = (const unsigned char *) (json != NULL ? json : "");
	sc.len = (json == NULL) ? 0 : len;
	sc.pos = 0;
	sc.problem = NULL;
	sc.code = SO_OK;
	*first = '\0';

	if (scan_document(&sc, max_depth, first))
		return SO_OK;

	/* the glue's message names the document; `what` goes into the hint */
	if (sc.code == SO_ERR_TOO_DEEP)
	{
		snprintf(message, sizeof(message),
				 "objects and arrays nested more than %d deep at byte %zu",
				 max_depth, sc.pos);
		snprintf(expected, sizeof(expected),
				 "%s with at most %d levels of nested objects and arrays",
				 what, max_depth);
	}
	else
	{
		snprintf(message, sizeof(message), "not valid JSON: %s at byte %zu",
				 sc.problem, sc.pos);
		snprintf(expected, sizeof(expected),
				 "%s as one JSON object (strict RFC 8259: double quotes, no NaN or Infinity, no comments, nothing after it)",
				 what);
	}
	so_json_snippet((const char *) sc.s + sc.pos, sc.len - sc.pos, 24,
					found, sizeof(found));
	return so_error_set(err, sc.code, "", message, expected, found);
}
