/*
 * json_read.c: strict JSON intake and typed, path-aware reads over json-c.
 *
 * Intake runs in three passes: a strict syntax scan (json_syntax.c), json-c
 * to build the tree, then a walk that enforces the limits every parser
 * relies on (finite numbers, string and array sizes, no NUL in strings), so
 * that no section parser can forget one of them.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "decimal_text.h"
#include "json_read.h"
#include "json_syntax.h"

#define RENDER_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---- paths ---- */

void
so_path_init(so_path *p)
{
	p->buf[0] = '\0';
	p->len = 0;
}

/*
 * Append s; a path that does not fit ends in "..." and stays that way until
 * popped, so that deep or long paths degrade instead of overflowing.
 */
static void
path_append(so_path *p, const char *s)
{
	size_t		n = strlen(s);
	size_t		cap = sizeof(p->buf);

	if (p->len + n < cap)
	{
		memcpy(p->buf + p->len, s, n + 1);
		p->len += n;
		return;
	}
	if (p->len + 3 < cap)
	{
		size_t		room = cap - 4 - p->len;

		memcpy(p->buf + p->len, s, room);
		memcpy(p->buf + p->len + room, "...", 4);
	}
	else
		memcpy(p->buf + cap - 4, "...", 4);
	p->len = cap - 1;
}

size_t
so_path_push_key(so_path *p, const char *key)
{
	size_t		prev = p->len;

	if (p->len > 0)
		path_append(p, ".");
	/* an empty key would otherwise vanish from the path */
	path_append(p, key[0] != '\0' ? key : "\"\"");
	return prev;
}

size_t
so_path_push_index(so_path *p, size_t i)
{
	size_t		prev = p->len;
	char		buf[32];

	snprintf(buf, sizeof(buf), "[%zu]", i);
	path_append(p, buf);
	return prev;
}

void
so_path_pop(so_path *p, size_t previous_len)
{
	if (previous_len < p->len)
	{
		p->len = previous_len;
		p->buf[previous_len] = '\0';
	}
}

void
so_path_set(so_path *p, const char *path)
{
	so_path_init(p);
	if (path != NULL)
		path_append(p, path);
}

/* ---- rendering ---- */

const char *
so_json_render(struct json_object *v)
{
	const char *s;

	if (v == NULL)
		return "null";
	/* json-c saturates integers beyond int64: say so rather than show the clamp */
	if (json_object_is_type(v, json_type_int) &&
		(json_object_get_int64(v) == INT64_MAX || json_object_get_int64(v) == INT64_MIN))
		return "a number beyond the 64-bit integer range";
	s = json_object_to_json_string_ext(v, RENDER_FLAGS);
	return s != NULL ? s : "";
}

const char *
so_json_type_name(struct json_object *v)
{
	switch (json_object_get_type(v))
	{
		case json_type_null:
			return "null";
		case json_type_boolean:
			return "boolean";
		case json_type_double:
		case json_type_int:
			return "number";
		case json_type_string:
			return "string";
		case json_type_array:
			return "array";
		case json_type_object:
			return "object";
	}
	return "unknown";
}

/* Fill err with `found` rendered as a JSON string (for keys). */
static int
set_error_string_found(so_error *err, so_errcode code, const char *path,
					   const char *message, const char *expected,
					   const char *str)
{
	struct json_object *s = json_object_new_string(str);
	int			rc;

	rc = so_error_set(err, code, path, message, expected,
					  s != NULL ? so_json_render(s) : str);
	json_object_put(s);
	return rc;
}

/* ---- intake ---- */

static bool
is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
check_string_value(struct json_object *v, const char *path, const char *expected,
				   so_error *err)
{
	const char *s = json_object_get_string(v);
	size_t		len = (size_t) json_object_get_string_len(v);

	if (strlen(s) != len)
		return so_error_set(err, SO_ERR_FORMAT, path,
							"contains a NUL character (\\u0000)",
							expected != NULL ? expected : "a string without \\u0000",
							so_json_render(v));
	if (len > SO_JSON_MAX_STRING)
	{
		char		msg[64];

		snprintf(msg, sizeof(msg), "too long: at most %d characters",
				 SO_JSON_MAX_STRING);
		return so_error_set(err, SO_ERR_TOO_LARGE, path, msg,
							expected != NULL ? expected :
							"a string of at most 256 characters",
							so_json_render(v));
	}
	return SO_OK;
}

