/* export.c: a final model as C, CSV and JSON (see export.h).
 *
 * The C is generated layer by layer: each weight layer becomes its const arrays and one static
 * function that computes its units, in the layout (dense or CSR) and with the values (float32,
 * integers and row scales, or codebook indices; 4-bit ones two to a byte) the model needs. Every
 * number is written as a hexadecimal floating constant (C99's "%a"), which a compiler converts
 * exactly, so the generated arrays hold the model's bits whatever the compiler's decimal
 * conversion. */
#include "deploy/export.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/csvout.h"
#include "base/numtext.h"
#include "base/outfile.h"
#include "base/path.h"
#include "config/task.h"

/* The activation's name as model.activation spells it. */
static const char *act_name(pf_activation act, char *buf)
{
    pf_config_choice_name("model", "activation", (int)act, buf, PF_MAX_NAME);
    return buf;
}

/* ---- files that appear together or not at all ------------------------------------------------ */

#define MAX_FILES 4

typedef struct {
    pf_outfile f[MAX_FILES];
    size_t n;
} fileset;

static FILE *fileset_open(fileset *s, const char *dir, const char *name, pf_error *err)
{
    if (pf_outfile_open(&s->f[s->n], dir, name, err) != PF_OK) return NULL;
    return s->f[s->n++].fp;
}

static void fileset_abort(fileset *s)
{
    for (size_t i = 0; i < s->n; i++) pf_outfile_abort(&s->f[i]);
    s->n = 0;
}

/* Close every file and check it; only when all are whole, rename them into place. */
static int fileset_commit(fileset *s, pf_error *err)
{
    int ok = 1;
    for (size_t i = 0; i < s->n; i++) {
        FILE *fp = s->f[i].fp;
        s->f[i].fp = NULL;
        int bad = ferror(fp) != 0;
        if (fclose(fp) != 0 || bad) {
            if (ok) pf_error_set(err, PF_ERUNTIME, "writing '%s' failed", s->f[i].tmp);
            ok = 0;
        }
    }
    for (size_t i = 0; i < s->n && ok; i++)
        if (pf_outfile_rename(&s->f[i], err) != PF_OK) ok = 0;
    if (!ok)
        for (size_t i = 0; i < s->n; i++) unlink(s->f[i].tmp);
    s->n = 0;
    return ok ? PF_OK : err->code;
}

static int prepare(const pf_final *f, const char *dir, pf_error *err)
{
    if (pf_final_check(f, err) != PF_OK) return err->code;
    if (pf_path_make_dirs(dir, err) != PF_OK) return err->code;
    return pf_path_check_dir(dir, err);
}

/* ---- text helpers ---------------------------------------------------------------------------- */

/* s as a C string literal: printable ASCII as it is, everything else (and '"', '\', '?', which
 * could start a trigraph) as a three-digit octal escape. */
static void c_string(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '?')
            fputc(*p, fp);
        else
            fprintf(fp, "\\%03o", *p);
    fputc('"', fp);
}

/* s inside a block comment, each line after prefix: no "*" "/" and no "??" survive. */
static void c_comment_text(FILE *fp, const char *prefix, const char *s)
{
    fputs(prefix, fp);
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            if (p[1]) fprintf(fp, "\n%s", prefix);
            continue;
        }
        fputc(*p, fp);
        if ((*p == '*' && p[1] == '/') || (*p == '?' && p[1] == '?')) fputc(' ', fp);
    }
    fputc('\n', fp);
}

static void put_float(FILE *fp, float v)
{
    fprintf(fp, "%af", (double)v);
}

static void put_double(FILE *fp, double v)
{
    fprintf(fp, "%a", v);
}

/* ---- the plan of each layer ------------------------------------------------------------------ */

enum { VAL_FLOAT, VAL_INT, VAL_INDEX };

typedef struct {
    size_t rows, cols, nnz;
    int values;      /* VAL_* */
    int csr;         /* 1: CSR over the kept weights */
    int value_bits;  /* bits of a stored value: 4 (two per byte, the low nibble first), 8, 16, 32 */
    int pruned_code; /* VAL_INDEX, dense: the code of a pruned weight (K), else -1 */
    int jb, pb; /* CSR: bytes of a column index (by the columns) and of a row pointer (by nnz) */
    long long bytes; /* the stored arrays: values, indices, row pointers, scales, biases */
} layer_plan;

static int kept(const pf_mlp *m, size_t j)
{
    return m->mask[j] != 0.0f;
}

/* The bits that hold one of n codebook indices. */
static int code_bits(size_t n)
{
    return n <= 16 ? 4 : n <= 256 ? 8 : 16;
}

/* The bytes of n values of vbits bits each: 4-bit values two to a byte, the last one half used
 * when n is odd. */
static long long packed_bytes(size_t n, int vbits)
{
    return ((long long)n * vbits + 7) / 8;
}

/* The bytes of the narrowest unsigned integer (1, 2 or 4) that holds every value up to max. */
static int index_bytes(size_t max)
{
    return max <= 255 ? 1 : max <= 65535 ? 2 : 4;
}

/* Both layouts' bytes for layer l; the smaller wins (dense on a tie). A CSR layer's column
 * indices run to cols - 1 and its row pointers to nnz, each in the narrowest type that holds
 * them. */
