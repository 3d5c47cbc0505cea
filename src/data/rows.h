/* rows.h: a data file's rows as the reader stored them, before ordering and filtering, and the
 * order a dataset puts them in (participant, session, time, file position). */
#ifndef PF_ROWS_H
#define PF_ROWS_H

#include <stddef.h>

#include "base/error.h"

/* Rows as the file gave them, before ordering and filtering. x holds the candidate feature
 * columns (feat_col of the table), NAN for a missing cell. */
typedef struct {
    size_t n, cap;
    size_t n_feat;
    size_t n_y;   /* targets per row (>= 1) */
    double *x;    /* n x n_feat */
    double *y;    /* n x n_y: targets; a class label as its index in the table's labels */
    double *t;    /* time value, or the row's position without a time column */
    size_t *line; /* physical line in the file (the first tick's, for aggregated windows) */
    size_t *rec;  /* data row in the file, from 0 after the header (the first tick's, likewise) */
    size_t *pid;  /* participant index (first appearance) */
    size_t *sid;  /* session index; 0 without a session column */
    size_t *gid;  /* group index; 0 without a group column */
} pf_rows;

int pf_rows_reserve(pf_rows *r, size_t need, pf_error *err);
void pf_rows_free(pf_rows *r);
/* Row from copied over row to, every field: how rows are compacted in place. */
void pf_rows_move(pf_rows *r, size_t to, size_t from);

/* Rows ordered by participant (first appearance), session, time, then file position. */
typedef struct {
    size_t pid, sid;
    double t;
    size_t idx;
} pf_row_key;

pf_row_key *pf_rows_order(const pf_rows *r, pf_error *err);

/* The rows themselves put in that order, in place (a file already in order costs one pass and
 * no memory; otherwise the keys and a bitmap). */
int pf_rows_sort(pf_rows *r, pf_error *err);

#endif
