/* fuzz_results.c: libFuzzer harness for the readers of files that come from other machines:
 * results.h5 (run_experiment --report), shard files (--merge) and task checkpoints (resume).
 * The first byte of an input picks the reader, the rest is the file. A file must be read or
 * refused with PF_EINPUT and a message -- never crash, hang or leak, whatever HDF5 makes of it.
 *
 * Two depths. By default the bytes reach the readers as they would from a disk, so the seal
 * (h5seal.h) is what is fuzzed first, and a damaged file is refused before HDF5 reads it.
 * With FUZZ_BEHIND_SEAL=1 the harness seals each input itself, as if a buggy or hostile writer
 * had sealed a malformed file: HDF5 and prunefair's readers behind the seal are fuzzed.
 *
 * The fixture (made once) is a real small study on synthetic data: its results.h5, one shard
 * file and one checkpoint, written into a temporary folder and used as the seed corpus by
 * scripts/fuzz.sh (FUZZ_SEEDS=DIR writes them there and exits). Built and run by scripts/fuzz.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "base/h5.h"
#include "base/h5seal.h"
#include "base/path.h"
#include "data/load.h"
#include "folds/folds.h"
#include "report/report.h"
#include "results/checkpoint.h"
#include "results/results_h5.h"
#include "run/run.h"
#include "run/shard.h"

static pf_config cfg;
static pf_dataset *ds;
static pf_folds *folds;
static char dir[64];
static int behind_seal; /* FUZZ_BEHIND_SEAL=1: seal every input file */

/* A small study, run once: 6 participants, 2 criteria, 2 widths, 1 shard. */
static void fixture(void)
{
    pf_error err = {0};
    pf_config_defaults(&cfg);
    const char *sets[][3] = {
        {"synthetic", "participants", "6"},    {"synthetic", "windows", "12"},
        {"synthetic", "features", "5"},        {"synthetic", "informative", "2"},
        {"synthetic", "private", "1"},         {"model", "hidden", "4"},
        {"train", "max_epochs", "2"},          {"folds", "validation", "0"},
        {"prune", "criteria", "magnitude,vr"}, {"prune", "sparsities", "0.5"},
        {"compress", "bits", "32,4"},          {"stats", "bootstrap", "20"},
        {"output", "figures", "none"},         {"output", "tables", "none"}};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (pf_config_set(&cfg, sets[i][0], sets[i][1], sets[i][2], "fixture", &err) != PF_OK)
            abort();
    if (pf_config_validate(&cfg, &err) != PF_OK || pf_config_hash(&cfg, &err) != PF_OK) abort();
    snprintf(dir, sizeof dir, "/tmp/pf_fuzz_results_%ld", (long)getpid());
    if (!(ds = pf_load_dataset(&cfg, &err)) || !(folds = pf_folds_alloc(ds, &cfg, &err))) abort();
    pf_h5_quiet();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fixture();
    const char *seeds = getenv("FUZZ_SEEDS");
    if (seeds) { /* write the seed corpus: a real results.h5, shard file and checkpoint */
        pf_error err = {0};
        pf_run_opts ro;
        pf_run_opts_init(&ro, &cfg, dir, 0);
        char ck[200];
        snprintf(ck, sizeof ck, "%s/checkpoints", dir);
        ro.checkpoint_dir = ck;
        ro.threads = 1;
        if (pf_path_make_dirs(ck, &err) != PF_OK ||
            pf_shard_prepare(dir, &cfg, ds, folds, 1, &err) != PF_OK)
            abort();
        pf_results *r = pf_run(&cfg, ds, folds, &ro, &err);
        pf_report_info info;
        size_t tasks[64];
        for (size_t i = 0; i < folds->n_folds; i++) tasks[i] = i;
        if (!r || pf_report_write(r, &cfg, dir, &info, &err) != PF_OK ||
            pf_shard_write(dir, 1, 1, r, &cfg, tasks, folds->n_folds, &err) != PF_OK) {
            fprintf(stderr, "fixture: %s\n", err.msg);
            abort();
        }
        const char *files[] = {"results.h5", "shards/shard-1-of-1.h5",
                               "checkpoints/task-000000.bin"};
        for (int k = 0; k < 3; k++) {
            char in[300], out[300];
            snprintf(in, sizeof in, "%s/%s", dir, files[k]);
            snprintf(out, sizeof out, "%s/seed-%d", seeds, k);
            FILE *a = fopen(in, "rb"), *b = fopen(out, "wb");
            if (!a || !b) abort();
            fputc(k, b); /* the selector byte */
            int c;
            while ((c = fgetc(a)) != EOF) fputc(c, b);
            fclose(a), fclose(b);
        }
        pf_results_free(r);
        exit(0);
    }
    const char *deep = getenv("FUZZ_BEHIND_SEAL");
    behind_seal = deep && strcmp(deep, "1") == 0;
    char sh[200];
    snprintf(sh, sizeof sh, "mkdir -p %s/shards %s/checkpoints", dir, dir);
    if (system(sh) != 0) abort();
    pf_error err = {0};
    if (pf_shard_prepare(dir, &cfg, ds, folds, 1, &err) != PF_OK) abort();
    return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) abort();
    if (size && fwrite(data, 1, size, fp) != size) abort();
    fclose(fp);
    if (behind_seal && size >= PF_H5SEAL_BLOCK && pf_h5seal_write(path) != 0) abort();
}

static void check(int rc, const pf_error *err)
{
    if (rc != PF_OK && (rc != PF_EINPUT || err->msg[0] == '\0')) {
        fprintf(stderr, "refused with code %d: '%s'\n", rc, err->msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int which = data[0] % 3;
    data++, size--;
    pf_error err = {0};
    char path[200];
    if (which == 0) { /* results.h5, as --report reads it */
        snprintf(path, sizeof path, "%s/in.h5", dir);
        write_file(path, data, size);
        pf_config c;
        pf_results *r = pf_results_h5_read(path, &c, &err);
        check(r ? PF_OK : err.code, &err);
        pf_results_free(r);
    } else if (which == 1) { /* a shard file, as --merge reads it */
        snprintf(path, sizeof path, "%s/shards/shard-1-of-1.h5", dir);
        write_file(path, data, size);
        pf_results *r = pf_results_alloc(&cfg, ds, folds->n_folds, &err);
        if (!r) abort();
        check(pf_shard_merge(dir, r, &cfg, ds, folds, &err), &err);
        pf_results_free(r);
    } else { /* a task checkpoint, as a resumed run reads it */
        pf_results *r = pf_results_alloc(&cfg, ds, folds->n_folds, &err);
        if (!r) abort();
        size_t task;
        float *dense = NULL;
        unsigned char *masks = NULL;
        check(pf_checkpoint_unpack(r, folds, &cfg, data, size, &task, &dense, &masks, &err), &err);
        free(dense), free(masks);
        pf_results_free(r);
    }
    return 0;
}
