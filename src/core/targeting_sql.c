/*
 * targeting_sql.c: targeting rules -> one SQL statement (the conditions of
 * each section come from targeting_conditions.c).
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

#include "targeting_compiler.h"
#include "targeting_sql.h"

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

	if (tsql_similarity_on(r, SO_SIM_PROPERTY))
	{
		/* references are property ids or cohort names */
		so_sql_append(s, "reference_properties AS (\n"
					  "  SELECT rp.property_id, rp.embedding FROM stormops.properties rp\n"
					  "   WHERE rp.property_id" EQ "ANY (SELECT pg_catalog.unnest(");
		tsql_text_array(s, &r->similarity.reference_property_ids);
		so_sql_append(s, ") UNION SELECT co.property_id FROM stormops.cohorts co WHERE co.cohort_name" EQ "ANY (");
		tsql_text_array(s, &r->similarity.reference_property_ids);
		so_sql_append(s, "))\n), centroid AS (\n"
					  "  SELECT stormops.reference_centroid(stormops.embedding_avg(rp.embedding),"
					  " 'similarity.reference_property_ids') AS embedding\n"
					  "    FROM reference_properties rp WHERE rp.embedding IS NOT NULL\n), ");
	}
	else if (tsql_similarity_on(r, SO_SIM_NEIGHBORHOOD))
	{
		so_sql_append(s, "centroid AS (\n"
					  "  SELECT stormops.reference_centroid(stormops.embedding_avg(rt.embedding),"
					  " 'similarity.reference_tract_ids') AS embedding\n"
					  "    FROM stormops.census_tracts rt WHERE rt.embedding IS NOT NULL AND rt.tract_geoid" EQ "ANY (");
		tsql_text_array(s, &r->similarity.reference_tract_ids);
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
	tsql_text_array(s, &r->similarity.reference_tract_ids);
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
	tsql_text_array(s, &r->similarity.reference_tract_ids);
	so_sql_append(s, ")) ranked, pg_catalog.unnest(ranked.items) AS u\n), ");
}

/*
 * imp, the property's qualifying impact (sii_score; property_id NULL when it
 * has none). With an event, (property_id, event_id) is the key. Without
 * one, either one aggregate of every qualifying impact, hash-joined (most
 * properties are candidates), or, when few are (a geography or the tracts
 * near the references, or the k rows that top_k kept), each candidate's
 * impacts by index.
 */
static void
impact_join(compiler *c, so_sql *s, bool few_candidates)
{
	bool		lateral = c->event == NULL && few_candidates;

	so_sql_append(s, lateral ? "    LEFT JOIN LATERAL " : "    LEFT JOIN ");
	if (c->event != NULL)
		so_sql_append(s, "(SELECT pi.property_id, pi.sii_score");
	else
		so_sql_append(s, "(SELECT pi.property_id, pg_catalog.max(pi.sii_score) AS sii_score");
	so_sql_append(s, " FROM stormops.property_impacts pi"
				  " JOIN stormops.storm_events se ON se.event_id" EQ "pi.event_id WHERE ");
	so_sql_append(s, lateral ? "pi.property_id" EQ "p.property_id" : "TRUE");
	tsql_impact_row_conditions(c, s, true, true);
	if (c->event == NULL)
		so_sql_append(s, " GROUP BY pi.property_id");
	so_sql_append(s, lateral ? ") imp ON TRUE\n" : ") imp ON imp.property_id" EQ "p.property_id\n");
}

/* One count of a property's events of a type before as_of, by index. */
static void
history_count(compiler *c, so_sql *s, const char *type)
{
	so_sql_appendf(s, "(SELECT pg_catalog.count(*) FROM stormops.behavior_events b"
				   " WHERE b.property_id" EQ "p.property_id AND b.event_type" EQ "'%s'"
				   " AND b.event_timestamp" LT "%s)", type, c->as_of);
}

/*
 * beh (contacts and responses before as_of, 0 without events) in the form
 * compiler_init chose, and bc (the property's behavior_counts row) when the
 * form reads it.
 */
