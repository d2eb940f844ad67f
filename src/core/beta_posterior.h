/*
 * beta_posterior.h: what the bandit says about arms with Beta posteriors
 * (beta_posterior.c): the chance one beats another, the chance each is the
 * best (the Wilson interval of a rate is in proportions.h).
 *
 * An arm with r rewards in n contacts has the posterior Beta(1 + r,
 * 1 + n - r) (a uniform prior). adaptive.md: prob_b_beats_a is Evan
 * Miller's closed form, exact in double precision; P(best) is exact for two
 * arms and estimated by seeded draws for more.
 */
#ifndef SO_BETA_POSTERIOR_H
#define SO_BETA_POSTERIOR_H

#include <stdbool.h>
#include <stdint.h>

/* The most arms a step may have. */
#define SO_MAX_ARMS 10

/* Draws behind an estimated P(best) (the design asks for at least 10,000). */
#define SO_PROB_BEST_DRAWS 20000

/* The largest whole parameter the closed form sums over (its terms). */
#define SO_BETA_MAX_TERMS 10000000.0

typedef enum so_beta_problem
{
	SO_BETA_OK = 0,
	SO_BETA_BAD_ALPHA_A,		/* <= 0, NaN or infinite */
	SO_BETA_BAD_BETA_A,
	SO_BETA_BAD_ALPHA_B,
	SO_BETA_BAD_BETA_B,
	SO_BETA_NOT_WHOLE,			/* neither alpha is a whole number */
	SO_BETA_TOO_LARGE			/* the whole alphas are above SO_BETA_MAX_TERMS */
} so_beta_problem;

/* The parameter a problem names ("alpha_a", ...), or NULL. */
const char *so_beta_problem_parameter(so_beta_problem p);

/*
 * P(B > A) for A ~ Beta(alpha_a, beta_a), B ~ Beta(alpha_b, beta_b):
 * sum over i < alpha_b of B(alpha_a + i, beta_a + beta_b) /
 * ((beta_b + i) B(1 + i, beta_b) B(alpha_a, beta_a)), in logs. alpha_b must
 * be whole; when only alpha_a is, 1 - P(A > B) by the same sum. On a
 * problem *out is left alone.
 */
so_beta_problem so_prob_b_beats_a(double alpha_a, double beta_a,
								  double alpha_b, double beta_b, double *out);

/*
 * P(arm i is the best) for k arms (1..SO_MAX_ARMS) with Beta(alpha[i],
 * beta[i]) posteriors, into out[0..k-1]: exact for k <= 2 (when the closed
 * form applies), else the share of `draws` seeded draws in which each arm
 * drew the largest value (ties to the earlier arm). Sums to 1.
 */
void		so_prob_best(int k, const double *alpha, const double *beta,
						 int64_t seed, int64_t stream, int draws, double *out);

#endif							/* SO_BETA_POSTERIOR_H */
