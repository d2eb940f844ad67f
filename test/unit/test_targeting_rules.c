/*
 * test_targeting_rules.c: so_targeting_parse against the reference semantics.
 *
 * Documents are written with ' for " (see test_util.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "targeting_rules.h"
#include "tap.h"
#include "test_util.h"

#define CODE(c) so_errcode_name(c)

static const char *const frisco_alpha =
"{\"physics\": {\"min_sii_score\": 75, \"max_days_since_storm\": 14}, \"geography\": {\"zips\": [\"75034\", \"75035\"]}, \"demographics\": {\"ses_tiers\": [\"High\"], \"min_median_income\": 100000}, \"psychographics\": {\"personas\": [\"Proof_Seeker\", \"Status_Conscious\"]}, \"competition\": {\"competitor_pressure_max\": 0.4, \"white_space_score_min\": 60}, \"similarity\": {\"enabled\": true, \"reference_property_ids\": [\"top_50_high_margin_conversions\"], \"similarity_threshold\": 0.8, \"top_k\": 300}}";

static const char *const loyalty_dfw =
"{\"physics\": {\"min_sii_score\": 60, \"max_days_since_storm\": 45}, \"geography\": {\"zips\": [\"75230\", \"75225\"]}, \"demographics\": {\"ses_tiers\": [\"High\"], \"min_median_income\": 90000}, \"behavioral\": {\"prior_touchpoints_max\": 10, \"response_rate_min\": 0.3, \"past_customers_only\": true}, \"competition\": {\"competitor_pressure_max\": 0.8}, \"similarity\": {\"enabled\": false}}";

static const char *const expansion_lookalike =
"{\"physics\": {\"min_sii_score\": 70, \"max_days_since_storm\": 30}, \"geography\": {\"zips\": null}, \"demographics\": {\"ses_tiers\": [\"High\", \"Medium\"]}, \"similarity\": {\"enabled\": true, \"mode\": \"neighborhood_embedding\", \"reference_tract_ids\": [\"48113010101\", \"48113010102\"], \"similarity_threshold\": 0.85, \"top_k_tracts\": 10, \"properties_per_tract\": 50}}";

/*
 * Parse json (translated by sq() unless raw) and check the code, and on
 * error the path and that nothing is returned. Returns the rules, if any.
 */
static so_targeting *
tr_parse(int line, const char *json, bool raw, so_errcode code, const char *path,
		 so_error *err_out)
{
	char	   *j = raw ? fmt("%s", json) : sq(json);
	so_targeting *t = (so_targeting *) &t;	/* must be overwritten */
	so_error	err;
	char		d[160];
	int			rc;

	so_error_clear(&err);
	rc = so_targeting_parse(j, strlen(j), &t, &err);
	describe(d, sizeof(d), line, j);
	is_str(CODE(rc), CODE(code), "%s: code", d);
	if (rc != (int) code && rc != SO_OK)
		diag("unexpected error at '%s': %s (found %s)", err.path, err.message, err.found);
	if (code != SO_OK)
	{
		is_str(err.path, path, "%s: path", d);
		ok(t == NULL, "%s: *out is NULL", d);
		ok(err.message[0] != '\0' && err.expected[0] != '\0',
		   "%s: message and expected are filled", d);
	}
	else
		ok(t != NULL && err.code == SO_OK, "%s: returns rules", d);
	if (err_out != NULL)
		*err_out = err;
	if (t == (so_targeting *) &t)
		t = NULL;
	free(j);
	return t;
}

#define PARSE_OK(json) tr_parse(__LINE__, json, false, SO_OK, "", NULL)
#define OK(json) so_targeting_free(tr_parse(__LINE__, json, false, SO_OK, "", NULL))
#define ERR(json, code, path) so_targeting_free(tr_parse(__LINE__, json, false, code, path, NULL))
#define ERR_RAW(json, code, path) so_targeting_free(tr_parse(__LINE__, json, true, code, path, NULL))
#define OK_RAW(json) so_targeting_free(tr_parse(__LINE__, json, true, SO_OK, "", NULL))
#define ERR_DETAIL(json, code, path, errp) \
	so_targeting_free(tr_parse(__LINE__, json, false, code, path, errp))

