/* tables.h: the paper tables of a finished run, in Markdown and LaTeX (booktabs), and the
 * same headline numbers for the terminal.
 *
 * Every table shows the run's primary metric (r->primary, stats.metric) and is named after it
 * (M below: the metric's name made safe for file names, "ccc", "rmse", "ccc_arousal",
 * "balanced_accuracy"). Written into <dir>/tables/, for each format in cfg->tables ("md",
 * "tex"), once per weight width: float32 as named below, the others suffixed "_<b>bit"
 * (results_ccc_4bit.md), where every row is at that width and dense is the unpruned model
 * quantised alone:
 *   results_M.md / .tex  the paper table: rows = the dense model, then the pruning criteria;
 *                        columns = sparsity levels (a column 0 is added when the grid lacks
 *                        it: the dense model's); cells "mean ± sd" across participants (each
 *                        participant's repeats averaged first), 3 decimals. The dense model is
 *                        shown once, in its own row at sparsity 0; a criterion's cell at
 *                        sparsity 0 whose per-participant values are identical to the dense
 *                        model's (it is the dense model: nothing pruned, nothing retrained)
 *                        reads "= dense" and is never bold. The best mean of each column is
 *                        bold (the highest, or the lowest for a lower-is-better metric such as
 *                        RMSE; ties as printed all bold; dense excluded); a dagger marks a
 *                        criterion that differs from the reference criterion at that sparsity
 *                        (two-sided Wilcoxon signed-rank test, Holm-adjusted p < cfg->alpha).
 *   spread_M.md / .tex   how evenly the metric is spread: (a) its sd across participants
 *                        (lowest bold; dagger from the Pitman-Morgan test of equal variances
 *                        against the reference), where a criterion whose mean is no better
 *                        than random pruning's at that sparsity (random itself included) is
 *                        never bold and carries a double dagger: a low sd there is a collapse
 *                        towards chance, not fairness (not judged at sparsity 0, where nothing
 *                        was pruned); (b) the worst participant's value (the lowest, or the
 *                        highest RMSE; best by the metric's direction bold), where the same
 *                        collapse rule applies: a model predicting next to nothing has a mild
 *                        worst case for the same reason it has a small sd.
 *   fairness_M.md / .tex the gap between the best and the worst group's mean of the metric
 *                        (fairness.h), one panel per attribute with its groups and sizes in the
 *                        heading (groups too small to compare and participants without a
 *                        value named); lowest gap bold, collapse towards chance marked as in
 *                        spread_M, a dagger where the Kruskal-Wallis test of the changes
 *                        against dense float32 differs between the groups (Holm within the
 *                        attribute, width and sparsity). Written when groups are compared.
 * Captions name the metric, its full meaning and its direction, n, the repeats, the marks,
 * and say when the dense model itself is at chance (the bootstrap interval of its mean covers
 * the task's chance level) and how many participants (too few windows) and windows (inside
 * the transform margin) the data lost. LaTeX labels are unique per run and metric
 * (tab:<name>-<hash8>-results-M). The LaTeX files hold a complete table environment that
 * compiles with \usepackage{booktabs}; criterion names are escaped ("vr(lambda=0.5)" prints
 * as vr(λ=0.5)). Every file goes to a .tmp name first and is renamed when complete.
 * Definitions and the exact rules: docs/outputs.md#tables. */
#ifndef PF_TABLES_H
#define PF_TABLES_H

#include <stdio.h>

#include "base/error.h"
#include "config/config.h"
#include "results/results.h"
#include "stats/analysis.h"

/* Write the tables of r (summarised: pf_results_summarise) into dir/tables/ (created if
 * missing); an empty cfg->tables writes nothing. a supplies the tests and the dense model's
 * interval (may be NULL: no marks, and the caption says so). Returns PF_OK, or PF_ERUNTIME
 * when a file cannot be written (PF_EINPUT for an unknown format). */
int pf_tables_write(const pf_results *r, const pf_analysis *a, const pf_config *cfg,
                    const char *dir, pf_error *err);

/* The headline for the terminal at the end of a run: the primary metric's mean across
 * participants for every criterion and sparsity, with its name, direction and the dense
 * model's value (the numbers of results_M.md, from r->summary); then one line per quantised
 * width: the dense model's mean, and the largest change of any variant's mean against the
 * same variant in float32. */
void pf_tables_print(FILE *out, const pf_results *r);

#endif
