/* table.c: column roles, typing and rows (see table.h).
 *
 * The flow: header -> configured roles (each named column must exist) -> the source's roles
 * -> candidate features -> rows (ids interned, the target and time parsed, feature cells
 * parsed or counted as text) -> typing over the whole file (one message for every column with
 * text where numbers belong) -> [the source's own steps, e.g. AGAIN's tick windows] ->
 * ordered, filtered dataset with a report line per column. */
#include "data/table.h"
#include "base/alloc.h"
#include "config/task.h"
#include "data/number.h"

#include <ctype.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define HEADER_SHOWN 2400 /* bytes of header names quoted in a "columns found" hint */
#define MIXED_SHOWN  12   /* columns listed in one "text where numbers belong" message */

/* ---- small helpers ------------------------------------------------------------------------ */

static char *format_text(pf_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *format_text(pf_error *err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return pf_alloc_text(buf, err);
}

/* A cell is missing when empty or one of data.na_values; a number only if strtod (as
 * pf_number_parse computes it) consumes all of it and the value is finite ("nan", "inf" and
 * overflowing text are not measurements). Returns 1 for a number, 0 for missing, -1 for text and -2
 * for a non-finite number (never a measurement, and never mistaken for a text column either). Cells
 * arrive trimmed. */
static int parse_cell(const pf_config *cfg, const char *s, double *v)
{
    if (s[0] == '\0' || (cfg->na_values.n > 0 && pf_config_is_na(cfg, s))) return 0;
    char *end;
    double d = pf_number_parse(s, &end);
    if (end == s || *end != '\0') return -1;
    if (!isfinite(d)) return -2;
    *v = d;
    return 1;
}

/* The offending cell as it can be shown in a one-line message: control characters (a stray
 * ESC or NUL is a classic reason for "not a number") as \xNN, long text cut short. */
static void show_text(char *out, size_t size, const char *s)
{
    size_t used = 0;
    for (; *s && used + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            used += (size_t)snprintf(out + used, size - used, "\\x%02x", c);
        else
            out[used++] = (char)c;
    }
    snprintf(out + used, size - used, "%s", *s ? "..." : "");
}

/* ---- the header: configured roles --------------------------------------------------------- */

long pf_table_column(const pf_table *t, const char *name)
{
    if (name[0] == '\0') return -1;
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->name[c], name) == 0) return (long)c;
    return -1;
}

int pf_table_exclude(pf_table *t, size_t c, const char *reason)
{
    t->role[c] = PF_ROLE_EXCLUDED;
    free(t->reason[c]);
    return (t->reason[c] = pf_alloc_text(reason, t->err)) ? PF_OK : t->err->code;
}

/* A column the config names is not in the header: name the key, the closest header name and
 * the whole header, so a typo or another naming convention is visible at once. */
static int missing_column(const pf_table *t, const char *key, const char *name, const char *fix)
{
    char found[HEADER_SHOWN + 64], hint[200] = "";
    size_t used = 0, c = 0;
    for (; c < t->n_cols && used + strlen(t->name[c]) + 8 < HEADER_SHOWN; c++)
        used += (size_t)snprintf(found + used, sizeof found - used, "%s'%s'", c ? ", " : "",
                                 t->name[c]);
    if (c < t->n_cols) snprintf(found + used, sizeof found - used, ", ...");
    const char *close = pf_error_closest(name, (const char *const *)t->name, t->n_cols);
    if (close) snprintf(hint, sizeof hint, "did you mean '%s'? ", close);
    return pf_error_set(t->err, PF_EINPUT,
                        "data file '%s' has no column '%s' (%s); %s%s. The header (line %zu) has "
                        "%zu columns: %s",
                        t->path, name, key, hint, fix, t->header_line, t->n_cols, found);
}

/* Find a role column the config names (absent = an error; empty name = no such column). */
static int role_column(pf_table *t, const char *key, const char *label, const char *name,
                       pf_role role, long *col, const char *fix)
{
    *col = pf_table_column(t, name);
    if (name[0] != '\0' && *col < 0) return missing_column(t, key, name, fix);
    if (*col < 0) return PF_OK;
    if (t->role[*col] != PF_ROLE_FEATURE)
        return pf_error_set(t->err, PF_EINPUT,
                            "%s = %s names a column that already has another role (%s); give "
                            "each role its own column",
                            key, name, t->reason[*col] ? t->reason[*col] : "see the config");
    t->role[*col] = role;
    t->reason[*col] = format_text(t->err, "%s (%s)", label, key);
    return t->reason[*col] ? PF_OK : t->err->code;
}

/* The targets (one output each, or the label) and the participant attributes. */
static int list_roles(pf_table *t)
{
    const pf_config *cfg = t->cfg;
    int cls = pf_task_shape_of(cfg->task, cfg->target_columns.n)->labels;
    t->n_targets = cfg->target_columns.n;
    t->labels = cls && cfg->target_transform == PF_TRANSFORM_NONE;
    for (size_t i = 0; i < t->n_targets; i++)
        if (role_column(t, "data.target_column", cls ? "label" : "target",
                        cfg->target_columns.item[i], PF_ROLE_TARGET, &t->c_target[i],
                        "set data.target_column to the column holding the label") != PF_OK)
            return t->err->code;
    t->n_attr = cfg->attribute_columns.n;
    if (t->n_attr > 0 &&
        (t->attr_values = pf_alloc(t->n_attr, sizeof *t->attr_values, t->err)) == NULL)
        return t->err->code;
    for (size_t a = 0; a < t->n_attr; a++)
        if (role_column(t, "data.attribute_columns", "participant attribute",
                        cfg->attribute_columns.item[a], PF_ROLE_ATTRIBUTE, &t->c_attr[a],
                        "fix the name, or remove it from data.attribute_columns") != PF_OK)
            return t->err->code;
    return PF_OK;
}

