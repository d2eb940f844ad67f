/*
 * module.c: the shared library's entry point and its settings.
 *
 * stormops may be loaded by CREATE EXTENSION alone; listing it in
 * shared_preload_libraries is needed only for its background workers
 * (src/workers).
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "bandit_functions.h"
#include "contact_settings.h"
#include "jsonb_jsonc.h"
#include "diffusion.h"
#include "storm_launcher.h"
#include "targeting_functions.h"
#include "storm_worker_state.h"
#include "webhook_delivery.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

PG_FUNCTION_INFO_V1(stormops_our_contractor_id);
PG_FUNCTION_INFO_V1(stormops_throttle_contacts_7d);
PG_FUNCTION_INFO_V1(stormops_escalate_complaints_30d);

/* Our own contractor id: competition leaves our permits out. */
static char *contractor_id = NULL;

/* Guardrail thresholds (proposals.md): more than this many is a flag. */
static int	throttle_contacts_7d = 5;
static int	escalate_complaints_30d = 2;

void
_PG_init(void)
{
	DefineCustomStringVariable("stormops.contractor_id",
							   "The contractor id of this company in competitor_permits.",
							   "Its own permits are not competition: refresh_competition leaves them out.",
							   &contractor_id,
							   "",
							   PGC_SUSET,	/* policy: the competitor trigger (a definer) reads it */
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("stormops.throttle_contacts_7d",
							"Contacts in 7 days above which a property is throttled.",
							"throttle_flag is contact_frequency_7d > this setting.",
							&throttle_contacts_7d,
							5, 0, 1000,
							PGC_SUSET,	/* policy: not for a session to loosen */
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("stormops.escalate_complaints_30d",
							"Complaints in 30 days above which a property is escalated to a human.",
							"escalate_flag is complaint_count_30d > this setting.",
							&escalate_complaints_30d,
							2, 0, 1000,
							PGC_SUSET,	/* policy: not for a session to loosen */
							0,
							NULL, NULL, NULL);

	stormops_define_contact_settings();
	stormops_define_jsonb_settings();
	stormops_define_targeting_settings();
	stormops_define_diffusion_settings();
	stormops_define_bandit_settings();
	storm_launcher_define_settings();
	webhook_define_settings();

	/* A misspelt stormops.* setting is reported instead of silently ignored. */
	MarkGUCPrefixReserved("stormops");

	/* Every process that loads us wakes the storm worker when storm data commits. */
	storm_worker_state_register_xact_callback();
	if (process_shared_preload_libraries_in_progress)
	{
		storm_worker_state_request();
		storm_launcher_register();
	}
}

/*
 * stormops.our_contractor_id(): the setting, or NULL when it is empty.
 * Calling it loads this library, so the setting is defined (and a value set
 * before the library was loaded is kept) whenever SQL reads it.
 */
Datum
stormops_our_contractor_id(PG_FUNCTION_ARGS)
{
	if (contractor_id == NULL || contractor_id[0] == '\0')
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(contractor_id));
}

/* stormops.throttle_contacts_7d(): the setting (loading this library defines it). */
Datum
stormops_throttle_contacts_7d(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(throttle_contacts_7d);
}

/* stormops.escalate_complaints_30d(): the setting. */
Datum
stormops_escalate_complaints_30d(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(escalate_complaints_30d);
}
