/* fit.c: the recommended variant fitted once on every participant (see fit.h). */
#include "deploy/fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/csvout.h"
#include "base/outfile.h"
#include "base/numtext.h"
#include "base/path.h"
#include "compress/cluster.h"
#include "compress/quant.h"
#include "config/criterion.h"
#include "deploy/final.h"
#include "folds/folds.h"
#include "results/results_h5.h"
#include "run/run.h"

/* ---- the variant ------------------------------------------------------------------------- */

static int in_ints(const int *v, size_t n, int x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x) return 1;
    return 0;
}

/* "/c16" or "/4bit" at *s: the step's value into *clusters or *bits; 0 when it is neither. */
static int chain_step(const char **s, int *clusters, int *bits)
{
    char *end;
    if ((*s)[0] != '/') return 0;
    if ((*s)[1] == 'c') {
        long k = strtol(*s + 2, &end, 10);
        if (end == *s + 2 || k < 0 || k > 100000) return 0;
        *clusters = (int)k, *s = end;
        return 1;
    }
    long b = strtol(*s + 1, &end, 10);
    if (end == *s + 1 || strncmp(end, "bit", 3) != 0 || b < 1 || b > 64) return 0;
    *bits = (int)b, *s = end + 3;
    return 1;
}

int pf_fit_variant_parse(const pf_config *cfg, const char *text, pf_fit_variant *v, pf_error *err)
{
    static const char *form = "CRITERION@SPARSITY[/cK][/Bbit] or dense[/cK][/Bbit], e.g. "
                              "magnitude@0.8/4bit";
    memset(v, 0, sizeof *v);
    v->bits = 32;
    const char *at = strchr(text, '@'), *slash = strchr(text, '/');
    size_t name_len = at ? (size_t)(at - text) : slash ? (size_t)(slash - text) : strlen(text);
    if (name_len == 0 || name_len >= sizeof v->criterion)
        return pf_error_set(err, PF_EINPUT, "--variant '%s': expected %s", text, form);
    memcpy(v->criterion, text, name_len);
    const char *s = text + name_len;
    int dense = strcmp(v->criterion, PF_DENSE_NAME) == 0;
    if (!dense) {
        if (!at) return pf_error_set(err, PF_EINPUT, "--variant '%s': expected %s", text, form);
        char *end;
        v->sparsity = strtod(at + 1, &end);
        if (end == at + 1 || !(v->sparsity > 0 && v->sparsity < 1))
            return pf_error_set(err, PF_EINPUT,
                                "--variant '%s': the sparsity after '@' must be a number of the "
                                "grid above 0 (sparsity 0 is the dense model: name it dense)",
                                text);
        s = end;
    } else if (at)
        return pf_error_set(err, PF_EINPUT, "--variant '%s': the dense model has no sparsity",
                            text);
    while (*s)
        if (!chain_step(&s, &v->clusters, &v->bits))
            return pf_error_set(err, PF_EINPUT, "--variant '%s': cannot read '%s'; expected %s",
                                text, s, form);
    /* The study must have it. */
    if (!dense) {
        pf_criterion_use uses[PF_MAX_LIST * 2];
        size_t n = pf_criterion_uses(cfg, uses, PF_MAX_LIST * 2), c = 0;
        while (c < n && strcmp(uses[c].name, v->criterion) != 0) c++;
        if (c == n) {
            char list[PF_MAX_TEXT] = "";
            for (size_t i = 0; i < n; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                         uses[i].name);
            return pf_error_set(err, PF_EINPUT,
                                "--variant '%s': the study has no criterion '%s' (its criteria: "
                                "%s)",
                                text, v->criterion, list);
        }
        size_t i = 0;
        while (i < cfg->sparsities.n && cfg->sparsities.v[i] != v->sparsity) i++;
        if (i == cfg->sparsities.n) {
            char list[PF_MAX_TEXT] = "", num[PF_NUMTEXT_CAP];
            for (size_t j = 0; j < cfg->sparsities.n; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "",
                         pf_numtext(num, cfg->sparsities.v[j]));
            return pf_error_set(err, PF_EINPUT,
                                "--variant '%s': sparsity %s is not in the study's grid "
                                "(prune.sparsities = %s)",
                                text, pf_numtext(num, v->sparsity), list);
        }
    }
    if (v->clusters != 0 && !in_ints(cfg->clusters, cfg->n_clusters, v->clusters))
        return pf_error_set(err, PF_EINPUT,
                            "--variant '%s': the study does not cluster to %d (compress.clusters)",
                            text, v->clusters);
    if (v->bits != 32 && !in_ints(cfg->bits, cfg->n_bits, v->bits))
        return pf_error_set(err, PF_EINPUT,
                            "--variant '%s': the study has no %d-bit weights (compress.bits)", text,
                            v->bits);
    return PF_OK;
}

