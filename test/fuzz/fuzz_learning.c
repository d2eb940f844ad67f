/*
 * fuzz_learning.c: the learner's part of the libFuzzer harness
 * (fuzz_core.c calls fuzz_learning with every input).
 *
 * Independently of the JSON reading, the input's bytes are read as a
 * small numeric problem (the layout is above decode_problem:
 * p <= 6 columns, n <= 64 rows, l2 in {0, 1e-3, 1, 100}, max_iter in
 * {1, 3, 100}, values that are mostly ordinary but may be NaN, +-Inf,
 * +-1e300, +-DBL_MAX, denormals, -0, duplicates and constant columns,
 * labels that may be 0.5 or 2, optional weights that may be 0 or < 0):
 *
 *   so_logit_fit               on the fit rows (all, a subset, or reversed),
 *                              sometimes with a should_stop that stops it;
 *                              then so_logit_predict of every fit row,
 *                              so_logit_free
 *   so_sigmoid                 of every finite value decoded or read raw
 *   so_uplift_metrics_compute, so_qini_deciles, so_auc, so_qini_noise,
 *   so_auc_noise               on the rows read as scores (finite), arm and
 *                              label bytes, and on the fit's predictions
 *
 * The invariants checked (abort() with the broken one, as in fuzz_core.c):
 *
 *   logistic:   so_logit_fit returns SO_OK or SO_ERR_EMPTY, _CONFLICT,
 *               _RANGE or _INTERRUPTED, equal to err.code, with a message
 *               and *out zeroed on failure; no fit rows give EMPTY; a value
 *               not finite, a label other than 0/1 or a weight <= 0 in the
 *               fit rows gives RANGE with err.path naming such a row; one
 *               label only gives CONFLICT, and otherwise CONFLICT only with
 *               l2 = 0; INTERRUPTED exactly when should_stop said stop; on
 *               success the status is one of the three (separable only with
 *               l2 = 0), 1 <= iterations <= max_iter, every mean, scale,
 *               coef, coef_std and the intercepts are finite, scale > 0, a
 *               column constant on the fit rows is marked constant, a
 *               constant column has scale 1 and coefficients 0, and every
 *               fit row's prediction is finite and in [0, 1]; so_sigmoid of
 *               a finite value is in [0, 1];
 *   uplift:     any nonzero arm or label byte gives the results of 1; rows
 *               without both arms and both labels give false (and nothing
 *               written); computed metrics are finite, the arm counts and
 *               average uplift right, uplift at k in [-1, 1] or NaN (NaN at
 *               30% only if at 10%); deciles exist for n > 0, start at 0 and
 *               end at the curve's last point; so_auc is defined exactly
 *               with both labels, in [0, 1], and 1 - AUC for the negated
 *               scores; the noise functions give the same bits twice for a
 *               seed, refuse 0 draws, qini noise is defined wherever the
 *               metrics are, AUC noise is in [0, 0.5].
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "logistic.h"
#include "so_error.h"
#include "uplift_metrics.h"


/*
 * The input read, independently of the JSON reading, as a small numeric
 * problem for logistic.h and uplift_metrics.h. Bytes past the end read as
 * 0. Layout:
 *
 *   h0  p = h0 % 7 feature columns
 *   h1  n = h1 % 65 rows
 *   h2  bits 0-1 l2 {0, 1e-3, 1, 100}; bits 2-3 max_iter {1, 3, 100, 100};
 *       bit 4 row weights; bit 5 fit only the rows whose label byte has
 *       bit 1 set; bit 6 list the fit rows in reverse order
 *   h3  bits 0-1 spice: 0 ordinary values only; 1 also finite extremes;
 *       2 also NaN and infinities; 3 also bad labels and weights;
 *       bits 2-4 == 7: a should_stop that says stop at call 1 + (h3 >> 5)
 *   h4  bits 0-5 constant columns (every row takes row 0's value);
 *       bits 6-7 tol {1e-10, 1e-3, 1e-14, 0}
 *   h5  seed and draws of the noise functions
 *   then per row: a label byte (bit 0 the label; bits 2-3 the uplift arm,
 *   bits 4-7 the uplift label byte's value), a weight byte when weighted,
 *   and p value tokens (decode_value).
 */
