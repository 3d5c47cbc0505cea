/* report.c: statistics, tables, figures and the results file of a run (see report.h).
 *
 * The order is the contract: the analysis first (everything else reads it), then the CSVs,
 * tables and figures, and results.h5 last, under a temporary name renamed into place, so its
 * presence means the folder is complete. Nothing here computes a number: summaries come from
 * r->summary, tests and intervals from the analysis. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "h5io.h"
#include "outfile.h"
#include "plots.h"
#include "results_csv.h"
#include "results_h5.h"
#include "tables.h"

static int write_h5(const pf_results *r, const pf_analysis *a, const pf_config *cfg,
                    const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_names(&f, dir, "results.h5", err) != PF_OK) return err->code;
    pf_h5_quiet();
    hid_t file = H5Fcreate(f.tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) return pf_error_set(err, PF_ERUNTIME, "cannot create HDF5 file '%s'", f.tmp);
    if (pf_results_write_h5(r, cfg, file, err) == PF_OK) pf_analysis_write_h5(a, r, cfg, file, err);
    if (H5Fclose(file) < 0) pf_error_set(err, PF_ERUNTIME, "closing '%s' failed", f.tmp);
    if (err->code != PF_OK) {
        unlink(f.tmp);
        return err->code;
    }
    return pf_outfile_rename(&f, err);
}

int pf_report_write(const pf_results *r, const pf_config *cfg, const char *dir,
                    pf_report_info *info, pf_error *err)
{
    *info = (pf_report_info){0};
    if (!r->summary)
        return pf_error_set(err, PF_EINPUT,
                            "report: the results are not summarised "
                            "(call pf_results_summarise first)");
    if (pf_make_dirs(dir, err) != PF_OK) return err->code;
    pf_analysis *a = pf_analysis_run(r, cfg, err);
    if (!a) return err->code;
    int rendered = 0;
    if (pf_results_write_csv(r, dir, err) == PF_OK && pf_analysis_write_csv(a, dir, err) == PF_OK &&
        pf_tables_write(r, a, cfg, dir, err) == PF_OK &&
        pf_plots_write(r, a, cfg, dir, &rendered, err) == PF_OK) {
        info->figures_rendered = rendered;
        info->gnuplot_missing = cfg->figures.n > 0 && rendered == 0;
        write_h5(r, a, cfg, dir, err);
    }
    pf_analysis_free(a);
    return err->code;
}

int pf_report_rebuild(const char *path, pf_report_info *info, char *dir_out, size_t cap,
                      pf_error *err)
{
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
    pf_config cfg;
    pf_results *r = pf_results_read_h5(file, &cfg, err);
    if (!r) return err->code;
    pf_report_write(r, &cfg, dir_out, info, err);
    pf_results_free(r);
    return err->code;
}
