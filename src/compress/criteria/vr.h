/* vr.h: the score cores of variance-regularised pruning, exposed so they can be tested on
 * numbers worked out by hand (the criterion itself: vr.c; docs/criteria.md#vr). */
#ifndef PF_VR_H
#define PF_VR_H

#include <stddef.h>

/* Form stats, for n parameters and n_parts participants: c_jp = |w_j g_jp|,
 * score_j = mean_p c_jp - lambda sd_p c_jp, sd the population standard deviation (divide by
 * n_parts). g holds g_jp participant by participant (g[p * n + j]). */
void pf_vr_stats_scores(const float *w, const float *g, size_t n_parts, size_t n, double lambda,
                        double *score);

/* Form objective: the sensitivity of L_VR = mean_p L_p + lambda var_p L_p,
 * score_j = |w_j (mean_p g_jp + lambda (2 / n_parts) sum_p (L_p - Lbar) g_jp)| with
 * Lbar = mean_p L_p (the mean that var_p L_p is taken around; the derivative of Lbar itself
 * cancels because sum_p (L_p - Lbar) = 0). L holds L_p. */
void pf_vr_objective_scores(const float *w, const float *g, const double *L, size_t n_parts,
                            size_t n, double lambda, double *score);

#endif
