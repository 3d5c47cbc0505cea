/* train.c: mini-batch training with Adam or SGD-momentum and early stopping (see train.h).
 *
 * Everything the epoch loop touches (permutation, batch copy, gradient, optimiser moments,
 * best parameters, prediction buffer, forward/backward scratch) is allocated once per call in
 * a train_ctx, so the hot loop never allocates. Batches are copied into a contiguous buffer so
 * that every product is one sgemm over the batch.
 *
 * With a weighting of several outputs other than equal, the outputs' log-variances s_k are
 * parameters of the objective too (loss.h): the context keeps them in double (s), with their
 * gradient and optimiser state, and the loss it evaluates points at them, so batches,
 * validation and the final training loss all see the current s. */
#include "model/train.h"

#include "config/task.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "model/kernel.h"

#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPS   1e-8f
#define EVAL_ROWS  512 /* rows per forward when predicting a whole split */

typedef struct {
    const pf_train_opts *o;
    pf_loss_spec loss; /* o's loss for m's outputs */
    pf_mlp *m;
    pf_mlp_work *work; /* max(batch_size, EVAL_ROWS) rows */
    size_t *perm;      /* n_train: this epoch's row order */
    float *xb, *yb;    /* batch_size x d, batch_size x t: the current batch */
    float *grad;       /* n_params */
    float *mom1;       /* n_params: Adam first moment or SGD velocity */
    float *mom2;       /* n_params: Adam second moment */
    float *best;       /* n_params: parameters of the best epoch */
    float *yhat;       /* max(n_train, n_val) x n_out: predictions of a whole split */
    float *scratch;    /* the loss's scratch for a whole split */
    double *tie_sum;   /* n_tie: each tie group's summed gradient (NULL without ties) */
    size_t n_tie;      /* tie groups: 1 + the largest group number of o->tie (0 without) */
    long step;         /* optimiser steps taken */
    double beta1_t;    /* ADAM_BETA1^step and ADAM_BETA2^step, one multiplication per step: */
    double beta2_t;    /* exact IEEE arithmetic, where libm's pow has CPU-specific variants */
    /* The log-variances (n_out each; all NULL with equal weighting): */
    double *s;      /* current values, the ones loss.log_var points at */
    double *ds;     /* the batch objective's derivative in each */
    double *s_mom1; /* Adam first moment or SGD velocity */
    double *s_mom2; /* Adam second moment */
    double *s_best; /* the values of the best epoch */
} train_ctx;

void pf_train_opts_from_config(pf_train_opts *o, const pf_config *cfg)
{
    o->optimizer = cfg->optimizer;
    o->learning_rate = cfg->learning_rate;
    o->momentum = cfg->momentum;
    o->weight_decay = cfg->weight_decay;
    o->batch_size = cfg->batch_size;
    o->max_epochs = cfg->max_epochs;
    o->patience = cfg->patience;
    o->loss = pf_task_loss(cfg);
    o->class_weights = NULL;
    o->tie = NULL;
    o->weighting = cfg->output_weighting;
    o->log_var = NULL;
}

pf_loss_spec pf_train_loss(const pf_train_opts *o, const pf_mlp *m)
{
    pf_loss_spec s = {.kind = o->loss,
                      .n_out = pf_mlp_n_out(m),
                      .class_weights = o->class_weights,
                      .weighting = o->weighting,
                      .log_var = o->log_var};
    return s;
}

static int weighted(const pf_train_opts *o)
{
    return o->weighting != PF_WEIGHTING_EQUAL;
}

/* The log-variances a training starts from: o's, or the weighting's initial values. */
static void start_log_var(const pf_train_opts *o, size_t K, double *s)
{
    if (o->log_var != NULL)
        memcpy(s, o->log_var, K * sizeof *s);
    else
        pf_loss_weighting_init(o->weighting, K, s);
}

/* ---- setup ---------------------------------------------------------------------------- */