static int configured_roles(pf_table *t)
{
    const pf_config *cfg = t->cfg;
    if (role_column(t, "data.participant_column", "participant", cfg->participant_column,
                    PF_ROLE_PARTICIPANT, &t->c_participant,
                    "set data.participant_column to the column of ids") ||
        list_roles(t) != PF_OK ||
        role_column(t, "data.time_column", "time", cfg->time_column, PF_ROLE_TIME, &t->c_time,
                    "fix the name, or leave data.time_column empty to keep file order") ||
        role_column(t, "data.session_column", "session", cfg->session_column, PF_ROLE_SESSION,
                    &t->c_session, "fix the name, or leave data.session_column empty") ||
        role_column(t, "data.group_column", "group", cfg->group_column, PF_ROLE_GROUP, &t->c_group,
                    "fix the name, or leave data.group_column empty for no groups"))
        return t->err->code;
    for (size_t i = 0; i < cfg->drop_columns.n; i++) {
        long c = pf_table_column(t, cfg->drop_columns.item[i]);
        if (c < 0)
            return missing_column(t, "data.drop_columns", cfg->drop_columns.item[i],
                                  "fix its spelling, or remove it from data.drop_columns");
        if (t->role[c] != PF_ROLE_FEATURE)
            return pf_error_set(t->err, PF_EINPUT,
                                "data.drop_columns lists '%s', which is the %s column: it is "
                                "needed; remove it from data.drop_columns",
                                cfg->drop_columns.item[i], t->reason[c]);
        if (pf_table_exclude(t, (size_t)c, "excluded by data.drop_columns") != PF_OK)
            return t->err->code;
    }
    return PF_OK;
}

static int is_auto(const pf_config *cfg)
{
    return cfg->feature_columns.n == 1 && strcmp(cfg->feature_columns.item[0], "auto") == 0;
}

/* data.feature_columns as a list: those columns and no others. */
static int listed_features(pf_table *t)
{
    const pf_strlist *f = &t->cfg->feature_columns;
    unsigned char *listed = pf_alloc(t->n_cols, 1, t->err);
    if (listed == NULL) return t->err->code;
    int status = PF_OK;
    for (size_t i = 0; i < f->n && status == PF_OK; i++) {
        long c = pf_table_column(t, f->item[i]);
        if (c < 0)
            status = missing_column(t, "data.feature_columns", f->item[i],
                                    "fix its spelling, or remove it from data.feature_columns");
        else if (t->role[c] != PF_ROLE_FEATURE)
            status = pf_error_set(t->err, PF_EINPUT,
                                  "data.feature_columns lists '%s', which is the %s column; a "
                                  "column has one role: remove it from the list",
                                  f->item[i], t->reason[c] ? t->reason[c] : "excluded");
        else
            listed[c] = 1;
    }
    for (size_t c = 0; c < t->n_cols && status == PF_OK; c++)
        if (t->role[c] == PF_ROLE_FEATURE && !listed[c])
            status = pf_table_exclude(t, c, "not in data.feature_columns");
    free(listed);
    return status;
}

static int read_header(pf_table *t, char **field, size_t n, size_t line,
                       const pf_table_rules *rules)
{
    t->n_cols = n;
    t->header_line = line;
    t->name = pf_alloc(n, sizeof *t->name, t->err);
    t->role = pf_alloc(n, sizeof *t->role, t->err);
    t->reason = pf_alloc(n, sizeof *t->reason, t->err);
    t->feat_col = pf_alloc(n, sizeof *t->feat_col, t->err);
    t->census = pf_alloc(n, sizeof *t->census, t->err);
    if (!t->name || !t->role || !t->reason || !t->feat_col || !t->census) return t->err->code;
    pf_intern seen = {0};
    int status = PF_OK;
    for (size_t c = 0; c < n && status == PF_OK; c++) {
        size_t first;
        int is_new;
        if (field[c][0] == '\0')
            status =
                pf_error_set(t->err, PF_EINPUT,
                             "data file '%s' line %zu: column %zu of the header has no name; name "
                             "it (and list it in data.drop_columns if it is not a feature)",
                             t->path, line, c + 1);
        else if ((status = pf_intern_add(&seen, field[c], &first, &is_new, t->err)) == PF_OK &&
                 !is_new)
            status = pf_error_set(
                t->err, PF_EINPUT,
                "data file '%s' line %zu: columns %zu and %zu are both named '%s'; rename one",
                t->path, line, first + 1, c + 1, field[c]);
        else if (status == PF_OK && (t->name[c] = pf_alloc_text(field[c], t->err)) == NULL)
            status = t->err->code;
    }
    pf_intern_free(&seen);
    if (status != PF_OK || configured_roles(t) != PF_OK) return t->err->code;
    if (rules && rules->on_header && rules->on_header(rules->self, t, t->err) != PF_OK)
        return t->err->code;
    if (!is_auto(t->cfg) && listed_features(t) != PF_OK) return t->err->code;
    for (size_t c = 0; c < n; c++)
        if (t->role[c] == PF_ROLE_FEATURE) t->feat_col[t->n_feat++] = c;
    t->rows.n_feat = t->n_feat;
    t->rows.n_y = t->n_targets;
    return PF_OK;
}

