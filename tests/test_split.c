/* test_split.c: what a model sees of a fold, and that nothing about a held-out participant
 * reaches it.
 *
 * Imputation, feature scaling and target scaling are checked against values worked out by
 * hand in the comments. The leakage tests rewrite every held-out (test and validation)
 * participant's values, targets and pattern of empty cells and demand a bit-identical
 * transform: the strongest form of "fitted on training only"; each then changes one training
 * value and demands a different transform, which shows the comparison can fail at all. The
 * target-unit test runs a small study on y and on 100 y: with target scaling every CCC must
 * agree, and without it they must not (so the test shows what the scaling is for). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/synthetic.h"
#include "folds/folds.h"
#include "folds/split.h"
#include "run/run.h"
#include "testutil.h"

static pf_config config(pf_missing missing, pf_scaling scaling, pf_target_scaling target)
{
    pf_config c;
    pf_config_defaults(&c);
    c.missing = missing;
    c.scaling = scaling;
    c.target_scaling = target;
    return c;
}

static pf_transform *fit(const pf_dataset *ds, const int *parts, size_t n, const pf_config *c)
{
    pf_error err;
    pf_error_clear(&err);
    pf_transform *tf = pf_transform_fit(ds, parts, n, c, &err);
    if (!tf) fail_msg("%s", err.msg);
    return tf;
}

static pf_split *split(const pf_dataset *ds, const int *parts, size_t n, const pf_transform *tf)
{
    pf_error err;
    pf_error_clear(&err);
    pf_split *s = pf_split_alloc(ds, parts, n, tf, ds->group, &err);
    if (!s) fail_msg("%s", err.msg);
    return s;
}

/* ---- feature scaling ------------------------------------------------------------------------ */

/* Three participants, two features. Rows: p0 (1,5) (3,5); p1 (5,5); p2 (100,-7).
 * On {p0,p1}: feature 0 takes 1,3,5 -> mean 3, population sd sqrt(8/3), scale sqrt(3/8);
 * feature 1 is constant 5 -> shift 5, scale 1. Min-max: feature 0 shift 1, scale 1/4. */
static pf_dataset *hand_ds(void)
{
    size_t counts[3] = {2, 1, 1};
    pf_dataset *ds = make_dataset(counts, 3, 2, 1);
    const double x[8] = {1, 5, 3, 5, 5, 5, 100, -7};
    memcpy(ds->x, x, sizeof x);
    return ds;
}

static void test_scaler_hand(void **state)
{
    (void)state;
    pf_dataset *ds = hand_ds();
    const int train[2] = {0, 1}, reversed[2] = {1, 0}, all[3] = {0, 1, 2};
    pf_config cz = config(PF_MISSING_ERROR, PF_SCALE_ZSCORE, PF_TARGET_NONE);
    pf_config cm = config(PF_MISSING_ERROR, PF_SCALE_MINMAX, PF_TARGET_NONE);
    pf_config cn = config(PF_MISSING_ERROR, PF_SCALE_NONE, PF_TARGET_NONE);
    pf_transform *z = fit(ds, train, 2, &cz);
    assert_int_equal(z->n_features, 2);
    assert_float_equal(z->shift[0], 3.0, 1e-15);
    assert_float_equal(z->scale[0], 0.6123724356957945, 1e-15);
    assert_true(z->shift[1] == 5.0 && z->scale[1] == 1.0);
    assert_true(isnan(z->fill[0]) && isnan(z->fill[1])); /* missing = error: nothing to fill */
    pf_transform *zr = fit(ds, reversed, 2, &cz);
    assert_float_equal(zr->scale[0], 0.6123724356957945, 1e-15);

    pf_transform *mm = fit(ds, train, 2, &cm);
    assert_true(mm->shift[0] == 1.0 && mm->scale[0] == 0.25);
    assert_true(mm->shift[1] == 5.0 && mm->scale[1] == 1.0);

    pf_transform *none = fit(ds, train, 2, &cn);
    for (size_t j = 0; j < 2; j++) assert_true(none->shift[j] == 0.0 && none->scale[j] == 1.0);

    /* With p2: 1,3,5,100 -> mean 27.25, sd 42.02603359823527; -7,5,5,5 -> mean 2, sd 5.196.. */
    pf_transform *za = fit(ds, all, 3, &cz);
    assert_float_equal(za->shift[0], 27.25, 1e-15);
    assert_float_equal(za->scale[0], 1 / 42.02603359823527, 1e-15);
    assert_float_equal(za->shift[1], 2.0, 1e-15);
    assert_float_equal(za->scale[1], 1 / sqrt(27.0), 1e-15);

    pf_transform_free(z);
    pf_transform_free(zr);
    pf_transform_free(mm);
    pf_transform_free(none);
    pf_transform_free(za);
    pf_dataset_free(ds);
}

