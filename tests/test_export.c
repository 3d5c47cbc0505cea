/* test_export.c: the final model and its exports (deploy/final.h, deploy/export.h).
 *
 * Models built by hand from small networks -- a regression of 2 targets with target scaling and
 * a classification of 3 classes; relu, tanh, sigmoid and elu; float32 dense, pruned 80% (CSR),
 * 4 bits (integers two per byte, layers of 63 and 21 weights and rows of 9 and 7: a half-used
 * last byte), 4 bits pruned 95% (CSR, one kept weight in a layer), 2 bits, 8 bits pruned 90%
 * (CSR), clustered 16 with a 4-bit codebook (indices one byte each: 16 centroids and the pruned
 * code), clustered 15 (the pruned code 15, indices two per byte), float32 codebooks of 8 pruned
 * 85% and of 4 pruned 93% (CSR, 3 kept: packed indices of a CSR layer), a hidden layer of 300
 * at 4 bits pruned 95% and in float32 pruned 80% (CSR layers with byte column indices and with
 * 16-bit ones past 256 inputs, byte and 16-bit row pointers); a feature imputed, a feature
 * without a fill value -- go through model.h5 and back unchanged; then their exported C,
 * compiled by the system cc (-std=c99 -O2 -Wall -Wextra -Werror, and again in GNU mode with the
 * host's FMA, where only the pragma of model.c stops a * b + c being fused), runs on a few hundred
 * rows (random, and the awkward ones: empty cells, -0, infinities, values that overflow float) and
 * must print exactly what prunefair's own pipeline computes (pf_transform_window, pf_mlp_forward,
 * pf_transform_target_inverse or the softmax of results/predictions.c), every number as %a. A
 * crafted model drives a CSR unit into a -0 sum, where skipping a pruned weight would give +0. The
 * refusals: an inconsistent model (nothing written), an unwritable folder, a file that is not a
 * final model. And the sizes: a 6-7-3 classifier's weights take 143 bytes at 8 bits and 112 at 4
 * (test_packed_sizes counts them by hand), and a 10-3-1 regression at 4 bits with 5 of 30 weights
 * kept in layer 0 46 bytes, that layer CSR with byte indices (test_csr_byte_indices).
 *
 * With PF_EXPORT_KEEP=DIR the exports, the driver, the inputs and the expected output of each
 * model stay in DIR/<model>/ (tests/test_export.sh cross-compiles them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/seed.h"
#include "compress/cluster.h"
#include "compress/quant.h"
#include "deploy/export.h"
#include "deploy/final.h"
#include "folds/transform.h"

#include "testutil.h"

#define N_ROWS 320

static char work[512];

static int setup(void **state)
{
    (void)state;
    const char *keep = getenv("PF_EXPORT_KEEP");
    if (keep && keep[0]) {
        snprintf(work, sizeof work, "%s", keep);
        mkdir(work, 0755);
    } else {
        snprintf(work, sizeof work, "/tmp/pf_export_XXXXXX");
        assert_non_null(mkdtemp(work));
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *keep = getenv("PF_EXPORT_KEEP");
    if (!(keep && keep[0])) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
        if (system(cmd) != 0) return -1;
    }
    return 0;
}

/* ---- building models --------------------------------------------------------------------- */

typedef struct {
    const char *name;
    int classify; /* 3 classes, else 2 targets */
    pf_activation act;
    double prune;          /* fraction of weights pruned (smallest |w| first) */
    int bits;              /* 32 or 2..8 */
    int clusters;          /* 0 or K */
    int hidden;            /* 0: two hidden layers of 9 and 7 units; else one of this many */
    const char *expect[2]; /* text model.c must contain: the layouts the model is there for */
} spec;

