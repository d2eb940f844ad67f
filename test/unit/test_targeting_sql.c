/*
 * test_targeting_sql.c: what the compiler writes.
 *
 * The property that makes generated SQL injection-proof: replacing any string
 * value of the rules (or the event id) by any other string never changes the
 * statement outside its literals. Also: the shape each section produces, and
 * the funnel's steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_lexer.h"
#include "targeting_rules.h"
#include "sql_text.h"
#include "targeting_sql.h"
#include "tap.h"
#include "test_util.h"

#define AS_OF "2019-03-27 12:00:00.000000+00"
/* the seed's Frisco-Alpha rules, every section but behaviour, with a behaviour key */
#define FRISCO_SQ "{'physics': {'min_sii_score': 75, 'max_days_since_storm': 14}," \
	" 'geography': {'zips': ['75034', '75035']}, 'demographics': {'ses_tiers': ['High'], 'min_median_income': 100000}," \
	" 'psychographics': {'personas': ['Proof_Seeker', 'Status_Conscious']}," \
	" 'behavioral': {'prior_touchpoints_max': 3}, 'competition': {'competitor_pressure_max': 0.4}," \
	" 'diffusion': {'min_score': 50}," \
	" 'similarity': {'enabled': true, 'reference_property_ids': ['top_50'], 'similarity_threshold': 0.8, 'top_k': 300}}"

/* The behaviour form compile_sq asks for. */
static so_behavior_form compile_form = SO_BEHAVIOR_BY_SHAPE;

/* Compile rules (written with ' for ") into the statement or the funnel; NULL on error. */
static char *
compile_sq(const char *rules_sq, const char *event_id, bool funnel)
{
	char	   *json = sq(rules_sq);
	so_targeting *rules = NULL;
	so_targeting_context ctx = {event_id, AS_OF, 2019, compile_form};
	so_error	err;
	char	   *sql = NULL;

	if (so_targeting_parse(json, strlen(json), &rules, &err) == SO_OK)
	{
		if (funnel)
			so_targeting_compile_funnel(rules, &ctx, &sql, &err);
		else
			so_targeting_compile(rules, &ctx, &sql, &err);
	}
	else
		diag("parse failed at %s: %s", err.path, err.message);
	so_targeting_free(rules);
	free(json);
	return sql;
}

