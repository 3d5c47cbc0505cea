/* results.h: everything a run measured, in memory: the one study model every output reads.
 *
 * A variant is one compressed model of a task: a pruning criterion at a sparsity, then a
 * post-training chain -- clustered to k centroids per layer (or not), then stored at b bits
 * (float32 or integers): docs/compression.md. The variants come in one block per chain. The
 * chains are every (clusters, bits) of compress.clusters x compress.bits, clusters-major, each
 * list with its "off" value first (0: not clustered; 32: float32) and then the config's others
 * in config order. So chain 0 is (0, 32), the float32 model as pruning left it, the reference
 * every comparison is made against; a study without clustering has exactly the widths'
 * blocks it had before clustering existed. A block holds the dense model at that chain, then
 * every pruning criterion at every sparsity of the grid (criterion-major). So the dense
 * float32 model is variant 0, and the dense model at 8 bits is quantisation alone. Every
 * per-participant number lives in one array, value[metric][variant][participant][repeat],
 * whatever the task (regression with one or several outputs, or classification) and whatever
 * the metric (the task's pf_metric_set names them); the across-participant summary of every
 * (metric, variant) is computed once, by pf_results_summarise, for every consumer (CSVs, the
 * HDF5 file, tables, figures, statistics, the terminal).
 *
 * Every task writes only its own participants' and repeat's slots and its own block of task
 * records, so tasks fill the struct in parallel without locks and the contents do not depend
 * on which thread ran what. Files are written afterwards by one thread (Debian's HDF5 is not
 * thread-safe): results_csv.h and results_h5.h.
 * Definitions and the exact rules: docs/results-schema.md. */
#ifndef PF_RESULTS_H
#define PF_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"
#include "eval/metric.h"
#include "eval/summary.h"
#include "folds/folds.h"
#include "folds/split.h"

#define PF_DENSE      0       /* the dense model's variant index, and its criterion index */
#define PF_DENSE_NAME "dense" /* its name as a criterion: /criteria, CSVs, tables, figures */

/* One post-training chain: centroids per layer (0: not clustered), then the weights' width
 * (32: float32). */
typedef struct {
    int clusters;
    int bits;
} pf_chain;

/* One variant: which criterion (index into crit; 0 is "dense"), at which sparsity, clustered
 * to how many centroids, stored at how many bits. sp is the index into the sparsity grid for a
 * pruned variant; the dense model has sparsity 0 and sp 0 by convention (it is not a point of
 * the grid: read crit first). */
typedef struct {
    size_t crit;
    size_t sp;
    double sparsity;
    int clusters; /* 0: not clustered */
    int bits;
    size_t chain; /* index into the run's chains (0: not clustered, float32) */
} pf_variant;

/* One (fold, repeat, variant) model. */
typedef struct {
    int fold, repeat, variant;
    double achieved_sparsity; /* pruned / prunable */
    long long kept_params;    /* prunable parameters kept */
    long long prunable_params;
    long long csr_bytes;    /* bytes of the model stored sparsely (CSR, float32 + int32) */
    long long stored_bytes; /* bytes stored at the variant's width, dense or CSR per layer */
    long long macs;         /* multiply-adds per prediction */
    int epochs;             /* training (or fine-tuning) epochs run for this model */
    int diverged;           /* 1: its training diverged; its values are NaN (not run) */
    double val_loss;        /* best validation loss of that training, model space (NaN without) */
    double primary_mean;    /* mean of the primary metric over this fold's test participants */
    double seconds;         /* wall time to produce and evaluate this model */
    int cluster_iterations; /* clustered chains: Lloyd updates run (the most of any layer) */
    int cluster_capped;     /* 1: a layer stopped at compress.cluster_max_iter still moving */
} pf_task_record;

