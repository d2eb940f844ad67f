/*
 * portable_math.c: log, exp and log-gamma with the same bits everywhere.
 *
 * Written from the algorithms of Sun's fdlibm (e_log.c, e_exp.c,
 * e_lgamma_r.c; "Copyright (C) 1993 by Sun Microsystems, Inc. Developed at
 * SunPro, a Sun Microsystems, Inc. business. Permission to use, copy,
 * modify, and distribute this software is freely granted, provided that
 * this notice is preserved."), whose coefficients these are. They use only
 * IEEE double operations, which are correctly rounded on every platform, so
 * the results do not depend on the C library; the build turns off the
 * contraction of a*b+c into one fused operation (-ffp-contract=off), which
 * would change the last bits on CPUs with FMA. Accuracy: under one unit in
 * the last place (fdlibm's bounds); the unit test compares them with the C
 * library and pins values the design relies on.
 *
 * Only what the bandit needs: lgamma for x > 0 (a Beta posterior's
 * parameters are positive), log and exp for every double.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "portable_math.h"

static int32_t
high_word(double x)
{
	uint64_t	bits;

	memcpy(&bits, &x, sizeof bits);
	return (int32_t) (bits >> 32);
}

static uint32_t
low_word(double x)
{
	uint64_t	bits;

	memcpy(&bits, &x, sizeof bits);
	return (uint32_t) bits;
}

static double
with_high_word(double x, int32_t hi)
{
	uint64_t	bits;

	memcpy(&bits, &x, sizeof bits);
	bits = ((uint64_t) (uint32_t) hi << 32) | (bits & 0xffffffffu);
	memcpy(&x, &bits, sizeof bits);
	return x;
}

static double
from_words(uint32_t hi, uint32_t lo)
{
	uint64_t	bits = ((uint64_t) hi << 32) | lo;
	double		x;

	memcpy(&x, &bits, sizeof bits);
	return x;
}

/* ---- log: x = 2**k * (1 + f), log(1 + f) by a minimax series in s = f / (2 + f) ---- */

static const double ln2_hi = 6.93147180369123816490e-01;
static const double ln2_lo = 1.90821492927058770002e-10;
static const double two54 = 1.80143985094819840000e+16;
static const double Lg1 = 6.666666666666735130e-01;
static const double Lg2 = 3.999999999940941908e-01;
static const double Lg3 = 2.857142874366239149e-01;
static const double Lg4 = 2.222219843214978396e-01;
static const double Lg5 = 1.818357216161805012e-01;
static const double Lg6 = 1.531383769920937332e-01;
static const double Lg7 = 1.479819860511658591e-01;

