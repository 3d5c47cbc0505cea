/* prune.c: the pruning criteria of prune.h -- scores, the FairGRAPE greedy pass, and masks.
 *
 * Every criterion ends in the same place, a pf_ranking: score criteria fill one score per
 * prunable parameter and sort once; FairGRAPE writes its greedy pick order layer by layer.
 * Gradients come from pf_mlp_loss_grad with the training loss (ctx_loss: kind, the model's
 * outputs, class weights), either over all scoring rows (SNIP) or over the rows of one group
 * at a time (FairGRAPE, VR). Groups are the split's participants (contiguous rows, used in
 * place) or the values of a group column (rows and their target columns gathered into a
 * scratch copy, in row order, so a group's gradient is the same whichever way its rows are
 * stored). One pf_mlp_work sized for the largest group serves all of them: with the CCC loss
 * a group's loss cannot be chunked, so the work has to hold the whole group at once.
 *
 * Scores are computed in double from the float32 effective parameters (params * mask) and
 * gradients. Nothing here depends on thread count or shared state; the random criterion
 * draws only from the generator in the context. */
#include "compress/prune.h"
#include "base/alloc.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- criteria of a config ------------------------------------------------------------- */

static int kind_of(const char *name, pf_criterion_kind *kind)
{
    static const struct {
        const char *name;
        pf_criterion_kind kind;
    } table[] = {{"random", PF_CRIT_RANDOM},
                 {"magnitude", PF_CRIT_MAGNITUDE},
                 {"snip", PF_CRIT_SNIP},
                 {"fairgrape", PF_CRIT_FAIRGRAPE},
                 {"vr", PF_CRIT_VR}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(name, table[i].name) == 0) {
            *kind = table[i].kind;
            return 1;
        }
    }
    return 0;
}

/* Names come from pf_config_criterion_names, the one place that spells them, so the config,
 * the runner and every output agree; config validation admits only the five known kinds. */
size_t pf_criteria_from_config(const pf_config *cfg, pf_criterion *out, size_t cap)
{
    char names[PF_MAX_LIST * 2][PF_MAX_NAME];
    size_t n_names = pf_config_criterion_names(cfg, names, PF_MAX_LIST * 2), n = 0;
    for (size_t i = 0; i < cfg->criteria.n; i++) {
        pf_criterion_kind kind;
        if (!kind_of(cfg->criteria.item[i], &kind)) continue;
        size_t copies = kind == PF_CRIT_VR ? cfg->vr_lambdas.n : 1;
        for (size_t k = 0; k < copies; k++, n++) {
            if (n >= cap || n >= n_names) continue;
            out[n].kind = kind;
            out[n].lambda = kind == PF_CRIT_VR ? cfg->vr_lambdas.v[k] : 0.0;
            snprintf(out[n].name, PF_MAX_NAME, "%s", names[n]);
        }
    }
    return n;
}

/* ---- rankings ------------------------------------------------------------------------- */

static int is_prunable(const pf_mlp *m, size_t j, int prune_biases)
{
    return prune_biases || pf_mlp_is_weight(m, j);
}

static float effective(const pf_mlp *m, size_t j)
{
    return m->params[j] * m->mask[j];
}

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
    for (size_t j = 0; j < m->n_params; j++) r->n += (size_t)is_prunable(m, j, prune_biases);
    r->order = pf_alloc(r->n ? r->n : 1, sizeof *r->order, err);
    r->score = pf_alloc(m->n_params ? m->n_params : 1, sizeof *r->score, err);
    if (r->order == NULL || r->score == NULL) return PF_ERUNTIME;
    for (size_t j = 0; j < m->n_params; j++) r->score[j] = NAN;
    return PF_OK;
}

typedef struct {
    double key; /* score, NaN mapped to -inf so the order is total */
    size_t j;
    int pruned; /* mask 0 in the scored model: ranks after every unpruned parameter */
} sort_item;

