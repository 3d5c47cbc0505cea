/* test_analysis.c: the statistics of a run are the right tests on the right numbers, in the
 * right direction.
 *
 * On a hand-filled run (10 participants, two criteria, one sparsity, CCC) every row of the
 * analysis is recomputed here directly with the stats module, Holm's correction by hand, and
 * the bootstrap with the documented seed -- so a wrong family, a wrong pairing, repeats not
 * averaged first, or a wrong seed all fail. A second run has RMSE as its primary metric and
 * numbers small enough to rank by hand: lower is better there, so rank 1 is the lowest RMSE
 * and a positive effect means the reference has the lower RMSE. */
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

#include "testutil.h"

#include "base/h5.h"
#include "base/seed.h"
#include "stats/analysis.h"

#define P 10

static const double MAG[P] = {0.31, 0.12, 0.45, 0.27, 0.05, 0.38, 0.22, 0.19, 0.41, 0.08};
static const double VR[P] = {0.35, 0.20, 0.44, 0.33, 0.15, 0.40, 0.30, 0.21, 0.47, 0.18};
static const double DENSE[P] = {0.40, 0.25, 0.50, 0.36, 0.11, 0.42, 0.35, 0.30, 0.52, 0.19};

typedef struct {
    pf_config cfg;
    pf_results *r;
} fixture;

/* A one-output regression study of 10 participants, two criteria at one sparsity, CCC. Two
 * repeats per participant that average to the table values (+-0.02: the first above, vr's
 * first below), so a test that forgot to average repeats sees other numbers. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pf_error err = {0};
    pf_config_defaults(&f->cfg);
    pf_config_set(&f->cfg, "stats", "bootstrap", "500", "t", &err);
    assert_int_equal(err.code, PF_OK);
    f->r = make_results((pf_results_shape){CRITERIA("magnitude", "vr(lambda=0.5)"), SPARSITIES(0.8),
                                           .n_part = P, .n_rep = 2});
    pf_results *r = f->r;
    assert_int_equal(r->primary, 0); /* ccc */
    put_values(r, 0, pf_results_variant(r, 1, 0), MAG, -0.02);
    put_values(r, 0, pf_results_variant(r, 2, 0), VR, 0.02);
    put_values(r, 0, PF_DENSE, DENSE, -0.02);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pf_results_free(f->r);
    free(f);
    return 0;
}

/* The row of test at sparsity s and width bits, by both of its sides: the reference
 * vr(lambda=0.5) at (s, bits) against criterion b at (s, bits), against dense float32 (b
 * "dense": (dense, 0, 32), whatever the width), or Friedman's (b "all": every criterion at
 * (s, bits) on both sides). */
static const pf_test_row *find_at(const pf_analysis *a, const char *test, const char *b, double s,
                                  int bits)
{
    pf_test_side x = {.sparsity = s, .bits = bits}, y = x;
    snprintf(x.criterion, sizeof x.criterion, "%s",
             strcmp(b, "all") == 0 ? "all" : "vr(lambda=0.5)");
    snprintf(y.criterion, sizeof y.criterion, "%s", b);
    if (strcmp(b, "dense") == 0) y.sparsity = 0, y.bits = 32;
    const pf_test_row *row = pf_analysis_find(a, test, &x, &y);
    if (!row) fail_msg("no %s row against %s at %g, %d bits", test, b, s, bits);
    return row;
}

static const pf_test_row *find(const pf_analysis *a, const char *test, const char *b, double s)
{
    return find_at(a, test, b, s, 32);
}

