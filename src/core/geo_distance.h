/*
 * geo_distance.h: great-circle distance between two points on the Earth.
 */
#ifndef SO_GEO_DISTANCE_H
#define SO_GEO_DISTANCE_H

/* Mean Earth radius (IUGG), km. */
#define SO_EARTH_RADIUS_KM 6371.0088

/*
 * Haversine distance in km between (lat1, lon1) and (lat2, lon2), degrees.
 * Accurate to about 0.5% (the Earth is not a sphere), which is far finer
 * than a storm report's footprint. Antipodal rounding is clamped, so the
 * result is always finite for finite input.
 */
double		so_haversine_km(double lat1, double lon1, double lat2, double lon2);

#endif
