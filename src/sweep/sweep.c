/* sweep.c: a sweep's points in its folder, planned and run (see sweep.h). */
#include "sweep/sweep.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/outfile.h"
#include "base/path.h"
#include "base/sha256.h"
#include "results/results_h5.h"
#include "run/shard.h"
#include "data/load.h"
#include "folds/folds.h"

#define MAX_OVERRIDES (PF_SWEEP_MAX_AXES + 256)

/* ---- configs -------------------------------------------------------------------------------- */

/* The point's overrides: its values, the file's set lines, then the --set options. */
static size_t point_overrides(const pf_sweep *s, size_t p, const char *const *sets, size_t n_sets,
                              char (*buf)[PF_MAX_TEXT + 128], const char **ov)
{
    size_t n = 0;
    pf_sweepfile_overrides(&s->file, p, buf);
    for (size_t a = 0; a < s->file.n_axes; a++) ov[n++] = buf[a];
    for (size_t i = 0; i < s->file.n_sets && n < MAX_OVERRIDES; i++) ov[n++] = s->file.set[i];
    for (size_t i = 0; i < n_sets && n < MAX_OVERRIDES; i++) ov[n++] = sets[i];
    return n;
}

/* The [data] and [synthetic] sections of cfg's canonical text: two configs with the same load
 * the same data. */
static char *data_identity(const pf_config *cfg)
{
    char *dump = pf_config_dump(cfg, 1);
    if (!dump) return NULL;
    size_t len = 0;
    int keep = 0;
    for (char *line = dump, *next; *line; line = next) {
        next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (*line == '[')
            keep = strncmp(line, "[data]", 6) == 0 || strncmp(line, "[synthetic]", 11) == 0;
        if (keep) memmove(dump + len, line, (size_t)(next - line)), len += (size_t)(next - line);
    }
    dump[len] = '\0';
    return dump;
}

static void point_folder(pf_sweep *s, size_t p)
{
    pf_sweep_point *pt = &s->point[p];
    snprintf(pt->folder, sizeof pt->folder, "%s/points/%s-%.8s", s->dir, pt->cfg.name,
             pt->cfg.hash);
}

/* Every point's config; PF_EINPUT naming the point for a value the config refuses. */
static int plan_configs(pf_sweep *s, const char *const *sets, size_t n_sets, pf_error *err)
{
    char(*buf)[PF_MAX_TEXT + 128] = pf_alloc(PF_SWEEP_MAX_AXES, sizeof *buf, err);
    const char **ov = pf_alloc(MAX_OVERRIDES, sizeof *ov, err);
    for (size_t p = 0; buf && ov && p < s->n_points && err->code == PF_OK; p++) {
        pf_sweep_point *pt = &s->point[p];
        pf_sweepfile_describe(&s->file, p, pt->labels, sizeof pt->labels);
        size_t n = point_overrides(s, p, sets, n_sets, buf, ov);
        pf_error why = {0};
        if (pf_config_load(&pt->cfg, s->file.base_path, ov, n, &why) != PF_OK)
            pf_error_set(err, PF_EINPUT, "%s, point %zu of %zu (%s): %s", s->file.path, p + 1,
                         s->n_points, pt->labels, why.msg);
    }
    free(buf), free(ov);
    return err->code;
}

/* A task's work, relative: the training windows (all of them: a fold trains on nearly all)
 * times the weights of the network times its epochs. Only ratios between points matter. */
static double task_work(const pf_config *cfg, const pf_dataset *ds)
{
    double weights = 0, in = (double)ds->n_features;
    for (size_t l = 0; l < cfg->n_hidden; l++) weights += in * cfg->hidden[l], in = cfg->hidden[l];
    weights += in * (double)(ds->n_classes ? ds->n_classes : ds->n_targets);
    return (double)ds->n_windows * weights * (cfg->max_epochs + cfg->finetune_epochs);
}

/* Each point's data, for its hash (the data's SHA-256 enters it) and its tasks. A point whose
 * data fails to load keeps its config's hash without data and is planned as failed. */
