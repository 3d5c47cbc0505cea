/* fairness.c: group comparisons of every variant under every attribute (see fairness.h).
 *
 * A participant's value is the primary metric averaged over repeats (pf_results_values), and
 * a delta is that value minus the same participant's dense float32 value, as in summary.h.
 * Groups are ordered by the bytes of their value, so the output does not depend on the order
 * participants appear in the data file. Bootstrap resamples come from one generator seeded by
 * (master seed, 0, 0, group bootstrap) and restarted for every (attribute, variant): every
 * variant sees the same resampled participants, so intervals differ only through the
 * variants, as the intervals of analysis.c do. */
#include "stats/fairness.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/csvout.h"
#include "base/h5.h"
#include "base/numtext.h"
#include "base/outfile.h"
#include "base/seed.h"
#include "results/results_csv.h"

/* ---- which participant is in which group ------------------------------------------------- */

/* The groups of attribute column a of the results (pf_dataset_attribute_groups), with sizes. */
static int form_groups(pf_group_attribute *g, const pf_results *r, size_t a, const pf_config *cfg,
                       pf_error *err)
{
    size_t P = r->n_part;
    g->group_of = pf_alloc(P + 1, sizeof *g->group_of, err);
    g->size = pf_alloc(P + 1, sizeof *g->size, err);
    g->compared = pf_alloc(P + 1, 1, err);
    if (err->code != PF_OK ||
        pf_dataset_attribute_groups(r->attribute_values, P, r->n_attributes, a, cfg, &g->value,
                                    &g->n_groups, g->group_of, err) != PF_OK)
        return err->code;
    for (size_t p = 0; p < P; p++) {
        if (g->group_of[p] < 0)
            g->n_missing++;
        else
            g->size[g->group_of[p]]++;
    }
    for (size_t k = 0; k < g->n_groups; k++) {
        g->compared[k] = g->size[k] >= (size_t)cfg->min_group;
        g->n_compared += g->compared[k];
    }
    return PF_OK;
}

/* ---- the numbers of one (attribute, variant) ------------------------------------------------ */

/* Work shared by the variants of one attribute. */
typedef struct {
    const pf_results *r;
    const pf_config *cfg;
    pf_group_attribute *g;
    int higher_is_better, nonnegative;
    double *dense;   /* [part] dense float32 values */
    double *vals;    /* [part] the variant's values */
    double *deltas;  /* [part] vals - dense */
    double *x;       /* [part] scratch: the test's values */
    size_t *group;   /* [part] scratch: the test's groups */
    size_t *members; /* [part] participants ordered by group */
    size_t *first;   /* [n_groups + 1] offsets into members */
    double *gaps;    /* [bootstrap] resampled gaps */
    pf_error *err;
} gctx;

/* Group means of v (NaN for a group with a member without a value, or an empty group). */
static void group_means(const gctx *c, const double *v, double *mean)
{
    const pf_group_attribute *g = c->g;
    for (size_t k = 0; k < g->n_groups; k++) {
        double s = 0;
        for (size_t i = c->first[k]; i < c->first[k + 1]; i++) s += v[c->members[i]];
        mean[k] = g->size[k] ? s / (double)g->size[k] : NAN;
    }
}

/* Gap, ratio and worst group over the compared groups' means. */
static void gap_of(const gctx *c, const double *mean, pf_group_gap *out)
{
    const pf_group_attribute *g = c->g;
    double lo = INFINITY, hi = -INFINITY;
    int worst = -1, any_nan = 0;
    for (size_t k = 0; k < g->n_groups; k++) {
        if (!g->compared[k]) continue;
        if (isnan(mean[k])) any_nan = 1;
        if (mean[k] < lo) lo = mean[k];
        if (mean[k] > hi) hi = mean[k];
        if (worst < 0 || (c->higher_is_better ? mean[k] < mean[worst] : mean[k] > mean[worst]))
            worst = (int)k;
    }
    out->gap = out->ratio = NAN;
    out->worst = any_nan ? -1 : worst;
    if (any_nan || g->n_compared < 2) return;
    out->gap = hi - lo;
    if (c->nonnegative && hi > 0) out->ratio = lo / hi;
}

