/* mlp.c: the masked MLP of mlp.h -- allocation, initialisation, activations, forward,
 * backward (the losses are loss.c's).
 *
 * Batch products go through kernel.h's pf_kernel_gemm, whose sums have one order on every CPU, so a
 * row's prediction depends neither on the CPU nor on how many rows share a call. Every
 * forward multiplies the parameters by the mask into a scratch copy, and transposes it (the
 * forward product reads W by columns), so the effective weights are params * mask even if a
 * caller zeroed a mask entry without zeroing the parameter. When no parameter is masked (every
 * dense training, the most common case) params * 1 = params bit for bit, so the forward reads
 * the parameters themselves and only the transposed copy is made, and backward skips masking
 * the gradient. The gradient of pf_mlp_loss_grad is written, not cleared and added to (the
 * same bits: see accumulate_layer). pf_mlp_apply_mask
 * additionally makes the stored parameters equal the effective ones (for magnitudes, saved
 * models, the optimiser).
 * Derivatives of every activation are computed from the activation's output, so the work
 * struct keeps one array per layer (outputs) and two ping-pong arrays for the deltas. Each
 * activation is one row of a table (its function and its derivative), the only definition
 * of it in the program: the latency kernels of cost.c run it through pf_mlp_activate. */
#include "model/mlp.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "model/kernel.h"

struct pf_mlp_work {
    size_t max_rows;
    size_t n_layers;
    size_t n_params;
    size_t widest;   /* the widest layer, inputs included */
    size_t *dims;    /* n_layers + 1: the model's widths */
    int dense;       /* the last forward found no parameter masked */
    int mask_fixed;  /* pf_mlp_work_fix_mask: dense holds for every forward */
    const float *wb; /* what the last forward used as weights and biases: params when dense,
                      * eff otherwise */
    float *eff;      /* n_params: params * mask, refreshed by every forward with a mask */
    float *eff_t;    /* n_params: the weights with each W_l transposed (dims[l] x dims[l+1]) */
    float **out;     /* n_layers: output of layer l, max_rows x dims[l+1] */
    float *delta0;   /* max_rows x widest layer: dL/d(pre-activation), ping */
    float *delta1;   /* ... and pong */
    float *yhat;     /* max_rows x n_out: predictions for pf_mlp_loss_grad */
    float *dy;       /* max_rows x n_out: dL/dyhat for pf_mlp_loss_grad */
    float *scratch;  /* pf_loss_scratch_size(max_rows): the loss's own scratch */
    float *ones;     /* max_rows ones: the bias gradient's row of a product */
};

/* ---- shape ---------------------------------------------------------------------------- */

static int fill_shape(pf_mlp *m, size_t n_inputs, const int *hidden, size_t n_hidden, size_t n_out,
                      pf_error *err)
{
    m->dims[0] = n_inputs;
    for (size_t l = 0; l < n_hidden; l++) m->dims[l + 1] = (size_t)hidden[l];
    m->dims[n_hidden + 1] = n_out;
    size_t off = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        m->w_off[l] = off;
        off += m->dims[l + 1] * m->dims[l];
        m->b_off[l] = off;
        off += m->dims[l + 1];
    }
    m->n_params = off;
    m->params = pf_alloc(off, sizeof *m->params, err);
    m->mask = pf_alloc(off, sizeof *m->mask, err);
    if (m->params == NULL || m->mask == NULL) return PF_ERUNTIME;
    for (size_t j = 0; j < off; j++) m->mask[j] = 1.0f;
    return PF_OK;
}

pf_mlp *pf_mlp_alloc(size_t n_inputs, const int *hidden, size_t n_hidden, size_t n_out,
                     pf_activation act, pf_error *err)
{
    if (n_inputs == 0) {
        pf_error_set(err, PF_EINPUT, "the model needs at least one input feature");
        return NULL;
    }
    if (n_out == 0) {
        pf_error_set(err, PF_EINPUT, "the model needs at least one output (a target or classes)");
        return NULL;
    }
    for (size_t l = 0; l < n_hidden; l++) {
        if (hidden[l] < 1) {
            pf_error_set(err, PF_EINPUT,
                         "model.hidden: layer %zu has %d units; every layer needs at least 1",
                         l + 1, hidden[l]);
            return NULL;
        }
    }
    pf_mlp *m = pf_alloc(1, sizeof *m, err);
    if (m == NULL) return NULL;
    m->n_layers = n_hidden + 1;
    m->act = act;
    m->dims = pf_alloc(m->n_layers + 1, sizeof *m->dims, err);
    m->w_off = pf_alloc(m->n_layers, sizeof *m->w_off, err);
    m->b_off = pf_alloc(m->n_layers, sizeof *m->b_off, err);
    if (m->dims == NULL || m->w_off == NULL || m->b_off == NULL ||
        fill_shape(m, n_inputs, hidden, n_hidden, n_out, err) != PF_OK) {
        pf_mlp_free(m);
        return NULL;
    }
    return m;
}

