/* train.h: fitting a masked MLP by mini-batch gradient descent with early stopping.
 *
 * One verb, pf_train, serves both the first training of a fold and the fine-tuning after
 * pruning (the same call with fewer epochs on a masked model). Every update is multiplied by
 * the mask, so a pruned parameter is exactly 0 before, during and after training. Given the
 * same model, options, data and generator state the result is bit-identical: batches come from
 * a Fisher-Yates permutation drawn from shuffle_rng, and no reduction depends on threads or
 * on the CPU (kernel.h's products sum in one order everywhere).
 * The loss is loss.h's, for the model's n_out outputs: the batches, the validation loss of
 * early stopping and the reported training loss are all the same function. With a weighting of
 * several outputs other than equal that function has the outputs' log-variances s_k as
 * parameters too: they are trained alongside the network, by the same optimiser with state of
 * their own and the same learning rate (no weight decay), early stopping keeps the epoch whose
 * network and s_k give the lowest validation objective, and the kept s_k are handed back.
 * Definitions and the exact rules: docs/model.md. */
#ifndef PF_TRAIN_H
#define PF_TRAIN_H

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "config/config.h"
#include "folds/split.h"
#include "model/loss.h"
#include "model/mlp.h"

typedef struct {
    pf_optimizer optimizer; /* Adam (beta1 0.9, beta2 0.999, eps 1e-8) or SGD with momentum */
    double learning_rate;
    double momentum;     /* SGD only: v = momentum * v + g; p -= learning_rate * v */
    double weight_decay; /* coupled L2 on weights (never biases): g += weight_decay * w */
    int batch_size;      /* the last batch of an epoch holds the remainder */
    int max_epochs;      /* 0 = no update (the report still describes the model) */
    int patience;        /* epochs without validation improvement before stopping; 0 = never */
    pf_loss loss;        /* minimised on batches; also the early-stopping criterion */
    const double *class_weights; /* xent: one weight per class (pf_loss_class_weights on the
                                  * training split), NULL for all 1; the caller owns it */
    const int *tie; /* NULL (nothing shared), or one entry per parameter of the model: a group
                     * number >= 0 ties the parameter to the others of its group, -1 leaves it
                     * alone; the caller owns it. See "Tied parameters" below. */
    pf_output_weighting weighting; /* several regression outputs: equal, or learned weights */
    double *log_var; /* weighting other than equal: the n_out log-variances s_k, read as the
                      * values training starts from and overwritten with the learned ones
                      * (the kept epoch's); NULL starts from pf_loss_weighting_init's and
                      * keeps the learned ones to itself. Unused with equal weighting */
} pf_train_opts;

typedef struct {
    int epochs_run;          /* epochs actually trained */
    int best_epoch;          /* epoch (1-based) whose parameters were kept; 0 = none run */
    double best_val_loss;    /* validation loss of the kept parameters; NAN without val */
    double final_train_loss; /* loss over the whole training split, kept parameters */
} pf_train_report;

/* Tied parameters (weight clustering's centroid fine-tuning, compress/cluster.h): at every step,
 * once the batch gradient is computed and weight decay added, the gradient of each tied
 * parameter is replaced by the sum of the gradients of its group (summed in double in parameter
 * order, then rounded to float). Members of a group that start equal and are all kept thus
 * receive the same gradient at every step, so Adam's or SGD's elementwise updates keep them
 * exactly equal: training them is training one shared value with the summed gradient (the
 * gradient of the loss with respect to that value). Members that start unequal each move by the
 * shared step. With tie NULL this step does not run and training is what it is without it.
 * docs/model.md#optimisers. */

/* Everything but the class weights, which come from a fold's training split (class_weights
 * is set to NULL: the caller points it at pf_loss_class_weights of the fold), no tie, and the
 * log-variances, which are a task's (log_var is set to NULL). */
void pf_train_opts_from_config(pf_train_opts *o, const pf_config *cfg);

/* The loss pf_train minimises on m: o's kind, class weights, weighting and log-variances
 * (o->log_var: after pf_train, the learned ones), m's outputs. */
pf_loss_spec pf_train_loss(const pf_train_opts *o, const pf_mlp *m);

/* Train m in place on train. With a non-empty val and patience > 0, the validation loss is
 * computed after every epoch, the best parameters are kept (strict improvement, first epoch
 * included; the untrained model is not a candidate), training stops after patience epochs
 * without improvement, and the best parameters are restored. Otherwise all max_epochs run and
 * the last parameters are kept. Parameters whose mask is 0 are set to 0 on entry and stay 0.
 * Optimiser state starts fresh on every call (the log-variances' too). rep may be NULL.
 * Targets: train->y and val->y have pf_loss_targets columns (K targets, or the class index).
 * PF_EINPUT for inconsistent options or shapes (a tie entry below -1; pf_loss_check: a loss
 * that does not fit the model's outputs, a label that is not a class), or when the loss becomes
 * NaN/infinite (with a hint to lower the learning rate; m is then left as training left it);
 * PF_ERUNTIME when memory runs out. */
int pf_train(pf_mlp *m, const pf_train_opts *o, const pf_split *train, const pf_split *val,
             gsl_rng *shuffle_rng, pf_train_report *rep, pf_error *err);

#endif
