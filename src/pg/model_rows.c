/*
 * model_rows.c: one pass over a relation into the dense matrix the core's
 * logistic regression reads (model_rows.h).
 *
 * Design: the statement is built from the relation's OID and quoted column
 * names only (quote_identifier, the schema-qualified relation name), so no
 * caller text reaches SQL unquoted; it runs through SPI as the calling
 * role, so privileges on the relation apply. Each column's type decides
 * how it is read: numeric types as float8, boolean as 0/1, text-like types
 * (string category and enums) as text one-hot encoded with one column per
 * level seen in the fit rows (sorted bytewise; a NULL or a level seen only
 * in validation rows sets none of them, as pandas.get_dummies does). The
 * split comes from stormops.validation_row(id::text), the single
 * definition of learning.md's md5 rule. Rows arrive through query_rows.c
 * straight from the executor's slots into arrays that double, allocated
 * huge (a million rows of 20 columns is 160 MB), with
 * CHECK_FOR_INTERRUPTS every 16,384 rows.
 *
 * Failure modes: every refusal happens before anything is written (the
 * function writes nothing anyway); the error names the column, and the
 * row's id when a value is at fault.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"

#include "logistic.h"
#include "model_rows.h"
#include "query_rows.h"

#define BATCH_ROWS 10000
#define MAX_LEVEL_BYTES 200
#define MAX_MATRIX_BYTES 8e9

typedef enum column_kind
{
	KIND_NUMBER,
	KIND_BOOL,
	KIND_TEXT
} column_kind;

typedef struct level_entry
{
	char		key[MAX_LEVEL_BYTES + 1];
	int			code;			/* order of first appearance */
	bool		in_fit;			/* seen in a fit row */
} level_entry;

/* What one column of the statement is. */
static column_kind
column_kind_of(Oid relid, const char *column, const char *role, bool text_allowed)
{
	AttrNumber	attnum = get_attnum(relid, column);
	Oid			type;
	char		category;
	bool		preferred;

	if (attnum == InvalidAttrNumber || attnum < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("%s column \"%s\" does not exist in relation %s", role, column,
						get_rel_name(relid)),
				 errhint("Name a column of the relation (case and quotes as in the catalog).")));
	type = getBaseType(get_atttype(relid, attnum));
	get_type_category_preferred(type, &category, &preferred);
	if (type == BOOLOID)
		return KIND_BOOL;
	if (category == TYPCATEGORY_NUMERIC)
		return KIND_NUMBER;
	if (text_allowed && (category == TYPCATEGORY_STRING || category == TYPCATEGORY_ENUM))
		return KIND_TEXT;
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("%s column \"%s\" has type %s", role, column, format_type_be(type)),
			 errhint(text_allowed ? "Features are numeric, boolean or text (one-hot encoded)."
					 : "A label or treatment is boolean or a number 0/1; a weight is a number.")));
	pg_unreachable();
}

static void
append_read_expression(StringInfo sql, const char *column, column_kind kind)
{
	switch (kind)
	{
		case KIND_NUMBER:
			appendStringInfo(sql, ", (%s)::pg_catalog.float8", quote_identifier(column));
			break;
		case KIND_BOOL:
			appendStringInfo(sql, ", (%s)::pg_catalog.int4::pg_catalog.float8", quote_identifier(column));
			break;
		case KIND_TEXT:
			appendStringInfo(sql, ", (%s)::pg_catalog.text", quote_identifier(column));
			break;
	}
}

/*
 * The reading state: what each column of the statement is, and the arrays
 * the rows go into (grown by doubling, in the caller's memory context).
 * Rows arrive through query_rows_each, so each is read from the executor's
 * slot as it is produced: no copy into an SPI tuple table (reading a
 * million rows of 23 columns took 3.9 s through SPI_cursor_fetch).
 */
typedef struct row_reader
{
	MemoryContext cxt;
	Oid			relid;
	const char *id_column;
	const char *label_column;
	const char *treatment_column;
	const char *weight_column;
	int			nfeatures;
	model_feature *features;
	column_kind *kinds;
	int		   *slot;			/* feature -> index among numbers or texts */
	HTAB	  **levels;
	int			nnum;
	int			ntext;
	int			first_feature;	/* 0-based attribute of the first feature */
	Size		cap;
	int64		n;
	double	   *num;
	int32	   *codes;
	double	   *y;
	double	   *w;
	unsigned char *treated;
	unsigned char *validate;
} row_reader;