/* 6 features: feature 2 has a fill value, feature 4 none (an empty cell there is an error). */
static pf_final *build(const spec *s, gsl_rng *rng)
{
    pf_error err = {0};
    int hidden[2] = {9, 7};
    if (s->hidden) hidden[0] = s->hidden;
    size_t d = 6, T = s->classify ? 1 : 2, C = s->classify ? 3 : 0;
    pf_mlp *m = pf_mlp_alloc(d, hidden, s->hidden ? 1 : 2, s->classify ? C : T, s->act, &err);
    assert_non_null(m);
    pf_mlp_init(m, PF_INIT_XAVIER, rng);
    for (size_t l = 0; l < m->n_layers; l++) /* biases not 0, so they matter */
        for (size_t i = 0; i < m->dims[l + 1]; i++)
            m->params[m->b_off[l] + i] = (float)(0.2 * (gsl_rng_uniform(rng) - 0.5));
    if (s->prune > 0) { /* magnitude pruning of the weights, global */
        size_t nw = 0;
        float *mag = malloc(m->n_params * sizeof *mag);
        for (size_t j = 0; j < m->n_params; j++)
            if (pf_mlp_is_weight(m, j)) mag[nw++] = fabsf(m->params[j]);
        for (size_t a = 1; a < nw; a++) /* insertion sort: small */
            for (size_t b = a; b > 0 && mag[b - 1] > mag[b]; b--) {
                float t = mag[b];
                mag[b] = mag[b - 1], mag[b - 1] = t;
            }
        float cut = mag[(size_t)(s->prune * (double)nw)];
        for (size_t j = 0; j < m->n_params; j++)
            if (pf_mlp_is_weight(m, j) && fabsf(m->params[j]) < cut) m->mask[j] = 0;
        free(mag);
        /* a pruned bias too, with a negative value left in params (the mask decides) */
        m->mask[m->b_off[0] + 1] = 0;
    }
    pf_cluster *c = NULL;
    int8_t *q = NULL;
    float *us = NULL;
    size_t units = 0;
    for (size_t l = 0; l < m->n_layers; l++) units += m->dims[l + 1];
    if (s->bits < 32) q = calloc(m->n_params, 1), us = calloc(units, sizeof *us);
    if (s->clusters) {
        c = pf_cluster_alloc(m, s->clusters, &err);
        assert_non_null(c);
        pf_mlp_apply_mask(m);
        assert_int_equal(pf_cluster_apply(m, s->clusters, PF_CLUSTER_LINEAR, 30, NULL, c, &err),
                         PF_OK);
        if (s->bits < 32)
            assert_int_equal(pf_cluster_quantise(m, c, s->bits, PF_ROUND_HALF_EVEN, q, us, &err),
                             PF_OK);
    } else if (s->bits < 32) {
        assert_int_equal(pf_quant_apply(m, s->bits, PF_GRAN_CHANNEL, PF_ROUND_HALF_EVEN, &err),
                         PF_OK);
        pf_quant_integers(m, s->bits, PF_GRAN_CHANNEL, PF_ROUND_HALF_EVEN, q, us);
    }
    double fill[6] = {0.75, -1, 0.25, NAN, NAN, 0}; /* features 3 and 4 have no fill value */
    double shift[6] = {1.5, -2, 0.25, 0, 10, -0.125}, scale[6] = {0.5, 2, 1, 1, 0.01, 3};
    double tshift[2] = {3.5, -1}, tscale[2] = {0.25, 1};
    pf_transform tf = {.n_features = d,
                       .fill = fill,
                       .shift = shift,
                       .scale = scale,
                       .n_targets = T,
                       .target_shift = s->classify ? (double[]){0} : tshift,
                       .target_scale = s->classify ? (double[]){1} : tscale};
    const char *feat[6] = {"mean_hr", "scr \"peaks\"", "x,y", "pupil?", "café", "z"};
    const char *tn[2] = {"arousal", "valence"}, *cn[3] = {"low", "mid", "high"};
    const char *label[1] = {"level"};
    pf_final *f =
        pf_final_from(m, &tf, NULL, s->classify ? PF_TASK_CLASSIFICATION : PF_TASK_REGRESSION, feat,
                      s->classify ? label : tn, T, s->classify ? cn : NULL, C, &err);
    if (f == NULL) fail_msg("pf_final_from: %s", err.msg);
    char variant[64], part[32];
    snprintf(variant, sizeof variant, "magnitude@%g", s->prune);
    if (s->clusters) snprintf(part, sizeof part, "/c%d", s->clusters), strcat(variant, part);
    if (s->bits < 32) snprintf(part, sizeof part, "/%dbit", s->bits), strcat(variant, part);
    assert_int_equal(
        pf_final_set_variant(f, variant, "magnitude", s->prune, s->clusters, s->bits, &err), PF_OK);
    if (c && pf_final_set_clusters(f, c, &err) != PF_OK) fail_msg("%s", err.msg);
    if (q && pf_final_set_integers(f, q, us, &err) != PF_OK) fail_msg("%s", err.msg);
    assert_int_equal(pf_final_set_summary(f, 31, "ccc", 0.41, 0.125, -0.07, &err), PF_OK);
    snprintf(f->config_hash, sizeof f->config_hash, "%064d", 7);
    if (pf_final_check(f, &err) != PF_OK) fail_msg("check: %s", err.msg);
    pf_cluster_free(c);
    free(q), free(us);
    pf_mlp_free(m);
    return f;
}

/* ---- prunefair's own pipeline -------------------------------------------------------------- */

