/* test_train.c: pf_train as a specification -- optimiser steps worked out by hand on a linear
 * model, early stopping on a constructed validation curve, masks that survive training,
 * learning a simple function (one output with mse and ccc, two outputs at once, and three
 * classes with cross-entropy, with and without class weights), bit-identical reruns, tied
 * parameters (a step by hand; a tie sharing nothing changes no bit), and refusal of bad options
 * and of targets that do not fit the loss. Weighting several outputs: one Adam step of the
 * log-variances by hand, the noisier output learning the larger log-variance, early stopping
 * restoring network and log-variances together, and equal weighting training as it always did. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "model/train.h"

#include "testutil.h"

/* A split over caller-owned x and y (one target per row), one participant. */
typedef struct {
    pf_split s;
    int part[1];
    size_t off[2];
} test_split;

static void split_init(test_split *t, float *x, float *y, size_t n, size_t d)
{
    memset(t, 0, sizeof *t);
    t->s.n = n;
    t->s.d = d;
    t->s.x = x;
    t->s.y = y;
    t->s.t = 1;
    t->s.n_parts = 1;
    t->s.part = t->part;
    t->s.off = t->off;
    t->off[1] = n;
}

static pf_train_opts opts(pf_optimizer opt, double lr, int batch, int epochs, int patience)
{
    pf_train_opts o = {.optimizer = opt,
                       .learning_rate = lr,
                       .momentum = 0.9,
                       .weight_decay = 0.0,
                       .batch_size = batch,
                       .max_epochs = epochs,
                       .patience = patience,
                       .loss = PF_LOSS_MSE,
                       .class_weights = NULL};
    return o;
}

/* yhat = w x + b, one input, no hidden layer: params {w, b}. */
static pf_mlp *linear(float w, float b)
{
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(1, NULL, 0, 1, PF_ACT_RELU, &err);
    assert_non_null(m);
    m->params[0] = w;
    m->params[1] = b;
    return m;
}

/* ---- optimiser steps by hand ---------------------------------------------------------- */

/* One row x = 2, y = 0, w = 0.5, b = 0: yhat = 1, dL/dyhat = 2, g_w = 4, g_b = 2. After one
 * Adam step the bias-corrected moments are g and g^2, so each parameter moves by
 * lr * g / (|g| + 1e-8). */
static void test_adam_one_step(void **state)
{
    (void)state;
    float x[1] = {2.0f}, y[1] = {0.0f};
    test_split t;
    split_init(&t, x, y, 1, 1);
    pf_mlp *m = linear(0.5f, 0.0f);
    pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 1, 1, 0);
    gsl_rng *r = rng_new(1);
    pf_error err = {0};
    pf_train_report rep;
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_OK);
    assert_near(m->params[0], 0.5 - 0.01 * 4.0 / (4.0 + 1e-8), 1e-7);
    assert_near(m->params[1], 0.0 - 0.01 * 2.0 / (2.0 + 1e-8), 1e-7);
    assert_int_equal(rep.epochs_run, 1);
    assert_int_equal(rep.best_epoch, 1);
    assert_true(isnan(rep.best_val_loss));
    /* final train loss at the new parameters: (0.49 * 2 - 0.01)^2 */
    assert_near(rep.final_train_loss, 0.97 * 0.97, 1e-6);

    /* a second step by hand: g = 2 * 0.97 * (2, 1); m = .9 m1 + .1 g, v = .999 v1 + .001 g^2 */
    pf_mlp_free(m);
    m = linear(0.5f, 0.0f);
    o.max_epochs = 2;
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_OK);
    double p[2] = {0.49, -0.01}, g1[2] = {4, 2}, g2[2] = {3.88, 1.94};
    for (int j = 0; j < 2; j++) {
        double m1 = 0.1 * g1[j], v1 = 0.001 * g1[j] * g1[j];
        double m2 = 0.9 * m1 + 0.1 * g2[j], v2 = 0.999 * v1 + 0.001 * g2[j] * g2[j];
        double mh = m2 / (1 - 0.81), vh = v2 / (1 - 0.999 * 0.999);
        assert_near(m->params[j], p[j] - 0.01 * mh / (sqrt(vh) + 1e-8), 1e-6);
    }
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* Same row, SGD lr 0.1, momentum 0.9:
 * step 1: g = (4, 2), v = g, w = 0.5 - 0.4 = 0.1, b = -0.2
 * step 2: yhat = 0.2 - 0.2 = 0, g = (0, 0), v = 0.9 (4, 2) = (3.6, 1.8): w = -0.26, b = -0.38 */
static void test_sgd_momentum_two_steps(void **state)
{
    (void)state;
    float x[1] = {2.0f}, y[1] = {0.0f};
    test_split t;
    split_init(&t, x, y, 1, 1);
    pf_mlp *m = linear(0.5f, 0.0f);
    pf_train_opts o = opts(PF_OPT_SGD, 0.1, 1, 1, 0);
    gsl_rng *r = rng_new(1);
    pf_error err = {0};
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, NULL, &err), PF_OK);
    assert_near(m->params[0], 0.1, 1e-7);
    assert_near(m->params[1], -0.2, 1e-7);
    pf_mlp_free(m);
    m = linear(0.5f, 0.0f);
    o.max_epochs = 2;
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, NULL, &err), PF_OK);
    assert_near(m->params[0], -0.26, 1e-6);
    assert_near(m->params[1], -0.38, 1e-6);
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* Weight decay 0.5 on the weight only: g_w = 4 + 0.5 * 0.5 = 4.25, g_b = 2 (SGD lr 0.1). */
static void test_weight_decay_on_weights_only(void **state)
{
    (void)state;
    float x[1] = {2.0f}, y[1] = {0.0f};
    test_split t;
    split_init(&t, x, y, 1, 1);
    pf_mlp *m = linear(0.5f, 0.0f);
    pf_train_opts o = opts(PF_OPT_SGD, 0.1, 1, 1, 0);
    o.weight_decay = 0.5;
    gsl_rng *r = rng_new(1);
    pf_error err = {0};
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, NULL, &err), PF_OK);
    assert_near(m->params[0], 0.5 - 0.425, 1e-7);
    assert_near(m->params[1], -0.2, 1e-7);
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* ---- early stopping ------------------------------------------------------------------- */

