/* test_csvfile.c: the block reader gives what one libcsv parser over the whole file gives.
 *
 * The reference below is the reader as it was before files were parsed in pieces: one strict
 * libcsv parser fed a line at a time, fields trimmed, lines counted the same way. Generated
 * files (quotes, doubled quotes, separators and newlines inside quotes, CRLF, blank lines,
 * empty fields, trailing separators, no final newline, malformed quotes, a file ending inside
 * quotes, quoted fields across the 4 MB block boundary, a record longer than a block) are read
 * by both, on 1 and on 3 threads, and must give the same records, lines and errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <csv.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/sha256.h"
#include "data/csvfile.h"

/* ---- what a reader saw: records as "line|f1\x1ff2...\n" in one growing text ---------------- */

typedef struct {
    char *text;
    size_t len, cap;
} seen;

static void put(seen *s, const char *p, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        s->cap = 2 * (s->len + n + 1);
        s->text = realloc(s->text, s->cap);
        assert_non_null(s->text);
    }
    memcpy(s->text + s->len, p, n);
    s->len += n;
    s->text[s->len] = '\0';
}

static void put_text(seen *s, const char *text)
{
    put(s, text, strlen(text));
}

static void put_record(seen *s, char **field, size_t n, size_t line)
{
    char head[32];
    put(s, head, (size_t)snprintf(head, sizeof head, "%zu|", line));
    for (size_t i = 0; i < n; i++) {
        if (i) put(s, "\x1f", 1);
        put(s, field[i], strlen(field[i]));
    }
    put(s, "\n", 1);
}

/* ---- the reference: one libcsv parser over the whole file ---------------------------------- */

typedef struct {
    seen out;
    char *field[4096];
    char *text;
    size_t cap, len, n_fields, line, embedded_nl, last_line, n_records;
    int failed;
    char delimiter;
    const char *path;
    pf_error *err;
} ref_reader;

static void ref_field(void *s, size_t len, void *data)
{
    ref_reader *r = data;
    if (r->failed) return;
    const char *p = s ? s : "";
    for (size_t i = 0; i < len; i++) r->embedded_nl += p[i] == '\n';
    while (len > 0 && isspace((unsigned char)*p)) p++, len--;
    while (len > 0 && isspace((unsigned char)p[len - 1])) len--;
    assert_true(r->n_fields < 4096);
    if (r->len + len + 1 > r->cap) {
        r->cap = 2 * (r->len + len + 1);
        assert_non_null(r->text = realloc(r->text, r->cap));
    }
    memcpy(r->text + r->len, p, len);
    r->text[r->len + len] = '\0';
    r->field[r->n_fields++] = (char *)(uintptr_t)r->len; /* an offset until the row ends */
    r->len += len + 1;
}

static void ref_row(int terminator, void *data)
{
    (void)terminator;
    ref_reader *r = data;
    if (r->failed) return;
    for (size_t i = 0; i < r->n_fields; i++) r->field[i] = r->text + (uintptr_t)r->field[i];
    size_t first = r->line - r->embedded_nl;
    if (r->n_records == 0 && r->n_fields == 1) {
        char name[PF_MAX_NAME];
        static const char others[] = ",;\t|";
        const char *h = r->field[0];
        for (const char *c = others; *c && !r->failed; c++)
            if (*c != r->delimiter && strchr(h, *c)) {
                pf_error_set(r->err, PF_EINPUT,
                             "%s '%s' line %zu: the header is one field ('%.60s%s') holding "
                             "'%s' characters: the file looks %s-separated; set "
                             "data.delimiter = %s (or auto)",
                             "data file", r->path, first, h, strlen(h) > 60 ? "..." : "",
                             *c == '\t' ? "\\t" : (char[]){*c, 0},
                             pf_csvfile_delimiter_name(*c, name, sizeof name),
                             pf_csvfile_delimiter_name(*c, name, sizeof name));
                r->failed = 1;
            }
        if (r->failed) return;
    }
    r->n_records++;
    r->last_line = r->line;
    put_record(&r->out, r->field, r->n_fields, first);
    r->n_fields = r->len = r->embedded_nl = 0;
}

static int is_space_not_tab(unsigned char c)
{
    return c == ' ';
}

