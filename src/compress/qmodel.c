/* qmodel.c: integer inference -- int8 weights with a scale per row, inputs quantised on the
 * fly, int32 sums (see quant.h for the scheme and qmodel.h for the model). */
#include "compress/qmodel.h"
#include "base/alloc.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* |q_w q_x| <= 127 * 127, so a row of up to this many products sums exactly in int32. */
#define MAX_COLS 133000

typedef struct {
    size_t rows, cols;
    int csr;
    int8_t *val;  /* dense: rows x cols; CSR: the kept weights, row after row */
    int32_t *col; /* CSR: column of each value (NULL when dense) */
    int32_t *row; /* CSR: rows + 1 offsets into val (NULL when dense) */
    float *scale; /* rows: s_w of each row */
    float *bias;  /* rows: biases (masked) */
} qlayer;

struct pf_qmodel {
    size_t n_layers;
    pf_activation act;
    qlayer *layer; /* n_layers */
    float *a, *b;  /* two float activation buffers of the widest layer */
    int8_t *qx;    /* the current layer's input, quantised */
};

static void free_layer(qlayer *L)
{
    free(L->val), free(L->col), free(L->row), free(L->scale), free(L->bias);
}

void pf_qmodel_free(pf_qmodel *q)
{
    if (!q) return;
    for (size_t l = 0; q->layer && l < q->n_layers; l++) free_layer(&q->layer[l]);
    free(q->layer), free(q->a), free(q->b), free(q->qx);
    free(q);
}

/* Keep the kept weights of the dense integers qd (rows x cols) as CSR. */
static int to_csr(qlayer *L, const int8_t *qd, const float *mask, pf_error *err)
{
    size_t nnz = 0;
    for (size_t j = 0; j < L->rows * L->cols; j++) nnz += mask[j] != 0.0f;
    L->val = pf_alloc(nnz, sizeof *L->val, err);
    L->col = pf_alloc(nnz, sizeof *L->col, err);
    L->row = pf_alloc(L->rows + 1, sizeof *L->row, err);
    if (err->code != PF_OK) return err->code;
    int32_t k = 0;
    for (size_t i = 0; i < L->rows; i++) {
        for (size_t j = 0; j < L->cols; j++)
            if (mask[i * L->cols + j] != 0.0f)
                L->col[k] = (int32_t)j, L->val[k++] = qd[i * L->cols + j];
        L->row[i + 1] = k;
    }
    return PF_OK;
}

static int build_layer(qlayer *L, const pf_mlp *m, size_t l, int bits, pf_granularity g,
                       pf_rounding r, pf_qlayout layout, pf_error *err)
{
    L->rows = m->dims[l + 1], L->cols = m->dims[l];
    L->csr = layout == PF_QLAYOUT_AUTO
                 ? 2 * (long long)pf_mlp_layer_kept(m, l) <= (long long)(L->rows * L->cols)
                 : layout == PF_QLAYOUT_CSR;
    L->scale = pf_alloc(L->rows, sizeof *L->scale, err);
    L->bias = pf_alloc(L->rows, sizeof *L->bias, err);
    int8_t *qd = pf_alloc(L->rows * L->cols, sizeof *qd, err);
    if (err->code == PF_OK) {
        pf_quant_layer(m, l, bits, g, r, L->scale, qd);
        for (size_t i = 0; i < L->rows; i++)
            L->bias[i] = m->params[m->b_off[l] + i] * m->mask[m->b_off[l] + i];
        if (L->csr)
            to_csr(L, qd, m->mask + m->w_off[l], err);
        else
            L->val = qd, qd = NULL;
    }
    free(qd);
    return err->code;
}

pf_qmodel *pf_qmodel_alloc(const pf_mlp *m, int bits, pf_granularity g, pf_rounding r,
                           pf_qlayout layout, pf_error *err)
{
    if (pf_quant_check(bits, g, r, 0, err) != PF_OK) return NULL;
    for (size_t l = 0; l < m->n_layers; l++)
        if (m->dims[l] > MAX_COLS) {
            pf_error_set(err, PF_EINPUT,
                         "layer %zu has %zu inputs; integer inference supports at most %d", l + 1,
                         m->dims[l], MAX_COLS);
            return NULL;
        }
    pf_qmodel *q = pf_alloc(1, sizeof *q, err);
    if (!q) return NULL;
    size_t widest = pf_mlp_widest(m);
    q->n_layers = m->n_layers;
    q->act = m->act;
    q->layer = pf_alloc(m->n_layers, sizeof *q->layer, err);
    q->a = pf_alloc(widest, sizeof *q->a, err);
    q->b = pf_alloc(widest, sizeof *q->b, err);
    q->qx = pf_alloc(widest, sizeof *q->qx, err);
    for (size_t l = 0; err->code == PF_OK && l < m->n_layers; l++)
        build_layer(&q->layer[l], m, l, bits, g, r, layout, err);
    if (err->code != PF_OK) {
        pf_qmodel_free(q);
        return NULL;
    }
    return q;
}