static void
test_seeds(void)
{
	so_targeting *t;

	t = tr_parse(__LINE__, frisco_alpha, true, SO_OK, "", NULL);
	if (t != NULL)
	{
		ok(t->physics.min_sii_score.set && t->physics.min_sii_score.value == 75, "frisco: min_sii_score");
		ok(t->physics.max_days_since_storm.set && t->physics.max_days_since_storm.value == 14, "frisco: days");
		is_int(t->geography.zips.n, 2, "frisco: two zips");
		is_str(t->geography.zips.items[1], "75035", "frisco: second zip");
		is_int(t->demographics.ses_tiers.n, 1, "frisco: one tier");
		is_str(t->demographics.ses_tiers.items[0], "High", "frisco: tier");
		ok(t->demographics.min_median_income.value == 100000, "frisco: income");
		is_str(t->psychographics.personas.items[1], "Status_Conscious", "frisco: persona");
		ok(t->competition.competitor_pressure_max.value == 0.4, "frisco: pressure");
		ok(t->competition.white_space_score_min.value == 60, "frisco: white space");
		ok(t->similarity.enabled, "frisco: similarity on");
		is_int(t->similarity.mode, SO_SIM_PROPERTY, "frisco: default mode is property");
		is_str(t->similarity.reference_property_ids.items[0], "top_50_high_margin_conversions",
			   "frisco: cohort");
		ok(t->similarity.similarity_threshold.value == 0.8, "frisco: threshold");
		is_int(t->similarity.top_k.value, 300, "frisco: top_k");
		ok(!t->physics.roof_age_min.set && t->geography.custom_polygon == NULL,
		   "frisco: absent keys stay unset");
		ok(!so_targeting_is_empty(t), "frisco: not empty");
	}
	so_targeting_free(t);

	t = tr_parse(__LINE__, loyalty_dfw, true, SO_OK, "", NULL);
	if (t != NULL)
	{
		is_int(t->behavioral.prior_touchpoints_max.value, 10, "loyalty: touchpoints");
		ok(t->behavioral.response_rate_min.value == 0.3, "loyalty: response rate");
		ok(t->behavioral.past_customers_only, "loyalty: past customers only");
		ok(!t->behavioral.exclude_recent_converts, "loyalty: converts not excluded");
		ok(!t->similarity.enabled, "loyalty: similarity off");
		ok(!so_targeting_is_empty(t), "loyalty: not empty");
	}
	so_targeting_free(t);

	t = tr_parse(__LINE__, expansion_lookalike, true, SO_OK, "", NULL);
	if (t != NULL)
	{
		is_int(t->geography.zips.n, 0, "expansion: null zips set nothing");
		is_int(t->demographics.ses_tiers.n, 2, "expansion: two tiers");
		is_int(t->similarity.mode, SO_SIM_NEIGHBORHOOD, "expansion: neighborhood mode");
		is_int(t->similarity.reference_tract_ids.n, 2, "expansion: two tracts");
		is_str(t->similarity.reference_tract_ids.items[0], "48113010101", "expansion: tract");
		ok(t->similarity.similarity_threshold.value == 0.85, "expansion: threshold");
		is_int(t->similarity.top_k_tracts.value, 10, "expansion: top_k_tracts");
		is_int(t->similarity.properties_per_tract.value, 50, "expansion: per tract");
		ok(!t->similarity.top_k.set, "expansion: no top_k");
	}
	so_targeting_free(t);
}

/* ---- every numeric key at and beyond its bounds ---- */

typedef struct num_key
{
	const char *section;
	const char *prefix;			/* keys before this one in the section */
	const char *key;
	bool		is_int;
	size_t		offset;			/* of the so_opt_num / so_opt_int */
	const char *lo;
	const char *hi;
	const char *below;
	const char *above;
} num_key;

#define OFF(member) offsetof(so_targeting, member)

static const num_key num_keys[] = {
	{"physics", "", "min_sii_score", false, OFF(physics.min_sii_score), "0", "100", "-0.001", "100.001"},
	{"physics", "", "max_days_since_storm", false, OFF(physics.max_days_since_storm), "0", "36500", "-0.5", "36500.5"},
	{"physics", "", "roof_age_min", true, OFF(physics.roof_age_min), "0", "2147483647", "-1", "2147483648"},
	{"physics", "", "roof_age_max", true, OFF(physics.roof_age_max), "0", "2147483647", "-1", "2147483648"},
	{"demographics", "", "min_median_income", false, OFF(demographics.min_median_income), "0", "1000000000", "-0.01", "1000000000.01"},
	{"demographics", "", "homeownership_rate_min", false, OFF(demographics.homeownership_rate_min), "0", "1", "-0.0001", "1.0001"},
	{"behavioral", "", "prior_touchpoints_max", true, OFF(behavioral.prior_touchpoints_max), "0", "2147483647", "-1", "2147483648"},
	{"behavioral", "", "response_rate_min", false, OFF(behavioral.response_rate_min), "0", "1", "-0.0001", "1.0001"},
	{"competition", "", "competitor_pressure_max", false, OFF(competition.competitor_pressure_max), "0", "1", "-0.0001", "1.0001"},
	{"competition", "", "white_space_score_min", false, OFF(competition.white_space_score_min), "0", "100", "-0.0001", "100.0001"},
	{"diffusion", "", "min_score", false, OFF(diffusion.min_score), "0", "100", "-0.0001", "100.0001"},
	{"similarity", "'enabled': false, ", "similarity_threshold", false, OFF(similarity.similarity_threshold), "-1", "1", "-1.0001", "1.0001"},
	{"similarity", "'enabled': false, ", "top_k", true, OFF(similarity.top_k), "1", "10000000", "0", "10000001"},
	{"similarity", "'enabled': false, 'mode': 'neighborhood_embedding', ", "similarity_threshold", false, OFF(similarity.similarity_threshold), "0", "1", "-0.0001", "1.0001"},
	{"similarity", "'enabled': false, 'mode': 'neighborhood_embedding', ", "top_k_tracts", true, OFF(similarity.top_k_tracts), "1", "10000000", "0", "10000001"},
	{"similarity", "'enabled': false, 'mode': 'neighborhood_embedding', ", "properties_per_tract", true, OFF(similarity.properties_per_tract), "1", "2147483647", "0", "2147483648"},
};

