/*
 * storm_worker_state.h: what the storm-event worker shares between
 * processes (docs/operations.md): the launcher's latch, the wake-up count
 * that committing transactions raise, and the status worker_status() shows.
 */
#ifndef STORMOPS_STORM_WORKER_STATE_H
#define STORMOPS_STORM_WORKER_STATE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/spin.h"

#define STORM_WORKER_TEXT_LEN 256

typedef struct StormWorkerState
{
	slock_t		mutex;			/* protects everything below but wake_requests */
	pg_atomic_uint64 wake_requests; /* raised by every commit that adds storm data */
	int			launcher_pid;	/* 0 when no launcher runs */
	Latch	   *launcher_latch;
	TimestampTz launcher_started_at;
	TimestampTz last_wake_at;
	TimestampTz last_run_started_at;
	TimestampTz last_run_finished_at;
	TimestampTz next_delivery_due_at;	/* earliest retry of a notification; 0: none */
	int64		notifications_delivered;
	int64		notifications_failed;	/* attempts that failed (retried or dead) */
	int			runner_pid;		/* 0 between runs */
	int64		runs;
	int64		events_handled;
	int64		events_failed;
	char		last_event_id[STORM_WORKER_TEXT_LEN];
	char		last_outcome[STORM_WORKER_TEXT_LEN];
} StormWorkerState;

/* NULL unless stormops was in shared_preload_libraries at server start. */
extern StormWorkerState *storm_worker_state;

/* From _PG_init during shared_preload_libraries: ask for the memory. */
extern void storm_worker_state_request(void);

/* From _PG_init in every process: the commit callback that wakes the launcher. */
extern void storm_worker_state_register_xact_callback(void);

/* Copies text into a fixed field, cut at a character boundary. */
extern void storm_worker_state_set_text(char *field, const char *text);

#endif
