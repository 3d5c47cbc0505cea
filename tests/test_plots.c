/* test_plots.c: the figure data files, the gnuplot scripts filled from the templates, and how
 * gnuplot is run (or not), on a run small enough to know every plotted number.
 *
 * 2 criteria (magnitude, vr(lambda=0.5)) x sparsities {0.5, 0.8} x 4 participants, 1 repeat,
 * the primary metric CCC (or RMSE, or ccc[arousal], with the same numbers):
 *   dense              0.60 0.70 0.80 0.90   mean 0.75, sd sqrt(0.05/3) = 0.1290994449,
 *                                            min 0.6, p10 0.6 + 0.3 * 0.1 = 0.63
 *   magnitude @0.5     0.35 0.45 0.55 0.65   0.5,  0.1290994449, 0.35, 0.38
 *   magnitude @0.8     0.10 0.20 0.30 0.40   0.25, 0.1290994449, 0.1,  0.13
 *   vr        @0.5     0.40 0.50 0.60 0.70   0.55, 0.1290994449, 0.4,  0.43
 *   vr        @0.8     0.15 0.25 0.25 0.35   0.25, sqrt(0.02/3) = 0.08164965809, 0.15, 0.18
 * Bootstrap intervals are made up (the plots only copy them). gnuplot itself is replaced by
 * small shell scripts where the test is about how it is run, and used for real (when it is
 * installed) to check that every figure renders. */
#include <dirent.h>
#include <errno.h>
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

#include "report/plots.h"
#include "stats/analysis.h"

static const char *const figure_names[] = {"mean_ccc", "sd_ccc",     "worst_ccc",
                                           "box_ccc",  "pareto_ccc", "size_ccc"};
static const char *const template_names[] = {"mean", "sd", "worst", "box", "pareto", "size"};
#define N_FIG 6

typedef struct {
    pf_config cfg;
    pf_results *r;
    pf_interval mean_ci[5], sd_ci[5]; /* [variant] */
    pf_analysis a;
    char dir[64], bin[64]; /* output folder; a folder for a fake gnuplot */
    char *saved_path;
} fixture;

static const double dense_vals[4] = {0.60, 0.70, 0.80, 0.90};
static const double vals[2][2][4] = {
    {{0.35, 0.45, 0.55, 0.65}, {0.10, 0.20, 0.30, 0.40}},
    {{0.40, 0.50, 0.60, 0.70}, {0.15, 0.25, 0.25, 0.35}},
};

/* The study, summarised, with the values above in every metric; stats_metric picks the primary
 * one ("auto" = ccc, "rmse"; with two targets, "ccc[arousal]"). */
static fixture *make_fixture_for(const char *formats, const char *stats_metric, size_t n_targets)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    pf_error err = {0};
    pf_config_defaults(&f->cfg);
    assert_int_equal(pf_config_set(&f->cfg, "output", "figures", formats, "test", &err), 0);
    char *targets[] = {"arousal", "valence"};
    f->r = make_results((pf_results_shape){.n_targets = n_targets,
                                           .target_names = n_targets > 1 ? targets : NULL,
                                           CRITERIA("magnitude", "vr(lambda=0.5)"),
                                           SPARSITIES(0.5, 0.8),
                                           .n_part = 4,
                                           .stats_metric = stats_metric});
    pf_results *r = f->r;
    for (size_t m = 0; m < r->n_metric; m++) {
        put_values(r, m, PF_DENSE, dense_vals, 0);
        for (size_t c = 0; c < 2; c++)
            for (size_t s = 0; s < 2; s++)
                put_values(r, m, pf_results_variant(r, c + 1, s), vals[c][s], 0);
    }
    /* Stored sizes shrink with sparsity: the size figure's x axis. */
    for (size_t fo = 0; fo < 4; fo++)
        for (size_t v = 0; v < r->n_var; v++)
            pf_results_record(r, fo, 0, v)->stored_bytes =
                (long long)(1000 * (1 - r->variant[v].sparsity)) + 100 + (long long)fo;
    assert_int_equal(pf_results_summarise(r, &err), PF_OK);
    static const pf_interval mean_ci[5] = {
        {0.65, 0.85}, {0.41, 0.59}, {0.16, 0.34}, {0.46, 0.64}, {0.2, 0.3}};
    static const pf_interval sd_ci[5] = {
        {0.04, 0.19}, {0.05, 0.2}, {0.06, 0.21}, {0.07, 0.22}, {0.03, 0.12}};
    memcpy(f->mean_ci, mean_ci, sizeof mean_ci);
    memcpy(f->sd_ci, sd_ci, sizeof sd_ci);
    f->a = (pf_analysis){.n_var = 5,
                         .n_crit = 3,
                         .n_sp = 2,
                         .reference = 2,
                         .alpha = 0.05,
                         .mean_ci = f->mean_ci,
                         .sd_ci = f->sd_ci};
    snprintf(f->dir, sizeof f->dir, "/tmp/pf_plots_XXXXXX");
    snprintf(f->bin, sizeof f->bin, "/tmp/pf_plots_bin_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_non_null(mkdtemp(f->bin));
    f->saved_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    return f;
}

