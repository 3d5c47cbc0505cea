/* test_cluster.c: weight clustering against hand-worked numbers -- a layer of 8 weights through
 * every Lloyd step from linear centroids (ties to the lower index, the cap, convergence), pruned
 * weights that take no centroid, biases untouched, more centroids than distinct weights under
 * both initialisations, a layer with nothing kept, k-means++ repeatable from a seeded generator
 * and different from another, the stored size of dense and CSR index layouts at 32 and 4 bits,
 * the quantised codebook (golden integers, empty centroids out of the scale, w = s q, at most k
 * values per layer, idempotent) and centroid fine-tuning (members stay exactly equal, the loss
 * goes down, the model must be the clustered one); and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/seed.h"
#include "compress/cluster.h"
#include "compress/quant.h"

#include "testutil.h"

#define LIN PF_CLUSTER_LINEAR
#define KPP PF_CLUSTER_KMEANSPP

/* A model of one layer: n inputs, one output, linear (no hidden layer): W is 1 x n at
 * params[0..n-1], its bias at params[n]. */
static pf_mlp *one_layer(const float *w, size_t n, float bias)
{
    pf_error err = {0};
    pf_mlp *m = pf_mlp_alloc(n, NULL, 0, 1, PF_ACT_RELU, &err);
    assert_non_null(m);
    memcpy(m->params, w, n * sizeof *w);
    m->params[n] = bias;
    return m;
}

static pf_cluster *cluster_new(const pf_mlp *m, int k)
{
    pf_error err = {0};
    pf_cluster *c = pf_cluster_alloc(m, k, &err);
    if (!c) fail_msg("pf_cluster_alloc: %s", err.msg);
    return c;
}

static void assert_floats(const float *got, const float *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i]) print_error("[%zu] = %.9g, want %.9g\n", i, got[i], want[i]);
        assert_true(got[i] == want[i]);
    }
}

static void assert_assign(const int16_t *got, const int16_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i]) print_error("assign[%zu] = %d, want %d\n", i, got[i], want[i]);
        assert_int_equal(got[i], want[i]);
    }
}

/* Every property a clustered model has whatever its numbers: pruned weights 0 and unassigned,
 * biases unassigned, every kept weight exactly its centroid, the member counts, at most k
 * distinct values per layer; and, with nearest, every kept weight assigned to its nearest
 * centroid (ties to the lower index), which pf_cluster_apply guarantees (not fine-tuning, and
 * not quantisation, which can round two centroids to one value). */
static void check_members(const pf_mlp *m, const pf_cluster *c, int nearest)
{
    assert_int_equal(c->n_params, m->n_params);
    for (size_t l = 0; l < m->n_layers; l++) {
        const pf_cluster_layer *cl = &c->layer[l];
        size_t off = m->w_off[l], n = m->dims[l + 1] * m->dims[l], kept = 0;
        size_t *count = calloc((size_t)cl->k, sizeof *count);
        for (size_t j = off; j < off + n; j++) {
            int a = c->assign[j];
            if (m->mask[j] == 0.0f) {
                assert_int_equal(a, -1);
                assert_true(m->params[j] == 0.0f);
                continue;
            }
            kept++;
            assert_true(a >= 0 && a < cl->k);
            count[a]++;
            assert_true(m->params[j] == cl->centroid[a]);
            for (int i = 0; nearest && i < cl->k; i++) {
                double d = fabs((double)m->params[j] - cl->centroid[i]);
                double da = fabs((double)m->params[j] - cl->centroid[a]);
                assert_true(i < a ? d > da : d >= da);
            }
        }
        for (int i = 0; i < cl->k; i++) assert_int_equal(count[i], cl->members[i]);
        assert_int_equal(kept, pf_mlp_layer_kept(m, l));
        for (size_t j = m->b_off[l]; j < m->b_off[l] + m->dims[l + 1]; j++)
            assert_int_equal(c->assign[j], -1);
        free(count);
    }
}

static void check_clustered(const pf_mlp *m, const pf_cluster *c)
{
    check_members(m, c, 1);
}

/* ---- the golden layer ----------------------------------------------------------------- */

