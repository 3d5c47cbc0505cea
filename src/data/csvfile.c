/* csvfile.c: libcsv plus chunked reading, BOM, separator, trimming, line numbers and SHA-256
 * (see csvfile.h).
 *
 * The line counter must be exact whenever libcsv calls back, so each chunk is fed a line at a
 * time: a record is reported on the newline (or the CR of a CRLF) that ends it, and a record
 * began as many lines before that as its quoted fields held newlines. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "data/csvfile.h"

#include "base/alloc.h"
#include "base/path.h"
#include "base/sha256.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1u << 16) /* bytes per fread: large enough that libcsv calls dominate */

typedef struct {
    char *text; /* the current record's fields, each trimmed and NUL-terminated */
    size_t len, cap;
    size_t *start; /* offset of each field in text */
    char **field;
    size_t n_fields, cap_fields;
    size_t line;        /* physical line the parser is on, 1-based */
    size_t embedded_nl; /* newlines inside the current record's quoted fields */
    size_t last_line;   /* line on which the last complete record ended */
    size_t n_records;
    char delimiter;
    const char *path, *what;
    pf_csvfile_record_fn on_record;
    void *ctx;
    int status; /* PF_OK until something fails; then the rest of the file is skipped */
    pf_error *err;
} reader;

static int grow_fields(reader *r)
{
    size_t cap = r->cap_fields ? 2 * r->cap_fields : 64;
    size_t *start = pf_alloc_resize(r->start, cap, sizeof *start);
    if (start) r->start = start;
    char **field = start ? pf_alloc_resize(r->field, cap, sizeof *field) : NULL;
    if (field == NULL) return PF_ERUNTIME;
    r->field = field;
    r->cap_fields = cap;
    return PF_OK;
}

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->status != PF_OK) return;
    const char *p = s ? s : "";
    for (size_t i = 0; i < len; i++) r->embedded_nl += p[i] == '\n';
    while (len > 0 && isspace((unsigned char)*p)) p++, len--;
    while (len > 0 && isspace((unsigned char)p[len - 1])) len--;
    if (r->n_fields == r->cap_fields && grow_fields(r) != PF_OK) goto oom;
    if (r->len + len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + len + 1) cap *= 2;
        char *text = pf_alloc_resize(r->text, cap, 1);
        if (text == NULL) goto oom;
        r->text = text;
        r->cap = cap;
    }
    memcpy(r->text + r->len, p, len);
    r->text[r->len + len] = '\0';
    r->start[r->n_fields++] = r->len;
    r->len += len + 1;
    return;
oom:
    r->status =
        pf_error_set(r->err, PF_ERUNTIME, "out of memory reading a CSV field of %zu bytes", len);
}

/* A header that is one field holding another separator: the file is not comma-separated. */
static int one_field_header(reader *r)
{
    char name[PF_MAX_NAME];
    static const char others[] = ",;\t|";
    const char *h = r->field[0];
    for (const char *c = others; *c; c++)
        if (*c != r->delimiter && strchr(h, *c))
            return pf_error_set(r->err, PF_EINPUT,
                                "%s '%s' line %zu: the header is one field ('%.60s%s') holding "
                                "'%s' characters: the file looks %s-separated; set "
                                "data.delimiter = %s (or auto)",
                                r->what, r->path, r->line - r->embedded_nl, h,
                                strlen(h) > 60 ? "..." : "", *c == '\t' ? "\\t" : (char[]){*c, 0},
                                pf_csvfile_delimiter_name(*c, name, sizeof name),
                                pf_csvfile_delimiter_name(*c, name, sizeof name));
    return PF_OK;
}

