/* plots.c: figures as data + gnuplot script, rendered by gnuplot when it is there (plots.h).
 *
 * The program computes every number; gnuplot only draws. Each figure's .dat file therefore
 * holds exactly the values of pf_results / pf_analysis that the figure shows (%.10g, NaN for
 * a missing value), so a reader can check a plotted point against summary.csv, and restyle a
 * figure without rerunning the experiment. The scripts are the embedded templates with their
 * @PLACEHOLDERS@ filled in: plots/common.gp (look, terminals, colours, the loop over formats)
 * wraps the figure's own template at @BODY@.
 *
 * gnuplot runs as a child process (fork + execv, its cwd the figures folder, so the relative
 * data file name resolves; no shell, so no path is ever parsed as a command). Its stderr is
 * captured through a pipe and becomes the error message when it fails. */
#include "report/plots.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <omp.h>

#include "base/alloc.h"
#include "base/outfile.h"
#include "report/gnuplot.h"
#include "report/gptext.h"
#include "config/criterion.h"
#include "results/predictions.h"

#define PATH_CAP 1100
#define NAME_CAP (PF_METRIC_NAME + 16) /* "pareto_" + the metric's file name */

/* ---- what the figures need ------------------------------------------------------------------ */

typedef struct {
    const pf_results *r;
    const pf_analysis *a; /* may be NULL: no intervals */
    const pf_config *cfg;
    pf_metric_words w; /* the primary metric, which every figure shows */
    char figdir[PATH_CAP];
    char formats[64]; /* the distinct formats to render, space-separated ("png pdf") */
    double *vals;     /* [part] scratch for per-participant values */
    size_t width;     /* the weight width of the figures drawn per width (gap) */
    size_t part;      /* the participant a trace shows */
    int best;         /* 1: that participant is the dense model's best, 0: its worst */
    long ref;         /* the reference criterion's variant at the largest sparsity, -1: none */
} plot_ctx;

/* The one summary of (primary metric, variant v): figures plot it, never recompute it. */
static const pf_summary_full *summary_of(const plot_ctx *c, size_t v)
{
    return pf_results_summary(c->r, c->r->primary, v);
}

/* ---- criterion names, colours and markers ---------------------------------------------------- */

/* Each criterion has its own colour and marker in its row (config/criterion.h: Okabe-Ito,
 * safe for colour-blind readers), so "magnitude" is the same blue in every run and every
 * paper; a second variant of a criterion (another VR lambda) or an unknown name takes the next
 * spare colour that no criterion of the list wears. */
static const char *const spare_colors[] = {"#CC79A7", "#56B4E9", "#882255", "#44AA99",
                                           "#332288", "#999933", "#AA4499", "#117733"};
#define N_SPARE (sizeof spare_colors / sizeof spare_colors[0])
static const int spare_points[] = {15, 5, 7, 9, 11, 13};
#define N_SPARE_POINTS (sizeof spare_points / sizeof spare_points[0])

/* Whether the row of any criterion in names wears colour, whatever its position in the list. */
static int colour_worn(const char *const *names, size_t n, const char *colour)
{
    for (size_t k = 0; k < n; k++) {
        const pf_criterion *c = pf_criterion_find(names[k]);
        if (c && strcmp(c->colour, colour) == 0) return 1;
    }
    return 0;
}

void pf_plots_styles(const char *const *names, size_t n, const char **colour, int *point)
{
    const pf_criterion *taken[PF_MAX_CRITERIA]; /* distinct rows: at most the whole list */
    size_t n_taken = 0, spare = 0;
    for (size_t k = 0; k < n; k++) {
        const pf_criterion *st = pf_criterion_find(names[k]);
        int first = st != NULL;
        for (size_t i = 0; i < n_taken; i++) first &= taken[i] != st;
        if (first) {
            if (n_taken < PF_MAX_CRITERIA) taken[n_taken++] = st;
            colour[k] = st->colour, point[k] = st->point;
        } else {
            while (spare < 2 * N_SPARE && colour_worn(names, n, spare_colors[spare % N_SPARE]))
                spare++;
            colour[k] = spare_colors[spare % N_SPARE];
            point[k] = st ? st->point : spare_points[spare % N_SPARE_POINTS];
            spare++;
        }
    }
}

/* ---- choosing the box-plot sparsities -------------------------------------------------------- */

size_t pf_plots_box_sparsities(const double *sparsity, size_t n_sp, size_t *idx, size_t cap)
{
    static const double targets[] = {0.5, 0.8, 0.9};
    int chosen[PF_MAX_LIST * 2] = {0};
    if (n_sp > sizeof chosen / sizeof chosen[0]) n_sp = sizeof chosen / sizeof chosen[0];
    for (size_t t = 0; n_sp > 3 && t < 3; t++) {
        size_t best = 0;
        for (size_t s = 1; s < n_sp; s++) {
            /* Halfway between two grid points (0.4 and 0.6 for 0.5, up to rounding): the
             * sparser one, where criteria differ more. */
            double d = fabs(sparsity[s] - targets[t]), bd = fabs(sparsity[best] - targets[t]);
            if (d < bd - 1e-9 || (d <= bd + 1e-9 && sparsity[s] > sparsity[best])) best = s;
        }
        chosen[best] = 1;
    }
    size_t n = 0;
    for (size_t s = 0; s < n_sp && n < cap; s++)
        if (n_sp <= 3 || chosen[s]) idx[n++] = s;
    return n;
}

