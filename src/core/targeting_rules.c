/*
 * targeting_rules.c: parse and validate a playbook's targeting_rules.
 *
 * Sections are read in a fixed order (physics, geography, demographics,
 * psychographics, behavioral, competition, diffusion, similarity) and,
 * inside each, unknown keys first and then the known keys in reference
 * order, so that the error reported for a document with several problems
 * is deterministic.
 * Absent keys, JSON null and {} sections all mean "no condition". The typed
 * readers of optional keys are in rule_keys.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "rule_keys.h"
#include "targeting_rules.h"

#define INT32_LIMIT INT64_C(2147483647)
/* The most stormops.top_k keeps (src/pg/similarity_search.c): checked here, before any query. */
#define TOP_K_LIMIT INT64_C(10000000)

static bool
all_digits(const char *s, size_t len, size_t want)
{
	if (len != want)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const char *
check_zip(const char *s, size_t len)
{
	return all_digits(s, len, 5) ? NULL : "not a 5-digit ZIP code";
}

static const char *
check_tract(const char *s, size_t len)
{
	return all_digits(s, len, 11) ? NULL : "not an 11-digit census tract GEOID";
}

static const char *
check_ses_tier(const char *s, size_t len)
{
	(void) len;
	if (strcmp(s, "High") == 0 || strcmp(s, "Medium") == 0 || strcmp(s, "Low") == 0)
		return NULL;
	return "not an SES tier";
}

/* ---- sections ---- */

static const char *const physics_keys[] = {
	"min_sii_score", "max_days_since_storm", "roof_age_min", "roof_age_max", NULL
};

static int
parse_physics(struct json_object *root, so_path *p, so_targeting *t, so_error *err)
{
	struct json_object *sec;
	size_t		prev;
	int			rc;

	rc = so_rule_open_section(root, p, "physics", physics_keys,
					  "an object of storm and roof conditions, e.g. {\"min_sii_score\": 70}, or null",
					  &sec, &prev, err);
	if (rc == SO_OK)
		rc = so_rule_opt_number(sec, p, "min_sii_score", 0, 100,
						"a number from 0 to 100 (the minimum storm impact index)",
						&t->physics.min_sii_score, err);
	if (rc == SO_OK)
		rc = so_rule_opt_number(sec, p, "max_days_since_storm", 0, 36500,
						"a number of days from 0 to 36500 (fractions allowed)",
						&t->physics.max_days_since_storm, err);
	if (rc == SO_OK)
		rc = so_rule_opt_integer(sec, p, "roof_age_min", 0, INT32_LIMIT,
						 "a whole number of years from 0 to 2147483647",
						 &t->physics.roof_age_min, err);
	if (rc == SO_OK)
		rc = so_rule_opt_integer(sec, p, "roof_age_max", 0, INT32_LIMIT,
						 "a whole number of years from 0 to 2147483647",
						 &t->physics.roof_age_max, err);
	if (rc == SO_OK && t->physics.roof_age_min.set && t->physics.roof_age_max.set &&
		t->physics.roof_age_min.value > t->physics.roof_age_max.value)
	{
		size_t		kprev = so_path_push_key(p, "roof_age_min");

		rc = so_error_set(err, SO_ERR_CONFLICT, p->buf,
						  "roof_age_min is greater than roof_age_max",
						  "a roof_age_min no greater than roof_age_max",
						  so_json_render(so_json_get_key(sec, "roof_age_min")));
		so_path_pop(p, kprev);
	}
	so_path_pop(p, prev);
	return rc;
}

static const char *const geography_keys[] = {
	"zips", "tracts", "custom_polygon", NULL
};

static int
parse_geography(struct json_object *root, so_path *p, so_targeting *t, so_error *err)
{
	struct json_object *sec;
	struct json_object *poly;
	size_t		prev;
	int			rc;

	rc = so_rule_open_section(root, p, "geography", geography_keys,
					  "an object of area conditions, e.g. {\"zips\": [\"75034\"]}, or null",
					  &sec, &prev, err);
	if (rc == SO_OK)
		rc = so_rule_opt_strlist(sec, p, "zips",
						 "an array of 5-digit ZIP code strings, e.g. [\"75034\"]",
						 "a 5-digit ZIP code string, e.g. \"75034\"",
						 check_zip, &t->geography.zips, err);
	if (rc == SO_OK)
		rc = so_rule_opt_strlist(sec, p, "tracts",
						 "an array of 11-digit census tract GEOID strings, e.g. [\"48113010101\"]",
						 "an 11-digit census tract GEOID string, e.g. \"48113010101\"",
						 check_tract, &t->geography.tracts, err);
	if (rc == SO_OK && (poly = so_json_get_key(sec, "custom_polygon")) != NULL)
	{
		size_t		kprev = so_path_push_key(p, "custom_polygon");

		rc = so_geo_polygon_from_json(poly, p->buf,
									  &t->geography.custom_polygon, err);
		so_path_pop(p, kprev);
	}
	so_path_pop(p, prev);
	return rc;
}

static const char *const demographics_keys[] = {
	"ses_tiers", "min_median_income", "homeownership_rate_min", NULL
};

static int
parse_demographics(struct json_object *root, so_path *p, so_targeting *t, so_error *err)
{
	struct json_object *sec;
	size_t		prev;
	int			rc;

	rc = so_rule_open_section(root, p, "demographics", demographics_keys,
					  "an object of household conditions, e.g. {\"ses_tiers\": [\"High\"]}, or null",
					  &sec, &prev, err);
	if (rc == SO_OK)
		rc = so_rule_opt_strlist(sec, p, "ses_tiers",
						 "an array of SES tiers: \"High\", \"Medium\", \"Low\"",
						 "one of \"High\", \"Medium\", \"Low\" (case-sensitive)",
						 check_ses_tier, &t->demographics.ses_tiers, err);
	if (rc == SO_OK)
		rc = so_rule_opt_number(sec, p, "min_median_income", 0, 1e9,
						"a number of dollars from 0 to 1000000000 (the minimum median household income)",
						&t->demographics.min_median_income, err);
	if (rc == SO_OK)
		rc = so_rule_opt_number(sec, p, "homeownership_rate_min", 0, 1,
						"a rate from 0 to 1 (the minimum share of owner-occupied homes)",
						&t->demographics.homeownership_rate_min, err);
	so_path_pop(p, prev);
	return rc;
}

static const char *const psychographics_keys[] = {
	"personas", "exclude_personas", NULL
};

static int
parse_psychographics(struct json_object *root, so_path *p, so_targeting *t, so_error *err)
{
	struct json_object *sec;
	size_t		prev;
	int			rc;

	rc = so_rule_open_section(root, p, "psychographics", psychographics_keys,
					  "an object of persona conditions, e.g. {\"personas\": [\"Proof_Seeker\"]}, or null",
					  &sec, &prev, err);
	if (rc == SO_OK)
		rc = so_rule_opt_strlist(sec, p, "personas",
						 "an array of persona names, e.g. [\"Proof_Seeker\"]",
						 "a persona name: a non-empty string of at most 256 characters",
						 NULL, &t->psychographics.personas, err);
	if (rc == SO_OK)
		rc = so_rule_opt_strlist(sec, p, "exclude_personas",
						 "an array of persona names to leave out, e.g. [\"Budget_Hunter\"]",
						 "a persona name: a non-empty string of at most 256 characters",
						 NULL, &t->psychographics.exclude_personas, err);
	so_path_pop(p, prev);
	return rc;
}

static const char *const behavioral_keys[] = {
	"prior_touchpoints_max", "response_rate_min", "exclude_recent_converts",
	"past_customers_only", NULL
};

static int
parse_behavioral(struct json_object *root, so_path *p, so_targeting *t, so_error *err)
{
	struct json_object *sec;
	size_t		prev;
	int			rc;

	rc = so_rule_open_section(root, p, "behavioral", behavioral_keys,
					  "an object of contact-history conditions, e.g. {\"prior_touchpoints_max\": 5}, or null",
					  &sec, &prev, err);
	if (rc == SO_OK)
		rc = so_rule_opt_integer(sec, p, "prior_touchpoints_max", 0, INT32_LIMIT,
						 "a whole number of earlier contacts from 0 to 2147483647",
						 &t->behavioral.prior_touchpoints_max, err);
	if (rc == SO_OK)
		rc = so_rule_opt_number(sec, p, "response_rate_min", 0, 1,
						"a rate from 0 to 1 (the minimum past response rate)",
						&t->behavioral.response_rate_min, err);
	if (rc == SO_OK)
		rc = so_rule_opt_bool(sec, p, "exclude_recent_converts",
					  "true or false: leave out recently converted households",
					  &t->behavioral.exclude_recent_converts, err);
	if (rc == SO_OK)
		rc = so_rule_opt_bool(sec, p, "past_customers_only",
					  "true or false: target past customers only",
					  &t->behavioral.past_customers_only, err);
	so_path_pop(p, prev);
	return rc;
}

static const char *const competition_keys[] = {
	"competitor_pressure_max", "white_space_score_min", NULL
};

static int
parse_competition(struct json_object *root, so_path *p, so_targeting *t, so_error *err)
{
	struct json_object *sec;
	size_t		prev;
	int			rc;

	rc = so_rule_open_section(root, p, "competition", competition_keys,
					  "an object of competition conditions, e.g. {\"competitor_pressure_max\": 0.5}, or null",
					  &sec, &prev, err);
	if (rc == SO_OK)
		rc = so_rule_opt_number(sec, p, "competitor_pressure_max", 0, 1,
						"a number from 0 to 1 (the maximum competitor pressure)",
						&t->competition.competitor_pressure_max, err);
	if (rc == SO_OK)
		rc = so_rule_opt_number(sec, p, "white_space_score_min", 0, 100,
						"a number from 0 to 100 (the minimum white-space score)",
						&t->competition.white_space_score_min, err);
	so_path_pop(p, prev);
	return rc;
}

static const char *const diffusion_keys[] = {"min_score", NULL};

static int
parse_diffusion(struct json_object *root, so_path *p, so_targeting *t, so_error *err)
{
	struct json_object *sec;
	size_t		prev;
	int			rc;

	rc = so_rule_open_section(root, p, "diffusion", diffusion_keys,
					  "an object of diffusion conditions, e.g. {\"min_score\": 90}, or null",
					  &sec, &prev, err);
	if (rc == SO_OK)
		rc = so_rule_opt_number(sec, p, "min_score", 0, 100,
						"a number from 0 to 100 (the minimum percentile of the diffusion score)",
						&t->diffusion.min_score, err);
	so_path_pop(p, prev);
	return rc;
}

static const char *const similarity_keys[] = {
	"enabled", "mode", "reference_property_ids", "reference_tract_ids",
	"similarity_threshold", "top_k", "top_k_tracts", "properties_per_tract", NULL
};

/* Which mode each similarity key belongs to; -1 for both. */
static int
similarity_key_mode(const char *key)
{
	if (strcmp(key, "reference_property_ids") == 0 || strcmp(key, "top_k") == 0)
		return SO_SIM_PROPERTY;
	if (strcmp(key, "reference_tract_ids") == 0 || strcmp(key, "top_k_tracts") == 0 ||
		strcmp(key, "properties_per_tract") == 0)
		return SO_SIM_NEIGHBORHOOD;
	return -1;
}

static const char *
mode_name(so_similarity_mode mode)
{
	return mode == SO_SIM_NEIGHBORHOOD ? "neighborhood_embedding" : "property";
}

/* A key of the other mode is an error even when its value would be valid. */
static int
check_mode_key(struct json_object *sec, so_path *p, const char *key,
			   so_similarity_mode mode, so_error *err)
{
	struct json_object *v = so_json_get_key(sec, key);
	int			key_mode = similarity_key_mode(key);
	char		msg[SO_ERR_TEXT_LEN];
	char		expected[SO_ERR_TEXT_LEN];
	size_t		prev;

	if (v == NULL || key_mode < 0 || key_mode == (int) mode)
		return SO_OK;
	snprintf(msg, sizeof(msg), "%s belongs to mode %s",
			 key, mode_name((so_similarity_mode) key_mode));
	snprintf(expected, sizeof(expected),
			 "no %s in mode %s (it belongs to \"mode\": \"%s\")",
			 key, mode_name(mode), mode_name((so_similarity_mode) key_mode));
	prev = so_path_push_key(p, key);
	so_error_set(err, SO_ERR_CONFLICT, p->buf, msg, expected, so_json_render(v));
	so_path_pop(p, prev);
	return SO_ERR_CONFLICT;
}

static int
require_key(struct json_object *sec, so_path *p, const char *key,
			const char *message, const char *expected, so_error *err)
{
	size_t		prev;

	if (so_json_get_key(sec, key) != NULL)
		return SO_OK;
	prev = so_path_push_key(p, key);
	so_error_set(err, SO_ERR_MISSING, p->buf, message, expected, "");
	so_path_pop(p, prev);
	return SO_ERR_MISSING;
}

#define EXPECT_PROPERTY_REFS \
	"an array of reference property ids or cohort names, e.g. [\"top_50_high_margin_conversions\"]"
#define EXPECT_TRACT_REFS \
	"an array of 11-digit census tract GEOID strings, e.g. [\"48113010101\"]"

static int
parse_similarity(struct json_object *root, so_path *p, so_targeting *t, so_error *err)
{
	struct json_object *sec;
	struct json_object *v;
	size_t		prev;
	int			rc;
	so_similarity_mode mode = SO_SIM_PROPERTY;

	rc = so_rule_open_section(root, p, "similarity", similarity_keys,
					  "an object of look-alike settings, e.g. {\"enabled\": true, \"reference_property_ids\": [\"...\"]}, or null",
					  &sec, &prev, err);
	if (rc == SO_OK)
		rc = so_rule_opt_bool(sec, p, "enabled",
					  "true or false: say whether similarity targeting is on",
					  &t->similarity.enabled, err);
	if (rc == SO_OK && sec != NULL && so_json_get_key(sec, "enabled") == NULL)
	{
		struct json_object_iterator it = json_object_iter_begin(sec);
		struct json_object_iterator end = json_object_iter_end(sec);

		for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		{
			if (json_object_iter_peek_value(&it) != NULL &&
				strcmp(json_object_iter_peek_name(&it), "enabled") != 0)
			{
				rc = require_key(sec, p, "enabled",
								 "enabled is required when other similarity keys are set",
								 "true or false: say whether similarity targeting is on",
								 err);
				break;
			}
		}
	}
	if (rc == SO_OK && (v = so_json_get_key(sec, "mode")) != NULL)
	{
		const char *s;
		size_t		kprev = so_path_push_key(p, "mode");

		rc = so_read_string(v, p, "\"property\" or \"neighborhood_embedding\"",
							&s, NULL, err);
		if (rc == SO_OK)
		{
			if (strcmp(s, "property") == 0)
				mode = SO_SIM_PROPERTY;
			else if (strcmp(s, "neighborhood_embedding") == 0)
				mode = SO_SIM_NEIGHBORHOOD;
			else
				rc = so_error_set(err, SO_ERR_FORMAT, p->buf, "unknown mode",
								  "\"property\" or \"neighborhood_embedding\"",
								  so_json_render(v));
		}
		so_path_pop(p, kprev);
	}
	t->similarity.mode = mode;

	/* the remaining keys in reference order, each checked against the mode */
	if (rc == SO_OK)
		rc = check_mode_key(sec, p, "reference_property_ids", mode, err);
	if (rc == SO_OK)
		rc = so_rule_opt_strlist(sec, p, "reference_property_ids", EXPECT_PROPERTY_REFS,
						 "a reference property id or cohort name: a non-empty string of at most 256 characters",
						 NULL, &t->similarity.reference_property_ids, err);
	if (rc == SO_OK)
		rc = check_mode_key(sec, p, "reference_tract_ids", mode, err);
	if (rc == SO_OK)
		rc = so_rule_opt_strlist(sec, p, "reference_tract_ids", EXPECT_TRACT_REFS,
						 "an 11-digit census tract GEOID string, e.g. \"48113010101\"",
						 check_tract, &t->similarity.reference_tract_ids, err);
	if (rc == SO_OK)
	{
		if (mode == SO_SIM_PROPERTY)
			rc = so_rule_opt_number(sec, p, "similarity_threshold", -1, 1,
							"a cosine similarity from -1 to 1 (mode property)",
							&t->similarity.similarity_threshold, err);
		else
			rc = so_rule_opt_number(sec, p, "similarity_threshold", 0, 1,
							"a similarity from 0 to 1 (mode neighborhood_embedding)",
							&t->similarity.similarity_threshold, err);
	}
	if (rc == SO_OK)
		rc = check_mode_key(sec, p, "top_k", mode, err);
	if (rc == SO_OK)
		rc = so_rule_opt_integer(sec, p, "top_k", 1, TOP_K_LIMIT,
						 "a whole number of look-alike properties from 1 to 10000000",
						 &t->similarity.top_k, err);
	if (rc == SO_OK)
		rc = check_mode_key(sec, p, "top_k_tracts", mode, err);
	if (rc == SO_OK)
		rc = so_rule_opt_integer(sec, p, "top_k_tracts", 1, TOP_K_LIMIT,
						 "a whole number of look-alike tracts from 1 to 10000000",
						 &t->similarity.top_k_tracts, err);
	if (rc == SO_OK)
		rc = check_mode_key(sec, p, "properties_per_tract", mode, err);
	if (rc == SO_OK)
		rc = so_rule_opt_integer(sec, p, "properties_per_tract", 1, INT32_LIMIT,
						 "a whole number of properties per tract from 1 to 2147483647",
						 &t->similarity.properties_per_tract, err);

	if (rc == SO_OK && t->similarity.enabled)
	{
		if (mode == SO_SIM_PROPERTY)
			rc = require_key(sec, p, "reference_property_ids",
							 "reference_property_ids is required when similarity is enabled",
							 EXPECT_PROPERTY_REFS, err);
		else
			rc = require_key(sec, p, "reference_tract_ids",
							 "reference_tract_ids is required when similarity is enabled",
							 EXPECT_TRACT_REFS, err);
	}
	so_path_pop(p, prev);
	return rc;
}

/* ---- entry points ---- */

static const char *const root_keys[] = {
	"physics", "geography", "demographics", "psychographics", "behavioral",
	"competition", "diffusion", "similarity", NULL
};

int
so_targeting_parse(const char *json, size_t len, so_targeting **out, so_error *err)
{
	struct json_object *root;

	*out = NULL;
	root = so_json_parse(json, len, "targeting_rules", err);
	if (root == NULL)
		return err->code;
	return so_targeting_from_json(root, out, err);
}

int
so_targeting_from_json(struct json_object *root, so_targeting **out, so_error *err)
{
	so_targeting *t;
	so_path		p;
	int			rc;

	*out = NULL;
	so_error_clear(err);
	so_path_init(&p);
	t = calloc(1, sizeof(so_targeting));
	if (t == NULL)
		rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory",
						  "targeting_rules", "");
	else
		rc = so_check_known_keys(root, &p, root_keys, NULL, err);
	if (rc == SO_OK)
		rc = parse_physics(root, &p, t, err);
	if (rc == SO_OK)
		rc = parse_geography(root, &p, t, err);
	if (rc == SO_OK)
		rc = parse_demographics(root, &p, t, err);
	if (rc == SO_OK)
		rc = parse_psychographics(root, &p, t, err);
	if (rc == SO_OK)
		rc = parse_behavioral(root, &p, t, err);
	if (rc == SO_OK)
		rc = parse_competition(root, &p, t, err);
	if (rc == SO_OK)
		rc = parse_diffusion(root, &p, t, err);
	if (rc == SO_OK)
		rc = parse_similarity(root, &p, t, err);

	json_object_put(root);
	if (rc != SO_OK)
	{
		so_targeting_free(t);
		return rc;
	}
	*out = t;
	return SO_OK;
}

