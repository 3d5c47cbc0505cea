/* test_sweepplots.c: the sweep's figures (sweep/cdplot.h, sweep/axisplot.h, sweep/figfile.h,
 * and their text, report/gptext.h): the .dat files read back to exactly the numbers given, the
 * diagram's layout and cliques on Demsar's (2006) Table 6, the scripts render when gnuplot is
 * installed, a fake gnuplot shows how it is run, and no error leaves a file half-written or one
 * file of the pair without the other. */
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

#include "report/gptext.h"
#include "sweep/axisplot.h"
#include "sweep/cdplot.h"
#include "sweep/compare.h"
#include "sweep/figfile.h"

/* Demsar (2006), Table 6 (see tests/test_compare.c): C4.5, C4.5+m, C4.5+cf, C4.5+m+cf. */
static const double demsar[14 * 4] = {
    0.763, 0.768, 0.771,   0.798, 0.599, 0.591, 0.590, 0.569, 0.954, 0.971, 0.968, 0.967,
    0.628, 0.661, 0.654,   0.657, 0.882, 0.888, 0.886, 0.898, 0.936, 0.931, 0.916, 0.931,
    0.661, 0.668, 0.609,   0.685, 0.583, 0.583, 0.563, 0.625, 0.775, 0.838, 0.866, 0.875,
    1.000, 1.000, 1.000,   1.000, 0.940, 0.962, 0.965, 0.962, 0.619, 0.666, 0.614, 0.669,
    0.972, 0.981, 0.97501, 0.975, 0.957, 0.978, 0.946, 0.970};
static const char *const demsar_names[4] = {"C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf"};

/* ---- scratch folders, PATH, files ---- */

typedef struct {
    char dir[64], bin[64]; /* the figures' folder; a folder for a fake gnuplot */
    char *saved_path;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/pf_sweepfig_XXXXXX");
    snprintf(f->bin, sizeof f->bin, "/tmp/pf_sweepfig_bin_XXXXXX");
    if (!mkdtemp(f->dir) || !mkdtemp(f->bin)) return -1;
    f->saved_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    setenv("PATH", f->saved_path, 1);
    free(f->saved_path);
    remove_tree(f->dir);
    remove_tree(f->bin);
    free(f);
    return 0;
}

static void no_gnuplot(const fixture *f)
{
    setenv("PATH", f->bin, 1); /* an empty folder */
}

static void fake_gnuplot(const fixture *f, const char *body)
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

static char *slurp(const char *dir, const char *file)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return strdup(buf);
}

static int exists(const char *dir, const char *file)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return access(path, F_OK) == 0;
}

/* How many entries the folder holds (temporary files included). */
static size_t n_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void assert_contains(const char *text, const char *want)
{
    if (!text)
        fail_msg("missing file while looking for:\n%s", want);
    else if (!strstr(text, want))
        fail_msg("missing:\n%s\nin:\n%s", want, text);
}

/* The width and height of a PNG (its IHDR chunk), 0 when it is not one. */
static void png_size(const char *dir, const char *file, unsigned *w, unsigned *h)
{
    char path[256];
    unsigned char b[24] = {0};
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *fp = fopen(path, "rb");
    size_t got = fp ? fread(b, 1, sizeof b, fp) : 0;
    if (fp) fclose(fp);
    *w = *h = 0;
    if (got < 24 || memcmp(b, "\x89PNG", 4) != 0) return;
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
}

/* ---- reading a .dat back ---- */

#define MAX_ROWS 32
#define MAX_COLS 6

/* The numbers of gnuplot block `index` of text: rows of up to MAX_COLS numbers (strtod reads
 * "NaN" as NaN); '#' lines skipped, a run of two or more empty lines ends a block. Returns the
 * number of rows; *n_cols the numbers in its last row. */
static size_t dat_block(const char *text, size_t index, double v[MAX_ROWS][MAX_COLS],
                        size_t *n_cols)
{
    size_t block = 0, rows = 0, blank = 0;
    *n_cols = 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0) {
            if (++blank == 2) block++;
        } else {
            blank = 0;
            if (*p != '#' && block == index) {
                char line[512], *q = line, *next;
                snprintf(line, sizeof line, "%.*s", (int)len, p);
                assert_true(rows < MAX_ROWS);
                size_t c = 0;
                for (double d = strtod(q, &next); next != q && c < MAX_COLS; d = strtod(q, &next)) {
                    v[rows][c++] = d;
                    q = next;
                }
                *n_cols = c;
                rows++;
            }
        }
        p += len + (end != NULL);
    }
    return rows;
}

