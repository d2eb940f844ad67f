/*
 * so_error.h: errors as values for the pure-C core.
 *
 * The core never longjmps and never prints: every parser returns an so_error
 * that the PostgreSQL glue turns into ereport(ERROR) with SQLSTATE 22023,
 * DETAIL naming the JSON path and HINT saying what is accepted.
 * Fixed-size buffers keep the error free of heap memory, so nothing can leak
 * between the moment it is filled and the moment the glue raises it.
 */
#ifndef SO_ERROR_H
#define SO_ERROR_H

#include <stddef.h>

typedef enum so_errcode
{
	SO_OK = 0,
	SO_ERR_SYNTAX,				/* not JSON at all, or trailing garbage */
	SO_ERR_TOO_DEEP,			/* nesting beyond SO_JSON_MAX_DEPTH */
	SO_ERR_TYPE,				/* wrong JSON type */
	SO_ERR_UNKNOWN_KEY,			/* a section or key we do not know */
	SO_ERR_RANGE,				/* a number outside its range, or not finite */
	SO_ERR_EMPTY,				/* an empty array or string where one is required */
	SO_ERR_FORMAT,				/* a string of the wrong shape (ZIP, GEOID, window...) */
	SO_ERR_MISSING,				/* a required key is absent */
	SO_ERR_CONFLICT,			/* keys valid alone but not together */
	SO_ERR_TOO_LARGE,			/* more elements or characters than we accept */
	SO_ERR_INTERRUPTED			/* the caller asked a long computation to stop */
} so_errcode;

#define SO_ERR_PATH_LEN 256
#define SO_ERR_TEXT_LEN 256
#define SO_ERR_FOUND_LEN 96

typedef struct so_error
{
	so_errcode	code;
	char		path[SO_ERR_PATH_LEN];	/* e.g. "physics.min_sii_score", "geography.zips[2]";
										 * "" means the document itself */
	char		message[SO_ERR_TEXT_LEN];	/* short problem statement */
	char		expected[SO_ERR_TEXT_LEN];	/* what is accepted here (becomes the HINT) */
	char		found[SO_ERR_FOUND_LEN];	/* the offending value, JSON-rendered, truncated */
} so_error;

/* A short stable name of the code ("type", "range", ...), for tests and logs. */
const char *so_errcode_name(so_errcode code);

/* Reset err to SO_OK with empty strings. */
void		so_error_clear(so_error *err);

/*
 * Fill err; returns code so callers can write `return so_error_set(...)`.
 * path, expected and found may be NULL. Every string is truncated to fit
 * (with "..." when cut) and never overflows.
 */
int			so_error_set(so_error *err, so_errcode code, const char *path,
						 const char *message, const char *expected,
						 const char *found);

#endif							/* SO_ERROR_H */
