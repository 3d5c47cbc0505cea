/* moments.c: the moments of a pair of vectors, and Lin's CCC made of them (see moments.h).
 *
 * Two passes (means first, then centred sums) in double: the one-pass textbook formula
 * sum(x^2) - n mean^2 cancels catastrophically when a participant's arousal hardly varies,
 * which is exactly the case where CCC is most fragile. */
#include "base/moments.h"

#include <math.h>

pf_moments pf_moments_pair(const float *a, const float *b, size_t n)
{
    pf_moments m = {0, 0, 0, 0, 0};
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

double pf_moments_ccc(const float *yhat, const float *y, size_t n)
{
    if (n == 0) return NAN;
    pf_moments m = pf_moments_pair(yhat, y, n);
    double shift = m.ma - m.mb;
    double den = m.va + m.vb + shift * shift;
    /* den == 0 only when both are constant and equal: nothing to agree on
     * (docs/metrics.md#regression-one-output). The sums of n copies of one float are exact in
     * double, so constants give exactly 0 here. */
    if (den == 0.0) return 0.0;
    return 2.0 * m.cov / den;
}
