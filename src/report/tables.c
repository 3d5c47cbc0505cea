/* tables.c: the paper tables in Markdown and LaTeX, and the terminal headline (see tables.h).
 *
 * One model of a table -- panels of (row x column) cells, each a value, an optional sd, a
 * bold flag and its marks -- rendered twice, so the Markdown and LaTeX versions can never
 * disagree on a number, a bold or a mark. Every number is read from r->summary (the one
 * summary of each (metric, variant)); nothing is summarised here. "Best" compares values as
 * printed (3 decimals): two cells that read the same are both bold, as a reader would expect,
 * and "no better than random" is judged on the printed means for the same reason.
 *
 * Rows are indexed like r->crit: row 0 is the dense model, rows 1.. the pruning criteria. */
#include "report/tables.h"

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
#include "config/criterion.h"

#define CELL_CAP PF_TABLETEXT_CELL
#define NAME_CAP (PF_MAX_NAME * 2 + PF_METRIC_NAME + 32)

typedef enum { STAT_MEAN, STAT_SD, STAT_WORST, STAT_GAP } stat_kind;

/* One block of rows: what the cells show, which way is better, which marks they get. */
typedef struct {
    int heading; /* 1: the panel of a multi-panel table has a heading (heading_text) */
    stat_kind stat;
    int with_sd;      /* cell "value ± sd" */
    int lower_better; /* 1: lower is better whatever the metric (an sd); 0: the metric's way */
    const char *test; /* mark cells where this test against the reference is significant */
    int collapse;     /* mark, and never bold, a mean no better than random pruning's */
    size_t attr;      /* STAT_GAP: the attribute of the analysis' group comparisons */
} panel;

typedef struct {
    const pf_results *r;
    const pf_analysis *a; /* may be NULL */
    const pf_config *cfg;
    pf_metric_words w; /* the primary metric */
    size_t n_cols;
    long *col_sp;        /* [n_cols] sparsity index of each column; -1 = a column added for 0 */
    size_t dense_col;    /* the column of sparsity 0, where the dense model's value goes */
    unsigned char *same; /* [crit][sp] 1: the variant is the dense model (identical values) */
    int any_same;        /* some cell reads "= dense" */
    long baseline;       /* the row of the baseline criterion (random pruning), or -1 */
    int tex;             /* rendering LaTeX (else Markdown) */
    size_t width;        /* the chain shown (index into r->chain: centroids and width) */
    size_t dense_v;      /* the dense model at that width: row 0 */
} tctx;

typedef struct {
    double v, sd;
    int present, same, bold, mark, collapse;
} cell;

/* ---- the numbers ---------------------------------------------------------------------------- */

static const pf_summary_full *summary_of(const pf_results *r, size_t v)
{
    return pf_results_summary(r, r->primary, v);
}

/* Is variant v the dense model of its width (variant d): every metric of every participant
 * and repeat identical (a criterion at sparsity 0 that was not retrained)? NaN matches NaN:
 * neither was run. */
static int identical_to_dense(const pf_results *r, size_t v, size_t d)
{
    for (size_t m = 0; m < r->n_metric; m++)
        for (size_t p = 0; p < r->n_part; p++)
            for (size_t k = 0; k < r->n_rep; k++) {
                double x = r->value[pf_results_at(r, m, v, p, k)];
                double y = r->value[pf_results_at(r, m, d, p, k)];
                if (!(x == y || (isnan(x) && isnan(y)))) return 0;
            }
    return 1;
}

/* same[c][s] for every criterion at a sparsity of 0 at chain w; 0 elsewhere. */
static unsigned char *same_as_dense(const pf_results *r, size_t w, int *any, pf_error *err)
{
    unsigned char *same = pf_alloc(r->n_crit * r->n_sp + 1, 1, err);
    size_t d = pf_results_variant_at(r, 0, 0, w);
    *any = 0;
    for (size_t c = 1; same && c < r->n_crit; c++)
        for (size_t s = 0; s < r->n_sp; s++)
            if (r->sparsity[s] == 0 && identical_to_dense(r, pf_results_variant_at(r, c, s, w), d))
                same[c * r->n_sp + s] = 1, *any = 1;
    return same;
}

/* The criterion with the baseline role (random pruning, the yardstick of collapse;
 * config/criterion.h); -1 when the run has none. */
