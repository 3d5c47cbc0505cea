/* analysis.c: the statistics of a finished run (see analysis.h for the families).
 *
 * Everything here reads pf_results and nothing else, so `run_experiment --report` recomputes
 * exactly the same numbers from a results.h5 as the run that wrote it. The numbers are the
 * primary metric's per-participant values (pf_results_values: repeats averaged per
 * participant), never a summary recomputed here: summaries live in r->summary.
 *
 * Bootstrap resamples come from one generator seeded by (master seed, 0, 0, bootstrap) and
 * restarted for every variant: all variants see the same resampled participants, so their
 * intervals differ only through the variants (common random numbers). */
#include "stats/analysis.h"

#include <ctype.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/h5.h"
#include "base/numtext.h"
#include "base/outfile.h"
#include "base/seed.h"
#include "config/criterion.h"

/* Work shared by the per-sparsity steps. */
typedef struct {
    const pf_results *r;
    const pf_config *cfg;
    pf_analysis *a;
    int higher_is_better; /* of the primary metric */
    double *dense;        /* [part] the dense model's values */
    double *vals;         /* [crit][part] values at the current sparsity (crit 0 unused) */
    double *matrix;       /* [part][pruning criterion] for Friedman */
    size_t w;             /* the chain being analysed */
    pf_error *err;
} actx;

/* A side: criterion name at (sparsity, clusters, bits). */
static pf_test_side side(const char *criterion, double sparsity, pf_chain ch)
{
    pf_test_side x = {.sparsity = sparsity, .clusters = ch.clusters, .bits = ch.bits};
    snprintf(x.criterion, sizeof x.criterion, "%s", criterion);
    return x;
}

pf_test_side pf_analysis_side(const pf_results *r, size_t v)
{
    const pf_variant *x = &r->variant[v];
    return side(r->crit[x->crit], x->sparsity, (pf_chain){x->clusters, x->bits});
}

/* A new row of the family at sparsity s and the current chain, comparing a with b. */
static pf_test_row *new_row(actx *c, const char *family, const char *test, double s, pf_test_side a,
                            pf_test_side b)
{
    pf_test_row *row = &c->a->rows[c->a->n_rows++];
    char num[PF_NUMTEXT_CAP], width[40];
    pf_results_chain_tag(c->r->chain[c->w], '/', width, sizeof width);
    memset(row, 0, sizeof *row);
    snprintf(row->family, sizeof row->family, "%s@s=%s%s", family, pf_numtext(num, s), width);
    snprintf(row->test, sizeof row->test, "%s", test);
    row->a = a;
    row->b = b;
    row->mean_diff = NAN;
    return row;
}

static void fill_row(pf_test_row *row, const pf_test_result *t)
{
    row->n = t->n;
    row->status = t->status;
    row->statistic = t->statistic;
    row->df1 = t->df1;
    row->df2 = t->df2;
    row->p_value = t->status == PF_TEST_OK ? t->p_value : NAN;
    row->p_holm = row->p_value;
    row->effect_size = t->effect_size;
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* A test that cannot run because a participant has no value (a model that diverged, a task
 * that did not run): not testable, like the summary of such a variant, which is NaN. */
static void fill_missing(pf_test_row *row)
{
    row->status = PF_TEST_TOO_FEW;
    row->statistic = row->df1 = row->df2 = row->p_value = row->p_holm = NAN;
    row->effect_size = row->mean_diff = NAN;
}

static double mean_diff(const double *x, const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i] - y[i];
    return n ? s / (double)n : NAN;
}

/* One test of the reference at sparsity s (x) against variant vb (another criterion at s, or
 * the dense float32 model: y). */
