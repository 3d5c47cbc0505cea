/* h5.h: the few HDF5 operations prunefair needs, with errors collected in one place.
 *
 * HDF5 reports failures through negative return values (and, by default, prints a stack to
 * stderr, which pf_h5_quiet switches off). Writers here record the first failure in a
 * pf_h5 context and skip the rest, so a writer function is a flat list of calls followed by
 * one check, instead of an if around every line. Readers return -1 for anything missing or of
 * the wrong size; pf_h5_exists and pf_h5_dims let a caller say which, since an empty dataset
 * and a missing one both have 0 elements. */
#ifndef PF_H5IO_H
#define PF_H5IO_H

#include <stddef.h>

#include <hdf5.h>

typedef struct {
    hid_t file;
    int failed;
    char what[128]; /* the first object that failed */
} pf_h5;

void pf_h5_quiet(void);

hid_t pf_h5_group(pf_h5 *h, hid_t loc, const char *name);
void pf_h5_attr_str(pf_h5 *h, hid_t loc, const char *name, const char *value);
void pf_h5_attr_num(pf_h5 *h, hid_t loc, const char *name, double value);
void pf_h5_doubles(pf_h5 *h, hid_t loc, const char *name, int rank, const hsize_t *dims,
                   const double *data);
/* A rows x cols dataset of a native type, made one row at a time: fill(ctx, i, buf) puts row
 * i's cols values into buf. The same dataset as pf_h5_array of the whole matrix (contiguous,
 * the same values), for a matrix too large to hold (/folds/validation under lopo). */
typedef void (*pf_h5_row_fill)(void *ctx, size_t row, void *buf);
void pf_h5_array_rows(pf_h5 *h, hid_t loc, const char *name, hid_t type, size_t rows, size_t cols,
                      pf_h5_row_fill fill, void *ctx);
/* An n-dimensional dataset of any native type. */
void pf_h5_array(pf_h5 *h, hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                 const void *data);
void pf_h5_ints(pf_h5 *h, hid_t loc, const char *name, size_t n, const int *data);
/* Fixed-length UTF-8 strings, as wide as the longest (h5py 3: .asstr() gives str); a NULL
 * entry is written as "". Readers refuse variable-length strings (h5.c says why). */
void pf_h5_strings(pf_h5 *h, hid_t loc, const char *name, const char *const *s, size_t n);
/* The same with any shape (row-major, as C arrays). */
void pf_h5_strings_nd(pf_h5 *h, hid_t loc, const char *name, int rank, const hsize_t *dims,
                      const char *const *s);
/* A 1-D compound dataset of n rows of a C struct described by type. The file stores the
 * packed type (no padding), so no uninitialised padding bytes reach the file and two writes
 * of the same rows give the same bytes. */
void pf_h5_table(pf_h5 *h, hid_t loc, const char *name, hid_t type, size_t n, const void *rows);

/* Readers: 0 on success, -1 on failure (missing object, wrong shape, not all bytes stored). */
char *pf_h5_read_attr_str(hid_t loc, const char *obj, const char *name); /* malloc'd */
int pf_h5_read_attr_num(hid_t loc, const char *obj, const char *name, double *out);
/* Reads a double dataset of exactly n elements. */
int pf_h5_read_doubles(hid_t loc, const char *name, size_t n, double *out);
int pf_h5_read_ints(hid_t loc, const char *name, size_t n, int *out);
/* Number of elements of a dataset, or 0 when it is missing or does not store all of them
 * (a malformed file: see stores_all in h5.c). */
size_t pf_h5_size(hid_t loc, const char *name);
/* 1 when the path (every group on the way included) names an object, else 0. */
int pf_h5_exists(hid_t loc, const char *path);
/* The rank of a dataset and its dims (at most cap of them), or -1 when it is missing, does
 * not store all its elements, or has more than cap dimensions. */
int pf_h5_dims(hid_t loc, const char *name, int cap, hsize_t *dims);
/* A string dataset of n elements (any shape) into n malloc'd strings. */
int pf_h5_read_strings(hid_t loc, const char *name, size_t n, char **out);
/* Reads a dataset of any native type holding exactly n elements. */
int pf_h5_read_array(hid_t loc, const char *name, hid_t type, size_t n, void *out);
/* A rows x cols dataset read one row at a time: each row into buf (cols values of type), then
 * take(ctx, i, buf), which returns nonzero to stop. -1 for a dataset of another size, a failed
 * read or a stop. */
typedef int (*pf_h5_row_take)(void *ctx, size_t row, const void *buf);
int pf_h5_read_rows(hid_t loc, const char *name, hid_t type, size_t rows, size_t cols, void *buf,
                    pf_h5_row_take take, void *ctx);
int pf_h5_read_table(hid_t loc, const char *name, hid_t type, size_t n, void *rows);

#endif
