/* test_prune.c: the pruning criteria as a specification -- exact keep counts and budgets,
 * magnitude and random orders, SNIP against central finite differences (one output; three
 * classes with class weights; two ccc outputs; two outputs weighed by fixed log-variances),
 * the FairGRAPE greedy pass and both VR forms
 * on examples worked out by hand, the end-to-end wiring of group gradients for every loss,
 * every criterion on a 3-class and a 2-output model, determinism, already-pruned parameters
 * ranking last, and sparsity 0 leaving the model's predictions bit for bit unchanged. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "compress/criteria/fairgrape.h"
#include "compress/criteria/vr.h"
#include "compress/prune.h"
#include "config/criterion.h"

/* cmocka 1.1 has no double comparison; this one also prints both values. */
#include "testutil.h"

static pf_mlp *net_k(size_t n_in, const int *hidden, size_t n_hidden, size_t n_out,
                     pf_activation act)
{
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(n_in, hidden, n_hidden, n_out, act, &err);
    assert_non_null(m);
    return m;
}

static pf_mlp *net(size_t n_in, const int *hidden, size_t n_hidden, pf_activation act)
{
    return net_k(n_in, hidden, n_hidden, 1, act);
}

/* 3-4-3-K tanh with random weights and small random biases (so bias gradients are not 0). */
static pf_mlp *net_343k(unsigned long seed, size_t K)
{
    static const int hidden[2] = {4, 3};
    pf_mlp *m = net_k(3, hidden, 2, K, PF_ACT_TANH);
    gsl_rng *r = rng_new(seed);
    pf_mlp_init(m, PF_INIT_AUTO, r);
    for (size_t j = 0; j < m->n_params; j++)
        if (!pf_mlp_is_weight(m, j)) m->params[j] = (float)(0.4 * gsl_rng_uniform(r) - 0.2);
    gsl_rng_free(r);
    return m;
}

static pf_mlp *net_3431(unsigned long seed)
{
    return net_343k(seed, 1);
}

/* A split of random rows: counts[p] rows for participant p, d features; group per row
 * optional (copied from groups). Targets: t uniform values per row, or with n_classes > 0
 * one class label per row (t = 1), cycling through the classes so every participant with at
 * least n_classes rows has them all. */
static pf_split *split_new_t(size_t d, const size_t *counts, size_t n_parts, const int *groups,
                             unsigned long seed, size_t t, size_t n_classes)
{
    pf_split *s = calloc(1, sizeof *s);
    s->d = d;
    s->n_parts = n_parts;
    s->off = calloc(n_parts + 1, sizeof *s->off);
    s->part = calloc(n_parts, sizeof *s->part);
    for (size_t p = 0; p < n_parts; p++) {
        s->part[p] = (int)p;
        s->off[p + 1] = s->off[p] + counts[p];
    }
    s->n = s->off[n_parts];
    if (n_classes > 0) t = 1;
    s->t = t;
    s->x = calloc(s->n * d, sizeof *s->x);
    s->y = calloc(s->n * t, sizeof *s->y);
    gsl_rng *r = rng_new(seed);
    for (size_t i = 0; i < s->n * d; i++) s->x[i] = (float)(4.0 * gsl_rng_uniform(r) - 2.0);
    for (size_t i = 0; i < s->n * t; i++)
        s->y[i] = n_classes ? (float)((i + seed) % n_classes) : (float)gsl_rng_uniform(r);
    gsl_rng_free(r);
    if (groups != NULL) {
        s->group = calloc(s->n, sizeof *s->group);
        memcpy(s->group, groups, s->n * sizeof *groups);
    }
    return s;
}

static pf_split *split_new(size_t d, const size_t *counts, size_t n_parts, const int *groups,
                           unsigned long seed)
{
    return split_new_t(d, counts, n_parts, groups, seed, 1, 0);
}

static void split_free(pf_split *s)
{
    free(s->x);
    free(s->y);
    free(s->part);
    free(s->off);
    free(s->group);
    free(s);
}

/* The criterion called name, as a study uses it, with the value of its sweep key. */
static pf_criterion_use crit(const char *name, double sweep)
{
    pf_criterion_use c = {pf_criterion_find(name), sweep, ""};
    assert_non_null(c.row);
    snprintf(c.name, sizeof c.name, "%s", name);
    return c;
}

/* Set one of a criterion's options (or any key of [prune]) in cfg. */
static void set_prune(pf_config *cfg, const char *key, const char *value)
{
    pf_error err = {0};
    assert_int_equal(pf_config_set(cfg, "prune", key, value, "test", &err), PF_OK);
}

static void rank_ok(pf_criterion_use c, const pf_prune_ctx *ctx, pf_ranking *r)
{
    pf_error err = {0};
    int rc = pf_prune_rank(&c, ctx, r, &err);
    if (rc != PF_OK) print_error("%s\n", err.msg);
    assert_int_equal(rc, PF_OK);
}

/* Per-participant loss gradients computed here, independently of prune.c's grouping, with
 * the loss kind and class weights w (NULL: all 1) for the model's outputs. */
static float *part_grads_w(const pf_mlp *m, const pf_split *s, pf_loss kind, const double *cw,
                           double *L)
{
    pf_error err = {0};
    pf_loss_spec loss = {.kind = kind, .n_out = pf_mlp_n_out(m), .class_weights = cw};
    float *g = calloc(s->n_parts * m->n_params, sizeof *g);
    pf_mlp_work *w = pf_mlp_work_alloc(m, s->n, &err);
    for (size_t p = 0; p < s->n_parts; p++) {
        size_t lo = s->off[p], n = s->off[p + 1] - lo;
        double l = pf_mlp_loss_grad(m, w, &loss, s->x + lo * s->d, s->y + lo * s->t, n,
                                    g + p * m->n_params);
        if (L != NULL) L[p] = l;
    }
    pf_mlp_work_free(w);
    return g;
}

static float *part_grads(const pf_mlp *m, const pf_split *s, pf_loss loss, double *L)
{
    return part_grads_w(m, s, loss, NULL, L);
}

/* ---- criteria of a config --------------------------------------------------------------- */

