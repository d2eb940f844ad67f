/*
 * targeting_conditions.c: each section of the targeting rules as labelled
 * conditions (targeting.md): physics (the qualifying impact), geography
 * (ZIPs, tracts, a polygon), demographics, psychographics, behaviour,
 * competition, diffusion (docs/diffusion.md) and similarity. Each condition is a predicate over one row
 * of stormops.properties p and the relations targeting_sql.c joins to it,
 * with a label for the funnel; values are quoted by sql_text.c, so no rule
 * can change the statement's structure. Failure modes: allocation failures
 * and a full condition list set the compiler's failed flag; nothing here
 * reports an error itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_polygon.h"
#include "targeting_compiler.h"

/* ---- small builders ---- */

char *
tsql_take(compiler *c, so_sql *s)
{
	char	   *text = so_sql_take(s);

	if (text == NULL)
		c->failed = true;
	return text;
}

static void
add_condition(compiler *c, const char *section, int where, so_sql *label, so_sql *pred)
{
	char	   *l = tsql_take(c, label);
	char	   *p = tsql_take(c, pred);

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
void
tsql_text_array(so_sql *s, const so_strlist *l)
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
	tsql_text_array(&pred, l);
	so_sql_append(&pred, ")");
	so_sql_appendf(&label, "%s in ", label_text);
	label_list(&label, l);
	add_condition(c, section, IN_TARGETS | IN_FUNNEL, &label, &pred);
}

/* ---- physics ---- */

/* The conditions an impact row must meet, on pi (property_impacts) and se (storm_events). */
void
tsql_impact_row_conditions(compiler *c, so_sql *s, bool with_sii, bool with_days)
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
	tsql_impact_row_conditions(c, &pred, with_sii, with_days);
	so_sql_append(&pred, ")");
	add_condition(c, "physics", IN_FUNNEL, label, &pred);
}

void
tsql_physics_conditions(compiler *c, const char *ctx_event_id)
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
		/* the year of as_of in stormops.default_time_zone (docs/data-model.md, "Time") */
		so_sql_appendf(&age, "(%d" MINUS "p.roof_install_year)", c->as_of_year);
		text = tsql_take(c, &age);
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
	text = tsql_take(c, &json);
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

void
tsql_geography_conditions(compiler *c)
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

void
tsql_demographic_conditions(compiler *c)
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

void
tsql_psychographic_conditions(compiler *c)
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
		tsql_text_array(&pred, &r->psychographics.exclude_personas);
		so_sql_append(&pred, "))");
		so_sql_append(&label, "persona unknown or not in ");
		label_list(&label, &r->psychographics.exclude_personas);
		add_condition(c, "psychographics", IN_TARGETS | IN_FUNNEL, &label, &pred);
	}
}

void
tsql_competition_conditions(compiler *c)
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

/*
 * diffusion: the percent rank stored with the score at the last refresh
 * (a property scored since has none and fails, as NULL does).
 */
void
tsql_diffusion_conditions(compiler *c)
{
	const so_targeting *r = c->r;

	if (r->diffusion.min_score.set)
		compare_number(c, "diffusion", "ps.diffusion_percentile", GE,
					   &r->diffusion.min_score, "float8",
					   "diffusion score percentile", ">=");
}

/* ---- behavioral ---- */

bool
tsql_needs_counts(const so_targeting *r)
{
	return r->behavioral.prior_touchpoints_max.set || r->behavioral.response_rate_min.set;
}

/*
 * Whether the rule set keeps few properties before the behavioral keys are
 * tested: an event's footprint, a geography list or polygon, or the tracts
 * near the reference ones. Counting those few by index beats aggregating all
 * of history; without them, one aggregate hash-joined wins
 * (docs/targeting.md, "How the behavioural keys are read").
 */
bool
tsql_selective(const so_targeting *r, const char *event)
{
	return event != NULL || r->geography.zips.n > 0 || r->geography.tracts.n > 0 ||
		r->geography.custom_polygon != NULL || tsql_similarity_on(r, SO_SIM_NEIGHBORHOOD);
}

