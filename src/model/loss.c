/* loss.c: the registry of training losses and their value-and-gradient functions (loss.h).
 *
 * A loss is one row of LOSSES: its kind (named by config/config.h's PF_LOSSES list), whether
 * it reads class labels, the fewest outputs it is defined for, the scratch it needs, and one
 * function returning the value and writing dL/dyhat. Everything else (pf_loss_eval, pf_loss_check,
 * names) reads the table, so a new loss is one row and one function.
 *
 * All sums are in double from the float32 predictions, in row order, so a value does not
 * depend on how the caller batched its rows. With one output, mse and ccc do exactly the
 * arithmetic the single-output code did before several outputs existed (the tests compare
 * the bits), so a one-target study reproduces digit for digit.
 *
 * The CCC itself is moments.h's pf_moments_ccc, the one definition shared with the metrics, so
 * the loss a model minimises and the CCC it is scored on cannot drift apart. It takes
 * contiguous arrays; with several outputs a column of yhat and y is strided, so it is copied
 * into caller-provided scratch first (2n floats, pf_loss_scratch_size). The gradient needs
 * two numbers pf_moments_ccc does not return, the target mean and the CCC denominator;
 * ccc_grad takes them from pf_moments_pair, the moments pf_moments_ccc is made of.
 *
 * train.output_weighting: equal runs each row's eval, untouched (the mean over outputs, the
 * bits it always had). The other weightings are rows of WEIGHTINGS; they combine each output's
 * own loss, which a loss row's outputs function gives (xent has none: one loss over classes).
 * e^(-s_k) and the restrained penalty's ln are libm's, in double: the losses stay a smooth
 * function of s for training and for finite differences (docs/model.md lists them among what
 * the same-bits guarantee leaves out). */
#include "model/loss.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "base/moments.h"

typedef double (*loss_fn)(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                          float *dy, float *scratch);

/* Each output's own loss L_k into L (n_out), and dy_ik = g_k dL_k/dyhat_ik (computed in double,
 * rounded once) unless dy is NULL: what a weighting other than equal combines. */
typedef void (*outputs_fn)(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                           const double *g, double *L, float *dy, float *scratch);

typedef struct {
    pf_loss kind;
    int labels;          /* 1: it compares logits with class indices (one target column) */
    size_t min_out;      /* fewest outputs the loss is defined for */
    size_t scratch_rows; /* floats of scratch per row */
    loss_fn eval;        /* the loss itself: the mean over outputs (equal weighting) */
    outputs_fn outputs;  /* per-output losses for the other weightings; NULL: none (xent) */
} loss_row;

/* ---- mse ------------------------------------------------------------------------------ */

/* y has the layout of yhat (t = n_out), so the K outputs of a row are one flat run. With one
 * output nk = (double)n exactly, the old single-output arithmetic. */
static double mse_eval(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                       float *dy, float *scratch)
{
    (void)scratch;
    size_t m = n * s->n_out;
    double nk = (double)n * (double)s->n_out, sum = 0.0;
    for (size_t i = 0; i < m; i++) {
        double e = (double)yhat[i] - (double)y[i];
        sum += e * e;
        if (dy != NULL) dy[i] = (float)(2.0 * e / nk);
    }
    return sum / nk;
}

/* mse_k = (1/n) sum_i (yhat_ik - y_ik)^2, summed in row order; dL_k/dyhat_ik = 2 e_ik / n. */
static void mse_outputs(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                        const double *g, double *L, float *dy, float *scratch)
{
    (void)scratch;
    size_t K = s->n_out;
    double dn = (double)n;
    for (size_t k = 0; k < K; k++) L[k] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < K; k++) {
            double e = (double)yhat[i * K + k] - (double)y[i * K + k];
            L[k] += e * e;
            if (dy != NULL) dy[i * K + k] = (float)(g[k] * (2.0 * e / dn));
        }
    for (size_t k = 0; k < K; k++) L[k] /= dn;
}

/* ---- ccc ------------------------------------------------------------------------------ */

