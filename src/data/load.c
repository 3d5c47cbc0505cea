/* load.c: data.source dispatch and the data file's hash in the run's identity (see
 * load.h). */
#include "data/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/path.h"
#include "data/again.h"
#include "data/datacheck.h"
#include "data/synthetic.h"
#include "data/table.h"
#include "data/target.h"

/* A plain CSV: the table's rules alone. */
static pf_dataset *load_csv(const pf_config *cfg, pf_error *err)
{
    pf_table *t = pf_table_read(cfg, NULL, err);
    if (t == NULL) return NULL;
    char description[256];
    snprintf(description, sizeof description, "CSV: %.200s", pf_path_base(cfg->data_path));
    pf_dataset *ds = pf_table_to_dataset(t, description, err);
    pf_table_free(t);
    return ds;
}

/* prune.fairgrape_group naming a participant attribute: FairGRAPE's row groups are that
 * attribute's groups (pf_dataset_attribute_groups; rows of a participant without a value belong to
 * none), so pruning sees attribute groups exactly as it sees data.group_column's. */
static int groups_from_attribute(pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    size_t A = ds->n_attributes, a = 0;
    while (a < A && strcmp(ds->attribute_names[a], cfg->fairgrape_group) != 0) a++;
    if (a == A || strcmp(cfg->fairgrape_group, cfg->group_column) == 0) return PF_OK;
    char **names;
    size_t g;
    int *of = pf_alloc(ds->n_participants + 1, sizeof *of, err);
    int *group = pf_alloc(ds->n_windows + 1, sizeof *group, err);
    if (err->code != PF_OK ||
        pf_dataset_attribute_groups(ds->attribute_values, ds->n_participants, A, a, cfg, &names, &g,
                                    of, err) != PF_OK) {
        free(of), free(group);
        return err->code;
    }
    for (size_t r = 0; r < ds->n_windows; r++) group[r] = of[ds->participant[r]];
    free(of);
    for (size_t k = 0; k < ds->n_groups; k++) free(ds->group_names[k]);
    free(ds->group_names), free(ds->group);
    ds->group = group, ds->group_names = names, ds->n_groups = g;
    return PF_OK;
}

pf_dataset *pf_load_dataset(pf_config *cfg, pf_error *err)
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
    if (pf_target_finish(ds, cfg, err) != PF_OK || groups_from_attribute(ds, cfg, err) != PF_OK) {
        pf_dataset_free(ds);
        return NULL;
    }
    pf_datacheck_warn(ds);
    snprintf(cfg->data_sha256, sizeof cfg->data_sha256, "%s", ds->sha256);
    if (pf_config_hash(cfg, err) != PF_OK) {
        pf_dataset_free(ds);
        return NULL;
    }
    return ds;
}
