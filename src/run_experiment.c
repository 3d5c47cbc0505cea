/* run_experiment.c: the command-line front end.
 *
 *   run_experiment [options] CONFIG.ini
 *
 * It only parses options, loads and checks the config, the data and the folds, prints the
 * plan, and hands over to the runner. All messages for the user are printed here, once, from
 * the pf_error the library filled; the exit status is 0 (success), 2 (usage, config or data
 * error), 1 (runtime failure), 3 (stopped by a signal, resumable) or 4 (finished, but some
 * models diverged: the results are written with those marked). */
#define _XOPEN_SOURCE 700 /* sigaction */
#include <getopt.h>
#include <signal.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/lock.h"
#include "config/config.h"
#include "config/criterion.h"
#include "data/csvfile.h"
#include "data/dataset.h"
#include "data/load.h"
#include "eval/metric.h"
#include "eval/summary.h"
#include "folds/folds.h"
#include "model/kernel.h"
#include "report/report.h"
#include "report/tables.h"
#include "results/results_h5.h"
#include "run/run.h"
#include "run/shard.h"
#include "run/study.h"
#include "sweep/sweep.h"
#include "sweep/sweepreport.h"

#include "deploy/export.h"
#include "deploy/final.h"
#include "deploy/fit.h"
#include "deploy/mcusize.h"

#include "base/alloc.h"
#include "base/path.h"
#include "base/version.h"
#include "config/task.h"

#define MAX_OVERRIDES 256

typedef struct {
    const char *config_path;
    const char *overrides[MAX_OVERRIDES];
    size_t n_overrides;
    int threads;         /* -1: from the config */
    const char *out_dir; /* NULL: results/<name>-<hash8> */
    int dry_run;
    int progress;            /* -1: auto (only on a terminal) */
    const char *report;      /* --report DIR: rebuild the report of a finished run */
    const char *shard;       /* --shard I/N, as given */
    size_t shard_i, shard_n; /* parsed; 0 without --shard */
    const char *merge;       /* --merge DIR */
    const char *status;      /* --status DIR */
    const char *sweep;       /* --sweep SWEEP.ini */
    size_t point;            /* --point P (1-based), 0: every point */
    size_t plan_shards;      /* --plan-shards T, 0: not asked */
    int final;               /* --final: fit the --variant on every participant */
    const char *variant;     /* --variant CRITERION@SPARSITY[/cK][/Bbit] */
    const char *export;      /* --export c,csv,json */
    const char *export_dir;  /* --export FORMATS FINAL_DIR: a final model's folder */
} cli_opts;

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: run_experiment [options] CONFIG.ini\n"
        "       run_experiment [options] --sweep SWEEP.ini\n"
        "       run_experiment --report RUN_DIR | --merge RUN_DIR | --status RUN_DIR\n"
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
        "                           RUN_DIR/results.h5 without training anything (of a\n"
        "                           sweep's folder: the aggregation over its points)\n"
        "  --shard I/N              run slice I of N of the tasks (1 <= I <= N), writing\n"
        "                           RUN_DIR/shards/shard-I-of-N.h5 (a job array's task)\n"
        "  --merge RUN_DIR          join RUN_DIR/shards/*.h5 into the results of one run\n"
        "  --status RUN_DIR         tasks done and missing per shard, or each point of a\n"
        "                           sweep's folder; changes nothing\n"
        "  --sweep SWEEP.ini        run every point of a sweep (docs/sweeps.md) into\n"
        "                           --out DIR (default: <output_dir>/<name>-<hash8>/)\n"
        "  --point P                with --sweep: run only point P (with --shard I/N: one\n"
        "                           shard of it)\n"
        "  --plan-shards T          with --sweep: take the sweep's folder (with --dry-run:\n"
        "                           only check it) and print a cut of its points into shards\n"
        "                           of about T tasks' work each (experiments/slurm/submit.sh)\n"
        "  --final                  with --variant: fit that variant of CONFIG's study once on\n"
        "                           every participant and write it to --out DIR/final/\n"
        "                           (default: the study's folder; docs/deploy.md)\n"
        "  --variant V              the variant --final fits: CRITERION@SPARSITY[/cK][/Bbit]\n"
        "                           or dense[/cK][/Bbit], e.g. magnitude@0.8/4bit\n"
        "  --export FORMATS         with --final, or alone on a final model's folder\n"
        "                           (run_experiment --export c DIR/final): write it as\n"
        "                           c (model.c, model.h), csv and/or json, each into its own\n"
        "                           folder there\n"
        "  --progress / --no-progress  force the progress line on or off (default: on a\n"
        "                           terminal only)\n"
        "  --help                   this text and every config key with its default\n"
        "  --version                program version\n"
        "\n"
        "Exit status: 0 success, 2 usage/config/data error, 1 runtime failure,\n"
        "3 interrupted (SIGTERM, SIGINT, SIGUSR1): finished tasks are kept; run the same\n"
        "command again to resume. 4 finished, but some trainings diverged (listed on stderr).\n"
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
        O_REPORT,
        O_SHARD,
        O_MERGE,
        O_STATUS,
        O_SWEEP,
        O_POINT,
        O_PLAN_SHARDS,
        O_FINAL,
        O_VARIANT,
        O_EXPORT
    };
    static const struct option longopts[] = {
        {"set", required_argument, NULL, O_SET},
        {"threads", required_argument, NULL, O_THREADS},
        {"out", required_argument, NULL, O_OUT},
        {"dry-run", no_argument, NULL, O_DRY},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"no-progress", no_argument, NULL, O_NOPROGRESS},
        {"report", required_argument, NULL, O_REPORT},
        {"shard", required_argument, NULL, O_SHARD},
        {"merge", required_argument, NULL, O_MERGE},
        {"status", required_argument, NULL, O_STATUS},
        {"sweep", required_argument, NULL, O_SWEEP},
        {"point", required_argument, NULL, O_POINT},
        {"plan-shards", required_argument, NULL, O_PLAN_SHARDS},
        {"final", no_argument, NULL, O_FINAL},
        {"variant", required_argument, NULL, O_VARIANT},
        {"export", required_argument, NULL, O_EXPORT},
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
        case O_SHARD:
            o->shard = optarg;
            break;
        case O_MERGE:
            o->merge = optarg;
            break;
        case O_STATUS:
            o->status = optarg;
            break;
        case O_SWEEP:
            o->sweep = optarg;
            break;
        case O_FINAL:
            o->final = 1;
            break;
        case O_VARIANT:
            o->variant = optarg;
            break;
        case O_EXPORT:
            o->export = optarg;
            break;
        case O_POINT:
        case O_PLAN_SHARDS: {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 1000000 || optarg[0] == '-')
                return pf_error_set(err, PF_EINPUT,
                                    "%s '%s': expected a whole number from 1 to 1000000",
                                    c == O_POINT ? "--point" : "--plan-shards", optarg);
            *(c == O_POINT ? &o->point : &o->plan_shards) = v;
            break;
        }
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
    if (o->export && !o->final) {
        if (optind != argc - 1 || o->report || o->merge || o->status || o->sweep)
            return pf_error_set(err, PF_EINPUT,
                                "--export alone takes a final model's folder (run_experiment "
                                "--export c results/NAME-HASH/final), or goes with --final");
        o->export_dir = argv[optind];
        return -1;
    }
    if (o->report || o->merge || o->status) {
        if (optind != argc || !!o->report + !!o->merge + !!o->status > 1)
            return pf_error_set(err, PF_EINPUT,
                                "--report, --merge and --status each take a run folder, alone "
                                "and without a config file");
        return -1;
    }
    if ((o->point || o->plan_shards) && !o->sweep)
        return pf_error_set(err, PF_EINPUT, "%s needs --sweep SWEEP.ini (see --help)",
                            o->point ? "--point" : "--plan-shards");
    if (o->sweep) {
        if (optind != argc || (o->shard && !o->point))
            return pf_error_set(err, PF_EINPUT,
                                "--sweep takes the sweep file and no config file%s (usage: "
                                "run_experiment [options] --sweep SWEEP.ini)",
                                o->shard ? ", and --shard only with --point P "
                                           "(experiments/slurm/submit.sh spreads a sweep over "
                                           "a cluster)"
                                         : "");
        if (o->plan_shards && o->point)
            return pf_error_set(err, PF_EINPUT, "--plan-shards plans the whole sweep: no --point");
        if (o->shard && pf_shard_parse(o->shard, &o->shard_i, &o->shard_n, err) != PF_OK)
            return err->code;
        return -1;
    }
    if (optind != argc - 1)
        return pf_error_set(err, PF_EINPUT,
                            "%s (usage: run_experiment [options] CONFIG.ini; "
                            "see --help)",
                            optind >= argc ? "no config file given"
                                           : "more than one config file given");
    o->config_path = argv[optind];
    if (!o->final != !o->variant)
        return pf_error_set(err, PF_EINPUT,
                            "--final and --variant go together (run_experiment --final "
                            "--variant magnitude@0.8/4bit CONFIG.ini)");
    if (o->final && (o->shard || o->dry_run))
        return pf_error_set(err, PF_EINPUT, "--final fits one model: no --shard or --dry-run");
    if (o->shard && pf_shard_parse(o->shard, &o->shard_i, &o->shard_n, err) != PF_OK)
        return err->code;
    return -1;
}