/* yhat = w x, bias pruned. Train on (1, 1) by SGD lr 0.1 without momentum from w = 0, one step
 * per epoch: w_e = 1 - 0.8^e = 0.2, 0.36, 0.488, 0.5904, 0.67232. Validation on (1, 0.5) has
 * loss (w - 0.5)^2: 0.09, 0.0196, 0.000144, 0.00815, 0.02958, so epoch 3 is best; with
 * patience 2 training stops after epoch 5 and w returns to 0.488. */
static void test_early_stopping_restores_best(void **state)
{
    (void)state;
    float xt[1] = {1.0f}, yt[1] = {1.0f}, xv[1] = {1.0f}, yv[1] = {0.5f};
    test_split t, v;
    split_init(&t, xt, yt, 1, 1);
    split_init(&v, xv, yv, 1, 1);
    pf_mlp *m = linear(0.0f, 0.0f);
    m->mask[1] = 0.0f;
    pf_train_opts o = opts(PF_OPT_SGD, 0.1, 4, 100, 2);
    o.momentum = 0.0;
    gsl_rng *r = rng_new(1);
    pf_error err = {0};
    pf_train_report rep;
    assert_int_equal(pf_train(m, &o, &t.s, &v.s, r, &rep, &err), PF_OK);
    assert_int_equal(rep.epochs_run, 5);
    assert_int_equal(rep.best_epoch, 3);
    assert_near(rep.best_val_loss, 0.012 * 0.012, 1e-8);
    assert_near(m->params[0], 0.488, 1e-6);
    assert_true(m->params[1] == 0.0f);
    assert_near(rep.final_train_loss, 0.512 * 0.512, 1e-6);

    /* patience 0: all epochs, the last kept, its validation loss reported */
    m->params[0] = 0.0f;
    o.max_epochs = 5;
    o.patience = 0;
    assert_int_equal(pf_train(m, &o, &t.s, &v.s, r, &rep, &err), PF_OK);
    assert_int_equal(rep.epochs_run, 5);
    assert_int_equal(rep.best_epoch, 5);
    assert_near(m->params[0], 0.67232, 1e-6);
    assert_near(rep.best_val_loss, 0.17232 * 0.17232, 1e-6);

    /* an empty validation split means no early stopping */
    v.s.n = 0;
    m->params[0] = 0.0f;
    o.patience = 2;
    assert_int_equal(pf_train(m, &o, &t.s, &v.s, r, &rep, &err), PF_OK);
    assert_int_equal(rep.epochs_run, 5);
    assert_near(m->params[0], 0.67232, 1e-6);
    assert_true(isnan(rep.best_val_loss));
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* ---- a real network ------------------------------------------------------------------- */

#define FN_ROWS 256

/* y = sin(x1) + x2^2 on [-2, 2]^2: var(y) is 2.1 for the 256 rows of seed 5. */
static void make_function_data(float *x, float *y, size_t n, unsigned long seed)
{
    gsl_rng *r = rng_new(seed);
    for (size_t i = 0; i < n; i++) {
        x[2 * i] = (float)(4.0 * gsl_rng_uniform(r) - 2.0);
        x[2 * i + 1] = (float)(4.0 * gsl_rng_uniform(r) - 2.0);
        y[i] = sinf(x[2 * i]) + x[2 * i + 1] * x[2 * i + 1];
    }
    gsl_rng_free(r);
}

static pf_mlp *small_net_k(pf_activation act, size_t n_out, unsigned long seed)
{
    int hidden[2] = {16, 16};
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(2, hidden, 2, n_out, act, &err);
    assert_non_null(m);
    gsl_rng *r = rng_new(seed);
    pf_mlp_init(m, PF_INIT_AUTO, r);
    gsl_rng_free(r);
    return m;
}

static pf_mlp *small_net(pf_activation act, unsigned long seed)
{
    return small_net_k(act, 1, seed);
}

static const pf_loss_spec MSE1 = {.kind = PF_LOSS_MSE, .n_out = 1},
                          CCC1 = {.kind = PF_LOSS_CCC, .n_out = 1};

static double mse_of(const pf_mlp *m, const float *x, const float *y, size_t n)
{
    pf_error err = {0};
    pf_mlp_work *w = pf_mlp_work_alloc(m, n, &err);
    float *yhat = malloc(n * sizeof *yhat);
    pf_mlp_forward(m, w, x, n, yhat);
    double l = pf_loss_eval(&MSE1, yhat, y, n, NULL, NULL);
    free(yhat);
    pf_mlp_work_free(w);
    return l;
}

/* Measured: the untrained 2-16-16-1 net has MSE 4.5 (tanh) and 7.1 (relu); after 150 Adam
 * epochs 0.0015 and 0.0021. The threshold 0.05 leaves a factor of 20 for other platforms. */
static void test_learns_a_function(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y[FN_ROWS];
    make_function_data(x, y, FN_ROWS, 5);
    test_split t;
    split_init(&t, x, y, FN_ROWS, 2);
    pf_activation acts[2] = {PF_ACT_TANH, PF_ACT_RELU};
    for (int a = 0; a < 2; a++) {
        pf_mlp *m = small_net(acts[a], 2);
        double before = mse_of(m, x, y, FN_ROWS);
        pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 32, 150, 0);
        gsl_rng *r = rng_new(3);
        pf_error err = {0};
        pf_train_report rep;
        assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_OK);
        double after = mse_of(m, x, y, FN_ROWS);
        assert_near(rep.final_train_loss, after, 1e-9);
        assert_true(before > 1.0);
        assert_true(after < 0.05);
        gsl_rng_free(r);
        pf_mlp_free(m);
    }
}