static fixture *make_fixture(const char *formats)
{
    return make_fixture_for(formats, "auto", 1);
}

static void free_fixture(fixture *f)
{
    setenv("PATH", f->saved_path, 1);
    free(f->saved_path);
    remove_tree(f->dir);
    remove_tree(f->bin);
    pf_results_free(f->r);
    free(f);
}

/* Put a fake gnuplot (a shell script body) first... and alone on PATH. */
static void fake_gnuplot(fixture *f, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "%s/gnuplot", f->bin);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "#!/bin/sh\n%s", body);
    fclose(fp);
    assert_int_equal(chmod(path, 0755), 0);
    setenv("PATH", f->bin, 1);
}

static char *slurp(const fixture *f, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/figures/%s", f->dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return strdup(buf);
}

static int exists(const fixture *f, const char *name, const char *ext)
{
    char path[256];
    snprintf(path, sizeof path, "%s/figures/%s%s", f->dir, name, ext);
    return access(path, F_OK) == 0;
}

static int write_plots(fixture *f, const pf_analysis *a, int *rendered, pf_error *err)
{
    return pf_plots_write(f->r, a, &f->cfg, f->dir, rendered, err);
}

static void assert_contains(const char *text, const char *want)
{
    if (!text)
        fail_msg("missing file (NULL text) while looking for:\n%s", want);
    else if (!strstr(text, want))
        fail_msg("missing:\n%s\nin:\n%s", want, text);
}

/* Without gnuplot on PATH: data and scripts anyway, nothing rendered, no failure. */
static void test_no_gnuplot(void **state)
{
    (void)state;
    fixture *f = make_fixture("png,pdf");
    setenv("PATH", f->bin, 1); /* an empty folder */
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_OK);
    assert_int_equal(rendered, 0);
    for (size_t i = 0; i < N_FIG; i++) {
        assert_true(exists(f, figure_names[i], ".dat"));
        assert_true(exists(f, figure_names[i], ".gp"));
        assert_false(exists(f, figure_names[i], ".png"));
        assert_false(exists(f, figure_names[i], ".dat.tmp"));
    }
    free_fixture(f);
}

