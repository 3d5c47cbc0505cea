/* test_results.c: the results files hold exactly the numbers of the run. The CSV exports are
 * checked line by line on a hand-filled run, and results.h5 is written and read back: every
 * array, name, record, the folds and their fitted transforms, and the config (whose hash
 * covers the data file's SHA-256) must come back bit for bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"
#include "h5io.h"
#include "numtext.h"

typedef struct {
    pf_config cfg;
    pf_dataset *ds;
    pf_results *r;
    char dir[64];
} fixture;

/* 3 participants, criteria magnitude + vr(lambda=0.5), sparsities 0 and 0.5, 2 repeats. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pf_error err = {0};
    pf_config_defaults(&f->cfg);
    const char *sets[][3] = {{"prune", "criteria", "magnitude,vr"},
                             {"prune", "sparsities", "0,0.5"},
                             {"experiment", "repeats", "2"}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(pf_config_set(&f->cfg, sets[i][0], sets[i][1], sets[i][2], "test", &err),
                         0);
    snprintf(f->cfg.data_sha256, sizeof f->cfg.data_sha256, "%064d", 42);
    assert_int_equal(pf_config_hash(&f->cfg, &err), PF_OK);
    f->ds = pf_dataset_alloc(7, 2, 1, 3, 0, &err);
    assert_non_null(f->ds);
    const char *ids[] = {"P1", "P,2", "P3"}; /* a comma, to check CSV quoting */
    size_t off[] = {0, 2, 5, 7};
    for (int p = 0; p < 3; p++) f->ds->participant_ids[p] = strdup(ids[p]);
    for (int p = 0; p < 4; p++) f->ds->offset[p] = off[p];
    f->ds->feature_names[0] = strdup("a");
    f->ds->feature_names[1] = strdup("b");
    snprintf(f->ds->description, sizeof f->ds->description, "hand-made");
    f->r = pf_results_alloc(&f->cfg, f->ds, 3, &err);
    assert_non_null(f->r);
    pf_results *r = f->r;
    for (size_t c = 0; c < 2; c++)
        for (size_t s = 0; s < 2; s++)
            for (size_t p = 0; p < 3; p++)
                for (size_t k = 0; k < 2; k++) {
                    size_t i = pf_results_at(r, c, s, p, k);
                    r->ccc[i] = 0.1 * (double)(p + 1) - 0.05 * (double)s + 0.01 * (double)k +
                                0.001 * (double)c;
                    r->rmse[i] = 0.2, r->pearson[i] = 0.3;
                }
    for (size_t i = 0; i < 6; i++)
        r->dense_ccc[i] = 0.5, r->dense_rmse[i] = 0.1, r->dense_pearson[i] = 0.6;
    for (size_t i = 0; i < r->n_rec; i++) {
        int j = (int)(i % 5); /* per task: dense, then criterion-major, sparsity-minor */
        r->rec[i].fold = (int)(i / 10);
        r->rec[i].criterion = j == 0 ? -1 : (j - 1) / 2;
        r->rec[i].sparsity_index = j == 0 ? 0 : (j - 1) % 2;
        r->rec[i].achieved_sparsity = 0.25, r->rec[i].kept_params = 100 + (long long)i;
        r->rec[i].val_loss = NAN;
    }
    r->dense_ns = 123.5;
    /* Folds: participant p tested by fold 2 - p; fold 0 validates on participant 1. */
    for (int p = 0; p < 3; p++) r->fold_of[p] = 2 - p;
    r->validation[0 * 3 + 1] = 1;
    for (size_t i = 0; i < 3 * 2; i++) {
        r->feature_fill[i] = i == 1 ? NAN : 0.5 * (double)i;
        r->feature_shift[i] = -1.0 / (double)(i + 3);
        r->feature_scale[i] = 1.0 / 3.0 + (double)i;
    }
    for (size_t fo = 0; fo < 3; fo++)
        r->target_shift[fo] = 0.1 * (double)fo, r->target_scale[fo] = 1 / 0.7 + (double)fo;
    snprintf(r->started, sizeof r->started, "2026-01-01T00:00:00Z");
    strcpy(f->dir, "/tmp/pf_test_results_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    pf_results_free(f->r);
    pf_dataset_free(f->ds);
    free(f);
    return 0;
}