static void compare_pair(actx *c, int test, double s, size_t vb, const double *x, const double *y)
{
    static const char *names[] = {"wilcoxon", "ttest", "pitman_morgan"};
    size_t n = c->r->n_part;
    char family[PF_MAX_NAME];
    snprintf(family, sizeof family, "ref:%s", names[test]);
    pf_test_row *row =
        new_row(c, family, names[test], s, side(c->r->crit[c->a->reference], s, c->r->chain[c->w]),
                pf_analysis_side(c->r, vb));
    /* The location tests run on the improvement of the reference, so their signs read the
     * same for every metric; the variance test is about spread, which has no direction. */
    const double *better = c->higher_is_better ? x : y, *worse = c->higher_is_better ? y : x;
    if (!all_finite(x, n) || !all_finite(y, n)) {
        fill_missing(row);
        return;
    }
    row->mean_diff = mean_diff(better, worse, n);
    pf_wilcoxon_result w;
    pf_test_result t;
    if (test == 0 && pf_stats_wilcoxon(better, worse, n, &w, c->err) == PF_OK)
        fill_row(row, &w.test);
    if (test == 1 && pf_stats_paired_t(better, worse, n, &t, c->err) == PF_OK) fill_row(row, &t);
    if (test == 2 && pf_stats_pitman_morgan(x, y, n, &t, c->err) == PF_OK) fill_row(row, &t);
}

/* The two omnibus rows of one sparsity; f NULL: not testable (a participant without a value). */
static void friedman_rows(actx *c, double s, const pf_friedman_result *f)
{
    static const char *tests[] = {"friedman", "iman_davenport"};
    pf_test_side all = side("all", s, c->r->chain[c->w]);
    for (int i = 0; i < 2; i++) {
        pf_test_row *row = new_row(c, "friedman", tests[i], s, all, all);
        if (f)
            fill_row(row, i == 0 ? &f->chi2 : &f->f);
        else
            fill_missing(row);
    }
}

static void friedman_at(actx *c, size_t si, double s)
{
    const pf_results *r = c->r;
    size_t P = r->n_part, K = r->n_crit - 1;
    for (size_t p = 0; p < P; p++)
        for (size_t k = 0; k < K; k++) c->matrix[p * K + k] = c->vals[(k + 1) * P + p];
    if (!all_finite(c->matrix, P * K)) {
        friedman_rows(c, s, NULL);
        return;
    }
    /* The ranks of criteria 1..K are contiguous in avg_rank's row: column 0 is dense. */
    pf_friedman_result f;
    size_t cell = c->w * r->n_sp + si;
    if (pf_stats_friedman(c->matrix, P, K, c->higher_is_better, c->cfg->alpha,
                          c->a->avg_rank + cell * r->n_crit + 1, &f, c->err) != PF_OK)
        return;
    c->a->cd[cell] = f.cd;
    friedman_rows(c, s, &f);
}

static void holm_family(actx *c, size_t first, size_t end)
{
    size_t m = end - first;
    double *p = malloc(m * sizeof *p), *adj = malloc(m * sizeof *adj);
    if (!p || !adj) {
        pf_error_set(c->err, PF_ERUNTIME, "out of memory (Holm correction)");
    } else {
        for (size_t i = 0; i < m; i++) p[i] = c->a->rows[first + i].p_value;
        if (pf_stats_holm(p, m, adj, c->err) == PF_OK)
            for (size_t i = 0; i < m; i++) c->a->rows[first + i].p_holm = adj[i];
    }
    free(p), free(adj);
}

/* Holm within each family of reference comparisons (rows of a family are contiguous). The
 * Friedman rows are one omnibus test per sparsity, reported uncorrected. */
static void holm_all(actx *c)
{
    pf_analysis *a = c->a;
    size_t start = 0;
    while (start < a->n_rows && c->err->code == PF_OK) {
        size_t end = start + 1;
        while (end < a->n_rows && strcmp(a->rows[end].family, a->rows[start].family) == 0) end++;
        if (c->cfg->correction == PF_CORRECT_HOLM && strncmp(a->rows[start].family, "ref:", 4) == 0)
            holm_family(c, start, end);
        start = end;
    }
}

/* The intervals of every variant, the generator restarted for each (common random numbers).
 * Variants are independent, so they run on the run's threads; each writes only its slots. */
