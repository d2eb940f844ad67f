/*
 * targeting_sql.c: targeting rules -> one SQL statement.
 *
 * The rules become a list of conditions, each a predicate over one row of
 * stormops.properties p and the relations joined to it, with a label for the
 * funnel. The targeting statement ANDs them in WHERE; the funnel statement
 * finds, for every property, the first condition it fails. Both share the
 * FROM clause (outer joins everywhere, so the funnel sees every property; in
 * the targeting statement the conditions reject the NULL rows and PostgreSQL
 * turns those joins into inner joins).
 *
 * Aliases: p properties, imp the qualifying impact, se storm_events, ct the
 * property's census tract, zc its zip_competition row, beh its contact and
 * response counts, ps property_scores, cen the reference centroid, nt the
 * candidate tracts (mode neighborhood_embedding).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_polygon.h"
#include "sql_text.h"
#include "targeting_sql.h"

/* Operators and casts are qualified: the statement runs under the caller's search_path. */
#define EQ " OPERATOR(pg_catalog.=) "
#define NE " OPERATOR(pg_catalog.<>) "
#define GE " OPERATOR(pg_catalog.>=) "
#define LE " OPERATOR(pg_catalog.<=) "
#define GT " OPERATOR(pg_catalog.>) "
#define LT " OPERATOR(pg_catalog.<) "
#define MINUS " OPERATOR(pg_catalog.-) "
#define PLUS " OPERATOR(pg_catalog.+) "
#define TIMES " OPERATOR(pg_catalog.*) "
#define DIVIDE " OPERATOR(pg_catalog./) "

/*
 * A day is 24 hours: an interval of seconds only, so that "d days before
 * as_of" is the same instant whatever the session's TimeZone (an interval of
 * '1 day' would follow daylight-saving changes of the session's zone).
 */
#define ONE_DAY "'86400 seconds'::pg_catalog.interval"

#define MAX_CONDITIONS 40
#define LABEL_ITEMS 5			/* list items a funnel label shows */

/* Where a condition applies. */
#define IN_TARGETS 1			/* the targeting statement's WHERE */
#define IN_FUNNEL 2				/* a step of the funnel */
#define BY_TOP_K 4				/* checked by stormops.top_k itself when it ranks */

typedef struct condition
{
	const char *section;
	char	   *label;
	char	   *predicate;
	int			where;
} condition;

typedef struct compiler
{
	const so_targeting *r;
	char	   *as_of;			/* '...'::pg_catalog.timestamptz */
	char	   *event;			/* quoted event id, or NULL */
	bool		impact_required;
	bool		failed;
	size_t		n;
	condition	conds[MAX_CONDITIONS];
} compiler;

/* ---- small builders ---- */

static char *
take(compiler *c, so_sql *s)
{
	char	   *text = so_sql_take(s);

	if (text == NULL)
		c->failed = true;
	return text;
}

static void
add_condition(compiler *c, const char *section, int where, so_sql *label, so_sql *pred)
{
	char	   *l = take(c, label);
	char	   *p = take(c, pred);

	if (c->failed || c->n == MAX_CONDITIONS)
	{
		c->failed = true;
		free(l);
		free(p);
		return;
	}
	c->conds[c->n].section = section;
	c->conds[c->n].label = l;
	c->conds[c->n].predicate = p;
	c->conds[c->n].where = where;
	c->n++;
}

/* ARRAY['a', 'b']::pg_catalog.text[] */
static void
text_array(so_sql *s, const so_strlist *l)
{
	so_sql_append(s, "ARRAY[");
	for (size_t i = 0; i < l->n; i++)
	{
		if (i > 0)
			so_sql_append(s, ", ");
		so_sql_literal(s, l->items[i], strlen(l->items[i]));
	}
	so_sql_append(s, "]::pg_catalog.text[]");
}

/* "a, b, c and 4 more": labels show a list's head, never its whole length */
static void
label_list(so_sql *s, const so_strlist *l)
{
	for (size_t i = 0; i < l->n && i < LABEL_ITEMS; i++)
	{
		if (i > 0)
			so_sql_append(s, ", ");
		so_sql_append(s, l->items[i]);
	}
	if (l->n > LABEL_ITEMS)
		so_sql_appendf(s, " and %zu more", l->n - LABEL_ITEMS);
}

static void
label_number(so_sql *s, double v)
{
	char		buf[40];

	so_format_double(v == 0 ? 0 : v, buf, sizeof(buf));
	so_sql_append(s, buf);
}

/* A number of the rules as they wrote it. */
static void
label_decimal(so_sql *s, const so_opt_num *n)
{
	if (n->text[0] != '\0')
		so_sql_append(s, n->text);
	else
		label_number(s, n->value);
}

