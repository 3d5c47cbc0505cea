/* gptext.c: a figure's text in memory: growing, quoting, numbers (see gptext.h). */
#include "report/gptext.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/numtext.h"

/* Room for more bytes and the NUL after them, doubling; oom when there is none. */
static void grow(pf_gptext *t, size_t more)
{
    if (t->oom || t->n + more + 1 <= t->cap) return;
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < t->n + more + 1) cap *= 2;
    char *s = realloc(t->s, cap);
    if (s == NULL) {
        t->oom = 1;
        return;
    }
    t->s = s;
    t->cap = cap;
}

void pf_gptext_put(pf_gptext *t, const char *s, size_t len)
{
    grow(t, len);
    if (t->oom) return;
    memcpy(t->s + t->n, s, len);
    t->n += len;
    t->s[t->n] = '\0';
}

void pf_gptext_add(pf_gptext *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) {
        t->oom = 1;
        return;
    }
    grow(t, (size_t)len);
    if (t->oom) return;
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    t->n += (size_t)len;
}

void pf_gptext_num(pf_gptext *t, double v)
{
    char buf[PF_NUMTEXT_CAP];
    const char *s = isfinite(v) ? pf_numtext(buf, v) : PF_GPTEXT_NAN;
    pf_gptext_put(t, s, strlen(s));
}

void pf_gptext_quote(pf_gptext *t, const char *s)
{
    pf_gptext_put(t, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (strncmp(p, "lambda", 6) == 0) {
            pf_gptext_put(t, "\xce\xbb", 2); /* UTF-8 for U+03BB */
            p += 5;
        } else if (*p == '\n') {
            pf_gptext_put(t, "\\n", 2); /* gnuplot breaks the line there */
        } else if (*p == '"' || *p == '\\') {
            pf_gptext_put(t, "\\", 1);
            pf_gptext_put(t, p, 1);
        } else {
            pf_gptext_put(t, (unsigned char)*p < 0x20 ? " " : p, 1);
        }
    }
    pf_gptext_put(t, "\"", 1);
}

void pf_gptext_line(pf_gptext *t, const char *s)
{
    for (const char *p = s; *p; p++) pf_gptext_put(t, (unsigned char)*p < 0x20 ? " " : p, 1);
}

size_t pf_gptext_width(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (strncmp(p, "lambda", 6) == 0) p += 5;
        if (((unsigned char)*p & 0xC0) != 0x80) n++; /* not a UTF-8 continuation byte */
    }
    return n;
}

void pf_gptext_free(pf_gptext *t)
{
    free(t->s);
    *t = (pf_gptext){0};
}
