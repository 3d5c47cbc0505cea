/* alloc.c: allocation that reports failure (see alloc.h). */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "base/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

void pf_alloc_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    long page = sysconf(_SC_PAGESIZE);
    if (p == NULL || page <= 0 || bytes < ((size_t)4 << 20)) return;
    uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(uintptr_t)(page - 1);
    if (b > a) madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}
