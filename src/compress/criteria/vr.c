/* vr.c: variance-regularised pruning (docs/criteria.md#vr).
 *
 * A weight's worth is measured per held-out-like group: each training participant's loss
 * gradient. Form stats keeps the weights whose importance |w g_p| is high on average across
 * participants and even between them (mean - lambda sd); form objective scores the
 * sensitivity of the objective mean_p L_p + lambda var_p L_p, which penalises a spread of
 * participants' losses. prune.vr_lambda is a sweep: a list of lambdas makes one criterion per
 * value, "vr(lambda=0.5)". The first of them is the default reference of the statistics. */
#include "compress/criteria/vr.h"

#include <math.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "compress/groups.h"
#include "compress/prune.h"
#include "config/criterion.h"

#define VR_FORMS(X) X(VR_STATS, stats) X(VR_OBJECTIVE, objective)
typedef enum { VR_FORMS(PF_ENUM_VALUE) } vr_form;

typedef struct {
    vr_form form;
    pf_numlist lambdas;
} vr_options;

static const pf_config_key KEYS[] = {
    PF_KEY_ENUM_(vr_options, "prune", "vr_form", form, "stats", PF_CHOICES(VR_FORMS),
                 "VR score form"),
    PF_KEY_NUMLIST_(vr_options, "prune", "vr_lambda", lambdas, "0.5", 0, 1e6, 0,
                    "VR lambda; a list is a sweep (list)"),
};

static int score(const pf_prune_ctx *ctx, const void *options, double lambda, pf_ranking *r,
                 pf_error *err)
{
    const vr_options *o = options;
    const pf_mlp *m = ctx->model;
    pf_groups gs;
    float *w = NULL;
    double *s = NULL;
    int status = pf_groups_gradients(ctx, 0, &gs, err);
    if (status == PF_OK) {
        w = pf_alloc(m->n_params, sizeof *w, err);
        s = pf_alloc(m->n_params, sizeof *s, err);
        if (w == NULL || s == NULL) status = PF_ERUNTIME;
    }
    if (status == PF_OK) {
        for (size_t j = 0; j < m->n_params; j++) w[j] = pf_prune_effective(m, j);
        if (o->form == VR_OBJECTIVE)
            pf_vr_objective_scores(w, gs.grads, gs.loss, gs.n_groups, m->n_params, lambda, s);
        else
            pf_vr_stats_scores(w, gs.grads, gs.n_groups, m->n_params, lambda, s);
        for (size_t j = 0; j < m->n_params; j++)
            if (pf_prune_is_prunable(m, j, ctx->cfg->prune_biases)) r->score[j] = s[j];
    }
    pf_groups_free(&gs);
    free(w);
    free(s);
    return status;
}

/* Parameters in blocks of VR_BLOCK, participants in the outer loop: rows of g are read in
 * order, and each parameter's sums still take its participants in order (the same bits as a
 * loop per parameter). */
#define VR_BLOCK 256

void pf_vr_stats_scores(const float *w, const float *g, size_t n_parts, size_t n, double lambda,
                        double *score)
{
    double sum[VR_BLOCK], sq[VR_BLOCK];
    for (size_t j0 = 0; j0 < n; j0 += VR_BLOCK) {
        size_t nb = n - j0 < VR_BLOCK ? n - j0 : VR_BLOCK;
        const float *wb = w + j0;
        for (size_t j = 0; j < nb; j++) sum[j] = sq[j] = 0.0;
        for (size_t p = 0; p < n_parts; p++) {
            const float *gp = g + p * n + j0;
#pragma omp simd
            for (size_t j = 0; j < nb; j++) sum[j] += fabs((double)wb[j] * (double)gp[j]);
        }
        for (size_t j = 0; j < nb; j++) sum[j] = n_parts ? sum[j] / (double)n_parts : 0.0;
        for (size_t p = 0; p < n_parts;
             p++) { /* two passes: no cancellation when the spread is small */
            const float *gp = g + p * n + j0;
#pragma omp simd
            for (size_t j = 0; j < nb; j++) {
                double e = fabs((double)wb[j] * (double)gp[j]) - sum[j];
                sq[j] += e * e;
            }
        }
        for (size_t j = 0; j < nb; j++) {
            double sd = n_parts ? sqrt(sq[j] / (double)n_parts) : 0.0;
            score[j0 + j] = sum[j] - lambda * sd;
        }
    }
}

void pf_vr_objective_scores(const float *w, const float *g, const double *L, size_t n_parts,
                            size_t n, double lambda, double *score)
{
    double lbar = 0.0;
    for (size_t p = 0; p < n_parts; p++) lbar += L[p];
    lbar = n_parts ? lbar / (double)n_parts : 0.0;
    for (size_t j = 0; j < n; j++) {
        double mean_g = 0.0, var_g = 0.0;
        for (size_t p = 0; p < n_parts; p++) {
            mean_g += g[p * n + j];
            var_g += (L[p] - lbar) * g[p * n + j];
        }
        if (n_parts) {
            mean_g /= (double)n_parts;
            var_g *= 2.0 / (double)n_parts;
        }
        score[j] = fabs((double)w[j] * (mean_g + lambda * var_g));
    }
}

const pf_criterion pf_criterion_vr = {
    .name = "vr",
    .title = "VR pruning",
    .about = "variance-regularised: importance high on average and even across participants",
    .needs = PF_CRITERION_ROWS,
    .roles = PF_CRITERION_DEFAULT | PF_CRITERION_REFERENCE,
    .colour = "#D55E00",
    .point = 7,
    .keys = KEYS,
    .n_keys = sizeof KEYS / sizeof KEYS[0],
    .options_size = sizeof(vr_options),
    .sweep = "vr_lambda",
    .score = score,
};