/* Exactly the same double, NaN matching NaN. */
#define assert_same(got, want) same_((got), (want), #got, __FILE__, __LINE__)
static void same_(double got, double want, const char *expr, const char *file, int line)
{
    if ((isnan(got) && isnan(want)) || got == want) return;
    print_error("%s = %.17g, expected exactly %.17g\n", expr, got, want);
    _fail(file, line);
}

static pf_compare *demsar_compare(double alpha)
{
    pf_error err = {0};
    pf_compare *c = pf_compare_alloc(14, 4, &err);
    assert_non_null(c);
    assert_int_equal(pf_compare_run(c, demsar, 1, 0, alpha, &err), PF_OK);
    return c;
}

static const pf_cdplot_words demsar_words = {"AUC", NULL, 0.8, 32, 0};

/* ---- the critical-difference diagram ---- */

/* Demsar's Figure 1(a) (alpha 0.10): the .dat holds the comparison's numbers exactly and the
 * layout worked out by hand. Best first: C4.5+m+cf 1.964 and C4.5+m 2.000 on the right (the
 * better half; the best outermost, row 0), C4.5+cf 2.893 and C4.5 3.143 on the left (the worst
 * outermost, row 0). The CD bar runs from rank 4 to 4 - CD. Two cliques: {C4.5+m+cf .. C4.5+cf}
 * at level 0, {C4.5+cf, C4.5} at level 1 (tests/test_compare.c works them out). */
static void test_cd_demsar_files(void **state)
{
    fixture *f = *state;
    no_gnuplot(f);
    pf_compare *c = demsar_compare(0.10);
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd_auc", "png pdf",
                                     &rendered, &err),
                     PF_OK);
    assert_int_equal(rendered, 0); /* no gnuplot: the two files, nothing else */
    assert_int_equal(n_entries(f->dir), 2);
    char *dat = slurp(f->dir, "cd_auc.dat");
    assert_non_null(dat);
    double v[MAX_ROWS][MAX_COLS];
    size_t cols;
    /* index 0: average_rank side row criterion (1-based) */
    assert_int_equal(dat_block(dat, 0, v, &cols), 4);
    assert_int_equal(cols, 4);
    const double want[4][4] = {
        {27.5 / 14, 1, 0, 4}, {2, 1, 1, 2}, {40.5 / 14, -1, 1, 3}, {44.0 / 14, -1, 0, 1}};
    for (size_t i = 0; i < 4; i++) {
        assert_same(v[i][0], c->avg_rank[c->order[i]]);
        for (size_t j = 0; j < 4; j++) assert_near(v[i][j], want[i][j], 1e-15);
    }
    /* index 1: from to cd */
    assert_int_equal(dat_block(dat, 1, v, &cols), 1);
    assert_same(v[0][0], 4);
    assert_same(v[0][1], 4 - c->friedman.cd);
    assert_same(v[0][2], c->friedman.cd);
    assert_near(v[0][2], 1.1180601669815278, 1e-9);
    /* index 2: the cliques, best_rank worst_rank level */
    assert_int_equal(dat_block(dat, 2, v, &cols), 2);
    assert_same(v[0][0], 27.5 / 14);
    assert_same(v[0][1], 40.5 / 14);
    assert_same(v[0][2], 0);
    assert_same(v[1][0], 40.5 / 14);
    assert_same(v[1][1], 44.0 / 14);
    assert_same(v[1][2], 1);
    assert_contains(dat, "#   4 C4.5+m+cf");
    free(dat);
    char *gp = slurp(f->dir, "cd_auc.gp");
    assert_contains(gp, "DATA = \"cd_auc.dat\"");
    assert_contains(gp, "array names[K] = [\"C4.5\", \"C4.5+m\", \"C4.5+cf\", \"C4.5+m+cf\"]");
    assert_contains(gp, "if (!exists(\"formats\")) formats = \"png pdf\"");
    /* the title: metric, blocks, sparsity, width, both p-values (tests/test_compare.c pins
     * them: 0.016721580328441323 and 0.011620659515310954), the CD and its alpha */
    assert_contains(gp, "TITLE = \"Average rank of AUC over 14 data sets (sparsity 0.8, float32 "
                        "weights)\\nFriedman p = 0.0167, Iman-Davenport p = 0.0116; Nemenyi CD = "
                        "1.12 at \xce\xb1 = 0.1\"");
    assert_contains(gp, "DATA index 2 using"); /* the clique bars are drawn */
    free(gp);
    pf_compare_free(c);

    /* alpha 0.05: one group of all four, a 4-bit width, "games" */
    c = demsar_compare(0.05);
    pf_cdplot_words w = {"AUC", "games", 0.5, 4, 0};
    assert_int_equal(pf_cdplot_write(c, demsar_names, &w, f->dir, "cd_auc", "", &rendered, &err),
                     PF_OK);
    dat = slurp(f->dir, "cd_auc.dat");
    assert_int_equal(dat_block(dat, 2, v, &cols), 1);
    assert_same(v[0][0], 27.5 / 14);
    assert_same(v[0][1], 44.0 / 14);
    free(dat);
    gp = slurp(f->dir, "cd_auc.gp");
    assert_contains(gp, "over 14 games (sparsity 0.5, weights at 4 bits)");
    assert_contains(gp, "Nemenyi CD = 1.25 at \xce\xb1 = 0.05");
    free(gp);
    pf_compare_free(c);
}