/* Enforce the document-wide limits; depth is already bounded by the scan. */
static int
walk_limits(struct json_object *v, so_path *p, so_error *err)
{
	switch (json_object_get_type(v))
	{
		case json_type_double:
			if (!isfinite(json_object_get_double(v)))
				return so_error_set(err, SO_ERR_RANGE, p->buf,
									"not a finite number",
									"a finite number", so_json_render(v));
			return SO_OK;
		case json_type_string:
			return check_string_value(v, p->buf, NULL, err);
		case json_type_array:
			{
				size_t		n = json_object_array_length(v);

				if (n > SO_JSON_MAX_ARRAY)
				{
					char		msg[64];

					snprintf(msg, sizeof(msg), "array of %zu elements is too large", n);
					return so_error_set(err, SO_ERR_TOO_LARGE, p->buf, msg,
										"an array of at most 100000 elements",
										"[...]");
				}
				for (size_t i = 0; i < n; i++)
				{
					size_t		prev = so_path_push_index(p, i);
					int			rc = walk_limits(json_object_array_get_idx(v, i), p, err);

					so_path_pop(p, prev);
					if (rc != SO_OK)
						return rc;
				}
				return SO_OK;
			}
		case json_type_object:
			{
				struct json_object_iterator it = json_object_iter_begin(v);
				struct json_object_iterator end = json_object_iter_end(v);

				for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
				{
					const char *key = json_object_iter_peek_name(&it);
					size_t		prev;
					int			rc;

					if (strlen(key) > SO_JSON_MAX_STRING)
						return set_error_string_found(err, SO_ERR_TOO_LARGE, p->buf,
													  "object key too long: at most 256 characters",
													  "object keys of at most 256 characters",
													  key);
					prev = so_path_push_key(p, key);
					rc = walk_limits(json_object_iter_peek_value(&it), p, err);
					so_path_pop(p, prev);
					if (rc != SO_OK)
						return rc;
				}
				return SO_OK;
			}
		default:
			return SO_OK;
	}
}

struct json_object *
so_json_parse(const char *json, size_t len, const char *what, so_error *err)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	char		first;
	char		msg[SO_ERR_TEXT_LEN];
	char		expected[SO_ERR_TEXT_LEN];
	so_path		p;

	so_error_clear(err);
	if (what == NULL)
		what = "the document";
	if (len > (size_t) INT_MAX)
	{
		snprintf(expected, sizeof(expected), "%s smaller than 2 GB", what);
		so_error_set(err, SO_ERR_TOO_LARGE, "", "document too large", expected, "");
		return NULL;
	}
	if (so_json_check_syntax(json, len, SO_JSON_MAX_DEPTH, what, &first, err) != SO_OK)
		return NULL;

	snprintf(expected, sizeof(expected), "a JSON object holding the %s, e.g. {}", what);
	if (first != '{')
	{
		/* one byte more than fits, so that so_error_set marks the cut */
		char		found[SO_ERR_FOUND_LEN + 1];
		size_t		start = 0,
					end = len,
					n = 0;

		/*
		 * The text is valid UTF-8 JSON, so it is its own rendering; only
		 * whitespace can be a control character here.
		 */
		while (start < end && is_json_space(json[start]))
			start++;
		while (end > start && is_json_space(json[end - 1]))
			end--;
		while (start + n < end && n < sizeof(found) - 1)
		{
			found[n] = is_json_space(json[start + n]) ? ' ' : json[start + n];
			n++;
		}
		found[n] = '\0';
		so_error_set(err, SO_ERR_TYPE, "", "expected an object", expected, found);
		return NULL;
	}

	/* one more level than the scan allows, so json-c never disagrees */
	tok = json_tokener_new_ex(SO_JSON_MAX_DEPTH + 1);
	if (tok == NULL)
	{
		so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", expected, "");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, json, (int) len);
	jerr = json_tokener_get_error(tok);
	if (root == NULL || jerr != json_tokener_success ||
		!json_object_is_type(root, json_type_object))
	{
		/* only reachable if json-c and the scan disagree, or out of memory */
		snprintf(msg, sizeof(msg), "not valid JSON: %s",
				 json_tokener_error_desc(jerr));
		so_error_set(err, SO_ERR_SYNTAX, "", msg, expected, "");
		json_object_put(root);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);

	so_path_init(&p);
	if (walk_limits(root, &p, err) != SO_OK)
	{
		json_object_put(root);
		return NULL;
	}
	return root;
}

int
so_json_check_limits(struct json_object *root, so_error *err)
{
	so_path		p;

	so_error_clear(err);
	so_path_init(&p);
	return walk_limits(root, &p, err);
}

/* ---- typed reads ---- */

/* json-c saturates integers beyond int64; treat the extremes as out of range. */
static bool
int_saturated(struct json_object *v)
{
	int64_t		i = json_object_get_int64(v);

	return i == INT64_MAX || i == INT64_MIN;
}

