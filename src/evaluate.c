/* evaluate.c: per-participant accuracy metrics (CCC, RMSE, Pearson r) and the summary of a
 * metric across participants (mean, sd, median, worst, 10th percentile, gap). See evaluate.h.
 *
 * Moments are computed in two passes (means first, then centred sums) in double: the one-pass
 * textbook formula sum(x^2) - n mean^2 cancels catastrophically when a participant's arousal
 * hardly varies, which is exactly the case where CCC is most fragile. */
#include "evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* Population (divide by n) means, variances and covariance of a float pair. */
typedef struct {
    double ma, mb, va, vb, cov;
} pair_moments;

static pair_moments moments(const float *a, const float *b, size_t n)
{
    pair_moments m = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        m.ma += a[i];
        m.mb += b[i];
    }
    m.ma /= (double)n;
    m.mb /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double da = a[i] - m.ma, db = b[i] - m.mb;
        m.va += da * da;
        m.vb += db * db;
        m.cov += da * db;
    }
    m.va /= (double)n;
    m.vb /= (double)n;
    m.cov /= (double)n;
    return m;
}

double pf_ccc(const float *yhat, const float *y, size_t n)
{
    if (n == 0) return NAN;
    pair_moments m = moments(yhat, y, n);
    double shift = m.ma - m.mb;
    double den = m.va + m.vb + shift * shift;
    /* den == 0 only when both are constant and equal: nothing to agree on (DESIGN 7). The
     * sums of n copies of one float are exact in double, so constants give exactly 0 here. */
    if (den == 0.0) return 0.0;
    return 2.0 * m.cov / den;
}

double pf_rmse(const float *yhat, const float *y, size_t n)
{
    if (n == 0) return NAN;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = (double)yhat[i] - (double)y[i];
        ss += e * e;
    }
    return sqrt(ss / (double)n);
}

double pf_pearson(const float *yhat, const float *y, size_t n)
{
    if (n == 0) return NAN;
    pair_moments m = moments(yhat, y, n);
    if (m.va == 0.0 || m.vb == 0.0) return 0.0; /* undefined: documented as 0 */
    double r = m.cov / sqrt(m.va * m.vb);
    return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
}

static void summary_nan(pf_summary *s, size_t n)
{
    s->n = n;
    s->mean = s->sd = s->median = s->min = s->p10 = s->max = s->gap = NAN;
}

void pf_summary_compute(const double *v, size_t n, pf_summary *s)
{
    summary_nan(s, n);
    if (n == 0) return;
    for (size_t i = 0; i < n; i++)
        if (isnan(v[i])) return;
    double *x = malloc(n * sizeof *x);
    if (x == NULL) return;
    memcpy(x, v, n * sizeof *x);
    gsl_sort(x, 1, n);
    s->mean = gsl_stats_mean(x, 1, n);
    if (n >= 2) s->sd = gsl_stats_sd_m(x, 1, n, s->mean);
    s->min = x[0];
    s->max = x[n - 1];
    s->gap = s->max - s->min;
    /* GSL's quantile_from_sorted_data is exactly the type-7 rule documented in the header;
     * its median averages the two middle values, which is type 7 at p = 0.5. */
    s->median = gsl_stats_median_from_sorted_data(x, 1, n);
    s->p10 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.10);
    free(x);
}
