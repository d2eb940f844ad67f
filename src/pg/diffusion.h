/*
 * diffusion.h: the settings of the diffusion graph (diffusion.c).
 */
#ifndef STORMOPS_DIFFUSION_H
#define STORMOPS_DIFFUSION_H

/* Defines stormops.neighbor_k, neighbor_radius_m, neighbor_decay_m, referral_weight (from _PG_init). */
void		stormops_define_diffusion_settings(void);

/* stormops.neighbor_k and stormops.neighbor_radius_m (neighbor_refresh.c reads them). */
extern int	stormops_neighbor_k;
extern double stormops_neighbor_radius_m;

#endif							/* STORMOPS_DIFFUSION_H */