static void test_criterion_uses(void **state)
{
    (void)state;
    pf_config cfg;
    pf_config_defaults(&cfg);
    set_prune(&cfg, "vr_lambda", "2, 0, 0.5");
    pf_criterion_use c[16];
    size_t n = pf_criterion_uses(&cfg, c, 16);
    assert_int_equal(n, 7); /* random, magnitude, snip, fairgrape, vr x 3 */
    assert_ptr_equal(c[0].row, pf_criterion_find("random"));
    assert_ptr_equal(c[3].row, pf_criterion_find("fairgrape"));
    assert_ptr_equal(c[6].row, pf_criterion_find("vr"));
    assert_string_equal(c[3].name, "fairgrape");
    assert_string_equal(c[4].name, "vr(lambda=0)"); /* the sweep in ascending order */
    assert_string_equal(c[5].name, "vr(lambda=0.5)");
    assert_near(c[6].sweep_value, 2.0, 0.0);
    assert_int_equal(pf_criterion_uses(&cfg, c, 2), 7); /* count even when cap is short */
}

/* ---- counts and budgets ----------------------------------------------------------------- */

static void test_keep_count(void **state)
{
    (void)state;
    assert_int_equal(pf_prune_keep_count(5, 0.5), 3);   /* round(2.5) = 3, half away from 0 */
    assert_int_equal(pf_prune_keep_count(10, 0.25), 8); /* round(7.5) */
    assert_int_equal(pf_prune_keep_count(27, 0.0), 27);
    assert_int_equal(pf_prune_keep_count(27, 0.1), 24); /* round(24.3) */
    assert_int_equal(pf_prune_keep_count(27, 0.5), 14); /* round(13.5) */
    assert_int_equal(pf_prune_keep_count(27, 0.9), 3);  /* round(2.7) */
    assert_int_equal(pf_prune_keep_count(27, 1.0), 0);
    assert_int_equal(pf_prune_keep_count(0, 0.3), 0);
}

static void test_layer_budgets(void **state)
{
    (void)state;
    size_t b[3];
    /* 3 + 2 params, keep 3: quotas 1.8 and 1.2 -> floors 1, 1; the larger remainder wins. */
    pf_prune_layer_budgets((size_t[]){3, 2}, 2, 3, b);
    assert_int_equal(b[0], 2);
    assert_int_equal(b[1], 1);
    /* 2 + 2, keep 1: remainders tie at 0.5 -> the lower layer. */
    pf_prune_layer_budgets((size_t[]){2, 2}, 2, 1, b);
    assert_int_equal(b[0], 1);
    assert_int_equal(b[1], 0);
    /* 16 + 15 + 4 = 35, keep 18: 8.229, 7.714, 2.057 -> 8, 7, 2 (17), +1 to layer 1. */
    pf_prune_layer_budgets((size_t[]){16, 15, 4}, 3, 18, b);
    assert_int_equal(b[0], 8);
    assert_int_equal(b[1], 8);
    assert_int_equal(b[2], 2);
    pf_prune_layer_budgets((size_t[]){16, 15, 4}, 3, 35, b);
    assert_int_equal(b[0] * 10000 + b[1] * 100 + b[2], 161504);
    pf_prune_layer_budgets((size_t[]){16, 15, 4}, 3, 0, b);
    assert_int_equal(b[0] + b[1] + b[2], 0);
}

/* Kept count = round((1-s) n) for both scopes; layerwise kept per layer = the budgets; every
 * parameter that is not prunable keeps mask 1. */
static void check_mask_counts(pf_mlp *m, int prune_biases)
{
    pf_config cfg;
    pf_config_defaults(&cfg);
    cfg.prune_biases = prune_biases;
    pf_prune_ctx ctx = {.cfg = &cfg, .model = m, .loss = PF_LOSS_MSE};
    pf_ranking r;
    rank_ok(crit("magnitude", 0), &ctx, &r);
    size_t n = prune_biases ? m->n_params : pf_mlp_n_weights(m);
    assert_int_equal(r.n, n);
    const double grid[] = {0.0, 0.1, 0.25, 0.5, 0.7, 0.9, 0.95, 1.0};
    float *mask = calloc(m->n_params, sizeof *mask);
    for (size_t i = 0; i < sizeof grid / sizeof grid[0]; i++) {
        size_t want = (size_t)round((1.0 - grid[i]) * (double)n);
        for (int scope = 0; scope < 2; scope++) {
            size_t kept = pf_prune_mask(m, &r, grid[i], (pf_scope)scope, mask);
            assert_int_equal(kept, want);
            size_t ones = 0, per_layer[3] = {0}, n_l[3] = {0}, budget[3];
            for (size_t j = 0; j < m->n_params; j++) {
                int prunable = prune_biases || pf_mlp_is_weight(m, j);
                if (!prunable) assert_true(mask[j] == 1.0f);
                if (!prunable) continue;
                assert_true(mask[j] == 0.0f || mask[j] == 1.0f);
                ones += mask[j] == 1.0f;
                n_l[pf_mlp_layer_of(m, j)]++;
                per_layer[pf_mlp_layer_of(m, j)] += mask[j] == 1.0f;
            }
            assert_int_equal(ones, want);
            if (scope != PF_SCOPE_LAYERWISE) continue;
            pf_prune_layer_budgets(n_l, 3, want, budget);
            for (size_t l = 0; l < 3; l++) assert_int_equal(per_layer[l], budget[l]);
        }
    }
    free(mask);
    pf_prune_ranking_free(&r);
}

static void test_mask_counts(void **state)
{
    (void)state;
    pf_mlp *m = net_3431(3);
    check_mask_counts(m, 0); /* n = 27 */
    check_mask_counts(m, 1); /* n = 35 */
    pf_mlp_free(m);
}

/* n = 5 (2-1-1 with biases): W0 = [0.1, 0.4], b0 = 0.05, W1 = 0.3, b1 = 0.5. Magnitude order
 * 4, 1, 3, 0, 2. s = 0.5 keeps round(2.5) = 3. Global: {4, 1, 3}. Layerwise: layer 0 holds
 * {0, 1, 2}, layer 1 {3, 4}; budgets 2 and 1 (1.8, 1.2); layer 0 keeps 1, 0; layer 1 keeps 4. */
static void test_mask_n5(void **state)
{
    (void)state;
    static const int hidden[1] = {1};
    pf_mlp *m = net(2, hidden, 1, PF_ACT_RELU);
    const float p[5] = {0.1f, 0.4f, 0.05f, 0.3f, 0.5f};
    memcpy(m->params, p, sizeof p);
    pf_config cfg;
    pf_config_defaults(&cfg);
    cfg.prune_biases = 1;
    pf_prune_ctx ctx = {.cfg = &cfg, .model = m, .loss = PF_LOSS_MSE};
    pf_ranking r;
    rank_ok(crit("magnitude", 0), &ctx, &r);
    float mask[5];
    assert_int_equal(pf_prune_mask(m, &r, 0.5, PF_SCOPE_GLOBAL, mask), 3);
    const float global[5] = {0, 1, 0, 1, 1}, layerwise[5] = {1, 1, 0, 0, 1};
    assert_memory_equal(mask, global, sizeof mask);
    assert_int_equal(pf_prune_mask(m, &r, 0.5, PF_SCOPE_LAYERWISE, mask), 3);
    assert_memory_equal(mask, layerwise, sizeof mask);
    pf_prune_ranking_free(&r);
    pf_mlp_free(m);
}