/* g dL/dx_i for one output k of K, L = 1 - mean_k CCC_k, written to dy[i * stride]. With
 * CCC = 2 cov / D, D = var_x + var_y + (mean_x - mean_y)^2 (population moments), and
 * dcov/dx_i = (y_i - my)/n, dD/dx_i = 2 (x_i - mx)/n + 2 (mx - my)/n = 2 (x_i - my)/n, so
 *   dL/dx_i = 2/(n D K) (CCC (x_i - my) - (y_i - my)).
 * ccc is pf_moments_ccc's value for this column; mx, my and D come from pf_moments_pair, the
 * moments it is made of. D = 0 (both constant and equal) gives a zero
 * gradient, as CCC is defined 0 there. The mean over outputs passes K and g = 1 (a product
 * with 1 is exact, so the arithmetic is the mean's as it always was); one output's own loss
 * 1 - CCC_k passes K = 1 and its weight g. */
static void ccc_grad(const float *x, const float *y, size_t n, double ccc, size_t K, double g,
                     float *dy, size_t stride)
{
    pf_moments m = pf_moments_pair(x, y, n);
    double mx = m.ma, my = m.mb, D = m.va + m.vb + (mx - my) * (mx - my);
    if (!(D > 0.0)) {
        for (size_t i = 0; i < n; i++) dy[i * stride] = 0.0f;
        return;
    }
    double c = 2.0 / ((double)n * D) / (double)K * g;
    for (size_t i = 0; i < n; i++)
        dy[i * stride] = (float)(c * (ccc * ((double)x[i] - my) - ((double)y[i] - my)));
}

/* Column k of yhat and y (K outputs), contiguous for pf_moments_ccc: in scratch when K > 1. */
static void ccc_column(const float *yhat, const float *y, size_t n, size_t K, size_t k,
                       float *scratch, const float **a, const float **b)
{
    *a = yhat, *b = y;
    if (K == 1) return;
    assert(scratch != NULL);
    float *ca = scratch, *cb = scratch + n;
    for (size_t i = 0; i < n; i++) {
        ca[i] = yhat[i * K + k];
        cb[i] = y[i * K + k];
    }
    *a = ca, *b = cb;
}

static double ccc_eval(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                       float *dy, float *scratch)
{
    size_t K = s->n_out;
    double sum = 0.0;
    for (size_t k = 0; k < K; k++) {
        const float *a, *b;
        ccc_column(yhat, y, n, K, k, scratch, &a, &b);
        double ccc = pf_moments_ccc(a, b, n);
        sum += ccc;
        if (dy != NULL) ccc_grad(a, b, n, ccc, K, 1.0, dy + k, K);
    }
    return 1.0 - sum / (double)K;
}

/* ccc_k = 1 - CCC_k, each output's own; dy_ik = g_k dccc_k/dyhat_ik. */
static void ccc_outputs(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                        const double *g, double *L, float *dy, float *scratch)
{
    size_t K = s->n_out;
    for (size_t k = 0; k < K; k++) {
        const float *a, *b;
        ccc_column(yhat, y, n, K, k, scratch, &a, &b);
        double ccc = pf_moments_ccc(a, b, n);
        L[k] = 1.0 - ccc;
        if (dy != NULL) ccc_grad(a, b, n, ccc, 1, g[k], dy + k, K);
    }
}

/* ---- xent ----------------------------------------------------------------------------- */

/* The class index stored in a label, or C when it is not a whole number in 0..C-1. */
static size_t label_of(float v, size_t C)
{
    if (!(v >= 0.0f) || !(v <= (float)(C - 1)) || v != floorf(v)) return C;
    return (size_t)v;
}

/* log sum_k exp(z_k) = zmax + log sum_k exp(z_k - zmax): every exponent is <= 0, so nothing
 * overflows, and the largest term is exactly 1, so the sum never underflows to 0. */
static double log_sum_exp(const float *z, size_t C, double *zmax)
{
    double m = z[0], se = 0.0;
    for (size_t k = 1; k < C; k++)
        if (z[k] > m) m = z[k];
    for (size_t k = 0; k < C; k++) se += exp((double)z[k] - m);
    *zmax = m;
    return m + log(se);
}

/* L = sum_i w_{y_i} (lse_i - z_{i,y_i}) / W, W = sum_i w_{y_i} (W = n unweighted), and
 * dL/dz_ik = w_{y_i} (p_ik - [k = y_i]) / W with p_ik = exp(z_ik - lse_i). */
