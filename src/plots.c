/* plots.c: figures as data + gnuplot script, rendered by gnuplot when it is there (plots.h).
 *
 * The program computes every number; gnuplot only draws. Each figure's .dat file therefore
 * holds exactly the values of pf_results / pf_analysis that the figure shows (%.10g, NaN for
 * a missing value), so a reader can check a plotted point against summary.csv, and restyle a
 * figure without rerunning the experiment. The scripts are the embedded templates with their
 * @PLACEHOLDERS@ filled in: plots/common.gp (look, terminals, colours, the loop over formats)
 * wraps the figure's own template at @BODY@.
 *
 * gnuplot runs as a child process (fork + execv, its cwd the figures folder, so the relative
 * data file name resolves; no shell, so no path is ever parsed as a command). Its stderr is
 * captured through a pipe and becomes the error message when it fails. */
#include "plots.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "summary.h"
#include "outfile.h"

#define PATH_CAP 1100

/* ---- a growing string ----------------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *t, size_t len)
{
    if (b->oom) return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + len + 1) cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s, b->cap = cap;
    }
    memcpy(b->s + b->n, t, len);
    b->n += len;
    b->s[b->n] = '\0';
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        b->oom = 1;
    else
        sb_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- what the figures need, computed once ---------------------------------------------------- */

typedef struct {
    const pf_results *r;
    const pf_analysis *a; /* may be NULL: no intervals */
    const pf_config *cfg;
    char figdir[PATH_CAP];
    char formats[64];   /* the distinct formats to render, space-separated ("png pdf") */
    double *vals;       /* [crit][sp][part] repeat-averaged CCC */
    double *dense_vals; /* [part] */
    pf_summary *sum;    /* [crit][sp] */
    pf_summary dense;
} plot_ctx;

static double *values_at(const plot_ctx *c, size_t k, size_t s)
{
    return c->vals + (k * c->r->n_sp + s) * c->r->n_part;
}

static int ctx_init(plot_ctx *c, pf_error *err)
{
    const pf_results *r = c->r;
    size_t K = r->n_crit, S = r->n_sp, P = r->n_part;
    c->vals = pf_calloc(K * S * P, sizeof(double), err);
    c->dense_vals = pf_calloc(P, sizeof(double), err);
    c->sum = pf_calloc(K * S, sizeof(pf_summary), err);
    if (err->code != PF_OK) return err->code;
    pf_results_participant_values(r, -1, 0, 0, c->dense_vals);
    pf_summary_compute(c->dense_vals, P, &c->dense);
    for (size_t k = 0; k < K; k++)
        for (size_t s = 0; s < S; s++) {
            pf_results_participant_values(r, (int)k, s, 0, values_at(c, k, s));
            pf_summary_compute(values_at(c, k, s), P, &c->sum[k * S + s]);
        }
    return PF_OK;
}

static void ctx_free(plot_ctx *c)
{
    free(c->vals), free(c->dense_vals), free(c->sum);
}

/* ---- criterion names, colours and markers ---------------------------------------------------- */

/* Fixed colours (Okabe-Ito, safe for colour-blind readers) and markers per known criterion, so
 * "magnitude" is the same blue in every run and every paper; a second variant of a criterion
 * (another VR lambda) or an unknown name takes the next spare colour. */
typedef struct {
    const char *base, *color;
    int point;
} crit_style;

static const crit_style known_styles[] = {
    {"random", "#8C8C8C", 11},    {"magnitude", "#0072B2", 5}, {"snip", "#E69F00", 9},
    {"fairgrape", "#009E73", 13}, {"vr", "#D55E00", 7},
};
static const char *const spare_colors[] = {"#CC79A7", "#56B4E9", "#882255", "#44AA99",
                                           "#332288", "#999933", "#AA4499", "#117733"};

static const crit_style *known_style(const char *name)
{
    size_t len = strcspn(name, "(");
    for (size_t i = 0; i < sizeof known_styles / sizeof known_styles[0]; i++)
        if (strlen(known_styles[i].base) == len && strncmp(name, known_styles[i].base, len) == 0)
            return &known_styles[i];
    return NULL;
}

