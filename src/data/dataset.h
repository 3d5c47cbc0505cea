/* dataset.h: the windows an experiment learns from, whatever produced them.
 *
 * The container every later stage reads: sources (load.h: the AGAIN and generic CSV
 * loaders, the synthetic generator) fill it and nothing else changes it. Rows are grouped by
 * participant, participants in order of first appearance and each participant's windows in
 * time order, so participant p owns rows [offset[p], offset[p+1]). Features stay doubles,
 * unscaled, with NAN for a missing cell when data.missing allows them: imputation and scaling
 * are fitted per fold on training participants only (split.h), never here.
 * Definitions and the exact rules: docs/data.md. */
#ifndef PF_DATASET_H
#define PF_DATASET_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "config/task.h"

/* One column of the data file and what it became: "feature", "participant
 * (data.participant_column)", "excluded: text, not numbers (line 2: 'Deutsch')", ... */
typedef struct {
    char *name;
    char *use;
    int is_feature;
} pf_column;

/* A window of a kept participant that data.transform_margin dropped (target.h): it never reaches
 * a model, but the predictions of a run list it, marked dropped (docs/data.md#window-rows). */
typedef struct {
    size_t participant; /* its participant's index in the dataset */
    size_t row;         /* its data row in the file, as pf_dataset.row */
    double time;        /* its time, as pf_dataset.time; NaN without a time column */
    double target;      /* the continuous target that lay within the margin of the threshold */
    size_t before;      /* the window it came before in its participant's time order, or
                         * offset[participant + 1] when it came after all of them */
} pf_dropped_window;

typedef struct {
    size_t n_windows;
    size_t n_features;
    size_t n_participants;
    double *x;              /* n_windows x n_features, row-major, unscaled */
    pf_task_kind task;      /* regression or classification */
    size_t n_targets;       /* columns of y: regression outputs; 1 (the label) for classification */
    char **target_names;    /* n_targets */
    double *y;              /* n_windows x n_targets; classification: the class index 0..C-1 */
    size_t n_classes;       /* classification: C >= 2 classes; 0 for regression */
    char **class_names;     /* n_classes, in class order (numeric when all are numbers) */
    size_t n_attributes;    /* participant attributes (data.attribute_columns) */
    char **attribute_names; /* n_attributes */
    char **attribute_values; /* n_participants x n_attributes, as in the file */
    int *participant;        /* n_windows: participant index */
    int *group;              /* n_windows: group index, or NULL without a group column */
    size_t *offset; /* n_participants + 1: participant p owns rows offset[p]..offset[p+1]-1 */
    size_t *row;    /* n_windows: the window's data row in the file, counted from 0 after the header
                     * (for AGAIN ticks, its first tick's); synthetic data: the window's index */
    double *time;   /* n_windows: its data.time_column value (AGAIN ticks: its index in the
                     * session), or NULL when the data has no time column */
    size_t n_dropped_windows;   /* windows of kept participants dropped by the margin */
    pf_dropped_window *dropped; /* n_dropped_windows, in dataset order */
    char **feature_names;       /* n_features */
    char **participant_ids;     /* n_participants: as in the file */
    char **group_names;         /* n_groups, or NULL */
    size_t n_groups;

    /* What loading did, for the dry-run plan and the results file. */
    size_t n_rows_read;            /* data rows in the file (ticks for the tick layout) */
    size_t n_dropped_target;       /* rows dropped because a target or the label was empty */
    size_t n_dropped_margin;       /* windows within data.transform_margin of the threshold */
    char warning[2048];            /* what the user should know: lines ending in '\n', or "" */
    size_t n_dropped_participants; /* participants below data.min_windows */
    size_t n_missing;              /* feature cells missing (NAN), imputed per fold */
    char description[256];         /* e.g. "AGAIN windows: heist_3000ms.csv" */
    size_t description_name_at;    /* where the data file's name starts in description */
    size_t description_name_cap;   /* the most bytes of that name shown (0: no file named) */
    char sha256[65];               /* of the data file, 64 hex digits; "" for synthetic data */
    char path[4096];               /* the data file as an absolute path; "" for synthetic */
    char delimiter;                /* the file's field separator (0 for synthetic data) */
    size_t n_columns;              /* columns of the file (0 for synthetic data) */
    pf_column *columns;            /* what each became, in file order */
} pf_dataset;

