/*
 * model_training.c: SQL's view of the learner (learning.md): fit the one
 * or two logistic models of a model kind on a relation's fit rows, score
 * its validation rows, and return everything the registry keeps as one
 * jsonb document; plus the metrics and the link function on their own.
 *
 * Design: stormops.train_uplift_model (sql/parts/32_models.sql) calls
 * fit_model_rows and writes the registry; this file only reads rows
 * (model_rows.c), calls the core (logistic.c, uplift_metrics.c) and
 * renders numbers with 17 significant digits (round-trip exact). With a
 * treatment column it is a T-learner: arm "treated" is fitted on the
 * treated fit rows, arm "control" on the control ones, each standardised
 * on its own rows; without one, a single model (arm "single").
 *
 * Failure modes: the core's refusals become 22023 errors naming the arm
 * (no rows, one label only, singular system); a fit that stops at the
 * iteration cap or on separable classes is returned with its status (the
 * registry keeps it as a candidate that is never activated); a cancel
 * stops the fit between passes; metrics that are undefined on the
 * validation rows (an arm or a label absent) are JSON null with a note.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "core_error.h"
#include "logistic.h"
#include "model_rows.h"
#include "uplift_metrics.h"

PG_FUNCTION_INFO_V1(stormops_fit_model_rows);
PG_FUNCTION_INFO_V1(stormops_uplift_metrics);
PG_FUNCTION_INFO_V1(stormops_auc);
PG_FUNCTION_INFO_V1(stormops_logistic);

/* Random orders drawn for the noise level of the activation rule. */
#define NOISE_DRAWS 200
#define NOISE_STREAM 14

static void
append_number(StringInfo s, double v)
{
	if (isfinite(v))
		appendStringInfo(s, "%.17g", v);
	else
		appendStringInfoString(s, "null");
}

static void
append_key_number(StringInfo s, const char *key, double v, bool comma)
{
	if (comma)
		appendStringInfoChar(s, ',');
	escape_json(s, key);
	appendStringInfoChar(s, ':');
	append_number(s, v);
}

/* The uplift figures of the validation rows, as keys of a JSON object (one
 * writer for the registry's metrics and for uplift_metrics()). */
static void
append_uplift_figures(StringInfo s, const so_uplift_metrics *um, const double deciles[11])
{
	append_key_number(s, "qini", um->qini, true);
	append_key_number(s, "qini_area", um->qini_area, true);
	append_key_number(s, "auuc", um->auuc, true);
	append_key_number(s, "auuc_area", um->auuc_area, true);
	append_key_number(s, "uplift_at_10", um->uplift_at_10, true);
	append_key_number(s, "uplift_at_30", um->uplift_at_30, true);
	append_key_number(s, "uplift_average", um->uplift_average, true);
	appendStringInfoString(s, ",\"qini_deciles\":[");
	for (int i = 0; i <= 10; i++)
	{
		if (i)
			appendStringInfoChar(s, ',');
		append_number(s, deciles[i]);
	}
	appendStringInfoChar(s, ']');
}

static Datum
jsonb_from(StringInfo s)
{
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(s->data));
}

/* One arm's fit: refusals are errors naming the arm. */
static void
fit_arm(const model_rows *rows, const char *arm, const size_t *idx, size_t count, double l2,
		so_logit_model *m)
{
	so_error	err;
	int			rc = so_logit_fit(rows->x, rows->p, rows->y, rows->w, idx, count, l2,
								  SO_LOGIT_DEFAULT_MAX_ITER, SO_LOGIT_DEFAULT_TOL,
								  stormops_cancel_pending, m, &err);

	if (rc == SO_ERR_INTERRUPTED)
	{
		CHECK_FOR_INTERRUPTS();
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling the fit of the %s model", arm)));
	}
	if (rc == SO_OK)
		return;
	ereport(ERROR,
			(errcode(rc == SO_ERR_TOO_LARGE ? ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot fit the %s model: %s%s%s", arm, err.message,
					err.path[0] ? " at " : "", err.path),
			 errdetail("%zu fit rows in this arm.", count),
			 err.expected[0] ? errhint("%s.", err.expected) : 0));
}

