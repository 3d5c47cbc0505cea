/* sweepfile.c: reading a sweep file, and the points of its grid (see sweepfile.h).
 *
 * The file is read line by line here rather than through inih: a sweep's value lists (data
 * paths, widths) outgrow inih's 200-character lines, and the file has one section of a few
 * kinds of lines. */
#include "sweep/sweepfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

/* A line without its comment: ';' or '#' first, or ';' after a blank. */
static void strip_comment(char *s)
{
    char *t = s + strspn(s, " \t");
    if (*t == ';' || *t == '#') {
        *s = '\0';
        return;
    }
    for (char *p = s; *p; p++)
        if (*p == ';' && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
}

typedef struct {
    const char *path;
    pf_error *err;
} reader;

static int bad(const reader *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(const reader *r, int line, const char *fmt, ...)
{
    char why[3000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return pf_error_set(r->err, PF_EINPUT, "%s:%d: %s", r->path, line, why);
}

/* Split "a | b | c" into trimmed items; an empty item is an error. */
static int split_bars(const reader *r, int line, const char *key, const char *text, char ***out,
                      size_t *n)
{
    char *copy = pf_alloc_text(text, r->err);
    if (!copy) return r->err->code;
    *n = 0;
    *out = pf_alloc(PF_SWEEP_MAX_VALUES, sizeof **out, r->err);
    int rc = *out ? PF_OK : r->err->code;
    char *p = copy;
    while (rc == PF_OK) {
        char *bar = strchr(p, '|');
        if (bar) *bar = '\0';
        char *item = trim(p);
        if (*item == '\0')
            rc = bad(r, line, "%s: value %zu is empty (a value between two '|' or at an end)", key,
                     *n + 1);
        else if (*n == PF_SWEEP_MAX_VALUES)
            rc = bad(r, line, "%s: more than %d values", key, PF_SWEEP_MAX_VALUES);
        else if (!((*out)[(*n)++] = pf_alloc_text(item, r->err)))
            rc = r->err->code;
        if (!bar) break;
        p = bar + 1;
    }
    free(copy);
    if (rc != PF_OK && *out) { /* nothing half-made is left to the caller */
        for (size_t i = 0; i < *n; i++) free((*out)[i]);
        free(*out);
        *out = NULL, *n = 0;
    }
    return rc;
}

static pf_sweep_axis *find_axis(pf_sweepfile *sw, const char *key)
{
    for (size_t a = 0; a < sw->n_axes; a++)
        if (strcmp(sw->axis[a].key, key) == 0) return &sw->axis[a];
    return NULL;
}

/* SECTION.KEY: a word, a dot, a word (the config decides later whether it is a key). */
static int is_key(const char *k)
{
    const char *dot = strchr(k, '.');
    if (!dot || dot == k || !dot[1] || strchr(dot + 1, '.')) return 0;
    for (const char *p = k; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '.'))
            return 0;
    return 1;
}

static int is_number(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    return end != s && *end == '\0' && errno == 0 && isfinite(v);
}

/* One "key = value" of the [sweep] section. Labels and zips wait for every axis (pending). */
typedef struct {
    int line;
    char key[2 * PF_MAX_NAME + 8];
    char *value;
} entry;

static int take_axis(pf_sweepfile *sw, const reader *r, const entry *e)
{
    if (find_axis(sw, e->key))
        return bad(r, e->line, "%s is an axis twice (keep one line)", e->key);
    if (sw->n_axes == PF_SWEEP_MAX_AXES)
        return bad(r, e->line, "more than %d axes", PF_SWEEP_MAX_AXES);
    pf_sweep_axis *ax = &sw->axis[sw->n_axes];
    memset(ax, 0, sizeof *ax);
    snprintf(ax->key, sizeof ax->key, "%s", e->key);
    ax->line = e->line;
    ax->group = sw->n_axes;
    if (*e->value == '\0')
        return bad(r, e->line, "the axis %s has no values (write V1 | V2 | ...)", e->key);
    if (split_bars(r, e->line, e->key, e->value, &ax->value, &ax->n) != PF_OK) return r->err->code;
    sw->n_axes++;
    ax->numeric = 1;
    for (size_t i = 0; i < ax->n; i++) {
        ax->numeric &= is_number(ax->value[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(ax->value[i], ax->value[j]) == 0)
                return bad(r, e->line, "%s: '%s' is listed twice", e->key, ax->value[i]);
    }
    return PF_OK;
}

static int take_label(pf_sweepfile *sw, const reader *r, const entry *e)
{
    const char *key = e->key + strlen("label.");
    pf_sweep_axis *ax = find_axis(sw, key);
    if (!ax)
        return bad(r, e->line, "%s labels %s, which is not an axis of this sweep", e->key, key);
    if (ax->label) return bad(r, e->line, "%s is given twice (keep one line)", e->key);
    size_t n;
    if (split_bars(r, e->line, e->key, e->value, &ax->label, &n) != PF_OK) return r->err->code;
    if (n != ax->n)
        return bad(r, e->line, "%s has %zu labels for the %zu values of %s", e->key, n, ax->n, key);
    return PF_OK;
}

static int take_zip(pf_sweepfile *sw, const reader *r, const entry *e)
{
    char *copy = pf_alloc_text(e->value, r->err);
    if (!copy) return r->err->code;
    int rc = PF_OK;
    size_t first = PF_SWEEP_MAX_AXES, count = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == PF_OK;
         tok = strtok_r(NULL, ",", &save)) {
        char *k = trim(tok);
        pf_sweep_axis *ax = find_axis(sw, k);
        if (!ax)
            rc = bad(r, e->line, "zip names '%s', which is not an axis of this sweep", k);
        else if (ax->group != (size_t)(ax - sw->axis))
            rc = bad(r, e->line, "zip: %s is already zipped with another axis", k);
        else if (first == PF_SWEEP_MAX_AXES)
            first = (size_t)(ax - sw->axis), count = 1;
        else if (ax->n != sw->axis[first].n)
            rc = bad(r, e->line,
                     "zip: %s has %zu values and %s %zu; zipped axes pair their values "
                     "one to one",
                     k, ax->n, sw->axis[first].key, sw->axis[first].n);
        else
            ax->group = first, count++;
    }
    if (rc == PF_OK && count < 2)
        rc = bad(r, e->line, "zip needs at least two axes, e.g. zip = %s",
                 "data.path, data.target_column");
    free(copy);
    return rc;
}

/* The whole [sweep] section as entries, continuation lines joined with a space. */
static int read_entries(FILE *fp, const reader *r, entry **out, size_t *n)
{
    char *line = NULL;
    size_t cap = 0, max = 0;
    int no = 0, in_section = 0, rc = PF_OK;
    ssize_t len;
    *out = NULL, *n = 0;
    while (rc == PF_OK && (len = getline(&line, &cap, fp)) >= 0) {
        no++;
        (void)len;
        if (no == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
            memmove(line, line + 3, strlen(line) - 2);
        int indented = line[0] == ' ' || line[0] == '\t';
        strip_comment(line);
        char *t = trim(line);
        if (*t == '\0') continue;
        if (*t == '[') {
            char *end = strchr(t, ']');
            if (!end || end[1] != '\0') {
                rc = bad(r, no, "expected '[section]'");
                break;
            }
            *end = '\0';
            in_section = strcmp(t + 1, "sweep") == 0;
            if (!in_section)
                rc = bad(r, no,
                         "unknown section [%s]: a sweep file has one section, [sweep] (the "
                         "study's keys go on the axes as SECTION.KEY = V1 | V2)",
                         t + 1);
            continue;
        }
        if (!in_section) {
            rc = bad(r, no, "'%s' comes before the [sweep] section", t);
            break;
        }
        if (indented && *n > 0 && !strchr(t, '=')) {
            entry *e = &(*out)[*n - 1];
            size_t old = strlen(e->value);
            char *v = realloc(e->value, old + strlen(t) + 2);
            if (!v) {
                rc = pf_error_set(r->err, PF_ERUNTIME, "out of memory reading %s", r->path);
                break;
            }
            snprintf(v + old, strlen(t) + 2, " %s", t);
            e->value = v;
            continue;
        }
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = bad(r, no, "expected 'key = value'");
            break;
        }
        *eq = '\0';
        if (*n == max) {
            max = max ? 2 * max : 16;
            entry *grown = pf_alloc_resize(*out, max, sizeof *grown);
            if (!grown) {
                rc = pf_error_set(r->err, PF_ERUNTIME, "out of memory reading %s", r->path);
                break;
            }
            *out = grown;
        }
        entry *e = &(*out)[(*n)++];
        e->line = no;
        snprintf(e->key, sizeof e->key, "%s", trim(t));
        if (!(e->value = pf_alloc_text(trim(eq + 1), r->err))) rc = r->err->code;
    }
    free(line);
    return rc;
}

/* A path relative to the sweep file's folder when it exists there, else as given. */
static void resolve_base(pf_sweepfile *sw)
{
    const char *slash = strrchr(sw->path, '/');
    snprintf(sw->base_path, sizeof sw->base_path, "%s", sw->base);
    if (sw->base[0] == '/' || !slash) return;
    char there[2 * PF_MAX_STR];
    snprintf(there, sizeof there, "%.*s/%s", (int)(slash - sw->path), sw->path, sw->base);
    if (access(there, F_OK) == 0) snprintf(sw->base_path, sizeof sw->base_path, "%s", there);
}

static int take_entries(pf_sweepfile *sw, const reader *r, entry *e, size_t n)
{
    /* Axes first (labels and zips may come before the axis they name), then the rest. */
    for (size_t i = 0; i < n; i++) {
        if (strcmp(e[i].key, "name") == 0) {
            if (sw->name[0]) return bad(r, e[i].line, "name is given twice");
            if (snprintf(sw->name, sizeof sw->name, "%s", e[i].value) >= (int)sizeof sw->name ||
                !*e[i].value ||
                strspn(e[i].value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789._-") != strlen(e[i].value) ||
                e[i].value[0] == '.')
                return bad(r, e[i].line,
                           "name = '%s': use letters, digits, '.', '_' and '-' only (it names "
                           "the sweep's folder), not starting with '.'",
                           e[i].value);
        } else if (strcmp(e[i].key, "base") == 0) {
            if (sw->base[0]) return bad(r, e[i].line, "base is given twice");
            if (!*e[i].value) return bad(r, e[i].line, "base is empty: name the study config");
            snprintf(sw->base, sizeof sw->base, "%s", e[i].value);
        } else if (strncmp(e[i].key, "label.", 6) == 0 || strcmp(e[i].key, "zip") == 0) {
            continue;
        } else if (strcmp(e[i].key, "set") == 0) {
            const char *eq = strchr(e[i].value, '=');
            char key[2 * PF_MAX_NAME + 8];
            snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - e[i].value) : 0, e[i].value);
            if (!eq || !is_key(trim(key)))
                return bad(r, e[i].line, "set = '%s': expected SECTION.KEY=VALUE, as --set takes",
                           e[i].value);
            char **grown = pf_alloc_resize(sw->set, sw->n_sets + 1, sizeof *grown);
            if (!grown) return pf_error_set(r->err, PF_ERUNTIME, "out of memory");
            sw->set = grown;
            if (!(sw->set[sw->n_sets++] = pf_alloc_text(e[i].value, r->err))) return r->err->code;
        } else if (is_key(e[i].key)) {
            if (take_axis(sw, r, &e[i]) != PF_OK) return r->err->code;
        } else {
            static const char *const known[] = {"name", "base", "zip", "set"};
            const char *near = pf_error_closest(e[i].key, known, 4);
            return bad(r, e[i].line,
                       "unknown key '%s' (a sweep file has name, base, axes SECTION.KEY = V1 | "
                       "V2, label.SECTION.KEY, zip and set)%s%s%s",
                       e[i].key, near ? "; did you mean '" : "", near ? near : "",
                       near ? "'?" : "");
        }
    }
    for (size_t i = 0; i < n; i++)
        if (strncmp(e[i].key, "label.", 6) == 0 && take_label(sw, r, &e[i]) != PF_OK)
            return r->err->code;
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].key, "zip") == 0 && take_zip(sw, r, &e[i]) != PF_OK) return r->err->code;
    if (!sw->name[0]) return bad(r, 1, "no name = ... (it names the sweep's folder)");
    if (!sw->base[0]) return bad(r, 1, "no base = CONFIG.ini (the study every point starts from)");
    if (sw->n_axes == 0) return bad(r, 1, "no axis: write SECTION.KEY = V1 | V2 | ...");
    return PF_OK;
}

