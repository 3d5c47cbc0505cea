/* transform.c: the per-fold imputer, feature scaler and target scaler (see transform.h).
 *
 * Every statistic here is a pass over the rows of the participants it is given, in the order
 * given, and nothing else: tests/test_split.c rewrites every held-out participant's values
 * (and where their cells are empty) and demands a bit-identical transform. The scaler sees the
 * imputed values, so that, as in a scikit-learn Pipeline(SimpleImputer, StandardScaler), a
 * filled cell counts as the value the model will see; on data without empty cells every
 * number is the same, operation for operation, as before imputation moved here. */
#include "folds/transform.h"
#include "base/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An empty cell although data.missing = error: the loader should have refused it, but say what
 * the user can do rather than train on NaN. */
static int empty_cell(const pf_dataset *ds, size_t r, size_t j, pf_error *err)
{
    size_t p = (size_t)ds->participant[r];
    return pf_error_set(err, PF_EINPUT,
                        "feature '%s' of participant '%s' (window %zu of the participant) is "
                        "empty, but data.missing = error; set data.missing = mean or zero to "
                        "fill empty cells (per fold, from the training participants)",
                        ds->feature_names ? ds->feature_names[j] : "?",
                        ds->participant_ids ? ds->participant_ids[p] : "?", r - ds->offset[p] + 1);
}

/* ---- fitting ----------------------------------------------------------------------------------
 */

/* data.missing: the value an empty cell takes. mean: over the non-empty training cells of the
 * feature (0 when there are none); zero: 0; error: NaN (no fill), and an empty training cell
 * is reported. */
static int fit_fill(const pf_dataset *ds, const int *parts, size_t n, pf_missing missing,
                    double *fill, size_t *count, pf_error *err)
{
    size_t d = ds->n_features;
    for (size_t j = 0; j < d; j++) fill[j] = 0, count[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++)
            for (size_t j = 0; j < d; j++) {
                double v = ds->x[r * d + j];
                if (isnan(v)) {
                    if (missing == PF_MISSING_ERROR) return empty_cell(ds, r, j, err);
                    continue;
                }
                fill[j] += v;
                count[j]++;
            }
    for (size_t j = 0; j < d; j++) {
        if (missing == PF_MISSING_ERROR)
            fill[j] = NAN;
        else if (missing == PF_MISSING_ZERO || count[j] == 0)
            fill[j] = 0;
        else
            fill[j] /= (double)count[j];
    }
    return PF_OK;
}

/* Cell (r, j) as the model sees it before scaling: filled when empty. */
static inline double filled(const pf_dataset *ds, size_t r, size_t j, const double *fill)
{
    double v = ds->x[r * ds->n_features + j];
    return isnan(v) ? fill[j] : v;
}

/* Per-feature minimum, maximum and mean of the filled values over the given participants. */
static void scan_range(const pf_dataset *ds, const int *parts, size_t n, const double *fill,
                       double *lo, double *hi, double *mean, size_t *rows)
{
    size_t d = ds->n_features, m = 0;
    for (size_t j = 0; j < d; j++) lo[j] = INFINITY, hi[j] = -INFINITY, mean[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++, m++)
            for (size_t j = 0; j < d; j++) {
                double v = filled(ds, r, j, fill);
                lo[j] = fmin(lo[j], v);
                hi[j] = fmax(hi[j], v);
                mean[j] += v;
            }
    for (size_t j = 0; j < d && m > 0; j++) mean[j] /= (double)m;
    *rows = m;
}

/* Population sd by a second pass around the mean (no cancellation, unlike sum of squares). */
static void scan_sd(const pf_dataset *ds, const int *parts, size_t n, const double *fill,
                    const double *mean, size_t rows, double *sd)
{
    size_t d = ds->n_features;
    for (size_t j = 0; j < d; j++) sd[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++)
            for (size_t j = 0; j < d; j++) {
                double e = filled(ds, r, j, fill) - mean[j];
                sd[j] += e * e;
            }
    for (size_t j = 0; j < d; j++) sd[j] = sqrt(sd[j] / (double)rows);
}

/* A feature that is constant on the training participants gets shift = its value and scale 1,
 * so it maps to exactly 0 there (a mean of equal values can be off by an ulp, so the constant
 * is detected by min == max, not by sd == 0). A spread too small to invert also gets scale 1. */
static void set_scaler(pf_transform *tf, pf_scaling method, const double *lo, const double *hi,
                       const double *mean, const double *sd)
{
    for (size_t j = 0; j < tf->n_features; j++) {
        double shift = 0, scale = 1;
        if (method != PF_SCALE_NONE && lo[j] == hi[j]) {
            shift = lo[j];
        } else if (method == PF_SCALE_ZSCORE) {
            shift = mean[j];
            scale = 1.0 / sd[j];
        } else if (method == PF_SCALE_MINMAX) {
            shift = lo[j];
            scale = 1.0 / (hi[j] - lo[j]);
        }
        if (!isfinite(scale) || scale == 0) scale = 1;
        tf->shift[j] = shift;
        tf->scale[j] = scale;
    }
}

/* data.target_scaling = zscore, output k: mean and 1 / population sd of y_k over the training
 * windows, with the same care for a constant target as for a constant feature. */
