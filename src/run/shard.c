/* shard.c: the cut, shard files, merge and status (see shard.h). */
#define _XOPEN_SOURCE 700 /* fsync */
#include "run/shard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "base/h5.h"
#include "base/h5seal.h"
#include "base/outfile.h"
#include "results/checkpoint.h"

#include "base/alloc.h"
#include "base/path.h"
#include "base/version.h"

#define SHARD_SCHEMA "prunefair-shard/2" /* 2: sealed */
/* What to do about a shard file that cannot be read. */
#define SHARD_FIX  "copy it again from where it was written, or delete it and rerun that --shard"
#define MAX_SHARDS 1000000

/* ---- the cut ------------------------------------------------------------------------------- */

typedef struct {
    size_t cost, task;
} costed;

static int by_cost(const void *pa, const void *pb)
{
    const costed *a = pa, *b = pb;
    if (a->cost != b->cost) return a->cost > b->cost ? -1 : 1;
    return (a->task > b->task) - (a->task < b->task);
}

/* A fold's expected cost per task: the windows it trains on, read once per epoch and
 * criterion. Counted as all windows but the test and validation participants', so that it
 * costs O(test + validation) for the windows (and the validation draw's walk), not a list of
 * the training participants. val has room for the fold's validation list. */
static int fold_cost(const pf_dataset *ds, const pf_folds *folds, size_t f, int *val, size_t *cost,
                     pf_error *err)
{
    const pf_fold *fd = &folds->fold[f];
    size_t w = ds->n_windows;
    if (fd->n_val && pf_folds_lists(folds, f, NULL, val, err) != PF_OK) return err->code;
    for (size_t i = 0; i < fd->n_val; i++) w -= pf_dataset_count(ds, (size_t)val[i]);
    if (!folds->in_sample)
        for (size_t i = 0; i < fd->n_test; i++) w -= pf_dataset_count(ds, (size_t)fd->test[i]);
    *cost = w + 1;
    return PF_OK;
}

/* Shards by (load, index), smallest first: a binary min-heap, so the cut of N tasks into n
 * shards costs O(N log n) and a plan of 10,000 tasks in 1,000 shards is instant. */
typedef struct {
    size_t load, shard;
} bin;

static int bin_less(const bin *a, const bin *b)
{
    return a->load != b->load ? a->load < b->load : a->shard < b->shard;
}

static void sift_down(bin *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && bin_less(&h[l], &h[m])) m = l;
        if (r < n && bin_less(&h[r], &h[m])) m = r;
        if (m == i) return;
        bin t = h[i];
        h[i] = h[m], h[m] = t;
        i = m;
    }
}

int pf_shard_assign(const pf_dataset *ds, const pf_folds *folds, const pf_config *cfg, size_t n,
                    size_t *shard_of, pf_error *err)
{
    size_t R = (size_t)cfg->repeats, F = folds->n_folds, N = F * R, most_val = 1;
    for (size_t f = 0; f < F; f++)
        if (folds->fold[f].n_val > most_val) most_val = folds->fold[f].n_val;
    costed *c = pf_alloc(N, sizeof *c, err);
    bin *heap = pf_alloc(n, sizeof *heap, err);
    int *val = pf_alloc(most_val, sizeof *val, err);
    if (!c || !heap || !val) {
        free(c), free(heap), free(val);
        return err->code;
    }
    for (size_t f = 0; f < F; f++) { /* a fold's cost once, for each of its repeats' tasks */
        size_t cost = 0;
        if (fold_cost(ds, folds, f, val, &cost, err) != PF_OK) {
            free(c), free(heap), free(val);
            return err->code;
        }
        for (size_t k = 0; k < R; k++) c[f * R + k] = (costed){cost, f * R + k};
    }
    free(val);
    qsort(c, N, sizeof *c, by_cost);
    for (size_t s = 0; s < n; s++) heap[s] = (bin){0, s};
    for (size_t t = 0; t < N; t++) { /* the least loaded shard (lowest index on ties) takes it */
        shard_of[c[t].task] = heap[0].shard + 1;
        heap[0].load += c[t].cost;
        sift_down(heap, n, 0);
    }
    free(c), free(heap);
    return PF_OK;
}