static void test_rows_and_holm(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_analysis *a = pf_analysis_run(f->r, &f->cfg, &err);
    assert_non_null(a);
    assert_int_equal(a->reference, 2); /* default: the first vr criterion (crit[0] is dense) */
    assert_int_equal(a->n_var, 3);
    /* 2 Friedman rows + 3 tests x (1 other criterion + dense) */
    assert_int_equal(a->n_rows, 2 + 3 * 2);

    pf_wilcoxon_result w1, w2;
    assert_int_equal(pf_stats_wilcoxon(VR, MAG, P, &w1, &err), PF_OK);
    assert_int_equal(pf_stats_wilcoxon(VR, DENSE, P, &w2, &err), PF_OK);
    const pf_test_row *rm = find(a, "wilcoxon", "magnitude", 0.8),
                      *rd = find(a, "wilcoxon", "dense", 0.8);
    assert_string_equal(rm->a.criterion, "vr(lambda=0.5)");
    assert_string_equal(rm->family, "ref:wilcoxon@s=0.8");
    assert_true(rm->p_value == w1.test.p_value);
    assert_true(rd->p_value == w2.test.p_value);
    assert_true(rm->statistic == w1.test.statistic);
    assert_true(rm->effect_size == w1.test.effect_size); /* higher is better: VR - MAG */
    /* Holm over the family {vs magnitude, vs dense}: smaller p times 2, larger p times 1
     * but not below the first. */
    double lo = fmin(w1.test.p_value, w2.test.p_value), hi = fmax(w1.test.p_value, w2.test.p_value);
    double holm_lo = fmin(1.0, 2 * lo), holm_hi = fmin(1.0, fmax(holm_lo, hi));
    assert_float_equal(w1.test.p_value < w2.test.p_value ? rm->p_holm : rd->p_holm, holm_lo, 1e-15);
    assert_float_equal(w1.test.p_value < w2.test.p_value ? rd->p_holm : rm->p_holm, holm_hi, 1e-15);
    assert_float_equal(rm->mean_diff, 0.055, 1e-12); /* mean(VR - MAG), repeats averaged */

    pf_test_result t;
    assert_int_equal(pf_stats_paired_t(VR, DENSE, P, &t, &err), PF_OK);
    assert_float_equal(find(a, "ttest", "dense", 0.8)->statistic, t.statistic, 1e-12);
    assert_int_equal(pf_stats_pitman_morgan(VR, MAG, P, &t, &err), PF_OK);
    assert_float_equal(find(a, "pitman_morgan", "magnitude", 0.8)->p_value, t.p_value, 1e-12);

    double m[P * 2];
    for (size_t p = 0; p < P; p++) m[2 * p] = MAG[p], m[2 * p + 1] = VR[p];
    pf_friedman_result fr;
    double ranks[2];
    assert_int_equal(pf_stats_friedman(m, P, 2, 1, 0.05, ranks, &fr, &err), PF_OK);
    const pf_test_row *rf = find(a, "friedman", "all", 0.8);
    assert_string_equal(rf->family, "friedman@s=0.8");
    assert_float_equal(rf->statistic, fr.chi2.statistic, 1e-12);
    assert_true(rf->p_holm == rf->p_value); /* omnibus: not corrected */
    assert_true(isnan(a->avg_rank[0]));     /* dense is not ranked */
    assert_float_equal(a->avg_rank[1], ranks[0], 1e-12);
    assert_float_equal(a->avg_rank[2], ranks[1], 1e-12);
    assert_float_equal(a->cd[0], fr.cd, 1e-12);
    pf_analysis_free(a);
}

static void test_bootstrap_seed_and_csv(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_analysis *a = pf_analysis_run(f->r, &f->cfg, &err);
    assert_non_null(a);
    /* Every variant restarts the generator: the same resampled participants for all. */
    const double *vals[3] = {DENSE, MAG, VR};
    for (size_t v = 0; v < 3; v++) {
        gsl_rng *rng = pf_seed_rng(f->cfg.seed, 0, 0, PF_SEED_BOOTSTRAP);
        pf_interval mci, sci;
        assert_int_equal(pf_stats_bootstrap_ci(vals[v], P, 500, 0.05, rng, &mci, &sci, &err),
                         PF_OK);
        gsl_rng_free(rng);
        assert_float_equal(a->mean_ci[v].lo, mci.lo, 1e-12);
        assert_float_equal(a->mean_ci[v].hi, mci.hi, 1e-12);
        assert_float_equal(a->sd_ci[v].lo, sci.lo, 1e-12);
        assert_float_equal(a->sd_ci[v].hi, sci.hi, 1e-12);
    }

    char dir[] = "/tmp/pf_test_analysis_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(pf_analysis_write_csv(a, dir, &err), PF_OK);
    char path[64], line[512];
    snprintf(path, sizeof path, "%s/stats.csv", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "family,test,criterion_a,sparsity_a,bits_a,criterion_b,sparsity_b,"
                              "bits_b,n,statistic,df1,df2,p_value,p_holm,effect_size,mean_diff,"
                              "status\n");
    int n = 0, wil = 0, dense = 0, fried = 0;
    while (fgets(line, sizeof line, fp)) {
        n++;
        /* Numbers as the shortest text that reads back: 0.8, not 0.80000000000000004. */
        const char *want = "ref:wilcoxon@s=0.8,wilcoxon,vr(lambda=0.5),0.8,32,";
        wil += strncmp(line, want, strlen(want)) == 0;
        dense += strstr(line, ",vr(lambda=0.5),0.8,32,dense,0,32,10,") != NULL;
        fried += strncmp(line, "friedman@s=0.8,friedman,all,0.8,32,all,0.8,32,10,", 49) == 0;
    }
    fclose(fp);
    assert_int_equal(n, 8);
    assert_int_equal(wil, 2);
    assert_int_equal(dense, 3); /* wilcoxon, ttest, pitman_morgan against dense float32 */
    assert_int_equal(fried, 1);
    unlink(path);
    rmdir(dir);
    pf_analysis_free(a);
}