/* results/predictions.c's softmax (static there): the same operations in the same order. */
static void softmax(const float *raw, size_t C, double *prob)
{
    double logit[16], top = -INFINITY, sum = 0;
    int finite = 1;
    for (size_t c = 0; c < C; c++) {
        logit[c] = raw[c];
        finite &= isfinite(logit[c]) != 0;
        if (logit[c] > top) top = logit[c];
    }
    for (size_t c = 0; c < C; c++) sum += prob[c] = finite ? exp(logit[c] - top) : NAN;
    for (size_t c = 0; c < C; c++) prob[c] /= sum;
}

/* n rows of raw features through f as run_experiment computes them: rc (0, or -1 for an empty
 * cell without a fill value), the network's outputs and the final outputs. */
static void reference(const pf_final *f, const double *xr, size_t n, int *rc, float *raw,
                      double *out)
{
    pf_error err = {0};
    size_t d = f->n_features, T = f->n_targets, K = pf_final_n_outputs(f);
    pf_dataset *ds = pf_dataset_alloc(n, d, T, 1, 0, &err);
    assert_non_null(ds);
    memcpy(ds->x, xr, n * d * sizeof *xr);
    pf_transform tf = {.n_features = d,
                       .fill = f->fill,
                       .shift = f->shift,
                       .scale = f->scale,
                       .n_targets = T,
                       .target_shift = f->target_shift,
                       .target_scale = f->target_scale};
    float *x = calloc(n * d, sizeof *x), y[4];
    double yd[4];
    for (size_t r = 0; r < n; r++) {
        pf_error_clear(&err);
        rc[r] = pf_transform_window(&tf, ds, r, x + r * d, y, yd, &err) == PF_OK ? 0 : -1;
    }
    pf_mlp_work *w = pf_mlp_work_alloc(f->model, 64, &err);
    assert_non_null(w);
    pf_mlp_predict(f->model, w, x, n, raw);
    for (size_t r = 0; r < n; r++)
        for (size_t k = 0; rc[r] && k < K; k++) raw[r * K + k] = NAN;
    if (pf_final_is_classifier(f))
        for (size_t r = 0; r < n; r++) softmax(raw + r * K, K, out + r * K);
    else
        pf_transform_target_inverse(&tf, raw, out, n);
    pf_mlp_work_free(w);
    pf_dataset_free(ds);
    free(x);
}

static void put(FILE *fp, double v)
{
    if (isnan(v))
        fputs(" nan", fp);
    else
        fprintf(fp, " %a", v);
}

/* Random rows around each feature's centre, and the awkward ones. */
static double *make_inputs(const pf_final *f, gsl_rng *rng, size_t n)
{
    size_t d = f->n_features;
    double *x = malloc(n * d * sizeof *x);
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < d; j++) {
            double z = 3 * (gsl_rng_uniform(rng) - 0.5) / f->scale[j] + f->shift[j];
            if (r % 2) z = (float)z; /* half the rows exactly floats */
            x[r * d + j] = z;
        }
    for (size_t j = 0; j < d; j++) x[0 * d + j] = 0, x[1 * d + j] = -0.0;
    x[2 * d + 2] = NAN;                     /* filled */
    x[3 * d + 4] = NAN;                     /* no fill: an error */
    x[4 * d + 0] = INFINITY;                /* infinite after scaling */
    x[5 * d + 1] = -1e300;                  /* overflows float: -inf */
    x[6 * d + 3] = 1e-310;                  /* subnormal double */
    x[7 * d + 0] = NAN, x[7 * d + 1] = NAN; /* two filled */
    x[8 * d + 5] = -INFINITY, x[8 * d + 3] = 1e38;
    for (size_t j = 0; j < d; j++) x[9 * d + j] = f->shift[j]; /* everything scales to 0 */
    return x;
}

/* The driver: reads rows of MODEL_N_FEATURES numbers (strtod's text: %a, nan, inf), prints per
 * row the three return codes, model_forward's, model_predict_double's and model_predict's
 * outputs, each as %a ("nan" for any NaN, whose sign and payload IEEE leaves open). */
static const char DRIVER[] =
    "#include <stdio.h>\n#include <stdlib.h>\n#include \"model.h\"\n"
    "static void put(double v)\n{\n    if (v != v) fputs(\" nan\", stdout);\n"
    "    else printf(\" %a\", v);\n}\n"
    "int main(int argc, char **argv)\n{\n"
    "    double x[MODEL_N_FEATURES], yd[MODEL_N_OUTPUTS];\n"
    "    float xf[MODEL_N_FEATURES], raw[MODEL_N_OUTPUTS], yf[MODEL_N_OUTPUTS];\n"
    "    char tok[128];\n    int j, a, b, c;\n"
    "    FILE *in = argc > 1 ? fopen(argv[1], \"r\") : stdin;\n"
    "    if (!in) return 2;\n"
    "    for (;;) {\n"
    "        for (j = 0; j < MODEL_N_FEATURES; j++) {\n"
    "            if (fscanf(in, \"%127s\", tok) != 1) return 0;\n"
    "            x[j] = strtod(tok, NULL);\n"
    "            xf[j] = (float)x[j];\n"
    "        }\n"
    "        a = model_forward(x, raw);\n        b = model_predict_double(x, yd);\n"
    "        c = model_predict(xf, yf);\n"
    "        printf(\"%d %d %d\", a, b, c);\n"
    "        for (j = 0; j < MODEL_N_OUTPUTS; j++) put(raw[j]);\n"
    "        for (j = 0; j < MODEL_N_OUTPUTS; j++) put(yd[j]);\n"
    "        for (j = 0; j < MODEL_N_OUTPUTS; j++) put(yf[j]);\n"
    "        putchar('\\n');\n    }\n}\n";

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = calloc((size_t)n + 1, 1);
    if (fread(s, 1, (size_t)n, fp) != (size_t)n) s[0] = '\0';
    fclose(fp);
    return s;
}

