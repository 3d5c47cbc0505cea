/* recommend.c: the variant to deploy (see recommend.h). */
#include "report/recommend.h"

#include <math.h>

/* Whether every model of variant v was evaluated: no task record diverged. */
static int all_run(const pf_results *r, size_t v)
{
    for (size_t f = 0; f < r->n_folds; f++)
        for (size_t k = 0; k < r->n_rep; k++)
            if (pf_results_record(r, f, k, v)->diverged) return 0;
    return 1;
}

long pf_recommend_variant(const pf_results *r, double size_budget_bytes)
{
    int higher = r->metrics->slot[r->primary].metric->higher_is_better;
    long best = -1;
    double best_mean = NAN, best_bytes = NAN;
    for (size_t v = 0; v < r->n_var; v++) {
        double mean = pf_results_summary(r, r->primary, v)->s.mean;
        double bytes = pf_results_stored_bytes(r, v);
        if (!isfinite(mean) || !all_run(r, v)) continue;
        if (size_budget_bytes > 0 && !(bytes <= size_budget_bytes)) continue;
        int better = best < 0 || (higher ? mean > best_mean : mean < best_mean) ||
                     (mean == best_mean && bytes < best_bytes);
        if (better) best = (long)v, best_mean = mean, best_bytes = bytes;
    }
    return best;
}