/* Build {'section': {prefix'key': value}} and parse it. */
static so_targeting *
num_doc(int line, const num_key *k, const char *value, so_errcode code)
{
	char	   *doc = fmt("{'%s': {%s'%s': %s}}", k->section, k->prefix, k->key, value);
	char	   *path = fmt("%s.%s", k->section, k->key);
	so_targeting *t = tr_parse(line, doc, false, code, path, NULL);

	free(doc);
	free(path);
	return t;
}

static bool
is_set(const num_key *k, const so_targeting *t)
{
	if (k->is_int)
		return ((const so_opt_int *) ((const char *) t + k->offset))->set;
	return ((const so_opt_num *) ((const char *) t + k->offset))->set;
}

static void
check_stored(const num_key *k, so_targeting *t, const char *value)
{
	double		want = strtod(value, NULL);

	if (t == NULL)
	{
		ok(0, "%s.%s = %s: no rules to check", k->section, k->key, value);
		return;
	}
	if (k->is_int)
	{
		so_opt_int *o = (so_opt_int *) ((char *) t + k->offset);

		ok(o->set && o->value == (int64_t) want, "%s.%s = %s is stored", k->section, k->key, value);
	}
	else
	{
		so_opt_num *o = (so_opt_num *) ((char *) t + k->offset);

		ok(o->set && o->value == want, "%s.%s = %s is stored", k->section, k->key, value);
	}
}

static void
test_numeric_bounds(void)
{
	for (size_t i = 0; i < sizeof(num_keys) / sizeof(num_keys[0]); i++)
	{
		const num_key *k = &num_keys[i];
		so_targeting *t;
		char	   *v;

		t = num_doc(__LINE__, k, k->lo, SO_OK);
		check_stored(k, t, k->lo);
		so_targeting_free(t);
		t = num_doc(__LINE__, k, k->hi, SO_OK);
		check_stored(k, t, k->hi);
		so_targeting_free(t);

		so_targeting_free(num_doc(__LINE__, k, k->below, SO_ERR_RANGE));
		so_targeting_free(num_doc(__LINE__, k, k->above, SO_ERR_RANGE));
		so_targeting_free(num_doc(__LINE__, k, "1e309", SO_ERR_RANGE));
		so_targeting_free(num_doc(__LINE__, k, "-1e309", SO_ERR_RANGE));
		so_targeting_free(num_doc(__LINE__, k, "100000000000000000000000", SO_ERR_RANGE));
		so_targeting_free(num_doc(__LINE__, k, "-100000000000000000000000", SO_ERR_RANGE));
		so_targeting_free(num_doc(__LINE__, k, "'0.5'", SO_ERR_TYPE));
		so_targeting_free(num_doc(__LINE__, k, "true", SO_ERR_TYPE));
		so_targeting_free(num_doc(__LINE__, k, "[1]", SO_ERR_TYPE));
		so_targeting_free(num_doc(__LINE__, k, "{}", SO_ERR_TYPE));

		/* null is the same as absent */
		t = num_doc(__LINE__, k, "null", SO_OK);
		ok(t != NULL && !is_set(k, t) && so_targeting_is_empty(t),
		   "%s.%s = null sets nothing", k->section, k->key);
		so_targeting_free(t);

		if (k->is_int)
		{
			v = fmt("%s.0", k->lo);
			t = num_doc(__LINE__, k, v, SO_OK);
			check_stored(k, t, k->lo);
			so_targeting_free(t);
			free(v);
			v = fmt("%s.5", k->lo);
			so_targeting_free(num_doc(__LINE__, k, v, SO_ERR_TYPE));
			free(v);
		}
	}
}

