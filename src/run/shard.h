/* shard.h: one study spread over many processes, and put back together number for number.
 *
 * The task list (every (fold, repeat)) is cut into n shards by expected cost, not by count:
 * tasks are taken most expensive first (training windows, ties by index) and each goes to the
 * shard with the least cost so far (ties to the lowest shard), so the cut depends only on the
 * study, never on where or when it runs. A shard run (`--shard i/n`) computes its tasks,
 * checkpointing each (checkpoint.h) so a killed shard resumes, then writes
 * shards/shard-i-of-n.h5 atomically: its config, hash and program version, its task list, one
 * checkpoint blob per task, and the latency measurements when it holds task 0. `--merge`
 * checks that every shard is there, of the same study and program, with every task exactly
 * once, and rebuilds results that are bit-identical to a single process's (timings and host
 * aside), reading one shard at a time. `--status` reports without touching anything.
 *
 * A run folder used for shards holds config.ini (the canonical config, so --status and
 * --merge need nothing else), checkpoints/ and shards/ (with plan.txt: the cut).
 * Definitions and the exact rules: docs/cluster.md. */
#ifndef PF_SHARD_H
#define PF_SHARD_H

#include <stdio.h>

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"
#include "folds/folds.h"
#include "results/results.h"

/* The cut: shard_of[task] = the shard (1..n) of every task. */
int pf_shard_assign(const pf_dataset *ds, const pf_folds *folds, const pf_config *cfg, size_t n,
                    size_t *shard_of, pf_error *err);

/* The tasks of shard i of n (1-based), ascending, into tasks (room for every task); returns
 * how many. */
size_t pf_shard_slice(const pf_dataset *ds, const pf_folds *folds, const pf_config *cfg, size_t i,
                      size_t n, size_t *tasks);

/* Parse "i/n" (1 <= i <= n <= 1e6). */
int pf_shard_parse(const char *text, size_t *i, size_t *n, pf_error *err);

/* The run folder's bookkeeping before a shard (or any resumable run) starts: config.ini, and
 * for shards the plan. */
int pf_shard_prepare(const char *dir, const pf_config *cfg, const pf_dataset *ds,
                     const pf_folds *folds, size_t n_shards, pf_error *err);

/* dir/shards/shard-i-of-n.h5 from the checkpoints of its tasks and r (latency). */
int pf_shard_write(const char *dir, size_t i, size_t n, const pf_results *r, const pf_config *cfg,
                   const size_t *tasks, size_t n_tasks, pf_error *err);

/* The cut dir's shards were made with: the N of its shard files (shard-I-of-N.h5), else of
 * the plan its first shard wrote (plan-N.txt), 0 when it has neither. A cluster submission
 * keeps a folder's cut: shards of two cuts would double tasks. */
size_t pf_shard_cut(const char *dir);

/* Whether dir/shards/shard-i-of-n.h5 exists (a finished shard). */
int pf_shard_done(const char *dir, size_t i, size_t n);

/* --merge: the config the shards were run with (data hash restored), loaded into cfg. */
int pf_shard_config(const char *dir, pf_config *cfg, pf_error *err);

/* --merge: every shard of dir into r (allocated for cfg, ds and folds). PF_EINPUT naming the
 * missing or doubled tasks and the shards to rerun, or the shard of another study. */
int pf_shard_merge(const char *dir, pf_results *r, const pf_config *cfg, const pf_dataset *ds,
                   const pf_folds *folds, pf_error *err);

/* --status: per shard, tasks done (checkpointed or in the shard file), missing, and whether
 * the shard file is written. Reads only. */
int pf_shard_status(const char *dir, const pf_config *cfg, const pf_dataset *ds,
                    const pf_folds *folds, FILE *out, pf_error *err);

#endif
