/* tables.c: the paper tables in Markdown and LaTeX (see tables.h).
 *
 * One model of a table -- panels of (criterion x column) cells, each a value, an optional sd,
 * a bold flag and a significance mark -- rendered twice, so the Markdown and LaTeX versions
 * can never disagree on a number, a bold or a dagger. "Best" compares the values as printed
 * (3 decimals): two cells that read the same are both bold, as a reader would expect. */
#include "tables.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "summary.h"
#include "outfile.h"

#define CELL_CAP 128

typedef enum { STAT_MEAN, STAT_SD, STAT_MIN } stat_kind;

/* One block of rows: what the cells show, which way is better, which test marks them. */
typedef struct {
    const char *heading; /* "(a) ..." for multi-panel tables, else NULL */
    stat_kind stat;
    int with_sd; /* cell "value ± sd" */
    int higher_better;
    const char *test; /* mark cells where this test against the reference is significant */
} panel;

typedef struct {
    const pf_results *r;
    const pf_analysis *a; /* may be NULL */
    const pf_config *cfg;
    pf_summary *sum; /* [crit][sp] */
    pf_summary dense;
    size_t n_cols;
    long *col_sp;     /* [n_cols] sparsity index of each column; -1 = a column added for 0 */
    size_t dense_col; /* the column of sparsity 0, where the dense model's value goes */
    int tex;          /* rendering LaTeX (else Markdown) */
} tctx;

typedef struct {
    double v, sd;
    int present, bold, mark;
} cell;

/* ---- the numbers ---------------------------------------------------------------------------- */

/* Columns: the sparsity grid in config order; 0 is put first if the grid lacks it, so the
 * dense model always has its column. */
static int columns_init(tctx *t, pf_error *err)
{
    const pf_results *r = t->r;
    t->col_sp = pf_calloc(r->n_sp + 1, sizeof(long), err);
    if (!t->col_sp) return err->code;
    long zero = -1;
    for (size_t s = 0; s < r->n_sp && zero < 0; s++)
        if (r->sparsity[s] == 0) zero = (long)s;
    t->n_cols = 0;
    if (zero < 0) t->col_sp[t->n_cols++] = -1;
    for (size_t s = 0; s < r->n_sp; s++) {
        if ((long)s == zero) t->dense_col = t->n_cols;
        t->col_sp[t->n_cols++] = (long)s;
    }
    if (zero < 0) t->dense_col = 0;
    return PF_OK;
}

static int ctx_init(tctx *t, pf_error *err)
{
    const pf_results *r = t->r;
    size_t P = r->n_part;
    double *v = pf_calloc(P, sizeof(double), err);
    t->sum = pf_calloc(r->n_crit * r->n_sp, sizeof(pf_summary), err);
    if (err->code == PF_OK && columns_init(t, err) == PF_OK) {
        pf_results_participant_values(r, -1, 0, 0, v);
        pf_summary_compute(v, P, &t->dense);
        for (size_t c = 0; c < r->n_crit; c++)
            for (size_t s = 0; s < r->n_sp; s++) {
                pf_results_participant_values(r, (int)c, s, 0, v);
                pf_summary_compute(v, P, &t->sum[c * r->n_sp + s]);
            }
    }
    free(v);
    return err->code;
}

static void ctx_free(tctx *t)
{
    free(t->sum), free(t->col_sp);
}

static double stat_of(const pf_summary *m, stat_kind k)
{
    return k == STAT_MEAN ? m->mean : k == STAT_SD ? m->sd : m->min;
}

/* A value as printed: 3 decimals (what "best" and "tie" are judged on). */
static double printed(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.3f", v);
    return strtod(buf, NULL);
}

/* Is criterion c's difference from the reference at sparsity index s significant? */
static int significant(const tctx *t, const panel *p, size_t c, size_t s)
{
    const pf_analysis *a = t->a;
    if (!p->test || !a || a->reference < 0 || (size_t)a->reference == c) return 0;
    const pf_test_row *row = pf_analysis_find(a, p->test, t->r->crit[c], t->r->sparsity[s]);
    return row && isfinite(row->p_holm) && row->p_holm < t->cfg->alpha;
}