/* ---- rows ---------------------------------------------------------------------------------- */

static int bad_number(const pf_table *t, size_t line, size_t col, const char *text, const char *fix)
{
    char shown[72];
    show_text(shown, sizeof shown, text);
    return pf_error_set(
        t->err, PF_EINPUT,
        "data file '%s' line %zu, column '%s' (column %zu): '%s' is not a number; %s", t->path,
        line, t->name[col], col + 1, shown, fix);
}

static int id_index(pf_table *t, pf_intern *ids, char **field, long col, size_t line, size_t *index)
{
    *index = 0;
    if (col < 0) return PF_OK;
    if (field[col][0] == '\0')
        return pf_error_set(t->err, PF_EINPUT,
                            "data file '%s' line %zu, column '%s' (column %ld) is empty; every row "
                            "needs a value there",
                            t->path, line, t->name[col], col + 1);
    return pf_intern_add(ids, field[col], index, NULL, t->err);
}

/* Feature cells: numbers are stored, missing cells are NAN, and text is counted per column
 * (with its first line) in census, so that typing can judge the whole column at the end. */
static void store_features(const pf_table *t, char **field, size_t line, double *x,
                           pf_cell_census *census)
{
    for (size_t j = 0; j < t->n_feat; j++) {
        const char *cell = field[t->feat_col[j]];
        pf_cell_census *cs = &census[j];
        int kind = parse_cell(t->cfg, cell, &x[j]);
        if (kind <= 0) x[j] = NAN;
        if (kind > 0) cs->n_number++;
        cs->n_nonfinite += kind == -2;
        if (kind < 0 && cs->n_text++ == 0) {
            cs->text_line = line;
            show_text(cs->text, sizeof cs->text, cell);
        }
    }
}

/* Attributes belong to the participant: the first row fixes each value, and a later row that
 * says otherwise is an error naming both lines. */
static int store_attributes(pf_table *t, char **field, size_t line, size_t pid)
{
    if (t->n_attr == 0) return PF_OK;
    if (pid >= t->attr_cap) {
        size_t cap = t->attr_cap ? 2 * t->attr_cap : 64;
        while (cap <= pid) cap *= 2;
        size_t *of = pf_alloc_resize(t->attr_of, cap * t->n_attr, sizeof *of);
        if (of) t->attr_of = of;
        size_t *at = of ? pf_alloc_resize(t->attr_line, cap * t->n_attr, sizeof *at) : NULL;
        if (at == NULL) return pf_error_set(t->err, PF_ERUNTIME, "out of memory (attributes)");
        t->attr_line = at;
        memset(t->attr_of + t->attr_cap * t->n_attr, 0,
               (cap - t->attr_cap) * t->n_attr * sizeof *t->attr_of);
        t->attr_cap = cap;
    }
    for (size_t a = 0; a < t->n_attr; a++) {
        size_t v, *slot = &t->attr_of[pid * t->n_attr + a];
        const char *text = field[t->c_attr[a]];
        if (pf_intern_add(&t->attr_values[a], text, &v, NULL, t->err) != PF_OK) return t->err->code;
        if (*slot == 0) {
            *slot = v + 1;
            t->attr_line[pid * t->n_attr + a] = line;
        } else if (*slot != v + 1) {
            return pf_error_set(
                t->err, PF_EINPUT,
                "data file '%s': attribute '%s' of participant '%s' is '%s' on line %zu but "
                "'%s' on line %zu; an attribute describes the participant and must be the same "
                "in all their rows (fix the file, or leave the column out of "
                "data.attribute_columns)",
                t->path, t->name[t->c_attr[a]], t->participants.name[pid],
                t->attr_values[a].name[*slot - 1], t->attr_line[pid * t->n_attr + a], text, line);
        }
    }
    return PF_OK;
}

static int store_row(pf_table *t, char **field, size_t line, const double *y)
{
    pf_rows *r = &t->rows;
    if (pf_rows_reserve(r, r->n + 1, t->err) != PF_OK) return t->err->code;
    size_t i = r->n;
    memcpy(r->y + i * r->n_y, y, r->n_y * sizeof *y);
    r->line[i] = line;
    r->rec[i] = t->n_rows_read - 1; /* read_record counted this row */
    r->t[i] = (double)i;
    if (t->c_time >= 0 && parse_cell(t->cfg, field[t->c_time], &r->t[i]) != 1)
        return bad_number(t, line, (size_t)t->c_time, field[t->c_time],
                          "the time column orders the windows and must be numeric in every row "
                          "(leave data.time_column empty to keep file order)");
    if (id_index(t, &t->participants, field, t->c_participant, line, &r->pid[i]) != PF_OK ||
        id_index(t, &t->sessions, field, t->c_session, line, &r->sid[i]) != PF_OK ||
        id_index(t, &t->groups, field, t->c_group, line, &r->gid[i]) != PF_OK ||
        store_attributes(t, field, line, r->pid[i]) != PF_OK)
        return t->err->code;
    r->n++; /* its features are parsed with the rest of its batch (parse_features) */
    t->n_kept++;
    return PF_OK;
}