#define LEARN_MAX_P 6
#define LEARN_MAX_N 64

typedef struct byte_reader
{
	const uint8_t *data;
	size_t		size,
				pos;
} byte_reader;

static uint8_t
next_byte(byte_reader *r)
{
	return r->pos < r->size ? r->data[r->pos++] : 0;
}

/*
 * One value token. Ordinary: a digit is its value, any other byte b is
 * (b - 96) / 16 (exact, with many duplicates); '=' repeats the previous
 * value. Spice >= 1: 'H'/'h' +-1e300, 'M'/'m' +-DBL_MAX, 'B' 1e154 (its
 * square is near DBL_MAX), 'd'/'e' denormals, 't' 1e-300, 'z' -0, 'R' the
 * next 8 bytes as a double (made finite below spice 2). Spice >= 2: 'N'
 * NaN, 'I'/'i' +-Inf.
 */
static double
decode_value(byte_reader *r, int spice, double prev)
{
	uint8_t		b = next_byte(r);

	if (b == '=')
		return prev;
	if (spice >= 1)
		switch (b)
		{
			case 'H':
				return 1e300;
			case 'h':
				return -1e300;
			case 'M':
				return DBL_MAX;
			case 'm':
				return -DBL_MAX;
			case 'B':
				return 1e154;
			case 'd':
				return DBL_TRUE_MIN;
			case 'e':
				return -3 * DBL_TRUE_MIN;
			case 't':
				return 1e-300;
			case 'z':
				return -0.0;
			case 'R':
				{
					uint8_t		raw[sizeof(double)];
					double		v;

					for (size_t k = 0; k < sizeof raw; k++)
						raw[k] = next_byte(r);
					memcpy(&v, raw, sizeof v);
					return spice >= 2 || isfinite(v) ? v : 1.0;
				}
		}
	if (spice >= 2)
		switch (b)
		{
			case 'N':
				return NAN;
			case 'I':
				return INFINITY;
			case 'i':
				return -INFINITY;
		}
	if (b >= '0' && b <= '9')
		return (double) (b - '0');
	return ((int) b - 96) / 16.0;
}

/* A label: bit 0; spice 3 adds '?' 0.5, '!' 2, '~' -1, 'N' NaN. */
static double
decode_label(uint8_t b, int spice)
{
	if (spice >= 3)
		switch (b)
		{
			case '?':
				return 0.5;
			case '!':
				return 2.0;
			case '~':
				return -1.0;
			case 'N':
				return NAN;
		}
	return (double) (b & 1);
}

/* A weight in 0.25..4; 'H' 1e300 and 't' 1e-300 from spice 1; spice 3 adds '_' 0, 'z' -0, '-' -1, 'N' NaN, 'I' Inf. */
static double
decode_weight(uint8_t b, int spice)
{
	if (spice >= 1 && b == 'H')
		return 1e300;
	if (spice >= 1 && b == 't')
		return 1e-300;
	if (spice >= 3)
		switch (b)
		{
			case '_':
				return 0.0;
			case 'z':
				return -0.0;
			case '-':
				return -1.0;
			case 'N':
				return NAN;
			case 'I':
				return INFINITY;
		}
	return ((b % 16) + 1) / 4.0;
}

typedef struct learn_problem
{
	size_t		p,
				n;
	double		l2;
	int			max_iter;
	double		tol;
	bool		weighted;
	int			spice;
	int			stop_at;		/* 0: no should_stop */
	uint8_t		seed;
	double		x[LEARN_MAX_N * LEARN_MAX_P];
	double		y[LEARN_MAX_N];
	double		w[LEARN_MAX_N];
	uint8_t		lb[LEARN_MAX_N];	/* each row's label byte */
	size_t		rows[LEARN_MAX_N];	/* the fit rows */
	size_t		nrows;
	bool		used[LEARN_MAX_N];
} learn_problem;

