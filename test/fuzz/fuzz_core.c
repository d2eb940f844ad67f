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
 * small numeric problem (fuzz_learning; the layout is above decode_problem:
 * p <= 6 columns, n <= 64 rows, l2 in {0, 1e-3, 1, 100}, max_iter in
 * {1, 3, 100}, values that are mostly ordinary but may be NaN, +-Inf,
 * +-1e300, +-DBL_MAX, denormals, -0, duplicates and constant columns,
 * labels that may be 0.5 or 2, optional weights that may be 0 or < 0):
 *
 *   so_logit_fit               on the fit rows (all, a subset, or reversed),
 *                              sometimes with a should_stop that stops it;
 *                              then so_logit_predict of every fit row,
 *                              so_logit_free
 *   so_sigmoid                 of every finite value decoded or read raw
 *   so_uplift_metrics_compute, so_qini_deciles, so_auc, so_qini_noise,
 *   so_auc_noise               on the rows read as scores (finite), arm and
 *                              label bytes, and on the fit's predictions
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
 *               with a propensity in (0, 1];
 *   logistic:   so_logit_fit returns SO_OK or SO_ERR_EMPTY, _CONFLICT,
 *               _RANGE or _INTERRUPTED, equal to err.code, with a message
 *               and *out zeroed on failure; no fit rows give EMPTY; a value
 *               not finite, a label other than 0/1 or a weight <= 0 in the
 *               fit rows gives RANGE with err.path naming such a row; one
 *               label only gives CONFLICT, and otherwise CONFLICT only with
 *               l2 = 0; INTERRUPTED exactly when should_stop said stop; on
 *               success the status is one of the three (separable only with
 *               l2 = 0), 1 <= iterations <= max_iter, every mean, scale,
 *               coef, coef_std and the intercepts are finite, scale > 0, a
 *               column constant on the fit rows is marked constant, a
 *               constant column has scale 1 and coefficients 0, and every
 *               fit row's prediction is finite and in [0, 1]; so_sigmoid of
 *               a finite value is in [0, 1];
 *   uplift:     any nonzero arm or label byte gives the results of 1; rows
 *               without both arms and both labels give false (and nothing
 *               written); computed metrics are finite, the arm counts and
 *               average uplift right, uplift at k in [-1, 1] or NaN (NaN at
 *               30% only if at 10%); deciles exist for n > 0, start at 0 and
 *               end at the curve's last point; so_auc is defined exactly
 *               with both labels, in [0, 1], and 1 - AUC for the negated
 *               scores; the noise functions give the same bits twice for a
 *               seed, refuse 0 draws, qini noise is defined wherever the
 *               metrics are, AUC noise is in [0, 0.5].
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
#include "logistic.h"
#include "so_error.h"
#include "targeting_rules.h"
#include "targeting_sql.h"
#include "time_window.h"
#include "uplift_metrics.h"
#include "sql_lexer.h"

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

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "fuzz_core: invariant failed at %s:%d: %s\n  ", \
					__FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/* A pointer no parser returns, to see that *out is really set. */
static char sentinel_byte;
#define SENTINEL ((void *) &sentinel_byte)

/* ---------------------------------------------------------------- errors */

static bool
nul_within(const char *buf, size_t size)
{
	return memchr(buf, '\0', size) != NULL;
}

