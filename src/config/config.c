/* config.c: INI file -> validated pf_config, canonical dump and SHA-256 hash.
 *
 * Every key is one row of the table below: section, name, type, where it lives in the struct,
 * its default (as text, parsed by the same code as the file, so defaults obey the same rules),
 * its accepted range or choices, whether it enters the hash, and a line of help. Parsing,
 * --set overrides, the canonical dump and --help are all loops over that table, so a new key
 * is one new row. inih does the tokenising; a wrapping reader counts lines so every message
 * can say file:line. */
#include "config/config.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/numtext.h"
#include "config/criterion.h"
#include "config/task.h"
#include "base/sha256.h"

#define STR(sec, k, f, d, h, help)      PF_KEY_STR_(pf_config, sec, k, f, d, h, help)
#define INT(sec, k, f, d, lo, hi, help) PF_KEY_INT_(pf_config, sec, k, f, d, lo, hi, help)
#define DBL(sec, k, f, d, lo, hi, open, help)                                                      \
    PF_KEY_DBL_(pf_config, sec, k, f, d, lo, hi, open, help)
#define ENUM(sec, k, f, d, list, help) PF_KEY_ENUM_(pf_config, sec, k, f, d, PF_CHOICES(list), help)
#define STRL(sec, k, f, d, nmin, ch, h, help)                                                      \
    {                                                                                              \
        sec, k, PF_KEY_STRLIST, offsetof(pf_config, f), 0, 0, d, nmin, PF_MAX_LIST, 0, ch, h, help \
    }
#define BOOL(sec, k, f, d, h, help)                                                                \
    {                                                                                              \
        sec, k, PF_KEY_BOOL, offsetof(pf_config, f), 0, 0, d, 0, 1, 0, NULL, h, help               \
    }
#define INTLIST(sec, k, f, n, d, lo, hi, help)                                                     \
    {                                                                                              \
        sec, k, PF_KEY_INTLIST, offsetof(pf_config, f), offsetof(pf_config, n), 0, d, lo, hi, 0,   \
            NULL, 1, help                                                                          \
    }
/* A key added after studies were run with its default behaviour (PF_KEY_LATE, config.h). */
#define LATE_INT(sec, k, f, d, lo, hi, help)                                                       \
    {                                                                                              \
        sec, k, PF_KEY_INT, offsetof(pf_config, f), 0, 0, d, lo, hi, 0, NULL, PF_KEY_LATE, help    \
    }
#define LATE_ENUM(sec, k, f, d, list, help)                                                        \
    {                                                                                              \
        sec, k, PF_KEY_ENUM, offsetof(pf_config, f), 0, 0, d, 0, 0, 0, PF_CHOICES(list),           \
            PF_KEY_LATE, help                                                                      \
    }
#define LATE_INTLIST(sec, k, f, n, d, lo, hi, help)                                                \
    {                                                                                              \
        sec, k, PF_KEY_INTLIST, offsetof(pf_config, f), offsetof(pf_config, n), 0, d, lo, hi, 0,   \
            NULL, PF_KEY_LATE, help                                                                \
    }
#define U64(sec, k, f, d, help)                                                                    \
    {                                                                                              \
        sec, k, PF_KEY_U64, offsetof(pf_config, f), 0, 0, d, 0, 0, 0, NULL, 1, help                \
    }