/* No bootstrap: the intervals are NaN, never zero. */
static void test_no_bootstrap(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    f->cfg.bootstrap = 0;
    pf_analysis *a = pf_analysis_run(f->r, &f->cfg, &err);
    assert_non_null(a);
    for (size_t v = 0; v < 3; v++) assert_true(isnan(a->mean_ci[v].lo) && isnan(a->sd_ci[v].hi));
    assert_false(pf_analysis_dense_at_chance(a, f->r));
    pf_analysis_free(a);
}

/* When the criteria equal dense nothing is testable, and it says so. */
static void test_identical_is_not_testable(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_results *r = f->r;
    for (size_t p = 0; p < P; p++)
        for (size_t k = 0; k < 2; k++)
            for (size_t c = 1; c <= 2; c++)
                r->value[pf_results_at(r, 0, pf_results_variant(r, c, 0), p, k)] =
                    r->value[pf_results_at(r, 0, PF_DENSE, p, k)];
    pf_analysis *a = pf_analysis_run(r, &f->cfg, &err);
    assert_non_null(a);
    const pf_test_row *w = find(a, "wilcoxon", "dense", 0.8);
    assert_int_equal(w->status, PF_TEST_TOO_FEW);
    assert_true(isnan(w->p_value) && isnan(w->p_holm));
    assert_int_equal(find(a, "ttest", "magnitude", 0.8)->status, PF_TEST_CONSTANT);
    pf_analysis_free(a);
}

/* A participant without a value (a diverged model) makes the comparisons with that variant
 * not testable -- not a failure of the whole analysis -- and leaves its interval NaN. */
static void test_missing_value(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_results *r = f->r;
    size_t mag = pf_results_variant(r, 1, 0);
    for (size_t k = 0; k < 2; k++) r->value[pf_results_at(r, 0, mag, 3, k)] = NAN;
    pf_analysis *a = pf_analysis_run(r, &f->cfg, &err);
    if (!a) fail_msg("%s", err.msg);
    assert_int_equal(find(a, "wilcoxon", "magnitude", 0.8)->status, PF_TEST_TOO_FEW);
    assert_true(isnan(find(a, "friedman", "all", 0.8)->p_value));
    assert_int_equal(find(a, "wilcoxon", "dense", 0.8)->status, PF_TEST_OK);
    assert_true(isnan(a->mean_ci[mag].lo));
    assert_false(isnan(a->mean_ci[PF_DENSE].lo));
    pf_analysis_free(a);
}

/* RMSE, lower is better. Per participant (rank 1 = lowest RMSE in brackets):
 *   dense      0.20        0.22        0.25        0.30        0.28
 *   random     0.60 (3)    0.55 (3)    0.70 (3)    0.65 (3)    0.58 (3)    average rank 3
 *   magnitude  0.30 (2)    0.36 (2)    0.32 (1)    0.31 (2)    0.40 (2)    average rank 1.8
 *   vr         0.25 (1)    0.30 (1)    0.36 (2)    0.28 (1)    0.33 (1)    average rank 1.2
 * Friedman: rank sums 15, 9, 6; chi2 = 12 / (5 * 3 * 4) * (225 + 81 + 36) - 3 * 5 * 4 = 8.4.
 * vr (the reference) against magnitude: the improvement magnitude - vr is 0.05, 0.06, -0.04,
 * 0.03, 0.07, ranked by size 3, 4, 2, 1, 5: W+ = 13, W- = 2, W = 2; exact p = 2 * 3 / 32
 * (rank sums 0, 1, 2 of 5 ranks); rank-biserial r = (13 - 2) / 15, positive: vr is better;
 * mean improvement 0.17 / 5 = 0.034. Against dense the improvement dense - vr averages
 * -0.27 / 5 = -0.054: vr is worse than dense. Read as higher-is-better, every rank and sign
 * would come out the other way. */
