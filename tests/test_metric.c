/* test_metric.c: the per-participant metrics, the registry and the metric set of a task, on
 * inputs small enough that every expected value is worked out by hand in the comments. A sign
 * error, a sample-vs-population slip, a class averaged over the wrong label set (scikit-learn
 * averages balanced accuracy over the true classes, macro F1 over the true-or-predicted ones),
 * an argmax tie broken the other way or a strided column read wrong breaks them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/moments.h"
#include "config/task.h"
#include "eval/metric.h"
#include "model/loss.h"
#include "testutil.h"

#define TOL 1e-12

/* ---- regression metrics ---- */

/* yhat = 1 2 3 4, y = 2 2 4 4.
 * means 2.5 and 3; deviations yhat: -1.5 -0.5 0.5 1.5, y: -1 -1 1 1.
 * var yhat = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25; var y = 4 / 4 = 1;
 * cov = (1.5 + 0.5 + 0.5 + 1.5) / 4 = 1; (mean diff)^2 = 0.25.
 * ccc = 2 * 1 / (1.25 + 1 + 0.25) = 0.8; pearson = 1 / sqrt(1.25) = 0.894427190999916;
 * errors -1 0 -1 0: rmse = sqrt(2 / 4) = sqrt(0.5). */
static void test_hand_example(void **state)
{
    (void)state;
    const double yhat[] = {1, 2, 3, 4}, y[] = {2, 2, 4, 4};
    assert_near(pf_moments_ccc_double(yhat, y, 4), 0.8, TOL);
    assert_near(pf_metric_pearson(yhat, y, 4), 1.0 / sqrt(1.25), TOL);
    assert_near(pf_metric_rmse(yhat, y, 4), sqrt(0.5), TOL);
}

/* CCC is symmetric in its arguments, RMSE too; Pearson as well. */
static void test_symmetric(void **state)
{
    (void)state;
    const double a[] = {0.1, 0.7, 0.4, 0.9, 0.2}, b[] = {0.3, 0.6, 0.5, 0.8, 0.1};
    assert_near(pf_moments_ccc_double(a, b, 5), pf_moments_ccc_double(b, a, 5), TOL);
    assert_near(pf_metric_rmse(a, b, 5), pf_metric_rmse(b, a, 5), TOL);
    assert_near(pf_metric_pearson(a, b, 5), pf_metric_pearson(b, a, 5), TOL);
}

static void test_perfect_agreement(void **state)
{
    (void)state;
    const double y[] = {0.1, 0.4, 0.35, 0.9, 0.05};
    assert_near(pf_moments_ccc_double(y, y, 5), 1.0, TOL);
    assert_near(pf_metric_pearson(y, y, 5), 1.0, TOL);
    assert_near(pf_metric_rmse(y, y, 5), 0.0, 0.0);
}

/* yhat = y + 1, y = 1 2 3 4: var 1.25 each, cov 1.25, shift 1.
 * ccc = 2.5 / (2.5 + 1) = 0.714285714285714: a biased but perfectly correlated model is
 * penalised by CCC, not by Pearson (= 1). rmse = 1. */
static void test_bias_lowers_ccc_not_pearson(void **state)
{
    (void)state;
    const double yhat[] = {2, 3, 4, 5}, y[] = {1, 2, 3, 4};
    assert_near(pf_moments_ccc_double(yhat, y, 4), 2.5 / 3.5, TOL);
    assert_near(pf_metric_pearson(yhat, y, 4), 1.0, TOL);
    assert_near(pf_metric_rmse(yhat, y, 4), 1.0, TOL);
}

/* Constant prediction 0.5 for y = 0 1 0 1: cov = 0, denominator = 0 + 0.25 + 0 = 0.25 != 0,
 * so ccc = 0 by the formula (not by the special case); Pearson is 0 by convention;
 * rmse = 0.5. */
static void test_constant_prediction(void **state)
{
    (void)state;
    const double yhat[] = {0.5, 0.5, 0.5, 0.5}, y[] = {0, 1, 0, 1};
    assert_near(pf_moments_ccc_double(yhat, y, 4), 0.0, 0.0);
    assert_near(pf_metric_pearson(yhat, y, 4), 0.0, 0.0);
    assert_near(pf_metric_rmse(yhat, y, 4), 0.5, TOL);
}

