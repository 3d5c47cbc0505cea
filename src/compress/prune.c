/* prune.c: rankings and masks -- what every criterion ends in (see prune.h).
 *
 * A criterion's scorer (compress/criteria/, listed in config/criterion.c) fills one score per
 * prunable parameter, which is sorted here once, or writes its own pick order (FairGRAPE).
 * Scores are computed in double from the float32 effective parameters (params * mask) and
 * gradients. Nothing here depends on thread count or shared state; a criterion that draws
 * random numbers draws only from the generator in the context. */
#include "compress/prune.h"
#include "base/alloc.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rankings ------------------------------------------------------------------------- */

void pf_prune_ranking_free(pf_ranking *r)
{
    if (r == NULL) return;
    free(r->order);
    free(r->score);
    r->order = NULL;
    r->score = NULL;
    r->n = 0;
}

static int ranking_alloc(pf_ranking *r, const pf_mlp *m, int prune_biases, pf_error *err)
{
    memset(r, 0, sizeof *r);
    r->n_params = m->n_params;
    for (size_t j = 0; j < m->n_params; j++)
        r->n += (size_t)pf_prune_is_prunable(m, j, prune_biases);
    r->order = pf_alloc(r->n ? r->n : 1, sizeof *r->order, err);
    r->score = pf_alloc(m->n_params ? m->n_params : 1, sizeof *r->score, err);
    if (r->order == NULL || r->score == NULL) return PF_ERUNTIME;
    for (size_t j = 0; j < m->n_params; j++) r->score[j] = NAN;
    return PF_OK;
}

/* Order the prunable parameters: unpruned ones by descending score (a NaN score, which only
 * a diverged model can produce, counts as -inf; -0 and +0 are equal), then the pruned ones;
 * ties by index. The unpruned ones go through a stable radix sort of a 64-bit key that is
 * ascending where the score descends, the pruned ones after them in index order: a total
 * order, so the result is the one any correct sort gives, found in eight linear passes instead
 * of a comparison sort's calls (which were 4% of a study). */
static uint64_t descending_key(double s)
{
    if (isnan(s)) s = -INFINITY;
    if (s == 0.0) s = 0.0; /* -0 ties with +0 */
    uint64_t b;
    memcpy(&b, &s, sizeof b);
    b = b >> 63 ? ~b : b | (UINT64_C(1) << 63); /* ascending with s */
    return ~b;
}

static int sort_by_score(const pf_mlp *m, int prune_biases, pf_ranking *r, pf_error *err)
{
    size_t n = r->n ? r->n : 1;
    uint64_t *key = pf_alloc(2 * n, sizeof *key, err);
    size_t *tmp = pf_alloc(n, sizeof *tmp, err);
    if (key == NULL || tmp == NULL) {
        free(key), free(tmp);
        return PF_ERUNTIME;
    }
    uint64_t *key_tmp = key + n;
    size_t live = 0, dead = 0;
    for (size_t j = 0; j < m->n_params; j++)
        if (pf_prune_is_prunable(m, j, prune_biases) && m->mask[j] != 0.0f) live++;
    size_t k = 0;
    for (size_t j = 0; j < m->n_params; j++) {
        if (!pf_prune_is_prunable(m, j, prune_biases)) continue;
        if (m->mask[j] == 0.0f) {
            r->order[live + dead++] = j;
        } else {
            r->order[k] = j;
            key[k++] = descending_key(r->score[j]);
        }
    }
    size_t *src = r->order, *dst = tmp;
    uint64_t *ks = key, *kd = key_tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < live; i++) count[((ks[i] >> shift) & 0xFF) + 1]++;
        if (live == 0 || count[((ks[0] >> shift) & 0xFF) + 1] == live) continue; /* one bucket */
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (size_t i = 0; i < live; i++) {
            size_t at = count[(ks[i] >> shift) & 0xFF]++;
            dst[at] = src[i];
            kd[at] = ks[i];
        }
        size_t *t = src;
        src = dst, dst = t;
        uint64_t *u = ks;
        ks = kd, kd = u;
    }
    if (src != r->order) memcpy(r->order, src, live * sizeof *r->order);
    free(key), free(tmp);
    return PF_OK;
}

/* ---- the loss ------------------------------------------------------------------------- */

pf_loss_spec pf_prune_loss(const pf_prune_ctx *ctx)
{
    pf_loss_spec s = {.kind = ctx->loss,
                      .n_out = pf_mlp_n_out(ctx->model),
                      .class_weights = ctx->class_weights,
                      .weighting = ctx->weighting,
                      .log_var = ctx->log_var};
    return s;
}

/* ---- scratch ------------------------------------------------------------------------------ */

void pf_prune_scratch_free(pf_prune_scratch *s)
{
    pf_mlp_work_free(s->work);
    free(s->grads);
    *s = (pf_prune_scratch){0};
}

pf_mlp_work *pf_prune_work(const pf_prune_ctx *ctx, size_t rows, pf_error *err)
{
    pf_prune_scratch *s = ctx->scratch;
    if (s == NULL) return pf_mlp_work_alloc(ctx->model, rows, err);
    if (s->work != NULL && s->work_params != ctx->model->n_params) {
        pf_mlp_work_free(s->work); /* another shape of model */
        s->work = NULL;
    }
    if (s->work == NULL) {
        s->work = pf_mlp_work_alloc(ctx->model, rows, err);
        s->work_params = ctx->model->n_params;
        return s->work;
    }
    return pf_mlp_work_reserve(s->work, rows, err) == PF_OK ? s->work : NULL;
}

