/* test_quant.c: weight quantisation is checked against hand-computed golden integers (scales,
 * ties under both roundings, int4, all-zero and pruned weights, channel against tensor), the
 * simulated model against its invariants (biases untouched, pruned weights 0, every weight s q,
 * idempotent), the stored size against hand counts, and the integer path against the
 * simulated model: the same weights exactly, every window within the error bound of quant.h,
 * the typical error small, and identical predictions from its dense and CSR layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/seed.h"
#include "compress/qmodel.h"
#include "compress/quant.h"
#include "eval/cost.h"

#include "testutil.h"

#define HE PF_ROUND_HALF_EVEN
#define HA PF_ROUND_HALF_AWAY

static void assert_q(const int8_t *q, const int8_t *want, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        if (q[j] != want[j]) print_error("q[%zu] = %d, want %d\n", j, q[j], want[j]);
        assert_int_equal(q[j], want[j]);
    }
}

/* ---- golden vectors ------------------------------------------------------------------- */

/* max |w| = 127 at 8 bits: s = 127 / 127 = 1 exactly, so q = round(w) and every w / s below
 * is exact in binary. Extremes: 127 -> 127, -127 -> -127. Ties: 2.5 -> 2 (even) or 3 (away),
 * -2.5 -> -2 or -3, 3.5 -> 4 either way, 0.5 -> 0 or 1, -0.5 -> 0 or -1; 1.49 -> 1 either. */
static void test_golden_ties(void **state)
{
    (void)state;
    const float w[] = {127.0f, -127.0f, 2.5f, -2.5f, 3.5f, 0.5f, -0.5f, 1.49f};
    const int8_t even[] = {127, -127, 2, -2, 4, 0, 0, 1}, away[] = {127, -127, 3, -3, 4, 1, -1, 1};
    int8_t q[8];
    float s = 0.0f;
    pf_quant_vector(w, NULL, 8, 8, HE, &s, q);
    assert_true(s == 1.0f);
    assert_q(q, even, 8);
    pf_quant_vector(w, NULL, 8, 8, HA, &s, q);
    assert_true(s == 1.0f);
    assert_q(q, away, 8);
}

/* A scale that is not a power of 2: max |w| = 0.3f, s = (float)(0.3f / 127) ~ 0.00236220; the
 * max maps to exactly 127 (the negative extreme to -127), and -0.1 / s = -42.33 -> -42,
 * 0.05 / s = 21.17 -> 21. */
static void test_golden_scale(void **state)
{
    (void)state;
    const float w[] = {0.3f, -0.1f, 0.05f, 0.0f}, wn[] = {-0.3f, 0.1f, -0.05f, 0.0f};
    const int8_t want[] = {127, -42, 21, 0}, wantn[] = {-127, 42, -21, 0};
    int8_t q[4];
    float s;
    for (int r = 0; r < 2; r++) {
        pf_quant_vector(w, NULL, 4, 8, (pf_rounding)r, &s, q);
        assert_true(s == (float)((double)0.3f / 127));
        assert_near(s, 0.3 / 127, 1e-9);
        assert_q(q, want, 4);
        pf_quant_vector(wn, NULL, 4, 8, (pf_rounding)r, &s, q);
        assert_true(s == (float)((double)0.3f / 127));
        assert_q(q, wantn, 4);
    }
    pf_quant_vector(w, NULL, 4, 8, HE, &s, NULL); /* the scale alone */
    assert_true(s == (float)((double)0.3f / 127));
}

/* All-zero rows keep scale 1 and integers 0, also when only the pruned weights are not 0. */
static void test_golden_zero(void **state)
{
    (void)state;
    const float zero[] = {0.0f, -0.0f, 0.0f}, w[] = {5.0f, 0.0f, -3.0f}, mask[] = {0, 1, 0};
    int8_t q[3] = {9, 9, 9};
    const int8_t want[] = {0, 0, 0};
    float s = 0.0f;
    pf_quant_vector(zero, NULL, 3, 8, HE, &s, q);
    assert_true(s == 1.0f);
    assert_q(q, want, 3);
    memset(q, 9, sizeof q);
    pf_quant_vector(w, mask, 3, 4, HA, &s, q);
    assert_true(s == 1.0f);
    assert_q(q, want, 3);
}

