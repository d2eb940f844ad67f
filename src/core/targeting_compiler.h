/*
 * targeting_compiler.h: what the two halves of the targeting compiler share
 * (private to src/core): the operator spellings, the condition list and
 * the compiler state. targeting_conditions.c turns each section of the
 * rules into labelled conditions; targeting_sql.c assembles the targeting,
 * nearest and funnel statements around them.
 */
#ifndef SO_TARGETING_COMPILER_H
#define SO_TARGETING_COMPILER_H

#include <stdbool.h>
#include <stddef.h>

#include "sql_text.h"
#include "targeting_rules.h"
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
 * A day is 86,400 seconds (docs/data-model.md, "Time"; the SQL side's
 * stormops.days_interval): "d days before as_of" is the same instant under
 * any session TimeZone. Written out with pg_catalog only, so that the
 * statement runs on a database whose schema is older than the library.
 */
#define ONE_DAY "'86400 seconds'::pg_catalog.interval"

#define MAX_CONDITIONS 40
#define LABEL_ITEMS 5			/* list items a funnel label shows */

/* The property's cosine similarity to the centroid, NULL when not comparable. */
#define PROPERTY_SIMILARITY \
	"(CASE WHEN pg_catalog.array_length(p.embedding, 1)" EQ "pg_catalog.array_length(cen.embedding, 1)" \
	" THEN stormops.cosine_to_centroid(p.embedding, cen.embedding) END)"

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
	int			as_of_year;		/* so_targeting_context.as_of_year */
	char	   *event;			/* quoted event id, or NULL */
	so_behavior_form beh_form;	/* never BY_SHAPE once compiler_init chose */
	bool		impact_required;
	bool		every_property;	/* writing the funnel's scan of every property */
	bool		failed;
	size_t		n;
	condition	conds[MAX_CONDITIONS];
} compiler;

/* targeting_conditions.c */
char *		tsql_take(compiler *c, so_sql *s);
void		tsql_text_array(so_sql *s, const so_strlist *l);
void		tsql_impact_row_conditions(compiler *c, so_sql *s, bool with_sii, bool with_days);
void		tsql_physics_conditions(compiler *c, const char *ctx_event_id);
void		tsql_geography_conditions(compiler *c);
void		tsql_demographic_conditions(compiler *c);
void		tsql_psychographic_conditions(compiler *c);
void		tsql_competition_conditions(compiler *c);
void		tsql_diffusion_conditions(compiler *c);
bool		tsql_needs_counts(const so_targeting *r);
bool		tsql_selective(const so_targeting *r, const char *event);
void		tsql_behavioral_conditions(compiler *c);
bool		tsql_similarity_on(const so_targeting *r, so_similarity_mode mode);
void		tsql_similarity_conditions(compiler *c);

#endif							/* SO_TARGETING_COMPILER_H */