typedef struct {
    pf_table *t;
    const pf_table_rules *rules;
    int threads;
    char ***pending; /* the fields of each row the current batch stored */
    size_t n_pending, cap_pending;
    pf_cell_census *local; /* threads x n_feat: each thread's census of the batch */
    double file_bytes;     /* the file's size, for the number of rows to expect */
    size_t n_batches;
} read_ctx;

/* A class label: any text (numbers or strings); missing as for any cell. Its index is the order
 * of first appearance until the dataset is built, which orders the classes. -3: out of
 * memory. */
static int label_index(pf_table *t, const char *cell, double *y)
{
    double ignored;
    if (parse_cell(t->cfg, cell, &ignored) == 0) return 0;
    size_t i;
    if (pf_intern_add(&t->label, cell, &i, NULL, t->err) != PF_OK) return -3;
    *y = (double)i;
    return 1;
}

static int read_record(void *ctx, char **field, size_t n, size_t line)
{
    read_ctx *rc = ctx;
    pf_table *t = rc->t;
    if (t->name == NULL) return read_header(t, field, n, line, rc->rules);
    t->n_rows_read++;
    if (n != t->n_cols)
        return pf_error_set(
            t->err, PF_EINPUT,
            "data file '%s' line %zu has %zu fields but the header (line %zu) has %zu columns; fix "
            "the row (a text field containing the separator '%s' must be quoted)",
            t->path, line, n, t->header_line, t->n_cols,
            t->file.delimiter == '\t' ? "\\t"
                                      : (char[]){t->file.delimiter ? t->file.delimiter : ',', 0});
    int keep = 1;
    if (rc->rules && rc->rules->keep_row &&
        rc->rules->keep_row(rc->rules->self, t, field, line, &keep, t->err) != PF_OK)
        return t->err->code;
    if (!keep) return PF_OK;
    double y[PF_MAX_LIST];
    for (size_t k = 0; k < t->n_targets; k++) {
        const char *cell = field[t->c_target[k]];
        int kind = t->labels ? label_index(t, cell, &y[k]) : parse_cell(t->cfg, cell, &y[k]);
        if (kind == 0) {
            t->n_dropped_target++;
            return PF_OK;
        }
        if (kind == -3) return t->err->code;
        if (kind < 0)
            return bad_number(t, line, (size_t)t->c_target[k], cell,
                              "the target must be a number (an empty target, or one listed in "
                              "data.na_values, drops the row)");
    }
    if (store_row(t, field, line, y) != PF_OK) return t->err->code;
    rc->pending[rc->n_pending++] = field;
    return PF_OK;
}

/* The feature cells of the rows a batch stored, on the reader's threads, in chunks handed out
 * as threads come free (the first touch of a fresh page of rows clears it, which would leave
 * the thread with the later rows of a static split the slower one); each thread keeps its own
 * census. A thread's chunks come in row order, so its first text is its earliest; the batch's
 * first text of a column is the earliest of the threads', and the counts are sums: the same
 * census whatever the number of threads. */
static int parse_features(read_ctx *rc)
{
    pf_table *t = rc->t;
    size_t n = rc->n_pending, F = t->n_feat, first = t->rows.n - n;
    if (n == 0 || F == 0) return PF_OK;
    if (rc->local == NULL &&
        (rc->local = pf_alloc((size_t)rc->threads * F, sizeof *rc->local, t->err)) == NULL)
        return t->err->code;
    memset(rc->local, 0, (size_t)rc->threads * F * sizeof *rc->local);
    int threads = n >= 4096 ? rc->threads : 1;
#pragma omp parallel num_threads(threads)
    {
        pf_cell_census *mine = rc->local + (size_t)omp_get_thread_num() * F;
        long N = (long)n;
#pragma omp for schedule(dynamic, 256)
        for (long k = 0; k < N; k++)
            store_features(t, rc->pending[k], t->rows.line[first + (size_t)k],
                           t->rows.x + (first + (size_t)k) * F, mine);
    }
    for (size_t j = 0; j < F; j++) {
        pf_cell_census *g = &t->census[j];
        const pf_cell_census *earliest = NULL;
        for (int th = 0; th < threads; th++) {
            const pf_cell_census *l = &rc->local[(size_t)th * F + j];
            if (l->n_text > 0 && (earliest == NULL || l->text_line < earliest->text_line))
                earliest = l;
            g->n_number += l->n_number;
            g->n_nonfinite += l->n_nonfinite;
        }
        if (earliest != NULL && g->n_text == 0) { /* earlier batches' text comes first */
            g->text_line = earliest->text_line;
            memcpy(g->text, earliest->text, sizeof g->text);
        }
        for (int th = 0; th < threads; th++) g->n_text += rc->local[(size_t)th * F + j].n_text;
    }
    return PF_OK;
}

