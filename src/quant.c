/* quant.c: symmetric post-training weight quantisation, its size, and integer inference (see
 * quant.h for the scheme and the arithmetic).
 *
 * Everything is driven by two tables. A rounding rule is a row {rule, function of a double};
 * a granularity is a row {granularity, rows of a weight matrix that share one scale}. A group
 * of weights sharing a scale is thus always a run of whole rows of the row-major matrix, so
 * one loop serves every granularity, and the integer model keeps one scale per row whatever
 * the granularity. Adding a rule or a granularity is one enum value (config.h, with its name
 * in config.c's key table) and one row here. quantise_layer is the only place weights become
 * integers; pf_quant_apply and pf_qmodel_alloc both go through it. */
#include "quant.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"

/* ---- the two tables ------------------------------------------------------------------- */

typedef struct {
    pf_rounding rule;
    double (*round)(double); /* to an integral value, ties as the rule says */
} rounding;

/* In enum order, so a row is found by indexing. nearbyint rounds ties to even under the
 * default rounding mode (nothing in prunefair changes it). */
static const rounding ROUNDINGS[] = {
    {PF_ROUND_HALF_EVEN, nearbyint},
    {PF_ROUND_HALF_AWAY, round},
};

static size_t one_row(size_t rows)
{
    (void)rows;
    return 1;
}

static size_t all_rows(size_t rows)
{
    return rows;
}

typedef struct {
    pf_granularity gran;
    size_t (*rows_per_scale)(size_t rows); /* of a weight matrix with that many rows */
} granularity;

static const granularity GRANULARITIES[] = {
    {PF_GRAN_CHANNEL, one_row},
    {PF_GRAN_TENSOR, all_rows},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int valid_rounding(pf_rounding r)
{
    return (size_t)r < N_OF(ROUNDINGS) && ROUNDINGS[r].rule == r;
}

static int valid_granularity(pf_granularity g)
{
    return (size_t)g < N_OF(GRANULARITIES) && GRANULARITIES[g].gran == g;
}

static int valid_int_bits(int bits)
{
    return bits >= PF_QUANT_MIN_BITS && bits <= PF_QUANT_MAX_BITS;
}

/* ---- one group, one layer ------------------------------------------------------------- */

int pf_quant_qmax(int bits)
{
    assert(valid_int_bits(bits));
    return (1 << (bits - 1)) - 1;
}

void pf_quant_vector(const float *w, const float *mask, size_t n, int bits, pf_rounding r,
                     float *scale, int8_t *q)
{
    assert(valid_rounding(r));
    int qmax = pf_quant_qmax(bits);
    float amax = 0.0f;
    for (size_t j = 0; j < n; j++)
        if (!mask || mask[j] != 0.0f) amax = fmaxf(amax, fabsf(w[j]));
    float s = (float)((double)amax / qmax);
    if (s == 0.0f) s = 1.0f; /* all kept weights 0 (or so small that the scale underflows) */
    *scale = s;
    if (!q) return;
    double (*rnd)(double) = ROUNDINGS[r].round;
    for (size_t j = 0; j < n; j++) {
        double v = mask && mask[j] == 0.0f ? 0.0 : rnd((double)w[j] / s);
        q[j] = (int8_t)(v > qmax ? qmax : v < -qmax ? -qmax : v);
    }
}

/* Layer l of m as integers q (rows x cols, row-major) and one scale per row (row_scale), the
 * rows of a group all getting the group's scale. */
static void quantise_layer(const pf_mlp *m, size_t l, int bits, pf_granularity g, pf_rounding r,
                           float *row_scale, int8_t *q)
{
    size_t rows = m->dims[l + 1], cols = m->dims[l];
    size_t per = GRANULARITIES[g].rows_per_scale(rows);
    const float *w = m->params + m->w_off[l], *mask = m->mask + m->w_off[l];
    for (size_t i0 = 0; i0 < rows; i0 += per) {
        float s;
        pf_quant_vector(w + i0 * cols, mask + i0 * cols, per * cols, bits, r, &s, q + i0 * cols);
        for (size_t i = i0; i < i0 + per; i++) row_scale[i] = s;
    }
}

static size_t widest_layer_weights(const pf_mlp *m)
{
    size_t most = 0;
    for (size_t l = 0; l < m->n_layers; l++)
        if (m->dims[l + 1] * m->dims[l] > most) most = m->dims[l + 1] * m->dims[l];
    return most;
}

static int check_args(int bits, pf_granularity g, pf_rounding r, int allow_float, pf_error *err)
{
    if (!valid_int_bits(bits) && !(allow_float && bits == PF_QUANT_FLOAT_BITS))
        return pf_error_set(err, PF_EINPUT, "cannot quantise to %d bits: use %s%d to %d", bits,
                            allow_float ? "32 (float32) or " : "", PF_QUANT_MIN_BITS,
                            PF_QUANT_MAX_BITS);
    if (!valid_granularity(g))
        return pf_error_set(err, PF_EINPUT, "unknown quantisation granularity %d", (int)g);
    if (!valid_rounding(r))
        return pf_error_set(err, PF_EINPUT, "unknown quantisation rounding %d", (int)r);
    return PF_OK;
}

int pf_quant_apply(pf_mlp *m, int bits, pf_granularity g, pf_rounding r, pf_error *err)
{
    if (check_args(bits, g, r, 1, err) != PF_OK) return err->code;
    if (bits == PF_QUANT_FLOAT_BITS) return PF_OK;
    size_t most = widest_layer_weights(m);
    int8_t *q = pf_calloc(most, sizeof *q, err);
    float *row_scale = pf_calloc(pf_mlp_widest(m), sizeof *row_scale, err);
    for (size_t l = 0; err->code == PF_OK && l < m->n_layers; l++) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        quantise_layer(m, l, bits, g, r, row_scale, q);
        float *w = m->params + m->w_off[l];
        const float *mask = m->mask + m->w_off[l];
        for (size_t i = 0; i < rows; i++)
            for (size_t j = i * cols; j < (i + 1) * cols; j++)
                w[j] = mask[j] == 0.0f ? 0.0f : (float)((double)row_scale[i] * q[j]);
    }
    free(q);
    free(row_scale);
    return err->code;
}