/* ---- magnitude and the already-pruned rule ------------------------------------------------ */

/* 2-2-1: weights at 0..3 (W0) and 6, 7 (W1); biases 4, 5, 8 not prunable.
 * |w| = 0.5, 2, 0.5, 1 | 1, 3 -> order 7, 1, 3, 6 (tie 1 = 1: index 3 first), 0, 2. */
static void test_magnitude_order(void **state)
{
    (void)state;
    static const int hidden[1] = {2};
    pf_mlp *m = net(2, hidden, 1, PF_ACT_RELU);
    const float p[9] = {0.5f, -2.0f, 0.5f, 1.0f, 9.0f, 9.0f, -1.0f, 3.0f, 9.0f};
    memcpy(m->params, p, sizeof p);
    pf_config cfg;
    pf_config_defaults(&cfg);
    pf_prune_ctx ctx = {.cfg = &cfg, .model = m, .loss = PF_LOSS_MSE};
    pf_ranking r;
    rank_ok(crit("magnitude", 0), &ctx, &r);
    const size_t want[6] = {7, 1, 3, 6, 0, 2};
    assert_int_equal(r.n, 6);
    assert_memory_equal(r.order, want, sizeof want);
    assert_near(r.score[1], 2.0, 0.0);
    assert_near(r.score[6], 1.0, 0.0);
    assert_true(isnan(r.score[4]) && isnan(r.score[5]) && isnan(r.score[8]));
    pf_prune_ranking_free(&r);

    /* Prune 7 and 1 (the two largest): they now rank last, in index order. */
    m->mask[7] = m->mask[1] = 0.0f;
    pf_mlp_apply_mask(m);
    rank_ok(crit("magnitude", 0), &ctx, &r);
    const size_t want2[6] = {3, 6, 0, 2, 1, 7};
    assert_memory_equal(r.order, want2, sizeof want2);
    pf_prune_ranking_free(&r);
    pf_mlp_free(m);
}

/* The order's definition, as an insertion sort with its comparison: unpruned first, by
 * descending score (NaN as -inf, -0 = +0), ties and the pruned ones by index. */
static int ranks_before(const pf_mlp *m, const double *score, size_t a, size_t b)
{
    int pa = m->mask[a] == 0.0f, pb = m->mask[b] == 0.0f;
    if (pa != pb) return pb;
    double sa = isnan(score[a]) ? -INFINITY : score[a], sb = isnan(score[b]) ? -INFINITY : score[b];
    if (!pa && sa != sb) return sa > sb;
    return a < b;
}

/* Many ties, both zeros, NaN and infinite weights, and pruned ones, on a 9-12-7-2 network:
 * the ranking is exactly the definition's order. */
static void test_order_is_the_definition(void **state)
{
    (void)state;
    static const int hidden[2] = {12, 7};
    pf_mlp *m = net_k(9, hidden, 2, 2, PF_ACT_RELU);
    const float pool[] = {0.5f, -0.5f, 0.0f, -0.0f, NAN, 2.0f, -2.0f, 1e-30f, INFINITY, 0.25f};
    unsigned seed = 7;
    for (size_t j = 0; j < m->n_params; j++) {
        seed = seed * 1103515245u + 12345u;
        m->params[j] = pool[(seed >> 16) % (sizeof pool / sizeof pool[0])];
        m->mask[j] = (seed >> 8) % 5 == 0 ? 0.0f : 1.0f;
    }
    pf_config cfg;
    pf_config_defaults(&cfg);
    for (int pb = 0; pb < 2; pb++) {
        cfg.prune_biases = pb;
        pf_prune_ctx ctx = {.cfg = &cfg, .model = m, .loss = PF_LOSS_MSE};
        pf_ranking r;
        rank_ok(crit("magnitude", 0), &ctx, &r);
        size_t *want = malloc(r.n * sizeof *want), n = 0;
        for (size_t j = 0; j < m->n_params; j++) {
            if (!pb && !pf_mlp_is_weight(m, j)) continue;
            size_t i = n++;
            for (; i > 0 && ranks_before(m, r.score, j, want[i - 1]); i--) want[i] = want[i - 1];
            want[i] = j;
        }
        assert_int_equal(n, r.n);
        assert_memory_equal(r.order, want, n * sizeof *want);
        free(want);
        pf_prune_ranking_free(&r);
    }
    pf_mlp_free(m);
}

/* ---- SNIP against finite differences ------------------------------------------------------ */

#define FD_ROWS 7

/* SNIP scores |w_j dL/dw_j| of the training loss with K outputs (xent: K classes) and class
 * weights cw, against central differences of the reference network. */
static void snip_fd_k(pf_loss loss, size_t K, const double *cw)
{
    pf_mlp *m = net_343k(5, K);
    const size_t counts[2] = {3, 4};
    pf_split *s = split_new_t(3, counts, 2, NULL, 17, K, loss == PF_LOSS_XENT ? K : 0);
    pf_config cfg;
    pf_config_defaults(&cfg);
    cfg.prune_biases = 1; /* score biases too: more derivatives checked */
    pf_prune_ctx ctx = {
        .cfg = &cfg, .model = m, .data = s, .loss = loss, .rng = NULL, .class_weights = cw};
    pf_ranking r;
    rank_ok(crit("snip", 0), &ctx, &r);
    double p[64];
    assert_true(m->n_params <= 64);
    for (size_t j = 0; j < m->n_params; j++) p[j] = m->params[j];
    const double h = 1e-5;
    for (size_t j = 0; j < m->n_params; j++) {
        double keep = p[j];
        p[j] = keep + h;
        double lp = ref_loss_w(m, p, s->x, s->y, s->n, loss, cw);
        p[j] = keep - h;
        double lm = ref_loss_w(m, p, s->x, s->y, s->n, loss, cw);
        p[j] = keep;
        double want = fabs(keep * (lp - lm) / (2 * h));
        assert_near(r.score[j], want, 1e-4 * want + 1e-6);
    }
    /* And the order is by those scores: non-increasing along the ranking. */
    for (size_t i = 1; i < r.n; i++) assert_true(r.score[r.order[i - 1]] >= r.score[r.order[i]]);
    pf_prune_ranking_free(&r);
    split_free(s);
    pf_mlp_free(m);
}

