/* magnitude.c: magnitude pruning, |w| (docs/criteria.md#magnitude).
 *
 * The oldest and most common criterion: keep the weights of largest absolute value. It looks
 * at the trained model only, not at any data. */
#include <math.h>

#include "compress/prune.h"
#include "config/criterion.h"

static int score(const pf_prune_ctx *ctx, const void *options, double sweep_value, pf_ranking *r,
                 pf_error *err)
{
    (void)options, (void)sweep_value, (void)err;
    const pf_mlp *m = ctx->model;
    for (size_t j = 0; j < m->n_params; j++)
        if (pf_prune_is_prunable(m, j, ctx->cfg->prune_biases))
            r->score[j] = fabs((double)pf_prune_effective(m, j));
    return PF_OK;
}

const pf_criterion pf_criterion_magnitude = {
    .name = "magnitude",
    .title = "magnitude pruning",
    .about = "|w|: keep the weights of largest absolute value",
    .roles = PF_CRITERION_DEFAULT,
    .colour = "#0072B2",
    .point = 5,
    .score = score,
};
