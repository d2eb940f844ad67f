/*
 * channel_strategy.h: a playbook's channel_strategy, parsed and validated.
 *
 * The contact sequence of a play: numbered steps on known channels at
 * non-decreasing hours after the start, optionally conditional on earlier
 * steps, inside a time window, with a message variant, an offer and a success
 * criterion; plus the adaptive (bandit) settings. A step's message_variant
 * is one identifier or 2..10 distinct ones, its arms (adaptive.md).
 * Reference: docs/playbook-reference.md. Pure C on json-c; no PostgreSQL
 * headers.
 */
#ifndef SO_CHANNEL_STRATEGY_H
#define SO_CHANNEL_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "so_error.h"
#include "time_window.h"

/* Order and spelling match the SQL enum stormops.channel. */
typedef enum so_channel
{
	SO_CH_EMAIL = 0,
	SO_CH_SMS,
	SO_CH_PHONE,
	SO_CH_DOOR_KNOCK,
	SO_CH_DIRECT_MAIL,
	SO_CH_PAID_ADS,
	SO_CH_COUNT
} so_channel;

/* "email", "sms", ...; NULL for an out-of-range value. */
const char *so_channel_name(so_channel ch);

/* Looks a channel up by name; returns false when unknown. */
bool		so_channel_from_name(const char *name, so_channel *out);

typedef enum so_condition_kind
{
	SO_COND_NONE = 0,
	SO_COND_NO_RESPONSE_TO_STEP,	/* if_no_response_to_step_N */
	SO_COND_RESPONSE_TO_STEP,	/* if_response_to_step_N */
	SO_COND_ENGAGED,			/* if_engaged */
	SO_COND_HIGH_LTV			/* if_high_ltv */
} so_condition_kind;

typedef enum so_compare_op
{
	SO_OP_GT = 0, SO_OP_GE, SO_OP_LT, SO_OP_LE
} so_compare_op;

/* The most arms (message variants) one step may test. */
#define SO_MAX_STEP_ARMS 10

typedef struct so_channel_step
{
	int			step;			/* 1..n, equal to its position */
	so_channel	channel;
	double		timing_hours;	/* >= 0, not decreasing along the sequence */
	bool		has_duration;
	double		duration_hours; /* > 0: how long the step runs (paid ads, canvassing) */
	so_condition_kind condition;
	int			condition_step; /* N for the *_to_step_N conditions, 1..step-1 */
	bool		has_window;
	so_window_days window_days;
	int			window_start_min;	/* minutes after midnight, 0..1439 */
	int			window_end_min; /* > start, up to 1440 ("24:00") */
	char	   *message_variant;	/* NULL or an identifier (one variant) */
	int			narms;			/* 0, or 2..SO_MAX_STEP_ARMS: the step's arms */
	char	   *arms[SO_MAX_STEP_ARMS];		/* identifiers, distinct, in the listed order */
	char	   *offer_type;		/* NULL or an identifier */
	bool		has_success;
	char	   *success_metric; /* open_rate, click_rate, response_rate, ... */
	so_compare_op success_op;
	double		success_value;	/* 0..1 */
} so_channel_step;

typedef struct so_channel_strategy
{
	size_t		nsteps;			/* >= 1 */
	so_channel_step *steps;
	bool		adaptive_enabled;
	bool		has_bandit_epsilon;
	double		bandit_epsilon; /* 0..1 */
	bool		has_reoptimize_after;
	int64_t		reoptimize_after_n_contacts;	/* >= 1 */
	bool		thompson;		/* adaptive.method: "thompson", else epsilon_greedy */
} so_channel_strategy;

int			so_channel_strategy_parse(const char *json, size_t len,
									  so_channel_strategy **out, so_error *err);

void		so_channel_strategy_free(so_channel_strategy *cs);

/*
 * Validate a per-playbook cost override object: {"email": 0.05, "door_knock": 18}
 * with known channels as keys and finite numbers >= 0 as values ({} allowed).
 */
int			so_channel_costs_validate(const char *json, size_t len, so_error *err);

#endif							/* SO_CHANNEL_STRATEGY_H */