static int
count_of(const char *hay, const char *needle)
{
	int			n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- injection: values never change the statement's structure ---- */

static const char *const hostile[] = {
	"plain",
	"O'Brien",
	"'",
	"''",
	"\\",
	"\\'",
	"'; DROP TABLE stormops.properties; --",
	"\\'); DELETE FROM stormops.playbooks; --",
	"$$; SELECT pg_sleep(10); $$",
	"$tag$ x $tag$",
	"/* comment */",
	"-- comment",
	"*/ SELECT 1 /*",
	"E'x'",
	"U&'\\0041'",
	"%s%n%x",
	"\xc3\xa9t\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x8c\xa9",
	"a\"b",
	"{\"x\"}",
	"ARRAY['a']",
	")) OR TRUE OR ((",
	"' OR '1'='1",
	"\\\\\\''",
	"\n;\t\r",
};

/* A JSON string literal of v, with ' written as \u0027 so sq() leaves it alone. */
static char *
json_string(const char *v)
{
	char	   *out = xmalloc(strlen(v) * 6 + 3);
	size_t		o = 0;

	out[o++] = '\'';
	for (const char *p = v; *p; p++)
	{
		if (*p == '\'')
			o += (size_t) sprintf(out + o, "\\u0027");
		else if (*p == '"' || *p == '\\')
		{
			out[o++] = '\\';
			out[o++] = *p;
		}
		else if (*p == '\n')
			o += (size_t) sprintf(out + o, "\\n");
		else if (*p == '\t')
			o += (size_t) sprintf(out + o, "\\t");
		else if (*p == '\r')
			o += (size_t) sprintf(out + o, "\\r");
		else
			out[o++] = *p;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* Rules that put v in every place a free string can go. */
static char *
rules_with(const char *v, int mode)
{
	char	   *s = json_string(v);
	char	   *r;

	if (mode == 0)
		r = fmt("{'psychographics': {'personas': [%s, 'Proof_Seeker'], 'exclude_personas': [%s]},"
				" 'similarity': {'enabled': true, 'reference_property_ids': [%s, 'cohort_a'], 'top_k': 5}}",
				s, s, s);
	else
		r = fmt("{'physics': {'min_sii_score': 70}, 'psychographics': {'exclude_personas': [%s]}}", s);
	free(s);
	return r;
}

static void
test_values_never_change_structure(void)
{
	for (int funnel = 0; funnel <= 1; funnel++)
		for (int mode = 0; mode <= 1; mode++)
		{
			char	   *base_rules = rules_with("plain", mode);
			char	   *base_sql = compile_sq(base_rules, "plain", funnel);
			char	   *base = base_sql != NULL ? sql_outside_literals(base_sql) : NULL;

			ok(base != NULL, "baseline compiles (funnel %d, mode %d)", funnel, mode);
			for (size_t i = 0; base != NULL && i < sizeof(hostile) / sizeof(hostile[0]); i++)
			{
				char	   *rules = rules_with(hostile[i], mode);
				char	   *sql = compile_sq(rules, hostile[i], funnel);
				char	   *rest = sql != NULL ? sql_outside_literals(sql) : NULL;

				ok(rest != NULL && strcmp(rest, base) == 0,
				   "value #%zu leaves the structure unchanged (funnel %d, mode %d)", i, funnel, mode);
				free(rest);
				free(sql);
				free(rules);
			}
			free(base);
			free(base_sql);
			free(base_rules);
		}
}

/* ---- shapes ---- */

static void
test_shapes(void)
{
	char	   *sql;

	sql = compile_sq("{}", NULL, false);
	ok(sql != NULL, "{} compiles");
	ok(sql && strstr(sql, "property_impacts") == NULL, "{} without event reads no impacts");
	ok(sql && strstr(sql, "NULL::pg_catalog.numeric AS sii_score") != NULL, "{} gives a NULL sii_score");
	ok(sql && strstr(sql, "NULL::pg_catalog.float8 AS similarity") != NULL, "{} gives a NULL similarity");
	ok(sql && strstr(sql, "WHERE TRUE\n)") != NULL, "{} sets no condition");
	free(sql);

	sql = compile_sq("{}", "ev1", false);
	ok(sql && strstr(sql, "pi.event_id OPERATOR(pg_catalog.=) 'ev1'") != NULL,
	   "an event requires an impact row for that event");
	ok(sql && strstr(sql, "imp.property_id IS NOT NULL") != NULL, "... as a condition");
	ok(sql && strstr(sql, "GROUP BY") == NULL, "with an event, impacts need no grouping");
	free(sql);

	sql = compile_sq("{'physics': {'min_sii_score': 70}}", NULL, false);
	ok(sql && strstr(sql, "pg_catalog.max(pi.sii_score)") != NULL,
	   "without an event, the highest qualifying impact");
	ok(sql && strstr(sql, "pi.sii_score OPERATOR(pg_catalog.>=) 70::pg_catalog.numeric") != NULL,
	   "min_sii_score on the impact row");
	free(sql);

	sql = compile_sq("{'physics': {'roof_age_min': 10, 'roof_age_max': 40}}", NULL, false);
	ok(sql && strstr(sql, "property_impacts") == NULL, "roof age needs no impact row");
	ok(sql && count_of(sql, "p.roof_install_year") == 2, "roof age min and max");
	/* the caller's local year of as_of, as a number: no function the schema might lack */
	ok(sql && count_of(sql, "(2019 OPERATOR(pg_catalog.-) p.roof_install_year)") == 2,
	   "roof age counts from the context's local year");
	free(sql);
	{
		so_targeting *rules = NULL;
		so_targeting_context ctx = {NULL, AS_OF, 0, SO_BEHAVIOR_BY_SHAPE};
		so_error	err;
		char	   *json = sq("{}");
		char	   *bad = NULL;

		ok(so_targeting_parse(json, strlen(json), &rules, &err) == SO_OK &&
		   so_targeting_compile(rules, &ctx, &bad, &err) == SO_ERR_RANGE && bad == NULL &&
		   strcmp(err.path, "as_of") == 0, "a context without the year of as_of is refused");
		so_targeting_free(rules);
		free(json);
	}

	sql = compile_sq("{'geography': {'zips': ['75034', '75035'], 'tracts': ['48085030100']}}", NULL, false);
	ok(sql && strstr(sql, "p.zip OPERATOR(pg_catalog.=) ANY (ARRAY['75034', '75035']::pg_catalog.text[])") != NULL,
	   "zips as = ANY of a text array");
	ok(sql && strstr(sql, "p.tract_geoid OPERATOR(pg_catalog.=) ANY (ARRAY['48085030100']") != NULL, "tracts");
	free(sql);

	sql = compile_sq("{'geography': {'custom_polygon': {'type': 'Polygon', 'coordinates':"
					 " [[[-97, 33], [-96, 33], [-96, 34], [-97, 33]]]}}}", NULL, false);
	ok(sql && strstr(sql, "p.lat OPERATOR(pg_catalog.>=) 33::pg_catalog.float8") != NULL,
	   "polygon: bounding box first");
	ok(sql && strstr(sql, "stormops.polygon_contains('{\"type\":\"Polygon\",\"coordinates\":"
					 "[[[-97,33],[-96,33],[-96,34],[-97,33]]]}'::pg_catalog.jsonb, p.lon, p.lat)") != NULL,
	   "polygon: then exact containment");
	free(sql);

	sql = compile_sq("{'diffusion': {'min_score': 92.5}}", NULL, false);
	ok(sql && strstr(sql, "ps.diffusion_percentile OPERATOR(pg_catalog.>=) 92.5::pg_catalog.float8") != NULL,
	   "diffusion: the stored percentile against min_score");
	ok(sql && strstr(sql, "property_impacts") == NULL, "diffusion needs no impact row");
	free(sql);

	sql = compile_sq("{'behavioral': {'prior_touchpoints_max': 3, 'response_rate_min': 0.1}}", NULL, false);
	ok(sql && strstr(sql, "beh.responses::pg_catalog.numeric OPERATOR(pg_catalog.>=) (0.1::pg_catalog.numeric") != NULL,
	   "response rate compared exactly, 0.1 printed as 0.1");
	ok(sql && strstr(sql, "beh.contacts OPERATOR(pg_catalog.<=) 3::pg_catalog.int8") != NULL, "prior touchpoints");
	free(sql);

	/* the behaviour forms (docs/targeting.md, "How the behavioural keys are read") */
	sql = compile_sq("{'behavioral': {'response_rate_min': 0.5}}", NULL, false);
	ok(sql && strstr(sql, "GROUP BY b.property_id) beh_all") != NULL && strstr(sql, "LATERAL (SELECT pg_catalog.count") == NULL,
	   "no event, no geography: one aggregate of history, hash-joinable");
	free(sql);
	sql = compile_sq("{'behavioral': {'response_rate_min': 0.5}, 'geography': {'zips': ['75034']}}", NULL, false);
	ok(sql && strstr(sql, "LEFT JOIN LATERAL (SELECT pg_catalog.count") != NULL && strstr(sql, "beh_all") == NULL,
	   "a ZIP list: each candidate counted by index");
	free(sql);
	sql = compile_sq("{'behavioral': {'response_rate_min': 0.5}}", "E1", false);
	ok(sql && strstr(sql, "LEFT JOIN LATERAL (SELECT pg_catalog.count") != NULL, "an event: each candidate counted by index");
	free(sql);
	sql = compile_sq("{'physics': {'min_sii_score': 50}, 'geography': {'zips': ['75034']}}", NULL, false);
	ok(sql && strstr(sql, "LEFT JOIN LATERAL (SELECT pi.property_id, pg_catalog.max(pi.sii_score) AS sii_score FROM stormops.property_impacts pi"
					 " JOIN stormops.storm_events se ON se.event_id OPERATOR(pg_catalog.=) pi.event_id WHERE pi.property_id OPERATOR(pg_catalog.=) p.property_id") != NULL,
	   "no event, a ZIP list: each candidate's impacts by index");
	free(sql);
	sql = compile_sq("{'physics': {'min_sii_score': 50}, 'geography': {'zips': ['75034']}}", NULL, true);
	ok(sql && strstr(sql, "LATERAL (SELECT pi.") == NULL && strstr(sql, ") imp ON imp.property_id OPERATOR(pg_catalog.=) p.property_id") != NULL,
	   "... but the funnel, which scans every property, joins the aggregate (a join PostgreSQL can drop)");
	free(sql);
	sql = compile_sq("{'physics': {'min_sii_score': 50}}", NULL, false);
	ok(sql && strstr(sql, "LATERAL (SELECT pi.") == NULL, "no event, no geography: one aggregate of the impacts");
	free(sql);
	sql = compile_sq("{'behavioral': {'response_rate_min': 0.5}}", NULL, true);
	ok(sql && strstr(sql, "(the response rate, on the joined counts)") == NULL && strstr(sql, "beh_all.contacts OPERATOR(pg_catalog.>) 0 AND beh_all.responses") == NULL,
	   "the implied rate test on the joined counts stays out of the funnel");
	free(sql);
	compile_form = SO_BEHAVIOR_COUNTS;
	sql = compile_sq("{'behavioral': {'response_rate_min': 0.5, 'exclude_recent_converts': true}}", NULL, false);
	ok(sql && count_of(sql, "LEFT JOIN stormops.behavior_counts bc ON bc.property_id OPERATOR(pg_catalog.=) p.property_id") == 1,
	   "counts: the maintained row joined once");
	ok(sql && count_of(sql, "WHEN bc.last_event_at OPERATOR(pg_catalog.<) '2019-03-27") == 3,
	   "counts: contacts, responses and the conversion read from it only when every counted event is before as_of");
	ok(sql && count_of(sql, "FROM stormops.behavior_events b WHERE b.property_id OPERATOR(pg_catalog.=) p.property_id") == 3,
	   "counts: otherwise that property's history");
	free(sql);
	sql = compile_sq("{'behavioral': {'past_customers_only': true}}", NULL, false);
	ok(sql && strstr(sql, "behavior_counts") == NULL, "counts: not joined when no key reads behaviour");
	free(sql);
	compile_form = SO_BEHAVIOR_AGGREGATE;
	sql = compile_sq("{'behavioral': {'response_rate_min': 0.5, 'exclude_recent_converts': true}}", NULL, false);
	ok(sql && strstr(sql, "AS last_conversion_at FROM stormops.behavior_events b WHERE b.event_type OPERATOR(pg_catalog.=) ANY ('{contact,response,conversion}'") != NULL
	   && strstr(sql, "(beh_all.last_conversion_at IS NULL OR beh_all.last_conversion_at OPERATOR(pg_catalog.<) ") != NULL
	   && strstr(sql, "NOT EXISTS") == NULL,
	   "aggregate: the latest conversion comes from the same pass as the counts");
	free(sql);
	sql = compile_sq("{'behavioral': {'exclude_recent_converts': true}}", NULL, false);
	ok(sql && strstr(sql, "NOT EXISTS (SELECT FROM stormops.behavior_events b") != NULL && strstr(sql, "beh_all") == NULL,
	   "aggregate: without counts, the conversion test stays an anti-join");
	free(sql);
	sql = compile_sq("{'behavioral': {'prior_touchpoints_max': 2}, 'geography': {'zips': ['75034']}}", NULL, true);
	ok(sql && strstr(sql, "COALESCE(beh_all.contacts, 0) AS contacts") != NULL,
	   "a form asked for is used whatever the shape; no events count 0 (funnel)");
	free(sql);
	compile_form = SO_BEHAVIOR_BY_SHAPE;

	sql = compile_sq("{'behavioral': {'response_rate_min': 0.33333333333333334},"
					 " 'physics': {'min_sii_score': 75.5}}", NULL, false);
	ok(sql && strstr(sql, "(0.33333333333333334::pg_catalog.numeric") != NULL,
	   "a rate is compared as the exact decimal the rules wrote");
	ok(sql && strstr(sql, "pi.sii_score OPERATOR(pg_catalog.>=) 75.5::pg_catalog.numeric") != NULL,
	   "min_sii_score as written");
	free(sql);
	sql = compile_sq("{'physics': {'min_sii_score': 75.000000000000000000000000000000000000000000000001}}", NULL, false);
	ok(sql && strstr(sql, "pi.sii_score OPERATOR(pg_catalog.>=) 75::pg_catalog.numeric") != NULL,
	   "a number too long to keep as text falls back to its double");
	free(sql);
	sql = compile_sq("{'physics': {'min_sii_score': 75.5}}", NULL, true);
	ok(sql && strstr(sql, "'sii_score >= 75.5'") != NULL, "funnel labels show numbers as written");
	free(sql);

	sql = compile_sq("{'similarity': {'enabled': false, 'reference_property_ids': ['x']}}", NULL, false);
	ok(sql && strstr(sql, "centroid") == NULL, "similarity disabled sets no condition");
	free(sql);

	sql = compile_sq("{'similarity': {'enabled': true, 'reference_property_ids': ['a'], 'top_k': 9,"
					 " 'similarity_threshold': 0.75}, 'geography': {'zips': ['75034']}}", NULL, false);
	ok(sql && strstr(sql, "stormops.top_k(p.property_id, p.embedding, cen.embedding, 9, 'cosine', 0.75::pg_catalog.float8)") != NULL,
	   "top_k: the properties ranked by stormops.top_k, with the threshold");
	ok(sql && strstr(sql, "p.zip OPERATOR(pg_catalog.=) ANY") != NULL &&
	   strstr(sql, "AND (CASE WHEN pg_catalog.array_length(p.embedding") == NULL,
	   "top_k: the other conditions filter before it; the similarity ones are its own");
	free(sql);

	sql = compile_sq("{'similarity': {'enabled': true, 'mode': 'neighborhood_embedding',"
					 " 'reference_tract_ids': ['48113010101'], 'similarity_threshold': 0.5,"
					 " 'top_k_tracts': 3, 'properties_per_tract': 2}}", NULL, false);
	ok(sql && strstr(sql, "stormops.top_k(t.tract_geoid, t.embedding, cen.embedding, 3, 'l2', 0.5::pg_catalog.float8)") != NULL,
	   "top_k_tracts: the tracts ranked by stormops.top_k (L2), with the threshold");
	ok(sql && strstr(sql, "c.place_in_tract OPERATOR(pg_catalog.<=) 2") != NULL, "properties_per_tract");
	ok(sql && strstr(sql, "ORDER BY c.similarity DESC, c.tract_geoid, c.uplift_score DESC NULLS LAST") != NULL,
	   "neighborhood ranking");
	free(sql);
}

static void
test_funnel(void)
{
	char	   *sql;

	sql = compile_sq("{}", NULL, true);
	ok(sql && strstr(sql, "  SELECT 1 AS failed_at") != NULL, "an empty funnel has only step 0");
	free(sql);

	sql = compile_sq("{'physics': {'min_sii_score': 75, 'max_days_since_storm': 14},"
					 " 'geography': {'zips': ['75034']}}", "ev", true);
	ok(sql && count_of(sql, "IS NOT TRUE THEN") == 4, "event, sii, days and zips are four steps");
	ok(sql && strstr(sql, "'impacted by event ev'") != NULL, "the event step names the event");
	ok(sql && strstr(sql, "ELSE 5 END") != NULL, "a property meeting all fails at 5");
	ok(sql && strstr(sql, "(SELECT pg_catalog.count(*) FROM (") == NULL, "no final count without a final cut");
	free(sql);

	sql = compile_sq("{'similarity': {'enabled': true, 'reference_property_ids': ['a'], 'top_k': 7}}", NULL, true);
	ok(sql && strstr(sql, "'the 7 most similar'") != NULL, "top_k is the last step");
	ok(sql && strstr(sql, "(SELECT pg_catalog.count(*) FROM (") != NULL, "counted from the final result");
	free(sql);

	{
		char	   *rules = xmalloc(200000);
		size_t		o = 0;

		o += (size_t) sprintf(rules + o, "{'geography': {'zips': [");
		for (int i = 0; i < 20000; i++)
			o += (size_t) sprintf(rules + o, "%s'%05d'", i ? "," : "", i);
		sprintf(rules + o, "]}}");
		sql = compile_sq(rules, NULL, true);
		ok(sql && strstr(sql, "'zip in 00000, 00001, 00002, 00003, 00004 and 19995 more'") != NULL,
		   "long lists are cut in funnel labels");
		free(sql);
		free(rules);
	}
}

int
main(void)
{
	test_values_never_change_structure();
	test_shapes();
	test_funnel();
	/*
	 * Allocation failure (issue 16): every allocation of a compile made to
	 * fail in turn gives SO_ERR_TOO_LARGE and no statement, leaking nothing
	 * (LeakSanitizer); the first one, as_of's literal, stops the compile
	 * there: no condition is formatted from a NULL as_of.
	 */
	{
		char	   *json = sq(FRISCO_SQ);
		so_targeting *rules = NULL;
		so_targeting_context ctx = {"noaa_ep_135504_hail", AS_OF, 2019, SO_BEHAVIOR_BY_SHAPE};
		so_error	err;
		unsigned long total,
					clean = 0;
		int			rc;

		ok(so_targeting_parse(json, strlen(json), &rules, &err) == SO_OK, "allocation failures: rules parsed");
		so_sql_fail_allocation(0);
		{
			char	   *sql = NULL;

			rc = so_targeting_compile(rules, &ctx, &sql, &err);
			total = so_sql_allocation_attempts();
			free(sql);
		}
		for (unsigned long n = 1; n <= total; n++)
		{
			char	   *sql = NULL;

			so_sql_fail_allocation(n);
			rc = so_targeting_compile(rules, &ctx, &sql, &err);
			clean += rc == SO_ERR_TOO_LARGE && sql == NULL;
			free(sql);
		}
		is_int(clean, total, "each of the %lu allocations of a compile, failing, gives a clean error", total);
		{
			char	   *sql = NULL;

			so_sql_fail_allocation(1);
			rc = so_targeting_compile(rules, &ctx, &sql, &err);
			is_int(so_sql_allocation_attempts(), 1,
				   "as_of's literal failing stops the compile (no further allocation, nothing formatted from NULL)");
			free(sql);
		}
		so_sql_fail_allocation(0);
		so_targeting_free(rules);
		free(json);
	}

	return done_testing();
}