static char *slurp(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_csv_exports(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    assert_int_equal(pf_results_write_csv(f->r, f->dir, &err), PF_OK);
    char *pp = slurp(f->dir, "per_participant.csv");
    assert_non_null(strstr(pp, "participant,criterion,sparsity,repeat,ccc,rmse,pearson,n_windows\n"
                               "P1,dense,0,0,0.5,0.1,0.6,2\n"
                               "P1,dense,0,1,0.5,"));
    assert_non_null(strstr(pp, "\n\"P,2\",dense,0,0,0.5,"));
    /* magnitude at 0.5, P3, repeat 1: 0.3 - 0.05 + 0.01 + 0 */
    char line[160], num[PF_NUMTEXT_CAP]; /* numbers as shortest round-trip text */
    snprintf(line, sizeof line, "\nP3,vr(lambda=0.5),0.5,1,%s,",
             pf_numtext(num, 0.1 * 3.0 - 0.05 * 1.0 + 0.01 * 1.0 + 0.001 * 1.0));
    assert_non_null(strstr(pp, line));
    size_t lines = 0;
    for (char *c = pp; *c; c++) lines += *c == '\n';
    assert_int_equal(lines, 1 + 6 + 2 * 2 * 3 * 2); /* header, dense, pruned */
    char *sm = slurp(f->dir, "summary.csv");
    /* magnitude at s=0: participants average repeats to 0.105, 0.205, 0.305:
     * mean 0.205, sd 0.1, min 0.105, p10 = 0.105 + 0.2*0.1 = 0.125, delta vs 0.5 */
    assert_non_null(strstr(sm, "\nmagnitude,0,0.25,3,"));
    double mean, sd, med, mn, p10, mx, gap, dmean, dworst, sp, ach;
    int n;
    char *row = strstr(sm, "\nmagnitude,0,") + 1;
    assert_int_equal(sscanf(row, "magnitude,%lf,%lf,%d,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &sp,
                            &ach, &n, &mean, &sd, &med, &mn, &p10, &mx, &gap, &dmean, &dworst),
                     12);
    assert_float_equal(mean, 0.205, 1e-12);
    assert_float_equal(sd, 0.1, 1e-12);
    assert_float_equal(p10, 0.125, 1e-12);
    assert_float_equal(gap, 0.2, 1e-12);
    assert_float_equal(dmean, 0.205 - 0.5, 1e-12);
    assert_float_equal(dworst, 0.105 - 0.5, 1e-12);
}

static void test_h5_round_trip(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    char path[128];
    snprintf(path, sizeof path, "%s/results.h5", f->dir);
    pf_h5_quiet();
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    assert_int_equal(pf_results_write_h5(f->r, &f->cfg, file, &err), PF_OK);
    H5Fclose(file);

    pf_config cfg;
    pf_results *b = pf_results_read_h5(path, &cfg, &err);
    if (!b) fail_msg("%s", err.msg);
    const pf_results *a = f->r;
    assert_string_equal(cfg.hash, f->cfg.hash);
    assert_int_equal(b->n_crit, 2);
    assert_int_equal(b->n_sp, 2);
    assert_int_equal(b->n_part, 3);
    assert_int_equal(b->n_rep, 2);
    assert_int_equal(b->n_folds, 3);
    assert_string_equal(b->crit[1], "vr(lambda=0.5)");
    assert_string_equal(b->participant_ids[1], "P,2");
    assert_string_equal(b->feature_names[1], "b");
    assert_string_equal(b->data_description, "hand-made");
    assert_string_equal(b->started, "2026-01-01T00:00:00Z");
    size_t cells = 2 * 2 * 3 * 2;
    assert_memory_equal(a->ccc, b->ccc, cells * sizeof(double));
    assert_memory_equal(a->rmse, b->rmse, cells * sizeof(double));
    assert_memory_equal(a->dense_pearson, b->dense_pearson, 6 * sizeof(double));
    assert_memory_equal(a->n_windows, b->n_windows, 3 * sizeof(int));
    assert_int_equal(b->n_windows[1], 3);
    for (size_t i = 0; i < a->n_rec; i++) {
        assert_int_equal(a->rec[i].kept_params, b->rec[i].kept_params);
        assert_int_equal(a->rec[i].criterion, b->rec[i].criterion);
        assert_true(isnan(b->rec[i].val_loss));
    }
    assert_true(b->dense_ns == 123.5);
    assert_non_null(b->fold_of);
    assert_memory_equal(a->fold_of, b->fold_of, 3 * sizeof(int));
    assert_memory_equal(a->validation, b->validation, 3 * 3);
    assert_memory_equal(a->feature_fill, b->feature_fill, 6 * sizeof(double));
    assert_memory_equal(a->feature_shift, b->feature_shift, 6 * sizeof(double));
    assert_memory_equal(a->feature_scale, b->feature_scale, 6 * sizeof(double));
    assert_memory_equal(a->target_shift, b->target_shift, 3 * sizeof(double));
    assert_memory_equal(a->target_scale, b->target_scale, 3 * sizeof(double));
    assert_string_equal(cfg.data_sha256, f->cfg.data_sha256);
    pf_results_free(b);

    /* provenance attributes a reviewer looks for */
    file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char *hash = pf_h5_read_attr_str(file, "/", "config_hash");
    char *blas = pf_h5_read_attr_str(file, "/", "blas");
    char *text = pf_h5_read_attr_str(file, "/", "config_text");
    char *data = pf_h5_read_attr_str(file, "/", "data_sha256");
    char *scheme = pf_h5_read_attr_str(file, "/folds", "scheme");
    assert_string_equal(data, f->cfg.data_sha256);
    assert_string_equal(scheme, "lopo");
    free(data), free(scheme);
    assert_string_equal(hash, f->cfg.hash);
    assert_non_null(strstr(blas, "OpenBLAS"));
    assert_non_null(strstr(text, "[prune]\ncriteria = magnitude,vr\n"));
    free(hash), free(blas), free(text);
    H5Fclose(file);
}

static void test_read_rejects_other_files(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_config cfg;
    char path[128];
    snprintf(path, sizeof path, "%s/not.h5", f->dir);
    FILE *fp = fopen(path, "w");
    fputs("hello\n", fp);
    fclose(fp);
    assert_null(pf_results_read_h5(path, &cfg, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "is not an HDF5 file"));
    /* An HDF5 file without the run's groups */
    snprintf(path, sizeof path, "%s/empty.h5", f->dir);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(file);
    pf_error_clear(&err);
    assert_null(pf_results_read_h5(path, &cfg, &err));
    assert_non_null(strstr(err.msg, "not a complete prunefair results file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_exports),
        cmocka_unit_test(test_h5_round_trip),
        cmocka_unit_test(test_read_rejects_other_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
