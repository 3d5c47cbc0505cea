/* csr.c: a pruned model in compressed sparse row form, one window at a time (see csr.h). */
#include "compress/csr.h"
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

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
    size_t rows = m->dims[l + 1], cols = m->dims[l], nnz = pf_mlp_layer_kept(m, l);
    const float *w = m->params + m->w_off[l], *mk = m->mask + m->w_off[l];
    c->row[l] = pf_alloc(rows + 1, sizeof(size_t), err);
    c->col[l] = pf_alloc(nnz, sizeof(int), err);
    c->val[l] = pf_alloc(nnz, sizeof(float), err);
    c->bias[l] = pf_alloc(rows, sizeof(float), err);
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
    pf_csr *c = pf_alloc(1, sizeof *c, err);
    if (!c) return NULL;
    size_t widest = pf_mlp_widest(m);
    c->n_layers = m->n_layers;
    c->act = m->act;
    c->dims = pf_alloc(m->n_layers + 1, sizeof *c->dims, err);
    c->row = pf_alloc(m->n_layers, sizeof *c->row, err);
    c->col = pf_alloc(m->n_layers, sizeof *c->col, err);
    c->val = pf_alloc(m->n_layers, sizeof *c->val, err);
    c->bias = pf_alloc(m->n_layers, sizeof *c->bias, err);
    c->a = pf_alloc(widest, sizeof(float), err);
    c->b = pf_alloc(widest, sizeof(float), err);
    for (size_t l = 0; err->code == PF_OK && l < m->n_layers; l++) csr_layer(c, m, l, err);
    if (err->code != PF_OK) {
        pf_csr_free(c);
        return NULL;
    }
    memcpy(c->dims, m->dims, (m->n_layers + 1) * sizeof *c->dims);
    return c;
}

/* The kernel runs a layer as "all pre-activations, then the activation over the layer", the
 * activation being the model's own (pf_mlp_activate), as pf_mlp_predict_window does, so it computes
 * what pf_mlp_forward computes. The output layer is linear and is written straight into yhat. */
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
