/* metric.h: how good a model's predictions are for one held-out participant (docs/metrics.md).
 *
 * Three layers. The metric functions (CCC from moments.h, pf_metric_rmse, ..., pf_metric_f1_macro)
 * compute one number from one participant's predictions and never fail: degenerate inputs have a
 * documented value. The registry holds one row per metric (name, the task shapes it applies to, its
 * direction, its chance level, its function), so a new metric is one new row and one function, with
 * no switch to edit elsewhere. A metric set lists, for one task (regression with one or several
 * outputs, or classification), the per-participant metrics in the order results store them, and
 * evaluates them all from the model's outputs in one call. How the values of one metric are
 * summarised across participants is summary.h's job.
 *
 * Every metric takes double predictions and double targets: a regression's predictions are the
 * model's float32 outputs mapped back to the data's units in double (transform.h), its targets
 * as the data file recorded them, so no number is rounded to float32 on its way to a metric and
 * a target's unit or offset moves a value only by double rounding
 * (docs/metrics.md#per-participant-metrics).
 * Classification metrics work on class labels, the argmax of the logits, and follow
 * scikit-learn's definitions, so any number can be checked there. The functions depend on
 * nothing but libc. */
#ifndef PF_METRIC_H
#define PF_METRIC_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "config/task.h" /* pf_task_kind, PF_MAX_NAME */

/* ---- regression metrics for one participant: yhat = prediction, y = target, n windows ---- */

/* Root mean squared error sqrt(mean((yhat - y)^2)). NaN when n == 0. */
double pf_metric_rmse(const double *yhat, const double *y, size_t n);

/* Pearson's r. Defined as 0 when either vector has zero variance (a constant prediction
 * carries no linear association; this keeps tables free of NaN and matches ccc's convention).
 * Clamped to [-1, 1] against rounding. NaN when n == 0. */
double pf_metric_pearson(const double *yhat, const double *y, size_t n);

/* ---- classification metrics for one participant ----
 * truth and pred hold class indices 0..C-1 (C = n_classes) for n windows. Each is NaN when
 * n == 0 or when a label lies outside 0..C-1 (a caller's bug made visible, not ignored).
 * Counting loops once over the windows per class (O(n C)), so no scratch is needed and the
 * functions cannot fail; C is a handful of classes. */

/* Share of windows whose predicted class is the true one (sklearn's accuracy_score). */
double pf_metric_accuracy(const int *truth, const int *pred, size_t n, size_t n_classes);

/* Mean over the classes present in truth of recall = correct / true count of that class
 * (sklearn's balanced_accuracy_score, adjusted=False). A class predicted but absent from
 * truth does not count; a participant whose windows all hold one class gets that class's
 * recall. */
double pf_metric_balanced_accuracy(const int *truth, const int *pred, size_t n, size_t n_classes);

/* Unweighted mean of per-class F1 over the classes present in truth or pred, with
 * F1 = 2 tp / (true count + predicted count), i.e. 0 for a class whose precision or recall is
 * undefined (sklearn's f1_score(average='macro', zero_division=0) with its default labels,
 * the union of y_true and y_pred). Classes in neither do not count. */
double pf_metric_f1_macro(const int *truth, const int *pred, size_t n, size_t n_classes);

/* The predicted class of one window from its n_classes logits: the index of the largest,
 * ties to the lowest index. NaN logits never win; all NaN gives 0 (pf_metric_set_eval
 * reports NaN metrics for such a window's participant instead of trusting this). The logits
 * are the model's float32 outputs, converted to double exactly, so the class is the same as
 * on the float32 values. */
size_t pf_metric_argmax(const double *logits, size_t n_classes);

/* ---- the registry ---- */

/* What a metric function sees: one participant's windows in the form its task needs. */
typedef struct {
    size_t n; /* windows */
    /* regression: K columns of n values each, in the data's units */
    size_t n_outputs;
    const double *const *yhat; /* yhat[k][i]: prediction of output k for window i */
    const double *const *y;    /* y[k][i]: target */
    /* classification */
    size_t n_classes;
    const int *truth; /* n true classes */
    const int *pred;  /* n predicted classes (argmax of the logits) */
} pf_metric_input;

