/* test_model.c: the masked MLP as a specification -- layout with one and several outputs,
 * initialisation, forward passes computed by hand, the activation table against the
 * functions' definitions, gradients of every activation and every loss (one output, and three
 * outputs or classes) through pf_mlp_loss_grad against central finite differences of the
 * independent reference network in testutil.h, and masking in forward and backward. The
 * losses' own values and gradients are test_loss.c's. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "model/mlp.h"

/* cmocka 1.1 has no double comparison; this one also prints both values. */
#include "testutil.h"

static pf_mlp *net_3431(pf_activation act)
{
    int hidden[2] = {4, 3};
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(3, hidden, 2, 1, act, &err);
    assert_non_null(m);
    return m;
}

/* 2-2-1: W1 = [[1,-1],[0.5,2]], b1 = [0.1,-0.2], W2 = [[1.5,-0.5]], b2 = [0.3]. */
static pf_mlp *net_221(pf_activation act)
{
    int hidden[1] = {2};
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(2, hidden, 1, 1, act, &err);
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
    assert_null(pf_mlp_alloc(3, hidden, 2, 1, PF_ACT_RELU, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "model.hidden"));
    pf_error_clear(&err);
    assert_null(pf_mlp_alloc(0, hidden, 1, 1, PF_ACT_RELU, &err));
    assert_int_equal(err.code, PF_EINPUT);
    pf_error_clear(&err);
    assert_null(pf_mlp_alloc(3, hidden, 1, 0, PF_ACT_RELU, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "output"));
}

/* 3-4-3 with three outputs: W0 12, b0 4, W1 12, b1 3; the output layer is 3 x 4 + 3. */
static void test_layout_several_outputs(void **state)
{
    (void)state;
    int hidden[1] = {4};
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(3, hidden, 1, 3, PF_ACT_RELU, &err);
    assert_non_null(m);
    assert_int_equal(m->n_layers, 2);
    assert_int_equal(pf_mlp_n_out(m), 3);
    assert_int_equal(m->dims[2], 3);
    assert_int_equal(m->w_off[1], 16);
    assert_int_equal(m->b_off[1], 28);
    assert_int_equal(m->n_params, 31);
    assert_int_equal(pf_mlp_n_weights(m), 24);
    pf_mlp *c = pf_mlp_clone(m, &err);
    assert_int_equal(pf_mlp_n_out(c), 3);
    assert_int_equal(c->n_params, 31);
    pf_mlp_free(c);
    pf_mlp_free(m);
}

