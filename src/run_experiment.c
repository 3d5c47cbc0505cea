/* run_experiment.c: the command-line front end.
 *
 *   run_experiment [options] CONFIG.ini
 *
 * It only parses options, loads and checks the config, the data and the folds, prints the
 * plan, and hands over to the runner. All messages for the user are printed here, once, from
 * the pf_error the library filled; the exit status is 0 (success), 2 (usage, config or data
 * error) or 1 (runtime failure). */
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csvfile.h"
#include "dataset.h"
#include "source.h"
#include "summary.h"
#include "error.h"
#include "folds.h"
#include "metric.h"
#include "report.h"
#include "runner.h"
#include "tables.h"

#ifdef HAVE_CONFIG_H
#include "buildinfo.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define MAX_OVERRIDES 256

typedef struct {
    const char *config_path;
    const char *overrides[MAX_OVERRIDES];
    size_t n_overrides;
    int threads;         /* -1: from the config */
    const char *out_dir; /* NULL: results/<name>-<hash8> */
    int dry_run;
    int progress;       /* -1: auto (only on a terminal) */
    const char *report; /* --report DIR: rebuild the report of a finished run */
} cli_opts;

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: run_experiment [options] CONFIG.ini\n"
        "       run_experiment --report RUN_DIR\n"
        "\n"
        "Fairness-aware pruning study: loads the data, runs participant folds, trains,\n"
        "prunes with every criterion over the sparsity grid and evaluates per participant.\n"
        "\n"
        "Options:\n"
        "  --set SECTION.KEY=VALUE  override a config key (repeatable)\n"
        "  --threads N              worker threads (0 = all cores; overrides parallel.threads)\n"
        "  --out DIR                write the run here instead of results/<name>-<hash8>/\n"
        "  --dry-run                load and check everything, print the plan, exit\n"
        "  --report RUN_DIR         rebuild statistics, figures and tables from\n"
        "                           RUN_DIR/results.h5 without training anything\n"
        "  --progress / --no-progress  force the progress line on or off (default: on a\n"
        "                           terminal only)\n"
        "  --help                   this text and every config key with its default\n"
        "  --version                program version\n"
        "\n"
        "Exit status: 0 success, 2 usage/config/data error, 1 runtime failure.\n"
        "\n"
        "Config keys (section, key, default, meaning):\n");
    pf_config_help(out);
}

static int parse_int_arg(const char *opt, const char *s, int *out, pf_error *err)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < 0 || v > 4096)
        return pf_error_set(err, PF_EINPUT, "%s '%s': expected a whole number from 0 to 4096", opt,
                            s);
    *out = (int)v;
    return PF_OK;
}

/* Returns -1 to continue, or an exit status (0 after --help/--version, 2 on bad usage). */
static int parse_args(int argc, char **argv, cli_opts *o, pf_error *err)
{
    enum {
        O_SET = 256,
        O_THREADS,
        O_OUT,
        O_DRY,
        O_HELP,
        O_VERSION,
        O_PROGRESS,
        O_NOPROGRESS,
        O_REPORT
    };
    static const struct option longopts[] = {{"set", required_argument, NULL, O_SET},
                                             {"threads", required_argument, NULL, O_THREADS},
                                             {"out", required_argument, NULL, O_OUT},
                                             {"dry-run", no_argument, NULL, O_DRY},
                                             {"help", no_argument, NULL, O_HELP},
                                             {"version", no_argument, NULL, O_VERSION},
                                             {"progress", no_argument, NULL, O_PROGRESS},
                                             {"no-progress", no_argument, NULL, O_NOPROGRESS},
                                             {"report", required_argument, NULL, O_REPORT},
                                             {NULL, 0, NULL, 0}};
    *o = (cli_opts){.threads = -1, .progress = -1};
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_SET:
            if (o->n_overrides == MAX_OVERRIDES)
                return pf_error_set(err, PF_EINPUT, "more than %d --set options", MAX_OVERRIDES);
            o->overrides[o->n_overrides++] = optarg;
            break;
        case O_THREADS:
            if (parse_int_arg("--threads", optarg, &o->threads, err)) return err->code;
            break;
        case O_OUT:
            o->out_dir = optarg;
            break;
        case O_DRY:
            o->dry_run = 1;
            break;
        case O_PROGRESS:
            o->progress = 1;
            break;
        case O_NOPROGRESS:
            o->progress = 0;
            break;
        case O_REPORT:
            o->report = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return 0;
        case O_VERSION:
            printf("run_experiment (prunefair) %s\n", PACKAGE_VERSION);
            return 0;
        default:
            return pf_error_set(err, PF_EINPUT,
                                "unknown or incomplete option '%s' (see "
                                "run_experiment --help)",
                                argv[optind - 1]);
        }
    }
    if (o->report) {
        if (optind != argc)
            return pf_error_set(err, PF_EINPUT, "--report takes a run folder and no config file");
        return -1;
    }
    if (optind != argc - 1)
        return pf_error_set(err, PF_EINPUT,
                            "%s (usage: run_experiment [options] CONFIG.ini; "
                            "see --help)",
                            optind >= argc ? "no config file given"
                                           : "more than one config file given");
    o->config_path = argv[optind];
    return -1;
}