/* Allocate an empty regression dataset with room for the given sizes (names unset; the
 * target names are set to "y" for one target and "y1", "y2", ... for more, for sources and
 * tests that have no better names). Every window's row is its index (a source reading a file
 * sets the file's rows); no time column (time NULL); no dropped windows. */
pf_dataset *pf_dataset_alloc(size_t n_windows, size_t n_features, size_t n_targets,
                             size_t n_participants, int with_groups, pf_error *err);
void pf_dataset_free(pf_dataset *ds);

/* The groups of column a of a participants x A table of attribute values (as
 * ds->attribute_values): its distinct values other than "no value" (pf_config_is_na), in byte
 * order, as malloc'd copies in *names (n_groups of them), and each participant's group, or -1
 * without a value, in of[P]. Byte order makes the groups independent of the file's row order.
 * The one rule for grouping people by an attribute: FairGRAPE's groups and the fairness
 * analysis both use it. */
int pf_dataset_attribute_groups(char *const *values, size_t P, size_t A, size_t a,
                                const pf_config *cfg, char ***names, size_t *n_groups, int *of,
                                pf_error *err);

/* ds->description: what (e.g. "AGAIN windows: "), then the file name of path (pf_path_base) cut
 * to name_cap bytes (the whole cut to its 256 bytes). Where the name starts and its cap are kept in
 * ds, so the same data read from a copy under another name is described with that name (the
 * parsed-data cache, cache.h, describes a dataset it read back this way). */
void pf_dataset_describe(pf_dataset *ds, const char *what, size_t name_cap, const char *path);

/* Add one line (printf-style, no trailing newline) to ds->warning. A line that does not fit
 * whole is replaced by a note that more was cut. */
void pf_dataset_warn(pf_dataset *ds, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Room in ds->dropped for every window, before a pass that drops some (target.h's margin), so
 * that dropping cannot fail half-way. PF_ERUNTIME when memory runs out. */
int pf_dataset_reserve_dropped(pf_dataset *ds, pf_error *err);

/* Note window i, of the participant that will have index participant once the dataset is
 * compacted, as dropped by data.transform_margin, before the window that will have index before
 * (pf_dropped_window): its row, time and target are read from ds now, before the compaction
 * overwrites them. Needs the room pf_dataset_reserve_dropped makes. */
void pf_dataset_drop_window(pf_dataset *ds, size_t i, size_t participant, size_t before);

/* The task shape of this data (config/task.h). */
static inline const pf_task_shape *pf_dataset_shape(const pf_dataset *ds)
{
    return pf_task_shape_of(ds->task, ds->n_targets);
}

/* Output units of a model of this data: the targets, or the classes. */
static inline size_t pf_dataset_n_outputs(const pf_dataset *ds)
{
    return pf_task_outputs(pf_dataset_shape(ds), ds->n_targets, ds->n_classes);
}

/* Windows of participant p. */
static inline size_t pf_dataset_count(const pf_dataset *ds, size_t p)
{
    return ds->offset[p + 1] - ds->offset[p];
}

/* The groups of people called by -- data.group_column, or a participant attribute
 * (pf_dataset_attribute_groups) -- as one group index per window (-1: none), in a new array
 * of n_windows (free it), and how many groups there are in *n_groups. The one place a grouping of
 * people is decided, for any criterion that scores by group (FairGRAPE's prune.fairgrape_group).
 * NULL with err set for a name that is neither, or when memory runs out. */
int *pf_dataset_window_groups(const pf_dataset *ds, const pf_config *cfg, const char *by,
                              size_t *n_groups, pf_error *err);

/* PF_OK when each of the n participant indices lies in 0..n_participants-1; PF_ERUNTIME
 * otherwise (indices come from folds and the runner, so a bad one is a program bug). */
int pf_dataset_check_participants(const pf_dataset *ds, const int *parts, size_t n, pf_error *err);

#endif
