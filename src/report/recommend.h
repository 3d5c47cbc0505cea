/* recommend.h: the variant a researcher would deploy, chosen by the study's own numbers.
 *
 * A study ends with the question which compressed model to put on the device. The rule here is
 * the plain one a table answers: among the variants whose every model was evaluated (none
 * diverged) and, when report.size_budget_bytes is set (> 0), whose stored size
 * (pf_results_stored_bytes: the mean over tasks of cost.csv's stored_bytes) fits in it, the
 * best mean of the primary metric across participants (highest, or lowest for a metric where
 * lower is better); ties go to the smaller model, then to the earlier variant. The dense
 * float32 model competes too: without a budget it is often the answer, which is the honest one.
 * run_experiment --report prints the choice and the --final command that fits it on everyone
 * (docs/deploy.md).
 * Definitions and the exact rules: docs/deploy.md#choosing-the-variant. */
#ifndef PF_RECOMMEND_H
#define PF_RECOMMEND_H

#include "results/results.h"

/* The chosen variant of r (summarised), or -1 when no variant qualifies (every model of every
 * variant within the budget diverged, or none fits it). */
long pf_recommend_variant(const pf_results *r, double size_budget_bytes);

#endif
