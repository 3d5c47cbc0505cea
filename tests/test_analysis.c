/* test_analysis.c: the statistics of a run are the right tests on the right numbers. On a
 * hand-filled run (10 participants, two criteria, one sparsity) every row of the analysis is
 * recomputed here directly with the stats module, Holm's correction by hand, and the
 * bootstrap with the documented seed -- so a wrong family, a wrong pairing, repeats not
 * averaged first, or a wrong seed all fail. */
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

#include "analysis.h"
#include "seed.h"

#define P 10

static const double MAG[P] = {0.31, 0.12, 0.45, 0.27, 0.05, 0.38, 0.22, 0.19, 0.41, 0.08};
static const double VR[P] = {0.35, 0.20, 0.44, 0.33, 0.15, 0.40, 0.30, 0.21, 0.47, 0.18};
static const double DENSE[P] = {0.40, 0.25, 0.50, 0.36, 0.11, 0.42, 0.35, 0.30, 0.52, 0.19};

typedef struct {
    pf_config cfg;
    pf_dataset *ds;
    pf_results *r;
} fixture;

/* Two repeats per participant that average to the table values (+-0.02), so a test that
 * forgot to average repeats sees other numbers. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pf_error err = {0};
    pf_config_defaults(&f->cfg);
    pf_config_set(&f->cfg, "prune", "criteria", "magnitude,vr", "t", &err);
    pf_config_set(&f->cfg, "prune", "sparsities", "0.8", "t", &err);
    pf_config_set(&f->cfg, "experiment", "repeats", "2", "t", &err);
    pf_config_set(&f->cfg, "stats", "bootstrap", "500", "t", &err);
    assert_int_equal(err.code, PF_OK);
    f->ds = pf_dataset_alloc(P, 1, 1, P, 0, &err);
    for (size_t p = 0; p < P; p++) {
        char id[8];
        snprintf(id, sizeof id, "S%02zu", p);
        f->ds->participant_ids[p] = strdup(id);
        f->ds->offset[p + 1] = p + 1;
    }
    f->ds->feature_names[0] = strdup("x");
    f->r = pf_results_alloc(&f->cfg, f->ds, P, &err);
    pf_results *r = f->r;
    for (size_t p = 0; p < P; p++)
        for (size_t k = 0; k < 2; k++) {
            double jitter = k == 0 ? 0.02 : -0.02;
            r->ccc[pf_results_at(r, 0, 0, p, k)] = MAG[p] + jitter;
            r->ccc[pf_results_at(r, 1, 0, p, k)] = VR[p] - jitter;
            r->dense_ccc[p * 2 + k] = DENSE[p] + jitter;
        }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pf_results_free(f->r);
    pf_dataset_free(f->ds);
    free(f);
    return 0;
}

static const pf_test_row *find(const pf_analysis *a, const char *test, const char *b)
{
    const pf_test_row *row = pf_analysis_find(a, test, b, 0.8);
    assert_non_null(row);
    return row;
}

static void test_rows_and_holm(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_analysis *a = pf_analysis_run(f->r, &f->cfg, &err);
    assert_non_null(a);
    assert_int_equal(a->reference, 1); /* default: the first vr criterion */
    /* 2 Friedman rows + 3 tests x (1 other criterion + dense) */
    assert_int_equal(a->n_rows, 2 + 3 * 2);

    pf_wilcoxon_result w1, w2;
    assert_int_equal(pf_wilcoxon(VR, MAG, P, &w1, &err), PF_OK);
    assert_int_equal(pf_wilcoxon(VR, DENSE, P, &w2, &err), PF_OK);
    const pf_test_row *rm = find(a, "wilcoxon", "magnitude"), *rd = find(a, "wilcoxon", "dense");
    assert_string_equal(rm->a, "vr(lambda=0.5)");
    assert_string_equal(rm->family, "ref:wilcoxon@s=0.8");
    assert_true(rm->p_value == w1.test.p_value);
    assert_true(rd->p_value == w2.test.p_value);
    assert_true(rm->statistic == w1.test.statistic);
    /* Holm over the family {vs magnitude, vs dense}: smaller p times 2, larger p times 1
     * but not below the first. */
    double lo = fmin(w1.test.p_value, w2.test.p_value), hi = fmax(w1.test.p_value, w2.test.p_value);
    double holm_lo = fmin(1.0, 2 * lo), holm_hi = fmin(1.0, fmax(holm_lo, hi));
    assert_float_equal(w1.test.p_value < w2.test.p_value ? rm->p_holm : rd->p_holm, holm_lo, 1e-15);
    assert_float_equal(w1.test.p_value < w2.test.p_value ? rd->p_holm : rm->p_holm, holm_hi, 1e-15);
    assert_float_equal(rm->mean_diff, 0.055, 1e-12); /* mean(VR - MAG), repeats averaged */

    pf_test_result t;
    assert_int_equal(pf_paired_t(VR, DENSE, P, &t, &err), PF_OK);
    assert_float_equal(find(a, "ttest", "dense")->statistic, t.statistic, 1e-12);
    assert_int_equal(pf_pitman_morgan(VR, MAG, P, &t, &err), PF_OK);
    assert_float_equal(find(a, "pitman_morgan", "magnitude")->p_value, t.p_value, 1e-12);

    double m[P * 2];
    for (size_t p = 0; p < P; p++) m[2 * p] = MAG[p], m[2 * p + 1] = VR[p];
    pf_friedman_result fr;
    double ranks[2];
    assert_int_equal(pf_friedman(m, P, 2, 1, 0.05, ranks, &fr, &err), PF_OK);
    const pf_test_row *rf = pf_analysis_find(a, "friedman", "", 0.8);
    assert_non_null(rf);
    assert_float_equal(rf->statistic, fr.chi2.statistic, 1e-12);
    assert_true(rf->p_holm == rf->p_value); /* omnibus: not corrected */
    assert_float_equal(a->avg_rank[1], ranks[1], 1e-12);
    assert_float_equal(a->cd[0], fr.cd, 1e-12);
    pf_analysis_free(a);
}

