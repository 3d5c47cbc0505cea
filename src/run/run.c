/* run.c: the study, one (fold, repeat) task at a time, tasks in parallel.
 *
 * A task fits its fold's transform (imputation, feature and target scaling) on the training
 * participants, trains the dense model on model-space targets, evaluates it (predictions mapped
 * back to the data's units, so every metric is in the units the target was recorded in),
 * then prunes it with every criterion, as the criterion's stage says (config/criterion.h):
 * after training in one round, one ranking serves the grid (mask, optional fine-tuning,
 * evaluation); at initialisation, the fresh network is scored (on one batch, if the criterion
 * needs rows), pruned and the sparse network trained, one training per sparsity; over several
 * rounds, the kept fraction shrinks geometrically with a new ranking each round. Every generator is
 * seeded from (master seed, fold, repeat, purpose), so a task's numbers do not depend on the thread
 * that ran it; each task writes only its own slots of pf_results, so no locks are needed, and files
 * are written afterwards by one thread. */
#include "run/run.h"

#include <gsl/gsl_randist.h>
#include <malloc.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/progress.h"
#include "base/seed.h"
#include "compress/prune.h"
#include "compress/qmodel.h"
#include "compress/cluster.h"
#include "compress/quant.h"
#include "eval/cost.h"
#include "eval/metric.h"
#include "folds/split.h"
#include "model/kernel.h"
#include "model/loss.h"
#include "model/mlp.h"
#include "model/train.h"
#include "results/checkpoint.h"
#include "results/predictions.h"
#include "results/results.h"
#include "run/hold.h"

/* From OpenBLAS; declared here because its cblas.h and GSL's gsl_cblas.h (pulled in by
 * gsl_randist.h) define the same enums and cannot both be included. */
void openblas_set_num_threads(int num_threads);

/* What every task reads (shared, read-only) and where it writes (disjoint slots). */
typedef struct {
    const pf_config *cfg;
    const pf_dataset *ds;
    const pf_folds *folds;
    pf_criterion_use crit[PF_MAX_LIST * 2];
    size_t n_crit;
    const int *window_group; /* the groups of the run's grouping per window, or NULL */
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
    pf_transform *tf;      /* fitted on the fold's training participants */
    double *class_weights; /* from the training split (train.class_weights), or NULL */
    pf_split *train, *val, *test;
    pf_mlp *dense, *work_model;
    pf_mlp *quant_model;   /* a quantised copy of the model being evaluated */
    pf_mlp *cluster_model; /* a clustered copy of it (compress.clusters) */
    pf_cluster *cl;        /* that copy's clustering, and its float32 codebook kept aside */
    float *codebook;       /* [layer][k]: the centroids before quantisation changes them */
    pf_mlp_work *work;
    pf_prune_scratch *scratch; /* what its rankings reuse: its thread's (prune.h) */
    float *yhat;               /* the model's float32 outputs of the test rows */
    double *pred;              /* the same as doubles: predictions in the data's units, or logits */
    float *mask;               /* n_params scratch for pf_prune_mask */
    /* train.output_weighting other than equal, else NULL: the outputs' log-variances (n_out). */
    double *log_var_start; /* what a training from scratch starts from */
    double *log_var;       /* the dense training's learned ones: the task's */
} task;

