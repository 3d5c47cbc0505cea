/* axisplot.h: a metric against a numeric sweep axis (learning rate, hidden width, VR's lambda),
 * one line per criterion inside its bootstrap band, the dense model as a dashed line, drawn as a
 * run's mean figure is (report/plots.h, docs/outputs.md#figures).
 *
 * Each series is a criterion with its own colour and gnuplot point type (the caller passes the
 * criterion's row style, config/criterion.h, so a criterion looks the same in every figure):
 * a line with points through (x, y), a translucent band between lo and hi in the same colour.
 * A NaN y breaks the line at that x, a NaN lo or hi the band (a point without an interval, a
 * diverged model): nothing is drawn across a gap. The dense model, when given, is a black dashed
 * line with its own value at each x (a wider network, another learning rate: each point has its
 * own dense model). The x axis can be logarithmic (every x > 0); there, with at most 12 points,
 * the x tics are the points themselves (16 32 64 128, not the decades). Axis labels and title are
 * the caller's words.
 *
 * Files (sweep/figfile.h): dir/NAME.dat holds one block per series, in the order given
 * (index i: x y lo hi), then, when a dense line is given, index n_series: x dense. dir/NAME.gp
 * draws them at 800x560 px (PNG) and 5x3.5 in (PDF), legend outside on the right. */
#ifndef PF_AXISPLOT_H
#define PF_AXISPLOT_H

#include <stddef.h>

#include "base/error.h"

typedef struct {
    const char *name;      /* the legend entry: the criterion's name */
    const char *colour;    /* "#RRGGBB" */
    int point;             /* gnuplot pointtype, >= 0 */
    const double *y;       /* [n_x] the metric at each x; NaN: no point there */
    const double *lo, *hi; /* [n_x] its interval (NaN at an x: no band there); both NULL: none */
} pf_axisplot_series;

typedef struct {
    const char *title;      /* the title, a line or two ('\n') */
    const char *xlabel;     /* the axis in words: "hidden units per layer" */
    const char *ylabel;     /* "mean CCC across participants (higher is better)" */
    int log_x;              /* nonzero: logarithmic x axis */
    const double *dense;    /* [n_x] the dense model at each x (NaN: none there); NULL: no line */
    const char *dense_name; /* its legend entry; NULL: "dense" */
    const char *band_name;  /* the bands' legend entry ("95% bootstrap CI"); NULL: none */
} pf_axisplot_spec;

/* Draw the series over x[0..n_x-1] (finite and increasing; > 0 with log_x) into dir/NAME.dat and
 * dir/NAME.gp, rendering formats ("png pdf", "png", "pdf" or "") when gnuplot is on PATH;
 * *rendered receives the number of images made. PF_EINPUT, with nothing written, when an
 * argument is NULL, x is not finite and increasing (or not positive on a log axis), a colour is
 * not #RRGGBB, a point type is negative, a band has lo without hi (or lo > hi at some x), no y is
 * finite (nothing to draw), or name or formats are not accepted (sweep/figfile.h); PF_ERUNTIME as
 * pf_figfile_write. */
int pf_axisplot_write(const double *x, size_t n_x, const pf_axisplot_series *series,
                      size_t n_series, const pf_axisplot_spec *spec, const char *dir,
                      const char *name, const char *formats, int *rendered, pf_error *err);

#endif
