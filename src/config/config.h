/* config.h: one experiment, described by one INI file, validated into one typed struct.
 *
 * Every key has a documented default (pf_config_help prints them all). Unknown sections or
 * keys, wrong types and out-of-range values are errors naming file:line and key: a typo must
 * never fall back silently to a default. The effective configuration is written back in
 * canonical form (sections and keys sorted, defaults filled in) and hashed with SHA-256; the
 * hash names the run and goes into the results file. Keys that cannot change a number
 * (parallel.*, output.*, experiment.output_dir) are left out of the hash, so the same
 * experiment run with another thread count or figure format is the same run. */
#ifndef PF_CONFIG_H
#define PF_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

#define PF_MAX_LIST          64  /* longest list value (hidden layers, sparsities, columns, ...) */
#define PF_MAX_STR           512 /* longest string value */
#define PF_MAX_NAME          64  /* longest name inside a list (criterion, format, column) */
#define PF_MAX_TEXT          (PF_MAX_LIST * PF_MAX_NAME) /* longest value text (a list, joined) */
#define PF_MAX_CRITERIA      16                          /* rows the criteria list may hold */
#define PF_CRITERION_OPTIONS 1024 /* bytes of one criterion's options (a number list fits) */

/* Every enumerated key's values, each list written once: X(ENUM_VALUE, name) in order. The C
 * enum and the "a|b|c" text the INI file accepts (PF_CHOICES) are both generated from it, so
 * they cannot disagree. */
#define PF_ENUM_VALUE(value, name)     value,
#define PF_ENUM_NAME(value, name)      "|" #name
#define PF_ENUM_NAME_ITEM(value, name) #name,
#define PF_CHOICES(list)               (list(PF_ENUM_NAME) + 1)

#define PF_SOURCES(X)                                                                              \
    X(PF_SOURCE_SYNTHETIC, synthetic) X(PF_SOURCE_AGAIN, again) X(PF_SOURCE_CSV, csv)
#define PF_LAYOUTS(X)                                                                              \
    X(PF_LAYOUT_AUTO, auto) X(PF_LAYOUT_TICKS, ticks) X(PF_LAYOUT_WINDOWS, windows)
#define PF_SCALINGS(X) X(PF_SCALE_ZSCORE, zscore) X(PF_SCALE_MINMAX, minmax) X(PF_SCALE_NONE, none)
#define PF_MISSINGS(X) X(PF_MISSING_ERROR, error) X(PF_MISSING_MEAN, mean) X(PF_MISSING_ZERO, zero)
#define PF_FOLD_SCHEMES(X)                                                                         \
    X(PF_FOLDS_LOPO, lopo) X(PF_FOLDS_GROUP_KFOLD, group_kfold) X(PF_FOLDS_FILE, file)
#define PF_TARGET_SCALINGS(X) X(PF_TARGET_ZSCORE, zscore) X(PF_TARGET_NONE, none)
#define PF_DELIMITERS(X)                                                                           \
    X(PF_DELIM_AUTO, auto)                                                                         \
    X(PF_DELIM_COMMA, comma)                                                                       \
    X(PF_DELIM_SEMICOLON, semicolon) X(PF_DELIM_TAB, tab) X(PF_DELIM_PIPE, pipe)
#define PF_ACTIVATIONS(X)                                                                          \
    X(PF_ACT_RELU, relu) X(PF_ACT_TANH, tanh) X(PF_ACT_SIGMOID, sigmoid) X(PF_ACT_ELU, elu)
/* pytorch: nn.Linear's default, weights and biases uniform in +-1/sqrt(fan_in). */
#define PF_INITS(X)                                                                                \
    X(PF_INIT_AUTO, auto) X(PF_INIT_HE, he) X(PF_INIT_XAVIER, xavier) X(PF_INIT_PYTORCH, pytorch)
#define PF_OPTIMIZERS(X) X(PF_OPT_ADAM, adam) X(PF_OPT_SGD, sgd)
/* auto: the task shape's default loss (pf_task_loss resolves it; config/task.h). */
#define PF_LOSSES(X)                                                                               \
    X(PF_LOSS_AUTO, auto) X(PF_LOSS_MSE, mse) X(PF_LOSS_CCC, ccc) X(PF_LOSS_XENT, xent)