/* Sorted by section, then key: the canonical dump is this order. */
static const pf_config_key KEYS[] = {
    ENUM("data", "delimiter", delimiter, "auto", PF_DELIMITERS,
         "field separator (auto: the most frequent of these in the header line)"),
    STRL("data", "attribute_columns", attribute_columns, "", 0, NULL, 1,
         "participant attributes, e.g. sex, age (list; constant per participant, never features)"),
    STRL("data", "drop_columns", drop_columns, "", 0, NULL, 1,
         "further columns that are not features (list)"),
    STRL("data", "feature_columns", feature_columns, "auto", 1, NULL, 1,
         "the feature columns (list), or auto: every numeric column without a role"),
    STR("data", "game", game, "", 1, "tick layout: keep only this game, e.g. Heist (empty = all)"),
    STR("data", "genre", genre, "", 1,
        "tick layout: keep only this genre, e.g. Shooter (empty = all)"),
    STR("data", "group_column", group_column, "", 1,
        "group variable column, e.g. Cluster (empty = none)"),
    ENUM("data", "layout", layout, "auto", PF_LAYOUTS,
         "AGAIN file layout (auto: ticks if a [control]game column exists)"),
    ENUM("data", "missing", missing, "error", PF_MISSINGS, "what an empty feature cell means"),
    INT("data", "min_windows", min_windows, "5", 1, 1e6,
        "participants with fewer windows are dropped"),
    STRL("data", "na_values", na_values, "", 0, NULL, 1,
         "cell texts that mean missing, e.g. NA, -99 (list; an empty cell always is)"),
    STR("data", "participant_column", participant_column, "[control]player_id", 1,
        "participant id column"),
    STR("data", "path", data_path, "", 1, "data file (source again or csv)"),
    ENUM("data", "scaling", scaling, "zscore", PF_SCALINGS,
         "feature scaling, fitted on training participants only"),
    STR("data", "session_column", session_column, "", 1,
        "session column (tick layout default: [control]session_id)"),
    ENUM("data", "source", source, "synthetic", PF_SOURCES, "where the windows come from"),
    STRL("data", "target_column", target_columns, "[output]arousal", 1, NULL, 1,
         "target column; regression: a list is several outputs; classification: the label"),
    ENUM("data", "target_scaling", target_scaling, "zscore", PF_TARGET_SCALINGS,
         "target z-scored per fold on training participants; predictions mapped back"),
    ENUM("data", "target_transform", target_transform, "none", PF_TARGET_TRANSFORMS,
         "classification: class 1 above the participant's own median or mean"),
    ENUM("data", "task", task, "regression", PF_TASK_KINDS, "what is predicted"),
    INT("data", "tick_ms", tick_ms, "250", 1, 1e7, "tick layout: length of one tick"),
    DBL("data", "transform_margin", transform_margin, "0", 0, 1e300, 0,
        "target_transform: windows at most this far from the threshold are dropped (0: those at "
        "it)"),
    STR("data", "time_column", time_column, "", 1,
        "orders windows in time; never a feature (empty: file order; AGAIN: Time_Index)"),
    INT("data", "window_ms", window_ms, "3000", 1, 1e7,
        "tick layout: window length (a multiple of tick_ms)"),
    INTLIST("compress", "bits", bits, n_bits, "32", 2, 32,
            "weight widths (list): 32 = float32, 2..8 = symmetric integers, e.g. 32,8,4"),
    LATE_INT("compress", "cluster_finetune_epochs", cluster_finetune_epochs, "0", 0, 1e6,
             "epochs of fine-tuning the centroids after clustering (0: none)"),
    LATE_ENUM("compress", "cluster_init", cluster_init, "linear", PF_CLUSTER_INITS,
              "first centroids: evenly spaced (linear, TF-MOT's) or kmeans++"),
    LATE_INT("compress", "cluster_max_iter", cluster_max_iter, "300", 1, 1e6,
             "Lloyd iterations at most (scikit-learn's KMeans default; reaching it is reported)"),
    LATE_INTLIST("compress", "clusters", clusters, n_clusters, "0", 0, 256,
                 "centroids per layer (list): 0 = not clustered, 2..256, e.g. 0,16"),
    ENUM("compress", "granularity", granularity, "channel", PF_GRANULARITIES,
         "one quantisation scale per output unit (channel) or per weight matrix (tensor)"),
    ENUM("compress", "rounding", rounding, "half_even", PF_ROUNDINGS,
         "ties at .5 to even (PyTorch) or away from zero (TFLite)"),
    STR("experiment", "name", name, "experiment", 1, "run name: results/<name>-<hash8>/"),
    STR("experiment", "output_dir", output_dir, "results", 0, "parent folder of the run folder"),
    INT("experiment", "repeats", repeats, "1", 1, 1000, "independent seeds per fold"),
    U64("experiment", "seed", seed, "42", "master seed of every random draw"),
    STR("folds", "file", folds_file, "", 1,
        "scheme = file: CSV with columns participant,fold (folds numbered from 0)"),
    INT("folds", "k", k, "5", 2, 1e6, "folds for group_kfold"),
    ENUM("folds", "scheme", scheme, "lopo", PF_FOLD_SCHEMES,
         "leave-one-participant-out, grouped k-fold, or the split in folds.file"),
    DBL("folds", "validation", validation, "0.1", 0, 0.5, 0,
        "share of training participants held out for early stopping"),
    ENUM("model", "activation", activation, "relu", PF_ACTIVATIONS, "hidden-layer activation"),
    INTLIST("model", "hidden", hidden, n_hidden, "64,32", 1, 65536, "hidden layer widths (list)"),
    ENUM("model", "init", init, "pytorch", PF_INITS,
         "weight initialisation (auto: he for relu/elu, xavier otherwise; pytorch: "
         "U(+-1/sqrt(fan_in)) for weights and biases)"),
    STRL("fairness", "attributes", fairness_attributes, "auto", 1, NULL, 1,
         "attributes whose groups are compared (list; auto = data.attribute_columns; none)"),
    INT("fairness", "min_group", min_group, "3", 1, 1e6,
        "groups with fewer participants are listed but left out of the gap and the test"),
    STRL("output", "figures", figures, "png,pdf", 0, "png|pdf", 0,
         "figure formats: none, or a list of png, pdf"),
    BOOL("output", "save_masks", save_masks, "false", 0, "store masks in results.h5"),
    BOOL("output", "save_models", save_models, "false", 0,
         "store the models (dense, retrained, quantised) in results.h5"),
    BOOL("output", "save_predictions", save_predictions, "false", 0,
         "store every held-out window's prediction: results.h5 and predictions.csv"),
    BOOL("output", "save_scores", save_scores, "false", 0, "store criterion scores in results.h5"),
    STRL("output", "tables", tables, "md,tex", 0, "md|tex", 0,
         "table formats: none, or a list of md, tex"),
    {"parallel", "threads", PF_KEY_INT, offsetof(pf_config, threads), 0, 0, "0", 0, 4096, 0, NULL,
     0, "worker threads (0 = all cores)"},
    /* Default and choices from the criteria list (config/criterion.h): key_default and
     * key_choices fill them in. */
    STRL("prune", "criteria", criteria, NULL, 1, NULL, 1, "pruning criteria (list)"),
    INT("prune", "finetune_epochs", finetune_epochs, "0", 0, 100000,
        "fine-tuning epochs after pruning"),
    BOOL("prune", "prune_biases", prune_biases, "false", 1, "biases are prunable too"),
    ENUM("prune", "scope", scope, "global", PF_SCOPES,
         "rank weights over all layers or within each"),
    PF_KEY_NUMLIST_(pf_config, "prune", "sparsities", sparsities, "0,0.2,0.4,0.6,0.8,0.9", 0, 1, 1,
                    "sparsity grid, each in [0, 1) (list)"),
    {"report", "size_budget_bytes", PF_KEY_DBL, offsetof(pf_config, size_budget_bytes), 0, 0, "0",
     0, 1e15, 0, NULL, 0,
     "--report names the best variant stored in at most this many bytes (0: any size)"},
    DBL("stats", "alpha", alpha, "0.05", 1e-12, 0.5, 0, "significance level"),
    INT("stats", "bootstrap", bootstrap, "2000", 0, 1e7, "bootstrap resamples for CIs (0 = none)"),
    STR("stats", "metric", metric, "auto", 1,
        "primary metric (auto: ccc, mean_ccc or balanced_accuracy; or any the task reports)"),
    ENUM("stats", "correction", correction, "holm", PF_CORRECTIONS,
         "multiple-comparison correction per family"),
    STR("stats", "reference", reference, "", 1,
        "reference criterion (empty = the first vr criterion)"),
    DBL("synthetic", "bias_sd", syn_bias_sd, "0.1", 0, 100, 0, "spread of participant offsets"),
    INT("synthetic", "features", syn_features, "30", 1, 10000, "features"),
    DBL("synthetic", "gain_sd", syn_gain_sd, "0.5", 0, 100, 0, "spread of participant gains"),
    INT("synthetic", "informative", syn_informative, "8", 1, 10000,
        "features the shared mapping uses"),
    DBL("synthetic", "noise_max", syn_noise_max, "0.4", 0, 100, 0, "largest participant noise sd"),
    DBL("synthetic", "noise_min", syn_noise_min, "0.05", 0, 100, 0,
        "smallest participant noise sd"),
    INT("synthetic", "outputs", syn_outputs, "1", 1, 16,
        "targets: 1, or more for a multi-output study (arousal, valence, ...)"),
    INT("synthetic", "participants", syn_participants, "40", 1, 1e6, "participants"),
    INT("synthetic", "private", syn_private, "4", 0, 10000,
        "features that matter for some participants only"),
    U64("synthetic", "seed", syn_seed, "1", "seed of the synthetic data"),
    INT("synthetic", "windows", syn_windows, "40", 2, 1e6, "windows per participant"),
    INT("train", "batch_size", batch_size, "64", 1, 1048576, "mini-batch size"),
    ENUM("train", "class_weights", class_weights, "none", PF_CLASS_WEIGHTINGS,
         "classification: balanced weighs class c by n / (C n_c) of the training split"),
    DBL("train", "learning_rate", learning_rate, "0.001", 1e-12, 10, 0, "step size"),
    ENUM("train", "loss", loss, "auto", PF_LOSSES,
         "training loss (auto: mse for regression, xent for classification; ccc = 1 - mean CCC)"),
    INT("train", "max_epochs", max_epochs, "30", 1, 1e6, "epochs at most"),
    DBL("train", "momentum", momentum, "0.9", 0, 1, 1, "SGD momentum, in [0, 1)"),
    ENUM("train", "optimizer", optimizer, "adam", PF_OPTIMIZERS, "optimiser"),
    LATE_ENUM("train", "output_weighting", output_weighting, "equal", PF_OUTPUT_WEIGHTINGS,
              "several regression outputs: their losses' mean (equal), or each weighed by a "
              "learned log-variance (uncertainty: Kendall et al. 2018; restrained: Song et al. "
              "2022)"),
    INT("train", "patience", patience, "5", 0, 1e6, "early-stopping patience in epochs (0 = none)"),
    DBL("train", "weight_decay", weight_decay, "0", 0, 10, 0, "L2 weight decay"),
};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

