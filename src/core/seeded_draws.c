/*
 * seeded_draws.c: splitmix64 streams and the draws the bandit takes from
 * them (uniform, normal, gamma, Beta).
 *
 * Only IEEE arithmetic, sqrt (correctly rounded everywhere) and the
 * portable log and exp of portable_math.c, so a stream gives the same
 * numbers on every platform. Failure modes: none at run time; a shape of 0
 * or less is the caller's bug and gives NaN rather than a loop.
 */
#include <math.h>

#include "portable_math.h"
#include "seeded_draws.h"

#define GOLDEN 0x9e3779b97f4a7c15ULL

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
so_rng_init(so_rng *r, int64_t seed, int64_t stream)
{
	r->state = mix(mix((uint64_t) seed + GOLDEN) ^ ((uint64_t) stream * GOLDEN + 1));
}

uint64_t
so_rng_next(so_rng *r)
{
	r->state += GOLDEN;
	return mix(r->state);
}

double
so_rng_uniform(so_rng *r)
{
	return (double) (so_rng_next(r) >> 11) * 0x1.0p-53;
}

int
so_rng_below(so_rng *r, int n)
{
	int			i = (int) (so_rng_uniform(r) * n);

	return i < n ? i : n - 1;
}

double
so_rng_normal(so_rng *r)
{
	for (;;)
	{
		double		u = 2.0 * so_rng_uniform(r) - 1.0;
		double		v = 2.0 * so_rng_uniform(r) - 1.0;
		double		s = u * u + v * v;

		if (s > 0.0 && s < 1.0)
			return u * sqrt(-2.0 * so_log(s) / s);
	}
}

double
so_rng_gamma(so_rng *r, double shape)
{
	double		d,
				c;

	if (!(shape > 0.0) || isinf(shape))
		return NAN;
	if (shape < 1.0)
	{
		/* Gamma(a) = Gamma(a + 1) * U**(1/a) */
		double		g = so_rng_gamma(r, shape + 1.0);
		double		u = so_rng_uniform(r);

		return u > 0.0 ? g * so_exp(so_log(u) / shape) : 0.0;
	}
	d = shape - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;)
	{
		double		x = so_rng_normal(r);
		double		v = 1.0 + c * x;
		double		u;

		if (v <= 0.0)
			continue;
		v = v * v * v;
		u = so_rng_uniform(r);
		if (u < 1.0 - 0.0331 * (x * x) * (x * x))
			return d * v;
		if (u > 0.0 && so_log(u) < 0.5 * x * x + d * (1.0 - v + so_log(v)))
			return d * v;
	}
}

double
so_rng_beta(so_rng *r, double a, double b)
{
	double		x = so_rng_gamma(r, a);
	double		y = so_rng_gamma(r, b);

	if (x + y == 0.0)
		return a / (a + b);		/* both underflowed (tiny shapes): the mean */
	return x / (x + y);
}
