/* test_folds.c: who is held out, who trains, who validates, and that nothing about a held-out
 * participant reaches the feature scaler.
 *
 * Expected fold assignments and scaler values are worked out by hand in the comments. The
 * leakage test rewrites the held-out and validation participants' features to absurd values
 * and demands a bit-identical scaler: the strongest form of "fitted on training only". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folds.h"
#include "synthetic.h"

/* A dataset with the given window counts and d features; x[r][j] = 10 r + j, y[r] = r / 100,
 * group[r] = participant + 7 when with_groups. */
static pf_dataset *make_ds(const size_t *counts, size_t P, size_t d, int with_groups)
{
    size_t n = 0;
    for (size_t p = 0; p < P; p++) n += counts[p];
    pf_error err;
    pf_error_clear(&err);
    pf_dataset *ds = pf_dataset_alloc(n, d, P, with_groups, &err);
    assert_non_null(ds);
    size_t r = 0;
    for (size_t p = 0; p < P; p++) {
        ds->offset[p] = r;
        for (size_t i = 0; i < counts[p]; i++, r++) {
            for (size_t j = 0; j < d; j++) ds->x[r * d + j] = 10.0 * (double)r + (double)j;
            ds->y[r] = (double)r / 100;
            ds->participant[r] = (int)p;
            if (with_groups) ds->group[r] = (int)p + 7;
        }
    }
    ds->offset[P] = r;
    return ds;
}

static pf_config config(pf_fold_scheme scheme, int k, double validation, uint64_t seed)
{
    pf_config c;
    pf_config_defaults(&c);
    c.scheme = scheme;
    c.k = k;
    c.validation = validation;
    c.seed = seed;
    return c;
}

static void assert_ascending(const int *v, size_t n)
{
    for (size_t i = 1; i < n; i++) assert_true(v[i - 1] < v[i]);
}

/* Every participant appears in exactly one of test, train, val; lists ascending. */
static void assert_partition(const pf_fold *fd, size_t P)
{
    int seen[64] = {0};
    assert_true(P <= 64);
    assert_int_equal(fd->n_test + fd->n_train + fd->n_val, P);
    for (size_t i = 0; i < fd->n_test; i++) seen[fd->test[i]] += 1;
    for (size_t i = 0; i < fd->n_train; i++) seen[fd->train[i]] += 10;
    for (size_t i = 0; i < fd->n_val; i++) seen[fd->val[i]] += 100;
    for (size_t p = 0; p < P; p++) assert_true(seen[p] == 1 || seen[p] == 10 || seen[p] == 100);
    assert_ascending(fd->test, fd->n_test);
    assert_ascending(fd->train, fd->n_train);
    assert_ascending(fd->val, fd->n_val);
}

/* ---- folds -------------------------------------------------------------------------------- */