/* Inputs and the expected output of n rows into dir/inputs.txt and dir/expected.txt. */
static void write_expected(const pf_final *f, const double *x, size_t n, const char *dir)
{
    size_t d = f->n_features, K = pf_final_n_outputs(f);
    int *rc = malloc(n * sizeof *rc), *rcf = malloc(n * sizeof *rcf);
    float *raw = malloc(n * K * sizeof *raw), *rawf = malloc(n * K * sizeof *rawf);
    double *out = malloc(n * K * sizeof *out), *outf = malloc(n * K * sizeof *outf);
    double *xf = malloc(n * d * sizeof *xf);
    for (size_t i = 0; i < n * d; i++) xf[i] = (float)x[i];
    reference(f, x, n, rc, raw, out);
    reference(f, xf, n, rcf, rawf, outf); /* model_predict's float features */
    char path[700];
    snprintf(path, sizeof path, "%s/inputs.txt", dir);
    FILE *in = fopen(path, "w");
    snprintf(path, sizeof path, "%s/expected.txt", dir);
    FILE *ex = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(ex);
    for (size_t r = 0; r < n; r++) {
        for (size_t j = 0; j < d; j++) {
            double v = x[r * d + j];
            if (isnan(v))
                fputs("nan", in);
            else
                fprintf(in, "%a", v);
            fputc(j + 1 < d ? ' ' : '\n', in);
        }
        fprintf(ex, "%d %d %d", rc[r], rc[r], rcf[r]);
        for (size_t k = 0; k < K; k++) put(ex, raw[r * K + k]);
        for (size_t k = 0; k < K; k++) put(ex, out[r * K + k]);
        for (size_t k = 0; k < K; k++) put(ex, (float)outf[r * K + k]);
        fputc('\n', ex);
    }
    assert_int_equal(fclose(in), 0);
    assert_int_equal(fclose(ex), 0);
    free(rc), free(rcf), free(raw), free(rawf), free(out), free(outf), free(xf);
}

/* Compile dir's model.c and driver.c with flags, run it on inputs.txt, compare with
 * expected.txt byte for byte. */
static void compile_and_compare(const char *dir, const char *flags, const char *tag)
{
    char cmd[2000], path[700];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && cc %s -o driver_%s driver.c model.c -lm 2> cc_%s.log && "
             "./driver_%s inputs.txt > out_%s.txt",
             dir, flags, tag, tag, tag, tag);
    if (system(cmd) != 0) {
        snprintf(path, sizeof path, "%s/cc_%s.log", dir, tag);
        char *log = slurp(path);
        fail_msg("building or running the driver failed (%s): %s", flags, log ? log : "");
    }
    snprintf(path, sizeof path, "%s/expected.txt", dir);
    char *want = slurp(path);
    snprintf(path, sizeof path, "%s/out_%s.txt", dir, tag);
    char *got = slurp(path);
    assert_non_null(want);
    assert_non_null(got);
    if (strcmp(want, got) != 0) {
        const char *a = want, *b = got;
        size_t line = 1;
        while (*a && *a == *b) line += *a == '\n', a++, b++;
        fail_msg("%s: the exported model (%s) differs from prunefair at row %zu", dir, flags, line);
    }
    free(want), free(got);
}

