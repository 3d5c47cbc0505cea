/* criterion.h: what a pruning criterion is, and the list of all of them.
 *
 * A criterion turns a model into a ranking of its prunable parameters, most worth keeping
 * first (compress/prune.h); every sparsity of the grid is cut from a ranking. Each criterion
 * is one row: a pf_criterion defined in its own file under compress/criteria/, and one line of
 * the list in criterion.c. The row says everything the rest of the program needs to know of
 * it -- its name, what it scores with, when it scores, its options, its roles in tables and
 * statistics, its colour in figures, and its scorer -- so nothing outside that file and that
 * line spells a criterion's name or tests which criterion it has. The definitions of the
 * criteria themselves: docs/criteria.md; how to add one: docs/architecture.md.
 *
 * A study names criteria in prune.criteria. One option of a criterion may be a sweep: a
 * number list whose every value makes a criterion of its own, named name(option=value) --
 * prune.vr_lambda = 0.5, 1 gives "vr(lambda=0.5)" and "vr(lambda=1)". Such a named instance
 * is a pf_criterion_use. */
#ifndef PF_CRITERION_H
#define PF_CRITERION_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"

struct pf_prune_ctx; /* what a scorer sees: compress/prune.h */
struct pf_ranking;   /* what it fills: compress/prune.h */

/* What a criterion scores with, besides the model (bits of needs). */
enum {
    PF_CRITERION_ROWS = 1u << 0,  /* the training participants' rows (one batch at init) */
    PF_CRITERION_RANDOM = 1u << 1 /* a random generator, seeded per (fold, repeat) */
};

/* Its roles (bits of roles). */
enum {
    PF_CRITERION_DEFAULT = 1u << 0,  /* in prune.criteria's default list */
    PF_CRITERION_BASELINE = 1u << 1, /* the yardstick of collapse in the paper tables */
    PF_CRITERION_REFERENCE = 1u << 2 /* stats.reference's default (its first instance) */
};

/* When a criterion scores, and how often. */
typedef struct {
    int at_init; /* 1: it scores the freshly initialised network, and the pruned network is
                  * then trained from those initial weights; 0: it scores the trained dense
                  * model, and the pruned model is that model under the mask */
    int rounds;  /* 1: one ranking serves the whole grid; R > 1: for each sparsity s the kept
                  * fraction shrinks as (1 - s)^(k/R), k = 1..R, ranking the pruned model
                  * again each round (the last round cuts exactly s) */
} pf_criterion_stage;

typedef struct pf_criterion {
    const char *name;   /* as prune.criteria spells it */
    const char *title;  /* as prose names it: "random pruning", "SNIP" */
    const char *about;  /* one line for --help and the docs */
    unsigned needs;     /* PF_CRITERION_ROWS | PF_CRITERION_RANDOM */
    unsigned roles;     /* PF_CRITERION_DEFAULT | _BASELINE | _REFERENCE */
    const char *colour; /* its colour in every figure ("#0072B2"), so it looks the same in
                         * every run and every paper */
    int point;          /* its gnuplot point type */

    /* Its options: keys of [prune] (each named name_option) stored in an options struct of
     * options_size bytes (at most PF_CRITERION_OPTIONS), which pf_criterion_options returns.
     * They enter the config hash only when the criterion is in prune.criteria. */
    const pf_config_key *keys;
    size_t n_keys;
    size_t options_size;
    const char *sweep; /* NULL, or the number-list key whose values make one criterion each */

    /* NULL: after training, one round. */
    void (*stage)(const void *options, pf_criterion_stage *out);
    /* NULL, or the grouping of people it scores by, when not by participant: a group column
     * or a participant attribute (data/dataset.h resolves it once per run). */
    const char *(*grouping)(const void *options, const pf_config *cfg);
    /* NULL, or checks of its options against the rest of the config (PF_EINPUT with a
     * message naming the key). Run for the criteria of prune.criteria. */
    int (*check)(const void *options, const pf_config *cfg, pf_error *err);
    /* Fill out->score (one value per parameter, higher keeps; compress/prune.h sorts), or
     * out->order itself and set out->ordered (FairGRAPE's picks). sweep_value is the
     * instance's value of the sweep key (0 without one). */
    int (*score)(const struct pf_prune_ctx *ctx, const void *options, double sweep_value,
                 struct pf_ranking *out, pf_error *err);
} pf_criterion;

/* A criterion as a study uses it: its row, and the value of its sweep key. */
typedef struct {
    const pf_criterion *row;
    double sweep_value;     /* 0 without a sweep */
    char name[PF_MAX_NAME]; /* as reported: "magnitude", "vr(lambda=0.5)" */
} pf_criterion_use;

/* The list, in its fixed order; *n receives its length. */
const pf_criterion *const *pf_criterion_list(size_t *n);

/* The row called name ("vr"; also "vr(lambda=0.5)", whose row is vr), or NULL. */
const pf_criterion *pf_criterion_find(const char *name);

/* The options of row c in cfg: its options struct, as its keys set it. */
const void *pf_criterion_options(const pf_config *cfg, const pf_criterion *c);
void *pf_criterion_options_mut(pf_config *cfg, const pf_criterion *c);

/* The criteria of cfg in prune.criteria's order, a sweep expanded into one use per value.
 * Writes at most cap; returns how many there are (more than cap: out was too small). */
size_t pf_criterion_uses(const pf_config *cfg, pf_criterion_use *out, size_t cap);

/* Whether cfg's prune.criteria lists row c. */
int pf_criterion_in_run(const pf_config *cfg, const pf_criterion *c);

/* The stage of a use (pf_criterion_stage; after training, one round, without a stage
 * function). */
pf_criterion_stage pf_criterion_stage_of(const pf_config *cfg, const pf_criterion *c);

/* Whether the criterion called name has role (one PF_CRITERION_* role bit). */
int pf_criterion_has_role(const char *name, unsigned role);

#endif
