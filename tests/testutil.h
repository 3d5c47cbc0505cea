/* testutil.h: helpers shared by the cmocka tests (include after <cmocka.h>). */
#ifndef PF_TESTUTIL_H
#define PF_TESTUTIL_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "data/dataset.h"
#include "folds/folds.h"
#include "model/mlp.h"
#include "results/results.h"

/* assert_near(a, b, tol): |a - b| <= tol, printing both values in full on failure. */
#define assert_near(a, b, tol) near_at((double)(a), (double)(b), (double)(tol), __FILE__, __LINE__)
static inline void near_at(double a, double b, double tol, const char *file, int line)
{
    if (fabs(a - b) <= tol) return;
    print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
    _fail(file, line);
}

/* Fold f of fs with its training and validation lists made (pf_folds_lists: folds keep only
 * their test lists), for the tests that read them; test_fold_free releases the lists. */
typedef struct {
    size_t n_test, n_train, n_val;
    const int *test;
    int *train, *val;
} test_fold;

static inline test_fold test_fold_lists(const pf_folds *fs, size_t f)
{
    const pf_fold *fd = &fs->fold[f];
    test_fold t = {fd->n_test,
                   fd->n_train,
                   fd->n_val,
                   fd->test,
                   calloc(fd->n_train + 1, sizeof(int)),
                   calloc(fd->n_val + 1, sizeof(int))};
    pf_error err = {0};
    assert_non_null(t.train);
    assert_non_null(t.val);
    assert_int_equal(pf_folds_lists(fs, f, t.train, t.val, &err), PF_OK);
    return t;
}

static inline void test_fold_free(test_fold *t)
{
    free(t->train), free(t->val);
}

/* A dataset with the given window counts and d features: x[r][j] = 10 r + j, y[r] = r / 100,
 * group[r] = participant + 7 when with_groups; features named a, b, ...; participants A, B, ...
 * (rename_participant gives one another id). */
static inline pf_dataset *make_dataset(const size_t *counts, size_t P, size_t d, int with_groups)
{
    size_t n = 0;
    for (size_t p = 0; p < P; p++) n += counts[p];
    pf_error err;
    pf_error_clear(&err);
    pf_dataset *ds = pf_dataset_alloc(n, d, 1, P, with_groups, &err);
    assert_non_null(ds);
    size_t r = 0;
    for (size_t p = 0; p < P; p++) {
        ds->offset[p] = r;
        ds->participant_ids[p] = strdup((char[]){(char)('A' + p), 0});
        for (size_t i = 0; i < counts[p]; i++, r++) {
            for (size_t j = 0; j < d; j++) ds->x[r * d + j] = 10.0 * (double)r + (double)j;
            ds->y[r] = (double)r / 100;
            ds->participant[r] = (int)p;
            if (with_groups) ds->group[r] = (int)p + 7;
        }
    }
    ds->offset[P] = r;
    for (size_t j = 0; j < d; j++) ds->feature_names[j] = strdup((char[]){(char)('a' + j), 0});
    return ds;
}

static inline void rename_participant(pf_dataset *ds, size_t p, const char *id)
{
    free(ds->participant_ids[p]);
    ds->participant_ids[p] = strdup(id);
}

/* A Mersenne Twister with a fixed seed, for test data independent of seed.c. */
static inline gsl_rng *rng_new(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

/* ---- a reference network for finite differences ---- */

#define REF_MAX_ROWS  16 /* rows the reference accepts */
#define REF_MAX_WIDTH 16 /* widest layer (inputs and outputs included) */

/* An independent double-precision forward and loss over the same flat layout, so the finite
 * differences are not drowned in float32 rounding (with h = 1e-5 they are good to ~1e-9).
 * It is the oracle: written from the definitions (tanh, exp, log), sharing no code with
 * mlp.c or loss.c, and deliberately naive (plain softmax, one-pass means). */
static inline double ref_act(pf_activation act, double z)
{
    switch (act) {
    case PF_ACT_RELU:
        return z > 0 ? z : 0;
    case PF_ACT_TANH:
        return tanh(z);
    case PF_ACT_SIGMOID:
        return 1 / (1 + exp(-z));
    case PF_ACT_ELU:
        return z > 0 ? z : expm1(z);
    }
    return 0;
}

/* The n_out outputs of one row x under parameters p (the model's mask applied). */
static inline void ref_forward(const pf_mlp *m, const double *p, const float *x, double *out)
{
    double a[REF_MAX_WIDTH], b[REF_MAX_WIDTH];
    for (size_t k = 0; k < m->dims[0]; k++) a[k] = x[k];
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t din = m->dims[l], dout = m->dims[l + 1];
        for (size_t o = 0; o < dout; o++) {
            double z = p[m->b_off[l] + o] * m->mask[m->b_off[l] + o];
            for (size_t k = 0; k < din; k++) {
                size_t j = m->w_off[l] + o * din + k;
                z += p[j] * m->mask[j] * a[k];
            }
            b[o] = l + 1 < m->n_layers ? ref_act(m->act, z) : z;
        }
        memcpy(a, b, dout * sizeof *a);
    }
    memcpy(out, a, m->dims[m->n_layers] * sizeof *out);
}

/* The loss of predictions yh (n x K, double) against y: mse = mean over rows and outputs of
 * squared errors; ccc = 1 - mean over outputs of Lin's CCC (population moments); xent =
 * sum_i w_{y_i} (-log softmax(yh_i)_{y_i}) / sum_i w_{y_i} with y the class index (w NULL:
 * all 1). y is n x K for mse and ccc, n x 1 for xent. */
