/* intern.h: strings to dense indices, for ids read from a data file (participants, sessions,
 * groups, class labels, attribute values). */
#ifndef PF_INTERN_H
#define PF_INTERN_H

#include <stddef.h>

#include "base/error.h"

/* Strings to dense indices in order of first appearance (participant, session, group ids),
 * O(1) per row by open addressing. */
typedef struct {
    char **name; /* in order of first appearance */
    size_t n, cap;
    size_t *slot; /* 1 + index into name, 0 = free; n_slots is a power of two */
    size_t n_slots;
} pf_intern;

int pf_intern_add(pf_intern *t, const char *s, size_t *index, int *is_new, pf_error *err);
void pf_intern_free(pf_intern *t);

#endif
