/* test_compare.c: the comparison of criteria across blocks (sweep/compare.h) against Demsar's
 * worked examples (2006, "Statistical comparisons of classifiers over multiple data sets",
 * JMLR 7: Table 6, section 3.1.3 and Figure 1), against scipy 1.10.1 (the call that produced
 * each literal is written next to it; numpy and scipy as shipped by Debian 12) and against
 * numbers worked out by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "stats/stats.h"
#include "sweep/compare.h"

#define P_TOL 1e-9

#define assert_near(got, want, tol) near_((got), (want), (tol), #got, __FILE__, __LINE__)

static void near_(double got, double want, double tol, const char *expr, const char *file, int line)
{
    if (got == want || fabs(got - want) <= tol) return;
    print_error("%s = %.17g, expected %.17g (tolerance %g)\n", expr, got, want, tol);
    _fail(file, line);
}

/* Demsar (2006), Table 6: AUC of C4.5, C4.5+m, C4.5+cf, C4.5+m+cf (columns) on 14 data sets
 * (rows: adult, breast cancer, breast cancer wisconsin, cmc, ionosphere, iris, liver
 * disorders, lung cancer, lymphography, mushroom, primary tumor, rheum, voting, wine). As in
 * tests/test_stats.c, voting's C4.5+cf is 0.97501: the table prints 0.975 twice but ranks the
 * two entries 2 and 3. Published: average ranks 3.143 2.000 2.893 1.964, chi2_F = 9.28,
 * F_F = 3.69, CD = 1.25 at alpha 0.05 (q = 2.569), CD = 1.12 at alpha 0.10 (q = 2.291). */
enum { C45, C45M, C45CF, C45MCF };
static const double demsar[14 * 4] = {
    0.763, 0.768, 0.771,   0.798, 0.599, 0.591, 0.590, 0.569, 0.954, 0.971, 0.968, 0.967,
    0.628, 0.661, 0.654,   0.657, 0.882, 0.888, 0.886, 0.898, 0.936, 0.931, 0.916, 0.931,
    0.661, 0.668, 0.609,   0.685, 0.583, 0.583, 0.563, 0.625, 0.775, 0.838, 0.866, 0.875,
    1.000, 1.000, 1.000,   1.000, 0.940, 0.962, 0.965, 0.962, 0.619, 0.666, 0.614, 0.669,
    0.972, 0.981, 0.97501, 0.975, 0.957, 0.978, 0.946, 0.970};

static pf_compare *run(const double *v, size_t n, size_t k, int hib, size_t ref, double alpha)
{
    pf_error err = {0};
    pf_compare *c = pf_compare_alloc(n, k, &err);
    assert_non_null(c);
    if (pf_compare_run(c, v, hib, ref, alpha, &err) != PF_OK) fail_msg("%s", err.msg);
    return c;
}

