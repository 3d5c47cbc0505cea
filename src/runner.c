/* runner.c: the study, one (fold, repeat) task at a time, tasks in parallel.
 *
 * A task fits its fold's transform (imputation, feature and target scaling) on the training
 * participants, trains the dense model on model-space targets, evaluates it (predictions mapped
 * back to the data's units, so every metric is in the units the target was recorded in),
 * then for every criterion ranks the weights once and walks the sparsity grid: mask, optional
 * fine-tuning, evaluation. Two criterion variants need more than one ranking: SNIP at
 * initialisation (score the fresh network on one batch, prune, train the sparse network: one
 * training per sparsity) and iterative FairGRAPE (shrink the kept fraction over rounds,
 * re-ranking in between). Every generator is seeded from (master seed, fold, repeat, purpose),
 * so a task's numbers do not depend on the thread that ran it; each task writes only its own
 * slots of pf_results, so no locks are needed, and files are written afterwards by one thread. */
#include "runner.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cost.h"
#include "metric.h"
#include "model.h"
#include "progress.h"
#include "prune.h"
#include "results.h"
#include "seed.h"
#include "split.h"
#include "train.h"

/* From OpenBLAS; declared here because its cblas.h and GSL's gsl_cblas.h (pulled in by
 * gsl_randist.h) define the same enums and cannot both be included. */
void openblas_set_num_threads(int num_threads);

/* What every task reads (shared, read-only) and where it writes (disjoint slots). */
typedef struct {
    const pf_config *cfg;
    const pf_dataset *ds;
    const pf_folds *folds;
    pf_criterion crit[PF_MAX_LIST * 2];
    size_t n_crit;
    pf_train_opts opts;
    pf_results *res;
    /* Latency is measured after all tasks, when no other thread competes for the core; task
     * (fold 0, repeat 0) leaves here what that needs: a model and its masks, and test rows. */
    pf_mlp *lat_model;
    unsigned char *lat_masks; /* [crit][sp][param] */
    float *lat_x;
    size_t lat_n;
} run_ctx;

/* The data and scratch of one task. */
typedef struct {
    size_t fold, repeat;
    pf_transform *tf; /* fitted on the fold's training participants */
    pf_split *train, *val, *test;
    pf_mlp *dense, *work_model;
    pf_mlp_work *work;
    float *yhat;
    float *mask;         /* n_params scratch for pf_prune_mask */
    pf_task_record *rec; /* this task's block of records */
} task;