static void
decode_problem(const uint8_t *data, size_t size, learn_problem *lp)
{
	static const double l2s[4] = {0, 1e-3, 1, 100};
	static const int iters[4] = {1, 3, 100, 100};
	static const double tols[4] = {1e-10, 1e-3, 1e-14, 0};
	byte_reader r = {data, size, 0};
	uint8_t		h[6];
	double		prev = 0;

	for (int k = 0; k < 6; k++)
		h[k] = next_byte(&r);
	memset(lp, 0, sizeof(*lp));
	lp->p = h[0] % (LEARN_MAX_P + 1);
	lp->n = h[1] % (LEARN_MAX_N + 1);
	lp->l2 = l2s[h[2] & 3];
	lp->max_iter = iters[(h[2] >> 2) & 3];
	lp->weighted = (h[2] & 0x10) != 0;
	lp->spice = h[3] & 3;
	lp->stop_at = ((h[3] >> 2) & 7) == 7 ? 1 + (h[3] >> 5) : 0;
	lp->tol = tols[h[4] >> 6];
	lp->seed = h[5];
	for (size_t i = 0; i < lp->n; i++)
	{
		lp->lb[i] = next_byte(&r);
		lp->y[i] = decode_label(lp->lb[i], lp->spice);
		lp->w[i] = lp->weighted ? decode_weight(next_byte(&r), lp->spice) : 1.0;
		for (size_t j = 0; j < lp->p; j++)
		{
			double		v = decode_value(&r, lp->spice, prev);

			prev = v;
			lp->x[i * lp->p + j] = (h[4] >> j & 1) && i > 0 ? lp->x[j] : v;
		}
	}
	for (size_t k = 0; k < lp->n; k++)
	{
		size_t		i = (h[2] & 0x40) ? lp->n - 1 - k : k;

		if (!(h[2] & 0x20) || (lp->lb[i] & 2))
		{
			lp->rows[lp->nrows++] = i;
			lp->used[i] = true;
		}
	}
}

/* so_logit_fit's should_stop: true from call number learn_stop_at on. */
static int	learn_stop_at,
			learn_stop_calls;
static bool learn_stop_fired;

static bool
learn_should_stop(void)
{
	if (++learn_stop_calls >= learn_stop_at)
	{
		learn_stop_fired = true;
		return true;
	}
	return false;
}

/* Row i of the problem is refused by contract: a value not finite, a label not 0/1, a weight not > 0. */
static bool
row_is_bad(const learn_problem *lp, size_t i)
{
	for (size_t j = 0; j < lp->p; j++)
		if (!isfinite(lp->x[i * lp->p + j]))
			return true;
	if (lp->y[i] != 0.0 && lp->y[i] != 1.0)
		return true;
	return lp->weighted && !(isfinite(lp->w[i]) && lp->w[i] > 0);
}

static void
check_sigmoid(double v)
{
	double		s;

	if (!isfinite(v))
		return;
	s = so_sigmoid(v);
	CHECK(!isnan(s) && s >= 0 && s <= 1, "so_sigmoid(%.17g) = %.17g", v, s);
	s = so_sigmoid(-v);
	CHECK(!isnan(s) && s >= 0 && s <= 1, "so_sigmoid(%.17g) = %.17g", -v, s);
}

/*
 * Every uplift_metrics.h function on n rows (scores finite: the callers'
 * duty). Arm and label bytes may be any nonzero value for 1: the results
 * must equal those of the same rows written with 0/1.
 */
