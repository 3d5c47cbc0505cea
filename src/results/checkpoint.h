/* checkpoint.h: one finished task's results as bytes that survive the process.
 *
 * A task is one (fold, repeat). Everything it contributes to a study lives in disjoint slots
 * of pf_results: the values of its test participants for every metric and variant at its
 * repeat, its task records, its fold's fitted transform (repeat 0), and the saved models,
 * masks and scores of its slots, the predictions of its test participants' windows
 * (output.save_predictions, predictions.h), and the log-variances its dense training learned
 * (train.output_weighting other than equal). pf_checkpoint_pack copies exactly those slots into a
 * blob; pf_checkpoint_unpack puts them back, bit for bit, into results of the same study. That one
 * format carries tasks between processes: a run writes each finished task to
 * checkpoints/task-<i>.bin (so a killed run resumes where it stopped), and a shard carries its
 * tasks' blobs to the merge.
 *
 * A blob names the study it belongs to (the config hash and the program version) and ends with
 * the SHA-256 of everything before it, so a truncated, corrupted or foreign blob is refused
 * with a message, never applied. Layout (little-endian, the machine's doubles):
 *   "PFTASK03", u64 task, u64 flags, 64-byte config hash, 32-byte program version,
 *   u64 n_test, M, V, d, T, P, then the slots, then 32 bytes of SHA-256.
 * Definitions and the exact rules: docs/usage.md. */
#ifndef PF_CHECKPOINT_H
#define PF_CHECKPOINT_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "folds/folds.h"
#include "results/results.h"

/* Task i's slots of r as a blob (free() it). dense and masks (may be NULL) add the task's
 * dense weights [param] and every variant's mask [variant][param] even when output.save_* did
 * not ask for them: task 0 carries them, so that a process that did not train it can still
 * time the models. */
int pf_checkpoint_pack(const pf_results *r, const pf_folds *folds, const pf_config *cfg,
                       size_t task, const float *dense, const unsigned char *masks,
                       unsigned char **blob, size_t *len, pf_error *err);

/* Put a blob's slots back into r. *task receives its task index. PF_EINPUT, with a message
 * naming what, when the blob is truncated, corrupted, of another study (config hash) or
 * program version, or of another shape. models (may be NULL) receives the dense weights and
 * the masks [variant][param] when the blob carries them (malloc'd; NULL otherwise). */
int pf_checkpoint_unpack(pf_results *r, const pf_folds *folds, const pf_config *cfg,
                         const unsigned char *blob, size_t len, size_t *task, float **dense,
                         unsigned char **masks, pf_error *err);

/* dir/task-<i>.bin: written atomically (outfile.h: temporary name, fsync, rename). */
int pf_checkpoint_save(const char *dir, size_t task, const unsigned char *blob, size_t len,
                       pf_error *err);

/* Read dir/task-<i>.bin into a malloc'd blob. PF_OK with *blob NULL when there is no such
 * file (the task has not finished). */
int pf_checkpoint_read(const char *dir, size_t task, unsigned char **blob, size_t *len,
                       pf_error *err);

/* A task that failed: dir/task-<i>.failed holds the message (for --status and for a person);
 * a later success removes it. Best effort: a failure to write it is not an error. */
void pf_checkpoint_mark_failed(const char *dir, size_t task, const char *message);
void pf_checkpoint_clear_failed(const char *dir, size_t task);

/* Remove what a killed writer of these tasks left: dir/task-NNNNNN.bin.tmp for each of the
 * n tasks listed. Only its own tasks: shards of one study share dir and run at the same time,
 * and another shard's temporary file is a checkpoint being written, not a leftover. */
void pf_checkpoint_clean(const char *dir, const size_t *tasks, size_t n);

#endif
