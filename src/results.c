/* results.c: the in-memory results of a run and the files they become (see results.h).
 *
 *   results.h5          everything, with provenance (schema: docs/results-schema.md)
 *   per_participant.csv participant,criterion,sparsity,repeat,ccc,rmse,pearson,n_windows
 *   summary.csv         one row per (criterion, sparsity): spread of CCC across participants
 *
 * Summaries average each participant's repeats first (DESIGN 7), then describe the spread
 * across participants; delta-CCC is each participant's pruned CCC minus the dense CCC of the
 * same fold and seed, averaged over repeats. */
#include "results.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evaluate.h"

#ifdef HAVE_CONFIG_H
#include "buildinfo.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

pf_results *pf_results_alloc(const pf_config *cfg, const pf_dataset *ds, size_t n_folds,
                             pf_error *err)
{
    pf_results *r = pf_calloc(1, sizeof *r, err);
    if (!r) return NULL;
    char names[PF_MAX_LIST * 2][PF_MAX_NAME];
    r->n_crit = pf_config_criterion_names(cfg, names, PF_MAX_LIST * 2);
    r->n_sp = cfg->sparsities.n;
    r->n_part = ds->n_participants;
    r->n_rep = (size_t)cfg->repeats;
    r->n_folds = n_folds;
    size_t cells = r->n_crit * r->n_sp * r->n_part * r->n_rep, dense = r->n_part * r->n_rep;
    r->n_rec = n_folds * r->n_rep * (1 + r->n_crit * r->n_sp);
    r->crit = pf_calloc(r->n_crit, sizeof *r->crit, err);
    r->sparsity = pf_calloc(r->n_sp, sizeof *r->sparsity, err);
    r->ccc = pf_calloc(cells, sizeof(double), err);
    r->rmse = pf_calloc(cells, sizeof(double), err);
    r->pearson = pf_calloc(cells, sizeof(double), err);
    r->dense_ccc = pf_calloc(dense, sizeof(double), err);
    r->dense_rmse = pf_calloc(dense, sizeof(double), err);
    r->dense_pearson = pf_calloc(dense, sizeof(double), err);
    r->n_windows = pf_calloc(r->n_part, sizeof(int), err);
    r->rec = pf_calloc(r->n_rec, sizeof *r->rec, err);
    r->sparse_ns = pf_calloc(r->n_crit * r->n_sp, sizeof(double), err);
    if (err->code != PF_OK) {
        pf_results_free(r);
        return NULL;
    }
    memcpy(r->crit, names, r->n_crit * sizeof *r->crit);
    memcpy(r->sparsity, cfg->sparsities.v, r->n_sp * sizeof(double));
    /* NaN marks "not run", so a missing task can never pass for a zero CCC. */
    for (size_t i = 0; i < cells; i++) r->ccc[i] = r->rmse[i] = r->pearson[i] = NAN;
    for (size_t i = 0; i < dense; i++) r->dense_ccc[i] = r->dense_rmse[i] = r->dense_pearson[i] = NAN;
    for (size_t p = 0; p < r->n_part; p++) r->n_windows[p] = (int)pf_dataset_count(ds, p);
    r->dense_ns = NAN;
    for (size_t i = 0; i < r->n_crit * r->n_sp; i++) r->sparse_ns[i] = NAN;
    return r;
}

void pf_results_free(pf_results *r)
{
    if (!r) return;
    free(r->crit), free(r->sparsity);
    free(r->ccc), free(r->rmse), free(r->pearson);
    free(r->dense_ccc), free(r->dense_rmse), free(r->dense_pearson);
    free(r->n_windows), free(r->rec), free(r->sparse_ns);
    free(r);
}

double pf_results_mean_over_repeats(const pf_results *r, const double *a, size_t c, size_t s,
                                    size_t p)
{
    double sum = 0;
    for (size_t k = 0; k < r->n_rep; k++) sum += a[pf_results_at(r, c, s, p, k)];
    return sum / (double)r->n_rep;
}

/* ---- summaries ------------------------------------------------------------------------------ */

