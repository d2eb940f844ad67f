/*
 * logistic.c: L2 logistic regression by Newton's method (logistic.h).
 *
 * Design: the standardised design matrix is never stored; each pass over
 * the fit rows standardises a row into a small vector z = (1, z_1..z_q) of
 * the q non-constant columns and adds its share to the gradient and to the
 * upper triangle of the Hessian (q+1)^2 / 2 multiply-adds per row. The
 * Newton system (Hessian + l2 on the diagonal but the intercept's) is
 * solved by Cholesky; it is positive definite whenever l2 > 0. One pass
 * per step, so a fit costs (steps + halvings) * n * q^2 / 2: about 0.25 s
 * a step at a million rows and 20 columns.
 *
 * Failure modes, each a status or an error (never NaN in the output):
 * bad values (checked once, before the first pass, naming row and
 * column), one label class only, a singular system without penalty
 * (collinear columns), separable classes without penalty (a status), no
 * convergence within max_iter steps (a status), a step whose objective is
 * not finite (halved until it is, or stopped at the iterate before).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logistic.h"

#define MAX_HALVINGS 40
#define SEPARATION_GAP 1e-6

double
so_sigmoid(double eta)
{
	if (eta >= 0)
		return 1.0 / (1.0 + exp(-eta));
	else
	{
		double		e = exp(eta);

		return e / (1.0 + e);
	}
}

/* log(1 + exp(eta)) without overflow */
static double
log1pexp(double eta)
{
	if (eta > 0)
		return eta + log1p(exp(-eta));
	return log1p(exp(eta));
}

const char *
so_fit_status_name(so_fit_status status)
{
	switch (status)
	{
		case SO_FIT_CONVERGED:
			return "converged";
		case SO_FIT_ITERATION_CAP:
			return "iteration cap";
		case SO_FIT_SEPARABLE:
			return "separable";
	}
	return "unknown";
}

void
so_logit_free(so_logit_model *m)
{
	if (m == NULL)
		return;
	free(m->mean);
	free(m->scale);
	free(m->constant);
	free(m->coef_std);
	free(m->coef);
	memset(m, 0, sizeof(*m));
}

double
so_logit_predict(const so_logit_model *m, const double *xrow)
{
	double		eta = m->intercept;

	for (size_t j = 0; j < m->p; j++)
		eta += m->coef[j] * xrow[j];
	return so_sigmoid(eta);
}

static int
fail(so_error *err, so_errcode code, const char *path, const char *message, const char *expected)
{
	return so_error_set(err, code, path, message, expected, NULL);
}

/* The values the fit reads: finite features, 0/1 labels, positive weights. */
static int
check_rows(const double *x, size_t p, const double *y, const double *w,
		   const size_t *rows, size_t nrows, so_error *err)
{
	char		path[64];
	size_t		ones = 0;
	double		wmin = INFINITY,
				wmax = 0;

	for (size_t k = 0; k < nrows; k++)
	{
		size_t		i = rows[k];
		const double *xi = x + i * p;

		for (size_t j = 0; j < p; j++)
			if (!isfinite(xi[j]))
			{
				snprintf(path, sizeof(path), "row %zu, column %zu", i, j);
				return fail(err, SO_ERR_RANGE, path, "a feature value is not finite", "finite numbers");
			}
		if (y[i] != 0.0 && y[i] != 1.0)
		{
			snprintf(path, sizeof(path), "row %zu", i);
			return fail(err, SO_ERR_RANGE, path, "a label is not 0 or 1", "0 or 1");
		}
		if (w != NULL && !(isfinite(w[i]) && w[i] > 0))
		{
			snprintf(path, sizeof(path), "row %zu", i);
			return fail(err, SO_ERR_RANGE, path, "a row weight is not a positive finite number",
						"weights > 0 (1/propensity)");
		}
		ones += y[i] == 1.0;
		if (w != NULL)
		{
			wmin = fmin(wmin, w[i]);
			wmax = fmax(wmax, w[i]);
		}
	}
	if (ones == 0 || ones == nrows)
		return fail(err, SO_ERR_CONFLICT, "", ones == 0 ? "every label is 0" : "every label is 1",
					"fit rows with both labels");
	if (w != NULL && wmax > SO_LOGIT_MAX_WEIGHT_SPREAD * wmin)
		return fail(err, SO_ERR_RANGE, "", "the row weights span more than 1e12 (largest / smallest)",
					"1/propensity weights of propensities that are not vanishingly small");
	return SO_OK;
}

