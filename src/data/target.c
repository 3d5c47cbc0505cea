/* target.c: the high/low transform, class checks and the label warning (see target.h). */
#include "data/target.h"
#include "base/alloc.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEW_VALUES 10 /* a regression target with at most this many whole numbers is suspect */
#define TIE_ULPS   4  /* the high/low tolerance, in DBL_EPSILON of the participant's scale */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The participant's own threshold: the median (mean of the middle two for an even count) or
 * the mean of its n targets, summed with Neumaier's compensation so that the sum is as good as
 * exact whatever the order (the tolerance of side() counts on it). */
static double threshold(const double *y, size_t n, pf_target_transform how, double *scratch)
{
    if (how == PF_TRANSFORM_ABOVE_MEAN) {
        double sum = 0, lost = 0;
        for (size_t i = 0; i < n; i++) {
            double next = sum + y[i];
            lost += fabs(sum) >= fabs(y[i]) ? (sum - next) + y[i] : (y[i] - next) + sum;
            sum = next;
        }
        return (sum + lost) / (double)n;
    }
    memcpy(scratch, y, n * sizeof *scratch);
    qsort(scratch, n, sizeof *scratch, cmp_double);
    return n % 2 ? scratch[n / 2] : 0.5 * (scratch[n / 2 - 1] + scratch[n / 2]);
}

/* Which side of the margin m around the threshold t the target y lies on: 1 (high) when
 * y - t exceeds m by more than the tolerance, -1 (low) when t - y does, 0 (dropped) otherwise,
 * the boundary included. The tolerance is TIE_ULPS * DBL_EPSILON * max(scale, m), scale the
 * largest |y| of the participant: reading y, the middle targets and m from decimal text and
 * subtracting err by at most 2.5 (median) or 3.5 (mean) such units, so a value written at
 * exactly t + m and one at t - m are both ties, whatever the rounding of each
 * (docs/data.md#target_transform). */
static int side(double y, double t, double m, double scale)
{
    double tol = TIE_ULPS * DBL_EPSILON * fmax(scale, m), d = y - t;
    return d - m > tol ? 1 : -d - m > tol ? -1 : 0;
}

/* Classes per participant, dropping windows within the margin (boundary and ties included);
 * participants left without windows are dropped too. Rows are compacted in place. */
static int binarise(pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    size_t P = ds->n_participants, d = ds->n_features, out = 0, kept_p = 0, max_n = 0;
    for (size_t p = 0; p < P; p++)
        if (pf_dataset_count(ds, p) > max_n) max_n = pf_dataset_count(ds, p);
    double *scratch = pf_alloc(max_n, sizeof *scratch, err);
    if (scratch == NULL || pf_dataset_reserve_dropped(ds, err) != PF_OK) {
        free(scratch);
        return err->code;
    }
    double m = cfg->transform_margin;
    for (size_t p = 0; p < P; p++) {
        size_t lo = ds->offset[p], n = ds->offset[p + 1] - lo, first = out;
        size_t first_dropped = ds->n_dropped_windows;
        double t = threshold(ds->y + lo, n, cfg->target_transform, scratch), scale = 0;
        for (size_t i = lo; i < lo + n; i++) scale = fmax(scale, fabs(ds->y[i]));
        for (size_t i = lo; i < lo + n; i++) {
            int s = side(ds->y[i], t, m, scale);
            if (s == 0) {
                pf_dataset_drop_window(ds, i, kept_p, out);
                continue;
            }
            memmove(ds->x + out * d, ds->x + i * d, d * sizeof *ds->x);
            ds->y[out] = s > 0 ? 1.0 : 0.0;
            if (ds->group) ds->group[out] = ds->group[i];
            ds->row[out] = ds->row[i];
            if (ds->time) ds->time[out] = ds->time[i];
            ds->participant[out++] = (int)kept_p;
        }
        if (out == first) {                        /* nothing left of this participant */
            ds->n_dropped_windows = first_dropped; /* its windows are counted, not listed */
            free(ds->participant_ids[p]);
            for (size_t a = 0; a < ds->n_attributes; a++)
                free(ds->attribute_values[p * ds->n_attributes + a]);
            ds->n_dropped_participants++;
            continue;
        }
        ds->participant_ids[kept_p] = ds->participant_ids[p];
        for (size_t a = 0; a < ds->n_attributes; a++)
            ds->attribute_values[kept_p * ds->n_attributes + a] =
                ds->attribute_values[p * ds->n_attributes + a];
        ds->offset[kept_p++] = first;
    }
    free(scratch);
    ds->n_dropped_margin = ds->n_windows - out;
    ds->n_windows = out;
    ds->n_participants = kept_p;
    ds->offset[kept_p] = out;
    if (out == 0)
        return pf_error_set(err, PF_EINPUT,
                            "data.transform_margin = %g drops every window (each is within the "
                            "margin of its participant's threshold); lower the margin",
                            m);
    ds->task = PF_TASK_CLASSIFICATION;
    ds->n_classes = 2;
    ds->class_names = pf_alloc(2, sizeof(char *), err);
    if (ds->class_names == NULL) return err->code;
    ds->class_names[0] = strdup("low");
    ds->class_names[1] = strdup("high");
    return ds->class_names[0] && ds->class_names[1]
               ? PF_OK
               : pf_error_set(err, PF_ERUNTIME, "out of memory naming classes");
}

