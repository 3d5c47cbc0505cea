/* test_tables.c: the paper tables, on runs small enough to work out every cell by hand.
 *
 * A one-output regression study: criteria random, magnitude and vr(lambda=0.5) (the
 * reference) x sparsities {0, 0.5, 0.8} x 4 participants, and a hand-made analysis whose Holm
 * p-values sit on both sides of alpha. At sparsity 0, random and magnitude are the dense model
 * (identical values in every metric); vr was retrained there and differs. Per-participant
 * values (each line: mean, sample sd):
 *
 *   CCC (higher is better)
 *   dense              0.60 0.70 0.80 0.90   0.750, 0.129
 *   vr        @0       0.62 0.72 0.82 0.92   0.770, 0.129
 *   random    @0.5     0.10 0.20 0.30 0.40   0.250, 0.129
 *   magnitude @0.5     0.35 0.45 0.55 0.65   0.500, 0.129
 *   vr        @0.5     0.40 0.50 0.60 0.70   0.550, 0.129   best mean
 *   random    @0.8     0.00 0.01 0.02 0.03   0.015, 0.013
 *   magnitude @0.8     0.00 0.01 0.01 0.02   0.010, 0.008   lowest sd, but a collapse
 *   vr        @0.8     0.15 0.25 0.25 0.35   0.250, 0.082
 *
 *   RMSE (lower is better)
 *   dense              0.20 0.25 0.30 0.35   0.275, 0.065
 *   vr        @0       0.21 0.26 0.31 0.36   0.285, 0.065
 *   random    @0.5     0.50 0.55 0.60 0.65   0.575, 0.065
 *   magnitude @0.5     0.30 0.32 0.34 0.36   0.330, 0.026   best mean, best worst case
 *   vr        @0.5     0.31 0.33 0.35 0.37   0.340, 0.026
 *   random    @0.8     0.70 0.71 0.72 0.73   0.715, 0.013
 *   magnitude @0.8     0.70 0.72 0.72 0.74   0.720, 0.016   no better than random: collapse
 *   vr        @0.8     0.40 0.50 0.50 0.60   0.500, 0.082
 *
 * Pearson's r copies CCC. A 3-class classification study checks the names after
 * balanced_accuracy and the caption for a dense model at chance. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "report/tables.h"
#include "stats/analysis.h"

#define P     4
#define N_VAR 10 /* dense + 3 criteria x 3 sparsities */

static const double dense_ccc[P] = {0.60, 0.70, 0.80, 0.90};
static const double vr0_ccc[P] = {0.62, 0.72, 0.82, 0.92};
static const double ccc[3][2][P] = {
    {{0.10, 0.20, 0.30, 0.40}, {0.00, 0.01, 0.02, 0.03}}, /* random @0.5, @0.8 */
    {{0.35, 0.45, 0.55, 0.65}, {0.00, 0.01, 0.01, 0.02}}, /* magnitude */
    {{0.40, 0.50, 0.60, 0.70}, {0.15, 0.25, 0.25, 0.35}}, /* vr */
};
static const double dense_rmse[P] = {0.20, 0.25, 0.30, 0.35};
static const double vr0_rmse[P] = {0.21, 0.26, 0.31, 0.36};
static const double rmse[3][2][P] = {
    {{0.50, 0.55, 0.60, 0.65}, {0.70, 0.71, 0.72, 0.73}},
    {{0.30, 0.32, 0.34, 0.36}, {0.70, 0.72, 0.72, 0.74}},
    {{0.31, 0.33, 0.35, 0.37}, {0.40, 0.50, 0.50, 0.60}},
};

typedef struct {
    pf_config cfg;
    pf_results *r;
    pf_test_row rows[4];
    pf_interval mean_ci[N_VAR], sd_ci[N_VAR];
    pf_analysis a;
    char dir[64];
} fixture;

static void set_row(pf_test_row *row, const char *test, const char *b, double s, double p_holm)
{
    memset(row, 0, sizeof *row);
    snprintf(row->test, sizeof row->test, "%s", test);
    snprintf(row->a.criterion, sizeof row->a.criterion, "vr(lambda=0.5)");
    snprintf(row->b.criterion, sizeof row->b.criterion, "%s", b);
    row->a.sparsity = row->b.sparsity = s;
    row->a.bits = row->b.bits = 32;
    row->n = P;
    row->p_value = p_holm / 2;
    row->p_holm = p_holm;
}

