/* test_cost.c: the size and arithmetic of a pruned model are counted exactly (one output and
 * three), and the single-window kernels used for latency compute every output: the CSR kernel
 * gives the dense kernel's predictions bit for bit, and both give pf_mlp_forward's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "base/seed.h"
#include "compress/csr.h"
#include "eval/cost.h"

#include "testutil.h"

/* A 3-2-1 ReLU model with hand-set weights and a mask pruning two of the eight weights. */
static pf_mlp *small_model(void)
{
    pf_error err = {0};
    int hidden[] = {2};
    pf_mlp *m = pf_mlp_alloc(3, hidden, 1, 1, PF_ACT_RELU, &err);
    assert_non_null(m);
    /* W0 (2x3), b0 (2), W1 (1x2), b1 (1) */
    const float p[] = {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.5f, 0.1f, -0.2f, 2.0f, -3.0f, 0.3f};
    for (size_t j = 0; j < m->n_params; j++) m->params[j] = p[j], m->mask[j] = 1.0f;
    m->mask[m->w_off[0] + 1] = 0.0f; /* W0[0][1] */
    m->mask[m->w_off[1] + 1] = 0.0f; /* W1[0][1] */
    pf_mlp_apply_mask(m);
    return m;
}

static void test_cost_counts(void **state)
{
    (void)state;
    pf_mlp *m = small_model();
    pf_model_cost c;
    pf_cost_compute(m, 0, &c);
    assert_int_equal(c.prunable, 8);
    assert_int_equal(c.kept, 6);
    assert_int_equal(c.macs, 6);
    /* layer 0: 5 kept x 8 bytes + 3 row pointers x 4 + 2 biases x 4 = 60;
     * layer 1: 1 kept x 8 + 2 x 4 + 1 x 4 = 20 */
    assert_int_equal(c.csr_bytes, 80);
    pf_cost_compute(m, 1, &c); /* biases prunable: all three still kept */
    assert_int_equal(c.prunable, 11);
    assert_int_equal(c.kept, 9);
    pf_mlp_free(m);
}

static void test_predictions_by_hand(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = small_model();
    const float x[3] = {1.0f, 2.0f, 3.0f};
    /* h0 = relu(0.5*1 + 0*2 + 2*3 + 0.1) = 6.6; h1 = relu(1.5 + 0.5 - 1.5 - 0.2) = 0.3
     * y = 2*6.6 + 0*0.3 + 0.3 = 13.5 */
    float scratch[8], y;
    pf_mlp_predict_window(m, x, scratch, scratch + 4, &y);
    assert_float_equal(y, 13.5f, 1e-5f);
    pf_csr *c = pf_csr_from_mlp(m, &err);
    assert_non_null(c);
    pf_csr_predict(c, x, &y);
    assert_float_equal(y, 13.5f, 1e-5f);
    pf_csr_free(c);
    pf_mlp_free(m);
}

/* The 3-2 hidden layer of small_model with a 3-unit output layer: W1 = [[2, -3], [0, 1],
 * [1, 1]], b1 = [0.3, -1, 0], W1[1][0] pruned (it is 0 already, so pruning it changes no
 * prediction). Counts: layer 0 as above (5 kept, 60 bytes); layer 1: 5 kept x 8 + 4 row
 * pointers x 4 + 3 biases x 4 = 68 bytes. Predictions with h = [6.6, 0.3]:
 * [2 6.6 - 0.9 + 0.3, 0.3 - 1, 6.9] = [12.6, -0.7, 6.9]. */
