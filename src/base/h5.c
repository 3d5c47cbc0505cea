/* h5.c: HDF5 helpers with collected errors (see h5.h). */
#include "base/h5.h"

#include <hdf5_hl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pf_h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void check(pf_h5 *h, herr_t status, const char *what)
{
    if (status >= 0 || h->failed) return;
    h->failed = 1;
    snprintf(h->what, sizeof h->what, "%s", what);
}

hid_t pf_h5_group(pf_h5 *h, hid_t loc, const char *name)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    check(h, (herr_t)(g < 0 ? -1 : 0), name);
    return g;
}

void pf_h5_attr_str(pf_h5 *h, hid_t loc, const char *name, const char *value)
{
    if (!h->failed) check(h, H5LTset_attribute_string(loc, ".", name, value), name);
}

void pf_h5_attr_num(pf_h5 *h, hid_t loc, const char *name, double value)
{
    if (!h->failed) check(h, H5LTset_attribute_double(loc, ".", name, &value, 1), name);
}

void pf_h5_doubles(pf_h5 *h, hid_t loc, const char *name, int rank, const hsize_t *dims,
                   const double *data)
{
    if (!h->failed) check(h, H5LTmake_dataset_double(loc, name, rank, dims, data), name);
}

void pf_h5_array(pf_h5 *h, hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                 const void *data)
{
    if (!h->failed) check(h, H5LTmake_dataset(loc, name, rank, dims, type, data), name);
}

/* Row i of a rows x cols dataset's space selected. */
static int select_row(hid_t file_space, size_t i, size_t cols)
{
    hsize_t start[2] = {i, 0}, count[2] = {1, cols};
    return H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ? -1 : 0;
}

void pf_h5_array_rows(pf_h5 *h, hid_t loc, const char *name, hid_t type, size_t rows, size_t cols,
                      pf_h5_row_fill fill, void *ctx)
{
    if (h->failed) return;
    hsize_t dims[2] = {rows, cols}, one = cols;
    size_t size = H5Tget_size(type);
    void *buf = size ? calloc(cols ? cols : 1, size) : NULL;
    hid_t space = H5Screate_simple(2, dims, NULL), mem = H5Screate_simple(1, &one, NULL);
    hid_t d =
        space >= 0 ? H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    herr_t st = buf && mem >= 0 && d >= 0 ? 0 : -1;
    for (size_t i = 0; st >= 0 && cols && i < rows; i++) {
        fill(ctx, i, buf);
        st = select_row(space, i, cols) == 0 ? H5Dwrite(d, type, mem, space, H5P_DEFAULT, buf) : -1;
    }
    if (d >= 0) H5Dclose(d);
    if (mem >= 0) H5Sclose(mem);
    if (space >= 0) H5Sclose(space);
    free(buf);
    check(h, st, name);
}

void pf_h5_ints(pf_h5 *h, hid_t loc, const char *name, size_t n, const int *data)
{
    hsize_t dim = n;
    if (!h->failed) check(h, H5LTmake_dataset_int(loc, name, 1, &dim, data), name);
}

/* Fixed-length, NUL-terminated UTF-8 strings of size bytes (the NUL included). prunefair
 * writes no variable-length strings: those live in HDF5's global heap, whose reader fuzzing
 * found hanging, leaking and asking for gigabytes on a corrupt file, so its readers refuse
 * them and never enter that code. */
static hid_t string_type(size_t size)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    if (type >= 0 && (H5Tset_size(type, size) < 0 || H5Tset_strpad(type, H5T_STR_NULLTERM) < 0 ||
                      H5Tset_cset(type, H5T_CSET_UTF8) < 0)) {
        H5Tclose(type);
        return -1;
    }
    return type;
}

/* The longest string a reader accepts (a corrupt type could claim gigabytes per string). */
#define MAX_STRING ((size_t)1 << 24)

/* The memory type to read the fixed-length strings of file type ft into, one more byte wide
 * (room for a NUL of our own) and in ft's character set (HDF5 converts no other); -1 for
 * anything else: a variable-length string, an absurd width, not a string at all. */
static hid_t fixed_string_reader(hid_t ft, size_t *width)
{
    *width = 0;
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING || H5Tis_variable_str(ft) != 0) return -1;
    size_t size = H5Tget_size(ft);
    if (size == 0 || size > MAX_STRING) return -1;
    hid_t mt = H5Tcopy(ft);
    if (mt >= 0 && (H5Tset_size(mt, size + 1) < 0 || H5Tset_strpad(mt, H5T_STR_NULLTERM) < 0)) {
        H5Tclose(mt);
        return -1;
    }
    *width = size + 1;
    return mt;
}

