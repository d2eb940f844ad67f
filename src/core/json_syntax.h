/*
 * json_syntax.h: a strict RFC 8259 syntax check run before json-c.
 *
 * Internal to the core. json-c 0.16 even in strict mode accepts NaN,
 * Infinity, single-quoted strings, raw control characters in strings and
 * numbers like "1.", and silently cuts object keys at an escaped NUL. This
 * scanner rejects all of that without allocating, bounds the nesting depth
 * before json-c recurses, and validates UTF-8.
 */
#ifndef SO_JSON_SYNTAX_H
#define SO_JSON_SYNTAX_H

#include <stddef.h>

#include "so_error.h"

/*
 * Check that json[0..len) is exactly one JSON value with optional whitespace
 * around it, nested at most max_depth deep. On success returns SO_OK and sets
 * *first to the first byte of the value ('{', '[', '"', ...). On failure fills
 * err (path "", the byte offset in the message, `what` in expected).
 */
int			so_json_check_syntax(const char *json, size_t len, int max_depth,
								 const char *what, char *first, so_error *err);

/*
 * Render up to max bytes of json[0..len) as a quoted, printable-ASCII
 * snippet into buf (size bufsize) for an error's "found".
 */
void		so_json_snippet(const char *json, size_t len, size_t max,
							char *buf, size_t bufsize);

#endif							/* SO_JSON_SYNTAX_H */
