/* gnuplot.h: gnuplot, an external program, run on a figure's script beside its data.
 *
 * A figure is NAME.gp and NAME.dat in a folder (docs/outputs.md#figures); the script reads its
 * data by the relative name, so `cd DIR && gnuplot NAME.gp` renders it again. gnuplot runs
 * with DIR as its working folder, no input, and its messages kept for the error. Any layer
 * that draws figures (a run's report, a sweep's) renders them through this. */
#ifndef PF_GNUPLOT_H
#define PF_GNUPLOT_H

#include <stddef.h>

#include "base/error.h"

/* The gnuplot on PATH into out; 0 when there is none (figures are then left as scripts). */
int pf_gnuplot_find(char *out, size_t cap);

/* Render dir/NAME.gp with prog: stale NAME.png and NAME.pdf are removed first, so an image on
 * disk always belongs to the script beside it; then every format of formats ("png pdf") must
 * exist and be non-empty. *rendered grows by the images made. PF_ERUNTIME with gnuplot's own
 * message when it fails or writes nothing. Safe to call from several threads at once (each
 * call is its own process). */
int pf_gnuplot_render(const char *prog, const char *dir, const char *name, const char *formats,
                      int *rendered, pf_error *err);

#endif
