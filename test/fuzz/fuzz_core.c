/*
 * fuzz_core.c: libFuzzer harness for the pure-C core (src/core).
 *
 * Each input is taken as JSON text of exactly `size` bytes (not
 * NUL-terminated: the parsers take pointer and length) and fed to every
 * entry point of the core that reads a document:
 *
 *   so_targeting_parse         (then so_targeting_is_empty, so_targeting_free)
 *   so_channel_strategy_parse  (then so_channel_strategy_free)
 *   so_channel_costs_validate
 *   so_geo_polygon_contains    on a parsed targeting custom_polygon
 *   so_parse_clock_range, so_parse_window   on the raw bytes (settings, timing windows)
 *   so_prob_b_beats_a, so_prob_best, so_choose_*   on the first bytes read as
 *                              Beta parameters and counts (bandit.h)
 *
 * and, independently of the JSON reading, the same bytes are read as a
 * small numeric problem for the learner (fuzz_learning.c) and as points of
 * the diffusion graph (fuzz_graph.c); each file lists its entry points and
 * invariants.
 *
 * Besides the sanitizers (ASan, UBSan, LeakSanitizer), the harness checks the
 * contracts written in the headers and in docs/playbook-reference.md and
 * calls abort() when one does not hold, printing which one first:
 *
 *   on failure: a known non-zero code equal to the return value and to
 *               err.code, every err buffer NUL-terminated within its size,
 *               message and expected filled, and *out == NULL;
 *   on success: err.code == SO_OK, *out != NULL, lists have n > 0 exactly when items != NULL,
 *               every list string is non-empty, NUL-terminated, at most 256
 *               bytes and of the right shape (ZIP, GEOID, SES tier), every
 *               number set is finite and within its documented range, the
 *               similarity keys match the mode, channel steps are numbered
 *               1..n with non-decreasing timing, windows, conditions,
 *               identifiers and success criteria are well formed;
 *   clocks:     a range parses only when 0 <= start < end <= 1440 and the
 *               output is untouched otherwise; a window's days have a name;
 *               intersecting with any range stays inside both;
 *   polygons:   multi/nparts agree, rings have >= 4 positions and are
 *               closed, positions are within lon -180..180 / lat -90..90,
 *               every vertex is contained (edges are inclusive) and points
 *               beyond the valid coordinate range are not;
 *   bandit:     prob_b_beats_a is in [0, 1] or names a parameter that is
 *               <= 0 or not finite; P(best) sums to 1; a choice is an arm
 *               with a propensity in (0, 1].
 *
 * Build and run: test/fuzz/run.sh (or `make fuzz FUZZ_SECONDS=N`).
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bandit.h"
#include "beta_posterior.h"
#include "channel_strategy.h"
#include "geo_polygon.h"
#include "so_error.h"
#include "targeting_rules.h"
#include "targeting_sql.h"
#include "time_window.h"
#include "sql_lexer.h"
#include "fuzz_common.h"

/* Limits from docs/playbook-reference.md (mirrored here on purpose: the
 * harness checks the documented contract, not the implementation's macros). */
#define DOC_MAX_STRING 256
#define DOC_MAX_ARRAY 100000
#define DOC_MAX_POSITIONS 100000
#define DOC_MAX_STEPS 50
#define DOC_MAX_HOURS 8760.0
#define DOC_INT32_MAX INT64_C(2147483647)

/* Vertices checked for containment per ring (keeps large inputs fast). */
#define VERTEX_CHECKS_PER_RING 64


/* A pointer no parser returns, to see that *out is really set. */
static char sentinel_byte;
#define SENTINEL ((void *) &sentinel_byte)

/* ---------------------------------------------------------------- errors */

bool
nul_within(const char *buf, size_t size)
{
	return memchr(buf, '\0', size) != NULL;
}

/* Fill err with non-NUL garbage so the NUL-termination check means something. */
void
poison_error(so_error *err)
{
	memset(err, 0x5A, sizeof(*err));
	err->code = (so_errcode) 0x5A5A;
}

