/* sweeptables.c: the tables across a sweep's points (see sweeptables.h). One model of a table
 * (cells with their bold flags), rendered as Markdown and as LaTeX, so both say the same. */
#include "sweep/sweeptables.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/outfile.h"
#include "report/tabletext.h"
#include "stats/analysis.h"

#define CELL    PF_TABLETEXT_CELL
#define NAMECAP (PF_SWEEP_MAX_AXES * 2 * PF_MAX_NAME)

typedef struct {
    const pf_aggregate *g;
    const pf_sweepstats_entry *e; /* the comparison of this table (cmp may be NULL) */
    size_t group, sp, w;
    size_t n_cols;           /* the group's values */
    pf_aggregate_cell *cell; /* [crit][col] */
    pf_metric_words words;   /* the metric */
    int tex;
} ttab;

static const pf_aggregate_cell *cell_of(const ttab *t, size_t c, size_t col)
{
    return &t->cell[c * t->n_cols + col];
}

static int tab_init(ttab *t, pf_error *err)
{
    const pf_aggregate *g = t->g;
    t->n_cols = g->sweep->file.group_len[t->group];
    t->cell = pf_alloc(g->n_crit * t->n_cols, sizeof *t->cell, err);
    double *pool = pf_alloc(pf_aggregate_cell_room(g), sizeof *pool, err);
    for (size_t c = 0; pool && t->cell && c < g->n_crit && err->code == PF_OK; c++)
        for (size_t col = 0; col < t->n_cols && err->code == PF_OK; col++)
            pf_aggregate_cell_at(g, t->group, col, c, t->sp, t->w, &t->cell[c * t->n_cols + col],
                                 pool, err);
    free(pool);
    const pf_results *r = g->r[g->first];
    pf_analysis_metric_words(r, (size_t)g->metric_of[g->first], &t->words);
    return err->code;
}

/* ---- bold ----------------------------------------------------------------------------------- */

static int better(int higher_is_better, double a, double b)
{
    return higher_is_better ? a > b : a < b;
}

/* The best printed mean among the criteria in column col (NaN when none). */
static double column_best(const ttab *t, size_t col)
{
    double best = NAN;
    for (size_t c = 1; c < t->g->n_crit; c++) {
        const pf_aggregate_cell *x = cell_of(t, c, col);
        if (!x->complete || !isfinite(x->mean)) continue;
        double v = pf_tabletext_printed(x->mean);
        if (isnan(best) || better(t->g->higher_is_better, v, best)) best = v;
    }
    return best;
}

/* The average rank of criterion c (NaN when not compared). */
static double rank_of(const ttab *t, size_t c)
{
    return t->e && t->e->cmp ? t->e->cmp->avg_rank[c - 1] : NAN;
}

static double best_rank(const ttab *t)
{
    double best = NAN;
    for (size_t c = 1; c < t->g->n_crit; c++) {
        double v = rank_of(t, c);
        if (isfinite(v) && (isnan(best) || pf_tabletext_printed(v) < best))
            best = pf_tabletext_printed(v);
    }
    return best;
}

/* Is the Wilcoxon test of the reference against criterion c significant after Holm? */
static int marked(const ttab *t, size_t c)
{
    const pf_compare *cmp = t->e ? t->e->cmp : NULL;
    for (size_t i = 0; cmp && i < cmp->n_cmp; i++)
        if (cmp->other[i] == c - 1) return isfinite(cmp->p_holm[i]) && cmp->p_holm[i] < cmp->alpha;
    return 0;
}

/* ---- text ----------------------------------------------------------------------------------- */

static const char *mk(const ttab *t, const char *md, const char *tex)
{
    return pf_tabletext_pick(t->tex, md, tex);
}

static void cell_text(const ttab *t, size_t c, size_t col, char *buf, size_t cap)
{
    const pf_aggregate_cell *x = cell_of(t, c, col);
    char num[64];
    buf[0] = '\0';
    int bold = c > 0 && x->complete && isfinite(x->mean) &&
               pf_tabletext_printed(x->mean) == column_best(t, col);
    pf_tabletext_number(t->tex, x->complete ? x->mean : NAN, num, sizeof num);
    if (bold) pf_tabletext_append(buf, cap, mk(t, "**", "\\textbf{"));
    pf_tabletext_append(buf, cap, num);
    if (bold) pf_tabletext_append(buf, cap, mk(t, "**", "}"));
    if (!x->complete) return;
    pf_tabletext_number(t->tex, x->sd, num, sizeof num);
    pf_tabletext_append(buf, cap, mk(t, " \xc2\xb1 ", " $\\pm$ "));
    pf_tabletext_append(buf, cap, num);
}