/* int4: qmax = 7. max 7 -> s = 1: 2.5 -> 2 / 3, -0.5 -> 0 / -1, 3.2 -> 3, -6.9 -> -7.
 * max 3.5 -> s = 3.5 / 7 = 0.5: 1.25 / 0.5 = 2.5 -> 2 / 3, -0.75 / 0.5 = -1.5 -> -2 both,
 * 3.5 -> 7. 3 bits: qmax 3, max 3 -> s = 1; 1.5 -> 2 both. 2 bits: qmax 1, s = 0.8: 0.4 / 0.8
 * = 0.5 -> 0 / 1, -0.8 -> -1. */
static void test_golden_int4(void **state)
{
    (void)state;
    assert_int_equal(pf_quant_qmax(8), 127);
    assert_int_equal(pf_quant_qmax(4), 7);
    assert_int_equal(pf_quant_qmax(2), 1);
    const float w[] = {7.0f, 2.5f, -0.5f, 3.2f, -6.9f}, h[] = {3.5f, 1.25f, -0.75f};
    const int8_t even[] = {7, 2, 0, 3, -7}, away[] = {7, 3, -1, 3, -7};
    const int8_t heven[] = {7, 2, -2}, haway[] = {7, 3, -2};
    int8_t q[5];
    float s;
    pf_quant_vector(w, NULL, 5, 4, HE, &s, q);
    assert_true(s == 1.0f);
    assert_q(q, even, 5);
    pf_quant_vector(w, NULL, 5, 4, HA, &s, q);
    assert_q(q, away, 5);
    pf_quant_vector(h, NULL, 3, 4, HE, &s, q);
    assert_true(s == 0.5f);
    assert_q(q, heven, 3);
    pf_quant_vector(h, NULL, 3, 4, HA, &s, q);
    assert_q(q, haway, 3);
    const float t[] = {3.0f, 1.5f, -2.9f}, two[] = {0.4f, -0.8f};
    const int8_t tw[] = {3, 2, -3}, twe[] = {0, -1}, twa[] = {1, -1};
    pf_quant_vector(t, NULL, 3, 3, HE, &s, q);
    assert_q(q, tw, 3);
    pf_quant_vector(two, NULL, 2, 2, HE, &s, q);
    assert_true(s == 0.8f);
    assert_q(q, twe, 2);
    pf_quant_vector(two, NULL, 2, 2, HA, &s, q);
    assert_q(q, twa, 2);
}

/* A pruned 1000 is ignored: the scale comes from the kept max 127 (s = 1, not 1000 / 127),
 * and its integer is 0. -2.5 -> -2 (even), 50 -> 50. */
static void test_golden_masked(void **state)
{
    (void)state;
    const float w[] = {1000.0f, 127.0f, -2.5f, 50.0f}, mask[] = {0.0f, 1.0f, 1.0f, 1.0f};
    const int8_t want[] = {0, 127, -2, 50};
    int8_t q[4];
    float s;
    pf_quant_vector(w, mask, 4, 8, HE, &s, q);
    assert_true(s == 1.0f);
    assert_q(q, want, 4);
    pf_quant_vector(w, NULL, 4, 8, HE, &s, q); /* unmasked: the 1000 sets the scale */
    assert_true(s == (float)(1000.0 / 127));
}

/* The 2x2 matrix W = [[127, -3], [63.5, 1.25]]. Channel: row 0 s = 1 -> [127, -3]; row 1
 * s = 63.5 / 127 = 0.5 -> 1.25 / 0.5 = 2.5 -> 2 (even): w' = [63.5, 1]. Tensor: s = 1 for
 * both rows -> 63.5 -> 64 (even), 1.25 -> 1: w' = [64, 1]. */
static const float W22[] = {127.0f, -3.0f, 63.5f, 1.25f};

static void test_channel_vs_tensor(void **state)
{
    (void)state;
    float s0, s1, st;
    int8_t q[4];
    pf_quant_vector(W22, NULL, 2, 8, HE, &s0, q);
    pf_quant_vector(W22 + 2, NULL, 2, 8, HE, &s1, q + 2);
    assert_true(s0 == 1.0f && s1 == 0.5f);
    const int8_t ch[] = {127, -3, 127, 2}, te[] = {127, -3, 64, 1};
    assert_q(q, ch, 4);
    pf_quant_vector(W22, NULL, 4, 8, HE, &st, q);
    assert_true(st == 1.0f);
    assert_q(q, te, 4);

    /* The same through pf_quant_apply on a 2-2-1 model whose first layer is W. */
    pf_error err = {0};
    int hidden[] = {2};
    pf_mlp *m = pf_mlp_alloc(2, hidden, 1, 1, PF_ACT_RELU, &err);
    assert_non_null(m);
    memcpy(m->params + m->w_off[0], W22, sizeof W22);
    pf_mlp *t = pf_mlp_clone(m, &err);
    assert_int_equal(pf_quant_apply(m, 8, PF_GRAN_CHANNEL, HE, &err), PF_OK);
    assert_int_equal(pf_quant_apply(t, 8, PF_GRAN_TENSOR, HE, &err), PF_OK);
    const float wch[] = {127.0f, -3.0f, 63.5f, 1.0f}, wte[] = {127.0f, -3.0f, 64.0f, 1.0f};
    assert_memory_equal(m->params + m->w_off[0], wch, sizeof wch);
    assert_memory_equal(t->params + t->w_off[0], wte, sizeof wte);
    pf_mlp_free(m);
    pf_mlp_free(t);
}

