/* synthetic.c: the built-in AGAIN-shaped dataset (see synthetic.h for the model).
 *
 * For participant p, window t, feature f:
 *   x[t,f]  = mean[p,f] + scale[p,f] * z[t,f],  z an AR(1) series with unit variance
 *   u[t]    = proj . x[t, informative] + bias[p]
 *   s[t]    = tanh(u[t]) + 0.5 * tanh(x[t,0] * x[t,1])            (the shared signal)
 *   raw[t]  = gain[p] * s[t] + [has_private] w[p] . x[t, private] + noise_sd[p] * e[t]
 *             (w[p] ~ N(0, 0.6^2 / private) per participant, so each term has comparable spread)
 *   y[t]    = (raw[t] - min raw) / (max raw - min raw)
 * with proj ~ N(0, 1/informative), mean ~ N(0, 0.5^2), log scale ~ N(0, 0.25^2), gain ~
 * 1 + N(0, gain_sd^2), bias ~ N(0, bias_sd^2), noise_sd ~ U[noise_min, noise_max], has_private
 * with probability 1/2 (never when private = 0), e ~ N(0, 1). Features 0..informative-1 are
 * informative, the next `private` ones private, the rest distractors; the interaction term is
 * left out when only one feature is informative.
 * The participant offset sits inside the nonlinearity because a plain output offset would be
 * erased by the per-participant min-max scaling (as it is in AGAIN); inside tanh it changes
 * which part of the curve a participant lives on, which no scaling undoes.
 *
 * Draw order (part of the dataset's definition; changing it changes every synthetic result):
 * proj; then per participant: mean and scale per feature, gain, bias, noise sd, the private
 * flag, the private weights (always drawn, so the flag does not shift later draws), then per
 * window the feature innovations in feature order followed by the noise draw. */
#include "data/synthetic.h"

#include "base/alloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/seed.h"

#define PF_SYN_AR           0.8  /* lag-1 autocorrelation: consecutive windows drift, not jump */
#define PF_SYN_BASE_SD      0.5  /* spread of participant feature baselines */
#define PF_SYN_LOGSCALE_SD  0.25 /* spread of log feature scales across participants */
#define PF_SYN_INTERACT     0.5  /* weight of the interaction term of the shared signal */
#define PF_SYN_PRIVATE_RATE 0.5  /* chance that the private features matter for a participant */
#define PF_SYN_PRIVATE_SD   0.6  /* spread of the private term, comparable to the shared signal */

typedef struct {
    double gain, bias, noise_sd;
    int has_private;
} syn_person;

/* Everything one generation needs, passed explicitly between the steps. */
typedef struct {
    size_t P, W, F, I, Q;
    gsl_rng *rng;
    double *proj;  /* I: the shared projection of the informative features */
    double *mean;  /* F: current participant's feature baselines */
    double *scale; /* F: current participant's feature scales */
    double *z;     /* F: current AR(1) state */
    double *w;     /* Q: current participant's private weights */
} syn_ctx;

static int syn_check(const pf_config *c, pf_error *err)
{
    if (c->syn_participants < 1)
        return pf_error_set(err, PF_EINPUT, "synthetic.participants (%d) must be at least 1",
                            c->syn_participants);
    if (c->syn_windows < 2)
        return pf_error_set(err, PF_EINPUT,
                            "synthetic.windows (%d) must be at least 2 so that arousal can be "
                            "min-max scaled per participant",
                            c->syn_windows);
    if (c->syn_informative < 1 || c->syn_private < 0)
        return pf_error_set(err, PF_EINPUT,
                            "synthetic.informative (%d) must be at least 1 and synthetic.private "
                            "(%d) at least 0",
                            c->syn_informative, c->syn_private);
    if ((long)c->syn_informative + c->syn_private > c->syn_features)
        return pf_error_set(err, PF_EINPUT,
                            "synthetic.informative (%d) + synthetic.private (%d) exceed "
                            "synthetic.features (%d); raise synthetic.features or lower the others",
                            c->syn_informative, c->syn_private, c->syn_features);
    if (!(c->syn_gain_sd >= 0) || !(c->syn_bias_sd >= 0))
        return pf_error_set(err, PF_EINPUT,
                            "synthetic.gain_sd (%g) and synthetic.bias_sd (%g) must be >= 0",
                            c->syn_gain_sd, c->syn_bias_sd);
    if (!(c->syn_noise_min >= 0) || !(c->syn_noise_max >= c->syn_noise_min))
        return pf_error_set(err, PF_EINPUT,
                            "synthetic.noise_min (%g) and synthetic.noise_max (%g) must satisfy "
                            "0 <= noise_min <= noise_max",
                            c->syn_noise_min, c->syn_noise_max);
    return PF_OK;
}

