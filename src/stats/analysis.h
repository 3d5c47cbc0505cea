/* analysis.h: from per-participant numbers to findings -- the statistics of a finished run.
 *
 * Everything here is about one metric, the run's primary metric r->primary (stats.metric:
 * ccc, mean_ccc, balanced_accuracy, or whatever the config chose). Blocks are participants
 * (each participant's value averaged over repeats first), so every test is paired. Per weight
 * width and sparsity level s (family names carry "/Bbit" below 32 bits: "ref:ttest@s=0.8/4bit"):
 *   family "friedman@s=S"        Friedman across the pruning criteria (+ Iman-Davenport F),
 *                                average ranks (rank 1 = best by the metric's direction) and
 *                                the Nemenyi critical difference; uncorrected (one omnibus
 *                                test per sparsity); both sides "all" at (S, B);
 *   family "ref:<test>@s=S"      the reference criterion at (S, B) against every other
 *                                criterion at (S, B) and against dense float32 (0, 32) with
 *                                one test: Wilcoxon signed-rank, paired t, Pitman-Morgan;
 *                                Holm's correction runs within each family, so the three
 *                                tests do not dilute each other;
 *   family "groups:A@s=S"        per attribute A of fairness.h, the Kruskal-Wallis test of
 *                                every variant at (S, B) (side a; the dense model quantised
 *                                alone at s = 0), side b dense float32: do the deltas against
 *                                dense float32 differ between A's groups? Holm within the
 *                                family.
 * Every row names both sides completely (pf_test_side: criterion, sparsity, width), so a row
 * against dense reads "dense, 0, 32" even in a 4-bit family.
 * Signed numbers follow the metric's direction, so that a positive value always means "the
 * reference (criterion_a) is better": the Wilcoxon and t tests run on the improvement
 * d = a - b when higher is better and d = b - a when lower is better (RMSE), and mean_diff,
 * the t statistic, the rank-biserial r and Cohen's d_z are those of d. Unsigned numbers
 * (W = min(W+, W-), p-values, the Pitman-Morgan test of var(a) = var(b), whose effect size is
 * var(a) / var(b)) do not depend on it.
 * Plus percentile bootstrap CIs (participants resampled) of the mean and the sd of the
 * primary metric for every variant, the dense model included: the bands of the figures and
 * the "dense model at chance" check of the tables.
 * Definitions and the exact rules: docs/statistics.md#families. */
#ifndef PF_ANALYSIS_H
#define PF_ANALYSIS_H

#include <stddef.h>

#include <hdf5.h>

#include "base/error.h"
#include "config/config.h"
#include "eval/metric.h"
#include "results/results.h"
#include "stats/fairness.h"
#include "stats/stats.h"

/* One side of a test: the model (criterion, sparsity, chain: centroids and width) whose
 * per-participant values enter it. The dense model has sparsity 0; "all" is every pruning
 * criterion at that sparsity and chain (both sides of a Friedman row). */
typedef struct {
    char criterion[PF_MAX_NAME]; /* a criterion of the run, "dense", or "all" */
    double sparsity;             /* the requested sparsity (0 for the dense model) */
    int clusters;                /* centroids per layer, 0 = not clustered */
    int bits;                    /* the weight width, 32 = float32 */
} pf_test_side;

/* One test, naming both sides completely: a row of the family "ref:ttest@s=0.8/4bit" against
 * the dense model compares the reference at (0.8, 4 bits) with dense at (0, 32 bits). */
