/* test_stats.c: every test in stats.c against a published worked example, with the source
 * next to the numbers. Published values are matched to the digits they were printed with;
 * each p-value is also pinned to 1e-6 or better against an independent implementation
 * (scipy 1.10.1 on the same input, the call written next to the constant). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "stats/stats.h"

#define P_TOL 1e-6
#define TIGHT 1e-9

/* cmocka's assert_float_equal compares in float; these values need double precision. */
#define assert_near(got, want, tol) near_((got), (want), (tol), #got, __FILE__, __LINE__)

static void near_(double got, double want, double tol, const char *expr, const char *file, int line)
{
    if (got == want || fabs(got - want) <= tol) return;
    print_error("%s = %.17g, expected %.17g (tolerance %g)\n", expr, got, want, tol);
    _fail(file, line);
}

/* ---- data sets ---- */

/* Hollander & Wolfe (1973), Nonparametric Statistical Methods, p. 29f (also the example of
 * R's wilcox.test): Hamilton depression scale, 9 patients, first (x) and second (y) visit. */
static const double hw_x[] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
static const double hw_y[] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};

/* Student (1908) / Cushny & Peebles sleep data (R's `sleep`): extra hours of sleep of 10
 * patients under drug 1 and drug 2. */
static const double sleep1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
static const double sleep2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

/* ---- Wilcoxon signed-rank ---- */

/* d = x - y = 0.952 -0.147 1.022 0.43 0.62 0.59 0.49 -0.08 0.01: no zeros, no ties.
 * Ranks of |d|: 8 3 9 4 7 6 5 2 1 -> W+ = 8+9+4+7+6+5+1 = 40, W- = 3+2 = 5, W = 5.
 * Exact: subsets of {1..9} with sum <= 5 number 1+1+1+2+2+3 = 10 of 2^9 = 512, so
 * two-sided p = 2 * 10/512 = 0.0390625 (R: V = 40, one-sided p = 0.01953; H&W table).
 * scipy.stats.wilcoxon(x, y, method='exact') -> statistic 5, p 0.0390625. */
static void test_wilcoxon_exact_hollander_wolfe(void **state)
{
    (void)state;
    pf_wilcoxon_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_wilcoxon(hw_x, hw_y, 9, &r, &err), PF_OK);
    assert_int_equal(r.test.status, PF_TEST_OK);
    assert_int_equal(r.test.dist, PF_DIST_EXACT);
    assert_int_equal(r.test.n, 9);
    assert_int_equal(r.n_zero, 0);
    assert_false(r.ties);
    assert_near(r.w_plus, 40.0, 0.0);
    assert_near(r.w_minus, 5.0, 0.0);
    assert_near(r.test.statistic, 5.0, 0.0);
    assert_near(r.test.p_value, 0.0390625, 1e-15);
    assert_near(r.test.effect_size, 35.0 / 45.0, 1e-15); /* (40 - 5) / 45 */
    assert_true(isnan(r.z));
    /* Swapping x and y swaps W+ and W-, keeps W and p, flips the effect's sign. */
    assert_int_equal(pf_stats_wilcoxon(hw_y, hw_x, 9, &r, &err), PF_OK);
    assert_near(r.w_plus, 5.0, 0.0);
    assert_near(r.test.p_value, 0.0390625, 1e-15);
    assert_near(r.test.effect_size, -35.0 / 45.0, 1e-15);
}

/* Sleep data: d = -1.2 -2.4 -1.3 -1.3 0 -1.0 -1.8 -0.8 -4.6 -1.4. One zero (dropped, n = 9)
 * and a tie at 1.3 (ranks 4.5, 4.5), so the normal branch: W+ = 0, W- = 45, mean 22.5,
 * var = 9*10*19/24 - (2^3 - 2)/48 = 71.25 - 0.125 = 71.125, z = (0 - 22.5 + 0.5)/sqrt(71.125)
 * = -2.608624, p = 0.009091. Published: R, wilcox.test(extra ~ group, data = sleep,
 * paired = TRUE) prints "V = 0, p-value = 0.009091". scipy.stats.wilcoxon(sleep1, sleep2,
 * zero_method='wilcox', correction=True, method='approx') -> p 0.0090906980159250542,
 * z -2.6086243336065098. */
static void test_wilcoxon_ties_and_zero_sleep(void **state)
{
    (void)state;
    pf_wilcoxon_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_wilcoxon(sleep1, sleep2, 10, &r, &err), PF_OK);
    assert_int_equal(r.test.status, PF_TEST_OK);
    assert_int_equal(r.test.dist, PF_DIST_NORMAL);
    assert_int_equal(r.test.n, 9);
    assert_int_equal(r.n_zero, 1);
    assert_true(r.ties);
    assert_near(r.w_plus, 0.0, 0.0);
    assert_near(r.w_minus, 45.0, 0.0);
    assert_near(r.test.statistic, 0.0, 0.0);
    assert_near(r.test.p_value, 0.009091, 5e-7);               /* R's printed digits */
    assert_near(r.test.p_value, 0.0090906980159250542, 1e-12); /* scipy */
    assert_near(r.z, -2.6086243336065098, 1e-12);
    assert_near(r.test.effect_size, -1.0, 0.0);
}

/* n = 60 > 50 without ties: x_i = 0.25 i s_i, y_i = 0 with s_i = +1 when (7 i mod 11) < 6,
 * else -1 (i = 1..60). |d| has ranks i, so W+ = 992 and W- = 838 are sums of i by sign.
 * mean 60*61/4 = 915, var = 60*61*121/24 = 18452.5, z = (838 - 915 + 0.5)/sqrt(18452.5)
 * = -0.563163. scipy.stats.wilcoxon(x, y, correction=True, method='approx') ->
 * statistic 838, p 0.57332414741492399, z -0.56316262962442798. */
