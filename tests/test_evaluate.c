/* test_evaluate.c: the per-participant metrics (CCC, RMSE, Pearson r) and the cross-participant
 * summary, on vectors small enough that the expected values are worked out by hand in the
 * comments. A sign error, a sample-vs-population slip or an off-by-one percentile breaks them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "evaluate.h"

#define TOL 1e-12

/* cmocka's assert_float_equal compares in float; these values need double precision. */
#define assert_near(got, want, tol) near_((got), (want), (tol), #got, __FILE__, __LINE__)

static void near_(double got, double want, double tol, const char *expr, const char *file, int line)
{
    if (got == want || fabs(got - want) <= tol) return;
    print_error("%s = %.17g, expected %.17g (tolerance %g)\n", expr, got, want, tol);
    _fail(file, line);
}

/* yhat = 1 2 3 4, y = 2 2 4 4.
 * means 2.5 and 3; deviations yhat: -1.5 -0.5 0.5 1.5, y: -1 -1 1 1.
 * var yhat = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25; var y = 4 / 4 = 1;
 * cov = (1.5 + 0.5 + 0.5 + 1.5) / 4 = 1; (mean diff)^2 = 0.25.
 * ccc = 2 * 1 / (1.25 + 1 + 0.25) = 0.8; pearson = 1 / sqrt(1.25) = 0.894427190999916;
 * errors -1 0 -1 0: rmse = sqrt(2 / 4) = sqrt(0.5). */
static void test_hand_example(void **state)
{
    (void)state;
    const float yhat[] = {1, 2, 3, 4}, y[] = {2, 2, 4, 4};
    assert_near(pf_ccc(yhat, y, 4), 0.8, TOL);
    assert_near(pf_pearson(yhat, y, 4), 1.0 / sqrt(1.25), TOL);
    assert_near(pf_rmse(yhat, y, 4), sqrt(0.5), TOL);
}

/* CCC is symmetric in its arguments, RMSE too; Pearson as well. */
static void test_symmetric(void **state)
{
    (void)state;
    const float a[] = {0.1f, 0.7f, 0.4f, 0.9f, 0.2f}, b[] = {0.3f, 0.6f, 0.5f, 0.8f, 0.1f};
    assert_near(pf_ccc(a, b, 5), pf_ccc(b, a, 5), TOL);
    assert_near(pf_rmse(a, b, 5), pf_rmse(b, a, 5), TOL);
    assert_near(pf_pearson(a, b, 5), pf_pearson(b, a, 5), TOL);
}

static void test_perfect_agreement(void **state)
{
    (void)state;
    const float y[] = {0.1f, 0.4f, 0.35f, 0.9f, 0.05f};
    assert_near(pf_ccc(y, y, 5), 1.0, TOL);
    assert_near(pf_pearson(y, y, 5), 1.0, TOL);
    assert_near(pf_rmse(y, y, 5), 0.0, 0.0);
}

/* yhat = y + 1, y = 1 2 3 4: var 1.25 each, cov 1.25, shift 1.
 * ccc = 2.5 / (2.5 + 1) = 0.714285714285714: a biased but perfectly correlated model is
 * penalised by CCC, not by Pearson (= 1). rmse = 1. */
static void test_bias_lowers_ccc_not_pearson(void **state)
{
    (void)state;
    const float yhat[] = {2, 3, 4, 5}, y[] = {1, 2, 3, 4};
    assert_near(pf_ccc(yhat, y, 4), 2.5 / 3.5, TOL);
    assert_near(pf_pearson(yhat, y, 4), 1.0, TOL);
    assert_near(pf_rmse(yhat, y, 4), 1.0, TOL);
}

/* Constant prediction 0.5 for y = 0 1 0 1: cov = 0, denominator = 0 + 0.25 + 0 = 0.25 != 0,
 * so ccc = 0 by the formula (not by the special case); Pearson is 0 by convention;
 * rmse = 0.5. */
static void test_constant_prediction(void **state)
{
    (void)state;
    const float yhat[] = {0.5f, 0.5f, 0.5f, 0.5f}, y[] = {0, 1, 0, 1};
    assert_near(pf_ccc(yhat, y, 4), 0.0, 0.0);
    assert_near(pf_pearson(yhat, y, 4), 0.0, 0.0);
    assert_near(pf_rmse(yhat, y, 4), 0.5, TOL);
}

/* Both constant and equal: the denominator is exactly 0, ccc defined as 0 (DESIGN 7).
 * Both constant but different (1 vs 2): denominator (1 - 2)^2 = 1, cov 0, ccc = 0, rmse 1. */
static void test_both_constant(void **state)
{
    (void)state;
    const float c[] = {0.3f, 0.3f, 0.3f, 0.3f, 0.3f};
    assert_false(isnan(pf_ccc(c, c, 5)));
    assert_near(pf_ccc(c, c, 5), 0.0, 0.0);
    assert_near(pf_pearson(c, c, 5), 0.0, 0.0);
    const float one[] = {1, 1}, two[] = {2, 2};
    assert_near(pf_ccc(one, two, 2), 0.0, 0.0);
    assert_near(pf_rmse(one, two, 2), 1.0, TOL);
}