static long find_baseline(const pf_results *r)
{
    for (size_t c = 1; c < r->n_crit; c++)
        if (pf_criterion_has_role(r->crit[c], PF_CRITERION_BASELINE)) return (long)c;
    return -1;
}

/* Columns: the sparsity grid in config order; 0 is put first if the grid lacks it, so the
 * dense model always has its column. */
static int columns_init(tctx *t, pf_error *err)
{
    const pf_results *r = t->r;
    t->col_sp = pf_alloc(r->n_sp + 1, sizeof(long), err);
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
    if (!t->r->summary)
        return pf_error_set(err, PF_EINPUT,
                            "tables: the results are not summarised "
                            "(call pf_results_summarise first)");
    pf_analysis_metric_words(t->r, t->r->primary, &t->w);
    t->baseline = find_baseline(t->r);
    t->dense_v = pf_results_variant_at(t->r, 0, 0, t->width);
    t->same = same_as_dense(t->r, t->width, &t->any_same, err);
    if (t->same) columns_init(t, err);
    return err->code;
}

static void ctx_free(tctx *t)
{
    free(t->same), free(t->col_sp);
}

static double stat_of(const pf_summary_full *f, stat_kind k)
{
    return k == STAT_MEAN ? f->s.mean : k == STAT_SD ? f->s.sd : f->worst;
}

/* Is a better than b in this panel? */
static int better(const tctx *t, const panel *p, double a, double b)
{
    int up = !p->lower_better && t->w.higher_is_better;
    return up ? a > b : a < b;
}

/* Is criterion c's difference from the reference at sparsity index s significant? */
static int significant(const tctx *t, const panel *p, size_t c, size_t s)
{
    const pf_analysis *a = t->a;
    if (!p->test || !a || a->reference < 0 || (size_t)a->reference == c) return 0;
    pf_test_side ref = pf_analysis_side(
                     t->r, pf_results_variant_at(t->r, (size_t)a->reference, s, t->width)),
                 other = pf_analysis_side(t->r, pf_results_variant_at(t->r, c, s, t->width));
    const pf_test_row *row = pf_analysis_find(a, p->test, &ref, &other);
    return row && isfinite(row->p_holm) && row->p_holm < t->cfg->alpha;
}

/* The baseline as prose names it ("random pruning"). */
static const char *baseline_title(const tctx *t)
{
    return pf_criterion_find(t->r->crit[t->baseline])->title;
}

/* Is criterion c's mean at sparsity index s no better than random pruning's (random itself
 * included)? Then a small spread is the spread of a model that predicts next to nothing. At
 * sparsity 0 nothing was pruned, random or not: no yardstick there. */
static int collapsed(const tctx *t, size_t c, size_t s)
{
    if (t->baseline < 0 || t->r->sparsity[s] == 0) return 0;
    const pf_results *r = t->r;
    double mc = summary_of(r, pf_results_variant_at(r, c, s, t->width))->s.mean;
    double mr = summary_of(r, pf_results_variant_at(r, (size_t)t->baseline, s, t->width))->s.mean;
    if (!isfinite(mc) || !isfinite(mr)) return 0;
    return t->w.higher_is_better ? !(pf_tabletext_printed(mc) > pf_tabletext_printed(mr))
                                 : !(pf_tabletext_printed(mc) < pf_tabletext_printed(mr));
}

/* The group comparison of panel p's attribute for variant v. */
static const pf_group_gap *gap_of(const tctx *t, const panel *p, size_t v)
{
    return &t->a->groups->attr[p->attr].gap[v];
}

/* Is the Kruskal-Wallis test of variant v across p's groups significant after Holm? */
static int groups_differ(const tctx *t, const panel *p, size_t v)
{
    double q = gap_of(t, p, v)->p_holm;
    return isfinite(q) && q < t->cfg->alpha;
}

