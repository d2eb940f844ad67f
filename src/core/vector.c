/*
 * vector.c: cosine similarity, L2 distance and centroids.
 *
 * Sums run in double so that 384-dimension float32 embeddings keep about
 * 1e-12 relative error, far inside the 1e-6 the tests allow.
 */
#include <math.h>

#include "vector.h"

double
so_centroid_norm(const double *centroid, size_t n)
{
	double		sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += centroid[i] * centroid[i];
	return sqrt(sum);
}

/* Kept in [-1, 1]: rounding can step just outside for parallel vectors. */
static double
clamp_cosine(double c)
{
	return c > 1 ? 1 : (c < -1 ? -1 : c);
}

bool
so_cosine_to_centroid(const float *a, const double *centroid, size_t n,
					  double centroid_norm, double *out)
{
	double		dot = 0,
				na = 0;

	for (size_t i = 0; i < n; i++)
	{
		dot += (double) a[i] * centroid[i];
		na += (double) a[i] * a[i];
	}
	if (na == 0 || centroid_norm == 0)
		return false;
	*out = clamp_cosine(dot / (sqrt(na) * centroid_norm));
	return true;
}

bool
so_cosine_similarity(const float *a, const float *b, size_t n, double *out)
{
	double		dot = 0,
				na = 0,
				nb = 0;

	for (size_t i = 0; i < n; i++)
	{
		dot += (double) a[i] * b[i];
		na += (double) a[i] * a[i];
		nb += (double) b[i] * b[i];
	}
	if (na == 0 || nb == 0)
		return false;
	*out = clamp_cosine(dot / (sqrt(na) * sqrt(nb)));
	return true;
}

double
so_l2_distance(const float *a, const float *b, size_t n)
{
	double		sum = 0;

	for (size_t i = 0; i < n; i++)
	{
		double		d = (double) a[i] - b[i];

		sum += d * d;
	}
	return sqrt(sum);
}

void
so_vector_accumulate(double *sum, const float *v, size_t dim)
{
	for (size_t i = 0; i < dim; i++)
		sum[i] += v[i];
}

double
so_l2_to_centroid(const float *a, const double *centroid, size_t n)
{
	double		sum = 0;

	for (size_t i = 0; i < n; i++)
	{
		double		d = (double) a[i] - centroid[i];

		sum += d * d;
	}
	return sqrt(sum);
}

void
so_vector_mean(const double *sum, size_t dim, double count, double *out)
{
	for (size_t i = 0; i < dim; i++)
		out[i] = sum[i] / count;
}