/* One dataset of the given shape; file_type is what the file stores, mem_type what data holds. */
static void write_nd(pf_h5 *h, hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                     int rank, const hsize_t *dims, const void *data)
{
    if (h->failed) return;
    hsize_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = d < 0 ? -1 : 0;
    if (d >= 0 && n > 0) st = H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    check(h, st, name);
    if (d >= 0) H5Dclose(d);
    H5Sclose(space);
}

void pf_h5_strings_nd(pf_h5 *h, hid_t loc, const char *name, int rank, const hsize_t *dims,
                      const char *const *s)
{
    if (h->failed) return;
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    /* One row of width = the longest string + its NUL per element; a NULL entry is "". */
    size_t width = 1;
    for (size_t i = 0; s && i < n; i++)
        if (s[i] && strlen(s[i]) >= width) width = strlen(s[i]) + 1;
    char *rows = calloc(n ? n : 1, width); /* calloc refuses n x width that overflows */
    hid_t type = string_type(width);
    if (rows == NULL || type < 0) {
        check(h, -1, name);
    } else {
        for (size_t i = 0; s && i < n; i++)
            if (s[i]) strcpy(rows + i * width, s[i]);
        write_nd(h, loc, name, type, type, rank, dims, rows);
    }
    if (type >= 0) H5Tclose(type);
    free(rows);
}

void pf_h5_strings(pf_h5 *h, hid_t loc, const char *name, const char *const *s, size_t n)
{
    hsize_t dim = n;
    pf_h5_strings_nd(h, loc, name, 1, &dim, s);
}

void pf_h5_table(pf_h5 *h, hid_t loc, const char *name, hid_t type, size_t n, const void *rows)
{
    hsize_t dim = n;
    hid_t packed = H5Tcopy(type);
    if (packed < 0 || H5Tpack(packed) < 0) check(h, -1, name);
    write_nd(h, loc, name, packed, type, 1, &dim, rows);
    if (packed >= 0) H5Tclose(packed);
}

char *pf_h5_read_attr_str(hid_t loc, const char *obj, const char *name)
{
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t ft = H5Aget_type(a), space = H5Aget_space(a);
    size_t width = 0;
    hid_t mt = space >= 0 && H5Sget_simple_extent_npoints(space) == 1
                   ? fixed_string_reader(ft, &width)
                   : -1;
    char *buf = mt >= 0 ? calloc(width, 1) : NULL;
    if (buf && H5Aread(a, mt, buf) < 0) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[width - 1] = '\0';
    if (mt >= 0) H5Tclose(mt);
    if (space >= 0) H5Sclose(space);
    if (ft >= 0) H5Tclose(ft);
    H5Aclose(a);
    return buf;
}

int pf_h5_read_attr_num(hid_t loc, const char *obj, const char *name, double *out)
{
    return H5LTget_attribute_double(loc, obj, name, out) < 0 ? -1 : 0;
}

int pf_h5_exists(hid_t loc, const char *path)
{
    /* H5LTpath_valid checks each link on the way, where H5Lexists fails on a missing group. */
    return H5LTpath_valid(loc, path, 1) > 0;
}

/* 1 when the open dataset stores exactly its elements' bytes: its extent times its type's size.
 * HDF5 1.10.8 trusts a dataset's extent and layout messages, and a file can claim 3 x 10^12
 * elements, or six in a compact layout that stores none (both found by fuzzing): the first
 * sends readers allocating terabytes, the second made HDF5 copy from NULL. prunefair writes
 * every dataset whole, uncompressed, so a dataset that is not is refused before anything is
 * allocated for it or read from it. */
static int stores_all(hid_t d)
{
    hid_t space = H5Dget_space(d), type = H5Dget_type(d);
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    size_t size = type >= 0 ? H5Tget_size(type) : 0;
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    /* A variable-length type's size is that of a pointer, never what the file stores: such a
     * dataset is refused here too (prunefair writes none; see string_type). */
    if (n < 0 || size == 0 || (n > 0 && size > SIZE_MAX / (size_t)n)) return 0;
    return H5Dget_storage_size(d) == (hsize_t)n * size;
}

int pf_h5_dims(hid_t loc, const char *name, int cap, hsize_t *dims)
{
    if (!pf_h5_exists(loc, name)) return -1;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t space = H5Dget_space(d);
    int rank = space < 0 || !stores_all(d) ? -1 : H5Sget_simple_extent_ndims(space);
    if (rank > cap || (rank > 0 && H5Sget_simple_extent_dims(space, dims, NULL) < 0)) rank = -1;
    if (space >= 0) H5Sclose(space);
    H5Dclose(d);
    return rank;
}

size_t pf_h5_size(hid_t loc, const char *name)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT); /* fails quietly (pf_h5_quiet) if absent */
    if (d < 0) return 0;
    hid_t space = H5Dget_space(d);
    hssize_t n = stores_all(d) ? H5Sget_simple_extent_npoints(space) : -1;
    H5Sclose(space);
    H5Dclose(d);
    return n < 0 ? 0 : (size_t)n;
}

