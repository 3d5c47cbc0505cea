/* test_model.c: the masked MLP as a specification -- layout, initialisation, a forward pass
 * computed by hand, gradients of every activation and both losses against central finite
 * differences, masking in forward and backward, and loss values worked out on paper. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "model.h"

/* cmocka 1.1 has no double comparison; this one also prints both values. */
#include "testutil.h"

static pf_mlp *net_3431(pf_activation act)
{
    int hidden[2] = {4, 3};
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(3, hidden, 2, act, &err);
    assert_non_null(m);
    return m;
}

/* 2-2-1: W1 = [[1,-1],[0.5,2]], b1 = [0.1,-0.2], W2 = [[1.5,-0.5]], b2 = [0.3]. */
static pf_mlp *net_221(pf_activation act)
{
    int hidden[1] = {2};
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(2, hidden, 1, act, &err);
    assert_non_null(m);
    const float p[9] = {1.0f, -1.0f, 0.5f, 2.0f, 0.1f, -0.2f, 1.5f, -0.5f, 0.3f};
    assert_int_equal(m->n_params, 9);
    memcpy(m->params, p, sizeof p);
    return m;
}

static const float X221[4] = {1.0f, 2.0f, 2.0f, -1.0f}; /* two rows */

/* ---- shape ---------------------------------------------------------------------------- */

static void test_layout(void **state)
{
    (void)state;
    pf_mlp *m = net_3431(PF_ACT_RELU);
    assert_int_equal(m->n_layers, 3);
    assert_int_equal(m->dims[0], 3);
    assert_int_equal(m->dims[1], 4);
    assert_int_equal(m->dims[2], 3);
    assert_int_equal(m->dims[3], 1);
    /* W0 12, b0 4, W1 12, b1 3, W2 3, b2 1 */
    assert_int_equal(m->w_off[0], 0);
    assert_int_equal(m->b_off[0], 12);
    assert_int_equal(m->w_off[1], 16);
    assert_int_equal(m->b_off[1], 28);
    assert_int_equal(m->w_off[2], 31);
    assert_int_equal(m->b_off[2], 34);
    assert_int_equal(m->n_params, 35);
    assert_int_equal(pf_mlp_n_weights(m), 27);
    assert_int_equal(pf_mlp_layer_of(m, 0), 0);
    assert_int_equal(pf_mlp_layer_of(m, 15), 0);
    assert_int_equal(pf_mlp_layer_of(m, 16), 1);
    assert_int_equal(pf_mlp_layer_of(m, 30), 1);
    assert_int_equal(pf_mlp_layer_of(m, 31), 2);
    assert_int_equal(pf_mlp_layer_of(m, 34), 2);
    assert_true(pf_mlp_is_weight(m, 11));
    assert_false(pf_mlp_is_weight(m, 12));
    assert_false(pf_mlp_is_weight(m, 15));
    assert_true(pf_mlp_is_weight(m, 16));
    assert_true(pf_mlp_is_weight(m, 33));
    assert_false(pf_mlp_is_weight(m, 34));
    for (size_t j = 0; j < m->n_params; j++) assert_true(m->mask[j] == 1.0f);
    pf_mlp_free(m);
}

static void test_alloc_rejects_empty_layer(void **state)
{
    (void)state;
    int hidden[2] = {4, 0};
    pf_error err = {0};
    assert_null(pf_mlp_alloc(3, hidden, 2, PF_ACT_RELU, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "model.hidden"));
    pf_error_clear(&err);
    assert_null(pf_mlp_alloc(0, hidden, 1, PF_ACT_RELU, &err));
    assert_int_equal(err.code, PF_EINPUT);
}

static void test_no_hidden_layer_is_linear(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(2, NULL, 0, PF_ACT_TANH, &err);
    assert_non_null(m);
    assert_int_equal(m->n_params, 3);
    m->params[0] = 2.0f;
    m->params[1] = -3.0f;
    m->params[2] = 0.5f;
    pf_mlp_work *w = pf_mlp_work_alloc(m, 2, &err);
    float y[2];
    pf_mlp_forward(m, w, X221, 2, y);
    assert_float_equal(y[0], 2.0f - 6.0f + 0.5f, 0.0f);
    assert_float_equal(y[1], 4.0f + 3.0f + 0.5f, 0.0f);
    pf_mlp_work_free(w);
    pf_mlp_free(m);
}