static void test_transform_errors(void **state)
{
    (void)state;
    size_t counts[3] = {2, 0, 1};
    pf_dataset *ds = make_dataset(counts, 3, 2, 0);
    pf_config c = config(PF_MISSING_ERROR, PF_SCALE_ZSCORE, PF_TARGET_ZSCORE);
    pf_error err;
    pf_error_clear(&err);
    const int empty[1] = {1}, bad[1] = {3};
    assert_null(pf_transform_fit(ds, empty, 1, &c, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_string_equal(err.msg,
                        "cannot fit the feature and target scaling: the 1 training participants "
                        "have no windows; raise data.min_windows");
    pf_error_clear(&err);
    assert_null(pf_transform_fit(ds, bad, 1, &c, &err));
    assert_int_equal(err.code, PF_ERUNTIME);
    assert_string_equal(err.msg, "participant index 3 out of range (the data has 3)");
    pf_error_clear(&err);
    const int one[1] = {-1};
    assert_null(pf_split_alloc(ds, one, 1, NULL, NULL, &err));
    assert_int_equal(err.code, PF_ERUNTIME);
    pf_dataset_free(ds);
}

/* ---- imputation ------------------------------------------------------------------------------ */

/* Rows: p0 (1, .) (3, 4); p1 (., 8); p2 (., .), where . is an empty cell; train on {p0, p1}.
 *   mean: fill = (2, 6); filled training values 1,3,2 and 6,4,8: means 2 and 6, population sds
 *         sqrt(2/3) and sqrt(8/3), so scales sqrt(3/2) and sqrt(3/8); p2 becomes (0, 0).
 *   zero: fill = (0, 0); filled values 1,3,0 (mean 4/3, sd sqrt(14)/3) and 0,4,8 (mean 4,
 *         sd sqrt(32/3)); p2 becomes (-4/3 * 3/sqrt(14), -4 / sqrt(32/3)).
 * This is what scikit-learn's Pipeline(SimpleImputer(strategy), StandardScaler()) fitted on the
 * training rows gives. */
static pf_dataset *holes_ds(void)
{
    size_t counts[3] = {2, 1, 1};
    pf_dataset *ds = make_dataset(counts, 3, 2, 0);
    const double x[8] = {1, NAN, 3, 4, NAN, 8, NAN, NAN};
    memcpy(ds->x, x, sizeof x);
    return ds;
}

static void test_impute_hand(void **state)
{
    (void)state;
    pf_dataset *ds = holes_ds();
    const int train[2] = {0, 1}, p2[1] = {2}, p0[1] = {0};
    pf_config cm = config(PF_MISSING_MEAN, PF_SCALE_ZSCORE, PF_TARGET_NONE);
    pf_transform *m = fit(ds, train, 2, &cm);
    assert_true(m->fill[0] == 2.0 && m->fill[1] == 6.0);
    assert_true(m->shift[0] == 2.0 && m->shift[1] == 6.0);
    assert_float_equal(m->scale[0], sqrt(1.5), 1e-15);
    assert_float_equal(m->scale[1], sqrt(3.0 / 8.0), 1e-15);
    pf_split *s = split(ds, p2, 1, m);
    assert_true(s->x[0] == 0.0f && s->x[1] == 0.0f); /* filled with the training means */
    pf_split_free(s);
    s = split(ds, p0, 1, m); /* p0 row 0: (1, .) -> (-sqrt(3/2), 0) */
    assert_float_equal(s->x[0], -sqrt(1.5), 1e-6);
    assert_true(s->x[1] == 0.0f);
    pf_split_free(s);

    pf_config cz = config(PF_MISSING_ZERO, PF_SCALE_ZSCORE, PF_TARGET_NONE);
    pf_transform *z = fit(ds, train, 2, &cz);
    assert_true(z->fill[0] == 0.0 && z->fill[1] == 0.0);
    assert_float_equal(z->shift[0], 4.0 / 3.0, 1e-15);
    assert_float_equal(z->scale[0], 3.0 / sqrt(14.0), 1e-15);
    assert_float_equal(z->shift[1], 4.0, 1e-15);
    assert_float_equal(z->scale[1], 1.0 / sqrt(32.0 / 3.0), 1e-15);
    s = split(ds, p2, 1, z);
    assert_float_equal(s->x[0], -4.0 / sqrt(14.0), 1e-6);
    assert_float_equal(s->x[1], -4.0 / sqrt(32.0 / 3.0), 1e-6);
    pf_split_free(s);

    /* Training on p1 alone: feature a has no value there, so its fill is 0, which makes it
     * constant (shift 0, scale 1); b is constant 8. */
    const int only1[1] = {1};
    pf_transform *o = fit(ds, only1, 1, &cm);
    assert_true(o->fill[0] == 0.0 && o->fill[1] == 8.0);
    assert_true(o->shift[0] == 0.0 && o->scale[0] == 1.0);
    assert_true(o->shift[1] == 8.0 && o->scale[1] == 1.0);

    /* Without a transform an empty cell stays empty. */
    s = split(ds, p2, 1, NULL);
    assert_true(isnan(s->x[0]) && isnan(s->x[1]));
    pf_split_free(s);

    pf_transform_free(m);
    pf_transform_free(z);
    pf_transform_free(o);
    pf_dataset_free(ds);
}

/* data.missing = error promises no empty cell; one met anyway, in the training rows or in a
 * held-out participant's, is an error naming the feature and participant, never a NaN input. */
static void test_impute_error_mode(void **state)
{
    (void)state;
    pf_dataset *ds = holes_ds();
    pf_config c = config(PF_MISSING_ERROR, PF_SCALE_ZSCORE, PF_TARGET_ZSCORE);
    const int train[2] = {0, 1}, p2[1] = {2};
    pf_error err;
    pf_error_clear(&err);
    assert_null(pf_transform_fit(ds, train, 2, &c, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_string_equal(err.msg,
                        "feature 'b' of participant 'A' (window 1 of the participant) is empty, "
                        "but data.missing = error; set data.missing = mean or zero to fill empty "
                        "cells (per fold, from the training participants)");
    ds->x[1] = 5;
    ds->x[4] = 2; /* p0 and p1 complete now; p2 still empty */
    pf_transform *tf = fit(ds, train, 2, &c);
    pf_error_clear(&err);
    assert_null(pf_split_alloc(ds, p2, 1, tf, NULL, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_string_equal(err.msg,
                        "feature 'a' of participant 'C' (window 1 of the participant) is empty, "
                        "but data.missing = error; set data.missing = mean or zero to fill empty "
                        "cells (per fold, from the training participants)");
    pf_transform_free(tf);
    pf_dataset_free(ds);
}

/* ---- target scaling ------------------------------------------------------------------------- */

/* Targets p0: 1, 2; p1: 6; p2: 100; train on {p0, p1}: mean 3, population sd sqrt(14/3), so
 * target_scale = sqrt(3/14). p2's 100 becomes (100 - 3) sqrt(3/14) in model space, and the
 * inverse maps it back to 100 (up to float rounding). */
static void test_target_hand(void **state)
{
    (void)state;
    pf_dataset *ds = hand_ds();
    const double y[4] = {1, 2, 6, 100};
    memcpy(ds->y, y, sizeof y);
    const int train[2] = {0, 1}, all[3] = {0, 1, 2};
    pf_config cz = config(PF_MISSING_ERROR, PF_SCALE_ZSCORE, PF_TARGET_ZSCORE);
    pf_transform *z = fit(ds, train, 2, &cz);
    assert_true(z->target_shift[0] == 3.0);
    assert_float_equal(z->target_scale[0], sqrt(3.0 / 14.0), 1e-15);
    pf_split *s = split(ds, all, 3, z);
    const double want[4] = {-2, -1, 3, 97};
    for (size_t i = 0; i < 4; i++) {
        assert_true(s->y[i] == (float)((y[i] - 3.0) * z->target_scale[0]));
        assert_float_equal(s->y[i], want[i] * sqrt(3.0 / 14.0), 1e-5);
        assert_true(s->y_data[i] == y[i]); /* as recorded, for metrics: the dataset's double */
    }
    double back[4];
    pf_transform_target_inverse(z, s->y, back, 4);
    for (size_t i = 0; i < 4; i++) {
        /* in double, never rounded to float: only the model-space float is inexact */
        assert_true(back[i] == (double)s->y[i] / z->target_scale[0] + 3.0);
        assert_float_equal(back[i], y[i], 1e-5 * fabs(y[i]));
    }
    /* The target scaling leaves the features alone. */
    pf_config cn = config(PF_MISSING_ERROR, PF_SCALE_ZSCORE, PF_TARGET_NONE);
    pf_transform *n = fit(ds, train, 2, &cn);
    assert_true(n->target_shift[0] == 0.0 && n->target_scale[0] == 1.0);
    pf_split *sn = split(ds, all, 3, n);
    assert_memory_equal(s->x, sn->x, 4 * 2 * sizeof(float));
    for (size_t i = 0; i < 4; i++) /* none: model space = data, rounded to float */
        assert_true(sn->y[i] == (float)sn->y_data[i]);
    pf_split_free(s);
    pf_split_free(sn);

    /* none: the inverse is the float value converted exactly, no arithmetic (-0 stays -0). */
    const float in[5] = {-0.0f, 1e-45f, 3.4e38f, NAN, -1.25f};
    double out[5], exact[5];
    for (size_t i = 0; i < 5; i++) exact[i] = (double)in[i];
    pf_transform_target_inverse(n, in, out, 5);
    assert_memory_equal(exact, out, sizeof out);
    assert_true(signbit(out[0]));

    /* A target constant on the training windows: shift = its value, scale 1 (its rounded mean
     * might miss it by an ulp and make the sd a tiny nonzero number; min == max catches it). */
    for (size_t r = 0; r < 3; r++) ds->y[r] = 0.1;
    pf_transform *c = fit(ds, train, 2, &cz);
    assert_true(c->target_shift[0] == 0.1 && c->target_scale[0] == 1.0);
    pf_transform_free(z);
    pf_transform_free(n);
    pf_transform_free(c);
    pf_dataset_free(ds);
}

/* ---- rows
 * ---------------------------------------------------------------------------------------- */

/* Participants {2, 0} of the hand dataset, scaled with the z-score fitted on {0, 1}:
 *   p2 (100,-7) -> ((100-3) sqrt(3/8), -7-5) = (59.400126..., -12)
 *   p0 (1,5)    -> (-2 sqrt(3/8), 0) = (-1.2247449..., 0);  (3,5) -> (0, 0)
 * rows in the order given, offsets {0, 1, 3}; targets and groups copied (y = row / 100). */
static void test_split_hand(void **state)
{
    (void)state;
    pf_dataset *ds = hand_ds();
    const int train[2] = {0, 1}, parts[2] = {2, 0};
    pf_config c = config(PF_MISSING_ERROR, PF_SCALE_ZSCORE, PF_TARGET_NONE);
    pf_transform *z = fit(ds, train, 2, &c);
    pf_split *s = split(ds, parts, 2, z);
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

    /* Without a transform the rows are the raw values. */
    s = split(ds, parts, 2, NULL);
    assert_true(s->x[0] == 100.0f && s->x[1] == -7.0f && s->x[4] == 3.0f);
    pf_split_free(s);
    pf_transform_free(z);
    pf_dataset_free(ds);
}

/* ---- leakage ----------------------------------------------------------------------------------
 */

/* Every fitted number of a transform, bit for bit: fill, shift, scale, target shift and scale. */
static double *snapshot(const pf_transform *tf)
{
    size_t d = tf->n_features;
    double *v = malloc((3 * d + 2) * sizeof *v);
    memcpy(v, tf->fill, d * sizeof *v);
    memcpy(v + d, tf->shift, d * sizeof *v);
    memcpy(v + 2 * d, tf->scale, d * sizeof *v);
    v[3 * d] = tf->target_shift[0];
    v[3 * d + 1] = tf->target_scale[0];
    return v;
}

/* Rewrite the given participants: every value to an absurd one, every empty cell filled and
 * every other cell made empty (when empty cells are allowed), every target absurd. */
static void poison(pf_dataset *ds, const int *parts, size_t n, double value, int holes)
{
    size_t d = ds->n_features;
    for (size_t i = 0; i < n; i++)
        for (size_t r = ds->offset[parts[i]]; r < ds->offset[parts[i] + 1]; r++) {
            for (size_t j = 0; j < d; j++) {
                double *v = &ds->x[r * d + j];
                *v = holes && !isnan(*v) && (r + j) % 2 ? NAN : value * (double)(j + 1);
            }
            ds->y[r] = value;
        }
}

/* Empty cells in a fixed scattered pattern (about one in seven), none in feature 0. */
static void punch_holes(pf_dataset *ds)
{
    size_t d = ds->n_features;
    for (size_t r = 0; r < ds->n_windows; r++)
        for (size_t j = 1; j < d; j++)
            if ((r * 5 + j * 3) % 7 == 0) ds->x[r * d + j] = NAN;
}

/* For each fold (LOPO and grouped 5-fold on synthetic data): fit, poison the test and
 * validation participants, refit, and demand a bit-identical transform and training split.
 * Then change one training value and demand a different transform. */
static void check_no_leak(pf_fold_scheme scheme, pf_missing missing, pf_scaling scaling)
{
    pf_config c;
    pf_config_defaults(&c);
    c.syn_participants = 12;
    c.scheme = scheme;
    c.k = 5;
    c.validation = 0.2;
    c.missing = missing;
    c.scaling = scaling;
    c.target_scaling = PF_TARGET_ZSCORE;
    pf_error err;
    pf_error_clear(&err);
    pf_dataset *ds = pf_synthetic_generate(&c, &err);
    assert_non_null(ds);
    int holes = missing != PF_MISSING_ERROR;
    if (holes) punch_holes(ds);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    size_t d = ds->n_features, nx = ds->n_windows * d, nb = (3 * d + 2) * sizeof(double);
    double *clean_x = malloc(nx * sizeof *clean_x),
           *clean_y = malloc(ds->n_windows * sizeof *clean_y);
    memcpy(clean_x, ds->x, nx * sizeof *clean_x);
    memcpy(clean_y, ds->y, ds->n_windows * sizeof *clean_y);
    for (size_t f = 0; f < fs->n_folds; f++) {
        test_fold lists = test_fold_lists(fs, f);
        const test_fold *fd = &lists;
        assert_true(fd->n_val >= 1);
        memcpy(ds->x, clean_x, nx * sizeof *clean_x);
        memcpy(ds->y, clean_y, ds->n_windows * sizeof *clean_y);
        pf_transform *t0 = fit(ds, fd->train, fd->n_train, &c);
        pf_split *tr0 = split(ds, fd->train, fd->n_train, t0);
        double *before = snapshot(t0);
        poison(ds, fd->test, fd->n_test, 1e12, holes);
        poison(ds, fd->val, fd->n_val, -1e12, holes);
        pf_transform *t1 = fit(ds, fd->train, fd->n_train, &c);
        pf_split *tr1 = split(ds, fd->train, fd->n_train, t1);
        double *after = snapshot(t1);
        assert_memory_equal(before, after, nb);
        assert_memory_equal(tr0->x, tr1->x, tr0->n * d * sizeof(float));
        assert_memory_equal(tr0->y, tr1->y, tr0->n * sizeof(float));
        /* Sensitivity: a training value changed moves the fill (mean) or the scaler (with
         * scaling none and no imputation there is nothing to move); a training cell emptied
         * moves the mean fill; a training target changed moves the target scaling. */
        size_t r = ds->offset[fd->train[0]], j = 1;
        while (isnan(ds->x[r * d + j])) j++;
        double keep = ds->x[r * d + j];
        ds->x[r * d + j] = keep + 1e6;
        pf_transform *t2 = fit(ds, fd->train, fd->n_train, &c);
        double *changed = snapshot(t2);
        if (holes || scaling != PF_SCALE_NONE) assert_memory_not_equal(before, changed, nb);
        if (missing == PF_MISSING_MEAN) {
            ds->x[r * d + j] = NAN;
            pf_transform *te = fit(ds, fd->train, fd->n_train, &c);
            assert_true(te->fill[j] != t0->fill[j]);
            pf_transform_free(te);
        }
        ds->y[r] += 1;
        pf_transform *t3 = fit(ds, fd->train, fd->n_train, &c);
        assert_true(t3->target_shift[0] != t2->target_shift[0]);
        free(before), free(after), free(changed);
        pf_split_free(tr0), pf_split_free(tr1);
        pf_transform_free(t0), pf_transform_free(t1), pf_transform_free(t2), pf_transform_free(t3);
        test_fold_free(&lists);
    }
    free(clean_x), free(clean_y);
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

/* The scaler and the target scaler, on data without empty cells, for every feature scaling. */
static void test_scaler_no_leakage(void **state)
{
    (void)state;
    const pf_scaling m[3] = {PF_SCALE_ZSCORE, PF_SCALE_MINMAX, PF_SCALE_NONE};
    for (size_t i = 0; i < 3; i++) {
        check_no_leak(PF_FOLDS_LOPO, PF_MISSING_ERROR, m[i]);
        check_no_leak(PF_FOLDS_GROUP_KFOLD, PF_MISSING_ERROR, m[i]);
    }
}

/* The imputer: held-out participants' values and where their cells are empty must not matter. */
static void test_imputer_no_leakage(void **state)
{
    (void)state;
    const pf_missing mi[2] = {PF_MISSING_MEAN, PF_MISSING_ZERO};
    const pf_scaling sc[2] = {PF_SCALE_ZSCORE, PF_SCALE_MINMAX};
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < 2; k++) {
            check_no_leak(PF_FOLDS_LOPO, mi[i], sc[k]);
            check_no_leak(PF_FOLDS_GROUP_KFOLD, mi[i], sc[k]);
        }
}

/* ---- target units --------------------------------------------------------------------------- */

static void set(pf_config *c, const char *sec, const char *key, const char *val)
{
    pf_error err = {0};
    if (pf_config_set(c, sec, key, val, "test", &err) != PF_OK) fail_msg("%s", err.msg);
}

/* A small study (synthetic, grouped 4-fold, magnitude pruning) on ds, 2 threads. */
static pf_results *study(const pf_config *c, const pf_dataset *ds)
{
    pf_error err = {0};
    pf_folds *fs = pf_folds_alloc(ds, c, &err);
    if (!fs) fail_msg("%s", err.msg);
    pf_run_opts ro;
    pf_run_opts_init(&ro, c, "/nonexistent-unused", 0);
    pf_results *r = pf_run(c, ds, fs, &ro, &err);
    if (!r) fail_msg("%s", err.msg);
    pf_folds_free(fs);
    return r;
}

/* Largest |a - b| over every per-participant value of metric m (every variant) of two runs. */
static double max_diff(const pf_results *a, const pf_results *b, size_t m)
{
    double d = 0;
    for (size_t v = 0; v < a->n_var; v++)
        for (size_t p = 0; p < a->n_part; p++)
            for (size_t k = 0; k < a->n_rep; k++) {
                size_t i = pf_results_at(a, m, v, p, k);
                d = fmax(d, fabs(a->value[i] - b->value[i]));
            }
    return d;
}

/* The same study on y and on 100 y. With target_scaling = zscore the models see the same
 * targets, so every CCC agrees (to float rounding) and RMSE, in the data's units, is 100 times
 * larger; with none they learn different problems, and the CCCs differ. */
static void test_target_unit_invariance(void **state)
{
    (void)state;
    pf_config c;
    pf_config_defaults(&c);
    set(&c, "synthetic", "participants", "8");
    set(&c, "synthetic", "windows", "16");
    set(&c, "synthetic", "features", "6");
    set(&c, "synthetic", "informative", "3");
    set(&c, "synthetic", "private", "1");
    set(&c, "model", "hidden", "8");
    set(&c, "train", "max_epochs", "5");
    set(&c, "train", "batch_size", "16");
    set(&c, "folds", "scheme", "group_kfold");
    set(&c, "folds", "k", "4");
    set(&c, "folds", "validation", "0.2");
    set(&c, "prune", "criteria", "magnitude");
    set(&c, "prune", "sparsities", "0,0.5");
    set(&c, "parallel", "threads", "2");
    pf_error err = {0};
    assert_int_equal(pf_config_validate(&c, &err), PF_OK);
    pf_dataset *ds = pf_synthetic_generate(&c, &err), *big = pf_synthetic_generate(&c, &err);
    assert_non_null(ds);
    assert_non_null(big);
    for (size_t r = 0; r < big->n_windows; r++) big->y[r] *= 100;

    c.target_scaling = PF_TARGET_ZSCORE;
    pf_results *a = study(&c, ds), *b = study(&c, big);
    size_t ccc = (size_t)pf_metric_set_find(a->metrics, "ccc");
    size_t rmse = (size_t)pf_metric_set_find(a->metrics, "rmse");
    assert_true(max_diff(a, b, ccc) <= 1e-5);
    for (size_t p = 0; p < a->n_part; p++)
        for (size_t k = 0; k < a->n_rep; k++) {
            double ra = a->value[pf_results_at(a, rmse, PF_DENSE, p, k)];
            double rb = b->value[pf_results_at(b, rmse, PF_DENSE, p, k)];
            assert_false(isnan(a->value[pf_results_at(a, ccc, PF_DENSE, p, k)]));
            assert_float_equal(rb, 100 * ra, 1e-4 * rb);
        }
    /* Each fold's target scaling was recorded: the shift scales with the unit. */
    for (size_t f = 0; f < a->n_folds; f++)
        assert_float_equal(b->target_shift[f], 100 * a->target_shift[f], 1e-9);
    pf_results_free(a);
    pf_results_free(b);

    c.target_scaling = PF_TARGET_NONE;
    a = study(&c, ds), b = study(&c, big);
    assert_true(max_diff(a, b, (size_t)pf_metric_set_find(a->metrics, "ccc")) > 1e-3);
    pf_results_free(a);
    pf_results_free(b);
    pf_dataset_free(ds);
    pf_dataset_free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scaler_hand),
        cmocka_unit_test(test_transform_errors),
        cmocka_unit_test(test_impute_hand),
        cmocka_unit_test(test_impute_error_mode),
        cmocka_unit_test(test_target_hand),
        cmocka_unit_test(test_split_hand),
        cmocka_unit_test(test_scaler_no_leakage),
        cmocka_unit_test(test_imputer_no_leakage),
        cmocka_unit_test(test_target_unit_invariance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