size_t pf_shard_slice(const pf_dataset *ds, const pf_folds *folds, const pf_config *cfg, size_t i,
                      size_t n, size_t *tasks)
{
    size_t N = folds->n_folds * (size_t)cfg->repeats, got = 0;
    pf_error err = {0};
    size_t *shard_of = pf_alloc(N, sizeof *shard_of, &err);
    if (shard_of && pf_shard_assign(ds, folds, cfg, n, shard_of, &err) == PF_OK)
        for (size_t t = 0; t < N; t++)
            if (shard_of[t] == i) tasks[got++] = t;
    free(shard_of);
    return got;
}

int pf_shard_parse(const char *text, size_t *i, size_t *n, pf_error *err)
{
    char *end;
    unsigned long a = strtoul(text, &end, 10), b = 0;
    if (end != text && *end == '/') {
        const char *t = end + 1;
        b = strtoul(t, &end, 10);
        if (end == t) b = 0;
    }
    if (*end != '\0' || a < 1 || b < 1 || a > b || b > MAX_SHARDS || text[0] == '-')
        return pf_error_set(err, PF_EINPUT,
                            "--shard '%s': expected I/N with 1 <= I <= N <= %d, e.g. --shard 3/8 "
                            "(SLURM: --shard $SLURM_ARRAY_TASK_ID/N with --array=1-N)",
                            text, MAX_SHARDS);
    *i = a, *n = b;
    return PF_OK;
}

/* ---- files --------------------------------------------------------------------------------- */

/* config.ini and the plan are written by every shard of a run, possibly at the same moment,
 * so the temporary name carries the process id (outfile.h's one name per file would let two
 * shards rename the same temporary file). */
static int write_atomic(const char *path, const char *text, pf_error *err)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return pf_error_set(err, PF_ERUNTIME, "cannot write '%s': %s", tmp, strerror(errno));
    int ok = fputs(text, f) >= 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (ok && rename(tmp, path) == 0) return PF_OK;
    unlink(tmp);
    return pf_error_set(err, PF_ERUNTIME, "cannot write '%s': %s", path, strerror(errno));
}

static void shard_path(char *out, size_t cap, const char *dir, size_t i, size_t n)
{
    snprintf(out, cap, "%s/shards/shard-%zu-of-%zu.h5", dir, i, n);
}

