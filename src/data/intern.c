/* intern.c: strings to dense indices in order of first appearance (see intern.h). */
#include "data/intern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static size_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static int intern_rehash(pf_intern *t, size_t n_slots, pf_error *err)
{
    size_t *slot = pf_alloc(n_slots, sizeof *slot, err);
    if (slot == NULL) return err->code;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = hash_text(t->name[i]) & (n_slots - 1);
        while (slot[h]) h = (h + 1) & (n_slots - 1);
        slot[h] = i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->n_slots = n_slots;
    return PF_OK;
}

int pf_intern_add(pf_intern *t, const char *s, size_t *index, int *is_new, pf_error *err)
{
    if (2 * (t->n + 1) > t->n_slots &&
        intern_rehash(t, t->n_slots ? 2 * t->n_slots : 64, err) != PF_OK)
        return err->code;
    size_t mask = t->n_slots - 1, h = hash_text(s) & mask;
    for (; t->slot[h]; h = (h + 1) & mask) {
        if (strcmp(t->name[t->slot[h] - 1], s) == 0) {
            *index = t->slot[h] - 1;
            if (is_new) *is_new = 0;
            return PF_OK;
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        char **name = pf_alloc_resize(t->name, cap, sizeof *name);
        if (name == NULL) return pf_error_set(err, PF_ERUNTIME, "out of memory interning ids");
        t->name = name;
        t->cap = cap;
    }
    if ((t->name[t->n] = pf_alloc_text(s, err)) == NULL) return err->code;
    t->slot[h] = ++t->n;
    *index = t->n - 1;
    if (is_new) *is_new = 1;
    return PF_OK;
}

void pf_intern_free(pf_intern *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->name[i]);
    free(t->name);
    free(t->slot);
    memset(t, 0, sizeof *t);
}