static void
behavior_relations(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;
	bool		counts = tsql_needs_counts(r);

	if (c->beh_form == SO_BEHAVIOR_COUNTS && (counts || r->behavioral.exclude_recent_converts))
		so_sql_append(s, "    LEFT JOIN stormops.behavior_counts bc ON bc.property_id" EQ "p.property_id\n");
	if (!counts)
		return;
	switch (c->beh_form)
	{
		case SO_BEHAVIOR_BY_SHAPE:	/* compiler_init chose: not reached */
		case SO_BEHAVIOR_LATERAL:
			so_sql_appendf(s, "    LEFT JOIN LATERAL (SELECT"
						   " pg_catalog.count(*) FILTER (WHERE b.event_type" EQ "'contact') AS contacts,"
						   " pg_catalog.count(*) FILTER (WHERE b.event_type" EQ "'response') AS responses"
						   " FROM stormops.behavior_events b WHERE b.property_id" EQ "p.property_id"
						   " AND b.event_timestamp" LT "%s) beh ON TRUE\n", c->as_of);
			break;
		case SO_BEHAVIOR_AGGREGATE:
			/* with exclude_recent_converts, the latest conversion in the same pass */
			so_sql_append(s, "    LEFT JOIN (SELECT b.property_id,"
						  " pg_catalog.count(*) FILTER (WHERE b.event_type" EQ "'contact') AS contacts,"
						  " pg_catalog.count(*) FILTER (WHERE b.event_type" EQ "'response') AS responses");
			if (r->behavioral.exclude_recent_converts)
				so_sql_append(s, ", pg_catalog.max(b.event_timestamp) FILTER (WHERE b.event_type" EQ "'conversion')"
							  " AS last_conversion_at");
			so_sql_appendf(s, " FROM stormops.behavior_events b"
						   " WHERE b.event_type" EQ "ANY ('%s'::pg_catalog.text[])"
						   " AND b.event_timestamp" LT "%s GROUP BY b.property_id) beh_all",
						   r->behavioral.exclude_recent_converts ? "{contact,response,conversion}" : "{contact,response}",
						   c->as_of);
			so_sql_append(s, " ON beh_all.property_id" EQ "p.property_id\n"
						  "    CROSS JOIN LATERAL (SELECT COALESCE(beh_all.contacts, 0) AS contacts,"
						  " COALESCE(beh_all.responses, 0) AS responses) beh\n");
			break;
		case SO_BEHAVIOR_COUNTS:
			so_sql_appendf(s, "    CROSS JOIN LATERAL (SELECT CASE WHEN bc.property_id IS NULL THEN 0"
						   " WHEN bc.last_event_at" LT "%s THEN bc.contacts ELSE ", c->as_of);
			history_count(c, s, "contact");
			so_sql_appendf(s, " END AS contacts, CASE WHEN bc.property_id IS NULL THEN 0"
						   " WHEN bc.last_event_at" LT "%s THEN bc.responses ELSE ", c->as_of);
			history_count(c, s, "response");
			so_sql_append(s, " END AS responses) beh\n");
			break;
	}
}

static void
from_clause(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;

	so_sql_append(s, "    FROM stormops.properties p\n");
	if (c->impact_required)
		impact_join(c, s, !c->every_property && tsql_selective(r, c->event));
	if (r->demographics.ses_tiers.n > 0 || r->demographics.min_median_income.set ||
		r->demographics.homeownership_rate_min.set)
		so_sql_append(s, "    LEFT JOIN stormops.census_tracts ct ON ct.tract_geoid" EQ "p.tract_geoid\n");
	if (r->competition.competitor_pressure_max.set || r->competition.white_space_score_min.set)
		so_sql_append(s, "    LEFT JOIN stormops.zip_competition zc ON zc.zip" EQ "p.zip\n");
	behavior_relations(c, s);
	if (tsql_similarity_on(r, SO_SIM_PROPERTY))
		so_sql_append(s, "    CROSS JOIN centroid cen\n");
	if (tsql_similarity_on(r, SO_SIM_NEIGHBORHOOD))
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
		impact_join(c, s, true);	/* the k that top_k kept */
	so_sql_append(s, "    LEFT JOIN stormops.property_scores ps ON ps.property_id" EQ "p.property_id\n)\n");
}

#define WITHIN_ORDER "c.uplift_score DESC NULLS LAST, c.sii_score DESC NULLS LAST, c.property_id"

static void
targets_statement(compiler *c, so_sql *s)
{
	const so_targeting *r = c->r;
	bool		property_mode = tsql_similarity_on(r, SO_SIM_PROPERTY);
	bool		neighborhood = tsql_similarity_on(r, SO_SIM_NEIGHBORHOOD);

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
	if (ctx->as_of_year < 1 || ctx->as_of_year > 294276)
		return so_error_set(err, SO_ERR_RANGE, "as_of", "the year of as_of is out of range",
							"a year from 1 to 294276", "");
	c->as_of_year = ctx->as_of_year;
	so_sql_init(&s);
	so_sql_literal(&s, ctx->as_of, strlen(ctx->as_of));
	so_sql_append(&s, "::pg_catalog.timestamptz");
	c->as_of = tsql_take(c, &s);
	if (!c->failed && ctx->event_id != NULL)
	{
		so_sql_init(&s);
		so_sql_literal(&s, ctx->event_id, strlen(ctx->event_id));
		c->event = tsql_take(c, &s);
	}
	/* nothing below may format a NULL as_of or event */
	if (c->failed)
		return so_error_set(err, SO_ERR_TOO_LARGE, "", "could not build the statement",
							"rules and an event id that fit in memory", "");
	c->impact_required = ctx->event_id != NULL ||
		rules->physics.min_sii_score.set || rules->physics.max_days_since_storm.set;
	if (ctx->behavior_form != SO_BEHAVIOR_BY_SHAPE)
		c->beh_form = ctx->behavior_form;
	else if (tsql_selective(rules, ctx->event_id))
		c->beh_form = SO_BEHAVIOR_LATERAL;
	else
		c->beh_form = SO_BEHAVIOR_AGGREGATE;

	/* the fixed order of the funnel, documented in docs/targeting.md */
	tsql_physics_conditions(c, ctx->event_id);
	tsql_geography_conditions(c);
	tsql_demographic_conditions(c);
	tsql_psychographic_conditions(c);
	tsql_behavioral_conditions(c);
	tsql_competition_conditions(c);
	tsql_diffusion_conditions(c);
	tsql_similarity_conditions(c);
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
	return (tsql_similarity_on(r, SO_SIM_PROPERTY) && r->similarity.top_k.set) ||
		(tsql_similarity_on(r, SO_SIM_NEIGHBORHOOD) && r->similarity.properties_per_tract.set);
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
	/* no funnel step reads imp: joined whole, PostgreSQL drops the join */
	c.every_property = true;
	from_clause(&c, &s);
	c.every_property = false;
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

		if (tsql_similarity_on(rules, SO_SIM_PROPERTY))
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
