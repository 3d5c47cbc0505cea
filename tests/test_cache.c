/* test_cache.c: the parsed-data cache (src/data/cache.h) gives back exactly what loading the
 * file gives, and nothing else.
 *
 *   - A miss then a hit give datasets identical field by field to a load without the cache,
 *     on the fixtures of tests/data/ in every task shape and layout and on the real Heist
 *     file ($AGAIN_DATA_DIR, as test_dataset.c finds it: missing, the test fails).
 *   - Every data.* key changes the key, no key of another section does, and neither does the
 *     file's path: a copy under another name hits, with its own path and description.
 *   - An entry cut short, with a bit flipped, of another format or of another key is ignored
 *     and written anew; entries whose digest was made to match random damage never crash
 *     the reader (the sanitizer build runs this).
 *   - PF_CACHE_DIR=off writes nothing; the folder follows PF_CACHE_DIR, XDG_CACHE_HOME, HOME;
 *     a folder that cannot be written says so once; synthetic data is not cached; writers
 *     racing on one entry leave one whole entry and readers never see half of one.
 * Every test works in its own scratch folder and points PF_CACHE_DIR there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/path.h"
#include "base/sha256.h"
#include "config/config.h"
#include "data/cache.h"
#include "data/dataset.h"
#include "data/load.h"
#include "testutil.h"

#define HEIST_FILE "heist_3000ms.csv"
#define HEADER     256 /* the entry's header block (cache.c) */

/* ---- scratch folders, environment, files ---------------------------------------------------- */

static char scratch[64];

static void new_scratch(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/pf_cache_XXXXXX");
    assert_non_null(mkdtemp(scratch));
}

/* The cache in dir (NULL: unset PF_CACHE_DIR). */
static void use_cache(const char *dir)
{
    if (dir)
        setenv("PF_CACHE_DIR", dir, 1);
    else
        unsetenv("PF_CACHE_DIR");
}

static void scratch_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", scratch, name);
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) fail_msg("cannot read %s: %s", path, strerror(errno));
    struct stat st;
    assert_int_equal(fstat(fileno(fp), &st), 0);
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    *n = fread(buf, 1, (size_t)st.st_size, fp);
    assert_int_equal(*n, (size_t)st.st_size);
    fclose(fp);
    return buf;
}

static void write_all(const char *path, const void *bytes, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (fp == NULL) fail_msg("cannot write %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    unsigned char *b = read_all(from, &n);
    write_all(to, b, n);
    free(b);
}

/* Files in dir (0 when it does not exist). */
static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) return 0;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* ---- configs ------------------------------------------------------------------------------- */

static void fixture(char *out, size_t size, const char *name)
{
    const char *srcdir = getenv("srcdir");
    snprintf(out, size, "%s/tests/data/%s", srcdir ? srcdir : ".", name);
}

static int try_dir(char *out, size_t size, const char *dir, const char *sub)
{
    int n = snprintf(out, size, "%s%s/%s", dir, sub, HEIST_FILE);
    return n > 0 && (size_t)n < size && access(out, R_OK) == 0;
}

static void heist(pf_config *cfg)
{
    const char *env = getenv("AGAIN_DATA_DIR"), *srcdir = getenv("srcdir");
    pf_config_defaults(cfg);
    cfg->source = PF_SOURCE_AGAIN;
    if (!((env && try_dir(cfg->data_path, sizeof cfg->data_path, env, "")) ||
          try_dir(cfg->data_path, sizeof cfg->data_path, "../shared/data/again", "") ||
          try_dir(cfg->data_path, sizeof cfg->data_path, srcdir ? srcdir : ".",
                  "/../shared/data/again")))
        fail_msg("real data file %s not found: set AGAIN_DATA_DIR to the folder holding it",
                 HEIST_FILE);
}

static void set(pf_config *cfg, const char *section, const char *key, const char *value)
{
    pf_error err = {0};
    if (pf_config_set(cfg, section, key, value, "test", &err) != PF_OK)
        fail_msg("%s.%s = %s: %s", section, key, value, err.msg);
}

static void csv(pf_config *cfg, const char *name, const char *target)
{
    pf_config_defaults(cfg);
    cfg->source = PF_SOURCE_CSV;
    set(cfg, "data", "participant_column", "pid");
    set(cfg, "data", "target_column", target);
    set(cfg, "data", "min_windows", "1");
    fixture(cfg->data_path, sizeof cfg->data_path, name);
}

static void again(pf_config *cfg, const char *name)
{
    pf_config_defaults(cfg);
    cfg->source = PF_SOURCE_AGAIN;
    set(cfg, "data", "min_windows", "1");
    fixture(cfg->data_path, sizeof cfg->data_path, name);
}

/* The cases a hit must reproduce: every loader, layout and task shape, groups, attributes,
 * missing cells, several targets, and warnings. */
