/*
 * module.c: the shared library's entry point.
 *
 * stormops may be loaded by CREATE EXTENSION alone; listing it in
 * shared_preload_libraries is needed only for its background workers.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	/* Settings are defined by the features that read them; a misspelt
	 * stormops.* setting is reported instead of silently ignored. */
	MarkGUCPrefixReserved("stormops");
}
