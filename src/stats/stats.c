/* stats.c: paired tests (Wilcoxon signed-rank, paired t, Pitman-Morgan), the Friedman test
 * with Iman-Davenport and Nemenyi, the Kruskal-Wallis test, Holm's correction and percentile
 * bootstrap intervals.
 * See stats.h for definitions and references; comments here explain the numerics.
 *
 * GSL's default error handler aborts the process, and installing another one is global
 * state that belongs to main(). So every GSL call below is made only where it cannot fail:
 * finite arguments, a bracketed root, fixed-order quadrature (which has no failure mode). */
#include "stats/stats.h"
#include "base/alloc.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* Largest n for the exact Wilcoxon distribution: 2^50 sign patterns still count exactly in a
 * double (< 2^53), and docs/statistics.md#wilcoxon-signed-rank-test takes the exact branch up to
 * here. */
#define PF_WILCOXON_EXACT_MAX 50
#define PF_WILCOXON_MAX_SUM   (PF_WILCOXON_EXACT_MAX * (PF_WILCOXON_EXACT_MAX + 1) / 2)

/* ---- shared helpers ---- */

static void result_untestable(pf_test_result *r, pf_test_status status, size_t n)
{
    r->status = status;
    r->dist = PF_DIST_NONE;
    r->statistic = NAN;
    r->p_value = NAN;
    r->effect_size = NAN;
    r->n = n;
    r->df1 = NAN;
    r->df2 = NAN;
}

static int check_finite(const double *v, size_t n, const char *what, pf_error *err)
{
    if (n > 0 && v == NULL) return pf_error_set(err, PF_EINPUT, "%s is NULL", what);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return pf_error_set(err, PF_EINPUT,
                                "%s[%zu] is %g; statistics need finite values (drop or impute "
                                "the participant first)",
                                what, i, v[i]);
    return PF_OK;
}

static int check_pair(const double *x, const double *y, size_t n, const void *res, pf_error *err)
{
    if (res == NULL) return pf_error_set(err, PF_EINPUT, "result pointer is NULL");
    int rc = check_finite(x, n, "x", err);
    return rc ? rc : check_finite(y, n, "y", err);
}

/* Two-sided p of a t statistic; infinite t (perfect fit) is p = 0 without asking GSL. */
static double t_two_sided(double t, double df)
{
    if (isinf(t)) return 0.0;
    return 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
}

/* Average ranks (1-based) of v[0..n-1] into rank, using perm (n entries) as scratch.
 * Returns T = sum over tie groups of (t^3 - t), the quantity every tie correction uses.
 * gsl_sort_index (heapsort) is not stable, and need not be: every member of a tie group gets
 * the same average rank, so rank[] depends on the values only, never on the input order. */
static double rank_average(const double *v, size_t n, size_t *perm, double *rank)
{
    double ties = 0.0;
    gsl_sort_index(perm, v, 1, n);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && v[perm[j]] == v[perm[i]]) j++;
        double avg = 0.5 * (double)(i + 1 + j); /* mean of ranks i+1 .. j */
        for (size_t m = i; m < j; m++) rank[perm[m]] = avg;
        double t = (double)(j - i);
        ties += t * t * t - t;
        i = j;
    }
    return ties;
}

/* Largest sd of rounding noise in a difference or sum of x and y: anything below this is
 * "essentially constant" (the rule of R's t.test, scaled by the data's magnitude). */
static double noise_floor(const double *x, const double *y, size_t n)
{
    double scale = 0.0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(x[i]) + fabs(y[i]));
    return 10.0 * DBL_EPSILON * scale;
}

/* ---- Wilcoxon signed-rank ---- */

/* P(W+ <= w) under H0 for n untied ranks: count the subsets of {1..n} with each rank sum
 * (0/1 knapsack, high sums first so each rank is used once), then divide by 2^n. */
static double signrank_cdf(double w, size_t n)
{
    double count[PF_WILCOXON_MAX_SUM + 1];
    size_t total = n * (n + 1) / 2;
    memset(count, 0, sizeof count);
    count[0] = 1.0;
    for (size_t r = 1; r <= n; r++)
        for (size_t s = r * (r + 1) / 2; s >= r; s--) count[s] += count[s - r];
    double below = 0.0;
    for (size_t s = 0; s <= total && (double)s <= w; s++) below += count[s];
    return ldexp(below, -(int)n);
}