/* A gnuplot double-quoted string literal of name, "lambda" shown as the Greek letter. */
static void gp_quote_name(sbuf *b, const char *name)
{
    sb_add(b, "\"", 1);
    for (const char *p = name; *p; p++) {
        if (strncmp(p, "lambda", 6) == 0) {
            sb_add(b, "\xce\xbb", 2); /* UTF-8 for U+03BB */
            p += 5;
        } else if (*p == '"' || *p == '\\') {
            sb_add(b, "\\", 1);
            sb_add(b, p, 1);
        } else {
            sb_add(b, p, 1);
        }
    }
    sb_add(b, "\"", 1);
}

/* ---- choosing the box-plot sparsities -------------------------------------------------------- */

size_t pf_plots_box_sparsities(const double *sparsity, size_t n_sp, size_t *idx, size_t cap)
{
    static const double targets[] = {0.5, 0.8, 0.9};
    int chosen[PF_MAX_LIST * 2] = {0};
    if (n_sp > sizeof chosen / sizeof chosen[0]) n_sp = sizeof chosen / sizeof chosen[0];
    for (size_t t = 0; n_sp > 3 && t < 3; t++) {
        size_t best = 0;
        for (size_t s = 1; s < n_sp; s++) {
            /* Halfway between two grid points (0.4 and 0.6 for 0.5, up to rounding): the
             * sparser one, where criteria differ more. */
            double d = fabs(sparsity[s] - targets[t]), bd = fabs(sparsity[best] - targets[t]);
            if (d < bd - 1e-9 || (d <= bd + 1e-9 && sparsity[s] > sparsity[best])) best = s;
        }
        chosen[best] = 1;
    }
    size_t n = 0;
    for (size_t s = 0; s < n_sp && n < cap; s++)
        if (n_sp <= 3 || chosen[s]) idx[n++] = s;
    return n;
}

/* ---- the data files ------------------------------------------------------------------------- */

static void put_num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.10g", v);
    else
        fputs("NaN", fp);
}

static void put_row(FILE *fp, size_t n, const double *v)
{
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(' ', fp);
        put_num(fp, v[i]);
    }
    fputc('\n', fp);
}

static void data_header(FILE *fp, const plot_ctx *c, const char *name, const char *what,
                        const char *columns)
{
    fprintf(fp, "# %s.dat: data of %s.gp -- %s\n", name, name, what);
    fprintf(fp,
            "# run %s (config %.8s); %zu participants, %zu repeat(s) averaged per participant "
            "first\n",
            c->cfg->name, c->cfg->hash, c->r->n_part, c->r->n_rep);
    fprintf(fp, "# columns: %s\n", columns);
}

static void block_header(FILE *fp, size_t index, const char *label)
{
    fprintf(fp, "%s# index %zu: %s\n", index ? "\n\n" : "", index, label);
}

static pf_interval no_interval(void)
{
    return (pf_interval){NAN, NAN};
}

/* The dense model as a horizontal segment over the plotted sparsity range. */
static void dense_segment(FILE *fp, const plot_ctx *c, double y, pf_interval ci)
{
    const pf_results *r = c->r;
    double lo = 0, hi = 0;
    for (size_t s = 0; s < r->n_sp; s++) {
        if (r->sparsity[s] < lo) lo = r->sparsity[s];
        if (r->sparsity[s] > hi) hi = r->sparsity[s];
    }
    block_header(fp, 0, "dense");
    put_row(fp, 4, (double[]){lo, y, ci.lo, ci.hi});
    put_row(fp, 4, (double[]){hi, y, ci.lo, ci.hi});
}

/* mean_ccc.dat (sd = 0) or sd_ccc.dat (sd = 1): value and bootstrap CI per sparsity. */
static void write_stat_series(FILE *fp, const plot_ctx *c, int sd)
{
    const pf_results *r = c->r;
    const pf_analysis *a = c->a;
    const pf_interval *ci = a ? (sd ? a->sd_ci : a->mean_ci) : NULL;
    pf_interval dci = a ? (sd ? a->dense_sd_ci : a->dense_mean_ci) : no_interval();
    dense_segment(fp, c, sd ? c->dense.sd : c->dense.mean, dci);
    for (size_t k = 0; k < r->n_crit; k++) {
        block_header(fp, k + 1, r->crit[k]);
        for (size_t s = 0; s < r->n_sp; s++) {
            const pf_summary *m = &c->sum[k * r->n_sp + s];
            pf_interval iv = ci ? ci[k * r->n_sp + s] : no_interval();
            put_row(fp, 4, (double[]){r->sparsity[s], sd ? m->sd : m->mean, iv.lo, iv.hi});
        }
    }
}