/* Fill err with non-NUL garbage so the NUL-termination check means something. */
static void
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
static void
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

	for (size_t i = 0; i < 2; i++)
	{
		so_targeting_context ctx = {events[i], "2019-03-27 12:00:00.000000+00"};
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

/* --------------------------------------------------------------- learning */

/*
 * The input read, independently of the JSON reading, as a small numeric
 * problem for logistic.h and uplift_metrics.h. Bytes past the end read as
 * 0. Layout:
 *
 *   h0  p = h0 % 7 feature columns
 *   h1  n = h1 % 65 rows
 *   h2  bits 0-1 l2 {0, 1e-3, 1, 100}; bits 2-3 max_iter {1, 3, 100, 100};
 *       bit 4 row weights; bit 5 fit only the rows whose label byte has
 *       bit 1 set; bit 6 list the fit rows in reverse order
 *   h3  bits 0-1 spice: 0 ordinary values only; 1 also finite extremes;
 *       2 also NaN and infinities; 3 also bad labels and weights;
 *       bits 2-4 == 7: a should_stop that says stop at call 1 + (h3 >> 5)
 *   h4  bits 0-5 constant columns (every row takes row 0's value);
 *       bits 6-7 tol {1e-10, 1e-3, 1e-14, 0}
 *   h5  seed and draws of the noise functions
 *   then per row: a label byte (bit 0 the label; bits 2-3 the uplift arm,
 *   bits 4-7 the uplift label byte's value), a weight byte when weighted,
 *   and p value tokens (decode_value).
 */
#define LEARN_MAX_P 6
#define LEARN_MAX_N 64

typedef struct byte_reader
{
	const uint8_t *data;
	size_t		size,
				pos;
} byte_reader;

static uint8_t
next_byte(byte_reader *r)
{
	return r->pos < r->size ? r->data[r->pos++] : 0;
}

/*
 * One value token. Ordinary: a digit is its value, any other byte b is
 * (b - 96) / 16 (exact, with many duplicates); '=' repeats the previous
 * value. Spice >= 1: 'H'/'h' +-1e300, 'M'/'m' +-DBL_MAX, 'B' 1e154 (its
 * square is near DBL_MAX), 'd'/'e' denormals, 't' 1e-300, 'z' -0, 'R' the
 * next 8 bytes as a double (made finite below spice 2). Spice >= 2: 'N'
 * NaN, 'I'/'i' +-Inf.
 */
static double
decode_value(byte_reader *r, int spice, double prev)
{
	uint8_t		b = next_byte(r);

	if (b == '=')
		return prev;
	if (spice >= 1)
		switch (b)
		{
			case 'H':
				return 1e300;
			case 'h':
				return -1e300;
			case 'M':
				return DBL_MAX;
			case 'm':
				return -DBL_MAX;
			case 'B':
				return 1e154;
			case 'd':
				return DBL_TRUE_MIN;
			case 'e':
				return -3 * DBL_TRUE_MIN;
			case 't':
				return 1e-300;
			case 'z':
				return -0.0;
			case 'R':
				{
					uint8_t		raw[sizeof(double)];
					double		v;

					for (size_t k = 0; k < sizeof raw; k++)
						raw[k] = next_byte(r);
					memcpy(&v, raw, sizeof v);
					return spice >= 2 || isfinite(v) ? v : 1.0;
				}
		}
	if (spice >= 2)
		switch (b)
		{
			case 'N':
				return NAN;
			case 'I':
				return INFINITY;
			case 'i':
				return -INFINITY;
		}
	if (b >= '0' && b <= '9')
		return (double) (b - '0');
	return ((int) b - 96) / 16.0;
}

/* A label: bit 0; spice 3 adds '?' 0.5, '!' 2, '~' -1, 'N' NaN. */
static double
decode_label(uint8_t b, int spice)
{
	if (spice >= 3)
		switch (b)
		{
			case '?':
				return 0.5;
			case '!':
				return 2.0;
			case '~':
				return -1.0;
			case 'N':
				return NAN;
		}
	return (double) (b & 1);
}

/* A weight in 0.25..4; 'H' 1e300 and 't' 1e-300 from spice 1; spice 3 adds '_' 0, 'z' -0, '-' -1, 'N' NaN, 'I' Inf. */
static double
decode_weight(uint8_t b, int spice)
{
	if (spice >= 1 && b == 'H')
		return 1e300;
	if (spice >= 1 && b == 't')
		return 1e-300;
	if (spice >= 3)
		switch (b)
		{
			case '_':
				return 0.0;
			case 'z':
				return -0.0;
			case '-':
				return -1.0;
			case 'N':
				return NAN;
			case 'I':
				return INFINITY;
		}
	return ((b % 16) + 1) / 4.0;
}

typedef struct learn_problem
{
	size_t		p,
				n;
	double		l2;
	int			max_iter;
	double		tol;
	bool		weighted;
	int			spice;
	int			stop_at;		/* 0: no should_stop */
	uint8_t		seed;
	double		x[LEARN_MAX_N * LEARN_MAX_P];
	double		y[LEARN_MAX_N];
	double		w[LEARN_MAX_N];
	uint8_t		lb[LEARN_MAX_N];	/* each row's label byte */
	size_t		rows[LEARN_MAX_N];	/* the fit rows */
	size_t		nrows;
	bool		used[LEARN_MAX_N];
} learn_problem;

static void
decode_problem(const uint8_t *data, size_t size, learn_problem *lp)
{
	static const double l2s[4] = {0, 1e-3, 1, 100};
	static const int iters[4] = {1, 3, 100, 100};
	static const double tols[4] = {1e-10, 1e-3, 1e-14, 0};
	byte_reader r = {data, size, 0};
	uint8_t		h[6];
	double		prev = 0;

	for (int k = 0; k < 6; k++)
		h[k] = next_byte(&r);
	memset(lp, 0, sizeof(*lp));
	lp->p = h[0] % (LEARN_MAX_P + 1);
	lp->n = h[1] % (LEARN_MAX_N + 1);
	lp->l2 = l2s[h[2] & 3];
	lp->max_iter = iters[(h[2] >> 2) & 3];
	lp->weighted = (h[2] & 0x10) != 0;
	lp->spice = h[3] & 3;
	lp->stop_at = ((h[3] >> 2) & 7) == 7 ? 1 + (h[3] >> 5) : 0;
	lp->tol = tols[h[4] >> 6];
	lp->seed = h[5];
	for (size_t i = 0; i < lp->n; i++)
	{
		lp->lb[i] = next_byte(&r);
		lp->y[i] = decode_label(lp->lb[i], lp->spice);
		lp->w[i] = lp->weighted ? decode_weight(next_byte(&r), lp->spice) : 1.0;
		for (size_t j = 0; j < lp->p; j++)
		{
			double		v = decode_value(&r, lp->spice, prev);

			prev = v;
			lp->x[i * lp->p + j] = (h[4] >> j & 1) && i > 0 ? lp->x[j] : v;
		}
	}
	for (size_t k = 0; k < lp->n; k++)
	{
		size_t		i = (h[2] & 0x40) ? lp->n - 1 - k : k;

		if (!(h[2] & 0x20) || (lp->lb[i] & 2))
		{
			lp->rows[lp->nrows++] = i;
			lp->used[i] = true;
		}
	}
}

/* so_logit_fit's should_stop: true from call number learn_stop_at on. */
static int	learn_stop_at,
			learn_stop_calls;
static bool learn_stop_fired;

static bool
learn_should_stop(void)
{
	if (++learn_stop_calls >= learn_stop_at)
	{
		learn_stop_fired = true;
		return true;
	}
	return false;
}

/* Row i of the problem is refused by contract: a value not finite, a label not 0/1, a weight not > 0. */
static bool
row_is_bad(const learn_problem *lp, size_t i)
{
	for (size_t j = 0; j < lp->p; j++)
		if (!isfinite(lp->x[i * lp->p + j]))
			return true;
	if (lp->y[i] != 0.0 && lp->y[i] != 1.0)
		return true;
	return lp->weighted && !(isfinite(lp->w[i]) && lp->w[i] > 0);
}

static void
check_sigmoid(double v)
{
	double		s;

	if (!isfinite(v))
		return;
	s = so_sigmoid(v);
	CHECK(!isnan(s) && s >= 0 && s <= 1, "so_sigmoid(%.17g) = %.17g", v, s);
	s = so_sigmoid(-v);
	CHECK(!isnan(s) && s >= 0 && s <= 1, "so_sigmoid(%.17g) = %.17g", -v, s);
}

/*
 * Every uplift_metrics.h function on n rows (scores finite: the callers'
 * duty). Arm and label bytes may be any nonzero value for 1: the results
 * must equal those of the same rows written with 0/1.
 */
static void
check_uplift(const char *what, const double *score, const unsigned char *arm,
			 const unsigned char *label, size_t n, uint8_t seed)
{
	unsigned char arm01[LEARN_MAX_N],
				label01[LEARN_MAX_N];
	int64_t		nt = 0,
				nc = 0,
				yt = 0,
				yc = 0;
	bool		degenerate,
				ok,
				ok01;
	so_uplift_metrics m,
				m01,
				untouched;
	double		dec[11],
				dec01[11],
				auc = -7,
				auc01 = -7,
				auc_neg = -7,
				noise = -7,
				noise2 = -7,
				noise01 = -7;
	double		neg[LEARN_MAX_N];
	int			draws = 1 + seed % 5;
	int64_t		rseed = (int64_t) seed * 2654435761 - 7,
				stream = (int64_t) n;

	for (size_t i = 0; i < n; i++)
	{
		CHECK(isfinite(score[i]), "%s: harness gave score %zu = %g", what, i, score[i]);
		arm01[i] = arm[i] != 0;
		label01[i] = label[i] != 0;
		if (arm01[i])
		{
			nt++;
			yt += label01[i];
		}
		else
		{
			nc++;
			yc += label01[i];
		}
		neg[i] = -score[i];
	}
	degenerate = n == 0 || nt == 0 || nc == 0 || yt + yc == 0 || yt + yc == (int64_t) n;

	/* so_uplift_metrics_compute */
	memset(&m, 0xA5, sizeof m);
	memset(&m01, 0xA5, sizeof m01);
	memset(&untouched, 0xA5, sizeof untouched);
	ok = so_uplift_metrics_compute(score, arm, label, n, &m);
	ok01 = so_uplift_metrics_compute(score, arm01, label01, n, &m01);
	CHECK(ok == ok01 && memcmp(&m, &m01, sizeof m) == 0,
		  "%s: so_uplift_metrics_compute differs for nonzero bytes other than 1 (%d, %d)", what, ok, ok01);
	if (degenerate)
		CHECK(!ok, "%s: metrics of %zu rows, %lld treated (%lld responders), %lld control (%lld)",
			  what, n, (long long) nt, (long long) yt, (long long) nc, (long long) yc);
	if (!ok)
		CHECK(memcmp(&m, &untouched, sizeof m) == 0, "%s: so_uplift_metrics_compute false but wrote", what);
	else
	{
		double		avg = (double) yt / (double) nt - (double) yc / (double) nc;

		CHECK(isfinite(m.qini) && isfinite(m.qini_area) && isfinite(m.auuc) && isfinite(m.auuc_area)
			  && isfinite(m.uplift_average),
			  "%s: metrics not finite: qini %g (area %g), auuc %g (area %g), average %g",
			  what, m.qini, m.qini_area, m.auuc, m.auuc_area, m.uplift_average);
		CHECK(m.treated == nt && m.control == nc, "%s: arms %lld/%lld, counted %lld/%lld", what,
			  (long long) m.treated, (long long) m.control, (long long) nt, (long long) nc);
		CHECK(fabs(m.uplift_average - avg) <= 1e-12, "%s: uplift_average %.17g, want %.17g",
			  what, m.uplift_average, avg);
		CHECK(isnan(m.uplift_at_10) || (m.uplift_at_10 >= -1 && m.uplift_at_10 <= 1),
			  "%s: uplift_at_10 %.17g", what, m.uplift_at_10);
		CHECK(isnan(m.uplift_at_30) || (m.uplift_at_30 >= -1 && m.uplift_at_30 <= 1),
			  "%s: uplift_at_30 %.17g", what, m.uplift_at_30);
		CHECK(!isnan(m.uplift_at_30) || isnan(m.uplift_at_10),
			  "%s: an arm is absent from the first 30%% but not from the first 10%%", what);
	}

	/* so_qini_deciles */
	memset(dec, 0xA5, sizeof dec);
	memset(dec01, 0xA5, sizeof dec01);
	ok = so_qini_deciles(score, arm, label, n, dec);
	ok01 = so_qini_deciles(score, arm01, label01, n, dec01);
	CHECK(ok == ok01 && memcmp(dec, dec01, sizeof dec) == 0,
		  "%s: so_qini_deciles differs for nonzero bytes other than 1", what);
	CHECK(ok == (n > 0), "%s: so_qini_deciles of %zu rows returned %d", what, n, ok);
	if (ok)
	{
		double		ratio = nc != 0 ? (double) nt / (double) nc : 0.0;
		double		last = (double) yt - (double) yc * ratio;

		CHECK(dec[0] == 0, "%s: qini decile 0 is %.17g", what, dec[0]);
		for (int i = 0; i < 11; i++)
			CHECK(isfinite(dec[i]), "%s: qini decile %d is %.17g", what, i, dec[i]);
		CHECK(fabs(dec[10] - last) <= 1e-9 * fmax(1.0, fabs(last)),
			  "%s: qini decile 10 is %.17g, the curve ends at %.17g", what, dec[10], last);
	}

	/* so_auc */
	ok = so_auc(score, label, n, &auc);
	ok01 = so_auc(score, label01, n, &auc01);
	CHECK(ok == ok01 && memcmp(&auc, &auc01, sizeof auc) == 0,
		  "%s: so_auc differs for nonzero bytes other than 1", what);
	CHECK(ok == (yt + yc > 0 && yt + yc < (int64_t) n), "%s: so_auc with %lld of %zu positive returned %d",
		  what, (long long) (yt + yc), n, ok);
	if (ok)
	{
		CHECK(auc >= 0 && auc <= 1, "%s: so_auc %.17g outside [0, 1]", what, auc);
		/* reversing the ranking reflects the AUC (ties stay ties) */
		CHECK(so_auc(neg, label, n, &auc_neg) && fabs(auc + auc_neg - 1) <= 1e-12,
			  "%s: so_auc %.17g, of the negated scores %.17g", what, auc, auc_neg);
	}
	else
		CHECK(auc == -7, "%s: so_auc false but wrote %.17g", what, auc);

	/* so_qini_noise: deterministic for a seed, defined where the qini is */
	ok = so_qini_noise(arm, label, n, draws, rseed, stream, &noise);
	CHECK(so_qini_noise(arm, label, n, draws, rseed, stream, &noise2) == ok &&
		  memcmp(&noise, &noise2, sizeof noise) == 0,
		  "%s: so_qini_noise not deterministic: %.17g then %.17g", what, noise, noise2);
	CHECK(so_qini_noise(arm01, label01, n, draws, rseed, stream, &noise01) == ok &&
		  memcmp(&noise, &noise01, sizeof noise) == 0,
		  "%s: so_qini_noise differs for nonzero bytes other than 1", what);
	if (degenerate)
		CHECK(!ok, "%s: so_qini_noise on rows without a qini", what);
	if (so_uplift_metrics_compute(score, arm, label, n, &m))
		CHECK(ok, "%s: the qini is defined but so_qini_noise refused", what);
	if (ok)
		CHECK(isfinite(noise), "%s: so_qini_noise %.17g", what, noise);
	else
		CHECK(noise == -7, "%s: so_qini_noise false but wrote %.17g", what, noise);
	noise2 = -7;
	CHECK(!so_qini_noise(arm, label, n, 0, rseed, stream, &noise2) && noise2 == -7,
		  "%s: so_qini_noise with 0 draws", what);

	/* so_auc_noise */
	noise = noise2 = -7;
	ok = so_auc_noise(label, n, draws, rseed, stream, &noise);
	CHECK(so_auc_noise(label, n, draws, rseed, stream, &noise2) == ok &&
		  memcmp(&noise, &noise2, sizeof noise) == 0,
		  "%s: so_auc_noise not deterministic: %.17g then %.17g", what, noise, noise2);
	CHECK(ok == (yt + yc > 0 && yt + yc < (int64_t) n), "%s: so_auc_noise with %lld of %zu positive returned %d",
		  what, (long long) (yt + yc), n, ok);
	if (ok)
		CHECK(noise >= 0 && noise <= 0.5, "%s: so_auc_noise %.17g outside [0, 0.5]", what, noise);
	else
		CHECK(noise == -7, "%s: so_auc_noise false but wrote %.17g", what, noise);
	noise2 = -7;
	CHECK(!so_auc_noise(label, n, 0, rseed, stream, &noise2) && noise2 == -7,
		  "%s: so_auc_noise with 0 draws", what);
}

/* The fit's contract (logistic.h) on the decoded problem; the fitted rows' predictions then feed check_uplift. */
static void
fuzz_logit(const learn_problem *lp)
{
	so_logit_model m;
	so_error	err;
	int			rc;
	bool		bad[LEARN_MAX_N] = {false};
	bool		any_bad = false,
				same_labels = true;

	for (size_t k = 0; k < lp->nrows; k++)
	{
		size_t		i = lp->rows[k];

		bad[i] = row_is_bad(lp, i);
		any_bad |= bad[i];
		if (lp->y[i] != lp->y[lp->rows[0]])
			same_labels = false;
	}

	memset(&m, 0x5A, sizeof m);
	poison_error(&err);
	learn_stop_at = lp->stop_at;
	learn_stop_calls = 0;
	learn_stop_fired = false;
	rc = so_logit_fit(lp->x, lp->p, lp->y, lp->weighted ? lp->w : NULL, lp->rows, lp->nrows,
					  lp->l2, lp->max_iter, lp->tol, lp->stop_at ? learn_should_stop : NULL, &m, &err);

	CHECK(rc == SO_OK || rc == SO_ERR_EMPTY || rc == SO_ERR_CONFLICT || rc == SO_ERR_RANGE ||
		  rc == SO_ERR_INTERRUPTED, "so_logit_fit: code %d (%s) is none of logistic.h's",
		  rc, so_errcode_name((so_errcode) rc));
	CHECK((int) err.code == rc, "so_logit_fit: err.code %d != rc %d", (int) err.code, rc);
	CHECK(nul_within(err.path, sizeof(err.path)) && nul_within(err.message, sizeof(err.message)) &&
		  nul_within(err.expected, sizeof(err.expected)) && nul_within(err.found, sizeof(err.found)),
		  "so_logit_fit: an err buffer is not NUL-terminated");
	CHECK(learn_stop_fired == (rc == SO_ERR_INTERRUPTED),
		  "so_logit_fit: should_stop said %s, rc %d", learn_stop_fired ? "stop" : "never stop", rc);

	/* the refusals the input calls for */
	if (lp->nrows == 0)
		CHECK(rc == SO_ERR_EMPTY, "so_logit_fit: no rows gave %d (%s)", rc, err.message);
	else if (any_bad)
	{
		unsigned long row;

		CHECK(rc == SO_ERR_RANGE, "so_logit_fit: a bad value in the fit rows gave %d (%s)",
			  rc, rc == SO_OK ? "ok" : err.message);
		CHECK(sscanf(err.path, "row %lu", &row) == 1 && row < lp->n && lp->used[row] && bad[row],
			  "so_logit_fit: range error at '%s', not a bad fit row", err.path);
	}
	else if (same_labels)
		CHECK(rc == SO_ERR_CONFLICT, "so_logit_fit: one label only (%g) gave %d (%s)",
			  lp->y[lp->rows[0]], rc, rc == SO_OK ? "ok" : err.message);
	else
	{
		CHECK(rc != SO_ERR_CONFLICT || lp->l2 == 0,
			  "so_logit_fit: conflict with l2 = %g (%s)", lp->l2, err.message);
		CHECK(rc != SO_ERR_INTERRUPTED || learn_stop_fired, "so_logit_fit: interrupted unasked");
	}

	if (rc != SO_OK)
	{
		CHECK(err.message[0] != '\0', "so_logit_fit: empty err.message (code %d)", rc);
		CHECK(m.p == 0 && m.mean == NULL && m.scale == NULL && m.constant == NULL &&
			  m.coef_std == NULL && m.coef == NULL && m.rows == 0 && m.iterations == 0 &&
			  m.intercept == 0 && m.intercept_std == 0 && m.objective == 0 && (int) m.status == 0,
			  "so_logit_fit: *out not zeroed on failure (code %d)", rc);
		return;
	}

	check_cleared("so_logit_fit", &err);
	CHECK(m.p == lp->p && m.rows == lp->nrows, "so_logit_fit: model of %zu columns, %zu rows", m.p, m.rows);
	CHECK(m.status == SO_FIT_CONVERGED || m.status == SO_FIT_ITERATION_CAP ||
		  m.status == SO_FIT_SEPARABLE, "so_logit_fit: status %d", (int) m.status);
	CHECK(strcmp(so_fit_status_name(m.status), "unknown") != 0, "status %d has no name", (int) m.status);
	CHECK(m.status != SO_FIT_SEPARABLE || lp->l2 == 0, "so_logit_fit: separable with l2 = %g", lp->l2);
	CHECK(m.iterations >= 1 && m.iterations <= lp->max_iter, "so_logit_fit: %d iterations, max_iter %d",
		  m.iterations, lp->max_iter);
	CHECK(isfinite(m.intercept) && isfinite(m.intercept_std), "so_logit_fit: intercept %.17g (std %.17g)",
		  m.intercept, m.intercept_std);
	CHECK(!isnan(m.objective), "so_logit_fit: objective NaN");
	CHECK(m.mean != NULL && m.scale != NULL && m.constant != NULL && m.coef_std != NULL && m.coef != NULL,
		  "so_logit_fit: a model array is NULL");
	for (size_t j = 0; j < lp->p; j++)
	{
		bool		exactly_constant = true;

		for (size_t k = 1; k < lp->nrows; k++)
			if (lp->x[lp->rows[k] * lp->p + j] != lp->x[lp->rows[0] * lp->p + j])
				exactly_constant = false;
		CHECK(isfinite(m.mean[j]), "so_logit_fit: column %zu mean %.17g", j, m.mean[j]);
		CHECK(isfinite(m.scale[j]) && m.scale[j] > 0, "so_logit_fit: column %zu scale %.17g (mean %.17g)",
			  j, m.scale[j], m.mean[j]);
		CHECK(isfinite(m.coef[j]) && isfinite(m.coef_std[j]), "so_logit_fit: column %zu coef %.17g (std %.17g)",
			  j, m.coef[j], m.coef_std[j]);
		CHECK(m.constant[j] == 0 || m.constant[j] == 1, "so_logit_fit: constant[%zu] = %d", j, m.constant[j]);
		if (exactly_constant)
			CHECK(m.constant[j] == 1, "so_logit_fit: column %zu is constant (%.17g) but not marked (scale %.17g)",
				  j, lp->x[lp->rows[0] * lp->p + j], m.scale[j]);
		if (m.constant[j])
			CHECK(m.scale[j] == 1 && m.coef[j] == 0 && m.coef_std[j] == 0,
				  "so_logit_fit: constant column %zu: scale %.17g, coef %.17g, coef_std %.17g",
				  j, m.scale[j], m.coef[j], m.coef_std[j]);
	}

	/* predictions of the fit rows, then the uplift metrics of them */
	{
		double		score[LEARN_MAX_N];
		unsigned char arm[LEARN_MAX_N],
					label[LEARN_MAX_N];

		for (size_t k = 0; k < lp->nrows; k++)
		{
			size_t		i = lp->rows[k];
			double		pr = so_logit_predict(&m, lp->x + i * lp->p);

			CHECK(isfinite(pr) && pr >= 0 && pr <= 1, "so_logit_predict of row %zu: %.17g", i, pr);
			score[k] = pr;
			arm[k] = (lp->lb[i] >> 2) & 3;
			label[k] = (unsigned char) lp->y[i];
		}
		check_uplift("uplift of the predictions", score, arm, label, lp->nrows, lp->seed);
	}
	so_logit_free(&m);
	CHECK(m.coef == NULL && m.mean == NULL, "so_logit_free left pointers");
}

static void
fuzz_learning(const uint8_t *data, size_t size)
{
	learn_problem *lp = malloc(sizeof(*lp));
	double		score[LEARN_MAX_N];
	unsigned char arm[LEARN_MAX_N],
				label[LEARN_MAX_N];

	if (lp == NULL)
		return;
	decode_problem(data, size, lp);

	fuzz_logit(lp);

	/* the uplift metrics of every row: the first column (finite) ranks */
	for (size_t i = 0; i < lp->n; i++)
	{
		double		v = lp->p > 0 ? lp->x[i * lp->p] : (double) (lp->lb[i] >> 5);

		score[i] = isfinite(v) ? v : (double) (lp->lb[i] >> 3);
		arm[i] = (lp->lb[i] >> 2) & 3;
		label[i] = (lp->lb[i] & 1) ? (unsigned char) (lp->lb[i] >> 4 | 1) : 0;
	}
	check_uplift("uplift of the first column", score, arm, label, lp->n, lp->seed);

	/* so_sigmoid of every value decoded, and of the input's bytes as doubles */
	for (size_t i = 0; i < lp->n * lp->p; i++)
		check_sigmoid(lp->x[i]);
	for (size_t i = 0; i < lp->n; i++)
		check_sigmoid(lp->w[i]);
	for (size_t off = 0; off + sizeof(double) <= size && off < 64 * sizeof(double); off += sizeof(double))
	{
		double		v;

		memcpy(&v, data + off, sizeof v);
		check_sigmoid(v);
	}
	free(lp);
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

	free(json);
	return 0;
}
