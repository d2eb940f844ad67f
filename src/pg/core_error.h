/*
 * core_error.h: running core work from the glue: the core's errors-as-values
 * as PostgreSQL errors, when to stop, how long it took.
 */
#ifndef STORMOPS_CORE_ERROR_H
#define STORMOPS_CORE_ERROR_H

#include "postgres.h"

#include "portability/instr_time.h"

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

/*
 * A core computation's failure (not a document's) as an ERROR: a stop
 * request as the pending cancel (57014), an allocation failure as 53200,
 * anything else as an internal error naming `what` and the core's path.
 */
pg_attribute_noreturn() void stormops_raise_core_failure(const char *what, int rc, const so_error *err);

/* Milliseconds since start, for the DEBUG1 lines that say where time went. */
double		stormops_ms_since(instr_time start);

/* The path as shown to users: "(top level)" for the document itself. */
const char *stormops_error_path(const so_error *err);

#endif							/* STORMOPS_CORE_ERROR_H */