/* Table 6 with C4.5 as the reference: Demsar's average ranks and Friedman numbers. */
static void test_demsar_friedman(void **state)
{
    (void)state;
    pf_compare *c = run(demsar, 14, 4, 1, C45, 0.05);
    /* published, to the digits printed */
    assert_near(c->avg_rank[C45], 3.143, 5e-4);
    assert_near(c->avg_rank[C45M], 2.000, 5e-4);
    assert_near(c->avg_rank[C45CF], 2.893, 5e-4);
    assert_near(c->avg_rank[C45MCF], 1.964, 5e-4);
    /* by hand from the table's ranks: 44/14, 28/14, 40.5/14, 27.5/14 */
    assert_near(c->avg_rank[C45], 44.0 / 14, 1e-12);
    assert_near(c->avg_rank[C45MCF], 27.5 / 14, 1e-12);
    /* Demsar computes chi2_F from the average ranks without the tie correction:
     * 12N/(k(k+1)) [sum R_j^2 - k(k+1)^2/4] = 9.28, F_F = (N-1) chi2/(N(k-1) - chi2) = 3.69. */
    double ss = 0;
    for (size_t j = 0; j < 4; j++) ss += c->avg_rank[j] * c->avg_rank[j];
    double chi2 = 12.0 * 14 / 20 * (ss - 25.0);
    assert_near(chi2, 9.28, 5e-3);
    assert_near(13 * chi2 / (42 - chi2), 3.69, 5e-3);
    /* ours is tie-corrected (mushroom is a 4-way tie; iris, lung cancer, primary tumor hold
     * 2-way ties): scipy.stats.friedmanchisquare(*D.T) -> 10.228346456692925,
     * p 0.016721580328441323; F = 13 chi2/(42 - chi2), scipy.stats.f.sf(F, 3, 39). */
    assert_int_equal(c->friedman.chi2.status, PF_TEST_OK);
    assert_near(c->friedman.chi2.statistic, 10.228346456692925, 1e-10);
    assert_near(c->friedman.chi2.p_value, 0.016721580328441323, P_TOL);
    assert_int_equal(c->friedman.f.status, PF_TEST_OK);
    assert_near(c->friedman.f.statistic, 4.1851301115241695, 1e-10);
    assert_near(c->friedman.f.p_value, 0.011620659515310954, P_TOL);
    /* Nemenyi: published q_0.05 = 2.569, CD = 1.25; scipy.stats.studentized_range.ppf(0.95, 4,
     * np.inf) / sqrt(2) * sqrt(20 / 84) = 1.2535591471176057 */
    assert_near(c->friedman.q_alpha, 2.569, 5e-4);
    assert_near(c->friedman.cd, 1.25, 5e-3);
    assert_near(c->friedman.cd, 1.2535591471176057, 1e-9);
    /* the order, best first: C4.5+m+cf 1.964, C4.5+m 2.000, C4.5+cf 2.893, C4.5 3.143 */
    const size_t want[4] = {C45MCF, C45M, C45CF, C45};
    for (size_t i = 0; i < 4; i++) assert_int_equal(c->order[i], want[i]);
    pf_compare_free(c);
}

/* Section 3.1.3: C4.5 against C4.5+m. Differences C4.5+m - C4.5: .005 -.008 .017 .033 .006
 * -.005 .007 0 .063 0 .022 .047 .009 .021. Demsar ranks all 14 |d|, the two zeros first (1.5
 * each, split between the sums), .005 twice (3.5): R+ = 93, R- = 12 (C4.5+m better: +), and
 * with N = 14 the critical value at alpha 0.05 is 21 >= 12, so he rejects.
 * We drop the zeros (scipy's zero_method='wilcox'), n = 12: |d| ranks .005 .005 -> 1.5, then
 * .006 3, .007 4, .008 5 (negative), .009 6, .017 7, .021 8, .022 9, .033 10, .047 11, .063 12.
 * The reference C4.5 is better on breast cancer and iris only: W+ = 1.5 + 5 = 6.5 and
 * W- = 78 - 6.5 = 71.5. Demsar's sums follow by putting the two zeros back in front: every
 * nonzero rank moves up by 2 and each sum gets half of 1 + 2: 71.5 + 2 * 10 + 1.5 = 93,
 * 6.5 + 2 * 2 + 1.5 = 12 (scipy.stats.wilcoxon(D[:, 0], D[:, 1], zero_method='zsplit')
 * -> statistic 12.0). Ties (.005) send ours to the normal approximation:
 * z = (6.5 - 39 + 0.5) / sqrt(12 * 13 * 25 / 24 - 6 / 48) = -32 / sqrt(162.375) = -2.5113;
 * scipy.stats.wilcoxon(D[:, 0], D[:, 1], zero_method='wilcox', correction=True,
 * method='approx') -> statistic 6.5, p 0.012030358470209076. */