/* The cell of criterion c (-1: dense) in column col, without its bold flag. */
static cell cell_at(const tctx *t, const panel *p, int c, size_t col)
{
    cell x = {NAN, NAN, 0, 0, 0};
    long s = t->col_sp[col];
    const pf_summary *m = NULL;
    if (c < 0 && col == t->dense_col) m = &t->dense;
    if (c >= 0 && s >= 0) m = &t->sum[(size_t)c * t->r->n_sp + (size_t)s];
    if (!m) return x;
    x.present = 1;
    x.v = stat_of(m, p->stat);
    x.sd = m->sd;
    x.mark = c >= 0 && significant(t, p, (size_t)c, (size_t)s);
    return x;
}

/* The best printed value among the criteria (not dense) in column col; NaN if none. */
static double column_best(const tctx *t, const panel *p, size_t col)
{
    double best = NAN;
    for (size_t c = 0; c < t->r->n_crit; c++) {
        cell x = cell_at(t, p, (int)c, col);
        if (!x.present || !isfinite(x.v)) continue;
        double v = printed(x.v);
        if (isnan(best) || (p->higher_better ? v > best : v < best)) best = v;
    }
    return best;
}

/* ---- text ----------------------------------------------------------------------------------- */

static void append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    if (n < cap) snprintf(buf + n, cap - n, "%s", s);
}

static void fmt_num(const tctx *t, char *buf, size_t cap, double v)
{
    char tmp[64];
    if (!isfinite(v)) {
        snprintf(buf, cap, "n/a");
        return;
    }
    snprintf(tmp, sizeof tmp, "%.3f", v);
    if (strcmp(tmp, "-0.000") == 0) snprintf(tmp, sizeof tmp, "0.000");
    /* A hyphen is not a minus sign in LaTeX text mode. */
    if (t->tex && tmp[0] == '-')
        snprintf(buf, cap, "$-$%s", tmp + 1);
    else
        snprintf(buf, cap, "%s", tmp);
}

static void cell_text(const tctx *t, const panel *p, const cell *x, char *buf, size_t cap)
{
    char num[80];
    buf[0] = '\0';
    if (!x->present) {
        append(buf, cap, t->tex ? "--" : "\xe2\x80\x93"); /* en dash */
        return;
    }
    fmt_num(t, num, sizeof num, x->v);
    if (x->bold) append(buf, cap, t->tex ? "\\textbf{" : "**");
    append(buf, cap, num);
    if (x->bold) append(buf, cap, t->tex ? "}" : "**");
    if (p->with_sd) {
        fmt_num(t, num, sizeof num, x->sd);
        append(buf, cap, t->tex ? " $\\pm$ " : " \xc2\xb1 ");
        append(buf, cap, num);
    }
    if (x->mark) append(buf, cap, t->tex ? "$^\\dagger$" : "\xe2\x80\xa0");
}

/* A name as Markdown (special characters backslash-escaped) or LaTeX text (escaped, and
 * "lambda" as the Greek letter). */
static void name_text(const tctx *t, const char *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (const char *p = name; *p; p++) {
        char one[2] = {*p, '\0'};
        if (t->tex) {
            if (strncmp(p, "lambda", 6) == 0)
                append(buf, cap, "$\\lambda$"), p += 5;
            else if (*p == '\\')
                append(buf, cap, "\\textbackslash{}");
            else if (*p == '~')
                append(buf, cap, "\\textasciitilde{}");
            else if (*p == '^')
                append(buf, cap, "\\textasciicircum{}");
            else if (*p == '<')
                append(buf, cap, "\\textless{}");
            else if (*p == '>')
                append(buf, cap, "\\textgreater{}");
            else if (strchr("&%$#_{}", *p))
                append(buf, cap, "\\"), append(buf, cap, one);
            else
                append(buf, cap, one);
        } else {
            if (strchr("\\`*_{}[]<>|#", *p)) append(buf, cap, "\\");
            append(buf, cap, one);
        }
    }
}

static void row_name(const tctx *t, int c, char *buf, size_t cap)
{
    if (c < 0) {
        snprintf(buf, cap, "dense");
        return;
    }
    name_text(t, t->r->crit[c], buf, cap);
    if (t->a && t->a->reference == c) append(buf, cap, " (ref.)");
}

