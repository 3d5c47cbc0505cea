/* csvfile.h: reading a CSV file record by record, as a person sees it in an editor.
 *
 * csvtok.h tokenises (quoted fields, doubled quotes, commas and newlines inside quotes, CRLF)
 * by strict libcsv's rules, which tests/test_csvfile.c holds it to; this layer reads the file
 * in bounded blocks (4 MB, or one record if longer), skips a UTF-8 BOM, detects or applies the
 * field separator, trims every field, counts physical lines so every message names the line a
 * user sees, and takes the SHA-256 of the bytes as they go by, so the provenance of a run can
 * name exactly which data it saw. Each block is parsed on several threads in pieces cut at
 * record boundaries, and its records go to a callback before the next block is read: the
 * official ~470k-line AGAIN file is filtered while it is read, never held whole. Records,
 * lines, errors and their order are the same for every number of threads.
 * Definitions and the exact rules: docs/data.md#reading-a-csv-file. */
#ifndef PF_CSVFILE_H
#define PF_CSVFILE_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"

/* Called once per record (the header first), fields trimmed and NUL-terminated; line is the
 * physical line the record starts on (1-based). A non-PF_OK return stops the reading and is
 * returned by pf_csvfile_read. */
typedef int (*pf_csvfile_record_fn)(void *ctx, char **field, size_t n_fields, size_t line);

typedef struct {
    char delimiter;      /* the separator used: ',', ';', '\t' or '|' */
    char sha256[65];     /* of every byte of the file, 64 lowercase hex digits */
    size_t n_records;    /* header included */
    char abs_path[4096]; /* the path as opened, made absolute (for messages, provenance) */
} pf_csvfile_info;

/* Bytes read at a time: a batch holds the records of at most this much of the file (more only
 * for a record longer than that). */
#define PF_CSVFILE_BLOCK ((size_t)1 << 22)

/* One record of a batch: its fields (trimmed, NUL-terminated) and the physical line it starts
 * on. Valid only during the callback. */
typedef struct {
    char **field;
    size_t n_fields;
    size_t line;
} pf_csvfile_record;

/* Called with the records of one block (the header first in the first), in file order. A
 * non-PF_OK return stops the reading and is returned by pf_csvfile_read_batches. */
typedef int (*pf_csvfile_batch_fn)(void *ctx, const pf_csvfile_record *rec, size_t n);

/* Read path, calling on_record for each record. delim = PF_DELIM_AUTO takes the most frequent
 * of ',', ';', tab and '|' outside quotes on the first line (',' when none occurs). what names
 * the file in messages ("data file", "folds file"). Errors: PF_EINPUT for a missing file, a
 * folder, malformed quoting (with the line), or a header that is one field holding another
 * separator (with the data.delimiter to set); PF_ERUNTIME for read failures. info may be NULL. */
int pf_csvfile_read(const char *path, const char *what, pf_delimiter delim,
                    pf_csvfile_record_fn on_record, void *ctx, pf_csvfile_info *info,
                    pf_error *err);

/* pf_csvfile_read with the records of each block in one call, parsed on threads (>= 1)
 * OpenMP threads. A malformed record is reported after the records before it were delivered,
 * as pf_csvfile_read does. */
int pf_csvfile_read_batches(const char *path, const char *what, pf_delimiter delim, int threads,
                            pf_csvfile_batch_fn on_batch, void *ctx, pf_csvfile_info *info,
                            pf_error *err);

/* The name data.delimiter uses for a separator character ("comma", "semicolon", ...), into
 * out (cap bytes); returns out. */
const char *pf_csvfile_delimiter_name(char c, char *out, size_t cap);

#endif
