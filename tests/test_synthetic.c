/* test_synthetic.c: the built-in dataset has AGAIN's shape, is reproducible from its seed, and
 * carries real participant heterogeneity (without which a fairness comparison on it would be
 * meaningless). Heterogeneity is checked two ways: against the generator's ground truth, and
 * blind, by fitting a least-squares model per participant as an analyst would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>

#include "data/load.h"
#include "data/synthetic.h"

static pf_config defaults(void)
{
    pf_config c;
    pf_config_defaults(&c);
    return c;
}

static void test_shape_and_names(void **state)
{
    (void)state;
    pf_config c = defaults();
    pf_error err;
    pf_error_clear(&err);
    pf_dataset *ds = pf_synthetic_generate(&c, &err);
    assert_non_null(ds);
    assert_int_equal(ds->n_participants, 40);
    assert_int_equal(ds->n_windows, 1600);
    assert_int_equal(ds->n_features, 30);
    assert_null(ds->group);
    for (size_t p = 0; p <= 40; p++) assert_int_equal(ds->offset[p], 40 * p);
    for (size_t i = 0; i < ds->n_windows; i++) assert_int_equal(ds->participant[i], i / 40);
    assert_string_equal(ds->participant_ids[0], "S001");
    assert_string_equal(ds->participant_ids[39], "S040");
    assert_string_equal(ds->feature_names[0], "f01");
    assert_string_equal(ds->feature_names[29], "f30");
    assert_string_equal(ds->description,
                        "synthetic (40 participants x 40 windows x 30 features, seed 1)");
    pf_dataset_free(ds);
}

/* Values pinned from the first run of the documented recipe; a changed draw order, constant or
 * formula moves them. (Tolerance, not equality: libm's exp/tanh may differ by an ulp.) */
static void test_pinned_values(void **state)
{
    (void)state;
    pf_config c = defaults();
    pf_error err;
    pf_error_clear(&err);
    pf_dataset *ds = pf_synthetic_generate(&c, &err);
    assert_non_null(ds);
    assert_float_equal(ds->x[0], -0.94801931320238841, 1e-12);
    assert_float_equal(ds->x[1], 0.50316198277393953, 1e-12);
    assert_float_equal(ds->y[0], 0.21507445931776764, 1e-12);
    assert_float_equal(ds->y[1599], 0.53652431290538016, 1e-12);
    pf_dataset_free(ds);
}