/* Eight weights, k = 3, linear. lo = 6, hi = 24: c = {6, 6 + (24 - 6) / 2 = 15, 24}.
 * All values are small integers or quarters, so every mean is exact in float and every
 * distance exact in double.
 *
 *   weight            6   12   24   10   20   18   11   19
 *   initial: c = {6, 15, 24}
 *     distances to 6, 15, 24: 12 -> 6, 3, 12; 10 -> 4, 5; 20 -> 14, 5, 4; 18 -> 12, 3, 6;
 *     11 -> 5, 4; 19 -> 13, 4, 5
 *   a0                0    1    2    0    2    1    1    1
 *   update 1: c0 = (6 + 10) / 2 = 8, c1 = (12 + 18 + 11 + 19) / 4 = 15, c2 = (24 + 20) / 2 = 22
 *     11 -> |11 - 8| = 3 < 4 moves to 0; 19 -> |19 - 22| = 3 < 4 moves to 2
 *   a1                0    1    2    0    2    1    0    2
 *   update 2: c0 = (6 + 10 + 11) / 3 = 9, c1 = (12 + 18) / 2 = 15, c2 = (24 + 20 + 19) / 3 = 21
 *     12 -> |12 - 9| = 3 = |12 - 15|: a tie, to the lower index 0 (moves);
 *     18 -> |18 - 15| = 3 = |18 - 21|: a tie, to the lower index 1 (stays)
 *   a2                0    0    2    0    2    1    0    2
 *   update 3: c0 = (6 + 12 + 10 + 11) / 4 = 9.75, c1 = 18 / 1 = 18, c2 = 21
 *     19 -> |19 - 18| = 1 < 2 moves to 1; 20 -> |20 - 18| = 2 > 1 stays
 *   a3                0    0    2    0    2    1    0    1
 *   update 4: c0 = 9.75, c1 = (18 + 19) / 2 = 18.5, c2 = (24 + 20) / 2 = 22
 *     20 -> |20 - 18.5| = 1.5 < 2 moves to 1
 *   a4                0    0    2    0    1    1    0    1
 *   update 5: c0 = 9.75, c1 = (20 + 18 + 19) / 3 = 19, c2 = 24 / 1 = 24
 *     nothing moves (18 -> 1 < 8.25; 20 -> 1 < 4; 12 -> 2.25 < 7): converged
 *   a5 = a4; weights 9.75 9.75 24 9.75 19 19 9.75 19
 *
 * With max_iter = t the layer is the state after update t and the assignment that follows it,
 * cap_reached while that assignment still moved a weight (t < 5), and the converged state for
 * every t >= 5. */
static const float GOLD_W[8] = {6, 12, 24, 10, 20, 18, 11, 19};
static const float GOLD_C[6][3] = {{6, 15, 24},     {8, 15, 22},        {9, 15, 21},
                                   {9.75f, 18, 21}, {9.75f, 18.5f, 22}, {9.75f, 19, 24}};
static const int16_t GOLD_A[6][8] = {
    {0, 1, 2, 0, 2, 1, 1, 1}, {0, 1, 2, 0, 2, 1, 0, 2}, {0, 0, 2, 0, 2, 1, 0, 2},
    {0, 0, 2, 0, 2, 1, 0, 1}, {0, 0, 2, 0, 1, 1, 0, 1}, {0, 0, 2, 0, 1, 1, 0, 1},
};

static void test_golden_lloyd_steps(void **state)
{
    (void)state;
    for (int t = 0; t <= 7; t++) {
        int s = t < 5 ? t : 5; /* the state reached */
        pf_mlp *m = one_layer(GOLD_W, 8, 0.7f);
        pf_cluster *c = cluster_new(m, 3);
        pf_error err = {0};
        assert_int_equal(pf_cluster_apply(m, 3, LIN, t, NULL, c, &err), PF_OK);
        const pf_cluster_layer *cl = &c->layer[0];
        assert_int_equal(cl->k, 3);
        assert_floats(cl->centroid, GOLD_C[s], 3);
        assert_assign(c->assign, GOLD_A[s], 8);
        assert_int_equal(c->assign[8], -1); /* the bias */
        assert_int_equal(cl->iterations, s);
        assert_int_equal(cl->cap_reached, t < 5);
        float want[8];
        for (int j = 0; j < 8; j++) want[j] = GOLD_C[s][GOLD_A[s][j]];
        assert_floats(m->params, want, 8);
        assert_true(m->params[8] == 0.7f); /* biases are never clustered */
        check_clustered(m, c);
        pf_cluster_free(c);
        pf_mlp_free(m);
    }
    /* converged: members {4, 3, 1} and each centroid the mean of its members */
    pf_mlp *m = one_layer(GOLD_W, 8, 0.0f);
    pf_cluster *c = cluster_new(m, 3);
    assert_int_equal(pf_cluster_apply(m, 3, LIN, 100, NULL, c, &(pf_error){0}), PF_OK);
    assert_int_equal(c->layer[0].members[0], 4);
    assert_int_equal(c->layer[0].members[1], 3);
    assert_int_equal(c->layer[0].members[2], 1);
    assert_int_equal(c->layer[0].iterations, 5);
    pf_cluster_free(c);
    pf_mlp_free(m);
}

/* The golden layer with two more weights, pruned and holding 100 and -50 (left there on purpose):
 * they are not looked at -- lo and hi, every mean and every step are those above -- and end as
 * exactly 0 with no centroid. The order of the weights does not matter either: the pruned ones
 * come first and in the middle. */
static void test_pruned_take_no_centroid(void **state)
{
    (void)state;
    const float w[10] = {100, 6, 12, 24, 10, -50, 20, 18, 11, 19};
    pf_mlp *m = one_layer(w, 10, -0.25f);
    m->mask[0] = m->mask[5] = 0.0f;
    pf_cluster *c = cluster_new(m, 3);
    assert_int_equal(pf_cluster_apply(m, 3, LIN, 50, NULL, c, &(pf_error){0}), PF_OK);
    const float want[10] = {0, 9.75f, 9.75f, 24, 9.75f, 0, 19, 19, 9.75f, 19};
    const int16_t wa[11] = {-1, 0, 0, 2, 0, -1, 1, 1, 0, 1, -1};
    assert_floats(m->params, want, 10);
    assert_false(signbit(m->params[0]) || signbit(m->params[5]));
    assert_assign(c->assign, wa, 11);
    assert_floats(c->layer[0].centroid, GOLD_C[5], 3);
    assert_int_equal(c->layer[0].iterations, 5);
    assert_true(m->params[10] == -0.25f);
    assert_true(m->mask[0] == 0.0f && m->mask[5] == 0.0f && m->mask[1] == 1.0f);
    check_clustered(m, c);
    pf_cluster_free(c);
    pf_mlp_free(m);
}

