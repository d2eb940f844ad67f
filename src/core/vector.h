/*
 * vector.h: exact vector math over float32 embeddings, accumulated in double.
 *
 * The callers (the SQL glue) check dimensions, NULLs and non-finite values
 * first; these functions only compute.
 */
#ifndef SO_VECTOR_H
#define SO_VECTOR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Cosine similarity of a and b (n elements each). Returns false when either
 * vector is all zeros (the cosine is undefined), true and *out otherwise.
 */
bool		so_cosine_similarity(const float *a, const float *b, size_t n, double *out);

/*
 * The cosine of a float embedding and a double centroid whose norm (sqrt of
 * its sum of squares) the caller computed once with so_centroid_norm. For a
 * centroid converted exactly from floats, bit for bit so_cosine_similarity.
 * False when either norm is zero.
 */
bool		so_cosine_to_centroid(const float *a, const double *centroid, size_t n,
								  double centroid_norm, double *out);

double		so_centroid_norm(const double *centroid, size_t n);

/* Euclidean distance of a and b (n elements each). */
double		so_l2_distance(const float *a, const float *b, size_t n);

/* The same to a double centroid. */
double		so_l2_to_centroid(const float *a, const double *centroid, size_t n);

/*
 * Centroids: the caller owns the running sums (dim doubles, zeroed), so that
 * they can live in the memory of whoever aggregates.
 */
void		so_vector_accumulate(double *sum, const float *v, size_t dim);
/* sum / count into out (dim doubles); count must be > 0. */
void		so_vector_mean(const double *sum, size_t dim, double count, double *out);

#endif							/* SO_VECTOR_H */