static void ref_read(const char *path, const char *data, size_t n, char delimiter, seen *out,
                     pf_error *err)
{
    static ref_reader r;
    memset(&r, 0, sizeof r);
    r.delimiter = delimiter;
    r.path = path;
    r.err = err;
    r.line = 1;
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI), 0);
    csv_set_delim(&p, delimiter);
    if (delimiter == '\t') csv_set_space_func(&p, is_space_not_tab);
    const char *s = data;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
    while (n > 0 && !r.failed) {
        const char *nl = memchr(s, '\n', n);
        size_t len = nl ? (size_t)(nl - s) + 1 : n;
        if (csv_parse(&p, s, len, ref_field, ref_row, &r) != len && !r.failed) {
            pf_error_set(err, PF_EINPUT,
                         "%s '%s' line %zu: malformed quotes; a field containing a quote "
                         "must itself be quoted, with the inner quote doubled (\"a \"\"b\"\" "
                         "c\"), and nothing may follow a closing quote but the separator",
                         "data file", path, r.line);
            r.failed = 1;
        }
        if (nl) r.line++;
        s += len;
        n -= len;
    }
    if (!r.failed && csv_fini(&p, ref_field, ref_row, &r) != 0 && !r.failed) {
        char where[64] = "in the header";
        if (r.last_line > 0) snprintf(where, sizeof where, "after line %zu", r.last_line);
        pf_error_set(err, PF_EINPUT,
                     "%s '%s': a quoted field %s is never closed; add the missing '\"' "
                     "(a quote inside a quoted field is written twice: \"\")",
                     "data file", path, where);
    }
    csv_free(&p);
    free(r.text);
    *out = r.out;
}

/* ---- the reader under test --------------------------------------------------------------- */

static int collect(void *ctx, const pf_csvfile_record *rec, size_t n)
{
    for (size_t i = 0; i < n; i++) put_record(ctx, rec[i].field, rec[i].n_fields, rec[i].line);
    return PF_OK;
}

static const pf_delimiter DELIMS[] = {PF_DELIM_COMMA, PF_DELIM_SEMICOLON, PF_DELIM_TAB};
static const char DELIM_CHARS[] = {',', ';', '\t'};

/* Write data to a file, read it by reference and by pf_csvfile_read_batches on 1 and 3
 * threads, and require the same records, lines and error, and the file's SHA-256. */
static void same_as_reference(const char *data, size_t n, int d)
{
    char path[] = "/tmp/pf_test_csvfile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    seen want = {0};
    pf_error want_err;
    pf_error_clear(&want_err);
    ref_read(path, data, n, DELIM_CHARS[d], &want, &want_err);
    for (int threads = 1; threads <= 3; threads += 2) {
        seen got = {0};
        pf_error err;
        pf_error_clear(&err);
        pf_csvfile_info info;
        pf_csvfile_read_batches(path, "data file", DELIMS[d], threads, collect, &got, &info, &err);
        if (err.code != want_err.code || strcmp(err.msg, want_err.msg) != 0 ||
            (want.len && (got.len != want.len || memcmp(got.text, want.text, want.len) != 0))) {
            FILE *f = fopen("/tmp/pf_test_csvfile_failed.csv", "wb");
            if (f) fwrite(data, 1, n, f), fclose(f);
            print_error("%d threads, delimiter '%c': differs from libcsv (file kept as "
                        "/tmp/pf_test_csvfile_failed.csv)\nerror: %s\nwanted: %s\n",
                        threads, DELIM_CHARS[d], err.msg, want_err.msg);
            if (got.len != want.len || (want.len && memcmp(got.text, want.text, want.len))) {
                size_t i = 0;
                while (i < got.len && i < want.len && got.text[i] == want.text[i]) i++;
                print_error("records differ at byte %zu: got '%.80s', wanted '%.80s'\n", i,
                            got.text ? got.text + i : "", want.text ? want.text + i : "");
            }
            fail();
        }
        /* The file's SHA-256 is of its bytes, whatever the blocks (a record longer than one
         * grows the buffer mid-file). */
        char hex[65];
        assert_int_equal(pf_sha256_of(data, n, NULL, hex), 1);
        if (err.code == PF_OK) assert_string_equal(info.sha256, hex);
        free(got.text);
    }
    free(want.text);
    unlink(path);
}

static uint64_t next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * UINT64_C(2685821657736338717);
}

