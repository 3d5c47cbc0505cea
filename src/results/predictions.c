/* predictions.c: every held-out window's prediction, kept, written and read back (see
 * predictions.h).
 *
 * The arrays sit in pf_results, so every path a study's numbers take (tasks in parallel,
 * checkpoints, shards, results.h5 and --report) carries them without a second mechanism; this
 * file only sizes them, fills a participant's slots from a model's outputs, and turns them into
 * /predictions and predictions.csv. Numbers in the CSV go through numtext.h (the shortest text
 * that reads back to the same double), names through csvout.h, so the CSV holds the very doubles
 * of results.h5 and of the metrics. */
#include "results/predictions.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/csvout.h"
#include "base/numtext.h"
#include "base/outfile.h"
#include "eval/metric.h"
#include "results/results_csv.h"

/* ---- the arrays ------------------------------------------------------------------------------ */

void pf_predictions_free(pf_results *r)
{
    free(r->window_first), free(r->window_row), free(r->window_time), free(r->window_truth);
    free(r->pred), free(r->pred_class), free(r->dropped);
    r->window_first = NULL, r->window_row = NULL, r->window_time = NULL;
    r->window_truth = NULL, r->pred = NULL, r->pred_class = NULL, r->dropped = NULL;
    r->n_win = r->n_pred = r->n_dropped = 0;
}

/* Room for n_win windows (with times when timed) and n_dropped dropped windows, every
 * prediction NaN and every class -1 (not run). */
static int alloc_shape(pf_results *r, size_t n_win, int timed, size_t n_dropped, pf_error *err)
{
    size_t cells = r->n_var * r->n_rep * n_win;
    int labels = r->n_classes > 0;
    r->n_win = n_win;
    r->n_pred = r->metrics->n_model_out;
    r->n_dropped = n_dropped;
    r->window_first = pf_alloc(r->n_part + 1, sizeof *r->window_first, err);
    r->window_row = pf_alloc(n_win, sizeof *r->window_row, err);
    if (timed) r->window_time = pf_alloc(n_win, sizeof *r->window_time, err);
    r->window_truth = pf_alloc(n_win * r->n_targets, sizeof *r->window_truth, err);
    r->pred = pf_alloc(cells * r->n_pred, sizeof *r->pred, err);
    if (labels) r->pred_class = pf_alloc(cells, sizeof *r->pred_class, err);
    r->dropped = pf_alloc(n_dropped, sizeof *r->dropped, err);
    if (err->code != PF_OK) {
        pf_predictions_free(r);
        return err->code;
    }
    for (size_t i = 0; i < cells * r->n_pred; i++) r->pred[i] = NAN;
    for (size_t i = 0; labels && i < cells; i++) r->pred_class[i] = -1;
    return PF_OK;
}

int pf_predictions_alloc(pf_results *r, const pf_dataset *ds, pf_error *err)
{
    if (ds->n_participants != r->n_part || ds->n_targets != r->n_targets)
        return pf_error_set(err, PF_ERUNTIME, "predictions: the results are not of this dataset");
    if (alloc_shape(r, ds->n_windows, ds->time != NULL, ds->n_dropped_windows, err) != PF_OK)
        return err->code;
    memcpy(r->window_first, ds->offset, (r->n_part + 1) * sizeof *r->window_first);
    for (size_t w = 0; w < r->n_win; w++) r->window_row[w] = (long long)ds->row[w];
    if (ds->time) memcpy(r->window_time, ds->time, r->n_win * sizeof *r->window_time);
    memcpy(r->window_truth, ds->y, r->n_win * r->n_targets * sizeof *r->window_truth);
    if (r->n_dropped) memcpy(r->dropped, ds->dropped, r->n_dropped * sizeof *r->dropped);
    return PF_OK;
}

/* The class probabilities of one window (softmax of its C logits, in double, the largest logit
 * subtracted first so no exp overflows) into prob, and its predicted class into *cls. */
