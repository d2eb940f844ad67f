/*
 * test_json_read.c: errors, paths, strict intake and typed reads.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>

#include "json_read.h"
#include "so_error.h"
#include "tap.h"
#include "test_util.h"

#define CODE(c) so_errcode_name(c)

static const char repeat_static[] =
"1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, ";

/* Parse len raw bytes; expect code, and path on error. */
static void
parse_expect(int line, const char *json, size_t len, so_errcode code,
			 const char *path)
{
	so_error	err;
	char		d[160];
	struct json_object *o = so_json_parse(json, len, "test document", &err);

	describe(d, sizeof(d), line, json);
	is_str(CODE(err.code), CODE(code), "%s: code", d);
	if (code == SO_OK)
		ok(o != NULL, "%s: returns the root", d);
	else
	{
		ok(o == NULL, "%s: returns NULL", d);
		is_str(err.path, path, "%s: path", d);
	}
	json_object_put(o);
}

#define PARSE_RAW(json, len, code, path) parse_expect(__LINE__, json, len, code, path)
#define PARSE(json, code, path) \
	do { char *j_ = sq(json); parse_expect(__LINE__, j_, strlen(j_), code, path); free(j_); } while (0)
/* The text is taken as is (no ' translation), for documents that test quotes. */
#define PARSE_STR(json, code, path) parse_expect(__LINE__, json, strlen(json), code, path)

static void
test_errors(void)
{
	so_error	err;
	char	   *longs;
	const char *codes[11];
	bool		distinct = true;
	int			rc;

	for (int c = 0; c <= SO_ERR_TOO_LARGE; c++)
		codes[c] = so_errcode_name((so_errcode) c);
	for (int a = 0; a <= SO_ERR_TOO_LARGE; a++)
		for (int b = a + 1; b <= SO_ERR_TOO_LARGE; b++)
			if (strcmp(codes[a], codes[b]) == 0)
				distinct = false;
	ok(distinct, "error code names are distinct");
	is_str(so_errcode_name(SO_OK), "ok", "name of SO_OK");
	is_str(so_errcode_name(SO_ERR_RANGE), "range", "name of SO_ERR_RANGE");
	is_str(so_errcode_name((so_errcode) 99), "unknown", "name of an out-of-range code");

	rc = so_error_set(&err, SO_ERR_TYPE, "a.b", "expected a number", "a number", "\"x\"");
	is_int(rc, SO_ERR_TYPE, "so_error_set returns the code");
	is_int(err.code, SO_ERR_TYPE, "so_error_set stores the code");
	is_str(err.path, "a.b", "so_error_set stores the path");
	is_str(err.message, "expected a number", "so_error_set stores the message");
	is_str(err.expected, "a number", "so_error_set stores expected");
	is_str(err.found, "\"x\"", "so_error_set stores found");

	so_error_set(&err, SO_ERR_MISSING, NULL, "m", NULL, NULL);
	ok(err.path[0] == '\0' && err.expected[0] == '\0' && err.found[0] == '\0',
	   "NULL strings become empty");

	longs = repeat("x", 1000);
	so_error_set(&err, SO_ERR_RANGE, longs, longs, longs, longs);
	is_int(strlen(err.found), SO_ERR_FOUND_LEN - 1, "found is truncated to fit");
	ok(strcmp(err.found + strlen(err.found) - 3, "...") == 0, "a truncated found ends with ...");
	is_int(strlen(err.path), SO_ERR_PATH_LEN - 1, "path is truncated to fit");
	is_int(strlen(err.expected), SO_ERR_TEXT_LEN - 1, "expected is truncated to fit");
	free(longs);

	/* two-byte characters: the cut must not split one */
	longs = repeat("\xc3\xa9", 200);
	so_error_set(&err, SO_ERR_RANGE, "", "", "", longs);
	is_int((strlen(err.found) - 3) % 2, 0, "truncation keeps whole UTF-8 characters");
	ok(((unsigned char) err.found[strlen(err.found) - 4] & 0xC0) == 0x80,
	   "truncation ends after a continuation byte");
	free(longs);

	so_error_clear(&err);
	ok(err.code == SO_OK && err.path[0] == '\0' && err.message[0] == '\0',
	   "so_error_clear resets");
	is_int(so_error_set(NULL, SO_ERR_EMPTY, "", "", "", ""), SO_ERR_EMPTY,
		   "so_error_set tolerates a NULL err");
}

