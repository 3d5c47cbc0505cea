/* cdplot.c: the critical-difference diagram as data + gnuplot script (see cdplot.h).
 *
 * The program decides every position that depends on the data (the side and row of each name,
 * the level of each clique bar, where the picture ends left and right) and writes it into the
 * .dat file or as constants at the top of the script; the script turns rows and levels into
 * coordinates. x is the average rank itself (the axis is reversed: xrange [k + pad : 1 - pad]),
 * y counts text lines upwards from the rank axis at 0, and the canvas height is the number of
 * lines the picture spans times a line's height on that terminal. */
#include "sweep/cdplot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/gptext.h"
#include "sweep/figfile.h"

/* Widest "name (1.23)" label on each side, in characters. */
static void label_widths(const pf_compare *c, const char *const *names, size_t n_right,
                         size_t *left, size_t *right)
{
    *left = *right = 0;
    for (size_t i = 0; i < c->k; i++) {
        size_t w = pf_gptext_width(names[c->order[i]]) + 7; /* " (1.23)" */
        size_t *side = i < n_right ? right : left;
        if (w > *side) *side = w;
    }
}

static int check(const pf_compare *c, const char *const *names, const pf_cdplot_words *w,
                 pf_error *err)
{
    if (c == NULL || names == NULL || w == NULL || w->metric == NULL)
        return pf_error_set(err, PF_EINPUT, "CD diagram: comparison, names or metric is NULL");
    if (c->k < 2)
        return pf_error_set(err, PF_EINPUT,
                            "CD diagram: %zu criterion; a diagram compares at least two", c->k);
    for (size_t j = 0; j < c->k; j++) {
        if (names[j] == NULL)
            return pf_error_set(err, PF_EINPUT, "CD diagram: the name of criterion %zu is NULL", j);
        if (!isfinite(c->avg_rank[j]))
            return pf_error_set(err, PF_EINPUT,
                                "CD diagram: criterion '%s' has no average rank (a value was "
                                "not finite); nothing to draw",
                                names[j]);
    }
    if (!(isfinite(c->friedman.cd) && c->friedman.cd > 0))
        return pf_error_set(err, PF_EINPUT, "CD diagram: the critical difference is %g",
                            c->friedman.cd);
    return PF_OK;
}

/* "p = 0.0167", "p < 0.001" or the status word. */
static void p_words(char *out, size_t cap, const char *test, const pf_test_result *r)
{
    if (r->status != PF_TEST_OK)
        snprintf(out, cap, "%s: %s", test, pf_compare_status(r->status));
    else if (r->p_value < 0.001)
        snprintf(out, cap, "%s p < 0.001", test);
    else
        snprintf(out, cap, "%s p = %.3g", test, r->p_value);
}

static void title_of(const pf_compare *c, const pf_cdplot_words *w, char *out, size_t cap)
{
    char width[80], fr[64], id[64];
    if (w->clusters && w->bits == 32)
        snprintf(width, sizeof width, "weights in %d clusters", w->clusters);
    else if (w->clusters)
        snprintf(width, sizeof width, "weights in %d clusters at %d bits", w->clusters, w->bits);
    else if (w->bits == 32)
        snprintf(width, sizeof width, "float32 weights");
    else
        snprintf(width, sizeof width, "weights at %d bits", w->bits);
    p_words(fr, sizeof fr, "Friedman", &c->friedman.chi2);
    p_words(id, sizeof id, "Iman-Davenport", &c->friedman.f);
    snprintf(out, cap,
             "Average rank of %s over %zu %s (sparsity %g, %s)\n"
             "%s, %s; Nemenyi CD = %.2f at \xce\xb1 = %g",
             w->metric, c->n_blocks, w->blocks ? w->blocks : "data sets", w->sparsity, width, fr,
             id, c->friedman.cd, c->alpha);
}

static void test_comment(pf_gptext *t, const char *what, const pf_test_result *r)
{
    pf_gptext_add(t, "%s ", what);
    pf_gptext_num(t, r->statistic);
    pf_gptext_add(t, " (%s, p ", pf_compare_status(r->status));
    pf_gptext_num(t, r->p_value);
    pf_gptext_add(t, ")");
}

