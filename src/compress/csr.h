/* csr.h: a pruned model in compressed sparse row form, as a device stores and runs it.
 *
 * Per layer: float32 values and int32 column indices of the kept weights, int32 row pointers
 * and the (masked) bias vector. It predicts one window at a time, with the same loop structure
 * as the dense single-window kernel (pf_mlp_predict_window), so a latency ratio between the
 * two shows what sparsity buys (cost.h measures it).
 * Definitions and the exact rules: docs/quantisation.md. */
#ifndef PF_CSR_H
#define PF_CSR_H

#include "base/error.h"
#include "model/mlp.h"

typedef struct pf_csr pf_csr;

pf_csr *pf_csr_from_mlp(const pf_mlp *m, pf_error *err);
void pf_csr_free(pf_csr *c);

/* The n_out outputs for one window x (dims[0] floats) into yhat (n_out floats), as
 * pf_mlp_forward computes them (same activations). The scratch lives in c, so one pf_csr
 * serves one thread at a time. */
void pf_csr_predict(const pf_csr *c, const float *x, float *yhat);

#endif