/* A block's records in file order; the first error stops the reading. */
static int read_batch(void *ctx, const pf_csvfile_record *rec, size_t n)
{
    read_ctx *rc = ctx;
    if (n > rc->cap_pending) {
        char ***p = pf_alloc_resize(rc->pending, n, sizeof *p);
        if (p == NULL) return pf_error_set(rc->t->err, PF_ERUNTIME, "out of memory reading rows");
        rc->pending = p;
        rc->cap_pending = n;
    }
    rc->n_pending = 0;
    int status = PF_OK;
    for (size_t i = 0; i < n && status == PF_OK; i++)
        status = read_record(rc, rec[i].field, rec[i].n_fields, rec[i].line);
    /* A large file's rows are reserved once, from the first block's density, instead of
     * growing by doubling: a shortfall still grows, the excess is never touched. At most one
     * row per n_cols bytes (a row has n_cols - 1 separators and a newline), and only if the
     * memory is there: a failed reservation is no error, the rows grow as before. */
    pf_rows *r = &rc->t->rows;
    if (rc->n_batches++ == 0 && status == PF_OK && r->n > 0 &&
        rc->file_bytes > 2.0 * (double)PF_CSVFILE_BLOCK) {
        double want = (double)r->n * rc->file_bytes / (double)PF_CSVFILE_BLOCK * 1.02 + 1024;
        double most = rc->file_bytes / (double)(rc->t->n_cols > 2 ? rc->t->n_cols : 2) + 1024;
        pf_error ignored;
        pf_error_clear(&ignored);
        pf_rows_reserve(r, (size_t)(want < most ? want : most), &ignored);
    }
    if (status == PF_OK) status = parse_features(rc);
    if (status == PF_OK && rc->rules && rc->rules->on_rows)
        status = rc->rules->on_rows(rc->rules->self, rc->t, 0, rc->t->err);
    return status;
}

/* ---- typing: which candidate columns are numeric ------------------------------------------ */

void pf_table_compact(pf_table *t)
{
    pf_rows *r = &t->rows;
    size_t old = t->n_feat, kept = 0;
    for (size_t j = 0; j < old; j++) kept += t->role[t->feat_col[j]] == PF_ROLE_FEATURE;
    if (kept == old) return; /* nothing to remove: no pass over every row */
    kept = 0;
    for (size_t j = 0; j < old; j++) {
        if (t->role[t->feat_col[j]] != PF_ROLE_FEATURE) continue;
        for (size_t i = 0; i < r->n; i++) r->x[i * old + kept] = r->x[i * old + j];
        t->census[kept] = t->census[j];
        t->feat_col[kept++] = t->feat_col[j];
    }
    /* Rows were compacted within their old stride; close the gaps. */
    for (size_t i = 0; i < r->n; i++) memmove(r->x + i * kept, r->x + i * old, kept * sizeof *r->x);
    r->n_feat = t->n_feat = kept;
}

/* Columns with text where numbers belong, all in one message. */
static int report_text(pf_table *t, const size_t *bad, size_t n_bad)
{
    char list[2000];
    size_t used = 0;
    for (size_t i = 0; i < n_bad && i < MIXED_SHOWN && used < sizeof list; i++) {
        const pf_cell_census *cs = &t->census[bad[i]];
        used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s' (line %zu: '%s'%s)",
                                 i ? ", " : "", t->name[t->feat_col[bad[i]]], cs->text_line,
                                 cs->text, cs->n_number == 0 ? ", no numbers at all" : "");
    }
    if (n_bad > MIXED_SHOWN && used < sizeof list)
        snprintf(list + used, sizeof list - used, ", and %zu more", n_bad - MIXED_SHOWN);
    return pf_error_set(
        t->err, PF_EINPUT,
        "data file '%s': %zu feature column%s hold%s text where numbers belong: %s. Declare "
        "missing-value codes in data.na_values (e.g. na_values = NA, -99), exclude text "
        "columns with data.drop_columns, or name the features in data.feature_columns",
        t->path, n_bad, n_bad == 1 ? "" : "s", n_bad == 1 ? "s" : "", list);
}

/* auto: text-only and empty columns are excluded (and say so); listed features must be
 * numbers; a column of numbers with some text in it is an error either way. */
static int type_features(pf_table *t)
{
    int listed = !is_auto(t->cfg);
    size_t *bad = pf_alloc(t->n_feat, sizeof *bad, t->err), n_bad = 0;
    if (bad == NULL) return t->err->code;
    for (size_t j = 0; j < t->n_feat && t->err->code == PF_OK; j++) {
        const pf_cell_census *cs = &t->census[j];
        char why[160];
        if (cs->n_text > 0 && (listed || cs->n_number > 0 || cs->n_nonfinite > 0)) {
            bad[n_bad++] = j;
        } else if (cs->n_text > 0) {
            snprintf(why, sizeof why, "excluded: text, not numbers (line %zu: '%s')", cs->text_line,
                     cs->text);
            pf_table_exclude(t, t->feat_col[j], why);
        } else if (cs->n_number == 0 && listed) {
            pf_error_set(t->err, PF_EINPUT,
                         "data file '%s': feature column '%s' is empty in every %srow; remove it "
                         "from data.feature_columns",
                         t->path, t->name[t->feat_col[j]], t->selecting ? "selected " : "");
        } else if (cs->n_number == 0) {
            snprintf(why, sizeof why, "excluded: empty in every %srow",
                     t->selecting ? "selected " : "");
            pf_table_exclude(t, t->feat_col[j], why);
        }
    }
    if (n_bad > 0) report_text(t, bad, n_bad);
    free(bad);
    if (t->err->code != PF_OK) return t->err->code;
    pf_table_compact(t);
    if (t->n_feat == 0)
        return pf_error_set(t->err, PF_EINPUT,
                            "data file '%s' has no numeric feature column left: every column "
                            "has a role, is excluded, holds text or is empty (run with "
                            "--dry-run after fixing, or set data.feature_columns)",
                            t->path);
    return PF_OK;
}

