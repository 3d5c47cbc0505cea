/* dataset.c: loading the windows an experiment learns from (see dataset.h).
 *
 * One CSV reader serves every file. libcsv tokenises (quoted fields, doubled quotes, commas
 * and newlines inside quotes, CRLF); this file streams the bytes in chunks, skips a UTF-8 BOM,
 * trims every field, and counts physical lines so that every message names the line a user
 * sees in an editor. Each record goes to the loader as soon as it is complete, so the official
 * ~470k-tick AGAIN file is filtered by game while it is read and only kept rows are stored.
 *
 * The flow, shared by all file sources:
 *   header -> column roles -> rows (numbers parsed, rows without a target dropped)
 *   -> [tick layout: drop columns empty for the selection, average ticks into windows]
 *   -> order by participant and time -> drop participants below data.min_windows
 *   -> fill empty feature cells as data.missing says -> pf_dataset. */
#include "dataset.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synthetic.h"

#define READ_CHUNK (1u << 16) /* bytes per fread: large enough that libcsv calls dominate */
#define LIST_SHOWN 8          /* header names quoted in a "columns found" hint */

/* ---- small helpers ------------------------------------------------------------------------ */

static char *dup_text(const char *s, pf_error *err)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL) {
        pf_error_set(err, PF_ERUNTIME, "out of memory copying a %zu-byte name", n);
        return NULL;
    }
    return memcpy(d, s, n);
}

/* realloc for n elements of size bytes, refusing sizes that overflow. */
static void *resize(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    return realloc(p, n * size > 0 ? n * size : 1);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A cell is a number only if strtod consumes all of it and the value is finite: "nan", "inf"
 * and overflowing text are not measurements. Returns 1 for a number, 0 for an empty cell and
 * -1 for anything else. Cells arrive trimmed. */
static int parse_cell(const char *s, double *v)
{
    if (*s == '\0') return 0;
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(d)) return -1;
    *v = d;
    return 1;
}

/* "'a', 'b', ... (12 in all)" for hints: enough to spot a typo, short enough for one line. */
static void list_names(char *out, size_t size, char *const *names, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && i < LIST_SHOWN && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s'%s'", i ? ", " : "", names[i]);
    if (n > LIST_SHOWN && used < size) snprintf(out + used, size - used, ", ... (%zu in all)", n);
}

/* Game and genre names match ignoring case and punctuation: "heist" selects "Heist!". */
static int same_label(const char *a, const char *b)
{
    for (;;) {
        while (*a && !isalnum((unsigned char)*a)) a++;
        while (*b && !isalnum((unsigned char)*b)) b++;
        if (!*a || !*b) return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++)) return 0;
    }
}

/* ---- interning: strings to dense indices in order of first appearance ------------------- */

/* Participant, session and group ids become small integers as rows stream in. An open
 * addressing hash keeps that O(1) per row even when participants interleave. */
typedef struct {
    char **name; /* in order of first appearance */
    size_t n, cap;
    size_t *slot; /* 1 + index into name, 0 = free; n_slots is a power of two */
    size_t n_slots;
} pf_intern;

static size_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static int intern_rehash(pf_intern *t, size_t n_slots, pf_error *err)
{
    size_t *slot = pf_calloc(n_slots, sizeof *slot, err);
    if (slot == NULL) return err->code;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = hash_text(t->name[i]) & (n_slots - 1);
        while (slot[h]) h = (h + 1) & (n_slots - 1);
        slot[h] = i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->n_slots = n_slots;
    return PF_OK;
}