typedef struct {
    /* The shape of the study. */
    size_t n_metric, n_var, n_part, n_rep, n_folds;
    pf_metric_set *metrics; /* the task's metrics, in storage order (owned) */
    size_t primary;         /* index of stats.metric in metrics */
    size_t n_crit;          /* criteria, "dense" first, then the config's pruning criteria */
    char (*crit)[PF_MAX_NAME];
    size_t n_sp; /* the sparsity grid */
    double *sparsity;
    size_t n_bits;             /* weight widths; bits[0] is 32 (float32) */
    int bits[PF_MAX_LIST];     /* the widths, float32 first, then compress.bits' others */
    size_t n_clusters;         /* centroid counts; clusters[0] is 0 (not clustered) */
    int clusters[PF_MAX_LIST]; /* 0 first, then compress.clusters' others in order */
    size_t n_chain;            /* n_clusters x n_bits */
    pf_chain chain[PF_MAX_LIST];
    pf_variant *variant; /* n_var = n_chain * (1 + (n_crit - 1) n_sp); variant 0 is dense */

    /* value[metric][variant][participant][repeat]; NaN = not run. */
    double *value;

    /* The data, for the results file (copied from pf_dataset, or read back). */
    pf_task_kind task;
    size_t n_targets;
    char **target_names; /* [n_targets] */
    size_t n_classes;
    char **class_names; /* [n_classes] (classification) */
    size_t n_attributes;
    char **attribute_names;  /* [n_attributes] */
    char **attribute_values; /* [participant][attribute] */
    int *n_windows;          /* [participant] */
    char **participant_ids;  /* [participant] */
    char data_description[256];
    size_t n_windows_total, n_features, rows_read, rows_dropped_target, participants_dropped;
    size_t windows_dropped_margin;
    size_t cells_missing; /* feature cells imputed per fold */
    char data_path[4096]; /* the data file, absolute ("" for synthetic data) */
    size_t n_columns;     /* columns of the data file (0 for synthetic data) */
    char **column_names;  /* [n_columns] */
    char **column_use;    /* [n_columns]: what each became ("feature", a role, a reason) */
    char **feature_names; /* [n_features] */

    size_t n_rec;
    pf_task_record *rec; /* n_folds * n_rep * n_var, in task order: [fold][repeat][variant] */

    /* Inference time per window, measured once (fold 0, repeat 0) on the test rows. */
    double *ns_per_window; /* [variant]: dense kernel for variant 0, CSR for the others */

    /* Optional (output.save_models / save_masks / save_scores), else NULL. n_params and the
     * layer widths describe the flat parameter layout of mlp.h. The evaluated model of a
     * pruned variant is dense x mask unless it was trained after pruning (fine-tuning, SNIP at
     * initialisation): then variant_params holds it. */
    size_t n_params, n_dims;
    int dims[PF_MAX_LIST + 2];
    float *dense_params;   /* [task][param] trained dense weights and biases */
    unsigned char *masks;  /* [task][variant][param] 1 kept, 0 pruned (variant 0: all 1) */
    float *scores;         /* [task][crit][param] criterion scores (crit 0 unused; NaN) */
    float *variant_params; /* [task][variant][param] when models were retrained, else NULL */
    /* output.save_models with widths below 32 bits: every quantised model as its integers,
     * else NULL. A quantised variant is one whose chain stores integers (bits < 32); the k-th
     * is the one pf_results_quant_index numbers k (pf_results_n_quant of them). A clustered
     * quantised model's integers are its centroids', its scale the layer's (one per layer,
     * repeated on every unit of the layer). A unit is an output unit of a
     * weight layer, layer 0's first, in the order of the biases (n_units = the biases). The
     * evaluated weight W_l[i][j] is (float)((double)quant_scale[unit of row i] * quant_q[its
     * param]) (quant.h's pf_quant_integers), its biases quant_bias; NaN scales and biases:
     * not evaluated (its training diverged). docs/results-schema.md#quantised-models. */
    size_t n_units;
    int8_t *quant_q;    /* [task][k][param] integers; 0 at pruned weights and at biases */
    float *quant_scale; /* [task][k][unit] the scale of each row */
    float *quant_bias;  /* [task][k][unit] the float32 biases */

    /* train.output_weighting other than equal, else NULL: the log-variances s_k = ln sigma_k^2
     * each task's dense training learned, [task][target] (task = fold * n_rep + repeat); NaN:
     * not run (its training diverged).
     * docs/results-schema.md#training-what-the-dense-training-learned-besides-weights. */
    double *output_log_var;

    /* The folds and what was fitted on each fold's training participants (split.h). fold_of is
     * NULL when the results came from a file that did not store them. */
    int *fold_of; /* [part]: the fold that tests the participant */
    /* Fold f's validation participants, ascending: val[val_first[f] .. val_first[f + 1] - 1].
     * The file holds them as /folds/validation, the [fold, participant] matrix of 0 and 1,
     * written and read a row at a time: that matrix is folds x participants bytes, quadratic
     * in participants under lopo, and is never held in memory. */
    size_t *val_first;     /* [fold + 1] */
    int *val;              /* [val_first[n_folds]]; NULL when there are none */
    double *feature_fill;  /* [fold][feature] */
    double *feature_shift; /* [fold][feature] */
    double *feature_scale; /* [fold][feature] */
    double *target_shift;  /* [fold][target] */
    double *target_scale;  /* [fold][target] */
    char folds_file[4096];
    char folds_file_sha256[65];

    /* output.save_predictions, else pred is NULL: every held-out window's prediction by every
     * variant and repeat (results/predictions.h,
     * docs/results-schema.md#predictions-every-held-out-windows-prediction-only-on-request).
     * Windows are the dataset's, in its order: participant p's are
     * window_first[p]..window_first[p+1]-1. */
    size_t n_win;               /* windows of the study */
    size_t n_pred;              /* values per window and model: K outputs, or C probabilities */
    size_t *window_first;       /* [participant + 1] */
    long long *window_row;      /* [window] its data row in the file (pf_dataset.row) */
    double *window_time;        /* [window] its time, or NULL when the data has no time column */
    double *window_truth;       /* [window][target] targets as recorded, or the class index */
    double *pred;               /* [variant][repeat][window][n_pred] predictions in the data's
                                 * units, or class probabilities; NaN = not run */
    int *pred_class;            /* classification: [variant][repeat][window] the argmax of the
                                 * logits, -1 = none; NULL for a regression */
    size_t n_dropped;           /* windows data.transform_margin dropped */
    pf_dropped_window *dropped; /* [n_dropped] (pf_dataset.dropped) */

    /* The summary of every (metric, variant), after pf_results_summarise; NULL before. */
    pf_summary_full *summary; /* [metric][variant] */

    /* Provenance filled by the runner. */
    char kernel[16]; /* kernel.h's kernel that trained the models (speed only, not numbers) */
    int threads;
    char started[32], finished[32]; /* ISO 8601 UTC */
    double wall_seconds;
    double peak_memory_kb; /* the process's peak resident set when the run finished */
} pf_results;

