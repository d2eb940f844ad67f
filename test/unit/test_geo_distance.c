/*
 * test_geo_distance.c: the haversine distance against known distances.
 */
#include <math.h>

#include "geo_distance.h"
#include "tap.h"

static int
near(double got, double want, double tolerance)
{
	if (fabs(got - want) <= tolerance)
		return 1;
	printf("#          got: %.6f\n#     expected: %.6f (+/- %g)\n", got, want, tolerance);
	return 0;
}

int
main(void)
{
	ok(so_haversine_km(33.15, -96.81, 33.15, -96.81) == 0.0, "a point is 0 km from itself");
	/* one degree of latitude on the mean sphere: 2 pi R / 360 */
	ok(near(so_haversine_km(33.0, -96.8, 34.0, -96.8), 111.19508, 1e-4), "one degree of latitude is 111.195 km");
	/* one degree of longitude shrinks with cos(latitude) */
	ok(near(so_haversine_km(60.0, 10.0, 60.0, 11.0), 55.5970, 1e-3), "one degree of longitude at 60 N is 55.597 km");
	ok(near(so_haversine_km(33.1500, -96.8100, 33.1444, -96.7091), so_haversine_km(33.1444, -96.7091, 33.1500, -96.8100), 1e-12),
	   "distance is symmetric");
	/* two Frisco-episode reports; the flat-earth approximation agrees to 1 m at 9 km */
	ok(near(so_haversine_km(33.1500, -96.8100, 33.1444, -96.7091), 9.4144, 0.001), "Frisco to Allen reports: 9.414 km");
	ok(near(so_haversine_km(0.0, 0.0, 0.0, 180.0), 3.14159265358979323846 * SO_EARTH_RADIUS_KM, 1e-6), "antipodes: half the circumference");
	/*
	 * here h rounds to 1 + 2^-52; sqrt absorbs that one ulp, so this checks
	 * the result rather than the clamp, which guards larger rounding
	 */
	ok(near(so_haversine_km(-87.5, -180.0, 87.5, 0.0), 3.14159265358979323846 * SO_EARTH_RADIUS_KM, 1e-6),
	   "near-antipodal rounding stays at half the circumference");
	ok(near(so_haversine_km(0.0, 179.9, 0.0, -179.9), 22.239, 0.001), "across the antimeridian the short way");
	return done_testing();
}