/* How the losses of several regression outputs are combined (model/loss.h): equal = their mean;
 * uncertainty and restrained weigh each by a learned log-variance (docs/model.md). */
#define PF_OUTPUT_WEIGHTINGS(X)                                                                    \
    X(PF_WEIGHTING_EQUAL, equal)                                                                   \
    X(PF_WEIGHTING_UNCERTAINTY, uncertainty) X(PF_WEIGHTING_RESTRAINED, restrained)
#define PF_TASK_KINDS(X) X(PF_TASK_REGRESSION, regression) X(PF_TASK_CLASSIFICATION, classification)
#define PF_TARGET_TRANSFORMS(X)                                                                    \
    X(PF_TRANSFORM_NONE, none)                                                                     \
    X(PF_TRANSFORM_ABOVE_MEDIAN, above_median) X(PF_TRANSFORM_ABOVE_MEAN, above_mean)
#define PF_CLASS_WEIGHTINGS(X) X(PF_CLASS_WEIGHTS_NONE, none) X(PF_CLASS_WEIGHTS_BALANCED, balanced)
#define PF_SCOPES(X)           X(PF_SCOPE_GLOBAL, global) X(PF_SCOPE_LAYERWISE, layerwise)
#define PF_CORRECTIONS(X)      X(PF_CORRECT_HOLM, holm) X(PF_CORRECT_NONE, none)
/* Quantisation: one scale per output unit's row of weights, or per weight matrix. */
#define PF_GRANULARITIES(X) X(PF_GRAN_CHANNEL, channel) X(PF_GRAN_TENSOR, tensor)
/* Ties at .5: to even (C's nearbyint, PyTorch) or away from zero (C's round, TFLite). */
#define PF_ROUNDINGS(X) X(PF_ROUND_HALF_EVEN, half_even) X(PF_ROUND_HALF_AWAY, half_away)
/* Weight clustering's first centroids (compress/cluster.h): evenly spaced from the smallest to
 * the largest kept weight of a layer (TF-MOT's LINEAR), or k-means++ (Arthur and Vassilvitskii
 * 2007). */
#define PF_CLUSTER_INITS(X) X(PF_CLUSTER_LINEAR, linear) X(PF_CLUSTER_KMEANSPP, kmeans++)

typedef enum { PF_SOURCES(PF_ENUM_VALUE) } pf_source;
typedef enum { PF_LAYOUTS(PF_ENUM_VALUE) } pf_layout;
typedef enum { PF_SCALINGS(PF_ENUM_VALUE) } pf_scaling;
typedef enum { PF_MISSINGS(PF_ENUM_VALUE) } pf_missing;
typedef enum { PF_FOLD_SCHEMES(PF_ENUM_VALUE) } pf_fold_scheme;
typedef enum { PF_TARGET_SCALINGS(PF_ENUM_VALUE) } pf_target_scaling;
typedef enum { PF_DELIMITERS(PF_ENUM_VALUE) } pf_delimiter;
typedef enum { PF_ACTIVATIONS(PF_ENUM_VALUE) } pf_activation;
typedef enum { PF_INITS(PF_ENUM_VALUE) } pf_init;
typedef enum { PF_OPTIMIZERS(PF_ENUM_VALUE) } pf_optimizer;
typedef enum { PF_LOSSES(PF_ENUM_VALUE) } pf_loss;
typedef enum { PF_OUTPUT_WEIGHTINGS(PF_ENUM_VALUE) } pf_output_weighting;
typedef enum { PF_TASK_KINDS(PF_ENUM_VALUE) } pf_task_kind;
typedef enum { PF_TARGET_TRANSFORMS(PF_ENUM_VALUE) } pf_target_transform;
typedef enum { PF_CLASS_WEIGHTINGS(PF_ENUM_VALUE) } pf_class_weights;
typedef enum { PF_SCOPES(PF_ENUM_VALUE) } pf_scope;
typedef enum { PF_CORRECTIONS(PF_ENUM_VALUE) } pf_correction;
typedef enum { PF_GRANULARITIES(PF_ENUM_VALUE) } pf_granularity;
typedef enum { PF_ROUNDINGS(PF_ENUM_VALUE) } pf_rounding;
typedef enum { PF_CLUSTER_INITS(PF_ENUM_VALUE) } pf_cluster_init;

