/* sweepfile.h: a sweep, as one INI file describes it: a study of studies (docs/sweeps.md).
 *
 *   [sweep]
 *   name = heist-width                ; names the sweep's folder: <output_dir>/<name>-<hash8>
 *   base = ../heist.ini               ; the study every point starts from
 *   model.hidden = 64,32 | 32,16 | 16,8
 *   label.model.hidden = wide | medium | narrow
 *   experiment.seed = 1 | 2 | 3
 *   data.path = a.csv | b.csv
 *   data.target_column = arousal | valence
 *   zip = data.path, data.target_column
 *
 * Every line SECTION.KEY = V1 | V2 | ... is an axis: the values a config key takes, separated
 * by '|' because a value may itself be a list ("64,32"). Axes form a grid, the first axis
 * varying slowest; `zip = KEY1, KEY2, ...` pairs axes of equal length instead (the i-th value
 * of each goes together), and the group takes the place of its first axis in the order.
 * `label.SECTION.KEY = A | B | C` names an axis's values in tables and figures (default: the
 * values as written); `set = SECTION.KEY=VALUE` sets a key for every point, as --set does (a
 * line each). A point is the base config with the point's values set, as --set would set
 * them, then the file's set lines, then the --set options the sweep is run with. base is taken
 * relative to the sweep file's folder when it exists there, else relative to the working folder.
 * Comments start with ';' or '#'; an indented line goes on with the value of the line above.
 * Everything the file says wrong (an unknown line, an axis with no value or an empty one, a value
 * listed twice, labels that do not match, a zip of unequal or unknown axes) is PF_EINPUT naming
 * file:line. */
#ifndef PF_SWEEPFILE_H
#define PF_SWEEPFILE_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"

#define PF_SWEEP_MAX_AXES   16
#define PF_SWEEP_MAX_VALUES 64
#define PF_SWEEP_MAX_POINTS 100000

typedef struct {
    char key[2 * PF_MAX_NAME]; /* "model.hidden" */
    size_t n;                  /* values */
    char **value;              /* as written, trimmed */
    char **label;              /* label.KEY's, or the value */
    size_t group;              /* axes zipped together share a group */
    int line;                  /* of the axis in the file */
    int numeric;               /* every value is one finite number (an axis for a line plot) */
} pf_sweep_axis;

typedef struct {
    char path[PF_MAX_STR];          /* the sweep file as given */
    char name[PF_MAX_NAME];         /* [sweep] name */
    char base[PF_MAX_STR];          /* the base config, as written */
    char base_path[2 * PF_MAX_STR]; /* ... and as found */
    size_t n_axes;
    pf_sweep_axis axis[PF_SWEEP_MAX_AXES];
    size_t n_groups;                       /* independent dimensions of the grid */
    size_t group_len[PF_SWEEP_MAX_AXES];   /* values along each group */
    size_t group_first[PF_SWEEP_MAX_AXES]; /* its first axis */
    size_t n_points;
    size_t n_sets;
    char **set; /* the file's set lines, "SECTION.KEY=VALUE" */
} pf_sweepfile;

/* Read and check path into sw (free with pf_sweepfile_free, also after a failure). */
int pf_sweepfile_load(pf_sweepfile *sw, const char *path, pf_error *err);
void pf_sweepfile_free(pf_sweepfile *sw);

/* The value index of every axis at point p (0 <= p < n_points) into idx[n_axes]. */
void pf_sweepfile_point(const pf_sweepfile *sw, size_t p, size_t *idx);

/* Point p's values as --set would take them, "SECTION.KEY=VALUE", into text (cap bytes per
 * entry, n_axes entries). */
void pf_sweepfile_overrides(const pf_sweepfile *sw, size_t p, char (*text)[PF_MAX_TEXT + 128]);

/* "model.hidden=wide, experiment.seed=2": the point's labels, for messages and tables. */
void pf_sweepfile_describe(const pf_sweepfile *sw, size_t p, char *out, size_t cap);

/* The sweep as canonical text: name, base, axes, labels and zips in the file's order, then
 * its set lines and the --set options given with it (set = SECTION.KEY=VALUE). It reads back
 * as the same sweep, and two sweeps with the same text run the same points. Caller frees. */
char *pf_sweepfile_canonical(const pf_sweepfile *sw, const char *const *sets, size_t n_sets);

#endif