static void c_heist(pf_config *c)
{
    heist(c); /* as configs/heist.ini reads it */
    set(c, "data", "time_column", "Time_Index");
    set(c, "data", "attribute_columns", "Cluster");
    set(c, "data", "target_scaling", "none");
}
static void c_heist_groups(pf_config *c)
{
    heist(c);
    set(c, "data", "group_column", "Cluster");
}
static void c_heist_high_low(pf_config *c)
{
    heist(c);
    set(c, "data", "task", "classification");
    set(c, "data", "target_transform", "above_median");
    set(c, "data", "transform_margin", "0.05");
}
static void c_roles_groups(pf_config *c)
{
    again(c, "roles.csv");
    c->source = PF_SOURCE_CSV;
    set(c, "data", "drop_columns", "junk");
    set(c, "data", "group_column", "Cluster");
}
static void c_ticks_heist(pf_config *c)
{
    again(c, "ticks.csv");
    set(c, "data", "window_ms", "1000");
    set(c, "data", "game", "heist");
}
static void c_ticks_racing(pf_config *c)
{
    again(c, "ticks.csv");
    set(c, "data", "window_ms", "1000");
    set(c, "data", "genre", "RACING");
    set(c, "data", "missing", "mean");
}
static void c_empty_cells(pf_config *c)
{
    csv(c, "empty_cells.csv", "y");
    set(c, "data", "missing", "mean");
}
static void c_na_codes(pf_config *c)
{
    csv(c, "na_codes.csv", "y");
    set(c, "data", "missing", "mean");
    set(c, "data", "na_values", "NA, n/a, -99");
}
static void c_quoted(pf_config *c)
{
    csv(c, "bom_crlf_quoted.csv", "target");
}
static void c_labels(pf_config *c)
{
    csv(c, "tasks.csv", "label");
    set(c, "data", "task", "classification");
    set(c, "data", "feature_columns", "f1, f2");
}
static void c_two_targets(pf_config *c)
{
    csv(c, "tasks.csv", "arousal, valence");
    set(c, "data", "feature_columns", "f1, f2");
    set(c, "data", "attribute_columns", "sex");
}
static void c_label_like(pf_config *c) /* warns: a regression target of a few whole numbers */
{
    csv(c, "tasks.csv", "num");
    set(c, "data", "feature_columns", "f1, f2");
}

typedef struct {
    const char *name;
    void (*make)(pf_config *);
} config_case;

static const config_case CASES[] = {
    {"heist", c_heist},
    {"heist, groups", c_heist_groups},
    {"heist, high/low", c_heist_high_low},
    {"roles.csv, groups", c_roles_groups},
    {"ticks.csv, heist", c_ticks_heist},
    {"ticks.csv, racing, missing", c_ticks_racing},
    {"empty_cells.csv", c_empty_cells},
    {"na_codes.csv", c_na_codes},
    {"bom_crlf_quoted.csv", c_quoted},
    {"tasks.csv, labels", c_labels},
    {"tasks.csv, two targets", c_two_targets},
    {"tasks.csv, label-like", c_label_like},
};
#define N_CASES (sizeof CASES / sizeof CASES[0])

/* ---- loading ------------------------------------------------------------------------------- */

/* pf_load_dataset on a copy of cfg; the copy's hash into hash (may be NULL). */
static pf_dataset *load(const pf_config *cfg, char *hash)
{
    pf_config c = *cfg;
    pf_error err = {0};
    pf_dataset *ds = pf_load_dataset(&c, &err);
    if (ds == NULL) fail_msg("loading '%s' failed: %s", cfg->data_path, err.msg);
    if (hash) memcpy(hash, c.hash, sizeof c.hash);
    return ds;
}

/* A load without the cache: what every hit must equal. */
static pf_dataset *load_fresh(const pf_config *cfg, char *hash)
{
    char *saved = getenv("PF_CACHE_DIR") ? strdup(getenv("PF_CACHE_DIR")) : NULL;
    use_cache("off");
    pf_dataset *ds = load(cfg, hash);
    use_cache(saved);
    free(saved);
    return ds;
}

static void entry_of(const pf_config *cfg, const pf_dataset *ds, char *out, size_t cap)
{
    assert_int_equal(pf_cache_entry(cfg, ds->sha256, out, cap), 1);
}

static void same_texts(char *const *a, char *const *b, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i], b[i]) != 0) fail_msg("%s[%zu]: '%s' != '%s'", what, i, a[i], b[i]);
}

static void same_bytes(const void *a, const void *b, size_t n, const char *what)
{
    if ((a == NULL) != (b == NULL)) fail_msg("%s: one is NULL", what);
    if (n && memcmp(a, b, n) != 0) fail_msg("%s differ", what);
}

/* a and b are the same dataset, field by field: numbers bit for bit (NaN included), every
 * text, every column's account, the path and the description. And no field is forgotten:
 * with every pointer set aside, the two structs are the same bytes. */