/* Differences d = x - y without zeros into d (returns how many) and their |d| into a. */
static size_t nonzero_differences(const double *x, const double *y, size_t n, double *d, double *a)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double di = x[i] - y[i];
        if (di == 0.0) continue;
        d[m] = di;
        a[m] = fabs(di);
        m++;
    }
    return m;
}

static void wilcoxon_p(pf_wilcoxon_result *res, double ties)
{
    double n = (double)res->test.n;
    double w = res->test.statistic;
    if (res->test.n <= PF_WILCOXON_EXACT_MAX && !res->ties) {
        res->test.dist = PF_DIST_EXACT;
        res->test.p_value = fmin(1.0, 2.0 * signrank_cdf(w, res->test.n));
        return;
    }
    double mean = n * (n + 1.0) / 4.0;
    double var = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - ties / 48.0; /* > 0 for n >= 1 */
    double cc = 0.5 * ((w > mean) - (w < mean));                       /* R, scipy */
    res->z = (w - mean - cc) / sqrt(var);
    res->test.dist = PF_DIST_NORMAL;
    res->test.p_value = fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(fabs(res->z)));
}

int pf_stats_wilcoxon(const double *x, const double *y, size_t n, pf_wilcoxon_result *res,
                      pf_error *err)
{
    int rc = check_pair(x, y, n, res, err);
    if (rc) return rc;
    result_untestable(&res->test, PF_TEST_TOO_FEW, 0);
    res->w_plus = res->w_minus = res->z = NAN;
    res->n_zero = n;
    res->ties = 0;
    double *d = pf_alloc(3 * n, sizeof *d, err);
    size_t *perm = pf_alloc(n, sizeof *perm, err);
    if (d == NULL || perm == NULL) {
        free(d);
        free(perm);
        return PF_ERUNTIME;
    }
    double *a = d + n, *rank = d + 2 * n;
    size_t m = nonzero_differences(x, y, n, d, a);
    res->n_zero = n - m;
    res->test.n = m;
    if (m > 0) {
        double ties = rank_average(a, m, perm, rank);
        double wp = 0.0, wm = 0.0;
        for (size_t i = 0; i < m; i++) {
            if (d[i] > 0)
                wp += rank[i];
            else
                wm += rank[i];
        }
        res->ties = ties > 0.0;
        res->w_plus = wp;
        res->w_minus = wm;
        res->test.status = PF_TEST_OK;
        res->test.statistic = fmin(wp, wm);
        res->test.effect_size = (wp - wm) / (wp + wm);
        wilcoxon_p(res, ties);
    }
    free(d);
    free(perm);
    return PF_OK;
}

/* ---- paired t and Pitman-Morgan ---- */

int pf_stats_paired_t(const double *x, const double *y, size_t n, pf_test_result *res,
                      pf_error *err)
{
    int rc = check_pair(x, y, n, res, err);
    if (rc) return rc;
    result_untestable(res, PF_TEST_TOO_FEW, n);
    if (n < 2) return PF_OK;
    double mean = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++) mean += x[i] - y[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) ss += (x[i] - y[i] - mean) * (x[i] - y[i] - mean);
    double sd = sqrt(ss / (double)(n - 1));
    res->df1 = (double)(n - 1);
    if (sd <= noise_floor(x, y, n)) {
        res->status = PF_TEST_CONSTANT;
        return PF_OK;
    }
    res->status = PF_TEST_OK;
    res->dist = PF_DIST_T;
    res->statistic = mean / (sd / sqrt((double)n));
    res->p_value = t_two_sided(res->statistic, res->df1);
    res->effect_size = mean / sd;
    return PF_OK;
}

/* Centred second moments (sums, not divided) of s = x + y and d = x - y, and of x and y. */
typedef struct {
    double ss, dd, sd, xx, yy;
} pm_sums;

static pm_sums pitman_sums(const double *x, const double *y, size_t n)
{
    double mx = gsl_stats_mean(x, 1, n), my = gsl_stats_mean(y, 1, n);
    pm_sums q = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        double cx = x[i] - mx, cy = y[i] - my;
        q.ss += (cx + cy) * (cx + cy);
        q.dd += (cx - cy) * (cx - cy);
        q.sd += (cx + cy) * (cx - cy);
        q.xx += cx * cx;
        q.yy += cy * cy;
    }
    return q;
}