/* The cell of row c in column col, without its bold flag. */
static cell cell_at(const tctx *t, const panel *p, size_t c, size_t col)
{
    cell x = {NAN, NAN, 0, 0, 0, 0, 0};
    long s = t->col_sp[col];
    size_t v = t->dense_v;
    if (c == 0 && col != t->dense_col) return x;
    if (c > 0 && s < 0) return x;
    if (c > 0) {
        if (t->same[c * t->r->n_sp + (size_t)s]) {
            x.present = x.same = 1;
            return x;
        }
        v = pf_results_variant_at(t->r, c, (size_t)s, t->width);
    }
    x.present = 1;
    if (p->stat == STAT_GAP) {
        x.v = gap_of(t, p, v)->gap;
        x.mark = v != PF_DENSE && groups_differ(t, p, v);
    } else {
        const pf_summary_full *f = summary_of(t->r, v);
        x.v = stat_of(f, p->stat);
        x.sd = f->s.sd;
        if (c > 0) x.mark = significant(t, p, c, (size_t)s);
    }
    if (c > 0) x.collapse = p->collapse && collapsed(t, c, (size_t)s);
    return x;
}

/* A cell that can be bold: a criterion's own number, not a collapse. */
static int contender(const cell *x)
{
    return x->present && !x->same && !x->collapse && isfinite(x->v);
}

/* The best printed value among the criteria (not dense) in column col; NaN if none. */
static double column_best(const tctx *t, const panel *p, size_t col)
{
    double best = NAN;
    for (size_t c = 1; c < t->r->n_crit; c++) {
        cell x = cell_at(t, p, c, col);
        if (!contender(&x)) continue;
        double v = pf_tabletext_printed(x.v);
        if (isnan(best) || better(t, p, v, best)) best = v;
    }
    return best;
}

/* ---- text ----------------------------------------------------------------------------------- */

/* Either the Markdown or the LaTeX spelling. */
static const char *mk(const tctx *t, const char *md, const char *tex)
{
    return pf_tabletext_pick(t->tex, md, tex);
}

static void cell_text(const tctx *t, const panel *p, const cell *x, char *buf, size_t cap)
{
    char num[80];
    buf[0] = '\0';
    if (!x->present) {
        pf_tabletext_append(buf, cap, mk(t, "\xe2\x80\x93", "--")); /* en dash */
        return;
    }
    if (x->same) {
        pf_tabletext_append(buf, cap, "= dense");
        return;
    }
    pf_tabletext_number(t->tex, x->v, num, sizeof num);
    if (x->bold) pf_tabletext_append(buf, cap, mk(t, "**", "\\textbf{"));
    pf_tabletext_append(buf, cap, num);
    if (x->bold) pf_tabletext_append(buf, cap, mk(t, "**", "}"));
    if (p->with_sd) {
        pf_tabletext_number(t->tex, x->sd, num, sizeof num);
        pf_tabletext_append(buf, cap, mk(t, " \xc2\xb1 ", " $\\pm$ "));
        pf_tabletext_append(buf, cap, num);
    }
    if (x->mark) pf_tabletext_append(buf, cap, mk(t, "\xe2\x80\xa0", "$^\\dagger$"));
    if (x->collapse) pf_tabletext_append(buf, cap, mk(t, "\xe2\x80\xa1", "$^\\ddagger$"));
}

static void row_name(const tctx *t, size_t c, char *buf, size_t cap)
{
    pf_tabletext_name(t->tex, t->r->crit[c], buf, cap);
    if (c > 0 && t->a && t->a->reference == (int)c) pf_tabletext_append(buf, cap, " (ref.)");
}

/* The cells of row c, bold flags set. */
static void row_cells(const tctx *t, const panel *p, size_t c, char (*text)[CELL_CAP])
{
    for (size_t col = 0; col < t->n_cols; col++) {
        cell x = cell_at(t, p, c, col);
        double best = c == 0 ? NAN : column_best(t, p, col);
        x.bold = c > 0 && contender(&x) && pf_tabletext_printed(x.v) == best;
        cell_text(t, p, &x, text[col], CELL_CAP);
    }
}

/* ---- captions ------------------------------------------------------------------------------- */

/* The metric's label, escaped for the format being written ("ccc[arousal]" has brackets). */
static void label_text(const tctx *t, char *buf, size_t cap)
{
    pf_tabletext_name(t->tex, t->w.label, buf, cap);
}

/* "over the 122 participants (each participant's CCC averaged over its 3 repeats first)" */
static void caption_sample(FILE *fp, const tctx *t)
{
    char label[NAME_CAP];
    label_text(t, label, sizeof label);
    fprintf(fp, "over the %zu participants", t->r->n_part);
    if (t->r->n_rep > 1)
        fprintf(fp, " (each participant's %s averaged over its %zu repeats first)", label,
                t->r->n_rep);
}