/* `<column> OP <number>::<type>` as a one-line predicate and its label */
static void
compare_number(compiler *c, const char *section, const char *column, const char *op,
			   const so_opt_num *n, const char *type, const char *label_text, const char *label_op)
{
	so_sql		pred,
				label;

	so_sql_init(&pred);
	so_sql_init(&label);
	so_sql_appendf(&pred, "%s%s", column, op);
	so_sql_decimal(&pred, n->text, n->value);
	so_sql_appendf(&pred, "::pg_catalog.%s", type);
	so_sql_appendf(&label, "%s %s ", label_text, label_op);
	label_decimal(&label, n);
	add_condition(c, section, IN_TARGETS | IN_FUNNEL, &label, &pred);
}

/* The same for an integer key. */
static void
compare_integer(compiler *c, const char *section, const char *column, const char *op,
				int64_t value, const char *type, const char *label_text, const char *label_op)
{
	so_opt_num	n = {true, (double) value, ""};

	snprintf(n.text, sizeof(n.text), "%lld", (long long) value);
	compare_number(c, section, column, op, &n, type, label_text, label_op);
}

static void
in_list(compiler *c, const char *section, const char *column, const so_strlist *l,
		const char *label_text)
{
	so_sql		pred,
				label;

	so_sql_init(&pred);
	so_sql_init(&label);
	so_sql_appendf(&pred, "%s" EQ "ANY (", column);
	text_array(&pred, l);
	so_sql_append(&pred, ")");
	so_sql_appendf(&label, "%s in ", label_text);
	label_list(&label, l);
	add_condition(c, section, IN_TARGETS | IN_FUNNEL, &label, &pred);
}

/* ---- physics ---- */

/* The conditions an impact row must meet, on pi (property_impacts) and se (storm_events). */
static void
impact_row_conditions(compiler *c, so_sql *s, bool with_sii, bool with_days)
{
	const so_targeting *r = c->r;

	if (c->event != NULL)
		so_sql_appendf(s, " AND pi.event_id" EQ "%s", c->event);
	if (with_sii && r->physics.min_sii_score.set)
	{
		so_sql_append(s, " AND pi.sii_score" GE);
		so_sql_decimal(s, r->physics.min_sii_score.text, r->physics.min_sii_score.value);
		so_sql_append(s, "::pg_catalog.numeric");
	}
	if (with_days && r->physics.max_days_since_storm.set)
	{
		so_sql_appendf(s, " AND se.begin_at" LE "%s AND se.begin_at" GE "(%s" MINUS "(",
					   c->as_of, c->as_of);
		so_sql_decimal(s, r->physics.max_days_since_storm.text, r->physics.max_days_since_storm.value);
		so_sql_append(s, "::pg_catalog.float8" TIMES ONE_DAY "))");
	}
}

/*
 * The funnel checks the impact conditions one at a time, each step adding its
 * condition to the same impact row: the event, then the SII, then the date.
 */
static void
impact_funnel_step(compiler *c, so_sql *label, bool with_sii, bool with_days)
{
	so_sql		pred;

	so_sql_init(&pred);
	so_sql_append(&pred, "EXISTS (SELECT FROM stormops.property_impacts pi"
				  " JOIN stormops.storm_events se ON se.event_id" EQ "pi.event_id"
				  " WHERE pi.property_id" EQ "p.property_id");
	impact_row_conditions(c, &pred, with_sii, with_days);
	so_sql_append(&pred, ")");
	add_condition(c, "physics", IN_FUNNEL, label, &pred);
}

static void
physics_conditions(compiler *c, const char *ctx_event_id)
{
	const so_targeting *r = c->r;
	so_sql		pred,
				label;

	if (c->impact_required)
	{
		/* targeting statement: imp holds only qualifying rows (see from_clause) */
		so_sql_init(&pred);
		so_sql_init(&label);
		so_sql_append(&pred, "imp.property_id IS NOT NULL");
		so_sql_append(&label, "a qualifying impact row");
		add_condition(c, "physics", IN_TARGETS, &label, &pred);

		if (c->event != NULL)
		{
			so_sql_init(&label);
			so_sql_append(&label, "impacted by event ");
			so_sql_append(&label, ctx_event_id);
			impact_funnel_step(c, &label, false, false);
		}
		if (r->physics.min_sii_score.set)
		{
			so_sql_init(&label);
			so_sql_append(&label, "sii_score >= ");
			label_decimal(&label, &r->physics.min_sii_score);
			impact_funnel_step(c, &label, true, false);
		}
		if (r->physics.max_days_since_storm.set)
		{
			so_sql_init(&label);
			so_sql_append(&label, "storm began at most ");
			label_decimal(&label, &r->physics.max_days_since_storm);
			so_sql_append(&label, " days before as_of");
			impact_funnel_step(c, &label, true, true);
		}
	}
	if (r->physics.roof_age_min.set || r->physics.roof_age_max.set)
	{
		so_sql		age;
		char	   *text;

		so_sql_init(&age);
		so_sql_appendf(&age, "(EXTRACT(YEAR FROM %s)" MINUS "p.roof_install_year)", c->as_of);
		text = take(c, &age);
		if (text == NULL)
			return;
		if (r->physics.roof_age_min.set)
			compare_integer(c, "physics", text, GE, r->physics.roof_age_min.value,
							"numeric", "roof age", ">=");
		if (r->physics.roof_age_max.set)
			compare_integer(c, "physics", text, LE, r->physics.roof_age_max.value,
							"numeric", "roof age", "<=");
		free(text);
	}
}