static layer_plan plan_layer(const pf_final *f, size_t l)
{
    const pf_mlp *m = f->model;
    layer_plan p = {.rows = m->dims[l + 1], .cols = m->dims[l]};
    p.nnz = pf_mlp_layer_kept(m, l);
    p.jb = index_bytes(p.cols - 1);
    p.pb = index_bytes(p.nnz);
    p.values = f->clusters > 0 ? VAL_INDEX : f->bits < 32 ? VAL_INT : VAL_FLOAT;
    size_t K = (size_t)f->clusters;
    int any_pruned = p.nnz < p.rows * p.cols;
    long long extra = 4 * (long long)p.rows; /* biases */
    int vb_csr = 32, vb_dense = 32;
    if (p.values == VAL_INT)
        vb_csr = vb_dense = f->bits <= 4 ? 4 : 8, extra += 4 * (long long)p.rows;
    if (p.values == VAL_INDEX) { /* the codebook; a dense layer's pruned weights take code K */
        vb_csr = code_bits(K);
        vb_dense = code_bits(K + (size_t)any_pruned);
    }
    long long dense_b = packed_bytes(p.rows * p.cols, vb_dense) + extra;
    long long csr_b = packed_bytes(p.nnz, vb_csr) + p.jb * (long long)p.nnz +
                      p.pb * (long long)(p.rows + 1) + extra;
    if (p.values == VAL_INDEX)
        dense_b += 4 * (long long)(K + (size_t)any_pruned), csr_b += 4 * (long long)K;
    p.csr = csr_b < dense_b;
    p.bytes = p.csr ? csr_b : dense_b;
    p.value_bits = p.csr ? vb_csr : vb_dense;
    p.pruned_code = p.values == VAL_INDEX && !p.csr && any_pruned ? (int)K : -1;
    return p;
}

/* ---- model.c --------------------------------------------------------------------------------- */

/* The C type of a layer's stored values (4-bit ones two to a byte). */
static const char *value_type(const layer_plan *p)
{
    if (p->values == VAL_FLOAT) return "float";
    if (p->value_bits == 4) return "unsigned char";
    if (p->values == VAL_INT) return "signed char";
    return p->value_bits == 8 ? "unsigned char" : "unsigned short";
}

static const char *values_name(const layer_plan *p)
{
    if (p->values == VAL_FLOAT) return "float32";
    if (p->values == VAL_INT)
        return p->value_bits == 4 ? "4-bit integers two per byte and a scale per row"
                                  : "int8 and a scale per row";
    return p->value_bits == 4 ? "4-bit codebook indices two per byte" : "codebook indices";
}

/* A const array of n elements, eight per line, each printed by put(fp, i). */
static void array_open(FILE *fp, const char *type, const char *name, size_t n)
{
    fprintf(fp, "static const %s %s[%zu] = {", type, name, n ? n : 1);
}

static void array_item(FILE *fp, size_t i)
{
    fputs(i == 0 ? "\n    " : i % 8 == 0 ? ",\n    " : ", ", fp);
}

static void array_close(FILE *fp, size_t n)
{
    if (n == 0) fputs("0", fp);
    fputs("\n};\n", fp);
}

/* A const double array of the n values v, exactly (put_double). */
static void double_array(FILE *fp, const char *name, const double *v, size_t n)
{
    array_open(fp, "double", name, n);
    for (size_t i = 0; i < n; i++) array_item(fp, i), put_double(fp, v[i]);
    array_close(fp, n);
}

/* The C type of a CSR index of b bytes. */
static const char *index_type(int b)
{
    return b == 1 ? "unsigned char" : b == 2 ? "unsigned short" : "uint_least32_t";
}

