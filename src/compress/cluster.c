/* cluster.c: sparsity-preserving weight clustering, its fine-tuning, its quantised codebook and
 * its size (see cluster.h for the rules).
 *
 * A layer is clustered in place over its row-major weight matrix: every loop runs over the
 * layer's weights in parameter order and skips the pruned ones (mask 0), so the order of every
 * sum and of every draw is the parameter order. The initialisations are a table indexed by the
 * enum of config.h, like quant.c's roundings: another initialisation is one enum value and one
 * row. */
#include "compress/cluster.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "compress/quant.h"

/* What a layer's clustering works on: its weights, mask and assignments (n of each). */
typedef struct {
    float *w;
    const float *mask;
    int16_t *assign;
    size_t n;   /* weights of the layer */
    size_t nnz; /* kept weights */
} layer_view;

static int kept(const layer_view *v, size_t j)
{
    return v->mask[j] != 0.0f;
}

/* ---- first centroids ------------------------------------------------------------------ */

/* lo and hi included, exactly; the steps between in double. */
static void init_linear(const layer_view *v, int k, gsl_rng *rng, double *d2, float *c)
{
    (void)rng, (void)d2;
    float lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < v->n; j++)
        if (kept(v, j)) lo = fminf(lo, v->w[j]), hi = fmaxf(hi, v->w[j]);
    c[0] = lo;
    for (int i = 1; i < k - 1; i++)
        c[i] = (float)((double)lo + (double)i * ((double)hi - (double)lo) / (double)(k - 1));
    c[k - 1] = hi;
}

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static double sq(double x)
{
    return x * x;
}

/* D^2 sampling; d2[j] is kept weight j's squared distance to its nearest centroid so far. */
static void init_kmeanspp(const layer_view *v, int k, gsl_rng *rng, double *d2, float *c)
{
    size_t first = (size_t)gsl_rng_uniform_int(rng, (unsigned long)v->nnz), seen = 0;
    for (size_t j = 0; j < v->n; j++)
        if (kept(v, j) && seen++ == first) c[0] = v->w[j];
    for (size_t j = 0; j < v->n; j++) d2[j] = kept(v, j) ? sq((double)v->w[j] - c[0]) : 0.0;
    int i = 1;
    for (; i < k; i++) {
        double total = 0.0;
        for (size_t j = 0; j < v->n; j++) total += d2[j];
        if (!(total > 0.0)) break; /* every kept weight is a centroid already */
        double u = gsl_rng_uniform(rng) * total, run = 0.0;
        size_t pick = v->n;
        for (size_t j = 0; j < v->n && pick == v->n; j++) {
            run += d2[j];
            if (run > u) pick = j;
        }
        for (size_t j = v->n; pick == v->n && j-- > 0;) /* not reached: run ends at total > u */
            if (d2[j] > 0.0) pick = j;
        c[i] = v->w[pick];
        for (size_t j = 0; j < v->n; j++)
            if (kept(v, j)) d2[j] = fmin(d2[j], sq((double)v->w[j] - c[i]));
    }
    for (; i < k; i++) c[i] = c[i - 1];
    qsort(c, (size_t)k, sizeof *c, by_value);
}

typedef struct {
    pf_cluster_init init;
    void (*first)(const layer_view *v, int k, gsl_rng *rng, double *d2, float *c);
    int needs_rng;
} initialisation;

