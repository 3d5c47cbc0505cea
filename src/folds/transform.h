/* transform.h: what is fitted on a fold's training participants, and applied to every row.
 *
 * Everything fitted from data is fitted on the fold's training participants only, never on
 * its validation or test participants, because a statistic that has seen a held-out person
 * (a mean, an sd, a fill value) carries information about them into the model. A
 * pf_transform holds, in the order they apply (as a scikit-learn
 * Pipeline(SimpleImputer, StandardScaler) fitted on the training rows, plus the target):
 *
 *   1. imputation, per feature: an empty cell (NaN in pf_dataset) takes fill[j]:
 *      data.missing = mean: the mean of the training participants' non-empty cells of
 *      feature j (0 when they have none); zero: 0; error: the loader admits no empty cell, so
 *      there is nothing to fill (fill[j] = NaN, and an empty cell met anyway is an error).
 *   2. the feature scaling (data.scaling), computed on the imputed training values:
 *      x' = (x - shift[j]) * scale[j]. zscore: shift = mean, scale = 1 / population sd;
 *      minmax: shift = min, scale = 1 / (max - min); none: shift 0, scale 1. A feature
 *      constant on the training rows gets shift = its value and scale 1 (it maps to 0), and a
 *      spread too small to invert also gets scale 1.
 *   3. the target scaling (data.target_scaling), per output k of a regression: models learn
 *      y'_k = (y_k - target_shift[k]) * target_scale[k]. zscore: target_shift = the mean of
 *      y_k over the training windows, target_scale = 1 / their population sd (1 when the sd
 *      is 0 or not finite; a target constant on the training windows gets target_shift = its
 *      value and scale 1); none: shift 0, scale 1. Predictions are mapped back with
 *      pf_transform_target_inverse, in double, before any metric, so metrics are in the data's
 *      own units and a result does not depend on the unit a target was recorded in (beyond
 *      double rounding). A class label is never scaled (shift 0, scale 1).
 *
 * The rows themselves, through the transform, are split.h's.
 * Definitions and the exact rules: docs/folds.md. */
#ifndef PF_TRANSFORM_H
#define PF_TRANSFORM_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"

typedef struct {
    size_t n_features;
    double *fill;  /* [feature] value of an empty cell; NaN with data.missing = error */
    double *shift; /* [feature] x' = (x - shift) * scale, on the filled value */
    double *scale; /* [feature] */
    size_t n_targets;
    double *target_shift; /* [target] y' = (y - target_shift) * target_scale */
    double *target_scale; /* [target] */
} pf_transform;

/* Fit on the windows of the given participants only, with cfg->missing, cfg->scaling and
 * cfg->target_scaling (rules above). PF_EINPUT when the participants have no windows, or
 * when a cell is empty although data.missing = error; PF_ERUNTIME for a participant index out
 * of range (a program bug). */
pf_transform *pf_transform_fit(const pf_dataset *ds, const int *participants, size_t n,
                               const pf_config *cfg, pf_error *err);
void pf_transform_free(pf_transform *tf);

/* Model-space predictions of n rows (n x n_targets, row-major) back to the data's units, in
 * double: out[i][k] = (double)in[i][k] / target_scale[k] + target_shift[k], each float32 output
 * converted to double before the affine map and the result never rounded to float, so the
 * metrics see the same numbers whatever the target's unit and offset (docs/folds.md). An output
 * with shift 0 and scale 1 (target_scaling = none) is the float value itself, converted exactly
 * (no arithmetic: -0 stays -0). */
void pf_transform_target_inverse(const pf_transform *tf, const float *in, double *out, size_t n);

/* Window r of ds through tf (NULL: untransformed, an empty cell stays NaN): its d features
 * into x, its T targets in model space into y (float32, what the model learns) and as recorded
 * into y_data (the dataset's doubles, unchanged: what metrics score against). PF_EINPUT for an
 * empty cell with data.missing = error. */
int pf_transform_window(const pf_transform *tf, const pf_dataset *ds, size_t r, float *x, float *y,
                        double *y_data, pf_error *err);

#endif