/* Index of s, adding it if new. *is_new (may be NULL) tells which. */
static int intern(pf_intern *t, const char *s, size_t *index, int *is_new, pf_error *err)
{
    if (2 * (t->n + 1) > t->n_slots &&
        intern_rehash(t, t->n_slots ? 2 * t->n_slots : 64, err) != PF_OK)
        return err->code;
    size_t mask = t->n_slots - 1, h = hash_text(s) & mask;
    for (; t->slot[h]; h = (h + 1) & mask) {
        if (strcmp(t->name[t->slot[h] - 1], s) == 0) {
            *index = t->slot[h] - 1;
            if (is_new) *is_new = 0;
            return PF_OK;
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        char **name = resize(t->name, cap, sizeof *name);
        if (name == NULL) return pf_error_set(err, PF_ERUNTIME, "out of memory interning ids");
        t->name = name;
        t->cap = cap;
    }
    if ((t->name[t->n] = dup_text(s, err)) == NULL) return err->code;
    t->slot[h] = ++t->n;
    *index = t->n - 1;
    if (is_new) *is_new = 1;
    return PF_OK;
}

static void intern_free(pf_intern *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->name[i]);
    free(t->name);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* ---- rows: what the file said, before ordering and filtering ---------------------------- */

typedef struct {
    size_t n, cap;
    size_t n_feat;
    double *x;    /* n x n_feat; NAN marks an empty cell */
    double *y;    /* target */
    double *t;    /* time value, or the row's position without a time column */
    size_t *line; /* physical line in the file (the first tick's, for aggregated windows) */
    size_t *pid;  /* participant index (first appearance) */
    size_t *sid;  /* session index; 0 without a session column */
    size_t *gid;  /* group index; 0 without a group column */
} pf_rows;

static int rows_reserve(pf_rows *r, size_t need, pf_error *err)
{
    if (need <= r->cap) return PF_OK;
    size_t cap = r->cap ? r->cap : 256, width = r->n_feat ? r->n_feat : 1;
    while (cap < need) cap *= 2;
    void *p;
    /* Each array is replaced as soon as it has grown, so a failure leaves r consistent. */
#define GROW(field, n)                                                                             \
    do {                                                                                           \
        if ((p = resize(r->field, n, sizeof *r->field)) == NULL) goto fail;                        \
        r->field = p;                                                                              \
    } while (0)
    GROW(x, cap * width);
    GROW(y, cap);
    GROW(t, cap);
    GROW(line, cap);
    GROW(pid, cap);
    GROW(sid, cap);
    GROW(gid, cap);
#undef GROW
    r->cap = cap;
    return PF_OK;
fail:
    return pf_error_set(err, PF_ERUNTIME, "out of memory storing %zu rows of %zu features", cap,
                        r->n_feat);
}

static void rows_free(pf_rows *r)
{
    free(r->x);
    free(r->y);
    free(r->t);
    free(r->line);
    free(r->pid);
    free(r->sid);
    free(r->gid);
    memset(r, 0, sizeof *r);
}

/* Rows are ordered by participant (first appearance), session, time, then file position:
 * sorting these keys with the position as last key makes qsort stable. */
typedef struct {
    size_t pid, sid;
    double t;
    size_t idx;
} pf_order_key;

static int cmp_order_key(const void *pa, const void *pb)
{
    const pf_order_key *a = pa, *b = pb;
    if (a->pid != b->pid) return a->pid < b->pid ? -1 : 1;
    if (a->sid != b->sid) return a->sid < b->sid ? -1 : 1;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static pf_order_key *rows_order(const pf_rows *r, pf_error *err)
{
    pf_order_key *k = pf_calloc(r->n, sizeof *k, err);
    if (k == NULL) return NULL;
    for (size_t i = 0; i < r->n; i++) k[i] = (pf_order_key){r->pid[i], r->sid[i], r->t[i], i};
    qsort(k, r->n, sizeof *k, cmp_order_key);
    return k;
}

/* ---- CSV reader: libcsv plus chunked reading, BOM, trimming and line numbers ------------- */

typedef int (*pf_record_fn)(void *ctx, char **field, size_t n_fields, size_t line);

typedef struct {
    char *text; /* the current record's fields, each trimmed and NUL-terminated */
    size_t len, cap;
    size_t *start; /* offset of each field in text */
    char **field;
    size_t n_fields, cap_fields;
    size_t line;        /* physical line the parser is on, 1-based */
    size_t embedded_nl; /* newlines inside the current record's quoted fields */
    size_t last_line;   /* line on which the last complete record ended */
    size_t n_records;
    pf_record_fn on_record;
    void *ctx;
    int status; /* PF_OK until a callback fails; then the rest of the file is skipped */
    pf_error *err;
} pf_csv_reader;

static void on_field(void *s, size_t len, void *data)
{
    pf_csv_reader *r = data;
    if (r->status != PF_OK) return;
    const char *p = s ? s : "";
    for (size_t i = 0; i < len; i++) r->embedded_nl += p[i] == '\n';
    while (len > 0 && isspace((unsigned char)*p)) p++, len--;
    while (len > 0 && isspace((unsigned char)p[len - 1])) len--;

    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? 2 * r->cap_fields : 64;
        size_t *start = resize(r->start, cap, sizeof *start);
        char **field = start ? resize(r->field, cap, sizeof *field) : NULL;
        if (start) r->start = start;
        if (field == NULL) goto oom;
        r->field = field;
        r->cap_fields = cap;
    }
    if (r->len + len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + len + 1) cap *= 2;
        char *text = resize(r->text, cap, 1);
        if (text == NULL) goto oom;
        r->text = text;
        r->cap = cap;
    }
    memcpy(r->text + r->len, p, len);
    r->text[r->len + len] = '\0';
    r->start[r->n_fields++] = r->len;
    r->len += len + 1;
    return;
oom:
    r->status =
        pf_error_set(r->err, PF_ERUNTIME, "out of memory reading a CSV field of %zu bytes", len);
}

static void on_row(int terminator, void *data)
{
    (void)terminator;
    pf_csv_reader *r = data;
    if (r->status != PF_OK) return;
    for (size_t i = 0; i < r->n_fields; i++) r->field[i] = r->text + r->start[i];
    /* The record ends on the current line; it began as many lines earlier as its quoted
     * fields had newlines. */
    size_t first_line = r->line - r->embedded_nl;
    r->n_records++;
    r->last_line = r->line;
    r->status = r->on_record(r->ctx, r->field, r->n_fields, first_line);
    r->n_fields = r->len = r->embedded_nl = 0;
}

/* libcsv stopped before the end of a line: malformed quoting (strict mode) or no memory. */
static int parse_failure(struct csv_parser *p, pf_csv_reader *r, const char *path)
{
    if (csv_error(p) == CSV_EPARSE)
        return pf_error_set(r->err, PF_EINPUT,
                            "data file '%s' line %zu: malformed quotes; a field containing a quote "
                            "must itself be quoted, with the inner quote doubled (\"a \"\"b\"\" "
                            "c\"), and nothing may follow a closing quote but a comma",
                            path, r->line);
    return pf_error_set(r->err, PF_ERUNTIME, "CSV parser failed on line %zu of '%s': %s", r->line,
                        path, csv_strerror(csv_error(p)));
}

/* Feed one chunk, a line at a time, so the line counter is exact whenever libcsv calls back:
 * a record is reported on the newline (or CR of a CRLF) that ends it. */
static int feed(struct csv_parser *p, pf_csv_reader *r, const char *path, const char *s, size_t n)
{
    while (n > 0 && r->status == PF_OK) {
        const char *nl = memchr(s, '\n', n);
        size_t len = nl ? (size_t)(nl - s) + 1 : n;
        if (csv_parse(p, s, len, on_field, on_row, r) != len && r->status == PF_OK)
            r->status = parse_failure(p, r, path);
        if (nl) r->line++;
        s += len;
        n -= len;
    }
    return r->status;
}

/* The file ended inside quotes. libcsv cannot say where the quote opened, only that it was
 * in the record after the last complete one. */
