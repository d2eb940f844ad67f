/*
 * test_bandit.c: seeded draws, Beta posteriors (prob_b_beats_a, P(best))
 * and the arm choices (bandit.h), against the design's reference
 * values and against simulation.
 */
#include <math.h>
#include <stdint.h>

#include "bandit.h"
#include "beta_posterior.h"
#include "seeded_draws.h"
#include "tap.h"

static double
pb(double aa, double ba, double ab, double bb)
{
	double		p = -1;

	if (so_prob_b_beats_a(aa, ba, ab, bb, &p) != SO_BETA_OK)
		return -1;
	return p;
}

/* P(B > A) by seeded draws, to check the closed form against. */
static double
pb_simulated(double aa, double ba, double ab, double bb, int n)
{
	so_rng		r;
	int			wins = 0;

	so_rng_init(&r, 7, 1);
	for (int i = 0; i < n; i++)
		wins += so_rng_beta(&r, ab, bb) > so_rng_beta(&r, aa, ba);
	return (double) wins / n;
}

static void
refused(double aa, double ba, double ab, double bb, so_beta_problem want, const char *param)
{
	double		out = 42;
	so_beta_problem p = so_prob_b_beats_a(aa, ba, ab, bb, &out);

	is_int(p, want, "prob_b_beats_a(%g, %g, %g, %g) is refused", aa, ba, ab, bb);
	is_str(so_beta_problem_parameter(p), param, "... naming %s", param ? param : "no parameter");
	ok(out == 42, "... and writes nothing");
}