/* Every column of a data file that is not a feature, with what it is instead. */
static void print_columns(FILE *out, const pf_dataset *ds)
{
    if (ds->n_columns == 0) return;
    char delimiter[PF_MAX_NAME];
    fprintf(out, "data-file: %s\ndata-sha256: %s\ndelimiter: %s\n", ds->path, ds->sha256,
            pf_csvfile_delimiter_name(ds->delimiter, delimiter, sizeof delimiter));
    fprintf(out, "other-columns: %zu\n", ds->n_columns - ds->n_features);
    for (size_t c = 0; c < ds->n_columns; c++)
        if (!ds->columns[c].is_feature)
            fprintf(out, "  %s: %s\n", ds->columns[c].name, ds->columns[c].use);
}

/* What is predicted: the targets, or the label and its classes with their window counts. */
static void print_task(FILE *out, const pf_dataset *ds)
{
    fprintf(out, "task: %s\ntargets: ", pf_task_name(ds->task));
    for (size_t k = 0; k < ds->n_targets; k++)
        fprintf(out, "%s%s", k ? ", " : "", ds->target_names[k]);
    fputc('\n', out);
    if (pf_dataset_shape(ds)->labels) {
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
    pf_criterion_use uses[PF_MAX_LIST * 2];
    size_t nc = pf_criterion_uses(cfg, uses, PF_MAX_LIST * 2);
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
    int *window_group;
    size_t n_groups;
    pf_error why = {0};
    if (pf_run_grouping(cfg, ds, &window_group, &n_groups, &why) != PF_OK) n_groups = 0;
    free(window_group);
    fprintf(out, "groups: %zu\n", n_groups);
    char scheme[PF_MAX_NAME];
    pf_config_choice_name("folds", "scheme", (int)cfg->scheme, scheme, sizeof scheme);
    fprintf(out, "fold-scheme: %s%s%s\n", scheme, cfg->scheme == PF_FOLDS_FILE ? " " : "",
            cfg->scheme == PF_FOLDS_FILE ? cfg->folds_file : "");
    fprintf(out, "folds: %zu\n", folds->n_folds);
    fprintf(out, "repeats: %d\n", cfg->repeats);
    fprintf(out, "tasks: %zu\n", folds->n_folds * (size_t)cfg->repeats);
    fprintf(out, "criteria: %zu (", nc);
    for (size_t i = 0; i < nc; i++) fprintf(out, "%s%s", i ? ", " : "", uses[i].name);
    fprintf(out, ")\nsparsities: ");
    for (size_t i = 0; i < cfg->sparsities.n; i++)
        fprintf(out, "%s%g", i ? "," : "", cfg->sparsities.v[i]);
    char gran[PF_MAX_NAME], rounding[PF_MAX_NAME];
    pf_config_choice_name("compress", "granularity", (int)cfg->granularity, gran, sizeof gran);
    pf_config_choice_name("compress", "rounding", (int)cfg->rounding, rounding, sizeof rounding);
    fprintf(out, "\nweight-widths: 32");
    for (size_t i = 0; i < cfg->n_bits; i++)
        if (cfg->bits[i] != 32) fprintf(out, ", %d", cfg->bits[i]);
    fprintf(out, " (quantised per %s, ties %s)\n", gran, rounding);
    int clustered = 0;
    for (size_t i = 0; i < cfg->n_clusters; i++) clustered |= cfg->clusters[i] != 0;
    if (clustered) {
        char init[PF_MAX_NAME];
        pf_config_choice_name("compress", "cluster_init", (int)cfg->cluster_init, init,
                              sizeof init);
        fprintf(out, "clusters: none");
        for (size_t i = 0; i < cfg->n_clusters; i++)
            if (cfg->clusters[i] != 0) fprintf(out, ", %d", cfg->clusters[i]);
        fprintf(out,
                " (centroids per layer, %s start, %d Lloyd iterations at most, %d epochs of "
                "fine-tuning)\n",
                init, cfg->cluster_max_iter, cfg->cluster_finetune_epochs);
    }
    const pf_strlist *fa = &cfg->fairness_attributes;
    int all = fa->n == 1 && strcmp(fa->item[0], "auto") == 0;
    int none = (fa->n == 1 && strcmp(fa->item[0], "none") == 0) || (all && ds->n_attributes == 0);
    fprintf(out, "group-attributes: %s", none ? "none" : "");
    for (size_t i = 0; !none && i < (all ? ds->n_attributes : fa->n); i++)
        fprintf(out, "%s%s", i ? ", " : "", all ? ds->attribute_names[i] : fa->item[i]);
    if (!none) fprintf(out, " (groups below %d participants not compared)", cfg->min_group);
    fprintf(out, "\nkernel: %s\n", pf_kernel_name());
    fprintf(out, "threads: %d\n", ro->threads);
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
            "cost.csv, stats.csv, groups.csv, %stables/, figures/)\n",
            dir, r->pred ? "predictions.csv, " : "");
    notice_gnuplot(info, dir);
}