/* "CCC: Lin's concordance correlation coefficient; higher is better." */
static void caption_metric(FILE *fp, const tctx *t)
{
    char label[NAME_CAP], about[NAME_CAP * 2];
    label_text(t, label, sizeof label);
    pf_tabletext_name(t->tex, t->w.about, about, sizeof about);
    fprintf(fp, "%c%s: %s, on held-out data; %s. ", toupper((unsigned char)label[0]), label + 1,
            about, t->w.direction);
}

/* "float32 weights", "weights quantised to 4 bits (symmetric, one scale per output unit)",
 * "weights clustered to 16 centroids per layer" and both. */
static void weights_text(const tctx *t, char *buf, size_t cap)
{
    const pf_chain *ch = &t->r->chain[t->width];
    char cl[96] = "";
    if (ch->clusters)
        snprintf(cl, sizeof cl, "weights clustered after pruning to %d centroids per layer%s",
                 ch->clusters, ch->bits == 32 ? " (float32 centroids)" : ", then ");
    if (ch->bits == 32)
        snprintf(buf, cap, "%s", ch->clusters ? cl : "float32 weights");
    else if (ch->clusters)
        snprintf(buf, cap,
                 "%sthe centroids quantised to %d-bit integers (symmetric, one scale per layer, "
                 "ties rounded %s; biases float32)",
                 cl, ch->bits,
                 t->cfg->rounding == PF_ROUND_HALF_EVEN ? "to even" : "away from zero");
    else
        snprintf(buf, cap,
                 "weights quantised after pruning to %d-bit integers (symmetric, one scale per "
                 "%s, ties rounded %s; biases float32)",
                 ch->bits, t->cfg->granularity == PF_GRAN_CHANNEL ? "output unit" : "weight matrix",
                 t->cfg->rounding == PF_ROUND_HALF_EVEN ? "to even" : "away from zero");
}

static void caption_layout(FILE *fp, const tctx *t)
{
    char weights[2 * CELL_CAP];
    weights_text(t, weights, sizeof weights);
    fprintf(fp,
            "Rows are pruning criteria, columns sparsity levels (fraction of weights pruned), "
            "all with %s; %sdense%s is the unpruned model%s, shown once, at sparsity 0. ",
            weights, mk(t, "*", "\\emph{"), mk(t, "*", "}"),
            t->width == 0                    ? ""
            : t->r->chain[t->width].clusters ? " compressed the same way (without pruning)"
                                             : " at the same width (quantisation alone)");
    if (t->any_same)
        fprintf(fp,
                "%s: at sparsity 0 the criterion's model is the dense model itself (identical "
                "per-participant values), not repeated and never bold. ",
                mk(t, "\"= dense\"", "``= dense''"));
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
    pf_tabletext_name(t->tex, t->r->crit[a->reference], ref, sizeof ref);
    int holm = t->cfg->correction == PF_CORRECT_HOLM;
    fprintf(fp,
            "%s: %s the reference criterion %s (ref.) at the same sparsity and width, by the "
            "two-sided %s over participants, %s %sp < %g%s",
            mk(t, "\xe2\x80\xa0", "$^\\dagger$"), what, ref, test,
            holm ? "Holm-adjusted" : "unadjusted", mk(t, "", "$"), t->cfg->alpha, mk(t, "", "$"));
    if (holm)
        fprintf(fp, " (Holm's correction within each sparsity level and width, over the "
                    "reference's comparisons with every other criterion there and with the dense "
                    "float32 model)");
    fprintf(fp, ".");
}

/* What the reader must know about the data before trusting the table: a dense model at chance,
 * and the participants and windows the data lost before the folds. */