typedef struct {
    char criterion[PF_MAX_NAME];
    double sparsity;
    double achieved;     /* mean achieved sparsity over tasks */
    pf_summary ccc;      /* across participants, repeats averaged first */
    double delta_mean;   /* mean over participants of (ccc - dense ccc) */
    double delta_worst;  /* the most negative participant delta */
} summary_row;

/* Row 0 is the dense model; then criterion-major, sparsity-minor. */
static summary_row *summarise(const pf_results *r, size_t *n_rows, pf_error *err)
{
    size_t n = 1 + r->n_crit * r->n_sp, P = r->n_part;
    summary_row *rows = pf_calloc(n, sizeof *rows, err);
    double *v = pf_calloc(P, sizeof *v, err), *d = pf_calloc(P, sizeof *d, err);
    double *dense = pf_calloc(P, sizeof *dense, err);
    if (err->code != PF_OK) {
        free(rows), free(v), free(d), free(dense);
        return NULL;
    }
    pf_results dense_view = *r; /* dense arrays have the [part][rep] layout of one cell */
    dense_view.n_sp = 1;
    for (size_t p = 0; p < P; p++)
        dense[p] = pf_results_mean_over_repeats(&dense_view, r->dense_ccc, 0, 0, p);
    snprintf(rows[0].criterion, PF_MAX_NAME, "dense");
    pf_summary_compute(dense, P, &rows[0].ccc);
    for (size_t c = 0; c < r->n_crit; c++)
        for (size_t s = 0; s < r->n_sp; s++) {
            summary_row *row = &rows[1 + c * r->n_sp + s];
            snprintf(row->criterion, PF_MAX_NAME, "%s", r->crit[c]);
            row->sparsity = r->sparsity[s];
            for (size_t p = 0; p < P; p++) {
                v[p] = pf_results_mean_over_repeats(r, r->ccc, c, s, p);
                d[p] = v[p] - dense[p];
            }
            pf_summary_compute(v, P, &row->ccc);
            pf_summary ds;
            pf_summary_compute(d, P, &ds);
            row->delta_mean = ds.mean, row->delta_worst = ds.min;
        }
    /* Achieved sparsity: mean over the task records of each (criterion, sparsity). */
    size_t *cnt = pf_calloc(n, sizeof *cnt, err);
    for (size_t i = 0; cnt && i < r->n_rec; i++) {
        const pf_task_record *rec = &r->rec[i];
        size_t k = rec->criterion < 0 ? 0 : 1 + (size_t)rec->criterion * r->n_sp + (size_t)rec->sparsity_index;
        rows[k].achieved += rec->achieved_sparsity, cnt[k]++;
    }
    for (size_t k = 0; cnt && k < n; k++) rows[k].achieved /= cnt[k] ? (double)cnt[k] : 1.0;
    free(cnt), free(v), free(d), free(dense);
    *n_rows = n;
    return rows;
}

/* ---- CSV ------------------------------------------------------------------------------------ */

/* Open path.tmp for writing; pf_commit_file renames it into place once complete. */
static FILE *open_tmp(const char *dir, const char *name, char *tmp, size_t cap, pf_error *err)
{
    snprintf(tmp, cap, "%s/%s.tmp", dir, name);
    FILE *fp = fopen(tmp, "w");
    if (!fp) pf_error_set(err, PF_ERUNTIME, "cannot write '%s': %s", tmp, strerror(errno));
    return fp;
}

static int commit_file(FILE *fp, const char *tmp, pf_error *err)
{
    char final[PF_MAX_STR * 2];
    snprintf(final, sizeof final, "%.*s", (int)(strlen(tmp) - 4), tmp);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad) {
        unlink(tmp);
        return pf_error_set(err, PF_ERUNTIME, "writing '%s' failed: %s", final, strerror(errno));
    }
    if (rename(tmp, final) != 0)
        return pf_error_set(err, PF_ERUNTIME, "cannot rename '%s': %s", tmp, strerror(errno));
    return PF_OK;
}

