/* alloc.c: allocation that reports failure (see alloc.h). */
#include "base/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *pf_alloc(size_t n, size_t size, pf_error *err)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        pf_error_set(err, PF_ERUNTIME, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *pf_alloc_resize(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    return realloc(p, n * size > 0 ? n * size : 1);
}

char *pf_alloc_text(const char *s, pf_error *err)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL) {
        pf_error_set(err, PF_ERUNTIME, "out of memory copying a %zu-byte name", n);
        return NULL;
    }
    return memcpy(d, s, n);
}