int pf_stats_pitman_morgan(const double *x, const double *y, size_t n, pf_test_result *res,
                           pf_error *err)
{
    int rc = check_pair(x, y, n, res, err);
    if (rc) return rc;
    result_untestable(res, PF_TEST_TOO_FEW, n);
    if (n < 3) return PF_OK;
    pm_sums q = pitman_sums(x, y, n);
    double floor_sd = noise_floor(x, y, n), df = (double)(n - 2);
    res->df1 = df;
    if (sqrt(q.ss / (double)(n - 1)) <= floor_sd || sqrt(q.dd / (double)(n - 1)) <= floor_sd) {
        res->status = PF_TEST_CONSTANT;
        return PF_OK;
    }
    double r = q.sd / sqrt(q.ss * q.dd);
    r = fmax(-1.0, fmin(1.0, r));
    res->status = PF_TEST_OK;
    res->dist = PF_DIST_T;
    res->statistic = (fabs(r) == 1.0) ? copysign(INFINITY, r) : r * sqrt(df / (1.0 - r * r));
    res->p_value = t_two_sided(res->statistic, df);
    res->effect_size = q.xx / q.yy; /* n - 1 cancels; q.yy == 0 gives +inf */
    return PF_OK;
}

/* ---- studentized range and Nemenyi ---- */

typedef struct {
    double q;
    double k;
} range_params;

static double range_integrand(double z, void *params)
{
    const range_params *p = params;
    double inner = gsl_cdf_ugaussian_P(z) - gsl_cdf_ugaussian_P(z - p->q);
    if (inner <= 0.0) return 0.0;
    return exp(-0.5 * z * z) * M_SQRT1_2 * M_2_SQRTPI * 0.5 * pow(inner, p->k - 1.0);
}

/* 18 panels of width 1 over [-9, 9], 32-point Gauss-Legendre each: the integrand is smooth
 * (entire) and phi(9) < 1e-17, so the truncation and quadrature errors are far below 1e-12. */
static double range_cdf_with(gsl_integration_glfixed_table *t, double q, size_t k)
{
    range_params par = {q, (double)k};
    gsl_function f = {range_integrand, &par};
    double sum = 0.0;
    for (int a = -9; a < 9; a++) sum += gsl_integration_glfixed(&f, a, a + 1.0, t);
    return fmin(1.0, (double)k * sum);
}

double pf_stats_studentized_range_cdf(double q, size_t k)
{
    if (k < 2 || isnan(q)) return NAN;
    if (q <= 0.0) return 0.0;
    if (isinf(q)) return 1.0;
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(32);
    if (t == NULL) return NAN;
    double p = range_cdf_with(t, q, k);
    gsl_integration_glfixed_table_free(t);
    return p;
}

typedef struct {
    gsl_integration_glfixed_table *table;
    size_t k;
    double p;
} quantile_params;

static double quantile_residual(double q, void *params)
{
    const quantile_params *qp = params;
    return range_cdf_with(qp->table, q, qp->k) - qp->p;
}

/* Brent on [0, hi] with hi doubled until cdf(hi) > p: cdf(0) - p = -p < 0, so the root is
 * bracketed before GSL sees it (an unbracketed call would invoke GSL's aborting handler). */
static double quantile_brent(quantile_params *qp)
{
    gsl_function f = {quantile_residual, qp};
    double lo = 0.0, hi = 8.0;
    while (quantile_residual(hi, qp) <= 0.0) {
        if (hi > 1e3) return NAN; /* p indistinguishable from 1 */
        lo = hi;
        hi *= 2.0;
    }
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (s == NULL) return NAN;
    gsl_root_fsolver_set(s, &f, lo, hi);
    for (int it = 0; it < 200; it++) {
        gsl_root_fsolver_iterate(s);
        lo = gsl_root_fsolver_x_lower(s);
        hi = gsl_root_fsolver_x_upper(s);
        if (gsl_root_test_interval(lo, hi, 1e-12, 0.0) == GSL_SUCCESS) break;
    }
    double root = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    return root;
}

double pf_stats_studentized_range_quantile(double p, size_t k)
{
    if (k < 2 || !(p > 0.0 && p < 1.0)) return NAN;
    quantile_params qp = {gsl_integration_glfixed_table_alloc(32), k, p};
    if (qp.table == NULL) return NAN;
    double q = quantile_brent(&qp);
    gsl_integration_glfixed_table_free(qp.table);
    return q;
}

