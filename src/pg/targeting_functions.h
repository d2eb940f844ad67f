/*
 * targeting_functions.h: the compiler's entry points' settings.
 */
#ifndef STORMOPS_TARGETING_FUNCTIONS_H
#define STORMOPS_TARGETING_FUNCTIONS_H

/* stormops.behavior_form; from _PG_init. */
void		stormops_define_targeting_settings(void);

#endif							/* STORMOPS_TARGETING_FUNCTIONS_H */
