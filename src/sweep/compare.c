/* compare.c: criteria compared across the blocks of a sweep's axis (see compare.h). The tests
 * themselves are stats.c's; this file arranges the columns, applies the "no outcome could reach
 * alpha" rules and finds the cliques. */
#include "sweep/compare.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/alloc.h"

pf_compare *pf_compare_alloc(size_t n_blocks, size_t k, pf_error *err)
{
    if (n_blocks == 0 || k == 0) {
        pf_error_set(err, PF_EINPUT,
                     "a comparison needs at least one block and one criterion (got %zu blocks "
                     "and %zu criteria)",
                     n_blocks, k);
        return NULL;
    }
    if (n_blocks > SIZE_MAX / sizeof(double) / k) {
        pf_error_set(err, PF_EINPUT, "%zu blocks x %zu criteria is too many values", n_blocks, k);
        return NULL;
    }
    pf_compare *c = pf_alloc(1, sizeof *c, err);
    if (c == NULL) return NULL;
    c->n_blocks = n_blocks;
    c->k = k;
    c->n_cmp = k - 1;
    c->alpha = NAN;
    c->avg_rank = pf_alloc(k, sizeof *c->avg_rank, err);
    c->order = pf_alloc(k, sizeof *c->order, err);
    c->clique = pf_alloc(k, sizeof *c->clique, err);
    c->other = pf_alloc(k, sizeof *c->other, err);
    c->wilcoxon = pf_alloc(k, sizeof *c->wilcoxon, err);
    c->p_holm = pf_alloc(k, sizeof *c->p_holm, err);
    if (!c->avg_rank || !c->order || !c->clique || !c->other || !c->wilcoxon || !c->p_holm) {
        pf_compare_free(c);
        return NULL;
    }
    return c;
}

void pf_compare_free(pf_compare *c)
{
    if (c == NULL) return;
    free(c->avg_rank);
    free(c->order);
    free(c->clique);
    free(c->other);
    free(c->wilcoxon);
    free(c->p_holm);
    free(c);
}

const char *pf_compare_status(pf_test_status s)
{
    return s == PF_TEST_OK ? "ok" : s == PF_TEST_TOO_FEW ? "too_few" : "constant";
}

/* ---- cliques ---- */