static void
test_paths(void)
{
	so_path		p;
	size_t		a,
				b,
				c;
	char	   *longkey;

	so_path_init(&p);
	is_str(p.buf, "", "a new path is empty");
	a = so_path_push_key(&p, "similarity");
	is_str(p.buf, "similarity", "first key has no dot");
	b = so_path_push_key(&p, "reference_property_ids");
	c = so_path_push_index(&p, 3);
	is_str(p.buf, "similarity.reference_property_ids[3]", "key.key[index]");
	so_path_push_index(&p, 12);
	is_str(p.buf, "similarity.reference_property_ids[3][12]", "nested indexes");
	so_path_pop(&p, c);
	is_str(p.buf, "similarity.reference_property_ids", "pop an index");
	so_path_pop(&p, b);
	so_path_pop(&p, a);
	is_str(p.buf, "", "pop to the document");
	is_int(p.len, 0, "length follows pops");

	so_path_push_key(&p, "a");
	a = so_path_push_key(&p, "b");
	longkey = repeat("k", 400);
	b = so_path_push_key(&p, longkey);
	is_int(strlen(p.buf), SO_ERR_PATH_LEN - 1, "an overlong path is cut to fit");
	ok(strcmp(p.buf + strlen(p.buf) - 3, "...") == 0, "a cut path ends with ...");
	so_path_push_index(&p, 7);
	is_int(strlen(p.buf), SO_ERR_PATH_LEN - 1, "pushing onto a full path is safe");
	so_path_pop(&p, b);
	is_str(p.buf, "a.b", "popping a cut path restores it");
	so_path_pop(&p, a);
	is_str(p.buf, "a", "and further pops work");
	free(longkey);

	so_path_set(&p, "geography.custom_polygon");
	so_path_push_key(&p, "type");
	is_str(p.buf, "geography.custom_polygon.type", "so_path_set then push");
	so_path_set(&p, NULL);
	is_str(p.buf, "", "so_path_set(NULL) is the document");
	so_path_init(&p);
	so_path_push_key(&p, "");
	is_str(p.buf, "\"\"", "an empty key shows as \"\"");
	so_path_push_key(&p, "");
	is_str(p.buf, "\"\".\"\"", "nested empty keys");
}

