/*
 * contact_settings.h: the settings of contact plans (contact_settings.c).
 */
#ifndef STORMOPS_CONTACT_SETTINGS_H
#define STORMOPS_CONTACT_SETTINGS_H

#include <stdbool.h>

/* Defines stormops.default_time_zone, call_hours, ... (from _PG_init). */
void		stormops_define_contact_settings(void);

/* Whether name is an IANA zone name that PostgreSQL loads, spelt exactly so. */
bool		stormops_time_zone_valid(const char *name);

#endif							/* STORMOPS_CONTACT_SETTINGS_H */