static void test_data_files(void **state)
{
    (void)state;
    fixture *f = make_fixture("png");
    setenv("PATH", f->bin, 1);
    pf_error err = {0};
    int rendered;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_OK);

    char *t = slurp(f, "mean_ccc.dat");
    assert_contains(t, "# metric: ccc (Lin's concordance correlation coefficient; higher is "
                       "better)\n");
    assert_contains(t, "# columns: sparsity mean_ccc ci_lo ci_hi\n");
    assert_contains(t, "# index 0: dense\n0 0.75 0.65 0.85\n0.8 0.75 0.65 0.85\n\n\n");
    assert_contains(t, "# index 1: magnitude\n0.5 0.5 0.41 0.59\n0.8 0.25 0.16 0.34\n");
    assert_contains(t, "# index 2: vr(lambda=0.5)\n0.5 0.55 0.46 0.64\n0.8 0.25 0.2 0.3\n");
    free(t);

    t = slurp(f, "sd_ccc.dat");
    assert_contains(t, "# index 0: dense\n0 0.1290994449 0.04 0.19\n");
    assert_contains(t, "# index 1: magnitude\n0.5 0.1290994449 0.05 0.2\n"
                       "0.8 0.1290994449 0.06 0.21\n");
    assert_contains(t, "0.8 0.08164965809 0.03 0.12\n");
    free(t);

    t = slurp(f, "worst_ccc.dat");
    assert_contains(t, "# columns: sparsity worst_ccc tail_ccc\n");
    assert_contains(t, "# index 0: dense\n0 0.6 0.63\n0.8 0.6 0.63\n");
    assert_contains(t, "# index 1: magnitude\n0.5 0.35 0.38\n0.8 0.1 0.13\n");
    assert_contains(t, "# index 2: vr(lambda=0.5)\n0.5 0.4 0.43\n0.8 0.15 0.18\n");
    free(t);

    t = slurp(f, "box_ccc.dat"); /* 2 grid points: both shown */
    assert_contains(t, "# index 0: magnitude at sparsity 0.5\n0 0.35\n1 0.45\n2 0.55\n3 0.65\n");
    assert_contains(t, "# index 3: vr(lambda=0.5) at sparsity 0.8\n0 0.15\n1 0.25\n2 0.25\n");
    assert_contains(t, "# index 4: dense\n0 0.6\n1 0.7\n2 0.8\n3 0.9\n");
    free(t);

    t = slurp(f, "pareto_ccc.dat");
    assert_contains(t, "# columns: sd_ccc mean_ccc sparsity\n");
    assert_contains(t, "# index 0: dense\n0.1290994449 0.75 0\n");
    assert_contains(t,
                    "# index 2: vr(lambda=0.5)\n0.1290994449 0.55 0.5\n0.08164965809 0.25 0.8\n");
    free(t);
    free_fixture(f);
}

/* Without an analysis the intervals are NaN (gnuplot's "missing"), the rest unchanged. */
static void test_no_analysis(void **state)
{
    (void)state;
    fixture *f = make_fixture("png");
    setenv("PATH", f->bin, 1);
    pf_error err = {0};
    int rendered;
    assert_int_equal(write_plots(f, NULL, &rendered, &err), PF_OK);
    char *t = slurp(f, "mean_ccc.dat");
    assert_contains(t, "# index 1: magnitude\n0.5 0.5 NaN NaN\n");
    free(t);
    free_fixture(f);
}

/* The scripts read their data by relative name, write NAME.<fmt>, carry the criteria with one
 * colour each (the same in every figure), and leave no placeholder unfilled. */
static void test_scripts(void **state)
{
    (void)state;
    fixture *f = make_fixture("pdf");
    setenv("PATH", f->bin, 1);
    pf_error err = {0};
    int rendered;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_OK);
    const char *colors = "array colors[N] = [\"#0072B2\", \"#D55E00\"]\n";
    for (size_t i = 0; i < N_FIG; i++) {
        char name[64], want[128];
        snprintf(name, sizeof name, "%s.gp", figure_names[i]);
        char *t = slurp(f, name);
        assert_non_null(t);
        snprintf(want, sizeof want, "DATA = \"%s.dat\"\n", figure_names[i]);
        assert_contains(t, want);
        snprintf(want, sizeof want, "set output \"%s.\" . fmt\n", figure_names[i]);
        assert_contains(t, want);
        assert_contains(t, "if (!exists(\"formats\")) formats = \"pdf\"\n");
        assert_contains(t, "array names[N] = [\"magnitude\", \"vr(\xce\xbb=0.5)\"]\n");
        assert_contains(t, colors);
        assert_contains(t, "set xlabel");
        assert_contains(t, "set ylabel");
        assert_contains(t, "set label 99 \"");
        for (const char *p = strchr(t, '@'); p; p = strchr(p + 1, '@')) {
            size_t n = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
            if (n > 0 && p[1 + n] == '@')
                fail_msg("unfilled placeholder in %s: %.*s", name, (int)n + 2, p);
        }
        free(t);
    }
    char *t = slurp(f, "box_ccc.gp");
    assert_contains(t, "NG = 2\n");
    assert_contains(t, "array panels[NG] = [\"0.5\", \"0.8\"]\n");
    assert_contains(t, "set ylabel \"CCC per participant (higher is better)\"\n");
    free(t);
    /* Titles and axes name the metric and its direction. */
    t = slurp(f, "mean_ccc.gp");
    assert_contains(t, "set label 99 \"Mean CCC vs sparsity (4 participants; higher is better)\"");
    assert_contains(t, "set xlabel \"sparsity (fraction of weights pruned)\"\n");
    assert_contains(t, "set ylabel \"mean CCC across participants (higher is better)\"\n");
    assert_contains(t, "CI = \"95%\"");
    assert_contains(t, "HIGHER_IS_BETTER = 1\n");
    free(t);
    t = slurp(f, "sd_ccc.gp");
    assert_contains(t, "set label 99 \"Spread of CCC across 4 participants vs sparsity\"");
    assert_contains(t, "set ylabel \"sd of CCC across participants (lower is more even)\"\n");
    free(t);
    t = slurp(f, "worst_ccc.gp");
    assert_contains(t, "set label 99 \"Worst-case CCC vs sparsity (4 participants; worst = lowest "
                       "CCC)\"");
    assert_contains(t, "title \"worst participant (lowest CCC)\"");
    assert_contains(t, "title \"10th percentile (the bad tail)\"");
    free(t);
    t = slurp(f, "pareto_ccc.gp");
    assert_contains(t, "set xlabel \"sd of CCC across participants (lower is more even)\"\n");
    assert_contains(t, "set ylabel \"mean CCC across participants (higher is better)\"\n");
    free(t);
    free_fixture(f);
}