/* ---- geography ---- */

/* Compact GeoJSON of the validated polygon, for stormops.polygon_contains. */
static void
polygon_json(so_sql *s, const so_geo_polygon *g)
{
	so_sql_appendf(s, "{\"type\":\"%s\",\"coordinates\":", g->multi ? "MultiPolygon" : "Polygon");
	if (g->multi)
		so_sql_append(s, "[");
	for (size_t pi = 0; pi < g->nparts; pi++)
	{
		const so_geo_part *part = &g->parts[pi];

		so_sql_append(s, pi > 0 ? ",[" : "[");
		for (size_t ri = 0; ri < part->nrings; ri++)
		{
			const so_geo_ring *ring = &part->rings[ri];

			so_sql_append(s, ri > 0 ? ",[" : "[");
			for (size_t k = 0; k < ring->n; k++)
			{
				char		lon[40],
							lat[40];

				so_format_double(ring->lon[k] == 0 ? 0 : ring->lon[k], lon, sizeof(lon));
				so_format_double(ring->lat[k] == 0 ? 0 : ring->lat[k], lat, sizeof(lat));
				so_sql_appendf(s, "%s[%s,%s]", k > 0 ? "," : "", lon, lat);
			}
			so_sql_append(s, "]");
		}
		so_sql_append(s, "]");
	}
	if (g->multi)
		so_sql_append(s, "]");
	so_sql_append(s, "}");
}

static void
polygon_condition(compiler *c, const so_geo_polygon *g)
{
	double		lon0 = 180,
				lon1 = -180,
				lat0 = 90,
				lat1 = -90;
	size_t		positions = 0;
	so_sql		json,
				pred,
				label;
	char	   *text;

	/* the bounding box lets the (lat, lon) index do the first cut */
	for (size_t pi = 0; pi < g->nparts; pi++)
		for (size_t ri = 0; ri < g->parts[pi].nrings; ri++)
		{
			const so_geo_ring *ring = &g->parts[pi].rings[ri];

			for (size_t k = 0; k < ring->n; k++)
			{
				lon0 = ring->lon[k] < lon0 ? ring->lon[k] : lon0;
				lon1 = ring->lon[k] > lon1 ? ring->lon[k] : lon1;
				lat0 = ring->lat[k] < lat0 ? ring->lat[k] : lat0;
				lat1 = ring->lat[k] > lat1 ? ring->lat[k] : lat1;
			}
			positions += ring->n;
		}

	so_sql_init(&json);
	polygon_json(&json, g);
	text = take(c, &json);
	if (text == NULL)
		return;

	so_sql_init(&pred);
	so_sql_append(&pred, "(p.lat" GE);
	so_sql_number(&pred, lat0);
	so_sql_append(&pred, "::pg_catalog.float8 AND p.lat" LE);
	so_sql_number(&pred, lat1);
	so_sql_append(&pred, "::pg_catalog.float8 AND p.lon" GE);
	so_sql_number(&pred, lon0);
	so_sql_append(&pred, "::pg_catalog.float8 AND p.lon" LE);
	so_sql_number(&pred, lon1);
	so_sql_append(&pred, "::pg_catalog.float8 AND stormops.polygon_contains(");
	so_sql_literal(&pred, text, strlen(text));
	so_sql_append(&pred, "::pg_catalog.jsonb, p.lon, p.lat))");
	free(text);

	so_sql_init(&label);
	so_sql_appendf(&label, "inside custom_polygon (%s of %zu %s, %zu positions)",
				   g->multi ? "MultiPolygon" : "Polygon", g->nparts,
				   g->nparts == 1 ? "part" : "parts", positions);
	add_condition(c, "geography", IN_TARGETS | IN_FUNNEL, &label, &pred);
}

static void
geography_conditions(compiler *c)
{
	const so_targeting *r = c->r;

	if (r->geography.zips.n > 0)
		in_list(c, "geography", "p.zip", &r->geography.zips, "zip");
	if (r->geography.tracts.n > 0)
		in_list(c, "geography", "p.tract_geoid", &r->geography.tracts, "tract");
	if (r->geography.custom_polygon != NULL)
		polygon_condition(c, r->geography.custom_polygon);
}

/* ---- demographics, psychographics, competition ---- */

static void
demographic_conditions(compiler *c)
{
	const so_targeting *r = c->r;

	if (r->demographics.ses_tiers.n > 0)
		in_list(c, "demographics", "ct.ses_tier", &r->demographics.ses_tiers, "tract ses_tier");
	if (r->demographics.min_median_income.set)
		compare_number(c, "demographics", "ct.median_household_income", GE,
					   &r->demographics.min_median_income, "numeric",
					   "tract median household income", ">=");
	if (r->demographics.homeownership_rate_min.set)
		compare_number(c, "demographics", "ct.homeownership_rate", GE,
					   &r->demographics.homeownership_rate_min, "numeric",
					   "tract homeownership rate", ">=");
}