/* The cells of one row, bold flags set. */
static void row_cells(const tctx *t, const panel *p, int c, char (*text)[CELL_CAP])
{
    for (size_t col = 0; col < t->n_cols; col++) {
        cell x = cell_at(t, p, c, col);
        double best = c < 0 ? NAN : column_best(t, p, col);
        x.bold = x.present && isfinite(x.v) && printed(x.v) == best;
        cell_text(t, p, &x, text[col], CELL_CAP);
    }
}

/* ---- captions ------------------------------------------------------------------------------- */

/* Either the Markdown or the LaTeX spelling. */
static const char *mk(const tctx *t, const char *md, const char *tex)
{
    return t->tex ? tex : md;
}

/* "over the 122 participants (each participant's CCC averaged over its 3 repeats first)" */
static void caption_sample(FILE *fp, const tctx *t)
{
    fprintf(fp, "over the %zu participants", t->r->n_part);
    if (t->r->n_rep > 1)
        fprintf(fp, " (each participant's CCC averaged over its %zu repeats first)", t->r->n_rep);
}

static void caption_layout(FILE *fp, const tctx *t)
{
    fprintf(fp,
            "Rows are pruning criteria, columns sparsity levels (fraction of weights pruned); "
            "%sdense%s is the unpruned model, shown once at sparsity 0. ",
            mk(t, "*", "\\emph{"), mk(t, "*", "}"));
}

/* The sentence on the dagger: which test, which correction, alpha. */
static void caption_mark(FILE *fp, const tctx *t, const char *what, const char *test)
{
    const pf_analysis *a = t->a;
    if (!a || a->reference < 0) {
        fprintf(fp, "No significance marks: no reference criterion was tested.");
        return;
    }
    char ref[CELL_CAP];
    name_text(t, t->r->crit[a->reference], ref, sizeof ref);
    int holm = t->cfg->correction == PF_CORRECT_HOLM;
    fprintf(fp,
            "%s: %s the reference criterion %s (ref.) at that sparsity, by the two-sided %s "
            "over participants, %s %sp < %g%s",
            mk(t, "\xe2\x80\xa0", "$^\\dagger$"), what, ref, test,
            holm ? "Holm-adjusted" : "unadjusted", mk(t, "", "$"), t->cfg->alpha, mk(t, "", "$"));
    if (holm)
        fprintf(fp, " (Holm's correction within each sparsity level, over the reference's "
                    "comparisons with every other criterion and with the dense model)");
    fprintf(fp, ".");
}

static void caption_results(FILE *fp, const tctx *t)
{
    fprintf(fp, "%sCCC of the pruned models across participants.%s ", mk(t, "**", "\\textbf{"),
            mk(t, "**", "}"));
    fprintf(fp, "Mean %s sd ", mk(t, "\xc2\xb1", "$\\pm$"));
    caption_sample(fp, t);
    fprintf(fp, " of the concordance correlation coefficient (CCC) on held-out data. ");
    caption_layout(fp, t);
    fprintf(fp, "%sBold%s: best mean in its column (ties all bold; dense excluded). ",
            mk(t, "**", "\\textbf{"), mk(t, "**", "}"));
    caption_mark(fp, t, "CCC differs from", "Wilcoxon signed-rank test");
}

static void caption_spread(FILE *fp, const tctx *t)
{
    fprintf(fp, "%sHow evenly accuracy is spread across participants.%s ", mk(t, "**", "\\textbf{"),
            mk(t, "**", "}"));
    fprintf(fp, "(a) Sample sd of CCC ");
    caption_sample(fp, t);
    fprintf(fp, " (lower: more even); (b) CCC of the worst participant (higher is better). ");
    caption_layout(fp, t);
    fprintf(fp,
            "%sBold%s: best in its column (lowest sd, highest worst case; ties all bold; "
            "dense excluded). ",
            mk(t, "**", "\\textbf{"), mk(t, "**", "}"));
    caption_mark(fp, t, "the variance of CCC differs from that of",
                 "Pitman-Morgan test for paired variances");
}

/* ---- Markdown ------------------------------------------------------------------------------- */

