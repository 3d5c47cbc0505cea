/* cluster.h: weight clustering -- every weight matrix keeps only k distinct values, its codebook
 * of centroids, so that a kept weight is stored as the index of its centroid.
 *
 * Clustering is a third way to compress a model, beside pruning and quantisation, and it follows
 * pruning without undoing it: it is sparsity-preserving (as TF-MOT's sparsity-preserving
 * clustering). In each weight layer the k centroids are fitted to the layer's kept weights
 * (mask != 0) only; a pruned weight is not looked at, stays exactly 0 and takes no centroid
 * (assignment -1). Biases are never clustered (assignment -1, values untouched). Unlike TF-MOT,
 * no centroid is set aside for 0: the mask already says which weights are 0, so all k centroids
 * serve kept weights. All layers get the same k.
 *
 * Per layer with kept weights, the exact steps (docs/clustering.md):
 *
 *  1. First centroids. linear (TF-MOT's LINEAR): k values evenly spaced from lo to hi, the
 *     smallest and the largest kept weight, both included: c_0 = lo and c_(k-1) = hi exactly,
 *     c_i = (float)(lo + i (hi - lo) / (k - 1)) in double between them. kmeans++ (Arthur and
 *     Vassilvitskii 2007, D^2 sampling) from the caller's generator: the first centroid is the
 *     kept weight number gsl_rng_uniform_int(nnz) in parameter order; each next one is drawn
 *     with probability proportional to D^2, the squared distance (in double) of a kept weight to
 *     its nearest centroid so far: u = gsl_rng_uniform() * sum D^2, and the draw is the first
 *     kept weight, in parameter order, whose running sum of D^2 exceeds u. A weight equal to a
 *     centroid has D^2 = 0 and is never drawn; when every kept weight equals a centroid (fewer
 *     distinct kept weights than k) the drawing stops and the remaining centroids repeat the
 *     last one drawn. The k centroids are then sorted ascending. A layer thus makes 1 + (k - 1)
 *     generator calls at most, layers in order, none for a layer without kept weights: the
 *     same generator state gives the same centroids.
 *  2. Lloyd's iterations. Each kept weight is assigned to its nearest centroid by |w - c| in
 *     double, ties to the lower index. Then, at most max_iter times: each centroid with members
 *     becomes their mean (summed in double in parameter order, divided by their count, rounded
 *     to float), an empty cluster keeps its centroid, and every kept weight is assigned again;
 *     when no assignment changed, the iterations have converged and stop. iterations counts the
 *     updates; cap_reached is 1 when the loop ended at max_iter with the last assignment still
 *     moving a weight (always, with max_iter 0, for a layer with kept weights).
 *  3. Every kept weight becomes its centroid's float, so the members of a cluster are exactly
 *     equal; a pruned weight becomes exactly 0.
 *
 * So every kept weight always holds its nearest final centroid. When converged, every centroid
 * with members is also their mean; when the cap was reached, it is the mean of the assignment
 * before the last. A layer without kept weights gets centroids 0, iterations 0, cap_reached 0.
 *
 * k is 2..256 (PF_CLUSTER_MIN_K..PF_CLUSTER_MAX_K): 256 centroids is the most whose index fits
 * in 8 bits, the width of an int8 weight, beyond which clustering stores more per weight than
 * the widest quantisation; 1 centroid is refused (a layer computing one value times the sum of
 * its inputs, with 0-bit indices, is not a compressed model worth measuring, and linear's
 * spacing (hi - lo) / (k - 1) has no value there). k may exceed the number of distinct kept
 * weights of a layer (a small or heavily pruned layer): the extra centroids are empty clusters
 * (members 0; with linear, centroids falling between the values or duplicates when lo = hi;
 * with kmeans++, the repeated last draw). An empty centroid keeps its value, takes no index and
 * is left out of quantisation's scale; it still occupies its codebook entry (the stored size
 * counts all k).
 *
 * Fine-tuning (pf_cluster_finetune) trains the centroids as TF-MOT does: each weight's gradient
 * accumulates into its centroid, through the tie of pf_train_opts (model/train.h): the members
 * of a cluster form one tie group and stay exactly equal. The assignment does not change; the
 * biases train freely.
 *
 * Quantisation (pf_cluster_quantise) quantises the codebook: one scale per layer, s = max |c| /
 * qmax over the centroids that have members (pf_quant_vector over the centroid vector, empty
 * centroids masked out), an integer q_c per centroid, and every member becomes
 * (float)((double)s q_c), so a layer keeps at most k distinct values and w' = s q holds with the
 * layer's scale for every weight, as pf_quant_integers' layout needs.
 *
 * Size (pf_cluster_bytes): per layer, indices of ceil(log2 k) bits stored densely or as CSR
 * (whichever is smaller), the codebook, and the float32 biases; the exact rule is below. */
#ifndef PF_CLUSTER_H
#define PF_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "config/config.h"
#include "folds/split.h"
#include "model/mlp.h"
#include "model/train.h"

#define PF_CLUSTER_MIN_K 2
#define PF_CLUSTER_MAX_K 256 /* an index in 8 bits */

/* One weight layer's clustering. */
typedef struct {
    int k;           /* centroids */
    float *centroid; /* k: the value each cluster's members hold; unsorted after fine-tuning */
    size_t *members; /* k: kept weights assigned to each centroid; 0 = an empty cluster */
    int iterations;  /* Lloyd updates run, 0..max_iter */
    int cap_reached; /* 1: stopped by max_iter, the last assignment still moving a weight */
} pf_cluster_layer;

