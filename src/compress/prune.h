/* prune.h: which parameters to keep -- rankings, the masks they give, and what a criterion
 * sees when it scores.
 *
 * A criterion (config/criterion.h: the list; compress/criteria/: one file each; the
 * definitions in docs/criteria.md) turns a model and, if it needs them, the training
 * participants' rows into a ranking of the prunable parameters, most worth keeping first. The
 * ranking does not depend on the sparsity, so one call serves the whole sparsity grid:
 * pf_prune_mask cuts it at any level, over all layers at once (global) or within each layer
 * (layerwise). Prunable means weights, plus biases when prune.prune_biases is set; every
 * other parameter keeps mask 1 (docs/criteria.md#masks).
 *
 * Scores are sorted by descending score, ties by ascending parameter index, so masks are
 * deterministic. A criterion may instead write its own order (FairGRAPE's greedy picks, layer
 * by layer). Under every criterion, parameters whose mask is already 0 in the scored model
 * rank last (in index order), so a pruned model can be ranked again (iterative criteria) and
 * keep its pruned weights pruned.
 *
 * All scoring uses the effective parameters params * mask and the model's masked gradients;
 * gradients come from pf_mlp_loss_grad, so they are exact derivatives of the training loss
 * (loss.h: mse, 1 - mean ccc or cross-entropy, with the model's n_out outputs, the training
 * class weights and the outputs' weighting with the task's log-variances held fixed) over the
 * rows given. So every criterion works for every task. */
#ifndef PF_PRUNE_H
#define PF_PRUNE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "config/config.h"
#include "config/criterion.h"
#include "folds/split.h"
#include "model/mlp.h"

/* Scratch that outlives one ranking. A caller that ranks many times (a task: several criteria,
 * iterative rounds) keeps one, zero-initialised, and points every ctx at it, so that scoring
 * allocates and first touches its buffers once instead of at every ranking (the page faults
 * and clearing of a fresh buffer per ranking were a sixth of a study's time:
 * docs/performance.md). Free it with pf_prune_scratch_free. */
typedef struct pf_prune_scratch {
    pf_mlp_work *work;  /* forward and backward over scoring rows, grown on demand */
    size_t work_params; /* the n_params of the model shape work was made for */
    float *grads;       /* per-group gradients (groups.h), grads_cap floats */
    size_t grads_cap;
} pf_prune_scratch;

void pf_prune_scratch_free(pf_prune_scratch *s);

/* Everything a criterion may look at. */
typedef struct pf_prune_ctx {
    const pf_config *cfg;        /* prune_biases, and the criteria's options */
    const pf_mlp *model;         /* the model to score: the trained dense model, a partly pruned one
                                  * (an iterative criterion), or a freshly initialised one (a criterion
                                  * scoring at initialisation) */
    const pf_split *data;        /* scoring rows: the training participants' transformed rows (at
                                  * initialisation: one batch of them); y has pf_loss_targets columns;
                                  * group holds the groups of the run's grouping (criterion.h), if any */
    pf_loss loss;                /* the training loss (resolved, never auto) */
    gsl_rng *rng;                /* seeded by the caller with PF_SEED_PRUNE_RANDOM */
    const double *class_weights; /* xent: the training class weights (pf_train_opts'), NULL
                                  * for all 1; a group's loss is its weighted mean */
    pf_output_weighting weighting; /* several outputs: train.output_weighting (equal: 0) */
    const double *log_var;         /* other weightings: the task's log-variances, held fixed
                                    * (the dense training's learned ones for a trained model,
                                    * the initial ones for a criterion at initialisation) */
    pf_prune_scratch *scratch;     /* buffers to reuse, or NULL: each ranking allocates its own */
} pf_prune_ctx;

/* A ranking of the prunable parameters, most worth keeping first. */
typedef struct pf_ranking {
    size_t n;        /* prunable parameters */
    size_t n_params; /* all parameters of the model (length of score) */
    size_t *order;   /* n parameter indices; per_layer: layer 0's ranking, then layer 1's... */
    double *score;   /* n_params; NaN for parameters that are not prunable. Higher = keep.
                      * A criterion ordering itself writes a priority consistent with order */
    int ordered;     /* 1: the criterion wrote order itself (no sort by score) */
    int per_layer;   /* 1: the ranking is only meaningful within a layer (FairGRAPE's), so
                      * pf_prune_mask always uses per-layer budgets */
} pf_ranking;

/* Rank the prunable parameters of ctx->model under c into out (freed by
 * pf_prune_ranking_free, also after a failure). PF_EINPUT when the data cannot support the
 * criterion (it needs rows and there are none, a width that does not match the model, targets
 * that do not fit the loss (pf_loss_check), groups the data lacks, no random generator for a
 * criterion that needs one); PF_ERUNTIME when memory runs out. */
int pf_prune_rank(const pf_criterion_use *c, const pf_prune_ctx *ctx, pf_ranking *out,
                  pf_error *err);
void pf_prune_ranking_free(pf_ranking *r);

/* Mask for sparsity s in [0, 1]: keeps exactly round((1 - s) n) of the r->n prunable
 * parameters (C round(): nearest, halves away from zero) and gives every parameter that is
 * not prunable mask 1. global: the top of the ranking. layerwise, and always for a per_layer
 * ranking: pf_prune_layer_budgets splits the same total over the layers and each layer keeps
 * the top of its own ranking. A parameter already pruned in the scored model is kept again
 * only when the budget exceeds the unpruned ones (its value is 0 either way). mask_out has
 * m->n_params entries. Returns the number of prunable parameters kept; achieved sparsity is
 * 1 - kept / r->n. */
size_t pf_prune_mask(const pf_mlp *m, const pf_ranking *r, double s, pf_scope scope,
                     float *mask_out);

/* round((1 - s) n): how many of n prunable parameters sparsity s keeps. */
size_t pf_prune_keep_count(size_t n, double s);

/* Split a total of keep over layers holding n_l[0..n_layers-1] prunable parameters in
 * proportion to their size (largest-remainder/Hamilton apportionment: floor(keep n_l / n)
 * each, then one more to the largest remainders, ties to the lower layer), so the budgets
 * sum to keep exactly and never exceed n_l. Exact integer arithmetic. */
void pf_prune_layer_budgets(const size_t *n_l, size_t n_layers, size_t keep, size_t *budget);

/* Make m the pruned model: copy mask into m->mask and zero the pruned parameters. */
void pf_prune_apply(pf_mlp *m, const float *mask);

/* ---- for the criteria's scorers ---- */

/* The training loss of the context (kind, the model's outputs, class weights, weighting). */
pf_loss_spec pf_prune_loss(const pf_prune_ctx *ctx);

/* Forward and backward scratch for rows rows of ctx->model: the scratch's, grown if needed, or
 * without a scratch a new one. Hand it back with pf_prune_work_release (which frees only the
 * latter). NULL with err filled when out of memory. */
pf_mlp_work *pf_prune_work(const pf_prune_ctx *ctx, size_t rows, pf_error *err);
void pf_prune_work_release(const pf_prune_ctx *ctx, pf_mlp_work *w);

/* Whether parameter j of m is prunable: a weight, or any parameter with prune_biases. */
static inline int pf_prune_is_prunable(const pf_mlp *m, size_t j, int prune_biases)
{
    return prune_biases || pf_mlp_is_weight(m, j);
}

/* The effective value of parameter j: params * mask. */
static inline float pf_prune_effective(const pf_mlp *m, size_t j)
{
    return m->params[j] * m->mask[j];
}

#endif