/* Statuses in the title instead of p-values, no clique block when there is no clique, an odd k
 * (the better half gets the extra name), lambda as the Greek letter. */
static void test_cd_status_and_layout(void **state)
{
    fixture *f = *state;
    no_gnuplot(f);
    pf_error err = {0};
    /* two blocks, three criteria: Friedman too_few ((3!)^-1 > 0.05); ranks 3, 2, 1 on both
     * blocks and CD = 2.3437 * sqrt(12 / 12) = 2.34 > 2: one group */
    const double v2[2 * 3] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    pf_compare *c = pf_compare_alloc(2, 3, &err);
    assert_int_equal(pf_compare_run(c, v2, 1, 2, 0.05, &err), PF_OK);
    const char *names[3] = {"magnitude", "snip", "vr(lambda=0.5)"};
    int rendered;
    assert_int_equal(
        pf_cdplot_write(c, names, &demsar_words, f->dir, "cd3", "png", &rendered, &err), PF_OK);
    char *gp = slurp(f->dir, "cd3.gp");
    assert_contains(gp, "Friedman: too_few, Iman-Davenport: too_few");
    assert_contains(gp, "\"vr(\xce\xbb=0.5)\"");
    assert_contains(gp, "if (!exists(\"formats\")) formats = \"png\"");
    free(gp);
    char *dat = slurp(f->dir, "cd3.dat");
    double v[MAX_ROWS][MAX_COLS];
    size_t cols;
    assert_int_equal(dat_block(dat, 0, v, &cols), 3);
    /* best first: vr (1) right row 0, snip (2) right row 1, magnitude (3) left row 0 */
    assert_same(v[0][1], 1);
    assert_same(v[0][2], 0);
    assert_same(v[0][3], 3);
    assert_same(v[1][1], 1);
    assert_same(v[1][2], 1);
    assert_same(v[2][1], -1);
    assert_same(v[2][2], 0);
    free(dat);
    pf_compare_free(c);

    /* 30 blocks that all rank four criteria alike: ranks 1, 2, 3, 4, and CD = 2.569 sqrt(20 /
     * 180) = 0.856 < 1: every pair differs, no group, no clique block */
    double alike[30 * 4];
    for (size_t i = 0; i < 30 * 4; i++) alike[i] = (double)(i % 4) + 0.01 * (double)(i / 4);
    c = pf_compare_alloc(30, 4, &err);
    assert_int_equal(pf_compare_run(c, alike, 0, 0, 0.05, &err), PF_OK);
    assert_near(c->friedman.cd, 2.5690317725 * sqrt(20.0 / 180), 1e-9);
    assert_int_equal(c->n_cliques, 0);
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd0", "", &rendered, &err), PF_OK);
    dat = slurp(f->dir, "cd0.dat");
    assert_int_equal(dat_block(dat, 2, v, &cols), 0);
    assert_null(strstr(dat, "# index 2"));
    free(dat);
    gp = slurp(f->dir, "cd0.gp");
    assert_null(strstr(gp, "index 2"));
    free(gp);
    pf_compare_free(c);
}