static void write_dat(pf_gptext *t, const pf_compare *c, const char *const *names,
                      const pf_cdplot_words *w, const char *name, size_t n_right)
{
    pf_gptext_add(t,
                  "# %s.dat: data of %s.gp -- a critical-difference diagram (Demsar 2006, "
                  "JMLR 7, Figure 1(a))\n# metric: ",
                  name, name);
    pf_gptext_line(t, w->metric);
    pf_gptext_add(t, "; %zu blocks (", c->n_blocks);
    pf_gptext_line(t, w->blocks ? w->blocks : "data sets");
    pf_gptext_add(t, "); sparsity ");
    pf_gptext_num(t, w->sparsity);
    if (w->clusters) pf_gptext_add(t, "; %d clusters", w->clusters);
    pf_gptext_add(t, "; %d-bit weights; alpha ", w->bits);
    pf_gptext_num(t, c->alpha);
    pf_gptext_add(t, "; %s is better\n# ", c->higher_is_better ? "higher" : "lower");
    test_comment(t, "Friedman chi2", &c->friedman.chi2);
    pf_gptext_add(t, "; ");
    test_comment(t, "Iman-Davenport F", &c->friedman.f);
    pf_gptext_add(t, "; q_alpha ");
    pf_gptext_num(t, c->friedman.q_alpha);
    pf_gptext_add(t, "\n# criteria (1-based, the script's names[]):");
    for (size_t j = 0; j < c->k; j++) {
        pf_gptext_add(t, "\n#   %zu ", j + 1);
        pf_gptext_line(t, names[j]);
    }
    pf_gptext_add(t, "\n\n# index 0: the criteria, best first. Columns: average_rank side row "
                     "criterion\n#   side -1: named on the left (the worse half), +1: on the "
                     "right; row 0 is nearest the axis\n");
    for (size_t i = 0; i < c->k; i++) {
        size_t j = c->order[i];
        int right = i < n_right;
        size_t row = right ? i : c->k - 1 - i; /* outermost first: no two lines cross */
        pf_gptext_num(t, c->avg_rank[j]);
        pf_gptext_add(t, " %d %zu %zu\n", right ? 1 : -1, row, j + 1);
    }
    pf_gptext_add(t, "\n\n# index 1: the Nemenyi critical difference. Columns: from to cd "
                     "(a bar from rank k towards rank 1)\n");
    pf_gptext_num(t, (double)c->k);
    pf_gptext_add(t, " ");
    pf_gptext_num(t, (double)c->k - c->friedman.cd);
    pf_gptext_add(t, " ");
    pf_gptext_num(t, c->friedman.cd);
    pf_gptext_add(t, "\n");
    if (c->n_cliques == 0) return;
    pf_gptext_add(t, "\n\n# index 2: groups whose average ranks differ by less than the CD "
                     "(maximal cliques). Columns: best_rank worst_rank level\n");
    for (size_t q = 0; q < c->n_cliques; q++) {
        pf_gptext_num(t, c->avg_rank[c->order[c->clique[q].first]]);
        pf_gptext_add(t, " ");
        pf_gptext_num(t, c->avg_rank[c->order[c->clique[q].last]]);
        pf_gptext_add(t, " %zu\n", q);
    }
}