/* ---- reading ------------------------------------------------------------------------------- */

static int after_reading(pf_table *t)
{
    if (t->name == NULL)
        return pf_error_set(t->err, PF_EINPUT,
                            "data file '%s' is empty: it needs a header line and one row per "
                            "window (check data.path)",
                            t->path);
    if (t->n_rows_read == 0)
        return pf_error_set(t->err, PF_EINPUT,
                            "data file '%s' has a header (line %zu) but no data rows", t->path,
                            t->header_line);
    if (t->n_kept == 0 && t->n_dropped_target > 0)
        return pf_error_set(t->err, PF_EINPUT,
                            "every %sdata row of '%s' has an empty or missing target in column "
                            "'%s' (set data.target_column to the column holding the label)",
                            t->selecting ? "selected " : "", t->path,
                            t->cfg->target_columns.item[0]);
    if (t->n_kept == 0) return PF_OK; /* nothing selected: the source's rules explain */
    return type_features(t);
}

pf_table *pf_table_read(const pf_config *cfg, const pf_table_rules *rules, pf_error *err)
{
    pf_table *t = pf_alloc(1, sizeof *t, err);
    if (t == NULL) return NULL;
    *t = (pf_table){.cfg = cfg,
                    .path = cfg->data_path,
                    .err = err,
                    .c_participant = -1,

                    .c_time = -1,
                    .c_session = -1,
                    .c_group = -1};
    t->selecting = rules && rules->keep_row;
    read_ctx rc = {.t = t, .rules = rules, .threads = pf_config_threads(cfg)};
    struct stat st;
    if (stat(cfg->data_path, &st) == 0) rc.file_bytes = (double)st.st_size;
    int status = pf_csvfile_read_batches(cfg->data_path, "data file", cfg->delimiter, rc.threads,
                                         read_batch, &rc, &t->file, err);
    free(rc.pending);
    free(rc.local);
    if (status == PF_OK && t->name && rules && rules->on_rows)
        status = rules->on_rows(rules->self, t, 1, err);
    if (status != PF_OK || after_reading(t) != PF_OK) {
        pf_table_free(t);
        return NULL;
    }
    return t;
}

void pf_table_free(pf_table *t)
{
    if (t == NULL) return;
    for (size_t c = 0; c < t->n_cols; c++) {
        if (t->name) free(t->name[c]);
        if (t->reason) free(t->reason[c]);
    }
    free(t->name);
    free(t->reason);
    free(t->role);
    free(t->feat_col);
    free(t->census);
    pf_rows_free(&t->rows);
    pf_intern_free(&t->participants);
    pf_intern_free(&t->sessions);
    pf_intern_free(&t->groups);
    pf_intern_free(&t->label);
    for (size_t a = 0; t->attr_values && a < t->n_attr; a++) pf_intern_free(&t->attr_values[a]);
    free(t->attr_values);
    free(t->attr_of);
    free(t->attr_line);
    free(t);
}

/* ---- to the dataset ------------------------------------------------------------------------ */

/* With data.missing = error, the missing cell nearest the top of the file is reported, with
 * how many there are in all. The threads scan contiguous runs of rows; their finds are taken
 * in thread order with the same strict comparison, as one scan would. */
static int check_missing(const pf_table *t, pf_dataset *ds, const size_t *line)
{
    size_t f = ds->n_features, n = 0, best = SIZE_MAX, best_j = 0;
    enum { MAX_THREADS = 256 };
    size_t th_n[MAX_THREADS] = {0}, th_best[MAX_THREADS], th_j[MAX_THREADS];
    int threads = pf_config_threads(t->cfg), used = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (ds->n_windows < 4096) threads = 1;
#pragma omp parallel num_threads(threads)
    {
        int me = omp_get_thread_num();
        size_t cnt = 0, b = SIZE_MAX, bj = 0;
        long N = (long)ds->n_windows;
#pragma omp for schedule(static)
        for (long li = 0; li < N; li++) {
            size_t i = (size_t)li, row = 0;
            const double *x = ds->x + i * f;
            for (size_t j = 0; j < f; j++) row += x[j] != x[j]; /* NaN */
            if (row == 0) continue;
            cnt += row;
            for (size_t j = 0; j < f; j++)
                if (isnan(x[j])) {
                    if (b == SIZE_MAX || line[i] < line[b]) b = i, bj = j;
                    break;
                }
        }
        th_n[me] = cnt, th_best[me] = b, th_j[me] = bj;
#pragma omp single
        used = omp_get_num_threads();
    }
    for (int th = 0; th < used; th++) {
        n += th_n[th];
        if (th_best[th] != SIZE_MAX && (best == SIZE_MAX || line[th_best[th]] < line[best]))
            best = th_best[th], best_j = th_j[th];
    }
    ds->n_missing = n;
    if (n == 0 || t->cfg->missing != PF_MISSING_ERROR) return PF_OK;
    size_t col = t->feat_col[best_j];
    return pf_error_set(
        t->err, PF_EINPUT,
        "data file '%s' %s %zu, column '%s' (column %zu) has no value%s (%zu missing cells in "
        "all); fill them in, set data.missing = mean or zero to impute them per fold from the "
        "training participants, or exclude the column with data.drop_columns",
        t->path, t->selecting ? "window starting at line" : "line", line[best], t->name[col],
        col + 1, t->selecting ? " in any of its ticks" : "", n);
}