/* ---- the figures ---------------------------------------------------------------------------- */

/* A figure: its template plots/KIND.gp, its file name KIND_<metric>, its words and data. */
typedef enum {
    FIG_MEAN,
    FIG_SD,
    FIG_WORST,
    FIG_BOX,
    FIG_PARETO,
    FIG_SIZE,
    FIG_GAP,   /* one per weight width, and only with group comparisons */
    FIG_TRACE, /* the best and the worst participant, only with stored predictions */
    N_FIGURES
} figure_kind;

static const char *const kinds[N_FIGURES] = {"mean",   "sd",   "worst", "box",
                                             "pareto", "size", "gap",   "trace"};

typedef struct {
    char name[NAME_CAP]; /* "mean_ccc": the files NAME.dat, NAME.gp, NAME.png */
    char title[512], xlabel[256], ylabel[256];
    char worst[256], tail[256]; /* legend entries of the worst figure */
} figure;

static const char sparsity_axis[] = "sparsity (fraction of weights pruned)";

/* ---- traces: one participant's windows ------------------------------------------------------- */

/* The time column's name, from the account of the data file's columns (its use reads
 * "time (...)"), or NULL. */
static const char *time_column(const pf_results *r)
{
    for (size_t c = 0; c < r->n_columns; c++)
        if (strncmp(r->column_use[c], "time (", 6) == 0) return r->column_names[c];
    return NULL;
}

/* Whether participant p's windows have times that increase in window order: then a trace is
 * drawn against time, else (no time column, or several sessions each starting again) against
 * the window's position. */
static int timed_trace(const pf_results *r, size_t p)
{
    if (!r->window_time) return 0;
    for (size_t w = r->window_first[p] + 1; w < r->window_first[p + 1]; w++)
        if (!(r->window_time[w] > r->window_time[w - 1])) return 0;
    return 1;
}

/* trace_<id>: the participant's id with every character but letters, digits, '-', '_' and '.'
 * as '_', so that any id makes a file name. */
static void trace_name(const char *id, char *out, size_t cap)
{
    int n = snprintf(out, cap, "trace_%.80s", id);
    for (char *q = out + 6; n > 0 && *q; q++)
        if (!isalnum((unsigned char)*q) && *q != '-' && *q != '_' && *q != '.') *q = '_';
}

/* The participants the traces show: the best and the worst of the dense float32 model by the
 * primary metric (repeats averaged, the metric's direction; ties to the first), into who[];
 * returns how many (1 when they are the same, 0 when no participant has a value). */
static size_t trace_participants(const plot_ctx *c, size_t who[2])
{
    const pf_results *r = c->r;
    long best = -1, worst = -1;
    pf_results_values(r, r->primary, PF_DENSE, c->vals);
    for (size_t p = 0; p < r->n_part; p++) {
        double v = c->vals[p];
        if (isnan(v)) continue;
        int better = best < 0 || (c->w.higher_is_better ? v > c->vals[best] : v < c->vals[best]);
        int poorer = worst < 0 || (c->w.higher_is_better ? v < c->vals[worst] : v > c->vals[worst]);
        if (better) best = (long)p;
        if (poorer) worst = (long)p;
    }
    if (best < 0) return 0;
    who[0] = (size_t)best, who[1] = (size_t)worst;
    return best == worst ? 1 : 2;
}

/* The reference criterion's float32 variant at the grid's largest sparsity, or -1. */
static long reference_variant(const plot_ctx *c)
{
    const pf_results *r = c->r;
    if (!c->a || c->a->reference < 1 || (size_t)c->a->reference >= r->n_crit || r->n_sp == 0)
        return -1;
    size_t top = 0;
    for (size_t s = 1; s < r->n_sp; s++)
        if (r->sparsity[s] > r->sparsity[top]) top = s;
    return (long)pf_results_variant(r, (size_t)c->a->reference, top);
}

/* Titles, axes and legends in words: the metric by name, and which way is better, so a figure
 * read on its own says what "up" means ("worst participant" is the largest RMSE). */
