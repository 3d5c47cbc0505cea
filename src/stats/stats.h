/* stats.h: the significance tests, effect sizes, multiple-comparison correction and bootstrap
 * intervals that turn per-participant metrics into claims (docs/statistics.md).
 *
 * Blocks are participants: every test here except Kruskal-Wallis is paired. x[i] and y[i]
 * (or row i of a matrix) belong to participant i; Kruskal-Wallis compares independent groups
 * of participants. All p-values are two-sided. Distribution functions come from GSL
 * (gsl_cdf_*); the studentized range, which GSL lacks, is integrated here.
 *
 * Conventions:
 * - Functions return PF_OK, or PF_EINPUT (NULL pointers, non-finite values, alpha outside
 *   (0, 1)) / PF_ERUNTIME (memory) with a sentence in err. They never print or abort: every
 *   GSL routine used here is called only on arguments where it cannot raise a GSL error.
 * - A test that cannot be run on the data is not an error: it returns PF_OK with
 *   status != PF_TEST_OK and p_value = NaN. NaN, never 1: "not testable" must not read as
 *   "no difference" in a table, and pf_stats_holm leaves NaN out of the family. */
#ifndef PF_STATS_H
#define PF_STATS_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"

typedef enum {
    PF_TEST_OK = 0,  /* statistic and p-value are valid */
    PF_TEST_TOO_FEW, /* too few (nonzero) pairs, blocks or treatments for the test */
    PF_TEST_CONSTANT /* the data lack the variation the statistic divides by */
} pf_test_status;

typedef enum {
    PF_DIST_NONE = 0, /* no p-value (status != PF_TEST_OK) */
    PF_DIST_EXACT,    /* exact permutation distribution */
    PF_DIST_NORMAL,   /* standard normal approximation */
    PF_DIST_T,        /* Student t with df1 degrees of freedom */
    PF_DIST_CHISQ,    /* chi-square with df1 degrees of freedom */
    PF_DIST_F         /* F with (df1, df2) degrees of freedom */
} pf_test_dist;

typedef struct {
    pf_test_status status;
    pf_test_dist dist;  /* where p_value came from */
    double statistic;   /* the test's statistic (see each test) */
    double p_value;     /* two-sided; NaN unless status == PF_TEST_OK */
    double effect_size; /* see each test; NaN when undefined */
    size_t n;           /* pairs (or blocks) the test used */
    double df1, df2;    /* degrees of freedom; NaN where the distribution has none */
} pf_test_result;

/* ---- two paired samples ---- */

typedef struct {
    pf_test_result test; /* statistic = W = min(W+, W-); effect_size = rank-biserial r;
                            n = number of nonzero differences; dist EXACT or NORMAL */
    double w_plus;       /* sum of the ranks of |d| where d = x - y > 0 */
    double w_minus;      /* the same for d < 0; w_plus + w_minus = n(n+1)/2 */
    double z;            /* continuity-corrected z of the normal branch; NaN when exact */
    size_t n_zero;       /* zero differences, dropped before ranking */
    int ties;            /* nonzero when the nonzero |d| contain ties */
} pf_wilcoxon_result;

/* Wilcoxon signed-rank test of d = x - y (Wilcoxon 1945; Hollander & Wolfe 1999, ch. 3).
 * Zero differences are dropped ("wilcox" zero method), |d| ranked with average ranks for ties.
 * n <= 50 and no ties: the exact null distribution of W+ (all 2^n sign patterns, counted by
 * dynamic programming over rank sums), p = min(1, 2 P(W+ <= W)) -- zeros do not force the
 * approximation here, unlike R and scipy's "auto" (the exact distribution of the signs of
 * the nonzero differences is still exact after dropping zeros). Otherwise the normal
 * approximation with variance n(n+1)(2n+1)/24 - sum(t^3 - t)/48 and continuity correction
 * z = (W - n(n+1)/4 - 0.5 sign(W - n(n+1)/4)) / sd, p = 2 (1 - Phi(|z|)), exactly as R's
 * wilcox.test and scipy.stats.wilcoxon(correction=True). Effect size: matched-pairs
 * rank-biserial r = (W+ - W-) / (W+ + W-) (Kerby 2014), positive when x tends to exceed y.
 * No nonzero difference (n == 0): status PF_TEST_TOO_FEW. */
