/* aggregate.h: the results of a sweep's points side by side -- the numbers every table,
 * statistic and figure across points reads, and the tidy CSV files (docs/sweeps.md#aggregation).
 *
 * The done points' results.h5 files are read back (summarised, as --report reads them); a
 * point not done has no numbers. Variants are matched across points by what they are, not
 * by their index: (criterion name, sparsity, bits), so points may differ in their criteria,
 * grids or widths (an axis on prune.criteria is allowed); the aggregate's criteria, sparsities
 * and widths are the union, in order of first appearance (sparsities ascending, float32 first).
 *
 * The metric of the tables, statistics and figures is the first done point's primary metric
 * (stats.metric), found by name in every other point (a point without it has no numbers for
 * it); its direction, alpha, bootstrap resamples and reference criterion are that point's.
 *
 * An axis of the tables is a group of the sweep file (one axis, or the axes zipped together):
 * its values are the columns. A cell (criterion, column) pools the participants of every done
 * point with that column's value -- each participant's value averaged over its repeats, once
 * per point -- so with one point per column it is that point's own mean and sd across
 * participants, and with several (seeds, the values of the other axes) the mean and sd of
 * all their participants together. A cell is complete when every point of its column is done
 * and has the variant; an incomplete cell is NaN: a mean over what happens to be finished
 * would change with the finishing order.
 *
 *   sweep.csv   one row per (point, variant, metric) of every done point: point (1-based),
 *               folder (NAME-HASH8 under points/), for every axis its value (column
 *               "SECTION.KEY") and its label ("label.SECTION.KEY"), then the columns of the
 *               point's summary.csv (results/results_csv.h), identical numbers
 *   points.csv  one row per point: point, folder, state (done, partial, failed, not started),
 *               tasks_done, tasks, participants, the axis values and labels, and the failure
 *               when failed (FAILED's first line) */
#ifndef PF_AGGREGATE_H
#define PF_AGGREGATE_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "results/results.h"
#include "sweep/sweep.h"

typedef struct {
    const pf_sweep *sweep;
    size_t n_points;
    pf_point_state *state; /* [point] */
    size_t *tasks_done;    /* [point] */
    pf_results **r;        /* [point]: its results (summarised), NULL when not done */
    pf_config *cfg;        /* [point]: the config its results.h5 holds (valid where r is) */
    size_t n_done;

    /* The union across the done points (criterion 0 is the dense model). */
    size_t n_crit;
    char (*crit)[PF_MAX_NAME];
    size_t n_sp;
    double *sparsity;
    size_t n_chain; /* post-training chains (clusters, bits): (0, 32) first */
    pf_chain chain[PF_MAX_LIST];
    int clustered; /* a point clusters: chains name their centroids */
    long *variant; /* [point][crit][sp][chain]: the variant in the point's results, or -1 */

    /* The metric of the tables and statistics, as the first done point names it. */
    char metric[PF_METRIC_NAME];
    char metric_file[PF_METRIC_NAME]; /* ... in file names: "ccc_arousal" */
    long *metric_of;                  /* [point]: its index in the point's metric set, or -1 */
    size_t first;                     /* the first done point: the source of the fields below */
    int higher_is_better;             /* the metric's direction */
    double alpha;                     /* stats.alpha */
    size_t bootstrap;                 /* stats.bootstrap resamples (0: no bands) */
    long reference;                   /* the reference criterion's index in crit, or -1 */
    unsigned long long seed;          /* the master seed of the bands: from the sweep's hash */
} pf_aggregate;

/* Read every done point of s (s from pf_sweep_plan or pf_sweep_open). PF_EINPUT when a
 * point's results.h5 cannot be read (naming it); PF_OK with n_done = 0 when none is done.
 * Free with pf_aggregate_free, also after a failure. */
int pf_aggregate_load(pf_aggregate *g, const pf_sweep *s, pf_error *err);
void pf_aggregate_free(pf_aggregate *g);

/* Point p's variant index of (criterion c, sparsity index sp, width index w), or -1 when the
 * point is not done or has no such variant. For c = 0 (dense) sp is ignored. */
long pf_aggregate_variant(const pf_aggregate *g, size_t p, size_t c, size_t sp, size_t w);

/* One cell of a table across points: group gi's value j (sweepfile.h's groups). */
typedef struct {
    int complete;    /* every point of the column done with the variant and the metric */
    size_t n_points; /* points in the column */
    size_t n;        /* participant values pooled */
    double mean, sd; /* of the pooled values (NaN when not complete; sd NaN when n < 2) */
} pf_aggregate_cell;

/* The cell of criterion c at sparsity index sp and width index w in column j of group gi.
 * values, when not NULL, receives the pooled values (room: pf_aggregate_cell_room). */
int pf_aggregate_cell_at(const pf_aggregate *g, size_t gi, size_t j, size_t c, size_t sp, size_t w,
                         pf_aggregate_cell *cell, double *values, pf_error *err);

/* Room for the pooled values of any cell: participants summed over all points. */
size_t pf_aggregate_cell_room(const pf_aggregate *g);

/* Whether the group's values are quantities a line plot can take as x: its first axis'
 * values are numbers, and the key is not a seed (experiment.seed, synthetic.seed, any
 * ..._seed: a seed names a draw, it measures nothing). */
int pf_aggregate_group_numeric(const pf_aggregate *g, size_t gi);

/* The group's name ("model.hidden", or "data.path+data.target_column" for a zip) and the
 * heading of its value j: its labels, the axes' labels joined by ", " (axes whose labels are
 * just their values are left out of a zip's heading when another axis has labels). */
void pf_aggregate_group_name(const pf_aggregate *g, size_t gi, char *out, size_t cap);
void pf_aggregate_group_label(const pf_aggregate *g, size_t gi, size_t j, char *out, size_t cap);

/* The stem of the file names of a table or figure of group gi at sparsity index sp and width
 * index w: AXIS_M_sS, "_<b>bit" appended below 32 bits ("model.hidden_ccc_s0.8_4bit"), AXIS the
 * group's first axis' key and M the metric's file name, characters other than letters, digits,
 * '.', '_' and '-' as '-'. */
void pf_aggregate_stem(const pf_aggregate *g, size_t gi, size_t sp, size_t w, char *out,
                       size_t cap);

/* The group's value j as a number (its first axis' value; NaN when not numeric). */
double pf_aggregate_group_value(const pf_aggregate *g, size_t gi, size_t j);

/* sweep.csv and points.csv into dir (the sweep's folder). */
int pf_aggregate_write_csv(const pf_aggregate *g, const char *dir, pf_error *err);

#endif
