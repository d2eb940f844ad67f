/*
 * contact_settings.h: the settings of contact plans (contact_settings.c).
 */
#ifndef STORMOPS_CONTACT_SETTINGS_H
#define STORMOPS_CONTACT_SETTINGS_H

#include <stdbool.h>

#include "datatype/timestamp.h"

/* Defines stormops.default_time_zone, call_hours, ... (from _PG_init). */
void		stormops_define_contact_settings(void);

/*
 * The calendar year of a moment in stormops.default_time_zone, the year
 * roof ages count from (docs/data-model.md, "Time"); stormops.local_year in SQL.
 */
int			stormops_local_year(TimestampTz at);

/* Whether name is an IANA zone name that PostgreSQL loads, spelt exactly so. */
bool		stormops_time_zone_valid(const char *name);

#endif							/* STORMOPS_CONTACT_SETTINGS_H */
