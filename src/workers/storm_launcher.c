/*
 * storm_launcher.c: the storm-event worker's launcher.
 *
 * Registered with the postmaster, which restarts it after a crash. It holds
 * no database connection: it waits on its latch (set by commits that add
 * storm data) or for stormops.poll_interval, then starts a short-lived
 * runner (storm_runner.c) connected to stormops.database and waits for it
 * to finish. A wake that comes during a run starts another run at once.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "storm_launcher.h"
#include "storm_worker_state.h"

PGDLLEXPORT void stormops_storm_launcher_main(Datum arg);

static char *storm_database = NULL;
static int	poll_interval_s = 10;

/* The runner under way, stopped with the launcher (SIGTERM, a crash). */
static BackgroundWorkerHandle *current_runner = NULL;

void
storm_launcher_define_settings(void)
{
	DefineCustomStringVariable("stormops.database",
							   "The database whose storm events the storm worker proposes.",
							   "Empty: the worker waits. Needs stormops in shared_preload_libraries.",
							   &storm_database,
							   "",
							   PGC_SIGHUP,
							   0,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("stormops.poll_interval",
							"How often the storm worker looks for storm events without being woken.",
							"Commits that add storm events, reports or impacts wake it at once.",
							&poll_interval_s,
							10, 1, 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
}

void
storm_launcher_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;	/* seconds after a crash */
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "stormops");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "stormops_storm_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "stormops storm launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "stormops storm launcher");
	RegisterBackgroundWorker(&worker);
}

static void
launcher_detach(int code, Datum arg)
{
	if (current_runner != NULL)
		TerminateBackgroundWorker(current_runner);
	SpinLockAcquire(&storm_worker_state->mutex);
	storm_worker_state->launcher_pid = 0;
	storm_worker_state->launcher_latch = NULL;
	storm_worker_state->runner_pid = 0;
	SpinLockRelease(&storm_worker_state->mutex);
}

/*
 * How long to sleep: the poll interval, or less when a notification's retry
 * falls due sooner (the runner notes when).
 */
static long
sleep_ms(void)
{
	long		ms = poll_interval_s * 1000L;
	TimestampTz due;

	SpinLockAcquire(&storm_worker_state->mutex);
	due = storm_worker_state->next_delivery_due_at;
	SpinLockRelease(&storm_worker_state->mutex);
	if (due != 0)
	{
		long		until_due = (long) ((due - GetCurrentTimestamp()) / 1000);

		/* at least a second: a row someone holds locked stays "due" */
		ms = Max(1000, Min(ms, until_due));
	}
	return ms;
}

/* One run: a runner for the database, waited for until it exits. */
static void
run_once(void)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	pid_t		pid;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;	/* the launcher starts the next */
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "stormops");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "stormops_storm_runner_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "stormops storm worker");
	snprintf(worker.bgw_type, BGW_MAXLEN, "stormops storm worker");
	strlcpy(worker.bgw_extra, storm_database, BGW_EXTRALEN);
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(WARNING,
				(errmsg("stormops storm launcher could not start a worker"),
				 errhint("Raise max_worker_processes; the launcher tries again in stormops.poll_interval.")));
		return;
	}
	current_runner = handle;
	if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED)
	{
		SpinLockAcquire(&storm_worker_state->mutex);
		storm_worker_state->runner_pid = pid;
		SpinLockRelease(&storm_worker_state->mutex);
		WaitForBackgroundWorkerShutdown(handle);
		SpinLockAcquire(&storm_worker_state->mutex);
		storm_worker_state->runner_pid = 0;
		SpinLockRelease(&storm_worker_state->mutex);
	}
	current_runner = NULL;
	pfree(handle);
}

/*
 * The postmaster tells us with SIGUSR1 that a runner started or stopped. A
 * background worker without a database connection gets a handler that only
 * interrupts a WaitLatch already under way, so a signal that came just
 * before one was lost and the launcher waited until something else woke it
 * (measured: a minute, until a SIGHUP). Setting the latch keeps the signal.
 */
static void
launcher_sigusr1(SIGNAL_ARGS)
{
	int			save_errno = errno;

	SetLatch(MyLatch);
	errno = save_errno;
}

void
stormops_storm_launcher_main(Datum arg)
{
	uint64		handled_wakes;
	TimestampTz now;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	pqsignal(SIGUSR1, launcher_sigusr1);
	BackgroundWorkerUnblockSignals();

	now = GetCurrentTimestamp();
	SpinLockAcquire(&storm_worker_state->mutex);
	storm_worker_state->launcher_pid = MyProcPid;
	storm_worker_state->launcher_latch = MyLatch;
	storm_worker_state->launcher_started_at = now;
	storm_worker_state->runner_pid = 0;
	SpinLockRelease(&storm_worker_state->mutex);
	before_shmem_exit(launcher_detach, (Datum) 0);
	ereport(LOG, (errmsg("stormops storm launcher started"),
				  errdetail("stormops.database = '%s', stormops.poll_interval = %d s.",
							storm_database, poll_interval_s)));

	handled_wakes = pg_atomic_read_u64(&storm_worker_state->wake_requests);
	for (bool first = true;; first = false)
	{
		uint64		wakes = pg_atomic_read_u64(&storm_worker_state->wake_requests);

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		/* at start, run at once: events may have come while no launcher ran */
		if (wakes == handled_wakes && !first)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 sleep_ms(), PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			if (ConfigReloadPending)
			{
				ConfigReloadPending = false;
				ProcessConfigFile(PGC_SIGHUP);
			}
			wakes = pg_atomic_read_u64(&storm_worker_state->wake_requests);
		}
		if (wakes != handled_wakes)
		{
			now = GetCurrentTimestamp();
			SpinLockAcquire(&storm_worker_state->mutex);
			storm_worker_state->last_wake_at = now;
			SpinLockRelease(&storm_worker_state->mutex);
		}
		handled_wakes = wakes;	/* what this run will see */
		if (storm_database == NULL || storm_database[0] == '\0')
			continue;
		run_once();
	}
}
