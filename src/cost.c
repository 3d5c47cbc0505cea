/* cost.c: model size, arithmetic and single-window latency, dense and CSR (see cost.h).
 *
 * The counts walk the layers, so the output layer's n_out rows are counted like any other:
 * multiply-adds = kept weights, CSR bytes = 8 per kept weight (value and column) plus 4 per
 * row pointer and per bias. The kernels predict all n_out outputs of one window. */
#include "cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pf_csr {
    size_t n_layers;
    size_t *dims; /* n_layers + 1 */
    size_t **row; /* per layer: rows + 1 pointers */
    int **col;    /* per layer: nnz column indices */
    float **val;  /* per layer: nnz values */
    float **bias; /* per layer: rows biases (masked) */
    pf_activation act;
    float *a, *b; /* two activation buffers of the widest layer */
};

void pf_cost_compute(const pf_mlp *m, int prune_biases, pf_model_cost *c)
{
    *c = (pf_model_cost){0};
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        long long nnz = 0, bkept = 0;
        for (size_t j = 0; j < rows * cols; j++) nnz += m->mask[m->w_off[l] + j] != 0.0f;
        for (size_t j = 0; j < rows; j++) bkept += m->mask[m->b_off[l] + j] != 0.0f;
        c->kept += nnz + (prune_biases ? bkept : 0);
        c->prunable += (long long)(rows * cols) + (prune_biases ? (long long)rows : 0);
        c->csr_bytes += nnz * 8 + (long long)(rows + 1) * 4 + (long long)rows * 4;
        c->macs += nnz;
    }
}

void pf_csr_free(pf_csr *c)
{
    if (!c) return;
    for (size_t l = 0; l < c->n_layers; l++) {
        if (c->row) free(c->row[l]);
        if (c->col) free(c->col[l]);
        if (c->val) free(c->val[l]);
        if (c->bias) free(c->bias[l]);
    }
    free(c->row), free(c->col), free(c->val), free(c->bias), free(c->dims);
    free(c->a), free(c->b);
    free(c);
}

static int csr_layer(pf_csr *c, const pf_mlp *m, size_t l, pf_error *err)
{
    size_t rows = m->dims[l + 1], cols = m->dims[l], nnz = 0;
    const float *w = m->params + m->w_off[l], *mk = m->mask + m->w_off[l];
    for (size_t j = 0; j < rows * cols; j++) nnz += mk[j] != 0.0f;
    c->row[l] = pf_calloc(rows + 1, sizeof(size_t), err);
    c->col[l] = pf_calloc(nnz, sizeof(int), err);
    c->val[l] = pf_calloc(nnz, sizeof(float), err);
    c->bias[l] = pf_calloc(rows, sizeof(float), err);
    if (err->code != PF_OK) return err->code;
    size_t k = 0;
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++)
            if (mk[i * cols + j] != 0.0f) c->col[l][k] = (int)j, c->val[l][k++] = w[i * cols + j];
        c->row[l][i + 1] = k;
        c->bias[l][i] = m->params[m->b_off[l] + i] * m->mask[m->b_off[l] + i];
    }
    return PF_OK;
}

pf_csr *pf_csr_from_mlp(const pf_mlp *m, pf_error *err)
{
    pf_csr *c = pf_calloc(1, sizeof *c, err);
    if (!c) return NULL;
    size_t widest = pf_mlp_widest(m);
    c->n_layers = m->n_layers;
    c->act = m->act;
    c->dims = pf_calloc(m->n_layers + 1, sizeof *c->dims, err);
    c->row = pf_calloc(m->n_layers, sizeof *c->row, err);
    c->col = pf_calloc(m->n_layers, sizeof *c->col, err);
    c->val = pf_calloc(m->n_layers, sizeof *c->val, err);
    c->bias = pf_calloc(m->n_layers, sizeof *c->bias, err);
    c->a = pf_calloc(widest, sizeof(float), err);
    c->b = pf_calloc(widest, sizeof(float), err);
    for (size_t l = 0; err->code == PF_OK && l < m->n_layers; l++) csr_layer(c, m, l, err);
    if (err->code != PF_OK) {
        pf_csr_free(c);
        return NULL;
    }
    memcpy(c->dims, m->dims, (m->n_layers + 1) * sizeof *c->dims);
    return c;
}

