/*
 * test_channel_strategy.c: so_channel_strategy_parse and
 * so_channel_costs_validate against the reference semantics.
 *
 * Documents are written with ' for " (see test_util.h).
 */
#include <stdint.h>

#include "channel_strategy.h"
#include "tap.h"
#include "test_util.h"

#define CODE(c) so_errcode_name(c)

static const char *const seed_strategy =
"{\"sequence\": [{\"step\": 1, \"channel\": \"email\", \"timing_hours\": 0, \"message_variant\": \"analytical\", \"offer_type\": \"standard\", \"success_criteria\": \"open_rate > 0.3\"}, {\"step\": 2, \"channel\": \"sms\", \"timing_hours\": 48, \"condition\": \"if_no_response_to_step_1\", \"message_variant\": \"urgency\", \"offer_type\": \"discount\"}, {\"step\": 3, \"channel\": \"door_knock\", \"timing_hours\": 120, \"condition\": \"if_response_to_step_2\", \"timing_window\": \"weekday_18:00-20:00\", \"message_variant\": \"emotional\"}], \"adaptive\": {\"enabled\": true, \"bandit_epsilon\": 0.1, \"reoptimize_after_n_contacts\": 100}}";

static so_channel_strategy *
cs_parse(int line, const char *json, bool raw, so_errcode code, const char *path,
		 so_error *err_out)
{
	char	   *j = raw ? fmt("%s", json) : sq(json);
	so_channel_strategy *cs = (so_channel_strategy *) &cs;
	so_error	err;
	char		d[160];
	int			rc;

	so_error_clear(&err);
	rc = so_channel_strategy_parse(j, strlen(j), &cs, &err);
	describe(d, sizeof(d), line, j);
	is_str(CODE(rc), CODE(code), "%s: code", d);
	if (rc != (int) code && rc != SO_OK)
		diag("unexpected error at '%s': %s (found %s)", err.path, err.message, err.found);
	if (code != SO_OK)
	{
		is_str(err.path, path, "%s: path", d);
		ok(cs == NULL, "%s: *out is NULL", d);
		ok(err.message[0] != '\0' && err.expected[0] != '\0',
		   "%s: message and expected are filled", d);
	}
	else
		ok(cs != NULL && err.code == SO_OK, "%s: returns the strategy", d);
	if (err_out != NULL)
		*err_out = err;
	if (cs == (so_channel_strategy *) &cs)
		cs = NULL;
	free(j);
	return cs;
}

#define PARSE_OK(json) cs_parse(__LINE__, json, false, SO_OK, "", NULL)
#define OK(json) so_channel_strategy_free(cs_parse(__LINE__, json, false, SO_OK, "", NULL))
#define ERR(json, code, path) so_channel_strategy_free(cs_parse(__LINE__, json, false, code, path, NULL))
#define ERR_DETAIL(json, code, path, e) so_channel_strategy_free(cs_parse(__LINE__, json, false, code, path, e))

/* Two steps; `extra` is added to the second one ("" or ", 'key': value"). */
static so_channel_strategy *
step2(int line, const char *extra, so_errcode code, const char *key)
{
	char	   *doc = fmt("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0}, "
						  "{'step': 2, 'channel': 'sms', 'timing_hours': 48%s}]}", extra);
	char	   *path = fmt("sequence[1].%s", key);
	so_channel_strategy *cs = cs_parse(line, doc, false, code, path, NULL);

	free(doc);
	free(path);
	return cs;
}

#define STEP2_OK(extra) so_channel_strategy_free(step2(__LINE__, extra, SO_OK, ""))
#define STEP2_ERR(extra, code, key) so_channel_strategy_free(step2(__LINE__, extra, code, key))
#define STEP2_GET(extra) step2(__LINE__, extra, SO_OK, "")