/* Both constant and equal: the denominator is exactly 0, ccc defined as 0 (DESIGN 7).
 * Both constant but different (1 vs 2): denominator (1 - 2)^2 = 1, cov 0, ccc = 0, rmse 1. */
static void test_both_constant(void **state)
{
    (void)state;
    const double c[] = {0.3, 0.3, 0.3, 0.3, 0.3};
    assert_false(isnan(pf_moments_ccc_double(c, c, 5)));
    assert_near(pf_moments_ccc_double(c, c, 5), 0.0, 0.0);
    assert_near(pf_metric_pearson(c, c, 5), 0.0, 0.0);
    const double one[] = {1, 1}, two[] = {2, 2};
    assert_near(pf_moments_ccc_double(one, two, 2), 0.0, 0.0);
    assert_near(pf_metric_rmse(one, two, 2), 1.0, TOL);
}

/* yhat = 4 3 1, y = 1 2 3: means 8/3 and 2; deviations 4/3 1/3 -5/3 and -1 0 1.
 * var yhat = (16 + 1 + 25) / 9 / 3 = 14/9; var y = 2/3; cov = (-4/3 + 0 - 5/3) / 3 = -1;
 * shift^2 = 4/9. ccc = -2 / (14/9 + 6/9 + 4/9) = -2 / (8/3) = -0.75.
 * pearson = -1 / sqrt(14/9 * 2/3) = -sqrt(27/28). Reversed order: ccc = -1. */
static void test_negative_ccc(void **state)
{
    (void)state;
    const double yhat[] = {4, 3, 1}, y[] = {1, 2, 3}, rev[] = {3, 2, 1};
    assert_near(pf_moments_ccc_double(yhat, y, 3), -0.75, TOL);
    assert_near(pf_metric_pearson(yhat, y, 3), -sqrt(27.0 / 28.0), TOL);
    assert_near(pf_moments_ccc_double(rev, y, 3), -1.0, TOL);
}

static void test_empty_is_nan(void **state)
{
    (void)state;
    const double y[] = {1};
    assert_true(isnan(pf_moments_ccc_double(y, y, 0)));
    assert_true(isnan(pf_metric_rmse(y, y, 0)));
    assert_true(isnan(pf_metric_pearson(y, y, 0)));
}

/* The float32 moments (the CCC loss's) and the double ones (the metrics') are one text: on the
 * same values they are the same numbers, bit for bit. */
static void test_float_and_double_moments_agree(void **state)
{
    (void)state;
    const float af[] = {0.1f, 0.7f, 0.4f, 0.9f, 0.2f}, bf[] = {0.3f, 0.6f, 0.5f, 0.8f, 0.1f};
    double ad[5], bd[5];
    for (size_t i = 0; i < 5; i++) ad[i] = af[i], bd[i] = bf[i];
    pf_moments mf = pf_moments_pair(af, bf, 5), md = pf_moments_pair_double(ad, bd, 5);
    assert_memory_equal(&mf, &md, sizeof mf);
    assert_true(pf_moments_ccc(af, bf, 5) == pf_moments_ccc_double(ad, bd, 5));
    assert_true(isnan(pf_moments_ccc(af, bf, 0)));
}

/* A target recorded in another unit and with an offset, y2 = 100 y + 37, and the predictions
 * mapped the same way: CCC and Pearson's r do not move and RMSE is 100 times larger, to double
 * rounding. With the values rounded to float32 first (as before metrics took doubles) CCC moves
 * by about 1e-8 here, so 1e-12 tells the two apart. */
