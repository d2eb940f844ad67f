/*
 * time_window.h: the small clock languages of contact plans.
 *
 * "HH:MM" times of day, "HH:MM-HH:MM" daily ranges (the quiet-hours
 * settings stormops.call_hours and stormops.door_knock_hours) and
 * "<days>_HH:MM-HH:MM" timing windows of channel steps
 * (docs/playbook-reference.md), and how a step's window and its channel's
 * quiet hours combine. Pure arithmetic on minutes after local midnight: what
 * a local minute is on a given date (time zones, DST) is PostgreSQL's job
 * (sql/parts/14_local_time.sql), never this file's.
 *
 * Failure modes: every parser returns false, or a static problem statement,
 * and writes nothing through its out-pointers on bad input; no allocation.
 */
#ifndef SO_TIME_WINDOW_H
#define SO_TIME_WINDOW_H

#include <stdbool.h>
#include <stddef.h>

typedef enum so_window_days
{
	SO_DAYS_ANY = 0,			/* any day */
	SO_DAYS_WEEKDAY,			/* Monday..Friday */
	SO_DAYS_WEEKEND,			/* Saturday, Sunday */
	SO_DAYS_MON, SO_DAYS_TUE, SO_DAYS_WED, SO_DAYS_THU, SO_DAYS_FRI,
	SO_DAYS_SAT, SO_DAYS_SUN
} so_window_days;

/* A daily range [start_min, end_min) of local minutes, 0 <= start < end <= 1440. */
typedef struct so_clock_range
{
	int			start_min;
	int			end_min;
} so_clock_range;

/* "HH:MM" to minutes after midnight; "24:00" only when allow_24 (an end). */
bool		so_parse_clock(const char *s, size_t len, bool allow_24, int *minutes);

typedef enum so_clock_problem
{
	SO_CLOCK_OK = 0,
	SO_CLOCK_SHAPE,				/* not HH:MM-HH:MM (or <days>_HH:MM-HH:MM) */
	SO_CLOCK_TIME,				/* a time of day out of range, e.g. 25:00 */
	SO_CLOCK_BACKWARDS,			/* the end before the start */
	SO_CLOCK_EMPTY,				/* the end equal to the start */
	SO_CLOCK_DAYS				/* unknown days before the "_" */
} so_clock_problem;

/* "HH:MM-HH:MM" with the start before the end (the end may be 24:00). */
so_clock_problem so_parse_clock_range(const char *s, size_t len, so_clock_range *out);

/* "<days>_HH:MM-HH:MM", days one of any, weekday, weekend, mon..sun. */
so_clock_problem so_parse_window(const char *s, size_t len, so_window_days *days,
								 so_clock_range *range);

/* The problem in words, about a "window" or a "range", e.g. "window ends before it starts". */
const char *so_clock_problem_text(so_clock_problem problem, bool window);

/* "any", "weekday", ...; NULL for an out-of-range value. */
const char *so_window_days_name(so_window_days days);

/*
 * The part of `window` inside `quiet` (the allowed hours of a channel):
 * false when they do not overlap, so the step may never go out.
 */
bool		so_clock_range_intersect(so_clock_range window, so_clock_range quiet,
									 so_clock_range *out);

#endif							/* SO_TIME_WINDOW_H */