/* ---- initialisation ------------------------------------------------------------------- */

static void check_init(pf_activation act, pf_init init, int expect_he)
{
    int hidden[2] = {64, 32};
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(32, hidden, 2, act, &err);
    gsl_rng *r = rng_new(7);
    for (size_t j = 0; j < m->n_params; j++) m->mask[j] = 0.0f;
    pf_mlp_init(m, init, r);
    for (size_t l = 0; l < m->n_layers; l++) {
        double fi = (double)m->dims[l], fo = (double)m->dims[l + 1];
        double limit = expect_he ? sqrt(6.0 / fi) : sqrt(6.0 / (fi + fo));
        double maxabs = 0.0, sum = 0.0;
        size_t nw = m->dims[l + 1] * m->dims[l];
        for (size_t j = 0; j < nw; j++) {
            double v = fabs(m->params[m->w_off[l] + j]);
            assert_true(v <= limit);
            sum += m->params[m->w_off[l] + j];
            if (v > maxabs) maxabs = v;
        }
        if (nw >= 1024) { /* enough draws to fill the interval and centre it */
            assert_true(maxabs > 0.99 * limit);
            assert_true(fabs(sum / (double)nw) < 0.05 * limit);
        }
        for (size_t k = 0; k < m->dims[l + 1]; k++) assert_true(m->params[m->b_off[l] + k] == 0.0f);
    }
    for (size_t j = 0; j < m->n_params; j++) assert_true(m->mask[j] == 1.0f);
    /* same seed, same draws */
    pf_mlp *m2 = pf_mlp_clone(m, &err);
    gsl_rng_set(r, 7);
    pf_mlp_init(m2, init, r);
    assert_memory_equal(m->params, m2->params, m->n_params * sizeof(float));
    gsl_rng_free(r);
    pf_mlp_free(m2);
    pf_mlp_free(m);
}

static void test_init(void **state)
{
    (void)state;
    check_init(PF_ACT_RELU, PF_INIT_AUTO, 1);
    check_init(PF_ACT_ELU, PF_INIT_AUTO, 1);
    check_init(PF_ACT_TANH, PF_INIT_AUTO, 0);
    check_init(PF_ACT_SIGMOID, PF_INIT_AUTO, 0);
    check_init(PF_ACT_TANH, PF_INIT_HE, 1);
    check_init(PF_ACT_RELU, PF_INIT_XAVIER, 0);
}

static void test_clone_and_copy(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = net_221(PF_ACT_RELU);
    m->mask[3] = 0.0f;
    pf_mlp *c = pf_mlp_clone(m, &err);
    assert_non_null(c);
    assert_int_equal(c->n_layers, 2);
    assert_int_equal(c->dims[1], 2);
    assert_int_equal(c->act, PF_ACT_RELU);
    assert_memory_equal(c->params, m->params, 9 * sizeof(float));
    assert_memory_equal(c->mask, m->mask, 9 * sizeof(float));
    c->params[0] = 42.0f;
    c->mask[3] = 1.0f;
    assert_true(m->params[0] == 1.0f); /* deep copy */
    pf_mlp_copy(c, m);
    assert_true(c->params[0] == 1.0f && c->mask[3] == 0.0f);
    pf_mlp_free(c);
    pf_mlp_free(m);
}

/* ---- forward -------------------------------------------------------------------------- */