static void test_deterministic(void **state)
{
    (void)state;
    pf_config c = defaults();
    pf_error err;
    pf_error_clear(&err);
    pf_synthetic_truth *t = NULL;
    pf_dataset *a = pf_synthetic_generate(&c, &err);
    pf_dataset *b = pf_synthetic_generate_with_truth(&c, &t, &err);
    c.syn_seed = 2;
    pf_dataset *d = pf_synthetic_generate(&c, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(d);
    assert_non_null(t);
    size_t nx = a->n_windows * a->n_features * sizeof(double);
    assert_memory_equal(a->x, b->x, nx);
    assert_memory_equal(a->y, b->y, a->n_windows * sizeof(double));
    assert_memory_not_equal(a->x, d->x, nx);
    assert_memory_not_equal(a->y, d->y, a->n_windows * sizeof(double));
    assert_string_equal(d->description,
                        "synthetic (40 participants x 40 windows x 30 features, seed 2)");
    pf_synthetic_truth_free(t);
    pf_dataset_free(a);
    pf_dataset_free(b);
    pf_dataset_free(d);
}

/* As in AGAIN, arousal is min-max scaled per participant: exactly 0 and exactly 1 occur. */
static void test_target_spans_unit_interval(void **state)
{
    (void)state;
    pf_config c = defaults();
    pf_error err;
    pf_error_clear(&err);
    pf_dataset *ds = pf_synthetic_generate(&c, &err);
    assert_non_null(ds);
    for (size_t p = 0; p < ds->n_participants; p++) {
        const double *y = ds->y + ds->offset[p];
        size_t n = pf_dataset_count(ds, p);
        assert_true(gsl_stats_min(y, 1, n) == 0.0);
        assert_true(gsl_stats_max(y, 1, n) == 1.0);
    }
    pf_dataset_free(ds);
}

/* The drawn participant parameters follow the configured spreads. */
static void test_truth_follows_config(void **state)
{
    (void)state;
    pf_config c = defaults();
    c.syn_participants = 400;
    pf_error err;
    pf_error_clear(&err);
    pf_synthetic_truth *t = NULL;
    pf_dataset *ds = pf_synthetic_generate_with_truth(&c, &t, &err);
    assert_non_null(ds);
    size_t P = t->n_participants, n_private = 0;
    assert_int_equal(P, 400);
    for (size_t p = 0; p < P; p++) {
        assert_true(t->noise_sd[p] >= 0.05 && t->noise_sd[p] <= 0.4);
        n_private += (size_t)t->has_private[p];
    }
    /* 400 draws: sd estimates within ~15 % of 0.5 and 0.1, about half with private features. */
    assert_float_equal(gsl_stats_sd(t->gain, 1, P), 0.5, 0.075);
    assert_float_equal(gsl_stats_mean(t->gain, 1, P), 1.0, 0.1);
    assert_float_equal(gsl_stats_sd(t->bias, 1, P), 0.1, 0.015);
    assert_true(n_private > 160 && n_private < 240);
    pf_synthetic_truth_free(t);
    pf_dataset_free(ds);
}

/* How much of a participant's arousal the shared signal explains must vary widely, and be lower
 * where the private features also drive it. */
static void test_heterogeneity_against_truth(void **state)
{
    (void)state;
    pf_config c = defaults();
    pf_error err;
    pf_error_clear(&err);
    pf_synthetic_truth *t = NULL;
    pf_dataset *ds = pf_synthetic_generate_with_truth(&c, &t, &err);
    assert_non_null(ds);
    double r[40], lo = 1, hi = -1, sum[2] = {0, 0};
    int cnt[2] = {0, 0};
    for (size_t p = 0; p < 40; p++) {
        size_t o = ds->offset[p];
        r[p] = gsl_stats_correlation(ds->y + o, 1, t->shared + o, 1, 40);
        lo = fmin(lo, r[p]);
        hi = fmax(hi, r[p]);
        sum[t->has_private[p]] += r[p];
        cnt[t->has_private[p]]++;
    }
    /* Seed 1: r runs from 0.09 to 0.99; means 0.89 (shared only) vs 0.59 (with private). */
    assert_true(cnt[0] > 10 && cnt[1] > 10);
    assert_true(lo < 0.3);
    assert_true(hi > 0.95);
    assert_true(sum[0] / cnt[0] - sum[1] / cnt[1] > 0.2);
    pf_synthetic_truth_free(t);
    pf_dataset_free(ds);
}

/* Least squares of y on the first K features plus an intercept over rows [r0, r0 + n);
 * coef receives K + 1 values (intercept first). */
static void fit_rows(const pf_dataset *ds, size_t r0, size_t n, size_t K, double *coef)
{
    gsl_matrix *X = gsl_matrix_alloc(n, K + 1);
    gsl_matrix *cov = gsl_matrix_alloc(K + 1, K + 1);
    gsl_vector *y = gsl_vector_alloc(n), *b = gsl_vector_alloc(K + 1);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, K + 1);
    for (size_t i = 0; i < n; i++) {
        gsl_matrix_set(X, i, 0, 1.0);
        for (size_t k = 0; k < K; k++)
            gsl_matrix_set(X, i, k + 1, ds->x[(r0 + i) * ds->n_features + k]);
        gsl_vector_set(y, i, ds->y[r0 + i]);
    }
    double chisq;
    gsl_multifit_linear(X, y, b, cov, &chisq, ws);
    for (size_t k = 0; k <= K; k++) coef[k] = gsl_vector_get(b, k);
    gsl_multifit_linear_free(ws);
    gsl_vector_free(b);
    gsl_vector_free(y);
    gsl_matrix_free(cov);
    gsl_matrix_free(X);
}

