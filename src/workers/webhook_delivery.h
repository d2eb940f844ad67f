/*
 * webhook_delivery.h: delivery of stormops.notification_outbox as webhooks
 * (docs/operations.md), run by the storm worker's runner after the storm
 * events of each run.
 */
#ifndef STORMOPS_WEBHOOK_DELIVERY_H
#define STORMOPS_WEBHOOK_DELIVERY_H

/* stormops.webhook_* settings; from _PG_init. */
extern void webhook_define_settings(void);

/*
 * Delivers every notification that is due, in batches: claim (committed),
 * POST them all at once, record each outcome (committed). Then notes when
 * the next retry is due, for the launcher. Needs a database connection and
 * no open transaction; a no-op while stormops.webhook_url is empty.
 */
extern void webhook_deliver_due(void);

#endif
