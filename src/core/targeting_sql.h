/*
 * targeting_sql.h: compile validated targeting rules into one read-only SQL
 * statement (and into the statement of its funnel).
 *
 * The statement returns (property_id, rank, similarity, sii_score,
 * uplift_score) exactly as the design's targeting.md defines. It is safe by
 * construction: every value enters as a literal quoted by so_sql_literal or a
 * number printed from a finite double; every identifier, function and
 * operator is written by this file, schema-qualified, because the statement
 * runs under the caller's search_path.
 */
#ifndef SO_TARGETING_SQL_H
#define SO_TARGETING_SQL_H

#include "so_error.h"
#include "targeting_rules.h"

/*
 * How the behavioral keys read behaviour events (docs/targeting.md, "How the
 * behavioural keys are read"); every form gives the history's answer.
 */
typedef enum so_behavior_form
{
	SO_BEHAVIOR_BY_SHAPE = 0,	/* LATERAL for a selective rule set, else
								 * AGGREGATE (tsql_selective) */
	SO_BEHAVIOR_LATERAL,		/* count each candidate's events by index */
	SO_BEHAVIOR_AGGREGATE,		/* one aggregate of the events before as_of,
								 * hash-joined */
	SO_BEHAVIOR_COUNTS			/* stormops.behavior_counts, and the history
								 * of a property with an event at or after
								 * as_of */
} so_behavior_form;

typedef struct so_targeting_context
{
	const char *event_id;		/* the triggering storm event, or NULL */
	const char *as_of;			/* the moment of evaluation, as timestamptz text
								 * that reads back unambiguously (ISO, with zone) */
	int			as_of_year;		/* its calendar year in stormops.default_time_zone,
								 * which roof ages count from (data-model.md,
								 * "Time"); the caller computes it */
	so_behavior_form behavior_form; /* the caller asks for COUNTS when the
									 * table exists and as_of is the
									 * transaction's now() or later */
} so_targeting_context;

/*
 * The targeting statement. On success *sql is malloc'd text (free with
 * free()); on failure *sql is NULL and err says why (a NUL byte in a context
 * value, or out of memory).
 */
int			so_targeting_compile(const so_targeting *rules,
								 const so_targeting_context *ctx,
								 char **sql, so_error *err);

/*
 * The funnel statement: (step, section, condition, remaining), step 0 being
 * every property and then one step per condition in the fixed order of
 * docs/targeting.md, each counting the properties that meet it and every
 * condition before it; a last step for top_k or properties_per_tract counts
 * the final result.
 */
int			so_targeting_compile_funnel(const so_targeting *rules,
										const so_targeting_context *ctx,
										char **sql, so_error *err);

#endif							/* SO_TARGETING_SQL_H */
