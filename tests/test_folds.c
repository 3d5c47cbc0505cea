/* test_folds.c: who is held out, who trains, who validates, under every folds.scheme.
 *
 * Expected fold assignments are worked out by hand in the comments, including grouped
 * k-fold's tie rules as folds.h documents them. Folds files are written to a scratch folder:
 * a good one must give exactly the folds it says (and the same validation draw as any other
 * scheme with that assignment), and every way a folds file can be wrong must be an error
 * naming the file, the line and the fix. What is fitted on a fold is tests/test_split.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/seed.h"
#include "folds/folds.h"
#include "testutil.h"

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

/* Every participant appears in exactly one of test, train, val of fold f; lists ascending. */
static void assert_partition(const pf_folds *fs, size_t f, size_t P)
{
    test_fold lists = test_fold_lists(fs, f);
    const test_fold *fd = &lists;
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
    test_fold_free(&lists);
}

/* ---- folds -------------------------------------------------------------------------------- */

static void test_lopo(void **state)
{
    (void)state;
    size_t counts[5] = {3, 1, 4, 1, 5};
    pf_dataset *ds = make_dataset(counts, 5, 2, 0);
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
        assert_partition(fs, f, 5);
    }
    for (size_t p = 0; p < 5; p++) assert_int_equal(tested[p], 1);
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

