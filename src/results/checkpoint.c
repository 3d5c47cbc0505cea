/* checkpoint.c: task slices as checksummed blobs, and their files (see checkpoint.h).
 *
 * Packing and unpacking walk the same list of slots in the same order (slots()), so the two
 * can never disagree about the layout: one function describes it, and a flag says whether it
 * copies out of the results or into them. */
#define _XOPEN_SOURCE 700 /* fsync */
#include "results/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/outfile.h"

#include "base/version.h"
#include "base/sha256.h"

#define MAGIC                                                                                      \
    "PFTASK04" /* 02: task records carry stored_bytes; 03: quantised models; 04: clustering */
#define HASH_LEN 64
#define VERS_LEN 32
#define N_SIZES  6
#define HEAD_LEN (8 + 8 + 8 + HASH_LEN + VERS_LEN + 8 * N_SIZES)
#define SHA_LEN  PF_SHA256_BYTES

enum {
    HAS_TRANSFORM = 1,
    HAS_DENSE_PARAMS = 2,
    HAS_MASKS = 4,
    HAS_SCORES = 8,
    HAS_VARIANT_PARAMS = 16,
    HAS_MODELS = 32,       /* dense weights and masks for timing (task 0) */
    HAS_QUANT = 64,        /* the quantised models' integers, scales and biases */
    HAS_PREDICTIONS = 128, /* output.save_predictions */
    HAS_LOG_VAR = 256      /* train.output_weighting: the dense training's log-variances */
};

/* A cursor over a blob, writing (out) or reading (in). */
typedef struct {
    unsigned char *buf;
    size_t len, pos;
    int writing;
    int short_read;
} cursor;

static void move(cursor *c, void *data, size_t n)
{
    if (c->writing) {
        if (c->buf) memcpy(c->buf + c->pos, data, n);
    } else if (c->pos + n > c->len) {
        c->short_read = 1;
        return;
    } else {
        memcpy(data, c->buf + c->pos, n);
    }
    c->pos += n;
}

/* The predictions of the fold's test participants at repeat k, variant by variant: each
 * participant's windows are one run of slots (predictions.h). */
static void prediction_slots(cursor *c, pf_results *r, const pf_fold *fd, size_t k)
{
    size_t m = r->n_pred;
    for (size_t j = 0; j < fd->n_test; j++) {
        size_t p = (size_t)fd->test[j], lo = r->window_first[p];
        size_t n = r->window_first[p + 1] - lo;
        for (size_t v = 0; v < r->n_var; v++) {
            size_t at = (v * r->n_rep + k) * r->n_win + lo;
            move(c, r->pred + at * m, n * m * sizeof *r->pred);
            if (r->pred_class) move(c, r->pred_class + at, n * sizeof *r->pred_class);
        }
    }
}

/* The task's slots, in blob order; models (dense weights and masks) only with HAS_MODELS. */
static void slots(cursor *c, pf_results *r, const pf_fold *fd, size_t fold, size_t k, size_t task,
                  unsigned flags, float *dense, unsigned char *masks)
{
    size_t M = r->n_metric, V = r->n_var, d = r->n_features, T = r->n_targets, P = r->n_params;
    for (size_t j = 0; j < fd->n_test; j++)
        for (size_t m = 0; m < M; m++)
            for (size_t v = 0; v < V; v++)
                move(c, &r->value[pf_results_at(r, m, v, (size_t)fd->test[j], k)], sizeof(double));
    for (size_t v = 0; v < V; v++)
        move(c, pf_results_record(r, fold, k, v), sizeof(pf_task_record));
    if (flags & HAS_TRANSFORM) {
        move(c, r->feature_fill + fold * d, d * sizeof(double));
        move(c, r->feature_shift + fold * d, d * sizeof(double));
        move(c, r->feature_scale + fold * d, d * sizeof(double));
        move(c, r->target_shift + fold * T, T * sizeof(double));
        move(c, r->target_scale + fold * T, T * sizeof(double));
    }
    if (flags & HAS_DENSE_PARAMS) move(c, r->dense_params + task * P, P * sizeof(float));
    if (flags & HAS_MASKS) move(c, r->masks + task * V * P, V * P);
    if (flags & HAS_SCORES)
        move(c, r->scores + task * r->n_crit * P, r->n_crit * P * sizeof(float));
    if (flags & HAS_VARIANT_PARAMS)
        move(c, r->variant_params + task * V * P, V * P * sizeof(float));
    if (flags & HAS_QUANT) {
        size_t Q = pf_results_n_quant(r), U = r->n_units;
        move(c, r->quant_q + task * Q * P, Q * P);
        move(c, r->quant_scale + task * Q * U, Q * U * sizeof(float));
        move(c, r->quant_bias + task * Q * U, Q * U * sizeof(float));
    }
    if (flags & HAS_MODELS) {
        move(c, dense, P * sizeof(float));
        move(c, masks, V * P);
    }
    if (flags & HAS_PREDICTIONS) prediction_slots(c, r, fd, k);
    if (flags & HAS_LOG_VAR) move(c, r->output_log_var + task * T, T * sizeof(double));
}

