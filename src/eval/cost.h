/* cost.h: what a pruned model costs on a small device -- stored size, arithmetic, latency.
 *
 * A pruned model is stored in compressed sparse row (CSR) form per layer (csr.h): float32
 * values and int32 column indices of the kept weights, int32 row pointers, and the bias
 * vector. It predicts one window at a time (as a device does), so latency is measured per
 * window with single-row kernels for the dense, the CSR and the integer model -- the same loop
 * structure, so the ratio shows what sparsity buys and not a difference in implementation.
 * Every count and kernel covers all n_out output units (K targets, or C class logits).
 * Definitions and the exact rules: docs/quantisation.md. */
#ifndef PF_COST_H
#define PF_COST_H

#include <stddef.h>

#include "base/error.h"
#include "compress/qmodel.h"
#include "model/mlp.h"

typedef struct {
    long long kept;      /* prunable parameters kept */
    long long prunable;  /* prunable parameters */
    long long csr_bytes; /* bytes of the CSR model */
    long long macs;      /* multiply-adds per prediction (kept weights, all n_out outputs) */
} pf_model_cost;

void pf_cost_compute(const pf_mlp *m, int prune_biases, pf_model_cost *c);

/* Median over 5 rounds of the time per window (ns) to predict the n windows of x one by one;
 * each round repeats the pass until it lasts at least 2 ms. Dense (pf_mlp_predict_window) if
 * sparse is 0, else CSR (csr.h). */
double pf_cost_time_ns(const pf_mlp *m, const float *x, size_t n, int sparse, pf_error *err);

/* A single-window kernel: the n_out outputs of window x into yhat, model being whatever the
 * kernel runs (a pf_csr, a pf_qmodel, ...). */
typedef void (*pf_predict_fn)(const void *model, const float *x, float *yhat);

/* The timing protocol of pf_cost_time_ns for any kernel, so every latency in the program is
 * measured the same way: x holds n windows of n_in floats. NAN when n is 0 or on failure. */
double pf_cost_time_fn(pf_predict_fn predict, const void *model, const float *x, size_t n_in,
                       size_t n, size_t n_out, pf_error *err);

/* The latency per window (ns) of pf_qmodel_predict over the n windows of x, measured as
 * pf_cost_time_ns measures the float kernels. NAN when n is 0. */
double pf_cost_time_qmodel(const pf_qmodel *q, const float *x, size_t n, pf_error *err);

#endif