static int finish(pf_sweepfile *sw, const reader *r)
{
    for (size_t a = 0; a < sw->n_axes; a++) {
        pf_sweep_axis *ax = &sw->axis[a];
        if (!ax->label) {
            if (!(ax->label = pf_alloc(ax->n, sizeof *ax->label, r->err))) return r->err->code;
            for (size_t i = 0; i < ax->n; i++)
                if (!(ax->label[i] = pf_alloc_text(ax->value[i], r->err))) return r->err->code;
        }
        if (ax->group == a) {
            sw->group_first[sw->n_groups] = a;
            sw->group_len[sw->n_groups++] = ax->n;
        }
    }
    sw->n_points = 1;
    for (size_t g = 0; g < sw->n_groups; g++) {
        sw->n_points *= sw->group_len[g];
        if (sw->n_points > PF_SWEEP_MAX_POINTS)
            return bad(r, 1, "the grid has more than %d points", PF_SWEEP_MAX_POINTS);
    }
    resolve_base(sw);
    return PF_OK;
}

int pf_sweepfile_load(pf_sweepfile *sw, const char *path, pf_error *err)
{
    memset(sw, 0, sizeof *sw);
    snprintf(sw->path, sizeof sw->path, "%s", path);
    reader r = {path, err};
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return pf_error_set(err, PF_EINPUT, "cannot open sweep file '%s': %s", path,
                            stat(path, &st) != 0 ? strerror(errno) : "not a file");
    FILE *fp = fopen(path, "r");
    if (!fp)
        return pf_error_set(err, PF_EINPUT, "cannot open sweep file '%s': %s", path,
                            strerror(errno));
    entry *e;
    size_t n;
    int rc = read_entries(fp, &r, &e, &n);
    fclose(fp);
    if (rc == PF_OK) rc = take_entries(sw, &r, e, n);
    if (rc == PF_OK) rc = finish(sw, &r);
    for (size_t i = 0; i < n; i++) free(e[i].value);
    free(e);
    return rc;
}

