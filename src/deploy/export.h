/* export.h: a final model (deploy/final.h) for other programs -- as self-contained C, as CSV
 * and as JSON.
 *
 * pf_export_c writes model.h and model.c, C99 that needs nothing but <math.h> (fmaf, floorf,
 * ldexpf, fabsf, copysignf, and exp for a classifier's probabilities), no heap and no
 * writable globals: every weight is a const array, which a microcontroller keeps in flash.
 * model.h declares, for a model of d features and n outputs:
 *
 *   MODEL_N_FEATURES (d), MODEL_N_OUTPUTS (n), MODEL_IS_CLASSIFIER (0 or 1)
 *   model_feature_names[d]  the features by name, in the order model_predict takes them
 *   model_output_names[n]   the targets (regression) or the classes (classification)
 *   int model_predict(const float *features, float *out)
 *   int model_predict_double(const double *features, double *out)
 *   int model_forward(const double *features, float *raw)
 *
 * model_predict_double is prunefair's own pipeline on one row of the data's doubles, bit for
 * bit: an empty feature (NaN) takes its fill value, x' = (float)((x - shift) * scale) in
 * double, every layer as kernel.h sums it (each unit from its bias, fmaf over its inputs in
 * order), the hidden activation as model/mlp.c computes it (tanh, sigmoid and elu through a
 * copy of pf_kernel_expf's algorithm), then a regression's outputs mapped back to the data's
 * units in double (pf_transform_target_inverse) or a classification's logits turned into class
 * probabilities in double (the largest logit subtracted, exp, divided by the sum: the softmax
 * of results/predictions.c). model_predict takes float features and gives float outputs (the
 * doubles rounded once); model_forward gives the network's own float32 outputs (model-space
 * targets or logits). Each returns 0, or -1 (outputs NaN) when an empty feature has no fill
 * value (data.missing = error).
 *
 * Each weight layer is stored in the smaller of two layouts, counting the generated arrays' own
 * bytes: dense, or CSR over the kept weights, its column indices and row pointers each in the
 * narrowest unsigned type that holds them, per layer (column indices: unsigned char for at most 256
 * columns, unsigned short for at most 65536, else uint_least32_t from <stdint.h>; row pointers,
 * which run to nnz, likewise: a byte for nnz <= 255, two for nnz <= 65535); dense wins a tie. Its
 * values are float32 (bits = 32), integers with one float32 scale per row, or, for a clustered
 * model, indices into the layer's codebook of float32 centroids. Integers of 2..4 bits and indices
 * of at most 16 codes (K centroids, and in a dense layer with pruned weights the code K for them)
 * take 4 bits, two to a byte: value 2t in the low nibble of byte t, value 2t + 1 in the high one (0
 * after an odd count's last value), a dense layer's values row-major as one sequence, a CSR layer's
 * kept values in order; an integer is its 4-bit two's complement, decoded as (int)(nibble ^ 8) - 8.
 * Integers of 5..8 bits take a byte each, indices of up to 256 codes a byte, more codes two bytes.
 * With n values of v bits a layer's values take ceil(n v / 8) bytes; a layer of R rows costs dense
 * ceil(R C v / 8), CSR ceil(nnz v / 8) + jb nnz + pb (R + 1) with jb and pb the bytes of a column
 * index and a row pointer (1, 2 or 4), plus 4 R of biases, 4 R of scales for integers and 4 codes
 * of codebook for a clustered layer. An integer weight is scale * (float)q (an IEEE product is
 * correctly rounded, so this is (float)((double)scale q), the model's w', exactly), whether q came
 * from a byte or a nibble.
 * A CSR unit skips its pruned weights, which gives the dense sum's bits for finite inputs
 * except when the sum is -0 (fmaf(+0, x, -0) = +0 for x >= 0); the generated code then, and
 * whenever an input of the layer is infinite or NaN (0 times it is NaN), sums the unit over
 * every column as the dense kernel does. Contraction of a * b + c into an fma is switched off
 * inside model.c (GCC's optimize pragma, clang's FP_CONTRACT), so the bits do not depend on
 * -std or -ffp-contract; FLT_EVAL_METHOD must be 0 (any SSE, AArch64 or Cortex-M FPU target;
 * not x87), which model.c checks. The comment header of model.c gives the provenance (version,
 * config hash, data SHA-256, variant) and the study's per-participant summary.
 *
 * pf_export_csv writes parameters.csv (one row per parameter: layer, kind, row, column, value,
 * mask, q, unit_scale, centroid), features.csv (feature, fill, shift, scale), outputs.csv
 * (output, kind, shift, scale) and, for a clustered model, codebook.csv (layer, index, value).
 * pf_export_json writes model.json with the same numbers. Numbers are the shortest text that
 * reads back to the same double (base/numtext.h); an empty CSV field or a JSON null is "none"
 * (no fill value, no integer, no centroid).
 *
 * All three check f first (pf_final_check: PF_EINPUT and nothing written for an inconsistent
 * model), create dir when needed (PF_EINPUT for a folder that cannot be made or written), and
 * write every file to a temporary name renamed into place only when all of them are complete
 * (PF_ERUNTIME when writing fails; no file is left behind).
 * Definitions, the arithmetic and the sizes on a Cortex-M4: docs/deploy.md. */
#ifndef PF_EXPORT_H
#define PF_EXPORT_H

#include "base/error.h"
#include "deploy/final.h"

int pf_export_c(const pf_final *f, const char *dir, pf_error *err);
int pf_export_csv(const pf_final *f, const char *dir, pf_error *err);
int pf_export_json(const pf_final *f, const char *dir, pf_error *err);

#endif
