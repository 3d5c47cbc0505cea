/* test_results.c: the results files hold exactly the numbers of the run.
 *
 * Two studies are built by hand (testutil.h's make_results): a regression with two outputs (nine
 * metrics, two criteria, two sparsities, models saved) and a three-class classification. Their
 * values are multiples of 1/16, so every mean, median, gap and delta is exact and the CSV lines
 * can be written down by hand. results.h5 is written, read back and written again: the read
 * must return every array bit for bit, and the two files must be identical object by object
 * and byte by byte (an h5diff in C, below). Stored predictions (predictions.h) are worked out by
 * hand from logits chosen for it (ties, an overflow avoided, NaN, infinity), with the windows the
 * margin dropped in their place in predictions.csv, and make the same round trip. Files of
 * schema 1, truncated files and files with a missing or misshapen dataset must be refused with
 * PF_EINPUT, not crash. */
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

#include <hdf5_hl.h>

#include "testutil.h"

#include "base/h5.h"
#include "base/h5seal.h"
#include "base/numtext.h"
#include "base/version.h"
#include "compress/quant.h"
#include "data/load.h"
#include "results/predictions.h"
#include "results/results.h"
#include "results/results_csv.h"
#include "results/results_h5.h"
#include "run/run.h"

typedef struct {
    pf_config cfg;
    pf_results *r;
    char dir[64];
} fixture;

