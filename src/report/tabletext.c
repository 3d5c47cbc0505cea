/* tabletext.c: the spelling of a table's text (see tabletext.h). */
#include "report/tabletext.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void pf_tabletext_append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    if (n < cap) snprintf(buf + n, cap - n, "%s", s);
}

void pf_tabletext_number(int tex, double v, char *buf, size_t cap)
{
    char tmp[64];
    if (!isfinite(v)) {
        snprintf(buf, cap, "n/a");
        return;
    }
    snprintf(tmp, sizeof tmp, "%.3f", v);
    if (strcmp(tmp, "-0.000") == 0) snprintf(tmp, sizeof tmp, "0.000");
    /* A hyphen is not a minus sign in LaTeX text mode. */
    if (tex && tmp[0] == '-')
        snprintf(buf, cap, "$-$%s", tmp + 1);
    else
        snprintf(buf, cap, "%s", tmp);
}

double pf_tabletext_printed(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.3f", v);
    return strtod(buf, NULL);
}

void pf_tabletext_name(int tex, const char *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (const char *p = name; *p; p++) {
        char one[2] = {*p, '\0'};
        if (tex) {
            if (strncmp(p, "lambda", 6) == 0)
                pf_tabletext_append(buf, cap, "$\\lambda$"), p += 5;
            else if (*p == '\\')
                pf_tabletext_append(buf, cap, "\\textbackslash{}");
            else if (*p == '~')
                pf_tabletext_append(buf, cap, "\\textasciitilde{}");
            else if (*p == '^')
                pf_tabletext_append(buf, cap, "\\textasciicircum{}");
            else if (*p == '<')
                pf_tabletext_append(buf, cap, "\\textless{}");
            else if (*p == '>')
                pf_tabletext_append(buf, cap, "\\textgreater{}");
            else if (strchr("&%$#_{}", *p))
                pf_tabletext_append(buf, cap, "\\"), pf_tabletext_append(buf, cap, one);
            else
                pf_tabletext_append(buf, cap, one);
        } else {
            if (strchr("\\`*_{}[]<>|#", *p)) pf_tabletext_append(buf, cap, "\\");
            pf_tabletext_append(buf, cap, one);
        }
    }
}

size_t pf_tabletext_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

void pf_tabletext_md_row(FILE *fp, char (*text)[PF_TABLETEXT_CELL], const size_t *width, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "| %s%*s ", text[i], (int)(width[i] - pf_tabletext_width(text[i])), "");
    fprintf(fp, "|\n");
}

void pf_tabletext_md_rule(FILE *fp, const size_t *width, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        fprintf(fp, "|%s", c ? "-" : ":");
        for (size_t i = 0; i < width[c]; i++) fputc('-', fp);
        fprintf(fp, "%s", c ? ":" : "-");
    }
    fprintf(fp, "|\n");
}

void pf_tabletext_label_part(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    for (; *s && n + 1 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        buf[n++] = isalnum(ch) || ch == '.' ? (char)ch : '-';
    }
    if (n < cap) buf[n] = '\0';
}