static void
append_arm(StringInfo s, const model_rows *rows, const char *arm, const so_logit_model *m)
{
	appendStringInfoString(s, "{\"arm\":");
	escape_json(s, arm);
	appendStringInfo(s, ",\"rows\":%zu,\"iterations\":%d,\"status\":", m->rows, m->iterations);
	escape_json(s, so_fit_status_name(m->status));
	append_key_number(s, "objective", m->objective, true);
	append_key_number(s, "intercept", m->intercept, true);
	append_key_number(s, "intercept_std", m->intercept_std, true);
	appendStringInfoString(s, ",\"terms\":[");
	for (int f = 0, first = 1; f < rows->nfeatures; f++)
	{
		const model_feature *mf = &rows->features[f];
		int			width = mf->is_text ? mf->nlevels : 1;

		for (int k = 0; k < width; k++, first = 0)
		{
			int			j = mf->first_column + k;

			appendStringInfoString(s, first ? "{" : ",{");
			appendStringInfoString(s, "\"feature\":");
			escape_json(s, rows->column_names[j]);
			appendStringInfoString(s, ",\"source_column\":");
			escape_json(s, mf->name);
			appendStringInfoString(s, ",\"level\":");
			if (mf->is_text)
				escape_json(s, mf->levels[k]);
			else
				appendStringInfoString(s, "null");
			append_key_number(s, "coefficient", m->coef[j], true);
			append_key_number(s, "standardized_coefficient", m->coef_std[j], true);
			append_key_number(s, "mean", m->mean[j], true);
			append_key_number(s, "scale", m->scale[j], true);
			appendStringInfo(s, ",\"constant\":%s}", m->constant[j] ? "true" : "false");
		}
	}
	appendStringInfoString(s, "]}");
}

/*
 * The rows' (arm, label) pairs in a fixed order (by arm, then label), so
 * that the noise level depends on the rows and the seed only, not on the
 * order the relation happened to be read in (synchronized scans).
 */
static void
canonical_pairs(const unsigned char *arm, const unsigned char *label, size_t n,
				unsigned char *arm_out, unsigned char *label_out)
{
	size_t		k = 0;

	for (int a = 0; a <= 1; a++)
		for (int l = 0; l <= 1; l++)
			for (size_t i = 0; i < n; i++)
				if ((arm == NULL ? 0 : (arm[i] != 0)) == a && (label[i] != 0) == l)
				{
					if (arm_out)
						arm_out[k] = (unsigned char) a;
					label_out[k++] = (unsigned char) l;
				}
}