/* Participant ids come from data files: quote them the CSV way when they need it. */
static void csv_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void pp_row(FILE *fp, const char *pid, const char *crit, double s, size_t k, double ccc,
                   double rmse, double pr, int n)
{
    csv_field(fp, pid);
    fputc(',', fp);
    csv_field(fp, crit);
    fprintf(fp, ",%.17g,%zu,%.17g,%.17g,%.17g,%d\n", s, k, ccc, rmse, pr, n);
}

static int write_per_participant(const pf_results *r, const pf_dataset *ds, const char *dir,
                                 pf_error *err)
{
    char tmp[PF_MAX_STR * 2];
    FILE *fp = open_tmp(dir, "per_participant.csv", tmp, sizeof tmp, err);
    if (!fp) return err->code;
    fprintf(fp, "participant,criterion,sparsity,repeat,ccc,rmse,pearson,n_windows\n");
    for (size_t p = 0; p < r->n_part; p++)
        for (size_t k = 0; k < r->n_rep; k++) {
            size_t i = p * r->n_rep + k;
            pp_row(fp, ds->participant_ids[p], "dense", 0.0, k, r->dense_ccc[i], r->dense_rmse[i],
                   r->dense_pearson[i], r->n_windows[p]);
        }
    for (size_t c = 0; c < r->n_crit; c++)
        for (size_t s = 0; s < r->n_sp; s++)
            for (size_t p = 0; p < r->n_part; p++)
                for (size_t k = 0; k < r->n_rep; k++) {
                    size_t i = pf_results_at(r, c, s, p, k);
                    pp_row(fp, ds->participant_ids[p], r->crit[c], r->sparsity[s], k, r->ccc[i],
                           r->rmse[i], r->pearson[i], r->n_windows[p]);
                }
    return commit_file(fp, tmp, err);
}

static int write_summary(const summary_row *rows, size_t n, const char *dir, pf_error *err)
{
    char tmp[PF_MAX_STR * 2];
    FILE *fp = open_tmp(dir, "summary.csv", tmp, sizeof tmp, err);
    if (!fp) return err->code;
    fprintf(fp, "criterion,sparsity,achieved_sparsity,n,mean_ccc,sd_ccc,median_ccc,min_ccc,"
                "p10_ccc,max_ccc,gap_ccc,mean_delta_ccc,worst_delta_ccc\n");
    for (size_t i = 0; i < n; i++) {
        const summary_row *w = &rows[i];
        csv_field(fp, w->criterion);
        fprintf(fp, ",%.17g,%.17g,%zu,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n",
                w->sparsity, w->achieved, w->ccc.n, w->ccc.mean, w->ccc.sd, w->ccc.median,
                w->ccc.min, w->ccc.p10, w->ccc.max, w->ccc.gap, w->delta_mean, w->delta_worst);
    }
    return commit_file(fp, tmp, err);
}

/* ---- HDF5 ------------------------------------------------------------------------------------ */

/* Every HDF5 call's status lands here; the first failure is reported once at the end. */
typedef struct {
    hid_t file;
    int failed;
} h5ctx;

static void h5check(h5ctx *h, herr_t status)
{
    if (status < 0) h->failed = 1;
}

static void attr_str(h5ctx *h, hid_t loc, const char *name, const char *value)
{
    h5check(h, H5LTset_attribute_string(loc, ".", name, value));
}

static void attr_num(h5ctx *h, hid_t loc, const char *name, double value)
{
    h5check(h, H5LTset_attribute_double(loc, ".", name, &value, 1));
}

static void dset_double(h5ctx *h, hid_t loc, const char *name, int rank, const hsize_t *dims,
                        const double *data)
{
    h5check(h, H5LTmake_dataset_double(loc, name, rank, dims, data));
}

/* A 1-D dataset of variable-length UTF-8 strings (what h5py reads as str). */
static void dset_strings(h5ctx *h, hid_t loc, const char *name, const char *const *s, size_t n)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hsize_t dim = n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0 || (n > 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) < 0)) h->failed = 1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(space);
    H5Tclose(type);
}

static hid_t group(h5ctx *h, hid_t loc, const char *name)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) h->failed = 1;
    return g;
}