void pf_mlp_free(pf_mlp *m)
{
    if (m == NULL) return;
    free(m->dims);
    free(m->w_off);
    free(m->b_off);
    free(m->params);
    free(m->mask);
    free(m);
}

pf_mlp *pf_mlp_clone(const pf_mlp *m, pf_error *err)
{
    int hidden[PF_MAX_LIST];
    size_t n_hidden = m->n_layers - 1;
    assert(n_hidden <= PF_MAX_LIST);
    for (size_t l = 0; l < n_hidden; l++) hidden[l] = (int)m->dims[l + 1];
    pf_mlp *c = pf_mlp_alloc(m->dims[0], hidden, n_hidden, pf_mlp_n_out(m), m->act, err);
    if (c != NULL) pf_mlp_copy(c, m);
    return c;
}

void pf_mlp_copy(pf_mlp *dst, const pf_mlp *src)
{
    assert(dst->n_params == src->n_params);
    memcpy(dst->params, src->params, src->n_params * sizeof *src->params);
    memcpy(dst->mask, src->mask, src->n_params * sizeof *src->mask);
}

size_t pf_mlp_layer_of(const pf_mlp *m, size_t j)
{
    size_t l = 0;
    while (l + 1 < m->n_layers && j >= m->w_off[l + 1]) l++;
    return l;
}

int pf_mlp_is_weight(const pf_mlp *m, size_t j)
{
    return j < m->b_off[pf_mlp_layer_of(m, j)];
}

size_t pf_mlp_n_weights(const pf_mlp *m)
{
    size_t n = 0;
    for (size_t l = 0; l < m->n_layers; l++) n += m->dims[l + 1] * m->dims[l];
    return n;
}

void pf_mlp_apply_mask(pf_mlp *m)
{
    for (size_t j = 0; j < m->n_params; j++)
        if (m->mask[j] == 0.0f) m->params[j] = 0.0f;
}

/* ---- initialisation ------------------------------------------------------------------- */

/* The half-width of the uniform initial weights of a layer. He (sqrt(6 / fan_in)) keeps the
 * variance of ReLU-like units, Glorot (sqrt(6 / (fan_in + fan_out))) that of saturating ones;
 * pytorch (1 / sqrt(fan_in)) is nn.Linear's default, the baseline most published affect
 * models were trained from. */
static double init_limit(pf_init init, pf_activation act, double fan_in, double fan_out)
{
    if (init == PF_INIT_AUTO)
        init = act == PF_ACT_RELU || act == PF_ACT_ELU ? PF_INIT_HE : PF_INIT_XAVIER;
    switch (init) {
    case PF_INIT_HE:
        return sqrt(6.0 / fan_in);
    case PF_INIT_PYTORCH:
        return 1.0 / sqrt(fan_in);
    default:
        return sqrt(6.0 / (fan_in + fan_out));
    }
}

/* Uniform in [-limit, limit); biases 0, except under pytorch's rule, which draws them from the
 * same range right after the layer's weights. The output layer uses the same rule as the
 * hidden ones. Draws go layer by layer in parameter order. */
void pf_mlp_init(pf_mlp *m, pf_init init, gsl_rng *rng)
{
    for (size_t l = 0; l < m->n_layers; l++) {
        double limit = init_limit(init, m->act, (double)m->dims[l], (double)m->dims[l + 1]);
        float *w = m->params + m->w_off[l], *b = m->params + m->b_off[l];
        for (size_t j = 0; j < m->dims[l + 1] * m->dims[l]; j++)
            w[j] = (float)((2.0 * gsl_rng_uniform(rng) - 1.0) * limit);
        for (size_t j = 0; j < m->dims[l + 1]; j++)
            b[j] = init == PF_INIT_PYTORCH ? (float)((2.0 * gsl_rng_uniform(rng) - 1.0) * limit)
                                           : 0.0f;
    }
    for (size_t j = 0; j < m->n_params; j++) m->mask[j] = 1.0f;
}

