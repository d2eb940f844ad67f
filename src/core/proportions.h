/*
 * proportions.h: rates of successes in trials and the difference of two:
 * the Wilson score interval of one rate, Newcombe's hybrid score interval
 * of a difference (method 10 of Newcombe 1998), and the two-sided p-value
 * of the pooled two-proportion z test. retrospectives.md uses them for the
 * uplift of a treated group over its control; adaptive.md for an arm's mean.
 */
#ifndef SO_PROPORTIONS_H
#define SO_PROPORTIONS_H

#include <stdbool.h>
#include <stdint.h>

/* z of a two-sided 95% interval: the 0.975 quantile of the standard normal */
#define SO_Z95 1.959963984540054

/*
 * The 95% Wilson score interval of `successes` in `n` trials; false (and
 * nothing written) when n < 1 or successes is outside 0..n.
 */
bool		so_wilson_interval(int64_t successes, int64_t n, double *low, double *high);

/*
 * The 95% interval of p1 - p2 (p1 = x1/n1, p2 = x2/n2) from the two Wilson
 * intervals (l1, u1) and (l2, u2): p1 - p2 - sqrt((p1 - l1)^2 + (u2 - p2)^2)
 * to p1 - p2 + sqrt((u1 - p1)^2 + (p2 - l2)^2). False (nothing written)
 * when either count is invalid (n < 1, x outside 0..n).
 */
bool		so_newcombe_interval(int64_t x1, int64_t n1, int64_t x2, int64_t n2,
								 double *low, double *high);

/*
 * The two-sided p-value of the pooled two-proportion z test of p1 = p2:
 * z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with p = (x1 + x2) / (n1 +
 * n2), p-value = erfc(|z| / sqrt 2). False (nothing written) when a count is
 * invalid or the pooled rate is 0 or 1 (no variance: the test says nothing).
 */
bool		so_two_proportion_p_value(int64_t x1, int64_t n1, int64_t x2, int64_t n2,
									  double *p_value);

#endif							/* SO_PROPORTIONS_H */