static void
test_booleans(void)
{
	so_targeting *t;
	static const char *const keys[][2] = {
		{"behavioral", "exclude_recent_converts"},
		{"behavioral", "past_customers_only"},
	};

	for (size_t i = 0; i < 2; i++)
	{
		char	   *doc = fmt("{'%s': {'%s': true}}", keys[i][0], keys[i][1]);
		char	   *path = fmt("%s.%s", keys[i][0], keys[i][1]);

		t = tr_parse(__LINE__, doc, false, SO_OK, "", NULL);
		ok(t != NULL && !so_targeting_is_empty(t), "%s = true is a condition", path);
		so_targeting_free(t);
		free(doc);

		doc = fmt("{'%s': {'%s': false}}", keys[i][0], keys[i][1]);
		t = tr_parse(__LINE__, doc, false, SO_OK, "", NULL);
		ok(t != NULL && so_targeting_is_empty(t), "%s = false is no condition", path);
		so_targeting_free(t);
		free(doc);

		doc = fmt("{'%s': {'%s': null}}", keys[i][0], keys[i][1]);
		t = tr_parse(__LINE__, doc, false, SO_OK, "", NULL);
		ok(t != NULL && so_targeting_is_empty(t), "%s = null is no condition", path);
		so_targeting_free(t);
		free(doc);

		doc = fmt("{'%s': {'%s': 1}}", keys[i][0], keys[i][1]);
		so_targeting_free(tr_parse(__LINE__, doc, false, SO_ERR_TYPE, path, NULL));
		free(doc);
		doc = fmt("{'%s': {'%s': 'true'}}", keys[i][0], keys[i][1]);
		so_targeting_free(tr_parse(__LINE__, doc, false, SO_ERR_TYPE, path, NULL));
		free(doc);
		free(path);
	}

	t = PARSE_OK("{'behavioral': {'exclude_recent_converts': true}}");
	ok(t != NULL && t->behavioral.exclude_recent_converts, "exclude_recent_converts is stored");
	so_targeting_free(t);
}

static void
test_structure(void)
{
	so_targeting *t;
	so_error	err;

	/* empty rules */
	t = PARSE_OK("{}");
	ok(t != NULL && so_targeting_is_empty(t), "{} is empty");
	so_targeting_free(t);
	t = PARSE_OK("{'physics': null, 'geography': {}, 'demographics': {'ses_tiers': null}, 'psychographics': {}, 'behavioral': null, 'competition': {}, 'similarity': {'enabled': false}}");
	ok(t != NULL && so_targeting_is_empty(t), "null and {} sections and disabled similarity are empty");
	so_targeting_free(t);
	ok(so_targeting_is_empty(NULL), "NULL rules are empty");

	/* unknown sections and keys */
	ERR_DETAIL("{'bogus': {}}", SO_ERR_UNKNOWN_KEY, "bogus", &err);
	is_str(err.found, "\"bogus\"", "unknown section found is the key");
	ok(strstr(err.expected, "physics") && strstr(err.expected, "similarity"),
	   "unknown section expected lists sections");
	ERR("{'Physics': {}}", SO_ERR_UNKNOWN_KEY, "Physics");
	ERR("{'': {}}", SO_ERR_UNKNOWN_KEY, "\"\"");
	ERR("{'physics': {'': 1}}", SO_ERR_UNKNOWN_KEY, "physics.\"\"");
	ERR("{'physics': {'min_sii': 1}}", SO_ERR_UNKNOWN_KEY, "physics.min_sii");
	ERR_DETAIL("{'physics': {'min_sii': 1}}", SO_ERR_UNKNOWN_KEY, "physics.min_sii", &err);
	is_str(err.expected, "one of: min_sii_score, max_days_since_storm, roof_age_min, roof_age_max",
		   "unknown key expected lists the section's keys");
	is_str(err.message, "unknown key", "unknown key message");
	ERR("{'geography': {'zip': ['75034']}}", SO_ERR_UNKNOWN_KEY, "geography.zip");
	ERR("{'demographics': {'income': 1}}", SO_ERR_UNKNOWN_KEY, "demographics.income");
	ERR("{'psychographics': {'persona': ['x']}}", SO_ERR_UNKNOWN_KEY, "psychographics.persona");
	ERR("{'behavioral': {'x': null}}", SO_ERR_UNKNOWN_KEY, "behavioral.x");
	ERR("{'competition': {'x': 1}}", SO_ERR_UNKNOWN_KEY, "competition.x");
	ERR("{'similarity': {'enabled': true, 'k': 1}}", SO_ERR_UNKNOWN_KEY, "similarity.k");

	/* wrong section types */
	ERR("{'physics': 5}", SO_ERR_TYPE, "physics");
	ERR("{'geography': []}", SO_ERR_TYPE, "geography");
	ERR("{'demographics': 'High'}", SO_ERR_TYPE, "demographics");
	ERR("{'psychographics': true}", SO_ERR_TYPE, "psychographics");
	ERR("{'behavioral': [{}]}", SO_ERR_TYPE, "behavioral");
	ERR("{'competition': 0}", SO_ERR_TYPE, "competition");
	ERR_DETAIL("{'similarity': false}", SO_ERR_TYPE, "similarity", &err);
	is_str(err.message, "expected an object", "section type message");
	is_str(err.found, "false", "section type found");

	/* determinism: root keys, then sections in reference order, unknown keys first */
	ERR("{'physics': {'min_sii_score': -1}, 'zzz': 1}", SO_ERR_UNKNOWN_KEY, "zzz");
	ERR("{'similarity': {'bogus': 1}, 'physics': {'min_sii_score': -1}}", SO_ERR_RANGE, "physics.min_sii_score");
	ERR("{'physics': {'min_sii_score': 500, 'zzz': 1}}", SO_ERR_UNKNOWN_KEY, "physics.zzz");
	ERR("{'physics': {'roof_age_max': -1, 'min_sii_score': 500}}", SO_ERR_RANGE, "physics.min_sii_score");
	ERR("{'geography': {'tracts': [], 'zips': []}}", SO_ERR_EMPTY, "geography.zips");
	ERR("{'competition': {'white_space_score_min': -1}, 'behavioral': {'response_rate_min': 2}}",
		SO_ERR_RANGE, "behavioral.response_rate_min");

	/* roof ages */
	ERR_DETAIL("{'physics': {'roof_age_min': 10, 'roof_age_max': 5}}", SO_ERR_CONFLICT,
			   "physics.roof_age_min", &err);
	is_str(err.message, "roof_age_min is greater than roof_age_max", "roof conflict message");
	is_str(err.found, "10", "roof conflict found");
	OK("{'physics': {'roof_age_min': 10, 'roof_age_max': 10}}");
	OK("{'physics': {'roof_age_min': 10, 'roof_age_max': null}}");
	OK("{'physics': {'roof_age_min': 11}}");

	/* generic intake through the parser */
	ERR("{'physics': {'min_sii_score': NaN}}", SO_ERR_SYNTAX, "");
	ERR("{'physics': {'min_sii_score': 70}} trailing", SO_ERR_SYNTAX, "");
	ERR("{'physics': {'min_sii_score': 70}}}", SO_ERR_SYNTAX, "");
	ERR("[{'physics': {}}]", SO_ERR_TYPE, "");
	ERR("null", SO_ERR_TYPE, "");
	ERR("", SO_ERR_SYNTAX, "");
	ERR("{'physics': {'min_sii_score': 1e309}}", SO_ERR_RANGE, "physics.min_sii_score");
	ERR("{'geography': {'zips': ['75034', 'x\\u0000y']}}", SO_ERR_FORMAT, "geography.zips[1]");
	ERR("{'geography\\u0000': {}}", SO_ERR_FORMAT, "");
	{
		char	   *open = repeat("[", 10000);
		char	   *close = repeat("]", 10000);
		char	   *doc = fmt("{'physics': %s%s}", open, close);

		ERR(doc, SO_ERR_TOO_DEEP, "");
		free(doc);
		free(open);
		free(close);
		open = repeat("{'physics': ", 10000);
		close = repeat("}", 10000);
		doc = fmt("%s1%s", open, close);
		ERR(doc, SO_ERR_TOO_DEEP, "");
		free(doc);
		free(open);
		free(close);
	}
	{
		char	   *s = repeat("x", 100000);
		char	   *doc = fmt("{'psychographics': {'personas': ['a', '%s']}}", s);

		ERR(doc, SO_ERR_TOO_LARGE, "psychographics.personas[1]");
		free(doc);
		free(s);
	}
	/* not NUL-terminated input: only len bytes count */
	{
		const char *buf = "{\"physics\": {\"min_sii_score\": 70}}XYZ";

		t = (so_targeting *) &t;
		is_int(so_targeting_parse(buf, strlen(buf) - 3, &t, &err), SO_OK, "len bounds the input");
		ok(t != NULL && t != (so_targeting *) &t, "len-bounded input gives rules");
		so_targeting_free(t);
		t = (so_targeting *) &t;
		is_int(so_targeting_parse(buf, strlen(buf), &t, &err), SO_ERR_SYNTAX, "the full buffer is trailing garbage");
		ok(t == NULL, "*out is NULL on a syntax error");
	}
}