static void
check_error(const char *who, int rc, const so_error *err)
{
	CHECK(rc != SO_OK, "%s: failure path with rc 0", who);
	CHECK(rc > SO_OK && rc <= SO_ERR_INTERRUPTED, "%s: unknown code %d", who, rc);
	CHECK((int) err->code == rc, "%s: err.code %d != rc %d", who, (int) err->code, rc);
	CHECK(strcmp(so_errcode_name(err->code), "unknown") != 0 &&
		  strcmp(so_errcode_name(err->code), "ok") != 0,
		  "%s: code %d has no name", who, rc);
	CHECK(nul_within(err->path, sizeof(err->path)), "%s: err.path not NUL-terminated", who);
	CHECK(nul_within(err->message, sizeof(err->message)),
		  "%s: err.message not NUL-terminated", who);
	CHECK(nul_within(err->expected, sizeof(err->expected)),
		  "%s: err.expected not NUL-terminated", who);
	CHECK(nul_within(err->found, sizeof(err->found)), "%s: err.found not NUL-terminated", who);
	/* test/unit asserts both for every error; the glue turns them into the message and HINT */
	CHECK(err->message[0] != '\0', "%s: empty err.message (code %d, path '%s')",
		  who, rc, err->path);
	CHECK(err->expected[0] != '\0', "%s: empty err.expected (code %d, path '%s': %s)",
		  who, rc, err->path, err->message);
}

/* On success err is cleared (test/unit asserts err.code == SO_OK). */
void
check_cleared(const char *who, const so_error *err)
{
	CHECK(err->code == SO_OK, "%s: success but err.code %d", who, (int) err->code);
}

/* -------------------------------------------------------------- targeting */

