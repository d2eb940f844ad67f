/*
 * test_proportions.c: the Wilson interval, Newcombe's hybrid score interval
 * against the eight examples of Newcombe (1998, Table II, method 10), and
 * the pooled two-proportion z test against R's prop.test(correct = FALSE).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "proportions.h"
#include "tap.h"

/* rounded to 4 places as the paper prints them */
static double
r4(double x)
{
	return round(x * 10000.0) / 10000.0;
}

int
main(void)
{
	/* Wilson */
	{
		double		lo = -1,
					hi = -1;

		ok(so_wilson_interval(5, 10, &lo, &hi) && fabs(lo - 0.2365931) < 1e-6 && fabs(hi - 0.7634069) < 1e-6,
		   "Wilson 5 of 10: [0.2366, 0.7634]");
		ok(so_wilson_interval(0, 10, &lo, &hi) && lo == 0 && fabs(hi - 0.2775328) < 1e-6,
		   "Wilson 0 of 10: [0, 0.2775]");
		lo = hi = -1;
		ok(!so_wilson_interval(0, 0, &lo, &hi) && lo == -1 && hi == -1, "no trials: no interval");
		ok(!so_wilson_interval(11, 10, &lo, &hi), "more successes than trials: no interval");
		ok(!so_wilson_interval(-1, 10, &lo, &hi), "negative successes: no interval");
	}

	/* Newcombe 1998, Table II, method 10 */
	{
		static const struct
		{
			int64_t		x1,
						n1,
						x2,
						n2;
			double		low,
						high;
		}			ex[] = {
			{56, 70, 48, 80, 0.0524, 0.3339},
			{9, 10, 3, 10, 0.1705, 0.8090},
			{6, 7, 2, 7, 0.0582, 0.8062},
			{5, 56, 0, 29, -0.0381, 0.1926},
			{0, 10, 0, 20, -0.1611, 0.2775},
			{0, 10, 0, 10, -0.2775, 0.2775},
			{10, 10, 0, 20, 0.6791, 1.0000},
			{10, 10, 0, 10, 0.6075, 1.0000},
		};

		for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++)
		{
			double		lo = 9,
						hi = 9;

			bool		got = so_newcombe_interval(ex[i].x1, ex[i].n1, ex[i].x2, ex[i].n2, &lo, &hi);

			ok(got && r4(lo) == ex[i].low && r4(hi) == ex[i].high,
			   "Newcombe %lld/%lld - %lld/%lld: [%.4f, %.4f] (paper [%.4f, %.4f])",
			   (long long) ex[i].x1, (long long) ex[i].n1, (long long) ex[i].x2, (long long) ex[i].n2,
			   lo, hi, ex[i].low, ex[i].high);
		}
	}
	{
		double		lo = 9,
					hi = 9,
					lo2,
					hi2;

		ok(!so_newcombe_interval(1, 0, 1, 10, &lo, &hi) && lo == 9 && hi == 9, "no treated: no interval");
		ok(!so_newcombe_interval(1, 10, 11, 10, &lo, &hi), "control successes above its size: no interval");
		ok(so_newcombe_interval(3, 40, 7, 50, &lo, &hi) && so_newcombe_interval(7, 50, 3, 40, &lo2, &hi2)
		   && fabs(lo + hi2) < 1e-15 && fabs(hi + lo2) < 1e-15, "swapping the groups mirrors the interval");
		ok(so_newcombe_interval(2000, 21307, 1220, 21306, &lo, &hi) && lo < 2000.0 / 21307 - 1220.0 / 21306
		   && hi > 2000.0 / 21307 - 1220.0 / 21306, "the difference lies inside its interval");
	}

	/* pooled z test against R 4.2: prop.test(c(x1, x2), c(n1, n2), correct = FALSE)$p.value */
	{
		double		p = -1;
		bool		got;

		got = so_two_proportion_p_value(56, 70, 48, 80, &p);
		ok(got && fabs(p - 0.0080450813681965643) < 1e-15,
		   "56/70 against 48/80: p = %.17g (R 0.0080450813681965643)", p);
		got = so_two_proportion_p_value(5, 56, 0, 29, &p);
		ok(got && fabs(p - 0.097186568170579746) < 1e-15,
		   "5/56 against 0/29: p = %.17g (R 0.097186568170579746)", p);
		ok(so_two_proportion_p_value(10, 100, 10, 100, &p) && p == 1.0, "equal rates: p = 1");
		p = -1;
		ok(!so_two_proportion_p_value(0, 10, 0, 20, &p) && p == -1, "no successes anywhere: no test");
		ok(!so_two_proportion_p_value(10, 10, 20, 20, &p) && p == -1, "all successes: no test");
		ok(!so_two_proportion_p_value(1, 0, 1, 10, &p), "no treated: no test");
	}
	return done_testing();
}
