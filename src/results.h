/* results.h: everything a run measured, in memory, and the files it becomes.
 *
 * Per-participant metrics live in flat arrays indexed [criterion][sparsity][participant]
 * [repeat]; the dense model's in [participant][repeat]. Every task writes only its own
 * participants' and repeat's slots and its own block of task records, so tasks fill the
 * struct in parallel without locks and the contents do not depend on which thread ran what.
 * Files are written afterwards by one thread (Debian's HDF5 is not thread-safe), each to a
 * temporary name first and renamed into place, so a crash never leaves a complete-looking
 * file that is not. */
#ifndef PF_RESULTS_H
#define PF_RESULTS_H

#include <stddef.h>

#include <hdf5.h>

#include "config.h"
#include "dataset.h"
#include "error.h"
#include "folds.h"
#include "split.h"

/* One (fold, repeat, criterion, sparsity) model; criterion -1 is the dense model. */
typedef struct {
    int fold, repeat, criterion, sparsity_index;
    double sparsity;          /* requested */
    double achieved_sparsity; /* pruned / prunable */
    long long kept_params;    /* prunable parameters kept */
    long long prunable_params;
    long long csr_bytes; /* bytes of the model stored sparsely (CSR, float32 + int32) */
    long long macs;      /* multiply-adds per prediction */
    int epochs;          /* training (or fine-tuning) epochs run for this model */
    double val_loss;     /* best validation loss of that training (NaN without) */
    double mean_ccc;     /* mean CCC over this fold's test participants */
    double seconds;      /* wall time to produce and evaluate this model */
} pf_task_record;

typedef struct {
    size_t n_crit, n_sp, n_part, n_rep, n_folds;
    char (*crit)[PF_MAX_NAME];                      /* n_crit criterion names */
    double *sparsity;                               /* n_sp requested sparsities */
    double *ccc, *rmse, *pearson;                   /* [crit][sp][part][rep], NaN = not run */
    double *dense_ccc, *dense_rmse, *dense_pearson; /* [part][rep] */
    int *n_windows;                                 /* [part] */
    char **participant_ids;                         /* [part], owned copies */
    /* What the data were, for the results file (copied from pf_dataset, or read back). */
    char data_description[256];
    size_t n_windows_total, n_features, rows_read, rows_dropped_target, participants_dropped;
    size_t cells_missing; /* feature cells imputed per fold */
    char data_path[4096]; /* the data file, absolute ("" for synthetic data) */
    size_t n_columns;     /* columns of the data file (0 for synthetic data) */
    char **column_names;  /* [n_columns], owned copies */
    char **column_use;    /* [n_columns]: what each became ("feature", a role, a reason) */
    char **feature_names; /* [n_features], owned copies */
    size_t n_rec;
    pf_task_record *rec; /* n_folds * n_rep * (1 + n_crit * n_sp), in task order */
    /* Inference time per window, measured once (fold 0, repeat 0) on the test rows. */
    double dense_ns;
    double *sparse_ns; /* [crit][sp] */
    /* Optional (output.save_models / save_masks / save_scores), else NULL. n_params and the
     * layer widths describe the flat parameter layout of model.h. */
    size_t n_params, n_dims;
    int dims[PF_MAX_LIST + 2];
    float *dense_params;  /* [task][param] trained dense weights and biases */
    unsigned char *masks; /* [task][crit][sp][param] 1 kept, 0 pruned */
    float *scores;        /* [task][crit][param] criterion scores (NaN: not prunable) */
    /* The folds and what was fitted on each fold's training participants, so a reader can
     * check who was held out and redo any transform. fold_of is NULL when the results came
     * from a file written before these were stored (then nothing below is set). */
    int *fold_of;               /* [part]: the fold that tests the participant */
    unsigned char *validation;  /* [fold][part]: 1 = validation participant of the fold */
    double *feature_fill;       /* [fold][feature]: value of an empty cell (NaN: no imputation) */
    double *feature_shift;      /* [fold][feature]: x' = (x - shift) * scale */
    double *feature_scale;      /* [fold][feature] */
    size_t n_targets;           /* targets per window (regression outputs; 1 for a label) */
    double *target_shift;       /* [fold][target]: y' = (y - shift) * scale */
    double *target_scale;       /* [fold][target] */
    char folds_file[4096];      /* folds.scheme = file: absolute path read, else "" */
    char folds_file_sha256[65]; /* and the SHA-256 of its bytes */
    /* Provenance filled by the runner. */
    int threads;
    char started[32], finished[32]; /* ISO 8601 UTC */
    double wall_seconds;
} pf_results;

pf_results *pf_results_alloc(const pf_config *cfg, const pf_dataset *ds, size_t n_folds,
                             pf_error *err);
void pf_results_free(pf_results *r);

/* fold_of, validation and the folds file of fs (which must have r's participants and folds). */
void pf_results_set_folds(pf_results *r, const pf_folds *fs);

/* The transform fitted for fold f into its slots. Transforms depend only on the fold, so the
 * runner stores the one of repeat 0: one writer per fold, no locks. */
void pf_results_set_transform(pf_results *r, size_t f, const pf_transform *tf);

static inline size_t pf_results_at(const pf_results *r, size_t c, size_t s, size_t p, size_t k)
{
    return ((c * r->n_sp + s) * r->n_part + p) * r->n_rep + k;
}

/* Per-participant value of a metric array averaged over repeats (NaN if none ran). */
double pf_results_mean_over_repeats(const pf_results *r, const double *a, size_t c, size_t s,
                                    size_t p);

/* The n_part per-participant values (repeats averaged) of criterion c at sparsity index s
 * into out; c = -1 gives the dense model (s ignored). metric: 0 ccc, 1 rmse, 2 pearson. */
void pf_results_participant_values(const pf_results *r, int c, size_t s, int metric, double *out);

/* per_participant.csv and summary.csv into dir (which must exist). */
int pf_results_write_csv(const pf_results *r, const char *dir, pf_error *err);

/* Everything in r, with provenance from cfg, into an open HDF5 file.
 * Schema: docs/results-schema.md. */
int pf_results_write_h5(const pf_results *r, const pf_config *cfg, hid_t file, pf_error *err);

/* Read a results.h5 back: the results and the config it was run with. */
pf_results *pf_results_read_h5(const char *path, pf_config *cfg, pf_error *err);

#endif
