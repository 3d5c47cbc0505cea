/* sweepreport.h: everything a sweep's folder shows about its points together, written after
 * every sweep and by --report DIR (docs/sweeps.md#aggregation): sweep.csv and points.csv
 * (aggregate.h), the statistics across each axis (sweepstats.h: sweep_stats.csv,
 * sweep_ranks.csv), the tables across points (sweeptables.h) and the figures (cdplot.h: a
 * critical-difference diagram per axis, width and sparsity of interest; axisplot.h: the
 * metric against each numeric axis). Points not done are in points.csv and nowhere else. */
#ifndef PF_SWEEPREPORT_H
#define PF_SWEEPREPORT_H

#include <stddef.h>

#include "base/error.h"
#include "sweep/sweep.h"

typedef struct {
    size_t n_points, n_done; /* the sweep's points, and those with results */
    size_t n_tables;         /* table files written */
    size_t n_figures;        /* figures written (their .dat and .gp) */
    size_t n_images;         /* images gnuplot rendered of them (0 without gnuplot) */
} pf_sweepreport_info;

/* Write it all into s->dir (first removing the FAILED mark of points now done:
 * pf_sweep_tidy). info may be NULL. */
int pf_sweepreport_write(const pf_sweep *s, pf_sweepreport_info *info, pf_error *err);

#endif
