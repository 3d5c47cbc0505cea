/* results_csv.h: the CSV files of a run, for pandas, R and spreadsheets.
 *
 *   per_participant.csv  one row per (variant, participant, repeat): participant, criterion,
 *                        sparsity, bits, repeat, one column per metric of the task (named as
 *                        the metric set names them: ccc, ccc[arousal], mean_ccc, accuracy, ...),
 *                        n_windows. The dense model is criterion "dense", sparsity 0.
 *   summary.csv          one row per (variant, metric): criterion, sparsity, bits,
 *                        achieved_sparsity, metric, higher_is_better, n, mean, sd, median,
 *                        worst, tail, best, gap, mean_delta, worst_delta (summary.h)
 *   participants.csv     one row per participant: participant, n_windows, fold (the fold that
 *                        tests them; empty when unknown), one column per attribute
 *   cost.csv             one row per variant: criterion, sparsity, bits, achieved_sparsity,
 *                        kept_params, stored_bytes, macs (means over tasks), ns_per_window
 *                        (measured once, fold 0) and the kernel timed ("float32 dense",
 *                        "float32 csr", "int8")
 *
 * Numbers are written as the shortest text that reads back to the same double ("nan" for
 * not run or undefined). Each file is written under a temporary name and renamed when
 * complete (outfile.h).
 * Definitions and the exact rules: docs/outputs.md#the-csv-files. */
#ifndef PF_RESULTS_CSV_H
#define PF_RESULTS_CSV_H

#include <stdio.h>

#include "base/error.h"
#include "results/results.h"

/* The four files into dir (which must exist); r->summary must be filled. */
int pf_results_csv_write(const pf_results *r, const char *dir, pf_error *err);

/* The fields that name variant v in every CSV: criterion, sparsity, clusters (only when
 * clustered: the study clusters, pf_results_clustered, or a sweep has a point that does),
 * bits (numtext.h for the sparsity), without a separator before or after: the one spelling of
 * a variant, for these files and predictions.csv (predictions.h); _head writes their names. */
void pf_results_csv_variant_head(FILE *fp, int clustered);
void pf_results_csv_variant(FILE *fp, const pf_results *r, size_t v, int clustered);

/* summary.csv's heading and its row for (variant v, metric m), without the line end: the one
 * spelling of a summary row, for summary.csv and for the rows of a sweep's sweep.csv (which
 * puts the point's columns in front). */
void pf_results_csv_summary_head(FILE *fp, int clustered);
void pf_results_csv_summary_row(FILE *fp, const pf_results *r, size_t v, size_t m, int clustered);

#endif