/* With repeats, each value is held +-SPREAD around the values above (put_values of testutil.h):
 * their mean, so a table that forgot to average repeats first shows other numbers. */
#define SPREAD 0.05

static void fill_regression(pf_results *r)
{
    for (size_t m = 0; m < 3; m++) { /* ccc, rmse, pearson */
        const double *d = m == 1 ? dense_rmse : dense_ccc;
        put_values(r, m, PF_DENSE, d, SPREAD);
        /* random and magnitude at 0: the dense model */
        put_values(r, m, pf_results_variant(r, 1, 0), d, SPREAD);
        put_values(r, m, pf_results_variant(r, 2, 0), d, SPREAD);
        put_values(r, m, pf_results_variant(r, 3, 0), m == 1 ? vr0_rmse : vr0_ccc, SPREAD);
        for (size_t c = 0; c < 3; c++)
            for (size_t s = 0; s < 2; s++)
                put_values(r, m, pf_results_variant(r, c + 1, s + 1),
                           m == 1 ? rmse[c][s] : ccc[c][s], SPREAD);
    }
}

/* The study, summarised; stats_metric "auto" (ccc) or "rmse"; task regression or a 3-class
 * classification (its balanced accuracy takes the CCC values). */
static fixture *make_fixture(pf_task_kind task, const char *metric, size_t repeats)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    pf_error err = {0};
    pf_config_defaults(&f->cfg);
    assert_int_equal(pf_config_set(&f->cfg, "output", "tables", "md,tex", "test", &err), 0);
    snprintf(f->cfg.name, sizeof f->cfg.name, "heist");
    snprintf(f->cfg.hash, sizeof f->cfg.hash, "0123456789abcdef");
    f->cfg.alpha = 0.05;
    f->r = make_results((pf_results_shape){.task = task,
                                           .n_classes = 3,
                                           CRITERIA("random", "magnitude", "vr(lambda=0.5)"),
                                           SPARSITIES(0, 0.5, 0.8),
                                           .n_part = P,
                                           .n_rep = repeats,
                                           .stats_metric = metric});
    assert_int_equal(f->r->n_var, N_VAR);
    if (task == PF_TASK_REGRESSION) {
        fill_regression(f->r);
    } else { /* accuracy, balanced_accuracy, f1_macro */
        for (size_t m = 0; m < 3; m++) {
            put_values(f->r, m, PF_DENSE, dense_ccc, SPREAD);
            for (size_t c = 0; c < 3; c++) {
                put_values(f->r, m, pf_results_variant(f->r, c + 1, 0), dense_ccc, SPREAD);
                for (size_t s = 0; s < 2; s++)
                    put_values(f->r, m, pf_results_variant(f->r, c + 1, s + 1), ccc[c][s], SPREAD);
            }
        }
    }
    assert_int_equal(pf_results_summarise(f->r, &err), PF_OK);
    /* Magnitude differs at 0.5 (p_holm 0.01), not at 0.8 (0.05 is not < alpha); its variance
     * differs at 0.8 only; random differs at 0.5. */
    set_row(&f->rows[0], "wilcoxon", "magnitude", 0.5, 0.01);
    set_row(&f->rows[1], "wilcoxon", "magnitude", 0.8, 0.05);
    set_row(&f->rows[2], "pitman_morgan", "magnitude", 0.8, 0.001);
    set_row(&f->rows[3], "wilcoxon", "random", 0.5, 0.001);
    for (size_t v = 0; v < N_VAR; v++)
        f->mean_ci[v] = (pf_interval){0.1, 0.2}, f->sd_ci[v] = (pf_interval){0.01, 0.02};
    f->mean_ci[PF_DENSE] = (pf_interval){0.65, 0.85};
    f->a = (pf_analysis){.n_var = N_VAR,
                         .n_crit = 4,
                         .n_sp = 3,
                         .reference = 3,
                         .alpha = 0.05,
                         .n_rows = 4,
                         .rows = f->rows,
                         .mean_ci = f->mean_ci,
                         .sd_ci = f->sd_ci};
    snprintf(f->dir, sizeof f->dir, "/tmp/pf_tables_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    return f;
}

