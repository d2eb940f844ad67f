/*
 * proportions.c: the Wilson interval of a rate, Newcombe's interval of a
 * difference of two rates, and the pooled two-proportion z test
 * (proportions.h).
 *
 * Plain double arithmetic in the order the formulas are written, so an
 * independent computation of the same formulas (the Hillstrom test in
 * test/python) agrees to about 1e-15. The normal tail is the C library's
 * erfc: a p-value is read to a few digits, never compared bit for bit.
 * Failure modes: counts that are not counts, or a pooled rate without
 * variance, give false and write nothing; the caller says why.
 */
#include <math.h>

#include "proportions.h"

static bool
counts_valid(int64_t x, int64_t n)
{
	return n >= 1 && x >= 0 && x <= n;
}

bool
so_wilson_interval(int64_t successes, int64_t n, double *low, double *high)
{
	double		p,
				z2n,
				centre,
				half;

	if (!counts_valid(successes, n))
		return false;
	p = (double) successes / (double) n;
	z2n = SO_Z95 * SO_Z95 / (double) n;
	centre = (p + z2n / 2.0) / (1.0 + z2n);
	half = SO_Z95 / (1.0 + z2n) * sqrt(p * (1.0 - p) / (double) n + z2n / (4.0 * (double) n));
	*low = fmax(0.0, centre - half);
	*high = fmin(1.0, centre + half);
	return true;
}

bool
so_newcombe_interval(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double *low, double *high)
{
	double		p1,
				p2,
				l1,
				u1,
				l2,
				u2;

	if (!counts_valid(x1, n1) || !counts_valid(x2, n2))
		return false;
	(void) so_wilson_interval(x1, n1, &l1, &u1);
	(void) so_wilson_interval(x2, n2, &l2, &u2);
	p1 = (double) x1 / (double) n1;
	p2 = (double) x2 / (double) n2;
	*low = (p1 - p2) - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
	*high = (p1 - p2) + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
	return true;
}

bool
so_two_proportion_p_value(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double *p_value)
{
	double		p1,
				p2,
				pooled,
				se,
				z;

	if (!counts_valid(x1, n1) || !counts_valid(x2, n2))
		return false;
	if (x1 + x2 == 0 || x1 + x2 == n1 + n2)
		return false;
	p1 = (double) x1 / (double) n1;
	p2 = (double) x2 / (double) n2;
	pooled = (double) (x1 + x2) / (double) (n1 + n2);
	se = sqrt(pooled * (1.0 - pooled) * (1.0 / (double) n1 + 1.0 / (double) n2));
	z = (p1 - p2) / se;
	*p_value = erfc(fabs(z) / sqrt(2.0));
	return true;
}
