/* test_loss.c: the training losses as a specification -- values worked out by hand (mse,
 * ccc, softmax cross-entropy with and without PyTorch-style class weights), gradients of
 * every loss with several outputs against central finite differences of an independent
 * double-precision reference, the one-output mse and ccc bit for bit equal to the formulas
 * the single-output code used, the ccc equal to the metric's pf_moments_ccc, numerical stability of
 * the cross-entropy, balanced class weights by hand, and refusal of targets that do not fit. */
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
    pf_loss_spec s = {kind, n_out, w};
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
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