static void
test_syntax(void)
{
	char		buf[64];

	PARSE("{}", SO_OK, "");
	PARSE(" \t\r\n{ 'a' : [ 1 , 2.5e-3 , -0 , 0.0, 1E+2, true , false , null , '\\u00e9\\n\\/' ] }\n\t ",
		  SO_OK, "");
	PARSE("{'caf\xc3\xa9': '\xf0\x9f\x8c\xa9'}", SO_OK, "");
	PARSE("{'a': 1, 'a': 2}", SO_OK, "");

	/* not JSON */
	PARSE("", SO_ERR_SYNTAX, "");
	PARSE("   \n", SO_ERR_SYNTAX, "");
	PARSE("{", SO_ERR_SYNTAX, "");
	PARSE("{'a': 'x", SO_ERR_SYNTAX, "");
	PARSE("{'a': }", SO_ERR_SYNTAX, "");
	PARSE("{'a' 1}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1 'b': 2}", SO_ERR_SYNTAX, "");
	PARSE("{a: 1}", SO_ERR_SYNTAX, "");
	PARSE("{'a': NaN}", SO_ERR_SYNTAX, "");
	PARSE("{'a': -NaN}", SO_ERR_SYNTAX, "");
	PARSE("{'a': nan}", SO_ERR_SYNTAX, "");
	PARSE("{'a': Infinity}", SO_ERR_SYNTAX, "");
	PARSE("{'a': -Infinity}", SO_ERR_SYNTAX, "");
	PARSE("{'a': infinity}", SO_ERR_SYNTAX, "");
	PARSE("{'a': TRUE}", SO_ERR_SYNTAX, "");
	PARSE("{'a': True}", SO_ERR_SYNTAX, "");
	PARSE("{'a': nul}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1.}", SO_ERR_SYNTAX, "");
	PARSE("{'a': .5}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 01}", SO_ERR_SYNTAX, "");
	PARSE("{'a': -}", SO_ERR_SYNTAX, "");
	PARSE("{'a': +1}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1e}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1e+}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 0x10}", SO_ERR_SYNTAX, "");
	PARSE("{'a': '\\x'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': '\\u12'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': '\\u12g4'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 'tab\there'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 'new\nline'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1,}", SO_ERR_SYNTAX, "");
	PARSE("{'a': [1,]}", SO_ERR_SYNTAX, "");
	PARSE("{'a': [,1]}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1} x", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1}{}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1}]", SO_ERR_SYNTAX, "");
	PARSE("{'a': [1}", SO_ERR_SYNTAX, "");
	PARSE("{'a': 1} // comment", SO_ERR_SYNTAX, "");
	PARSE("{'a': /* c */ 1}", SO_ERR_SYNTAX, "");
	PARSE_STR("{'a': 1}", SO_ERR_SYNTAX, "");
	PARSE_STR("{\"a\": 'x'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': '\xff'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': '\xc0\x80'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': '\xed\xa0\x80'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': '\xf4\x90\x80\x80'}", SO_ERR_SYNTAX, "");
	PARSE("{'a': '\xe2\x82'}", SO_ERR_SYNTAX, "");
	PARSE("\xef\xbb\xbf{}", SO_ERR_SYNTAX, "");
	PARSE_RAW("{}\0", 3, SO_ERR_SYNTAX, "");
	PARSE_RAW("{\"a\":\0}", 7, SO_ERR_SYNTAX, "");
	PARSE_RAW(NULL, 0, SO_ERR_SYNTAX, "");

	/* only len bytes are read */
	PARSE_RAW("{\"a\": 1}garbage", 8, SO_OK, "");
	PARSE_RAW("{\"a\": 1}", (size_t) INT_MAX + 1, SO_ERR_TOO_LARGE, "");

	/* the root must be an object */
	PARSE("[]", SO_ERR_TYPE, "");
	PARSE("[1, 2]", SO_ERR_TYPE, "");
	PARSE("'physics'", SO_ERR_TYPE, "");
	PARSE("42", SO_ERR_TYPE, "");
	PARSE("null", SO_ERR_TYPE, "");
	PARSE("true", SO_ERR_TYPE, "");
	{
		so_error	err;
		struct json_object *o = so_json_parse(" \"physics\"\n", 11, "t", &err);
		char	   *big = fmt("[%s1]", repeat_static);

		ok(o == NULL, "a string root is rejected");
		is_str(err.found, "\"physics\"", "a string root is shown as written");
		o = so_json_parse(big, strlen(big), "t", &err);
		ok(o == NULL && strlen(err.found) == SO_ERR_FOUND_LEN - 1 &&
		   strcmp(err.found + SO_ERR_FOUND_LEN - 4, "...") == 0,
		   "a long non-object root is cut with ...");
		free(big);
	}

	/* what the messages carry */
	{
		so_error	err;
		struct json_object *o;

		o = so_json_parse("{\"a\": NaN}", 10, "targeting_rules", &err);
		ok(o == NULL && strstr(err.expected, "targeting_rules") != NULL,
		   "a syntax error's expected names the document");
		ok(strstr(err.message, "NaN") != NULL, "a syntax message names NaN");
		ok(strstr(err.message, "byte 6") != NULL, "a syntax message gives the byte offset");
		is_str(err.found, "\"NaN}\"", "a syntax error shows the text at the error");

		o = so_json_parse("  [1, 2]  ", 10, "targeting_rules", &err);
		ok(o == NULL, "an array root is rejected");
		is_str(err.found, "[1, 2]", "the found of a non-object root is the value, trimmed");
		is_str(err.message, "expected an object", "message for a non-object root");
	}

	snprintf(buf, sizeof(buf), "{\"a\": \"%s\"}", "\\u0000");
	PARSE_STR(buf, SO_ERR_FORMAT, "a");
}

