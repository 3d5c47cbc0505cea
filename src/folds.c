/* folds.c: participant-level splits, the training-only feature scaler, and scaled splits.
 *
 * Everything here works on whole participants, never on windows: a participant's windows are
 * strongly correlated in time, so letting some of them into training and others into the test
 * would leak. The scaler sees only the participants it is given (the training side of a fold),
 * which tests/test_folds.c checks by rewriting held-out data and demanding identical scalers. */
#include "folds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "seed.h"

/* ---- fold assignment --------------------------------------------------------------------- */

/* Order for grouped k-fold: more windows first, ties by participant index. */
typedef struct {
    size_t windows;
    int p;
} pf_fold_item;

static int pf_fold_item_cmp(const void *a, const void *b)
{
    const pf_fold_item *x = a, *y = b;
    if (x->windows != y->windows) return x->windows > y->windows ? -1 : 1;
    return (x->p > y->p) - (x->p < y->p);
}

/* Largest first, each to the fold with the fewest windows so far (ties: lowest fold), as
 * scikit-learn's GroupKFold does: balanced folds with no seed involved. */
static int pf_assign_group_kfold(const pf_dataset *ds, size_t k, int *fold_of, pf_error *err)
{
    size_t P = ds->n_participants;
    pf_fold_item *it = pf_calloc(P, sizeof *it, err);
    size_t *load = pf_calloc(k, sizeof *load, err), *members = pf_calloc(k, sizeof *members, err);
    int rc = PF_ERUNTIME;
    if (!it || !load || !members) goto done;
    for (size_t p = 0; p < P; p++) it[p] = (pf_fold_item){pf_dataset_count(ds, p), (int)p};
    qsort(it, P, sizeof *it, pf_fold_item_cmp);
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

/* Number of validation participants out of n_train: the rounded share, at least one when a
 * share is asked for and two or more participants train, and never all of them. */
static size_t pf_val_count(double share, size_t n_train)
{
    if (share <= 0 || n_train < 2) return 0;
    size_t n = (size_t)floor(share * (double)n_train + 0.5);
    if (n < 1) n = 1;
    if (n > n_train - 1) n = n_train - 1;
    return n;
}

/* Fill fold f from the assignment: test = fold_of == f, the rest trains, and a seeded draw
 * moves some training participants to validation. All lists come out ascending. */
static int pf_fold_fill(pf_fold *fd, const int *fold_of, size_t P, size_t f, const pf_config *cfg,
                        pf_error *err)
{
    size_t n_test = 0;
    for (size_t p = 0; p < P; p++) n_test += fold_of[p] == (int)f;
    size_t n_rest = P - n_test, n_val = pf_val_count(cfg->validation, n_rest);
    fd->test = pf_calloc(n_test, sizeof(int), err);
    fd->train = pf_calloc(n_rest, sizeof(int), err);
    fd->val = pf_calloc(n_val, sizeof(int), err);
    if (!fd->test || !fd->train || !fd->val) return PF_ERUNTIME;
    int *rest = fd->train; /* all non-test participants first; validation is removed below */
    size_t a = 0, b = 0;
    for (size_t p = 0; p < P; p++) {
        if (fold_of[p] == (int)f)
            fd->test[a++] = (int)p;
        else
            rest[b++] = (int)p;
    }
    fd->n_test = n_test;
    fd->n_val = n_val;
    fd->n_train = n_rest - n_val;
    if (n_val == 0) return PF_OK;
    gsl_rng *r = pf_rng_alloc(cfg->seed, f, 0, PF_SEED_SPLIT);
    if (r == NULL) return pf_error_set(err, PF_ERUNTIME, "cannot allocate a random generator");
    gsl_ran_choose(r, fd->val, n_val, rest, n_rest, sizeof(int)); /* keeps ascending order */
    gsl_rng_free(r);
    size_t kept = 0, v = 0;
    for (size_t i = 0; i < n_rest; i++) {
        if (v < n_val && rest[i] == fd->val[v])
            v++;
        else
            rest[kept++] = rest[i];
    }
    return PF_OK;
}

static int pf_folds_check(const pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    size_t P = ds->n_participants;
    if (!(cfg->validation >= 0 && cfg->validation < 1))
        return pf_error_set(err, PF_EINPUT, "folds.validation (%g) must be in [0, 1)",
                            cfg->validation);
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

pf_folds *pf_folds_alloc(const pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    if (pf_folds_check(ds, cfg, err) != PF_OK) return NULL;
    size_t P = ds->n_participants;
    size_t n_folds = cfg->scheme == PF_FOLDS_LOPO ? P : (size_t)cfg->k;
    int *fold_of = pf_calloc(P, sizeof *fold_of, err);
    pf_folds *fs = pf_calloc(1, sizeof *fs, err);
    if (fs) fs->fold = pf_calloc(n_folds, sizeof *fs->fold, err);
    if (!fold_of || !fs || !fs->fold) goto fail;
    fs->n_folds = n_folds;
    if (cfg->scheme == PF_FOLDS_LOPO)
        for (size_t p = 0; p < P; p++) fold_of[p] = (int)p;
    else if (pf_assign_group_kfold(ds, n_folds, fold_of, err) != PF_OK)
        goto fail;
    for (size_t f = 0; f < n_folds; f++)
        if (pf_fold_fill(&fs->fold[f], fold_of, P, f, cfg, err) != PF_OK) goto fail;
    free(fold_of);
    return fs;
fail:
    free(fold_of);
    pf_folds_free(fs);
    return NULL;
}

void pf_folds_free(pf_folds *fs)
{
    if (fs == NULL) return;
    for (size_t f = 0; fs->fold && f < fs->n_folds; f++) {
        free(fs->fold[f].test);
        free(fs->fold[f].train);
        free(fs->fold[f].val);
    }
    free(fs->fold);
    free(fs);
}

/* ---- scaler ------------------------------------------------------------------------------- */

/* Participant indices come from this module or the runner, so a bad one is a program bug. */
static int pf_check_participants(const pf_dataset *ds, const int *parts, size_t n, pf_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (parts[i] < 0 || (size_t)parts[i] >= ds->n_participants)
            return pf_error_set(err, PF_ERUNTIME,
                                "participant index %d out of range (the data has %zu)", parts[i],
                                ds->n_participants);
    return PF_OK;
}

/* Per-feature minimum, maximum and mean over the rows of the given participants. */
static void pf_scan_range(const pf_dataset *ds, const int *parts, size_t n, double *lo, double *hi,
                          double *mean, size_t *rows)
{
    size_t d = ds->n_features, m = 0;
    for (size_t j = 0; j < d; j++) lo[j] = INFINITY, hi[j] = -INFINITY, mean[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++, m++)
            for (size_t j = 0; j < d; j++) {
                double v = ds->x[r * d + j];
                lo[j] = fmin(lo[j], v);
                hi[j] = fmax(hi[j], v);
                mean[j] += v;
            }
    for (size_t j = 0; j < d && m > 0; j++) mean[j] /= (double)m;
    *rows = m;
}

/* Population sd by a second pass around the mean (no cancellation, unlike sum of squares). */
static void pf_scan_sd(const pf_dataset *ds, const int *parts, size_t n, const double *mean,
                       size_t rows, double *sd)
{
    size_t d = ds->n_features;
    for (size_t j = 0; j < d; j++) sd[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++)
            for (size_t j = 0; j < d; j++) {
                double e = ds->x[r * d + j] - mean[j];
                sd[j] += e * e;
            }
    for (size_t j = 0; j < d; j++) sd[j] = sqrt(sd[j] / (double)rows);
}

/* A feature that is constant on the training participants gets shift = its value and scale 1,
 * so it maps to exactly 0 there (a mean of equal values can be off by an ulp, so the constant
 * is detected by min == max, not by sd == 0). A spread too small to invert also gets scale 1. */
static void pf_scaler_set(pf_scaler *s, pf_scaling method, const double *lo, const double *hi,
                          const double *mean, const double *sd)
{
    for (size_t j = 0; j < s->n_features; j++) {
        double shift = 0, scale = 1;
        if (method != PF_SCALE_NONE && lo[j] == hi[j]) {
            shift = lo[j];
        } else if (method == PF_SCALE_ZSCORE) {
            shift = mean[j];
            scale = 1.0 / sd[j];
        } else if (method == PF_SCALE_MINMAX) {
            shift = lo[j];
            scale = 1.0 / (hi[j] - lo[j]);
        }
        if (!isfinite(scale) || scale == 0) scale = 1;
        s->shift[j] = shift;
        s->scale[j] = scale;
    }
}

pf_scaler *pf_scaler_fit(const pf_dataset *ds, const int *participants, size_t n, pf_scaling method,
                         pf_error *err)
{
    if (pf_check_participants(ds, participants, n, err) != PF_OK) return NULL;
    size_t d = ds->n_features, rows = 0;
    pf_scaler *s = pf_calloc(1, sizeof *s, err);
    double *tmp = pf_calloc(4 * (d ? d : 1), sizeof *tmp, err); /* lo, hi, mean, sd */
    if (s) {
        s->n_features = d;
        s->shift = pf_calloc(d, sizeof *s->shift, err);
        s->scale = pf_calloc(d, sizeof *s->scale, err);
    }
    if (!s || !tmp || !s->shift || !s->scale) goto fail;
    double *lo = tmp, *hi = tmp + d, *mean = tmp + 2 * d, *sd = tmp + 3 * d;
    pf_scan_range(ds, participants, n, lo, hi, mean, &rows);
    if (rows == 0) {
        pf_error_set(err, PF_EINPUT,
                     "cannot fit the feature scaler: the %zu training participants have no "
                     "windows",
                     n);
        goto fail;
    }
    if (method == PF_SCALE_ZSCORE) pf_scan_sd(ds, participants, n, mean, rows, sd);
    pf_scaler_set(s, method, lo, hi, mean, sd);
    free(tmp);
    return s;
fail:
    free(tmp);
    pf_scaler_free(s);
    return NULL;
}

void pf_scaler_free(pf_scaler *s)
{
    if (s == NULL) return;
    free(s->shift);
    free(s->scale);
    free(s);
}

/* ---- split -------------------------------------------------------------------------------- */

void pf_split_free(pf_split *s)
{
    if (s == NULL) return;
    free(s->x);
    free(s->y);
    free(s->part);
    free(s->off);
    free(s->group);
    free(s);
}

static void pf_split_fill(pf_split *s, const pf_dataset *ds, const int *parts, const pf_scaler *sc)
{
    size_t d = ds->n_features, row = 0;
    for (size_t i = 0; i < s->n_parts; i++) {
        s->part[i] = parts[i];
        s->off[i] = row;
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++, row++) {
            for (size_t j = 0; j < d; j++) {
                double v = ds->x[r * d + j];
                if (sc) v = (v - sc->shift[j]) * sc->scale[j];
                s->x[row * d + j] = (float)v;
            }
            s->y[row] = (float)ds->y[r];
            if (s->group) s->group[row] = ds->group[r];
        }
    }
    s->off[s->n_parts] = row;
}

pf_split *pf_split_alloc(const pf_dataset *ds, const int *participants, size_t n,
                         const pf_scaler *sc, pf_error *err)
{
    if (pf_check_participants(ds, participants, n, err) != PF_OK) return NULL;
    if (sc && sc->n_features != ds->n_features) {
        pf_error_set(err, PF_ERUNTIME, "scaler has %zu features but the data has %zu",
                     sc->n_features, ds->n_features);
        return NULL;
    }
    size_t rows = 0, d = ds->n_features;
    for (size_t i = 0; i < n; i++) rows += pf_dataset_count(ds, (size_t)participants[i]);
    pf_split *s = pf_calloc(1, sizeof *s, err);
    if (s == NULL) return NULL;
    s->n = rows;
    s->d = d;
    s->n_parts = n;
    s->x = pf_calloc(rows * d, sizeof *s->x, err);
    s->y = pf_calloc(rows, sizeof *s->y, err);
    s->part = pf_calloc(n, sizeof *s->part, err);
    s->off = pf_calloc(n + 1, sizeof *s->off, err);
    if (ds->group) s->group = pf_calloc(rows, sizeof *s->group, err);
    if (!s->x || !s->y || !s->part || !s->off || (ds->group && !s->group)) {
        pf_split_free(s);
        return NULL;
    }
    pf_split_fill(s, ds, participants, sc);
    return s;
}
