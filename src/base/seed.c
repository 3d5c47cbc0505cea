/* seed.c: derive every generator seed from (master seed, fold, repeat, purpose).
 *
 * The derivation is a pure function, so a task computes its own seeds wherever and whenever it
 * runs (any thread, any shard, after a resume) and gets the same draws. Each input is folded in
 * turn through the SplitMix64 finaliser (Steele, Lea and Flood, 2014), a bijection on 64 bits
 * with strong avalanche: for fixed other inputs, changing any single input always changes the
 * derived seed, and nearby inputs (fold 3 vs fold 4) give unrelated seeds. */
#include "base/seed.h"

/* 2^64 / golden ratio: the SplitMix64 increment. Adding it before each mix keeps an all-zero
 * input (master 0, fold 0, repeat 0) away from the finaliser's fixed point at 0. */
#define PF_GOLDEN 0x9e3779b97f4a7c15ULL

/* GSL's own replacement for the seed 0, which mt19937 cannot use. */
#define PF_MT_ZERO_SEED 4357UL

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One absorption step. XOR-ing the input into the state and mixing is a bijection of the input
 * for a fixed state, which is what makes each input individually collision-free. */
static uint64_t absorb(uint64_t h, uint64_t input)
{
    return mix64((h ^ input) + PF_GOLDEN);
}

uint64_t pf_seed_derive(uint64_t master, uint64_t fold, uint64_t repeat, pf_seed_purpose purpose)
{
    uint64_t h = absorb(0, master);
    h = absorb(h, fold);
    h = absorb(h, repeat);
    return absorb(h, (uint64_t)purpose);
}

/* GSL's mt19937 keeps only the low 32 bits of its seed and silently replaces 0 by 4357, so the
 * 64-bit seed is folded to 32 bits (both halves contribute) and 0 is replaced explicitly: the
 * generator state is then a documented function of the derived seed on every platform,
 * whatever the width of unsigned long. */
static unsigned long seed_fold32(uint64_t s)
{
    uint32_t v = (uint32_t)(s ^ (s >> 32));
    return v != 0 ? (unsigned long)v : PF_MT_ZERO_SEED;
}

gsl_rng *pf_seed_rng(uint64_t master, uint64_t fold, uint64_t repeat, pf_seed_purpose purpose)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL) return NULL;
    gsl_rng_set(r, seed_fold32(pf_seed_derive(master, fold, repeat, purpose)));
    return r;
}
