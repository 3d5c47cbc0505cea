/* test_dataset.c: what the loaders accept, what they make of it, and how they refuse.
 *
 * Fixtures are tiny CSVs in tests/data/ (found through $srcdir, which automake sets, or the
 * current directory); each exercises one edge. The real AGAIN Heist file is read from
 * $AGAIN_DATA_DIR or ../shared/data/again: if it cannot be found the test fails, because
 * silently skipping the only real-data check would let a broken loader pass. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "config/config.h"
#include "data/datacheck.h"
#include "data/dataset.h"
#include "data/load.h"
#include "data/synthetic.h"

#define HEIST_FILE "heist_3000ms.csv"

static void fixture(char *out, size_t size, const char *name)
{
    const char *srcdir = getenv("srcdir");
    snprintf(out, size, "%s/tests/data/%s", srcdir ? srcdir : ".", name);
}

/* A generic CSV config for the fixtures: columns pid and y, every participant kept. */
static void csv_config(pf_config *cfg, const char *name)
{
    pf_config_defaults(cfg);
    cfg->source = PF_SOURCE_CSV;
    snprintf(cfg->participant_column, sizeof cfg->participant_column, "pid");
    snprintf(cfg->target_columns.item[0], PF_MAX_NAME, "y");
    cfg->min_windows = 1;
    fixture(cfg->data_path, sizeof cfg->data_path, name);
}

static void again_config(pf_config *cfg, const char *name)
{
    pf_config_defaults(cfg);
    cfg->source = PF_SOURCE_AGAIN;
    cfg->min_windows = 1;
    fixture(cfg->data_path, sizeof cfg->data_path, name);
}

static pf_dataset *load_ok(const pf_config *cfg_in)
{
    pf_error err = {0};
    pf_config c = *cfg_in, *cfg = &c;
    pf_dataset *ds = pf_load_dataset(cfg, &err);
    if (ds == NULL) fail_msg("loading '%s' failed: %s", cfg->data_path, err.msg);
    assert_int_equal(err.code, PF_OK);
    return ds;
}

/* The load must fail with PF_EINPUT and a message holding every given fact (NULL-ended). */
static void expect_error(const pf_config *cfg_in, ...)
{
    pf_error err = {0};
    pf_config c = *cfg_in, *cfg = &c;
    pf_dataset *ds = pf_load_dataset(cfg, &err);
    if (ds != NULL) {
        pf_dataset_free(ds);
        fail_msg("loading '%s' succeeded but should have failed", cfg->data_path);
    }
    assert_int_equal(err.code, PF_EINPUT);
    va_list ap;
    va_start(ap, cfg_in);
    for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
        if (strstr(err.msg, s) == NULL) fail_msg("message lacks \"%s\": %s", s, err.msg);
    va_end(ap);
}

static long feature_index(const pf_dataset *ds, const char *name)
{
    for (size_t j = 0; j < ds->n_features; j++)
        if (strcmp(ds->feature_names[j], name) == 0) return (long)j;
    return -1;
}

static double cell(const pf_dataset *ds, size_t row, const char *feature)
{
    long j = feature_index(ds, feature);
    if (j < 0) fail_msg("no feature '%s'", feature);
    return ds->x[row * ds->n_features + (size_t)j];
}

/* ---- the real file ---------------------------------------------------------------------- */

static int try_dir(char *out, size_t size, const char *dir, const char *sub)
{
    int n = snprintf(out, size, "%s%s/%s", dir, sub, HEIST_FILE);
    return n > 0 && (size_t)n < size && access(out, R_OK) == 0;
}

static int find_heist(char *out, size_t size)
{
    const char *env = getenv("AGAIN_DATA_DIR"), *srcdir = getenv("srcdir");
    return (env && try_dir(out, size, env, "")) || try_dir(out, size, "../shared/data/again", "") ||
           try_dir(out, size, srcdir ? srcdir : ".", "/../shared/data/again");
}

static void heist_config(pf_config *cfg)
{
    pf_config_defaults(cfg);
    cfg->source = PF_SOURCE_AGAIN;
    if (!find_heist(cfg->data_path, sizeof cfg->data_path))
        fail_msg("real data file %s not found: set AGAIN_DATA_DIR to the folder holding it "
                 "(tried $AGAIN_DATA_DIR, ../shared/data/again, $srcdir/../shared/data/again)",
                 HEIST_FILE);
}

static void test_heist_defaults(void **state)
{
    (void)state;
    pf_config cfg;
    heist_config(&cfg);
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_participants, 122);
    assert_int_equal(ds->n_windows, 5008);
    assert_int_equal(ds->n_features, 32);
    assert_int_equal(ds->n_rows_read, 5008);
    assert_int_equal(ds->n_dropped_target, 0);
    assert_int_equal(ds->n_dropped_participants, 0);
    assert_int_equal(ds->n_missing, 0);
    assert_string_equal(ds->description, "AGAIN windows: heist_3000ms.csv");
    /* The hash the data's README publishes: provenance names exactly these bytes. */
    assert_string_equal(ds->sha256,
                        "b5d91f0825f69dd751a94eeb4b242be472151aaf11efadeef69bf8b80ab3d886");
    assert_true(ds->path[0] == '/');
    assert_true(feature_index(ds, "botDeltaRotation") >= 0);
    assert_int_equal(feature_index(ds, "Time_Index"), -1);
    assert_int_equal(feature_index(ds, "Cluster"), -1);
    assert_string_equal(ds->feature_names[0], "playerScore");
    assert_null(ds->group);

    assert_string_equal(ds->participant_ids[0], "018B0D8D-B5EC-09D6-90ED-550058EBFEAF");
    assert_int_equal(pf_dataset_count(ds, 0), 41);
    assert_int_equal(ds->offset[0], 0);
    assert_int_equal(ds->offset[122], 5008);
    assert_true(cell(ds, 0, "playerSpeedY") == -20.0);
    assert_true(ds->y[0] == 0.2694300518134715);
    assert_true(cell(ds, 1, "playerSpeedZ") == -0.3787736363636363);
    for (size_t p = 0; p < ds->n_participants; p++)
        for (size_t i = ds->offset[p]; i < ds->offset[p + 1]; i++) {
            assert_int_equal(ds->participant[i], p);
            assert_true(ds->y[i] >= 0.0 && ds->y[i] <= 1.0 + 1e-12); /* 1.0000000000000002 occurs */
        }
    pf_dataset_free(ds);
}

static void test_heist_groups(void **state)
{
    (void)state;
    pf_config cfg;
    heist_config(&cfg);
    snprintf(cfg.group_column, sizeof cfg.group_column, "Cluster");
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_features, 32);
    assert_int_equal(ds->n_groups, 4);
    assert_non_null(ds->group);
    assert_string_equal(ds->group_names[ds->group[0]], "3.0");
    /* Cluster is a property of the player: constant over each participant's windows. */
    for (size_t p = 0; p < ds->n_participants; p++)
        for (size_t i = ds->offset[p]; i < ds->offset[p + 1]; i++)
            assert_int_equal(ds->group[i], ds->group[ds->offset[p]]);
    pf_dataset_free(ds);
}

static size_t participant_index(const pf_dataset *ds, const char *id)
{
    for (size_t p = 0; p < ds->n_participants; p++)
        if (strcmp(ds->participant_ids[p], id) == 0) return p;
    fail_msg("no participant '%s'", id);
    return 0;
}

static void count_classes(const pf_dataset *ds, size_t lo, size_t hi, size_t count[2])
{
    count[0] = count[1] = 0;
    for (size_t i = lo; i < hi; i++) count[ds->y[i] != 0]++;
}