static void test_wilcoxon_large_n_normal(void **state)
{
    (void)state;
    double x[60], y[60];
    for (int i = 1; i <= 60; i++) {
        x[i - 1] = 0.25 * i * ((7 * i) % 11 < 6 ? 1.0 : -1.0);
        y[i - 1] = 0.0;
    }
    pf_wilcoxon_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_wilcoxon(x, y, 60, &r, &err), PF_OK);
    assert_int_equal(r.test.dist, PF_DIST_NORMAL);
    assert_false(r.ties);
    assert_near(r.w_plus, 992.0, 0.0);
    assert_near(r.w_minus, 838.0, 0.0);
    assert_near(r.test.statistic, 838.0, 0.0);
    assert_near(r.z, -0.56316262962442798, 1e-12);
    assert_near(r.test.p_value, 0.57332414741492399, 1e-12);
    assert_near(r.test.effect_size, (992.0 - 838.0) / 1830.0, 1e-15);
}

/* Zeros but no ties among the rest: d = 0 1 -2 7 0 3.5 6.5 0 -5.5 7.5 12 -> n = 8 nonzero.
 * Ranks of |d|: 1 2 6 3 5 4 7 8, W- = 2 + 4 = 6 = W. The exact branch applies (DESIGN 8: zeros
 * are dropped first; R and scipy's "auto" would switch to the normal approximation, p
 * 0.1073276). Exact: subsets of {1..8} with sum <= 6 number 1+1+1+2+2+3+4 = 14, p = 2 * 14/256
 * = 0.109375 = scipy.stats.wilcoxon(d[d != 0], method='exact'). */
static void test_wilcoxon_exact_after_dropping_zeros(void **state)
{
    (void)state;
    const double x[] = {3, 5, 2, 8, 7, 4, 9, 6, 1, 10, 12};
    const double y[] = {3, 4, 4, 1, 7, 0.5, 2.5, 6, 6.5, 2.5, 0};
    pf_wilcoxon_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_wilcoxon(x, y, 11, &r, &err), PF_OK);
    assert_int_equal(r.test.dist, PF_DIST_EXACT);
    assert_int_equal(r.test.n, 8);
    assert_int_equal(r.n_zero, 3);
    assert_near(r.w_minus, 6.0, 0.0);
    assert_near(r.w_plus, 30.0, 0.0);
    assert_near(r.test.p_value, 0.109375, 1e-15);
}

/* All differences zero, or no pairs: not testable, p NaN (never 1). One nonzero pair is
 * testable but can show nothing: W = 0, P(W <= 0) = 1/2, p = 1. */
static void test_wilcoxon_too_few(void **state)
{
    (void)state;
    const double x[] = {0.5, 0.6, 0.7, 0.8};
    pf_wilcoxon_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_wilcoxon(x, x, 4, &r, &err), PF_OK);
    assert_int_equal(r.test.status, PF_TEST_TOO_FEW);
    assert_int_equal(r.test.n, 0);
    assert_int_equal(r.n_zero, 4);
    assert_true(isnan(r.test.p_value));
    assert_int_equal(pf_stats_wilcoxon(x, x, 0, &r, &err), PF_OK);
    assert_int_equal(r.test.status, PF_TEST_TOO_FEW);
    assert_true(isnan(r.test.p_value));
    const double one_x[] = {1.0}, one_y[] = {0.5};
    assert_int_equal(pf_stats_wilcoxon(one_x, one_y, 1, &r, &err), PF_OK);
    assert_int_equal(r.test.status, PF_TEST_OK);
    assert_near(r.test.p_value, 1.0, 0.0);
}

static void test_wilcoxon_rejects_nan(void **state)
{
    (void)state;
    const double x[] = {1.0, NAN}, y[] = {0.0, 0.0};
    pf_wilcoxon_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_wilcoxon(x, y, 2, &r, &err), PF_EINPUT);
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "x[1]"));
}

/* ---- paired t ---- */

/* Student's sleep data, the example of R's t.test: "t = -4.0621, df = 9, p-value = 0.002833",
 * mean difference -1.58. scipy.stats.ttest_rel(sleep1, sleep2) -> t -4.0621276833820366,
 * p 0.0028328901973842702; d_z = -1.58 / sd(d) = -1.2845575625910546 (numpy). */
static void test_paired_t_sleep(void **state)
{
    (void)state;
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_paired_t(sleep1, sleep2, 10, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_OK);
    assert_int_equal(r.dist, PF_DIST_T);
    assert_near(r.df1, 9.0, 0.0);
    assert_near(r.statistic, -4.0621, 5e-5); /* R's printed digits */
    assert_near(r.p_value, 0.002833, 5e-7);  /* R's printed digits */
    assert_near(r.statistic, -4.0621276833820366, 1e-10);
    assert_near(r.p_value, 0.0028328901973842702, 1e-12);
    assert_near(r.effect_size, -1.2845575625910546, 1e-12);
}

/* Constant differences (x = y + 0.1 with rounding noise, or x = y): flagged, p NaN.
 * One pair: too few. */