static void emit_layer_data(FILE *fp, const pf_final *f, size_t l, const layer_plan *p)
{
    const pf_mlp *m = f->model;
    const float *W = m->params + m->w_off[l], *B = m->params + m->b_off[l];
    size_t R = p->rows, C = p->cols, K = (size_t)f->clusters, u0 = 0;
    for (size_t k = 0; k < l; k++) u0 += m->dims[k + 1];
    char name[32];
    char ix[64] = "";
    if (p->csr)
        snprintf(ix, sizeof ix, ", %d-bit column indices, %d-bit row pointers", 8 * p->jb,
                 8 * p->pb);
    fprintf(fp, "\n/* layer %zu: %zu x %zu, %zu of %zu weights kept, %s, %s%s; %lld bytes */\n", l,
            R, C, p->nnz, R * C, p->csr ? "CSR" : "dense", values_name(p), ix, p->bytes);
    snprintf(name, sizeof name, "L%zu_B", l);
    array_open(fp, "float", name, R);
    for (size_t i = 0; i < R; i++) array_item(fp, i), put_float(fp, B[i]);
    array_close(fp, R);
    if (p->values == VAL_INT) {
        snprintf(name, sizeof name, "L%zu_S", l);
        array_open(fp, "float", name, R);
        for (size_t i = 0; i < R; i++) array_item(fp, i), put_float(fp, f->unit_scale[u0 + i]);
        array_close(fp, R);
    }
    if (p->values == VAL_INDEX) {
        size_t n = K + (p->pruned_code >= 0);
        snprintf(name, sizeof name, "L%zu_K", l);
        array_open(fp, "float", name, n);
        for (size_t c = 0; c < n; c++)
            array_item(fp, c), put_float(fp, c < K ? f->codebook[l * K + c] : 0.0f);
        array_close(fp, n);
    }
    /* the values, dense or kept only; 4-bit ones two to a byte, value 2t in the low nibble of
     * byte t and value 2t + 1 in its high nibble (an integer as 4-bit two's complement), the
     * high nibble of an odd count's last byte 0 */
    size_t n = p->csr ? p->nnz : R * C, i = 0, items = p->value_bits == 4 ? (n + 1) / 2 : n;
    snprintf(name, sizeof name, "L%zu_V", l);
    array_open(fp, value_type(p), name, items);
    unsigned low = 0;
    for (size_t j = 0; j < R * C; j++) {
        size_t g = m->w_off[l] + j;
        if (p->csr && !kept(m, g)) continue;
        int v = p->values == VAL_FLOAT ? 0
                : p->values == VAL_INT ? f->q[g]
                : kept(m, g)           ? f->assign[g]
                                       : p->pruned_code;
        if (p->value_bits == 4) {
            if (i % 2 == 0) {
                low = (unsigned)v & 15u;
                if (i + 1 == n) array_item(fp, i / 2), fprintf(fp, "0x%02x", low);
            } else {
                array_item(fp, i / 2), fprintf(fp, "0x%02x", low | ((unsigned)v & 15u) << 4);
            }
            i++;
            continue;
        }
        array_item(fp, i++);
        if (p->values == VAL_FLOAT)
            put_float(fp, W[j]);
        else
            fprintf(fp, "%d", v);
    }
    array_close(fp, items);
    if (p->csr) {
        snprintf(name, sizeof name, "L%zu_J", l);
        array_open(fp, index_type(p->jb), name, p->nnz);
        i = 0;
        for (size_t j = 0; j < R * C; j++)
            if (kept(m, m->w_off[l] + j)) array_item(fp, i++), fprintf(fp, "%zu", j % C);
        array_close(fp, p->nnz);
        snprintf(name, sizeof name, "L%zu_P", l);
        array_open(fp, index_type(p->pb), name, R + 1);
        size_t acc = 0;
        for (size_t r = 0; r <= R; r++) {
            array_item(fp, r), fprintf(fp, "%zu", acc);
            for (size_t c = 0; r < R && c < C; c++) acc += kept(m, m->w_off[l] + r * C + c);
        }
        array_close(fp, R + 1);
    }
}

/* The weight of unit i at position `at` of L<l>_V, as the layer's values decode it. */
static void weight_expr(char *out, size_t cap, size_t l, const layer_plan *p, const char *at)
{
    if (p->values == VAL_FLOAT)
        snprintf(out, cap, "L%zu_V[%s]", l, at);
    else if (p->values == VAL_INT && p->value_bits == 4)
        snprintf(out, cap, "L%zu_S[i] * (float)int4_at(L%zu_V, %s)", l, l, at);
    else if (p->values == VAL_INT)
        snprintf(out, cap, "L%zu_S[i] * (float)L%zu_V[%s]", l, l, at);
    else if (p->value_bits == 4)
        snprintf(out, cap, "L%zu_K[nibble_at(L%zu_V, %s)]", l, l, at);
    else
        snprintf(out, cap, "L%zu_K[L%zu_V[%s]]", l, l, at);
}

static void emit_layer_code(FILE *fp, size_t l, const layer_plan *p)
{
    char w[128];
    size_t R = p->rows, C = p->cols;
    fprintf(fp, "\nstatic void layer%zu(const float *x, float *y)\n{\n", l);
    if (!p->csr) {
        char at[48];
        snprintf(at, sizeof at, "i * %zuu + k", C);
        weight_expr(w, sizeof w, l, p, at);
        fprintf(fp,
                "    unsigned long i, k;\n"
                "    for (i = 0; i < %zuu; i++) {\n"
                "        float s = L%zu_B[i];\n"
                "        for (k = 0; k < %zuu; k++) s = fmaf(%s, x[k], s);\n"
                "        y[i] = s;\n"
                "    }\n}\n",
                R, l, C, w);
        return;
    }
    weight_expr(w, sizeof w, l, p, "p");
    fprintf(
        fp,
        "    unsigned long i, p, k;\n"
        "    int exact = !all_finite(x, %zuu);\n"
        "    for (i = 0; i < %zuu; i++) {\n"
        "        float s = L%zu_B[i];\n"
        "        if (!exact) {\n"
        "            for (p = L%zu_P[i]; p < L%zu_P[i + 1]; p++) s = fmaf(%s, x[L%zu_J[p]], s);\n"
        "            if (!(s == 0.0f && signbit(s))) {\n"
        "                y[i] = s;\n"
        "                continue;\n"
        "            }\n"
        "            s = L%zu_B[i];\n"
        "        }\n"
        "        /* -0, or a non-finite input: the dense sum, a pruned weight as +0 */\n"
        "        for (k = 0, p = L%zu_P[i]; k < %zuu; k++) {\n"
        "            float w = 0.0f;\n"
        "            if (p < L%zu_P[i + 1] && L%zu_J[p] == k) {\n"
        "                w = %s;\n"
        "                p++;\n"
        "            }\n"
        "            s = fmaf(w, x[k], s);\n"
        "        }\n"
        "        y[i] = s;\n"
        "    }\n}\n",
        C, R, l, l, l, w, l, l, l, C, l, l, w);
}