long pf_fit_variant_index(const pf_results *r, const pf_fit_variant *v)
{
    for (size_t i = 0; i < r->n_var; i++) {
        const pf_variant *x = &r->variant[i];
        if (strcmp(r->crit[x->crit], v->criterion) == 0 && x->sparsity == v->sparsity &&
            x->clusters == v->clusters && x->bits == v->bits)
            return (long)i;
    }
    return -1;
}

/* ---- the fit ------------------------------------------------------------------------------ */

pf_results *pf_fit_run(const pf_config *cfg, const pf_dataset *ds, int threads, pf_error *err)
{
    pf_config *c = malloc(sizeof *c);
    if (!c) {
        pf_error_set(err, PF_ERUNTIME, "out of memory (config)");
        return NULL;
    }
    *c = *cfg;
    c->save_models = 1, c->save_masks = 1, c->save_predictions = 1;
    c->repeats = 1;
    pf_results *r = NULL;
    pf_folds *folds = pf_folds_all(ds, c, err);
    if (folds) {
        pf_run_opts ro;
        pf_run_opts_init(&ro, c, "/nonexistent-final", 0);
        ro.threads = threads > 0 ? threads : 1;
        r = pf_run(c, ds, folds, &ro, err);
    }
    pf_folds_free(folds);
    free(c);
    return r;
}

void pf_fit_weights(const pf_results *r, size_t v, pf_mlp *m)
{
    size_t P = r->n_params;
    const unsigned char *mk = r->masks + v * P;
    float *w = m->params;
    for (size_t j = 0; j < P; j++) m->mask[j] = mk[j] ? 1.0f : 0.0f;
    long q = pf_results_quant_index(r, v);
    if (q >= 0 && r->quant_q) { /* the quantised model as the study evaluated it */
        const float *bias = r->quant_bias + (size_t)q * r->n_units;
        pf_quant_rebuild(m, r->quant_q + (size_t)q * P, r->quant_scale + (size_t)q * r->n_units);
        for (size_t l = 0, u = 0; l < m->n_layers; u += m->dims[l + 1], l++)
            memcpy(w + m->b_off[l], bias + u, m->dims[l + 1] * sizeof *w);
        return;
    }
    if (r->variant_params) {
        memcpy(w, r->variant_params + v * P, P * sizeof *w);
        return;
    }
    for (size_t j = 0; j < P; j++) w[j] = mk[j] ? r->dense_params[j] : 0.0f;
}

/* ---- saving ---------------------------------------------------------------------------------- */

static int by_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The clustering of m as its weights show it: per layer the distinct kept values ascending (a
 * value that two centroids rounded to is one), the slots left over repeating the last one. */
static pf_cluster *clustering_of(const pf_mlp *m, int k, pf_error *err)
{
    pf_cluster *c = pf_cluster_alloc(m, k, err);
    if (!c) return NULL;
    for (size_t l = 0; l < m->n_layers; l++) {
        pf_cluster_layer *cl = &c->layer[l];
        size_t off = m->w_off[l], n = m->dims[l] * m->dims[l + 1], d = 0;
        for (size_t j = off; j < off + n; j++) {
            if (m->mask[j] == 0.0f) continue;
            size_t i = 0;
            while (i < d && cl->centroid[i] != m->params[j]) i++;
            if (i == d) {
                if (d == (size_t)k) {
                    pf_cluster_free(c);
                    pf_error_set(err, PF_ERUNTIME,
                                 "layer %zu of the clustered model holds more than %d values", l,
                                 k);
                    return NULL;
                }
                cl->centroid[d++] = m->params[j];
            }
        }
        qsort(cl->centroid, d, sizeof *cl->centroid, by_float);
        for (size_t i = d; i < (size_t)k; i++) cl->centroid[i] = d ? cl->centroid[d - 1] : 0.0f;
        for (size_t j = off; j < off + n; j++) {
            if (m->mask[j] == 0.0f) continue;
            int16_t i = 0;
            while (cl->centroid[i] != m->params[j]) i++;
            c->assign[j] = i;
            cl->members[i]++;
        }
    }
    return c;
}