static int unclosed_quote(const pf_csv_reader *r, const char *path)
{
    char where[64] = "in the header";
    if (r->last_line > 0) snprintf(where, sizeof where, "after line %zu", r->last_line);
    return pf_error_set(r->err, PF_EINPUT,
                        "data file '%s': a quoted field %s is never closed; add the missing '\"' "
                        "(a quote inside a quoted field is written twice: \"\")",
                        path, where);
}

static int read_csv(FILE *f, const char *path, pf_csv_reader *r)
{
    struct csv_parser p;
    /* Strict: a stray quote is an error with a line number, not a silently merged field. */
    if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0)
        return pf_error_set(r->err, PF_ERUNTIME, "cannot initialise the CSV parser");
    char *chunk = malloc(READ_CHUNK);
    if (chunk == NULL) r->status = pf_error_set(r->err, PF_ERUNTIME, "out of memory");
    r->line = 1;
    for (int first = 1; r->status == PF_OK; first = 0) {
        size_t n = fread(chunk, 1, READ_CHUNK, f);
        if (n == 0) break;
        size_t skip = first && n >= 3 && memcmp(chunk, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        feed(&p, r, path, chunk + skip, n - skip);
    }
    if (r->status == PF_OK && ferror(f))
        r->status = pf_error_set(r->err, PF_ERUNTIME, "error reading data file '%s' near line %zu",
                                 path, r->line);
    if (r->status == PF_OK && csv_fini(&p, on_field, on_row, r) != 0 && r->status == PF_OK)
        r->status = unclosed_quote(r, path);
    csv_free(&p);
    free(chunk);
    free(r->text);
    free(r->start);
    free(r->field);
    return r->status;
}

/* ---- the loader: column roles and rows ---------------------------------------------------- */

enum {
    ROLE_FEATURE,
    ROLE_PARTICIPANT,
    ROLE_TARGET,
    ROLE_TIME,
    ROLE_SESSION,
    ROLE_GROUP,
    ROLE_OTHER
};

typedef struct {
    const pf_config *cfg;
    const char *path;
    pf_error *err;
    int again; /* source = again: a "Cluster" column is metadata */
    int ticks; /* 250 ms tick layout, aggregated into windows */

    size_t n_cols, header_line;
    char **name; /* trimmed header names; NULL until the header is read */
    int *role;
    size_t *feat_col; /* feature slot -> column */
    size_t n_feat;
    long c_participant, c_target, c_time, c_session, c_group, c_game, c_genre; /* -1 = absent */

    pf_rows rows;
    pf_intern participants, sessions, groups, games, genres;
    size_t n_rows_read, n_dropped_target;
} pf_loader;

static long find_column(const pf_loader *ld, const char *name)
{
    if (name[0] == '\0') return -1;
    for (size_t c = 0; c < ld->n_cols; c++)
        if (strcmp(ld->name[c], name) == 0) return (long)c;
    return -1;
}

/* A column the config names is not in the header: say which key names it, and show the
 * header so a typo or a different naming convention is visible at once. */
static int missing_column(const pf_loader *ld, const char *what, const char *name, const char *fix)
{
    char found[512];
    list_names(found, sizeof found, ld->name, ld->n_cols);
    return pf_error_set(ld->err, PF_EINPUT, "data file '%s' has no %s '%s' (%s; the header has %s)",
                        ld->path, what, name, fix, found);
}

static int is_metadata(const pf_loader *ld, const char *name)
{
    if (strncmp(name, "[control]", 9) == 0 || strncmp(name, "[string]", 8) == 0 ||
        strncmp(name, "[output]", 8) == 0)
        return 1;
    /* The publishers of the per-game AGAIN files added "Cluster", a clustering of players: a
     * grouping, not telemetry. It must not leak into the features even when data.group_column
     * is empty, so for source = again it is metadata by name. */
    return ld->again && strcmp(name, "Cluster") == 0;
}

/* A column keeps its first role: the participant and target columns are never overridden. */
static void set_role(pf_loader *ld, long c, int role)
{
    if (c >= 0 && ld->role[c] == ROLE_FEATURE) ld->role[c] = role;
}

/* The optional role columns. Time and session are optional by nature (absent: file order,
 * one session); a group column the user named must exist, or group fairness would be
 * skipped silently. */
static int assign_optional_roles(pf_loader *ld)
{
    const pf_config *cfg = ld->cfg;
    ld->c_time = find_column(ld, cfg->time_column);
    if (ld->ticks && ld->c_time < 0) ld->c_time = find_column(ld, "[control]time_index");
    ld->c_session = find_column(ld, cfg->session_column);
    if (ld->ticks && ld->c_session < 0) ld->c_session = find_column(ld, "[control]session_id");
    ld->c_group = find_column(ld, cfg->group_column);
    if (cfg->group_column[0] && ld->c_group < 0)
        return missing_column(
            ld, "group column", cfg->group_column,
            "set data.group_column to the right name, or leave it empty for no groups");
    ld->c_game = ld->ticks ? find_column(ld, "[control]game") : -1;
    ld->c_genre = ld->ticks ? find_column(ld, "[control]genre") : -1;
    if (ld->ticks && cfg->game[0] && ld->c_game < 0)
        return missing_column(ld, "game column", "[control]game",
                              "leave data.game empty to keep every row");
    if (ld->ticks && cfg->genre[0] && ld->c_genre < 0)
        return missing_column(ld, "genre column", "[control]genre",
                              "leave data.genre empty to keep every row");
    set_role(ld, ld->c_time, ROLE_TIME);
    set_role(ld, ld->c_session, ROLE_SESSION);
    set_role(ld, ld->c_group, ROLE_GROUP);
    return PF_OK;
}