/* In place: L L' = a (q x q, row-major, upper triangle read); false when not positive definite. */
static bool
cholesky(double *a, size_t q)
{
	for (size_t j = 0; j < q; j++)
	{
		double		d = a[j * q + j];

		for (size_t k = 0; k < j; k++)
			d -= a[j * q + k] * a[j * q + k];
		if (!(d > 0) || !isfinite(d))
			return false;
		d = sqrt(d);
		a[j * q + j] = d;
		for (size_t i = j + 1; i < q; i++)
		{
			double		s = a[j * q + i];	/* upper triangle: H[j][i] */

			for (size_t k = 0; k < j; k++)
				s -= a[i * q + k] * a[j * q + k];
			a[i * q + j] = s / d;
		}
	}
	return true;
}

/* Solve L L' x = b in place (L in the lower triangle of a). */
static void
cholesky_solve(const double *a, size_t q, double *b)
{
	for (size_t i = 0; i < q; i++)
	{
		double		s = b[i];

		for (size_t k = 0; k < i; k++)
			s -= a[i * q + k] * b[k];
		b[i] = s / a[i * q + i];
	}
	for (size_t i = q; i-- > 0;)
	{
		double		s = b[i];

		for (size_t k = i + 1; k < q; k++)
			s -= a[k * q + i] * b[k];
		b[i] = s / a[i * q + i];
	}
}

typedef struct fit_state
{
	const double *x;
	size_t		p;
	const double *y;
	const double *w;
	const size_t *rows;
	size_t		nrows;
	size_t		q;				/* 1 + non-constant columns */
	size_t	   *col;			/* [q-1] which feature column each system column is */
	const double *unit;			/* [p] largest |x| of the column (1 when 0) */
	const double *umean;		/* [p] mean of x / unit */
	const double *uscale;		/* [p] population sd of x / unit */
	double		l2;
	double	   *z;				/* [q] work row */
} fit_state;

static void
standardised_row(const fit_state *s, size_t i, double *z)
{
	const double *xi = s->x + i * s->p;

	z[0] = 1.0;
	for (size_t k = 1; k < s->q; k++)
	{
		size_t		j = s->col[k - 1];

		z[k] = (xi[j] / s->unit[j] - s->umean[j]) / s->uscale[j];
	}
}

/* The penalised objective at beta (q values); also whether every row is separated. */
static double
objective(const fit_state *s, const double *beta, bool *separated)
{
	double		f = 0;
	bool		sep = true;

	for (size_t r = 0; r < s->nrows; r++)
	{
		size_t		i = s->rows[r];
		double		eta = 0;

		standardised_row(s, i, s->z);
		for (size_t k = 0; k < s->q; k++)
			eta += beta[k] * s->z[k];
		f += (s->w ? s->w[i] : 1.0) * (log1pexp(eta) - s->y[i] * eta);
		if (sep && fabs(so_sigmoid(eta) - s->y[i]) >= SEPARATION_GAP)
			sep = false;
	}
	for (size_t k = 1; k < s->q; k++)
		f += 0.5 * s->l2 * beta[k] * beta[k];
	if (separated)
		*separated = sep;
	return f;
}

/* Gradient g and Hessian h (upper triangle filled, then mirrored) at beta. */
static void
gradient_hessian(const fit_state *s, const double *beta, double *g, double *h)
{
	size_t		q = s->q;

	memset(g, 0, q * sizeof(double));
	memset(h, 0, q * q * sizeof(double));
	for (size_t r = 0; r < s->nrows; r++)
	{
		size_t		i = s->rows[r];
		double		eta = 0,
					mu,
					wi = s->w ? s->w[i] : 1.0,
					wmu;
		const double *z = s->z;

		standardised_row(s, i, s->z);
		for (size_t k = 0; k < q; k++)
			eta += beta[k] * z[k];
		mu = so_sigmoid(eta);
		wmu = wi * mu * (1.0 - mu);
		for (size_t a = 0; a < q; a++)
		{
			double		za = wmu * z[a];
			double	   *ha = h + a * q;

			g[a] += wi * (mu - s->y[i]) * z[a];
			for (size_t b = a; b < q; b++)
				ha[b] += za * z[b];
		}
	}
	for (size_t k = 1; k < q; k++)
	{
		g[k] += s->l2 * beta[k];
		h[k * q + k] += s->l2;
	}
}