static void data_mean_ccc(FILE *fp, const plot_ctx *c)
{
    data_header(fp, c, "mean_ccc", "mean CCC across participants and its bootstrap CI",
                "sparsity mean_ccc ci_lo ci_hi");
    write_stat_series(fp, c, 0);
}

static void data_sd_ccc(FILE *fp, const plot_ctx *c)
{
    data_header(fp, c, "sd_ccc", "sample sd of CCC across participants and its bootstrap CI",
                "sparsity sd_ccc ci_lo ci_hi");
    write_stat_series(fp, c, 1);
}

static void data_worst_ccc(FILE *fp, const plot_ctx *c)
{
    const pf_results *r = c->r;
    data_header(fp, c, "worst_ccc",
                "worst participant's CCC and the 10th percentile (type 7) across participants",
                "sparsity min_ccc p10_ccc");
    block_header(fp, 0, "dense");
    put_row(fp, 3, (double[]){0, c->dense.min, c->dense.p10});
    double hi = 0;
    for (size_t s = 0; s < r->n_sp; s++) hi = r->sparsity[s] > hi ? r->sparsity[s] : hi;
    put_row(fp, 3, (double[]){hi, c->dense.min, c->dense.p10});
    for (size_t k = 0; k < r->n_crit; k++) {
        block_header(fp, k + 1, r->crit[k]);
        for (size_t s = 0; s < r->n_sp; s++) {
            const pf_summary *m = &c->sum[k * r->n_sp + s];
            put_row(fp, 3, (double[]){r->sparsity[s], m->min, m->p10});
        }
    }
}

static void data_box_ccc(FILE *fp, const plot_ctx *c)
{
    const pf_results *r = c->r;
    size_t idx[3], ng = pf_plots_box_sparsities(r->sparsity, r->n_sp, idx, 3);
    data_header(fp, c, "box_ccc", "per-participant CCC at the box-plot sparsities",
                "participant ccc  (participant = index in results order)");
    char label[PF_MAX_NAME + 48];
    for (size_t g = 0; g < ng; g++)
        for (size_t k = 0; k < r->n_crit; k++) {
            snprintf(label, sizeof label, "%s at sparsity %g", r->crit[k], r->sparsity[idx[g]]);
            block_header(fp, g * r->n_crit + k, label);
            const double *v = values_at(c, k, idx[g]);
            for (size_t p = 0; p < r->n_part; p++) put_row(fp, 2, (double[]){(double)p, v[p]});
        }
    block_header(fp, ng * r->n_crit, "dense");
    for (size_t p = 0; p < r->n_part; p++) put_row(fp, 2, (double[]){(double)p, c->dense_vals[p]});
}

static void data_pareto(FILE *fp, const plot_ctx *c)
{
    const pf_results *r = c->r;
    data_header(fp, c, "pareto", "mean CCC against its sd across participants",
                "sd_ccc mean_ccc sparsity");
    block_header(fp, 0, "dense");
    put_row(fp, 3, (double[]){c->dense.sd, c->dense.mean, 0});
    for (size_t k = 0; k < r->n_crit; k++) {
        block_header(fp, k + 1, r->crit[k]);
        for (size_t s = 0; s < r->n_sp; s++) {
            const pf_summary *m = &c->sum[k * r->n_sp + s];
            put_row(fp, 3, (double[]){m->sd, m->mean, r->sparsity[s]});
        }
    }
}

/* ---- the figures ---------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *title; /* printf format taking the number of participants */
    void (*data)(FILE *fp, const plot_ctx *c);
} figure;

static const figure figures[] = {
    {"mean_ccc", "Mean CCC vs sparsity (%zu participants)", data_mean_ccc},
    {"sd_ccc", "Spread of CCC across %zu participants vs sparsity", data_sd_ccc},
    {"worst_ccc", "Worst-case CCC vs sparsity (%zu participants)", data_worst_ccc},
    {"box_ccc", "Per-participant CCC at selected sparsities (%zu participants)", data_box_ccc},
    {"pareto", "Mean vs spread of CCC (%zu participants)", data_pareto},
};
#define N_FIGURES (sizeof figures / sizeof figures[0])

