/*
 * test_uplift_metrics.c: the Qini and uplift coefficients, uplift at k,
 * the Qini deciles and the AUC on rows small enough to work by hand (the
 * arithmetic is in the comments; test/python/sklift_reference.py gives the
 * same numbers), ties, refused rows, perfect and reversed rankings, the
 * noise of random orders, and a million rows.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "seeded_draws.h"
#include "tap.h"
#include "uplift_metrics.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool
near(double got, double want)
{
	return fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want));
}

int
main(void)
{
	/*
	 * Six rows, distinct scores, in descending order already:
	 *
	 *   score  0.9 0.8 0.7 0.6 0.5 0.4
	 *   arm     t   c   t   c   t   c
	 *   label   1   0   0   1   1   0
	 *
	 * Qini y_t - y_c * n_t / n_c at k = 1..6: 1, 1 - 0 = 1, 1, 1 - 1 * 2/2
	 * = 0, 2 - 1 * 3/2 = 0.5, 2 - 1 * 3/3 = 1. Trapezoids from (0, 0):
	 * 0.5 + 1 + 1 + 0.5 + 0.25 + 0.75 = 4; random line to (6, 1): 3; area
	 * 1. Perfect (scores y*t - y*(1-t)): 2 treated responders, then 3
	 * non-responders, then 1 control responder: (2, 2), (5, 2 - 0), (6, 2 -
	 * 1 * 3/3 = 1): 2 + 6 + 1.5 = 9.5, less 3: 6.5. qini = 1 / 6.5 = 2/13.
	 *
	 * Uplift (y_t/n_t - y_c/n_c) * k: 1, 2, 1.5, 0, (2/3 - 1/2) * 5 = 5/6,
	 * (2/3 - 1/3) * 6 = 2; area 0.5 + 1.5 + 1.75 + 0.75 + 5/12 + 17/12 =
	 * 19/3; random 6 * 2 / 2 = 6; area 1/3. Perfect: control responders (1)
	 * do not outnumber treated non-responders (1), so the scores are 2*(y ==
	 * t) + t: treated responders 3, control non-responders 2, treated
	 * non-responder 1, control responder 0: (2, 2), (4, 1 * 4 = 4), (5, 2/3
	 * * 5 = 10/3), (6, 2); 2 + 6 + 11/3 + 8/3 = 43/3, less 6: 25/3. auuc =
	 * (1/3) / (25/3) = 1/25.
	 *
	 * Uplift at 10%: ceil(6 * 0.1) = 1 row, treated only: NaN. At 30%:
	 * ceil(6 * 0.3) = ceil(1.7999999999999998) = 2 rows: 1 - 0 = 1. Average:
	 * 2/3 - 1/3.
	 */
	{
		static const double s[] = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
		static const unsigned char t[] = {1, 0, 1, 0, 1, 0};
		static const unsigned char y[] = {1, 0, 0, 1, 1, 0};
		so_uplift_metrics m;
		double		d[11];
		double		auc = -1;
		bool		got;

		/* deciles at i * 6 / 10 rows: 0, 0.6, 1.2 ... on the points above */
		static const double want_d[] = {0, 0.6, 1, 1, 1, 1, 0.4, 0.1, 0.4, 0.7, 1};
		bool		all_near = true;

		ok(so_uplift_metrics_compute(s, t, y, 6, &m), "six rows: computed");
		ok(near(m.qini, 2.0 / 13.0), "six rows: qini %.17g = 2/13", m.qini);
		ok(near(m.qini_area, 1.0), "six rows: qini area %.17g = 1", m.qini_area);
		ok(near(m.auuc, 1.0 / 25.0), "six rows: auuc %.17g = 1/25", m.auuc);
		ok(near(m.auuc_area, 1.0 / 3.0), "six rows: auuc area %.17g = 1/3", m.auuc_area);
		ok(isnan(m.uplift_at_10), "six rows: the first row is treated only: uplift at 10%% is NaN");
		ok(m.uplift_at_30 == 1.0, "six rows: uplift at 30%% (2 rows) %.17g = 1", m.uplift_at_30);
		ok(m.uplift_average == 2.0 / 3.0 - 1.0 / 3.0, "six rows: average uplift %.17g", m.uplift_average);
		ok(m.treated == 3 && m.control == 3, "six rows: 3 treated, 3 control");

		ok(so_qini_deciles(s, t, y, 6, d), "six rows: deciles");
		for (int i = 0; i < 11; i++)
			all_near = all_near && near(d[i], want_d[i]);
		ok(all_near, "six rows: deciles 0, 0.6 (on the rise), 1 ... 1, 0.4 (on the fall to (4, 0)), 0.1, 0.4, 0.7, 1");

		/* positives 0.9, 0.6, 0.5 against negatives 0.8, 0.7, 0.4: 3 + 1 + 1 of 9 pairs */
		got = so_auc(s, y, 6, &auc);
		ok(got && near(auc, 5.0 / 9.0), "six rows: AUC %.17g = 5/9", auc);
	}

	/*
	 * Ties: scores {1, 1, 0, 0}, arms t c t c, labels 1 0 0 1. One cutoff
	 * per run: (2, 1 - 0 * 1/1 = 1), (4, 1 - 1 * 2/2 = 0); area 1 + 1 = 2,
	 * random 0. Perfect: (1, 1), (3, 1 - 0), (4, 0): 0.5 + 2 + 0.5 = 3. qini
	 * 2/3. Uplift: (2, 1 * 2), (4, 0): area 4; perfect (cr = tn = 1: scores
	 * 3 2 1 0): (1, 1), (2, 2), (3, 1.5), (4, 0): 4.5; auuc 8/9. With the
	 * scores 4 3 2 1 instead (no ties) the model is the perfect ranking.
	 */
	{
		static const double tied[] = {1, 1, 0, 0};
		static const double swapped_s[] = {1, 1, 0, 0};
		static const double distinct[] = {4, 3, 2, 1};
		static const unsigned char t[] = {1, 0, 1, 0};
		static const unsigned char y[] = {1, 0, 0, 1};

		/* the same rows, the two in each tie swapped */
		static const unsigned char swapped_t[] = {0, 1, 0, 1};
		static const unsigned char swapped_y[] = {0, 1, 1, 0};
		so_uplift_metrics m,
					m2;
		double		auc = -1;
		bool		got;

		got = so_uplift_metrics_compute(tied, t, y, 4, &m);
		ok(got && near(m.qini, 2.0 / 3.0) && near(m.auuc, 8.0 / 9.0),
		   "ties enter together: qini %.17g = 2/3, auuc %.17g = 8/9", m.qini, m.auuc);
		got = so_uplift_metrics_compute(swapped_s, swapped_t, swapped_y, 4, &m2);
		ok(got && m2.qini == m.qini && m2.auuc == m.auuc && m2.qini_area == m.qini_area,
		   "the order of rows inside a tie does not change the curves");
		got = so_uplift_metrics_compute(distinct, t, y, 4, &m);
		ok(got && near(m.qini, 1.0) && near(m.auuc, 1.0),
		   "the same rows without ties: qini %.17g = 1, auuc %.17g = 1", m.qini, m.auuc);

		/*
		 * {1, 1, 0, 0} for labels {1, 0, 1, 0}: the positive scored 1 ties
		 * one negative and beats the other (1.5), the positive scored 0 ties
		 * one (0.5): 2 of 4 pairs
		 */
		static const unsigned char yl[] = {1, 0, 1, 0};
		static const double desc[] = {0.9, 0.8, 0.7, 0.6};

		got = so_auc(tied, yl, 4, &auc);
		ok(got && auc == 0.5, "AUC with ties counts them one half: %.17g = 0.5", auc);
		got = so_auc(desc, yl, 4, &auc);
		ok(got && auc == 0.75, "AUC of 0.9 0.8 0.7 0.6 for 1 0 1 0: %.17g = 3/4", auc);
	}

	/*
	 * Uplift at k with ties: ten rows of one score. numpy's
	 * argsort(kind="stable")[::-1] puts the last row first, so the first
	 * ceil(10 * 0.3) = 3 rows are rows 9, 8, 7: control 1, treated 1,
	 * control 0: 1 - 1/2 = 0.5 (rows 0, 1, 2 would be treated only: NaN).
	 * ceil(10 * 0.1) = 1 row, row 9, control only: NaN.
	 */
	{
		double		s[10];
		static const unsigned char t[] = {1, 1, 1, 1, 1, 1, 1, 0, 1, 0};
		static const unsigned char y[] = {1, 1, 1, 1, 1, 1, 0, 0, 1, 1};
		so_uplift_metrics m;

		for (int i = 0; i < 10; i++)
			s[i] = 0.5;
		ok(so_uplift_metrics_compute(s, t, y, 10, &m), "ten tied rows: computed");
		ok(m.uplift_at_30 == 0.5, "uplift at 30%% takes the tied rows last first: %.17g = 0.5", m.uplift_at_30);
		ok(isnan(m.uplift_at_10), "uplift at 10%% of one control row: NaN");
		ok(m.qini == 0.0 && m.auuc == 0.0, "one run of ties is the random line: qini %g, auuc %g", m.qini, m.auuc);
		ok(m.uplift_average == 7.0 / 8.0 - 1.0 / 2.0, "average uplift 7/8 - 1/2");
	}

	/* refused rows: write nothing */
	{
		static const double s[] = {0.4, 0.3, 0.2, 0.1};
		static const unsigned char all_t[] = {1, 1, 1, 1};
		static const unsigned char all_c[] = {0, 0, 0, 0};
		static const unsigned char t[] = {1, 0, 1, 0};
		static const unsigned char y[] = {1, 0, 0, 1};
		static const unsigned char y0[] = {0, 0, 0, 0};
		static const unsigned char y1[] = {1, 1, 1, 1};
		so_uplift_metrics m;
		double		d[11],
					v = -7;

		m.qini = -7;
		ok(!so_uplift_metrics_compute(s, all_t, y, 4, &m) && m.qini == -7, "all treated, no control: false, nothing written");
		ok(!so_uplift_metrics_compute(s, all_c, y, 4, &m) && m.qini == -7, "no treated: false");
		ok(!so_uplift_metrics_compute(s, t, y0, 4, &m) && m.qini == -7, "no responders: false");
		ok(!so_uplift_metrics_compute(s, t, y1, 4, &m) && m.qini == -7, "all responders: false");
		ok(!so_uplift_metrics_compute(s, t, y, 0, &m) && m.qini == -7, "no rows: false");
		ok(!so_qini_deciles(s, t, y, 0, d), "no rows: no deciles");
		ok(so_qini_deciles(s, all_t, y, 4, d) && d[5] == 1.0 && d[10] == 2.0,
		   "deciles with no control: the curve counts treated responders (1 at 2 rows, 2 at 4)");
		ok(!so_auc(s, y0, 4, &v) && !so_auc(s, y1, 4, &v) && !so_auc(s, y, 0, &v) && v == -7,
		   "AUC without both labels: false");
		ok(!so_qini_noise(all_t, y, 4, 10, 1, 1, &v) && !so_qini_noise(t, y, 4, 0, 1, 1, &v) && v == -7,
		   "qini noise: false without control or draws");
		ok(!so_auc_noise(y1, 4, 10, 1, 1, &v) && !so_auc_noise(y, 4, 0, 1, 1, &v) && !so_auc_noise(y, 0, 5, 1, 1, &v)
		   && v == -7, "AUC noise: false without both labels, draws or rows");
	}

	/*
	 * The perfect ranking: treated responders, control non-responders,
	 * treated non-responders, control responders, each kind one score
	 * (control responders, 2, do not outnumber treated non-responders, 3:
	 * the perfect uplift scores; the perfect Qini curve only lacks the
	 * cutoff between the two kinds of non-responder, which lies on its flat
	 * part). Qini and auuc are 1; reversed, both are negative.
	 */
	{
		static const unsigned char t[] = {1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0};
		static const unsigned char y[] = {1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0};
		double		s[N_OF(t)],
					r[N_OF(t)];
		so_uplift_metrics m;
		bool		got;

		for (size_t i = 0; i < N_OF(t); i++)
		{
			s[i] = t[i] && y[i] ? 0.9 : !t[i] && !y[i] ? 0.5 : t[i] ? 0.2 : -1.0;
			r[i] = -s[i];
		}
		got = so_uplift_metrics_compute(s, t, y, N_OF(t), &m);
		ok(got && near(m.qini, 1.0) && near(m.auuc, 1.0),
		   "perfect ranking: qini %.17g = 1, auuc %.17g = 1", m.qini, m.auuc);
		got = so_uplift_metrics_compute(r, t, y, N_OF(t), &m);
		ok(got && m.qini < 0 && m.auuc < 0 && m.qini_area < 0,
		   "reversed: qini %.17g < 0, auuc %.17g < 0", m.qini, m.auuc);
	}

	/* noise of random orders */
	{
		enum
		{
			SMALL = 200, LARGE = 20000
		};
		unsigned char *t = malloc(LARGE),
				   *y = malloc(LARGE);
		so_rng		rng;
		double		a = -1,
					b = -1,
					c = -1,
					big = -1;
		bool		got;

		if (t == NULL || y == NULL)
		{
			ok(false, "out of memory");
			return done_testing();
		}
		so_rng_init(&rng, 5, 5);
		for (int i = 0; i < LARGE; i++)
		{
			t[i] = so_rng_uniform(&rng) < 0.5;
			y[i] = so_rng_uniform(&rng) < 0.2;
		}
		got = so_qini_noise(t, y, SMALL, 100, 42, 1, &a) && so_qini_noise(t, y, SMALL, 100, 42, 1, &b);
		ok(got && a == b, "qini noise: the same seed gives the same bits (%.17g)", a);
		got = so_qini_noise(t, y, SMALL, 100, 43, 1, &c);
		ok(got && c != a, "qini noise: another seed, another value (%.17g)", c);
		got = so_qini_noise(t, y, LARGE, 100, 42, 1, &big);
		ok(got && big > 0 && big < a,
		   "qini noise shrinks with the rows: %.4f at %d rows, %.4f at %d", a, SMALL, big, LARGE);
		ok(a > 0 && a < 1, "qini noise of %d rows in (0, 1): %.4f", SMALL, a);

		got = so_auc_noise(y, SMALL, 100, 42, 2, &a) && so_auc_noise(y, SMALL, 100, 42, 2, &b);
		ok(got && a == b, "AUC noise: the same seed gives the same bits (%.17g)", a);
		got = so_auc_noise(y, SMALL, 100, 44, 2, &c);
		ok(got && c != a, "AUC noise: another seed, another value (%.17g)", c);
		got = so_auc_noise(y, LARGE, 100, 42, 2, &big);
		ok(got && big > 0 && big < a && a < 0.5,
		   "AUC noise shrinks with the rows: %.4f at %d rows, %.4f at %d", a, SMALL, big, LARGE);
		got = so_auc_noise(y, SMALL, 1, 42, 2, &a);
		ok(got && a >= 0 && a <= 0.5, "one draw is its own percentile: %.4f in [0, 0.5]", a);
		free(t);
		free(y);
	}

	/* a million rows, scores rounded to 3 places (many ties) with a true effect */
	{
		enum
		{
			BIG = 1000000
		};
		double	   *s = malloc(BIG * sizeof(double));
		unsigned char *t = malloc(BIG),
				   *y = malloc(BIG);
		so_rng		rng;
		so_uplift_metrics m;
		double		d[11],
					auc = -1,
					noise = -1;
		bool		got;

		if (s == NULL || t == NULL || y == NULL)
		{
			ok(false, "out of memory");
			return done_testing();
		}
		so_rng_init(&rng, 7, 7);
		for (int i = 0; i < BIG; i++)
		{
			double		lift = so_rng_uniform(&rng);

			t[i] = so_rng_uniform(&rng) < 0.5;
			/* responds at 0.1, plus 0.1 * lift when treated: the score knows the lift */
			y[i] = so_rng_uniform(&rng) < 0.1 + (t[i] ? 0.1 * lift : 0.0);
			s[i] = round((lift + 0.3 * so_rng_uniform(&rng)) * 1000.0) / 1000.0;
		}
		got = so_uplift_metrics_compute(s, t, y, BIG, &m);
		ok(got, "a million rows: computed");
		ok(m.qini > 0 && m.qini < 1 && m.auuc > 0 && m.auuc < 1 && m.qini_area > 0,
		   "a million rows: qini %.4f and auuc %.4f in (0, 1)", m.qini, m.auuc);
		ok(m.uplift_at_10 > m.uplift_average && m.uplift_at_30 > m.uplift_average && m.uplift_average > 0.03,
		   "a million rows: uplift at 10%% %.4f, at 30%% %.4f above the average %.4f",
		   m.uplift_at_10, m.uplift_at_30, m.uplift_average);
		ok(m.treated + m.control == BIG, "a million rows: every row in an arm");
		ok(so_qini_deciles(s, t, y, BIG, d) && d[0] == 0 && d[5] > 0 && d[10] > 0, "a million rows: deciles");
		got = so_auc(s, y, BIG, &auc);
		ok(got && auc > 0.5 && auc < 1, "a million rows: AUC %.4f", auc);
		got = so_qini_noise(t, y, BIG, 2, 1, 1, &noise);
		ok(got && noise < m.qini, "a million rows: qini noise %.4f below the qini %.4f", noise, m.qini);
		free(s);
		free(t);
		free(y);
	}
	return done_testing();
}
