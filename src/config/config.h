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

#define PF_MAX_LIST 64  /* longest list value (hidden layers, sparsities, columns, ...) */
#define PF_MAX_STR  512 /* longest string value */
#define PF_MAX_NAME 64  /* longest name inside a list (criterion, format, column) */
#define PF_MAX_TEXT (PF_MAX_LIST * PF_MAX_NAME) /* longest value text (a list, joined) */

typedef enum { PF_SOURCE_SYNTHETIC, PF_SOURCE_AGAIN, PF_SOURCE_CSV } pf_source;
typedef enum { PF_LAYOUT_AUTO, PF_LAYOUT_TICKS, PF_LAYOUT_WINDOWS } pf_layout;
typedef enum { PF_SCALE_ZSCORE, PF_SCALE_MINMAX, PF_SCALE_NONE } pf_scaling;
typedef enum { PF_MISSING_ERROR, PF_MISSING_MEAN, PF_MISSING_ZERO } pf_missing;
typedef enum { PF_FOLDS_LOPO, PF_FOLDS_GROUP_KFOLD, PF_FOLDS_FILE } pf_fold_scheme;
typedef enum { PF_TARGET_ZSCORE, PF_TARGET_NONE } pf_target_scaling;
typedef enum {
    PF_DELIM_AUTO,
    PF_DELIM_COMMA,
    PF_DELIM_SEMICOLON,
    PF_DELIM_TAB,
    PF_DELIM_PIPE
} pf_delimiter;
typedef enum { PF_ACT_RELU, PF_ACT_TANH, PF_ACT_SIGMOID, PF_ACT_ELU } pf_activation;
/* pytorch: nn.Linear's default, weights and biases uniform in +-1/sqrt(fan_in). */
typedef enum { PF_INIT_AUTO, PF_INIT_HE, PF_INIT_XAVIER, PF_INIT_PYTORCH } pf_init;
typedef enum { PF_OPT_ADAM, PF_OPT_SGD } pf_optimizer;
/* auto: mse for regression, xent for classification (pf_config_loss resolves it). */
typedef enum { PF_LOSS_AUTO, PF_LOSS_MSE, PF_LOSS_CCC, PF_LOSS_XENT } pf_loss;
typedef enum { PF_TASK_REGRESSION, PF_TASK_CLASSIFICATION } pf_task_kind;
typedef enum {
    PF_TRANSFORM_NONE,
    PF_TRANSFORM_ABOVE_MEDIAN,
    PF_TRANSFORM_ABOVE_MEAN
} pf_target_transform;
typedef enum { PF_CLASS_WEIGHTS_NONE, PF_CLASS_WEIGHTS_BALANCED } pf_class_weights;
typedef enum { PF_SCOPE_GLOBAL, PF_SCOPE_LAYERWISE } pf_scope;
typedef enum { PF_SNIP_TRAINED, PF_SNIP_INIT } pf_snip_stage;
typedef enum { PF_VR_STATS, PF_VR_OBJECTIVE } pf_vr_form;
typedef enum { PF_FAIRGRAPE_ONESHOT, PF_FAIRGRAPE_ITERATIVE } pf_fairgrape_mode;
typedef enum { PF_CORRECT_HOLM, PF_CORRECT_NONE } pf_correction;
/* Quantisation: one scale per output unit's row of weights, or per weight matrix. */
typedef enum { PF_GRAN_CHANNEL, PF_GRAN_TENSOR } pf_granularity;
/* Ties at .5: to even (C's nearbyint, PyTorch) or away from zero (C's round, TFLite). */
typedef enum { PF_ROUND_HALF_EVEN, PF_ROUND_HALF_AWAY } pf_rounding;

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

    /* [prune] */
    pf_strlist criteria; /* random, magnitude, snip, fairgrape, vr */
    pf_numlist sparsities;
    pf_scope scope;
    int prune_biases;
    int finetune_epochs;
    pf_snip_stage snip_stage;
    pf_numlist vr_lambdas;
    pf_vr_form vr_form;
    char fairgrape_group[PF_MAX_NAME]; /* participant, data.group_column or an attribute */
    pf_fairgrape_mode fairgrape_mode;
    int fairgrape_rounds;

    /* [compress] */
    size_t n_bits;
    int bits[PF_MAX_LIST]; /* weight widths: 32 = float32, 2..8 = symmetric integers */
    pf_granularity granularity;
    pf_rounding rounding;

    /* [fairness] */
    pf_strlist fairness_attributes; /* participant attributes to compare groups of; "auto" */
    int min_group;                  /* smaller groups are listed but left out of gap and test */

    /* [stats] */
    double alpha;
    char reference[PF_MAX_NAME]; /* "" = the first vr criterion */
    char metric[PF_MAX_NAME];    /* primary metric; "auto" = ccc, mean_ccc or balanced_accuracy */
    int bootstrap;
    pf_correction correction;

    /* [output] */
    pf_strlist figures; /* empty = none; else png, pdf */
    pf_strlist tables;  /* empty = none; else md, tex */
    int save_models;
    int save_masks;
    int save_scores;

    /* [parallel] */
    int threads; /* 0 = all cores */

    /* Provenance: the file the config came from, the SHA-256 of the data file (64 hex digits,
     * "" for synthetic data; set by whoever loaded the data) and the hash of both. */
    char source_file[PF_MAX_STR];
    char data_sha256[65];
    char hash[65];
} pf_config;

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
int pf_config_set(pf_config *cfg, const char *section, const char *key, const char *value,
                  const char *where, pf_error *err);

/* Cross-key checks (e.g. data.path required for source=again). */
int pf_config_validate(const pf_config *cfg, pf_error *err);

/* Canonical dump: "[section]\nkey = value\n", sorted, all keys. Caller frees.
 * With hashed_only, only the keys that enter the hash. */
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

/* Whether a data cell's text means "missing": empty, or one of data.na_values. The one rule
 * for features, targets and participant attributes alike. */
int pf_config_is_na(const pf_config *cfg, const char *text);

/* The worker threads a run uses: parallel.threads, or one per core when it is 0. */
int pf_config_threads(const pf_config *cfg);

/* The training loss in effect: train.loss, with auto resolved by data.task. */
pf_loss pf_config_loss(const pf_config *cfg);

/* The criterion names of this run, in config order, with vr expanded into one name per
 * lambda: "vr(lambda=0.5)". Writes at most cap names; returns how many there are. */
size_t pf_config_criterion_names(const pf_config *cfg, char (*names)[PF_MAX_NAME], size_t cap);

#endif