/* What fixes the size of every array: enough to allocate results without a config or a
 * dataset (the HDF5 reader builds one from a file). Strings are copied. */
typedef struct {
    pf_task_kind task;
    size_t n_targets;
    char *const *target_names; /* n_targets */
    size_t n_classes;          /* classification */
    size_t n_crit;             /* pruning criteria, without "dense" */
    const char (*crit)[PF_MAX_NAME];
    size_t n_sp;
    const double *sparsity;
    size_t n_bits; /* weight widths (compress.bits); 32 is added first when missing */
    const int *bits;
    size_t n_clusters; /* centroid counts (compress.clusters); 0 is added first when missing */
    const int *clusters;
    size_t n_part, n_rep, n_folds, n_features, n_attributes;
    const char *stats_metric; /* "auto" or a metric name */
} pf_results_shape;

/* The variants of a study of that shape: a block per chain ((clusters, bits) of
 * compress.clusters x compress.bits), each the dense model and every (criterion, sparsity). */
size_t pf_results_shape_variants(const pf_results_shape *sh);

/* Results of that shape, every value NaN; PF_EINPUT when stats_metric is not one of the
 * task's metrics (the message lists them). Names, ids and provenance are the caller's to fill. */
pf_results *pf_results_new(const pf_results_shape *shape, pf_error *err);

/* The study cfg describes on ds with n_folds folds: variants, the metric set and its primary
 * metric (stats.metric; PF_EINPUT naming the task's metrics when it has no such metric), every
 * value NaN. */
pf_results *pf_results_alloc(const pf_config *cfg, const pf_dataset *ds, size_t n_folds,
                             pf_error *err);
void pf_results_free(pf_results *r);

/* Room for output_log_var ([task][target], every value NaN): pf_results_alloc makes it when
 * train.output_weighting is not equal, the results reader when the file has it. */
int pf_results_alloc_log_var(pf_results *r, pf_error *err);

/* Variants per chain: the dense model and every (criterion, sparsity). */
static inline size_t pf_results_block(const pf_results *r)
{
    return 1 + (r->n_crit - 1) * r->n_sp;
}

/* The variant of criterion crit (0 = dense, then 1..n_crit-1) at sparsity index sp (ignored
 * for dense) and chain index w. */
static inline size_t pf_results_variant_at(const pf_results *r, size_t crit, size_t sp, size_t w)
{
    return w * pf_results_block(r) + (crit == 0 ? 0 : 1 + (crit - 1) * r->n_sp + sp);
}