/* Participants below data.min_windows are dropped; keep maps old participant index to the
 * new one (or SIZE_MAX). Returns the number kept. */
static size_t select_participants(const pf_table *t, size_t *keep, size_t *n_windows)
{
    size_t n_p = t->participants.n, kept = 0;
    size_t min = t->cfg->min_windows > 0 ? (size_t)t->cfg->min_windows : 0;
    size_t *count = keep; /* reuse: counts first, then the map */
    memset(count, 0, n_p * sizeof *count);
    for (size_t i = 0; i < t->rows.n; i++) count[t->rows.pid[i]]++;
    *n_windows = 0;
    for (size_t p = 0; p < n_p; p++) {
        if (count[p] >= min && count[p] > 0) {
            *n_windows += count[p];
            keep[p] = kept++;
        } else {
            keep[p] = SIZE_MAX;
        }
    }
    return kept;
}

/* Drop the rows of dropped participants, in place, keeping the order. */
static void drop_rows(pf_rows *r, const size_t *keep)
{
    size_t out = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (keep[r->pid[i]] == SIZE_MAX) continue;
        if (out != i) pf_rows_move(r, out, i);
        out++;
    }
    r->n = out;
}

/* An array of n elements shrunk to its size, or left as it is when realloc cannot. */
static void *shrink(void *p, size_t n, size_t size)
{
    void *q = realloc(p, (n ? n : 1) * size);
    return q ? q : p;
}

/* The ordered, kept rows become the dataset's: x, y, the rows and the times change hands
 * instead of being copied, so a large file is never held twice. Groups are renumbered by
 * first appearance among the kept rows, so no group is left without members. */
static int fill_rows(pf_table *t, const size_t *keep, pf_dataset *ds)
{
    pf_rows *r = &t->rows;
    size_t n = r->n, *gmap = NULL;
    if (ds->group && (gmap = pf_alloc(t->groups.n, sizeof *gmap, t->err)) == NULL)
        return t->err->code;
    for (size_t g = 0; gmap && g < t->groups.n; g++) gmap[g] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t p = keep[r->pid[i]];
        ds->participant[i] = (int)p;
        if (i == 0 || ds->participant[i - 1] != (int)p) ds->offset[p] = i;
        if (gmap && gmap[r->gid[i]] == SIZE_MAX) gmap[r->gid[i]] = ds->n_groups++;
        if (gmap) ds->group[i] = (int)gmap[r->gid[i]];
    }
    ds->offset[ds->n_participants] = n;
    free(ds->x);
    free(ds->y);
    free(ds->row);
    ds->x = shrink(r->x, n * r->n_feat, sizeof *r->x);
    ds->y = shrink(r->y, n * r->n_y, sizeof *r->y);
    ds->row = shrink(r->rec, n, sizeof *r->rec);
    r->x = r->y = NULL;
    r->rec = NULL;
    if (t->c_time >= 0) {
        ds->time = shrink(r->t, n, sizeof *r->t);
        r->t = NULL;
    }
    int status = PF_OK;
    if (gmap && (ds->group_names = pf_alloc(ds->n_groups, sizeof(char *), t->err)) == NULL)
        status = t->err->code;
    for (size_t g = 0; status == PF_OK && gmap && g < t->groups.n; g++)
        if (gmap[g] != SIZE_MAX &&
            (ds->group_names[gmap[g]] = pf_alloc_text(t->groups.name[g], t->err)) == NULL)
            status = t->err->code;
    free(gmap);
    return status;
}

/* Names of features and participants, and every column's account. */
static int fill_names(const pf_table *t, const size_t *keep, pf_dataset *ds)
{
    for (size_t j = 0; j < ds->n_features; j++)
        if ((ds->feature_names[j] = pf_alloc_text(t->name[t->feat_col[j]], t->err)) == NULL)
            return t->err->code;
    for (size_t p = 0; p < t->participants.n; p++)
        if (keep[p] != SIZE_MAX &&
            (ds->participant_ids[keep[p]] = pf_alloc_text(t->participants.name[p], t->err)) == NULL)
            return t->err->code;
    if ((ds->columns = pf_alloc(t->n_cols, sizeof *ds->columns, t->err)) == NULL)
        return t->err->code;
    ds->n_columns = t->n_cols;
    for (size_t c = 0; c < t->n_cols; c++) {
        pf_column *col = &ds->columns[c];
        col->is_feature = t->role[c] == PF_ROLE_FEATURE;
        col->name = pf_alloc_text(t->name[c], t->err);
        col->use = pf_alloc_text(col->is_feature ? "feature"
                                 : t->reason[c]  ? t->reason[c]
                                                 : "-",
                                 t->err);
        if (!col->name || !col->use) return t->err->code;
    }
    return PF_OK;
}

/* Classes in value order: numeric when every label is a number (so "10" follows "9"), else
 * byte order. */