/* After the results are written: the models whose training diverged, each by fold, repeat and
 * variant (the first 20), and PF_EDIVERGED with what to do; PF_OK when there are none. */
static int report_divergence(const pf_results *r, pf_error *err)
{
    size_t n = 0, total = r->n_rec;
    for (size_t i = 0; i < total; i++) n += r->rec[i].diverged != 0;
    if (n == 0) return PF_OK;
    fprintf(stderr, "run_experiment: %zu of %zu models diverged (loss NaN or infinite):\n", n,
            total);
    size_t shown = 0;
    for (size_t i = 0; i < total && shown < 20; i++) {
        const pf_task_record *x = &r->rec[i];
        if (!x->diverged) continue;
        char name[2 * PF_MAX_NAME];
        pf_results_variant_name(r, (size_t)x->variant, name, sizeof name);
        fprintf(stderr, "  fold %d, repeat %d, %s\n", x->fold, x->repeat, name);
        shown++;
    }
    if (shown < n) fprintf(stderr, "  ... and %zu more (/tasks, field diverged)\n", n - shown);
    return pf_error_set(err, PF_EDIVERGED,
                        "%zu models diverged; every other model is in the results, and these "
                        "are marked (diverged = 1 in /tasks, NaN values: not run). Training is "
                        "deterministic, so rerunning this config diverges again: lower "
                        "train.learning_rate, or check those folds' data for extreme values "
                        "(a new config is a new study, in its own folder)",
                        n);
}

/* The folder lock of this process, held until it exits (the kernel releases it then). */
/* The variant to deploy (report/recommend.h) and the command that fits it on everyone. */
static void print_recommended(FILE *out, const pf_results *r, const pf_report_info *info,
                              const char *dir)
{
    if (info->recommended < 0) {
        fprintf(out, "to deploy: no variant qualifies (report.size_budget_bytes, diverged "
                     "models)\n");
        return;
    }
    size_t v = (size_t)info->recommended;
    char name[2 * PF_MAX_NAME];
    pf_results_variant_name(r, v, name, sizeof name);
    const pf_metric_slot *m = &r->metrics->slot[r->primary];
    fprintf(out,
            "to deploy: %s (mean %s %.3f across %zu participants, %.1f KiB stored)\n"
            "  fit it on every participant: run_experiment --final --variant '%s' %s/config.ini\n",
            name, m->name, pf_results_summary(r, r->primary, v)->s.mean, r->n_part,
            pf_results_stored_bytes(r, v) / 1024.0, name, dir);
}

static pf_lock folder_lock = {-1};

