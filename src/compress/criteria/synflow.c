/* synflow.c: SynFlow, iterative synaptic flow pruning (Tanaka, Kunin, Yamins and Ganguli 2020,
 * "Pruning neural networks without any data by iteratively conserving synaptic flow";
 * docs/criteria.md#synflow).
 *
 * Data-free: a parameter's score is its share of the synaptic flow R through the network's
 * linearisation (synflow.h), so it looks at the fresh network only, never at a participant.
 * It prunes at initialisation over prune.synflow_rounds rounds (100 by default, the paper's),
 * the kept fraction shrinking exponentially and the masked network scored again each round,
 * which keeps one layer from being cut away entirely; the pruned network is then trained from
 * its initial weights (config/criterion.h's at-initialisation stage). */
#include "compress/criteria/synflow.h"

#include <math.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "compress/prune.h"
#include "config/criterion.h"

typedef struct {
    int rounds;
} synflow_options;

static const pf_config_key KEYS[] = {
    PF_KEY_INT_(synflow_options, "prune", "synflow_rounds", rounds, "100", 1, 10000,
                "rounds of SynFlow's pruning at initialisation"),
};

static double abs_param(const pf_mlp *m, size_t j)
{
    return fabs((double)pf_prune_effective(m, j));
}

double pf_synflow_scores(const pf_mlp *m, double *score, pf_error *err)
{
    size_t L = m->n_layers, total = 0;
    for (size_t l = 0; l <= L; l++) total += m->dims[l];
    double *a = pf_alloc(total, sizeof *a, err), *g = pf_alloc(total, sizeof *g, err);
    size_t *at = pf_alloc(L + 1, sizeof *at, err);
    if (!a || !g || !at) {
        free(a), free(g), free(at);
        return NAN;
    }
    /* Forward: a_0 = 1, a_l = |W_l| a_(l-1) + |b_l|, layer l's values at a + at[l]. */
    for (size_t l = 0, off = 0; l <= L; off += m->dims[l], l++) at[l] = off;
    for (size_t j = 0; j < m->dims[0]; j++) a[j] = 1.0;
    for (size_t l = 0; l < L; l++) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        for (size_t i = 0; i < rows; i++) {
            double z = abs_param(m, m->b_off[l] + i);
            for (size_t j = 0; j < cols; j++)
                z += abs_param(m, m->w_off[l] + i * cols + j) * a[at[l] + j];
            a[at[l + 1] + i] = z;
        }
    }
    double R = 0.0;
    for (size_t i = 0; i < m->dims[L]; i++) R += a[at[L] + i], g[at[L] + i] = 1.0;
    /* Backward: g_l = dR/da_l; dR/d|W_l|_ij = g_l[i] a_(l-1)[j], dR/d|b_l|_i = g_l[i]. */
    for (size_t l = L; l-- > 0;) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        for (size_t j = 0; j < cols; j++) g[at[l] + j] = 0.0;
        for (size_t i = 0; i < rows; i++) {
            double gi = g[at[l + 1] + i];
            size_t b = m->b_off[l] + i;
            score[b] = abs_param(m, b) * gi;
            for (size_t j = 0; j < cols; j++) {
                size_t w = m->w_off[l] + i * cols + j;
                score[w] = abs_param(m, w) * gi * a[at[l] + j];
                g[at[l] + j] += abs_param(m, w) * gi;
            }
        }
    }
    free(a), free(g), free(at);
    return R;
}

static void stage(const void *options, pf_criterion_stage *out)
{
    out->at_init = 1;
    out->rounds = ((const synflow_options *)options)->rounds;
}

static int score(const pf_prune_ctx *ctx, const void *options, double sweep_value, pf_ranking *r,
                 pf_error *err)
{
    (void)options, (void)sweep_value;
    const pf_mlp *m = ctx->model;
    double *s = pf_alloc(m->n_params, sizeof *s, err);
    if (!s || isnan(pf_synflow_scores(m, s, err))) {
        free(s);
        return err->code;
    }
    for (size_t j = 0; j < m->n_params; j++)
        if (pf_prune_is_prunable(m, j, ctx->cfg->prune_biases)) r->score[j] = s[j];
    free(s);
    return PF_OK;
}

const pf_criterion pf_criterion_synflow = {
    .name = "synflow",
    .title = "SynFlow",
    .about = "data-free synaptic flow |theta dR/dtheta|, iteratively at initialisation",
    .colour = "#CC79A7",
    .point = 15,
    .keys = KEYS,
    .n_keys = sizeof KEYS / sizeof KEYS[0],
    .options_size = sizeof(synflow_options),
    .stage = stage,
    .score = score,
};