/* model/mlp.c's activation, element by element, and pf_kernel_expf's algorithm (kernel.c)
 * with its constants as the exact floats the project uses. */
static void emit_activation(FILE *fp, pf_activation act)
{
    char name[PF_MAX_NAME];
    if (act != PF_ACT_RELU) {
        fputs("\n/* e^x as prunefair's pf_kernel_expf computes it (model/kernel.c): the same float "
              "operations\n * in the same order, so the same bits on every IEEE machine. */\n"
              "static float model_expf(float x)\n{\n    float k, r, z, p;\n",
              fp);
        fputs("    if (x != x) return x;\n    if (x > ", fp);
        put_float(fp, 88.72283905f);
        fputs(") return HUGE_VALF;\n    if (x < ", fp);
        put_float(fp, -103.972084f);
        fputs(") return 0.0f;\n    k = floorf(x * ", fp);
        put_float(fp, 1.44269504088896341f);
        fputs(" + 0.5f);\n    r = x - k * ", fp);
        put_float(fp, 0.693359375f);
        fputs(";\n    r = r - k * ", fp);
        put_float(fp, -2.12194440e-4f);
        fputs(";\n    z = r * r;\n    p = ", fp);
        put_float(fp, 1.9875691500e-4f);
        static const float coef[] = {1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
                                     1.6666665459e-1f, 5.0000001201e-1f};
        fputs(";\n", fp);
        for (size_t i = 0; i < sizeof coef / sizeof coef[0]; i++) {
            fputs("    p = p * r + ", fp);
            put_float(fp, coef[i]);
            fputs(";\n", fp);
        }
        fputs("    p = p * z + r + 1.0f;\n    return ldexpf(p, (int)k);\n}\n", fp);
    }
    fprintf(fp,
            "\n/* the hidden layers' activation (%s), as model/mlp.c computes it */\n"
            "static void activate(float *z, unsigned long n)\n{\n    unsigned long i;\n"
            "    for (i = 0; i < n; i++) {\n",
            act_name(act, name));
    switch (act) {
    case PF_ACT_RELU:
        fputs("        z[i] = z[i] > 0.0f ? z[i] : 0.0f;\n", fp);
        break;
    case PF_ACT_TANH:
        fputs("        float e = model_expf(-2.0f * fabsf(z[i]));\n"
              "        z[i] = copysignf((1.0f - e) / (1.0f + e), z[i]);\n",
              fp);
        break;
    case PF_ACT_SIGMOID:
        fputs("        z[i] = 1.0f / (1.0f + model_expf(-z[i]));\n", fp);
        break;
    default: /* elu */
        fputs("        float pos = z[i] > 0.0f ? z[i] : 0.0f, neg = z[i] < 0.0f ? z[i] : 0.0f;\n"
              "        z[i] = pos + (model_expf(neg) - 1.0f);\n",
              fp);
        break;
    }
    fputs("    }\n}\n", fp);
}

static void comment_number(FILE *fp, const char *label, double v)
{
    char buf[PF_NUMTEXT_CAP];
    fprintf(fp, "%s%s", label, pf_numtext(buf, v));
}

static void emit_header_comment(FILE *fp, const pf_final *f, const layer_plan *plan,
                                const char *file)
{
    const pf_mlp *m = f->model;
    char line[2048];
    fprintf(fp,
            "/* %s: the final model of a prunefair study, generated by prunefair %s "
            "(pf_export_c).\n * Do not edit: export it again from model.h5.\n *\n",
            file, f->version);
    snprintf(line, sizeof line, "variant      %s (criterion %s, sparsity %g, %s, %s)", f->variant,
             f->criterion[0] ? f->criterion : "none", f->sparsity,
             f->clusters ? "clustered" : "not clustered",
             f->bits == 32  ? "float32"
             : f->clusters  ? "a codebook of quantised centroids"
             : f->bits <= 4 ? "integers two per byte"
                            : "integers one byte each");
    c_comment_text(fp, " * ", line);
    if (f->clusters) fprintf(fp, " * clusters     %d per layer\n", f->clusters);
    fprintf(fp, " * bits         %d\n", f->bits);
    snprintf(line, sizeof line, "config hash  %s", f->config_hash[0] ? f->config_hash : "(none)");
    c_comment_text(fp, " * ", line);
    snprintf(line, sizeof line, "data SHA-256 %s", f->data_sha256[0] ? f->data_sha256 : "(none)");
    c_comment_text(fp, " * ", line);
    fprintf(fp, " * task         %s, %zu features, %zu outputs\n * network      ",
            pf_task_name(f->task), f->n_features, pf_final_n_outputs(f));
    for (size_t l = 0; l <= m->n_layers; l++) fprintf(fp, "%s%zu", l ? "-" : "", m->dims[l]);
    char name[PF_MAX_NAME];
    fprintf(fp, ", %s hidden activation\n", act_name(m->act, name));
    long long total = 0;
    for (size_t l = 0; l < m->n_layers; l++) total += plan[l].bytes;
    fprintf(fp, " * weights      %lld bytes of const data (biases, scales and indices included)\n",
            total);
    if (f->summary_participants) {
        snprintf(line, sizeof line,
                 "study        %s per participant over %zu participants: ", f->summary_metric,
                 f->summary_participants);
        fputs(" * ", fp);
        fputs(line, fp);
        comment_number(fp, "mean ", f->summary_mean);
        comment_number(fp, ", sd ", f->summary_sd);
        comment_number(fp, ", worst ", f->summary_worst);
        fputc('\n', fp);
    } else {
        fputs(" * study        (no per-participant summary was recorded)\n", fp);
    }
    fputs(" *\n * The arithmetic is prunefair's, bit for bit (docs/deploy.md): each unit sums from "
          "its bias\n * with fmaf over its inputs in order, the activation and e^x are the "
          "project's own, and\n * the feature scaling and the output mapping are computed in "
          "double.\n",
          fp);
    if (f->config_text[0]) {
        fputs(" *\n * The study's config (canonical text):\n", fp);
        c_comment_text(fp, " *   ", f->config_text);
    }
    fputs(" */\n", fp);
}