/* Nothing to draw, or a refused name or format: PF_EINPUT and no file at all. */
static void test_cd_refused(void **state)
{
    fixture *f = *state;
    no_gnuplot(f);
    pf_error err = {0};
    int rendered;
    pf_compare *c = demsar_compare(0.05);
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "../cd", "", &rendered, &err),
        PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd", "svg", &rendered, &err),
        PF_EINPUT);
    assert_contains(err.msg, "'svg'");
    pf_error_clear(&err);
    const char *one_null[4] = {"a", NULL, "c", "d"};
    assert_int_equal(pf_cdplot_write(c, one_null, &demsar_words, f->dir, "cd", "", &rendered, &err),
                     PF_EINPUT);
    pf_error_clear(&err);
    pf_compare_free(c);
    /* a diverged point: no ranks */
    double v[14 * 4];
    memcpy(v, demsar, sizeof v);
    v[7] = NAN;
    c = pf_compare_alloc(14, 4, &err);
    assert_int_equal(pf_compare_run(c, v, 1, 0, 0.05, &err), PF_OK);
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd", "", &rendered, &err),
        PF_EINPUT);
    assert_contains(err.msg, "no average rank");
    pf_error_clear(&err);
    pf_compare_free(c);
    /* one criterion */
    c = pf_compare_alloc(14, 1, &err);
    assert_int_equal(pf_compare_run(c, demsar, 1, 0, 0.05, &err), PF_OK);
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd", "", &rendered, &err),
        PF_EINPUT);
    pf_compare_free(c);
    assert_int_equal(n_entries(f->dir), 0);
}

/* ---- the metric against an axis ---- */

/* Widths 16 .. 256 on a log axis: three criteria, one without a band, NaN gaps, a dense line.
 * Values chosen to need all 17 digits (0.1 + 0.2) or none (0.25). */
static const double wx[5] = {16, 32, 64, 128, 256};
static const double m_y[5] = {0.12, 0.18, 0.1 + 0.2, 0.24, 0.245};
static const double m_lo[5] = {0.09, 0.15, 0.19, 0.21, 0.22};
static const double m_hi[5] = {0.15, 0.21, 0.25, 0.27, 0.27};
static const double v_y[5] = {0.15, 0.21, NAN, 0.27, 1.0 / 3};
static const double v_lo[5] = {0.12, 0.18, NAN, 0.24, NAN};
static const double v_hi[5] = {0.18, 0.24, NAN, 0.30, NAN};
static const double r_y[5] = {0.02, 0.03, 0.05, 0.04, -0.0625};
static const double dense_y[5] = {0.2, 0.25, 0.28, NAN, 0.31};

static void width_series(pf_axisplot_series s[3])
{
    s[0] = (pf_axisplot_series){"random", "#999999", 8, r_y, NULL, NULL};
    s[1] = (pf_axisplot_series){"magnitude", "#0072B2", 5, m_y, m_lo, m_hi};
    s[2] = (pf_axisplot_series){"vr(lambda=0.5)", "#D55E00", 7, v_y, v_lo, v_hi};
}

static const pf_axisplot_spec width_spec = {
    "Mean CCC vs hidden width \"at\" sparsity 0.8\n3 games; higher is better",
    "hidden units per layer",
    "mean CCC across participants (higher is better)",
    1,
    dense_y,
    NULL,
    "95% bootstrap CI"};