static void caption_data(FILE *fp, const tctx *t)
{
    const pf_results *r = t->r;
    if (pf_analysis_dense_at_chance(t->a, r)) {
        char label[NAME_CAP], lo[64], hi[64], chance[64];
        label_text(t, label, sizeof label);
        pf_interval ci = t->a->mean_ci[PF_DENSE];
        pf_tabletext_number(t->tex, ci.lo, lo, sizeof lo),
            pf_tabletext_number(t->tex, ci.hi, hi, sizeof hi);
        pf_tabletext_number(t->tex, t->w.chance, chance, sizeof chance);
        fprintf(fp,
                " %sThe dense model itself is at chance:%s the %g%s bootstrap interval of its "
                "mean %s, [%s, %s], covers the chance level %s, so differences between "
                "criteria say little about the task.",
                mk(t, "**", "\\textbf{"), mk(t, "**", "}"), 100 * (1 - t->a->alpha),
                mk(t, "%", "\\%"), label, lo, hi, chance);
    }
    size_t np = r->participants_dropped, nw = r->windows_dropped_margin;
    if (np == 0 && nw == 0) return;
    fprintf(fp, " Left out of the data before the folds: ");
    if (np)
        fprintf(fp, "%zu participant%s with fewer windows than data.min%swindows", np,
                np == 1 ? "" : "s", mk(t, "_", "\\_"));
    if (np && nw) fprintf(fp, " and ");
    if (nw)
        fprintf(fp, "%zu window%s within data.transform%smargin of the participant's threshold", nw,
                nw == 1 ? "" : "s", mk(t, "_", "\\_"));
    fprintf(fp, ".");
}

static void caption_results(FILE *fp, const tctx *t)
{
    char label[NAME_CAP], what[NAME_CAP + 32];
    label_text(t, label, sizeof label);
    fprintf(fp, "%s%c%s of the pruned models across participants.%s ", mk(t, "**", "\\textbf{"),
            toupper((unsigned char)label[0]), label + 1, mk(t, "**", "}"));
    fprintf(fp, "Mean %s sd ", mk(t, "\xc2\xb1", "$\\pm$"));
    caption_sample(fp, t);
    fprintf(fp, " of the per-participant %s. ", label);
    caption_metric(fp, t);
    caption_layout(fp, t);
    fprintf(fp, "%sBold%s: best mean in its column (the %s; ties all bold; dense excluded). ",
            mk(t, "**", "\\textbf{"), mk(t, "**", "}"),
            t->w.higher_is_better ? "highest" : "lowest");
    snprintf(what, sizeof what, "%s differs from", label);
    caption_mark(fp, t, what, "Wilcoxon signed-rank test");
    caption_data(fp, t);
}

static void caption_spread(FILE *fp, const tctx *t)
{
    char label[NAME_CAP], what[NAME_CAP + 64];
    label_text(t, label, sizeof label);
    fprintf(fp, "%sHow evenly %s is spread across participants.%s ", mk(t, "**", "\\textbf{"),
            label, mk(t, "**", "}"));
    fprintf(fp, "(a) Sample sd of %s ", label);
    caption_sample(fp, t);
    fprintf(fp, " (lower: more even); (b) %s of the worst participant (the %s one). ", label,
            t->w.higher_is_better ? "lowest" : "highest");
    caption_metric(fp, t);
    caption_layout(fp, t);
    fprintf(fp,
            "%sBold%s: best in its column (the lowest sd; the %s worst case; ties all bold; "
            "dense excluded). ",
            mk(t, "**", "\\textbf{"), mk(t, "**", "}"),
            t->w.higher_is_better ? "highest" : "lowest");
    if (t->baseline >= 0)
        fprintf(fp,
                "%s: mean %s no better than %s's at that sparsity (%s included): a small sd or a "
                "mild worst case there is a model collapsing towards chance, not an even spread, "
                "and it is never bold. ",
                mk(t, "\xe2\x80\xa1", "$^\\ddagger$"), label, baseline_title(t),
                t->r->crit[t->baseline]);
    snprintf(what, sizeof what, "the variance of %s differs from that of", label);
    caption_mark(fp, t, what, "Pitman-Morgan test for paired variances");
    caption_data(fp, t);
}

