/* test_synflow.c: SynFlow (Tanaka et al. 2020) as a specification -- its scores on a two-layer
 * network worked out by hand, with and without biases and under a mask; the conservation of
 * synaptic flow that defines it (each layer's scores sum to R) on random networks of several
 * depths; and the criterion through the registry: data-free, at initialisation, 100 rounds by
 * default, ranked like any other criterion.
 *
 * The hand example, a 2-2-1 network (rows are units, columns inputs):
 *   W1 = [[1, -2], [0.5, 3]], W2 = [[-1, 2]]. Linearised: |W1| = [[1, 2], [0.5, 3]],
 *   |W2| = [[1, 2]], input (1, 1).
 *   Without biases: a1 = |W1| 1 = (3, 3.5), R = |W2| a1 = 3 + 7 = 10.
 *     dR/d|W2| = a1 = (3, 3.5), so scores(W2) = (1 * 3, 2 * 3.5) = (3, 7): sum 10 = R.
 *     dR/da1 = |W2|^T = (1, 2); dR/d|W1|_ij = (1, 2)_i * 1, so
 *     scores(W1) = [[1 * 1, 2 * 1], [0.5 * 2, 3 * 2]] = [[1, 2], [1, 6]]: sum 10 = R.
 *   With b1 = (1, -1), b2 = (0.5): a1 = (3 + 1, 3.5 + 1) = (4, 4.5), R = 4 + 9 + 0.5 = 13.5.
 *     scores(W2) = (4, 9), score(b2) = 0.5; scores(W1) as before, scores(b1) = (1 * 1, 1 * 2).
 *     Layer 2: 4 + 9 + 0.5 = 13.5 = R; layer 1: 1 + 2 + 1 + 6 + (1 + 2) + 0.5 = 13.5 = R.
 *   Masking W1[0][1] (the -2): a1 = (1, 3.5), R = 1 + 7 = 8 (no biases); its score is 0. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "base/seed.h"
#include "compress/criteria/synflow.h"
#include "compress/prune.h"
#include "config/criterion.h"

#include "testutil.h"

/* The 2-2-1 network of the header, biases as given (NULL: zero). */
static pf_mlp *hand_net(const float *b1, const float *b2)
{
    pf_error err = {0};
    const int hidden[1] = {2};
    pf_mlp *m = pf_mlp_alloc(2, hidden, 1, 1, PF_ACT_RELU, &err);
    assert_non_null(m);
    const float w1[4] = {1, -2, 0.5f, 3}, w2[2] = {-1, 2};
    memcpy(m->params + m->w_off[0], w1, sizeof w1);
    memcpy(m->params + m->w_off[1], w2, sizeof w2);
    for (size_t i = 0; i < 2; i++) m->params[m->b_off[0] + i] = b1 ? b1[i] : 0.0f;
    m->params[m->b_off[1]] = b2 ? b2[0] : 0.0f;
    return m;
}

static void expect_scores(const pf_mlp *m, const double *s, const double *w1, const double *b1,
                          const double *w2, double b2)
{
    for (size_t k = 0; k < 4; k++) assert_near(s[m->w_off[0] + k], w1[k], 0);
    for (size_t k = 0; k < 2; k++) assert_near(s[m->b_off[0] + k], b1[k], 0);
    for (size_t k = 0; k < 2; k++) assert_near(s[m->w_off[1] + k], w2[k], 0);
    assert_near(s[m->b_off[1]], b2, 0);
}

static void test_hand_no_biases(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = hand_net(NULL, NULL);
    double s[9];
    assert_near(pf_synflow_scores(m, s, &err), 10.0, 0);
    expect_scores(m, s, (const double[]){1, 2, 1, 6}, (const double[]){0, 0},
                  (const double[]){3, 7}, 0);
    pf_mlp_free(m);
}

static void test_hand_biases(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = hand_net((const float[]){1, -1}, (const float[]){0.5f});
    double s[9];
    assert_near(pf_synflow_scores(m, s, &err), 13.5, 0);
    expect_scores(m, s, (const double[]){1, 2, 1, 6}, (const double[]){1, 2},
                  (const double[]){4, 9}, 0.5);
    pf_mlp_free(m);
}

/* A pruned weight carries no flow: it scores 0 and its path is gone from R. */
static void test_hand_masked(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = hand_net(NULL, NULL);
    m->mask[m->w_off[0] + 1] = 0.0f;
    double s[9];
    assert_near(pf_synflow_scores(m, s, &err), 8.0, 0);
    expect_scores(m, s, (const double[]){1, 0, 1, 6}, (const double[]){0, 0},
                  (const double[]){1, 7}, 0);
    pf_mlp_free(m);
}