static void test_lower_is_better(void **state)
{
    (void)state;
    static const double vals[4][5] = {{0.20, 0.22, 0.25, 0.30, 0.28},
                                      {0.60, 0.55, 0.70, 0.65, 0.58},
                                      {0.30, 0.36, 0.32, 0.31, 0.40},
                                      {0.25, 0.30, 0.36, 0.28, 0.33}};
    pf_results *r =
        make_results((pf_results_shape){CRITERIA("random", "magnitude", "vr(lambda=0.5)"),
                                        SPARSITIES(0.5), .n_part = 5, .stats_metric = "rmse"});
    assert_int_equal(r->primary, 1);
    for (size_t v = 0; v < 4; v++) {
        double ccc[5]; /* ccc: not tested */
        for (size_t p = 0; p < 5; p++) ccc[p] = 1 - vals[v][p];
        put_values(r, 1, v, vals[v], 0);
        put_values(r, 0, v, ccc, 0);
    }
    pf_config cfg;
    pf_config_defaults(&cfg);
    cfg.bootstrap = 0;
    pf_error err = {0};
    pf_analysis *a = pf_analysis_run(r, &cfg, &err);
    if (!a) fail_msg("%s", err.msg);
    assert_int_equal(a->reference, 3);
    assert_true(isnan(a->avg_rank[0]));
    assert_float_equal(a->avg_rank[1], 3.0, 1e-12);
    assert_float_equal(a->avg_rank[2], 1.8, 1e-12);
    assert_float_equal(a->avg_rank[3], 1.2, 1e-12);
    assert_float_equal(find(a, "friedman", "all", 0.5)->statistic, 8.4, 1e-12);

    const pf_test_row *w = find(a, "wilcoxon", "magnitude", 0.5);
    assert_int_equal(w->status, PF_TEST_OK);
    assert_int_equal(w->n, 5);
    assert_float_equal(w->statistic, 2.0, 1e-12);
    assert_float_equal(w->p_value, 6.0 / 32.0, 1e-12);
    assert_float_equal(w->effect_size, 11.0 / 15.0, 1e-12);
    assert_float_equal(w->mean_diff, 0.034, 1e-12);
    assert_float_equal(find(a, "wilcoxon", "dense", 0.5)->mean_diff, -0.054, 1e-12);

    /* The t test runs on the same improvement: positive t and d_z. */
    pf_test_result t;
    assert_int_equal(pf_stats_paired_t(vals[2], vals[3], 5, &t, &err), PF_OK);
    const pf_test_row *tt = find(a, "ttest", "magnitude", 0.5);
    assert_true(tt->statistic > 0);
    assert_float_equal(tt->statistic, t.statistic, 1e-12);
    assert_float_equal(tt->effect_size, t.effect_size, 1e-12);
    /* The variance test has no direction: var(vr) against var(magnitude). */
    assert_int_equal(pf_stats_pitman_morgan(vals[3], vals[2], 5, &t, &err), PF_OK);
    assert_float_equal(find(a, "pitman_morgan", "magnitude", 0.5)->effect_size, t.effect_size,
                       1e-12);
    pf_analysis_free(a);
    pf_results_free(r);
}

/* The /stats group: the rows, the intervals per variant, and which metric they are about. */
static void test_h5(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_analysis *a = pf_analysis_run(f->r, &f->cfg, &err);
    assert_non_null(a);
    char path[] = "/tmp/pf_test_analysis_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    pf_h5_quiet();
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    assert_int_equal(pf_analysis_write_h5(a, f->r, &f->cfg, file, &err), PF_OK);
    double ci[6], rank[3];
    assert_int_equal(pf_h5_read_doubles(file, "stats/mean_ci", 6, ci), 0);
    assert_true(ci[2] == a->mean_ci[1].lo && ci[5] == a->mean_ci[2].hi);
    assert_int_equal(pf_h5_read_doubles(file, "stats/friedman_average_rank", 3, rank), 0);
    assert_true(isnan(rank[0]) && rank[2] == a->avg_rank[2]);
    char *metric = pf_h5_read_attr_str(file, "stats", "metric");
    assert_non_null(metric);
    assert_string_equal(metric, "ccc");
    free(metric);
    H5Fclose(file);
    unlink(path);
    pf_analysis_free(a);
}

