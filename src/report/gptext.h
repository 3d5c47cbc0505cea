/* gptext.h: the text of a gnuplot figure, built in memory before it is written.
 *
 * Every figure prunefair draws is a NAME.dat + NAME.gp pair (docs/outputs.md#figures): a run's
 * (report/plots.h) and a sweep's (sweep/figfile.h). Both build their scripts here, and a sweep its
 * data too, so a name is quoted, "lambda" shown as the Greek letter and a missing value spelled
 * the same way in every figure. (A run's .dat files round to %.10g on purpose and are written
 * straight to their file; they spell a missing value PF_GPTEXT_NAN as well.) */
#ifndef PF_GPTEXT_H
#define PF_GPTEXT_H

#include <stddef.h>

/* How a .dat file spells a missing value (a NaN or an infinity): gnuplot's undefined value, which
 * breaks a line or a band there. */
#define PF_GPTEXT_NAN "NaN"

/* A growing text (a file's contents before it is written); start it zeroed ({0}). s stays
 * NUL-terminated once anything (even "" with pf_gptext_put) was added, and NULL before. Running
 * out of memory sets oom and makes every later call a no-op: check oom once, at the end. */
typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} pf_gptext;

/* Append the len bytes at s (len 0 still makes t->s a string). */
void pf_gptext_put(pf_gptext *t, const char *s, size_t len);

/* Append printf-style, of any length. */
void pf_gptext_add(pf_gptext *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* v in the shortest decimal that reads back as the same double (base/numtext.h), PF_GPTEXT_NAN
 * when it is not finite: a .dat file holding exactly the numbers the figure was given. */
void pf_gptext_num(pf_gptext *t, double v);

/* s as a gnuplot double-quoted string literal: quotes and backslashes escaped, a newline as
 * gnuplot's \n (a line break in a title), other control characters as spaces, and "lambda" as the
 * Greek letter (a criterion's option: vr(lambda=0.5) reads vr(λ=0.5) in every figure). */
void pf_gptext_quote(pf_gptext *t, const char *s);

/* s as it is, but on one line: control characters (newlines too) as spaces, for a '#' comment. */
void pf_gptext_line(pf_gptext *t, const char *s);

/* Characters of s once quoted (UTF-8 code points, "lambda" counting 1): what a label needs. */
size_t pf_gptext_width(const char *s);

/* Release the text; t is zeroed again, ready for reuse. */
void pf_gptext_free(pf_gptext *t);

#endif
