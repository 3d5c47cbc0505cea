/* sweepfigs.h: the figures across a sweep's points (docs/sweeps.md#figures), into DIR/figures/,
 * in the formats of the first done point's output.figures (none when it has none):
 *
 *   cd_AXIS_M_sS[_<b>bit]    the critical-difference diagram (sweep/cdplot.h) of the criteria
 *                            across the values of AXIS (sweepstats.h), for every weight width
 *                            and every sparsity of interest (report/plots.h's
 *                            pf_plots_box_sparsities, those above 0); not drawn when a cell is
 *                            incomplete (its ranks are then undefined)
 *   axis_AXIS_M_sS[_<b>bit]  the metric against AXIS when its values are numbers (a learning
 *                            rate, a width, a noise level; sweep/axisplot.h): per criterion the
 *                            cell's mean (aggregate.h) inside its percentile bootstrap interval
 *                            at 1 - stats.alpha (stats.bootstrap resamples of the cell's pooled
 *                            participants), the dense model dashed; x logarithmic when every
 *                            value is positive and they span two decades or more
 *
 * Each bootstrap draws from pf_seed_rng(seed of the sweep, group x values + value, (criterion x
 * sparsities + sparsity) x widths + width, PF_SEED_BOOTSTRAP), the sweep's seed being the first
 * 64 bits of its hash: the bands are a pure function of the sweep and its points' numbers.
 * Criteria wear the colours and markers of a run's figures (pf_plots_styles). */
#ifndef PF_SWEEPFIGS_H
#define PF_SWEEPFIGS_H

#include <stddef.h>

#include "base/error.h"
#include "sweep/aggregate.h"
#include "sweep/sweepstats.h"

/* Every figure of g into dir/figures/; *n_figures receives the figures written (their .dat and
 * .gp), *n_images the images gnuplot rendered (0 without gnuplot). */
int pf_sweepfigs_write(const pf_aggregate *g, const pf_sweepstats *st, const char *dir,
                       size_t *n_figures, size_t *n_images, pf_error *err);

#endif