static const char *SECTIONS[] = {"compress", "data",      "experiment", "fairness", "folds",
                                 "model",    "output",    "parallel",   "prune",    "report",
                                 "stats",    "synthetic", "train"};
#define N_SECTIONS (sizeof SECTIONS / sizeof SECTIONS[0])

/* ---- small text helpers ------------------------------------------------------------------ */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

/* "; did you mean 'x'?" when some candidate is close (pf_error_closest), else "". */
static void suggest(char *out, size_t cap, const char *word, const char *const *cands, size_t n)
{
    const char *best = pf_error_closest(word, cands, n);
    if (best)
        snprintf(out, cap, "; did you mean '%s'?", best);
    else
        out[0] = '\0';
}

/* ---- every key: the study's, then each criterion's own --------------------------------------- */

/* A key and whose struct holds its value: the config's (owner NULL) or a criterion's options. */
typedef struct {
    const pf_config_key *k;
    const pf_criterion *owner;
    size_t index; /* among all keys, for "set twice" */
} keyref;

static size_t n_all_keys(void)
{
    size_t n_crit, n = N_KEYS;
    const pf_criterion *const *list = pf_criterion_list(&n_crit);
    for (size_t c = 0; c < n_crit; c++) n += list[c]->n_keys;
    return n;
}

/* Key i of KEYS followed by the criteria's keys, in list order. */
static keyref key_at(size_t i)
{
    keyref r = {NULL, NULL, i};
    if (i < N_KEYS) return r.k = &KEYS[i], r;
    size_t n_crit, j = i - N_KEYS;
    const pf_criterion *const *list = pf_criterion_list(&n_crit);
    for (size_t c = 0; c < n_crit; j -= list[c]->n_keys, c++)
        if (j < list[c]->n_keys) return r.k = &list[c]->keys[j], r.owner = list[c], r;
    return r;
}

static keyref find_key(const char *section, const char *key)
{
    for (size_t i = 0, n = n_all_keys(); i < n; i++) {
        keyref r = key_at(i);
        if (strcmp(r.k->section, section) == 0 && strcmp(r.k->key, key) == 0) return r;
    }
    return (keyref){NULL, NULL, 0};
}

/* Where the value of r lives in cfg. */
static void *key_base(pf_config *cfg, keyref r)
{
    return r.owner ? pf_criterion_options_mut(cfg, r.owner) : (void *)cfg;
}

static const void *key_base_const(const pf_config *cfg, keyref r)
{
    return r.owner ? pf_criterion_options(cfg, r.owner) : (const void *)cfg;
}

/* prune.criteria takes its choices and its default from the criteria list. */
static const char *criteria_text(int defaults_only)
{
    static char choices[PF_MAX_TEXT], defaults[PF_MAX_TEXT];
    char *out = defaults_only ? defaults : choices;
    if (out[0]) return out;
    size_t n_crit, len = 0;
    const pf_criterion *const *list = pf_criterion_list(&n_crit);
    for (size_t c = 0; c < n_crit; c++)
        if (!defaults_only || (list[c]->roles & PF_CRITERION_DEFAULT))
            len += (size_t)snprintf(out + len, sizeof choices - len, "%s%s",
                                    len ? (defaults_only ? "," : "|") : "", list[c]->name);
    return out;
}

static int is_criteria_key(const pf_config_key *k)
{
    return k->type == PF_KEY_STRLIST && strcmp(k->section, "prune") == 0 &&
           strcmp(k->key, "criteria") == 0;
}

static const char *key_default(const pf_config_key *k)
{
    return is_criteria_key(k) ? criteria_text(1) : k->def;
}

static const char *key_choices(const pf_config_key *k)
{
    return is_criteria_key(k) ? criteria_text(0) : k->choices;
}

static int section_known(const char *section)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(SECTIONS[i], section) == 0) return 1;
    return 0;
}

/* Index of word in "a|b|c", or -1. */
static int choice_index(const char *choices, const char *word)
{
    int idx = 0;
    size_t wl = strlen(word);
    for (const char *p = choices;; idx++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == wl && strncasecmp(p, word, len) == 0) return idx;
        if (!bar) return -1;
        p = bar + 1;
    }
}

static void choice_name(const char *choices, int idx, char *out, size_t cap)
{
    const char *p = choices;
    for (int i = 0; i < idx && p; i++) {
        p = strchr(p, '|');
        if (p) p++;
    }
    size_t len = p ? strcspn(p, "|") : 0;
    if (len >= cap) len = cap - 1;
    memcpy(out, p ? p : "", len);
    out[len] = '\0';
}

/* ---- value parsers: text -> field, with messages naming where and what is accepted -------- */

typedef struct {
    const char *where; /* "file.ini:12" or "--set" */
    const pf_config_key *k;
    pf_error *err;
} setctx;

