/* test_seed.c: the seed derivation is pure, pinned, and separates its inputs.
 *
 * The pinned values were computed once from the documented recipe (SplitMix64 finaliser,
 * absorbing master, fold, repeat, purpose in turn) by an independent Python re-implementation;
 * the first Mersenne Twister outputs by a Python re-implementation of init_genrand/genrand_int32
 * (Matsumoto and Nishimura's 2002 reference). Any change to the recipe changes every result of
 * every run, so it must show up here as a failing test, not silently. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/seed.h"

static void test_pinned_values(void **state)
{
    (void)state;
    assert_true(pf_seed_derive(0, 0, 0, 0) == 0x2130748aaac80268ULL);
    assert_true(pf_seed_derive(1, 0, 0, PF_SEED_SYNTHETIC) == 0x3fa25e1657e024c1ULL);
    assert_true(pf_seed_derive(42, 3, 1, PF_SEED_INIT) == 0x4bd0da5fafc4b4acULL);
    assert_true(pf_seed_derive(UINT64_MAX, UINT64_MAX, UINT64_MAX, PF_SEED_BOOTSTRAP) ==
                0x4f91ccaf01d33502ULL);
}

/* The purposes' numbers, as docs/folds.md#seeds lists them: each enters every seed derived for
 * it, so a purpose inserted before another would move all of that one's draws. */
static void test_purpose_numbers(void **state)
{
    (void)state;
    const int want[] = {PF_SEED_SYNTHETIC, PF_SEED_SPLIT,           PF_SEED_INIT,
                        PF_SEED_SHUFFLE,   PF_SEED_PRUNE_RANDOM,    PF_SEED_SCORE_BATCH,
                        PF_SEED_BOOTSTRAP, PF_SEED_GROUP_BOOTSTRAP, PF_SEED_CLUSTER_INIT};
    for (int i = 0; i < 9; i++) assert_int_equal(want[i], i + 1);
}

static void test_deterministic(void **state)
{
    (void)state;
    for (uint64_t f = 0; f < 5; f++)
        assert_true(pf_seed_derive(7, f, 2, PF_SEED_SHUFFLE) ==
                    pf_seed_derive(7, f, 2, PF_SEED_SHUFFLE));
}

/* Swapping or shifting inputs must not collide: fold 1 repeat 0 is not fold 0 repeat 1, and
 * each purpose gets its own stream. */
static void test_inputs_separate(void **state)
{
    (void)state;
    uint64_t base = pf_seed_derive(1, 0, 0, PF_SEED_INIT);
    assert_true(pf_seed_derive(2, 0, 0, PF_SEED_INIT) != base);
    assert_true(pf_seed_derive(1, 1, 0, PF_SEED_INIT) != base);
    assert_true(pf_seed_derive(1, 0, 1, PF_SEED_INIT) != base);
    assert_true(pf_seed_derive(1, 0, 0, PF_SEED_SHUFFLE) != base);
    assert_true(pf_seed_derive(1, 1, 0, PF_SEED_INIT) != pf_seed_derive(1, 0, 1, PF_SEED_INIT));

    /* All purposes x 20 folds x 5 repeats: 900 seeds, all distinct. */
    enum { NP = 9, NF = 20, NR = 5, N = NP * NF * NR };
    uint64_t s[N];
    size_t n = 0;
    for (int p = PF_SEED_SYNTHETIC; p <= PF_SEED_CLUSTER_INIT; p++)
        for (uint64_t f = 0; f < NF; f++)
            for (uint64_t r = 0; r < NR; r++) s[n++] = pf_seed_derive(1, f, r, (pf_seed_purpose)p);
    assert_int_equal(n, N);
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++) assert_true(s[i] != s[j]);
}

/* Neighbouring folds give unrelated seeds: about half of the 64 bits differ (avalanche). */
static void test_avalanche(void **state)
{
    (void)state;
    int total = 0;
    for (uint64_t f = 0; f < 64; f++) {
        uint64_t d =
            pf_seed_derive(1, f, 0, PF_SEED_INIT) ^ pf_seed_derive(1, f + 1, 0, PF_SEED_INIT);
        total += __builtin_popcountll(d);
    }
    double mean = total / 64.0;
    assert_true(mean > 26.0 && mean < 38.0);
}

/* mt19937 seeded with fold32(0x3fa25e1657e024c1) = 0x3fa25e16 ^ 0x57e024c1 = 1749187287. */
static void test_rng_first_draws(void **state)
{
    (void)state;
    gsl_rng *r = pf_seed_rng(1, 0, 0, PF_SEED_SYNTHETIC);
    assert_non_null(r);
    assert_string_equal(gsl_rng_name(r), "mt19937");
    unsigned long a = gsl_rng_get(r);
    unsigned long b = gsl_rng_get(r);
    assert_int_equal(a, 999189437UL);
    assert_int_equal(b, 2998067822UL);
    gsl_rng_free(r);

    /* Same inputs, same stream; another purpose, another stream. */
    gsl_rng *r1 = pf_seed_rng(42, 3, 1, PF_SEED_INIT);
    gsl_rng *r2 = pf_seed_rng(42, 3, 1, PF_SEED_INIT);
    gsl_rng *r3 = pf_seed_rng(42, 3, 1, PF_SEED_SHUFFLE);
    unsigned long v1 = gsl_rng_get(r1);
    assert_int_equal(v1, gsl_rng_get(r2));
    assert_true(v1 != gsl_rng_get(r3));
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    gsl_rng_free(r3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pinned_values), cmocka_unit_test(test_purpose_numbers),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_inputs_separate),
        cmocka_unit_test(test_avalanche),     cmocka_unit_test(test_rng_first_draws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