static void test_unit_and_offset_invariant(void **state)
{
    (void)state;
    const double y[] = {0.123456789, 0.98765, 0.5, 0.33333333333, 0.71, 0.0421};
    const double yhat[] = {0.2, 0.81234567, 0.45, 0.4, 0.6666666667, 0.1};
    double y2[6], yhat2[6];
    float yf[6], yhatf[6];
    for (size_t i = 0; i < 6; i++) {
        y2[i] = 100 * y[i] + 37, yhat2[i] = 100 * yhat[i] + 37;
        yf[i] = (float)y2[i], yhatf[i] = (float)yhat2[i];
    }
    assert_near(pf_moments_ccc_double(yhat2, y2, 6), pf_moments_ccc_double(yhat, y, 6), 1e-12);
    assert_near(pf_metric_pearson(yhat2, y2, 6), pf_metric_pearson(yhat, y, 6), 1e-12);
    assert_near(pf_metric_rmse(yhat2, y2, 6) / 100, pf_metric_rmse(yhat, y, 6), 1e-12);
    assert_true(fabs(pf_moments_ccc(yhatf, yf, 6) - pf_moments_ccc_double(yhat, y, 6)) > 1e-12);
}

/* ---- classification metrics (scikit-learn semantics) ---- */

/* y_true = 0 0 1 1 2 2, y_pred = 0 1 1 1 2 0 (C = 3).
 * accuracy: windows 0, 2, 3, 4 right -> 4/6.
 * balanced accuracy: recall of class 0 = 1/2 (window 0 of 0, 1), class 1 = 2/2, class 2 = 1/2
 *   (window 4 of 4, 5) -> mean(1/2, 1, 1/2) = 2/3.
 * macro F1: class 0: predicted at 0 and 5, right once: p = 1/2, r = 1/2, F1 = 1/2;
 *   class 1: predicted at 1, 2, 3, right twice: p = 2/3, r = 1, F1 = 2 (2/3) / (5/3) = 0.8;
 *   class 2: predicted at 4 only: p = 1, r = 1/2, F1 = 1 / 1.5 = 2/3;
 *   mean = (1/2 + 4/5 + 2/3) / 3 = (15 + 24 + 20) / 90 = 59/90 = 0.6555... */
static void test_class_hand_example(void **state)
{
    (void)state;
    const int t[] = {0, 0, 1, 1, 2, 2}, p[] = {0, 1, 1, 1, 2, 0};
    assert_near(pf_metric_accuracy(t, p, 6, 3), 4.0 / 6.0, TOL);
    assert_near(pf_metric_balanced_accuracy(t, p, 6, 3), 2.0 / 3.0, TOL);
    assert_near(pf_metric_f1_macro(t, p, 6, 3), 59.0 / 90.0, TOL);
}

/* One true class: y_true = 1 1 1 1, y_pred = 1 0 1 2, C = 4 (class 3 in neither).
 * accuracy 2/4. balanced accuracy: only class 1 is true, recall 2/4 = 1/2 (averaging over
 * all 4 classes would give 1/8).
 * macro F1 over the union {0, 1, 2}: class 0 predicted once, never true: recall undefined,
 *   F1 = 0; class 1: p = 2/2, r = 2/4, F1 = 2 (1)(1/2) / (3/2) = 2/3; class 2 like class 0: 0.
 *   mean = (0 + 2/3 + 0) / 3 = 2/9 (over the true classes only: 2/3; over all C = 4: 1/6). */
static void test_class_one_true_class(void **state)
{
    (void)state;
    const int t[] = {1, 1, 1, 1}, p[] = {1, 0, 1, 2};
    assert_near(pf_metric_accuracy(t, p, 4, 4), 0.5, TOL);
    assert_near(pf_metric_balanced_accuracy(t, p, 4, 4), 0.5, TOL);
    assert_near(pf_metric_f1_macro(t, p, 4, 4), 2.0 / 9.0, TOL);
}

/* Class 2 never predicted: y_true = 0 0 1 1 2 2, y_pred = 0 0 1 1 1 1.
 * class 0: p = r = 1, F1 = 1; class 1: p = 2/4, r = 1, F1 = 2 (1/2) / (3/2) = 2/3;
 * class 2: precision undefined (0 predicted), recall 0: F1 = 0 (zero_division = 0) and it still
 * counts in the mean: (1 + 2/3 + 0) / 3 = 5/9 (dropping it would give 5/6).
 * balanced accuracy (1 + 1 + 0) / 3 = 2/3; accuracy 4/6. */
