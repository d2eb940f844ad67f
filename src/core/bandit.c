/*
 * bandit.c: epsilon-greedy and Thompson choices of an arm, and the
 * greedy arm of a step's statistics.
 *
 * Pure functions of their inputs and the stream they are handed: the
 * PostgreSQL glue seeds the stream from stormops.random_seed and the
 * contact id, so a claim is reproducible. Failure modes: the callers check
 * k (2..SO_MAX_ARMS) and the counts (0 <= rewards <= contacts); here a
 * count out of range is clamped rather than trusted.
 */
#include <string.h>

#include "bandit.h"

bool
so_arm_method_from_name(const char *name, so_arm_method *out)
{
	static const char *const names[] = {"uniform", "epsilon_greedy", "thompson"};

	for (int i = 0; i < 3; i++)
	{
		if (name != NULL && strcmp(name, names[i]) == 0)
		{
			*out = (so_arm_method) i;
			return true;
		}
	}
	return false;
}

int
so_greedy_arm(int k, const int64_t *contacts, const int64_t *rewards)
{
	int			best = -1;
	double		best_mean = -1.0;

	for (int i = 0; i < k; i++)
	{
		double		mean;

		if (contacts[i] < 1)
			return -1;
		mean = (double) rewards[i] / (double) contacts[i];
		if (mean > best_mean)
		{
			best_mean = mean;
			best = i;
		}
	}
	return best;
}

double
so_epsilon_greedy_propensity(int k, int greedy, double eps, int arm)
{
	if (greedy < 0)
		return 1.0 / k;
	return arm == greedy ? 1.0 - eps + eps / k : eps / k;
}

int
so_choose_epsilon_greedy(int k, int greedy, double eps, so_rng *r, double *propensity)
{
	double		explore = so_rng_uniform(r);
	int			any = so_rng_below(r, k);
	int			arm = (greedy < 0 || explore < eps) ? any : greedy;

	*propensity = so_epsilon_greedy_propensity(k, greedy, eps, arm);
	return arm;
}

static void
posteriors(int k, const int64_t *contacts, const int64_t *rewards,
		   double *alpha, double *beta)
{
	for (int i = 0; i < k; i++)
	{
		int64_t		n = contacts[i] > 0 ? contacts[i] : 0;
		int64_t		s = rewards[i] < 0 ? 0 : rewards[i] > n ? n : rewards[i];

		alpha[i] = 1.0 + (double) s;
		beta[i] = 1.0 + (double) (n - s);
	}
}

int
so_choose_thompson(int k, const int64_t *contacts, const int64_t *rewards, so_rng *r)
{
	double		alpha[SO_MAX_ARMS],
				beta[SO_MAX_ARMS];
	int			best = 0;
	double		top = -1.0;

	posteriors(k, contacts, rewards, alpha, beta);
	for (int i = 0; i < k; i++)
	{
		double		x = so_rng_beta(r, alpha[i], beta[i]);

		if (x > top)
		{
			top = x;
			best = i;
		}
	}
	return best;
}

void
so_arm_prob_best(int k, const int64_t *contacts, const int64_t *rewards,
				 int64_t seed, int64_t stream, double *out)
{
	double		alpha[SO_MAX_ARMS],
				beta[SO_MAX_ARMS];

	posteriors(k, contacts, rewards, alpha, beta);
	so_prob_best(k, alpha, beta, seed, stream, SO_PROB_BEST_DRAWS, out);
}