static void test_forward_hand_221(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = net_221(PF_ACT_RELU);
    pf_mlp_work *w = pf_mlp_work_alloc(m, 4, &err);
    float y[2];
    /* row 1: z = [1-2+0.1, 0.5+4-0.2] = [-0.9, 4.3] -> [0, 4.3] -> -0.5*4.3+0.3 = -1.85
     * row 2: z = [2+1+0.1, 1-2-0.2] = [3.1, -1.2] -> [3.1, 0] -> 1.5*3.1+0.3 = 4.95 */
    pf_mlp_forward(m, w, X221, 2, y);
    assert_float_equal(y[0], -1.85f, 1e-6f);
    assert_float_equal(y[1], 4.95f, 1e-6f);

    m->act = PF_ACT_TANH;
    pf_mlp_forward(m, w, X221, 2, y);
    assert_float_equal(y[0], 1.5 * tanh(-0.9) - 0.5 * tanh(4.3) + 0.3, 1e-6);
    assert_float_equal(y[1], 1.5 * tanh(3.1) - 0.5 * tanh(-1.2) + 0.3, 1e-6);

    m->act = PF_ACT_SIGMOID;
    pf_mlp_forward(m, w, X221, 2, y);
    double s1 = 1.0 / (1.0 + exp(0.9)), s2 = 1.0 / (1.0 + exp(-4.3));
    assert_float_equal(y[0], 1.5 * s1 - 0.5 * s2 + 0.3, 1e-6);

    m->act = PF_ACT_ELU;
    pf_mlp_forward(m, w, X221, 2, y);
    assert_float_equal(y[0], 1.5 * expm1(-0.9) - 0.5 * 4.3 + 0.3, 1e-6);
    assert_float_equal(y[1], 1.5 * 3.1 - 0.5 * expm1(-1.2) + 0.3, 1e-6);
    pf_mlp_work_free(w);
    pf_mlp_free(m);
}

/* A mask entry set to 0 without zeroing the parameter still removes it from the forward. */
static void test_forward_respects_mask(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = net_221(PF_ACT_RELU);
    pf_mlp_work *w = pf_mlp_work_alloc(m, 2, &err);
    m->mask[7] = 0.0f; /* W2[0][1] = -0.5 */
    float y[2];
    pf_mlp_forward(m, w, X221, 2, y);
    assert_float_equal(y[0], 0.3f, 1e-6f);
    assert_float_equal(y[1], 4.95f, 1e-6f);
    assert_true(m->params[7] == -0.5f); /* forward does not edit the model */
    pf_mlp_apply_mask(m);
    assert_true(m->params[7] == 0.0f);
    assert_true(m->params[6] == 1.5f);
    pf_mlp_forward(m, w, X221, 2, y);
    assert_float_equal(y[0], 0.3f, 1e-6f);
    pf_mlp_work_free(w);
    pf_mlp_free(m);
}

