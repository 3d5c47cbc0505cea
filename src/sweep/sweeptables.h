/* sweeptables.h: the paper tables across a sweep's points, Markdown and LaTeX
 * (docs/sweeps.md#tables-across-points).
 *
 * One table per group of the sweep file (an axis, or axes zipped together), weight width and
 * sparsity above 0, into DIR/tables/, for each format of the first done point's
 * output.tables: AXIS_M_sS.md / .tex (M the metric's file name, S the sparsity; "_<b>bit"
 * after it below 32 bits), e.g. tables/model.hidden_ccc_s0.8.md. Rows: the dense model, then
 * the pruning criteria; columns: the group's values, headed by their labels, then "avg.
 * rank". A cell is aggregate.h's cell, "mean ± sd" of the pooled participants (3 decimals),
 * "n/a" when incomplete; the best mean of each column is bold (dense excluded; ties as printed
 * all bold). The rank column is the criterion's average rank over the columns
 * (sweepstats.h; 1 = best, the lowest bold), with a dagger where the Wilcoxon test of the
 * reference against it over the columns is significant after Holm. The caption names the
 * metric and its direction, the width and sparsity, what a cell pools, and the Friedman test
 * (chi2, Iman-Davenport's F, their p, Nemenyi's CD), or says why it was not testable. */
#ifndef PF_SWEEPTABLES_H
#define PF_SWEEPTABLES_H

#include "base/error.h"
#include "sweep/aggregate.h"
#include "sweep/sweepstats.h"

/* Every table of g (with the comparisons of st) into dir/tables/ (created if missing). */
int pf_sweeptables_write(const pf_aggregate *g, const pf_sweepstats *st, const char *dir,
                         pf_error *err);

#endif