static void
test_seed(void)
{
	so_channel_strategy *cs = cs_parse(__LINE__, seed_strategy, true, SO_OK, "", NULL);

	if (cs == NULL)
		return;
	is_int(cs->nsteps, 3, "seed: three steps");
	is_int(cs->steps[0].step, 1, "seed: step 1 numbered");
	is_int(cs->steps[0].channel, SO_CH_EMAIL, "seed: step 1 email");
	ok(cs->steps[0].timing_hours == 0, "seed: step 1 at hour 0");
	is_str(cs->steps[0].message_variant, "analytical", "seed: step 1 variant");
	is_str(cs->steps[0].offer_type, "standard", "seed: step 1 offer");
	ok(cs->steps[0].has_success, "seed: step 1 has a success criterion");
	is_str(cs->steps[0].success_metric, "open_rate", "seed: metric");
	is_int(cs->steps[0].success_op, SO_OP_GT, "seed: op >");
	ok(cs->steps[0].success_value == 0.3, "seed: rate 0.3");
	is_int(cs->steps[0].condition, SO_COND_NONE, "seed: step 1 unconditional");
	ok(!cs->steps[0].has_window && !cs->steps[0].has_duration, "seed: step 1 no window, no duration");

	is_int(cs->steps[1].channel, SO_CH_SMS, "seed: step 2 sms");
	ok(cs->steps[1].timing_hours == 48, "seed: step 2 at 48 h");
	is_int(cs->steps[1].condition, SO_COND_NO_RESPONSE_TO_STEP, "seed: step 2 condition kind");
	is_int(cs->steps[1].condition_step, 1, "seed: step 2 condition step");
	is_str(cs->steps[1].offer_type, "discount", "seed: step 2 offer");
	ok(!cs->steps[1].has_success && cs->steps[1].success_metric == NULL, "seed: step 2 no criterion");

	is_int(cs->steps[2].channel, SO_CH_DOOR_KNOCK, "seed: step 3 door knock");
	is_int(cs->steps[2].condition, SO_COND_RESPONSE_TO_STEP, "seed: step 3 condition kind");
	is_int(cs->steps[2].condition_step, 2, "seed: step 3 condition step");
	ok(cs->steps[2].has_window, "seed: step 3 has a window");
	is_int(cs->steps[2].window_days, SO_DAYS_WEEKDAY, "seed: weekdays");
	is_int(cs->steps[2].window_start_min, 18 * 60, "seed: window starts 18:00");
	is_int(cs->steps[2].window_end_min, 20 * 60, "seed: window ends 20:00");
	ok(cs->steps[2].offer_type == NULL, "seed: step 3 no offer");

	ok(cs->adaptive_enabled, "seed: adaptive on");
	ok(cs->has_bandit_epsilon && cs->bandit_epsilon == 0.1, "seed: epsilon");
	ok(cs->has_reoptimize_after && cs->reoptimize_after_n_contacts == 100, "seed: reoptimize");
	so_channel_strategy_free(cs);
}

static void
test_channels(void)
{
	static const char *const names[] = {"email", "sms", "phone", "door_knock", "direct_mail", "paid_ads"};
	so_channel	ch;

	for (int i = 0; i < SO_CH_COUNT; i++)
	{
		is_str(so_channel_name((so_channel) i), names[i], "channel %d is %s", i, names[i]);
		ok(so_channel_from_name(names[i], &ch) && (int) ch == i, "%s looks up", names[i]);
	}
	ok(so_channel_name(SO_CH_COUNT) == NULL, "SO_CH_COUNT has no name");
	ok(so_channel_name((so_channel) -1) == NULL, "-1 has no name");
	ok(!so_channel_from_name("fax", &ch), "fax is unknown");
	ok(!so_channel_from_name("Email", &ch), "names are case-sensitive");
	ok(!so_channel_from_name(NULL, &ch), "NULL is unknown");

	for (int i = 0; i < SO_CH_COUNT; i++)
	{
		char	   *doc = fmt("{'sequence': [{'step': 1, 'channel': '%s', 'timing_hours': 0}]}", names[i]);
		so_channel_strategy *cs = PARSE_OK(doc);

		ok(cs != NULL && (int) cs->steps[0].channel == i, "channel %s parses", names[i]);
		so_channel_strategy_free(cs);
		free(doc);
	}
}

