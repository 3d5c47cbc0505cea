/* figfile.h: a sweep figure's two files, written together, and its images.
 *
 * A figure is NAME.dat (the exact numbers it shows: whitespace-separated, '#' comment lines
 * naming the columns, one gnuplot "index" block per kind of row) and NAME.gp (the script that
 * reads NAME.dat by its relative name), as a run's figures are (report/plots.h,
 * docs/outputs.md#figures): `cd DIR && gnuplot NAME.gp` renders NAME.png (pngcairo) and
 * NAME.pdf (pdfcairo) again, and a reader can restyle it without rerunning anything. The caller
 * builds both texts with report/gptext.h (numbers, quoted names) and hands them over here.
 *
 * Files appear complete or not at all, and never one without the other: both are written to
 * temporary names first and renamed only when both were written without error; if the second
 * rename fails the first file is removed again. Old NAME.png and NAME.pdf are removed before the
 * new scripts take their names, so an image on disk always belongs to the script beside it.
 * gnuplot (an external program) renders when it is on PATH; without it the two files are still
 * written and nothing fails. */
#ifndef PF_FIGFILE_H
#define PF_FIGFILE_H

#include <stddef.h>

#include "base/error.h"
#include "report/gptext.h"

/* Check a figure's name (letters, digits, '_', '-', '.', not starting with '.', at most 200
 * bytes: it becomes file names and a gnuplot string) and its formats (space-separated words
 * "png" and "pdf", or "" for no images): PF_EINPUT with a sentence otherwise. */
int pf_figfile_check(const char *name, const char *formats, pf_error *err);

/* The opening of a script: comments saying what it is and how to render it again, the default
 * formats (formats, or "png pdf" when it is ""), DATA = "NAME.dat" and utf8 encoding. The
 * caller then opens its loop over the formats. */
void pf_figfile_head(pf_gptext *gp, const char *name, const char *title, const char *source,
                     const char *formats);

/* Write dir/NAME.dat and dir/NAME.gp (dir is created when missing, one level), then, when
 * formats is not empty and gnuplot is on PATH, render them (report/gnuplot.h); *rendered
 * receives the number of images made (0 without gnuplot). PF_ERUNTIME when a file cannot be
 * written (neither is left), when memory ran out building them, or when gnuplot fails (the two
 * files stay: they are complete; err carries gnuplot's message). */
int pf_figfile_write(const char *dir, const char *name, const pf_gptext *dat, const pf_gptext *gp,
                     const char *formats, int *rendered, pf_error *err);

#endif
