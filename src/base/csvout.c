/* csvout.c: text as a CSV field (see csvout.h). */
#include "base/csvout.h"

#include <string.h>

void pf_csvout_field(FILE *fp, const char *s)
{
    if (s == NULL) return;
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}
