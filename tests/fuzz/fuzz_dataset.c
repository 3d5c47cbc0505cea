/* fuzz_dataset.c: libFuzzer harness for the CSV/AGAIN loader (DESIGN 11). The input is
 * written to a file and loaded as an AGAIN file (both layouts: the loader detects ticks by a
 * [control]game column) and as a generic CSV in each task shape: one target, two targets with
 * an attribute, class labels, and the high/low transform. Any input must load or be refused with
 * PF_EINPUT and a message -- never crash, hang or leak. Built and run by scripts/fuzz.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/load.h"

static void load_as(const char *path, pf_source source, int shape)
{
    pf_config cfg;
    pf_error err = {0};
    pf_config_defaults(&cfg);
    cfg.source = source;
    cfg.min_windows = 1;
    cfg.missing = PF_MISSING_MEAN;
    snprintf(cfg.data_path, sizeof cfg.data_path, "%s", path);
    if (source == PF_SOURCE_CSV) {
        snprintf(cfg.participant_column, sizeof cfg.participant_column, "p");
        snprintf(cfg.target_columns.item[0], PF_MAX_NAME, "y");
        snprintf(cfg.group_column, sizeof cfg.group_column, "g");
        if (shape == 1) {
            cfg.target_columns.n = 2;
            snprintf(cfg.target_columns.item[1], PF_MAX_NAME, "z");
            cfg.attribute_columns.n = 1;
            snprintf(cfg.attribute_columns.item[0], PF_MAX_NAME, "a");
        }
        if (shape >= 2) cfg.task = PF_TASK_CLASSIFICATION;
        if (shape == 3)
            cfg.target_transform = PF_TRANSFORM_ABOVE_MEDIAN, cfg.transform_margin = 0.1;
    }
    pf_dataset *ds = pf_load_dataset(&cfg, &err);
    if (!ds && (err.code != PF_EINPUT || err.msg[0] == '\0')) abort();
    if (ds) {
        /* A loaded dataset is consistent: offsets cover every row, in order. */
        if (ds->offset[0] != 0 || ds->offset[ds->n_participants] != ds->n_windows) abort();
        for (size_t p = 0; p < ds->n_participants; p++)
            if (ds->offset[p] > ds->offset[p + 1]) abort();
    }
    pf_dataset_free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader itself is fuzzed: no parsed-data cache, which would also fill the user's
     * with an entry per input (test_cache.c damages entries on purpose instead). */
    setenv("PF_CACHE_DIR", "off", 1);
    char path[64];
    snprintf(path, sizeof path, "/tmp/pf_fuzz_%d.csv", (int)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp) return 0;
    fwrite(data, 1, size, fp);
    fclose(fp);
    load_as(path, PF_SOURCE_AGAIN, 0);
    for (int shape = 0; shape < 4; shape++) load_as(path, PF_SOURCE_CSV, shape);
    unlink(path);
    return 0;
}