static void caption_fairness(FILE *fp, const tctx *t)
{
    char label[NAME_CAP], weights[2 * CELL_CAP];
    label_text(t, label, sizeof label);
    weights_text(t, weights, sizeof weights);
    fprintf(fp, "%sGap in %s between groups of participants.%s ", mk(t, "**", "\\textbf{"), label,
            mk(t, "**", "}"));
    fprintf(fp,
            "For each attribute, participants are grouped by their value; a cell is the gap "
            "between the best and the worst group's mean %s (max %s min of the group means; "
            "lower is more even), each participant's %s averaged over repeats first. ",
            label, mk(t, "\xe2\x88\x92", "$-$"), label);
    caption_metric(fp, t);
    fprintf(fp,
            "Rows are pruning criteria, columns sparsity levels, all with %s; %sdense%s is the "
            "unpruned model at that width. Groups with fewer than %zu participants are listed "
            "in the heading but left out of the gap and the test. ",
            weights, mk(t, "*", "\\emph{"), mk(t, "*", "}"), t->a->groups->min_group);
    fprintf(fp, "%sBold%s: smallest gap in its column (dense excluded; ties all bold). ",
            mk(t, "**", "\\textbf{"), mk(t, "**", "}"));
    if (t->baseline >= 0)
        fprintf(fp,
                "%s: mean %s no better than %s's: a small gap there is a collapse towards "
                "chance, never bold. ",
                mk(t, "\xe2\x80\xa1", "$^\\ddagger$"), label, baseline_title(t));
    fprintf(fp,
            "%s: the change of %s from the dense float32 model differs between the groups "
            "(Kruskal-Wallis test on the per-participant changes, %s %sp < %g%s%s).",
            mk(t, "\xe2\x80\xa0", "$^\\dagger$"), label,
            t->cfg->correction == PF_CORRECT_HOLM ? "Holm-adjusted" : "unadjusted", mk(t, "", "$"),
            t->cfg->alpha, mk(t, "", "$"),
            t->cfg->correction == PF_CORRECT_HOLM
                ? " within each attribute, width and sparsity, over the criteria there"
                : "");
    caption_data(fp, t);
}

/* ---- Markdown ------------------------------------------------------------------------------- */

/* "sex: 0 (n = 37), 1 (n = 15)"; groups too small to compare and participants without a
 * value are named too. */
static void group_heading(const tctx *t, const panel *p, char *buf, size_t cap)
{
    const pf_group_attribute *g = &t->a->groups->attr[p->attr];
    char one[CELL_CAP];
    pf_tabletext_name(t->tex, g->name, buf, cap);
    pf_tabletext_append(buf, cap, ":");
    for (int pass = 1; pass >= 0; pass--) {
        int first = 1;
        for (size_t k = 0; k < g->n_groups; k++) {
            if (g->compared[k] != pass) continue;
            if (!pass && first) {
                snprintf(one, sizeof one,
                         "; not compared (fewer than %zu):", t->a->groups->min_group);
                pf_tabletext_append(buf, cap, one);
            }
            pf_tabletext_name(t->tex, g->value[k], one, sizeof one);
            pf_tabletext_append(buf, cap, first ? " " : ", ");
            pf_tabletext_append(buf, cap, one);
            snprintf(one, sizeof one, " (n = %zu)", g->size[k]);
            pf_tabletext_append(buf, cap, one);
            first = 0;
        }
    }
    if (g->n_missing) {
        snprintf(one, sizeof one, "; %zu without a value", g->n_missing);
        pf_tabletext_append(buf, cap, one);
    }
}

/* "(a) sd of CCC across participants (lower is more even)", "(b) RMSE of the worst ...". */
static void heading_text(const tctx *t, const panel *p, char *buf, size_t cap)
{
    char label[NAME_CAP];
    label_text(t, label, sizeof label);
    if (p->stat == STAT_GAP) {
        group_heading(t, p, buf, cap);
        return;
    }
    if (p->stat == STAT_SD)
        snprintf(buf, cap, "(a) sd of %s across participants (lower is more even)", label);
    else
        snprintf(buf, cap, "(b) %s of the worst participant (the %s; %s)", label,
                 t->w.higher_is_better ? "lowest" : "highest", t->w.direction);
}

/* One panel as a Markdown table, columns padded so the source reads as a table too. */
static int md_panel(FILE *fp, const tctx *t, const panel *p, pf_error *err)
{
    size_t rows = 1 + t->r->n_crit, cols = 1 + t->n_cols;
    char(*text)[CELL_CAP] = pf_alloc(rows * cols, sizeof *text, err);
    size_t *width = pf_alloc(cols, sizeof *width, err);
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
        row_name(t, i - 1, text[i * cols], CELL_CAP);
        row_cells(t, p, i - 1, text + i * cols + 1);
    }
    for (size_t i = 0; i < rows * cols; i++) {
        size_t w = pf_tabletext_width(text[i]);
        if (w > width[i % cols]) width[i % cols] = w;
    }
    if (p->heading) {
        char heading[NAME_CAP * 2];
        heading_text(t, p, heading, sizeof heading);
        fprintf(fp, "*%s*\n\n", heading);
    }
    pf_tabletext_md_row(fp, text, width, cols);
    pf_tabletext_md_rule(fp, width, cols);
    for (size_t i = 1; i < rows; i++) pf_tabletext_md_row(fp, text + i * cols, width, cols);
    free(text), free(width);
    return PF_OK;
}

