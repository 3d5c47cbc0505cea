/* folds.c: which fold tests each participant, and who trains and validates in each fold.
 *
 * A scheme only decides fold_of[participant]; everything after that (test, training and
 * validation lists, the seeded validation draw) is shared, so a folds file that reproduces
 * the group_kfold assignment gives bit-identical folds. The folds file is checked as strictly
 * as the data file: a participant missing from it, or listed twice, would silently change who
 * is tested, so each such slip is an error naming the file and line. A fold keeps only its test
 * list and its sizes: lopo has as many folds as participants, so a training list per fold
 * would be quadratic in participants; pf_folds_lists makes a fold's lists when they are
 * needed, in one walk over the participants. */
#include "folds/folds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_rng.h>

#include "base/alloc.h"
#include "base/seed.h"
#include "data/csvfile.h"

/* ---- group_kfold ---------------------------------------------------------------------------- */

/* Order for grouped k-fold: more windows first, ties by participant index. */
typedef struct {
    size_t windows;
    int p;
} fold_item;

static int fold_item_cmp(const void *a, const void *b)
{
    const fold_item *x = a, *y = b;
    if (x->windows != y->windows) return x->windows > y->windows ? -1 : 1;
    return (x->p > y->p) - (x->p < y->p);
}

/* Largest first, each to the fold with the fewest windows so far (ties: lowest fold): balanced
 * folds with no seed involved (folds.h has the exact rule and how it relates to GroupKFold). */
static int assign_group_kfold(const pf_dataset *ds, size_t k, int *fold_of, pf_error *err)
{
    size_t P = ds->n_participants;
    fold_item *it = pf_alloc(P, sizeof *it, err);
    size_t *load = pf_alloc(k, sizeof *load, err), *members = pf_alloc(k, sizeof *members, err);
    int rc = PF_ERUNTIME;
    if (!it || !load || !members) goto done;
    for (size_t p = 0; p < P; p++) it[p] = (fold_item){pf_dataset_count(ds, p), (int)p};
    qsort(it, P, sizeof *it, fold_item_cmp);
    for (size_t i = 0; i < P; i++) {
        size_t best = 0;
        for (size_t f = 1; f < k; f++)
            if (load[f] < load[best]) best = f;
        fold_of[it[i].p] = (int)best;
        load[best] += it[i].windows;
        members[best]++;
    }
    rc = PF_OK;
    for (size_t f = 0; f < k && rc == PF_OK; f++)
        if (members[f] == 0)
            rc = pf_error_set(err, PF_EINPUT,
                              "grouped k-fold left fold %zu without participants (some "
                              "participants have no windows); lower folds.k or raise "
                              "data.min_windows",
                              f + 1);
done:
    free(it);
    free(load);
    free(members);
    return rc;
}

/* ---- folds file ------------------------------------------------------------------------------ */

/* At most this many missing participants are named in the message (the count is always given). */
#define MAX_NAMED 8

/* What the reader of a folds file keeps between records. */
typedef struct {
    const pf_dataset *ds;
    const char *path;       /* as the config gives it, for messages */
    char *const **by_id;    /* participant id pointers into ds->participant_ids, sorted by id */
    int col_part, col_fold; /* -1 until the header is read */
    long *fold;             /* [participant]: fold from the file, -1 = not listed */
    size_t *line;           /* [participant]: the line that listed it */
    pf_error *err;
} folds_reader;

static int id_cmp(const void *a, const void *b)
{
    char *const *x = *(char *const *const *)a, *const *y = *(char *const *const *)b;
    return strcmp(*x, *y);
}

/* Index of the participant with this id, or -1: a binary search of the sorted id pointers. */
static long find_participant(const folds_reader *fr, const char *id)
{
    const char *key = id;
    const char *const *pkey = &key;
    char *const **hit =
        bsearch(&pkey, fr->by_id, fr->ds->n_participants, sizeof *fr->by_id, id_cmp);
    return hit ? (long)(*hit - fr->ds->participant_ids) : -1;
}

/* The header's names, comma-separated and cut to fit, for "the header has: ..." messages. */
static void header_list(char **field, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < cap; i++) {
        int w = snprintf(out + len, cap - len, "%s'%s'", i ? ", " : "", field[i]);
        if (w < 0) break;
        len += (size_t)w;
    }
    if (len >= cap && cap > 4) strcpy(out + cap - 4, "...");
}

