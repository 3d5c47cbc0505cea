/* study.h: one study into its run folder, as one process or as one shard of many: resumable,
 * stoppable, one process per folder (docs/usage.md#stopping-and-resuming).
 *
 * pf_study_open takes the folder: makes it, takes its lock (base/lock.h: per shard for a
 * shard), says what state it is in -- a whole study already finished (results.h5 of this
 * config), a shard already written, or work to do -- and writes the bookkeeping every run
 * leaves (config.ini and the plan). pf_study_run then runs the tasks of this process (pf_run,
 * resuming the checkpoints) and writes the shard file, or the whole report (report.h) and
 * removes the checkpoints. The caller prints; nothing here does. Used by run_experiment for a
 * study or a shard and by a sweep for each of its points. */
#ifndef PF_STUDY_H
#define PF_STUDY_H

#include <stddef.h>

#include "base/error.h"
#include "base/lock.h"
#include "config/config.h"
#include "data/dataset.h"
#include "folds/folds.h"
#include "report/report.h"
#include "results/results.h"
#include "run/run.h"

typedef enum {
    PF_STUDY_TODO,          /* tasks to run (some may be resumed from checkpoints) */
    PF_STUDY_FINISHED,      /* the folder holds this config's finished run: nothing to train */
    PF_STUDY_SHARD_FINISHED /* this shard's file is already written */
} pf_study_state;

typedef struct {
    const pf_config *cfg;
    const pf_dataset *ds;
    const pf_folds *folds;
    size_t shard_i, shard_n; /* --shard I/N, or 0 and 0 for the whole study */
    pf_study_state state;
    size_t n_tasks; /* the tasks of this process (the shard's, or all) */
    size_t *slice;  /* a shard's tasks, NULL for the whole study */
    char checkpoint_dir[PF_MAX_STR + 300];
    pf_lock lock;
    pf_results *results; /* after pf_study_run: what ran (freed by pf_study_close) */
    pf_report_info info; /* after pf_study_run of a whole study: what the report wrote */
} pf_study;

/* Take ro->out_dir for cfg's study (shard_i of shard_n, or 0 and 0): ro gets the checkpoint
 * folder, the shard's tasks and index. PF_EINPUT when the folder cannot be made, another
 * process holds it, or it holds another config's finished run. s is closed with
 * pf_study_close whatever this returns. */
int pf_study_open(pf_study *s, const pf_config *cfg, const pf_dataset *ds, const pf_folds *folds,
                  size_t shard_i, size_t shard_n, pf_run_opts *ro, pf_error *err);

/* Run the tasks of an open study in state PF_STUDY_TODO and write the shard file or the
 * report. PF_EINTR when ro->stop was raised (the finished tasks are checkpointed: the same
 * call resumes); other failures as pf_run and pf_report_write. */
int pf_study_run(pf_study *s, pf_run_opts *ro, pf_error *err);

/* Let the folder go and free what the study holds. */
void pf_study_close(pf_study *s);

/* Whether dir holds a finished run: 0 when it does not, 1 when it holds cfg's, -1 (err set,
 * PF_EINPUT) when it holds another config's or a results.h5 that cannot be read. Reads only. */
int pf_study_finished(const pf_config *cfg, const char *dir, pf_error *err);

/* Remove dir/checkpoints (the finished run's results.h5 or shard files hold every task). */
void pf_study_remove_checkpoints(const char *dir);

/* How many models of r diverged (their records' diverged flag). */
size_t pf_study_diverged(const pf_results *r);

#endif
