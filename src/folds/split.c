/* split.c: the rows of a set of participants, through a fold's transform (see split.h). */
#include "folds/split.h"
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

void pf_split_free(pf_split *s)
{
    if (s == NULL) return;
    free(s->x);
    free(s->y);
    free(s->y_data);
    free(s->part);
    free(s->off);
    free(s->group);
    free(s);
}

static int split_fill(pf_split *s, const pf_dataset *ds, const int *parts, const pf_transform *tf,
                      const int *window_group, pf_error *err)
{
    size_t d = ds->n_features, row = 0;
    for (size_t i = 0; i < s->n_parts; i++) {
        s->part[i] = parts[i];
        s->off[i] = row;
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++, row++) {
            if (pf_transform_window(tf, ds, r, s->x + row * d, s->y + row * s->t,
                                    s->y_data + row * s->t, err) != PF_OK)
                return err->code;
            if (s->group) s->group[row] = window_group[r];
        }
    }
    s->off[s->n_parts] = row;
    return PF_OK;
}

pf_split *pf_split_alloc(const pf_dataset *ds, const int *participants, size_t n,
                         const pf_transform *tf, const int *window_group, pf_error *err)
{
    if (pf_dataset_check_participants(ds, participants, n, err) != PF_OK) return NULL;
    if (tf && tf->n_features != ds->n_features) {
        pf_error_set(err, PF_ERUNTIME, "transform has %zu features but the data has %zu",
                     tf->n_features, ds->n_features);
        return NULL;
    }
    size_t rows = 0, d = ds->n_features;
    for (size_t i = 0; i < n; i++) rows += pf_dataset_count(ds, (size_t)participants[i]);
    pf_split *s = pf_alloc(1, sizeof *s, err);
    if (s == NULL) return NULL;
    s->n = rows;
    s->d = d;
    s->n_parts = n;
    s->t = ds->n_targets;
    s->x = pf_alloc(rows * d, sizeof *s->x, err);
    s->y = pf_alloc(rows * s->t, sizeof *s->y, err);
    s->y_data = pf_alloc(rows * s->t, sizeof *s->y_data, err);
    s->part = pf_alloc(n, sizeof *s->part, err);
    s->off = pf_alloc(n + 1, sizeof *s->off, err);
    if (window_group) s->group = pf_alloc(rows, sizeof *s->group, err);
    if (!s->x || !s->y || !s->y_data || !s->part || !s->off || (window_group && !s->group) ||
        split_fill(s, ds, participants, tf, window_group, err) != PF_OK) {
        pf_split_free(s);
        return NULL;
    }
    return s;
}
