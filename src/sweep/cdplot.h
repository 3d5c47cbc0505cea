/* cdplot.h: the critical-difference diagram of a comparison (sweep/compare.h), as Demsar (2006,
 * Figure 1(a)) introduced it and scmamp, Orange and aeon draw it
 * (docs/statistics.md#statistics-across-data-sets).
 *
 * At the top a rank axis from 1 to k with rank 1 (best) on the RIGHT, as Demsar's ("the lowest
 * (best) ranks are to the right since we perceive the methods on the right side as better").
 * Each criterion is a line from its average rank down to its name and average rank: the better
 * half (ceil(k/2), best outermost) named on the right, the worse half on the left, so no two
 * lines cross. Thick bars join the groups of criteria whose average ranks differ by less than
 * the Nemenyi CD (c->clique: maximal cliques, one bar each, stacked in order); above the axis a
 * bar of the CD's length, from rank k towards 1, labelled "CD = 1.25". The title names the
 * average rank's metric, the number of blocks and what they are, the sparsity, the weight width,
 * the Friedman and Iman-Davenport p-values (or their status word) and the CD's alpha. All in
 * black, as Demsar's; the names in input order are the script's names[].
 *
 * Files (sweep/figfile.h): dir/NAME.dat holds
 *   index 0  the criteria, best first: average_rank side row criterion (side -1 left, +1 right;
 *            row 0 nearest the axis; criterion 1-based into the script's names[])
 *   index 1  the CD bar: from to cd (from = k, to = k - cd)
 *   index 2  the cliques: best_rank worst_rank level (absent when there is none)
 * and dir/NAME.gp draws them. The diagram keeps the width of every figure (800 px PNG, 5 in
 * PDF) and takes the height its rows need: a CD diagram is a strip. */
#ifndef PF_CDPLOT_H
#define PF_CDPLOT_H

#include "base/error.h"
#include "sweep/compare.h"

typedef struct {
    const char *metric; /* the metric in words, as a run's figures name it: "CCC", "RMSE" */
    const char *blocks; /* what a block is, plural: "games", "seeds"; NULL: "data sets" */
    double sparsity;    /* the sparsity the values are at */
    int bits;           /* their weight width: 32 is float32 */
    int clusters;       /* their centroids per layer: 0 is not clustered */
} pf_cdplot_words;

/* Draw the diagram of c (after pf_compare_run) with names[j] for criterion j into dir/NAME.dat
 * and dir/NAME.gp, rendering formats ("png pdf", "png", "pdf" or "" for none) when gnuplot is on
 * PATH; *rendered receives the number of images made. PF_EINPUT, with nothing written, when
 * there is nothing to draw (k < 2, a rank or the CD not finite), a name or word is NULL, or
 * name or formats are not accepted (sweep/figfile.h); PF_ERUNTIME as pf_figfile_write. */
int pf_cdplot_write(const pf_compare *c, const char *const *names, const pf_cdplot_words *w,
                    const char *dir, const char *name, const char *formats, int *rendered,
                    pf_error *err);

#endif
