/* dataset.h: the windows an experiment learns from, whatever produced them.
 *
 * The container every later stage reads: sources (source.h: the AGAIN and generic CSV
 * loaders, the synthetic generator) fill it and nothing else changes it. Rows are grouped by
 * participant, participants in order of first appearance and each participant's windows in
 * time order, so participant p owns rows [offset[p], offset[p+1]). Features stay doubles,
 * unscaled, with NAN for a missing cell when data.missing allows them: imputation and scaling
 * are fitted per fold on training participants only (split.h), never here. */
#ifndef PF_DATASET_H
#define PF_DATASET_H

#include <stddef.h>

#include "error.h"

/* One column of the data file and what it became: "feature", "participant
 * (data.participant_column)", "excluded: text, not numbers (line 2: 'Deutsch')", ... */
typedef struct {
    char *name;
    char *use;
    int is_feature;
} pf_column;

typedef struct {
    size_t n_windows;
    size_t n_features;
    size_t n_participants;
    double *x;            /* n_windows x n_features, row-major, unscaled */
    double *y;            /* n_windows: the target (arousal) */
    int *participant;     /* n_windows: participant index */
    int *group;           /* n_windows: group index, or NULL without a group column */
    size_t *offset;       /* n_participants + 1: participant p owns rows offset[p]..offset[p+1]-1 */
    char **feature_names; /* n_features */
    char **participant_ids; /* n_participants: as in the file */
    char **group_names;     /* n_groups, or NULL */
    size_t n_groups;

    /* What loading did, for the dry-run plan and the results file. */
    size_t n_rows_read;            /* data rows in the file (ticks for the tick layout) */
    size_t n_dropped_target;       /* rows dropped because the target was empty */
    size_t n_dropped_participants; /* participants below data.min_windows */
    size_t n_missing;              /* feature cells missing (NAN), imputed per fold */
    char description[256];         /* e.g. "AGAIN windows: heist_3000ms.csv" */
    char sha256[65];               /* of the data file, 64 hex digits; "" for synthetic data */
    char path[4096];               /* the data file as an absolute path; "" for synthetic */
    char delimiter;                /* the file's field separator (0 for synthetic data) */
    size_t n_columns;              /* columns of the file (0 for synthetic data) */
    pf_column *columns;            /* what each became, in file order */
} pf_dataset;

/* Allocate an empty dataset with room for the given sizes (names unset). */
pf_dataset *pf_dataset_alloc(size_t n_windows, size_t n_features, size_t n_participants,
                             int with_groups, pf_error *err);
void pf_dataset_free(pf_dataset *ds);

/* Windows of participant p. */
static inline size_t pf_dataset_count(const pf_dataset *ds, size_t p)
{
    return ds->offset[p + 1] - ds->offset[p];
}

#endif