static void describe(const plot_ctx *c, figure_kind k, figure *f)
{
    const pf_metric_words *w = &c->w;
    const char *worst = w->higher_is_better ? "lowest" : "highest";
    size_t n = c->r->n_part;
    const pf_chain *ch = &c->r->chain[c->width];
    char at[80] = "", suffix[32];
    snprintf(f->name, sizeof f->name, "%s_%s", kinds[k], w->file);
    if (k == FIG_GAP && c->width != 0) {
        char cl[40] = "";
        if (ch->clusters) snprintf(cl, sizeof cl, ", weights clustered to %d values", ch->clusters);
        if (ch->bits != 32)
            snprintf(at, sizeof at, "%s%s at %d bits", cl, ch->clusters ? "," : ", weights",
                     ch->bits);
        else
            snprintf(at, sizeof at, "%s", cl);
        pf_results_chain_tag(c->r->chain[c->width], '_', suffix, sizeof suffix);
        snprintf(f->name + strlen(f->name), sizeof f->name - strlen(f->name), "%s", suffix);
    }
    snprintf(f->xlabel, sizeof f->xlabel, "%s", sparsity_axis);
    f->worst[0] = f->tail[0] = '\0';
    switch (k) {
    case FIG_MEAN:
        snprintf(f->title, sizeof f->title, "Mean %s vs sparsity (%zu participants; %s)", w->label,
                 n, w->direction);
        snprintf(f->ylabel, sizeof f->ylabel, "mean %s across participants (%s)", w->label,
                 w->direction);
        break;
    case FIG_SD:
        snprintf(f->title, sizeof f->title, "Spread of %s across %zu participants vs sparsity",
                 w->label, n);
        snprintf(f->ylabel, sizeof f->ylabel, "sd of %s across participants (lower is more even)",
                 w->label);
        break;
    case FIG_WORST:
        snprintf(f->title, sizeof f->title,
                 "Worst-case %s vs sparsity (%zu participants; worst = %s %s)", w->label, n, worst,
                 w->label);
        snprintf(f->ylabel, sizeof f->ylabel, "%s (%s)", w->label, w->direction);
        snprintf(f->worst, sizeof f->worst, "worst participant (%s %s)", worst, w->label);
        snprintf(f->tail, sizeof f->tail, "%s percentile (the bad tail)",
                 w->higher_is_better ? "10th" : "90th");
        break;
    case FIG_BOX:
        snprintf(f->title, sizeof f->title,
                 "%s per participant at selected sparsities (%zu "
                 "participants)",
                 w->label, n);
        snprintf(f->ylabel, sizeof f->ylabel, "%s per participant (%s)", w->label, w->direction);
        break;
    case FIG_SIZE:
        snprintf(f->title, sizeof f->title,
                 "Mean %s vs stored model size, every variant (%zu participants)", w->label, n);
        snprintf(f->xlabel, sizeof f->xlabel, "stored model size (KiB, log scale)");
        snprintf(f->ylabel, sizeof f->ylabel, "mean %s across participants (%s)", w->label,
                 w->direction);
        break;
    case FIG_GAP:
        snprintf(f->title, sizeof f->title, "Gap in %s between groups vs sparsity%s", w->label, at);
        snprintf(f->ylabel, sizeof f->ylabel, "best minus worst group mean %s", w->label);
        break;
    case FIG_TRACE: {
        const pf_results *r = c->r;
        const char *tc = time_column(r);
        char reps[48] = "";
        pf_results_values(r, r->primary, PF_DENSE, c->vals);
        trace_name(r->participant_ids[c->part], f->name, sizeof f->name);
        if (r->n_rep > 1) snprintf(reps, sizeof reps, ", repeat 0 of %zu", r->n_rep);
        snprintf(f->title, sizeof f->title,
                 "Participant %.80s\nthe %s of %zu by %s (dense model: %.3f%s)",
                 r->participant_ids[c->part], c->best ? "best" : "worst", n, w->label,
                 c->vals[c->part], reps);
        if (!timed_trace(r, c->part))
            snprintf(f->xlabel, sizeof f->xlabel, "window (in time order)");
        else
            snprintf(f->xlabel, sizeof f->xlabel, "%.100s since the participant's first window",
                     tc ? tc : "time");
        snprintf(f->ylabel, sizeof f->ylabel, "%s", r->pred_class ? "class" : "target");
        break;
    }
    case FIG_PARETO:
    case N_FIGURES:
        snprintf(f->title, sizeof f->title, "Mean vs spread of %s (%zu participants)", w->label, n);
        snprintf(f->xlabel, sizeof f->xlabel, "sd of %s across participants (lower is more even)",
                 w->label);
        snprintf(f->ylabel, sizeof f->ylabel, "mean %s across participants (%s)", w->label,
                 w->direction);
        break;
    }
    /* A title starts with a capital, whatever the label ("balanced accuracy per ..."). */
    f->title[0] = (char)toupper((unsigned char)f->title[0]);
}

/* ---- the data files ------------------------------------------------------------------------- */

static void put_num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.10g", v);
    else
        fputs(PF_GPTEXT_NAN, fp);
}

static void put_row(FILE *fp, size_t n, const double *v)
{
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(' ', fp);
        put_num(fp, v[i]);
    }
    fputc('\n', fp);
}

static void data_header(FILE *fp, const plot_ctx *c, const figure *f, const char *what,
                        const char *columns)
{
    fprintf(fp, "# %s.dat: data of %s.gp -- %s\n", f->name, f->name, what);
    fprintf(fp, "# metric: %s (%s; %s)\n", c->w.name, c->w.about, c->w.direction);
    fprintf(fp,
            "# run %s (config %.8s); %zu participants, %zu repeat(s) averaged per participant "
            "first\n",
            c->cfg->name, c->cfg->hash, c->r->n_part, c->r->n_rep);
    /* '@' in columns stands for the metric's file name: "mean_@" reads "mean_ccc". */
    fprintf(fp, "# columns: ");
    for (const char *p = columns; *p; p++)
        if (*p == '@')
            fputs(c->w.file, fp);
        else
            fputc(*p, fp);
    fputc('\n', fp);
}

static void block_header(FILE *fp, size_t index, const char *label)
{
    fprintf(fp, "%s# index %zu: %s\n", index ? "\n\n" : "", index, label);
}

static pf_interval interval(const pf_interval *iv, size_t v)
{
    return iv ? iv[v] : (pf_interval){NAN, NAN};
}

