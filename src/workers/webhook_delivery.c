/*
 * webhook_delivery.c: delivers stormops.notification_outbox as webhooks.
 *
 * A sliding window of up to 100 requests at once: claim due rows (FOR
 * UPDATE SKIP LOCKED, claims + 1, a lease on next_attempt_at; the rows this
 * run still holds are excluded) and commit the claim; POST them with
 * libcurl's multi interface, each with its own timeout; as requests finish,
 * record each outcome and claim more: delivered, retried later with capped
 * exponential backoff and jitter (timeouts, connection errors, 429, 5xx),
 * or dead (after stormops.webhook_max_attempts recorded attempts, or an
 * answer that retrying cannot change). SQL side: 21_webhook_delivery.sql.
 *
 * Failure modes. Each outcome is recorded in a subtransaction of its own:
 * an ERROR while recording one (a lock or statement timeout, a trigger)
 * undoes that one only; it is logged, written to stormops.worker_errors, and
 * recorded again on the next pass, up to RECORD_TRIES times, after which the
 * slot is let go (its lease brings it back). A run that is held up while
 * recording cannot claim again what it still holds (the claim excludes
 * those ids), so a notification is never in flight twice. A crash between
 * sending and recording leaves the row claimed: its lease runs out and it is
 * sent again, with the same Idempotency-Key (at least once), and the lost
 * send is counted apart from the recorded attempts. The outbox is a logged
 * table, so nothing waiting is lost. Against a database still at 0.1.0 (the
 * new library installed, ALTER EXTENSION UPDATE not yet run) nothing is
 * claimed: the notifications wait for the update.
 */
#include "postgres.h"

#include <curl/curl.h>

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "storm_worker_state.h"
#include "webhook_delivery.h"
#include "worker_xact.h"

#define WEBHOOK_BATCH 100		/* requests in flight at once */
/* A run stops claiming after this long, so storm events are not kept waiting. */
#define WEBHOOK_RUN_BUDGET_MS 10000
#define WEBHOOK_USER_AGENT "stormops/0.2.0"
/* Tries to record one outcome before the slot is let go (its lease brings it back). */
#define RECORD_TRIES 5

static char *webhook_url = NULL;
static char *webhook_secret = NULL;
static int	webhook_timeout_ms = 5000;
static int	webhook_max_attempts = 10;
static int	webhook_backoff_ms = 1000;

typedef struct Delivery
{
	bool		in_flight;		/* claimed, not yet recorded */
	bool		finished;		/* answered or failed, not yet recorded */
	MemoryContext context;		/* its strings, reset when it is recorded */
	int64		notification_id;
	int			claim;			/* the claim's number: its token, and X-Stormops-Attempt */
	int			record_failures;	/* failed tries to record its outcome */
	char	   *body;
	char	   *signature;		/* the header, or NULL without a secret */
	char	   *delivery_key;	/* the Idempotency-Key */
	CURL	   *easy;
	struct curl_slist *headers;
	CURLcode	result;
	long		http_status;
	char		error[CURL_ERROR_SIZE];
} Delivery;

static bool
check_webhook_url(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (pg_strncasecmp(*newval, "http://", 7) == 0 || pg_strncasecmp(*newval, "https://", 8) == 0)
		return true;
	GUC_check_errdetail("stormops.webhook_url must start with http:// or https://.");
	return false;
}