static void write_provenance(h5ctx *h, const pf_results *r, const pf_config *cfg)
{
    char host[256] = "unknown", *text = pf_config_dump(cfg, 0);
    gethostname(host, sizeof host - 1);
    attr_str(h, h->file, "config_text", text ? text : "");
    free(text);
    attr_str(h, h->file, "config_hash", cfg->hash);
    attr_str(h, h->file, "config_file", cfg->source_file);
    attr_str(h, h->file, "program", "prunefair run_experiment");
    attr_str(h, h->file, "program_version", PACKAGE_VERSION);
    attr_str(h, h->file, "host", host);
    attr_str(h, h->file, "started", r->started);
    attr_str(h, h->file, "finished", r->finished);
    attr_num(h, h->file, "threads", r->threads);
    attr_num(h, h->file, "wall_seconds", r->wall_seconds);
}

static void write_dataset_summary(h5ctx *h, const pf_results *r, const pf_dataset *ds)
{
    hid_t g = group(h, h->file, "dataset");
    if (g < 0) return;
    attr_str(h, g, "description", ds->description);
    attr_num(h, g, "n_participants", (double)ds->n_participants);
    attr_num(h, g, "n_windows", (double)ds->n_windows);
    attr_num(h, g, "n_features", (double)ds->n_features);
    attr_num(h, g, "rows_read", (double)ds->n_rows_read);
    attr_num(h, g, "rows_dropped_empty_target", (double)ds->n_dropped_target);
    attr_num(h, g, "participants_dropped", (double)ds->n_dropped_participants);
    dset_strings(h, g, "participant_ids", (const char *const *)ds->participant_ids, ds->n_participants);
    dset_strings(h, g, "feature_names", (const char *const *)ds->feature_names, ds->n_features);
    hsize_t dim = r->n_part;
    h5check(h, H5LTmake_dataset_int(g, "windows_per_participant", 1, &dim, r->n_windows));
    H5Gclose(g);
}

static void write_per_participant_h5(h5ctx *h, const pf_results *r)
{
    hid_t g = group(h, h->file, "per_participant");
    if (g < 0) return;
    const char *names[PF_MAX_LIST * 2];
    for (size_t c = 0; c < r->n_crit; c++) names[c] = r->crit[c];
    dset_strings(h, g, "criteria", names, r->n_crit);
    hsize_t nsp = r->n_sp, dims[4] = {r->n_crit, r->n_sp, r->n_part, r->n_rep};
    dset_double(h, g, "sparsity", 1, &nsp, r->sparsity);
    dset_double(h, g, "ccc", 4, dims, r->ccc);
    dset_double(h, g, "rmse", 4, dims, r->rmse);
    dset_double(h, g, "pearson", 4, dims, r->pearson);
    dset_double(h, g, "dense_ccc", 2, dims + 2, r->dense_ccc);
    dset_double(h, g, "dense_rmse", 2, dims + 2, r->dense_rmse);
    dset_double(h, g, "dense_pearson", 2, dims + 2, r->dense_pearson);
    attr_str(h, g, "layout", "ccc/rmse/pearson: [criterion, sparsity, participant, repeat]; "
                             "dense_*: [participant, repeat]; NaN = not evaluated");
    H5Gclose(g);
}

/* A compound dataset: one row per element of a C array of structs. */
static void dset_table(h5ctx *h, hid_t loc, const char *name, hid_t type, size_t n,
                       const void *rows)
{
    hsize_t dim = n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0 || H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0) h->failed = 1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(space);
}

#define INS(t, s, f, ht) H5Tinsert(t, #f, HOFFSET(s, f), ht)