static int cmp_item(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    if (a->pruned != b->pruned) return a->pruned - b->pruned;
    if (a->pruned) return (a->j > b->j) - (a->j < b->j); /* pruned ones: index order only */
    if (a->key != b->key) return a->key > b->key ? -1 : 1;
    return (a->j > b->j) - (a->j < b->j);
}

/* Order the prunable parameters: unpruned ones by descending score (a NaN score, which only
 * a diverged model can produce, counts as -inf), then the pruned ones; ties by index. */
static int sort_by_score(const pf_mlp *m, int prune_biases, pf_ranking *r, pf_error *err)
{
    sort_item *items = pf_alloc(r->n ? r->n : 1, sizeof *items, err);
    if (items == NULL) return PF_ERUNTIME;
    size_t k = 0;
    for (size_t j = 0; j < m->n_params; j++) {
        if (!is_prunable(m, j, prune_biases)) continue;
        double s = r->score[j];
        items[k++] = (sort_item){isnan(s) ? -INFINITY : s, j, m->mask[j] == 0.0f};
    }
    qsort(items, r->n, sizeof *items, cmp_item);
    for (size_t i = 0; i < r->n; i++) r->order[i] = items[i].j;
    free(items);
    return PF_OK;
}

/* ---- the loss ------------------------------------------------------------------------- */

static pf_loss_spec ctx_loss(const pf_prune_ctx *ctx)
{
    pf_loss_spec s = {ctx->loss, pf_mlp_n_out(ctx->model), ctx->class_weights};
    return s;
}

/* ---- groups of rows ------------------------------------------------------------------- */

/* Non-empty groups of scoring rows. perm == NULL: group g is rows off[g]..off[g+1]-1 of the
 * split itself; otherwise it is rows perm[off[g]..off[g+1]-1], ascending. */
typedef struct {
    size_t n_groups;
    size_t *off; /* n_groups + 1 */
    size_t *perm;
    size_t max_rows; /* rows of the largest group */
} group_set;

static void group_set_free(group_set *gs)
{
    free(gs->off);
    free(gs->perm);
}

static void finish_max_rows(group_set *gs)
{
    gs->max_rows = 0;
    for (size_t g = 0; g < gs->n_groups; g++)
        if (gs->off[g + 1] - gs->off[g] > gs->max_rows) gs->max_rows = gs->off[g + 1] - gs->off[g];
}

/* Participants as groups; empty participants are skipped (they carry no gradient). */
static int groups_by_participant(const pf_split *d, group_set *gs, pf_error *err)
{
    memset(gs, 0, sizeof *gs);
    if ((gs->off = pf_alloc(d->n_parts + 1, sizeof *gs->off, err)) == NULL) return PF_ERUNTIME;
    gs->off[0] = d->off[0];
    for (size_t p = 0; p < d->n_parts; p++)
        if (d->off[p + 1] > d->off[p]) gs->off[++gs->n_groups] = d->off[p + 1];
    finish_max_rows(gs);
    return PF_OK;
}

/* Values of the group column as groups: a stable counting sort of the rows by group index,
 * then the non-empty groups in ascending index order. */
static int groups_by_column(const pf_split *d, group_set *gs, pf_error *err)
{
    memset(gs, 0, sizeof *gs);
    size_t n_ids = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->group[i] >= 0 && (size_t)d->group[i] + 1 > n_ids) n_ids = (size_t)d->group[i] + 1;
    size_t *start = pf_alloc(n_ids + 1, sizeof *start, err);
    gs->off = pf_alloc(n_ids + 1, sizeof *gs->off, err);
    gs->perm = pf_alloc(d->n ? d->n : 1, sizeof *gs->perm, err);
    if (start == NULL || gs->off == NULL || gs->perm == NULL) {
        free(start);
        return PF_ERUNTIME;
    }
    for (size_t i = 0; i < d->n; i++)
        if (d->group[i] >= 0) start[d->group[i] + 1]++;
    for (size_t g = 0; g < n_ids; g++) start[g + 1] += start[g];
    for (size_t g = 0; g < n_ids; g++)
        if (start[g + 1] > start[g]) gs->off[++gs->n_groups] = start[g + 1];
    for (size_t i = 0; i < d->n; i++)
        if (d->group[i] >= 0) gs->perm[start[d->group[i]]++] = i;
    free(start);
    finish_max_rows(gs);
    return PF_OK;
}

