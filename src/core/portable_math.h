/*
 * portable_math.h: log, exp and log-gamma that give the same bits on every
 * platform (portable_math.c).
 *
 * The bandit's probabilities (prob_b_beats_a, P(best), Beta draws) must be
 * reproducible to the last digit wherever the extension runs: the same seed
 * gives the same arm on a laptop, a Citus worker and an arm64 replica, and
 * the design's reference values of prob_b_beats_a come out exactly. The C
 * library's log, exp and lgamma differ between glibc, musl and macOS in the
 * last bits (glibc's lgamma(48) is one unit in the last place away from
 * fdlibm's), so these are our own, written from Sun's fdlibm algorithms.
 */
#ifndef SO_PORTABLE_MATH_H
#define SO_PORTABLE_MATH_H

/* Natural logarithm; -inf at 0, NaN below 0 (fdlibm's e_log). */
double		so_log(double x);

/* e**x; 0 below -745.13, +inf above 709.78 (fdlibm's e_exp). */
double		so_exp(double x);

/*
 * log(Gamma(x)) for x > 0 (fdlibm's e_lgamma_r, positive branch); +inf at
 * 0 and for x = +inf, NaN for NaN or x < 0 (the bandit never asks there).
 */
double		so_lgamma(double x);

/* log(B(a, b)) = lgamma(a) + lgamma(b) - lgamma(a + b), for a, b > 0. */
double		so_log_beta(double a, double b);

#endif							/* SO_PORTABLE_MATH_H */