int pf_stats_wilcoxon(const double *x, const double *y, size_t n, pf_wilcoxon_result *res,
                      pf_error *err);

/* Paired t-test on d = x - y: t = mean(d) / (sd(d) / sqrt(n)), df = n - 1. Effect size:
 * Cohen's d_z = mean(d) / sd(d). n < 2: PF_TEST_TOO_FEW. Differences that are (essentially)
 * constant, sd(d) <= 10 DBL_EPSILON max_i(|x_i| + |y_i|), give PF_TEST_CONSTANT with p = NaN
 * rather than p = 0: like R's t.test ("data are essentially constant") we refuse, since all
 * participants changing by exactly the same amount signals a degenerate comparison (e.g. a
 * criterion against itself, or rounding noise of one), not infinite evidence. */
int pf_stats_paired_t(const double *x, const double *y, size_t n, pf_test_result *res,
                      pf_error *err);

/* Pitman (1939) - Morgan (1939) test of var(x) == var(y) for paired samples:
 * r = corr(x + y, x - y), t = r sqrt((n - 2) / (1 - r^2)), df = n - 2. statistic = t;
 * effect_size = var(x) / var(y) (sample variances; > 1 means x is more spread). n < 3:
 * PF_TEST_TOO_FEW. x + y or x - y essentially constant (same rule as pf_stats_paired_t): r is 0/0,
 * PF_TEST_CONSTANT. |r| == 1 (e.g. y constant, x not): t = +-inf, p = 0. */
int pf_stats_pitman_morgan(const double *x, const double *y, size_t n, pf_test_result *res,
                           pf_error *err);

/* ---- k related samples ---- */

typedef struct {
    pf_test_result chi2; /* Friedman chi2_F with tie correction, chi-square k - 1 df;
                            effect_size = Kendall's W = chi2_F / (N (k - 1)) */
    pf_test_result f;    /* Iman & Davenport (1980) F = (N - 1) chi2 / (N (k - 1) - chi2),
                            F with (k - 1, (k - 1)(N - 1)) df; effect_size = Kendall's W */
    double q_alpha;      /* studentized range quantile / sqrt(2) (Demsar 2006, Table 5a) */
    double cd;           /* Nemenyi critical difference of average ranks at alpha */
} pf_friedman_result;

/* Friedman test over data[n_blocks x k] (row-major; rows = participants, columns =
 * treatments, e.g. criteria). Ranks within each row, average ranks for ties. With
 * R_j the rank sum of treatment j and T = sum over rows and tie groups of (t^3 - t),
 *   chi2_F = 12 sum_j (R_j - N(k+1)/2)^2 / (N k (k+1) - T / (k - 1))
 * (Conover 1999, Practical Nonparametric Statistics, 5.8; identical to R's friedman.test and
 * scipy.stats.friedmanchisquare). Without ties this is Demsar's (2006) eq. for chi2_F.
 * higher_is_better != 0 gives the largest value rank 1 (Demsar's convention for accuracy);
 * the tests do not depend on this, the average ranks do. avg_rank (k doubles, may be NULL)
 * receives R_j / N. N < 2 or k < 2: PF_TEST_TOO_FEW; every row fully tied: PF_TEST_CONSTANT;
 * chi2_F = N (k - 1) (every row ranks alike, no ties): F = inf, p_F = 0. The Nemenyi
 * critical difference CD = q_alpha sqrt(k (k + 1) / (6 N)) is filled whenever k >= 2. */
int pf_stats_friedman(const double *data, size_t n_blocks, size_t k, int higher_is_better,
                      double alpha, double *avg_rank, pf_friedman_result *res, pf_error *err);