/* RMSE as the primary metric: files named after it, "worst" is the highest RMSE and the bad
 * tail the 90th percentile, words and the Pareto arrow say lower is better. Per participant
 * the dense model's 0.6 0.7 0.8 0.9 give worst 0.9 and p90 0.8 + 0.7 * 0.1 = 0.87. */
static void test_rmse(void **state)
{
    (void)state;
    fixture *f = make_fixture_for("png", "rmse", 1);
    setenv("PATH", f->bin, 1);
    pf_error err = {0};
    int rendered;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_OK);
    static const char *const names[] = {"mean_rmse", "sd_rmse",     "worst_rmse",
                                        "box_rmse",  "pareto_rmse", "size_rmse"};
    for (size_t i = 0; i < N_FIG; i++) {
        assert_true(exists(f, names[i], ".dat"));
        assert_true(exists(f, names[i], ".gp"));
        assert_false(exists(f, figure_names[i], ".gp"));
    }
    char *t = slurp(f, "size_rmse.dat");
    /* Dense float32: sizes 1100..1103 over the four folds, mean 1101.5; 32 bits, sparsity 0. */
    assert_contains(t, "# columns: bytes mean_rmse bits sparsity\n");
    assert_contains(t, "# index 0: dense, at every width (float32 first)\n1101.5 ");
    assert_contains(t, " 32 0\n");
    free(t);
    t = slurp(f, "worst_rmse.dat");
    assert_contains(t, "# columns: sparsity worst_rmse tail_rmse\n");
    assert_contains(t, "# index 0: dense\n0 0.9 0.87\n0.8 0.9 0.87\n");
    assert_contains(t, "# index 1: magnitude\n0.5 0.65 0.62\n0.8 0.4 0.37\n");
    free(t);
    t = slurp(f, "worst_rmse.gp");
    assert_contains(t,
                    "set label 99 \"Worst-case RMSE vs sparsity (4 participants; worst = highest "
                    "RMSE)\"");
    assert_contains(t, "set ylabel \"RMSE (lower is better)\"\n");
    assert_contains(t, "title \"worst participant (highest RMSE)\"");
    assert_contains(t, "title \"90th percentile (the bad tail)\"");
    free(t);
    t = slurp(f, "mean_rmse.gp");
    assert_contains(t, "set label 99 \"Mean RMSE vs sparsity (4 participants; lower is better)\"");
    assert_contains(t, "DATA = \"mean_rmse.dat\"\n");
    assert_contains(t, "set output \"mean_rmse.\" . fmt\n");
    free(t);
    t = slurp(f, "pareto_rmse.gp");
    assert_contains(t, "HIGHER_IS_BETTER = 0\n");
    free(t);
    free_fixture(f);
}