static void emit_model_h(FILE *fp, const pf_final *f)
{
    size_t d = f->n_features, n = pf_final_n_outputs(f);
    fputs("/* model.h: the interface of model.c (generated by prunefair's pf_export_c; see "
          "model.c's\n * header for the model's provenance). */\n"
          "#ifndef MODEL_H\n#define MODEL_H\n\n",
          fp);
    fprintf(fp, "#define MODEL_N_FEATURES %zu\n#define MODEL_N_OUTPUTS %zu\n", d, n);
    fprintf(fp, "#define MODEL_IS_CLASSIFIER %d\n\n", pf_final_is_classifier(f));
    fputs("/* The features by name, in the order model_predict takes them. */\n"
          "extern const char *const model_feature_names[MODEL_N_FEATURES];\n"
          "/* The outputs: the targets of a regression, the classes of a classification. */\n"
          "extern const char *const model_output_names[MODEL_N_OUTPUTS];\n\n"
          "/* One row: MODEL_N_FEATURES features (NaN = empty: takes the fill value) into\n"
          " * MODEL_N_OUTPUTS outputs -- a regression's predictions in the data's units, or "
          "class\n * probabilities. 0, or -1 (outputs NaN) when an empty feature has no fill "
          "value.\n * model_predict_double is prunefair's pipeline bit for bit on the data's "
          "doubles;\n * model_predict rounds its float features to double and the results to "
          "float;\n * model_forward gives the network's own outputs (model-space targets or "
          "logits). */\n"
          "int model_predict(const float *features, float *out);\n"
          "int model_predict_double(const double *features, double *out);\n"
          "int model_forward(const double *features, float *raw);\n\n#endif\n",
          fp);
}

static void emit_names(FILE *fp, const char *name, char *const *s, size_t n, const char *count)
{
    fprintf(fp, "const char *const %s[%s] = {", name, count);
    for (size_t i = 0; i < n; i++) fputs(i ? ",\n    " : "\n    ", fp), c_string(fp, s[i]);
    fputs("\n};\n", fp);
}