double pf_stats_nemenyi_cd(size_t k, size_t n_blocks, double alpha)
{
    if (k < 2 || n_blocks == 0 || !(alpha > 0.0 && alpha < 1.0)) return NAN;
    double q = pf_stats_studentized_range_quantile(1.0 - alpha, k) * M_SQRT1_2;
    double kk = (double)k;
    return q * sqrt(kk * (kk + 1.0) / (6.0 * (double)n_blocks));
}

/* ---- Friedman ---- */

/* Rank every row and add the ranks into rank_sum (k entries, zeroed here); *ties receives
 * the tie term T summed over rows. */
static int friedman_rank_sums(const double *data, size_t nb, size_t k, int higher_is_better,
                              double *rank_sum, double *ties, pf_error *err)
{
    double *rank = pf_alloc(k, sizeof *rank, err);
    size_t *perm = pf_alloc(k, sizeof *perm, err);
    if (rank == NULL || perm == NULL) {
        free(rank);
        free(perm);
        return PF_ERUNTIME;
    }
    *ties = 0.0;
    for (size_t j = 0; j < k; j++) rank_sum[j] = 0.0;
    for (size_t i = 0; i < nb; i++) {
        *ties += rank_average(data + i * k, k, perm, rank);
        for (size_t j = 0; j < k; j++)
            rank_sum[j] += higher_is_better ? (double)(k + 1) - rank[j] : rank[j];
    }
    free(rank);
    free(perm);
    return PF_OK;
}

static void friedman_tests(const double *rank_sum, double ties, size_t nb, size_t k,
                           pf_friedman_result *res)
{
    double N = (double)nb, K = (double)k, ss = 0.0;
    for (size_t j = 0; j < k; j++) {
        double dev = rank_sum[j] - N * (K + 1.0) / 2.0;
        ss += dev * dev;
    }
    double full = N * K * (K + 1.0), den = full - ties / (K - 1.0);
    if (den <= 1e-9 * full) { /* every row fully tied: den is exactly 0 in exact arithmetic */
        result_untestable(&res->chi2, PF_TEST_CONSTANT, nb);
        result_untestable(&res->f, PF_TEST_CONSTANT, nb);
        return;
    }
    double chi2 = 12.0 * ss / den, w = chi2 / (N * (K - 1.0));
    res->chi2 = (pf_test_result){PF_TEST_OK, PF_DIST_CHISQ, chi2, gsl_cdf_chisq_Q(chi2, K - 1.0), w,
                                 nb,         K - 1.0,       NAN};
    double fden = N * (K - 1.0) - chi2, df2 = (K - 1.0) * (N - 1.0);
    double f = fden > 1e-12 * N * (K - 1.0) ? (N - 1.0) * chi2 / fden : INFINITY;
    double pf = isinf(f) ? 0.0 : gsl_cdf_fdist_Q(f, K - 1.0, df2);
    res->f = (pf_test_result){PF_TEST_OK, PF_DIST_F, f, pf, w, nb, K - 1.0, df2};
}

int pf_stats_friedman(const double *data, size_t n_blocks, size_t k, int higher_is_better,
                      double alpha, double *avg_rank, pf_friedman_result *res, pf_error *err)
{
    if (res == NULL) return pf_error_set(err, PF_EINPUT, "result pointer is NULL");
    if (!(alpha > 0.0 && alpha < 1.0))
        return pf_error_set(err, PF_EINPUT, "alpha is %g; it must lie in (0, 1), e.g. 0.05", alpha);
    int rc = check_finite(data, n_blocks * k, "data", err);
    if (rc) return rc;
    result_untestable(&res->chi2, PF_TEST_TOO_FEW, n_blocks);
    result_untestable(&res->f, PF_TEST_TOO_FEW, n_blocks);
    res->q_alpha = k >= 2 ? pf_stats_studentized_range_quantile(1.0 - alpha, k) * M_SQRT1_2 : NAN;
    res->cd = pf_stats_nemenyi_cd(k, n_blocks, alpha);
    if (k == 0) return PF_OK;
    double *rank_sum = pf_alloc(k, sizeof *rank_sum, err), ties = 0.0;
    if (rank_sum == NULL) return PF_ERUNTIME;
    rc = friedman_rank_sums(data, n_blocks, k, higher_is_better, rank_sum, &ties, err);
    if (rc == PF_OK && avg_rank != NULL)
        for (size_t j = 0; j < k; j++)
            avg_rank[j] = n_blocks ? rank_sum[j] / (double)n_blocks : NAN;
    if (rc == PF_OK && n_blocks >= 2 && k >= 2) friedman_tests(rank_sum, ties, n_blocks, k, res);
    free(rank_sum);
    return rc;
}