/* Characters on screen, not bytes: UTF-8 continuation bytes do not count. */
static size_t display_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void md_row(FILE *fp, char (*text)[CELL_CAP], const size_t *width, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "| %s%*s ", text[i], (int)(width[i] - display_width(text[i])), "");
    fprintf(fp, "|\n");
}

/* One panel as a Markdown table, columns padded so the source reads as a table too. */
static int md_panel(FILE *fp, const tctx *t, const panel *p, pf_error *err)
{
    size_t rows = 2 + t->r->n_crit, cols = 1 + t->n_cols;
    char(*text)[CELL_CAP] = pf_calloc(rows * cols, sizeof *text, err);
    size_t *width = pf_calloc(cols, sizeof *width, err);
    if (err->code != PF_OK) {
        free(text), free(width);
        return err->code;
    }
    snprintf(text[0], CELL_CAP, "criterion");
    for (size_t col = 0; col < t->n_cols; col++) {
        long s = t->col_sp[col];
        snprintf(text[1 + col], CELL_CAP, "s = %g", s < 0 ? 0.0 : t->r->sparsity[s]);
    }
    for (size_t i = 1; i < rows; i++) {
        row_name(t, (int)i - 2, text[i * cols], CELL_CAP);
        row_cells(t, p, (int)i - 2, text + i * cols + 1);
    }
    for (size_t i = 0; i < rows * cols; i++) {
        size_t w = display_width(text[i]);
        if (w > width[i % cols]) width[i % cols] = w;
    }
    if (p->heading) fprintf(fp, "*%s*\n\n", p->heading);
    md_row(fp, text, width, cols);
    for (size_t c = 0; c < cols; c++)
        fprintf(fp, "|%s%.*s%s", c ? "-" : ":", (int)width[c],
                "----------------------------------------------------------------------",
                c ? ":" : "-");
    fprintf(fp, "|\n");
    for (size_t i = 1; i < rows; i++) md_row(fp, text + i * cols, width, cols);
    free(text), free(width);
    return PF_OK;
}

/* ---- LaTeX ---------------------------------------------------------------------------------- */

/* One row; text is scratch for n_cols cells. */
static void tex_row(FILE *fp, const tctx *t, const panel *p, int c, char (*text)[CELL_CAP])
{
    char name[CELL_CAP];
    row_name(t, c, name, sizeof name);
    row_cells(t, p, c, text);
    fprintf(fp, "    %s", name);
    for (size_t col = 0; col < t->n_cols; col++) fprintf(fp, " & %s", text[col]);
    fprintf(fp, " \\\\\n");
}

static void tex_head(FILE *fp, const tctx *t, const char *label,
                     void (*caption)(FILE *, const tctx *))
{
    fprintf(fp,
            "%% Written by prunefair (run %s, config %.8s). Needs \\usepackage{booktabs}.\n"
            "%% table* spans both columns of a two-column paper (in one column it is a plain\n"
            "%% table); still too wide? Wrap the tabular in \\resizebox{\\linewidth}{!}{...}.\n",
            t->cfg->name, t->cfg->hash);
    fprintf(fp, "\\begin{table*}[tbp]\n  \\centering\n  \\small\n  \\setlength{\\tabcolsep}{4pt}\n"
                "  \\caption{");
    caption(fp, t);
    fprintf(fp, "}\n  \\label{%s}\n", label);
    fprintf(fp, "  \\begin{tabular}{l*{%zu}{c}}\n    \\toprule\n", t->n_cols);
    fprintf(fp, "    & \\multicolumn{%zu}{c}{sparsity (fraction of weights pruned)} \\\\\n",
            t->n_cols);
    fprintf(fp, "    \\cmidrule(l){2-%zu}\n    criterion", t->n_cols + 1);
    for (size_t col = 0; col < t->n_cols; col++) {
        long s = t->col_sp[col];
        fprintf(fp, " & %g", s < 0 ? 0.0 : t->r->sparsity[s]);
    }
    fprintf(fp, " \\\\\n");
}

static void tex_panel(FILE *fp, const tctx *t, const panel *p, char (*text)[CELL_CAP])
{
    fprintf(fp, "    \\midrule\n");
    if (p->heading)
        fprintf(fp, "    \\multicolumn{%zu}{l}{\\textit{%s}} \\\\\n", t->n_cols + 1, p->heading);
    tex_row(fp, t, p, -1, text);
    fprintf(fp, "    \\midrule\n");
    for (size_t c = 0; c < t->r->n_crit; c++) tex_row(fp, t, p, (int)c, text);
}