/* ---- filling templates ---------------------------------------------------------------------- */

typedef struct {
    const char *key, *value;
} subst;

/* tpl with every @KEY@ of subs replaced by its value; other '@' (gnuplot macros) untouched. */
static char *fill_template(const char *tpl, const subst *subs, size_t n, pf_error *err)
{
    sbuf b = {0};
    for (const char *p = tpl; *p;) {
        size_t i = n;
        if (*p == '@')
            for (i = 0; i < n; i++) {
                size_t len = strlen(subs[i].key);
                if (strncmp(p + 1, subs[i].key, len) == 0 && p[len + 1] == '@') break;
            }
        if (i < n) {
            sb_add(&b, subs[i].value, strlen(subs[i].value));
            p += strlen(subs[i].key) + 2;
        } else {
            sb_add(&b, p++, 1);
        }
    }
    if (b.oom || !b.s) {
        free(b.s);
        pf_error_set(err, PF_ERUNTIME, "out of memory filling a gnuplot template");
        return NULL;
    }
    return b.s;
}

/* The gnuplot array literals of the criteria: names, colours, markers. A criterion takes its
 * known style unless an earlier one took it (a second vr lambda); then the next spare colour. */
static void criterion_arrays(const pf_results *r, sbuf *names, sbuf *colors, sbuf *points)
{
    static const int spare_points[] = {15, 5, 7, 9, 11, 13};
    int taken[sizeof known_styles / sizeof known_styles[0]] = {0};
    size_t spare = 0;
    for (size_t k = 0; k < r->n_crit; k++) {
        const crit_style *st = known_style(r->crit[k]);
        const char *color;
        int point;
        if (st && !taken[st - known_styles]) {
            taken[st - known_styles] = 1;
            color = st->color, point = st->point;
        } else {
            color = spare_colors[spare % (sizeof spare_colors / sizeof spare_colors[0])];
            point = st ? st->point : spare_points[spare % (sizeof spare_points / sizeof(int))];
            spare++;
        }
        if (k) sb_add(names, ", ", 2), sb_add(colors, ", ", 2), sb_add(points, ", ", 2);
        gp_quote_name(names, r->crit[k]);
        sb_printf(colors, "\"%s\"", color);
        sb_printf(points, "%d", point);
    }
}

/* Box-plot groups: their count and the array literal of their labels. */
static void box_panels(const pf_results *r, char *ng, size_t cap, sbuf *panels)
{
    size_t idx[3], n = pf_plots_box_sparsities(r->sparsity, r->n_sp, idx, 3);
    snprintf(ng, cap, "%zu", n);
    for (size_t g = 0; g < n; g++)
        sb_printf(panels, "%s\"%g\"", g ? ", " : "", r->sparsity[idx[g]]);
}

static char *build_script(const plot_ctx *c, const figure *f, pf_error *err)
{
    const char *common = pf_plot_template("common"), *body = pf_plot_template(f->name);
    if (!common || !body) {
        pf_error_set(err, PF_ERUNTIME, "gnuplot template '%s' missing from the build",
                     common ? f->name : "common");
        return NULL;
    }
    const pf_results *r = c->r;
    sbuf names = {0}, colors = {0}, points = {0}, panels = {0};
    criterion_arrays(r, &names, &colors, &points);
    char ng[32], n[32], npart[32], ci[32], title[256], datafile[PF_MAX_NAME + 8];
    box_panels(r, ng, sizeof ng, &panels);
    snprintf(n, sizeof n, "%zu", r->n_crit);
    snprintf(npart, sizeof npart, "%zu", r->n_part);
    snprintf(ci, sizeof ci, "%g%%", 100 * (1 - c->cfg->alpha));
    snprintf(title, sizeof title, f->title, r->n_part);
    snprintf(datafile, sizeof datafile, "%s.dat", f->name);
    char *script = NULL;
    if (names.oom || colors.oom || points.oom || panels.oom || !names.s || !panels.s) {
        pf_error_set(err, PF_ERUNTIME, "out of memory writing the gnuplot script %s.gp", f->name);
    } else {
        subst outer[] = {{"BODY", body}};
        subst vars[] = {{"NAME", f->name},
                        {"TITLE", title},
                        {"FORMATS", c->formats},
                        {"DATAFILE", datafile},
                        {"N", n},
                        {"NAMES", names.s},
                        {"COLORS", colors.s},
                        {"POINTS", points.s},
                        {"NPART", npart},
                        {"CI", ci},
                        {"NG", ng},
                        {"PANELS", panels.s}};
        char *whole = fill_template(common, outer, 1, err);
        if (whole) script = fill_template(whole, vars, sizeof vars / sizeof vars[0], err);
        free(whole);
    }
    free(names.s), free(colors.s), free(points.s), free(panels.s);
    return script;
}