typedef struct {
    size_t n;
    char item[PF_MAX_LIST][PF_MAX_NAME];
} pf_strlist;

typedef struct {
    size_t n;
    double v[PF_MAX_LIST];
} pf_numlist;

typedef struct {
    /* [experiment] */
    char name[PF_MAX_NAME];      /* run name, first part of the results folder name */
    uint64_t seed;               /* master seed; every draw derives from it (see seed.h) */
    int repeats;                 /* independent seeds per fold */
    char output_dir[PF_MAX_STR]; /* parent folder of results/<name>-<hash8>/ */

    /* [data] */
    pf_source source;
    char data_path[PF_MAX_STR];
    char participant_column[PF_MAX_NAME];
    pf_task_kind task;                    /* regression (one output per target) or classification */
    pf_strlist target_columns;            /* regression: one or more targets; classification: one */
    pf_target_transform target_transform; /* classification: high/low per participant */
    double transform_margin;              /* target units; |y - t| <= margin is dropped */
    pf_strlist attribute_columns;         /* participant attributes (constant per participant) */
    char time_column[PF_MAX_NAME];        /* orders windows; never a feature ("" = none) */
    char session_column[PF_MAX_NAME];     /* ticks are windowed per participant and session */
    char group_column[PF_MAX_NAME];       /* optional group variable (AGAIN: Cluster) */
    pf_strlist drop_columns;              /* further columns that are not features */
    pf_strlist feature_columns;           /* the features by name, or the one item "auto" */
    pf_strlist na_values;                 /* cell texts that mean "missing", e.g. NA, -99 */
    pf_delimiter delimiter;               /* field separator; auto = detected from the header */
    pf_layout layout;                     /* AGAIN: 250 ms ticks or already-windowed rows */
    char game[PF_MAX_NAME];               /* tick layout: keep only this game ("" = any) */
    char genre[PF_MAX_NAME];              /* tick layout: keep only this genre ("" = any) */
    int window_ms;                        /* tick layout: window length */
    int tick_ms;                          /* tick layout: tick length */
    pf_scaling scaling;                   /* fitted on training participants only */
    pf_target_scaling target_scaling;     /* per fold, training participants only; mapped back */
    pf_missing missing;                   /* what an empty feature cell means */
    int min_windows;                      /* participants with fewer windows are dropped */

    /* [synthetic] */
    int syn_participants;
    int syn_windows;
    int syn_features;
    int syn_informative;  /* features the shared mapping uses */
    int syn_private;      /* features that matter for some participants only */
    double syn_gain_sd;   /* spread of participant gains on the shared signal */
    double syn_bias_sd;   /* spread of participant offsets */
    double syn_noise_min; /* participant noise sd drawn uniformly in [min, max] */
    double syn_noise_max;
    uint64_t syn_seed;
    int syn_outputs; /* regression targets (outputs 2.. are further affect dimensions) */

    /* [folds] */
    pf_fold_scheme scheme;
    int k;
    char folds_file[PF_MAX_STR]; /* scheme = file: CSV participant,fold */
    double validation;           /* share of training participants held out for early stopping */

    /* [model] */
    size_t n_hidden;
    int hidden[PF_MAX_LIST];
    pf_activation activation;
    pf_init init;

    /* [train] */
    pf_optimizer optimizer;
    double learning_rate;
    double momentum;
    int batch_size;
    int max_epochs;
    int patience; /* 0 = no early stopping */
    pf_loss loss;
    pf_class_weights class_weights; /* classification: balanced = n / (C n_c) from training */
    double weight_decay;
    pf_output_weighting output_weighting; /* several regression outputs: how their losses add */

    /* [prune] */
    pf_strlist criteria; /* names of the criteria list (config/criterion.h) */
    pf_numlist sparsities;
    pf_scope scope;
    int prune_biases;
    int finetune_epochs;
    /* Each criterion's own options (its keys in [prune]), in a block of its own at its
     * position in the criteria list; read them with pf_criterion_options. */
    union {
        long double align_;
        unsigned char bytes[PF_CRITERION_OPTIONS];
    } criterion_options[PF_MAX_CRITERIA];

    /* [compress] */
    size_t n_bits;
    int bits[PF_MAX_LIST]; /* weight widths: 32 = float32, 2..8 = symmetric integers */
    pf_granularity granularity;
    pf_rounding rounding;
    size_t n_clusters;
    int clusters[PF_MAX_LIST]; /* centroids per layer: 0 = not clustered, 2..256 */
    pf_cluster_init cluster_init;
    int cluster_max_iter;        /* Lloyd iterations at most */
    int cluster_finetune_epochs; /* fine-tuning of the centroids after clustering */

    /* [fairness] */
    pf_strlist fairness_attributes; /* participant attributes to compare groups of; "auto" */
    int min_group;                  /* smaller groups are listed but left out of gap and test */

    /* [report] */
    double size_budget_bytes; /* the recommended variant's stored size at most; 0: any */

    /* [stats] */
    double alpha;
    char reference[PF_MAX_NAME]; /* "" = the default reference (config/criterion.h) */
    char metric[PF_MAX_NAME];    /* primary metric; "auto" = ccc, mean_ccc or balanced_accuracy */
    int bootstrap;
    pf_correction correction;

    /* [output] */
    pf_strlist figures; /* empty = none; else png, pdf */
    pf_strlist tables;  /* empty = none; else md, tex */
    int save_models;
    int save_masks;
    int save_scores;
    int save_predictions;

    /* [parallel] */
    int threads; /* 0 = all cores */

    /* Provenance: the file the config came from, the SHA-256 of the data file (64 hex digits,
     * "" for synthetic data; set by whoever loaded the data) and the hash of both. */
    char source_file[PF_MAX_STR];
    char data_sha256[65];
    char hash[65];
} pf_config;