/* Per-group mean loss and its gradient: grads is n_groups x n_params, loss n_groups. */
static int group_grads(const pf_prune_ctx *ctx, const group_set *gs, float *grads, double *loss,
                       pf_error *err)
{
    const pf_mlp *m = ctx->model;
    const pf_split *d = ctx->data;
    const pf_loss_spec spec = ctx_loss(ctx);
    pf_mlp_work *w = pf_mlp_work_alloc(m, gs->max_rows, err);
    float *xb = NULL, *yb = NULL;
    if (gs->perm != NULL) {
        xb = pf_alloc(gs->max_rows * d->d + 1, sizeof *xb, err);
        yb = pf_alloc(gs->max_rows * d->t + 1, sizeof *yb, err);
    }
    int status =
        w == NULL || (gs->perm != NULL && (xb == NULL || yb == NULL)) ? PF_ERUNTIME : PF_OK;
    for (size_t g = 0; status == PF_OK && g < gs->n_groups; g++) {
        size_t lo = gs->off[g], n = gs->off[g + 1] - lo;
        const float *x = d->x + lo * d->d, *y = d->y + lo * d->t;
        if (gs->perm != NULL) {
            for (size_t i = 0; i < n; i++) {
                size_t r = gs->perm[lo + i];
                memcpy(xb + i * d->d, d->x + r * d->d, d->d * sizeof *xb);
                memcpy(yb + i * d->t, d->y + r * d->t, d->t * sizeof *yb);
            }
            x = xb;
            y = yb;
        }
        loss[g] = pf_mlp_loss_grad(m, w, &spec, x, y, n, grads + g * m->n_params);
    }
    free(xb);
    free(yb);
    pf_mlp_work_free(w);
    return status;
}

/* Gradients of every participant (or column group): allocates *grads and *loss. */
static int all_group_grads(const pf_prune_ctx *ctx, int by_column, group_set *gs, float **grads,
                           double **loss, pf_error *err)
{
    int status = by_column ? groups_by_column(ctx->data, gs, err)
                           : groups_by_participant(ctx->data, gs, err);
    if (status != PF_OK) return status;
    if (gs->n_groups == 0)
        return pf_error_set(err, PF_EINPUT,
                            "pruning needs rows of at least one group or "
                            "participant, but the scoring data has none");
    *grads = pf_alloc(gs->n_groups * ctx->model->n_params, sizeof **grads, err);
    *loss = pf_alloc(gs->n_groups, sizeof **loss, err);
    if (*grads == NULL || *loss == NULL) return PF_ERUNTIME;
    return group_grads(ctx, gs, *grads, *loss, err);
}

/* ---- score criteria ------------------------------------------------------------------- */

static void score_random(const pf_prune_ctx *ctx, int pb, pf_ranking *r)
{
    const pf_mlp *m = ctx->model;
    for (size_t j = 0; j < m->n_params; j++)
        if (is_prunable(m, j, pb)) r->score[j] = gsl_rng_uniform(ctx->rng);
}

static void score_magnitude(const pf_prune_ctx *ctx, int pb, pf_ranking *r)
{
    const pf_mlp *m = ctx->model;
    for (size_t j = 0; j < m->n_params; j++)
        if (is_prunable(m, j, pb)) r->score[j] = fabs((double)effective(m, j));
}

/* |w_j g_j| over all scoring rows. SNIP at initialisation is the same function: the caller
 * passes the freshly initialised model and a split holding the one batch. */
