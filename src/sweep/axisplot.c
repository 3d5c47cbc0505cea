/* axisplot.c: a metric against a numeric axis as data + gnuplot script (see axisplot.h).
 *
 * The look is a run's mean figure (plots/common.gp, plots/mean.gp): the same terminals, border,
 * grid, key and band transparency. The plot command is written clause by clause, so a series
 * without a band has no band clause and no dense line means no dense clause (gnuplot warns about
 * a block without a valid point). NaN in the data is gnuplot's undefined value, which breaks a
 * line or a band there; "set datafile missing" is deliberately not set, since gnuplot 5 would
 * then join the points on either side of the gap. */
#include "sweep/axisplot.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/gptext.h"
#include "sweep/figfile.h"

#define MAX_DATA_TICS 12 /* up to this many points on a log axis, the x tics are the points */

static int colour_ok(const char *c)
{
    if (c == NULL || strlen(c) != 7 || c[0] != '#') return 0;
    for (int i = 1; i < 7; i++)
        if (!isxdigit((unsigned char)c[i])) return 0;
    return 1;
}

static int check_x(const double *x, size_t n_x, int log_x, pf_error *err)
{
    for (size_t i = 0; i < n_x; i++) {
        if (!isfinite(x[i]) || (i > 0 && !(x[i] > x[i - 1])))
            return pf_error_set(err, PF_EINPUT,
                                "axis figure: x[%zu] = %g; the axis values must be finite and "
                                "increasing",
                                i, x[i]);
        if (log_x && !(x[i] > 0))
            return pf_error_set(err, PF_EINPUT,
                                "axis figure: x[%zu] = %g on a logarithmic axis; every value "
                                "must be > 0",
                                i, x[i]);
    }
    return PF_OK;
}

static int check_series(const pf_axisplot_series *s, size_t i, size_t n_x, size_t *finite,
                        pf_error *err)
{
    if (s->name == NULL || s->y == NULL)
        return pf_error_set(err, PF_EINPUT, "axis figure: series %zu has no name or no values", i);
    if (!colour_ok(s->colour))
        return pf_error_set(err, PF_EINPUT,
                            "axis figure: series '%s' has colour '%s'; give it as #RRGGBB, "
                            "e.g. #0072B2",
                            s->name, s->colour ? s->colour : "(null)");
    if (s->point < 0)
        return pf_error_set(err, PF_EINPUT, "axis figure: series '%s' has point type %d (>= 0)",
                            s->name, s->point);
    if ((s->lo == NULL) != (s->hi == NULL))
        return pf_error_set(err, PF_EINPUT,
                            "axis figure: series '%s' has one bound of its band but not the other",
                            s->name);
    for (size_t j = 0; j < n_x; j++) {
        *finite += isfinite(s->y[j]) != 0;
        if (s->lo && isfinite(s->lo[j]) && isfinite(s->hi[j]) && s->lo[j] > s->hi[j])
            return pf_error_set(err, PF_EINPUT,
                                "axis figure: series '%s' at x[%zu]: band %g .. %g is upside down",
                                s->name, j, s->lo[j], s->hi[j]);
    }
    return PF_OK;
}

static int check(const double *x, size_t n_x, const pf_axisplot_series *series, size_t n_series,
                 const pf_axisplot_spec *spec, pf_error *err)
{
    if (x == NULL || series == NULL || spec == NULL || spec->title == NULL ||
        spec->xlabel == NULL || spec->ylabel == NULL)
        return pf_error_set(err, PF_EINPUT,
                            "axis figure: x, series, spec or one of its words is NULL");
    if (n_x == 0 || n_series == 0)
        return pf_error_set(err, PF_EINPUT,
                            "axis figure: %zu points and %zu series; nothing to draw", n_x,
                            n_series);
    int rc = check_x(x, n_x, spec->log_x, err);
    size_t finite = 0;
    for (size_t i = 0; i < n_series && rc == PF_OK; i++)
        rc = check_series(&series[i], i, n_x, &finite, err);
    if (rc == PF_OK && finite == 0)
        rc = pf_error_set(err, PF_EINPUT, "axis figure: no series has a finite value to draw");
    return rc;
}

/* Whether the series has a band somewhere (both bounds finite at some x). */
static int has_band(const pf_axisplot_series *s, size_t n_x)
{
    for (size_t j = 0; s->lo && j < n_x; j++)
        if (isfinite(s->lo[j]) && isfinite(s->hi[j])) return 1;
    return 0;
}

static void row(pf_gptext *t, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) pf_gptext_add(t, " ");
        pf_gptext_num(t, v[i]);
    }
    pf_gptext_add(t, "\n");
}