/* ---- scratch -------------------------------------------------------------------------- */

size_t pf_mlp_widest(const pf_mlp *m)
{
    size_t widest = 1;
    for (size_t l = 0; l <= m->n_layers; l++)
        if (m->dims[l] > widest) widest = m->dims[l];
    return widest;
}

/* The row buffers for max_rows rows, (re)allocated: their contents are scratch. */
static int work_rows(pf_mlp_work *w, size_t max_rows, pf_error *err)
{
    size_t n_out = w->dims[w->n_layers];
    w->max_rows = 0; /* until every buffer has its new size */
    float **bufs[] = {&w->delta0, &w->delta1, &w->yhat, &w->dy, &w->scratch, &w->ones};
    size_t sizes[] = {max_rows * w->widest,
                      max_rows * w->widest,
                      max_rows * n_out,
                      max_rows * n_out,
                      pf_loss_scratch_size(max_rows) + 1,
                      max_rows};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        free(*bufs[i]);
        if ((*bufs[i] = pf_alloc(sizes[i], sizeof **bufs[i], err)) == NULL) return PF_ERUNTIME;
    }
    for (size_t l = 0; l < w->n_layers; l++) {
        free(w->out[l]);
        if ((w->out[l] = pf_alloc(max_rows * w->dims[l + 1], sizeof *w->out[l], err)) == NULL)
            return PF_ERUNTIME;
    }
    for (size_t i = 0; i < max_rows; i++) w->ones[i] = 1.0f;
    w->max_rows = max_rows;
    return PF_OK;
}

pf_mlp_work *pf_mlp_work_alloc(const pf_mlp *m, size_t max_rows, pf_error *err)
{
    pf_mlp_work *w = pf_alloc(1, sizeof *w, err);
    if (w == NULL) return NULL;
    w->n_layers = m->n_layers;
    w->n_params = m->n_params;
    w->widest = pf_mlp_widest(m);
    w->dims = pf_alloc(m->n_layers + 1, sizeof *w->dims, err);
    w->eff = pf_alloc(m->n_params, sizeof *w->eff, err);
    w->eff_t = pf_alloc(m->n_params, sizeof *w->eff_t, err);
    w->out = pf_alloc(m->n_layers, sizeof *w->out, err);
    if (w->dims == NULL || w->eff == NULL || w->eff_t == NULL || w->out == NULL) {
        pf_mlp_work_free(w);
        return NULL;
    }
    memcpy(w->dims, m->dims, (m->n_layers + 1) * sizeof *w->dims);
    if (work_rows(w, max_rows ? max_rows : 1, err) != PF_OK) {
        pf_mlp_work_free(w);
        return NULL;
    }
    return w;
}

int pf_mlp_work_reserve(pf_mlp_work *w, size_t rows, pf_error *err)
{
    return rows <= w->max_rows ? PF_OK : work_rows(w, rows, err);
}

void pf_mlp_work_free(pf_mlp_work *w)
{
    if (w == NULL) return;
    for (size_t l = 0; w->out != NULL && l < w->n_layers; l++) free(w->out[l]);
    free(w->out);
    free(w->dims);
    free(w->eff);
    free(w->eff_t);
    free(w->delta0);
    free(w->delta1);
    free(w->yhat);
    free(w->dy);
    free(w->scratch);
    free(w->ones);
    free(w);
}

size_t pf_mlp_work_rows(const pf_mlp_work *w)
{
    return w->max_rows;
}

/* ---- activations ---------------------------------------------------------------------- */

