/* sweep.h: a sweep in its folder -- its points planned, run one after another as ordinary
 * studies, their states, and the folder's guard against a changed sweep (docs/sweeps.md).
 *
 *   DIR/sweep.ini            the sweep as canonical text (sweepfile.h) and the hash of its
 *                            base as the sweep uses it (point 1's config, before its data; a
 *                            base may be incomplete alone, when an axis sets data.path): a
 *                            rerun with other axes, labels, --set or base is refused
 *   DIR/points.txt           the plan: one line per point, its folder, tasks and labels
 *   DIR/points/NAME-HASH8/   each point's study folder, named as a single run names it (the
 *                            config hash, data included): --report, --status and --merge work
 *                            on it, and a point two sweeps share is computed once
 *
 * A point is the base config with the point's values and then the sweep's --set options set.
 * Planning loads every point's config (a value the config refuses stops the sweep before
 * anything runs, naming the point) and its data (for the hash and the task count; the data of
 * consecutive points with the same [data] and [synthetic] is loaded once). Running a point is
 * run/study.h's pf_study_run; a point that fails (bad data, a failed write, diverged models)
 * is marked FAILED in its folder and the others go on; a stop signal ends the sweep after the
 * tasks under way, and the same command resumes it. */
#ifndef PF_SWEEP_H
#define PF_SWEEP_H

#include <signal.h>
#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "run/run.h"
#include "run/study.h"
#include "sweep/sweepfile.h"

typedef enum {
    PF_POINT_NOT_STARTED,
    PF_POINT_PARTIAL, /* some tasks checkpointed or shard files written */
    PF_POINT_DONE,    /* results.h5 of its config */
    PF_POINT_FAILED   /* its last run failed (FAILED in its folder says why) */
} pf_point_state;

typedef struct {
    pf_config cfg;                 /* the point's config, its data's hash included */
    char folder[PF_MAX_STR + 200]; /* DIR/points/NAME-HASH8 */
    char labels[PF_MAX_TEXT];      /* "model.hidden=wide, experiment.seed=2" */
    size_t n_tasks;                /* folds x repeats */
    size_t n_participants;
    double work; /* a task's work, relative: windows x weights x epochs (for a cluster's cut) */
    char error[4096]; /* why its data could not be planned ("" when it could): it then runs as
                       * a failed point, its folder named by its config without data */
} pf_sweep_point;

typedef struct {
    pf_sweepfile file;
    char dir[PF_MAX_STR + 100];
    char *canonical;    /* the sweep file and --set, canonical (sweepfile.h) */
    char base_hash[65]; /* the base as the sweep uses it: point 1's config hash, no data */
    char hash[65];      /* of the two: names the default folder */
    size_t n_points;
    pf_sweep_point *point; /* n_points */
} pf_sweep;

/* Read the sweep file at path, build and check every point's config (base + values + sets),
 * load their data and place them: in out_dir, or <the base's experiment.output_dir>/<name>-
 * <hash8>. Free with pf_sweep_free, also after a failure. PF_EINPUT naming file:line or the
 * point for what the sweep file, the base or the data refuse. */
int pf_sweep_plan(pf_sweep *s, const char *path, const char *out_dir, const char *const *sets,
                  size_t n_sets, pf_error *err);
void pf_sweep_free(pf_sweep *s);

/* The sweep of the folder dir as it was planned there (DIR/sweep.ini and DIR/points.txt),
 * without loading any data: for --status and --report. PF_EINPUT when dir is no sweep folder. */
int pf_sweep_open(pf_sweep *s, const char *dir, pf_error *err);

/* Whether dir is a sweep's folder (it holds sweep.ini). */
int pf_sweep_is_folder(const char *dir);

/* Whether the folder may hold this sweep: PF_EINPUT when it holds a sweep that is not this
 * one, naming what changed (an axis, a label, a --set, the base config). Reads only. */
int pf_sweep_check_folder(const pf_sweep *s, pf_error *err);

