/*
 * query_rows.c: a read-only query streamed row by row into a callback
 * (query_rows.h), for the readers that must not hold a whole result: the
 * training rows (model_rows.c) and the diffusion graph's inputs
 * (graph_read.c, neighbor_refresh.c, diffusion.c).
 *
 * Design: a DestReceiver takes each row from the executor's slot (SPI's
 * tuple table would copy every row first); the callback runs in a per-row
 * memory context that is reset after it, so it switches to its own context
 * for what it keeps. Failure modes: a query error propagates as an ERROR
 * (the SPI connection is the caller's); the per-row context is a child of
 * the caller's and goes with it.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/params.h"
#include "tcop/dest.h"
#include "utils/memutils.h"

#include "query_rows.h"

typedef struct each_receiver
{
	DestReceiver pub;
	void		(*each) (TupleTableSlot *slot, void *arg);
	void	   *arg;
	MemoryContext row_cxt;
} each_receiver;

static bool
receive_slot(TupleTableSlot *slot, DestReceiver *self)
{
	each_receiver *r = (each_receiver *) self;
	MemoryContext old = MemoryContextSwitchTo(r->row_cxt);

	slot_getallattrs(slot);
	r->each(slot, r->arg);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->row_cxt);
	return true;
}

static void
receive_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
receive_nothing(DestReceiver *self)
{
}

void
query_rows_each(const char *sql, int nargs, Datum arg1,
				void (*each) (TupleTableSlot *slot, void *arg), void *arg)
{
	each_receiver r;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	SPIPlanPtr	plan;
	SPIExecuteOptions options;

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = receive_slot;
	r.pub.rStartup = receive_startup;
	r.pub.rShutdown = receive_nothing;
	r.pub.rDestroy = receive_nothing;
	r.pub.mydest = DestNone;
	r.each = each;
	r.arg = arg;
	r.row_cxt = AllocSetContextCreate(CurrentMemoryContext, "stormops query row", ALLOCSET_SMALL_SIZES);

	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "query_rows_each: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	memset(&options, 0, sizeof(options));
	options.read_only = true;
	options.dest = (DestReceiver *) &r;
	if (nargs == 1)
	{
		ParamListInfo params = makeParamList(1);

		params->numParams = 1;
		params->params[0].value = arg1;
		params->params[0].isnull = false;
		params->params[0].pflags = PARAM_FLAG_CONST;
		params->params[0].ptype = TIMESTAMPTZOID;
		options.params = params;
	}
	/* (a SELECT into a receiver other than SPI's reports SPI_OK_UTILITY) */
	if (SPI_execute_plan_extended(plan, &options) < 0)
		elog(ERROR, "query_rows_each: reading failed");
	SPI_freeplan(plan);
	MemoryContextDelete(r.row_cxt);
}

void *
query_rows_resize(void *p, Size count, Size width)
{
	Size		bytes = Max(count, 1) * width;

	return p ? repalloc_huge(p, bytes) : palloc_extended(bytes, MCXT_ALLOC_HUGE);
}