/* The element loops are written for speed, measured on a 64-32 net (ms per training epoch):
 * - "omp simd" on ReLU: without it GCC at -O2 compiles the test into a branch per element,
 *   mispredicted half the time on random signs, which cost more than the matrix products.
 * - tanh, sigmoid and ELU go through pf_kernel_expf (kernel.h: the same bits on every CPU, unlike
 *   libm's expf) instead of tanhf (32 ns) or expm1f (19 ns); their error stays below 1e-7
 *   absolute, well under float32 noise for a network.
 * As in most frameworks, ReLU and ELU map a NaN pre-activation to 0; diverging weights still
 * reach the loss through the output layer.
 * Each derivative multiplies delta by f'(z) written in terms of the output a = f(z), which
 * is what the forward pass keeps. */

PF_VECTOR_CLONES static void relu_value(float *z, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) z[i] = z[i] > 0.0f ? z[i] : 0.0f;
}

PF_VECTOR_CLONES static void relu_grad(const float *a, float *delta, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) delta[i] = a[i] > 0.0f ? delta[i] : 0.0f;
}

/* tanh|z| = (1 - e) / (1 + e) with e = exp(-2|z|) <= 1: no overflow. */
static void tanh_value(float *z, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float e = pf_kernel_expf(-2.0f * fabsf(z[i]));
        z[i] = copysignf((1.0f - e) / (1.0f + e), z[i]);
    }
}

static void tanh_grad(const float *a, float *delta, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) delta[i] *= 1.0f - a[i] * a[i];
}

static void sigmoid_value(float *z, size_t n)
{
    for (size_t i = 0; i < n; i++) z[i] = 1.0f / (1.0f + pf_kernel_expf(-z[i]));
}

static void sigmoid_grad(const float *a, float *delta, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) delta[i] *= a[i] * (1.0f - a[i]);
}

/* max(z, 0) + (exp(min(z, 0)) - 1): no branch, exact z above 0 (alpha 1). */
static void elu_value(float *z, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float pos = z[i] > 0.0f ? z[i] : 0.0f, neg = z[i] < 0.0f ? z[i] : 0.0f;
        z[i] = pos + (pf_kernel_expf(neg) - 1.0f);
    }
}

/* a = exp(z) - 1 below zero, so f'(z) = exp(z) = a + 1: delta (1 + min(a, 0)), in the form
 * GCC vectorises. */
static void elu_grad(const float *a, float *delta, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        float neg = a[i] < 0.0f ? a[i] : 0.0f;
        delta[i] += delta[i] * neg;
    }
}

typedef struct {
    pf_activation act;
    void (*value)(float *z, size_t n);                    /* z <- f(z) in place */
    void (*grad)(const float *a, float *delta, size_t n); /* delta <- delta f'(z), a = f(z) */
} activation;

/* In enum order, so a row is found by indexing. */
static const activation ACTIVATIONS[] = {
    {PF_ACT_RELU, relu_value, relu_grad},
    {PF_ACT_TANH, tanh_value, tanh_grad},
    {PF_ACT_SIGMOID, sigmoid_value, sigmoid_grad},
    {PF_ACT_ELU, elu_value, elu_grad},
};

static const activation *activation_of(pf_activation act)
{
    assert((size_t)act < sizeof ACTIVATIONS / sizeof ACTIVATIONS[0] && ACTIVATIONS[act].act == act);
    return &ACTIVATIONS[act];
}

void pf_mlp_activate(pf_activation act, float *z, size_t n)
{
    activation_of(act)->value(z, n);
}

/* ---- forward -------------------------------------------------------------------------- */

/* Whether the mask keeps every parameter: all exactly 1.0f, whose bits are 0x3F800000 (an OR
 * of the bits' differences, which vectorises where a chain of float compares does not). */
PF_VECTOR_CLONES static int mask_is_dense(const pf_mlp *m)
{
    uint32_t diff = 0;
    const float *mask = m->mask;
#pragma omp simd reduction(| : diff)
    for (size_t j = 0; j < m->n_params; j++) {
        uint32_t bits;
        memcpy(&bits, &mask[j], sizeof bits);
        diff |= bits ^ 0x3F800000u;
    }
    return diff == 0;
}

void pf_mlp_work_fix_mask(pf_mlp_work *w, const pf_mlp *m)
{
    w->dense = mask_is_dense(m);
    w->mask_fixed = 1;
}

/* W = P * M over n parameters. */
PF_VECTOR_CLONES static void masked_copy(const float *P, const float *M, size_t n, float *W)
{
#pragma omp simd
    for (size_t j = 0; j < n; j++) W[j] = P[j] * M[j];
}