/* 1 - CCC is minimised too. Measured: 1.20 untrained, 0.0024 after 100 epochs (ELU). */
static void test_learns_with_ccc(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y[FN_ROWS], yhat[FN_ROWS];
    make_function_data(x, y, FN_ROWS, 6);
    test_split t;
    split_init(&t, x, y, FN_ROWS, 2);
    pf_mlp *m = small_net(PF_ACT_ELU, 4);
    pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 64, 100, 0);
    o.loss = PF_LOSS_CCC;
    gsl_rng *r = rng_new(3);
    pf_error err = {0};
    pf_train_report rep;
    pf_mlp_work *w = pf_mlp_work_alloc(m, FN_ROWS, &err);
    pf_mlp_forward(m, w, x, FN_ROWS, yhat);
    assert_true(pf_loss_eval(&CCC1, yhat, y, FN_ROWS, NULL, NULL) > 0.5);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_OK);
    pf_mlp_forward(m, w, x, FN_ROWS, yhat);
    assert_near(rep.final_train_loss, pf_loss_eval(&CCC1, yhat, y, FN_ROWS, NULL, NULL), 1e-9);
    assert_true(rep.final_train_loss < 0.02);
    pf_mlp_work_free(w);
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* Two outputs at once, y1 = sin(x1) and y2 = x2^2, with mse over both and with 1 - mean CCC.
 * Measured (2-16-16-2 tanh, 150 epochs): mse 0.0009, ccc loss 0.0005. */
static void test_learns_two_outputs(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y1[FN_ROWS], y[2 * FN_ROWS], yhat[2 * FN_ROWS];
    make_function_data(x, y1, FN_ROWS, 13);
    for (size_t i = 0; i < FN_ROWS; i++) {
        y[2 * i] = sinf(x[2 * i]);
        y[2 * i + 1] = x[2 * i + 1] * x[2 * i + 1];
    }
    test_split t;
    split_init(&t, x, y, FN_ROWS, 2);
    t.s.t = 2;
    pf_loss kinds[2] = {PF_LOSS_MSE, PF_LOSS_CCC};
    for (int k = 0; k < 2; k++) {
        pf_mlp *m = small_net_k(PF_ACT_TANH, 2, 14);
        pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 32, 150, 0);
        o.loss = kinds[k];
        gsl_rng *r = rng_new(3);
        pf_error err = {0};
        pf_train_report rep;
        int rc = pf_train(m, &o, &t.s, NULL, r, &rep, &err);
        if (rc != PF_OK) print_error("%s\n", err.msg);
        assert_int_equal(rc, PF_OK);
        pf_mlp_work *w = pf_mlp_work_alloc(m, FN_ROWS, &err);
        pf_mlp_forward(m, w, x, FN_ROWS, yhat);
        pf_loss_spec spec = {.kind = kinds[k], .n_out = 2};
        float scratch[2 * FN_ROWS];
        assert_near(rep.final_train_loss, pf_loss_eval(&spec, yhat, y, FN_ROWS, NULL, scratch),
                    1e-9);
        assert_true(rep.final_train_loss < 0.02);
        /* and each output on its own has learnt its function */
        double se[2] = {0, 0};
        for (size_t i = 0; i < FN_ROWS; i++)
            for (int j = 0; j < 2; j++)
                se[j] += (yhat[2 * i + j] - y[2 * i + j]) * (yhat[2 * i + j] - y[2 * i + j]);
        if (kinds[k] == PF_LOSS_MSE) assert_true(se[0] / FN_ROWS < 0.02 && se[1] / FN_ROWS < 0.02);
        pf_mlp_work_free(w);
        gsl_rng_free(r);
        pf_mlp_free(m);
    }
}

#define CL_ROWS 300

/* Three Gaussian blobs in the plane (centres (-2, 0), (2, 0), (0, 2.5), standard deviation
 * sd), counts[c] rows of class c, class by class; labels are the class indices. */
static size_t make_blobs(float *x, float *y, const size_t *counts, double sd, unsigned long seed)
{
    const double cx[3] = {-2, 2, 0}, cy[3] = {0, 0, 2.5};
    gsl_rng *r = rng_new(seed);
    size_t n = 0;
    for (size_t c = 0; c < 3; c++)
        for (size_t i = 0; i < counts[c]; i++, n++) {
            double u1 = gsl_rng_uniform_pos(r), u2 = gsl_rng_uniform(r);
            double g1 = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
            double g2 = sqrt(-2 * log(u1)) * sin(6.283185307179586 * u2);
            x[2 * n] = (float)(cx[c] + sd * g1);
            x[2 * n + 1] = (float)(cy[c] + sd * g2);
            y[n] = (float)c;
        }
    gsl_rng_free(r);
    return n;
}

