/* cost.c: model size, arithmetic and single-window latency, dense and CSR (see cost.h).
 *
 * The counts walk the layers, so the output layer's n_out rows are counted like any other:
 * multiply-adds = kept weights, CSR bytes = 8 per kept weight (value and column) plus 4 per
 * row pointer and per bias. The kernels predict all n_out outputs of one window. */
#include "eval/cost.h"

#include "base/alloc.h"
#include "compress/csr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void pf_cost_compute(const pf_mlp *m, int prune_biases, pf_model_cost *c)
{
    *c = (pf_model_cost){0};
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        long long nnz = (long long)pf_mlp_layer_kept(m, l), bkept = 0;
        for (size_t j = 0; j < rows; j++) bkept += m->mask[m->b_off[l] + j] != 0.0f;
        c->kept += nnz + (prune_biases ? bkept : 0);
        c->prunable += (long long)(rows * cols) + (prune_biases ? (long long)rows : 0);
        c->csr_bytes += nnz * 8 + (long long)(rows + 1) * 4 + (long long)rows * 4;
        c->macs += nnz;
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
    float *yhat = pf_alloc(n_out, sizeof *yhat, err);
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

/* The kernels behind the pf_predict_fn signature; the dense one carries its model and
 * scratch in one struct. */
typedef struct {
    const pf_mlp *m;
    float *a, *b;
} dense_run;

static void dense_fn(const void *model, const float *x, float *yhat)
{
    const dense_run *d = model;
    pf_mlp_predict_window(d->m, x, d->a, d->b, yhat);
}

static void csr_fn(const void *model, const float *x, float *yhat)
{
    pf_csr_predict(model, x, yhat);
}

double pf_cost_time_ns(const pf_mlp *m, const float *x, size_t n, int sparse, pf_error *err)
{
    size_t widest = pf_mlp_widest(m), n_out = pf_mlp_n_out(m);
    float *scratch = pf_alloc(2 * widest, sizeof *scratch, err);
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

static void qmodel_fn(const void *model, const float *x, float *yhat)
{
    pf_qmodel_predict(model, x, yhat);
}

double pf_cost_time_qmodel(const pf_qmodel *q, const float *x, size_t n, pf_error *err)
{
    return pf_cost_time_fn(qmodel_fn, q, x, pf_qmodel_n_in(q), n, pf_qmodel_n_out(q), err);
}
