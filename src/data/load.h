/* load.h: the one place that picks where the windows come from.
 *
 * data.source = synthetic (synthetic.h), again (again.h) or csv (a plain table, table.h).
 * Every later stage sees only the pf_dataset, so the pipeline reads the same for any of
 * them; and since this dispatch sits above the loaders, none of them needs another.
 * Definitions and the exact rules: docs/data.md#sources. */
#ifndef PF_SOURCE_H
#define PF_SOURCE_H

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"

/* Load the dataset cfg describes. For a file, also record its SHA-256 in cfg->data_sha256
 * and recompute cfg->hash, so the run's name and provenance follow the data, not only its
 * path. NULL with err filled: PF_EINPUT for the data or the config, PF_ERUNTIME otherwise. */
pf_dataset *pf_load_dataset(pf_config *cfg, pf_error *err);

#endif
