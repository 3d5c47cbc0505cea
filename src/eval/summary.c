/* summary.c: across-participant statistics of one metric for one variant (mean, sd, median,
 * worst, tails, gap, delta against dense). See summary.h.
 *
 * Everything is read off one sorted copy with GSL, whose quantile_from_sorted_data is exactly
 * the type-7 rule the header documents; the deltas reuse the same routine on the differences,
 * so a table that shows "mean delta" and a script that averages per-participant differences
 * agree to the last bit. */
#include "eval/summary.h"

#include <stddef.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

static void summary_nan(pf_summary *s, size_t n)
{
    s->n = n;
    s->mean = s->sd = s->median = s->min = s->p10 = s->max = s->gap = NAN;
}

static int any_nan(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(v[i])) return 1;
    return 0;
}

/* Sort x[0..n-1] (n >= 1, no NaN) in place and summarise it. */
static void summarise_in_place(double *x, size_t n, pf_summary *s)
{
    gsl_sort(x, 1, n);
    s->n = n;
    s->mean = gsl_stats_mean(x, 1, n);
    s->sd = n >= 2 ? gsl_stats_sd_m(x, 1, n, s->mean) : NAN;
    s->min = x[0];
    s->max = x[n - 1];
    s->gap = s->max - s->min;
    /* GSL's median averages the two middle values, which is type 7 at p = 0.5. */
    s->median = gsl_stats_median_from_sorted_data(x, 1, n);
    s->p10 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.10);
}

void pf_summary_compute(const double *v, size_t n, pf_summary *s)
{
    summary_nan(s, n);
    if (n == 0 || any_nan(v, n)) return;
    double *x = malloc(n * sizeof *x);
    if (x == NULL) return;
    memcpy(x, v, n * sizeof *x);
    summarise_in_place(x, n, s);
    free(x);
}

static void full_nan(pf_summary_full *f, size_t n, int higher_is_better)
{
    summary_nan(&f->s, n);
    f->higher_is_better = higher_is_better != 0;
    f->p90 = f->worst = f->best = f->tail = f->delta_mean = f->delta_worst = NAN;
}

void pf_summary_full_compute(const double *v, const double *dense, size_t n, int higher_is_better,
                             pf_summary_full *f)
{
    full_nan(f, n, higher_is_better);
    if (n == 0 || any_nan(v, n)) return;
    double *x = malloc(2 * n * sizeof *x);
    if (x == NULL) return;
    double *d = x + n;
    memcpy(x, v, n * sizeof *x);
    summarise_in_place(x, n, &f->s);
    f->p90 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.90);
    int up = f->higher_is_better;
    f->worst = up ? f->s.min : f->s.max;
    f->best = up ? f->s.max : f->s.min;
    f->tail = up ? f->s.p10 : f->p90;
    if (dense != NULL && !any_nan(dense, n)) {
        pf_summary ds;
        for (size_t i = 0; i < n; i++) d[i] = v[i] - dense[i];
        summarise_in_place(d, n, &ds);
        f->delta_mean = ds.mean;
        f->delta_worst = up ? ds.min : ds.max;
    }
    free(x);
}

#define FIELD(name, f, csv)                                                                        \
    {                                                                                              \
        name, offsetof(pf_summary_full, f), csv                                                    \
    }
static const pf_summary_field FIELDS[] = {
    FIELD("mean", s.mean, 1),
    FIELD("sd", s.sd, 1),
    FIELD("median", s.median, 1),
    FIELD("worst", worst, 1),
    FIELD("tail", tail, 1),
    FIELD("best", best, 1),
    FIELD("gap", s.gap, 1),
    FIELD("mean_delta", delta_mean, 1),
    FIELD("worst_delta", delta_worst, 1),
    FIELD("min", s.min, 0),
    FIELD("p10", s.p10, 0),
    FIELD("p90", p90, 0),
    FIELD("max", s.max, 0),
};

const pf_summary_field *pf_summary_fields(size_t *n)
{
    *n = sizeof FIELDS / sizeof FIELDS[0];
    return FIELDS;
}
