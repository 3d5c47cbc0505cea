/* test_tables.c: the paper tables, on a run small enough to work out every cell by hand.
 *
 * 2 criteria (magnitude, vr(lambda=0.5), the reference) x sparsities {0.5, 0.8} x 4
 * participants, and a hand-made analysis whose Holm p-values sit on both sides of alpha.
 * Per-participant CCC (each line: mean, sample sd):
 *   dense              0.60 0.70 0.80 0.90   0.750, sqrt(0.05/3) = 0.129
 *   magnitude @0.5     0.35 0.45 0.55 0.65   0.500, 0.129
 *   vr        @0.5     0.40 0.50 0.60 0.70   0.550, 0.129   -> best mean at 0.5
 *   magnitude @0.8     0.10 0.20 0.30 0.40   0.250, 0.129   -> ties with vr: both bold
 *   vr        @0.8     0.15 0.25 0.25 0.35   0.250, sqrt(0.02/3) = 0.082
 * The grid has no 0, so the tables get a column "0" that only the dense row fills. */
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

#include "analysis.h"
#include "tables.h"

typedef struct {
    pf_config cfg;
    pf_dataset *ds;
    pf_results *r;
    pf_test_row rows[4];
    pf_analysis a;
    char dir[64];
} fixture;

static const double dense_ccc[4] = {0.60, 0.70, 0.80, 0.90};
static const double ccc[2][2][4] = {
    {{0.35, 0.45, 0.55, 0.65}, {0.10, 0.20, 0.30, 0.40}}, /* magnitude @0.5, @0.8 */
    {{0.40, 0.50, 0.60, 0.70}, {0.15, 0.25, 0.25, 0.35}}, /* vr */
};

static void set_row(pf_test_row *row, const char *test, const char *b, double s, double p_holm)
{
    memset(row, 0, sizeof *row);
    snprintf(row->test, sizeof row->test, "%s", test);
    snprintf(row->a, sizeof row->a, "vr(lambda=0.5)");
    snprintf(row->b, sizeof row->b, "%s", b);
    row->sparsity = s;
    row->n = 4;
    row->p_value = p_holm / 2;
    row->p_holm = p_holm;
}

/* The run, with `repeats` repeats spread +-0.05 around the values above (their mean). */
static fixture *make_fixture(int repeats)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    pf_error err = {0};
    pf_config_defaults(&f->cfg);
    assert_int_equal(pf_config_set(&f->cfg, "prune", "criteria", "magnitude,vr", "test", &err), 0);
    assert_int_equal(pf_config_set(&f->cfg, "prune", "sparsities", "0.5,0.8", "test", &err), 0);
    assert_int_equal(pf_config_set(&f->cfg, "output", "tables", "md,tex", "test", &err), 0);
    f->cfg.repeats = repeats;
    f->cfg.alpha = 0.05;
    f->ds = pf_dataset_alloc(0, 0, 1, 4, 0, &err);
    assert_non_null(f->ds);
    for (size_t p = 0; p < 4; p++) {
        char id[8];
        snprintf(id, sizeof id, "p%zu", p + 1);
        f->ds->participant_ids[p] = strdup(id);
    }
    f->r = pf_results_alloc(&f->cfg, f->ds, 4, &err);
    assert_non_null(f->r);
    pf_results *r = f->r;
    assert_string_equal(r->crit[1], "vr(lambda=0.5)");
    for (size_t p = 0; p < 4; p++)
        for (size_t k = 0; k < r->n_rep; k++) {
            double off = repeats == 1 ? 0 : (k % 2 ? 0.05 : -0.05);
            r->dense_ccc[p * r->n_rep + k] = dense_ccc[p] + off;
            for (size_t c = 0; c < 2; c++)
                for (size_t s = 0; s < 2; s++)
                    r->ccc[pf_results_at(r, c, s, p, k)] = ccc[c][s][p] + off;
        }
    /* Magnitude differs at 0.5 (p_holm 0.01), not at 0.8 (0.05 is not < alpha); its
     * variance differs at 0.8 only. */
    set_row(&f->rows[0], "wilcoxon", "magnitude", r->sparsity[0], 0.01);
    set_row(&f->rows[1], "wilcoxon", "magnitude", r->sparsity[1], 0.05);
    set_row(&f->rows[2], "pitman_morgan", "magnitude", r->sparsity[1], 0.001);
    set_row(&f->rows[3], "wilcoxon", "dense", r->sparsity[0], 0.0001);
    f->a = (pf_analysis){
        .n_crit = 2, .n_sp = 2, .reference = 1, .alpha = 0.05, .n_rows = 4, .rows = f->rows};
    snprintf(f->dir, sizeof f->dir, "/tmp/pf_tables_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    return f;
}