static void test_lopo(void **state)
{
    (void)state;
    size_t counts[5] = {3, 1, 4, 1, 5};
    pf_dataset *ds = make_ds(counts, 5, 2, 0);
    pf_config c = config(PF_FOLDS_LOPO, 5, 0.25, 1);
    pf_error err;
    pf_error_clear(&err);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    assert_int_equal(fs->n_folds, 5);
    int tested[5] = {0};
    for (size_t f = 0; f < 5; f++) {
        const pf_fold *fd = &fs->fold[f];
        assert_int_equal(fd->n_test, 1);
        assert_int_equal(fd->test[0], (int)f); /* fold i tests participant i */
        tested[fd->test[0]]++;
        assert_int_equal(fd->n_val, 1); /* round(0.25 * 4) */
        assert_int_equal(fd->n_train, 3);
        assert_partition(fd, 5);
    }
    for (size_t p = 0; p < 5; p++) assert_int_equal(tested[p], 1);
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

static void test_lopo_needs_two(void **state)
{
    (void)state;
    size_t counts[1] = {4};
    pf_dataset *ds = make_ds(counts, 1, 2, 0);
    pf_config c = config(PF_FOLDS_LOPO, 5, 0.1, 1);
    pf_error err;
    pf_error_clear(&err);
    assert_null(pf_folds_alloc(ds, &c, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_string_equal(
        err.msg, "leave-one-participant-out needs at least two participants; the data has 1");
    pf_dataset_free(ds);
}

/* Window counts 5,4,3,2,1, k = 2, largest first to the lighter fold (ties: lower fold):
 *   p0 (5) -> f0 [5,0];  p1 (4) -> f1 [5,4];  p2 (3) -> f1 [5,7];
 *   p3 (2) -> f0 [7,7];  p4 (1) -> tie -> f0 [8,7].
 * So fold 0 tests {0,3,4} and trains {1,2}; fold 1 tests {1,2} and trains {0,3,4}. */
static void test_group_kfold_assignment(void **state)
{
    (void)state;
    size_t counts[5] = {5, 4, 3, 2, 1};
    pf_dataset *ds = make_ds(counts, 5, 1, 0);
    pf_config c = config(PF_FOLDS_GROUP_KFOLD, 2, 0, 1);
    pf_error err;
    pf_error_clear(&err);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    assert_int_equal(fs->n_folds, 2);
    const pf_fold *f0 = &fs->fold[0], *f1 = &fs->fold[1];
    assert_int_equal(f0->n_test, 3);
    assert_int_equal(f0->test[0], 0);
    assert_int_equal(f0->test[1], 3);
    assert_int_equal(f0->test[2], 4);
    assert_int_equal(f0->n_train, 2);
    assert_int_equal(f0->train[0], 1);
    assert_int_equal(f0->train[1], 2);
    assert_int_equal(f0->n_val, 0);
    assert_int_equal(f1->n_test, 2);
    assert_int_equal(f1->test[0], 1);
    assert_int_equal(f1->test[1], 2);
    assert_int_equal(f1->n_train, 3);
    assert_int_equal(f1->train[0], 0);
    assert_int_equal(f1->train[1], 3);
    assert_int_equal(f1->train[2], 4);
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

/* Ties in window count go by participant index: counts 1,3,3,2, k = 2 sort to p1, p2, p3, p0:
 *   p1 (3) -> f0 [3,0];  p2 (3) -> f1 [3,3];  p3 (2) -> f0 [5,3];  p0 (1) -> f1 [5,4].
 * With k = 3 and counts 2,2,2,2: p0 -> f0, p1 -> f1, p2 -> f2, p3 -> f0 (all tied at 2). */
static void test_group_kfold_ties(void **state)
{
    (void)state;
    size_t a[4] = {1, 3, 3, 2}, b[4] = {2, 2, 2, 2};
    pf_dataset *ds = make_ds(a, 4, 1, 0);
    pf_config c = config(PF_FOLDS_GROUP_KFOLD, 2, 0, 1);
    pf_error err;
    pf_error_clear(&err);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    assert_int_equal(fs->fold[0].n_test, 2);
    assert_int_equal(fs->fold[0].test[0], 1);
    assert_int_equal(fs->fold[0].test[1], 3);
    assert_int_equal(fs->fold[1].test[0], 0);
    assert_int_equal(fs->fold[1].test[1], 2);
    pf_folds_free(fs);
    pf_dataset_free(ds);

    ds = make_ds(b, 4, 1, 0);
    c.k = 3;
    fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    assert_int_equal(fs->n_folds, 3);
    assert_int_equal(fs->fold[0].n_test, 2);
    assert_int_equal(fs->fold[0].test[0], 0);
    assert_int_equal(fs->fold[0].test[1], 3);
    assert_int_equal(fs->fold[1].n_test, 1);
    assert_int_equal(fs->fold[1].test[0], 1);
    assert_int_equal(fs->fold[2].n_test, 1);
    assert_int_equal(fs->fold[2].test[0], 2);
    for (size_t f = 0; f < 3; f++) assert_partition(&fs->fold[f], 4);
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

static void expect_folds_error(const pf_dataset *ds, pf_config *c, const char *msg)
{
    pf_error err;
    pf_error_clear(&err);
    assert_null(pf_folds_alloc(ds, c, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_string_equal(err.msg, msg);
}

static void test_fold_errors(void **state)
{
    (void)state;
    size_t counts[5] = {5, 4, 3, 2, 1};
    pf_dataset *ds = make_ds(counts, 5, 1, 0);
    pf_config c = config(PF_FOLDS_GROUP_KFOLD, 1, 0, 1);
    expect_folds_error(ds, &c, "folds.k (1) must be at least 2 for group_kfold");
    c.k = 6;
    expect_folds_error(ds, &c,
                       "folds.k (6) exceeds the number of participants (5); set folds.k to at "
                       "most 5");
    c = config(PF_FOLDS_LOPO, 5, 1.0, 1);
    expect_folds_error(ds, &c, "folds.validation (1) must be in [0, 1)");
    pf_dataset_free(ds);
}

/* ---- validation draw ---------------------------------------------------------------------- */

static pf_folds *lopo_folds(const pf_dataset *ds, double validation, uint64_t seed)
{
    pf_config c = config(PF_FOLDS_LOPO, 5, validation, seed);
    pf_error err;
    pf_error_clear(&err);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    return fs;
}

/* n_val = round(share * n_rest), at least 1 when share > 0 and n_rest >= 2, at most n_rest - 1. */
static void test_validation_count(void **state)
{
    (void)state;
    size_t counts[21];
    for (size_t p = 0; p < 21; p++) counts[p] = 2;
    pf_dataset *ds = make_ds(counts, 21, 1, 0);
    struct {
        double share;
        size_t n_val;
    } cases[] = {{0.2, 4}, {0.1, 2}, {0.01, 1}, {0.0, 0}, {0.99, 19}, {0.125, 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pf_folds *fs = lopo_folds(ds, cases[i].share, 1);
        for (size_t f = 0; f < fs->n_folds; f++) {
            assert_int_equal(fs->fold[f].n_val, cases[i].n_val);
            assert_int_equal(fs->fold[f].n_train, 20 - cases[i].n_val);
            assert_partition(&fs->fold[f], 21);
        }
        pf_folds_free(fs);
    }
    pf_dataset_free(ds);

    /* Two participants: one trains, none is left for validation. */
    size_t two[2] = {3, 3};
    ds = make_ds(two, 2, 1, 0);
    pf_folds *fs = lopo_folds(ds, 0.4, 1);
    assert_int_equal(fs->fold[0].n_val, 0);
    assert_int_equal(fs->fold[0].n_train, 1);
    assert_int_equal(fs->fold[0].train[0], 1);
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

/* Same seed, same draw; another master seed, another draw. Pinned for seed 1, fold 0 (rest =
 * participants 1..20, 4 chosen), as computed by an independent Python re-implementation of the
 * seed recipe, mt19937 and gsl_ran_choose (Knuth's selection sampling). */
static void test_validation_deterministic(void **state)
{
    (void)state;
    size_t counts[21];
    for (size_t p = 0; p < 21; p++) counts[p] = 2;
    pf_dataset *ds = make_ds(counts, 21, 1, 0);
    pf_folds *a = lopo_folds(ds, 0.2, 1), *b = lopo_folds(ds, 0.2, 1), *c = lopo_folds(ds, 0.2, 2);
    int differ = 0;
    for (size_t f = 0; f < 21; f++) {
        assert_memory_equal(a->fold[f].val, b->fold[f].val, 4 * sizeof(int));
        assert_memory_equal(a->fold[f].train, b->fold[f].train, 16 * sizeof(int));
        differ += memcmp(a->fold[f].val, c->fold[f].val, 4 * sizeof(int)) != 0;
    }
    assert_true(differ > 15);
    /* Folds of one run draw independently: not every fold validates on the same people. */
    assert_memory_not_equal(a->fold[0].val, a->fold[20].val, 4 * sizeof(int));
    const int pinned[4] = {1, 5, 12, 19};
    assert_memory_equal(a->fold[0].val, pinned, sizeof pinned);
    pf_folds_free(a);
    pf_folds_free(b);
    pf_folds_free(c);
    pf_dataset_free(ds);
}

/* ---- scaler ------------------------------------------------------------------------------- */

/* Three participants, two features. Rows: p0 (1,5) (3,5); p1 (5,5); p2 (100,-7).
 * On {p0,p1}: feature 0 takes 1,3,5 -> mean 3, population sd sqrt(8/3), scale sqrt(3/8);
 * feature 1 is constant 5 -> shift 5, scale 1. Min-max: feature 0 shift 1, scale 1/4. */
static pf_dataset *hand_ds(void)
{
    size_t counts[3] = {2, 1, 1};
    pf_dataset *ds = make_ds(counts, 3, 2, 1);
    const double x[8] = {1, 5, 3, 5, 5, 5, 100, -7};
    memcpy(ds->x, x, sizeof x);
    return ds;
}

static pf_scaler *fit(const pf_dataset *ds, const int *parts, size_t n, pf_scaling m)
{
    pf_error err;
    pf_error_clear(&err);
    pf_scaler *s = pf_scaler_fit(ds, parts, n, m, &err);
    assert_non_null(s);
    return s;
}

static void test_scaler_hand(void **state)
{
    (void)state;
    pf_dataset *ds = hand_ds();
    const int train[2] = {0, 1}, reversed[2] = {1, 0}, all[3] = {0, 1, 2};
    pf_scaler *z = fit(ds, train, 2, PF_SCALE_ZSCORE);
    assert_int_equal(z->n_features, 2);
    assert_float_equal(z->shift[0], 3.0, 1e-15);
    assert_float_equal(z->scale[0], 0.6123724356957945, 1e-15);
    assert_true(z->shift[1] == 5.0 && z->scale[1] == 1.0);
    pf_scaler *zr = fit(ds, reversed, 2, PF_SCALE_ZSCORE);
    assert_float_equal(zr->scale[0], 0.6123724356957945, 1e-15);

    pf_scaler *mm = fit(ds, train, 2, PF_SCALE_MINMAX);
    assert_true(mm->shift[0] == 1.0 && mm->scale[0] == 0.25);
    assert_true(mm->shift[1] == 5.0 && mm->scale[1] == 1.0);

    pf_scaler *none = fit(ds, train, 2, PF_SCALE_NONE);
    for (size_t j = 0; j < 2; j++) assert_true(none->shift[j] == 0.0 && none->scale[j] == 1.0);

    /* With p2: 1,3,5,100 -> mean 27.25, sd 42.02603359823527; -7,5,5,5 -> mean 2, sd 5.196.. */
    pf_scaler *za = fit(ds, all, 3, PF_SCALE_ZSCORE);
    assert_float_equal(za->shift[0], 27.25, 1e-15);
    assert_float_equal(za->scale[0], 1 / 42.02603359823527, 1e-15);
    assert_float_equal(za->shift[1], 2.0, 1e-15);
    assert_float_equal(za->scale[1], 1 / sqrt(27.0), 1e-15);

    pf_scaler_free(z);
    pf_scaler_free(zr);
    pf_scaler_free(mm);
    pf_scaler_free(none);
    pf_scaler_free(za);
    pf_dataset_free(ds);
}

static void test_scaler_errors(void **state)
{
    (void)state;
    size_t counts[3] = {2, 0, 1};
    pf_dataset *ds = make_ds(counts, 3, 2, 0);
    pf_error err;
    pf_error_clear(&err);
    const int empty[1] = {1}, bad[1] = {3};
    assert_null(pf_scaler_fit(ds, empty, 1, PF_SCALE_ZSCORE, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_string_equal(err.msg,
                        "cannot fit the feature scaler: the 1 training participants have no "
                        "windows");
    pf_error_clear(&err);
    assert_null(pf_scaler_fit(ds, bad, 1, PF_SCALE_ZSCORE, &err));
    assert_int_equal(err.code, PF_ERUNTIME);
    assert_string_equal(err.msg, "participant index 3 out of range (the data has 3)");
    pf_dataset_free(ds);
}

/* ---- leakage ------------------------------------------------------------------------------ */

static void snapshot(const pf_scaler *s, double *out)
{
    memcpy(out, s->shift, s->n_features * sizeof(double));
    memcpy(out + s->n_features, s->scale, s->n_features * sizeof(double));
}

/* Overwrite every feature and target of the given participants with absurd values. */
static void poison(pf_dataset *ds, const int *parts, size_t n, double value)
{
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++) {
            for (size_t j = 0; j < ds->n_features; j++) ds->x[r * ds->n_features + j] = value;
            ds->y[r] = value;
        }
}

/* For each fold (LOPO and grouped 5-fold on the synthetic data) and each scaling: fit, poison
 * the test and validation participants, refit, and demand bit-identical scalers and training
 * split. Then poison one training participant and demand a different scaler, which shows the
 * comparison is sensitive at all. */
static void check_no_leak(pf_fold_scheme scheme, pf_scaling method)
{
    pf_config c;
    pf_config_defaults(&c);
    c.syn_participants = 12;
    c.scheme = scheme;
    c.k = 5;
    c.validation = 0.2;
    pf_error err;
    pf_error_clear(&err);
    pf_dataset *ds = pf_synthetic_generate(&c, &err);
    assert_non_null(ds);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    size_t d = ds->n_features, nx = ds->n_windows * d;
    double *clean = malloc(nx * sizeof *clean), before[2 * 30], after[2 * 30];
    memcpy(clean, ds->x, nx * sizeof *clean);
    for (size_t f = 0; f < fs->n_folds; f++) {
        const pf_fold *fd = &fs->fold[f];
        assert_true(fd->n_val >= 1);
        memcpy(ds->x, clean, nx * sizeof *clean);
        pf_scaler *s = fit(ds, fd->train, fd->n_train, method);
        pf_split *tr0 = pf_split_alloc(ds, fd->train, fd->n_train, s, &err);
        snapshot(s, before);
        poison(ds, fd->test, fd->n_test, 1e12);
        poison(ds, fd->val, fd->n_val, -1e12);
        pf_scaler *s2 = fit(ds, fd->train, fd->n_train, method);
        pf_split *tr1 = pf_split_alloc(ds, fd->train, fd->n_train, s2, &err);
        snapshot(s2, after);
        assert_memory_equal(before, after, sizeof before);
        assert_non_null(tr0);
        assert_non_null(tr1);
        assert_memory_equal(tr0->x, tr1->x, tr0->n * tr0->d * sizeof(float));
        if (method != PF_SCALE_NONE) {
            poison(ds, fd->train, 1, 1e12);
            pf_scaler *s3 = fit(ds, fd->train, fd->n_train, method);
            snapshot(s3, after);
            assert_memory_not_equal(before, after, sizeof before);
            pf_scaler_free(s3);
        }
        pf_split_free(tr0);
        pf_split_free(tr1);
        pf_scaler_free(s);
        pf_scaler_free(s2);
    }
    free(clean);
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

static void test_no_leakage(void **state)
{
    (void)state;
    const pf_scaling m[3] = {PF_SCALE_ZSCORE, PF_SCALE_MINMAX, PF_SCALE_NONE};
    for (size_t i = 0; i < 3; i++) {
        check_no_leak(PF_FOLDS_LOPO, m[i]);
        check_no_leak(PF_FOLDS_GROUP_KFOLD, m[i]);
    }
}

/* ---- split -------------------------------------------------------------------------------- */

/* Participants {2, 0} of the hand dataset, scaled with the z-score fitted on {0, 1}:
 *   p2 (100,-7) -> ((100-3) sqrt(3/8), -7-5) = (59.400126..., -12)
 *   p0 (1,5)    -> (-2 sqrt(3/8), 0) = (-1.2247449..., 0);  (3,5) -> (0, 0)
 * rows in the order given, offsets {0, 1, 3}; y and group copied (make_ds: y = row/100). */
static void test_split_hand(void **state)
{
    (void)state;
    pf_dataset *ds = hand_ds();
    const int train[2] = {0, 1}, parts[2] = {2, 0};
    pf_scaler *z = fit(ds, train, 2, PF_SCALE_ZSCORE);
    pf_error err;
    pf_error_clear(&err);
    pf_split *s = pf_split_alloc(ds, parts, 2, z, &err);
    assert_non_null(s);
    assert_int_equal(s->n, 3);
    assert_int_equal(s->d, 2);
    assert_int_equal(s->n_parts, 2);
    assert_int_equal(s->part[0], 2);
    assert_int_equal(s->part[1], 0);
    assert_int_equal(s->off[0], 0);
    assert_int_equal(s->off[1], 1);
    assert_int_equal(s->off[2], 3);
    const float x[6] = {59.40012741088867f, -12.0f, -1.2247449159622192f, 0.0f, 0.0f, 0.0f};
    for (size_t i = 0; i < 6; i++) assert_float_equal(s->x[i], x[i], 1e-6);
    assert_float_equal(s->y[0], 0.03f, 0);
    assert_float_equal(s->y[1], 0.0f, 0);
    assert_float_equal(s->y[2], 0.01f, 0);
    assert_non_null(s->group);
    assert_int_equal(s->group[0], 9); /* participant 2 + 7 */
    assert_int_equal(s->group[1], 7);
    assert_int_equal(s->group[2], 7);
    pf_split_free(s);

    /* Without a scaler the rows are the raw values. */
    s = pf_split_alloc(ds, parts, 2, NULL, &err);
    assert_non_null(s);
    assert_true(s->x[0] == 100.0f && s->x[1] == -7.0f && s->x[4] == 3.0f);
    pf_split_free(s);

    const int bad[1] = {-1};
    assert_null(pf_split_alloc(ds, bad, 1, z, &err));
    assert_int_equal(err.code, PF_ERUNTIME);
    pf_scaler_free(z);
    pf_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lopo),
        cmocka_unit_test(test_lopo_needs_two),
        cmocka_unit_test(test_group_kfold_assignment),
        cmocka_unit_test(test_group_kfold_ties),
        cmocka_unit_test(test_fold_errors),
        cmocka_unit_test(test_validation_count),
        cmocka_unit_test(test_validation_deterministic),
        cmocka_unit_test(test_scaler_hand),
        cmocka_unit_test(test_scaler_errors),
        cmocka_unit_test(test_no_leakage),
        cmocka_unit_test(test_split_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
