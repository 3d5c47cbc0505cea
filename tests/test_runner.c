/* test_runner.c: the study as a whole, on small synthetic data, with every criterion variant
 * switched on (SNIP at initialisation, iterative FairGRAPE, fine-tuning, layer-wise masks).
 * Asserts the properties the numbers rest on: the same results bit for bit for 1 and 2
 * threads, every mask keeping exactly round((1 - s) n) weights (per layer, by largest
 * remainder, in layer-wise scope), sparsity 0 giving the dense model's CCC exactly for every
 * criterion, and every test participant evaluated once per repeat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress/prune.h"
#include "data/load.h"
#include "results/predictions.h"
#include "run/run.h"

typedef struct {
    pf_config cfg;
    pf_dataset *ds;
    pf_folds *folds;
} fixture;

static void set(pf_config *c, const char *sec, const char *key, const char *val)
{
    pf_error err = {0};
    if (pf_config_set(c, sec, key, val, "test", &err) != PF_OK) fail_msg("%s", err.msg);
}

static fixture *make(const char *scope)
{
    fixture *f = calloc(1, sizeof *f);
    pf_error err = {0};
    pf_config_defaults(&f->cfg);
    set(&f->cfg, "synthetic", "participants", "8");
    set(&f->cfg, "synthetic", "windows", "16");
    set(&f->cfg, "synthetic", "features", "10");
    set(&f->cfg, "synthetic", "informative", "4");
    set(&f->cfg, "synthetic", "private", "2");
    set(&f->cfg, "model", "hidden", "12,6");
    set(&f->cfg, "train", "max_epochs", "4");
    set(&f->cfg, "train", "batch_size", "16");
    set(&f->cfg, "train", "patience", "2");
    set(&f->cfg, "folds", "scheme", "group_kfold");
    set(&f->cfg, "folds", "k", "4");
    set(&f->cfg, "folds", "validation", "0.2");
    set(&f->cfg, "experiment", "repeats", "2");
    set(&f->cfg, "prune", "sparsities", "0,0.5,0.9");
    set(&f->cfg, "prune", "vr_lambda", "0,1");
    set(&f->cfg, "prune", "vr_form", "objective");
    set(&f->cfg, "prune", "snip_stage", "init");
    set(&f->cfg, "prune", "fairgrape_mode", "iterative");
    set(&f->cfg, "prune", "fairgrape_rounds", "3");
    set(&f->cfg, "prune", "finetune_epochs", "2");
    set(&f->cfg, "prune", "scope", scope);
    set(&f->cfg, "output", "save_masks", "true");
    set(&f->cfg, "output", "save_scores", "true");
    set(&f->cfg, "output", "save_predictions", "true");
    assert_int_equal(pf_config_validate(&f->cfg, &err), PF_OK);
    f->ds = pf_load_dataset(&f->cfg, &err);
    assert_non_null(f->ds);
    f->folds = pf_folds_alloc(f->ds, &f->cfg, &err);
    assert_non_null(f->folds);
    return f;
}

static void unmake(fixture *f)
{
    pf_folds_free(f->folds);
    pf_dataset_free(f->ds);
    free(f);
}

static pf_results *run(fixture *f, int threads)
{
    pf_error err = {0};
    pf_run_opts ro;
    f->cfg.threads = threads;
    pf_run_opts_init(&ro, &f->cfg, "/nonexistent-unused", 0);
    pf_results *r = pf_run(&f->cfg, f->ds, f->folds, &ro, &err);
    if (!r) fail_msg("%s", err.msg);
    return r;
}

static void test_threads_give_identical_results(void **state)
{
    (void)state;
    fixture *f = make("global");
    pf_results *a = run(f, 1), *b = run(f, 2);
    size_t cells = a->n_metric * a->n_var * a->n_part * a->n_rep;
    assert_int_equal(a->n_crit, 7); /* dense, random, magnitude, snip, fairgrape, vr x2 */
    assert_int_equal(a->n_var, 1 + 6 * a->n_sp);
    assert_memory_equal(a->value, b->value, cells * sizeof(double));
    size_t tasks = a->n_folds * a->n_rep;
    assert_memory_equal(a->masks, b->masks, tasks * a->n_var * a->n_params);
    for (size_t i = 0; i < cells; i++) assert_false(isnan(a->value[i])); /* everyone evaluated */
    /* Scores: criterion 0, the dense model, ranks nothing and scores NaN (not 0); every
     * criterion's ranking has a finite score for every prunable weight. */
    assert_memory_equal(a->scores, b->scores, tasks * a->n_crit * a->n_params * sizeof(float));
    for (size_t t = 0; t < tasks; t++)
        for (size_t c = 0; c < a->n_crit; c++)
            for (size_t j = 0; j < a->n_params; j++) {
                float s = a->scores[(t * a->n_crit + c) * a->n_params + j];
                int weight = j < 10 * 12 || (j >= 10 * 12 + 12 && j < 10 * 12 + 12 + 12 * 6) ||
                             (j >= 10 * 12 + 12 + 12 * 6 + 6 && j < a->n_params - 1);
                if (c == 0) assert_true(isnan(s));
                if (c > 0 && weight) assert_false(isnan(s));
            }
    /* Every window's prediction by every model, stored by the task that held it out: the same
     * bytes for any thread count, and none missing. */
    size_t preds = a->n_var * a->n_rep * a->n_win * a->n_pred;
    assert_int_equal(a->n_win, 8 * 16);
    assert_null(a->pred_class);
    assert_memory_equal(a->pred, b->pred, preds * sizeof *a->pred);
    for (size_t i = 0; i < preds; i++) assert_false(isnan(a->pred[i]));
    pf_results_free(a);
    pf_results_free(b);
    unmake(f);
}