static int check_classes(const pf_dataset *ds, pf_error *err)
{
    size_t *count = pf_alloc(ds->n_classes, sizeof *count, err), present = 0;
    if (count == NULL) return err->code;
    for (size_t i = 0; i < ds->n_windows; i++) count[(size_t)ds->y[i]]++;
    for (size_t c = 0; c < ds->n_classes; c++) present += count[c] > 0;
    free(count);
    if (present >= 2) return PF_OK;
    return pf_error_set(err, PF_EINPUT,
                        "the label '%s' holds one class only ('%s') in all %zu windows: there "
                        "is nothing to classify (check data.target_column, data.na_values, or "
                        "use data.target_transform = above_median for a continuous target)",
                        ds->target_names[0], ds->n_classes ? ds->class_names[0] : "?",
                        ds->n_windows);
}

/* A regression target made of a handful of whole numbers: say that it may be a label. */
static void warn_label_like(pf_dataset *ds)
{
    size_t T = ds->n_targets;
    for (size_t k = 0; k < T; k++) {
        double seen[FEW_VALUES];
        size_t n_seen = 0, i = 0;
        for (; i < ds->n_windows; i++) {
            double y = ds->y[i * T + k];
            if (y != floor(y)) break;
            size_t j = 0;
            while (j < n_seen && seen[j] != y) j++;
            if (j == n_seen && n_seen == FEW_VALUES) break;
            if (j == n_seen) seen[n_seen++] = y;
        }
        if (i < ds->n_windows || n_seen > FEW_VALUES) continue;
        qsort(seen, n_seen, sizeof *seen, cmp_double);
        char values[160] = "";
        for (size_t j = 0, used = 0; j < n_seen && used < sizeof values; j++)
            used += (size_t)snprintf(values + used, sizeof values - used, "%s%g", j ? ", " : "",
                                     seen[j]);
        pf_dataset_warn(ds,
                        "target '%s' holds only %zu distinct whole numbers (%s): if it is a "
                        "class label, set data.task = classification; as it is, it is treated "
                        "as a continuous score and scored with CCC",
                        ds->target_names[k], n_seen, values);
        return; /* one such warning says it for every target */
    }
}

int pf_target_finish(pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    const pf_task_shape *want = pf_task_shape_of(cfg->task, cfg->target_columns.n);
    if (want->transforms && cfg->target_transform != PF_TRANSFORM_NONE &&
        binarise(ds, cfg, err) != PF_OK)
        return err->code;
    if (want->labels && !pf_dataset_shape(ds)->labels)
        return pf_error_set(err, PF_EINPUT,
                            "data.task = %s, but the %s data has continuous "
                            "targets only: set data.target_transform = above_median (or "
                            "above_mean) to classify high and low",
                            pf_task_name(cfg->task),
                            cfg->source == PF_SOURCE_SYNTHETIC ? "synthetic" : "loaded");
    if (pf_dataset_shape(ds)->labels) return check_classes(ds, err);
    warn_label_like(ds);
    return PF_OK;
}