/* Every column of a data file that is not a feature, with what it is instead. */
static void print_columns(FILE *out, const pf_dataset *ds)
{
    if (ds->n_columns == 0) return;
    fprintf(out, "data-file: %s\ndata-sha256: %s\ndelimiter: %s\n", ds->path, ds->sha256,
            pf_csv_delimiter_name(ds->delimiter));
    fprintf(out, "other-columns: %zu\n", ds->n_columns - ds->n_features);
    for (size_t c = 0; c < ds->n_columns; c++)
        if (!ds->columns[c].is_feature)
            fprintf(out, "  %s: %s\n", ds->columns[c].name, ds->columns[c].use);
}

/* What is predicted: the targets, or the label and its classes with their window counts. */
static void print_task(FILE *out, const pf_dataset *ds)
{
    fprintf(out, "task: %s\ntargets: ",
            ds->task == PF_TASK_CLASSIFICATION ? "classification" : "regression");
    for (size_t k = 0; k < ds->n_targets; k++)
        fprintf(out, "%s%s", k ? ", " : "", ds->target_names[k]);
    fputc('\n', out);
    if (ds->task == PF_TASK_CLASSIFICATION) {
        fprintf(out, "classes: %zu (", ds->n_classes);
        for (size_t c = 0; c < ds->n_classes; c++) {
            size_t n = 0;
            for (size_t i = 0; i < ds->n_windows; i++) n += ds->y[i] == (double)c;
            fprintf(out, "%s%s: %zu windows", c ? ", " : "", ds->class_names[c], n);
        }
        fprintf(out, ")\n");
    }
    if (ds->n_dropped_margin)
        fprintf(out, "windows-dropped-within-margin: %zu\n", ds->n_dropped_margin);
    fprintf(out, "attributes: %zu", ds->n_attributes);
    for (size_t a = 0; a < ds->n_attributes; a++)
        fprintf(out, "%s%s", a ? ", " : " (", ds->attribute_names[a]);
    fprintf(out, "%s\n", ds->n_attributes ? ")" : "");
}

static void print_plan(FILE *out, const pf_config *cfg, const pf_dataset *ds, const pf_folds *folds,
                       const pf_run_opts *ro)
{
    char names[PF_MAX_LIST * 2][PF_MAX_NAME];
    size_t nc = pf_config_criterion_names(cfg, names, PF_MAX_LIST * 2);
    fprintf(out, "config: %s\n", cfg->source_file);
    fprintf(out, "config-hash: %s\n", cfg->hash);
    fprintf(out, "name: %s\n", cfg->name);
    fprintf(out, "data: %s\n", ds->description);
    fprintf(out, "participants: %zu\n", ds->n_participants);
    fprintf(out, "windows: %zu\n", ds->n_windows);
    print_task(out, ds);
    fprintf(out, "features: %zu (", ds->n_features);
    for (size_t j = 0; j < ds->n_features; j++)
        fprintf(out, "%s%s", j ? ", " : "", ds->feature_names[j]);
    fprintf(out, ")\n");
    print_columns(out, ds);
    fprintf(out, "rows-read: %zu\n", ds->n_rows_read);
    fprintf(out, "rows-dropped-empty-target: %zu\n", ds->n_dropped_target);
    fprintf(out, "participants-dropped-below-min-windows: %zu\n", ds->n_dropped_participants);
    fprintf(out, "cells-missing: %zu%s\n", ds->n_missing,
            ds->n_missing ? " (imputed per fold from the training participants)" : "");
    fprintf(out, "groups: %zu\n", ds->n_groups);
    static const char *schemes[] = {"lopo", "group_kfold", "file"};
    fprintf(out, "fold-scheme: %s%s%s\n", schemes[cfg->scheme],
            cfg->scheme == PF_FOLDS_FILE ? " " : "",
            cfg->scheme == PF_FOLDS_FILE ? cfg->folds_file : "");
    fprintf(out, "folds: %zu\n", folds->n_folds);
    fprintf(out, "repeats: %d\n", cfg->repeats);
    fprintf(out, "tasks: %zu\n", folds->n_folds * (size_t)cfg->repeats);
    fprintf(out, "criteria: %zu (", nc);
    for (size_t i = 0; i < nc; i++) fprintf(out, "%s%s", i ? ", " : "", names[i]);
    fprintf(out, ")\nsparsities: ");
    for (size_t i = 0; i < cfg->sparsities.n; i++)
        fprintf(out, "%s%g", i ? "," : "", cfg->sparsities.v[i]);
    fprintf(out, "\nthreads: %d\n", ro->threads);
    fprintf(out, "output: %s\n", ro->out_dir);
}

