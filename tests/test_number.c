/* test_number.c: pf_number_parse is strtod, bit for bit and end for end.
 *
 * Hand-picked hard cases (halfway values, the smallest normal, 2^53 + 1, signed zeros, forms
 * strtod reads partly or not at all), then a large seeded random set of decimals shaped like
 * data files' (up to 20 significant digits, exponents around the fast path's edges). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/number.h"

/* One text: the same bits and the same end as strtod. */
static void same_as_strtod(const char *s)
{
    char *end_ref, *end;
    double ref = strtod(s, &end_ref), got = pf_number_parse(s, &end);
    uint64_t a, b;
    memcpy(&a, &ref, sizeof a);
    memcpy(&b, &got, sizeof b);
    if (a != b || end != end_ref) {
        print_error("'%s': strtod %.17g (%016llx, end +%td), pf_number_parse %.17g (%016llx, "
                    "end +%td)\n",
                    s, ref, (unsigned long long)a, end_ref - s, got, (unsigned long long)b,
                    end - s);
        fail();
    }
}

static void test_hard_cases(void **state)
{
    (void)state;
    static const char *cases[] = {"0",
                                  "-0",
                                  "+0",
                                  "0.0",
                                  "-0.0",
                                  "-0e5",
                                  "0e-400",
                                  "1",
                                  "+1",
                                  "-1",
                                  ".5",
                                  "5.",
                                  "-.5",
                                  "+.5",
                                  ".",
                                  "-",
                                  "+",
                                  "",
                                  "e5",
                                  "1e",
                                  "1e+",
                                  "1e-",
                                  "1e5x",
                                  "1.5 ",
                                  " 1.5",
                                  "\t2",
                                  "0.1",
                                  "0.2",
                                  "0.3",
                                  "-0.1",
                                  "1e23",
                                  "8e22",
                                  "9e22",
                                  "1e22",
                                  "1e-22",
                                  "1e-23",
                                  "2.2250738585072011e-308",
                                  "2.2250738585072014e-308",
                                  "4.9e-324",
                                  "1e-400",
                                  "1e400",
                                  "-1e400",
                                  "1.7976931348623157e308",
                                  "1.7976931348623159e308",
                                  "9007199254740992",
                                  "9007199254740993",
                                  "9007199254740994",
                                  "9007199254740995",
                                  "18446744073709551615",
                                  "18446744073709551616",
                                  "9999999999999999999",
                                  "99999999999999999999",
                                  "1.0192308333333333",
                                  "0.0272433833333333",
                                  "0.2694300518134715",
                                  "13.105679166666668",
                                  "123456789012345678901234567890",
                                  "0.000000000000000000000000000001",
                                  "1.00000000000000000000000000001",
                                  "3.14159265358979323846264338327950288",
                                  "4503599627370496.5",
                                  "4503599627370497.5",
                                  "9007199254740993e-3",
                                  "1.234567890123456789e27",
                                  "1.234567890123456789e-27",
                                  "1.234567890123456789e28",
                                  "7.2057594037927933e16",
                                  "2.9802322387695312e-8",
                                  "1e0001",
                                  "1e00001",
                                  "1E5",
                                  "1e+05",
                                  "0x1p3",
                                  "0X10",
                                  "inf",
                                  "-inf",
                                  "nan",
                                  "NaN",
                                  "infinity",
                                  "1,5",
                                  "1.5.2",
                                  "--1",
                                  "+-1",
                                  "1e5e5",
                                  "00000000000000000000000001.5",
                                  "0.00000000000000000000000000000000001",
                                  "12345678901234567890e-10",
                                  "1234567890123456789e-10",
                                  "5e-324",
                                  "2.4703282292062328e-324",
                                  "1.5e-10",
                                  "-2.5e+10",
                                  "20.0",
                                  "-20.0",
                                  "3.0"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) same_as_strtod(cases[i]);
}

/* Integers exactly halfway between two doubles (2^53 + 1 and its kin, ties to even), and
 * their decimal shifts. The inexact near-midpoints the long-double path leaves to strtod
 * come up in test_random (without that check it fails there within the first thousand). */
static void test_midpoints(void **state)
{
    (void)state;
    char s[64];
    for (int k = 0; k < 11; k++) {
        uint64_t w = (UINT64_C(1) << 53) + 1 + 2 * (uint64_t)k;
        for (int shift = 0; shift < 8; shift++) {
            snprintf(s, sizeof s, "%llu", (unsigned long long)(w << shift));
            same_as_strtod(s);
            snprintf(s, sizeof s, "%llue-%d", (unsigned long long)(w << shift), shift);
            same_as_strtod(s);
        }
    }
}

/* xorshift64*: a fixed seed, so a failure is reproduced by rerunning the test. */
static uint64_t next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * UINT64_C(2685821657736338717);
}

static void test_random(void **state)
{
    (void)state;
    uint64_t seed = UINT64_C(0x9E3779B97F4A7C15);
    char s[80];
    for (int i = 0; i < 2000000; i++) {
        uint64_t r = next(&seed);
        size_t n = 0;
        if (r & 1) s[n++] = '-';
        int digits = 1 + (int)(next(&seed) % 20), point = (int)(next(&seed) % (digits + 2));
        for (int d = 0; d < digits; d++) {
            if (d == point) s[n++] = '.';
            s[n++] = (char)('0' + next(&seed) % 10);
        }
        if (r & 2) { /* an exponent around the fast paths' limits */
            int e = (int)(next(&seed) % 81) - 40;
            n += (size_t)snprintf(s + n, sizeof s - n, "e%d", e);
        }
        s[n] = '\0';
        same_as_strtod(s);
    }
}

/* Doubles printed with 15 to 17 digits, as a data file holds them: each must read back. */
static void test_roundtrip(void **state)
{
    (void)state;
    uint64_t seed = 42;
    char s[64];
    for (int i = 0; i < 1000000; i++) {
        uint64_t bits = next(&seed);
        double scale = (double)(next(&seed) % 1000000) / 1000.0;
        double v = (double)(bits >> 11) / 9007199254740992.0 * scale; /* [0, 1000) */
        snprintf(s, sizeof s, "%.*g", 15 + (int)(i % 3), i % 2 ? -v : v);
        same_as_strtod(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_cases),
        cmocka_unit_test(test_midpoints),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