/* The variant of pruning criterion crit (1..n_crit-1) at sparsity index sp, float32. */
static inline size_t pf_results_variant(const pf_results *r, size_t crit, size_t sp)
{
    return pf_results_variant_at(r, crit, sp, 0);
}

/* The quantised variants (chains storing integers, bits < 32). */
static inline size_t pf_results_n_quant(const pf_results *r)
{
    return r->n_clusters * (r->n_bits - 1) * pf_results_block(r);
}

/* Variant v's index among the quantised variants (pf_results_n_quant), or -1 when its chain
 * stores float32. */
static inline long pf_results_quant_index(const pf_results *r, size_t v)
{
    size_t c = r->variant[v].chain, w = c % r->n_bits, k = c / r->n_bits;
    if (w == 0) return -1;
    return (long)((k * (r->n_bits - 1) + w - 1) * pf_results_block(r) + v % pf_results_block(r));
}

/* The float32, unclustered variant that variant v compresses further (v itself in chain 0). */
static inline size_t pf_results_float_variant(const pf_results *r, size_t v)
{
    return v % pf_results_block(r);
}

/* Whether the study clusters any model: then the CSVs and tables name each chain's centroids
 * (a study without clustering writes exactly what it wrote before clustering existed). */
static inline int pf_results_clustered(const pf_results *r)
{
    return r->n_clusters > 1;
}

static inline size_t pf_results_at(const pf_results *r, size_t metric, size_t variant, size_t p,
                                   size_t k)
{
    return ((metric * r->n_var + variant) * r->n_part + p) * r->n_rep + k;
}

/* The record of (fold, repeat, variant). */
static inline pf_task_record *pf_results_record(const pf_results *r, size_t fold, size_t repeat,
                                                size_t variant)
{
    return &r->rec[(fold * r->n_rep + repeat) * r->n_var + variant];
}

/* "dense", "magnitude@0.8", "vr(lambda=0.5)@0.9" (and "@0.8/c16/8bit" when clustered and below
 * 32 bits), for labels and messages. */
void pf_results_variant_name(const pf_results *r, size_t variant, char *out, size_t cap);

/* A chain as a tag after a name, each step behind sep: "" for (0, 32), then "_c16", "_4bit",
 * "_c16_4bit" with sep '_' (file names; the width alone is what a study without clustering
 * always wrote), "/c16/4bit" with '/' (variant names, statistics families), '-' in labels. The
 * one spelling of a chain in names, also for a sweep's chains. */
void pf_results_chain_tag(pf_chain ch, char sep, char *out, size_t cap);

/* Chain w in words: "float32 weights", "4-bit weights", "16 clusters", "16 clusters, 4-bit
 * centroids". */
void pf_results_chain_words(const pf_results *r, size_t w, char *out, size_t cap);

/* The mean achieved sparsity (pruned / prunable) over variant v's task records: the requested
 * sparsity is a target, this is what pruning reached. */
double pf_results_achieved_sparsity(const pf_results *r, size_t v);

/* The mean stored size in bytes (task records' stored_bytes) of variant v's models: masks
 * differ a little between folds, so the CSR part of the size can too. */
double pf_results_stored_bytes(const pf_results *r, size_t v);

/* The n_part per-participant values of (metric, variant), each averaged over the repeats that
 * ran (NaN where none did). */
void pf_results_values(const pf_results *r, size_t metric, size_t variant, double *out);

/* Fill r->summary: every (metric, variant) summarised across participants, with deltas against
 * the dense model, by summary.h's rules. Call once after the run (or after reading a file). */
int pf_results_summarise(pf_results *r, pf_error *err);

/* The summary of (metric, variant); pf_results_summarise must have run. */
static inline const pf_summary_full *pf_results_summary(const pf_results *r, size_t metric,
                                                        size_t variant)
{
    return &r->summary[metric * r->n_var + variant];
}

/* fold_of, the validation lists and the folds file of fs (which must have r's participants and
 * folds). PF_ERUNTIME when memory runs out. */
int pf_results_set_folds(pf_results *r, const pf_folds *fs, pf_error *err);

/* The transform fitted for fold f into its slots. Transforms depend only on the fold, so the
 * runner stores the one of repeat 0: one writer per fold, no locks. */
void pf_results_set_transform(pf_results *r, size_t f, const pf_transform *tf);

#endif