static int assign_drop_columns(pf_loader *ld)
{
    const pf_strlist *drop = &ld->cfg->drop_columns;
    for (size_t i = 0; i < drop->n; i++) {
        long c = find_column(ld, drop->item[i]);
        if (c < 0)
            return missing_column(ld, "column", drop->item[i],
                                  "remove it from data.drop_columns, or fix its spelling");
        if (ld->role[c] == ROLE_PARTICIPANT || ld->role[c] == ROLE_TARGET)
            return pf_error_set(ld->err, PF_EINPUT,
                                "data.drop_columns lists '%s', the %s column of '%s': it is "
                                "needed; remove it from data.drop_columns",
                                drop->item[i],
                                ld->role[c] == ROLE_TARGET ? "target" : "participant", ld->path);
        if (ld->role[c] == ROLE_FEATURE) ld->role[c] = ROLE_OTHER;
    }
    return PF_OK;
}

static int assign_roles(pf_loader *ld)
{
    const pf_config *cfg = ld->cfg;
    if ((ld->c_participant = find_column(ld, cfg->participant_column)) < 0)
        return missing_column(ld, "participant column", cfg->participant_column,
                              "set data.participant_column to the right name");
    if ((ld->c_target = find_column(ld, cfg->target_column)) < 0)
        return missing_column(ld, "target column", cfg->target_column,
                              "set data.target_column to the right name");
    if (ld->c_participant == ld->c_target)
        return pf_error_set(ld->err, PF_EINPUT,
                            "data.participant_column and data.target_column both name '%s'",
                            cfg->target_column);
    if (ld->again && cfg->layout == PF_LAYOUT_AUTO)
        ld->ticks = find_column(ld, "[control]game") >= 0;
    else
        ld->ticks = ld->again && cfg->layout == PF_LAYOUT_TICKS;
    /* A game filter on a file that has no games would silently select everything. */
    if (!ld->ticks && (cfg->game[0] || cfg->genre[0]))
        return pf_error_set(ld->err, PF_EINPUT,
                            "data.%s = %s filters the official AGAIN tick file, but '%s' is "
                            "already windowed (no [control]game column): remove the key, or set "
                            "data.layout = ticks if the file is a tick file",
                            cfg->game[0] ? "game" : "genre", cfg->game[0] ? cfg->game : cfg->genre,
                            ld->path);

    for (size_t c = 0; c < ld->n_cols; c++) ld->role[c] = ROLE_FEATURE;
    ld->role[ld->c_participant] = ROLE_PARTICIPANT;
    ld->role[ld->c_target] = ROLE_TARGET;
    if (assign_optional_roles(ld) != PF_OK || assign_drop_columns(ld) != PF_OK)
        return ld->err->code;
    for (size_t c = 0; c < ld->n_cols; c++)
        if (ld->role[c] == ROLE_FEATURE && is_metadata(ld, ld->name[c])) ld->role[c] = ROLE_OTHER;

    for (size_t c = 0; c < ld->n_cols; c++)
        if (ld->role[c] == ROLE_FEATURE) ld->feat_col[ld->n_feat++] = c;
    if (ld->n_feat == 0)
        return pf_error_set(ld->err, PF_EINPUT,
                            "data file '%s' has no feature columns: every column is the "
                            "participant, target, time, session or group column, metadata "
                            "([control], [string], [output]) or in data.drop_columns",
                            ld->path);
    ld->rows.n_feat = ld->n_feat;
    return PF_OK;
}

static int read_header(pf_loader *ld, char **field, size_t n, size_t line)
{
    ld->n_cols = n;
    ld->header_line = line;
    ld->name = pf_calloc(n, sizeof *ld->name, ld->err);
    ld->role = pf_calloc(n, sizeof *ld->role, ld->err);
    ld->feat_col = pf_calloc(n, sizeof *ld->feat_col, ld->err);
    if (!ld->name || !ld->role || !ld->feat_col) return ld->err->code;
    pf_intern seen = {0};
    int status = PF_OK;
    for (size_t c = 0; c < n && status == PF_OK; c++) {
        size_t first;
        int is_new;
        if (field[c][0] == '\0')
            status =
                pf_error_set(ld->err, PF_EINPUT,
                             "data file '%s' line %zu: column %zu of the header has no name; name "
                             "it (and list it in data.drop_columns if it is not a feature)",
                             ld->path, line, c + 1);
        else if ((status = intern(&seen, field[c], &first, &is_new, ld->err)) == PF_OK && !is_new)
            status = pf_error_set(
                ld->err, PF_EINPUT,
                "data file '%s' line %zu: columns %zu and %zu are both named '%s'; rename one",
                ld->path, line, first + 1, c + 1, field[c]);
        else if (status == PF_OK && (ld->name[c] = dup_text(field[c], ld->err)) == NULL)
            status = ld->err->code;
    }
    intern_free(&seen);
    return status == PF_OK ? assign_roles(ld) : status;
}

/* Tick layout: is this row in the selected game and genre? Every game seen is remembered so
 * that a selection matching nothing can list what the file holds. */
