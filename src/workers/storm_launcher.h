/*
 * storm_launcher.h: the storm-event worker's launcher (docs/operations.md).
 */
#ifndef STORMOPS_STORM_LAUNCHER_H
#define STORMOPS_STORM_LAUNCHER_H

/* stormops.database and stormops.poll_interval; from _PG_init. */
extern void storm_launcher_define_settings(void);

/* Registers the launcher; from _PG_init during shared_preload_libraries. */
extern void storm_launcher_register(void);

#endif