static void
append_metrics_uplift(StringInfo s, const model_rows *rows, const size_t *val, size_t nval,
					  const so_logit_model *mt, const so_logit_model *mc, int64 seed)
{
	double	   *score = palloc_extended(sizeof(double) * Max(nval, 1), MCXT_ALLOC_HUGE);
	double	   *pt = palloc_extended(sizeof(double) * Max(nval, 1), MCXT_ALLOC_HUGE);
	double	   *pc = palloc_extended(sizeof(double) * Max(nval, 1), MCXT_ALLOC_HUGE);
	unsigned char *arm = palloc_extended(Max(nval, 1), MCXT_ALLOC_HUGE);
	unsigned char *label = palloc_extended(Max(nval, 1), MCXT_ALLOC_HUGE);
	unsigned char *arm_sorted = palloc_extended(Max(nval, 1), MCXT_ALLOC_HUGE);
	unsigned char *label_sorted = palloc_extended(Max(nval, 1), MCXT_ALLOC_HUGE);
	so_uplift_metrics um;
	double		deciles[11],
				noise,
				auc_t = NAN,
				auc_c = NAN;
	size_t		nt = 0,
				nc = 0;

	for (size_t k = 0; k < nval; k++)
	{
		const double *xi = rows->x + val[k] * rows->p;

		pt[k] = so_logit_predict(mt, xi);
		pc[k] = so_logit_predict(mc, xi);
		score[k] = pt[k] - pc[k];
		arm[k] = rows->treated[val[k]];
		label[k] = rows->y[val[k]] == 1.0;
	}
	/* each arm's model on its own arm's rows, compacted in place after use */
	{
		double	   *st = palloc_extended(sizeof(double) * Max(nval, 1), MCXT_ALLOC_HUGE);
		double	   *sc = palloc_extended(sizeof(double) * Max(nval, 1), MCXT_ALLOC_HUGE);
		unsigned char *lt = palloc_extended(Max(nval, 1), MCXT_ALLOC_HUGE);
		unsigned char *lc = palloc_extended(Max(nval, 1), MCXT_ALLOC_HUGE);

		for (size_t k = 0; k < nval; k++)
			if (arm[k])
			{
				st[nt] = pt[k];
				lt[nt++] = label[k];
			}
			else
			{
				sc[nc] = pc[k];
				lc[nc++] = label[k];
			}
		if (!so_auc(st, lt, nt, &auc_t))
			auc_t = NAN;
		if (!so_auc(sc, lc, nc, &auc_c))
			auc_c = NAN;
	}
	appendStringInfo(s, ",\"metrics\":{\"rows_validate\":%zu,\"validate_treated\":%zu,\"validate_control\":%zu",
					 nval, nt, nc);
	append_key_number(s, "auc_treated", auc_t, true);
	append_key_number(s, "auc_control", auc_c, true);
	if (so_uplift_metrics_compute(score, arm, label, nval, &um) &&
		so_qini_deciles(score, arm, label, nval, deciles) &&
		(canonical_pairs(arm, label, nval, arm_sorted, label_sorted),
		 so_qini_noise(arm_sorted, label_sorted, nval, NOISE_DRAWS, seed, NOISE_STREAM, &noise)))
	{
		append_uplift_figures(s, &um, deciles);
		append_key_number(s, "qini_noise", noise, true);
	}
	else
		appendStringInfoString(s, ",\"qini\":null,\"auuc\":null,\"note\":\"the validation rows lack an arm or a label value: no Qini\"");
	appendStringInfoChar(s, '}');
}

static void
append_metrics_single(StringInfo s, const model_rows *rows, const size_t *val, size_t nval,
					  const so_logit_model *m, int64 seed)
{
	double	   *score = palloc_extended(sizeof(double) * Max(nval, 1), MCXT_ALLOC_HUGE);
	unsigned char *label = palloc_extended(Max(nval, 1), MCXT_ALLOC_HUGE);
	unsigned char *label_sorted = palloc_extended(Max(nval, 1), MCXT_ALLOC_HUGE);
	double		auc,
				noise;

	for (size_t k = 0; k < nval; k++)
	{
		score[k] = so_logit_predict(m, rows->x + val[k] * rows->p);
		label[k] = rows->y[val[k]] == 1.0;
	}
	appendStringInfo(s, ",\"metrics\":{\"rows_validate\":%zu,\"qini\":null,\"auuc\":null,"
					 "\"auc_treated\":null,\"auc_control\":null", nval);
	if (so_auc(score, label, nval, &auc) &&
		(canonical_pairs(NULL, label, nval, NULL, label_sorted),
		 so_auc_noise(label_sorted, nval, NOISE_DRAWS, seed, NOISE_STREAM, &noise)))
	{
		append_key_number(s, "auc", auc, true);
		append_key_number(s, "auc_noise", noise, true);
	}
	else
		appendStringInfoString(s, ",\"auc\":null,\"note\":\"the validation rows lack a label value: no AUC\"");
	appendStringInfoChar(s, '}');
}