/* ---- size ----------------------------------------------------------------------------- */

static long long packed(long long n, int bits)
{
    return (n * bits + 7) / 8;
}

static long long kept_weights(const pf_mlp *m, size_t l)
{
    long long nnz = 0;
    const float *mask = m->mask + m->w_off[l];
    for (size_t j = 0; j < m->dims[l + 1] * m->dims[l]; j++) nnz += mask[j] != 0.0f;
    return nnz;
}

static long long dense_bytes(const pf_mlp *m, size_t l, int bits)
{
    return packed((long long)(m->dims[l + 1] * m->dims[l]), bits);
}

static long long csr_bytes(const pf_mlp *m, size_t l, int bits)
{
    long long nnz = kept_weights(m, l);
    return packed(nnz, bits) + 4 * nnz + 4 * (long long)(m->dims[l + 1] + 1);
}

int pf_quant_layer_csr(const pf_mlp *m, size_t l, int bits)
{
    return csr_bytes(m, l, bits) < dense_bytes(m, l, bits);
}

long long pf_quant_bytes(const pf_mlp *m, int bits, pf_granularity g)
{
    if (!valid_int_bits(bits) && bits != PF_QUANT_FLOAT_BITS) return -1;
    assert(valid_granularity(g));
    long long bytes = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t rows = m->dims[l + 1];
        long long d = dense_bytes(m, l, bits), c = csr_bytes(m, l, bits);
        bytes += (c < d ? c : d) + 4 * (long long)rows;
        if (bits != PF_QUANT_FLOAT_BITS)
            bytes += 4 * (long long)(rows / GRANULARITIES[g].rows_per_scale(rows));
    }
    return bytes;
}

/* ---- integer inference ---------------------------------------------------------------- */

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
    L->val = pf_calloc(nnz, sizeof *L->val, err);
    L->col = pf_calloc(nnz, sizeof *L->col, err);
    L->row = pf_calloc(L->rows + 1, sizeof *L->row, err);
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
    L->csr = layout == PF_QLAYOUT_AUTO ? 2 * kept_weights(m, l) <= (long long)(L->rows * L->cols)
                                       : layout == PF_QLAYOUT_CSR;
    L->scale = pf_calloc(L->rows, sizeof *L->scale, err);
    L->bias = pf_calloc(L->rows, sizeof *L->bias, err);
    int8_t *qd = pf_calloc(L->rows * L->cols, sizeof *qd, err);
    if (err->code == PF_OK) {
        quantise_layer(m, l, bits, g, r, L->scale, qd);
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
    if (check_args(bits, g, r, 0, err) != PF_OK) return NULL;
    for (size_t l = 0; l < m->n_layers; l++)
        if (m->dims[l] > MAX_COLS) {
            pf_error_set(err, PF_EINPUT,
                         "layer %zu has %zu inputs; integer inference supports at most %d", l + 1,
                         m->dims[l], MAX_COLS);
            return NULL;
        }
    pf_qmodel *q = pf_calloc(1, sizeof *q, err);
    if (!q) return NULL;
    size_t widest = pf_mlp_widest(m);
    q->n_layers = m->n_layers;
    q->act = m->act;
    q->layer = pf_calloc(m->n_layers, sizeof *q->layer, err);
    q->a = pf_calloc(widest, sizeof *q->a, err);
    q->b = pf_calloc(widest, sizeof *q->b, err);
    q->qx = pf_calloc(widest, sizeof *q->qx, err);
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

static void qmodel_fn(const void *model, const float *x, float *yhat)
{
    pf_qmodel_predict(model, x, yhat);
}

double pf_qmodel_time_ns(const pf_qmodel *q, const float *x, size_t n, pf_error *err)
{
    const qlayer *first = &q->layer[0], *last = &q->layer[q->n_layers - 1];
    return pf_cost_time_fn(qmodel_fn, q, x, first->cols, n, last->rows, err);
}
