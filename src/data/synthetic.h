/* synthetic.h: a built-in dataset shaped like AGAIN, so a fresh machine can run an experiment
 * with nothing downloaded.
 *
 * P participants x W windows x F features, arousal min-max scaled to [0, 1] per participant.
 * Features are smooth per-participant time series (AR(1) around participant-specific baselines
 * and scales). Arousal is a shared nonlinear function of the first `informative` features,
 * bent per participant (an offset inside the nonlinearity, a gain on its output), plus, for
 * about half of the participants, a participant-specific linear term in the next `private`
 * features, plus noise whose sd differs per participant. The remaining features are
 * distractors. A fairness comparison needs exactly this: a model that serves the average
 * participant well can still serve some participants badly. Deterministic from synthetic.seed:
 * every draw comes from pf_seed_rng(syn_seed, 0, 0, PF_SEED_SYNTHETIC) in a fixed order.
 * Definitions and the exact rules: docs/data.md#synthetic. */
#ifndef PF_SYNTHETIC_H
#define PF_SYNTHETIC_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"

/* Generate the dataset cfg->syn_* describes. Returns NULL with err filled: PF_EINPUT naming
 * the synthetic.* key when the parameters are inconsistent, PF_ERUNTIME when memory runs out. */
pf_dataset *pf_synthetic_generate(const pf_config *cfg, pf_error *err);

/* The hidden ground truth behind a generated dataset, for tests and for analysing which kind
 * of participant a pruned model fails (noisy ones? ones with private features?). */
typedef struct {
    size_t n_participants;
    size_t n_windows;
    double *gain;     /* n_participants: multiplies the shared signal */
    double *bias;     /* n_participants: offset inside the shared nonlinearity */
    double *noise_sd; /* n_participants: sd of the noise before min-max scaling */
    int *has_private; /* n_participants: 1 if the private features enter this arousal */
    double *shared;   /* n_windows: the participant's shared signal before gain and noise */
} pf_synthetic_truth;

/* As pf_synthetic_generate, and also return the ground truth (free with
 * pf_synthetic_truth_free). The dataset is bit-identical to pf_synthetic_generate's. */
pf_dataset *pf_synthetic_generate_with_truth(const pf_config *cfg, pf_synthetic_truth **truth,
                                             pf_error *err);
void pf_synthetic_truth_free(pf_synthetic_truth *t);

#endif
