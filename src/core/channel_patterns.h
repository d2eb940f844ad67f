/*
 * channel_patterns.h: the small string languages inside a channel step.
 *
 * Internal to the core (used by channel_strategy.c): conditions
 * ("if_no_response_to_step_1"), timing windows ("weekday_18:00-20:00"),
 * success criteria ("open_rate > 0.3") and identifiers. Each parser takes
 * the JSON value and its path so that errors name both.
 */
#ifndef SO_CHANNEL_PATTERNS_H
#define SO_CHANNEL_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>

#include "channel_strategy.h"
#include "json_read.h"

/* condition of the step numbered `step` (1-based); fills condition, condition_step */
int			so_parse_condition(struct json_object *v, const so_path *p, int step,
							   so_channel_step *out, so_error *err);

/* fills has_window, window_days, window_start_min, window_end_min */
int			so_parse_timing_window(struct json_object *v, const so_path *p,
								   so_channel_step *out, so_error *err);

/* fills has_success, success_metric (malloc'd), success_op, success_value */
int			so_parse_success_criteria(struct json_object *v, const so_path *p,
									  so_channel_step *out, so_error *err);

/* An identifier ^[a-z][a-z0-9_]{0,62}$, copied into *out (malloc'd). */
int			so_parse_identifier(struct json_object *v, const so_path *p,
								const char *expected, char **out, so_error *err);

#endif							/* SO_CHANNEL_PATTERNS_H */