static void on_row(int terminator, void *data)
{
    (void)terminator;
    reader *r = data;
    if (r->status != PF_OK) return;
    for (size_t i = 0; i < r->n_fields; i++) r->field[i] = r->text + r->start[i];
    size_t first_line = r->line - r->embedded_nl;
    if (r->n_records == 0 && r->n_fields == 1 && (r->status = one_field_header(r)) != PF_OK) return;
    r->n_records++;
    r->last_line = r->line;
    r->status = r->on_record(r->ctx, r->field, r->n_fields, first_line);
    r->n_fields = r->len = r->embedded_nl = 0;
}

/* libcsv stopped before the end of a line: malformed quoting (strict mode) or no memory. */
static int parse_failure(struct csv_parser *p, reader *r)
{
    if (csv_error(p) == CSV_EPARSE)
        return pf_error_set(r->err, PF_EINPUT,
                            "%s '%s' line %zu: malformed quotes; a field containing a quote "
                            "must itself be quoted, with the inner quote doubled (\"a \"\"b\"\" "
                            "c\"), and nothing may follow a closing quote but the separator",
                            r->what, r->path, r->line);
    return pf_error_set(r->err, PF_ERUNTIME, "CSV parser failed on line %zu of '%s': %s", r->line,
                        r->path, csv_strerror(csv_error(p)));
}

static int feed(struct csv_parser *p, reader *r, const char *s, size_t n)
{
    while (n > 0 && r->status == PF_OK) {
        const char *nl = memchr(s, '\n', n);
        size_t len = nl ? (size_t)(nl - s) + 1 : n;
        if (csv_parse(p, s, len, on_field, on_row, r) != len && r->status == PF_OK)
            r->status = parse_failure(p, r);
        if (nl) r->line++;
        s += len;
        n -= len;
    }
    return r->status;
}

/* The file ended inside quotes. libcsv cannot say where the quote opened, only that it was
 * in the record after the last complete one. */
static int unclosed_quote(const reader *r)
{
    char where[64] = "in the header";
    if (r->last_line > 0) snprintf(where, sizeof where, "after line %zu", r->last_line);
    return pf_error_set(r->err, PF_EINPUT,
                        "%s '%s': a quoted field %s is never closed; add the missing '\"' "
                        "(a quote inside a quoted field is written twice: \"\")",
                        r->what, r->path, where);
}

/* The separator of a file whose data.delimiter is auto: the most frequent candidate outside
 * quotes on the first line (ties in the order , ; tab |), comma when none occurs. */
static char sniff_delimiter(const char *s, size_t n)
{
    static const char cand[] = ",;\t|";
    size_t count[4] = {0};
    int quoted = 0;
    for (size_t i = 0; i < n && (quoted || (s[i] != '\n' && s[i] != '\r')); i++) {
        if (s[i] == '"') quoted = !quoted;
        for (size_t c = 0; c < 4 && !quoted; c++) count[c] += s[i] == cand[c];
    }
    size_t best = 0;
    for (size_t c = 1; c < 4; c++)
        if (count[c] > count[best]) best = c;
    return cand[best];
}

/* The separator character of each data.delimiter value (indexed by pf_delimiter; auto: none,
 * it is sniffed). */
static const char DELIMITER_CHARS[] = {0, ',', ';', '\t', '|'};
_Static_assert(sizeof DELIMITER_CHARS == PF_DELIM_PIPE + 1, "one character per pf_delimiter");

static char delimiter_char(pf_delimiter d, const char *s, size_t n)
{
    return d != PF_DELIM_AUTO ? DELIMITER_CHARS[d] : sniff_delimiter(s, n);
}

const char *pf_csvfile_delimiter_name(char c, char *out, size_t cap)
{
    int d = PF_DELIM_COMMA;
    for (int i = PF_DELIM_COMMA; i <= PF_DELIM_PIPE; i++)
        if (DELIMITER_CHARS[i] == c) d = i;
    pf_config_choice_name("data", "delimiter", d, out, cap);
    return out;
}

/* With tab as the separator a tab is not blank space libcsv may trim away. */
static int is_space_not_tab(unsigned char c)
{
    return c == ' ';
}