static void assert_same(const pf_dataset *a, const pf_dataset *b)
{
    assert_int_equal(a->n_windows, b->n_windows);
    assert_int_equal(a->n_features, b->n_features);
    assert_int_equal(a->n_participants, b->n_participants);
    assert_int_equal(a->task, b->task);
    assert_int_equal(a->n_targets, b->n_targets);
    assert_int_equal(a->n_classes, b->n_classes);
    assert_int_equal(a->n_attributes, b->n_attributes);
    assert_int_equal(a->n_groups, b->n_groups);
    assert_int_equal(a->n_rows_read, b->n_rows_read);
    assert_int_equal(a->n_dropped_target, b->n_dropped_target);
    assert_int_equal(a->n_dropped_margin, b->n_dropped_margin);
    assert_int_equal(a->n_dropped_participants, b->n_dropped_participants);
    assert_int_equal(a->n_missing, b->n_missing);
    assert_int_equal(a->delimiter, b->delimiter);
    assert_int_equal(a->n_columns, b->n_columns);
    assert_string_equal(a->warning, b->warning);
    assert_string_equal(a->description, b->description);
    assert_int_equal(a->description_name_at, b->description_name_at);
    assert_int_equal(a->description_name_cap, b->description_name_cap);
    assert_string_equal(a->sha256, b->sha256);
    assert_string_equal(a->path, b->path);
    size_t n = a->n_windows, P = a->n_participants;
    same_bytes(a->x, b->x, n * a->n_features * sizeof *a->x, "x");
    same_bytes(a->y, b->y, n * a->n_targets * sizeof *a->y, "y");
    same_bytes(a->participant, b->participant, n * sizeof *a->participant, "participant");
    same_bytes(a->group, b->group, a->group ? n * sizeof *a->group : 0, "group");
    same_bytes(a->offset, b->offset, (P + 1) * sizeof *a->offset, "offset");
    same_bytes(a->row, b->row, n * sizeof *a->row, "row");
    same_bytes(a->time, b->time, a->time ? n * sizeof *a->time : 0, "time");
    assert_int_equal(a->n_dropped_windows, b->n_dropped_windows);
    if (a->n_dropped_windows > 0) /* room reserved for none may be NULL once read back */
        same_bytes(a->dropped, b->dropped, a->n_dropped_windows * sizeof *a->dropped,
                   "dropped windows");
    same_texts(a->target_names, b->target_names, a->n_targets, "target_names");
    same_texts(a->class_names, b->class_names, a->n_classes, "class_names");
    same_texts(a->attribute_names, b->attribute_names, a->n_attributes, "attribute_names");
    same_texts(a->attribute_values, b->attribute_values, P * a->n_attributes, "attribute_values");
    same_texts(a->feature_names, b->feature_names, a->n_features, "feature_names");
    same_texts(a->participant_ids, b->participant_ids, P, "participant_ids");
    same_texts(a->group_names, b->group_names, a->n_groups, "group_names");
    for (size_t c = 0; c < a->n_columns; c++) {
        assert_string_equal(a->columns[c].name, b->columns[c].name);
        assert_string_equal(a->columns[c].use, b->columns[c].use);
        assert_int_equal(a->columns[c].is_feature, b->columns[c].is_feature);
    }
    pf_dataset sa, sb;
    memcpy(&sa, a, sizeof sa);
    memcpy(&sb, b, sizeof sb);
    pf_dataset *s[] = {&sa, &sb};
    for (int i = 0; i < 2; i++) {
        s[i]->x = s[i]->y = NULL;
        s[i]->target_names = s[i]->class_names = s[i]->attribute_names = NULL;
        s[i]->attribute_values = s[i]->feature_names = s[i]->participant_ids = NULL;
        s[i]->group_names = NULL;
        s[i]->participant = s[i]->group = NULL;
        s[i]->offset = s[i]->row = NULL;
        s[i]->time = NULL;
        s[i]->dropped = NULL;
        s[i]->columns = NULL;
    }
    if (memcmp(&sa, &sb, sizeof sa) != 0)
        fail_msg("the datasets differ in a field assert_same does not name: a new field of "
                 "pf_dataset must be kept by cache.c's visit() and compared here");
}

/* ---- a miss, then a hit, equal to no cache ------------------------------------------------- */

static void test_miss_then_hit(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CASES; i++) {
        new_scratch();
        use_cache(scratch);
        pf_config cfg;
        CASES[i].make(&cfg);
        char h_fresh[65], h_miss[65], h_hit[65], entry[4200];
        pf_dataset *fresh = load_fresh(&cfg, h_fresh);
        assert_int_equal(count_files(scratch), 0);
        assert_null(pf_cache_load(&cfg)); /* nothing yet */
        pf_dataset *miss = load(&cfg, h_miss);
        entry_of(&cfg, fresh, entry, sizeof entry);
        if (access(entry, R_OK) != 0) fail_msg("%s: no entry written", CASES[i].name);
        assert_int_equal(count_files(scratch), 1);
        pf_dataset *direct = pf_cache_load(&cfg);
        if (direct == NULL) fail_msg("%s: the entry just written is not read back", CASES[i].name);
        pf_dataset *hit = load(&cfg, h_hit);
        print_message("%s: %zu windows, %zu features, warning '%.40s'\n", CASES[i].name,
                      fresh->n_windows, fresh->n_features, fresh->warning);
        assert_same(fresh, miss);
        assert_same(fresh, direct);
        assert_same(fresh, hit);
        assert_string_equal(h_fresh, h_miss); /* the run's identity follows the data */
        assert_string_equal(h_fresh, h_hit);
        if (CASES[i].make == c_label_like) assert_true(hit->warning[0] != '\0');
        pf_dataset_free(fresh);
        pf_dataset_free(miss);
        pf_dataset_free(direct);
        pf_dataset_free(hit);
        remove_tree(scratch);
    }
}