/* At 4 bits a row "against dense" compares with the dense float32 model, and says so: its
 * sides are (vr(lambda=0.5), 0.8, 4) and (dense, 0, 32), in the rows, in stats.csv and in the
 * /stats/tests table. The dense model at 4 bits (DENSE4, every value 0.1 below DENSE) is never
 * a side of a ref: row; the p-values are those of the tests against DENSE, which differ from
 * the tests against DENSE4. */
static void test_quantised_against_float32(void **state)
{
    (void)state;
    static const double VR4[P] = {0.30, 0.21, 0.40, 0.31, 0.13, 0.41, 0.26, 0.20, 0.45, 0.17};
    static const double MAG4[P] = {0.28, 0.10, 0.43, 0.25, 0.04, 0.33, 0.20, 0.18, 0.40, 0.06};
    double dense4[P];
    for (size_t p = 0; p < P; p++) dense4[p] = DENSE[p] - 0.1;
    pf_config cfg;
    pf_error err = {0};
    pf_config_defaults(&cfg);
    cfg.bootstrap = 0;
    pf_results *r = make_results((pf_results_shape){CRITERIA("magnitude", "vr(lambda=0.5)"),
                                                    SPARSITIES(0.8), WIDTHS(32, 4), .n_part = P});
    assert_int_equal(r->n_var, 6);
    put_values(r, 0, PF_DENSE, DENSE, 0);
    put_values(r, 0, pf_results_variant_at(r, 1, 0, 0), MAG, 0);
    put_values(r, 0, pf_results_variant_at(r, 2, 0, 0), VR, 0);
    put_values(r, 0, pf_results_variant_at(r, 0, 0, 1), dense4, 0);
    put_values(r, 0, pf_results_variant_at(r, 1, 0, 1), MAG4, 0);
    put_values(r, 0, pf_results_variant_at(r, 2, 0, 1), VR4, 0);
    pf_analysis *a = pf_analysis_run(r, &cfg, &err);
    if (!a) fail_msg("%s", err.msg);
    pf_wilcoxon_result w32, w4;
    pf_test_result t32;
    assert_int_equal(pf_stats_wilcoxon(VR4, DENSE, P, &w32, &err), PF_OK);
    assert_int_equal(pf_stats_wilcoxon(VR4, dense4, P, &w4, &err), PF_OK);
    assert_int_equal(pf_stats_paired_t(VR4, DENSE, P, &t32, &err), PF_OK);
    assert_true(w32.test.p_value != w4.test.p_value);
    const pf_test_row *rd = find_at(a, "wilcoxon", "dense", 0.8, 4);
    assert_string_equal(rd->family, "ref:wilcoxon@s=0.8/4bit");
    assert_true(rd->a.sparsity == 0.8 && rd->a.bits == 4);
    assert_true(rd->b.sparsity == 0 && rd->b.bits == 32);
    assert_true(rd->p_value == w32.test.p_value);
    assert_float_equal(find_at(a, "ttest", "dense", 0.8, 4)->statistic, t32.statistic, 1e-12);
    assert_float_equal(rd->mean_diff, -0.056, 1e-12); /* (2.84 - 3.40) / 10: VR4 - DENSE */
    pf_wilcoxon_result wm;
    assert_int_equal(pf_stats_wilcoxon(VR4, MAG4, P, &wm, &err), PF_OK);
    const pf_test_row *rm = find_at(a, "wilcoxon", "magnitude", 0.8, 4);
    assert_true(rm->b.sparsity == 0.8 && rm->b.bits == 4 && rm->p_value == wm.test.p_value);
    for (size_t i = 0; i < a->n_rows; i++)
        assert_false(strcmp(a->rows[i].b.criterion, "dense") == 0 && a->rows[i].b.bits == 4);
    pf_test_side dense_4bit = {"dense", 0, 0, 4}, vr_4bit = {"vr(lambda=0.5)", 0.8, 0, 4};
    assert_null(pf_analysis_find(a, "wilcoxon", &vr_4bit, &dense_4bit));

    char dir[] = "/tmp/pf_test_analysis_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(pf_analysis_write_csv(a, dir, &err), PF_OK);
    char path[80], line[512];
    snprintf(path, sizeof path, "%s/stats.csv", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int found = 0;
    const char *want = "ref:wilcoxon@s=0.8/4bit,wilcoxon,vr(lambda=0.5),0.8,4,dense,0,32,10,";
    while (fgets(line, sizeof line, fp)) found += strncmp(line, want, strlen(want)) == 0;
    fclose(fp);
    assert_int_equal(found, 1);
    unlink(path);

    /* /stats/tests names the sides field by field. */
    snprintf(path, sizeof path, "%s/stats.h5", dir);
    pf_h5_quiet();
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    assert_int_equal(pf_analysis_write_h5(a, r, &cfg, file, &err), PF_OK);
    typedef struct {
        char family[64], b[PF_MAX_NAME];
        double sa, sb;
        int ba, bb;
    } side_row;
    hid_t fam = H5Tcopy(H5T_C_S1), name = H5Tcopy(H5T_C_S1);
    H5Tset_size(fam, 64), H5Tset_size(name, PF_MAX_NAME);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(side_row));
    H5Tinsert(t, "family", HOFFSET(side_row, family), fam);
    H5Tinsert(t, "criterion_b", HOFFSET(side_row, b), name);
    H5Tinsert(t, "sparsity_a", HOFFSET(side_row, sa), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "sparsity_b", HOFFSET(side_row, sb), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "bits_a", HOFFSET(side_row, ba), H5T_NATIVE_INT);
    H5Tinsert(t, "bits_b", HOFFSET(side_row, bb), H5T_NATIVE_INT);
    side_row rows[64];
    assert_true(a->n_rows <= 64);
    hid_t d = H5Dopen2(file, "stats/tests", H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    found = 0;
    for (size_t i = 0; i < a->n_rows; i++)
        if (strcmp(rows[i].family, "ref:ttest@s=0.8/4bit") == 0 &&
            strcmp(rows[i].b, "dense") == 0) {
            assert_true(rows[i].sa == 0.8 && rows[i].ba == 4);
            assert_true(rows[i].sb == 0 && rows[i].bb == 32);
            found++;
        }
    assert_int_equal(found, 1);
    H5Dclose(d), H5Tclose(t), H5Tclose(fam), H5Tclose(name);
    H5Fclose(file);
    unlink(path);
    rmdir(dir);
    pf_analysis_free(a);
    pf_results_free(r);
}

/* Names in words, file names without brackets, directions and chance levels. */
static void test_metric_words(void **state)
{
    (void)state;
    pf_results *r = make_results((pf_results_shape){
        TARGETS("arousal", "valence"), CRITERIA("magnitude"), SPARSITIES(0.8), .n_part = 3});
    pf_metric_words w;
    pf_analysis_metric_words(r, r->primary, &w);
    assert_string_equal(w.name, "mean_ccc");
    assert_string_equal(w.file, "mean_ccc");
    assert_string_equal(w.label, "mean-over-outputs CCC");
    assert_true(w.higher_is_better);
    long m = pf_metric_set_find(r->metrics, "rmse[valence]");
    assert_true(m >= 0);
    pf_analysis_metric_words(r, (size_t)m, &w);
    assert_string_equal(w.file, "rmse_valence");
    assert_string_equal(w.label, "RMSE (valence)");
    assert_string_equal(w.direction, "lower is better");
    assert_non_null(strstr(w.about, "root mean squared error"));
    assert_non_null(strstr(w.about, "valence"));
    assert_true(isnan(w.chance));
    pf_results_free(r);

    r = make_results((pf_results_shape){.task = PF_TASK_CLASSIFICATION,
                                        .n_classes = 3,
                                        CRITERIA("magnitude"),
                                        SPARSITIES(0.8),
                                        .n_part = 3});
    pf_analysis_metric_words(r, r->primary, &w);
    assert_string_equal(w.file, "balanced_accuracy");
    assert_string_equal(w.label, "balanced accuracy");
    assert_float_equal(w.chance, 1.0 / 3.0, 1e-15);
    /* The dense model at chance: its interval covers 1/3. */
    pf_interval mean_ci[2] = {{0.30, 0.40}, {0.1, 0.2}};
    pf_analysis a = {.n_var = 2, .mean_ci = mean_ci};
    assert_true(pf_analysis_dense_at_chance(&a, r));
    mean_ci[0] = (pf_interval){0.34, 0.40};
    assert_false(pf_analysis_dense_at_chance(&a, r));
    assert_false(pf_analysis_dense_at_chance(NULL, r));
    pf_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_and_holm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootstrap_seed_and_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_bootstrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identical_is_not_testable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_value, setup, teardown),
        cmocka_unit_test(test_lower_is_better),
        cmocka_unit_test_setup_teardown(test_h5, setup, teardown),
        cmocka_unit_test(test_metric_words),
        cmocka_unit_test(test_quantised_against_float32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