static void export_and_run(const pf_final *f, const char *name, gsl_rng *rng)
{
    pf_error err = {0};
    char dir[700], path[800];
    snprintf(dir, sizeof dir, "%s/%s", work, name);
    /* model.h5 round trip */
    snprintf(path, sizeof path, "%s/final/model.h5", dir);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/model.h5", dir);
    if (pf_final_write(f, path, &err) != PF_OK) fail_msg("write: %s", err.msg);
    pf_final *back = pf_final_read(path, &err);
    if (back == NULL) fail_msg("read: %s", err.msg);
    assert_true(pf_final_equal(f, back));
    /* export what was read back */
    if (pf_export_c(back, dir, &err) != PF_OK) fail_msg("export: %s", err.msg);
    assert_int_equal(pf_export_csv(back, dir, &err), PF_OK);
    assert_int_equal(pf_export_json(back, dir, &err), PF_OK);
    snprintf(path, sizeof path, "%s/driver.c", dir);
    write_text(path, DRIVER);
    double *x = make_inputs(f, rng, N_ROWS);
    write_expected(back, x, N_ROWS, dir);
    free(x);
    compile_and_compare(dir, "-std=c99 -O2 -Wall -Wextra -Werror -pedantic", "c99");
    /* GNU mode contracts a * b + c by default: the pragma in model.c must stop it */
    compile_and_compare(dir, "-std=gnu11 -O3 -march=native -Wall -Wextra -Werror", "gnu");
    pf_final_free(back);
}

/* The exported model.c of the model called name contains text. */
static void assert_in_model(const char *name, const char *text)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s/model.c", work, name);
    char *c = slurp(path);
    assert_non_null(c);
    if (!strstr(c, text)) fail_msg("%s: model.c lacks \"%s\"", name, text);
    free(c);
}

static void run_spec(const spec *s)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 1234u + (unsigned)strlen(s->name));
    pf_final *f = build(s, rng);
    export_and_run(f, s->name, rng);
    for (size_t k = 0; k < 2; k++)
        if (s->expect[k]) assert_in_model(s->name, s->expect[k]);
    pf_final_free(f);
    gsl_rng_free(rng);
}

static void test_reg_relu_dense(void **state)
{
    (void)state;
    run_spec(&(spec){"reg_relu_dense", 0, PF_ACT_RELU, 0, 32, 0, 0, {NULL, NULL}});
}

static void test_reg_tanh_csr(void **state)
{
    (void)state;
    run_spec(&(spec){"reg_tanh_csr80", 0, PF_ACT_TANH, 0.8, 32, 0, 0, {NULL, NULL}});
}

static void test_cls_relu_int4(void **state)
{
    (void)state;
    run_spec(&(spec){"cls_relu_int4", 1, PF_ACT_RELU, 0.3, 4, 0, 0, {NULL, NULL}});
}

static void test_cls_tanh_cluster(void **state)
{
    (void)state;
    run_spec(&(spec){"cls_tanh_c16_4bit", 1, PF_ACT_TANH, 0.3, 4, 16, 0, {NULL, NULL}});
}

static void test_reg_sigmoid_int8_csr(void **state)
{
    (void)state;
    run_spec(&(spec){"reg_sigmoid_int8_csr90", 0, PF_ACT_SIGMOID, 0.9, 8, 0, 0, {NULL, NULL}});
}

static void test_cls_elu_cluster85(void **state)
{
    (void)state;
    run_spec(&(spec){"cls_elu_c8_p85", 1, PF_ACT_ELU, 0.85, 32, 8, 0, {NULL, NULL}});
}

static void test_reg_elu_int4_csr(void **state)
{
    (void)state;
    run_spec(&(spec){"reg_elu_int4_csr95",
                     0,
                     PF_ACT_ELU,
                     0.95,
                     4,
                     0,
                     0,
                     {"1 of 63 weights kept, CSR, 4-bit integers", "unsigned char L1_V[1] ="}});
}

static void test_cls_sigmoid_int2(void **state)
{
    (void)state;
    run_spec(&(spec){"cls_sigmoid_int2",
                     1,
                     PF_ACT_SIGMOID,
                     0.5,
                     2,
                     0,
                     0,
                     {"dense, 4-bit integers two per byte", "unsigned char L1_V[32] ="}});
}

static void test_reg_relu_cluster15(void **state)
{
    (void)state;
    run_spec(&(spec){"reg_relu_c15_4bit",
                     0,
                     PF_ACT_RELU,
                     0.4,
                     4,
                     15,
                     0,
                     {"dense, 4-bit codebook indices", "float L1_K[16] ="}});
}

static void test_cls_tanh_cluster_csr(void **state)
{
    (void)state;
    run_spec(
        &(spec){"cls_tanh_c4_csr93",
                1,
                PF_ACT_TANH,
                0.93,
                32,
                4,
                0,
                {"3 of 54 weights kept, CSR, 4-bit codebook indices", "unsigned char L0_V[2] ="}});
}

/* A hidden layer of 300 units: layer 0 (300 x 6) stores its column indices in bytes, layer 1
 * (3 x 300) needs 16 bits for them; both CSR at 4 bits, 95% pruned. */