/* The sparsity range the lines of the dense model span: 0 to the largest grid point. */
static double max_sparsity(const pf_results *r)
{
    double hi = 0;
    for (size_t s = 0; s < r->n_sp; s++) hi = r->sparsity[s] > hi ? r->sparsity[s] : hi;
    return hi;
}

/* mean (sd = 0) or sd (sd = 1) and its bootstrap CI per sparsity; the dense model a segment. */
static void write_stat_series(FILE *fp, const plot_ctx *c, int sd)
{
    const pf_results *r = c->r;
    const pf_interval *ci = c->a ? (sd ? c->a->sd_ci : c->a->mean_ci) : NULL;
    const pf_summary_full *d = summary_of(c, PF_DENSE);
    pf_interval dci = interval(ci, PF_DENSE);
    double y = sd ? d->s.sd : d->s.mean;
    block_header(fp, 0, r->crit[PF_DENSE]);
    put_row(fp, 4, (double[]){0, y, dci.lo, dci.hi});
    put_row(fp, 4, (double[]){max_sparsity(r), y, dci.lo, dci.hi});
    for (size_t k = 1; k < r->n_crit; k++) {
        block_header(fp, k, r->crit[k]);
        for (size_t s = 0; s < r->n_sp; s++) {
            size_t v = pf_results_variant(r, k, s);
            const pf_summary_full *m = summary_of(c, v);
            pf_interval iv = interval(ci, v);
            put_row(fp, 4, (double[]){r->sparsity[s], sd ? m->s.sd : m->s.mean, iv.lo, iv.hi});
        }
    }
}

static void data_mean(FILE *fp, const plot_ctx *c, const figure *f)
{
    data_header(fp, c, f, "the mean across participants and its bootstrap CI",
                "sparsity mean_@ ci_lo ci_hi");
    write_stat_series(fp, c, 0);
}

static void data_sd(FILE *fp, const plot_ctx *c, const figure *f)
{
    data_header(fp, c, f, "the sample sd across participants and its bootstrap CI",
                "sparsity sd_@ ci_lo ci_hi");
    write_stat_series(fp, c, 1);
}

static void data_worst(FILE *fp, const plot_ctx *c, const figure *f)
{
    const pf_results *r = c->r;
    data_header(fp, c, f,
                c->w.higher_is_better
                    ? "the worst participant (the lowest value) and the 10th percentile (type 7)"
                    : "the worst participant (the highest value) and the 90th percentile (type 7)",
                "sparsity worst_@ tail_@");
    const pf_summary_full *d = summary_of(c, PF_DENSE);
    block_header(fp, 0, r->crit[PF_DENSE]);
    put_row(fp, 3, (double[]){0, d->worst, d->tail});
    put_row(fp, 3, (double[]){max_sparsity(r), d->worst, d->tail});
    for (size_t k = 1; k < r->n_crit; k++) {
        block_header(fp, k, r->crit[k]);
        for (size_t s = 0; s < r->n_sp; s++) {
            const pf_summary_full *m = summary_of(c, pf_results_variant(r, k, s));
            put_row(fp, 3, (double[]){r->sparsity[s], m->worst, m->tail});
        }
    }
}

static void data_box(FILE *fp, const plot_ctx *c, const figure *f)
{
    const pf_results *r = c->r;
    size_t K = r->n_crit - 1, idx[3], ng = pf_plots_box_sparsities(r->sparsity, r->n_sp, idx, 3);
    data_header(fp, c, f, "per-participant values at the box-plot sparsities",
                "participant @  (participant = index in results order)");
    char label[PF_MAX_NAME + 48];
    for (size_t g = 0; g < ng; g++)
        for (size_t k = 1; k <= K; k++) {
            snprintf(label, sizeof label, "%s at sparsity %g", r->crit[k], r->sparsity[idx[g]]);
            block_header(fp, g * K + k - 1, label);
            pf_results_values(r, r->primary, pf_results_variant(r, k, idx[g]), c->vals);
            for (size_t p = 0; p < r->n_part; p++)
                put_row(fp, 2, (double[]){(double)p, c->vals[p]});
        }
    block_header(fp, ng * K, r->crit[PF_DENSE]);
    pf_results_values(r, r->primary, PF_DENSE, c->vals);
    for (size_t p = 0; p < r->n_part; p++) put_row(fp, 2, (double[]){(double)p, c->vals[p]});
}

static void data_pareto(FILE *fp, const plot_ctx *c, const figure *f)
{
    const pf_results *r = c->r;
    data_header(fp, c, f, "the mean across participants against the sd", "sd_@ mean_@ sparsity");
    const pf_summary_full *d = summary_of(c, PF_DENSE);
    block_header(fp, 0, r->crit[PF_DENSE]);
    put_row(fp, 3, (double[]){d->s.sd, d->s.mean, 0});
    for (size_t k = 1; k < r->n_crit; k++) {
        block_header(fp, k, r->crit[k]);
        for (size_t s = 0; s < r->n_sp; s++) {
            const pf_summary_full *m = summary_of(c, pf_results_variant(r, k, s));
            put_row(fp, 3, (double[]){m->s.sd, m->s.mean, r->sparsity[s]});
        }
    }
}