static void
check_uplift(const char *what, const double *score, const unsigned char *arm,
			 const unsigned char *label, size_t n, uint8_t seed)
{
	unsigned char arm01[LEARN_MAX_N],
				label01[LEARN_MAX_N];
	int64_t		nt = 0,
				nc = 0,
				yt = 0,
				yc = 0;
	bool		degenerate,
				ok,
				ok01;
	so_uplift_metrics m,
				m01,
				untouched;
	double		dec[11],
				dec01[11],
				auc = -7,
				auc01 = -7,
				auc_neg = -7,
				noise = -7,
				noise2 = -7,
				noise01 = -7;
	double		neg[LEARN_MAX_N];
	int			draws = 1 + seed % 5;
	int64_t		rseed = (int64_t) seed * 2654435761 - 7,
				stream = (int64_t) n;

	for (size_t i = 0; i < n; i++)
	{
		CHECK(isfinite(score[i]), "%s: harness gave score %zu = %g", what, i, score[i]);
		arm01[i] = arm[i] != 0;
		label01[i] = label[i] != 0;
		if (arm01[i])
		{
			nt++;
			yt += label01[i];
		}
		else
		{
			nc++;
			yc += label01[i];
		}
		neg[i] = -score[i];
	}
	degenerate = n == 0 || nt == 0 || nc == 0 || yt + yc == 0 || yt + yc == (int64_t) n;

	/* so_uplift_metrics_compute */
	memset(&m, 0xA5, sizeof m);
	memset(&m01, 0xA5, sizeof m01);
	memset(&untouched, 0xA5, sizeof untouched);
	ok = so_uplift_metrics_compute(score, arm, label, n, &m);
	ok01 = so_uplift_metrics_compute(score, arm01, label01, n, &m01);
	CHECK(ok == ok01 && memcmp(&m, &m01, sizeof m) == 0,
		  "%s: so_uplift_metrics_compute differs for nonzero bytes other than 1 (%d, %d)", what, ok, ok01);
	if (degenerate)
		CHECK(!ok, "%s: metrics of %zu rows, %lld treated (%lld responders), %lld control (%lld)",
			  what, n, (long long) nt, (long long) yt, (long long) nc, (long long) yc);
	if (!ok)
		CHECK(memcmp(&m, &untouched, sizeof m) == 0, "%s: so_uplift_metrics_compute false but wrote", what);
	else
	{
		double		avg = (double) yt / (double) nt - (double) yc / (double) nc;

		CHECK(isfinite(m.qini) && isfinite(m.qini_area) && isfinite(m.auuc) && isfinite(m.auuc_area)
			  && isfinite(m.uplift_average),
			  "%s: metrics not finite: qini %g (area %g), auuc %g (area %g), average %g",
			  what, m.qini, m.qini_area, m.auuc, m.auuc_area, m.uplift_average);
		CHECK(m.treated == nt && m.control == nc, "%s: arms %lld/%lld, counted %lld/%lld", what,
			  (long long) m.treated, (long long) m.control, (long long) nt, (long long) nc);
		CHECK(fabs(m.uplift_average - avg) <= 1e-12, "%s: uplift_average %.17g, want %.17g",
			  what, m.uplift_average, avg);
		CHECK(isnan(m.uplift_at_10) || (m.uplift_at_10 >= -1 && m.uplift_at_10 <= 1),
			  "%s: uplift_at_10 %.17g", what, m.uplift_at_10);
		CHECK(isnan(m.uplift_at_30) || (m.uplift_at_30 >= -1 && m.uplift_at_30 <= 1),
			  "%s: uplift_at_30 %.17g", what, m.uplift_at_30);
		CHECK(!isnan(m.uplift_at_30) || isnan(m.uplift_at_10),
			  "%s: an arm is absent from the first 30%% but not from the first 10%%", what);
	}

	/* so_qini_deciles */
	memset(dec, 0xA5, sizeof dec);
	memset(dec01, 0xA5, sizeof dec01);
	ok = so_qini_deciles(score, arm, label, n, dec);
	ok01 = so_qini_deciles(score, arm01, label01, n, dec01);
	CHECK(ok == ok01 && memcmp(dec, dec01, sizeof dec) == 0,
		  "%s: so_qini_deciles differs for nonzero bytes other than 1", what);
	CHECK(ok == (n > 0), "%s: so_qini_deciles of %zu rows returned %d", what, n, ok);
	if (ok)
	{
		double		ratio = nc != 0 ? (double) nt / (double) nc : 0.0;
		double		last = (double) yt - (double) yc * ratio;

		CHECK(dec[0] == 0, "%s: qini decile 0 is %.17g", what, dec[0]);
		for (int i = 0; i < 11; i++)
			CHECK(isfinite(dec[i]), "%s: qini decile %d is %.17g", what, i, dec[i]);
		CHECK(fabs(dec[10] - last) <= 1e-9 * fmax(1.0, fabs(last)),
			  "%s: qini decile 10 is %.17g, the curve ends at %.17g", what, dec[10], last);
	}

	/* so_auc */
	ok = so_auc(score, label, n, &auc);
	ok01 = so_auc(score, label01, n, &auc01);
	CHECK(ok == ok01 && memcmp(&auc, &auc01, sizeof auc) == 0,
		  "%s: so_auc differs for nonzero bytes other than 1", what);
	CHECK(ok == (yt + yc > 0 && yt + yc < (int64_t) n), "%s: so_auc with %lld of %zu positive returned %d",
		  what, (long long) (yt + yc), n, ok);
	if (ok)
	{
		CHECK(auc >= 0 && auc <= 1, "%s: so_auc %.17g outside [0, 1]", what, auc);
		/* reversing the ranking reflects the AUC (ties stay ties) */
		CHECK(so_auc(neg, label, n, &auc_neg) && fabs(auc + auc_neg - 1) <= 1e-12,
			  "%s: so_auc %.17g, of the negated scores %.17g", what, auc, auc_neg);
	}
	else
		CHECK(auc == -7, "%s: so_auc false but wrote %.17g", what, auc);

	/* so_qini_noise: deterministic for a seed, defined where the qini is */
	ok = so_qini_noise(arm, label, n, draws, rseed, stream, &noise);
	CHECK(so_qini_noise(arm, label, n, draws, rseed, stream, &noise2) == ok &&
		  memcmp(&noise, &noise2, sizeof noise) == 0,
		  "%s: so_qini_noise not deterministic: %.17g then %.17g", what, noise, noise2);
	CHECK(so_qini_noise(arm01, label01, n, draws, rseed, stream, &noise01) == ok &&
		  memcmp(&noise, &noise01, sizeof noise) == 0,
		  "%s: so_qini_noise differs for nonzero bytes other than 1", what);
	if (degenerate)
		CHECK(!ok, "%s: so_qini_noise on rows without a qini", what);
	if (so_uplift_metrics_compute(score, arm, label, n, &m))
		CHECK(ok, "%s: the qini is defined but so_qini_noise refused", what);
	if (ok)
		CHECK(isfinite(noise), "%s: so_qini_noise %.17g", what, noise);
	else
		CHECK(noise == -7, "%s: so_qini_noise false but wrote %.17g", what, noise);
	noise2 = -7;
	CHECK(!so_qini_noise(arm, label, n, 0, rseed, stream, &noise2) && noise2 == -7,
		  "%s: so_qini_noise with 0 draws", what);

	/* so_auc_noise */
	noise = noise2 = -7;
	ok = so_auc_noise(label, n, draws, rseed, stream, &noise);
	CHECK(so_auc_noise(label, n, draws, rseed, stream, &noise2) == ok &&
		  memcmp(&noise, &noise2, sizeof noise) == 0,
		  "%s: so_auc_noise not deterministic: %.17g then %.17g", what, noise, noise2);
	CHECK(ok == (yt + yc > 0 && yt + yc < (int64_t) n), "%s: so_auc_noise with %lld of %zu positive returned %d",
		  what, (long long) (yt + yc), n, ok);
	if (ok)
		CHECK(noise >= 0 && noise <= 0.5, "%s: so_auc_noise %.17g outside [0, 0.5]", what, noise);
	else
		CHECK(noise == -7, "%s: so_auc_noise false but wrote %.17g", what, noise);
	noise2 = -7;
	CHECK(!so_auc_noise(label, n, 0, rseed, stream, &noise2) && noise2 == -7,
		  "%s: so_auc_noise with 0 draws", what);
}