static int folds_header(folds_reader *fr, char **field, size_t n, size_t line)
{
    for (size_t i = 0; i < n; i++) {
        if (fr->col_part < 0 && strcasecmp(field[i], "participant") == 0) fr->col_part = (int)i;
        if (fr->col_fold < 0 && strcasecmp(field[i], "fold") == 0) fr->col_fold = (int)i;
    }
    if (fr->col_part >= 0 && fr->col_fold >= 0) return PF_OK;
    char names[512];
    header_list(field, n, names, sizeof names);
    return pf_error_set(fr->err, PF_EINPUT,
                        "folds file '%s' line %zu: the header has no column named '%s' (it has "
                        "%s); the first line must name a column 'participant' (the ids as in the "
                        "data file) and a column 'fold' (0, 1, ...)",
                        fr->path, line, fr->col_part < 0 ? "participant" : "fold", names);
}

/* A fold number: decimal digits, optionally followed by a point and zeros ("2" or "2.0": pandas
 * writes the latter for a column that ever held a NaN). Nothing else is taken (no sign, no
 * exponent, no hex), and at most 9 digits, so the number always fits an int. */
static int parse_fold(const char *s, long *out)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 9) return -1;
    const char *rest = s + n;
    if (*rest == '.') rest += 1 + strspn(rest + 1, "0");
    if (*rest != '\0') return -1;
    *out = strtol(s, NULL, 10);
    return 0;
}

static int folds_record(void *ctx, char **field, size_t n, size_t line)
{
    folds_reader *fr = ctx;
    if (fr->col_part < 0) return folds_header(fr, field, n, line);
    size_t need = (size_t)(fr->col_part > fr->col_fold ? fr->col_part : fr->col_fold) + 1;
    if (n < need)
        return pf_error_set(fr->err, PF_EINPUT,
                            "folds file '%s' line %zu has %zu field%s, but the header puts "
                            "'participant' in column %d and 'fold' in column %d; give every line "
                            "both",
                            fr->path, line, n, n == 1 ? "" : "s", fr->col_part + 1,
                            fr->col_fold + 1);
    const char *id = field[fr->col_part], *fold = field[fr->col_fold];
    long p = find_participant(fr, id);
    if (p < 0)
        return pf_error_set(fr->err, PF_EINPUT,
                            "folds file '%s' line %zu, column 'participant' (column %d): "
                            "participant '%s' is not in the data; it may have been dropped by "
                            "data.min_windows (participants with fewer windows are left out) or "
                            "be mistyped (ids must match the data file's exactly); remove the line "
                            "or correct the id",
                            fr->path, line, fr->col_part + 1, id);
    if (fr->fold[p] >= 0)
        return pf_error_set(fr->err, PF_EINPUT,
                            "folds file '%s' lines %zu and %zu both list participant '%s'; a "
                            "participant is tested in exactly one fold, so keep one of the lines",
                            fr->path, fr->line[p], line, id);
    long f;
    if (parse_fold(fold, &f) != 0)
        return pf_error_set(
            fr->err, PF_EINPUT,
            "folds file '%s' line %zu, column 'fold' (column %d): '%s' (participant "
            "'%s') is not a fold number; folds are whole numbers from 0 (0, 1, 2, "
            "...)",
            fr->path, line, fr->col_fold + 1, fold, id);
    fr->fold[p] = f;
    fr->line[p] = line;
    return PF_OK;
}

