/* quant.c: symmetric post-training weight quantisation and its size (see quant.h for the
 * scheme and the arithmetic).
 *
 * Everything is driven by two tables. A rounding rule is a row {rule, function of a double};
 * a granularity is a row {granularity, rows of a weight matrix that share one scale}. A group
 * of weights sharing a scale is thus always a run of whole rows of the row-major matrix, so
 * one loop serves every granularity, and the integer model keeps one scale per row whatever
 * the granularity. Adding a rule or a granularity is one enum value (config.h, with its name
 * in config.c's key table) and one row here. pf_quant_layer is the only place weights become
 * integers; pf_quant_apply and pf_qmodel_alloc (qmodel.c) both go through it. */
#include "compress/quant.h"
#include "base/alloc.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the two tables ------------------------------------------------------------------- */

typedef struct {
    pf_rounding rule;
    double (*round)(double); /* to an integral value, ties as the rule says */
} rounding;

/* In enum order, so a row is found by indexing. nearbyint rounds ties to even under the
 * default rounding mode (nothing in prunefair changes it). */
static const rounding ROUNDINGS[] = {
    {PF_ROUND_HALF_EVEN, nearbyint},
    {PF_ROUND_HALF_AWAY, round},
};

static size_t one_row(size_t rows)
{
    (void)rows;
    return 1;
}

static size_t all_rows(size_t rows)
{
    return rows;
}

typedef struct {
    pf_granularity gran;
    size_t (*rows_per_scale)(size_t rows); /* of a weight matrix with that many rows */
} granularity;

static const granularity GRANULARITIES[] = {
    {PF_GRAN_CHANNEL, one_row},
    {PF_GRAN_TENSOR, all_rows},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int valid_rounding(pf_rounding r)
{
    return (size_t)r < N_OF(ROUNDINGS) && ROUNDINGS[r].rule == r;
}

static int valid_granularity(pf_granularity g)
{
    return (size_t)g < N_OF(GRANULARITIES) && GRANULARITIES[g].gran == g;
}

static int valid_int_bits(int bits)
{
    return bits >= PF_QUANT_MIN_BITS && bits <= PF_QUANT_MAX_BITS;
}

/* ---- one group, one layer ------------------------------------------------------------- */

int pf_quant_qmax(int bits)
{
    assert(valid_int_bits(bits));
    return (1 << (bits - 1)) - 1;
}

void pf_quant_vector(const float *w, const float *mask, size_t n, int bits, pf_rounding r,
                     float *scale, int8_t *q)
{
    assert(valid_rounding(r));
    int qmax = pf_quant_qmax(bits);
    float amax = 0.0f;
    for (size_t j = 0; j < n; j++)
        if (!mask || mask[j] != 0.0f) amax = fmaxf(amax, fabsf(w[j]));
    float s = (float)((double)amax / qmax);
    if (s == 0.0f) s = 1.0f; /* all kept weights 0 (or so small that the scale underflows) */
    *scale = s;
    if (!q) return;
    double (*rnd)(double) = ROUNDINGS[r].round;
    for (size_t j = 0; j < n; j++) {
        double v = mask && mask[j] == 0.0f ? 0.0 : rnd((double)w[j] / s);
        q[j] = (int8_t)(v > qmax ? qmax : v < -qmax ? -qmax : v);
    }
}

void pf_quant_layer(const pf_mlp *m, size_t l, int bits, pf_granularity g, pf_rounding r,
                    float *row_scale, int8_t *q)
{
    size_t rows = m->dims[l + 1], cols = m->dims[l];
    size_t per = GRANULARITIES[g].rows_per_scale(rows);
    const float *w = m->params + m->w_off[l], *mask = m->mask + m->w_off[l];
    for (size_t i0 = 0; i0 < rows; i0 += per) {
        float s;
        pf_quant_vector(w + i0 * cols, mask + i0 * cols, per * cols, bits, r, &s, q + i0 * cols);
        for (size_t i = i0; i < i0 + per; i++) row_scale[i] = s;
    }
}

void pf_quant_integers(const pf_mlp *m, int bits, pf_granularity g, pf_rounding r, int8_t *q,
                       float *unit_scale)
{
    memset(q, 0, m->n_params * sizeof *q);
    for (size_t l = 0, u = 0; l < m->n_layers; u += m->dims[l + 1], l++)
        pf_quant_layer(m, l, bits, g, r, unit_scale + u, q + m->w_off[l]);
}

void pf_quant_rebuild(pf_mlp *m, const int8_t *q, const float *unit_scale)
{
    for (size_t l = 0, u = 0; l < m->n_layers; u += m->dims[l + 1], l++) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        float *w = m->params + m->w_off[l];
        const int8_t *ql = q + m->w_off[l];
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++)
                w[i * cols + j] = (float)((double)unit_scale[u + i] * (double)ql[i * cols + j]);
    }
}