static void rank_text(const ttab *t, size_t c, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (c == 0) return;
    double v = rank_of(t, c);
    char num[64];
    int bold = isfinite(v) && pf_tabletext_printed(v) == best_rank(t);
    snprintf(num, sizeof num, isfinite(v) ? "%.2f" : "n/a", v);
    if (bold) pf_tabletext_append(buf, cap, mk(t, "**", "\\textbf{"));
    pf_tabletext_append(buf, cap, num);
    if (bold) pf_tabletext_append(buf, cap, mk(t, "**", "}"));
    if (marked(t, c)) pf_tabletext_append(buf, cap, mk(t, "\xe2\x80\xa0", "$^\\dagger$"));
}

static void row_name(const ttab *t, size_t c, char *buf, size_t cap)
{
    pf_tabletext_name(t->tex, t->g->crit[c], buf, cap);
    if (c > 0 && (long)c == t->g->reference) pf_tabletext_append(buf, cap, " (ref.)");
}

static void col_name(const ttab *t, size_t col, char *buf, size_t cap)
{
    char label[NAMECAP];
    pf_aggregate_group_label(t->g, t->group, col, label, sizeof label);
    pf_tabletext_name(t->tex, label, buf, cap);
}

/* The whole grid of text: heading row, then one row per criterion. */
static void fill_text(const ttab *t, char (*text)[CELL])
{
    size_t cols = t->n_cols + 2;
    snprintf(text[0], CELL, "criterion");
    for (size_t col = 0; col < t->n_cols; col++) col_name(t, col, text[1 + col], CELL);
    snprintf(text[cols - 1], CELL, "avg. rank");
    for (size_t c = 0; c < t->g->n_crit; c++) {
        char(*row)[CELL] = text + (c + 1) * cols;
        row_name(t, c, row[0], CELL);
        for (size_t col = 0; col < t->n_cols; col++) cell_text(t, c, col, row[1 + col], CELL);
        rank_text(t, c, row[cols - 1], CELL);
    }
}

/* ---- caption -------------------------------------------------------------------------------- */

static void p_text(const ttab *t, double p, char *buf, size_t cap)
{
    if (p < 0.001)
        snprintf(buf, cap, "%sp < 0.001%s", mk(t, "", "$"), mk(t, "", "$"));
    else
        snprintf(buf, cap, "%sp = %.3f%s", mk(t, "", "$"), p, mk(t, "", "$"));
}

static void caption_tests(FILE *fp, const ttab *t)
{
    const pf_compare *cmp = t->e ? t->e->cmp : NULL;
    if (!cmp) {
        fprintf(fp, " Fewer than two criteria: nothing to rank.");
        return;
    }
    const pf_friedman_result *f = &cmp->friedman;
    fprintf(fp, " Average ranks over the %zu columns (1 = best). ", cmp->n_blocks);
    if (f->chi2.status == PF_TEST_OK) {
        char p1[64], p2[64];
        p_text(t, f->chi2.p_value, p1, sizeof p1);
        p_text(t, f->f.p_value, p2, sizeof p2);
        fprintf(fp,
                "Friedman test over the columns: %s = %.2f, %s; Iman-Davenport %sF(%g, %g) = "
                "%.2f%s, %s; Nemenyi critical difference of the ranks at %s = %g: %.2f.",
                mk(t, "chi2", "$\\chi^2_F$"), f->chi2.statistic, p1, mk(t, "", "$"), f->f.df1,
                f->f.df2, f->f.statistic, mk(t, "", "$"), p2, mk(t, "alpha", "$\\alpha$"),
                cmp->alpha, f->cd);
    } else if (f->chi2.status == PF_TEST_CONSTANT) {
        fprintf(fp, "Friedman test: not testable, every column ranks the criteria as ties.");
    } else {
        fprintf(fp,
                "Friedman test: not testable (%zu columns, %zu criteria: %s), so the ranks are "
                "descriptive only.",
                cmp->n_blocks, cmp->k,
                isfinite(cmp->avg_rank[0]) ? "no outcome on so few columns could reach the level"
                                           : "a cell has no value");
    }
    char ref[CELL];
    pf_tabletext_name(t->tex, t->g->crit[t->g->reference], ref, sizeof ref);
    int any = 0;
    for (size_t i = 0; i < cmp->n_cmp; i++) any |= cmp->wilcoxon[i].test.status == PF_TEST_OK;
    if (any)
        fprintf(fp,
                " %s: the reference %s differs from the criterion over the columns (two-sided "
                "Wilcoxon signed-rank test, Holm-adjusted %sp < %g%s).",
                mk(t, "\xe2\x80\xa0", "$^\\dagger$"), ref, mk(t, "", "$"), cmp->alpha,
                mk(t, "", "$"));
    else
        fprintf(fp,
                " The Wilcoxon tests of the reference %s against the others need at least %.0f "
                "columns with differences at this level (the smallest two-sided p of n pairs "
                "is 2^(1-n)); here they are not testable.",
                ref, ceil(1 - log2(cmp->alpha)));
}