static void fit_target(pf_transform *tf, const pf_dataset *ds, const int *parts, size_t n, size_t k)
{
    size_t T = ds->n_targets;
    double lo = INFINITY, hi = -INFINITY, sum = 0, ss = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++, m++) {
            double y = ds->y[r * T + k];
            lo = fmin(lo, y);
            hi = fmax(hi, y);
            sum += y;
        }
    if (m == 0) return;
    if (lo == hi) {
        tf->target_shift[k] = lo;
        return;
    }
    double mean = sum / (double)m;
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++)
            ss += (ds->y[r * T + k] - mean) * (ds->y[r * T + k] - mean);
    double scale = 1.0 / sqrt(ss / (double)m);
    tf->target_shift[k] = mean;
    tf->target_scale[k] = isfinite(scale) && scale != 0 ? scale : 1;
}

static void fit_targets(pf_transform *tf, const pf_dataset *ds, const int *parts, size_t n,
                        const pf_config *cfg)
{
    for (size_t k = 0; k < tf->n_targets; k++) tf->target_shift[k] = 0, tf->target_scale[k] = 1;
    if (cfg->target_scaling == PF_TARGET_NONE || !pf_dataset_shape(ds)->scales_targets) return;
    for (size_t k = 0; k < tf->n_targets; k++) fit_target(tf, ds, parts, n, k);
}

pf_transform *pf_transform_fit(const pf_dataset *ds, const int *participants, size_t n,
                               const pf_config *cfg, pf_error *err)
{
    if (pf_dataset_check_participants(ds, participants, n, err) != PF_OK) return NULL;
    size_t d = ds->n_features, rows = 0;
    pf_transform *tf = pf_alloc(1, sizeof *tf, err);
    double *tmp = pf_alloc(4 * d, sizeof *tmp, err); /* lo, hi, mean, sd */
    size_t *count = pf_alloc(d, sizeof *count, err);
    if (tf) {
        tf->n_features = d;
        tf->n_targets = ds->n_targets;
        tf->fill = pf_alloc(d, sizeof *tf->fill, err);
        tf->shift = pf_alloc(d, sizeof *tf->shift, err);
        tf->scale = pf_alloc(d, sizeof *tf->scale, err);
        tf->target_shift = pf_alloc(ds->n_targets, sizeof *tf->target_shift, err);
        tf->target_scale = pf_alloc(ds->n_targets, sizeof *tf->target_scale, err);
    }
    if (!tf || !tmp || !count || !tf->fill || !tf->shift || !tf->scale || !tf->target_shift ||
        !tf->target_scale)
        goto fail;
    double *lo = tmp, *hi = tmp + d, *mean = tmp + 2 * d, *sd = tmp + 3 * d;
    for (size_t i = 0; i < n; i++) rows += pf_dataset_count(ds, (size_t)participants[i]);
    if (rows == 0) {
        pf_error_set(err, PF_EINPUT,
                     "cannot fit the feature and target scaling: the %zu training participants "
                     "have no windows; raise data.min_windows",
                     n);
        goto fail;
    }
    if (fit_fill(ds, participants, n, cfg->missing, tf->fill, count, err) != PF_OK) goto fail;
    scan_range(ds, participants, n, tf->fill, lo, hi, mean, &rows);
    if (cfg->scaling == PF_SCALE_ZSCORE) scan_sd(ds, participants, n, tf->fill, mean, rows, sd);
    set_scaler(tf, cfg->scaling, lo, hi, mean, sd);
    fit_targets(tf, ds, participants, n, cfg);
    free(tmp);
    free(count);
    return tf;
fail:
    free(tmp);
    free(count);
    pf_transform_free(tf);
    return NULL;
}

void pf_transform_free(pf_transform *tf)
{
    if (tf == NULL) return;
    free(tf->fill);
    free(tf->shift);
    free(tf->scale);
    free(tf->target_shift);
    free(tf->target_scale);
    free(tf);
}

void pf_transform_target_inverse(const pf_transform *tf, const float *in, double *out, size_t n)
{
    /* No arithmetic at all for the identity: -0.0 + 0 would turn into +0.0, and "none" must
     * leave every prediction exactly as the model made it. */
    size_t T = tf->n_targets;
    for (size_t k = 0; k < T; k++) {
        double shift = tf->target_shift[k], scale = tf->target_scale[k];
        int identity = shift == 0 && scale == 1;
        for (size_t i = 0; i < n; i++) {
            double v = (double)in[i * T + k];
            out[i * T + k] = identity ? v : v / scale + shift;
        }
    }
}

int pf_transform_window(const pf_transform *tf, const pf_dataset *ds, size_t r, float *x, float *y,
                        double *y_data, pf_error *err)
{
    size_t d = ds->n_features, T = ds->n_targets;
    for (size_t j = 0; j < d; j++) {
        double v = ds->x[r * d + j];
        if (tf) {
            if (isnan(v) && isnan(v = tf->fill[j])) return empty_cell(ds, r, j, err);
            v = (v - tf->shift[j]) * tf->scale[j];
        }
        x[j] = (float)v;
    }
    for (size_t k = 0; k < T; k++) {
        double t = ds->y[r * T + k];
        y_data[k] = t;
        y[k] = tf ? (float)((t - tf->target_shift[k]) * tf->target_scale[k]) : (float)t;
    }
    return PF_OK;
}
