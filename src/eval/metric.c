/* metric.c: per-participant metrics (CCC, RMSE, Pearson r; accuracy, balanced accuracy, macro
 * F1), the registry that names them and the metric set of a task. See metric.h.
 *
 * CCC and Pearson's r are made of the two-pass moments of moments.h. Class counts are exact
 * integers, so the classification metrics are one division (or a mean of them) away from
 * scikit-learn's. */
#include "eval/metric.h"

#include "base/alloc.h"
#include "base/moments.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- regression ---------------------------------------------------------------------------- */

double pf_metric_rmse(const double *yhat, const double *y, size_t n)
{
    if (n == 0) return NAN;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = yhat[i] - y[i];
        ss += e * e;
    }
    return sqrt(ss / (double)n);
}

double pf_metric_pearson(const double *yhat, const double *y, size_t n)
{
    if (n == 0) return NAN;
    pf_moments m = pf_moments_pair_double(yhat, y, n);
    if (m.va == 0.0 || m.vb == 0.0) return 0.0; /* undefined: documented as 0 */
    double r = m.cov / sqrt(m.va * m.vb);
    return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
}

/* ---- classification ------------------------------------------------------------------------ */

/* Counts of one class: windows truly of it, predicted as it, and both. */
typedef struct {
    size_t truth, pred, hit;
} class_count;

static class_count count_class(const int *truth, const int *pred, size_t n, int c)
{
    class_count k = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        k.truth += truth[i] == c;
        k.pred += pred[i] == c;
        k.hit += truth[i] == c && pred[i] == c;
    }
    return k;
}

/* Are there windows, and are all labels classes 0..C-1? */
static int labels_ok(const int *truth, const int *pred, size_t n, size_t n_classes)
{
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (truth[i] < 0 || (size_t)truth[i] >= n_classes || pred[i] < 0 ||
            (size_t)pred[i] >= n_classes)
            return 0;
    return 1;
}

double pf_metric_accuracy(const int *truth, const int *pred, size_t n, size_t n_classes)
{
    if (!labels_ok(truth, pred, n, n_classes)) return NAN;
    size_t hit = 0;
    for (size_t i = 0; i < n; i++) hit += truth[i] == pred[i];
    return (double)hit / (double)n;
}

double pf_metric_balanced_accuracy(const int *truth, const int *pred, size_t n, size_t n_classes)
{
    if (!labels_ok(truth, pred, n, n_classes)) return NAN;
    double sum = 0.0;
    size_t k = 0;
    for (size_t c = 0; c < n_classes; c++) {
        class_count cc = count_class(truth, pred, n, (int)c);
        if (cc.truth == 0) continue; /* recall undefined: sklearn drops the class */
        sum += (double)cc.hit / (double)cc.truth;
        k++;
    }
    return sum / (double)k; /* k >= 1: n > 0 windows hold at least one true class */
}

double pf_metric_f1_macro(const int *truth, const int *pred, size_t n, size_t n_classes)
{
    if (!labels_ok(truth, pred, n, n_classes)) return NAN;
    double sum = 0.0;
    size_t k = 0;
    for (size_t c = 0; c < n_classes; c++) {
        class_count cc = count_class(truth, pred, n, (int)c);
        if (cc.truth + cc.pred == 0) continue; /* in neither label set */
        /* 2PR / (P + R) rewritten on counts, as sklearn >= 1.3 computes it: 0 when the class is
         * never predicted or never true (hit = 0), which is zero_division = 0. */
        sum += 2.0 * (double)cc.hit / (double)(cc.truth + cc.pred);
        k++;
    }
    return sum / (double)k;
}

size_t pf_metric_argmax(const double *logits, size_t n_classes)
{
    size_t best = n_classes;
    for (size_t c = 0; c < n_classes; c++) {
        if (isnan(logits[c])) continue;
        /* strict >: an equal later logit never displaces an earlier one */
        if (best == n_classes || logits[c] > logits[best]) best = c;
    }
    return best == n_classes ? 0 : best;
}

/* ---- the registry -------------------------------------------------------------------------- */

static double reg_ccc(const pf_metric_input *in, size_t k)
{
    return pf_moments_ccc_double(in->yhat[k], in->y[k], in->n);
}

static double reg_rmse(const pf_metric_input *in, size_t k)
{
    return pf_metric_rmse(in->yhat[k], in->y[k], in->n);
}

static double reg_pearson(const pf_metric_input *in, size_t k)
{
    return pf_metric_pearson(in->yhat[k], in->y[k], in->n);
}