/* configs/heist_highlow.ini's transform (above_median, margin 0.1), the same at margin 0, and
 * above_mean at margin 0.1. The expected numbers come from an independent Python script (not
 * the C code): it reads the file's [output]arousal text as exact fractions
 * (fractions.Fraction of decimal.Decimal), takes each player's median (mean of the middle two)
 * or mean, and applies the documented rule exactly: high when (y - t) - m > tol, low when
 * (t - y) - m > tol, dropped otherwise, tol = 4 * 2^-52 * max(m, the player's largest |y|). No
 * window lies within 16 tol of the boundary but at it (gap 0) or 1e-16 from it (the file's
 * 0.1999999999999999 and 0.6000000000000001, in 58CB3C5E and 718078D1), so the numbers do not
 * hang on the rounding of the C arithmetic. For comparison: the exact decimal reading without
 * a tolerance keeps 3095 and drops 1913 at margin 0.1; comparing against a computed t + m (the
 * rule before issue 19) kept 3098 and dropped 1910, and at margin 0 kept all 5008. */
static void test_heist_highlow(void **state)
{
    (void)state;
    static const char *id[3] = {"7417E7AB-C723-0958-F8EE-DDA4DED65165",
                                "58CB3C5E-2F5C-31FE-83E8-C6772D99B8D5",
                                "718078D1-70DB-2916-366D-1119A22DCD7F"};
    static const struct {
        pf_target_transform how;
        double margin;
        size_t windows, low, high;
        size_t id_low[3], id_high[3]; /* kept of the players in id[], 41 windows each */
    } want[] = {
        {PF_TRANSFORM_ABOVE_MEDIAN, 0.1, 3087, 1509, 1578, {11, 11, 16}, {16, 6, 9}},
        {PF_TRANSFORM_ABOVE_MEDIAN, 0, 4364, 2204, 2160, {18, 16, 20}, {20, 10, 11}},
        {PF_TRANSFORM_ABOVE_MEAN, 0.1, 3678, 1866, 1812, {18, 11, 16}, {15, 8, 11}},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        pf_config cfg;
        heist_config(&cfg);
        cfg.task = PF_TASK_CLASSIFICATION;
        cfg.target_transform = want[k].how;
        cfg.transform_margin = want[k].margin;
        pf_dataset *ds = load_ok(&cfg);
        size_t count[2];
        assert_int_equal(ds->n_participants, 122);
        assert_int_equal(ds->n_windows, want[k].windows);
        assert_int_equal(ds->n_dropped_margin, 5008 - want[k].windows);
        count_classes(ds, 0, ds->n_windows, count);
        assert_int_equal(count[0], want[k].low);
        assert_int_equal(count[1], want[k].high);
        for (int j = 0; j < 3; j++) {
            size_t p = participant_index(ds, id[j]);
            count_classes(ds, ds->offset[p], ds->offset[p + 1], count);
            assert_int_equal(count[0], want[k].id_low[j]);
            assert_int_equal(count[1], want[k].id_high[j]);
        }
        pf_dataset_free(ds);
    }
}

/* ---- parsing edges ------------------------------------------------------------------------ */

static void test_bom_crlf_quoted(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "bom_crlf_quoted.csv");
    snprintf(cfg.target_columns.item[0], PF_MAX_NAME, "target");
    pf_dataset *ds = load_ok(&cfg);
    assert_string_equal(ds->description, "CSV: bom_crlf_quoted.csv");
    assert_int_equal(ds->n_features, 2);
    assert_string_equal(ds->feature_names[0], "f one");
    assert_string_equal(ds->feature_names[1], "f,two");
    assert_int_equal(ds->n_participants, 2);
    assert_string_equal(ds->participant_ids[0], "p,1");
    assert_string_equal(ds->participant_ids[1], "p \"x\"");
    assert_int_equal(ds->n_windows, 3);
    assert_int_equal(ds->n_rows_read, 3);
    const double x[] = {1.5, 2, 5, 6, 3, 4}, y[] = {0.5, 0.75, 0.25};
    for (int i = 0; i < 6; i++) assert_true(ds->x[i] == x[i]);
    for (int i = 0; i < 3; i++) assert_true(ds->y[i] == y[i]);
    assert_int_equal(ds->offset[1], 2);
    assert_int_equal(ds->offset[2], 3);
    assert_int_equal(ds->participant[2], 1);
    pf_dataset_free(ds);
}

static void test_ragged_row(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "bad_ragged.csv");
    /* Line 4 is blank: the ragged row is on line 5. */
    expect_error(&cfg, "bad_ragged.csv", "line 5 has 4 fields", "header (line 1) has 5 columns",
                 NULL);
}

static void test_nonnumeric(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "bad_nonnumeric.csv");
    expect_error(&cfg, "bad_nonnumeric.csv", "1 feature column holds text", "'b' (line 3: 'x7')",
                 "data.na_values", "data.drop_columns", NULL);
}

/* A newline inside a quoted field moves every later line down; messages must follow. */
static void test_line_numbers_after_embedded_newline(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "bad_nonnumeric_multiline.csv");
    expect_error(&cfg, "'a' (line 4: 'abc')", NULL);
}

static void test_nan_inf_rejected(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "bad_nan.csv");
    expect_error(&cfg, "'a' (line 3: 'nan')", NULL);
    csv_config(&cfg, "bad_inf.csv");
    expect_error(&cfg, "'b' (line 2: '-inf'", NULL);
}

static void test_bad_quotes(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "bad_quote.csv");
    expect_error(&cfg, "bad_quote.csv", "after line 2", "never closed", NULL);
    csv_config(&cfg, "bad_stray_quote.csv");
    expect_error(&cfg, "bad_stray_quote.csv", "line 3", "malformed quotes", NULL);
}

static void test_duplicate_header(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "bad_dup_header.csv");
    expect_error(&cfg, "line 1", "columns 2 and 3", "'a'", NULL);
}

static void test_empty_and_header_only(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "empty.csv");
    expect_error(&cfg, "empty.csv", "is empty", NULL);
    csv_config(&cfg, "header_only.csv");
    expect_error(&cfg, "header_only.csv", "has a header (line 1) but no data rows", NULL);
}

static void test_missing_file_and_directory(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "does_not_exist.csv");
    /* A relative path: the message says the absolute path that was tried, and from where. */
    char abs[4200], cwd[2048];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(abs, sizeof abs, "tried %s/", cwd);
    expect_error(&cfg, "cannot open data file", "does_not_exist.csv", "No such file or directory",
                 abs, "folder run_experiment is started in", NULL);
    csv_config(&cfg, "");
    expect_error(&cfg, "is a folder", NULL);
    cfg.data_path[0] = '\0';
    expect_error(&cfg, "no data file given", NULL);
}

/* ---- columns and their roles -------------------------------------------------------------- */

static void test_missing_role_columns(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "order.csv");
    snprintf(cfg.participant_column, sizeof cfg.participant_column, "player");
    expect_error(&cfg, "order.csv", "no column 'player' (data.participant_column)",
                 "4 columns: 'pid', 'Time_Index', 'a', 'y'", NULL);
    csv_config(&cfg, "order.csv");
    snprintf(cfg.target_columns.item[0], PF_MAX_NAME, "Y");
    expect_error(&cfg, "no column 'Y' (data.target_column)", "did you mean 'y'?", NULL);
    csv_config(&cfg, "order.csv");
    snprintf(cfg.participant_column, sizeof cfg.participant_column, "PID");
    expect_error(&cfg, "did you mean 'pid'?", NULL);
    csv_config(&cfg, "order.csv");
    snprintf(cfg.group_column, sizeof cfg.group_column, "Cluster");
    expect_error(&cfg, "no column 'Cluster' (data.group_column)", NULL);
    /* A misspelled optional role column is an error too, never a silent 33rd feature. */
    csv_config(&cfg, "order.csv");
    snprintf(cfg.time_column, sizeof cfg.time_column, "Time_index");
    expect_error(&cfg, "no column 'Time_index' (data.time_column)", "did you mean 'Time_Index'?",
                 NULL);
    csv_config(&cfg, "order.csv");
    snprintf(cfg.session_column, sizeof cfg.session_column, "session");
    expect_error(&cfg, "no column 'session' (data.session_column)", NULL);
}