/* One row of the registry. */
typedef struct {
    const char *name;     /* "ccc", "mean_ccc", "balanced_accuracy" */
    const char *label;    /* as tables and figures name it: "CCC", "macro F1" */
    unsigned shapes;      /* PF_SHAPE_* bits (config/task.h) of the task shapes reporting it */
    int per_output;       /* 1: one value per regression output, named name[target] when K > 1 */
    int higher_is_better; /* 0 for errors such as rmse: "worst" is then the largest value */
    int nonnegative;      /* 1: never below 0, so a ratio of two values means something */
    double (*chance)(size_t n_classes); /* the value at chance; NULL: data dependent (NaN) */
    double (*fn)(const pf_metric_input *in, size_t output); /* output: per_output rows only */
    const char *about;                                      /* one line for help and tables */
} pf_metric;

/* The registry, in its fixed order; *n receives the number of rows. */
const pf_metric *pf_metric_table(size_t *n);

/* The row of a base name ("ccc", not "ccc[arousal]"), or NULL. */
const pf_metric *pf_metric_find(const char *name);

/* ---- the metric set of one task ---- */

#define PF_METRIC_NAME (PF_MAX_NAME + 32) /* "rmse[" target name "]" */

/* One metric as a task reports it. */
typedef struct {
    char name[PF_METRIC_NAME]; /* "ccc", "ccc[arousal]", "mean_ccc", "f1_macro" */
    const pf_metric *metric;   /* its registry row: direction, function */
    size_t output;             /* the regression output a per-output metric reads; else 0 */
    double chance;             /* value at chance for this task; NaN when data dependent */
} pf_metric_slot;

typedef struct {
    const pf_task_shape *shape; /* the task's row (config/task.h) */
    size_t n_targets;           /* columns of the truth y: K outputs, or 1 (the class index) */
    size_t n_classes;           /* C; 0 for regression */
    size_t n_model_out;         /* columns of the model output: K, or C logits */
    size_t n;                   /* metrics */
    pf_metric_slot *slot;       /* n, in reporting order */
} pf_metric_set;

/* The metrics a task reports, in this order:
 *   regression, K = 1:  ccc, rmse, pearson
 *   regression, K > 1:  ccc[t1], rmse[t1], pearson[t1], ccc[t2], ... (output by output),
 *                       then mean_ccc, mean_rmse, mean_pearson (means over the K outputs)
 *   classification:     accuracy, balanced_accuracy, f1_macro
 * (per-output rows of the registry output by output, then the others in registry order).
 * target_names (K entries) name the outputs when K > 1 and may be NULL when K == 1;
 * n_classes is used for classification only (>= 2). NULL with err set when the shape is
 * inconsistent, a target name is empty, too long or repeated, or memory runs out. */
pf_metric_set *pf_metric_set_alloc(pf_task_kind task, size_t n_targets, char *const *target_names,
                                   size_t n_classes, pf_error *err);
void pf_metric_set_free(pf_metric_set *ms);

/* Index of the metric called name in the set, or -1. */
long pf_metric_set_find(const pf_metric_set *ms, const char *name);

/* The primary metric (stats.metric): "auto" is ccc with one output, mean_ccc with several,
 * balanced_accuracy for classification; any other value must name one of the set's metrics
 * (PF_EINPUT otherwise, listing them). */
int pf_metric_set_primary(const pf_metric_set *ms, const char *stats_metric, size_t *index,
                          pf_error *err);

/* Every metric of the set for one participant's n windows into values[0..ms->n-1].
 *   out: n x n_model_out model outputs, row-major: predictions in the data's units
 *        (regression, pf_transform_target_inverse), or logits (classification; predicted
 *        class = pf_metric_argmax).
 *   y:   n x n_targets truth, row-major: targets as recorded, or the class index.
 * A NaN logit makes every classification value NaN (a diverged model is not "at chance").
 * PF_ERUNTIME when a class index is not an integer in 0..C-1 or memory runs out. */
int pf_metric_set_eval(const pf_metric_set *ms, const double *out, const double *y, size_t n,
                       double *values, pf_error *err);

#endif
