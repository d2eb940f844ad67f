/*
 * storm_runner.c: one run of the storm-event worker.
 *
 * Started by the launcher, connected to stormops.database. It lists the
 * pending storm events (stormops.storm_events_pending()) and proposes each
 * in a transaction of its own (stormops.handle_storm_event()), so one bad
 * event is logged in stormops.worker_errors and the next still runs. It
 * then completes the executions whose plans are done
 * (stormops.close_finished_executions()), delivers the notifications that
 * are due (webhook_delivery.c) and exits. A run that dies half-way leaves its event uncommitted, hence
 * pending: the next run proposes it, once (generate_proposals makes one run
 * per playbook and event).
 *
 * On a Citus worker node (stormops.database set on every node of a cluster)
 * a run ends at once: the coordinator proposes and delivers for the whole
 * cluster (docs/scaling.md), and a run on each node would propose and send
 * the same things up to three times. The check reads Citus' catalog only
 * where Citus is installed, and opens no transaction where Citus is not
 * loaded (its settings are not defined): without Citus nothing changes.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "storm_worker_state.h"
#include "webhook_delivery.h"
#include "worker_xact.h"

PGDLLEXPORT void stormops_storm_runner_main(Datum arg);

#define RUNNER_NAME "stormops storm worker"

/*
 * True on a Citus worker node: Citus is installed and this node's group is
 * not the coordinator's (0). Where Citus is not loaded (shared_preload_libraries
 * defines its settings) there is nothing to read, and no transaction is opened.
 */
static bool
on_citus_worker(void)
{
	bool		worker = false;

	if (GetConfigOption("citus.shard_count", true, false) == NULL)
		return false;
	worker_begin_work("stormops: checking whether this node is a Citus worker");
	if (OidIsValid(get_extension_oid("citus", true)))
	{
		bool		isnull;
		Datum		value;

		if (SPI_execute("SELECT groupid OPERATOR(pg_catalog.<>) 0 FROM pg_catalog.pg_dist_local_group", true, 1)
			!= SPI_OK_SELECT)
			elog(ERROR, "could not read pg_dist_local_group");
		if (SPI_processed == 1)
		{
			value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
			worker = !isnull && DatumGetBool(value);
		}
	}
	worker_end_work();
	return worker;
}

