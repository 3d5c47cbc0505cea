/* test_loss.c: the training losses as a specification -- values worked out by hand (mse,
 * ccc, softmax cross-entropy with and without PyTorch-style class weights), gradients of
 * every loss with several outputs against central finite differences of an independent
 * double-precision reference, the one-output mse and ccc bit for bit equal to the formulas
 * the single-output code used, the ccc equal to the metric's pf_moments_ccc, numerical stability of
 * the cross-entropy, balanced class weights by hand, and refusal of targets that do not fit.
 * The weightings of several outputs (uncertainty, restrained): values by hand, gradients in the
 * predictions and in the log-variances against finite differences, equal weighting the bits of
 * the plain loss, and what a weighting refuses. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "eval/metric.h"
#include "model/loss.h"

#include "base/moments.h"
#include "testutil.h"

static pf_loss_spec spec(pf_loss kind, size_t n_out, const double *w)
{
    pf_loss_spec s = {.kind = kind, .n_out = n_out, .class_weights = w};
    return s;
}

/* pf_loss_eval with the scratch it asks for. */
static double eval(pf_loss kind, size_t n_out, const double *w, const float *yhat, const float *y,
                   size_t n, float *dy)
{
    pf_loss_spec s = spec(kind, n_out, w);
    float *scratch = calloc(pf_loss_scratch_size(n) + 1, sizeof *scratch);
    double L = pf_loss_eval(&s, yhat, y, n, dy, scratch);
    free(scratch);
    return L;
}

/* ---- the single-output formulas as they were, for bit identity -------------------------- */

static double old_mse(const float *yhat, const float *y, size_t n, float *dy)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = (double)yhat[i] - (double)y[i];
        s += e * e;
        if (dy != NULL) dy[i] = (float)(2.0 * e / (double)n);
    }
    return s / (double)n;
}

