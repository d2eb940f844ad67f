/*
 * test_time_window.c: clock times, daily ranges, step windows and their
 * intersection with quiet hours (time_window.h).
 */
#include <string.h>

#include "tap.h"
#include "time_window.h"

#define S(x) x, strlen(x)

static void
range_ok(const char *text, int start, int end)
{
	so_clock_range r = {-1, -1};
	so_clock_problem p = so_parse_clock_range(S(text), &r);

	is_int(p, SO_CLOCK_OK, "'%s' parses", text);
	is_int(r.start_min, start, "'%s' starts at minute %d", text, start);
	is_int(r.end_min, end, "'%s' ends at minute %d", text, end);
}

static void
range_bad(const char *text, so_clock_problem want, const char *message)
{
	so_clock_range r = {-7, -7};
	so_clock_problem p = so_parse_clock_range(S(text), &r);

	is_int(p, want, "'%s' is refused", text);
	is_str(so_clock_problem_text(p, false), message, "'%s': %s", text, message);
	ok(r.start_min == -7 && r.end_min == -7, "'%s' leaves the output alone", text);
}

int
main(void)
{
	int			m = -1;
	so_window_days days = SO_DAYS_ANY;
	so_clock_range r = {0, 0};
	so_clock_range out = {-1, -1};

	ok(so_parse_clock(S("00:00"), false, &m) && m == 0, "00:00 is minute 0");
	ok(so_parse_clock(S("23:59"), false, &m) && m == 1439, "23:59 is minute 1439");
	ok(!so_parse_clock(S("24:00"), false, &m), "24:00 is not a start");
	ok(so_parse_clock(S("24:00"), true, &m) && m == 1440, "24:00 is an end: minute 1440");
	ok(!so_parse_clock(S("24:01"), true, &m), "24:01 is refused");
	ok(!so_parse_clock(S("12:60"), false, &m), "12:60 is refused");
	ok(!so_parse_clock(S("8:00"), false, &m), "8:00 (one digit) is refused");
	ok(!so_parse_clock(S("08:000"), false, &m), "08:000 (too long) is refused");

	range_ok("08:00-21:00", 480, 1260);
	range_ok("09:00-20:00", 540, 1200);
	range_ok("00:00-24:00", 0, 1440);
	range_bad("08:00_21:00", SO_CLOCK_SHAPE, "not a time range");
	range_bad("08:00-21:00 ", SO_CLOCK_SHAPE, "not a time range");
	range_bad("", SO_CLOCK_SHAPE, "not a time range");
	range_bad("08:00-25:00", SO_CLOCK_TIME, "not a valid time of day");
	range_bad("21:00-08:00", SO_CLOCK_BACKWARDS, "range ends before it starts");
	range_bad("08:00-08:00", SO_CLOCK_EMPTY, "range ends when it starts");

	is_int(so_parse_window(S("weekday_18:00-20:00"), &days, &r), SO_CLOCK_OK, "weekday_18:00-20:00 parses");
	ok(days == SO_DAYS_WEEKDAY && r.start_min == 1080 && r.end_min == 1200, "weekday, 18:00 to 20:00");
	is_int(so_parse_window(S("sun_00:00-24:00"), &days, &r), SO_CLOCK_OK, "sun_00:00-24:00 parses");
	ok(days == SO_DAYS_SUN && r.start_min == 0 && r.end_min == 1440, "Sunday, all day");
	is_int(so_parse_window(S("weekdays_18:00-20:00"), &days, &r), SO_CLOCK_DAYS, "weekdays is not a day set");
	is_str(so_clock_problem_text(SO_CLOCK_DAYS, true), "unknown days", "unknown days, in words");
	is_int(so_parse_window(S("weekday18:00-20:00"), &days, &r), SO_CLOCK_SHAPE, "no underscore: not a window");
	is_str(so_clock_problem_text(SO_CLOCK_SHAPE, true), "not a time window", "a window's shape, in words");
	is_int(so_parse_window(S("any_20:00-18:00"), &days, &r), SO_CLOCK_BACKWARDS, "a window that ends before it starts");
	is_str(so_clock_problem_text(SO_CLOCK_BACKWARDS, true), "window ends before it starts", "in words");
	is_str(so_window_days_name(SO_DAYS_WEEKEND), "weekend", "days have names");
	ok(so_window_days_name((so_window_days) 42) == NULL, "an unknown day set has no name");

	/* a door knock at 18:00-20:00 inside 09:00-20:00: unchanged */
	ok(so_clock_range_intersect((so_clock_range) {1080, 1200}, (so_clock_range) {540, 1200}, &out)
	   && out.start_min == 1080 && out.end_min == 1200, "18:00-20:00 within 09:00-20:00 is 18:00-20:00");
	/* an evening call window 19:00-23:00 inside 08:00-21:00: cut at 21:00 */
	ok(so_clock_range_intersect((so_clock_range) {1140, 1380}, (so_clock_range) {480, 1260}, &out)
	   && out.start_min == 1140 && out.end_min == 1260, "19:00-23:00 within 08:00-21:00 is 19:00-21:00");
	out = (so_clock_range) {-1, -1};
	ok(!so_clock_range_intersect((so_clock_range) {1290, 1380}, (so_clock_range) {480, 1260}, &out)
	   && out.start_min == -1, "21:30-23:00 never falls within 08:00-21:00");
	ok(!so_clock_range_intersect((so_clock_range) {1200, 1260}, (so_clock_range) {540, 1200}, &out),
	   "20:00-21:00 touches 09:00-20:00 only at its end: no time");
	return done_testing();
}