void pf_run_opts_init(pf_run_opts *ro, const pf_config *cfg, const char *out_dir, int progress)
{
    ro->threads = cfg->threads > 0 ? cfg->threads : omp_get_num_procs();
    ro->progress = progress >= 0 ? progress : isatty(STDERR_FILENO);
    if (out_dir)
        snprintf(ro->out_dir, sizeof ro->out_dir, "%s", out_dir);
    else
        snprintf(ro->out_dir, sizeof ro->out_dir, "%s/%s-%.8s", cfg->output_dir, cfg->name,
                 cfg->hash);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- evaluation of one model on the task's test participants ------------------------------ */

/* Metrics of every test participant into the slots (c, s) of the results (c = -1: dense),
 * predictions mapped back from model space and compared with the targets as recorded.
 * Returns the mean CCC over the test participants. */
static double evaluate_model(const run_ctx *rc, task *t, const pf_mlp *m, int c, size_t s)
{
    pf_results *r = rc->res;
    const pf_split *te = t->test;
    pf_mlp_forward(m, t->work, te->x, te->n, t->yhat);
    pf_transform_target_inverse(t->tf, t->yhat, t->yhat, te->n);
    double sum = 0;
    for (size_t i = 0; i < te->n_parts; i++) {
        size_t p = (size_t)te->part[i], lo = te->off[i], n = te->off[i + 1] - lo;
        const float *yh = t->yhat + lo, *y = te->y_data + lo;
        double ccc = pf_ccc(yh, y, n);
        double rmse = pf_rmse(yh, y, n);
        double pr = pf_pearson(yh, y, n);
        if (c < 0) {
            size_t k = p * r->n_rep + t->repeat;
            r->dense_ccc[k] = ccc, r->dense_rmse[k] = rmse, r->dense_pearson[k] = pr;
        } else {
            size_t k = pf_results_at(r, (size_t)c, s, p, t->repeat);
            r->ccc[k] = ccc, r->rmse[k] = rmse, r->pearson[k] = pr;
        }
        sum += ccc;
    }
    return sum / (double)te->n_parts;
}

/* Kept parameters, CSR bytes and multiply-adds of a (masked) model into its record. */
static void model_cost(const pf_mlp *m, int prune_biases, pf_task_record *rec)
{
    pf_model_cost c;
    pf_cost_compute(m, prune_biases, &c);
    rec->kept_params = c.kept;
    rec->prunable_params = c.prunable;
    rec->achieved_sparsity = c.prunable ? 1.0 - (double)c.kept / (double)c.prunable : 0.0;
    rec->csr_bytes = c.csr_bytes;
    rec->macs = c.macs;
}

/* Latency is a property of a model's shape and sparsity, not of the fold, and timing while
 * other tasks run would measure them too: task (fold 0, repeat 0) only keeps a copy of its
 * models' structure here (c = -1: the dense model and its test rows), and pf_run times them
 * once the parallel part is over. */
static void keep_for_latency(const run_ctx *rc, const task *t, const pf_mlp *m, int c, size_t s)
{
    if (t->fold != 0 || t->repeat != 0) return;
    if (c < 0) {
        pf_mlp_copy(rc->lat_model, m);
        memcpy(rc->lat_x, t->test->x, t->test->n * t->test->d * sizeof *rc->lat_x);
        return;
    }
    unsigned char *dst = rc->lat_masks + ((size_t)c * rc->res->n_sp + s) * m->n_params;
    for (size_t j = 0; j < m->n_params; j++) dst[j] = m->mask[j] != 0.0f;
}

/* Single-window latency of the dense model and of every pruned structure, on fold 0's test
 * rows. The pruned models are the dense weights under each saved mask: the time of a CSR
 * product depends on which weights are kept, not on their values. */
static int measure_latency(run_ctx *rc, pf_error *err)
{
    pf_results *r = rc->res;
    pf_mlp *m = pf_mlp_clone(rc->lat_model, err);
    if (!m) return err->code;
    r->dense_ns = pf_cost_time_ns(rc->lat_model, rc->lat_x, rc->lat_n, 0, err);
    for (size_t k = 0; k < r->n_crit * r->n_sp && err->code == PF_OK; k++) {
        pf_mlp_copy(m, rc->lat_model);
        const unsigned char *mk = rc->lat_masks + k * m->n_params;
        for (size_t j = 0; j < m->n_params; j++) m->mask[j] = mk[j];
        pf_mlp_apply_mask(m);
        r->sparse_ns[k] = pf_cost_time_ns(m, rc->lat_x, rc->lat_n, 1, err);
    }
    pf_mlp_free(m);
    return err->code;
}

static pf_task_record *record_for(task *t, const run_ctx *rc, int c, size_t s)
{
    pf_task_record *rec = c < 0 ? &t->rec[0] : &t->rec[1 + (size_t)c * rc->res->n_sp + s];
    rec->fold = (int)t->fold;
    rec->repeat = (int)t->repeat;
    rec->criterion = c;
    rec->sparsity_index = c < 0 ? 0 : (int)s;
    rec->sparsity = c < 0 ? 0.0 : rc->res->sparsity[s];
    rec->epochs = 0;
    rec->val_loss = NAN;
    return rec;
}

/* ---- training ----------------------------------------------------------------------------- */

static int train_model(const run_ctx *rc, task *t, pf_mlp *m, int epochs, pf_task_record *rec,
                       pf_error *err)
{
    pf_train_opts o = rc->opts;
    pf_train_report rep;
    o.max_epochs = epochs;
    gsl_rng *rng = pf_rng_alloc(rc->cfg->seed, t->fold, t->repeat, PF_SEED_SHUFFLE);
    if (!rng) return pf_error_set(err, PF_ERUNTIME, "out of memory (random generator)");
    int rcode = pf_train(m, &o, t->train, t->val, rng, &rep, err);
    gsl_rng_free(rng);
    if (rcode == PF_OK && rec) rec->epochs = rep.epochs_run, rec->val_loss = rep.best_val_loss;
    return rcode;
}

/* A fresh network with the task's initial weights (the same for the dense model and for
 * every SNIP-at-init model, so they differ only by their masks). */
static void init_model(const run_ctx *rc, const task *t, pf_mlp *m)
{
    gsl_rng *rng = pf_rng_alloc(rc->cfg->seed, t->fold, t->repeat, PF_SEED_INIT);
    pf_mlp_init(m, rc->cfg->init, rng);
    gsl_rng_free(rng);
}

/* ---- pruning variants ---------------------------------------------------------------------- */

static int rank_model(const run_ctx *rc, const task *t, const pf_criterion *c, const pf_mlp *m,
                      const pf_split *data, pf_ranking *rk, pf_error *err)
{
    gsl_rng *rng = pf_rng_alloc(rc->cfg->seed, t->fold, t->repeat, PF_SEED_PRUNE_RANDOM);
    pf_prune_ctx ctx = {rc->cfg, m, data, rc->opts.loss, rng, rc->opts.class_weights};
    int code = pf_prune_rank(c, &ctx, rk, err);
    gsl_rng_free(rng);
    return code;
}

static void apply_mask(task *t, pf_mlp *m, const pf_ranking *rk, double s, const pf_config *cfg)
{
    pf_prune_mask(m, rk, s, cfg->scope, t->mask);
    pf_prune_apply(m, t->mask);
}

/* output.save_*: copies of weights, masks and scores into the results (slots of this task). */
static size_t task_index(const run_ctx *rc, const task *t)
{
    return t->fold * (size_t)rc->cfg->repeats + t->repeat;
}

static void keep_mask(const run_ctx *rc, const task *t, size_t c, size_t s, const pf_mlp *m)
{
    pf_results *r = rc->res;
    if (!r->masks) return;
    unsigned char *dst =
        r->masks + ((task_index(rc, t) * r->n_crit + c) * r->n_sp + s) * r->n_params;
    for (size_t j = 0; j < r->n_params; j++) dst[j] = m->mask[j] != 0.0f;
}

static void keep_scores(const run_ctx *rc, const task *t, size_t c, const pf_ranking *rk)
{
    pf_results *r = rc->res;
    if (!r->scores) return;
    float *dst = r->scores + (task_index(rc, t) * r->n_crit + c) * r->n_params;
    for (size_t j = 0; j < r->n_params; j++) dst[j] = (float)rk->score[j];
}

static void keep_dense(const run_ctx *rc, const task *t)
{
    pf_results *r = rc->res;
    if (r->dense_params)
        memcpy(r->dense_params + task_index(rc, t) * r->n_params, t->dense->params,
               r->n_params * sizeof *r->dense_params);
}

/* Finish a pruned model: fine-tuning (only when something was pruned: at sparsity 0 the
 * "pruned" model is the dense one, and must stay it), cost, evaluation, timing. */
static int finish_model(const run_ctx *rc, task *t, pf_mlp *m, size_t c, size_t s,
                        pf_task_record *rec, double t0, pf_error *err)
{
    model_cost(m, rc->cfg->prune_biases, rec);
    if (rc->cfg->finetune_epochs > 0 && rec->kept_params < rec->prunable_params &&
        train_model(rc, t, m, rc->cfg->finetune_epochs, rec, err) != PF_OK)
        return err->code;
    keep_mask(rc, t, c, s, m);
    rec->mean_ccc = evaluate_model(rc, t, m, (int)c, s);
    rec->seconds = now_seconds() - t0;
    keep_for_latency(rc, t, m, (int)c, s);
    return err->code;
}

/* The common case: one ranking of the trained dense model serves the whole grid. */
static int prune_one_shot(const run_ctx *rc, task *t, size_t c, pf_error *err)
{
    pf_ranking rk = {0};
    double t0 = now_seconds();
    if (rank_model(rc, t, &rc->crit[c], t->dense, t->train, &rk, err) != PF_OK) return err->code;
    double rank_time = now_seconds() - t0;
    keep_scores(rc, t, c, &rk);
    for (size_t s = 0; s < rc->res->n_sp && err->code == PF_OK; s++) {
        double t1 = now_seconds() - rank_time; /* each record carries the ranking's cost */
        pf_task_record *rec = record_for(t, rc, (int)c, s);
        pf_mlp_copy(t->work_model, t->dense);
        apply_mask(t, t->work_model, &rk, rc->res->sparsity[s], rc->cfg);
        finish_model(rc, t, t->work_model, c, s, rec, t1, err);
    }
    pf_ranking_free(&rk);
    return err->code;
}

/* One mini-batch of training rows drawn without replacement (seeded per fold and repeat),
 * as a one-participant split: what SNIP at initialisation scores on. */
static pf_split *snip_batch(const run_ctx *rc, const task *t, pf_error *err)
{
    const pf_split *tr = t->train;
    size_t n = (size_t)rc->cfg->batch_size < tr->n ? (size_t)rc->cfg->batch_size : tr->n;
    pf_split *b = pf_calloc(1, sizeof *b, err);
    size_t *rows = pf_calloc(n, sizeof *rows, err), *all = pf_calloc(tr->n, sizeof *all, err);
    if (b) {
        b->x = pf_calloc(n * tr->d, sizeof *b->x, err);
        b->y = pf_calloc(n * tr->t, sizeof *b->y, err);
        b->y_data = pf_calloc(n * tr->t, sizeof *b->y_data, err);
        b->part = pf_calloc(1, sizeof *b->part, err);
        b->off = pf_calloc(2, sizeof *b->off, err);
    }
    if (err->code != PF_OK) {
        free(rows), free(all);
        pf_split_free(b);
        return NULL;
    }
    for (size_t i = 0; i < tr->n; i++) all[i] = i;
    gsl_rng *rng = pf_rng_alloc(rc->cfg->seed, t->fold, t->repeat, PF_SEED_SNIP_BATCH);
    gsl_ran_choose(rng, rows, n, all, tr->n, sizeof *all);
    gsl_rng_free(rng);
    for (size_t i = 0; i < n; i++) {
        memcpy(b->x + i * tr->d, tr->x + rows[i] * tr->d, tr->d * sizeof *b->x);
        memcpy(b->y + i * tr->t, tr->y + rows[i] * tr->t, tr->t * sizeof *b->y);
        memcpy(b->y_data + i * tr->t, tr->y_data + rows[i] * tr->t, tr->t * sizeof *b->y_data);
    }
    b->n = n, b->t = tr->t, b->d = tr->d, b->n_parts = 1, b->part[0] = tr->part[0], b->off[1] = n;
    free(rows), free(all);
    return b;
}

/* SNIP at initialisation (Lee et al., 2019): score the fresh network on one training batch,
 * prune it, then train the sparse network from those initial weights. */
static int prune_snip_init(const run_ctx *rc, task *t, size_t c, pf_error *err)
{
    pf_split *batch = snip_batch(rc, t, err);
    if (!batch) return err->code;
    pf_mlp *fresh = t->work_model;
    init_model(rc, t, fresh);
    pf_ranking rk = {0};
    if (rank_model(rc, t, &rc->crit[c], fresh, batch, &rk, err) == PF_OK) {
        keep_scores(rc, t, c, &rk);
        for (size_t s = 0; s < rc->res->n_sp && err->code == PF_OK; s++) {
            double t0 = now_seconds();
            pf_task_record *rec = record_for(t, rc, (int)c, s);
            init_model(rc, t, fresh);
            apply_mask(t, fresh, &rk, rc->res->sparsity[s], rc->cfg);
            if (train_model(rc, t, fresh, rc->cfg->max_epochs, rec, err) != PF_OK) break;
            model_cost(fresh, rc->cfg->prune_biases, rec);
            keep_mask(rc, t, c, s, fresh);
            rec->mean_ccc = evaluate_model(rc, t, fresh, (int)c, s);
            rec->seconds = now_seconds() - t0;
            keep_for_latency(rc, t, fresh, (int)c, s);
        }
    }
    pf_ranking_free(&rk);
    pf_split_free(batch);
    return err->code;
}

/* Iterative FairGRAPE: the kept fraction shrinks geometrically from 1 to 1 - s over the
 * rounds, importance is recomputed on the current (pruned, optionally fine-tuned) model each
 * round; already-pruned weights rank last, so masks only ever shrink. The last round prunes to
 * exactly the requested sparsity; sparsity 0 is the dense model, untouched. */
static int prune_iterative(const run_ctx *rc, task *t, size_t c, pf_error *err)
{
    int rounds = rc->cfg->fairgrape_rounds;
    for (size_t s = 0; s < rc->res->n_sp && err->code == PF_OK; s++) {
        double t0 = now_seconds(), sp = rc->res->sparsity[s];
        pf_task_record *rec = record_for(t, rc, (int)c, s);
        pf_mlp *m = t->work_model;
        pf_mlp_copy(m, t->dense);
        for (int k = 1; sp > 0 && k <= rounds && err->code == PF_OK; k++) {
            pf_ranking rk = {0};
            double round_sp = k == rounds ? sp : 1.0 - pow(1.0 - sp, (double)k / rounds);
            if (rank_model(rc, t, &rc->crit[c], m, t->train, &rk, err) != PF_OK) break;
            apply_mask(t, m, &rk, round_sp, rc->cfg);
            if (k == rounds && s == rc->res->n_sp - 1) keep_scores(rc, t, c, &rk);
            pf_ranking_free(&rk);
            if (k < rounds && rc->cfg->finetune_epochs > 0)
                train_model(rc, t, m, rc->cfg->finetune_epochs, rec, err);
        }
        if (err->code == PF_OK) finish_model(rc, t, m, c, s, rec, t0, err);
    }
    return err->code;
}

static int prune_all(const run_ctx *rc, task *t, pf_error *err)
{
    for (size_t c = 0; c < rc->n_crit && err->code == PF_OK; c++) {
        const pf_criterion *cr = &rc->crit[c];
        if (cr->kind == PF_CRIT_SNIP && rc->cfg->snip_stage == PF_SNIP_INIT)
            prune_snip_init(rc, t, c, err);
        else if (cr->kind == PF_CRIT_FAIRGRAPE && rc->cfg->fairgrape_mode == PF_FAIRGRAPE_ITERATIVE)
            prune_iterative(rc, t, c, err);
        else
            prune_one_shot(rc, t, c, err);
    }
    return err->code;
}

/* ---- one task ------------------------------------------------------------------------------ */

static void task_free(task *t)
{
    pf_transform_free(t->tf);
    pf_split_free(t->train), pf_split_free(t->val), pf_split_free(t->test);
    pf_mlp_free(t->dense), pf_mlp_free(t->work_model);
    pf_mlp_work_free(t->work);
    free(t->yhat);
    free(t->mask);
}

/* The fold's transform (fitted on its training participants only), its transformed splits,
 * and the models. Every repeat of a fold fits the same transform; repeat 0 records it. */
static int task_setup(const run_ctx *rc, task *t, pf_error *err)
{
    const pf_fold *f = &rc->folds->fold[t->fold];
    const pf_config *cfg = rc->cfg;
    t->tf = pf_transform_fit(rc->ds, f->train, f->n_train, cfg, err);
    if (!t->tf) return err->code;
    if (t->repeat == 0) pf_results_set_transform(rc->res, t->fold, t->tf);
    t->train = pf_split_alloc(rc->ds, f->train, f->n_train, t->tf, err);
    t->val = t->train ? pf_split_alloc(rc->ds, f->val, f->n_val, t->tf, err) : NULL;
    t->test = t->val ? pf_split_alloc(rc->ds, f->test, f->n_test, t->tf, err) : NULL;
    if (!t->test) return err->code;
    size_t d = rc->ds->n_features;
    size_t n_out = pf_dataset_n_outputs(rc->ds);
    t->dense = pf_mlp_alloc(d, cfg->hidden, cfg->n_hidden, n_out, cfg->activation, err);
    t->work_model = t->dense ? pf_mlp_clone(t->dense, err) : NULL;
    size_t rows = t->test->n > (size_t)cfg->batch_size ? t->test->n : (size_t)cfg->batch_size;
    t->work = t->work_model ? pf_mlp_work_alloc(t->dense, rows, err) : NULL;
    t->yhat = pf_calloc(rows * n_out, sizeof *t->yhat, err);
    t->mask = t->dense ? pf_calloc(t->dense->n_params, sizeof *t->mask, err) : NULL;
    return err->code;
}

static int run_task(const run_ctx *rc, size_t index, pf_error *err)
{
    task t = {0};
    size_t n_rep = (size_t)rc->cfg->repeats, per_task = 1 + rc->n_crit * rc->res->n_sp;
    t.fold = index / n_rep;
    t.repeat = index % n_rep;
    t.rec = rc->res->rec + index * per_task;
    if (task_setup(rc, &t, err) == PF_OK) {
        double t0 = now_seconds();
        pf_task_record *rec = record_for(&t, rc, -1, 0);
        init_model(rc, &t, t.dense);
        if (train_model(rc, &t, t.dense, rc->cfg->max_epochs, rec, err) == PF_OK) {
            model_cost(t.dense, rc->cfg->prune_biases, rec);
            keep_dense(rc, &t);
            rec->mean_ccc = evaluate_model(rc, &t, t.dense, -1, 0);
            rec->seconds = now_seconds() - t0;
            keep_for_latency(rc, &t, t.dense, -1, 0);
            prune_all(rc, &t, err);
        }
    }
    task_free(&t);
    return err->code;
}

/* ---- the parallel loop ---------------------------------------------------------------------- */

static void utc_now(char *buf, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Run tasks [0, n) on ro->threads threads; the first error (lowest task index) wins, so the
 * message does not depend on scheduling either. */
static int run_tasks(const run_ctx *rc, size_t n, const pf_run_opts *ro, pf_error *err)
{
    pf_error *errs = pf_calloc(n, sizeof *errs, err);
    if (!errs) return err->code;
    pf_progress pg;
    pf_progress_start(&pg, n, "tasks", ro->progress);
    int stop = 0;
    openblas_set_num_threads(1); /* BLAS single-threaded inside each task */
#pragma omp parallel for schedule(dynamic, 1) num_threads(ro->threads)
    for (size_t i = 0; i < n; i++) {
        int halt;
#pragma omp atomic read
        halt = stop;
        if (halt) continue;
        if (run_task(rc, i, &errs[i]) != PF_OK) {
#pragma omp atomic write
            stop = 1;
        }
#pragma omp critical(pf_progress)
        pf_progress_tick(&pg);
    }
    pf_progress_finish(&pg);
    for (size_t i = 0; i < n && err->code == PF_OK; i++)
        if (errs[i].code != PF_OK)
            pf_error_set(err, errs[i].code, "fold %zu, repeat %zu: %s",
                         i / (size_t)rc->cfg->repeats, i % (size_t)rc->cfg->repeats, errs[i].msg);
    free(errs);
    return err->code;
}

/* Room for what the latency measurement needs (see keep_for_latency). */
static int latency_alloc(run_ctx *rc, pf_error *err)
{
    const pf_config *cfg = rc->cfg;
    const pf_fold *f0 = &rc->folds->fold[0];
    for (size_t i = 0; i < f0->n_test; i++)
        rc->lat_n += pf_dataset_count(rc->ds, (size_t)f0->test[i]);
    rc->lat_model = pf_mlp_alloc(rc->ds->n_features, cfg->hidden, cfg->n_hidden,
                                 pf_dataset_n_outputs(rc->ds), cfg->activation, err);
    if (!rc->lat_model) return err->code;
    rc->lat_masks = pf_calloc(rc->n_crit * rc->res->n_sp * rc->lat_model->n_params, 1, err);
    rc->lat_x = pf_calloc(rc->lat_n * rc->ds->n_features, sizeof *rc->lat_x, err);
    return err->code;
}

static void latency_free(run_ctx *rc)
{
    pf_mlp_free(rc->lat_model);
    free(rc->lat_masks);
    free(rc->lat_x);
}

pf_results *pf_run(const pf_config *cfg, const pf_dataset *ds, const pf_folds *folds,
                   const pf_run_opts *ro, pf_error *err)
{
    run_ctx rc = {.cfg = cfg, .ds = ds, .folds = folds};
    rc.n_crit = pf_criteria_from_config(cfg, rc.crit, PF_MAX_LIST * 2);
    pf_train_opts_from_config(&rc.opts, cfg);
    if (!(rc.res = pf_results_alloc(cfg, ds, folds->n_folds, err))) return NULL;
    pf_results_set_folds(rc.res, folds);
    rc.res->threads = ro->threads;
    utc_now(rc.res->started, sizeof rc.res->started);
    double t0 = now_seconds();
    if (latency_alloc(&rc, err) == PF_OK &&
        run_tasks(&rc, folds->n_folds * (size_t)cfg->repeats, ro, err) == PF_OK) {
        rc.res->wall_seconds = now_seconds() - t0;
        utc_now(rc.res->finished, sizeof rc.res->finished);
        measure_latency(&rc, err);
    }
    latency_free(&rc);
    if (err->code != PF_OK) {
        pf_results_free(rc.res);
        return NULL;
    }
    return rc.res;
}