typedef struct {
    const char *name;
    double num;
    size_t first; /* index in order of first appearance */
} class_key;

/* num is 0 for every key unless all labels are numbers, so one comparison serves both orders. */
static int cmp_class(const void *pa, const void *pb)
{
    const class_key *a = pa, *b = pb;
    if (a->num != b->num) return a->num < b->num ? -1 : 1;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->first > b->first) - (a->first < b->first);
}

static int order_classes(const pf_table *t, pf_dataset *ds)
{
    size_t C = t->label.n;
    class_key *k = pf_alloc(C, sizeof *k, t->err);
    size_t *rank = pf_alloc(C, sizeof *rank, t->err);
    ds->class_names = pf_alloc(C, sizeof *ds->class_names, t->err);
    int status = k && rank && ds->class_names ? PF_OK : t->err->code;
    int numeric = 1;
    for (size_t i = 0; status == PF_OK && i < C; i++) {
        k[i] = (class_key){t->label.name[i], 0, i};
        if (parse_cell(t->cfg, k[i].name, &k[i].num) != 1) numeric = 0;
    }
    for (size_t i = 0; !numeric && status == PF_OK && i < C; i++) k[i].num = 0;
    if (status == PF_OK) qsort(k, C, sizeof *k, cmp_class);
    for (size_t c = 0; status == PF_OK && c < C; c++) {
        rank[k[c].first] = c;
        if ((ds->class_names[c] = pf_alloc_text(k[c].name, t->err)) == NULL) status = t->err->code;
    }
    ds->n_classes = C;
    for (size_t i = 0; status == PF_OK && i < ds->n_windows; i++)
        ds->y[i] = (double)rank[(size_t)ds->y[i]];
    free(k);
    free(rank);
    return status;
}

/* What is predicted (names, classes) and who the participants are (attributes). */
static int fill_task(const pf_table *t, const size_t *keep, pf_dataset *ds)
{
    const pf_config *cfg = t->cfg;
    for (size_t k = 0; k < ds->n_targets; k++) {
        free(ds->target_names[k]);
        if ((ds->target_names[k] = pf_alloc_text(cfg->target_columns.item[k], t->err)) == NULL)
            return t->err->code;
    }
    if (t->labels) {
        ds->task = PF_TASK_CLASSIFICATION;
        if (order_classes(t, ds) != PF_OK) return t->err->code;
    }
    if (t->n_attr == 0) return PF_OK;
    size_t A = t->n_attr, P = ds->n_participants;
    ds->attribute_names = pf_alloc(A, sizeof(char *), t->err);
    ds->attribute_values = pf_alloc(P * A, sizeof(char *), t->err);
    if (!ds->attribute_names || !ds->attribute_values) return t->err->code;
    ds->n_attributes = A;
    for (size_t a = 0; a < A; a++)
        if ((ds->attribute_names[a] = pf_alloc_text(cfg->attribute_columns.item[a], t->err)) ==
            NULL)
            return t->err->code;
    for (size_t p = 0; p < t->participants.n; p++)
        for (size_t a = 0; keep[p] != SIZE_MAX && a < A; a++) {
            size_t v = t->attr_of[p * A + a] - 1;
            char **slot = &ds->attribute_values[keep[p] * A + a];
            if ((*slot = pf_alloc_text(t->attr_values[a].name[v], t->err)) == NULL)
                return t->err->code;
        }
    return PF_OK;
}

pf_dataset *pf_table_to_dataset(pf_table *t, const char *what, size_t name_cap, pf_error *err)
{
    pf_rows *r = &t->rows;
    size_t *keep = NULL, n_windows = 0, n_p = 0;
    pf_dataset *ds = NULL;
    if (pf_rows_sort(r, err) != PF_OK ||
        (keep = pf_alloc(t->participants.n, sizeof *keep, err)) == NULL)
        goto done;
    n_p = select_participants(t, keep, &n_windows);
    if (n_p == 0) {
        pf_error_set(err, PF_EINPUT,
                     "no participant in '%s' has data.min_windows = %d windows (%zu participants, "
                     "%zu windows in all); lower data.min_windows",
                     t->path, t->cfg->min_windows, t->participants.n, t->rows.n);
        goto done;
    }
    if (n_windows < r->n) drop_rows(r, keep);
    free(r->sid); /* ordered by now, and no longer needed */
    r->sid = NULL;
    if ((ds = pf_dataset_alloc(n_windows, t->n_feat, t->n_targets, n_p, t->c_group >= 0, err)) ==
        NULL)
        goto done;
    ds->n_rows_read = t->n_rows_read;
    ds->n_dropped_target = t->n_dropped_target;
    ds->n_dropped_participants = t->participants.n - n_p;
    ds->delimiter = t->file.delimiter;
    pf_dataset_describe(ds, what, name_cap, t->path);
    snprintf(ds->sha256, sizeof ds->sha256, "%s", t->file.sha256);
    snprintf(ds->path, sizeof ds->path, "%s", t->file.abs_path);
    if (fill_rows(t, keep, ds) != PF_OK || fill_names(t, keep, ds) != PF_OK ||
        fill_task(t, keep, ds) != PF_OK || check_missing(t, ds, r->line) != PF_OK) {
        pf_dataset_free(ds);
        ds = NULL;
    }
done:
    free(keep);
    return ds;
}