static void softmax(const double *logit, size_t C, double *prob, int *cls)
{
    double top = -INFINITY, sum = 0;
    int any_nan = 0, finite = 1;
    for (size_t c = 0; c < C; c++) {
        any_nan |= isnan(logit[c]) != 0;
        finite &= isfinite(logit[c]) != 0;
        if (logit[c] > top) top = logit[c];
    }
    /* The class the metrics count (metric.h); a NaN logit makes them NaN, so there is none. */
    *cls = any_nan ? -1 : (int)pf_metric_argmax(logit, C);
    for (size_t c = 0; c < C; c++) sum += prob[c] = finite ? exp(logit[c] - top) : NAN;
    for (size_t c = 0; c < C; c++) prob[c] /= sum;
}

void pf_predictions_store(pf_results *r, size_t v, size_t k, size_t p, const double *out)
{
    if (r->pred == NULL) return;
    size_t lo = r->window_first[p], n = r->window_first[p + 1] - lo, m = r->n_pred;
    double *dst = r->pred + ((v * r->n_rep + k) * r->n_win + lo) * m;
    if (r->pred_class == NULL) {
        memcpy(dst, out, n * m * sizeof *dst);
        return;
    }
    int *cls = r->pred_class + (v * r->n_rep + k) * r->n_win + lo;
    for (size_t i = 0; i < n; i++) softmax(out + i * m, m, dst + i * m, cls + i);
}

/* The participant of window w: the last p with window_first[p] <= w. */
static size_t participant_of(const pf_results *r, size_t w)
{
    size_t lo = 0, hi = r->n_part; /* window_first[lo] <= w < window_first[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->window_first[mid] <= w)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ---- predictions.csv ------------------------------------------------------------------------- */

/* What every row of a window starts with: participant, window (its row), time (empty without a
 * time column), the variant and the repeat. */
static void row_head(FILE *fp, const pf_results *r, size_t p, long long row, int timed, double time,
                     size_t v, size_t k)
{
    pf_csvout_field(fp, r->participant_ids[p]);
    fprintf(fp, ",%lld,", row);
    if (timed) pf_numtext_put(fp, "", time);
    fputc(',', fp);
    pf_results_csv_variant(fp, r, v, pf_results_clustered(r));
    fprintf(fp, ",%zu,", k);
}

/* A kept window's rows: one per output (regression), or one with its label, predicted class and
 * probabilities (classification). */
static void kept_rows(FILE *fp, const pf_results *r, size_t p, size_t w, size_t v, size_t k)
{
    const double *pred = pf_predictions_at(r, v, k, w);
    double time = r->window_time ? r->window_time[w] : NAN;
    if (r->pred_class == NULL) {
        for (size_t o = 0; o < r->n_targets; o++) {
            row_head(fp, r, p, r->window_row[w], r->window_time != NULL, time, v, k);
            pf_csvout_field(fp, r->target_names[o]);
            pf_numtext_put(fp, ",", r->window_truth[w * r->n_targets + o]);
            pf_numtext_put(fp, ",", pred[o]);
            fputs(",0\n", fp);
        }
        return;
    }
    int cls = pf_predictions_class(r, v, k, w);
    row_head(fp, r, p, r->window_row[w], r->window_time != NULL, time, v, k);
    pf_csvout_field(fp, r->target_names[0]);
    fputc(',', fp);
    pf_csvout_field(fp, r->class_names[(size_t)r->window_truth[w]]);
    fputc(',', fp);
    if (cls >= 0) pf_csvout_field(fp, r->class_names[cls]);
    for (size_t c = 0; c < r->n_pred; c++) pf_numtext_put(fp, ",", pred[c]);
    fputs(",0\n", fp);
}

/* A dropped window's rows: no prediction, no class; its target where a regression has one. */
static void dropped_rows(FILE *fp, const pf_results *r, const pf_dropped_window *d, size_t v,
                         size_t k)
{
    size_t outputs = r->pred_class ? 1 : r->n_targets;
    for (size_t o = 0; o < outputs; o++) {
        row_head(fp, r, d->participant, (long long)d->row, r->window_time != NULL, d->time, v, k);
        pf_csvout_field(fp, r->target_names[o]);
        if (r->pred_class == NULL) {
            pf_numtext_put(fp, ",", r->n_targets == 1 ? d->target : NAN);
            pf_numtext_put(fp, ",", NAN);
        } else {
            fputs(",,", fp); /* within the margin: no label, and never predicted */
            for (size_t c = 0; c < r->n_pred; c++) pf_numtext_put(fp, ",", NAN);
        }
        fputs(",1\n", fp);
    }
}

static void csv_head(FILE *fp, const pf_results *r)
{
    fputs("participant,window,time,", fp);
    pf_results_csv_variant_head(fp, pf_results_clustered(r));
    fputs(",repeat,output,", fp);
    if (r->pred_class == NULL) {
        fputs("target,prediction,dropped\n", fp);
        return;
    }
    fputs("label,predicted", fp);
    char name[PF_MAX_NAME + 8];
    for (size_t c = 0; c < r->n_pred; c++) {
        snprintf(name, sizeof name, "p_%s", r->class_names[c]);
        fputc(',', fp);
        pf_csvout_field(fp, name);
    }
    fputs(",dropped\n", fp);
}

int pf_predictions_csv_write(const pf_results *r, const char *dir, pf_error *err)
{
    if (r->pred == NULL) return PF_OK;
    /* Where each participant's dropped windows start in the list (it is in dataset order). */
    size_t *dfirst = pf_alloc(r->n_part + 1, sizeof *dfirst, err);
    if (!dfirst) return err->code;
    for (size_t p = 0, d = 0; p <= r->n_part; p++) {
        while (d < r->n_dropped && r->dropped[d].participant < p) d++;
        dfirst[p] = d;
    }
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "predictions.csv", err) != PF_OK) {
        free(dfirst);
        return err->code;
    }
    csv_head(f.fp, r);
    for (size_t v = 0; v < r->n_var; v++)
        for (size_t p = 0; p < r->n_part; p++)
            for (size_t k = 0; k < r->n_rep; k++) {
                size_t d = dfirst[p];
                for (size_t w = r->window_first[p]; w <= r->window_first[p + 1]; w++) {
                    for (; d < dfirst[p + 1] && r->dropped[d].before == w; d++)
                        dropped_rows(f.fp, r, &r->dropped[d], v, k);
                    if (w < r->window_first[p + 1]) kept_rows(f.fp, r, p, w, v, k);
                }
            }
    free(dfirst);
    return pf_outfile_commit(&f, err);
}