/* Both kernels run a layer as "all pre-activations, then the activation over the layer", the
 * activation being the model's own (pf_mlp_activate), so they compute what pf_mlp_forward
 * computes. The output layer is linear and is written straight into yhat. */
void pf_csr_predict(const pf_csr *c, const float *x, float *yhat)
{
    const float *in = x;
    float *out = c->a;
    for (size_t l = 0; l < c->n_layers; l++) {
        const size_t *row = c->row[l];
        const int *col = c->col[l];
        const float *val = c->val[l];
        int last = l + 1 == c->n_layers;
        if (last) out = yhat;
        for (size_t i = 0; i < c->dims[l + 1]; i++) {
            float z = c->bias[l][i];
            for (size_t k = row[i]; k < row[i + 1]; k++) z += val[k] * in[col[k]];
            out[i] = z;
        }
        if (!last) pf_mlp_activate(c->act, out, c->dims[l + 1]);
        in = out;
        out = out == c->a ? c->b : c->a;
    }
}

/* The same computation over every weight (a dense device kernel cannot skip anything; a
 * pruned weight is a stored 0). a, b: two buffers as wide as the widest layer. */
void pf_dense_predict(const pf_mlp *m, const float *x, float *a, float *b, float *yhat)
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

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double pf_cost_time_fn(pf_predict_fn predict, const void *model, const float *x, size_t n_in,
                       size_t n, size_t n_out, pf_error *err)
{
    float *yhat = pf_calloc(n_out, sizeof *yhat, err);
    if (err->code != PF_OK || n == 0) {
        free(yhat);
        return NAN;
    }
    double t[5];
    volatile float sink = 0.0f; /* keeps the compiler from dropping the predictions */
    for (int round = 0; round < 5; round++) {
        size_t passes = 0;
        double t0 = seconds(), el;
        do {
            for (size_t i = 0; i < n; i++) {
                predict(model, x + i * n_in, yhat);
                sink += yhat[n_out - 1];
            }
            passes++;
        } while ((el = seconds() - t0) < 2e-3);
        t[round] = el / (double)(passes * n) * 1e9;
    }
    (void)sink;
    qsort(t, 5, sizeof t[0], cmp_double);
    free(yhat);
    return t[2];
}

/* The two float kernels behind the pf_predict_fn signature; the dense one carries its model
 * and scratch in one struct. */
typedef struct {
    const pf_mlp *m;
    float *a, *b;
} dense_run;

static void dense_fn(const void *model, const float *x, float *yhat)
{
    const dense_run *d = model;
    pf_dense_predict(d->m, x, d->a, d->b, yhat);
}

static void csr_fn(const void *model, const float *x, float *yhat)
{
    pf_csr_predict(model, x, yhat);
}

double pf_cost_time_ns(const pf_mlp *m, const float *x, size_t n, int sparse, pf_error *err)
{
    size_t widest = pf_mlp_widest(m), n_out = pf_mlp_n_out(m);
    float *scratch = pf_calloc(2 * widest, sizeof *scratch, err);
    pf_csr *c = sparse ? pf_csr_from_mlp(m, err) : NULL;
    double t = NAN;
    if (err->code == PF_OK) {
        dense_run d = {m, scratch, scratch + widest};
        t = sparse ? pf_cost_time_fn(csr_fn, c, x, m->dims[0], n, n_out, err)
                   : pf_cost_time_fn(dense_fn, &d, x, m->dims[0], n, n_out, err);
    }
    free(scratch);
    pf_csr_free(c);
    return t;
}
