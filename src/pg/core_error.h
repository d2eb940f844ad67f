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

/*
 * Whether a long core computation should stop: only for what
 * CHECK_FOR_INTERRUPTS turns into an error (a cancel, a statement timeout,
 * termination); other interrupts (a memory context dump, a barrier) also
 * set InterruptPending and must not fail it. Pass it as should_stop, then
 * call CHECK_FOR_INTERRUPTS() on SO_ERR_INTERRUPTED.
 */
bool		stormops_cancel_pending(void);

/* The path as shown to users: "(top level)" for the document itself. */
const char *stormops_error_path(const so_error *err);

#endif							/* STORMOPS_CORE_ERROR_H */
