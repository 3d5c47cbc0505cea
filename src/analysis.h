/* analysis.h: from per-participant numbers to findings -- the statistics of a finished run.
 *
 * Blocks are participants (each participant's CCC averaged over repeats), so every test is
 * paired. Per sparsity level:
 *   family "friedman@s"   Friedman across all criteria (+ Iman-Davenport F), average ranks
 *                         and the Nemenyi critical difference;
 *   family "reference@s"  the reference criterion against every other criterion and against
 *                         dense: Wilcoxon signed-rank, paired t and Pitman-Morgan; Holm's
 *                         correction runs within each (family, test) so the three tests do not
 *                         dilute each other.
 * Plus percentile bootstrap CIs (participants resampled, seeded per criterion and sparsity) of
 * the mean and the sd of CCC for every (criterion, sparsity) and for the dense model. */
#ifndef PF_ANALYSIS_H
#define PF_ANALYSIS_H

#include <stddef.h>

#include <hdf5.h>

#include "config.h"
#include "error.h"
#include "results.h"
#include "stats.h"

typedef struct {
    char family[PF_MAX_NAME]; /* "reference@0.8", "friedman@0.8" */
    double sparsity;
    char test[24];         /* wilcoxon, ttest, pitman_morgan, friedman, iman_davenport */
    char a[PF_MAX_NAME];   /* reference (or "all" for friedman) */
    char b[PF_MAX_NAME];   /* the other criterion, "dense", or "" */
    size_t n;              /* pairs / blocks used */
    pf_test_status status; /* not OK: p_value and p_holm are NaN ("not testable") */
    double statistic, df1, df2;
    double p_value, p_holm;
    double effect_size; /* rank-biserial r, Cohen's d_z, var ratio, Kendall's W */
    double mean_diff;   /* mean over participants of a - b (NaN for friedman) */
} pf_test_row;

typedef struct {
    size_t n_crit, n_sp;
    int reference; /* criterion index of the reference, -1 when there is none */
    double alpha;
    size_t n_rows;
    pf_test_row *rows; /* every test, family by family */
    /* Bootstrap CIs, [crit][sp]; the dense model's in the dense_* fields. */
    pf_interval *mean_ci, *sd_ci;
    pf_interval dense_mean_ci, dense_sd_ci;
    /* Friedman average ranks [sp][crit] (1 = best) and critical difference [sp]. */
    double *avg_rank;
    double *cd;
} pf_analysis;

pf_analysis *pf_analysis_run(const pf_results *r, const pf_config *cfg, pf_error *err);
void pf_analysis_free(pf_analysis *a);

/* The row of test `test` comparing the reference with criterion b ("dense" for dense) at
 * sparsity index s, or NULL. */
const pf_test_row *pf_analysis_find(const pf_analysis *a, const char *test, const char *b,
                                    double sparsity);

/* The /stats group of a results file. */
int pf_analysis_write_h5(const pf_analysis *a, const pf_results *r, const pf_config *cfg,
                         hid_t file, pf_error *err);

/* stats.csv: one row per test (the columns of pf_test_row). */
int pf_analysis_write_csv(const pf_analysis *a, const char *dir, pf_error *err);

#endif
