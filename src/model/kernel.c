/* kernel.c: the products of training, one definition and three speeds (see kernel.h).
 *
 * The vector kernels keep a tile of C in registers (6 rows x 2 vectors: 12 accumulators, so
 * the two FMA pipes always have independent work) and stream the rows of B through it; each
 * A(i, p) is broadcast to all lanes. Edges are not special code: a tile on the last rows
 * computes its missing rows on a copy of the last real row and does not store them, and a
 * tile on the last columns loads and stores with lane masks (masked lanes read as 0 and are
 * never written). Every lane thus runs the sum of kernel.h in order of p, which is what makes
 * the kernels agree to the bit with each other and with the portable loop.
 *
 * The vector kernels are compiled for their instruction sets with function attributes, so the
 * default build needs no flags and one binary runs everywhere; a kernel is only called after
 * the CPU (and its operating system) reported support. */
#include "model/kernel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PF_X86 1
#endif

#define MR 6 /* rows of a tile */

/* ---- portable ------------------------------------------------------------------------------ */

static void gemm_portable(const pf_gemm_args *g)
{
    for (size_t i = 0; i < g->m; i++) {
        const float *a = g->a + i * g->a_row;
        for (size_t j = 0; j < g->n; j++) {
            float s = g->accumulate ? g->c[i * g->ldc + j] : g->c_start ? g->c_start[j] : 0.0f;
            for (size_t p = 0; p < g->k; p++) s = fmaf(a[p * g->a_col], g->b[p * g->ldb + j], s);
            if (g->relu && !(s > 0.0f)) s = 0.0f;
            if (g->gate && !(g->gate[i * g->ldc + j] > 0.0f)) s = 0.0f;
            g->c[i * g->ldc + j] = s;
        }
    }
}

static int portable_runs(void)
{
    return 1;
}

/* dst (cols x rows) = src (rows x cols) transposed, in blocks of 8 x 8 so that reads and
 * writes both stay within a few cache lines. Also the edges of the vector transposes. */