/* ---- LaTeX ---------------------------------------------------------------------------------- */

/* One row; text is scratch for n_cols cells. */
static void tex_row(FILE *fp, const tctx *t, const panel *p, size_t c, char (*text)[CELL_CAP])
{
    char name[CELL_CAP];
    row_name(t, c, name, sizeof name);
    row_cells(t, p, c, text);
    fprintf(fp, "    %s", name);
    for (size_t col = 0; col < t->n_cols; col++) fprintf(fp, " & %s", text[col]);
    fprintf(fp, " \\\\\n");
}

/* tab:<run>-<hash8>-<table>-<metric>: unique per run, table and metric, so the tables of
 * several runs and metrics can live in one paper. */
static void tex_label(const tctx *t, const char *table, char *buf, size_t cap)
{
    char hash8[9];
    snprintf(hash8, sizeof hash8, "%.8s", t->cfg->hash);
    snprintf(buf, cap, "tab:");
    pf_tabletext_label_part(buf, cap, t->cfg->name[0] ? t->cfg->name : "prunefair");
    if (hash8[0]) pf_tabletext_append(buf, cap, "-"), pf_tabletext_label_part(buf, cap, hash8);
    pf_tabletext_append(buf, cap, "-"), pf_tabletext_label_part(buf, cap, table);
    pf_tabletext_append(buf, cap, "-"), pf_tabletext_label_part(buf, cap, t->w.file);
    if (t->width != 0) {
        char width[32];
        pf_results_chain_tag(t->r->chain[t->width], '-', width, sizeof width);
        pf_tabletext_append(buf, cap, width);
    }
}

static void tex_head(FILE *fp, const tctx *t, const char *table,
                     void (*caption)(FILE *, const tctx *))
{
    char label[NAME_CAP * 2];
    tex_label(t, table, label, sizeof label);
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
    if (p->heading) {
        char heading[NAME_CAP * 2];
        heading_text(t, p, heading, sizeof heading);
        fprintf(fp, "    \\multicolumn{%zu}{l}{\\textit{%s}} \\\\\n", t->n_cols + 1, heading);
    }
    tex_row(fp, t, p, 0, text);
    fprintf(fp, "    \\midrule\n");
    for (size_t c = 1; c < t->r->n_crit; c++) tex_row(fp, t, p, c, text);
}

/* ---- files ---------------------------------------------------------------------------------- */

typedef struct {
    const char *name; /* file name before "_<metric>.<ext>"; also in the LaTeX label */
    void (*caption)(FILE *, const tctx *);
    size_t n_panels;
    const panel *panels;
} table_spec;

static const panel results_panels[] = {{0, STAT_MEAN, 1, 0, "wilcoxon", 0, 0}};
static const panel spread_panels[] = {{1, STAT_SD, 0, 1, "pitman_morgan", 1, 0},
                                      {1, STAT_WORST, 0, 0, NULL, 1, 0}};
static const table_spec tables[] = {
    {"results", caption_results, 1, results_panels},
    {"spread", caption_spread, 2, spread_panels},
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
    char(*text)[CELL_CAP] = pf_alloc(t->n_cols, sizeof *text, err);
    if (!text) return err->code;
    t->tex = 1;
    tex_head(fp, t, spec->name, spec->caption);
    for (size_t i = 0; i < spec->n_panels; i++) tex_panel(fp, t, &spec->panels[i], text);
    fprintf(fp, "    \\bottomrule\n  \\end{tabular}\n\\end{table*}\n");
    free(text);
    return PF_OK;
}