/* For source = again, Cluster, time and the prefixed columns are metadata. */
static void test_roles_again(void **state)
{
    (void)state;
    pf_config cfg;
    again_config(&cfg, "roles.csv");
    cfg.drop_columns.n = 1;
    snprintf(cfg.drop_columns.item[0], PF_MAX_NAME, "junk");
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_features, 2);
    assert_string_equal(ds->feature_names[0], "feat1");
    assert_string_equal(ds->feature_names[1], "feat2");
    assert_true(ds->y[3] == 0.4);
    assert_true(cell(ds, 2, "feat2") == 30);
    assert_string_equal(ds->description, "AGAIN windows: roles.csv");
    pf_dataset_free(ds);

    snprintf(cfg.drop_columns.item[0], PF_MAX_NAME, "jnk");
    expect_error(&cfg, "no column 'jnk' (data.drop_columns)", "did you mean 'junk'?", "roles.csv",
                 NULL);
    snprintf(cfg.drop_columns.item[0], PF_MAX_NAME, "[output]arousal");
    expect_error(&cfg, "target (data.target_column)", "remove it from data.drop_columns", NULL);
}

/* For a generic CSV, Cluster is a feature unless named as the group column; the text columns
 * (junk, [control]session, [string]note) are excluded by auto typing, and the report says so. */
static void test_roles_csv_and_groups(void **state)
{
    (void)state;
    pf_config cfg;
    again_config(&cfg, "roles.csv");
    cfg.source = PF_SOURCE_CSV;
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_features, 5); /* Time_Index, feat1, Cluster, feat2, valence */
    assert_int_equal(feature_index(ds, "junk"), -1);
    assert_int_equal(ds->n_columns, 10);
    assert_string_equal(ds->columns[6].name, "junk");
    assert_string_equal(ds->columns[6].use, "excluded: text, not numbers (line 2: 'x')");
    assert_string_equal(ds->columns[0].use, "participant (data.participant_column)");
    assert_true(ds->columns[4].is_feature);
    pf_dataset_free(ds);

    cfg.drop_columns.n = 1;
    snprintf(cfg.drop_columns.item[0], PF_MAX_NAME, "junk");
    snprintf(cfg.time_column, sizeof cfg.time_column, "Time_Index");
    cfg.feature_columns.n = 3;
    snprintf(cfg.feature_columns.item[0], PF_MAX_NAME, "feat1");
    snprintf(cfg.feature_columns.item[1], PF_MAX_NAME, "Cluster");
    snprintf(cfg.feature_columns.item[2], PF_MAX_NAME, "feat2");
    ds = load_ok(&cfg);
    assert_int_equal(ds->n_features, 3);
    assert_string_equal(ds->columns[8].use, "not in data.feature_columns");
    pf_dataset_free(ds);
    /* A listed column that holds text is an error, not quietly dropped. */
    cfg.drop_columns.n = 0;
    snprintf(cfg.feature_columns.item[1], PF_MAX_NAME, "junk");
    expect_error(&cfg, "1 feature column holds text", "'junk' (line 2: 'x', no numbers at all)",
                 NULL);
    cfg.drop_columns.n = 1;
    cfg.feature_columns.n = 1;
    snprintf(cfg.feature_columns.item[0], PF_MAX_NAME, "auto");
    cfg.time_column[0] = '\0';
    ds = load_ok(&cfg);
    assert_string_equal(ds->feature_names[2], "Cluster");
    assert_null(ds->group);
    pf_dataset_free(ds);

    snprintf(cfg.group_column, sizeof cfg.group_column, "Cluster");
    ds = load_ok(&cfg);
    assert_int_equal(ds->n_features, 4);
    assert_int_equal(ds->n_groups, 2);
    assert_string_equal(ds->group_names[0], "3.0");
    assert_string_equal(ds->group_names[1], "1.0");
    const int group[] = {0, 0, 1, 0};
    for (int i = 0; i < 4; i++) assert_int_equal(ds->group[i], group[i]);
    pf_dataset_free(ds);
}

/* ---- rows: targets, order, participants, missing cells ------------------------------------ */

static void test_empty_and_bad_target(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "target_empty.csv");
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_rows_read, 3);
    assert_int_equal(ds->n_dropped_target, 1);
    assert_int_equal(ds->n_windows, 2);
    assert_true(ds->y[0] == 0.1 && ds->y[1] == 0.3);
    assert_true(ds->x[0] == 1 && ds->x[1] == 3);
    pf_dataset_free(ds);

    csv_config(&cfg, "bad_target.csv");
    expect_error(&cfg, "line 3", "column 'y' (column 3)", "'high'", NULL);
    /* A target declared missing drops its row like an empty one. */
    cfg.na_values.n = 1;
    snprintf(cfg.na_values.item[0], PF_MAX_NAME, "high");
    ds = load_ok(&cfg);
    assert_int_equal(ds->n_dropped_target, 1);
    pf_dataset_free(ds);
    csv_config(&cfg, "targets_all_empty.csv");
    expect_error(&cfg, "every data row", "missing target in column 'y'", "data.target_column",
                 NULL);
}

/* Participants by first appearance; within one, by time, ties in file order. */
static void test_order(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "order.csv");
    snprintf(cfg.time_column, sizeof cfg.time_column, "Time_Index");
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_features, 1); /* Time_Index orders, it is not a feature */
    assert_int_equal(ds->n_participants, 3);
    assert_string_equal(ds->participant_ids[0], "p2");
    assert_string_equal(ds->participant_ids[1], "p1");
    assert_string_equal(ds->participant_ids[2], "p3");
    const double a[] = {20, 22, 21, 10, 11, 12, 30};
    for (int i = 0; i < 7; i++) assert_true(ds->x[i] == a[i]);
    const size_t offset[] = {0, 3, 6, 7};
    for (int p = 0; p < 4; p++) assert_int_equal(ds->offset[p], offset[p]);
    const int participant[] = {0, 0, 0, 1, 1, 1, 2};
    for (int i = 0; i < 7; i++) assert_int_equal(ds->participant[i], participant[i]);
    /* Each window keeps its data row in the file (0 = the first after the header) and its
     * time: p2's rows 2 and 4 at time 0, then row 0 at time 1; p1's 1, 3, 5; p3's 6. */
    const size_t row[] = {2, 4, 0, 1, 3, 5, 6};
    const double time[] = {0, 0, 1, 0, 1, 2, 0};
    assert_non_null(ds->time);
    for (int i = 0; i < 7; i++) assert_int_equal(ds->row[i], row[i]);
    for (int i = 0; i < 7; i++) assert_true(ds->time[i] == time[i]);
    assert_int_equal(ds->n_dropped_windows, 0);
    pf_dataset_free(ds);

    /* Without a time column: file order, and Time_Index becomes an ordinary feature. */
    cfg.time_column[0] = '\0';
    ds = load_ok(&cfg);
    assert_int_equal(ds->n_features, 2);
    const double b[] = {21, 20, 22, 10, 11, 12, 30};
    for (int i = 0; i < 7; i++) assert_true(cell(ds, (size_t)i, "a") == b[i]);
    const size_t file_row[] = {0, 2, 4, 1, 3, 5, 6};
    for (int i = 0; i < 7; i++) assert_int_equal(ds->row[i], file_row[i]);
    assert_null(ds->time); /* no time column */
    pf_dataset_free(ds);
}