static void
psychographic_conditions(compiler *c)
{
	const so_targeting *r = c->r;

	if (r->psychographics.personas.n > 0)
		in_list(c, "psychographics", "p.persona", &r->psychographics.personas, "persona");
	if (r->psychographics.exclude_personas.n > 0)
	{
		so_sql		pred,
					label;

		so_sql_init(&pred);
		so_sql_init(&label);
		so_sql_append(&pred, "(p.persona IS NULL OR p.persona" NE "ALL (");
		text_array(&pred, &r->psychographics.exclude_personas);
		so_sql_append(&pred, "))");
		so_sql_append(&label, "persona unknown or not in ");
		label_list(&label, &r->psychographics.exclude_personas);
		add_condition(c, "psychographics", IN_TARGETS | IN_FUNNEL, &label, &pred);
	}
}

static void
competition_conditions(compiler *c)
{
	const so_targeting *r = c->r;

	if (r->competition.competitor_pressure_max.set)
		compare_number(c, "competition", "zc.competitor_pressure", LE,
					   &r->competition.competitor_pressure_max, "numeric",
					   "zip competitor pressure", "<=");
	if (r->competition.white_space_score_min.set)
		compare_number(c, "competition", "zc.white_space_score", GE,
					   &r->competition.white_space_score_min, "numeric",
					   "zip white-space score", ">=");
}

/* ---- behavioral ---- */

static bool
needs_counts(const so_targeting *r)
{
	return r->behavioral.prior_touchpoints_max.set || r->behavioral.response_rate_min.set;
}

static void
behavioral_conditions(compiler *c)
{
	const so_targeting *r = c->r;
	so_sql		pred,
				label;

	if (r->behavioral.prior_touchpoints_max.set)
		compare_integer(c, "behavioral", "beh.contacts", LE,
						r->behavioral.prior_touchpoints_max.value, "int8",
					   "contacts before as_of", "<=");
	if (r->behavioral.response_rate_min.set)
	{
		/* responses / contacts >= r, kept exact: responses >= r * contacts */
		so_sql_init(&pred);
		so_sql_init(&label);
		so_sql_append(&pred, "(beh.contacts" GT "0 AND beh.responses::pg_catalog.numeric" GE "(");
		so_sql_decimal(&pred, r->behavioral.response_rate_min.text, r->behavioral.response_rate_min.value);
		so_sql_append(&pred, "::pg_catalog.numeric" TIMES "beh.contacts::pg_catalog.numeric))");
		so_sql_append(&label, "at least one contact and response rate >= ");
		label_decimal(&label, &r->behavioral.response_rate_min);
		add_condition(c, "behavioral", IN_TARGETS | IN_FUNNEL, &label, &pred);
	}
	if (r->behavioral.exclude_recent_converts)
	{
		so_sql_init(&pred);
		so_sql_init(&label);
		so_sql_appendf(&pred,
					   "NOT EXISTS (SELECT FROM stormops.behavior_events b"
					   " WHERE b.property_id" EQ "p.property_id AND b.event_type" EQ "'conversion'"
					   " AND b.event_timestamp" GE "(%s" MINUS "(365" TIMES ONE_DAY "))"
					   " AND b.event_timestamp" LT "%s)", c->as_of, c->as_of);
		so_sql_append(&label, "no conversion in the 365 days before as_of");
		add_condition(c, "behavioral", IN_TARGETS | IN_FUNNEL, &label, &pred);
	}
	if (r->behavioral.past_customers_only)
	{
		so_sql_init(&pred);
		so_sql_init(&label);
		so_sql_append(&pred, "p.is_past_customer");
		so_sql_append(&label, "past customer");
		add_condition(c, "behavioral", IN_TARGETS | IN_FUNNEL, &label, &pred);
	}
}

/* ---- similarity ---- */

static bool
similarity_on(const so_targeting *r, so_similarity_mode mode)
{
	return r->similarity.enabled && r->similarity.mode == mode;
}

/* The property's cosine similarity to the centroid, NULL when not comparable. */
#define PROPERTY_SIMILARITY \
	"(CASE WHEN pg_catalog.array_length(p.embedding, 1)" EQ "pg_catalog.array_length(cen.embedding, 1)" \
	" THEN stormops.cosine_to_centroid(p.embedding, cen.embedding) END)"

