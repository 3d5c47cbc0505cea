/* main.c: run an exported prunefair model (model.c, model.h from pf_export_c) over a CSV file.
 *
 *   ./predict DATA.csv > predictions.txt
 *
 * The CSV's first line is its header; the model's features (model_feature_names) are picked
 * from it by name, in any column order, other columns ignored. Fields may be quoted the RFC 4180
 * way ("a, b" and "say ""hi"""), separated by commas; an empty field, or NA, NaN or nan, is an
 * empty cell (the model fills it, or reports that it cannot). Each data row prints one line:
 * the row's outputs separated by spaces, each as "%.17g" of model_predict_double (prunefair's
 * own doubles; "nan" for any NaN), or "error" when the row has an empty cell without a fill value
 * or a field that is not a number. "%.17g" reads back to the same double, so two machines' outputs
 * compare with cmp. Plain C99 and stdio: it builds wherever
 * model.c does (docs/deploy.md#the-example-program). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define MAX_LINE  65536
#define MAX_FIELD 1024

/* Split line (without its line break) into at most cap fields, unquoting each ("a, b" and
 * "say ""hi""") and trimming blanks around each, as prunefair reads a CSV file (AGAIN's header
 * writes " botDeltaRotation "); their count, 0 for a blank line. A line ending in a comma has an
 * empty last field. A quoted field cannot hold a line break here. */
static size_t split(const char *line, char fields[][MAX_FIELD], size_t cap)
{
    size_t n = 0, i = 0, len = strcspn(line, "\r\n");
    if (len == 0) return 0;
    for (;;) {
        char *out = fields[n];
        size_t w = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
        if (line[i] == '"')
            for (i++; i < len; i++) {
                if (line[i] == '"') {
                    if (line[i + 1] != '"') {
                        i++;
                        break;
                    }
                    i++; /* "" is one quote */
                }
                if (w + 1 < MAX_FIELD) out[w++] = line[i];
            }
        for (; i < len && line[i] != ','; i++)
            if (w + 1 < MAX_FIELD) out[w++] = line[i];
        while (w > 0 && (out[w - 1] == ' ' || out[w - 1] == '\t')) w--;
        out[w] = '\0';
        size_t lead = strspn(out, " \t");
        if (lead) memmove(out, out + lead, w - lead + 1);
        n++;
        if (i >= len || n == cap) return n;
        i++; /* the comma */
    }
}

static int is_empty(const char *s)
{
    return s[0] == '\0' || strcmp(s, "NA") == 0 || strcmp(s, "NaN") == 0 || strcmp(s, "nan") == 0;
}

static char line[MAX_LINE];
static char fields[MODEL_N_FEATURES + 1024][MAX_FIELD];

int main(int argc, char **argv)
{
    size_t n_fields = sizeof fields / sizeof fields[0];
    long column[MODEL_N_FEATURES];
    FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (argc > 2 || in == NULL) {
        fprintf(stderr, "usage: %s [DATA.csv] (cannot read '%s')\n", argv[0],
                argc > 1 ? argv[1] : "stdin");
        return 2;
    }
    if (fgets(line, sizeof line, in) == NULL) {
        fprintf(stderr, "%s: no header line\n", argv[0]);
        return 2;
    }
    size_t n = split(line, fields, n_fields), j, k;
    for (j = 0; j < MODEL_N_FEATURES; j++) {
        column[j] = -1;
        for (k = 0; k < n && column[j] < 0; k++)
            if (strcmp(fields[k], model_feature_names[j]) == 0) column[j] = (long)k;
        if (column[j] < 0) {
            fprintf(stderr, "%s: the header has no column '%s', which the model needs\n", argv[0],
                    model_feature_names[j]);
            return 2;
        }
    }
    while (fgets(line, sizeof line, in) != NULL) {
        double x[MODEL_N_FEATURES], y[MODEL_N_OUTPUTS];
        int ok = 1;
        n = split(line, fields, n_fields);
        if (n == 0) continue; /* a blank line */
        for (j = 0; j < MODEL_N_FEATURES; j++) {
            const char *s = (size_t)column[j] < n ? fields[column[j]] : "";
            char *end;
            if (is_empty(s)) {
                x[j] = NAN;
                continue;
            }
            x[j] = strtod(s, &end);
            if (end == s || *end != '\0') ok = 0;
        }
        if (!ok || model_predict_double(x, y) != 0) {
            puts("error");
            continue;
        }
        for (k = 0; k < MODEL_N_OUTPUTS; k++) /* NaN's sign differs between CPUs: one text */
            if (y[k] != y[k])
                printf("%snan", k ? " " : "");
            else
                printf("%s%.17g", k ? " " : "", y[k]);
        putchar('\n');
    }
    return 0;
}