static double predict(const double *row, size_t K, const double *coef)
{
    double s = coef[0];
    for (size_t k = 0; k < K; k++) s += coef[k + 1] * row[k];
    return s;
}

/* Blind check, on the 12 informative and private features: (1) one linear model fitted to
 * everybody serves participants very unevenly (seed 1: per-participant r from 0.13 to 0.94);
 * (2) per-participant fits find private-feature effects where the truth says they are (seed 1:
 * coefficient norms 2.6 times larger). */
static void test_heterogeneity_blind(void **state)
{
    (void)state;
    pf_config c = defaults();
    pf_error err;
    pf_error_clear(&err);
    pf_synthetic_truth *t = NULL;
    pf_dataset *ds = pf_synthetic_generate_with_truth(&c, &t, &err);
    assert_non_null(ds);
    enum { K = 12, P = 40, W = 40 };
    double pooled[K + 1], coef[K + 1], pred[W], lo = 1, hi = -1;
    fit_rows(ds, 0, ds->n_windows, K, pooled);
    for (size_t p = 0; p < P; p++) {
        for (size_t i = 0; i < W; i++)
            pred[i] = predict(ds->x + (ds->offset[p] + i) * ds->n_features, K, pooled);
        double r = gsl_stats_correlation(pred, 1, ds->y + ds->offset[p], 1, W);
        lo = fmin(lo, r);
        hi = fmax(hi, r);
    }
    assert_true(lo < 0.3);
    assert_true(hi > 0.85);

    double norm[2] = {0, 0};
    int cnt[2] = {0, 0};
    for (size_t p = 0; p < P; p++) {
        fit_rows(ds, ds->offset[p], W, K, coef);
        double s = 0;
        for (size_t k = 9; k <= 12; k++) s += coef[k] * coef[k]; /* the private features */
        norm[t->has_private[p]] += sqrt(s);
        cnt[t->has_private[p]]++;
    }
    assert_true((norm[1] / cnt[1]) / (norm[0] / cnt[0]) > 2.0);
    pf_synthetic_truth_free(t);
    pf_dataset_free(ds);
}

/* A small shape with one informative feature (no interaction term) and no private ones. */
static void test_small_shape(void **state)
{
    (void)state;
    pf_config c = defaults();
    c.syn_participants = 3;
    c.syn_windows = 5;
    c.syn_features = 2;
    c.syn_informative = 1;
    c.syn_private = 0;
    c.syn_seed = 99;
    pf_error err;
    pf_error_clear(&err);
    pf_dataset *ds = pf_synthetic_generate(&c, &err);
    assert_non_null(ds);
    assert_int_equal(ds->n_windows, 15);
    assert_int_equal(ds->offset[3], 15);
    assert_string_equal(ds->participant_ids[2], "S003");
    assert_string_equal(ds->feature_names[1], "f02");
    for (size_t p = 0; p < 3; p++) {
        assert_true(gsl_stats_min(ds->y + 5 * p, 1, 5) == 0.0);
        assert_true(gsl_stats_max(ds->y + 5 * p, 1, 5) == 1.0);
    }
    assert_string_equal(ds->description,
                        "synthetic (3 participants x 5 windows x 2 features, seed 99)");
    pf_dataset_free(ds);
}

