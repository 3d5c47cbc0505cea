/* csvtok.h: CSV text to records and trimmed fields, exactly as strict libcsv and csvfile's
 * trimming made them, at the pace of a byte loop.
 *
 * The rules (libcsv 3 with CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL, the separator given
 * and, for tab, only ' ' as blank space; docs/data.md#reading-a-csv-file):
 *   - a record ends at a CR or LF outside quotes; a line holding nothing but blanks is no
 *     record; blanks (space and tab, or only space with tab as the separator) before a field
 *     are skipped;
 *   - a field starting with '"' is quoted: it holds separators, CR and LF, and '""' for '"';
 *     after its closing quote only blanks may come before the separator or the record's end;
 *   - a '"' inside an unquoted field, or anything else after a closing quote, is malformed
 *     (the line of the offending byte is kept); text ending inside quotes is unclosed;
 *   - text ending without a newline ends its last record;
 *   - every field is then trimmed of leading and trailing isspace() characters.
 * tests/test_csvfile.c holds libcsv itself to these rules on generated files. */
#ifndef PF_CSVTOK_H
#define PF_CSVTOK_H

#include <stddef.h>

enum {
    PF_CSVTOK_OK,        /* every byte read */
    PF_CSVTOK_MEMORY,    /* out of memory */
    PF_CSVTOK_MALFORMED, /* a quote out of place, on line fail_line */
    PF_CSVTOK_UNCLOSED   /* the text ended inside quotes */
};

/* One piece of text, tokenised: the records before the failure, if any. Lines are counted
 * from 0 at the start of the text (newlines before). Reused across calls (zero it first). */
typedef struct {
    char *text;   /* the fields, trimmed and NUL-terminated */
    char **field; /* each field (pointers into text) */
    size_t *rec;  /* per record: its first field; rec[n_rec] = n_fields */
    size_t *line; /* per record: newlines before the one it starts on */
    size_t n_fields, n_rec;
    size_t n_lines;   /* newlines in the text read */
    size_t last_line; /* newlines before the end of the last record */
    int fail;         /* PF_CSVTOK_* */
    size_t fail_line, fail_size;
    size_t len, cap, cap_fields, cap_rec; /* storage */
} pf_csvtok;

/* Tokenise s[0..n) (which starts a record) with separator delimiter into tok. */
void pf_csvtok_parse(pf_csvtok *tok, const char *s, size_t n, char delimiter);

void pf_csvtok_free(pf_csvtok *tok);

#endif