/* In enum order, so a row is found by indexing. */
static const initialisation INITS[] = {
    {PF_CLUSTER_LINEAR, init_linear, 0},
    {PF_CLUSTER_KMEANSPP, init_kmeanspp, 1},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int valid_init(pf_cluster_init init)
{
    return (size_t)init < N_OF(INITS) && INITS[init].init == init;
}

/* ---- Lloyd ---------------------------------------------------------------------------- */

/* Each kept weight to its nearest centroid, ties to the lower index; returns how many moved. */
static size_t assign_nearest(layer_view *v, const float *c, int k)
{
    size_t moved = 0;
    for (size_t j = 0; j < v->n; j++) {
        if (!kept(v, j)) continue;
        int best = 0;
        double bd = fabs((double)v->w[j] - c[0]);
        for (int i = 1; i < k; i++) {
            double d = fabs((double)v->w[j] - c[i]);
            if (d < bd) bd = d, best = i;
        }
        if (v->assign[j] != best) moved++, v->assign[j] = (int16_t)best;
    }
    return moved;
}

static void count_members(const layer_view *v, int k, size_t *members)
{
    memset(members, 0, (size_t)k * sizeof *members);
    for (size_t j = 0; j < v->n; j++)
        if (kept(v, j)) members[v->assign[j]]++;
}

/* Each centroid with members to their mean; an empty one keeps its value. */
static void update_means(const layer_view *v, int k, float *c, size_t *members, double *sum)
{
    memset(sum, 0, (size_t)k * sizeof *sum);
    count_members(v, k, members);
    for (size_t j = 0; j < v->n; j++)
        if (kept(v, j)) sum[v->assign[j]] += (double)v->w[j];
    for (int i = 0; i < k; i++)
        if (members[i] > 0) c[i] = (float)(sum[i] / (double)members[i]);
}

static void cluster_layer(layer_view *v, pf_cluster_layer *out, pf_cluster_init init, int max_iter,
                          gsl_rng *rng, double *d2, double *sum)
{
    int k = out->k;
    out->iterations = 0;
    out->cap_reached = 0;
    for (size_t j = 0; j < v->n; j++) v->assign[j] = -1;
    if (v->nnz == 0) {
        memset(out->centroid, 0, (size_t)k * sizeof *out->centroid);
        memset(out->members, 0, (size_t)k * sizeof *out->members);
        for (size_t j = 0; j < v->n; j++) v->w[j] = 0.0f;
        return;
    }
    INITS[init].first(v, k, rng, d2, out->centroid);
    assign_nearest(v, out->centroid, k);
    int converged = 0;
    while (!converged && out->iterations < max_iter) {
        update_means(v, k, out->centroid, out->members, sum);
        out->iterations++;
        converged = assign_nearest(v, out->centroid, k) == 0;
    }
    out->cap_reached = !converged;
    count_members(v, k, out->members);
    for (size_t j = 0; j < v->n; j++) v->w[j] = kept(v, j) ? out->centroid[v->assign[j]] : 0.0f;
}

/* ---- the struct ----------------------------------------------------------------------- */

int pf_cluster_check(int k, pf_cluster_init init, int max_iter, pf_error *err)
{
    if (k < PF_CLUSTER_MIN_K || k > PF_CLUSTER_MAX_K)
        return pf_error_set(err, PF_EINPUT,
                            "cannot cluster weights into %d centroids per layer: use %d to %d", k,
                            PF_CLUSTER_MIN_K, PF_CLUSTER_MAX_K);
    if (!valid_init(init))
        return pf_error_set(err, PF_EINPUT, "unknown clustering initialisation %d", (int)init);
    if (max_iter < 0)
        return pf_error_set(err, PF_EINPUT, "clustering takes at least 0 Lloyd iterations, not %d",
                            max_iter);
    return PF_OK;
}

void pf_cluster_free(pf_cluster *c)
{
    if (!c) return;
    for (size_t l = 0; c->layer && l < c->n_layers; l++) {
        free(c->layer[l].centroid);
        free(c->layer[l].members);
    }
    free(c->layer);
    free(c->assign);
    free(c);
}

pf_cluster *pf_cluster_alloc(const pf_mlp *m, int k, pf_error *err)
{
    if (pf_cluster_check(k, PF_CLUSTER_LINEAR, 0, err) != PF_OK) return NULL;
    pf_cluster *c = pf_alloc(1, sizeof *c, err);
    if (!c) return NULL;
    c->n_layers = m->n_layers;
    c->n_params = m->n_params;
    c->k = k;
    c->layer = pf_alloc(m->n_layers, sizeof *c->layer, err);
    c->assign = pf_alloc(m->n_params, sizeof *c->assign, err);
    int ok = c->layer && c->assign;
    for (size_t l = 0; ok && l < m->n_layers; l++) {
        pf_cluster_layer *cl = &c->layer[l];
        cl->k = k;
        cl->centroid = pf_alloc((size_t)k, sizeof *cl->centroid, err);
        cl->members = pf_alloc((size_t)k, sizeof *cl->members, err);
        ok = cl->centroid && cl->members;
    }
    if (!ok) {
        pf_cluster_free(c);
        return NULL;
    }
    for (size_t j = 0; j < m->n_params; j++) c->assign[j] = -1;
    return c;
}

static int same_shape(const pf_mlp *m, const pf_cluster *c)
{
    return c->n_layers == m->n_layers && c->n_params == m->n_params;
}

static layer_view view_of(pf_mlp *m, int16_t *assign, size_t l)
{
    layer_view v = {m->params + m->w_off[l], m->mask + m->w_off[l], assign + m->w_off[l],
                    m->dims[l + 1] * m->dims[l], pf_mlp_layer_kept(m, l)};
    return v;
}

/* ---- clustering ----------------------------------------------------------------------- */

int pf_cluster_apply(pf_mlp *m, int k, pf_cluster_init init, int max_iter, gsl_rng *rng,
                     pf_cluster *out, pf_error *err)
{
    if (pf_cluster_check(k, init, max_iter, err) != PF_OK) return err->code;
    if (!same_shape(m, out) || out->k != k)
        return pf_error_set(err, PF_EINPUT,
                            "the clustering was allocated for another model or another k (%d, "
                            "not %d)",
                            out->k, k);
    if (INITS[init].needs_rng && rng == NULL)
        return pf_error_set(err, PF_EINPUT, "k-means++ clustering needs a random generator");
    size_t most = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t n = m->dims[l + 1] * m->dims[l], off = m->w_off[l];
        if (n > most) most = n;
        for (size_t j = off; j < off + n; j++)
            if (m->mask[j] != 0.0f && !isfinite(m->params[j]))
                return pf_error_set(err, PF_EINPUT,
                                    "cannot cluster a weight that is not finite (parameter %zu "
                                    "is %g)",
                                    j, m->params[j]);
    }
    double *d2 = pf_alloc(most, sizeof *d2, err);
    double *sum = pf_alloc((size_t)k, sizeof *sum, err);
    if (d2 && sum) {
        for (size_t j = 0; j < m->n_params; j++) out->assign[j] = -1;
        for (size_t l = 0; l < m->n_layers; l++) {
            layer_view v = view_of(m, out->assign, l);
            cluster_layer(&v, &out->layer[l], init, max_iter, rng, d2, sum);
        }
    }
    free(d2);
    free(sum);
    return err->code;
}

