/* qmodel.h: integer inference, what a device with int8 arithmetic runs (the scheme, and how
 * far it is from the simulated quantisation of pf_quant_apply: quant.h).
 *
 * A pf_qmodel holds int8 weights with one float scale per row (tensor granularity repeats the
 * layer's scale), each layer dense row-major or CSR (int8 values, int32 column indices, int32
 * row pointers), and quantises each layer's input on the fly; products add up exactly in
 * int32. Latency is measured by cost.h (pf_cost_time_qmodel).
 * Definitions and the exact rules: docs/quantisation.md. */
#ifndef PF_QMODEL_H
#define PF_QMODEL_H

#include <stddef.h>

#include "base/error.h"
#include "compress/quant.h"
#include "config/config.h"
#include "model/mlp.h"

/* A model with int8 weights, for measuring and checking integer inference (see above). */
typedef struct pf_qmodel pf_qmodel;

/* How pf_qmodel_alloc lays the layers out: CSR where at most half the weights are kept (the
 * default), or all dense or all CSR (to compare the kernels; predictions are identical in
 * every layout). */
typedef enum { PF_QLAYOUT_AUTO, PF_QLAYOUT_DENSE, PF_QLAYOUT_CSR } pf_qlayout;

/* The integer model of m (float, pruned, not quantised: it is quantised here, as
 * pf_quant_apply would) at bits 2..8. PF_EINPUT for another width or for a layer wider than
 * 133000 inputs (its int32 sums could overflow); PF_ERUNTIME when out of memory. */
pf_qmodel *pf_qmodel_alloc(const pf_mlp *m, int bits, pf_granularity g, pf_rounding r,
                           pf_qlayout layout, pf_error *err);
void pf_qmodel_free(pf_qmodel *q);

/* Whether weight layer l is stored CSR (1) or dense (0). */
int pf_qmodel_layer_csr(const pf_qmodel *q, size_t l);

/* The n_out outputs for one window x (dims[0] floats) into yhat (n_out floats). The scratch
 * lives in q, so one pf_qmodel serves one thread at a time. */
void pf_qmodel_predict(const pf_qmodel *q, const float *x, float *yhat);

/* Inputs (features) and outputs of the model. */
size_t pf_qmodel_n_in(const pf_qmodel *q);
size_t pf_qmodel_n_out(const pf_qmodel *q);

#endif