static void config(pf_config *cfg, int classification)
{
    pf_error err = {0};
    pf_config_defaults(cfg);
    const char *sets[][3] = {
        {"prune", "criteria", classification ? "magnitude" : "magnitude,vr"},
        {"prune", "sparsities", classification ? "0.5" : "0.5,0.75"},
        {"experiment", "repeats", classification ? "1" : "2"},
        {"data", "task", classification ? "classification" : "regression"},
        {"data", "target_column", classification ? "label" : "arousal,valence"}};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        assert_int_equal(pf_config_set(cfg, sets[i][0], sets[i][1], sets[i][2], "test", &err),
                         PF_OK);
    assert_int_equal(pf_config_validate(cfg, &err), PF_OK);
    snprintf(cfg->data_sha256, sizeof cfg->data_sha256, "%064d", 42);
    snprintf(cfg->source_file, sizeof cfg->source_file, "/configs/test.ini");
    assert_int_equal(pf_config_hash(cfg, &err), PF_OK);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

/* Per-participant bases: two participants tie at the bottom, so worst = median = p10 exactly. */
static const double base[3] = {0.25, 0.25, 1.0};

/* Regression, outputs arousal and valence: metrics ccc[arousal], rmse[arousal], pearson[arousal],
 * ccc[valence], rmse[valence], pearson[valence], mean_ccc, mean_rmse, mean_pearson; variants
 * dense, magnitude@0.5, magnitude@0.75, vr(lambda=0.5)@0.5, vr(lambda=0.5)@0.75; participants
 * P1, "P,2", P"3; 2 repeats; 3 folds. value = base[p] - v/16 + m/4 -+ 1/8 for repeat 0 / 1, so
 * repeats average to base[p] - v/16 + m/4 and every delta against dense is -v/16. */
static int setup_regression(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pf_error err = {0};
    config(&f->cfg, 0);
    pf_results *r = f->r = make_results((pf_results_shape){
        TARGETS("arousal", "valence"), CRITERIA("magnitude", "vr(lambda=0.5)"),
        SPARSITIES(0.5, 0.75), .n_part = 3, .n_rep = 2, .n_features = 2, .n_attributes = 2});
    assert_int_equal(r->n_metric, 9);
    assert_int_equal(r->n_var, 5);
    for (size_t m = 0; m < 9; m++)
        for (size_t v = 0; v < 5; v++) {
            double vals[3];
            for (size_t p = 0; p < 3; p++) vals[p] = base[p] - (double)v / 16 + (double)m / 4;
            put_values(r, m, v, vals, 0.125);
        }
    r->value[pf_results_at(r, 0, 4, 2, 1)] = NAN; /* one task that produced no number */
    const char *ids[] = {"P1", "P,2", "P\"3"}, *attrs[] = {"f", "18-25", "m", "26,35", "f", ""};
    int windows[] = {2, 3, 4};
    for (size_t p = 0; p < 3; p++) {
        r->participant_ids[p] = xstrdup(ids[p]);
        r->n_windows[p] = windows[p];
        r->fold_of[p] = 2 - (int)p;
    }
    r->attribute_names[0] = xstrdup("sex");
    r->attribute_names[1] = xstrdup("age group");
    for (size_t i = 0; i < 6; i++) r->attribute_values[i] = xstrdup(attrs[i]);
    r->feature_names[0] = xstrdup("loudness");
    r->feature_names[1] = xstrdup("pitch");
    r->n_columns = 4;
    r->column_names = calloc(4, sizeof(char *));
    r->column_use = calloc(4, sizeof(char *));
    const char *cn[] = {"pid", "loudness", "pitch", "arousal"};
    const char *cu[] = {"participant (data.participant_column)", "feature", "feature", "target"};
    for (size_t c = 0; c < 4; c++)
        r->column_names[c] = xstrdup(cn[c]), r->column_use[c] = xstrdup(cu[c]);
    /* Achieved sparsity: the target -+ 1/64 across folds, so its mean is the target exactly. */
    for (size_t fo = 0; fo < 3; fo++)
        for (size_t k = 0; k < 2; k++)
            for (size_t v = 0; v < 5; v++) {
                pf_task_record *t = pf_results_record(r, fo, k, v);
                long long i = (long long)(t - r->rec);
                *t = (pf_task_record){.fold = (int)fo,
                                      .repeat = (int)k,
                                      .variant = (int)v,
                                      .achieved_sparsity =
                                          v ? r->variant[v].sparsity + ((double)fo - 1) / 64 : 0,
                                      .kept_params = 1000 - i,
                                      .prunable_params = 1000,
                                      .csr_bytes = 8 * i + 3,
                                      .stored_bytes = 4 * i + 1,
                                      .macs = 12345678901LL + i,
                                      .epochs = (int)(i % 7),
                                      .diverged = (int)(i % 5 == 4),
                                      .val_loss = i % 2 ? NAN : 0.1 * (double)i,
                                      .primary_mean = 1.0 / 3 + (double)i,
                                      .seconds = 0.01 * (double)i};
            }
    for (size_t v = 0; v < 5; v++) r->ns_per_window[v] = 100.5 + (double)v;
    /* fold 0 validates on participant 1 (the only validation participant of the study) */
    r->val = calloc(1, sizeof *r->val);
    assert_non_null(r->val);
    r->val[0] = 1;
    for (size_t f = 0; f < r->n_folds; f++) r->val_first[f + 1] = 1;
    for (size_t i = 0; i < 3 * 2; i++) {
        r->feature_fill[i] = i == 1 ? NAN : 0.5 * (double)i;
        r->feature_shift[i] = -1.0 / (double)(i + 3);
        r->feature_scale[i] = 1.0 / 3.0 + (double)i;
        r->target_shift[i] = 0.1 * (double)i;
        r->target_scale[i] = 1 / 0.7 + (double)i;
    }
    snprintf(r->folds_file, sizeof r->folds_file, "%s", "");
    /* Saved models: inputs 2, hidden 3, outputs 2 = 17 parameters; 6 tasks. */
    r->n_dims = 3, r->dims[0] = 2, r->dims[1] = 3, r->dims[2] = 2, r->n_params = 17;
    size_t T = 6, P = 17;
    r->dense_params = calloc(T * P, sizeof(float));
    r->variant_params = calloc(T * 5 * P, sizeof(float));
    r->scores = calloc(T * 3 * P, sizeof(float));
    r->masks = calloc(T * 5 * P, 1);
    for (size_t i = 0; i < T * P; i++) r->dense_params[i] = (float)i / 7.0f;
    for (size_t i = 0; i < T * 5 * P; i++) {
        r->variant_params[i] = -(float)i / 3.0f;
        r->masks[i] = (unsigned char)(i % 3 != 0);
    }
    for (size_t i = 0; i < T * 3 * P; i++) r->scores[i] = (i / P) % 3 == 0 ? NAN : (float)i;
    snprintf(r->data_description, sizeof r->data_description, "hand-made, two outputs");
    snprintf(r->data_path, sizeof r->data_path, "/data/x.csv");
    r->n_windows_total = 9, r->rows_read = 11, r->rows_dropped_target = 2;
    r->participants_dropped = 1, r->windows_dropped_margin = 0, r->cells_missing = 5;
    r->threads = 2, r->wall_seconds = 1.25;
    snprintf(r->started, sizeof r->started, "2026-01-01T00:00:00Z");
    snprintf(r->finished, sizeof r->finished, "2026-01-01T00:01:00Z");
    assert_int_equal(pf_results_summarise(r, &err), PF_OK);
    strcpy(f->dir, "/tmp/pf_test_results_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

/* Classification with classes low, mid, high: metrics accuracy, balanced_accuracy, f1_macro;
 * variants dense and magnitude@0.5; participants A and B, one repeat, two folds, no
 * attributes, folds unknown (fold_of -1), no models, no column account. */
static int setup_classification(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pf_error err = {0};
    config(&f->cfg, 1);
    pf_results *r = f->r = make_results((pf_results_shape){.task = PF_TASK_CLASSIFICATION,
                                                           TARGETS("label"),
                                                           .n_classes = 3,
                                                           CRITERIA("magnitude"),
                                                           SPARSITIES(0.5),
                                                           .n_part = 2,
                                                           .n_features = 1});
    assert_int_equal(r->n_metric, 3);
    assert_int_equal(r->n_var, 2);
    const char *classes[] = {"low", "mid", "high"};
    for (size_t c = 0; c < 3; c++) r->class_names[c] = xstrdup(classes[c]);
    r->participant_ids[0] = xstrdup("A"), r->participant_ids[1] = xstrdup("B");
    r->n_windows[0] = 5, r->n_windows[1] = 6;
    r->feature_names[0] = xstrdup("x");
    for (size_t m = 0; m < 3; m++)
        for (size_t v = 0; v < 2; v++) {
            double vals[2];
            for (size_t p = 0; p < 2; p++) vals[p] = 0.5 + 0.25 * (double)p - 0.125 * (double)v;
            put_values(r, m, v, vals, 0);
        }
    for (size_t i = 0; i < r->n_rec; i++) r->rec[i].variant = (int)(i % 2);
    assert_int_equal(pf_results_summarise(r, &err), PF_OK);
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

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* The whole line that starts with prefix (at the start of the text or after a newline). */
static const char *line_starting(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *s = text; s; s = strchr(s, '\n')) {
        if (*s == '\n') s++;
        if (strncmp(s, prefix, n) == 0) return s;
    }
    return NULL;
}

static void assert_line(const char *text, const char *line)
{
    const char *at = line_starting(text, line);
    if (at == NULL || at[strlen(line)] != '\n') fail_msg("no line\n%s\nin\n%s", line, text);
}

/* A line prefix, TAIL, suffix: tail is a type-7 interpolation whose last bit depends on the
 * order of GSL's arithmetic, so it is compared numerically; the rest exactly. */
static void assert_line_tail(const char *text, const char *prefix, double tail, const char *suffix)
{
    const char *at = line_starting(text, prefix);
    if (at == NULL) fail_msg("no line starting\n%s\nin\n%s", prefix, text);
    char *end;
    double got = strtod(at + strlen(prefix), &end);
    assert_true(fabs(got - tail) < 1e-12);
    assert_memory_equal(end, suffix, strlen(suffix));
    assert_int_equal(end[strlen(suffix)], '\n');
}

static void test_csv_regression(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    assert_int_equal(pf_results_csv_write(f->r, f->dir, &err), PF_OK);

    char *pp = slurp(f->dir, "per_participant.csv");
    assert_line(pp, "participant,criterion,sparsity,bits,repeat,ccc[arousal],rmse[arousal],"
                    "pearson[arousal],ccc[valence],rmse[valence],pearson[valence],mean_ccc,"
                    "mean_rmse,mean_pearson,n_windows");
    assert_int_equal(strncmp(pp, "participant,", 12), 0);
    assert_line(pp, "P1,dense,0,32,0,0.125,0.375,0.625,0.875,1.125,1.375,1.625,1.875,2.125,2");
    assert_line(pp, "\"P,2\",magnitude,0.5,32,0,0.0625,0.3125,0.5625,0.8125,1.0625,1.3125,"
                    "1.5625,1.8125,2.0625,3");
    assert_line(pp, "\"P\"\"3\",vr(lambda=0.5),0.75,32,1,nan,1.125,1.375,1.625,1.875,2.125,"
                    "2.375,2.625,2.875,4");
    assert_int_equal(count_lines(pp), 1 + 5 * 3 * 2);
    /* Variant-major: the last row is the last variant's last participant and repeat. */
    const char *last = "\n\"P\"\"3\",vr(lambda=0.5),0.75,32,1,nan,1.125,1.375,1.625,1.875,"
                       "2.125,2.375,2.625,2.875,4\n";
    assert_string_equal(pp + strlen(pp) - strlen(last), last);

    char *sm = slurp(f->dir, "summary.csv");
    char sd[PF_NUMTEXT_CAP], line[512];
    pf_numtext(sd, sqrt(0.1875)); /* deviations -1/4, -1/4, 1/2: sample variance 3/16 */
    assert_int_equal(strncmp(sm,
                             "criterion,sparsity,bits,achieved_sparsity,metric,higher_is_better,n,"
                             "mean,sd,median,worst,tail,best,gap,mean_delta,worst_delta\n",
                             106),
                     0);
    assert_int_equal(count_lines(sm), 1 + 5 * 9);
    /* dense, ccc[arousal]: 0.25, 0.25, 1 (p10 is 0.25, up to GSL's interpolation rounding) */
    snprintf(line, sizeof line, "dense,0,32,0,ccc[arousal],1,3,0.5,%s,0.25,0.25,", sd);
    assert_line_tail(sm, line, 0.25, ",1,0.75,0,0");
    /* magnitude@0.5, mean_ccc (higher is better): 1.6875, 1.6875, 2.4375; delta -1/16 */
    snprintf(line, sizeof line, "magnitude,0.5,32,0.5,mean_ccc,1,3,1.9375,%s,1.6875,1.6875,", sd);
    assert_line_tail(sm, line, 1.6875, ",2.4375,0.75,-0.0625,-0.0625");
    /* magnitude@0.5, rmse[valence] (lower is better): 1.1875, 1.1875, 1.9375: worst is the
     * largest, tail the 90th percentile 1.1875 + 0.8 * 0.75, best the smallest */
    snprintf(line, sizeof line, "magnitude,0.5,32,0.5,rmse[valence],0,3,1.4375,%s,1.1875,1.9375,",
             sd);
    assert_line_tail(sm, line, 1.1875 + 0.8 * 0.75, ",1.1875,0.75,-0.0625,-0.0625");
    /* vr@0.75, ccc[arousal]: P3's repeat 1 is missing, its repeat 0 stands: 1 - 0.25 - 0.125 */
    assert_non_null(line_starting(sm, "vr(lambda=0.5),0.75,32,0.75,ccc[arousal],1,3,"));

    char *pa = slurp(f->dir, "participants.csv");
    assert_string_equal(pa, "participant,n_windows,fold,sex,age group\n"
                            "P1,2,2,f,18-25\n"
                            "\"P,2\",3,1,m,\"26,35\"\n"
                            "\"P\"\"3\",4,0,f,\n");
}

static void test_csv_classification(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    assert_int_equal(pf_results_csv_write(f->r, f->dir, &err), PF_OK);
    char *pp = slurp(f->dir, "per_participant.csv");
    assert_string_equal(pp, "participant,criterion,sparsity,bits,repeat,accuracy,"
                            "balanced_accuracy,f1_macro,n_windows\n"
                            "A,dense,0,32,0,0.5,0.5,0.5,5\n"
                            "B,dense,0,32,0,0.75,0.75,0.75,6\n"
                            "A,magnitude,0.5,32,0,0.375,0.375,0.375,5\n"
                            "B,magnitude,0.5,32,0,0.625,0.625,0.625,6\n");
    char *sm = slurp(f->dir, "summary.csv");
    char sd[PF_NUMTEXT_CAP], line[512];
    pf_numtext(sd, sqrt(0.03125)); /* 0.5, 0.75: sample variance 2 (1/8)^2 */
    snprintf(line, sizeof line, "magnitude,0.5,32,0,balanced_accuracy,1,2,0.5,%s,0.5,0.375,", sd);
    assert_line_tail(sm, line, 0.375 + 0.1 * 0.25, ",0.625,0.25,-0.125,-0.125");
    assert_int_equal(count_lines(sm), 1 + 2 * 3);
    /* Folds unknown: the fold column is empty. */
    assert_string_equal(slurp(f->dir, "participants.csv"), "participant,n_windows,fold\n"
                                                           "A,5,\n"
                                                           "B,6,\n");
}

/* ---- an h5diff in C: two files with the same objects, attributes, types, shapes, bytes ---- */

static void compare_data(hid_t a, hid_t b, int is_attr, const char *what)
{
    hid_t ta = is_attr ? H5Aget_type(a) : H5Dget_type(a);
    hid_t tb = is_attr ? H5Aget_type(b) : H5Dget_type(b);
    hid_t sa = is_attr ? H5Aget_space(a) : H5Dget_space(a);
    hid_t sb = is_attr ? H5Aget_space(b) : H5Dget_space(b);
    if (H5Tequal(ta, tb) <= 0) fail_msg("%s: types differ", what);
    hsize_t da[8], db[8];
    int ra = H5Sget_simple_extent_dims(sa, da, NULL), rb = H5Sget_simple_extent_dims(sb, db, NULL);
    if (ra != rb || memcmp(da, db, (size_t)ra * sizeof da[0]) != 0)
        fail_msg("%s: shapes differ", what);
    size_t n = (size_t)H5Sget_simple_extent_npoints(sa), size = H5Tget_size(ta);
    if (H5Tis_variable_str(ta) > 0) {
        char **x = calloc(n + 1, sizeof *x), **y = calloc(n + 1, sizeof *y);
        assert_true(
            (is_attr ? H5Aread(a, ta, x) : H5Dread(a, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, x)) >= 0 ||
            n == 0);
        assert_true(
            (is_attr ? H5Aread(b, tb, y) : H5Dread(b, tb, H5S_ALL, H5S_ALL, H5P_DEFAULT, y)) >= 0 ||
            n == 0);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(x[i] ? x[i] : "", y[i] ? y[i] : "") != 0)
                fail_msg("%s[%zu]: '%s' != '%s'", what, i, x[i], y[i]);
            free(x[i]), free(y[i]);
        }
        free(x), free(y);
    } else if (n > 0) {
        unsigned char *x = calloc(n, size), *y = calloc(n, size);
        assert_true(
            (is_attr ? H5Aread(a, ta, x) : H5Dread(a, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, x)) >= 0);
        assert_true(
            (is_attr ? H5Aread(b, tb, y) : H5Dread(b, tb, H5S_ALL, H5S_ALL, H5P_DEFAULT, y)) >= 0);
        if (memcmp(x, y, n * size) != 0) fail_msg("%s: bytes differ", what);
        free(x), free(y);
    }
    H5Tclose(ta), H5Tclose(tb), H5Sclose(sa), H5Sclose(sb);
}

typedef struct {
    hid_t other; /* the same object in the other file */
    const char *obj;
    size_t n;
} walk;

static herr_t compare_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    walk *w = data;
    char what[512];
    snprintf(what, sizeof what, "%s@%s", w->obj, name);
    if (H5Aexists(w->other, name) <= 0) fail_msg("%s: missing in the second file", what);
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), b = H5Aopen(w->other, name, H5P_DEFAULT);
    compare_data(a, b, 1, what);
    H5Aclose(a), H5Aclose(b);
    w->n++;
    return 0;
}