static void syn_ctx_free(syn_ctx *c)
{
    if (c->rng) gsl_rng_free(c->rng);
    free(c->proj);
    free(c->mean);
    free(c->scale);
    free(c->z);
    free(c->w);
}

static int syn_ctx_init(syn_ctx *c, const pf_config *cfg, pf_error *err)
{
    memset(c, 0, sizeof *c);
    c->P = (size_t)cfg->syn_participants;
    c->W = (size_t)cfg->syn_windows;
    c->F = (size_t)cfg->syn_features;
    c->I = (size_t)cfg->syn_informative;
    c->Q = (size_t)cfg->syn_private;
    c->rng = pf_seed_rng(cfg->syn_seed, 0, 0, PF_SEED_SYNTHETIC);
    if (c->rng == NULL) return pf_error_set(err, PF_ERUNTIME, "cannot allocate a random generator");
    c->proj = pf_alloc(c->I, sizeof *c->proj, err);
    c->mean = pf_alloc(c->F, sizeof *c->mean, err);
    c->scale = pf_alloc(c->F, sizeof *c->scale, err);
    c->z = pf_alloc(c->F, sizeof *c->z, err);
    c->w = pf_alloc(c->Q, sizeof *c->w, err);
    if (!c->proj || !c->mean || !c->scale || !c->z || !c->w) return PF_ERUNTIME;
    /* Unit-norm in expectation, so u has about unit spread and tanh is used in its bend. */
    for (size_t i = 0; i < c->I; i++)
        c->proj[i] = gsl_ran_gaussian(c->rng, 1.0 / sqrt((double)c->I));
    return PF_OK;
}

static syn_person syn_draw_person(syn_ctx *c, const pf_config *cfg)
{
    syn_person p;
    for (size_t f = 0; f < c->F; f++) {
        c->mean[f] = gsl_ran_gaussian(c->rng, PF_SYN_BASE_SD);
        c->scale[f] = exp(gsl_ran_gaussian(c->rng, PF_SYN_LOGSCALE_SD));
    }
    p.gain = 1.0 + gsl_ran_gaussian(c->rng, cfg->syn_gain_sd);
    p.bias = gsl_ran_gaussian(c->rng, cfg->syn_bias_sd);
    p.noise_sd = gsl_ran_flat(c->rng, cfg->syn_noise_min, cfg->syn_noise_max);
    int lucky = gsl_rng_uniform(c->rng) < PF_SYN_PRIVATE_RATE; /* drawn even when private = 0 */
    p.has_private = c->Q > 0 && lucky;
    for (size_t q = 0; q < c->Q; q++)
        c->w[q] = gsl_ran_gaussian(c->rng, PF_SYN_PRIVATE_SD / sqrt((double)c->Q));
    return p;
}

/* Advance every feature series by one window (or start it at t = 0) and write the row. */
static void syn_step(syn_ctx *c, size_t t, double *row)
{
    const double innov = sqrt(1.0 - PF_SYN_AR * PF_SYN_AR); /* keeps z at unit variance */
    for (size_t f = 0; f < c->F; f++) {
        double e = gsl_ran_gaussian(c->rng, 1.0);
        c->z[f] = t == 0 ? e : PF_SYN_AR * c->z[f] + innov * e;
        row[f] = c->mean[f] + c->scale[f] * c->z[f];
    }
}

static double syn_shared(const syn_ctx *c, const double *row, double bias)
{
    double u = bias;
    for (size_t i = 0; i < c->I; i++) u += c->proj[i] * row[i];
    double s = tanh(u);
    if (c->I >= 2) s += PF_SYN_INTERACT * tanh(row[0] * row[1]);
    return s;
}

static double syn_private(const syn_ctx *c, const double *row)
{
    double v = 0;
    for (size_t q = 0; q < c->Q; q++) v += c->w[q] * row[c->I + q];
    return v;
}

/* Scale y to [0, 1]: the minimum maps to exactly 0 and the maximum to exactly 1. A constant
 * series (impossible unless gain, private term and noise all vanish) maps to 0.5. */
