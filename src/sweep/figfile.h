/* figfile.h: a sweep figure's two files, written together, and its images.
 *
 * A figure is NAME.dat (the exact numbers it shows: whitespace-separated, '#' comment lines
 * naming the columns, one gnuplot "index" block per kind of row) and NAME.gp (the script that
 * reads NAME.dat by its relative name), as a run's figures are (report/plots.h,
 * docs/outputs.md#figures): `cd DIR && gnuplot NAME.gp` renders NAME.png (pngcairo) and
 * NAME.pdf (pdfcairo) again, and a reader can restyle it without rerunning anything.
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

/* A growing text (a file's contents before it is written); start it zeroed. Running out of
 * memory sets oom and makes every later call a no-op; pf_figfile_write reports it. */
typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} pf_figfile_text;

void pf_figfile_add(pf_figfile_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* v in the shortest decimal that reads back as the same double (%.15g, %.16g or %.17g), "NaN"
 * when it is not finite: a .dat file holds exactly the numbers the figure was given. */
void pf_figfile_num(pf_figfile_text *t, double v);

/* s as a gnuplot double-quoted string literal: quotes and backslashes escaped, a newline as
 * gnuplot's \n (a line break in a title), other control characters as spaces, and "lambda" as the
 * Greek letter (a criterion's option: vr(lambda=0.5) reads vr(λ=0.5), as in a run's figures). */
void pf_figfile_quote(pf_figfile_text *t, const char *s);

/* Characters of s once quoted (UTF-8 code points, "lambda" counting 1): what a label needs. */
size_t pf_figfile_width(const char *s);

void pf_figfile_free(pf_figfile_text *t);

/* Check a figure's name (letters, digits, '_', '-', '.', not starting with '.', at most 200
 * bytes: it becomes file names and a gnuplot string) and its formats (space-separated words
 * "png" and "pdf", or "" for no images): PF_EINPUT with a sentence otherwise. */
int pf_figfile_check(const char *name, const char *formats, pf_error *err);

/* The opening of a script: comments saying what it is and how to render it again, the default
 * formats (formats, or "png pdf" when it is ""), DATA = "NAME.dat" and utf8 encoding. The
 * caller then opens its loop over the formats. */
void pf_figfile_head(pf_figfile_text *gp, const char *name, const char *title, const char *source,
                     const char *formats);

/* Write dir/NAME.dat and dir/NAME.gp (dir is created when missing, one level), then, when
 * formats is not empty and gnuplot is on PATH, render them (report/gnuplot.h); *rendered
 * receives the number of images made (0 without gnuplot). PF_ERUNTIME when a file cannot be
 * written (neither is left), when memory ran out building them, or when gnuplot fails (the two
 * files stay: they are complete; err carries gnuplot's message). */
int pf_figfile_write(const char *dir, const char *name, const pf_figfile_text *dat,
                     const pf_figfile_text *gp, const char *formats, int *rendered, pf_error *err);

#endif