static int rebuild_report(const char *path, const cli_opts *o, pf_error *err)
{
    char dir[PF_MAX_STR * 2];
    pf_report_info info;
    pf_results *r;
    if (pf_report_rebuild(path, o ? o->overrides : NULL, o ? o->n_overrides : 0, &info, dir,
                          sizeof dir, &r, err) != PF_OK)
        return err->code;
    printf("report rebuilt: %s/ (stats.csv, groups.csv, tables/, figures/, results.h5)\n", dir);
    notice_gnuplot(&info, dir);
    print_recommended(stdout, r, &info, dir);
    /* A study with diverged models stays one: its report says so every time (exit 4). */
    report_divergence(r, err);
    pf_results_free(r);
    return err->code;
}

/* ---- runs that can stop and go on ----------------------------------------------------------- */

/* SIGTERM (what SLURM sends at a time limit), SIGINT (Ctrl-C) and SIGUSR1 (SLURM's
 * --signal=USR1@T before a limit or preemption) ask the runner to start no further task; the
 * tasks under way finish and are checkpointed, and the run exits 3. A second signal of the same
 * kind falls back to the default action, so a user can still kill a run that hangs. */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    stop_requested = 1;
    signal(sig, SIG_DFL);
}

static void catch_stops(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
}

/* What a real run would refuse before training, checked for --dry-run too: an output folder
 * that cannot be made or written, or that holds another config's finished run, and criteria
 * that group people in ways the data cannot (pf_run_grouping). The plan's last lines say what
 * a real run would do there. */
static int check_run(const cli_opts *o, const pf_config *cfg, const pf_dataset *ds,
                     const pf_folds *folds, const pf_run_opts *ro, FILE *plan, pf_error *err)
{
    if (pf_path_check_dir(ro->out_dir, err) != PF_OK) return err->code;
    int finished = o->shard ? 0 : pf_study_finished(cfg, ro->out_dir, err);
    if (finished < 0) return err->code;
    int *window_group;
    size_t n_groups;
    if (pf_run_grouping(cfg, ds, &window_group, &n_groups, err) != PF_OK) return err->code;
    free(window_group);
    if (!plan) return PF_OK;
    if (o->shard) {
        size_t n_all = folds->n_folds * (size_t)cfg->repeats,
               *slice = pf_alloc(n_all, sizeof *slice, err);
        if (!slice) return err->code;
        size_t n = pf_shard_slice(ds, folds, cfg, o->shard_i, o->shard_n, slice);
        free(slice);
        fprintf(plan, "shard: %zu/%zu (%zu of %zu tasks)%s\n", o->shard_i, o->shard_n, n, n_all,
                pf_shard_done(ro->out_dir, o->shard_i, o->shard_n) ? ", already finished" : "");
    }
    if (finished)
        fprintf(plan, "output-holds: this run, finished (a run rebuilds only its report)\n");
    return PF_OK;
}

static void say_interrupted(const pf_run_opts *ro, size_t n_tasks, const char *again)
{
    fprintf(stderr,
            "run_experiment: interrupted: %zu tasks finished in this run and %zu before, of %zu; "
            "they are kept in %s/checkpoints. Run the same command again to resume%s.\n",
            ro->tasks_run, ro->tasks_resumed, n_tasks, ro->out_dir, again);
}

/* --merge DIR: the shards' config, the same data, every task exactly once, one report. */
static int merge(const char *dir, pf_error *err)
{
    pf_config cfg;
    pf_dataset *ds = NULL;
    pf_folds *folds = NULL;
    pf_results *r = NULL;
    char hash[65];
    if (pf_shard_config(dir, &cfg, err) != PF_OK ||
        pf_lock_take(&folder_lock, dir, ".lock", err) != PF_OK)
        return err->code;
    snprintf(hash, sizeof hash, "%s", cfg.hash);
    if ((ds = pf_load_dataset(&cfg, err)) && strcmp(cfg.hash, hash) != 0)
        pf_error_set(err, PF_EINPUT,
                     "the data file %s changed since the shards ran (its SHA-256 is not the one "
                     "they recorded); merge with the data they used",
                     ds->path);
    if (err->code == PF_OK && (folds = pf_folds_alloc(ds, &cfg, err)) &&
        (r = pf_results_alloc(&cfg, ds, folds->n_folds, err)) &&
        pf_results_set_folds(r, folds, err) == PF_OK) {
        pf_report_info info;
        if (pf_shard_merge(dir, r, &cfg, ds, folds, err) == PF_OK &&
            pf_results_summarise(r, err) == PF_OK &&
            pf_report_write(r, &cfg, dir, &info, err) == PF_OK) {
            pf_study_remove_checkpoints(dir); /* the shard files and results.h5 hold every task */
            print_outcome(stdout, r, dir, &info);
            report_divergence(r, err);
        }
    }
    pf_results_free(r);
    pf_folds_free(folds);
    pf_dataset_free(ds);
    return err->code;
}

/* --status DIR: read-only, from DIR/config.ini and the data. */
static int status(const char *dir, pf_error *err)
{
    pf_config cfg;
    pf_dataset *ds = NULL;
    pf_folds *folds = NULL;
    char path[PF_MAX_STR * 2];
    snprintf(path, sizeof path, "%s/config.ini", dir);
    if (pf_config_load(&cfg, path, NULL, 0, err) == PF_OK && (ds = pf_load_dataset(&cfg, err)) &&
        (folds = pf_folds_alloc(ds, &cfg, err)))
        pf_shard_status(dir, &cfg, ds, folds, stdout, err);
    pf_folds_free(folds);
    pf_dataset_free(ds);
    return err->code;
}

/* A run or a shard: resumable, checkpointed, stoppable; the report or the shard file at the
 * end (run/study.h). */