static void write_tasks(h5ctx *h, const pf_results *r)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(pf_task_record));
    INS(t, pf_task_record, fold, H5T_NATIVE_INT);
    INS(t, pf_task_record, repeat, H5T_NATIVE_INT);
    INS(t, pf_task_record, criterion, H5T_NATIVE_INT);
    INS(t, pf_task_record, sparsity_index, H5T_NATIVE_INT);
    INS(t, pf_task_record, sparsity, H5T_NATIVE_DOUBLE);
    INS(t, pf_task_record, achieved_sparsity, H5T_NATIVE_DOUBLE);
    INS(t, pf_task_record, kept_params, H5T_NATIVE_LLONG);
    INS(t, pf_task_record, prunable_params, H5T_NATIVE_LLONG);
    INS(t, pf_task_record, csr_bytes, H5T_NATIVE_LLONG);
    INS(t, pf_task_record, macs, H5T_NATIVE_LLONG);
    INS(t, pf_task_record, epochs, H5T_NATIVE_INT);
    INS(t, pf_task_record, val_loss, H5T_NATIVE_DOUBLE);
    INS(t, pf_task_record, mean_ccc, H5T_NATIVE_DOUBLE);
    INS(t, pf_task_record, seconds, H5T_NATIVE_DOUBLE);
    dset_table(h, h->file, "tasks", t, r->n_rec, r->rec);
    H5Tclose(t);
}

static void write_summary_h5(h5ctx *h, const summary_row *rows, size_t n)
{
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, PF_MAX_NAME);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(summary_row));
    INS(t, summary_row, criterion, str);
    INS(t, summary_row, sparsity, H5T_NATIVE_DOUBLE);
    INS(t, summary_row, achieved, H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "mean_ccc", HOFFSET(summary_row, ccc.mean), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "sd_ccc", HOFFSET(summary_row, ccc.sd), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "median_ccc", HOFFSET(summary_row, ccc.median), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "min_ccc", HOFFSET(summary_row, ccc.min), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "p10_ccc", HOFFSET(summary_row, ccc.p10), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "max_ccc", HOFFSET(summary_row, ccc.max), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "gap_ccc", HOFFSET(summary_row, ccc.gap), H5T_NATIVE_DOUBLE);
    INS(t, summary_row, delta_mean, H5T_NATIVE_DOUBLE);
    INS(t, summary_row, delta_worst, H5T_NATIVE_DOUBLE);
    dset_table(h, h->file, "summary", t, n, rows);
    H5Tclose(t);
    H5Tclose(str);
}

static int write_h5(const pf_results *r, const pf_config *cfg, const pf_dataset *ds,
                    const summary_row *rows, size_t n_rows, const char *dir, pf_error *err)
{
    char tmp[PF_MAX_STR * 2], final[PF_MAX_STR * 2];
    snprintf(tmp, sizeof tmp, "%s/results.h5.tmp", dir);
    snprintf(final, sizeof final, "%s/results.h5", dir);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are reported through err, not printed */
    h5ctx h = {H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), 0};
    if (h.file < 0) return pf_error_set(err, PF_ERUNTIME, "cannot create HDF5 file '%s'", tmp);
    write_provenance(&h, r, cfg);
    write_dataset_summary(&h, r, ds);
    write_per_participant_h5(&h, r);
    write_tasks(&h, r);
    write_summary_h5(&h, rows, n_rows);
    hsize_t dims[2] = {r->n_crit, r->n_sp};
    hid_t g = group(&h, h.file, "cost");
    if (g >= 0) {
        attr_num(&h, g, "dense_ns_per_window", r->dense_ns);
        dset_double(&h, g, "sparse_ns_per_window", 2, dims, r->sparse_ns);
        H5Gclose(g);
    }
    if (H5Fclose(h.file) < 0) h.failed = 1;
    if (h.failed) {
        unlink(tmp);
        return pf_error_set(err, PF_ERUNTIME, "writing HDF5 file '%s' failed", final);
    }
    if (rename(tmp, final) != 0)
        return pf_error_set(err, PF_ERUNTIME, "cannot rename '%s': %s", tmp, strerror(errno));
    return PF_OK;
}

int pf_results_write(const pf_results *r, const pf_config *cfg, const pf_dataset *ds,
                     const char *dir, pf_error *err)
{
    size_t n_rows = 0;
    summary_row *rows = summarise(r, &n_rows, err);
    if (!rows) return err->code;
    if (write_per_participant(r, ds, dir, err) == PF_OK && write_summary(rows, n_rows, dir, err) == PF_OK)
        write_h5(r, cfg, ds, rows, n_rows, dir, err);
    free(rows);
    return err->code;
}