static void test_class_never_predicted(void **state)
{
    (void)state;
    const int t[] = {0, 0, 1, 1, 2, 2}, p[] = {0, 0, 1, 1, 1, 1};
    assert_near(pf_metric_accuracy(t, p, 6, 3), 4.0 / 6.0, TOL);
    assert_near(pf_metric_balanced_accuracy(t, p, 6, 3), 2.0 / 3.0, TOL);
    assert_near(pf_metric_f1_macro(t, p, 6, 3), 5.0 / 9.0, TOL);
}

/* Class 2 predicted but absent from the truth: y_true = 0 0 0 1 1 1, y_pred = 0 0 2 1 1 2.
 * balanced accuracy: only classes 0 and 1 are true, recalls 2/3 and 2/3 -> 2/3 (counting
 *   class 2 with recall 0 would give 4/9).
 * macro F1 over {0, 1, 2}: class 0: p = 2/2, r = 2/3, F1 = 2 tp / (true + pred) = 4/5;
 *   class 1 the same 4/5; class 2: p = 0/2, recall undefined: 0.
 *   mean = (4/5 + 4/5 + 0) / 3 = 8/15 (over the true classes only: 4/5). accuracy 4/6. */
static void test_class_predicted_not_true(void **state)
{
    (void)state;
    const int t[] = {0, 0, 0, 1, 1, 1}, p[] = {0, 0, 2, 1, 1, 2};
    assert_near(pf_metric_accuracy(t, p, 6, 3), 4.0 / 6.0, TOL);
    assert_near(pf_metric_balanced_accuracy(t, p, 6, 3), 2.0 / 3.0, TOL);
    assert_near(pf_metric_f1_macro(t, p, 6, 3), 8.0 / 15.0, TOL);
}

/* All right: 1 for every metric. No windows, or a label outside 0..C-1: NaN. */
static void test_class_perfect_and_degenerate(void **state)
{
    (void)state;
    const int t[] = {2, 0, 1, 0}, bad[] = {0, 3, 1, 0}, neg[] = {0, -1, 1, 0};
    assert_near(pf_metric_accuracy(t, t, 4, 3), 1.0, 0.0);
    assert_near(pf_metric_balanced_accuracy(t, t, 4, 3), 1.0, 0.0);
    assert_near(pf_metric_f1_macro(t, t, 4, 3), 1.0, 0.0);
    assert_true(isnan(pf_metric_accuracy(t, t, 0, 3)));
    assert_true(isnan(pf_metric_balanced_accuracy(t, t, 0, 3)));
    assert_true(isnan(pf_metric_f1_macro(t, t, 0, 3)));
    assert_true(isnan(pf_metric_accuracy(t, bad, 4, 3)));
    assert_true(isnan(pf_metric_balanced_accuracy(bad, t, 4, 3)));
    assert_true(isnan(pf_metric_f1_macro(t, neg, 4, 3)));
}

/* Ties go to the lowest index; NaN never wins. */
static void test_argmax(void **state)
{
    (void)state;
    assert_int_equal(pf_metric_argmax((const double[]){1, 3, 3}, 3), 1);
    assert_int_equal(pf_metric_argmax((const double[]){2, 2, 2}, 3), 0);
    assert_int_equal(pf_metric_argmax((const double[]){-3, -1, -1, -2}, 4), 1);
    assert_int_equal(pf_metric_argmax((const double[]){0, 0, 1e-7}, 3), 2);
    assert_int_equal(pf_metric_argmax((const double[]){5, NAN, 7}, 3), 2);
    assert_int_equal(pf_metric_argmax((const double[]){NAN, 1, 1}, 3), 1);
    assert_int_equal(pf_metric_argmax((const double[]){NAN, NAN}, 2), 0);
}

/* ---- the registry and the metric sets ---- */