static void
test_lists(void)
{
	so_targeting *t;
	so_error	err;

	/* zips */
	OK("{'geography': {'zips': ['00000', '99999']}}");
	ERR("{'geography': {'zips': []}}", SO_ERR_EMPTY, "geography.zips");
	ERR_DETAIL("{'geography': {'zips': '75034'}}", SO_ERR_TYPE, "geography.zips", &err);
	is_str(err.expected, "an array of 5-digit ZIP code strings, e.g. [\"75034\"]", "zips expected");
	ERR("{'geography': {'zips': {'a': '75034'}}}", SO_ERR_TYPE, "geography.zips");
	ERR("{'geography': {'zips': 75034}}", SO_ERR_TYPE, "geography.zips");
	ERR_DETAIL("{'geography': {'zips': ['75034', '7503']}}", SO_ERR_FORMAT, "geography.zips[1]", &err);
	is_str(err.message, "not a 5-digit ZIP code", "zip format message");
	is_str(err.found, "\"7503\"", "zip format found");
	ERR("{'geography': {'zips': ['750345']}}", SO_ERR_FORMAT, "geography.zips[0]");
	ERR("{'geography': {'zips': ['7503a']}}", SO_ERR_FORMAT, "geography.zips[0]");
	ERR("{'geography': {'zips': [' 7503']}}", SO_ERR_FORMAT, "geography.zips[0]");
	ERR("{'geography': {'zips': ['75034-1234']}}", SO_ERR_FORMAT, "geography.zips[0]");
	ERR("{'geography': {'zips': ['\xef\xbc\x97\xef\xbc\x95\xef\xbc\x90\xef\xbc\x93\xef\xbc\x94']}}",
		SO_ERR_FORMAT, "geography.zips[0]");
	ERR("{'geography': {'zips': ['75034', 75035]}}", SO_ERR_TYPE, "geography.zips[1]");
	ERR("{'geography': {'zips': ['75034', null]}}", SO_ERR_TYPE, "geography.zips[1]");
	ERR("{'geography': {'zips': ['75034', '']}}", SO_ERR_EMPTY, "geography.zips[1]");
	ERR("{'geography': {'zips': [['75034']]}}", SO_ERR_TYPE, "geography.zips[0]");

	/* tracts */
	t = PARSE_OK("{'geography': {'tracts': ['48113010101']}}");
	ok(t != NULL && t->geography.tracts.n == 1 && strcmp(t->geography.tracts.items[0], "48113010101") == 0,
	   "tract is stored");
	so_targeting_free(t);
	ERR("{'geography': {'tracts': []}}", SO_ERR_EMPTY, "geography.tracts");
	ERR("{'geography': {'tracts': ['4811301010']}}", SO_ERR_FORMAT, "geography.tracts[0]");
	ERR("{'geography': {'tracts': ['481130101011']}}", SO_ERR_FORMAT, "geography.tracts[0]");
	ERR("{'geography': {'tracts': ['48113010101', '4811301010x']}}", SO_ERR_FORMAT, "geography.tracts[1]");
	ERR("{'geography': {'tracts': [48113010101]}}", SO_ERR_TYPE, "geography.tracts[0]");
	ERR("{'geography': {'tracts': '48113010101'}}", SO_ERR_TYPE, "geography.tracts");
	/* a failure after a list was copied frees it */
	ERR("{'geography': {'zips': ['75034', '75035'], 'tracts': ['1']}}", SO_ERR_FORMAT, "geography.tracts[0]");

	/* ses tiers */
	t = PARSE_OK("{'demographics': {'ses_tiers': ['High', 'Medium', 'Low']}}");
	ok(t != NULL && t->demographics.ses_tiers.n == 3, "three tiers");
	so_targeting_free(t);
	ERR("{'demographics': {'ses_tiers': []}}", SO_ERR_EMPTY, "demographics.ses_tiers");
	ERR("{'demographics': {'ses_tiers': ['high']}}", SO_ERR_FORMAT, "demographics.ses_tiers[0]");
	ERR("{'demographics': {'ses_tiers': ['High', 'HIGH']}}", SO_ERR_FORMAT, "demographics.ses_tiers[1]");
	ERR("{'demographics': {'ses_tiers': ['High ']}}", SO_ERR_FORMAT, "demographics.ses_tiers[0]");
	ERR("{'demographics': {'ses_tiers': ['Upper']}}", SO_ERR_FORMAT, "demographics.ses_tiers[0]");
	ERR("{'demographics': {'ses_tiers': 'High'}}", SO_ERR_TYPE, "demographics.ses_tiers");
	ERR("{'demographics': {'ses_tiers': [1]}}", SO_ERR_TYPE, "demographics.ses_tiers[0]");

	/* personas */
	{
		char	   *s256 = repeat("p", 256);
		char	   *s257 = repeat("p", 257);
		char	   *doc;

		doc = fmt("{'psychographics': {'personas': ['%s']}}", s256);
		OK(doc);
		free(doc);
		doc = fmt("{'psychographics': {'exclude_personas': ['a', '%s']}}", s257);
		ERR(doc, SO_ERR_TOO_LARGE, "psychographics.exclude_personas[1]");
		free(doc);
		free(s256);
		free(s257);
	}
	t = PARSE_OK("{'psychographics': {'personas': ['Proof_Seeker'], 'exclude_personas': ['Bargain Hunter', '\xc3\xa9']}}");
	ok(t != NULL && t->psychographics.exclude_personas.n == 2 &&
	   strcmp(t->psychographics.exclude_personas.items[1], "\xc3\xa9") == 0,
	   "exclude_personas stored (any non-empty text)");
	so_targeting_free(t);
	ERR("{'psychographics': {'personas': []}}", SO_ERR_EMPTY, "psychographics.personas");
	ERR("{'psychographics': {'exclude_personas': []}}", SO_ERR_EMPTY, "psychographics.exclude_personas");
	ERR("{'psychographics': {'personas': ['']}}", SO_ERR_EMPTY, "psychographics.personas[0]");
	ERR("{'psychographics': {'personas': ['a\\u0000']}}", SO_ERR_FORMAT, "psychographics.personas[0]");
	ERR("{'psychographics': {'personas': [true]}}", SO_ERR_TYPE, "psychographics.personas[0]");
	ERR("{'psychographics': {'exclude_personas': 'x'}}", SO_ERR_TYPE, "psychographics.exclude_personas");
}