/* The pending events, oldest first, or NIL when stormops is not installed here. */
static List *
pending_events(void)
{
	List	   *events = NIL;

	worker_begin_work("stormops: listing pending storm events");
	if (OidIsValid(get_extension_oid("stormops", true)))
	{
		if (SPI_execute("SELECT e FROM stormops.storm_events_pending() e", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not list pending storm events");
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			char	   *id = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			events = lappend(events, pstrdup(id));
			MemoryContextSwitchTo(old);
		}
	}
	worker_end_work();
	return events;
}

static void
note_event(const char *event_id, const char *outcome, bool failed)
{
	char		id[STORM_WORKER_TEXT_LEN];
	char		text[STORM_WORKER_TEXT_LEN];

	storm_worker_state_set_text(id, event_id);	/* no work under the spinlock */
	storm_worker_state_set_text(text, outcome);
	SpinLockAcquire(&storm_worker_state->mutex);
	memcpy(storm_worker_state->last_event_id, id, sizeof(id));
	memcpy(storm_worker_state->last_outcome, text, sizeof(text));
	if (failed)
		storm_worker_state->events_failed++;
	else
		storm_worker_state->events_handled++;
	SpinLockRelease(&storm_worker_state->mutex);
}

/* The error of a failed event (or of work for no event: NULL), in a transaction of its own. */
static void
record_failure(const char *event_id, ErrorData *edata)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	char		nulls[3] = {event_id ? ' ' : 'n', ' ', ' '};

	values[0] = event_id ? CStringGetTextDatum(event_id) : (Datum) 0;
	values[1] = CStringGetTextDatum(edata->message ? edata->message : "(no message)");
	values[2] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	worker_begin_work("stormops: recording a failure");
	if (SPI_execute_with_args("INSERT INTO stormops.worker_errors (worker, event_id, error, sqlstate) "
							  "VALUES ('storm', $1, $2, $3)",
							  3, types, values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the failure of storm event %s", event_id ? event_id : "(none)");
	worker_end_work();
}

/*
 * After a caught ERROR: back in the caller's memory context, the transaction
 * aborted, the error logged (`what` failed; `then` says what happens next)
 * and recorded in stormops.worker_errors (for event_id, or for no event).
 */
static void
report_failure(MemoryContext caller, const char *event_id, const char *what, const char *then)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(caller);
	edata = CopyErrorData();
	FlushErrorState();
	AbortCurrentTransaction();
	ereport(LOG,
			(errmsg("stormops storm worker: %s failed: %s", what, edata->message),
			 errdetail("SQLSTATE %s. Recorded in stormops.worker_errors; %s.",
					   unpack_sql_state(edata->sqlerrcode), then)));
	if (event_id != NULL)
		note_event(event_id, edata->message ? edata->message : "failed", true);
	record_failure(event_id, edata);
	FreeErrorData(edata);
}

/*
 * Executions whose plans are done: stormops.close_finished_executions(), in
 * a transaction of its own after the events; a failure is logged and
 * recorded like a failed event (without one), and the next run tries again.
 */
static void
close_finished_executions(void)
{
	MemoryContext caller = CurrentMemoryContext;

	PG_TRY();
	{
		worker_begin_work("stormops: closing finished executions");
		if (OidIsValid(get_extension_oid("stormops", true)) &&
			SPI_execute("SELECT count(*) FROM stormops.close_finished_executions()", false, 1) != SPI_OK_SELECT)
			elog(ERROR, "stormops.close_finished_executions failed");
		worker_end_work();
	}
	PG_CATCH();
	{
		report_failure(caller, NULL, "closing finished executions", "the next run tries again");
	}
	PG_END_TRY();
}

static void
handle_event(const char *event_id)
{
	MemoryContext caller = CurrentMemoryContext;

	PG_TRY();
	{
		Oid			types[1] = {TEXTOID};
		Datum		values[1];
		char	   *outcome;

		values[0] = CStringGetTextDatum(event_id);
		worker_begin_work("stormops: proposing a storm event");
		if (SPI_execute_with_args("SELECT stormops.handle_storm_event($1)", 1, types, values, NULL, false, 1)
			!= SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "stormops.handle_storm_event returned no row");
		outcome = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		outcome = MemoryContextStrdup(caller, outcome ? outcome : "");
		worker_end_work();
		note_event(event_id, outcome, false);	/* once committed */
	}
	PG_CATCH();
	{
		report_failure(caller, event_id, psprintf("storm event %s", event_id), "the event stays pending");
	}
	PG_END_TRY();
}

void
stormops_storm_runner_main(Datum arg)
{
	List	   *events;
	ListCell   *lc;
	MemoryContext event_cxt;
	TimestampTz started;
	TimestampTz finished;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(MyBgworkerEntry->bgw_extra, NULL, 0);
	SetConfigOption("application_name", RUNNER_NAME, PGC_USERSET, PGC_S_SESSION);
	/* runs as a superuser: nothing it runs may resolve names through public */
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION);
	pgstat_report_appname(RUNNER_NAME);

	if (on_citus_worker())
	{
		ereport(DEBUG1, (errmsg("stormops storm worker: this node is a Citus worker; the coordinator runs storm events and notifications")));
		proc_exit(0);
	}

	started = GetCurrentTimestamp();
	SpinLockAcquire(&storm_worker_state->mutex);
	storm_worker_state->last_run_started_at = started;
	storm_worker_state->runs++;
	/* a due time is noted again by this run's deliveries, or stays unknown */
	storm_worker_state->next_delivery_due_at = 0;
	SpinLockRelease(&storm_worker_state->mutex);

	events = pending_events();
	/*
	 * One memory context per event, reset after it (pg_cron's loop context
	 * is the model): what an event allocates outside its transaction (its
	 * id as text, its outcome, a caught error) does not pile up over a run
	 * of many events.
	 */
	event_cxt = AllocSetContextCreate(TopMemoryContext, "stormops storm event", ALLOCSET_DEFAULT_SIZES);
	foreach(lc, events)
	{
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(event_cxt);
		handle_event((const char *) lfirst(lc));
		MemoryContextSwitchTo(old);
		MemoryContextReset(event_cxt);
	}
	MemoryContextDelete(event_cxt);
	/* then the executions whose plans are done, and the notifications */
	close_finished_executions();
	webhook_deliver_due();

	finished = GetCurrentTimestamp();
	SpinLockAcquire(&storm_worker_state->mutex);
	storm_worker_state->last_run_finished_at = finished;
	SpinLockRelease(&storm_worker_state->mutex);
	proc_exit(0);
}
