/* groups.h: the scoring rows of a criterion in groups of people -- each participant, or each
 * value of the run's grouping (a group column or a participant attribute) -- and each group's
 * mean training loss and its gradient, for the criteria that score by group (vr, fairgrape;
 * docs/criteria.md). */
#ifndef PF_GROUPS_H
#define PF_GROUPS_H

#include <stddef.h>

#include "base/error.h"
#include "compress/prune.h"

/* Non-empty groups of scoring rows. perm == NULL: group g is rows off[g]..off[g+1]-1 of the
 * split itself; otherwise it is rows perm[off[g]..off[g+1]-1], ascending. */
typedef struct {
    size_t n_groups;
    size_t *off; /* n_groups + 1 */
    size_t *perm;
    size_t max_rows; /* rows of the largest group */
    float *grads;    /* n_groups x n_params: each group's gradient of its mean loss */
    double *loss;    /* n_groups: each group's mean loss */
    int own_grads;   /* grads was allocated here (not the ctx's scratch) */
} pf_groups;

/* The groups of ctx->data -- its participants (empty ones skipped: they carry no gradient),
 * or with by_group the values of ctx->data->group in ascending index order (a row of group
 * -1 belongs to none) -- into gs, with each group's mean loss and gradient (in ctx's scratch
 * when it has one). PF_EINPUT when there is no group with rows; PF_ERUNTIME when memory runs
 * out. Free with pf_groups_free, also after an error. */
int pf_groups_gradients(const pf_prune_ctx *ctx, int by_group, pf_groups *gs, pf_error *err);
void pf_groups_free(pf_groups *gs);

#endif