int pf_qmodel_layer_csr(const pf_qmodel *q, size_t l)
{
    assert(l < q->n_layers);
    return q->layer[l].csr;
}

/* nearbyintf(v) for |v| <= 2^22 under the default rounding mode, without a library call (the
 * call costs more than the rest of the input's quantisation): adding 1.5 2^23 leaves no bit
 * for a fraction, so the sum is rounded to an integer, ties to even (1.5 2^23 is even, so
 * the parity is v's), and subtracting it back is exact. It needs float arithmetic done in
 * float (FLT_EVAL_METHOD 0: x86-64, ARM) and no -ffast-math; elsewhere it is nearbyintf. */
static inline float round_half_even(float v)
{
#if FLT_EVAL_METHOD == 0 && !defined(__FAST_MATH__)
    return (v + 0x1.8p23f) - 0x1.8p23f;
#else
    return nearbyintf(v);
#endif
}

/* x (n floats) as int8 into qx with the dynamic symmetric scale, returned. */
static float quantise_input(const float *x, size_t n, int8_t *qx)
{
    float amax = 0.0f; /* a comparison, not fmaxf: that is a library call without -ffast-math */
    for (size_t j = 0; j < n; j++) amax = fabsf(x[j]) > amax ? fabsf(x[j]) : amax;
    if (amax == 0.0f) {
        memset(qx, 0, n);
        return 1.0f;
    }
    /* A multiplication by the inverse scale, as TFLite's symmetric input quantiser does: a
     * division per element would cost more than the layer's products. */
    float s = amax / 127.0f, inv = 127.0f / amax;
    for (size_t j = 0; j < n; j++) {
        float v = round_half_even(x[j] * inv); /* |x[j] inv| <= 127 (to a few ulps) */
        qx[j] = (int8_t)(v > 127.0f ? 127.0f : v < -127.0f ? -127.0f : v);
    }
    return s;
}

/* Both layouts end a row the same way, so their outputs are identical bit for bit (the int32
 * sums are exact in any order). */
static inline float dequantise(int32_t acc, float s_w, float s_x, float bias)
{
    return (float)acc * (s_w * s_x) + bias;
}

static void dense_layer(const qlayer *L, const int8_t *qx, float s_x, float *out)
{
    for (size_t i = 0; i < L->rows; i++) {
        const int8_t *w = L->val + i * L->cols;
        int32_t acc = 0;
        /* Integer sums are exact in any order, so vectorising cannot change a result. */
#pragma omp simd reduction(+ : acc)
        for (size_t j = 0; j < L->cols; j++) acc += (int32_t)w[j] * qx[j];
        out[i] = dequantise(acc, L->scale[i], s_x, L->bias[i]);
    }
}

static void csr_layer(const qlayer *L, const int8_t *qx, float s_x, float *out)
{
    for (size_t i = 0; i < L->rows; i++) {
        int32_t acc = 0;
        for (int32_t k = L->row[i]; k < L->row[i + 1]; k++)
            acc += (int32_t)L->val[k] * qx[L->col[k]];
        out[i] = dequantise(acc, L->scale[i], s_x, L->bias[i]);
    }
}

void pf_qmodel_predict(const pf_qmodel *q, const float *x, float *yhat)
{
    const float *in = x;
    float *out = q->a;
    for (size_t l = 0; l < q->n_layers; l++) {
        const qlayer *L = &q->layer[l];
        int last = l + 1 == q->n_layers;
        if (last) out = yhat;
        float s_x = quantise_input(in, L->cols, q->qx);
        (L->csr ? csr_layer : dense_layer)(L, q->qx, s_x, out);
        if (!last) pf_mlp_activate(q->act, out, L->rows);
        in = out;
        out = out == q->a ? q->b : q->a;
    }
}

size_t pf_qmodel_n_in(const pf_qmodel *q)
{
    return q->layer[0].cols;
}

size_t pf_qmodel_n_out(const pf_qmodel *q)
{
    return q->layer[q->n_layers - 1].rows;
}