static const char *
row_id(Datum id)
{
	return quote_literal_cstr(TextDatumGetCString(id));
}

static void
null_value(const char *role, const char *column, Datum id, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s column \"%s\" is NULL in the row with id %s", role, column, row_id(id)),
			 errhint("%s", hint)));
}

static double
zero_one(const char *role, const char *column, Datum id, Datum value, bool isnull)
{
	double		v;

	if (isnull)
		null_value(role, column, id, "Every row needs a label and a treatment: filter NULLs out in a view.");
	v = DatumGetFloat8(value);
	if (v != 0.0 && v != 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s column \"%s\" is %g in the row with id %s", role, column, v, row_id(id)),
				 errhint("A label or treatment is true/false or 1/0.")));
	return v;
}

/* One row of the statement into the arrays. */
static void
receive_row(TupleTableSlot *tslot, void *arg)
{
	row_reader *r = arg;
	MemoryContext old;
	Datum	   *values;
	bool	   *nulls;
	int64		n = r->n;
	int			attno = 2;

	slot_getallattrs(tslot);
	values = tslot->tts_values;
	nulls = tslot->tts_isnull;
	if ((n & 0x3FFF) == 0)
		CHECK_FOR_INTERRUPTS();
	old = MemoryContextSwitchTo(r->cxt);
	if ((Size) n >= r->cap)
	{
		Size		new_cap = Max(r->cap * 2, (Size) BATCH_ROWS);

		r->num = query_rows_resize(r->num, new_cap * Max(r->nnum, 1), sizeof(double));
		r->codes = query_rows_resize(r->codes, new_cap * Max(r->ntext, 1), sizeof(int32));
		r->y = query_rows_resize(r->y, new_cap, sizeof(double));
		r->validate = query_rows_resize(r->validate, new_cap, 1);
		if (r->treatment_column)
			r->treated = query_rows_resize(r->treated, new_cap, 1);
		if (r->weight_column)
			r->w = query_rows_resize(r->w, new_cap, sizeof(double));
		r->cap = new_cap;
	}
	if (nulls[0])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("id column \"%s\" is NULL in a row of %s", r->id_column, get_rel_name(r->relid)),
				 errhint("The id decides the split (learning.md): every row needs one.")));
	r->validate[n] = DatumGetBool(values[1]) ? 1 : 0;
	r->y[n] = zero_one("label", r->label_column, values[0], values[attno], nulls[attno]);
	attno++;
	if (r->treatment_column)
	{
		r->treated[n] = zero_one("treatment", r->treatment_column, values[0], values[attno], nulls[attno]) == 1.0;
		attno++;
	}
	if (r->weight_column)
	{
		if (nulls[attno])
			null_value("weight", r->weight_column, values[0],
					   "A weight is 1/propensity > 0; COALESCE it to 1 where no propensity was logged.");
		r->w[n] = DatumGetFloat8(values[attno]);
		attno++;
	}
	for (int f = 0; f < r->nfeatures; f++)
	{
		Datum		d = values[r->first_feature + f];
		bool		isnull = nulls[r->first_feature + f];

		if (r->kinds[f] != KIND_TEXT)
		{
			if (isnull)
				null_value("feature", r->features[f].name, values[0],
						   "Numeric features must not be NULL: COALESCE them and add a 0/1 column that says which were missing.");
			r->num[n * r->nnum + r->slot[f]] = DatumGetFloat8(d);
			if (!isfinite(DatumGetFloat8(d)))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("feature column \"%s\" is %g in the row with id %s",
								r->features[f].name, DatumGetFloat8(d), row_id(values[0])),
						 errhint("Features are finite numbers, in the fit and the validation rows alike.")));
		}
		else if (isnull)
			r->codes[n * r->ntext + r->slot[f]] = -1;
		else
		{
			text	   *t = DatumGetTextPP(d);
			int			len = VARSIZE_ANY_EXHDR(t);
			char		key[MAX_LEVEL_BYTES + 1];
			level_entry *e;
			bool		found;

			if (len > MAX_LEVEL_BYTES)
				ereport(ERROR,
						(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
						 errmsg("feature column \"%s\" has a value of %d bytes in the row with id %s",
								r->features[f].name, len, row_id(values[0])),
						 errhint("Text levels are at most %d bytes.", MAX_LEVEL_BYTES)));
			memset(key, 0, sizeof(key));
			memcpy(key, VARDATA_ANY(t), len);
			e = hash_search(r->levels[f], key, HASH_ENTER, &found);
			if (!found)
			{
				e->code = (int) hash_get_num_entries(r->levels[f]) - 1;
				e->in_fit = false;
			}
			e->in_fit |= r->validate[n] == 0;
			r->codes[n * r->ntext + r->slot[f]] = e->code;
		}
	}
	r->n = n + 1;
	MemoryContextSwitchTo(old);
}

