/* moments.c: the moments of a pair of vectors, and Lin's CCC made of them (see moments.h).
 *
 * Two passes (means first, then centred sums) in double: the one-pass textbook formula
 * sum(x^2) - n mean^2 cancels catastrophically when a participant's arousal hardly varies,
 * which is exactly the case where CCC is most fragile. The float32 and the double versions are
 * one text (the macros below), so they are the same sums, in the same order, by construction. */
#include "base/moments.h"

#include <math.h>

/* The two passes over a and b, of any element type that converts to double exactly. */
#define MOMENTS_PAIR(a, b, n)                                                                      \
    do {                                                                                           \
        pf_moments m_ = {0, 0, 0, 0, 0};                                                           \
        for (size_t i = 0; i < (n); i++) {                                                         \
            m_.ma += (a)[i];                                                                       \
            m_.mb += (b)[i];                                                                       \
        }                                                                                          \
        m_.ma /= (double)(n);                                                                      \
        m_.mb /= (double)(n);                                                                      \
        for (size_t i = 0; i < (n); i++) {                                                         \
            double da = (a)[i] - m_.ma, db = (b)[i] - m_.mb;                                       \
            m_.va += da * da;                                                                      \
            m_.vb += db * db;                                                                      \
            m_.cov += da * db;                                                                     \
        }                                                                                          \
        m_.va /= (double)(n);                                                                      \
        m_.vb /= (double)(n);                                                                      \
        m_.cov /= (double)(n);                                                                     \
        return m_;                                                                                 \
    } while (0)

pf_moments pf_moments_pair(const float *a, const float *b, size_t n)
{
    MOMENTS_PAIR(a, b, n);
}

pf_moments pf_moments_pair_double(const double *a, const double *b, size_t n)
{
    MOMENTS_PAIR(a, b, n);
}

/* Lin's CCC of moments m. den == 0 only when both are constant and equal: nothing to agree on
 * (docs/metrics.md#regression-one-output). The sums of n copies of one value are exact in
 * double, so constants give exactly 0 here. */
static double ccc_of(pf_moments m)
{
    double shift = m.ma - m.mb;
    double den = m.va + m.vb + shift * shift;
    if (den == 0.0) return 0.0;
    return 2.0 * m.cov / den;
}

double pf_moments_ccc(const float *yhat, const float *y, size_t n)
{
    if (n == 0) return NAN;
    return ccc_of(pf_moments_pair(yhat, y, n));
}

double pf_moments_ccc_double(const double *yhat, const double *y, size_t n)
{
    if (n == 0) return NAN;
    return ccc_of(pf_moments_pair_double(yhat, y, n));
}
