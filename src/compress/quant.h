/* quant.h: post-training weight quantisation -- what a pruned model costs and predicts when its
 * weights are stored as b-bit integers, simulated in float32 and run as real integer inference.
 *
 * Pruning and quantisation compress a model in two different ways, and fairness can suffer
 * from either, so a pruned model is also evaluated at every width of compress.bits. The
 * scheme is the common post-training one. Weights are symmetric integers with zero point 0 in
 * the restricted range [-qmax, qmax], qmax = 2^(b-1) - 1 (int8: -127..127, int4: -7..7), for
 * b in 2..8; b = 32 means float32 and changes nothing. A group of weights shares one float32
 * scale s = max |w| / qmax over its kept weights (mask != 0): each output unit's row
 * (granularity channel) or the whole weight matrix of a layer (tensor). A weight becomes
 * q = clamp(round(w / s), -qmax, qmax) and is used as w' = s q. Biases stay float32.
 *
 * Arithmetic, fixed so that results are bit-for-bit reproducible: s = (float)(max / qmax) and
 * w / s are computed in double (w, s and qmax are exact there), rounded by the chosen rule --
 * half_even is C's nearbyint under the default rounding mode (as PyTorch), half_away is C's
 * round (as TFLite) -- and w' = (float)(s * q) (s q is exact in double, so w' is the float
 * nearest to s q). The largest kept |w| of a group maps to exactly qmax (its w / s is qmax to
 * within 1e-5). A group whose kept weights are all 0 keeps scale 1 and stays 0 (so does one
 * whose max / qmax underflows to 0 in float). A pruned weight is not looked at and becomes
 * exactly 0. Quantising twice changes nothing: the scale of the quantised group is its scale
 * again (checked exhaustively over every float mantissa for qmax 1..127), so are its integers.
 * Weights must be finite.
 *
 * Two uses. pf_quant_apply rewrites a model's weights to w' in place (simulated quantisation:
 * the float kernels, training-free metrics and fairness statistics then see exactly the values
 * an integer device multiplies by). pf_qmodel is the integer device: int8 weights with one
 * float scale per row (tensor granularity repeats the layer's scale), each layer dense
 * row-major or CSR (int8 values, int32 column indices, int32 row pointers): CSR when at most
 * half of the layer's weights are kept, where skipping the pruned ones pays in time (the rule
 * of the float32 kernels too), dense otherwise. Storage is counted separately, by
 * pf_quant_bytes, in whichever layout is smaller: a device stores for size and runs for speed.
 * Each layer's input vector is quantised on the fly with a dynamic symmetric per-vector scale
 * s_x = max |x| / 127 (1 for an all-zero vector), q_x = nearbyint(x (127 / max |x|)) in
 * float (a multiplication by the inverse scale, as TFLite's quantiser); the products q_w q_x
 * add up exactly in int32, and y = acc (s_w s_x) + bias in float, then the
 * model's activation (pf_mlp_activate) on hidden layers; the output layer is linear. This is
 * the scheme of TFLite's dynamic-range post-training quantisation (which rounds the inputs'
 * ties away from zero; here they go to even whatever the weights' rule, a difference only at
 * exact ties). Both uses call the same quantiser, so the integer path multiplies by exactly
 * the w' of pf_quant_apply.
 *
 * How far the integer path is from the simulated model (pf_quant_apply then any float
 * kernel): only the rounding of the layer inputs differs, which the tests bound per window.
 * With a^l the input of layer l in the simulated model (a^0 = x), e^l a bound on the
 * difference between the two paths at that input (e^0 = 0) and s^l = max_j (|a^l_j| + e^l_j)
 * / 127 (a bound on the integer path's s_x there), the pre-activation of unit i differs by at
 * most E_i = sum_j |w'_ij| (e^l_j + 0.5001 s^l) + 2^-16 (sum_j |w'_ij| (|a^l_j| + e^l_j +
 * s^l) + |b_i|): each rounded input is off by at most s_x / 2 (0.0001 covers the float
 * division), the second term the float rounding of both paths (dot products of up to 100
 * terms). The hidden activations are 1-Lipschitz (relu, tanh, sigmoid, elu), so e^(l+1)_i =
 * E_i + 2^-20 (their own float rounding); at the output layer E_i bounds the difference.
 * Being a worst case (every rounding error of a row with the same sign) it is loose: 7 to 100
 * times the largest difference seen on random 17-64-32-2 models. The typical difference is
 * what matters: its median is under 1% of the outputs' standard deviation there (0.1-0.8%, at
 * 8 bits as at 4, since both paths have the same weights).
 *
 * Size: pf_quant_bytes counts the stored model at a width -- per layer the smaller of dense
 * and CSR storage of packed b-bit values, plus the scales and the float32 biases.
 * Definitions and the exact rules: docs/quantisation.md. */