static void
similarity_conditions(compiler *c)
{
	const so_targeting *r = c->r;
	so_sql		pred,
				label;

	if (similarity_on(r, SO_SIM_PROPERTY))
	{
		so_sql_init(&pred);
		so_sql_init(&label);
		so_sql_append(&pred, "NOT (p.property_id" EQ "ANY (SELECT rp.property_id FROM reference_properties rp))");
		so_sql_append(&label, "not a reference property");
		add_condition(c, "similarity", IN_TARGETS | IN_FUNNEL, &label, &pred);

		so_sql_init(&pred);
		so_sql_init(&label);
		so_sql_append(&pred, PROPERTY_SIMILARITY " IS NOT NULL");
		so_sql_append(&label, "has an embedding comparable with the reference centroid");
		add_condition(c, "similarity", IN_TARGETS | IN_FUNNEL | BY_TOP_K, &label, &pred);

		if (r->similarity.similarity_threshold.set)
		{
			compare_number(c, "similarity", PROPERTY_SIMILARITY, GE,
						   &r->similarity.similarity_threshold, "float8",
						   "cosine similarity", ">=");
			if (!c->failed)
				c->conds[c->n - 1].where |= BY_TOP_K;
		}
	}
	else if (similarity_on(r, SO_SIM_NEIGHBORHOOD))
	{
		so_sql_init(&pred);
		so_sql_init(&label);
		so_sql_append(&pred, "nt.tract_geoid IS NOT NULL");
		so_sql_append(&label, "in a candidate tract: not a reference tract");
		if (r->similarity.similarity_threshold.set)
		{
			so_sql_append(&label, ", similarity >= ");
			label_decimal(&label, &r->similarity.similarity_threshold);
		}
		if (r->similarity.top_k_tracts.set)
			so_sql_appendf(&label, ", among the %lld most similar",
						   (long long) r->similarity.top_k_tracts.value);
		add_condition(c, "similarity", IN_TARGETS | IN_FUNNEL, &label, &pred);
	}
}

/* ---- the statement ---- */

/* similarity_threshold as top_k's min_score, or NULL. */
static void
top_k_threshold(so_sql *s, const so_targeting *r)
{
	if (r->similarity.similarity_threshold.set)
		so_sql_decimal(s, r->similarity.similarity_threshold.text, r->similarity.similarity_threshold.value);
	else
		so_sql_append(s, "NULL");
	so_sql_append(s, "::pg_catalog.float8");
}

static void near_tracts_by_threshold(compiler *c, so_sql *s);
static void near_tracts_by_top_k(compiler *c, so_sql *s);

/* WITH clauses the similarity section needs (or nothing). */
static void
similarity_ctes(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;

	if (similarity_on(r, SO_SIM_PROPERTY))
	{
		/* references are property ids or cohort names */
		so_sql_append(s, "reference_properties AS (\n"
					  "  SELECT rp.property_id, rp.embedding FROM stormops.properties rp\n"
					  "   WHERE rp.property_id" EQ "ANY (SELECT pg_catalog.unnest(");
		text_array(s, &r->similarity.reference_property_ids);
		so_sql_append(s, ") UNION SELECT co.property_id FROM stormops.cohorts co WHERE co.cohort_name" EQ "ANY (");
		text_array(s, &r->similarity.reference_property_ids);
		so_sql_append(s, "))\n), centroid AS (\n"
					  "  SELECT stormops.reference_centroid(stormops.embedding_avg(rp.embedding),"
					  " 'similarity.reference_property_ids') AS embedding\n"
					  "    FROM reference_properties rp WHERE rp.embedding IS NOT NULL\n), ");
	}
	else if (similarity_on(r, SO_SIM_NEIGHBORHOOD))
	{
		so_sql_append(s, "centroid AS (\n"
					  "  SELECT stormops.reference_centroid(stormops.embedding_avg(rt.embedding),"
					  " 'similarity.reference_tract_ids') AS embedding\n"
					  "    FROM stormops.census_tracts rt WHERE rt.embedding IS NOT NULL AND rt.tract_geoid" EQ "ANY (");
		text_array(s, &r->similarity.reference_tract_ids);
		so_sql_append(s, ")\n), ");
		if (r->similarity.top_k_tracts.set)
			near_tracts_by_top_k(c, s);
		else
			near_tracts_by_threshold(c, s);
	}
}

/* The neighbourhood similarity of tract t to the centroid, 1 / (1 + L2). */
#define TRACT_SIMILARITY \
	"1::pg_catalog.float8" DIVIDE "(1::pg_catalog.float8" PLUS "stormops.l2_to_centroid(t.embedding, cen.embedding))"

/* Candidate tracts, all of them above the threshold (no top_k_tracts). */
static void
near_tracts_by_threshold(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;

	so_sql_append(s, "near_tracts AS (\n"
				  "  SELECT t.tract_geoid, " TRACT_SIMILARITY " AS similarity\n"
				  "    FROM stormops.census_tracts t CROSS JOIN centroid cen\n"
				  "   WHERE t.embedding IS NOT NULL\n"
				  "     AND pg_catalog.array_length(t.embedding, 1)" EQ "pg_catalog.array_length(cen.embedding, 1)\n"
				  "     AND t.tract_geoid" NE "ALL (");
	text_array(s, &r->similarity.reference_tract_ids);
	so_sql_append(s, ")\n");
	if (r->similarity.similarity_threshold.set)
	{
		/* guarded: the dimension test above may run after this one */
		so_sql_append(s, "     AND (CASE WHEN pg_catalog.array_length(t.embedding, 1)" EQ
					  "pg_catalog.array_length(cen.embedding, 1) THEN " TRACT_SIMILARITY " END)" GE);
		so_sql_decimal(s, r->similarity.similarity_threshold.text, r->similarity.similarity_threshold.value);
		so_sql_append(s, "::pg_catalog.float8\n");
	}
	so_sql_append(s, "), ");
}