/* More centroids than distinct kept weights.
 * linear, {0, 0, 1, 1, 4}, k = 5: c = {0, 1, 2, 3, 4}; 0 -> 0, 1 -> 1, 4 -> 4; centroids 2 and
 * 3 are empty and keep their values; one update changes nothing: members {2, 2, 0, 0, 1}.
 * linear, every weight 0.5, k = 4: lo = hi, c = {0.5, 0.5, 0.5, 0.5}; every weight ties with all
 * four and goes to centroid 0.
 * kmeans++, {0, 0, 1, 1, 4}, k = 5: D^2 sampling draws 0, 1 and 4 in some order (a drawn value
 * has D^2 = 0 and cannot be drawn again), then every D^2 is 0 and the two remaining centroids
 * repeat the last one drawn; sorted, the three values each appear, and every weight keeps its
 * value. With k = 3 = the number of values, the centroids are exactly {0, 1, 4} whatever the
 * seed. */
static void test_more_centroids_than_values(void **state)
{
    (void)state;
    const float w[5] = {0, 1, 4, 0, 1};
    pf_mlp *m = one_layer(w, 5, 0.0f);
    pf_cluster *c = cluster_new(m, 5);
    assert_int_equal(pf_cluster_apply(m, 5, LIN, 10, NULL, c, &(pf_error){0}), PF_OK);
    const float cw[5] = {0, 1, 2, 3, 4};
    const size_t members[5] = {2, 2, 0, 0, 1};
    assert_floats(c->layer[0].centroid, cw, 5);
    assert_memory_equal(c->layer[0].members, members, sizeof members);
    assert_int_equal(c->layer[0].iterations, 1);
    assert_int_equal(c->layer[0].cap_reached, 0);
    assert_floats(m->params, w, 5);
    check_clustered(m, c);
    pf_cluster_free(c);
    pf_mlp_free(m);

    const float same[3] = {0.5f, 0.5f, 0.5f};
    m = one_layer(same, 3, 0.0f);
    c = cluster_new(m, 4);
    assert_int_equal(pf_cluster_apply(m, 4, LIN, 10, NULL, c, &(pf_error){0}), PF_OK);
    const float c4[4] = {0.5f, 0.5f, 0.5f, 0.5f};
    const size_t m4[4] = {3, 0, 0, 0};
    assert_floats(c->layer[0].centroid, c4, 4);
    assert_memory_equal(c->layer[0].members, m4, sizeof m4);
    check_clustered(m, c);
    pf_cluster_free(c);
    pf_mlp_free(m);

    for (unsigned long seed = 1; seed <= 20; seed++) {
        gsl_rng *rng = rng_new(seed);
        m = one_layer(w, 5, 0.0f);
        c = cluster_new(m, 5);
        assert_int_equal(pf_cluster_apply(m, 5, KPP, 10, rng, c, &(pf_error){0}), PF_OK);
        const float *cc = c->layer[0].centroid;
        for (int i = 1; i < 5; i++) assert_true(cc[i - 1] <= cc[i]);
        assert_true(cc[0] == 0.0f && cc[4] == 4.0f);
        int has1 = 0;
        for (int i = 0; i < 5; i++) has1 |= cc[i] == 1.0f;
        assert_true(has1);
        assert_floats(m->params, w, 5);
        check_clustered(m, c);
        pf_cluster_free(c);
        pf_mlp_free(m);

        m = one_layer(w, 5, 0.0f);
        c = cluster_new(m, 3);
        assert_int_equal(pf_cluster_apply(m, 3, KPP, 10, rng, c, &(pf_error){0}), PF_OK);
        const float c3[3] = {0, 1, 4};
        assert_floats(c->layer[0].centroid, c3, 3);
        pf_cluster_free(c);
        pf_mlp_free(m);
        gsl_rng_free(rng);
    }
}

/* A layer with nothing kept: centroids 0, no iterations, no cap, every weight 0; the other
 * layer is clustered as usual. */
static void test_layer_without_kept_weights(void **state)
{
    (void)state;
    pf_error err = {0};
    int hidden[1] = {3};
    pf_mlp *m = pf_mlp_alloc(2, hidden, 1, 1, PF_ACT_TANH, &err);
    gsl_rng *rng = rng_new(4);
    pf_mlp_init(m, PF_INIT_XAVIER, rng);
    for (size_t j = m->w_off[1]; j < m->w_off[1] + 3; j++) m->mask[j] = 0.0f;
    pf_cluster *c = cluster_new(m, 2);
    assert_int_equal(pf_cluster_apply(m, 2, KPP, 10, rng, c, &err), PF_OK);
    const float zero[2] = {0, 0};
    assert_floats(c->layer[1].centroid, zero, 2);
    assert_int_equal(c->layer[1].iterations, 0);
    assert_int_equal(c->layer[1].cap_reached, 0);
    assert_int_equal(c->layer[1].members[0] + c->layer[1].members[1], 0);
    assert_int_equal(c->layer[0].members[0] + c->layer[0].members[1], 6);
    check_clustered(m, c);
    gsl_rng_free(rng);
    pf_cluster_free(c);
    pf_mlp_free(m);
}

