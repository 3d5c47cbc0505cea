/* synflow.h: SynFlow's score core, exposed so it can be tested on numbers worked out by hand
 * (the criterion itself: synflow.c; docs/criteria.md#synflow). */
#ifndef PF_SYNFLOW_H
#define PF_SYNFLOW_H

#include "base/error.h"
#include "model/mlp.h"

/* The synaptic flow of m's linearisation -- every parameter replaced by the absolute value of
 * its effective value |params * mask|, every activation by the identity, an all-ones input
 * row -- R = the sum of its outputs, returned; and into score (m->n_params entries, every
 * parameter, weights and biases) score_j = |theta_j| dR/d|theta_j|. In double. Conservation:
 * for every layer l, the scores of W_l plus those of the biases of layers l and later sum to
 * R (without biases: each layer's weight scores sum to R). NaN with err set when memory runs
 * out. */
double pf_synflow_scores(const pf_mlp *m, double *score, pf_error *err);

#endif