static int check_inputs(const pf_mlp *m, const pf_train_opts *o, const pf_split *train,
                        const pf_split *val, pf_error *err)
{
    if (o->batch_size < 1)
        return pf_error_set(err, PF_EINPUT, "train.batch_size is %d; it must be at least 1",
                            o->batch_size);
    if (o->max_epochs < 0 || o->patience < 0)
        return pf_error_set(err, PF_EINPUT,
                            "train.max_epochs (%d) and train.patience (%d) must be >= 0",
                            o->max_epochs, o->patience);
    if (!(o->learning_rate > 0.0) || o->momentum < 0.0 || o->weight_decay < 0.0)
        return pf_error_set(err, PF_EINPUT,
                            "train.learning_rate must be > 0 and train.momentum and "
                            "train.weight_decay >= 0 (got %g, %g, %g)",
                            o->learning_rate, o->momentum, o->weight_decay);
    if (train->n == 0)
        return pf_error_set(err, PF_EINPUT, "the training split of this fold has no rows");
    for (size_t j = 0; o->tie != NULL && j < m->n_params; j++)
        if (o->tie[j] < -1)
            return pf_error_set(err, PF_EINPUT,
                                "parameter %zu is tied to group %d; a group is -1 (none) or >= 0",
                                j, o->tie[j]);
    if (train->d != m->dims[0] || (val != NULL && val->n > 0 && val->d != m->dims[0]))
        return pf_error_set(err, PF_EINPUT,
                            "the model takes %zu features but the data has %zu; the model "
                            "must be built for this dataset",
                            m->dims[0], train->d);
    pf_loss_spec loss = pf_train_loss(o, m);
    double start[PF_MAX_LIST];
    if (weighted(o) && loss.n_out <= PF_MAX_LIST) {
        start_log_var(o, loss.n_out, start);
        loss.log_var = start;
    }
    if (pf_loss_check(&loss, train->y, train->n, train->t, "the training split", err) != PF_OK)
        return err->code;
    if (val != NULL && val->n > 0)
        return pf_loss_check(&loss, val->y, val->n, val->t, "the validation split", err);
    return PF_OK;
}

static void ctx_free(train_ctx *c)
{
    pf_mlp_work_free(c->work);
    free(c->perm);
    free(c->xb);
    free(c->yb);
    free(c->grad);
    free(c->mom1);
    free(c->mom2);
    free(c->best);
    free(c->yhat);
    free(c->scratch);
    free(c->tie_sum);
    free(c->s), free(c->ds), free(c->s_mom1), free(c->s_mom2), free(c->s_best);
}

/* The log-variances and their state, when the weighting learns them. */
static int log_var_alloc(train_ctx *c, size_t K, pf_error *err)
{
    if (!weighted(c->o)) return PF_OK;
    c->s = pf_alloc(K, sizeof *c->s, err);
    c->ds = pf_alloc(K, sizeof *c->ds, err);
    c->s_mom1 = pf_alloc(K, sizeof *c->s_mom1, err);
    c->s_mom2 = pf_alloc(K, sizeof *c->s_mom2, err);
    c->s_best = pf_alloc(K, sizeof *c->s_best, err);
    if (err->code != PF_OK) return err->code;
    start_log_var(c->o, K, c->s);
    memcpy(c->s_best, c->s, K * sizeof *c->s);
    c->loss.log_var = c->s;
    return PF_OK;
}