/*
 * The rate's test on the joined relation alone (bc or beh_all), in the
 * targeting statement only: implied by the exact condition above (a property
 * without a row has no contact; a bc row whose events are all before as_of
 * holds the exact counts, and one that is not passes), it lets the planner
 * filter that relation before joining it and join it as an inner join. The
 * funnel, which keeps every property, does without it.
 */
static void
response_rate_prefilter(compiler *c)
{
	const so_targeting *r = c->r;
	const char *rel = c->beh_form == SO_BEHAVIOR_COUNTS ? "bc" : "beh_all";
	so_sql		pred,
				label;

	if (c->beh_form == SO_BEHAVIOR_LATERAL)
		return;
	so_sql_init(&pred);
	so_sql_init(&label);
	if (c->beh_form == SO_BEHAVIOR_COUNTS)
		so_sql_appendf(&pred, "(bc.last_event_at" GE "%s OR ", c->as_of);
	else
		so_sql_append(&pred, "(");
	so_sql_appendf(&pred, "(%s.contacts" GT "0", rel);
	/* a positive rate needs a response: an integer test before the numeric one */
	if (r->behavioral.response_rate_min.value > 0)
		so_sql_appendf(&pred, " AND %s.responses" GT "0", rel);
	so_sql_appendf(&pred, " AND %s.responses::pg_catalog.numeric" GE "(", rel);
	so_sql_decimal(&pred, r->behavioral.response_rate_min.text, r->behavioral.response_rate_min.value);
	so_sql_appendf(&pred, "::pg_catalog.numeric" TIMES "%s.contacts::pg_catalog.numeric)))", rel);
	so_sql_append(&label, "(the response rate, on the joined counts)");
	add_condition(c, "behavioral", IN_TARGETS, &label, &pred);
}

void
tsql_behavioral_conditions(compiler *c)
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
		response_rate_prefilter(c);
	}
	if (r->behavioral.exclude_recent_converts)
	{
		so_sql_init(&pred);
		so_sql_init(&label);
		if (c->beh_form == SO_BEHAVIOR_COUNTS)
			/* bc's latest conversion is the latest before as_of when every
			 * counted event is; otherwise the history says */
			so_sql_appendf(&pred,
						   "(CASE WHEN bc.property_id IS NULL THEN TRUE"
						   " WHEN bc.last_event_at" LT "%s THEN bc.last_conversion_at IS NULL"
						   " OR bc.last_conversion_at" LT "(%s" MINUS "(365" TIMES ONE_DAY ")) ELSE ",
						   c->as_of, c->as_of);
		if (c->beh_form == SO_BEHAVIOR_AGGREGATE && tsql_needs_counts(r))
			/* beh_all has the latest conversion before as_of (targeting_sql.c) */
			so_sql_appendf(&pred,
						   "(beh_all.last_conversion_at IS NULL"
						   " OR beh_all.last_conversion_at" LT "(%s" MINUS "(365" TIMES ONE_DAY ")))",
						   c->as_of);
		else
			so_sql_appendf(&pred,
						   "NOT EXISTS (SELECT FROM stormops.behavior_events b"
						   " WHERE b.property_id" EQ "p.property_id AND b.event_type" EQ "'conversion'"
						   " AND b.event_timestamp" GE "(%s" MINUS "(365" TIMES ONE_DAY "))"
						   " AND b.event_timestamp" LT "%s)", c->as_of, c->as_of);
		if (c->beh_form == SO_BEHAVIOR_COUNTS)
			so_sql_append(&pred, " END)");
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

bool
tsql_similarity_on(const so_targeting *r, so_similarity_mode mode)
{
	return r->similarity.enabled && r->similarity.mode == mode;
}

void
tsql_similarity_conditions(compiler *c)
{
	const so_targeting *r = c->r;
	so_sql		pred,
				label;

	if (tsql_similarity_on(r, SO_SIM_PROPERTY))
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
	else if (tsql_similarity_on(r, SO_SIM_NEIGHBORHOOD))
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
