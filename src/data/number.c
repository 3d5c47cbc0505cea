/* number.c: plain decimals by Clinger's fast path, everything else by strtod (see number.h).
 *
 * Why it is exact. A decimal w x 10^e with w < 2^64 and |e| <= 27 is computed as one
 * multiplication or division of two exactly representable operands, w and 10^|e|: in double
 * when w <= 2^53 and |e| <= 22 (the IEEE operation rounds correctly), otherwise in x87 long
 * double (64-bit significand; 10^27 = 2^27 x 5^27 and 5^27 < 2^63, so 10^|e| is exact) whose
 * result r is within half a long-double ulp of the true value. Every midpoint between two
 * doubles is a long double, at least one long-double ulp from any other long double, so
 * unless r is itself such a midpoint the true value lies on r's side of every midpoint and
 * rounding r to double gives the correctly rounded result. The results lie between 1e-27 and
 * 2^64 x 1e27, far from subnormals and overflow. */
#include "data/number.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIGITS 19 /* significant digits that always fit a uint64_t */

static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#if defined(__x86_64__) && LDBL_MANT_DIG == 64 && FLT_EVAL_METHOD == 0
#define HAVE_X87 1
static const long double POW10L[] = {1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,
                                     1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
                                     1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L,
                                     1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};

/* w x 10^e in long double, rounded to double; 0 when r is a midpoint between two doubles
 * (its 11 bits below a double's 53 are 10000000000). */
static int extended_path(uint64_t w, int e, double *out)
{
    /* Only while the x87 unit rounds to its 64-bit significand, Linux's setting, which a
     * library could change: then 1 + 2^-63 would round to 1, and strtod takes over. */
    volatile long double one = 1.0L, tiny = LDBL_EPSILON;
    if (one + tiny == one) return 0;
    long double r = e >= 0 ? (long double)w * POW10L[e] : (long double)w / POW10L[-e];
    uint64_t sig;
    memcpy(&sig, &r, sizeof sig); /* x87 format: the 64-bit significand comes first */
    if ((sig & 0x7FF) == 0x400) return 0;
    *out = (double)r;
    return 1;
}
#else
#define HAVE_X87 0
#endif

/* The plain decimal [+-]digits[.digits][(e|E)[+-]digits] filling all of s, when the fast path
 * can compute it; 0 sends s to strtod. */
static int fast_path(const char *s, double *out, const char **end)
{
    const char *p = s;
    int neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    uint64_t w = 0;
    int n_sig = 0, n_digits = 0, frac = 0;
    for (; *p >= '0' && *p <= '9'; p++, n_digits++)
        if (w != 0 || *p != '0') w = 10 * w + (uint64_t)(*p - '0'), n_sig++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, n_digits++, frac++)
            if (w != 0 || *p != '0') w = 10 * w + (uint64_t)(*p - '0'), n_sig++;
    if (n_digits == 0 || n_sig > MAX_DIGITS) return 0;
    int e = 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        int eneg = *p == '-';
        if (*p == '-' || *p == '+') p++;
        int n_exp = 0;
        for (; *p >= '0' && *p <= '9' && n_exp < 5; p++, n_exp++) e = 10 * e + (*p - '0');
        if (n_exp == 0 || n_exp == 5) return 0;
        if (eneg) e = -e;
    }
    if (*p != '\0') return 0;
    *end = p;
    e -= frac;
    double d;
    if (w == 0) {
        d = 0.0;
    } else if (w <= (UINT64_C(1) << 53) && e >= -22 && e <= 22) {
        d = e >= 0 ? (double)w * POW10[e] : (double)w / POW10[-e];
    } else {
#if HAVE_X87
        if (e < -27 || e > 27 || !extended_path(w, e, &d)) return 0;
#else
        return 0;
#endif
    }
    *out = neg ? -d : d;
    return 1;
}

double pf_number_parse(const char *s, char **end)
{
    double d;
    const char *stop;
    if (fast_path(s, &d, &stop)) {
        if (end) *end = (char *)stop;
        return d;
    }
    return strtod(s, end);
}