static char *
text_arg_or_null(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * fit_model_rows(source regclass, id_column text, features text[],
 * treatment_column text, label_column text, l2 float8, weight_column text,
 * seed int4) RETURNS jsonb
 */
Datum
stormops_fit_model_rows(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *id_column = text_arg_or_null(fcinfo, 1);
	char	   *treatment_column = text_arg_or_null(fcinfo, 3);
	char	   *label_column = text_arg_or_null(fcinfo, 4);
	char	   *weight_column = text_arg_or_null(fcinfo, 6);
	double		l2;
	int64		seed = PG_ARGISNULL(7) ? 0 : PG_GETARG_INT32(7);
	model_rows	rows;
	size_t	   *fit_t,
			   *fit_c,
			   *val;
	size_t		nt = 0,
				nc = 0,
				nv = 0;
	StringInfoData s;
	instr_time	started;
	double		read_ms,
				fit_ms = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", PG_ARGISNULL(0) ? "source" : PG_ARGISNULL(2) ? "features" : "l2")));
	relid = PG_GETARG_OID(0);
	l2 = PG_GETARG_FLOAT8(5);
	if (!(isfinite(l2) && l2 >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("l2 is %g", l2),
				 errhint("The penalty is a finite number >= 0 (lambda; scikit-learn's C = 1/lambda).")));
	INSTR_TIME_SET_CURRENT(started);
	model_rows_read(relid, id_column, PG_GETARG_ARRAYTYPE_P(2), treatment_column, label_column,
					weight_column, &rows);
	read_ms = stormops_ms_since(started);

	fit_t = palloc_extended(sizeof(size_t) * Max(rows.n, 1), MCXT_ALLOC_HUGE);
	fit_c = palloc_extended(sizeof(size_t) * Max(rows.n, 1), MCXT_ALLOC_HUGE);
	val = palloc_extended(sizeof(size_t) * Max(rows.n, 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < rows.n; i++)
	{
		if (rows.validate[i])
			val[nv++] = (size_t) i;
		else if (rows.treated == NULL || rows.treated[i])
			fit_t[nt++] = (size_t) i;
		else
			fit_c[nc++] = (size_t) i;
	}
	if (rows.treated != NULL && (nt == 0 || nc == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("treatment column \"%s\" has one value in every fit row (%zu treated, %zu control)",
						treatment_column, nt, nc),
				 errhint("An uplift model needs treated and control rows (a holdout); "
						 "without a treatment column, train a one-model kind.")));

	initStringInfo(&s);
	appendStringInfo(&s, "{\"rows_fit\":%zu,\"rows_treated\":%zu,\"rows_control\":%zu,\"features\":[",
					 nt + nc, nt, nc);
	for (int f = 0; f < rows.nfeatures; f++)
	{
		const model_feature *mf = &rows.features[f];

		appendStringInfoString(&s, f ? ",{\"name\":" : "{\"name\":");
		escape_json(&s, mf->name);
		appendStringInfo(&s, ",\"type\":\"%s\"", mf->is_text ? "text" : mf->is_bool ? "boolean" : "numeric");
		if (mf->is_text)
		{
			appendStringInfoString(&s, ",\"levels\":[");
			for (int k = 0; k < mf->nlevels; k++)
			{
				if (k)
					appendStringInfoChar(&s, ',');
				escape_json(&s, mf->levels[k]);
			}
			appendStringInfoChar(&s, ']');
		}
		appendStringInfoChar(&s, '}');
	}
	appendStringInfoString(&s, "],\"arms\":[");
	if (rows.treated != NULL)
	{
		so_logit_model mt,
					mc;

		fit_arm(&rows, "treated", fit_t, nt, l2, &mt);
		PG_TRY();
		{
			fit_arm(&rows, "control", fit_c, nc, l2, &mc);
		}
		PG_CATCH();
		{
			so_logit_free(&mt);
			PG_RE_THROW();
		}
		PG_END_TRY();
		fit_ms = stormops_ms_since(started) - read_ms;
		append_arm(&s, &rows, "treated", &mt);
		appendStringInfoChar(&s, ',');
		append_arm(&s, &rows, "control", &mc);
		appendStringInfoChar(&s, ']');
		append_metrics_uplift(&s, &rows, val, nv, &mt, &mc, seed);
		so_logit_free(&mt);
		so_logit_free(&mc);
	}
	else
	{
		so_logit_model m;

		fit_arm(&rows, "single", fit_t, nt, l2, &m);
		fit_ms = stormops_ms_since(started) - read_ms;
		append_arm(&s, &rows, "single", &m);
		appendStringInfoChar(&s, ']');
		append_metrics_single(&s, &rows, val, nv, &m, seed);
		so_logit_free(&m);
	}
	appendStringInfoChar(&s, '}');
	elog(DEBUG1, "fit_model_rows: " INT64_FORMAT " rows, %d columns: read %.1f ms, fit %.1f ms, validate %.1f ms",
		 rows.n, rows.p, read_ms, fit_ms, stormops_ms_since(started) - read_ms - fit_ms);
	PG_RETURN_DATUM(jsonb_from(&s));
}

/* The three arrays of the metrics functions, same length, no NULLs. */
static int
metric_arrays(FunctionCallInfo fcinfo, int nargs, double **score, unsigned char **arm, unsigned char **label)
{
	int			n = -1;
	static const char *const names[] = {"scores", "treated", "labels"};

	for (int a = 0; a < nargs; a++)
	{
		ArrayType  *arr;
		Datum	   *d;
		bool	   *nulls;
		int			count;
		int			which = (nargs == 2 && a == 1) ? 2 : a;

		if (PG_ARGISNULL(a))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", names[which])));
		arr = PG_GETARG_ARRAYTYPE_P(a);
		if (which == 0)
			deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &d, &nulls, &count);
		else
			deconstruct_array(arr, BOOLOID, 1, true, TYPALIGN_CHAR, &d, &nulls, &count);
		if (n >= 0 && count != n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s has %d elements, scores %d", names[which], count, n),
					 errhint("One score, arm and label per row.")));
		n = count;
		for (int i = 0; i < count; i++)
			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s[%d] is NULL", names[which], i + 1)));
		if (which == 0)
		{
			*score = palloc_extended(sizeof(double) * Max(count, 1), MCXT_ALLOC_HUGE);
			for (int i = 0; i < count; i++)
			{
				(*score)[i] = DatumGetFloat8(d[i]);
				if (!isfinite((*score)[i]))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("scores[%d] is not finite", i + 1)));
			}
		}
		else
		{
			unsigned char *b = palloc(Max(count, 1));

			for (int i = 0; i < count; i++)
				b[i] = DatumGetBool(d[i]);
			if (which == 1)
				*arm = b;
			else
				*label = b;
		}
	}
	return n;
}

