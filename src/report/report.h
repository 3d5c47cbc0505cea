/* report.h: everything a finished run leaves in its folder, written in one place.
 *
 *   per_participant.csv, summary.csv,  tidy tables (results_csv.c)
 *   participants.csv, cost.csv
 *   predictions.csv                    every window's prediction, with output.save_predictions
 *                                      (predictions.c)
 *   stats.csv                          every significance test (analysis.c)
 *   groups.csv                         the comparison of groups of people (fairness.c)
 *   figures/                           gnuplot scripts, data, PNG and PDF, named after the
 *                                      primary metric: mean_<metric>.png, ... (plots.c)
 *   tables/                            the paper tables in Markdown and LaTeX, named after it:
 *                                      results_<metric>.md, spread_<metric>.tex,
 *                                      fairness_<metric>_4bit.md, ... (tables.c)
 *   results.h5                         all of it with provenance, written LAST (results_h5.c,
 *                                      its /stats group by analysis.c, /groups by fairness.c)
 *
 * results.h5 appears only when everything else was written, so its presence marks a complete
 * run. A new report replaces the previous one as a set: it is written into a staging folder
 * and moved in when complete, the old results.h5 out first and the new one in last, so a folder
 * never holds a complete-looking mix of two reports. The same function serves a fresh run and
 * `run_experiment --report DIR`, which rebuilds statistics, figures and tables from a stored
 * results.h5 without training anything.
 * Definitions and the exact rules: docs/outputs.md. */
#ifndef PF_REPORT_H
#define PF_REPORT_H

#include "base/error.h"
#include "base/outfile.h" /* pf_path_make_dirs */
#include "config/config.h"
#include "results/results.h"

typedef struct {
    int figures_rendered; /* image files produced */
    int gnuplot_missing;  /* 1: scripts and data written, no images (gnuplot not installed) */
    long recommended;     /* the variant to deploy (recommend.h), -1: none qualifies */
} pf_report_info;

/* The whole report of r, which must be summarised (pf_results_summarise), into dir. */
int pf_report_write(const pf_results *r, const pf_config *cfg, const char *dir,
                    pf_report_info *info, pf_error *err);

/* --report: read DIR/results.h5 (or the .h5 file given) and rewrite the report next to it,
 * holding the folder's lock (lock.h) meanwhile; dir_out receives the folder. When read is not
 * NULL it receives the results read (the caller frees them), e.g. to say which diverged. */
int pf_report_rebuild(const char *path, const char *const *overrides, size_t n_overrides,
                      pf_report_info *info, char *dir_out, size_t cap, pf_results **read,
                      pf_error *err);

#endif