/* ---- results.h5: /predictions ---------------------------------------------------------------- */

#define GROUP "/predictions"

void pf_predictions_h5_write(pf_h5 *h, const pf_results *r)
{
    if (r->pred == NULL || h->failed) return;
    size_t W = r->n_win, D = r->n_dropped, T = r->n_targets;
    int *part = malloc((W + D + 1) * sizeof *part);
    long long *dl = malloc((2 * D + 1) * sizeof *dl);
    double *dd = malloc((2 * D + 1) * sizeof *dd);
    hid_t g = part && dl && dd ? pf_h5_group(h, h->file, "predictions") : -1;
    if (g < 0) {
        h->failed = 1;
        snprintf(h->what, sizeof h->what, "%s", GROUP);
        free(part), free(dl), free(dd);
        return;
    }
    for (size_t w = 0; w < W; w++) part[w] = (int)participant_of(r, w);
    hsize_t dw = W, dt[2] = {W, T}, dp[4] = {r->n_var, r->n_rep, W, r->n_pred};
    pf_h5_ints(h, g, "participant", W, part);
    pf_h5_array(h, g, "row", H5T_NATIVE_LLONG, 1, &dw, r->window_row);
    if (r->window_time) pf_h5_doubles(h, g, "time", 1, &dw, r->window_time);
    if (r->pred_class) {
        for (size_t w = 0; w < W; w++) part[w] = (int)r->window_truth[w];
        pf_h5_ints(h, g, "label", W, part);
        pf_h5_doubles(h, g, "probability", 4, dp, r->pred);
        pf_h5_array(h, g, "predicted", H5T_NATIVE_INT, 3, dp, r->pred_class);
    } else {
        pf_h5_doubles(h, g, "target", 2, dt, r->window_truth);
        pf_h5_doubles(h, g, "prediction", 4, dp, r->pred);
    }
    if (D > 0) {
        hsize_t dn = D;
        for (size_t i = 0; i < D; i++) {
            part[i] = (int)r->dropped[i].participant;
            dl[i] = (long long)r->dropped[i].row, dl[D + i] = (long long)r->dropped[i].before;
            dd[i] = r->dropped[i].time, dd[D + i] = r->dropped[i].target;
        }
        pf_h5_ints(h, g, "dropped_participant", D, part);
        pf_h5_array(h, g, "dropped_row", H5T_NATIVE_LLONG, 1, &dn, dl);
        if (r->window_time) pf_h5_doubles(h, g, "dropped_time", 1, &dn, dd);
        pf_h5_doubles(h, g, "dropped_target", 1, &dn, dd + D);
        pf_h5_array(h, g, "dropped_before", H5T_NATIVE_LLONG, 1, &dn, dl + D);
    }
    pf_h5_attr_str(h, g, "layout",
                   "windows are the study's, participant by participant in time order: "
                   "participant [window] indexes /dataset/participant_ids, row [window] is the "
                   "window's data row in the file (0 = the first after the header), time [window] "
                   "its time column (absent without one); regression: target [window, target] as "
                   "recorded, prediction [variant, repeat, window, target] in the data's units; "
                   "classification: label [window] and predicted [variant, repeat, window] index "
                   "/dataset/class_names (-1: none), probability [variant, repeat, window, class] "
                   "is the softmax of the logits; NaN = not run; dropped_* [dropped]: windows "
                   "data.transform_margin dropped (present only when any), dropped_before the "
                   "window each came before (or the end of its participant's)");
    H5Gclose(g);
    free(part), free(dl), free(dd);
}

