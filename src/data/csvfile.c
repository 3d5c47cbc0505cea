/* csvfile.c: block reading, BOM, separator, record boundaries, line numbers and SHA-256 around
 * the tokeniser (see csvfile.h).
 *
 * The file is read in blocks of 4 MB; each block is cut at record boundaries (newlines outside
 * quotes) into pieces that the tokeniser (csvtok.h) takes on the threads at once, while one
 * thread hashes the bytes. The pieces' records then go to the caller in file order, each with the
 * line it starts on (a piece counts its own newlines; the lines before it are added when it is
 * delivered), so what the caller sees does not depend on the number of threads. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "data/csvfile.h"

#include "base/alloc.h"
#include "base/path.h"
#include "base/sha256.h"
#include "data/csvtok.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNIFF_BYTES (1u << 16) /* the separator is sniffed in the file's first 64 KB */
#define MAX_PIECES  64

static char delimiter_char(pf_delimiter d, const char *s, size_t n);

/* ---- record boundaries ---------------------------------------------------------------------- */

/* A record boundary is the position just after a newline outside quotes. Whether a position is
 * inside quotes is the parity of the quotes before it, counted from a boundary: every quote the
 * strict tokeniser accepts opens a field, closes it, or is one of a doubled pair inside it, so
 * the parity is exact up to the first malformed quote, and the piece holding that quote
 * starts at a true boundary and reports it where a single parser would. */

/* The first boundary at or after from in buf[0..end) (buf starts at one), or end. */
static size_t boundary_after(const char *buf, size_t from, size_t end)
{
    int quoted = 0;
    for (const char *q = buf; (q = memchr(q, '"', (size_t)(buf + from - q))) != NULL; q++)
        quoted ^= 1;
    for (size_t pos = from; pos < end;) {
        if (quoted) {
            const char *q = memchr(buf + pos, '"', end - pos);
            if (q == NULL) return end;
            quoted = 0;
            pos = (size_t)(q - buf) + 1;
        } else {
            const char *nl = memchr(buf + pos, '\n', end - pos);
            size_t stop = nl ? (size_t)(nl - buf) : end;
            const char *q = memchr(buf + pos, '"', stop - pos);
            if (q == NULL) return nl ? stop + 1 : end;
            quoted = 1;
            pos = (size_t)(q - buf) + 1;
        }
    }
    return end;
}

/* The last boundary in buf[0..end) (buf starts at one), or 0 when there is none. */
static size_t last_boundary(const char *buf, size_t end)
{
    size_t best = 0;
    for (size_t pos = 0;;) {
        const char *open = memchr(buf + pos, '"', end - pos);
        size_t stop = open ? (size_t)(open - buf) : end;
        for (size_t i = stop; i > pos; i--)
            if (buf[i - 1] == '\n') {
                best = i;
                break;
            }
        if (open == NULL) return best;
        const char *close = memchr(open + 1, '"', (size_t)(buf + end - open - 1));
        if (close == NULL) return best;
        pos = (size_t)(close - buf) + 1;
    }
}

/* ---- the reader ----------------------------------------------------------------------------- */

typedef struct {
    const char *path, *what;
    char delimiter;
    pf_csvfile_batch_fn on_batch;
    void *ctx;
    pf_error *err;
    int threads;
    size_t line;      /* 1 + newlines before the current block */
    size_t last_line; /* line on which the last complete record ended */
    size_t n_records;
    pf_csvtok *pieces;
    size_t n_pieces;
    pf_csvfile_record *batch;
    size_t cap_batch;
} reader;

/* A header that is one field holding another separator: the file is not comma-separated. */
static int one_field_header(const reader *r, const char *h, size_t line)
{
    char name[PF_MAX_NAME];
    static const char others[] = ",;\t|";
    for (const char *c = others; *c; c++)
        if (*c != r->delimiter && strchr(h, *c))
            return pf_error_set(r->err, PF_EINPUT,
                                "%s '%s' line %zu: the header is one field ('%.60s%s') holding "
                                "'%s' characters: the file looks %s-separated; set "
                                "data.delimiter = %s (or auto)",
                                r->what, r->path, line, h, strlen(h) > 60 ? "..." : "",
                                *c == '\t' ? "\\t" : (char[]){*c, 0},
                                pf_csvfile_delimiter_name(*c, name, sizeof name),
                                pf_csvfile_delimiter_name(*c, name, sizeof name));
    return PF_OK;
}