/* The top_k_tracts candidate tracts, ranked by stormops.top_k in one pass. */
static void
near_tracts_by_top_k(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;

	so_sql_append(s, "near_tracts AS (\n"
				  "  SELECT u.item_id AS tract_geoid, u.score AS similarity\n"
				  "    FROM (SELECT stormops.top_k(t.tract_geoid, t.embedding, cen.embedding, ");
	so_sql_integer(s, r->similarity.top_k_tracts.value);
	so_sql_append(s, ", 'l2', ");
	top_k_threshold(s, r);
	so_sql_append(s, ") AS items\n"
				  "            FROM stormops.census_tracts t CROSS JOIN centroid cen\n"
				  "           WHERE t.tract_geoid" NE "ALL (");
	text_array(s, &r->similarity.reference_tract_ids);
	so_sql_append(s, ")) ranked, pg_catalog.unnest(ranked.items) AS u\n), ");
}

static void
impact_relation(compiler *c, so_sql *s)
{
	/* with an event, (property_id, event_id) is the key: no grouping needed */
	if (c->event != NULL)
		so_sql_append(s, "(SELECT pi.property_id, pi.sii_score");
	else
		so_sql_append(s, "(SELECT pi.property_id, pg_catalog.max(pi.sii_score) AS sii_score");
	so_sql_append(s, " FROM stormops.property_impacts pi"
				  " JOIN stormops.storm_events se ON se.event_id" EQ "pi.event_id WHERE TRUE");
	impact_row_conditions(c, s, true, true);
	if (c->event == NULL)
		so_sql_append(s, " GROUP BY pi.property_id");
	so_sql_append(s, ")");
}

static void
from_clause(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;

	so_sql_append(s, "    FROM stormops.properties p\n");
	if (c->impact_required)
	{
		so_sql_append(s, "    LEFT JOIN ");
		impact_relation(c, s);
		so_sql_append(s, " imp ON imp.property_id" EQ "p.property_id\n");
	}
	if (r->demographics.ses_tiers.n > 0 || r->demographics.min_median_income.set ||
		r->demographics.homeownership_rate_min.set)
		so_sql_append(s, "    LEFT JOIN stormops.census_tracts ct ON ct.tract_geoid" EQ "p.tract_geoid\n");
	if (r->competition.competitor_pressure_max.set || r->competition.white_space_score_min.set)
		so_sql_append(s, "    LEFT JOIN stormops.zip_competition zc ON zc.zip" EQ "p.zip\n");
	if (needs_counts(r))
		so_sql_appendf(s, "    LEFT JOIN LATERAL (SELECT"
					   " pg_catalog.count(*) FILTER (WHERE b.event_type" EQ "'contact') AS contacts,"
					   " pg_catalog.count(*) FILTER (WHERE b.event_type" EQ "'response') AS responses"
					   " FROM stormops.behavior_events b WHERE b.property_id" EQ "p.property_id"
					   " AND b.event_timestamp" LT "%s) beh ON TRUE\n", c->as_of);
	if (similarity_on(r, SO_SIM_PROPERTY))
		so_sql_append(s, "    CROSS JOIN centroid cen\n");
	if (similarity_on(r, SO_SIM_NEIGHBORHOOD))
		so_sql_append(s, "    LEFT JOIN near_tracts nt ON nt.tract_geoid" EQ "p.tract_geoid\n");
	so_sql_append(s, "    LEFT JOIN stormops.property_scores ps ON ps.property_id" EQ "p.property_id\n");
}

/* The targeting conditions, leaving out those with a flag of `skip`. */
static void
where_clause(compiler *c, so_sql *s, int skip)
{
	so_sql_append(s, "   WHERE TRUE");
	for (size_t i = 0; i < c->n; i++)
		if ((c->conds[i].where & IN_TARGETS) && !(c->conds[i].where & skip))
			so_sql_appendf(s, "\n     AND %s", c->conds[i].predicate);
	so_sql_append(s, "\n");
}

/*
 * Mode property with top_k: stormops.top_k ranks, in one pass, the rows that
 * meet every other condition (it skips the rows it cannot compare, and
 * applies the threshold itself); the k it keeps are then joined back for
 * their impact and scores.
 */
