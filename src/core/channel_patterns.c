/*
 * channel_patterns.c: conditions, timing windows, success criteria and
 * identifiers of channel steps.
 *
 * Hand-written matchers rather than regex or strtod: the grammars are tiny,
 * and strtod would accept hex, exponents, "inf" and a locale's decimal comma.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel_patterns.h"

#define EXPECT_WINDOW \
	"a window like \"weekday_18:00-20:00\": any, weekday, weekend or mon..sun, then _HH:MM-HH:MM with the start before the end (the end may be 24:00)"
#define EXPECT_SUCCESS \
	"a criterion like \"open_rate > 0.3\": metric (open_rate, click_rate, response_rate, conversion_rate, complaint_rate, opt_out_rate) then >, >=, < or <= then a rate from 0 to 1"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char *
copy_string(const char *s, size_t len)
{
	char	   *c = malloc(len + 1);

	if (c != NULL)
	{
		memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

/* ---- conditions ---- */

static void
condition_expected(int step, char *buf, size_t size)
{
	if (step <= 1)
		snprintf(buf, size,
				 "if_engaged or if_high_ltv: step 1 has no earlier step to refer to");
	else if (step == 2)
		snprintf(buf, size,
				 "if_no_response_to_step_1, if_response_to_step_1, if_engaged or if_high_ltv");
	else
		snprintf(buf, size,
				 "if_no_response_to_step_N or if_response_to_step_N with N from 1 to %d, if_engaged or if_high_ltv",
				 step - 1);
}

int
so_parse_condition(struct json_object *v, const so_path *p, int step,
				   so_channel_step *out, so_error *err)
{
	static const char no_resp[] = "if_no_response_to_step_";
	static const char resp[] = "if_response_to_step_";
	char		expected[SO_ERR_TEXT_LEN];
	const char *s;
	const char *digits;
	size_t		len,
				ndigits;
	so_condition_kind kind;
	int64_t		n = 0;
	int			rc;

	condition_expected(step, expected, sizeof(expected));
	rc = so_read_string(v, p, expected, &s, &len, err);
	if (rc != SO_OK)
		return rc;

	if (strcmp(s, "if_engaged") == 0)
	{
		out->condition = SO_COND_ENGAGED;
		return SO_OK;
	}
	if (strcmp(s, "if_high_ltv") == 0)
	{
		out->condition = SO_COND_HIGH_LTV;
		return SO_OK;
	}
	if (len > sizeof(no_resp) - 1 && memcmp(s, no_resp, sizeof(no_resp) - 1) == 0)
	{
		kind = SO_COND_NO_RESPONSE_TO_STEP;
		digits = s + sizeof(no_resp) - 1;
	}
	else if (len > sizeof(resp) - 1 && memcmp(s, resp, sizeof(resp) - 1) == 0)
	{
		kind = SO_COND_RESPONSE_TO_STEP;
		digits = s + sizeof(resp) - 1;
	}
	else
		return so_error_set(err, SO_ERR_FORMAT, p->buf, "unknown condition",
							expected, so_json_render(v));

	ndigits = len - (size_t) (digits - s);
	for (size_t i = 0; i < ndigits; i++)
	{
		if (!is_digit(digits[i]))
			return so_error_set(err, SO_ERR_FORMAT, p->buf,
								"the step number is not a decimal integer",
								expected, so_json_render(v));
		/* saturate: any huge N is simply not an earlier step */
		if (n < 1000000000)
			n = n * 10 + (digits[i] - '0');
	}
	if (ndigits > 1 && digits[0] == '0')
		return so_error_set(err, SO_ERR_FORMAT, p->buf,
							"the step number has a leading zero",
							expected, so_json_render(v));
	if (n < 1 || n >= step)
	{
		char		msg[SO_ERR_TEXT_LEN];

		snprintf(msg, sizeof(msg), "condition refers to step %.*s, which is not an earlier step",
				 (int) (ndigits > 20 ? 20 : ndigits), digits);
		return so_error_set(err, SO_ERR_RANGE, p->buf, msg, expected,
							so_json_render(v));
	}
	out->condition = kind;
	out->condition_step = (int) n;
	return SO_OK;
}

/* ---- timing windows ---- */

int
so_parse_timing_window(struct json_object *v, const so_path *p,
					   so_channel_step *out, so_error *err)
{
	const char *s;
	size_t		len;
	so_clock_range range;
	so_clock_problem problem;
	int			rc;

	rc = so_read_string(v, p, EXPECT_WINDOW, &s, &len, err);
	if (rc != SO_OK)
		return rc;
	problem = so_parse_window(s, len, &out->window_days, &range);
	if (problem != SO_CLOCK_OK)
		return so_error_set(err,
							problem == SO_CLOCK_BACKWARDS || problem == SO_CLOCK_EMPTY
							? SO_ERR_RANGE : SO_ERR_FORMAT,
							p->buf, so_clock_problem_text(problem, true),
							EXPECT_WINDOW, so_json_render(v));
	out->has_window = true;
	out->window_start_min = range.start_min;
	out->window_end_min = range.end_min;
	return SO_OK;
}