/* ---- writing -------------------------------------------------------------------------------- */

static int write_figure_files(const plot_ctx *c, const figure *f, pf_error *err)
{
    char name[PF_MAX_NAME + 8];
    pf_outfile out;
    snprintf(name, sizeof name, "%s.dat", f->name);
    if (pf_outfile_open(&out, c->figdir, name, err) != PF_OK) return err->code;
    f->data(out.fp, c);
    if (pf_outfile_commit(&out, err) != PF_OK) return err->code;

    char *script = build_script(c, f, err);
    if (!script) return err->code;
    snprintf(name, sizeof name, "%s.gp", f->name);
    if (pf_outfile_open(&out, c->figdir, name, err) == PF_OK) {
        fputs(script, out.fp);
        pf_outfile_commit(&out, err);
    }
    free(script);
    return err->code;
}

static int make_dir(const char *path, pf_error *err)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return PF_OK;
    return pf_error_set(err, PF_ERUNTIME, "cannot create the folder '%s': %s", path,
                        strerror(errno));
}

/* The distinct known formats of cfg->figures, space-separated. */
static int collect_formats(const pf_config *cfg, char *out, size_t cap, pf_error *err)
{
    out[0] = '\0';
    for (size_t i = 0; i < cfg->figures.n; i++) {
        const char *f = cfg->figures.item[i];
        if (strcmp(f, "png") != 0 && strcmp(f, "pdf") != 0)
            return pf_error_set(err, PF_EINPUT,
                                "output.figures: unknown format '%s' (accepted: png, pdf)", f);
        if (!strstr(out, f))
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? " " : "", f);
    }
    return PF_OK;
}

/* ---- running gnuplot ------------------------------------------------------------------------ */

/* The first executable `name` on PATH into out; 0 when there is none. */
static int find_on_path(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;; p++) {
        size_t len = strcspn(p, ":");
        struct stat st;
        snprintf(out, cap, "%.*s/%s", (int)len, len ? p : ".", name);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return 1;
        p += len;
        if (!*p) return 0;
    }
}

/* The child: cwd = the figures folder, stdin and stdout /dev/null, stderr the pipe. Only
 * async-signal-safe calls here: the parent may be multi-threaded (OpenMP). */
static void exec_child(const char *prog, char *const argv[], const char *cwd, int errfd)
{
    int null = open("/dev/null", O_RDWR);
    if (null < 0 || chdir(cwd) != 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(errfd, 2) < 0)
        _exit(126);
    execv(prog, argv);
    static const char msg[] = "cannot execute gnuplot\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(127);
}

/* Read the child's stderr to the end, keeping what fits in msg. */
static void drain(int fd, char *msg, size_t cap)
{
    size_t n = 0;
    char buf[512];
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        size_t take = (size_t)got < cap - 1 - n ? (size_t)got : cap - 1 - n;
        memcpy(msg + n, buf, take);
        n += take;
    }
    msg[n] = '\0';
}

