/*
 * bandit_functions.h: the bandit's setting (bandit_functions.c).
 */
#ifndef STORMOPS_BANDIT_FUNCTIONS_H
#define STORMOPS_BANDIT_FUNCTIONS_H

/* Defines stormops.random_seed (from _PG_init). */
void		stormops_define_bandit_settings(void);

#endif							/* STORMOPS_BANDIT_FUNCTIONS_H */