static void
test_limits(void)
{
	char	   *open,
			   *close,
			   *doc,
			   *s;

	/* depth: 32 levels (the root object and 31 arrays) is the most */
	open = repeat("[", 31);
	close = repeat("]", 31);
	doc = fmt("{\"a\": %s1%s}", open, close);
	PARSE_STR(doc, SO_OK, "");
	free(doc);
	free(open);
	free(close);

	open = repeat("[", 32);
	close = repeat("]", 32);
	doc = fmt("{\"a\": %s1%s}", open, close);
	PARSE_STR(doc, SO_ERR_TOO_DEEP, "");
	free(doc);
	free(open);
	free(close);

	open = repeat("[", 10000);
	close = repeat("]", 10000);
	doc = fmt("{\"a\": %s%s}", open, close);
	PARSE_STR(doc, SO_ERR_TOO_DEEP, "");
	free(doc);
	doc = fmt("%s", open);
	PARSE_STR(doc, SO_ERR_TOO_DEEP, "");
	free(doc);
	free(open);
	free(close);

	open = repeat("{\"a\":", 10000);
	close = repeat("}", 10000);
	doc = fmt("%s1%s", open, close);
	PARSE_STR(doc, SO_ERR_TOO_DEEP, "");
	free(doc);
	free(open);
	free(close);

	/* strings: at most 256 bytes */
	s = repeat("x", 256);
	doc = fmt("{\"s\": \"%s\"}", s);
	PARSE_STR(doc, SO_OK, "");
	free(doc);
	free(s);
	s = repeat("x", 257);
	doc = fmt("{\"s\": \"%s\"}", s);
	PARSE_STR(doc, SO_ERR_TOO_LARGE, "s");
	free(doc);
	free(s);
	s = repeat("x", 100000);
	doc = fmt("{\"s\": [\"ok\", \"%s\"]}", s);
	PARSE_STR(doc, SO_ERR_TOO_LARGE, "s[1]");
	free(doc);
	free(s);
	/* a key too */
	s = repeat("k", 256);
	doc = fmt("{\"%s\": 1}", s);
	PARSE_STR(doc, SO_OK, "");
	free(doc);
	free(s);
	s = repeat("k", 257);
	doc = fmt("{\"o\": {\"%s\": 1}}", s);
	PARSE_STR(doc, SO_ERR_TOO_LARGE, "o");
	free(doc);
	free(s);

	/* arrays: at most 100000 elements */
	s = repeat("0,", 99999);
	doc = fmt("{\"a\": [%s0]}", s);
	PARSE_STR(doc, SO_OK, "");
	free(doc);
	free(s);
	s = repeat("0,", 100000);
	doc = fmt("{\"a\": {\"b\": [%s0]}}", s);
	PARSE_STR(doc, SO_ERR_TOO_LARGE, "a.b");
	free(doc);
	free(s);

	/* NUL inside strings: values are reported where they are, keys at the document */
	PARSE("{'a': ['x', 'y\\u0000z']}", SO_ERR_FORMAT, "a[1]");
	PARSE("{'a': '\\u0000'}", SO_ERR_FORMAT, "a");
	PARSE("{'a': 'ok\\\\u0000'}", SO_OK, "");
	PARSE("{'a\\u0000b': 1}", SO_ERR_FORMAT, "");
	PARSE("{'o': {'physics\\u0000x': 1}}", SO_ERR_FORMAT, "");

	/* numbers that do not fit a double */
	PARSE("{'a': 1e309}", SO_ERR_RANGE, "a");
	PARSE("{'a': -1e309}", SO_ERR_RANGE, "a");
	PARSE("{'a': {'b': [1, 1E400]}}", SO_ERR_RANGE, "a.b[1]");
	PARSE("{'a': 1e308}", SO_OK, "");
	PARSE("{'a': 100000000000000000000000}", SO_OK, "");	/* typed reads judge it */
}

