/* final.c: the final model in memory, its checks, and model.h5 (see final.h). */
#include "deploy/final.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "base/alloc.h"
#include "base/h5.h"
#include "base/h5seal.h"
#include "base/outfile.h"
#include "base/path.h"
#include "base/version.h"
#include "config/task.h"

static int check_integers(const pf_final *f, pf_error *err);
static int check_clusters(const pf_final *f, pf_error *err);

/* The activation's name as model.activation spells it ("" for a value that is none). */
static const char *act_name(pf_activation act, char *buf)
{
    pf_config_choice_name("model", "activation", (int)act, buf, PF_MAX_NAME);
    return buf;
}

/* ---- memory ------------------------------------------------------------------------------- */

static void free_names(char **s, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++) free(s[i]);
    free(s);
}

void pf_final_free(pf_final *f)
{
    if (f == NULL) return;
    free(f->config_text), free(f->variant), free(f->criterion);
    free_names(f->feature_names, f->n_features);
    free(f->fill), free(f->shift), free(f->scale);
    free_names(f->target_names, f->n_targets);
    free(f->target_shift), free(f->target_scale);
    free_names(f->class_names, f->n_classes);
    pf_mlp_free(f->model);
    free(f->q), free(f->unit_scale), free(f->assign), free(f->codebook);
    free(f->summary_metric);
    free(f);
}

/* n names, each "" (so a reader never meets NULL). */
static char **empty_names(size_t n, pf_error *err)
{
    char **s = pf_alloc(n, sizeof *s, err);
    for (size_t i = 0; s != NULL && i < n; i++)
        if ((s[i] = pf_alloc_text("", err)) == NULL) {
            free_names(s, i);
            return NULL;
        }
    return s;
}

/* Replace *dst by a copy of src. */
static int set_text(char **dst, const char *src, pf_error *err)
{
    char *t = pf_alloc_text(src ? src : "", err);
    if (t == NULL) return err->code;
    free(*dst);
    *dst = t;
    return PF_OK;
}

static size_t n_units(const pf_mlp *m)
{
    size_t u = 0;
    for (size_t l = 0; l < m->n_layers; l++) u += m->dims[l + 1];
    return u;
}

pf_final *pf_final_alloc(pf_task_kind task, const size_t *dims, size_t n_layers, pf_activation act,
                         size_t n_targets, size_t n_classes, pf_error *err)
{
    const pf_task_shape *shape = pf_task_shape_of(task, n_targets);
    char name[PF_MAX_NAME];
    if (n_layers < 1 || !act_name(act, name)[0]) {
        pf_error_set(err, PF_EINPUT, "final model: %zu weight layers and activation %d", n_layers,
                     (int)act);
        return NULL;
    }
    size_t want = shape->labels ? n_classes : n_targets;
    if (dims[n_layers] != want || n_targets == 0 || (shape->labels ? n_classes < 2 : n_classes)) {
        pf_error_set(err, PF_EINPUT,
                     "final model: %zu outputs for a %s of %zu targets and %zu classes",
                     dims[n_layers], pf_task_name(task), n_targets, n_classes);
        return NULL;
    }
    pf_final *f = pf_alloc(1, sizeof *f, err);
    if (f == NULL) return NULL;
    f->task = task;
    f->bits = 32;
    f->n_features = dims[0];
    f->n_targets = n_targets;
    f->n_classes = n_classes;
    int *hidden = pf_alloc(n_layers, sizeof *hidden, err);
    for (size_t l = 1; hidden && l < n_layers; l++) hidden[l - 1] = (int)dims[l];
    if (hidden) f->model = pf_mlp_alloc(dims[0], hidden, n_layers - 1, dims[n_layers], act, err);
    free(hidden);
    size_t d = dims[0];
    f->feature_names = empty_names(d, err);
    f->fill = pf_alloc(d, sizeof *f->fill, err);
    f->shift = pf_alloc(d, sizeof *f->shift, err);
    f->scale = pf_alloc(d, sizeof *f->scale, err);
    f->target_names = empty_names(n_targets, err);
    f->target_shift = pf_alloc(n_targets, sizeof *f->target_shift, err);
    f->target_scale = pf_alloc(n_targets, sizeof *f->target_scale, err);
    if (n_classes) f->class_names = empty_names(n_classes, err);
    f->config_text = pf_alloc_text("", err);
    f->variant = pf_alloc_text("float32", err);
    f->criterion = pf_alloc_text("", err);
    f->summary_metric = pf_alloc_text("", err);
    if (err->code != PF_OK || f->model == NULL) {
        pf_final_free(f);
        return NULL;
    }
    for (size_t j = 0; j < d; j++) f->fill[j] = NAN, f->scale[j] = 1;
    for (size_t k = 0; k < n_targets; k++) f->target_scale[k] = 1;
    for (size_t j = 0; j < f->model->n_params; j++) f->model->mask[j] = 1;
    snprintf(f->version, sizeof f->version, "%s", PACKAGE_VERSION);
    return f;
}

