/* report.c: statistics, tables, figures and the results file of a run (see report.h).
 *
 * The order is the contract: the analysis first (everything else reads it), then the CSVs,
 * tables and figures, and results.h5 last, under a temporary name renamed into place, so its
 * presence means the folder is complete. Nothing here computes a number: summaries come from
 * r->summary, tests and intervals from the analysis. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "report/report.h"

#include "report/recommend.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/h5.h"
#include "base/h5seal.h"
#include "base/lock.h"
#include "base/outfile.h"
#include "base/path.h"
#include "report/plots.h"
#include "report/tables.h"
#include "results/predictions.h"
#include "results/results_csv.h"
#include "results/results_h5.h"
#include "stats/analysis.h"

static int write_h5(const pf_results *r, const pf_analysis *a, const pf_config *cfg,
                    const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_names(&f, dir, "results.h5", err) != PF_OK) return err->code;
    pf_h5_quiet();
    hid_t file = pf_h5seal_create(f.tmp);
    if (file < 0) return pf_error_set(err, PF_ERUNTIME, "cannot create HDF5 file '%s'", f.tmp);
    if (pf_results_h5_write(r, cfg, file, err) == PF_OK &&
        pf_analysis_write_h5(a, r, cfg, file, err) == PF_OK)
        pf_fairness_write_h5(a->groups, r, file, err);
    if (pf_h5seal_close(file, f.tmp) != 0 && err->code == PF_OK)
        pf_error_set(err, PF_ERUNTIME, "closing '%s' failed: %s", f.tmp, strerror(errno));
    if (err->code != PF_OK) {
        unlink(f.tmp);
        return err->code;
    }
    return pf_outfile_rename(&f, err);
}

/* ---- the report replaces the previous one as a set ------------------------------------------
 *
 * Everything is written into DIR/.report-<pid> first. Only when all of it is there does it move
 * into DIR: the old results.h5 leaves first (from then on the folder does not look complete),
 * then every other new file or folder replaces its old namesake (figures/ and tables/ as
 * whole folders, so no figure of an earlier report survives), and the new results.h5 comes
 * last. A crash at any point leaves either the old report, or a folder without results.h5
 * that a rerun rebuilds: never a complete-looking mix of two reports. */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0) nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* What an interrupted report left: DIR/.report-* and DIR/.old-* folders. */
static void remove_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, ".report-", 8) != 0 && strncmp(e->d_name, ".old-", 5) != 0) continue;
        char path[PF_MAX_STR * 3];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove_tree(path);
    }
    if (d) closedir(d);
}

static int move(const char *from, const char *to, pf_error *err)
{
    if (rename(from, to) == 0) return PF_OK;
    return pf_error_set(err, PF_ERUNTIME, "cannot move '%s' to '%s': %s", from, to,
                        strerror(errno));
}

/* Move the staged report into dir (see above). */
static int swap_in(const char *dir, const char *stage, pf_error *err)
{
    char old[PF_MAX_STR * 3], a[PF_MAX_STR * 4], b[PF_MAX_STR * 4];
    snprintf(old, sizeof old, "%s/.old-%ld", dir, (long)getpid());
    if (mkdir(old, 0777) != 0)
        return pf_error_set(err, PF_ERUNTIME, "cannot create '%s': %s", old, strerror(errno));
    snprintf(a, sizeof a, "%s/results.h5", dir);
    snprintf(b, sizeof b, "%s/results.h5", old);
    if (access(a, F_OK) == 0 && move(a, b, err) != PF_OK) return err->code;
    DIR *d = opendir(stage);
    struct dirent *e;
    while (d && err->code == PF_OK && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "results.h5"))
            continue;
        snprintf(a, sizeof a, "%s/%s", dir, e->d_name);
        snprintf(b, sizeof b, "%s/%s", old, e->d_name);
        if (access(a, F_OK) == 0 && move(a, b, err) != PF_OK) break;
        snprintf(b, sizeof b, "%s/%s", stage, e->d_name);
        move(b, a, err);
    }
    if (d) closedir(d);
    snprintf(a, sizeof a, "%s/results.h5", stage);
    snprintf(b, sizeof b, "%s/results.h5", dir);
    if (err->code == PF_OK && move(a, b, err) == PF_OK) {
        remove_tree(old);
        rmdir(stage);
    }
    return err->code;
}

int pf_report_write(const pf_results *r, const pf_config *cfg, const char *dir,
                    pf_report_info *info, pf_error *err)
{
    *info = (pf_report_info){0};
    info->recommended = pf_recommend_variant(r, cfg->size_budget_bytes);
    if (!r->summary)
        return pf_error_set(err, PF_EINPUT,
                            "report: the results are not summarised "
                            "(call pf_results_summarise first)");
    if (pf_path_make_dirs(dir, err) != PF_OK) return err->code;
    remove_leftovers(dir);
    char stage[PF_MAX_STR * 3];
    snprintf(stage, sizeof stage, "%s/.report-%ld", dir, (long)getpid());
    if (pf_path_make_dirs(stage, err) != PF_OK) return err->code;
    pf_analysis *a = pf_analysis_run(r, cfg, err);
    int rendered = 0;
    if (a && pf_results_csv_write(r, stage, err) == PF_OK &&
        pf_predictions_csv_write(r, stage, err) == PF_OK &&
        pf_analysis_write_csv(a, stage, err) == PF_OK &&
        pf_fairness_write_csv(a->groups, r, stage, err) == PF_OK &&
        pf_tables_write(r, a, cfg, stage, err) == PF_OK &&
        pf_plots_write(r, a, cfg, stage, &rendered, err) == PF_OK &&
        write_h5(r, a, cfg, stage, err) == PF_OK) {
        info->figures_rendered = rendered;
        info->gnuplot_missing = cfg->figures.n > 0 && rendered == 0;
        swap_in(dir, stage, err);
    }
    pf_analysis_free(a);
    if (err->code != PF_OK) remove_tree(stage);
    return err->code;
}

int pf_report_rebuild(const char *path, const char *const *overrides, size_t n_overrides,
                      pf_report_info *info, char *dir_out, size_t cap, pf_results **read,
                      pf_error *err)
{
    if (read) *read = NULL;
    char file[PF_MAX_STR * 2];
    struct stat st;
    if (stat(path, &st) != 0)
        return pf_error_set(err, PF_EINPUT, "--report '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        snprintf(file, sizeof file, "%s/results.h5", path);
        snprintf(dir_out, cap, "%s", path);
    } else {
        snprintf(file, sizeof file, "%s", path);
        const char *slash = strrchr(path, '/');
        snprintf(dir_out, cap, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    }
    if (access(file, R_OK) != 0)
        return pf_error_set(err, PF_EINPUT,
                            "--report: no results.h5 in '%s' (%s); a run that "
                            "did not finish leaves none",
                            path, strerror(errno));
    /* The folder's lock (lock.h) for as long as the report is being rewritten. */
    pf_lock lock;
    if (pf_lock_take(&lock, dir_out, ".lock", err) != PF_OK) return err->code;
    pf_config cfg;
    pf_results *r = pf_results_h5_read(file, &cfg, err);
    if (r && pf_config_override(&cfg, overrides, n_overrides, 1, err) == PF_OK)
        pf_report_write(r, &cfg, dir_out, info, err);
    if (read && err->code == PF_OK)
        *read = r;
    else
        pf_results_free(r);
    pf_lock_release(&lock);
    return err->code;
}
