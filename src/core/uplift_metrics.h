/*
 * uplift_metrics.h: how well scores rank rows, for the model registry
 * (learning.md, "Validation and the registry"; docs/learning.md).
 *
 * Every function reads n rows given as three parallel arrays: the score
 * (higher = ranked first), the arm (treated 1 / control 0) and the label
 * (0/1; for both, any nonzero byte counts as 1). Nothing is weighted:
 * validation rows count once each. The formulas are scikit-uplift's
 * (sklift.metrics 0.5), so an independent Python implementation of them
 * (test/python/sklift_reference.py) gives the same numbers to rounding:
 *
 *   rows are sorted by score, descending; cutoffs are taken only after the
 *   last row of each run of equal scores (ties enter together);
 *   Qini curve at cutoff k: Y_t(k) - Y_c(k) * N_t(k) / N_c(k) (0 when
 *   N_c(k) = 0), starting at (0, 0);
 *   uplift curve at cutoff k: (Y_t(k)/N_t(k) - Y_c(k)/N_c(k)) * k, each
 *   ratio 0 when its count is 0, starting at (0, 0);
 *   areas by the trapezoidal rule; the random line joins (0, 0) to the
 *   last point of the perfect curve;
 *   qini = (area(model) - area(random)) / (area(perfect) - area(random))
 *   with the perfect Qini curve that of the scores y*t - y*(1-t)
 *   (sklift's negative_effect=True); auuc likewise with the perfect uplift
 *   curve of the scores 2*(y == t) + (y if control responders outnumber
 *   treated non-responders, else t);
 *   uplift at k (0 < k < 1): among the first ceil(n*k) rows in score order
 *   (n*k a double product, as Python's math.ceil(n * k)), the order of
 *   numpy's argsort(score, kind="stable")[::-1], so descending with ties
 *   in reverse of their input order, mean label of treated minus mean
 *   label of control (sklift's uplift_at_k, strategy "overall", except
 *   that sklift 0.5 takes int(n*k) rows, not ceil); NaN when either arm
 *   is absent there.
 *
 * Failure modes: n == 0, an arm or a label value missing from the rows
 * (sklift refuses such rows), or a normalising area (perfect - random)
 * that is 0 or not finite: the functions return false and write nothing
 * rather than a NaN. Scores must be finite (callers check).
 * Allocation failure returns false.
 */
#ifndef SO_UPLIFT_METRICS_H
#define SO_UPLIFT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct so_uplift_metrics
{
	double		qini;			/* normalised Qini coefficient (sklift qini_auc_score) */
	double		qini_area;		/* area between the Qini curve and the random line */
	double		auuc;			/* normalised area under the uplift curve (sklift uplift_auc_score) */
	double		auuc_area;		/* area between the uplift curve and the random line */
	double		uplift_at_10;	/* uplift among the first 10% (NaN: an arm absent there) */
	double		uplift_at_30;	/* uplift among the first 30% */
	double		uplift_average; /* mean label treated - mean label control, all rows */
	int64_t		treated;		/* rows per arm */
	int64_t		control;
} so_uplift_metrics;

/* The uplift figures above of scores over rows; false when undefined (see above). */
bool		so_uplift_metrics_compute(const double *score, const unsigned char *treated,
									  const unsigned char *label, size_t n,
									  so_uplift_metrics *out);

/*
 * The Qini curve at the deciles of the rows: values[i], i = 0..10, is the
 * curve at share i/10, linearly interpolated at x = i * n / 10 rows
 * between its points (x = rows at each cutoff above, from (0, 0)), as
 * numpy.interp. Defined with one arm missing too (the ratio is then 0).
 * False when n == 0 or on allocation failure.
 */
bool		so_qini_deciles(const double *score, const unsigned char *treated,
							const unsigned char *label, size_t n, double values[11]);

/*
 * The area under the ROC curve of score for label (ties count one half:
 * the Mann-Whitney statistic). False when either label value is absent.
 */
bool		so_auc(const double *score, const unsigned char *label, size_t n, double *auc);

/*
 * How large a normalised Qini coefficient a ranking that knows nothing
 * reaches on these rows: the 95th percentile of the qini of `draws`
 * random orders of the rows (distinct positions, no ties), drawn from the
 * stream (seed, stream) of seeded_draws.h. The orders are successive
 * Fisher-Yates shuffles (one so_rng_uniform draw per swap) of the rows;
 * the percentile is the nearest rank: the draws sorted ascending, the
 * value at 0-based index ceil(95 * draws / 100) - 1 (draws = 100: the
 * 95th smallest). The activation rule asks a new model to beat zero (or
 * the active model) by more than this. False when qini is undefined on
 * the rows, draws < 1, or allocation fails. O(draws * n).
 */
bool		so_qini_noise(const unsigned char *treated, const unsigned char *label, size_t n,
						  int draws, int64_t seed, int64_t stream, double *noise95);

/* The same for the AUC of one-model kinds (response, churn): the 95th
 * percentile of |AUC - 0.5| of random orders. False when either label
 * value is absent, draws < 1, or allocation fails. */
bool		so_auc_noise(const unsigned char *label, size_t n,
						 int draws, int64_t seed, int64_t stream, double *noise95);

#endif							/* SO_UPLIFT_METRICS_H */