void pf_sweepfile_free(pf_sweepfile *sw)
{
    for (size_t a = 0; a < sw->n_axes; a++) {
        pf_sweep_axis *ax = &sw->axis[a];
        for (size_t i = 0; i < ax->n; i++) {
            if (ax->value) free(ax->value[i]);
            if (ax->label) free(ax->label[i]);
        }
        free(ax->value), free(ax->label);
    }
    for (size_t i = 0; i < sw->n_sets; i++) free(sw->set[i]);
    free(sw->set);
    memset(sw, 0, sizeof *sw);
}

void pf_sweepfile_point(const pf_sweepfile *sw, size_t p, size_t *idx)
{
    size_t g_idx[PF_SWEEP_MAX_AXES];
    for (size_t g = sw->n_groups; g-- > 0;) {
        g_idx[g] = p % sw->group_len[g];
        p /= sw->group_len[g];
    }
    for (size_t a = 0; a < sw->n_axes; a++) {
        size_t g = 0;
        while (sw->group_first[g] != sw->axis[a].group) g++;
        idx[a] = g_idx[g];
    }
}

void pf_sweepfile_overrides(const pf_sweepfile *sw, size_t p, char (*text)[PF_MAX_TEXT + 128])
{
    size_t idx[PF_SWEEP_MAX_AXES];
    pf_sweepfile_point(sw, p, idx);
    for (size_t a = 0; a < sw->n_axes; a++)
        snprintf(text[a], PF_MAX_TEXT + 128, "%s=%s", sw->axis[a].key, sw->axis[a].value[idx[a]]);
}