static void test_axis_files(void **state)
{
    fixture *f = *state;
    no_gnuplot(f);
    pf_axisplot_series s[3];
    width_series(s);
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(pf_axisplot_write(wx, 5, s, 3, &width_spec, f->dir, "width_ccc", "png pdf",
                                       &rendered, &err),
                     PF_OK);
    assert_int_equal(rendered, 0);
    assert_int_equal(n_entries(f->dir), 2);
    char *dat = slurp(f->dir, "width_ccc.dat");
    double v[MAX_ROWS][MAX_COLS];
    size_t cols;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(dat_block(dat, i, v, &cols), 5);
        assert_int_equal(cols, 4);
        for (size_t j = 0; j < 5; j++) {
            assert_same(v[j][0], wx[j]);
            assert_same(v[j][1], s[i].y[j]);
            assert_same(v[j][2], s[i].lo ? s[i].lo[j] : NAN);
            assert_same(v[j][3], s[i].hi ? s[i].hi[j] : NAN);
        }
    }
    assert_int_equal(dat_block(dat, 3, v, &cols), 5);
    assert_int_equal(cols, 2);
    for (size_t j = 0; j < 5; j++) {
        assert_same(v[j][0], wx[j]);
        assert_same(v[j][1], dense_y[j]);
    }
    assert_int_equal(dat_block(dat, 4, v, &cols), 0);
    assert_contains(dat, "0.30000000000000004");     /* 0.1 + 0.2, all its digits */
    assert_contains(dat, "\n256 0.245 0.22 0.27\n"); /* and no more digits than needed */
    assert_contains(dat, "# index 2: vr(lambda=0.5). Columns: x y lo hi");
    free(dat);
    char *gp = slurp(f->dir, "width_ccc.gp");
    assert_contains(gp, "array names[N] = [\"random\", \"magnitude\", \"vr(\xce\xbb=0.5)\"]");
    assert_contains(gp, "array colors[N] = [\"#999999\", \"#0072B2\", \"#D55E00\"]");
    assert_contains(gp, "array points[N] = [8, 5, 7]");
    assert_contains(gp, "TITLE = \"Mean CCC vs hidden width \\\"at\\\" sparsity 0.8\\n3 games; "
                        "higher is better\"");
    assert_contains(gp, "TITLE_LINES = 2");
    assert_contains(gp, "LOGX = 1");
    assert_contains(gp, "XTICS = \"('16' 16, '32' 32, '64' 64, '128' 128, '256' 256)\"");
    /* bands for the two series that have one, the dense line, three lines, the band's key */
    assert_null(strstr(gp, "DATA index 0 using 1:3:4"));
    assert_contains(gp, "DATA index 1 using 1:3:4 with filledcurves");
    assert_contains(gp, "DATA index 2 using 1:3:4 with filledcurves");
    assert_contains(gp, "DATA index 3 using 1:2 with lines linecolor rgb DENSE dashtype 2");
    assert_contains(gp, "DATA index 0 using 1:2 with linespoints");
    assert_contains(gp, "title BAND_NAME");
    assert_null(strstr(gp, "set datafile missing")); /* NaN must break lines and bands */
    free(gp);

    /* a linear axis, no dense line, no band name, one series: none of those clauses */
    const double lam[3] = {0, 0.5, 2};
    pf_axisplot_series one = {"vr", "#D55E00", 7, lam, NULL, NULL};
    pf_axisplot_spec spec = {"t", "lambda", "y", 0, NULL, NULL, NULL};
    assert_int_equal(pf_axisplot_write(lam, 3, &one, 1, &spec, f->dir, "lam", "", &rendered, &err),
                     PF_OK);
    gp = slurp(f->dir, "lam.gp");
    assert_contains(gp, "LOGX = 0");
    assert_null(strstr(gp, "XTICS ="));
    assert_null(strstr(gp, "filledcurves fillcolor rgb colors"));
    assert_null(strstr(gp, "DENSE dashtype"));
    assert_null(strstr(gp, "title BAND_NAME"));
    free(gp);
    dat = slurp(f->dir, "lam.dat");
    assert_int_equal(dat_block(dat, 0, v, &cols), 3);
    assert_int_equal(dat_block(dat, 1, v, &cols), 0);
    free(dat);
}