/* yhat = 4 3 1, y = 1 2 3: means 8/3 and 2; deviations 4/3 1/3 -5/3 and -1 0 1.
 * var yhat = (16 + 1 + 25) / 9 / 3 = 14/9; var y = 2/3; cov = (-4/3 + 0 - 5/3) / 3 = -1;
 * shift^2 = 4/9. ccc = -2 / (14/9 + 6/9 + 4/9) = -2 / (8/3) = -0.75.
 * pearson = -1 / sqrt(14/9 * 2/3) = -sqrt(27/28). Reversed order: ccc = -1. */
static void test_negative_ccc(void **state)
{
    (void)state;
    const float yhat[] = {4, 3, 1}, y[] = {1, 2, 3}, rev[] = {3, 2, 1};
    assert_near(pf_ccc(yhat, y, 3), -0.75, TOL);
    assert_near(pf_pearson(yhat, y, 3), -sqrt(27.0 / 28.0), TOL);
    assert_near(pf_ccc(rev, y, 3), -1.0, TOL);
}

static void test_empty_is_nan(void **state)
{
    (void)state;
    const float y[] = {1};
    assert_true(isnan(pf_ccc(y, y, 0)));
    assert_true(isnan(pf_rmse(y, y, 0)));
    assert_true(isnan(pf_pearson(y, y, 0)));
}

/* v = 0.9 0.1 0.5 0.3 0.7, sorted 0.1 0.3 0.5 0.7 0.9.
 * mean 0.5; squared deviations 0.16 0.04 0 0.04 0.16 sum 0.4, / (n-1 = 4) = 0.1, sd = sqrt(0.1).
 * median 0.5; p10: h = (5 - 1) * 0.1 = 0.4 -> 0.1 + 0.4 * (0.3 - 0.1) = 0.18.
 * min 0.1, max 0.9, gap 0.8. (numpy.percentile(v, 10) = 0.18.) */
static void test_summary_odd(void **state)
{
    (void)state;
    const double v[] = {0.9, 0.1, 0.5, 0.3, 0.7};
    pf_summary s;
    pf_summary_compute(v, 5, &s);
    assert_int_equal(s.n, 5);
    assert_near(s.mean, 0.5, TOL);
    assert_near(s.sd, sqrt(0.1), TOL);
    assert_near(s.median, 0.5, TOL);
    assert_near(s.p10, 0.18, TOL);
    assert_near(s.min, 0.1, 0.0);
    assert_near(s.max, 0.9, 0.0);
    assert_near(s.gap, 0.8, TOL);
    assert_near(v[0], 0.9, 0.0); /* input untouched */
}

/* v = 4 1 3 2 10 6, sorted 1 2 3 4 6 10. mean 26/6; sum x^2 = 166, so the sum of squared
 * deviations is 166 - 26^2/6 = 53.333..., / (n-1 = 5) = 10.6667, sd = 3.26598632371090.
 * median: h = 5 * 0.5 = 2.5 -> 3 + 0.5 * (4 - 3) = 3.5; p10: h = 0.5 -> 1 + 0.5 = 1.5.
 * gap 9. */
static void test_summary_even(void **state)
{
    (void)state;
    const double v[] = {4, 1, 3, 2, 10, 6};
    pf_summary s;
    pf_summary_compute(v, 6, &s);
    assert_near(s.mean, 26.0 / 6.0, TOL);
    assert_near(s.sd, sqrt((166.0 - 26.0 * 26.0 / 6.0) / 5.0), TOL);
    assert_near(s.sd, 3.2659863237109041, TOL);
    assert_near(s.median, 3.5, TOL);
    assert_near(s.p10, 1.5, TOL);
    assert_near(s.min, 1.0, 0.0);
    assert_near(s.max, 10.0, 0.0);
    assert_near(s.gap, 9.0, 0.0);
}

/* One value: every location statistic is that value, sd (n - 1 = 0) is NaN, gap 0.
 * No values, or a NaN among them: everything NaN. */
static void test_summary_degenerate(void **state)
{
    (void)state;
    const double one[] = {0.42}, bad[] = {0.1, NAN, 0.3};
    pf_summary s;
    pf_summary_compute(one, 1, &s);
    assert_near(s.mean, 0.42, 0.0);
    assert_near(s.median, 0.42, 0.0);
    assert_near(s.p10, 0.42, 0.0);
    assert_near(s.gap, 0.0, 0.0);
    assert_true(isnan(s.sd));
    pf_summary_compute(one, 0, &s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean) && isnan(s.min) && isnan(s.p10));
    pf_summary_compute(bad, 3, &s);
    assert_true(isnan(s.mean) && isnan(s.median) && isnan(s.gap));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_example),
        cmocka_unit_test(test_symmetric),
        cmocka_unit_test(test_perfect_agreement),
        cmocka_unit_test(test_bias_lowers_ccc_not_pearson),
        cmocka_unit_test(test_constant_prediction),
        cmocka_unit_test(test_both_constant),
        cmocka_unit_test(test_negative_ccc),
        cmocka_unit_test(test_empty_is_nan),
        cmocka_unit_test(test_summary_odd),
        cmocka_unit_test(test_summary_even),
        cmocka_unit_test(test_summary_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