int pf_shard_done(const char *dir, size_t i, size_t n)
{
    char path[4200];
    struct stat st;
    shard_path(path, sizeof path, dir, i, n);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The canonical config, with the data's hash as a comment line the INI parser skips. */
static char *config_text(const pf_config *cfg)
{
    char *dump = pf_config_dump(cfg, 0);
    if (dump == NULL) return NULL;
    size_t n = strlen(dump) + 128;
    char *text = malloc(n);
    if (text) snprintf(text, n, "%s\n; data_sha256 = %s\n", dump, cfg->data_sha256);
    free(dump);
    return text;
}

int pf_shard_prepare(const char *dir, const pf_config *cfg, const pf_dataset *ds,
                     const pf_folds *folds, size_t n_shards, pf_error *err)
{
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/checkpoints", dir);
    if (pf_path_make_dirs(sub, err) != PF_OK) return err->code;
    char *text = config_text(cfg);
    if (text == NULL) return pf_error_set(err, PF_ERUNTIME, "out of memory");
    snprintf(sub, sizeof sub, "%s/config.ini", dir);
    int rc = write_atomic(sub, text, err);
    free(text);
    if (rc != PF_OK || n_shards == 0) return rc;
    snprintf(sub, sizeof sub, "%s/shards", dir);
    if (pf_path_make_dirs(sub, err) != PF_OK) return err->code;
    /* plan.txt: the cut, one line per shard, for --status. */
    size_t N = folds->n_folds * (size_t)cfg->repeats, cap = 64 + N * 48;
    size_t *shard_of = calloc(N ? N : 1, sizeof *shard_of);
    char *plan = malloc(cap);
    if (!shard_of || !plan || pf_shard_assign(ds, folds, cfg, n_shards, shard_of, err) != PF_OK) {
        free(shard_of), free(plan);
        return err->code ? err->code : pf_error_set(err, PF_ERUNTIME, "out of memory");
    }
    /* One line per shard: its tasks, ascending (a pass over the tasks per shard would be
     * quadratic; the lines are built by appending as the tasks come). */
    size_t used = (size_t)snprintf(plan, cap, "shards %zu\ntask shard\n", n_shards);
    for (size_t t = 0; t < N && used < cap; t++)
        used += (size_t)snprintf(plan + used, cap - used, "%zu %zu\n", t, shard_of[t]);
    snprintf(sub, sizeof sub, "%s/shards/plan-%zu.txt", dir, n_shards);
    rc = write_atomic(sub, plan, err);
    free(shard_of), free(plan);
    return rc;
}

/* ---- writing a shard ----------------------------------------------------------------------- */

static void write_blobs(pf_h5 *h, const char *ckdir, const size_t *tasks, size_t n_tasks,
                        pf_error *err)
{
    hid_t g = pf_h5_group(h, h->file, "task");
    for (size_t j = 0; j < n_tasks && err->code == PF_OK && g >= 0; j++) {
        unsigned char *blob;
        size_t len;
        if (pf_checkpoint_read(ckdir, tasks[j], &blob, &len, err) != PF_OK) break;
        if (blob == NULL) {
            pf_error_set(err, PF_ERUNTIME, "task %zu finished but its checkpoint is missing",
                         tasks[j]);
            break;
        }
        char name[32];
        hsize_t dim = len;
        snprintf(name, sizeof name, "%06zu", tasks[j]);
        pf_h5_array(h, g, name, H5T_NATIVE_UCHAR, 1, &dim, blob);
        free(blob);
    }
    if (g >= 0) H5Gclose(g);
}

int pf_shard_write(const char *dir, size_t i, size_t n, const pf_results *r, const pf_config *cfg,
                   const size_t *tasks, size_t n_tasks, pf_error *err)
{
    char name[64], sub[4200], ckdir[4200];
    pf_outfile out;
    snprintf(name, sizeof name, "shard-%zu-of-%zu.h5", i, n);
    snprintf(sub, sizeof sub, "%s/shards", dir);
    snprintf(ckdir, sizeof ckdir, "%s/checkpoints", dir);
    if (pf_outfile_names(&out, sub, name, err) != PF_OK) return err->code;
    const char *tmp = out.tmp;
    pf_h5_quiet();
    hid_t f = pf_h5seal_create(tmp);
    if (f < 0) return pf_error_set(err, PF_ERUNTIME, "cannot create '%s'", tmp);
    pf_h5 h = {.file = f};
    char *text = config_text(cfg);
    pf_h5_attr_str(&h, f, "schema", SHARD_SCHEMA);
    pf_h5_attr_str(&h, f, "config_text", text ? text : "");
    pf_h5_attr_str(&h, f, "config_hash", cfg->hash);
    pf_h5_attr_str(&h, f, "data_sha256", cfg->data_sha256);
    pf_h5_attr_str(&h, f, "program_version", PACKAGE_VERSION);
    pf_h5_attr_num(&h, f, "shard", (double)i);
    pf_h5_attr_num(&h, f, "shards", (double)n);
    free(text);
    hsize_t nt = n_tasks;
    pf_h5_array(&h, f, "tasks", H5T_NATIVE_ULLONG, 1, &nt, tasks);
    write_blobs(&h, ckdir, tasks, n_tasks, err);
    int has0 = n_tasks > 0 && tasks[0] == 0; /* ascending: task 0 comes first */
    hsize_t nv = r->n_var;
    if (has0) pf_h5_doubles(&h, f, "ns_per_window", 1, &nv, r->ns_per_window);
    if (pf_h5seal_close(f, tmp) != 0 || h.failed)
        pf_error_set(err, PF_ERUNTIME, "writing shard '%s' failed (%s)", tmp, h.what);
    if (err->code == PF_OK) return pf_outfile_rename(&out, err);
    unlink(tmp);
    return err->code;
}

/* ---- reading shards ------------------------------------------------------------------------ */

/* The shard files of dir: numbers i and their common n. */
static int list_shards(const char *dir, size_t *n_out, unsigned char **have, pf_error *err)
{
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/shards", dir);
    DIR *d = opendir(sub);
    if (d == NULL)
        return pf_error_set(err, PF_EINPUT,
                            "no shards in '%s' (expected %s/shards/shard-I-of-N.h5 from "
                            "run_experiment --shard I/N)",
                            dir, dir);
    size_t n = 0;
    *have = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && err->code == PF_OK) {
        unsigned long a, b;
        char tail[8];
        if (sscanf(e->d_name, "shard-%lu-of-%lu.h%7s", &a, &b, tail) != 3 || strcmp(tail, "5"))
            continue;
        if (n == 0) {
            n = b;
            if (n > MAX_SHARDS || !(*have = calloc(n + 1, 1))) break;
        }
        if (b != n)
            pf_error_set(err, PF_EINPUT,
                         "'%s' holds shards of two different cuts (of %zu and of %lu); keep one "
                         "cut's shards",
                         sub, n, b);
        else if (a >= 1 && a <= n)
            (*have)[a] = 1;
    }
    closedir(d);
    if (err->code == PF_OK && n == 0)
        pf_error_set(err, PF_EINPUT, "no shard files in '%s' yet (run_experiment --shard I/N)",
                     sub);
    *n_out = n;
    return err->code;
}

