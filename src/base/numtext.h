/* numtext.h: numbers as text that reads back to the same double, and no longer than that.
 *
 * printf's "%.17g" round-trips every double but prints 0.8 as 0.80000000000000004, which is
 * noise in a CSV, a config dump or a paper's supplementary file. The shortest decimal that
 * strtod maps back to the same bits is both exact and readable ("0.8", "0.05", "1e-05").
 * Every number prunefair writes as text for a machine to read (CSVs, the canonical config)
 * goes through here; tables and figures for people round on purpose and do not. */
#ifndef PF_NUMTEXT_H
#define PF_NUMTEXT_H

#include <stdio.h>

#define PF_NUMTEXT_CAP 32 /* enough for any double: "-1.2345678901234567e-308" */

/* The shortest "%.Ng" text (N = 1..17) that strtod reads back to exactly v, into buf (at
 * least PF_NUMTEXT_CAP bytes); returns buf. A whole number below 1e15 in magnitude is written
 * as an integer instead ("1880", not "1.88e+03"). Not-a-number is "nan" (whatever its sign bit),
 * infinities are "inf" and "-inf", and negative zero keeps its sign ("-0"). */
char *pf_numtext(char *buf, double v);

/* fputs(pf_numtext(v)) after the separator sep (may be ""). */
void pf_numtext_put(FILE *fp, const char *sep, double v);

#endif
