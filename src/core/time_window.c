/*
 * time_window.c: times of day, daily ranges and step windows
 * (time_window.h). Hand-written matchers: the grammars are fixed-width.
 */
#include <string.h>

#include "time_window.h"

static const char *const days_names[] = {
	"any", "weekday", "weekend", "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
so_parse_clock(const char *s, size_t len, bool allow_24, int *minutes)
{
	int			hh,
				mm;

	if (len != 5 || !is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' ||
		!is_digit(s[3]) || !is_digit(s[4]))
		return false;
	hh = (s[0] - '0') * 10 + (s[1] - '0');
	mm = (s[3] - '0') * 10 + (s[4] - '0');
	if (allow_24 && hh == 24 && mm == 0)
	{
		*minutes = 24 * 60;
		return true;
	}
	if (hh > 23 || mm > 59)
		return false;
	*minutes = hh * 60 + mm;
	return true;
}

so_clock_problem
so_parse_clock_range(const char *s, size_t len, so_clock_range *out)
{
	int			start,
				end;

	if (len != 11 || s[5] != '-')
		return SO_CLOCK_SHAPE;
	if (!so_parse_clock(s, 5, false, &start) || !so_parse_clock(s + 6, 5, true, &end))
		return SO_CLOCK_TIME;
	if (end < start)
		return SO_CLOCK_BACKWARDS;
	if (end == start)
		return SO_CLOCK_EMPTY;
	out->start_min = start;
	out->end_min = end;
	return SO_CLOCK_OK;
}

so_clock_problem
so_parse_window(const char *s, size_t len, so_window_days *days,
				so_clock_range *range)
{
	const char *under = memchr(s, '_', len);
	size_t		dlen;
	so_clock_problem problem;
	so_clock_range r;

	if (under == NULL)
		return SO_CLOCK_SHAPE;
	dlen = (size_t) (under - s);
	for (int i = 0; days_names[i] != NULL; i++)
	{
		if (strlen(days_names[i]) == dlen && memcmp(days_names[i], s, dlen) == 0)
		{
			problem = so_parse_clock_range(under + 1, len - dlen - 1, &r);
			if (problem != SO_CLOCK_OK)
				return problem;
			*days = (so_window_days) i;
			*range = r;
			return SO_CLOCK_OK;
		}
	}
	return SO_CLOCK_DAYS;
}

const char *
so_clock_problem_text(so_clock_problem problem, bool window)
{
	switch (problem)
	{
		case SO_CLOCK_OK:
			return "";
		case SO_CLOCK_SHAPE:
			return window ? "not a time window" : "not a time range";
		case SO_CLOCK_TIME:
			return "not a valid time of day";
		case SO_CLOCK_BACKWARDS:
			return window ? "window ends before it starts" : "range ends before it starts";
		case SO_CLOCK_EMPTY:
			return window ? "window ends when it starts" : "range ends when it starts";
		case SO_CLOCK_DAYS:
			return "unknown days";
	}
	return "not a time window";
}

const char *
so_window_days_name(so_window_days days)
{
	if ((int) days < 0 || (int) days > (int) SO_DAYS_SUN)
		return NULL;
	return days_names[days];
}

bool
so_clock_range_intersect(so_clock_range window, so_clock_range quiet,
						 so_clock_range *out)
{
	int			start = window.start_min > quiet.start_min ? window.start_min : quiet.start_min;
	int			end = window.end_min < quiet.end_min ? window.end_min : quiet.end_min;

	if (start >= end)
		return false;
	out->start_min = start;
	out->end_min = end;
	return true;
}