static void test_predict_chunks(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = net_3431(PF_ACT_TANH);
    gsl_rng *r = rng_new(3);
    pf_mlp_init(m, PF_INIT_AUTO, r);
    float x[3 * 11], a[11], b[11];
    for (size_t i = 0; i < 33; i++) x[i] = (float)(4.0 * gsl_rng_uniform(r) - 2.0);
    pf_mlp_work *big = pf_mlp_work_alloc(m, 11, &err), *small = pf_mlp_work_alloc(m, 4, &err);
    assert_int_equal(pf_mlp_work_rows(small), 4);
    pf_mlp_forward(m, big, x, 11, a);
    pf_mlp_predict(m, small, x, 11, b);
    assert_memory_equal(a, b, sizeof a);
    pf_mlp_work_free(big);
    pf_mlp_work_free(small);
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* ---- losses --------------------------------------------------------------------------- */

static void test_mse_hand(void **state)
{
    (void)state;
    const float yhat[3] = {1, 2, 3}, y[3] = {1, 1, 1};
    float dy[3];
    assert_near(pf_loss_eval(PF_LOSS_MSE, yhat, y, 3, dy), 5.0 / 3.0, 1e-12);
    assert_float_equal(dy[0], 0.0f, 0.0f);
    assert_float_equal(dy[1], 2.0f / 3.0f, 1e-7f);
    assert_float_equal(dy[2], 4.0f / 3.0f, 1e-7f);
    assert_near(pf_loss_eval(PF_LOSS_MSE, yhat, y, 3, NULL), 5.0 / 3.0, 1e-12);
    assert_near(pf_loss_eval(PF_LOSS_MSE, yhat, y, 0, NULL), 0.0, 0.0);
}

static void test_ccc_hand(void **state)
{
    (void)state;
    /* yhat [1,2,3], y [2,4,6]: mx 2, my 4, vx 2/3, vy 8/3, cov 4/3, D = 22/3, CCC = 4/11.
     * dL/dx_i = 2/(nD) (2cov/D (x_i - my) - (y_i - my)) = 1/11 (4/11 (x_i - 4) - (y_i - 4)) */
    const float yhat[3] = {1, 2, 3}, y[3] = {2, 4, 6};
    float dy[3];
    assert_near(pf_loss_eval(PF_LOSS_CCC, yhat, y, 3, dy), 7.0 / 11.0, 1e-12);
    assert_float_equal(dy[0], 10.0 / 121.0, 1e-7);
    assert_float_equal(dy[1], -8.0 / 121.0, 1e-7);
    assert_float_equal(dy[2], -26.0 / 121.0, 1e-7);

    /* perfect agreement: CCC 1, loss 0, zero gradient */
    assert_near(pf_loss_eval(PF_LOSS_CCC, y, y, 3, dy), 0.0, 1e-12);
    for (int i = 0; i < 3; i++) assert_float_equal(dy[i], 0.0f, 1e-7f);

    /* a constant prediction has zero covariance: loss 1, but a gradient towards y's shape:
     * yhat [2,2,2] vs y [1,2,3]: D = 2/3, dL/dx_i = -(y_i - 2) */
    const float c[3] = {2, 2, 2}, z[3] = {1, 2, 3};
    assert_near(pf_loss_eval(PF_LOSS_CCC, c, z, 3, dy), 1.0, 1e-12);
    assert_float_equal(dy[0], 1.0f, 1e-6f);
    assert_float_equal(dy[1], 0.0f, 1e-6f);
    assert_float_equal(dy[2], -1.0f, 1e-6f);

    /* everything equal: denominator 0, CCC defined 0, loss 1, no gradient */
    assert_near(pf_loss_eval(PF_LOSS_CCC, c, c, 3, dy), 1.0, 0.0);
    for (int i = 0; i < 3; i++) assert_true(dy[i] == 0.0f);
}

/* dy of both losses against central differences on yhat. */
static void test_loss_grad_fd(void **state)
{
    (void)state;
    const float y[5] = {0.3f, -1.2f, 0.8f, 2.0f, -0.1f};
    float yhat[5] = {0.1f, -0.7f, 1.1f, 1.4f, 0.5f}, dy[5];
    const float h = 1e-3f;
    for (int loss = PF_LOSS_MSE; loss <= PF_LOSS_CCC; loss++) {
        pf_loss_eval((pf_loss)loss, yhat, y, 5, dy);
        for (int i = 0; i < 5; i++) {
            float keep = yhat[i];
            yhat[i] = keep + h;
            double lp = pf_loss_eval((pf_loss)loss, yhat, y, 5, NULL);
            yhat[i] = keep - h;
            double lm = pf_loss_eval((pf_loss)loss, yhat, y, 5, NULL);
            yhat[i] = keep;
            double fd = (lp - lm) / ((double)(keep + h) - (double)(keep - h));
            assert_near(dy[i], fd, 1e-4 * (fabs(fd) + 1e-3));
        }
    }
}

/* ---- gradients of the network --------------------------------------------------------- */

#define GC_ROWS 8

/* A 3-4-3-1 net with random weights and biases, 8 random rows; the float32 analytic gradient
 * against double central differences for every parameter. Returns the worst relative error
 * (absolute below 1e-4, where float32 cancellation dominates). */
static double gradcheck(pf_activation act, pf_loss loss, const float *mask)
{
    pf_error err = {0};
    pf_mlp *m = net_3431(act);
    gsl_rng *r = rng_new(11 + (unsigned long)act);
    pf_mlp_init(m, PF_INIT_AUTO, r);
    for (size_t j = 0; j < m->n_params; j++)
        if (!pf_mlp_is_weight(m, j)) m->params[j] = (float)(0.4 * gsl_rng_uniform(r) - 0.2);
    if (mask != NULL) memcpy(m->mask, mask, m->n_params * sizeof *mask);
    float x[3 * GC_ROWS], y[GC_ROWS], yhat[GC_ROWS], grad[35];
    double p[35];
    for (size_t i = 0; i < 3 * GC_ROWS; i++) x[i] = (float)(4.0 * gsl_rng_uniform(r) - 2.0);
    for (size_t i = 0; i < GC_ROWS; i++) y[i] = (float)(2.0 * gsl_rng_uniform(r) - 1.0);
    for (size_t j = 0; j < m->n_params; j++) p[j] = m->params[j];
    pf_mlp_work *w = pf_mlp_work_alloc(m, GC_ROWS, &err);
    double L = pf_mlp_loss_grad(m, w, loss, x, y, GC_ROWS, grad);
    pf_mlp_forward(m, w, x, GC_ROWS, yhat);
    assert_near(L, pf_loss_eval(loss, yhat, y, GC_ROWS, NULL), 0.0);
    assert_near(L, ref_loss(m, p, x, y, GC_ROWS, loss), 1e-5 * fabs(L));
    double worst = 0.0;
    const double h = 1e-5;
    for (size_t j = 0; j < m->n_params; j++) {
        if (m->mask[j] == 0.0f) {
            assert_true(grad[j] == 0.0f); /* exactly, not approximately */
            continue;
        }
        double keep = p[j];
        p[j] = keep + h;
        double lp = ref_loss(m, p, x, y, GC_ROWS, loss);
        p[j] = keep - h;
        double lm = ref_loss(m, p, x, y, GC_ROWS, loss);
        p[j] = keep;
        double fd = (lp - lm) / (2 * h);
        double rel = fabs(fd - grad[j]) / fmax(fmax(fabs(fd), fabs(grad[j])), 1e-4);
        if (rel > worst) worst = rel;
    }
    pf_mlp_work_free(w);
    gsl_rng_free(r);
    pf_mlp_free(m);
    return worst;
}

static void test_gradients_all_activations_and_losses(void **state)
{
    (void)state;
    for (int act = PF_ACT_RELU; act <= PF_ACT_ELU; act++)
        for (int loss = PF_LOSS_MSE; loss <= PF_LOSS_CCC; loss++) {
            double worst = gradcheck((pf_activation)act, (pf_loss)loss, NULL);
            if (worst >= 1e-3) print_error("act %d loss %d: rel err %g\n", act, loss, worst);
            assert_true(worst < 1e-3);
        }
}

static void test_masked_backward(void **state)
{
    (void)state;
    float mask[35];
    for (int j = 0; j < 35; j++) mask[j] = (j % 3 == 1) ? 0.0f : 1.0f;
    for (int act = PF_ACT_RELU; act <= PF_ACT_ELU; act++)
        for (int loss = PF_LOSS_MSE; loss <= PF_LOSS_CCC; loss++)
            assert_true(gradcheck((pf_activation)act, (pf_loss)loss, mask) < 1e-3);
}

/* backward ADDs into grad, so two calls give twice the gradient; loss_grad overwrites. */
static void test_backward_accumulates(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = net_221(PF_ACT_TANH);
    pf_mlp_work *w = pf_mlp_work_alloc(m, 2, &err);
    const float y[2] = {0.5f, -0.5f};
    float g1[9], g2[9] = {0}, yhat[2], dy[2];
    pf_mlp_loss_grad(m, w, PF_LOSS_MSE, X221, y, 2, g1);
    pf_mlp_forward(m, w, X221, 2, yhat);
    pf_loss_eval(PF_LOSS_MSE, yhat, y, 2, dy);
    pf_mlp_backward(m, w, X221, 2, dy, g2);
    assert_memory_equal(g1, g2, sizeof g1);
    pf_mlp_backward(m, w, X221, 2, dy, g2);
    for (int j = 0; j < 9; j++) assert_float_equal(g2[j], 2.0f * g1[j], 1e-6f * fabsf(g1[j]));
    /* by hand for the output bias: dL/db2 = sum dy */
    assert_float_equal(g1[8], dy[0] + dy[1], 1e-6f);
    for (int j = 0; j < 9; j++) g2[j] = 7.0f;
    pf_mlp_loss_grad(m, w, PF_LOSS_MSE, X221, y, 2, g2);
    assert_memory_equal(g1, g2, sizeof g1);
    pf_mlp_work_free(w);
    pf_mlp_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_alloc_rejects_empty_layer),
        cmocka_unit_test(test_no_hidden_layer_is_linear),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_clone_and_copy),
        cmocka_unit_test(test_forward_hand_221),
        cmocka_unit_test(test_forward_respects_mask),
        cmocka_unit_test(test_predict_chunks),
        cmocka_unit_test(test_mse_hand),
        cmocka_unit_test(test_ccc_hand),
        cmocka_unit_test(test_loss_grad_fd),
        cmocka_unit_test(test_gradients_all_activations_and_losses),
        cmocka_unit_test(test_masked_backward),
        cmocka_unit_test(test_backward_accumulates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