/* Kept weights per (task, variant), by layer, from the saved masks. */
static void count_kept(const pf_results *r, size_t task, size_t v, size_t *kept_l, size_t *n_l)
{
    const unsigned char *m = r->masks + (task * r->n_var + v) * r->n_params;
    size_t off = 0;
    for (size_t l = 0; l + 1 < r->n_dims; l++) {
        size_t nw = (size_t)r->dims[l] * (size_t)r->dims[l + 1];
        kept_l[l] = 0;
        for (size_t j = 0; j < nw; j++) kept_l[l] += m[off + j];
        for (size_t j = 0; j < (size_t)r->dims[l + 1]; j++) assert_int_equal(m[off + nw + j], 1);
        n_l[l] = nw;
        off += nw + (size_t)r->dims[l + 1];
    }
}

static void check_masks(const char *scope)
{
    fixture *f = make(scope);
    pf_results *r = run(f, 2);
    size_t n_layers = r->n_dims - 1, n = 0, kept_l[8], n_l[8], budget[8];
    for (size_t l = 0; l < n_layers; l++)
        n += (size_t)r->dims[l] * (size_t)r->dims[l + 1]; /* 10*12 + 12*6 + 6 = 198 */
    assert_int_equal(n, 198);
    for (size_t task = 0; task < r->n_folds * r->n_rep; task++)
        for (size_t c = 1; c < r->n_crit; c++)
            for (size_t s = 0; s < r->n_sp; s++) {
                count_kept(r, task, pf_results_variant(r, c, s), kept_l, n_l);
                size_t total = 0, keep = pf_prune_keep_count(n, r->sparsity[s]);
                for (size_t l = 0; l < n_layers; l++) total += kept_l[l];
                assert_int_equal(total, keep); /* 198, 99, 20 */
                /* FairGRAPE always, and every criterion in layer-wise scope, split the budget
                 * over layers by largest remainder. */
                if (strcmp(scope, "layerwise") == 0 || strcmp(r->crit[c], "fairgrape") == 0) {
                    pf_prune_layer_budgets(n_l, n_layers, keep, budget);
                    for (size_t l = 0; l < n_layers; l++) assert_int_equal(kept_l[l], budget[l]);
                }
            }
    /* Sparsity 0: every criterion is the dense model (no pruning, so no fine-tuning), on every
     * metric. */
    for (size_t m = 0; m < r->n_metric; m++)
        for (size_t c = 1; c < r->n_crit; c++)
            for (size_t p = 0; p < r->n_part; p++)
                for (size_t k = 0; k < r->n_rep; k++)
                    assert_true(r->value[pf_results_at(r, m, pf_results_variant(r, c, 0), p, k)] ==
                                r->value[pf_results_at(r, m, PF_DENSE, p, k)]);
    /* Records: achieved sparsity exactly 1 - keep / n, and each names its own variant. */
    for (size_t i = 0; i < r->n_rec; i++) {
        const pf_task_record *rec = &r->rec[i];
        assert_int_equal(rec->variant, (int)(i % r->n_var));
        if (rec->variant == PF_DENSE) continue;
        double sp = r->variant[rec->variant].sparsity;
        assert_float_equal(rec->achieved_sparsity,
                           1.0 - (double)pf_prune_keep_count(n, sp) / (double)n, 1e-15);
    }
    pf_results_free(r);
    unmake(f);
}