/* The fit's contract (logistic.h) on the decoded problem; the fitted rows' predictions then feed check_uplift. */
static void
fuzz_logit(const learn_problem *lp)
{
	so_logit_model m;
	so_error	err;
	int			rc;
	bool		bad[LEARN_MAX_N] = {false};
	bool		any_bad = false,
				same_labels = true;

	for (size_t k = 0; k < lp->nrows; k++)
	{
		size_t		i = lp->rows[k];

		bad[i] = row_is_bad(lp, i);
		any_bad |= bad[i];
		if (lp->y[i] != lp->y[lp->rows[0]])
			same_labels = false;
	}

	memset(&m, 0x5A, sizeof m);
	poison_error(&err);
	learn_stop_at = lp->stop_at;
	learn_stop_calls = 0;
	learn_stop_fired = false;
	rc = so_logit_fit(lp->x, lp->p, lp->y, lp->weighted ? lp->w : NULL, lp->rows, lp->nrows,
					  lp->l2, lp->max_iter, lp->tol, lp->stop_at ? learn_should_stop : NULL, &m, &err);

	CHECK(rc == SO_OK || rc == SO_ERR_EMPTY || rc == SO_ERR_CONFLICT || rc == SO_ERR_RANGE ||
		  rc == SO_ERR_INTERRUPTED, "so_logit_fit: code %d (%s) is none of logistic.h's",
		  rc, so_errcode_name((so_errcode) rc));
	CHECK((int) err.code == rc, "so_logit_fit: err.code %d != rc %d", (int) err.code, rc);
	CHECK(nul_within(err.path, sizeof(err.path)) && nul_within(err.message, sizeof(err.message)) &&
		  nul_within(err.expected, sizeof(err.expected)) && nul_within(err.found, sizeof(err.found)),
		  "so_logit_fit: an err buffer is not NUL-terminated");
	CHECK(learn_stop_fired == (rc == SO_ERR_INTERRUPTED),
		  "so_logit_fit: should_stop said %s, rc %d", learn_stop_fired ? "stop" : "never stop", rc);

	/* the refusals the input calls for */
	if (lp->nrows == 0)
		CHECK(rc == SO_ERR_EMPTY, "so_logit_fit: no rows gave %d (%s)", rc, err.message);
	else if (any_bad)
	{
		unsigned long row;

		CHECK(rc == SO_ERR_RANGE, "so_logit_fit: a bad value in the fit rows gave %d (%s)",
			  rc, rc == SO_OK ? "ok" : err.message);
		CHECK(sscanf(err.path, "row %lu", &row) == 1 && row < lp->n && lp->used[row] && bad[row],
			  "so_logit_fit: range error at '%s', not a bad fit row", err.path);
	}
	else if (same_labels)
		CHECK(rc == SO_ERR_CONFLICT, "so_logit_fit: one label only (%g) gave %d (%s)",
			  lp->y[lp->rows[0]], rc, rc == SO_OK ? "ok" : err.message);
	else
	{
		CHECK(rc != SO_ERR_CONFLICT || lp->l2 == 0,
			  "so_logit_fit: conflict with l2 = %g (%s)", lp->l2, err.message);
		CHECK(rc != SO_ERR_INTERRUPTED || learn_stop_fired, "so_logit_fit: interrupted unasked");
	}

	if (rc != SO_OK)
	{
		CHECK(err.message[0] != '\0', "so_logit_fit: empty err.message (code %d)", rc);
		CHECK(m.p == 0 && m.mean == NULL && m.scale == NULL && m.constant == NULL &&
			  m.coef_std == NULL && m.coef == NULL && m.rows == 0 && m.iterations == 0 &&
			  m.intercept == 0 && m.intercept_std == 0 && m.objective == 0 && (int) m.status == 0,
			  "so_logit_fit: *out not zeroed on failure (code %d)", rc);
		return;
	}

	check_cleared("so_logit_fit", &err);
	CHECK(m.p == lp->p && m.rows == lp->nrows, "so_logit_fit: model of %zu columns, %zu rows", m.p, m.rows);
	CHECK(m.status == SO_FIT_CONVERGED || m.status == SO_FIT_ITERATION_CAP ||
		  m.status == SO_FIT_SEPARABLE, "so_logit_fit: status %d", (int) m.status);
	CHECK(strcmp(so_fit_status_name(m.status), "unknown") != 0, "status %d has no name", (int) m.status);
	CHECK(m.status != SO_FIT_SEPARABLE || lp->l2 == 0, "so_logit_fit: separable with l2 = %g", lp->l2);
	CHECK(m.iterations >= 1 && m.iterations <= lp->max_iter, "so_logit_fit: %d iterations, max_iter %d",
		  m.iterations, lp->max_iter);
	CHECK(isfinite(m.intercept) && isfinite(m.intercept_std), "so_logit_fit: intercept %.17g (std %.17g)",
		  m.intercept, m.intercept_std);
	CHECK(!isnan(m.objective), "so_logit_fit: objective NaN");
	CHECK(m.mean != NULL && m.scale != NULL && m.constant != NULL && m.coef_std != NULL && m.coef != NULL,
		  "so_logit_fit: a model array is NULL");
	for (size_t j = 0; j < lp->p; j++)
	{
		bool		exactly_constant = true;

		for (size_t k = 1; k < lp->nrows; k++)
			if (lp->x[lp->rows[k] * lp->p + j] != lp->x[lp->rows[0] * lp->p + j])
				exactly_constant = false;
		CHECK(isfinite(m.mean[j]), "so_logit_fit: column %zu mean %.17g", j, m.mean[j]);
		CHECK(isfinite(m.scale[j]) && m.scale[j] > 0, "so_logit_fit: column %zu scale %.17g (mean %.17g)",
			  j, m.scale[j], m.mean[j]);
		CHECK(isfinite(m.coef[j]) && isfinite(m.coef_std[j]), "so_logit_fit: column %zu coef %.17g (std %.17g)",
			  j, m.coef[j], m.coef_std[j]);
		CHECK(m.constant[j] == 0 || m.constant[j] == 1, "so_logit_fit: constant[%zu] = %d", j, m.constant[j]);
		if (exactly_constant)
			CHECK(m.constant[j] == 1, "so_logit_fit: column %zu is constant (%.17g) but not marked (scale %.17g)",
				  j, lp->x[lp->rows[0] * lp->p + j], m.scale[j]);
		if (m.constant[j])
			CHECK(m.scale[j] == 1 && m.coef[j] == 0 && m.coef_std[j] == 0,
				  "so_logit_fit: constant column %zu: scale %.17g, coef %.17g, coef_std %.17g",
				  j, m.scale[j], m.coef[j], m.coef_std[j]);
	}

	/* predictions of the fit rows, then the uplift metrics of them */
	{
		double		score[LEARN_MAX_N];
		unsigned char arm[LEARN_MAX_N],
					label[LEARN_MAX_N];

		for (size_t k = 0; k < lp->nrows; k++)
		{
			size_t		i = lp->rows[k];
			double		pr = so_logit_predict(&m, lp->x + i * lp->p);

			CHECK(isfinite(pr) && pr >= 0 && pr <= 1, "so_logit_predict of row %zu: %.17g", i, pr);
			score[k] = pr;
			arm[k] = (lp->lb[i] >> 2) & 3;
			label[k] = (unsigned char) lp->y[i];
		}
		check_uplift("uplift of the predictions", score, arm, label, lp->nrows, lp->seed);
	}
	so_logit_free(&m);
	CHECK(m.coef == NULL && m.mean == NULL, "so_logit_free left pointers");
}