static herr_t count_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)loc, (void)name, (void)info;
    ((walk *)data)->n++;
    return 0;
}

/* Every attribute of a is in b with the same bytes, and b has no others. */
static void compare_attrs(hid_t a, hid_t b, const char *obj)
{
    walk wa = {b, obj, 0}, wb = {a, obj, 0};
    assert_true(H5Aiterate2(a, H5_INDEX_NAME, H5_ITER_INC, NULL, compare_attr, &wa) >= 0);
    assert_true(H5Aiterate2(b, H5_INDEX_NAME, H5_ITER_INC, NULL, count_attr, &wb) >= 0);
    if (wa.n != wb.n) fail_msg("%s: %zu attributes, then %zu", obj, wa.n, wb.n);
}

static herr_t compare_link(hid_t root, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    walk *w = data;
    char path[512];
    snprintf(path, sizeof path, "/%s", name);
    if (!pf_h5_exists(w->other, path)) fail_msg("%s: missing in the second file", path);
    hid_t a = H5Oopen(root, name, H5P_DEFAULT), b = H5Oopen(w->other, path, H5P_DEFAULT);
    assert_true(a >= 0 && b >= 0);
    assert_int_equal(H5Iget_type(a), H5Iget_type(b));
    if (H5Iget_type(a) == H5I_DATASET) compare_data(a, b, 0, path);
    compare_attrs(a, b, path);
    H5Oclose(a), H5Oclose(b);
    w->n++;
    return 0;
}

static herr_t count_link(hid_t root, const char *name, const H5L_info_t *info, void *data)
{
    (void)root, (void)name, (void)info;
    ((walk *)data)->n++;
    return 0;
}