static void test_demsar_wilcoxon(void **state)
{
    (void)state;
    pf_compare *c = run(demsar, 14, 4, 1, C45, 0.05);
    assert_int_equal(c->reference, C45);
    assert_int_equal(c->n_cmp, 3);
    assert_int_equal(c->other[0], C45M);
    assert_int_equal(c->other[1], C45CF);
    assert_int_equal(c->other[2], C45MCF);
    const pf_wilcoxon_result *w = &c->wilcoxon[0];
    assert_int_equal(w->test.status, PF_TEST_OK);
    assert_int_equal(w->test.n, 12);
    assert_int_equal(w->n_zero, 2);
    assert_true(w->ties);
    assert_near(w->w_plus, 6.5, 0);
    assert_near(w->w_minus, 71.5, 0);
    size_t z = w->n_zero, n_plus = 2, n_minus = 10; /* C4.5 better on 2 data sets, worse on 10 */
    double split = 0.5 * (double)(z * (z + 1) / 2);
    assert_near(w->w_minus + (double)(z * n_minus) + split, 93, 0); /* Demsar's R+ */
    assert_near(w->w_plus + (double)(z * n_plus) + split, 12, 0);   /* Demsar's R- */
    assert_true(fmin(93, 12) <= 21); /* his table: significant at 0.05 */
    assert_int_equal(w->test.dist, PF_DIST_NORMAL);
    assert_near(w->test.statistic, 6.5, 0);
    assert_near(w->z, -32 / sqrt(162.375), 1e-12);
    assert_near(w->test.p_value, 0.012030358470209076, P_TOL);
    assert_true(w->test.effect_size < 0); /* the reference (C4.5) is the worse one */
    /* The other two, scipy.stats.wilcoxon(D[:, 0], D[:, j], zero_method='wilcox',
     * correction=True, method='approx') (both have tied |d|):
     *   j = 2 (C4.5+cf):   statistic 43.0, p 0.888806954437247   (n 13, W+ 43, W- 48)
     *   j = 3 (C4.5+m+cf): statistic 11.0, p 0.017461758127902276 (n 13, W+ 11, W- 80) */
    assert_near(c->wilcoxon[1].w_plus, 43, 0);
    assert_near(c->wilcoxon[1].w_minus, 48, 0);
    assert_near(c->wilcoxon[1].test.p_value, 0.888806954437247, P_TOL);
    assert_near(c->wilcoxon[2].w_plus, 11, 0);
    assert_near(c->wilcoxon[2].w_minus, 80, 0);
    assert_near(c->wilcoxon[2].test.p_value, 0.017461758127902276, P_TOL);
    /* Holm over the three by hand: sorted 0.01203, 0.01746, 0.8888 -> 3 * 0.01203 = 0.03609,
     * max(0.03609, 2 * 0.01746 = 0.03492) = 0.03609, max(0.03609, 0.8888) = 0.8888 */
    assert_near(c->p_holm[0], 3 * 0.012030358470209076, P_TOL);
    assert_near(c->p_holm[2], 3 * 0.012030358470209076, P_TOL);
    assert_near(c->p_holm[1], 0.888806954437247, P_TOL);
    pf_compare_free(c);
}

/* Which criteria the Nemenyi test cannot tell apart, by hand. Sorted ranks 1.964 (C4.5+m+cf),
 * 2.000 (C4.5+m), 2.893 (C4.5+cf), 3.143 (C4.5).
 * alpha 0.05, CD 1.2536: the widest gap, 3.143 - 1.964 = 1.179, is below it: one group of all
 * four ("the post-hoc test is not powerful enough to detect any significant differences").
 * alpha 0.10, CD 1.1181 (scipy.stats.studentized_range.ppf(0.90, 4, np.inf) / sqrt(2) *
 * sqrt(20 / 84) = 1.1180601669815278): from C4.5+m+cf, 2.893 - 1.964 = 0.929 < CD but
 * 3.143 - 1.964 = 1.179 >= CD: {C4.5+m+cf, C4.5+m, C4.5+cf}; from C4.5+m, 3.143 - 2.000 =
 * 1.143 >= CD: {C4.5+m, C4.5+cf}, inside the first, not drawn; from C4.5+cf, 3.143 - 2.893 =
 * 0.25: {C4.5+cf, C4.5}. Two bars, as Demsar's Figure 1(a) ("C4.5 is significantly worse
 * than C4.5+m and C4.5+m+cf ... We cannot tell which group C4.5+cf belongs to"). */
