/* run.h: the study itself, task by task.
 *
 * A task is one (fold, repeat): fit the fold's transform (imputation, feature and target
 * scaling; split.h) on its training participants, train the dense MLP on model-space targets,
 * score every weight with every criterion, prune along the sparsity grid and evaluate each
 * model on the held-out participants, its predictions mapped back to the data's units first.
 * Tasks run under OpenMP with dynamic scheduling; each task's numbers depend only on (config,
 * fold, repeat), never on the thread that ran it, and records are handed to one writer, so the
 * output is the same for any thread count.
 * Definitions and the exact rules: docs/method.md. */
#ifndef PF_RUNNER_H
#define PF_RUNNER_H

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"
#include "folds/folds.h"
#include "results/results.h"

#include <signal.h>

typedef struct {
    int threads;                    /* resolved: >= 1 */
    int progress;                   /* 1: draw a progress line on stderr */
    char out_dir[PF_MAX_STR + 256]; /* the run folder */
    /* Optional, zero by pf_run_opts_init: */
    const char *checkpoint_dir;      /* each finished task is saved here, and a task found
                                      * here is loaded instead of run (resume) */
    const size_t *tasks;             /* the tasks to run (a shard's slice); NULL: all */
    size_t n_tasks;                  /* entries of tasks */
    volatile sig_atomic_t *stop;     /* set (by a signal handler): start no further task */
    size_t shard;                    /* I of --shard I/N, 0 when not sharded (names the test
                                      * hold of hold.h) */
    size_t point;                    /* P of a sweep's point P (1-based), 0 outside a sweep:
                                      * the hold's tag is then "pointP-run" or
                                      * "pointP-shard-I" */
    size_t tasks_run, tasks_resumed; /* out: tasks computed here, tasks loaded */
} pf_run_opts;

/* Resolve threads (0 = all cores), the run folder (out_dir or <output_dir>/<name>-<hash8>),
 * and progress (-1 = only when stderr is a terminal). */
void pf_run_opts_init(pf_run_opts *ro, const pf_config *cfg, const char *out_dir, int progress);

/* Run the tasks of ro (all by default), resuming from ro->checkpoint_dir; the results, with
 * the slots of the tasks run or resumed filled and summarised (free with pf_results_free), or
 * NULL with err set. When ro->stop is raised, tasks under way finish (and are checkpointed),
 * no new one starts, and the call fails with PF_EINTR: a rerun resumes. Latency is measured
 * when task 0 is among the tasks. */
pf_results *pf_run(const pf_config *cfg, const pf_dataset *ds, const pf_folds *folds,
                   pf_run_opts *ro, pf_error *err);

/* The grouping of people the run's criteria score by, besides participants (FairGRAPE's
 * prune.fairgrape_group), resolved once by the data layer into a group per window
 * (pf_dataset_window_groups; *window_group NULL when no criterion groups people), and how many
 * groups it has (data.group_column's when none). PF_EINPUT when two criteria group people
 * differently. */
int pf_run_grouping(const pf_config *cfg, const pf_dataset *ds, int **window_group,
                    size_t *n_groups, pf_error *err);

#endif