/* A semicolon-separated file, and one separated by tabs: the separator found is kept. */
static void test_separators(void **state)
{
    (void)state;
    static const char *const text[] = {"pid;a;b;y\np1;1;2;0.5\np1;2;1;0.25\np2;3;3;0.75\n",
                                       "pid\ta\tb\ty\np1\t1\t2\t0.5\np2\t2\t1\t0.25\n"};
    for (int i = 0; i < 2; i++) {
        new_scratch();
        use_cache(scratch);
        pf_config cfg;
        csv(&cfg, "x", "y");
        scratch_path(cfg.data_path, sizeof cfg.data_path, "sep.csv");
        write_all(cfg.data_path, text[i], strlen(text[i]));
        pf_dataset *fresh = load_fresh(&cfg, NULL), *miss = load(&cfg, NULL);
        pf_dataset *hit = pf_cache_load(&cfg);
        assert_non_null(hit);
        assert_int_equal(hit->delimiter, i ? '\t' : ';');
        assert_same(fresh, hit);
        pf_dataset_free(fresh);
        pf_dataset_free(miss);
        pf_dataset_free(hit);
        remove_tree(scratch);
    }
}

/* ---- the key ------------------------------------------------------------------------------- */

/* Every key of [data] but path, with a value other than its default. */
static const char *const DATA_CHANGES[][2] = {
    {"delimiter", "semicolon"},
    {"attribute_columns", "Cluster"},
    {"drop_columns", "playerScore"},
    {"feature_columns", "playerScore, playerKillCount"},
    {"game", "heist"},
    {"genre", "shooter"},
    {"group_column", "Cluster"},
    {"layout", "windows"},
    {"missing", "mean"},
    {"min_windows", "6"},
    {"na_values", "NA"},
    {"participant_column", "Cluster"},
    {"scaling", "none"},
    {"session_column", "Cluster"},
    {"source", "csv"},
    {"target_column", "playerScore"},
    {"target_scaling", "none"},
    {"target_transform", "above_median"},
    {"task", "classification"},
    {"tick_ms", "500"},
    {"transform_margin", "0.1"},
    {"time_column", "Time_Index"},
    {"window_ms", "6000"},
};
#define N_CHANGES (sizeof DATA_CHANGES / sizeof DATA_CHANGES[0])

/* The keys of [data] in the canonical dump, but path, must all be in DATA_CHANGES: a new
 * data key is a new row there. */
static void test_every_data_key_listed(void **state)
{
    (void)state;
    pf_config cfg;
    pf_config_defaults(&cfg);
    char *dump = pf_config_dump(&cfg, 0);
    assert_non_null(dump);
    const char *p = strstr(dump, "[data]\n");
    assert_non_null(p);
    size_t n_keys = 0;
    for (p += 7; *p && *p != '['; p = strchr(p, '\n') + 1) {
        char key[64];
        if (sscanf(p, "%63[a-z_] =", key) != 1) continue;
        if (strcmp(key, "path") == 0) continue;
        n_keys++;
        size_t i = 0;
        while (i < N_CHANGES && strcmp(DATA_CHANGES[i][0], key) != 0) i++;
        if (i == N_CHANGES) fail_msg("data.%s is not in DATA_CHANGES", key);
    }
    assert_int_equal(n_keys, N_CHANGES);
    free(dump);
}

static void test_key(void **state)
{
    (void)state;
    new_scratch();
    use_cache(scratch);
    pf_config base, cfg;
    heist(&base); /* the defaults: DATA_CHANGES differ from each */
    pf_dataset *ds = load(&base, NULL);
    char e0[4200], e[4200], e_prev[N_CHANGES][4200];
    entry_of(&base, ds, e0, sizeof e0);
    /* Each data key: another entry, and a load with it misses (the others load, or fail). */
    for (size_t i = 0; i < N_CHANGES; i++) {
        cfg = base;
        set(&cfg, "data", DATA_CHANGES[i][0], DATA_CHANGES[i][1]);
        entry_of(&cfg, ds, e, sizeof e);
        if (strcmp(e, e0) == 0) fail_msg("data.%s does not change the key", DATA_CHANGES[i][0]);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(e, e_prev[j]);
        snprintf(e_prev[i], sizeof e_prev[i], "%s", e);
        assert_null(pf_cache_load(&cfg));
    }
    cfg = base;
    set(&cfg, "data", "min_windows", "42"); /* every player has at least 41 windows */
    pf_dataset *fewer = load(&cfg, NULL);
    assert_true(fewer->n_participants < ds->n_participants);
    assert_int_equal(count_files(scratch), 2);
    pf_dataset_free(fewer);
    /* Keys of other sections, and the path, change nothing that loading makes. */
    static const char *const others[][3] = {
        {"train", "max_epochs", "3"},   {"experiment", "seed", "7"},
        {"prune", "sparsities", "0.5"}, {"folds", "scheme", "group_kfold"},
        {"model", "hidden", "8"},       {"synthetic", "features", "3"},
        {"experiment", "name", "other"}};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        cfg = base;
        set(&cfg, others[i][0], others[i][1], others[i][2]);
        entry_of(&cfg, ds, e, sizeof e);
        assert_string_equal(e, e0);
    }
    cfg = base;
    set(&cfg, "data", "path", "/somewhere/else.csv");
    entry_of(&cfg, ds, e, sizeof e);
    assert_string_equal(e, e0);
    /* Other bytes: another key. */
    char other_sha[PF_SHA256_HEX];
    memcpy(other_sha, ds->sha256, sizeof other_sha);
    other_sha[0] = other_sha[0] == '0' ? '1' : '0';
    assert_int_equal(pf_cache_entry(&base, other_sha, e, sizeof e), 1);
    assert_string_not_equal(e, e0);
    pf_dataset_free(ds);
    remove_tree(scratch);
}

