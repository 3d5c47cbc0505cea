/* moments.h: the two-pass moments of a pair of vectors, and Lin's concordance correlation
 * coefficient made of them: the one CCC of prunefair, shared by the metric (metric.h) and the
 * training loss 1 - CCC (loss.h), so the number a model is scored on and the one it minimises
 * cannot drift apart (docs/metrics.md#regression-one-output). Sums are in double, from float32
 * inputs (the loss, on the network's outputs) or from double inputs (the metrics, on predictions
 * mapped back to the data's units in double); both versions are one text, the same sums in the
 * same order. */
#ifndef PF_MOMENTS_H
#define PF_MOMENTS_H

#include <stddef.h>

/* Lin's (1989) concordance correlation coefficient with population moments (divide by n):
 *   ccc = 2 cov(yhat, y) / (var yhat + var y + (mean yhat - mean y)^2).
 * Defined as 0 when the denominator is 0 (both vectors constant and equal): there is no
 * variation to agree on, and 0 is what the loss 1 - ccc should see. NaN when n == 0. */
double pf_moments_ccc(const float *yhat, const float *y, size_t n);

/* The same CCC of double vectors: what the metrics score (docs/metrics.md#per-participant-metrics),
 * so that a prediction is never rounded to float32 on its way to a metric. */
double pf_moments_ccc_double(const double *yhat, const double *y, size_t n);

/* Means, population variances (divide by n) and covariance of a pair, in two passes: the
 * moments pf_moments_ccc and the metrics' Pearson r are made of, for a caller that needs them
 * too (the CCC loss's gradient), so both compute exactly the same numbers. */
typedef struct {
    double ma, mb, va, vb, cov;
} pf_moments;
pf_moments pf_moments_pair(const float *a, const float *b, size_t n);

/* The same moments of double vectors (pf_moments_ccc_double, the metrics' Pearson r). */
pf_moments pf_moments_pair_double(const double *a, const double *b, size_t n);

#endif