static void bootstrap_all(actx *c)
{
    const pf_results *r = c->r;
    for (size_t x = 0; x < r->n_var; x++)
        c->a->mean_ci[x] = c->a->sd_ci[x] = (pf_interval){NAN, NAN};
    if (c->cfg->bootstrap <= 0 || r->n_part < 2) return;
    int failed = 0, threads = pf_config_threads(c->cfg);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(| : failed)
    for (size_t x = 0; x < r->n_var; x++) {
        double *v = malloc(r->n_part * sizeof *v);
        gsl_rng *rng = v ? pf_seed_rng(c->cfg->seed, 0, 0, PF_SEED_BOOTSTRAP) : NULL;
        pf_error err = {0};
        if (!rng) {
            failed = 1;
        } else {
            pf_results_values(r, r->primary, x, v);
            if (all_finite(v, r->n_part) && /* no summary, no interval */
                pf_stats_bootstrap_ci(v, r->n_part, (size_t)c->cfg->bootstrap, c->cfg->alpha, rng,
                                      &c->a->mean_ci[x], &c->a->sd_ci[x], &err) != PF_OK)
                failed = 1;
        }
        if (rng) gsl_rng_free(rng);
        free(v);
    }
    if (failed) pf_error_set(c->err, PF_ERUNTIME, "out of memory (bootstrap intervals)");
}

/* The reference: stats.reference, else the first criterion with the reference role
 * (config/criterion.h), else the first criterion. */
static int find_reference(const pf_results *r, const pf_config *cfg)
{
    for (size_t k = 1; k < r->n_crit; k++)
        if (cfg->reference[0] ? strcmp(r->crit[k], cfg->reference) == 0
                              : pf_criterion_has_role(r->crit[k], PF_CRITERION_REFERENCE))
            return (int)k;
    return r->n_crit > 1 ? 1 : -1;
}

static void sparsity_level(actx *c, size_t si)
{
    const pf_results *r = c->r;
    size_t P = r->n_part, K = r->n_crit;
    double s = r->sparsity[si];
    for (size_t k = 1; k < K; k++)
        pf_results_values(r, r->primary, pf_results_variant_at(r, k, si, c->w), c->vals + k * P);
    if (K - 1 >= 2) friedman_at(c, si, s);
    int ref = c->a->reference;
    if (ref < 0 || c->err->code != PF_OK) return;
    /* Test-major order, so each (test, sparsity) family is one contiguous block of rows. */
    const double *x = c->vals + (size_t)ref * P;
    for (int test = 0; test < 3; test++) {
        for (size_t k = 1; k < K && c->err->code == PF_OK; k++)
            if ((int)k != ref)
                compare_pair(c, test, s, pf_results_variant_at(r, k, si, c->w), x, c->vals + k * P);
        if (c->err->code == PF_OK) compare_pair(c, test, s, PF_DENSE, x, c->dense);
    }
}

/* The Kruskal-Wallis row of variant v under attribute g, from fairness.c's result. */
static void group_row(actx *c, const pf_group_attribute *g, size_t v)
{
    const pf_variant *x = &c->r->variant[v];
    const pf_group_gap *gap = &g->gap[v];
    char family[PF_MAX_NAME + 8];
    snprintf(family, sizeof family, "groups:%s", g->name);
    pf_test_row *row = new_row(c, family, "kruskal_wallis", x->sparsity, pf_analysis_side(c->r, v),
                               pf_analysis_side(c->r, PF_DENSE));
    fill_row(row, &gap->kw);
    row->p_holm = gap->p_holm;
    row->mean_diff = NAN;
}

/* Every group test, attribute by attribute, then chain, sparsity and criterion: each
 * (attribute, chain, sparsity) family is one contiguous block, the compressed dense model
 * first in its chain's sparsity-0 block. */
static void group_rows(actx *c)
{
    const pf_results *r = c->r;
    for (size_t i = 0; i < c->a->groups->n_attr; i++) {
        const pf_group_attribute *g = &c->a->groups->attr[i];
        for (c->w = 0; c->w < r->n_chain; c->w++) {
            if (c->w > 0) group_row(c, g, pf_results_variant_at(r, 0, 0, c->w));
            for (size_t si = 0; si < r->n_sp; si++)
                for (size_t k = 1; k < r->n_crit; k++)
                    if (pf_fairness_tested(r, pf_results_variant_at(r, k, si, c->w)))
                        group_row(c, g, pf_results_variant_at(r, k, si, c->w));
        }
    }
}