pf_final *pf_final_from(const pf_mlp *m, const pf_transform *tf, const pf_config *cfg,
                        pf_task_kind task, const char *const *feature_names,
                        const char *const *target_names, size_t n_targets,
                        const char *const *class_names, size_t n_classes, pf_error *err)
{
    if (tf && (tf->n_features != m->dims[0] || tf->n_targets != n_targets)) {
        pf_error_set(err, PF_EINPUT,
                     "final model: the transform has %zu features and %zu targets, the model %zu "
                     "inputs and the data %zu targets",
                     tf->n_features, tf->n_targets, m->dims[0], n_targets);
        return NULL;
    }
    pf_final *f = pf_final_alloc(task, m->dims, m->n_layers, m->act, n_targets, n_classes, err);
    if (f == NULL) return NULL;
    /* The evaluated parameters: what forward multiplies by (params * mask), a pruned one +0. */
    for (size_t j = 0; j < m->n_params; j++) {
        f->model->mask[j] = m->mask[j] != 0.0f ? 1.0f : 0.0f;
        f->model->params[j] = m->mask[j] != 0.0f ? m->params[j] * m->mask[j] : 0.0f;
    }
    int rc = PF_OK;
    char num[32];
    for (size_t j = 0; rc == PF_OK && j < f->n_features; j++) {
        snprintf(num, sizeof num, "x%zu", j + 1);
        rc = set_text(&f->feature_names[j], feature_names ? feature_names[j] : num, err);
        if (tf) f->fill[j] = tf->fill[j], f->shift[j] = tf->shift[j], f->scale[j] = tf->scale[j];
    }
    for (size_t k = 0; rc == PF_OK && k < n_targets; k++) {
        snprintf(num, sizeof num, "y%zu", k + 1);
        rc = set_text(&f->target_names[k], target_names ? target_names[k] : num, err);
        if (tf) f->target_shift[k] = tf->target_shift[k], f->target_scale[k] = tf->target_scale[k];
    }
    for (size_t c = 0; rc == PF_OK && c < n_classes; c++) {
        snprintf(num, sizeof num, "%zu", c);
        rc = set_text(&f->class_names[c], class_names ? class_names[c] : num, err);
    }
    if (rc == PF_OK && cfg) {
        snprintf(f->config_hash, sizeof f->config_hash, "%s", cfg->hash);
        snprintf(f->data_sha256, sizeof f->data_sha256, "%s", cfg->data_sha256);
        char *text = pf_config_dump(cfg, 0);
        rc = text ? set_text(&f->config_text, text, err)
                  : pf_error_set(err, PF_ERUNTIME, "final model: the config's text failed");
        free(text);
    }
    if (rc != PF_OK) {
        pf_final_free(f);
        return NULL;
    }
    return f;
}

int pf_final_set_variant(pf_final *f, const char *variant, const char *criterion, double sparsity,
                         int clusters, int bits, pf_error *err)
{
    if (!(bits == 32 || (bits >= 2 && bits <= 8)))
        return pf_error_set(err, PF_EINPUT, "final model: %d bits (2..8, or 32 for float32)", bits);
    if (clusters != 0 && (clusters < PF_CLUSTER_MIN_K || clusters > PF_CLUSTER_MAX_K))
        return pf_error_set(err, PF_EINPUT, "final model: %d clusters (0, or %d..%d)", clusters,
                            PF_CLUSTER_MIN_K, PF_CLUSTER_MAX_K);
    if (set_text(&f->variant, variant, err) != PF_OK ||
        set_text(&f->criterion, criterion, err) != PF_OK)
        return err->code;
    const pf_mlp *m = f->model;
    free(f->q), free(f->unit_scale), free(f->assign), free(f->codebook);
    f->q = NULL, f->unit_scale = NULL, f->assign = NULL, f->codebook = NULL;
    f->sparsity = sparsity, f->clusters = clusters, f->bits = bits;
    if (bits < 32) {
        f->q = pf_alloc(m->n_params, sizeof *f->q, err);
        f->unit_scale = pf_alloc(n_units(m), sizeof *f->unit_scale, err);
    }
    if (clusters > 0) {
        f->assign = pf_alloc(m->n_params, sizeof *f->assign, err);
        f->codebook = pf_alloc(m->n_layers * (size_t)clusters, sizeof *f->codebook, err);
        for (size_t j = 0; f->assign && j < m->n_params; j++) f->assign[j] = -1;
    }
    return err->code;
}

