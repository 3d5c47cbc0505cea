/* error.c: recording the first error of a call chain (see error.h). */
#include "base/error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_CAP 128 /* names longer than this are never "close" to anything */

int pf_error_set(pf_error *err, int code, const char *fmt, ...)
{
    if (err == NULL || err->code != PF_OK) return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void pf_error_clear(pf_error *err)
{
    err->code = PF_OK;
    err->msg[0] = '\0';
}

/* Levenshtein distance over lowercased bytes, one row at a time. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[NAME_CAP + 1];
    if (la > NAME_CAP || lb > NAME_CAP) return (size_t)-1;
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t up = row[j], best = diag + !same;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

const char *pf_error_closest(const char *word, const char *const *cands, size_t n)
{
    size_t best = 3, bi = n, len = strlen(word);
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < best && d < len) best = d, bi = i;
    }
    return bi < n ? cands[bi] : NULL;
}
