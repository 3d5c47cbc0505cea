/* results.c: the study model in memory (see results.h): its shape, the variants, the value
 * array, and the one summary of every (metric, variant) that every output reads.
 *
 * Summaries average each participant's repeats first (docs/metrics.md#repeats), then describe the
 * spread across participants; a delta against dense is each participant's variant value minus the
 * dense value of the same participant, both averaged over repeats. */
#include "results/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/numtext.h"
#include "config/criterion.h"
#include "config/task.h"
#include "results/predictions.h"

static char **copy_strings(char *const *src, size_t n, pf_error *err)
{
    char **dst = pf_alloc(n, sizeof *dst, err);
    for (size_t i = 0; dst && i < n; i++)
        if (src && src[i] && !(dst[i] = strdup(src[i]))) {
            pf_error_set(err, PF_ERUNTIME, "out of memory copying names");
            break;
        }
    return dst;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

/* One block per chain (clusters-major, unclustered float32 first): the dense model, then
 * criterion-major, sparsity-minor. */
static void list_variants(pf_results *r)
{
    for (size_t w = 0; w < r->n_chain; w++) {
        pf_chain ch = r->chain[w];
        r->variant[pf_results_variant_at(r, 0, 0, w)] =
            (pf_variant){0, 0, 0.0, ch.clusters, ch.bits, w};
        for (size_t c = 1; c < r->n_crit; c++)
            for (size_t s = 0; s < r->n_sp; s++)
                r->variant[pf_results_variant_at(r, c, s, w)] =
                    (pf_variant){c, s, r->sparsity[s], ch.clusters, ch.bits, w};
    }
}

/* off first, then the list's other values in order, each once: how a shape's widths (off 32)
 * and centroid counts (off 0) become the study's. Returns how many. */
static size_t off_first(const int *list, size_t n, int off, int *out)
{
    size_t k = 0;
    out[k++] = off;
    for (size_t i = 0; i < n && k < PF_MAX_LIST; i++)
        if (list[i] != off) out[k++] = list[i];
    return k;
}

size_t pf_results_shape_variants(const pf_results_shape *sh)
{
    int tmp[PF_MAX_LIST];
    size_t widths = off_first(sh->bits, sh->n_bits, 32, tmp);
    size_t counts = off_first(sh->clusters, sh->n_clusters, 0, tmp);
    return widths * counts * (1 + sh->n_crit * sh->n_sp);
}

/* The widths, the centroid counts and their chains, as pf_results_shape_variants counts
 * them. */
static void list_chains(pf_results *r, const pf_results_shape *sh)
{
    r->n_bits = off_first(sh->bits, sh->n_bits, 32, r->bits);
    r->n_clusters = off_first(sh->clusters, sh->n_clusters, 0, r->clusters);
    r->n_chain = 0;
    for (size_t k = 0; k < r->n_clusters; k++)
        for (size_t w = 0; w < r->n_bits && r->n_chain < PF_MAX_LIST; w++)
            r->chain[r->n_chain++] = (pf_chain){r->clusters[k], r->bits[w]};
}

static int alloc_arrays(pf_results *r, const pf_results_shape *sh, pf_error *err)
{
    size_t P = r->n_part, F = r->n_folds, d = r->n_features, T = r->n_targets;
    size_t cells = r->n_metric * r->n_var * P * r->n_rep;
    r->crit = pf_alloc(r->n_crit, sizeof *r->crit, err);
    r->sparsity = pf_alloc(r->n_sp, sizeof *r->sparsity, err);
    r->variant = pf_alloc(r->n_var, sizeof *r->variant, err);
    r->value = pf_alloc(cells, sizeof *r->value, err);
    r->target_names = copy_strings(sh->target_names, T, err);
    r->class_names = pf_alloc(r->n_classes, sizeof(char *), err);
    r->attribute_names = pf_alloc(r->n_attributes, sizeof(char *), err);
    r->attribute_values = pf_alloc(P * r->n_attributes, sizeof(char *), err);
    r->n_windows = pf_alloc(P, sizeof(int), err);
    r->participant_ids = pf_alloc(P, sizeof(char *), err);
    r->feature_names = pf_alloc(d, sizeof(char *), err);
    r->rec = pf_alloc(r->n_rec, sizeof *r->rec, err);
    r->ns_per_window = pf_alloc(r->n_var, sizeof(double), err);
    r->fold_of = pf_alloc(P, sizeof(int), err);
    r->val_first = pf_alloc(F + 1, sizeof(size_t), err); /* no validation participants yet */
    r->feature_fill = pf_alloc(F * d, sizeof(double), err);
    r->feature_shift = pf_alloc(F * d, sizeof(double), err);
    r->feature_scale = pf_alloc(F * d, sizeof(double), err);
    r->target_shift = pf_alloc(F * T, sizeof(double), err);
    r->target_scale = pf_alloc(F * T, sizeof(double), err);
    if (err->code != PF_OK) return err->code;
    /* NaN marks "not run", so a missing task can never pass for a zero. */
    for (size_t i = 0; i < cells; i++) r->value[i] = NAN;
    for (size_t v = 0; v < r->n_var; v++) r->ns_per_window[v] = NAN;
    for (size_t p = 0; p < P; p++) r->fold_of[p] = -1;
    for (size_t i = 0; i < F * d; i++)
        r->feature_fill[i] = r->feature_shift[i] = r->feature_scale[i] = NAN;
    for (size_t i = 0; i < F * T; i++) r->target_shift[i] = r->target_scale[i] = NAN;
    return PF_OK;
}

pf_results *pf_results_new(const pf_results_shape *sh, pf_error *err)
{
    pf_results *r = pf_alloc(1, sizeof *r, err);
    if (r == NULL) return NULL;
    r->task = sh->task;
    r->n_targets = sh->n_targets;
    r->n_classes = pf_task_shape_of(sh->task, sh->n_targets)->labels ? sh->n_classes : 0;
    r->n_crit = 1 + sh->n_crit;
    r->n_sp = sh->n_sp;
    list_chains(r, sh);
    r->n_var = pf_results_shape_variants(sh);
    r->n_part = sh->n_part, r->n_rep = sh->n_rep, r->n_folds = sh->n_folds;
    r->n_features = sh->n_features, r->n_attributes = sh->n_attributes;
    r->n_rec = r->n_folds * r->n_rep * r->n_var;
    r->metrics = pf_metric_set_alloc(sh->task, sh->n_targets, sh->target_names, sh->n_classes, err);
    if (r->metrics == NULL ||
        pf_metric_set_primary(r->metrics, sh->stats_metric, &r->primary, err) != PF_OK)
        goto fail;
    r->n_metric = r->metrics->n;
    if (alloc_arrays(r, sh, err) != PF_OK) goto fail;
    snprintf(r->crit[PF_DENSE], PF_MAX_NAME, "%s", PF_DENSE_NAME);
    for (size_t c = 0; c < sh->n_crit; c++)
        snprintf(r->crit[c + 1], PF_MAX_NAME, "%s", sh->crit[c]);
    memcpy(r->sparsity, sh->sparsity, r->n_sp * sizeof *r->sparsity);
    list_variants(r);
    return r;
fail:
    pf_results_free(r);
    return NULL;
}

/* The flat parameter layout of the run's model and, when asked for, room for saved weights,
 * masks and scores (output.save_*). */
/* Whether a criterion of the run trains the pruned network (at initialisation) or prunes in
 * rounds (config/criterion.h): its models are then not the dense model under a mask. */
static int retrains(const pf_config *cfg)
{
    pf_criterion_use uses[PF_MAX_LIST * 2];
    size_t n = pf_criterion_uses(cfg, uses, PF_MAX_LIST * 2);
    for (size_t c = 0; c < n && c < PF_MAX_LIST * 2; c++) {
        pf_criterion_stage st = pf_criterion_stage_of(cfg, uses[c].row);
        if (st.at_init || st.rounds > 1) return 1;
    }
    return 0;
}

static int alloc_saved(pf_results *r, const pf_config *cfg, size_t n_out, pf_error *err)
{
    r->n_dims = cfg->n_hidden + 2;
    r->dims[0] = (int)r->n_features;
    for (size_t l = 0; l < cfg->n_hidden; l++) r->dims[l + 1] = cfg->hidden[l];
    r->dims[cfg->n_hidden + 1] = (int)n_out;
    r->n_params = 0;
    for (size_t l = 0; l + 1 < r->n_dims; l++)
        r->n_params += (size_t)r->dims[l] * (size_t)r->dims[l + 1] + (size_t)r->dims[l + 1];
    size_t tasks = r->n_folds * r->n_rep, P = r->n_params;
    /* Pruned models differ from dense x mask only when they were trained after pruning, or
     * clustered. */
    int retrained = cfg->finetune_epochs > 0 || retrains(cfg) || pf_results_clustered(r);
    if (cfg->save_models) r->dense_params = pf_alloc(tasks * P, sizeof(float), err);
    if (cfg->save_models && retrained)
        r->variant_params = pf_alloc(tasks * r->n_var * P, sizeof(float), err);
    if (cfg->save_masks) r->masks = pf_alloc(tasks * r->n_var * P, 1, err);
    if (cfg->save_scores) r->scores = pf_alloc(tasks * r->n_crit * P, sizeof(float), err);
    /* The dense "criterion" ranks nothing: its scores are NaN ("no score", as for parameters
     * that are not prunable), not the 0 of a fresh allocation. Rankings overwrite the rest. */
    for (size_t i = 0; r->scores && i < tasks * r->n_crit * P; i++) r->scores[i] = NAN;
    size_t Q = pf_results_n_quant(r);
    r->n_units = 0;
    for (size_t l = 1; l < r->n_dims; l++) r->n_units += (size_t)r->dims[l];
    if (cfg->save_models && Q > 0) {
        r->quant_q = pf_alloc(tasks * Q * P, sizeof *r->quant_q, err);
        r->quant_scale = pf_alloc(tasks * Q * r->n_units, sizeof(float), err);
        r->quant_bias = pf_alloc(tasks * Q * r->n_units, sizeof(float), err);
        /* NaN until evaluated: a model whose training diverged keeps them ("not run"). */
        for (size_t i = 0; err->code == PF_OK && i < tasks * Q * r->n_units; i++)
            r->quant_scale[i] = r->quant_bias[i] = NAN;
    }
    return err->code;
}

/* Names, ids, attributes and the data's provenance, copied from the dataset. */
static int copy_dataset(pf_results *r, const pf_dataset *ds, pf_error *err)
{
    for (size_t p = 0; p < r->n_part; p++) {
        r->n_windows[p] = (int)pf_dataset_count(ds, p);
        if (!(r->participant_ids[p] = strdup(ds->participant_ids[p]))) goto oom;
    }
    for (size_t j = 0; j < r->n_features; j++)
        if (!(r->feature_names[j] = strdup(ds->feature_names[j]))) goto oom;
    for (size_t c = 0; c < r->n_classes; c++)
        if (!(r->class_names[c] = strdup(ds->class_names[c]))) goto oom;
    for (size_t a = 0; a < r->n_attributes; a++)
        if (!(r->attribute_names[a] = strdup(ds->attribute_names[a]))) goto oom;
    for (size_t i = 0; i < r->n_part * r->n_attributes; i++)
        if (!(r->attribute_values[i] = strdup(ds->attribute_values[i]))) goto oom;
    if (ds->n_columns > 0) {
        r->n_columns = ds->n_columns;
        r->column_names = pf_alloc(ds->n_columns, sizeof(char *), err);
        r->column_use = pf_alloc(ds->n_columns, sizeof(char *), err);
        if (!r->column_names || !r->column_use) return err->code;
        for (size_t c = 0; c < ds->n_columns; c++)
            if (!(r->column_names[c] = strdup(ds->columns[c].name)) ||
                !(r->column_use[c] = strdup(ds->columns[c].use)))
                goto oom;
    }
    snprintf(r->data_description, sizeof r->data_description, "%s", ds->description);
    snprintf(r->data_path, sizeof r->data_path, "%s", ds->path);
    r->n_windows_total = ds->n_windows;
    r->rows_read = ds->n_rows_read;
    r->rows_dropped_target = ds->n_dropped_target;
    r->participants_dropped = ds->n_dropped_participants;
    r->windows_dropped_margin = ds->n_dropped_margin;
    r->cells_missing = ds->n_missing;
    return PF_OK;
oom:
    return pf_error_set(err, PF_ERUNTIME, "out of memory copying the dataset's names");
}

pf_results *pf_results_alloc(const pf_config *cfg, const pf_dataset *ds, size_t n_folds,
                             pf_error *err)
{
    pf_criterion_use uses[PF_MAX_LIST * 2];
    char names[PF_MAX_LIST * 2][PF_MAX_NAME];
    size_t n_crit = pf_criterion_uses(cfg, uses, PF_MAX_LIST * 2);
    for (size_t c = 0; c < n_crit && c < PF_MAX_LIST * 2; c++)
        memcpy(names[c], uses[c].name, PF_MAX_NAME);
    pf_results_shape sh = {.task = ds->task,
                           .n_targets = ds->n_targets,
                           .target_names = ds->target_names,
                           .n_classes = ds->n_classes,
                           .n_crit = n_crit,
                           .crit = (const char(*)[PF_MAX_NAME])names,
                           .n_sp = cfg->sparsities.n,
                           .sparsity = cfg->sparsities.v,
                           .n_bits = cfg->n_bits,
                           .bits = cfg->bits,
                           .n_clusters = cfg->n_clusters,
                           .clusters = cfg->clusters,
                           .n_part = ds->n_participants,
                           .n_rep = (size_t)cfg->repeats,
                           .n_folds = n_folds,
                           .n_features = ds->n_features,
                           .n_attributes = ds->n_attributes,
                           .stats_metric = cfg->metric};
    pf_results *r = pf_results_new(&sh, err);
    if (r && (copy_dataset(r, ds, err) != PF_OK ||
              alloc_saved(r, cfg, pf_dataset_n_outputs(ds), err) != PF_OK ||
              (cfg->output_weighting != PF_WEIGHTING_EQUAL &&
               pf_results_alloc_log_var(r, err) != PF_OK) ||
              (cfg->save_predictions && pf_predictions_alloc(r, ds, err) != PF_OK))) {
        pf_results_free(r);
        r = NULL;
    }
    return r;
}

int pf_results_alloc_log_var(pf_results *r, pf_error *err)
{
    size_t n = r->n_folds * r->n_rep * r->n_targets;
    free(r->output_log_var);
    if ((r->output_log_var = pf_alloc(n ? n : 1, sizeof *r->output_log_var, err)) == NULL)
        return err->code;
    for (size_t i = 0; i < n; i++) r->output_log_var[i] = NAN;
    return PF_OK;
}

void pf_results_free(pf_results *r)
{
    if (!r) return;
    pf_metric_set_free(r->metrics);
    free(r->crit), free(r->sparsity), free(r->variant), free(r->value);
    free_strings(r->target_names, r->n_targets);
    free_strings(r->class_names, r->n_classes);
    free_strings(r->attribute_names, r->n_attributes);
    free_strings(r->attribute_values, r->n_part * r->n_attributes);
    free_strings(r->participant_ids, r->n_part);
    free_strings(r->feature_names, r->n_features);
    free_strings(r->column_names, r->n_columns);
    free_strings(r->column_use, r->n_columns);
    free(r->n_windows), free(r->rec), free(r->ns_per_window);
    free(r->dense_params), free(r->masks), free(r->scores), free(r->variant_params);
    free(r->quant_q), free(r->quant_scale), free(r->quant_bias);
    free(r->output_log_var);
    free(r->fold_of), free(r->val_first), free(r->val);
    free(r->feature_fill), free(r->feature_shift), free(r->feature_scale);
    free(r->target_shift), free(r->target_scale);
    pf_predictions_free(r);
    free(r->summary);
    free(r);
}

void pf_results_chain_tag(pf_chain ch, char sep, char *out, size_t cap)
{
    char c[16] = "", b[16] = "";
    if (ch.clusters) snprintf(c, sizeof c, "%cc%d", sep, ch.clusters);
    if (ch.bits != 32) snprintf(b, sizeof b, "%c%dbit", sep, ch.bits);
    snprintf(out, cap, "%s%s", c, b);
}

void pf_results_chain_words(const pf_results *r, size_t w, char *out, size_t cap)
{
    const pf_chain *ch = &r->chain[w];
    if (ch->clusters && ch->bits != 32)
        snprintf(out, cap, "%d clusters, %d-bit centroids", ch->clusters, ch->bits);
    else if (ch->clusters)
        snprintf(out, cap, "%d clusters", ch->clusters);
    else if (ch->bits != 32)
        snprintf(out, cap, "%d-bit weights", ch->bits);
    else
        snprintf(out, cap, "float32 weights");
}

void pf_results_variant_name(const pf_results *r, size_t v, char *out, size_t cap)
{
    const pf_variant *x = &r->variant[v];
    char num[PF_NUMTEXT_CAP], chain[40];
    pf_results_chain_tag((pf_chain){x->clusters, x->bits}, '/', chain, sizeof chain);
    if (x->crit == 0)
        snprintf(out, cap, "dense%s", chain);
    else
        snprintf(out, cap, "%s@%s%s", r->crit[x->crit], pf_numtext(num, x->sparsity), chain);
}

double pf_results_achieved_sparsity(const pf_results *r, size_t v)
{
    double sum = 0;
    size_t n = 0;
    for (size_t f = 0; f < r->n_folds; f++)
        for (size_t k = 0; k < r->n_rep; k++, n++)
            sum += pf_results_record(r, f, k, v)->achieved_sparsity;
    return n ? sum / (double)n : NAN;
}

double pf_results_stored_bytes(const pf_results *r, size_t v)
{
    double sum = 0;
    size_t n = 0;
    for (size_t f = 0; f < r->n_folds; f++)
        for (size_t k = 0; k < r->n_rep; k++, n++)
            sum += (double)pf_results_record(r, f, k, v)->stored_bytes;
    return n ? sum / (double)n : NAN;
}

void pf_results_values(const pf_results *r, size_t m, size_t v, double *out)
{
    for (size_t p = 0; p < r->n_part; p++) {
        double sum = 0;
        size_t n = 0;
        for (size_t k = 0; k < r->n_rep; k++) {
            double x = r->value[pf_results_at(r, m, v, p, k)];
            if (!isnan(x)) sum += x, n++;
        }
        out[p] = n ? sum / (double)n : NAN;
    }
}

int pf_results_summarise(pf_results *r, pf_error *err)
{
    free(r->summary);
    r->summary = pf_alloc(r->n_metric * r->n_var, sizeof *r->summary, err);
    double *v = pf_alloc(r->n_part, sizeof *v, err), *dense = pf_alloc(r->n_part, sizeof *v, err);
    if (!r->summary || !v || !dense) {
        free(v), free(dense);
        return err->code;
    }
    for (size_t m = 0; m < r->n_metric; m++) {
        int hib = r->metrics->slot[m].metric->higher_is_better;
        pf_results_values(r, m, PF_DENSE, dense);
        for (size_t x = 0; x < r->n_var; x++) {
            pf_results_values(r, m, x, v);
            pf_summary_full_compute(v, dense, r->n_part, hib, &r->summary[m * r->n_var + x]);
        }
    }
    free(v), free(dense);
    return PF_OK;
}

int pf_results_set_folds(pf_results *r, const pf_folds *fs, pf_error *err)
{
    memcpy(r->fold_of, fs->fold_of, r->n_part * sizeof *r->fold_of);
    r->val_first[0] = 0;
    for (size_t f = 0; f < r->n_folds; f++)
        r->val_first[f + 1] = r->val_first[f] + (f < fs->n_folds ? fs->fold[f].n_val : 0);
    free(r->val);
    if (!(r->val = pf_alloc(r->val_first[r->n_folds], sizeof *r->val, err))) return err->code;
    for (size_t f = 0; f < fs->n_folds && f < r->n_folds; f++)
        if (pf_folds_lists(fs, f, NULL, r->val + r->val_first[f], err) != PF_OK) return err->code;
    snprintf(r->folds_file, sizeof r->folds_file, "%s", fs->file);
    snprintf(r->folds_file_sha256, sizeof r->folds_file_sha256, "%s", fs->file_sha256);
    return PF_OK;
}

void pf_results_set_transform(pf_results *r, size_t f, const pf_transform *tf)
{
    size_t d = r->n_features, T = r->n_targets;
    memcpy(r->feature_fill + f * d, tf->fill, d * sizeof(double));
    memcpy(r->feature_shift + f * d, tf->shift, d * sizeof(double));
    memcpy(r->feature_scale + f * d, tf->scale, d * sizeof(double));
    memcpy(r->target_shift + f * T, tf->target_shift, T * sizeof(double));
    memcpy(r->target_scale + f * T, tf->target_scale, T * sizeof(double));
}