static size_t widest_layer_weights(const pf_mlp *m)
{
    size_t most = 0;
    for (size_t l = 0; l < m->n_layers; l++)
        if (m->dims[l + 1] * m->dims[l] > most) most = m->dims[l + 1] * m->dims[l];
    return most;
}

int pf_quant_check(int bits, pf_granularity g, pf_rounding r, int allow_float, pf_error *err)
{
    if (!valid_int_bits(bits) && !(allow_float && bits == PF_QUANT_FLOAT_BITS))
        return pf_error_set(err, PF_EINPUT, "cannot quantise to %d bits: use %s%d to %d", bits,
                            allow_float ? "32 (float32) or " : "", PF_QUANT_MIN_BITS,
                            PF_QUANT_MAX_BITS);
    if (!valid_granularity(g))
        return pf_error_set(err, PF_EINPUT, "unknown quantisation granularity %d", (int)g);
    if (!valid_rounding(r))
        return pf_error_set(err, PF_EINPUT, "unknown quantisation rounding %d", (int)r);
    return PF_OK;
}

int pf_quant_apply(pf_mlp *m, int bits, pf_granularity g, pf_rounding r, pf_error *err)
{
    if (pf_quant_check(bits, g, r, 1, err) != PF_OK) return err->code;
    if (bits == PF_QUANT_FLOAT_BITS) return PF_OK;
    size_t most = widest_layer_weights(m);
    int8_t *q = pf_alloc(most, sizeof *q, err);
    float *row_scale = pf_alloc(pf_mlp_widest(m), sizeof *row_scale, err);
    for (size_t l = 0; err->code == PF_OK && l < m->n_layers; l++) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        pf_quant_layer(m, l, bits, g, r, row_scale, q);
        float *w = m->params + m->w_off[l];
        const float *mask = m->mask + m->w_off[l];
        for (size_t i = 0; i < rows; i++)
            for (size_t j = i * cols; j < (i + 1) * cols; j++)
                w[j] = mask[j] == 0.0f ? 0.0f : (float)((double)row_scale[i] * q[j]);
    }
    free(q);
    free(row_scale);
    return err->code;
}

/* ---- size ----------------------------------------------------------------------------- */

static long long packed(long long n, int bits)
{
    return (n * bits + 7) / 8;
}

static long long dense_bytes(const pf_mlp *m, size_t l, int bits)
{
    return packed((long long)(m->dims[l + 1] * m->dims[l]), bits);
}

static long long csr_bytes(const pf_mlp *m, size_t l, int bits)
{
    long long nnz = (long long)pf_mlp_layer_kept(m, l);
    return packed(nnz, bits) + 4 * nnz + 4 * (long long)(m->dims[l + 1] + 1);
}

int pf_quant_layer_csr(const pf_mlp *m, size_t l, int bits)
{
    return csr_bytes(m, l, bits) < dense_bytes(m, l, bits);
}

long long pf_quant_bytes(const pf_mlp *m, int bits, pf_granularity g)
{
    if (!valid_int_bits(bits) && bits != PF_QUANT_FLOAT_BITS) return -1;
    assert(valid_granularity(g));
    long long bytes = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t rows = m->dims[l + 1];
        long long d = dense_bytes(m, l, bits), c = csr_bytes(m, l, bits);
        bytes += (c < d ? c : d) + 4 * (long long)rows;
        if (bits != PF_QUANT_FLOAT_BITS)
            bytes += 4 * (long long)(rows / GRANULARITIES[g].rows_per_scale(rows));
    }
    return bytes;
}