static void test_demsar_cliques(void **state)
{
    (void)state;
    pf_compare *c = run(demsar, 14, 4, 1, C45, 0.05);
    assert_int_equal(c->n_cliques, 1);
    assert_int_equal(c->clique[0].first, 0);
    assert_int_equal(c->clique[0].last, 3);
    pf_compare_free(c);

    c = run(demsar, 14, 4, 1, C45, 0.10);
    assert_near(c->friedman.cd, 1.12, 5e-3);
    assert_near(c->friedman.cd, 1.1180601669815278, 1e-9);
    assert_int_equal(c->n_cliques, 2);
    assert_int_equal(c->order[c->clique[0].first], C45MCF);
    assert_int_equal(c->order[c->clique[0].last], C45CF);
    assert_int_equal(c->clique[0].last - c->clique[0].first + 1, 3);
    assert_int_equal(c->order[c->clique[1].first], C45CF);
    assert_int_equal(c->order[c->clique[1].last], C45);
    assert_int_equal(c->clique[1].last - c->clique[1].first + 1, 2);
    pf_compare_free(c);
}

/* The clique rule on hand-made ranks: nested runs are dropped, singletons are no group, a CD
 * of 0 or NaN gives none, ties in rank sort by input order. */
static void test_cliques_by_hand(void **state)
{
    (void)state;
    size_t order[6];
    pf_compare_clique cl[6];
    /* ranks 1, 1.5, 2, 4, 4.2, 6 with CD 1.1: from 1 -> {1, 1.5, 2}; from 1.5 -> {1.5, 2}
     * nested; from 2 -> {2} alone; from 4 -> {4, 4.2}; from 4.2 -> {4.2}; 6 alone. */
    const double r[6] = {4.2, 1, 6, 1.5, 4, 2};
    assert_int_equal(pf_compare_cliques(r, 6, 1.1, order, cl), 2);
    const size_t want[6] = {1, 3, 5, 4, 0, 2};
    for (size_t i = 0; i < 6; i++) assert_int_equal(order[i], want[i]);
    assert_int_equal(cl[0].first, 0);
    assert_int_equal(cl[0].last, 2);
    assert_int_equal(cl[1].first, 3);
    assert_int_equal(cl[1].last, 4);
    /* a chain 1, 2, 3 with CD 1.5: {1, 2}, {2, 3} overlap, neither inside the other */
    const double chain[3] = {3, 2, 1};
    assert_int_equal(pf_compare_cliques(chain, 3, 1.5, order, cl), 2);
    assert_int_equal(order[0], 2);
    assert_int_equal(cl[0].first, 0);
    assert_int_equal(cl[0].last, 1);
    assert_int_equal(cl[1].first, 1);
    assert_int_equal(cl[1].last, 2);
    /* exactly the CD apart: different (Demsar: "differ by at least the critical difference") */
    assert_int_equal(pf_compare_cliques(chain, 3, 1.0, order, cl), 0);
    /* equal ranks: input order among them, and one group */
    const double tie[3] = {2, 1, 2};
    assert_int_equal(pf_compare_cliques(tie, 3, 0.5, order, cl), 1);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 2);
    assert_int_equal(cl[0].first, 1);
    assert_int_equal(cl[0].last, 2);
    assert_int_equal(pf_compare_cliques(tie, 3, NAN, order, cl), 0);
    const double bad[2] = {1, NAN};
    assert_int_equal(pf_compare_cliques(bad, 2, 1.0, order, cl), 0);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
}