/* gnuplot's message in one line: newlines to " | ", trailing space trimmed. */
static void one_line(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r')) s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

/* Run `prog script` in dir; PF_OK when it exits 0, else PF_ERUNTIME with its stderr. */
static int run_gnuplot(const char *prog, const char *dir, const char *script, pf_error *err)
{
    int fd[2];
    if (pipe(fd) != 0)
        return pf_error_set(err, PF_ERUNTIME, "cannot run gnuplot: pipe: %s", strerror(errno));
    fcntl(fd[0], F_SETFD, FD_CLOEXEC), fcntl(fd[1], F_SETFD, FD_CLOEXEC);
    char arg0[] = "gnuplot", arg1[PF_MAX_NAME + 8];
    snprintf(arg1, sizeof arg1, "%s", script);
    char *const argv[] = {arg0, arg1, NULL};
    pid_t pid = fork();
    if (pid == 0) exec_child(prog, argv, dir, fd[1]);
    close(fd[1]);
    if (pid < 0) {
        close(fd[0]);
        return pf_error_set(err, PF_ERUNTIME, "cannot run gnuplot: fork: %s", strerror(errno));
    }
    char msg[800];
    drain(fd[0], msg, sizeof msg);
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return pf_error_set(err, PF_ERUNTIME, "waiting for gnuplot: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return PF_OK;
    one_line(msg);
    if (WIFSIGNALED(status))
        return pf_error_set(err, PF_ERUNTIME, "gnuplot was killed by signal %d rendering %s/%s%s%s",
                            WTERMSIG(status), dir, script, msg[0] ? ": " : "", msg);
    return pf_error_set(err, PF_ERUNTIME, "gnuplot failed (exit %d) rendering %s/%s: %s",
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1, dir, script,
                        msg[0] ? msg : "(no message)");
}

static int file_nonempty(const char *dir, const char *name, const char *ext)
{
    char path[PATH_CAP + PF_MAX_NAME];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Remove stale images first, so an image on disk always belongs to the script beside it. */
static void remove_images(const char *dir, const char *name)
{
    char path[PATH_CAP + PF_MAX_NAME];
    static const char *const exts[] = {"png", "pdf"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, exts[i]);
        unlink(path);
    }
}

static int render(const plot_ctx *c, const char *prog, const figure *f, int *rendered,
                  pf_error *err)
{
    char script[PF_MAX_NAME + 8];
    snprintf(script, sizeof script, "%s.gp", f->name);
    remove_images(c->figdir, f->name);
    if (run_gnuplot(prog, c->figdir, script, err) != PF_OK) return err->code;
    static const char *const exts[] = {"png", "pdf"};
    for (size_t i = 0; i < 2; i++) {
        const char *ext = exts[i];
        if (!strstr(c->formats, ext)) continue;
        if (!file_nonempty(c->figdir, f->name, ext))
            return pf_error_set(err, PF_ERUNTIME, "gnuplot ran %s/%s but wrote no %s.%s", c->figdir,
                                script, f->name, ext);
        (*rendered)++;
    }
    return PF_OK;
}

int pf_plots_write(const pf_results *r, const pf_analysis *a, const pf_config *cfg, const char *dir,
                   int *rendered, pf_error *err)
{
    *rendered = 0;
    if (cfg->figures.n == 0) return PF_OK;
    if (r->n_crit == 0 || r->n_sp == 0)
        return pf_error_set(err, PF_EINPUT,
                            "nothing to plot: the run has %zu criteria and %zu "
                            "sparsity levels (prune.criteria, prune.sparsities)",
                            r->n_crit, r->n_sp);
    plot_ctx c = {.r = r, .a = a, .cfg = cfg};
    if (collect_formats(cfg, c.formats, sizeof c.formats, err) != PF_OK) return err->code;
    if (snprintf(c.figdir, sizeof c.figdir, "%s/figures", dir) >= (int)sizeof c.figdir)
        return pf_error_set(err, PF_ERUNTIME, "output path too long: %s/figures", dir);
    if (make_dir(c.figdir, err) != PF_OK || ctx_init(&c, err) != PF_OK) {
        ctx_free(&c);
        return err->code;
    }
    for (size_t i = 0; i < N_FIGURES && err->code == PF_OK; i++)
        write_figure_files(&c, &figures[i], err);
    char prog[PATH_CAP];
    if (err->code == PF_OK && find_on_path("gnuplot", prog, sizeof prog))
        for (size_t i = 0; i < N_FIGURES && err->code == PF_OK; i++)
            render(&c, prog, &figures[i], rendered, err);
    ctx_free(&c);
    return err->code;
}
