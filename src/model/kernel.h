/* kernel.h: the arithmetic every training step is made of, owned by the project.
 *
 * A pruning study is thousands of trainings of a small network, and nearly all of their time
 * is three small matrix products per layer and step. A BLAS library serves them, but two
 * things about it are luck: its speed (it picks a kernel by recognising the CPU, and an
 * unrecognised one gets a slow generic kernel) and its numbers (each kernel sums in its own
 * order, so the same study gives different last bits on different CPUs, and shards computed
 * on a mixed cluster merge into a result that depends on which node ran what). Here one
 * product has one definition, whatever the CPU:
 *
 *   C(i, j) = fma(A(i, k-1), B(k-1, j), ... fma(A(i, 1), B(1, j), fma(A(i, 0), B(0, j), s)))
 *
 * with s = C(i, j) when accumulating and +0 otherwise: every term added in order of p, each
 * step one fused multiply-add rounded once (IEEE 754 fma, which is exactly defined). Kernels
 * differ only in how many (i, j) they compute at once -- one lane of a vector register each --
 * never in the order of a sum, so every kernel gives the same bits:
 *   avx512    16-lane registers, a tile of 6 rows x 32 columns in 12 accumulators
 *   avx2      AVX2 + FMA, 8 lanes, a tile of 6 rows x 16 columns in 12 accumulators
 *   portable  plain C with C99's fmaf (correctly rounded everywhere, in hardware or not)
 * The best kernel the CPU can run is chosen at run time (one binary serves a mixed cluster);
 * pf_kernel_select, or the environment variable PF_KERNEL (run_experiment reads it), forces
 * one, which is how the tests compare them. The model's elementwise functions that need exp
 * use pf_kernel_expf below rather than libm, whose expf has CPU-specific variants.
 * Definitions and the exact rules: docs/reproducibility.md. */
#ifndef PF_KERNEL_H
#define PF_KERNEL_H

#include <stddef.h>

#include "base/error.h"

/* C (m x n) = [C +] A (m x k) B (k x n), as above. A(i, p) = a[i a_row + p a_col], so A can be
 * read transposed; B(p, j) = b[p ldb + j] and C(i, j) = c[i ldc + j] are row-major. */
typedef struct {
    size_t m, n, k;
    const float *a;
    size_t a_row, a_col;
    const float *b;
    size_t ldb;
    float *c;
    size_t ldc;
    int accumulate;       /* 1: add to C; 0: overwrite C */
    const float *c_start; /* not NULL (and accumulate 0): every row of C starts at c_start[j],
                           * s = c_start[j] in the sum above (a layer's bias) */
    int relu;             /* 1: store max(sum, 0) instead, +0 for a NaN or -0 sum: mlp.c's ReLU
                           * applied as the tile is stored, not in another pass over C */
    const float *gate;    /* not NULL: store gate[i ldc + j] > 0 ? sum : +0 instead: ReLU's
                           * derivative from its outputs, applied to a backward product */
} pf_gemm_args;

void pf_kernel_gemm(const pf_gemm_args *g);

/* dst (cols x rows, row-major) = src (rows x cols, row-major) transposed: a copy, so every
 * kernel gives the same bits; the vector kernels only do it faster. A training step needs
 * each layer's weights both ways (mlp.c). */
void pf_kernel_transpose(const float *src, size_t rows, size_t cols, float *dst);

/* Use kernel `name` ("auto": the best this CPU runs; "avx512", "avx2", "portable") for every
 * later pf_kernel_gemm. PF_EINPUT for an unknown name or one this CPU cannot run (the message lists
 * those it can). Call before any parallel work: the choice is one global. */
int pf_kernel_select(const char *name, pf_error *err);

/* The kernel in use ("avx2", ...): the provenance of a run's speed, not of its numbers. */
const char *pf_kernel_name(void);

/* The kernels, fastest first, and whether this CPU runs each: fills up to cap names and
 * flags, returns how many kernels there are. */
size_t pf_kernel_list(const char **names, int *runnable, size_t cap);

/* e^x in float, the same bits on every CPU: reduction x = k ln2 + r with ln2 split in two,
 * a degree-6 polynomial for e^r on |r| <= ln2/2, scaling by 2^k in the exponent bits. Error
 * below 2 ulp; 0 below -104, +inf above 88.72, NaN for NaN. */
float pf_kernel_expf(float x);

/* For element-by-element loops outside the products (activations, optimiser steps): compile
 * the function for AVX-512 and AVX2 as well as for the baseline and let the loader pick (GCC's
 * target_clones). Each element gets the same IEEE operations either way (C11 mode does not
 * fuse a * b + c), so this changes the speed only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PF_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PF_VECTOR_CLONES
#endif

#endif