static int sha256(const unsigned char *data, size_t n, unsigned char *out)
{
    return pf_sha256_of(data, n, out, NULL);
}

static void sizes_of(const pf_results *r, const pf_fold *fd, uint64_t *z)
{
    z[0] = fd->n_test, z[1] = r->n_metric, z[2] = r->n_var, z[3] = r->n_features;
    z[4] = r->n_targets, z[5] = r->n_params;
}

int pf_checkpoint_pack(const pf_results *r, const pf_folds *folds, const pf_config *cfg,
                       size_t task, const float *dense, const unsigned char *masks,
                       unsigned char **blob, size_t *len, pf_error *err)
{
    size_t fold = task / r->n_rep, k = task % r->n_rep;
    const pf_fold *fd = &folds->fold[fold];
    uint64_t flags = (k == 0 ? HAS_TRANSFORM : 0) | (r->dense_params ? HAS_DENSE_PARAMS : 0) |
                     (r->masks ? HAS_MASKS : 0) | (r->scores ? HAS_SCORES : 0) |
                     (r->variant_params ? HAS_VARIANT_PARAMS : 0) | (r->quant_q ? HAS_QUANT : 0) |
                     (dense && masks ? HAS_MODELS : 0) | (r->pred ? HAS_PREDICTIONS : 0) |
                     (r->output_log_var ? HAS_LOG_VAR : 0);
    uint64_t sizes[N_SIZES], t64 = task;
    sizes_of(r, fd, sizes);
    char hash[HASH_LEN] = {0}, vers[VERS_LEN] = {0};
    memcpy(hash, cfg->hash, HASH_LEN);
    snprintf(vers, sizeof vers, "%s", PACKAGE_VERSION);
    /* The same walk twice: first to measure, then to copy. */
    cursor c = {.writing = 1};
    move(&c, MAGIC, 8), move(&c, &t64, 8), move(&c, &flags, 8);
    move(&c, hash, HASH_LEN), move(&c, vers, VERS_LEN), move(&c, sizes, sizeof sizes);
    slots(&c, (pf_results *)r, fd, fold, k, task, (unsigned)flags, (float *)dense,
          (unsigned char *)masks);
    size_t n = c.pos + SHA_LEN;
    if ((c.buf = malloc(n)) == NULL)
        return pf_error_set(err, PF_ERUNTIME, "out of memory packing task %zu", task);
    c.pos = 0;
    move(&c, MAGIC, 8), move(&c, &t64, 8), move(&c, &flags, 8);
    move(&c, hash, HASH_LEN), move(&c, vers, VERS_LEN), move(&c, sizes, sizeof sizes);
    slots(&c, (pf_results *)r, fd, fold, k, task, (unsigned)flags, (float *)dense,
          (unsigned char *)masks);
    if (!sha256(c.buf, c.pos, c.buf + c.pos)) {
        free(c.buf);
        return pf_error_set(err, PF_ERUNTIME, "SHA-256 failed (OpenSSL)");
    }
    *blob = c.buf;
    *len = n;
    return PF_OK;
}

