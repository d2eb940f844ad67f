/*
 * beta_posterior.c: P(B > A) in closed form and P(best) of k arms.
 *
 * The closed form is summed in logs with the portable log-gamma, so a term
 * never overflows however many contacts an arm had, and the design's
 * reference values come out to the last digit on every platform. Its cost
 * is one term per unit of the alpha it sums over: a whole alpha above
 * SO_BETA_MAX_TERMS is refused rather than summed for seconds. Failure
 * modes: bad parameters are reported by name, nothing is computed.
 */
#include <math.h>
#include <stddef.h>

#include "beta_posterior.h"
#include "portable_math.h"
#include "seeded_draws.h"

const char *
so_beta_problem_parameter(so_beta_problem p)
{
	switch (p)
	{
		case SO_BETA_BAD_ALPHA_A:
			return "alpha_a";
		case SO_BETA_BAD_BETA_A:
			return "beta_a";
		case SO_BETA_BAD_ALPHA_B:
			return "alpha_b";
		case SO_BETA_BAD_BETA_B:
			return "beta_b";
		default:
			return NULL;
	}
}

static bool
positive_finite(double x)
{
	return x > 0.0 && isfinite(x);
}

static bool
summable(double alpha)
{
	return alpha == floor(alpha) && alpha <= SO_BETA_MAX_TERMS;
}

/* Evan Miller's sum: P(Y > X), X ~ Beta(ax, bx), Y ~ Beta(ay, by), ay whole. */
static double
miller_sum(double ax, double bx, double ay, double by)
{
	double		total = 0.0;
	double		lb_x = so_log_beta(ax, bx);

	for (double i = 0.0; i < ay; i += 1.0)
		total += so_exp(so_log_beta(ax + i, bx + by) - so_log(by + i)
						- so_log_beta(1.0 + i, by) - lb_x);
	return total;
}

so_beta_problem
so_prob_b_beats_a(double alpha_a, double beta_a, double alpha_b, double beta_b,
				  double *out)
{
	double		p;

	if (!positive_finite(alpha_a))
		return SO_BETA_BAD_ALPHA_A;
	if (!positive_finite(beta_a))
		return SO_BETA_BAD_BETA_A;
	if (!positive_finite(alpha_b))
		return SO_BETA_BAD_ALPHA_B;
	if (!positive_finite(beta_b))
		return SO_BETA_BAD_BETA_B;
	if (summable(alpha_b))
		p = miller_sum(alpha_a, beta_a, alpha_b, beta_b);
	else if (summable(alpha_a))
		p = 1.0 - miller_sum(alpha_b, beta_b, alpha_a, beta_a);
	else if (alpha_a != floor(alpha_a) && alpha_b != floor(alpha_b))
		return SO_BETA_NOT_WHOLE;
	else
		return SO_BETA_TOO_LARGE;
	/* rounding may step a hair outside [0, 1] */
	*out = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
	return SO_BETA_OK;
}

void
so_prob_best(int k, const double *alpha, const double *beta,
			 int64_t seed, int64_t stream, int draws, double *out)
{
	int			wins[SO_MAX_ARMS] = {0};
	so_rng		rng;

	if (k == 1)
	{
		out[0] = 1.0;
		return;
	}
	if (k == 2)
	{
		double		p;

		if (so_prob_b_beats_a(alpha[0], beta[0], alpha[1], beta[1], &p) == SO_BETA_OK)
		{
			out[0] = 1.0 - p;
			out[1] = p;
			return;
		}
	}
	so_rng_init(&rng, seed, stream);
	for (int d = 0; d < draws; d++)
	{
		int			best = 0;
		double		top = -1.0;

		for (int i = 0; i < k; i++)
		{
			double		x = so_rng_beta(&rng, alpha[i], beta[i]);

			if (x > top)
			{
				top = x;
				best = i;
			}
		}
		wins[best]++;
	}
	for (int i = 0; i < k; i++)
		out[i] = (double) wins[i] / (double) draws;
}