static void free_fixture(fixture *f)
{
    remove_tree(f->dir);
    pf_results_free(f->r);
    free(f);
}

static char *slurp(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/tables/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return strdup(buf);
}

static int exists(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void assert_contains(const char *text, const char *want)
{
    if (!text)
        fail_msg("missing file (NULL text) while looking for:\n%s", want);
    else if (!strstr(text, want))
        fail_msg("missing:\n%s\nin:\n%s", want, text);
}

/* The cells of the n-th Markdown row whose first cell is `name` (trimmed), into cells[]. */
static size_t md_cells(const char *text, const char *name, int nth, char cells[][64], size_t cap)
{
    char want[80];
    snprintf(want, sizeof want, "| %s ", name);
    const char *line = text;
    for (int seen = 0; (line = strstr(line, want)) != NULL; line++) {
        if (line != text && line[-1] != '\n') continue;
        if (seen++ < nth) continue;
        size_t n = 0;
        const char *p = line + 1;
        while (*p && *p != '\n' && n < cap) {
            const char *end = strchr(p, '|');
            if (!end) break;
            const char *a = p, *b = end;
            while (a < b && *a == ' ') a++;
            while (b > a && b[-1] == ' ') b--;
            snprintf(cells[n++], 64, "%.*s", (int)(b - a), a);
            p = end + 1;
        }
        return n;
    }
    return 0;
}

/* Assert the n-th row called name reads exactly want[0..3] (sparsity 0, 0.5, 0.8). */
static void assert_row(const char *md, const char *name, int nth, const char *const want[3])
{
    char cells[8][64];
    assert_int_equal(md_cells(md, name, nth, cells, 8), 4);
    for (size_t i = 0; i < 3; i++)
        if (strcmp(cells[i + 1], want[i]) != 0)
            fail_msg("row '%s' #%d, column %zu: '%s', expected '%s'", name, nth, i + 1,
                     cells[i + 1], want[i]);
}

static char *write_and_read(fixture *f, const pf_analysis *a, const char *name)
{
    pf_error err = {0};
    assert_int_equal(pf_tables_write(f->r, a, &f->cfg, f->dir, &err), PF_OK);
    char *text = slurp(f->dir, name);
    if (!text) fail_msg("no file tables/%s", name);
    return text;
}

#define PM   " \xc2\xb1 "   /* " ± " */
#define DAG  "\xe2\x80\xa0" /* † */
#define DDAG "\xe2\x80\xa1" /* ‡ */
#define DASH "\xe2\x80\x93" /* – */

/* CCC: named after the metric; the dense model once; "= dense" at sparsity 0 where a criterion
 * is the dense model, a retrained one shown and bold; best mean bold; daggers. */
static void test_md_results(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    char *md = write_and_read(f, &f->a, "results_ccc.md");
    char cells[8][64];
    assert_int_equal(md_cells(md, "criterion", 0, cells, 8), 4);
    assert_string_equal(cells[1], "s = 0");
    assert_string_equal(cells[2], "s = 0.5");
    assert_string_equal(cells[3], "s = 0.8");
    assert_row(md, "dense", 0, (const char *[]){"0.750" PM "0.129", DASH, DASH});
    assert_row(md, "random", 0,
               (const char *[]){"= dense", "0.250" PM "0.129" DAG, "0.015" PM "0.013"});
    assert_row(md, "magnitude", 0,
               (const char *[]){"= dense", "0.500" PM "0.129" DAG, "0.010" PM "0.008"});
    assert_row(
        md, "vr(lambda=0.5) (ref.)", 0,
        (const char *[]){"**0.770**" PM "0.129", "**0.550**" PM "0.129", "**0.250**" PM "0.082"});
    /* The caption names the metric, its meaning and direction, the test, the correction,
     * alpha and n, and explains "= dense". */
    assert_contains(md, "**CCC of the pruned models across participants.**");
    assert_contains(md, "CCC: Lin's concordance correlation coefficient, on held-out data; "
                        "higher is better.");
    assert_contains(md, "best mean in its column (the highest;");
    assert_contains(md, "\"= dense\": at sparsity 0 the criterion's model is the dense model");
    assert_contains(md, "Wilcoxon signed-rank");
    assert_contains(md, "Holm-adjusted p < 0.05");
    assert_contains(md, "over the 4 participants");
    assert_contains(md, "reference criterion vr(lambda=0.5)");
    assert_null(strstr(md, "at chance")); /* dense interval [0.65, 0.85] misses 0 */
    assert_null(strstr(md, "Left out of the data"));
    assert_false(exists(f->dir, "tables/results_ccc.md.tmp"));
    assert_false(exists(f->dir, "tables/results.md"));
    free(md);
    free_fixture(f);
}

static void test_tex_results(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    char *tex = write_and_read(f, &f->a, "results_ccc.tex");
    assert_contains(tex, "\\begin{table*}");
    assert_contains(tex, "\\end{table*}");
    assert_contains(tex, "\\begin{tabular}{l*{3}{c}}");
    assert_contains(tex, "    criterion & 0 & 0.5 & 0.8 \\\\\n");
    assert_contains(tex, "    dense & 0.750 $\\pm$ 0.129 & -- & -- \\\\\n");
    assert_contains(tex, "    magnitude & = dense & 0.500 $\\pm$ 0.129$^\\dagger$ & "
                         "0.010 $\\pm$ 0.008 \\\\\n");
    assert_contains(tex, "    vr($\\lambda$=0.5) (ref.) & \\textbf{0.770} $\\pm$ 0.129 & "
                         "\\textbf{0.550} $\\pm$ 0.129 & \\textbf{0.250} $\\pm$ 0.082 \\\\\n");
    /* booktabs rules, in order. */
    char *top = strstr(tex, "\\toprule"), *mid = strstr(tex, "\\midrule"),
         *bottom = strstr(tex, "\\bottomrule");
    assert_true(top && mid && bottom && top < mid && mid < bottom);
    assert_contains(tex, "Holm-adjusted $p < 0.05$");
    assert_contains(tex, "$^\\dagger$: CCC differs from the reference criterion "
                         "vr($\\lambda$=0.5)");
    /* Labels are unique per run (name, hash8), table and metric. */
    assert_contains(tex, "\\label{tab:heist-01234567-results-ccc}\n");
    free(tex);
    tex = slurp(f->dir, "spread_ccc.tex");
    assert_contains(tex, "\\label{tab:heist-01234567-spread-ccc}\n");
    free(tex);
    free_fixture(f);
}

/* A Holm p just under alpha marks; NaN (not testable) never does. */
static void test_dagger_threshold(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    f->rows[1].p_holm = 0.0499;
    f->rows[0].p_holm = NAN;
    char *md = write_and_read(f, &f->a, "results_ccc.md");
    assert_row(md, "magnitude", 0,
               (const char *[]){"= dense", "0.500" PM "0.129", "0.010" PM "0.008" DAG});
    free(md);
    /* Without Holm the caption must not claim it. */
    f->cfg.correction = PF_CORRECT_NONE;
    md = write_and_read(f, &f->a, "results_ccc.md");
    assert_null(strstr(md, "Holm"));
    assert_contains(md, "unadjusted p < 0.05");
    free(md);
    free_fixture(f);
}

/* No analysis: no marks, and the caption says there are none. */
static void test_no_analysis(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    char *md = write_and_read(f, NULL, "results_ccc.md");
    assert_null(strstr(md, DAG));
    assert_contains(md, "No significance marks");
    char cells[8][64];
    assert_int_equal(md_cells(md, "vr(lambda=0.5)", 0, cells, 8), 4);
    assert_string_equal(cells[0], "vr(lambda=0.5)"); /* no "(ref.)" without an analysis */
    free(md);
    free_fixture(f);
}

/* Spread: (a) sd, lowest bold; (b) the worst participant, highest bold; in both, a mean no
 * better than random's is a collapse: marked, never bold (random included). */
static void test_spread_collapse(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    char *md = write_and_read(f, &f->a, "spread_ccc.md");
    /* panel (a): sd */
    assert_row(md, "dense", 0, (const char *[]){"0.129", DASH, DASH});
    assert_row(md, "random", 0, (const char *[]){"= dense", "0.129" DDAG, "0.013" DDAG});
    /* magnitude's 0.008 is the lowest sd at 0.8, and its mean 0.010 is below random's 0.015 */
    assert_row(md, "magnitude", 0, (const char *[]){"= dense", "**0.129**", "0.008" DAG DDAG});
    assert_row(md, "vr(lambda=0.5) (ref.)", 0,
               (const char *[]){"**0.129**", "**0.129**", "**0.082**"});
    /* panel (b): the worst participant, the lowest CCC */
    assert_row(md, "dense", 1, (const char *[]){"0.600", DASH, DASH});
    assert_row(md, "random", 1, (const char *[]){"= dense", "0.100" DDAG, "0.000" DDAG});
    assert_row(md, "magnitude", 1, (const char *[]){"= dense", "0.350", "0.000" DDAG});
    assert_row(md, "vr(lambda=0.5) (ref.)", 1,
               (const char *[]){"**0.620**", "**0.400**", "**0.150**"});
    assert_contains(md, "*(a) sd of CCC across participants (lower is more even)*");
    assert_contains(md, "*(b) CCC of the worst participant (the lowest; higher is better)*");
    assert_contains(md, DDAG ": mean CCC no better than random pruning's at that sparsity");
    assert_contains(md, "Pitman-Morgan");
    free(md);
    char *tex = write_and_read(f, &f->a, "spread_ccc.tex");
    assert_contains(tex, "\\multicolumn{4}{l}{\\textit{(a) sd of CCC");
    assert_contains(tex, "    magnitude & = dense & \\textbf{0.129} & "
                         "0.008$^\\dagger$$^\\ddagger$ \\\\\n");
    free(tex);
    /* Random pruning with the mildest worst case at 0.8 (0.20 0.21 0.22 0.23): still the
     * yardstick of collapse, so vr's 0.150 is the best worst case. */
    size_t v = pf_results_variant(f->r, 1, 2);
    for (size_t p = 0; p < P; p++) f->r->value[pf_results_at(f->r, 0, v, p, 0)] = 0.20 + 0.01 * p;
    pf_error err = {0};
    assert_int_equal(pf_results_summarise(f->r, &err), PF_OK);
    md = write_and_read(f, &f->a, "spread_ccc.md");
    assert_row(md, "random", 1, (const char *[]){"= dense", "0.100" DDAG, "0.200" DDAG});
    assert_row(md, "vr(lambda=0.5) (ref.)", 1,
               (const char *[]){"**0.620**", "**0.400**", "**0.150**"});
    free(md);
    free_fixture(f);
}

/* Without a random criterion there is no yardstick: the lowest sd is bold, no double dagger. */
static void test_spread_without_random(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    snprintf(f->r->crit[1], PF_MAX_NAME, "snip");
    char *md = write_and_read(f, &f->a, "spread_ccc.md");
    assert_null(strstr(md, DDAG));
    assert_row(md, "magnitude", 0, (const char *[]){"= dense", "**0.129**", "**0.008**" DAG});
    free(md);
    free_fixture(f);
}

/* RMSE as the primary metric: files and labels after it, bold is the lowest mean and the
 * lowest worst case (the worst participant is the highest RMSE), collapse judged downwards. */
static void test_rmse_direction(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "rmse", 1);
    char *md = write_and_read(f, &f->a, "results_rmse.md");
    assert_false(exists(f->dir, "tables/results_ccc.md"));
    assert_row(md, "dense", 0, (const char *[]){"0.275" PM "0.065", DASH, DASH});
    assert_row(md, "random", 0,
               (const char *[]){"= dense", "0.575" PM "0.065" DAG, "0.715" PM "0.013"});
    assert_row(md, "magnitude", 0,
               (const char *[]){"= dense", "**0.330**" PM "0.026" DAG, "0.720" PM "0.016"});
    assert_row(
        md, "vr(lambda=0.5) (ref.)", 0,
        (const char *[]){"**0.285**" PM "0.065", "0.340" PM "0.026", "**0.500**" PM "0.082"});
    assert_contains(md, "**RMSE of the pruned models across participants.**");
    assert_contains(md, "RMSE: root mean squared error, in the target's units, on held-out "
                        "data; lower is better.");
    assert_contains(md, "best mean in its column (the lowest;");
    free(md);

    md = slurp(f->dir, "spread_rmse.md");
    assert_row(md, "random", 0, (const char *[]){"= dense", "0.065" DDAG, "0.013" DDAG});
    assert_row(md, "magnitude", 0, (const char *[]){"= dense", "**0.026**", "0.016" DAG DDAG});
    assert_row(md, "vr(lambda=0.5) (ref.)", 0,
               (const char *[]){"**0.065**", "**0.026**", "**0.082**"});
    assert_row(md, "dense", 1, (const char *[]){"0.350", DASH, DASH});
    assert_row(md, "random", 1, (const char *[]){"= dense", "0.650" DDAG, "0.730" DDAG});
    assert_row(md, "magnitude", 1, (const char *[]){"= dense", "**0.360**", "0.740" DDAG});
    assert_row(md, "vr(lambda=0.5) (ref.)", 1, (const char *[]){"**0.360**", "0.370", "**0.600**"});
    assert_contains(md, "*(b) RMSE of the worst participant (the highest; lower is better)*");
    free(md);

    char *tex = slurp(f->dir, "results_rmse.tex");
    assert_contains(tex, "\\label{tab:heist-01234567-results-rmse}\n");
    free(tex);
    free_fixture(f);
}

