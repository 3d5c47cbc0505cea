/* compare.h: the pruning criteria compared across the points of a sweep's axis, as Demsar (2006,
 * "Statistical comparisons of classifiers over multiple data sets", JMLR 7) compares
 * classifiers over data sets (docs/statistics.md#statistics-across-data-sets).
 *
 * The points of one axis (the three AGAIN games, the seeds, the widths) are the blocks, the
 * criteria the treatments; value[b * k + j] is criterion j's value on block b: its mean primary
 * metric there, at one sparsity and one weight width. From it:
 *   - the average ranks (rank 1 = best by the metric's direction; average ranks for ties),
 *   - the Friedman test, Iman and Davenport's F and the Nemenyi critical difference
 *     (pf_stats_friedman),
 *   - the Wilcoxon signed-rank test of the reference criterion against each other one over the
 *     blocks (pf_stats_wilcoxon), Holm's correction over those k - 1 comparisons
 *     (pf_stats_holm),
 *   - the groups of criteria that the Nemenyi test cannot tell apart (maximal cliques), which the
 *     critical-difference diagram joins with bars (sweep/cdplot.h).
 *
 * The rules, exactly (docs/statistics.md#statistics-across-data-sets):
 *   - Any non-finite value (a diverged model, a point not run): every test is PF_TEST_TOO_FEW
 *     with NaN numbers, the average ranks are NaN and there are no cliques (as a participant
 *     without a finite value in a run's families). Blocks are never dropped silently.
 *   - Friedman (both rows) is PF_TEST_TOO_FEW when pf_stats_friedman says so (N < 2 or k < 2)
 *     and also when no outcome on N blocks could reach alpha: the most extreme one (every block
 *     ranking the criteria alike) has exact permutation probability (k!)^(1 - N), so the test is
 *     too_few when (k!)^(1 - N) > alpha (at alpha 0.05: N = 2 blocks with k = 3; N = 2 with
 *     k >= 4 is tested). Every block fully tied: PF_TEST_CONSTANT.
 *   - Wilcoxon (docs/statistics.md#wilcoxon-signed-rank-test): zero differences dropped, n =
 *     the nonzero ones. PF_TEST_TOO_FEW when n == 0 and also when no outcome on n pairs could
 *     reach alpha: the smallest exact two-sided p is 2^(1 - n), so the test needs
 *     2^(1 - n) <= alpha (n >= 6 at alpha 0.05, the first n of the published tables of critical
 *     values). Two blocks are never enough.
 *   - A test that is too_few by these rules keeps the statistics pf_stats_* computed (they
 *     describe the data: W+, W-, chi2, F) but its p_value is NaN, and Holm leaves it out.
 *   - Signs: the Wilcoxon test runs on the reference's improvement, d = ref - other when higher
 *     is better, other - ref when lower is: w_plus sums the ranks of the blocks where the
 *     reference is better, effect_size > 0 means the reference tends to be better.
 *   - The Nemenyi CD = q_alpha sqrt(k (k + 1) / (6 N)) is filled whenever k >= 2; the cliques are
 *     computed from the average ranks and the CD whatever the Friedman test says (Demsar only
 *     reads them after the Friedman test rejects; the diagram prints its p).
 *
 * Conventions as stats.h: PF_OK, or PF_EINPUT (NULL pointers, a reference outside 0..k-1,
 * alpha outside (0, 1), no block or no criterion) / PF_ERUNTIME (memory) with a sentence in err;
 * "not testable" is a status, never an error. */
#ifndef PF_COMPARE_H
#define PF_COMPARE_H

#include <stddef.h>

#include "base/error.h"
#include "stats/stats.h"

/* One group of criteria whose average ranks all differ by less than the CD: the criteria
 * order[first..last] (positions in pf_compare.order, first < last). */
typedef struct {
    size_t first, last;
} pf_compare_clique;

typedef struct {
    size_t n_blocks, k; /* the shape it was allocated for */
    size_t reference;   /* the criterion the Wilcoxon tests compare with the others */
    int higher_is_better;
    double alpha;

    double *avg_rank;            /* [k] average rank, 1 = best; NaN after a non-finite value */
    pf_friedman_result friedman; /* chi2 (Friedman), f (Iman-Davenport), q_alpha, cd */

    size_t n_cmp;                 /* k - 1 Wilcoxon comparisons, in criterion order */
    size_t *other;                /* [n_cmp] the criterion compared with the reference */
    pf_wilcoxon_result *wilcoxon; /* [n_cmp] reference vs other[i], on the reference's gain */
    double *p_holm;               /* [n_cmp] Holm-adjusted p (NaN where p_value is NaN) */

    size_t *order;             /* [k] the criteria by average rank, best first (ties: input
                                  order); input order after a non-finite value */
    size_t n_cliques;          /* maximal groups of >= 2 criteria not told apart by Nemenyi */
    pf_compare_clique *clique; /* [k] room; n_cliques used, in order of their first member */
} pf_compare;

/* Room for a comparison of k criteria over n_blocks blocks (both >= 1); NULL with err set. */
pf_compare *pf_compare_alloc(size_t n_blocks, size_t k, pf_error *err);

void pf_compare_free(pf_compare *c);

/* Compare the criteria: value is n_blocks x k, row-major (block b, criterion j at b * k + j),
 * as c was allocated; higher_is_better != 0 when larger values are better (CCC, accuracy), 0
 * for RMSE; reference in 0..k-1; alpha in (0, 1) (the Nemenyi CD's level and the level the
 * too_few rules above refer to). Fills every field of c. */
int pf_compare_run(pf_compare *c, const double *value, int higher_is_better, size_t reference,
                   double alpha, pf_error *err);

/* The maximal cliques of the "average ranks differ by less than cd" relation, as scmamp, Orange
 * and aeon draw them: with the criteria sorted by average rank into order (best first, ties in
 * input order), every clique is a run order[first..last]; a run is kept when it has at least two
 * members and is not inside the previous one. order has k entries, clique room for k; returns
 * the number of cliques (0 when cd or a rank is not finite). */
size_t pf_compare_cliques(const double *avg_rank, size_t k, double cd, size_t *order,
                          pf_compare_clique *clique);

/* The word a table prints for a status: "ok", "too_few" or "constant" (as stats.csv). */
const char *pf_compare_status(pf_test_status s);

#endif
