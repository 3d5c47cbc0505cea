/* fit.h: the model a study recommends, fitted once on every participant, ready to deploy.
 *
 * A study's models are fold models: each was trained without one participant (or fold), and
 * none of them is the model a device should carry. Once the study has said which compressed
 * variant serves people best, pf_fit_run trains that variant once more on every participant,
 * with the study's own protocol: the config as it is (its training, its pruning criteria and
 * sparsity grid, its chains), run by the same runner (run.h) on one fold whose training side is
 * everyone but the validation share early stopping needs (folds.h's pf_folds_all, drawn by the
 * folds' own rule), and the variant's model taken from it. Nothing is re-implemented here, so
 * the final model is made exactly as the study's models were, only from more people.
 * Definitions and the exact rules: docs/deploy.md. */
#ifndef PF_FIT_H
#define PF_FIT_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"
#include "model/mlp.h"
#include "results/results.h"

/* A variant as a user names it: CRITERION@SPARSITY[/cK][/Bbit], or dense[/cK][/Bbit], the
 * spelling of /variants/name and of the tables (magnitude@0.8/c16/4bit). */
typedef struct {
    char criterion[PF_MAX_NAME]; /* "dense" or a criterion of the run, as reported */
    double sparsity;             /* 0 for dense */
    int clusters;                /* 0: not clustered */
    int bits;                    /* 32: float32 */
} pf_fit_variant;

/* Parse text into v and check that cfg's study has that variant: the criterion among its
 * criteria (pf_criterion_uses' names), the sparsity in prune.sparsities, the centroids in
 * compress.clusters (or 0), the width in compress.bits (or 32). PF_EINPUT naming what is not
 * there and what is. */
int pf_fit_variant_parse(const pf_config *cfg, const char *text, pf_fit_variant *v, pf_error *err);

/* The variant's index in results r of cfg's study, or -1 when r has no such variant. */
long pf_fit_variant_index(const pf_results *r, const pf_fit_variant *v);

/* Run cfg's study on one fold of every participant (pf_folds_all) with every model kept
 * (output.save_models, save_masks and save_predictions forced on: they change no number), with
 * threads workers. The results' variant v (pf_fit_variant_index) is the final model: its weights
 * (pf_fit_weights), its quantised integers (results.h quant_*), and fold 0's transform.
 * Its values are in-sample fits, not held-out accuracy. NULL and err on failure. */
pf_results *pf_fit_run(const pf_config *cfg, const pf_dataset *ds, int threads, pf_error *err);

/* The evaluated weights and biases of variant v of r into m (a model of r's shape) and its
 * mask (1 kept, 0 pruned): a quantised variant's rebuilt from its integers (quant.h's
 * pf_quant_rebuild), the retrained ones when the study keeps them (variant_params), else the
 * dense weights under the variant's mask. */
void pf_fit_weights(const pf_results *r, size_t v, pf_mlp *m);

/* Variant v of r, as pf_fit_run fitted it, into dir/model.h5 (deploy/final.h), and its own
 * predictions of every window it was fitted on into dir/fitted.csv (participant, window: the
 * data row, output: a target or a class, prediction: in the data's units, or the class's
 * probability), what an export must reproduce: the evaluated
 * weights, the integers of a quantised variant, the codebook of a clustered one (read back
 * from its weights: each layer's distinct kept values, ascending), fold 0's transform and the
 * data's names, the provenance of cfg. dir is created; nothing is left behind on failure. When
 * the study's own results are at study_results (NULL or a missing file: none), the variant's
 * per-participant summary there goes into the model's header. */
int pf_fit_save(const pf_results *r, size_t v, const pf_config *cfg, const char *study_results,
                const char *dir, pf_error *err);

#endif