static void data_size(FILE *fp, const plot_ctx *c, const figure *f)
{
    const pf_results *r = c->r;
    data_header(fp, c, f, "the mean across participants against the stored size in bytes",
                "bytes mean_@ bits sparsity");
    block_header(fp, 0, "dense, at every width (float32 first)");
    for (size_t w = 0; w < r->n_chain; w++) {
        size_t v = pf_results_variant_at(r, 0, 0, w);
        put_row(fp, 4,
                (double[]){pf_results_stored_bytes(r, v), summary_of(c, v)->s.mean,
                           r->chain[w].bits, 0});
    }
    char label[PF_MAX_NAME + 64], words[48];
    for (size_t k = 1; k < r->n_crit; k++)
        for (size_t w = 0; w < r->n_chain; w++) {
            if (r->chain[w].clusters) {
                pf_results_chain_words(r, w, words, sizeof words);
                snprintf(label, sizeof label, "%s at %s", r->crit[k], words);
            } else
                snprintf(label, sizeof label, "%s at %d bits", r->crit[k], r->chain[w].bits);
            block_header(fp, 1 + (k - 1) * r->n_chain + w, label);
            for (size_t s = 0; s < r->n_sp; s++) {
                size_t v = pf_results_variant_at(r, k, s, w);
                put_row(fp, 4,
                        (double[]){pf_results_stored_bytes(r, v), summary_of(c, v)->s.mean,
                                   r->chain[w].bits, r->sparsity[s]});
            }
        }
}

/* The gap of every criterion at this chain, attribute by attribute; NaN where the gap is not
 * defined (fewer than two groups large enough). */
static void data_gap(FILE *fp, const plot_ctx *c, const figure *f)
{
    const pf_results *r = c->r;
    const pf_fairness *g = c->a->groups;
    data_header(fp, c, f,
                "the gap (max - min of the group means) and its bootstrap CI, resampling "
                "participants within groups",
                "sparsity gap_@ ci_lo ci_hi");
    char label[2 * PF_MAX_NAME + 16];
    size_t index = 0, dense = pf_results_variant_at(r, 0, 0, c->width);
    for (size_t a = 0; a < g->n_attr; a++) {
        const pf_group_gap *gap = g->attr[a].gap;
        snprintf(label, sizeof label, "dense, %s", g->attr[a].name);
        block_header(fp, index++, label);
        put_row(fp, 4, (double[]){0, gap[dense].gap, gap[dense].gap_ci.lo, gap[dense].gap_ci.hi});
        put_row(fp, 4,
                (double[]){max_sparsity(r), gap[dense].gap, gap[dense].gap_ci.lo,
                           gap[dense].gap_ci.hi});
        for (size_t k = 1; k < r->n_crit; k++) {
            snprintf(label, sizeof label, "%s, %s", r->crit[k], g->attr[a].name);
            block_header(fp, index++, label);
            for (size_t s = 0; s < r->n_sp; s++) {
                const pf_group_gap *x = &gap[pf_results_variant_at(r, k, s, c->width)];
                put_row(fp, 4, (double[]){r->sparsity[s], x->gap, x->gap_ci.lo, x->gap_ci.hi});
            }
        }
    }
}

/* One participant's windows, repeat 0: x (time since the first window, or the window's
 * position), then a regression's target, the dense model's and the reference's predictions, one
 * block per output; a classification's label, and each model's predicted class and probability
 * of class 1 (with two classes; NaN otherwise), one block. */
static void data_trace(FILE *fp, const plot_ctx *c, const figure *f)
{
    const pf_results *r = c->r;
    size_t p = c->part, lo = r->window_first[p], hi = r->window_first[p + 1], T = r->n_targets;
    int timed = timed_trace(r, p), cls = r->pred_class != NULL;
    char what[160];
    snprintf(what, sizeof what, "the held-out windows of the %s participant, repeat 0",
             c->best ? "best" : "worst");
    data_header(fp, c, f, what,
                cls ? "x label dense_class dense_p1 reference_class reference_p1"
                    : "x target dense reference  (x: time since the first window, or position)");
    if (c->ref >= 0) {
        char ref[2 * PF_MAX_NAME];
        pf_results_variant_name(r, (size_t)c->ref, ref, sizeof ref);
        fprintf(fp, "# reference: %s\n", ref);
    }
    for (size_t o = 0; o < (cls ? 1 : T); o++) {
        block_header(fp, o, r->target_names[o]);
        for (size_t w = lo; w < hi; w++) {
            double x = timed ? r->window_time[w] - r->window_time[lo] : (double)(w - lo + 1);
            const double *d = pf_predictions_at(r, PF_DENSE, 0, w);
            const double *e = c->ref >= 0 ? pf_predictions_at(r, (size_t)c->ref, 0, w) : NULL;
            if (!cls) {
                put_row(fp, 4, (double[]){x, r->window_truth[w * T + o], d[o], e ? e[o] : NAN});
                continue;
            }
            int dc = pf_predictions_class(r, PF_DENSE, 0, w);
            int ec = e ? pf_predictions_class(r, (size_t)c->ref, 0, w) : -1;
            int two = r->n_pred == 2;
            put_row(fp, 6,
                    (double[]){x, r->window_truth[w], dc >= 0 ? dc : NAN, two ? d[1] : NAN,
                               ec >= 0 ? ec : NAN, two && e ? e[1] : NAN});
        }
    }
}

