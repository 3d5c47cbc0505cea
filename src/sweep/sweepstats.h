/* sweepstats.h: the pruning criteria compared across the values of each axis of a sweep
 * (Demsar 2006; docs/statistics.md#statistics-across-data-sets).
 *
 * For every group of the sweep file (an axis, or axes zipped together), every weight width
 * and every sparsity above 0 of the aggregate: the blocks are the group's values, the
 * treatments the pruning criteria (the dense model is not one), and a block's value for a
 * criterion is the mean of its cell (aggregate.h: the participants of the points with that
 * value, pooled). sweep/compare.h runs the Friedman test with Iman-Davenport's F, the average
 * ranks, Nemenyi's critical difference and the Wilcoxon tests of the reference criterion
 * against each other one with Holm. An incomplete cell (a point not done, a variant missing)
 * makes every test of its comparison not testable, never a number from part of the blocks.
 *
 *   sweep_stats.csv  one row per test: axis, test (friedman, iman_davenport, wilcoxon),
 *                    then its two sides as stats.csv names them, criterion_a, sparsity_a,
 *                    bits_a ("all" both sides for friedman, or the reference) and
 *                    criterion_b, sparsity_b, bits_b (the other criterion), both at the
 *                    entry's sparsity and width; n (blocks or nonzero pairs), statistic,
 *                    df1, df2, p_value, p_holm, effect_size, status (ok, too_few, constant:
 *                    "not testable" is a status, never a number)
 *   sweep_ranks.csv  one row per (axis, sparsity, bits, criterion): avg_rank (1 = best), the
 *                    Nemenyi cd at alpha, blocks */
#ifndef PF_SWEEPSTATS_H
#define PF_SWEEPSTATS_H

#include <stddef.h>

#include "base/error.h"
#include "sweep/aggregate.h"
#include "sweep/compare.h"

typedef struct {
    size_t group, sp, w; /* the group, sparsity index and width index of the aggregate */
    double *value;       /* [block][criterion]: the cells' means */
    pf_compare *cmp;     /* the comparison (NULL when fewer than two criteria) */
} pf_sweepstats_entry;

typedef struct {
    size_t k;     /* criteria compared */
    size_t *crit; /* [k]: their indices in the aggregate's criteria */
    size_t n;     /* entries */
    pf_sweepstats_entry *entry;
} pf_sweepstats;

/* Every comparison of g. Free with pf_sweepstats_free, also after a failure. */
int pf_sweepstats_run(pf_sweepstats *st, const pf_aggregate *g, pf_error *err);
void pf_sweepstats_free(pf_sweepstats *st);

/* The entry of (group, sparsity index, width index), or NULL. */
const pf_sweepstats_entry *pf_sweepstats_find(const pf_sweepstats *st, size_t group, size_t sp,
                                              size_t w);

/* sweep_stats.csv and sweep_ranks.csv into dir. */
int pf_sweepstats_write_csv(const pf_sweepstats *st, const pf_aggregate *g, const char *dir,
                            pf_error *err);

#endif