static void syn_minmax(double *y, size_t n)
{
    double lo = y[0], hi = y[0];
    for (size_t i = 1; i < n; i++) {
        if (y[i] < lo) lo = y[i];
        if (y[i] > hi) hi = y[i];
    }
    for (size_t i = 0; i < n; i++) y[i] = hi > lo ? (y[i] - lo) / (hi - lo) : 0.5;
}

/* One participant's windows into x and y (its first target, n_windows long, then spread into
 * the dataset's rows); truth (optional) receives its parameters and shared signal. */
static void syn_person_rows(syn_ctx *c, const pf_config *cfg, pf_dataset *ds, double *y0, size_t p,
                            pf_synthetic_truth *truth)
{
    syn_person who = syn_draw_person(c, cfg);
    size_t r0 = p * c->W;
    for (size_t t = 0; t < c->W; t++) {
        double *row = ds->x + (r0 + t) * c->F;
        syn_step(c, t, row);
        double s = syn_shared(c, row, who.bias);
        double raw = who.gain * s + gsl_ran_gaussian(c->rng, who.noise_sd);
        if (who.has_private) raw += syn_private(c, row);
        y0[r0 + t] = raw;
        ds->participant[r0 + t] = (int)p;
        if (truth) truth->shared[r0 + t] = s;
    }
    syn_minmax(y0 + r0, c->W);
    ds->offset[p + 1] = r0 + c->W;
    if (truth) {
        truth->gain[p] = who.gain;
        truth->bias[p] = who.bias;
        truth->noise_sd[p] = who.noise_sd;
        truth->has_private[p] = who.has_private;
    }
}

/* Output k >= 1 of a multi-output study (synthetic.outputs), like a second affect dimension:
 * its own projection of the informative features, bent and scaled per participant, with its
 * own noise, min-max scaled per participant. Every draw comes from its own generator,
 * pf_seed_rng(seed, 0, k, PF_SEED_SYNTHETIC), after the first output is complete, so adding
 * outputs never changes the features or the first output. Draw order: the projection, then
 * per participant its gain, bias and noise sd followed by one noise draw per window. */
static int syn_extra_output(const syn_ctx *c, const pf_config *cfg, pf_dataset *ds, size_t k,
                            double *buf, pf_error *err)
{
    gsl_rng *rng = pf_seed_rng(cfg->syn_seed, 0, k, PF_SEED_SYNTHETIC);
    double *proj = pf_alloc(c->I, sizeof *proj, err);
    if (rng == NULL || proj == NULL) {
        if (rng) gsl_rng_free(rng);
        free(proj);
        return PF_ERUNTIME;
    }
    for (size_t i = 0; i < c->I; i++) proj[i] = gsl_ran_gaussian(rng, 1.0 / sqrt((double)c->I));
    size_t T = ds->n_targets;
    for (size_t p = 0; p < c->P; p++) {
        double gain = 1.0 + gsl_ran_gaussian(rng, cfg->syn_gain_sd);
        double bias = gsl_ran_gaussian(rng, cfg->syn_bias_sd);
        double noise_sd = gsl_ran_flat(rng, cfg->syn_noise_min, cfg->syn_noise_max);
        for (size_t t = 0; t < c->W; t++) {
            const double *row = ds->x + (p * c->W + t) * c->F;
            double u = bias;
            for (size_t i = 0; i < c->I; i++) u += proj[i] * row[i];
            buf[t] = gain * tanh(u) + gsl_ran_gaussian(rng, noise_sd);
        }
        syn_minmax(buf, c->W);
        for (size_t t = 0; t < c->W; t++) ds->y[(p * c->W + t) * T + k] = buf[t];
    }
    gsl_rng_free(rng);
    free(proj);
    return PF_OK;
}