static inline double ref_loss_of(const double *yh, const float *y, size_t n, size_t K, pf_loss loss,
                                 const double *w)
{
    if (loss == PF_LOSS_XENT) {
        double num = 0, den = 0;
        for (size_t i = 0; i < n; i++) {
            size_t c = (size_t)y[i];
            double se = 0;
            for (size_t k = 0; k < K; k++) se += exp(yh[i * K + k]);
            double wi = w ? w[c] : 1.0;
            num += wi * -log(exp(yh[i * K + c]) / se);
            den += wi;
        }
        return num / den;
    }
    double se = 0, ccc_sum = 0;
    for (size_t k = 0; k < K; k++) {
        double mx = 0, my = 0, vx = 0, vy = 0, cv = 0;
        for (size_t i = 0; i < n; i++) mx += yh[i * K + k] / n, my += y[i * K + k] / (double)n;
        for (size_t i = 0; i < n; i++) {
            double a = yh[i * K + k] - mx, b = y[i * K + k] - my;
            vx += a * a / n, vy += b * b / n, cv += a * b / n;
            se += (yh[i * K + k] - y[i * K + k]) * (yh[i * K + k] - y[i * K + k]);
        }
        ccc_sum += 2 * cv / (vx + vy + (mx - my) * (mx - my));
    }
    return loss == PF_LOSS_MSE ? se / (double)(n * K) : 1 - ccc_sum / (double)K;
}

/* The loss of the reference network over n rows of x, with class weights w (NULL: all 1). */
static inline double ref_loss_w(const pf_mlp *m, const double *p, const float *x, const float *y,
                                size_t n, pf_loss loss, const double *w)
{
    double yh[REF_MAX_ROWS * REF_MAX_WIDTH];
    size_t K = m->dims[m->n_layers];
    for (size_t i = 0; i < n; i++) ref_forward(m, p, x + i * m->dims[0], yh + i * K);
    return ref_loss_of(yh, y, n, K, loss, w);
}

static inline double ref_loss(const pf_mlp *m, const double *p, const float *x, const float *y,
                              size_t n, pf_loss loss)
{
    return ref_loss_w(m, p, x, y, n, loss, NULL);
}

/* ---- a study of a given shape (pf_results), for the results, statistics and report tests ---- */

/* The lists of a shape, each with its count, so the two cannot disagree:
 *   make_results((pf_results_shape){CRITERIA("magnitude", "vr(lambda=0.5)"), SPARSITIES(0.5, 0.8),
 *                                   .n_part = 4})
 * (the lists are copied by pf_results_new; TARGETS names the outputs, WIDTHS lists
 * compress.bits). */
#define CRITERIA(...)                                                                              \
    .crit = (const char[][PF_MAX_NAME]){__VA_ARGS__},                                              \
    .n_crit = sizeof((const char[][PF_MAX_NAME]){__VA_ARGS__}) / PF_MAX_NAME
#define SPARSITIES(...)                                                                            \
    .sparsity = (const double[]){__VA_ARGS__},                                                     \
    .n_sp = sizeof((const double[]){__VA_ARGS__}) / sizeof(double)
#define TARGETS(...)                                                                               \
    .target_names = (char *const[]){__VA_ARGS__},                                                  \
    .n_targets = sizeof((char *const[]){__VA_ARGS__}) / sizeof(char *)
#define WIDTHS(...)                                                                                \
    .bits = (const int[]){__VA_ARGS__}, .n_bits = sizeof((const int[]){__VA_ARGS__}) / sizeof(int)

/* A study of shape sh, every value NaN (pf_results_new), failing the test if the shape is
 * refused. What sh leaves 0 takes the tests' usual value: a regression (PF_TASK_REGRESSION is
 * 0) with one unnamed output, one repeat, one fold per participant (leave-one-participant-out)
 * and stats.metric "auto". Ids, names and records are the test's to fill. */
static inline pf_results *make_results(pf_results_shape sh)
{
    assert_true(sh.n_part > 0);
    if (sh.n_targets == 0) sh.n_targets = 1;
    if (sh.n_rep == 0) sh.n_rep = 1;
    if (sh.n_folds == 0) sh.n_folds = sh.n_part;
    if (sh.stats_metric == NULL) sh.stats_metric = "auto";
    pf_error err;
    pf_error_clear(&err);
    pf_results *r = pf_results_new(&sh, &err);
    if (r == NULL) fail_msg("pf_results_new: %s", err.msg);
    return r;
}

/* Metric m of variant v: vals[p] for participant p. With several repeats they alternate
 * vals[p] - spread and vals[p] + spread (the first below; a negative spread puts it above), so
 * an even number of repeats averages to vals[p] and a consumer that forgot to average the
 * repeats first sees other numbers. One repeat holds vals[p] itself. */
static inline void put_values(pf_results *r, size_t m, size_t v, const double *vals, double spread)
{
    for (size_t p = 0; p < r->n_part; p++)
        for (size_t k = 0; k < r->n_rep; k++) {
            double off = r->n_rep == 1 ? 0 : k % 2 ? spread : -spread;
            r->value[pf_results_at(r, m, v, p, k)] = vals[p] + off;
        }
}

/* Remove a folder and everything below it (test scratch folders). */
static inline void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

#endif