static void free_fixture(fixture *f)
{
    remove_tree(f->dir);
    pf_results_free(f->r);
    pf_dataset_free(f->ds);
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

static char *write_and_read(fixture *f, const pf_analysis *a, const char *name)
{
    pf_error err = {0};
    assert_int_equal(pf_tables_write(f->r, a, &f->cfg, f->dir, &err), PF_OK);
    char *text = slurp(f->dir, name);
    assert_non_null(text);
    return text;
}

static void test_md_results(void **state)
{
    (void)state;
    fixture *f = make_fixture(1);
    char *md = write_and_read(f, &f->a, "results.md");
    char cells[8][64];
    assert_int_equal(md_cells(md, "criterion", 0, cells, 8), 4);
    assert_string_equal(cells[1], "s = 0");
    assert_string_equal(cells[2], "s = 0.5");
    assert_string_equal(cells[3], "s = 0.8");
    /* Dense: shown once, in the (added) sparsity-0 column, never bold. */
    assert_int_equal(md_cells(md, "dense", 0, cells, 8), 4);
    assert_string_equal(cells[1], "0.750 \xc2\xb1 0.129");
    assert_string_equal(cells[2], "\xe2\x80\x93");
    assert_string_equal(cells[3], "\xe2\x80\x93");
    /* Dagger where p_holm = 0.01 < alpha; none where p_holm = 0.05; a tie at 0.8 is bold. */
    assert_int_equal(md_cells(md, "magnitude", 0, cells, 8), 4);
    assert_string_equal(cells[1], "\xe2\x80\x93");
    assert_string_equal(cells[2], "0.500 \xc2\xb1 0.129\xe2\x80\xa0");
    assert_string_equal(cells[3], "**0.250** \xc2\xb1 0.129");
    /* The reference: best at 0.5, tied at 0.8, never marked against itself. */
    assert_int_equal(md_cells(md, "vr(lambda=0.5) (ref.)", 0, cells, 8), 4);
    assert_string_equal(cells[2], "**0.550** \xc2\xb1 0.129");
    assert_string_equal(cells[3], "**0.250** \xc2\xb1 0.082");
    /* The caption names the test, the correction, alpha and n. */
    assert_non_null(strstr(md, "Wilcoxon signed-rank"));
    assert_non_null(strstr(md, "Holm-adjusted p < 0.05"));
    assert_non_null(strstr(md, "over the 4 participants"));
    assert_non_null(strstr(md, "reference criterion vr(lambda=0.5)"));
    assert_false(exists(f->dir, "tables/results.md.tmp"));
    free(md);
    free_fixture(f);
}

static void test_tex_results(void **state)
{
    (void)state;
    fixture *f = make_fixture(1);
    char *tex = write_and_read(f, &f->a, "results.tex");
    assert_non_null(strstr(tex, "\\begin{table*}"));
    assert_non_null(strstr(tex, "\\end{table*}"));
    assert_non_null(strstr(tex, "\\begin{tabular}{l*{3}{c}}"));
    assert_non_null(strstr(tex, "    criterion & 0 & 0.5 & 0.8 \\\\\n"));
    assert_non_null(strstr(tex, "    dense & 0.750 $\\pm$ 0.129 & -- & -- \\\\\n"));
    assert_non_null(strstr(tex, "    magnitude & -- & 0.500 $\\pm$ 0.129$^\\dagger$ & "
                                "\\textbf{0.250} $\\pm$ 0.129 \\\\\n"));
    assert_non_null(strstr(tex, "    vr($\\lambda$=0.5) (ref.) & -- & \\textbf{0.550} $\\pm$ "
                                "0.129 & \\textbf{0.250} $\\pm$ 0.082 \\\\\n"));
    /* booktabs rules, in order. */
    char *top = strstr(tex, "\\toprule"), *mid = strstr(tex, "\\midrule"),
         *bottom = strstr(tex, "\\bottomrule");
    assert_true(top && mid && bottom && top < mid && mid < bottom);
    assert_non_null(strstr(tex, "Holm-adjusted $p < 0.05$"));
    assert_non_null(strstr(tex, "$^\\dagger$: CCC differs from the reference criterion "
                                "vr($\\lambda$=0.5)"));
    free(tex);
    free_fixture(f);
}

/* A Holm p just under alpha marks; NaN (not testable) never does. */
static void test_dagger_threshold(void **state)
{
    (void)state;
    fixture *f = make_fixture(1);
    f->rows[1].p_holm = 0.0499;
    f->rows[0].p_holm = NAN;
    char *md = write_and_read(f, &f->a, "results.md");
    char cells[8][64];
    assert_int_equal(md_cells(md, "magnitude", 0, cells, 8), 4);
    assert_string_equal(cells[2], "0.500 \xc2\xb1 0.129");
    assert_string_equal(cells[3], "**0.250** \xc2\xb1 0.129\xe2\x80\xa0");
    free(md);
    /* Without Holm the caption must not claim it. */
    f->cfg.correction = PF_CORRECT_NONE;
    md = write_and_read(f, &f->a, "results.md");
    assert_null(strstr(md, "Holm"));
    assert_non_null(strstr(md, "unadjusted p < 0.05"));
    free(md);
    free_fixture(f);
}

/* No analysis: no marks, and the caption says there are none. */
static void test_no_analysis(void **state)
{
    (void)state;
    fixture *f = make_fixture(1);
    char *md = write_and_read(f, NULL, "results.md");
    assert_null(strstr(md, "\xe2\x80\xa0"));
    assert_non_null(strstr(md, "No significance marks"));
    char cells[8][64];
    assert_int_equal(md_cells(md, "vr(lambda=0.5)", 0, cells, 8), 4);
    assert_string_equal(cells[0], "vr(lambda=0.5)"); /* no "(ref.)" without an analysis */
    free(md);
    free_fixture(f);
}

/* Spread: sd (lowest bold, Pitman-Morgan dagger) and worst participant (highest bold). */
static void test_spread(void **state)
{
    (void)state;
    fixture *f = make_fixture(1);
    char *md = write_and_read(f, &f->a, "spread.md");
    char cells[8][64];
    assert_int_equal(md_cells(md, "magnitude", 0, cells, 8), 4); /* panel (a): sd */
    assert_string_equal(cells[2], "**0.129**");                  /* tie with vr at 0.5 */
    assert_string_equal(cells[3], "0.129\xe2\x80\xa0");
    assert_int_equal(md_cells(md, "vr(lambda=0.5) (ref.)", 0, cells, 8), 4);
    assert_string_equal(cells[2], "**0.129**");
    assert_string_equal(cells[3], "**0.082**");
    assert_int_equal(md_cells(md, "magnitude", 1, cells, 8), 4); /* panel (b): worst */
    assert_string_equal(cells[2], "0.350");
    assert_string_equal(cells[3], "0.100");
    assert_int_equal(md_cells(md, "vr(lambda=0.5) (ref.)", 1, cells, 8), 4);
    assert_string_equal(cells[2], "**0.400**");
    assert_string_equal(cells[3], "**0.150**");
    assert_int_equal(md_cells(md, "dense", 1, cells, 8), 4);
    assert_string_equal(cells[1], "0.600");
    assert_non_null(strstr(md, "Pitman-Morgan"));
    free(md);
    char *tex = write_and_read(f, &f->a, "spread.tex");
    assert_non_null(strstr(tex, "\\multicolumn{4}{l}{\\textit{(a) sd of CCC"));
    assert_non_null(strstr(tex, "    magnitude & -- & \\textbf{0.129} & 0.129$^\\dagger$ \\\\\n"));
    free(tex);
    free_fixture(f);
}

/* Special characters in names are escaped; negative numbers get a real minus in LaTeX. */
static void test_escaping_and_minus(void **state)
{
    (void)state;
    fixture *f = make_fixture(1);
    snprintf(f->r->crit[0], PF_MAX_NAME, "a_b&c%%#{x}");
    for (size_t p = 0; p < 4; p++) f->r->ccc[pf_results_at(f->r, 0, 0, p, 0)] -= 0.55;
    char *tex = write_and_read(f, NULL, "results.tex");
    assert_non_null(strstr(tex, "    a\\_b\\&c\\%\\#\\{x\\} & -- & $-$0.050 $\\pm$ 0.129 & "));
    free(tex);
    char *md = write_and_read(f, NULL, "results.md");
    char cells[8][64];
    assert_int_equal(md_cells(md, "a\\_b&c%\\#\\{x\\}", 0, cells, 8), 4);
    assert_string_equal(cells[2], "-0.050 \xc2\xb1 0.129");
    free(md);
    free_fixture(f);
}

/* Repeats are averaged per participant before the spread across participants: the +-0.05
 * repeat noise must not widen the sd (pooling all 8 values of magnitude at 0.5 would give
 * sqrt(0.12 / 7) = 0.131). */
static void test_repeats_averaged_first(void **state)
{
    (void)state;
    fixture *f = make_fixture(2);
    char *md = write_and_read(f, &f->a, "results.md");
    char cells[8][64];
    assert_int_equal(md_cells(md, "magnitude", 0, cells, 8), 4);
    assert_string_equal(cells[2], "0.500 \xc2\xb1 0.129\xe2\x80\xa0");
    assert_non_null(strstr(md, "averaged over its 2 repeats first"));
    free(md);
    free_fixture(f);
}

static void test_formats(void **state)
{
    (void)state;
    fixture *f = make_fixture(1);
    pf_error err = {0};
    f->cfg.tables.n = 0;
    assert_int_equal(pf_tables_write(f->r, &f->a, &f->cfg, f->dir, &err), PF_OK);
    assert_false(exists(f->dir, "tables"));
    f->cfg.tables.n = 1;
    snprintf(f->cfg.tables.item[0], PF_MAX_NAME, "tex");
    assert_int_equal(pf_tables_write(f->r, &f->a, &f->cfg, f->dir, &err), PF_OK);
    assert_true(exists(f->dir, "tables/results.tex"));
    assert_true(exists(f->dir, "tables/spread.tex"));
    assert_false(exists(f->dir, "tables/results.md"));
    snprintf(f->cfg.tables.item[0], PF_MAX_NAME, "html");
    assert_int_equal(pf_tables_write(f->r, &f->a, &f->cfg, f->dir, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "html"));
    free_fixture(f);
}

/* A folder that cannot be written is a runtime error, not a crash. */
static void test_unwritable(void **state)
{
    (void)state;
    fixture *f = make_fixture(1);
    pf_error err = {0};
    assert_int_equal(pf_tables_write(f->r, &f->a, &f->cfg, "/nonexistent/dir", &err), PF_ERUNTIME);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/tables"));
    free_fixture(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md_results),
        cmocka_unit_test(test_tex_results),
        cmocka_unit_test(test_dagger_threshold),
        cmocka_unit_test(test_no_analysis),
        cmocka_unit_test(test_spread),
        cmocka_unit_test(test_escaping_and_minus),
        cmocka_unit_test(test_repeats_averaged_first),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_unwritable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
