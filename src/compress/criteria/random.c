/* random.c: random pruning, the yardstick of collapse (docs/criteria.md#random).
 *
 * Every prunable parameter gets a uniform score from the task's generator, so a random
 * ranking is drawn once per (fold, repeat) and reproduces exactly. Whatever a criterion is
 * worth, it should beat this. */
#include <gsl/gsl_rng.h>

#include "compress/prune.h"
#include "config/criterion.h"

static int score(const pf_prune_ctx *ctx, const void *options, double sweep_value, pf_ranking *r,
                 pf_error *err)
{
    (void)options, (void)sweep_value, (void)err;
    const pf_mlp *m = ctx->model;
    for (size_t j = 0; j < m->n_params; j++)
        if (pf_prune_is_prunable(m, j, ctx->cfg->prune_biases))
            r->score[j] = gsl_rng_uniform(ctx->rng);
    return PF_OK;
}

const pf_criterion pf_criterion_random = {
    .name = "random",
    .title = "random pruning",
    .about = "uniform random scores: the baseline every criterion should beat",
    .needs = PF_CRITERION_RANDOM,
    .roles = PF_CRITERION_DEFAULT | PF_CRITERION_BASELINE,
    .colour = "#8C8C8C",
    .point = 11,
    .score = score,
};
