/* dataset.c: the dataset container (see dataset.h). Loading lives in load.c and the
 * modules it dispatches to; this file only allocates and frees. */
#include "data/dataset.h"
#include "base/alloc.h"
#include "base/path.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

/* "y" for one target, "y1", "y2", ... for more. */
static int default_target_names(pf_dataset *ds, pf_error *err)
{
    for (size_t k = 0; k < ds->n_targets; k++) {
        char name[32];
        if (ds->n_targets == 1)
            snprintf(name, sizeof name, "y");
        else
            snprintf(name, sizeof name, "y%zu", k + 1);
        if ((ds->target_names[k] = strdup(name)) == NULL)
            return pf_error_set(err, PF_ERUNTIME, "out of memory naming targets");
    }
    return PF_OK;
}

pf_dataset *pf_dataset_alloc(size_t n_windows, size_t n_features, size_t n_targets,
                             size_t n_participants, int with_groups, pf_error *err)
{
    size_t width = n_features > n_targets ? n_features : n_targets;
    if (width != 0 && n_windows > SIZE_MAX / sizeof(double) / width) {
        pf_error_set(err, PF_ERUNTIME, "dataset of %zu x %zu values is too large", n_windows,
                     width);
        return NULL;
    }
    pf_dataset *ds = pf_alloc(1, sizeof *ds, err);
    if (ds == NULL) return NULL;
    ds->n_windows = n_windows;
    ds->n_features = n_features;
    ds->n_targets = n_targets;
    ds->n_participants = n_participants;
    ds->task = PF_TASK_REGRESSION;
    ds->x = pf_alloc(n_windows * n_features, sizeof *ds->x, err);
    ds->y = pf_alloc(n_windows * n_targets, sizeof *ds->y, err);
    ds->target_names = pf_alloc(n_targets, sizeof *ds->target_names, err);
    ds->participant = pf_alloc(n_windows, sizeof *ds->participant, err);
    ds->offset = pf_alloc(n_participants + 1, sizeof *ds->offset, err);
    ds->feature_names = pf_alloc(n_features, sizeof *ds->feature_names, err);
    ds->participant_ids = pf_alloc(n_participants, sizeof *ds->participant_ids, err);
    if (with_groups) ds->group = pf_alloc(n_windows, sizeof *ds->group, err);
    ds->row = pf_alloc(n_windows, sizeof *ds->row, err);
    if (!ds->x || !ds->y || !ds->target_names || !ds->participant || !ds->offset ||
        !ds->feature_names || !ds->participant_ids || (with_groups && !ds->group) || !ds->row ||
        default_target_names(ds, err) != PF_OK) {
        pf_dataset_free(ds);
        return NULL;
    }
    for (size_t i = 0; i < n_windows; i++) ds->row[i] = i;
    return ds;
}

void pf_dataset_free(pf_dataset *ds)
{
    if (ds == NULL) return;
    free_strings(ds->feature_names, ds->n_features);
    free_strings(ds->participant_ids, ds->n_participants);
    free_strings(ds->group_names, ds->n_groups);
    free_strings(ds->target_names, ds->n_targets);
    free_strings(ds->class_names, ds->n_classes);
    free_strings(ds->attribute_names, ds->n_attributes);
    free_strings(ds->attribute_values, ds->n_participants * ds->n_attributes);
    for (size_t c = 0; ds->columns && c < ds->n_columns; c++) {
        free(ds->columns[c].name);
        free(ds->columns[c].use);
    }
    free(ds->columns);
    free(ds->x);
    free(ds->y);
    free(ds->participant);
    free(ds->group);
    free(ds->offset);
    free(ds->row);
    free(ds->time);
    free(ds->dropped);
    free(ds);
}

int pf_dataset_reserve_dropped(pf_dataset *ds, pf_error *err)
{
    pf_dropped_window *p = pf_alloc_resize(ds->dropped, ds->n_windows + 1, sizeof *p);
    if (p == NULL) return pf_error_set(err, PF_ERUNTIME, "out of memory (dropped windows)");
    ds->dropped = p;
    return PF_OK;
}