/* ---- fine-tuning ---------------------------------------------------------------------- */

/* Whether m is the model c describes: kept weights assigned and equal to their centroid,
 * pruned weights and biases unassigned. */
static int describes(const pf_mlp *m, const pf_cluster *c, pf_error *err)
{
    if (!same_shape(m, c))
        return pf_error_set(err, PF_EINPUT, "the clustering describes a model of another shape");
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t off = m->w_off[l], n = m->dims[l + 1] * m->dims[l];
        const pf_cluster_layer *cl = &c->layer[l];
        for (size_t j = off; j < off + n; j++) {
            int a = c->assign[j], keep = m->mask[j] != 0.0f;
            if (keep != (a >= 0) || a >= cl->k || (keep && m->params[j] != cl->centroid[a]))
                return pf_error_set(err, PF_EINPUT,
                                    "weight %zu is not what its clustering says (mask %g, "
                                    "centroid %d): fine-tune the model pf_cluster_apply made",
                                    j, m->mask[j], a);
        }
        for (size_t j = m->b_off[l]; j < m->b_off[l] + m->dims[l + 1]; j++)
            if (c->assign[j] != -1)
                return pf_error_set(err, PF_EINPUT, "bias %zu has a centroid", j);
    }
    return PF_OK;
}

int pf_cluster_finetune(pf_mlp *m, pf_cluster *c, const pf_train_opts *o, const pf_split *train,
                        const pf_split *val, gsl_rng *shuffle_rng, pf_train_report *rep,
                        pf_error *err)
{
    if (describes(m, c, err) != PF_OK) return err->code;
    int *tie = pf_alloc(m->n_params, sizeof *tie, err);
    if (!tie) return err->code;
    for (size_t j = 0; j < m->n_params; j++)
        tie[j] = c->assign[j] < 0 ? -1 : (int)pf_mlp_layer_of(m, j) * c->k + c->assign[j];
    pf_train_opts tied = *o;
    tied.tie = tie;
    int rc = pf_train(m, &tied, train, val, shuffle_rng, rep, err);
    free(tie);
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t off = m->w_off[l], n = m->dims[l + 1] * m->dims[l];
        pf_cluster_layer *cl = &c->layer[l];
        for (size_t j = off + n; j-- > off;) /* the first member's value, last written */
            if (c->assign[j] >= 0) cl->centroid[c->assign[j]] = m->params[j];
    }
    return rc;
}