static void assert_same_files(const char *pa, const char *pb)
{
    hid_t a = H5Fopen(pa, H5F_ACC_RDONLY, H5P_DEFAULT),
          b = H5Fopen(pb, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(a >= 0 && b >= 0);
    compare_attrs(a, b, "/");
    walk wa = {b, "", 0}, wb = {a, "", 0};
    assert_true(H5Lvisit(a, H5_INDEX_NAME, H5_ITER_INC, compare_link, &wa) >= 0);
    assert_true(H5Lvisit(b, H5_INDEX_NAME, H5_ITER_INC, count_link, &wb) >= 0);
    if (wa.n != wb.n) fail_msg("%zu objects, then %zu", wa.n, wb.n);
    assert_true(wa.n > 20);
    H5Fclose(a), H5Fclose(b);
}

/* ---- HDF5 round trip ---------------------------------------------------------------------- */

static void write_h5(const pf_results *r, const pf_config *cfg, const char *path)
{
    pf_error err = {0};
    pf_h5_quiet();
    hid_t file = pf_h5seal_create(path);
    assert_true(file >= 0);
    if (pf_results_h5_write(r, cfg, file, &err) != PF_OK) fail_msg("%s", err.msg);
    assert_int_equal(pf_h5seal_close(file, path), 0);
}

static void assert_same_strings(char *const *a, char *const *b, size_t n)
{
    for (size_t i = 0; i < n; i++) assert_string_equal(a[i] ? a[i] : "", b[i]);
}

#define SAME(field, n) assert_memory_equal(a->field, b->field, (n) * sizeof *a->field)
/* One double, bit for bit (struct padding is not compared: it holds no data). */
#define BITS(field) assert_memory_equal(&a->field, &b->field, sizeof(double))

/* Every field of the study model, bit for bit (NaN included: memory, not ==). */
static void assert_same_results(const pf_results *a, const pf_results *b)
{
    assert_int_equal(a->task, b->task);
    assert_int_equal(a->n_metric, b->n_metric);
    assert_int_equal(a->n_var, b->n_var);
    assert_int_equal(a->n_part, b->n_part);
    assert_int_equal(a->n_rep, b->n_rep);
    assert_int_equal(a->n_folds, b->n_folds);
    assert_int_equal(a->n_crit, b->n_crit);
    assert_int_equal(a->n_sp, b->n_sp);
    assert_int_equal(a->primary, b->primary);
    assert_int_equal(a->n_targets, b->n_targets);
    assert_int_equal(a->n_classes, b->n_classes);
    assert_int_equal(a->n_attributes, b->n_attributes);
    assert_int_equal(a->n_features, b->n_features);
    assert_int_equal(a->n_columns, b->n_columns);
    for (size_t m = 0; m < a->n_metric; m++)
        assert_string_equal(a->metrics->slot[m].name, b->metrics->slot[m].name);
    SAME(crit, a->n_crit);
    SAME(sparsity, a->n_sp);
    for (size_t v = 0; v < a->n_var; v++) {
        assert_int_equal(a->variant[v].crit, b->variant[v].crit);
        assert_int_equal(a->variant[v].sp, b->variant[v].sp);
        assert_int_equal(a->variant[v].bits, b->variant[v].bits);
        BITS(variant[v].sparsity);
    }
    SAME(value, a->n_metric * a->n_var * a->n_part * a->n_rep);
    for (size_t i = 0; i < a->n_metric * a->n_var; i++) {
        assert_int_equal(a->summary[i].s.n, b->summary[i].s.n);
        assert_int_equal(a->summary[i].higher_is_better, b->summary[i].higher_is_better);
        BITS(summary[i].s.mean), BITS(summary[i].s.sd), BITS(summary[i].s.median);
        BITS(summary[i].s.min), BITS(summary[i].s.p10), BITS(summary[i].s.max);
        BITS(summary[i].s.gap), BITS(summary[i].p90), BITS(summary[i].worst);
        BITS(summary[i].best), BITS(summary[i].tail), BITS(summary[i].delta_mean);
        BITS(summary[i].delta_worst);
    }
    for (size_t i = 0; i < a->n_rec; i++) {
        const pf_task_record *x = &a->rec[i], *y = &b->rec[i];
        assert_int_equal(x->fold, y->fold);
        assert_int_equal(x->repeat, y->repeat);
        assert_int_equal(x->variant, y->variant);
        assert_int_equal(x->kept_params, y->kept_params);
        assert_int_equal(x->prunable_params, y->prunable_params);
        assert_int_equal(x->csr_bytes, y->csr_bytes);
        assert_int_equal(x->macs, y->macs);
        assert_int_equal(x->epochs, y->epochs);
        BITS(rec[i].achieved_sparsity), BITS(rec[i].val_loss);
        BITS(rec[i].primary_mean), BITS(rec[i].seconds);
    }
    SAME(ns_per_window, a->n_var);
    SAME(n_windows, a->n_part);
    assert_same_strings(a->target_names, b->target_names, a->n_targets);
    assert_same_strings(a->class_names, b->class_names, a->n_classes);
    assert_same_strings(a->attribute_names, b->attribute_names, a->n_attributes);
    assert_same_strings(a->attribute_values, b->attribute_values, a->n_part * a->n_attributes);
    assert_same_strings(a->participant_ids, b->participant_ids, a->n_part);
    assert_same_strings(a->feature_names, b->feature_names, a->n_features);
    assert_same_strings(a->column_names, b->column_names, a->n_columns);
    assert_same_strings(a->column_use, b->column_use, a->n_columns);
    assert_string_equal(a->data_description, b->data_description);
    assert_string_equal(a->data_path, b->data_path);
    assert_int_equal(a->n_windows_total, b->n_windows_total);
    assert_int_equal(a->rows_read, b->rows_read);
    assert_int_equal(a->rows_dropped_target, b->rows_dropped_target);
    assert_int_equal(a->participants_dropped, b->participants_dropped);
    assert_int_equal(a->windows_dropped_margin, b->windows_dropped_margin);
    assert_int_equal(a->cells_missing, b->cells_missing);
    size_t F = a->n_folds, P = a->n_part;
    SAME(fold_of, P);
    SAME(val_first, F + 1);
    SAME(val, a->val_first[F]);
    SAME(feature_fill, F * a->n_features);
    SAME(feature_shift, F * a->n_features);
    SAME(feature_scale, F * a->n_features);
    SAME(target_shift, F * a->n_targets);
    SAME(target_scale, F * a->n_targets);
    assert_string_equal(a->folds_file, b->folds_file);
    assert_string_equal(a->folds_file_sha256, b->folds_file_sha256);
    size_t T = F * a->n_rep, W = a->n_params;
    assert_int_equal(a->n_params, b->n_params);
    assert_int_equal(a->n_dims, b->n_dims);
    SAME(dims, a->n_dims);
    assert_int_equal(!a->dense_params, !b->dense_params);
    assert_int_equal(!a->masks, !b->masks);
    assert_int_equal(!a->scores, !b->scores);
    assert_int_equal(!a->variant_params, !b->variant_params);
    if (a->dense_params) SAME(dense_params, T * W);
    if (a->masks) SAME(masks, T * a->n_var * W);
    if (a->scores) SAME(scores, T * a->n_crit * W);
    if (a->variant_params) SAME(variant_params, T * a->n_var * W);
    assert_int_equal(!a->quant_q, !b->quant_q);
    if (a->quant_q) {
        size_t Q = pf_results_n_quant(a);
        assert_int_equal(a->n_units, b->n_units);
        SAME(quant_q, T * Q * W);
        SAME(quant_scale, T * Q * a->n_units);
        SAME(quant_bias, T * Q * a->n_units);
    }
    assert_int_equal(!a->pred, !b->pred);
    if (a->pred) {
        size_t n = a->n_var * a->n_rep * a->n_win;
        assert_int_equal(a->n_win, b->n_win);
        assert_int_equal(a->n_pred, b->n_pred);
        assert_int_equal(a->n_dropped, b->n_dropped);
        assert_int_equal(!a->window_time, !b->window_time);
        assert_int_equal(!a->pred_class, !b->pred_class);
        SAME(window_first, P + 1);
        SAME(window_row, a->n_win);
        if (a->window_time) SAME(window_time, a->n_win);
        SAME(window_truth, a->n_win * a->n_targets);
        SAME(pred, n * a->n_pred);
        if (a->pred_class) SAME(pred_class, n);
        SAME(dropped, a->n_dropped);
    }
    assert_int_equal(a->threads, b->threads);
    assert_memory_equal(&a->wall_seconds, &b->wall_seconds, sizeof a->wall_seconds);
    assert_string_equal(a->started, b->started);
    assert_string_equal(a->finished, b->finished);
}

/* write -> read -> write -> read: the arrays come back, and the two files are identical. */
static void round_trip(fixture *f)
{
    pf_error err = {0};
    char p1[128], p2[128];
    snprintf(p1, sizeof p1, "%s/results.h5", f->dir);
    snprintf(p2, sizeof p2, "%s/rewritten.h5", f->dir);
    write_h5(f->r, &f->cfg, p1);
    pf_config cfg;
    pf_results *b = pf_results_h5_read(p1, &cfg, &err);
    if (!b) fail_msg("%s", err.msg);
    assert_non_null(b->summary); /* the reader summarises */
    assert_same_results(f->r, b);
    assert_string_equal(cfg.hash, f->cfg.hash);
    assert_string_equal(cfg.data_sha256, f->cfg.data_sha256);
    assert_string_equal(cfg.source_file, f->cfg.source_file);
    write_h5(b, &cfg, p2);
    pf_config cfg2;
    pf_results *c = pf_results_h5_read(p2, &cfg2, &err);
    if (!c) fail_msg("%s", err.msg);
    assert_same_results(b, c);
    assert_same_files(p1, p2);
    pf_results_free(b);
    pf_results_free(c);
}

static void test_h5_regression(void **state)
{
    fixture *f = *state;
    round_trip(f);
    /* What h5py users read: names, shapes, the schema and provenance. */
    char path[128];
    snprintf(path, sizeof path, "%s/results.h5", f->dir);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hsize_t d[4];
    assert_int_equal(pf_h5_dims(file, "/per_participant/values", 4, d), 4);
    assert_true(d[0] == 9 && d[1] == 5 && d[2] == 3 && d[3] == 2);
    assert_int_equal(pf_h5_dims(file, "/summary/mean", 4, d), 2);
    assert_true(d[0] == 9 && d[1] == 5);
    assert_int_equal(pf_h5_dims(file, "/dataset/attribute_values", 4, d), 2);
    assert_true(d[0] == 3 && d[1] == 2);
    assert_int_equal(pf_h5_dims(file, "/models/masks", 4, d), 3);
    assert_true(d[0] == 6 && d[1] == 5 && d[2] == 17);
    assert_false(pf_h5_exists(file, "/dataset/class_names"));
    char *names[5] = {0};
    assert_int_equal(pf_h5_read_strings(file, "/variants/name", 5, names), 0);
    assert_string_equal(names[0], "dense");
    assert_string_equal(names[4], "vr(lambda=0.5)@0.75");
    for (int i = 0; i < 5; i++) free(names[i]);
    double mean[45];
    assert_int_equal(pf_h5_read_doubles(file, "/summary/mean", 45, mean), 0);
    assert_true(mean[6 * 5 + 1] == 1.9375); /* mean_ccc, magnitude@0.5 */
    char *schema = pf_h5_read_attr_str(file, "/", "schema");
    char *blas = pf_h5_read_attr_str(file, "/", "blas");
    char *text = pf_h5_read_attr_str(file, "/", "config_text");
    char *scheme = pf_h5_read_attr_str(file, "/folds", "scheme");
    char *task = pf_h5_read_attr_str(file, "/dataset", "task");
    char *primary = pf_h5_read_attr_str(file, "/tasks", "primary_metric");
    assert_string_equal(schema, "prunefair-results/5");
    assert_non_null(strstr(blas, "OpenBLAS"));
    assert_non_null(strstr(text, "criteria = magnitude,vr\n"));
    assert_string_equal(scheme, "lopo");
    assert_string_equal(task, "regression");
    assert_string_equal(primary, "mean_ccc");
    free(schema), free(blas), free(text), free(scheme), free(task), free(primary);
    H5Fclose(file);
}

static void test_h5_classification(void **state)
{
    fixture *f = *state;
    round_trip(f);
    char path[128];
    snprintf(path, sizeof path, "%s/results.h5", f->dir);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char *cls[3] = {0};
    assert_int_equal(pf_h5_read_strings(file, "/dataset/class_names", 3, cls), 0);
    assert_string_equal(cls[2], "high");
    for (int i = 0; i < 3; i++) free(cls[i]);
    assert_false(pf_h5_exists(file, "/models"));
    assert_false(pf_h5_exists(file, "/dataset/column_names"));
    hsize_t d[4];
    assert_int_equal(pf_h5_dims(file, "/dataset/attribute_values", 4, d), 2);
    assert_true(d[0] == 2 && d[1] == 0);
    H5Fclose(file);
}

/* ---- stored predictions ------------------------------------------------------------------- */

/* The classification study's participants A (5 windows) and B (6) as a dataset: classes
 * low mid high low mid | high high mid low low mid, data rows 100.., times 5, 15, ..., and two
 * windows the margin dropped: A's data row 42 (time 7.5) before its third window, B's row 43
 * (time 99) after its last. Predictions stored by hand: dense holds A's and B's logits, the
 * pruned variant none (not run). */
static void store_predictions(pf_results *r)
{
    pf_error err = {0};
    pf_dataset *ds = make_dataset((const size_t[]){5, 6}, 2, 1, 0);
    const double y[] = {0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 1};
    ds->time = malloc(11 * sizeof *ds->time);
    for (size_t i = 0; i < 11; i++)
        ds->y[i] = y[i], ds->row[i] = 100 + i, ds->time[i] = 10.0 * i + 5;
    assert_int_equal(pf_dataset_reserve_dropped(ds, &err), PF_OK);
    ds->dropped[0] = (pf_dropped_window){0, 42, 7.5, 0.33, 2};
    ds->dropped[1] = (pf_dropped_window){1, 43, 99, 0.5, 11};
    ds->n_dropped_windows = 2;
    assert_int_equal(pf_predictions_alloc(r, ds, &err), PF_OK);
    pf_dataset_free(ds);
    /* A: equal logits (1/3 each, ties to class 0); one far above the others (no overflow:
     * exactly 1, 0, 0); a NaN (no class, no probability); an infinity (its class, but no
     * probability); -1, 2, 2 (class 1 on the tie; e^-3 / (e^-3 + 2), 1 / (e^-3 + 2) twice). */
    const double a[] = {0, 0, 0, 1000, 0, 0, NAN, 0, 0, INFINITY, 0, 0, -1, 2, 2};
    double b[18];
    for (size_t i = 0; i < 18; i++) b[i] = i % 3 == (i / 3) % 3 ? 1 : 0; /* classes 0 1 2 0 1 2 */
    pf_predictions_store(r, PF_DENSE, 0, 0, a);
    pf_predictions_store(r, PF_DENSE, 0, 1, b);
}

static void test_predictions(void **state)
{
    fixture *f = *state;
    pf_results *r = f->r;
    store_predictions(r);
    assert_int_equal(r->n_win, 11);
    assert_int_equal(r->n_pred, 3);
    const double third = 1.0 / 3, e3 = exp(-3.0);
    const double *p = pf_predictions_at(r, PF_DENSE, 0, 0);
    assert_true(p[0] == third && p[1] == third && p[2] == third);
    p = pf_predictions_at(r, PF_DENSE, 0, 1);
    assert_true(p[0] == 1 && p[1] == 0 && p[2] == 0);
    p = pf_predictions_at(r, PF_DENSE, 0, 4);
    assert_near(p[0], e3 / (e3 + 2), 1e-15);
    assert_near(p[1], 1 / (e3 + 2), 1e-15);
    const int want[] = {0, 0, -1, 0, 1, 0, 1, 2, 0, 1, 2};
    for (size_t w = 0; w < 11; w++) {
        assert_int_equal(pf_predictions_class(r, PF_DENSE, 0, w), want[w]);
        assert_int_equal(pf_predictions_class(r, 1, 0, w), -1); /* not run */
        assert_true(isnan(pf_predictions_at(r, 1, 0, w)[0]));
    }
    assert_true(isnan(pf_predictions_at(r, PF_DENSE, 0, 2)[1]));
    assert_true(isnan(pf_predictions_at(r, PF_DENSE, 0, 3)[0]));

    /* predictions.csv: the dropped windows in their place, a row per (variant, window). */
    pf_error err = {0};
    assert_int_equal(pf_predictions_csv_write(r, f->dir, &err), PF_OK);
    char *csv = slurp(f->dir, "predictions.csv");
    assert_int_equal(count_lines(csv), 1 + 2 * (11 + 2));
    char head[1024];
    snprintf(head, sizeof head, "%s",
             "participant,window,time,criterion,sparsity,bits,repeat,output,label,predicted,"
             "p_low,p_mid,p_high,dropped\n"
             "A,100,5,dense,0,32,0,label,low,low,0.3333333333333333,0.3333333333333333,"
             "0.3333333333333333,0\n"
             "A,101,15,dense,0,32,0,label,mid,low,1,0,0,0\n"
             "A,42,7.5,dense,0,32,0,label,,,nan,nan,nan,1\n"
             "A,102,25,dense,0,32,0,label,high,,nan,nan,nan,0\n"
             "A,103,35,dense,0,32,0,label,low,low,nan,nan,nan,0\n"
             "A,104,45,dense,0,32,0,label,mid,mid,");
    assert_memory_equal(csv, head, strlen(head));
    assert_non_null(strstr(csv, "\nB,110,105,dense,0,32,0,label,mid,high,"));
    assert_non_null(strstr(csv, "\nB,43,99,dense,0,32,0,label,,,nan,nan,nan,1\n"
                                "A,100,5,magnitude,0.5,32,0,label,low,,nan,nan,nan,0\n"));
    assert_non_null(strstr(csv, "\nB,43,99,magnitude,0.5,32,0,label,,,nan,nan,nan,1\n"));

    /* results.h5 keeps every array: written, read back and written again, the same bits. */
    round_trip(f);
    char path[128];
    snprintf(path, sizeof path, "%s/results.h5", f->dir);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hsize_t d[4];
    assert_int_equal(pf_h5_dims(file, "/predictions/probability", 4, d), 4);
    assert_true(d[0] == 2 && d[1] == 1 && d[2] == 11 && d[3] == 3);
    assert_int_equal(pf_h5_dims(file, "/predictions/dropped_before", 4, d), 1);
    assert_true(d[0] == 2);
    assert_true(pf_h5_exists(file, "/predictions/time"));
    assert_false(pf_h5_exists(file, "/predictions/prediction")); /* a regression's */
    H5Fclose(file);
}

/* ---- refused files ------------------------------------------------------------------------ */

static void copy_file(const char *from, const char *to, long keep)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_true(in && out);
    int c;
    for (long i = 0; (keep < 0 || i < keep) && (c = getc(in)) != EOF; i++) putc(c, out);
    fclose(in);
    fclose(out);
}