static void write_dat(pf_gptext *t, const double *x, size_t n_x, const pf_axisplot_series *series,
                      size_t n_series, const pf_axisplot_spec *spec, const char *name)
{
    pf_gptext_add(t, "# %s.dat: data of %s.gp -- ", name, name);
    pf_gptext_line(t, spec->title);
    pf_gptext_add(t, "\n# x: ");
    pf_gptext_line(t, spec->xlabel);
    pf_gptext_add(t, "%s\n# y: ", spec->log_x ? " (log scale)" : "");
    pf_gptext_line(t, spec->ylabel);
    pf_gptext_add(t, "\n# NaN: no value there (the line or band breaks)\n");
    for (size_t i = 0; i < n_series; i++) {
        const pf_axisplot_series *s = &series[i];
        pf_gptext_add(t, "%s# index %zu: ", i ? "\n\n" : "\n", i);
        pf_gptext_line(t, s->name);
        pf_gptext_add(t, ". Columns: x y lo hi\n");
        for (size_t j = 0; j < n_x; j++)
            row(t, (double[]){x[j], s->y[j], s->lo ? s->lo[j] : NAN, s->hi ? s->hi[j] : NAN}, 4);
    }
    if (spec->dense == NULL) return;
    pf_gptext_add(t, "\n\n# index %zu: ", n_series);
    pf_gptext_line(t, spec->dense_name ? spec->dense_name : "dense");
    pf_gptext_add(t, " (the unpruned model at each x). Columns: x dense\n");
    for (size_t j = 0; j < n_x; j++) row(t, (double[]){x[j], spec->dense[j]}, 2);
}

static void arrays(pf_gptext *t, const pf_axisplot_series *series, size_t n)
{
    pf_gptext_add(t, "N = %zu\narray names[N] = [", n);
    for (size_t i = 0; i < n; i++) {
        if (i) pf_gptext_add(t, ", ");
        pf_gptext_quote(t, series[i].name);
    }
    pf_gptext_add(t, "]\narray colors[N] = [");
    for (size_t i = 0; i < n; i++) pf_gptext_add(t, "%s\"%s\"", i ? ", " : "", series[i].colour);
    pf_gptext_add(t, "]\narray points[N] = [");
    for (size_t i = 0; i < n; i++) pf_gptext_add(t, "%s%d", i ? ", " : "", series[i].point);
    pf_gptext_add(t, "]\n");
}

/* The words and settings at the top of the script. */
static void settings(pf_gptext *t, const double *x, size_t n_x, const pf_axisplot_spec *spec)
{
    size_t lines = 1;
    for (const char *p = spec->title; *p; p++) lines += *p == '\n';
    pf_gptext_add(t, "TITLE = ");
    pf_gptext_quote(t, spec->title);
    pf_gptext_add(t, "\nTITLE_LINES = %zu\nXLABEL = ", lines);
    pf_gptext_quote(t, spec->xlabel);
    pf_gptext_add(t, "\nYLABEL = ");
    pf_gptext_quote(t, spec->ylabel);
    pf_gptext_add(t, "\nDENSE_NAME = ");
    pf_gptext_quote(t, spec->dense_name ? spec->dense_name : "dense");
    pf_gptext_add(t, "\nBAND_NAME = ");
    pf_gptext_quote(t, spec->band_name ? spec->band_name : "");
    pf_gptext_add(t, "\nDENSE = \"#000000\"\nLOGX = %d\n", spec->log_x != 0);
    /* the points, and 3% of the axis' length on either side, so no marker sits on the border */
    double a = x[0], b = x[n_x - 1], lo, hi;
    if (spec->log_x) {
        double f = n_x > 1 ? pow(b / a, 0.03) : 2.0;
        lo = a / f, hi = b * f;
    } else {
        double d = n_x > 1 ? 0.03 * (b - a) : fmax(0.5, 0.5 * fabs(a));
        lo = a - d, hi = b + d;
    }
    pf_gptext_add(t, "XMIN = %.17g; XMAX = %.17g\n", lo, hi);
    if (!spec->log_x || n_x > MAX_DATA_TICS) return; /* a linear axis: gnuplot's own tics */
    pf_gptext_add(t,
                  "# the x tics are the points themselves (decades would miss them)\nXTICS = \"(");
    for (size_t j = 0; j < n_x; j++) {
        char lab[32];
        snprintf(lab, sizeof lab, "%g", x[j]);
        pf_gptext_add(t, "%s'%s' ", j ? ", " : "", lab);
        pf_gptext_num(t, x[j]);
    }
    pf_gptext_add(t, ")\"\n");
}