static void test_paired_t_degenerate(void **state)
{
    (void)state;
    const double y[] = {0.3, 0.7, 0.2, 0.9};
    double x[4];
    for (int i = 0; i < 4; i++) x[i] = y[i] + 0.1;
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_paired_t(x, y, 4, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_CONSTANT);
    assert_true(isnan(r.p_value));
    assert_int_equal(pf_stats_paired_t(y, y, 4, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_CONSTANT);
    assert_int_equal(pf_stats_paired_t(x, y, 1, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_TOO_FEW);
    assert_true(isnan(r.p_value));
}

/* ---- Pitman-Morgan ---- */

/* Machine data of the R package PairedData's pitman.morgan.test example as run in a public
 * script ("p-value = 0.0002258"). Independently (numpy/scipy): r = corr(x+y, x-y) =
 * -0.97304448698422, t = r sqrt(5 / (1 - r^2)) = -9.4346427284007692, p = 2 P(T5 > |t|) =
 * 0.00022582520857188191; the Snedecor & Cochran form t = (F - 1) sqrt(n - 2) /
 * (2 sqrt(F (1 - r_xy^2))) gives the same t. Variance ratio F = 0.015965285737678081. */
static void test_pitman_morgan_machine(void **state)
{
    (void)state;
    const double am[] = {10.8, 11.0, 10.4, 10.3, 11.3, 10.2, 11.1};
    const double pm[] = {10.8, 10.6, 11, 10.9, 10.9, 10.7, 1.8};
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_pitman_morgan(am, pm, 7, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_OK);
    assert_near(r.df1, 5.0, 0.0);
    assert_near(r.p_value, 0.0002258, 5e-8); /* published digits */
    assert_near(r.statistic, -9.4346427284007692, 1e-9);
    assert_near(r.p_value, 0.00022582520857188191, 1e-12);
    assert_near(r.effect_size, 0.015965285737678081, 1e-12);
}

/* Sleep data, checked the same way: t = -0.52636267510635226, p = 0.61291287746108503,
 * var(sleep1) / var(sleep2) = 0.79834261799839235. Swapping x and y flips t, keeps p. */
static void test_pitman_morgan_sleep(void **state)
{
    (void)state;
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_pitman_morgan(sleep1, sleep2, 10, &r, &err), PF_OK);
    assert_near(r.statistic, -0.52636267510635226, 1e-10);
    assert_near(r.p_value, 0.61291287746108503, 1e-10);
    assert_near(r.effect_size, 0.79834261799839235, 1e-12);
    assert_int_equal(pf_stats_pitman_morgan(sleep2, sleep1, 10, &r, &err), PF_OK);
    assert_near(r.statistic, 0.52636267510635226, 1e-10);
    assert_near(r.effect_size, 1.0 / 0.79834261799839235, 1e-12);
}

/* y constant, x not: corr(x+y, x-y) = 1, t = +inf, p = 0, ratio inf. x - y constant: 0/0,
 * flagged. Two pairs: too few (df = 0). */
static void test_pitman_morgan_degenerate(void **state)
{
    (void)state;
    const double x[] = {1, 2, 4, 8}, c[] = {3, 3, 3, 3}, x1[] = {2, 3, 5, 9};
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_pitman_morgan(x, c, 4, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_OK);
    assert_true(isinf(r.statistic) && r.statistic > 0);
    assert_near(r.p_value, 0.0, 0.0);
    assert_true(isinf(r.effect_size));
    assert_int_equal(pf_stats_pitman_morgan(x1, x, 4, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_CONSTANT);
    assert_true(isnan(r.p_value));
    assert_int_equal(pf_stats_pitman_morgan(x, x1, 2, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_TOO_FEW);
}

/* ---- Friedman, Iman-Davenport, Nemenyi ---- */

/* Hollander & Wolfe (1973), p. 140ff (R's friedman.test example): 22 players x 3 ways of
 * rounding first base (round out, narrow angle, wide angle); times in seconds, with ties.
 * R prints "Friedman chi-squared = 11.143, df = 2, p-value = 0.003805".
 * scipy.stats.friedmanchisquare -> 11.142857142857132 (= 78/7), p 0.003805040775511383.
 * Iman-Davenport F = 21 chi2 / (44 - chi2) = 7.121739130434773, df (2, 42),
 * p = scipy.stats.f.sf(F, 2, 42) = 0.0021712983876075393. Average ranks (1 = fastest)
 * 2.4090909 2.1363636 1.4545455; Kendall's W = chi2 / 44 = 0.253246753246753. */
static const double rounding[22 * 3] = {
    5.40, 5.50, 5.55, 5.85, 5.70, 5.75, 5.20, 5.60, 5.50, 5.55, 5.50, 5.40, 5.90, 5.85,
    5.70, 5.45, 5.55, 5.60, 5.40, 5.40, 5.35, 5.45, 5.50, 5.35, 5.25, 5.15, 5.00, 5.85,
    5.80, 5.70, 5.25, 5.20, 5.10, 5.65, 5.55, 5.45, 5.60, 5.35, 5.45, 5.05, 5.00, 4.95,
    5.50, 5.50, 5.40, 5.45, 5.55, 5.50, 5.55, 5.55, 5.35, 5.45, 5.50, 5.55, 5.50, 5.45,
    5.25, 5.65, 5.60, 5.40, 5.70, 5.65, 5.55, 6.30, 6.30, 6.25};

static void test_friedman_rounding_first_base(void **state)
{
    (void)state;
    pf_friedman_result r;
    double avg[3];
    pf_error err = {0};
    assert_int_equal(pf_stats_friedman(rounding, 22, 3, 0, 0.05, avg, &r, &err), PF_OK);
    assert_int_equal(r.chi2.status, PF_TEST_OK);
    assert_int_equal(r.chi2.dist, PF_DIST_CHISQ);
    assert_near(r.chi2.df1, 2.0, 0.0);
    assert_near(r.chi2.statistic, 11.143, 5e-4); /* R's printed digits */
    assert_near(r.chi2.p_value, 0.003805, 5e-7);
    assert_near(r.chi2.statistic, 78.0 / 7.0, 1e-10);
    assert_near(r.chi2.p_value, 0.003805040775511383, 1e-12);
    assert_near(r.chi2.effect_size, 0.253246753246753, 1e-12);
    assert_int_equal(r.f.dist, PF_DIST_F);
    assert_near(r.f.df1, 2.0, 0.0);
    assert_near(r.f.df2, 42.0, 0.0);
    assert_near(r.f.statistic, 7.121739130434773, 1e-10);
    assert_near(r.f.p_value, 0.0021712983876075393, 1e-12);
    assert_near(avg[0], 53.0 / 22.0, 1e-12);
    assert_near(avg[1], 47.0 / 22.0, 1e-12);
    assert_near(avg[2], 32.0 / 22.0, 1e-12);
}

/* Demsar (2006), JMLR 7, Table 6: AUC of C4.5, C4.5+m, C4.5+cf, C4.5+m+cf on 14 data sets.
 * The table prints 0.975 twice in the "voting" row but ranks those entries 2 and 3, so the
 * unrounded values differ; 0.97501 reproduces the paper's ranks (a tie would give 2.5, 2.5).
 * Published (p. 13): average ranks 3.143 2.000 2.893 1.964 (rank 1 = best), chi2_F = 9.28,
 * F_F = 3.69, and with q_0.05 = 2.569 the Nemenyi CD = 1.25. Demsar computes chi2_F from the
 * average ranks without the tie correction (the "mushroom" row is a 4-way tie and "lung cancer",
 * "iris", "primary tumor" hold 2-way ties), so his 9.28 is recovered from our average ranks,
 * while our chi2 is the tie-corrected one: scipy.stats.friedmanchisquare on the same matrix
 * -> 10.228346456692925, p 0.016721580328441323; F = 13 chi2/(42 - chi2) = 4.1851301115241695,
 * p = scipy.stats.f.sf(F, 3, 39) = 0.011620659515310954. */
static const double demsar[14 * 4] = {
    0.763, 0.768, 0.771,   0.798, 0.599, 0.591, 0.590, 0.569, 0.954, 0.971, 0.968, 0.967,
    0.628, 0.661, 0.654,   0.657, 0.882, 0.888, 0.886, 0.898, 0.936, 0.931, 0.916, 0.931,
    0.661, 0.668, 0.609,   0.685, 0.583, 0.583, 0.563, 0.625, 0.775, 0.838, 0.866, 0.875,
    1.000, 1.000, 1.000,   1.000, 0.940, 0.962, 0.965, 0.962, 0.619, 0.666, 0.614, 0.669,
    0.972, 0.981, 0.97501, 0.975, 0.957, 0.978, 0.946, 0.970};

static void test_friedman_demsar(void **state)
{
    (void)state;
    pf_friedman_result r;
    double avg[4];
    pf_error err = {0};
    assert_int_equal(pf_stats_friedman(demsar, 14, 4, 1, 0.05, avg, &r, &err), PF_OK);
    assert_near(avg[0], 3.143, 5e-4);
    assert_near(avg[1], 2.000, 5e-4);
    assert_near(avg[2], 2.893, 5e-4);
    assert_near(avg[3], 1.964, 5e-4);
    assert_near(avg[0], 44.0 / 14.0, 1e-12);
    assert_near(avg[2], 40.5 / 14.0, 1e-12);
    /* Demsar's eq.: chi2_F = 12N/(k(k+1)) [sum R_j^2 - k(k+1)^2/4], F_F = (N-1)chi2/(N(k-1)-chi2)
     */
    double ss = 0.0;
    for (int j = 0; j < 4; j++) ss += avg[j] * avg[j];
    double chi2_untied = 12.0 * 14.0 / 20.0 * (ss - 4.0 * 25.0 / 4.0);
    assert_near(chi2_untied, 9.28, 5e-3);
    assert_near(13.0 * chi2_untied / (42.0 - chi2_untied), 3.69, 5e-3);
    assert_near(r.chi2.statistic, 10.228346456692925, 1e-10);
    assert_near(r.chi2.p_value, 0.016721580328441323, 1e-12);
    assert_near(r.f.statistic, 4.1851301115241695, 1e-10);
    assert_near(r.f.df1, 3.0, 0.0);
    assert_near(r.f.df2, 39.0, 0.0);
    assert_near(r.f.p_value, 0.011620659515310954, 1e-12);
    assert_near(r.q_alpha, 2.569, 5e-4);
    assert_near(r.cd, 1.25, 5e-3);
    /* scipy: studentized_range.ppf(0.95, 4, inf)/sqrt(2) * sqrt(20/84) */
    assert_near(r.cd, 1.2535591471176057, 1e-9);
}

/* Ranking direction changes the average ranks (r -> k + 1 - r), never the test. */
static void test_friedman_direction(void **state)
{
    (void)state;
    pf_friedman_result lo, hi;
    double a_lo[4], a_hi[4];
    pf_error err = {0};
    assert_int_equal(pf_stats_friedman(demsar, 14, 4, 0, 0.05, a_lo, &lo, &err), PF_OK);
    assert_int_equal(pf_stats_friedman(demsar, 14, 4, 1, 0.05, a_hi, &hi, &err), PF_OK);
    for (int j = 0; j < 4; j++) assert_near(a_lo[j], 5.0 - a_hi[j], 1e-12);
    assert_near(lo.chi2.statistic, hi.chi2.statistic, 1e-12);
    assert_near(lo.f.p_value, hi.f.p_value, 1e-14);
}

/* Every row ranks the treatments alike, no ties: chi2 = N(k-1) = 6, Kendall's W = 1,
 * F infinite, p_F = 0. Every row fully tied: 0/0, flagged. One block: too few. */
static void test_friedman_degenerate(void **state)
{
    (void)state;
    const double same[3 * 3] = {1, 2, 3, 4, 5, 6, 0.1, 0.2, 0.3};
    const double tied[2 * 3] = {1, 1, 1, 2, 2, 2};
    pf_friedman_result r;
    double avg[3];
    pf_error err = {0};
    assert_int_equal(pf_stats_friedman(same, 3, 3, 0, 0.05, avg, &r, &err), PF_OK);
    assert_near(r.chi2.statistic, 6.0, 1e-12);
    assert_near(r.chi2.effect_size, 1.0, 1e-12);
    assert_true(isinf(r.f.statistic));
    assert_near(r.f.p_value, 0.0, 0.0);
    assert_near(avg[0], 1.0, 0.0);
    assert_near(avg[2], 3.0, 0.0);
    assert_int_equal(pf_stats_friedman(tied, 2, 3, 0, 0.05, avg, &r, &err), PF_OK);
    assert_int_equal(r.chi2.status, PF_TEST_CONSTANT);
    assert_int_equal(r.f.status, PF_TEST_CONSTANT);
    assert_true(isnan(r.chi2.p_value));
    assert_near(avg[1], 2.0, 0.0);
    assert_int_equal(pf_stats_friedman(same, 1, 3, 0, 0.05, avg, &r, &err), PF_OK);
    assert_int_equal(r.chi2.status, PF_TEST_TOO_FEW);
    assert_true(isnan(r.f.p_value));
    assert_int_equal(pf_stats_friedman(same, 3, 3, 0, 1.5, avg, &r, &err), PF_EINPUT);
}

/* Demsar (2006), Table 5(a): critical values q_alpha for the two-tailed Nemenyi test
 * (studentized range statistic / sqrt(2)), k = 2..10, printed to 3 decimals; two of them
 * (2.343, 2.949) are off by 1 in the last digit, so the published match is to 1e-3. The
 * 1e-8 pin is scipy.stats.studentized_range.ppf(1 - alpha, k, inf) / sqrt(2). k = 2 has the
 * closed form q/sqrt(2) = Phi^-1(1 - alpha/2). */
static void test_nemenyi_demsar_table5(void **state)
{
    (void)state;
    static const double pub05[] = {1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164};
    static const double pub10[] = {1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920};
    static const double sci05[] = {1.9599639845, 2.3437005864, 2.5690317725,
                                   2.7277743709, 2.8497054196, 2.9483200175,
                                   3.0308784496, 3.1017303413, 3.1636835771};
    static const double sci10[] = {1.6448536270, 2.0522927305, 2.2913414969,
                                   2.4595157643, 2.5885206019, 2.6927321010,
                                   2.7798836082, 2.8546064312, 2.9198888401};
    for (size_t k = 2; k <= 10; k++) {
        double q05 = pf_stats_studentized_range_quantile(0.95, k) / sqrt(2.0);
        double q10 = pf_stats_studentized_range_quantile(0.90, k) / sqrt(2.0);
        assert_near(q05, pub05[k - 2], 1e-3);
        assert_near(q10, pub10[k - 2], 1e-3);
        assert_near(q05, sci05[k - 2], 1e-8);
        assert_near(q10, sci10[k - 2], 1e-8);
        /* CD for N = 1 is q_alpha sqrt(k(k+1)/6) */
        assert_near(pf_stats_nemenyi_cd(k, 1, 0.05), q05 * sqrt(k * (k + 1) / 6.0), 1e-12);
    }
    assert_near(pf_stats_studentized_range_quantile(0.95, 2) / sqrt(2.0), 1.959963984540054, 1e-9);
}

/* The CDF itself against scipy.stats.studentized_range.cdf(q, k, inf). */
static void test_studentized_range_cdf(void **state)
{
    (void)state;
    assert_near(pf_stats_studentized_range_cdf(3.0, 4), 0.85372851895234025, 1e-10);
    assert_near(pf_stats_studentized_range_cdf(5.0, 10), 0.9851425621122164, 1e-10);
    assert_near(pf_stats_studentized_range_cdf(1.0, 3), 0.24071264122933875, 1e-10);
    assert_near(pf_stats_studentized_range_cdf(0.0, 3), 0.0, 0.0);
    assert_true(isnan(pf_stats_studentized_range_cdf(1.0, 1)));
    assert_true(isnan(pf_stats_studentized_range_quantile(1.0, 3)));
    assert_true(isnan(pf_stats_nemenyi_cd(4, 0, 0.05)));
}

/* ---- Kruskal-Wallis ---- */

/* Hollander & Wolfe (1999), Table 6.1 (1973 ed. p. 116; the example of R's kruskal.test):
 * efficiency of mucociliary clearance in normal subjects, obstructive airway disease and
 * asbestosis, groups of 5, 4, 5, no ties. Rank sums 36, 36, 33, so H = 12/210 * (36^2/5 +
 * 36^2/4 + 33^2/5) - 45 = 27/35; published (H&W; R prints "Kruskal-Wallis chi-squared =
 * 0.77143, df = 2, p-value = 0.68"): H = 0.771429, p = 0.6800. scipy.stats.kruskal ->
 * 0.7714285714285722, p 0.6799647735788936. epsilon^2 = H / 13. */
static void test_kruskal_wallis_hollander_wolfe(void **state)
{
    (void)state;
    const double x[] = {2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0};
    const size_t g[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2};
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_kruskal_wallis(x, g, 14, 3, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_OK);
    assert_int_equal(r.dist, PF_DIST_CHISQ);
    assert_int_equal(r.n, 14);
    assert_near(r.df1, 2.0, 0.0);
    assert_true(isnan(r.df2));
    assert_near(r.statistic, 0.771429, 5e-7); /* published digits */
    assert_near(r.p_value, 0.6800, 5e-5);
    assert_near(r.statistic, 27.0 / 35.0, 1e-12);
    assert_near(r.statistic, 0.7714285714285722, 1e-12);
    assert_near(r.p_value, 0.6799647735788936, 1e-12);
    assert_near(r.effect_size, 27.0 / 35.0 / 13.0, 1e-14);
}

/* The two examples of scipy.stats.kruskal's docstring (scipy 1.10.1). kruskal([1,3,5,7,9],
 * [2,4,6,8,10]) -> 0.2727272727272734, p 0.6015081344405895 (one df). kruskal([1,1,1],
 * [2,2,2], [2,2]) -> 7.0, p 0.0301973834223185: by hand R = 6, 18, 12, uncorrected H = 5,
 * T = (3^3 - 3) + (5^3 - 5) = 144, 1 - 144/504 = 5/7, H = 7; the groups separate as far
 * as the ties allow, so epsilon^2 = 7 / 7 = 1. */
static void test_kruskal_wallis_scipy_doc(void **state)
{
    (void)state;
    const double x[] = {1, 3, 5, 7, 9, 2, 4, 6, 8, 10};
    const size_t g[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_kruskal_wallis(x, g, 10, 2, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_OK);
    assert_near(r.df1, 1.0, 0.0);
    assert_near(r.statistic, 0.2727272727272734, 1e-12);
    assert_near(r.p_value, 0.6015081344405895, 1e-12);
    assert_near(r.effect_size, 0.2727272727272734 / 9.0, 1e-14);
    const double t[] = {1, 1, 1, 2, 2, 2, 2, 2};
    const size_t tg[] = {0, 0, 0, 1, 1, 1, 2, 2};
    assert_int_equal(pf_stats_kruskal_wallis(t, tg, 8, 3, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_OK);
    assert_near(r.df1, 2.0, 0.0);
    assert_near(r.statistic, 7.0, 1e-12);
    assert_near(r.p_value, 0.0301973834223185, 1e-12);
    assert_near(r.effect_size, 1.0, 1e-14);
}

/* Many ties, as in accuracy changes reported in whole percentage points: 27 participants,
 * groups of 8, 9, 10 over only 6 distinct values. The tie correction (1 - T/(n^3 - n) =
 * 0.93437118437118) moves H from 9.34038800705467 (p 0.00937) to the value below.
 * scipy.stats.kruskal(a, b, c) -> 9.996442702094447, p 0.006749942105838985. */
static const double kw_tied[] = {-2, -1, -1, 0, 0, 0, 0, 1, -1, 0, 0, 0, 1, 1,
                                 1,  2,  2,  0, 0, 1, 1, 1, 2,  2, 2, 2, 3};
static const size_t kw_tied_g[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
                                   1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};

static void test_kruskal_wallis_ties(void **state)
{
    (void)state;
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_kruskal_wallis(kw_tied, kw_tied_g, 27, 3, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_OK);
    assert_int_equal(r.n, 27);
    assert_near(r.df1, 2.0, 0.0);
    assert_near(r.statistic, 9.996442702094447, 1e-9 * 9.996442702094447);
    assert_near(r.p_value, 0.006749942105838985, 1e-9 * 0.006749942105838985);
    assert_near(r.effect_size, 0.384478565465171, 1e-12); /* H / 26 */
}

/* Reordering the observations (with their groups) changes nothing, bit for bit: ranks are
 * half-integers, so every sum is exact in any order. */
static void test_kruskal_wallis_permutation(void **state)
{
    (void)state;
    double x[27];
    size_t g[27];
    for (size_t i = 0; i < 27; i++) { /* 10 is coprime to 27: a permutation */
        x[i] = kw_tied[(10 * i + 7) % 27];
        g[i] = kw_tied_g[(10 * i + 7) % 27];
    }
    pf_test_result a, b;
    pf_error err = {0};
    assert_int_equal(pf_stats_kruskal_wallis(kw_tied, kw_tied_g, 27, 3, &a, &err), PF_OK);
    assert_int_equal(pf_stats_kruskal_wallis(x, g, 27, 3, &b, &err), PF_OK);
    assert_true(x[0] != kw_tied[0] || g[0] != kw_tied_g[0]);
    assert_int_equal(b.status, PF_TEST_OK);
    assert_near(b.statistic, a.statistic, 0.0);
    assert_near(b.p_value, a.p_value, 0.0);
    assert_near(b.effect_size, a.effect_size, 0.0);
    assert_near(b.df1, a.df1, 0.0);
}

/* Unequal groups (4, 7, 3), interleaved. scipy.stats.kruskal([0.012, -0.034, 0.051, -0.008],
 * [-0.041, -0.022, -0.067, 0.003, -0.015, -0.029, -0.052], [0.021, 0.044, -0.001]) ->
 * 6.012925170068023, p 0.049466352647473545. Declaring k = 4 and leaving a group empty
 * (relabel 0, 1, 2 -> 0, 2, 3) must give the same test: k' = 3, df = 2. */
static void test_kruskal_wallis_unequal_and_empty_group(void **state)
{
    (void)state;
    const double x[] = {0.012, -0.041, 0.021,  -0.034, -0.022, 0.051,  -0.067,
                        0.044, 0.003,  -0.008, -0.015, -0.029, -0.001, -0.052};
    const size_t g3[] = {0, 1, 2, 0, 1, 0, 1, 2, 1, 0, 1, 1, 2, 1};
    size_t g4[14];
    for (size_t i = 0; i < 14; i++) g4[i] = g3[i] == 0 ? 0 : g3[i] + 1;
    pf_test_result r3, r4;
    pf_error err = {0};
    assert_int_equal(pf_stats_kruskal_wallis(x, g3, 14, 3, &r3, &err), PF_OK);
    assert_int_equal(r3.status, PF_TEST_OK);
    assert_near(r3.df1, 2.0, 0.0);
    assert_near(r3.statistic, 6.012925170068023, 1e-12);
    assert_near(r3.p_value, 0.049466352647473545, 1e-12);
    assert_near(r3.effect_size, 6.012925170068023 / 13.0, 1e-12);
    assert_int_equal(pf_stats_kruskal_wallis(x, g4, 14, 4, &r4, &err), PF_OK);
    assert_int_equal(r4.status, PF_TEST_OK);
    assert_near(r4.df1, 2.0, 0.0);
    assert_near(r4.statistic, r3.statistic, 0.0);
    assert_near(r4.p_value, r3.p_value, 0.0);
    assert_near(r4.effect_size, r3.effect_size, 0.0);
    /* A k far beyond the groups used only adds empty groups. */
    assert_int_equal(pf_stats_kruskal_wallis(x, g4, 14, 1000, &r4, &err), PF_OK);
    assert_near(r4.p_value, r3.p_value, 0.0);
}

/* One non-empty group, one observation per group (n <= k') or no data: too few. All values
 * tied: the correction divides by 0, constant. Both with p NaN, never 1. */
static void test_kruskal_wallis_degenerate(void **state)
{
    (void)state;
    const double x[] = {0.1, 0.4, 0.2, 0.3};
    const size_t one[] = {2, 2, 2, 2}, split[] = {0, 0, 1, 1}, each[] = {0, 1, 2, 3};
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_kruskal_wallis(x, one, 4, 3, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_TOO_FEW);
    assert_int_equal(r.dist, PF_DIST_NONE);
    assert_int_equal(r.n, 4);
    assert_true(isnan(r.p_value));
    assert_true(isnan(r.statistic));
    assert_true(isnan(r.effect_size));
    assert_int_equal(pf_stats_kruskal_wallis(x, each, 4, 4, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_TOO_FEW);
    assert_true(isnan(r.p_value));
    assert_int_equal(pf_stats_kruskal_wallis(NULL, NULL, 0, 2, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_TOO_FEW);
    assert_true(isnan(r.p_value));
    const double same[] = {0.25, 0.25, 0.25, 0.25};
    assert_int_equal(pf_stats_kruskal_wallis(same, split, 4, 2, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_CONSTANT);
    assert_int_equal(r.dist, PF_DIST_NONE);
    assert_near(r.df1, 1.0, 0.0);
    assert_true(isnan(r.p_value));
    assert_true(isnan(r.statistic));
    /* Two groups of two, fully separated: testable. R = 3, 7, H = 12/20 * 29 - 15 = 2.4,
     * epsilon^2 = 0.8 (ranks still vary within groups). scipy.stats.kruskal([1, 2], [3, 4])
     * -> 2.3999999999999986, p 0.12133525035848367. */
    const double sep[] = {1, 2, 3, 4};
    assert_int_equal(pf_stats_kruskal_wallis(sep, split, 4, 2, &r, &err), PF_OK);
    assert_int_equal(r.status, PF_TEST_OK);
    assert_near(r.statistic, 2.4, 1e-12);
    assert_near(r.p_value, 0.12133525035848367, 1e-12);
    assert_near(r.effect_size, 0.8, 1e-12);
}

static void test_kruskal_wallis_bad_input(void **state)
{
    (void)state;
    const double x[] = {0.1, NAN, 0.3}, ok[] = {0.1, 0.2, 0.3};
    const size_t g[] = {0, 1, 1}, bad_g[] = {0, 1, 2};
    pf_test_result r;
    pf_error err = {0};
    assert_int_equal(pf_stats_kruskal_wallis(x, g, 3, 2, &r, &err), PF_EINPUT);
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "x[1]"));
    pf_error_clear(&err);
    assert_int_equal(pf_stats_kruskal_wallis(ok, bad_g, 3, 2, &r, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "group[2]"));
    pf_error_clear(&err);
    assert_int_equal(pf_stats_kruskal_wallis(ok, NULL, 3, 2, &r, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_stats_kruskal_wallis(NULL, g, 3, 2, &r, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_stats_kruskal_wallis(ok, g, 3, 2, NULL, &err), PF_EINPUT);
}

/* ---- Holm ---- */

/* p = 0.01 0.04 0.03 0.005 NaN: the NaN is no test, m' = 4. Sorted 0.005 0.01 0.03 0.04
 * -> 4*0.005 = 0.02, 3*0.01 = 0.03, 2*0.03 = 0.06, 1*0.04 = 0.04 -> running max 0.06.
 * So adj = 0.03 0.06 0.06 0.02 NaN (R: p.adjust(c(.01,.04,.03,.005), "holm")). */
static void test_holm_hand(void **state)
{
    (void)state;
    const double p[] = {0.01, 0.04, 0.03, 0.005, NAN};
    double adj[5];
    pf_error err = {0};
    assert_int_equal(pf_stats_holm(p, 5, adj, &err), PF_OK);
    assert_near(adj[0], 0.03, 1e-15);
    assert_near(adj[1], 0.06, 1e-15);
    assert_near(adj[2], 0.06, 1e-15);
    assert_near(adj[3], 0.02, 1e-15);
    assert_true(isnan(adj[4]));
}

/* Cap at 1 and in-place use: p = 0.5 0.6 0.3 -> 3*0.3 = 0.9, 2*0.5 = 1.0, 0.6 -> max 1.0. */
static void test_holm_cap_in_place(void **state)
{
    (void)state;
    double p[] = {0.5, 0.6, 0.3};
    pf_error err = {0};
    assert_int_equal(pf_stats_holm(p, 3, p, &err), PF_OK);
    assert_near(p[0], 1.0, 0.0);
    assert_near(p[1], 1.0, 0.0);
    assert_near(p[2], 0.9, 1e-15);
    double bad[] = {0.2, 1.5}, out[2];
    assert_int_equal(pf_stats_holm(bad, 2, out, &err), PF_EINPUT);
    assert_int_equal(pf_stats_holm(bad, 0, out, &err), PF_OK);
}

/* ---- bootstrap ---- */

/* v (12 values, mean 0.575, sd 0.21411551682550833), B = 2000, alpha = 0.05, MT19937 seeded
 * with 42 via gsl_rng_set. Reference: an independent Python replay of the same draws (numpy's
 * MT19937 with legacy seeding 42 yields GSL's raw stream; index = raw / (0xffffffff / 12)
 * rejected when >= 12, as gsl_rng_uniform_int), statistics with numpy, interval with
 * numpy.percentile([2.5, 97.5]) (type 7): mean [0.45916666666666672, 0.68333333333333346],
 * sd [0.11649415316006349, 0.28146427802116725]. */
static void test_bootstrap_pinned(void **state)
{
    (void)state;
    const double v[] = {0.62, 0.71, 0.35, 0.80, 0.55, 0.47, 0.90, 0.12, 0.66, 0.58, 0.73, 0.41};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 42);
    pf_interval m, s, m2, s2;
    pf_error err = {0};
    assert_int_equal(pf_stats_bootstrap_ci(v, 12, 2000, 0.05, rng, &m, &s, &err), PF_OK);
    assert_near(m.lo, 0.45916666666666672, 1e-12);
    assert_near(m.hi, 0.68333333333333346, 1e-12);
    assert_near(s.lo, 0.11649415316006349, 1e-12);
    assert_near(s.hi, 0.28146427802116725, 1e-12);
    assert_true(m.lo < 0.575 && 0.575 < m.hi);
    assert_true(s.lo < 0.21411551682550833 && 0.21411551682550833 < s.hi);
    /* Same seed, same interval, bit for bit. */
    gsl_rng_set(rng, 42);
    assert_int_equal(pf_stats_bootstrap_ci(v, 12, 2000, 0.05, rng, &m2, &s2, &err), PF_OK);
    assert_true(m.lo == m2.lo && m.hi == m2.hi && s.lo == s2.lo && s.hi == s2.hi);
    /* A different seed moves the interval. */
    gsl_rng_set(rng, 43);
    assert_int_equal(pf_stats_bootstrap_ci(v, 12, 2000, 0.05, rng, &m2, NULL, &err), PF_OK);
    assert_true(m.lo != m2.lo || m.hi != m2.hi);
    gsl_rng_free(rng);
}

static void test_bootstrap_bad_input(void **state)
{
    (void)state;
    const double v[] = {0.1, 0.2};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    pf_interval m;
    pf_error err = {0};
    assert_int_equal(pf_stats_bootstrap_ci(v, 1, 100, 0.05, rng, &m, NULL, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_stats_bootstrap_ci(v, 2, 0, 0.05, rng, &m, NULL, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_stats_bootstrap_ci(v, 2, 100, 0.0, rng, &m, NULL, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_stats_bootstrap_ci(v, 2, 100, 0.05, NULL, &m, NULL, &err), PF_EINPUT);
    gsl_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wilcoxon_exact_hollander_wolfe),
        cmocka_unit_test(test_wilcoxon_ties_and_zero_sleep),
        cmocka_unit_test(test_wilcoxon_large_n_normal),
        cmocka_unit_test(test_wilcoxon_exact_after_dropping_zeros),
        cmocka_unit_test(test_wilcoxon_too_few),
        cmocka_unit_test(test_wilcoxon_rejects_nan),
        cmocka_unit_test(test_paired_t_sleep),
        cmocka_unit_test(test_paired_t_degenerate),
        cmocka_unit_test(test_pitman_morgan_machine),
        cmocka_unit_test(test_pitman_morgan_sleep),
        cmocka_unit_test(test_pitman_morgan_degenerate),
        cmocka_unit_test(test_friedman_rounding_first_base),
        cmocka_unit_test(test_friedman_demsar),
        cmocka_unit_test(test_friedman_direction),
        cmocka_unit_test(test_friedman_degenerate),
        cmocka_unit_test(test_nemenyi_demsar_table5),
        cmocka_unit_test(test_studentized_range_cdf),
        cmocka_unit_test(test_kruskal_wallis_hollander_wolfe),
        cmocka_unit_test(test_kruskal_wallis_scipy_doc),
        cmocka_unit_test(test_kruskal_wallis_ties),
        cmocka_unit_test(test_kruskal_wallis_permutation),
        cmocka_unit_test(test_kruskal_wallis_unequal_and_empty_group),
        cmocka_unit_test(test_kruskal_wallis_degenerate),
        cmocka_unit_test(test_kruskal_wallis_bad_input),
        cmocka_unit_test(test_holm_hand),
        cmocka_unit_test(test_holm_cap_in_place),
        cmocka_unit_test(test_bootstrap_pinned),
        cmocka_unit_test(test_bootstrap_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
