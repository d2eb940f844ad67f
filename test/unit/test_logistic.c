/*
 * test_logistic.c: the L2 logistic regression of logistic.h.
 *
 * The reference coefficients were computed once by scikit-learn 1.2.1
 * (Debian's python3-sklearn): StandardScaler().fit_transform(X), then
 * LogisticRegression(C = 1/l2, solver = 'newton-cg', tol = 1e-14) with the
 * same sample weights (its default lbfgs stops with a gradient of 5e-4 here,
 * 8e-6 away in the coefficients; newton-cg and a plain Newton iteration in
 * numpy agree to 2e-12), on the 200 rows that rows() below generates (the
 * generator is written the same way in Python: x1 = sin(0.37 i), x2 =
 * 3 cos(0.71 i) + 1, x3 = [i mod 3 = 0], y = [(7919 i mod 13) < 5 + 4 x1 +
 * 2 x3], w = 1 + 0.5 (i mod 4)). test/shell/learning_reference.sh compares
 * on the Hillstrom data at run time; this file pins the arithmetic.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "logistic.h"
#include "tap.h"

#define N 200
#define P 3

static double X[N * P],
			Y[N],
			W[N];
static size_t ALL[N];

static void
rows(void)
{
	for (int i = 0; i < N; i++)
	{
		double		x1 = sin(i * 0.37),
					x2 = cos(i * 0.71) * 3 + 1,
					x3 = i % 3 == 0 ? 1.0 : 0.0;

		X[i * P + 0] = x1;
		X[i * P + 1] = x2;
		X[i * P + 2] = x3;
		Y[i] = ((i * 7919) % 13) < 5 + 4 * x1 + x3 * 2 ? 1.0 : 0.0;
		W[i] = 1.0 + (i % 4) * 0.5;
		ALL[i] = (size_t) i;
	}
}

static int	stop_calls;

static bool
stop_at_second(void)
{
	return ++stop_calls >= 2;
}

int
main(void)
{
	so_logit_model m;
	so_error	err;
	int			rc;

	rows();

	/* scikit-learn's coefficients, two penalties */
	{
		static const struct
		{
			double		l2,
						b0,
						b[P];
		}			ref[] = {
			{1.0, -0.07572731062978692, {0.8828095066986968, -0.11104692153555264, 0.4978696441394451}},
			{0.1, -0.07613497502130973, {0.8968950219672347, -0.11324467892294506, 0.5069007693169862}},
		};

		for (size_t r = 0; r < sizeof(ref) / sizeof(ref[0]); r++)
		{
			double		maxdiff;

			rc = so_logit_fit(X, P, Y, W, ALL, N, ref[r].l2, 0, 0, NULL, &m, &err);
			ok(rc == SO_OK && m.status == SO_FIT_CONVERGED, "l2 = %g converges (%d steps)", ref[r].l2, m.iterations);
			maxdiff = fabs(m.intercept_std - ref[r].b0);
			for (int j = 0; j < P; j++)
				maxdiff = fmax(maxdiff, fabs(m.coef_std[j] - ref[r].b[j]));
			ok(maxdiff < 1e-9, "l2 = %g: standardised coefficients equal scikit-learn's (max difference %.2e)",
			   ref[r].l2, maxdiff);

			/* the original scale predicts what the standardised one does */
			{
				double		eta = m.intercept_std;

				for (int j = 0; j < P; j++)
					eta += m.coef_std[j] * (X[7 * P + j] - m.mean[j]) / m.scale[j];
				ok(fabs(so_logit_predict(&m, X + 7 * P) - so_sigmoid(eta)) < 1e-12,
				   "l2 = %g: both scales give the same probability", ref[r].l2);
			}
			so_logit_free(&m);
		}
	}

	/* a weight of 2 is the row twice */
	{
		double		x2[(N + 1) * P],
					y2[N + 1],
					w1[N];
		size_t		all2[N + 1];
		so_logit_model a,
					b;

		memcpy(x2, X, sizeof(X));
		memcpy(y2, Y, sizeof(Y));
		memcpy(x2 + N * P, X + 5 * P, P * sizeof(double));
		y2[N] = Y[5];
		for (int i = 0; i <= N; i++)
			all2[i] = (size_t) i;
		for (int i = 0; i < N; i++)
			w1[i] = i == 5 ? 2.0 : 1.0;
		/* the duplicate shifts mean and sd: compare predictions, not coefficients */
		rc = so_logit_fit(X, P, Y, w1, ALL, N, 0.0, 0, 0, NULL, &a, &err);
		ok(rc == SO_OK, "weighted fit without penalty");
		rc = so_logit_fit(x2, P, y2, NULL, all2, N + 1, 0.0, 0, 0, NULL, &b, &err);
		ok(rc == SO_OK, "duplicated fit without penalty");
		ok(fabs(so_logit_predict(&a, X) - so_logit_predict(&b, X)) < 1e-9,
		   "without penalty, weight 2 predicts as the row twice");
		so_logit_free(&a);
		so_logit_free(&b);
	}

	/* a constant column: coefficient 0, scale 1, and the others as without it */
	{
		double		xc[N * (P + 1)];
		so_logit_model a,
					b;

		for (int i = 0; i < N; i++)
		{
			memcpy(xc + i * (P + 1), X + i * P, P * sizeof(double));
			xc[i * (P + 1) + P] = 0.1;
		}
		rc = so_logit_fit(xc, P + 1, Y, W, ALL, N, 1.0, 0, 0, NULL, &a, &err);
		ok(rc == SO_OK && a.constant[P] && a.scale[P] == 1.0 && a.coef[P] == 0.0 && a.coef_std[P] == 0.0,
		   "a constant column gets coefficient 0 and scale 1");
		rc = so_logit_fit(X, P, Y, W, ALL, N, 1.0, 0, 0, NULL, &b, &err);
		ok(rc == SO_OK && fabs(a.coef_std[0] - b.coef_std[0]) < 1e-12 && fabs(a.intercept_std - b.intercept_std) < 1e-12,
		   "the other coefficients are those of the fit without it");
		so_logit_free(&a);
		so_logit_free(&b);
	}

	/* one label class only */
	{
		double		ones[N];

		for (int i = 0; i < N; i++)
			ones[i] = 1.0;
		rc = so_logit_fit(X, P, ones, NULL, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_CONFLICT && strcmp(err.message, "every label is 1") == 0 && m.coef == NULL,
		   "all-one labels: a conflict, nothing fitted");
	}

	/* separable classes */
	{
		double		ys[N];

		for (int i = 0; i < N; i++)
			ys[i] = X[i * P] > 0 ? 1.0 : 0.0;
		rc = so_logit_fit(X, P, ys, NULL, ALL, N, 0.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_OK && m.status == SO_FIT_SEPARABLE && isfinite(m.coef[0]) && m.coef[0] > 0,
		   "separable without penalty: status separable, finite coefficients (%s after %d steps)",
		   so_fit_status_name(m.status), m.iterations);
		so_logit_free(&m);
		rc = so_logit_fit(X, P, ys, NULL, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_OK && m.status == SO_FIT_CONVERGED, "separable with a penalty: converges");
		so_logit_free(&m);
	}

	/* collinear columns without penalty; with a penalty they share */
	{
		double		xk[N * 2];

		for (int i = 0; i < N; i++)
		{
			xk[i * 2] = X[i * P];
			xk[i * 2 + 1] = 2 * X[i * P] + 1;
		}
		rc = so_logit_fit(xk, 2, Y, NULL, ALL, N, 0.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_CONFLICT && strstr(err.message, "singular") != NULL, "collinear without penalty: singular");
		rc = so_logit_fit(xk, 2, Y, NULL, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_OK && fabs(m.coef_std[0] - m.coef_std[1]) < 1e-9, "collinear with a penalty: equal standardised shares");
		so_logit_free(&m);
	}

	/* bad values, named */
	{
		double		xb[N * P],
					yb[N],
					wb[N];

		memcpy(xb, X, sizeof(X));
		xb[10 * P + 2] = NAN;
		rc = so_logit_fit(xb, P, Y, NULL, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "row 10, column 2") == 0, "a NaN feature: range error at row 10, column 2");
		memcpy(yb, Y, sizeof(Y));
		yb[3] = 0.5;
		rc = so_logit_fit(X, P, yb, NULL, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "row 3") == 0, "a label of 0.5: range error at row 3");
		memcpy(wb, W, sizeof(W));
		wb[4] = 0;
		rc = so_logit_fit(X, P, Y, wb, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "row 4") == 0, "a weight of 0: range error at row 4");
		rc = so_logit_fit(X, P, Y, NULL, ALL, N, -1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "l2") == 0, "l2 < 0: range error");
		rc = so_logit_fit(X, P, Y, NULL, ALL, N, NAN, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_RANGE, "l2 NaN: range error");
		rc = so_logit_fit(X, P, Y, NULL, ALL, 0, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_EMPTY, "no rows: empty");
		rc = so_logit_fit(X, SO_LOGIT_MAX_COLUMNS + 1, Y, NULL, ALL, 1, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_TOO_LARGE, "too many columns: too large");
	}

	/* an iteration cap is a status; a stop request an error */
	{
		rc = so_logit_fit(X, P, Y, W, ALL, N, 1.0, 1, 0, NULL, &m, &err);
		ok(rc == SO_OK && m.status == SO_FIT_ITERATION_CAP && m.iterations == 1,
		   "one step allowed: status iteration cap");
		so_logit_free(&m);
		rc = so_logit_fit(X, P, Y, W, ALL, N, 1.0, 0, 0, stop_at_second, &m, &err);
		ok(rc == SO_ERR_INTERRUPTED && m.coef == NULL && stop_calls == 2, "a stop request ends the fit, nothing kept");
	}

	/* a subset of rows is a fit of those rows only */
	{
		size_t		even[N / 2];
		double		xe[(N / 2) * P],
					ye[N / 2];
		size_t		alle[N / 2];
		so_logit_model a,
					b;

		for (int k = 0; k < N / 2; k++)
		{
			even[k] = (size_t) (2 * k);
			memcpy(xe + k * P, X + 2 * k * P, P * sizeof(double));
			ye[k] = Y[2 * k];
			alle[k] = (size_t) k;
		}
		rc = so_logit_fit(X, P, Y, NULL, even, N / 2, 1.0, 0, 0, NULL, &a, &err);
		ok(rc == SO_OK, "fit of the even rows by index");
		rc = so_logit_fit(xe, P, ye, NULL, alle, N / 2, 1.0, 0, 0, NULL, &b, &err);
		ok(rc == SO_OK && fabs(a.coef[1] - b.coef[1]) < 1e-15 && a.rows == N / 2,
		   "equals the fit of a copy of them");
		so_logit_free(&a);
		so_logit_free(&b);
	}

	/* the fuzz target's findings: magnitudes near double's limits */
	{
		double		xs[N],
					xd[N],
					ws[N];

		for (int i = 0; i < N; i++)
		{
			xs[i] = X[i * P] * 1e300;	/* a spread beyond 1e154: squares overflow */
			xd[i] = -1.7976931348623157e308;	/* a constant column at -DBL_MAX */
			ws[i] = i == 0 ? 1e300 : 0.5;
		}
		rc = so_logit_fit(xs, 1, Y, NULL, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_OK && isfinite(m.scale[0]) && m.scale[0] > 1e299 && !m.constant[0] && m.coef_std[0] > 0.5,
		   "a column of values near 1e300: finite scale, fitted like the same column at 1 (%g)", rc == SO_OK ? m.coef_std[0] : 0);
		if (rc == SO_OK)
		{
			so_logit_model b;

			rc = so_logit_fit(X, P, Y, NULL, ALL, N, 1.0, 0, 0, NULL, &b, &err);
			so_logit_free(&b);
		}
		so_logit_free(&m);
		rc = so_logit_fit(xd, 1, Y, NULL, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_OK && m.constant[0] && m.mean[0] == -1.7976931348623157e308 && m.coef[0] == 0,
		   "a constant column at -DBL_MAX: constant, its mean finite");
		so_logit_free(&m);
		rc = so_logit_fit(X, P, Y, ws, ALL, N, 1.0, 0, 0, NULL, &m, &err);
		ok(rc == SO_ERR_RANGE && strstr(err.message, "span more than 1e12") != NULL,
		   "weights spanning 1e300: a range error, not a singular system");
	}

	ok(so_sigmoid(-1000) == 0.0 && so_sigmoid(1000) == 1.0 && so_sigmoid(0) == 0.5, "sigmoid saturates without overflow");
	return done_testing();
}
