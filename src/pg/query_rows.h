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

/*
 * The arrays the callbacks fill: p (NULL, or from here) resized to count
 * items of width bytes in the current memory context, allowed past 1 GB
 * (ten million rows of a few columns).
 */
void	   *query_rows_resize(void *p, Size count, Size width);

#endif							/* STORMOPS_QUERY_ROWS_H */
