/* table.h: from a CSV file to typed rows, with every column's role decided and explained.
 *
 * This is where a researcher's own file meets the config. The header is matched against the
 * role keys (data.participant_column, target_column, time_column, session_column,
 * group_column, drop_columns, feature_columns); a name the config gives that the header lacks
 * is an error with a "did you mean" over every header name. Cells equal to one of
 * data.na_values, or empty, are missing. Which columns are features:
 *
 *   - data.feature_columns = a, b, c: exactly those, and each must hold numbers;
 *   - data.feature_columns = auto: every column without a role that holds numbers. A column
 *     holding only text (names, lists, True/False) is excluded, and so is one empty in every
 *     row read; a column holding numbers in some rows and text in others is an error, since
 *     that is a typo or an undeclared missing-value code, not a text column.
 *
 * All columns with text where numbers belong are reported in one message, each with its
 * first offending line, so a file is cleaned in one pass, not one rerun per column. Every
 * column ends with a one-line account of what it became (pf_column), which --dry-run prints
 * and the results file keeps.
 *
 * A source adds its own rules through pf_table_rules (AGAIN: metadata columns by name, its
 * default time and session columns, the game filter); a plain CSV needs none.
 * Definitions and the exact rules: docs/data.md#column-roles. */
#ifndef PF_TABLE_H
#define PF_TABLE_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "data/csvfile.h"
#include "data/dataset.h"
#include "data/intern.h"
#include "data/rows.h"

typedef enum {
    PF_ROLE_FEATURE, /* a candidate feature until typing decides */
    PF_ROLE_PARTICIPANT,
    PF_ROLE_TARGET,
    PF_ROLE_TIME,
    PF_ROLE_SESSION,
    PF_ROLE_GROUP,
    PF_ROLE_ATTRIBUTE,
    PF_ROLE_SOURCE,  /* used by the source's rules (e.g. AGAIN's game column) */
    PF_ROLE_EXCLUDED /* not a feature; why is in the column's reason */
} pf_role;

/* Per candidate feature: what its cells were, for typing after the last row. */
typedef struct {
    size_t n_number, n_text; /* text includes non-finite numbers ("nan", "-inf") */
    size_t n_nonfinite;
    size_t text_line; /* first line holding text */
    char text[48];    /* that text, shortened for a message */
} pf_cell_census;

typedef struct pf_table pf_table;

typedef struct {
    /* After the configured roles are set: give the source's own columns their roles. */
    int (*on_header)(void *self, pf_table *t, pf_error *err);
    /* Whether a data row is part of the selection; NULL keeps every row. */
    int (*keep_row)(void *self, pf_table *t, char **field, size_t line, int *keep, pf_error *err);
    /* After each block's rows are stored, features parsed (last = 0), and once more when the
     * file is read, before typing (last = 1): the source may consume rows as they come (AGAIN's
     * tick windows), leaving in t->rows what it keeps. NULL: rows are kept as read. */
    int (*on_rows)(void *self, pf_table *t, int last, pf_error *err);
    void *self;
} pf_table_rules;

struct pf_table {
    const pf_config *cfg;
    const char *path;
    pf_error *err;
    pf_csvfile_info file;
    int selecting; /* the rules filter rows: messages say "selected rows" */

    size_t n_cols, header_line;
    char **name;            /* trimmed header names */
    pf_role *role;          /* per column */
    char **reason;          /* per column: why it is excluded (owned), or NULL */
    size_t *feat_col;       /* candidate feature slot -> column */
    pf_cell_census *census; /* per candidate feature slot */
    size_t n_feat;
    long c_participant, c_time, c_session, c_group; /* -1 = absent */
    size_t n_targets;
    long c_target[PF_MAX_LIST]; /* data.target_column, in order */
    int labels;                 /* the target is a class label (classification, no transform) */
    pf_intern label;            /* label texts in order of first appearance */
    size_t n_attr;
    long c_attr[PF_MAX_LIST]; /* data.attribute_columns, in order */
    pf_intern *attr_values;   /* per attribute: its values */
    size_t *attr_of;          /* [participant][attribute]: 1 + value index, 0 = not seen yet */
    size_t *attr_line;        /* [participant][attribute]: the line that set it */
    size_t attr_cap;          /* participants attr_of has room for */

    pf_rows rows;
    pf_intern participants, sessions, groups;
    size_t n_rows_read, n_dropped_target;
    size_t n_kept; /* rows stored, whether or not the source consumed them since */
};

/* Column index of a header name, or -1. */
long pf_table_column(const pf_table *t, const char *name);

/* Mark column c as not a feature, with a reason (copied) for the column report. */
int pf_table_exclude(pf_table *t, size_t c, const char *reason);

/* Read the file cfg names into a new table (free with pf_table_free) with rules (may be
 * NULL), type the candidate features and keep the numeric ones. At least one row is kept. */
pf_table *pf_table_read(const pf_config *cfg, const pf_table_rules *rules, pf_error *err);

/* Remove the candidate features whose role is no longer PF_ROLE_FEATURE from rows and
 * feat_col (after pf_table_exclude). */
void pf_table_compact(pf_table *t);

/* The dataset: rows ordered by participant, session and time, participants with fewer than
 * data.min_windows windows dropped, missing cells checked against data.missing, every
 * column's account attached. The description is what, then the file's name cut to name_cap
 * bytes (pf_dataset_describe). The rows are ordered in place and their arrays become the
 * dataset's (a large file is held once), so t->rows is spent: only pf_table_free follows. */
pf_dataset *pf_table_to_dataset(pf_table *t, const char *what, size_t name_cap, pf_error *err);

void pf_table_free(pf_table *t);

#endif
