/* testutil.h: helpers shared by the cmocka tests (include after <cmocka.h>). */
#ifndef PF_TESTUTIL_H
#define PF_TESTUTIL_H

#include <math.h>

#include <gsl/gsl_rng.h>

/* assert_near(a, b, tol): |a - b| <= tol, printing both values in full on failure. */
#define assert_near(a, b, tol) near_at((double)(a), (double)(b), (double)(tol), __FILE__, __LINE__)
static inline void near_at(double a, double b, double tol, const char *file, int line)
{
    if (fabs(a - b) <= tol) return;
    print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
    _fail(file, line);
}

/* A Mersenne Twister with a fixed seed, for test data independent of seed.c. */
static inline gsl_rng *rng_new(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

#endif