static void
test_big_arrays(void)
{
	size_t		n = 50000;
	size_t		bad = 31337;
	size_t		cap = n * 10 + 64;
	char	   *doc = xmalloc(cap);
	size_t		o;
	so_targeting *t;

	o = (size_t) snprintf(doc, cap, "{\"geography\": {\"zips\": [");
	for (size_t i = 0; i < n; i++)
		o += (size_t) snprintf(doc + o, cap - o, "%s\"%05zu\"", i ? "," : "", i);
	snprintf(doc + o, cap - o, "]}}");
	t = tr_parse(__LINE__, doc, true, SO_OK, "", NULL);
	ok(t != NULL && t->geography.zips.n == n, "50000 zips are stored");
	ok(t != NULL && strcmp(t->geography.zips.items[n - 1], "49999") == 0, "last of 50000 zips");
	so_targeting_free(t);

	/* the same with one bad element */
	memcpy(strstr(doc, "\"31337\"") + 1, "3133x", 5);
	{
		char	   *path = fmt("geography.zips[%zu]", bad);

		so_targeting_free(tr_parse(__LINE__, doc, true, SO_ERR_FORMAT, path, NULL));
		free(path);
	}
	free(doc);

	/* 100001 elements are too many */
	{
		char	   *items = repeat("\"75034\",", 100000);

		doc = fmt("{\"geography\": {\"zips\": [%s\"75034\"]}}", items);
		ERR_RAW(doc, SO_ERR_TOO_LARGE, "geography.zips");
		free(doc);
		free(items);
	}
}