/* ---- quantised codebook --------------------------------------------------------------- */

int pf_cluster_quantise(pf_mlp *m, pf_cluster *c, int bits, pf_rounding r, int8_t *q,
                        float *unit_scale, pf_error *err)
{
    if (pf_quant_check(bits, PF_GRAN_TENSOR, r, 0, err) != PF_OK) return err->code;
    if (!same_shape(m, c))
        return pf_error_set(err, PF_EINPUT, "the clustering describes a model of another shape");
    float *has = pf_alloc((size_t)c->k, sizeof *has, err);
    int8_t *qc = pf_alloc((size_t)c->k, sizeof *qc, err);
    if (has && qc) {
        if (q) memset(q, 0, m->n_params * sizeof *q);
        for (size_t l = 0, u = 0; l < m->n_layers; u += m->dims[l + 1], l++) {
            pf_cluster_layer *cl = &c->layer[l];
            for (int i = 0; i < cl->k; i++) has[i] = cl->members[i] > 0 ? 1.0f : 0.0f;
            float s;
            pf_quant_vector(cl->centroid, has, (size_t)cl->k, bits, r, &s, qc);
            for (int i = 0; i < cl->k; i++) cl->centroid[i] = (float)((double)s * qc[i]);
            size_t off = m->w_off[l], n = m->dims[l + 1] * m->dims[l];
            for (size_t j = off; j < off + n; j++) {
                int a = c->assign[j];
                m->params[j] = a >= 0 ? cl->centroid[a] : 0.0f;
                if (q) q[j] = a >= 0 ? qc[a] : 0;
            }
            for (size_t i = 0; unit_scale && i < m->dims[l + 1]; i++) unit_scale[u + i] = s;
        }
    }
    free(has);
    free(qc);
    return err->code;
}

/* ---- size ----------------------------------------------------------------------------- */

int pf_cluster_index_bits(int k)
{
    int b = 0;
    while ((1 << b) < k) b++;
    return b;
}

static long long packed(long long n, int bits)
{
    return (n * bits + 7) / 8;
}

static long long dense_bytes(const pf_mlp *m, const pf_cluster *c, size_t l)
{
    long long n = (long long)(m->dims[l + 1] * m->dims[l]);
    long long nnz = (long long)pf_mlp_layer_kept(m, l);
    int k = c->layer[l].k;
    return packed(n, pf_cluster_index_bits(nnz < n ? k + 1 : k));
}

static long long csr_bytes(const pf_mlp *m, const pf_cluster *c, size_t l)
{
    long long nnz = (long long)pf_mlp_layer_kept(m, l);
    return packed(nnz, pf_cluster_index_bits(c->layer[l].k)) + 4 * nnz +
           4 * (long long)(m->dims[l + 1] + 1);
}

int pf_cluster_layer_csr(const pf_mlp *m, const pf_cluster *c, size_t l)
{
    return csr_bytes(m, c, l) < dense_bytes(m, c, l);
}

long long pf_cluster_bytes(const pf_mlp *m, const pf_cluster *c, int bits)
{
    if (bits != PF_QUANT_FLOAT_BITS && (bits < PF_QUANT_MIN_BITS || bits > PF_QUANT_MAX_BITS))
        return -1;
    assert(same_shape(m, c));
    long long bytes = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        long long d = dense_bytes(m, c, l), s = csr_bytes(m, c, l), k = c->layer[l].k;
        bytes += s < d ? s : d;
        bytes += bits == PF_QUANT_FLOAT_BITS ? 4 * k : packed(k, bits) + 4;
        bytes += 4 * (long long)m->dims[l + 1];
    }
    return bytes;
}
