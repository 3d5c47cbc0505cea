/* test_fairness.c: group comparisons worked by hand on eight participants.
 *
 * sex: F (3 participants), M (3), X (1, below min_group), and one without a value. Values are
 * binary fractions, so every mean and delta below is exact and ties are real ties:
 *   dense      F 0.5 0.75 0.875   M 0.25 0.375 0.5   X 1      (missing) 0.125
 *   magnitude  F 0.5 0.625 0.625  M 0    0.125 0.25  X 0.125  (missing) 0
 * Group means, dense: F 17/24, M 3/8 (gap 1/3, worst M); magnitude: F 7/12, M 1/8 (gap 11/24,
 * change +1/8). Deltas: F {0, -1/8, -1/4}, M {-1/4, -1/4, -1/4} (means -1/8 and -1/4).
 * Kruskal-Wallis on them: ranks -1/4 x4 -> 2.5, -1/8 -> 5, 0 -> 6; R_F = 13.5, R_M = 7.5;
 * H = 12/42 (13.5^2 + 7.5^2)/3 - 21 = 12/7; ties 4^3 - 4 = 60, 1 - 60/210 = 5/7; H = 2.4,
 * p = P(chi2_1 > 2.4) = 0.12133525035848367 (scipy.stats.kruskal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results/results.h"
#include "stats/fairness.h"

#include "testutil.h"

#define P 8
static const char *const SEX[P] = {"F", "M", "F", "X", "M", "", "F", "M"};
static const double DENSE[P] = {0.5, 0.25, 0.75, 1.0, 0.375, 0.125, 0.875, 0.5};
static const double MAG[P] = {0.5, 0.0, 0.625, 0.125, 0.125, 0.0, 0.625, 0.25};

/* The study above with metric as its primary metric, holding the values there. */
static pf_results *sex_study(const char *metric)
{
    pf_results *r =
        make_results((pf_results_shape){CRITERIA("magnitude"), SPARSITIES(0.5), .n_part = P,
                                        .n_attributes = 1, .stats_metric = metric});
    r->attribute_names[0] = strdup("sex");
    for (size_t p = 0; p < P; p++) r->attribute_values[p] = strdup(SEX[p]);
    put_values(r, r->primary, PF_DENSE, DENSE, 0);
    put_values(r, r->primary, pf_results_variant(r, 1, 0), MAG, 0);
    return r;
}

static void config(pf_config *cfg, int min_group)
{
    pf_config_defaults(cfg);
    cfg->min_group = min_group;
    cfg->bootstrap = 400;
}