int pf_shard_config(const char *dir, pf_config *cfg, pf_error *err)
{
    size_t n;
    unsigned char *have = NULL;
    if (list_shards(dir, &n, &have, err) != PF_OK) {
        free(have);
        return err->code;
    }
    size_t i = 1;
    while (i <= n && !have[i]) i++;
    free(have);
    char path[4200];
    shard_path(path, sizeof path, dir, i, n);
    pf_h5_quiet();
    hid_t f = pf_h5seal_open(path, SHARD_FIX, err);
    if (f < 0) return err->code;
    char *text = pf_h5_read_attr_str(f, "/", "config_text");
    char *hash = pf_h5_read_attr_str(f, "/", "config_hash");
    char *sha = pf_h5_read_attr_str(f, "/", "data_sha256");
    H5Fclose(f);
    if (!text || !hash || !sha)
        pf_error_set(err, PF_EINPUT, "'%s' is not a prunefair shard", path);
    else if (pf_config_load_text(cfg, text, path, err) == PF_OK) {
        snprintf(cfg->data_sha256, sizeof cfg->data_sha256, "%s", sha);
        if (pf_config_hash(cfg, err) == PF_OK && strcmp(cfg->hash, hash) != 0)
            pf_error_set(err, PF_EINPUT, "'%s': its config does not match its hash", path);
    }
    free(text), free(hash), free(sha);
    return err->code;
}