static int run(const cli_opts *o, pf_config *cfg, const pf_dataset *ds, const pf_folds *folds,
               pf_run_opts *ro, pf_error *err)
{
    pf_study s;
    ro->stop = &stop_requested;
    if (pf_study_open(&s, cfg, ds, folds, o->shard_i, o->shard_n, ro, err) == PF_OK) {
        if (s.state == PF_STUDY_SHARD_FINISHED) {
            fprintf(stderr, "run_experiment: shard %zu/%zu is already finished in %s/shards\n",
                    o->shard_i, o->shard_n, ro->out_dir);
        } else if (s.state == PF_STUDY_FINISHED) {
            fprintf(stderr,
                    "run_experiment: %s already holds this run, finished; rebuilding its report "
                    "only\n",
                    ro->out_dir);
            rebuild_report(ro->out_dir, NULL, err);
        } else {
            catch_stops();
            fprintf(stderr,
                    "run_experiment: %s: %zu participants, %zu features, %zu tasks%s on %d "
                    "threads -> %s\n",
                    cfg->name, ds->n_participants, ds->n_features, s.n_tasks,
                    o->shard ? " (this shard's)" : "", ro->threads, ro->out_dir);
            if (pf_study_run(&s, ro, err) == PF_OK || (err->code != PF_EINTR && s.results)) {
                if (ro->tasks_resumed)
                    fprintf(stderr, "run_experiment: %zu tasks resumed from %s\n",
                            ro->tasks_resumed, s.checkpoint_dir);
            }
            if (err->code == PF_OK && o->shard)
                printf("shard %zu/%zu finished: %zu tasks -> %s/shards/shard-%zu-of-%zu.h5\n"
                       "when all %zu shards are done: run_experiment --merge %s\n",
                       o->shard_i, o->shard_n, s.n_tasks, ro->out_dir, o->shard_i, o->shard_n,
                       o->shard_n, ro->out_dir);
            else if (err->code == PF_OK) {
                print_outcome(stdout, s.results, ro->out_dir, &s.info);
                report_divergence(s.results, err);
            } else if (err->code == PF_EINTR)
                say_interrupted(ro, s.n_tasks, o->shard ? " (the same --shard)" : "");
        }
    }
    pf_study_close(&s);
    return err->code;
}

/* ---- sweeps (sweep/sweep.h) ------------------------------------------------------------------ */

typedef struct {
    size_t diverged; /* points whose models diverged */
} sweep_tally;

static void sweep_start(void *ctx, const pf_sweep *s, size_t p, const pf_study *st)
{
    (void)ctx;
    const pf_sweep_point *pt = &s->point[p];
    if (st->state == PF_STUDY_FINISHED)
        fprintf(stderr, "run_experiment: point %zu/%zu (%s): finished before, in %s\n", p + 1,
                s->n_points, pt->labels, pt->folder);
    else
        fprintf(stderr, "run_experiment: point %zu/%zu (%s): %zu participants, %zu tasks%s -> %s\n",
                p + 1, s->n_points, pt->labels, pt->n_participants, st->n_tasks,
                st->shard_n ? " (this shard's)" : "", pt->folder);
}

static void sweep_done(void *ctx, const pf_sweep *s, size_t p, const pf_study *st,
                       const pf_run_opts *ro, const pf_error *e)
{
    sweep_tally *t = ctx;
    if (e->code == PF_EDIVERGED) t->diverged++;
    if (st && ro->tasks_resumed)
        fprintf(stderr, "run_experiment: point %zu/%zu: %zu tasks resumed from %s\n", p + 1,
                s->n_points, ro->tasks_resumed, st->checkpoint_dir);
    if (e->code == PF_OK && st && st->shard_n) {
        fprintf(stderr, "run_experiment: point %zu/%zu, shard %zu/%zu finished (%zu tasks)\n",
                p + 1, s->n_points, st->shard_i, st->shard_n, st->n_tasks);
    } else if (e->code == PF_OK && st && st->results) {
        const pf_results *r = st->results;
        fprintf(stderr, "run_experiment: point %zu/%zu finished: dense model %s %.3f\n", p + 1,
                s->n_points, r->metrics->slot[r->primary].name,
                pf_results_summary(r, r->primary, PF_DENSE)->s.mean);
    } else if (e->code == PF_EDIVERGED) {
        fprintf(stderr, "run_experiment: point %zu/%zu finished, but %s (marked in its results)\n",
                p + 1, s->n_points, e->msg);
    } else if (e->code != PF_OK && e->code != PF_EINTR) {
        fprintf(stderr, "run_experiment: point %zu/%zu (%s) FAILED: %s\n", p + 1, s->n_points,
                s->point[p].labels, e->msg);
    }
}

static void sweep_adopted(void *ctx, const pf_sweep *s, size_t p, const char *from)
{
    (void)ctx;
    fprintf(stderr, "run_experiment: point %zu/%zu (%s): computed before in %s; copied\n", p + 1,
            s->n_points, s->point[p].labels, from);
}

static void print_sweep_plan(FILE *out, const pf_sweep *s)
{
    size_t tasks = 0;
    fprintf(out, "sweep: %s\nsweep-file: %s\nbase: %s\naxes: %zu (", s->file.name, s->file.path,
            s->file.base_path, s->file.n_axes);
    for (size_t a = 0; a < s->file.n_axes; a++)
        fprintf(out, "%s%s: %zu values", a ? "; " : "", s->file.axis[a].key, s->file.axis[a].n);
    fprintf(out, ")\npoints: %zu\n", s->n_points);
    for (size_t p = 0; p < s->n_points; p++) {
        const pf_sweep_point *pt = &s->point[p];
        tasks += pt->n_tasks;
        fprintf(out, "point %zu: %s: %s, %zu participants, %zu tasks, work %.3g per task%s%s\n",
                p + 1, pt->labels, strrchr(pt->folder, '/') + 1, pt->n_participants, pt->n_tasks,
                pt->work, pt->error[0] ? "; FAILS: " : "", pt->error);
    }
    fprintf(out, "tasks: %zu\noutput: %s\n", tasks, s->dir);
}