/* ---- success criteria ---- */

static const char *const metrics[] = {
	"open_rate", "click_rate", "response_rate", "conversion_rate",
	"complaint_rate", "opt_out_rate", NULL
};

/* Longest fraction accepted in a rate, e.g. "0.3333333333333333". */
#define MAX_RATE_FRACTION 40

/*
 * A rate: digits, optionally '.' and digits, or '.' and digits. Returns the
 * number of bytes consumed, 0 when there is no valid number.
 *
 * The value is int + mantissa / 10^k. For up to 15 significant digits both
 * operands of the division are exact doubles, so the result is correctly
 * rounded ("0.3" gives exactly the double 0.3); digits beyond about 18 are
 * dropped, which is far below any meaningful rate.
 */
static size_t
parse_rate(const char *s, size_t len, double *value)
{
	static const double pow10[MAX_RATE_FRACTION + 1] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
		1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30,
		1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39, 1e40
	};
	uint64_t	intpart = 0,
				mantissa = 0;
	size_t		i = 0,
				nint = 0,
				nfrac = 0,
				kept = 0;

	while (i < len && is_digit(s[i]))
	{
		/* saturates: anything from 10 up is out of range anyway */
		if (intpart < 10)
			intpart = intpart * 10 + (uint64_t) (s[i] - '0');
		nint++;
		i++;
	}
	if (i < len && s[i] == '.')
	{
		i++;
		while (i < len && is_digit(s[i]))
		{
			if (nfrac == MAX_RATE_FRACTION)
				return 0;
			if (mantissa < UINT64_C(100000000000000000))
			{
				mantissa = mantissa * 10 + (uint64_t) (s[i] - '0');
				kept++;
			}
			nfrac++;
			i++;
		}
		if (nfrac == 0)
			return 0;
	}
	if (nint + nfrac == 0)
		return 0;
	*value = (double) intpart + (double) mantissa / pow10[kept];
	return i;
}

int
so_parse_success_criteria(struct json_object *v, const so_path *p,
						  so_channel_step *out, so_error *err)
{
	const char *s;
	size_t		len,
				i = 0,
				used;
	const char *metric = NULL;
	so_compare_op op;
	double		value;
	int			rc;

	rc = so_read_string(v, p, EXPECT_SUCCESS, &s, &len, err);
	if (rc != SO_OK)
		return rc;

	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
		i++;
	for (const char *const *m = metrics; *m != NULL; m++)
		if (strlen(*m) == i && memcmp(*m, s, i) == 0)
			metric = *m;
	if (metric == NULL)
		return so_error_set(err, SO_ERR_FORMAT, p->buf, "unknown metric",
							EXPECT_SUCCESS, so_json_render(v));

	while (i < len && s[i] == ' ')
		i++;
	if (i < len && (s[i] == '>' || s[i] == '<'))
	{
		bool		eq = (i + 1 < len && s[i + 1] == '=');

		if (s[i] == '>')
			op = eq ? SO_OP_GE : SO_OP_GT;
		else
			op = eq ? SO_OP_LE : SO_OP_LT;
		i += eq ? 2 : 1;
	}
	else
		return so_error_set(err, SO_ERR_FORMAT, p->buf,
							"expected >, >=, < or <= after the metric",
							EXPECT_SUCCESS, so_json_render(v));

	while (i < len && s[i] == ' ')
		i++;
	used = parse_rate(s + i, len - i, &value);
	if (used == 0 || i + used != len)
		return so_error_set(err, SO_ERR_FORMAT, p->buf,
							"expected a rate from 0 to 1 after the operator",
							EXPECT_SUCCESS, so_json_render(v));
	if (value > 1.0)
		return so_error_set(err, SO_ERR_RANGE, p->buf, "rate out of range",
							EXPECT_SUCCESS, so_json_render(v));

	out->success_metric = copy_string(metric, strlen(metric));
	if (out->success_metric == NULL)
		return so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "out of memory",
							EXPECT_SUCCESS, "");
	out->has_success = true;
	out->success_op = op;
	out->success_value = value;
	return SO_OK;
}

/* ---- identifiers ---- */

int
so_parse_identifier(struct json_object *v, const so_path *p,
					const char *expected, char **out, so_error *err)
{
	const char *s;
	size_t		len;
	int			rc;

	rc = so_read_string(v, p, expected, &s, &len, err);
	if (rc != SO_OK)
		return rc;
	if (len > 63 || s[0] < 'a' || s[0] > 'z')
		return so_error_set(err, SO_ERR_FORMAT, p->buf, "not an identifier",
							expected, so_json_render(v));
	for (size_t i = 1; i < len; i++)
	{
		char		c = s[i];

		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_'))
			return so_error_set(err, SO_ERR_FORMAT, p->buf, "not an identifier",
								expected, so_json_render(v));
	}
	*out = copy_string(s, len);
	if (*out == NULL)
		return so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "out of memory",
							expected, "");
	return SO_OK;
}