static int
compare_cstrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

void
model_rows_read(Oid relid, const char *id_column, ArrayType *features,
				const char *treatment_column, const char *label_column,
				const char *weight_column, model_rows *out)
{
	Datum	   *names;
	bool	   *name_nulls;
	int			nfeatures;
	column_kind *kinds;
	column_kind label_kind,
				treatment_kind = KIND_NUMBER;
	int			nnum = 0,
				ntext = 0;
	int		   *slot;			/* feature -> index among numbers or texts */
	HTAB	  **levels;
	StringInfoData sql;
	row_reader	reader;
	int64		n;
	double	   *num;
	int32	   *codes;

	memset(out, 0, sizeof(*out));
	if (id_column == NULL || label_column == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", id_column == NULL ? "id_column" : "label_column")));
	deconstruct_array(features, TEXTOID, -1, false, TYPALIGN_INT, &names, &name_nulls, &nfeatures);
	if (nfeatures < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("features is empty"),
				 errhint("Name at least one numeric, boolean or text column.")));

	/* what each column is; names distinct and apart from the roles */
	if (get_attnum(relid, id_column) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("id column \"%s\" does not exist in relation %s", id_column, get_rel_name(relid)),
				 errhint("Name a column of the relation (case and quotes as in the catalog); any type, read as text.")));
	label_kind = column_kind_of(relid, label_column, "label", false);
	if (treatment_column)
		treatment_kind = column_kind_of(relid, treatment_column, "treatment", false);
	if (weight_column && column_kind_of(relid, weight_column, "weight", false) != KIND_NUMBER)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("weight column \"%s\" is boolean", weight_column),
				 errhint("A weight is a positive number (1/propensity).")));
	out->nfeatures = nfeatures;
	out->features = palloc0(sizeof(model_feature) * nfeatures);
	kinds = palloc(sizeof(column_kind) * nfeatures);
	slot = palloc(sizeof(int) * nfeatures);
	levels = palloc0(sizeof(HTAB *) * nfeatures);
	for (int f = 0; f < nfeatures; f++)
	{
		char	   *name;

		if (name_nulls[f])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("features[%d] is NULL", f + 1)));
		name = TextDatumGetCString(names[f]);
		for (int g = 0; g < f; g++)
			if (strcmp(out->features[g].name, name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("features names column \"%s\" twice", name)));
		if (strcmp(name, label_column) == 0 || (treatment_column && strcmp(name, treatment_column) == 0) ||
			(weight_column && strcmp(name, weight_column) == 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature \"%s\" is also the label, treatment or weight column", name),
					 errhint("A model cannot read its own outcome or assignment as a feature.")));
		kinds[f] = column_kind_of(relid, name, "feature", true);
		out->features[f].name = name;
		out->features[f].is_text = kinds[f] == KIND_TEXT;
		out->features[f].is_bool = kinds[f] == KIND_BOOL;
		if (kinds[f] == KIND_TEXT)
		{
			HASHCTL		ctl;

			memset(&ctl, 0, sizeof(ctl));
			ctl.keysize = MAX_LEVEL_BYTES + 1;
			ctl.entrysize = sizeof(level_entry);
			ctl.hcxt = CurrentMemoryContext;
			levels[f] = hash_create("stormops model levels", 64, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
			slot[f] = ntext++;
		}
		else
			slot[f] = nnum++;
	}

	/* id, split, label, treatment?, weight?, features */
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT (%s)::pg_catalog.text, stormops.validation_row((%s)::pg_catalog.text)",
					 quote_identifier(id_column), quote_identifier(id_column));
	append_read_expression(&sql, label_column, label_kind);
	if (treatment_column)
		append_read_expression(&sql, treatment_column, treatment_kind);
	if (weight_column)
		append_read_expression(&sql, weight_column, KIND_NUMBER);
	memset(&reader, 0, sizeof(reader));
	reader.first_feature = 3 + (treatment_column != NULL) + (weight_column != NULL);
	for (int f = 0; f < nfeatures; f++)
		append_read_expression(&sql, out->features[f].name, kinds[f]);
	appendStringInfo(&sql, " FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)));

	reader.cxt = CurrentMemoryContext;
	reader.relid = relid;
	reader.id_column = id_column;
	reader.label_column = label_column;
	reader.treatment_column = treatment_column;
	reader.weight_column = weight_column;
	reader.nfeatures = nfeatures;
	reader.features = out->features;
	reader.kinds = kinds;
	reader.slot = slot;
	reader.levels = levels;
	reader.nnum = nnum;
	reader.ntext = ntext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "model_rows_read: SPI_connect failed");
	query_rows_each(sql.data, 0, (Datum) 0, receive_row, &reader);
	SPI_finish();
	n = reader.n;
	num = reader.num;
	codes = reader.codes;

	/* the columns: numbers as they are, each fit level of a text one column */
	{
		int			p = 0;
		int		  **column_of_code = palloc0(sizeof(int *) * nfeatures);

		for (int f = 0; f < nfeatures; f++)
		{
			model_feature *mf = &out->features[f];

			mf->first_column = p;
			if (kinds[f] != KIND_TEXT)
			{
				p++;
				continue;
			}
			{
				long		count = hash_get_num_entries(levels[f]);
				HASH_SEQ_STATUS seq;
				level_entry *e;
				int			k = 0;

				mf->levels = palloc(sizeof(char *) * Max(count, 1));
				column_of_code[f] = palloc(sizeof(int) * Max(count, 1));
				hash_seq_init(&seq, levels[f]);
				while ((e = hash_seq_search(&seq)) != NULL)
					if (e->in_fit)
						mf->levels[k++] = pstrdup(e->key);
				mf->nlevels = k;
				qsort(mf->levels, k, sizeof(char *), compare_cstrings);
				hash_seq_init(&seq, levels[f]);
				while ((e = hash_seq_search(&seq)) != NULL)
				{
					char	  **hit = e->in_fit ? bsearch(&(char *) {e->key}, mf->levels, k, sizeof(char *), compare_cstrings) : NULL;

					column_of_code[f][e->code] = hit ? p + (int) (hit - mf->levels) : -1;
				}
				p += k;
			}
			if (p > SO_LOGIT_MAX_COLUMNS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("the features make more than %d columns (text feature \"%s\" has %d levels)",
								SO_LOGIT_MAX_COLUMNS, mf->name, mf->nlevels),
						 errhint("Group rare levels into one in a view.")));
		}
		out->p = p;
		out->n = n;
		out->column_names = palloc(sizeof(char *) * Max(p, 1));
		for (int f = 0; f < nfeatures; f++)
		{
			model_feature *mf = &out->features[f];

			if (!mf->is_text)
				out->column_names[mf->first_column] = mf->name;
			else
				for (int k = 0; k < mf->nlevels; k++)
					out->column_names[mf->first_column + k] = psprintf("%s=%s", mf->name, mf->levels[k]);
		}
		/* the dense matrix is refused above 8 GB rather than left to the OOM killer */
		if ((double) n * (double) p * sizeof(double) > MAX_MATRIX_BYTES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the rows make a matrix of %.1f GB (" INT64_FORMAT " rows x %d columns)",
							(double) n * (double) p * sizeof(double) / 1e9, n, p),
					 errhint("At most %.0f GB: fewer rows (a sample), or fewer one-hot levels.", MAX_MATRIX_BYTES / 1e9)));
		out->x = MemoryContextAllocHuge(CurrentMemoryContext, (Size) Max(n, 1) * Max(p, 1) * sizeof(double));
		for (int64 i = 0; i < n; i++)
		{
			double	   *xi = out->x + i * p;

			memset(xi, 0, sizeof(double) * p);
			for (int f = 0; f < nfeatures; f++)
			{
				if (kinds[f] != KIND_TEXT)
					xi[out->features[f].first_column] = num[i * nnum + slot[f]];
				else
				{
					int32		code = codes[i * ntext + slot[f]];
					int			col = code < 0 ? -1 : column_of_code[f][code];

					if (col >= 0)
						xi[col] = 1.0;
				}
			}
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	if (num)
		pfree(num);
	if (codes)
		pfree(codes);
	out->y = reader.y;
	out->w = reader.w;
	out->treated = reader.treated;
	out->validate = reader.validate;
}