static int long_cmp(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Every participant listed; fold numbers 0..K-1 all used, K >= 2. */
static int folds_complete(const folds_reader *fr, size_t *n_folds)
{
    size_t P = fr->ds->n_participants, missing = 0;
    char names[MAX_NAMED * 80] = "";
    size_t len = 0;
    for (size_t p = 0; p < P; p++) {
        if (fr->fold[p] >= 0) continue;
        if (missing++ < MAX_NAMED && len < sizeof names) {
            int w = snprintf(names + len, sizeof names - len, "%s'%.60s'", len ? ", " : "",
                             fr->ds->participant_ids[p]);
            if (w > 0) len += (size_t)w;
        }
    }
    if (missing)
        return pf_error_set(fr->err, PF_EINPUT,
                            "folds file '%s' does not list %zu of the data's %zu participants: "
                            "%s%s; add a line 'participant,fold' for each",
                            fr->path, missing, P, names, missing > MAX_NAMED ? ", ..." : "");
    /* Sorted fold numbers: the first gap is the empty fold to name. */
    long *sorted = pf_alloc(P ? P : 1, sizeof *sorted, fr->err);
    if (!sorted) return PF_ERUNTIME;
    memcpy(sorted, fr->fold, P * sizeof *sorted);
    qsort(sorted, P, sizeof *sorted, long_cmp);
    long gap = -1, max = P ? sorted[P - 1] : -1, distinct = 0;
    for (size_t i = 0; i < P; i++) {
        if (i > 0 && sorted[i] == sorted[i - 1]) continue;
        if (gap < 0 && sorted[i] != distinct) gap = distinct;
        distinct++;
    }
    free(sorted);
    if (gap >= 0)
        return pf_error_set(fr->err, PF_EINPUT,
                            "folds file '%s': no participant is in fold %ld, but the folds go up "
                            "to %ld; fold numbers must run from 0 without gaps, so renumber the "
                            "%ld folds 0 to %ld",
                            fr->path, gap, max, distinct, distinct - 1);
    if (max < 1)
        return pf_error_set(fr->err, PF_EINPUT,
                            "folds file '%s' puts every participant in fold 0; a study needs at "
                            "least two folds, so that each fold has participants to train on",
                            fr->path);
    *n_folds = (size_t)max + 1;
    return PF_OK;
}

/* folds.scheme = file: fold_of from cfg->folds_file; the number of folds into *n_folds. */
static int assign_from_file(const pf_dataset *ds, const pf_config *cfg, pf_folds *fs, int *fold_of,
                            size_t *n_folds, pf_error *err)
{
    size_t P = ds->n_participants;
    folds_reader fr = {
        .ds = ds, .path = cfg->folds_file, .col_part = -1, .col_fold = -1, .err = err};
    fr.by_id = pf_alloc(P ? P : 1, sizeof *fr.by_id, err);
    fr.fold = pf_alloc(P ? P : 1, sizeof *fr.fold, err);
    fr.line = pf_alloc(P ? P : 1, sizeof *fr.line, err);
    if (err->code != PF_OK) goto done;
    for (size_t p = 0; p < P; p++) fr.by_id[p] = &ds->participant_ids[p], fr.fold[p] = -1;
    qsort(fr.by_id, P, sizeof *fr.by_id, id_cmp);
    pf_csvfile_info info;
    if (pf_csvfile_read(cfg->folds_file, "folds file", PF_DELIM_AUTO, folds_record, &fr, &info,
                        err) != PF_OK)
        goto done;
    if (fr.col_part < 0) {
        pf_error_set(err, PF_EINPUT,
                     "folds file '%s' is empty; it needs a header line 'participant,fold' and "
                     "one line per participant",
                     cfg->folds_file);
        goto done;
    }
    if (folds_complete(&fr, n_folds) != PF_OK) goto done;
    for (size_t p = 0; p < P; p++) fold_of[p] = (int)fr.fold[p];
    snprintf(fs->file, sizeof fs->file, "%s", info.abs_path);
    snprintf(fs->file_sha256, sizeof fs->file_sha256, "%s", info.sha256);
done:
    free(fr.by_id);
    free(fr.fold);
    free(fr.line);
    return err->code;
}

/* ---- folds from an assignment ------------------------------------------------------------- */

/* Number of validation participants out of n_train: the rounded share, at least one when a
 * share is asked for and two or more participants train, and never all of them. */
static size_t val_count(double share, size_t n_train)
{
    if (share <= 0 || n_train < 2) return 0;
    size_t n = (size_t)floor(share * (double)n_train + 0.5);
    if (n < 1) n = 1;
    if (n > n_train - 1) n = n_train - 1;
    return n;
}

/* Every fold's size and test list from fold_of (a counting sort: O(participants + folds)), and
 * the sizes of its training and validation sides. The lists of those two sides are not kept:
 * pf_folds_lists draws them on demand. */
static int folds_fill(pf_folds *fs, size_t n_folds, const pf_config *cfg, pf_error *err)
{
    size_t P = fs->n_participants, at = 0;
    fs->fold = pf_alloc(n_folds ? n_folds : 1, sizeof *fs->fold, err);
    fs->tests = pf_alloc(P ? P : 1, sizeof *fs->tests, err);
    if (!fs->fold || !fs->tests) return PF_ERUNTIME;
    fs->n_folds = n_folds;
    fs->seed = cfg->seed;
    for (size_t p = 0; p < P; p++) fs->fold[fs->fold_of[p]].n_test++;
    for (size_t f = 0; f < n_folds; f++) {
        pf_fold *fd = &fs->fold[f];
        fd->test = fs->tests + at;
        at += fd->n_test;
        size_t n_rest = fs->in_sample ? P : P - fd->n_test;
        fd->n_val = val_count(cfg->validation, n_rest);
        fd->n_train = n_rest - fd->n_val;
        fd->n_test = 0; /* counted again as the list fills */
    }
    for (size_t p = 0; p < P; p++) {
        pf_fold *fd = &fs->fold[fs->fold_of[p]];
        fd->test[fd->n_test++] = (int)p; /* ascending: p ascends */
    }
    return PF_OK;
}

int pf_folds_lists(const pf_folds *fs, size_t f, int *train, int *val, pf_error *err)
{
    const pf_fold *fd = &fs->fold[f];
    size_t n = fd->n_train + fd->n_val, k = fd->n_val, i = 0, taken = 0, kept = 0;
    gsl_rng *r = NULL;
    if (k > 0 && (r = pf_seed_rng(fs->seed, f, 0, PF_SEED_SPLIT)) == NULL)
        return pf_error_set(err, PF_ERUNTIME, "cannot allocate a random generator");
    for (size_t p = 0; p < fs->n_participants; p++) {
        if (!fs->in_sample && fs->fold_of[p] == (int)f) continue;
        /* gsl_ran_choose's selection sampling over the non-test participants, step for step
         * (the same generator calls and the same comparison in double): item i of n is taken
         * when (n - i) u < k - taken, and no number is drawn once k are taken. */
        if (taken < k && (double)(n - i) * gsl_rng_uniform(r) < (double)(k - taken)) {
            if (val) val[taken] = (int)p;
            taken++;
        } else {
            if (train) train[kept] = (int)p;
            kept++;
        }
        i++;
    }
    gsl_rng_free(r);
    return PF_OK;
}

size_t pf_folds_bytes(const pf_folds *fs)
{
    if (fs == NULL) return 0;
    return sizeof *fs + fs->n_folds * sizeof *fs->fold +
           2 * fs->n_participants * sizeof *fs->fold_of; /* fold_of and tests */
}

static int folds_check(const pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    size_t P = ds->n_participants;
    if (!(cfg->validation >= 0 && cfg->validation < 1))
        return pf_error_set(err, PF_EINPUT, "folds.validation (%g) must be in [0, 1)",
                            cfg->validation);
    if (cfg->scheme == PF_FOLDS_FILE) return PF_OK; /* the file is checked as it is read */
    if (cfg->scheme == PF_FOLDS_LOPO) {
        if (P < 2)
            return pf_error_set(err, PF_EINPUT,
                                "leave-one-participant-out needs at least two participants; "
                                "the data has %zu",
                                P);
        return PF_OK;
    }
    if (cfg->k < 2)
        return pf_error_set(err, PF_EINPUT, "folds.k (%d) must be at least 2 for group_kfold",
                            cfg->k);
    if ((size_t)cfg->k > P)
        return pf_error_set(err, PF_EINPUT,
                            "folds.k (%d) exceeds the number of participants (%zu); set folds.k "
                            "to at most %zu",
                            cfg->k, P, P);
    return PF_OK;
}

/* fold_of and the number of folds, by the configured scheme. */
static int assign(const pf_dataset *ds, const pf_config *cfg, pf_folds *fs, size_t *n_folds,
                  pf_error *err)
{
    size_t P = ds->n_participants;
    switch (cfg->scheme) {
    case PF_FOLDS_LOPO:
        for (size_t p = 0; p < P; p++) fs->fold_of[p] = (int)p;
        *n_folds = P;
        return PF_OK;
    case PF_FOLDS_GROUP_KFOLD:
        *n_folds = (size_t)cfg->k;
        return assign_group_kfold(ds, *n_folds, fs->fold_of, err);
    case PF_FOLDS_FILE:
        return assign_from_file(ds, cfg, fs, fs->fold_of, n_folds, err);
    }
    return pf_error_set(err, PF_ERUNTIME, "unknown folds.scheme %d", (int)cfg->scheme);
}

pf_folds *pf_folds_alloc(const pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    if (folds_check(ds, cfg, err) != PF_OK) return NULL;
    size_t P = ds->n_participants, n_folds = 0;
    pf_folds *fs = pf_alloc(1, sizeof *fs, err);
    if (!fs) return NULL;
    fs->n_participants = P;
    fs->fold_of = pf_alloc(P ? P : 1, sizeof *fs->fold_of, err);
    if (!fs->fold_of || assign(ds, cfg, fs, &n_folds, err) != PF_OK ||
        folds_fill(fs, n_folds, cfg, err) != PF_OK)
        goto fail;
    return fs;
fail:
    pf_folds_free(fs);
    return NULL;
}

pf_folds *pf_folds_all(const pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    if (folds_check(ds, cfg, err) != PF_OK) return NULL;
    size_t P = ds->n_participants;
    if (P < 1) {
        pf_error_set(err, PF_EINPUT, "the data has no participant to fit a model on");
        return NULL;
    }
    pf_folds *fs = pf_alloc(1, sizeof *fs, err);
    if (!fs) return NULL;
    fs->n_participants = P;
    fs->in_sample = 1; /* nobody held out, and everybody evaluated, in sample */
    fs->fold_of = pf_alloc(P, sizeof *fs->fold_of, err);
    if (!fs->fold_of || folds_fill(fs, 1, cfg, err) != PF_OK) goto fail;
    return fs;
fail:
    pf_folds_free(fs);
    return NULL;
}

void pf_folds_free(pf_folds *fs)
{
    if (fs == NULL) return;
    free(fs->fold);
    free(fs->tests);
    free(fs->fold_of);
    free(fs);
}