typedef struct {
    char family[2 *
                PF_MAX_NAME]; /* "ref:wilcoxon@s=0.8", "friedman@s=0.8/8bit", "groups:sex@s=0.8" */
    char test[24];  /* wilcoxon, ttest, pitman_morgan, friedman, iman_davenport, kruskal_wallis */
    pf_test_side a; /* the reference; the variant for groups; "all" for friedman */
    pf_test_side b; /* the other criterion, or dense float32; "all" for friedman */
    size_t n;       /* pairs / blocks used */
    pf_test_status status; /* not OK: p_value and p_holm are NaN ("not testable") */
    double statistic, df1, df2;
    double p_value, p_holm;
    double effect_size; /* rank-biserial r, Cohen's d_z, var ratio, Kendall's W, epsilon^2 */
    double mean_diff;   /* mean over participants of the improvement of a over b (NaN for
                           friedman): a - b, or b - a for a lower-is-better metric */
} pf_test_row;

typedef struct {
    size_t n_var, n_crit, n_sp, n_chain; /* as in the results: crit[0] is "dense" */
    int clustered;                       /* pf_results_clustered: sides name their centroids */
    int reference;                       /* index into r->crit (>= 1) of the reference, -1: none */
    double alpha;
    size_t n_rows;
    pf_test_row *rows; /* every test, family by family */
    /* Bootstrap CIs of the primary metric's mean and sd across participants, [variant]
     * (variant 0 = dense); NaN when stats.bootstrap = 0. */
    pf_interval *mean_ci, *sd_ci;
    /* Friedman average ranks [width][sp][crit] (rank 1 = best; column 0, dense, is NaN) and
     * the Nemenyi critical difference [width][sp]. */
    double *avg_rank;
    double *cd;
    pf_fairness *groups; /* the group comparisons (fairness.h) the groups: rows come from */
} pf_analysis;

pf_analysis *pf_analysis_run(const pf_results *r, const pf_config *cfg, pf_error *err);
void pf_analysis_free(pf_analysis *a);

/* The side of variant v of r: its criterion's name, sparsity and width. */
pf_test_side pf_analysis_side(const pf_results *r, size_t v);

/* The row of test `test` whose sides are exactly a and b (criterion, sparsity and width each),
 * or NULL: the reference at (0.8, 4 bits) against magnitude at (0.8, 4 bits), or against
 * dense float32 (dense, 0, 32). */
const pf_test_row *pf_analysis_find(const pf_analysis *an, const char *test, const pf_test_side *a,
                                    const pf_test_side *b);

/* The /stats group of a results file. */
int pf_analysis_write_h5(const pf_analysis *a, const pf_results *r, const pf_config *cfg,
                         hid_t file, pf_error *err);

/* stats.csv: one row per test, the columns of pf_test_row with each side as three columns:
 * family, test, criterion_a, sparsity_a, bits_a, criterion_b, sparsity_b, bits_b, n, ... */
int pf_analysis_write_csv(const pf_analysis *a, const char *dir, pf_error *err);

/* ---- a metric in words ----
 * How tables, figures and the terminal name a metric: one description, so a caption, an axis
 * label and a file name can never disagree on which metric they show or which way is better. */
typedef struct {
    const char *name;                 /* as stored: "ccc[arousal]" (points into r->metrics) */
    char file[PF_METRIC_NAME];        /* for file names and LaTeX labels: "ccc_arousal" */
    char label[PF_METRIC_NAME + 48];  /* in words: "CCC", "RMSE (arousal)", "balanced accuracy" */
    char about[PF_METRIC_NAME + 160]; /* its full meaning, from the metric registry */
    int higher_is_better;
    const char *direction; /* "higher is better" or "lower is better" */
    double chance;         /* the value at chance for this task; NaN: data dependent */
} pf_metric_words;

/* The words of metric m of r (r->primary for the metric of the tables and figures). */
void pf_analysis_metric_words(const pf_results *r, size_t m, pf_metric_words *w);

/* Is the dense model at chance on the primary metric: does the bootstrap interval of its mean
 * cover the chance level? 0 when the chance level is data dependent (NaN) or there is no
 * interval (a NULL, stats.bootstrap = 0). */
int pf_analysis_dense_at_chance(const pf_analysis *a, const pf_results *r);

#endif