pf_analysis *pf_analysis_run(const pf_results *r, const pf_config *cfg, pf_error *err)
{
    pf_analysis *a = pf_alloc(1, sizeof *a, err);
    if (!a) return NULL;
    size_t K = r->n_crit, S = r->n_sp, P = r->n_part, V = r->n_var, W = r->n_chain;
    a->n_var = V, a->n_crit = K, a->n_sp = S, a->n_chain = W, a->alpha = cfg->alpha;
    a->clustered = pf_results_clustered(r);
    a->reference = find_reference(r, cfg);
    a->groups = pf_fairness_run(r, cfg, err);
    size_t n_group_rows = a->groups ? a->groups->n_attr * (V - 1) : 0;
    a->rows = pf_alloc(W * S * (2 + 3 * K) + n_group_rows + 1, sizeof *a->rows, err);
    a->mean_ci = pf_alloc(V, sizeof *a->mean_ci, err);
    a->sd_ci = pf_alloc(V, sizeof *a->sd_ci, err);
    a->avg_rank = pf_alloc(W * K * S, sizeof *a->avg_rank, err);
    a->cd = pf_alloc(W * S, sizeof *a->cd, err);
    actx c = {.r = r,
              .cfg = cfg,
              .a = a,
              .higher_is_better = r->metrics->slot[r->primary].metric->higher_is_better,
              .dense = pf_alloc(P, sizeof(double), err),
              .vals = pf_alloc(K * P, sizeof(double), err),
              .matrix = pf_alloc(K * P, sizeof(double), err),
              .err = err};
    if (err->code == PF_OK) {
        for (size_t i = 0; i < W * K * S; i++) a->avg_rank[i] = NAN;
        for (size_t i = 0; i < W * S; i++) a->cd[i] = NAN;
        pf_results_values(r, r->primary, PF_DENSE, c.dense);
        bootstrap_all(&c);
        for (c.w = 0; c.w < W; c.w++)
            for (size_t si = 0; si < S && err->code == PF_OK; si++) sparsity_level(&c, si);
    }
    if (err->code == PF_OK) holm_all(&c);
    if (err->code == PF_OK) group_rows(&c);
    free(c.dense), free(c.vals), free(c.matrix);
    if (err->code != PF_OK) {
        pf_analysis_free(a);
        return NULL;
    }
    return a;
}

void pf_analysis_free(pf_analysis *a)
{
    if (!a) return;
    free(a->rows), free(a->mean_ci), free(a->sd_ci), free(a->avg_rank), free(a->cd);
    pf_fairness_free(a->groups);
    free(a);
}

static int same_side(const pf_test_side *x, const pf_test_side *y)
{
    return x->sparsity == y->sparsity && x->clusters == y->clusters && x->bits == y->bits &&
           strcmp(x->criterion, y->criterion) == 0;
}

const pf_test_row *pf_analysis_find(const pf_analysis *an, const char *test, const pf_test_side *a,
                                    const pf_test_side *b)
{
    for (size_t i = 0; i < an->n_rows; i++) {
        const pf_test_row *row = &an->rows[i];
        if (strcmp(row->test, test) == 0 && same_side(&row->a, a) && same_side(&row->b, b))
            return row;
    }
    return NULL;
}

static const char *status_name(pf_test_status s)
{
    return s == PF_TEST_OK ? "ok" : s == PF_TEST_TOO_FEW ? "too_few" : "constant";
}

int pf_analysis_write_csv(const pf_analysis *a, const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "stats.csv", err) != PF_OK) return err->code;
    fprintf(f.fp, "family,test");
    for (int k = 0; k < 2; k++)
        fprintf(f.fp, ",criterion_%c,sparsity_%c%s,bits_%c", "ab"[k], "ab"[k],
                a -> clustered ? (k ? ",clusters_b" : ",clusters_a") : "", "ab"[k]);
    fprintf(f.fp, ",n,statistic,df1,df2,p_value,p_holm,effect_size,mean_diff,status\n");
    for (size_t i = 0; i < a->n_rows; i++) {
        const pf_test_row *w = &a->rows[i];
        /* Criterion names hold no commas or quotes (config.c restricts them): no quoting. */
        fprintf(f.fp, "%s,%s", w->family, w->test);
        const pf_test_side *sides[] = {&w->a, &w->b};
        for (size_t k = 0; k < 2; k++) {
            fprintf(f.fp, ",%s", sides[k]->criterion);
            pf_numtext_put(f.fp, ",", sides[k]->sparsity);
            if (a->clustered) fprintf(f.fp, ",%d", sides[k]->clusters);
            fprintf(f.fp, ",%d", sides[k]->bits);
        }
        fprintf(f.fp, ",%zu", w->n);
        const double v[] = {w->statistic, w->df1,         w->df2,      w->p_value,
                            w->p_holm,    w->effect_size, w->mean_diff};
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) pf_numtext_put(f.fp, ",", v[j]);
        fprintf(f.fp, ",%s\n", status_name(w->status));
    }
    return pf_outfile_commit(&f, err);
}