static int ctx_alloc(train_ctx *c, pf_mlp *m, const pf_train_opts *o, const pf_split *train,
                     const pf_split *val, pf_error *err)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->loss = pf_train_loss(o, m);
    c->m = m;
    size_t bs = (size_t)o->batch_size, d = train->d, np = m->n_params, t = train->t;
    size_t n_pred = train->n;
    if (val != NULL && val->n > n_pred) n_pred = val->n;
    c->work = pf_mlp_work_alloc(m, bs > EVAL_ROWS ? bs : EVAL_ROWS, err);
    c->perm = pf_alloc(train->n, sizeof *c->perm, err);
    c->xb = pf_alloc(bs * d, sizeof *c->xb, err);
    c->yb = pf_alloc(bs * t, sizeof *c->yb, err);
    c->grad = pf_alloc(np, sizeof *c->grad, err);
    c->mom1 = pf_alloc(np, sizeof *c->mom1, err);
    c->mom2 = pf_alloc(np, sizeof *c->mom2, err);
    c->best = pf_alloc(np, sizeof *c->best, err);
    c->yhat = pf_alloc(n_pred * pf_mlp_n_out(m), sizeof *c->yhat, err);
    c->scratch = pf_alloc(pf_loss_scratch_size(n_pred) + 1, sizeof *c->scratch, err);
    for (size_t j = 0; o->tie != NULL && j < np; j++)
        if (o->tie[j] >= 0 && (size_t)o->tie[j] >= c->n_tie) c->n_tie = (size_t)o->tie[j] + 1;
    if (c->n_tie > 0) c->tie_sum = pf_alloc(c->n_tie, sizeof *c->tie_sum, err);
    int ok = c->work && c->perm && c->xb && c->yb && c->grad && c->mom1 && c->mom2 && c->best &&
             c->yhat && c->scratch && (c->n_tie == 0 || c->tie_sum) &&
             log_var_alloc(c, pf_mlp_n_out(m), err) == PF_OK;
    if (!ok) ctx_free(c);
    return ok ? PF_OK : PF_ERUNTIME;
}

/* ---- one step ------------------------------------------------------------------------- */

/* Coupled L2: the decay enters the gradient (and so Adam's moments), on weights only. */
static void add_weight_decay(const pf_mlp *m, float wd, float *grad)
{
    if (wd == 0.0f) return;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t off = m->w_off[l], nw = m->dims[l + 1] * m->dims[l];
        for (size_t j = off; j < off + nw; j++) grad[j] += wd * m->params[j] * m->mask[j];
    }
}

/* Tied parameters share their group's summed gradient (train.h). Sums in double, in parameter
 * order, so every member gets the same float whatever the group's size. */
static void tie_gradients(train_ctx *c)
{
    const int *tie = c->o->tie;
    size_t n = c->m->n_params;
    memset(c->tie_sum, 0, c->n_tie * sizeof *c->tie_sum);
    for (size_t j = 0; j < n; j++)
        if (tie[j] >= 0) c->tie_sum[tie[j]] += (double)c->grad[j];
    for (size_t j = 0; j < n; j++)
        if (tie[j] >= 0) c->grad[j] = (float)c->tie_sum[tie[j]];
}

/* The element loops of both optimisers carry "omp simd" (the build's -fno-math-errno lets
 * sqrtf vectorise). Adam's step is one pass over the parameters: each element's moments,
 * root and update in the order of the formulas. Its bias corrections use beta^t kept by
 * multiplication rather than pow, so no libm function with CPU-specific variants reaches a
 * weight. */
PF_VECTOR_CLONES static void adam_step(train_ctx *c)
{
    if (c->step++ == 0) c->beta1_t = c->beta2_t = 1.0;
    c->beta1_t *= ADAM_BETA1, c->beta2_t *= ADAM_BETA2;
    const float b1 = (float)ADAM_BETA1, b2 = (float)ADAM_BETA2;
    const float c1 = (float)(1.0 / (1.0 - c->beta1_t));
    const float c2 = (float)(1.0 / (1.0 - c->beta2_t));
    const float lr = (float)c->o->learning_rate;
    float *restrict p = c->m->params, *restrict m1 = c->mom1, *restrict m2 = c->mom2;
    const float *restrict g = c->grad, *restrict mask = c->m->mask;
    size_t n = c->m->n_params;
#pragma omp simd
    for (size_t j = 0; j < n; j++) {
        m1[j] = b1 * m1[j] + (1.0f - b1) * g[j];
        m2[j] = b2 * m2[j] + (1.0f - b2) * g[j] * g[j];
        float root = sqrtf(m2[j] * c2);
        p[j] -= mask[j] * (lr * (m1[j] * c1) / (root + ADAM_EPS));
    }
}