/* Classification: named after balanced accuracy; the caption warns when the dense model's
 * interval covers chance (1/3 with 3 classes) and counts what the data lost. */
static void test_classification_chance_and_drops(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_CLASSIFICATION, "auto", 1);
    f->mean_ci[PF_DENSE] = (pf_interval){0.30, 0.40};
    f->r->participants_dropped = 2;
    f->r->windows_dropped_margin = 1;
    char *md = write_and_read(f, &f->a, "results_balanced_accuracy.md");
    assert_true(exists(f->dir, "tables/spread_balanced_accuracy.md"));
    assert_row(md, "dense", 0, (const char *[]){"0.750" PM "0.129", DASH, DASH});
    assert_row(md, "vr(lambda=0.5) (ref.)", 0,
               (const char *[]){"= dense", "**0.550**" PM "0.129", "**0.250**" PM "0.082"});
    assert_contains(md, "**Balanced accuracy of the pruned models across participants.**");
    assert_contains(md, "Balanced accuracy: mean recall over the participant's true classes, on "
                        "held-out data; higher is better.");
    assert_contains(md, "**The dense model itself is at chance:** the 95% bootstrap interval of "
                        "its mean balanced accuracy, [0.300, 0.400], covers the chance level "
                        "0.333");
    assert_contains(md, "Left out of the data before the folds: 2 participants with fewer "
                        "windows than data.min_windows and 1 window within "
                        "data.transform_margin of the participant's threshold.");
    free(md);
    char *tex = slurp(f->dir, "results_balanced_accuracy.tex");
    assert_contains(tex, "\\label{tab:heist-01234567-results-balanced-accuracy}\n");
    assert_contains(tex, "\\textbf{The dense model itself is at chance:} the 95\\% bootstrap");
    assert_contains(tex, "``= dense'': at sparsity 0");
    assert_contains(tex, "data.min\\_windows");
    free(tex);
    /* An interval that misses chance, and nothing dropped: no such sentences. */
    f->mean_ci[PF_DENSE] = (pf_interval){0.34, 0.40};
    f->r->participants_dropped = f->r->windows_dropped_margin = 0;
    md = write_and_read(f, &f->a, "spread_balanced_accuracy.md");
    assert_null(strstr(md, "at chance"));
    assert_null(strstr(md, "Left out"));
    free(md);
    free_fixture(f);
}