/* Share of rows (or of the rows of class only, if only >= 0) whose argmax is the label. */
static double accuracy(const pf_mlp *m, const float *x, const float *y, size_t n, int only)
{
    pf_error err = {0};
    pf_mlp_work *w = pf_mlp_work_alloc(m, n, &err);
    float *z = malloc(3 * n * sizeof *z);
    pf_mlp_forward(m, w, x, n, z);
    size_t hit = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        if (only >= 0 && y[i] != (float)only) continue;
        size_t best = 0;
        for (size_t k = 1; k < 3; k++)
            if (z[3 * i + k] > z[3 * i + best]) best = k;
        hit += (float)best == y[i];
        total++;
    }
    free(z);
    pf_mlp_work_free(w);
    return (double)hit / (double)total;
}

/* Cross-entropy training separates three classes (sd 0.6). Measured: training accuracy 0.43
 * untrained, 0.99 after 60 epochs (loss 0.02); the threshold is 0.9. */
static void test_learns_three_classes(void **state)
{
    (void)state;
    static float x[2 * CL_ROWS], y[CL_ROWS];
    const size_t counts[3] = {100, 100, 100};
    size_t n = make_blobs(x, y, counts, 0.6, 21);
    test_split t;
    split_init(&t, x, y, n, 2);
    pf_mlp *m = small_net_k(PF_ACT_RELU, 3, 22);
    pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 32, 60, 0);
    o.loss = PF_LOSS_XENT;
    gsl_rng *r = rng_new(23);
    pf_error err = {0};
    pf_train_report rep;
    double before = accuracy(m, x, y, n, -1);
    int rc = pf_train(m, &o, &t.s, NULL, r, &rep, &err);
    if (rc != PF_OK) print_error("%s\n", err.msg);
    assert_int_equal(rc, PF_OK);
    double after = accuracy(m, x, y, n, -1);
    assert_true(before < 0.7);
    assert_true(after > 0.9);
    assert_true(rep.final_train_loss < 0.2); /* ln 3 = 1.1 at chance */
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* Class weights are the loss pf_train minimises: on 200/40/10 rows of overlapping classes
 * (sd 1.5), balanced weights raise the training recall of the 10-row class. Measured:
 * minority recall 0.3 unweighted, 1.0 weighted. The final training loss is the weighted one. */
static void test_class_weights_change_training(void **state)
{
    (void)state;
    static float xs[2 * 250], y[250];
    const size_t counts[3] = {200, 40, 10};
    size_t n = make_blobs(xs, y, counts, 1.5, 31);
    test_split t;
    split_init(&t, xs, y, n, 2);
    double w[3];
    pf_loss_class_weights(&t.s, 3, PF_CLASS_WEIGHTS_BALANCED, w);
    assert_near(w[2], 250.0 / 30.0, 1e-12);
    double recall[2];
    for (int k = 0; k < 2; k++) {
        pf_mlp *m = small_net_k(PF_ACT_RELU, 3, 32);
        pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 32, 60, 0);
        o.loss = PF_LOSS_XENT;
        o.class_weights = k ? w : NULL;
        gsl_rng *r = rng_new(33);
        pf_error err = {0};
        pf_train_report rep;
        assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_OK);
        recall[k] = accuracy(m, xs, y, n, 2);
        pf_mlp_work *wk = pf_mlp_work_alloc(m, n, &err);
        float *z = malloc(3 * n * sizeof *z);
        pf_mlp_forward(m, wk, xs, n, z);
        pf_loss_spec spec = pf_train_loss(&o, m);
        assert_int_equal(spec.n_out, 3);
        assert_near(rep.final_train_loss, pf_loss_eval(&spec, z, y, n, NULL, NULL), 1e-9);
        free(z);
        pf_mlp_work_free(wk);
        gsl_rng_free(r);
        pf_mlp_free(m);
    }
    assert_true(recall[1] > recall[0] + 0.3);
}

/* Half of all parameters pruned, with nonzero values left in place on purpose: after training
 * with Adam and weight decay every pruned parameter is exactly 0 and every kept one moved. */
static void test_pruned_params_stay_zero(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y[FN_ROWS];
    make_function_data(x, y, FN_ROWS, 7);
    test_split t;
    split_init(&t, x, y, FN_ROWS, 2);
    pf_optimizer optim[2] = {PF_OPT_ADAM, PF_OPT_SGD};
    for (int k = 0; k < 2; k++) {
        pf_mlp *m = small_net(PF_ACT_RELU, 8);
        for (size_t j = 0; j < m->n_params; j++) {
            if (!pf_mlp_is_weight(m, j)) m->params[j] = 0.1f;
            if (j % 2 == 0) m->mask[j] = 0.0f;
        }
        pf_mlp *before = pf_mlp_clone(m, &(pf_error){0});
        pf_train_opts o = opts(optim[k], 0.01, 16, 5, 0);
        o.weight_decay = 1e-3;
        gsl_rng *r = rng_new(9);
        pf_error err = {0};
        assert_int_equal(pf_train(m, &o, &t.s, NULL, r, NULL, &err), PF_OK);
        for (size_t j = 0; j < m->n_params; j++) {
            if (m->mask[j] == 0.0f)
                assert_true(m->params[j] == 0.0f && !signbit(m->params[j]));
            else
                assert_true(m->params[j] != before->params[j]);
        }
        gsl_rng_free(r);
        pf_mlp_free(before);
        pf_mlp_free(m);
    }
}