static void test_masks_global(void **state)
{
    (void)state;
    check_masks("global");
}

static void test_masks_layerwise(void **state)
{
    (void)state;
    check_masks("layerwise");
}

/* The model-space targets of every fold's splits (train, validation, test), as the runner makes
 * them, are the same bytes for both datasets: then both studies train the same models. */
static void assert_same_model_space(const fixture *f, const pf_dataset *other)
{
    pf_error err = {0};
    for (size_t i = 0; i < f->folds->n_folds; i++) {
        const pf_fold *fd = &f->folds->fold[i];
        int *train = calloc(fd->n_train + 1, sizeof *train),
            *val = calloc(fd->n_val + 1, sizeof *val);
        assert_int_equal(pf_folds_lists(f->folds, i, train, val, &err), PF_OK);
        pf_transform *ta = pf_transform_fit(f->ds, train, fd->n_train, &f->cfg, &err);
        pf_transform *tb = pf_transform_fit(other, train, fd->n_train, &f->cfg, &err);
        assert_non_null(ta), assert_non_null(tb);
        const int *sets[] = {train, val, fd->test};
        size_t sizes[] = {fd->n_train, fd->n_val, fd->n_test};
        for (size_t j = 0; j < 3; j++) {
            pf_split *a = pf_split_alloc(f->ds, sets[j], sizes[j], ta, NULL, &err);
            pf_split *b = pf_split_alloc(other, sets[j], sizes[j], tb, NULL, &err);
            assert_non_null(a), assert_non_null(b);
            assert_memory_equal(a->y, b->y, a->n * a->t * sizeof *a->y);
            pf_split_free(a), pf_split_free(b);
        }
        pf_transform_free(ta), pf_transform_free(tb);
        free(train), free(val);
    }
}

/* A target's unit and offset change no metric (docs/folds.md#mapping-predictions-back): the same
 * study run on y and on 100 y + 37, with data.target_scaling = zscore, so that the models learn
 * the same model-space targets (checked) and are the same models; every participant's CCC and
 * Pearson's r are then equal, and RMSE 100 times larger, to 1e-12, for the dense model and
 * every pruned one, on both outputs. (With predictions rounded to float32 on their way to the
 * metrics, as before they were doubles, they differ by up to about 1e-7.)
 * The grid stops at sparsity 0.5: random pruning at 0.9 leaves models whose predictions hardly
 * vary around their mean, and with the offset that mean is about 87, whose double carries an
 * absolute rounding of about 1e-14; relative to the predictions' tiny spread that moves Pearson's
 * r by about 1e-11: double rounding, not float32's, and no longer a question of units. */