/* The uncertainty-weighted loss of the reference network, from the definitions: output k's
 * own loss (the one-output reference on its column) weighed by e^-s_k / 2, plus sum s_k / 2. */
static double ref_weighted_net(const pf_mlp *m, const double *p, const pf_split *s, pf_loss loss,
                               const double *lv)
{
    size_t K = m->dims[m->n_layers];
    double yh[REF_MAX_ROWS * REF_MAX_WIDTH], col[REF_MAX_ROWS], total = 0.0;
    float ycol[REF_MAX_ROWS];
    for (size_t i = 0; i < s->n; i++) ref_forward(m, p, s->x + i * m->dims[0], yh + i * K);
    for (size_t k = 0; k < K; k++) {
        for (size_t i = 0; i < s->n; i++) col[i] = yh[i * K + k], ycol[i] = s->y[i * K + k];
        total += 0.5 * exp(-lv[k]) * ref_loss_of(col, ycol, s->n, 1, loss, NULL) + 0.5 * lv[k];
    }
    return total;
}

/* SNIP with the outputs weighed by uncertainty, the log-variances held fixed at the task's:
 * |w_j dL/dw_j| of the weighted loss, against central differences of the reference. */
static void snip_fd_weighted(pf_loss loss)
{
    pf_mlp *m = net_343k(6, 2);
    const size_t counts[2] = {3, 4};
    pf_split *s = split_new_t(3, counts, 2, NULL, 18, 2, 0);
    pf_config cfg;
    pf_config_defaults(&cfg);
    cfg.prune_biases = 1;
    const double lv[2] = {log(4.0), -0.5};
    pf_prune_ctx ctx = {.cfg = &cfg,
                        .model = m,
                        .data = s,
                        .loss = loss,
                        .weighting = PF_WEIGHTING_UNCERTAINTY,
                        .log_var = lv};
    pf_loss_spec spec = pf_prune_loss(&ctx);
    assert_int_equal(spec.weighting, PF_WEIGHTING_UNCERTAINTY);
    assert_ptr_equal(spec.log_var, lv);
    pf_ranking r;
    rank_ok(crit("snip", 0), &ctx, &r);
    double p[64];
    for (size_t j = 0; j < m->n_params; j++) p[j] = m->params[j];
    const double h = 1e-5;
    for (size_t j = 0; j < m->n_params; j++) {
        double keep = p[j];
        p[j] = keep + h;
        double lp = ref_weighted_net(m, p, s, loss, lv);
        p[j] = keep - h;
        double lm = ref_weighted_net(m, p, s, loss, lv);
        p[j] = keep;
        double want = fabs(keep * (lp - lm) / (2 * h));
        assert_near(r.score[j], want, 1e-4 * want + 1e-6);
    }
    pf_prune_ranking_free(&r);
    split_free(s);
    pf_mlp_free(m);
}

static void test_snip_finite_differences(void **state)
{
    (void)state;
    const double cw[3] = {1.5, 0.25, 1.0};
    snip_fd_k(PF_LOSS_MSE, 1, NULL);
    snip_fd_k(PF_LOSS_CCC, 1, NULL);
    snip_fd_k(PF_LOSS_CCC, 2, NULL);
    snip_fd_k(PF_LOSS_MSE, 3, NULL);
    snip_fd_k(PF_LOSS_XENT, 3, NULL);
    snip_fd_k(PF_LOSS_XENT, 3, cw);
    snip_fd_weighted(PF_LOSS_MSE);
    snip_fd_weighted(PF_LOSS_CCC);
}

/* ---- FairGRAPE ---------------------------------------------------------------------------- */

/* Example 1, 4 weights, 2 groups.
 *   I_A = [6, 3, 0, 0] (T_A = 9), I_B = [0, 0, 2, 1] (T_B = 3); tau = (0.75, 0.25).
 *   pick 1: S = 0, deficits (-0.75, -0.25)        -> A takes 0; S = (6, 0)
 *   pick 2: shares (1, 0), deficits (0.25, -0.25) -> B takes 2; S = (6, 2)
 *   pick 3: shares (0.75, 0.25), deficits (0, 0)  -> tie, lowest group A takes 1; S = (9, 2)
 *   pick 4: deficits (+0.068, -0.068)             -> B takes 3.
 *   Greedy 0, 2, 1, 3; a sort by summed importance would give 0, 1, 2, 3.
 * Example 2: I_A = [6, 2, 0, 0], I_B = [0, 0, 2, 2]; tau = (2/3, 1/3).
 *   pick 1: A takes 0; S = (6, 0). pick 2: deficits (1/3, -1/3) -> B, whose best is a tie
 *   of 2 and 3 -> 2; S = (6, 2). pick 3: shares (0.75, 0.25), deficits (+1/12, -1/12) -> B
 *   takes 3; S = (6, 4). pick 4: A takes 1. Greedy 0, 2, 3, 1. */
static void test_fairgrape_greedy_hand(void **state)
{
    (void)state;
    pf_error err = {0};
    size_t order[4];
    const double ex1[8] = {6, 3, 0, 0, 0, 0, 2, 1};
    assert_int_equal(pf_fairgrape_greedy(ex1, 2, 4, order, &err), PF_OK);
    assert_memory_equal(order, ((size_t[]){0, 2, 1, 3}), sizeof order);
    const double ex2[8] = {6, 2, 0, 0, 0, 0, 2, 2};
    assert_int_equal(pf_fairgrape_greedy(ex2, 2, 4, order, &err), PF_OK);
    assert_memory_equal(order, ((size_t[]){0, 2, 3, 1}), sizeof order);
    /* One group: always the neediest, so the order is a plain descending sort (ties by j). */
    const double one[4] = {1, 5, 1, 3};
    assert_int_equal(pf_fairgrape_greedy(one, 1, 4, order, &err), PF_OK);
    assert_memory_equal(order, ((size_t[]){1, 3, 0, 2}), sizeof order);
    /* All zero: tau = 0, every deficit 0, group 0 takes its ties in index order. */
    const double zero[8] = {0};
    assert_int_equal(pf_fairgrape_greedy(zero, 2, 4, order, &err), PF_OK);
    assert_memory_equal(order, ((size_t[]){0, 1, 2, 3}), sizeof order);
}

/* Expected FairGRAPE ranking built here from part_grads and the greedy core, layer by
 * layer; compared with pf_prune_rank on participants and on an equivalent group column. */