/* A clustered model: what pf_cluster_apply made of the model it was given. */
typedef struct {
    size_t n_layers;         /* the model's weight layers */
    size_t n_params;         /* the model's parameters: the length of assign */
    int k;                   /* centroids per layer */
    pf_cluster_layer *layer; /* n_layers */
    int16_t *assign;         /* n_params, in the model's flat layout (mlp.h): each kept weight's
                              * centroid 0..k-1; -1 for a pruned weight and for every bias */
} pf_cluster;

/* A clustering of k centroids per layer for models shaped like m, every assignment -1 and
 * every centroid 0 (free with pf_cluster_free). NULL with PF_EINPUT for k outside 2..256, with
 * PF_ERUNTIME when memory runs out. */
pf_cluster *pf_cluster_alloc(const pf_mlp *m, int k, pf_error *err);
void pf_cluster_free(pf_cluster *c);

/* PF_OK when k (2..256), init and max_iter (>= 0) are ones pf_cluster_apply takes; PF_EINPUT
 * with a message otherwise. */
int pf_cluster_check(int k, pf_cluster_init init, int max_iter, pf_error *err);

/* Cluster every weight layer of m in place (steps 1-3 above) and describe the result in out,
 * allocated by pf_cluster_alloc for m's shape and this k. rng is used by kmeans++ only (linear
 * takes NULL), seeded with purpose PF_SEED_CLUSTER_INIT (base/seed.h). Biases and masks are
 * untouched. PF_EINPUT for invalid k, init or max_iter, an out of another shape or k, kmeans++
 * without a generator, or a kept weight that is not finite (m is then unchanged); PF_ERUNTIME
 * when memory runs out. */
int pf_cluster_apply(pf_mlp *m, int k, pf_cluster_init init, int max_iter, gsl_rng *rng,
                     pf_cluster *out, pf_error *err);

/* Fine-tune the centroids of the clustered model m (c as pf_cluster_apply or an earlier
 * fine-tuning left it) by pf_train with o, its tie replaced by c's clusters (group l k + i for
 * centroid i of layer l; pruned weights and biases untied): every step's gradient of a cluster
 * is the sum of its members' gradients, so the members move together and stay exactly equal.
 * Then each centroid with members is read back from the weights (empty ones keep their value).
 * Returns pf_train's code (rep, shuffle_rng and early stopping as there); the centroids are
 * read back whatever it returns, so c always describes m. PF_EINPUT before training when m is
 * not the model c describes (a kept weight that differs from its centroid, or a mask that
 * disagrees with the assignment), since only members that start equal stay equal. */
int pf_cluster_finetune(pf_mlp *m, pf_cluster *c, const pf_train_opts *o, const pf_split *train,
                        const pf_split *val, gsl_rng *shuffle_rng, pf_train_report *rep,
                        pf_error *err);

/* Quantise the codebook of every layer to bits (2..8) with rounding r: s = the layer's scale
 * over the centroids that have members (pf_quant_vector, quant.h), q_i each centroid's integer
 * (0 for an empty one), and centroid i and all its members become (float)((double)s q_i) in c
 * and in m. q (m->n_params entries, may be NULL) receives each kept weight's q_i, 0 for pruned
 * weights and biases; unit_scale (one per output unit, layer 0's units first, may be NULL)
 * receives the layer's s for every unit of the layer: the layout of pf_quant_integers, so
 * (float)((double)unit_scale[u] * q[j]) rebuilds every weight bit for bit. A layer keeps at
 * most k distinct values (fewer when two centroids round to one integer). Quantising again
 * changes nothing. PF_EINPUT for bits outside 2..8 (a float32 codebook needs no call) or an
 * unknown rounding. */
int pf_cluster_quantise(pf_mlp *m, pf_cluster *c, int bits, pf_rounding r, int8_t *q,
                        float *unit_scale, pf_error *err);

/* Bits of one index among k centroids: ceil(log2 k) (1 for k = 2, 8 for k = 256). */
int pf_cluster_index_bits(int k);

/* Whether pf_cluster_bytes stores the indices of weight layer l as CSR: its CSR bytes are
 * strictly fewer than its dense bytes (both below). */
int pf_cluster_layer_csr(const pf_mlp *m, const pf_cluster *c, size_t l);

/* Bytes of the clustered model m (c its clustering) with its codebook at bits (32: float32
 * centroids; 2..8: quantised by pf_cluster_quantise). Per weight layer, rows x cols with nnz
 * kept weights and b = pf_cluster_index_bits(k):
 *   the smaller of dense indices, ceil(rows cols b' / 8) with b' = b when every weight is kept
 *   and b' = ceil(log2 (k + 1)) when some are pruned (one more code, for 0), and CSR,
 *   ceil(nnz b / 8) packed indices + 4 nnz (int32 column indices) + 4 (rows + 1) (int32 row
 *   pointers);
 *   plus the codebook: 4 k bytes at 32 bits, else ceil(k bits / 8) + 4 (the packed integers
 *   and one float32 scale);
 *   plus 4 rows for the float32 biases.
 * -1 for a width not in 2..8 or 32. */
long long pf_cluster_bytes(const pf_mlp *m, const pf_cluster *c, int bits);

#endif