/* Overwrite, at offset at of the one place where the n bytes of what occur in path, the m
 * bytes of with. */
static void patch_once(const char *path, const char *what, size_t n, long at, const char *with,
                       size_t m)
{
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    static char buf[1 << 22];
    size_t size = fread(buf, 1, sizeof buf, fp);
    assert_true(size < sizeof buf);
    long found = -1;
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(buf + i, what, n) == 0) {
            assert_int_equal(found, -1); /* exactly once */
            found = (long)i;
        }
    assert_true(found >= 0);
    fseek(fp, found + at, SEEK_SET);
    assert_int_equal(fwrite(with, 1, m, fp), m);
    fclose(fp);
}

static long file_size(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fclose(fp);
    return n;
}

/* path must be refused as input with a message containing want. */
static void expect_refused(const char *path, const char *want)
{
    pf_error err = {0};
    pf_config cfg;
    assert_null(pf_results_h5_read(path, &cfg, &err));
    assert_int_equal(err.code, PF_EINPUT);
    if (!strstr(err.msg, want)) fail_msg("'%s' is not in '%s'", want, err.msg);
}

/* A copy of the good file, edited by fn, must be refused with a message containing want. */
static void assert_refused(const char *dir, const char *good, void (*fn)(hid_t), const char *want)
{
    char path[160];
    snprintf(path, sizeof path, "%s/edited.h5", dir);
    copy_file(good, path, -1);
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(file >= 0);
    fn(file);
    /* Sealed again, as a buggy writer or a hand edit would: what is behind the seal is checked
     * too. */
    assert_int_equal(pf_h5seal_close(file, path), 0);
    expect_refused(path, want);
}