/* Refused input: PF_EINPUT and nothing written. */
static void test_axis_refused(void **state)
{
    fixture *f = *state;
    no_gnuplot(f);
    pf_axisplot_series s[3];
    width_series(s);
    pf_axisplot_spec spec = width_spec;
    pf_error err = {0};
    int rendered;
#define REFUSED(x, n, ser, ns, sp, what)                                                           \
    do {                                                                                           \
        pf_error_clear(&err);                                                                      \
        assert_int_equal(pf_axisplot_write(x, n, ser, ns, sp, f->dir, "ax", "", &rendered, &err),  \
                         PF_EINPUT);                                                               \
        assert_contains(err.msg, what);                                                            \
    } while (0)
    const double down[5] = {16, 32, 32, 128, 256}, zero[3] = {0, 1, 2};
    REFUSED(down, 5, s, 3, &spec, "increasing");
    REFUSED(zero, 3, s, 1, &spec, "logarithmic");
    REFUSED(wx, 0, s, 3, &spec, "nothing to draw");
    pf_axisplot_series bad = s[1];
    bad.colour = "blue";
    REFUSED(wx, 5, &bad, 1, &spec, "#RRGGBB");
    bad = s[1];
    bad.hi = NULL;
    REFUSED(wx, 5, &bad, 1, &spec, "one bound");
    bad = s[1];
    bad.lo = m_hi, bad.hi = m_lo;
    REFUSED(wx, 5, &bad, 1, &spec, "upside down");
    bad = s[1];
    bad.point = -1;
    REFUSED(wx, 5, &bad, 1, &spec, "point type");
    const double none[5] = {NAN, NAN, NAN, NAN, NAN};
    bad = s[0];
    bad.y = none;
    REFUSED(wx, 5, &bad, 1, &spec, "no series has a finite value");
    spec.ylabel = NULL;
    REFUSED(wx, 5, s, 3, &spec, "NULL");
#undef REFUSED
    assert_int_equal(n_entries(f->dir), 0);
}

/* ---- writing and rendering ---- */

/* The real gnuplot (when installed) renders both figures in both formats, the PNGs at the
 * sizes of every figure: 800x560, and 800 wide for the diagram. Only the rendering assertions
 * need gnuplot; without it the test still checks the files are written and nothing rendered. */
static void test_real_gnuplot(void **state)
{
    fixture *f = *state;
    int have = have_gnuplot(f->saved_path);
    if (!have) print_message("gnuplot not on PATH: the rendering assertions are skipped\n");
    pf_compare *c = demsar_compare(0.10);
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd_auc", "png pdf",
                                     &rendered, &err),
                     PF_OK);
    pf_compare_free(c);
    pf_axisplot_series s[3];
    width_series(s);
    int rendered2 = -1;
    assert_int_equal(pf_axisplot_write(wx, 5, s, 3, &width_spec, f->dir, "width_ccc", "png pdf",
                                       &rendered2, &err),
                     PF_OK);
    assert_true(exists(f->dir, "cd_auc.gp") && exists(f->dir, "width_ccc.dat"));
    if (!have) {
        assert_int_equal(rendered + rendered2, 0);
        return;
    }
    assert_int_equal(rendered, 2);
    assert_int_equal(rendered2, 2);
    unsigned w, h;
    png_size(f->dir, "width_ccc.png", &w, &h);
    assert_int_equal(w, 800);
    assert_int_equal(h, 560);
    png_size(f->dir, "cd_auc.png", &w, &h);
    assert_int_equal(w, 800);
    assert_true(h > 150 && h < 400); /* a strip: title, CD bar, axis, 2 cliques, 2 rows */
    char *pdf = slurp(f->dir, "cd_auc.pdf");
    assert_true(strncmp(pdf, "%PDF", 4) == 0);
    free(pdf);
    /* written again without gnuplot: the old images go, they belong to the old scripts */
    no_gnuplot(f);
    assert_int_equal(pf_axisplot_write(wx, 5, s, 3, &width_spec, f->dir, "width_ccc", "png pdf",
                                       &rendered2, &err),
                     PF_OK);
    assert_false(exists(f->dir, "width_ccc.png"));
    assert_false(exists(f->dir, "width_ccc.pdf"));
    assert_true(exists(f->dir, "cd_auc.png"));
}

/* gnuplot runs in the figures' folder with the script's relative name and the formats asked;
 * when it fails, the error carries its message and the two files stay whole. */
