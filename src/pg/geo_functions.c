/*
 * geo_functions.c: SQL wrapper of the core's great-circle distance.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/float.h"

#include "geo_distance.h"

PG_FUNCTION_INFO_V1(stormops_haversine_km);

static double
checked_coordinate(double value, double limit, const char *name)
{
	if (isnan(value) || value < -limit || value > limit)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("haversine_km: %s %g is out of range", name, value),
				 errhint("Latitudes lie in [-90, 90] and longitudes in [-180, 180], in degrees.")));
	return value;
}

/* haversine_km(lat1, lon1, lat2, lon2) float8, STRICT */
Datum
stormops_haversine_km(PG_FUNCTION_ARGS)
{
	double		lat1 = checked_coordinate(PG_GETARG_FLOAT8(0), 90.0, "lat1");
	double		lon1 = checked_coordinate(PG_GETARG_FLOAT8(1), 180.0, "lon1");
	double		lat2 = checked_coordinate(PG_GETARG_FLOAT8(2), 90.0, "lat2");
	double		lon2 = checked_coordinate(PG_GETARG_FLOAT8(3), 180.0, "lon2");

	PG_RETURN_FLOAT8(so_haversine_km(lat1, lon1, lat2, lon2));
}
