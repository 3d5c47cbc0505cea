/* sweepfigs.c: the critical-difference diagrams and the metric against numeric axes across a
 * sweep's points (see sweepfigs.h). */
#include "sweep/sweepfigs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/seed.h"
#include "report/plots.h"
#include "report/tabletext.h"
#include "stats/analysis.h"
#include "stats/stats.h"
#include "sweep/axisplot.h"
#include "sweep/cdplot.h"

#define NAMECAP (PF_SWEEP_MAX_AXES * 2 * PF_MAX_NAME)

typedef struct {
    const pf_aggregate *g;
    const pf_sweepstats *st;
    char dir[PF_MAX_STR + 200];
    char formats[64];
    pf_metric_words words;
    const char **colour; /* [crit]: index 0 (dense) unused */
    int *point;
    size_t n_figures, n_images;
} fctx;

/* "cd_model.hidden_ccc_s0.8_4bit": the kind, then the stem of the sweep's files. */
static void figure_name(const fctx *f, const char *kind, size_t gi, size_t sp, size_t w, char *out,
                        size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "%s_", kind);
    if (n < cap) pf_aggregate_stem(f->g, gi, sp, w, out + n, cap - n);
}

/* Is sparsity index sp one the figures show? */
static int of_interest(const pf_aggregate *g, size_t sp)
{
    size_t idx[3];
    size_t n = pf_plots_box_sparsities(g->sparsity, g->n_sp, idx, 3);
    for (size_t i = 0; i < n; i++)
        if (idx[i] == sp) return g->sparsity[sp] > 0;
    return 0;
}

static void rendered(fctx *f, int images)
{
    f->n_figures++;
    f->n_images += (size_t)images;
}

/* ---- critical-difference diagrams ----------------------------------------------------------- */

static int cd_figure(fctx *f, const pf_sweepstats_entry *e, pf_error *err)
{
    const pf_compare *c = e->cmp;
    if (!c || !isfinite(c->friedman.cd)) return PF_OK;
    for (size_t j = 0; j < c->k; j++)
        if (!isfinite(c->avg_rank[j])) return PF_OK;
    const pf_aggregate *g = f->g;
    const char **names = pf_alloc(c->k, sizeof *names, err);
    if (!names) return err->code;
    for (size_t j = 0; j < c->k; j++) names[j] = g->crit[f->st->crit[j]];
    /* "3 noise_max values": the blocks in a few words (the title holds a line). */
    const pf_sweepfile *sw = &g->sweep->file;
    const char *key = sw->axis[sw->group_first[e->group]].key, *dot = strrchr(key, '.');
    char blocks[NAMECAP + 16], name[NAMECAP + 128];
    snprintf(blocks, sizeof blocks, "%s values", dot ? dot + 1 : key);
    pf_cdplot_words w = {f->words.label, blocks, g->sparsity[e->sp], g->chain[e->w].bits,
                         g->chain[e->w].clusters};
    figure_name(f, "cd", e->group, e->sp, e->w, name, sizeof name);
    int images = 0;
    if (pf_cdplot_write(c, names, &w, f->dir, name, f->formats, &images, err) == PF_OK)
        rendered(f, images);
    free(names);
    return err->code;
}

/* ---- the metric against a numeric axis --------------------------------------------------------
 */

/* The cell's mean and, with resamples, its percentile bootstrap interval. */
static int cell_band(const fctx *f, size_t gi, size_t j, size_t c, size_t sp, size_t w,
                     double *pool, double *mean, double *lo, double *hi, pf_error *err)
{
    const pf_aggregate *g = f->g;
    pf_aggregate_cell cell;
    *mean = *lo = *hi = NAN;
    if (pf_aggregate_cell_at(g, gi, j, c, sp, w, &cell, pool, err) != PF_OK) return err->code;
    *mean = cell.mean;
    if (!cell.complete || cell.n < 2 || g->bootstrap == 0) return PF_OK;
    gsl_rng *rng =
        pf_seed_rng(g->seed, gi * PF_SWEEP_MAX_VALUES + j,
                    (c * (g->n_sp ? g->n_sp : 1) + sp) * g->n_chain + w, PF_SEED_BOOTSTRAP);
    if (!rng) return pf_error_set(err, PF_ERUNTIME, "out of memory (bootstrap)");
    pf_interval ci;
    int rc = pf_stats_bootstrap_ci(pool, cell.n, g->bootstrap, g->alpha, rng, &ci, NULL, err);
    gsl_rng_free(rng);
    if (rc == PF_OK) *lo = ci.lo, *hi = ci.hi;
    return rc;
}