typedef struct {
    hid_t f;
    const char *path;
    pf_error *err;
} reader;

__attribute__((format(printf, 2, 3))) static int bad(reader *rd, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return pf_error_set(rd->err, PF_EINPUT,
                        "'%s' is not a complete prunefair results file: " GROUP "/%s; give the "
                        "folder or results.h5 of a finished run",
                        rd->path, what);
}

/* GROUP/name, of exactly the shape dims[0..rank-1], into out. */
static int read_exact(reader *rd, const char *name, hid_t type, int rank, const size_t *dims,
                      void *out)
{
    char path[96];
    hsize_t got[8];
    snprintf(path, sizeof path, GROUP "/%s", name);
    int k = pf_h5_dims(rd->f, path, 8, got), same = k == rank;
    size_t n = 1;
    for (int i = 0; same && i < rank; i++) same = got[i] == dims[i], n *= dims[i];
    if (!same) return bad(rd, "%s is missing or not of the study's shape", name);
    if (pf_h5_read_array(rd->f, path, type, n, out) != 0) return bad(rd, "%s is unreadable", name);
    return PF_OK;
}

/* The windows of the file: every participant's, in order, as /dataset/windows_per_participant
 * says; participant [window] must say the same. */
static int read_windows(reader *rd, pf_results *r, int *part)
{
    size_t W = r->n_win;
    r->window_first[0] = 0;
    for (size_t p = 0; p < r->n_part; p++)
        r->window_first[p + 1] = r->window_first[p] + (size_t)r->n_windows[p];
    if (read_exact(rd, "participant", H5T_NATIVE_INT, 1, &W, part) != PF_OK) return rd->err->code;
    for (size_t w = 0; w < W; w++)
        if (part[w] < 0 || (size_t)part[w] != participant_of(r, w))
            return bad(rd, "participant[%zu] is not the participant that owns the window", w);
    return PF_OK;
}

