/* prune.h: which parameters to keep -- the five pruning criteria and the masks they give.
 *
 * A criterion turns a model and the training participants' rows into a ranking of the
 * prunable parameters, most worth keeping first (DESIGN section 6). The ranking does not depend
 * on the sparsity, so one call serves the whole sparsity grid: pf_prune_mask cuts it at any
 * level, over all layers at once (global) or within each layer (layerwise). Prunable means
 * weights, plus biases when prune.prune_biases is set; every other parameter keeps mask 1.
 *
 * Score criteria (random, magnitude, snip, vr) sort by descending score, ties by ascending
 * parameter index, so masks are deterministic. FairGRAPE is a greedy selection within each
 * layer; its ranking is the order of the picks, layer by layer. Under every criterion,
 * parameters whose mask is already 0 in the scored model rank last (in index order), so a
 * pruned model can be ranked again (iterative FairGRAPE) and keep its pruned weights pruned.
 *
 * All scoring uses the effective parameters params * mask and the model's masked gradients;
 * gradients come from pf_mlp_loss_grad, so they are exact derivatives of the training loss
 * (loss.h: mse, 1 - mean ccc or cross-entropy, with the model's n_out outputs and the
 * training class weights) over the rows given. So every criterion works for every task. */
#ifndef PF_PRUNE_H
#define PF_PRUNE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "config/config.h"
#include "folds/split.h"
#include "model/mlp.h"

typedef enum {
    PF_CRIT_RANDOM,
    PF_CRIT_MAGNITUDE,
    PF_CRIT_SNIP,
    PF_CRIT_FAIRGRAPE,
    PF_CRIT_VR
} pf_criterion_kind;

typedef struct {
    pf_criterion_kind kind;
    double lambda;          /* vr only: weight of the spread across participants */
    char name[PF_MAX_NAME]; /* as reported: "magnitude", "vr(lambda=0.5)", ... */
} pf_criterion;

/* The criteria of cfg in config order, vr expanded into one criterion per prune.vr_lambda
 * value; names equal pf_config_criterion_names. Writes at most cap; returns how many there
 * are (a return above cap means out was too small). */
size_t pf_criteria_from_config(const pf_config *cfg, pf_criterion *out, size_t cap);

/* Everything a criterion may look at. */
typedef struct {
    const pf_config *cfg; /* prune_biases, vr_form, fairgrape_group */
    const pf_mlp *model;  /* the model to score: the trained dense model, a partly pruned one
                           * (iterative FairGRAPE), or a freshly initialised one (SNIP init) */
    const pf_split *data; /* scoring rows: the training participants' transformed rows (SNIP init:
                           * one batch of them); y has pf_loss_targets columns */
    pf_loss loss;         /* the training loss (resolved, never auto) */
    gsl_rng *rng;         /* random only; seeded by the caller with PF_SEED_PRUNE_RANDOM */
    const double *class_weights; /* xent: the training class weights (pf_train_opts'), NULL
                                  * for all 1; a group's loss is its weighted mean */
} pf_prune_ctx;

/* A ranking of the prunable parameters, most worth keeping first. */
typedef struct {
    size_t n;        /* prunable parameters */
    size_t n_params; /* all parameters of the model (length of score) */
    size_t *order;   /* n parameter indices; per_layer: layer 0's ranking, then layer 1's... */
    double *score;   /* n_params; NaN for parameters that are not prunable. Higher = keep.
                      * fairgrape: the pick priority n_l - rank within the layer (n_l the
                      * layer's unpruned candidates; already-pruned parameters 0) */
    int per_layer;   /* 1: the ranking is only meaningful within a layer (fairgrape), so
                      * pf_prune_mask always uses per-layer budgets */
} pf_ranking;

/* Rank the prunable parameters of ctx->model under c into out (freed by pf_prune_ranking_free,
 * also after a failure). PF_EINPUT when the data cannot support the criterion (no rows, a
 * width that does not match the model, targets that do not fit the loss (pf_loss_check),
 * fairgrape on a group column the data lacks, random without a generator); PF_ERUNTIME when
 * memory runs out. */
int pf_prune_rank(const pf_criterion *c, const pf_prune_ctx *ctx, pf_ranking *out, pf_error *err);
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

/* ---- score cores (exposed so they can be tested on numbers worked out by hand) ---- */

/* FairGRAPE greedy selection over n candidates of one layer and n_groups groups. imp holds
 * I_jg = (w_j g_jg)^2 group by group (imp[g * n + j]). tau_g = sum_j I_jg / sum_jg I_jg (0 for
 * all groups when every importance is 0). Repeatedly: the group with the most negative
 * deficit S_g / sum S - tau_g (S_g / sum S taken as 0 while sum S = 0; ties to the lowest
 * group) picks its most important candidate not yet kept (ties to the lowest j), and every
 * S_h grows by that candidate's I_jh. Runs to the end, writing all n candidates in pick order
 * to order. O(n_groups n log n). PF_ERUNTIME when memory runs out. */
int pf_fairgrape_greedy(const double *imp, size_t n_groups, size_t n, size_t *order, pf_error *err);

/* VR, form stats, for n parameters and n_parts participants: c_jp = |w_j g_jp|,
 * score_j = mean_p c_jp - lambda sd_p c_jp, sd the population standard deviation (divide by
 * n_parts). g holds g_jp participant by participant (g[p * n + j]). */
void pf_vr_stats_scores(const float *w, const float *g, size_t n_parts, size_t n, double lambda,
                        double *score);

/* VR, form objective: the sensitivity of L_VR = mean_p L_p + lambda var_p L_p,
 * score_j = |w_j (mean_p g_jp + lambda (2 / n_parts) sum_p (L_p - Lbar) g_jp)| with
 * Lbar = mean_p L_p (the mean that var_p L_p is taken around; the derivative of Lbar itself
 * cancels because sum_p (L_p - Lbar) = 0). L holds L_p. */
void pf_vr_objective_scores(const float *w, const float *g, const double *L, size_t n_parts,
                            size_t n, double lambda, double *score);

#endif
