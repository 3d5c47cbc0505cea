/* error.c: recording the first error of a call chain (see error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

void *pf_calloc(size_t n, size_t size, pf_error *err)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        pf_error_set(err, PF_ERUNTIME, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}