/* The dropped windows' five columns, checked against the participants and their windows. */
static int read_dropped(reader *rd, pf_results *r, int *part, long long *dl, double *dd)
{
    size_t D = r->n_dropped;
    if (read_exact(rd, "dropped_participant", H5T_NATIVE_INT, 1, &D, part) ||
        read_exact(rd, "dropped_row", H5T_NATIVE_LLONG, 1, &D, dl) ||
        read_exact(rd, "dropped_before", H5T_NATIVE_LLONG, 1, &D, dl + D) ||
        read_exact(rd, "dropped_target", H5T_NATIVE_DOUBLE, 1, &D, dd + D) ||
        (r->window_time && read_exact(rd, "dropped_time", H5T_NATIVE_DOUBLE, 1, &D, dd)))
        return rd->err->code;
    for (size_t i = 0; i < D; i++) {
        size_t p = (size_t)part[i];
        if (part[i] < 0 || p >= r->n_part || dl[i] < 0 || dl[D + i] < 0 ||
            (size_t)dl[D + i] < r->window_first[p] || (size_t)dl[D + i] > r->window_first[p + 1])
            return bad(rd, "dropped window %zu names no window of its participant", i);
        r->dropped[i] = (pf_dropped_window){p, (size_t)dl[i], r->window_time ? dd[i] : NAN,
                                            dd[D + i], (size_t)dl[D + i]};
    }
    return PF_OK;
}

static int read_group(reader *rd, pf_results *r, int *part, long long *dl, double *dd)
{
    size_t W = r->n_win, T = r->n_targets, dt[2] = {W, T};
    size_t dp[4] = {r->n_var, r->n_rep, W, r->n_pred};
    if (read_windows(rd, r, part) != PF_OK ||
        read_exact(rd, "row", H5T_NATIVE_LLONG, 1, &W, r->window_row) ||
        (r->window_time && read_exact(rd, "time", H5T_NATIVE_DOUBLE, 1, &W, r->window_time)))
        return rd->err->code;
    if (r->pred_class) {
        if (read_exact(rd, "label", H5T_NATIVE_INT, 1, &W, part) ||
            read_exact(rd, "probability", H5T_NATIVE_DOUBLE, 4, dp, r->pred) ||
            read_exact(rd, "predicted", H5T_NATIVE_INT, 3, dp, r->pred_class))
            return rd->err->code;
        for (size_t w = 0; w < W; w++) {
            if (part[w] < 0 || (size_t)part[w] >= r->n_classes)
                return bad(rd, "label[%zu] is not a class", w);
            r->window_truth[w] = part[w];
        }
        for (size_t i = 0; i < r->n_var * r->n_rep * W; i++)
            if (r->pred_class[i] < -1 || r->pred_class[i] >= (int)r->n_classes)
                return bad(rd, "predicted holds %d, not a class", r->pred_class[i]);
    } else if (read_exact(rd, "target", H5T_NATIVE_DOUBLE, 2, dt, r->window_truth) ||
               read_exact(rd, "prediction", H5T_NATIVE_DOUBLE, 4, dp, r->pred)) {
        return rd->err->code;
    }
    return r->n_dropped ? read_dropped(rd, r, part, dl, dd) : PF_OK;
}

int pf_predictions_h5_read(hid_t f, const char *path, pf_results *r, pf_error *err)
{
    if (!pf_h5_exists(f, GROUP)) return PF_OK;
    reader rd = {f, path, err};
    size_t W = 0, D = 0;
    for (size_t p = 0; p < r->n_part; p++) W += r->n_windows[p] > 0 ? (size_t)r->n_windows[p] : 0;
    if (pf_h5_exists(f, GROUP "/dropped_row")) D = pf_h5_size(f, GROUP "/dropped_row");
    if (W == 0) return bad(&rd, "participant: the study has no windows");
    if (alloc_shape(r, W, pf_h5_exists(f, GROUP "/time"), D, err) != PF_OK) return err->code;
    int *part = pf_alloc(W + D, sizeof *part, err);
    long long *dl = pf_alloc(2 * D, sizeof *dl, err);
    double *dd = pf_alloc(2 * D, sizeof *dd, err);
    if (err->code == PF_OK) read_group(&rd, r, part, dl, dd);
    free(part), free(dl), free(dd);
    if (err->code != PF_OK) pf_predictions_free(r);
    return err->code;
}