static int bad(const setctx *c, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(const setctx *c, const char *value, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return pf_error_set(c->err, PF_EINPUT, "%s: %s.%s = '%s': %s", c->where, c->k->section,
                        c->k->key, value, why);
}

static void range_text(const pf_config_key *k, char *out, size_t cap)
{
    snprintf(out, cap, "accepted: %.10g to %.10g%s", k->min, k->max,
             k->max_open ? " (exclusive)" : "");
}

static int parse_double(const setctx *c, const char *text, const char *whole, double *out)
{
    char *end, range[96];
    errno = 0;
    double v = strtod(text, &end);
    range_text(c->k, range, sizeof range);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return bad(c, whole, "'%s' is not a number (%s)", text, range);
    if (v < c->k->min || v > c->k->max || (c->k->max_open && v >= c->k->max))
        return bad(c, whole, "%g is out of range (%s)", v, range);
    *out = v;
    return PF_OK;
}

static int parse_int(const setctx *c, const char *text, const char *whole, int *out)
{
    char *end, range[96];
    errno = 0;
    long long v = strtoll(text, &end, 10);
    range_text(c->k, range, sizeof range);
    if (end == text || *end != '\0' || errno == ERANGE)
        return bad(c, whole, "'%s' is not a whole number (%s)", text, range);
    if ((double)v < c->k->min || (double)v > c->k->max)
        return bad(c, whole, "%lld is out of range (%s)", v, range);
    *out = (int)v;
    return PF_OK;
}

/* Split a comma list into trimmed items; an empty item is an error, not skipped. */
static int split_list(const setctx *c, const char *value, char items[][PF_MAX_NAME], size_t *n)
{
    char buf[PF_MAX_TEXT];
    *n = 0;
    if (strlen(value) >= sizeof buf) return bad(c, value, "the list is too long");
    strcpy(buf, value);
    if (*trim(buf) == '\0') return PF_OK;
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        char *item = trim(p);
        if (*item == '\0')
            return bad(c, value, "item %zu of the list is empty (remove the extra comma)", *n + 1);
        if (*n == PF_MAX_LIST) return bad(c, value, "more than %d items", PF_MAX_LIST);
        if (strlen(item) >= PF_MAX_NAME)
            return bad(c, value, "item '%s' is longer than %d characters", item, PF_MAX_NAME - 1);
        /* A long list goes on over indented lines, where '=' means a mistaken key and a leading
         * '#' a comment (both found by fuzzing: the canonical dump of such a list could not be
         * read back). */
        if (strchr(item, '='))
            return bad(c, value, "item '%s' contains '=', which a list item cannot hold", item);
        if (item[0] == '#')
            return bad(c, value,
                       "item '%s' starts with '#', which starts a comment where a list goes "
                       "on over lines",
                       item);
        strcpy(items[(*n)++], item);
        if (!comma) return PF_OK;
        p = comma + 1;
    }
}

static int set_strlist(const setctx *c, void *field, const char *value)
{
    pf_strlist *l = field, tmp;
    if (split_list(c, value, tmp.item, &tmp.n) != PF_OK) return c->err->code;
    if (c->k->min == 0 && tmp.n == 1 && strcasecmp(tmp.item[0], "none") == 0) tmp.n = 0;
    if (tmp.n == 1 && strcasecmp(tmp.item[0], "auto") == 0) strcpy(tmp.item[0], "auto");
    if ((double)tmp.n < c->k->min) return bad(c, value, "the list needs at least one item");
    for (size_t i = 0; i < tmp.n; i++) {
        const char *choices = key_choices(c->k);
        if (choices) {
            /* Choices are matched ignoring case and stored as spelled in the table, so
             * "Magnitude" is the same run, the same hash and the same name as "magnitude". */
            int idx = choice_index(choices, tmp.item[i]);
            if (idx < 0) return bad(c, value, "'%s' is not one of %s", tmp.item[i], choices);
            choice_name(choices, idx, tmp.item[i], PF_MAX_NAME);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(tmp.item[i], tmp.item[j]) == 0)
                return bad(c, value, "'%s' is listed twice", tmp.item[i]);
    }
    *l = tmp;
    return PF_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int set_numlist(const setctx *c, void *field, const char *value)
{
    char items[PF_MAX_LIST][PF_MAX_NAME];
    pf_numlist tmp = {0};
    if (split_list(c, value, items, &tmp.n) != PF_OK) return c->err->code;
    if (tmp.n == 0) return bad(c, value, "the list needs at least one number");
    for (size_t i = 0; i < tmp.n; i++)
        if (parse_double(c, items[i], value, &tmp.v[i]) != PF_OK) return c->err->code;
    /* Sorted so the canonical form (and the hash) does not depend on the order written. */
    qsort(tmp.v, tmp.n, sizeof tmp.v[0], cmp_double);
    for (size_t i = 1; i < tmp.n; i++)
        if (tmp.v[i] == tmp.v[i - 1]) return bad(c, value, "%g is listed twice", tmp.v[i]);
    *(pf_numlist *)field = tmp;
    return PF_OK;
}

static int set_intlist(const setctx *c, void *base, const char *value)
{
    char items[PF_MAX_LIST][PF_MAX_NAME];
    size_t n;
    int v[PF_MAX_LIST];
    if (split_list(c, value, items, &n) != PF_OK) return c->err->code;
    if (n == 0) return bad(c, value, "the list needs at least one width");
    for (size_t i = 0; i < n; i++)
        if (parse_int(c, items[i], value, &v[i]) != PF_OK) return c->err->code;
    memcpy((char *)base + c->k->off, v, n * sizeof v[0]);
    *(size_t *)((char *)base + c->k->off2) = n;
    return PF_OK;
}

static int set_bool(const setctx *c, int *field, const char *value)
{
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(value, yes[i]) == 0) return *field = 1, PF_OK;
        if (strcasecmp(value, no[i]) == 0) return *field = 0, PF_OK;
    }
    return bad(c, value, "not a boolean (accepted: true, false, yes, no, on, off, 1, 0)");
}

static int set_u64(const setctx *c, uint64_t *field, const char *value)
{
    char *end;
    errno = 0;
    if (value[0] == '-') return bad(c, value, "not a non-negative whole number");
    unsigned long long v = strtoull(value, &end, 10);
    if (end == value || *end != '\0' || errno == ERANGE)
        return bad(c, value, "not a whole number from 0 to 18446744073709551615");
    *field = (uint64_t)v;
    return PF_OK;
}

/* Set key k, whose struct is at base, from its text. */
static int set_value(void *base, const pf_config_key *k, const char *raw, const char *where,
                     pf_error *err)
{
    char buf[PF_MAX_TEXT];
    setctx c = {where, k, err};
    if (strlen(raw) >= sizeof buf)
        return bad(&c, raw, "value longer than %d characters", PF_MAX_TEXT - 1);
    strcpy(buf, raw);
    char *v = trim(buf);
    void *field = (char *)base + k->off;
    /* The canonical dump must load back to the same config: ';' would start a comment there,
     * and control characters have no business in a key's value. */
    for (const char *q = v; *q; q++)
        if (*q == ';' || (unsigned char)*q < 0x20 || *q == 0x7f)
            return bad(&c, v,
                       *q == ';' ? "contains ';', which starts a comment in INI files"
                                 : "contains a control character");
    switch (k->type) {
    case PF_KEY_STR:
        if (strlen(v) >= k->size) return bad(&c, v, "longer than %zu characters", k->size - 1);
        strcpy(field, v);
        return PF_OK;
    case PF_KEY_INT:
        return parse_int(&c, v, v, field);
    case PF_KEY_U64:
        return set_u64(&c, field, v);
    case PF_KEY_DBL:
        return parse_double(&c, v, v, field);
    case PF_KEY_BOOL:
        return set_bool(&c, field, v);
    case PF_KEY_ENUM: {
        int idx = choice_index(k->choices, v);
        if (idx < 0) return bad(&c, v, "not one of %s", k->choices);
        *(int *)field = idx;
        return PF_OK;
    }
    case PF_KEY_INTLIST:
        return set_intlist(&c, base, v);
    case PF_KEY_NUMLIST:
        return set_numlist(&c, field, v);
    case PF_KEY_STRLIST:
        return set_strlist(&c, field, v);
    }
    return PF_OK;
}