/* uplift_metrics(scores float8[], treated bool[], labels bool[]) RETURNS jsonb */
Datum
stormops_uplift_metrics(PG_FUNCTION_ARGS)
{
	double	   *score = NULL;
	unsigned char *arm = NULL,
			   *label = NULL;
	int			n = metric_arrays(fcinfo, 3, &score, &arm, &label);
	so_uplift_metrics um;
	double		deciles[11];
	StringInfoData s;

	if (!so_uplift_metrics_compute(score, arm, label, n, &um) || !so_qini_deciles(score, arm, label, n, deciles))
		PG_RETURN_NULL();
	initStringInfo(&s);
	appendStringInfo(&s, "{\"treated\":" INT64_FORMAT ",\"control\":" INT64_FORMAT,
					 (int64) um.treated, (int64) um.control);
	append_uplift_figures(&s, &um, deciles);
	appendStringInfoChar(&s, '}');
	PG_RETURN_DATUM(jsonb_from(&s));
}

/* auc(scores float8[], labels bool[]) RETURNS float8 (NULL with one label value) */
Datum
stormops_auc(PG_FUNCTION_ARGS)
{
	double	   *score = NULL;
	unsigned char *arm = NULL,
			   *label = NULL;
	int			n = metric_arrays(fcinfo, 2, &score, &arm, &label);
	double		auc;

	if (!so_auc(score, label, n, &auc))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(auc);
}

/* logistic(eta float8) RETURNS float8: 1/(1+exp(-eta)) without overflow */
Datum
stormops_logistic(PG_FUNCTION_ARGS)
{
	double		eta = PG_GETARG_FLOAT8(0);

	if (isnan(eta))
		PG_RETURN_FLOAT8(eta);
	PG_RETURN_FLOAT8(so_sigmoid(eta));
}
