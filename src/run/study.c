/* study.c: one study into its folder (see study.h). */
#include "run/study.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/path.h"
#include "results/results_h5.h"
#include "run/shard.h"

int pf_study_finished(const pf_config *cfg, const char *dir, pf_error *err)
{
    char path[PF_MAX_STR * 2];
    snprintf(path, sizeof path, "%s/results.h5", dir);
    if (access(path, F_OK) != 0) return 0;
    char *hash = pf_results_h5_read_hash(path, err);
    if (hash == NULL) return -1;
    int same = strcmp(hash, cfg->hash) == 0;
    if (!same)
        pf_error_set(err, PF_EINPUT,
                     "'%s' holds a finished run of another config (hash %.8s, this one is %.8s); "
                     "choose another folder with --out, or remove it",
                     dir, hash, cfg->hash);
    free(hash);
    return same ? 1 : -1;
}

void pf_study_remove_checkpoints(const char *dir)
{
    char sub[PF_MAX_STR * 2], path[PF_MAX_STR * 3];
    snprintf(sub, sizeof sub, "%s/checkpoints", dir);
    DIR *d = opendir(sub);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "task-", 5) == 0) {
            snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
            unlink(path);
        }
    if (d) closedir(d);
    rmdir(sub);
}

size_t pf_study_diverged(const pf_results *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_rec; i++) n += r->rec[i].diverged != 0;
    return n;
}

int pf_study_open(pf_study *s, const pf_config *cfg, const pf_dataset *ds, const pf_folds *folds,
                  size_t shard_i, size_t shard_n, pf_run_opts *ro, pf_error *err)
{
    memset(s, 0, sizeof *s);
    s->lock.fd = -1;
    s->cfg = cfg, s->ds = ds, s->folds = folds, s->shard_i = shard_i, s->shard_n = shard_n;
    size_t n_all = folds->n_folds * (size_t)cfg->repeats;
    s->n_tasks = n_all;
    /* One process per folder (per shard, for shards of one folder): lock.h. */
    char lock_name[64] = ".lock";
    if (shard_n) snprintf(lock_name, sizeof lock_name, ".lock-shard-%zu-of-%zu", shard_i, shard_n);
    if (pf_path_make_dirs(ro->out_dir, err) != PF_OK ||
        pf_lock_take(&s->lock, ro->out_dir, lock_name, err) != PF_OK)
        return err->code;
    if (shard_n) {
        if (pf_shard_done(ro->out_dir, shard_i, shard_n)) {
            s->state = PF_STUDY_SHARD_FINISHED;
            return PF_OK;
        }
        if (!(s->slice = pf_alloc(n_all, sizeof *s->slice, err))) return err->code;
        s->n_tasks = pf_shard_slice(ds, folds, cfg, shard_i, shard_n, s->slice);
    } else {
        int done = pf_study_finished(cfg, ro->out_dir, err);
        if (done < 0) return err->code;
        if (done) {
            s->state = PF_STUDY_FINISHED;
            return PF_OK;
        }
    }
    snprintf(s->checkpoint_dir, sizeof s->checkpoint_dir, "%s/checkpoints", ro->out_dir);
    ro->checkpoint_dir = s->checkpoint_dir;
    ro->tasks = s->slice;
    ro->n_tasks = s->n_tasks;
    ro->shard = shard_i;
    return pf_shard_prepare(ro->out_dir, cfg, s->ds, folds, shard_n, err);
}

int pf_study_run(pf_study *s, pf_run_opts *ro, pf_error *err)
{
    if (s->state != PF_STUDY_TODO) return PF_OK;
    if ((s->results = pf_run(s->cfg, s->ds, s->folds, ro, err)) == NULL) return err->code;
    if (s->shard_n)
        return pf_shard_write(ro->out_dir, s->shard_i, s->shard_n, s->results, s->cfg, s->slice,
                              s->n_tasks, err);
    if (pf_report_write(s->results, s->cfg, ro->out_dir, &s->info, err) == PF_OK)
        pf_study_remove_checkpoints(ro->out_dir);
    return err->code;
}

void pf_study_close(pf_study *s)
{
    pf_results_free(s->results);
    free(s->slice);
    pf_lock_release(&s->lock);
    memset(s, 0, sizeof *s);
    s->lock.fd = -1;
}