int
so_read_number(struct json_object *v, const so_path *p, double min,
			   double max, const char *expected, double *out, so_error *err)
{
	double		d;

	if (!json_object_is_type(v, json_type_double) &&
		!json_object_is_type(v, json_type_int))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected a number",
							expected, so_json_render(v));
	if (json_object_is_type(v, json_type_int) && int_saturated(v))
		return so_error_set(err, SO_ERR_RANGE, p->buf, "out of range",
							expected, so_json_render(v));
	d = json_object_get_double(v);
	if (!isfinite(d))
		return so_error_set(err, SO_ERR_RANGE, p->buf, "not a finite number",
							expected, so_json_render(v));
	if (d < min || d > max)
		return so_error_set(err, SO_ERR_RANGE, p->buf, "out of range",
							expected, so_json_render(v));
	*out = d;
	return SO_OK;
}

int
so_read_integer(struct json_object *v, const so_path *p, int64_t min,
				int64_t max, const char *expected, int64_t *out, so_error *err)
{
	int64_t		i;

	if (json_object_is_type(v, json_type_int))
	{
		if (int_saturated(v))
			return so_error_set(err, SO_ERR_RANGE, p->buf, "out of range",
								expected, so_json_render(v));
		i = json_object_get_int64(v);
	}
	else if (json_object_is_type(v, json_type_double))
	{
		double		d = json_object_get_double(v);

		if (!isfinite(d))
			return so_error_set(err, SO_ERR_RANGE, p->buf, "not a finite number",
								expected, so_json_render(v));
		/*
		 * Doubles this large are all whole numbers; below 2^63 the cast is
		 * defined and round-trips exactly only for whole numbers (no libm).
		 */
		if (d >= 9223372036854775808.0 || d < -9223372036854775808.0)
			return so_error_set(err, SO_ERR_RANGE, p->buf, "out of range",
								expected, so_json_render(v));
		i = (int64_t) d;
		if ((double) i != d)
			return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an integer",
								expected, so_json_render(v));
	}
	else
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an integer",
							expected, so_json_render(v));
	if (i < min || i > max)
		return so_error_set(err, SO_ERR_RANGE, p->buf, "out of range",
							expected, so_json_render(v));
	*out = i;
	return SO_OK;
}

int
so_read_bool(struct json_object *v, const so_path *p, const char *expected,
			 bool *out, so_error *err)
{
	if (!json_object_is_type(v, json_type_boolean))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected true or false",
							expected, so_json_render(v));
	*out = json_object_get_boolean(v) ? true : false;
	return SO_OK;
}

int
so_read_string(struct json_object *v, const so_path *p, const char *expected,
			   const char **out, size_t *outlen, so_error *err)
{
	int			rc;

	if (!json_object_is_type(v, json_type_string))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected a string",
							expected, so_json_render(v));
	/* intake checks this already; repeated for trees from elsewhere */
	rc = check_string_value(v, p->buf, expected, err);
	if (rc != SO_OK)
		return rc;
	if (json_object_get_string_len(v) == 0)
		return so_error_set(err, SO_ERR_EMPTY, p->buf, "empty string",
							expected, so_json_render(v));
	*out = json_object_get_string(v);
	if (outlen != NULL)
		*outlen = (size_t) json_object_get_string_len(v);
	return SO_OK;
}

int
so_check_known_keys(struct json_object *obj, const so_path *p,
					const char *const *known, const char *expected,
					so_error *err)
{
	char		generated[SO_ERR_TEXT_LEN];
	struct json_object_iterator it;
	struct json_object_iterator end;

	if (!json_object_is_type(obj, json_type_object))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an object",
							expected, so_json_render(obj));

	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
	{
		const char *key = json_object_iter_peek_name(&it);
		bool		found = false;
		so_path		kp;

		for (const char *const *k = known; *k != NULL; k++)
			if (strcmp(*k, key) == 0)
			{
				found = true;
				break;
			}
		if (found)
			continue;

		if (expected == NULL)
		{
			size_t		o;

			/* "one of: a, b, c" from the list */
			o = (size_t) snprintf(generated, sizeof(generated), "one of:");
			for (const char *const *k = known; *k != NULL && o < sizeof(generated); k++)
				o += (size_t) snprintf(generated + o, sizeof(generated) - o, "%s %s",
									   k == known ? "" : ",", *k);
			expected = generated;
		}
		kp = *p;
		so_path_push_key(&kp, key);
		return set_error_string_found(err, SO_ERR_UNKNOWN_KEY, kp.buf,
									  "unknown key", expected, key);
	}
	return SO_OK;
}

void
so_json_number_text(struct json_object *v, char *buf, size_t size)
{
	/* json-c keeps the source text of a parsed double and prints ints exactly */
	const char *t = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

	buf[0] = '\0';
	if (t != NULL && strlen(t) < size && so_is_json_number(t))
		strcpy(buf, t);
}

struct json_object *
so_json_get_key(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (obj != NULL)
		json_object_object_get_ex(obj, key, &v);
	return v;
}