static void
test_structure(void)
{
	so_error	err;
	so_channel_strategy *cs;

	ERR("{}", SO_ERR_MISSING, "sequence");
	ERR("{'sequence': null}", SO_ERR_MISSING, "sequence");
	ERR("{'sequence': {}}", SO_ERR_TYPE, "sequence");
	ERR("{'sequence': 'email'}", SO_ERR_TYPE, "sequence");
	ERR("{'sequence': []}", SO_ERR_EMPTY, "sequence");
	ERR_DETAIL("{'sequence': [], 'bogus': 1}", SO_ERR_UNKNOWN_KEY, "bogus", &err);
	is_str(err.expected, "one of: sequence, adaptive", "root unknown key expected");
	is_str(err.found, "\"bogus\"", "root unknown key found");
	ERR("{'sequence': [5]}", SO_ERR_TYPE, "sequence[0]");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0}, null]}", SO_ERR_TYPE, "sequence[1]");
	ERR("{'sequence': [[]]}", SO_ERR_TYPE, "sequence[0]");
	ERR_DETAIL("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0, 'delay': 3}]}",
			   SO_ERR_UNKNOWN_KEY, "sequence[0].delay", &err);
	ok(strstr(err.expected, "timing_window") != NULL && strstr(err.expected, "success_criteria") != NULL,
	   "step unknown key expected lists the step keys");
	/* unknown keys come before the keys' values */
	ERR("{'sequence': [{'step': 7, 'channel': 'fax', 'timing_hours': -1, 'zzz': 0}]}",
		SO_ERR_UNKNOWN_KEY, "sequence[0].zzz");
	/* then step, channel, timing_hours in reference order */
	ERR("{'sequence': [{'timing_hours': -1, 'channel': 'fax', 'step': 7}]}", SO_ERR_FORMAT, "sequence[0].step");
	ERR("{'sequence': [{'timing_hours': -1, 'channel': 'fax', 'step': 1}]}", SO_ERR_FORMAT, "sequence[0].channel");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0}], 'adaptive': 5, 'zzz': 1}",
		SO_ERR_UNKNOWN_KEY, "zzz");

	/* generic intake */
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': NaN}]}", SO_ERR_SYNTAX, "");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 1e309}]}", SO_ERR_RANGE, "sequence[0].timing_hours");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0}]} x", SO_ERR_SYNTAX, "");
	ERR("[]", SO_ERR_TYPE, "");
	ERR("{'sequence': [{'step': 1, 'channel': 'email\\u0000', 'timing_hours': 0}]}", SO_ERR_FORMAT, "sequence[0].channel");
	{
		char	   *open = repeat("[", 10000);
		char	   *doc = fmt("{'sequence': %s", open);

		ERR(doc, SO_ERR_TOO_DEEP, "");
		free(doc);
		free(open);
	}
	{
		char	   *s = repeat("e", 100000);
		char	   *doc = fmt("{'sequence': [{'step': 1, 'channel': '%s', 'timing_hours': 0}]}", s);

		ERR(doc, SO_ERR_TOO_LARGE, "sequence[0].channel");
		free(doc);
		free(s);
	}

	/* 50 steps at most */
	for (int n = 50; n <= 51; n++)
	{
		char	   *doc = xmalloc((size_t) n * 80 + 32);
		size_t		o = (size_t) sprintf(doc, "{'sequence': [");

		for (int i = 1; i <= n; i++)
			o += (size_t) sprintf(doc + o, "%s{'step': %d, 'channel': 'email', 'timing_hours': %d}",
								  i > 1 ? ", " : "", i, i);
		sprintf(doc + o, "]}");
		cs = cs_parse(__LINE__, doc, false, n == 50 ? SO_OK : SO_ERR_TOO_LARGE, "sequence", NULL);
		if (n == 50)
			ok(cs != NULL && cs->nsteps == 50 && cs->steps[49].step == 50, "50 steps are stored");
		so_channel_strategy_free(cs);
		free(doc);
	}
}