/* ---- public: defaults, set, load ------------------------------------------------------------ */

void pf_config_defaults(pf_config *cfg)
{
    pf_error err = {0};
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0, n = n_all_keys(); i < n; i++) {
        keyref r = key_at(i);
        set_value(key_base(cfg, r), r.k, key_default(r.k), "default", &err);
    }
}

int pf_config_set(pf_config *cfg, const char *section, const char *key, const char *value,
                  const char *where, pf_error *err)
{
    keyref r = find_key(section, key);
    if (r.k) return set_value(key_base(cfg, r), r.k, value, where, err);
    char hint[96];
    if (!section_known(section)) {
        char all[256] = "";
        for (size_t i = 0, len = 0; i < N_SECTIONS; i++)
            len +=
                (size_t)snprintf(all + len, sizeof all - len, "%s%s", i ? ", " : "", SECTIONS[i]);
        suggest(hint, sizeof hint, section, SECTIONS, N_SECTIONS);
        return pf_error_set(err, PF_EINPUT, "%s: unknown section [%s]%s (sections: %s)", where,
                            section, hint, all);
    }
    size_t n_all = n_all_keys(), n = 0;
    const char *cands[N_KEYS + PF_MAX_CRITERIA * 8];
    for (size_t i = 0; i < n_all && n < sizeof cands / sizeof cands[0]; i++) {
        keyref c = key_at(i);
        if (strcmp(c.k->section, section) == 0) cands[n++] = c.k->key;
    }
    suggest(hint, sizeof hint, key, cands, n);
    return pf_error_set(err, PF_EINPUT,
                        "%s: unknown key '%s' in section [%s]%s (run_experiment --help lists "
                        "every key)",
                        where, key, section, hint);
}

/* inih calls the reader once per line: counting calls gives the line of the handler call.
 *
 * A list may go on over several lines: inih hands every indented line after "key = value" to
 * the handler again under the same key. So a key's value is held back (pending) until the
 * next key or the end of the file, continuation lines are joined to it with commas, and only
 * then is it set: the items of a long feature list can be written one block of lines. */
typedef struct {
    FILE *fp;
    const char *path;
    int line;
    char raw[INI_MAX_LINE]; /* the line the reader returned last */
    pf_config *cfg;
    pf_error *err;
    unsigned char seen[N_KEYS + PF_MAX_CRITERIA * 8]; /* by keyref index */
    const pf_config_key *pending; /* the key whose value is being collected, or NULL */
    char pending_value[PF_MAX_TEXT];
    char pending_where[PF_MAX_STR + 32];
} parse_ctx;

static char *counting_reader(char *str, int num, void *stream)
{
    parse_ctx *pc = stream;
    char *r = fgets(str, num, pc->fp);
    if (r) {
        pc->line++;
        snprintf(pc->raw, sizeof pc->raw, "%s", r);
    }
    return r;
}

static int flush_pending(parse_ctx *pc)
{
    const pf_config_key *k = pc->pending;
    pc->pending = NULL;
    if (k == NULL || pc->err->code != PF_OK) return pc->err->code;
    return pf_config_set(pc->cfg, k->section, k->key, pc->pending_value, pc->pending_where,
                         pc->err);
}

static int is_list(const pf_config_key *k)
{
    return k->type == PF_KEY_INTLIST || k->type == PF_KEY_NUMLIST || k->type == PF_KEY_STRLIST;
}

/* An indented line after "key = value": more items of that key's list. */
static int continue_pending(parse_ctx *pc, const char *value, const char *where)
{
    const pf_config_key *k = pc->pending;
    if (!is_list(k) || strchr(value, '='))
        return pf_error_set(pc->err, PF_EINPUT,
                            "%s: this line is indented, so it continues the value of %s.%s%s; "
                            "remove the indentation if it is a new key",
                            where, k->section, k->key, is_list(k) ? "" : ", which is not a list");
    size_t len = strlen(pc->pending_value);
    const char *sep = len > 0 && pc->pending_value[len - 1] != ',' && value[0] != ',' ? "," : "";
    if (len + strlen(sep) + strlen(value) >= sizeof pc->pending_value)
        return pf_error_set(pc->err, PF_EINPUT, "%s: %s.%s is longer than %d characters", where,
                            k->section, k->key, PF_MAX_TEXT - 1);
    strcat(strcat(pc->pending_value, sep), value);
    return PF_OK;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *pc = user;
    char where[PF_MAX_STR + 32];
    if (pc->err->code != PF_OK) return 0;
    snprintf(where, sizeof where, "%s:%d", pc->path, pc->line);
    if (section[0] == '\0')
        return pf_error_set(pc->err, PF_EINPUT, "%s: key '%s' comes before any [section]", where,
                            name),
               0;
    keyref r = find_key(section, name);
    const pf_config_key *k = r.k;
    int indented = pc->raw[0] == ' ' || pc->raw[0] == '\t';
    if (indented && k && k == pc->pending) return continue_pending(pc, value, where) == PF_OK;
    if (flush_pending(pc) != PF_OK) return 0;
    if (k && r.index < sizeof pc->seen && pc->seen[r.index]++)
        return pf_error_set(pc->err, PF_EINPUT, "%s: %s.%s is set twice (keep one)", where, section,
                            name),
               0;
    if (k == NULL) return pf_config_set(pc->cfg, section, name, value, where, pc->err) == PF_OK;
    pc->pending = k;
    snprintf(pc->pending_value, sizeof pc->pending_value, "%s", value);
    snprintf(pc->pending_where, sizeof pc->pending_where, "%s", where);
    return 1;
}

/* inih truncates lines longer than its buffer; refuse them rather than misparse. */
static int check_line_lengths(FILE *fp, const char *path, pf_error *err)
{
    int c, line = 1;
    size_t len = 0;
    while ((c = getc(fp)) != EOF) {
        if (c == '\n')
            line++, len = 0;
        else if (++len >= INI_MAX_LINE - 1)
            return pf_error_set(err, PF_EINPUT, "%s:%d: line longer than %d characters", path, line,
                                INI_MAX_LINE - 2);
    }
    rewind(fp);
    return PF_OK;
}

