/*
 * channel_strategy.c: parse and validate a playbook's channel_strategy, and
 * per-playbook channel cost overrides.
 *
 * Keys are read in reference order after the unknown-key check of each
 * object, so the first error is deterministic. The string languages inside a
 * step live in channel_patterns.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel_patterns.h"
#include "channel_strategy.h"
#include "json_read.h"

/* Most steps in a sequence. */
#define SO_MAX_STEPS 50
/* A year: the longest delay or duration of a step. */
#define SO_MAX_HOURS 8760.0
/* Dollars per contact: the largest cost override. */
#define SO_MAX_COST 100000.0

static const char *const channel_names[SO_CH_COUNT + 1] = {
	"email", "sms", "phone", "door_knock", "direct_mail", "paid_ads", NULL
};

#define EXPECT_CHANNEL "one of: email, sms, phone, door_knock, direct_mail, paid_ads"
#define EXPECT_STEP \
	"a step object, e.g. {\"step\": 1, \"channel\": \"email\", \"timing_hours\": 0}"
#define EXPECT_SEQUENCE \
	"a non-empty array of at most 50 steps, e.g. [{\"step\": 1, \"channel\": \"email\", \"timing_hours\": 0}]"

const char *
so_channel_name(so_channel ch)
{
	if ((int) ch < 0 || (int) ch >= SO_CH_COUNT)
		return NULL;
	return channel_names[ch];
}

bool
so_channel_from_name(const char *name, so_channel *out)
{
	if (name == NULL)
		return false;
	for (int i = 0; i < SO_CH_COUNT; i++)
	{
		if (strcmp(channel_names[i], name) == 0)
		{
			*out = (so_channel) i;
			return true;
		}
	}
	return false;
}

static int
missing(so_path *p, const char *key, const char *expected, so_error *err)
{
	size_t		prev = so_path_push_key(p, key);

	so_error_set(err, SO_ERR_MISSING, p->buf, "missing key", expected, "");
	so_path_pop(p, prev);
	return SO_ERR_MISSING;
}

/* ---- steps ---- */

#define EXPECT_VARIANT \
	"a message variant identifier: lower-case letters, digits and _, starting with a letter, at most 63 characters, e.g. \"urgency\""
#define EXPECT_ARMS \
	"one message variant identifier, or an array of 2 to 10 distinct ones (the arms of an A/B/n test), e.g. [\"analytical\", \"social_proof\"]"

/* message_variant: one identifier, or the step's arms. */
static int
parse_variants(struct json_object *v, so_path *p, so_channel_step *st, so_error *err)
{
	size_t		n;

	if (!json_object_is_type(v, json_type_array))
	{
		if (!json_object_is_type(v, json_type_string))
			return so_error_set(err, SO_ERR_TYPE, p->buf, "expected a string or an array",
								EXPECT_ARMS, so_json_render(v));
		return so_parse_identifier(v, p, EXPECT_VARIANT, &st->message_variant, err);
	}
	n = json_object_array_length(v);
	if (n < 2 || n > SO_MAX_STEP_ARMS)
	{
		char		msg[64];

		snprintf(msg, sizeof(msg), "%zu variant%s: a step tests 2 to 10", n, n == 1 ? "" : "s");
		return so_error_set(err, n < 2 ? SO_ERR_EMPTY : SO_ERR_TOO_LARGE, p->buf, msg,
							EXPECT_ARMS, so_json_render(v));
	}
	for (size_t i = 0; i < n; i++)
	{
		struct json_object *arm = json_object_array_get_idx(v, i);
		size_t		iprev = so_path_push_index(p, i);
		int			rc = so_parse_identifier(arm, p, EXPECT_VARIANT, &st->arms[i], err);

		if (rc == SO_OK)
		{
			st->narms = (int) i + 1;
			for (size_t j = 0; j < i && rc == SO_OK; j++)
				if (strcmp(st->arms[j], st->arms[i]) == 0)
				{
					char		msg[64];

					snprintf(msg, sizeof(msg), "variant listed twice (also at [%zu])", j);
					rc = so_error_set(err, SO_ERR_CONFLICT, p->buf, msg,
									  "distinct variants: each arm once", so_json_render(arm));
				}
		}
		so_path_pop(p, iprev);
		if (rc != SO_OK)
			return rc;
	}
	return SO_OK;
}