double
so_log(double x)
{
	int32_t		hx = high_word(x);
	uint32_t	lx = low_word(x);
	int32_t		k = 0,
				i,
				j;
	double		f,
				s,
				z,
				w,
				t1,
				t2,
				R,
				hfsq,
				dk;

	if (hx < 0x00100000)
	{
		/* zero, negative or subnormal */
		if (((hx & 0x7fffffff) | (int32_t) lx) == 0)
			return -INFINITY;
		if (hx < 0)
			return NAN;
		k -= 54;
		x *= two54;
		hx = high_word(x);
	}
	if (hx >= 0x7ff00000)
		return x + x;			/* inf or NaN */
	k += (hx >> 20) - 1023;
	hx &= 0x000fffff;
	/* normalise x or x/2 so that 1 + f lies in [sqrt(2)/2, sqrt(2)) */
	i = (hx + 0x95f64) & 0x100000;
	x = with_high_word(x, hx | (i ^ 0x3ff00000));
	k += (i >> 20);
	f = x - 1.0;
	dk = (double) k;
	if ((0x000fffff & (2 + hx)) < 3)
	{
		/* |f| < 2**-20 */
		if (f == 0.0)
			return k == 0 ? 0.0 : dk * ln2_hi + dk * ln2_lo;
		R = f * f * (0.5 - 0.33333333333333333 * f);
		return k == 0 ? f - R : dk * ln2_hi - ((R - dk * ln2_lo) - f);
	}
	s = f / (2.0 + f);
	z = s * s;
	i = hx - 0x6147a;
	w = z * z;
	j = 0x6b851 - hx;
	t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
	t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
	i |= j;
	R = t2 + t1;
	if (i > 0)
	{
		hfsq = 0.5 * f * f;
		return k == 0 ? f - (hfsq - s * (hfsq + R))
			: dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
	}
	return k == 0 ? f - s * (f - R)
		: dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

/* ---- exp: x = k ln2 + r, exp(r) by a rational approximation ---- */

static const double o_threshold = 7.09782712893383973096e+02;
static const double u_threshold = -7.45133219101941108420e+02;
static const double invln2 = 1.44269504088896338700e+00;
static const double twom1000 = 9.33263618503218878990e-302;
static const double P1 = 1.66666666666666019037e-01;
static const double P2 = -2.77777777770155933842e-03;
static const double P3 = 6.61375632143793436117e-05;
static const double P4 = -1.65339022054652515390e-06;
static const double P5 = 4.13813679705723846039e-08;

double
so_exp(double x)
{
	int32_t		hx = high_word(x);
	int			xsb = (hx >> 31) & 1;
	int32_t		k = 0;
	double		hi = 0.0,
				lo = 0.0,
				c,
				t,
				y,
				twopk;

	hx &= 0x7fffffff;
	if (hx >= 0x40862E42)
	{
		/* |x| >= 709.78 */
		if (hx >= 0x7ff00000)
		{
			if (((hx & 0xfffff) | (int32_t) low_word(x)) != 0)
				return x + x;	/* NaN */
			return xsb == 0 ? x : 0.0;
		}
		if (x > o_threshold)
			return INFINITY;
		if (x < u_threshold)
			return 0.0;
	}
	if (hx > 0x3fd62e42)
	{
		/* |x| > ln2 / 2 */
		if (hx < 0x3FF0A2B2)
		{
			/* and |x| < 1.5 ln2 */
			hi = xsb ? x + ln2_hi : x - ln2_hi;
			lo = xsb ? -ln2_lo : ln2_lo;
			k = 1 - xsb - xsb;
		}
		else
		{
			k = (int32_t) (invln2 * x + (xsb ? -0.5 : 0.5));
			t = k;
			hi = x - t * ln2_hi;	/* exact */
			lo = t * ln2_lo;
		}
		x = hi - lo;
	}
	else if (hx < 0x3e300000)
		return 1.0 + x;			/* |x| < 2**-28 */
	t = x * x;
	if (k >= -1021)
		twopk = from_words((uint32_t) (0x3ff00000 + k * (1 << 20)), 0);
	else
		twopk = from_words((uint32_t) (0x3ff00000 + (k + 1000) * (1 << 20)), 0);
	c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
	if (k == 0)
		return 1.0 - ((x * c) / (c - 2.0) - x);
	y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
	if (k >= -1021)
	{
		if (k == 1024)
			return y * 2.0 * 0x1p1023;
		return y * twopk;
	}
	return y * twopk * twom1000;
}

/* ---- lgamma for x > 0 ---- */

/* around the minimum at tc: lgamma(tc) = tf + tt */
static const double tc = 1.46163214496836224576e+00;
static const double tf = -1.21486290535849611461e-01;
static const double tt = -3.63867699703950536541e-18;

/* lgamma(1 + y) - y * digamma(1)... on [0.7316, 1.2316] and [1.7316, 2] */
static const double a0 = 7.72156649015328655494e-02;
static const double a1 = 3.22467033424113591611e-01;
static const double a2 = 6.73523010531292681824e-02;
static const double a3 = 2.05808084325167332806e-02;
static const double a4 = 7.38555086081402883957e-03;
static const double a5 = 2.89051383673415629091e-03;
static const double a6 = 1.19270763183362067845e-03;
static const double a7 = 5.10069792153511336608e-04;
static const double a8 = 2.20862790713908385557e-04;
static const double a9 = 1.08011567247583939954e-04;
static const double a10 = 2.52144565451257326939e-05;
static const double a11 = 4.48640949618915160150e-05;

/* around tc, in powers of y = x - tc */
static const double t0 = 4.83836122723810047042e-01;
static const double t1 = -1.47587722994593911752e-01;
static const double t2 = 6.46249402391333854778e-02;
static const double t3 = -3.27885410759859649565e-02;
static const double t4 = 1.79706750811820387126e-02;
static const double t5 = -1.03142241298341437450e-02;
static const double t6 = 6.10053870246291332635e-03;
static const double t7 = -3.68452016781138256760e-03;
static const double t8 = 2.25964780900612472250e-03;
static const double t9 = -1.40346469989232843813e-03;
static const double t10 = 8.81081882437654011382e-04;
static const double t11 = -5.38595305356740546715e-04;
static const double t12 = 3.15632070903625950361e-04;
static const double t13 = -3.12754168375120860518e-04;
static const double t14 = 3.35529192635519073543e-04;

/* a rational function of y = x - 1 near 1 and 2 */
static const double u0 = -7.72156649015328655494e-02;
static const double u1 = 6.32827064025093366517e-01;
static const double u2 = 1.45492250137234768737e+00;
static const double u3 = 9.77717527963372745603e-01;
static const double u4 = 2.28963728064692451092e-01;
static const double u5 = 1.33810918536787660377e-02;
static const double v1 = 2.45597793713041134822e+00;
static const double v2 = 2.12848976379893395361e+00;
static const double v3 = 7.69285150456672783825e-01;
static const double v4 = 1.04222645593369134254e-01;
static const double v5 = 3.21709242282423911810e-03;

/* [2, 3), then lgamma(x + 1) = log(x) + lgamma(x) up to 8 */
static const double s0 = -7.72156649015328655494e-02;
static const double s1 = 2.14982415960608852501e-01;
static const double s2 = 3.25778796408930981787e-01;
static const double s3 = 1.46350472652464452805e-01;
static const double s4 = 2.66422703033638609560e-02;
static const double s5 = 1.84028451407337715652e-03;
static const double s6 = 3.19475326584100867617e-05;
static const double r1 = 1.39200533467621045958e+00;
static const double r2 = 7.21935547567138069525e-01;
static const double r3 = 1.71933865632803078993e-01;
static const double r4 = 1.86459191715652901344e-02;
static const double r5 = 7.77942496381893596434e-04;
static const double r6 = 7.32668430744625636189e-06;

/* Stirling's series beyond 8 */
static const double w0 = 4.18938533204672725052e-01;
static const double w1 = 8.33333333333329678849e-02;
static const double w2 = -2.77777777728775536470e-03;
static const double w3 = 7.93650558643019558500e-04;
static const double w4 = -5.95187557450339963135e-04;
static const double w5 = 8.36339918996282139126e-04;
static const double w6 = -1.63092934096575273989e-03;

double
so_lgamma(double x)
{
	int32_t		hx = high_word(x);
	uint32_t	lx = low_word(x);
	int32_t		ix = hx & 0x7fffffff;
	double		r,
				y,
				z,
				w,
				p,
				q,
				p1,
				p2,
				p3,
				t;
	int			i;

	if (ix >= 0x7ff00000)
		return x * x;			/* inf or NaN */
	if ((ix | (int32_t) lx) == 0)
		return INFINITY;
	if (hx < 0)
		return NAN;
	if (ix < 0x3c700000)
		return -so_log(x);		/* x < 2**-56 */

	if (((ix - 0x3ff00000) | (int32_t) lx) == 0 || ((ix - 0x40000000) | (int32_t) lx) == 0)
		return 0.0;				/* 1 and 2 */
	if (ix < 0x40000000)
	{
		/* x < 2: lgamma(x) = lgamma(x + 1) - log(x) below 0.9 */
		if (ix <= 0x3feccccc)
		{
			r = -so_log(x);
			if (ix >= 0x3FE76944)
			{
				y = 1.0 - x;
				i = 0;
			}
			else if (ix >= 0x3FCDA661)
			{
				y = x - (tc - 1.0);
				i = 1;
			}
			else
			{
				y = x;
				i = 2;
			}
		}
		else
		{
			r = 0.0;
			if (ix >= 0x3FFBB4C3)
			{
				y = 2.0 - x;
				i = 0;
			}
			else if (ix >= 0x3FF3B4C4)
			{
				y = x - tc;
				i = 1;
			}
			else
			{
				y = x - 1.0;
				i = 2;
			}
		}
		switch (i)
		{
			case 0:
				z = y * y;
				p1 = a0 + z * (a2 + z * (a4 + z * (a6 + z * (a8 + z * a10))));
				p2 = z * (a1 + z * (a3 + z * (a5 + z * (a7 + z * (a9 + z * a11)))));
				p = y * p1 + p2;
				r += (p - 0.5 * y);
				break;
			case 1:
				z = y * y;
				w = z * y;
				p1 = t0 + w * (t3 + w * (t6 + w * (t9 + w * t12)));
				p2 = t1 + w * (t4 + w * (t7 + w * (t10 + w * t13)));
				p3 = t2 + w * (t5 + w * (t8 + w * (t11 + w * t14)));
				p = z * p1 - (tt - w * (p2 + y * p3));
				r += (tf + p);
				break;
			default:
				p1 = y * (u0 + y * (u1 + y * (u2 + y * (u3 + y * (u4 + y * u5)))));
				p2 = 1.0 + y * (v1 + y * (v2 + y * (v3 + y * (v4 + y * v5))));
				r += (-0.5 * y + p1 / p2);
				break;
		}
		return r;
	}
	if (ix < 0x40200000)
	{
		/* 2 <= x < 8 */
		i = (int) x;
		y = x - (double) i;
		p = y * (s0 + y * (s1 + y * (s2 + y * (s3 + y * (s4 + y * (s5 + y * s6))))));
		q = 1.0 + y * (r1 + y * (r2 + y * (r3 + y * (r4 + y * (r5 + y * r6)))));
		r = 0.5 * y + p / q;
		z = 1.0;
		for (int n = i; n >= 3; n--)
			z *= (y + (double) (n - 1));
		if (i >= 3)
			r += so_log(z);
		return r;
	}
	if (ix < 0x43900000)
	{
		/* 8 <= x < 2**58 */
		t = so_log(x);
		z = 1.0 / x;
		y = z * z;
		w = w0 + z * (w1 + y * (w2 + y * (w3 + y * (w4 + y * (w5 + y * w6)))));
		return (x - 0.5) * (t - 1.0) + w;
	}
	return x * (so_log(x) - 1.0);
}

double
so_log_beta(double a, double b)
{
	return so_lgamma(a) + so_lgamma(b) - so_lgamma(a + b);
}