int pf_final_set_integers(pf_final *f, const int8_t *q, const float *unit_scale, pf_error *err)
{
    if (f->q == NULL)
        return pf_error_set(err, PF_EINPUT,
                            "final model: integers for a float32 variant (set_variant first)");
    memcpy(f->q, q, f->model->n_params * sizeof *q);
    memcpy(f->unit_scale, unit_scale, n_units(f->model) * sizeof *unit_scale);
    return check_integers(f, err);
}

int pf_final_set_clusters(pf_final *f, const pf_cluster *c, pf_error *err)
{
    const pf_mlp *m = f->model;
    if (f->assign == NULL || c->k != f->clusters || c->n_layers != m->n_layers ||
        c->n_params != m->n_params)
        return pf_error_set(err, PF_EINPUT,
                            "final model: a clustering of %d centroids over %zu parameters for a "
                            "variant of %d clusters over %zu",
                            c->k, c->n_params, f->clusters, m->n_params);
    memcpy(f->assign, c->assign, m->n_params * sizeof *f->assign);
    for (size_t l = 0; l < m->n_layers; l++)
        memcpy(f->codebook + l * (size_t)c->k, c->layer[l].centroid,
               (size_t)c->k * sizeof *f->codebook);
    return check_clusters(f, err);
}

int pf_final_set_summary(pf_final *f, size_t participants, const char *metric, double mean,
                         double sd, double worst, pf_error *err)
{
    if (set_text(&f->summary_metric, metric, err) != PF_OK) return err->code;
    f->summary_participants = participants;
    f->summary_mean = mean, f->summary_sd = sd, f->summary_worst = worst;
    return PF_OK;
}

size_t pf_final_n_outputs(const pf_final *f)
{
    return pf_task_outputs(pf_task_shape_of(f->task, f->n_targets), f->n_targets, f->n_classes);
}

int pf_final_is_classifier(const pf_final *f)
{
    return pf_task_shape_of(f->task, f->n_targets)->labels;
}

/* ---- the checks --------------------------------------------------------------------------- */

static int not_plus_zero(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u != 0;
}

