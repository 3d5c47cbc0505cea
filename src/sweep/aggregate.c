/* aggregate.c: a sweep's done points read back and matched variant by variant (see
 * aggregate.h). */
#include "sweep/aggregate.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/csvout.h"
#include "base/numtext.h"
#include "base/outfile.h"
#include "config/criterion.h"
#include "eval/summary.h"
#include "results/results_csv.h"
#include "results/results_h5.h"
#include "stats/analysis.h"

/* ---- the union of the points' variants ------------------------------------------------------ */

static long find_name(char (*names)[PF_MAX_NAME], size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return (long)i;
    return -1;
}

static long find_double(const double *v, size_t n, double x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x) return (long)i;
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static long find_chain(const pf_chain *list, size_t n, pf_chain x)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].clusters == x.clusters && list[i].bits == x.bits) return (long)i;
    return -1;
}

/* Criteria in order of first appearance (dense first), sparsities ascending, chains
 * (unclustered float32 first) in order of first appearance. */
static int build_union(pf_aggregate *g, pf_error *err)
{
    size_t cap_crit = 1, cap_sp = 0;
    for (size_t p = 0; p < g->n_points; p++)
        if (g->r[p]) cap_crit += g->r[p]->n_crit, cap_sp += g->r[p]->n_sp;
    g->crit = pf_alloc(cap_crit, sizeof *g->crit, err);
    g->sparsity = pf_alloc(cap_sp + 1, sizeof *g->sparsity, err);
    if (err->code != PF_OK) return err->code;
    snprintf(g->crit[g->n_crit++], PF_MAX_NAME, "%s", PF_DENSE_NAME);
    g->chain[g->n_chain++] = (pf_chain){0, 32};
    for (size_t p = 0; p < g->n_points; p++) {
        const pf_results *r = g->r[p];
        if (!r) continue;
        for (size_t c = 1; c < r->n_crit; c++)
            if (find_name(g->crit, g->n_crit, r->crit[c]) < 0)
                snprintf(g->crit[g->n_crit++], PF_MAX_NAME, "%s", r->crit[c]);
        for (size_t s = 0; s < r->n_sp; s++)
            if (find_double(g->sparsity, g->n_sp, r->sparsity[s]) < 0)
                g->sparsity[g->n_sp++] = r->sparsity[s];
        for (size_t w = 0; w < r->n_chain; w++)
            if (find_chain(g->chain, g->n_chain, r->chain[w]) < 0 && g->n_chain < PF_MAX_LIST)
                g->chain[g->n_chain++] = r->chain[w];
        g->clustered |= pf_results_clustered(r);
    }
    qsort(g->sparsity, g->n_sp, sizeof *g->sparsity, cmp_double);
    return PF_OK;
}

static size_t variant_slot(const pf_aggregate *g, size_t p, size_t c, size_t sp, size_t w)
{
    return ((p * g->n_crit + c) * (g->n_sp ? g->n_sp : 1) + sp) * g->n_chain + w;
}

/* Where each (criterion, sparsity, width) of the union is in each point's results. */
static int map_variants(pf_aggregate *g, pf_error *err)
{
    size_t n_sp = g->n_sp ? g->n_sp : 1;
    g->variant = pf_alloc(g->n_points * g->n_crit * n_sp * g->n_chain, sizeof *g->variant, err);
    if (!g->variant) return err->code;
    for (size_t i = 0; i < g->n_points * g->n_crit * n_sp * g->n_chain; i++) g->variant[i] = -1;
    for (size_t p = 0; p < g->n_points; p++) {
        const pf_results *r = g->r[p];
        if (!r) continue;
        for (size_t c = 0; c < g->n_crit; c++) {
            long rc = c == 0 ? 0 : find_name(r->crit, r->n_crit, g->crit[c]);
            for (size_t s = 0; rc >= 0 && s < n_sp; s++) {
                long rs = c == 0    ? 0
                          : g->n_sp ? find_double(r->sparsity, r->n_sp, g->sparsity[s])
                                    : -1;
                for (size_t w = 0; rs >= 0 && w < g->n_chain; w++) {
                    long rw = find_chain(r->chain, r->n_chain, g->chain[w]);
                    if (rw >= 0)
                        g->variant[variant_slot(g, p, c, s, w)] =
                            (long)pf_results_variant_at(r, (size_t)rc, (size_t)rs, (size_t)rw);
                }
            }
        }
    }
    return PF_OK;
}