static bool
all_digits(const char *s, size_t want)
{
	size_t		n = strlen(s);

	if (n != want)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

typedef enum
{
	ITEM_ANY, ITEM_ZIP, ITEM_TRACT, ITEM_SES
} item_kind;

static void
check_strlist(const char *name, const so_strlist *l, item_kind kind)
{
	CHECK((l->n > 0) == (l->items != NULL), "%s: n=%zu items=%p", name, l->n,
		  (void *) l->items);
	CHECK(l->n <= DOC_MAX_ARRAY, "%s: n=%zu", name, l->n);
	for (size_t i = 0; i < l->n; i++)
	{
		const char *s = l->items[i];
		size_t		len;

		CHECK(s != NULL, "%s[%zu] is NULL", name, i);
		len = strlen(s);		/* ASan catches a missing NUL */
		CHECK(len > 0, "%s[%zu] is empty", name, i);
		CHECK(len <= DOC_MAX_STRING, "%s[%zu] has %zu bytes", name, i, len);
		switch (kind)
		{
			case ITEM_ANY:
				break;
			case ITEM_ZIP:
				CHECK(all_digits(s, 5), "%s[%zu] = '%s' is not a ZIP", name, i, s);
				break;
			case ITEM_TRACT:
				CHECK(all_digits(s, 11), "%s[%zu] = '%s' is not a GEOID", name, i, s);
				break;
			case ITEM_SES:
				CHECK(strcmp(s, "High") == 0 || strcmp(s, "Medium") == 0 ||
					  strcmp(s, "Low") == 0, "%s[%zu] = '%s' is not an SES tier", name, i, s);
				break;
		}
	}
}

static void
check_num(const char *name, const so_opt_num *v, double min, double max)
{
	if (!v->set)
		return;
	CHECK(isfinite(v->value), "%s = %g is not finite", name, v->value);
	CHECK(v->value >= min && v->value <= max, "%s = %.17g outside %g..%g",
		  name, v->value, min, max);
}

static void
check_int(const char *name, const so_opt_int *v, int64_t min, int64_t max)
{
	if (!v->set)
		return;
	CHECK(v->value >= min && v->value <= max, "%s = %lld outside %lld..%lld",
		  name, (long long) v->value, (long long) min, (long long) max);
}

static void
check_polygon(const so_geo_polygon *poly)
{
	size_t		total = 0;

	CHECK(poly->nparts >= 1 && poly->parts != NULL, "polygon: nparts=%zu", poly->nparts);
	CHECK(poly->multi || poly->nparts == 1, "Polygon with %zu parts", poly->nparts);
	for (size_t i = 0; i < poly->nparts; i++)
	{
		const so_geo_part *part = &poly->parts[i];

		CHECK(part->nrings >= 1 && part->rings != NULL, "part %zu: nrings=%zu", i, part->nrings);
		for (size_t r = 0; r < part->nrings; r++)
		{
			const so_geo_ring *ring = &part->rings[r];

			CHECK(ring->n >= 4 && ring->lon != NULL && ring->lat != NULL,
				  "part %zu ring %zu: n=%zu", i, r, ring->n);
			total += ring->n;
			CHECK(total <= DOC_MAX_POSITIONS, "%zu positions", total);
			CHECK(ring->lon[0] == ring->lon[ring->n - 1] &&
				  ring->lat[0] == ring->lat[ring->n - 1],
				  "part %zu ring %zu is not closed", i, r);
			for (size_t j = 0; j < ring->n; j++)
			{
				double		lon = ring->lon[j],
							lat = ring->lat[j];

				CHECK(isfinite(lon) && lon >= -180.0 && lon <= 180.0,
					  "part %zu ring %zu pos %zu: lon %.17g", i, r, j, lon);
				CHECK(isfinite(lat) && lat >= -90.0 && lat <= 90.0,
					  "part %zu ring %zu pos %zu: lat %.17g", i, r, j, lat);
				/* edges are inclusive, so every vertex is inside */
				if (j < VERTEX_CHECKS_PER_RING)
					CHECK(so_geo_polygon_contains(poly, lon, lat),
						  "vertex (%.17g, %.17g) of part %zu ring %zu not contained",
						  lon, lat, i, r);
			}
		}
	}
}

/* Containment probes: the first vertex, the bbox centre, far points. */
static void
probe_polygon(const so_geo_polygon *poly)
{
	const so_geo_ring *shell = &poly->parts[0].rings[0];
	double		minlon = 180,
				maxlon = -180,
				minlat = 90,
				maxlat = -90;
	double		clon,
				clat;
	bool		c1,
				c2;

	CHECK(so_geo_polygon_contains(poly, shell->lon[0], shell->lat[0]),
		  "first vertex (%.17g, %.17g) not contained", shell->lon[0], shell->lat[0]);

	for (size_t i = 0; i < poly->nparts; i++)
		for (size_t r = 0; r < poly->parts[i].nrings; r++)
		{
			const so_geo_ring *ring = &poly->parts[i].rings[r];

			for (size_t j = 0; j < ring->n; j++)
			{
				minlon = fmin(minlon, ring->lon[j]);
				maxlon = fmax(maxlon, ring->lon[j]);
				minlat = fmin(minlat, ring->lat[j]);
				maxlat = fmax(maxlat, ring->lat[j]);
			}
		}
	clon = minlon / 2 + maxlon / 2;
	clat = minlat / 2 + maxlat / 2;
	c1 = so_geo_polygon_contains(poly, clon, clat);
	c2 = so_geo_polygon_contains(poly, clon, clat);
	CHECK(c1 == c2, "containment of the bbox centre is not deterministic");

	/* nothing lies beyond the valid coordinate range */
	CHECK(!so_geo_polygon_contains(poly, 1000.0, clat), "(1000, %.17g) contained", clat);
	CHECK(!so_geo_polygon_contains(poly, 1000.0, shell->lat[0]),
		  "(1000, %.17g) contained", shell->lat[0]);
	CHECK(!so_geo_polygon_contains(poly, clon, 1000.0), "(%.17g, 1000) contained", clon);
	CHECK(!so_geo_polygon_contains(poly, clon, -1000.0), "(%.17g, -1000) contained", clon);
	CHECK(!so_geo_polygon_contains(NULL, clon, clat), "NULL polygon contains a point");
}

static void
check_targeting(const so_targeting *t)
{
	/* physics */
	check_num("physics.min_sii_score", &t->physics.min_sii_score, 0, 100);
	check_num("physics.max_days_since_storm", &t->physics.max_days_since_storm, 0, 36500);
	check_int("physics.roof_age_min", &t->physics.roof_age_min, 0, DOC_INT32_MAX);
	check_int("physics.roof_age_max", &t->physics.roof_age_max, 0, DOC_INT32_MAX);
	if (t->physics.roof_age_min.set && t->physics.roof_age_max.set)
		CHECK(t->physics.roof_age_min.value <= t->physics.roof_age_max.value,
			  "roof_age_min %lld > roof_age_max %lld",
			  (long long) t->physics.roof_age_min.value,
			  (long long) t->physics.roof_age_max.value);

	/* geography */
	check_strlist("geography.zips", &t->geography.zips, ITEM_ZIP);
	check_strlist("geography.tracts", &t->geography.tracts, ITEM_TRACT);
	if (t->geography.custom_polygon != NULL)
	{
		check_polygon(t->geography.custom_polygon);
		probe_polygon(t->geography.custom_polygon);
	}

	/* demographics */
	check_strlist("demographics.ses_tiers", &t->demographics.ses_tiers, ITEM_SES);
	check_num("demographics.min_median_income", &t->demographics.min_median_income, 0, 1e9);
	check_num("demographics.homeownership_rate_min",
			  &t->demographics.homeownership_rate_min, 0, 1);

	/* psychographics */
	check_strlist("psychographics.personas", &t->psychographics.personas, ITEM_ANY);
	check_strlist("psychographics.exclude_personas",
				  &t->psychographics.exclude_personas, ITEM_ANY);

	/* behavioral */
	check_int("behavioral.prior_touchpoints_max", &t->behavioral.prior_touchpoints_max,
			  0, DOC_INT32_MAX);
	check_num("behavioral.response_rate_min", &t->behavioral.response_rate_min, 0, 1);

	/* competition */
	check_num("competition.competitor_pressure_max",
			  &t->competition.competitor_pressure_max, 0, 1);
	check_num("competition.white_space_score_min",
			  &t->competition.white_space_score_min, 0, 100);

	/* similarity */
	CHECK(t->similarity.mode == SO_SIM_PROPERTY || t->similarity.mode == SO_SIM_NEIGHBORHOOD,
		  "similarity.mode = %d", (int) t->similarity.mode);
	check_strlist("similarity.reference_property_ids",
				  &t->similarity.reference_property_ids, ITEM_ANY);
	check_strlist("similarity.reference_tract_ids",
				  &t->similarity.reference_tract_ids, ITEM_TRACT);
	check_int("similarity.top_k", &t->similarity.top_k, 1, DOC_INT32_MAX);
	check_int("similarity.top_k_tracts", &t->similarity.top_k_tracts, 1, DOC_INT32_MAX);
	check_int("similarity.properties_per_tract", &t->similarity.properties_per_tract,
			  1, DOC_INT32_MAX);
	if (t->similarity.mode == SO_SIM_PROPERTY)
	{
		check_num("similarity.similarity_threshold (property)",
				  &t->similarity.similarity_threshold, -1, 1);
		CHECK(t->similarity.reference_tract_ids.n == 0 && !t->similarity.top_k_tracts.set &&
			  !t->similarity.properties_per_tract.set,
			  "neighborhood keys accepted in mode property");
		if (t->similarity.enabled)
			CHECK(t->similarity.reference_property_ids.n > 0,
				  "similarity enabled without reference_property_ids");
	}
	else
	{
		check_num("similarity.similarity_threshold (neighborhood)",
				  &t->similarity.similarity_threshold, 0, 1);
		CHECK(t->similarity.reference_property_ids.n == 0 && !t->similarity.top_k.set,
			  "property keys accepted in mode neighborhood_embedding");
		if (t->similarity.enabled)
			CHECK(t->similarity.reference_tract_ids.n > 0,
				  "similarity enabled without reference_tract_ids");
	}

	/* so_targeting_is_empty agrees with a few of the conditions */
	if (so_targeting_is_empty(t))
		CHECK(t->geography.zips.n == 0 && t->geography.custom_polygon == NULL &&
			  !t->physics.min_sii_score.set && !t->similarity.enabled,
			  "so_targeting_is_empty is true for rules with conditions");
	if (t->geography.zips.n > 0 || t->physics.min_sii_score.set ||
		t->geography.custom_polygon != NULL)
		CHECK(!so_targeting_is_empty(t), "so_targeting_is_empty ignores a condition");
}

/*
 * The statement and the funnel of valid rules: always produced, every
 * literal closed, and no statement separator outside the literals.
 */
static void
check_compiled_text(const char *what, const char *sql)
{
	char	   *rest;

	CHECK(sql != NULL, "%s: valid rules did not compile", what);
	rest = sql_outside_literals(sql);
	CHECK(rest != NULL, "%s: a literal is left open", what);
	CHECK(strchr(rest, ';') == NULL, "%s: a ';' outside the literals", what);
	CHECK(strstr(rest, "--") == NULL && strstr(rest, "/*") == NULL, "%s: a comment outside the literals", what);
	free(rest);
}

static void
check_compiles(const so_targeting *t)
{
	/* an event id with the characters that matter, and without one */
	const char *events[] = {NULL, "E'1\\'; --"};

	/* every behaviour form, with an event and without */
	for (size_t i = 0; i < 8; i++)
	{
		so_targeting_context ctx = {events[i % 2], "2019-03-27 12:00:00.000000+00", 2019,
		(so_behavior_form) (i / 2)};
		so_error	err;
		char	   *sql = NULL;

		so_targeting_compile(t, &ctx, &sql, &err);
		check_compiled_text("so_targeting_compile", sql);
		free(sql);
		sql = NULL;
		so_targeting_compile_funnel(t, &ctx, &sql, &err);
		check_compiled_text("so_targeting_compile_funnel", sql);
		free(sql);
	}
}

static void
fuzz_targeting(const char *json, size_t len)
{
	so_targeting *t = SENTINEL;
	so_error	err;
	int			rc;

	poison_error(&err);
	rc = so_targeting_parse(json, len, &t, &err);
	if (rc != SO_OK)
	{
		check_error("so_targeting_parse", rc, &err);
		CHECK(t == NULL, "so_targeting_parse: *out not NULL on failure");
		return;
	}
	CHECK(t != NULL && t != SENTINEL, "so_targeting_parse: no rules on success");
	check_cleared("so_targeting_parse", &err);
	check_targeting(t);

	/* compiler: every valid rule set compiles, into text whose literals all close */
	check_compiles(t);

	so_targeting_free(t);
}

/* ------------------------------------------------------- channel strategy */

static bool
is_identifier(const char *s)
{
	size_t		n = strlen(s);

	if (n < 1 || n > 63 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool
is_metric(const char *s)
{
	static const char *const metrics[] = {
		"open_rate", "click_rate", "response_rate", "conversion_rate",
		"complaint_rate", "opt_out_rate", NULL
	};

	for (const char *const *m = metrics; *m != NULL; m++)
		if (strcmp(*m, s) == 0)
			return true;
	return false;
}

static void
check_strategy(const so_channel_strategy *cs)
{
	CHECK(cs->nsteps >= 1 && cs->nsteps <= DOC_MAX_STEPS && cs->steps != NULL,
		  "nsteps=%zu", cs->nsteps);
	for (size_t i = 0; i < cs->nsteps; i++)
	{
		const so_channel_step *st = &cs->steps[i];
		const char *name;
		so_channel	back;

		CHECK(st->step == (int) i + 1, "step %zu numbered %d", i, st->step);
		name = so_channel_name(st->channel);
		CHECK(name != NULL, "step %d: channel %d", st->step, (int) st->channel);
		CHECK(so_channel_from_name(name, &back) && back == st->channel,
			  "step %d: channel name '%s' does not round-trip", st->step, name);
		CHECK(isfinite(st->timing_hours) && st->timing_hours >= 0 &&
			  st->timing_hours <= DOC_MAX_HOURS, "step %d: timing_hours %.17g",
			  st->step, st->timing_hours);
		if (i > 0)
			CHECK(st->timing_hours >= cs->steps[i - 1].timing_hours,
				  "step %d: timing_hours decreases", st->step);
		if (st->has_duration)
			CHECK(isfinite(st->duration_hours) && st->duration_hours > 0 &&
				  st->duration_hours <= DOC_MAX_HOURS, "step %d: duration_hours %.17g",
				  st->step, st->duration_hours);
		switch (st->condition)
		{
			case SO_COND_NONE:
			case SO_COND_ENGAGED:
			case SO_COND_HIGH_LTV:
				break;
			case SO_COND_NO_RESPONSE_TO_STEP:
			case SO_COND_RESPONSE_TO_STEP:
				CHECK(st->condition_step >= 1 && st->condition_step < st->step,
					  "step %d: condition refers to step %d", st->step, st->condition_step);
				break;
			default:
				CHECK(false, "step %d: condition kind %d", st->step, (int) st->condition);
		}
		if (st->has_window)
		{
			CHECK((int) st->window_days >= SO_DAYS_ANY && st->window_days <= SO_DAYS_SUN,
				  "step %d: window days %d", st->step, (int) st->window_days);
			CHECK(st->window_start_min >= 0 && st->window_start_min <= 1439 &&
				  st->window_end_min > st->window_start_min && st->window_end_min <= 1440,
				  "step %d: window %d-%d", st->step, st->window_start_min,
				  st->window_end_min);
		}
		if (st->message_variant != NULL)
			CHECK(is_identifier(st->message_variant), "step %d: message_variant '%s'",
				  st->step, st->message_variant);
		CHECK(st->narms == 0 || (st->narms >= 2 && st->narms <= 10 && st->message_variant == NULL),
			  "step %d: %d arms beside variant %p", st->step, st->narms, (void *) st->message_variant);
		for (int a = 0; a < st->narms; a++)
		{
			CHECK(is_identifier(st->arms[a]), "step %d: arm %d '%s'", st->step, a, st->arms[a]);
			for (int b = 0; b < a; b++)
				CHECK(strcmp(st->arms[a], st->arms[b]) != 0, "step %d: arm '%s' twice", st->step,
					  st->arms[a]);
		}
		if (st->offer_type != NULL)
			CHECK(is_identifier(st->offer_type), "step %d: offer_type '%s'",
				  st->step, st->offer_type);
		CHECK(st->has_success == (st->success_metric != NULL),
			  "step %d: has_success %d, metric %p", st->step, (int) st->has_success,
			  (void *) st->success_metric);
		if (st->has_success)
		{
			CHECK(is_metric(st->success_metric), "step %d: metric '%s'", st->step,
				  st->success_metric);
			CHECK((int) st->success_op >= SO_OP_GT && st->success_op <= SO_OP_LE,
				  "step %d: op %d", st->step, (int) st->success_op);
			CHECK(isfinite(st->success_value) && st->success_value >= 0 &&
				  st->success_value <= 1, "step %d: success value %.17g", st->step,
				  st->success_value);
		}
	}
	if (cs->has_bandit_epsilon)
		CHECK(isfinite(cs->bandit_epsilon) && cs->bandit_epsilon >= 0 &&
			  cs->bandit_epsilon <= 1, "bandit_epsilon %.17g", cs->bandit_epsilon);
	if (cs->has_reoptimize_after)
		CHECK(cs->reoptimize_after_n_contacts >= 1 &&
			  cs->reoptimize_after_n_contacts <= DOC_INT32_MAX,
			  "reoptimize_after_n_contacts %lld", (long long) cs->reoptimize_after_n_contacts);
}

static void
fuzz_strategy(const char *json, size_t len)
{
	so_channel_strategy *cs = SENTINEL;
	so_error	err;
	int			rc;

	poison_error(&err);
	rc = so_channel_strategy_parse(json, len, &cs, &err);
	if (rc != SO_OK)
	{
		check_error("so_channel_strategy_parse", rc, &err);
		CHECK(cs == NULL, "so_channel_strategy_parse: *out not NULL on failure");
		return;
	}
	CHECK(cs != NULL && cs != SENTINEL, "so_channel_strategy_parse: no strategy on success");
	check_cleared("so_channel_strategy_parse", &err);
	check_strategy(cs);
	so_channel_strategy_free(cs);
}

static void
fuzz_costs(const char *json, size_t len)
{
	so_error	err;
	int			rc;

	poison_error(&err);
	rc = so_channel_costs_validate(json, len, &err);
	if (rc != SO_OK)
		check_error("so_channel_costs_validate", rc, &err);
	else
		check_cleared("so_channel_costs_validate", &err);
}

/* ------------------------------------------------------------ entry point */

/* The clock languages of contact plans (time_window.h). */
static void
fuzz_clocks(const char *text, size_t len)
{
	so_clock_range r = {-1, -1};
	so_clock_range w = {-1, -1};
	so_clock_range both;
	so_window_days days = (so_window_days) 99;
	so_clock_problem p;

	p = so_parse_clock_range(text, len, &r);
	if (p == SO_CLOCK_OK)
		CHECK(r.start_min >= 0 && r.start_min < r.end_min && r.end_min <= 1440,
			  "clock range %d-%d out of bounds", r.start_min, r.end_min);
	else
		CHECK(r.start_min == -1 && r.end_min == -1, "a refused range wrote its output");
	CHECK(so_clock_problem_text(p, false) != NULL, "no text for clock problem %d", (int) p);

	p = so_parse_window(text, len, &days, &w);
	if (p == SO_CLOCK_OK)
	{
		CHECK(so_window_days_name(days) != NULL, "window days %d have no name", (int) days);
		CHECK(w.start_min >= 0 && w.start_min < w.end_min && w.end_min <= 1440,
			  "window %d-%d out of bounds", w.start_min, w.end_min);
		if (so_clock_range_intersect(w, (so_clock_range) {480, 1260}, &both))
			CHECK(both.start_min >= w.start_min && both.end_min <= w.end_min &&
				  both.start_min >= 480 && both.end_min <= 1260 && both.start_min < both.end_min,
				  "intersection %d-%d leaves its inputs", both.start_min, both.end_min);
	}
	else
		CHECK(w.start_min == -1 && days == (so_window_days) 99, "a refused window wrote its output");
}

/* The bandit's arithmetic on parameters taken from the input's bytes. */
static void
fuzz_bandit(const uint8_t *data, size_t size)
{
	double		v[4];
	int64_t		contacts[SO_MAX_ARMS],
				rewards[SO_MAX_ARMS];
	double		out = -7,
				best[SO_MAX_ARMS],
				sum = 0,
				prop;
	so_beta_problem p;
	so_rng		r;
	int			k,
				arm;

	if (size < 4 * sizeof(double) + 1)
		return;
	memcpy(v, data, sizeof v);
	/* keep the closed form's cost bounded: at most 1,000 terms */
	for (int i = 0; i < 4; i++)
		if (isfinite(v[i]) && fabs(v[i]) > 1000)
			v[i] = fmod(v[i], 1000);
	p = so_prob_b_beats_a(v[0], v[1], v[2], v[3], &out);
	if (p == SO_BETA_OK)
		CHECK(out >= 0 && out <= 1, "prob_b_beats_a %.17g outside [0, 1]", out);
	else
	{
		CHECK(out == -7, "a refused prob_b_beats_a wrote its output");
		if (so_beta_problem_parameter(p) != NULL)
		{
			double		bad = v[(int) p - 1];

			CHECK(!(bad > 0) || !isfinite(bad), "%s %.17g was refused",
				  so_beta_problem_parameter(p), bad);
		}
	}

	k = 2 + data[4 * sizeof(double)] % (SO_MAX_ARMS - 1);
	for (int i = 0; i < k; i++)
	{
		uint8_t		b = data[(i * 7) % size];

		contacts[i] = b % 50;
		rewards[i] = contacts[i] > 0 ? data[(i * 13 + 3) % size] % (contacts[i] + 1) : 0;
	}
	{
		/* so_arm_prob_best's posteriors, with few draws: speed over precision here */
		double		alpha[SO_MAX_ARMS],
					beta[SO_MAX_ARMS];

		for (int i = 0; i < k; i++)
		{
			alpha[i] = 1.0 + (double) rewards[i];
			beta[i] = 1.0 + (double) (contacts[i] - rewards[i]);
		}
		so_prob_best(k, alpha, beta, data[0], (int64_t) size, 100, best);
	}
	for (int i = 0; i < k; i++)
	{
		CHECK(best[i] >= 0 && best[i] <= 1, "P(best) of arm %d is %.17g", i, best[i]);
		sum += best[i];
	}
	CHECK(fabs(sum - 1) < 1e-9, "P(best) sums to %.17g", sum);
	so_rng_init(&r, data[1], (int64_t) size);
	arm = so_choose_epsilon_greedy(k, so_greedy_arm(k, contacts, rewards), isfinite(v[0]) ? fmod(fabs(v[0]), 1.0) : 0.1, &r, &prop);
	CHECK(arm >= 0 && arm < k && prop > 0 && prop <= 1, "epsilon-greedy chose %d of %d with %.17g",
		  arm, k, prop);
	arm = so_choose_thompson(k, contacts, rewards, &r);
	CHECK(arm >= 0 && arm < k, "Thompson chose %d of %d", arm, k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/*
	 * An exact-size heap copy, so ASan flags any read past `size` (libFuzzer's
	 * own buffer is exact-size too, but this does not depend on it).
	 */
	char	   *json = malloc(size > 0 ? size : 1);

	if (json == NULL)
		return 0;
	if (size > 0)
		memcpy(json, data, size);

	fuzz_targeting(json, size);
	fuzz_strategy(json, size);
	fuzz_costs(json, size);
	fuzz_clocks(json, size);
	fuzz_bandit(data, size);
	fuzz_learning(data, size);
	fuzz_graph(data, size);

	free(json);
	return 0;
}