static FILE *open_config(const char *path, pf_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        pf_error_set(err, PF_EINPUT,
                     "cannot open config file '%s': %s (check the path; "
                     "configs/ holds examples)",
                     path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        pf_error_set(err, PF_EINPUT, "config file '%s' is a directory, not an INI file", path);
        return NULL;
    }
    FILE *fp = fopen(path, "r");
    if (!fp)
        pf_error_set(err, PF_EINPUT, "cannot open config file '%s': %s", path, strerror(errno));
    return fp;
}

static int parse_stream(pf_config *cfg, FILE *fp, const char *path, pf_error *err)
{
    parse_ctx pc = {.fp = fp, .path = path, .cfg = cfg, .err = err};
    int rc = check_line_lengths(fp, path, err);
    if (rc == PF_OK) {
        int bad_line = ini_parse_stream(counting_reader, &pc, on_key, &pc);
        if (bad_line == 0) flush_pending(&pc);
        if (bad_line > 0 && err->code == PF_OK)
            pf_error_set(err, PF_EINPUT,
                         "%s:%d: syntax error (expected '[section]' or "
                         "'key = value')",
                         path, bad_line);
        rc = err->code;
    }
    return rc;
}

static int parse_file(pf_config *cfg, const char *path, pf_error *err)
{
    FILE *fp = open_config(path, err);
    if (!fp) return err->code;
    int rc = parse_stream(cfg, fp, path, err);
    fclose(fp);
    return rc;
}

int pf_config_load_text(pf_config *cfg, const char *text, const char *name, pf_error *err)
{
    pf_config_defaults(cfg);
    snprintf(cfg->source_file, sizeof cfg->source_file, "%s", name);
    FILE *fp = fmemopen((void *)text, strlen(text), "r");
    if (!fp) return pf_error_set(err, PF_ERUNTIME, "cannot read the config text of %s", name);
    int rc = parse_stream(cfg, fp, name, err);
    fclose(fp);
    if (rc == PF_OK && pf_config_validate(cfg, err) == PF_OK) pf_config_hash(cfg, err);
    return err->code;
}

static int apply_override(pf_config *cfg, const char *ov, int unhashed_only, pf_error *err)
{
    char buf[PF_MAX_TEXT + PF_MAX_NAME * 2], where[PF_MAX_TEXT + 64];
    snprintf(where, sizeof where, "--set %s", ov);
    if (strlen(ov) >= sizeof buf) return pf_error_set(err, PF_EINPUT, "%s: too long", where);
    strcpy(buf, ov);
    char *eq = strchr(buf, '='), *dot = strchr(buf, '.');
    if (!eq || !dot || dot > eq)
        return pf_error_set(err, PF_EINPUT,
                            "%s: expected section.key=value, e.g. "
                            "--set train.max_epochs=10",
                            where);
    *eq = *dot = '\0';
    if (unhashed_only) {
        keyref r = find_key(trim(buf), trim(dot + 1));
        if (r.k && r.k->hashed)
            return pf_error_set(err, PF_EINPUT,
                                "%s: the study is finished, so only keys outside its hash "
                                "(output.*, report.*, parallel.*) can change; rerun it to "
                                "change %s.%s",
                                where, r.k->section, r.k->key);
    }
    return pf_config_set(cfg, trim(buf), trim(dot + 1), eq + 1, where, err);
}

int pf_config_override(pf_config *cfg, const char *const *overrides, size_t n, int unhashed_only,
                       pf_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (apply_override(cfg, overrides[i], unhashed_only, err) != PF_OK) return err->code;
    return pf_config_validate(cfg, err);
}

int pf_config_load(pf_config *cfg, const char *path, const char *const *overrides,
                   size_t n_overrides, pf_error *err)
{
    pf_config_defaults(cfg);
    if (strlen(path) >= sizeof cfg->source_file)
        return pf_error_set(err, PF_EINPUT, "config path too long: %s", path);
    strcpy(cfg->source_file, path);
    if (parse_file(cfg, path, err) != PF_OK) return err->code;
    for (size_t i = 0; i < n_overrides; i++)
        if (apply_override(cfg, overrides[i], 0, err) != PF_OK) return err->code;
    if (pf_config_validate(cfg, err) != PF_OK) return err->code;
    return pf_config_hash(cfg, err);
}

/* The task shape (config/task.h), and one role per column. */
static int check_task(const pf_config *c, pf_error *err)
{
    if (pf_task_check(c, err) != PF_OK) return err->code;
    for (size_t i = 0; i < c->target_columns.n; i++)
        for (size_t j = 0; j < c->attribute_columns.n; j++)
            if (strcmp(c->target_columns.item[i], c->attribute_columns.item[j]) == 0)
                return pf_error_set(err, PF_EINPUT,
                                    "'%s' is both in data.target_column and in "
                                    "data.attribute_columns; a column has one role",
                                    c->target_columns.item[i]);
    return PF_OK;
}

static int in_list(const pf_strlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->item[i], name) == 0) return 1;
    return 0;
}

/* Widths the quantiser implements, each once: float32 or symmetric integers of 2..8 bits (the
 * integer inference path stores them in int8); centroid counts each once, 0 or 2..256 (an
 * assignment fits a byte). */
static int check_compress(const pf_config *c, pf_error *err)
{
    for (size_t i = 0; i < c->n_bits; i++) {
        if (c->bits[i] != 32 && (c->bits[i] < 2 || c->bits[i] > 8))
            return pf_error_set(err, PF_EINPUT,
                                "compress.bits: %d is not a width prunefair quantises to; use 32 "
                                "(float32) or 2..8 (symmetric integers), e.g. 32,8,4",
                                c->bits[i]);
        for (size_t j = 0; j < i; j++)
            if (c->bits[j] == c->bits[i])
                return pf_error_set(err, PF_EINPUT,
                                    "compress.bits lists %d twice; list each width once",
                                    c->bits[i]);
    }
    for (size_t i = 0; i < c->n_clusters; i++) {
        if (c->clusters[i] == 1)
            return pf_error_set(err, PF_EINPUT,
                                "compress.clusters: 1 centroid per layer would make every weight "
                                "of a layer equal; use 0 (not clustered) or 2..256, e.g. 0,16");
        for (size_t j = 0; j < i; j++)
            if (c->clusters[j] == c->clusters[i])
                return pf_error_set(err, PF_EINPUT,
                                    "compress.clusters lists %d twice; list each count once",
                                    c->clusters[i]);
    }
    return PF_OK;
}