/* The metric and the [stats] settings of the first done point; the metric's index in every
 * point. */
static void choose_metric(pf_aggregate *g, const pf_sweep *s)
{
    const pf_results *r = g->r[g->first];
    const pf_config *cfg = &g->cfg[g->first];
    snprintf(g->metric, sizeof g->metric, "%s", r->metrics->slot[r->primary].name);
    pf_metric_words words;
    pf_analysis_metric_words(r, r->primary, &words);
    snprintf(g->metric_file, sizeof g->metric_file, "%s", words.file);
    g->higher_is_better = r->metrics->slot[r->primary].metric->higher_is_better;
    g->alpha = cfg->alpha;
    g->bootstrap = cfg->bootstrap > 0 ? (size_t)cfg->bootstrap : 0;
    for (size_t p = 0; p < g->n_points; p++)
        g->metric_of[p] = g->r[p] ? pf_metric_set_find(g->r[p]->metrics, g->metric) : -1;
    /* The reference as the first done point's analysis chose it: stats.reference, else the
     * criterion with the reference role. */
    g->reference = -1;
    for (size_t c = 1; c < g->n_crit && g->reference < 0; c++)
        if (cfg->reference[0] ? strcmp(g->crit[c], cfg->reference) == 0
                              : pf_criterion_has_role(g->crit[c], PF_CRITERION_REFERENCE))
            g->reference = (long)c;
    if (g->reference < 0 && g->n_crit > 1) g->reference = 1;
    char hex[17];
    snprintf(hex, sizeof hex, "%.16s", s->hash);
    g->seed = strtoull(hex, NULL, 16);
}

int pf_aggregate_load(pf_aggregate *g, const pf_sweep *s, pf_error *err)
{
    memset(g, 0, sizeof *g);
    g->sweep = s;
    g->n_points = s->n_points;
    g->state = pf_alloc(g->n_points, sizeof *g->state, err);
    g->tasks_done = pf_alloc(g->n_points, sizeof *g->tasks_done, err);
    g->r = pf_alloc(g->n_points, sizeof *g->r, err);
    g->cfg = pf_alloc(g->n_points, sizeof *g->cfg, err);
    g->metric_of = pf_alloc(g->n_points, sizeof *g->metric_of, err);
    for (size_t p = 0; err->code == PF_OK && p < g->n_points; p++) {
        g->state[p] = pf_sweep_point_state(s, p, &g->tasks_done[p]);
        if (g->state[p] != PF_POINT_DONE) continue;
        char path[PF_MAX_STR + 300];
        snprintf(path, sizeof path, "%s/results.h5", s->point[p].folder);
        pf_error why = {0};
        if (!(g->r[p] = pf_results_h5_read(path, &g->cfg[p], &why)))
            return pf_error_set(err, PF_EINPUT, "point %zu (%s): %s", p + 1, s->point[p].labels,
                                why.msg);
        if (g->n_done++ == 0) g->first = p;
    }
    if (err->code != PF_OK || g->n_done == 0) return err->code;
    if (build_union(g, err) != PF_OK || map_variants(g, err) != PF_OK) return err->code;
    choose_metric(g, s);
    return PF_OK;
}

void pf_aggregate_free(pf_aggregate *g)
{
    for (size_t p = 0; g->r && p < g->n_points; p++) pf_results_free(g->r[p]);
    free(g->state), free(g->tasks_done), free(g->r), free(g->cfg), free(g->metric_of);
    free(g->crit), free(g->sparsity), free(g->variant);
    memset(g, 0, sizeof *g);
}

long pf_aggregate_variant(const pf_aggregate *g, size_t p, size_t c, size_t sp, size_t w)
{
    if (!g->r[p] || c >= g->n_crit || w >= g->n_chain) return -1;
    if (c == 0)
        sp = 0;
    else if (sp >= g->n_sp)
        return -1;
    return g->variant[variant_slot(g, p, c, sp, w)];
}

/* ---- cells ---------------------------------------------------------------------------------- */

/* The value index of group gi at point p. */
static size_t group_index(const pf_aggregate *g, size_t gi, size_t p)
{
    const pf_sweepfile *sw = &g->sweep->file;
    size_t idx[PF_SWEEP_MAX_AXES];
    pf_sweepfile_point(sw, p, idx);
    return idx[sw->group_first[gi]];
}