/* ---- files ---------------------------------------------------------------------------------- */

typedef struct {
    const char *name; /* file name without extension */
    const char *label;
    void (*caption)(FILE *, const tctx *);
    size_t n_panels;
    panel panels[2];
} table_spec;

static const table_spec tables[] = {
    {"results", "tab:prunefair-ccc", caption_results, 1, {{NULL, STAT_MEAN, 1, 1, "wilcoxon"}}},
    {"spread",
     "tab:prunefair-spread",
     caption_spread,
     2,
     {{"(a) sd of CCC across participants (lower is more even)", STAT_SD, 0, 0, "pitman_morgan"},
      {"(b) CCC of the worst participant (higher is better)", STAT_MIN, 0, 1, NULL}}},
};

static int write_md(FILE *fp, tctx *t, const table_spec *spec, pf_error *err)
{
    t->tex = 0;
    spec->caption(fp, t);
    fprintf(fp, "\n\n");
    for (size_t i = 0; i < spec->n_panels && err->code == PF_OK; i++) {
        if (i) fprintf(fp, "\n");
        md_panel(fp, t, &spec->panels[i], err);
    }
    return err->code;
}

static int write_tex(FILE *fp, tctx *t, const table_spec *spec, pf_error *err)
{
    char(*text)[CELL_CAP] = pf_calloc(t->n_cols, sizeof *text, err);
    if (!text) return err->code;
    t->tex = 1;
    tex_head(fp, t, spec->label, spec->caption);
    for (size_t i = 0; i < spec->n_panels; i++) tex_panel(fp, t, &spec->panels[i], text);
    fprintf(fp, "    \\bottomrule\n  \\end{tabular}\n\\end{table*}\n");
    free(text);
    return PF_OK;
}

static int write_table(tctx *t, const char *dir, const table_spec *spec, const char *ext,
                       pf_error *err)
{
    char name[64];
    pf_outfile out;
    snprintf(name, sizeof name, "%s.%s", spec->name, ext);
    if (pf_outfile_open(&out, dir, name, err) != PF_OK) return err->code;
    int rc =
        strcmp(ext, "md") == 0 ? write_md(out.fp, t, spec, err) : write_tex(out.fp, t, spec, err);
    if (rc != PF_OK) {
        pf_outfile_abort(&out);
        return rc;
    }
    return pf_outfile_commit(&out, err);
}

static int check_formats(const pf_config *cfg, pf_error *err)
{
    for (size_t i = 0; i < cfg->tables.n; i++)
        if (strcmp(cfg->tables.item[i], "md") != 0 && strcmp(cfg->tables.item[i], "tex") != 0)
            return pf_error_set(err, PF_EINPUT,
                                "output.tables: unknown format '%s' (accepted: md, tex)",
                                cfg->tables.item[i]);
    return PF_OK;
}

int pf_tables_write(const pf_results *r, const pf_analysis *a, const pf_config *cfg,
                    const char *dir, pf_error *err)
{
    if (cfg->tables.n == 0) return PF_OK;
    if (check_formats(cfg, err) != PF_OK) return err->code;
    char tdir[1024];
    if (snprintf(tdir, sizeof tdir, "%s/tables", dir) >= (int)sizeof tdir)
        return pf_error_set(err, PF_ERUNTIME, "output path too long: %s/tables", dir);
    if (mkdir(tdir, 0777) != 0 && errno != EEXIST)
        return pf_error_set(err, PF_ERUNTIME, "cannot create the folder '%s': %s", tdir,
                            strerror(errno));
    tctx t = {.r = r, .a = a, .cfg = cfg};
    if (ctx_init(&t, err) == PF_OK)
        for (size_t i = 0; i < sizeof tables / sizeof tables[0] && err->code == PF_OK; i++)
            for (size_t f = 0; f < cfg->tables.n && err->code == PF_OK; f++)
                write_table(&t, tdir, &tables[i], cfg->tables.item[f], err);
    ctx_free(&t);
    return err->code;
}
