/* loss.h: the training losses -- value and gradient of every loss a model can minimise.
 *
 * One module for all of them, so that training, early stopping and every pruning criterion
 * minimise or differentiate exactly the same function. A loss compares n rows of predictions
 * yhat (n x n_out, row-major: K regression outputs, or C class logits) with n rows of targets
 * y (n x t: the K targets of a regression, t = K; or the class index 0..C-1 stored as a float,
 * t = 1), and optionally writes dL/dyhat (n x n_out) for the backward pass.
 *
 *   mse:  mean over rows and outputs of (yhat - y)^2.
 *   ccc:  1 - the mean over outputs of each output's concordance correlation coefficient
 *         (Lin 1989, population moments), the CCC being moments.h's pf_moments_ccc, the same
 *         function the metrics use.
 *   xent: softmax cross-entropy over the C = n_out logits, computed by log-sum-exp (no
 *         overflow whatever the logits). With class weights w_c it is PyTorch's
 *         CrossEntropyLoss(weight=w) with reduction 'mean':
 *           L = sum_i w_{y_i} (-log p_{i,y_i}) / sum_i w_{y_i}.
 *
 * The losses are rows of a registry in loss.c (name, task kind, value-and-gradient
 * function), so adding a loss is one row and one function, with no switch elsewhere.
 *
 * Several regression outputs (train.output_weighting): equal, the default, is the loss above,
 * the mean over outputs, computed exactly as it always was. The other weightings are a second
 * registry of loss.c: each output k has its own loss L_k (mse_k = mean over rows of
 * (yhat_k - y_k)^2; ccc_k = 1 - CCC_k) and a learned log-variance s_k = ln sigma_k^2, and the
 * objective is sum_k c e^(-s_k) L_k + penalty(s), with c and the penalty the weighting's:
 *   uncertainty (Kendall, Gal and Cipolla 2018): c = 1/2, penalty sum_k s_k / 2;
 *   restrained (Song et al. 2022, as read in docs/model.md): c = 1, penalty
 *     sum_k ln(1 + (s_k/2)^2) + |1 - sum_k |s_k/2||.
 * The s_k are parameters of the objective like the network's weights: pf_loss_eval_all gives
 * dL/ds_k as well, for training; every other caller holds them fixed.
 * Definitions and the exact rules: docs/model.md#losses and
 * docs/model.md#weighting-several-outputs. */
#ifndef PF_LOSS_H
#define PF_LOSS_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "folds/split.h"

/* Everything a loss needs besides predictions and targets. Fields left out of an initialiser
 * are 0: the weighting equal. */
typedef struct {
    pf_loss kind;                  /* PF_LOSS_MSE, PF_LOSS_CCC or PF_LOSS_XENT (never AUTO) */
    size_t n_out;                  /* outputs of the network: K targets, or C classes */
    const double *class_weights;   /* xent: n_out weights w_c >= 0, or NULL for all 1; ignored
                                    * by the regression losses */
    pf_output_weighting weighting; /* PF_WEIGHTING_EQUAL (0): the mean over outputs */
    const double *log_var;         /* other weightings: the n_out s_k = ln sigma_k^2 the
                                    * objective weighs with (the caller owns them); ignored
                                    * with equal weighting */
} pf_loss_spec;

/* The loss's name as the config spells it ("mse", "ccc", "xent"); NULL for PF_LOSS_AUTO. */
const char *pf_loss_name(pf_loss kind);

/* Whether a loss compares class logits with class indices (xent) rather than outputs with
 * targets (mse, ccc). Which losses a task shape trains with is config/task.h's. */
int pf_loss_labels(pf_loss kind);

/* Columns t of the targets y: n_out for a regression loss, 1 (the class index) for xent. */
size_t pf_loss_targets(const pf_loss_spec *s);

/* Floats of scratch pf_loss_eval may need over n rows, for any loss (the CCC of one output
 * of several is computed on a contiguous copy of its column). */
size_t pf_loss_scratch_size(size_t n);

/* PF_OK when s describes a loss that can be evaluated on targets y of n rows and t columns:
 * n_out >= 1 (xent: >= 2 classes), t == pf_loss_targets(s), finite non-negative class
 * weights, and for xent every label a whole number in 0..n_out-1; a weighting other than equal
 * needs a regression loss, 2..PF_MAX_LIST outputs and n_out finite log-variances. Otherwise
 * PF_EINPUT with a message saying what to change (what names the rows: "the training split"),
 * or PF_ERUNTIME for an unresolved kind (PF_LOSS_AUTO: a program error, pf_task_loss resolves
 * it) or a weighting without log-variances. */
int pf_loss_check(const pf_loss_spec *s, const float *y, size_t n, size_t t, const char *what,
                  pf_error *err);

/* Loss of yhat (n x n_out) against y (n x pf_loss_targets(s)), and dL/dyhat into dy
 * (n x n_out) unless dy is NULL. scratch holds pf_loss_scratch_size(n) floats; only ccc with
 * several outputs uses it, so it may be NULL otherwise. Computed in double from the float
 * inputs; dy is rounded to float. n = 0 gives 0 and writes nothing. Degenerate cases: a ccc
 * output whose CCC denominator is 0 (prediction and target constant and equal) has CCC 0 and
 * a zero gradient; xent rows whose classes all have weight 0 (sum_i w_{y_i} = 0) give loss 0
 * and a zero gradient, not 0/0. Non-finite predictions give a non-finite loss (so training
 * reports divergence), and so does a label outside 0..n_out-1 (pf_loss_check rejects it). */
double pf_loss_eval(const pf_loss_spec *s, const float *yhat, const float *y, size_t n, float *dy,
                    float *scratch);

/* pf_loss_eval, and the objective's derivative with respect to each log-variance s_k into ds
 * (n_out doubles) unless ds is NULL: for training, which learns them. With equal weighting ds
 * is all 0 (it has no log-variances). With another weighting the value is
 * sum_k c e^(-s_k) L_k (in k order) + penalty(s), dL/dyhat_ik = c e^(-s_k) dL_k/dyhat_ik,
 * computed in double and rounded to float once, and ds_k = -c e^(-s_k) L_k + dpenalty/ds_k
 * (|x| has derivative sign(x), 0 at 0). n = 0 gives 0 and an all-0 ds. */
double pf_loss_eval_all(const pf_loss_spec *s, const float *yhat, const float *y, size_t n,
                        float *dy, double *ds, float *scratch);

/* The log-variances a training with weighting w starts from, into log_var (K): 0 (sigma_k = 1)
 * for both uncertainty and restrained (docs/model.md#weighting-several-outputs). */
void pf_loss_weighting_init(pf_output_weighting w, size_t K, double *log_var);

/* The name train.output_weighting gives w ("equal", ...). */
const char *pf_loss_weighting_name(pf_output_weighting w);

/* Class weights of the classification rows in split (labels in column 0 of y, C classes) into
 * out (C): PF_CLASS_WEIGHTS_NONE gives 1 for every class; PF_CLASS_WEIGHTS_BALANCED gives
 * n / (C n_c), n the rows and n_c those of class c (scikit-learn's
 * compute_class_weight('balanced')). Pass the training split, never held-out rows. A class
 * with no row in split gets weight 0 (scikit-learn would refuse): it has nothing to learn
 * from, and its rows elsewhere (validation, other groups) then count for nothing in the loss.
 * Rows whose label is not a class index in 0..C-1 are not counted. */
void pf_loss_class_weights(const pf_split *split, size_t C, pf_class_weights mode, double *out);

#endif