static void caption(FILE *fp, const ttab *t)
{
    const pf_aggregate *g = t->g;
    char label[CELL], axis[NAMECAP], axis_t[NAMECAP], about[CELL * 2];
    pf_tabletext_name(t->tex, t->words.label, label, sizeof label);
    pf_tabletext_name(t->tex, t->words.about, about, sizeof about);
    pf_aggregate_group_name(g, t->group, axis, sizeof axis);
    pf_tabletext_name(t->tex, axis, axis_t, sizeof axis_t);
    size_t most = 0;
    for (size_t col = 0; col < t->n_cols; col++)
        if (cell_of(t, 0, col)->n_points > most) most = cell_of(t, 0, col)->n_points;
    fprintf(fp, "%s%c%s across %s at sparsity %g", mk(t, "**", "\\textbf{"),
            toupper((unsigned char)label[0]), label + 1, axis_t, g->sparsity[t->sp]);
    if (g->chain[t->w].clusters)
        fprintf(fp, ", weights clustered to %d centroids per layer", g->chain[t->w].clusters);
    if (g->chain[t->w].bits != 32)
        fprintf(fp, "%s quantised to %d bits", g->chain[t->w].clusters ? " then" : ", weights",
                g->chain[t->w].bits);
    fprintf(fp, ".%s %c%s: %s, on held-out data; %s. ", mk(t, "**", "}"),
            toupper((unsigned char)label[0]), label + 1, about, t->words.direction);
    fprintf(fp,
            "Rows are pruning criteria (%sdense%s: the unpruned model), columns the values of "
            "%s. A cell is the mean %s sd of the per-participant %s (each participant's "
            "repeats averaged first) ",
            mk(t, "*", "\\emph{"), mk(t, "*", "}"), axis_t, mk(t, "\xc2\xb1", "$\\pm$"), label);
    if (most > 1)
        fprintf(fp, "over the participants of the %zu sweep points with that value, pooled; ",
                most);
    else
        fprintf(fp, "over the participants of the point; ");
    fprintf(fp, "the best mean of each column is bold; n/a: a point of the column not done.");
    caption_tests(fp, t);
}

/* ---- rendering ------------------------------------------------------------------------------ */

static int write_md(FILE *fp, ttab *t, pf_error *err)
{
    t->tex = 0;
    size_t rows = t->g->n_crit + 1, cols = t->n_cols + 2;
    char(*text)[CELL] = pf_alloc(rows * cols, sizeof *text, err);
    size_t *width = pf_alloc(cols, sizeof *width, err);
    if (err->code == PF_OK) {
        caption(fp, t);
        fprintf(fp, "\n\n");
        fill_text(t, text);
        for (size_t i = 0; i < rows * cols; i++) {
            size_t w = pf_tabletext_width(text[i]);
            if (w > width[i % cols]) width[i % cols] = w;
        }
        pf_tabletext_md_row(fp, text, width, cols);
        pf_tabletext_md_rule(fp, width, cols);
        for (size_t i = 1; i < rows; i++) pf_tabletext_md_row(fp, text + i * cols, width, cols);
    }
    free(text), free(width);
    return err->code;
}