int
so_logit_fit(const double *x, size_t p, const double *y, const double *w,
			 const size_t *rows, size_t nrows, double l2, int max_iter, double tol,
			 bool (*should_stop) (void), so_logit_model *out, so_error *err)
{
	so_logit_model m;
	fit_state	s;
	double	   *beta = NULL,
			   *unit = NULL,
			   *umean = NULL,
			   *uscale = NULL,
			   *trial = NULL,
			   *g = NULL,
			   *h = NULL;
	double		f;
	bool		separated = false;
	int			rc;

	so_error_clear(err);
	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	if (!(isfinite(l2) && l2 >= 0))
		return fail(err, SO_ERR_RANGE, "l2", "the penalty is not a number >= 0", "l2 >= 0 (1.0 by default)");
	if (p > SO_LOGIT_MAX_COLUMNS)
		return fail(err, SO_ERR_TOO_LARGE, "", "too many feature columns", "at most 1024 columns after one-hot encoding");
	if (nrows == 0)
		return fail(err, SO_ERR_EMPTY, "", "no rows to fit", "at least one row of each label");
	if (max_iter < 1)
		max_iter = SO_LOGIT_DEFAULT_MAX_ITER;
	if (!(tol > 0))
		tol = SO_LOGIT_DEFAULT_TOL;
	if ((rc = check_rows(x, p, y, w, rows, nrows, err)) != SO_OK)
		return rc;

	m.p = p;
	m.rows = nrows;
	m.mean = calloc(p ? p : 1, sizeof(double));
	m.scale = calloc(p ? p : 1, sizeof(double));
	m.constant = calloc(p ? p : 1, 1);
	m.coef_std = calloc(p ? p : 1, sizeof(double));
	m.coef = calloc(p ? p : 1, sizeof(double));
	unit = calloc(p ? p : 1, sizeof(double));
	umean = calloc(p ? p : 1, sizeof(double));
	uscale = calloc(p ? p : 1, sizeof(double));
	s.col = calloc(p ? p : 1, sizeof(size_t));
	s.z = calloc(p + 1, sizeof(double));
	beta = calloc(p + 1, sizeof(double));
	trial = calloc(p + 1, sizeof(double));
	g = calloc(p + 1, sizeof(double));
	h = calloc((p + 1) * (p + 1), sizeof(double));
	if (!m.mean || !m.scale || !m.constant || !m.coef_std || !m.coef || !unit || !umean || !uscale || !s.col || !s.z ||
		!beta || !trial || !g || !h)
	{
		rc = fail(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer rows or columns");
		goto done;
	}

	/*
	 * Mean and population sd per column, two passes, over x / unit (unit the
	 * column's largest magnitude): sums of values near DBL_MAX, or squares of
	 * values beyond 1e154, would overflow otherwise (found by the fuzz target).
	 */
	for (size_t r = 0; r < nrows; r++)
		for (size_t j = 0; j < p; j++)
			unit[j] = fmax(unit[j], fabs(x[rows[r] * p + j]));
	for (size_t j = 0; j < p; j++)
		if (!(unit[j] > 0))
			unit[j] = 1.0;
	for (size_t r = 0; r < nrows; r++)
		for (size_t j = 0; j < p; j++)
			umean[j] += x[rows[r] * p + j] / unit[j];
	for (size_t j = 0; j < p; j++)
		umean[j] /= (double) nrows;
	for (size_t r = 0; r < nrows; r++)
		for (size_t j = 0; j < p; j++)
		{
			double		d = x[rows[r] * p + j] / unit[j] - umean[j];

			uscale[j] += d * d;
		}
	s.q = 1;
	for (size_t j = 0; j < p; j++)
	{
		double		sd = sqrt(uscale[j] / (double) nrows);

		m.mean[j] = umean[j] * unit[j];
		/*
		 * scikit-learn keeps scale 1 where the variance is at rounding level
		 * (here relative to the column's magnitude, as x / unit is within 1)
		 */
		if (!(sd > 0) || sd <= 10.0 * 2.220446049250313e-16)
		{
			m.scale[j] = 1.0;
			m.constant[j] = 1;
			uscale[j] = 1.0;
		}
		else
		{
			uscale[j] = sd;
			m.scale[j] = sd * unit[j];
			s.col[s.q++ - 1] = j;
		}
	}

	s.x = x;
	s.p = p;
	s.y = y;
	s.w = w;
	s.rows = rows;
	s.nrows = nrows;
	s.unit = unit;
	s.umean = umean;
	s.uscale = uscale;
	s.l2 = l2;

	f = objective(&s, beta, &separated);
	m.status = SO_FIT_ITERATION_CAP;
	for (m.iterations = 0; m.iterations < max_iter;)
	{
		double		f_new = f,
					step = 1.0;
		bool		improved = false;

		if (should_stop && should_stop())
		{
			rc = fail(err, SO_ERR_INTERRUPTED, "", "interrupted", NULL);
			goto done;
		}
		gradient_hessian(&s, beta, g, h);
		if (!cholesky(h, s.q))
		{
			if (l2 == 0)
				rc = fail(err, SO_ERR_CONFLICT, "", "the system is singular: collinear feature columns",
						  "l2 > 0, or columns none of which is a combination of others "
						  "(every level of a one-hot feature sums to the intercept)");
			else
				rc = fail(err, SO_ERR_RANGE, "", "the system is too ill-conditioned to solve",
						  "features and weights of moderate spread");
			goto done;
		}
		cholesky_solve(h, s.q, g);
		m.iterations++;
		for (int halving = 0; halving <= MAX_HALVINGS; halving++, step *= 0.5)
		{
			bool		sep;

			if (should_stop && should_stop())
			{
				rc = fail(err, SO_ERR_INTERRUPTED, "", "interrupted", NULL);
				goto done;
			}
			for (size_t k = 0; k < s.q; k++)
				trial[k] = beta[k] - step * g[k];
			f_new = objective(&s, trial, &sep);
			if (isfinite(f_new) && f_new <= f)
			{
				memcpy(beta, trial, s.q * sizeof(double));
				separated = sep;
				improved = true;
				break;
			}
		}
		if (!improved)
		{
			/* no step lowers the objective: beta is a minimum to rounding */
			m.status = SO_FIT_CONVERGED;
			break;
		}
		if (fabs(f - f_new) <= tol * fmax(fabs(f_new), 1e-300))
		{
			f = f_new;
			m.status = SO_FIT_CONVERGED;
			break;
		}
		f = f_new;
		if (l2 == 0 && separated)
		{
			m.status = SO_FIT_SEPARABLE;
			break;
		}
	}
	if (l2 == 0 && separated)
		m.status = SO_FIT_SEPARABLE;
	m.objective = f;

	/* back to the original scale */
	m.intercept_std = beta[0];
	m.intercept = beta[0];
	for (size_t k = 1; k < s.q; k++)
	{
		size_t		j = s.col[k - 1];

		m.coef_std[j] = beta[k];
		m.coef[j] = beta[k] / m.scale[j];
		/* coef * mean without the unit, which cancels (and could overflow) */
		m.intercept -= beta[k] * (umean[j] / uscale[j]);
	}
	for (size_t j = 0; j < p; j++)
		if (!isfinite(m.coef[j]) || !isfinite(m.coef_std[j]))
		{
			rc = fail(err, SO_ERR_RANGE, "", "the fit left a coefficient that is not finite",
					  "l2 > 0, or features of moderate magnitude");
			goto done;
		}
	if (!isfinite(m.intercept))
	{
		rc = fail(err, SO_ERR_RANGE, "", "the fit left an intercept that is not finite",
				  "l2 > 0, or features of moderate magnitude");
		goto done;
	}
	*out = m;
	memset(&m, 0, sizeof(m));
	rc = SO_OK;

done:
	so_logit_free(&m);
	free(unit);
	free(umean);
	free(uscale);
	free(s.col);
	free(s.z);
	free(beta);
	free(trial);
	free(g);
	free(h);
	return rc;
}