static void schema_1(hid_t f)
{
    assert_true(H5Adelete(f, "schema") >= 0);
    assert_true(H5LTset_attribute_string(f, ".", "schema", "prunefair-results/1") >= 0);
    H5Adelete(f, "program_version");
    assert_true(H5LTset_attribute_string(f, ".", "program_version", "0.3") >= 0);
}

/* The version before the two sides of every test (stats.csv and /stats/tests): refused. */
static void schema_4(hid_t f)
{
    assert_true(H5Adelete(f, "schema") >= 0);
    assert_true(H5LTset_attribute_string(f, ".", "schema", "prunefair-results/4") >= 0);
}

static void no_cost(hid_t f)
{
    assert_true(H5Ldelete(f, "/cost/ns_per_window", H5P_DEFAULT) >= 0);
}

static void short_metric_names(hid_t f)
{
    assert_true(H5Ldelete(f, "/per_participant/metric_names", H5P_DEFAULT) >= 0);
    const char *two[] = {"ccc", "rmse"};
    pf_h5 h = {.file = f};
    pf_h5_strings(&h, f, "/per_participant/metric_names", two, 2);
    assert_false(h.failed);
}

static void renamed_metric(hid_t f)
{
    size_t n = pf_h5_size(f, "/per_participant/metric_names");
    char *names[16] = {0};
    assert_int_equal(pf_h5_read_strings(f, "/per_participant/metric_names", n, names), 0);
    free(names[0]);
    names[0] = strdup("concordance");
    assert_true(H5Ldelete(f, "/per_participant/metric_names", H5P_DEFAULT) >= 0);
    pf_h5 h = {.file = f};
    pf_h5_strings(&h, f, "/per_participant/metric_names", (const char *const *)names, n);
    for (size_t i = 0; i < n; i++) free(names[i]);
}

static void edited_hash(hid_t f)
{
    assert_true(H5Adelete(f, "config_hash") >= 0);
    assert_true(H5LTset_attribute_string(f, ".", "config_hash", "0123") >= 0);
}

static void no_tasks(hid_t f)
{
    assert_true(H5Ldelete(f, "/tasks", H5P_DEFAULT) >= 0);
}

/* A /tasks table with only some of its fields: HDF5 would read the others as zeros. */
static void tasks_two_fields(hid_t f)
{
    size_t n = pf_h5_size(f, "/tasks");
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(pf_task_record));
    H5Tinsert(t, "fold", HOFFSET(pf_task_record, fold), H5T_NATIVE_INT);
    H5Tinsert(t, "variant", HOFFSET(pf_task_record, variant), H5T_NATIVE_INT);
    pf_task_record *rows = calloc(n, sizeof *rows);
    assert_int_equal(pf_h5_read_table(f, "/tasks", t, n, rows), 0);
    assert_true(H5Ldelete(f, "/tasks", H5P_DEFAULT) >= 0);
    pf_h5 h = {.file = f};
    pf_h5_table(&h, f, "tasks", t, n, rows);
    assert_false(h.failed);
    H5Tclose(t);
    free(rows);
}

/* Variable-length strings where prunefair writes fixed-length ones: never read, since HDF5
 * reads them from its global heap, where a corrupt file can hang it. */