/* Why a piece stopped, at its line in the file. */
static int piece_failure(const reader *r, const pf_csvtok *pc, size_t base)
{
    char where[64] = "in the header";
    switch (pc->fail) {
    case PF_CSVTOK_MEMORY:
        return pf_error_set(r->err, PF_ERUNTIME, "out of memory reading a CSV field of %zu bytes",
                            pc->fail_size);
    case PF_CSVTOK_MALFORMED:
        return pf_error_set(r->err, PF_EINPUT,
                            "%s '%s' line %zu: malformed quotes; a field containing a quote "
                            "must itself be quoted, with the inner quote doubled (\"a "
                            "\"\"b\"\" c\"), and nothing may follow a closing quote but the "
                            "separator",
                            r->what, r->path, base + pc->fail_line);
    default:
        /* The file ended inside quotes. The tokeniser, as libcsv, cannot say where the quote
         * opened, only that it was in the record after the last complete one. */
        if (r->last_line > 0) snprintf(where, sizeof where, "after line %zu", r->last_line);
        return pf_error_set(r->err, PF_EINPUT,
                            "%s '%s': a quoted field %s is never closed; add the missing '\"' "
                            "(a quote inside a quoted field is written twice: \"\")",
                            r->what, r->path, where);
    }
}

/* The parsed pieces' records, in file order, to the callback as one batch; then the first
 * piece's failure, if any. */
static int deliver(reader *r, size_t n_pieces)
{
    size_t n = 0, total = 0;
    for (size_t j = 0; j < n_pieces; j++) total += r->pieces[j].n_rec;
    pf_csvfile_record *batch = total + 1 <= r->cap_batch
                                   ? r->batch
                                   : pf_alloc_resize(r->batch, total + 1, sizeof *r->batch);
    if (batch == NULL)
        return pf_error_set(r->err, PF_ERUNTIME, "out of memory reading %s '%s'", r->what, r->path);
    if (batch != r->batch) r->batch = batch, r->cap_batch = total + 1;
    const pf_csvtok *failed = NULL;
    size_t failed_base = 0;
    for (size_t j = 0; j < n_pieces && failed == NULL; j++) {
        const pf_csvtok *pc = &r->pieces[j];
        for (size_t k = 0; k < pc->n_rec; k++) {
            pf_csvfile_record *rec = &r->batch[n++];
            rec->field = pc->field + pc->rec[k];
            rec->n_fields = pc->rec[k + 1] - pc->rec[k];
            rec->line = r->line + pc->line[k];
            if (r->n_records == 0 && rec->n_fields == 1 &&
                one_field_header(r, rec->field[0], rec->line) != PF_OK)
                return r->err->code;
            r->n_records++;
        }
        if (pc->n_rec > 0) r->last_line = r->line + pc->last_line;
        if (pc->fail != PF_CSVTOK_OK) failed = pc, failed_base = r->line;
        r->line += pc->n_lines;
    }
    int status = n > 0 ? r->on_batch(r->ctx, r->batch, n) : PF_OK;
    if (status != PF_OK) return status;
    return failed ? piece_failure(r, failed, failed_base) : PF_OK;
}

/* Parse buf[0..end) (it starts at a record boundary) in pieces on the reader's threads, while
 * one of them takes the SHA-256 of the bytes just read, then deliver the records. */
static int parse_block(reader *r, const char *buf, size_t end, pf_sha256 *md, const char *fresh,
                       size_t n_fresh)
{
    size_t P = r->n_pieces, cut[MAX_PIECES + 1];
    cut[0] = 0;
    for (size_t j = 1; j < P; j++) { /* each cut is a boundary: count quotes from the last */
        size_t from = end / P * j > cut[j - 1] ? end / P * j : cut[j - 1];
        cut[j] = cut[j - 1] + boundary_after(buf + cut[j - 1], from - cut[j - 1], end - cut[j - 1]);
    }
    cut[P] = end;
    long n_tasks = (long)P + 1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->threads) if (end > (1u << 20))
    for (long task = 0; task < n_tasks; task++) {
        if (task == 0)
            pf_sha256_add(md, fresh, n_fresh);
        else
            pf_csvtok_parse(&r->pieces[task - 1], buf + cut[task - 1], cut[task] - cut[task - 1],
                            r->delimiter);
    }
    return deliver(r, P);
}

