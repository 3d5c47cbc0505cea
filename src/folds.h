/* folds.h: who is held out, who trains, who decides when training stops.
 *
 * Leave-one-participant-out (each participant is a fold) or grouped k-fold (participants
 * assigned to k folds, largest first, to the fold with fewest windows, like scikit-learn's
 * GroupKFold, so no seed is involved). Validation participants for early stopping are drawn
 * from the training side of each fold, with a seed derived from (master seed, fold). The
 * feature scaler is fitted on the training participants only (never validation or test), and
 * a pf_split holds the scaled float32 rows a model sees. */
#ifndef PF_FOLDS_H
#define PF_FOLDS_H

#include <stddef.h>

#include "config.h"
#include "dataset.h"
#include "error.h"

typedef struct {
    size_t n_test, n_train, n_val;
    int *test;  /* participant indices held out for evaluation */
    int *train; /* participants the model is fitted on */
    int *val;   /* participants for early stopping (taken from the training side) */
} pf_fold;

typedef struct {
    size_t n_folds;
    pf_fold *fold;
} pf_folds;

/* Build the folds of cfg->scheme. PF_EINPUT when the data cannot support it (e.g. fewer than
 * two participants for leave-one-out, or k larger than the number of participants).
 * Fold i of leave-one-out tests participant i. Fold f draws round(validation * n) of its n
 * non-test participants for validation (at least 1 when validation > 0 and n >= 2, never all)
 * with pf_rng_alloc(cfg->seed, f, 0, PF_SEED_SPLIT). Every index list is ascending. */
pf_folds *pf_folds_alloc(const pf_dataset *ds, const pf_config *cfg, pf_error *err);
void pf_folds_free(pf_folds *f);

/* Per-feature affine map x' = (x - shift) * scale, fitted on some participants. */
typedef struct {
    size_t n_features;
    double *shift;
    double *scale;
} pf_scaler;

/* Fit on the windows of the given participants only. zscore: shift = mean, scale = 1 / population
 * sd; minmax: shift = min, scale = 1 / (max - min); none: shift 0, scale 1. A feature constant on
 * these participants gets shift = its value and scale 1 (it maps to 0). PF_EINPUT when the
 * participants have no windows. */
pf_scaler *pf_scaler_fit(const pf_dataset *ds, const int *participants, size_t n, pf_scaling method,
                         pf_error *err);
void pf_scaler_free(pf_scaler *s);

/* Scaled float32 rows of a set of participants, grouped by participant, in the order given.
 * sc NULL copies the features unscaled. */
typedef struct {
    size_t n;       /* rows */
    size_t d;       /* features */
    float *x;       /* n x d */
    float *y;       /* n */
    size_t n_parts; /* participants in this split */
    int *part;      /* n_parts: dataset participant index */
    size_t *off;    /* n_parts + 1: rows of part i are off[i]..off[i+1]-1 */
    int *group;     /* n: group index per row, or NULL */
} pf_split;

pf_split *pf_split_alloc(const pf_dataset *ds, const int *participants, size_t n,
                         const pf_scaler *sc, pf_error *err);
void pf_split_free(pf_split *s);

#endif