static void tex_label(const ttab *t, char *buf, size_t cap)
{
    char axis[NAMECAP], sp[32];
    pf_aggregate_group_name(t->g, t->group, axis, sizeof axis);
    snprintf(buf, cap, "tab:");
    pf_tabletext_label_part(buf, cap, t->g->sweep->file.name);
    snprintf(sp, sizeof sp, "-%.8s-", t->g->sweep->hash);
    pf_tabletext_append(buf, cap, sp);
    pf_tabletext_label_part(buf, cap, axis);
    pf_tabletext_append(buf, cap, "-");
    pf_tabletext_label_part(buf, cap, t->words.file);
    snprintf(sp, sizeof sp, "-s%g", t->g->sparsity[t->sp]);
    pf_tabletext_append(buf, cap, sp);
    pf_results_chain_tag(t->g->chain[t->w], '-', sp, sizeof sp);
    pf_tabletext_append(buf, cap, sp);
}

static int write_tex(FILE *fp, ttab *t, pf_error *err)
{
    t->tex = 1;
    size_t rows = t->g->n_crit + 1, cols = t->n_cols + 2;
    char(*text)[CELL] = pf_alloc(rows * cols, sizeof *text, err);
    if (!text) return err->code;
    char label[CELL * 2], axis[NAMECAP], axis_t[NAMECAP];
    tex_label(t, label, sizeof label);
    pf_aggregate_group_name(t->g, t->group, axis, sizeof axis);
    pf_tabletext_name(1, axis, axis_t, sizeof axis_t);
    fill_text(t, text);
    fprintf(fp,
            "%% Written by prunefair (sweep %s, %.8s). Needs \\usepackage{booktabs}.\n"
            "\\begin{table*}[tbp]\n  \\centering\n  \\small\n  \\setlength{\\tabcolsep}{4pt}\n"
            "  \\caption{",
            t->g->sweep->file.name, t->g->sweep->hash);
    caption(fp, t);
    fprintf(fp, "}\n  \\label{%s}\n  \\begin{tabular}{l*{%zu}{c}c}\n    \\toprule\n", label,
            t->n_cols);
    fprintf(fp, "    & \\multicolumn{%zu}{c}{%s} & \\\\\n    \\cmidrule(lr){2-%zu}\n", t->n_cols,
            axis_t, t->n_cols + 1);
    for (size_t i = 0; i < rows; i++) {
        if (i == 1 || i == 2) fprintf(fp, "    \\midrule\n");
        fprintf(fp, "    %s", text[i * cols]);
        for (size_t c = 1; c < cols; c++) fprintf(fp, " & %s", text[i * cols + c]);
        fprintf(fp, " \\\\\n");
    }
    fprintf(fp, "    \\bottomrule\n  \\end{tabular}\n\\end{table*}\n");
    free(text);
    return PF_OK;
}

static int write_one(ttab *t, const char *tdir, const char *ext, pf_error *err)
{
    char name[NAMECAP + PF_METRIC_NAME + 64];
    pf_aggregate_stem(t->g, t->group, t->sp, t->w, name, sizeof name - 8);
    pf_tabletext_append(name, sizeof name, ".");
    pf_tabletext_append(name, sizeof name, ext);
    pf_outfile out;
    if (pf_outfile_open(&out, tdir, name, err) != PF_OK) return err->code;
    if ((strcmp(ext, "md") == 0 ? write_md(out.fp, t, err) : write_tex(out.fp, t, err)) != PF_OK) {
        pf_outfile_abort(&out);
        return err->code;
    }
    return pf_outfile_commit(&out, err);
}

int pf_sweeptables_write(const pf_aggregate *g, const pf_sweepstats *st, const char *dir,
                         pf_error *err)
{
    if (g->n_done == 0) return PF_OK;
    const pf_strlist *formats = &g->cfg[g->first].tables;
    if (formats->n == 0) return PF_OK;
    char tdir[PF_MAX_STR + 200];
    snprintf(tdir, sizeof tdir, "%s/tables", dir);
    if (mkdir(tdir, 0777) != 0 && errno != EEXIST)
        return pf_error_set(err, PF_ERUNTIME, "cannot create the folder '%s': %s", tdir,
                            strerror(errno));
    for (size_t i = 0; i < st->n && err->code == PF_OK; i++) {
        const pf_sweepstats_entry *e = &st->entry[i];
        ttab t = {.g = g, .e = e, .group = e->group, .sp = e->sp, .w = e->w};
        if (tab_init(&t, err) == PF_OK)
            for (size_t f = 0; f < formats->n && err->code == PF_OK; f++)
                write_one(&t, tdir, formats->item[f], err);
        free(t.cell);
    }
    return err->code;
}
