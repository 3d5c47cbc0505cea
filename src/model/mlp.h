/* mlp.h: a dense multilayer perceptron with a 0/1 mask on every parameter.
 *
 * All parameters live in one flat float32 array, layer after layer: W_l (dims[l+1] rows x
 * dims[l] columns, row-major) then b_l (dims[l+1]). The mask has the same layout; forward,
 * backward and the optimiser all multiply by it, so a pruned weight is exactly 0 and stays 0.
 * One flat layout means criteria, optimiser and file I/O are loops over one array. Hidden
 * layers use the configured activation; the output layer has n_out units (K regression
 * targets, or the logits of C classes) and is linear. Predictions are n x n_out, row-major.
 * The losses live in loss.h; pf_mlp_loss_grad is the one place that joins the two.
 * Definitions and the exact rules: docs/model.md. */
#ifndef PF_MODEL_H
#define PF_MODEL_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "config/config.h"
#include "model/loss.h"

typedef struct {
    size_t n_layers; /* weight layers = hidden layers + 1 */
    size_t *dims;    /* n_layers + 1 widths: input, hidden..., n_out */
    size_t *w_off;   /* n_layers: offset of W_l in params */
    size_t *b_off;   /* n_layers: offset of b_l in params */
    size_t n_params; /* weights + biases */
    pf_activation act;
    float *params; /* n_params */
    float *mask;   /* n_params: 1 kept, 0 pruned */
} pf_mlp;

/* Scratch for forward/backward over up to max_rows rows (one per thread, never shared). */
typedef struct pf_mlp_work pf_mlp_work;

/* n_out >= 1 output units (pf_dataset_n_outputs of the data). PF_EINPUT for 0 inputs, 0
 * outputs or an empty hidden layer. */
pf_mlp *pf_mlp_alloc(size_t n_inputs, const int *hidden, size_t n_hidden, size_t n_out,
                     pf_activation act, pf_error *err);
void pf_mlp_free(pf_mlp *m);
pf_mlp *pf_mlp_clone(const pf_mlp *m, pf_error *err);
void pf_mlp_copy(pf_mlp *dst, const pf_mlp *src); /* same shape: params and mask */

/* Initialise weights (He or Xavier uniform per init, biases 0, mask all 1). */
void pf_mlp_init(pf_mlp *m, pf_init init, gsl_rng *rng);

/* Output units: K targets, or C classes. */
static inline size_t pf_mlp_n_out(const pf_mlp *m)
{
    return m->dims[m->n_layers];
}

/* Apply activation act to z[0..n-1] in place: the hidden layers' function, shared by every
 * kernel that runs the network (forward here, the single-window kernels of cost.h). */
void pf_mlp_activate(pf_activation act, float *z, size_t n);

/* Layer of parameter j, and whether it is a weight (not a bias). */
size_t pf_mlp_layer_of(const pf_mlp *m, size_t j);
int pf_mlp_is_weight(const pf_mlp *m, size_t j);

/* Number of weights (parameters that are not biases). */
size_t pf_mlp_n_weights(const pf_mlp *m);

/* Width of the widest layer (inputs included): the size of one row of activations. */
size_t pf_mlp_widest(const pf_mlp *m);

/* Set params to 0 wherever mask is 0, so the stored parameters equal the effective ones
 * (params * mask). Forward and backward never need it (they always use params * mask), but
 * pruning calls it after editing the mask so magnitudes, saved models and the optimiser see
 * exact zeros; pf_train calls it on entry. */
void pf_mlp_apply_mask(pf_mlp *m);

pf_mlp_work *pf_mlp_work_alloc(const pf_mlp *m, size_t max_rows, pf_error *err);
void pf_mlp_work_free(pf_mlp_work *w);
size_t pf_mlp_work_rows(const pf_mlp_work *w); /* its max_rows */
/* A promise that m's mask does not change while w serves it (a training: only the parameters
 * move), so forwards need not check it again; pf_mlp_work_alloc's work checks every time. */
void pf_mlp_work_fix_mask(pf_mlp_work *w, const pf_mlp *m);
/* Grow w to at least rows rows (a scratch kept across calls of different sizes: a task's
 * criteria score splits of their own sizes with one work). PF_ERUNTIME when out of memory. */
int pf_mlp_work_reserve(pf_mlp_work *w, size_t rows, pf_error *err);

/* Predictions for n rows of x (n x dims[0]) into yhat (n x n_out); n <= max_rows of w. */
void pf_mlp_forward(const pf_mlp *m, pf_mlp_work *w, const float *x, size_t n, float *yhat);

/* Predictions for any number of rows, max_rows of w at a time. Rows are independent, and
 * kernel.h's products sum in one order whatever the number of rows per call, so a row's
 * prediction does not depend on max_rows or on the CPU. */
void pf_mlp_predict(const pf_mlp *m, pf_mlp_work *w, const float *x, size_t n, float *yhat);

/* The n_out outputs for one window x (dims[0] floats) into yhat (n_out floats), as a device
 * without batches computes them: layer by layer, all pre-activations of a layer and then its
 * activation, over every weight (a dense kernel cannot skip anything; a pruned weight is a
 * stored 0). a and b are scratch buffers of pf_mlp_widest(m) floats. The loop structure is the
 * CSR kernel's (csr.h), for comparable latencies. */
void pf_mlp_predict_window(const pf_mlp *m, const float *x, float *a, float *b, float *yhat);

/* The prunable-weight count of layer l that the mask keeps (mask != 0). */
size_t pf_mlp_layer_kept(const pf_mlp *m, size_t l);

/* After pf_mlp_forward on the same x and n: given dL/dyhat (n x n_out), ADD dL/dparams into
 * grad (n_params), masked (grad of a pruned parameter is 0). */
void pf_mlp_backward(const pf_mlp *m, pf_mlp_work *w, const float *x, size_t n, const float *dyhat,
                     float *grad);

/* The loss (loss.h) of the predictions for n rows of x against y (n x pf_loss_targets) and
 * its full gradient (grad overwritten), in one pass; n <= max_rows of w (CCC is a statistic
 * of the whole set, so it cannot be chunked). loss->n_out must be the model's. */
double pf_mlp_loss_grad(const pf_mlp *m, pf_mlp_work *w, const pf_loss_spec *loss, const float *x,
                        const float *y, size_t n, float *grad);

/* pf_mlp_loss_grad, and the loss's derivative in each of its log-variances into ds (n_out)
 * unless ds is NULL (loss.h's pf_loss_eval_all): for training, which learns them. */
double pf_mlp_loss_grad_all(const pf_mlp *m, pf_mlp_work *w, const pf_loss_spec *loss,
                            const float *x, const float *y, size_t n, float *grad, double *ds);

#endif