/* The aggregation over the points done, and where it is. A failure to aggregate is the
 * sweep's error only when the points themselves went well. */
static void sweep_report(const pf_sweep *s, pf_error *err)
{
    pf_error e = {0};
    pf_sweepreport_info info;
    if (pf_sweepreport_write(s, &info, &e) != PF_OK) {
        fprintf(stderr, "run_experiment: the sweep's aggregation failed: %s\n", e.msg);
        if (err->code == PF_OK) *err = e;
        return;
    }
    printf("sweep: %zu of %zu points done; %s/ (points.csv, sweep.csv, sweep_stats.csv, "
           "sweep_ranks.csv, %zu tables in tables/, %zu figures in figures/)\n",
           info.n_done, info.n_points, s->dir, info.n_tables, info.n_figures);
    if (info.n_figures && !info.n_images)
        printf("sweep: gnuplot not found: the figures are written as .dat and .gp; "
               "cd %s/figures && gnuplot NAME.gp draws one\n",
               s->dir);
}

/* --plan-shards T: the cut for a cluster, one line per point, per shard still to run and per
 * point to merge (experiments/slurm/submit.sh reads it; docs/cluster.md#sweeps). */
static int print_sweep_cut(const pf_sweep *s, size_t tasks_per_shard, int dry_run, pf_error *err)
{
    size_t *n = pf_alloc(s->n_points, sizeof *n, err);
    if (!n) return err->code;
    char from[PF_MAX_STR + 400];
    for (size_t p = 0; !dry_run && p < s->n_points && err->code == PF_OK; p++)
        if (pf_sweep_adopt(s, p, from, sizeof from, err) == PF_OK && from[0])
            sweep_adopted(NULL, s, p, from);
    if (err->code != PF_OK) {
        free(n);
        return err->code;
    }
    pf_sweep_cut(s, tasks_per_shard, n);
    size_t total = 0;
    for (size_t p = 0; p < s->n_points; p++) total += n[p];
    printf("sweep: %s\noutput: %s\nshards: %zu\n", s->file.name, s->dir, total);
    for (size_t p = 0; p < s->n_points; p++) {
        const pf_sweep_point *pt = &s->point[p];
        pf_point_state st = pt->error[0] ? PF_POINT_FAILED : pf_sweep_point_state(s, p, NULL);
        printf("point %zu %s %s %zu %zu\n", p + 1, strrchr(pt->folder, '/') + 1,
               st == PF_POINT_DONE ? "done"
               : pt->error[0]      ? "unloadable"
                                   : "todo",
               n[p], pt->n_tasks);
    }
    for (size_t p = 0; p < s->n_points; p++)
        for (size_t i = 1; i <= n[p]; i++)
            if (!pf_shard_done(s->point[p].folder, i, n[p]))
                printf("shard %zu %zu %zu\n", p + 1, i, n[p]);
    for (size_t p = 0; p < s->n_points; p++)
        if (n[p]) printf("merge %zu\n", p + 1);
    free(n);
    return PF_OK;
}

/* --point P [--shard I/N]: one point of the sweep, or one shard of it. */
static int sweep_point(const cli_opts *o, pf_sweep *s, pf_run_opts *ro, pf_error *err)
{
    size_t p = o->point - 1;
    sweep_tally tally = {0};
    pf_sweep_listener l = {&tally, sweep_start, sweep_done, sweep_adopted};
    if (pf_sweep_run_point(s, p, o->shard_i, o->shard_n, ro, &stop_requested, &l, err) == PF_OK &&
        o->shard)
        printf("point %zu/%zu, shard %zu/%zu done; when every shard is: run_experiment --merge "
               "%s, then --report %s\n",
               o->point, s->n_points, o->shard_i, o->shard_n, s->point[p].folder, s->dir);
    else if (err->code == PF_EINTR)
        fprintf(stderr,
                "run_experiment: interrupted: the finished tasks are kept in %s. Run the same "
                "command again to resume.\n",
                s->point[p].folder);
    return err->code;
}

/* Run a sweep: every point not done, then the aggregation over the points done. */
static int sweep(const cli_opts *o, pf_error *err)
{
    pf_sweep s;
    if (pf_sweep_plan(&s, o->sweep, o->out_dir, o->overrides, o->n_overrides, err) != PF_OK) {
        pf_sweep_free(&s);
        return err->code;
    }
    if (o->point > s.n_points) {
        pf_error_set(err, PF_EINPUT, "--point %zu: %s has %zu points", o->point, o->sweep,
                     s.n_points);
    } else if (o->dry_run) {
        if (pf_sweep_check_folder(&s, err) == PF_OK)
            o->plan_shards ? print_sweep_cut(&s, o->plan_shards, o->dry_run, err)
                           : print_sweep_plan(stdout, &s);
    } else if (pf_sweep_take_folder(&s, err) == PF_OK && o->plan_shards) {
        print_sweep_cut(&s, o->plan_shards, o->dry_run, err);
    } else if (err->code == PF_OK) {
        pf_run_opts ro;
        pf_run_opts_init(&ro, &s.point[0].cfg, NULL, o->progress);
        if (o->threads >= 0) {
            pf_config one = s.point[0].cfg;
            one.threads = o->threads;
            ro.threads = pf_config_threads(&one);
        }
        catch_stops();
        if (o->point) {
            sweep_point(o, &s, &ro, err);
            pf_sweep_free(&s);
            return err->code;
        }
        fprintf(stderr, "run_experiment: sweep %s: %zu points on %d threads -> %s\n", s.file.name,
                s.n_points, ro.threads, s.dir);
        sweep_tally tally = {0};
        pf_sweep_listener l = {&tally, sweep_start, sweep_done, sweep_adopted};
        size_t n_failed = 0;
        pf_sweep_run(&s, &ro, &stop_requested, &l, &n_failed, err);
        if (err->code == PF_EINTR)
            fprintf(stderr,
                    "run_experiment: interrupted: the finished points and tasks are kept in %s. "
                    "Run the same command again to resume.\n",
                    s.dir);
        else if (n_failed)
            pf_error_set(err, PF_ERUNTIME,
                         "%zu of %zu points failed (their folders hold FAILED with the reason; "
                         "run_experiment --status %s lists them); the others are done, and the "
                         "same command runs only what is missing",
                         n_failed, s.n_points, s.dir);
        else if (tally.diverged)
            pf_error_set(err, PF_EDIVERGED,
                         "%zu of %zu points have diverged models (marked in their results)",
                         tally.diverged, s.n_points);
        if (err->code != PF_EINTR) sweep_report(&s, err);
    }
    pf_sweep_free(&s);
    return err->code;
}