/* What a blob says about itself, checked before any slot is touched. */
static int check_head(const pf_results *r, const pf_folds *folds, const pf_config *cfg,
                      const unsigned char *blob, size_t len, uint64_t *task, uint64_t *flags,
                      pf_error *err)
{
    unsigned char sum[SHA_LEN];
    if (len >= 8 && memcmp(blob, MAGIC, 6) == 0 && memcmp(blob, MAGIC, 8) != 0)
        return pf_error_set(err, PF_EINPUT,
                            "written by another version of prunefair (format %.8s, this one "
                            "reads %s)",
                            (const char *)blob, MAGIC);
    if (len < HEAD_LEN + SHA_LEN || memcmp(blob, MAGIC, 8) != 0)
        return pf_error_set(err, PF_EINPUT, "not a prunefair task checkpoint (%zu bytes)", len);
    if (!sha256(blob, len - SHA_LEN, sum) || memcmp(sum, blob + len - SHA_LEN, SHA_LEN) != 0)
        return pf_error_set(err, PF_EINPUT,
                            "a task checkpoint is corrupted (its SHA-256 does not match)");
    memcpy(task, blob + 8, 8);
    memcpy(flags, blob + 16, 8);
    if (memcmp(blob + 24, cfg->hash, HASH_LEN) != 0)
        return pf_error_set(err, PF_EINPUT,
                            "task %llu was computed for another config (hash %.8s..., this run "
                            "is %.8s...)",
                            (unsigned long long)*task, (const char *)blob + 24, cfg->hash);
    char vers[VERS_LEN + 1] = {0};
    memcpy(vers, blob + 24 + HASH_LEN, VERS_LEN);
    if (strcmp(vers, PACKAGE_VERSION) != 0)
        return pf_error_set(err, PF_EINPUT,
                            "task %llu was computed by prunefair %s, this is %s; rerun it with "
                            "one version",
                            (unsigned long long)*task, vers, PACKAGE_VERSION);
    if (*task >= folds->n_folds * r->n_rep)
        return pf_error_set(err, PF_EINPUT, "task %llu is outside this study's %zu tasks",
                            (unsigned long long)*task, folds->n_folds * r->n_rep);
    uint64_t sizes[N_SIZES], want[N_SIZES];
    memcpy(sizes, blob + 24 + HASH_LEN + VERS_LEN, sizeof sizes);
    sizes_of(r, &folds->fold[*task / r->n_rep], want);
    if (memcmp(sizes, want, sizeof sizes) != 0)
        return pf_error_set(err, PF_EINPUT, "task %llu has another shape than this study",
                            (unsigned long long)*task);
    return PF_OK;
}