/* Mean over the outputs, summed in output order: mean_ccc of two outputs is exactly
 * (ccc[a] + ccc[b]) / 2, the number a reader recomputes from the per-output columns. */
static double mean_over_outputs(const pf_metric_input *in,
                                double (*f)(const pf_metric_input *, size_t))
{
    double sum = 0.0;
    for (size_t k = 0; k < in->n_outputs; k++) sum += f(in, k);
    return sum / (double)in->n_outputs;
}

static double mean_ccc(const pf_metric_input *in, size_t k)
{
    (void)k;
    return mean_over_outputs(in, reg_ccc);
}

static double mean_rmse(const pf_metric_input *in, size_t k)
{
    (void)k;
    return mean_over_outputs(in, reg_rmse);
}

static double mean_pearson(const pf_metric_input *in, size_t k)
{
    (void)k;
    return mean_over_outputs(in, reg_pearson);
}

static double cls_accuracy(const pf_metric_input *in, size_t k)
{
    (void)k;
    return pf_metric_accuracy(in->truth, in->pred, in->n, in->n_classes);
}

static double cls_balanced_accuracy(const pf_metric_input *in, size_t k)
{
    (void)k;
    return pf_metric_balanced_accuracy(in->truth, in->pred, in->n, in->n_classes);
}

static double cls_f1_macro(const pf_metric_input *in, size_t k)
{
    (void)k;
    return pf_metric_f1_macro(in->truth, in->pred, in->n, in->n_classes);
}

/* A constant prediction, or one unrelated to the target, has CCC and r of 0. */
static double chance_zero(size_t n_classes)
{
    (void)n_classes;
    return 0.0;
}

/* Any prediction independent of the truth has expected recall 1/C per class. */
static double chance_one_over_c(size_t n_classes)
{
    return n_classes > 0 ? 1.0 / (double)n_classes : NAN;
}

#define REG (PF_SHAPE_REG1 | PF_SHAPE_REGK)

/* Accuracy's chance level is the majority-class share and macro F1's depends on the class
 * balance too: both data dependent, so NULL. RMSE is in the target's units. */
static const pf_metric registry[] = {
    {"ccc", "CCC", REG, 1, 1, 0, chance_zero, reg_ccc, "Lin's concordance correlation coefficient"},
    {"rmse", "RMSE", REG, 1, 0, 1, NULL, reg_rmse,
     "root mean squared error, in the target's units"},
    {"pearson", "Pearson's r", REG, 1, 1, 0, chance_zero, reg_pearson,
     "Pearson's correlation coefficient"},
    {"mean_ccc", "mean-over-outputs CCC", PF_SHAPE_REGK, 0, 1, 0, chance_zero, mean_ccc,
     "CCC averaged over the outputs"},
    {"mean_rmse", "mean-over-outputs RMSE", PF_SHAPE_REGK, 0, 0, 1, NULL, mean_rmse,
     "RMSE averaged over the outputs"},
    {"mean_pearson", "mean-over-outputs Pearson's r", PF_SHAPE_REGK, 0, 1, 0, chance_zero,
     mean_pearson, "Pearson's r averaged over the outputs"},
    {"accuracy", "accuracy", PF_SHAPE_CLASS, 0, 1, 1, NULL, cls_accuracy,
     "share of windows classified right"},
    {"balanced_accuracy", "balanced accuracy", PF_SHAPE_CLASS, 0, 1, 1, chance_one_over_c,
     cls_balanced_accuracy, "mean recall over the participant's true classes"},
    {"f1_macro", "macro F1", PF_SHAPE_CLASS, 0, 1, 1, NULL, cls_f1_macro,
     "unweighted mean F1 over the true and predicted classes"},
};

#define N_REGISTRY (sizeof registry / sizeof registry[0])

const pf_metric *pf_metric_table(size_t *n)
{
    *n = N_REGISTRY;
    return registry;
}

const pf_metric *pf_metric_find(const char *name)
{
    for (size_t i = 0; i < N_REGISTRY; i++)
        if (strcmp(registry[i].name, name) == 0) return &registry[i];
    return NULL;
}

/* ---- the metric set ------------------------------------------------------------------------ */

