/*
 * logistic.h: L2-penalised logistic regression fitted by Newton's method
 * (IRLS), the model of learning.md (docs/learning.md).
 *
 * The rows are a dense row-major matrix x (n rows, p feature columns, no
 * intercept column), labels y in {0, 1} and optional positive row weights
 * w; a fit reads the subset `rows` of them (the fit part of one arm), so a
 * T-learner fits both arms from one matrix without copying it.
 *
 * What is minimised is exactly scikit-learn's StandardScaler() followed by
 * LogisticRegression(C = 1/l2): every column is standardised with the mean
 * and the population standard deviation of the fit rows (unweighted; a
 * constant column keeps scale 1, is left out of the Newton system and gets
 * coefficient 0; the statistics are taken over x / (the column's largest
 * magnitude), so values anywhere in double's range neither overflow nor
 * lose the column), and the objective is
 *
 *   sum_i w_i * (log(1 + exp(eta_i)) - y_i * eta_i) + l2/2 * sum_j beta_j^2
 *
 * over the standardised coefficients beta (never the intercept). Newton
 * steps (with step halving when the objective would rise) stop when the
 * relative change of the objective falls below `tol` (learning.md: 1e-10).
 *
 * Outcomes, never a silent NaN:
 *   SO_OK with status SO_FIT_CONVERGED;
 *   SO_OK with status SO_FIT_ITERATION_CAP: max_iter Newton steps without
 *       reaching tol (the coefficients are the last iterate, finite);
 *   SO_OK with status SO_FIT_SEPARABLE: l2 = 0 and every fitted probability
 *       is within 1e-6 of its label: the classes are separable and the
 *       unpenalised coefficients grow without bound (the last iterate is
 *       kept, finite);
 *   SO_ERR_EMPTY: no rows; SO_ERR_CONFLICT: every label is the same (no
 *       model separates one class), or l2 = 0 and the system is singular
 *       (collinear columns, e.g. every level of a one-hot feature with the
 *       intercept); SO_ERR_RANGE: a value that is not finite, a label other
 *       than 0/1, a weight <= 0, weights whose largest is more than
 *       SO_LOGIT_MAX_WEIGHT_SPREAD times their smallest, l2 < 0; a system too
 *       ill-conditioned to solve although l2 > 0, or coefficients that are
 *       not finite on the original scale (features near the limits of
 *       double); SO_ERR_TOO_LARGE: p beyond
 *       SO_LOGIT_MAX_COLUMNS. err.path says "row N" / "column N" / "l2".
 * Allocation failure returns SO_ERR_TOO_LARGE with "out of memory";
 * should_stop (may be NULL), asked once per pass over the rows, returning
 * true stops the fit with SO_ERR_INTERRUPTED (the glue then lets
 * PostgreSQL raise the cancel: the core never longjmps).
 */
#ifndef SO_LOGISTIC_H
#define SO_LOGISTIC_H

#include <stdbool.h>
#include <stddef.h>

#include "so_error.h"

#define SO_LOGIT_MAX_COLUMNS 1024
#define SO_LOGIT_MAX_WEIGHT_SPREAD 1e12
#define SO_LOGIT_DEFAULT_TOL 1e-10
#define SO_LOGIT_DEFAULT_MAX_ITER 100

typedef enum so_fit_status
{
	SO_FIT_CONVERGED = 0,
	SO_FIT_ITERATION_CAP,
	SO_FIT_SEPARABLE
} so_fit_status;

typedef struct so_logit_model
{
	size_t		p;				/* feature columns */
	double	   *mean;			/* [p] mean on the fit rows */
	double	   *scale;			/* [p] population sd on the fit rows (1 when constant) */
	unsigned char *constant;	/* [p] 1 when the column is constant on the fit rows */
	double		intercept_std;	/* intercept on the standardised scale */
	double	   *coef_std;		/* [p] standardised coefficients */
	double		intercept;		/* intercept on the original scale */
	double	   *coef;			/* [p] coefficients on the original scale */
	size_t		rows;			/* fit rows */
	int			iterations;		/* Newton steps taken */
	so_fit_status status;
	double		objective;		/* penalised objective at the end */
} so_logit_model;

/* Fit; on success *out owns its arrays (so_logit_free). On failure *out is
 * left zeroed. w may be NULL (every weight 1). */
int			so_logit_fit(const double *x, size_t p, const double *y, const double *w,
						 const size_t *rows, size_t nrows, double l2, int max_iter, double tol,
						 bool (*should_stop) (void), so_logit_model *out, so_error *err);

void		so_logit_free(so_logit_model *m);

/* P(y = 1 | xrow) for one row of p original-scale values. */
double		so_logit_predict(const so_logit_model *m, const double *xrow);

/* 1 / (1 + exp(-eta)) without overflow for any finite eta. */
double		so_sigmoid(double eta);

/* A short name of a status: "converged", "iteration cap", "separable". */
const char *so_fit_status_name(so_fit_status status);

#endif							/* SO_LOGISTIC_H */