static void vlen_ids(hid_t f)
{
    size_t n = pf_h5_size(f, "/dataset/participant_ids");
    assert_true(H5Ldelete(f, "/dataset/participant_ids", H5P_DEFAULT) >= 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    hsize_t dim = n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t d =
        H5Dcreate2(f, "/dataset/participant_ids", t, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *ids[64] = {0};
    for (size_t i = 0; i < n; i++) ids[i] = "p";
    assert_true(d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids) >= 0);
    H5Dclose(d), H5Sclose(space), H5Tclose(t);
}

static void vlen_hash(hid_t f)
{
    assert_true(H5Adelete(f, "config_hash") >= 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "config_hash", t, space, H5P_DEFAULT, H5P_DEFAULT);
    const char *v = "0123";
    assert_true(a >= 0 && H5Awrite(a, t, &v) >= 0);
    H5Aclose(a), H5Sclose(space), H5Tclose(t);
}

/* A dataset whose elements were never written: HDF5 would hand back fill values (and, for a
 * compact layout that claims elements but stores none, copy from NULL, found by fuzzing). */
static void unwritten_fold_of(hid_t f)
{
    size_t n = pf_h5_size(f, "/folds/fold_of");
    assert_true(H5Ldelete(f, "/folds/fold_of", H5P_DEFAULT) >= 0);
    hsize_t dim = n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t d = H5Dcreate2(f, "/folds/fold_of", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    assert_true(d >= 0);
    H5Dclose(d), H5Sclose(space);
}

static void test_h5_refused(void **state)
{
    fixture *f = *state;
    char good[128], path[128];
    snprintf(good, sizeof good, "%s/results.h5", f->dir);
    write_h5(f->r, &f->cfg, good);
    assert_refused(f->dir, good, schema_1,
                   "was written by prunefair 0.3 with results schema prunefair-results/1");
    assert_refused(f->dir, good, schema_1, "rerun the experiment with this version");
    assert_refused(f->dir, good, schema_4,
                   "with results schema prunefair-results/4; this version (" PACKAGE_VERSION
                   ") reads only prunefair-results/5: rerun the experiment");
    assert_refused(f->dir, good, no_cost, "/cost/ns_per_window is missing");
    assert_refused(f->dir, good, short_metric_names,
                   "/per_participant/metric_names has shape 2, expected 9");
    assert_refused(f->dir, good, renamed_metric, "metric 0 is 'concordance' in the file");
    assert_refused(f->dir, good, edited_hash, "does not hash to the stored config_hash");
    assert_refused(f->dir, good, no_tasks, "/tasks is missing");
    assert_refused(f->dir, good, tasks_two_fields, "/tasks has no field repeat");
    assert_refused(f->dir, good, vlen_ids, "/dataset/participant_ids is missing or malformed");
    assert_refused(f->dir, good, vlen_hash, "config_hash");
    assert_refused(f->dir, good, unwritten_fold_of, "/folds/fold_of");

    /* Cut short anywhere: refused before HDF5 reads it, never a crash or a half-read run. */
    snprintf(path, sizeof path, "%s/truncated.h5", f->dir);
    long size = file_size(good);
    const long cut[] = {0, 7, 512, 513, size / 3, size / 2, size - 4096, size - 1};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        copy_file(good, path, cut[i] > 0 ? cut[i] : 0);
        char want[100];
        snprintf(want, sizeof want, "it holds %ld bytes after its seal, %ld were written",
                 cut[i] - 512, size - 512);
        expect_refused(path, cut[i] < 512 ? "lacks the seal" : want);
    }
    /* One byte more, and one byte changed anywhere after the seal. */
    copy_file(good, path, -1);
    FILE *fp = fopen(path, "ab");
    fputc(0, fp);
    fclose(fp);
    expect_refused(path, "is too long");
    const long at[] = {512, 520, size / 2, size - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        copy_file(good, path, -1);
        fp = fopen(path, "r+b");
        fseek(fp, at[i], SEEK_SET);
        int c = getc(fp);
        fseek(fp, at[i], SEEK_SET);
        putc(c ^ 0x20, fp);
        fclose(fp);
        expect_refused(path, "is damaged: its bytes changed after it was written");
    }

    /* Not HDF5; HDF5 of another program (no seal); and a sealed HDF5 file without a run. */
    snprintf(path, sizeof path, "%s/not.h5", f->dir);
    fp = fopen(path, "w");
    fputs("hello\n", fp);
    fclose(fp);
    expect_refused(path, "was not written by prunefair: it lacks the seal");
    snprintf(path, sizeof path, "%s/foreign.h5", f->dir);
    H5Fclose(H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    expect_refused(path, "is an HDF5 file without prunefair's seal");
    snprintf(path, sizeof path, "%s/empty.h5", f->dir);
    assert_int_equal(pf_h5seal_close(pf_h5seal_create(path), path), 0);
    expect_refused(path, "not a complete prunefair results file");

    /* Found by fuzzing behind the seal: a sealed file whose /tasks row type places the member
     * "repeat" at byte 0xfcffff03 of a row of under 100. HDF5 1.10.8 reads out of bounds
     * converting it (SIGSEGV, before pf_h5_read_table checked the members); now it is refused.
     * The same edit as the fuzzer's, on this file: the member's offset follows its name. */
    snprintf(path, sizeof path, "%s/outside.h5", f->dir);
    copy_file(good, path, -1);
    static const char member[] = "repeat\0\0\4\0\0\0", outside[] = "\3\377\377\374";
    patch_once(path, member, sizeof member - 1, 8, outside, 4);
    assert_int_equal(pf_h5seal_write(path), 0);
    expect_refused(path, "/tasks does not hold task records");
}

/* The seal, checked against coreutils: its first 512 bytes say the SHA-256 and the length of
 * the rest, in the documented format, padded with NUL bytes. */
static void test_h5_seal(void **state)
{
    fixture *f = *state;
    char path[128], cmd[300], want[200], block[513] = {0};
    snprintf(path, sizeof path, "%s/results.h5", f->dir);
    write_h5(f->r, &f->cfg, path);
    snprintf(cmd, sizeof cmd, "tail -c +513 '%s' | sha256sum | cut -c1-64", path);
    FILE *p = popen(cmd, "r");
    char hex[80] = {0};
    assert_non_null(fgets(hex, sizeof hex, p));
    pclose(p);
    hex[64] = '\0';
    snprintf(want, sizeof want, "prunefair-seal/1\nsha256 %s\nbytes %ld\n", hex,
             file_size(path) - 512);
    FILE *fp = fopen(path, "rb");
    assert_int_equal(fread(block, 1, 512, fp), 512);
    fclose(fp);
    assert_string_equal(block, want);
    for (size_t i = strlen(want); i < 512; i++) assert_int_equal(block[i], 0);
    /* HDF5 finds its superblock behind the user block: h5py and h5dump read it as usual. */
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    hid_t fcpl = H5Fget_create_plist(file);
    hsize_t ub = 0;
    H5Pget_userblock(fcpl, &ub);
    assert_int_equal(ub, 512);
    H5Pclose(fcpl);
    H5Fclose(file);
}

static void test_needs_summary(void **state)
{
    fixture *f = *state;
    pf_error err = {0};
    pf_summary_full *s = f->r->summary;
    f->r->summary = NULL;
    assert_int_equal(pf_results_csv_write(f->r, f->dir, &err), PF_ERUNTIME);
    assert_non_null(strstr(err.msg, "pf_results_summarise"));
    f->r->summary = s;
}

/* ---- a run's saved models, rebuilt from the file alone ----------------------------------------
 */

/* A dataset of the file into a fresh buffer of elem-byte numbers of type, with its shape. */
static void *read_all(hid_t file, const char *name, hid_t type, size_t elem, hsize_t *dims,
                      int want_rank)
{
    int rank = -1;
    assert_true(H5LTget_dataset_ndims(file, name, &rank) >= 0);
    assert_int_equal(rank, want_rank);
    assert_true(H5LTget_dataset_info(file, name, dims, NULL, NULL) >= 0);
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    void *buf = malloc(n * elem);
    assert_non_null(buf);
    assert_true(H5LTread_dataset(file, name, type, buf) >= 0);
    return buf;
}

/* q of one row of weights w (n of them) at qmax by docs/results-schema.md's rule, written out
 * here rather than taken from quant.c: s = (float)(max |w| / qmax) over the row's nonzero
 * weights (pruned weights are 0 in a model and cannot raise the max), 1 when that is 0; q =
 * clamp(round(w / s)) in double, ties to even or away from zero. */
static float doc_quantise(const float *w, size_t n, int qmax, int away, int8_t *q)
{
    float amax = 0.0f;
    for (size_t j = 0; j < n; j++) amax = fabsf(w[j]) > amax ? fabsf(w[j]) : amax;
    float s = (float)((double)amax / qmax);
    if (s == 0.0f) s = 1.0f;
    for (size_t j = 0; j < n; j++) {
        double v = away ? round((double)w[j] / s) : nearbyint((double)w[j] / s);
        q[j] = (int8_t)(v > qmax ? qmax : v < -qmax ? -qmax : v);
    }
    return s;
}

static void set_cfg(pf_config *c, const char *sec, const char *key, const char *val)
{
    pf_error err = {0};
    if (pf_config_set(c, sec, key, val, "test", &err) != PF_OK) fail_msg("%s", err.msg);
}

static void no_quant_scale(hid_t f)
{
    assert_true(H5Ldelete(f, "/models/quant_scale", H5P_DEFAULT) >= 0);
}

/* quant_q of one quantised variant fewer than the study has. */
static void short_quant_q(hid_t f)
{
    hsize_t d[3];
    assert_true(H5LTget_dataset_info(f, "/models/quant_q", d, NULL, NULL) >= 0);
    assert_true(H5Ldelete(f, "/models/quant_q", H5P_DEFAULT) >= 0);
    d[1]--;
    int8_t *zero = calloc(d[0] * d[1] * d[2], 1);
    assert_true(H5LTmake_dataset(f, "/models/quant_q", 3, d, H5T_NATIVE_INT8, zero) >= 0);
    free(zero);
}

/* Run a small synthetic study with output.save_models and save_scores at 32, 8 and 3 bits, write
 * results.h5, and from that file alone (plain HDF5 calls) rebuild every quantised model of every
 * task: w' = (float)((double)quant_scale * quant_q) row by row, biases quant_bias. It must be,
 * bit for bit, the model the evaluation used: with fine-tuning that model is stored
 * (variant_params of the quantised variant, what the run evaluated); without, it is the float32
 * model dense_params x masks quantised again here by pf_quant_apply. quant_q must also be what
 * the documented rule gives from the float32 model (doc_quantise, per row or per layer), and
 * the dense "criterion" scores NaN. Then the file goes through --report's reader and writer. */
static void check_saved_models(const char *dir, int finetune, const char *gran, const char *rnd)
{
    pf_config cfg;
    pf_error err = {0};
    pf_config_defaults(&cfg);
    const char *sets[][3] = {{"synthetic", "participants", "6"},
                             {"synthetic", "windows", "12"},
                             {"synthetic", "features", "5"},
                             {"synthetic", "informative", "3"},
                             {"synthetic", "private", "1"},
                             {"model", "hidden", "7,4"},
                             {"train", "max_epochs", "3"},
                             {"train", "batch_size", "16"},
                             {"folds", "scheme", "group_kfold"},
                             {"folds", "k", "3"},
                             {"experiment", "repeats", "2"},
                             {"prune", "criteria", "magnitude,random"},
                             {"prune", "sparsities", "0,0.5,0.8"},
                             {"compress", "bits", "32,8,3"},
                             {"compress", "granularity", gran},
                             {"compress", "rounding", rnd},
                             {"prune", "finetune_epochs", finetune ? "1" : "0"},
                             {"output", "save_models", "true"},
                             {"output", "save_masks", finetune ? "false" : "true"},
                             {"output", "save_scores", "true"}};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        set_cfg(&cfg, sets[i][0], sets[i][1], sets[i][2]);
    assert_int_equal(pf_config_validate(&cfg, &err), PF_OK);
    assert_int_equal(pf_config_hash(&cfg, &err), PF_OK);
    pf_dataset *ds = pf_load_dataset(&cfg, &err);
    assert_non_null(ds);
    pf_folds *folds = pf_folds_alloc(ds, &cfg, &err);
    assert_non_null(folds);
    pf_run_opts ro;
    cfg.threads = 2;
    pf_run_opts_init(&ro, &cfg, "/nonexistent-unused", 0);
    pf_results *r = pf_run(&cfg, ds, folds, &ro, &err);
    if (!r) fail_msg("%s", err.msg);
    char path[160], again[160];
    snprintf(path, sizeof path, "%s/run.h5", dir);
    snprintf(again, sizeof again, "%s/run-again.h5", dir);
    write_h5(r, &cfg, path);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hsize_t dl[1], dw[1], dq[3], ds3[3], db[3], dd[2], dm[3], dsc[3];
    int *lw = read_all(f, "/models/layer_widths", H5T_NATIVE_INT, sizeof(int), dl, 1);
    int *bits = read_all(f, "/variants/bits", H5T_NATIVE_INT, sizeof(int), dw, 1);
    int8_t *q = read_all(f, "/models/quant_q", H5T_NATIVE_INT8, 1, dq, 3);
    float *sc = read_all(f, "/models/quant_scale", H5T_NATIVE_FLOAT, sizeof(float), ds3, 3);
    float *bi = read_all(f, "/models/quant_bias", H5T_NATIVE_FLOAT, sizeof(float), db, 3);
    float *scores = read_all(f, "/models/scores", H5T_NATIVE_FLOAT, sizeof(float), dsc, 3);
    float *dense = read_all(f, "/models/dense_params", H5T_NATIVE_FLOAT, sizeof(float), dd, 2);
    float *vp = finetune
                    ? read_all(f, "/models/variant_params", H5T_NATIVE_FLOAT, sizeof(float), dm, 3)
                    : NULL;
    unsigned char *mk = finetune ? NULL : read_all(f, "/models/masks", H5T_NATIVE_UCHAR, 1, dm, 3);
    H5Fclose(f);
    /* 5-7-4-1: 35 + 7 + 28 + 4 + 4 + 1 = 79 parameters, 12 units; 3 folds x 2 repeats; variants
     * per width 1 + 2 x 3 = 7, so 14 below 32 bits. */
    size_t T = 6, B = 7, Q = 14, P = 79, U = 12, V = 21;
    assert_true(dl[0] == 4 && lw[0] == 5 && lw[1] == 7 && lw[2] == 4 && lw[3] == 1);
    assert_true(dw[0] == V && dq[0] == T && dq[1] == Q && dq[2] == P);
    assert_true(ds3[0] == T && ds3[1] == Q && ds3[2] == U && db[2] == U && dd[1] == P);
    assert_true(dm[0] == T && dm[1] == V && dm[2] == P && dsc[1] == 3);
    for (size_t t = 0; t < T; t++)
        for (size_t j = 0; j < P; j++) assert_true(isnan(scores[(t * 3 + 0) * P + j]));

    int away = strcmp(rnd, "half_away") == 0, tensor = strcmp(gran, "tensor") == 0;
    pf_mlp *m = pf_mlp_alloc(5, (int[]){7, 4}, 2, 1, cfg.activation, &err);
    assert_non_null(m);
    float rebuilt[79], floatw[79];
    int8_t want[79];
    size_t compared = 0;
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < Q; k++) {
            size_t v = B + k, vf = v % B, at = (t * Q + k) * U;
            int qmax = (1 << (bits[v] - 1)) - 1;
            assert_true(bits[v] == (k < B ? 8 : 3));
            /* The float32 model the quantised one was made from, and the one evaluated. */
            if (finetune) {
                memcpy(floatw, vp + (t * V + vf) * P, sizeof floatw);
            } else {
                for (size_t j = 0; j < P; j++)
                    floatw[j] = mk[(t * V + vf) * P + j] ? dense[t * P + j] : 0.0f;
                memcpy(m->params, floatw, sizeof floatw);
                for (size_t j = 0; j < P; j++) m->mask[j] = mk[(t * V + vf) * P + j];
                assert_int_equal(pf_quant_apply(m, bits[v], cfg.granularity, cfg.rounding, &err),
                                 PF_OK);
            }
            const float *evaluated = finetune ? vp + (t * V + v) * P : m->params;
            for (size_t l = 0, off = 0, u = 0; l < 3; l++) {
                size_t rows = (size_t)lw[l + 1], cols = (size_t)lw[l];
                for (size_t i = 0; i < rows; i++) {
                    for (size_t j = 0; j < cols; j++) {
                        size_t p = off + i * cols + j;
                        rebuilt[p] = (float)((double)sc[at + u + i] * q[(t * Q + k) * P + p]);
                    }
                    rebuilt[off + rows * cols + i] = bi[at + u + i];
                    assert_int_equal(q[(t * Q + k) * P + off + rows * cols + i], 0);
                }
                /* The documented rule, per row or over the layer. */
                size_t per = tensor ? rows * cols : cols;
                for (size_t g = 0; g < rows * cols; g += per) {
                    float s = doc_quantise(floatw + off + g, per, qmax, away, want + off + g);
                    assert_true(s == sc[at + u + g / cols]);
                }
                assert_memory_equal(q + (t * Q + k) * P + off, want + off, rows * cols);
                off += rows * cols + rows, u += rows;
            }
            assert_memory_equal(rebuilt, evaluated, sizeof rebuilt);
            compared++;
        }
    assert_int_equal(compared, T * Q);

    /* --report's reader gives the same arrays back, and writing them again the same file. */
    pf_config cfg2;
    pf_results *b = pf_results_h5_read(path, &cfg2, &err);
    if (!b) fail_msg("%s", err.msg);
    assert_same_results(r, b);
    write_h5(b, &cfg2, again);
    assert_same_files(path, again);
    pf_results_free(b);
    assert_refused(dir, path, no_quant_scale, "/models has only some of quant_q, quant_scale");
    assert_refused(dir, path, short_quant_q,
                   "/models/quant_q has shape 6 x 13 x 79, expected "
                   "6 x 14 x 79");
    free(lw), free(bits), free(q), free(sc), free(bi), free(scores), free(dense), free(vp);
    free(mk);
    pf_mlp_free(m);
    pf_results_free(r);
    pf_folds_free(folds);
    pf_dataset_free(ds);
}

static void test_saved_models_finetuned(void **state)
{
    fixture *f = *state;
    check_saved_models(f->dir, 1, "channel", "half_even");
}

static void test_saved_models_masked(void **state)
{
    fixture *f = *state;
    check_saved_models(f->dir, 0, "tensor", "half_away");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_regression, setup_regression, teardown),
        cmocka_unit_test_setup_teardown(test_csv_classification, setup_classification, teardown),
        cmocka_unit_test_setup_teardown(test_h5_regression, setup_regression, teardown),
        cmocka_unit_test_setup_teardown(test_h5_classification, setup_classification, teardown),
        cmocka_unit_test_setup_teardown(test_predictions, setup_classification, teardown),
        cmocka_unit_test_setup_teardown(test_h5_refused, setup_regression, teardown),
        cmocka_unit_test_setup_teardown(test_h5_seal, setup_regression, teardown),
        cmocka_unit_test_setup_teardown(test_needs_summary, setup_regression, teardown),
        cmocka_unit_test_setup_teardown(test_saved_models_finetuned, setup_regression, teardown),
        cmocka_unit_test_setup_teardown(test_saved_models_masked, setup_regression, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