/* One shard's tasks into r; seen[] marks tasks (a second sighting names both shards). */
static int merge_one(const char *path, size_t i, pf_results *r, const pf_config *cfg,
                     const pf_folds *folds, size_t *seen, pf_error *err)
{
    hid_t f = pf_h5seal_open(path, SHARD_FIX, err);
    if (f < 0) return err->code;
    char *hash = pf_h5_read_attr_str(f, "/", "config_hash");
    char *vers = pf_h5_read_attr_str(f, "/", "program_version");
    size_t nt = pf_h5_size(f, "/tasks");
    if (!hash || !vers || strcmp(hash, cfg->hash) != 0)
        pf_error_set(err, PF_EINPUT, "shard '%s' is of another config (hash %.8s, the others %.8s)",
                     path, hash ? hash : "?", cfg->hash);
    else if (strcmp(vers, PACKAGE_VERSION) != 0)
        pf_error_set(err, PF_EINPUT, "shard '%s' was written by prunefair %s, this is %s", path,
                     vers, PACKAGE_VERSION);
    unsigned long long *tasks = calloc(nt ? nt : 1, sizeof *tasks);
    if (err->code == PF_OK &&
        (!tasks || pf_h5_read_array(f, "/tasks", H5T_NATIVE_ULLONG, nt, tasks) != 0))
        pf_error_set(err, PF_EINPUT, "shard '%s' has no readable task list", path);
    for (size_t j = 0; j < nt && err->code == PF_OK; j++) {
        char name[48];
        snprintf(name, sizeof name, "/task/%06llu", tasks[j]);
        size_t len = pf_h5_size(f, name), task;
        unsigned char *blob = len ? malloc(len) : NULL;
        if (!blob || pf_h5_read_array(f, name, H5T_NATIVE_UCHAR, len, blob) != 0) {
            pf_error_set(err, PF_EINPUT, "shard '%s': task %llu is missing or unreadable", path,
                         tasks[j]);
        } else if (pf_checkpoint_unpack(r, folds, cfg, blob, len, &task, NULL, NULL, err) ==
                   PF_OK) {
            if (seen[task])
                pf_error_set(err, PF_EINPUT,
                             "task %zu is in shard %zu and in shard %zu; the shards come from "
                             "two different cuts: delete the stray shard files",
                             task, seen[task], i);
            seen[task] = i;
        }
        free(blob);
    }
    if (err->code == PF_OK && pf_h5_size(f, "/ns_per_window") == r->n_var)
        pf_h5_read_doubles(f, "/ns_per_window", r->n_var, r->ns_per_window);
    free(tasks), free(hash), free(vers);
    H5Fclose(f);
    return err->code;
}

int pf_shard_merge(const char *dir, pf_results *r, const pf_config *cfg, const pf_dataset *ds,
                   const pf_folds *folds, pf_error *err)
{
    size_t n, N = folds->n_folds * r->n_rep;
    unsigned char *have = NULL;
    if (list_shards(dir, &n, &have, err) != PF_OK) {
        free(have);
        return err->code;
    }
    char missing[600] = "";
    size_t n_missing = 0, used = 0;
    for (size_t i = 1; i <= n; i++)
        if (!have[i] && n_missing++ < 12 && used < sizeof missing)
            used += (size_t)snprintf(missing + used, sizeof missing - used, "%s--shard %zu/%zu",
                                     n_missing > 1 ? ", " : "", i, n);
    free(have);
    if (n_missing)
        return pf_error_set(err, PF_EINPUT,
                            "%zu of %zu shards are missing in %s/shards; rerun %s%s", n_missing, n,
                            dir, missing, n_missing > 12 ? ", ..." : "");
    size_t *seen = calloc(N ? N : 1, sizeof *seen);
    if (!seen) return pf_error_set(err, PF_ERUNTIME, "out of memory");
    pf_h5_quiet();
    for (size_t i = 1; i <= n && err->code == PF_OK; i++) {
        char path[4200];
        shard_path(path, sizeof path, dir, i, n);
        merge_one(path, i, r, cfg, folds, seen, err);
    }
    size_t *shard_of = err->code == PF_OK ? pf_alloc(N, sizeof *shard_of, err) : NULL;
    if (shard_of && pf_shard_assign(ds, folds, cfg, n, shard_of, err) == PF_OK)
        for (size_t t = 0; t < N && err->code == PF_OK; t++)
            if (!seen[t])
                pf_error_set(err, PF_EINPUT,
                             "task %zu (fold %zu, repeat %zu) is in no shard; rerun --shard "
                             "%zu/%zu",
                             t, t / r->n_rep, t % r->n_rep, shard_of[t], n);
    free(shard_of);
    free(seen);
    return err->code;
}

