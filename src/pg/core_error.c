/*
 * core_error.c: the one place where core errors become ereport(ERROR), with
 * the cancel test and the timing that core work runs under (core_error.h).
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

void
stormops_raise_core_failure(const char *what, int rc, const so_error *err)
{
	if (rc == SO_ERR_INTERRUPTED)
		CHECK_FOR_INTERRUPTS();
	if (rc == SO_ERR_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("%s: %s", what, err->message)));
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("%s failed at %s: %s", what, stormops_error_path(err), err->message)));
	pg_unreachable();
}

double
stormops_ms_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_MILLISEC(now);
}
