/* seed.h: every random draw in prunefair comes from a generator seeded by a pure function of
 * (master seed, fold, repeat, purpose). Never from time, thread id or shared state, so a
 * result is the same for any thread count, shard split or resume.
 * Definitions and the exact rules: docs/reproducibility.md. */
#ifndef PF_SEED_H
#define PF_SEED_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The purposes and their numbers (docs/folds.md#seeds). A purpose enters every seed derived
 * for it as its number, so a new purpose goes at the end: inserting one would move every seed
 * after it. */
typedef enum {
    PF_SEED_SYNTHETIC = 1,   /* the synthetic dataset */
    PF_SEED_SPLIT,           /* choice of validation participants */
    PF_SEED_INIT,            /* weight initialisation */
    PF_SEED_SHUFFLE,         /* mini-batch order */
    PF_SEED_PRUNE_RANDOM,    /* what a criterion draws (the random criterion) */
    PF_SEED_SCORE_BATCH,     /* the batch a criterion scores on at initialisation */
    PF_SEED_BOOTSTRAP,       /* bootstrap resampling of participants */
    PF_SEED_GROUP_BOOTSTRAP, /* the same, within groups of an attribute (fairness.h) */
    PF_SEED_CLUSTER_INIT     /* k-means++ centroids of weight clustering (compress/cluster.h) */
} pf_seed_purpose;

/* A 64-bit seed mixing the four inputs (SplitMix64 finaliser on each step). */
uint64_t pf_seed_derive(uint64_t master, uint64_t fold, uint64_t repeat, pf_seed_purpose purpose);

/* A GSL Mersenne Twister seeded from pf_seed_derive(...). Free with gsl_rng_free. */
gsl_rng *pf_seed_rng(uint64_t master, uint64_t fold, uint64_t repeat, pf_seed_purpose purpose);

#endif