static double xent_eval(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                        float *dy, float *scratch)
{
    (void)scratch;
    size_t C = s->n_out;
    const double *w = s->class_weights;
    double num = 0.0, W = 0.0, zmax;
    for (size_t i = 0; i < n; i++) {
        size_t c = label_of(y[i], C);
        if (c == C) {
            if (dy != NULL) memset(dy, 0, n * C * sizeof *dy);
            return NAN;
        }
        double wi = w != NULL ? w[c] : 1.0;
        if (wi == 0.0) continue; /* 0 * an infinite loss would be NaN; the row counts nothing */
        num += wi * (log_sum_exp(yhat + i * C, C, &zmax) - (double)yhat[i * C + c]);
        W += wi;
    }
    if (!(W > 0.0)) {
        if (dy != NULL) memset(dy, 0, n * C * sizeof *dy);
        return 0.0;
    }
    for (size_t i = 0; dy != NULL && i < n; i++) {
        const float *z = yhat + i * C;
        size_t c = label_of(y[i], C);
        double g = (w != NULL ? w[c] : 1.0) / W, lse = log_sum_exp(z, C, &zmax);
        for (size_t k = 0; k < C; k++) {
            double p = exp((double)z[k] - lse);
            dy[i * C + k] = (float)(g * (p - (k == c ? 1.0 : 0.0)));
        }
    }
    return num / W;
}

/* ---- the registry ----------------------------------------------------------------------- */

static const loss_row LOSSES[] = {
    {PF_LOSS_MSE, 0, 1, 0, mse_eval, mse_outputs},
    {PF_LOSS_CCC, 0, 1, 2, ccc_eval, ccc_outputs},
    {PF_LOSS_XENT, 1, 2, 0, xent_eval, NULL},
};
#define N_LOSSES (sizeof LOSSES / sizeof LOSSES[0])

/* ---- weighting several outputs ----------------------------------------------------------- */

/* A weighting other than equal: output k's loss counts c e^(-s_k) L_k, and the penalty keeps
 * the s_k from running off (e^(-s_k) -> 0 would make every loss count for nothing). penalty
 * returns its value and writes its derivative in each s_k to ds (n), or only the value when
 * ds is NULL. Formulas, sources and constants: docs/model.md#weighting-several-outputs. */
typedef struct {
    pf_output_weighting kind;
    double c;     /* the weight of L_k is c e^(-s_k) = c / sigma_k^2 */
    double start; /* every s_k when a training starts */
    double (*penalty)(const double *s, size_t n, double *ds);
} weighting_row;

/* Kendall, Gal and Cipolla (2018), eq. 7 for regression outputs, with s = ln sigma^2:
 * ln sigma_k = s_k / 2. */
static double uncertainty_penalty(const double *s, size_t n, double *ds)
{
    double sum = 0.0;
    for (size_t k = 0; k < n; k++) {
        sum += 0.5 * s[k];
        if (ds != NULL) ds[k] = 0.5;
    }
    return sum;
}

#define RESTRAINT_PHI 1.0 /* the constant the sum of |ln sigma_k| is restrained to */

static double sign_of(double x)
{
    return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0;
}

/* Song et al. (2022), restrained uncertainty weighting as docs/model.md reads it:
 * sum_k ln(1 + (ln sigma_k)^2) + |phi - sum_k |ln sigma_k||, ln sigma_k = s_k / 2. */
static double restrained_penalty(const double *s, size_t n, double *ds)
{
    double sum = 0.0, abs_sum = 0.0;
    for (size_t k = 0; k < n; k++) {
        double h = 0.5 * s[k];
        sum += log1p(h * h);
        abs_sum += fabs(h);
    }
    double gap = RESTRAINT_PHI - abs_sum;
    for (size_t k = 0; ds != NULL && k < n; k++) {
        double h = 0.5 * s[k];
        ds[k] = 0.5 * (2.0 * h / (1.0 + h * h)) - 0.5 * sign_of(gap) * sign_of(h);
    }
    return sum + fabs(gap);
}

static const weighting_row WEIGHTINGS[] = {
    {PF_WEIGHTING_UNCERTAINTY, 0.5, 0.0, uncertainty_penalty},
    {PF_WEIGHTING_RESTRAINED, 1.0, 0.0, restrained_penalty},
};
#define N_WEIGHTINGS (sizeof WEIGHTINGS / sizeof WEIGHTINGS[0])

