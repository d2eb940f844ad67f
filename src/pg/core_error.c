/*
 * core_error.c: the one place where core errors become ereport(ERROR).
 */
#include "postgres.h"

#include "miscadmin.h"

#include "core_error.h"

bool
stormops_cancel_pending(void)
{
	return QueryCancelPending || ProcDiePending;
}

const char *
stormops_error_path(const so_error *err)
{
	return err->path[0] != '\0' ? err->path : "(top level)";
}

void
stormops_raise_core_error(const char *document, const so_error *err)
{
	const char *path = stormops_error_path(err);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s at %s: %s", document, path, err->message),
			 err->found[0] != '\0'
			 ? errdetail("JSON path: %s; found: %s.", path, err->found)
			 : errdetail("JSON path: %s.", path),
			 err->expected[0] != '\0'
			 ? errhint("Expected %s.", err->expected)
			 : 0));
	pg_unreachable();
}