/* The percentile interval of the gap, participants resampled within each compared group. */
static void gap_interval(gctx *c, pf_group_gap *out)
{
    const pf_group_attribute *g = c->g;
    size_t B = (size_t)c->cfg->bootstrap;
    out->gap_ci = (pf_interval){NAN, NAN};
    if (B == 0 || isnan(out->gap)) return;
    gsl_rng *rng = pf_seed_rng(c->cfg->seed, 0, 0, PF_SEED_GROUP_BOOTSTRAP);
    if (!rng) {
        pf_error_set(c->err, PF_ERUNTIME, "out of memory (bootstrap generator)");
        return;
    }
    for (size_t b = 0; b < B; b++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < g->n_groups; k++) {
            if (!g->compared[k]) continue;
            size_t n = g->size[k];
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += c->vals[c->members[c->first[k] + gsl_rng_uniform_int(rng, n)]];
            double m = s / (double)n;
            lo = m < lo ? m : lo;
            hi = m > hi ? m : hi;
        }
        c->gaps[b] = hi - lo;
    }
    gsl_rng_free(rng);
    gsl_sort(c->gaps, 1, B);
    double a = c->cfg->alpha;
    out->gap_ci.lo = gsl_stats_quantile_from_sorted_data(c->gaps, 1, B, a / 2);
    out->gap_ci.hi = gsl_stats_quantile_from_sorted_data(c->gaps, 1, B, 1 - a / 2);
}

/* Kruskal-Wallis across the compared groups on the deltas of the participants in them. */
static void group_test(gctx *c, pf_group_gap *out)
{
    const pf_group_attribute *g = c->g;
    size_t n = 0;
    for (size_t p = 0; p < c->r->n_part; p++) {
        int k = g->group_of[p];
        if (k < 0 || !g->compared[k]) continue;
        if (!isfinite(c->deltas[p])) {
            out->kw.status = PF_TEST_TOO_FEW; /* a participant without a value */
            return;
        }
        c->x[n] = c->deltas[p], c->group[n++] = (size_t)k;
    }
    pf_error why = {0};
    if (pf_stats_kruskal_wallis(c->x, c->group, n, g->n_groups, &out->kw, &why) != PF_OK)
        pf_error_set(c->err, why.code, "%s", why.msg);
    out->p_holm = out->kw.status == PF_TEST_OK ? out->kw.p_value : NAN;
}

static void one_variant(gctx *c, size_t v)
{
    pf_group_attribute *g = c->g;
    const pf_results *r = c->r;
    pf_group_gap *out = &g->gap[v];
    pf_results_values(r, r->primary, v, c->vals);
    for (size_t p = 0; p < r->n_part; p++) c->deltas[p] = c->vals[p] - c->dense[p];
    group_means(c, c->vals, g->mean + v * g->n_groups);
    group_means(c, c->deltas, g->delta + v * g->n_groups);
    gap_of(c, g->mean + v * g->n_groups, out);
    out->gap_delta = out->gap - g->gap[PF_DENSE].gap;
    out->kw = (pf_test_result){.status = PF_TEST_TOO_FEW,
                               .p_value = NAN,
                               .statistic = NAN,
                               .effect_size = NAN,
                               .df1 = NAN,
                               .df2 = NAN};
    out->p_holm = NAN;
    gap_interval(c, out);
    if (pf_fairness_tested(r, v) && c->err->code == PF_OK) group_test(c, out);
}

int pf_fairness_tested(const pf_results *r, size_t v)
{
    const pf_variant *x = &r->variant[v];
    return v != PF_DENSE && (x->crit == 0 || x->sparsity > 0);
}

/* Holm within each (width, sparsity) family of this attribute's tests: the criteria compared
 * at one width and sparsity, and the dense model quantised to that width at sparsity 0. */
static void holm_families(gctx *c)
{
    const pf_results *r = c->r;
    pf_group_gap *gap = c->g->gap;
    size_t V = r->n_var;
    size_t *idx = malloc(V * sizeof *idx);
    double *p = malloc(V * sizeof *p), *adj = malloc(V * sizeof *adj);
    unsigned char *done = calloc(V, 1);
    if (!idx || !p || !adj || !done) pf_error_set(c->err, PF_ERUNTIME, "out of memory (Holm)");
    for (size_t v = 1; v < V && c->err->code == PF_OK; v++) {
        if (done[v] || !pf_fairness_tested(r, v)) continue;
        size_t m = 0;
        for (size_t u = v; u < V; u++)
            if (!done[u] && pf_fairness_tested(r, u) &&
                r->variant[u].chain == r->variant[v].chain &&
                r->variant[u].sparsity == r->variant[v].sparsity) {
                done[u] = 1;
                idx[m] = u, p[m++] = gap[u].p_holm;
            }
        if (c->cfg->correction == PF_CORRECT_HOLM && pf_stats_holm(p, m, adj, c->err) == PF_OK)
            for (size_t i = 0; i < m; i++) gap[idx[i]].p_holm = adj[i];
    }
    free(idx), free(p), free(adj), free(done);
}