static int same_float(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static int check_names(char *const *s, size_t n, const char *what, pf_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (s == NULL || s[i] == NULL || s[i][0] == '\0')
            return pf_error_set(err, PF_EINPUT, "final model: %s %zu has no name", what, i + 1);
    return PF_OK;
}

static int check_weights(const pf_final *f, pf_error *err)
{
    const pf_mlp *m = f->model;
    for (size_t j = 0; j < m->n_params; j++) {
        float w = m->params[j], k = m->mask[j];
        if (k != 0.0f && k != 1.0f)
            return pf_error_set(err, PF_EINPUT, "final model: mask[%zu] = %g, not 0 or 1", j, k);
        if (!isfinite(w))
            return pf_error_set(err, PF_EINPUT, "final model: parameter %zu is not finite", j);
        if (k == 0.0f && not_plus_zero(w))
            return pf_error_set(err, PF_EINPUT,
                                "final model: pruned parameter %zu is %a, not +0 (the evaluated "
                                "parameters are params * mask)",
                                j, w);
    }
    return PF_OK;
}

/* The integers rebuild every weight: w' = (float)((double)s q). */
static int check_integers(const pf_final *f, pf_error *err)
{
    const pf_mlp *m = f->model;
    if (f->bits < 32) {
        if (f->q == NULL || f->unit_scale == NULL)
            return pf_error_set(err, PF_EINPUT, "final model: %d bits without integers", f->bits);
        int qmax = (1 << (f->bits - 1)) - 1;
        size_t u0 = 0;
        for (size_t l = 0; l < m->n_layers; l++) {
            size_t rows = m->dims[l + 1], cols = m->dims[l];
            for (size_t i = 0; i < rows; i++) {
                float s = f->unit_scale[u0 + i];
                if (!(s > 0.0f) || !isfinite(s))
                    return pf_error_set(err, PF_EINPUT, "final model: unit %zu's scale is %g",
                                        u0 + i, s);
                for (size_t c = 0; c < cols; c++) {
                    size_t j = m->w_off[l] + i * cols + c;
                    int q = f->q[j];
                    if (q < -qmax || q > qmax || (m->mask[j] == 0.0f && q != 0) ||
                        !same_float((float)((double)s * q), m->params[j]))
                        return pf_error_set(err, PF_EINPUT,
                                            "final model: weight %zu (%a) is not its scale %a "
                                            "times its %d-bit integer %d",
                                            j, m->params[j], s, f->bits, q);
                }
                if (f->q[m->b_off[l] + i] != 0)
                    return pf_error_set(
                        err, PF_EINPUT,
                        "final model: bias %zu has an integer (biases stay float32)",
                        m->b_off[l] + i);
            }
            u0 += rows;
        }
    }
    return PF_OK;
}

/* Every kept weight holds its centroid; pruned weights and biases have none. */
static int check_clusters(const pf_final *f, pf_error *err)
{
    const pf_mlp *m = f->model;
    if (f->clusters > 0) {
        size_t K = (size_t)f->clusters;
        if (f->assign == NULL || f->codebook == NULL)
            return pf_error_set(err, PF_EINPUT, "final model: %zu clusters without a codebook", K);
        for (size_t j = 0; j < m->n_params; j++) {
            int a = f->assign[j], weight = pf_mlp_is_weight(m, j);
            size_t l = pf_mlp_layer_of(m, j);
            int kept = weight && m->mask[j] != 0.0f;
            if (kept ? (a < 0 || (size_t)a >= K ||
                        !same_float(f->codebook[l * K + (size_t)a], m->params[j]))
                     : a != -1)
                return pf_error_set(err, PF_EINPUT,
                                    "final model: parameter %zu (%a, %s) has centroid %d, which "
                                    "does not hold its value",
                                    j, m->params[j], kept ? "kept" : "pruned or a bias", a);
        }
        for (size_t i = 0; i < m->n_layers * K; i++)
            if (!isfinite(f->codebook[i]))
                return pf_error_set(err, PF_EINPUT, "final model: centroid %zu is not finite", i);
    }
    return PF_OK;
}

int pf_final_check(const pf_final *f, pf_error *err)
{
    const pf_mlp *m = f->model;
    if (m == NULL) return pf_error_set(err, PF_EINPUT, "final model: no model");
    if (f->n_features != m->dims[0])
        return pf_error_set(err, PF_EINPUT, "final model: %zu features for a model of %zu inputs",
                            f->n_features, m->dims[0]);
    if (f->n_targets == 0 || pf_final_n_outputs(f) != pf_mlp_n_out(m) ||
        (pf_final_is_classifier(f) ? f->n_classes < 2 : f->n_classes != 0))
        return pf_error_set(err, PF_EINPUT,
                            "final model: a %s of %zu targets and %zu classes needs %zu outputs; "
                            "the model has %zu",
                            pf_task_name(f->task), f->n_targets, f->n_classes,
                            pf_final_n_outputs(f), pf_mlp_n_out(m));
    char name[PF_MAX_NAME];
    if (!act_name(m->act, name)[0])
        return pf_error_set(err, PF_EINPUT, "final model: unknown activation %d", (int)m->act);
    if (check_names(f->feature_names, f->n_features, "feature", err) != PF_OK ||
        check_names(f->target_names, f->n_targets, "target", err) != PF_OK ||
        check_names(f->class_names, f->n_classes, "class", err) != PF_OK)
        return err->code;
    for (size_t j = 0; j < f->n_features; j++)
        if (!isfinite(f->shift[j]) || !isfinite(f->scale[j]) || f->scale[j] == 0 ||
            isinf(f->fill[j]))
            return pf_error_set(err, PF_EINPUT,
                                "final model: feature '%s' has fill %g, shift %g, scale %g",
                                f->feature_names[j], f->fill[j], f->shift[j], f->scale[j]);
    for (size_t k = 0; k < f->n_targets; k++)
        if (!isfinite(f->target_shift[k]) || !isfinite(f->target_scale[k]) ||
            f->target_scale[k] == 0)
            return pf_error_set(err, PF_EINPUT,
                                "final model: target '%s' has shift %g and scale %g",
                                f->target_names[k], f->target_shift[k], f->target_scale[k]);
    if (!(f->bits == 32 || (f->bits >= 2 && f->bits <= 8)))
        return pf_error_set(err, PF_EINPUT, "final model: %d bits (2..8, or 32)", f->bits);
    if (f->clusters != 0 && (f->clusters < PF_CLUSTER_MIN_K || f->clusters > PF_CLUSTER_MAX_K))
        return pf_error_set(err, PF_EINPUT, "final model: %d clusters", f->clusters);
    if (!f->variant || !f->variant[0] || !f->criterion || !f->config_text || !f->summary_metric)
        return pf_error_set(err, PF_EINPUT, "final model: the variant has no name");
    if (check_weights(f, err) != PF_OK || check_integers(f, err) != PF_OK) return err->code;
    return check_clusters(f, err);
}

/* ---- model.h5 ----------------------------------------------------------------------------- */

#define STRS(a) ((const char *const *)(a))

static void write_all(pf_h5 *h, const pf_final *f)
{
    hid_t root = h->file;
    const pf_mlp *m = f->model;
    pf_h5_attr_str(h, root, "schema", PF_FINAL_SCHEMA);
    pf_h5_attr_str(h, root, "program_version", f->version);
    pf_h5_attr_str(h, root, "config_hash", f->config_hash);
    pf_h5_attr_str(h, root, "data_sha256", f->data_sha256);
    pf_h5_attr_str(h, root, "config_text", f->config_text);
    pf_h5_attr_str(h, root, "variant", f->variant);
    pf_h5_attr_str(h, root, "criterion", f->criterion);
    pf_h5_attr_num(h, root, "sparsity", f->sparsity);
    pf_h5_attr_num(h, root, "clusters", f->clusters);
    pf_h5_attr_num(h, root, "bits", f->bits);
    pf_h5_attr_str(h, root, "task", pf_task_name(f->task));

    hid_t g = pf_h5_group(h, root, "data");
    if (g >= 0) {
        hsize_t d = f->n_features, t = f->n_targets;
        pf_h5_strings(h, g, "feature_names", STRS(f->feature_names), f->n_features);
        pf_h5_doubles(h, g, "fill", 1, &d, f->fill);
        pf_h5_doubles(h, g, "shift", 1, &d, f->shift);
        pf_h5_doubles(h, g, "scale", 1, &d, f->scale);
        pf_h5_strings(h, g, "target_names", STRS(f->target_names), f->n_targets);
        pf_h5_doubles(h, g, "target_shift", 1, &t, f->target_shift);
        pf_h5_doubles(h, g, "target_scale", 1, &t, f->target_scale);
        if (f->n_classes) pf_h5_strings(h, g, "class_names", STRS(f->class_names), f->n_classes);
        H5Gclose(g);
    }
    g = pf_h5_group(h, root, "model");
    if (g >= 0) {
        char name[PF_MAX_NAME];
        pf_h5_attr_str(h, g, "activation", act_name(m->act, name));
        hsize_t nd = m->n_layers + 1, np = m->n_params, nu = n_units(m);
        long long dims[64];
        for (size_t l = 0; l <= m->n_layers && l < 64; l++) dims[l] = (long long)m->dims[l];
        pf_h5_array(h, g, "dims", H5T_NATIVE_LLONG, 1, &nd, dims);
        pf_h5_array(h, g, "params", H5T_NATIVE_FLOAT, 1, &np, m->params);
        pf_h5_array(h, g, "mask", H5T_NATIVE_FLOAT, 1, &np, m->mask);
        if (f->bits < 32) {
            pf_h5_array(h, g, "q", H5T_NATIVE_INT8, 1, &np, f->q);
            pf_h5_array(h, g, "unit_scale", H5T_NATIVE_FLOAT, 1, &nu, f->unit_scale);
        }
        if (f->clusters > 0) {
            hsize_t cb[2] = {m->n_layers, (hsize_t)f->clusters};
            pf_h5_array(h, g, "assign", H5T_NATIVE_INT16, 1, &np, f->assign);
            pf_h5_array(h, g, "codebook", H5T_NATIVE_FLOAT, 2, cb, f->codebook);
        }
        H5Gclose(g);
    }
    if (f->summary_participants) {
        g = pf_h5_group(h, root, "summary");
        if (g >= 0) {
            pf_h5_attr_num(h, g, "participants", (double)f->summary_participants);
            pf_h5_attr_str(h, g, "metric", f->summary_metric);
            pf_h5_attr_num(h, g, "mean", f->summary_mean);
            pf_h5_attr_num(h, g, "sd", f->summary_sd);
            pf_h5_attr_num(h, g, "worst", f->summary_worst);
            H5Gclose(g);
        }
    }
}

int pf_final_write(const pf_final *f, const char *path, pf_error *err)
{
    if (pf_final_check(f, err) != PF_OK) return err->code;
    if (f->model->n_layers >= 64)
        return pf_error_set(err, PF_EINPUT, "final model: %zu layers", f->model->n_layers);
    /* path = dir/name, for outfile's temporary name beside it */
    char dir[1024];
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path == 0 ? 1 : slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    pf_outfile out;
    if (pf_path_check_dir(dir, err) != PF_OK || pf_outfile_names(&out, dir, name, err) != PF_OK)
        return err->code;
    pf_h5_quiet();
    hid_t file = pf_h5seal_create(out.tmp);
    if (file < 0)
        return pf_error_set(err, PF_ERUNTIME,
                            "cannot create '%s' (does the folder exist and may "
                            "it be written?)",
                            out.tmp);
    pf_h5 h = {.file = file};
    write_all(&h, f);
    if (h.failed) pf_error_set(err, PF_ERUNTIME, "writing '%s' of '%s' failed", h.what, out.tmp);
    if (pf_h5seal_close(file, out.tmp) != 0 && err->code == PF_OK)
        pf_error_set(err, PF_ERUNTIME, "closing '%s' failed: %s", out.tmp, strerror(errno));
    if (err->code != PF_OK) {
        unlink(out.tmp);
        return err->code;
    }
    return pf_outfile_rename(&out, err);
}

/* ---- reading ------------------------------------------------------------------------------- */

#define FIX "give the model.h5 of a run_experiment --final"

typedef struct {
    hid_t f;
    const char *path;
    pf_error *err;
} reader;

static int bad(reader *rd, const char *what)
{
    return pf_error_set(rd->err, PF_EINPUT, "'%s' is not a complete final model: %s; " FIX,
                        rd->path, what);
}

static int attr_text(reader *rd, const char *obj, const char *name, char **out)
{
    char *s = pf_h5_read_attr_str(rd->f, obj, name);
    if (s == NULL) return bad(rd, name);
    free(*out);
    *out = s;
    return PF_OK;
}

static int attr_fixed(reader *rd, const char *name, char *out, size_t cap)
{
    char *s = pf_h5_read_attr_str(rd->f, "/", name);
    if (s == NULL) return bad(rd, name);
    snprintf(out, cap, "%s", s);
    free(s);
    return PF_OK;
}

static int attr_num(reader *rd, const char *obj, const char *name, double *out)
{
    return pf_h5_read_attr_num(rd->f, obj, name, out) == 0 ? PF_OK : bad(rd, name);
}

static int array(reader *rd, const char *name, hid_t type, size_t n, void *out)
{
    return pf_h5_read_array(rd->f, name, type, n, out) == 0 ? PF_OK : bad(rd, name);
}

static int names(reader *rd, const char *name, size_t n, char **out)
{
    char **tmp = pf_alloc(n, sizeof *tmp, rd->err);
    if (tmp == NULL) return rd->err->code;
    if (pf_h5_read_strings(rd->f, name, n, tmp) != 0) {
        free(tmp);
        return bad(rd, name);
    }
    for (size_t i = 0; i < n; i++) free(out[i]), out[i] = tmp[i];
    free(tmp);
    return PF_OK;
}

static pf_final *read_shape(reader *rd)
{
    char *schema = NULL, *task_name = NULL, *act_text = NULL;
    pf_final *f = NULL;
    if (attr_text(rd, "/", "schema", &schema) != PF_OK) goto out;
    if (strcmp(schema, PF_FINAL_SCHEMA) != 0) {
        pf_error_set(rd->err, PF_EINPUT, "'%s' has schema '%s'; this program reads '%s'; " FIX,
                     rd->path, schema, PF_FINAL_SCHEMA);
        goto out;
    }
    pf_task_kind task;
    if (attr_text(rd, "/", "task", &task_name) != PF_OK ||
        attr_text(rd, "/model", "activation", &act_text) != PF_OK)
        goto out;
    if (!pf_task_from_name(task_name, &task)) {
        bad(rd, "its task is unknown");
        goto out;
    }
    int act = pf_config_choice_value("model", "activation", act_text);
    size_t nd = pf_h5_size(rd->f, "/model/dims"), nt = pf_h5_size(rd->f, "/data/target_names");
    size_t nc =
        pf_h5_exists(rd->f, "/data/class_names") ? pf_h5_size(rd->f, "/data/class_names") : 0;
    if (act < 0 || nd < 2 || nd > 64 || nt == 0) {
        bad(rd, "its activation, dims or targets are malformed");
        goto out;
    }
    long long d[64];
    size_t dims[64];
    if (array(rd, "/model/dims", H5T_NATIVE_LLONG, nd, d) != PF_OK) goto out;
    for (size_t i = 0; i < nd; i++) {
        if (d[i] < 1 || d[i] > 1 << 20) {
            bad(rd, "its dims are out of range");
            goto out;
        }
        dims[i] = (size_t)d[i];
    }
    f = pf_final_alloc(task, dims, nd - 1, (pf_activation)act, nt, nc, rd->err);
out:
    free(schema), free(task_name), free(act_text);
    return f;
}

static int read_body(reader *rd, pf_final *f)
{
    double sparsity, clusters, bits;
    if (attr_fixed(rd, "program_version", f->version, sizeof f->version) != PF_OK ||
        attr_fixed(rd, "config_hash", f->config_hash, sizeof f->config_hash) != PF_OK ||
        attr_fixed(rd, "data_sha256", f->data_sha256, sizeof f->data_sha256) != PF_OK ||
        attr_text(rd, "/", "config_text", &f->config_text) != PF_OK ||
        attr_text(rd, "/", "variant", &f->variant) != PF_OK ||
        attr_text(rd, "/", "criterion", &f->criterion) != PF_OK ||
        attr_num(rd, "/", "sparsity", &sparsity) != PF_OK ||
        attr_num(rd, "/", "clusters", &clusters) != PF_OK ||
        attr_num(rd, "/", "bits", &bits) != PF_OK)
        return rd->err->code;
    if (!(bits == 32 || (bits >= 2 && bits <= 8)) ||
        !(clusters == 0 || (clusters >= 2 && clusters <= 256)))
        return bad(rd, "its bits or clusters are out of range");
    char *variant = f->variant, *criterion = f->criterion;
    f->variant = NULL, f->criterion = NULL;
    int rc =
        pf_final_set_variant(f, variant, criterion, sparsity, (int)clusters, (int)bits, rd->err);
    free(variant), free(criterion);
    if (rc != PF_OK) return rc;
    pf_mlp *m = f->model;
    size_t d = f->n_features, t = f->n_targets;
    if (names(rd, "/data/feature_names", d, f->feature_names) != PF_OK ||
        array(rd, "/data/fill", H5T_NATIVE_DOUBLE, d, f->fill) != PF_OK ||
        array(rd, "/data/shift", H5T_NATIVE_DOUBLE, d, f->shift) != PF_OK ||
        array(rd, "/data/scale", H5T_NATIVE_DOUBLE, d, f->scale) != PF_OK ||
        names(rd, "/data/target_names", t, f->target_names) != PF_OK ||
        array(rd, "/data/target_shift", H5T_NATIVE_DOUBLE, t, f->target_shift) != PF_OK ||
        array(rd, "/data/target_scale", H5T_NATIVE_DOUBLE, t, f->target_scale) != PF_OK ||
        (f->n_classes && names(rd, "/data/class_names", f->n_classes, f->class_names) != PF_OK) ||
        array(rd, "/model/params", H5T_NATIVE_FLOAT, m->n_params, m->params) != PF_OK ||
        array(rd, "/model/mask", H5T_NATIVE_FLOAT, m->n_params, m->mask) != PF_OK)
        return rd->err->code;
    if (f->bits < 32 &&
        (array(rd, "/model/q", H5T_NATIVE_INT8, m->n_params, f->q) != PF_OK ||
         array(rd, "/model/unit_scale", H5T_NATIVE_FLOAT, n_units(m), f->unit_scale) != PF_OK))
        return rd->err->code;
    if (f->clusters > 0 &&
        (array(rd, "/model/assign", H5T_NATIVE_INT16, m->n_params, f->assign) != PF_OK ||
         array(rd, "/model/codebook", H5T_NATIVE_FLOAT, m->n_layers * (size_t)f->clusters,
               f->codebook) != PF_OK))
        return rd->err->code;
    if (pf_h5_exists(rd->f, "/summary")) {
        double n;
        if (attr_num(rd, "/summary", "participants", &n) != PF_OK ||
            attr_text(rd, "/summary", "metric", &f->summary_metric) != PF_OK ||
            attr_num(rd, "/summary", "mean", &f->summary_mean) != PF_OK ||
            attr_num(rd, "/summary", "sd", &f->summary_sd) != PF_OK ||
            attr_num(rd, "/summary", "worst", &f->summary_worst) != PF_OK)
            return rd->err->code;
        if (!(n >= 0 && n < 1e15)) return bad(rd, "its summary's participants are out of range");
        f->summary_participants = (size_t)n;
    }
    pf_error inner;
    pf_error_clear(&inner);
    if (pf_final_check(f, &inner) != PF_OK) return bad(rd, inner.msg);
    return PF_OK;
}

pf_final *pf_final_read(const char *path, pf_error *err)
{
    pf_h5_quiet();
    hid_t file = pf_h5seal_open(path, FIX, err);
    if (file < 0) return NULL;
    reader rd = {file, path, err};
    pf_final *f = read_shape(&rd);
    if (f && read_body(&rd, f) != PF_OK) {
        pf_final_free(f);
        f = NULL;
    }
    H5Fclose(file);
    return f;
}

/* ---- equality ------------------------------------------------------------------------------ */

static int same_doubles(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof a[i]) != 0 && !(isnan(a[i]) && isnan(b[i]))) return 0;
    return 1;
}