#ifndef PF_QUANT_H
#define PF_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "config/config.h"
#include "model/mlp.h"

#define PF_QUANT_FLOAT_BITS 32 /* the width meaning "float32, not quantised" */
#define PF_QUANT_MIN_BITS   2
#define PF_QUANT_MAX_BITS   8

/* 2^(bits-1) - 1, the largest integer at that width (127 for 8 bits); bits in 2..8. */
int pf_quant_qmax(int bits);

/* Quantise one group of n weights sharing a scale: its scale into *scale and its integers
 * into q[0..n-1] (q may be NULL: the scale only). mask (NULL: all kept) selects the weights
 * the scale comes from; a pruned weight gets q = 0. bits in 2..8. The golden-test level:
 * pf_quant_apply and pf_qmodel_alloc quantise every group through it. */
void pf_quant_vector(const float *w, const float *mask, size_t n, int bits, pf_rounding r,
                     float *scale, int8_t *q);

/* Quantise every weight matrix of m in place: a kept weight becomes w' = (float)(s q), a
 * pruned one exactly 0; biases are untouched. bits 32 leaves m as it is. PF_EINPUT for a
 * width other than 2..8 and 32. */
int pf_quant_apply(pf_mlp *m, int bits, pf_granularity g, pf_rounding r, pf_error *err);

/* Layer l of m as integers q (rows x cols, row-major) and one scale per row (row_scale), the
 * rows of a scale group all getting the group's scale: the one place weights become integers
 * (pf_quant_apply and pf_qmodel_alloc both call it). bits in 2..8; the rule and granularity
 * valid (pf_quant_check). */
void pf_quant_layer(const pf_mlp *m, size_t l, int bits, pf_granularity g, pf_rounding r,
                    float *row_scale, int8_t *q);

/* Every weight matrix of m as integers, in the layout of m's flat parameter vector (mlp.h):
 * q[n_params] holds each weight's integer (0 for a pruned weight, and 0 at every bias, which
 * is not quantised), and unit_scale holds one float32 scale per output unit, the units of
 * layer 0, then layer 1, ... (sum over l of dims[l + 1] of them: the order of the biases), the
 * scale of every weight of that unit's row (tensor granularity repeats the layer's scale). So
 * the weight W_l[i][j] that pf_quant_apply makes is exactly
 * (float)((double)unit_scale[u] * q[w_off[l] + i cols + j]), u = units before layer l + i,
 * pruned weights included (q 0 gives 0). Through pf_quant_layer, like pf_quant_apply; bits in
 * 2..8, the rule and granularity valid (pf_quant_check). What results.h5 stores of a
 * quantised model (docs/results-schema.md#quantised-models). */
void pf_quant_integers(const pf_mlp *m, int bits, pf_granularity g, pf_rounding r, int8_t *q,
                       float *unit_scale);

/* The inverse of pf_quant_integers: every weight of m set to (float)((double)unit_scale[u] *
 * q[j]) from integers and unit scales in its layout (biases untouched): the model those
 * integers describe, bit for bit, as results.h5 stores it
 * (docs/results-schema.md#quantised-models). */
void pf_quant_rebuild(pf_mlp *m, const int8_t *q, const float *unit_scale);

/* PF_OK when bits (2..8, or 32 when allow_float), g and r are ones the quantiser implements;
 * PF_EINPUT with a message otherwise. */
int pf_quant_check(int bits, pf_granularity g, pf_rounding r, int allow_float, pf_error *err);

/* Whether pf_quant_bytes stores weight layer l of m as CSR at that width: its CSR bytes
 * (below) are strictly fewer than its dense bytes. At 8 bits with 32-bit indices that takes a
 * density under about 1/5; at 32 bits, under about 1/2. */
int pf_quant_layer_csr(const pf_mlp *m, size_t l, int bits);

/* Bytes of m stored at that width (2..8, or 32). Per weight layer (rows x cols, nnz kept
 * weights): the smaller of dense storage, ceil(rows cols bits / 8) (values packed), and CSR,
 * ceil(nnz bits / 8) value bytes + 4 per kept weight (int32 column index) + 4 (rows + 1) (row
 * pointers); plus, below 32 bits, one float32 scale per row (channel) or per layer (tensor);
 * plus 4 per bias. At 32 bits values are float32 and there are no scales (then the CSR size
 * of a layer equals pf_cost_compute's). -1 for a width not in 2..8 or 32. */
long long pf_quant_bytes(const pf_mlp *m, int bits, pf_granularity g);

#endif
