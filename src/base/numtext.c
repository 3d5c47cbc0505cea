/* numtext.c: shortest round-trip decimal text of a double (see numtext.h).
 *
 * A search over the precision is simple and exact: "%.Ng" rounds correctly (glibc), strtod
 * reads correctly, so the first N whose text reads back to the same double is the shortest
 * such "%g" text. At most 17 tries, each a few hundred nanoseconds; the files it serves are
 * written once per run. */
#include "base/numtext.h"

#include <math.h>
#include <stdlib.h>

char *pf_numtext(char *buf, double v)
{
    if (isnan(v)) return snprintf(buf, PF_NUMTEXT_CAP, "nan"), buf;
    if (isinf(v)) return snprintf(buf, PF_NUMTEXT_CAP, "%s", v < 0 ? "-inf" : "inf"), buf;
    /* Whole numbers as integers: a byte count reads 1880, not 1.88e+03. */
    if (v == floor(v) && fabs(v) < 1e15) return snprintf(buf, PF_NUMTEXT_CAP, "%.0f", v), buf;
    for (int digits = 1; digits < 17; digits++) {
        snprintf(buf, PF_NUMTEXT_CAP, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) return buf;
    }
    snprintf(buf, PF_NUMTEXT_CAP, "%.17g", v);
    return buf;
}

void pf_numtext_put(FILE *fp, const char *sep, double v)
{
    char buf[PF_NUMTEXT_CAP];
    fputs(sep, fp);
    fputs(pf_numtext(buf, v), fp);
}