static void test_deterministic(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y[FN_ROWS], xv[2 * 64], yv[64];
    make_function_data(x, y, FN_ROWS, 10);
    make_function_data(xv, yv, 64, 11);
    test_split t, v;
    split_init(&t, x, y, FN_ROWS, 2);
    split_init(&v, xv, yv, 64, 2);
    pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 32, 20, 3);
    pf_mlp *m[3];
    pf_train_report rep[3];
    unsigned long seeds[3] = {42, 42, 43};
    for (int k = 0; k < 3; k++) {
        m[k] = small_net(PF_ACT_TANH, 1);
        gsl_rng *r = rng_new(seeds[k]);
        pf_error err = {0};
        assert_int_equal(pf_train(m[k], &o, &t.s, &v.s, r, &rep[k], &err), PF_OK);
        gsl_rng_free(r);
    }
    assert_memory_equal(m[0]->params, m[1]->params, m[0]->n_params * sizeof(float));
    assert_memory_equal(&rep[0], &rep[1], sizeof rep[0]);
    assert_memory_not_equal(m[0]->params, m[2]->params, m[0]->n_params * sizeof(float));
    for (int k = 0; k < 3; k++) pf_mlp_free(m[k]);
}

/* Four trainings run at once on OpenMP threads (BLAS single-threaded inside, as the runner
 * does) give the same bits as one after another: no shared state, no thread-dependent sums. */
static void test_parallel_matches_serial(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y[FN_ROWS];
    make_function_data(x, y, FN_ROWS, 12);
    test_split t;
    split_init(&t, x, y, FN_ROWS, 2);
    pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 16, 10, 0);
    openblas_set_num_threads(1);
    pf_mlp *ser[4], *par[4];
    for (int k = 0; k < 4; k++) {
        ser[k] = small_net(PF_ACT_RELU, 20 + (unsigned long)k);
        par[k] = pf_mlp_clone(ser[k], &(pf_error){0});
    }
    int rc_ser[4], rc_par[4];
    for (int k = 0; k < 4; k++) {
        gsl_rng *r = rng_new(30 + (unsigned long)k);
        rc_ser[k] = pf_train(ser[k], &o, &t.s, NULL, r, NULL, &(pf_error){0});
        gsl_rng_free(r);
    }
#pragma omp parallel for schedule(dynamic) num_threads(4)
    for (int k = 0; k < 4; k++) {
        gsl_rng *r = rng_new(30 + (unsigned long)k);
        rc_par[k] = pf_train(par[k], &o, &t.s, NULL, r, NULL, &(pf_error){0});
        gsl_rng_free(r);
    }
    for (int k = 0; k < 4; k++) {
        assert_int_equal(rc_ser[k], PF_OK);
        assert_int_equal(rc_par[k], PF_OK);
        assert_memory_equal(ser[k]->params, par[k]->params, ser[k]->n_params * sizeof(float));
        pf_mlp_free(ser[k]);
        pf_mlp_free(par[k]);
    }
}

/* ---- tied parameters ------------------------------------------------------------------ */

/* yhat = w0 x0 + w1 x1 + b with w0 and w1 tied (params {w0, w1, b}, tie {0, 0, -1}). One row
 * x = (1, 2), y = 0, w = (0.5, 0.5), b = 0: yhat = 1.5, dL/dyhat = 3, gradients (3, 6, 3); tied,
 * both weights get 3 + 6 = 9. SGD lr 0.1 (the first step is plain descent): w0 = w1 = 0.5 -
 * 0.9 = -0.4, b = -0.3. With weight decay 0.5 the decay enters before the sum: (3 + 0.25) +
 * (6 + 0.25) = 9.5, w = 0.5 - 0.95 = -0.45; the bias is not decayed. */
static void test_tie_by_hand(void **state)
{
    (void)state;
    float x[2] = {1.0f, 2.0f}, y[1] = {0.0f};
    test_split t;
    split_init(&t, x, y, 1, 2);
    const int tie[3] = {0, 0, -1};
    const double wd[2] = {0.0, 0.5}, want_w[2] = {-0.4, -0.45};
    for (int k = 0; k < 2; k++) {
        pf_error err = {0};
        pf_mlp *m = pf_mlp_alloc(2, NULL, 0, 1, PF_ACT_RELU, &err);
        assert_non_null(m);
        m->params[0] = m->params[1] = 0.5f;
        m->params[2] = 0.0f;
        pf_train_opts o = opts(PF_OPT_SGD, 0.1, 1, 1, 0);
        o.weight_decay = wd[k];
        o.tie = tie;
        gsl_rng *r = rng_new(1);
        assert_int_equal(pf_train(m, &o, &t.s, NULL, r, NULL, &err), PF_OK);
        assert_true(m->params[0] == m->params[1]);
        assert_near(m->params[0], want_w[k], 1e-6);
        assert_near(m->params[2], -0.3, 1e-7);
        gsl_rng_free(r);
        pf_mlp_free(m);
    }
}

/* ---- weighting several outputs ------------------------------------------------------------ */