/* The weights every product of this forward and its backward reads: eff_t (each W_l
 * transposed, by kernel.h's transpose) always; with a mask also eff = params * mask (weights
 * and biases), which wb then points to; without one wb points to the parameters themselves. */
static void refresh_effective(const pf_mlp *m, pf_mlp_work *w)
{
    if (!w->mask_fixed) w->dense = mask_is_dense(m);
    if (!w->dense) masked_copy(m->params, m->mask, m->n_params, w->eff);
    w->wb = w->dense ? m->params : w->eff;
    for (size_t l = 0; l < m->n_layers; l++)
        pf_kernel_transpose(w->wb + m->w_off[l], m->dims[l + 1], m->dims[l],
                            w->eff_t + m->w_off[l]);
}

/* out (n x dout) = b + in (n x din) W^T, Wt = W^T being din x dout row-major: each sum starts
 * at the unit's bias. */
static void dense(const float *in, size_t n, size_t din, size_t dout, const float *Wt,
                  const float *b, int relu, float *out)
{
    pf_kernel_gemm(&(pf_gemm_args){.m = n,
                                   .n = dout,
                                   .k = din,
                                   .a = in,
                                   .a_row = din,
                                   .a_col = 1,
                                   .b = Wt,
                                   .ldb = dout,
                                   .c = out,
                                   .ldc = dout,
                                   .c_start = b,
                                   .relu = relu});
}

void pf_mlp_forward(const pf_mlp *m, pf_mlp_work *w, const float *x, size_t n, float *yhat)
{
    assert(n <= w->max_rows && w->n_params == m->n_params);
    if (n == 0) return;
    refresh_effective(m, w);
    const float *in = x;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t din = m->dims[l], dout = m->dims[l + 1];
        int hidden = l + 1 < m->n_layers, relu = hidden && m->act == PF_ACT_RELU;
        dense(in, n, din, dout, w->eff_t + m->w_off[l], w->wb + m->b_off[l], relu, w->out[l]);
        if (hidden && !relu) pf_mlp_activate(m->act, w->out[l], n * dout);
        in = w->out[l];
    }
    memcpy(yhat, w->out[m->n_layers - 1], n * pf_mlp_n_out(m) * sizeof *yhat);
}

void pf_mlp_predict(const pf_mlp *m, pf_mlp_work *w, const float *x, size_t n, float *yhat)
{
    for (size_t i = 0; i < n; i += w->max_rows) {
        size_t rows = n - i < w->max_rows ? n - i : w->max_rows;
        pf_mlp_forward(m, w, x + i * m->dims[0], rows, yhat + i * pf_mlp_n_out(m));
    }
}

/* ---- backward ------------------------------------------------------------------------- */

/* grad_W (+)= delta^T in, grad_b (+)= column sums of delta, then both masked unless the
 * forward found nothing masked (g * 1 = g). set: write the gradient rather than add to it, with
 * the same bits as adding to zeros (the product starts its sums at +0 either way, and each
 * bias sum at 0.0f + its first term). */
PF_VECTOR_CLONES static void accumulate_layer(const pf_mlp *m, const pf_mlp_work *w, size_t l,
                                              const float *delta, const float *in, size_t n,
                                              int set, float *grad)
{
    size_t din = m->dims[l], dout = m->dims[l + 1];
    float *gw = grad + m->w_off[l], *gb = grad + m->b_off[l];
    pf_kernel_gemm(&(pf_gemm_args){.m = dout,
                                   .n = din,
                                   .k = n,
                                   .a = delta,
                                   .a_row = 1,
                                   .a_col = dout,
                                   .b = in,
                                   .ldb = din,
                                   .c = gw,
                                   .ldc = din,
                                   .accumulate = !set});
    /* The column sums as a product too, (1 x n ones) delta: fma(1, d, s) = s + d rounded once,
     * so each is the same sum, in order of rows, kept in a register. */
    pf_kernel_gemm(&(pf_gemm_args){.m = 1,
                                   .n = dout,
                                   .k = n,
                                   .a = w->ones,
                                   .a_row = 0,
                                   .a_col = 1,
                                   .b = delta,
                                   .ldb = dout,
                                   .c = gb,
                                   .ldc = dout,
                                   .accumulate = !set});
    if (w->dense) return;
    const float *mw = m->mask + m->w_off[l];
#pragma omp simd
    for (size_t j = 0; j < dout * (din + 1); j++) gw[j] *= mw[j]; /* W_l and b_l are adjacent */
}