static void test_no_hidden_layer_is_linear(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(2, NULL, 0, 1, PF_ACT_TANH, &err);
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
    pf_mlp *m = pf_mlp_alloc(32, hidden, 2, 1, act, &err);
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

/* 2-2-3, the 2-2-1 hidden layer with a three-unit linear output layer:
 * W2 = [[1.5, -0.5], [1, 0], [0, -2]], b2 = [0.3, 0, 1]. ReLU hidden outputs (by hand above)
 * are [0, 4.3] and [3.1, 0], so row 1 gives [-1.85, 0, -7.6] and row 2 [4.95, 3.1, 1]. The
 * predictions are n x 3 row-major, and the backward pass of dL/dyhat = 1 on output k alone
 * gives that output's bias gradient n and nothing to the other output biases. */
static void test_forward_several_outputs(void **state)
{
    (void)state;
    int hidden[1] = {2};
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(2, hidden, 1, 3, PF_ACT_RELU, &err);
    assert_non_null(m);
    const float p[15] = {1.0f, -1.0f, 0.5f, 2.0f, 0.1f, -0.2f, /* W1, b1 */
                         1.5f, -0.5f, 1.0f, 0.0f, 0.0f, -2.0f, /* W2 */
                         0.3f, 0.0f,  1.0f};                   /* b2 */
    assert_int_equal(m->n_params, 15);
    memcpy(m->params, p, sizeof p);
    pf_mlp_work *w = pf_mlp_work_alloc(m, 2, &err);
    float y[6];
    pf_mlp_forward(m, w, X221, 2, y);
    const float want[6] = {-1.85f, 0.0f, -7.6f, 4.95f, 3.1f, 1.0f};
    for (int i = 0; i < 6; i++) assert_float_equal(y[i], want[i], 1e-6f);
    float dy[6] = {0, 1, 0, 0, 1, 0}, g[15] = {0};
    pf_mlp_backward(m, w, X221, 2, dy, g);
    assert_float_equal(g[12], 0.0f, 0.0f);
    assert_float_equal(g[13], 2.0f, 0.0f);
    assert_float_equal(g[14], 0.0f, 0.0f);
    /* dL/dW2[1][j] = sum_i h_ij: 0 + 3.1 and 4.3 + 0 */
    assert_float_equal(g[8], 3.1f, 1e-6f);
    assert_float_equal(g[9], 4.3f, 1e-6f);
    pf_mlp_work_free(w);
    pf_mlp_free(m);
}

/* The one activation table against the functions' definitions, on a grid through 0 and far
 * into both tails (no overflow: tanh and sigmoid saturate, ELU tends to -1). */
static void test_activation_table(void **state)
{
    (void)state;
    enum { N = 13 };
    const float z[N] = {-100, -20, -5, -1, -0.5f, -1e-4f, 0, 1e-4f, 0.5f, 1, 5, 20, 100};
    for (int act = PF_ACT_RELU; act <= PF_ACT_ELU; act++) {
        float a[N];
        memcpy(a, z, sizeof a);
        pf_mlp_activate((pf_activation)act, a, N);
        for (int i = 0; i < N; i++) {
            double x = z[i], want = act == PF_ACT_RELU      ? (x > 0 ? x : 0)
                                    : act == PF_ACT_TANH    ? tanh(x)
                                    : act == PF_ACT_SIGMOID ? 1 / (1 + exp(-x))
                                                            : (x > 0 ? x : expm1(x));
            assert_near(a[i], want, 2e-7 * fmax(1.0, fabs(want)));
        }
    }
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
    pf_mlp_free(m);

    /* three outputs: chunk i lands at row i of the n x 3 predictions */
    int hidden[1] = {5};
    m = pf_mlp_alloc(3, hidden, 1, 3, PF_ACT_TANH, &err);
    pf_mlp_init(m, PF_INIT_AUTO, r);
    float a3[33], b3[33];
    big = pf_mlp_work_alloc(m, 11, &err);
    small = pf_mlp_work_alloc(m, 4, &err);
    pf_mlp_forward(m, big, x, 11, a3);
    pf_mlp_predict(m, small, x, 11, b3);
    assert_memory_equal(a3, b3, sizeof a3);
    pf_mlp_work_free(big);
    pf_mlp_work_free(small);
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* ---- gradients of the network --------------------------------------------------------- */

#define GC_ROWS 8

/* A 3-4-3-K net (K = n_out) with random weights and biases, 8 random rows; the float32
 * analytic gradient of pf_mlp_loss_grad against double central differences of the reference
 * network for every parameter. Targets: K random values per row, or for xent a class index
 * (every class present). Returns the worst relative error (absolute below 1e-4, where
 * float32 cancellation dominates). */
static double gradcheck_k(pf_activation act, pf_loss loss, size_t K, const double *cw,
                          const float *mask)
{
    pf_error err = {0};
    int hidden[2] = {4, 3};
    pf_mlp *m = pf_mlp_alloc(3, hidden, 2, K, act, &err);
    assert_non_null(m);
    gsl_rng *r = rng_new(11 + (unsigned long)act);
    pf_mlp_init(m, PF_INIT_AUTO, r);
    for (size_t j = 0; j < m->n_params; j++)
        if (!pf_mlp_is_weight(m, j)) m->params[j] = (float)(0.4 * gsl_rng_uniform(r) - 0.2);
    if (mask != NULL) memcpy(m->mask, mask, m->n_params * sizeof *mask);
    size_t t = loss == PF_LOSS_XENT ? 1 : K, np = m->n_params;
    float x[3 * GC_ROWS], y[GC_ROWS * 4], yhat[GC_ROWS * 4], grad[64], scratch[4 * GC_ROWS];
    double p[64];
    assert_true(np <= 64 && K <= 4);
    for (size_t i = 0; i < 3 * GC_ROWS; i++) x[i] = (float)(4.0 * gsl_rng_uniform(r) - 2.0);
    for (size_t i = 0; i < GC_ROWS * t; i++)
        y[i] =
            loss == PF_LOSS_XENT ? (float)((i * 7) % K) : (float)(2.0 * gsl_rng_uniform(r) - 1.0);
    for (size_t j = 0; j < np; j++) p[j] = m->params[j];
    pf_loss_spec spec = {.kind = loss, .n_out = K, .class_weights = cw};
    pf_mlp_work *w = pf_mlp_work_alloc(m, GC_ROWS, &err);
    double L = pf_mlp_loss_grad(m, w, &spec, x, y, GC_ROWS, grad);
    pf_mlp_forward(m, w, x, GC_ROWS, yhat);
    assert_true(pf_loss_scratch_size(GC_ROWS) <= 4 * GC_ROWS);
    assert_near(L, pf_loss_eval(&spec, yhat, y, GC_ROWS, NULL, scratch), 0.0);
    assert_near(L, ref_loss_w(m, p, x, y, GC_ROWS, loss, cw), 1e-5 * fabs(L));
    double worst = 0.0;
    const double h = 1e-5;
    for (size_t j = 0; j < np; j++) {
        if (m->mask[j] == 0.0f) {
            assert_true(grad[j] == 0.0f); /* exactly, not approximately */
            continue;
        }
        double keep = p[j];
        p[j] = keep + h;
        double lp = ref_loss_w(m, p, x, y, GC_ROWS, loss, cw);
        p[j] = keep - h;
        double lm = ref_loss_w(m, p, x, y, GC_ROWS, loss, cw);
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

static double gradcheck(pf_activation act, pf_loss loss, const float *mask)
{
    return gradcheck_k(act, loss, 1, NULL, mask);
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

/* The full network gradient with three outputs (mse, ccc) and three classes (xent, with and
 * without class weights), every activation. */
static void test_gradients_three_outputs(void **state)
{
    (void)state;
    const double cw[3] = {0.4, 2.0, 1.1};
    for (int act = PF_ACT_RELU; act <= PF_ACT_ELU; act++) {
        double worst[4] = {gradcheck_k((pf_activation)act, PF_LOSS_MSE, 3, NULL, NULL),
                           gradcheck_k((pf_activation)act, PF_LOSS_CCC, 3, NULL, NULL),
                           gradcheck_k((pf_activation)act, PF_LOSS_XENT, 3, NULL, NULL),
                           gradcheck_k((pf_activation)act, PF_LOSS_XENT, 3, cw, NULL)};
        for (int k = 0; k < 4; k++) {
            if (worst[k] >= 1e-3) print_error("act %d case %d: rel err %g\n", act, k, worst[k]);
            assert_true(worst[k] < 1e-3);
        }
    }
}

static void test_masked_backward(void **state)
{
    (void)state;
    float mask[64];
    for (int j = 0; j < 64; j++) mask[j] = (j % 3 == 1) ? 0.0f : 1.0f;
    for (int act = PF_ACT_RELU; act <= PF_ACT_ELU; act++) {
        for (int loss = PF_LOSS_MSE; loss <= PF_LOSS_CCC; loss++)
            assert_true(gradcheck((pf_activation)act, (pf_loss)loss, mask) < 1e-3);
        assert_true(gradcheck_k((pf_activation)act, PF_LOSS_XENT, 3, NULL, mask) < 1e-3);
    }
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
    const pf_loss_spec mse = {.kind = PF_LOSS_MSE, .n_out = 1};
    pf_mlp_loss_grad(m, w, &mse, X221, y, 2, g1);
    pf_mlp_forward(m, w, X221, 2, yhat);
    pf_loss_eval(&mse, yhat, y, 2, dy, NULL);
    pf_mlp_backward(m, w, X221, 2, dy, g2);
    assert_memory_equal(g1, g2, sizeof g1);
    pf_mlp_backward(m, w, X221, 2, dy, g2);
    for (int j = 0; j < 9; j++) assert_float_equal(g2[j], 2.0f * g1[j], 1e-6f * fabsf(g1[j]));
    /* by hand for the output bias: dL/db2 = sum dy */
    assert_float_equal(g1[8], dy[0] + dy[1], 1e-6f);
    for (int j = 0; j < 9; j++) g2[j] = 7.0f;
    pf_mlp_loss_grad(m, w, &mse, X221, y, 2, g2);
    assert_memory_equal(g1, g2, sizeof g1);
    pf_mlp_work_free(w);
    pf_mlp_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_alloc_rejects_empty_layer),
        cmocka_unit_test(test_layout_several_outputs),
        cmocka_unit_test(test_no_hidden_layer_is_linear),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_clone_and_copy),
        cmocka_unit_test(test_forward_hand_221),
        cmocka_unit_test(test_forward_several_outputs),
        cmocka_unit_test(test_activation_table),
        cmocka_unit_test(test_forward_respects_mask),
        cmocka_unit_test(test_predict_chunks),
        cmocka_unit_test(test_gradients_all_activations_and_losses),
        cmocka_unit_test(test_gradients_three_outputs),
        cmocka_unit_test(test_masked_backward),
        cmocka_unit_test(test_backward_accumulates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