static void test_hand_worked(void **state)
{
    (void)state;
    pf_results *r = sex_study("ccc");
    pf_config cfg;
    config(&cfg, 3);
    pf_error err = {0};
    pf_fairness *f = pf_fairness_run(r, &cfg, &err);
    assert_non_null(f);
    assert_int_equal(f->n_attr, 1);
    const pf_group_attribute *g = &f->attr[0];
    assert_string_equal(g->name, "sex");
    assert_int_equal(g->n_groups, 3); /* byte order: F, M, X */
    assert_string_equal(g->value[0], "F"), assert_string_equal(g->value[2], "X");
    assert_int_equal(g->size[0], 3), assert_int_equal(g->size[1], 3),
        assert_int_equal(g->size[2], 1);
    assert_true(g->compared[0] && g->compared[1] && !g->compared[2]);
    assert_int_equal(g->n_missing, 1);
    assert_int_equal(g->group_of[5], -1);
    size_t v = pf_results_variant(r, 1, 0);
    assert_near(g->mean[0 * 3 + 0], 17.0 / 24, 1e-15);
    assert_near(g->mean[0 * 3 + 2], 1.0, 0); /* X is listed with its mean */
    assert_near(g->mean[v * 3 + 1], 1.0 / 8, 1e-15);
    assert_near(g->delta[v * 3 + 0], -1.0 / 8, 1e-15);
    assert_near(g->delta[v * 3 + 1], -1.0 / 4, 1e-15);
    const pf_group_gap *d = &g->gap[PF_DENSE], *m = &g->gap[v];
    assert_near(d->gap, 1.0 / 3, 1e-15); /* X (mean 1) is left out of the gap */
    assert_int_equal(d->worst, 1);
    assert_true(isnan(d->ratio)); /* CCC can be negative: no ratio */
    assert_near(m->gap, 11.0 / 24, 1e-15);
    assert_near(m->gap_delta, 1.0 / 8, 1e-15);
    assert_near(m->kw.statistic, 2.4, 1e-12);
    assert_near(m->kw.p_value, 0.12133525035848367, 1e-12);
    assert_near(m->kw.df1, 1, 0);
    assert_int_equal(m->kw.n, 6); /* X and the participant without a value are not tested */
    assert_near(m->p_holm, m->kw.p_value, 0); /* a family of one */
    assert_true(isnan(d->p_holm));            /* the reference itself is not tested */
    /* The interval brackets the resampled gaps, and is a pure function of the seed. */
    assert_true(m->gap_ci.lo <= m->gap && m->gap <= m->gap_ci.hi && m->gap_ci.lo >= 0);
    pf_fairness *again = pf_fairness_run(r, &cfg, &err);
    assert_true(again->attr[0].gap[v].gap_ci.lo == m->gap_ci.lo &&
                again->attr[0].gap[v].gap_ci.hi == m->gap_ci.hi);
    pf_fairness_free(again);
    pf_fairness_free(f);
    pf_results_free(r);
}

/* min_group 1 lets X in; a non-negative, lower-is-better metric has a ratio and its worst
 * group is the highest mean. */
static void test_small_groups_and_direction(void **state)
{
    (void)state;
    pf_config cfg;
    pf_error err = {0};
    config(&cfg, 1);
    pf_results *r = sex_study("ccc");
    pf_fairness *f = pf_fairness_run(r, &cfg, &err);
    assert_non_null(f);
    assert_near(f->attr[0].gap[PF_DENSE].gap, 1.0 - 3.0 / 8, 1e-15);
    assert_int_equal(f->attr[0].n_compared, 3);
    pf_fairness_free(f);
    pf_results_free(r);

    config(&cfg, 3);
    r = sex_study("rmse");
    f = pf_fairness_run(r, &cfg, &err);
    assert_non_null(f);
    assert_int_equal(f->attr[0].gap[PF_DENSE].worst, 0); /* F: the highest RMSE */
    assert_near(f->attr[0].gap[PF_DENSE].ratio, (3.0 / 8) / (17.0 / 24), 1e-15);
    pf_fairness_free(f);
    pf_results_free(r);
}

/* data.na_values mark a missing attribute too; "none" compares nothing; an attribute the
 * results do not carry is an error naming it. */
static void test_choices(void **state)
{
    (void)state;
    pf_config cfg;
    pf_error err = {0};
    config(&cfg, 3);
    pf_results *r = sex_study("ccc");
    cfg.na_values.n = 1;
    strcpy(cfg.na_values.item[0], "X");
    pf_fairness *f = pf_fairness_run(r, &cfg, &err);
    assert_int_equal(f->attr[0].n_groups, 2);
    assert_int_equal(f->attr[0].n_missing, 2);
    pf_fairness_free(f);
    cfg.na_values.n = 0;
    cfg.fairness_attributes.n = 1;
    strcpy(cfg.fairness_attributes.item[0], "none");
    f = pf_fairness_run(r, &cfg, &err);
    assert_non_null(f);
    assert_int_equal(f->n_attr, 0);
    pf_fairness_free(f);
    strcpy(cfg.fairness_attributes.item[0], "age");
    assert_null(pf_fairness_run(r, &cfg, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "'age'"));
    pf_results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_small_groups_and_direction),
        cmocka_unit_test(test_choices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
