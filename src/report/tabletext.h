/* tabletext.h: the spelling of a paper table's text, Markdown or LaTeX -- numbers, names,
 * bold, marks, rows and labels -- shared by every table prunefair writes (report/tables.h for
 * one study, sweep/sweeptables.h across the points of a sweep), so that a number, a name or a
 * minus sign reads the same in all of them (docs/outputs.md#tables).
 *
 * tex selects the spelling: 0 Markdown, 1 LaTeX (booktabs). Every function writing into a
 * buffer truncates at cap and always terminates it. */
#ifndef PF_TABLETEXT_H
#define PF_TABLETEXT_H

#include <stddef.h>
#include <stdio.h>

/* Room for one cell's text ("**0.512** ± 0.201†‡" and its LaTeX spelling). */
#define PF_TABLETEXT_CELL 160

/* Append s to the string in buf. */
void pf_tabletext_append(char *buf, size_t cap, const char *s);

/* Either spelling: md or tex. */
static inline const char *pf_tabletext_pick(int tex, const char *md, const char *texs)
{
    return tex ? texs : md;
}

/* v as every table prints it: 3 decimals, "n/a" when not finite, "0.000" for -0.000, and a
 * real minus sign in LaTeX ("$-$0.125"). */
void pf_tabletext_number(int tex, double v, char *buf, size_t cap);

/* v as printed (3 decimals) and read back: what "best" and "tie" are judged on, as a reader
 * sees them. */
double pf_tabletext_printed(double v);

/* A name (a criterion, a label, a group) escaped for the spelling: Markdown's special
 * characters backslash-escaped; LaTeX text escaped, and "lambda" as the Greek letter. */
void pf_tabletext_name(int tex, const char *name, char *buf, size_t cap);

/* Characters on screen, not bytes: UTF-8 continuation bytes do not count. */
size_t pf_tabletext_width(const char *s);

/* One Markdown row of n cells, each padded to width[i] so the source reads as a table too. */
void pf_tabletext_md_row(FILE *fp, char (*text)[PF_TABLETEXT_CELL], const size_t *width, size_t n);

/* The Markdown rule under the heading row: first column left-aligned, the others centred. */
void pf_tabletext_md_rule(FILE *fp, const size_t *width, size_t n);

/* Append s reduced to what a LaTeX label and a file name take safely: letters, digits and '.'
 * kept, anything else '-'. */
void pf_tabletext_label_part(char *buf, size_t cap, const char *s);

#endif
