/* summary.h: the one place that summarises a metric across participants
 * (docs/metrics.md#summaries-across-participants).
 *
 * Tables, figures, the results file and the end-of-run printout all show "mean, sd, worst,
 * 10th percentile, gap, delta against dense" of some metric for some variant; computing those
 * here once keeps the numbers identical wherever they appear and makes the percentile rule and
 * the meaning of "worst" for an error metric (RMSE: the largest) a single decision.
 *
 * Input is one value per participant, repeats already averaged (the caller's job: repeats are
 * kept apart in the results and averaged per participant first). Depends on libc and GSL. */
#ifndef PF_SUMMARY_H
#define PF_SUMMARY_H

#include <stddef.h>

/* Direction-free summary: min is the worst participant only for a higher-is-better metric. */
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

/* The summary of one (metric, variant), with the metric's direction applied. */
typedef struct {
    pf_summary s;         /* as pf_summary_compute: identical numbers */
    int higher_is_better; /* the direction the fields below follow */
    double p90;           /* 90th percentile (type 7) */
    double worst;         /* min if higher is better, else max */
    double best;          /* max if higher is better, else min */
    double tail;          /* the bad tail's 10th percentile: p10, or p90 when lower is better */
    double delta_mean;    /* mean over participants of (value - dense value) */
    double delta_worst;   /* the worst participant delta: min, or max when lower is better */
} pf_summary_full;

/* The fields of pf_summary_full that are numbers, each one row: its name (summary.csv's column
 * and results.h5's /summary dataset), where it is, and whether summary.csv has it (in this
 * order; results.h5 has them all). The one list both writers loop over. */
typedef struct {
    const char *name;
    size_t off; /* of a double in pf_summary_full */
    int in_csv;
} pf_summary_field;

const pf_summary_field *pf_summary_fields(size_t *n);

/* Fill f with the summary of v[0..n-1] (one value per participant) for a metric whose
 * direction is higher_is_better (non-zero: CCC, accuracy; zero: RMSE). dense, when not NULL,
 * holds the same participants' values of the dense model in the same order, for the deltas;
 * NULL leaves them NaN. The deltas are the mean and the extreme of v[p] - dense[p] computed
 * exactly as pf_summary_compute computes a mean and an extreme, so they equal what a caller
 * gets by summarising the differences itself. NaN rules as pf_summary_compute: a NaN in v
 * makes everything NaN, a NaN in dense makes the deltas NaN. */
void pf_summary_full_compute(const double *v, const double *dense, size_t n, int higher_is_better,
                             pf_summary_full *f);

#endif