/* ---- copies, other names, other paths ------------------------------------------------------- */

/* cfg read from a copy of its file at name (in the scratch folder): a hit, equal to a fresh
 * load of the copy, described with the copy's name. */
static void check_copy(const pf_config *orig, const char *name, const char *description)
{
    pf_config cfg = *orig;
    scratch_path(cfg.data_path, sizeof cfg.data_path, name);
    copy_file(orig->data_path, cfg.data_path);
    pf_dataset *hit = pf_cache_load(&cfg);
    if (hit == NULL) fail_msg("a copy named %s misses", name);
    pf_dataset *fresh = load_fresh(&cfg, NULL);
    assert_same(fresh, hit);
    assert_string_equal(hit->description, description);
    char abs[4096];
    pf_path_abs(cfg.data_path, abs, sizeof abs);
    assert_string_equal(hit->path, abs);
    pf_dataset_free(hit);
    pf_dataset_free(fresh);
}

static void test_copy_hits(void **state)
{
    (void)state;
    new_scratch();
    char cache[128], name[200], want[300];
    scratch_path(cache, sizeof cache, "cache");
    use_cache(cache);
    pf_config cfg;
    c_heist(&cfg);
    pf_dataset_free(load(&cfg, NULL));
    check_copy(&cfg, "copy of heist.csv", "AGAIN windows: copy of heist.csv");
    /* A name longer than the description shows of it: cut as a fresh load cuts it. */
    memset(name, 'n', 150);
    snprintf(name + 150, sizeof name - 150, ".csv");
    snprintf(want, sizeof want, "AGAIN windows: %s", name);
    check_copy(&cfg, name, want);
    c_ticks_heist(&cfg);
    pf_dataset_free(load(&cfg, NULL));
    snprintf(want, sizeof want, "AGAIN ticks (game=heist, 1000 ms windows): %.100s", name);
    check_copy(&cfg, name, want);
    check_copy(&cfg, "t.csv", "AGAIN ticks (game=heist, 1000 ms windows): t.csv");
    c_quoted(&cfg);
    pf_dataset_free(load(&cfg, NULL));
    check_copy(&cfg, "q.csv", "CSV: q.csv");
    /* Through a relative path and a symbolic link: the path is the file, resolved. */
    char link[200], cwd[4096];
    scratch_path(link, sizeof link, "link.csv");
    scratch_path(name, sizeof name, "q.csv");
    assert_int_equal(symlink(name, link), 0);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(scratch), 0);
    snprintf(cfg.data_path, sizeof cfg.data_path, "link.csv");
    pf_dataset *hit = pf_cache_load(&cfg), *fresh = load_fresh(&cfg, NULL);
    assert_non_null(hit);
    assert_same(fresh, hit);
    assert_string_equal(hit->description, "CSV: link.csv");
    assert_int_equal(chdir(cwd), 0);
    pf_dataset_free(hit);
    pf_dataset_free(fresh);
    assert_int_equal(count_files(cache), 3);
    remove_tree(scratch);
}

/* ---- damaged entries ------------------------------------------------------------------------ */

/* The entry at path holds bytes; a cache lookup must ignore it, and the next load must give
 * the fresh dataset and write good (the same) bytes back. */
static void expect_ignored(const pf_config *cfg, const pf_dataset *fresh, const char *entry,
                           const unsigned char *good, size_t n_good, const void *bytes, size_t n,
                           const char *what)
{
    write_all(entry, bytes, n);
    pf_dataset *ds = pf_cache_load(cfg);
    if (ds != NULL) fail_msg("%s: the entry was used", what);
    ds = load(cfg, NULL);
    assert_same(fresh, ds);
    pf_dataset_free(ds);
    size_t n_now;
    unsigned char *now = read_all(entry, &n_now);
    if (n_now != n_good || memcmp(now, good, n_good) != 0)
        fail_msg("%s: the entry was not written anew", what);
    free(now);
}