static void test_registry(void **state)
{
    (void)state;
    size_t n;
    const pf_metric *t = pf_metric_table(&n);
    assert_int_equal(n, 9);
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(pf_metric_find(t[i].name), &t[i]);
        assert_non_null(t[i].fn);
    }
    assert_null(pf_metric_find("ccc[arousal]"));
    assert_false(pf_metric_find("rmse")->higher_is_better);
    assert_false(pf_metric_find("mean_rmse")->higher_is_better);
    assert_true(pf_metric_find("ccc")->higher_is_better);
    assert_true(pf_metric_find("f1_macro")->higher_is_better);
}

static void expect_names(const pf_metric_set *ms, const char *const *want, size_t n)
{
    assert_int_equal(ms->n, n);
    for (size_t i = 0; i < n; i++) assert_string_equal(ms->slot[i].name, want[i]);
}

static void test_set_names(void **state)
{
    (void)state;
    pf_error err;
    pf_error_clear(&err);
    pf_metric_set *one = pf_metric_set_alloc(PF_TASK_REGRESSION, 1, NULL, 0, &err);
    assert_non_null(one);
    expect_names(one, (const char *[]){"ccc", "rmse", "pearson"}, 3);
    assert_int_equal(one->n_model_out, 1);
    pf_metric_set_free(one);

    char *names[] = {"arousal", "valence"};
    pf_metric_set *two = pf_metric_set_alloc(PF_TASK_REGRESSION, 2, names, 0, &err);
    assert_non_null(two);
    expect_names(two,
                 (const char *[]){"ccc[arousal]", "rmse[arousal]", "pearson[arousal]",
                                  "ccc[valence]", "rmse[valence]", "pearson[valence]", "mean_ccc",
                                  "mean_rmse", "mean_pearson"},
                 9);
    assert_int_equal(two->slot[0].output, 0);
    assert_int_equal(two->slot[4].output, 1);
    assert_int_equal(two->n_model_out, 2);
    pf_metric_set_free(two);

    char *label[] = {"arousal_class"};
    pf_metric_set *cls = pf_metric_set_alloc(PF_TASK_CLASSIFICATION, 1, label, 4, &err);
    assert_non_null(cls);
    expect_names(cls, (const char *[]){"accuracy", "balanced_accuracy", "f1_macro"}, 3);
    assert_int_equal(cls->n_model_out, 4);
    assert_int_equal(cls->n_targets, 1);
    /* chance: accuracy's (the majority share) is data dependent; balanced accuracy 1/C */
    assert_true(isnan(cls->slot[0].chance));
    assert_near(cls->slot[1].chance, 0.25, 0.0);
    assert_true(isnan(cls->slot[2].chance));
    pf_metric_set_free(cls);
    assert_int_equal(err.code, PF_OK);
}

static void test_set_chance(void **state)
{
    (void)state;
    pf_error err;
    pf_error_clear(&err);
    char *names[] = {"a", "v"};
    pf_metric_set *ms = pf_metric_set_alloc(PF_TASK_REGRESSION, 2, names, 0, &err);
    assert_non_null(ms);
    assert_near(ms->slot[pf_metric_set_find(ms, "ccc[v]")].chance, 0.0, 0.0);
    assert_near(ms->slot[pf_metric_set_find(ms, "pearson[a]")].chance, 0.0, 0.0);
    assert_true(isnan(ms->slot[pf_metric_set_find(ms, "rmse[a]")].chance));
    assert_near(ms->slot[pf_metric_set_find(ms, "mean_ccc")].chance, 0.0, 0.0);
    assert_true(isnan(ms->slot[pf_metric_set_find(ms, "mean_rmse")].chance));
    pf_metric_set_free(ms);
}