static int score_snip(const pf_prune_ctx *ctx, int pb, pf_ranking *r, pf_error *err)
{
    const pf_mlp *m = ctx->model;
    const pf_loss_spec loss = ctx_loss(ctx);
    float *g = pf_alloc(m->n_params, sizeof *g, err);
    pf_mlp_work *w = pf_mlp_work_alloc(m, ctx->data->n, err);
    if (g == NULL || w == NULL) {
        free(g);
        pf_mlp_work_free(w);
        return PF_ERUNTIME;
    }
    pf_mlp_loss_grad(m, w, &loss, ctx->data->x, ctx->data->y, ctx->data->n, g);
    for (size_t j = 0; j < m->n_params; j++)
        if (is_prunable(m, j, pb)) r->score[j] = fabs((double)effective(m, j) * (double)g[j]);
    free(g);
    pf_mlp_work_free(w);
    return PF_OK;
}

static int score_vr(const pf_criterion *c, const pf_prune_ctx *ctx, int pb, pf_ranking *r,
                    pf_error *err)
{
    const pf_mlp *m = ctx->model;
    group_set gs;
    float *grads = NULL, *w = NULL;
    double *loss = NULL, *s = NULL;
    int status = all_group_grads(ctx, 0, &gs, &grads, &loss, err);
    if (status == PF_OK) {
        w = pf_alloc(m->n_params, sizeof *w, err);
        s = pf_alloc(m->n_params, sizeof *s, err);
        if (w == NULL || s == NULL) status = PF_ERUNTIME;
    }
    if (status == PF_OK) {
        for (size_t j = 0; j < m->n_params; j++) w[j] = effective(m, j);
        if (ctx->cfg->vr_form == PF_VR_OBJECTIVE)
            pf_vr_objective_scores(w, grads, loss, gs.n_groups, m->n_params, c->lambda, s);
        else
            pf_vr_stats_scores(w, grads, gs.n_groups, m->n_params, c->lambda, s);
        for (size_t j = 0; j < m->n_params; j++)
            if (is_prunable(m, j, pb)) r->score[j] = s[j];
    }
    group_set_free(&gs);
    free(grads);
    free(loss);
    free(w);
    free(s);
    return status;
}