/* A per-output metric: brackets never reach a file name; the words name the output. */
static void test_bracketed_metric(void **state)
{
    (void)state;
    fixture *f = make_fixture_for("png", "ccc[arousal]", 2);
    setenv("PATH", f->bin, 1);
    pf_error err = {0};
    int rendered;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_OK);
    assert_true(exists(f, "mean_ccc_arousal", ".gp"));
    assert_true(exists(f, "box_ccc_arousal", ".dat"));
    char *t = slurp(f, "mean_ccc_arousal.gp");
    assert_contains(t, "set label 99 \"Mean CCC (arousal) vs sparsity (4 participants; higher is "
                       "better)\"");
    assert_contains(t, "set output \"mean_ccc_arousal.\" . fmt\n");
    free(t);
    free_fixture(f);
}

/* gnuplot runs in the figures folder with the script's relative name; what it writes counts. */
static void test_fake_gnuplot_renders(void **state)
{
    (void)state;
    fixture *f = make_fixture("png");
    fake_gnuplot(f, "[ -f \"$1\" ] && [ -f \"${1%.gp}.dat\" ] || exit 3\n"
                    "printf 'img' > \"${1%.gp}.png\"\n");
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_OK);
    assert_int_equal(rendered, N_FIG);
    for (size_t i = 0; i < N_FIG; i++) assert_true(exists(f, figure_names[i], ".png"));
    free_fixture(f);
}

/* A failing gnuplot is a runtime error carrying gnuplot's own message. */
static void test_gnuplot_failure(void **state)
{
    (void)state;
    fixture *f = make_fixture("png");
    fake_gnuplot(f, "echo \"\\\"$1\\\" line 7: undefined variable: foo\" >&2\nexit 1\n");
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_ERUNTIME);
    assert_int_equal(rendered, 0);
    assert_contains(err.msg, "gnuplot failed (exit 1)");
    assert_contains(err.msg, "mean_ccc.gp");
    assert_contains(err.msg, "line 7: undefined variable: foo");
    free_fixture(f);
}

/* Exit 0 without the image is a failure too, and a stale image is not counted. */
static void test_gnuplot_writes_nothing(void **state)
{
    (void)state;
    fixture *f = make_fixture("png");
    char stale[256];
    snprintf(stale, sizeof stale, "%s/figures", f->dir);
    assert_int_equal(mkdir(stale, 0777), 0);
    snprintf(stale, sizeof stale, "%s/figures/mean_ccc.png", f->dir);
    FILE *fp = fopen(stale, "w");
    fputs("old", fp);
    fclose(fp);
    fake_gnuplot(f, "exit 0\n");
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_ERUNTIME);
    assert_contains(err.msg, "wrote no mean_ccc.png");
    assert_false(exists(f, "mean_ccc", ".png"));
    free_fixture(f);
}

static void test_no_figures(void **state)
{
    (void)state;
    fixture *f = make_fixture("png");
    f->cfg.figures.n = 0;
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(write_plots(f, &f->a, &rendered, &err), PF_OK);
    assert_int_equal(rendered, 0);
    char path[128];
    snprintf(path, sizeof path, "%s/figures", f->dir);
    assert_int_equal(access(path, F_OK), -1);
    free_fixture(f);
}

static int have_gnuplot(const char *path)
{
    char buf[4096], cand[4200];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *dir = strtok(buf, ":"); dir; dir = strtok(NULL, ":")) {
        snprintf(cand, sizeof cand, "%s/gnuplot", dir);
        if (access(cand, X_OK) == 0) return 1;
    }
    return 0;
}