/* Conservation on random networks: for every layer l, the scores of W_l and of the biases of
 * layers l..L sum to R; with zero biases each layer's weight scores alone do. */
static void check_conservation(const int *hidden, size_t n_hidden, size_t n_in, size_t n_out,
                               int zero_biases, uint64_t seed)
{
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(n_in, hidden, n_hidden, n_out, PF_ACT_TANH, &err);
    gsl_rng *rng = pf_seed_rng(seed, 0, 0, PF_SEED_INIT);
    pf_mlp_init(m, PF_INIT_PYTORCH, rng);
    for (size_t j = 0; j < m->n_params; j++) {
        if (zero_biases && !pf_mlp_is_weight(m, j)) m->params[j] = 0.0f;
        if (gsl_rng_uniform(rng) < 0.2) m->mask[j] = 0.0f; /* pruned ones take part too */
    }
    double *s = calloc(m->n_params, sizeof *s);
    double R = pf_synflow_scores(m, s, &err);
    assert_true(R > 0.0);
    for (size_t l = 0; l < m->n_layers; l++) {
        double sum = 0.0;
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        for (size_t k = 0; k < rows * cols; k++) sum += s[m->w_off[l] + k];
        for (size_t k = l; k < m->n_layers; k++)
            for (size_t i = 0; i < m->dims[k + 1]; i++) sum += s[m->b_off[k] + i];
        assert_near(sum, R, 1e-12 * R);
    }
    for (size_t j = 0; j < m->n_params; j++)
        if (m->mask[j] == 0.0f) assert_near(s[j], 0.0, 0);
    free(s);
    gsl_rng_free(rng);
    pf_mlp_free(m);
}

static void test_conservation(void **state)
{
    (void)state;
    const int h1[1] = {16}, h2[2] = {64, 32}, h4[4] = {9, 17, 5, 11};
    for (int zero = 0; zero < 2; zero++) {
        check_conservation(h1, 1, 7, 1, zero, 1);
        check_conservation(h2, 2, 32, 1, zero, 2);
        check_conservation(h4, 4, 13, 3, zero, 3);
    }
}

/* Through the registry: a row with no needs, scoring at initialisation over 100 rounds by
 * default (prune.synflow_rounds changes it), ranking by descending score with no data. */
static void test_registry_row(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_config cfg;
    pf_config_defaults(&cfg);
    const pf_criterion *c = pf_criterion_find("synflow");
    assert_non_null(c);
    assert_int_equal(c->needs, 0);
    assert_false(c->roles & PF_CRITERION_DEFAULT); /* the default study is unchanged */
    pf_criterion_stage st = pf_criterion_stage_of(&cfg, c);
    assert_int_equal(st.at_init, 1);
    assert_int_equal(st.rounds, 100);
    assert_int_equal(pf_config_set(&cfg, "prune", "synflow_rounds", "7", "test", &err), PF_OK);
    assert_int_equal(pf_criterion_stage_of(&cfg, c).rounds, 7);
    assert_int_equal(pf_config_set(&cfg, "prune", "synflow_rounds", "0", "test", &err), PF_EINPUT);

    pf_mlp *m = hand_net(NULL, NULL);
    pf_criterion_use use = {c, 0.0, "synflow"};
    pf_prune_ctx ctx = {.cfg = &cfg,
                        .model = m,
                        .data = NULL,
                        .loss = PF_LOSS_MSE,
                        .rng = NULL,
                        .class_weights = NULL}; /* no rows, no generator */
    pf_ranking r;
    assert_int_equal(pf_prune_rank(&use, &ctx, &r, &err), PF_OK);
    /* Weights only (prune_biases false): 6 of them, by descending score, ties by index:
     * W2[1] 7, W1[1][1] 6, W2[0] 3, W1[0][1] 2, W1[0][0] 1, W1[1][0] 1. */
    const size_t want[6] = {m->w_off[1] + 1, m->w_off[0] + 3, m->w_off[1],
                            m->w_off[0] + 1, m->w_off[0],     m->w_off[0] + 2};
    assert_int_equal(r.n, 6);
    assert_memory_equal(r.order, want, sizeof want);
    assert_true(isnan(r.score[m->b_off[0]])); /* not prunable */
    pf_prune_ranking_free(&r);
    pf_mlp_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_no_biases), cmocka_unit_test(test_hand_biases),
        cmocka_unit_test(test_hand_masked),    cmocka_unit_test(test_conservation),
        cmocka_unit_test(test_registry_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