static int check_shape(pf_task_kind task, size_t n_targets, char *const *names, size_t n_classes,
                       pf_error *err)
{
    if (pf_task_shape_of(task, n_targets)->labels) {
        if (n_targets != 1 || n_classes < 2)
            return pf_error_set(err, PF_ERUNTIME,
                                "metric set: %s needs 1 label column and at least 2 classes, got "
                                "%zu columns and %zu classes",
                                pf_task_name(task), n_targets, n_classes);
        return PF_OK;
    }
    if (n_targets == 0)
        return pf_error_set(err, PF_ERUNTIME, "metric set: regression needs at least 1 target");
    if (n_targets == 1) return PF_OK;
    if (names == NULL)
        return pf_error_set(err, PF_ERUNTIME,
                            "metric set: %zu regression targets need names to tell their metrics "
                            "apart",
                            n_targets);
    /* Metric names are looked up by name (stats.metric): two outputs of one name would make
     * "ccc[x]" ambiguous. */
    for (size_t k = 0; k < n_targets; k++) {
        if (names[k] == NULL || names[k][0] == '\0')
            return pf_error_set(err, PF_EINPUT,
                                "target %zu has an empty name: name every column "
                                "of data.target_column",
                                k + 1);
        for (size_t j = 0; j < k; j++)
            if (strcmp(names[j], names[k]) == 0)
                return pf_error_set(err, PF_EINPUT,
                                    "target '%s' appears twice: each output needs its own name "
                                    "(data.target_column)",
                                    names[k]);
    }
    return PF_OK;
}

static int add_slot(pf_metric_set *ms, const pf_metric *m, size_t k, char *const *names,
                    size_t n_targets, pf_error *err)
{
    pf_metric_slot *s = &ms->slot[ms->n++];
    s->metric = m;
    s->output = m->per_output ? k : 0;
    s->chance = m->chance ? m->chance(ms->n_classes) : NAN;
    int len = m->per_output && n_targets > 1
                  ? snprintf(s->name, sizeof s->name, "%s[%s]", m->name, names[k])
                  : snprintf(s->name, sizeof s->name, "%s", m->name);
    if (len < 0 || (size_t)len >= sizeof s->name)
        return pf_error_set(err, PF_EINPUT,
                            "target name '%s' is too long for a metric name (at most %d "
                            "characters): shorten it in data.target_column",
                            names ? names[k] : "", PF_MAX_NAME - 1);
    return PF_OK;
}

pf_metric_set *pf_metric_set_alloc(pf_task_kind task, size_t n_targets, char *const *target_names,
                                   size_t n_classes, pf_error *err)
{
    if (check_shape(task, n_targets, target_names, n_classes, err) != PF_OK) return NULL;
    const pf_task_shape *shape = pf_task_shape_of(task, n_targets);
    size_t per = 0, whole = 0;
    for (size_t i = 0; i < N_REGISTRY; i++)
        if (registry[i].shapes & shape->bit) {
            if (registry[i].per_output)
                per++;
            else
                whole++;
        }
    pf_metric_set *ms = pf_alloc(1, sizeof *ms, err);
    if (!ms) return NULL;
    ms->slot = pf_alloc(per * n_targets + whole, sizeof *ms->slot, err);
    if (!ms->slot) {
        free(ms);
        return NULL;
    }
    ms->shape = shape;
    ms->n_targets = n_targets;
    ms->n_classes = shape->labels ? n_classes : 0;
    ms->n_model_out = pf_task_outputs(shape, n_targets, n_classes);
    /* Output by output, so the columns of one output sit together in tables; then the rows
     * that summarise the whole task. */
    int rc = PF_OK;
    for (size_t k = 0; k < n_targets && per > 0; k++)
        for (size_t i = 0; i < N_REGISTRY && rc == PF_OK; i++)
            if ((registry[i].shapes & shape->bit) && registry[i].per_output)
                rc = add_slot(ms, &registry[i], k, target_names, n_targets, err);
    for (size_t i = 0; i < N_REGISTRY && rc == PF_OK; i++)
        if ((registry[i].shapes & shape->bit) && !registry[i].per_output)
            rc = add_slot(ms, &registry[i], 0, target_names, n_targets, err);
    if (rc != PF_OK) {
        pf_metric_set_free(ms);
        return NULL;
    }
    return ms;
}

void pf_metric_set_free(pf_metric_set *ms)
{
    if (!ms) return;
    free(ms->slot);
    free(ms);
}

long pf_metric_set_find(const pf_metric_set *ms, const char *name)
{
    for (size_t i = 0; i < ms->n; i++)
        if (strcmp(ms->slot[i].name, name) == 0) return (long)i;
    return -1;
}

/* "regression with 2 outputs" and the like, for messages. */
static void describe_task(const pf_metric_set *ms, char *buf, size_t size)
{
    const char *task = pf_task_name(ms->shape->task);
    if (ms->shape->labels)
        snprintf(buf, size, "%s with %zu classes", task, ms->n_classes);
    else if (ms->n_targets > 1)
        snprintf(buf, size, "%s with %zu outputs", task, ms->n_targets);
    else
        snprintf(buf, size, "%s with one output", task);
}