static void test_min_windows(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "order.csv");
    cfg.min_windows = 2;
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_participants, 2);
    assert_int_equal(ds->n_dropped_participants, 1);
    assert_int_equal(ds->n_windows, 6);
    assert_int_equal(ds->offset[2], 6);
    pf_dataset_free(ds);

    cfg.min_windows = 4;
    expect_error(&cfg, "data.min_windows = 4", "3 participants", NULL);
}

static void test_missing_policies(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "empty_cells.csv");
    /* The earliest empty cell in the file is reported, whatever the row order. */
    expect_error(&cfg, "line 2, column 'b' (column 3) has no value (2 missing cells in all)",
                 "data.missing", NULL);

    /* Imputation is fitted per fold on training participants (split.h), so the dataset keeps
     * missing cells as NAN: a pooled mean here would leak the held-out participant. */
    cfg.missing = PF_MISSING_MEAN;
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_missing, 2);
    assert_true(isnan(ds->x[0 * 2 + 1]) && isnan(ds->x[2 * 2 + 0]));
    assert_true(ds->x[1 * 2 + 1] == 4.0);
    pf_dataset_free(ds);

    /* NA codes, applied before typing: "NA" and -99 are missing, not text or a number. */
    csv_config(&cfg, "na_codes.csv");
    expect_error(&cfg, "2 feature columns hold text", "'a' (line 3: 'NA')", "'c' (line 2: 'n/a'",
                 NULL);
    cfg.missing = PF_MISSING_MEAN;
    cfg.na_values.n = 3;
    snprintf(cfg.na_values.item[0], PF_MAX_NAME, "NA");
    snprintf(cfg.na_values.item[1], PF_MAX_NAME, "n/a");
    snprintf(cfg.na_values.item[2], PF_MAX_NAME, "-99");
    ds = load_ok(&cfg);
    assert_int_equal(ds->n_features, 3);
    assert_int_equal(ds->n_missing, 4);
    assert_true(isnan(cell(ds, 0, "b")) && cell(ds, 1, "b") == 5 && isnan(cell(ds, 1, "a")));
    pf_dataset_free(ds);
}

/* ---- the official tick layout ------------------------------------------------------------- */

static void tick_config(pf_config *cfg, const char *game)
{
    again_config(cfg, "ticks.csv");
    cfg->window_ms = 1000; /* 4 ticks of 250 ms */
    cfg->tick_ms = 250;
    snprintf(cfg->game, sizeof cfg->game, "%s", game);
}

static void test_ticks_heist(void **state)
{
    (void)state;
    pf_config cfg;
    tick_config(&cfg, "heist"); /* matches "Heist!" */
    pf_dataset *ds = load_ok(&cfg);
    assert_string_equal(ds->description, "AGAIN ticks (game=heist, 1000 ms windows): ticks.csv");
    assert_int_equal(ds->n_rows_read, 19);
    /* solid_only is empty for every Heist tick: dropped, not imputed. */
    assert_int_equal(ds->n_features, 2);
    assert_string_equal(ds->feature_names[0], "common");
    assert_string_equal(ds->feature_names[1], "heist_only");
    assert_int_equal(ds->n_participants, 2);
    assert_string_equal(ds->participant_ids[0], "A");
    assert_string_equal(ds->participant_ids[1], "B");
    /* A: 6 ticks = one full window + a kept half window; B: 5 ticks = one window, the single
     * trailing tick is dropped. */
    assert_int_equal(ds->n_windows, 3);
    assert_int_equal(pf_dataset_count(ds, 0), 2);
    assert_int_equal(pf_dataset_count(ds, 1), 1);
    const double x[] = {2.5, 25, 5.5, 55, 5, 3}, y[] = {0.25, 0.55, 0.3};
    for (int i = 0; i < 6; i++) assert_float_equal(ds->x[i], x[i], 1e-12);
    for (int i = 0; i < 3; i++) assert_float_equal(ds->y[i], y[i], 1e-12);
    /* A window's row is its first tick's (A's time 0 on line 4 is data row 2, its time 4 row
     * 10; B's time 0 row 3); its time, its index in the session. */
    const size_t row[] = {2, 10, 3};
    const double time[] = {0, 1, 0};
    for (int i = 0; i < 3; i++) assert_int_equal(ds->row[i], row[i]);
    for (int i = 0; i < 3; i++) assert_true(ds->time[i] == time[i]);
    assert_int_equal(ds->n_missing, 0);
    assert_string_equal(ds->columns[8].name, "solid_only");
    assert_string_equal(ds->columns[8].use, "excluded: empty in every selected row");
    pf_dataset_free(ds);
}

/* Ticks in time order within each session, sessions interleaved, over several 4 MB blocks:
 * the windows are made while the file is read (again.c's stream_ticks), and must be exactly
 * the means a direct computation gives, summed in the same order. */
#define STREAM_P 80
#define STREAM_S 3
static void test_ticks_streamed(void **state)
{
    (void)state;
    const char *cache = getenv("PF_CACHE_DIR");
    char saved[4096] = "";
    if (cache) snprintf(saved, sizeof saved, "%s", cache);
    setenv("PF_CACHE_DIR", "off", 1);
    char path[] = "/tmp/pf_test_ticks_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fprintf(f, "[control]player_id,[control]session_id,[control]game,[control]genre,"
               "[control]time_index,f1,f2,[output]arousal\n");
    enum { P = STREAM_P, S = STREAM_S, MAXT = 1200 };
    static double f1[P][S][MAXT], f2[P][S][MAXT], y[P][S][MAXT];
    static size_t n_ticks[P][S], next_tick[P][S];
    uint64_t seed = 99;
#define RND() (seed = seed * 6364136223846793005ULL + 1442695040888963407ULL, seed >> 33)
    size_t left = 0;
    for (int p = 0; p < P; p++)
        for (int q = 0; q < S; q++)
            left += n_ticks[p][q] = (p * 7 + q * 13) % 5 == 0 ? 1 : RND() % MAXT;
    /* Players start in order (first appearance = index), then ticks interleave at random. */
    for (int p = 0; p < P; p++) next_tick[p][0] = 0;
    while (left > 0) {
        int p = (int)(RND() % P), q = (int)(RND() % S);
        if (next_tick[p][q] == n_ticks[p][q]) continue;
        int first = 1;
        for (int pp = 0; pp < p; pp++)
            for (int qq = 0; qq < S; qq++) first &= next_tick[pp][qq] > 0 || n_ticks[pp][qq] == 0;
        if (!first) continue;
        for (int qq = 0; qq < q; qq++) first &= next_tick[p][qq] > 0 || n_ticks[p][qq] == 0;
        if (!first) continue; /* sessions too start in order within a player */
        size_t k = next_tick[p][q]++;
        left--;
        f1[p][q][k] = (double)(RND() % 100000) / 7.0;
        f2[p][q][k] = RND() % 5 == 0 ? NAN : (double)(RND() % 1000) / 3.0;
        y[p][q][k] = (double)(RND() % 1000) / 1000.0;
        fprintf(f, "P%d,P%d-s%d,Heist!,Shooter,%zu,%.17g,", p, p, q, k, f1[p][q][k]);
        if (!isnan(f2[p][q][k])) fprintf(f, "%.17g", f2[p][q][k]);
        fprintf(f, ",%.17g\n", y[p][q][k]);
    }
    fclose(f);
    pf_config cfg;
    again_config(&cfg, "ticks.csv");
    snprintf(cfg.data_path, sizeof cfg.data_path, "%s", path);
    cfg.window_ms = 1000, cfg.tick_ms = 250;
    cfg.missing = PF_MISSING_MEAN; /* a window may have no f2 at all */
    pf_dataset *ds = load_ok(&cfg);
    size_t w = 0, per = 4;
    for (int p = 0; p < P; p++)
        for (int q = 0; q < S; q++)
            for (size_t a = 0; a < n_ticks[p][q]; a += per) {
                size_t m = n_ticks[p][q] - a < per ? n_ticks[p][q] - a : per;
                if (2 * m < per) break;
                double s1 = 0, s2 = 0, sy = 0;
                size_t c2 = 0;
                for (size_t k = a; k < a + m; k++) {
                    s1 += f1[p][q][k], sy += y[p][q][k];
                    if (!isnan(f2[p][q][k])) s2 += f2[p][q][k], c2++;
                }
                assert_true(w < ds->n_windows);
                assert_true(ds->x[w * 2] == s1 / (double)m);
                assert_true(c2 ? ds->x[w * 2 + 1] == s2 / (double)c2 : isnan(ds->x[w * 2 + 1]));
                assert_true(ds->y[w] == sy / (double)m);
                assert_true(ds->time[w] == (double)(a / per));
                w++;
            }
    assert_int_equal(ds->n_windows, w);
    pf_dataset_free(ds);
    unlink(path);
    if (cache)
        setenv("PF_CACHE_DIR", saved, 1);
    else
        unsetenv("PF_CACHE_DIR");