int
main(void)
{
	so_rng		r,
				r2;

	/* the design's reference values, to the last printed digit */
	ok(pb(1, 2, 3, 4) == 0.6428571428571429, "prob_b_beats_a(1, 2, 3, 4) = 0.6428571428571429");
	ok(pb(55, 50, 30, 30) == 0.38386463776317903, "prob_b_beats_a(55, 50, 30, 30) = 0.38386463776317903");
	ok(pb(50, 50, 35, 30) == 0.6867997222295887, "prob_b_beats_a(50, 50, 35, 30) = 0.6867997222295887");
	ok(pb(1, 1, 1, 1) == 0.5, "two flat posteriors: 1/2");

	refused(0, 1, 1, 1, SO_BETA_BAD_ALPHA_A, "alpha_a");
	refused(1, -2, 1, 1, SO_BETA_BAD_BETA_A, "beta_a");
	refused(1, 1, NAN, 1, SO_BETA_BAD_ALPHA_B, "alpha_b");
	refused(1, 1, 1, INFINITY, SO_BETA_BAD_BETA_B, "beta_b");
	refused(1, 1, 1, -INFINITY, SO_BETA_BAD_BETA_B, "beta_b");
	refused(1.5, 1, 2.5, 1, SO_BETA_NOT_WHOLE, NULL);
	refused(2e7, 1, 3e7, 1, SO_BETA_TOO_LARGE, NULL);

	/* the two orders add up to 1; a fractional alpha_b uses the other sum */
	{
		double		worst = 0;

		for (int a = 1; a < 60; a += 7)
			for (int b = 1; b < 60; b += 11)
				worst = fmax(worst, fabs(pb(a, b, b + 3, a + 1) + pb(b + 3, a + 1, a, b) - 1.0));
		ok(worst < 1e-12, "P(B > A) + P(A > B) = 1 (worst %g)", worst);
	}
	ok(fabs(pb(3, 4.5, 2.5, 4) - pb_simulated(3, 4.5, 2.5, 4, 200000)) < 0.005,
	   "a fractional alpha_b sums over alpha_a: %.4f, simulated %.4f",
	   pb(3, 4.5, 2.5, 4), pb_simulated(3, 4.5, 2.5, 4, 200000));
	ok(fabs(pb(55, 50, 30, 30) - pb_simulated(55, 50, 30, 30, 200000)) < 0.005,
	   "the closed form agrees with 200,000 draws");
	ok(pb(5001, 95001, 10001, 90001) > 0.999999, "large counts: 10%% beats 5%% after 100,000 contacts each");

	/* draws: moments of Beta and Gamma */
	{
		double		sum = 0,
					sq = 0,
					g = 0;
		int			n = 200000;

		so_rng_init(&r, 1, 2);
		for (int i = 0; i < n; i++)
		{
			double		x = so_rng_beta(&r, 3, 7);

			sum += x;
			sq += x * x;
			g += so_rng_gamma(&r, 0.5);
		}
		ok(fabs(sum / n - 0.3) < 0.002, "Beta(3, 7) draws average 0.3 (%.4f)", sum / n);
		ok(fabs(sq / n - (sum / n) * (sum / n) - 21.0 / 1100.0) < 0.001,
		   "Beta(3, 7) draws vary by 21/1100");
		ok(fabs(g / n - 0.5) < 0.01, "Gamma(0.5) draws average 0.5 (%.4f)", g / n);
		ok(isnan(so_rng_gamma(&r, 0)), "Gamma(0) is NaN, not a loop");
	}
	so_rng_init(&r, 42, 1001);
	so_rng_init(&r2, 42, 1001);
	ok(so_rng_next(&r) == so_rng_next(&r2) && so_rng_uniform(&r) == so_rng_uniform(&r2),
	   "one (seed, stream): the same draws");
	so_rng_init(&r2, 43, 1001);
	ok(so_rng_next(&r) != so_rng_next(&r2), "another seed: other draws");

	/* P(best) */
	{
		double		a[3] = {31, 56, 9},
					b[3] = {31, 51, 12},
					out[3],
					again[3];

		so_prob_best(2, a, b, 0, 0, SO_PROB_BEST_DRAWS, out);
		ok(out[1] == pb(31, 31, 56, 51) && out[0] == 1.0 - out[1],
		   "two arms: P(best) is prob_b_beats_a exactly");
		so_prob_best(3, a, b, 5, 9, SO_PROB_BEST_DRAWS, out);
		ok(fabs(out[0] + out[1] + out[2] - 1.0) < 1e-12, "three arms: P(best) sums to 1");
		so_prob_best(3, a, b, 5, 9, SO_PROB_BEST_DRAWS, again);
		ok(out[0] == again[0] && out[1] == again[1] && out[2] == again[2], "same seed, same P(best)");
		ok(out[1] > out[0] && out[0] > out[2], "three arms: ordered by their posteriors");
	}
	{
		double		a[3] = {11, 11, 11},
					b[3] = {91, 91, 91},
					out[3];

		so_prob_best(3, a, b, 1, 1, SO_PROB_BEST_DRAWS, out);
		ok(fabs(out[0] - 1.0 / 3) < 0.02 && fabs(out[1] - 1.0 / 3) < 0.02 && fabs(out[2] - 1.0 / 3) < 0.02,
		   "three equal arms: a third each (%.3f %.3f %.3f)", out[0], out[1], out[2]);
	}

	/* the greedy arm */
	{
		int64_t		c[3] = {10, 20, 30},
					w[3] = {2, 4, 3},
					none[3] = {10, 0, 30};

		is_int(so_greedy_arm(3, c, w), 0, "greedy: a tie of means goes to the earlier arm");
		w[1] = 5;
		is_int(so_greedy_arm(3, c, w), 1, "greedy: the highest mean");
		is_int(so_greedy_arm(3, none, w), -1, "greedy: none while an arm has no sent contact");
	}

	/* epsilon-greedy */
	for (int k = 2; k <= SO_MAX_ARMS; k += 4)
	{
		double		sum = 0;

		for (int arm = 0; arm < k; arm++)
			sum += so_epsilon_greedy_propensity(k, 1, 0.1, arm);
		ok(fabs(sum - 1.0) < 1e-12, "%d arms: epsilon-greedy propensities sum to 1", k);
	}
	{
		int			k = 3,
					greedy_count = 0,
					uniform[3] = {0},
					n = 10000;
		double		eps = 0.1,
					want = 1 - eps + eps / k,
					prop;
		bool		props_ok = true;

		for (int i = 0; i < n; i++)
		{
			so_rng_init(&r, 2019, i);
			int			arm = so_choose_epsilon_greedy(k, 2, eps, &r, &prop);

			greedy_count += (arm == 2);
			props_ok &= prop == so_epsilon_greedy_propensity(k, 2, eps, arm);
			so_rng_init(&r, 2019, i);
			uniform[so_choose_epsilon_greedy(k, -1, eps, &r, &prop)]++;
			props_ok &= prop == 1.0 / k;
		}
		ok(fabs((double) greedy_count / n - want) < 0.02,
		   "10,000 seeded choices: the greedy arm's share %.4f is within 2 points of %.4f",
		   (double) greedy_count / n, want);
		ok(props_ok, "each choice reports the propensity of its arm");
		ok(fabs(uniform[0] / (double) n - 1.0 / 3) < 0.02 && fabs(uniform[2] / (double) n - 1.0 / 3) < 0.02,
		   "without a greedy arm: uniform");
	}
	{
		double		p1,
					p2;
		bool		same = true;

		for (int i = 0; i < 1000; i++)
		{
			so_rng_init(&r, 77, i);
			so_rng_init(&r2, 77, i);
			same &= so_choose_epsilon_greedy(4, 1, 0.3, &r, &p1) == so_choose_epsilon_greedy(4, 1, 0.3, &r2, &p2);
		}
		ok(same, "the same seed and contact: the same choice");
	}

	/* Thompson: each arm is chosen as often as it is the best */
	{
		int64_t		c[3] = {40, 40, 40},
					w[3] = {4, 6, 8};
		int			count[3] = {0},
					n = 20000;
		double		pbest[3];

		for (int i = 0; i < n; i++)
		{
			so_rng_init(&r, 3, i);
			count[so_choose_thompson(3, c, w, &r)]++;
		}
		so_arm_prob_best(3, c, w, 3, -1, pbest);
		ok(fabs(count[0] / (double) n - pbest[0]) < 0.015 && fabs(count[1] / (double) n - pbest[1]) < 0.015
		   && fabs(count[2] / (double) n - pbest[2]) < 0.015,
		   "Thompson's shares %.3f %.3f %.3f match P(best) %.3f %.3f %.3f",
		   count[0] / (double) n, count[1] / (double) n, count[2] / (double) n, pbest[0], pbest[1], pbest[2]);
	}
	{
		so_arm_method m;

		ok(so_arm_method_from_name("thompson", &m) && m == SO_ARMS_THOMPSON, "method names");
		ok(!so_arm_method_from_name("softmax", &m), "an unknown method is refused");
	}
	return done_testing();
}
