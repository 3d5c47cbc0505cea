/* test_summary.c: the across-participant summary of one metric for one variant, on values
 * small enough to sort and interpolate by hand in the comments. An off-by-one percentile, a
 * population sd, "worst" taken as the minimum of an error metric, or a delta of the wrong sign
 * breaks them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eval/summary.h"
#include "testutil.h"

#define TOL 1e-12

/* ---- pf_summary_compute: direction-free ---- */

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

/* ---- pf_summary_full_compute: direction and deltas ---- */

/* Same identical bits as pf_summary_compute, field for field (existing callers' numbers). */
static void same_summary(const pf_summary *a, const pf_summary *b)
{
    assert_int_equal(a->n, b->n);
    assert_memory_equal(&a->mean, &b->mean, sizeof a->mean);
    assert_memory_equal(&a->sd, &b->sd, sizeof a->sd);
    assert_memory_equal(&a->median, &b->median, sizeof a->median);
    assert_memory_equal(&a->min, &b->min, sizeof a->min);
    assert_memory_equal(&a->p10, &b->p10, sizeof a->p10);
    assert_memory_equal(&a->max, &b->max, sizeof a->max);
    assert_memory_equal(&a->gap, &b->gap, sizeof a->gap);
}

/* v = 0.9 0.1 0.5 0.3 0.7 (sorted 0.1 0.3 0.5 0.7 0.9): p10 = 0.18 (as above);
 * p90: h = 4 * 0.9 = 3.6 -> 0.7 + 0.6 * (0.9 - 0.7) = 0.82.
 * Higher is better (CCC): worst = min 0.1, best 0.9, bad tail = p10 = 0.18.
 * Lower is better (RMSE): worst = max 0.9, best 0.1, bad tail = p90 = 0.82. */
static void test_full_direction(void **state)
{
    (void)state;
    const double v[] = {0.9, 0.1, 0.5, 0.3, 0.7};
    pf_summary plain;
    pf_summary_full up, down;
    pf_summary_compute(v, 5, &plain);
    pf_summary_full_compute(v, NULL, 5, 1, &up);
    pf_summary_full_compute(v, NULL, 5, 0, &down);
    same_summary(&up.s, &plain);
    same_summary(&down.s, &plain);
    assert_true(up.higher_is_better);
    assert_false(down.higher_is_better);
    assert_near(up.p90, 0.82, TOL);
    assert_near(up.worst, 0.1, 0.0);
    assert_near(up.best, 0.9, 0.0);
    assert_near(up.tail, 0.18, TOL);
    assert_near(down.worst, 0.9, 0.0);
    assert_near(down.best, 0.1, 0.0);
    assert_near(down.tail, 0.82, TOL);
    assert_near(down.p90, 0.82, TOL);
    /* without dense values there is no delta */
    assert_true(isnan(up.delta_mean) && isnan(up.delta_worst));
}

/* variant v = 0.5 0.4 0.8 0.2, dense = 0.6 0.6 0.7 0.5 (same participants, same order):
 * v - dense = -0.1 -0.2 +0.1 -0.3, mean -0.5 / 4 = -0.125.
 * As CCC (higher better) the worst delta is the most negative, -0.3 (participant 4 lost most).
 * As RMSE (lower better) the same numbers mean participant 3's error grew by 0.1, the worst
 * delta is the largest, +0.1. The mean delta has no direction. */
static void test_full_delta(void **state)
{
    (void)state;
    const double v[] = {0.5, 0.4, 0.8, 0.2}, dense[] = {0.6, 0.6, 0.7, 0.5};
    pf_summary_full up, down;
    pf_summary_full_compute(v, dense, 4, 1, &up);
    pf_summary_full_compute(v, dense, 4, 0, &down);
    assert_near(up.delta_mean, -0.125, TOL);
    assert_near(up.delta_worst, -0.3, TOL);
    assert_near(down.delta_mean, -0.125, TOL);
    assert_near(down.delta_worst, 0.1, TOL);
    /* bit for bit what results.c got by summarising the differences itself */
    double d[4];
    for (size_t i = 0; i < 4; i++) d[i] = v[i] - dense[i];
    pf_summary ds;
    pf_summary_compute(d, 4, &ds);
    assert_memory_equal(&up.delta_mean, &ds.mean, sizeof ds.mean);
    assert_memory_equal(&up.delta_worst, &ds.min, sizeof ds.min);
    assert_memory_equal(&down.delta_worst, &ds.max, sizeof ds.max);
    /* the dense model against itself: no change */
    pf_summary_full_compute(dense, dense, 4, 1, &up);
    assert_near(up.delta_mean, 0.0, 0.0);
    assert_near(up.delta_worst, 0.0, 0.0);
    /* inputs untouched */
    assert_near(v[0], 0.5, 0.0);
    assert_near(dense[3], 0.5, 0.0);
}

/* A NaN among the variant's values: everything NaN (as pf_summary_compute); a NaN among the
 * dense values: the summary stands, the deltas are NaN. No values: NaN with n = 0. */
static void test_full_nan(void **state)
{
    (void)state;
    const double v[] = {0.5, 0.4, 0.8}, bad[] = {0.5, NAN, 0.8};
    pf_summary_full f;
    pf_summary_full_compute(bad, v, 3, 1, &f);
    assert_int_equal(f.s.n, 3);
    assert_true(isnan(f.s.mean) && isnan(f.worst) && isnan(f.tail) && isnan(f.delta_mean));
    pf_summary_full_compute(v, bad, 3, 0, &f);
    assert_near(f.s.mean, (0.5 + 0.4 + 0.8) / 3.0, TOL);
    assert_near(f.worst, 0.8, 0.0);
    assert_true(isnan(f.delta_mean) && isnan(f.delta_worst));
    pf_summary_full_compute(v, v, 0, 1, &f);
    assert_int_equal(f.s.n, 0);
    assert_true(isnan(f.s.mean) && isnan(f.best) && isnan(f.p90) && isnan(f.delta_mean));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_odd),        cmocka_unit_test(test_summary_even),
        cmocka_unit_test(test_summary_degenerate), cmocka_unit_test(test_full_direction),
        cmocka_unit_test(test_full_delta),         cmocka_unit_test(test_full_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