static void expected_fairgrape(const pf_mlp *m, const float *g, size_t G, size_t *want)
{
    pf_error err = {0};
    size_t pos = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t n = m->dims[l] * m->dims[l + 1], loc[16];
        double imp[3 * 16];
        for (size_t k = 0; k < G; k++)
            for (size_t j = 0; j < n; j++) {
                double v =
                    (double)m->params[m->w_off[l] + j] * g[k * m->n_params + m->w_off[l] + j];
                imp[k * n + j] = v * v;
            }
        assert_int_equal(pf_fairgrape_greedy(imp, G, n, loc, &err), PF_OK);
        for (size_t k = 0; k < n; k++) want[pos++] = m->w_off[l] + loc[k];
    }
}

static void test_fairgrape_end_to_end(void **state)
{
    (void)state;
    pf_mlp *m = net_3431(7);
    const size_t counts[3] = {4, 3, 5};
    pf_split *s = split_new(3, counts, 3, NULL, 23);
    pf_config cfg;
    pf_config_defaults(&cfg);
    pf_prune_ctx ctx = {.cfg = &cfg,
                        .model = m,
                        .data = s,
                        .loss = PF_LOSS_MSE,
                        .rng = NULL,
                        .class_weights = NULL};
    pf_ranking r;
    rank_ok(crit("fairgrape", 0), &ctx, &r);
    float *g = part_grads(m, s, PF_LOSS_MSE, NULL);
    size_t want[27];
    expected_fairgrape(m, g, 3, want);
    assert_int_equal(r.n, 27);
    assert_int_equal(r.per_layer, 1);
    assert_memory_equal(r.order, want, sizeof want);
    /* Score = pick priority n_l - rank: layer 0 has 12 weights, its first pick scores 12. */
    assert_near(r.score[want[0]], 12.0, 0.0);
    assert_near(r.score[want[11]], 1.0, 0.0);
    assert_near(r.score[want[12]], 12.0, 0.0); /* first pick of layer 1 (12 weights) */
    assert_near(r.score[want[24]], 3.0, 0.0);  /* layer 2: 3 weights */

    /* Even with global scope the budgets are per layer: s = 0.5 keeps 14 = 6 + 6 + 2
     * (quotas 6.22, 6.22, 1.56 -> 6, 6, 1, and the largest remainder goes to layer 2). */
    float mask[35];
    assert_int_equal(pf_prune_mask(m, &r, 0.5, PF_SCOPE_GLOBAL, mask), 14);
    size_t per_layer[3] = {0};
    for (size_t j = 0; j < 35; j++)
        if (pf_mlp_is_weight(m, j)) per_layer[pf_mlp_layer_of(m, j)] += mask[j] == 1.0f;
    assert_int_equal(per_layer[0], 6);
    assert_int_equal(per_layer[1], 6);
    assert_int_equal(per_layer[2], 2);
    for (size_t i = 0; i < 6; i++) assert_true(mask[want[i]] == 1.0f);
    for (size_t i = 6; i < 12; i++) assert_true(mask[want[i]] == 0.0f);

    /* The same three groups as a group column on rows stored interleaved: row i of the
     * interleaved split is row src[i] of s, in ascending order within each group. */
    const int grp[12] = {2, 0, 0, 1, 2, 0, 1, 2, 2, 1, 2, 0};
    const size_t one[1] = {12};
    pf_split *t = split_new(3, one, 1, grp, 1);
    size_t next[3] = {s->off[0], s->off[1], s->off[2]};
    for (size_t i = 0; i < 12; i++) {
        size_t src = next[grp[i]]++;
        memcpy(t->x + i * 3, s->x + src * 3, 3 * sizeof *t->x);
        t->y[i] = s->y[src];
    }
    snprintf(cfg.group_column, PF_MAX_NAME, "cluster");
    set_prune(&cfg, "fairgrape_group", "cluster");
    pf_prune_ctx ctx2 = {.cfg = &cfg,
                         .model = m,
                         .data = t,
                         .loss = PF_LOSS_MSE,
                         .rng = NULL,
                         .class_weights = NULL};
    pf_ranking r2;
    rank_ok(crit("fairgrape", 0), &ctx2, &r2);
    assert_memory_equal(r2.order, want, sizeof want);
    pf_prune_ranking_free(&r2);

    free(g);
    split_free(t);
    pf_prune_ranking_free(&r);
    split_free(s);
    pf_mlp_free(m);
}

/* ---- VR ----------------------------------------------------------------------------------- */

/* Three participants, three parameters: w = [2, -1, 0.5], L_p = [1, 2, 3] (Lbar = 2,
 * L_p - Lbar = [-1, 0, 1]), g_jp:
 *   j0: [0.5, 0.5, 2]  c = [1, 1, 4]  mean 2,   pop. var (1 + 1 + 4) / 3 = 2,  sd sqrt 2
 *   j1: [1, -1, 1]     c = [1, 1, 1]  mean 1,   sd 0
 *   j2: [4, 0, -4]     c = [2, 0, 2]  mean 4/3, var (4/9 + 16/9 + 4/9) / 3 = 8/9, sd 2 sqrt2 / 3
 * stats, score = mean - lambda sd:
 *   lambda 0.5: 2 - sqrt2/2 = 1.29289, 1, 4/3 - sqrt2/3 = 0.86193
 *   lambda 1:   2 - sqrt2 = 0.58579,   1, 4/3 - 2 sqrt2/3 = 0.39052  (j0 falls below j1)
 * objective, score = |w (mean_p g + lambda (2/3) sum_p (L_p - Lbar) g_p)|:
 *   j0: mean 1, (2/3)(-0.5 + 2) = 1       -> |2 (1 + lambda)|:   0.5 -> 3,   1 -> 4
 *   j1: mean 1/3, (2/3)(-1 + 1) = 0       -> 1/3 for any lambda
 *   j2: mean 0, (2/3)(-4 - 4) = -16/3     -> |0.5 lambda 16/3|:  0.5 -> 4/3, 1 -> 8/3 */