#undef RND
}

static void test_ticks_solid_missing(void **state)
{
    (void)state;
    pf_config cfg;
    tick_config(&cfg, "");
    snprintf(cfg.genre, sizeof cfg.genre, "RACING");
    /* A's Solid session has no solid_only value at all: the window is empty there. */
    expect_error(&cfg,
                 "window starting at line 17, column 'solid_only' (column 9) has no value in "
                 "any of its ticks",
                 "data.missing", NULL);

    cfg.missing = PF_MISSING_MEAN;
    pf_dataset *ds = load_ok(&cfg);
    assert_string_equal(ds->description, "AGAIN ticks (genre=RACING, 1000 ms windows): ticks.csv");
    assert_int_equal(ds->n_features, 2);
    assert_string_equal(ds->feature_names[1], "solid_only");
    assert_string_equal(ds->participant_ids[0], "C");
    assert_string_equal(ds->participant_ids[1], "A");
    const double x[] = {2.5, 250, 25, NAN}, y[] = {0.25, 0.5};
    for (int i = 0; i < 3; i++) assert_float_equal(ds->x[i], x[i], 1e-12);
    assert_true(isnan(ds->x[3]));
    for (int i = 0; i < 2; i++) assert_float_equal(ds->y[i], y[i], 1e-12);
    assert_int_equal(ds->n_missing, 1);
    pf_dataset_free(ds);
}

/* Every game: participants by first appearance, each session windowed on its own. */
static void test_ticks_all_games(void **state)
{
    (void)state;
    pf_config cfg;
    tick_config(&cfg, "");
    cfg.missing = PF_MISSING_ZERO;
    pf_dataset *ds = load_ok(&cfg);
    assert_string_equal(ds->description, "AGAIN ticks (all games, 1000 ms windows): ticks.csv");
    assert_int_equal(ds->n_features, 3);
    assert_int_equal(ds->n_participants, 3);
    assert_string_equal(ds->participant_ids[0], "C");
    assert_string_equal(ds->participant_ids[1], "A");
    assert_string_equal(ds->participant_ids[2], "B");
    const size_t offset[] = {0, 1, 4, 5};
    for (int p = 0; p < 4; p++) assert_int_equal(ds->offset[p], offset[p]);
    /* A: Heist session s1 (2 windows) before Solid session s4 (1 window). */
    assert_float_equal(cell(ds, 1, "common"), 2.5, 1e-12);
    assert_float_equal(cell(ds, 2, "common"), 5.5, 1e-12);
    assert_float_equal(cell(ds, 3, "common"), 25, 1e-12);
    assert_true(isnan(cell(ds, 3, "heist_only")));
    assert_int_equal(ds->n_missing, 6);
    pf_dataset_free(ds);
}

static void test_ticks_no_match(void **state)
{
    (void)state;
    pf_config cfg;
    tick_config(&cfg, "TinyCars");
    expect_error(&cfg, "data.game = 'TinyCars'", "'Solid'", "'Heist!'", "'Racing'", NULL);
    tick_config(&cfg, "heist");
    cfg.window_ms = 4000; /* 16 ticks: no session has even half of them */
    expect_error(&cfg, "no session", "16 ticks", NULL);
}

/* ---- task shapes: several targets, labels, the high/low transform, attributes ------------ */

static void tasks_config(pf_config *cfg, const char *targets, pf_task_kind task)
{
    csv_config(cfg, "tasks.csv");
    cfg->task = task;
    cfg->target_columns.n = 0;
    for (const char *p = targets; *p;) {
        size_t n = strcspn(p, ",");
        snprintf(cfg->target_columns.item[cfg->target_columns.n++], PF_MAX_NAME, "%.*s", (int)n, p);
        p += n + (p[n] == ',');
    }
    cfg->feature_columns.n = 2;
    snprintf(cfg->feature_columns.item[0], PF_MAX_NAME, "f1");
    snprintf(cfg->feature_columns.item[1], PF_MAX_NAME, "f2");
}

/* Two outputs: y is windows x 2, and a row missing either target is dropped. */
static void test_several_targets(void **state)
{
    (void)state;
    pf_config cfg;
    tasks_config(&cfg, "arousal,valence", PF_TASK_REGRESSION);
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_targets, 2);
    assert_string_equal(ds->target_names[0], "arousal");
    assert_string_equal(ds->target_names[1], "valence");
    assert_int_equal(ds->n_windows, 6);
    assert_int_equal(ds->n_dropped_target, 1);
    const double y[] = {0.125, 0.5, 0.875, 0.4, 0.25, 0.7, 0.25, 0.3, 0.75, 0.2, 0.5, 0.9};
    for (int i = 0; i < 12; i++) assert_true(ds->y[i] == y[i]);
    assert_int_equal(pf_dataset_n_outputs(ds), 2);
    pf_dataset_free(ds);
}

/* String labels in byte order, numeric labels in numeric order ("10" after "9"); an empty
 * label drops its row like an empty target. */
static void test_class_labels(void **state)
{
    (void)state;
    pf_config cfg;
    tasks_config(&cfg, "label", PF_TASK_CLASSIFICATION);
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->task, PF_TASK_CLASSIFICATION);
    assert_int_equal(ds->n_classes, 3);
    assert_string_equal(ds->class_names[0], "bored");
    assert_string_equal(ds->class_names[1], "calm");
    assert_string_equal(ds->class_names[2], "excited");
    assert_int_equal(ds->n_dropped_target, 1);
    const double y[] = {1, 1, 2, 2, 0, 1};
    for (int i = 0; i < 6; i++) assert_true(ds->y[i] == y[i]);
    assert_int_equal(pf_dataset_n_outputs(ds), 3);
    pf_dataset_free(ds);

    tasks_config(&cfg, "num", PF_TASK_CLASSIFICATION);
    ds = load_ok(&cfg);
    assert_int_equal(ds->n_classes, 3);
    assert_string_equal(ds->class_names[0], "2");
    assert_string_equal(ds->class_names[1], "9");
    assert_string_equal(ds->class_names[2], "10");
    const double z[] = {1, 2, 1, 2, 0, 2, 0};
    for (int i = 0; i < 7; i++) assert_true(ds->y[i] == z[i]);
    pf_dataset_free(ds);

    /* One class in the whole data set: nothing to classify. */
    tasks_config(&cfg, "sex", PF_TASK_CLASSIFICATION);
    cfg.na_values.n = 1;
    snprintf(cfg.na_values.item[0], PF_MAX_NAME, "M");
    expect_error(&cfg, "holds one class only ('F')", "data.target_transform", NULL);
}

/* above_median / above_mean per participant, with and without a margin (hand-worked in the
 * fixture: p1's median 0.375 and mean 0.4375, p2's median and mean 0.5; the margins are powers
 * of two, so nothing here rounds). */