/* One random field; bad > 0 allows the malformed ones. */
static void random_field(seen *s, uint64_t *seed, char sep, int bad)
{
    static const char *plain[] = {"",        "a",       " b ", "1.5",   "-20.0",
                                  "x y",     "  ",      "NA",  "0",     "\t",
                                  "\ta b\t", " \v y\f", "|",   "x\x01", "\xc3\xa9"};
    static const char *quoted[] = {
        "\"q,uo\"",   "\"x\"\"y\"", "\"multi\nline\"", "\"cr\r\nlf\"",  "  \"sp\"  ", "\"\"",
        "\"a;b\tc\"", "\"\n\n\"",   "\"end\"\"\"",     "\"\"\"start\"", "\"x\r\"",    "\"lead\"  "};
    static const char *malformed[] = {"a\"b", "\"abc\"x", "\"ab\" \"c", "x\"\""};
    uint64_t r = next(seed) % 100;
    const char *f;
    if (bad && r < 2)
        f = malformed[next(seed) % 4];
    else if (r < 35)
        f = quoted[next(seed) % (sizeof quoted / sizeof *quoted)];
    else
        f = plain[next(seed) % (sizeof plain / sizeof *plain)];
    put(s, f, strlen(f));
    (void)sep;
}

/* A random file of n_records records; bad allows malformed quoting. */
static void random_file(seen *s, uint64_t *seed, char sep, size_t n_records, int bad)
{
    s->len = 0;
    put(s, "", 0);
    if (next(seed) % 8 == 0) put(s, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < n_records; i++) {
        size_t n_fields = 1 + next(seed) % 5;
        for (size_t j = 0; j < n_fields; j++) {
            if (j) put(s, &sep, 1);
            random_field(s, seed, sep, bad);
        }
        uint64_t r = next(seed) % 20;
        if (r == 0) put(s, &sep, 1);   /* a trailing separator */
        if (r == 1) put(s, "\n\n", 2); /* a blank line */
        uint64_t end = next(seed) % 16;
        if (end == 0)
            put(s, "\r", 1); /* a lone CR ends a record too */
        else if (end < 6)
            put(s, "\r\n", 2);
        else if (end == 6)
            put(s, " \t\n", 3); /* blanks, then the end */
        else
            put(s, "\n", 1);
    }
    if (s->len && next(seed) % 4 == 0) s->len--;          /* no final newline (or half a CRLF) */
    if (bad && next(seed) % 10 == 0) put(s, "\"open", 5); /* ends inside quotes */
}

static void test_small_files(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    seen s = {0};
    int n = getenv("PF_TEST_CSV_FILES") ? atoi(getenv("PF_TEST_CSV_FILES")) : 3000;
    for (int i = 0; i < n; i++) {
        int d = (int)(next(&seed) % 3);
        random_file(&s, &seed, DELIM_CHARS[d], next(&seed) % 40, i % 3 == 0);
        same_as_reference(s.text, s.len, d);
    }
    free(s.text);
}

/* Quoted fields with newlines across the 4 MB block boundary, and a record longer than a
 * block, in files of several blocks. */
static void test_block_boundaries(void **state)
{
    (void)state;
    uint64_t seed = 777;
    seen s = {0}, tail = {0};
    for (int k = 0; k < 6; k++) {
        random_file(&s, &seed, ',', 2000, 0);
        if (s.len && s.text[s.len - 1] != '\n') put_text(&s, "\n");
        size_t block = (size_t)1 << 22, target = block - 20 + (size_t)k * 7;
        while (s.len + 40 < target) put_text(&s, "0123456789,abcdefghi,-1.5e3,\"q\"\"\"\n");
        while (s.len + 1 < target) put_text(&s, "z");
        put_text(&s, "\n");
        put_text(&s, "a,\"across\nthe\r\nblock\n\n\",b\n");
        if (k == 5) { /* one record longer than a block */
            put_text(&s, "\"");
            for (size_t i = 0; i < block + 1000; i++) put(&s, i % 100 ? "x" : "\n", 1);
            put_text(&s, "\",y\n");
        }
        random_file(&tail, &seed, ',', 2000, k == 4);
        put(&s, tail.text, tail.len);
        same_as_reference(s.text, s.len, 0);
    }
    free(s.text);
    free(tail.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_files),
        cmocka_unit_test(test_block_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