/* ---- HDF5: the /stats group --------------------------------------------------------------- */

static hid_t fixed_string(size_t n)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, n);
    return t;
}

/* The row type of /stats/tests; clusters_a and clusters_b only when the study clusters. */
static hid_t test_row_type(int clustered)
{
    hid_t name = fixed_string(PF_MAX_NAME), test = fixed_string(24);
    hid_t family = fixed_string(sizeof((pf_test_row *)0)->family);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(pf_test_row));
    H5Tinsert(t, "family", HOFFSET(pf_test_row, family), family);
    H5Tinsert(t, "test", HOFFSET(pf_test_row, test), test);
    H5Tinsert(t, "criterion_a", HOFFSET(pf_test_row, a.criterion), name);
    H5Tinsert(t, "sparsity_a", HOFFSET(pf_test_row, a.sparsity), H5T_NATIVE_DOUBLE);
    if (clustered) H5Tinsert(t, "clusters_a", HOFFSET(pf_test_row, a.clusters), H5T_NATIVE_INT);
    H5Tinsert(t, "bits_a", HOFFSET(pf_test_row, a.bits), H5T_NATIVE_INT);
    H5Tinsert(t, "criterion_b", HOFFSET(pf_test_row, b.criterion), name);
    H5Tinsert(t, "sparsity_b", HOFFSET(pf_test_row, b.sparsity), H5T_NATIVE_DOUBLE);
    if (clustered) H5Tinsert(t, "clusters_b", HOFFSET(pf_test_row, b.clusters), H5T_NATIVE_INT);
    H5Tinsert(t, "bits_b", HOFFSET(pf_test_row, b.bits), H5T_NATIVE_INT);
    H5Tinsert(t, "n", HOFFSET(pf_test_row, n), H5T_NATIVE_ULLONG);
    H5Tinsert(t, "status", HOFFSET(pf_test_row, status), H5T_NATIVE_INT);
    H5Tinsert(t, "statistic", HOFFSET(pf_test_row, statistic), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "df1", HOFFSET(pf_test_row, df1), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "df2", HOFFSET(pf_test_row, df2), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "p_value", HOFFSET(pf_test_row, p_value), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "p_holm", HOFFSET(pf_test_row, p_holm), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "effect_size", HOFFSET(pf_test_row, effect_size), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "mean_diff", HOFFSET(pf_test_row, mean_diff), H5T_NATIVE_DOUBLE);
    H5Tclose(name);
    H5Tclose(test);
    H5Tclose(family);
    return t;
}

/* Intervals as [variant][2] (lo, hi). */
static void write_intervals(pf_h5 *h, hid_t g, const char *name, const pf_interval *iv, size_t n)
{
    double *buf = malloc((n ? n : 1) * 2 * sizeof *buf);
    if (!buf) {
        h->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) buf[2 * i] = iv[i].lo, buf[2 * i + 1] = iv[i].hi;
    hsize_t dims[2] = {n, 2};
    pf_h5_doubles(h, g, name, 2, dims, buf);
    free(buf);
}

