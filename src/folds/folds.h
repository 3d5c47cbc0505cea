/* folds.h: who is held out, who trains, who decides when training stops.
 *
 * Fold assignment works on whole participants, never on windows: a participant's windows are
 * strongly correlated in time, so some of them in training and others in the test would leak.
 * Three schemes (folds.scheme) say which fold tests each participant; the validation
 * participants for early stopping are then drawn from the training side of each fold, seeded,
 * so every fold of every scheme is reproducible from the config alone. What a model sees of
 * the data (imputation and scaling fitted on a fold's training side, and the rows) is split.h.
 *
 * The schemes:
 *
 *   lopo         leave-one-participant-out: fold p tests participant p (participants in order
 *                of first appearance in the data file), so there are as many folds as
 *                participants.
 *   group_kfold  folds.k folds balanced by windows, with no seed: participants are taken
 *                largest first (by window count; ties by participant index, i.e. by order of
 *                first appearance in the data file), and each goes to the fold holding the
 *                fewest windows so far (ties to the lowest fold number). The rule is that of
 *                scikit-learn's GroupKFold (shuffle off), but it is not claimed to reproduce
 *                GroupKFold's folds: GroupKFold numbers groups in sorted label order and puts
 *                groups of equal size in the order of an unstable argsort, so its folds can
 *                differ wherever window counts tie (and since version 1.6 it can shuffle). To
 *                reproduce a split made elsewhere, write it down and use folds.scheme = file.
 *   file         folds.file names a CSV file (any separator) whose header has a column
 *                `participant` and a column `fold` (names matched ignoring case; other columns
 *                are ignored). Every participant of the data appears exactly once; folds are
 *                whole numbers 0, 1, ..., K-1 with none left empty, and K = the largest + 1.
 *                This reproduces any published split exactly. A relative path is taken from
 *                the folder run_experiment is started in.
 *
 * Validation: fold f draws round(folds.validation * n) of its n non-test participants (at
 * least 1 when folds.validation > 0 and n >= 2, never all of them) with
 * pf_seed_rng(seed, f, 0, PF_SEED_SPLIT) and gsl_ran_choose, whatever the scheme.
 * Definitions and the exact rules: docs/folds.md. */
#ifndef PF_FOLDS_H
#define PF_FOLDS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"

/* One fold holds only what is small: its test list and the sizes of its three sides. The
 * training and validation lists are O(participants) each per fold, so holding them for every
 * fold would take O(participants^2) memory under lopo; pf_folds_lists makes them on demand. */
typedef struct {
    size_t n_test, n_train, n_val;
    int *test; /* participant indices held out for evaluation (into pf_folds' one test list) */
} pf_fold;

typedef struct {
    size_t n_folds;
    pf_fold *fold;
    size_t n_participants;
    int *fold_of;  /* [participant]: the fold that tests it */
    int *tests;    /* [participant]: every fold's test list, fold after fold (fold[f].test) */
    uint64_t seed; /* experiment.seed, for the validation draw */
    int in_sample; /* pf_folds_all: the test side does not leave the training side */
    /* folds.scheme = file: the file as read (absolute path) and the SHA-256 of its bytes, for
     * the provenance of the results; both "" for the other schemes. */
    char file[4096];
    char file_sha256[65];
} pf_folds;

/* Build the folds of cfg->scheme. PF_EINPUT when the data or the folds file cannot support it
 * (fewer than two participants for leave-one-out; folds.k below 2 or above the number of
 * participants; a folds file that lacks a column, names a participant the data does not have
 * or one twice, leaves participants of the data out, holds a fold that is not a whole number
 * >= 0, leaves a fold number empty, or has a single fold), with the file and line. Every
 * index list is ascending. */
pf_folds *pf_folds_alloc(const pf_dataset *ds, const pf_config *cfg, pf_error *err);
/* The one fold of a final model (docs/deploy.md): every participant trains, but for the
 * validation participants drawn from all of them by the rule above (fold 0's generator), and
 * every participant is also its "test" side, so that the runner evaluates the model in sample
 * (numbers that describe the fit, not held-out accuracy, and are never reported as such). */
pf_folds *pf_folds_all(const pf_dataset *ds, const pf_config *cfg, pf_error *err);
void pf_folds_free(pf_folds *f);

/* Fold f's training participants (fold[f].n_train of them) into train and its validation
 * participants (fold[f].n_val) into val, both ascending; either may be NULL when not wanted.
 * The validation draw is redone each time, by the rule above (the same numbers every time),
 * in one walk over the participants: O(participants) time and no memory beyond the caller's.
 * PF_ERUNTIME when no generator can be had. */
int pf_folds_lists(const pf_folds *fs, size_t f, int *train, int *val, pf_error *err);

/* The bytes fs holds (the struct and every array it owns): O(participants + folds), whatever
 * the scheme; tests check that bound. */
size_t pf_folds_bytes(const pf_folds *fs);

#endif