void pf_sweepfile_describe(const pf_sweepfile *sw, size_t p, char *out, size_t cap)
{
    size_t idx[PF_SWEEP_MAX_AXES], len = 0;
    pf_sweepfile_point(sw, p, idx);
    out[0] = '\0';
    for (size_t a = 0; a < sw->n_axes && len < cap; a++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s=%s", a ? ", " : "", sw->axis[a].key,
                                sw->axis[a].label[idx[a]]);
}

/* Append to a growing text. */
static int put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0) return -1;
        if (*len + (size_t)n < *cap) {
            *len += (size_t)n;
            return 0;
        }
        size_t grown = 2 * *cap + (size_t)n;
        char *b = realloc(*buf, grown);
        if (!b) return -1;
        *buf = b, *cap = grown;
    }
}

char *pf_sweepfile_canonical(const pf_sweepfile *sw, const char *const *sets, size_t n_sets)
{
    size_t len = 0, cap = 1024;
    char *t = malloc(cap);
    if (!t) return NULL;
    int bad_put = put(&t, &len, &cap, "[sweep]\nname = %s\nbase = %s\n", sw->name, sw->base);
    for (size_t a = 0; a < sw->n_axes; a++) {
        const pf_sweep_axis *ax = &sw->axis[a];
        bad_put |= put(&t, &len, &cap, "%s =", ax->key);
        for (size_t i = 0; i < ax->n; i++)
            bad_put |= put(&t, &len, &cap, "%s %s", i ? " |" : "", ax->value[i]);
        bad_put |= put(&t, &len, &cap, "\nlabel.%s =", ax->key);
        for (size_t i = 0; i < ax->n; i++)
            bad_put |= put(&t, &len, &cap, "%s %s", i ? " |" : "", ax->label[i]);
        bad_put |= put(&t, &len, &cap, "\n");
    }
    for (size_t a = 0; a < sw->n_axes; a++) {
        if (sw->axis[a].group != a) continue;
        size_t members = 0;
        for (size_t b = a; b < sw->n_axes; b++) members += sw->axis[b].group == a;
        if (members < 2) continue;
        bad_put |= put(&t, &len, &cap, "zip =");
        for (size_t b = a, k = 0; b < sw->n_axes; b++)
            if (sw->axis[b].group == a)
                bad_put |= put(&t, &len, &cap, "%s %s", k++ ? "," : "", sw->axis[b].key);
        bad_put |= put(&t, &len, &cap, "\n");
    }
    for (size_t i = 0; i < sw->n_sets; i++)
        bad_put |= put(&t, &len, &cap, "set = %s\n", sw->set[i]);
    for (size_t i = 0; i < n_sets; i++) bad_put |= put(&t, &len, &cap, "set = %s\n", sets[i]);
    if (bad_put) {
        free(t);
        return NULL;
    }
    return t;
}