static void plot_command(pf_gptext *t, const pf_axisplot_series *series, size_t n_series,
                         size_t n_x, const pf_axisplot_spec *spec)
{
    const char *sep = "    plot ";
    for (size_t i = 0; i < n_series; i++) {
        if (!has_band(&series[i], n_x)) continue;
        pf_gptext_add(t,
                      "%sDATA index %zu using 1:3:4 with filledcurves fillcolor rgb colors[%zu] "
                      "\\\n             fillstyle transparent solid 0.13 noborder",
                      sep, i, i + 1);
        sep = ", \\\n         ";
    }
    if (spec->dense) {
        pf_gptext_add(t,
                      "%sDATA index %zu using 1:2 with lines linecolor rgb DENSE dashtype 2 "
                      "linewidth 1.5*LW \\\n             title DENSE_NAME",
                      sep, n_series);
        sep = ", \\\n         ";
    }
    for (size_t i = 0; i < n_series; i++) {
        pf_gptext_add(t,
                      "%sDATA index %zu using 1:2 with linespoints linecolor rgb colors[%zu] \\\n"
                      "             pointtype points[%zu] pointsize 1.1*PS linewidth 2*LW "
                      "title names[%zu]",
                      sep, i, i + 1, i + 1, i + 1);
        sep = ", \\\n         ";
    }
    int bands = 0;
    for (size_t i = 0; i < n_series; i++) bands |= has_band(&series[i], n_x);
    if (bands && spec->band_name)
        pf_gptext_add(t,
                      "%sNaN with filledcurves fillcolor rgb \"#bbbbbb\" fillstyle solid 0.5 "
                      "noborder title BAND_NAME",
                      sep);
    pf_gptext_add(t, "\n");
}

static void write_gp(pf_gptext *t, const double *x, size_t n_x, const pf_axisplot_series *series,
                     size_t n_series, const pf_axisplot_spec *spec, const char *name,
                     const char *formats)
{
    pf_figfile_head(t, name, spec->title, "src/sweep/axisplot.c", formats);
    pf_gptext_add(t, "\n# The series in the order of DATA's blocks, with their colours and "
                     "markers.\n");
    arrays(t, series, n_series);
    settings(t, x, n_x, spec);
    pf_gptext_add(
        t,
        "\ndo for [fmt in formats] {\n"
        "    # The same figure on screen and on paper: 800x560 px PNG, 5x3.5 in PDF.\n"
        "    if (fmt eq \"pdf\") {\n"
        "        set terminal pdfcairo noenhanced color size 5in,3.5in font \"Helvetica,9\" "
        "rounded\n"
        "        LW = 0.75; PS = 0.6\n"
        "    } else {\n"
        "        set terminal pngcairo noenhanced color size 800,560 font \"Helvetica,12\" "
        "rounded\n"
        "        LW = 1.4; PS = 1\n"
        "    }\n"
        "    set output \"%s.\" . fmt\n"
        "    reset\n"
        "    set border 3 linewidth LW\n"
        "    set tics nomirror out scale 0.6\n"
        "    set grid xtics ytics linecolor rgb \"#e4e4e4\" linewidth LW dashtype 1\n"
        "    set key noautotitle\n"
        "    set key outside right top vertical Left reverse samplen 2.5 spacing 1.1\n"
        "    set tmargin 2.5 + 1.2 * TITLE_LINES\n"
        "    set label 99 TITLE at screen 0.5, screen 0.965 center\n"
        "    set xlabel XLABEL\n"
        "    set ylabel YLABEL\n"
        "    set xrange [XMIN:XMAX]\n"
        "    if (LOGX) { set logscale x; set format x \"%%g\" }\n"
        "    if (exists(\"XTICS\")) { eval \"set xtics \" . XTICS }\n",
        name);
    plot_command(t, series, n_series, n_x, spec);
    pf_gptext_add(t, "    set output\n}\n");
}

int pf_axisplot_write(const double *x, size_t n_x, const pf_axisplot_series *series,
                      size_t n_series, const pf_axisplot_spec *spec, const char *dir,
                      const char *name, const char *formats, int *rendered, pf_error *err)
{
    *rendered = 0;
    if (check(x, n_x, series, n_series, spec, err) != PF_OK) return err->code;
    if (pf_figfile_check(name, formats, err) != PF_OK) return err->code;
    pf_gptext dat = {0}, gp = {0};
    write_dat(&dat, x, n_x, series, n_series, spec, name);
    write_gp(&gp, x, n_x, series, n_series, spec, name, formats);
    int rc = pf_figfile_write(dir, name, &dat, &gp, formats, rendered, err);
    pf_gptext_free(&dat);
    pf_gptext_free(&gp);
    return rc;
}
