/* split.h: what a model sees of a fold: the rows of a set of participants.
 *
 * A pf_split holds the float32 rows of a set of participants, through the fold's transform
 * (transform.h: fitted on the training participants only), with the targets both in model
 * space (y, what training and pruning criteria see) and as recorded (y_data, what predictions
 * mapped back are scored against).
 * Definitions and the exact rules: docs/folds.md. */
#ifndef PF_SPLIT_H
#define PF_SPLIT_H

#include <stddef.h>

#include "base/error.h"
#include "data/dataset.h"
#include "folds/transform.h"

/* The rows of a set of participants, grouped by participant, in the order given. */
typedef struct {
    size_t n;       /* rows */
    size_t d;       /* features */
    float *x;       /* n x d, imputed and scaled */
    size_t t;       /* targets per row: the regression outputs, or 1 (the class index) */
    float *y;       /* n x t: targets in model space, (float)((y - target_shift) * target_scale) */
    double *y_data; /* n x t: targets as recorded (the dataset's doubles), for metrics */
    size_t n_parts; /* participants in this split */
    int *part;      /* n_parts: dataset participant index */
    size_t *off;    /* n_parts + 1: rows of part i are off[i]..off[i+1]-1 */
    int *group;     /* n: group index per row (-1: none), or NULL without a grouping */
} pf_split;

/* tf NULL copies features and targets untransformed (an empty cell stays NaN). window_group
 * (NULL: none) gives each window of ds a group (pf_dataset_window_groups), copied into group.
 * PF_EINPUT for an empty cell with data.missing = error; PF_ERUNTIME for a participant index
 * out of range or a transform fitted on other features. */
pf_split *pf_split_alloc(const pf_dataset *ds, const int *participants, size_t n,
                         const pf_transform *tf, const int *window_group, pf_error *err);
void pf_split_free(pf_split *s);

#endif