/* The dataset name, opened, when it holds exactly n elements and stores them all (stores_all);
 * else -1. Every dataset read below goes through here. */
static hid_t open_whole(hid_t loc, const char *name, size_t n)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t space = H5Dget_space(d);
    hssize_t got = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (space >= 0) H5Sclose(space);
    if (got < 0 || (size_t)got != n || !stores_all(d)) {
        H5Dclose(d);
        return -1;
    }
    return d;
}

static int read_1d(hid_t loc, const char *name, hid_t type, size_t n, void *out)
{
    hid_t d = open_whole(loc, name, n);
    if (d < 0) return -1;
    herr_t st = n ? H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) : 0;
    H5Dclose(d);
    return st < 0 ? -1 : 0;
}

int pf_h5_read_doubles(hid_t loc, const char *name, size_t n, double *out)
{
    return read_1d(loc, name, H5T_NATIVE_DOUBLE, n, out);
}

int pf_h5_read_ints(hid_t loc, const char *name, size_t n, int *out)
{
    return read_1d(loc, name, H5T_NATIVE_INT, n, out);
}

int pf_h5_read_strings(hid_t loc, const char *name, size_t n, char **out)
{
    for (size_t i = 0; i < n; i++) out[i] = NULL;
    hid_t d = open_whole(loc, name, n);
    if (d < 0) return -1;
    hid_t ft = H5Dget_type(d);
    size_t width;
    hid_t mt = fixed_string_reader(ft, &width);
    if (ft >= 0) H5Tclose(ft);
    char *rows = mt >= 0 && n && n <= SIZE_MAX / width ? calloc(n, width) : NULL;
    int rc = n == 0 ? 0 : -1;
    if (rows && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0) {
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            rows[i * width + width - 1] = '\0';
            if ((out[i] = strdup(rows + i * width)) == NULL) rc = -1;
        }
    }
    if (rc != 0)
        for (size_t i = 0; i < n; i++) free(out[i]), out[i] = NULL;
    free(rows);
    if (mt >= 0) H5Tclose(mt);
    H5Dclose(d);
    return rc;
}

int pf_h5_read_array(hid_t loc, const char *name, hid_t type, size_t n, void *out)
{
    return read_1d(loc, name, type, n, out);
}

int pf_h5_read_rows(hid_t loc, const char *name, hid_t type, size_t rows, size_t cols, void *buf,
                    pf_h5_row_take take, void *ctx)
{
    hsize_t dims[2], one = cols;
    if (pf_h5_dims(loc, name, 2, dims) != 2 || dims[0] != rows || dims[1] != cols) return -1;
    hid_t d = open_whole(loc, name, rows * cols);
    if (d < 0) return -1;
    hid_t space = H5Dget_space(d), mem = H5Screate_simple(1, &one, NULL);
    int rc = space >= 0 && mem >= 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && cols && i < rows; i++)
        rc = select_row(space, i, cols) == 0 &&
                     H5Dread(d, type, mem, space, H5P_DEFAULT, buf) >= 0 && take(ctx, i, buf) == 0
                 ? 0
                 : -1;
    if (mem >= 0) H5Sclose(mem);
    if (space >= 0) H5Sclose(space);
    H5Dclose(d);
    return rc;
}

/* 1 when every member of the compound type lies inside it (nested compounds too). A file can
 * describe a member past the end of its row, sealed or not, and HDF5 1.10's conversion then
 * reads out of bounds (found by fuzzing): such a table is refused before it is read. */
static int members_fit(hid_t type)
{
    size_t size = H5Tget_size(type);
    int n = H5Tget_nmembers(type);
    if (size == 0 || n <= 0) return 0;
    int ok = 1;
    for (unsigned i = 0; ok && i < (unsigned)n; i++) {
        hid_t m = H5Tget_member_type(type, i);
        if (m < 0) return 0;
        size_t offset = H5Tget_member_offset(type, i), msize = H5Tget_size(m);
        ok = msize > 0 && offset <= size && msize <= size - offset &&
             (H5Tget_class(m) != H5T_COMPOUND || members_fit(m));
        H5Tclose(m);
    }
    return ok;
}

int pf_h5_read_table(hid_t loc, const char *name, hid_t type, size_t n, void *rows)
{
    hid_t d = open_whole(loc, name, n);
    if (d < 0) return -1;
    hid_t ft = H5Dget_type(d);
    int fits = ft >= 0 && H5Tget_class(ft) == H5T_COMPOUND && members_fit(ft);
    if (ft >= 0) H5Tclose(ft);
    herr_t st = fits && n ? H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) : 0;
    H5Dclose(d);
    return fits && st >= 0 ? 0 : -1;
}
