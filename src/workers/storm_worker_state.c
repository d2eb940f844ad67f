/*
 * storm_worker_state.c: the storm-event worker's shared memory, the wake-up
 * that committing transactions send it, and stormops.worker_status().
 *
 * The wake follows pg_net's pattern: a trigger only notes that this
 * transaction added storm data; the commit callback then raises a counter
 * and sets the launcher's latch. A rolled-back transaction wakes nobody, and
 * a wake that arrives while a run is under way is not lost: the launcher
 * compares the counter before and after each run.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "storm_worker_state.h"

PG_FUNCTION_INFO_V1(stormops_wake_storm_worker);
PG_FUNCTION_INFO_V1(stormops_worker_status);

StormWorkerState *storm_worker_state = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* This transaction inserted storm events, reports or impacts. */
static bool wake_at_commit = false;

static void
storm_worker_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(StormWorkerState)));
}

static void
storm_worker_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	storm_worker_state = ShmemInitStruct("stormops storm worker", sizeof(StormWorkerState), &found);
	if (!found)
	{
		memset(storm_worker_state, 0, sizeof(StormWorkerState));
		SpinLockInit(&storm_worker_state->mutex);
		pg_atomic_init_u64(&storm_worker_state->wake_requests, 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
storm_worker_state_request(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = storm_worker_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = storm_worker_shmem_startup;
}

static void
storm_worker_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			/* not our own runner: what it adds, it handles in the same run */
			if (wake_at_commit && storm_worker_state != NULL &&
				!(MyBgworkerEntry != NULL && strcmp(MyBgworkerEntry->bgw_type, "stormops storm worker") == 0))
			{
				Latch	   *latch;

				pg_atomic_fetch_add_u64(&storm_worker_state->wake_requests, 1);
				SpinLockAcquire(&storm_worker_state->mutex);
				latch = storm_worker_state->launcher_latch;
				SpinLockRelease(&storm_worker_state->mutex);
				if (latch != NULL)
					SetLatch(latch);
			}
			wake_at_commit = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:	/* committed later, by anyone: the poll finds it */
			wake_at_commit = false;
			break;
		default:
			break;
	}
}

void
storm_worker_state_register_xact_callback(void)
{
	RegisterXactCallback(storm_worker_xact_callback, NULL);
}

void
storm_worker_state_set_text(char *field, const char *text)
{
	int			len = strlen(text);

	if (len >= STORM_WORKER_TEXT_LEN)
		len = pg_mbcliplen(text, len, STORM_WORKER_TEXT_LEN - 1);
	memcpy(field, text, len);
	field[len] = '\0';
}

/*
 * stormops.wake_storm_worker(): statement trigger on storm_events,
 * storm_reports and property_impacts. Without the worker (stormops not
 * preloaded) it does nothing: run_pending_proposals() and pg_cron remain.
 */
Datum
stormops_wake_storm_worker(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("stormops.wake_storm_worker() is a trigger function")));
	wake_at_commit = true;
	return PointerGetDatum(NULL);
}

static Datum
timestamp_or_null(TimestampTz t, bool *isnull)
{
	*isnull = (t == 0);
	return TimestampTzGetDatum(t);
}

/* stormops.worker_status(): whether the launcher runs, since when, what it last did. */
Datum
stormops_worker_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	StormWorkerState copy;
	Datum		values[14];
	bool		nulls[14] = {0};
	int			i = 0;

	if (storm_worker_state == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the stormops background workers are not running"),
				 errdetail("stormops was not in shared_preload_libraries when the server started."),
				 errhint("Add stormops to shared_preload_libraries in postgresql.conf, set stormops.database, and restart the server.")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "worker_status must return a row");

	SpinLockAcquire(&storm_worker_state->mutex);
	memcpy(&copy, storm_worker_state, sizeof(copy));
	SpinLockRelease(&storm_worker_state->mutex);

	values[i++] = BoolGetDatum(copy.launcher_pid != 0);
	values[i] = Int32GetDatum(copy.launcher_pid);
	nulls[i++] = (copy.launcher_pid == 0);
	values[i] = timestamp_or_null(copy.launcher_started_at, &nulls[i]);
	i++;
	values[i] = timestamp_or_null(copy.last_wake_at, &nulls[i]);
	i++;
	values[i] = timestamp_or_null(copy.last_run_started_at, &nulls[i]);
	i++;
	values[i] = timestamp_or_null(copy.last_run_finished_at, &nulls[i]);
	i++;
	values[i] = Int32GetDatum(copy.runner_pid);
	nulls[i++] = (copy.runner_pid == 0);
	values[i++] = Int64GetDatum(copy.runs);
	values[i++] = Int64GetDatum(copy.events_handled);
	values[i++] = Int64GetDatum(copy.events_failed);
	values[i] = CStringGetTextDatum(copy.last_event_id);
	nulls[i] = (copy.last_event_id[0] == '\0');
	i++;
	values[i] = CStringGetTextDatum(copy.last_outcome);
	nulls[i] = (copy.last_outcome[0] == '\0');
	i++;
	values[i++] = Int64GetDatum(copy.notifications_delivered);
	values[i++] = Int64GetDatum(copy.notifications_failed);
	Assert(i == lengthof(values));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