/* --report DIR of a sweep's folder: the aggregation again, from the points' results.h5. */
static int sweep_rebuild(const char *dir, pf_error *err)
{
    pf_sweep s;
    if (pf_sweep_open(&s, dir, err) == PF_OK) sweep_report(&s, err);
    pf_sweep_free(&s);
    return err->code;
}

/* --status DIR of a sweep's folder: every point's state, from its folder alone. */
static int sweep_status(const char *dir, pf_error *err)
{
    pf_sweep s;
    if (pf_sweep_open(&s, dir, err) == PF_OK) {
        size_t count[4] = {0}, tasks = 0, done_tasks = 0;
        pf_point_state *st = pf_alloc(s.n_points, sizeof *st, err);
        size_t *done = pf_alloc(s.n_points, sizeof *done, err);
        for (size_t p = 0; st && done && p < s.n_points; p++) {
            st[p] = pf_sweep_point_state(&s, p, &done[p]);
            count[st[p]]++;
            tasks += s.point[p].n_tasks, done_tasks += done[p];
        }
        printf("sweep: %s (%s)\npoints: %zu: %zu done, %zu partial, %zu failed, %zu not started\n"
               "tasks: %zu of %zu done\n",
               s.file.name, dir, s.n_points, count[PF_POINT_DONE], count[PF_POINT_PARTIAL],
               count[PF_POINT_FAILED], count[PF_POINT_NOT_STARTED], done_tasks, tasks);
        for (size_t p = 0; st && done && p < s.n_points; p++) {
            printf("point %zu/%zu (%s): %s, %zu of %zu tasks, %s", p + 1, s.n_points,
                   s.point[p].labels, pf_sweep_state_name(st[p]), done[p], s.point[p].n_tasks,
                   strrchr(s.point[p].folder, '/') + 1);
            if (st[p] == PF_POINT_FAILED) {
                char path[PF_MAX_STR + 300], why[600] = "";
                snprintf(path, sizeof path, "%s/FAILED", s.point[p].folder);
                FILE *fp = fopen(path, "r");
                if (fp && fgets(why, sizeof why, fp)) why[strcspn(why, "\n")] = '\0';
                if (fp) fclose(fp);
                printf(": %s", why);
            }
            putchar('\n');
        }
        free(st), free(done);
    }
    pf_sweep_free(&s);
    return err->code;
}

/* Each format of the comma list formats (c, csv, json) of the final model in dir/model.h5,
 * into dir/<format>/. Every format is checked before anything is written. */
static int export_final(const char *formats, const char *dir, pf_error *err)
{
    static const struct {
        const char *name;
        int (*write)(const pf_final *, const char *, pf_error *);
    } FORMATS[] = {{"c", pf_export_c}, {"csv", pf_export_csv}, {"json", pf_export_json}};
    const size_t n_formats = sizeof FORMATS / sizeof FORMATS[0];
    char list[256];
    int want[3] = {0};
    if (snprintf(list, sizeof list, "%s", formats) >= (int)sizeof list)
        return pf_error_set(err, PF_EINPUT, "--export '%s': too long", formats);
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < n_formats && strcmp(FORMATS[i].name, t) != 0) i++;
        if (i == n_formats)
            return pf_error_set(err, PF_EINPUT,
                                "--export: unknown format '%s' (accepted: c, csv, "
                                "json)",
                                t);
        want[i] = 1;
    }
    char path[PF_MAX_STR * 2 + 32];
    snprintf(path, sizeof path, "%s/model.h5", dir);
    pf_final *f = pf_final_read(path, err);
    if (!f) return err->code;
    for (size_t i = 0; i < n_formats && err->code == PF_OK; i++) {
        if (!want[i]) continue;
        snprintf(path, sizeof path, "%s/%s", dir, FORMATS[i].name);
        if (FORMATS[i].write(f, path, err) != PF_OK) break;
        printf("exported: %s/\n", path);
        pf_mcusize m;
        if (strcmp(FORMATS[i].name, "c") != 0) continue;
        if (!pf_mcusize_available())
            printf("  (arm-none-eabi-gcc not installed: no Cortex-M4 sizes; Debian: "
                   "gcc-arm-none-eabi)\n");
        else if (pf_mcusize_measure(path, &m, err) == PF_OK)
            printf("  Cortex-M4 (arm-none-eabi-gcc -O2): %ld bytes of flash, %ld bytes of static "
                   "RAM, at most %ld bytes of stack\n",
                   m.flash, m.ram, m.stack);
    }
    pf_final_free(f);
    return err->code;
}

/* --final --variant V: the variant fitted on every participant, into DIR/final/ (DIR: --out,
 * or the study's folder). Refuses a variant the study does not have and a final/ that exists
 * before any training. */
