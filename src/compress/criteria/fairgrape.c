/* fairgrape.c: FairGRAPE-like pruning (Lin, Kim and Joo 2022, "FairGRAPE: Fairness-aware
 * GRAdient Pruning mEthod for Face Attribute Classification"; docs/criteria.md#fairgrape).
 *
 * Importance of a weight for a group of people, I_jg = (w_j g_jg)^2, from the group's loss
 * gradient. Within each layer a greedy pass picks weights one at a time for the group whose
 * kept share of importance lags its target share the most, so no group loses more of what
 * matters to it than the others. The groups are the training participants, or the groups of
 * prune.fairgrape_group (data.group_column or a participant attribute, resolved by the data
 * layer). prune.fairgrape_mode = iterative prunes over prune.fairgrape_rounds rounds, scoring
 * the pruned model again each round. The ranking is meaningful only within a layer, so masks
 * always use per-layer budgets. */
#include "compress/criteria/fairgrape.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "compress/groups.h"
#include "compress/prune.h"
#include "config/criterion.h"

#define FAIRGRAPE_MODES(X) X(FAIRGRAPE_ONESHOT, oneshot) X(FAIRGRAPE_ITERATIVE, iterative)
typedef enum { FAIRGRAPE_MODES(PF_ENUM_VALUE) } fairgrape_mode;

typedef struct {
    char group[PF_MAX_NAME]; /* participant, data.group_column or an attribute */
    fairgrape_mode mode;
    int rounds;
} fairgrape_options;

static const pf_config_key KEYS[] = {
    PF_KEY_STR_(fairgrape_options, "prune", "fairgrape_group", group, "participant", 1,
                "FairGRAPE groups: participant, data.group_column, or one of "
                "data.attribute_columns"),
    PF_KEY_ENUM_(fairgrape_options, "prune", "fairgrape_mode", mode, "oneshot",
                 PF_CHOICES(FAIRGRAPE_MODES), "FairGRAPE one-shot or iterative"),
    PF_KEY_INT_(fairgrape_options, "prune", "fairgrape_rounds", rounds, "5", 1, 100,
                "rounds of iterative FairGRAPE"),
};

static void stage(const void *options, pf_criterion_stage *out)
{
    const fairgrape_options *o = options;
    out->rounds = o->mode == FAIRGRAPE_ITERATIVE ? o->rounds : 1;
}

static int by_participant(const fairgrape_options *o)
{
    return strcmp(o->group, "participant") == 0;
}

static const char *grouping(const void *options, const pf_config *cfg)
{
    (void)cfg;
    const fairgrape_options *o = options;
    return by_participant(o) ? NULL : o->group;
}

static int in_list(const pf_strlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->item[i], name) == 0) return 1;
    return 0;
}

static int check(const void *options, const pf_config *cfg, pf_error *err)
{
    const fairgrape_options *o = options;
    if (by_participant(o) || strcmp(o->group, cfg->group_column) == 0 ||
        in_list(&cfg->attribute_columns, o->group))
        return PF_OK;
    return pf_error_set(err, PF_EINPUT,
                        "prune.fairgrape_group = '%s' is neither 'participant', nor "
                        "data.group_column ('%s'), nor one of data.attribute_columns: add "
                        "it to data.attribute_columns",
                        o->group, cfg->group_column);
}

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
            double v =
                (double)pf_prune_effective(m, cand[k]) * (double)grads[g * m->n_params + cand[k]];
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
        if (!pf_prune_is_prunable(m, j, pb)) continue;
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

static int score(const pf_prune_ctx *ctx, const void *options, double sweep_value, pf_ranking *r,
                 pf_error *err)
{
    (void)sweep_value;
    const fairgrape_options *o = options;
    const pf_mlp *m = ctx->model;
    int pb = ctx->cfg->prune_biases, by_group = !by_participant(o);
    if (by_group && ctx->data->group == NULL)
        return pf_error_set(err, PF_EINPUT,
                            "prune.fairgrape_group = '%s' names a group column, "
                            "but the scoring data has no group values; set data.group_column "
                            "= %s or prune.fairgrape_group = participant",
                            o->group, o->group);
    pf_groups gs;
    double *imp = NULL;
    size_t *cand = NULL, *dead = NULL, *loc = NULL, wide = widest_layer(m), pos = 0;
    int status = pf_groups_gradients(ctx, by_group, &gs, err);
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
        status = fairgrape_layer(m, cand, n_c, dead, n_dead, gs.grads, gs.n_groups, imp, loc, r,
                                 &pos, err);
    }
    assert(status != PF_OK || pos == r->n);
    r->ordered = 1;
    r->per_layer = 1;
    pf_groups_free(&gs);
    free(imp);
    free(cand);
    free(dead);
    free(loc);
    return status;
}

const pf_criterion pf_criterion_fairgrape = {
    .name = "fairgrape",
    .title = "FairGRAPE",
    .about = "greedy per-layer picks that keep each group's share of importance",
    .needs = PF_CRITERION_ROWS,
    .roles = PF_CRITERION_DEFAULT,
    .colour = "#009E73",
    .point = 13,
    .keys = KEYS,
    .n_keys = sizeof KEYS / sizeof KEYS[0],
    .options_size = sizeof(fairgrape_options),
    .stage = stage,
    .grouping = grouping,
    .check = check,
    .score = score,
};