static void (*const data_writers[N_FIGURES])(FILE *, const plot_ctx *, const figure *) = {
    data_mean, data_sd, data_worst, data_box, data_pareto, data_size, data_gap, data_trace};

/* ---- filling templates ---------------------------------------------------------------------- */

typedef struct {
    const char *key, *value;
} subst;

/* tpl with every @KEY@ of subs replaced by its value; other '@' (gnuplot macros) untouched. */
static char *fill_template(const char *tpl, const subst *subs, size_t n, pf_error *err)
{
    pf_gptext b = {0};
    for (const char *p = tpl; *p;) {
        size_t i = n;
        if (*p == '@')
            for (i = 0; i < n; i++) {
                size_t len = strlen(subs[i].key);
                if (strncmp(p + 1, subs[i].key, len) == 0 && p[len + 1] == '@') break;
            }
        if (i < n) {
            pf_gptext_put(&b, subs[i].value, strlen(subs[i].value));
            p += strlen(subs[i].key) + 2;
        } else {
            pf_gptext_put(&b, p++, 1);
        }
    }
    if (b.oom || !b.s) {
        free(b.s);
        pf_error_set(err, PF_ERUNTIME, "out of memory filling a gnuplot template");
        return NULL;
    }
    return b.s;
}

/* The gnuplot array literals of the criteria: names, colours, markers (pf_plots_styles); and
 * the colour of criterion ref (>= 1; black for none) into ref_colour (8 bytes). */
static void criterion_arrays(const pf_results *r, pf_gptext *names, pf_gptext *colors,
                             pf_gptext *points, size_t ref, char *ref_colour)
{
    snprintf(ref_colour, 8, "#000000");
    size_t n = r->n_crit - 1;
    const char **crit = calloc(2 * n + 1, sizeof *crit); /* the names, then their colours */
    int *point = calloc(n + 1, sizeof *point);
    if (crit && point) {
        for (size_t k = 0; k < n; k++) crit[k] = r->crit[k + 1];
        pf_plots_styles(crit, n, crit + n, point);
        for (size_t k = 0; k < n; k++) {
            const char *sep = k ? ", " : "";
            pf_gptext_add(names, "%s", sep);
            pf_gptext_quote(names, crit[k]);
            pf_gptext_add(colors, "%s\"%s\"", sep, crit[n + k]);
            pf_gptext_add(points, "%s%d", sep, point[k]);
            if (k + 1 == ref) snprintf(ref_colour, 8, "%.7s", crit[n + k]);
        }
    } else {
        names->oom = 1;
    }
    free(crit);
    free(point);
}

/* A trace's words: the outputs' names (a gnuplot array literal; the label's for a
 * classification), the class names, and the reference model's legend entry. */
static void trace_words(const plot_ctx *c, pf_gptext *outs, pf_gptext *classes, pf_gptext *ref)
{
    const pf_results *r = c->r;
    size_t n_out = r->pred == NULL ? 0 : r->pred_class ? 1 : r->n_targets;
    pf_gptext_put(outs, "", 0), pf_gptext_put(classes, "", 0);
    for (size_t o = 0; o < n_out; o++) {
        if (o) pf_gptext_put(outs, ", ", 2);
        pf_gptext_quote(outs, r->target_names[o]);
    }
    for (size_t k = 0; r->pred_class && k < r->n_classes; k++) {
        if (k) pf_gptext_put(classes, ", ", 2);
        pf_gptext_quote(classes, r->class_names[k]);
    }
    if (r->pred_class == NULL) pf_gptext_quote(classes, ""); /* an array needs one element */
    char name[2 * PF_MAX_NAME + 32] = "";
    if (c->ref >= 0) {
        const pf_variant *x = &r->variant[c->ref];
        snprintf(name, sizeof name, "%s, sparsity %g", r->crit[x->crit], x->sparsity);
    }
    pf_gptext_quote(ref, name);
}

/* Box-plot groups: their count and the array literal of their labels. */
static void box_panels(const pf_results *r, char *ng, size_t cap, pf_gptext *panels)
{
    size_t idx[3], n = pf_plots_box_sparsities(r->sparsity, r->n_sp, idx, 3);
    snprintf(ng, cap, "%zu", n);
    for (size_t g = 0; g < n; g++)
        pf_gptext_add(panels, "%s\"%g\"", g ? ", " : "", r->sparsity[idx[g]]);
}

/* text as the inside of a gnuplot double-quoted string: quotes and backslashes escaped, a
 * newline as gnuplot's \n (a title's second line), other control characters (a target name is
 * the user's) as spaces, so a script line stays one line. */