static void
strlist_free(so_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void
so_targeting_free(so_targeting *rules)
{
	if (rules == NULL)
		return;
	strlist_free(&rules->geography.zips);
	strlist_free(&rules->geography.tracts);
	so_geo_polygon_free(rules->geography.custom_polygon);
	strlist_free(&rules->demographics.ses_tiers);
	strlist_free(&rules->psychographics.personas);
	strlist_free(&rules->psychographics.exclude_personas);
	strlist_free(&rules->similarity.reference_property_ids);
	strlist_free(&rules->similarity.reference_tract_ids);
	free(rules);
}

bool
so_targeting_is_empty(const so_targeting *r)
{
	if (r == NULL)
		return true;
	return !r->physics.min_sii_score.set &&
		!r->physics.max_days_since_storm.set &&
		!r->physics.roof_age_min.set &&
		!r->physics.roof_age_max.set &&
		r->geography.zips.n == 0 &&
		r->geography.tracts.n == 0 &&
		r->geography.custom_polygon == NULL &&
		r->demographics.ses_tiers.n == 0 &&
		!r->demographics.min_median_income.set &&
		!r->demographics.homeownership_rate_min.set &&
		r->psychographics.personas.n == 0 &&
		r->psychographics.exclude_personas.n == 0 &&
		!r->behavioral.prior_touchpoints_max.set &&
		!r->behavioral.response_rate_min.set &&
		!r->behavioral.exclude_recent_converts &&
		!r->behavioral.past_customers_only &&
		!r->competition.competitor_pressure_max.set &&
		!r->competition.white_space_score_min.set &&
		!r->diffusion.min_score.set &&
		!r->similarity.enabled;
}
