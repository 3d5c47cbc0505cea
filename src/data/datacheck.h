/* datacheck.h: what a loaded dataset should tell its user before a study runs on it.
 *
 * Nothing here changes the data or refuses it: these are facts that would make the numbers
 * look wrong later unless they are said now, as warnings in ds->warning (printed by
 * run_experiment, --dry-run included).
 *
 *   - A feature with one value in every window carries nothing to learn from: after scaling
 *     it is exactly 0 (split.h). Named, with data.drop_columns as the way to silence it.
 *   - A participant whose regression target never moves has a CCC and a Pearson r of 0 by
 *     definition, whatever the model predicts (the covariance in both numerators is 0), and
 *     still counts in every mean, gap and test.
 *     A participant with a single window is one of them. Named per target, so the
 *     researcher can decide to keep or drop them.
 * Definitions and the exact rules: docs/data.md#warnings. */
#ifndef PF_DATACHECK_H
#define PF_DATACHECK_H

#include "data/dataset.h"

/* Add the warnings above to ds->warning. */
void pf_datacheck_warn(pf_dataset *ds);

#endif