static int axis_figure(fctx *f, size_t gi, size_t sp, size_t w, pf_error *err)
{
    const pf_aggregate *g = f->g;
    size_t n_x = g->sweep->file.group_len[gi], k = g->n_crit - 1;
    /* x ascending, whatever order the sweep file lists the values in. */
    size_t *order = pf_alloc(n_x, sizeof *order, err);
    double *x = pf_alloc(n_x, sizeof *x, err);
    double *v = pf_alloc((3 * k + 1) * n_x, sizeof *v, err);
    double *pool = pf_alloc(pf_aggregate_cell_room(g), sizeof *pool, err);
    pf_axisplot_series *series = pf_alloc(k + 1, sizeof *series, err);
    for (size_t i = 0; err->code == PF_OK && i < n_x; i++) {
        size_t at = i;
        double xi = pf_aggregate_group_value(g, gi, i);
        while (at > 0 && x[at - 1] > xi) x[at] = x[at - 1], order[at] = order[at - 1], at--;
        x[at] = xi, order[at] = i;
    }
    int log_x = n_x > 0 && x[0] > 0 && x[n_x - 1] / x[0] >= 100;
    for (size_t c = 0; err->code == PF_OK && c <= k; c++)
        for (size_t i = 0; i < n_x && err->code == PF_OK; i++) {
            double *y = c ? v + (c - 1) * 3 * n_x : v + 3 * k * n_x, lo, hi;
            cell_band(f, gi, order[i], c, sp, w, pool, &y[i], &lo, &hi, err);
            if (c) y[n_x + i] = lo, y[2 * n_x + i] = hi;
        }
    if (err->code == PF_OK) {
        for (size_t c = 1; c <= k; c++) {
            double *y = v + (c - 1) * 3 * n_x;
            series[c - 1] = (pf_axisplot_series){g->crit[c],
                                                 f->colour[c],
                                                 f->point[c],
                                                 y,
                                                 g->bootstrap ? y + n_x : NULL,
                                                 g->bootstrap ? y + 2 * n_x : NULL};
        }
        char axis[NAMECAP], title[NAMECAP + 256], ylabel[PF_METRIC_NAME + 160], band[64];
        char name[NAMECAP + 128];
        /* x is the group's first axis (a zipped one goes along with it). */
        snprintf(axis, sizeof axis, "%s", g->sweep->file.axis[g->sweep->file.group_first[gi]].key);
        snprintf(title, sizeof title, "%s against %s, sparsity %g", f->words.label, axis,
                 g->sparsity[sp]);
        if (g->chain[w].clusters) {
            char cl[40];
            snprintf(cl, sizeof cl, ", %d clusters", g->chain[w].clusters);
            pf_tabletext_append(title, sizeof title, cl);
        }
        if (g->chain[w].bits != 32) {
            char bits[32];
            snprintf(bits, sizeof bits, ", %d-bit weights", g->chain[w].bits);
            pf_tabletext_append(title, sizeof title, bits);
        }
        snprintf(ylabel, sizeof ylabel, "mean %s across participants (%s)", f->words.label,
                 f->words.direction);
        snprintf(band, sizeof band, "%g%% bootstrap interval", 100 * (1 - g->alpha));
        pf_axisplot_spec spec = {
            title, axis, ylabel, log_x, v + 3 * k * n_x, NULL, g->bootstrap ? band : NULL};
        figure_name(f, "axis", gi, sp, w, name, sizeof name);
        int images = 0;
        pf_error why = {0};
        /* Axis values that read as the same number ("1" and "1.0") cannot be drawn: skipped. */
        if (pf_axisplot_write(x, n_x, series, k, &spec, f->dir, name, f->formats, &images, &why) ==
            PF_OK)
            rendered(f, images);
        else if (why.code != PF_EINPUT)
            *err = why;
    }
    free(order), free(x), free(v), free(pool), free(series);
    return err->code;
}

/* ---- all of them ---------------------------------------------------------------------------- */

int pf_sweepfigs_write(const pf_aggregate *g, const pf_sweepstats *st, const char *dir,
                       size_t *n_figures, size_t *n_images, pf_error *err)
{
    *n_figures = *n_images = 0;
    if (g->n_done == 0 || g->n_crit < 2) return PF_OK;
    const pf_strlist *fmt = &g->cfg[g->first].figures;
    if (fmt->n == 0) return PF_OK;
    fctx f = {.g = g, .st = st};
    snprintf(f.dir, sizeof f.dir, "%s/figures", dir);
    for (size_t i = 0; i < fmt->n; i++) {
        if (i) pf_tabletext_append(f.formats, sizeof f.formats, " ");
        pf_tabletext_append(f.formats, sizeof f.formats, fmt->item[i]);
    }
    pf_analysis_metric_words(g->r[g->first], (size_t)g->metric_of[g->first], &f.words);
    f.colour = pf_alloc(g->n_crit, sizeof *f.colour, err);
    f.point = pf_alloc(g->n_crit, sizeof *f.point, err);
    const char **names = pf_alloc(g->n_crit, sizeof *names, err);
    if (err->code == PF_OK) {
        for (size_t c = 1; c < g->n_crit; c++) names[c - 1] = g->crit[c];
        pf_plots_styles(names, g->n_crit - 1, f.colour + 1, f.point + 1);
        for (size_t i = 0; i < st->n && err->code == PF_OK; i++)
            if (of_interest(g, st->entry[i].sp)) cd_figure(&f, &st->entry[i], err);
        for (size_t gi = 0; gi < g->sweep->file.n_groups && err->code == PF_OK; gi++)
            for (size_t w = 0; pf_aggregate_group_numeric(g, gi) && w < g->n_chain; w++)
                for (size_t sp = 0; sp < g->n_sp && err->code == PF_OK; sp++)
                    if (of_interest(g, sp)) axis_figure(&f, gi, sp, w, err);
    }
    free(f.colour), free(f.point), free(names);
    *n_figures = f.n_figures, *n_images = f.n_images;
    return err->code;
}