static void test_three_outputs(void **state)
{
    (void)state;
    pf_error err = {0};
    int hidden[] = {2};
    pf_mlp *m = pf_mlp_alloc(3, hidden, 1, 3, PF_ACT_RELU, &err);
    assert_non_null(m);
    const float p[] = {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.5f, 0.1f, -0.2f, /* layer 0 */
                       2.0f, -3.0f, 0.0f, 1.0f, 1.0f,  1.0f,  0.3f, -1.0f, 0.0f};
    assert_int_equal(m->n_params, sizeof p / sizeof p[0]);
    for (size_t j = 0; j < m->n_params; j++) m->params[j] = p[j], m->mask[j] = 1.0f;
    m->mask[m->w_off[0] + 1] = 0.0f;
    m->mask[m->w_off[1] + 2] = 0.0f;
    pf_mlp_apply_mask(m);
    pf_model_cost c;
    pf_cost_compute(m, 0, &c);
    assert_int_equal(c.prunable, 12);
    assert_int_equal(c.kept, 10);
    assert_int_equal(c.macs, 10);
    assert_int_equal(c.csr_bytes, 60 + 68);
    pf_cost_compute(m, 1, &c);
    assert_int_equal(c.prunable, 17);
    assert_int_equal(c.kept, 15); /* the mask decides, not the value: bias b1[2] = 0 is kept */

    const float x[3] = {1.0f, 2.0f, 3.0f};
    float scratch[8], yd[3], ys[3];
    pf_mlp_predict_window(m, x, scratch, scratch + 4, yd);
    pf_csr *csr = pf_csr_from_mlp(m, &err);
    assert_non_null(csr);
    pf_csr_predict(csr, x, ys);
    const float want[3] = {12.6f, -0.7f, 6.9f};
    for (int k = 0; k < 3; k++) {
        assert_float_equal(yd[k], want[k], 1e-5f);
        assert_float_equal(ys[k], want[k], 1e-5f);
    }
    assert_true(pf_cost_time_ns(m, x, 1, 1, &err) > 0.0);
    assert_true(pf_cost_time_ns(m, x, 1, 0, &err) > 0.0);
    assert_int_equal(err.code, PF_OK);
    pf_csr_free(csr);
    pf_mlp_free(m);
}

/* On random 30-64-32-K models (K = 1 and 4) at 80% sparsity the CSR kernel gives the dense
 * kernel's predictions bit for bit: it adds the same products in the same order, only
 * skipping exact zeros. Both agree with pf_mlp_forward to float rounding (its BLAS may sum
 * in another order). */
static void check_csr_matches_dense(size_t K, pf_activation act)
{
    pf_error err = {0};
    int hidden[] = {64, 32};
    pf_mlp *m = pf_mlp_alloc(30, hidden, 2, K, act, &err);
    gsl_rng *rng = pf_seed_rng(7, 0, 0, PF_SEED_INIT);
    pf_mlp_init(m, PF_INIT_XAVIER, rng);
    for (size_t j = 0; j < m->n_params; j++)
        if (pf_mlp_is_weight(m, j) && gsl_rng_uniform(rng) < 0.8) m->mask[j] = 0.0f;
    pf_mlp_apply_mask(m);
    pf_csr *c = pf_csr_from_mlp(m, &err);
    pf_mlp_work *w = pf_mlp_work_alloc(m, 1, &err);
    float x[30], scratch[128], d[4], s[4], f[4];
    for (int trial = 0; trial < 20; trial++) {
        for (int i = 0; i < 30; i++) x[i] = (float)gsl_rng_uniform(rng) * 4.0f - 2.0f;
        pf_mlp_predict_window(m, x, scratch, scratch + 64, d);
        pf_csr_predict(c, x, s);
        assert_memory_equal(d, s, K * sizeof *d);
        pf_mlp_forward(m, w, x, 1, f);
        for (size_t k = 0; k < K; k++) assert_near(d[k], f[k], 1e-5 * (1 + fabs(f[k])));
    }
    pf_mlp_work_free(w);
    assert_true(pf_cost_time_ns(m, x, 1, 1, &err) > 0.0);
    assert_true(pf_cost_time_ns(m, x, 1, 0, &err) > 0.0);
    assert_int_equal(err.code, PF_OK);
    gsl_rng_free(rng);
    pf_csr_free(c);
    pf_mlp_free(m);
}

static void test_csr_matches_dense(void **state)
{
    (void)state;
    check_csr_matches_dense(1, PF_ACT_TANH);
    check_csr_matches_dense(4, PF_ACT_TANH);
    check_csr_matches_dense(4, PF_ACT_ELU);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_counts),
        cmocka_unit_test(test_predictions_by_hand),
        cmocka_unit_test(test_three_outputs),
        cmocka_unit_test(test_csr_matches_dense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
