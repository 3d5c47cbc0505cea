/* test_kernel.c: every kernel of kernel.h computes the same bits as its definition.
 *
 * The definition is the portable loop of fmaf in order of p; each kernel this CPU runs must
 * equal it exactly on every shape that exercises a tile edge (1, 5, 6, 7 rows; 1, 7, 8, 9,
 * 15, 16, 17, 31, 32, 33 columns; k from 0), with A read straight or transposed, each sum
 * starting at 0, at C or at a bias row, stored as it is, through ReLU or gated by ReLU's
 * derivative; ReLU's edge sums and gates (NaN, -0, +0) give +0 in every kernel. A double-precision
 * product checks the definition itself. pf_kernel_transpose moves every element to its place on
 * shapes with edges. pf_kernel_expf is held to 2 ulp of exp in double over its range, and to its
 * edge values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/kernel.h"

#include "testutil.h"

static float frand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (float)((*s >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

/* C from a kernel against the definition, for one shape; transposed: A(i, p) = a[p m + i]. */
static void check_shape(const char *kernel, size_t m, size_t n, size_t k, int transposed,
                        int accumulate, int start, int relu, int gated)
{
    unsigned seed = (unsigned)(m * 1000003u + n * 1009u + k * 17u + (unsigned)transposed);
    float *a = malloc((m * k + 1) * sizeof *a), *b = malloc((k * n + 1) * sizeof *b);
    float *c = malloc((m * n + 1) * sizeof *c), *want = malloc((m * n + 1) * sizeof *want);
    float *bias = malloc((n + 1) * sizeof *bias), *gate = malloc((m * n + 1) * sizeof *gate);
    for (size_t i = 0; i < m * n; i++) gate[i] = frand(&seed);
    for (size_t j = 0; j < n; j++) bias[j] = frand(&seed);
    for (size_t i = 0; i < m * k; i++) a[i] = frand(&seed);
    for (size_t i = 0; i < k * n; i++) b[i] = frand(&seed);
    for (size_t i = 0; i < m * n; i++) c[i] = want[i] = frand(&seed);
    size_t a_row = transposed ? 1 : k, a_col = transposed ? m : 1;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float s = accumulate ? want[i * n + j] : start ? bias[j] : 0.0f;
            double d = s;
            for (size_t p = 0; p < k; p++) {
                s = fmaf(a[i * a_row + p * a_col], b[p * n + j], s);
                d += (double)a[i * a_row + p * a_col] * b[p * n + j];
            }
            assert_near(s, d, 1e-5 * (double)(k + 1)); /* the definition is a dot product */
            if (relu && !(s > 0.0f)) s = 0.0f;
            if (gated && !(gate[i * n + j] > 0.0f)) s = 0.0f;
            want[i * n + j] = s;
        }
    pf_error err = {0};
    assert_int_equal(pf_kernel_select(kernel, &err), PF_OK);
    pf_kernel_gemm(&(pf_gemm_args){m, n, k, a, a_row, a_col, b, n, c, n, accumulate,
                                   start ? bias : NULL, relu, gated ? gate : NULL});
    for (size_t i = 0; i < m * n; i++)
        if (memcmp(&c[i], &want[i], sizeof c[i]) != 0)
            fail_msg("%s: m %zu n %zu k %zu%s%s%s%s%s: C[%zu] = %.9g, definition %.9g", kernel, m,
                     n, k, transposed ? " transposed" : "", accumulate ? " accumulating" : "",
                     start ? " from a bias row" : "", relu ? " relu" : "", gated ? " gated" : "", i,
                     (double)c[i], (double)want[i]);
    free(a), free(b), free(c), free(want), free(bias), free(gate);
}

static void test_every_kernel_is_the_definition(void **state)
{
    (void)state;
    static const size_t rows[] = {1, 5, 6, 7, 13, 64};
    static const size_t cols[] = {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64};
    static const size_t ks[] = {0, 1, 2, 32, 65};
    const char *names[8];
    int runs[8];
    size_t nk = pf_kernel_list(names, runs, 8), tested = 0;
    for (size_t q = 0; q < nk; q++) {
        if (!runs[q]) {
            print_message("kernel %s: this CPU cannot run it, not tested here\n", names[q]);
            continue;
        }
        tested++;
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
            for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
                for (size_t p = 0; p < sizeof ks / sizeof ks[0]; p++)
                    for (int t = 0; t < 18; t++) /* straight or transposed x 3 starts x 3 */
                        check_shape(names[q], rows[r], cols[c], ks[p], t & 1, (t >> 1) % 3 == 1,
                                    (t >> 1) % 3 == 2, t / 6 == 1, t / 6 == 2);
    }
    assert_true(tested >= 1);
    pf_error err = {0};
    assert_int_equal(pf_kernel_select("auto", &err), PF_OK);
}

/* Every kernel's transpose puts src[r][c] at dst[c][r], on every shape with an edge (rows and
 * columns below, at and past the 8 x 8 blocks), and writes nothing else. */