/* RMSE of three criteria over 8 seeds (lower is better), the reference the third one. No tied
 * |d|, so the Wilcoxon tests take the exact branch.
 * scipy.stats.rankdata of each row, averaged: 2.75 2.125 1.125;
 * scipy.stats.friedmanchisquare(*S.T) -> 10.75, p 0.004630918733533247 (no ties: Demsar's
 * formula gives the same); F = 7 * 10.75 / (16 - 10.75) = 14.333..., scipy.stats.f.sf(F, 2,
 * 14) = 0.00040952012136585787; CD at 0.05: scipy.stats.studentized_range.ppf(0.95, 3,
 * np.inf) / sqrt(2) * sqrt(12 / 48) = 1.1718502931892045.
 * Reference against 0: the reference is better on all 8 seeds, W+ = 36, W- = 0, exact
 * p = 2 / 2^8; scipy.stats.wilcoxon(S[:, 0], S[:, 2], zero_method='wilcox', correction=True,
 * method='exact') -> 0.0, p 0.0078125.
 * Reference against 1: worse on one seed only, by the second smallest |d| (.008; .002 is the
 * smallest): W- = 2, p = 2 * #{subsets of 1..8 summing to <= 2} / 256 = 2 * 3 / 256;
 * scipy.stats.wilcoxon(S[:, 1], S[:, 2], ..., method='exact') -> 2.0, p 0.0234375.
 * Holm: 2 * 0.0078125 = 0.015625, max(0.015625, 0.0234375) = 0.0234375. */
static const double sweep[8 * 3] = {0.412, 0.398, 0.371, 0.455, 0.431, 0.420, 0.389, 0.402,
                                    0.366, 0.501, 0.467, 0.458, 0.433, 0.445, 0.429, 0.478,
                                    0.453, 0.461, 0.420, 0.417, 0.388, 0.466, 0.439, 0.437};

static void test_lower_is_better_exact(void **state)
{
    (void)state;
    pf_compare *c = run(sweep, 8, 3, 0, 2, 0.05);
    assert_near(c->avg_rank[0], 2.75, 1e-12);
    assert_near(c->avg_rank[1], 2.125, 1e-12);
    assert_near(c->avg_rank[2], 1.125, 1e-12);
    assert_near(c->friedman.chi2.statistic, 10.75, 1e-10);
    assert_near(c->friedman.chi2.p_value, 0.004630918733533247, P_TOL);
    assert_near(c->friedman.f.statistic, 14.333333333333334, 1e-9);
    assert_near(c->friedman.f.p_value, 0.00040952012136585787, P_TOL);
    assert_near(c->friedman.cd, 1.1718502931892045, 1e-9);
    assert_int_equal(c->other[0], 0);
    assert_int_equal(c->other[1], 1);
    const pf_wilcoxon_result *w0 = &c->wilcoxon[0], *w1 = &c->wilcoxon[1];
    assert_int_equal(w0->test.dist, PF_DIST_EXACT);
    assert_near(w0->w_plus, 36, 0); /* ranks of the seeds where the reference is better */
    assert_near(w0->w_minus, 0, 0);
    assert_near(w0->test.effect_size, 1, 0);
    assert_near(w0->test.p_value, 0.0078125, 1e-15);
    assert_int_equal(w1->test.dist, PF_DIST_EXACT);
    assert_near(w1->w_plus, 34, 0);
    assert_near(w1->w_minus, 2, 0);
    assert_near(w1->test.p_value, 0.0234375, 1e-15);
    assert_near(c->p_holm[0], 0.015625, 1e-15);
    assert_near(c->p_holm[1], 0.0234375, 1e-15);
    /* Criteria 1 and 2 (2.125, 1.125) differ by 1.0 < CD, criterion 0 by 1.625 from 2 and
     * 0.625 from 1: groups {2, 1} and {1, 0}. */
    assert_int_equal(c->n_cliques, 2);
    assert_int_equal(c->order[0], 2);
    assert_int_equal(c->order[2], 0);
    pf_compare_free(c);

    /* The same numbers read as higher-is-better: every rank r becomes 4 - r, the tests are the
     * same, the Wilcoxon sums swap (now the reference is worse everywhere against 0). */
    c = run(sweep, 8, 3, 1, 2, 0.05);
    assert_near(c->avg_rank[0], 4 - 2.75, 1e-12);
    assert_near(c->friedman.chi2.statistic, 10.75, 1e-10);
    assert_near(c->wilcoxon[0].w_plus, 0, 0);
    assert_near(c->wilcoxon[0].w_minus, 36, 0);
    assert_near(c->wilcoxon[0].test.p_value, 0.0078125, 1e-15);
    pf_compare_free(c);
}

