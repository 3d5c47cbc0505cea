/* tables.h: the paper tables of a finished run, in Markdown and LaTeX (booktabs).
 *
 * Written into <dir>/tables/, for each format in cfg->tables ("md", "tex"):
 *   results.md / results.tex  the paper table: rows = criteria (the dense model first, its
 *                             value shown once, in the sparsity-0 column), columns = sparsity
 *                             levels, cells "mean ± sd" of per-participant CCC (each
 *                             participant's repeats averaged first), 3 decimals. The best mean
 *                             of each column is bold (ties all bold, dense excluded); a dagger
 *                             marks a criterion that differs from the reference criterion at
 *                             that sparsity (two-sided Wilcoxon signed-rank test, Holm-adjusted
 *                             p < cfg->alpha). The caption says all of that, with n.
 *   spread.md / spread.tex    how evenly accuracy is spread: (a) sd of CCC across participants
 *                             (lowest bold; dagger from the Pitman-Morgan test of equal
 *                             variances against the reference), (b) the worst participant's
 *                             CCC (highest bold).
 * The LaTeX files hold a complete table environment that compiles with \usepackage{booktabs};
 * criterion names are escaped ("vr(lambda=0.5)" prints as vr(λ=0.5)). Every file goes to a
 * .tmp name first and is renamed when complete. */
#ifndef PF_TABLES_H
#define PF_TABLES_H

#include "analysis.h"
#include "config.h"
#include "error.h"
#include "results.h"

/* Write the tables of r into dir/tables/ (created if missing); an empty cfg->tables writes
 * nothing. a supplies the tests (may be NULL: no marks, and the caption says so). Returns
 * PF_OK, or PF_ERUNTIME when a file cannot be written (PF_EINPUT for an unknown format). */
int pf_tables_write(const pf_results *r, const pf_analysis *a, const pf_config *cfg,
                    const char *dir, pf_error *err);

#endif
