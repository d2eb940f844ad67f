/*
 * json_read.h: strict JSON intake and typed, path-aware reads over json-c.
 *
 * Shared by every parser of the core so that all of them agree on what a
 * number, an integer, a string or an array is, and report errors the same way.
 */
#ifndef SO_JSON_READ_H
#define SO_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "so_error.h"

/* Deeper documents are rejected; the deepest valid rule (a MultiPolygon position) is 7. */
#define SO_JSON_MAX_DEPTH 32
/* Longest string value accepted anywhere. */
#define SO_JSON_MAX_STRING 256
/* Most elements accepted in any one array. */
#define SO_JSON_MAX_ARRAY 100000

/*
 * Parse len bytes of JSON strictly (RFC 8259: no NaN/Infinity, no trailing
 * text, no comments). Returns the root object (caller frees with
 * json_object_put) or NULL with err filled. `what` names the document in
 * messages, e.g. "targeting_rules".
 */
struct json_object *so_json_parse(const char *json, size_t len, const char *what,
								  so_error *err);

/*
 * The limits so_json_parse checks after parsing (key and string lengths,
 * array sizes, finite numbers), for a tree built another way; SO_OK or the
 * error so_json_parse would have given for the same tree.
 */
int			so_json_check_limits(struct json_object *root, so_error *err);

/* A growable dotted path like "similarity.reference_property_ids[3]". */
typedef struct so_path
{
	char		buf[SO_ERR_PATH_LEN];
	size_t		len;
} so_path;

void		so_path_init(so_path *p);
/* Appends ".key" (or "key" at the root); returns the previous length for so_path_pop. */
size_t		so_path_push_key(so_path *p, const char *key);
/* Appends "[i]"; returns the previous length. */
size_t		so_path_push_index(so_path *p, size_t i);
void		so_path_pop(so_path *p, size_t previous_len);
/* Resets p to the given path (NULL or "" for the document itself). */
void		so_path_set(so_path *p, const char *path);

/* The value rendered as JSON for an error's "found" (truncated by so_error_set). */
const char *so_json_render(struct json_object *v);

/* A JSON type name for messages: "null", "boolean", "number", "string", "array", "object". */
const char *so_json_type_name(struct json_object *v);

/*
 * Typed reads. Each fills err at path p on failure (naming `expected`).
 * Numbers must be finite; integers may be written 10 or 10.0 but not 10.5.
 */
int			so_read_number(struct json_object *v, const so_path *p, double min,
						   double max, const char *expected, double *out,
						   so_error *err);
int			so_read_integer(struct json_object *v, const so_path *p, int64_t min,
							int64_t max, const char *expected, int64_t *out,
							so_error *err);
int			so_read_bool(struct json_object *v, const so_path *p,
						 const char *expected, bool *out, so_error *err);
/*
 * The text of a JSON number as written in the document, into buf (size
 * bytes); "" when it does not fit or is not a plain JSON number.
 */
void		so_json_number_text(struct json_object *v, char *buf, size_t size);

/* A non-empty string of at most SO_JSON_MAX_STRING bytes, no NUL inside. Not copied. */
int			so_read_string(struct json_object *v, const so_path *p,
						   const char *expected, const char **out, size_t *outlen,
						   so_error *err);

/* Checks the object's keys against a NULL-terminated list of known keys. */
int			so_check_known_keys(struct json_object *obj, const so_path *p,
								const char *const *known, const char *expected,
								so_error *err);

/* The value of key in obj, NULL when obj is NULL or has no such key. */
struct json_object *so_json_get_key(struct json_object *obj, const char *key);

#endif							/* SO_JSON_READ_H */