static void test_unit_and_offset_change_no_metric(void **state)
{
    (void)state;
    fixture *f = make("global");
    set(&f->cfg, "synthetic", "outputs", "2");
    set(&f->cfg, "prune", "criteria", "random,magnitude");
    set(&f->cfg, "prune", "sparsities", "0,0.5");
    set(&f->cfg, "output", "save_masks", "false");
    set(&f->cfg, "data", "target_scaling", "zscore");
    pf_error err = {0};
    assert_int_equal(pf_config_validate(&f->cfg, &err), PF_OK);
    pf_dataset_free(f->ds);
    f->ds = pf_load_dataset(&f->cfg, &err);
    pf_dataset *scaled = pf_load_dataset(&f->cfg, &err);
    assert_non_null(f->ds), assert_non_null(scaled);
    for (size_t i = 0; i < scaled->n_windows * scaled->n_targets; i++)
        scaled->y[i] = 100 * scaled->y[i] + 37;
    assert_same_model_space(f, scaled);
    pf_results *a = run(f, 2);
    pf_dataset *plain = f->ds;
    f->ds = scaled;
    pf_results *b = run(f, 2);
    f->ds = plain;
    pf_dataset_free(scaled);
    size_t checked = 0;
    for (size_t m = 0; m < a->n_metric; m++) {
        const char *name = a->metrics->slot[m].metric->name;
        int rmse = strstr(name, "rmse") != NULL;
        for (size_t v = 0; v < a->n_var; v++)
            for (size_t p = 0; p < a->n_part; p++)
                for (size_t k = 0; k < a->n_rep; k++) {
                    double x = a->value[pf_results_at(a, m, v, p, k)];
                    double y = b->value[pf_results_at(b, m, v, p, k)];
                    assert_false(isnan(x));
                    if (fabs((rmse ? y / 100 : y) - x) > 1e-12)
                        fail_msg("%s of participant %zu, variant %zu, repeat %zu: %.17g on y, "
                                 "%.17g on 100 y + 37",
                                 a->metrics->slot[m].name, p, v, k, x, y);
                    checked++;
                }
    }
    assert_int_equal(checked, 9 * (1 + 2 * 2) * 8 * 2); /* metrics x variants x people x reps */
    pf_results_free(a);
    pf_results_free(b);
    unmake(f);
}

/* A chain added after pruning moves nothing that was there (docs/compression.md): the study
 * with compress.clusters = 0, 4 and bits = 32, 8 has every variant of the study with bits =
 * 32, 8 at the same place with the same values, records and predictions; its clustered
 * variants are new, evaluated, kept at most 4 distinct weights per layer and, at 8 bits, their
 * integers rebuild the evaluated weights exactly. Two threads give the same bytes. */
