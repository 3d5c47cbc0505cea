/* final.h: the final model -- everything a deployed model needs, in memory and as model.h5.
 *
 * run_experiment --final trains one model on all participants and compresses it as one variant
 * of the study says (criterion@sparsity[/cK][/Bbit]); a pf_final is that model together with
 * what turns a row of raw features into its predictions and what says where it came from:
 *
 *   provenance  the program version, the config hash and the data's SHA-256 (as results.h5
 *               records them), the config's canonical text, the variant's name and its parts;
 *   data        the task, the features by name with the imputation fill (NaN: none) and the
 *               scaling x' = (x - shift) * scale, computed in double and rounded to float
 *               (folds/transform.h: the numbers of the pf_transform the model was trained
 *               through); the targets by name and, for a regression, their scaling, inverted in
 *               double (pf_transform_target_inverse); the class names for a classification;
 *   model       a pf_mlp holding the EVALUATED float32 parameters: after pruning, clustering and
 *               quantisation, the w' the study's metrics were computed with. A pruned parameter
 *               (mask 0) is exactly +0;
 *   integers    when bits < 32: q, one int8 per parameter, and unit_scale, one float32 per output
 *               unit, in the layout of pf_quant_integers (compress/quant.h): every weight is
 *               w' = (float)((double)unit_scale[u] * q[j]) bit for bit (q 0 at pruned weights and
 *               at every bias); a clustered model's units all carry their layer's codebook scale
 *               and q is the integer of the weight's centroid;
 *   clusters    when clusters = K > 0: assign, one int16 per parameter (the centroid 0..K-1 of a
 *               kept weight; -1 for a pruned weight and for every bias), and codebook, K float32
 *               centroids per weight layer (layer l's at codebook[l K]): every kept weight
 *               equals its centroid bit for bit;
 *   summary     optionally, the study's per-participant summary of this variant (participants,
 *               the primary metric's name, its mean, sd and worst value), for the comment header
 *               of an export.
 *
 * pf_final_check states what makes one consistent; pf_final_write refuses anything else, so a
 * model.h5 always holds a model its exporters (deploy/export.h) can reproduce bit for bit.
 * model.h5 is written as results.h5 is: to a temporary name, sealed (base/h5seal.h), renamed
 * into place. Building one: pf_final_from (model, transform, names), then pf_final_set_variant,
 * pf_final_set_integers and pf_final_set_clusters as the variant needs, pf_final_set_summary
 * when the study's numbers are at hand.
 * Definitions, the file's layout and the exact rules: docs/deploy.md. */
#ifndef PF_FINAL_H
#define PF_FINAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "compress/cluster.h"
#include "config/config.h"
#include "folds/transform.h"
#include "model/mlp.h"

#define PF_FINAL_SCHEMA "prunefair-final/1" /* the schema attribute of model.h5 */

typedef struct {
    /* provenance */
    char version[64];     /* PACKAGE_VERSION of the program that made it (base/version.h) */
    char config_hash[65]; /* 64 lower-case hex digits, as pf_config.hash */
    char data_sha256[65]; /* as pf_config.data_sha256 ("" for synthetic data) */
    char *config_text;    /* the config's canonical text (pf_config_dump) */
    char *variant;        /* "magnitude@0.8/c16/4bit" */
    char *criterion;      /* "magnitude" */
    double sparsity;      /* 0..1 */
    int clusters;         /* K centroids per layer; 0 = not clustered */
    int bits;             /* 2..8, or 32 = float32 */
    /* data */
    pf_task_kind task;    /* data.task */
    size_t n_features;    /* = model->dims[0] */
    char **feature_names; /* n_features, in the model's input order */
    double *fill;         /* n_features: an empty (NaN) feature's value; NaN = none (an error) */
    double *shift;        /* n_features: x' = (x - shift) * scale, in double, then float */
    double *scale;        /* n_features */
    size_t n_targets;     /* target columns (1 for a classification: the label) */
    char **target_names;  /* n_targets */
    double *target_shift; /* n_targets: y = (double)y' / target_scale + target_shift */
    double *target_scale; /* n_targets (shift 0, scale 1 for a label) */
    size_t n_classes;     /* C for a classification (= model outputs), 0 for a regression */
    char **class_names;   /* n_classes, in the order of the model's logits; NULL for none */
    /* the model */
    pf_mlp *model;     /* the evaluated parameters and the mask */
    int8_t *q;         /* n_params when bits < 32, else NULL */
    float *unit_scale; /* one per output unit (sum of dims[l + 1]) when bits < 32, else NULL */
    int16_t *assign;   /* n_params when clusters > 0, else NULL */
    float *codebook;   /* n_layers x clusters when clusters > 0, else NULL */
    /* the study's per-participant summary of this variant (optional) */
    size_t summary_participants; /* 0 = no summary */
    char *summary_metric;        /* the primary metric's name ("ccc") */
    double summary_mean, summary_sd, summary_worst;
} pf_final;