/* Repeats are averaged per participant before the spread across participants: the +-0.05
 * repeat noise must not widen the sd (pooling all 8 values of magnitude at 0.5 would give
 * sqrt(0.12 / 7) = 0.131). */
static void test_repeats_averaged_first(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 2);
    char *md = write_and_read(f, &f->a, "results_ccc.md");
    assert_row(md, "magnitude", 0,
               (const char *[]){"= dense", "0.500" PM "0.129" DAG, "0.010" PM "0.008"});
    assert_contains(md, "each participant's CCC averaged over its 2 repeats first");
    free(md);
    free_fixture(f);
}

/* Special characters in names are escaped; negative numbers get a real minus in LaTeX. */
static void test_escaping_and_minus(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    snprintf(f->r->crit[2], PF_MAX_NAME, "a_b&c%%#{x}");
    size_t v = pf_results_variant(f->r, 2, 1);
    for (size_t p = 0; p < P; p++) f->r->value[pf_results_at(f->r, 0, v, p, 0)] -= 0.55;
    pf_error err = {0};
    assert_int_equal(pf_results_summarise(f->r, &err), PF_OK);
    char *tex = write_and_read(f, NULL, "results_ccc.tex");
    assert_contains(tex, "    a\\_b\\&c\\%\\#\\{x\\} & = dense & $-$0.050 $\\pm$ 0.129 & ");
    free(tex);
    char *md = write_and_read(f, NULL, "results_ccc.md");
    char cells[8][64];
    assert_int_equal(md_cells(md, "a\\_b&c%\\#\\{x\\}", 0, cells, 8), 4);
    assert_string_equal(cells[2], "-0.050" PM "0.129");
    free(md);
    free_fixture(f);
}

