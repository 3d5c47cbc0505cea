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
 *
 * Numbers are written as the shortest text that reads back to the same double ("nan" for
 * not run or undefined). Each file is written under a temporary name and renamed when
 * complete (outfile.h). */
#ifndef PF_RESULTS_CSV_H
#define PF_RESULTS_CSV_H

#include "error.h"
#include "results.h"

/* The three files into dir (which must exist); r->summary must be filled. */
int pf_results_write_csv(const pf_results *r, const char *dir, pf_error *err);

#endif