/* The log-variances' Adam step, after adam_step (whose step count and beta^t it shares): the
 * same update in double, without a mask or weight decay. */
static void adam_step_log_var(train_ctx *c)
{
    const double c1 = 1.0 / (1.0 - c->beta1_t), c2 = 1.0 / (1.0 - c->beta2_t);
    const double lr = c->o->learning_rate;
    for (size_t k = 0; k < c->loss.n_out; k++) {
        double g = c->ds[k];
        c->s_mom1[k] = ADAM_BETA1 * c->s_mom1[k] + (1.0 - ADAM_BETA1) * g;
        c->s_mom2[k] = ADAM_BETA2 * c->s_mom2[k] + (1.0 - ADAM_BETA2) * g * g;
        c->s[k] -= lr * (c->s_mom1[k] * c1) / (sqrt(c->s_mom2[k] * c2) + (double)ADAM_EPS);
    }
}

/* The log-variances' SGD step: v = mu v + g, s -= lr v, in double. */
static void sgd_step_log_var(train_ctx *c)
{
    for (size_t k = 0; k < c->loss.n_out; k++) {
        c->s_mom1[k] = c->o->momentum * c->s_mom1[k] + c->ds[k];
        c->s[k] -= c->o->learning_rate * c->s_mom1[k];
    }
}

/* PyTorch's form: v = mu v + g, p -= lr v (the first step is plain gradient descent). */
PF_VECTOR_CLONES static void sgd_step(train_ctx *c)
{
    c->step++;
    const float mu = (float)c->o->momentum, lr = (float)c->o->learning_rate;
    float *restrict p = c->m->params, *restrict v = c->mom1;
    const float *restrict g = c->grad, *restrict mask = c->m->mask;
    size_t n = c->m->n_params;
#pragma omp simd
    for (size_t j = 0; j < n; j++) {
        v[j] = mu * v[j] + g[j];
        p[j] -= mask[j] * (lr * v[j]);
    }
}

/* ---- epochs --------------------------------------------------------------------------- */

static void shuffle(size_t *perm, size_t n, gsl_rng *rng)
{
    for (size_t i = 0; i < n; i++) perm[i] = i;
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)gsl_rng_uniform_int(rng, (unsigned long)(i + 1));
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* The batch's rows, copied into one block for the products. A target is a float or two: a
 * loop, where a call to memcpy per row cost more than the copy. */
static void gather(const pf_split *s, const size_t *rows, size_t nb, float *xb, float *yb)
{
    for (size_t i = 0; i < nb; i++) {
        memcpy(xb + i * s->d, s->x + rows[i] * s->d, s->d * sizeof *xb);
        for (size_t k = 0; k < s->t; k++) yb[i * s->t + k] = s->y[rows[i] * s->t + k];
    }
}

/* One pass over train in a fresh random order; returns the row-weighted mean batch loss. */
static double run_epoch(train_ctx *c, const pf_split *train, gsl_rng *rng)
{
    const pf_train_opts *o = c->o;
    size_t bs = (size_t)o->batch_size;
    double sum = 0.0;
    shuffle(c->perm, train->n, rng);
    for (size_t i = 0; i < train->n; i += bs) {
        size_t nb = train->n - i < bs ? train->n - i : bs;
        gather(train, c->perm + i, nb, c->xb, c->yb);
        sum += (double)nb *
               pf_mlp_loss_grad_all(c->m, c->work, &c->loss, c->xb, c->yb, nb, c->grad, c->ds);
        add_weight_decay(c->m, (float)o->weight_decay, c->grad);
        if (c->n_tie > 0) tie_gradients(c);
        if (o->optimizer == PF_OPT_SGD)
            sgd_step(c);
        else
            adam_step(c);
        if (c->s != NULL && o->optimizer == PF_OPT_SGD) sgd_step_log_var(c);
        if (c->s != NULL && o->optimizer != PF_OPT_SGD) adam_step_log_var(c);
    }
    return sum / (double)train->n;
}