/* pf_mlp_backward, adding to grad or (set) overwriting it. */
static void backward(const pf_mlp *m, pf_mlp_work *w, const float *x, size_t n, const float *dyhat,
                     int set, float *grad)
{
    assert(n <= w->max_rows && w->n_params == m->n_params);
    if (n == 0) return;
    float *delta = w->delta0, *prev = w->delta1;
    memcpy(delta, dyhat, n * pf_mlp_n_out(m) * sizeof *delta); /* linear: dL/dz = dL/dyhat */
    for (size_t l = m->n_layers; l-- > 0;) {
        const float *in = l > 0 ? w->out[l - 1] : x;
        accumulate_layer(m, w, l, delta, in, n, set, grad);
        if (l == 0) break;
        size_t din = m->dims[l], dout = m->dims[l + 1];
        pf_kernel_gemm(&(pf_gemm_args){.m = n,
                                       .n = din,
                                       .k = dout,
                                       .a = delta,
                                       .a_row = dout,
                                       .a_col = 1,
                                       .b = w->wb + m->w_off[l],
                                       .ldb = din,
                                       .c = prev,
                                       .ldc = din,
                                       .accumulate = 0,
                                       .gate = m->act == PF_ACT_RELU ? w->out[l - 1] : NULL});
        if (m->act != PF_ACT_RELU) activation_of(m->act)->grad(w->out[l - 1], prev, n * din);
        float *t = delta;
        delta = prev;
        prev = t;
    }
}

void pf_mlp_backward(const pf_mlp *m, pf_mlp_work *w, const float *x, size_t n, const float *dyhat,
                     float *grad)
{
    backward(m, w, x, n, dyhat, 0, grad);
}

/* ---- the loss and its gradient ---------------------------------------------------------- */

double pf_mlp_loss_grad(const pf_mlp *m, pf_mlp_work *w, const pf_loss_spec *loss, const float *x,
                        const float *y, size_t n, float *grad)
{
    return pf_mlp_loss_grad_all(m, w, loss, x, y, n, grad, NULL);
}

double pf_mlp_loss_grad_all(const pf_mlp *m, pf_mlp_work *w, const pf_loss_spec *loss,
                            const float *x, const float *y, size_t n, float *grad, double *ds)
{
    assert(loss->n_out == pf_mlp_n_out(m));
    if (ds != NULL)
        for (size_t k = 0; k < loss->n_out; k++) ds[k] = 0.0;
    if (n == 0) {
        memset(grad, 0, m->n_params * sizeof *grad);
        return 0.0;
    }
    pf_mlp_forward(m, w, x, n, w->yhat);
    double L = pf_loss_eval_all(loss, w->yhat, y, n, w->dy, ds, w->scratch);
    backward(m, w, x, n, w->dy, 1, grad); /* every parameter's gradient written once */
    return L;
}

/* The same computation over every weight (a dense device kernel cannot skip anything; a
 * pruned weight is a stored 0). a, b: two buffers as wide as the widest layer. */
void pf_mlp_predict_window(const pf_mlp *m, const float *x, float *a, float *b, float *yhat)
{
    const float *in = x;
    float *out = a;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        const float *w = m->params + m->w_off[l], *bias = m->params + m->b_off[l];
        int last = l + 1 == m->n_layers;
        if (last) out = yhat;
        for (size_t i = 0; i < rows; i++) {
            float z = bias[i];
            for (size_t j = 0; j < cols; j++) z += w[i * cols + j] * in[j];
            out[i] = z;
        }
        if (!last) pf_mlp_activate(m->act, out, rows);
        in = out;
        out = out == a ? b : a;
    }
}

size_t pf_mlp_layer_kept(const pf_mlp *m, size_t l)
{
    size_t nnz = 0;
    const float *mask = m->mask + m->w_off[l];
    for (size_t j = 0; j < m->dims[l + 1] * m->dims[l]; j++) nnz += mask[j] != 0.0f;
    return nnz;
}