static void test_set_bad_shapes(void **state)
{
    (void)state;
    pf_error err;
    char *dup[] = {"a", "a"}, *empty[] = {"a", ""};
    pf_error_clear(&err);
    assert_null(pf_metric_set_alloc(PF_TASK_REGRESSION, 2, dup, 0, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "'a'"));
    pf_error_clear(&err);
    assert_null(pf_metric_set_alloc(PF_TASK_REGRESSION, 2, empty, 0, &err));
    assert_int_equal(err.code, PF_EINPUT);
    pf_error_clear(&err);
    assert_null(pf_metric_set_alloc(PF_TASK_REGRESSION, 2, NULL, 0, &err));
    assert_int_not_equal(err.code, PF_OK);
    pf_error_clear(&err);
    assert_null(pf_metric_set_alloc(PF_TASK_REGRESSION, 0, NULL, 0, &err));
    assert_int_not_equal(err.code, PF_OK);
    pf_error_clear(&err);
    assert_null(pf_metric_set_alloc(PF_TASK_CLASSIFICATION, 1, NULL, 1, &err));
    assert_int_not_equal(err.code, PF_OK);
    char longname[PF_MAX_NAME + 40];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    char *toolong[] = {"a", longname};
    pf_error_clear(&err);
    assert_null(pf_metric_set_alloc(PF_TASK_REGRESSION, 2, toolong, 0, &err));
    assert_int_equal(err.code, PF_EINPUT);
}

static void test_set_primary(void **state)
{
    (void)state;
    pf_error err;
    pf_error_clear(&err);
    size_t i = 99;
    char *names[] = {"arousal", "valence"};
    pf_metric_set *one = pf_metric_set_alloc(PF_TASK_REGRESSION, 1, NULL, 0, &err);
    pf_metric_set *two = pf_metric_set_alloc(PF_TASK_REGRESSION, 2, names, 0, &err);
    pf_metric_set *cls = pf_metric_set_alloc(PF_TASK_CLASSIFICATION, 1, NULL, 3, &err);
    assert_true(one && two && cls);

    assert_int_equal(pf_metric_set_primary(one, "auto", &i, &err), PF_OK);
    assert_string_equal(one->slot[i].name, "ccc");
    assert_int_equal(pf_metric_set_primary(two, "auto", &i, &err), PF_OK);
    assert_string_equal(two->slot[i].name, "mean_ccc");
    assert_int_equal(pf_metric_set_primary(cls, "auto", &i, &err), PF_OK);
    assert_string_equal(cls->slot[i].name, "balanced_accuracy");

    assert_int_equal(pf_metric_set_primary(two, "rmse[valence]", &i, &err), PF_OK);
    assert_int_equal(i, 4);
    assert_int_equal(pf_metric_set_primary(one, "rmse", &i, &err), PF_OK);
    assert_int_equal(i, 1);
    assert_int_equal(pf_metric_set_find(cls, "f1_macro"), 2);
    assert_int_equal(pf_metric_set_find(cls, "ccc"), -1);

    /* A metric of another task: an input error that lists what this task reports. */
    i = 99;
    assert_int_equal(pf_metric_set_primary(cls, "ccc", &i, &err), PF_EINPUT);
    assert_int_equal(i, 99);
    assert_non_null(strstr(err.msg, "stats.metric"));
    assert_non_null(strstr(err.msg, "accuracy, balanced_accuracy, f1_macro"));
    assert_non_null(strstr(err.msg, "classification with 3 classes"));
    pf_error_clear(&err);
    /* "ccc" alone is not a metric of a two-output task; a typo gets a suggestion */
    assert_int_equal(pf_metric_set_primary(two, "ccc", &i, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "ccc[arousal], rmse[arousal]"));
    pf_error_clear(&err);
    assert_int_equal(pf_metric_set_primary(cls, "f1_makro", &i, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "did you mean f1_macro?"));
    pf_metric_set_free(one), pf_metric_set_free(two), pf_metric_set_free(cls);
}

/* One output: the set's values are exactly the functions' (same arithmetic, no copy). */
static void test_eval_regression_one(void **state)
{
    (void)state;
    pf_error err;
    pf_error_clear(&err);
    pf_metric_set *ms = pf_metric_set_alloc(PF_TASK_REGRESSION, 1, NULL, 0, &err);
    const double yhat[] = {1, 2, 3, 4}, y[] = {2, 2, 4, 4};
    double v[3];
    assert_int_equal(pf_metric_set_eval(ms, yhat, y, 4, v, &err), PF_OK);
    assert_true(v[0] == pf_moments_ccc_double(yhat, y, 4) && v[1] == pf_metric_rmse(yhat, y, 4) &&
                v[2] == pf_metric_pearson(yhat, y, 4));
    assert_near(v[0], 0.8, TOL);
    pf_metric_set_free(ms);
}