static void test_high_low_transform(void **state)
{
    (void)state;
    pf_config cfg;
    tasks_config(&cfg, "arousal", PF_TASK_CLASSIFICATION);
    cfg.target_transform = PF_TRANSFORM_ABOVE_MEDIAN;
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->task, PF_TASK_CLASSIFICATION);
    assert_string_equal(ds->class_names[0], "low");
    assert_string_equal(ds->class_names[1], "high");
    assert_int_equal(ds->n_windows, 6);
    assert_int_equal(ds->n_dropped_margin, 1); /* p2's 0.5 is its median: neither side */
    const double a[] = {0, 1, 1, 0, 0, 1};
    for (int i = 0; i < 6; i++) assert_true(ds->y[i] == a[i]);
    pf_dataset_free(ds);

    cfg.transform_margin = 0.125; /* within or on the margin: dropped */
    ds = load_ok(&cfg);
    assert_int_equal(ds->n_windows, 4);
    assert_int_equal(ds->n_dropped_margin, 3);
    const double b[] = {0, 1, 0, 1};
    for (int i = 0; i < 4; i++) assert_true(ds->y[i] == b[i]);
    assert_true(ds->x[0] == 1 && ds->x[2] == 2 && ds->x[4] == 5 && ds->x[6] == 6);
    assert_int_equal(ds->offset[1], 2);
    assert_int_equal(ds->offset[2], 4);
    /* The kept windows keep their rows; the dropped ones are listed: p1's rows 2 (0.5) and 3
     * (0.25) after both of its kept windows (before window 2, the end of p1's), p2's row 6
     * (0.5) at the end. No time column: their time is NaN. */
    const size_t kept_row[] = {0, 1, 4, 5};
    for (int i = 0; i < 4; i++) assert_int_equal(ds->row[i], kept_row[i]);
    assert_int_equal(ds->n_dropped_windows, 3);
    const pf_dropped_window want[] = {
        {0, 2, NAN, 0.5, 2}, {0, 3, NAN, 0.25, 2}, {1, 6, NAN, 0.5, 4}};
    for (int i = 0; i < 3; i++) {
        const pf_dropped_window *w = &ds->dropped[i];
        assert_int_equal(w->participant, want[i].participant);
        assert_int_equal(w->row, want[i].row);
        assert_true(isnan(w->time));
        assert_true(w->target == want[i].target);
        assert_int_equal(w->before, want[i].before);
    }
    pf_dataset_free(ds);

    cfg.transform_margin = 0;
    cfg.target_transform = PF_TRANSFORM_ABOVE_MEAN;
    ds = load_ok(&cfg);
    assert_int_equal(ds->n_windows, 6); /* p2's 0.5 is its mean too */
    const double c[] = {0, 1, 1, 0, 0, 1};
    for (int i = 0; i < 6; i++) assert_true(ds->y[i] == c[i]);
    pf_dataset_free(ds);

    cfg.transform_margin = 10;
    expect_error(&cfg, "drops every window", NULL);
}

/* The high/low boundary in decimal, on highlow.csv (column w numbers the windows 1..28). Every
 * participant's median equals its mean in decimal: a 0.35 (windows 0.24 0.25 0.35 0.45 0.46),
 * b 0.4 (0.29 0.3 0.4 0.5 0.51), c 0.6 (0.25 0.5 0.55 0.65 0.7 0.95; the median is
 * (0.55 + 0.65) / 2, 0.6000000000000001 in binary), d 0.2 (0.05 0.1 0.2 0.3 0.35), e 0.5 (three
 * windows at 0.5) and f 0.4 (0.1 0.4 0.4 0.7). In binary 0.35 + 0.1 < 0.45 and 0.4 - 0.1 > 0.3,
 * so comparing against a computed t + m kept a's 0.45 as high and b's 0.3 and c's 0.5 as low;
 * here every window written at t +- m is dropped, on both sides, by both transforms. */
static void test_high_low_boundary(void **state)
{
    (void)state;
    /* m = 0.1: only the windows 0.11 or more from t are kept (w and class, in file order). */
    const double w1[] = {2, 4, 7, 9, 12, 14, 18, 20, 26, 27}, y1[] = {0, 1, 1, 0, 0, 1, 1, 0, 1, 0};
    const size_t off1[] = {0, 2, 4, 6, 8, 10};
    /* m = 0: the windows at t are dropped (a's 0.35, b's 0.4, d's 0.2, f's two 0.4, all of e;
     * c has none at 0.6). */
    const double w0[] = {1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 26, 27};
    const double y0[] = {1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0};
    const size_t off0[] = {0, 4, 8, 14, 18, 20};
    const char *kept[] = {"a", "b", "c", "d", "f"};
    const pf_target_transform how[] = {PF_TRANSFORM_ABOVE_MEDIAN, PF_TRANSFORM_ABOVE_MEAN};
    for (int h = 0; h < 2; h++)
        for (int zero = 0; zero < 2; zero++) {
            pf_config cfg;
            csv_config(&cfg, "highlow.csv");
            cfg.task = PF_TASK_CLASSIFICATION;
            cfg.target_transform = how[h];
            cfg.transform_margin = zero ? 0 : 0.1;
            const double *w = zero ? w0 : w1, *y = zero ? y0 : y1;
            const size_t *off = zero ? off0 : off1, n = zero ? 20 : 10;
            pf_dataset *ds = load_ok(&cfg);
            assert_int_equal(ds->n_windows, n);
            assert_int_equal(ds->n_dropped_margin, 28 - n);
            assert_int_equal(ds->n_participants, 5); /* e: every window dropped */
            assert_int_equal(ds->n_dropped_participants, 1);
            for (size_t i = 0; i < n; i++) {
                if (ds->x[i] != w[i] || ds->y[i] != y[i])
                    fail_msg("%s, margin %g, kept window %zu: w %g class %g, want w %g class %g",
                             h ? "above_mean" : "above_median", cfg.transform_margin, i, ds->x[i],
                             ds->y[i], w[i], y[i]);
            }
            for (size_t p = 0; p < 5; p++) {
                assert_string_equal(ds->participant_ids[p], kept[p]);
                assert_int_equal(ds->offset[p], off[p]);
            }
            assert_int_equal(ds->offset[5], n);
            pf_dataset_free(ds);
        }

    /* The tolerance is a few units in the last place, not more: 1e-13 below 0.1, the eight
     * windows written at t +- 0.1 (a's, b's, c's and d's) are kept, the other 10 still dropped. */
    pf_config cfg;
    csv_config(&cfg, "highlow.csv");
    cfg.task = PF_TASK_CLASSIFICATION;
    cfg.target_transform = PF_TRANSFORM_ABOVE_MEDIAN;
    cfg.transform_margin = 0.1 - 1e-13;
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_windows, 18);
    assert_int_equal(ds->n_dropped_margin, 10);
    const double w[] = {1, 2, 4, 5}, y[] = {1, 0, 1, 0}; /* a: 0.45 0.24 0.46 0.25 */
    for (int i = 0; i < 4; i++) assert_true(ds->x[i] == w[i] && ds->y[i] == y[i]);
    pf_dataset_free(ds);
}

/* A participant whose every window lies within the margin is dropped whole: its windows are
 * counted (n_dropped_margin) but not listed, and the list names the kept participants by their
 * new index. a: median 0.5, keeps 0.1 and 0.9, drops its row 2 after them; b: all 0.5, gone;
 * c (now participant 1): keeps rows 5 and 6. */