static void test_vr_cores_hand(void **state)
{
    (void)state;
    const float w[3] = {2.0f, -1.0f, 0.5f};
    const float g[9] = {0.5f, 1.0f, 4.0f, 0.5f, -1.0f, 0.0f, 2.0f, 1.0f, -4.0f};
    const double L[3] = {1.0, 2.0, 3.0};
    double s[3];
    const double r2 = sqrt(2.0);
    pf_vr_stats_scores(w, g, 3, 3, 0.5, s);
    assert_near(s[0], 2.0 - r2 / 2.0, 1e-12);
    assert_near(s[1], 1.0, 1e-12);
    assert_near(s[2], 4.0 / 3.0 - r2 / 3.0, 1e-12);
    pf_vr_stats_scores(w, g, 3, 3, 1.0, s);
    assert_near(s[0], 2.0 - r2, 1e-12);
    assert_near(s[1], 1.0, 1e-12);
    assert_near(s[2], 4.0 / 3.0 - 2.0 * r2 / 3.0, 1e-12);
    pf_vr_stats_scores(w, g, 3, 3, 0.0, s);
    assert_near(s[0], 2.0, 1e-12);
    assert_near(s[2], 4.0 / 3.0, 1e-12);
    pf_vr_objective_scores(w, g, L, 3, 3, 0.5, s);
    assert_near(s[0], 3.0, 1e-12);
    assert_near(s[1], 1.0 / 3.0, 1e-12);
    assert_near(s[2], 4.0 / 3.0, 1e-12);
    pf_vr_objective_scores(w, g, L, 3, 3, 1.0, s);
    assert_near(s[0], 4.0, 1e-12);
    assert_near(s[1], 1.0 / 3.0, 1e-12);
    assert_near(s[2], 8.0 / 3.0, 1e-12);
    pf_vr_objective_scores(w, g, L, 3, 3, 0.0, s);
    assert_near(s[0], 2.0, 1e-12);
    assert_near(s[2], 0.0, 1e-12);
}

/* End to end: with lambda 0, stats = mean_p |w g_jp| and objective = |w mean_p g_jp|, from
 * per-participant gradients computed here; with lambda 1 the objective also uses the L_p.
 * For every loss: one output (mse, ccc), two ccc outputs, three weighted xent classes. */
typedef struct {
    pf_loss kind;
    size_t K;
    const double *cw;
} loss_case;

static const double CW3[3] = {0.5, 2.0, 1.25};
static const loss_case LOSS_CASES[] = {
    {PF_LOSS_MSE, 1, NULL}, {PF_LOSS_CCC, 1, NULL}, {PF_LOSS_CCC, 2, NULL}, {PF_LOSS_XENT, 3, CW3}};
#define N_LOSS_CASES (sizeof LOSS_CASES / sizeof LOSS_CASES[0])

static void test_vr_end_to_end(void **state)
{
    (void)state;
    const size_t counts[3] = {5, 3, 4};
    for (size_t c = 0; c < N_LOSS_CASES; c++) {
        const loss_case *lc = &LOSS_CASES[c];
        pf_mlp *m = net_343k(9, lc->K);
        pf_split *s =
            split_new_t(3, counts, 3, NULL, 29, lc->K, lc->kind == PF_LOSS_XENT ? lc->K : 0);
        pf_config cfg;
        pf_config_defaults(&cfg);
        pf_prune_ctx ctx = {.cfg = &cfg,
                            .model = m,
                            .data = s,
                            .loss = lc->kind,
                            .rng = NULL,
                            .class_weights = lc->cw};
        double L[3];
        float *g = part_grads_w(m, s, lc->kind, lc->cw, L);
        pf_ranking st, ob, ob1;
        set_prune(&cfg, "vr_form", "stats");
        rank_ok(crit("vr", 0.0), &ctx, &st);
        set_prune(&cfg, "vr_form", "objective");
        rank_ok(crit("vr", 0.0), &ctx, &ob);
        rank_ok(crit("vr", 1.0), &ctx, &ob1);
        double lbar = (L[0] + L[1] + L[2]) / 3.0;
        for (size_t j = 0; j < m->n_params; j++) {
            if (!pf_mlp_is_weight(m, j)) {
                assert_true(isnan(st.score[j]) && isnan(ob.score[j]));
                continue;
            }
            double w = m->params[j], sum_c = 0.0, sum_g = 0.0, var_g = 0.0;
            for (size_t p = 0; p < 3; p++) {
                double gp = g[p * m->n_params + j];
                sum_c += fabs(w * gp);
                sum_g += gp;
                var_g += (L[p] - lbar) * gp;
            }
            assert_near(st.score[j], sum_c / 3.0, 1e-12 * sum_c + 1e-300);
            assert_near(ob.score[j], fabs(w * sum_g / 3.0), 1e-12 * fabs(w * sum_g) + 1e-300);
            double want1 = fabs(w * (sum_g / 3.0 + 2.0 / 3.0 * var_g));
            assert_near(ob1.score[j], want1, 1e-12 * want1 + 1e-300);
        }
        free(g);
        pf_prune_ranking_free(&st);
        pf_prune_ranking_free(&ob);
        pf_prune_ranking_free(&ob1);
        split_free(s);
        pf_mlp_free(m);
    }
}

/* FairGRAPE on a 3-class model with class weights: the ranking built here from the weighted
 * per-participant gradients and the greedy core. */
static void test_fairgrape_three_classes(void **state)
{
    (void)state;
    pf_mlp *m = net_343k(7, 3);
    const size_t counts[3] = {4, 3, 5};
    pf_split *s = split_new_t(3, counts, 3, NULL, 23, 1, 3);
    pf_config cfg;
    pf_config_defaults(&cfg);
    pf_prune_ctx ctx = {.cfg = &cfg,
                        .model = m,
                        .data = s,
                        .loss = PF_LOSS_XENT,
                        .rng = NULL,
                        .class_weights = CW3};
    pf_ranking r;
    rank_ok(crit("fairgrape", 0), &ctx, &r);
    float *g = part_grads_w(m, s, PF_LOSS_XENT, CW3, NULL);
    size_t want[33];
    assert_int_equal(r.n, 33); /* 12 + 12 + 9 weights */
    expected_fairgrape(m, g, 3, want);
    assert_memory_equal(r.order, want, sizeof want);
    free(g);
    pf_prune_ranking_free(&r);
    split_free(s);
    pf_mlp_free(m);
}

/* ---- every criterion ------------------------------------------------------------------------ */

/* Every criterion of the list (a new one is checked here without a line of this file), and
 * VR's second form. */
typedef struct {
    const char *name;
    const char *vr_form;
} crit_case;

static crit_case ALL[PF_MAX_CRITERIA + 1];
static size_t N_ALL;

static void list_all(void)
{
    size_t n;
    const pf_criterion *const *list = pf_criterion_list(&n);
    for (N_ALL = 0; N_ALL < n; N_ALL++) ALL[N_ALL] = (crit_case){list[N_ALL]->name, "stats"};
    ALL[N_ALL++] = (crit_case){"vr", "objective"};
}