/* A final model with every array sized for this shape: dims (n_layers + 1 widths: inputs,
 * hidden..., outputs), n_targets target columns and n_classes classes (0 for a regression),
 * every name "", fill NaN, shifts 0, scales 1, parameters 0, mask 1, bits 32, clusters 0, no
 * summary. PF_EINPUT for a shape pf_mlp_alloc refuses or outputs that are neither n_classes
 * (classification) nor n_targets (regression); PF_ERUNTIME when memory runs out. */
pf_final *pf_final_alloc(pf_task_kind task, const size_t *dims, size_t n_layers, pf_activation act,
                         size_t n_targets, size_t n_classes, pf_error *err);
void pf_final_free(pf_final *f);

/* A final model from the compressed model m (its params times its mask, each pruned
 * parameter +0), the transform it was trained through (NULL: no imputation, shift 0, scale 1,
 * and no target scaling) and the names: feature_names (m->dims[0]), target_names (n_targets;
 * NULL: "y1", "y2", ...) and class_names (n_classes, 0 for a regression; NULL: "0", "1", ...).
 * Provenance from cfg when not NULL (version, hash, data SHA-256, canonical text). The variant
 * is "float32" until pf_final_set_variant names it. PF_EINPUT when the sizes disagree. */
pf_final *pf_final_from(const pf_mlp *m, const pf_transform *tf, const pf_config *cfg,
                        pf_task_kind task, const char *const *feature_names,
                        const char *const *target_names, size_t n_targets,
                        const char *const *class_names, size_t n_classes, pf_error *err);

/* The variant: its name, its criterion, sparsity, clusters (0: none) and bits (32: float32).
 * Allocates q and unit_scale (bits < 32) and assign and codebook (clusters > 0) zeroed, for
 * pf_final_set_integers and pf_final_set_clusters to fill. PF_EINPUT for bits outside 2..8 and
 * 32 or clusters outside 0 and 2..256. */
int pf_final_set_variant(pf_final *f, const char *variant, const char *criterion, double sparsity,
                         int clusters, int bits, pf_error *err);

/* Copy the integers (q: n_params; unit_scale: one per output unit), as pf_quant_integers or
 * pf_cluster_quantise made them, after pf_final_set_variant with bits < 32. PF_EINPUT when they
 * do not rebuild the model's weights bit for bit. */
int pf_final_set_integers(pf_final *f, const int8_t *q, const float *unit_scale, pf_error *err);

/* Copy the clustering c (its assignment and every layer's centroids) after pf_final_set_variant
 * with clusters = c->k. PF_EINPUT when it does not describe the model (a kept weight that
 * differs from its centroid, a pruned weight or a bias with a centroid). */
int pf_final_set_clusters(pf_final *f, const pf_cluster *c, pf_error *err);

/* The study's per-participant summary of the variant: participants, metric, mean, sd, worst. */
int pf_final_set_summary(pf_final *f, size_t participants, const char *metric, double mean,
                         double sd, double worst, pf_error *err);

/* Model outputs (n_classes for a classification, n_targets for a regression) and whether the
 * outputs are class logits (the task shape's labels, config/task.h). */
size_t pf_final_n_outputs(const pf_final *f);
int pf_final_is_classifier(const pf_final *f);

/* PF_OK when f is consistent: sizes agree (features and names with the model's inputs, targets
 * or classes with its outputs), every name non-empty, shifts and scales finite and scales not
 * 0, the mask all 0 or 1, parameters finite and +0 where pruned, bits and clusters valid, the
 * integers and the clustering rebuilding the weights bit for bit. PF_EINPUT with a message
 * naming the first problem otherwise. */
int pf_final_check(const pf_final *f, pf_error *err);

/* Write f to path (e.g. DIR/final/model.h5): checked first (nothing is written for an f that
 * fails pf_final_check), then to path.tmp, sealed, renamed into place. PF_EINPUT for an
 * inconsistent f, PF_ERUNTIME when the file cannot be written (nothing is left behind). */
int pf_final_write(const pf_final *f, const char *path, pf_error *err);

/* Read a model.h5 that pf_final_write wrote. NULL with PF_EINPUT for a file that is not one
 * (missing, unsealed, damaged, another schema, inconsistent), PF_ERUNTIME when memory runs
 * out. */
pf_final *pf_final_read(const char *path, pf_error *err);

/* 1 when a and b hold the same model bit for bit (every field, NaN equal to NaN). */
int pf_final_equal(const pf_final *a, const pf_final *b);

#endif