static const weighting_row *weighting_of(pf_output_weighting w)
{
    for (size_t i = 0; i < N_WEIGHTINGS; i++)
        if (WEIGHTINGS[i].kind == w) return &WEIGHTINGS[i];
    return NULL;
}

const char *pf_loss_weighting_name(pf_output_weighting w)
{
    static const char *const names[] = {PF_OUTPUT_WEIGHTINGS(PF_ENUM_NAME_ITEM)};
    return (size_t)w < sizeof names / sizeof names[0] ? names[w] : "?";
}

void pf_loss_weighting_init(pf_output_weighting w, size_t K, double *log_var)
{
    const weighting_row *r = weighting_of(w);
    for (size_t k = 0; k < K; k++) log_var[k] = r != NULL ? r->start : 0.0;
}

/* ---- the registry's rows ------------------------------------------------------------------ */

static const loss_row *row_of(pf_loss kind)
{
    for (size_t i = 0; i < N_LOSSES; i++)
        if (LOSSES[i].kind == kind) return &LOSSES[i];
    return NULL;
}

const char *pf_loss_name(pf_loss kind)
{
    /* The names train.loss accepts (config/config.h's list), indexed by kind. */
    static const char *const names[] = {PF_LOSSES(PF_ENUM_NAME_ITEM)};
    return row_of(kind) != NULL ? names[kind] : NULL;
}

int pf_loss_labels(pf_loss kind)
{
    const loss_row *r = row_of(kind);
    return r != NULL && r->labels;
}

size_t pf_loss_targets(const pf_loss_spec *s)
{
    return pf_loss_labels(s->kind) ? 1 : s->n_out;
}

size_t pf_loss_scratch_size(size_t n)
{
    size_t most = 0;
    for (size_t i = 0; i < N_LOSSES; i++)
        if (LOSSES[i].scratch_rows > most) most = LOSSES[i].scratch_rows;
    return most * n;
}

static int check_weights(const pf_loss_spec *s, pf_error *err)
{
    if (s->class_weights == NULL || !pf_loss_labels(s->kind)) return PF_OK;
    for (size_t c = 0; c < s->n_out; c++)
        if (!(s->class_weights[c] >= 0.0) || isinf(s->class_weights[c]))
            return pf_error_set(err, PF_EINPUT,
                                "the weight of class %zu is %g; class weights must be finite "
                                "and >= 0",
                                c, s->class_weights[c]);
    return PF_OK;
}

/* A weighting other than equal needs outputs of a regression loss, and their log-variances. */
static int check_weighting(const pf_loss_spec *s, const loss_row *r, pf_error *err)
{
    if (s->weighting == PF_WEIGHTING_EQUAL) return PF_OK;
    const char *name = pf_loss_weighting_name(s->weighting);
    if (r->outputs == NULL)
        return pf_error_set(err, PF_EINPUT,
                            "train.output_weighting = %s weighs the losses of several regression "
                            "outputs, but train.loss = %s is one loss over classes; set "
                            "train.output_weighting = equal",
                            name, pf_loss_name(r->kind));
    if (s->n_out < 2 || s->n_out > PF_MAX_LIST)
        return pf_error_set(err, PF_EINPUT,
                            "train.output_weighting = %s weighs the losses of 2 to %d regression "
                            "outputs, but the model has %zu; set train.output_weighting = equal",
                            name, PF_MAX_LIST, s->n_out);
    if (weighting_of(s->weighting) == NULL || s->log_var == NULL)
        return pf_error_set(err, PF_ERUNTIME,
                            "train.output_weighting = %s without log-variances (code %d); a "
                            "program error",
                            name, (int)s->weighting);
    for (size_t k = 0; k < s->n_out; k++)
        if (!isfinite(s->log_var[k]))
            return pf_error_set(err, PF_EINPUT,
                                "the log-variance of output %zu is %g; it must be finite", k,
                                s->log_var[k]);
    return PF_OK;
}