/* ---- Kruskal-Wallis ---- */

static int kruskal_check(const double *x, const size_t *group, size_t n, size_t k,
                         const pf_test_result *res, pf_error *err)
{
    if (res == NULL) return pf_error_set(err, PF_EINPUT, "result pointer is NULL");
    int rc = check_finite(x, n, "x", err);
    if (rc) return rc;
    if (n > 0 && group == NULL) return pf_error_set(err, PF_EINPUT, "group is NULL");
    for (size_t i = 0; i < n; i++)
        if (group[i] >= k)
            return pf_error_set(err, PF_EINPUT,
                                "group[%zu] is %zu; group indices must lie in 0..k-1 with k = %zu",
                                i, group[i], k);
    return PF_OK;
}

/* H from the ranks: 12/(n(n+1)) sum_g n_g (Rbar_g - (n+1)/2)^2, algebraically the textbook
 * sum_g R_g^2 / n_g form but a sum of squares, so it cannot round below 0. */
static double kruskal_h(const double *rank, const size_t *group, size_t n, size_t k,
                        double *rank_sum, size_t *size)
{
    for (size_t g = 0; g < k; g++) {
        rank_sum[g] = 0.0;
        size[g] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        rank_sum[group[i]] += rank[i];
        size[group[i]]++;
    }
    double N = (double)n, mid = (N + 1.0) / 2.0, ss = 0.0;
    for (size_t g = 0; g < k; g++) {
        if (size[g] == 0) continue;
        double dev = rank_sum[g] / (double)size[g] - mid;
        ss += (double)size[g] * dev * dev;
    }
    return 12.0 / (N * (N + 1.0)) * ss;
}

/* Fill res from the untied H, the tie term T and the group count. */
static void kruskal_finish(pf_test_result *res, double h, double ties, size_t n, size_t k_eff)
{
    if (n <= k_eff) return; /* no freedom within groups: stays PF_TEST_TOO_FEW */
    double N = (double)n, den = 1.0 - ties / (N * N * N - N);
    res->df1 = (double)(k_eff - 1);
    /* den is exactly 0 when all n values tie and at least 3 / (n + 1) otherwise (one tie
     * group of n - 1), so the threshold only absorbs rounding of T for huge n. */
    if (den <= 1e-9) {
        res->status = PF_TEST_CONSTANT;
        return;
    }
    h /= den;
    res->status = PF_TEST_OK;
    res->dist = PF_DIST_CHISQ;
    res->statistic = h;
    res->p_value = gsl_cdf_chisq_Q(h, res->df1);
    res->effect_size = h / (N - 1.0); /* = SS_between / SS_total of the ranks, in [0, 1] */
}

int pf_stats_kruskal_wallis(const double *x, const size_t *group, size_t n, size_t k,
                            pf_test_result *res, pf_error *err)
{
    int rc = kruskal_check(x, group, n, k, res, err);
    if (rc) return rc;
    result_untestable(res, PF_TEST_TOO_FEW, n);
    int several = 0; /* at least two non-empty groups; O(n) however large k is */
    for (size_t i = 1; i < n && !several; i++) several = group[i] != group[0];
    if (!several) return PF_OK;
    double *rank = pf_alloc(n, sizeof *rank, err), *rank_sum = pf_alloc(k, sizeof *rank_sum, err);
    size_t *perm = pf_alloc(n, sizeof *perm, err), *size = pf_alloc(k, sizeof *size, err);
    if (rank != NULL && rank_sum != NULL && perm != NULL && size != NULL) {
        double ties = rank_average(x, n, perm, rank);
        double h = kruskal_h(rank, group, n, k, rank_sum, size);
        size_t k_eff = 0;
        for (size_t g = 0; g < k; g++) k_eff += size[g] > 0;
        kruskal_finish(res, h, ties, n, k_eff);
    } else {
        rc = PF_ERUNTIME;
    }
    free(rank);
    free(rank_sum);
    free(perm);
    free(size);
    return rc;
}