void pf_prune_work_release(const pf_prune_ctx *ctx, pf_mlp_work *w)
{
    if (ctx->scratch == NULL || ctx->scratch->work != w) pf_mlp_work_free(w);
}

/* ---- the entry point -------------------------------------------------------------------- */

/* What the criterion needs (config/criterion.h), checked before it scores. */
static int check_inputs(const pf_criterion_use *c, const pf_prune_ctx *ctx, pf_error *err)
{
    unsigned needs = c->row->needs;
    if ((needs & PF_CRITERION_RANDOM) && ctx->rng == NULL)
        return pf_error_set(err, PF_EINPUT, "criterion %s needs a random generator", c->name);
    if (!(needs & PF_CRITERION_ROWS)) return PF_OK;
    const pf_split *d = ctx->data;
    if (d == NULL || d->n == 0)
        return pf_error_set(err, PF_EINPUT,
                            "criterion %s scores with training rows, but the "
                            "scoring data has none",
                            c->name);
    if (d->d != ctx->model->dims[0])
        return pf_error_set(err, PF_EINPUT,
                            "criterion %s: the scoring data has %zu features "
                            "but the model takes %zu",
                            c->name, d->d, ctx->model->dims[0]);
    pf_loss_spec loss = pf_prune_loss(ctx);
    return pf_loss_check(&loss, d->y, d->n, d->t, "the scoring data", err);
}

int pf_prune_rank(const pf_criterion_use *c, const pf_prune_ctx *ctx, pf_ranking *out,
                  pf_error *err)
{
    int pb = ctx->cfg->prune_biases;
    int status = ranking_alloc(out, ctx->model, pb, err);
    if (status == PF_OK) status = check_inputs(c, ctx, err);
    if (status != PF_OK) return status;
    const void *options = pf_criterion_options(ctx->cfg, c->row);
    status = c->row->score(ctx, options, c->sweep_value, out, err);
    if (status == PF_OK && !out->ordered) status = sort_by_score(ctx->model, pb, out, err);
    return status;
}

/* ---- masks ------------------------------------------------------------------------------ */

size_t pf_prune_keep_count(size_t n, double s)
{
    double k = round((1.0 - s) * (double)n);
    if (!(k > 0.0)) return 0;
    return k >= (double)n ? n : (size_t)k;
}

void pf_prune_layer_budgets(const size_t *n_l, size_t n_layers, size_t keep, size_t *budget)
{
    size_t n = 0, given = 0;
    for (size_t l = 0; l < n_layers; l++) n += n_l[l];
    if (n == 0) {
        for (size_t l = 0; l < n_layers; l++) budget[l] = 0;
        return;
    }
    for (size_t l = 0; l < n_layers; l++) {
        budget[l] = keep * n_l[l] / n;
        given += budget[l];
    }
    /* The remainders (keep n_l mod n) / n are each below 1 and sum to keep - given, so at
     * least that many layers have a positive remainder and none is pushed past n_l. */
    unsigned char extra[PF_MAX_LIST + 2] = {0};
    assert(n_layers <= PF_MAX_LIST + 2);
    for (; given < keep; given++) {
        size_t best = n_layers;
        for (size_t l = 0; l < n_layers; l++) {
            if (extra[l]) continue;
            if (best == n_layers || keep * n_l[l] % n > keep * n_l[best] % n) best = l;
        }
        extra[best] = 1;
        budget[best]++;
    }
}

/* Budgets per layer for the same total, then each layer's first entries in ranking order. */
static size_t mask_layerwise(const pf_mlp *m, const pf_ranking *r, size_t keep, float *mask)
{
    size_t n_l[PF_MAX_LIST + 2] = {0}, budget[PF_MAX_LIST + 2], taken[PF_MAX_LIST + 2] = {0};
    assert(m->n_layers <= PF_MAX_LIST + 2);
    for (size_t i = 0; i < r->n; i++) n_l[pf_mlp_layer_of(m, r->order[i])]++;
    pf_prune_layer_budgets(n_l, m->n_layers, keep, budget);
    size_t kept = 0;
    for (size_t i = 0; i < r->n; i++) {
        size_t l = pf_mlp_layer_of(m, r->order[i]);
        if (taken[l] < budget[l]) {
            mask[r->order[i]] = 1.0f;
            taken[l]++;
            kept++;
        }
    }
    return kept;
}

/* FairGRAPE's picks are ranked against the others of their layer only (the greedy targets are
 * per-layer shares), so a per_layer ranking always gets per-layer budgets, whatever the
 * scope: a global cut of concatenated layer orders would mean nothing. */
size_t pf_prune_mask(const pf_mlp *m, const pf_ranking *r, double s, pf_scope scope,
                     float *mask_out)
{
    assert(r->n_params == m->n_params);
    for (size_t j = 0; j < m->n_params; j++) mask_out[j] = 1.0f;
    for (size_t i = 0; i < r->n; i++) mask_out[r->order[i]] = 0.0f;
    size_t keep = pf_prune_keep_count(r->n, s);
    if (scope == PF_SCOPE_LAYERWISE || r->per_layer) return mask_layerwise(m, r, keep, mask_out);
    for (size_t i = 0; i < keep; i++) mask_out[r->order[i]] = 1.0f;
    return keep;
}

void pf_prune_apply(pf_mlp *m, const float *mask)
{
    memcpy(m->mask, mask, m->n_params * sizeof *mask);
    pf_mlp_apply_mask(m);
}