void
webhook_define_settings(void)
{
	DefineCustomStringVariable("stormops.webhook_url",
							   "Where notifications are POSTed as JSON (http or https); empty: kept in the outbox.",
							   NULL, &webhook_url, "", PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL,	/* URLs carry tokens */
							   check_webhook_url, NULL, NULL);
	DefineCustomStringVariable("stormops.webhook_secret",
							   "Key of the HMAC-SHA256 signature of each webhook body (X-Stormops-Signature).",
							   "Empty: no signature header.",
							   &webhook_secret, "", PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("stormops.webhook_timeout",
							"Time allowed for one webhook request, connection included.",
							NULL, &webhook_timeout_ms, 5000, 100, 600000, PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("stormops.webhook_max_attempts",
							"Attempts after which a notification is dead.",
							NULL, &webhook_max_attempts, 10, 1, 1000, PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("stormops.webhook_backoff",
							"Wait before the first retry; it doubles with each attempt, up to 5 minutes, with jitter.",
							NULL, &webhook_backoff_ms, 1000, 10, 3600000, PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
}

static size_t
discard_response(char *data, size_t size, size_t nmemb, void *arg)
{
	return size * nmemb;
}

/*
 * "X-Stormops-Signature: sha256=<hex>" of the body under the secret. Inside a
 * transaction: with OpenSSL, the HMAC context belongs to its resource owner.
 */
static char *
signature_header(const char *body)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		hex[PG_SHA256_DIGEST_LENGTH * 2 + 1];
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL ||
		pg_hmac_init(ctx, (const uint8 *) webhook_secret, strlen(webhook_secret)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) body, strlen(body)) < 0 ||
		pg_hmac_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not sign a webhook body: %s", ctx ? pg_hmac_error(ctx) : "out of memory");
	pg_hmac_free(ctx);
	for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return psprintf("X-Stormops-Signature: sha256=%s", hex);
}

/*
 * Whether this database's stormops has 0.2.0's delivery functions (inside
 * a transaction). Asked once: a runner is a process of its own per run, so
 * the answer holds for the run, and an update made meanwhile is seen by the
 * next one. A database still at 0.1.0 is said in the log: its notifications
 * wait for ALTER EXTENSION stormops UPDATE.
 */
static bool
schema_ready(void)
{
	static int	known = -1;		/* -1 not asked yet, else the answer */
	char	   *version;

	if (known >= 0)
		return known == 1;
	if (!OidIsValid(get_extension_oid("stormops", true)))
		return false;			/* not installed (yet): asked again next claim */
	if (SPI_execute("SELECT extversion FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'stormops'",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the version of stormops");
	version = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	known = (version != NULL && strcmp(version, "0.1.0") != 0) ? 1 : 0;
	if (known == 0)
		ereport(LOG,
				(errmsg("stormops webhook delivery waits for ALTER EXTENSION stormops UPDATE"),
				 errdetail("Database \"%s\" has stormops 0.1.0; this library delivers with the functions of 0.2.0. Notifications stay pending meanwhile.",
						   get_database_name(MyDatabaseId)),
				 errhint("Run ALTER EXTENSION stormops UPDATE in that database.")));
	return known == 1;
}

/* The ids of the notifications the slots hold, as an int8[] datum. */
static Datum
held_ids(const Delivery *slots)
{
	Datum		ids[WEBHOOK_BATCH];
	int			n = 0;

	for (int i = 0; i < WEBHOOK_BATCH; i++)
		if (slots[i].in_flight)
			ids[n++] = Int64GetDatum(slots[i].notification_id);
	return PointerGetDatum(construct_array(ids, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * Claims up to `wanted` due notifications into free slots; the claim is
 * committed. Returns how many, or -1 when this database cannot deliver yet.
 */
static int
claim_into(Delivery *slots, int wanted)
{
	Oid			types[4] = {INT4OID, INT4OID, INT8ARRAYOID, INT4OID};
	Datum		values[4];
	int			claimed = 0;

	worker_begin_work("stormops: claiming notifications");
	if (!schema_ready())
		claimed = -1;
	else
	{
		int			slot = 0;

		values[0] = Int32GetDatum(wanted);
		values[1] = Int32GetDatum(webhook_timeout_ms + 5000);
		values[2] = held_ids(slots);
		values[3] = Int32GetDatum(webhook_max_attempts);
		if (SPI_execute_with_args("SELECT notification_id, claim, body, delivery_key "
								  "FROM stormops.claim_notifications($1, $2, $3, $4)",
								  4, types, values, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not claim notifications");
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	row = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			Delivery   *d;
			MemoryContext old;

			while (slots[slot].in_flight)
				slot++;
			d = &slots[slot];
			old = MemoryContextSwitchTo(d->context);
			d->notification_id = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
			d->claim = DatumGetInt32(SPI_getbinval(row, desc, 2, &isnull));
			d->body = SPI_getvalue(row, desc, 3);
			d->delivery_key = SPI_getvalue(row, desc, 4);
			d->signature = (webhook_secret != NULL && webhook_secret[0] != '\0') ? signature_header(d->body) : NULL;
			MemoryContextSwitchTo(old);
			d->in_flight = true;
			d->finished = false;
			d->record_failures = 0;
			d->result = CURLE_OK;
			d->http_status = 0;
			d->error[0] = '\0';
			claimed++;
		}
	}
	worker_end_work();
	return claimed;
}

/* The request of a claimed slot, in its own memory context. */
static void
prepare_request(Delivery *d)
{
	MemoryContext old = MemoryContextSwitchTo(d->context);
	char	   *key = psprintf("Idempotency-Key: %s", d->delivery_key);

	d->headers = curl_slist_append(NULL, "Content-Type: application/json");
	d->headers = curl_slist_append(d->headers, key);
	d->headers = curl_slist_append(d->headers, psprintf("X-Stormops-Notification: " INT64_FORMAT, d->notification_id));
	d->headers = curl_slist_append(d->headers, psprintf("X-Stormops-Attempt: %d", d->claim));
	if (d->signature != NULL)
		d->headers = curl_slist_append(d->headers, d->signature);
	MemoryContextSwitchTo(old);
	if (d->headers == NULL)
		elog(ERROR, "out of memory for webhook headers");

	d->easy = curl_easy_init();
	if (d->easy == NULL)
		elog(ERROR, "could not start a webhook request");
	curl_easy_setopt(d->easy, CURLOPT_URL, webhook_url);
	curl_easy_setopt(d->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(d->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(d->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(d->easy, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(d->easy, CURLOPT_POSTFIELDSIZE, (long) strlen(d->body));
	curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, d->headers);
	curl_easy_setopt(d->easy, CURLOPT_TIMEOUT_MS, (long) webhook_timeout_ms);
	curl_easy_setopt(d->easy, CURLOPT_NOSIGNAL, 1L);	/* no SIGALRM in a backend */
	curl_easy_setopt(d->easy, CURLOPT_USERAGENT, WEBHOOK_USER_AGENT);
	curl_easy_setopt(d->easy, CURLOPT_ERRORBUFFER, d->error);
	curl_easy_setopt(d->easy, CURLOPT_WRITEFUNCTION, discard_response);
	curl_easy_setopt(d->easy, CURLOPT_PRIVATE, d);
}

/*
 * Runs fn(arg) in a subtransaction of the current transaction. On an
 * ERROR the subtransaction is rolled back, the caller's memory context and
 * resource owner are restored, and the error is returned (in the caller's
 * context); NULL when fn succeeded.
 */
static ErrorData *
in_subtransaction(void (*fn) (void *), void *arg)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile failure = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller);
		failure = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(caller);
	CurrentResourceOwner = owner;
	return failure;
}

/* Whether a finished request was answered with 2xx. */
static bool
delivered_ok(const Delivery *d)
{
	return d->result == CURLE_OK && d->http_status >= 200 && d->http_status < 300;
}

/* stormops.record_delivery for one finished slot (run in a subtransaction). */
static void
record_outcome(void *arg)
{
	Delivery   *d = (Delivery *) arg;
	Oid			types[7] = {INT8OID, INT4OID, BOOLOID, BOOLOID, TEXTOID, INT4OID, INT4OID};
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	bool		ok = delivered_ok(d);

	/* timeouts (also 408 Request Timeout, 425 Too Early), refusals, 429, 5xx */
	bool		retryable = d->result != CURLE_OK || d->http_status == 408 || d->http_status == 425 ||
		d->http_status == 429 || d->http_status >= 500;
	char	   *error = NULL;

	if (d->result != CURLE_OK)
		error = psprintf("%s", d->error[0] ? d->error : curl_easy_strerror(d->result));
	else if (!ok)
		error = psprintf("HTTP %ld", d->http_status);
	values[0] = Int64GetDatum(d->notification_id);
	values[1] = Int32GetDatum(d->claim);
	values[2] = BoolGetDatum(ok);
	values[3] = BoolGetDatum(retryable);
	values[4] = error ? CStringGetTextDatum(error) : (Datum) 0;
	nulls[4] = error ? ' ' : 'n';
	values[5] = Int32GetDatum(webhook_max_attempts);
	values[6] = Int32GetDatum(webhook_backoff_ms);
	if (SPI_execute_with_args("SELECT stormops.record_delivery($1, $2, $3, $4, $5, $6, $7)",
							  7, types, values, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not record the delivery of notification " INT64_FORMAT, d->notification_id);
}

/* A failed recording, for stormops.worker_errors (run in a subtransaction). */
typedef struct RecordingFailure
{
	int64		notification_id;
	ErrorData  *error;
} RecordingFailure;

static void
note_recording_failure(void *arg)
{
	RecordingFailure *f = (RecordingFailure *) arg;
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(psprintf(INT64_FORMAT, f->notification_id));
	values[1] = CStringGetTextDatum(psprintf("recording the outcome of notification " INT64_FORMAT ": %s",
											 f->notification_id,
											 f->error->message ? f->error->message : "(no message)"));
	values[2] = CStringGetTextDatum(unpack_sql_state(f->error->sqlerrcode));
	if (SPI_execute_with_args("INSERT INTO stormops.worker_errors (worker, event_id, error, sqlstate) "
							  "VALUES ('webhook', $1, $2, $3)",
							  3, types, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record a failed webhook recording");
}

/* Lets a slot go: its request is done and its strings are freed. */
static void
free_slot(CURLM *multi, Delivery *d)
{
	curl_multi_remove_handle(multi, d->easy);
	curl_easy_cleanup(d->easy);
	curl_slist_free_all(d->headers);
	d->easy = NULL;
	d->headers = NULL;
	d->in_flight = false;
	d->finished = false;
	MemoryContextReset(d->context);
}

/*
 * Records the outcome of every finished slot, each in a subtransaction of
 * one transaction, and frees the slots recorded (or given up after
 * RECORD_TRIES failures). Returns how many slots were freed; the others stay
 * finished and are recorded again on the next call.
 */
static int
record_finished(CURLM *multi, Delivery *slots)
{
	bool		release[WEBHOOK_BATCH] = {false};
	int64		delivered = 0;
	int64		failed = 0;
	int			freed = 0;

	worker_begin_work("stormops: recording webhook deliveries");
	for (int i = 0; i < WEBHOOK_BATCH; i++)
	{
		Delivery   *d = &slots[i];
		ErrorData  *error;

		if (!d->in_flight || !d->finished)
			continue;
		error = in_subtransaction(record_outcome, d);
		if (error == NULL)
		{
			release[i] = true;
			if (delivered_ok(d))
				delivered++;
			else
				failed++;
			continue;
		}
		d->record_failures++;
		ereport(WARNING,
				(errmsg("stormops webhook delivery: could not record the outcome of notification " INT64_FORMAT ": %s",
						d->notification_id, error->message ? error->message : "(no message)"),
				 errdetail("SQLSTATE %s. Try %d of %d; %s.", unpack_sql_state(error->sqlerrcode),
						   d->record_failures, RECORD_TRIES,
						   d->record_failures < RECORD_TRIES ? "the other outcomes are kept, this one is recorded again next"
						   : "it is let go: when its lease runs out it is sent again, with the same Idempotency-Key")));
		{
			RecordingFailure f = {d->notification_id, error};
			ErrorData  *unnoted = in_subtransaction(note_recording_failure, &f);

			if (unnoted != NULL)
				ereport(WARNING,
						(errmsg("stormops webhook delivery: could not write to stormops.worker_errors: %s",
								unnoted->message ? unnoted->message : "(no message)")));
		}
		if (d->record_failures >= RECORD_TRIES)
			release[i] = true;	/* given up */
	}
	worker_end_work();

	for (int i = 0; i < WEBHOOK_BATCH; i++)
		if (release[i])
		{
			free_slot(multi, &slots[i]);
			freed++;
		}
	SpinLockAcquire(&storm_worker_state->mutex);
	storm_worker_state->notifications_delivered += delivered;
	storm_worker_state->notifications_failed += failed;
	SpinLockRelease(&storm_worker_state->mutex);
	return freed;
}

/* When the earliest pending notification is due, for the launcher's sleep. */
static void
note_next_due(bool ready)
{
	TimestampTz due = 0;

	if (ready)
	{
		worker_begin_work("stormops: looking for the next notification due");
		if (SPI_execute("SELECT pg_catalog.min(next_attempt_at) FROM stormops.notification_outbox "
						"WHERE status OPERATOR(pg_catalog.=) 'pending'",
						true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			bool		isnull;
			Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				due = DatumGetTimestampTz(value);
		}
		worker_end_work();
	}
	SpinLockAcquire(&storm_worker_state->mutex);
	storm_worker_state->next_delivery_due_at = due;
	SpinLockRelease(&storm_worker_state->mutex);
}

void
webhook_deliver_due(void)
{
	static bool curl_ready = false;
	static Delivery *slots = NULL;
	TimestampTz started = GetCurrentTimestamp();
	CURLM	   *multi;
	int			held = 0;		/* slots claimed and not yet let go */
	int			unrecorded = 0; /* of which finished, outcome not yet recorded */
	bool		claiming = true;
	bool		ready = true;

	if (webhook_url == NULL || webhook_url[0] == '\0')
		return;
	if (!curl_ready)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			elog(ERROR, "could not initialise libcurl");
		curl_ready = true;
	}
	if (slots == NULL)
	{
		slots = MemoryContextAllocZero(TopMemoryContext, sizeof(Delivery) * WEBHOOK_BATCH);
		for (int i = 0; i < WEBHOOK_BATCH; i++)
			slots[i].context = AllocSetContextCreate(TopMemoryContext, "stormops webhook", ALLOCSET_SMALL_SIZES);
	}
	multi = curl_multi_init();
	if (multi == NULL)
		elog(ERROR, "could not start webhook delivery");

	/*
	 * A sliding window of WEBHOOK_BATCH requests: freed slots are claimed
	 * again as soon as a tenth of them are free, so a request that hangs
	 * until its timeout holds its own slot, not the others.
	 */
	for (;;)
	{
		int			free_slots = WEBHOOK_BATCH - held;
		int			still_running = 0;
		bool		any_finished = false;
		CURLMsg    *msg;
		int			left;

		if (claiming && TimestampDifferenceExceeds(started, GetCurrentTimestamp(), WEBHOOK_RUN_BUDGET_MS))
			claiming = false;	/* the rest in the next run, right after */
		if (claiming && free_slots > 0 && (held == 0 || free_slots >= WEBHOOK_BATCH / 10))
		{
			int			claimed = claim_into(slots, free_slots);

			if (claimed < 0)
			{
				ready = false;
				claimed = 0;
			}
			for (int i = 0; i < WEBHOOK_BATCH; i++)
				if (slots[i].in_flight && slots[i].easy == NULL)
				{
					prepare_request(&slots[i]);
					curl_multi_add_handle(multi, slots[i].easy);
				}
			held += claimed;
			if (claimed < free_slots)
				claiming = false;	/* nothing more is due now */
		}
		if (held == 0)
			break;

		if (curl_multi_perform(multi, &still_running) != CURLM_OK)
			elog(ERROR, "webhook delivery failed in libcurl");
		while ((msg = curl_multi_info_read(multi, &left)) != NULL)
		{
			Delivery   *d;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &d);
			d->result = msg->data.result;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &d->http_status);
			d->finished = true;
			any_finished = true;
			unrecorded++;
		}
		if (unrecorded > 0)
		{
			int			freed = record_finished(multi, slots);

			held -= freed;
			unrecorded -= freed;
		}
		/* wait for answers, or before recording a failed outcome again */
		if (!any_finished)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
		CHECK_FOR_INTERRUPTS();	/* SIGTERM: the claims' leases bring them back */
	}
	curl_multi_cleanup(multi);
	note_next_due(ready);
}
