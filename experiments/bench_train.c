/* bench_train.c: how fast one training step is, against what the core can do.
 *
 * For the Heist network (32 inputs, 64-32 ReLU, one output, MSE) it measures a training step
 * -- forward, loss, backward (pf_mlp_loss_grad) and an SGD update of every parameter -- at
 * batch 32, 64 and 256, with every kernel of kernel.h this CPU runs, and the single-thread
 * SGEMM rate of the BLAS the program is linked with, in the same run, as the ceiling: at the
 * shape of one layer's product (64 x 64 x 32) and at 256 x 256 x 256. Seven rounds each
 * measure the ceiling and then every case for at least 0.2 s; a share of the ceiling is
 * taken within its round, and every figure is the median over the rounds.
 *
 * A step's flops per sample count the multiply-adds of its products, 2 flops each: the
 * forward product and the weight gradient of every layer, and the gradient passed down to
 * every layer but the first (which has none to pass): 2 (2 sum_l din_l dout_l + sum_{l>0}
 * din_l dout_l), 20672 for this network.
 *
 *   bench_train [OUT.tsv]     prints a table; with OUT.tsv also writes it tab-separated */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/seed.h"
#include "model/kernel.h"
#include "model/loss.h"
#include "model/mlp.h"

void openblas_set_num_threads(int n);
char *openblas_get_corename(void);

#define ROUNDS 7

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The work done per second by fn(ctx) (which returns its work units) over at least 0.2 s. */
static double rate(double (*fn)(void *), void *ctx)
{
    double work = 0, t0 = now(), t;
    do work += fn(ctx);
    while ((t = now() - t0) < 0.2);
    return work / t;
}

typedef struct {
    pf_mlp *m;
    pf_mlp_work *w;
    pf_loss_spec loss;
    float *x, *y, *grad;
    size_t n, batch, at;
} train_ctx;

/* 50 steps over consecutive batches; returns the samples seen. */
static double steps(void *p)
{
    train_ctx *c = p;
    for (int s = 0; s < 50; s++) {
        if (c->at + c->batch > c->n) c->at = 0;
        pf_mlp_loss_grad(c->m, c->w, &c->loss, c->x + c->at * c->m->dims[0], c->y + c->at, c->batch,
                         c->grad);
        for (size_t j = 0; j < c->m->n_params; j++) c->m->params[j] -= 1e-4f * c->grad[j];
        c->at += c->batch;
    }
    return 50.0 * (double)c->batch;
}

typedef struct {
    int m, n, k;
    float *a, *b, *c;
} sgemm_ctx;

static double sgemm(void *p)
{
    sgemm_ctx *s = p;
    for (int r = 0; r < 20; r++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->m, s->n, s->k, 1.0f, s->a, s->k,
                    s->b, s->k, 1.0f, s->c, s->n);
    return 20.0 * 2.0 * s->m * s->n * s->k;
}

static sgemm_ctx sgemm_new(int m, int n, int k)
{
    sgemm_ctx s = {
        m, n, k, calloc((size_t)m * k, 4), calloc((size_t)n * k, 4), calloc((size_t)m * n, 4)};
    for (int i = 0; i < m * k; i++) s.a[i] = (float)(i % 7) * 0.01f;
    for (int i = 0; i < n * k; i++) s.b[i] = (float)(i % 5) * 0.01f;
    return s;
}

#define MAX_CASES 16