static int plan_data(pf_sweep *s, pf_error *err)
{
    pf_dataset *ds = NULL;
    char *have = NULL;
    for (size_t p = 0; p < s->n_points && err->code == PF_OK; p++) {
        pf_sweep_point *pt = &s->point[p];
        char *want = data_identity(&pt->cfg);
        if (!want) return pf_error_set(err, PF_ERUNTIME, "out of memory planning the sweep");
        if (!have || strcmp(want, have) != 0 || !ds) {
            pf_dataset_free(ds);
            free(have);
            have = want;
            pf_error why = {0};
            if ((ds = pf_load_dataset(&pt->cfg, &why)) == NULL) {
                snprintf(pt->error, sizeof pt->error, "%s", why.msg);
                point_folder(s, p);
                continue;
            }
        } else {
            free(want);
            snprintf(pt->cfg.data_sha256, sizeof pt->cfg.data_sha256, "%s", ds->sha256);
            pf_config_hash(&pt->cfg, err);
        }
        pf_error why = {0};
        pf_folds *folds = pf_folds_alloc(ds, &pt->cfg, &why);
        if (folds) {
            pt->n_tasks = folds->n_folds * (size_t)pt->cfg.repeats;
            pt->n_participants = ds->n_participants;
            pt->work = task_work(&pt->cfg, ds);
        } else {
            snprintf(pt->error, sizeof pt->error, "%s", why.msg);
        }
        pf_folds_free(folds);
        point_folder(s, p);
    }
    pf_dataset_free(ds);
    free(have);
    return err->code;
}

static int hash_text(const char *text, const char *more, char *hex)
{
    pf_sha256 h;
    pf_sha256_begin(&h);
    pf_sha256_add(&h, text, strlen(text));
    pf_sha256_add(&h, more, strlen(more));
    return pf_sha256_end(&h, NULL, hex);
}

int pf_sweep_plan(pf_sweep *s, const char *path, const char *out_dir, const char *const *sets,
                  size_t n_sets, pf_error *err)
{
    memset(s, 0, sizeof *s);
    if (pf_sweepfile_load(&s->file, path, err) != PF_OK) return err->code;
    s->n_points = s->file.n_points;
    s->canonical = pf_sweepfile_canonical(&s->file, sets, n_sets);
    s->point = pf_alloc(s->n_points, sizeof *s->point, err);
    if (!s->canonical || !s->point) return pf_error_set(err, PF_ERUNTIME, "out of memory");
    if (plan_configs(s, sets, n_sets, err) != PF_OK) return err->code;
    /* The base as the sweep uses it: point 1's config before its data. Every base key that
     * matters to some point matters to point 1 (an axis' key is overridden in every point),
     * and a base that is incomplete alone (data.path an axis) still has a hash. */
    const pf_config *first = &s->point[0].cfg;
    snprintf(s->base_hash, sizeof s->base_hash, "%s", first->hash);
    if (!hash_text(s->canonical, s->base_hash, s->hash))
        return pf_error_set(err, PF_ERUNTIME, "SHA-256 failed (OpenSSL)");
    if (out_dir)
        snprintf(s->dir, sizeof s->dir, "%s", out_dir);
    else
        snprintf(s->dir, sizeof s->dir, "%s/%s-%.8s", first->output_dir, s->file.name, s->hash);
    return plan_data(s, err);
}

void pf_sweep_free(pf_sweep *s)
{
    pf_sweepfile_free(&s->file);
    free(s->canonical);
    free(s->point);
    memset(s, 0, sizeof *s);
}

/* ---- the folder ----------------------------------------------------------------------------- */

int pf_sweep_is_folder(const char *dir)
{
    char path[PF_MAX_STR + 200];
    snprintf(path, sizeof path, "%s/sweep.ini", dir);
    return access(path, F_OK) == 0;
}

/* The text of a small file, or NULL. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    char *text = NULL;
    size_t cap = 0, len = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        char *grown = realloc(text, cap = len + n + 1);
        if (!grown) {
            free(text), fclose(fp);
            return NULL;
        }
        text = grown;
        memcpy(text + len, chunk, n);
        len += n;
        text[len] = '\0';
    }
    fclose(fp);
    return text ? text : calloc(1, 1);
}

/* The first line where two texts differ, for the message that says what changed. */
static void first_difference(const char *was, const char *now, char *out, size_t cap)
{
    while (*was && *now) {
        size_t a = strcspn(was, "\n"), b = strcspn(now, "\n");
        if (a != b || strncmp(was, now, a) != 0) {
            snprintf(out, cap, "'%.*s' is now '%.*s'", (int)a, was, (int)b, now);
            return;
        }
        was += a + (was[a] != 0), now += b + (now[b] != 0);
    }
    size_t a = strcspn(was, "\n"), b = strcspn(now, "\n");
    snprintf(out, cap, *was ? "'%.*s' is gone" : "'%.*s' is new", (int)(*was ? a : b),
             *was ? was : now);
}