/* ---- status -------------------------------------------------------------------------------- */

/* The N of dir/shards/plan-N.txt, or 0. */
static size_t planned_cut(const char *dir)
{
    char sub[4200];
    size_t n = 0;
    snprintf(sub, sizeof sub, "%s/shards", dir);
    DIR *d = opendir(sub);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (sscanf(e->d_name, "plan-%zu.txt", &n) == 1) break;
    if (d) closedir(d);
    return n;
}

size_t pf_shard_cut(const char *dir)
{
    size_t n = 0;
    unsigned char *have = NULL;
    pf_error ignored = {0};
    if (list_shards(dir, &n, &have, &ignored) != PF_OK) n = 0;
    free(have);
    return n ? n : planned_cut(dir);
}

int pf_shard_status(const char *dir, const pf_config *cfg, const pf_dataset *ds,
                    const pf_folds *folds, FILE *out, pf_error *err)
{
    size_t n = 0, N = folds->n_folds * (size_t)cfg->repeats;
    unsigned char *have = NULL;
    pf_error ignored = {0};
    if (list_shards(dir, &n, &have, &ignored) != PF_OK) n = 0;
    if (n == 0) { /* no shard finished yet: find the cut from its plan */
        n = planned_cut(dir);
        free(have);
        have = n ? calloc(n + 1, 1) : NULL;
    }
    char ckdir[4200];
    snprintf(ckdir, sizeof ckdir, "%s/checkpoints", dir);
    size_t S = n ? n : 1, total_done = 0;
    size_t *shard_of = calloc(N ? N : 1, sizeof *shard_of), *count = calloc(S + 1, sizeof *count),
           *done = calloc(S + 1, sizeof *done), *failed = calloc(S + 1, sizeof *failed);
    if (!shard_of || !count || !done || !failed) {
        free(shard_of), free(count), free(done), free(failed), free(have);
        return pf_error_set(err, PF_ERUNTIME, "out of memory");
    }
    if (n) pf_shard_assign(ds, folds, cfg, n, shard_of, err);
    fprintf(out, "run: %s\nconfig-hash: %s\ntasks: %zu\nshards: %zu\n", dir, cfg->hash, N, n);
    for (size_t t = 0; t < N; t++) {
        size_t s = n ? shard_of[t] : 1;
        char path[4300];
        struct stat st;
        snprintf(path, sizeof path, "%s/task-%06zu.bin", ckdir, t);
        count[s]++;
        int ok = (n && have && have[s]) || stat(path, &st) == 0;
        done[s] += ok;
        snprintf(path, sizeof path, "%s/task-%06zu.failed", ckdir, t);
        failed[s] += !ok && stat(path, &st) == 0;
    }
    for (size_t s = 1; s <= S; s++) {
        int finished = n && have && have[s];
        total_done += done[s];
        const char *state = finished    ? "finished"
                            : failed[s] ? "failed (checkpoints/task-*.failed say why; rerun it)"
                            : done[s]   ? "running or stopped"
                                        : "not started";
        size_t missing = count[s] - done[s] - failed[s];
        if (n)
            fprintf(out, "shard %zu/%zu: %s, %zu of %zu tasks done, %zu failed, %zu missing\n", s,
                    n, state, done[s], count[s], failed[s], missing);
        else
            fprintf(out, "single run: %zu of %zu tasks done, %zu failed, %zu missing\n", done[s],
                    count[s], failed[s], missing);
    }
    free(shard_of), free(count), free(done), free(failed);
    fprintf(out, "done: %zu of %zu tasks\n", total_done, N);
    free(have);
    return PF_OK;
}