static int row_selected(pf_loader *ld, char **field, int *selected)
{
    const pf_config *cfg = ld->cfg;
    size_t ignored;
    *selected = 1;
    if (ld->c_game >= 0) {
        if (intern(&ld->games, field[ld->c_game], &ignored, NULL, ld->err) != PF_OK)
            return ld->err->code;
        if (cfg->game[0] && !same_label(cfg->game, field[ld->c_game])) *selected = 0;
    }
    if (ld->c_genre >= 0) {
        if (intern(&ld->genres, field[ld->c_genre], &ignored, NULL, ld->err) != PF_OK)
            return ld->err->code;
        if (cfg->genre[0] && !same_label(cfg->genre, field[ld->c_genre])) *selected = 0;
    }
    return PF_OK;
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

static int bad_number(const pf_loader *ld, size_t line, size_t col, const char *text,
                      const char *fix)
{
    char shown[72];
    show_text(shown, sizeof shown, text);
    return pf_error_set(
        ld->err, PF_EINPUT,
        "data file '%s' line %zu, column '%s' (column %zu): '%s' is not a number; %s", ld->path,
        line, ld->name[col], col + 1, shown, fix);
}

static int id_index(pf_loader *ld, pf_intern *t, char **field, long col, size_t line, size_t *index)
{
    *index = 0;
    if (col < 0) return PF_OK;
    if (field[col][0] == '\0')
        return pf_error_set(ld->err, PF_EINPUT,
                            "data file '%s' line %zu, column '%s' (column %ld) is empty; every row "
                            "needs a value there",
                            ld->path, line, ld->name[col], col + 1);
    return intern(t, field[col], index, NULL, ld->err);
}

static int store_row(pf_loader *ld, char **field, size_t line, double y)
{
    pf_rows *r = &ld->rows;
    if (rows_reserve(r, r->n + 1, ld->err) != PF_OK) return ld->err->code;
    size_t i = r->n;
    r->y[i] = y;
    r->line[i] = line;
    r->t[i] = (double)i;
    if (ld->c_time >= 0 && parse_cell(field[ld->c_time], &r->t[i]) != 1)
        return bad_number(ld, line, (size_t)ld->c_time, field[ld->c_time],
                          "the time column orders the windows and must be numeric in every row "
                          "(set data.time_column = \"\" to keep file order)");
    if (id_index(ld, &ld->participants, field, ld->c_participant, line, &r->pid[i]) != PF_OK ||
        id_index(ld, &ld->sessions, field, ld->c_session, line, &r->sid[i]) != PF_OK ||
        id_index(ld, &ld->groups, field, ld->c_group, line, &r->gid[i]) != PF_OK)
        return ld->err->code;
    double *x = r->x + i * r->n_feat;
    for (size_t j = 0; j < r->n_feat; j++) {
        size_t c = ld->feat_col[j];
        int kind = parse_cell(field[c], &x[j]);
        if (kind == 0) x[j] = NAN;
        if (kind < 0)
            return bad_number(ld, line, c, field[c],
                              "clean the file, or add the column to data.drop_columns "
                              "(data.missing = mean|zero fills empty cells only)");
    }
    r->n++;
    return PF_OK;
}

static int read_record(void *ctx, char **field, size_t n, size_t line)
{
    pf_loader *ld = ctx;
    if (ld->name == NULL) return read_header(ld, field, n, line);
    ld->n_rows_read++;
    if (n != ld->n_cols)
        return pf_error_set(
            ld->err, PF_EINPUT,
            "data file '%s' line %zu has %zu fields but the header (line %zu) has %zu columns; fix "
            "the row (a text field containing a comma must be quoted)",
            ld->path, line, n, ld->header_line, ld->n_cols);
    int selected = 1;
    if (ld->ticks && row_selected(ld, field, &selected) != PF_OK) return ld->err->code;
    if (!selected) return PF_OK;
    double y;
    int kind = parse_cell(field[ld->c_target], &y);
    if (kind == 0) {
        ld->n_dropped_target++;
        return PF_OK;
    }
    if (kind < 0)
        return bad_number(ld, line, (size_t)ld->c_target, field[ld->c_target],
                          "the target must be a number (an empty target drops the row)");
    return store_row(ld, field, line, y);
}

static void loader_free(pf_loader *ld)
{
    for (size_t c = 0; ld->name && c < ld->n_cols; c++) free(ld->name[c]);
    free(ld->name);
    free(ld->role);
    free(ld->feat_col);
    rows_free(&ld->rows);
    intern_free(&ld->participants);
    intern_free(&ld->sessions);
    intern_free(&ld->groups);
    intern_free(&ld->games);
    intern_free(&ld->genres);
}

static FILE *open_data(const char *path, pf_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        /* The official corpus is the one file users must fetch themselves: say from where. */
        const char *hint = strstr(path, "clean_data") ? "; the official AGAIN corpus file "
                                                        "clean_data.csv is not shipped: the "
                                                        "comments in configs/again.ini say where "
                                                        "to download it"
                                                      : "";
        pf_error_set(err, PF_EINPUT,
                     "cannot open data file '%s': %s (set data.path to the CSV file, or --set "
                     "data.path=FILE%s)",
                     path, strerror(errno), hint);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        pf_error_set(
            err, PF_EINPUT,
            "data file '%s' is a directory, not a CSV file (set data.path to the file inside it)",
            path);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        pf_error_set(err, PF_EINPUT,
                     "cannot open data file '%s': %s (set data.path to the CSV file, or --set "
                     "data.path=FILE)",
                     path, strerror(errno));
    return f;
}

/* Parse the whole file into ld->rows; afterwards there is at least one row. */
static int load_rows(pf_loader *ld)
{
    FILE *f = open_data(ld->path, ld->err);
    if (f == NULL) return ld->err->code;
    pf_csv_reader r = {.on_record = read_record, .ctx = ld, .err = ld->err};
    int status = read_csv(f, ld->path, &r);
    fclose(f);
    if (status != PF_OK) return status;
    if (ld->name == NULL)
        return pf_error_set(ld->err, PF_EINPUT,
                            "data file '%s' is empty: it needs a header line and one row per "
                            "window (check data.path)",
                            ld->path);
    if (ld->n_rows_read == 0)
        return pf_error_set(ld->err, PF_EINPUT,
                            "data file '%s' has a header (line %zu) but no data rows", ld->path,
                            ld->header_line);
    if (ld->rows.n > 0) return PF_OK;
    /* No row was kept: either the game/genre selection matched nothing (then no selected row
     * was even looked at for its target), or every selected row lacked a target. */
    if (ld->n_dropped_target == 0) {
        char games[400], genres[300];
        list_names(games, sizeof games, ld->games.name, ld->games.n);
        list_names(genres, sizeof genres, ld->genres.name, ld->genres.n);
        return pf_error_set(ld->err, PF_EINPUT,
                            "no row of '%s' matches data.game = '%s' and data.genre = '%s' (games "
                            "in the file: %s; genres: %s)",
                            ld->path, ld->cfg->game, ld->cfg->genre, games, genres);
    }
    return pf_error_set(ld->err, PF_EINPUT,
                        "every %sdata row of '%s' has an empty target column '%s' (set "
                        "data.target_column to the column holding the label)",
                        ld->ticks ? "selected " : "", ld->path, ld->cfg->target_column);
}

/* ---- tick layout: from 250 ms ticks to windows -------------------------------------------- */

/* Game-specific telemetry is empty for every other game: after filtering, those columns carry
 * nothing, so they are removed rather than imputed. Compacts x and feat_col in place. */
static size_t drop_empty_columns(pf_loader *ld)
{
    pf_rows *r = &ld->rows;
    size_t kept = 0, old = r->n_feat;
    for (size_t j = 0; j < old; j++) {
        size_t i = 0;
        while (i < r->n && isnan(r->x[i * old + j])) i++;
        if (i == r->n) continue;
        for (i = 0; i < r->n; i++) r->x[i * old + kept] = r->x[i * old + j];
        ld->feat_col[kept++] = ld->feat_col[j];
    }
    /* Rows were compacted within their old stride; close the gaps. */
    for (size_t i = 0; i < r->n; i++) memmove(r->x + i * kept, r->x + i * old, kept * sizeof *r->x);
    r->n_feat = ld->n_feat = kept;
    return old - kept;
}

/* One window: mean of each feature over the ticks that have it (NAN if none), mean target. */
static void average_window(const pf_rows *ticks, const pf_order_key *k, size_t n, pf_rows *w)
{
    size_t i = w->n++, f = ticks->n_feat;
    double *x = w->x + i * f, sum_y = 0;
    for (size_t j = 0; j < f; j++) {
        double sum = 0;
        size_t count = 0;
        for (size_t s = 0; s < n; s++) {
            double v = ticks->x[k[s].idx * f + j];
            if (!isnan(v)) sum += v, count++;
        }
        x[j] = count ? sum / (double)count : NAN;
    }
    for (size_t s = 0; s < n; s++) sum_y += ticks->y[k[s].idx];
    size_t first = k[0].idx;
    w->y[i] = sum_y / (double)n;
    w->line[i] = ticks->line[first];
    w->pid[i] = ticks->pid[first];
    w->sid[i] = ticks->sid[first];
    w->gid[i] = ticks->gid[first];
}

/* Cut the ordered ticks into windows (see aggregate_ticks) and return how many there are;
 * with w == NULL only count them. */
static size_t cut_windows(const pf_rows *ticks, const pf_order_key *k, size_t per, pf_rows *w)
{
    size_t n_windows = 0;
    for (size_t a = 0, b; a < ticks->n; a = b) {
        for (b = a; b < ticks->n && k[b].pid == k[a].pid && k[b].sid == k[a].sid;) b++;
        for (size_t s = a, index = 0; s < b; s += per, index++) {
            size_t n = b - s < per ? b - s : per;
            if (2 * n < per) break;
            if (w) {
                w->t[w->n] = (double)index;
                average_window(ticks, k + s, n, w);
            }
            n_windows++;
        }
    }
    return n_windows;
}

/* Each (participant, session) is cut, in time order, into windows of window_ms / tick_ms
 * ticks (ticks without arousal were already dropped, so a window spans the next `per` ticks
 * that have a label). A trailing partial window is kept when it holds at least half the ticks: a
 * session that ends 2 s into a 3 s window still says something about those 2 s, while a stub of one
 * or two ticks would be a noisy window weighted like a full one. */
static int aggregate_ticks(pf_loader *ld)
{
    const pf_config *cfg = ld->cfg;
    if (cfg->tick_ms <= 0 || cfg->window_ms < cfg->tick_ms || cfg->window_ms % cfg->tick_ms)
        return pf_error_set(ld->err, PF_EINPUT,
                            "data.window_ms (%d) must be a positive multiple of data.tick_ms (%d)",
                            cfg->window_ms, cfg->tick_ms);
    size_t per = (size_t)(cfg->window_ms / cfg->tick_ms);
    if (drop_empty_columns(ld) > 0 && ld->n_feat == 0)
        return pf_error_set(ld->err, PF_EINPUT,
                            "every feature column of '%s' is empty for the selected rows "
                            "(data.game = '%s', data.genre = '%s')",
                            ld->path, cfg->game, cfg->genre);
    pf_order_key *k = rows_order(&ld->rows, ld->err);
    if (k == NULL) return PF_ERUNTIME;
    pf_rows w = {.n_feat = ld->n_feat};
    size_t n_windows = cut_windows(&ld->rows, k, per, NULL);
    int status = n_windows > 0 ? rows_reserve(&w, n_windows, ld->err) : PF_EINPUT;
    if (n_windows == 0)
        pf_error_set(ld->err, PF_EINPUT,
                     "no session in '%s' has the %zu ticks of one window (data.window_ms = %d, "
                     "data.tick_ms = %d; a last window needs half of them)",
                     ld->path, per, cfg->window_ms, cfg->tick_ms);
    if (status == PF_OK) {
        cut_windows(&ld->rows, k, per, &w);
        rows_free(&ld->rows);
        ld->rows = w;
    } else {
        rows_free(&w);
    }
    free(k);
    return status;
}

/* ---- from rows to the dataset --------------------------------------------------------------- */

static int empty_cell(const pf_loader *ld, size_t line, size_t slot, const char *participant)
{
    size_t col = ld->feat_col[slot];
    if (ld->ticks)
        return pf_error_set(
            ld->err, PF_EINPUT,
            "data file '%s': column '%s' (column %zu) has no value in any tick of the window "
            "starting at line %zu (participant '%s'); set data.missing = mean or zero, select one "
            "game with data.game, or add the column to data.drop_columns",
            ld->path, ld->name[col], col + 1, line, participant);
    return pf_error_set(
        ld->err, PF_EINPUT,
        "data file '%s' line %zu, column '%s' (column %zu) is empty; fill it in, set data.missing "
        "= mean or zero to impute empty cells, or add the column to data.drop_columns",
        ld->path, line, ld->name[col], col + 1);
}

/* With data.missing = error, report the empty cell nearest the top of the file. */
static int report_empty(const pf_loader *ld, const pf_dataset *ds, const size_t *line)
{
    size_t f = ds->n_features, best = SIZE_MAX, best_j = 0;
    for (size_t i = 0; i < ds->n_windows; i++)
        for (size_t j = 0; j < f; j++)
            if (isnan(ds->x[i * f + j]) && (best == SIZE_MAX || line[i] < line[best]))
                best = i, best_j = j;
    if (best == SIZE_MAX) return PF_OK;
    return empty_cell(ld, line[best], best_j, ds->participant_ids[ds->participant[best]]);
}

/* data.missing: error, or the column mean over all loaded windows (participant-independent:
 * one pooled value per column, not a per-participant one), or zero. */
static int fill_missing(const pf_loader *ld, pf_dataset *ds, const size_t *line)
{
    if (ld->cfg->missing == PF_MISSING_ERROR) return report_empty(ld, ds, line);
    size_t f = ds->n_features;
    for (size_t j = 0; j < f; j++) {
        double sum = 0, fill = 0;
        size_t count = 0;
        for (size_t i = 0; i < ds->n_windows; i++)
            if (!isnan(ds->x[i * f + j])) sum += ds->x[i * f + j], count++;
        if (count == ds->n_windows) continue;
        if (ld->cfg->missing == PF_MISSING_MEAN && count == 0)
            return pf_error_set(ld->err, PF_EINPUT,
                                "data file '%s': column '%s' is empty in every row, so it has no "
                                "mean; add it to data.drop_columns",
                                ld->path, ds->feature_names[j]);
        if (ld->cfg->missing == PF_MISSING_MEAN) fill = sum / (double)count;
        for (size_t i = 0; i < ds->n_windows; i++)
            if (isnan(ds->x[i * f + j])) ds->x[i * f + j] = fill, ds->n_imputed++;
    }
    return PF_OK;
}

/* Participants below data.min_windows are dropped; *keep maps old participant index to the
 * new one (or SIZE_MAX). Returns the number kept. */
static size_t select_participants(const pf_loader *ld, const pf_order_key *k, size_t *keep,
                                  size_t *n_windows)
{
    size_t n_p = ld->participants.n, kept = 0;
    size_t min = ld->cfg->min_windows > 0 ? (size_t)ld->cfg->min_windows : 0;
    size_t *count = keep; /* reuse: counts first, then the map */
    memset(count, 0, n_p * sizeof *count);
    for (size_t i = 0; i < ld->rows.n; i++) count[k[i].pid]++;
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

/* Copy the ordered, kept rows into ds. Groups are renumbered by first appearance among the
 * kept rows, so no group is left without members. */
static int fill_dataset(const pf_loader *ld, const pf_order_key *k, const size_t *keep,
                        pf_dataset *ds, size_t *line)
{
    const pf_rows *r = &ld->rows;
    size_t f = r->n_feat, out = 0, *gmap = NULL;
    if (ds->group && (gmap = pf_calloc(ld->groups.n, sizeof *gmap, ld->err)) == NULL)
        return ld->err->code;
    for (size_t g = 0; gmap && g < ld->groups.n; g++) gmap[g] = SIZE_MAX;
    for (size_t i = 0; i < r->n; i++) {
        size_t src = k[i].idx, p = keep[k[i].pid];
        if (p == SIZE_MAX) continue;
        memcpy(ds->x + out * f, r->x + src * f, f * sizeof *ds->x);
        ds->y[out] = r->y[src];
        ds->participant[out] = (int)p;
        line[out] = r->line[src];
        if (out == 0 || ds->participant[out - 1] != (int)p) ds->offset[p] = out;
        if (gmap && gmap[r->gid[src]] == SIZE_MAX) gmap[r->gid[src]] = ds->n_groups++;
        if (gmap) ds->group[out] = (int)gmap[r->gid[src]];
        out++;
    }
    ds->offset[ds->n_participants] = out;
    int status = PF_OK;
    if (gmap && (ds->group_names = pf_calloc(ds->n_groups, sizeof(char *), ld->err)) == NULL)
        status = ld->err->code;
    for (size_t g = 0; status == PF_OK && gmap && g < ld->groups.n; g++)
        if (gmap[g] != SIZE_MAX &&
            (ds->group_names[gmap[g]] = dup_text(ld->groups.name[g], ld->err)) == NULL)
            status = ld->err->code;
    free(gmap);
    return status;
}

static int name_dataset(const pf_loader *ld, const size_t *keep, pf_dataset *ds)
{
    for (size_t j = 0; j < ds->n_features; j++)
        if ((ds->feature_names[j] = dup_text(ld->name[ld->feat_col[j]], ld->err)) == NULL)
            return ld->err->code;
    for (size_t p = 0; p < ld->participants.n; p++)
        if (keep[p] != SIZE_MAX &&
            (ds->participant_ids[keep[p]] = dup_text(ld->participants.name[p], ld->err)) == NULL)
            return ld->err->code;
    return PF_OK;
}

static void describe(const pf_loader *ld, pf_dataset *ds)
{
    const pf_config *cfg = ld->cfg;
    const char *file = base_name(ld->path);
    char what[200];
    if (!ld->again)
        snprintf(ds->description, sizeof ds->description, "CSV: %s", file);
    else if (!ld->ticks)
        snprintf(ds->description, sizeof ds->description, "AGAIN windows: %s", file);
    else {
        if (cfg->game[0] && cfg->genre[0])
            snprintf(what, sizeof what, "game=%s, genre=%s", cfg->game, cfg->genre);
        else if (cfg->game[0] || cfg->genre[0])
            snprintf(what, sizeof what, "%s=%s", cfg->game[0] ? "game" : "genre",
                     cfg->game[0] ? cfg->game : cfg->genre);
        else
            snprintf(what, sizeof what, "all games");
        snprintf(ds->description, sizeof ds->description, "AGAIN ticks (%s, %d ms windows): %s",
                 what, cfg->window_ms, file);
    }
}

static pf_dataset *build_dataset(pf_loader *ld)
{
    pf_order_key *k = rows_order(&ld->rows, ld->err);
    size_t *keep = k ? pf_calloc(ld->participants.n, sizeof *keep, ld->err) : NULL;
    size_t *line = NULL, n_windows = 0, n_p = 0;
    pf_dataset *ds = NULL;
    if (keep == NULL) goto done;
    n_p = select_participants(ld, k, keep, &n_windows);
    if (n_p == 0) {
        pf_error_set(ld->err, PF_EINPUT,
                     "no participant in '%s' has data.min_windows = %d windows (%zu participants, "
                     "%zu windows in all); lower data.min_windows",
                     ld->path, ld->cfg->min_windows, ld->participants.n, ld->rows.n);
        goto done;
    }
    if ((line = pf_calloc(n_windows, sizeof *line, ld->err)) == NULL ||
        (ds = pf_dataset_alloc(n_windows, ld->n_feat, n_p, ld->c_group >= 0, ld->err)) == NULL)
        goto done;
    ds->n_rows_read = ld->n_rows_read;
    ds->n_dropped_target = ld->n_dropped_target;
    ds->n_dropped_participants = ld->participants.n - n_p;
    describe(ld, ds);
    if (fill_dataset(ld, k, keep, ds, line) != PF_OK || name_dataset(ld, keep, ds) != PF_OK ||
        fill_missing(ld, ds, line) != PF_OK) {
        pf_dataset_free(ds);
        ds = NULL;
    }
done:
    free(k);
    free(keep);
    free(line);
    return ds;
}

static pf_dataset *load_file(const pf_config *cfg, int again, pf_error *err)
{
    pf_loader ld = {.cfg = cfg, .path = cfg->data_path, .err = err, .again = again};
    pf_dataset *ds = NULL;
    if (cfg->data_path[0] == '\0')
        pf_error_set(err, PF_EINPUT, "data.path is empty: set it to the CSV file to load");
    else if (load_rows(&ld) == PF_OK && (!ld.ticks || aggregate_ticks(&ld) == PF_OK))
        ds = build_dataset(&ld);
    loader_free(&ld);
    return ds;
}

/* ---- public API ------------------------------------------------------------------------------ */

pf_dataset *pf_dataset_load_again(const pf_config *cfg, pf_error *err)
{
    return load_file(cfg, 1, err);
}

pf_dataset *pf_dataset_load_csv(const pf_config *cfg, pf_error *err)
{
    return load_file(cfg, 0, err);
}

pf_dataset *pf_dataset_load(const pf_config *cfg, pf_error *err)
{
    switch (cfg->source) {
    case PF_SOURCE_SYNTHETIC:
        return pf_synthetic_generate(cfg, err);
    case PF_SOURCE_AGAIN:
        return pf_dataset_load_again(cfg, err);
    case PF_SOURCE_CSV:
        return pf_dataset_load_csv(cfg, err);
    }
    pf_error_set(err, PF_EINPUT, "unknown data.source (%d)", (int)cfg->source);
    return NULL;
}

pf_dataset *pf_dataset_alloc(size_t n_windows, size_t n_features, size_t n_participants,
                             int with_groups, pf_error *err)
{
    if (n_features != 0 && n_windows > SIZE_MAX / sizeof(double) / n_features) {
        pf_error_set(err, PF_ERUNTIME, "dataset of %zu x %zu values is too large", n_windows,
                     n_features);
        return NULL;
    }
    pf_dataset *ds = pf_calloc(1, sizeof *ds, err);
    if (ds == NULL) return NULL;
    ds->n_windows = n_windows;
    ds->n_features = n_features;
    ds->n_participants = n_participants;
    ds->x = pf_calloc(n_windows * n_features, sizeof *ds->x, err);
    ds->y = pf_calloc(n_windows, sizeof *ds->y, err);
    ds->participant = pf_calloc(n_windows, sizeof *ds->participant, err);
    ds->offset = pf_calloc(n_participants + 1, sizeof *ds->offset, err);
    ds->feature_names = pf_calloc(n_features, sizeof *ds->feature_names, err);
    ds->participant_ids = pf_calloc(n_participants, sizeof *ds->participant_ids, err);
    if (with_groups) ds->group = pf_calloc(n_windows, sizeof *ds->group, err);
    if (!ds->x || !ds->y || !ds->participant || !ds->offset || !ds->feature_names ||
        !ds->participant_ids || (with_groups && !ds->group)) {
        pf_dataset_free(ds);
        return NULL;
    }
    return ds;
}

void pf_dataset_free(pf_dataset *ds)
{
    if (ds == NULL) return;
    for (size_t j = 0; ds->feature_names && j < ds->n_features; j++) free(ds->feature_names[j]);
    for (size_t p = 0; ds->participant_ids && p < ds->n_participants; p++)
        free(ds->participant_ids[p]);
    for (size_t g = 0; ds->group_names && g < ds->n_groups; g++) free(ds->group_names[g]);
    free(ds->feature_names);
    free(ds->participant_ids);
    free(ds->group_names);
    free(ds->x);
    free(ds->y);
    free(ds->participant);
    free(ds->group);
    free(ds->offset);
    free(ds);
}