static void test_cls_wide_int4_csr(void **state)
{
    (void)state;
    run_spec(&(spec){"cls_sigmoid_h300_int4_csr95",
                     1,
                     PF_ACT_SIGMOID,
                     0.95,
                     4,
                     0,
                     300,
                     {"unsigned char L0_J[", "unsigned short L1_J["}});
    assert_in_model("cls_sigmoid_h300_int4_csr95", "CSR, 4-bit integers two per byte and a scale "
                                                   "per row, 16-bit column indices, 8-bit row "
                                                   "pointers");
}

/* The same width in float32, 80% pruned: layer 0 keeps more than 255 weights, so its row
 * pointers take 16 bits while its column indices take 8. */
static void test_reg_wide_csr(void **state)
{
    (void)state;
    run_spec(&(spec){"reg_tanh_h300_csr80",
                     0,
                     PF_ACT_TANH,
                     0.8,
                     32,
                     0,
                     300,
                     {"CSR, float32, 8-bit column indices, 16-bit row pointers",
                      "CSR, float32, 16-bit column indices, 8-bit row pointers"}});
}

/* Packing halves a 4-bit model's integers. A 6-7-3 classifier, nothing pruned, both layers
 * dense, each row a float32 bias and a float32 scale:
 *   8 bits: layer 0 42 + 7 * 4 + 7 * 4 = 98, layer 1 21 + 3 * 4 + 3 * 4 = 45; 143 bytes
 *   4 bits: layer 0 42 / 2 = 21 + 56 = 77, layer 1 21 -> 11 bytes (the last half used) + 24
 *           = 35; 112 bytes
 * the integers 63 bytes at 8 bits, 32 at 4. Both run bit-identically like every test model. */
static void test_packed_sizes(void **state)
{
    (void)state;
    run_spec(&(spec){"cls_relu_673_int8",
                     1,
                     PF_ACT_RELU,
                     0,
                     8,
                     0,
                     7,
                     {" * weights      143 bytes", "layer 1: 3 x 7, 21 of 21 weights kept, dense, "
                                                   "int8 and a scale per row; 45 bytes"}});
    assert_in_model("cls_relu_673_int8", "signed char L0_V[42] =");
    assert_in_model("cls_relu_673_int8", "signed char L1_V[21] =");
    assert_in_model("cls_relu_673_int8", "layer 0: 7 x 6, 42 of 42 weights kept, dense, int8 and a "
                                         "scale per row; 98 bytes");
    run_spec(&(spec){"cls_relu_673_int4",
                     1,
                     PF_ACT_RELU,
                     0,
                     4,
                     0,
                     7,
                     {" * weights      112 bytes", "layer 1: 3 x 7, 21 of 21 weights kept, dense, "
                                                   "4-bit integers two per byte and a scale per "
                                                   "row; 35 bytes"}});
    assert_in_model("cls_relu_673_int4", "unsigned char L0_V[21] =");
    assert_in_model("cls_relu_673_int4", "unsigned char L1_V[11] =");
    assert_in_model("cls_relu_673_int4", "layer 0: 7 x 6, 42 of 42 weights kept, dense, 4-bit "
                                         "integers two per byte and a scale per row; 77 bytes");
}

/* A small pruned 4-bit layer where byte indices make CSR the smaller layout. A 10-3-1 tanh
 * regression; layer 0 (3 x 10) keeps 5 weights, W[0][0], W[0][9], W[1][4], W[2][2] and
 * W[2][3]; layer 1 (1 x 3) keeps all 3. Each row a float32 bias and a float32 scale.
 *   layer 0, CSR: 5 nibbles -> 3 bytes (the last half used), 5 column indices of 1 byte (10
 *     columns: 0..9 fit a byte), 4 row pointers of 1 byte (0, 2, 3, 5: nnz 5 fits a byte),
 *     12 of biases, 12 of scales: 3 + 5 + 4 + 12 + 12 = 36 bytes;
 *     dense would take 30 nibbles -> 15 + 24 = 39, so CSR wins; with 2-byte indices CSR would
 *     take 3 + 10 + 8 + 24 = 45 and the layer would stay dense;
 *   layer 1, dense: 3 nibbles -> 2 bytes + 4 + 4 = 10 (CSR: 2 + 3 + 2 + 8 = 15);
 * 46 bytes in all. It runs bit-identically like every test model. */
