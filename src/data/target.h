/* target.h: what a study predicts, made final once the data is loaded, whatever its source.
 *
 * Three task shapes share one dataset (docs/data.md#targets-and-task-shapes): regression with one
 * output, regression with several (arousal and valence), and classification. This module takes a
 * loaded dataset to its final shape and checks that the shape makes sense:
 *
 *   - data.target_transform = above_median | above_mean turns one continuous target into two
 *     classes per participant, the usual AGAIN high/low arousal protocol: with t the
 *     participant's own median (or mean) of the target and m = data.transform_margin, a window
 *     is class 1 ("high") if y - t > m, class 0 ("low") if t - y > m, and dropped (and counted
 *     in n_dropped_margin) otherwise: on the boundary y = t +- m, and with m = 0 at y = t. "More
 *     than m" means beyond a tolerance of 4 DBL_EPSILON times the larger of m and the
 *     participant's largest |y|, so values written at exactly t + m and t - m are both
 *     dropped whatever their binary rounding (docs/data.md#target_transform). It uses only the
 *     participant's own labels, never features and never anyone else, so it leaks nothing
 *     across folds.
 *   - a classification needs at least two classes in the data;
 *   - a regression target that holds only a few whole numbers (0/1, or a 1..5 code) is most
 *     likely a class label: the dataset carries a warning naming data.task. */
#ifndef PF_TARGET_H
#define PF_TARGET_H

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"

/* Apply the transform and the checks above to ds in place. PF_EINPUT when the task cannot be
 * learnt from this data (one class, every window within the margin). */
int pf_target_finish(pf_dataset *ds, const pf_config *cfg, pf_error *err);

#endif