/* Ties within rows, and a fully tied row (every criterion equal on that block), higher is
 * better; binary fractions so that equal differences are equal doubles.
 * Ranks per row, scipy.stats.rankdata(-row):
 *   3.5 3.5 1 2 | 4 2 2 2 | 1 2 3 4 | 2.5 2.5 2.5 2.5 | 3 1.5 1.5 4 | 4 1 2.5 2.5
 * averages 18/6 = 3, 12.5/6, 12.5/6, 17/6;
 * scipy.stats.friedmanchisquare(*T.T) -> 3.5581395348837366, p 0.31329953435229785;
 * F = 5 chi2 / (18 - chi2) = 1.2318840579710213, scipy.stats.f.sf(F, 3, 15) =
 * 0.33279008523427306.
 * Wilcoxon of criterion 3 against 0, 1, 2 on 6 blocks: n = 5, 4, 3 nonzero differences (the
 * tied row and other zeros dropped). At alpha 0.05 none can reach alpha (2^(1-n) >= 1/16 >
 * 0.05): all too_few, the sums kept: W+ 8.5 W- 6.5 | 2.5 7.5 | 0 6. At alpha 0.2, n >= 4 can
 * (2^-3 = 0.125): against 0 and 1 they run, against 2 (n = 3, 2^-2 = 0.25) not;
 * scipy.stats.wilcoxon(T[:, 3], T[:, j], zero_method='wilcox', correction=True,
 * method='approx') -> j = 0: 6.5, p 0.8917558535067943; j = 1: 2.5, p 0.4614509878333607. */
static const double tied[6 * 4] = {0.5,    0.5,   0.75,  0.625, 0.25,   0.375,  0.375, 0.375,
                                   0.875,  0.75,  0.625, 0.5,   0.25,   0.25,   0.25,  0.25,
                                   0.5625, 0.625, 0.625, 0.5,   0.4375, 0.5625, 0.5,   0.5};

static void test_ties(void **state)
{
    (void)state;
    pf_compare *c = run(tied, 6, 4, 1, 3, 0.05);
    assert_near(c->avg_rank[0], 3.0, 1e-12);
    assert_near(c->avg_rank[1], 12.5 / 6, 1e-12);
    assert_near(c->avg_rank[2], 12.5 / 6, 1e-12);
    assert_near(c->avg_rank[3], 17.0 / 6, 1e-12);
    assert_near(c->friedman.chi2.statistic, 3.5581395348837366, 1e-10);
    assert_near(c->friedman.chi2.p_value, 0.31329953435229785, P_TOL);
    assert_near(c->friedman.f.statistic, 1.2318840579710213, 1e-10);
    assert_near(c->friedman.f.p_value, 0.33279008523427306, P_TOL);
    /* equal average ranks: input order, 1 before 2 */
    assert_int_equal(c->order[0], 1);
    assert_int_equal(c->order[1], 2);
    const double wp[3] = {8.5, 2.5, 0}, wm[3] = {6.5, 7.5, 6};
    const size_t n[3] = {5, 4, 3};
    for (size_t i = 0; i < 3; i++) {
        const pf_wilcoxon_result *w = &c->wilcoxon[i];
        assert_int_equal(w->test.status, PF_TEST_TOO_FEW);
        assert_int_equal(w->test.dist, PF_DIST_NONE);
        assert_true(isnan(w->test.p_value));
        assert_true(isnan(c->p_holm[i]));
        assert_int_equal(w->test.n, n[i]);
        assert_near(w->w_plus, wp[i], 0);
        assert_near(w->w_minus, wm[i], 0);
    }
    pf_compare_free(c);

    c = run(tied, 6, 4, 1, 3, 0.2);
    assert_int_equal(c->wilcoxon[0].test.status, PF_TEST_OK);
    assert_near(c->wilcoxon[0].test.p_value, 0.8917558535067943, P_TOL);
    assert_int_equal(c->wilcoxon[1].test.status, PF_TEST_OK);
    assert_near(c->wilcoxon[1].test.p_value, 0.4614509878333607, P_TOL);
    assert_int_equal(c->wilcoxon[2].test.status, PF_TEST_TOO_FEW);
    /* Holm over the two valid ones: 2 * 0.4615 = 0.9229, then max(0.9229, 0.8918) */
    assert_near(c->p_holm[1], 2 * 0.4614509878333607, P_TOL);
    assert_near(c->p_holm[0], 2 * 0.4614509878333607, P_TOL);
    assert_true(isnan(c->p_holm[2]));
    pf_compare_free(c);
}

