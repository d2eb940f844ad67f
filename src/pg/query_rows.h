/*
 * query_rows.h: a read-only query streamed row by row (query_rows.c).
 */
#ifndef STORMOPS_QUERY_ROWS_H
#define STORMOPS_QUERY_ROWS_H

#include "postgres.h"

#include "executor/tuptable.h"

/*
 * Run sql (read-only; $1 a timestamptz when nargs is 1) inside the caller's
 * SPI connection, calling each(slot, arg) for every row with all attributes
 * fetched. A per-row memory context is current during the call and reset
 * after it: each switches to its own context for what it keeps.
 */
void		query_rows_each(const char *sql, int nargs, Datum arg1,
							void (*each) (TupleTableSlot *slot, void *arg), void *arg);

#endif							/* STORMOPS_QUERY_ROWS_H */