static int unknown_metric(const pf_metric_set *ms, const char *name, pf_error *err)
{
    const char **names = malloc(ms->n * sizeof *names);
    char list[2048] = "", task[64];
    size_t used = 0;
    for (size_t i = 0; i < ms->n; i++) {
        if (names) names[i] = ms->slot[i].name;
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", ms->slot[i].name);
        if (w < 0 || (size_t)w >= sizeof list - used) break; /* a very long list: cut it */
        used += (size_t)w;
    }
    const char *near = names ? pf_error_closest(name, names, ms->n) : NULL;
    describe_task(ms, task, sizeof task);
    pf_error_set(err, PF_EINPUT,
                 "stats.metric = %s is not a metric of this task (%s)%s%s%s; set it to auto or "
                 "one of: %s",
                 name, task, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "",
                 list);
    free(names);
    return PF_EINPUT;
}

int pf_metric_set_primary(const pf_metric_set *ms, const char *stats_metric, size_t *index,
                          pf_error *err)
{
    if (strcmp(stats_metric, "auto") == 0) {
        long i = pf_metric_set_find(ms, ms->shape->primary);
        if (i < 0)
            return pf_error_set(err, PF_ERUNTIME, "metric set: no primary metric for this task");
        *index = (size_t)i;
        return PF_OK;
    }
    long i = pf_metric_set_find(ms, stats_metric);
    if (i < 0) return unknown_metric(ms, stats_metric, err);
    *index = (size_t)i;
    return PF_OK;
}

/* Every slot's function on one prepared input. */
static void eval_slots(const pf_metric_set *ms, const pf_metric_input *in, double *values)
{
    for (size_t i = 0; i < ms->n; i++) values[i] = ms->slot[i].metric->fn(in, ms->slot[i].output);
}

/* Regression: the metric functions read contiguous columns, the model writes rows. One output
 * is already a column; several are copied out, output by output. */
static int eval_regression(const pf_metric_set *ms, const double *out, const double *y, size_t n,
                           double *values, pf_error *err)
{
    size_t K = ms->n_targets;
    const double **col = pf_alloc(2 * K, sizeof *col, err);
    double *buf = K > 1 ? pf_alloc(2 * K * n, sizeof *buf, err) : NULL;
    if (!col || (K > 1 && !buf)) {
        free(col), free(buf);
        return PF_ERUNTIME;
    }
    for (size_t k = 0; k < K; k++) {
        if (K == 1) {
            col[0] = out, col[1] = y;
            break;
        }
        double *ph = buf + 2 * k * n, *py = ph + n;
        for (size_t i = 0; i < n; i++) ph[i] = out[i * K + k], py[i] = y[i * K + k];
        col[k] = ph, col[K + k] = py;
    }
    pf_metric_input in = {.n = n, .n_outputs = K, .yhat = col, .y = col + K};
    eval_slots(ms, &in, values);
    free(col), free(buf);
    return PF_OK;
}

static int eval_classification(const pf_metric_set *ms, const double *out, const double *y,
                               size_t n, double *values, pf_error *err)
{
    size_t C = ms->n_classes;
    int *lab = pf_alloc(2 * n, sizeof *lab, err);
    if (!lab) return PF_ERUNTIME;
    int *truth = lab, *pred = lab + n, diverged = 0;
    for (size_t i = 0; i < n; i++) {
        /* The dataset stores classes as exact small integers; anything else is a bug upstream,
         * and a silently truncated label would be scored as the wrong class. */
        if (!(y[i] >= 0 && y[i] < (double)C && y[i] == floor(y[i]))) {
            pf_error_set(err, PF_ERUNTIME,
                         "metric set: window %zu holds class %g, not a class index 0..%zu", i, y[i],
                         C - 1);
            free(lab);
            return PF_ERUNTIME;
        }
        truth[i] = (int)y[i];
        for (size_t c = 0; c < C; c++) diverged |= isnan(out[i * C + c]) != 0;
        pred[i] = (int)pf_metric_argmax(out + i * C, C);
    }
    pf_metric_input in = {.n = n, .n_classes = C, .truth = truth, .pred = pred};
    eval_slots(ms, &in, values);
    if (diverged)
        for (size_t i = 0; i < ms->n; i++) values[i] = NAN;
    free(lab);
    return PF_OK;
}

int pf_metric_set_eval(const pf_metric_set *ms, const double *out, const double *y, size_t n,
                       double *values, pf_error *err)
{
    if (ms->shape->labels) return eval_classification(ms, out, y, n, values, err);
    return eval_regression(ms, out, y, n, values, err);
}