/* The variant's summary in the study's results.h5, when there is one of the same config. */
static void study_summary(pf_final *f, const pf_config *cfg, const char *variant, const char *path)
{
    struct stat st;
    if (!path || stat(path, &st) != 0) return;
    pf_error e = {0};
    pf_config scfg;
    pf_results *s = pf_results_h5_read(path, &scfg, &e);
    if (!s) return;
    char name[2 * PF_MAX_NAME];
    if (strcmp(scfg.hash, cfg->hash) == 0 && pf_results_summarise(s, &e) == PF_OK)
        for (size_t v = 0; v < s->n_var; v++) {
            pf_results_variant_name(s, v, name, sizeof name);
            if (strcmp(name, variant) != 0) continue;
            const pf_summary_full *x = pf_results_summary(s, s->primary, v);
            pf_final_set_summary(f, x->s.n, s->metrics->slot[s->primary].name, x->s.mean, x->s.sd,
                                 x->worst, &e);
        }
    pf_results_free(s);
}

/* dir/fitted.csv: the final model's own predictions of every window it was fitted on (in
 * sample), one row per (window, output): what an export of it must reproduce. */
static int write_fitted(const pf_results *r, size_t v, const char *dir, pf_error *err)
{
    pf_outfile o;
    if (pf_outfile_open(&o, dir, "fitted.csv", err) != PF_OK) return err->code;
    int labels = r->pred_class != NULL;
    fputs("participant,window,output,prediction\n", o.fp);
    for (size_t p = 0; p < r->n_part; p++)
        for (size_t w = r->window_first[p]; w < r->window_first[p + 1]; w++) {
            const double *x = r->pred + (v * r->n_rep * r->n_win + w) * r->n_pred;
            for (size_t k = 0; k < r->n_pred; k++) {
                pf_csvout_field(o.fp, r->participant_ids[p]);
                fprintf(o.fp, ",%lld,", r->window_row[w]);
                pf_csvout_field(o.fp, labels ? r->class_names[k] : r->target_names[k]);
                pf_numtext_put(o.fp, ",", x[k]);
                fputc('\n', o.fp);
            }
        }
    return pf_outfile_commit(&o, err);
}

int pf_fit_save(const pf_results *r, size_t v, const pf_config *cfg, const char *study_results,
                const char *dir, pf_error *err)
{
    const pf_variant *x = &r->variant[v];
    char name[2 * PF_MAX_NAME], path[PF_MAX_STR + 300];
    pf_results_variant_name(r, v, name, sizeof name);
    size_t dims[PF_MAX_LIST + 2];
    for (size_t l = 0; l < r->n_dims; l++) dims[l] = (size_t)r->dims[l];
    pf_mlp *m = pf_mlp_alloc(dims[0], r->dims + 1, r->n_dims - 2, dims[r->n_dims - 1],
                             cfg->activation, err);
    if (!m) return err->code;
    pf_fit_weights(r, v, m);
    pf_transform tf = {r->n_features, r->feature_fill, r->feature_shift, r->feature_scale,
                       r->n_targets,  r->target_shift, r->target_scale};
    int labels = r->n_classes > 0; /* a classification: its outputs are class logits */
    pf_final *f = pf_final_from(m, &tf, cfg, r->task, (const char *const *)r->feature_names,
                                (const char *const *)r->target_names, r->n_targets,
                                labels ? (const char *const *)r->class_names : NULL,
                                labels ? r->n_classes : 0, err);
    pf_cluster *c = NULL;
    if (f && pf_final_set_variant(f, name, r->crit[x->crit], x->sparsity, x->clusters, x->bits,
                                  err) == PF_OK) {
        long q = pf_results_quant_index(r, v);
        if (x->bits < 32 && q >= 0)
            pf_final_set_integers(f, r->quant_q + (size_t)q * r->n_params,
                                  r->quant_scale + (size_t)q * r->n_units, err);
        if (err->code == PF_OK && x->clusters > 0 && (c = clustering_of(m, x->clusters, err)))
            pf_final_set_clusters(f, c, err);
    }
    if (err->code == PF_OK) {
        study_summary(f, cfg, name, study_results);
        if (pf_path_make_dirs(dir, err) != PF_OK)
            ;
        else if (snprintf(path, sizeof path, "%s/model.h5", dir) >= (int)sizeof path)
            pf_error_set(err, PF_ERUNTIME, "output path too long: %s", dir);
        else if (write_fitted(r, v, dir, err) != PF_OK || pf_final_write(f, path, err) != PF_OK) {
            snprintf(path, sizeof path, "%s/fitted.csv", dir);
            unlink(path);
            rmdir(dir);
        }
    }
    pf_cluster_free(c);
    pf_final_free(f);
    pf_mlp_free(m);
    return err->code;
}
