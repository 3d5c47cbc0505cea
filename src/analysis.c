/* analysis.c: the statistics of a finished run (see analysis.h for the families).
 *
 * Everything here reads pf_results and nothing else, so `run_experiment --report` recomputes
 * exactly the same numbers from a results.h5 as the run that wrote it. Bootstrap resamples
 * come from one generator seeded by (master seed, 0, 0, bootstrap) and restarted for every
 * (criterion, sparsity): all criteria see the same resampled participants, so their intervals
 * differ only through the criteria (common random numbers). */
#include "analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "h5io.h"
#include "numtext.h"
#include "outfile.h"
#include "seed.h"

/* Work shared by the per-sparsity steps. */
typedef struct {
    const pf_results *r;
    const pf_config *cfg;
    pf_analysis *a;
    double *dense;  /* [part] repeat-averaged dense CCC */
    double *vals;   /* [crit][part] repeat-averaged CCC at the current sparsity */
    double *matrix; /* [part][crit] for Friedman */
    pf_error *err;
} actx;

static pf_test_row *new_row(actx *c, const char *family, const char *test, double s)
{
    pf_test_row *row = &c->a->rows[c->a->n_rows++];
    memset(row, 0, sizeof *row);
    snprintf(row->family, sizeof row->family, "%s@s=%g", family, s);
    snprintf(row->test, sizeof row->test, "%s", test);
    row->sparsity = s;
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

static double mean_diff(const double *x, const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i] - y[i];
    return n ? s / (double)n : NAN;
}

/* One test of the reference against b (another criterion or the dense model). */
static void compare_pair(actx *c, int test, double s, const char *bname, const double *x,
                         const double *y)
{
    static const char *names[] = {"wilcoxon", "ttest", "pitman_morgan"};
    size_t n = c->r->n_part;
    char family[PF_MAX_NAME];
    snprintf(family, sizeof family, "ref:%s", names[test]);
    pf_test_row *row = new_row(c, family, names[test], s);
    snprintf(row->a, sizeof row->a, "%s", c->r->crit[c->a->reference]);
    snprintf(row->b, sizeof row->b, "%s", bname);
    row->mean_diff = mean_diff(x, y, n);
    pf_wilcoxon_result w;
    pf_test_result t;
    if (test == 0 && pf_wilcoxon(x, y, n, &w, c->err) == PF_OK) fill_row(row, &w.test);
    if (test == 1 && pf_paired_t(x, y, n, &t, c->err) == PF_OK) fill_row(row, &t);
    if (test == 2 && pf_pitman_morgan(x, y, n, &t, c->err) == PF_OK) fill_row(row, &t);
}

static void friedman_at(actx *c, size_t si, double s)
{
    const pf_results *r = c->r;
    size_t P = r->n_part, K = r->n_crit;
    for (size_t p = 0; p < P; p++)
        for (size_t k = 0; k < K; k++) c->matrix[p * K + k] = c->vals[k * P + p];
    pf_friedman_result f;
    if (pf_friedman(c->matrix, P, K, 1, c->cfg->alpha, c->a->avg_rank + si * K, &f, c->err)) return;
    c->a->cd[si] = f.cd;
    pf_test_row *row = new_row(c, "friedman", "friedman", s);
    fill_row(row, &f.chi2);
    snprintf(row->a, sizeof row->a, "all");
    row = new_row(c, "friedman", "iman_davenport", s);
    fill_row(row, &f.f);
    snprintf(row->a, sizeof row->a, "all");
}

