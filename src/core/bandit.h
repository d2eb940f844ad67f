/*
 * bandit.h: choosing a step's arm (message variant) for one contact
 * (bandit.c); adaptive.md.
 *
 * Three methods. uniform: every arm alike (an A/B/n test when the draw is
 * sticky, the first contacts of epsilon-greedy). epsilon_greedy: with
 * probability eps any arm uniformly, else the greedy arm, the one with the
 * highest mean reward in the statistics of the latest recomputation (ties
 * to the earlier arm); uniform until every arm has a sent contact.
 * thompson: one draw from each arm's Beta(1 + rewards, 1 + failures),
 * the largest wins. The caller passes the draws' stream (seeded_draws.h)
 * and stores the arm with its propensity, the probability that the method
 * gave that arm at that moment.
 */
#ifndef SO_BANDIT_H
#define SO_BANDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "beta_posterior.h"
#include "seeded_draws.h"

typedef enum so_arm_method
{
	SO_ARMS_UNIFORM = 0,
	SO_ARMS_EPSILON_GREEDY,
	SO_ARMS_THOMPSON
} so_arm_method;

/* "uniform", "epsilon_greedy", "thompson"; false when unknown. */
bool		so_arm_method_from_name(const char *name, so_arm_method *out);

/*
 * The greedy arm (0-based) of k arms with these sent contacts and rewards:
 * the highest rewards / contacts, ties to the earlier arm; -1 while an arm
 * has no sent contact (the choice is then uniform).
 */
int			so_greedy_arm(int k, const int64_t *contacts, const int64_t *rewards);

/*
 * One epsilon-greedy choice (0-based). greedy < 0 means uniform. Takes two
 * uniform draws whatever happens, so a stream's later draws do not depend
 * on the branch. *propensity: 1 - eps + eps/k for the greedy arm, eps/k
 * for another, 1/k when uniform.
 */
int			so_choose_epsilon_greedy(int k, int greedy, double eps, so_rng *r,
									 double *propensity);

/* The propensity epsilon-greedy gives arm `arm` (the formula above). */
double		so_epsilon_greedy_propensity(int k, int greedy, double eps, int arm);

/*
 * One Thompson choice (0-based): the arm whose Beta(1 + rewards[i],
 * 1 + contacts[i] - rewards[i]) draw is largest, ties to the earlier arm.
 * Its propensity is P(best) of the same posteriors (so_arm_propensities).
 */
int			so_choose_thompson(int k, const int64_t *contacts, const int64_t *rewards,
							   so_rng *r);

/*
 * P(best) under the Beta(1 + rewards, 1 + failures) posteriors of k arms:
 * the Thompson propensities and what variant_stats reports. Exact for two
 * arms, SO_PROB_BEST_DRAWS draws of the (seed, stream) stream otherwise.
 */
void		so_arm_prob_best(int k, const int64_t *contacts, const int64_t *rewards,
							 int64_t seed, int64_t stream, double *out);

#endif							/* SO_BANDIT_H */
