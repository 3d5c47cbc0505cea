/* dataset.c: the dataset container (see dataset.h). Loading lives in source.c and the
 * modules it dispatches to; this file only allocates and frees. */
#include "dataset.h"

#include <stdint.h>
#include <stdlib.h>

pf_dataset *pf_dataset_alloc(size_t n_windows, size_t n_features, size_t n_participants,
                             int with_groups, pf_error *err)
{
    if (n_features != 0 && n_windows > SIZE_MAX / sizeof(double) / n_features) {
        pf_error_set(err, PF_ERUNTIME, "dataset of %zu x %zu values is too large", n_windows,
                     n_features);
        return NULL;
    }
    pf_dataset *ds = pf_calloc(1, sizeof *ds, err);
    if (ds == NULL) return NULL;
    ds->n_windows = n_windows;
    ds->n_features = n_features;
    ds->n_participants = n_participants;
    ds->x = pf_calloc(n_windows * n_features, sizeof *ds->x, err);
    ds->y = pf_calloc(n_windows, sizeof *ds->y, err);
    ds->participant = pf_calloc(n_windows, sizeof *ds->participant, err);
    ds->offset = pf_calloc(n_participants + 1, sizeof *ds->offset, err);
    ds->feature_names = pf_calloc(n_features, sizeof *ds->feature_names, err);
    ds->participant_ids = pf_calloc(n_participants, sizeof *ds->participant_ids, err);
    if (with_groups) ds->group = pf_calloc(n_windows, sizeof *ds->group, err);
    if (!ds->x || !ds->y || !ds->participant || !ds->offset || !ds->feature_names ||
        !ds->participant_ids || (with_groups && !ds->group)) {
        pf_dataset_free(ds);
        return NULL;
    }
    return ds;
}

void pf_dataset_free(pf_dataset *ds)
{
    if (ds == NULL) return;
    for (size_t j = 0; ds->feature_names && j < ds->n_features; j++) free(ds->feature_names[j]);
    for (size_t p = 0; ds->participant_ids && p < ds->n_participants; p++)
        free(ds->participant_ids[p]);
    for (size_t g = 0; ds->group_names && g < ds->n_groups; g++) free(ds->group_names[g]);
    for (size_t c = 0; ds->columns && c < ds->n_columns; c++) {
        free(ds->columns[c].name);
        free(ds->columns[c].use);
    }
    free(ds->columns);
    free(ds->feature_names);
    free(ds->participant_ids);
    free(ds->group_names);
    free(ds->x);
    free(ds->y);
    free(ds->participant);
    free(ds->group);
    free(ds->offset);
    free(ds);
}