static void
test_step_keys(void)
{
	so_error	err;
	so_channel_strategy *cs;

	/* step numbering */
	ERR("{'sequence': [{'channel': 'email', 'timing_hours': 0}]}", SO_ERR_MISSING, "sequence[0].step");
	ERR("{'sequence': [{'step': null, 'channel': 'email', 'timing_hours': 0}]}", SO_ERR_MISSING, "sequence[0].step");
	ERR_DETAIL("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0}, {'step': 3, 'channel': 'sms', 'timing_hours': 1}]}",
			   SO_ERR_FORMAT, "sequence[1].step", &err);
	is_str(err.message, "steps must be numbered 1..n in order", "numbering message");
	is_str(err.found, "3", "numbering found");
	ERR("{'sequence': [{'step': 2, 'channel': 'email', 'timing_hours': 0}, {'step': 1, 'channel': 'sms', 'timing_hours': 1}]}",
		SO_ERR_FORMAT, "sequence[0].step");
	ERR("{'sequence': [{'step': 0, 'channel': 'email', 'timing_hours': 0}]}", SO_ERR_FORMAT, "sequence[0].step");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0}, {'step': 1, 'channel': 'sms', 'timing_hours': 1}]}",
		SO_ERR_FORMAT, "sequence[1].step");
	ERR("{'sequence': [{'step': '1', 'channel': 'email', 'timing_hours': 0}]}", SO_ERR_TYPE, "sequence[0].step");
	ERR("{'sequence': [{'step': 1.5, 'channel': 'email', 'timing_hours': 0}]}", SO_ERR_TYPE, "sequence[0].step");
	ERR("{'sequence': [{'step': 100000000000000000000000, 'channel': 'email', 'timing_hours': 0}]}", SO_ERR_RANGE, "sequence[0].step");
	OK("{'sequence': [{'step': 1.0, 'channel': 'email', 'timing_hours': 0}]}");

	/* channel */
	ERR("{'sequence': [{'step': 1, 'timing_hours': 0}]}", SO_ERR_MISSING, "sequence[0].channel");
	ERR_DETAIL("{'sequence': [{'step': 1, 'channel': 'fax', 'timing_hours': 0}]}", SO_ERR_FORMAT, "sequence[0].channel", &err);
	is_str(err.expected, "one of: email, sms, phone, door_knock, direct_mail, paid_ads", "channel expected");
	STEP2_ERR(", 'channel': 'Email'", SO_ERR_FORMAT, "channel");
	STEP2_ERR(", 'channel': 'door-knock'", SO_ERR_FORMAT, "channel");
	STEP2_ERR(", 'channel': ''", SO_ERR_EMPTY, "channel");
	STEP2_ERR(", 'channel': 3", SO_ERR_TYPE, "channel");
	STEP2_ERR(", 'channel': ['sms']", SO_ERR_TYPE, "channel");

	/* timing_hours */
	ERR("{'sequence': [{'step': 1, 'channel': 'email'}]}", SO_ERR_MISSING, "sequence[0].timing_hours");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': -0.001}]}", SO_ERR_RANGE, "sequence[0].timing_hours");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 8760.001}]}", SO_ERR_RANGE, "sequence[0].timing_hours");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': '0'}]}", SO_ERR_TYPE, "sequence[0].timing_hours");
	cs = PARSE_OK("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 8760}]}");
	ok(cs != NULL && cs->steps[0].timing_hours == 8760, "timing_hours 8760 is stored");
	so_channel_strategy_free(cs);
	ERR_DETAIL("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 48}, {'step': 2, 'channel': 'sms', 'timing_hours': 24}]}",
			   SO_ERR_RANGE, "sequence[1].timing_hours", &err);
	is_str(err.message, "timing_hours decreases", "decreasing message");
	ok(strstr(err.expected, "48") != NULL, "decreasing expected names the previous hours");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 48}, {'step': 2, 'channel': 'sms', 'timing_hours': 47.999}]}",
		SO_ERR_RANGE, "sequence[1].timing_hours");
	OK("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 48}, {'step': 2, 'channel': 'sms', 'timing_hours': 48}]}");
	OK("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0.5}, {'step': 2, 'channel': 'sms', 'timing_hours': 1.25}]}");

	/* duration_hours */
	cs = STEP2_GET(", 'duration_hours': 0.001");
	ok(cs != NULL && cs->steps[1].has_duration && cs->steps[1].duration_hours == 0.001, "duration 0.001 is stored");
	so_channel_strategy_free(cs);
	STEP2_OK(", 'duration_hours': 8760");
	cs = STEP2_GET(", 'duration_hours': null");
	ok(cs != NULL && !cs->steps[1].has_duration, "duration null is absent");
	so_channel_strategy_free(cs);
	STEP2_ERR(", 'duration_hours': 0", SO_ERR_RANGE, "duration_hours");
	STEP2_ERR(", 'duration_hours': -1", SO_ERR_RANGE, "duration_hours");
	STEP2_ERR(", 'duration_hours': 8760.5", SO_ERR_RANGE, "duration_hours");
	STEP2_ERR(", 'duration_hours': '24'", SO_ERR_TYPE, "duration_hours");

	/* message_variant and offer_type */
	{
		char	   *id63 = repeat("a", 63);
		char	   *id64 = repeat("a", 64);
		char	   *extra;

		extra = fmt(", 'message_variant': '%s'", id63);
		STEP2_OK(extra);
		free(extra);
		extra = fmt(", 'message_variant': '%s'", id64);
		STEP2_ERR(extra, SO_ERR_FORMAT, "message_variant");
		free(extra);
		extra = fmt(", 'offer_type': '%s'", id64);
		STEP2_ERR(extra, SO_ERR_FORMAT, "offer_type");
		free(extra);
		free(id63);
		free(id64);
	}
	cs = STEP2_GET(", 'message_variant': 'a', 'offer_type': 'free_inspection_2'");
	ok(cs != NULL && strcmp(cs->steps[1].message_variant, "a") == 0 &&
	   strcmp(cs->steps[1].offer_type, "free_inspection_2") == 0, "identifiers are stored");
	so_channel_strategy_free(cs);
	STEP2_ERR(", 'message_variant': 'Urgency'", SO_ERR_FORMAT, "message_variant");
	STEP2_ERR(", 'message_variant': '1st'", SO_ERR_FORMAT, "message_variant");
	STEP2_ERR(", 'message_variant': '_x'", SO_ERR_FORMAT, "message_variant");
	STEP2_ERR(", 'message_variant': 'a-b'", SO_ERR_FORMAT, "message_variant");
	STEP2_ERR(", 'message_variant': 'a b'", SO_ERR_FORMAT, "message_variant");
	STEP2_ERR(", 'message_variant': 'caf\xc3\xa9'", SO_ERR_FORMAT, "message_variant");
	STEP2_ERR(", 'message_variant': ''", SO_ERR_EMPTY, "message_variant");
	STEP2_ERR(", 'message_variant': 5", SO_ERR_TYPE, "message_variant");
	/* arms: an array of 2..10 distinct identifiers */
	cs = STEP2_GET(", 'message_variant': ['analytical', 'social_proof', 'urgency']");
	ok(cs != NULL && cs->steps[1].narms == 3 && cs->steps[1].message_variant == NULL &&
	   strcmp(cs->steps[1].arms[0], "analytical") == 0 && strcmp(cs->steps[1].arms[2], "urgency") == 0,
	   "arms are stored in their order");
	so_channel_strategy_free(cs);
	STEP2_OK(", 'message_variant': ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9']");
	STEP2_ERR(", 'message_variant': ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10']",
			  SO_ERR_TOO_LARGE, "message_variant");
	STEP2_ERR(", 'message_variant': ['a']", SO_ERR_EMPTY, "message_variant");
	STEP2_ERR(", 'message_variant': []", SO_ERR_EMPTY, "message_variant");
	STEP2_ERR(", 'message_variant': ['a', 'b', 'a']", SO_ERR_CONFLICT, "message_variant[2]");
	STEP2_ERR(", 'message_variant': ['a', 'B']", SO_ERR_FORMAT, "message_variant[1]");
	STEP2_ERR(", 'message_variant': ['a', 7]", SO_ERR_TYPE, "message_variant[1]");
	STEP2_ERR(", 'message_variant': {'a': 1}", SO_ERR_TYPE, "message_variant");
	/* a failure after arms were copied frees them */
	STEP2_ERR(", 'message_variant': ['a', 'b'], 'success_criteria': 'open_rate > 2'",
			  SO_ERR_RANGE, "success_criteria");
	STEP2_ERR(", 'offer_type': 'Discount'", SO_ERR_FORMAT, "offer_type");
	STEP2_ERR(", 'offer_type': true", SO_ERR_TYPE, "offer_type");
	/* a failure after identifiers were copied frees them */
	STEP2_ERR(", 'message_variant': 'a', 'offer_type': 'b', 'success_criteria': 'open_rate > 2'",
			  SO_ERR_RANGE, "success_criteria");
	ERR("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0, 'message_variant': 'a', 'success_criteria': 'open_rate > 0.5'}, {'step': 2, 'channel': 'fax', 'timing_hours': 1}]}",
		SO_ERR_FORMAT, "sequence[1].channel");
}