#define BASE_LINE "; base_hash = "

int pf_sweep_check_folder(const pf_sweep *s, pf_error *err)
{
    char path[PF_MAX_STR + 200];
    snprintf(path, sizeof path, "%s/sweep.ini", s->dir);
    char *was = slurp(path);
    if (was) {
        char *base = strstr(was, BASE_LINE);
        if (base) *base = '\0';
        char what[PF_MAX_TEXT];
        int same_text = strcmp(was, s->canonical) == 0;
        if (!same_text) first_difference(was, s->canonical, what, sizeof what);
        int same_base = base && strncmp(base + strlen(BASE_LINE), s->base_hash, 64) == 0;
        free(was);
        if (!same_text)
            return pf_error_set(err, PF_EINPUT,
                                "%s holds another sweep: %s; run the changed sweep into another "
                                "folder (--out), or remove this one",
                                s->dir, what);
        if (!same_base)
            return pf_error_set(err, PF_EINPUT,
                                "%s holds this sweep with another base config (base = %s has "
                                "changed since it ran there); run it into another folder (--out)",
                                s->dir, s->file.base);
    }
    return PF_OK;
}

/* dir/name holding exactly text: written (atomically) only when it does not already, so the
 * many jobs of a cluster's array that take the same folder do not write over each other. */
