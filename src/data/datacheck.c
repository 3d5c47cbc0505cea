/* datacheck.c: warnings about constant features and constant targets (see datacheck.h). */
#include "data/datacheck.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NAMED 5 /* names listed in one warning; the rest are counted */

/* Up to NAMED quoted names, and how many there were in all. */
typedef struct {
    char text[400];
    size_t n;
} name_list;

static void add_name(name_list *l, const char *name)
{
    size_t used = strlen(l->text);
    if (l->n < NAMED)
        snprintf(l->text + used, sizeof l->text - used, "%s'%.60s'", l->n ? ", " : "", name);
    l->n++;
}

/* " and 7 more" when more than NAMED were counted, else "". */
static const char *more(const name_list *l, char *buf, size_t size)
{
    buf[0] = '\0';
    if (l->n > NAMED) snprintf(buf, size, " and %zu more", l->n - NAMED);
    return buf;
}

/* 1 when the column (stride apart, n values) holds one value, missing cells (NaN) aside, and
 * at least one value; *value is that value. */
static int constant(const double *v, size_t n, size_t stride, double *value)
{
    size_t i = 0;
    while (i < n && isnan(v[i * stride])) i++;
    if (i == n) return 0;
    *value = v[i * stride];
    for (; i < n; i++)
        if (!isnan(v[i * stride]) && v[i * stride] != *value) return 0;
    return 1;
}

static void constant_features(pf_dataset *ds)
{
    name_list l = {{0}, 0};
    double value = 0, first = 0;
    for (size_t j = 0; j < ds->n_features; j++)
        if (constant(ds->x + j, ds->n_windows, ds->n_features, &value)) {
            if (l.n == 0) first = value;
            add_name(&l, ds->feature_names[j]);
        }
    char buf[40];
    if (l.n == 1)
        pf_dataset_warn(ds,
                        "feature %s has the same value (%g) in all %zu windows: nothing can be "
                        "learned from it (list it in data.drop_columns to leave it out)",
                        l.text, first, ds->n_windows);
    else if (l.n > 1)
        pf_dataset_warn(ds,
                        "%zu features have one value each in all %zu windows: %s%s; nothing can "
                        "be learned from them (list them in data.drop_columns to leave them out)",
                        l.n, ds->n_windows, l.text, more(&l, buf, sizeof buf));
}

static void constant_targets(pf_dataset *ds)
{
    if (pf_dataset_shape(ds)->labels) return; /* a class label's constancy is check_classes' */
    size_t T = ds->n_targets;
    for (size_t k = 0; k < T; k++) {
        name_list l = {{0}, 0};
        for (size_t p = 0; p < ds->n_participants; p++) {
            double value;
            const double *y = ds->y + ds->offset[p] * T + k;
            if (constant(y, pf_dataset_count(ds, p), T, &value)) /* one window included */
                add_name(&l, ds->participant_ids[p]);
        }
        char buf[40];
        if (l.n == 1)
            pf_dataset_warn(ds,
                            "participant %s has one value of target '%s' in every window: its "
                            "CCC and Pearson r are 0 by definition, whatever is predicted, and "
                            "count in every mean and test (check the file, or leave it out)",
                            l.text, ds->target_names[k]);
        else if (l.n > 1)
            pf_dataset_warn(ds,
                            "%zu of %zu participants (%s%s) have one value of target '%s' in "
                            "every window: their CCC and Pearson r are 0 by definition, whatever "
                            "is predicted, and count in every mean and test (check the file, or "
                            "leave them out)",
                            l.n, ds->n_participants, l.text, more(&l, buf, sizeof buf),
                            ds->target_names[k]);
    }
}

void pf_datacheck_warn(pf_dataset *ds)
{
    constant_features(ds);
    constant_targets(ds);
}