static void
nearest_statement(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;

	so_sql_append(s, "nearest AS (\n  SELECT stormops.top_k(p.property_id, p.embedding, cen.embedding, ");
	so_sql_integer(s, r->similarity.top_k.value);
	so_sql_append(s, ", 'cosine', ");
	top_k_threshold(s, r);
	so_sql_append(s, ") AS items\n");
	from_clause(c, s);
	where_clause(c, s, BY_TOP_K);
	so_sql_append(s, "), candidates AS (\n"
				  "  SELECT p.property_id, n.score AS similarity, ");
	so_sql_append(s, c->impact_required ? "imp.sii_score, " : "NULL::pg_catalog.numeric AS sii_score, ");
	so_sql_append(s, "ps.uplift_score\n"
				  "    FROM nearest, pg_catalog.unnest(nearest.items) AS n\n"
				  "    JOIN stormops.properties p ON p.property_id" EQ "n.item_id\n");
	if (c->impact_required)
	{
		so_sql_append(s, "    LEFT JOIN ");
		impact_relation(c, s);
		so_sql_append(s, " imp ON imp.property_id" EQ "p.property_id\n");
	}
	so_sql_append(s, "    LEFT JOIN stormops.property_scores ps ON ps.property_id" EQ "p.property_id\n)\n");
}

#define WITHIN_ORDER "c.uplift_score DESC NULLS LAST, c.sii_score DESC NULLS LAST, c.property_id"

static void
targets_statement(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;
	bool		property_mode = similarity_on(r, SO_SIM_PROPERTY);
	bool		neighborhood = similarity_on(r, SO_SIM_NEIGHBORHOOD);

	so_sql_append(s, "WITH ");
	similarity_ctes(c, s);
	if (property_mode && r->similarity.top_k.set)
	{
		nearest_statement(c, s);
		so_sql_append(s, "SELECT c.property_id, pg_catalog.row_number() OVER (ORDER BY c.similarity DESC, c.property_id)"
					  "::pg_catalog.int4 AS rank,\n"
					  "       c.similarity, c.sii_score, c.uplift_score\n  FROM candidates c\n ORDER BY rank");
		return;
	}
	so_sql_append(s, "candidates AS (\n  SELECT p.property_id, ");
	if (property_mode)
		so_sql_append(s, PROPERTY_SIMILARITY " AS similarity, ");
	else if (neighborhood)
		so_sql_append(s, "nt.similarity, p.tract_geoid, ");
	else
		so_sql_append(s, "NULL::pg_catalog.float8 AS similarity, ");
	so_sql_append(s, c->impact_required ? "imp.sii_score, " : "NULL::pg_catalog.numeric AS sii_score, ");
	so_sql_append(s, "ps.uplift_score");
	if (neighborhood)
		so_sql_appendf(s, ",\n         pg_catalog.row_number() OVER (PARTITION BY p.tract_geoid ORDER BY"
					   " ps.uplift_score DESC NULLS LAST, %s DESC NULLS LAST, p.property_id) AS place_in_tract",
					   c->impact_required ? "imp.sii_score" : "NULL::pg_catalog.numeric");
	so_sql_append(s, "\n");
	from_clause(c, s);
	where_clause(c, s, 0);
	so_sql_append(s, ")\nSELECT c.property_id, pg_catalog.row_number() OVER (ORDER BY ");
	if (property_mode)
		so_sql_append(s, "c.similarity DESC, c.property_id");
	else if (neighborhood)
		so_sql_append(s, "c.similarity DESC, c.tract_geoid, " WITHIN_ORDER);
	else
		so_sql_append(s, WITHIN_ORDER);
	so_sql_append(s, ")::pg_catalog.int4 AS rank,\n"
				  "       c.similarity, c.sii_score, c.uplift_score\n  FROM candidates c\n");
	if (neighborhood && r->similarity.properties_per_tract.set)
	{
		so_sql_append(s, " WHERE c.place_in_tract" LE);
		so_sql_integer(s, r->similarity.properties_per_tract.value);
		so_sql_append(s, "\n");
	}
	so_sql_append(s, " ORDER BY rank");
}

/* ---- entry points ---- */

static void
compiler_free(compiler *c)
{
	free(c->as_of);
	free(c->event);
	for (size_t i = 0; i < c->n; i++)
	{
		free(c->conds[i].label);
		free(c->conds[i].predicate);
	}
}

static int
compiler_init(compiler *c, const so_targeting *rules, const so_targeting_context *ctx,
			  so_error *err)
{
	so_sql		s;

	memset(c, 0, sizeof(*c));
	c->r = rules;
	so_error_clear(err);
	if (ctx == NULL || ctx->as_of == NULL)
		return so_error_set(err, SO_ERR_MISSING, "as_of", "as_of is required",
							"a timestamptz", "");

	/* an ISO timestamp with zone, e.g. 2019-03-27 12:00:00.000000+00 */
	if (strlen(ctx->as_of) < 10 || strlen(ctx->as_of) > 40 ||
		strspn(ctx->as_of, "0123456789-:. +TZ") != strlen(ctx->as_of))
		return so_error_set(err, SO_ERR_FORMAT, "as_of", "not an ISO timestamp",
							"a timestamp like 2019-03-27 12:00:00+00", ctx->as_of);
	so_sql_init(&s);
	so_sql_literal(&s, ctx->as_of, strlen(ctx->as_of));
	so_sql_append(&s, "::pg_catalog.timestamptz");
	c->as_of = take(c, &s);
	if (ctx->event_id != NULL)
	{
		so_sql_init(&s);
		so_sql_literal(&s, ctx->event_id, strlen(ctx->event_id));
		c->event = take(c, &s);
	}
	c->impact_required = ctx->event_id != NULL ||
		rules->physics.min_sii_score.set || rules->physics.max_days_since_storm.set;

	/* the fixed order of the funnel, documented in docs/targeting.md */
	physics_conditions(c, ctx->event_id);
	geography_conditions(c);
	demographic_conditions(c);
	psychographic_conditions(c);
	behavioral_conditions(c);
	competition_conditions(c);
	similarity_conditions(c);
	if (c->failed)
		return so_error_set(err, SO_ERR_TOO_LARGE, "", "could not build the statement",
							"rules and an event id that fit in memory", "");
	return SO_OK;
}