/* Two outputs, rows interleaved as the model writes them (arousal, valence):
 *   arousal yhat 1 2 3 4 vs y 2 2 4 4: ccc 0.8, rmse sqrt(0.5), r 1/sqrt(1.25) (hand example);
 *   valence yhat 2 3 4 5 vs y 1 2 3 4: ccc 2.5 / 3.5 = 5/7, rmse 1, r 1 (bias example).
 * mean_ccc = (0.8 + 5/7) / 2 = 53/70, and exactly the mean of the two pf_moments_ccc values. A
 * column read with the wrong stride mixes the outputs and breaks every number. */
static void test_eval_regression_two(void **state)
{
    (void)state;
    pf_error err;
    pf_error_clear(&err);
    char *names[] = {"arousal", "valence"};
    pf_metric_set *ms = pf_metric_set_alloc(PF_TASK_REGRESSION, 2, names, 0, &err);
    const double out[] = {1, 2, 2, 3, 3, 4, 4, 5}, y[] = {2, 1, 2, 2, 4, 3, 4, 4};
    const double a_hat[] = {1, 2, 3, 4}, a[] = {2, 2, 4, 4}, v_hat[] = {2, 3, 4, 5},
                 v_y[] = {1, 2, 3, 4};
    double v[9];
    assert_int_equal(pf_metric_set_eval(ms, out, y, 4, v, &err), PF_OK);
    assert_near(v[0], 0.8, TOL);
    assert_near(v[1], sqrt(0.5), TOL);
    assert_near(v[2], 1.0 / sqrt(1.25), TOL);
    assert_near(v[3], 5.0 / 7.0, TOL);
    assert_near(v[4], 1.0, TOL);
    assert_near(v[5], 1.0, TOL);
    assert_near(v[6], 53.0 / 70.0, TOL);
    assert_true(v[6] ==
                (pf_moments_ccc_double(a_hat, a, 4) + pf_moments_ccc_double(v_hat, v_y, 4)) / 2.0);
    assert_true(v[6] == (v[0] + v[3]) / 2.0);
    assert_near(v[7], (sqrt(0.5) + 1.0) / 2.0, TOL);
    assert_near(v[8], (1.0 / sqrt(1.25) + 1.0) / 2.0, TOL);
    pf_metric_set_free(ms);
}

/* Logits whose argmax, ties to the lowest index, is the hand example's y_pred 0 1 1 1 2 0:
 * row 0 ties classes 0 and 1 -> 0; row 1 ties 1 and 2 -> 1; row 3 ties 1 and 2 -> 1; row 5
 * ties all -> 0. So accuracy 4/6, balanced accuracy 2/3, macro F1 59/90 as above. (Ties to the
 * highest index would predict 1 2 1 2 2 2: accuracy 3/6.) */
static void test_eval_classification(void **state)
{
    (void)state;
    pf_error err;
    pf_error_clear(&err);
    pf_metric_set *ms = pf_metric_set_alloc(PF_TASK_CLASSIFICATION, 1, NULL, 3, &err);
    double logits[] = {2, 2, 1, 0, 1, 1, 0, 5, 0, -1, 0.5, 0.5, 0, 0, 3, 4, 4, 4};
    const double truth[] = {0, 0, 1, 1, 2, 2};
    double v[3];
    assert_int_equal(pf_metric_set_eval(ms, logits, truth, 6, v, &err), PF_OK);
    assert_near(v[0], 4.0 / 6.0, TOL);
    assert_near(v[1], 2.0 / 3.0, TOL);
    assert_near(v[2], 59.0 / 90.0, TOL);

    /* one NaN logit: the model diverged, every value NaN rather than a chance-like score */
    logits[7] = NAN;
    assert_int_equal(pf_metric_set_eval(ms, logits, truth, 6, v, &err), PF_OK);
    assert_true(isnan(v[0]) && isnan(v[1]) && isnan(v[2]));
    logits[7] = 5;

    /* a class index that is not one: a bug upstream, reported */
    const double frac[] = {0, 0, 1, 1.5, 2, 2}, big[] = {0, 0, 1, 3, 2, 2};
    assert_int_equal(pf_metric_set_eval(ms, logits, frac, 6, v, &err), PF_ERUNTIME);
    pf_error_clear(&err);
    assert_int_equal(pf_metric_set_eval(ms, logits, big, 6, v, &err), PF_ERUNTIME);
    assert_non_null(strstr(err.msg, "window 3"));
    pf_error_clear(&err);

    /* no windows: NaN, not a failure */
    assert_int_equal(pf_metric_set_eval(ms, logits, truth, 0, v, &err), PF_OK);
    assert_true(isnan(v[0]) && isnan(v[1]) && isnan(v[2]));
    pf_metric_set_free(ms);
}