static void test_dropped_participant_not_listed(void **state)
{
    (void)state;
    pf_config cfg;
    csv_config(&cfg, "highlow_drop.csv");
    snprintf(cfg.target_columns.item[0], PF_MAX_NAME, "arousal");
    cfg.task = PF_TASK_CLASSIFICATION;
    cfg.target_transform = PF_TRANSFORM_ABOVE_MEDIAN;
    cfg.transform_margin = 0.1;
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_participants, 2);
    assert_string_equal(ds->participant_ids[1], "c");
    assert_int_equal(ds->n_dropped_margin, 3);
    assert_int_equal(ds->n_dropped_participants, 1);
    const size_t row[] = {0, 1, 5, 6};
    for (int i = 0; i < 4; i++) assert_int_equal(ds->row[i], row[i]);
    assert_int_equal(ds->n_dropped_windows, 1);
    assert_int_equal(ds->dropped[0].participant, 0);
    assert_int_equal(ds->dropped[0].row, 2);
    assert_int_equal(ds->dropped[0].before, 2);
    assert_true(ds->dropped[0].target == 0.5);
    pf_dataset_free(ds);
}

/* Attributes are per participant, and must not vary within one. */
static void test_attributes(void **state)
{
    (void)state;
    pf_config cfg;
    tasks_config(&cfg, "arousal", PF_TASK_REGRESSION);
    cfg.attribute_columns.n = 1;
    snprintf(cfg.attribute_columns.item[0], PF_MAX_NAME, "sex");
    pf_dataset *ds = load_ok(&cfg);
    assert_int_equal(ds->n_attributes, 1);
    assert_string_equal(ds->attribute_names[0], "sex");
    assert_string_equal(ds->attribute_values[0], "F");
    assert_string_equal(ds->attribute_values[1], "M");
    assert_string_equal(ds->columns[1].use, "participant attribute (data.attribute_columns)");
    pf_dataset_free(ds);

    csv_config(&cfg, "bad_attribute.csv");
    snprintf(cfg.target_columns.item[0], PF_MAX_NAME, "arousal");
    cfg.attribute_columns.n = 1;
    snprintf(cfg.attribute_columns.item[0], PF_MAX_NAME, "sex");
    cfg.drop_columns.n = 1;
    snprintf(cfg.drop_columns.item[0], PF_MAX_NAME, "label");
    expect_error(&cfg, "attribute 'sex' of participant 'p2' is 'M' on line 6 but 'F' on line 8",
                 NULL);

    /* A column has one role: a target or an attribute listed as a feature is refused. */
    tasks_config(&cfg, "arousal", PF_TASK_REGRESSION);
    snprintf(cfg.feature_columns.item[1], PF_MAX_NAME, "arousal");
    expect_error(&cfg, "data.feature_columns lists 'arousal', which is the target", NULL);
    tasks_config(&cfg, "arousal", PF_TASK_REGRESSION);
    cfg.attribute_columns.n = 1;
    snprintf(cfg.attribute_columns.item[0], PF_MAX_NAME, "f2");
    expect_error(&cfg, "lists 'f2', which is the participant attribute", NULL);
}

/* A small dataset by hand: participants P0..P{n_part-1} with 3 windows each, feature j of
 * window i is i * (j + 1) unless set otherwise, targets 0.1 * i. */
static pf_dataset *hand_dataset(size_t n_part, size_t n_feat, size_t n_targets)
{
    pf_error err = {0};
    pf_dataset *ds = pf_dataset_alloc(3 * n_part, n_feat, n_targets, n_part, 0, &err);
    assert_non_null(ds);
    char name[32];
    for (size_t j = 0; j < n_feat; j++) {
        snprintf(name, sizeof name, "f%zu", j);
        ds->feature_names[j] = strdup(name);
    }
    for (size_t p = 0; p <= n_part; p++) ds->offset[p] = 3 * p;
    for (size_t p = 0; p < n_part; p++) {
        snprintf(name, sizeof name, "P%zu", p);
        ds->participant_ids[p] = strdup(name);
    }
    for (size_t i = 0; i < 3 * n_part; i++) {
        ds->participant[i] = (int)(i / 3);
        for (size_t j = 0; j < n_feat; j++) ds->x[i * n_feat + j] = (double)(i * (j + 1));
        for (size_t k = 0; k < n_targets; k++) ds->y[i * n_targets + k] = 0.1 * (double)i;
    }
    return ds;
}

/* Constant features and participants with a constant target are named, worked by hand: a
 * missing cell does not make a column vary, an all-missing column is not "constant", one
 * participant's constant target is named per target. */
static void test_datacheck(void **state)
{
    (void)state;
    pf_dataset *ds = hand_dataset(3, 3, 2);
    for (size_t i = 0; i < 9; i++) ds->x[i * 3 + 1] = 5;    /* f1: always 5 ... */
    ds->x[4 * 3 + 1] = NAN;                                 /* ... or missing */
    for (size_t i = 0; i < 9; i++) ds->x[i * 3 + 2] = NAN;  /* f2: never there */
    for (size_t i = 3; i < 6; i++) ds->y[i * 2 + 1] = 0.25; /* P1's second target */
    pf_datacheck_warn(ds);
    assert_string_equal(
        ds->warning,
        "feature 'f1' has the same value (5) in all 9 windows: nothing can be learned from it "
        "(list it in data.drop_columns to leave it out)\n"
        "participant 'P1' has one value of target 'y2' in every window: its CCC and Pearson r "
        "are 0 by definition, whatever is predicted, and count in every mean and test (check "
        "the file, or leave it out)\n");
    pf_dataset_free(ds);

    /* Seven constant features and seven constant participants: five named, two counted. */
    ds = hand_dataset(8, 8, 1);
    for (size_t i = 0; i < 24; i++) {
        for (size_t j = 1; j < 8; j++) ds->x[i * 8 + j] = (double)j;
        if (i >= 3) ds->y[i] = (double)(i / 3);
    }
    pf_datacheck_warn(ds);
    assert_non_null(strstr(ds->warning, "7 features have one value each in all 24 windows: 'f1', "
                                        "'f2', 'f3', 'f4', 'f5' and 2 more;"));
    assert_non_null(strstr(ds->warning, "7 of 8 participants ('P1', 'P2', 'P3', 'P4', 'P5' and 2 "
                                        "more) have one value of target 'y'"));
    pf_dataset_free(ds);

    /* Classification labels are not checked (a participant of one class is common there). */
    ds = hand_dataset(2, 1, 1);
    ds->task = PF_TASK_CLASSIFICATION;
    for (size_t i = 0; i < 6; i++) ds->y[i] = (double)(i / 3);
    pf_datacheck_warn(ds);
    assert_string_equal(ds->warning, "");
    pf_dataset_free(ds);
}

/* Warnings add up line by line; when they no longer fit, one note says so, once. */
static void test_dataset_warn(void **state)
{
    (void)state;
    pf_dataset *ds = hand_dataset(1, 1, 1);
    pf_dataset_warn(ds, "first %d", 1);
    pf_dataset_warn(ds, "second");
    assert_string_equal(ds->warning, "first 1\nsecond\n");
    char line[300];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    for (int i = 0; i < 20; i++) pf_dataset_warn(ds, "%s", line);
    size_t n = strlen(ds->warning);
    assert_true(n < sizeof ds->warning);
    const char *note = "(more warnings were cut)\n";
    assert_string_equal(ds->warning + n - strlen(note), note);
    assert_ptr_equal(strstr(ds->warning, note), ds->warning + n - strlen(note));
    /* Six lines of 300 fit in 2048 with room for the note: lines 3..8 are there, 9 is not. */
    assert_int_equal(n, strlen("first 1\nsecond\n") + 6 * 300 + strlen(note));
    pf_dataset_free(ds);
}