/* ---- keys ---------------------------------------------------------------------------------- */

/* One key of the INI file, a row of a key table: config.c's table of the study's keys, or a
 * criterion's own options (config/criterion.h). Parsing, --set, the canonical dump, the hash
 * and --help are loops over such rows, so a new key is one row. A row's value lives at byte
 * off of its struct (pf_config, or the criterion's options struct); an integer list also
 * keeps its count at off2. */
typedef enum {
    PF_KEY_STR,
    PF_KEY_INT,
    PF_KEY_U64,
    PF_KEY_DBL,
    PF_KEY_BOOL,
    PF_KEY_ENUM,
    PF_KEY_INTLIST,
    PF_KEY_NUMLIST,
    PF_KEY_STRLIST
} pf_key_type;

typedef struct {
    const char *section;
    const char *key;
    pf_key_type type;
    size_t off;          /* of the value in its struct */
    size_t off2;         /* PF_KEY_INTLIST: of the count */
    size_t size;         /* PF_KEY_STR: buffer size */
    const char *def;     /* default, as text (parsed by the same code as a file) */
    double min, max;     /* numeric range, inclusive; lists: per item */
    int max_open;        /* 1: max itself is excluded */
    const char *choices; /* PF_KEY_ENUM: "a|b|c" in enum order (PF_CHOICES); PF_KEY_STRLIST:
                          * the items allowed, or NULL for any */
    int hashed;          /* 1: it can change a number, so it enters the config hash;
                          * PF_KEY_LATE: so does it, but at its default it is left out of the
                          * canonical text (a key added after studies were run with its
                          * default behaviour: they keep their text, hash and folder) */
    const char *help;    /* one line for --help and docs/config.md */
} pf_config_key;

#define PF_KEY_LATE 2

/* Rows for a field f of struct type T (pf_config, or a criterion's options). */
#define PF_KEY_OFF(T, f) offsetof(T, f)
#define PF_KEY_STR_(T, sec, k, f, d, h, help)                                                      \
    {                                                                                              \
        sec, k, PF_KEY_STR, PF_KEY_OFF(T, f), 0, sizeof(((T *)0)->f), d, 0, 0, 0, NULL, h, help    \
    }