/* ---- Holm ---- */

int pf_stats_holm(const double *p, size_t m, double *adj, pf_error *err)
{
    if (m > 0 && (p == NULL || adj == NULL))
        return pf_error_set(err, PF_EINPUT, "p-value or output array is NULL");
    for (size_t i = 0; i < m; i++)
        if (!isnan(p[i]) && !(p[i] >= 0.0 && p[i] <= 1.0))
            return pf_error_set(err, PF_EINPUT, "p-value %zu is %g; p-values lie in [0, 1]", i,
                                p[i]);
    double *valid = pf_alloc(m, sizeof *valid, err);
    size_t *where = pf_alloc(m, sizeof *where, err), *order = pf_alloc(m, sizeof *order, err);
    if (valid == NULL || where == NULL || order == NULL) {
        free(valid);
        free(where);
        free(order);
        return PF_ERUNTIME;
    }
    size_t mv = 0; /* the family size m': NaN entries are not tests */
    for (size_t i = 0; i < m; i++) {
        if (isnan(p[i])) continue;
        valid[mv] = p[i];
        where[mv++] = i;
    }
    for (size_t i = 0; i < m; i++)
        if (isnan(p[i])) adj[i] = NAN;
    gsl_sort_index(order, valid, 1, mv);
    double running = 0.0; /* the max over j <= i keeps the adjusted values monotone */
    for (size_t i = 0; i < mv; i++) {
        double a = fmin(1.0, (double)(mv - i) * valid[order[i]]);
        running = fmax(running, a);
        adj[where[order[i]]] = running;
    }
    free(valid);
    free(where);
    free(order);
    return PF_OK;
}

/* ---- bootstrap ---- */

static int bootstrap_check(const double *v, size_t n, size_t b, double alpha, gsl_rng *rng,
                           pf_error *err)
{
    if (n < 2) return pf_error_set(err, PF_EINPUT, "bootstrap needs at least 2 values, got %zu", n);
    if (b < 1) return pf_error_set(err, PF_EINPUT, "bootstrap needs at least 1 resample");
    if (!(alpha > 0.0 && alpha < 1.0))
        return pf_error_set(err, PF_EINPUT, "alpha is %g; it must lie in (0, 1), e.g. 0.05", alpha);
    if (rng == NULL) return pf_error_set(err, PF_EINPUT, "bootstrap rng is NULL");
    if (n > gsl_rng_max(rng) - gsl_rng_min(rng))
        return pf_error_set(err, PF_EINPUT, "%zu values exceed the generator's range", n);
    return check_finite(v, n, "v", err);
}

static pf_interval percentile_interval(double *stat, size_t b, double alpha)
{
    gsl_sort(stat, 1, b);
    pf_interval ci = {gsl_stats_quantile_from_sorted_data(stat, 1, b, alpha / 2.0),
                      gsl_stats_quantile_from_sorted_data(stat, 1, b, 1.0 - alpha / 2.0)};
    return ci;
}

int pf_stats_bootstrap_ci(const double *v, size_t n, size_t n_resamples, double alpha, gsl_rng *rng,
                          pf_interval *mean_ci, pf_interval *sd_ci, pf_error *err)
{
    int rc = bootstrap_check(v, n, n_resamples, alpha, rng, err);
    if (rc) return rc;
    double *sample = pf_alloc(n, sizeof *sample, err);
    double *means = pf_alloc(n_resamples, sizeof *means, err);
    double *sds = pf_alloc(n_resamples, sizeof *sds, err);
    if (sample != NULL && means != NULL && sds != NULL) {
        for (size_t b = 0; b < n_resamples; b++) {
            for (size_t i = 0; i < n; i++) sample[i] = v[gsl_rng_uniform_int(rng, n)];
            means[b] = gsl_stats_mean(sample, 1, n);
            sds[b] = gsl_stats_sd_m(sample, 1, n, means[b]);
        }
        if (mean_ci != NULL) *mean_ci = percentile_interval(means, n_resamples, alpha);
        if (sd_ci != NULL) *sd_ci = percentile_interval(sds, n_resamples, alpha);
    } else {
        rc = PF_ERUNTIME;
    }
    free(sample);
    free(means);
    free(sds);
    return rc;
}