static void test_chains_add_variants_and_move_none(void **state)
{
    (void)state;
    fixture *f = make("global");
    set(&f->cfg, "compress", "bits", "32,8");
    pf_results *a = run(f, 2);
    set(&f->cfg, "compress", "clusters", "0,4");
    set(&f->cfg, "output", "save_models", "true");
    pf_results *b = run(f, 2), *b1 = run(f, 1);
    size_t B = pf_results_block(a), P = a->n_part, R = a->n_rep;
    assert_int_equal(a->n_chain, 2);
    assert_int_equal(b->n_chain, 4);
    assert_int_equal(b->n_var, 2 * a->n_var);
    assert_true(pf_results_clustered(b));
    assert_false(pf_results_clustered(a));
    for (size_t v = 0; v < a->n_var; v++) {
        assert_int_equal(b->variant[v].clusters, 0);
        assert_int_equal(b->variant[v].bits, a->variant[v].bits);
        for (size_t m = 0; m < a->n_metric; m++)
            assert_memory_equal(&a->value[pf_results_at(a, m, v, 0, 0)],
                                &b->value[pf_results_at(b, m, v, 0, 0)], P * R * sizeof(double));
        for (size_t fo = 0; fo < a->n_folds; fo++)
            for (size_t k = 0; k < R; k++) {
                const pf_task_record *x = pf_results_record(a, fo, k, v),
                                     *y = pf_results_record(b, fo, k, v);
                assert_int_equal(x->stored_bytes, y->stored_bytes);
                assert_int_equal(x->kept_params, y->kept_params);
            }
        for (size_t k = 0; k < R; k++)
            assert_memory_equal(pf_predictions_at(a, v, k, 0), pf_predictions_at(b, v, k, 0),
                                a->n_win * a->n_pred * sizeof(double));
    }
    size_t cells = b->n_metric * b->n_var * P * R, tasks = b->n_folds * R;
    assert_memory_equal(b->value, b1->value, cells * sizeof(double));
    assert_memory_equal(b->variant_params, b1->variant_params,
                        tasks * b->n_var * b->n_params * sizeof(float));
    for (size_t i = 0; i < cells; i++) assert_false(isnan(b->value[i]));
    /* Chain 2 = (4 clusters, float32), chain 3 = (4 clusters, 8 bits). */
    assert_int_equal(b->chain[2].clusters, 4), assert_int_equal(b->chain[2].bits, 32);
    assert_int_equal(b->chain[3].clusters, 4), assert_int_equal(b->chain[3].bits, 8);
    size_t dims[] = {10, 12, 6, 1};
    for (size_t t = 0; t < tasks; t++)
        for (size_t v = 2 * B; v < 4 * B; v++) {
            const float *w = b->variant_params + (t * b->n_var + v) * b->n_params;
            const pf_task_record *rec = pf_results_record(b, t / R, t % R, v);
            const pf_task_record *fl = pf_results_record(b, t / R, t % R, v % B);
            assert_true(rec->stored_bytes < fl->stored_bytes); /* 2-bit indices, 4 centroids */
            assert_int_equal(rec->kept_params, fl->kept_params);
            size_t off = 0;
            for (size_t l = 0; l < 3; l++) {
                float seen[4];
                size_t n_seen = 0;
                for (size_t j = 0; j < dims[l] * dims[l + 1]; j++) {
                    float x = w[off + j];
                    if (x == 0.0f) continue;
                    size_t i = 0;
                    while (i < n_seen && seen[i] != x) i++;
                    if (i == n_seen) {
                        if (n_seen == 4) fail_msg("variant %zu layer %zu: a fifth value", v, l);
                        seen[n_seen++] = x;
                    }
                }
                off += dims[l] * dims[l + 1] + dims[l + 1];
            }
            long q = pf_results_quant_index(b, v);
            if (v < 3 * B) {
                assert_int_equal(q, -1);
                continue;
            }
            assert_true(q >= 0);
            const int8_t *ints = b->quant_q + (t * pf_results_n_quant(b) + (size_t)q) * b->n_params;
            const float *sc = b->quant_scale + (t * pf_results_n_quant(b) + (size_t)q) * b->n_units;
            for (size_t l = 0, u = 0, o = 0; l < 3;
                 o += dims[l] * dims[l + 1] + dims[l + 1], u += dims[l + 1], l++)
                for (size_t i = 0; i < dims[l + 1]; i++)
                    for (size_t j = 0; j < dims[l]; j++) {
                        size_t at = o + i * dims[l] + j;
                        assert_true(w[at] == (float)((double)sc[u + i] * ints[at]));
                    }
        }
    pf_results_free(a);
    pf_results_free(b);
    pf_results_free(b1);
    unmake(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_give_identical_results),
        cmocka_unit_test(test_masks_global),
        cmocka_unit_test(test_masks_layerwise),
        cmocka_unit_test(test_unit_and_offset_change_no_metric),
        cmocka_unit_test(test_chains_add_variants_and_move_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
