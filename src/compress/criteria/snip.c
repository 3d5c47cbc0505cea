/* snip.c: SNIP, connection sensitivity |w dL/dw| (Lee, Ajanthan and Torr 2019, "SNIP:
 * Single-shot network pruning based on connection sensitivity"; docs/criteria.md#snip).
 *
 * The gradient is the training loss's over all scoring rows. prune.snip_stage = trained scores
 * the trained model on the training participants' rows; init scores the freshly initialised
 * network on one batch of them, as the paper does, and the pruned network is then trained from
 * those initial weights (the runner's at-initialisation stage, config/criterion.h). */
#include <math.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "compress/prune.h"
#include "config/criterion.h"

#define SNIP_STAGES(X) X(SNIP_TRAINED, trained) X(SNIP_INIT, init)
typedef enum { SNIP_STAGES(PF_ENUM_VALUE) } snip_stage;

typedef struct {
    snip_stage stage;
} snip_options;

static const pf_config_key KEYS[] = {
    PF_KEY_ENUM_(snip_options, "prune", "snip_stage", stage, "trained", PF_CHOICES(SNIP_STAGES),
                 "SNIP on the trained model, or at initialisation"),
};

static void stage(const void *options, pf_criterion_stage *out)
{
    out->at_init = ((const snip_options *)options)->stage == SNIP_INIT;
}

static int score(const pf_prune_ctx *ctx, const void *options, double sweep_value, pf_ranking *r,
                 pf_error *err)
{
    (void)options, (void)sweep_value;
    const pf_mlp *m = ctx->model;
    const pf_loss_spec loss = pf_prune_loss(ctx);
    float *g = pf_alloc(m->n_params, sizeof *g, err);
    pf_mlp_work *w = g ? pf_prune_work(ctx, ctx->data->n, err) : NULL;
    if (w == NULL) {
        free(g);
        return PF_ERUNTIME;
    }
    pf_mlp_loss_grad(m, w, &loss, ctx->data->x, ctx->data->y, ctx->data->n, g);
    for (size_t j = 0; j < m->n_params; j++)
        if (pf_prune_is_prunable(m, j, ctx->cfg->prune_biases))
            r->score[j] = fabs((double)pf_prune_effective(m, j) * (double)g[j]);
    free(g);
    pf_prune_work_release(ctx, w);
    return PF_OK;
}

const pf_criterion pf_criterion_snip = {
    .name = "snip",
    .title = "SNIP",
    .about = "|w dL/dw| over the training rows (or one batch at initialisation)",
    .needs = PF_CRITERION_ROWS,
    .roles = PF_CRITERION_DEFAULT,
    .colour = "#E69F00",
    .point = 9,
    .keys = KEYS,
    .n_keys = sizeof KEYS / sizeof KEYS[0],
    .options_size = sizeof(snip_options),
    .stage = stage,
    .score = score,
};