size_t pf_aggregate_cell_room(const pf_aggregate *g)
{
    size_t n = 0;
    for (size_t p = 0; p < g->n_points; p++) n += g->r[p] ? g->r[p]->n_part : 0;
    return n ? n : 1;
}

int pf_aggregate_cell_at(const pf_aggregate *g, size_t gi, size_t j, size_t c, size_t sp, size_t w,
                         pf_aggregate_cell *cell, double *values, pf_error *err)
{
    memset(cell, 0, sizeof *cell);
    cell->mean = cell->sd = NAN;
    double *v = values ? values : pf_alloc(pf_aggregate_cell_room(g), sizeof *v, err);
    if (!v) return err->code;
    int complete = 1;
    for (size_t p = 0; p < g->n_points; p++) {
        if (group_index(g, gi, p) != j) continue;
        cell->n_points++;
        long var = pf_aggregate_variant(g, p, c, sp, w);
        if (var < 0 || g->metric_of[p] < 0) {
            complete = 0;
            continue;
        }
        pf_results_values(g->r[p], (size_t)g->metric_of[p], (size_t)var, v + cell->n);
        cell->n += g->r[p]->n_part;
    }
    cell->complete = complete && cell->n_points > 0;
    if (cell->complete) {
        pf_summary s;
        pf_summary_compute(v, cell->n, &s);
        cell->mean = s.mean, cell->sd = s.sd;
    }
    if (!values) free(v);
    return PF_OK;
}

/* ---- groups --------------------------------------------------------------------------------- */

/* The axes of group gi: first..the last axis whose group is the same. */
static int in_group(const pf_sweepfile *sw, size_t gi, size_t a)
{
    return sw->axis[a].group == sw->group_first[gi];
}

static int labelled(const pf_sweep_axis *ax)
{
    for (size_t i = 0; i < ax->n; i++)
        if (strcmp(ax->label[i], ax->value[i]) != 0) return 1;
    return 0;
}

int pf_aggregate_group_numeric(const pf_aggregate *g, size_t gi)
{
    const pf_sweepfile *sw = &g->sweep->file;
    const char *key = sw->axis[sw->group_first[gi]].key, *dot = strrchr(key, '.');
    const char *name = dot ? dot + 1 : key;
    size_t n = strlen(name);
    int seed = strcmp(name, "seed") == 0 || (n > 5 && strcmp(name + n - 5, "_seed") == 0);
    return sw->axis[sw->group_first[gi]].numeric && !seed;
}

void pf_aggregate_group_name(const pf_aggregate *g, size_t gi, char *out, size_t cap)
{
    const pf_sweepfile *sw = &g->sweep->file;
    out[0] = '\0';
    for (size_t a = 0; a < sw->n_axes; a++)
        if (in_group(sw, gi, a)) {
            size_t n = strlen(out);
            snprintf(out + n, cap - n, "%s%s", n ? "+" : "", sw->axis[a].key);
        }
}

void pf_aggregate_group_label(const pf_aggregate *g, size_t gi, size_t j, char *out, size_t cap)
{
    const pf_sweepfile *sw = &g->sweep->file;
    int any = 0;
    for (size_t a = 0; a < sw->n_axes; a++) any |= in_group(sw, gi, a) && labelled(&sw->axis[a]);
    out[0] = '\0';
    for (size_t a = 0; a < sw->n_axes; a++)
        if (in_group(sw, gi, a) && (!any || labelled(&sw->axis[a]))) {
            size_t n = strlen(out);
            snprintf(out + n, cap - n, "%s%s", n ? ", " : "", sw->axis[a].label[j]);
        }
}

/* Append s with characters other than letters, digits, '.', '_' and '-' as '-'. */
static void append_safe(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out);
    for (; *s && n + 1 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        out[n++] = isalnum(ch) || ch == '.' || ch == '_' || ch == '-' ? (char)ch : '-';
    }
    if (n < cap) out[n] = '\0';
}