/* Figures are optional: without gnuplot the run succeeds and says how to draw them later. */
static void notice_gnuplot(const pf_report_info *info, const char *dir)
{
    if (info->gnuplot_missing)
        fprintf(stderr,
                "run_experiment: notice: gnuplot not found, so no figures were drawn; "
                "the scripts and data are in %s/figures/ (install gnuplot-nox, then run "
                "run_experiment --report %s)\n",
                dir, dir);
}

/* What a person wants to see when the run ends: where it went and the headline numbers. */
/* What a person wants to see when the run ends: the primary metric of every variant, the
 * dense model on every metric, what was dropped, and where everything went. */
static void print_outcome(FILE *out, const pf_results *r, const char *dir,
                          const pf_report_info *info)
{
    fprintf(out, "\ndense model, mean across %zu participants:", r->n_part);
    for (size_t m = 0; m < r->n_metric; m++)
        fprintf(out, "%s %s %.3f", m ? "," : "", r->metrics->slot[m].name,
                pf_results_summary(r, m, PF_DENSE)->s.mean);
    fputc('\n', out);
    pf_tables_print(out, r);
    if (r->participants_dropped)
        fprintf(out, "%zu participants were dropped: fewer than data.min_windows windows\n",
                r->participants_dropped);
    if (r->windows_dropped_margin)
        fprintf(out, "%zu windows were dropped: within data.transform_margin of the threshold\n",
                r->windows_dropped_margin);
    fprintf(out,
            "\nresults: %s/ (results.h5, per_participant.csv, summary.csv, participants.csv, "
            "stats.csv, tables/, figures/)\n",
            dir);
    notice_gnuplot(info, dir);
}

static int rebuild_report(const char *path, pf_error *err)
{
    char dir[PF_MAX_STR * 2];
    pf_report_info info;
    if (pf_report_rebuild(path, &info, dir, sizeof dir, err) != PF_OK) return err->code;
    printf("report rebuilt: %s/ (stats.csv, tables/, figures/, results.h5)\n", dir);
    notice_gnuplot(&info, dir);
    return PF_OK;
}

int main(int argc, char **argv)
{
    pf_error err = {0};
    cli_opts o;
    pf_config cfg;
    pf_dataset *ds = NULL;
    pf_folds *folds = NULL;
    pf_results *res = NULL;
    pf_metric_set *metrics = NULL;
    size_t primary = 0;
    /* GSL's default handler aborts; prunefair checks every return value instead. */
    gsl_set_error_handler_off();
    int rc = parse_args(argc, argv, &o, &err);
    if (rc >= 0) goto done;
    if (o.report) {
        rebuild_report(o.report, &err);
        goto done;
    }
    if (pf_config_load(&cfg, o.config_path, o.overrides, o.n_overrides, &err) != PF_OK) goto done;
    if (o.threads >= 0) cfg.threads = o.threads;
    if (!(ds = pf_source_load(&cfg, &err))) goto done;
    if (!(folds = pf_folds_alloc(ds, &cfg, &err))) goto done;
    /* The metrics this task reports, and stats.metric among them, known before any training. */
    if (!(metrics = pf_metric_set_alloc(ds->task, ds->n_targets, ds->target_names, ds->n_classes,
                                        &err)) ||
        pf_metric_set_primary(metrics, cfg.metric, &primary, &err) != PF_OK)
        goto done;

    if (ds->warning[0]) fprintf(stderr, "run_experiment: warning: %s\n", ds->warning);
    pf_run_opts ro;
    pf_run_opts_init(&ro, &cfg, o.out_dir, o.progress);
    if (o.dry_run) {
        print_plan(stdout, &cfg, ds, folds, &ro);
        fprintf(stdout, "metrics:");
        for (size_t m = 0; m < metrics->n; m++)
            fprintf(stdout, "%s %s", m ? "," : "", metrics->slot[m].name);
        fprintf(stdout, "\nprimary-metric: %s\n", metrics->slot[primary].name);
        goto done;
    }
    fprintf(stderr,
            "run_experiment: %s: %zu participants, %zu features%s, %zu tasks on %d threads -> "
            "%s\n",
            cfg.name, ds->n_participants, ds->n_features,
            ds->n_columns > ds->n_features ? " (--dry-run lists them and why the other columns "
                                             "are not)"
                                           : "",
            folds->n_folds * (size_t)cfg.repeats, ro.threads, ro.out_dir);
    pf_report_info info;
    if ((res = pf_run(&cfg, ds, folds, &ro, &err)) != NULL &&
        pf_report_write(res, &cfg, ro.out_dir, &info, &err) == PF_OK)
        print_outcome(stdout, res, ro.out_dir, &info);

done:
    if (rc < 0) rc = err.code;
    if (err.code != PF_OK) fprintf(stderr, "run_experiment: error: %s\n", err.msg);
    pf_results_free(res);
    pf_metric_set_free(metrics);
    pf_folds_free(folds);
    pf_dataset_free(ds);
    return rc;
}
