/* csvtok.c: strict libcsv's records and csvfile's trimmed fields in one byte loop (see
 * csvtok.h).
 *
 * Each field is found in the text and copied once: an unquoted field is the bytes up to the
 * separator or the record's end, a quoted one the bytes between its quotes with '""' made
 * '"'; both are then trimmed of isspace() at both ends, which is what libcsv's own trimming of
 * blanks followed by csvfile's trimming amounted to. */
#include "data/csvtok.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 1;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = pf_alloc_resize(*p, c, size);
    if (q == NULL) return 0;
    *p = q;
    *cap = c;
    return 1;
}

/* Room for one more field of up to len bytes; 0: out of memory (recorded). */
static int room(pf_csvtok *t, size_t len)
{
    if (!grow((void **)&t->field, &t->cap_fields, t->n_fields + 1, sizeof *t->field) ||
        !grow((void **)&t->text, &t->cap, t->len + len + 1, 1)) {
        t->fail = PF_CSVTOK_MEMORY;
        t->fail_size = len;
        return 0;
    }
    return 1;
}

/* isspace() in the C locale (the program never sets another): what a field is trimmed of. */
static const unsigned char SPACE[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1};

/* The field text[start..len) trimmed and ended; its offset kept in field[] until the end. */
static void end_field(pf_csvtok *t, size_t start)
{
    char *p = t->text + start, *e = t->text + t->len;
    while (p < e && SPACE[(unsigned char)*p]) p++;
    while (e > p && SPACE[(unsigned char)e[-1]]) e--;
    size_t n = (size_t)(e - p);
    if (p != t->text + start) memmove(t->text + start, p, n);
    t->text[start + n] = '\0';
    t->len = start + n + 1;
    t->field[t->n_fields++] = (char *)(size_t)start; /* an offset until parsing ends */
}

/* An unquoted field p[0..n): trimmed as it is copied. */
static int copy_field(pf_csvtok *t, const unsigned char *p, size_t n)
{
    while (n > 0 && SPACE[*p]) p++, n--;
    while (n > 0 && SPACE[p[n - 1]]) n--;
    if ((t->n_fields + 1 > t->cap_fields || t->len + n + 1 > t->cap) && !room(t, n)) return 0;
    memcpy(t->text + t->len, p, n);
    t->text[t->len + n] = '\0';
    t->field[t->n_fields++] = (char *)(size_t)t->len;
    t->len += n + 1;
    return 1;
}

static int grow_records(pf_csvtok *t, size_t need)
{
    size_t a = t->cap_rec;
    if (need <= t->cap_rec) return 1;
    if (grow((void **)&t->line, &a, need, sizeof *t->line) &&
        grow((void **)&t->rec, &t->cap_rec, need, sizeof *t->rec))
        return 1;
    t->fail = PF_CSVTOK_MEMORY;
    return 0;
}

static int end_record(pf_csvtok *t, size_t first, size_t last)
{
    if (!grow_records(t, t->n_rec + 2)) return 0;
    t->line[t->n_rec++] = first;
    t->rec[t->n_rec] = t->n_fields;
    t->last_line = last;
    return 1;
}

/* A blank byte, skipped before a field and after a closing quote: space, and tab unless it is
 * the separator. */
#define BLANK(c) ((c) == ' ' || ((c) == '\t' && d != '\t'))

void pf_csvtok_parse(pf_csvtok *t, const char *s, size_t n, char delimiter)
{
    t->len = t->n_fields = t->n_rec = t->n_lines = 0;
    t->fail = PF_CSVTOK_OK;
    if (!grow_records(t, 2)) return;
    t->rec[0] = 0;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    const unsigned char d = (unsigned char)delimiter;
    unsigned char stop[256] = {0}; /* bytes that end an unquoted field (or spoil it: '"') */
    stop[d] = stop['\r'] = stop['\n'] = stop['"'] = 1;
    size_t line = 0, rec_nl = 0; /* newlines so far; those inside this record's quotes */
    enum { ROW_NOT_BEGUN, FIELD_NOT_BEGUN, FIELD_ENDED } state = ROW_NOT_BEGUN;
    while (p < end) {
        if (state != FIELD_ENDED) { /* before a field: blanks are skipped */
            while (p < end && BLANK(*p)) p++;
            if (p == end) break;
            if (*p == '\r' || *p == '\n') {
                if (state == FIELD_NOT_BEGUN) { /* after a separator: an empty last field */
                    if (!room(t, 0)) goto done;
                    end_field(t, t->len);
                    if (!end_record(t, line - rec_nl, line)) goto done;
                }
                state = ROW_NOT_BEGUN, rec_nl = 0;
                line += *p++ == '\n';
                continue;
            }
            if (*p == d) { /* an empty field */
                if (!room(t, 0)) goto done;
                end_field(t, t->len);
                state = FIELD_NOT_BEGUN;
                p++;
                continue;
            }
            size_t start = t->len;
            if (*p != '"') { /* unquoted: up to the separator or the record's end */
                const unsigned char *q = p;
                while (q < end && !stop[*q]) q++;
                if (q < end && *q == '"') {
                    t->fail = PF_CSVTOK_MALFORMED, t->fail_line = line;
                    goto done;
                }
                if (!copy_field(t, p, (size_t)(q - p))) goto done;
                p = q;
                state = FIELD_ENDED;
                continue;
            } else { /* quoted: up to the closing quote, "" standing for " */
                for (p++;;) {
                    const unsigned char *q = memchr(p, '"', (size_t)(end - p));
                    if (q == NULL) {
                        t->fail = PF_CSVTOK_UNCLOSED, t->fail_line = line;
                        goto done;
                    }
                    if (!room(t, (size_t)(q - p) + 1)) goto done;
                    size_t k = 0;
                    for (const unsigned char *r = p; r < q; r++) k += *r == '\n';
                    line += k, rec_nl += k;
                    memcpy(t->text + t->len, p, (size_t)(q - p));
                    t->len += (size_t)(q - p);
                    p = q + 1;
                    if (p < end && *p == '"') {
                        t->text[t->len++] = '"';
                        p++;
                        continue;
                    }
                    break;
                }
                while (p < end && BLANK(*p)) p++;
                if (p < end && *p != d && *p != '\r' && *p != '\n') {
                    t->fail = PF_CSVTOK_MALFORMED, t->fail_line = line;
                    goto done;
                }
            }
            end_field(t, start);
            state = FIELD_ENDED;
            continue;
        }
        /* After a field: the separator, or the record's end. */
        if (*p == d) {
            state = FIELD_NOT_BEGUN;
            p++;
            continue;
        }
        if (!end_record(t, line - rec_nl, line)) goto done;
        state = ROW_NOT_BEGUN, rec_nl = 0;
        line += *p++ == '\n';
    }
    /* The text ended (libcsv's csv_fini): a record begun is complete, an empty field after a
     * last separator included. */
    if (state == FIELD_NOT_BEGUN) {
        if (!room(t, 0)) goto done;
        end_field(t, t->len);
    }
    if (state != ROW_NOT_BEGUN) end_record(t, line - rec_nl, line);
done:
    t->n_lines = line;
    for (size_t i = 0; i < t->n_fields; i++) t->field[i] = t->text + (size_t)t->field[i];
}

void pf_csvtok_free(pf_csvtok *t)
{
    free(t->text);
    free(t->field);
    free(t->rec);
    free(t->line);
    memset(t, 0, sizeof *t);
}