static void rank_case(const crit_case *k, pf_mlp *m, const pf_split *s, int prune_biases,
                      unsigned long seed, pf_ranking *r)
{
    pf_config cfg;
    pf_config_defaults(&cfg);
    set_prune(&cfg, "vr_form", k->vr_form);
    cfg.prune_biases = prune_biases;
    gsl_rng *rng = rng_new(seed);
    pf_prune_ctx ctx = {
        .cfg = &cfg, .model = m, .data = s, .loss = PF_LOSS_CCC, .rng = rng, .class_weights = NULL};
    rank_ok(crit(k->name, 0.5), &ctx, r);
    gsl_rng_free(rng);
}

/* Sparsity 0: all-ones mask, so the pruned model predicts bit for bit like the dense one. */
static void test_sparsity_zero_is_dense(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = net_3431(13);
    const size_t counts[3] = {4, 4, 4};
    pf_split *s = split_new(3, counts, 3, NULL, 31);
    pf_mlp_work *w = pf_mlp_work_alloc(m, s->n, &err);
    float dense[12], pruned[12], mask[35];
    pf_mlp_forward(m, w, s->x, s->n, dense);
    for (size_t i = 0; i < N_ALL; i++) {
        for (int pb = 0; pb < 2; pb++) {
            pf_ranking r;
            rank_case(&ALL[i], m, s, pb, 1, &r);
            for (int scope = 0; scope < 2; scope++) {
                assert_int_equal(pf_prune_mask(m, &r, 0.0, (pf_scope)scope, mask), r.n);
                for (size_t j = 0; j < 35; j++) assert_true(mask[j] == 1.0f);
                pf_mlp *c = pf_mlp_clone(m, &err);
                pf_prune_apply(c, mask);
                pf_mlp_forward(c, w, s->x, s->n, pruned);
                assert_memory_equal(pruned, dense, sizeof dense);
                pf_mlp_free(c);
            }
            pf_prune_ranking_free(&r);
        }
    }
    pf_mlp_work_free(w);
    split_free(s);
    pf_mlp_free(m);
}

/* Every criterion on a 3-class xent model (balanced class weights from the scoring rows)
 * and on a 2-output ccc model: every prunable score finite, and every mask of the grid keeps
 * exactly round((1 - s) n) parameters under both scopes. */
static void test_every_criterion_every_task(void **state)
{
    (void)state;
    const size_t counts[3] = {6, 5, 7};
    const double grid[] = {0.0, 0.2, 0.5, 0.8, 0.9, 1.0};
    for (int task = 0; task < 2; task++) {
        size_t K = task == 0 ? 3 : 2;
        pf_loss kind = task == 0 ? PF_LOSS_XENT : PF_LOSS_CCC;
        pf_mlp *m = net_343k(41, K);
        pf_split *s = split_new_t(3, counts, 3, NULL, 43, K, task == 0 ? K : 0);
        double cw[3];
        if (task == 0) pf_loss_class_weights(s, 3, PF_CLASS_WEIGHTS_BALANCED, cw);
        float *mask = calloc(m->n_params, sizeof *mask);
        for (size_t i = 0; i < N_ALL; i++) {
            for (int pb = 0; pb < 2; pb++) {
                pf_config cfg;
                pf_config_defaults(&cfg);
                set_prune(&cfg, "vr_form", ALL[i].vr_form);
                cfg.prune_biases = pb;
                gsl_rng *rng = rng_new(3);
                pf_prune_ctx ctx = {.cfg = &cfg,
                                    .model = m,
                                    .data = s,
                                    .loss = kind,
                                    .rng = rng,
                                    .class_weights = task == 0 ? cw : NULL};
                pf_ranking r;
                rank_ok(crit(ALL[i].name, 0.5), &ctx, &r);
                gsl_rng_free(rng);
                size_t n = pb ? m->n_params : pf_mlp_n_weights(m);
                assert_int_equal(r.n, n);
                for (size_t j = 0; j < m->n_params; j++)
                    if (pb || pf_mlp_is_weight(m, j)) assert_true(isfinite(r.score[j]));
                for (size_t g = 0; g < sizeof grid / sizeof grid[0]; g++) {
                    size_t want = pf_prune_keep_count(n, grid[g]);
                    for (int scope = 0; scope < 2; scope++) {
                        assert_int_equal(pf_prune_mask(m, &r, grid[g], (pf_scope)scope, mask),
                                         want);
                        size_t ones = 0;
                        for (size_t j = 0; j < m->n_params; j++)
                            if (pb || pf_mlp_is_weight(m, j)) ones += mask[j] == 1.0f;
                        assert_int_equal(ones, want);
                    }
                }
                pf_prune_ranking_free(&r);
            }
        }
        free(mask);
        split_free(s);
        pf_mlp_free(m);
    }
}

/* Ranking twice gives the same bits; after pruning some parameters, they rank last (score
 * criteria: the tail of the whole ranking in index order; fairgrape: the tail of their
 * layer's segment), and pf_prune_mask at their sparsity keeps every other parameter. */
static void test_deterministic_and_pruned_last(void **state)
{
    (void)state;
    pf_mlp *m = net_3431(19);
    const size_t counts[3] = {4, 5, 3};
    pf_split *s = split_new(3, counts, 3, NULL, 37);
    const size_t dead[4] = {2, 9, 20, 33}; /* layer 0: 2, 9; layer 1: 20; layer 2: 33 */
    for (size_t i = 0; i < N_ALL; i++) {
        pf_ranking a, b;
        m->mask[2] = m->mask[9] = m->mask[20] = m->mask[33] = 1.0f;
        rank_case(&ALL[i], m, s, 0, 5, &a);
        rank_case(&ALL[i], m, s, 0, 5, &b);
        assert_memory_equal(a.order, b.order, a.n * sizeof *a.order);
        assert_memory_equal(a.score, b.score, a.n_params * sizeof *a.score);
        pf_prune_ranking_free(&b);
        for (size_t k = 0; k < 4; k++) m->mask[dead[k]] = 0.0f;
        rank_case(&ALL[i], m, s, 0, 5, &b);
        if (b.per_layer) { /* FairGRAPE's order */
            /* layer segments: 0..11, 12..23, 24..26 */
            assert_int_equal(b.order[10], 2);
            assert_int_equal(b.order[11], 9);
            assert_int_equal(b.order[23], 20);
            assert_int_equal(b.order[26], 33);
        } else {
            assert_memory_equal(b.order + 23, dead, sizeof dead);
        }
        /* Prune exactly the 4 dead ones' worth: the mask equals the model's mask. */
        float mask[35];
        pf_scope scope = b.per_layer ? PF_SCOPE_LAYERWISE : PF_SCOPE_GLOBAL;
        if (!b.per_layer) {
            assert_int_equal(pf_prune_mask(m, &b, 4.0 / 27.0, scope, mask), 23);
            assert_memory_equal(mask, m->mask, sizeof mask);
        }
        pf_prune_ranking_free(&a);
        pf_prune_ranking_free(&b);
    }
    for (size_t k = 0; k < 4; k++) m->mask[dead[k]] = 1.0f;
    split_free(s);
    pf_mlp_free(m);
}