int pf_analysis_write_h5(const pf_analysis *a, const pf_results *r, const pf_config *cfg,
                         hid_t file, pf_error *err)
{
    pf_h5 h = {.file = file};
    hid_t g = pf_h5_group(&h, file, "stats");
    if (g < 0) return pf_error_set(err, PF_ERUNTIME, "cannot create HDF5 group /stats");
    hid_t t = test_row_type(a->clustered);
    pf_h5_table(&h, g, "tests", t, a->n_rows, a->rows);
    H5Tclose(t);
    const pf_metric_slot *m = &r->metrics->slot[r->primary];
    pf_h5_attr_str(&h, g, "metric", m->name);
    pf_h5_attr_num(&h, g, "higher_is_better", m->metric->higher_is_better);
    pf_h5_attr_str(&h, g, "reference", a->reference >= 0 ? r->crit[a->reference] : "");
    pf_h5_attr_num(&h, g, "alpha", a->alpha);
    pf_h5_attr_str(&h, g, "correction", cfg->correction == PF_CORRECT_HOLM ? "holm" : "none");
    pf_h5_attr_str(&h, g, "families",
                   "ref:<test>@s=<sparsity>[/<bits>bit]: the reference at that sparsity and "
                   "width against every other criterion there and against dense float32, with "
                   "one test; Holm within each such family. friedman@s=<sparsity>[/<bits>bit]: "
                   "omnibus test over all pruning criteria at that sparsity and width, "
                   "uncorrected. groups:<attribute>@s=<sparsity>[/<bits>bit]: Kruskal-Wallis "
                   "across the attribute's groups on the per-participant deltas of each variant "
                   "against dense float32; Holm within each such family. Every row names both "
                   "sides: (criterion_a, sparsity_a, bits_a) and (criterion_b, sparsity_b, "
                   "bits_b); dense float32 is (dense, 0, 32); all: every pruning criterion.");
    pf_h5_attr_str(&h, g, "signs",
                   "wilcoxon and ttest run on the improvement of criterion_a over criterion_b "
                   "(a - b when higher is better, b - a when lower is better): a positive "
                   "statistic (t), effect_size or mean_diff means criterion_a is better. "
                   "pitman_morgan compares var(a) with var(b), effect_size var(a)/var(b).");
    pf_h5_attr_num(&h, g, "bootstrap_resamples", cfg->bootstrap);
    write_intervals(&h, g, "mean_ci", a->mean_ci, a->n_var);
    write_intervals(&h, g, "sd_ci", a->sd_ci, a->n_var);
    hsize_t dims[3] = {a->n_chain, a->n_sp, a->n_crit};
    pf_h5_doubles(&h, g, "friedman_average_rank", 3, dims, a->avg_rank);
    pf_h5_doubles(&h, g, "nemenyi_cd", 2, dims, a->cd);
    H5Gclose(g);
    if (h.failed) return pf_error_set(err, PF_ERUNTIME, "writing HDF5 object '%s' failed", h.what);
    return PF_OK;
}

/* ---- a metric in words -------------------------------------------------------------------- */

void pf_analysis_metric_words(const pf_results *r, size_t m, pf_metric_words *w)
{
    const pf_metric_slot *slot = &r->metrics->slot[m];
    const pf_metric *reg = slot->metric;
    memset(w, 0, sizeof *w);
    w->name = slot->name;
    w->higher_is_better = reg->higher_is_better != 0;
    w->direction = w->higher_is_better ? "higher is better" : "lower is better";
    w->chance = slot->chance;
    /* File names: letters, digits, '-', '.' and '_' kept; "ccc[arousal]" -> "ccc_arousal". */
    size_t n = 0;
    for (const char *p = slot->name; *p && n + 1 < sizeof w->file; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == ']' && p[1] == '\0') break;
        w->file[n++] = isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ? (char)ch : '_';
    }
    w->file[n] = '\0';
    snprintf(w->label, sizeof w->label, "%s", reg->label);
    /* A per-output metric of several outputs names its output: "CCC (arousal)". */
    const char *bracket = strchr(slot->name, '[');
    if (bracket) {
        int len = (int)strcspn(bracket + 1, "]");
        size_t used = strlen(w->label);
        snprintf(w->label + used, sizeof w->label - used, " (%.*s)", len, bracket + 1);
        snprintf(w->about, sizeof w->about, "%s, of the output %.*s", reg->about, len, bracket + 1);
    } else {
        snprintf(w->about, sizeof w->about, "%s", reg->about);
    }
}

int pf_analysis_dense_at_chance(const pf_analysis *a, const pf_results *r)
{
    double chance = r->metrics->slot[r->primary].chance;
    if (!a || isnan(chance)) return 0;
    pf_interval ci = a->mean_ci[PF_DENSE];
    return isfinite(ci.lo) && isfinite(ci.hi) && ci.lo <= chance && chance <= ci.hi;
}
