/* fairgrape.h: FairGRAPE's greedy selection, exposed so it can be tested on numbers worked
 * out by hand (the criterion itself: fairgrape.c; docs/criteria.md#fairgrape). */
#ifndef PF_FAIRGRAPE_H
#define PF_FAIRGRAPE_H

#include <stddef.h>

#include "base/error.h"

/* The greedy selection over n candidates of one layer and n_groups groups. imp holds
 * I_jg = (w_j g_jg)^2 group by group (imp[g * n + j]). tau_g = sum_j I_jg / sum_jg I_jg (0 for
 * all groups when every importance is 0). Repeatedly: the group with the most negative
 * deficit S_g / sum S - tau_g (S_g / sum S taken as 0 while sum S = 0; ties to the lowest
 * group) picks its most important candidate not yet kept (ties to the lowest j), and every
 * S_h grows by that candidate's I_jh. Runs to the end, writing all n candidates in pick order
 * to order. O(n_groups n log n). PF_ERUNTIME when memory runs out. */
int pf_fairgrape_greedy(const double *imp, size_t n_groups, size_t n, size_t *order, pf_error *err);

#endif