/* fairness.attributes: auto, none, or attribute columns of the data. */
static int check_fairness(const pf_config *c, pf_error *err)
{
    const pf_strlist *a = &c->fairness_attributes;
    for (size_t i = 0; i < a->n; i++) {
        int word = strcmp(a->item[i], "auto") == 0 || strcmp(a->item[i], "none") == 0;
        if (word && a->n > 1)
            return pf_error_set(err, PF_EINPUT,
                                "fairness.attributes: '%s' stands alone; remove it, or list only "
                                "attribute columns",
                                a->item[i]);
        if (!word && !in_list(&c->attribute_columns, a->item[i]))
            return pf_error_set(err, PF_EINPUT,
                                "fairness.attributes names '%s', which is not one of "
                                "data.attribute_columns; add it there (a participant attribute "
                                "is never a feature), or remove it here",
                                a->item[i]);
    }
    return PF_OK;
}

/* Each criterion's own checks, and stats.reference naming one of the run's criteria. */
static int check_criteria(const pf_config *c, pf_error *err)
{
    size_t n_crit;
    const pf_criterion *const *list = pf_criterion_list(&n_crit);
    for (size_t i = 0; i < n_crit; i++)
        if (list[i]->check && pf_criterion_in_run(c, list[i]) &&
            list[i]->check(pf_criterion_options(c, list[i]), c, err) != PF_OK)
            return err->code;
    if (c->reference[0] == '\0') return PF_OK;
    pf_criterion_use uses[PF_MAX_LIST * 2];
    size_t n = pf_criterion_uses(c, uses, PF_MAX_LIST * 2);
    for (size_t i = 0; i < n && i < PF_MAX_LIST * 2; i++)
        if (strcmp(uses[i].name, c->reference) == 0) return PF_OK;
    return pf_error_set(err, PF_EINPUT,
                        "stats.reference = '%s' is not one of the criteria of this run (e.g. "
                        "'%s'); leave it empty for the default reference",
                        c->reference, uses[0].name);
}

int pf_config_validate(const pf_config *c, pf_error *err)
{
    /* The name becomes a folder name: results/<name>-<hash8>. */
    if (c->name[0] == '\0' ||
        strspn(c->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789._-") != strlen(c->name) ||
        c->name[0] == '.')
        return pf_error_set(err, PF_EINPUT,
                            "experiment.name = '%s': use letters, digits, '.', '_' and '-' only "
                            "(it names the results folder), not starting with '.'",
                            c->name);
    if (c->source != PF_SOURCE_SYNTHETIC && c->data_path[0] == '\0')
        return pf_error_set(err, PF_EINPUT,
                            "data.path is empty: data.source = %s needs the "
                            "path of the CSV file (set data.path, or --set data.path=FILE)",
                            c->source == PF_SOURCE_AGAIN ? "again" : "csv");
    if (c->source == PF_SOURCE_SYNTHETIC && c->syn_informative + c->syn_private > c->syn_features)
        return pf_error_set(err, PF_EINPUT,
                            "synthetic.informative (%d) + synthetic.private "
                            "(%d) exceed synthetic.features (%d)",
                            c->syn_informative, c->syn_private, c->syn_features);
    if (c->syn_noise_min > c->syn_noise_max)
        return pf_error_set(err, PF_EINPUT,
                            "synthetic.noise_min (%g) is larger than "
                            "synthetic.noise_max (%g)",
                            c->syn_noise_min, c->syn_noise_max);
    for (size_t i = 0; i < c->feature_columns.n; i++)
        if (strcasecmp(c->feature_columns.item[i], "auto") == 0 && c->feature_columns.n > 1)
            return pf_error_set(err, PF_EINPUT,
                                "data.feature_columns: 'auto' stands alone (every numeric column "
                                "without a role); remove it, or list only the columns you want");
    if (check_task(c, err) != PF_OK) return err->code;
    if (c->scheme == PF_FOLDS_FILE && c->folds_file[0] == '\0')
        return pf_error_set(err, PF_EINPUT,
                            "folds.scheme = file needs folds.file, a CSV with the columns "
                            "participant,fold (fold numbers from 0)");
    if (c->scheme != PF_FOLDS_FILE && c->folds_file[0] != '\0')
        return pf_error_set(err, PF_EINPUT,
                            "folds.file = %s is only read with folds.scheme = file; set the "
                            "scheme, or remove folds.file",
                            c->folds_file);
    if (c->window_ms % c->tick_ms != 0)
        return pf_error_set(err, PF_EINPUT,
                            "data.window_ms (%d) is not a multiple of "
                            "data.tick_ms (%d)",
                            c->window_ms, c->tick_ms);
    if (check_compress(c, err) != PF_OK || check_fairness(c, err) != PF_OK ||
        check_criteria(c, err) != PF_OK)
        return err->code;
    return PF_OK;
}

void pf_config_choice_name(const char *section, const char *key, int value, char *out, size_t cap)
{
    const pf_config_key *k = find_key(section, key).k;
    if (k && k->type == PF_KEY_ENUM)
        choice_name(k->choices, value, out, cap);
    else if (cap)
        out[0] = '\0';
}

int pf_config_choice_value(const char *section, const char *key, const char *word)
{
    const pf_config_key *k = find_key(section, key).k;
    return k && k->type == PF_KEY_ENUM ? choice_index(k->choices, word) : -1;
}

int pf_config_is_na(const pf_config *cfg, const char *text)
{
    if (text == NULL || text[0] == '\0') return 1;
    for (size_t i = 0; i < cfg->na_values.n; i++)
        if (strcmp(text, cfg->na_values.item[i]) == 0) return 1;
    return 0;
}

int pf_config_threads(const pf_config *cfg)
{
    return cfg->threads > 0 ? cfg->threads : omp_get_num_procs();
}

/* ---- canonical dump and hash ------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, cap;
} strbuf;

#define DUMP_WIDTH 96 /* a list line of the canonical dump goes on on the next line past this */

static void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (sb->len + (size_t)n < sb->cap) {
            sb->len += (size_t)n;
            return;
        }
        size_t cap = 2 * sb->cap + (size_t)n + 64;
        char *nb = realloc(sb->buf, cap);
        if (!nb) return; /* keep what fits; pf_config_dump callers get a shorter text */
        sb->buf = nb;
        sb->cap = cap;
    }
}

/* Item i of a list value. A long list goes on over indented lines, so that the dump never
 * has a line longer than inih reads (INI_MAX_LINE) and loads back as it was. */
static void list_item(strbuf *sb, size_t i, const char *item)
{
    size_t col = 0;
    while (col < sb->len && sb->buf[sb->len - col - 1] != '\n') col++;
    if (i > 0 && col + strlen(item) + 2 > DUMP_WIDTH)
        sb_printf(sb, ",\n    %s", item);
    else
        sb_printf(sb, "%s%s", i ? "," : "", item);
}

/* Numbers in their shortest round-trip text: the dump re-loads to the same struct and reads
 * as a person wrote it (0.05, not 0.050000000000000003). */