static int final(const cli_opts *o, const pf_config *cfg, const pf_dataset *ds, pf_error *err)
{
    pf_fit_variant v;
    if (pf_fit_variant_parse(cfg, o->variant, &v, err) != PF_OK) return err->code;
    pf_run_opts ro;
    pf_run_opts_init(&ro, cfg, o->out_dir, 0);
    char dir[sizeof ro.out_dir + 16], study[sizeof ro.out_dir + 16];
    snprintf(dir, sizeof dir, "%s/final", ro.out_dir);
    struct stat st;
    if (stat(dir, &st) == 0)
        return pf_error_set(err, PF_EINPUT,
                            "%s already exists: remove it, or write the final model elsewhere "
                            "with --out DIR",
                            dir);
    fprintf(stderr, "run_experiment: fitting %s on all %zu participants (%s) ...\n", o->variant,
            ds->n_participants, cfg->name);
    pf_results *r = pf_fit_run(cfg, ds, ro.threads, err);
    if (!r) return err->code;
    long vi = pf_fit_variant_index(r, &v);
    if (vi < 0)
        pf_error_set(err, PF_ERUNTIME, "the fitted study has no variant %s", o->variant);
    else if (pf_results_record(r, 0, 0, (size_t)vi)->diverged)
        pf_error_set(err, PF_EDIVERGED,
                     "the training of %s on all participants diverged: lower "
                     "train.learning_rate, or pick another variant",
                     o->variant);
    else if (snprintf(study, sizeof study, "%s/results.h5", ro.out_dir) < (int)sizeof study &&
             pf_fit_save(r, (size_t)vi, cfg, study, dir, err) == PF_OK)
        fprintf(stdout, "final model: %s, fitted on %zu participants -> %s/model.h5\n", o->variant,
                ds->n_participants, dir);
    pf_results_free(r);
    if (err->code == PF_OK && o->export) export_final(o->export, dir, err);
    return err->code;
}

int main(int argc, char **argv)
{
    pf_error err = {0};
    cli_opts o;
    pf_config cfg;
    pf_dataset *ds = NULL;
    pf_folds *folds = NULL;

    pf_metric_set *metrics = NULL;
    size_t primary = 0;
    /* GSL's default handler aborts; prunefair checks every return value instead. */
    gsl_set_error_handler_off();
    int rc = parse_args(argc, argv, &o, &err);
    if (rc >= 0) goto done;
    /* PF_KERNEL forces a kernel (kernel.h): every kernel gives the same numbers, so this only
     * changes the speed, and lets anyone check that claim. */
    const char *kernel = getenv("PF_KERNEL");
    pf_error why = {0};
    if (pf_kernel_select(kernel && kernel[0] ? kernel : "auto", &why) != PF_OK) {
        pf_error_set(&err, PF_EINPUT, "PF_KERNEL=%s: %s", kernel, why.msg);
        goto done;
    }
    if (o.report) {
        pf_sweep_is_folder(o.report) ? sweep_rebuild(o.report, &err)
                                     : rebuild_report(o.report, &o, &err);
        goto done;
    }
    if (o.status && pf_sweep_is_folder(o.status)) {
        sweep_status(o.status, &err);
        goto done;
    }
    if (o.merge || o.status) {
        o.merge ? merge(o.merge, &err) : status(o.status, &err);
        goto done;
    }
    if (o.sweep) {
        sweep(&o, &err);
        goto done;
    }
    if (o.export_dir) {
        export_final(o.export, o.export_dir, &err);
        goto done;
    }
    if (pf_config_load(&cfg, o.config_path, o.overrides, o.n_overrides, &err) != PF_OK) goto done;
    if (o.threads >= 0) cfg.threads = o.threads;
    if (!(ds = pf_load_dataset(&cfg, &err))) goto done;
    if (o.final) {
        final(&o, &cfg, ds, &err);
        goto done;
    }
    if (!(folds = pf_folds_alloc(ds, &cfg, &err))) goto done;
    /* The metrics this task reports, and stats.metric among them, known before any training. */
    if (!(metrics = pf_metric_set_alloc(ds->task, ds->n_targets, ds->target_names, ds->n_classes,
                                        &err)) ||
        pf_metric_set_primary(metrics, cfg.metric, &primary, &err) != PF_OK)
        goto done;

    for (const char *w = ds->warning; *w; w = strchr(w, '\n') + 1)
        fprintf(stderr, "run_experiment: warning: %.*s\n", (int)(strchr(w, '\n') - w), w);
    pf_run_opts ro;
    pf_run_opts_init(&ro, &cfg, o.out_dir, o.progress);
    if (ro.threads > omp_get_num_procs())
        fprintf(stderr,
                "run_experiment: warning: %d threads on %d cores: tasks will compete for the "
                "cores and the run will be slower, not faster (use --threads 0 for one per "
                "core)\n",
                ro.threads, omp_get_num_procs());
    if (check_run(&o, &cfg, ds, folds, &ro, NULL, &err) != PF_OK) goto done;
    if (o.dry_run) {
        print_plan(stdout, &cfg, ds, folds, &ro);
        check_run(&o, &cfg, ds, folds, &ro, stdout, &err);
        fprintf(stdout, "metrics:");
        for (size_t m = 0; m < metrics->n; m++)
            fprintf(stdout, "%s %s", m ? "," : "", metrics->slot[m].name);
        fprintf(stdout, "\nprimary-metric: %s\n", metrics->slot[primary].name);
        goto done;
    }
    run(&o, &cfg, ds, folds, &ro, &err);

done:
    if (rc < 0) rc = err.code;
    if (err.code != PF_OK && err.code != PF_EINTR)
        fprintf(stderr, "run_experiment: error: %s\n", err.msg);

    pf_metric_set_free(metrics);
    pf_folds_free(folds);
    pf_dataset_free(ds);
    return rc;
}