void pf_aggregate_stem(const pf_aggregate *g, size_t gi, size_t sp, size_t w, char *out, size_t cap)
{
    const pf_sweepfile *sw = &g->sweep->file;
    char tail[64];
    out[0] = '\0';
    append_safe(out, cap, sw->axis[sw->group_first[gi]].key);
    append_safe(out, cap, "_");
    append_safe(out, cap, g->metric_file);
    snprintf(tail, sizeof tail, "_s%g", g->sparsity[sp]);
    append_safe(out, cap, tail);
    pf_results_chain_tag(g->chain[w], '_', tail, sizeof tail);
    append_safe(out, cap, tail);
}

double pf_aggregate_group_value(const pf_aggregate *g, size_t gi, size_t j)
{
    const pf_sweepfile *sw = &g->sweep->file;
    const pf_sweep_axis *ax = &sw->axis[sw->group_first[gi]];
    return ax->numeric ? strtod(ax->value[j], NULL) : NAN;
}

/* ---- CSV files ------------------------------------------------------------------------------ */

/* point,folder then every axis' value and label. */
static void point_head(FILE *fp, const pf_sweepfile *sw)
{
    fputs("point,folder", fp);
    for (size_t a = 0; a < sw->n_axes; a++) {
        char label[2 * PF_MAX_NAME + 8];
        snprintf(label, sizeof label, "label.%s", sw->axis[a].key);
        fputc(',', fp), pf_csvout_field(fp, sw->axis[a].key);
        fputc(',', fp), pf_csvout_field(fp, label);
    }
}

static void point_fields(FILE *fp, const pf_aggregate *g, size_t p)
{
    const pf_sweepfile *sw = &g->sweep->file;
    size_t idx[PF_SWEEP_MAX_AXES];
    pf_sweepfile_point(sw, p, idx);
    fprintf(fp, "%zu,", p + 1);
    pf_csvout_field(fp, strrchr(g->sweep->point[p].folder, '/') + 1);
    for (size_t a = 0; a < sw->n_axes; a++) {
        fputc(',', fp), pf_csvout_field(fp, sw->axis[a].value[idx[a]]);
        fputc(',', fp), pf_csvout_field(fp, sw->axis[a].label[idx[a]]);
    }
}

static int write_sweep_csv(const pf_aggregate *g, const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "sweep.csv", err) != PF_OK) return err->code;
    point_head(f.fp, &g->sweep->file);
    fputc(',', f.fp);
    int clustered = 0;
    for (size_t p = 0; p < g->n_points; p++) clustered |= g->r[p] && pf_results_clustered(g->r[p]);
    pf_results_csv_summary_head(f.fp, clustered);
    fputc('\n', f.fp);
    for (size_t p = 0; p < g->n_points; p++) {
        const pf_results *r = g->r[p];
        for (size_t v = 0; r && v < r->n_var; v++)
            for (size_t m = 0; m < r->n_metric; m++) {
                point_fields(f.fp, g, p);
                fputc(',', f.fp);
                pf_results_csv_summary_row(f.fp, r, v, m, clustered);
                fputc('\n', f.fp);
            }
    }
    return pf_outfile_commit(&f, err);
}

/* FAILED's first line, or "". */
static void failure_of(const char *folder, char *out, size_t cap)
{
    char path[PF_MAX_STR + 300];
    snprintf(path, sizeof path, "%s/FAILED", folder);
    out[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (!fp) return;
    if (fgets(out, (int)cap, fp)) out[strcspn(out, "\n")] = '\0';
    fclose(fp);
}

static int write_points_csv(const pf_aggregate *g, const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "points.csv", err) != PF_OK) return err->code;
    point_head(f.fp, &g->sweep->file);
    fputs(",state,tasks_done,tasks,participants,failure\n", f.fp);
    for (size_t p = 0; p < g->n_points; p++) {
        const pf_sweep_point *pt = &g->sweep->point[p];
        char why[1024];
        failure_of(pt->folder, why, sizeof why);
        point_fields(f.fp, g, p);
        fprintf(f.fp, ",%s,%zu,%zu,%zu,", pf_sweep_state_name(g->state[p]), g->tasks_done[p],
                pt->n_tasks, pt->n_participants);
        pf_csvout_field(f.fp, g->state[p] == PF_POINT_FAILED ? why : "");
        fputc('\n', f.fp);
    }
    return pf_outfile_commit(&f, err);
}

int pf_aggregate_write_csv(const pf_aggregate *g, const char *dir, pf_error *err)
{
    if (write_points_csv(g, dir, err) != PF_OK) return err->code;
    return write_sweep_csv(g, dir, err);
}