static void
test_polygon_key(void)
{
	so_targeting *t;

	t = PARSE_OK("{'geography': {'custom_polygon': {'type': 'Polygon', 'coordinates': [[[-97, 33], [-96, 33], [-96, 34], [-97, 33]]]}}}");
	ok(t != NULL && t->geography.custom_polygon != NULL, "custom_polygon is stored");
	ok(t != NULL && !so_targeting_is_empty(t), "a polygon is a condition");
	ok(t != NULL && so_geo_polygon_contains(t->geography.custom_polygon, -96.5, 33.2),
	   "stored polygon contains a point");
	so_targeting_free(t);
	OK("{'geography': {'custom_polygon': null}}");
	ERR("{'geography': {'custom_polygon': {'type': 'Polygon', 'coordinates': [[[-97, 33], [-96, 33], [-96, 34], [-97, 91]]]}}}",
		SO_ERR_RANGE, "geography.custom_polygon.coordinates[0][3][1]");
	ERR("{'geography': {'custom_polygon': {'type': 'Polygon', 'coordinates': [[[-97, 33], [-96, 33], [-96, 34], [-97, 34]]]}}}",
		SO_ERR_FORMAT, "geography.custom_polygon.coordinates[0]");
	ERR("{'geography': {'custom_polygon': {'type': 'Feature', 'geometry': {}, 'properties': {}}}}",
		SO_ERR_TYPE, "geography.custom_polygon");
	ERR("{'geography': {'custom_polygon': [1, 2]}}", SO_ERR_TYPE, "geography.custom_polygon");
	ERR("{'geography': {'custom_polygon': {'type': 'Polygon', 'coordinates': [[[-97, 33], [-96, 33], [-96, 34], [-97, 1e999]]]}}}",
		SO_ERR_RANGE, "geography.custom_polygon.coordinates[0][3][1]");
	/* zips copied before the polygon fails are freed */
	ERR("{'geography': {'zips': ['75034'], 'tracts': ['48113010101'], 'custom_polygon': {'type': 'Point', 'coordinates': [1, 2]}}}",
		SO_ERR_FORMAT, "geography.custom_polygon.type");
}