static const char *const step_keys[] = {
	"step", "channel", "timing_hours", "duration_hours", "condition",
	"timing_window", "message_variant", "offer_type", "success_criteria", NULL
};

/* The step at position index (0-based); prev is the step before, or NULL. */
static int
parse_step(struct json_object *obj, so_path *p, size_t index,
		   const so_channel_step *prev, so_channel_step *st, so_error *err)
{
	struct json_object *v;
	char		expected[SO_ERR_TEXT_LEN];
	size_t		kprev;
	int			rc;
	int			number = (int) index + 1;

	if (!json_object_is_type(obj, json_type_object))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an object",
							EXPECT_STEP, so_json_render(obj));
	rc = so_check_known_keys(obj, p, step_keys, NULL, err);
	if (rc != SO_OK)
		return rc;

	/* step */
	snprintf(expected, sizeof(expected),
			 "the step number %d: steps are numbered 1..n in order", number);
	if ((v = so_json_get_key(obj, "step")) == NULL)
		return missing(p, "step", expected, err);
	kprev = so_path_push_key(p, "step");
	{
		int64_t		n;

		rc = so_read_integer(v, p, INT32_MIN, INT32_MAX, expected, &n, err);
		if (rc == SO_OK && n != number)
			rc = so_error_set(err, SO_ERR_FORMAT, p->buf,
							  "steps must be numbered 1..n in order",
							  expected, so_json_render(v));
	}
	so_path_pop(p, kprev);
	if (rc != SO_OK)
		return rc;
	st->step = number;

	/* channel */
	if ((v = so_json_get_key(obj, "channel")) == NULL)
		return missing(p, "channel", EXPECT_CHANNEL, err);
	kprev = so_path_push_key(p, "channel");
	{
		const char *name;

		rc = so_read_string(v, p, EXPECT_CHANNEL, &name, NULL, err);
		if (rc == SO_OK && !so_channel_from_name(name, &st->channel))
			rc = so_error_set(err, SO_ERR_FORMAT, p->buf, "unknown channel",
							  EXPECT_CHANNEL, so_json_render(v));
	}
	so_path_pop(p, kprev);
	if (rc != SO_OK)
		return rc;

	/* timing_hours */
	if (prev == NULL)
		snprintf(expected, sizeof(expected),
				 "a number of hours after the start, from 0 to 8760");
	else
		snprintf(expected, sizeof(expected),
				 "a number of hours after the start, from %g (step %d's timing_hours) to 8760",
				 prev->timing_hours, prev->step);
	if ((v = so_json_get_key(obj, "timing_hours")) == NULL)
		return missing(p, "timing_hours", expected, err);
	kprev = so_path_push_key(p, "timing_hours");
	rc = so_read_number(v, p, 0, SO_MAX_HOURS, expected, &st->timing_hours, err);
	if (rc == SO_OK && prev != NULL && st->timing_hours < prev->timing_hours)
		rc = so_error_set(err, SO_ERR_RANGE, p->buf, "timing_hours decreases",
						  expected, so_json_render(v));
	so_path_pop(p, kprev);
	if (rc != SO_OK)
		return rc;

	/* duration_hours */
	if ((v = so_json_get_key(obj, "duration_hours")) != NULL)
	{
		const char *exp = "a number of hours greater than 0, at most 8760";

		kprev = so_path_push_key(p, "duration_hours");
		rc = so_read_number(v, p, 0, SO_MAX_HOURS, exp, &st->duration_hours, err);
		if (rc == SO_OK && st->duration_hours <= 0)
			rc = so_error_set(err, SO_ERR_RANGE, p->buf, "out of range", exp,
							  so_json_render(v));
		so_path_pop(p, kprev);
		if (rc != SO_OK)
			return rc;
		st->has_duration = true;
	}

	/* the string-valued keys */
	if ((v = so_json_get_key(obj, "condition")) != NULL)
	{
		kprev = so_path_push_key(p, "condition");
		rc = so_parse_condition(v, p, number, st, err);
		so_path_pop(p, kprev);
		if (rc != SO_OK)
			return rc;
	}
	if ((v = so_json_get_key(obj, "timing_window")) != NULL)
	{
		kprev = so_path_push_key(p, "timing_window");
		rc = so_parse_timing_window(v, p, st, err);
		so_path_pop(p, kprev);
		if (rc != SO_OK)
			return rc;
	}
	if ((v = so_json_get_key(obj, "message_variant")) != NULL)
	{
		kprev = so_path_push_key(p, "message_variant");
		rc = parse_variants(v, p, st, err);
		so_path_pop(p, kprev);
		if (rc != SO_OK)
			return rc;
	}
	if ((v = so_json_get_key(obj, "offer_type")) != NULL)
	{
		kprev = so_path_push_key(p, "offer_type");
		rc = so_parse_identifier(v, p,
								 "an offer type identifier: lower-case letters, digits and _, starting with a letter, at most 63 characters, e.g. \"discount\"",
								 &st->offer_type, err);
		so_path_pop(p, kprev);
		if (rc != SO_OK)
			return rc;
	}
	if ((v = so_json_get_key(obj, "success_criteria")) != NULL)
	{
		kprev = so_path_push_key(p, "success_criteria");
		rc = so_parse_success_criteria(v, p, st, err);
		so_path_pop(p, kprev);
		if (rc != SO_OK)
			return rc;
	}
	return SO_OK;
}