/* A regression on a handful of whole numbers warns that it may be a label. */
static void test_label_like_warning(void **state)
{
    (void)state;
    pf_config cfg;
    tasks_config(&cfg, "num", PF_TASK_REGRESSION);
    pf_dataset *ds = load_ok(&cfg);
    assert_non_null(strstr(ds->warning, "target 'num' holds only 3 distinct whole numbers (2, 9, "
                                        "10)"));
    assert_non_null(strstr(ds->warning, "data.task = classification"));
    pf_dataset_free(ds);
    tasks_config(&cfg, "arousal", PF_TASK_REGRESSION);
    ds = load_ok(&cfg);
    assert_string_equal(ds->warning, "");
    pf_dataset_free(ds);
}

/* source = synthetic goes to the generator: same data as calling it directly. */
static void test_dispatch_synthetic(void **state)
{
    (void)state;
    pf_config cfg;
    pf_config_defaults(&cfg);
    cfg.source = PF_SOURCE_SYNTHETIC;
    pf_error err = {0};
    pf_dataset *a = load_ok(&cfg), *b = pf_synthetic_generate(&cfg, &err);
    assert_non_null(b);
    assert_int_equal(a->n_windows, b->n_windows);
    assert_int_equal(a->n_features, b->n_features);
    assert_int_equal(a->n_participants, b->n_participants);
    assert_memory_equal(a->x, b->x, a->n_windows * a->n_features * sizeof *a->x);
    pf_dataset_free(a);
    pf_dataset_free(b);
}

/* ---- allocation --------------------------------------------------------------------------- */

static void test_alloc_free(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_dataset *ds = pf_dataset_alloc(4, 3, 1, 2, 1, &err);
    assert_non_null(ds);
    assert_int_equal(ds->n_windows, 4);
    assert_int_equal(ds->n_features, 3);
    assert_int_equal(ds->n_participants, 2);
    assert_non_null(ds->group);
    assert_true(ds->x[11] == 0.0 && ds->offset[2] == 0 && ds->feature_names[2] == NULL);
    assert_null(ds->group_names);
    pf_dataset_free(ds);
    ds = pf_dataset_alloc(1, 1, 1, 1, 0, &err);
    assert_null(ds->group);
    pf_dataset_free(ds);
    pf_dataset_free(NULL);
    assert_int_equal(err.code, PF_OK);
}

/* Two datasets are the same, bit for bit, in every array and name. */
static void same_dataset(const pf_dataset *a, const pf_dataset *b)
{
    size_t n = a->n_windows;
    assert_int_equal(n, b->n_windows);
    assert_int_equal(a->n_features, b->n_features);
    assert_int_equal(a->n_targets, b->n_targets);
    assert_int_equal(a->n_participants, b->n_participants);
    assert_int_equal(a->n_missing, b->n_missing);
    assert_int_equal(a->n_rows_read, b->n_rows_read);
    assert_memory_equal(a->x, b->x, n * a->n_features * sizeof *a->x);
    assert_memory_equal(a->y, b->y, n * a->n_targets * sizeof *a->y);
    assert_memory_equal(a->participant, b->participant, n * sizeof *a->participant);
    assert_memory_equal(a->row, b->row, n * sizeof *a->row);
    assert_memory_equal(a->offset, b->offset, (a->n_participants + 1) * sizeof *a->offset);
    assert_int_equal(a->time == NULL, b->time == NULL);
    if (a->time) assert_memory_equal(a->time, b->time, n * sizeof *a->time);
    assert_int_equal(a->group == NULL, b->group == NULL);
    if (a->group) assert_memory_equal(a->group, b->group, n * sizeof *a->group);
    for (size_t p = 0; p < a->n_participants; p++)
        assert_string_equal(a->participant_ids[p], b->participant_ids[p]);
    for (size_t j = 0; j < a->n_features; j++)
        assert_string_equal(a->feature_names[j], b->feature_names[j]);
    assert_int_equal(a->n_columns, b->n_columns);
    for (size_t c = 0; c < a->n_columns; c++)
        assert_string_equal(a->columns[c].use, b->columns[c].use);
    assert_string_equal(a->sha256, b->sha256);
}

/* The loader parses on the run's threads: 1, 2 and 3 threads give the same dataset, on the
 * Heist file, and on a copy holding its rows three times (4 MB blocks, rows out of order,
 * so they are put in order in place) with a group column. */
static void test_threads_same_dataset(void **state)
{
    (void)state;
    const char *cache = getenv("PF_CACHE_DIR");
    char saved[4096] = "";
    if (cache) snprintf(saved, sizeof saved, "%s", cache);
    setenv("PF_CACHE_DIR", "off", 1); /* each load parses the file */
    pf_config cfg;
    heist_config(&cfg);
    char tripled[] = "/tmp/pf_test_heist3_XXXXXX";
    int fd = mkstemp(tripled);
    assert_true(fd >= 0);
    FILE *in = fopen(cfg.data_path, "rb"), *out = fdopen(fd, "wb");
    assert_non_null(in);
    assert_non_null(out);
    static char line[1 << 16];
    assert_non_null(fgets(line, sizeof line, in));
    fputs(line, out);
    long body = ftell(in);
    for (int copy = 0; copy < 3; copy++) {
        fseek(in, body, SEEK_SET);
        while (fgets(line, sizeof line, in)) fputs(line, out);
    }
    fclose(in);
    fclose(out);
    for (int file = 0; file < 2; file++) {
        if (file == 1) {
            snprintf(cfg.data_path, sizeof cfg.data_path, "%s", tripled);
            snprintf(cfg.group_column, sizeof cfg.group_column, "Cluster");
        }
        cfg.threads = 1;
        pf_dataset *one = load_ok(&cfg);
        assert_int_equal(one->n_windows, file ? 3 * 5008 : 5008);
        for (int threads = 2; threads <= 3; threads++) {
            cfg.threads = threads;
            pf_dataset *many = load_ok(&cfg);
            same_dataset(one, many);
            pf_dataset_free(many);
        }
        pf_dataset_free(one);
    }
    unlink(tripled);
    if (cache)
        setenv("PF_CACHE_DIR", saved, 1);
    else
        unsetenv("PF_CACHE_DIR");
}

int main(void)
{
    /* Run by hand, never in the user's parsed-data cache (make check sets a scratch one). */
    setenv("PF_CACHE_DIR", "off", 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heist_defaults),
        cmocka_unit_test(test_threads_same_dataset),
        cmocka_unit_test(test_heist_groups),
        cmocka_unit_test(test_heist_highlow),
        cmocka_unit_test(test_bom_crlf_quoted),
        cmocka_unit_test(test_ragged_row),
        cmocka_unit_test(test_nonnumeric),
        cmocka_unit_test(test_line_numbers_after_embedded_newline),
        cmocka_unit_test(test_nan_inf_rejected),
        cmocka_unit_test(test_bad_quotes),
        cmocka_unit_test(test_duplicate_header),
        cmocka_unit_test(test_empty_and_header_only),
        cmocka_unit_test(test_missing_file_and_directory),
        cmocka_unit_test(test_missing_role_columns),
        cmocka_unit_test(test_roles_again),
        cmocka_unit_test(test_roles_csv_and_groups),
        cmocka_unit_test(test_empty_and_bad_target),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_min_windows),
        cmocka_unit_test(test_missing_policies),
        cmocka_unit_test(test_ticks_heist),
        cmocka_unit_test(test_ticks_solid_missing),
        cmocka_unit_test(test_ticks_streamed),
        cmocka_unit_test(test_ticks_all_games),
        cmocka_unit_test(test_ticks_no_match),
        cmocka_unit_test(test_dispatch_synthetic),
        cmocka_unit_test(test_several_targets),
        cmocka_unit_test(test_class_labels),
        cmocka_unit_test(test_high_low_transform),
        cmocka_unit_test(test_high_low_boundary),
        cmocka_unit_test(test_dropped_participant_not_listed),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_label_like_warning),
        cmocka_unit_test(test_datacheck),
        cmocka_unit_test(test_dataset_warn),
        cmocka_unit_test(test_alloc_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
