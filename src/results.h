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

#include "config.h"
#include "dataset.h"
#include "error.h"

/* One (fold, repeat, criterion, sparsity) model; criterion -1 is the dense model. */
typedef struct {
    int fold, repeat, criterion, sparsity_index;
    double sparsity;          /* requested */
    double achieved_sparsity; /* pruned / prunable */
    long long kept_params;    /* prunable parameters kept */
    long long prunable_params;
    long long csr_bytes;      /* bytes of the model stored sparsely (CSR, float32 + int32) */
    long long macs;           /* multiply-adds per prediction */
    int epochs;               /* training (or fine-tuning) epochs run for this model */
    double val_loss;          /* best validation loss of that training (NaN without) */
    double mean_ccc;          /* mean CCC over this fold's test participants */
    double seconds;           /* wall time to produce and evaluate this model */
} pf_task_record;

typedef struct {
    size_t n_crit, n_sp, n_part, n_rep, n_folds;
    char (*crit)[PF_MAX_NAME]; /* n_crit criterion names */
    double *sparsity;          /* n_sp requested sparsities */
    double *ccc, *rmse, *pearson;                   /* [crit][sp][part][rep], NaN = not run */
    double *dense_ccc, *dense_rmse, *dense_pearson; /* [part][rep] */
    int *n_windows;                                 /* [part] */
    size_t n_rec;
    pf_task_record *rec; /* n_folds * n_rep * (1 + n_crit * n_sp), in task order */
    /* Inference time per window, measured once (fold 0, repeat 0) on the test rows. */
    double dense_ns;
    double *sparse_ns; /* [crit][sp] */
    /* Provenance filled by the runner. */
    int threads;
    char started[32], finished[32]; /* ISO 8601 UTC */
    double wall_seconds;
} pf_results;

pf_results *pf_results_alloc(const pf_config *cfg, const pf_dataset *ds, size_t n_folds,
                             pf_error *err);
void pf_results_free(pf_results *r);

static inline size_t pf_results_at(const pf_results *r, size_t c, size_t s, size_t p, size_t k)
{
    return ((c * r->n_sp + s) * r->n_part + p) * r->n_rep + k;
}

/* Per-participant value of a metric array averaged over repeats (NaN if none ran). */
double pf_results_mean_over_repeats(const pf_results *r, const double *a, size_t c, size_t s,
                                    size_t p);

/* Write results.h5, per_participant.csv and summary.csv into dir (which must exist). */
int pf_results_write(const pf_results *r, const pf_config *cfg, const pf_dataset *ds,
                     const char *dir, pf_error *err);

#endif