static double old_ccc(const float *yhat, const float *y, size_t n, float *dy)
{
    double mx = 0.0, my = 0.0;
    for (size_t i = 0; i < n; i++) {
        mx += yhat[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double vx = 0.0, vy = 0.0, cov = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a = yhat[i] - mx, b = y[i] - my;
        vx += a * a;
        vy += b * b;
        cov += a * b;
    }
    vx /= (double)n;
    vy /= (double)n;
    cov /= (double)n;
    double D = vx + vy + (mx - my) * (mx - my);
    if (!(D > 0.0)) {
        if (dy != NULL) memset(dy, 0, n * sizeof *dy);
        return 1.0;
    }
    if (dy != NULL) {
        double c = 2.0 / ((double)n * D), r = 2.0 * cov / D;
        for (size_t i = 0; i < n; i++)
            dy[i] = (float)(c * (r * ((double)yhat[i] - my) - ((double)y[i] - my)));
    }
    return 1.0 - 2.0 * cov / D;
}

#define BIT_ROWS 97

/* Random rows of several scales (so sums round), plus the special cases: a constant
 * prediction, perfect agreement, everything equal. Value and gradient compared as bits. */
static void test_one_output_bit_identical(void **state)
{
    (void)state;
    gsl_rng *r = rng_new(2024);
    float yhat[BIT_ROWS], y[BIT_ROWS], dy_new[BIT_ROWS], dy_old[BIT_ROWS];
    for (int trial = 0; trial < 40; trial++) {
        double scale = pow(10.0, (double)(trial % 7) - 3.0);
        size_t n = 1 + (size_t)gsl_rng_uniform_int(r, BIT_ROWS);
        for (size_t i = 0; i < n; i++) {
            y[i] = (float)(scale * (gsl_rng_uniform(r) - 0.3));
            yhat[i] = (float)(0.7 * y[i] + scale * 0.5 * (gsl_rng_uniform(r) - 0.5));
        }
        if (trial == 1)
            for (size_t i = 0; i < n; i++) yhat[i] = 0.25f; /* constant prediction */
        if (trial == 2) memcpy(yhat, y, n * sizeof *y);     /* perfect agreement */
        if (trial == 3)
            for (size_t i = 0; i < n; i++) yhat[i] = y[i] = 1.5f; /* D = 0 */
        double a = eval(PF_LOSS_MSE, 1, NULL, yhat, y, n, dy_new), b = old_mse(yhat, y, n, dy_old);
        assert_memory_equal(&a, &b, sizeof a);
        assert_memory_equal(dy_new, dy_old, n * sizeof *dy_new);
        a = eval(PF_LOSS_CCC, 1, NULL, yhat, y, n, dy_new);
        b = old_ccc(yhat, y, n, dy_old);
        assert_memory_equal(&a, &b, sizeof a);
        assert_memory_equal(dy_new, dy_old, n * sizeof *dy_new);
        /* and the ccc loss is 1 - the metric, the one CCC of the program */
        double m = 1.0 - pf_moments_ccc(yhat, y, n);
        assert_memory_equal(&a, &m, sizeof a);
    }
    gsl_rng_free(r);
}

/* ---- values by hand ------------------------------------------------------------------- */

static void test_mse_hand(void **state)
{
    (void)state;
    const float yhat[3] = {1, 2, 3}, y[3] = {1, 1, 1};
    float dy[3];
    assert_near(eval(PF_LOSS_MSE, 1, NULL, yhat, y, 3, dy), 5.0 / 3.0, 1e-12);
    assert_float_equal(dy[0], 0.0f, 0.0f);
    assert_float_equal(dy[1], 2.0f / 3.0f, 1e-7f);
    assert_float_equal(dy[2], 4.0f / 3.0f, 1e-7f);
    assert_near(eval(PF_LOSS_MSE, 1, NULL, yhat, y, 3, NULL), 5.0 / 3.0, 1e-12);
    assert_near(eval(PF_LOSS_MSE, 1, NULL, yhat, y, 0, NULL), 0.0, 0.0);

    /* two rows, three outputs: errors [1, 0, -2 | 0, 3, 1], squares sum 15, mean 15/6;
     * dL/dyhat = 2 e / 6 */
    const float yh3[6] = {1, 0, 0, 2, 3, 1}, y3[6] = {0, 0, 2, 2, 0, 0};
    float d3[6];
    assert_near(eval(PF_LOSS_MSE, 3, NULL, yh3, y3, 2, d3), 15.0 / 6.0, 1e-12);
    const float want[6] = {2.0f / 6, 0, -4.0f / 6, 0, 1.0f, 2.0f / 6};
    for (int i = 0; i < 6; i++) assert_float_equal(d3[i], want[i], 1e-7f);
}

static void test_ccc_hand(void **state)
{
    (void)state;
    /* yhat [1,2,3], y [2,4,6]: mx 2, my 4, vx 2/3, vy 8/3, cov 4/3, D = 22/3, CCC = 4/11.
     * dL/dx_i = 2/(nD) (2cov/D (x_i - my) - (y_i - my)) = 1/11 (4/11 (x_i - 4) - (y_i - 4)) */
    const float yhat[3] = {1, 2, 3}, y[3] = {2, 4, 6};
    float dy[3];
    assert_near(eval(PF_LOSS_CCC, 1, NULL, yhat, y, 3, dy), 7.0 / 11.0, 1e-12);
    assert_float_equal(dy[0], 10.0 / 121.0, 1e-7);
    assert_float_equal(dy[1], -8.0 / 121.0, 1e-7);
    assert_float_equal(dy[2], -26.0 / 121.0, 1e-7);

    /* perfect agreement: CCC 1, loss 0, zero gradient */
    assert_near(eval(PF_LOSS_CCC, 1, NULL, y, y, 3, dy), 0.0, 1e-12);
    for (int i = 0; i < 3; i++) assert_float_equal(dy[i], 0.0f, 1e-7f);

    /* a constant prediction: loss 1, gradient towards y's shape: dL/dx_i = -(y_i - 2) */
    const float c[3] = {2, 2, 2}, z[3] = {1, 2, 3};
    assert_near(eval(PF_LOSS_CCC, 1, NULL, c, z, 3, dy), 1.0, 1e-12);
    assert_float_equal(dy[0], 1.0f, 1e-6f);
    assert_float_equal(dy[1], 0.0f, 1e-6f);
    assert_float_equal(dy[2], -1.0f, 1e-6f);

    /* everything equal: denominator 0, CCC defined 0, loss 1, no gradient */
    assert_near(eval(PF_LOSS_CCC, 1, NULL, c, c, 3, dy), 1.0, 0.0);
    for (int i = 0; i < 3; i++) assert_true(dy[i] == 0.0f);

    /* Two outputs interleaved: output 0 is the first case (CCC 4/11), output 1 is perfect
     * (CCC 1): loss 1 - (4/11 + 1)/2 = 7/22; output 0's gradient is halved, output 1's is 0. */
    const float yh2[6] = {1, 5, 2, 6, 3, 7}, y2[6] = {2, 5, 4, 6, 6, 7};
    float d2[6];
    assert_near(eval(PF_LOSS_CCC, 2, NULL, yh2, y2, 3, d2), 7.0 / 22.0, 1e-12);
    assert_float_equal(d2[0], 5.0 / 121.0, 1e-7);
    assert_float_equal(d2[2], -4.0 / 121.0, 1e-7);
    assert_float_equal(d2[4], -13.0 / 121.0, 1e-7);
    for (int i = 1; i < 6; i += 2) assert_float_equal(d2[i], 0.0f, 1e-7f);
}

/* With several outputs the ccc loss is 1 - the mean of pf_moments_ccc over the columns, exactly. */
static void test_ccc_several_is_the_metric(void **state)
{
    (void)state;
    enum { N = 23, K = 3 };
    gsl_rng *r = rng_new(5);
    float yhat[N * K], y[N * K], col_a[N], col_b[N];
    for (size_t i = 0; i < N * K; i++) {
        y[i] = (float)gsl_rng_uniform(r);
        yhat[i] = (float)(0.5 * y[i] + 0.5 * gsl_rng_uniform(r));
    }
    double sum = 0.0;
    for (size_t k = 0; k < K; k++) {
        for (size_t i = 0; i < N; i++) col_a[i] = yhat[i * K + k], col_b[i] = y[i * K + k];
        sum += pf_moments_ccc(col_a, col_b, N);
    }
    double want = 1.0 - sum / K, got = eval(PF_LOSS_CCC, K, NULL, yhat, y, N, NULL);
    assert_memory_equal(&got, &want, sizeof got);
    gsl_rng_free(r);
}

/* logits [2, 1, 0], label 0: -log(e^2 / (e^2 + e + 1)) = 0.40760596444438...; the gradient
 * is softmax - onehot = [0.66524 - 1, 0.24473, 0.09003]. */
static void test_xent_hand(void **state)
{
    (void)state;
    const float z[3] = {2, 1, 0}, label[1] = {0};
    float dy[3];
    assert_near(eval(PF_LOSS_XENT, 3, NULL, z, label, 1, dy), 0.4076059644443803, 1e-15);
    assert_float_equal(dy[0], 0.6652409557748219 - 1.0, 1e-7);
    assert_float_equal(dy[1], 0.24472847105479764, 1e-7);
    assert_float_equal(dy[2], 0.090030573170380462, 1e-7);

    /* Three rows, mean over rows: [2,1,0] label 0 (0.40761), [0,1,0] label 1
     * (log(e + 2) - 1 = 0.55144), [1,0,3] label 2 (-log(e^3 / (e + 1 + e^3)) = 0.16985). */
    const float z3[9] = {2, 1, 0, 0, 1, 0, 1, 0, 3}, l3[3] = {0, 1, 2};
    const double l[3] = {0.4076059644443803, 0.55144471393205086, 0.16984601955628567};
    float d3[9];
    assert_near(eval(PF_LOSS_XENT, 3, NULL, z3, l3, 3, d3), (l[0] + l[1] + l[2]) / 3, 1e-15);
    assert_float_equal(d3[0], (0.6652409557748219 - 1.0) / 3, 1e-7);

    /* PyTorch CrossEntropyLoss(weight=w), reduction 'mean': sum_i w_{y_i} l_i / sum_i w_{y_i}.
     * w = [0.5, 2, 1]: (0.5 l0 + 2 l1 + 1 l2) / 3.5 = 0.42186812275502211; row 0's gradient
     * is scaled by 0.5 / 3.5, row 1's by 2 / 3.5. */
    const double w[3] = {0.5, 2.0, 1.0};
    assert_near(eval(PF_LOSS_XENT, 3, w, z3, l3, 3, d3), 0.42186812275502211, 1e-15);
    assert_near((0.5 * l[0] + 2 * l[1] + l[2]) / 3.5, 0.42186812275502211, 1e-15);
    assert_float_equal(d3[0], 0.5 / 3.5 * (0.6652409557748219 - 1.0), 1e-7);
    assert_float_equal(d3[1], 0.5 / 3.5 * 0.24472847105479764, 1e-7);
    double p11 = exp(1.0) / (exp(1.0) + 2.0); /* row 1, its own class */
    assert_float_equal(d3[4], 2.0 / 3.5 * (p11 - 1.0), 1e-7);
    /* every row's gradient sums to 0 over the classes (softmax minus a one-hot) */
    for (int i = 0; i < 3; i++)
        assert_float_equal(d3[3 * i] + d3[3 * i + 1] + d3[3 * i + 2], 0, 1e-7);
}

/* Logits far beyond exp's range: log-sum-exp keeps everything finite and exact. */
static void test_xent_stable(void **state)
{
    (void)state;
    const float z[6] = {1000, 0, -1000, -1000, 0, 1000};
    const float label[2] = {0, 0};
    float dy[6];
    /* row 0: its own class dominates, loss ~ e^-1000 = 0; row 1: loss 2000 */
    double L = eval(PF_LOSS_XENT, 3, NULL, z, label, 2, dy);
    assert_true(isfinite(L));
    assert_near(L, 1000.0, 1e-9);
    for (int i = 0; i < 6; i++) assert_true(isfinite(dy[i]));
    assert_float_equal(dy[0], 0.0f, 1e-7f);
    assert_float_equal(dy[3], -0.5f, 1e-7f); /* (0 - 1) / 2 */
    assert_float_equal(dy[5], 0.5f, 1e-7f);
}

/* Rows of a class with weight 0 count for nothing; if no row carries weight, the loss is 0
 * with a zero gradient (PyTorch would give 0/0 = NaN). A bad label makes the loss NaN. */
static void test_xent_zero_weights_and_bad_labels(void **state)
{
    (void)state;
    const float z[6] = {2, 1, 0, 0, 1, 0}, label[2] = {0, 1};
    const double w[3] = {0.0, 1.0, 1.0}, none[3] = {0.0, 0.0, 1.0};
    float dy[6];
    double only_row1 = eval(PF_LOSS_XENT, 3, NULL, z + 3, label + 1, 1, NULL);
    assert_near(eval(PF_LOSS_XENT, 3, w, z, label, 2, dy), only_row1, 1e-15);
    for (int k = 0; k < 3; k++) assert_true(dy[k] == 0.0f);
    double L = eval(PF_LOSS_XENT, 3, none, z, label, 2, dy);
    assert_true(L == 0.0);
    for (int k = 0; k < 6; k++) assert_true(dy[k] == 0.0f);

    const float bad[2] = {0, 3}, frac[2] = {0, 0.5f};
    assert_true(isnan(eval(PF_LOSS_XENT, 3, NULL, z, bad, 2, dy)));
    for (int k = 0; k < 6; k++) assert_true(dy[k] == 0.0f);
    assert_true(isnan(eval(PF_LOSS_XENT, 3, NULL, z, frac, 2, NULL)));
}

/* ---- gradients against finite differences of the reference ----------------------------- */

#define FD_N 7

/* dy of pf_loss_eval against central differences of testutil's double reference, on random
 * predictions; also the value against the reference. */
static void fd_check(pf_loss kind, size_t K, const double *w, unsigned long seed)
{
    gsl_rng *r = rng_new(seed);
    float yhat[FD_N * 4], y[FD_N * 4], dy[FD_N * 4];
    double yh[FD_N * 4];
    size_t t = kind == PF_LOSS_XENT ? 1 : K;
    for (size_t i = 0; i < FD_N * K; i++) yhat[i] = (float)(3.0 * gsl_rng_uniform(r) - 1.5);
    for (size_t i = 0; i < FD_N * t; i++)
        y[i] = kind == PF_LOSS_XENT ? (float)(i % K) : (float)(2.0 * gsl_rng_uniform(r) - 1.0);
    for (size_t i = 0; i < FD_N * K; i++) yh[i] = yhat[i];
    double L = eval(kind, K, w, yhat, y, FD_N, dy);
    assert_near(L, ref_loss_of(yh, y, FD_N, K, kind, w), 1e-12 * fabs(L) + 1e-14);
    const double h = 1e-6;
    for (size_t j = 0; j < FD_N * K; j++) {
        double keep = yh[j];
        yh[j] = keep + h;
        double lp = ref_loss_of(yh, y, FD_N, K, kind, w);
        yh[j] = keep - h;
        double lm = ref_loss_of(yh, y, FD_N, K, kind, w);
        yh[j] = keep;
        double fd = (lp - lm) / (2 * h);
        assert_near(dy[j], fd, 1e-6 * fabs(fd) + 1e-7); /* dy is a float */
    }
    gsl_rng_free(r);
}

static void test_gradients_finite_differences(void **state)
{
    (void)state;
    const double w[3] = {0.3, 2.5, 1.0};
    fd_check(PF_LOSS_MSE, 1, NULL, 1);
    fd_check(PF_LOSS_CCC, 1, NULL, 2);
    fd_check(PF_LOSS_MSE, 3, NULL, 3);
    fd_check(PF_LOSS_CCC, 3, NULL, 4);
    fd_check(PF_LOSS_XENT, 3, NULL, 5);
    fd_check(PF_LOSS_XENT, 3, w, 6);
    fd_check(PF_LOSS_XENT, 2, NULL, 7);
}

/* ---- class weights -------------------------------------------------------------------- */

/* Labels [2, 0, 0, 1, 2, 0], C = 4 (class 3 absent): n = 6, counts 3, 1, 2, 0, so
 * balanced = 6 / (4 * count) = 0.5, 1.5, 0.75, and 0 for the absent class. */
static void test_class_weights_hand(void **state)
{
    (void)state;
    float y[6] = {2, 0, 0, 1, 2, 0};
    pf_split s = {0};
    s.n = 6;
    s.t = 1;
    s.y = y;
    double w[4];
    pf_loss_class_weights(&s, 4, PF_CLASS_WEIGHTS_BALANCED, w);
    assert_near(w[0], 0.5, 0.0);
    assert_near(w[1], 1.5, 0.0);
    assert_near(w[2], 0.75, 0.0);
    assert_near(w[3], 0.0, 0.0);
    pf_loss_class_weights(&s, 4, PF_CLASS_WEIGHTS_NONE, w);
    for (int c = 0; c < 4; c++) assert_near(w[c], 1.0, 0.0);

    /* The absent class's weight is usable: a loss over rows including class 3 stays finite. */
    pf_loss_class_weights(&s, 4, PF_CLASS_WEIGHTS_BALANCED, w);
    const float z[8] = {0, 1, 2, 3, 3, 2, 1, 0}, lab[2] = {3, 1};
    float dy[8];
    double L = eval(PF_LOSS_XENT, 4, w, z, lab, 2, dy);
    assert_true(isfinite(L));
    for (int k = 0; k < 8; k++) assert_true(isfinite(dy[k]));
    for (int k = 0; k < 4; k++) assert_true(dy[k] == 0.0f); /* the class-3 row: weight 0 */
}

/* ---- weighting several outputs ----------------------------------------------------------- */

/* pf_loss_eval_all with a weighting and log-variances, and the scratch it asks for. */
static double eval_w(pf_loss kind, size_t K, pf_output_weighting wt, const double *log_var,
                     const float *yhat, const float *y, size_t n, float *dy, double *ds)
{
    pf_loss_spec s = {.kind = kind, .n_out = K, .weighting = wt, .log_var = log_var};
    float *scratch = calloc(pf_loss_scratch_size(n) + 1, sizeof *scratch);
    double L = pf_loss_eval_all(&s, yhat, y, n, dy, ds, scratch);
    free(scratch);
    return L;
}

/* Two outputs, two rows, mse: yhat [[1, 0], [3, 2]], y [[0, 0], [1, 0]]. Errors: output 0
 * 1 and 2, mse_0 = (1 + 4) / 2 = 2.5; output 1 0 and 2, mse_1 = (0 + 4) / 2 = 2. With
 * s = (ln 2, 0), e^-s = (1/2, 1).
 *   uncertainty: weights c e^-s = (1/4, 1/2); L = 2.5/4 + 2/2 + (ln 2 + 0)/2
 *     = 0.625 + 1 + 0.34657359027997264 = 1.9715735902799727;
 *     dL/dyhat_ik = g_k 2 e_ik / n = g_k e_ik: row 0 (0.25, 0), row 1 (0.5, 1);
 *     dL/ds_k = -g_k mse_k + 1/2: (-0.625 + 0.5, -1 + 0.5) = (-0.125, -0.5).
 *   restrained: weights e^-s = (1/2, 1); h = s/2 = (0.34657359027997264, 0);
 *     L = 2.5/2 + 2 + ln(1 + h_0^2) + ln(1 + 0) + |1 - (h_0 + 0)|
 *       = 1.25 + 2 + 0.11343003015880164 + 0.65342640972002736 = 4.016856209093001;
 *     dy: row 0 (0.5, 0), row 1 (1, 2);
 *     dL/ds_0 = -1.25 + h_0 / (1 + h_0^2) - 1/2 sign(1 - 0.3466) sign(h_0)
 *             = -1.25 + 0.3094094183810137 - 0.5 = -1.4405905816189863;
 *     dL/ds_1 = -2 + 0 - 0 = -2 (sign(0) = 0: at s_k = 0 the restraint does not pull s_k). */
static void test_weighting_mse_hand(void **state)
{
    (void)state;
    const float yhat[4] = {1, 0, 3, 2}, y[4] = {0, 0, 1, 0};
    const double s[2] = {log(2.0), 0.0};
    float dy[4];
    double ds[2];
    double L = eval_w(PF_LOSS_MSE, 2, PF_WEIGHTING_UNCERTAINTY, s, yhat, y, 2, dy, ds);
    assert_near(L, 1.9715735902799727, 1e-15);
    const float want_u[4] = {0.25f, 0.0f, 0.5f, 1.0f};
    for (int i = 0; i < 4; i++) assert_float_equal(dy[i], want_u[i], 1e-7f);
    assert_near(ds[0], -0.125, 1e-15);
    assert_near(ds[1], -0.5, 1e-15);

    L = eval_w(PF_LOSS_MSE, 2, PF_WEIGHTING_RESTRAINED, s, yhat, y, 2, dy, ds);
    assert_near(L, 4.016856209093001, 1e-14);
    const float want_r[4] = {0.5f, 0.0f, 1.0f, 2.0f};
    for (int i = 0; i < 4; i++) assert_float_equal(dy[i], want_r[i], 1e-7f);
    assert_near(ds[0], -1.4405905816189863, 1e-14);
    assert_near(ds[1], -2.0, 1e-15);

    /* Once the restrained sum |h_0| + |h_1| passes 1 the restraint pulls the other way:
     * s = (3, -1), h = (1.5, -0.5), gap 1 - 2 < 0: dL/ds_1 gets -1/2 (-1)(-1) = -1/2. */
    const double far[2] = {3.0, -1.0};
    eval_w(PF_LOSS_MSE, 2, PF_WEIGHTING_RESTRAINED, far, yhat, y, 2, NULL, ds);
    assert_near(ds[0], -exp(-3.0) * 2.5 + 1.5 / (1 + 2.25) + 0.5, 1e-14);
    assert_near(ds[1], -exp(1.0) * 2.0 + -0.5 / (1 + 0.25) - 0.5, 1e-14);
}

/* Two outputs interleaved, ccc (test_ccc_hand's case): output 0 has CCC 4/11, so ccc_0 = 7/11;
 * output 1 is perfect, ccc_1 = 0. s = (0, ln 2), uncertainty: weights (1/2, 1/4);
 * L = 7/22 + 0 + ln 2 / 2 = 0.6647554084617908; output 0's gradient is half its one-output
 * gradient (10, -8, -26)/121, output 1's is 0; dL/ds = (-7/22 + 1/2, 0 + 1/2). */
static void test_weighting_ccc_hand(void **state)
{
    (void)state;
    const float yhat[6] = {1, 5, 2, 6, 3, 7}, y[6] = {2, 5, 4, 6, 6, 7};
    const double s[2] = {0.0, log(2.0)};
    float dy[6];
    double ds[2];
    double L = eval_w(PF_LOSS_CCC, 2, PF_WEIGHTING_UNCERTAINTY, s, yhat, y, 3, dy, ds);
    assert_near(L, 0.6647554084617908, 1e-15);
    assert_float_equal(dy[0], 5.0 / 121.0, 1e-7);
    assert_float_equal(dy[2], -4.0 / 121.0, 1e-7);
    assert_float_equal(dy[4], -13.0 / 121.0, 1e-7);
    for (int i = 1; i < 6; i += 2) assert_float_equal(dy[i], 0.0f, 1e-7f);
    assert_near(ds[0], -7.0 / 22.0 + 0.5, 1e-15);
    assert_near(ds[1], 0.5, 1e-15);
}

/* Equal weighting is the loss as it always was: whatever log_var holds, value and dy are the
 * bits of the spec that never heard of weighting, and dL/ds is 0. */
static void test_weighting_equal_is_the_mean(void **state)
{
    (void)state;
    enum { N = 31, K = 3 };
    gsl_rng *r = rng_new(77);
    float yhat[N * K], y[N * K], dy_a[N * K], dy_b[N * K];
    for (size_t i = 0; i < N * K; i++) {
        y[i] = (float)(gsl_rng_uniform(r) - 0.4);
        yhat[i] = (float)(0.6 * y[i] + 0.3 * gsl_rng_uniform(r));
    }
    const double junk[K] = {3.5, NAN, -1e300};
    const pf_loss kinds[2] = {PF_LOSS_MSE, PF_LOSS_CCC};
    for (int k = 0; k < 2; k++) {
        double ds[K] = {7, 7, 7};
        double a = eval(kinds[k], K, NULL, yhat, y, N, dy_a);
        double b = eval_w(kinds[k], K, PF_WEIGHTING_EQUAL, junk, yhat, y, N, dy_b, ds);
        assert_memory_equal(&a, &b, sizeof a);
        assert_memory_equal(dy_a, dy_b, sizeof dy_a);
        for (int j = 0; j < K; j++) assert_true(ds[j] == 0.0);
    }
    gsl_rng_free(r);
}

/* The weighted objective from the definitions, in double, sharing nothing with loss.c but
 * testutil's one-output reference: sum_k c e^-s_k L_k + penalty. */
static double ref_weighted(const double *yh, const float *y, size_t n, size_t K, pf_loss kind,
                           pf_output_weighting wt, const double *s)
{
    double col[FD_N], total = 0.0, habs = 0.0;
    float ycol[FD_N];
    for (size_t k = 0; k < K; k++) {
        for (size_t i = 0; i < n; i++) col[i] = yh[i * K + k], ycol[i] = y[i * K + k];
        double Lk = ref_loss_of(col, ycol, n, 1, kind, NULL);
        if (wt == PF_WEIGHTING_UNCERTAINTY)
            total += 0.5 * exp(-s[k]) * Lk + 0.5 * s[k];
        else
            total += exp(-s[k]) * Lk + log(1 + (s[k] / 2) * (s[k] / 2));
        habs += fabs(s[k] / 2);
    }
    return wt == PF_WEIGHTING_RESTRAINED ? total + fabs(1 - habs) : total;
}

/* dL/dyhat and dL/ds_k against central differences of the reference, at random predictions
 * and log-variances away from the restrained penalty's kinks (s_k = 0, sum |s_k/2| = 1). */
static void fd_check_weighted(pf_loss kind, size_t K, pf_output_weighting wt, unsigned long seed)
{
    gsl_rng *r = rng_new(seed);
    float yhat[FD_N * 4], y[FD_N * 4], dy[FD_N * 4];
    double yh[FD_N * 4], s[4], ds[4];
    for (size_t i = 0; i < FD_N * K; i++) {
        yhat[i] = (float)(3.0 * gsl_rng_uniform(r) - 1.5);
        y[i] = (float)(2.0 * gsl_rng_uniform(r) - 1.0);
        yh[i] = yhat[i];
    }
    for (size_t k = 0; k < K; k++) s[k] = (k % 2 ? -1.0 : 1.0) * (0.3 + gsl_rng_uniform(r));
    double L = eval_w(kind, K, wt, s, yhat, y, FD_N, dy, ds);
    assert_near(L, ref_weighted(yh, y, FD_N, K, kind, wt, s), 1e-12 * fabs(L) + 1e-14);
    const double h = 1e-6;
    for (size_t j = 0; j < FD_N * K; j++) {
        double keep = yh[j];
        yh[j] = keep + h;
        double lp = ref_weighted(yh, y, FD_N, K, kind, wt, s);
        yh[j] = keep - h;
        double lm = ref_weighted(yh, y, FD_N, K, kind, wt, s);
        yh[j] = keep;
        double fd = (lp - lm) / (2 * h);
        assert_near(dy[j], fd, 1e-6 * fabs(fd) + 1e-7); /* dy is a float */
    }
    for (size_t k = 0; k < K; k++) {
        double keep = s[k];
        s[k] = keep + h;
        double lp = ref_weighted(yh, y, FD_N, K, kind, wt, s);
        s[k] = keep - h;
        double lm = ref_weighted(yh, y, FD_N, K, kind, wt, s);
        s[k] = keep;
        double fd = (lp - lm) / (2 * h);
        assert_near(ds[k], fd, 1e-8 * fabs(fd) + 1e-9); /* ds is a double */
    }
    gsl_rng_free(r);
}

static void test_weighting_finite_differences(void **state)
{
    (void)state;
    const pf_output_weighting wts[2] = {PF_WEIGHTING_UNCERTAINTY, PF_WEIGHTING_RESTRAINED};
    for (int w = 0; w < 2; w++) {
        fd_check_weighted(PF_LOSS_MSE, 2, wts[w], 11 + (unsigned long)w);
        fd_check_weighted(PF_LOSS_CCC, 2, wts[w], 13 + (unsigned long)w);
        fd_check_weighted(PF_LOSS_MSE, 3, wts[w], 15 + (unsigned long)w);
        fd_check_weighted(PF_LOSS_CCC, 4, wts[w], 17 + (unsigned long)w);
    }
}

/* What a weighting needs: several outputs of a regression loss, and finite log-variances. */
static void test_weighting_check(void **state)
{
    (void)state;
    pf_error err = {0};
    const float y[4] = {0, 1, 1, 0};
    const double s[3] = {0, 0, 0}, bad[2] = {0, INFINITY};
    pf_loss_spec sp = {
        .kind = PF_LOSS_MSE, .n_out = 2, .weighting = PF_WEIGHTING_UNCERTAINTY, .log_var = s};
    assert_int_equal(pf_loss_check(&sp, y, 2, 2, "x", &err), PF_OK);
    sp.n_out = 1;
    assert_int_equal(pf_loss_check(&sp, y, 4, 1, "x", &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "train.output_weighting = uncertainty weighs the losses of 2 "
                                    "to 64 regression outputs, but the model has 1"));
    pf_error_clear(&err);
    sp = (pf_loss_spec){
        .kind = PF_LOSS_XENT, .n_out = 3, .weighting = PF_WEIGHTING_RESTRAINED, .log_var = s};
    assert_int_equal(pf_loss_check(&sp, y, 4, 1, "x", &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "train.loss = xent is one loss over classes"));
    pf_error_clear(&err);
    sp = (pf_loss_spec){
        .kind = PF_LOSS_CCC, .n_out = 2, .weighting = PF_WEIGHTING_RESTRAINED, .log_var = bad};
    assert_int_equal(pf_loss_check(&sp, y, 2, 2, "x", &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "output 1"));
    pf_error_clear(&err);
    sp.log_var = NULL;
    assert_int_equal(pf_loss_check(&sp, y, 2, 2, "x", &err), PF_ERUNTIME);
    /* and evaluating what the check refuses gives NaN, never a number */
    float dy[4];
    assert_true(isnan(eval_w(PF_LOSS_CCC, 2, PF_WEIGHTING_RESTRAINED, NULL, y, y, 2, dy, NULL)));
    double init[3] = {9, 9, 9};
    pf_loss_weighting_init(PF_WEIGHTING_RESTRAINED, 3, init);
    for (int k = 0; k < 3; k++) assert_true(init[k] == 0.0);
    assert_string_equal(pf_loss_weighting_name(PF_WEIGHTING_UNCERTAINTY), "uncertainty");
}

/* ---- the registry and refusals -------------------------------------------------------- */

static void test_registry(void **state)
{
    (void)state;
    assert_string_equal(pf_loss_name(PF_LOSS_MSE), "mse");
    assert_string_equal(pf_loss_name(PF_LOSS_CCC), "ccc");
    assert_string_equal(pf_loss_name(PF_LOSS_XENT), "xent");
    assert_null(pf_loss_name(PF_LOSS_AUTO));
    assert_false(pf_loss_labels(PF_LOSS_CCC));
    assert_true(pf_loss_labels(PF_LOSS_XENT));
    pf_loss_spec a = spec(PF_LOSS_CCC, 3, NULL), b = spec(PF_LOSS_XENT, 3, NULL);
    assert_int_equal(pf_loss_targets(&a), 3);
    assert_int_equal(pf_loss_targets(&b), 1);
    assert_true(pf_loss_scratch_size(10) >= 20); /* two columns of a ccc output */
    const float z[2] = {0, 1}, y[1] = {0};
    assert_true(isnan(eval(PF_LOSS_AUTO, 1, NULL, z, y, 1, NULL)));
}

static void test_check(void **state)
{
    (void)state;
    pf_error err = {0};
    const float labels[4] = {0, 2, 1, 2};
    pf_loss_spec s = spec(PF_LOSS_XENT, 3, NULL);
    assert_int_equal(pf_loss_check(&s, labels, 4, 1, "the training split", &err), PF_OK);
    s.n_out = 2; /* label 2 is no class of 2 */
    assert_int_equal(pf_loss_check(&s, labels, 4, 1, "the training split", &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "the training split: row 1 has label 2"));
    pf_error_clear(&err);
    s.n_out = 1;
    assert_int_equal(pf_loss_check(&s, labels, 4, 1, "x", &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "at least 2"));
    pf_error_clear(&err);
    s = spec(PF_LOSS_MSE, 2, NULL); /* two outputs, but one target column */
    assert_int_equal(pf_loss_check(&s, labels, 4, 1, "the validation split", &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "the validation split has 1"));
    pf_error_clear(&err);
    const double bad_w[3] = {1.0, -1.0, 1.0};
    s = spec(PF_LOSS_XENT, 3, bad_w);
    assert_int_equal(pf_loss_check(&s, labels, 4, 1, "x", &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "class 1"));
    pf_error_clear(&err);
    s = spec(PF_LOSS_AUTO, 1, NULL);
    assert_int_equal(pf_loss_check(&s, labels, 4, 1, "x", &err), PF_ERUNTIME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_output_bit_identical),
        cmocka_unit_test(test_mse_hand),
        cmocka_unit_test(test_ccc_hand),
        cmocka_unit_test(test_ccc_several_is_the_metric),
        cmocka_unit_test(test_xent_hand),
        cmocka_unit_test(test_xent_stable),
        cmocka_unit_test(test_xent_zero_weights_and_bad_labels),
        cmocka_unit_test(test_gradients_finite_differences),
        cmocka_unit_test(test_class_weights_hand),
        cmocka_unit_test(test_weighting_mse_hand),
        cmocka_unit_test(test_weighting_ccc_hand),
        cmocka_unit_test(test_weighting_equal_is_the_mean),
        cmocka_unit_test(test_weighting_finite_differences),
        cmocka_unit_test(test_weighting_check),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
