/* evaluate.h: how good a model's predictions are for one participant, and how those
 * per-participant values are summarised across participants (DESIGN section 7).
 *
 * The metric functions take the model's float32 predictions and targets as they come out of
 * the network and accumulate in double, so the value does not depend on the order or the
 * float rounding of a running sum. They never fail: degenerate inputs have a documented value.
 * (Model-evaluation functions that run a network over a fold may be added below the metrics;
 * the metrics part depends on nothing but libc and GSL.) */
#ifndef PF_EVALUATE_H
#define PF_EVALUATE_H

#include <stddef.h>

/* ---- metrics for one participant: yhat = prediction, y = target, n windows ---- */

/* Lin's (1989) concordance correlation coefficient with population moments (divide by n):
 *   ccc = 2 cov(yhat, y) / (var yhat + var y + (mean yhat - mean y)^2).
 * Defined as 0 when the denominator is 0 (both vectors constant and equal): there is no
 * variation to agree on, and 0 is what the loss 1 - ccc should see. NaN when n == 0. */
double pf_ccc(const float *yhat, const float *y, size_t n);

/* Root mean squared error sqrt(mean((yhat - y)^2)). NaN when n == 0. */
double pf_rmse(const float *yhat, const float *y, size_t n);

/* Pearson's r. Defined as 0 when either vector has zero variance (a constant prediction
 * carries no linear association; this keeps tables free of NaN and matches ccc's convention).
 * Clamped to [-1, 1] against rounding. NaN when n == 0. */
double pf_pearson(const float *yhat, const float *y, size_t n);

/* ---- aggregation across participants ---- */

typedef struct {
    size_t n;      /* number of values summarised */
    double mean;   /* arithmetic mean */
    double sd;     /* sample standard deviation (divide by n - 1); NaN when n < 2 */
    double median; /* = the 50th percentile under the rule below */
    double min;    /* worst participant for a higher-is-better metric */
    double p10;    /* 10th percentile */
    double max;
    double gap; /* max - min */
} pf_summary;

/* Fill s with the summary of v[0..n-1] (v is not modified).
 * Percentiles use linear interpolation between order statistics, i.e. Hyndman & Fan (1996)
 * type 7, the default of R's quantile() and numpy.percentile: with x sorted ascending and
 * h = (n - 1) p, q = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
 * Every field is NaN when n == 0, when any value is NaN, or if the scratch copy cannot be
 * allocated (never in practice: one double per participant). */
void pf_summary_compute(const double *v, size_t n, pf_summary *s);

#endif