/* Two outputs of a linear model (1 input): W = (0.5, 2), b = 0, one row x = 2, y = (0, 0), so
 * yhat = (1, 4) and mse_k = (1, 16). Uncertainty weighting at s = 0: dL/ds_k = -mse_k/2 + 1/2 =
 * (0, -7.5). Adam's first step moves a parameter by lr g / (|g| + 1e-8): s_0 stays 0 (g = 0)
 * and s_1 rises by 0.01 * 7.5 / (7.5 + 1e-8), the output with the larger loss getting the
 * larger log-variance. The network's step is the weighted one: dL/dyhat = (1/2)(2, 8) = (1, 4),
 * so g_W = x dL/dyhat = (2, 8), and each weight moves by lr as well. */
static void test_log_var_one_adam_step(void **state)
{
    (void)state;
    float x[1] = {2.0f}, y[2] = {0.0f, 0.0f};
    test_split t;
    split_init(&t, x, y, 1, 1);
    t.s.t = 2;
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(1, NULL, 0, 2, PF_ACT_RELU, &err);
    m->params[0] = 0.5f, m->params[1] = 2.0f, m->params[2] = m->params[3] = 0.0f;
    pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 1, 1, 0);
    o.weighting = PF_WEIGHTING_UNCERTAINTY;
    double s[2] = {0.0, 0.0};
    o.log_var = s;
    gsl_rng *r = rng_new(1);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, NULL, &err), PF_OK);
    assert_true(s[0] == 0.0);
    assert_near(s[1], 0.01 * 7.5 / (7.5 + 1e-8), 1e-12);
    assert_near(m->params[0], 0.49, 1e-6);
    assert_near(m->params[1], 1.99, 1e-6);
    gsl_rng_free(r);
    pf_mlp_free(m);
}

/* Two outputs of the plane: y1 = sin(x1), learnable to a small error, and y2 = x2^2 plus noise
 * of sd 1.5 that no network can learn (mse about 2.25). Uncertainty weighting's log-variance of
 * an output settles where e^s = its loss (dL/ds = 0), so s_1 must fall below 0 (sigma_1 < 1)
 * and s_2 rise above it; restrained weighting must order them the same way. The returned
 * log-variances are those of the reported loss: the final training loss is the objective at
 * them. Measured (150 epochs): uncertainty s = (-8.26, 0.87) with mse (0.0017, 2.36): s_2 is
 * ln 2.36 = 0.86, while s_1 is still falling after the clean output's shrinking error (each Adam
 * step moves it by about lr); restrained s = (0.22, 1.78). */
static void test_log_var_learns_which_output_is_noisy(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y1[FN_ROWS], y[2 * FN_ROWS], yhat[2 * FN_ROWS];
    make_function_data(x, y1, FN_ROWS, 41);
    gsl_rng *noise = rng_new(42);
    for (size_t i = 0; i < FN_ROWS; i++) {
        double u1 = gsl_rng_uniform_pos(noise), u2 = gsl_rng_uniform(noise);
        double g = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
        y[2 * i] = sinf(x[2 * i]);
        y[2 * i + 1] = (float)(x[2 * i + 1] * x[2 * i + 1] + 1.5 * g);
    }
    gsl_rng_free(noise);
    test_split t;
    split_init(&t, x, y, FN_ROWS, 2);
    t.s.t = 2;
    const pf_output_weighting wts[2] = {PF_WEIGHTING_UNCERTAINTY, PF_WEIGHTING_RESTRAINED};
    for (int w = 0; w < 2; w++) {
        pf_mlp *m = small_net_k(PF_ACT_TANH, 2, 43);
        pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 32, 150, 0);
        o.weighting = wts[w];
        double s[2] = {0.0, 0.0};
        o.log_var = s;
        gsl_rng *r = rng_new(44);
        pf_error err = {0};
        pf_train_report rep;
        int rc = pf_train(m, &o, &t.s, NULL, r, &rep, &err);
        if (rc != PF_OK) print_error("%s\n", err.msg);
        assert_int_equal(rc, PF_OK);
        assert_true(s[1] > s[0] + 0.5);
        pf_mlp_work *wk = pf_mlp_work_alloc(m, FN_ROWS, &err);
        pf_mlp_forward(m, wk, x, FN_ROWS, yhat);
        pf_loss_spec spec = pf_train_loss(&o, m);
        float scratch[2 * FN_ROWS];
        assert_near(rep.final_train_loss, pf_loss_eval(&spec, yhat, y, FN_ROWS, NULL, scratch),
                    1e-12);
        if (wts[w] == PF_WEIGHTING_UNCERTAINTY) {
            assert_true(s[0] < -0.5 && s[1] > 0.3);
            double se[2] = {0, 0}; /* e^s_2 reached mse_2: within a factor of e */
            for (size_t i = 0; i < FN_ROWS; i++)
                for (int j = 0; j < 2; j++)
                    se[j] += (yhat[2 * i + j] - y[2 * i + j]) * (yhat[2 * i + j] - y[2 * i + j]);
            assert_true(fabs(s[1] - log(se[1] / FN_ROWS)) < 1.0);
        }
        pf_mlp_work_free(wk);
        gsl_rng_free(r);
        pf_mlp_free(m);
    }
}

/* A tie that shares nothing changes nothing, to the bit: every parameter alone in its group (its
 * sum is its own gradient, exact through double) and every parameter untied (-1) train exactly
 * as tie NULL does, with Adam, SGD, weight decay, a mask and early stopping.
 * pf_train_opts_from_config ties nothing, and a group number below -1 is refused. */
