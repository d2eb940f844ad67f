/*
 * vector.c: cosine similarity, L2 distance and centroids.
 *
 * Sums run in double so that 384-dimension float32 embeddings keep about
 * 1e-12 relative error, far inside the 1e-6 the tests allow.
 */
#include <math.h>

#include "vector.h"

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
	*out = dot / (sqrt(na) * sqrt(nb));
	/* rounding can step just outside [-1, 1] for parallel vectors */
	if (*out > 1)
		*out = 1;
	else if (*out < -1)
		*out = -1;
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

void
so_vector_mean(const double *sum, size_t dim, double count, float *out)
{
	for (size_t i = 0; i < dim; i++)
		out[i] = (float) (sum[i] / count);
}