static void test_transpose(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 3, 7, 8, 9, 16, 17, 32, 33, 64};
    const size_t ns = sizeof sizes / sizeof sizes[0];
    const char *names[8];
    int runs[8];
    size_t nk = pf_kernel_list(names, runs, 8);
    float *src = malloc(64 * 64 * sizeof *src), *dst = malloc((64 * 64 + 1) * sizeof *dst);
    for (size_t i = 0; i < 64 * 64; i++) src[i] = (float)i + 0.25f;
    pf_error err = {0};
    for (size_t q = 0; q < nk; q++) {
        if (!runs[q]) continue;
        assert_int_equal(pf_kernel_select(names[q], &err), PF_OK);
        for (size_t a = 0; a < ns; a++)
            for (size_t b = 0; b < ns; b++) {
                size_t R = sizes[a], C = sizes[b];
                for (size_t i = 0; i <= R * C; i++) dst[i] = -1.0f;
                pf_kernel_transpose(src, R, C, dst);
                for (size_t r = 0; r < R; r++)
                    for (size_t c = 0; c < C; c++) assert_true(dst[c * R + r] == src[r * C + c]);
                assert_true(dst[R * C] == -1.0f); /* nothing past the end */
            }
    }
    assert_int_equal(pf_kernel_select("auto", &err), PF_OK);
    free(src);
    free(dst);
}

/* One row of four sums, 1 x b + start, through relu or gate: bit for bit want. */
static void check_edges(const char *kernel, const float *b, const float *start, int relu,
                        const float *gate, const float *want)
{
    const float a[1] = {1.0f};
    float c[4];
    pf_kernel_gemm(&(pf_gemm_args){.m = 1,
                                   .n = 4,
                                   .k = 1,
                                   .a = a,
                                   .a_col = 1,
                                   .b = b,
                                   .ldb = 4,
                                   .c = c,
                                   .ldc = 4,
                                   .c_start = start,
                                   .relu = relu,
                                   .gate = gate});
    for (int j = 0; j < 4; j++)
        if (memcmp(&c[j], &want[j], sizeof c[j]) != 0)
            fail_msg("%s: %s sum %d is %g (sign %d), want %g", kernel, relu ? "relu of" : "gated",
                     j, (double)c[j], signbit(c[j]) != 0, (double)want[j]);
}

/* ReLU on the edge sums NaN, -0, a negative and a positive one, and gates NaN, -0, +0 and 1
 * on sums -1, 2, 3 and -0 (only the last passes, as -0): in every kernel, bit for bit what
 * mlp.c's loops give (z > 0 ? z : 0, and a > 0 ? delta : 0). */
static void test_relu_edges(void **state)
{
    (void)state;
    const float b[4] = {NAN, -0.0f, -2.0f, 3.0f}, start[4] = {0, -0.0f, 0, 0};
    const float want[4] = {0.0f, 0.0f, 0.0f, 3.0f};
    const float bg[4] = {-1.0f, 2.0f, 3.0f, -0.0f}, gate[4] = {NAN, -0.0f, 0.0f, 1.0f};
    const float start_g[4] = {0, 0, 0, -0.0f}, want_g[4] = {0.0f, 0.0f, 0.0f, -0.0f};
    const char *names[8];
    int runs[8];
    size_t nk = pf_kernel_list(names, runs, 8);
    pf_error err = {0};
    for (size_t q = 0; q < nk; q++) {
        if (!runs[q]) continue;
        assert_int_equal(pf_kernel_select(names[q], &err), PF_OK);
        check_edges(names[q], b, start, 1, NULL, want);
        check_edges(names[q], bg, start_g, 0, gate, want_g);
    }
    assert_int_equal(pf_kernel_select("auto", &err), PF_OK);
}

static void test_select(void **state)
{
    (void)state;
    pf_error err = {0};
    assert_int_equal(pf_kernel_select("portable", &err), PF_OK);
    assert_string_equal(pf_kernel_name(), "portable");
    assert_int_equal(pf_kernel_select("sse9", &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "it runs: auto, "));
    assert_non_null(strstr(err.msg, "portable"));
    assert_int_equal(pf_kernel_select("auto", &err), PF_OK);
    const char *names[8];
    int runs[8];
    size_t nk = pf_kernel_list(names, runs, 8);
    for (size_t q = 0; q < nk; q++) /* auto is the first that runs */
        if (runs[q]) {
            assert_string_equal(pf_kernel_name(), names[q]);
            break;
        }
}

/* Distance in units in the last place of float between f and the double x. */
static double ulps(float f, double x)
{
    float xf = (float)x;
    double ulp = (double)nextafterf(fabsf(xf), INFINITY) - (double)fabsf(xf);
    return fabs((double)f - x) / ulp;
}

static void test_expf(void **state)
{
    (void)state;
    double worst = 0;
    for (float x = -103.0f; x <= 88.7f; x += 0.0137f) {
        double u = ulps(pf_kernel_expf(x), exp((double)x));
        if (u > worst) worst = u;
    }
    assert_true(worst <= 2.0);
    assert_true(pf_kernel_expf(0.0f) == 1.0f);
    assert_true(ulps(pf_kernel_expf(1.0f), exp(1.0)) <= 1);
    assert_true(isinf(pf_kernel_expf(89.0f)) && pf_kernel_expf(-104.0f) == 0.0f);
    assert_true(isnan(pf_kernel_expf(NAN)));
    assert_true(pf_kernel_expf(-INFINITY) == 0.0f && isinf(pf_kernel_expf(INFINITY)));
    assert_true(pf_kernel_expf(-100.0f) > 0.0f); /* a subnormal, not flushed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kernel_is_the_definition),
        cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_relu_edges),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_expf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