static void dump_value(strbuf *sb, const void *base, const pf_config_key *k)
{
    const void *f = (const char *)base + k->off;
    char name[PF_MAX_NAME], num[PF_NUMTEXT_CAP];
    switch (k->type) {
    case PF_KEY_STR:
        sb_printf(sb, "%s", (const char *)f);
        break;
    case PF_KEY_INT:
        sb_printf(sb, "%d", *(const int *)f);
        break;
    case PF_KEY_U64:
        sb_printf(sb, "%llu", (unsigned long long)*(const uint64_t *)f);
        break;
    case PF_KEY_DBL:
        sb_printf(sb, "%s", pf_numtext(num, *(const double *)f));
        break;
    case PF_KEY_BOOL:
        sb_printf(sb, "%s", *(const int *)f ? "true" : "false");
        break;
    case PF_KEY_ENUM:
        choice_name(k->choices, *(const int *)f, name, sizeof name);
        sb_printf(sb, "%s", name);
        break;
    case PF_KEY_INTLIST: {
        size_t n = *(const size_t *)((const char *)base + k->off2);
        char item[16];
        for (size_t i = 0; i < n; i++) {
            snprintf(item, sizeof item, "%d", ((const int *)f)[i]);
            list_item(sb, i, item);
        }
        break;
    }
    case PF_KEY_NUMLIST: {
        const pf_numlist *l = f;
        for (size_t i = 0; i < l->n; i++) list_item(sb, i, pf_numtext(num, l->v[i]));
        break;
    }
    case PF_KEY_STRLIST: {
        const pf_strlist *l = f;
        if (l->n == 0 && key_choices(k)) sb_printf(sb, "none");
        for (size_t i = 0; i < l->n; i++) list_item(sb, i, l->item[i]);
        break;
    }
    }
}

/* Where a criterion's key goes among KEYS: before the first key of its section that sorts
 * after it, or after the section's last key. */
static size_t slot_in_keys(const pf_config_key *k)
{
    size_t last = N_KEYS;
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(KEYS[i].section, k->section) != 0) continue;
        if (strcmp(KEYS[i].key, k->key) > 0) return i;
        last = i + 1;
    }
    return last;
}

static int cmp_extra(const void *pa, const void *pb)
{
    const keyref *a = pa, *b = pb;
    size_t sa = slot_in_keys(a->k), sb = slot_in_keys(b->k);
    if (sa != sb) return sa < sb ? -1 : 1;
    return strcmp(a->k->key, b->k->key);
}

/* Every key in canonical order: KEYS as written (sorted by section, then key), with each
 * criterion's keys in their place among their section's keys. Returns how many. */
static size_t canonical_order(keyref *out)
{
    size_t n_all = n_all_keys(), n_extra = n_all - N_KEYS, e = 0, n = 0;
    keyref extra[PF_MAX_CRITERIA * 8];
    for (size_t i = 0; i < n_extra && i < sizeof extra / sizeof extra[0]; i++)
        extra[i] = key_at(N_KEYS + i);
    qsort(extra, n_extra, sizeof *extra, cmp_extra);
    for (size_t i = 0; i <= N_KEYS; i++) {
        while (e < n_extra && slot_in_keys(extra[e].k) == i) out[n++] = extra[e++];
        if (i < N_KEYS) out[n++] = key_at(i);
    }
    return n;
}

/* Whether key r is part of cfg's effective config: a criterion's own option only when the
 * criterion is in the run (otherwise it can change nothing, and leaving it out keeps every
 * study's canonical text and hash as they were when a criterion is added to the program). */
static int effective(const pf_config *cfg, keyref r)
{
    return !r.owner || pf_criterion_in_run(cfg, r.owner);
}

/* Whether a PF_KEY_LATE key of cfg has its default value, compared as the dump writes both. */
static int late_at_default(const pf_config *cfg, const pf_config *defaults, keyref r)
{
    strbuf a = {malloc(256), 0, 256}, b = {malloc(256), 0, 256};
    int same = 0;
    if (a.buf && b.buf) {
        a.buf[0] = b.buf[0] = '\0';
        dump_value(&a, key_base_const(cfg, r), r.k);
        dump_value(&b, key_base_const(defaults, r), r.k);
        same = strcmp(a.buf, b.buf) == 0;
    }
    free(a.buf), free(b.buf);
    return same;
}

char *pf_config_dump(const pf_config *cfg, int hashed_only)
{
    strbuf sb = {malloc(1024), 0, 1024};
    if (!sb.buf) return NULL;
    sb.buf[0] = '\0';
    const char *section = "";
    pf_config *defaults = malloc(sizeof *defaults);
    if (!defaults) {
        free(sb.buf);
        return NULL;
    }
    pf_config_defaults(defaults);
    keyref order[N_KEYS + PF_MAX_CRITERIA * 8];
    for (size_t i = 0, n = canonical_order(order); i < n; i++) {
        const pf_config_key *k = order[i].k;
        if (!effective(cfg, order[i]) || (hashed_only && !k->hashed)) continue;
        if (k->hashed == PF_KEY_LATE && late_at_default(cfg, defaults, order[i])) continue;
        if (strcmp(section, k->section) != 0)
            sb_printf(&sb, "%s[%s]\n", section[0] ? "\n" : "", k->section), section = k->section;
        sb_printf(&sb, "%s = ", k->key);
        dump_value(&sb, key_base_const(cfg, order[i]), k);
        sb_printf(&sb, "\n");
    }
    free(defaults);
    return sb.buf;
}

int pf_config_hash(pf_config *cfg, pf_error *err)
{
    char *text = pf_config_dump(cfg, 1);
    if (!text) return pf_error_set(err, PF_ERUNTIME, "out of memory hashing the config");
    char data[100] = "";
    if (cfg->data_sha256[0]) snprintf(data, sizeof data, "data_sha256 = %s\n", cfg->data_sha256);
    pf_sha256 s;
    pf_sha256_begin(&s);
    pf_sha256_add(&s, text, strlen(text));
    pf_sha256_add(&s, data, strlen(data));
    free(text);
    if (!pf_sha256_end(&s, NULL, cfg->hash))
        return pf_error_set(err, PF_ERUNTIME, "SHA-256 failed (OpenSSL)");
    return PF_OK;
}

void pf_config_help(FILE *out)
{
    const char *section = "";
    keyref order[N_KEYS + PF_MAX_CRITERIA * 8];
    for (size_t i = 0, n = canonical_order(order); i < n; i++) {
        const pf_config_key *k = order[i].k;
        if (strcmp(section, k->section) != 0) fprintf(out, "\n  [%s]\n", section = k->section);
        char def[PF_MAX_TEXT + 2];
        snprintf(def, sizeof def, "%s", key_default(k)[0] ? key_default(k) : "\"\"");
        fprintf(out, "    %-19s %-24s %s", k->key, def, k->help);
        if (k->type == PF_KEY_ENUM) fprintf(out, " (%s)", k->choices);
        fprintf(out, "\n");
    }
}