/* Run so_read_number on the value written in `value`. */
static void
number_expect(int line, const char *value, double min, double max,
			  so_errcode code, double want)
{
	char	   *doc = fmt("{\"v\": %s}", value);
	so_error	err;
	so_path		p;
	double		out = -12345.0;
	int			rc;
	char		d[160];
	struct json_object *root = so_json_parse(doc, strlen(doc), "t", &err);
	struct json_object *v = NULL;

	describe(d, sizeof(d), line, doc);
	json_object_object_get_ex(root, "v", &v);
	so_path_init(&p);
	so_path_push_key(&p, "v");
	rc = so_read_number(v, &p, min, max, "a test number", &out, &err);
	is_str(CODE(rc), CODE(code), "%s: number code", d);
	if (code == SO_OK)
		ok(out == want, "%s: value %g", d, want);
	else
	{
		is_str(err.path, "v", "%s: path", d);
		is_str(err.expected, "a test number", "%s: expected is the caller's", d);
	}
	json_object_put(root);
	free(doc);
}

static void
integer_expect(int line, const char *value, int64_t min, int64_t max,
			   so_errcode code, int64_t want)
{
	char	   *doc = fmt("{\"v\": %s}", value);
	so_error	err;
	so_path		p;
	int64_t		out = -12345;
	int			rc;
	char		d[160];
	struct json_object *root = so_json_parse(doc, strlen(doc), "t", &err);
	struct json_object *v = NULL;

	describe(d, sizeof(d), line, doc);
	json_object_object_get_ex(root, "v", &v);
	so_path_init(&p);
	so_path_push_key(&p, "v");
	rc = so_read_integer(v, &p, min, max, "a test integer", &out, &err);
	is_str(CODE(rc), CODE(code), "%s: integer code", d);
	if (code == SO_OK)
		is_int(out, want, "%s: value", d);
	else
		is_str(err.path, "v", "%s: path", d);
	json_object_put(root);
	free(doc);
}

/* A number json-c had to clamp is reported as such, not as the clamp. */
static void
test_saturated_found(void)
{
	const char *docs[] = {"{\"v\": 100000000000000000000000}", "{\"v\": -100000000000000000000000}"};

	for (size_t i = 0; i < 2; i++)
	{
		so_error	err;
		so_path		p;
		int64_t		out;
		struct json_object *root = so_json_parse(docs[i], strlen(docs[i]), "t", &err);
		struct json_object *v = NULL;

		json_object_object_get_ex(root, "v", &v);
		so_path_init(&p);
		so_path_push_key(&p, "v");
		is_int(so_read_integer(v, &p, 0, 100, "x", &out, &err), SO_ERR_RANGE, "%s: range", docs[i]);
		is_str(err.found, "a number beyond the 64-bit integer range", "%s: found says what happened", docs[i]);
		is_str(so_json_render(v), "a number beyond the 64-bit integer range", "%s: rendering", docs[i]);
		json_object_put(root);
	}
}

#define NUM(v, lo, hi, code, want) number_expect(__LINE__, v, lo, hi, code, want)
#define INT(v, lo, hi, code, want) integer_expect(__LINE__, v, lo, hi, code, want)