static int
parse_sequence(struct json_object *root, so_path *p, so_channel_strategy *cs,
			   so_error *err)
{
	struct json_object *seq = so_json_get_key(root, "sequence");
	size_t		n,
				prev;
	int			rc = SO_OK;

	if (seq == NULL)
		return missing(p, "sequence", EXPECT_SEQUENCE, err);
	prev = so_path_push_key(p, "sequence");
	if (!json_object_is_type(seq, json_type_array))
		rc = so_error_set(err, SO_ERR_TYPE, p->buf, "expected an array",
						  EXPECT_SEQUENCE, so_json_render(seq));
	else if ((n = json_object_array_length(seq)) == 0)
		rc = so_error_set(err, SO_ERR_EMPTY, p->buf, "empty array",
						  EXPECT_SEQUENCE, so_json_render(seq));
	else if (n > SO_MAX_STEPS)
	{
		char		msg[64];

		snprintf(msg, sizeof(msg), "%zu steps: at most 50 are allowed", n);
		rc = so_error_set(err, SO_ERR_TOO_LARGE, p->buf, msg, EXPECT_SEQUENCE,
						  "[...]");
	}
	else if ((cs->steps = calloc(n, sizeof(so_channel_step))) == NULL)
		rc = so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "out of memory",
						  EXPECT_SEQUENCE, "");
	else
	{
		cs->nsteps = n;
		for (size_t i = 0; i < n && rc == SO_OK; i++)
		{
			size_t		iprev = so_path_push_index(p, i);

			rc = parse_step(json_object_array_get_idx(seq, i), p, i,
							i > 0 ? &cs->steps[i - 1] : NULL, &cs->steps[i], err);
			so_path_pop(p, iprev);
		}
	}
	so_path_pop(p, prev);
	return rc;
}

/* ---- adaptive ---- */

static const char *const adaptive_keys[] = {
	"enabled", "bandit_epsilon", "reoptimize_after_n_contacts", "method", NULL
};