static void test_damaged_entries(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        new_scratch();
        use_cache(scratch);
        pf_config cfg;
        (k ? c_heist : c_roles_groups)(&cfg);
        pf_dataset *fresh = load_fresh(&cfg, NULL);
        pf_dataset_free(load(&cfg, NULL));
        char entry[4200], what[64];
        entry_of(&cfg, fresh, entry, sizeof entry);
        size_t n;
        unsigned char *good = read_all(entry, &n), *bad = malloc(n + 1);
        assert_non_null(bad);
        const size_t cuts[] = {0, 1, 17, 100, HEADER - 1, HEADER, HEADER + 1, n / 2, n - 8, n - 1};
        for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
            snprintf(what, sizeof what, "cut to %zu of %zu bytes", cuts[i], n);
            expect_ignored(&cfg, fresh, entry, good, n, good, cuts[i], what);
        }
        memcpy(bad, good, n);
        bad[n] = '\n';
        expect_ignored(&cfg, fresh, entry, good, n, bad, n + 1, "a byte too many");
        const size_t flips[] = {0,          20,     30,          100,   180,   200,
                                HEADER - 1, HEADER, HEADER + 40, n / 3, n / 2, n - 1};
        for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++)
            for (int bit = 0; bit < 8; bit += 7) {
                memcpy(bad, good, n);
                bad[flips[i]] ^= (unsigned char)(1u << bit);
                snprintf(what, sizeof what, "bit %d of byte %zu flipped", bit, flips[i]);
                expect_ignored(&cfg, fresh, entry, good, n, bad, n, what);
            }
        /* Another format version. */
        memcpy(bad, good, n);
        char *v = strstr((char *)bad, "prunefair-cache/1");
        assert_ptr_equal(v, (char *)bad);
        v[16] = '2';
        expect_ignored(&cfg, fresh, entry, good, n, bad, n, "format 2");
        /* A whole, sound entry of another key, under this key's name. */
        pf_config other = cfg;
        set(&other, "data", "min_windows", "2");
        pf_dataset *o = load(&other, NULL);
        char other_entry[4200];
        entry_of(&other, o, other_entry, sizeof other_entry);
        size_t n_other;
        unsigned char *ob = read_all(other_entry, &n_other);
        expect_ignored(&cfg, fresh, entry, good, n, ob, n_other, "another key's entry");
        free(ob);
        pf_dataset_free(o);
        free(good);
        free(bad);
        pf_dataset_free(fresh);
        remove_tree(scratch);
    }
}

/* Random damage to the payload, with the header's digest and length made to match, as a
 * buggy or hostile writer could: the reader refuses or returns a dataset that keeps the
 * invariants the rest of the program relies on, never reads out of bounds (the sanitizer
 * build checks that) and never asks for more memory than the entry holds. */
static void test_resealed_damage(void **state)
{
    (void)state;
    new_scratch();
    use_cache(scratch);
    pf_config cfg;
    c_two_targets(&cfg);
    pf_dataset *fresh = load(&cfg, NULL);
    char entry[4200];
    entry_of(&cfg, fresh, entry, sizeof entry);
    size_t n;
    unsigned char *good = read_all(entry, &n);
    unsigned char *bad = malloc(n + 64);
    assert_non_null(bad);
    char key[65];
    assert_int_equal(sscanf((char *)good, "prunefair-cache/1\nkey %64[0-9a-f]", key), 1);
    gsl_rng *rng = rng_new(7);
    size_t accepted = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(bad, good, n);
        size_t m = n;
        int kind = (int)gsl_rng_uniform_int(rng, 4);
        if (kind == 3) { /* cut the payload short */
            m = HEADER + gsl_rng_uniform_int(rng, n - HEADER);
        } else {
            int changes = 1 + (int)gsl_rng_uniform_int(rng, 4);
            for (int c = 0; c < changes; c++) {
                size_t at = HEADER + gsl_rng_uniform_int(rng, n - HEADER);
                if (kind == 0) bad[at] ^= (unsigned char)(1u << gsl_rng_uniform_int(rng, 8));
                if (kind == 1) bad[at] = (unsigned char)gsl_rng_uniform_int(rng, 256);
                if (kind == 2 && at + 8 <= n) { /* a size: huge, or off by one */
                    uint64_t v;
                    memcpy(&v, bad + at, 8);
                    v = gsl_rng_uniform_int(rng, 2) ? v + 1 : (uint64_t)-1 / (1 + at);
                    memcpy(bad + at, &v, 8);
                }
            }
        }
        char hex[PF_SHA256_HEX];
        assert_int_equal(pf_sha256_of(bad + HEADER, m - HEADER, NULL, hex), 1);
        memset(bad, 0, HEADER);
        snprintf((char *)bad, HEADER, "prunefair-cache/1\nkey %s\nsha256 %s\nbytes %zu\n", key, hex,
                 m - HEADER);
        write_all(entry, bad, m);
        pf_dataset *ds = pf_cache_load(&cfg);
        if (ds == NULL) continue;
        accepted++;
        assert_true(ds->n_windows > 0 && ds->n_participants > 0);
        assert_int_equal(ds->offset[0], 0);
        assert_int_equal(ds->offset[ds->n_participants], ds->n_windows);
        for (size_t i = 0; i < ds->n_windows; i++)
            assert_true(ds->participant[i] >= 0 && (size_t)ds->participant[i] < ds->n_participants);
        pf_dataset_free(ds);
    }
    print_message("%zu of 3000 resealed damaged entries were read (numbers changed only)\n",
                  accepted);
    /* Resealed as it was: read, and equal. */
    write_all(entry, good, n);
    pf_dataset *ds = pf_cache_load(&cfg);
    assert_non_null(ds);
    assert_same(fresh, ds);
    pf_dataset_free(ds);
    gsl_rng_free(rng);
    free(good);
    free(bad);
    pf_dataset_free(fresh);
    remove_tree(scratch);
}

