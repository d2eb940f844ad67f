/*
 * model_rows.h: the rows a model is fitted and validated on, read from any
 * relation the caller may SELECT from (learning.md, "Generic entry point").
 */
#ifndef STORMOPS_MODEL_ROWS_H
#define STORMOPS_MODEL_ROWS_H

#include "postgres.h"

#include "utils/array.h"

typedef struct model_feature
{
	char	   *name;			/* the column */
	bool		is_text;		/* one-hot encoded */
	bool		is_bool;		/* read as 0/1 */
	int			nlevels;		/* text: levels seen in the fit rows, sorted bytewise */
	char	  **levels;
	int			first_column;	/* its first column in x */
} model_feature;

typedef struct model_rows
{
	int64		n;				/* rows read */
	int			p;				/* columns of x after one-hot encoding */
	double	   *x;				/* [n * p], row-major */
	double	   *y;				/* [n] label 0/1 */
	double	   *w;				/* [n] weights, or NULL without a weight column */
	unsigned char *treated;		/* [n] 1/0, or NULL without a treatment column */
	unsigned char *validate;	/* [n] 1 for the validation part (validation_row) */
	int			nfeatures;
	model_feature *features;
	char	  **column_names;	/* [p] "recency", "zip_code=Rural" */
} model_rows;

/*
 * Read source's rows into *out, allocated in the current memory context.
 * Refuses with a clear error: a column that does not exist (42703), a
 * feature of a type that is neither numeric, boolean nor text (42804), a
 * repeated or empty name, a NULL label, treatment, weight or numeric
 * feature (22004, naming the row id), a label or treatment other than 0/1
 * (22023), a text level longer than 200 bytes, more than 1024 columns.
 * treatment and weight may be NULL.
 */
void		model_rows_read(Oid relid, const char *id_column, ArrayType *features,
							const char *treatment_column, const char *label_column,
							const char *weight_column, model_rows *out);

#endif							/* STORMOPS_MODEL_ROWS_H */