void pf_dataset_drop_window(pf_dataset *ds, size_t i, size_t participant, size_t before)
{
    ds->dropped[ds->n_dropped_windows++] = (pf_dropped_window){
        participant, ds->row[i], ds->time ? ds->time[i] : NAN, ds->y[i * ds->n_targets], before};
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pf_dataset_attribute_groups(char *const *values, size_t P, size_t A, size_t a,
                                const pf_config *cfg, char ***names, size_t *n_groups, int *of,
                                pf_error *err)
{
    *names = NULL, *n_groups = 0;
    char **sorted = pf_alloc(P + 1, sizeof *sorted, err);
    char **distinct = pf_alloc(P + 1, sizeof *distinct, err);
    if (err->code != PF_OK) {
        free(sorted), free(distinct);
        return err->code;
    }
    size_t n = 0, g = 0;
    for (size_t p = 0; p < P; p++)
        if (!pf_config_is_na(cfg, values[p * A + a])) sorted[n++] = values[p * A + a];
    qsort(sorted, n, sizeof *sorted, cmp_text);
    for (size_t i = 0; i < n && err->code == PF_OK; i++)
        if ((i == 0 || strcmp(sorted[i], sorted[i - 1]) != 0) &&
            !(distinct[g++] = strdup(sorted[i])))
            pf_error_set(err, PF_ERUNTIME, "out of memory (group names)");
    free(sorted);
    if (err->code != PF_OK) {
        for (size_t k = 0; k < g; k++) free(distinct[k]);
        free(distinct);
        return err->code;
    }
    for (size_t p = 0; p < P; p++) {
        const char *v = values[p * A + a];
        char **hit =
            pf_config_is_na(cfg, v) ? NULL : bsearch(&v, distinct, g, sizeof *distinct, cmp_text);
        of[p] = hit ? (int)(hit - distinct) : -1;
    }
    *names = distinct, *n_groups = g;
    return PF_OK;
}

void pf_dataset_describe(pf_dataset *ds, const char *what, size_t name_cap, const char *path)
{
    size_t cap = sizeof ds->description;
    memset(ds->description, 0, cap); /* the same bytes, whatever it said before */
    int at = snprintf(ds->description, cap, "%s", what);
    ds->description_name_at = at < 0 ? 0 : (size_t)at < cap ? (size_t)at : cap - 1;
    ds->description_name_cap = name_cap < cap ? name_cap : cap - 1;
    snprintf(ds->description + ds->description_name_at, cap - ds->description_name_at, "%.*s",
             (int)ds->description_name_cap, pf_path_base(path));
}

void pf_dataset_warn(pf_dataset *ds, const char *fmt, ...)
{
    static const char cut[] = "(more warnings were cut)\n";
    size_t used = strlen(ds->warning), cap = sizeof ds->warning, n_cut = sizeof cut - 1;
    if (used >= n_cut && strcmp(ds->warning + used - n_cut, cut) == 0) return;
    char line[sizeof ds->warning];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* Every line leaves room for the note, so the note always fits. */
    if (n >= 0 && used + (size_t)n + 1 + sizeof cut <= cap)
        snprintf(ds->warning + used, cap - used, "%s\n", line);
    else
        snprintf(ds->warning + used, cap - used, "%s", cut);
}

int pf_dataset_check_participants(const pf_dataset *ds, const int *parts, size_t n, pf_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (parts[i] < 0 || (size_t)parts[i] >= ds->n_participants)
            return pf_error_set(err, PF_ERUNTIME,
                                "participant index %d out of range (the data has %zu)", parts[i],
                                ds->n_participants);
    return PF_OK;
}

int *pf_dataset_window_groups(const pf_dataset *ds, const pf_config *cfg, const char *by,
                              size_t *n_groups, pf_error *err)
{
    int *group = pf_alloc(ds->n_windows + 1, sizeof *group, err);
    if (!group) return NULL;
    if (cfg->group_column[0] && strcmp(by, cfg->group_column) == 0) {
        if (ds->group) memcpy(group, ds->group, ds->n_windows * sizeof *group);
        for (size_t r = 0; !ds->group && r < ds->n_windows; r++) group[r] = -1;
        *n_groups = ds->n_groups;
        return group;
    }
    size_t A = ds->n_attributes, a = 0, g;
    while (a < A && strcmp(ds->attribute_names[a], by) != 0) a++;
    if (a == A) {
        free(group);
        pf_error_set(err, PF_EINPUT,
                     "'%s' is neither data.group_column nor one of data.attribute_columns, so "
                     "people cannot be grouped by it",
                     by);
        return NULL;
    }
    char **names = NULL;
    int *of = pf_alloc(ds->n_participants + 1, sizeof *of, err);
    if (!of || pf_dataset_attribute_groups(ds->attribute_values, ds->n_participants, A, a, cfg,
                                           &names, &g, of, err) != PF_OK) {
        free(of), free(group);
        return NULL;
    }
    for (size_t r = 0; r < ds->n_windows; r++) group[r] = of[ds->participant[r]];
    for (size_t k = 0; k < g; k++) free(names[k]);
    free(names), free(of);
    *n_groups = g;
    return group;
}