void
fuzz_learning(const uint8_t *data, size_t size)
{
	learn_problem *lp = malloc(sizeof(*lp));
	double		score[LEARN_MAX_N];
	unsigned char arm[LEARN_MAX_N],
				label[LEARN_MAX_N];

	if (lp == NULL)
		return;
	decode_problem(data, size, lp);

	fuzz_logit(lp);

	/* the uplift metrics of every row: the first column (finite) ranks */
	for (size_t i = 0; i < lp->n; i++)
	{
		double		v = lp->p > 0 ? lp->x[i * lp->p] : (double) (lp->lb[i] >> 5);

		score[i] = isfinite(v) ? v : (double) (lp->lb[i] >> 3);
		arm[i] = (lp->lb[i] >> 2) & 3;
		label[i] = (lp->lb[i] & 1) ? (unsigned char) (lp->lb[i] >> 4 | 1) : 0;
	}
	check_uplift("uplift of the first column", score, arm, label, lp->n, lp->seed);

	/* so_sigmoid of every value decoded, and of the input's bytes as doubles */
	for (size_t i = 0; i < lp->n * lp->p; i++)
		check_sigmoid(lp->x[i]);
	for (size_t i = 0; i < lp->n; i++)
		check_sigmoid(lp->w[i]);
	for (size_t off = 0; off + sizeof(double) <= size && off < 64 * sizeof(double); off += sizeof(double))
	{
		double		v;

		memcpy(&v, data + off, sizeof v);
		check_sigmoid(v);
	}
	free(lp);
}