int pf_checkpoint_unpack(pf_results *r, const pf_folds *folds, const pf_config *cfg,
                         const unsigned char *blob, size_t len, size_t *task, float **dense,
                         unsigned char **masks, pf_error *err)
{
    uint64_t t64 = 0, flags = 0;
    if (dense) *dense = NULL;
    if (masks) *masks = NULL;
    if (check_head(r, folds, cfg, blob, len, &t64, &flags, err) != PF_OK) return err->code;
    size_t fold = (size_t)t64 / r->n_rep, k = (size_t)t64 % r->n_rep;
    /* Saved arrays the blob has but these results do not keep (or the reverse) mean another
     * output.save_* setting: the config hash leaves output.* out, so check here. The
     * log-variances follow train.output_weighting, which the hash covers: a difference there is
     * a blob of another program. */
    uint64_t have = (r->dense_params ? HAS_DENSE_PARAMS : 0) | (r->masks ? HAS_MASKS : 0) |
                    (r->scores ? HAS_SCORES : 0) | (r->variant_params ? HAS_VARIANT_PARAMS : 0) |
                    (r->quant_q ? HAS_QUANT : 0) | (r->pred ? HAS_PREDICTIONS : 0);
    if ((flags & (HAS_DENSE_PARAMS | HAS_MASKS | HAS_SCORES | HAS_VARIANT_PARAMS | HAS_QUANT |
                  HAS_PREDICTIONS)) != have)
        return pf_error_set(err, PF_EINPUT,
                            "task %llu was saved with other output.save_* settings; use the "
                            "same ones to resume or merge",
                            (unsigned long long)t64);
    if (!(flags & HAS_LOG_VAR) != !r->output_log_var)
        return pf_error_set(err, PF_EINPUT, "task %llu %s; it was written by another build",
                            (unsigned long long)t64,
                            (flags & HAS_LOG_VAR)
                                ? "carries the outputs' log-variances, which this study lacks"
                                : "lacks the outputs' log-variances this study keeps");
    float *dw = NULL;
    unsigned char *mk = NULL;
    if (flags & HAS_MODELS) {
        dw = malloc(r->n_params * sizeof *dw);
        mk = malloc(r->n_var * r->n_params);
        if (!dw || !mk) {
            free(dw), free(mk);
            return pf_error_set(err, PF_ERUNTIME, "out of memory reading a checkpoint");
        }
    }
    cursor c = {.buf = (unsigned char *)blob, .len = len - SHA_LEN, .pos = HEAD_LEN};
    slots(&c, r, &folds->fold[fold], fold, k, (size_t)t64, (unsigned)flags, dw, mk);
    if (c.short_read || c.pos != c.len) {
        free(dw), free(mk);
        return pf_error_set(err, PF_EINPUT, "task %llu's checkpoint has the wrong length",
                            (unsigned long long)t64);
    }
    if (dense)
        *dense = dw;
    else
        free(dw);
    if (masks)
        *masks = mk;
    else
        free(mk);
    *task = (size_t)t64;
    return PF_OK;
}

static void task_path(char *out, size_t cap, const char *dir, size_t task, const char *ext)
{
    snprintf(out, cap, "%s/task-%06zu%s", dir, task, ext);
}

int pf_checkpoint_save(const char *dir, size_t task, const unsigned char *blob, size_t len,
                       pf_error *err)
{
    char name[32];
    pf_outfile f;
    snprintf(name, sizeof name, "task-%06zu.bin", task);
    if (pf_outfile_open(&f, dir, name, err) != PF_OK) return err->code;
    if (fwrite(blob, 1, len, f.fp) != len) {
        pf_outfile_abort(&f);
        return pf_error_set(err, PF_ERUNTIME, "cannot write checkpoint '%s': %s", f.path,
                            strerror(errno));
    }
    return pf_outfile_commit(&f, err);
}

int pf_checkpoint_read(const char *dir, size_t task, unsigned char **blob, size_t *len,
                       pf_error *err)
{
    char path[4200];
    task_path(path, sizeof path, dir, task, ".bin");
    *blob = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return errno == ENOENT
                   ? PF_OK
                   : pf_error_set(err, PF_ERUNTIME, "cannot read '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fclose(f);
        return pf_error_set(err, PF_ERUNTIME, "cannot read '%s'", path);
    }
    unsigned char *b = malloc((size_t)st.st_size + 1);
    size_t n = b ? fread(b, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (b == NULL || n != (size_t)st.st_size) {
        free(b);
        return pf_error_set(err, PF_ERUNTIME, "cannot read '%s'", path);
    }
    *blob = b;
    *len = n;
    return PF_OK;
}

void pf_checkpoint_mark_failed(const char *dir, size_t task, const char *message)
{
    char path[4200];
    task_path(path, sizeof path, dir, task, ".failed");
    FILE *f = fopen(path, "w");
    if (f == NULL) return;
    fprintf(f, "%s\n", message);
    fclose(f);
}

void pf_checkpoint_clear_failed(const char *dir, size_t task)
{
    char path[4200];
    task_path(path, sizeof path, dir, task, ".failed");
    unlink(path);
}

void pf_checkpoint_clean(const char *dir, const size_t *tasks, size_t n)
{
    char path[4200];
    for (size_t i = 0; i < n; i++) {
        task_path(path, sizeof path, dir, tasks[i], ".bin.tmp");
        unlink(path);
    }
}