static double split_loss(train_ctx *c, const pf_split *s)
{
    pf_mlp_predict(c->m, c->work, s->x, s->n, c->yhat);
    return pf_loss_eval(&c->loss, c->yhat, s->y, s->n, NULL, c->scratch);
}

/* The parameters of the objective: the network's, and the log-variances when it has them. */
static void save_best(train_ctx *c)
{
    memcpy(c->best, c->m->params, c->m->n_params * sizeof *c->best);
    if (c->s != NULL) memcpy(c->s_best, c->s, c->loss.n_out * sizeof *c->s);
}

static void restore_best(train_ctx *c)
{
    memcpy(c->m->params, c->best, c->m->n_params * sizeof *c->best);
    if (c->s != NULL) memcpy(c->s, c->s_best, c->loss.n_out * sizeof *c->s);
}

static int diverged(int epoch, double loss, pf_error *err)
{
    return pf_error_set(err, PF_EDIVERGED,
                        "training diverged: the loss is %g after epoch %d; lower "
                        "train.learning_rate (or check the data for extreme values)",
                        loss, epoch);
}

/* The epoch loop. Early stopping only with a non-empty val and patience > 0. */
static int fit(train_ctx *c, const pf_split *train, const pf_split *val, gsl_rng *rng,
               pf_train_report *rep, pf_error *err)
{
    const pf_train_opts *o = c->o;
    int early = val != NULL && val->n > 0 && o->patience > 0;
    int since_best = 0;
    for (int e = 1; e <= o->max_epochs; e++) {
        double tl = run_epoch(c, train, rng);
        rep->epochs_run = e;
        if (!isfinite(tl)) return diverged(e, tl, err);
        if (!early) continue;
        double vl = split_loss(c, val), best = rep->best_val_loss;
        if (rep->best_epoch == 0 || vl < best || (isnan(best) && !isnan(vl))) {
            rep->best_val_loss = vl;
            rep->best_epoch = e;
            since_best = 0;
            save_best(c);
        } else if (++since_best >= o->patience) {
            break;
        }
    }
    if (early && rep->best_epoch > 0) {
        restore_best(c);
    } else {
        rep->best_epoch = rep->epochs_run;
        if (val != NULL && val->n > 0) rep->best_val_loss = split_loss(c, val);
    }
    return PF_OK;
}

int pf_train(pf_mlp *m, const pf_train_opts *o, const pf_split *train, const pf_split *val,
             gsl_rng *shuffle_rng, pf_train_report *rep, pf_error *err)
{
    pf_train_report local;
    if (rep == NULL) rep = &local;
    rep->epochs_run = 0;
    rep->best_epoch = 0;
    rep->best_val_loss = NAN;
    rep->final_train_loss = NAN;
    int rc = check_inputs(m, o, train, val, err);
    if (rc != PF_OK) return rc;
    train_ctx c;
    if (ctx_alloc(&c, m, o, train, val, err) != PF_OK) return PF_ERUNTIME;
    pf_mlp_apply_mask(m); /* the optimiser keeps zeros at zero, so start from exact zeros */
    pf_mlp_work_fix_mask(c.work, m); /* training moves the parameters, never the mask */
    rc = fit(&c, train, val, shuffle_rng, rep, err);
    if (rc == PF_OK) rep->final_train_loss = split_loss(&c, train);
    if (c.s != NULL && o->log_var != NULL) memcpy(o->log_var, c.s, c.loss.n_out * sizeof *c.s);
    ctx_free(&c);
    return rc;
}
