/* plots.h: the figures of a finished run, as gnuplot scripts with their data beside them.
 *
 * Every figure is two files in <dir>/figures/: NAME.dat, the exact numbers plotted
 * (whitespace-separated, '#' comment lines naming the columns, one gnuplot "index" block per
 * criterion), and NAME.gp, the script that reads NAME.dat by its relative name, so
 * `cd figures && gnuplot NAME.gp` renders it again and a reader can restyle a figure without
 * rerunning anything. The scripts are filled in from templates (plots/KIND.gp, embedded into the
 * program at build time by scripts/embed_templates.sh). gnuplot is an external program: it
 * renders NAME.png / NAME.pdf when it is on PATH; without it the scripts and data are still
 * written and nothing fails.
 *
 * Figures (docs/outputs.md#figures) show the run's primary metric (r->primary, stats.metric) and
 * are named after it: M below is the metric's name made safe for file names ("ccc", "rmse",
 * "ccc_arousal" for ccc[arousal], "balanced_accuracy"). Titles, axis labels and legends name
 * the metric in words and its direction ("worst participant" is the lowest CCC but the highest
 * RMSE). Criteria in config order, each with the same colour and marker everywhere, the dense
 * model in black:
 *   mean_M    the mean across participants vs sparsity, bootstrap CI bands, the dense model as
 *             a dashed line
 *   sd_M      the sd across participants vs sparsity, CI bands of the sd, dense line
 *   worst_M   the worst participant's value and the bad tail's percentile (10th, or 90th for
 *             a lower-is-better metric) vs sparsity
 *   box_M     per-participant values as box plots at the grid sparsities nearest 0.5, 0.8 and
 *             0.9 (all of them when the grid has at most three), dense median as a reference
 *   pareto_M  the mean against the sd, one point per (criterion, sparsity); an arrow points to
 *             the better corner
 *   size_M    the mean against the stored model size (log scale) over every variant, widths
 *             included: colour = criterion, marker = width, the dense float32 model a star
 *             (left out when the results carry no sizes)
 *   gap_M     the gap between groups (fairness.h) against sparsity, one panel per attribute;
 *             one figure per weight width (gap_M_4bit below 32 bits); only when groups are
 *             compared
 *   trace_ID  with stored predictions (predictions.h) only: the dense float32 model's best and
 *             worst participant by the primary metric, each window's annotated target and the
 *             predictions of the dense model and of the reference criterion at the largest
 *             sparsity (repeat 0) against time since the participant's first window, or the
 *             window's position; ID is the participant's id made safe for file names
 * The first five show the float32 variants. Each is drawn by the template plots/KIND.gp
 * (mean, sd, worst, box, pareto, size, gap, trace) inside
 * plots/common.gp. Every number comes from r->summary, the bootstrap intervals from the
 * analysis, the box plots from pf_results_values, the traces from the stored predictions. */
#ifndef PF_PLOTS_H
#define PF_PLOTS_H

#include "base/error.h"
#include "config/config.h"
#include "results/results.h"
#include "stats/analysis.h"

/* Write the figures of r (summarised: pf_results_summarise) into dir/figures/ (created if missing)
 * and render the formats in cfg->figures ("png" via pngcairo, "pdf" via pdfcairo). An empty
 * cfg->figures means no figures: nothing is written. a supplies the bootstrap intervals; it may be
 * NULL (bands are then left out: the .dat files hold NaN). *rendered receives the number of image
 * files gnuplot produced, 0 when gnuplot is not on PATH (the caller should say so: the .dat and .gp
 * files are there and render later with `gnuplot NAME.gp`). Returns PF_OK; PF_ERUNTIME when a
 * file cannot be written or gnuplot fails (err carries gnuplot's own message); PF_EINPUT when
 * there is nothing to plot (no pruning criterion or no sparsity) or an unknown format. */
int pf_plots_write(const pf_results *r, const pf_analysis *a, const pf_config *cfg, const char *dir,
                   int *rendered, pf_error *err);

/* The template plots/NAME.gp as embedded at build time ("common", "mean", ...), or NULL.
 * Defined in the generated plot_templates.c. */
const char *pf_plots_template(const char *name);

/* Choose up to cap sparsity indices for the box plots: the grid points nearest 0.5, 0.8 and
 * 0.9 (each chosen once, in grid order; halfway between two, the sparser), or every grid point
 * when there are at most three.
 * Returns how many were chosen. */
size_t pf_plots_box_sparsities(const double *sparsity, size_t n_sp, size_t *idx, size_t cap);

/* The colour ("#0072B2", a static string) and gnuplot point type of each of the n criteria in
 * names (as a run names them: "magnitude", "vr(lambda=0.5)"; the dense model, black, is not
 * one of them), into colour[k] and point[k] for names[k]. A criterion wears its row's style
 * (config/criterion.h) unless an earlier name of the list took that row (a second VR lambda) or
 * it has no row; it then takes the next spare colour that no row of the list wears, and its
 * row's point type (a spare one without a row). The same list gives the same styles, so a
 * run's figures and a sweep's look alike (docs/outputs.md#figures). */
void pf_plots_styles(const char *const *names, size_t n, const char **colour, int *point);

#endif
