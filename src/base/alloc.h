/* alloc.h: memory that reports its failure through a pf_error (error.h) instead of an
 * unchecked NULL, so that running out of memory is a message like any other. */
#ifndef PF_ALLOC_H
#define PF_ALLOC_H

#include <stddef.h>

#include "base/error.h"

/* n zeroed elements of size bytes (at least one byte, so a NULL return always means failure);
 * NULL with err set (PF_ERUNTIME) when memory runs out. */
void *pf_alloc(size_t n, size_t size, pf_error *err);

/* realloc of p to n elements of size bytes, refusing a size that overflows; NULL on failure
 * (p is then untouched, as with realloc). */
void *pf_alloc_resize(void *p, size_t n, size_t size);

/* Ask Linux for transparent huge pages for the whole pages inside p[0..bytes) when it is 4 MB
 * or more (where THP is on "madvise"): a large array written once is then not faulted in 4 KB
 * at a time, which on a virtual machine costs more than writing it. Nothing else changes but
 * the page size (memory rounds up to 2 MB per array); elsewhere it does nothing. */
void pf_alloc_huge(void *p, size_t bytes);

/* A copy of s (free it); NULL with err set when memory runs out. */
char *pf_alloc_text(const char *s, pf_error *err);

#endif