static int write_if_changed(const char *dir, const char *name, const char *text, pf_error *err)
{
    char path[PF_MAX_STR + 300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *was = slurp(path);
    int same = was && strcmp(was, text) == 0;
    free(was);
    if (same) return PF_OK;
    pf_outfile f;
    if (pf_outfile_open(&f, dir, name, err) != PF_OK) return err->code;
    fputs(text, f.fp);
    return pf_outfile_commit(&f, err);
}

int pf_sweep_take_folder(const pf_sweep *s, pf_error *err)
{
    if (pf_sweep_check_folder(s, err) != PF_OK) return err->code;
    char points[PF_MAX_STR + 120];
    snprintf(points, sizeof points, "%s/points", s->dir);
    if (pf_path_make_dirs(points, err) != PF_OK) return err->code;
    size_t cap = strlen(s->canonical) + 200 + s->n_points * (PF_MAX_TEXT + PF_MAX_STR + 64);
    char *text = pf_alloc(cap, 1, err);
    if (!text) return err->code;
    snprintf(text, cap, "%s%s%s\n", s->canonical, BASE_LINE, s->base_hash);
    if (write_if_changed(s->dir, "sweep.ini", text, err) == PF_OK) {
        size_t len = (size_t)snprintf(text, cap, "# point\tfolder\ttasks\tparticipants\tlabels\n");
        for (size_t p = 0; p < s->n_points && len < cap; p++)
            len += (size_t)snprintf(text + len, cap - len, "%zu\t%s\t%zu\t%zu\t%s\n", p + 1,
                                    strrchr(s->point[p].folder, '/') + 1, s->point[p].n_tasks,
                                    s->point[p].n_participants, s->point[p].labels);
        write_if_changed(s->dir, "points.txt", text, err);
    }
    free(text);
    return err->code;
}

int pf_sweep_open(pf_sweep *s, const char *dir, pf_error *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    char path[PF_MAX_STR + 200];
    snprintf(path, sizeof path, "%s/sweep.ini", dir);
    if (access(path, F_OK) != 0)
        return pf_error_set(err, PF_EINPUT, "%s is no sweep folder (it has no sweep.ini)", dir);
    if (pf_sweepfile_load(&s->file, path, err) != PF_OK) return err->code;
    /* The sweep as planned: its canonical text, its base's hash, and so its own hash. */
    if (!(s->canonical = slurp(path)))
        return pf_error_set(err, PF_ERUNTIME, "cannot read %s", path);
    char *base = strstr(s->canonical, BASE_LINE);
    if (base) {
        snprintf(s->base_hash, sizeof s->base_hash, "%.64s", base + strlen(BASE_LINE));
        *base = '\0';
    }
    if (!hash_text(s->canonical, s->base_hash, s->hash))
        return pf_error_set(err, PF_ERUNTIME, "SHA-256 failed (OpenSSL)");
    snprintf(path, sizeof path, "%s/points.txt", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) return pf_error_set(err, PF_EINPUT, "%s has no points.txt: %s", dir, strerror(errno));
    s->n_points = s->file.n_points;
    s->point = pf_alloc(s->n_points, sizeof *s->point, err);
    char line[PF_MAX_TEXT + PF_MAX_STR];
    size_t p = 0;
    while (s->point && fgets(line, sizeof line, fp))
        if (line[0] != '#' && p < s->n_points) {
            pf_sweep_point *pt = &s->point[p++];
            char folder[PF_MAX_STR];
            if (sscanf(line, "%*[0-9]\t%511[^\t]\t%zu\t%zu", folder, &pt->n_tasks,
                       &pt->n_participants) != 3)
                break;
            snprintf(pt->folder, sizeof pt->folder, "%s/points/%s", dir, folder);
            pf_sweepfile_describe(&s->file, p - 1, pt->labels, sizeof pt->labels);
        }
    fclose(fp);
    if (err->code == PF_OK && p != s->n_points)
        pf_error_set(err, PF_EINPUT, "%s: %zu points planned, %zu in its points.txt", dir,
                     s->n_points, p);
    return err->code;
}

/* ---- states --------------------------------------------------------------------------------- */

static int file_in(const char *dir, const char *name)
{
    char path[PF_MAX_STR + 300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* Files of dir/sub whose names start with prefix and end with suffix. */
static size_t count_files(const char *dir, const char *sub, const char *prefix, const char *suffix)
{
    char path[PF_MAX_STR + 300];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    size_t n = 0, lp = strlen(prefix), ls = strlen(suffix);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        n += len >= lp + ls && strncmp(e->d_name, prefix, lp) == 0 &&
             strcmp(e->d_name + len - ls, suffix) == 0;
    }
    if (d) closedir(d);
    return n;
}

pf_point_state pf_sweep_point_state(const pf_sweep *s, size_t p, size_t *done_tasks)
{
    const char *dir = s->point[p].folder;
    size_t done = count_files(dir, "checkpoints", "task-", ".bin");
    if (done_tasks) *done_tasks = done;
    if (file_in(dir, "results.h5")) {
        if (done_tasks) *done_tasks = s->point[p].n_tasks;
        return PF_POINT_DONE;
    }
    if (file_in(dir, "FAILED")) return PF_POINT_FAILED;
    if (done || count_files(dir, "shards", "shard-", ".h5")) return PF_POINT_PARTIAL;
    return PF_POINT_NOT_STARTED;
}

const char *pf_sweep_state_name(pf_point_state st)
{
    static const char *const names[] = {"not started", "partial", "done", "failed"};
    return names[st];
}

/* ---- points computed elsewhere --------------------------------------------------------------- */

/* Whether dir holds a finished run of the config with this full hash. */
static int holds_run(const char *dir, const char *hash)
{
    char path[PF_MAX_STR + 400];
    snprintf(path, sizeof path, "%s/results.h5", dir);
    if (access(path, F_OK) != 0) return 0;
    pf_error ignore = {0};
    char *h = pf_results_h5_read_hash(path, &ignore);
    int same = h && strcmp(h, hash) == 0;
    free(h);
    return same;
}

/* The folder of a finished run of point p's config outside its own folder, or "". */
static void find_elsewhere(const pf_sweep *s, size_t p, char *out, size_t cap)
{
    const pf_sweep_point *pt = &s->point[p];
    const char *folder = strrchr(pt->folder, '/') + 1;
    char mine[PF_MAX_STR + 400], cand[2 * PF_MAX_STR + 800], real[PF_MAX_STR + 400];
    pf_path_abs(pt->folder, mine, sizeof mine);
    out[0] = '\0';
    snprintf(cand, sizeof cand, "%s/%s", pt->cfg.output_dir, folder);
    pf_path_abs(cand, real, sizeof real);
    if (strcmp(real, mine) != 0 && holds_run(cand, pt->cfg.hash)) {
        snprintf(out, cap, "%s", real);
        return;
    }
    /* The same point in the sweep folders beside this one. */
    char parent[PF_MAX_STR + 200];
    snprintf(parent, sizeof parent, "%s", s->dir);
    char *slash = strrchr(parent, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(parent, sizeof parent, ".");
    DIR *d = opendir(parent);
    struct dirent *e;
    while (d && !out[0] && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(cand, sizeof cand, "%s/%s/points/%s", parent, e->d_name, folder);
        pf_path_abs(cand, real, sizeof real);
        if (strcmp(real, mine) != 0 && holds_run(cand, pt->cfg.hash))
            snprintf(out, cap, "%s", real);
    }
    if (d) closedir(d);
}

int pf_sweep_adopt(const pf_sweep *s, size_t p, char *from, size_t cap, pf_error *err)
{
    static const char *const skip[] = {"checkpoints", "shards", "logs", "FAILED", NULL};
    from[0] = '\0';
    if (s->point[p].error[0] || pf_sweep_point_state(s, p, NULL) == PF_POINT_DONE) return PF_OK;
    find_elsewhere(s, p, from, cap);
    if (from[0] && pf_path_copy_tree(from, s->point[p].folder, skip, "results.h5", err) != PF_OK)
        from[0] = '\0';
    return err->code;
}

/* ---- running -------------------------------------------------------------------------------- */

/* FAILED in the point's folder says why its last run failed; a finished run removes it. */
static void mark_failed(const pf_sweep_point *pt, const char *why)
{
    pf_error ignore = {0};
    if (pf_path_make_dirs(pt->folder, &ignore) != PF_OK) return;
    pf_outfile f;
    if (pf_outfile_open(&f, pt->folder, "FAILED", &ignore) != PF_OK) return;
    fprintf(f.fp, "%s\n", why);
    pf_outfile_commit(&f, &ignore);
}

static void clear_failed(const pf_sweep_point *pt)
{
    char path[PF_MAX_STR + 300];
    snprintf(path, sizeof path, "%s/FAILED", pt->folder);
    unlink(path);
}

void pf_sweep_tidy(const pf_sweep *s)
{
    for (size_t p = 0; p < s->n_points; p++)
        if (pf_sweep_point_state(s, p, NULL) == PF_POINT_DONE) clear_failed(&s->point[p]);
}

/* After a point (or a shard of it, shard_n > 0) ran: a failure marks it FAILED; a point that
 * ended clears the mark (diverged models are results, marked in them); a shard that succeeded
 * leaves the mark to the merge. */
static void mark_outcome(const pf_sweep_point *pt, size_t shard_n, const pf_error *e)
{
    if (e->code != PF_OK && e->code != PF_EDIVERGED)
        mark_failed(pt, e->msg);
    else if (!shard_n)
        clear_failed(pt);
}

/* One point, start to end: data (reused from the point before when the same), folds, study. */
static int prepare_point(pf_sweep *s, size_t p, pf_dataset **ds, char **have, pf_folds **folds,
                         pf_error *err)
{
    pf_sweep_point *pt = &s->point[p];
    if (pt->error[0]) return pf_error_set(err, PF_EINPUT, "%s", pt->error);
    char *want = data_identity(&pt->cfg);
    if (!want) return pf_error_set(err, PF_ERUNTIME, "out of memory");
    if (!*ds || !*have || strcmp(want, *have) != 0) {
        pf_dataset_free(*ds);
        free(*have);
        *have = want;
        if (!(*ds = pf_load_dataset(&pt->cfg, err))) return err->code;
    } else {
        free(want);
    }
    *folds = pf_folds_alloc(*ds, &pt->cfg, err);
    return err->code;
}

static int run_point(pf_sweep *s, size_t p, size_t shard_i, size_t shard_n,
                     const pf_run_opts *ro_in, pf_dataset **ds, char **have,
                     const pf_sweep_listener *l, pf_error *err)
{
    pf_sweep_point *pt = &s->point[p];
    pf_folds *folds = NULL;
    if (prepare_point(s, p, ds, have, &folds, err) != PF_OK) {
        if (l && l->done) l->done(l->ctx, s, p, NULL, ro_in, err);
        return err->code;
    }
    pf_run_opts ro = *ro_in;
    snprintf(ro.out_dir, sizeof ro.out_dir, "%s", pt->folder);
    ro.point = p + 1;
    pf_study st;
    if (pf_study_open(&st, &pt->cfg, *ds, folds, shard_i, shard_n, &ro, err) == PF_OK) {
        if (l && l->start) l->start(l->ctx, s, p, &st);
        if (st.state == PF_STUDY_TODO && pf_study_run(&st, &ro, err) == PF_OK &&
            pf_study_diverged(st.results))
            pf_error_set(err, PF_EDIVERGED, "%zu models diverged", pf_study_diverged(st.results));
        if (l && l->done) l->done(l->ctx, s, p, &st, &ro, err);
    }
    pf_study_close(&st);
    pf_folds_free(folds);
    return err->code;
}

int pf_sweep_run(pf_sweep *s, const pf_run_opts *ro, volatile sig_atomic_t *stop,
                 const pf_sweep_listener *l, size_t *n_failed, pf_error *err)
{
    pf_dataset *ds = NULL;
    char *have = NULL;
    *n_failed = 0;
    for (size_t p = 0; p < s->n_points; p++) {
        if (stop && *stop) {
            pf_error_set(err, PF_EINTR, "stopped by a signal before point %zu of %zu", p + 1,
                         s->n_points);
            break;
        }
        pf_error e = {0};
        char from[PF_MAX_STR + 400];
        if (pf_sweep_adopt(s, p, from, sizeof from, &e) == PF_OK && from[0] && l && l->adopted)
            l->adopted(l->ctx, s, p, from);
        pf_run_opts one = *ro;
        one.stop = stop;
        if (e.code == PF_OK) run_point(s, p, 0, 0, &one, &ds, &have, l, &e);
        if (e.code == PF_EINTR) {
            *err = e;
            break;
        }
        mark_outcome(&s->point[p], 0, &e);
        *n_failed += e.code != PF_OK && e.code != PF_EDIVERGED;
    }
    pf_dataset_free(ds);
    free(have);
    return err->code;
}

int pf_sweep_run_point(pf_sweep *s, size_t p, size_t shard_i, size_t shard_n, const pf_run_opts *ro,
                       volatile sig_atomic_t *stop, const pf_sweep_listener *l, pf_error *err)
{
    pf_dataset *ds = NULL;
    char *have = NULL;
    pf_run_opts one = *ro;
    one.stop = stop;
    run_point(s, p, shard_i, shard_n, &one, &ds, &have, l, err);
    if (err->code != PF_EINTR) mark_outcome(&s->point[p], shard_n, err);
    pf_dataset_free(ds);
    free(have);
    return err->code;
}

void pf_sweep_cut(const pf_sweep *s, size_t tasks_per_shard, size_t *n_shards)
{
    double total_work = 0;
    size_t tasks = 0;
    for (size_t p = 0; p < s->n_points; p++) {
        const pf_sweep_point *pt = &s->point[p];
        n_shards[p] = 0;
        if (pt->error[0] || pt->n_tasks == 0 || pf_sweep_point_state(s, p, NULL) == PF_POINT_DONE)
            continue;
        total_work += (double)pt->n_tasks * pt->work;
        tasks += pt->n_tasks;
        n_shards[p] = 1;
    }
    if (tasks_per_shard == 0) tasks_per_shard = 1;
    double S = (double)((tasks + tasks_per_shard - 1) / tasks_per_shard);
    for (size_t p = 0; p < s->n_points; p++) {
        const pf_sweep_point *pt = &s->point[p];
        if (!n_shards[p]) continue;
        size_t kept = pf_shard_cut(pt->folder);
        if (kept) {
            n_shards[p] = kept;
            continue;
        }
        double share = total_work > 0 ? S * (double)pt->n_tasks * pt->work / total_work : 1;
        size_t n = (size_t)floor(share + 0.5);
        n_shards[p] = n < 1 ? 1 : n > pt->n_tasks ? pt->n_tasks : n;
    }
}