static int read_stream(FILE *f, reader *r, pf_sha256 *md, pf_delimiter delim)
{
    size_t cap = PF_CSVFILE_BLOCK, have = 0, skip = 0;
    char *buf = malloc(cap);
    if (buf == NULL) return pf_error_set(r->err, PF_ERUNTIME, "out of memory");
    int status = PF_OK;
    r->line = 1;
    for (int first = 1, eof = 0; status == PF_OK && !eof; first = 0) {
        size_t n = fread(buf + have, 1, cap - have, f);
        eof = n < cap - have;
        if (first) {
            skip = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
            r->delimiter =
                delimiter_char(delim, buf + skip, (n < SNIFF_BYTES ? n : SNIFF_BYTES) - skip);
        }
        size_t data = have + n, end = eof ? data : last_boundary(buf + skip, data - skip) + skip;
        if (end == skip && !eof) {            /* one record longer than the buffer: read on */
            pf_sha256_add(md, buf + have, n); /* before the buffer moves */
            char *bigger = pf_alloc_resize(buf, 2 * cap, 1);
            if (bigger == NULL) {
                status = pf_error_set(r->err, PF_ERUNTIME, "out of memory reading %s '%s'", r->what,
                                      r->path);
                break;
            }
            buf = bigger;
            cap *= 2;
            have = data;
            continue;
        }
        status = parse_block(r, buf + skip, end - skip, md, buf + have, n);
        memmove(buf, buf + end, data - end);
        have = data - end;
        skip = 0;
    }
    if (status == PF_OK && ferror(f))
        status = pf_error_set(r->err, PF_ERUNTIME, "error reading %s '%s' near line %zu", r->what,
                              r->path, r->line);
    free(buf);
    return status;
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

int pf_csvfile_read_batches(const char *path, const char *what, pf_delimiter delim, int threads,
                            pf_csvfile_batch_fn on_batch, void *ctx, pf_csvfile_info *info,
                            pf_error *err)
{
    FILE *f = open_file(path, what, err);
    if (f == NULL) return err->code;
    if (threads < 1) threads = 1;
    /* More pieces than threads, so that the one taking the SHA-256 is not the last to end. */
    size_t n_pieces = threads == 1 ? 1 : 2 * (size_t)threads;
    if (n_pieces > MAX_PIECES) n_pieces = MAX_PIECES;
    reader r = {.path = path,
                .what = what,
                .on_batch = on_batch,
                .ctx = ctx,
                .err = err,
                .threads = threads,
                .delimiter = ',',
                .n_pieces = n_pieces,
                .pieces = pf_alloc(n_pieces, sizeof(pf_csvtok), err)};
    if (r.pieces == NULL) {
        fclose(f);
        return err->code;
    }
    pf_sha256 md;
    pf_sha256_begin(&md);
    int status = read_stream(f, &r, &md, delim);
    char sha[PF_SHA256_HEX];
    if (!pf_sha256_end(&md, NULL, sha) && status == PF_OK)
        status = pf_error_set(err, PF_ERUNTIME, "SHA-256 of '%s' failed (OpenSSL)", path);
    if (info && status == PF_OK) {
        info->delimiter = r.delimiter;
        info->n_records = r.n_records;
        memcpy(info->sha256, sha, sizeof sha);
        pf_path_abs(path, info->abs_path, sizeof info->abs_path);
    }
    fclose(f);
    for (size_t j = 0; j < n_pieces; j++) pf_csvtok_free(&r.pieces[j]);
    free(r.pieces);
    free(r.batch);
    return status;
}

typedef struct {
    pf_csvfile_record_fn on_record;
    void *ctx;
} one_by_one;

static int each_record(void *ctx, const pf_csvfile_record *rec, size_t n)
{
    one_by_one *o = ctx;
    for (size_t i = 0; i < n; i++) {
        int status = o->on_record(o->ctx, rec[i].field, rec[i].n_fields, rec[i].line);
        if (status != PF_OK) return status;
    }
    return PF_OK;
}

int pf_csvfile_read(const char *path, const char *what, pf_delimiter delim,
                    pf_csvfile_record_fn on_record, void *ctx, pf_csvfile_info *info, pf_error *err)
{
    one_by_one o = {on_record, ctx};
    return pf_csvfile_read_batches(path, what, delim, 1, each_record, &o, info, err);
}