static void test_csr_byte_indices(void **state)
{
    (void)state;
    pf_error err = {0};
    int hidden[1] = {3};
    pf_mlp *m = pf_mlp_alloc(10, hidden, 1, 1, PF_ACT_TANH, &err);
    assert_non_null(m);
    for (size_t j = 0; j < m->n_params; j++)
        m->mask[j] = 1, m->params[j] = 0.0625f * (float)((int)(j * 5 % 11) - 5) + 0.03125f;
    static const size_t keep[5] = {0 * 10 + 0, 0 * 10 + 9, 1 * 10 + 4, 2 * 10 + 2, 2 * 10 + 3};
    for (size_t j = 0; j < 30; j++) m->mask[m->w_off[0] + j] = 0, m->params[m->w_off[0] + j] = 0;
    for (size_t k = 0; k < 5; k++) {
        m->mask[m->w_off[0] + keep[k]] = 1;
        m->params[m->w_off[0] + keep[k]] = k % 2 ? -0.25f - 0.125f * (float)k : 0.5f;
    }
    assert_int_equal(pf_quant_apply(m, 4, PF_GRAN_CHANNEL, PF_ROUND_HALF_EVEN, &err), PF_OK);
    size_t units = m->dims[1] + m->dims[2];
    int8_t *q = calloc(m->n_params, 1);
    float *us = calloc(units, sizeof *us);
    pf_quant_integers(m, 4, PF_GRAN_CHANNEL, PF_ROUND_HALF_EVEN, q, us);
    const char *feat[10] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    pf_final *f = pf_final_from(m, NULL, NULL, PF_TASK_REGRESSION, feat, NULL, 1, NULL, 0, &err);
    if (f == NULL) fail_msg("pf_final_from: %s", err.msg);
    assert_int_equal(pf_final_set_variant(f, "magnitude@0.8/4bit", "magnitude", 0.8, 0, 4, &err),
                     PF_OK);
    if (pf_final_set_integers(f, q, us, &err) != PF_OK) fail_msg("%s", err.msg);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 77u);
    const char *name = "reg_tanh_int4_csr_bytes";
    export_and_run(f, name, rng);
    assert_in_model(name, " * weights      46 bytes");
    assert_in_model(name, "layer 0: 3 x 10, 5 of 30 weights kept, CSR, 4-bit integers two per "
                          "byte and a scale per row, 8-bit column indices, 8-bit row pointers; "
                          "36 bytes");
    assert_in_model(name, "unsigned char L0_V[3] =");
    assert_in_model(name, "unsigned char L0_J[5] = {\n    0, 9, 4, 2, 3\n};");
    assert_in_model(name, "unsigned char L0_P[4] = {\n    0, 2, 3, 5\n};");
    assert_in_model(name, "layer 1: 1 x 3, 3 of 3 weights kept, dense, 4-bit integers two per "
                          "byte and a scale per row; 10 bytes");
    assert_in_model(name, "unsigned char L1_V[2] =");
    pf_final_free(f);
    free(q), free(us);
    pf_mlp_free(m);
    gsl_rng_free(rng);
}

/* A CSR unit whose kept terms sum to -0: with every pruned input negative the dense sum is -0
 * too, with one pruned input +0 or positive it is +0; and with an infinite pruned input, NaN. */
