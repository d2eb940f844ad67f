/*
 * diffusion.h: the settings of the diffusion graph (diffusion.c).
 */
#ifndef STORMOPS_DIFFUSION_H
#define STORMOPS_DIFFUSION_H

/* Defines stormops.neighbor_k, neighbor_radius_m, neighbor_decay_m, referral_weight (from _PG_init). */
void		stormops_define_diffusion_settings(void);

#endif							/* STORMOPS_DIFFUSION_H */