static int write_table(tctx *t, const char *dir, const table_spec *spec, const char *ext,
                       pf_error *err)
{
    char name[PF_METRIC_NAME + 64], width[32];
    pf_outfile out;
    pf_results_chain_tag(t->r->chain[t->width], '_', width, sizeof width);
    snprintf(name, sizeof name, "%s_%s%s.%s", spec->name, t->w.file, width, ext);
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
    /* The fairness table: one panel per attribute of the group comparisons. */
    size_t n_attr = a && a->groups ? a->groups->n_attr : 0;
    panel *gp = pf_alloc(n_attr + 1, sizeof *gp, err);
    for (size_t i = 0; gp && i < n_attr; i++) gp[i] = (panel){1, STAT_GAP, 0, 1, NULL, 1, i};
    table_spec fairness = {"fairness", caption_fairness, n_attr, gp};
    for (size_t w = 0; gp && w < r->n_chain && err->code == PF_OK; w++) {
        tctx t = {.r = r, .a = a, .cfg = cfg, .width = w};
        if (ctx_init(&t, err) == PF_OK)
            for (size_t i = 0; i <= sizeof tables / sizeof tables[0] && err->code == PF_OK; i++) {
                const table_spec *spec =
                    i < sizeof tables / sizeof tables[0] ? &tables[i] : &fairness;
                if (spec->n_panels == 0) continue;
                for (size_t f = 0; f < cfg->tables.n && err->code == PF_OK; f++)
                    write_table(&t, tdir, spec, cfg->tables.item[f], err);
            }
        ctx_free(&t);
    }
    free(gp);
    return err->code;
}

/* ---- the terminal --------------------------------------------------------------------------- */

void pf_tables_print(FILE *out, const pf_results *r)
{
    if (!r->summary) return;
    pf_metric_words w;
    pf_analysis_metric_words(r, r->primary, &w);
    int width = 18;
    for (size_t c = 1; c < r->n_crit; c++)
        if ((int)strlen(r->crit[c]) + 2 > width) width = (int)strlen(r->crit[c]) + 2;
    fprintf(out, "\nmean %s across %zu participants, %s (dense model: %.3f)\n%-*s", w.label,
            r->n_part, w.direction, summary_of(r, PF_DENSE)->s.mean, width, "criterion");
    for (size_t s = 0; s < r->n_sp; s++) {
        char label[32];
        snprintf(label, sizeof label, "s=%g", r->sparsity[s]);
        fprintf(out, " %8s", label);
    }
    fputc('\n', out);
    for (size_t c = 1; c < r->n_crit; c++) {
        fprintf(out, "%-*s", width, r->crit[c]);
        for (size_t s = 0; s < r->n_sp; s++) {
            size_t v = pf_results_variant(r, c, s);
            if (r->sparsity[s] == 0 && identical_to_dense(r, v, PF_DENSE))
                fprintf(out, " %8s", "= dense");
            else
                fprintf(out, " %8.3f", summary_of(r, v)->s.mean);
        }
        fputc('\n', out);
    }
    /* Each further chain in one line: what it costs the dense model, and the largest change
     * of any variant's mean against the same variant in float32, unclustered. */
    for (size_t w = 1; w < r->n_chain; w++) {
        double worst = 0;
        for (size_t v = 0; v < pf_results_block(r); v++) {
            double d = summary_of(r, pf_results_variant_at(r, 0, 0, w) + v)->s.mean -
                       summary_of(r, v)->s.mean;
            if (fabs(d) > fabs(worst)) worst = d;
        }
        char words[64];
        pf_results_chain_words(r, w, words, sizeof words);
        fprintf(out, "%s%s: dense model %.3f; largest change of a mean against float32 %+.3f",
                r->chain[w].clusters ? "weights in " : "", words,
                summary_of(r, pf_results_variant_at(r, 0, 0, w))->s.mean, worst);
        /* Clustering that stopped at compress.cluster_max_iter with weights still moving. */
        size_t capped = 0, models = 0;
        for (size_t v = 0; r->chain[w].clusters && v < pf_results_block(r); v++)
            for (size_t fo = 0; fo < r->n_folds; fo++)
                for (size_t k = 0; k < r->n_rep; k++, models++)
                    capped += pf_results_record(r, fo, k, pf_results_variant_at(r, 0, 0, w) + v)
                                  ->cluster_capped != 0;
        if (capped)
            fprintf(out, " (Lloyd stopped at compress.cluster_max_iter in %zu of %zu models)",
                    capped, models);
        fputc('\n', out);
    }
}