static int
parse_adaptive(struct json_object *root, so_path *p, so_channel_strategy *cs,
			   so_error *err)
{
	struct json_object *obj = so_json_get_key(root, "adaptive");
	struct json_object *v;
	size_t		prev;
	int			rc;

	if (obj == NULL)
		return SO_OK;
	prev = so_path_push_key(p, "adaptive");
	if (!json_object_is_type(obj, json_type_object))
		rc = so_error_set(err, SO_ERR_TYPE, p->buf, "expected an object",
						  "an object of bandit settings, e.g. {\"enabled\": true, \"bandit_epsilon\": 0.1}, or null",
						  so_json_render(obj));
	else
		rc = so_check_known_keys(obj, p, adaptive_keys, NULL, err);

	if (rc == SO_OK && (v = so_json_get_key(obj, "enabled")) != NULL)
	{
		size_t		kprev = so_path_push_key(p, "enabled");

		rc = so_read_bool(v, p, "true or false: say whether the sequence adapts to results",
						  &cs->adaptive_enabled, err);
		so_path_pop(p, kprev);
	}
	if (rc == SO_OK && (v = so_json_get_key(obj, "bandit_epsilon")) != NULL)
	{
		size_t		kprev = so_path_push_key(p, "bandit_epsilon");

		rc = so_read_number(v, p, 0, 1,
							"a number from 0 to 1 (the share of contacts that explore)",
							&cs->bandit_epsilon, err);
		cs->has_bandit_epsilon = (rc == SO_OK);
		so_path_pop(p, kprev);
	}
	if (rc == SO_OK && (v = so_json_get_key(obj, "reoptimize_after_n_contacts")) != NULL)
	{
		size_t		kprev = so_path_push_key(p, "reoptimize_after_n_contacts");

		rc = so_read_integer(v, p, 1, INT32_MAX,
							 "a whole number of contacts from 1 to 2147483647",
							 &cs->reoptimize_after_n_contacts, err);
		cs->has_reoptimize_after = (rc == SO_OK);
		so_path_pop(p, kprev);
	}
	if (rc == SO_OK && (v = so_json_get_key(obj, "method")) != NULL)
	{
		size_t		kprev = so_path_push_key(p, "method");
		const char *expected = "\"epsilon_greedy\" (the default) or \"thompson\"";
		const char *name;

		rc = so_read_string(v, p, expected, &name, NULL, err);
		if (rc == SO_OK && strcmp(name, "thompson") == 0)
			cs->thompson = true;
		else if (rc == SO_OK && strcmp(name, "epsilon_greedy") != 0)
			rc = so_error_set(err, SO_ERR_FORMAT, p->buf, "unknown method", expected,
							  so_json_render(v));
		so_path_pop(p, kprev);
	}
	so_path_pop(p, prev);
	return rc;
}

/* ---- entry points ---- */

static const char *const root_keys[] = {"sequence", "adaptive", NULL};

int
so_channel_strategy_parse(const char *json, size_t len,
						  so_channel_strategy **out, so_error *err)
{
	struct json_object *root;
	so_channel_strategy *cs;
	so_path		p;
	int			rc;

	*out = NULL;
	root = so_json_parse(json, len, "channel_strategy", err);
	if (root == NULL)
		return err->code;

	so_path_init(&p);
	cs = calloc(1, sizeof(so_channel_strategy));
	if (cs == NULL)
		rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory",
						  "channel_strategy", "");
	else
		rc = so_check_known_keys(root, &p, root_keys, NULL, err);
	if (rc == SO_OK)
		rc = parse_sequence(root, &p, cs, err);
	if (rc == SO_OK)
		rc = parse_adaptive(root, &p, cs, err);

	json_object_put(root);
	if (rc != SO_OK)
	{
		so_channel_strategy_free(cs);
		return rc;
	}
	*out = cs;
	return SO_OK;
}

void
so_channel_strategy_free(so_channel_strategy *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->nsteps; i++)
	{
		free(cs->steps[i].message_variant);
		for (int a = 0; a < cs->steps[i].narms; a++)
			free(cs->steps[i].arms[a]);
		free(cs->steps[i].offer_type);
		free(cs->steps[i].success_metric);
	}
	free(cs->steps);
	free(cs);
}

int
so_channel_costs_validate(const char *json, size_t len, so_error *err)
{
	struct json_object *root;
	so_path		p;
	int			rc;

	root = so_json_parse(json, len, "channel cost overrides", err);
	if (root == NULL)
		return err->code;
	so_path_init(&p);
	rc = so_check_known_keys(root, &p, channel_names, EXPECT_CHANNEL, err);
	for (int i = 0; i < SO_CH_COUNT && rc == SO_OK; i++)
	{
		struct json_object *v = NULL;
		double		cost;
		size_t		prev;

		if (!json_object_object_get_ex(root, channel_names[i], &v))
			continue;
		/* null is not "no override": a cost must be a number */
		prev = so_path_push_key(&p, channel_names[i]);
		rc = so_read_number(v, &p, 0, SO_MAX_COST,
							"a cost in dollars per contact from 0 to 100000",
							&cost, err);
		so_path_pop(&p, prev);
	}
	json_object_put(root);
	return rc;
}