/* The task-shape table (config/task.h) agrees with itself and with the registries it names:
 * each shape is found from its task and target count, trains with losses that read what it
 * predicts (class indices or values), reports its primary metric, and has one output per
 * class or per target. */
static void test_task_shapes(void **state)
{
    (void)state;
    pf_error err = {0};
    assert_int_equal(pf_task_shape_of(PF_TASK_REGRESSION, 1)->bit, PF_SHAPE_REG1);
    assert_int_equal(pf_task_shape_of(PF_TASK_REGRESSION, 3)->bit, PF_SHAPE_REGK);
    assert_int_equal(pf_task_shape_of(PF_TASK_CLASSIFICATION, 1)->bit, PF_SHAPE_CLASS);
    size_t n;
    const pf_task_shape *list = pf_task_list(&n);
    assert_int_equal(n, 3);
    char *names[2] = {"arousal", "valence"};
    for (size_t i = 0; i < n; i++) {
        const pf_task_shape *s = &list[i];
        assert_ptr_equal(pf_task_shape_of(s->task, s->min_targets), s);
        assert_true(s->losses & (1u << s->default_loss));
        for (unsigned l = 0; l < 32; l++)
            if (s->losses & (1u << l)) assert_int_equal(pf_loss_labels((pf_loss)l), s->labels);
        size_t K = s->labels ? 1 : s->min_targets, C = s->labels ? 3 : 0;
        assert_int_equal(pf_task_outputs(s, K, C), s->labels ? C : K);
        pf_metric_set *ms = pf_metric_set_alloc(s->task, K, K > 1 ? names : NULL, C, &err);
        assert_non_null(ms);
        size_t primary;
        assert_int_equal(pf_metric_set_primary(ms, "auto", &primary, &err), PF_OK);
        assert_string_equal(ms->slot[primary].name, s->primary);
        assert_ptr_equal(ms->shape, s);
        pf_metric_set_free(ms);
        pf_task_kind back;
        assert_true(pf_task_from_name(pf_task_name(s->task), &back));
        assert_int_equal(back, s->task);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_example),
        cmocka_unit_test(test_task_shapes),
        cmocka_unit_test(test_symmetric),
        cmocka_unit_test(test_perfect_agreement),
        cmocka_unit_test(test_bias_lowers_ccc_not_pearson),
        cmocka_unit_test(test_constant_prediction),
        cmocka_unit_test(test_both_constant),
        cmocka_unit_test(test_negative_ccc),
        cmocka_unit_test(test_empty_is_nan),
        cmocka_unit_test(test_float_and_double_moments_agree),
        cmocka_unit_test(test_unit_and_offset_invariant),
        cmocka_unit_test(test_class_hand_example),
        cmocka_unit_test(test_class_one_true_class),
        cmocka_unit_test(test_class_never_predicted),
        cmocka_unit_test(test_class_predicted_not_true),
        cmocka_unit_test(test_class_perfect_and_degenerate),
        cmocka_unit_test(test_argmax),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_set_names),
        cmocka_unit_test(test_set_chance),
        cmocka_unit_test(test_set_bad_shapes),
        cmocka_unit_test(test_set_primary),
        cmocka_unit_test(test_eval_regression_one),
        cmocka_unit_test(test_eval_regression_two),
        cmocka_unit_test(test_eval_classification),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