static int file_starts_with(const fixture *f, const char *name, const char *magic, size_t n)
{
    char path[256], head[16] = {0};
    snprintf(path, sizeof path, "%s/figures/%s", f->dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    size_t got = fread(head, 1, n, fp);
    fclose(fp);
    return got == n && memcmp(head, magic, n) == 0;
}

/* The real gnuplot renders every figure in both formats. */
static void test_real_gnuplot(void **state)
{
    (void)state;
    fixture *f = make_fixture("png,pdf");
    if (!have_gnuplot(f->saved_path)) {
        free_fixture(f);
        skip();
    }
    pf_error err = {0};
    int rendered = -1;
    int rc = write_plots(f, &f->a, &rendered, &err);
    if (rc != PF_OK) fail_msg("%s", err.msg);
    assert_int_equal(rendered, 2 * N_FIG);
    for (size_t i = 0; i < N_FIG; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.png", figure_names[i]);
        assert_true(file_starts_with(f, name, "\x89PNG\r\n\x1a\n", 8));
        snprintf(name, sizeof name, "%s.pdf", figure_names[i]);
        assert_true(file_starts_with(f, name, "%PDF", 4));
    }
    free_fixture(f);
}

static void test_box_sparsities(void **state)
{
    (void)state;
    size_t idx[3];
    const double grid[] = {0, 0.2, 0.4, 0.6, 0.8, 0.9};
    /* 0.5 is halfway between 0.4 and 0.6: the sparser one. */
    assert_int_equal(pf_plots_box_sparsities(grid, 6, idx, 3), 3);
    assert_int_equal(idx[0], 3);
    assert_int_equal(idx[1], 4);
    assert_int_equal(idx[2], 5);
    const double uneven[] = {0.1, 0.5, 0.7, 0.95, 0.99};
    assert_int_equal(pf_plots_box_sparsities(uneven, 5, idx, 3), 3);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 2);
    assert_int_equal(idx[2], 3);
    const double shared[] = {0, 0.1, 0.2, 0.9}; /* 0.8 and 0.9 both pick 0.9 */
    assert_int_equal(pf_plots_box_sparsities(shared, 4, idx, 3), 2);
    assert_int_equal(idx[0], 2);
    assert_int_equal(idx[1], 3);
    const double few[] = {0.3, 0.7};
    assert_int_equal(pf_plots_box_sparsities(few, 2, idx, 3), 2);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
}

/* Each criterion its row's style; a second variant of a row, or a name without one, the next
 * spare colour no row of the list wears (synflow's, later in the list, is skipped). */
static void test_styles(void **state)
{
    (void)state;
    const char *names[] = {"magnitude", "vr(lambda=0.5)", "vr(lambda=1)", "synflow", "nosuch"};
    const char *colour[5];
    int point[5];
    pf_plots_styles(names, 5, colour, point);
    static const char *const want_colour[5] = {"#0072B2", "#D55E00", "#56B4E9", "#CC79A7",
                                               "#882255"};
    static const int want_point[5] = {5, 7, 7, 15, 7};
    for (size_t k = 0; k < 5; k++) {
        assert_string_equal(colour[k], want_colour[k]);
        assert_int_equal(point[k], want_point[k]);
    }
}

/* The templates are embedded and carry the placeholders the program fills. */
static void test_templates_embedded(void **state)
{
    (void)state;
    const char *common = pf_plots_template("common");
    assert_non_null(common);
    assert_non_null(strstr(common, "@BODY@"));
    assert_non_null(strstr(common, "pngcairo"));
    assert_non_null(strstr(common, "pdfcairo"));
    for (size_t i = 0; i < N_FIG; i++) assert_non_null(pf_plots_template(template_names[i]));
    assert_null(pf_plots_template("no_such_figure"));
}

/* Embedding is byte-exact (backslashes, quotes, '?' survive): each embedded template equals
 * its file in plots/. Needs the source tree (PF_SRCDIR, set by `make check`). */
static void test_templates_match_files(void **state)
{
    (void)state;
    const char *src = getenv("PF_SRCDIR");
    if (!src) skip();
    const char *names[N_FIG + 1] = {"common"};
    for (size_t i = 0; i < N_FIG; i++) names[i + 1] = template_names[i];
    for (size_t i = 0; i <= N_FIG; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/plots/%s.gp", src, names[i]);
        FILE *fp = fopen(path, "rb");
        if (!fp) fail_msg("cannot open %s", path);
        static char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf - 1, fp);
        buf[n] = '\0';
        fclose(fp);
        assert_string_equal(pf_plots_template(names[i]), buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_gnuplot),
        cmocka_unit_test(test_data_files),
        cmocka_unit_test(test_no_analysis),
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_rmse),
        cmocka_unit_test(test_bracketed_metric),
        cmocka_unit_test(test_fake_gnuplot_renders),
        cmocka_unit_test(test_gnuplot_failure),
        cmocka_unit_test(test_gnuplot_writes_nothing),
        cmocka_unit_test(test_no_figures),
        cmocka_unit_test(test_real_gnuplot),
        cmocka_unit_test(test_box_sparsities),
        cmocka_unit_test(test_styles),
        cmocka_unit_test(test_templates_embedded),
        cmocka_unit_test(test_templates_match_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