static void transpose_block(const float *src, size_t rows, size_t cols, size_t r0, size_t r1,
                            size_t c0, size_t c1, float *dst)
{
    for (size_t r = r0; r < r1; r++)
        for (size_t c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
}

static void transpose_portable(const float *src, size_t rows, size_t cols, float *dst)
{
    for (size_t r0 = 0; r0 < rows; r0 += 8)
        for (size_t c0 = 0; c0 < cols; c0 += 8)
            transpose_block(src, rows, cols, r0, r0 + 8 < rows ? r0 + 8 : rows, c0,
                            c0 + 8 < cols ? c0 + 8 : cols, dst);
}

#ifdef PF_X86

/* A tile's six rows of A: the real ones, then copies of the last real one. */
#define TILE_ROWS                                                                                  \
    size_t rows = g->m - i0 < MR ? g->m - i0 : MR;                                                 \
    const float *a0 = g->a + i0 * g->a_row;                                                        \
    const float *a1 = g->a + (i0 + (rows > 1 ? 1 : rows - 1)) * g->a_row;                          \
    const float *a2 = g->a + (i0 + (rows > 2 ? 2 : rows - 1)) * g->a_row;                          \
    const float *a3 = g->a + (i0 + (rows > 3 ? 3 : rows - 1)) * g->a_row;                          \
    const float *a4 = g->a + (i0 + (rows > 4 ? 4 : rows - 1)) * g->a_row;                          \
    const float *a5 = g->a + (i0 + (rows > 5 ? 5 : rows - 1)) * g->a_row

/* The accumulators are twelve named variables, not an array: an array indexed in a loop is
 * kept in memory by GCC, which would turn every multiply-add into a load and a store. */
#define FOR_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)

/* ---- AVX2 + FMA: 8 lanes, tiles of 6 x 16 ---------------------------------------------------- */

__attribute__((target("avx2,fma"))) static __m256i mask8(size_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < 8 ? n : 8)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Full tiles load and store C plainly; only edge tiles use lane masks (a masked store is
 * microcoded on some CPUs and would cost as much as the tile's arithmetic). */
#define AVX2_INIT(r)                                                                               \
    __m256 c##r##0 = start0, c##r##1 = start1;                                                     \
    if (g->accumulate && r < rows) {                                                               \
        const float *cr = g->c + (i0 + r) * g->ldc + j0;                                           \
        c##r##0 = full ? _mm256_loadu_ps(cr) : _mm256_maskload_ps(cr, m0);                         \
        c##r##1 = full ? _mm256_loadu_ps(cr + 8) : _mm256_maskload_ps(cr + 8, m1);                 \
    }
#define AVX2_STEP(r)                                                                               \
    {                                                                                              \
        __m256 a = _mm256_broadcast_ss(a##r + p * ac);                                             \
        c##r##0 = _mm256_fmadd_ps(a, b0, c##r##0);                                                 \
        c##r##1 = _mm256_fmadd_ps(a, b1, c##r##1);                                                 \
    }
#define AVX2_STEP_HALF(r)                                                                          \
    c##r##0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a##r + p * ac), b0, c##r##0);
/* max(c, 0) is c when c > 0 and the second operand, +0, otherwise (NaN and -0 included). */
#define AVX2_RELU(r)                                                                               \
    if (g->relu) {                                                                                 \
        c##r##0 = _mm256_max_ps(c##r##0, _mm256_setzero_ps());                                     \
        c##r##1 = _mm256_max_ps(c##r##1, _mm256_setzero_ps());                                     \
    }
/* gate > 0 compares to all ones (the sum's bits kept by the and) or all zeros (+0). */
#define AVX2_GATE(r)                                                                               \
    if (g->gate) {                                                                                 \
        const float *gr = g->gate + (i0 + r) * g->ldc + j0;                                        \
        __m256 g0 = full ? _mm256_loadu_ps(gr) : _mm256_maskload_ps(gr, m0);                       \
        __m256 g1 = full ? _mm256_loadu_ps(gr + 8) : _mm256_maskload_ps(gr + 8, m1);               \
        c##r##0 = _mm256_and_ps(c##r##0, _mm256_cmp_ps(g0, _mm256_setzero_ps(), _CMP_GT_OQ));      \
        c##r##1 = _mm256_and_ps(c##r##1, _mm256_cmp_ps(g1, _mm256_setzero_ps(), _CMP_GT_OQ));      \
    }
#define AVX2_STORE(r)                                                                              \
    AVX2_RELU(r)                                                                                   \
    if (r < rows) {                                                                                \
        float *cr = g->c + (i0 + r) * g->ldc + j0;                                                 \
        AVX2_GATE(r)                                                                               \
        if (full) {                                                                                \
            _mm256_storeu_ps(cr, c##r##0);                                                         \
            _mm256_storeu_ps(cr + 8, c##r##1);                                                     \
        } else {                                                                                   \
            _mm256_maskstore_ps(cr, m0, c##r##0);                                                  \
            _mm256_maskstore_ps(cr + 8, m1, c##r##1);                                              \
        }                                                                                          \
    }

__attribute__((target("avx2,fma"))) static void gemm_avx2(const pf_gemm_args *g)
{
    const size_t ac = g->a_col;
    for (size_t i0 = 0; i0 < g->m; i0 += MR) {
        TILE_ROWS;
        for (size_t j0 = 0; j0 < g->n; j0 += 16) {
            size_t cols = g->n - j0 < 16 ? g->n - j0 : 16;
            int full = cols == 16;
            __m256i m0 = mask8(cols), m1 = mask8(cols > 8 ? cols - 8 : 0);
            __m256 start0 = _mm256_setzero_ps(), start1 = _mm256_setzero_ps();
            if (g->c_start) {
                start0 = _mm256_maskload_ps(g->c_start + j0, m0);
                start1 = _mm256_maskload_ps(g->c_start + j0 + 8, m1);
            }
            FOR_ROWS(AVX2_INIT)
            const float *b = g->b + j0;
            if (full)
                for (size_t p = 0; p < g->k; p++, b += g->ldb) {
                    __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
                    FOR_ROWS(AVX2_STEP)
                }
            else if (cols > 8)
                for (size_t p = 0; p < g->k; p++, b += g->ldb) {
                    __m256 b0 = _mm256_maskload_ps(b, m0), b1 = _mm256_maskload_ps(b + 8, m1);
                    FOR_ROWS(AVX2_STEP)
                }
            else /* a narrow edge (an output layer of 1 or 2 units): one vector per row */
                for (size_t p = 0; p < g->k; p++, b += g->ldb) {
                    __m256 b0 = _mm256_maskload_ps(b, m0);
                    FOR_ROWS(AVX2_STEP_HALF)
                }
            FOR_ROWS(AVX2_STORE)
        }
    }
}

/* 8 x 8 blocks in eight registers: pairs of rows interleaved (unpack), then pairs of pairs
 * (shuffle), then the 128-bit halves exchanged (permute2f128), which leaves column c of the
 * block in register c. Named variables, not arrays, for the reason FOR_ROWS gives. Edge rows
 * and columns go through the portable loop. */
__attribute__((target("avx2"))) static void transpose_avx2(const float *src, size_t rows,
                                                           size_t cols, float *dst)
{
    size_t R = rows & ~(size_t)7, C = cols & ~(size_t)7;
    for (size_t r0 = 0; r0 < R; r0 += 8)
        for (size_t c0 = 0; c0 < C; c0 += 8) {
            const float *s = src + r0 * cols + c0;
            __m256 r0_ = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + cols);
            __m256 r2 = _mm256_loadu_ps(s + 2 * cols), r3 = _mm256_loadu_ps(s + 3 * cols);
            __m256 r4 = _mm256_loadu_ps(s + 4 * cols), r5 = _mm256_loadu_ps(s + 5 * cols);
            __m256 r6 = _mm256_loadu_ps(s + 6 * cols), r7 = _mm256_loadu_ps(s + 7 * cols);
            __m256 t0 = _mm256_unpacklo_ps(r0_, r1), t1 = _mm256_unpackhi_ps(r0_, r1);
            __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
            __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
            __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
            __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
            __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
            __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
            __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
            __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
            __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
            __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
            __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
            float *d = dst + c0 * rows + r0;
            _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
            _mm256_storeu_ps(d + rows, _mm256_permute2f128_ps(u1, u5, 0x20));
            _mm256_storeu_ps(d + 2 * rows, _mm256_permute2f128_ps(u2, u6, 0x20));
            _mm256_storeu_ps(d + 3 * rows, _mm256_permute2f128_ps(u3, u7, 0x20));
            _mm256_storeu_ps(d + 4 * rows, _mm256_permute2f128_ps(u0, u4, 0x31));
            _mm256_storeu_ps(d + 5 * rows, _mm256_permute2f128_ps(u1, u5, 0x31));
            _mm256_storeu_ps(d + 6 * rows, _mm256_permute2f128_ps(u2, u6, 0x31));
            _mm256_storeu_ps(d + 7 * rows, _mm256_permute2f128_ps(u3, u7, 0x31));
        }
    if (C < cols) transpose_block(src, rows, cols, 0, R, C, cols, dst);
    if (R < rows) transpose_block(src, rows, cols, R, rows, 0, cols, dst);
}

static int avx2_runs(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* ---- AVX-512: 16 lanes, tiles of 6 x 32 ----------------------------------------------------- */

static __mmask16 mask16(size_t n)
{
    return (__mmask16)(n >= 16 ? 0xFFFFu : (1u << n) - 1u);
}

#define AVX512_INIT(r)                                                                             \
    __m512 c##r##0 = start0, c##r##1 = start1;                                                     \
    if (g->accumulate && r < rows) {                                                               \
        c##r##0 = _mm512_maskz_loadu_ps(m0, g->c + (i0 + r) * g->ldc + j0);                        \
        c##r##1 = _mm512_maskz_loadu_ps(m1, g->c + (i0 + r) * g->ldc + j0 + 16);                   \
    }
#define AVX512_STEP(r)                                                                             \
    {                                                                                              \
        __m512 a = _mm512_set1_ps(a##r[p * ac]);                                                   \
        c##r##0 = _mm512_fmadd_ps(a, b0, c##r##0);                                                 \
        c##r##1 = _mm512_fmadd_ps(a, b1, c##r##1);                                                 \
    }
#define AVX512_STEP_HALF(r) c##r##0 = _mm512_fmadd_ps(_mm512_set1_ps(a##r[p * ac]), b0, c##r##0);
#define AVX512_RELU(r)                                                                             \
    if (g->relu) {                                                                                 \
        c##r##0 = _mm512_max_ps(c##r##0, _mm512_setzero_ps());                                     \
        c##r##1 = _mm512_max_ps(c##r##1, _mm512_setzero_ps());                                     \
    }
#define AVX512_GATE(r)                                                                             \
    if (g->gate) {                                                                                 \
        const float *gr = g->gate + (i0 + r) * g->ldc + j0;                                        \
        __mmask16 k0 = _mm512_mask_cmp_ps_mask(m0, _mm512_maskz_loadu_ps(m0, gr),                  \
                                               _mm512_setzero_ps(), _CMP_GT_OQ);                   \
        __mmask16 k1 = _mm512_mask_cmp_ps_mask(m1, _mm512_maskz_loadu_ps(m1, gr + 16),             \
                                               _mm512_setzero_ps(), _CMP_GT_OQ);                   \
        c##r##0 = _mm512_maskz_mov_ps(k0, c##r##0);                                                \
        c##r##1 = _mm512_maskz_mov_ps(k1, c##r##1);                                                \
    }
#define AVX512_STORE(r)                                                                            \
    AVX512_RELU(r)                                                                                 \
    if (r < rows) {                                                                                \
        AVX512_GATE(r)                                                                             \
        _mm512_mask_storeu_ps(g->c + (i0 + r) * g->ldc + j0, m0, c##r##0);                         \
        _mm512_mask_storeu_ps(g->c + (i0 + r) * g->ldc + j0 + 16, m1, c##r##1);                    \
    }

__attribute__((target("avx512f,fma"))) static void gemm_avx512(const pf_gemm_args *g)
{
    const size_t ac = g->a_col;
    for (size_t i0 = 0; i0 < g->m; i0 += MR) {
        TILE_ROWS;
        for (size_t j0 = 0; j0 < g->n; j0 += 32) {
            size_t cols = g->n - j0 < 32 ? g->n - j0 : 32;
            __mmask16 m0 = mask16(cols), m1 = mask16(cols > 16 ? cols - 16 : 0);
            __m512 start0 = _mm512_setzero_ps(), start1 = _mm512_setzero_ps();
            if (g->c_start) {
                start0 = _mm512_maskz_loadu_ps(m0, g->c_start + j0);
                start1 = _mm512_maskz_loadu_ps(m1, g->c_start + j0 + 16);
            }
            FOR_ROWS(AVX512_INIT)
            const float *b = g->b + j0;
            if (cols > 16)
                for (size_t p = 0; p < g->k; p++, b += g->ldb) {
                    __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
                    __m512 b1 = _mm512_maskz_loadu_ps(m1, b + 16);
                    FOR_ROWS(AVX512_STEP)
                }
            else /* a narrow edge: one vector per row */
                for (size_t p = 0; p < g->k; p++, b += g->ldb) {
                    __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
                    FOR_ROWS(AVX512_STEP_HALF)
                }
            FOR_ROWS(AVX512_STORE)
        }
    }
}

static int avx512_runs(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

#endif /* PF_X86 */

/* ---- the registry and the dispatch ---------------------------------------------------------- */

typedef struct {
    const char *name;
    int (*runs)(void); /* does this CPU (and OS) run it? */
    void (*gemm)(const pf_gemm_args *g);
    void (*transpose)(const float *src, size_t rows, size_t cols, float *dst);
} kernel;

/* Fastest first: "auto" takes the first that runs. (A transpose copies, so its speed is all
 * that differs; AVX2's serves the AVX-512 kernel as well.) */
static const kernel KERNELS[] = {
#ifdef PF_X86
    {"avx512", avx512_runs, gemm_avx512, transpose_avx2},
    {"avx2", avx2_runs, gemm_avx2, transpose_avx2},
#endif
    {"portable", portable_runs, gemm_portable, transpose_portable},
};
#define N_KERNELS (sizeof KERNELS / sizeof KERNELS[0])

static const kernel *current;

static const kernel *best(void)
{
    for (size_t i = 0; i < N_KERNELS; i++)
        if (KERNELS[i].runs()) return &KERNELS[i];
    return &KERNELS[N_KERNELS - 1];
}

void pf_kernel_gemm(const pf_gemm_args *g)
{
    if (current == NULL) current = best(); /* the same value from any thread */
    if (g->m && g->n) current->gemm(g);
}

void pf_kernel_transpose(const float *src, size_t rows, size_t cols, float *dst)
{
    if (current == NULL) current = best();
    current->transpose(src, rows, cols, dst);
}

int pf_kernel_select(const char *name, pf_error *err)
{
    if (strcmp(name, "auto") == 0) {
        current = best();
        return PF_OK;
    }
    char runnable[128] = "";
    for (size_t i = 0; i < N_KERNELS; i++) {
        if (!KERNELS[i].runs()) continue;
        if (strcmp(KERNELS[i].name, name) == 0) {
            current = &KERNELS[i];
            return PF_OK;
        }
        snprintf(runnable + strlen(runnable), sizeof runnable - strlen(runnable), "%s%s",
                 runnable[0] ? ", " : "", KERNELS[i].name);
    }
    return pf_error_set(err, PF_EINPUT,
                        "kernel '%s' is unknown or this CPU cannot run it; it runs: auto, %s", name,
                        runnable);
}

const char *pf_kernel_name(void)
{
    if (current == NULL) current = best();
    return current->name;
}

size_t pf_kernel_list(const char **names, int *runnable, size_t cap)
{
    for (size_t i = 0; i < N_KERNELS && i < cap; i++) {
        names[i] = KERNELS[i].name;
        runnable[i] = KERNELS[i].runs();
    }
    return N_KERNELS;
}

/* ---- e^x ------------------------------------------------------------------------------------- */

/* Cephes' expf (S. L. Moshier): x = k ln2 + r, ln2 = C1 + C2 with C1 exact in few bits so that
 * k C1 is exact, e^r = 1 + r + r^2 P(r), and 2^k applied by ldexpf (exact, also into the
 * subnormals). Plain float operations in a fixed order: the same bits on every CPU (C11 mode
 * does not contract a * b + c into an fma). */
float pf_kernel_expf(float x)
{
    if (isnan(x)) return x;
    if (x > 88.72283905f) return INFINITY;
    if (x < -103.972084f) return 0.0f;
    float k = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    float z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * z + r + 1.0f;
    return ldexpf(p, (int)k);
}