static void test_tie_sharing_nothing(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y[FN_ROWS], xv[2 * 64], yv[64];
    make_function_data(x, y, FN_ROWS, 13);
    make_function_data(xv, yv, 64, 14);
    test_split t, v;
    split_init(&t, x, y, FN_ROWS, 2);
    split_init(&v, xv, yv, 64, 2);
    pf_mlp *base = small_net(PF_ACT_TANH, 15);
    for (size_t j = 0; j < base->n_params; j += 5) base->mask[j] = 0.0f;
    int *alone = malloc(base->n_params * sizeof *alone),
        *none = malloc(base->n_params * sizeof *none);
    for (size_t j = 0; j < base->n_params; j++) alone[j] = (int)j, none[j] = -1;
    const int *ties[3] = {NULL, alone, none};
    pf_optimizer optim[2] = {PF_OPT_ADAM, PF_OPT_SGD};
    for (int k = 0; k < 2; k++) {
        pf_mlp *m[3];
        pf_train_report rep[3];
        for (int i = 0; i < 3; i++) {
            m[i] = pf_mlp_clone(base, &(pf_error){0});
            pf_train_opts o = opts(optim[k], 0.01, 16, 12, 3);
            o.weight_decay = 1e-3;
            o.tie = ties[i];
            gsl_rng *r = rng_new(16);
            assert_int_equal(pf_train(m[i], &o, &t.s, &v.s, r, &rep[i], &(pf_error){0}), PF_OK);
            gsl_rng_free(r);
        }
        for (int i = 1; i < 3; i++) {
            assert_memory_equal(m[0]->params, m[i]->params, base->n_params * sizeof(float));
            assert_memory_equal(&rep[0], &rep[i], sizeof rep[0]);
        }
        for (int i = 0; i < 3; i++) pf_mlp_free(m[i]);
    }
    pf_config cfg;
    memset(&cfg, 0, sizeof cfg);
    pf_train_opts o;
    pf_train_opts_from_config(&o, &cfg);
    assert_null(o.tie);
    none[3] = -2;
    o = opts(PF_OPT_ADAM, 0.01, 16, 1, 0);
    o.tie = none;
    pf_error err = {0};
    assert_int_equal(pf_train(base, &o, &t.s, NULL, NULL, NULL, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "parameter 3 is tied to group -2"));
    free(alone);
    free(none);
    pf_mlp_free(base);
}

/* Early stopping keeps the epoch whose network and log-variances gave the lowest validation
 * objective, and restores both: the objective of the returned model at the returned
 * log-variances is the reported best, to the bit. Equal weighting trains as it always did,
 * whatever log_var points at, and leaves it alone. */
static void test_log_var_early_stopping_and_equal(void **state)
{
    (void)state;
    static float x[2 * FN_ROWS], y[2 * FN_ROWS], xv[2 * 64], yv[2 * 64], z[2 * 64];
    static float y1[FN_ROWS], yv1[64];
    make_function_data(x, y1, FN_ROWS, 51);
    make_function_data(xv, yv1, 64, 52);
    for (size_t i = 0; i < FN_ROWS; i++) y[2 * i] = y1[i], y[2 * i + 1] = sinf(x[2 * i + 1]);
    for (size_t i = 0; i < 64; i++) yv[2 * i] = yv1[i], yv[2 * i + 1] = sinf(xv[2 * i + 1]);
    test_split t, v;
    split_init(&t, x, y, FN_ROWS, 2);
    split_init(&v, xv, yv, 64, 2);
    t.s.t = v.s.t = 2;
    pf_error err = {0};
    pf_mlp *m = small_net_k(PF_ACT_RELU, 2, 53);
    pf_train_opts o = opts(PF_OPT_SGD, 0.05, 16, 60, 3);
    o.weighting = PF_WEIGHTING_RESTRAINED;
    double s[2] = {0.0, 0.0};
    o.log_var = s;
    gsl_rng *r = rng_new(54);
    pf_train_report rep;
    assert_int_equal(pf_train(m, &o, &t.s, &v.s, r, &rep, &err), PF_OK);
    assert_true(rep.best_epoch >= 1 && rep.best_epoch < rep.epochs_run);
    assert_true(s[0] != 0.0 && s[1] != 0.0);
    pf_mlp_work *wk = pf_mlp_work_alloc(m, 64, &err);
    pf_mlp_forward(m, wk, xv, 64, z);
    pf_loss_spec spec = pf_train_loss(&o, m);
    float scratch[2 * 64];
    double best = pf_loss_eval(&spec, z, yv, 64, NULL, scratch);
    assert_memory_equal(&best, &rep.best_val_loss, sizeof best);
    pf_mlp_work_free(wk);
    pf_mlp_free(m);
    gsl_rng_free(r);

    /* equal: the same bits as options that never heard of weighting */
    pf_mlp *a = small_net_k(PF_ACT_RELU, 2, 55), *b = small_net_k(PF_ACT_RELU, 2, 55);
    pf_train_opts oa = opts(PF_OPT_ADAM, 0.01, 32, 5, 2), ob = oa;
    double junk[2] = {4.0, -4.0};
    ob.weighting = PF_WEIGHTING_EQUAL;
    ob.log_var = junk;
    pf_train_report ra, rb;
    gsl_rng *r1 = rng_new(56), *r2 = rng_new(56);
    assert_int_equal(pf_train(a, &oa, &t.s, &v.s, r1, &ra, &err), PF_OK);
    assert_int_equal(pf_train(b, &ob, &t.s, &v.s, r2, &rb, &err), PF_OK);
    assert_memory_equal(a->params, b->params, a->n_params * sizeof(float));
    assert_memory_equal(&ra, &rb, sizeof ra);
    assert_true(junk[0] == 4.0 && junk[1] == -4.0);
    gsl_rng_free(r1), gsl_rng_free(r2);
    pf_mlp_free(a), pf_mlp_free(b);
}