/* An entry whose digest matches but whose dataset breaks what the program relies on is
 * refused: the payload's layout (cache.c's visit) is known here, so each field is hit in turn. */
static void reseal(unsigned char *bytes, size_t n, const char *key)
{
    char hex[PF_SHA256_HEX];
    assert_int_equal(pf_sha256_of(bytes + HEADER, n - HEADER, NULL, hex), 1);
    memset(bytes, 0, HEADER);
    snprintf((char *)bytes, HEADER, "prunefair-cache/1\nkey %s\nsha256 %s\nbytes %zu\n", key, hex,
             n - HEADER);
}

static void test_resealed_nonsense(void **state)
{
    (void)state;
    new_scratch();
    use_cache(scratch);
    pf_config cfg;
    c_labels(&cfg);
    pf_dataset *ds = load(&cfg, NULL);
    char entry[4200], key[65];
    entry_of(&cfg, ds, entry, sizeof entry);
    size_t n;
    unsigned char *good = read_all(entry, &n), *bad = malloc(n);
    assert_non_null(bad);
    assert_int_equal(sscanf((char *)good, "prunefair-cache/1\nkey %64[0-9a-f]", key), 1);
    /* 18 sizes, the description and the warning (each a length and its bytes), x, y,
     * participant, offset. */
    size_t at = HEADER, sizes = at, W = ds->n_windows, P = ds->n_participants;
    at += 18 * 8;
    at += 8 + strlen(ds->description) + 8 + strlen(ds->warning);
    size_t y = at + W * ds->n_features * 8, part = y + W * 8, offset = part + W * 4;
    const struct {
        const char *what;
        size_t at, size;
        uint64_t value;
    } breaks[] = {
        {"a participant index out of range", part + 4 * (W - 1), 4, P},
        {"rows of participant 0 claimed by participant 1", part, 4, 1},
        {"offsets not increasing", offset + 8, 8, 0},
        {"the last offset short of the rows", offset + 8 * P, 8, W - 1},
        {"a class index past the classes", y, 8, 0},
        {"no participants", sizes + 2 * 8, 8, 0},
        {"a task that does not exist", sizes + 3 * 8, 8, 7},
        {"the description's name past its end", sizes + 16 * 8, 8, 200},
        {"a separator that is none", sizes + 14 * 8, 8, 'x'},
    };
    for (size_t i = 0; i < sizeof breaks / sizeof breaks[0]; i++) {
        memcpy(bad, good, n);
        if (i == 4) {
            double c = (double)ds->n_classes;
            memcpy(bad + y, &c, 8);
        } else if (breaks[i].size == 4) {
            int32_t v = (int32_t)breaks[i].value;
            memcpy(bad + breaks[i].at, &v, 4);
        } else {
            memcpy(bad + breaks[i].at, &breaks[i].value, 8);
        }
        reseal(bad, n, key);
        write_all(entry, bad, n);
        pf_dataset *r = pf_cache_load(&cfg);
        if (r != NULL) fail_msg("an entry with %s was used", breaks[i].what);
    }
    /* The same bytes resealed: read, and equal (the offsets above were the right ones). */
    memcpy(bad, good, n);
    reseal(bad, n, key);
    assert_memory_equal(bad, good, n);
    write_all(entry, bad, n);
    pf_dataset *r = pf_cache_load(&cfg);
    assert_non_null(r);
    assert_same(ds, r);
    pf_dataset_free(r);
    free(good);
    free(bad);
    pf_dataset_free(ds);
    remove_tree(scratch);
}

/* ---- where, and when not ------------------------------------------------------------------- */

static void test_location(void **state)
{
    (void)state;
    char dir[4200];
    new_scratch();
    char home[128], xdg[128];
    scratch_path(home, sizeof home, "home");
    scratch_path(xdg, sizeof xdg, "xdg");
    setenv("HOME", home, 1);
    setenv("XDG_CACHE_HOME", xdg, 1);
    use_cache("/some/folder");
    assert_int_equal(pf_cache_dir(dir, sizeof dir), 1);
    assert_string_equal(dir, "/some/folder");
    use_cache("");
    assert_int_equal(pf_cache_dir(dir, sizeof dir), 1);
    char want[300];
    snprintf(want, sizeof want, "%s/prunefair", xdg);
    assert_string_equal(dir, want);
    use_cache(NULL);
    assert_int_equal(pf_cache_dir(dir, sizeof dir), 1);
    assert_string_equal(dir, want);
    setenv("XDG_CACHE_HOME", "relative/cache", 1); /* not absolute: ignored, as XDG says */
    assert_int_equal(pf_cache_dir(dir, sizeof dir), 1);
    snprintf(want, sizeof want, "%s/.cache/prunefair", home);
    assert_string_equal(dir, want);
    unsetenv("XDG_CACHE_HOME");
    assert_int_equal(pf_cache_dir(dir, sizeof dir), 1);
    assert_string_equal(dir, want);
    unsetenv("HOME");
    assert_int_equal(pf_cache_dir(dir, sizeof dir), 0); /* nowhere to put it */
    use_cache("off");
    setenv("HOME", home, 1);
    assert_int_equal(pf_cache_dir(dir, sizeof dir), 0);

    /* off: a load writes nothing anywhere; unset: the entry goes to the XDG folder, then
     * to HOME's. */
    setenv("XDG_CACHE_HOME", xdg, 1);
    pf_config cfg;
    c_roles_groups(&cfg);
    pf_dataset_free(load(&cfg, NULL));
    assert_int_equal(count_files(scratch), 0);
    use_cache(NULL);
    pf_dataset_free(load(&cfg, NULL));
    snprintf(want, sizeof want, "%s/prunefair", xdg);
    assert_int_equal(count_files(want), 1);
    unsetenv("XDG_CACHE_HOME");
    pf_dataset_free(load(&cfg, NULL));
    snprintf(want, sizeof want, "%s/.cache/prunefair", home);
    assert_int_equal(count_files(want), 1);
    remove_tree(scratch);
}

