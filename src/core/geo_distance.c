/*
 * geo_distance.c: the haversine formula. It lives in C because
 * compute_impacts evaluates it for every candidate property of every report
 * (hundreds of thousands of calls per storm), where a SQL-language function
 * costs a function-executor round trip each time.
 */
#include "geo_distance.h"

#include <math.h>

/* M_PI is POSIX, not C11 */
#define SO_PI 3.14159265358979323846

static double
radians(double degrees)
{
	return degrees * (SO_PI / 180.0);
}

double
so_haversine_km(double lat1, double lon1, double lat2, double lon2)
{
	double		sin_dlat = sin(radians(lat2 - lat1) / 2.0);
	double		sin_dlon = sin(radians(lon2 - lon1) / 2.0);
	double		h = sin_dlat * sin_dlat
		+ cos(radians(lat1)) * cos(radians(lat2)) * sin_dlon * sin_dlon;

	/* rounding can push h a hair above 1 for antipodal points */
	if (h > 1.0)
		h = 1.0;
	return 2.0 * SO_EARTH_RADIUS_KM * asin(sqrt(h));
}