static int one_attribute(pf_group_attribute *g, const pf_results *r, size_t a, const pf_config *cfg,
                         pf_error *err)
{
    snprintf(g->name, sizeof g->name, "%s", r->attribute_names[a]);
    if (form_groups(g, r, a, cfg, err) != PF_OK) return err->code;
    size_t P = r->n_part, G = g->n_groups, V = r->n_var, B = (size_t)cfg->bootstrap;
    const pf_metric *m = r->metrics->slot[r->primary].metric;
    gctx c = {.r = r,
              .cfg = cfg,
              .g = g,
              .higher_is_better = m->higher_is_better,
              .nonnegative = m->nonnegative,
              .dense = pf_alloc(P, sizeof(double), err),
              .vals = pf_alloc(P, sizeof(double), err),
              .deltas = pf_alloc(P, sizeof(double), err),
              .x = pf_alloc(P, sizeof(double), err),
              .group = pf_alloc(P > G ? P : G, sizeof(size_t), err),
              .members = pf_alloc(P, sizeof(size_t), err),
              .first = pf_alloc(G + 1, sizeof(size_t), err),
              .gaps = pf_alloc(B ? B : 1, sizeof(double), err),
              .err = err};
    g->mean = pf_alloc(V * (G ? G : 1), sizeof(double), err);
    g->delta = pf_alloc(V * (G ? G : 1), sizeof(double), err);
    g->gap = pf_alloc(V, sizeof *g->gap, err);
    if (err->code == PF_OK) {
        /* Members by group, in participant order within each (a counting sort). */
        for (size_t p = 0; p < P; p++)
            if (g->group_of[p] >= 0) c.first[g->group_of[p] + 1]++;
        for (size_t k = 0; k < G; k++) c.first[k + 1] += c.first[k];
        size_t *next = c.group;
        memcpy(next, c.first, G * sizeof *next);
        for (size_t p = 0; p < P; p++)
            if (g->group_of[p] >= 0) c.members[next[g->group_of[p]]++] = p;
        pf_results_values(r, r->primary, PF_DENSE, c.dense);
        for (size_t v = 0; v < V && err->code == PF_OK; v++) one_variant(&c, v);
        if (err->code == PF_OK) holm_families(&c);
    }
    free(c.dense), free(c.vals), free(c.deltas), free(c.x), free(c.group), free(c.members);
    free(c.first), free(c.gaps);
    return err->code;
}

/* The attribute columns of r that fairness.attributes names, in that order. */
static size_t chosen_attributes(const pf_results *r, const pf_config *cfg, size_t *idx,
                                pf_error *err)
{
    const pf_strlist *l = &cfg->fairness_attributes;
    size_t n = 0;
    if (l->n == 1 && strcmp(l->item[0], "none") == 0) return 0;
    if (l->n == 1 && strcmp(l->item[0], "auto") == 0) {
        for (size_t a = 0; a < r->n_attributes; a++) idx[n++] = a;
        return n;
    }
    for (size_t i = 0; i < l->n; i++) {
        size_t a = 0;
        while (a < r->n_attributes && strcmp(r->attribute_names[a], l->item[i]) != 0) a++;
        if (a == r->n_attributes) {
            pf_error_set(err, PF_EINPUT,
                         "fairness.attributes names '%s', but the data carry no such participant "
                         "attribute (data.attribute_columns)",
                         l->item[i]);
            return 0;
        }
        idx[n++] = a;
    }
    return n;
}