/* Two blocks: adult and ionosphere of Table 6 (ranks 4 3 2 1 and 4 2 3 1).
 * Friedman: the most extreme outcome on 2 blocks has exact p (k!)^(1 - N) = 1/24 = 0.042 for
 * k = 4, below 0.05: tested; scipy.stats.friedmanchisquare(*D2.T) -> 5.4, p 0.1447435794148559,
 * F = 5.4 / (6 - 5.4) = 9, scipy.stats.f.sf(9, 3, 3) = 0.05204401933091413; CD =
 * scipy.stats.studentized_range.ppf(0.95, 4, np.inf) / sqrt(2) * sqrt(20 / 12) =
 * 3.316605756983415 (longer than the rank axis: nothing can differ).
 * With k = 3 (the first three columns), 1/3! = 0.167 > 0.05: too_few, the statistic kept
 * (scipy.stats.friedmanchisquare(*D2[:, :3].T) -> 3.0, p 0.22313016014842982).
 * Wilcoxon on 2 blocks: the smallest p is 2^(1-2) = 0.5: too_few at any alpha below 0.5. */
static void test_two_blocks(void **state)
{
    (void)state;
    const double d2[2 * 4] = {0.763, 0.768, 0.771, 0.798, 0.882, 0.888, 0.886, 0.898};
    pf_compare *c = run(d2, 2, 4, 1, 0, 0.05);
    assert_near(c->avg_rank[0], 4, 0);
    assert_near(c->avg_rank[1], 2.5, 0);
    assert_near(c->avg_rank[3], 1, 0);
    assert_int_equal(c->friedman.chi2.status, PF_TEST_OK);
    assert_near(c->friedman.chi2.statistic, 5.4, 1e-12);
    assert_near(c->friedman.chi2.p_value, 0.1447435794148559, P_TOL);
    assert_int_equal(c->friedman.f.status, PF_TEST_OK);
    assert_near(c->friedman.f.statistic, 9, 1e-9);
    assert_near(c->friedman.f.p_value, 0.05204401933091413, P_TOL);
    assert_near(c->friedman.cd, 3.316605756983415, 1e-9);
    assert_int_equal(c->n_cliques, 1);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(c->wilcoxon[i].test.status, PF_TEST_TOO_FEW);
        assert_true(isnan(c->wilcoxon[i].test.p_value));
        assert_true(isnan(c->p_holm[i]));
        assert_near(c->wilcoxon[i].w_minus, 3, 0); /* the reference is worse on both */
    }
    assert_string_equal(pf_compare_status(c->wilcoxon[0].test.status), "too_few");
    pf_compare_free(c);

    const double d23[2 * 3] = {0.763, 0.768, 0.771, 0.882, 0.888, 0.886};
    c = run(d23, 2, 3, 1, 0, 0.05);
    assert_int_equal(c->friedman.chi2.status, PF_TEST_TOO_FEW);
    assert_int_equal(c->friedman.f.status, PF_TEST_TOO_FEW);
    assert_true(isnan(c->friedman.chi2.p_value));
    assert_true(isnan(c->friedman.f.p_value));
    assert_near(c->friedman.chi2.statistic, 3.0, 1e-12);
    assert_string_equal(pf_compare_status(c->friedman.f.status), "too_few");
    pf_compare_free(c);
}