static void test_fake_gnuplot(void **state)
{
    fixture *f = *state;
    fake_gnuplot(f, "PATH=/usr/bin:/bin\n" /* for grep; gnuplot itself is found on f->bin only */
                    "[ \"$1\" = cd_auc.gp ] && [ -f cd_auc.dat ] || exit 3\n"
                    "grep -q 'formats = \"pdf\"' \"$1\" || exit 4\n"
                    "echo x > cd_auc.pdf\n");
    pf_compare *c = demsar_compare(0.05);
    pf_error err = {0};
    int rendered = -1;
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd_auc", "pdf", &rendered, &err),
        PF_OK);
    assert_int_equal(rendered, 1);
    fake_gnuplot(f, "echo '\"cd_auc.gp\" line 9: undefined variable: foo' >&2\nexit 1\n");
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd_auc", "pdf", &rendered, &err),
        PF_ERUNTIME);
    assert_contains(err.msg, "undefined variable: foo");
    assert_false(exists(f->dir, "cd_auc.pdf")); /* the stale image is gone */
    char *gp = slurp(f->dir, "cd_auc.gp"), *dat = slurp(f->dir, "cd_auc.dat");
    assert_contains(gp, "\n    set output\n}\n"); /* complete */
    assert_contains(dat, "# index 2");
    free(gp);
    free(dat);
    pf_compare_free(c);
}

/* A folder that cannot be made, and a script whose name is taken by a folder: PF_ERUNTIME, no
 * temporary file, and no .dat without its .gp. */
static void test_write_failures(void **state)
{
    fixture *f = *state;
    no_gnuplot(f);
    pf_compare *c = demsar_compare(0.05);
    pf_error err = {0};
    int rendered;
    char path[128];
    snprintf(path, sizeof path, "%s/file", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/file/sub", f->dir);
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, path, "cd", "", &rendered, &err),
        PF_ERUNTIME);
    pf_error_clear(&err);
    /* cd.gp is a folder with something in it: rename(cd.gp.tmp, cd.gp) fails after cd.dat was
     * renamed into place, which is then taken back */
    snprintf(path, sizeof path, "%s/cd.gp", f->dir);
    assert_int_equal(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/cd.gp/keep", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(
        pf_cdplot_write(c, demsar_names, &demsar_words, f->dir, "cd", "", &rendered, &err),
        PF_ERUNTIME);
    assert_false(exists(f->dir, "cd.dat"));
    assert_false(exists(f->dir, "cd.dat.tmp"));
    assert_false(exists(f->dir, "cd.gp.tmp"));
    assert_int_equal(n_entries(f->dir), 2); /* "file" and the folder cd.gp */
    pf_compare_free(c);
}

/* The text helpers: shortest exact numbers, quoting, widths. */
static void test_gptext(void **state)
{
    (void)state;
    pf_gptext t = {0};
    pf_gptext_num(&t, 0.1);
    pf_gptext_add(&t, " ");
    pf_gptext_num(&t, 0.1 + 0.2);
    pf_gptext_add(&t, " ");
    pf_gptext_num(&t, 1e-300);
    pf_gptext_add(&t, " ");
    pf_gptext_num(&t, INFINITY);
    pf_gptext_add(&t, " ");
    pf_gptext_num(&t, 4);
    pf_gptext_add(&t, " ");
    pf_gptext_quote(&t, "a\"b\\c\nd\te lambda=1");
    assert_string_equal(t.s,
                        "0.1 0.30000000000000004 1e-300 NaN 4 \"a\\\"b\\\\c\\nd e \xce\xbb=1\"");
    pf_gptext_free(&t);
    assert_null(t.s);
    pf_gptext_put(&t, "", 0); /* a string, if an empty one */
    assert_string_equal(t.s, "");
    pf_gptext_line(&t, "a\nb\tc");
    assert_string_equal(t.s, "a b c");
    pf_gptext_free(&t);
    assert_int_equal(pf_gptext_width("vr(lambda=0.5)"), 9);
    assert_int_equal(pf_gptext_width("\xce\xb1-test"), 6);
    pf_error err = {0};
    assert_int_equal(pf_figfile_check("cd_ccc_s0.8", "png pdf", &err), PF_OK);
    assert_int_equal(pf_figfile_check("a b", "", &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_figfile_check(".hidden", "", &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_figfile_check("ok", "png  pdf ", &err), PF_OK);
    assert_int_equal(pf_figfile_check("ok", "pngpdf", &err), PF_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cd_demsar_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cd_status_and_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cd_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_axis_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_axis_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_gnuplot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fake_gnuplot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failures, setup, teardown),
        cmocka_unit_test(test_gptext),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