static void test_bootstrap_seed_and_csv(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_analysis *a = pf_analysis_run(f->r, &f->cfg, &err);
    gsl_rng *rng = pf_rng_alloc(f->cfg.seed, 0, 0, PF_SEED_BOOTSTRAP);
    pf_interval mci, sci;
    assert_int_equal(pf_bootstrap_ci(MAG, P, 500, 0.05, rng, &mci, &sci, &err), PF_OK);
    gsl_rng_free(rng);
    assert_float_equal(a->mean_ci[0].lo, mci.lo, 1e-12);
    assert_float_equal(a->mean_ci[0].hi, mci.hi, 1e-12);
    assert_float_equal(a->sd_ci[0].hi, sci.hi, 1e-12);

    char dir[] = "/tmp/pf_test_analysis_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(pf_analysis_write_csv(a, dir, &err), PF_OK);
    char path[64], line[512];
    snprintf(path, sizeof path, "%s/stats.csv", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "family,sparsity,test,criterion_a,criterion_b,n,statistic,df1,df2,"
                              "p_value,p_holm,effect_size,mean_diff,status\n");
    int n = 0, wil = 0;
    while (fgets(line, sizeof line, fp)) {
        n++;
        /* Numbers as the shortest text that reads back: 0.8, not 0.80000000000000004. */
        const char *want = "ref:wilcoxon@s=0.8,0.8,wilcoxon,vr(lambda=0.5),";
        wil += strncmp(line, want, strlen(want)) == 0;
    }
    fclose(fp);
    assert_int_equal(n, 8);
    assert_int_equal(wil, 2);
    unlink(path);
    rmdir(dir);
    pf_analysis_free(a);
}

/* At sparsity 0 every criterion equals dense: nothing is testable, and it says so. */
static void test_identical_is_not_testable(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_results *r = f->r;
    for (size_t p = 0; p < P; p++)
        for (size_t k = 0; k < 2; k++)
            for (size_t c = 0; c < 2; c++)
                r->ccc[pf_results_at(r, c, 0, p, k)] = r->dense_ccc[p * 2 + k];
    pf_analysis *a = pf_analysis_run(r, &f->cfg, &err);
    assert_non_null(a);
    const pf_test_row *w = find(a, "wilcoxon", "dense");
    assert_int_equal(w->status, PF_TEST_TOO_FEW);
    assert_true(isnan(w->p_value) && isnan(w->p_holm));
    assert_int_equal(find(a, "ttest", "magnitude")->status, PF_TEST_CONSTANT);
    pf_analysis_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_and_holm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootstrap_seed_and_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identical_is_not_testable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
