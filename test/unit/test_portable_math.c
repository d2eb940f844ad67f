/*
 * test_portable_math.c: the portable log, exp and log-gamma
 * (portable_math.h) against the C library, and values pinned to fdlibm's
 * bits (the ones the design's reference probabilities depend on).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "portable_math.h"
#include "tap.h"

/* Distance in units of the last place between two finite doubles of one sign. */
static int64_t
ulps(double a, double b)
{
	int64_t		ia,
				ib;

	memcpy(&ia, &a, sizeof a);
	memcpy(&ib, &b, sizeof b);
	return ia > ib ? ia - ib : ib - ia;
}

int
main(void)
{
	int64_t		worst;
	double		worst_x;

	/* log: special values, then a sweep over the whole range against libm */
	ok(so_log(1.0) == 0.0, "log(1) = 0");
	ok(isinf(so_log(0.0)) && so_log(0.0) < 0, "log(0) = -inf");
	ok(isnan(so_log(-1.0)), "log(-1) is NaN");
	ok(isinf(so_log(INFINITY)) && so_log(INFINITY) > 0, "log(inf) = inf");
	ok(isnan(so_log(NAN)), "log(NaN) is NaN");
	ok(so_log(4.9406564584124654e-324) == -744.44007192138122, "log of the smallest subnormal");
	worst = 0;
	worst_x = 0;
	for (double x = 1e-300; x < 1e300; x *= 1.0137)
	{
		int64_t		u = ulps(so_log(x), log(x));

		if (u > worst)
		{
			worst = u;
			worst_x = x;
		}
	}
	ok(worst <= 1, "log within 1 ulp of libm from 1e-300 to 1e300 (worst %lld at %g)",
	   (long long) worst, worst_x);

	/* exp */
	ok(so_exp(0.0) == 1.0, "exp(0) = 1");
	ok(ulps(so_exp(1.0), 2.7182818284590451) <= 1, "exp(1) = e within fdlibm's 1 ulp");
	ok(isinf(so_exp(710.0)), "exp(710) overflows to inf");
	ok(so_exp(-746.0) == 0.0, "exp(-746) underflows to 0");
	ok(so_exp(-INFINITY) == 0.0 && isinf(so_exp(INFINITY)), "exp(-inf) = 0, exp(inf) = inf");
	ok(isnan(so_exp(NAN)), "exp(NaN) is NaN");
	ok(so_exp(-740.0) > 0.0 && so_exp(-740.0) < 1e-320, "exp(-740) is subnormal");
	worst = 0;
	worst_x = 0;
	for (double x = -708.0; x < 709.0; x += 0.0713)
	{
		int64_t		u = ulps(so_exp(x), exp(x));

		if (u > worst)
		{
			worst = u;
			worst_x = x;
		}
	}
	ok(worst <= 1, "exp within 1 ulp of libm from -708 to 709 (worst %lld at %g)",
	   (long long) worst, worst_x);

	/* lgamma: exact points, fdlibm's bits where libraries differ, a sweep */
	ok(so_lgamma(1.0) == 0.0 && so_lgamma(2.0) == 0.0, "lgamma(1) = lgamma(2) = 0");
	ok(so_lgamma(3.0) == 0.69314718055994529, "lgamma(3) = log 2");
	ok(so_lgamma(0.5) == 0.57236494292470008, "lgamma(1/2) = log sqrt(pi)");
	ok(so_lgamma(14.0) == 22.552163853123421, "lgamma(14): fdlibm's bits");
	ok(so_lgamma(48.0) == 136.80272263732635, "lgamma(48): fdlibm's bits (glibc's are one ulp above)");
	ok(so_lgamma(74.0) == 243.26884900298268, "lgamma(74): fdlibm's bits");
	ok(so_lgamma(1e17) == 3.814394658089878e+18, "lgamma beyond 2**56");
	ok(isinf(so_lgamma(0.0)) && isinf(so_lgamma(INFINITY)), "lgamma(0) = lgamma(inf) = inf");
	ok(isnan(so_lgamma(-1.5)) && isnan(so_lgamma(NAN)), "lgamma of a negative or NaN is NaN");
	ok(so_lgamma(1e-300) == -so_log(1e-300), "lgamma(tiny) = -log(tiny)");
	worst = 0;
	worst_x = 0;
	for (double x = 0.001; x < 1e6; x *= 1.00731)
	{
		double		want = lgamma(x);
		int64_t		u;

		/* near the zeros at 1 and 2 an absolute error is what counts */
		if (fabs(want) < 0.5)
			continue;
		u = ulps(so_lgamma(x), want);
		if (u > worst)
		{
			worst = u;
			worst_x = x;
		}
	}
	ok(worst <= 4, "lgamma within 4 ulps of libm from 0.001 to 1e6 (worst %lld at %g)",
	   (long long) worst, worst_x);
	{
		double		err = 0;

		for (double x = 0.5; x < 2.5; x += 0.000731)
			err = fmax(err, fabs(so_lgamma(x) - lgamma(x)));
		ok(err < 1e-15, "lgamma near its zeros within 1e-15 of libm (worst %g)", err);
	}
	ok(so_log_beta(2.0, 3.0) == so_log(1.0 / 12.0) || fabs(so_log_beta(2.0, 3.0) - log(1.0 / 12.0)) < 1e-15,
	   "log B(2, 3) = log 1/12");
	return done_testing();
}
