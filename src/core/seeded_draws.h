/*
 * seeded_draws.h: reproducible random draws for the bandit (seeded_draws.c).
 *
 * Every draw comes from a stream named by two integers, the setting
 * stormops.random_seed and what is being drawn for (a contact id, a
 * statistics snapshot), so the same seed gives the same choices on every
 * run and platform, and tests can fix it. The generator is splitmix64: 64
 * bits of state, full period, passes BigCrush, needs no tables; streams
 * are independent enough for choosing arms (they are not cryptographic).
 */
#ifndef SO_SEEDED_DRAWS_H
#define SO_SEEDED_DRAWS_H

#include <stdint.h>

typedef struct so_rng
{
	uint64_t	state;
} so_rng;

/* The stream of (seed, stream): its first draws are already well mixed. */
void		so_rng_init(so_rng *r, int64_t seed, int64_t stream);

uint64_t	so_rng_next(so_rng *r);

/* Uniform in [0, 1), 53 random bits. */
double		so_rng_uniform(so_rng *r);

/* Uniform over 0 .. n-1 (n >= 1), from one uniform draw. */
int			so_rng_below(so_rng *r, int n);

/* Standard normal (Marsaglia's polar method). */
double		so_rng_normal(so_rng *r);

/* Gamma(shape, 1) for shape > 0 (Marsaglia and Tsang). */
double		so_rng_gamma(so_rng *r, double shape);

/* Beta(a, b) for a, b > 0, as X / (X + Y) of two gamma draws. */
double		so_rng_beta(so_rng *r, double a, double b);

#endif							/* SO_SEEDED_DRAWS_H */