void pf_run_opts_init(pf_run_opts *ro, const pf_config *cfg, const char *out_dir, int progress)
{
    memset(ro, 0, sizeof *ro);
    ro->threads = pf_config_threads(cfg);
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

/* The model's outputs of the test rows as doubles in t->pred: a regression's float32 outputs
 * mapped back from model space to the data's units in double (transform.h), or a
 * classification's logits, converted exactly. No prediction is rounded to float32 after the
 * model made it, so no metric depends on the unit a target was recorded in. */
static void predict(const pf_results *r, task *t, const pf_mlp *m)
{
    const pf_split *te = t->test;
    size_t n_out = r->metrics->n_model_out;
    pf_mlp_forward(m, t->work, te->x, te->n, t->yhat);
    if (r->metrics->shape->labels)
        for (size_t i = 0; i < te->n * n_out; i++) t->pred[i] = (double)t->yhat[i];
    else
        pf_transform_target_inverse(t->tf, t->yhat, t->pred, te->n);
}

/* Every metric of every test participant into the slots of variant v: the model's outputs
 * (regression predictions mapped back from model space to the data's units, or class logits)
 * against the targets as recorded, all in double. Returns the mean of the primary metric over
 * the test participants, for the task record. */
static double evaluate_model(const run_ctx *rc, task *t, const pf_mlp *m, size_t v, pf_error *err)
{
    pf_results *r = rc->res;
    const pf_split *te = t->test;
    size_t n_out = r->metrics->n_model_out, M = r->n_metric;
    double values[PF_MAX_LIST * 8], sum = 0;
    predict(r, t, m);
    for (size_t i = 0; i < te->n_parts; i++) {
        size_t p = (size_t)te->part[i], lo = te->off[i], n = te->off[i + 1] - lo;
        if (pf_metric_set_eval(r->metrics, t->pred + lo * n_out, te->y_data + lo * te->t, n, values,
                               err) != PF_OK)
            return NAN;
        for (size_t k = 0; k < M; k++) r->value[pf_results_at(r, k, v, p, t->repeat)] = values[k];
        pf_predictions_store(r, v, t->repeat, p, t->pred + lo * n_out);
        sum += values[r->primary];
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
    rec->stored_bytes = pf_quant_bytes(m, 32, PF_GRAN_CHANNEL);
    rec->macs = c.macs;
}

/* Latency is a property of a model's shape and sparsity, not of the fold, and timing while
 * other tasks run would measure them too: task (fold 0, repeat 0) only keeps a copy of its
 * models' structure here (the dense model and its test rows, and every variant's mask), and
 * pf_run times them once the parallel part is over. */
static void keep_for_latency(const run_ctx *rc, const task *t, const pf_mlp *m, size_t v)
{
    if (t->fold != 0 || t->repeat != 0) return;
    if (v == PF_DENSE) {
        pf_mlp_copy(rc->lat_model, m);
        memcpy(rc->lat_x, t->test->x, t->test->n * t->test->d * sizeof *rc->lat_x);
    }
    unsigned char *dst = rc->lat_masks + v * m->n_params;
    for (size_t j = 0; j < m->n_params; j++) dst[j] = m->mask[j] != 0.0f;
}

/* The integer path's time per window for model m at the given width (quant.h). */
static double integer_time_ns(const run_ctx *rc, const pf_mlp *m, int bits, pf_error *err)
{
    pf_qmodel *q =
        pf_qmodel_alloc(m, bits, rc->cfg->granularity, rc->cfg->rounding, PF_QLAYOUT_AUTO, err);
    double ns = q ? pf_cost_time_qmodel(q, rc->lat_x, rc->lat_n, err) : NAN;
    pf_qmodel_free(q);
    return ns;
}

/* Single-window latency of every variant on fold 0's test rows: the dense kernel for the
 * dense model, CSR for the pruned ones, and the integer path (int8 weights, inputs quantised
 * on the fly, int32 sums) for every width below 32 bits; a clustered model takes the time of
 * the unclustered one of its mask and width (no kernel decodes a codebook). A pruned model is timed
 * as the dense weights under its mask: the time of a product depends on which weights are kept, not
 * on their values. */
static int measure_latency(run_ctx *rc, pf_error *err)
{
    pf_results *r = rc->res;
    pf_mlp *m = pf_mlp_clone(rc->lat_model, err);
    if (!m) return err->code;
    r->ns_per_window[PF_DENSE] = pf_cost_time_ns(rc->lat_model, rc->lat_x, rc->lat_n, 0, err);
    for (size_t v = 1; v < r->n_var && err->code == PF_OK; v++) {
        const pf_variant *x = &r->variant[v];
        if (x->clusters) { /* timed as the unclustered model of its mask and width, done above */
            r->ns_per_window[v] =
                r->ns_per_window[pf_results_variant_at(r, x->crit, x->sp, x->chain % r->n_bits)];
            continue;
        }
        pf_mlp_copy(m, rc->lat_model);
        const unsigned char *mk = rc->lat_masks + pf_results_float_variant(r, v) * m->n_params;
        for (size_t j = 0; j < m->n_params; j++) m->mask[j] = mk[j];
        pf_mlp_apply_mask(m);
        int bits = r->variant[v].bits;
        r->ns_per_window[v] = bits < 32 ? integer_time_ns(rc, m, bits, err)
                                        : pf_cost_time_ns(m, rc->lat_x, rc->lat_n, 1, err);
    }
    pf_mlp_free(m);
    return err->code;
}

static pf_task_record *record_for(task *t, const run_ctx *rc, size_t v)
{
    pf_task_record *rec = pf_results_record(rc->res, t->fold, t->repeat, v);
    rec->fold = (int)t->fold;
    rec->repeat = (int)t->repeat;
    rec->variant = (int)v;
    rec->epochs = 0;
    rec->val_loss = NAN;
    return rec;
}

/* A diverged training is a result, not a failure of the run: the model it would have made,
 * and the same model through every chain from chain first on, are marked and keep NaN values
 * ("not run"); every other model of the task and of the run goes on. */
static void mark_chains_diverged(const run_ctx *rc, const task *t, size_t v, size_t first)
{
    pf_results *r = rc->res;
    const pf_variant *x = &r->variant[v];
    for (size_t w = first; w < r->n_chain; w++) {
        size_t vw = pf_results_variant_at(r, x->crit, x->sp, w);
        pf_task_record *rec = pf_results_record(r, t->fold, t->repeat, vw);
        rec->fold = (int)t->fold, rec->repeat = (int)t->repeat, rec->variant = (int)vw;
        rec->diverged = 1;
        rec->primary_mean = NAN;
    }
}

static void mark_diverged(const run_ctx *rc, const task *t, size_t v)
{
    mark_chains_diverged(rc, t, v, 0);
}

/* After a training of variant v failed with err: a divergence is marked and cleared (PF_OK);
 * any other error's code is returned. */
static int absorb_divergence(const run_ctx *rc, const task *t, size_t v, pf_error *err)
{
    if (err->code != PF_EDIVERGED) return err->code;
    mark_diverged(rc, t, v);
    pf_error_clear(err);
    return PF_OK;
}

/* ---- training ----------------------------------------------------------------------------- */

/* Train m for epochs. With a weighting of the outputs, the log-variances start from start
 * (n_out) and the learned ones go to learned, unless it is NULL (they are then dropped). */
static int train_model(const run_ctx *rc, task *t, pf_mlp *m, int epochs, const double *start,
                       double *learned, pf_task_record *rec, pf_error *err)
{
    pf_train_opts o = rc->opts;
    pf_train_report rep;
    double s[PF_MAX_LIST];
    size_t K = pf_mlp_n_out(m);
    o.max_epochs = epochs;
    o.class_weights = t->class_weights;
    if (start != NULL && K <= PF_MAX_LIST) {
        memcpy(s, start, K * sizeof *s);
        o.log_var = s;
    }
    gsl_rng *rng = pf_seed_rng(rc->cfg->seed, t->fold, t->repeat, PF_SEED_SHUFFLE);
    if (!rng) return pf_error_set(err, PF_ERUNTIME, "out of memory (random generator)");
    int rcode = pf_train(m, &o, t->train, t->val, rng, &rep, err);
    gsl_rng_free(rng);
    if (rcode == PF_OK && rec) rec->epochs = rep.epochs_run, rec->val_loss = rep.best_val_loss;
    if (rcode == PF_OK && learned != NULL && o.log_var != NULL)
        memcpy(learned, s, K * sizeof *learned);
    return rcode;
}

/* A fresh network with the task's initial weights (the same for the dense model and for
 * every model pruned at initialisation, so they differ only by their masks). */
static void init_model(const run_ctx *rc, const task *t, pf_mlp *m)
{
    gsl_rng *rng = pf_seed_rng(rc->cfg->seed, t->fold, t->repeat, PF_SEED_INIT);
    pf_mlp_init(m, rc->cfg->init, rng);
    gsl_rng_free(rng);
}

/* ---- pruning variants ---------------------------------------------------------------------- */

/* A criterion's ranking of m. The loss it differentiates weighs the outputs with log_var held
 * fixed: the task's learned ones for a trained model, the initial ones for a fresh one. */
static int rank_model(const run_ctx *rc, const task *t, const pf_criterion_use *c, const pf_mlp *m,
                      const pf_split *data, const double *log_var, pf_ranking *rk, pf_error *err)
{
    gsl_rng *rng = pf_seed_rng(rc->cfg->seed, t->fold, t->repeat, PF_SEED_PRUNE_RANDOM);
    pf_prune_ctx ctx = {.cfg = rc->cfg,
                        .model = m,
                        .data = data,
                        .loss = rc->opts.loss,
                        .rng = rng,
                        .class_weights = t->class_weights,
                        .weighting = rc->opts.weighting,
                        .log_var = log_var,
                        .scratch = t->scratch};
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

/* The evaluated model of variant v: its mask, and its weights when it was trained after
 * pruning (then it is not dense x mask). */
static void keep_model(const run_ctx *rc, const task *t, size_t v, const pf_mlp *m)
{
    pf_results *r = rc->res;
    size_t at = (task_index(rc, t) * r->n_var + v) * r->n_params;
    if (r->masks)
        for (size_t j = 0; j < r->n_params; j++) r->masks[at + j] = m->mask[j] != 0.0f;
    if (r->variant_params) memcpy(r->variant_params + at, m->params, r->n_params * sizeof(float));
}

static void keep_scores(const run_ctx *rc, const task *t, size_t c, const pf_ranking *rk)
{
    pf_results *r = rc->res;
    if (!r->scores) return;
    float *dst = r->scores + (task_index(rc, t) * r->n_crit + 1 + c) * r->n_params;
    for (size_t j = 0; j < r->n_params; j++) dst[j] = (float)rk->score[j];
}

/* The quantised model of variant vq (a chain below 32 bits) as integers: q and the row scales
 * into the results' slots of the k-th quantised variant (NULL: not kept), and the biases of the
 * model q evaluated, which quantisation left as they were. */
static int8_t *quant_slot(const run_ctx *rc, const task *t, size_t vq, float **scale)
{
    pf_results *r = rc->res;
    long k = pf_results_quant_index(r, vq);
    if (!r->quant_q || k < 0) return NULL;
    size_t at = task_index(rc, t) * pf_results_n_quant(r) + (size_t)k;
    *scale = r->quant_scale + at * r->n_units;
    return r->quant_q + at * r->n_params;
}

static void keep_quant_bias(const run_ctx *rc, const task *t, size_t vq, const pf_mlp *q)
{
    pf_results *r = rc->res;
    long k = pf_results_quant_index(r, vq);
    if (!r->quant_q || k < 0) return;
    float *bias =
        r->quant_bias + (task_index(rc, t) * pf_results_n_quant(r) + (size_t)k) * r->n_units;
    for (size_t l = 0, u = 0; l < q->n_layers; u += q->dims[l + 1], l++)
        memcpy(bias + u, q->params + q->b_off[l], q->dims[l + 1] * sizeof *bias);
}

/* The trained dense model's weights (output.save_models) and its learned log-variances. */
static void keep_dense(const run_ctx *rc, const task *t)
{
    pf_results *r = rc->res;
    if (r->dense_params)
        memcpy(r->dense_params + task_index(rc, t) * r->n_params, t->dense->params,
               r->n_params * sizeof *r->dense_params);
    if (r->output_log_var && t->log_var)
        memcpy(r->output_log_var + task_index(rc, t) * r->n_targets, t->log_var,
               r->n_targets * sizeof *r->output_log_var);
}

/* Evaluate model q as variant vq: its record (the float32 model's, with its own stored size
 * and time), the model kept, its test values. */
static int evaluate_compressed(const run_ctx *rc, task *t, const pf_mlp *q, size_t vq,
                               const pf_task_record *frec, long long bytes, double t0,
                               pf_error *err)
{
    pf_task_record *rec = pf_results_record(rc->res, t->fold, t->repeat, vq);
    *rec = *frec;
    rec->variant = (int)vq;
    rec->stored_bytes = bytes;
    keep_model(rc, t, vq, q);
    keep_quant_bias(rc, t, vq, q);
    rec->primary_mean = evaluate_model(rc, t, q, vq, err);
    rec->seconds = now_seconds() - t0;
    return err->code;
}

/* The float32 model m quantised to every width of the study below 32 bits (chains 1.. of the
 * unclustered block: quant.h). */
static int evaluate_widths(const run_ctx *rc, task *t, const pf_mlp *m, size_t v,
                           const pf_task_record *frec, pf_error *err)
{
    pf_results *r = rc->res;
    const pf_variant *x = &r->variant[v];
    for (size_t w = 1; w < r->n_bits && err->code == PF_OK; w++) {
        double t0 = now_seconds();
        size_t vq = pf_results_variant_at(r, x->crit, x->sp, w);
        float *scale = NULL;
        int8_t *q = quant_slot(rc, t, vq, &scale);
        pf_mlp_copy(t->quant_model, m);
        if (pf_quant_apply(t->quant_model, r->bits[w], rc->cfg->granularity, rc->cfg->rounding,
                           err) != PF_OK)
            break;
        if (q) pf_quant_integers(m, r->bits[w], rc->cfg->granularity, rc->cfg->rounding, q, scale);
        evaluate_compressed(rc, t, t->quant_model, vq, frec,
                            pf_quant_bytes(m, r->bits[w], rc->cfg->granularity), t0, err);
    }
    return err->code;
}

/* Cluster a copy of m to k centroids per layer (and fine-tune the centroids when the config
 * asks): t->cluster_model and t->cl. PF_EDIVERGED when the fine-tuning diverged. */
static int cluster_copy(const run_ctx *rc, task *t, const pf_mlp *m, int k, pf_error *err)
{
    const pf_config *cfg = rc->cfg;
    pf_cluster_free(t->cl);
    t->cl = pf_cluster_alloc(m, k, err);
    if (!t->cl) return err->code;
    pf_mlp_copy(t->cluster_model, m);
    gsl_rng *rng = pf_seed_rng(cfg->seed, t->fold, t->repeat, PF_SEED_CLUSTER_INIT);
    if (!rng) return pf_error_set(err, PF_ERUNTIME, "out of memory (random generator)");
    pf_cluster_apply(t->cluster_model, k, cfg->cluster_init, cfg->cluster_max_iter, rng, t->cl,
                     err);
    gsl_rng_free(rng);
    if (err->code == PF_OK && cfg->cluster_finetune_epochs > 0) {
        pf_train_opts o = rc->opts;
        o.max_epochs = cfg->cluster_finetune_epochs;
        o.class_weights = t->class_weights;
        gsl_rng *sh = pf_seed_rng(cfg->seed, t->fold, t->repeat, PF_SEED_SHUFFLE);
        if (!sh) return pf_error_set(err, PF_ERUNTIME, "out of memory (random generator)");
        pf_cluster_finetune(t->cluster_model, t->cl, &o, t->train, t->val, sh, NULL, err);
        gsl_rng_free(sh);
    }
    return err->code;
}

/* The clustered model's float32 codebook, set aside before quantisation rewrites it, and put
 * back for the next width. */
static void codebook_keep(task *t, int back)
{
    for (size_t l = 0; l < t->cl->n_layers; l++) {
        float *c = t->cl->layer[l].centroid, *keep = t->codebook + l * PF_CLUSTER_MAX_K;
        size_t n = (size_t)t->cl->layer[l].k * sizeof *c;
        back ? memcpy(c, keep, n) : memcpy(keep, c, n);
    }
}

/* The float32 model m of variant v through every further chain of the study (docs/compression.md):
 * quantised alone at every width, then for each centroid count clustered (a copy), evaluated
 * with float32 centroids and with its centroids quantised to every width (cluster.h). Every
 * chain's model is evaluated on the same test rows into the slots of its own variant; all
 * training came before, so each record repeats the float model's (kept weights, epochs, ...)
 * with its own stored size and time. A diverged fine-tuning of the centroids marks that
 * count's chains, not the others. */
static int evaluate_chains(const run_ctx *rc, task *t, const pf_mlp *m, size_t v,
                           const pf_task_record *frec, pf_error *err)
{
    pf_results *r = rc->res;
    const pf_variant *x = &r->variant[v];
    if (evaluate_widths(rc, t, m, v, frec, err) != PF_OK) return err->code;
    for (size_t k = 1; k < r->n_clusters && err->code == PF_OK; k++) {
        double t0 = now_seconds();
        size_t first = k * r->n_bits;
        if (cluster_copy(rc, t, m, r->clusters[k], err) != PF_OK) {
            if (err->code != PF_EDIVERGED) break;
            mark_chains_diverged(rc, t, v, first);
            pf_error_clear(err);
            continue;
        }
        codebook_keep(t, 0);
        double cluster_time = now_seconds() - t0;
        for (size_t w = 0; w < r->n_bits && err->code == PF_OK; w++) {
            double t1 = now_seconds() - cluster_time; /* each record carries the clustering */
            size_t vq = pf_results_variant_at(r, x->crit, x->sp, first + w);
            const pf_mlp *q = t->cluster_model;
            if (r->bits[w] != 32) {
                float *scale = NULL;
                int8_t *ints = quant_slot(rc, t, vq, &scale);
                codebook_keep(t, 1);
                pf_mlp_copy(t->quant_model, t->cluster_model);
                if (pf_cluster_quantise(t->quant_model, t->cl, r->bits[w], rc->cfg->rounding, ints,
                                        scale, err) != PF_OK)
                    break;
                q = t->quant_model;
            }
            evaluate_compressed(rc, t, q, vq, frec, pf_cluster_bytes(m, t->cl, r->bits[w]), t1,
                                err);
            pf_task_record *rec = pf_results_record(r, t->fold, t->repeat, vq);
            for (size_t l = 0; l < t->cl->n_layers; l++) {
                const pf_cluster_layer *cl = &t->cl->layer[l];
                if (cl->iterations > rec->cluster_iterations)
                    rec->cluster_iterations = cl->iterations;
                rec->cluster_capped |= cl->cap_reached;
            }
        }
    }
    return err->code;
}

/* A float32 model ready for measurement (trained, pruned, fine-tuned): keep it, evaluate it
 * into variant v's slots, leave its structure for timing, then the same at every width. */
static int evaluate_variant(const run_ctx *rc, task *t, const pf_mlp *m, size_t v,
                            pf_task_record *rec, double t0, pf_error *err)
{
    keep_model(rc, t, v, m);
    rec->primary_mean = evaluate_model(rc, t, m, v, err);
    rec->seconds = now_seconds() - t0;
    keep_for_latency(rc, t, m, v);
    return err->code == PF_OK ? evaluate_chains(rc, t, m, v, rec, err) : err->code;
}

/* Finish a pruned model: fine-tuning (only when something was pruned: at sparsity 0 the
 * "pruned" model is the dense one, and must stay it), cost, evaluation, timing. Fine-tuning
 * goes on from the dense training's log-variances, as from its weights. */
static int finish_model(const run_ctx *rc, task *t, pf_mlp *m, size_t v, pf_task_record *rec,
                        double t0, pf_error *err)
{
    model_cost(m, rc->cfg->prune_biases, rec);
    if (rc->cfg->finetune_epochs > 0 && rec->kept_params < rec->prunable_params &&
        train_model(rc, t, m, rc->cfg->finetune_epochs, t->log_var, NULL, rec, err) != PF_OK)
        return absorb_divergence(rc, t, v, err);
    return evaluate_variant(rc, t, m, v, rec, t0, err);
}

/* The results variant of pruning criterion c (0-based among the run's criteria) at s. */
static size_t variant_of(const run_ctx *rc, size_t c, size_t s)
{
    return pf_results_variant(rc->res, c + 1, s);
}

/* The common case: one ranking of the trained dense model serves the whole grid. */
static int prune_one_shot(const run_ctx *rc, task *t, size_t c, pf_error *err)
{
    pf_ranking rk = {0};
    double t0 = now_seconds();
    if (rank_model(rc, t, &rc->crit[c], t->dense, t->train, t->log_var, &rk, err) != PF_OK)
        return err->code;
    double rank_time = now_seconds() - t0;
    keep_scores(rc, t, c, &rk);
    for (size_t s = 0; s < rc->res->n_sp && err->code == PF_OK; s++) {
        double t1 = now_seconds() - rank_time; /* each record carries the ranking's cost */
        pf_task_record *rec = record_for(t, rc, variant_of(rc, c, s));
        pf_mlp_copy(t->work_model, t->dense);
        apply_mask(t, t->work_model, &rk, rc->res->sparsity[s], rc->cfg);
        finish_model(rc, t, t->work_model, variant_of(rc, c, s), rec, t1, err);
    }
    pf_prune_ranking_free(&rk);
    return err->code;
}

/* One mini-batch of training rows drawn without replacement (seeded per fold and repeat),
 * as a one-participant split: what a criterion needing rows scores on at initialisation. */
static pf_split *score_batch(const run_ctx *rc, const task *t, pf_error *err)
{
    const pf_split *tr = t->train;
    size_t n = (size_t)rc->cfg->batch_size < tr->n ? (size_t)rc->cfg->batch_size : tr->n;
    pf_split *b = pf_alloc(1, sizeof *b, err);
    size_t *rows = pf_alloc(n, sizeof *rows, err), *all = pf_alloc(tr->n, sizeof *all, err);
    if (b) {
        b->x = pf_alloc(n * tr->d, sizeof *b->x, err);
        b->y = pf_alloc(n * tr->t, sizeof *b->y, err);
        b->y_data = pf_alloc(n * tr->t, sizeof *b->y_data, err);
        b->part = pf_alloc(1, sizeof *b->part, err);
        b->off = pf_alloc(2, sizeof *b->off, err);
    }
    if (err->code != PF_OK) {
        free(rows), free(all);
        pf_split_free(b);
        return NULL;
    }
    for (size_t i = 0; i < tr->n; i++) all[i] = i;
    gsl_rng *rng = pf_seed_rng(rc->cfg->seed, t->fold, t->repeat, PF_SEED_SCORE_BATCH);
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

/* The kept fraction of round k of rounds for sparsity s: shrinking geometrically from 1 to
 * 1 - s, the last round exactly s. */
static double round_sparsity(double s, int k, int rounds)
{
    return k == rounds ? s : 1.0 - pow(1.0 - s, (double)k / rounds);
}

/* Prune m to sparsity sp over the criterion's rounds, ranking it again each round on data;
 * fine-tuning between rounds when the model was trained (finetune_epochs). With keep, the
 * last round's scores are kept for output.save_scores. The rankings weigh the outputs with the
 * task's learned log-variances when the model was trained, the initial ones otherwise. */
static int prune_rounds(const run_ctx *rc, task *t, size_t c, pf_mlp *m, const pf_split *data,
                        double sp, int rounds, int finetune, int keep, pf_task_record *rec,
                        pf_error *err)
{
    const double *log_var = finetune ? t->log_var : t->log_var_start;
    for (int k = 1; sp > 0 && k <= rounds && err->code == PF_OK; k++) {
        pf_ranking rk = {0};
        if (rank_model(rc, t, &rc->crit[c], m, data, log_var, &rk, err) != PF_OK) break;
        apply_mask(t, m, &rk, round_sparsity(sp, k, rounds), rc->cfg);
        if (k == rounds && keep) keep_scores(rc, t, c, &rk);
        pf_prune_ranking_free(&rk);
        if (k < rounds && finetune && rc->cfg->finetune_epochs > 0 &&
            train_model(rc, t, m, rc->cfg->finetune_epochs, t->log_var, NULL, rec, err) != PF_OK)
            break;
    }
    return err->code;
}

/* A criterion that scores at initialisation (SNIP at init: Lee et al., 2019; SynFlow): score
 * the fresh network (on one training batch, if it needs rows), prune it, then train the
 * sparse network from those initial weights. In one round, one ranking serves the grid. */
static int prune_at_init(const run_ctx *rc, task *t, size_t c, int rounds, pf_error *err)
{
    pf_split *batch = NULL;
    if ((rc->crit[c].row->needs & PF_CRITERION_ROWS) && !(batch = score_batch(rc, t, err)))
        return err->code;
    pf_mlp *fresh = t->work_model;
    pf_ranking rk = {0};
    if (rounds == 1) {
        init_model(rc, t, fresh);
        if (rank_model(rc, t, &rc->crit[c], fresh, batch, t->log_var_start, &rk, err) == PF_OK)
            keep_scores(rc, t, c, &rk);
    }
    for (size_t s = 0; s < rc->res->n_sp && err->code == PF_OK; s++) {
        double t0 = now_seconds(), sp = rc->res->sparsity[s];
        size_t v = variant_of(rc, c, s);
        pf_task_record *rec = record_for(t, rc, v);
        init_model(rc, t, fresh);
        if (rounds == 1)
            apply_mask(t, fresh, &rk, sp, rc->cfg);
        else if (prune_rounds(rc, t, c, fresh, batch, sp, rounds, 0, s == rc->res->n_sp - 1, rec,
                              err) != PF_OK)
            break;
        if (train_model(rc, t, fresh, rc->cfg->max_epochs, t->log_var_start, NULL, rec, err) !=
            PF_OK) {
            if (absorb_divergence(rc, t, v, err) != PF_OK) break;
            continue;
        }
        model_cost(fresh, rc->cfg->prune_biases, rec);
        evaluate_variant(rc, t, fresh, v, rec, t0, err);
    }
    pf_prune_ranking_free(&rk);
    pf_split_free(batch);
    return err->code;
}

/* A criterion that prunes the trained model over several rounds (iterative FairGRAPE): for
 * each sparsity, the kept fraction shrinks geometrically from 1 to 1 - s, importance is
 * recomputed on the current (pruned, optionally fine-tuned) model each round; already-pruned
 * weights rank last, so masks only ever shrink. Sparsity 0 is the dense model, untouched. */
static int prune_iterative(const run_ctx *rc, task *t, size_t c, int rounds, pf_error *err)
{
    for (size_t s = 0; s < rc->res->n_sp && err->code == PF_OK; s++) {
        double t0 = now_seconds(), sp = rc->res->sparsity[s];
        pf_task_record *rec = record_for(t, rc, variant_of(rc, c, s));
        pf_mlp *m = t->work_model;
        pf_mlp_copy(m, t->dense);
        prune_rounds(rc, t, c, m, t->train, sp, rounds, 1, s == rc->res->n_sp - 1, rec, err);
        if (err->code == PF_EDIVERGED)
            absorb_divergence(rc, t, variant_of(rc, c, s), err);
        else if (err->code == PF_OK)
            finish_model(rc, t, m, variant_of(rc, c, s), rec, t0, err);
    }
    return err->code;
}

static int prune_all(const run_ctx *rc, task *t, pf_error *err)
{
    for (size_t c = 0; c < rc->n_crit && err->code == PF_OK; c++) {
        pf_criterion_stage st = pf_criterion_stage_of(rc->cfg, rc->crit[c].row);
        if (st.at_init)
            prune_at_init(rc, t, c, st.rounds, err);
        else if (st.rounds > 1)
            prune_iterative(rc, t, c, st.rounds, err);
        else
            prune_one_shot(rc, t, c, err);
    }
    return err->code;
}

/* ---- one task ------------------------------------------------------------------------------ */

static void task_free(task *t)
{
    pf_transform_free(t->tf);
    free(t->class_weights);
    pf_split_free(t->train), pf_split_free(t->val), pf_split_free(t->test);
    pf_mlp_free(t->dense), pf_mlp_free(t->work_model), pf_mlp_free(t->quant_model);
    pf_mlp_free(t->cluster_model), pf_cluster_free(t->cl), free(t->codebook);
    pf_mlp_work_free(t->work);
    free(t->yhat);
    free(t->pred);
    free(t->mask);
    free(t->log_var_start), free(t->log_var);
}

/* The fold's transform (fitted on its training participants only), its transformed splits,
 * and the models. Every repeat of a fold fits the same transform; repeat 0 records it. train
 * and val are the fold's lists (pf_folds_lists). */
static int task_setup_from(const run_ctx *rc, task *t, const int *train, const int *val,
                           pf_error *err)
{
    const pf_fold *f = &rc->folds->fold[t->fold];
    const pf_config *cfg = rc->cfg;
    t->tf = pf_transform_fit(rc->ds, train, f->n_train, cfg, err);
    if (!t->tf) return err->code;
    if (t->repeat == 0) pf_results_set_transform(rc->res, t->fold, t->tf);
    t->train = pf_split_alloc(rc->ds, train, f->n_train, t->tf, rc->window_group, err);
    t->val = t->train ? pf_split_alloc(rc->ds, val, f->n_val, t->tf, NULL, err) : NULL;
    t->test = t->val ? pf_split_alloc(rc->ds, f->test, f->n_test, t->tf, NULL, err) : NULL;
    if (!t->test) return err->code;
    size_t d = rc->ds->n_features;
    size_t n_out = pf_dataset_n_outputs(rc->ds);
    t->dense = pf_mlp_alloc(d, cfg->hidden, cfg->n_hidden, n_out, cfg->activation, err);
    t->work_model = t->dense ? pf_mlp_clone(t->dense, err) : NULL;
    t->quant_model = t->dense ? pf_mlp_clone(t->dense, err) : NULL;
    if (pf_results_clustered(rc->res) && t->dense) {
        t->cluster_model = pf_mlp_clone(t->dense, err);
        t->codebook = pf_alloc(t->dense->n_layers * PF_CLUSTER_MAX_K, sizeof *t->codebook, err);
    }
    size_t rows = t->test->n > (size_t)cfg->batch_size ? t->test->n : (size_t)cfg->batch_size;
    t->work = t->work_model ? pf_mlp_work_alloc(t->dense, rows, err) : NULL;
    t->yhat = pf_alloc(rows * n_out, sizeof *t->yhat, err);
    t->pred = pf_alloc(t->test->n * n_out, sizeof *t->pred, err);
    /* Class weights come from this fold's training split (folds differ, so they are the
     * task's, not the run's); NULL (all 1) for a regression or train.class_weights = none. */
    if (pf_dataset_shape(rc->ds)->weighs_classes && cfg->class_weights != PF_CLASS_WEIGHTS_NONE &&
        (t->class_weights = pf_alloc(n_out, sizeof *t->class_weights, err)) != NULL)
        pf_loss_class_weights(t->train, n_out, cfg->class_weights, t->class_weights);
    t->mask = t->dense ? pf_alloc(t->dense->n_params, sizeof *t->mask, err) : NULL;
    /* The outputs' log-variances: every training from scratch starts from the weighting's
     * initial values; the dense training's learned ones are the task's. */
    if (cfg->output_weighting != PF_WEIGHTING_EQUAL && err->code == PF_OK &&
        (t->log_var_start = pf_alloc(n_out, sizeof *t->log_var_start, err)) != NULL &&
        (t->log_var = pf_alloc(n_out, sizeof *t->log_var, err)) != NULL) {
        pf_loss_weighting_init(cfg->output_weighting, n_out, t->log_var_start);
        memcpy(t->log_var, t->log_var_start, n_out * sizeof *t->log_var);
    }
    return err->code;
}

/* The fold's training and validation lists exist only while its splits are made: folds
 * keep no such lists (folds.h), which would be quadratic in participants under lopo. */
static int task_setup(const run_ctx *rc, task *t, pf_error *err)
{
    const pf_fold *f = &rc->folds->fold[t->fold];
    int *train = pf_alloc(f->n_train, sizeof *train, err);
    int *val = pf_alloc(f->n_val, sizeof *val, err);
    if (train && val && pf_folds_lists(rc->folds, t->fold, train, val, err) == PF_OK)
        task_setup_from(rc, t, train, val, err);
    free(train), free(val);
    return err->code;
}

/* Checkpoint a finished task; task 0 also carries its model structures for timing. */
static int save_task(const run_ctx *rc, const pf_run_opts *ro, size_t index, pf_error *err)
{
    if (!ro->checkpoint_dir) return PF_OK;
    unsigned char *blob;
    size_t len;
    int with = index == 0;
    if (pf_checkpoint_pack(rc->res, rc->folds, rc->cfg, index, with ? rc->lat_model->params : NULL,
                           with ? rc->lat_masks : NULL, &blob, &len, err) != PF_OK)
        return err->code;
    pf_checkpoint_save(ro->checkpoint_dir, index, blob, len, err);
    free(blob);
    return err->code;
}

static int stopped(const pf_run_opts *ro)
{
    return ro->stop && *ro->stop;
}

static int run_task(const run_ctx *rc, size_t index, pf_prune_scratch *scratch, pf_error *err)
{
    task t = {.scratch = scratch};
    size_t n_rep = (size_t)rc->cfg->repeats;
    t.fold = index / n_rep;
    t.repeat = index % n_rep;
    if (task_setup(rc, &t, err) == PF_OK) {
        double t0 = now_seconds();
        pf_task_record *rec = record_for(&t, rc, PF_DENSE);
        init_model(rc, &t, t.dense);
        if (train_model(rc, &t, t.dense, rc->cfg->max_epochs, t.log_var_start, t.log_var, rec,
                        err) == PF_OK) {
            model_cost(t.dense, rc->cfg->prune_biases, rec);
            keep_dense(rc, &t);
            if (evaluate_variant(rc, &t, t.dense, PF_DENSE, rec, t0, err) == PF_OK)
                prune_all(rc, &t, err);
        } else if (err->code == PF_EDIVERGED) {
            /* Without a dense model there is nothing to prune: every model of the task. */
            for (size_t v = 0; v < pf_results_block(rc->res); v++) mark_diverged(rc, &t, v);
            pf_error_clear(err);
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

/* Load the checkpoints of the tasks to run; done[i] = 1 for each one found. Task 0's model
 * structures come back for timing. A checkpoint that is corrupted or of another study is an
 * error naming the file: silently recomputing would hide a disk or a config mix-up. */
static int resume(run_ctx *rc, const pf_run_opts *ro, const size_t *list, size_t n,
                  unsigned char *done, pf_error *err)
{
    if (ro->checkpoint_dir) pf_checkpoint_clean(ro->checkpoint_dir, list, n);
    for (size_t i = 0; i < n && ro->checkpoint_dir; i++) {
        unsigned char *blob, *masks = NULL;
        float *dense = NULL;
        size_t len, task;
        if (pf_checkpoint_read(ro->checkpoint_dir, list[i], &blob, &len, err) != PF_OK)
            return err->code;
        if (blob == NULL) continue;
        pf_error why = {0};
        int rc_code = pf_checkpoint_unpack(rc->res, rc->folds, rc->cfg, blob, len, &task, &dense,
                                           &masks, &why);
        free(blob);
        if (rc_code != PF_OK || task != list[i]) {
            free(dense), free(masks);
            return pf_error_set(err, PF_EINPUT,
                                "checkpoint %s/task-%06zu.bin: %s; delete it (the task is then "
                                "run again) or use another --out folder",
                                ro->checkpoint_dir, list[i],
                                rc_code != PF_OK ? why.msg : "it holds another task");
        }
        if (task == 0 && dense && masks) {
            memcpy(rc->lat_model->params, dense, rc->lat_model->n_params * sizeof(float));
            memcpy(rc->lat_masks, masks, rc->res->n_var * rc->lat_model->n_params);
        }
        free(dense), free(masks);
        done[i] = 1;
    }
    return PF_OK;
}

/* Run the listed tasks on ro->threads threads, skipping those done; the first error (lowest
 * position in the list) wins, so the message does not depend on scheduling either. */
static int run_tasks(const run_ctx *rc, const size_t *list, size_t n, const unsigned char *done,
                     pf_run_opts *ro, pf_error *err)
{
    pf_error *errs = pf_alloc(n, sizeof *errs, err);
    if (!errs) return err->code;
    size_t todo = 0, ran = 0;
    for (size_t i = 0; i < n; i++) todo += !done[i];
    pf_progress pg;
    pf_progress_start(&pg, todo, "tasks", ro->progress);
    pf_hold hold;
    char tag[64] = "";
    if (ro->point) snprintf(tag, sizeof tag, "point%zu-", ro->point);
    size_t len = strlen(tag);
    snprintf(tag + len, sizeof tag - len, ro->shard ? "shard-%zu" : "run", ro->shard);
    pf_hold_init(&hold, tag);
    size_t finished = 0; /* tasks computed and saved here, for the hold */
    int halt_all = 0;
    openblas_set_num_threads(1); /* BLAS single-threaded inside each task */
    /* Each thread keeps one pruning scratch for all its tasks: every task's scoring buffers
     * have the same sizes, and a fresh one per task cost a page fault per page touched. */
#pragma omp parallel num_threads(ro->threads) reduction(+ : ran)
    {
        pf_prune_scratch scratch = {0};
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < n; i++) {
            int halt;
#pragma omp atomic read
            halt = halt_all;
            if (halt || done[i] || stopped(ro)) continue;
            int go;
#pragma omp critical(pf_hold)
            {
                size_t f;
#pragma omp atomic read
                f = finished;
                go = pf_hold_wait(&hold, f, ro->stop);
            }
            if (!go) continue;
            if (run_task(rc, list[i], &scratch, &errs[i]) != PF_OK ||
                save_task(rc, ro, list[i], &errs[i]) != PF_OK) {
                if (ro->checkpoint_dir)
                    pf_checkpoint_mark_failed(ro->checkpoint_dir, list[i], errs[i].msg);
#pragma omp atomic write
                halt_all = 1;
            } else {
                if (ro->checkpoint_dir) pf_checkpoint_clear_failed(ro->checkpoint_dir, list[i]);
                ran++;
#pragma omp atomic update
                finished++;
            }
#pragma omp critical(pf_progress)
            pf_progress_tick(&pg);
        }
        pf_prune_scratch_free(&scratch);
    }
    pf_progress_finish(&pg);
    ro->tasks_run = ran;
    for (size_t i = 0; i < n && err->code == PF_OK; i++)
        if (errs[i].code != PF_OK)
            pf_error_set(err, errs[i].code, "fold %zu, repeat %zu: %s",
                         list[i] / (size_t)rc->cfg->repeats, list[i] % (size_t)rc->cfg->repeats,
                         errs[i].msg);
    free(errs);
    /* A stop that came when every task had finished interrupted nothing. */
    if (err->code == PF_OK && stopped(ro) && ran < todo)
        pf_error_set(err, PF_EINTR, "stopped by a signal after %zu of %zu tasks", ran, todo);
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
    rc->lat_masks = pf_alloc(rc->res->n_var * rc->lat_model->n_params, 1, err);
    rc->lat_x = pf_alloc(rc->lat_n * rc->ds->n_features, sizeof *rc->lat_x, err);
    return err->code;
}

/* Fold 0's test rows as the model sees them, when task 0 was resumed rather than run (a run
 * of task 0 copies them in keep_for_latency). */
static int latency_rows(run_ctx *rc, pf_error *err)
{
    const pf_fold *f0 = &rc->folds->fold[0];
    int *train = pf_alloc(f0->n_train, sizeof *train, err);
    pf_transform *tf = train && pf_folds_lists(rc->folds, 0, train, NULL, err) == PF_OK
                           ? pf_transform_fit(rc->ds, train, f0->n_train, rc->cfg, err)
                           : NULL;
    pf_split *te = tf ? pf_split_alloc(rc->ds, f0->test, f0->n_test, tf, NULL, err) : NULL;
    if (te) memcpy(rc->lat_x, te->x, te->n * te->d * sizeof *rc->lat_x);
    pf_split_free(te);
    pf_transform_free(tf);
    free(train);
    return err->code;
}

static void latency_free(run_ctx *rc)
{
    pf_mlp_free(rc->lat_model);
    free(rc->lat_masks);
    free(rc->lat_x);
}

int pf_run_grouping(const pf_config *cfg, const pf_dataset *ds, int **window_group,
                    size_t *n_groups, pf_error *err)
{
    pf_criterion_use uses[PF_MAX_LIST * 2];
    size_t n = pf_criterion_uses(cfg, uses, PF_MAX_LIST * 2);
    const char *by = NULL, *by_name = NULL;
    *window_group = NULL;
    *n_groups = ds->n_groups;
    for (size_t c = 0; c < n && c < PF_MAX_LIST * 2; c++) {
        const pf_criterion *row = uses[c].row;
        const char *g = row->grouping ? row->grouping(pf_criterion_options(cfg, row), cfg) : NULL;
        if (g && by && strcmp(g, by) != 0)
            return pf_error_set(err, PF_EINPUT,
                                "criteria %s and %s group people differently ('%s' and '%s'); "
                                "run them in separate studies",
                                by_name, uses[c].name, by, g);
        if (g) by = g, by_name = uses[c].name;
    }
    if (!by) return PF_OK;
    *window_group = pf_dataset_window_groups(ds, cfg, by, n_groups, err);
    return *window_group ? PF_OK : err->code;
}

pf_results *pf_run(const pf_config *cfg, const pf_dataset *ds, const pf_folds *folds,
                   pf_run_opts *ro, pf_error *err)
{
    run_ctx rc = {.cfg = cfg, .ds = ds, .folds = folds};
#ifdef M_MMAP_THRESHOLD
    /* The tasks allocate and free the same buffers one after the other (splits, trainings,
     * evaluations: hundreds of kB each). glibc maps such blocks afresh and returns freed memory
     * to the kernel, so every task faulted its pages in again: 3% of a study's time
     * (docs/performance.md). From here on freed memory is kept for reuse, and only blocks of 32
     * MB and more are mapped on their own. (Set here, after the data is loaded, so loading
     * keeps its peak memory.) */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
    rc.n_crit = pf_criterion_uses(cfg, rc.crit, PF_MAX_LIST * 2);
    pf_train_opts_from_config(&rc.opts, cfg);
    int *window_group = NULL;
    size_t n_groups;
    if (pf_run_grouping(cfg, ds, &window_group, &n_groups, err) != PF_OK) return NULL;
    rc.window_group = window_group;
    if (!(rc.res = pf_results_alloc(cfg, ds, folds->n_folds, err))) {
        free(window_group);
        return NULL;
    }
    if (pf_results_set_folds(rc.res, folds, err) != PF_OK) {
        pf_results_free(rc.res);
        free(window_group);
        return NULL;
    }
    rc.res->threads = ro->threads;
    snprintf(rc.res->kernel, sizeof rc.res->kernel, "%s", pf_kernel_name());
    utc_now(rc.res->started, sizeof rc.res->started);
    size_t n_all = folds->n_folds * (size_t)cfg->repeats, n = ro->tasks ? ro->n_tasks : n_all;
    size_t *list = pf_alloc(n, sizeof *list, err);
    unsigned char *done = pf_alloc(n, 1, err);
    int has_task0 = 0;
    for (size_t i = 0; list && i < n; i++) {
        list[i] = ro->tasks ? ro->tasks[i] : i;
        has_task0 |= list[i] == 0;
    }
    double t0 = now_seconds();
    if (list && done && latency_alloc(&rc, err) == PF_OK &&
        resume(&rc, ro, list, n, done, err) == PF_OK) {
        for (size_t i = 0; i < n; i++) ro->tasks_resumed += done[i];
        if (run_tasks(&rc, list, n, done, ro, err) == PF_OK) {
            rc.res->wall_seconds = now_seconds() - t0;
            struct rusage ru;
            if (getrusage(RUSAGE_SELF, &ru) == 0) rc.res->peak_memory_kb = (double)ru.ru_maxrss;
            utc_now(rc.res->finished, sizeof rc.res->finished);
            for (size_t i = 0; i < n; i++)
                if (list[i] == 0 && done[i]) latency_rows(&rc, err);
            if (has_task0 && err->code == PF_OK) measure_latency(&rc, err);
        }
    }
    latency_free(&rc);
    free(list), free(done), free(window_group);
    if (err->code == PF_OK) pf_results_summarise(rc.res, err);
    if (err->code != PF_OK) {
        pf_results_free(rc.res);
        return NULL;
    }
    return rc.res;
}