int pf_loss_check(const pf_loss_spec *s, const float *y, size_t n, size_t t, const char *what,
                  pf_error *err)
{
    const loss_row *r = row_of(s->kind);
    if (r == NULL)
        return pf_error_set(err, PF_ERUNTIME,
                            "the training loss is not resolved (code %d); a program error: "
                            "resolve train.loss = auto with pf_task_loss",
                            (int)s->kind);
    if (s->n_out < r->min_out)
        return pf_error_set(err, PF_EINPUT,
                            "train.loss = %s needs at least %zu outputs (classes), but the "
                            "model has %zu; the data needs at least %zu classes",
                            pf_loss_name(r->kind), r->min_out, s->n_out, r->min_out);
    if (t != pf_loss_targets(s))
        return pf_error_set(err, PF_EINPUT,
                            "train.loss = %s with %zu model outputs compares %zu target "
                            "column(s) per row, but %s has %zu; build the model for this "
                            "dataset's outputs (pf_dataset_n_outputs)",
                            pf_loss_name(r->kind), s->n_out, pf_loss_targets(s), what, t);
    if (check_weights(s, err) != PF_OK) return err->code;
    if (check_weighting(s, r, err) != PF_OK) return err->code;
    if (!r->labels) return PF_OK;
    for (size_t i = 0; i < n; i++)
        if (label_of(y[i], s->n_out) == s->n_out)
            return pf_error_set(err, PF_EINPUT,
                                "%s: row %zu has label %g, which is not a class index "
                                "0..%zu of the model's %zu classes",
                                what, i, (double)y[i], s->n_out - 1, s->n_out);
    return PF_OK;
}

double pf_loss_eval(const pf_loss_spec *s, const float *yhat, const float *y, size_t n, float *dy,
                    float *scratch)
{
    return pf_loss_eval_all(s, yhat, y, n, dy, NULL, scratch);
}

/* sum_k c e^(-s_k) L_k + penalty(s): the weights first (they depend on s only), then each
 * output's loss with its gradient scaled by its weight, then the sum and the penalty. */
static double weighted_eval(const pf_loss_spec *s, const loss_row *r, const weighting_row *wr,
                            const float *yhat, const float *y, size_t n, float *dy, double *ds,
                            float *scratch)
{
    size_t K = s->n_out;
    double g[PF_MAX_LIST] = {0}, L[PF_MAX_LIST] = {0};
    for (size_t k = 0; k < K; k++) g[k] = wr->c * exp(-s->log_var[k]);
    r->outputs(s, yhat, y, n, g, L, dy, scratch);
    double sum = 0.0;
    for (size_t k = 0; k < K; k++) sum += g[k] * L[k];
    sum += wr->penalty(s->log_var, K, ds);
    for (size_t k = 0; ds != NULL && k < K; k++) ds[k] -= g[k] * L[k];
    return sum;
}

double pf_loss_eval_all(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                        float *dy, double *ds, float *scratch)
{
    if (ds != NULL)
        for (size_t k = 0; k < s->n_out; k++) ds[k] = 0.0;
    if (n == 0) return 0.0;
    const loss_row *r = row_of(s->kind);
    const weighting_row *wr = weighting_of(s->weighting);
    int weighted = s->weighting != PF_WEIGHTING_EQUAL;
    if (r == NULL || s->n_out < r->min_out ||
        (weighted &&
         (wr == NULL || r->outputs == NULL || s->log_var == NULL || s->n_out > PF_MAX_LIST))) {
        if (dy != NULL) memset(dy, 0, n * s->n_out * sizeof *dy);
        return NAN;
    }
    if (!weighted) return r->eval(s, yhat, y, n, dy, scratch);
    return weighted_eval(s, r, wr, yhat, y, n, dy, ds, scratch);
}

void pf_loss_class_weights(const pf_split *split, size_t C, pf_class_weights mode, double *out)
{
    for (size_t c = 0; c < C; c++) out[c] = mode == PF_CLASS_WEIGHTS_BALANCED ? 0.0 : 1.0;
    if (mode != PF_CLASS_WEIGHTS_BALANCED) return;
    size_t n = 0;
    for (size_t i = 0; i < split->n; i++) { /* counts first, in out */
        size_t c = label_of(split->y[i * split->t], C);
        if (c == C) continue;
        out[c] += 1.0;
        n++;
    }
    for (size_t c = 0; c < C; c++) out[c] = out[c] > 0.0 ? (double)n / ((double)C * out[c]) : 0.0;
}