/* order = 0..k-1 sorted by avg_rank, ties by index (insertion sort: stable, and k is small). */
static void sort_by_rank(const double *avg_rank, size_t k, size_t *order)
{
    for (size_t i = 0; i < k; i++) {
        size_t j = i;
        while (j > 0 && avg_rank[order[j - 1]] > avg_rank[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

size_t pf_compare_cliques(const double *avg_rank, size_t k, double cd, size_t *order,
                          pf_compare_clique *clique)
{
    int finite = 1;
    for (size_t j = 0; j < k; j++) {
        order[j] = j;
        finite &= isfinite(avg_rank[j]) != 0;
    }
    if (!finite) return 0;
    sort_by_rank(avg_rank, k, order);
    if (!(isfinite(cd) && cd > 0.0)) return 0;
    /* On a line the relation "closer than cd" has runs of the sorted ranks as its cliques: the
     * run from i reaches the last j with r_j - r_i < cd; that end never moves left as i grows,
     * so a run is maximal exactly when it ends further right than the previous one. */
    size_t n = 0, prev_last = 0;
    for (size_t i = 0; i < k; i++) {
        size_t last = i;
        while (last + 1 < k && avg_rank[order[last + 1]] - avg_rank[order[i]] < cd) last++;
        if (last > i && (i == 0 || last > prev_last)) clique[n++] = (pf_compare_clique){i, last};
        prev_last = last;
    }
    return n;
}

/* ---- the tests ---- */

static void untestable(pf_test_result *r, size_t n)
{
    *r = (pf_test_result){PF_TEST_TOO_FEW, PF_DIST_NONE, NAN, NAN, NAN, n, NAN, NAN};
}

/* A test that ran but whose most extreme outcome could not reach alpha: too_few, no p. */
static void no_p(pf_test_result *r)
{
    r->status = PF_TEST_TOO_FEW;
    r->dist = PF_DIST_NONE;
    r->p_value = NAN;
}

/* Every test too_few, ranks NaN, no cliques: some value is not finite. */
static void all_untestable(pf_compare *c)
{
    for (size_t j = 0; j < c->k; j++) {
        c->avg_rank[j] = NAN;
        c->order[j] = j;
    }
    untestable(&c->friedman.chi2, c->n_blocks);
    untestable(&c->friedman.f, c->n_blocks);
    c->friedman.q_alpha =
        c->k >= 2 ? pf_stats_studentized_range_quantile(1.0 - c->alpha, c->k) * sqrt(0.5) : NAN;
    c->friedman.cd = pf_stats_nemenyi_cd(c->k, c->n_blocks, c->alpha);
    for (size_t i = 0; i < c->n_cmp; i++) {
        pf_wilcoxon_result *w = &c->wilcoxon[i];
        untestable(&w->test, 0);
        w->w_plus = w->w_minus = w->z = NAN;
        w->n_zero = 0;
        w->ties = 0;
        c->p_holm[i] = NAN;
    }
    c->n_cliques = 0;
}

/* Friedman's exact permutation p of its most extreme outcome (all N blocks rank the k criteria
 * alike) is k! (1/k!)^N = (k!)^(1 - N); above alpha, no data could be significant. */
static void friedman_reachable(pf_compare *c)
{
    double kfact = 1.0; /* overflows to inf for k > 170, where pow gives 0: reachable */
    for (size_t j = 2; j <= c->k; j++) kfact *= (double)j;
    if (pow(kfact, 1.0 - (double)c->n_blocks) <= c->alpha) return;
    if (c->friedman.chi2.status == PF_TEST_OK) no_p(&c->friedman.chi2);
    if (c->friedman.f.status == PF_TEST_OK) no_p(&c->friedman.f);
}

/* The Wilcoxon test of the reference against criterion j, on the reference's improvement;
 * x and y are scratch for the two columns. */
static int wilcoxon_one(pf_compare *c, const double *value, size_t j, double *x, double *y,
                        pf_wilcoxon_result *w, pf_error *err)
{
    size_t k = c->k, ref = c->reference;
    for (size_t b = 0; b < c->n_blocks; b++) {
        double a = value[b * k + ref], o = value[b * k + j];
        x[b] = c->higher_is_better ? a : o;
        y[b] = c->higher_is_better ? o : a;
    }
    int rc = pf_stats_wilcoxon(x, y, c->n_blocks, w, err);
    if (rc) return rc;
    /* The smallest two-sided exact p on n nonzero pairs is 2 * 2^-n (every sign alike). */
    size_t n = w->test.n;
    if (w->test.status == PF_TEST_OK && n < 64 && ldexp(1.0, 1 - (int)n) > c->alpha) no_p(&w->test);
    return PF_OK;
}

static int check_run(const pf_compare *c, const double *value, size_t reference, double alpha,
                     pf_error *err)
{
    if (c == NULL || value == NULL)
        return pf_error_set(err, PF_EINPUT, "comparison or value pointer is NULL");
    if (reference >= c->k)
        return pf_error_set(err, PF_EINPUT,
                            "reference criterion %zu does not exist: there are %zu criteria "
                            "(0..%zu)",
                            reference, c->k, c->k - 1);
    if (!(alpha > 0.0 && alpha < 1.0))
        return pf_error_set(err, PF_EINPUT, "alpha is %g; it must lie in (0, 1), e.g. 0.05", alpha);
    return PF_OK;
}

int pf_compare_run(pf_compare *c, const double *value, int higher_is_better, size_t reference,
                   double alpha, pf_error *err)
{
    int rc = check_run(c, value, reference, alpha, err);
    if (rc) return rc;
    c->reference = reference;
    c->higher_is_better = higher_is_better != 0;
    c->alpha = alpha;
    for (size_t j = 0, i = 0; j < c->k; j++)
        if (j != reference) c->other[i++] = j;
    int finite = 1;
    for (size_t i = 0; i < c->n_blocks * c->k; i++) finite &= isfinite(value[i]) != 0;
    if (!finite) {
        all_untestable(c);
        return PF_OK;
    }
    rc = pf_stats_friedman(value, c->n_blocks, c->k, c->higher_is_better, alpha, c->avg_rank,
                           &c->friedman, err);
    if (rc) return rc;
    friedman_reachable(c);
    double *x = pf_alloc(2 * c->n_blocks, sizeof *x, err);
    if (x == NULL) return PF_ERUNTIME;
    for (size_t i = 0; i < c->n_cmp && rc == PF_OK; i++) {
        rc = wilcoxon_one(c, value, c->other[i], x, x + c->n_blocks, &c->wilcoxon[i], err);
        c->p_holm[i] = c->wilcoxon[i].test.p_value; /* adjusted in place below */
    }
    free(x);
    if (rc == PF_OK) rc = pf_stats_holm(c->p_holm, c->n_cmp, c->p_holm, err);
    if (rc) return rc;
    c->n_cliques = pf_compare_cliques(c->avg_rank, c->k, c->friedman.cd, c->order, c->clique);
    return PF_OK;
}