/* Take the folder: pf_sweep_check_folder, then write sweep.ini and points.txt. */
int pf_sweep_take_folder(const pf_sweep *s, pf_error *err);

/* Remove the FAILED mark of every point that is done (a point that failed once and was then
 * finished, by a rerun or a cluster's merge). */
void pf_sweep_tidy(const pf_sweep *s);

/* A finished study of point p's config made elsewhere -- by a single run (its default folder,
 * <experiment.output_dir>/<name>-<hash8>) or as the same point of another sweep whose folder is
 * beside this one -- copied into the point's folder, so that a study two sweeps (or a sweep and
 * a single run) share is computed once. The found results.h5 must hold the point's full config
 * hash, data included; checkpoints, shards, logs and locks are not copied, results.h5 last. from
 * receives the folder copied ("" when none was found). PF_ERUNTIME when a copy fails. */
int pf_sweep_adopt(const pf_sweep *s, size_t p, char *from, size_t cap, pf_error *err);

/* Point p's state; done_tasks (may be NULL) receives its checkpointed tasks. */
pf_point_state pf_sweep_point_state(const pf_sweep *s, size_t p, size_t *done_tasks);

/* The state's word: "done", "partial", "failed", "not started". */
const char *pf_sweep_state_name(pf_point_state st);

/* What the caller hears while the points run (both may be NULL). */
typedef struct {
    void *ctx;
    /* Before point p runs (st is open: its state and tasks) or is found done. */
    void (*start)(void *ctx, const pf_sweep *s, size_t p, const pf_study *st);
    /* After it: its study (results when it ran; NULL when it failed before its folder was
     * taken), the options it ran with (tasks run and resumed) and how it ended (e->code
     * PF_OK, or the failure, PF_EDIVERGED for diverged models). */
    void (*done)(void *ctx, const pf_sweep *s, size_t p, const pf_study *st, const pf_run_opts *ro,
                 const pf_error *e);
    /* Point p was found finished elsewhere and copied from the folder from (pf_sweep_adopt);
     * start and done follow as for a point done before. May be NULL. */
    void (*adopted)(void *ctx, const pf_sweep *s, size_t p, const char *from);
} pf_sweep_listener;

/* Run point p (0-based) alone, or its shard shard_i of shard_n (both 0: the whole point), as
 * pf_sweep_run runs each point; the folder must be taken. PF_EINPUT when its data cannot be
 * loaded, PF_EDIVERGED when its models diverged, else as pf_study_run. A failure is marked
 * FAILED in its folder, a success clears it (a shard's success only when the point ends). */
int pf_sweep_run_point(pf_sweep *s, size_t p, size_t shard_i, size_t shard_n, const pf_run_opts *ro,
                       volatile sig_atomic_t *stop, const pf_sweep_listener *l, pf_error *err);

/* A cut for a cluster: into n_shards[p] the shards of every point not done, so that shards
 * carry about the same work across points. With W_p = tasks x work of point p and S =
 * ceil(tasks of the points not done / tasks_per_shard), point p gets round(S W_p / sum W)
 * shards, at least 1 and at most its tasks; a point whose folder was already cut keeps that
 * cut (run/shard.h's pf_shard_cut). Done points and points whose data failed get 0. */
void pf_sweep_cut(const pf_sweep *s, size_t tasks_per_shard, size_t *n_shards);

/* Run every point not done, in order, each with ro's threads and progress setting (its folder
 * and bookkeeping are set per point); a point finished elsewhere is copied (pf_sweep_adopt).
 * *n_failed receives the points that failed (a point whose models diverged is done, not failed: the
 * listener hears PF_EDIVERGED). PF_EINTR when *stop was raised (the sweep stops after the tasks
 * under way); PF_OK otherwise, failed points included (they are the caller's to report). */
int pf_sweep_run(pf_sweep *s, const pf_run_opts *ro, volatile sig_atomic_t *stop,
                 const pf_sweep_listener *l, size_t *n_failed, pf_error *err);

#endif
