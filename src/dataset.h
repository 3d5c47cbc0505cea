/* dataset.h: the windows an experiment learns from, whatever file they came from.
 *
 * Three sources fill the same struct: the AGAIN loader (the official 250 ms tick file, which
 * it filters by game/genre and aggregates into windows, or an already-windowed per-game file),
 * a generic CSV loader, and the built-in synthetic generator (synthetic.h). Rows are grouped
 * by participant, participants in order of first appearance and each participant's windows
 * in time order, so participant p owns rows [offset[p], offset[p+1]). Features stay as
 * doubles here, unscaled: scaling is fitted per fold on training participants (folds.h). */
#ifndef PF_DATASET_H
#define PF_DATASET_H

#include <stddef.h>

#include "config.h"
#include "error.h"

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
    size_t n_imputed;              /* feature cells filled by data.missing */
    char description[256];         /* e.g. "AGAIN windows: heist_3000ms.csv" */
} pf_dataset;

/* Load the dataset the config describes (any source). Returns NULL with err filled
 * (PF_EINPUT for problems in the data or config, PF_ERUNTIME for I/O failures). */
pf_dataset *pf_dataset_load(const pf_config *cfg, pf_error *err);

/* Loaders for one source each (pf_dataset_load dispatches).
 *
 * Columns, by header name (trimmed; a UTF-8 BOM, CRLF and quoted fields are fine):
 * data.participant_column and data.target_column must exist; data.time_column orders each
 * participant's windows (absent: file order); data.group_column fills group/group_names;
 * data.drop_columns must all exist. None of these is a feature, nor is any column whose name
 * starts with "[control]", "[string]" or "[output]", nor, for source = again, "Cluster" (a
 * grouping added by the publishers of the per-game files). Every other column is a feature
 * and must hold numbers; an empty cell is an error unless data.missing = mean|zero. A row
 * with an empty target is dropped and counted.
 *
 * The AGAIN tick layout (data.layout = ticks, or auto and a "[control]game" column) keeps the
 * rows of data.game / data.genre (matched ignoring case and punctuation), drops the columns
 * empty for all of them, and averages each (participant, session) run of
 * data.window_ms / data.tick_ms ticks into one window, in time order (data.time_column if the
 * file has it, else "[control]time_index"); a last window with at least half the ticks is
 * kept. Session: data.session_column, else "[control]session_id". */
pf_dataset *pf_dataset_load_again(const pf_config *cfg, pf_error *err);
pf_dataset *pf_dataset_load_csv(const pf_config *cfg, pf_error *err);

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