static void
test_conditions(void)
{
	so_error	err;
	so_channel_strategy *cs;

	ERR_DETAIL("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0, 'condition': 'if_no_response_to_step_1'}]}",
			   SO_ERR_RANGE, "sequence[0].condition", &err);
	is_str(err.message, "condition refers to step 1, which is not an earlier step", "step 1 self-reference message");
	STEP2_ERR(", 'condition': 'if_no_response_to_step_2'", SO_ERR_RANGE, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step_3'", SO_ERR_RANGE, "condition");
	{
		so_channel_strategy_free(cs_parse(__LINE__, "{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0}, {'step': 2, 'channel': 'sms', 'timing_hours': 1, 'condition': 'if_response_to_step_3'}]}",
										  false, SO_ERR_RANGE, "sequence[1].condition", &err));
		is_str(err.message, "condition refers to step 3, which is not an earlier step", "later step message");
	}
	STEP2_ERR(", 'condition': 'if_response_to_step_0'", SO_ERR_RANGE, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step_99999999999999999999999'", SO_ERR_RANGE, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step_01'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step_'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step_1x'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step_-1'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step_+1'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step_ 1'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'if_response_to_step1'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'if_no_response'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'IF_ENGAGED'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'if_engaged '", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': 'always'", SO_ERR_FORMAT, "condition");
	STEP2_ERR(", 'condition': ''", SO_ERR_EMPTY, "condition");
	STEP2_ERR(", 'condition': 1", SO_ERR_TYPE, "condition");

	cs = STEP2_GET(", 'condition': 'if_response_to_step_1'");
	ok(cs != NULL && cs->steps[1].condition == SO_COND_RESPONSE_TO_STEP && cs->steps[1].condition_step == 1,
	   "if_response_to_step_1 is stored");
	so_channel_strategy_free(cs);
	cs = STEP2_GET(", 'condition': 'if_engaged'");
	ok(cs != NULL && cs->steps[1].condition == SO_COND_ENGAGED, "if_engaged is stored");
	so_channel_strategy_free(cs);
	cs = PARSE_OK("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0, 'condition': 'if_high_ltv'}]}");
	ok(cs != NULL && cs->steps[0].condition == SO_COND_HIGH_LTV, "step 1 may use if_high_ltv");
	so_channel_strategy_free(cs);
	cs = STEP2_GET(", 'condition': null");
	ok(cs != NULL && cs->steps[1].condition == SO_COND_NONE, "null condition is none");
	so_channel_strategy_free(cs);

	/* step 12 may refer to step 11 (two digits) */
	{
		char	   *doc = xmalloc(2048);
		size_t		o = (size_t) sprintf(doc, "{'sequence': [");

		for (int i = 1; i <= 12; i++)
			o += (size_t) sprintf(doc + o, "%s{'step': %d, 'channel': 'email', 'timing_hours': %d%s}",
								  i > 1 ? ", " : "", i, i,
								  i == 12 ? ", 'condition': 'if_no_response_to_step_11'" : "");
		sprintf(doc + o, "]}");
		cs = PARSE_OK(doc);
		ok(cs != NULL && cs->steps[11].condition_step == 11, "step 12 refers to step 11");
		so_channel_strategy_free(cs);
		free(doc);
	}
}

static void
test_windows(void)
{
	static const char *const days[] = {"any", "weekday", "weekend", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	so_error	err;
	so_channel_strategy *cs;

	for (int i = 0; i < 10; i++)
	{
		char	   *extra = fmt(", 'timing_window': '%s_09:00-17:30'", days[i]);

		cs = STEP2_GET(extra);
		ok(cs != NULL && (int) cs->steps[1].window_days == i && cs->steps[1].window_start_min == 540 &&
		   cs->steps[1].window_end_min == 1050, "window days %s", days[i]);
		so_channel_strategy_free(cs);
		free(extra);
	}
	cs = STEP2_GET(", 'timing_window': 'any_00:00-24:00'");
	ok(cs != NULL && cs->steps[1].window_start_min == 0 && cs->steps[1].window_end_min == 1440, "whole day window");
	so_channel_strategy_free(cs);
	cs = STEP2_GET(", 'timing_window': 'sun_23:59-24:00'");
	ok(cs != NULL && cs->steps[1].window_start_min == 1439, "last minute window");
	so_channel_strategy_free(cs);
	STEP2_OK(", 'timing_window': 'sat_00:00-00:01'");
	STEP2_OK(", 'timing_window': 'sat_22:00-23:59'");
	cs = STEP2_GET(", 'timing_window': null");
	ok(cs != NULL && !cs->steps[1].has_window, "null window is none");
	so_channel_strategy_free(cs);

	so_channel_strategy_free(step2(__LINE__, ", 'timing_window': 'weekday_18:00-17:00'", SO_ERR_RANGE, "timing_window"));
	ERR_DETAIL("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0, 'timing_window': 'weekday_18:00-17:00'}]}",
			   SO_ERR_RANGE, "sequence[0].timing_window", &err);
	is_str(err.message, "window ends before it starts", "reversed window message");
	STEP2_ERR(", 'timing_window': 'weekday_09:00-09:00'", SO_ERR_RANGE, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_25:00-26:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'someday_09:00-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'WEEKDAY_09:00-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'monday_09:00-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': '_09:00-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': '09:00-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday-09:00-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_9:00-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_09:00-10:00 '", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_09:00 - 10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_09.00-10.00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_09:60-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_09:00-24:01'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_24:00-24:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_09:00\xe2\x80\x93" "10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': 'weekday_0a:00-10:00'", SO_ERR_FORMAT, "timing_window");
	STEP2_ERR(", 'timing_window': ''", SO_ERR_EMPTY, "timing_window");
	STEP2_ERR(", 'timing_window': 9", SO_ERR_TYPE, "timing_window");
}

static void
test_success_criteria(void)
{
	static const struct
	{
		const char *text;
		const char *metric;
		so_compare_op op;
		double		value;
	}			good[] = {
		{"open_rate > 0.3", "open_rate", SO_OP_GT, 0.3},
		{"open_rate>0.3", "open_rate", SO_OP_GT, 0.3},
		{"click_rate >= .3", "click_rate", SO_OP_GE, 0.3},
		{"response_rate<1", "response_rate", SO_OP_LT, 1.0},
		{"conversion_rate <= 0", "conversion_rate", SO_OP_LE, 0.0},
		{"complaint_rate < 0.001", "complaint_rate", SO_OP_LT, 0.001},
		{"opt_out_rate  >=  1.0", "opt_out_rate", SO_OP_GE, 1.0},
		{"open_rate > 0.123456789012345", "open_rate", SO_OP_GT, 0.123456789012345},
		{"open_rate > 00.5", "open_rate", SO_OP_GT, 0.5},
		{"open_rate > 0.0000000000000000000001", "open_rate", SO_OP_GT, 1e-22},
		{"open_rate > 0.3333333333333333", "open_rate", SO_OP_GT, 0.3333333333333333},
		{"open_rate > 0.33333333333333331483", "open_rate", SO_OP_GT, 0.3333333333333333},
		{"open_rate > 0.0000000000000000000000000000000000000001", "open_rate", SO_OP_GT, 1e-40},
		{"open_rate > 1.0000000000000000000000000000000000000000", "open_rate", SO_OP_GT, 1.0},
		{"open_rate > 0.000000000000000000000", "open_rate", SO_OP_GT, 0.0},
	};
	static const char *const bad_format[] = {
		"open_rate = 0.3", "open_rate == 0.3", "open_rate => 0.3", "open_rate >> 0.3",
		"open_rate > -0.1", "open_rate > +0.1", "open_rate > 0.3 ", " open_rate > 0.3",
		"bounce_rate > 0.3", "Open_rate > 0.3", "open_rate > 3e-1", "open_rate > 0.3.1",
		"open_rate >", "open_rate > .", "open_rate > 1.", "open_rate", "> 0.3",
		"open_rate > 30%", "open_rate > 0,3",
		"open_rate > 0.3 and click_rate > 0.1", "open_rate\\t> 0.3",
		"open_rate > 0.00000000000000000000000000000000000000001",
	};
	so_error	err;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		char	   *extra = fmt(", 'success_criteria': '%s'", good[i].text);
		so_channel_strategy *cs = STEP2_GET(extra);

		ok(cs != NULL && cs->steps[1].has_success && strcmp(cs->steps[1].success_metric, good[i].metric) == 0 &&
		   cs->steps[1].success_op == good[i].op && cs->steps[1].success_value == good[i].value,
		   "success criterion '%s' is stored", good[i].text);
		so_channel_strategy_free(cs);
		free(extra);
	}
	for (size_t i = 0; i < sizeof(bad_format) / sizeof(bad_format[0]); i++)
	{
		char	   *extra = fmt(", 'success_criteria': '%s'", bad_format[i]);

		STEP2_ERR(extra, SO_ERR_FORMAT, "success_criteria");
		free(extra);
	}
	STEP2_ERR(", 'success_criteria': 'open_rate > 1.5'", SO_ERR_RANGE, "success_criteria");
	STEP2_ERR(", 'success_criteria': 'open_rate > 1.0000001'", SO_ERR_RANGE, "success_criteria");
	STEP2_ERR(", 'success_criteria': 'open_rate > 2'", SO_ERR_RANGE, "success_criteria");
	STEP2_ERR(", 'success_criteria': 'open_rate > 99999999999999999999999'", SO_ERR_RANGE, "success_criteria");
	STEP2_ERR(", 'success_criteria': ''", SO_ERR_EMPTY, "success_criteria");
	STEP2_ERR(", 'success_criteria': 0.3", SO_ERR_TYPE, "success_criteria");
	STEP2_OK(", 'success_criteria': null");
	ERR_DETAIL("{'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0, 'success_criteria': 'opens > 0.3'}]}",
			   SO_ERR_FORMAT, "sequence[0].success_criteria", &err);
	ok(strncmp(err.expected, "a criterion like \"open_rate > 0.3\"", 34) == 0, "success criteria expected");
	is_str(err.found, "\"opens > 0.3\"", "success criteria found");
}

static void
test_adaptive(void)
{
	so_channel_strategy *cs;

#define SEQ "'sequence': [{'step': 1, 'channel': 'email', 'timing_hours': 0}]"
	cs = PARSE_OK("{" SEQ "}");
	ok(cs != NULL && !cs->adaptive_enabled && !cs->has_bandit_epsilon && !cs->has_reoptimize_after,
	   "no adaptive: defaults");
	so_channel_strategy_free(cs);
	OK("{" SEQ ", 'adaptive': null}");
	OK("{" SEQ ", 'adaptive': {}}");
	cs = PARSE_OK("{" SEQ ", 'adaptive': {'enabled': null, 'bandit_epsilon': null, 'reoptimize_after_n_contacts': null}}");
	ok(cs != NULL && !cs->adaptive_enabled && !cs->has_bandit_epsilon && !cs->has_reoptimize_after,
	   "null adaptive keys are absent");
	so_channel_strategy_free(cs);
	cs = PARSE_OK("{" SEQ ", 'adaptive': {'enabled': false, 'bandit_epsilon': 0, 'reoptimize_after_n_contacts': 1}}");
	ok(cs != NULL && cs->has_bandit_epsilon && cs->bandit_epsilon == 0 && cs->reoptimize_after_n_contacts == 1,
	   "adaptive lower bounds are stored");
	so_channel_strategy_free(cs);
	cs = PARSE_OK("{" SEQ ", 'adaptive': {'bandit_epsilon': 1, 'reoptimize_after_n_contacts': 2147483647}}");
	ok(cs != NULL && cs->bandit_epsilon == 1 && cs->reoptimize_after_n_contacts == 2147483647,
	   "adaptive upper bounds are stored");
	so_channel_strategy_free(cs);

	ERR("{" SEQ ", 'adaptive': 5}", SO_ERR_TYPE, "adaptive");
	ERR("{" SEQ ", 'adaptive': [true]}", SO_ERR_TYPE, "adaptive");
	ERR("{" SEQ ", 'adaptive': {'epsilon': 0.1}}", SO_ERR_UNKNOWN_KEY, "adaptive.epsilon");
	ERR("{" SEQ ", 'adaptive': {'enabled': 'true'}}", SO_ERR_TYPE, "adaptive.enabled");
	ERR("{" SEQ ", 'adaptive': {'bandit_epsilon': -0.0001}}", SO_ERR_RANGE, "adaptive.bandit_epsilon");
	ERR("{" SEQ ", 'adaptive': {'bandit_epsilon': 1.0001}}", SO_ERR_RANGE, "adaptive.bandit_epsilon");
	ERR("{" SEQ ", 'adaptive': {'bandit_epsilon': '0.1'}}", SO_ERR_TYPE, "adaptive.bandit_epsilon");
	ERR("{" SEQ ", 'adaptive': {'bandit_epsilon': 1e309}}", SO_ERR_RANGE, "adaptive.bandit_epsilon");
	ERR("{" SEQ ", 'adaptive': {'reoptimize_after_n_contacts': 0}}", SO_ERR_RANGE, "adaptive.reoptimize_after_n_contacts");
	ERR("{" SEQ ", 'adaptive': {'reoptimize_after_n_contacts': 2147483648}}", SO_ERR_RANGE, "adaptive.reoptimize_after_n_contacts");
	ERR("{" SEQ ", 'adaptive': {'reoptimize_after_n_contacts': 100000000000000000000000}}", SO_ERR_RANGE, "adaptive.reoptimize_after_n_contacts");
	ERR("{" SEQ ", 'adaptive': {'reoptimize_after_n_contacts': 10.5}}", SO_ERR_TYPE, "adaptive.reoptimize_after_n_contacts");
	OK("{" SEQ ", 'adaptive': {'reoptimize_after_n_contacts': 10.0}}");
	cs = PARSE_OK("{" SEQ ", 'adaptive': {'enabled': true, 'method': 'thompson'}}");
	ok(cs != NULL && cs->thompson, "adaptive.method thompson is stored");
	so_channel_strategy_free(cs);
	cs = PARSE_OK("{" SEQ ", 'adaptive': {'enabled': true, 'method': 'epsilon_greedy'}}");
	ok(cs != NULL && !cs->thompson, "adaptive.method epsilon_greedy is the default's");
	so_channel_strategy_free(cs);
	OK("{" SEQ ", 'adaptive': {'method': null}}");
	ERR("{" SEQ ", 'adaptive': {'method': 'softmax'}}", SO_ERR_FORMAT, "adaptive.method");
	ERR("{" SEQ ", 'adaptive': {'method': 'Thompson'}}", SO_ERR_FORMAT, "adaptive.method");
	ERR("{" SEQ ", 'adaptive': {'method': 1}}", SO_ERR_TYPE, "adaptive.method");
	/* the sequence is checked before adaptive */
	ERR("{'adaptive': {'bandit_epsilon': 2}, 'sequence': []}", SO_ERR_EMPTY, "sequence");
#undef SEQ
}

static void
costs(int line, const char *json, so_errcode code, const char *path)
{
	char	   *j = sq(json);
	so_error	err;
	char		d[160];
	int			rc = so_channel_costs_validate(j, strlen(j), &err);

	describe(d, sizeof(d), line, j);
	is_str(CODE(rc), CODE(code), "%s: code", d);
	if (code != SO_OK)
		is_str(err.path, path, "%s: path", d);
	if (code == SO_ERR_UNKNOWN_KEY)
		is_str(err.expected, "one of: email, sms, phone, door_knock, direct_mail, paid_ads",
			   "%s: unknown channel expected", d);
	free(j);
}

#define COSTS(json, code, path) costs(__LINE__, json, code, path)

static void
test_costs(void)
{
	COSTS("{}", SO_OK, "");
	COSTS("{'email': 0.05, 'door_knock': 18}", SO_OK, "");
	COSTS("{'email': 0, 'sms': 100000, 'phone': 1, 'door_knock': 2, 'direct_mail': 3, 'paid_ads': 4.5}", SO_OK, "");
	COSTS("{'fax': 1}", SO_ERR_UNKNOWN_KEY, "fax");
	COSTS("{'email': 1, 'Email': 1}", SO_ERR_UNKNOWN_KEY, "Email");
	COSTS("{'email': -0.01}", SO_ERR_RANGE, "email");
	COSTS("{'sms': 100000.01}", SO_ERR_RANGE, "sms");
	COSTS("{'sms': 1e309}", SO_ERR_RANGE, "sms");
	COSTS("{'sms': 100000000000000000000000}", SO_ERR_RANGE, "sms");
	COSTS("{'phone': '1'}", SO_ERR_TYPE, "phone");
	COSTS("{'phone': null}", SO_ERR_TYPE, "phone");
	COSTS("{'phone': true}", SO_ERR_TYPE, "phone");
	COSTS("{'paid_ads': 1, 'email': -1}", SO_ERR_RANGE, "email");
	COSTS("[]", SO_ERR_TYPE, "");
	COSTS("{'email': NaN}", SO_ERR_SYNTAX, "");
	COSTS("{'email': 1} 2", SO_ERR_SYNTAX, "");
	COSTS("", SO_ERR_SYNTAX, "");
}

int
main(void)
{
	test_seed();
	test_channels();
	test_structure();
	test_step_keys();
	test_conditions();
	test_windows();
	test_success_criteria();
	test_adaptive();
	test_costs();
	return done_testing();
}