static char *gp_string(const char *text)
{
    pf_gptext b = {0};
    pf_gptext_put(&b, "", 0);
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            pf_gptext_put(&b, "\\n", 2);
            continue;
        }
        if (*p == '"' || *p == '\\') pf_gptext_put(&b, "\\", 1);
        pf_gptext_put(&b, (unsigned char)*p < 0x20 ? " " : p, 1);
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static char *build_script(const plot_ctx *c, figure_kind k, const figure *f, pf_error *err)
{
    const char *common = pf_plots_template("common"), *body = pf_plots_template(kinds[k]);
    if (!common || !body) {
        pf_error_set(err, PF_ERUNTIME, "gnuplot template '%s' missing from the build",
                     common ? kinds[k] : "common");
        return NULL;
    }
    const pf_results *r = c->r;
    pf_gptext names = {0}, colors = {0}, points = {0}, panels = {0}, attrs = {0}, widths = {0};
    pf_gptext chains = {0};
    pf_gptext outs = {0}, classes = {0}, refname = {0};
    char refcolor[8];
    criterion_arrays(r, &names, &colors, &points, c->ref >= 0 ? r->variant[c->ref].crit : 0,
                     refcolor);
    trace_words(c, &outs, &classes, &refname);
    size_t n_attr = c->a && c->a->groups ? c->a->groups->n_attr : 0;
    pf_gptext_put(&attrs, "", 0), pf_gptext_put(&widths, "", 0);
    for (size_t i = 0; i < n_attr; i++) {
        if (i) pf_gptext_put(&attrs, ", ", 2);
        pf_gptext_quote(&attrs, c->a->groups->attr[i].name);
    }
    pf_gptext_put(&chains, "", 0);
    for (size_t w = 0; w < r->n_chain; w++) {
        pf_gptext_add(&widths, "%s%d", w ? ", " : "", r->chain[w].bits);
        pf_gptext_add(&chains, "%s%d", w ? ", " : "", r->chain[w].clusters);
    }
    char na[32], nw[32], no[32], nc[32], ref[8];
    snprintf(no, sizeof no, "%zu", r->pred_class ? (size_t)1 : r->n_targets);
    snprintf(nc, sizeof nc, "%zu", r->pred_class ? r->n_classes : (size_t)0);
    snprintf(ref, sizeof ref, "%d", c->ref >= 0);
    snprintf(na, sizeof na, "%zu", n_attr);
    snprintf(nw, sizeof nw, "%zu", r->n_chain);
    char ng[32], n[32], npart[32], ci[32], hib[8], datafile[NAME_CAP + 8];
    box_panels(r, ng, sizeof ng, &panels);
    snprintf(n, sizeof n, "%zu", r->n_crit - 1);
    snprintf(npart, sizeof npart, "%zu", r->n_part);
    snprintf(ci, sizeof ci, "%g%%", 100 * (1 - c->cfg->alpha));
    snprintf(hib, sizeof hib, "%d", c->w.higher_is_better);
    snprintf(datafile, sizeof datafile, "%s.dat", f->name);
    char about[sizeof c->w.about + 64];
    snprintf(about, sizeof about, "%s, %s; %s", c->w.name, c->w.about, c->w.direction);
    char *words[] = {gp_string(f->title), gp_string(f->xlabel), gp_string(f->ylabel),
                     gp_string(f->worst), gp_string(f->tail),   gp_string(about)};
    size_t n_words = sizeof words / sizeof words[0];
    int oom = names.oom || colors.oom || points.oom || panels.oom || !names.s || !panels.s ||
              attrs.oom || widths.oom || chains.oom || outs.oom || classes.oom || refname.oom ||
              !outs.s || !classes.s || !refname.s;
    for (size_t i = 0; i < n_words; i++) oom |= words[i] == NULL;
    char *script = NULL;
    if (oom) {
        pf_error_set(err, PF_ERUNTIME, "out of memory writing the gnuplot script %s.gp", f->name);
    } else {
        subst outer[] = {{"BODY", body}};
        subst vars[] = {{"NAME", f->name},
                        {"KIND", kinds[k]},
                        {"TITLE", words[0]},
                        {"XLABEL", words[1]},
                        {"YLABEL", words[2]},
                        {"WORST", words[3]},
                        {"TAIL", words[4]},
                        {"ABOUT", words[5]},
                        {"HIB", hib},
                        {"FORMATS", c->formats},
                        {"DATAFILE", datafile},
                        {"N", n},
                        {"NAMES", names.s},
                        {"COLORS", colors.s},
                        {"POINTS", points.s},
                        {"NPART", npart},
                        {"CI", ci},
                        {"NG", ng},
                        {"PANELS", panels.s},
                        {"NA", na},
                        {"ATTRS", attrs.s},
                        {"W", nw},
                        {"WIDTHS", widths.s},
                        {"CHAINS", chains.s},
                        {"NO", no},
                        {"OUTS", outs.s},
                        {"C", nc},
                        {"CLASSES", classes.s},
                        {"REF", ref},
                        {"REFNAME", refname.s},
                        {"REFCOLOR", refcolor}};
        char *whole = fill_template(common, outer, 1, err);
        if (whole) script = fill_template(whole, vars, sizeof vars / sizeof vars[0], err);
        free(whole);
    }
    for (size_t i = 0; i < n_words; i++) free(words[i]);
    free(names.s), free(colors.s), free(points.s), free(panels.s), free(attrs.s), free(widths.s);
    free(chains.s);
    free(outs.s), free(classes.s), free(refname.s);
    return script;
}

/* ---- writing -------------------------------------------------------------------------------- */