/* The constants the drawing needs, then the loop over the formats. */
static void write_gp(pf_gptext *t, const pf_compare *c, const char *const *names, const char *title,
                     const char *name, const char *formats, size_t n_right)
{
    pf_figfile_head(t, name, title, "src/sweep/cdplot.c", formats);
    size_t wl, wr;
    label_widths(c, names, n_right, &wl, &wr);
    double k = (double)c->k, lo = fmin(1.0, k - c->friedman.cd);
    double pad = 0.04 * (k - lo) + 0.08;
    size_t rows = n_right > c->k - n_right ? n_right : c->k - n_right;
    pf_gptext_add(t,
                  "\n# The criteria in input order, the layout the program chose.\nK = %zu\n"
                  "array names[K] = [",
                  c->k);
    for (size_t j = 0; j < c->k; j++) {
        if (j) pf_gptext_add(t, ", ");
        pf_gptext_quote(t, names[j]);
    }
    pf_gptext_add(t, "]\nTITLE = ");
    pf_gptext_quote(t, title);
    pf_gptext_add(t,
                  "\nNROWS = %zu       # rows of names on the fuller side\n"
                  "NCLIQ = %zu       # clique bars\n"
                  "MAXL_L = %zu; MAXL_R = %zu   # widest label on each side, in characters\n"
                  "# x is the average rank, best (1) on the right as in Demsar's Figure 1\n"
                  "XL = %.6g; XR = %.6g\n",
                  rows, c->n_cliques, wl, wr, k + pad, lo - pad);
    pf_gptext_add(
        t,
        "# y counts text lines up from the rank axis at 0\n"
        "YTICK = 0.9; YCD = 2.3; YTOP = 3.7\n"
        "BAR0 = -0.9; BARH = 0.6\n"
        "ROW0 = BAR0 - BARH * (NCLIQ - 1) - 1.2; ROWH = 1.35\n"
        "YBOT = ROW0 - ROWH * (NROWS - 1) - 1.1\n"
        "LINES = YTOP - YBOT\n"
        "EDGE(s) = s < 0 ? XL : XR\n"
        "Y(row) = ROW0 - ROWH * row\n"
        "YB(level) = BAR0 - BARH * level\n"
        "LABEL(r, j) = sprintf(\"%%s (%%.2f)\", names[int(j)], r)\n"
        "\n"
        "do for [fmt in formats] {\n"
        "    # The width of every figure (800 px PNG, 5 in PDF); the height the lines need.\n"
        "    # LINE: a text line; CW: a character's width, both in the terminal's unit.\n"
        "    if (fmt eq \"pdf\") {\n"
        "        W = 5.0; LINE = 0.115; CW = 0.05; TITLEH = 0.36; H = TITLEH + LINE * LINES\n"
        "        set terminal pdfcairo noenhanced color size W*1in,H*1in font \"Helvetica,9\" "
        "rounded\n"
        "        LW = 0.75\n"
        "    } else {\n"
        "        W = 800; LINE = 21; CW = 9.2; TITLEH = 64; H = TITLEH + LINE * LINES\n"
        "        set terminal pngcairo noenhanced color size W,H font \"Helvetica,12\" rounded\n"
        "        LW = 1.4\n"
        "    }\n"
        "    set output \"%s.\" . fmt\n"
        "    reset\n"

        "    unset border; unset xtics; unset ytics; unset key\n"
        "    set lmargin at screen (MAXL_L * CW + 0.025 * W) / W\n"
        "    set rmargin at screen 1 - (MAXL_R * CW + 0.025 * W) / W\n"
        "    set tmargin at screen 1 - TITLEH / H\n"
        "    set bmargin at screen 0\n"
        "    set xrange [XL:XR]\n"
        "    set yrange [YBOT:YTOP]\n"
        "    set label 99 TITLE at screen 0.5, screen 1 - 0.22 * TITLEH / H center\n"
        "    # the rank axis: ticks at every rank, half ticks between, numbers above\n"
        "    set arrow 1 from 1,0 to K,0 nohead lw LW lc rgb \"black\"\n"
        "    do for [i=1:K] {\n"
        "        set arrow from i,0 to i,0.45 nohead lw LW lc rgb \"black\"\n"
        "        set label sprintf(\"%%d\", i) at i,YTICK center\n"
        "        if (i < K) { set arrow from i+0.5,0 to i+0.5,0.25 nohead lw LW lc rgb "
        "\"black\" }\n"
        "    }\n"
        "    plot DATA index 1 using 1:(YCD):($2-$1):(0) with vectors nohead lw 1.5*LW "
        "lc rgb \"black\", \\\n"
        "         DATA index 1 using 1:(YCD-0.25):(0):(0.5) with vectors nohead lw LW "
        "lc rgb \"black\", \\\n"
        "         DATA index 1 using 2:(YCD-0.25):(0):(0.5) with vectors nohead lw LW "
        "lc rgb \"black\", \\\n"
        "         DATA index 1 using (($1+$2)/2):(YCD+0.75):(sprintf(\"CD = %%.2f\", $3)) "
        "with labels center, \\\n"
        "         DATA index 0 using 1:(0):(0):(Y($3)) with vectors nohead lw LW "
        "lc rgb \"black\", \\\n"
        "         DATA index 0 using 1:(Y($3)):(EDGE($2)-$1):(0) with vectors nohead lw LW "
        "lc rgb \"black\", \\\n"
        "         DATA index 0 using ($2 < 0 ? XL : NaN):(Y($3)):(LABEL($1, $4)) "
        "with labels right offset char -0.5,0, \\\n"
        "         DATA index 0 using ($2 > 0 ? XR : NaN):(Y($3)):(LABEL($1, $4)) "
        "with labels left offset char 0.5,0",
        name);
    if (c->n_cliques > 0)
        pf_gptext_add(t, ", \\\n"
                         "         DATA index 2 using ($1-0.03):(YB($3)):($2-$1+0.06):(0) "
                         "with vectors nohead lw 5*LW lc rgb \"black\"");
    pf_gptext_add(t, "\n    set output\n}\n");
}

int pf_cdplot_write(const pf_compare *c, const char *const *names, const pf_cdplot_words *w,
                    const char *dir, const char *name, const char *formats, int *rendered,
                    pf_error *err)
{
    *rendered = 0;
    if (check(c, names, w, err) != PF_OK) return err->code;
    if (pf_figfile_check(name, formats, err) != PF_OK) return err->code;
    size_t n_right = (c->k + 1) / 2; /* the better half, on the right */
    char title[512];
    title_of(c, w, title, sizeof title);
    pf_gptext dat = {0}, gp = {0};
    write_dat(&dat, c, names, w, name, n_right);
    write_gp(&gp, c, names, title, name, formats, n_right);
    int rc = pf_figfile_write(dir, name, &dat, &gp, formats, rendered, err);
    pf_gptext_free(&dat);
    pf_gptext_free(&gp);
    return rc;
}