pf_fairness *pf_fairness_run(const pf_results *r, const pf_config *cfg, pf_error *err)
{
    pf_fairness *f = pf_alloc(1, sizeof *f, err);
    size_t *idx = pf_alloc(r->n_attributes ? r->n_attributes : 1, sizeof *idx, err);
    if (!f || !idx) {
        free(f), free(idx);
        return NULL;
    }
    f->n_var = r->n_var;
    f->metric = r->primary;
    f->min_group = (size_t)cfg->min_group;
    f->alpha = cfg->alpha;
    f->bootstrap = (size_t)cfg->bootstrap;
    f->n_attr = chosen_attributes(r, cfg, idx, err);
    if (err->code == PF_OK && f->n_attr) f->attr = pf_alloc(f->n_attr, sizeof *f->attr, err);
    for (size_t i = 0; i < f->n_attr && err->code == PF_OK; i++)
        one_attribute(&f->attr[i], r, idx[i], cfg, err);
    free(idx);
    if (err->code != PF_OK) {
        pf_fairness_free(f);
        return NULL;
    }
    return f;
}

void pf_fairness_free(pf_fairness *f)
{
    if (!f) return;
    for (size_t i = 0; f->attr && i < f->n_attr; i++) {
        pf_group_attribute *g = &f->attr[i];
        for (size_t k = 0; g->value && k < g->n_groups; k++) free(g->value[k]);
        free(g->value), free(g->size), free(g->compared), free(g->group_of);
        free(g->mean), free(g->delta), free(g->gap);
    }
    free(f->attr);
    free(f);
}

/* ---- output ------------------------------------------------------------------------------- */

/* The row's attribute and its two sides: variant v, and the dense float32 model its deltas
 * are taken against (criterion, sparsity, clusters when the study clusters, bits each). */
static void put_variant(FILE *fp, const pf_results *r, const pf_group_attribute *g, size_t v)
{
    pf_csvout_field(fp, g->name);
    const pf_variant *side[] = {&r->variant[v], &r->variant[PF_DENSE]};
    for (size_t k = 0; k < 2; k++) {
        fprintf(fp, ",%s", r->crit[side[k]->crit]);
        pf_numtext_put(fp, ",", side[k]->sparsity);
        if (pf_results_clustered(r)) fprintf(fp, ",%d", side[k]->clusters);
        fprintf(fp, ",%d", side[k]->bits);
    }
    fputc(',', fp);
}

int pf_fairness_write_csv(const pf_fairness *f, const pf_results *r, const char *dir, pf_error *err)
{
    pf_outfile o;
    if (pf_outfile_open(&o, dir, "groups.csv", err) != PF_OK) return err->code;
    FILE *fp = o.fp;
    fprintf(fp, "attribute");
    for (int k = 0; k < 2; k++)
        fprintf(fp, ",criterion_%c,sparsity_%c%s,bits_%c", "ab"[k], "ab"[k],
                pf_results_clustered(r) ? (k ? ",clusters_b" : ",clusters_a") : "", "ab"[k]);
    fprintf(fp, ",group,n,"
                "compared,mean,mean_delta,gap,"
                "gap_lo,gap_hi,gap_delta,ratio,worst_group,kw_h,kw_df,kw_p,kw_p_holm,"
                "kw_status\n");
    for (size_t a = 0; a < f->n_attr; a++) {
        const pf_group_attribute *g = &f->attr[a];
        for (size_t v = 0; v < r->n_var; v++) {
            const pf_group_gap *x = &g->gap[v];
            for (size_t k = 0; k < g->n_groups; k++) {
                put_variant(fp, r, g, v);
                pf_csvout_field(fp, g->value[k]);
                fprintf(fp, ",%zu,%d", g->size[k], g->compared[k]);
                pf_numtext_put(fp, ",", g->mean[v * g->n_groups + k]);
                pf_numtext_put(fp, ",", g->delta[v * g->n_groups + k]);
                fputs(",,,,,,,,,,,\n", fp);
            }
            put_variant(fp, r, g, v);
            fprintf(fp, "*,%zu,%zu,,", (size_t)r->n_part - g->n_missing, g->n_compared);
            const double nums[] = {x->gap, x->gap_ci.lo, x->gap_ci.hi, x->gap_delta, x->ratio};
            for (size_t i = 0; i < 5; i++) pf_numtext_put(fp, ",", nums[i]);
            fputc(',', fp);
            if (x->worst >= 0) pf_csvout_field(fp, g->value[x->worst]);
            const double kw[] = {x->kw.statistic, x->kw.df1, x->kw.p_value, x->p_holm};
            for (size_t i = 0; i < 4; i++) pf_numtext_put(fp, ",", kw[i]);
            fprintf(fp, ",%s\n",
                    v == PF_DENSE                     ? "reference"
                    : !pf_fairness_tested(r, v)       ? "dense_model"
                    : x->kw.status == PF_TEST_OK      ? "ok"
                    : x->kw.status == PF_TEST_TOO_FEW ? "too_few"
                                                      : "constant");
        }
    }
    return pf_outfile_commit(&o, err);
}