static void emit_model_c(FILE *fp, const pf_final *f, const layer_plan *plan)
{
    const pf_mlp *m = f->model;
    size_t d = f->n_features, n = pf_final_n_outputs(f), T = f->n_targets;
    int any_csr = 0, any_int4 = 0, any_index4 = 0, any_index32 = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        any_csr |= plan[l].csr;
        any_index32 |= plan[l].csr && (plan[l].jb == 4 || plan[l].pb == 4);
        any_int4 |= plan[l].value_bits == 4 && plan[l].values == VAL_INT;
        any_index4 |= plan[l].value_bits == 4 && plan[l].values == VAL_INDEX;
    }
    emit_header_comment(fp, f, plan, "model.c");
    fputs("\n/* a * b + c must stay two roundings, as in prunefair (C11 mode): no contraction. */\n"
          "#if defined(__clang__)\n#pragma STDC FP_CONTRACT OFF\n"
          "#elif defined(__GNUC__)\n#pragma GCC optimize(\"fp-contract=off\")\n#endif\n\n"
          "#include <float.h>\n#include <math.h>\n",
          fp);
    if (any_index32)
        fputs("#include <stdint.h> /* uint_least32_t: CSR indices past 65535 */\n", fp);
    fputs("\n#include \"model.h\"\n\n"
          "#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0\n"
          "#error \"model.c needs float arithmetic in float (FLT_EVAL_METHOD 0: SSE, not x87)\"\n"
          "#endif\n\n",
          fp);
    emit_names(fp, "model_feature_names", f->feature_names, d, "MODEL_N_FEATURES");
    emit_names(fp, "model_output_names",
               pf_final_is_classifier(f) ? f->class_names : f->target_names, n, "MODEL_N_OUTPUTS");
    fputs("\n/* the imputation and the feature scaling: x' = (float)((x - SHIFT) * SCALE) in "
          "double */\n",
          fp);
    array_open(fp, "unsigned char", "HAS_FILL", d);
    for (size_t j = 0; j < d; j++) array_item(fp, j), fputs(isnan(f->fill[j]) ? "0" : "1", fp);
    array_close(fp, d);
    array_open(fp, "double", "FILL", d);
    for (size_t j = 0; j < d; j++)
        array_item(fp, j), put_double(fp, isnan(f->fill[j]) ? 0 : f->fill[j]);
    array_close(fp, d);
    double_array(fp, "SHIFT", f->shift, d);
    double_array(fp, "SCALE", f->scale, d);
    if (!pf_final_is_classifier(f)) {
        fputs("\n/* the targets back to the data's units: y = (double)y' / TARGET_SCALE + "
              "TARGET_SHIFT,\n * nothing at all where the scaling is the identity */\n",
              fp);
        array_open(fp, "unsigned char", "TARGET_IDENTITY", T);
        for (size_t k = 0; k < T; k++)
            array_item(fp, k),
                fputs(f->target_shift[k] == 0 && f->target_scale[k] == 1 ? "1" : "0", fp);
        array_close(fp, T);
        double_array(fp, "TARGET_SHIFT", f->target_shift, T);
        double_array(fp, "TARGET_SCALE", f->target_scale, T);
    }
    for (size_t l = 0; l < m->n_layers; l++) emit_layer_data(fp, f, l, &plan[l]);
    if (m->n_layers > 1) emit_activation(fp, m->act);
    if (any_csr)
        fputs("\n/* 0 when some x[k] is infinite or NaN (x - x is then not 0) */\n"
              "static int all_finite(const float *x, unsigned long n)\n{\n    unsigned long k;\n"
              "    for (k = 0; k < n; k++)\n        if (!(x[k] - x[k] == 0.0f)) return 0;\n"
              "    return 1;\n}\n",
              fp);
    if (any_int4 || any_index4)
        fputs(
            "\n/* value j of an array of 4-bit values, two per byte: the low nibble of byte j / 2 "
            "for an\n * even j, its high nibble for an odd j */\n"
            "static unsigned nibble_at(const unsigned char *v, unsigned long j)\n{\n"
            "    return (unsigned)(v[j >> 1] >> ((j & 1u) << 2)) & 15u;\n}\n",
            fp);
    if (any_int4)
        fputs("\n/* the integer of a nibble, 4-bit two's complement: 0..7, then -8..-1 */\n"
              "static int int4_at(const unsigned char *v, unsigned long j)\n{\n"
              "    return (int)(nibble_at(v, j) ^ 8u) - 8;\n}\n",
              fp);
    for (size_t l = 0; l < m->n_layers; l++) emit_layer_code(fp, l, &plan[l]);
    size_t widest = pf_mlp_widest(m);
    fprintf(fp,
            "\nint model_forward(const double *features, float *raw)\n{\n"
            "    float a[%zu], b[%zu];\n    unsigned long j;\n"
            "    for (j = 0; j < MODEL_N_FEATURES; j++) {\n"
            "        double v = features[j];\n"
            "        if (v != v) {\n"
            "            if (!HAS_FILL[j]) {\n"
            "                for (j = 0; j < MODEL_N_OUTPUTS; j++) raw[j] = NAN;\n"
            "                return -1;\n"
            "            }\n"
            "            v = FILL[j];\n"
            "        }\n"
            "        a[j] = (float)((v - SHIFT[j]) * SCALE[j]);\n"
            "    }\n",
            widest, widest);
    for (size_t l = 0; l < m->n_layers; l++) {
        int last = l + 1 == m->n_layers;
        const char *in = l % 2 ? "b" : "a", *out = last ? "raw" : l % 2 ? "a" : "b";
        fprintf(fp, "    layer%zu(%s, %s);\n", l, in, out);
        if (!last) fprintf(fp, "    activate(%s, %zuu);\n", out, m->dims[l + 1]);
    }
    fputs("    return 0;\n}\n", fp);
    fputs("\nint model_predict_double(const double *features, double *out)\n{\n"
          "    float raw[MODEL_N_OUTPUTS];\n    int rc = model_forward(features, raw);\n",
          fp);
    if (pf_final_is_classifier(f))
        fputs(
            "    /* results/predictions.c's softmax: in double, the largest logit subtracted */\n"
            "    double top = -HUGE_VAL, sum = 0;\n    int finite = 1;\n    unsigned long c;\n"
            "    for (c = 0; c < MODEL_N_OUTPUTS; c++) {\n"
            "        double v = raw[c];\n"
            "        if (!(v - v == 0)) finite = 0;\n"
            "        if (v > top) top = v;\n"
            "    }\n"
            "    for (c = 0; c < MODEL_N_OUTPUTS; c++) sum += out[c] = finite ? exp((double)raw[c] "
            "- top) : NAN;\n"
            "    for (c = 0; c < MODEL_N_OUTPUTS; c++) out[c] /= sum;\n",
            fp);
    else
        fputs("    unsigned long k;\n    for (k = 0; k < MODEL_N_OUTPUTS; k++) {\n"
              "        double v = raw[k];\n"
              "        out[k] = TARGET_IDENTITY[k] ? v : v / TARGET_SCALE[k] + TARGET_SHIFT[k];\n"
              "    }\n",
              fp);
    fputs("    return rc;\n}\n", fp);
    fputs("\nint model_predict(const float *features, float *out)\n{\n"
          "    double x[MODEL_N_FEATURES], y[MODEL_N_OUTPUTS];\n    unsigned long j;\n    int rc;\n"
          "    for (j = 0; j < MODEL_N_FEATURES; j++) x[j] = features[j];\n"
          "    rc = model_predict_double(x, y);\n"
          "    for (j = 0; j < MODEL_N_OUTPUTS; j++) out[j] = (float)y[j];\n"
          "    return rc;\n}\n",
          fp);
}

