/* predictions.h: every held-out window's prediction, by every model of a study
 * (output.save_predictions).
 *
 * A study with output.save_predictions = true keeps, for every variant (criterion, sparsity,
 * bits) and repeat, what the model predicted for each window of every participant, when that
 * participant was held out: a regression's predictions in the data's units (the doubles its
 * metrics were computed from, metric.h), or a classification's class probabilities (the softmax
 * of the logits, in double) and predicted class (the argmax of the logits, the class its metrics
 * counted). Next to them, what each window is: its participant, its data row in the file and its
 * time (dataset.h, docs/data.md#window-rows) and its true value or label; and the windows that
 * data.transform_margin dropped, which no model saw.
 *
 * The predictions live in pf_results (results.h) like every other number of a study: a task
 * (fold, repeat) writes only the slots of its fold's test participants at its repeat, so they do
 * not depend on threads; task checkpoints and shard files carry them (checkpoint.h), so a resumed
 * or sharded run stores the same bytes. This file writes them to results.h5's /predictions group
 * and reads them back, and writes predictions.csv, the tidy table of them
 * (docs/outputs.md#predictionscsv,
 * docs/results-schema.md#predictions-every-held-out-windows-prediction-only-on-request).
 */
#ifndef PF_PREDICTIONS_H
#define PF_PREDICTIONS_H

#include <stddef.h>

#include <hdf5.h>

#include "base/error.h"
#include "base/h5.h"
#include "data/dataset.h"
#include "results/results.h"

/* Room for the predictions of every (variant, repeat, window), all NaN (classes -1: not run),
 * and the windows of ds copied in: their rows, times, truths and the dropped windows. r must be
 * the results of ds (pf_results_alloc). PF_ERUNTIME when memory runs out. */
int pf_predictions_alloc(pf_results *r, const pf_dataset *ds, pf_error *err);

/* Release what pf_predictions_alloc (or the reader) allocated; r->pred is NULL after. */
void pf_predictions_free(pf_results *r);

/* The model outputs of participant p's windows (pf_results.n_windows[p] rows of
 * r->metrics->n_model_out doubles, row-major) as the predictions of variant v at repeat k: a
 * regression's predictions, already in the data's units, as they are; a classification's
 * logits as the softmax (max subtracted, in double; NaN for all classes when a logit is not
 * finite) and the argmax (pf_metric_argmax; -1 when a logit is NaN). Nothing when r keeps no
 * predictions. */
void pf_predictions_store(pf_results *r, size_t v, size_t k, size_t p, const double *out);

/* The n_pred values of window w (an index into the study's windows) by variant v at repeat k. */
static inline const double *pf_predictions_at(const pf_results *r, size_t v, size_t k, size_t w)
{
    return r->pred + ((v * r->n_rep + k) * r->n_win + w) * r->n_pred;
}

/* The predicted class of window w by variant v at repeat k (classification), -1 when none. */
static inline int pf_predictions_class(const pf_results *r, size_t v, size_t k, size_t w)
{
    return r->pred_class[(v * r->n_rep + k) * r->n_win + w];
}

/* dir/predictions.csv: one row per (variant, participant, repeat, window, output), windows in
 * their participant's time order with the dropped ones among them (docs/outputs.md#predictionscsv).
 * Nothing when r keeps no predictions. */
int pf_predictions_csv_write(const pf_results *r, const char *dir, pf_error *err);

/* The /predictions group of results.h5
 * (docs/results-schema.md#predictions-every-held-out-windows-prediction-only-on-request),
 * when r keeps predictions; failures are recorded in h like every other dataset's. */
void pf_predictions_h5_write(pf_h5 *h, const pf_results *r);

/* /predictions of the results file f (named path in messages) into r, when the file has it:
 * allocated at the shape r and the file's windows imply and checked against r's participants.
 * PF_EINPUT naming the dataset that is missing or malformed. */
int pf_predictions_h5_read(hid_t f, const char *path, pf_results *r, pf_error *err);

#endif