/* ---- the simulated model -------------------------------------------------------------- */

/* A random dims[0]-hidden...-n_out model: Xavier weights, biases uniform in [-0.1, 0.1], a
 * fraction `pruned` of the weights masked (and zeroed), from seed. */
static pf_mlp *random_model(size_t n_in, const int *hidden, size_t n_hidden, size_t n_out,
                            pf_activation act, double pruned, unsigned long seed)
{
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(n_in, hidden, n_hidden, n_out, act, &err);
    assert_non_null(m);
    gsl_rng *rng = pf_seed_rng(seed, 0, 0, PF_SEED_INIT);
    pf_mlp_init(m, PF_INIT_XAVIER, rng);
    for (size_t j = 0; j < m->n_params; j++) {
        if (!pf_mlp_is_weight(m, j))
            m->params[j] = (float)(gsl_rng_uniform(rng) * 0.2 - 0.1);
        else if (gsl_rng_uniform(rng) < pruned)
            m->mask[j] = 0.0f;
    }
    pf_mlp_apply_mask(m);
    gsl_rng_free(rng);
    return m;
}

/* The weights of q (quantised copy of m) against m, group by group: biases bit for bit,
 * pruned weights exactly 0, kept ones (float)(s q) with the group's s and |q| <= qmax. */
static void check_simulated(const pf_mlp *m, const pf_mlp *q, int bits, pf_granularity g,
                            pf_rounding r)
{
    int qmax = pf_quant_qmax(bits);
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t rows = m->dims[l + 1], cols = m->dims[l];
        assert_memory_equal(q->params + m->b_off[l], m->params + m->b_off[l], rows * sizeof(float));
        size_t per = g == PF_GRAN_CHANNEL ? cols : rows * cols;
        int8_t iq[4096];
        assert_true(per <= sizeof iq);
        for (size_t k = 0; k < rows * cols; k += per) {
            const float *w = m->params + m->w_off[l] + k, *mk = m->mask + m->w_off[l] + k;
            const float *wq = q->params + m->w_off[l] + k;
            float s;
            pf_quant_vector(w, mk, per, bits, r, &s, iq);
            for (size_t j = 0; j < per; j++) {
                assert_true(abs(iq[j]) <= qmax);
                if (mk[j] == 0.0f) assert_true(wq[j] == 0.0f && !signbit(wq[j]));
                assert_true(wq[j] == (float)((double)s * iq[j]));
                if (w[j] == 0.0f) assert_true(wq[j] == 0.0f);
            }
        }
    }
}

