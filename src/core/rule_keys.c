/*
 * rule_keys.c: optional typed keys of a rules document (rule_keys.h).
 *
 * Each reader leaves its output alone when the key is absent or null,
 * pushes the key on the path while it reads, and reports the first problem
 * with that path. Numbers are checked against their range as written (not
 * only as the double they round to). Failure modes: a list that fails
 * half-way keeps the items copied so far, counted, for the caller's free.
 */
#include <stdlib.h>
#include <string.h>

#include "decimal_text.h"
#include "rule_keys.h"
#include "sql_text.h"

/*
 * The double read in range may round a number just outside the range into
 * it (100.00000000000000000001 reads as 100): check the number as written,
 * which is what the compiled statement compares.
 */
int
so_rule_exact_range(struct json_object *v, const so_path *p, double min, double max,
			const char *expected, so_error *err)
{
	const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	char		lo[40],
				hi[40];

	if (text == NULL || !so_is_json_number(text))
		return SO_OK;
	so_format_double(min, lo, sizeof(lo));
	so_format_double(max, hi, sizeof(hi));
	if (so_decimal_compare(text, lo) < 0 || so_decimal_compare(text, hi) > 0)
		return so_error_set(err, SO_ERR_RANGE, p->buf, "out of range", expected, text);
	return SO_OK;
}

int
so_rule_opt_number(struct json_object *obj, so_path *p, const char *key, double min,
		   double max, const char *expected, so_opt_num *out, so_error *err)
{
	struct json_object *v = so_json_get_key(obj, key);
	size_t		prev;
	int			rc;

	if (v == NULL)
		return SO_OK;
	prev = so_path_push_key(p, key);
	rc = so_read_number(v, p, min, max, expected, &out->value, err);
	if (rc == SO_OK)
		rc = so_rule_exact_range(v, p, min, max, expected, err);
	so_path_pop(p, prev);
	out->set = (rc == SO_OK);
	if (out->set)
		so_json_number_text(v, out->text, sizeof(out->text));
	return rc;
}

int
so_rule_opt_integer(struct json_object *obj, so_path *p, const char *key, int64_t min,
			int64_t max, const char *expected, so_opt_int *out, so_error *err)
{
	struct json_object *v = so_json_get_key(obj, key);
	size_t		prev;
	int			rc;

	if (v == NULL)
		return SO_OK;
	prev = so_path_push_key(p, key);
	rc = so_read_integer(v, p, min, max, expected, &out->value, err);
	so_path_pop(p, prev);
	out->set = (rc == SO_OK);
	return rc;
}

int
so_rule_opt_bool(struct json_object *obj, so_path *p, const char *key,
		 const char *expected, bool *out, so_error *err)
{
	struct json_object *v = so_json_get_key(obj, key);
	size_t		prev;
	int			rc;

	if (v == NULL)
		return SO_OK;
	prev = so_path_push_key(p, key);
	rc = so_read_bool(v, p, expected, out, err);
	so_path_pop(p, prev);
	return rc;
}

/*
 * A non-empty array of strings, each passing check (when given). Items are
 * copied one by one and out->n counts the copies, so so_targeting_free can
 * release a list that failed half-way.
 */
int
so_rule_opt_strlist(struct json_object *obj, so_path *p, const char *key,
			const char *expected_list, const char *expected_item,
			so_item_check check, so_strlist *out, so_error *err)
{
	struct json_object *v = so_json_get_key(obj, key);
	size_t		prev,
				n;
	int			rc = SO_OK;

	if (v == NULL)
		return SO_OK;
	prev = so_path_push_key(p, key);
	if (!json_object_is_type(v, json_type_array))
		rc = so_error_set(err, SO_ERR_TYPE, p->buf, "expected an array",
						  expected_list, so_json_render(v));
	else if ((n = json_object_array_length(v)) == 0)
		rc = so_error_set(err, SO_ERR_EMPTY, p->buf, "empty array",
						  expected_list, so_json_render(v));
	else if (n > SO_JSON_MAX_ARRAY)
		rc = so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "too many elements",
						  expected_list, "[...]");
	else if ((out->items = calloc(n, sizeof(char *))) == NULL)
		rc = so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "out of memory",
						  expected_list, "");
	else
	{
		for (size_t i = 0; i < n && rc == SO_OK; i++)
		{
			struct json_object *e = json_object_array_get_idx(v, i);
			size_t		iprev = so_path_push_index(p, i);
			const char *s;
			size_t		len;
			const char *problem;

			rc = so_read_string(e, p, expected_item, &s, &len, err);
			if (rc == SO_OK && check != NULL && (problem = check(s, len)) != NULL)
				rc = so_error_set(err, SO_ERR_FORMAT, p->buf, problem,
								  expected_item, so_json_render(e));
			if (rc == SO_OK)
			{
				char	   *copy = malloc(len + 1);

				if (copy == NULL)
					rc = so_error_set(err, SO_ERR_TOO_LARGE, p->buf,
									  "out of memory", expected_item, "");
				else
				{
					memcpy(copy, s, len + 1);
					out->items[out->n++] = copy;
				}
			}
			so_path_pop(p, iprev);
		}
	}
	so_path_pop(p, prev);
	return rc;
}

/*
 * Look up a section; *sec stays NULL when absent or null. Unknown keys of
 * the section are checked here, before any of its values.
 */
int
so_rule_open_section(struct json_object *root, so_path *p, const char *name,
			 const char *const *keys, const char *expected,
			 struct json_object **sec, size_t *prev, so_error *err)
{
	struct json_object *v = so_json_get_key(root, name);

	*sec = NULL;
	*prev = so_path_push_key(p, name);
	if (v == NULL)
		return SO_OK;
	if (!json_object_is_type(v, json_type_object))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an object",
							expected, so_json_render(v));
	*sec = v;
	return so_check_known_keys(v, p, keys, NULL, err);
}