static void test_signed_zero(void **state)
{
    (void)state;
    pf_error err = {0};
    int hidden[1] = {1};
    pf_mlp *m = pf_mlp_alloc(10, hidden, 1, 1, PF_ACT_TANH, &err);
    assert_non_null(m);
    for (size_t j = 0; j < m->n_params; j++) m->mask[j] = 1, m->params[j] = 0;
    m->params[0] = 1; /* W_0[0][0]; columns 1..9 pruned */
    for (size_t j = 1; j < 10; j++) m->mask[j] = 0;
    m->params[m->b_off[0]] = -0.0f;
    m->params[m->w_off[1]] = 1;
    m->params[m->b_off[1]] = -0.0f;
    const char *feat[10] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    pf_final *f = pf_final_from(m, NULL, NULL, PF_TASK_REGRESSION, feat, NULL, 1, NULL, 0, &err);
    assert_non_null(f);
    char dir[700];
    snprintf(dir, sizeof dir, "%s/signed_zero", work);
    mkdir(dir, 0755);
    assert_int_equal(pf_export_c(f, dir, &err), PF_OK);
    char src[800];
    snprintf(src, sizeof src, "%s/model.c", dir);
    char *c = slurp(src);
    assert_non_null(strstr(c, "layer 0: 1 x 10, 1 of 10 weights kept, CSR")); /* the path meant */
    free(c);
    snprintf(src, sizeof src, "%s/driver.c", dir);
    write_text(src, DRIVER);
    double x[5 * 10];
    for (size_t r = 0; r < 5; r++)
        for (size_t j = 0; j < 10; j++) x[r * 10 + j] = j ? -1.0 - (double)j : -0.0;
    x[1 * 10 + 7] = 0.0;      /* one pruned input +0: the sum is +0 */
    x[2 * 10 + 3] = 2.0;      /* one positive */
    x[3 * 10 + 9] = INFINITY; /* 0 inf = NaN */
    x[4 * 10 + 0] = 0.0;      /* a kept +0 product */
    write_expected(f, x, 5, dir);
    char path[800];
    snprintf(path, sizeof path, "%s/expected.txt", dir);
    char *want = slurp(path);
    /* the reference itself: -0, +0, +0, NaN, +0 at the output */
    assert_non_null(strstr(want, "0 0 0 -0x0p+0"));
    assert_non_null(strstr(want, "0 0 0 nan"));
    free(want);
    compile_and_compare(dir, "-std=c99 -O2 -Wall -Wextra -Werror", "c99");
    pf_final_free(f);
    pf_mlp_free(m);
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_refusals(void **state)
{
    (void)state;
    pf_error err = {0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    pf_final *f = build(&(spec){"refuse", 0, PF_ACT_RELU, 0.5, 4, 0, 0, {NULL, NULL}}, rng);
    char dir[700], path[800];
    snprintf(dir, sizeof dir, "%s/refusals", work);
    mkdir(dir, 0755);
    /* mismatched sizes: nothing written */
    f->n_features = 5;
    snprintf(path, sizeof path, "%s/model.h5", dir);
    assert_int_equal(pf_final_write(f, path, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "6 inputs"));
    pf_error_clear(&err);
    assert_int_equal(pf_export_c(f, dir, &err), PF_EINPUT);
    pf_error_clear(&err);
    assert_int_equal(pf_export_json(f, dir, &err), PF_EINPUT);
    f->n_features = 6;
    assert_int_equal(count_files(dir), 0);
    /* a weight that its integer does not rebuild */
    float keep = f->model->params[0];
    f->model->params[0] = nextafterf(keep, 10);
    pf_error_clear(&err);
    assert_int_equal(pf_final_write(f, path, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "integer"));
    f->model->params[0] = keep;
    /* a pruned parameter that is not +0 */
    size_t pruned = 0;
    while (f->model->mask[pruned] != 0) pruned++;
    f->model->params[pruned] = -0.0f;
    pf_error_clear(&err);
    assert_int_equal(pf_export_csv(f, dir, &err), PF_EINPUT);
    assert_non_null(strstr(err.msg, "not +0"));
    f->model->params[pruned] = 0.0f;
    assert_int_equal(count_files(dir), 0);
    /* an unwritable folder */
    pf_error_clear(&err);
    assert_int_not_equal(pf_final_write(f, "/proc/no/such/model.h5", &err), PF_OK);
    assert_true(err.msg[0] != '\0');
    pf_error_clear(&err);
    assert_int_not_equal(pf_export_c(f, "/proc/pf_export_here", &err), PF_OK);
    assert_true(err.msg[0] != '\0');
    if (geteuid() != 0) { /* root writes anywhere */
        char ro[720];
        snprintf(ro, sizeof ro, "%s/readonly", dir);
        mkdir(ro, 0555);
        pf_error_clear(&err);
        assert_int_equal(pf_export_c(f, ro, &err), PF_EINPUT);
        snprintf(path, sizeof path, "%s/model.h5", ro);
        pf_error_clear(&err);
        assert_int_equal(pf_final_write(f, path, &err), PF_EINPUT);
        assert_int_equal(count_files(ro), 0);
        rmdir(ro);
    }
    /* a file that is not a final model */
    snprintf(path, sizeof path, "%s/not.h5", dir);
    write_text(path, "hello\n");
    pf_error_clear(&err);
    assert_null(pf_final_read(path, &err));
    assert_int_equal(err.code, PF_EINPUT);
    /* the good one writes, and a cut-short copy is refused */
    snprintf(path, sizeof path, "%s/model.h5", dir);
    pf_error_clear(&err);
    assert_int_equal(pf_final_write(f, path, &err), PF_OK);
    assert_int_equal(truncate(path, 2000), 0);
    assert_null(pf_final_read(path, &err));
    assert_int_equal(err.code, PF_EINPUT);
    pf_final_free(f);
    gsl_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reg_relu_dense),
        cmocka_unit_test(test_reg_tanh_csr),
        cmocka_unit_test(test_cls_relu_int4),
        cmocka_unit_test(test_cls_tanh_cluster),
        cmocka_unit_test(test_reg_sigmoid_int8_csr),
        cmocka_unit_test(test_cls_elu_cluster85),
        cmocka_unit_test(test_reg_elu_int4_csr),
        cmocka_unit_test(test_cls_sigmoid_int2),
        cmocka_unit_test(test_reg_relu_cluster15),
        cmocka_unit_test(test_cls_tanh_cluster_csr),
        cmocka_unit_test(test_cls_wide_int4_csr),
        cmocka_unit_test(test_reg_wide_csr),
        cmocka_unit_test(test_packed_sizes), /* this and the next: sizes counted by hand */
        cmocka_unit_test(test_csr_byte_indices),
        cmocka_unit_test(test_signed_zero),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