/* ---- refusals ------------------------------------------------------------------------- */

static void test_bad_inputs(void **state)
{
    (void)state;
    float x[4] = {1, 2, 3, 4}, y[2] = {0, 1};
    test_split t;
    split_init(&t, x, y, 2, 2);
    pf_mlp *m = linear(1.0f, 0.0f); /* 1 input, data has 2 */
    gsl_rng *r = rng_new(1);
    pf_error err = {0};
    pf_train_report rep;
    pf_train_opts o = opts(PF_OPT_ADAM, 0.01, 1, 1, 0);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "features"));
    assert_int_equal(rep.epochs_run, 0);

    split_init(&t, x, y, 2, 1);
    o.batch_size = 0;
    pf_error_clear(&err);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, NULL, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "train.batch_size"));

    o = opts(PF_OPT_ADAM, 0.0, 1, 1, 0);
    pf_error_clear(&err);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, NULL, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "train.learning_rate"));

    /* SGD with lr 10 on x up to 2 multiplies the error by ~80 per step: it must be caught */
    o = opts(PF_OPT_SGD, 10.0, 1, 50, 0);
    pf_error_clear(&err);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_EDIVERGED);
    assert_non_null(strstr(err.msg, "diverged"));
    assert_true(rep.epochs_run < 50);
    pf_mlp_free(m);

    /* targets that do not fit the loss: one target column for a 3-output mse model, a label
     * that is no class of a 3-class model, and a 1-output xent model */
    int hidden[1] = {2};
    m = pf_mlp_alloc(1, hidden, 1, 3, PF_ACT_RELU, &err);
    float lab[2] = {0, 3};
    split_init(&t, x, lab, 2, 1);
    o = opts(PF_OPT_ADAM, 0.01, 1, 1, 0);
    pf_error_clear(&err);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "the training split has 1"));
    o.loss = PF_LOSS_XENT;
    pf_error_clear(&err);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "row 1 has label 3"));
    test_split v;
    lab[1] = 2;
    float vlab[1] = {7};
    split_init(&v, x, vlab, 1, 1);
    pf_error_clear(&err);
    assert_int_equal(pf_train(m, &o, &t.s, &v.s, r, &rep, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "the validation split: row 0 has label 7"));
    pf_mlp_free(m);
    m = linear(1.0f, 0.0f);
    pf_error_clear(&err);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "at least 2"));
    pf_mlp_free(m);

    /* a weighting of outputs needs several outputs of a regression loss */
    o = opts(PF_OPT_ADAM, 0.01, 1, 1, 0);
    o.weighting = PF_WEIGHTING_UNCERTAINTY;
    m = linear(1.0f, 0.0f);
    split_init(&t, x, y, 2, 1);
    pf_error_clear(&err);
    assert_int_equal(pf_train(m, &o, &t.s, NULL, r, &rep, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "train.output_weighting = uncertainty"));
    gsl_rng_free(r);
    pf_mlp_free(m);
}

static void test_opts_from_config(void **state)
{
    (void)state;
    pf_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.optimizer = PF_OPT_SGD;
    cfg.learning_rate = 0.003;
    cfg.momentum = 0.8;
    cfg.weight_decay = 1e-4;
    cfg.batch_size = 48;
    cfg.max_epochs = 30;
    cfg.patience = 5;
    cfg.loss = PF_LOSS_CCC;
    pf_train_opts o;
    pf_train_opts_from_config(&o, &cfg);
    assert_int_equal(o.optimizer, PF_OPT_SGD);
    assert_true(o.learning_rate == 0.003 && o.momentum == 0.8 && o.weight_decay == 1e-4);
    assert_int_equal(o.batch_size, 48);
    assert_int_equal(o.max_epochs, 30);
    assert_int_equal(o.patience, 5);
    assert_int_equal(o.loss, PF_LOSS_CCC);
    assert_null(o.class_weights); /* they come from a fold's training split */
    assert_int_equal(o.weighting, PF_WEIGHTING_EQUAL);
    assert_null(o.log_var); /* a task's */
    cfg.loss = PF_LOSS_AUTO;
    cfg.task = PF_TASK_CLASSIFICATION;
    pf_train_opts_from_config(&o, &cfg);
    assert_int_equal(o.loss, PF_LOSS_XENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adam_one_step),
        cmocka_unit_test(test_sgd_momentum_two_steps),
        cmocka_unit_test(test_weight_decay_on_weights_only),
        cmocka_unit_test(test_early_stopping_restores_best),
        cmocka_unit_test(test_learns_a_function),
        cmocka_unit_test(test_learns_with_ccc),
        cmocka_unit_test(test_learns_two_outputs),
        cmocka_unit_test(test_learns_three_classes),
        cmocka_unit_test(test_class_weights_change_training),
        cmocka_unit_test(test_pruned_params_stay_zero),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_parallel_matches_serial),
        cmocka_unit_test(test_tie_by_hand),
        cmocka_unit_test(test_tie_sharing_nothing),
        cmocka_unit_test(test_log_var_one_adam_step),
        cmocka_unit_test(test_log_var_learns_which_output_is_noisy),
        cmocka_unit_test(test_log_var_early_stopping_and_equal),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_opts_from_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
