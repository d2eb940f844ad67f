/*
 * jsonb_jsonc.c: a jsonb object as a json-c tree (jsonb_jsonc.h).
 *
 * The core's readers (targeting rules) take a json-c tree; they used to get
 * it by printing the jsonb as text (JsonbToCString) and parsing that text,
 * which cost more than the reading itself (about 9 of 22 µs of a seed
 * play's compile). This walks the jsonb with its iterator instead and builds
 * the same tree the text would have given:
 *   - keys in jsonb's stored order, which is the order of the text;
 *   - strings as they are stored (jsonb keeps them unescaped, valid UTF-8);
 *   - numbers printed by numeric_out, as JsonbToCString prints them, and
 *     read by json-c's own tokenizer (short integers directly as the int64
 *     it would make), so integers, large integers and decimals (with their
 *     text, which the exact range checks read) are the objects the text
 *     path made.
 * Documents the fast path does not take (a scalar root, nesting deeper than
 * FAST_MAX_DEPTH, a database encoding other than UTF-8) go the text way, so
 * that their errors stay exactly as they were.
 *
 * Failure modes: json-c allocates with malloc, so an ERROR while building
 * (out of memory in numeric_out) releases the partial tree before it is
 * re-thrown; a json-c allocation failure gives NULL, and the text path.
 */
#include "postgres.h"

#include <json-c/json.h>

#include "fmgr.h"
#include "utils/guc.h"
#include "mb/pg_wchar.h"
#include "utils/numeric.h"

#include "json_read.h"
#include "jsonb_jsonc.h"

/*
 * numeric's output function, declared here: utils/builtins.h would bring
 * PostgreSQL's SQL function json_object, whose name json-c's typedef takes.
 */
extern Datum numeric_out(PG_FUNCTION_ARGS);

/* Well under the core's own limit (SO_JSON_MAX_DEPTH, 32): rules are 3 deep. */
#define FAST_MAX_DEPTH 16

/*
 * Off: every document takes the text path. For the differential test
 * (test/pgtap/jsonb_reading.sql) and as an escape hatch; superusers only.
 */
static bool read_jsonb_directly = true;

void
stormops_define_jsonb_settings(void)
{
	DefineCustomBoolVariable("stormops.read_jsonb_directly",
							 "Read targeting rules from jsonb without printing them as JSON text first.",
							 "Off: print and parse the text, as before 0.2.0 (the same results, slower).",
							 &read_jsonb_directly, true, PGC_SUSET, GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);
}

/* A jsonb scalar as a json-c value; *ok false when json-c failed. */
static struct json_object *
scalar(const JsonbValue *v, bool *ok)
{
	struct json_object *o = NULL;

	*ok = true;
	switch (v->type)
	{
		case jbvNull:
			return NULL;		/* json-c's null */
		case jbvBool:
			o = json_object_new_boolean(v->val.boolean);
			break;
		case jbvString:
			o = json_object_new_string_len(v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			{
				char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out,
																	   NumericGetDatum(v->val.numeric)));

				/*
				 * What json-c's tokenizer makes of the number's text: an
				 * integer of up to 18 digits is an int64; a decimal a double
				 * that keeps its text (json_object_new_double_s, as the
				 * tokenizer does: the exact range checks read it); longer
				 * integers (unsigned, or refused) go through the tokenizer.
				 */
				if (strchr(text, '.') != NULL)
					o = json_object_new_double_s(strtod(text, NULL), text);
				else if (strlen(text) <= 18)
					o = json_object_new_int64(strtoll(text, NULL, 10));
				else
					o = json_tokener_parse(text);
				pfree(text);
				break;
			}
		default:
			break;
	}
	if (o == NULL)
		*ok = false;
	return o;
}

/* Adds value to the container (under key, for an object). */
static bool
add(struct json_object *container, const char *key, struct json_object *value)
{
	if (json_object_is_type(container, json_type_array))
		return json_object_array_add(container, value) == 0;
	return json_object_object_add_ex(container, key, value, JSON_C_OBJECT_ADD_KEY_IS_NEW) == 0;
}

/*
 * Builds the tree into *rootp (set as soon as the root exists, so that the
 * caller can release a partial tree after an ERROR). False, with *rootp
 * released and NULL, for the text path.
 */
static bool
build(Jsonb *jb, struct json_object **rootp)
{
	struct json_object *stack[FAST_MAX_DEPTH + 1];
	char	   *keys[FAST_MAX_DEPTH + 1];
	int			depth = 0;
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbIteratorToken tok;
	JsonbValue	v;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		struct json_object *value;
		bool		ok;

		switch (tok)
		{
			case WJB_BEGIN_OBJECT:
			case WJB_BEGIN_ARRAY:
				if (depth == FAST_MAX_DEPTH)
					goto text_path;
				value = tok == WJB_BEGIN_OBJECT ? json_object_new_object() : json_object_new_array();
				if (value == NULL)
					goto text_path;
				if (depth == 0)
					*rootp = value;
				else if (!add(stack[depth - 1], keys[depth - 1], value))
				{
					json_object_put(value);
					goto text_path;
				}
				stack[depth] = value;
				keys[depth] = NULL;
				depth++;
				break;
			case WJB_END_OBJECT:
			case WJB_END_ARRAY:
				depth--;
				break;
			case WJB_KEY:
				if (keys[depth - 1] != NULL)
					pfree(keys[depth - 1]);
				keys[depth - 1] = pnstrdup(v.val.string.val, v.val.string.len);
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				value = scalar(&v, &ok);
				if (!ok || !add(stack[depth - 1], keys[depth - 1], value))
				{
					json_object_put(value);
					goto text_path;
				}
				break;
			default:
				goto text_path;
		}
	}
	return true;				/* the caller checked that the root is an object */

text_path:
	json_object_put(*rootp);
	*rootp = NULL;
	return false;
}

struct json_object *
stormops_jsonb_to_jsonc(Jsonb *jb)
{
	/* in memory, not a local: build sets it after PG_TRY's setjmp */
	struct json_object **root;
	struct json_object *result;

	if (!read_jsonb_directly || GetDatabaseEncoding() != PG_UTF8 || !JB_ROOT_IS_OBJECT(jb))
		return NULL;
	root = palloc0(sizeof(*root));
	PG_TRY();
	{
		build(jb, root);
	}
	PG_CATCH();
	{
		json_object_put(*root); /* malloc'd: not released with the context */
		PG_RE_THROW();
	}
	PG_END_TRY();
	result = *root;
	pfree(root);
	return result;
}

int
stormops_targeting_from_jsonb(Jsonb *jb, so_targeting **out, so_error *err)
{
	struct json_object *root = stormops_jsonb_to_jsonc(jb);
	char	   *text;
	int			rc;

	if (root != NULL)
	{
		/* the limits the text path checks after parsing, on the same tree */
		if (so_json_check_limits(root, err) != SO_OK)
		{
			*out = NULL;
			json_object_put(root);
			return err->code;
		}
		return so_targeting_from_json(root, out, err);
	}
	text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	rc = so_targeting_parse(text, strlen(text), out, err);
	pfree(text);
	return rc;
}