static void test_lopo_needs_two(void **state)
{
    (void)state;
    size_t counts[1] = {4};
    pf_dataset *ds = make_dataset(counts, 1, 2, 0);
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
    pf_dataset *ds = make_dataset(counts, 5, 1, 0);
    pf_config c = config(PF_FOLDS_GROUP_KFOLD, 2, 0, 1);
    pf_error err;
    pf_error_clear(&err);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    assert_int_equal(fs->n_folds, 2);
    test_fold l0 = test_fold_lists(fs, 0), l1 = test_fold_lists(fs, 1);
    const test_fold *f0 = &l0, *f1 = &l1;
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
    test_fold_free(&l0), test_fold_free(&l1);
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
    pf_dataset *ds = make_dataset(a, 4, 1, 0);
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

    ds = make_dataset(b, 4, 1, 0);
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
    for (size_t f = 0; f < 3; f++) assert_partition(fs, f, 4);
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
    pf_dataset *ds = make_dataset(counts, 5, 1, 0);
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
    pf_dataset *ds = make_dataset(counts, 21, 1, 0);
    struct {
        double share;
        size_t n_val;
    } cases[] = {{0.2, 4}, {0.1, 2}, {0.01, 1}, {0.0, 0}, {0.99, 19}, {0.125, 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pf_folds *fs = lopo_folds(ds, cases[i].share, 1);
        for (size_t f = 0; f < fs->n_folds; f++) {
            assert_int_equal(fs->fold[f].n_val, cases[i].n_val);
            assert_int_equal(fs->fold[f].n_train, 20 - cases[i].n_val);
            assert_partition(fs, f, 21);
        }
        pf_folds_free(fs);
    }
    pf_dataset_free(ds);

    /* Two participants: one trains, none is left for validation. */
    size_t two[2] = {3, 3};
    ds = make_dataset(two, 2, 1, 0);
    pf_folds *fs = lopo_folds(ds, 0.4, 1);
    assert_int_equal(fs->fold[0].n_val, 0);
    assert_int_equal(fs->fold[0].n_train, 1);
    test_fold l0 = test_fold_lists(fs, 0);
    assert_int_equal(l0.train[0], 1);
    test_fold_free(&l0);
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
    pf_dataset *ds = make_dataset(counts, 21, 1, 0);
    pf_folds *a = lopo_folds(ds, 0.2, 1), *b = lopo_folds(ds, 0.2, 1), *c = lopo_folds(ds, 0.2, 2);
    int differ = 0;
    for (size_t f = 0; f < 21; f++) {
        test_fold x = test_fold_lists(a, f), y = test_fold_lists(b, f), z = test_fold_lists(c, f);
        assert_memory_equal(x.val, y.val, 4 * sizeof(int));
        assert_memory_equal(x.train, y.train, 16 * sizeof(int));
        differ += memcmp(x.val, z.val, 4 * sizeof(int)) != 0;
        test_fold_free(&x), test_fold_free(&y), test_fold_free(&z);
    }
    assert_true(differ > 15);
    /* Folds of one run draw independently: not every fold validates on the same people. */
    test_fold first = test_fold_lists(a, 0), last = test_fold_lists(a, 20);
    assert_memory_not_equal(first.val, last.val, 4 * sizeof(int));
    const int pinned[4] = {1, 5, 12, 19};
    assert_memory_equal(first.val, pinned, sizeof pinned);
    test_fold_free(&first), test_fold_free(&last);
    pf_folds_free(a);
    pf_folds_free(b);
    pf_folds_free(c);
    pf_dataset_free(ds);
}

/* ---- group_kfold tie rules, as folds.h states them ------------------------------------------- */

/* Ties in window count go by participant index, which is the order of first appearance in the
 * data file, not by id: ids zed, amy, kim, bob (in that order), window counts 2, 3, 2, 2, k = 2:
 *   amy (3) -> f0 [3,0];  zed (2) -> f1 [3,2];  kim (2) -> f1 [3,4];  bob (2) -> f0 [5,4].
 * Sorting tied groups by id (as GroupKFold's np.unique does) would give zed and kim to
 * different folds, so this pins the documented rule. */
static void test_group_kfold_ties_by_appearance(void **state)
{
    (void)state;
    size_t counts[4] = {2, 3, 2, 2};
    const char *ids[4] = {"zed", "amy", "kim", "bob"};
    pf_dataset *ds = make_dataset(counts, 4, 1, 0);
    for (size_t p = 0; p < 4; p++) rename_participant(ds, p, ids[p]);
    pf_config c = config(PF_FOLDS_GROUP_KFOLD, 2, 0, 1);
    pf_error err;
    pf_error_clear(&err);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    const int fold_of[4] = {1, 0, 1, 0};
    assert_memory_equal(fs->fold_of, fold_of, sizeof fold_of);
    assert_int_equal(fs->fold[0].n_test, 2);
    assert_int_equal(fs->fold[0].test[0], 1);
    assert_int_equal(fs->fold[0].test[1], 3);
    assert_string_equal(fs->file, ""); /* no folds file: nothing to record */
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

/* ---- folds.scheme = file ------------------------------------------------------------------- */

/* A scratch folder for folds files; removed by the caller with remove_tree. */
static void scratch(char *dir)
{
    strcpy(dir, "/tmp/pf_test_folds_XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* n participants with 2 windows each, ids s01, s02, ... */
static pf_dataset *ids_ds(size_t n)
{
    size_t counts[64];
    assert_true(n <= 64);
    for (size_t p = 0; p < n; p++) counts[p] = 2;
    pf_dataset *ds = make_dataset(counts, n, 1, 0);
    for (size_t p = 0; p < n; p++) {
        char id[16];
        snprintf(id, sizeof id, "s%02zu", p + 1);
        rename_participant(ds, p, id);
    }
    return ds;
}

/* The folds of ds from a folds file holding text (written to dir/folds.csv). */
static pf_folds *file_folds(const pf_dataset *ds, const char *dir, const char *text,
                            double validation, pf_error *err, char *path)
{
    snprintf(path, 256, "%s/folds.csv", dir);
    write_text(path, text);
    pf_config c = config(PF_FOLDS_FILE, 5, validation, 1);
    snprintf(c.folds_file, sizeof c.folds_file, "%s", path);
    pf_error_clear(err);
    return pf_folds_alloc(ds, &c, err);
}

/* Expect the folds file to be refused with exactly this message (%s = the file's path). */
static void expect_file_error(const pf_dataset *ds, const char *text, const char *fmt)
{
    char dir[64], path[256], want[1024];
    scratch(dir);
    pf_error err;
    pf_folds *fs = file_folds(ds, dir, text, 0, &err, path);
    if (fs) fail_msg("folds file accepted:\n%s", text);
    assert_int_equal(err.code, PF_EINPUT);
    snprintf(want, sizeof want, fmt, path);
    assert_string_equal(err.msg, want);
    remove_tree(dir);
}

/* Semicolons, an extra column before the two, columns in another order, lines in any order,
 * "1.0" for 1, and a header in capitals: s01,s05 -> 0; s02,s04 -> 1; s03,s06 -> 2. */
static void test_file_good(void **state)
{
    (void)state;
    pf_dataset *ds = ids_ds(6);
    char dir[64], path[256];
    scratch(dir);
    pf_error err;
    pf_folds *fs = file_folds(ds, dir,
                              "note;Fold;Participant\n"
                              "x;1;s04\n"
                              "y;0;s01\n"
                              "z;2;s06\n"
                              ";1.0;s02\n"
                              "w;0;s05\n"
                              "v;2;s03\n",
                              0.25, &err, path);
    if (!fs) fail_msg("%s", err.msg);
    assert_int_equal(fs->n_folds, 3);
    const int fold_of[6] = {0, 1, 2, 1, 0, 2};
    assert_memory_equal(fs->fold_of, fold_of, sizeof fold_of);
    const int tests[3][2] = {{0, 4}, {1, 3}, {2, 5}};
    for (size_t f = 0; f < 3; f++) {
        assert_int_equal(fs->fold[f].n_test, 2);
        assert_memory_equal(fs->fold[f].test, tests[f], sizeof tests[f]);
        assert_int_equal(fs->fold[f].n_val, 1); /* round(0.25 * 4) */
        assert_int_equal(fs->fold[f].n_train, 3);
        assert_partition(fs, f, 6);
    }
    /* Provenance: the file as read, absolute, and the SHA-256 of its bytes. */
    assert_string_equal(fs->file, path); /* mkdtemp under /tmp: already absolute */
    assert_int_equal(strlen(fs->file_sha256), 64);
    assert_int_equal(strspn(fs->file_sha256, "0123456789abcdef"), 64);
    pf_folds_free(fs);

    /* The same split with a relative path is read from the working directory. */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    pf_config c = config(PF_FOLDS_FILE, 5, 0.25, 1);
    strcpy(c.folds_file, "folds.csv");
    pf_error_clear(&err);
    fs = pf_folds_alloc(ds, &c, &err);
    assert_int_equal(chdir(cwd), 0);
    if (!fs) fail_msg("%s", err.msg);
    assert_memory_equal(fs->fold_of, fold_of, sizeof fold_of);
    assert_string_equal(fs->file, path);
    pf_folds_free(fs);
    remove_tree(dir);
    pf_dataset_free(ds);
}

/* Writing group_kfold's assignment to a file gives the very same folds, validation draws
 * included: the scheme only decides fold_of, the rest is shared and seeded the same. */
static void test_file_reproduces_group_kfold(void **state)
{
    (void)state;
    size_t counts[9] = {5, 3, 8, 2, 2, 6, 4, 1, 7};
    pf_dataset *ds = make_dataset(counts, 9, 1, 0);
    for (size_t p = 0; p < 9; p++) {
        char id[16];
        snprintf(id, sizeof id, "P%zu", p);
        rename_participant(ds, p, id);
    }
    pf_config c = config(PF_FOLDS_GROUP_KFOLD, 3, 0.3, 7);
    pf_error err;
    pf_error_clear(&err);
    pf_folds *g = pf_folds_alloc(ds, &c, &err);
    assert_non_null(g);
    char text[512] = "participant,fold\n", dir[64], path[256];
    for (size_t p = 9; p-- > 0;) /* lines in reverse: order in the file must not matter */
        snprintf(text + strlen(text), sizeof text - strlen(text), "P%zu,%d\n", p, g->fold_of[p]);
    scratch(dir);
    snprintf(path, sizeof path, "%s/folds.csv", dir);
    write_text(path, text);
    c.scheme = PF_FOLDS_FILE;
    strcpy(c.folds_file, path);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    if (!fs) fail_msg("%s", err.msg);
    assert_int_equal(fs->n_folds, 3);
    for (size_t f = 0; f < 3; f++) {
        test_fold la = test_fold_lists(g, f), lb = test_fold_lists(fs, f);
        const test_fold *a = &la, *b = &lb;
        assert_int_equal(a->n_test, b->n_test);
        assert_int_equal(a->n_train, b->n_train);
        assert_int_equal(a->n_val, b->n_val);
        assert_true(b->n_val >= 1);
        assert_memory_equal(a->test, b->test, a->n_test * sizeof(int));
        assert_memory_equal(a->train, b->train, a->n_train * sizeof(int));
        assert_memory_equal(a->val, b->val, a->n_val * sizeof(int));
        test_fold_free(&la), test_fold_free(&lb);
    }
    pf_folds_free(g);
    pf_folds_free(fs);
    remove_tree(dir);
    pf_dataset_free(ds);
}

static void test_file_missing_column(void **state)
{
    (void)state;
    pf_dataset *ds = ids_ds(2);
    expect_file_error(ds, "participant,split\ns01,0\ns02,1\n",
                      "folds file '%s' line 1: the header has no column named 'fold' (it has "
                      "'participant', 'split'); the first line must name a column 'participant' "
                      "(the ids as in the data file) and a column 'fold' (0, 1, ...)");
    expect_file_error(ds, "\n\nid,fold\ns01,0\ns02,1\n",
                      "folds file '%s' line 3: the header has no column named 'participant' (it "
                      "has 'id', 'fold'); the first line must name a column 'participant' (the "
                      "ids as in the data file) and a column 'fold' (0, 1, ...)");
    pf_dataset_free(ds);
}

static void test_file_unknown_participant(void **state)
{
    (void)state;
    pf_dataset *ds = ids_ds(3);
    expect_file_error(ds, "participant,fold\ns01,0\ns2,1\ns03,1\n",
                      "folds file '%s' line 3, column 'participant' (column 1): participant 's2' "
                      "is not in the data; it may have been dropped by data.min_windows "
                      "(participants with fewer windows are left out) or be mistyped (ids must "
                      "match the data file's exactly); remove the line or correct the id");
    pf_dataset_free(ds);
}

static void test_file_listed_twice(void **state)
{
    (void)state;
    pf_dataset *ds = ids_ds(3);
    expect_file_error(ds, "participant,fold\ns02,0\ns01,0\ns03,1\ns02,1\n",
                      "folds file '%s' lines 2 and 5 both list participant 's02'; a participant "
                      "is tested in exactly one fold, so keep one of the lines");
    pf_dataset_free(ds);
}

/* Up to 8 missing participants are named, then "..."; the count is always given. */
static void test_file_missing_participants(void **state)
{
    (void)state;
    pf_dataset *ds = ids_ds(12);
    expect_file_error(ds, "participant,fold\ns01,0\ns03,1\n",
                      "folds file '%s' does not list 10 of the data's 12 participants: 's02', "
                      "'s04', 's05', 's06', 's07', 's08', 's09', 's10', ...; add a line "
                      "'participant,fold' for each");
    pf_dataset_free(ds);
    ds = ids_ds(4);
    expect_file_error(ds, "participant,fold\ns04,0\ns01,1\n",
                      "folds file '%s' does not list 2 of the data's 4 participants: 's02', "
                      "'s03'; add a line 'participant,fold' for each");
    pf_dataset_free(ds);
}

static void test_file_bad_fold_number(void **state)
{
    (void)state;
    pf_dataset *ds = ids_ds(2);
    const char *bad[] = {"-1", "1.5", "one", "", "1e400", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128], fmt[512];
        snprintf(text, sizeof text, "participant,fold\ns01,0\ns02,%s\n", bad[i]);
        snprintf(fmt, sizeof fmt,
                 "folds file '%%s' line 3, column 'fold' (column 2): '%s' (participant 's02') is "
                 "not a fold number; folds are whole numbers from 0 (0, 1, 2, ...)",
                 bad[i]);
        expect_file_error(ds, text, fmt);
    }
    pf_dataset_free(ds);
}

/* Folds 0, 2 and 3 are used: fold 1 is the gap to name. */
static void test_file_fold_gap(void **state)
{
    (void)state;
    pf_dataset *ds = ids_ds(4);
    expect_file_error(ds, "participant,fold\ns01,0\ns02,2\ns03,3\ns04,3\n",
                      "folds file '%s': no participant is in fold 1, but the folds go up to 3; "
                      "fold numbers must run from 0 without gaps, so renumber the 3 folds 0 to 2");
    /* Numbering from 1 is the common slip: fold 0 is then the empty one. */
    expect_file_error(ds, "participant,fold\ns01,1\ns02,1\ns03,2\ns04,2\n",
                      "folds file '%s': no participant is in fold 0, but the folds go up to 2; "
                      "fold numbers must run from 0 without gaps, so renumber the 2 folds 0 to 1");
    pf_dataset_free(ds);
}

/* A single fold, a line too short, an empty file, a file that is not there. */
static void test_file_other_errors(void **state)
{
    (void)state;
    pf_dataset *ds = ids_ds(2);
    expect_file_error(ds, "participant,fold\ns01,0\ns02,0\n",
                      "folds file '%s' puts every participant in fold 0; a study needs at least "
                      "two folds, so that each fold has participants to train on");
    expect_file_error(ds, "participant,fold\ns01,0\ns02\n",
                      "folds file '%s' line 3 has 1 field, but the header puts 'participant' in "
                      "column 1 and 'fold' in column 2; give every line both");
    expect_file_error(ds, "",
                      "folds file '%s' is empty; it needs a header line 'participant,fold' and "
                      "one line per participant");
    pf_config c = config(PF_FOLDS_FILE, 5, 0, 1);
    strcpy(c.folds_file, "/nonexistent/folds.csv");
    pf_error err;
    pf_error_clear(&err);
    assert_null(pf_folds_alloc(ds, &c, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "cannot open folds file '/nonexistent/folds.csv'"));
    pf_dataset_free(ds);
}

/* ---- lists on demand ----------------------------------------------------------------------- */

/* Fold f's lists from pf_folds_lists against the definition (docs/folds.md): rest = the
 * non-test participants given by hand, val = gsl_ran_choose of n_val of rest with the fold's
 * split generator, train = rest without val; asked together and one at a time. */
static void assert_lists(const pf_folds *fs, size_t f, const int *rest, size_t n_rest,
                         uint64_t seed)
{
    const pf_fold *fd = &fs->fold[f];
    assert_int_equal(fd->n_train + fd->n_val, n_rest);
    int want_val[64], want_train[64], train[64], val[64], train2[64], val2[64];
    assert_true(n_rest <= 64);
    gsl_rng *r = pf_seed_rng(seed, f, 0, PF_SEED_SPLIT);
    assert_non_null(r);
    gsl_ran_choose(r, want_val, fd->n_val, (void *)rest, n_rest, sizeof(int));
    gsl_rng_free(r);
    size_t kept = 0, v = 0;
    for (size_t i = 0; i < n_rest; i++) {
        if (v < fd->n_val && rest[i] == want_val[v])
            v++;
        else
            want_train[kept++] = rest[i];
    }
    assert_int_equal(kept, fd->n_train);
    pf_error err = {0};
    memset(train, -1, sizeof train), memset(val, -1, sizeof val);
    assert_int_equal(pf_folds_lists(fs, f, train, val, &err), PF_OK);
    assert_memory_equal(train, want_train, fd->n_train * sizeof(int));
    assert_memory_equal(val, want_val, fd->n_val * sizeof(int));
    assert_int_equal(train[fd->n_train], -1); /* nothing written past the lists */
    assert_int_equal(val[fd->n_val], -1);
    assert_int_equal(pf_folds_lists(fs, f, train2, NULL, &err), PF_OK);
    assert_int_equal(pf_folds_lists(fs, f, NULL, val2, &err), PF_OK);
    assert_memory_equal(train2, want_train, fd->n_train * sizeof(int));
    assert_memory_equal(val2, want_val, fd->n_val * sizeof(int));
}

/* Six participants with 5, 3, 8, 2, 2, 6 windows, folds.validation = 0.25 (one of the four or
 * five non-test participants validates), under every scheme; the non-test lists by hand:
 *   lopo: fold f tests f, the rest are the other five;
 *   group_kfold, k = 3: p2 (8) -> f0; p5 (6) -> f1; p0 (5) -> f2; p1 (3) -> f2; p3 (2) -> f1;
 *     p4 (2) -> tie at 8, 8, 8 -> f0: fold 0 tests {2, 4}, fold 1 {3, 5}, fold 2 {0, 1};
 *   file: A,1 B,0 C,1 D,0 E,2 F,2: fold 0 tests {1, 3}, fold 1 {0, 2}, fold 2 {4, 5};
 *   pf_folds_all: one fold, every participant trains or validates. */
static void test_lists_complement(void **state)
{
    (void)state;
    size_t counts[6] = {5, 3, 8, 2, 2, 6};
    pf_dataset *ds = make_dataset(counts, 6, 1, 0);
    pf_error err = {0};
    pf_config c = config(PF_FOLDS_LOPO, 3, 0.25, 11);
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    assert_non_null(fs);
    for (size_t f = 0; f < 6; f++) {
        int rest[5];
        for (size_t p = 0, n = 0; p < 6; p++)
            if (p != f) rest[n++] = (int)p;
        assert_int_equal(fs->fold[f].n_val, 1); /* round(0.25 * 5) */
        assert_lists(fs, f, rest, 5, 11);
    }
    pf_folds_free(fs);

    const int kfold_rest[3][4] = {{0, 1, 3, 5}, {0, 1, 2, 4}, {2, 3, 4, 5}};
    c = config(PF_FOLDS_GROUP_KFOLD, 3, 0.25, 12);
    assert_non_null(fs = pf_folds_alloc(ds, &c, &err));
    for (size_t f = 0; f < 3; f++) assert_lists(fs, f, kfold_rest[f], 4, 12);
    pf_folds_free(fs);

    const int file_rest[3][4] = {{0, 2, 4, 5}, {1, 3, 4, 5}, {0, 1, 2, 3}};
    char dir[64], path[256];
    scratch(dir);
    snprintf(path, sizeof path, "%s/folds.csv", dir);
    write_text(path, "participant,fold\nA,1\nB,0\nC,1\nD,0\nE,2\nF,2\n");
    c = config(PF_FOLDS_FILE, 3, 0.25, 13);
    strcpy(c.folds_file, path);
    if (!(fs = pf_folds_alloc(ds, &c, &err))) fail_msg("%s", err.msg);
    for (size_t f = 0; f < 3; f++) assert_lists(fs, f, file_rest[f], 4, 13);
    pf_folds_free(fs);
    remove_tree(dir);

    const int everyone[6] = {0, 1, 2, 3, 4, 5};
    c = config(PF_FOLDS_LOPO, 3, 0.25, 14);
    assert_non_null(fs = pf_folds_all(ds, &c, &err));
    assert_int_equal(fs->fold[0].n_test, 6);
    assert_memory_equal(fs->fold[0].test, everyone, sizeof everyone);
    assert_int_equal(fs->fold[0].n_val, 2); /* round(0.25 * 6) */
    assert_lists(fs, 0, everyone, 6, 14);
    pf_folds_free(fs);
    pf_dataset_free(ds);
}

/* The heap in use (glibc's count of allocated bytes, mmap'd blocks included). */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* Folds take memory linear in participants (issue 22): 24,000 participants with two windows
 * each, leave-one-out (24,000 folds of 23,999 non-test participants, 2,400 of them validating)
 * hold under 64 bytes per participant, by their own count and by the heap's. A training list
 * per fold, as folds once kept, is 2.3 GB here. The lists of a fold are still all there, on
 * demand. */
static void test_memory_linear(void **state)
{
    (void)state;
    size_t P = 24000, *counts = malloc(P * sizeof *counts);
    assert_non_null(counts);
    for (size_t p = 0; p < P; p++) counts[p] = 2;
    pf_dataset *ds = make_dataset(counts, P, 1, 0);
    free(counts);
    pf_config c = config(PF_FOLDS_LOPO, 5, 0.1, 3);
    pf_error err = {0};
    size_t before = heap_in_use();
    pf_folds *fs = pf_folds_alloc(ds, &c, &err);
    size_t grown = heap_in_use() - before;
    assert_non_null(fs);
    assert_int_equal(fs->n_folds, P);
    assert_true(pf_folds_bytes(fs) < 64 * P);
    if (grown >= 64 * P) fail_msg("folds of %zu participants take %zu bytes", P, grown);
    assert_true(pf_folds_bytes(fs) + 4096 >= grown); /* the count is the heap's */
    int *train = malloc(P * sizeof *train), *val = malloc(P * sizeof *val);
    assert_non_null(train), assert_non_null(val);
    const size_t some[3] = {0, 12345, 23999};
    for (size_t i = 0; i < 3; i++) {
        const pf_fold *fd = &fs->fold[some[i]];
        assert_int_equal(fd->n_test, 1);
        assert_int_equal(fd->test[0], (int)some[i]);
        assert_int_equal(fd->n_val, 2400); /* round(0.1 * 23999) */
        assert_int_equal(fd->n_train, 23999 - 2400);
        assert_int_equal(pf_folds_lists(fs, some[i], train, val, &err), PF_OK);
        size_t t = 0, v = 0;
        for (size_t p = 0; p < P; p++) { /* train, val and test partition the participants */
            int in_t = t < fd->n_train && train[t] == (int)p,
                in_v = v < fd->n_val && val[v] == (int)p;
            assert_int_equal(in_t + in_v + (p == some[i]), 1);
            t += (size_t)in_t, v += (size_t)in_v;
        }
    }
    free(train), free(val);
    pf_folds_free(fs);
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
        cmocka_unit_test(test_group_kfold_ties_by_appearance),
        cmocka_unit_test(test_file_good),
        cmocka_unit_test(test_file_reproduces_group_kfold),
        cmocka_unit_test(test_file_missing_column),
        cmocka_unit_test(test_file_unknown_participant),
        cmocka_unit_test(test_file_listed_twice),
        cmocka_unit_test(test_file_missing_participants),
        cmocka_unit_test(test_file_bad_fold_number),
        cmocka_unit_test(test_file_fold_gap),
        cmocka_unit_test(test_file_other_errors),
        cmocka_unit_test(test_lists_complement),
        cmocka_unit_test(test_memory_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