static void test_synthetic_not_cached(void **state)
{
    (void)state;
    new_scratch();
    use_cache(scratch);
    pf_config cfg;
    pf_config_defaults(&cfg);
    assert_null(pf_cache_load(&cfg));
    pf_dataset *ds = load(&cfg, NULL);
    assert_int_equal(count_files(scratch), 0);
    pf_dataset_free(ds);
    remove_tree(scratch);
}

/* A folder that cannot be written (a file is in the way: so even root cannot): every load
 * works, and one line on stderr says the cache is off, once per process. */
static void test_unwritable(void **state)
{
    (void)state;
    new_scratch();
    char file[128], dir[200], err_path[128];
    scratch_path(file, sizeof file, "a-file");
    write_all(file, "x", 1);
    snprintf(dir, sizeof dir, "%s/cache", file);
    use_cache(dir);
    scratch_path(err_path, sizeof err_path, "stderr.txt");
    fflush(stderr);
    int saved = dup(2), fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    pf_config cfg;
    c_roles_groups(&cfg);
    pf_dataset *a = load(&cfg, NULL), *b = load(&cfg, NULL);
    c_quoted(&cfg);
    pf_dataset *c = load(&cfg, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    size_t n;
    char *said = (char *)read_all(err_path, &n);
    said[n] = '\0';
    size_t lines = 0;
    for (const char *p = said; *p; p++) lines += *p == '\n';
    if (lines != 1 || !strstr(said, "the parsed-data cache is off: cannot write in") ||
        !strstr(said, "Not a directory") || !strstr(said, "PF_CACHE_DIR"))
        fail_msg("stderr was: %s", said);
    pf_dataset *fresh = load_fresh(&cfg, NULL);
    assert_same(fresh, c);
    pf_dataset_free(fresh);
    free(said);
    pf_dataset_free(a);
    pf_dataset_free(b);
    pf_dataset_free(c);
    remove_tree(scratch);
}

/* Shards write the same entry at once: each writes its own temporary file and renames it, so
 * a reader meanwhile finds no entry or a whole one, and no temporary file is left. */
static void test_racing_writers(void **state)
{
    (void)state;
    new_scratch();
    use_cache(scratch);
    pf_config cfg;
    c_heist(&cfg);
    pf_dataset *fresh = load_fresh(&cfg, NULL);
    pid_t kids[4];
    for (int k = 0; k < 4; k++) {
        fflush(NULL);
        if ((kids[k] = fork()) == 0) {
            for (int i = 0; i < 15; i++) pf_cache_store(&cfg, fresh);
            _exit(0);
        }
        assert_true(kids[k] > 0);
    }
    size_t hits = 0;
    for (int running = 4; running > 0;) {
        pf_dataset *ds = pf_cache_load(&cfg);
        if (ds) {
            assert_same(fresh, ds);
            hits++;
            pf_dataset_free(ds);
        }
        running = 0;
        for (int k = 0; k < 4; k++) {
            if (kids[k] == 0) continue;
            int status;
            pid_t w = waitpid(kids[k], &status, WNOHANG);
            if (w == kids[k]) {
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                kids[k] = 0;
            } else {
                running++;
            }
        }
    }
    print_message("%zu reads while 4 processes wrote the entry 15 times each\n", hits);
    assert_int_equal(count_files(scratch), 1);
    pf_dataset *ds = pf_cache_load(&cfg);
    assert_non_null(ds);
    assert_same(fresh, ds);
    pf_dataset_free(ds);
    pf_dataset_free(fresh);
    remove_tree(scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_miss_then_hit),
        cmocka_unit_test(test_separators),
        cmocka_unit_test(test_every_data_key_listed),
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_copy_hits),
        cmocka_unit_test(test_damaged_entries),
        cmocka_unit_test(test_resealed_damage),
        cmocka_unit_test(test_resealed_nonsense),
        cmocka_unit_test(test_location),
        cmocka_unit_test(test_synthetic_not_cached),
        cmocka_unit_test(test_unwritable),
        cmocka_unit_test(test_racing_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