int pf_export_c(const pf_final *f, const char *dir, pf_error *err)
{
    if (prepare(f, dir, err) != PF_OK) return err->code;
    const pf_mlp *m = f->model;
    layer_plan *plan = pf_alloc(m->n_layers, sizeof *plan, err);
    if (plan == NULL) return err->code;
    for (size_t l = 0; l < m->n_layers; l++) plan[l] = plan_layer(f, l);
    fileset s = {.n = 0};
    FILE *h = fileset_open(&s, dir, "model.h", err);
    FILE *c = h ? fileset_open(&s, dir, "model.c", err) : NULL;
    if (c == NULL) {
        fileset_abort(&s);
        free(plan);
        return err->code;
    }
    emit_model_h(h, f);
    emit_model_c(c, f, plan);
    free(plan);
    return fileset_commit(&s, err);
}

/* ---- CSV ------------------------------------------------------------------------------------- */

static void csv_num(FILE *fp, double v, int none)
{
    fputc(',', fp);
    if (!none) pf_numtext_put(fp, "", v);
}

int pf_export_csv(const pf_final *f, const char *dir, pf_error *err)
{
    if (prepare(f, dir, err) != PF_OK) return err->code;
    const pf_mlp *m = f->model;
    fileset s = {.n = 0};
    FILE *pp = fileset_open(&s, dir, "parameters.csv", err);
    FILE *fe = pp ? fileset_open(&s, dir, "features.csv", err) : NULL;
    FILE *ou = fe ? fileset_open(&s, dir, "outputs.csv", err) : NULL;
    FILE *cb = ou && f->clusters ? fileset_open(&s, dir, "codebook.csv", err) : NULL;
    if (ou == NULL || (f->clusters && cb == NULL)) {
        fileset_abort(&s);
        return err->code;
    }
    fputs("layer,kind,row,column,value,mask,q,unit_scale,centroid\n", pp);
    size_t u0 = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t R = m->dims[l + 1], C = m->dims[l];
        for (size_t i = 0; i < R; i++)
            for (size_t c = 0; c <= C; c++) { /* the row's weights, then its bias */
                int bias = c == C;
                size_t j = bias ? m->b_off[l] + i : m->w_off[l] + i * C + c;
                fprintf(pp, "%zu,%s,%zu,", l, bias ? "bias" : "weight", i);
                if (!bias) fprintf(pp, "%zu", c);
                csv_num(pp, m->params[j], 0);
                csv_num(pp, m->mask[j], 0);
                csv_num(pp, f->q ? f->q[j] : 0, f->q == NULL || bias);
                csv_num(pp, f->unit_scale ? f->unit_scale[u0 + i] : 0, f->q == NULL || bias);
                csv_num(pp, f->assign ? f->assign[j] : 0, f->assign == NULL || f->assign[j] < 0);
                fputc('\n', pp);
            }
        u0 += R;
    }
    fputs("feature,fill,shift,scale\n", fe);
    for (size_t j = 0; j < f->n_features; j++) {
        pf_csvout_field(fe, f->feature_names[j]);
        csv_num(fe, f->fill[j], isnan(f->fill[j]));
        csv_num(fe, f->shift[j], 0);
        csv_num(fe, f->scale[j], 0);
        fputc('\n', fe);
    }
    fputs("output,kind,shift,scale\n", ou);
    int cls = pf_final_is_classifier(f);
    for (size_t k = 0; k < pf_final_n_outputs(f); k++) {
        pf_csvout_field(ou, cls ? f->class_names[k] : f->target_names[k]);
        fputs(cls ? ",class" : ",target", ou);
        csv_num(ou, cls ? 0 : f->target_shift[k], 0);
        csv_num(ou, cls ? 1 : f->target_scale[k], 0);
        fputc('\n', ou);
    }
    if (cb) {
        fputs("layer,index,value\n", cb);
        for (size_t l = 0; l < m->n_layers; l++)
            for (int k = 0; k < f->clusters; k++) {
                fprintf(cb, "%zu,%d", l, k);
                csv_num(cb, f->codebook[l * (size_t)f->clusters + (size_t)k], 0);
                fputc('\n', cb);
            }
    }
    return fileset_commit(&s, err);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static void json_string(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    fputc('"', fp);
}

/* A number, or null for NaN (no value); infinities cannot occur (pf_final_check). */
static void json_num(FILE *fp, double v)
{
    char buf[PF_NUMTEXT_CAP];
    fputs(isnan(v) ? "null" : pf_numtext(buf, v), fp);
}

static void json_key(FILE *fp, const char *indent, const char *key, int first)
{
    fprintf(fp, "%s%s", first ? "" : ",\n", indent);
    json_string(fp, key);
    fputs(": ", fp);
}

/* An R x C matrix of whole numbers as rows of a JSON array: a layer's integers (q, int8) or
 * its centroid indices (a, int16); the other pointer is NULL. */
static void json_int_rows(FILE *fp, size_t R, size_t C, const int8_t *q, const int16_t *a)
{
    fputc('[', fp);
    for (size_t i = 0; i < R; i++) {
        fputs(i ? ", [" : "[", fp);
        for (size_t c = 0; c < C; c++)
            fprintf(fp, "%s%d", c ? ", " : "", q ? (int)q[i * C + c] : (int)a[i * C + c]);
        fputc(']', fp);
    }
    fputc(']', fp);
}