static int same_bytes(const void *a, const void *b, size_t n)
{
    return (a == NULL) == (b == NULL) && (a == NULL || memcmp(a, b, n) == 0);
}

static int same_names(char *const *a, char *const *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i], b[i]) != 0) return 0;
    return 1;
}

int pf_final_equal(const pf_final *a, const pf_final *b)
{
    const pf_mlp *ma = a->model, *mb = b->model;
    if (strcmp(a->version, b->version) || strcmp(a->config_hash, b->config_hash) ||
        strcmp(a->data_sha256, b->data_sha256) || strcmp(a->config_text, b->config_text) ||
        strcmp(a->variant, b->variant) || strcmp(a->criterion, b->criterion) ||
        !same_doubles(&a->sparsity, &b->sparsity, 1) || a->clusters != b->clusters ||
        a->bits != b->bits || a->task != b->task || a->n_features != b->n_features ||
        a->n_targets != b->n_targets || a->n_classes != b->n_classes ||
        ma->n_layers != mb->n_layers || ma->act != mb->act || ma->n_params != mb->n_params ||
        a->summary_participants != b->summary_participants)
        return 0;
    size_t d = a->n_features, t = a->n_targets, np = ma->n_params;
    if (!same_names(a->feature_names, b->feature_names, d) ||
        !same_names(a->target_names, b->target_names, t) ||
        !same_names(a->class_names, b->class_names, a->n_classes) ||
        !same_doubles(a->fill, b->fill, d) || !same_doubles(a->shift, b->shift, d) ||
        !same_doubles(a->scale, b->scale, d) ||
        !same_doubles(a->target_shift, b->target_shift, t) ||
        !same_doubles(a->target_scale, b->target_scale, t))
        return 0;
    for (size_t l = 0; l <= ma->n_layers; l++)
        if (ma->dims[l] != mb->dims[l]) return 0;
    if (!same_bytes(ma->params, mb->params, np * sizeof *ma->params) ||
        !same_bytes(ma->mask, mb->mask, np * sizeof *ma->mask) ||
        !same_bytes(a->q, b->q, np * sizeof *a->q) ||
        !same_bytes(a->unit_scale, b->unit_scale, n_units(ma) * sizeof *a->unit_scale) ||
        !same_bytes(a->assign, b->assign, np * sizeof *a->assign) ||
        !same_bytes(a->codebook, b->codebook,
                    ma->n_layers * (size_t)a->clusters * sizeof *a->codebook))
        return 0;
    if (a->summary_participants && (strcmp(a->summary_metric, b->summary_metric) ||
                                    !same_doubles(&a->summary_mean, &b->summary_mean, 1) ||
                                    !same_doubles(&a->summary_sd, &b->summary_sd, 1) ||
                                    !same_doubles(&a->summary_worst, &b->summary_worst, 1)))
        return 0;
    return 1;
}
