/* fairness.h: does compression widen the gap between groups of people?
 *
 * Participants are the unit of fairness everywhere else (summary.h: the worst participant, the
 * spread); demographic studies ask the same question one level up. For every attribute of
 * fairness.attributes (sex, age band, language, AGAIN's player cluster ...) the participants
 * fall into groups by their value of it, and for every variant, on the primary metric:
 *   - each group's size, mean, and mean delta (variant minus dense float32, per participant
 *     first): "who lost accuracy";
 *   - the worst group (by the metric's direction), the gap = max - min of the group means
 *     (Fairlearn's difference(method='between_groups')), the ratio min / max when the metric
 *     cannot be negative, and the change of the gap from the dense float32 model;
 *   - a percentile bootstrap interval of the gap, resampling participants within each group
 *     (so every resample keeps the group sizes);
 *   - a Kruskal-Wallis test across groups on the per-participant deltas (does this compression
 *     hurt some group more than another?), with Holm's correction within each family of the
 *     same attribute, width and sparsity (the criteria compared there).
 * Groups with fewer than fairness.min_group participants are listed with their means but left
 * out of the gap, the ratio, the interval and the test; participants without a value (an
 * empty cell or one of data.na_values) belong to no group. Both are counted in the output.
 *
 * Like analysis.h, everything here is a pure function of pf_results and the config, so
 * `run_experiment --report` recomputes the same numbers from a results file.
 * Definitions and the exact rules: docs/metrics.md#groups-of-people. */
#ifndef PF_FAIRNESS_H
#define PF_FAIRNESS_H

#include <stddef.h>

#include <hdf5.h>

#include "base/error.h"
#include "config/config.h"
#include "results/results.h"
#include "stats/stats.h"

/* The group comparison of one variant under one attribute. */
typedef struct {
    double gap;       /* max - min of the compared groups' means; NaN with fewer than 2 */
    double ratio;     /* min / max of those means; NaN unless the metric is non-negative */
    double gap_delta; /* gap - the dense float32 model's gap */
    int worst;        /* the compared group with the worst mean, -1 when none */
    pf_interval gap_ci;
    pf_test_result kw; /* Kruskal-Wallis on the deltas; not run for the dense float32 model */
    double p_holm;     /* Holm within (attribute, width, sparsity); NaN when not tested */
} pf_group_gap;

typedef struct {
    char name[PF_MAX_NAME];  /* the attribute */
    size_t n_groups;         /* distinct values among the participants that have one */
    char **value;            /* [g] the group's value, in byte order of the text */
    size_t *size;            /* [g] participants */
    unsigned char *compared; /* [g] 1: size >= min_group, part of gap and test */
    size_t n_compared;
    size_t n_missing;  /* participants without a value */
    int *group_of;     /* [participant] group index, or -1 */
    double *mean;      /* [variant][g] group mean of the primary metric */
    double *delta;     /* [variant][g] group mean of (variant - dense float32) */
    pf_group_gap *gap; /* [variant] */
} pf_group_attribute;

typedef struct {
    size_t n_attr;
    pf_group_attribute *attr;
    size_t n_var;
    size_t metric;    /* the primary metric's index in the results */
    size_t min_group; /* fairness.min_group */
    double alpha;
    size_t bootstrap; /* resamples per interval (stats.bootstrap; 0 = none) */
} pf_fairness;

/* The group comparison of every attribute of fairness.attributes ("auto": every attribute the
 * results carry; "none": none) for every variant of r; r must be summarised. An attribute the
 * results do not carry is PF_EINPUT naming the ones they do. */
pf_fairness *pf_fairness_run(const pf_results *r, const pf_config *cfg, pf_error *err);
void pf_fairness_free(pf_fairness *f);

/* Whether variant v gets a group test: every variant but the dense float32 model (the
 * reference the deltas are taken against) and the pruning criteria at sparsity 0, which are
 * the dense model of their width (nothing was pruned), so their test would repeat its test
 * and only dilute the Holm family. */
int pf_fairness_tested(const pf_results *r, size_t v);

/* groups.csv: one row per (attribute, variant, group), then the gap rows of each (attribute,
 * variant) with group "*"; every row names its two sides as stats.csv does, the variant
 * (criterion_a, sparsity_a, bits_a) and the dense float32 model its deltas are taken against
 * (criterion_b, sparsity_b, bits_b: dense, 0, 32)
 * (docs/results-schema.md#groups-fairness-across-groups-of-people). */
int pf_fairness_write_csv(const pf_fairness *f, const pf_results *r, const char *dir,
                          pf_error *err);

/* The /groups part of a results file: one group per attribute. */
int pf_fairness_write_h5(const pf_fairness *f, const pf_results *r, hid_t file, pf_error *err);

#endif