int pf_fairness_write_h5(const pf_fairness *f, const pf_results *r, hid_t file, pf_error *err)
{
    pf_h5 h = {.file = file};
    hid_t top = pf_h5_group(&h, file, "groups");
    if (top < 0) return pf_error_set(err, PF_ERUNTIME, "cannot create HDF5 group /groups");
    const pf_metric_slot *m = &r->metrics->slot[f->metric];
    pf_h5_attr_str(&h, top, "metric", m->name);
    pf_h5_attr_num(&h, top, "min_group", (double)f->min_group);
    pf_h5_attr_num(&h, top, "alpha", f->alpha);
    pf_h5_attr_num(&h, top, "bootstrap_resamples", (double)f->bootstrap);
    pf_h5_attr_str(&h, top, "layout",
                   "one group per attribute; [variant] and [variant, group] arrays index "
                   "/variants; deltas are variant minus dense float32 per participant; the "
                   "Kruskal-Wallis test runs on the deltas of the compared groups, Holm within "
                   "each (width, sparsity)");
    size_t V = r->n_var;
    double *buf = pf_alloc(V * 2, sizeof *buf, err);
    int *ibuf = pf_alloc(V > r->n_part ? V : r->n_part, sizeof *ibuf, err);
    for (size_t a = 0; a < f->n_attr && err->code == PF_OK; a++) {
        const pf_group_attribute *g = &f->attr[a];
        hid_t ga = pf_h5_group(&h, top, g->name);
        if (ga < 0) break;
        size_t G = g->n_groups;
        hsize_t dg[2] = {V, G}, dv = V, di[2] = {V, 2};
        pf_h5_strings(&h, ga, "group", (const char *const *)g->value, G);
        for (size_t k = 0; k < G; k++) ibuf[k] = (int)g->size[k];
        pf_h5_ints(&h, ga, "size", G, ibuf);
        for (size_t k = 0; k < G; k++) ibuf[k] = g->compared[k];
        pf_h5_ints(&h, ga, "compared", G, ibuf);
        pf_h5_ints(&h, ga, "group_of_participant", r->n_part, g->group_of);
        pf_h5_doubles(&h, ga, "mean", 2, dg, g->mean);
        pf_h5_doubles(&h, ga, "mean_delta", 2, dg, g->delta);
        static const struct {
            const char *name;
            size_t off;
        } fields[] = {{"gap", offsetof(pf_group_gap, gap)},
                      {"gap_delta", offsetof(pf_group_gap, gap_delta)},
                      {"ratio", offsetof(pf_group_gap, ratio)},
                      {"kw_statistic", offsetof(pf_group_gap, kw.statistic)},
                      {"kw_df", offsetof(pf_group_gap, kw.df1)},
                      {"kw_p", offsetof(pf_group_gap, kw.p_value)},
                      {"kw_p_holm", offsetof(pf_group_gap, p_holm)},
                      {"kw_epsilon_squared", offsetof(pf_group_gap, kw.effect_size)}};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
            for (size_t v = 0; v < V; v++)
                memcpy(&buf[v], (const char *)&g->gap[v] + fields[i].off, sizeof(double));
            pf_h5_doubles(&h, ga, fields[i].name, 1, &dv, buf);
        }
        for (size_t v = 0; v < V; v++) ibuf[v] = g->gap[v].worst;
        pf_h5_ints(&h, ga, "worst_group", V, ibuf);
        for (size_t v = 0; v < V; v++)
            buf[2 * v] = g->gap[v].gap_ci.lo, buf[2 * v + 1] = g->gap[v].gap_ci.hi;
        pf_h5_doubles(&h, ga, "gap_ci", 2, di, buf);
        pf_h5_attr_num(&h, ga, "participants_without_value", (double)g->n_missing);
        H5Gclose(ga);
    }
    free(buf), free(ibuf);
    H5Gclose(top);
    if (err->code == PF_OK && h.failed)
        pf_error_set(err, PF_ERUNTIME, "writing HDF5 object '%s' failed", h.what);
    return err->code;
}