static int write_figure_files(const plot_ctx *c, figure_kind k, const figure *f, pf_error *err)
{
    char name[NAME_CAP + 8];
    pf_outfile out;
    snprintf(name, sizeof name, "%s.dat", f->name);
    if (pf_outfile_open(&out, c->figdir, name, err) != PF_OK) return err->code;
    data_writers[k](out.fp, c, f);
    if (pf_outfile_commit(&out, err) != PF_OK) return err->code;

    char *script = build_script(c, k, f, err);
    if (!script) return err->code;
    snprintf(name, sizeof name, "%s.gp", f->name);
    if (pf_outfile_open(&out, c->figdir, name, err) == PF_OK) {
        fputs(script, out.fp);
        pf_outfile_commit(&out, err);
    }
    free(script);
    return err->code;
}

static int make_dir(const char *path, pf_error *err)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return PF_OK;
    return pf_error_set(err, PF_ERUNTIME, "cannot create the folder '%s': %s", path,
                        strerror(errno));
}

/* The distinct known formats of cfg->figures, space-separated. */
static int collect_formats(const pf_config *cfg, char *out, size_t cap, pf_error *err)
{
    out[0] = '\0';
    for (size_t i = 0; i < cfg->figures.n; i++) {
        const char *f = cfg->figures.item[i];
        if (strcmp(f, "png") != 0 && strcmp(f, "pdf") != 0)
            return pf_error_set(err, PF_EINPUT,
                                "output.figures: unknown format '%s' (accepted: png, pdf)", f);
        if (!strstr(out, f))
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? " " : "", f);
    }
    return PF_OK;
}

static int render(const plot_ctx *c, const char *prog, const figure *f, int *rendered,
                  pf_error *err)
{
    return pf_gnuplot_render(prog, c->figdir, f->name, c->formats, rendered, err);
}

int pf_plots_write(const pf_results *r, const pf_analysis *a, const pf_config *cfg, const char *dir,
                   int *rendered, pf_error *err)
{
    *rendered = 0;
    if (cfg->figures.n == 0) return PF_OK;
    if (r->n_crit < 2 || r->n_sp == 0)
        return pf_error_set(err, PF_EINPUT,
                            "nothing to plot: the run has %zu pruning criteria and %zu "
                            "sparsity levels (prune.criteria, prune.sparsities)",
                            r->n_crit ? r->n_crit - 1 : 0, r->n_sp);
    if (!r->summary)
        return pf_error_set(err, PF_EINPUT,
                            "figures: the results are not summarised "
                            "(call pf_results_summarise first)");
    plot_ctx c = {.r = r, .a = a, .cfg = cfg, .ref = -1};
    pf_analysis_metric_words(r, r->primary, &c.w);
    if (collect_formats(cfg, c.formats, sizeof c.formats, err) != PF_OK) return err->code;
    if (snprintf(c.figdir, sizeof c.figdir, "%s/figures", dir) >= (int)sizeof c.figdir)
        return pf_error_set(err, PF_ERUNTIME, "output path too long: %s/figures", dir);
    if (make_dir(c.figdir, err) != PF_OK) return err->code;
    c.vals = pf_alloc(r->n_part ? r->n_part : 1, sizeof(double), err);
    /* Every figure's files, in order; then the images, a gnuplot process per figure, as many
     * at once as the run has threads (each is a separate program, so order cannot matter; the
     * first failure in figure order is the one reported). */
    figure *figs = pf_alloc(N_FIGURES * (r->n_chain + 1) + 2, sizeof *figs, err);
    size_t n_figs = 0;
    for (size_t k = 0; figs && k < N_FIGURES && err->code == PF_OK; k++) {
        /* Gap figures exist per chain, and only when groups were compared. */
        int groups = a && a->groups && a->groups->n_attr > 0;
        size_t n_widths = k != FIG_GAP ? 1 : groups ? r->n_chain : 0;
        /* No sizes (results put together by hand), no size figure: its axis is log. */
        if (k == FIG_SIZE && !(pf_results_stored_bytes(r, PF_DENSE) > 0)) n_widths = 0;
        if (k == FIG_TRACE) n_widths = 0; /* one per participant shown, below */
        for (c.width = 0; c.width < n_widths && err->code == PF_OK; c.width++) {
            describe(&c, (figure_kind)k, &figs[n_figs]);
            write_figure_files(&c, (figure_kind)k, &figs[n_figs++], err);
        }
        c.width = 0;
    }
    /* Traces, with stored predictions: the dense model's best participant, then its worst. */
    size_t who[2], n_who = r->pred && err->code == PF_OK ? trace_participants(&c, who) : 0;
    c.ref = reference_variant(&c);
    for (size_t i = 0; figs && i < n_who && err->code == PF_OK; i++) {
        c.part = who[i], c.best = i == 0;
        describe(&c, FIG_TRACE, &figs[n_figs]);
        write_figure_files(&c, FIG_TRACE, &figs[n_figs++], err);
    }
    char prog[PATH_CAP];
    if (err->code == PF_OK && pf_gnuplot_find(prog, sizeof prog)) {
        pf_error *errs = pf_alloc(n_figs + 1, sizeof *errs, err);
        int count = 0, threads = pf_config_threads(cfg);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : count)
        for (size_t i = 0; i < n_figs; i++)
            if (errs) render(&c, prog, &figs[i], &count, &errs[i]);
        *rendered = count;
        for (size_t i = 0; errs && i < n_figs && err->code == PF_OK; i++)
            if (errs[i].code != PF_OK) *err = errs[i];
        free(errs);
    }
    free(figs);
    free(c.vals);
    return err->code;
}