int main(int argc, char **argv)
{
    pf_error err = {0};
    openblas_set_num_threads(1);
    int hidden[] = {64, 32};
    pf_mlp *m = pf_mlp_alloc(32, hidden, 2, 1, PF_ACT_RELU, &err);
    gsl_rng *rng = pf_seed_rng(42, 0, 0, PF_SEED_INIT);
    pf_mlp_init(m, PF_INIT_PYTORCH, rng);
    size_t n = 8192;
    float *x = malloc(n * 32 * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n * 32; i++) x[i] = (float)(4.0 * gsl_rng_uniform(rng) - 2.0);
    for (size_t i = 0; i < n; i++) y[i] = (float)gsl_rng_uniform(rng);
    double macs = 0;
    for (size_t l = 0; l < m->n_layers; l++)
        macs += (l > 0 ? 3.0 : 2.0) * (double)(m->dims[l] * m->dims[l + 1]);
    double flops_per_sample = 2.0 * macs;

    /* The cases: every kernel this CPU runs (or PF_KERNEL's) at every batch size. */
    const char *names[8], *only = getenv("PF_KERNEL");
    int runs[8];
    size_t nk = pf_kernel_list(names, runs, 8), nc = 0;
    static const size_t batches[] = {32, 64, 256};
    const char *case_kernel[MAX_CASES];
    train_ctx ctx[MAX_CASES];
    for (size_t k = 0; k < nk; k++) {
        if (!runs[k] || (only && strcmp(only, names[k]) != 0)) continue;
        for (size_t b = 0; b < 3 && nc < MAX_CASES; b++, nc++) {
            case_kernel[nc] = names[k];
            ctx[nc] = (train_ctx){m,
                                  pf_mlp_work_alloc(m, batches[b], &err),
                                  {.kind = PF_LOSS_MSE, .n_out = 1},
                                  x,
                                  y,
                                  calloc(m->n_params, sizeof(float)),
                                  n,
                                  batches[b],
                                  0};
        }
    }
    /* Rounds interleave the ceiling and every case, so a clock that drifts during the run
     * moves them together; each ratio is taken within its round, then the median. */
    sgemm_ctx small = sgemm_new(64, 64, 32), big = sgemm_new(256, 256, 256);
    double ceil_small[ROUNDS], ceil_big[ROUNDS], sps[MAX_CASES][ROUNDS], ratio[MAX_CASES][ROUNDS];
    rate(sgemm, &small); /* warm up */
    for (int r = 0; r < ROUNDS; r++) {
        ceil_small[r] = rate(sgemm, &small);
        ceil_big[r] = rate(sgemm, &big);
        for (size_t c = 0; c < nc; c++) {
            pf_kernel_select(case_kernel[c], &err);
            sps[c][r] = rate(steps, &ctx[c]);
            ratio[c][r] = sps[c][r] * flops_per_sample / ceil_small[r];
        }
    }
    double cs = median(ceil_small, ROUNDS), cb = median(ceil_big, ROUNDS);
    FILE *tsv = argc > 1 ? fopen(argv[1], "w") : NULL;
    printf("SGEMM ceiling (BLAS core %s, 1 thread): %.1f GFLOP/s at 64x64x32, %.1f at "
           "256x256x256\n",
           openblas_get_corename(), cs / 1e9, cb / 1e9);
    printf("training step of the Heist network (32-64-32-1 ReLU, MSE): %.0f flops per sample\n\n",
           flops_per_sample);
    printf("%-9s %6s %12s %9s %19s\n", "kernel", "batch", "samples/s", "GFLOP/s",
           "of SGEMM 64x64x32");
    if (tsv)
        fprintf(tsv, "kernel\tbatch\tsamples_per_s\tgflops\tshare_of_sgemm_64x64x32\t"
                     "sgemm_64x64x32_gflops\tsgemm_256_gflops\n");
    for (size_t c = 0; c < nc; c++) {
        double s_med = median(sps[c], ROUNDS), r_med = median(ratio[c], ROUNDS);
        printf("%-9s %6zu %12.0f %9.2f %18.0f%%\n", case_kernel[c], ctx[c].batch, s_med,
               s_med * flops_per_sample / 1e9, 100 * r_med);
        if (tsv)
            fprintf(tsv, "%s\t%zu\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\n", case_kernel[c], ctx[c].batch,
                    s_med, s_med * flops_per_sample / 1e9, r_med, cs / 1e9, cb / 1e9);
        pf_mlp_work_free(ctx[c].w);
        free(ctx[c].grad);
    }
    if (tsv) fclose(tsv);
    free(small.a), free(small.b), free(small.c), free(big.a), free(big.b), free(big.c);
    gsl_rng_free(rng);
    pf_mlp_free(m);
    free(x), free(y);
    return 0;
}