/* ---- k-means++ ------------------------------------------------------------------------ */

/* A random 12-16-8-1 model (He weights, biases +-0.1), a share of its weights pruned. */
static pf_mlp *random_model(double pruned, unsigned long seed)
{
    pf_error err = {0};
    int hidden[2] = {16, 8};
    pf_mlp *m = pf_mlp_alloc(12, hidden, 2, 1, PF_ACT_RELU, &err);
    assert_non_null(m);
    gsl_rng *rng = rng_new(seed);
    pf_mlp_init(m, PF_INIT_HE, rng);
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

/* The same seed gives the same clustering to the bit (centroids, assignments, weights, counts);
 * another seed another one. Biases and masks are untouched either way. */
static void test_kmeanspp_deterministic(void **state)
{
    (void)state;
    pf_mlp *orig = random_model(0.3, 21);
    pf_mlp *m[3];
    pf_cluster *c[3];
    const uint64_t seed[3] = {42, 42, 43};
    for (int i = 0; i < 3; i++) {
        m[i] = pf_mlp_clone(orig, &(pf_error){0});
        c[i] = cluster_new(m[i], 8);
        gsl_rng *rng = pf_seed_rng(seed[i], 0, 0, PF_SEED_CLUSTER_INIT);
        pf_error err = {0};
        assert_int_equal(pf_cluster_apply(m[i], 8, KPP, 100, rng, c[i], &err), PF_OK);
        gsl_rng_free(rng);
        check_clustered(m[i], c[i]);
        assert_memory_equal(m[i]->mask, orig->mask, orig->n_params * sizeof(float));
        for (size_t j = 0; j < orig->n_params; j++)
            if (!pf_mlp_is_weight(orig, j)) assert_true(m[i]->params[j] == orig->params[j]);
    }
    assert_memory_equal(m[0]->params, m[1]->params, orig->n_params * sizeof(float));
    assert_memory_equal(c[0]->assign, c[1]->assign, orig->n_params * sizeof(int16_t));
    int differ = 0;
    for (size_t l = 0; l < orig->n_layers; l++) {
        assert_memory_equal(c[0]->layer[l].centroid, c[1]->layer[l].centroid, 8 * sizeof(float));
        assert_memory_equal(c[0]->layer[l].members, c[1]->layer[l].members, 8 * sizeof(size_t));
        assert_int_equal(c[0]->layer[l].iterations, c[1]->layer[l].iterations);
        differ |= memcmp(c[0]->layer[l].centroid, c[2]->layer[l].centroid, 8 * sizeof(float));
    }
    assert_true(differ);
    /* the converged layers' centroids are their members' means (in float) */
    for (size_t l = 0; l < orig->n_layers; l++) {
        const pf_cluster_layer *cl = &c[0]->layer[l];
        if (cl->cap_reached) continue;
        for (int i = 0; i < 8; i++) {
            double sum = 0.0;
            for (size_t j = orig->w_off[l]; j < orig->b_off[l]; j++)
                if (c[0]->assign[j] == i) sum += orig->params[j];
            if (cl->members[i] > 0)
                assert_true(cl->centroid[i] == (float)(sum / (double)cl->members[i]));
        }
    }
    for (int i = 0; i < 3; i++) {
        pf_cluster_free(c[i]);
        pf_mlp_free(m[i]);
    }
    pf_mlp_free(orig);
}

/* ---- size ----------------------------------------------------------------------------- */

/* A 64-2-1 model, k = 4: index bits 2, 3 with a code for 0.
 * Layer 0 (2 x 64, 128 weights), all kept: dense ceil(128 * 2 / 8) = 32; CSR ceil(128 * 2 / 8)
 *   + 4 * 128 + 4 * 3 = 556: dense. Only 4 kept: dense ceil(128 * 3 / 8) = 48; CSR
 *   ceil(4 * 2 / 8) = 1 + 16 + 12 = 29: CSR.
 * Layer 1 (1 x 2), all kept: dense ceil(2 * 2 / 8) = 1 (CSR 1 + 8 + 8 = 17).
 * Codebook per layer: 4 * 4 = 16 bytes at 32 bits; ceil(4 * 4 / 8) + 4 = 6 at 4 bits.
 * Biases: 4 * 2 and 4 * 1.
 *   all kept:   32 bits (32 + 16 + 8) + (1 + 16 + 4) = 77;  4 bits (32 + 6 + 8) + (1 + 6 + 4) = 57
 *   100 kept:   dense with the code for 0, ceil(128 * 3 / 8) = 48 (CSR 25 + 400 + 12 = 437):
 *               32 bits (48 + 16 + 8) + 21 = 93;             4 bits (48 + 6 + 8) + 11 = 73
 *   4 kept:     32 bits (29 + 16 + 8) + 21 = 74;             4 bits (29 + 6 + 8) + 11 = 54
 * One weight of layer 1 pruned too: dense ceil(2 * 3 / 8) = 1 still (CSR 1 + 4 + 8 = 13). */
static void test_bytes(void **state)
{
    (void)state;
    assert_int_equal(pf_cluster_index_bits(2), 1);
    assert_int_equal(pf_cluster_index_bits(3), 2);
    assert_int_equal(pf_cluster_index_bits(4), 2);
    assert_int_equal(pf_cluster_index_bits(5), 3);
    assert_int_equal(pf_cluster_index_bits(16), 4);
    assert_int_equal(pf_cluster_index_bits(17), 5);
    assert_int_equal(pf_cluster_index_bits(256), 8);
    assert_int_equal(pf_cluster_index_bits(257), 9);

    pf_error err = {0};
    int hidden[1] = {2};
    pf_mlp *m = pf_mlp_alloc(64, hidden, 1, 1, PF_ACT_RELU, &err);
    gsl_rng *rng = rng_new(8);
    pf_mlp_init(m, PF_INIT_HE, rng);
    pf_cluster *c = cluster_new(m, 4);
    assert_int_equal(pf_cluster_apply(m, 4, KPP, 20, rng, c, &err), PF_OK);
    assert_int_equal(pf_cluster_bytes(m, c, 32), 77);
    assert_int_equal(pf_cluster_bytes(m, c, 4), 57);
    assert_false(pf_cluster_layer_csr(m, c, 0));
    assert_false(pf_cluster_layer_csr(m, c, 1));
    for (size_t j = m->w_off[0] + 100; j < m->b_off[0]; j++) m->mask[j] = 0.0f;
    assert_int_equal(pf_cluster_apply(m, 4, KPP, 20, rng, c, &err), PF_OK);
    assert_int_equal(pf_cluster_bytes(m, c, 32), 93);
    assert_int_equal(pf_cluster_bytes(m, c, 4), 73);
    assert_false(pf_cluster_layer_csr(m, c, 0));
    for (size_t j = m->w_off[0] + 4; j < m->b_off[0]; j++) m->mask[j] = 0.0f;
    assert_int_equal(pf_cluster_apply(m, 4, KPP, 20, rng, c, &err), PF_OK);
    assert_int_equal(pf_cluster_bytes(m, c, 32), 74);
    assert_int_equal(pf_cluster_bytes(m, c, 4), 54);
    assert_true(pf_cluster_layer_csr(m, c, 0));
    m->mask[m->w_off[1]] = 0.0f;
    assert_int_equal(pf_cluster_apply(m, 4, KPP, 20, rng, c, &err), PF_OK);
    assert_int_equal(pf_cluster_bytes(m, c, 32), 74);
    assert_false(pf_cluster_layer_csr(m, c, 1));
    assert_int_equal(pf_cluster_bytes(m, c, 9), -1);
    assert_int_equal(pf_cluster_bytes(m, c, 1), -1);
    assert_int_equal(pf_cluster_bytes(m, c, 16), -1);
    gsl_rng_free(rng);
    pf_cluster_free(c);
    pf_mlp_free(m);
}

/* ---- quantised codebook --------------------------------------------------------------- */

/* The golden layer's centroids {9.75, 19, 24} at 4 bits (qmax 7): s = (float)(24 / 7) =
 * 3.4285715; 9.75 / s = 2.84 -> 3, 19 / s = 5.54 -> 6, 24 / s = 7 (to 1e-5) -> 7, under both
 * roundings. At 2 bits (qmax 1): s = 24; 0.41 -> 0, 0.79 -> 1, 1 -> 1: the layer keeps 2
 * values, 0 and 24 (the weights of cluster 0 become 0 but stay kept). */
static void test_quantise_golden(void **state)
{
    (void)state;
    const struct {
        int bits;
        float s;
        int8_t qc[3];
    } cases[] = {{4, (float)(24.0 / 7), {3, 6, 7}}, {2, 24.0f, {0, 1, 1}}};
    for (int r = 0; r < 2; r++)
        for (int t = 0; t < 2; t++) {
            pf_mlp *m = one_layer(GOLD_W, 8, 0.5f);
            pf_cluster *c = cluster_new(m, 3);
            pf_error err = {0};
            assert_int_equal(pf_cluster_apply(m, 3, LIN, 100, NULL, c, &err), PF_OK);
            int8_t q[9];
            float us[1];
            memset(q, 9, sizeof q);
            assert_int_equal(pf_cluster_quantise(m, c, cases[t].bits, (pf_rounding)r, q, us, &err),
                             PF_OK);
            assert_true(us[0] == cases[t].s);
            for (int j = 0; j < 8; j++) {
                int a = GOLD_A[5][j];
                assert_int_equal(q[j], cases[t].qc[a]);
                assert_true(m->params[j] == (float)((double)cases[t].s * cases[t].qc[a]));
                assert_true(m->params[j] == (float)((double)us[0] * q[j]));
            }
            assert_int_equal(q[8], 0); /* the bias: not quantised */
            assert_true(m->params[8] == 0.5f);
            for (int i = 0; i < 3; i++)
                assert_true(c->layer[0].centroid[i] ==
                            (float)((double)cases[t].s * cases[t].qc[i]));
            check_members(m, c, 0);
            pf_cluster_free(c);
            pf_mlp_free(m);
        }
}

/* An empty centroid is out of the scale: a layer {1, 1, 2, 2} with centroids {1, 2, 100},
 * the last one empty. At 4 bits s = (float)(2 / 7) = 0.28571430 (not 100 / 7), a little above
 * 2 / 7: 1 / s = 3.4999998 -> 3 (not a tie), 2 / s = 6.9999997 -> 7; the empty centroid gets
 * integer 0 and becomes 0. */
static void test_quantise_empty_centroid(void **state)
{
    (void)state;
    const float w[4] = {1, 1, 2, 2};
    pf_mlp *m = one_layer(w, 4, 0.0f);
    pf_cluster *c = cluster_new(m, 3);
    const float cent[3] = {1, 2, 100};
    const size_t members[3] = {2, 2, 0};
    const int16_t assign[4] = {0, 0, 1, 1};
    memcpy(c->layer[0].centroid, cent, sizeof cent);
    memcpy(c->layer[0].members, members, sizeof members);
    memcpy(c->assign, assign, sizeof assign);
    int8_t q[5];
    float us[1];
    pf_error err = {0};
    assert_int_equal(pf_cluster_quantise(m, c, 4, PF_ROUND_HALF_EVEN, q, us, &err), PF_OK);
    float s = (float)(2.0 / 7);
    assert_true(us[0] == s);
    const int8_t wq[5] = {3, 3, 7, 7, 0};
    assert_memory_equal(q, wq, sizeof wq);
    const float wc[3] = {(float)((double)s * 3), (float)((double)s * 7), 0.0f};
    assert_floats(c->layer[0].centroid, wc, 3);
    pf_cluster_free(c);
    pf_mlp_free(m);
}

/* On random clustered models: every weight is (float)(unit_scale q), every unit of a layer has
 * the layer's scale, pruned weights and biases get q = 0, a layer has at most k distinct
 * values (at most 3 at 2 bits, where qmax = 1), q and unit_scale may be NULL, and quantising
 * again changes nothing. */
static void test_quantise_properties(void **state)
{
    (void)state;
    const int bits[3] = {8, 4, 2};
    for (int b = 0; b < 3; b++) {
        pf_mlp *m[2];
        pf_cluster *c[2];
        pf_error err = {0};
        for (int i = 0; i < 2; i++) { /* twice the same clustered model */
            m[i] = random_model(0.4, 30 + (unsigned long)b);
            c[i] = cluster_new(m[i], 8);
            gsl_rng *rng = rng_new(31);
            assert_int_equal(pf_cluster_apply(m[i], 8, KPP, 100, rng, c[i], &err), PF_OK);
            gsl_rng_free(rng);
        }
        size_t np = m[0]->n_params;
        int8_t *q = malloc(np), *q2 = malloc(np);
        float us[25], us2[25]; /* 16 + 8 + 1 units */
        assert_int_equal(pf_cluster_quantise(m[0], c[0], bits[b], PF_ROUND_HALF_EVEN, q, us, &err),
                         PF_OK);
        const pf_mlp *mq = m[0];
        for (size_t l = 0, u = 0; l < mq->n_layers; u += mq->dims[l + 1], l++) {
            float vals[8];
            size_t nv = 0, cols = mq->dims[l];
            for (size_t i = 0; i < mq->dims[l + 1]; i++) {
                assert_true(us[u + i] == us[u]);
                for (size_t j = mq->w_off[l] + i * cols; j < mq->w_off[l] + (i + 1) * cols; j++) {
                    assert_true(mq->params[j] == (float)((double)us[u + i] * q[j]));
                    if (mq->mask[j] == 0.0f) {
                        assert_int_equal(q[j], 0);
                        continue;
                    }
                    size_t v = 0;
                    while (v < nv && vals[v] != mq->params[j]) v++;
                    if (v == nv) {
                        assert_true(nv < 8);
                        vals[nv++] = mq->params[j];
                    }
                }
            }
            if (bits[b] == 2) assert_true(nv <= 3);
            for (size_t j = mq->b_off[l]; j < mq->b_off[l] + mq->dims[l + 1]; j++)
                assert_int_equal(q[j], 0);
        }
        check_members(m[0], c[0], 0);
        /* without the integers, the same weights */
        assert_int_equal(
            pf_cluster_quantise(m[1], c[1], bits[b], PF_ROUND_HALF_EVEN, NULL, NULL, &err), PF_OK);
        assert_memory_equal(m[1]->params, m[0]->params, np * sizeof(float));
        /* again: nothing moves */
        assert_int_equal(
            pf_cluster_quantise(m[0], c[0], bits[b], PF_ROUND_HALF_EVEN, q2, us2, &err), PF_OK);
        assert_memory_equal(q, q2, np);
        assert_memory_equal(us, us2, sizeof us);
        assert_memory_equal(m[1]->params, m[0]->params, np * sizeof(float));
        free(q);
        free(q2);
        for (int i = 0; i < 2; i++) {
            pf_cluster_free(c[i]);
            pf_mlp_free(m[i]);
        }
    }
}

/* ---- fine-tuning ---------------------------------------------------------------------- */

#define FT_ROWS 256

typedef struct {
    pf_split s;
    int part[1];
    size_t off[2];
} test_split;

/* y = sin(x1) + x2^2 on [-2, 2]^2 (test_train.c's function). */
static void make_data(float *x, float *y, test_split *t, unsigned long seed)
{
    gsl_rng *r = rng_new(seed);
    for (size_t i = 0; i < FT_ROWS; i++) {
        x[2 * i] = (float)(4.0 * gsl_rng_uniform(r) - 2.0);
        x[2 * i + 1] = (float)(4.0 * gsl_rng_uniform(r) - 2.0);
        y[i] = sinf(x[2 * i]) + x[2 * i + 1] * x[2 * i + 1];
    }
    gsl_rng_free(r);
    memset(t, 0, sizeof *t);
    t->s.n = FT_ROWS;
    t->s.d = 2;
    t->s.x = x;
    t->s.y = y;
    t->s.t = 1;
    t->s.n_parts = 1;
    t->s.part = t->part;
    t->s.off = t->off;
    t->off[1] = FT_ROWS;
}

static double train_loss(const pf_mlp *m, const test_split *t)
{
    pf_error err = {0};
    pf_mlp_work *w = pf_mlp_work_alloc(m, FT_ROWS, &err);
    float yhat[FT_ROWS];
    pf_mlp_forward(m, w, t->s.x, FT_ROWS, yhat);
    const pf_loss_spec mse = {PF_LOSS_MSE, 1, NULL, PF_WEIGHTING_EQUAL, NULL};
    double l = pf_loss_eval(&mse, yhat, t->s.y, FT_ROWS, NULL, NULL);
    pf_mlp_work_free(w);
    return l;
}

static int by_abs(const void *a, const void *b)
{
    float x = fabsf(*(const float *)a), y = fabsf(*(const float *)b);
    return (x > y) - (x < y);
}

/* A 2-16-16-1 tanh model trained for 100 Adam epochs, its quarter of smallest weights pruned
 * and fine-tuned for 30 epochs, then clustered into k = 4 (coarse, so the loss rises) and its
 * centroids fine-tuned for 30 epochs with Adam and with SGD: every cluster's members stay
 * exactly equal (each kept weight is its centroid, read back), pruned weights stay 0, the
 * assignment does not change, the biases move, and the training loss falls below the clustered
 * model's. */
static void test_finetune(void **state)
{
    (void)state;
    static float x[2 * FT_ROWS], y[FT_ROWS];
    test_split t;
    make_data(x, y, &t, 5);
    pf_error err = {0};
    int hidden[2] = {16, 16};
    pf_mlp *dense = pf_mlp_alloc(2, hidden, 2, 1, PF_ACT_TANH, &err);
    gsl_rng *r = rng_new(3);
    pf_mlp_init(dense, PF_INIT_AUTO, r);
    pf_train_opts o = {.optimizer = PF_OPT_ADAM,
                       .learning_rate = 0.01,
                       .momentum = 0.9,
                       .batch_size = 32,
                       .max_epochs = 100,
                       .loss = PF_LOSS_MSE};
    assert_int_equal(pf_train(dense, &o, &t.s, NULL, r, NULL, &err), PF_OK);
    double trained = train_loss(dense, &t);
    size_t nw = 0;
    float *mag = malloc(dense->n_params * sizeof *mag);
    for (size_t j = 0; j < dense->n_params; j++)
        if (pf_mlp_is_weight(dense, j)) mag[nw++] = dense->params[j];
    qsort(mag, nw, sizeof *mag, by_abs);
    float cut = fabsf(mag[nw / 4]);
    free(mag);
    for (size_t j = 0; j < dense->n_params; j++)
        if (pf_mlp_is_weight(dense, j) && fabsf(dense->params[j]) < cut) dense->mask[j] = 0.0f;
    o.max_epochs = 30;
    assert_int_equal(pf_train(dense, &o, &t.s, NULL, r, NULL, &err), PF_OK);
    double pruned = train_loss(dense, &t);
    pf_optimizer optim[2] = {PF_OPT_ADAM, PF_OPT_SGD};
    for (int k = 0; k < 2; k++) {
        pf_mlp *m = pf_mlp_clone(dense, &err);
        pf_cluster *c = cluster_new(m, 4);
        assert_int_equal(pf_cluster_apply(m, 4, LIN, 100, NULL, c, &err), PF_OK);
        pf_mlp *before = pf_mlp_clone(m, &err);
        int16_t *assign = malloc(m->n_params * sizeof *assign);
        memcpy(assign, c->assign, m->n_params * sizeof *assign);
        double clustered = train_loss(m, &t);
        pf_train_opts f = o;
        f.optimizer = optim[k];
        f.learning_rate = optim[k] == PF_OPT_SGD ? 0.001 : 0.002;
        f.max_epochs = 30;
        f.weight_decay = 1e-4;
        gsl_rng *shuffle = rng_new(9);
        pf_train_report rep;
        assert_int_equal(pf_cluster_finetune(m, c, &f, &t.s, NULL, shuffle, &rep, &err), PF_OK);
        gsl_rng_free(shuffle);
        check_members(m, c, 0);
        assert_memory_equal(assign, c->assign, m->n_params * sizeof *assign);
        assert_true(rep.final_train_loss < clustered);
        assert_near(rep.final_train_loss, train_loss(m, &t), 1e-9);
        int moved = 0;
        for (size_t j = 0; j < m->n_params; j++)
            if (!pf_mlp_is_weight(m, j)) moved |= m->params[j] != before->params[j];
        assert_true(moved);
        for (size_t j = 0; j < m->n_params; j++)
            if (m->mask[j] == 0.0f) assert_true(m->params[j] == 0.0f);
        print_message("centroid fine-tuning (%s): mse %.4f dense, %.4f pruned, %.4f clustered, "
                      "%.4f fine-tuned\n",
                      k ? "sgd" : "adam", trained, pruned, clustered, rep.final_train_loss);
        free(assign);
        pf_cluster_free(c);
        pf_mlp_free(before);
        pf_mlp_free(m);
    }
    gsl_rng_free(r);
    pf_mlp_free(dense);
}

/* Fine-tuning needs the model the clustering describes: a kept weight moved off its centroid,
 * or a weight pruned after clustering, is refused before any training. */
static void test_finetune_refuses_other_model(void **state)
{
    (void)state;
    static float x[2 * FT_ROWS], y[FT_ROWS];
    test_split t;
    make_data(x, y, &t, 6);
    pf_error err = {0};
    int hidden[1] = {4};
    pf_mlp *m = pf_mlp_alloc(2, hidden, 1, 1, PF_ACT_TANH, &err);
    gsl_rng *r = rng_new(3);
    pf_mlp_init(m, PF_INIT_AUTO, r);
    pf_cluster *c = cluster_new(m, 2);
    assert_int_equal(pf_cluster_apply(m, 2, LIN, 10, NULL, c, &err), PF_OK);
    pf_train_opts o = {.optimizer = PF_OPT_ADAM,
                       .learning_rate = 0.01,
                       .batch_size = 32,
                       .max_epochs = 1,
                       .loss = PF_LOSS_MSE};
    m->params[1] += 0.5f;
    assert_int_equal(pf_cluster_finetune(m, c, &o, &t.s, NULL, r, NULL, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "weight 1 is not what its clustering says"));
    m->params[1] -= 0.5f;
    m->mask[2] = 0.0f;
    pf_error_clear(&err);
    assert_int_equal(pf_cluster_finetune(m, c, &o, &t.s, NULL, r, NULL, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "weight 2"));
    m->mask[2] = 1.0f;
    pf_error_clear(&err);
    assert_int_equal(pf_cluster_finetune(m, c, &o, &t.s, NULL, r, NULL, &err), PF_OK);
    gsl_rng_free(r);
    pf_cluster_free(c);
    pf_mlp_free(m);
}

/* ---- refusals ------------------------------------------------------------------------- */

static void test_refusals(void **state)
{
    (void)state;
    pf_mlp *m = one_layer(GOLD_W, 8, 0.0f);
    pf_error err = {0};
    assert_null(pf_cluster_alloc(m, 1, &err));
    assert_int_equal(err.code, PF_EINPUT);
    assert_non_null(strstr(err.msg, "use 2 to 256"));
    pf_error_clear(&err);
    assert_null(pf_cluster_alloc(m, 257, &err));
    assert_int_equal(err.code, PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_cluster_check(256, KPP, 0, &err), PF_OK);
    assert_int_equal(pf_cluster_check(4, (pf_cluster_init)2, 0, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_cluster_check(4, LIN, -1, &err), PF_EINPUT);
    pf_error_clear(&err);

    pf_cluster *c = cluster_new(m, 4);
    assert_int_equal(pf_cluster_apply(m, 3, LIN, 10, NULL, c, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "another k"));
    pf_error_clear(&err);
    assert_int_equal(pf_cluster_apply(m, 4, KPP, 10, NULL, c, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "random generator"));
    pf_error_clear(&err);
    m->params[3] = NAN;
    assert_int_equal(pf_cluster_apply(m, 4, LIN, 10, NULL, c, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "not finite"));
    assert_true(m->params[0] == 6.0f); /* unchanged */
    pf_error_clear(&err);
    m->mask[3] = 0.0f; /* a pruned NaN is not looked at */
    assert_int_equal(pf_cluster_apply(m, 4, LIN, 10, NULL, c, &err), PF_OK);
    assert_true(m->params[3] == 0.0f);
    assert_int_equal(pf_cluster_quantise(m, c, 32, PF_ROUND_HALF_EVEN, NULL, NULL, &err),
                     PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_cluster_quantise(m, c, 1, PF_ROUND_HALF_EVEN, NULL, NULL, &err), PF_EINPUT);
    pf_cluster_free(c);
    pf_cluster_free(NULL);

    int hidden[1] = {2};
    pf_mlp *other = pf_mlp_alloc(8, hidden, 1, 1, PF_ACT_RELU, &err);
    c = cluster_new(other, 4);
    pf_error_clear(&err);
    assert_int_equal(pf_cluster_apply(m, 4, LIN, 10, NULL, c, &err), PF_EINPUT);
    pf_cluster_free(c);
    pf_mlp_free(other);
    pf_mlp_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_lloyd_steps),
        cmocka_unit_test(test_pruned_take_no_centroid),
        cmocka_unit_test(test_more_centroids_than_values),
        cmocka_unit_test(test_layer_without_kept_weights),
        cmocka_unit_test(test_kmeanspp_deterministic),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_quantise_golden),
        cmocka_unit_test(test_quantise_empty_centroid),
        cmocka_unit_test(test_quantise_properties),
        cmocka_unit_test(test_finetune),
        cmocka_unit_test(test_finetune_refuses_other_model),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