static void
test_similarity(void)
{
	so_targeting *t;
	so_error	err;

	ERR_DETAIL("{'similarity': {'top_k': 5}}", SO_ERR_MISSING, "similarity.enabled", &err);
	is_str(err.expected, "true or false: say whether similarity targeting is on", "missing enabled expected");
	is_str(err.found, "", "missing found is empty");
	ERR("{'similarity': {'enabled': null, 'reference_property_ids': ['a']}}", SO_ERR_MISSING, "similarity.enabled");
	ERR("{'similarity': {'mode': 'property'}}", SO_ERR_MISSING, "similarity.enabled");
	t = PARSE_OK("{'similarity': {'enabled': null, 'mode': null, 'top_k': null}}");
	ok(t != NULL && so_targeting_is_empty(t), "all-null similarity is no condition");
	so_targeting_free(t);
	ERR("{'similarity': {'enabled': 'yes'}}", SO_ERR_TYPE, "similarity.enabled");
	ERR("{'similarity': {'enabled': 1}}", SO_ERR_TYPE, "similarity.enabled");

	/* references are required when enabled */
	ERR("{'similarity': {'enabled': true}}", SO_ERR_MISSING, "similarity.reference_property_ids");
	ERR("{'similarity': {'enabled': true, 'reference_property_ids': null, 'top_k': 5}}",
		SO_ERR_MISSING, "similarity.reference_property_ids");
	ERR("{'similarity': {'enabled': true, 'mode': 'neighborhood_embedding'}}",
		SO_ERR_MISSING, "similarity.reference_tract_ids");
	ERR("{'similarity': {'enabled': true, 'reference_property_ids': []}}",
		SO_ERR_EMPTY, "similarity.reference_property_ids");
	ERR("{'similarity': {'enabled': true, 'reference_property_ids': ['']}}",
		SO_ERR_EMPTY, "similarity.reference_property_ids[0]");
	ERR("{'similarity': {'enabled': true, 'mode': 'neighborhood_embedding', 'reference_tract_ids': ['48113010101', '4811301010']}}",
		SO_ERR_FORMAT, "similarity.reference_tract_ids[1]");
	t = PARSE_OK("{'similarity': {'enabled': true, 'mode': 'property', 'reference_property_ids': ['p1', 'cohort_a']}}");
	ok(t != NULL && t->similarity.enabled && t->similarity.reference_property_ids.n == 2 &&
	   !so_targeting_is_empty(t), "explicit property mode");
	so_targeting_free(t);

	/* mode */
	ERR("{'similarity': {'enabled': true, 'mode': 'neighborhood'}}", SO_ERR_FORMAT, "similarity.mode");
	ERR("{'similarity': {'enabled': true, 'mode': 'Property'}}", SO_ERR_FORMAT, "similarity.mode");
	ERR("{'similarity': {'enabled': true, 'mode': 1}}", SO_ERR_TYPE, "similarity.mode");
	ERR("{'similarity': {'enabled': true, 'mode': ''}}", SO_ERR_EMPTY, "similarity.mode");

	/* keys of the other mode */
	ERR_DETAIL("{'similarity': {'enabled': true, 'reference_property_ids': ['a'], 'top_k_tracts': 10}}",
			   SO_ERR_CONFLICT, "similarity.top_k_tracts", &err);
	is_str(err.message, "top_k_tracts belongs to mode neighborhood_embedding", "conflict message");
	ERR("{'similarity': {'enabled': true, 'reference_property_ids': ['a'], 'properties_per_tract': 10}}",
		SO_ERR_CONFLICT, "similarity.properties_per_tract");
	ERR("{'similarity': {'enabled': false, 'reference_tract_ids': ['48113010101']}}",
		SO_ERR_CONFLICT, "similarity.reference_tract_ids");
	ERR_DETAIL("{'similarity': {'enabled': true, 'mode': 'neighborhood_embedding', 'reference_tract_ids': ['48113010101'], 'top_k': 5}}",
			   SO_ERR_CONFLICT, "similarity.top_k", &err);
	is_str(err.message, "top_k belongs to mode property", "conflict message for top_k");
	ERR("{'similarity': {'enabled': true, 'mode': 'neighborhood_embedding', 'reference_property_ids': ['a']}}",
		SO_ERR_CONFLICT, "similarity.reference_property_ids");
	OK("{'similarity': {'enabled': true, 'reference_property_ids': ['a'], 'top_k_tracts': null}}");

	/* thresholds differ by mode */
	OK("{'similarity': {'enabled': true, 'reference_property_ids': ['a'], 'similarity_threshold': -0.5}}");
	ERR("{'similarity': {'enabled': true, 'mode': 'neighborhood_embedding', 'reference_tract_ids': ['48113010101'], 'similarity_threshold': -0.5}}",
		SO_ERR_RANGE, "similarity.similarity_threshold");

	/* disabled: validated, not required, no condition */
	ERR("{'similarity': {'enabled': false, 'top_k': 0}}", SO_ERR_RANGE, "similarity.top_k");
	ERR("{'similarity': {'enabled': false, 'reference_property_ids': []}}", SO_ERR_EMPTY,
		"similarity.reference_property_ids");
	t = PARSE_OK("{'similarity': {'enabled': false, 'reference_property_ids': ['a'], 'top_k': 3}}");
	ok(t != NULL && so_targeting_is_empty(t), "disabled similarity with settings is no condition");
	ok(t != NULL && t->similarity.reference_property_ids.n == 1, "disabled similarity keeps its settings");
	so_targeting_free(t);
	t = PARSE_OK("{'similarity': {'enabled': false, 'mode': 'neighborhood_embedding'}}");
	ok(t != NULL && t->similarity.mode == SO_SIM_NEIGHBORHOOD && so_targeting_is_empty(t),
	   "disabled neighborhood mode is stored but empty");
	so_targeting_free(t);
}

int
main(void)
{
	test_seeds();
	test_numeric_bounds();
	test_booleans();
	test_structure();
	test_lists();
	test_big_arrays();
	test_polygon_key();
	test_similarity();
	return done_testing();
}
