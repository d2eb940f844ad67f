/*
 * embedding_input.h: checking real[] embeddings passed to SQL functions.
 */
#ifndef STORMOPS_EMBEDDING_INPUT_H
#define STORMOPS_EMBEDDING_INPUT_H

#include "postgres.h"

#include "utils/array.h"

/*
 * The elements of a valid embedding (one dimension, not empty, no NULL, NaN
 * or infinite element), or an error naming `what`; *dim gets its length.
 */
const float *stormops_embedding_elements(ArrayType *a, const char *what, int *dim);

/* The same for a double precision[] centroid. */
const double *stormops_centroid_elements(ArrayType *a, const char *what, int *dim);

/* An error unless two embeddings have the same length. */
void		stormops_same_dimensions(int a, int b);

#endif							/* STORMOPS_EMBEDDING_INPUT_H */