/* Studentized range distribution of k means with infinite degrees of freedom (the case
 * Nemenyi's test uses): P(Q < q) = k int phi(z) [Phi(z) - Phi(z - q)]^(k-1) dz (Hartley 1942;
 * Copenhaver & Holland 1988 give it as the df -> inf limit), integrated by fixed Gauss-
 * Legendre panels over |z| <= 9 where phi > 1e-18. NaN for k < 2; 0 for q <= 0. */
double pf_stats_studentized_range_cdf(double q, size_t k);

/* Its quantile: the q with P(Q < q) = p, for 0 < p < 1 (Brent's method, |error| < 1e-10).
 * NaN for k < 2 or p outside (0, 1). */
double pf_stats_studentized_range_quantile(double p, size_t k);

/* Nemenyi critical difference for k treatments over n_blocks blocks (Demsar 2006, eq. 5):
 * q_alpha sqrt(k (k + 1) / (6 N)), q_alpha = pf_stats_studentized_range_quantile(1 - alpha, k) /
 * sqrt(2). NaN for k < 2, n_blocks == 0 or alpha outside (0, 1). */
double pf_stats_nemenyi_cd(size_t k, size_t n_blocks, double alpha);

/* ---- k independent samples ---- */

/* Kruskal-Wallis H test (Kruskal & Wallis 1952; Hollander & Wolfe 1999, 6.1) that k groups
 * come from the same distribution. x[i] is observation i's value, group[i] in 0..k-1 its
 * group; groups without a member do not count, k' = number of non-empty groups. All n values
 * are ranked together, average ranks for ties. With R_g the rank sum and n_g the size of
 * group g and T = sum over tie groups of (t^3 - t),
 *   H = [12 / (n (n + 1)) sum_g R_g^2 / n_g - 3 (n + 1)] / (1 - T / (n^3 - n)),
 * p from chi-square with k' - 1 df -- exactly scipy.stats.kruskal and R's kruskal.test.
 * statistic = the tie-corrected H, df1 = k' - 1, df2 = NaN, n = n. Effect size: epsilon-
 * squared E^2_R = H / ((n^2 - 1) / (n + 1)) = H / (n - 1) (Tomczak & Tomczak 2014), in [0, 1].
 * k' < 2 or n <= k' (no freedom within groups): PF_TEST_TOO_FEW; all n values tied (the
 * correction's denominator is 0): PF_TEST_CONSTANT. A group[i] >= k is PF_EINPUT. */
int pf_stats_kruskal_wallis(const double *x, const size_t *group, size_t n, size_t k,
                            pf_test_result *res, pf_error *err);

/* ---- families and intervals ---- */

/* Holm (1979) step-down adjusted p-values of a family p[0..m-1]. NaN entries (tests that
 * could not be run) stay NaN and are not counted in the family size m'. With the m' valid
 * p-values sorted ascending, adj_(i) = max_{j <= i} min(1, (m' - j + 1) p_(j)), so adjusted
 * values are monotone in p and capped at 1. adj may be the same array as p. A p outside
 * [0, 1] is PF_EINPUT. */
int pf_stats_holm(const double *p, size_t m, double *adj, pf_error *err);

typedef struct {
    double lo, hi;
} pf_interval;

/* Percentile bootstrap (Efron & Tibshirani 1993, ch. 13) intervals at level 1 - alpha for the
 * mean and the sample sd (n - 1) of v[0..n-1]. Each of n_resamples resamples draws n indices
 * with gsl_rng_uniform_int(rng, n), in order, so the result is a pure function of the rng's
 * state (seed it with pf_seed_rng(..., PF_SEED_BOOTSTRAP)); mean and sd share the resamples.
 * lo and hi are the alpha/2 and 1 - alpha/2 quantiles of the resampled statistics with the
 * type-7 rule of pf_summary_compute (linear interpolation between order statistics).
 * Needs n >= 2 and n_resamples >= 1; either may be NULL to skip that interval. */
int pf_stats_bootstrap_ci(const double *v, size_t n, size_t n_resamples, double alpha, gsl_rng *rng,
                          pf_interval *mean_ci, pf_interval *sd_ci, pf_error *err);

#endif
