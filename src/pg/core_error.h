/*
 * core_error.h: turning the core's errors-as-values into PostgreSQL errors.
 */
#ifndef STORMOPS_CORE_ERROR_H
#define STORMOPS_CORE_ERROR_H

#include "postgres.h"

#include "so_error.h"

/*
 * Raise err as ERROR with SQLSTATE 22023: the message names the document
 * (e.g. "targeting_rules") and the JSON path, DETAIL repeats the path and
 * what was found, HINT says what is accepted.
 */
pg_attribute_noreturn() void stormops_raise_core_error(const char *document,
													   const so_error *err);

/* The path as shown to users: "(top level)" for the document itself. */
const char *stormops_error_path(const so_error *err);

#endif							/* STORMOPS_CORE_ERROR_H */
