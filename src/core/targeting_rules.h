/*
 * targeting_rules.h: a playbook's targeting_rules, parsed and validated.
 *
 * so_targeting_parse() reads the JSON text of the rules and either returns a
 * fully validated intermediate form (the compiler's input) or an so_error
 * naming the JSON path. Semantics and ranges: docs/playbook-reference.md and
 * the design's targeting.md. Pure C on json-c; no PostgreSQL headers.
 */
#ifndef SO_TARGETING_RULES_H
#define SO_TARGETING_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "so_error.h"
#include "geo_polygon.h"

#define SO_NUMBER_TEXT_LEN 48

/*
 * An optional number: set == false means "no condition". text is the number
 * as the JSON wrote it (JSON number grammar, exact), or "" when it was too
 * long to keep; the compiler prints text when it has one, value otherwise.
 */
typedef struct so_opt_num
{
	bool		set;
	double		value;
	char		text[SO_NUMBER_TEXT_LEN];
} so_opt_num;

/* An optional integer. */
typedef struct so_opt_int
{
	bool		set;
	int64_t		value;
} so_opt_int;

/* An optional list of strings: n == 0 means "no condition" (empty lists are errors). */
typedef struct so_strlist
{
	size_t		n;
	char	  **items;			/* n NUL-terminated strings, malloc'd */
} so_strlist;

typedef enum so_similarity_mode
{
	SO_SIM_PROPERTY = 0,		/* the default when "mode" is absent */
	SO_SIM_NEIGHBORHOOD
} so_similarity_mode;

typedef struct so_targeting
{
	struct
	{
		so_opt_num	min_sii_score;	/* 0..100 */
		so_opt_num	max_days_since_storm;	/* >= 0, may be fractional */
		so_opt_int	roof_age_min;	/* >= 0 */
		so_opt_int	roof_age_max;	/* >= 0, >= roof_age_min */
	}			physics;
	struct
	{
		so_strlist	zips;		/* 5 digits each */
		so_strlist	tracts;		/* 11 digits each */
		so_geo_polygon *custom_polygon; /* NULL when absent */
	}			geography;
	struct
	{
		so_strlist	ses_tiers;	/* High, Medium, Low */
		so_opt_num	min_median_income;	/* >= 0 */
		so_opt_num	homeownership_rate_min; /* 0..1 */
	}			demographics;
	struct
	{
		so_strlist	personas;
		so_strlist	exclude_personas;
	}			psychographics;
	struct
	{
		so_opt_int	prior_touchpoints_max;	/* >= 0 */
		so_opt_num	response_rate_min;	/* 0..1 */
		bool		exclude_recent_converts;
		bool		past_customers_only;
	}			behavioral;
	struct
	{
		so_opt_num	competitor_pressure_max;	/* 0..1 */
		so_opt_num	white_space_score_min;	/* 0..100 */
	}			competition;
	struct
	{
		so_opt_num	min_score;	/* 0..100: a percentile of the diffusion score */
	}			diffusion;
	struct
	{
		bool		enabled;
		so_similarity_mode mode;
		so_strlist	reference_property_ids; /* mode property: ids or cohort names */
		so_strlist	reference_tract_ids;	/* mode neighborhood: 11-digit GEOIDs */
		so_opt_num	similarity_threshold;	/* -1..1 (property), 0..1 (neighborhood) */
		so_opt_int	top_k;		/* >= 1, mode property */
		so_opt_int	top_k_tracts;	/* >= 1, mode neighborhood */
		so_opt_int	properties_per_tract;	/* >= 1, mode neighborhood */
	}			similarity;
} so_targeting;

/*
 * Parse and validate. json need not be NUL-terminated; len is its length.
 * On success returns SO_OK and *out (free with so_targeting_free).
 * On failure returns the error code, fills err, and sets *out = NULL;
 * nothing stays allocated.
 */
int			so_targeting_parse(const char *json, size_t len,
							   so_targeting **out, so_error *err);

/*
 * The same from a parsed document whose root is an object (a caller that
 * holds the document in another form builds the json-c tree itself and
 * skips the text). Takes ownership of root: it is released in every case.
 */
struct json_object;
int			so_targeting_from_json(struct json_object *root,
								   so_targeting **out, so_error *err);

void		so_targeting_free(so_targeting *rules);

/* True when the rules set no condition at all (they match every property). */
bool		so_targeting_is_empty(const so_targeting *rules);

#endif							/* SO_TARGETING_RULES_H */