static int
finish(compiler *c, so_sql *s, char **sql, so_error *err)
{
	*sql = so_sql_take(s);
	compiler_free(c);
	if (*sql == NULL)
		return so_error_set(err, SO_ERR_TOO_LARGE, "", "could not build the statement",
							"rules that fit in memory", "");
	return SO_OK;
}

int
so_targeting_compile(const so_targeting *rules, const so_targeting_context *ctx,
					 char **sql, so_error *err)
{
	compiler	c;
	so_sql		s;
	int			rc;

	*sql = NULL;
	rc = compiler_init(&c, rules, ctx, err);
	if (rc != SO_OK)
	{
		compiler_free(&c);
		return rc;
	}
	so_sql_init(&s);
	targets_statement(&c, &s);
	return finish(&c, &s, sql, err);
}

static bool
has_final_cut(const so_targeting *r)
{
	return (similarity_on(r, SO_SIM_PROPERTY) && r->similarity.top_k.set) ||
		(similarity_on(r, SO_SIM_NEIGHBORHOOD) && r->similarity.properties_per_tract.set);
}

int
so_targeting_compile_funnel(const so_targeting *rules, const so_targeting_context *ctx,
							char **sql, so_error *err)
{
	compiler	c;
	so_sql		s;
	size_t		steps = 0;
	int			rc;

	*sql = NULL;
	rc = compiler_init(&c, rules, ctx, err);
	if (rc != SO_OK)
	{
		compiler_free(&c);
		return rc;
	}
	so_sql_init(&s);
	so_sql_append(&s, "WITH ");
	similarity_ctes(&c, &s);
	/* the first condition each property fails; steps+1 when it meets them all */
	so_sql_append(&s, "failed AS (\n  SELECT ");
	for (size_t i = 0; i < c.n; i++)
		if (c.conds[i].where & IN_FUNNEL)
		{
			steps++;
			so_sql_appendf(&s, "%sWHEN (%s) IS NOT TRUE THEN %zu\n       ",
						   steps == 1 ? "CASE " : "", c.conds[i].predicate, steps);
		}
	if (steps == 0)
		so_sql_append(&s, "1");
	else
		so_sql_appendf(&s, "ELSE %zu END", steps + 1);
	so_sql_append(&s, " AS failed_at\n");
	from_clause(&c, &s);
	so_sql_append(&s, "), counts AS (\n  SELECT failed_at, pg_catalog.count(*) AS n FROM failed GROUP BY failed_at\n)\n"
				  "SELECT s.step, s.section, s.condition,\n"
				  "       CASE WHEN s.step" LE);
	so_sql_integer(&s, (int64_t) steps);
	so_sql_append(&s, " THEN COALESCE((SELECT pg_catalog.sum(k.n) FROM counts k WHERE k.failed_at" GT "s.step), 0)::pg_catalog.int8\n");
	if (has_final_cut(rules))
	{
		/* top_k and properties_per_tract cut the ranked result: count it */
		so_sql_append(&s, "            ELSE (SELECT pg_catalog.count(*) FROM (");
		targets_statement(&c, &s);
		so_sql_append(&s, ") final)\n");
	}
	so_sql_append(&s, "       END AS remaining\n"
				  "  FROM (VALUES (0, 'all', 'every property')");
	steps = 0;
	for (size_t i = 0; i < c.n; i++)
		if (c.conds[i].where & IN_FUNNEL)
		{
			so_sql_appendf(&s, ",\n              (%zu, '%s', ", ++steps, c.conds[i].section);
			so_sql_literal(&s, c.conds[i].label, strlen(c.conds[i].label));
			so_sql_append(&s, ")");
		}
	if (has_final_cut(rules))
	{
		char		label[96];

		if (similarity_on(rules, SO_SIM_PROPERTY))
			snprintf(label, sizeof(label), "the %lld most similar",
					 (long long) rules->similarity.top_k.value);
		else
			snprintf(label, sizeof(label), "at most %lld per tract",
					 (long long) rules->similarity.properties_per_tract.value);
		so_sql_appendf(&s, ",\n              (%zu, 'similarity', ", ++steps);
		so_sql_literal(&s, label, strlen(label));
		so_sql_append(&s, ")");
	}
	so_sql_append(&s, ") AS s(step, section, condition)\n ORDER BY s.step");
	return finish(&c, &s, sql, err);
}