#define PF_KEY_INT_(T, sec, k, f, d, lo, hi, help)                                                 \
    {                                                                                              \
        sec, k, PF_KEY_INT, PF_KEY_OFF(T, f), 0, 0, d, lo, hi, 0, NULL, 1, help                    \
    }
#define PF_KEY_DBL_(T, sec, k, f, d, lo, hi, open, help)                                           \
    {                                                                                              \
        sec, k, PF_KEY_DBL, PF_KEY_OFF(T, f), 0, 0, d, lo, hi, open, NULL, 1, help                 \
    }
#define PF_KEY_ENUM_(T, sec, k, f, d, ch, help)                                                    \
    {                                                                                              \
        sec, k, PF_KEY_ENUM, PF_KEY_OFF(T, f), 0, 0, d, 0, 0, 0, ch, 1, help                       \
    }
#define PF_KEY_NUMLIST_(T, sec, k, f, d, lo, hi, open, help)                                       \
    {                                                                                              \
        sec, k, PF_KEY_NUMLIST, PF_KEY_OFF(T, f), 0, 0, d, lo, hi, open, NULL, 1, help             \
    }

/* ---- loading, dumping, hashing ------------------------------------------------------------- */

/* Fill cfg with every default. */
void pf_config_defaults(pf_config *cfg);

/* Parse path into cfg (defaults first), then apply the overrides "section.key=value" in
 * order, validate, and compute the hash. Returns PF_OK or PF_EINPUT with err filled. */
int pf_config_load(pf_config *cfg, const char *path, const char *const *overrides,
                   size_t n_overrides, pf_error *err);

/* The same from INI text in memory (e.g. the config_text of a results file); name labels
 * messages. No overrides. */
int pf_config_load_text(pf_config *cfg, const char *text, const char *name, pf_error *err);

/* Set one key from text, as the INI file would; where names the origin for messages
 * (e.g. "again.ini:12" or "--set"). */
/* Apply --set overrides ("section.key=value") to a loaded cfg, then validate it; with
 * unhashed_only, a key that enters the hash is refused (a finished study's --report may change
 * only what changes no number). The hash is not recomputed: callers that allow hashed keys
 * load with pf_config_load instead. */
int pf_config_override(pf_config *cfg, const char *const *overrides, size_t n, int unhashed_only,
                       pf_error *err);

int pf_config_set(pf_config *cfg, const char *section, const char *key, const char *value,
                  const char *where, pf_error *err);

/* Cross-key checks (e.g. data.path required for source=again). */
int pf_config_validate(const pf_config *cfg, pf_error *err);

/* Canonical dump: "[section]\nkey = value\n" in the key table's order (sections sorted, and
 * keys within a section), every key of the effective config: all of them but the options of
 * criteria prune.criteria does not list. Caller frees. With hashed_only, only the keys that
 * enter the hash (those that can change a number). */
char *pf_config_dump(const pf_config *cfg, int hashed_only);

/* SHA-256 of the hashed canonical dump, as 64 lowercase hex digits, into cfg->hash. When
 * cfg->data_sha256 is set, a last line "data_sha256 = <hex>" enters the hashed text, so an
 * edited data file is a different run with a different folder. */
int pf_config_hash(pf_config *cfg, pf_error *err);

/* Print every section and key with its default and accepted values (for --help). */
void pf_config_help(FILE *out);

/* The name an enumerated key's value is written with ("group_kfold" for folds.scheme = 1),
 * into out; "" for a key that is not enumerated. */
void pf_config_choice_name(const char *section, const char *key, int value, char *out, size_t cap);

/* The enum value of a choice word of section.key (as a file spells it, matched ignoring case),
 * or -1 when the key has no such choice: pf_config_choice_name's inverse, for files that store
 * a choice by name (deploy/final.h's model.h5). */
int pf_config_choice_value(const char *section, const char *key, const char *word);

/* Whether a data cell's text means "missing": empty, or one of data.na_values. The one rule
 * for features, targets and participant attributes alike. */
int pf_config_is_na(const pf_config *cfg, const char *text);

/* The worker threads a run uses: parallel.threads, or one per core when it is 0. */
int pf_config_threads(const pf_config *cfg);

#endif