/* One block, one criterion, all ties, a value that is not finite. */
static void test_degenerate(void **state)
{
    (void)state;
    /* one block: ranks are that block's, every test too_few */
    pf_compare *c = run(demsar, 1, 4, 1, 0, 0.05);
    assert_near(c->avg_rank[0], 4, 0);
    assert_near(c->avg_rank[3], 1, 0);
    assert_int_equal(c->friedman.chi2.status, PF_TEST_TOO_FEW);
    assert_int_equal(c->wilcoxon[0].test.status, PF_TEST_TOO_FEW);
    pf_compare_free(c);

    /* one criterion: no test, no comparison, rank 1, no CD */
    c = run(demsar, 14, 1, 1, 0, 0.05);
    assert_int_equal(c->n_cmp, 0);
    assert_near(c->avg_rank[0], 1, 0);
    assert_int_equal(c->friedman.chi2.status, PF_TEST_TOO_FEW);
    assert_true(isnan(c->friedman.cd));
    assert_int_equal(c->n_cliques, 0);
    pf_compare_free(c);

    /* every block fully tied: Friedman constant, Wilcoxon has no nonzero difference */
    const double same[3 * 2] = {0.5, 0.5, 0.7, 0.7, 0.1, 0.1};
    c = run(same, 3, 2, 1, 1, 0.05);
    assert_int_equal(c->friedman.chi2.status, PF_TEST_CONSTANT);
    assert_string_equal(pf_compare_status(c->friedman.chi2.status), "constant");
    assert_int_equal(c->other[0], 0);
    assert_int_equal(c->wilcoxon[0].test.status, PF_TEST_TOO_FEW);
    assert_int_equal(c->wilcoxon[0].n_zero, 3);
    assert_near(c->avg_rank[0], 1.5, 0);
    assert_int_equal(c->n_cliques, 1);
    pf_compare_free(c);

    /* a diverged point: nothing is tested, nothing dropped */
    double v[14 * 4];
    memcpy(v, demsar, sizeof v);
    v[5 * 4 + 2] = NAN;
    c = run(v, 14, 4, 1, 0, 0.05);
    assert_int_equal(c->friedman.chi2.status, PF_TEST_TOO_FEW);
    assert_int_equal(c->friedman.f.status, PF_TEST_TOO_FEW);
    assert_true(isnan(c->friedman.f.p_value));
    assert_near(c->friedman.cd, 1.2535591471176057, 1e-9);
    for (size_t j = 0; j < 4; j++) assert_true(isnan(c->avg_rank[j]));
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(c->wilcoxon[i].test.status, PF_TEST_TOO_FEW);
        assert_true(isnan(c->p_holm[i]));
    }
    assert_int_equal(c->n_cliques, 0);
    pf_compare_free(c);
}

static void test_bad_input(void **state)
{
    (void)state;
    pf_error err = {0};
    assert_null(pf_compare_alloc(0, 4, &err));
    assert_int_equal(err.code, PF_EINPUT);
    pf_error_clear(&err);
    assert_null(pf_compare_alloc(14, 0, &err));
    assert_int_equal(err.code, PF_EINPUT);
    pf_error_clear(&err);
    assert_null(pf_compare_alloc(SIZE_MAX / 2, 4, &err));
    assert_int_equal(err.code, PF_EINPUT);
    pf_error_clear(&err);
    pf_compare *c = pf_compare_alloc(14, 4, &err);
    assert_non_null(c);
    assert_int_equal(pf_compare_run(c, demsar, 1, 4, 0.05, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "reference criterion 4"));
    pf_error_clear(&err);
    assert_int_equal(pf_compare_run(c, demsar, 1, 0, 1.0, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_compare_run(c, demsar, 1, 0, NAN, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_compare_run(c, NULL, 1, 0, 0.05, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_compare_run(NULL, demsar, 1, 0, 0.05, &err), PF_EINPUT);
    pf_compare_free(c);
    pf_compare_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demsar_friedman),
        cmocka_unit_test(test_demsar_wilcoxon),
        cmocka_unit_test(test_demsar_cliques),
        cmocka_unit_test(test_cliques_by_hand),
        cmocka_unit_test(test_lower_is_better_exact),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_two_blocks),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