/* Random: one uniform per prunable parameter in index order; the seed decides everything. */
static void test_random_seeded(void **state)
{
    (void)state;
    pf_mlp *m = net_3431(23);
    pf_ranking a, b, c;
    rank_case(&ALL[0], m, NULL, 1, 42, &a);
    rank_case(&ALL[0], m, NULL, 1, 42, &b);
    rank_case(&ALL[0], m, NULL, 1, 43, &c);
    assert_memory_equal(a.order, b.order, a.n * sizeof *a.order);
    assert_memory_equal(a.score, b.score, a.n_params * sizeof *a.score);
    assert_memory_not_equal(a.order, c.order, a.n * sizeof *a.order);
    gsl_rng *r = rng_new(42);
    for (size_t j = 0; j < m->n_params; j++) assert_near(a.score[j], gsl_rng_uniform(r), 0.0);
    gsl_rng_free(r);
    for (size_t i = 1; i < a.n; i++) assert_true(a.score[a.order[i - 1]] > a.score[a.order[i]]);
    pf_prune_ranking_free(&a);
    pf_prune_ranking_free(&b);
    pf_prune_ranking_free(&c);
    pf_mlp_free(m);
}

/* ---- bad input --------------------------------------------------------------------------------
 */

static void test_errors(void **state)
{
    (void)state;
    pf_mlp *m = net_3431(29);
    const size_t counts[2] = {3, 3};
    pf_split *s = split_new(3, counts, 2, NULL, 41);
    pf_split *wide = split_new(4, counts, 2, NULL, 41);
    pf_config cfg;
    pf_config_defaults(&cfg);
    pf_ranking r;
    pf_error err = {0};

    pf_prune_ctx no_rng = {.cfg = &cfg,
                           .model = m,
                           .data = s,
                           .loss = PF_LOSS_MSE,
                           .rng = NULL,
                           .class_weights = NULL};
    assert_int_equal(pf_prune_rank(&(pf_criterion_use){pf_criterion_find("random"), 0, "random"},
                                   &no_rng, &r, &err),
                     PF_EINPUT);
    pf_prune_ranking_free(&r);

    pf_error_clear(&err);
    pf_prune_ctx bad_d = {.cfg = &cfg,
                          .model = m,
                          .data = wide,
                          .loss = PF_LOSS_MSE,
                          .rng = NULL,
                          .class_weights = NULL};
    assert_int_equal(
        pf_prune_rank(&(pf_criterion_use){pf_criterion_find("snip"), 0, "snip"}, &bad_d, &r, &err),
        PF_EINPUT);
    assert_non_null(strstr(err.msg, "4 features"));
    pf_prune_ranking_free(&r);

    pf_error_clear(&err);
    set_prune(&cfg, "fairgrape_group", "cluster");
    assert_int_equal(
        pf_prune_rank(&(pf_criterion_use){pf_criterion_find("fairgrape"), 0, "fairgrape"}, &no_rng,
                      &r, &err),
        PF_EINPUT);
    assert_non_null(strstr(err.msg, "prune.fairgrape_group = 'cluster'"));
    pf_prune_ranking_free(&r);

    /* the scoring targets must fit the loss: xent on a 1-output model, and a 3-class
     * model scored on rows with a label 5 */
    pf_error_clear(&err);
    pf_prune_ctx xent1 = {.cfg = &cfg,
                          .model = m,
                          .data = s,
                          .loss = PF_LOSS_XENT,
                          .rng = NULL,
                          .class_weights = NULL};
    assert_int_equal(
        pf_prune_rank(&(pf_criterion_use){pf_criterion_find("snip"), 0, "snip"}, &xent1, &r, &err),
        PF_EINPUT);
    assert_non_null(strstr(err.msg, "at least 2"));
    pf_prune_ranking_free(&r);
    pf_mlp *m3 = net_343k(29, 3);
    pf_split *cls = split_new_t(3, counts, 2, NULL, 41, 1, 3);
    rank_ok(crit("vr", 0),
            &(pf_prune_ctx){.cfg = &cfg,
                            .model = m3,
                            .data = cls,
                            .loss = PF_LOSS_XENT,
                            .rng = NULL,
                            .class_weights = NULL},
            &r);
    pf_prune_ranking_free(&r);
    cls->y[4] = 5.0f;
    pf_error_clear(&err);
    pf_prune_ctx bad_label = {.cfg = &cfg,
                              .model = m3,
                              .data = cls,
                              .loss = PF_LOSS_XENT,
                              .rng = NULL,
                              .class_weights = NULL};
    assert_int_equal(
        pf_prune_rank(&(pf_criterion_use){pf_criterion_find("vr"), 0, "vr"}, &bad_label, &r, &err),
        PF_EINPUT);
    assert_non_null(strstr(err.msg, "the scoring data: row 4 has label 5"));
    pf_prune_ranking_free(&r);
    split_free(cls);
    pf_mlp_free(m3);

    split_free(s);
    split_free(wide);
    pf_mlp_free(m);
}

int main(void)
{
    list_all();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_criterion_uses),
        cmocka_unit_test(test_keep_count),
        cmocka_unit_test(test_order_is_the_definition),
        cmocka_unit_test(test_layer_budgets),
        cmocka_unit_test(test_mask_counts),
        cmocka_unit_test(test_mask_n5),
        cmocka_unit_test(test_magnitude_order),
        cmocka_unit_test(test_snip_finite_differences),
        cmocka_unit_test(test_fairgrape_greedy_hand),
        cmocka_unit_test(test_fairgrape_end_to_end),
        cmocka_unit_test(test_vr_cores_hand),
        cmocka_unit_test(test_vr_end_to_end),
        cmocka_unit_test(test_fairgrape_three_classes),
        cmocka_unit_test(test_sparsity_zero_is_dense),
        cmocka_unit_test(test_every_criterion_every_task),
        cmocka_unit_test(test_deterministic_and_pruned_last),
        cmocka_unit_test(test_random_seeded),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