static void json_floats(FILE *fp, const float *v, size_t n)
{
    fputc('[', fp);
    for (size_t i = 0; i < n; i++) fputs(i ? ", " : "", fp), json_num(fp, v[i]);
    fputc(']', fp);
}

static void json_doubles(FILE *fp, const double *v, size_t n)
{
    fputc('[', fp);
    for (size_t i = 0; i < n; i++) fputs(i ? ", " : "", fp), json_num(fp, v[i]);
    fputc(']', fp);
}

static void json_names(FILE *fp, char *const *s, size_t n)
{
    fputc('[', fp);
    for (size_t i = 0; i < n; i++) fputs(i ? ", " : "", fp), json_string(fp, s[i]);
    fputc(']', fp);
}

int pf_export_json(const pf_final *f, const char *dir, pf_error *err)
{
    if (prepare(f, dir, err) != PF_OK) return err->code;
    const pf_mlp *m = f->model;
    fileset s = {.n = 0};
    FILE *fp = fileset_open(&s, dir, "model.json", err);
    if (fp == NULL) return err->code;
    fputs("{\n", fp);
    json_key(fp, "  ", "schema", 1), json_string(fp, PF_FINAL_SCHEMA);
    json_key(fp, "  ", "program_version", 0), json_string(fp, f->version);
    json_key(fp, "  ", "config_hash", 0), json_string(fp, f->config_hash);
    json_key(fp, "  ", "data_sha256", 0), json_string(fp, f->data_sha256);
    json_key(fp, "  ", "config_text", 0), json_string(fp, f->config_text);
    json_key(fp, "  ", "variant", 0), json_string(fp, f->variant);
    json_key(fp, "  ", "criterion", 0), json_string(fp, f->criterion);
    json_key(fp, "  ", "sparsity", 0), json_num(fp, f->sparsity);
    json_key(fp, "  ", "clusters", 0), fprintf(fp, "%d", f->clusters);
    json_key(fp, "  ", "bits", 0), fprintf(fp, "%d", f->bits);
    json_key(fp, "  ", "task", 0), json_string(fp, pf_task_name(f->task));
    json_key(fp, "  ", "feature_names", 0), json_names(fp, f->feature_names, f->n_features);
    json_key(fp, "  ", "fill", 0), json_doubles(fp, f->fill, f->n_features);
    json_key(fp, "  ", "shift", 0), json_doubles(fp, f->shift, f->n_features);
    json_key(fp, "  ", "scale", 0), json_doubles(fp, f->scale, f->n_features);
    json_key(fp, "  ", "target_names", 0), json_names(fp, f->target_names, f->n_targets);
    json_key(fp, "  ", "target_shift", 0), json_doubles(fp, f->target_shift, f->n_targets);
    json_key(fp, "  ", "target_scale", 0), json_doubles(fp, f->target_scale, f->n_targets);
    json_key(fp, "  ", "class_names", 0), json_names(fp, f->class_names, f->n_classes);
    char name[PF_MAX_NAME];
    json_key(fp, "  ", "activation", 0), json_string(fp, act_name(m->act, name));
    json_key(fp, "  ", "dims", 0), fputc('[', fp);
    for (size_t l = 0; l <= m->n_layers; l++) fprintf(fp, "%s%zu", l ? ", " : "", m->dims[l]);
    fputc(']', fp);
    json_key(fp, "  ", "layers", 0), fputs("[\n", fp);
    size_t u0 = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t R = m->dims[l + 1], C = m->dims[l];
        fputs(l ? ",\n    {\n" : "    {\n", fp);
        json_key(fp, "      ", "weights", 1), fputc('[', fp);
        for (size_t i = 0; i < R; i++)
            fputs(i ? ", " : "", fp), json_floats(fp, m->params + m->w_off[l] + i * C, C);
        fputc(']', fp);
        json_key(fp, "      ", "mask", 0), fputc('[', fp);
        for (size_t i = 0; i < R; i++)
            fputs(i ? ", " : "", fp), json_floats(fp, m->mask + m->w_off[l] + i * C, C);
        fputc(']', fp);
        json_key(fp, "      ", "bias", 0), json_floats(fp, m->params + m->b_off[l], R);
        if (f->q) {
            json_key(fp, "      ", "q", 0);
            json_int_rows(fp, R, C, f->q + m->w_off[l], NULL);
            json_key(fp, "      ", "unit_scale", 0), json_floats(fp, f->unit_scale + u0, R);
        }
        if (f->assign) {
            json_key(fp, "      ", "assign", 0);
            json_int_rows(fp, R, C, NULL, f->assign + m->w_off[l]);
            json_key(fp, "      ", "codebook", 0),
                json_floats(fp, f->codebook + l * (size_t)f->clusters, (size_t)f->clusters);
        }
        fputs("\n    }", fp);
        u0 += R;
    }
    fputs("\n  ]", fp);
    if (f->summary_participants) {
        json_key(fp, "  ", "summary", 0), fputs("{", fp);
        fprintf(fp, "\"participants\": %zu, \"metric\": ", f->summary_participants);
        json_string(fp, f->summary_metric);
        fputs(", \"mean\": ", fp), json_num(fp, f->summary_mean);
        fputs(", \"sd\": ", fp), json_num(fp, f->summary_sd);
        fputs(", \"worst\": ", fp), json_num(fp, f->summary_worst);
        fputc('}', fp);
    }
    fputs("\n}\n", fp);
    return fileset_commit(&s, err);
}