static void expect_error(pf_config *c, const char *msg)
{
    pf_error err;
    pf_error_clear(&err);
    assert_null(pf_synthetic_generate(c, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_string_equal(err.msg, msg);
}

static void test_invalid_parameters(void **state)
{
    (void)state;
    pf_config c = defaults();
    c.syn_informative = 40;
    expect_error(&c, "synthetic.informative (40) + synthetic.private (4) exceed "
                     "synthetic.features (30); raise synthetic.features or lower the others");
    c = defaults();
    c.syn_windows = 1;
    expect_error(&c, "synthetic.windows (1) must be at least 2 so that arousal can be min-max "
                     "scaled per participant");
    c = defaults();
    c.syn_noise_min = 0.5;
    expect_error(&c, "synthetic.noise_min (0.5) and synthetic.noise_max (0.4) must satisfy "
                     "0 <= noise_min <= noise_max");
    c = defaults();
    c.syn_participants = 0;
    expect_error(&c, "synthetic.participants (0) must be at least 1");
    c = defaults();
    c.syn_gain_sd = -1;
    expect_error(&c, "synthetic.gain_sd (-1) and synthetic.bias_sd (0.1) must be >= 0");
}

/* Extra outputs come from their own generator after the first: the features and the first
 * output are bit-identical to a one-output study, and each new output is its own signal,
 * min-max scaled to [0, 1] per participant. */
static void test_several_outputs(void **state)
{
    (void)state;
    pf_config c1, c2;
    pf_config_defaults(&c1);
    c1.syn_participants = 6;
    c1.syn_windows = 25;
    c2 = c1;
    c2.syn_outputs = 3;
    pf_error err = {0};
    pf_dataset *a = pf_synthetic_generate(&c1, &err), *b = pf_synthetic_generate(&c2, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(b->n_targets, 3);
    assert_string_equal(b->target_names[0], "arousal");
    assert_string_equal(b->target_names[1], "valence");
    assert_memory_equal(a->x, b->x, a->n_windows * a->n_features * sizeof *a->x);
    for (size_t i = 0; i < a->n_windows; i++) assert_true(b->y[i * 3] == a->y[i]);
    for (size_t k = 1; k < 3; k++)
        for (size_t p = 0; p < b->n_participants; p++) {
            double lo = 1, hi = 0, diff = 0;
            for (size_t i = b->offset[p]; i < b->offset[p + 1]; i++) {
                lo = fmin(lo, b->y[i * 3 + k]), hi = fmax(hi, b->y[i * 3 + k]);
                diff += fabs(b->y[i * 3 + k] - b->y[i * 3]);
            }
            assert_true(lo == 0.0 && hi == 1.0);
            assert_true(diff > 0.5); /* not a copy of arousal */
        }
    pf_dataset_free(a);
    pf_dataset_free(b);
}

/* The synthetic targets are continuous: a classification demo classifies high and low per
 * participant through the same transform as a file, and without one it is refused. */
static void test_classification_mode(void **state)
{
    (void)state;
    pf_config c;
    pf_config_defaults(&c);
    c.syn_participants = 5;
    c.syn_windows = 20;
    c.task = PF_TASK_CLASSIFICATION;
    pf_error err = {0};
    assert_null(pf_load_dataset(&c, &err));
    assert_non_null(strstr(err.msg, "data.target_transform = above_median"));
    pf_error_clear(&err);
    c.target_transform = PF_TRANSFORM_ABOVE_MEDIAN;
    pf_dataset *ds = pf_load_dataset(&c, &err);
    assert_non_null(ds);
    assert_int_equal(ds->n_classes, 2);
    /* Median split of 20 distinct values: exactly 10 high and 10 low per participant. */
    for (size_t p = 0; p < ds->n_participants; p++) {
        double high = 0;
        for (size_t i = ds->offset[p]; i < ds->offset[p + 1]; i++) high += ds->y[i];
        assert_true(high == 10);
    }
    pf_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_and_names),
        cmocka_unit_test(test_pinned_values),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_target_spans_unit_interval),
        cmocka_unit_test(test_truth_follows_config),
        cmocka_unit_test(test_heterogeneity_against_truth),
        cmocka_unit_test(test_heterogeneity_blind),
        cmocka_unit_test(test_small_shape),
        cmocka_unit_test(test_invalid_parameters),
        cmocka_unit_test(test_several_outputs),
        cmocka_unit_test(test_classification_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
