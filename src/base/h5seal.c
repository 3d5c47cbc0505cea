/* h5seal.c: the seal of an HDF5 file, written after it is closed and checked before it is
 * opened (see h5seal.h). */
#include "base/h5seal.h"
#include "base/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAGIC   "prunefair-seal/1\n"
#define HEX_LEN (PF_SHA256_HEX - 1)

/* The HDF5 signature, which a file of another program (or an unsealed one) starts with. */
static const unsigned char hdf5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

hid_t pf_h5seal_create(const char *path)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fcpl < 0) return -1;
    hid_t f = -1;
    if (H5Pset_userblock(fcpl, PF_H5SEAL_BLOCK) >= 0)
        f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    return f;
}

/* SHA-256 (as hex) and length of the bytes of fp from the current position to the end. */
static int digest_rest(FILE *fp, char hex[HEX_LEN + 1], unsigned long long *length)
{
    pf_sha256 md;
    pf_sha256_begin(&md);
    unsigned char buf[1 << 16];
    *length = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        pf_sha256_add(&md, buf, n);
        *length += n;
    }
    int ok = pf_sha256_end(&md, NULL, hex);
    return ok && !ferror(fp) ? 0 : -1;
}

int pf_h5seal_close(hid_t file, const char *path)
{
    return H5Fclose(file) < 0 ? -1 : pf_h5seal_write(path);
}

int pf_h5seal_write(const char *path)
{
    FILE *fp = fopen(path, "r+b");
    if (!fp) return -1;
    char hex[HEX_LEN + 1];
    unsigned long long length;
    int rc = fseek(fp, PF_H5SEAL_BLOCK, SEEK_SET) == 0 ? digest_rest(fp, hex, &length) : -1;
    if (rc == 0) {
        char block[PF_H5SEAL_BLOCK] = {0}; /* the rest of the block stays NUL */
        snprintf(block, sizeof block, MAGIC "sha256 %s\nbytes %llu\n", hex, length);
        int ok = fseek(fp, 0, SEEK_SET) == 0 && fwrite(block, 1, sizeof block, fp) == sizeof block;
        rc = ok ? 0 : -1;
    }
    int saved = errno;
    if (fclose(fp) != 0)
        rc = -1;
    else
        errno = saved;
    return rc;
}

/* The seal in block (NUL-terminated by the caller), or -1 when there is none. */
static int parse_seal(const char *block, char hex[HEX_LEN + 1], unsigned long long *length)
{
    const char *p = block;
    if (strncmp(p, MAGIC "sha256 ", sizeof MAGIC + 6) != 0) return -1;
    p += sizeof MAGIC + 6;
    for (int i = 0; i < HEX_LEN; i++, p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return -1;
        hex[i] = *p;
    }
    hex[HEX_LEN] = '\0';
    if (strncmp(p, "\nbytes ", 7) != 0) return -1;
    p += 7;
    unsigned long long v = 0;
    const char *digits = p;
    for (; *p >= '0' && *p <= '9' && p - digits < 19; p++) v = v * 10 + (unsigned)(*p - '0');
    if (p == digits || *p != '\n') return -1;
    *length = v;
    return 0;
}

hid_t pf_h5seal_open(const char *path, const char *fix, pf_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return pf_error_set(err, PF_EINPUT, "cannot read '%s': %s; %s", path, strerror(errno), fix),
               -1;
    char block[PF_H5SEAL_BLOCK + 1] = {0}, want[HEX_LEN + 1], got[HEX_LEN + 1];
    size_t n = fread(block, 1, PF_H5SEAL_BLOCK, fp);
    unsigned long long want_len, got_len = 0;
    if (n < PF_H5SEAL_BLOCK || parse_seal(block, want, &want_len) != 0) {
        fclose(fp);
        if (n >= sizeof hdf5_signature && memcmp(block, hdf5_signature, sizeof hdf5_signature) == 0)
            pf_error_set(err, PF_EINPUT,
                         "'%s' is an HDF5 file without prunefair's seal: another program or an "
                         "older prunefair wrote it; %s",
                         path, fix);
        else
            pf_error_set(err, PF_EINPUT,
                         "'%s' was not written by prunefair: it lacks the seal prunefair puts in "
                         "a file's first %d bytes; %s",
                         path, PF_H5SEAL_BLOCK, fix);
        return -1;
    }
    int rc = digest_rest(fp, got, &got_len);
    int e = errno;
    fclose(fp);
    if (rc != 0)
        return pf_error_set(err, PF_EINPUT, "cannot read '%s': %s; %s", path, strerror(e), fix), -1;
    if (got_len != want_len)
        return pf_error_set(err, PF_EINPUT,
                            "'%s' is %s: it holds %llu bytes after its seal, %llu were written "
                            "(an interrupted copy?); %s",
                            path, got_len < want_len ? "cut short" : "too long", got_len, want_len,
                            fix),
               -1;
    if (strcmp(got, want) != 0)
        return pf_error_set(err, PF_EINPUT,
                            "'%s' is damaged: its bytes changed after it was written (their "
                            "SHA-256 is not the one in its seal); %s",
                            path, fix),
               -1;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        pf_error_set(err, PF_EINPUT, "'%s' is sealed but HDF5 cannot open it; %s", path, fix);
    return f;
}
