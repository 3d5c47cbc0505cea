/* h5io.c: HDF5 helpers with collected errors (see h5io.h). */
#include "h5io.h"

#include <hdf5_hl.h>
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

void pf_h5_ints(pf_h5 *h, hid_t loc, const char *name, size_t n, const int *data)
{
    hsize_t dim = n;
    if (!h->failed) check(h, H5LTmake_dataset_int(loc, name, 1, &dim, data), name);
}

static hid_t vlen_string_type(void)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    return type;
}

static void write_1d(pf_h5 *h, hid_t loc, const char *name, hid_t type, size_t n, const void *data)
{
    if (h->failed) return;
    hsize_t dim = n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = d < 0 ? -1 : 0;
    if (d >= 0 && n > 0) st = H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    check(h, st, name);
    if (d >= 0) H5Dclose(d);
    H5Sclose(space);
}

/* Variable-length UTF-8 strings: what h5py returns as str (bytes in h5py < 3). */
void pf_h5_strings(pf_h5 *h, hid_t loc, const char *name, const char *const *s, size_t n)
{
    hid_t type = vlen_string_type();
    write_1d(h, loc, name, type, n, s);
    H5Tclose(type);
}

void pf_h5_table(pf_h5 *h, hid_t loc, const char *name, hid_t type, size_t n, const void *rows)
{
    write_1d(h, loc, name, type, n, rows);
}

char *pf_h5_read_attr_str(hid_t loc, const char *obj, const char *name)
{
    hsize_t dims;
    H5T_class_t cls;
    size_t size;
    if (H5LTget_attribute_info(loc, obj, name, &dims, &cls, &size) < 0 || cls != H5T_STRING)
        return NULL;
    char *buf = calloc(size + 1, 1);
    if (buf && H5LTget_attribute_string(loc, obj, name, buf) < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int pf_h5_read_attr_num(hid_t loc, const char *obj, const char *name, double *out)
{
    return H5LTget_attribute_double(loc, obj, name, out) < 0 ? -1 : 0;
}

size_t pf_h5_size(hid_t loc, const char *name)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT); /* fails quietly (pf_h5_quiet) if absent */
    if (d < 0) return 0;
    hid_t space = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    H5Sclose(space);
    H5Dclose(d);
    return n < 0 ? 0 : (size_t)n;
}

int pf_h5_read_doubles(hid_t loc, const char *name, size_t n, double *out)
{
    if (pf_h5_size(loc, name) != n) return -1;
    return H5LTread_dataset_double(loc, name, out) < 0 ? -1 : 0;
}

int pf_h5_read_ints(hid_t loc, const char *name, size_t n, int *out)
{
    if (pf_h5_size(loc, name) != n) return -1;
    return H5LTread_dataset_int(loc, name, out) < 0 ? -1 : 0;
}

static int read_1d(hid_t loc, const char *name, hid_t type, size_t n, void *out)
{
    if (pf_h5_size(loc, name) != n) return -1;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return -1;
    herr_t st = n ? H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) : 0;
    H5Dclose(d);
    return st < 0 ? -1 : 0;
}

int pf_h5_read_strings(hid_t loc, const char *name, size_t n, char **out)
{
    hid_t type = vlen_string_type();
    int rc = read_1d(loc, name, type, n, out);
    H5Tclose(type);
    /* HDF5 allocated the strings with malloc (the default vlen allocator), so callers may
     * free() them like any other string. */
    return rc;
}

int pf_h5_read_array(hid_t loc, const char *name, hid_t type, size_t n, void *out)
{
    return read_1d(loc, name, type, n, out);
}

int pf_h5_read_table(hid_t loc, const char *name, hid_t type, size_t n, void *rows)
{
    return read_1d(loc, name, type, n, rows);
}