static void test_apply_properties(void **state)
{
    (void)state;
    pf_error err = {0};
    int hidden[] = {6, 5};
    pf_mlp *m = random_model(7, hidden, 2, 3, PF_ACT_TANH, 0.4, 11);
    m->params[m->w_off[1] + 3] = 0.0f; /* a kept weight that is 0 */
    pf_mlp *q = pf_mlp_clone(m, &err), *q2 = pf_mlp_clone(m, &err);
    const int widths[] = {8, 5, 4, 2};
    for (int g = 0; g < 2; g++)
        for (int r = 0; r < 2; r++)
            for (size_t b = 0; b < sizeof widths / sizeof widths[0]; b++) {
                pf_mlp_copy(q, m);
                assert_int_equal(pf_quant_apply(q, widths[b], g, r, &err), PF_OK);
                check_simulated(m, q, widths[b], g, r);
                assert_memory_equal(q->mask, m->mask, m->n_params * sizeof(float));
                /* idempotent: quantising the quantised model changes nothing */
                pf_mlp_copy(q2, q);
                assert_int_equal(pf_quant_apply(q2, widths[b], g, r, &err), PF_OK);
                assert_memory_equal(q2->params, q->params, m->n_params * sizeof(float));
                /* and it did change something */
                assert_memory_not_equal(q->params, m->params, m->n_params * sizeof(float));
            }
    pf_mlp_copy(q, m);
    assert_int_equal(pf_quant_apply(q, 32, PF_GRAN_CHANNEL, HE, &err), PF_OK);
    assert_memory_equal(q->params, m->params, m->n_params * sizeof(float));
    assert_int_equal(err.code, PF_OK);
    const int bad[] = {1, 9, 16, 0, -8};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        pf_error_clear(&err);
        assert_int_equal(pf_quant_apply(q, bad[b], PF_GRAN_CHANNEL, HE, &err), PF_EINPUT);
        assert_non_null(strstr(err.msg, "bits"));
        assert_int_equal(pf_quant_bytes(m, bad[b], PF_GRAN_CHANNEL), -1);
        pf_error_clear(&err);
        assert_null(pf_qmodel_alloc(m, bad[b], PF_GRAN_CHANNEL, HE, PF_QLAYOUT_AUTO, &err));
        assert_int_equal(err.code, PF_EINPUT);
    }
    pf_error_clear(&err);
    assert_null(pf_qmodel_alloc(m, 32, PF_GRAN_CHANNEL, HE, PF_QLAYOUT_AUTO, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_memory_equal(q->params, m->params, m->n_params * sizeof(float));
    pf_mlp_free(q2);
    pf_mlp_free(q);
    pf_mlp_free(m);
}

/* What results.h5 stores of a quantised model (pf_quant_integers): from q and the per-unit
 * scales alone, w' = (float)((double)s q) is pf_quant_apply's model bit for bit, pruned weights
 * included; biases hold q = 0; tensor granularity repeats one scale over a layer's units; and
 * a 2-2-1 model with known weights gives the integers of test_channel_vs_tensor. */
static void test_integers_rebuild(void **state)
{
    (void)state;
    pf_error err = {0};
    int hidden[] = {6, 5};
    pf_mlp *m = random_model(7, hidden, 2, 3, PF_ACT_TANH, 0.4, 12);
    pf_mlp *q = pf_mlp_clone(m, &err);
    size_t units = 6 + 5 + 3;
    int8_t iq[7 * 6 + 6 + 6 * 5 + 5 + 5 * 3 + 3];
    float scale[6 + 5 + 3];
    assert_int_equal(m->n_params, sizeof iq);
    const int widths[] = {8, 4, 2};
    for (int g = 0; g < 2; g++)
        for (int r = 0; r < 2; r++)
            for (size_t b = 0; b < 3; b++) {
                pf_mlp_copy(q, m);
                assert_int_equal(pf_quant_apply(q, widths[b], g, r, &err), PF_OK);
                memset(iq, 0x55, sizeof iq);
                pf_quant_integers(m, widths[b], g, r, iq, scale);
                for (size_t l = 0, u = 0; l < m->n_layers; u += m->dims[l + 1], l++) {
                    size_t rows = m->dims[l + 1], cols = m->dims[l];
                    for (size_t i = 0; i < rows; i++) {
                        if (g == PF_GRAN_TENSOR) assert_true(scale[u + i] == scale[u]);
                        assert_int_equal(iq[m->b_off[l] + i], 0);
                        for (size_t j = 0; j < cols; j++) {
                            size_t at = m->w_off[l] + i * cols + j;
                            float w = (float)((double)scale[u + i] * iq[at]);
                            assert_memory_equal(&w, &q->params[at], sizeof w);
                            if (m->mask[at] == 0.0f) assert_int_equal(iq[at], 0);
                            assert_true(abs(iq[at]) <= pf_quant_qmax(widths[b]));
                        }
                    }
                }
            }
    assert_int_equal(units, sizeof scale / sizeof scale[0]);
    pf_mlp_free(q);
    pf_mlp_free(m);

    int one[] = {2};
    pf_mlp *k = pf_mlp_alloc(2, one, 1, 1, PF_ACT_RELU, &err);
    assert_non_null(k);
    memcpy(k->params + k->w_off[0], W22, sizeof W22);
    k->params[k->w_off[1]] = 0.25f, k->params[k->w_off[1] + 1] = -1.0f;
    int8_t kq[9];
    float ks[3];
    pf_quant_integers(k, 8, PF_GRAN_CHANNEL, HE, kq, ks);
    const int8_t want[] = {127, -3, 127, 2, 0, 0, 32, -127, 0};
    assert_q(kq, want, 9);
    assert_true(ks[0] == 1.0f && ks[1] == 0.5f && ks[2] == (float)(1.0 / 127));
    pf_mlp_free(k);
}

/* ---- size ----------------------------------------------------------------------------- */

/* Dense 3-2-1 (8 weights, 3 biases = 12 bias bytes):
 *   32 bits: layer 0 dense 6 x 4 = 24 (CSR 6 x 8 + 3 x 4 = 60), layer 1 8 (CSR 2 x 8 + 8 = 24):
 *            24 + 8 + 12 = 44
 *   8 bits channel: 6 + 2 + 3 row scales x 4 + 12 = 32; tensor: 6 + 2 + 2 x 4 + 12 = 28
 *   4 bits tensor: 3 + 1 + 8 + 12 = 24; 3 bits channel: ceil(18 / 8) = 3 + ceil(6 / 8) = 1
 *            + 12 + 12 = 28
 * Sparse 10-4-1 with 3 of the 40 first-layer weights kept (5 biases = 20 bytes):
 *   layer 0: dense ceil(40 b / 8), CSR ceil(3 b / 8) + 3 x 4 + 5 x 4 = ceil(3 b / 8) + 32
 *            32 bits: 160 vs 44 -> CSR 44; 8 bits: 40 vs 35 -> CSR 35; 4 bits: 20 vs 34 ->
 *            dense 20
 *   layer 1 (1 x 4, all kept): 32 bits 16 (CSR 40); 8 bits 4; 4 bits 2
 *   32 bits: 44 + 16 + 20 = 80
 *   8 bits channel: 35 + 4 + 5 x 4 + 20 = 79; tensor: 35 + 4 + 2 x 4 + 20 = 67
 *   4 bits channel: 20 + 2 + 20 + 20 = 62; tensor: 20 + 2 + 8 + 20 = 50 */
static void test_bytes(void **state)
{
    (void)state;
    pf_error err = {0};
    int h2[] = {2}, h4[] = {4};
    pf_mlp *d = pf_mlp_alloc(3, h2, 1, 1, PF_ACT_RELU, &err);
    assert_int_equal(pf_quant_bytes(d, 32, PF_GRAN_CHANNEL), 44);
    assert_int_equal(pf_quant_bytes(d, 32, PF_GRAN_TENSOR), 44);
    assert_int_equal(pf_quant_bytes(d, 8, PF_GRAN_CHANNEL), 32);
    assert_int_equal(pf_quant_bytes(d, 8, PF_GRAN_TENSOR), 28);
    assert_int_equal(pf_quant_bytes(d, 4, PF_GRAN_TENSOR), 24);
    assert_int_equal(pf_quant_bytes(d, 3, PF_GRAN_CHANNEL), 28);

    pf_mlp *s = pf_mlp_alloc(10, h4, 1, 1, PF_ACT_RELU, &err);
    for (size_t j = 0; j < 40; j++) s->mask[s->w_off[0] + j] = j % 13 == 0 && j ? 1.0f : 0.0f;
    assert_int_equal(pf_quant_bytes(s, 32, PF_GRAN_CHANNEL), 80);
    assert_int_equal(pf_quant_bytes(s, 8, PF_GRAN_CHANNEL), 79);
    assert_int_equal(pf_quant_bytes(s, 8, PF_GRAN_TENSOR), 67);
    assert_int_equal(pf_quant_bytes(s, 4, PF_GRAN_CHANNEL), 62);
    assert_int_equal(pf_quant_bytes(s, 4, PF_GRAN_TENSOR), 50);
    assert_true(pf_quant_layer_csr(s, 0, 32) && pf_quant_layer_csr(s, 0, 8));
    assert_false(pf_quant_layer_csr(s, 0, 4) || pf_quant_layer_csr(s, 1, 8));
    /* the integer model runs CSR where at most half the weights are kept, whatever the
     * width (layer 0 keeps 3 of 40 even where 4-bit storage counts it dense); layer 1 keeps
     * all 4 */
    pf_qmodel *q8 = pf_qmodel_alloc(s, 8, PF_GRAN_CHANNEL, HE, PF_QLAYOUT_AUTO, &err);
    pf_qmodel *q4 = pf_qmodel_alloc(s, 4, PF_GRAN_CHANNEL, HE, PF_QLAYOUT_AUTO, &err);
    assert_non_null(q8);
    assert_non_null(q4);
    assert_true(pf_qmodel_layer_csr(q8, 0) && pf_qmodel_layer_csr(q4, 0));
    assert_false(pf_qmodel_layer_csr(q8, 1) || pf_qmodel_layer_csr(q4, 1));
    pf_qmodel_free(q8);
    pf_qmodel_free(q4);
    pf_mlp_free(s);
    pf_mlp_free(d);
}

/* ---- the integer path ----------------------------------------------------------------- */

/* A linear 17 -> 2 model (no hidden layer) on inputs that are integers and half-integers
 * with max |x| = 127, so the dynamic input scale is exactly 1 and q_x = nearbyint(x): 2.5 -> 2,
 * -2.5 -> -2, 1.5 -> 2. The expected output is b + sum_j w'_j q_x_j with w' the weights of
 * pf_quant_apply. Row 0 has max 127 (s = 1) and weight ties (2.5, -2.5, 0.5), so the two
 * roundings give different w' and the integer path must follow the one asked for; all its
 * terms are integers (sums below 2^24), so the output is exact. Row 1 has an arbitrary
 * scale: equal to float rounding (the product acc s_w, the bias and w' = fl(s q) itself). */
static void test_int_same_weights(void **state)
{
    (void)state;
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(17, NULL, 0, 2, PF_ACT_RELU, &err);
    assert_non_null(m);
    float *w = m->params + m->w_off[0], *b = m->params + m->b_off[0];
    gsl_rng *rng = rng_new(5);
    for (size_t j = 0; j < 17; j++) {
        w[j] = (float)((int)(gsl_rng_uniform_int(rng, 61)) - 30);
        w[17 + j] = (float)(gsl_rng_uniform(rng) * 2 - 1);
    }
    w[0] = 127.0f, w[1] = 2.5f, w[2] = -2.5f, w[3] = 0.5f, w[4] = 5.0f;
    b[0] = 0.25f, b[1] = -0.125f;
    const float ties[] = {2.5f, -2.5f, 1.5f, -0.5f};
    float x[17], y[2];
    for (int r = 0; r < 2; r++) {
        pf_mlp *mq = pf_mlp_clone(m, &err);
        assert_int_equal(pf_quant_apply(mq, 8, PF_GRAN_CHANNEL, r, &err), PF_OK);
        assert_true(mq->params[1] == (r == HE ? 2.0f : 3.0f));
        pf_qmodel *q = pf_qmodel_alloc(m, 8, PF_GRAN_CHANNEL, r, PF_QLAYOUT_AUTO, &err);
        assert_non_null(q);
        for (int trial = 0; trial < 60; trial++) {
            for (size_t j = 0; j < 17; j++)
                x[j] = (float)((int)(gsl_rng_uniform_int(rng, 509)) - 254) / 2;
            x[5 + trial % 12] = trial % 2 ? 127.0f : -127.0f;
            x[1] = trial % 3 ? 1.0f : -1.0f; /* where the two weight roundings differ */
            x[4] = ties[trial % 4];          /* an input tie */
            pf_qmodel_predict(q, x, y);
            for (size_t k = 0; k < 2; k++) {
                const float *wq = mq->params + k * 17;
                double want = b[k], mag = fabs(b[k]);
                for (size_t j = 0; j < 17; j++) {
                    want += wq[j] * nearbyint(x[j]);
                    mag += fabs(wq[j] * nearbyint(x[j]));
                }
                if (k == 0)
                    assert_true(y[0] == (float)want);
                else
                    assert_near(y[1], want, 4 * ldexp(mag, -24));
            }
        }
        pf_qmodel_free(q);
        pf_mlp_free(mq);
    }
    gsl_rng_free(rng);
    pf_mlp_free(m);
}

#define MAXW 128

/* The simulated model's forward in double over window x, with the bound of quant.h on how
 * far the integer path can be from it at each output (bound[k]). */
static void bound_forward(const pf_mlp *mq, const float *x, double *bound)
{
    double a[MAXW], e[MAXW], na[MAXW], ne[MAXW];
    for (size_t j = 0; j < mq->dims[0]; j++) a[j] = x[j], e[j] = 0.0;
    for (size_t l = 0; l < mq->n_layers; l++) {
        size_t rows = mq->dims[l + 1], cols = mq->dims[l];
        const float *w = mq->params + mq->w_off[l], *b = mq->params + mq->b_off[l];
        double amax = 0.0;
        for (size_t j = 0; j < cols; j++) amax = fmax(amax, fabs(a[j]) + e[j]);
        double s = amax / 127;
        for (size_t i = 0; i < rows; i++) {
            double z = b[i], prop = 0.0, mag = fabs(b[i]);
            for (size_t j = 0; j < cols; j++) {
                double aw = fabs(w[i * cols + j]);
                z += w[i * cols + j] * a[j];
                prop += aw * (e[j] + 0.5001 * s);
                mag += aw * (fabs(a[j]) + e[j] + s);
            }
            double E = prop + ldexp(mag, -16);
            if (l + 1 < mq->n_layers)
                na[i] = ref_act(mq->act, z), ne[i] = E + ldexp(1.0, -20);
            else
                bound[i] = E;
        }
        if (l + 1 == mq->n_layers) break;
        memcpy(a, na, rows * sizeof *a);
        memcpy(e, ne, rows * sizeof *e);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define N_WIN 300

/* The integer path of a random 17-64-32-2 model against its simulated model (pf_quant_apply,
 * then the dense float kernel) on N_WIN random windows: every output within the per-window
 * bound, and the median error under max_median of the outputs' standard deviation. Returns
 * that median. */
static double check_agreement(pf_activation act, double pruned, int bits, pf_granularity g,
                              pf_rounding r, double max_median)
{
    pf_error err = {0};
    int hidden[] = {64, 32};
    pf_mlp *m = random_model(17, hidden, 2, 2, act, pruned, 3);
    pf_mlp *mq = pf_mlp_clone(m, &err);
    assert_int_equal(pf_quant_apply(mq, bits, g, r, &err), PF_OK);
    pf_qmodel *q = pf_qmodel_alloc(m, bits, g, r, PF_QLAYOUT_AUTO, &err);
    assert_non_null(q);
    gsl_rng *rng = rng_new(17);
    static float ys[N_WIN][2], yi[N_WIN][2];
    static double bound[N_WIN][2], rel[2 * N_WIN];
    float x[17], scratch[2 * 64];
    double worst = 0.0;
    for (size_t i = 0; i < N_WIN; i++) {
        for (size_t j = 0; j < 17; j++) x[j] = (float)(gsl_ran_gaussian(rng, 1.0));
        x[i % 17] *= 3.0f; /* one larger feature, as standardised data has */
        pf_mlp_predict_window(mq, x, scratch, scratch + 64, ys[i]);
        pf_qmodel_predict(q, x, yi[i]);
        bound_forward(mq, x, bound[i]);
        for (size_t k = 0; k < 2; k++) {
            double d = fabs((double)yi[i][k] - ys[i][k]);
            if (d > bound[i][k])
                print_error("window %zu output %zu: |%g - %g| > bound %g\n", i, k, yi[i][k],
                            ys[i][k], bound[i][k]);
            assert_true(d <= bound[i][k]);
            worst = fmax(worst, d / bound[i][k]);
        }
    }
    double med_bound = 0.0;
    for (size_t k = 0; k < 2; k++) {
        double mean = 0.0, var = 0.0;
        for (size_t i = 0; i < N_WIN; i++) mean += ys[i][k] / N_WIN;
        for (size_t i = 0; i < N_WIN; i++) var += (ys[i][k] - mean) * (ys[i][k] - mean) / N_WIN;
        double sd = sqrt(var);
        assert_true(sd > 0.0);
        for (size_t i = 0; i < N_WIN; i++) rel[k * N_WIN + i] = bound[i][k] / sd;
        qsort(rel + k * N_WIN, N_WIN, sizeof *rel, cmp_double);
        med_bound = fmax(med_bound, rel[k * N_WIN + N_WIN / 2]);
        for (size_t i = 0; i < N_WIN; i++) rel[k * N_WIN + i] = fabs(yi[i][k] - ys[i][k]) / sd;
    }
    qsort(rel, 2 * N_WIN, sizeof *rel, cmp_double);
    double median = rel[N_WIN];
    printf("    %-7s %2.0f%% pruned, %d bits, %s, %s: median |int - sim| = %.2g sd, "
           "median bound %.2g sd, worst error / bound %.2f\n",
           act == PF_ACT_RELU ? "relu" : "tanh", 100 * pruned, bits,
           g == PF_GRAN_CHANNEL ? "channel" : "tensor", r == HE ? "half_even" : "half_away", median,
           med_bound, worst);
    assert_true(median < max_median);
    gsl_rng_free(rng);
    pf_qmodel_free(q);
    pf_mlp_free(mq);
    pf_mlp_free(m);
    return median;
}

static void test_int_agrees_dense(void **state)
{
    (void)state;
    check_agreement(PF_ACT_RELU, 0.0, 8, PF_GRAN_CHANNEL, HE, 0.01);
    check_agreement(PF_ACT_TANH, 0.0, 8, PF_GRAN_TENSOR, HA, 0.01);
}

static void test_int_agrees_sparse(void **state)
{
    (void)state;
    check_agreement(PF_ACT_RELU, 0.8, 8, PF_GRAN_CHANNEL, HE, 0.01);
    check_agreement(PF_ACT_TANH, 0.8, 8, PF_GRAN_CHANNEL, HA, 0.01);
    check_agreement(PF_ACT_RELU, 0.9, 8, PF_GRAN_TENSOR, HE, 0.01);
}

/* At 4 bits the weights are coarse but the simulated model has the same weights, so only
 * the inputs' rounding separates the two paths: the same 1%. */
static void test_int_agrees_int4(void **state)
{
    (void)state;
    check_agreement(PF_ACT_RELU, 0.0, 4, PF_GRAN_CHANNEL, HE, 0.01);
    check_agreement(PF_ACT_RELU, 0.8, 4, PF_GRAN_TENSOR, HA, 0.01);
    check_agreement(PF_ACT_TANH, 0.5, 3, PF_GRAN_CHANNEL, HE, 0.01);
}

/* Dense and CSR layouts of the same integer model predict identically, bit for bit. */
static void test_int_layouts(void **state)
{
    (void)state;
    pf_error err = {0};
    int hidden[] = {64, 32};
    const double pruned[] = {0.0, 0.8, 0.97};
    for (size_t p = 0; p < 3; p++) {
        pf_mlp *m = random_model(17, hidden, 2, 2, PF_ACT_TANH, pruned[p], 9);
        pf_qmodel *d = pf_qmodel_alloc(m, 8, PF_GRAN_CHANNEL, HE, PF_QLAYOUT_DENSE, &err);
        pf_qmodel *c = pf_qmodel_alloc(m, 8, PF_GRAN_CHANNEL, HE, PF_QLAYOUT_CSR, &err);
        pf_qmodel *a = pf_qmodel_alloc(m, 8, PF_GRAN_CHANNEL, HE, PF_QLAYOUT_AUTO, &err);
        assert_non_null(d);
        assert_non_null(c);
        assert_non_null(a);
        for (size_t l = 0; l < 3; l++) {
            assert_false(pf_qmodel_layer_csr(d, l));
            assert_true(pf_qmodel_layer_csr(c, l));
        }
        /* The default: CSR where at most half the weights are kept. */
        for (size_t l = 0; l < 3; l++) assert_int_equal(pf_qmodel_layer_csr(a, l), pruned[p] > 0);
        gsl_rng *rng = rng_new(23);
        float x[17], yd[2], yc[2], ya[2];
        for (int trial = 0; trial < 100; trial++) {
            for (size_t j = 0; j < 17; j++) x[j] = (float)gsl_rng_uniform(rng) * 4.0f - 2.0f;
            pf_qmodel_predict(d, x, yd);
            pf_qmodel_predict(c, x, yc);
            pf_qmodel_predict(a, x, ya);
            assert_memory_equal(yd, yc, sizeof yd);
            assert_memory_equal(yd, ya, sizeof yd);
        }
        assert_true(pf_cost_time_qmodel(d, x, 1, &err) > 0.0);
        assert_true(pf_cost_time_qmodel(c, x, 1, &err) > 0.0);
        assert_true(isnan(pf_cost_time_qmodel(c, x, 0, &err)));
        assert_int_equal(err.code, PF_OK);
        gsl_rng_free(rng);
        pf_qmodel_free(a);
        pf_qmodel_free(c);
        pf_qmodel_free(d);
        pf_mlp_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_ties),       cmocka_unit_test(test_golden_scale),
        cmocka_unit_test(test_golden_zero),       cmocka_unit_test(test_golden_int4),
        cmocka_unit_test(test_golden_masked),     cmocka_unit_test(test_channel_vs_tensor),
        cmocka_unit_test(test_apply_properties),  cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_int_same_weights),  cmocka_unit_test(test_int_agrees_dense),
        cmocka_unit_test(test_int_agrees_sparse), cmocka_unit_test(test_int_agrees_int4),
        cmocka_unit_test(test_int_layouts),       cmocka_unit_test(test_integers_rebuild),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