void pf_vr_stats_scores(const float *w, const float *g, size_t n_parts, size_t n, double lambda,
                        double *score)
{
    for (size_t j = 0; j < n; j++) {
        double sum = 0.0, sq = 0.0;
        for (size_t p = 0; p < n_parts; p++) sum += fabs((double)w[j] * (double)g[p * n + j]);
        double mean = n_parts ? sum / (double)n_parts : 0.0;
        for (size_t p = 0; p < n_parts; p++) {
            double e = fabs((double)w[j] * (double)g[p * n + j]) - mean;
            sq += e * e; /* two passes: no cancellation when the spread is small */
        }
        double sd = n_parts ? sqrt(sq / (double)n_parts) : 0.0;
        score[j] = mean - lambda * sd;
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

/* ---- FairGRAPE -------------------------------------------------------------------------- */

typedef struct {
    double v;
    size_t j;
} pair;

static int cmp_pair_desc(const void *pa, const void *pb)
{
    const pair *a = pa, *b = pb;
    double va = isnan(a->v) ? -INFINITY : a->v, vb = isnan(b->v) ? -INFINITY : b->v;
    if (va != vb) return va > vb ? -1 : 1;
    return (a->j > b->j) - (a->j < b->j);
}

/* Each group's candidates by descending importance, ties by index: sorted[g * n + k]. */
static void presort_groups(const double *imp, size_t G, size_t n, pair *tmp, size_t *sorted)
{
    for (size_t g = 0; g < G; g++) {
        for (size_t j = 0; j < n; j++) tmp[j] = (pair){imp[g * n + j], j};
        qsort(tmp, n, sizeof *tmp, cmp_pair_desc);
        for (size_t k = 0; k < n; k++) sorted[g * n + k] = tmp[k].j;
    }
}

static void target_shares(const double *imp, size_t G, size_t n, double *tau)
{
    double total = 0.0;
    for (size_t g = 0; g < G; g++) {
        tau[g] = 0.0;
        for (size_t j = 0; j < n; j++) tau[g] += imp[g * n + j];
        total += tau[g];
    }
    for (size_t g = 0; g < G; g++) tau[g] = total > 0.0 ? tau[g] / total : 0.0;
}

/* The group whose kept share lags its target most; the first such group on ties. */
static size_t neediest(const double *S, double sum_s, const double *tau, size_t G)
{
    size_t best = 0;
    double best_d = 0.0;
    for (size_t g = 0; g < G; g++) {
        double d = (sum_s > 0.0 ? S[g] / sum_s : 0.0) - tau[g];
        if (g == 0 || d < best_d) {
            best = g;
            best_d = d;
        }
    }
    return best;
}

int pf_fairgrape_greedy(const double *imp, size_t G, size_t n, size_t *order, pf_error *err)
{
    if (n == 0) return PF_OK;
    if (G == 0) {
        for (size_t k = 0; k < n; k++) order[k] = k;
        return PF_OK;
    }
    size_t *sorted = pf_alloc(G * n, sizeof *sorted, err);
    size_t *cursor = pf_alloc(G, sizeof *cursor, err);
    double *S = pf_alloc(G, sizeof *S, err), *tau = pf_alloc(G, sizeof *tau, err);
    pair *tmp = pf_alloc(n, sizeof *tmp, err);
    unsigned char *kept = pf_alloc(n, 1, err);
    int status = sorted && cursor && S && tau && tmp && kept ? PF_OK : PF_ERUNTIME;
    if (status == PF_OK) {
        presort_groups(imp, G, n, tmp, sorted);
        target_shares(imp, G, n, tau);
        double sum_s = 0.0;
        for (size_t k = 0; k < n; k++) {
            size_t g = neediest(S, sum_s, tau, G);
            /* Every group's list holds all n candidates, so a cursor never runs off the end
             * before the last pick; skipping kept ones costs O(n) per group in total. */
            while (kept[sorted[g * n + cursor[g]]]) cursor[g]++;
            size_t j = sorted[g * n + cursor[g]];
            kept[j] = 1;
            order[k] = j;
            for (size_t h = 0; h < G; h++) {
                S[h] += imp[h * n + j];
                sum_s += imp[h * n + j];
            }
        }
    }
    free(sorted);
    free(cursor);
    free(S);
    free(tau);
    free(tmp);
    free(kept);
    return status;
}

/* One layer: greedy over its unpruned prunable parameters (cand, n_c of them), then the
 * already-pruned ones in index order. Writes the layer's segment of r->order at *pos. */
static int fairgrape_layer(const pf_mlp *m, const size_t *cand, size_t n_c, const size_t *dead,
                           size_t n_dead, const float *grads, size_t G, double *imp, size_t *loc,
                           pf_ranking *r, size_t *pos, pf_error *err)
{
    for (size_t g = 0; g < G; g++) {
        for (size_t k = 0; k < n_c; k++) {
            double v = (double)effective(m, cand[k]) * (double)grads[g * m->n_params + cand[k]];
            imp[g * n_c + k] = v * v;
        }
    }
    int status = pf_fairgrape_greedy(imp, G, n_c, loc, err);
    if (status != PF_OK) return status;
    for (size_t k = 0; k < n_c; k++) {
        r->order[(*pos)++] = cand[loc[k]];
        r->score[cand[loc[k]]] = (double)(n_c - k);
    }
    for (size_t k = 0; k < n_dead; k++) {
        r->order[(*pos)++] = dead[k];
        r->score[dead[k]] = 0.0;
    }
    return PF_OK;
}

/* Split layer l's prunable parameters into unpruned (cand) and pruned (dead), index order. */
static void layer_members(const pf_mlp *m, size_t l, int pb, size_t *cand, size_t *n_c,
                          size_t *dead, size_t *n_dead)
{
    size_t end = l + 1 < m->n_layers ? m->w_off[l + 1] : m->n_params;
    *n_c = *n_dead = 0;
    for (size_t j = m->w_off[l]; j < end; j++) {
        if (!is_prunable(m, j, pb)) continue;
        if (m->mask[j] != 0.0f)
            cand[(*n_c)++] = j;
        else
            dead[(*n_dead)++] = j;
    }
}

static size_t widest_layer(const pf_mlp *m)
{
    size_t widest = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t n = (m->dims[l] + 1) * m->dims[l + 1];
        if (n > widest) widest = n;
    }
    return widest;
}

static int rank_fairgrape(const pf_prune_ctx *ctx, int pb, pf_ranking *r, pf_error *err)
{
    const pf_mlp *m = ctx->model;
    int by_column = strcmp(ctx->cfg->fairgrape_group, "participant") != 0;
    if (by_column && ctx->data->group == NULL)
        return pf_error_set(err, PF_EINPUT,
                            "prune.fairgrape_group = '%s' names a group column, "
                            "but the scoring data has no group values; set data.group_column "
                            "= %s or prune.fairgrape_group = participant",
                            ctx->cfg->fairgrape_group, ctx->cfg->fairgrape_group);
    group_set gs;
    float *grads = NULL;
    double *loss = NULL, *imp = NULL;
    size_t *cand = NULL, *dead = NULL, *loc = NULL, wide = widest_layer(m), pos = 0;
    int status = all_group_grads(ctx, by_column, &gs, &grads, &loss, err);
    if (status == PF_OK) {
        imp = pf_alloc(gs.n_groups * wide, sizeof *imp, err);
        cand = pf_alloc(wide, sizeof *cand, err);
        dead = pf_alloc(wide, sizeof *dead, err);
        loc = pf_alloc(wide, sizeof *loc, err);
        if (!imp || !cand || !dead || !loc) status = PF_ERUNTIME;
    }
    for (size_t l = 0; status == PF_OK && l < m->n_layers; l++) {
        size_t n_c, n_dead;
        layer_members(m, l, pb, cand, &n_c, dead, &n_dead);
        status =
            fairgrape_layer(m, cand, n_c, dead, n_dead, grads, gs.n_groups, imp, loc, r, &pos, err);
    }
    assert(status != PF_OK || pos == r->n);
    r->per_layer = 1;
    group_set_free(&gs);
    free(grads);
    free(loss);
    free(imp);
    free(cand);
    free(dead);
    free(loc);
    return status;
}

/* ---- the entry point -------------------------------------------------------------------- */

static int check_inputs(const pf_criterion *c, const pf_prune_ctx *ctx, pf_error *err)
{
    if (c->kind == PF_CRIT_RANDOM) {
        if (ctx->rng == NULL)
            return pf_error_set(err, PF_EINPUT, "criterion %s needs a random generator", c->name);
        return PF_OK;
    }
    if (c->kind == PF_CRIT_MAGNITUDE) return PF_OK;
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
    pf_loss_spec loss = ctx_loss(ctx);
    return pf_loss_check(&loss, d->y, d->n, d->t, "the scoring data", err);
}

int pf_prune_rank(const pf_criterion *c, const pf_prune_ctx *ctx, pf_ranking *out, pf_error *err)
{
    int pb = ctx->cfg->prune_biases;
    int status = ranking_alloc(out, ctx->model, pb, err);
    if (status == PF_OK) status = check_inputs(c, ctx, err);
    if (status != PF_OK) return status;
    switch (c->kind) {
    case PF_CRIT_RANDOM:
        score_random(ctx, pb, out);
        break;
    case PF_CRIT_MAGNITUDE:
        score_magnitude(ctx, pb, out);
        break;
    case PF_CRIT_SNIP:
        status = score_snip(ctx, pb, out, err);
        break;
    case PF_CRIT_VR:
        status = score_vr(c, ctx, pb, out, err);
        break;
    case PF_CRIT_FAIRGRAPE:
        return rank_fairgrape(ctx, pb, out, err);
    }
    if (status == PF_OK) status = sort_by_score(ctx->model, pb, out, err);
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