static int syn_names(pf_dataset *ds, const pf_config *cfg, pf_error *err)
{
    char buf[32];
    if (ds->feature_names == NULL)
        ds->feature_names = pf_alloc(ds->n_features, sizeof(char *), err);
    if (ds->participant_ids == NULL)
        ds->participant_ids = pf_alloc(ds->n_participants, sizeof(char *), err);
    if (!ds->feature_names || !ds->participant_ids) return PF_ERUNTIME;
    for (size_t f = 0; f < ds->n_features; f++) {
        snprintf(buf, sizeof buf, "f%02zu", f + 1);
        if ((ds->feature_names[f] = pf_alloc_text(buf, err)) == NULL) return PF_ERUNTIME;
    }
    /* The first output plays arousal, the second valence, as in the studies it imitates. */
    for (size_t k = 0; k < ds->n_targets; k++) {
        if (k < 2)
            snprintf(buf, sizeof buf, "%s", k == 0 ? "arousal" : "valence");
        else
            snprintf(buf, sizeof buf, "affect%zu", k + 1);
        free(ds->target_names[k]);
        if ((ds->target_names[k] = pf_alloc_text(buf, err)) == NULL) return PF_ERUNTIME;
    }
    for (size_t p = 0; p < ds->n_participants; p++) {
        snprintf(buf, sizeof buf, "S%03zu", p + 1);
        if ((ds->participant_ids[p] = pf_alloc_text(buf, err)) == NULL) return PF_ERUNTIME;
    }
    snprintf(ds->description, sizeof ds->description,
             "synthetic (%zu participants x %zu windows x %zu features, seed %" PRIu64 ")",
             ds->n_participants, ds->n_windows / ds->n_participants, ds->n_features, cfg->syn_seed);
    return PF_OK;
}

static pf_synthetic_truth *pf_syn_truth_alloc(size_t P, size_t n, pf_error *err)
{
    pf_synthetic_truth *t = pf_alloc(1, sizeof *t, err);
    if (t == NULL) return NULL;
    t->n_participants = P;
    t->n_windows = n;
    t->gain = pf_alloc(P, sizeof *t->gain, err);
    t->bias = pf_alloc(P, sizeof *t->bias, err);
    t->noise_sd = pf_alloc(P, sizeof *t->noise_sd, err);
    t->has_private = pf_alloc(P, sizeof *t->has_private, err);
    t->shared = pf_alloc(n, sizeof *t->shared, err);
    if (!t->gain || !t->bias || !t->noise_sd || !t->has_private || !t->shared) {
        pf_synthetic_truth_free(t);
        return NULL;
    }
    return t;
}

void pf_synthetic_truth_free(pf_synthetic_truth *t)
{
    if (t == NULL) return;
    free(t->gain);
    free(t->bias);
    free(t->noise_sd);
    free(t->has_private);
    free(t->shared);
    free(t);
}

pf_dataset *pf_synthetic_generate_with_truth(const pf_config *cfg, pf_synthetic_truth **truth,
                                             pf_error *err)
{
    if (truth) *truth = NULL;
    if (syn_check(cfg, err) != PF_OK) return NULL;
    size_t P = (size_t)cfg->syn_participants, W = (size_t)cfg->syn_windows;
    size_t F = (size_t)cfg->syn_features;
    if (P > SIZE_MAX / W || P * W > SIZE_MAX / F / sizeof(double)) {
        pf_error_set(err, PF_EINPUT,
                     "synthetic.participants x synthetic.windows x synthetic.features is too "
                     "large to hold in memory");
        return NULL;
    }
    syn_ctx c;
    pf_dataset *ds = NULL;
    double *y0 = NULL;
    pf_synthetic_truth *t = NULL;
    if (syn_ctx_init(&c, cfg, err) != PF_OK) goto fail;
    size_t T = (size_t)cfg->syn_outputs;
    if ((ds = pf_dataset_alloc(P * W, F, T, P, 0, err)) == NULL) goto fail;
    if (truth && (t = pf_syn_truth_alloc(P, P * W, err)) == NULL) goto fail;
    if ((y0 = pf_alloc(P * W, sizeof *y0, err)) == NULL) goto fail;
    ds->offset[0] = 0;
    for (size_t p = 0; p < P; p++) syn_person_rows(&c, cfg, ds, y0, p, t);
    for (size_t i = 0; i < P * W; i++) ds->y[i * T] = y0[i];
    for (size_t k = 1; k < T; k++)
        if (syn_extra_output(&c, cfg, ds, k, y0, err) != PF_OK) goto fail;
    if (syn_names(ds, cfg, err) != PF_OK) goto fail;
    ds->n_rows_read = P * W;
    syn_ctx_free(&c);
    free(y0);
    if (truth) *truth = t;
    return ds;
fail:
    syn_ctx_free(&c);
    free(y0);
    if (ds) pf_dataset_free(ds);
    pf_synthetic_truth_free(t);
    return NULL;
}

pf_dataset *pf_synthetic_generate(const pf_config *cfg, pf_error *err)
{
    return pf_synthetic_generate_with_truth(cfg, NULL, err);
}