/* The terminal headline: the same numbers, the metric and its direction, "= dense". */
static void test_print(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "rmse", 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    pf_tables_print(fp, f->r);
    fclose(fp);
    assert_contains(buf, "mean RMSE across 4 participants, lower is better (dense model: 0.275)\n");
    assert_contains(buf, "criterion               s=0    s=0.5    s=0.8\n");
    assert_contains(buf, "magnitude           = dense    0.330    0.720\n");
    assert_contains(buf, "vr(lambda=0.5)        0.285    0.340    0.500\n");
    free(buf);
    free_fixture(f);
}

static void test_formats(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    pf_error err = {0};
    f->cfg.tables.n = 0;
    assert_int_equal(pf_tables_write(f->r, &f->a, &f->cfg, f->dir, &err), PF_OK);
    assert_false(exists(f->dir, "tables"));
    f->cfg.tables.n = 1;
    snprintf(f->cfg.tables.item[0], PF_MAX_NAME, "tex");
    assert_int_equal(pf_tables_write(f->r, &f->a, &f->cfg, f->dir, &err), PF_OK);
    assert_true(exists(f->dir, "tables/results_ccc.tex"));
    assert_true(exists(f->dir, "tables/spread_ccc.tex"));
    assert_false(exists(f->dir, "tables/results_ccc.md"));
    snprintf(f->cfg.tables.item[0], PF_MAX_NAME, "html");
    assert_int_equal(pf_tables_write(f->r, &f->a, &f->cfg, f->dir, &err), PF_EINPUT);
    assert_contains(err.msg, "html");
    free_fixture(f);
}

/* A folder that cannot be written is a runtime error, not a crash. */
static void test_unwritable(void **state)
{
    (void)state;
    fixture *f = make_fixture(PF_TASK_REGRESSION, "auto", 1);
    pf_error err = {0};
    assert_int_equal(pf_tables_write(f->r, &f->a, &f->cfg, "/nonexistent/dir", &err), PF_ERUNTIME);
    assert_contains(err.msg, "/nonexistent/dir/tables");
    free_fixture(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md_results),
        cmocka_unit_test(test_tex_results),
        cmocka_unit_test(test_dagger_threshold),
        cmocka_unit_test(test_no_analysis),
        cmocka_unit_test(test_spread_collapse),
        cmocka_unit_test(test_spread_without_random),
        cmocka_unit_test(test_rmse_direction),
        cmocka_unit_test(test_classification_chance_and_drops),
        cmocka_unit_test(test_repeats_averaged_first),
        cmocka_unit_test(test_escaping_and_minus),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_unwritable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
