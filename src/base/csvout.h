/* csvout.h: writing CSV files that pandas, R and spreadsheets read back exactly. */
#ifndef PF_CSVOUT_H
#define PF_CSVOUT_H

#include <stdio.h>

/* s as one CSV field: as it is, or quoted the RFC 4180 way (doubled quotes) when it holds a
 * comma, a quote or a line break. NULL writes nothing (an empty field). */
void pf_csvout_field(FILE *fp, const char *s);

#endif
