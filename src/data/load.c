/* load.c: data.source dispatch, the parsed-data cache in front of the file loaders, and the
 * data file's hash in the run's identity (see load.h). */
#include "data/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "data/again.h"
#include "data/cache.h"
#include "data/datacheck.h"
#include "data/synthetic.h"
#include "data/table.h"
#include "data/target.h"

/* A plain CSV: the table's rules alone. */
static pf_dataset *load_csv(const pf_config *cfg, pf_error *err)
{
    pf_table *t = pf_table_read(cfg, NULL, err);
    if (t == NULL) return NULL;
    pf_dataset *ds = pf_table_to_dataset(t, "CSV: ", 200, err);
    pf_table_free(t);
    return ds;
}

/* The dataset made from the source itself: loaded, its target finished, its warnings given. */
static pf_dataset *load_source(const pf_config *cfg, pf_error *err)
{
    pf_dataset *ds = NULL;
    switch (cfg->source) {
    case PF_SOURCE_SYNTHETIC:
        ds = pf_synthetic_generate(cfg, err);
        break;
    case PF_SOURCE_AGAIN:
        ds = pf_again_load(cfg, err);
        break;
    case PF_SOURCE_CSV:
        ds = load_csv(cfg, err);
        break;
    }
    if (ds == NULL) return NULL;
    if (pf_target_finish(ds, cfg, err) != PF_OK) {
        pf_dataset_free(ds);
        return NULL;
    }
    pf_datacheck_warn(ds);
    return ds;
}

pf_dataset *pf_load_dataset(pf_config *cfg, pf_error *err)
{
    /* A data file parsed before with the same settings is read back from the cache whole;
     * otherwise it is loaded, and kept for next time. Synthetic data is never cached. */
    pf_dataset *ds = pf_cache_load(cfg);
    if (ds == NULL && (ds = load_source(cfg, err)) != NULL) pf_cache_store(cfg, ds);
    if (ds == NULL) return NULL;
    snprintf(cfg->data_sha256, sizeof cfg->data_sha256, "%s", ds->sha256);
    if (pf_config_hash(cfg, err) != PF_OK) {
        pf_dataset_free(ds);
        return NULL;
    }
    return ds;
}