static void
test_typed_reads(void)
{
	so_error	err;
	so_path		p;
	struct json_object *o;
	const char *s;
	size_t		len;
	bool		b;
	double		d;
	char	   *longs;

	NUM("0", 0, 100, SO_OK, 0);
	NUM("100", 0, 100, SO_OK, 100);
	NUM("55.5", 0, 100, SO_OK, 55.5);
	NUM("1E2", 0, 100, SO_OK, 100);
	NUM("-0", 0, 100, SO_OK, 0);
	NUM("-0.0", 0, 100, SO_OK, 0);
	NUM("-0.000001", 0, 100, SO_ERR_RANGE, 0);
	NUM("100.000001", 0, 100, SO_ERR_RANGE, 0);
	NUM("100000000000000000000000", 0, 1e30, SO_ERR_RANGE, 0);
	NUM("-100000000000000000000000", -1e30, 0, SO_ERR_RANGE, 0);
	NUM("9223372036854775807", 0, 1e30, SO_ERR_RANGE, 0);
	NUM("9223372036854775806", 0, 1e30, SO_OK, 9223372036854775806.0);
	NUM("1e23", 0, 1e30, SO_OK, 1e23);
	NUM("\"5\"", 0, 100, SO_ERR_TYPE, 0);
	NUM("true", 0, 100, SO_ERR_TYPE, 0);
	NUM("[5]", 0, 100, SO_ERR_TYPE, 0);
	NUM("{}", 0, 100, SO_ERR_TYPE, 0);
	NUM("null", 0, 100, SO_ERR_TYPE, 0);

	INT("10", 0, 100, SO_OK, 10);
	INT("10.0", 0, 100, SO_OK, 10);
	INT("1e1", 0, 100, SO_OK, 10);
	INT("0", 0, 100, SO_OK, 0);
	INT("100", 0, 100, SO_OK, 100);
	INT("2147483647", 0, INT32_MAX, SO_OK, INT32_MAX);
	INT("2147483648", 0, INT32_MAX, SO_ERR_RANGE, 0);
	INT("-1", 0, 100, SO_ERR_RANGE, 0);
	INT("101", 0, 100, SO_ERR_RANGE, 0);
	INT("10.5", 0, 100, SO_ERR_TYPE, 0);
	INT("0.1", 0, 100, SO_ERR_TYPE, 0);
	INT("1e20", 0, INT64_MAX, SO_ERR_RANGE, 0);
	INT("9.3e18", INT64_MIN, INT64_MAX, SO_ERR_RANGE, 0);
	INT("100000000000000000000000", 0, INT64_MAX, SO_ERR_RANGE, 0);
	INT("-100000000000000000000000", INT64_MIN, 0, SO_ERR_RANGE, 0);
	INT("\"10\"", 0, 100, SO_ERR_TYPE, 0);
	INT("false", 0, 100, SO_ERR_TYPE, 0);

	/* values not from so_json_parse: the reads defend themselves */
	so_path_init(&p);
	so_path_push_key(&p, "x");
	o = json_object_new_double(INFINITY);
	is_str(CODE(so_read_number(o, &p, -1e308, 1e308, "n", &d, &err)), CODE(SO_ERR_RANGE),
		   "so_read_number rejects infinity");
	is_str(err.message, "not a finite number", "infinity message");
	is_str(CODE(so_read_integer(o, &p, INT64_MIN, INT64_MAX, "n", &(int64_t) {0}, &err)),
		   CODE(SO_ERR_RANGE), "so_read_integer rejects infinity");
	json_object_put(o);
	o = json_object_new_double(NAN);
	is_str(CODE(so_read_number(o, &p, -1e308, 1e308, "n", &d, &err)), CODE(SO_ERR_RANGE),
		   "so_read_number rejects NaN");
	json_object_put(o);

	o = json_object_new_string_len("a\0b", 3);
	is_str(CODE(so_read_string(o, &p, "s", &s, &len, &err)), CODE(SO_ERR_FORMAT),
		   "so_read_string rejects an embedded NUL");
	is_str(err.path, "x", "NUL error path");
	json_object_put(o);
	longs = repeat("y", 257);
	o = json_object_new_string(longs);
	is_str(CODE(so_read_string(o, &p, "s", &s, &len, &err)), CODE(SO_ERR_TOO_LARGE),
		   "so_read_string rejects 257 bytes");
	ok(strstr(err.message, "at most 256 characters") != NULL, "too long message");
	json_object_put(o);
	free(longs);
	o = json_object_new_string("");
	is_str(CODE(so_read_string(o, &p, "s", &s, &len, &err)), CODE(SO_ERR_EMPTY),
		   "so_read_string rejects an empty string");
	json_object_put(o);
	o = json_object_new_string("abc");
	is_str(CODE(so_read_string(o, &p, "s", &s, &len, &err)), CODE(SO_OK),
		   "so_read_string reads a string");
	ok(strcmp(s, "abc") == 0 && len == 3, "so_read_string returns text and length");
	json_object_put(o);
	o = json_object_new_int(3);
	is_str(CODE(so_read_string(o, &p, "s", &s, &len, &err)), CODE(SO_ERR_TYPE),
		   "so_read_string rejects a number");
	is_str(err.found, "3", "found is the rendered value");
	is_str(CODE(so_read_bool(o, &p, "b", &b, &err)), CODE(SO_ERR_TYPE),
		   "so_read_bool rejects a number");
	is_str(err.message, "expected true or false", "bool type message");
	json_object_put(o);
	o = json_object_new_boolean(1);
	b = false;
	is_str(CODE(so_read_bool(o, &p, "b", &b, &err)), CODE(SO_OK), "so_read_bool reads true");
	ok(b, "so_read_bool stores true");
	json_object_put(o);
	is_str(CODE(so_read_bool(NULL, &p, "b", &b, &err)), CODE(SO_ERR_TYPE),
		   "so_read_bool rejects null");
	is_str(err.found, "null", "null renders as null");
}