static void holm_family(actx *c, size_t first, size_t end)
{
    size_t m = end - first;
    double *p = malloc(m * sizeof *p), *adj = malloc(m * sizeof *adj);
    if (!p || !adj) {
        pf_error_set(c->err, PF_ERUNTIME, "out of memory (Holm correction)");
    } else {
        for (size_t i = 0; i < m; i++) p[i] = c->a->rows[first + i].p_value;
        if (pf_holm(p, m, adj, c->err) == PF_OK)
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

static void bootstrap(actx *c, const double *v, pf_interval *mean_ci, pf_interval *sd_ci)
{
    mean_ci->lo = mean_ci->hi = sd_ci->lo = sd_ci->hi = NAN;
    if (c->cfg->bootstrap <= 0) return;
    gsl_rng *rng = pf_rng_alloc(c->cfg->seed, 0, 0, PF_SEED_BOOTSTRAP);
    if (!rng) {
        pf_error_set(c->err, PF_ERUNTIME, "out of memory (bootstrap generator)");
        return;
    }
    pf_bootstrap_ci(v, c->r->n_part, (size_t)c->cfg->bootstrap, c->cfg->alpha, rng, mean_ci, sd_ci,
                    c->err);
    gsl_rng_free(rng);
}

/* The reference: stats.reference, else the first vr criterion, else the first criterion. */
static int find_reference(const pf_results *r, const pf_config *cfg)
{
    for (size_t k = 0; k < r->n_crit; k++)
        if (cfg->reference[0] ? strcmp(r->crit[k], cfg->reference) == 0
                              : strncmp(r->crit[k], "vr", 2) == 0)
            return (int)k;
    return r->n_crit > 0 ? 0 : -1;
}

static void sparsity_level(actx *c, size_t si)
{
    const pf_results *r = c->r;
    size_t P = r->n_part, K = r->n_crit;
    double s = r->sparsity[si];
    for (size_t k = 0; k < K; k++) {
        pf_results_participant_values(r, (int)k, si, 0, c->vals + k * P);
        bootstrap(c, c->vals + k * P, &c->a->mean_ci[k * r->n_sp + si],
                  &c->a->sd_ci[k * r->n_sp + si]);
    }
    if (K >= 2) friedman_at(c, si, s);
    int ref = c->a->reference;
    if (ref < 0) return;
    /* Test-major order, so each (test, sparsity) family is one contiguous block of rows. */
    const double *x = c->vals + (size_t)ref * P;
    for (int test = 0; test < 3; test++) {
        for (size_t k = 0; k < K && c->err->code == PF_OK; k++)
            if ((int)k != ref) compare_pair(c, test, s, r->crit[k], x, c->vals + k * P);
        if (c->err->code == PF_OK) compare_pair(c, test, s, "dense", x, c->dense);
    }
}

pf_analysis *pf_analysis_run(const pf_results *r, const pf_config *cfg, pf_error *err)
{
    pf_analysis *a = pf_calloc(1, sizeof *a, err);
    if (!a) return NULL;
    size_t K = r->n_crit, S = r->n_sp, P = r->n_part;
    a->n_crit = K, a->n_sp = S, a->alpha = cfg->alpha;
    a->reference = find_reference(r, cfg);
    a->rows = pf_calloc(S * (2 + 3 * K), sizeof *a->rows, err);
    a->mean_ci = pf_calloc(K * S, sizeof *a->mean_ci, err);
    a->sd_ci = pf_calloc(K * S, sizeof *a->sd_ci, err);
    a->avg_rank = pf_calloc(K * S, sizeof *a->avg_rank, err);
    a->cd = pf_calloc(S, sizeof *a->cd, err);
    actx c = {r,
              cfg,
              a,
              pf_calloc(P, sizeof(double), err),
              pf_calloc(K * P, sizeof(double), err),
              pf_calloc(K * P, sizeof(double), err),
              err};
    if (err->code == PF_OK) {
        for (size_t i = 0; i < K * S; i++) a->avg_rank[i] = NAN;
        for (size_t i = 0; i < S; i++) a->cd[i] = NAN;
        pf_results_participant_values(r, -1, 0, 0, c.dense);
        bootstrap(&c, c.dense, &a->dense_mean_ci, &a->dense_sd_ci);
        for (size_t si = 0; si < S && err->code == PF_OK; si++) sparsity_level(&c, si);
    }
    if (err->code == PF_OK) holm_all(&c);
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
    free(a);
}

const pf_test_row *pf_analysis_find(const pf_analysis *a, const char *test, const char *b,
                                    double sparsity)
{
    for (size_t i = 0; i < a->n_rows; i++) {
        const pf_test_row *row = &a->rows[i];
        if (row->sparsity == sparsity && strcmp(row->test, test) == 0 && strcmp(row->b, b) == 0)
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
    fprintf(f.fp, "family,sparsity,test,criterion_a,criterion_b,n,statistic,df1,df2,p_value,"
                  "p_holm,effect_size,mean_diff,status\n");
    for (size_t i = 0; i < a->n_rows; i++) {
        const pf_test_row *w = &a->rows[i];
        /* Criterion names hold no commas or quotes (config.c restricts them): no quoting. */
        fprintf(f.fp, "%s", w->family);
        pf_numtext_put(f.fp, ",", w->sparsity);
        fprintf(f.fp, ",%s,%s,%s,%zu", w->test, w->a, w->b, w->n);
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

static hid_t test_row_type(void)
{
    hid_t name = fixed_string(PF_MAX_NAME), test = fixed_string(24);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(pf_test_row));
    H5Tinsert(t, "family", HOFFSET(pf_test_row, family), name);
    H5Tinsert(t, "sparsity", HOFFSET(pf_test_row, sparsity), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "test", HOFFSET(pf_test_row, test), test);
    H5Tinsert(t, "criterion_a", HOFFSET(pf_test_row, a), name);
    H5Tinsert(t, "criterion_b", HOFFSET(pf_test_row, b), name);
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
    return t;
}

/* Interval arrays as [crit][sp][2] (lo, hi). */
static void write_intervals(pf_h5 *h, hid_t g, const char *name, const pf_interval *iv,
                            size_t n_crit, size_t n_sp)
{
    double *buf = malloc(n_crit * n_sp * 2 * sizeof *buf);
    if (!buf) {
        h->failed = 1;
        return;
    }
    for (size_t i = 0; i < n_crit * n_sp; i++) buf[2 * i] = iv[i].lo, buf[2 * i + 1] = iv[i].hi;
    hsize_t dims[3] = {n_crit, n_sp, 2};
    pf_h5_doubles(h, g, name, 3, dims, buf);
    free(buf);
}

int pf_analysis_write_h5(const pf_analysis *a, const pf_results *r, const pf_config *cfg,
                         hid_t file, pf_error *err)
{
    pf_h5 h = {.file = file};
    hid_t g = pf_h5_group(&h, file, "stats");
    if (g < 0) return pf_error_set(err, PF_ERUNTIME, "cannot create HDF5 group /stats");
    hid_t t = test_row_type();
    pf_h5_table(&h, g, "tests", t, a->n_rows, a->rows);
    H5Tclose(t);
    pf_h5_attr_str(&h, g, "reference", a->reference >= 0 ? r->crit[a->reference] : "");
    pf_h5_attr_num(&h, g, "alpha", a->alpha);
    pf_h5_attr_str(&h, g, "correction", cfg->correction == PF_CORRECT_HOLM ? "holm" : "none");
    pf_h5_attr_str(&h, g, "families",
                   "ref:<test>@s=<sparsity>: the reference against every other criterion and "
                   "dense with one test at one sparsity; Holm within each such family. "
                   "friedman@s=<sparsity>: omnibus test over all criteria, uncorrected.");
    pf_h5_attr_num(&h, g, "bootstrap_resamples", cfg->bootstrap);
    write_intervals(&h, g, "mean_ccc_ci", a->mean_ci, a->n_crit, a->n_sp);
    write_intervals(&h, g, "sd_ccc_ci", a->sd_ci, a->n_crit, a->n_sp);
    write_intervals(&h, g, "dense_mean_ccc_ci", &a->dense_mean_ci, 1, 1);
    write_intervals(&h, g, "dense_sd_ccc_ci", &a->dense_sd_ci, 1, 1);
    hsize_t dims[2] = {a->n_sp, a->n_crit};
    pf_h5_doubles(&h, g, "friedman_average_rank", 2, dims, a->avg_rank);
    pf_h5_doubles(&h, g, "nemenyi_cd", 1, dims, a->cd);
    H5Gclose(g);
    if (h.failed) return pf_error_set(err, PF_ERUNTIME, "writing HDF5 object '%s' failed", h.what);
    return PF_OK;
}