static FILE *open_file(const char *path, const char *what, pf_error *err)
{
    struct stat st;
    char abs[4200];
    pf_path_abs(path, abs, sizeof abs);
    if (path[0] == '\0') {
        pf_error_set(err, PF_EINPUT, "no %s given: set its path in the config", what);
        return NULL;
    }
    if (stat(path, &st) != 0) {
        /* The official corpus is the one file users must fetch themselves: say from where. */
        const char *hint = strstr(path, "clean_data") ? "; the official AGAIN corpus file "
                                                        "clean_data.csv is not shipped: the "
                                                        "comments in configs/again.ini say where "
                                                        "to download it"
                                                      : "";
        pf_error_set(err, PF_EINPUT,
                     "cannot open %s '%s': %s (tried %s; a relative path is taken from the "
                     "folder run_experiment is started in%s)",
                     what, path, strerror(errno), abs, hint);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        pf_error_set(err, PF_EINPUT, "%s '%s' is a folder, not a CSV file (%s)", what, path, abs);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        pf_error_set(err, PF_EINPUT, "cannot open %s '%s' (%s): %s", what, path, abs,
                     strerror(errno));
    return f;
}

static void read_stream(FILE *f, reader *r, struct csv_parser *p, pf_sha256 *md, pf_delimiter delim)
{
    char *chunk = malloc(READ_CHUNK);
    if (chunk == NULL) r->status = pf_error_set(r->err, PF_ERUNTIME, "out of memory");
    r->line = 1;
    for (int first = 1; r->status == PF_OK; first = 0) {
        size_t n = fread(chunk, 1, READ_CHUNK, f);
        if (n == 0) break;
        pf_sha256_add(md, chunk, n);
        size_t skip = first && n >= 3 && memcmp(chunk, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        if (first) {
            r->delimiter = delimiter_char(delim, chunk + skip, n - skip);
            csv_set_delim(p, r->delimiter);
            if (r->delimiter == '\t') csv_set_space_func(p, is_space_not_tab);
        }
        feed(p, r, chunk + skip, n - skip);
    }
    if (r->status == PF_OK && ferror(f))
        r->status = pf_error_set(r->err, PF_ERUNTIME, "error reading %s '%s' near line %zu",
                                 r->what, r->path, r->line);
    if (r->status == PF_OK && csv_fini(p, on_field, on_row, r) != 0 && r->status == PF_OK)
        r->status = unclosed_quote(r);
    free(chunk);
}

int pf_csvfile_read(const char *path, const char *what, pf_delimiter delim,
                    pf_csvfile_record_fn on_record, void *ctx, pf_csvfile_info *info, pf_error *err)
{
    FILE *f = open_file(path, what, err);
    if (f == NULL) return err->code;
    reader r = {.path = path,
                .what = what,
                .on_record = on_record,
                .ctx = ctx,
                .err = err,
                .delimiter = ','};
    struct csv_parser p;
    pf_sha256 md;
    /* Strict: a stray quote is an error with a line number, not a silently merged field. */
    if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fclose(f);
        return pf_error_set(err, PF_ERUNTIME, "cannot initialise the CSV parser");
    }
    pf_sha256_begin(&md);
    read_stream(f, &r, &p, &md, delim);
    char sha[PF_SHA256_HEX];
    if (!pf_sha256_end(&md, NULL, sha) && r.status == PF_OK)
        r.status = pf_error_set(err, PF_ERUNTIME, "SHA-256 of '%s' failed (OpenSSL)", path);
    if (info && r.status == PF_OK) {
        info->delimiter = r.delimiter;
        info->n_records = r.n_records;
        memcpy(info->sha256, sha, sizeof sha);
        pf_path_abs(path, info->abs_path, sizeof info->abs_path);
    }
    csv_free(&p);
    fclose(f);
    free(r.text);
    free(r.start);
    free(r.field);
    return r.status;
}