static void
test_keys_and_render(void)
{
	static const char *const known[] = {"alpha", "beta", "gamma", NULL};
	so_error	err;
	so_path		p;
	struct json_object *root;
	const char *doc = "{\"alpha\": 1, \"be\\\"ta\": 2, \"zeta\": 3}";
	char	   *big;
	char	   *bigdoc;

	root = so_json_parse(doc, strlen(doc), "t", &err);
	ok(root != NULL, "key document parses");
	so_path_init(&p);
	so_path_push_key(&p, "sec");
	is_str(CODE(so_check_known_keys(root, &p, known, NULL, &err)), CODE(SO_ERR_UNKNOWN_KEY),
		   "unknown key is found");
	is_str(err.path, "sec.be\"ta", "the first unknown key in document order");
	is_str(err.found, "\"be\\\"ta\"", "found is the key as a JSON string");
	is_str(err.expected, "one of: alpha, beta, gamma", "expected lists the known keys");
	is_str(err.message, "unknown key", "unknown key message");
	is_str(CODE(so_check_known_keys(root, &p, known, "custom", &err)), CODE(SO_ERR_UNKNOWN_KEY),
		   "unknown key with a custom expected");
	is_str(err.expected, "custom", "custom expected is used");
	json_object_put(root);

	doc = "{\"beta\": 1}";
	root = so_json_parse(doc, strlen(doc), "t", &err);
	is_str(CODE(so_check_known_keys(root, &p, known, NULL, &err)), CODE(SO_OK),
		   "known keys pass");
	is_str(so_json_render(root), "{\"beta\":1}", "render is plain JSON");
	is_str(so_json_type_name(root), "object", "type name object");
	json_object_put(root);
	is_str(so_json_render(NULL), "null", "render NULL");
	is_str(so_json_type_name(NULL), "null", "type name null");

	doc = "{\"a\": [\"a/b\", 1.5, 2, true]}";
	root = so_json_parse(doc, strlen(doc), "t", &err);
	ok(root != NULL, "render document parses");
	{
		struct json_object *a = NULL;

		json_object_object_get_ex(root, "a", &a);
		is_str(so_json_render(a), "[\"a/b\",1.5,2,true]", "render keeps / and number text");
		is_str(so_json_type_name(a), "array", "type name array");
		is_str(so_json_type_name(json_object_array_get_idx(a, 0)), "string", "type name string");
		is_str(so_json_type_name(json_object_array_get_idx(a, 1)), "number", "type name double");
		is_str(so_json_type_name(json_object_array_get_idx(a, 2)), "number", "type name int");
		is_str(so_json_type_name(json_object_array_get_idx(a, 3)), "boolean", "type name boolean");
	}
	json_object_put(root);

	/* a huge value as found is cut by so_error_set */
	big = repeat("123456789,", 50000);
	bigdoc = fmt("{\"a\": [%s0]}", big);
	root = so_json_parse(bigdoc, strlen(bigdoc), "t", &err);
	{
		struct json_object *a = NULL;

		json_object_object_get_ex(root, "a", &a);
		so_error_set(&err, SO_ERR_TYPE, "a", "m", "e", so_json_render(a));
		is_int(strlen(err.found), SO_ERR_FOUND_LEN - 1, "huge found is truncated");
		ok(strncmp(err.found, "[123456789,", 11) == 0, "huge found starts with the value");
	}
	json_object_put(root);
	free(big);
	free(bigdoc);
}

int
main(void)
{
	test_errors();
	test_paths();
	test_syntax();
	test_limits();
	test_typed_reads();
	test_keys_and_render();
	test_saturated_found();
	return done_testing();
}
