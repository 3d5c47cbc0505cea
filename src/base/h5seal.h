/* h5seal.h: HDF5 files that can prove they are whole.
 *
 * results.h5 and shard files travel: from a cluster's scratch disk to a laptop, by scp, rsync
 * or a shared folder, and a copy can be cut short or damaged on the way. HDF5 1.10 does not
 * check its own bytes, and it reads a damaged file badly: fuzzing found it leaking, asking
 * for terabytes and reading past its buffers on corrupt headers. So the files prunefair
 * writes carry a seal: the SHA-256 and length of every byte after the first 512, kept in
 * those first 512 bytes, the HDF5 "user block" that the library reserves for the application
 * and skips when it looks for its superblock. A reader checks the seal before HDF5 sees a
 * byte, and a file cut short, changed or written by another program is refused with a
 * message that says which. h5py, h5dump and HDFView read sealed files like any other.
 *
 * The user block holds, in ASCII and padded with NUL bytes:
 *
 *     prunefair-seal/1
 *     sha256 <64 lower-case hex digits>
 *     bytes <length of the file after the user block, in decimal>
 * Definitions and the exact rules: docs/robustness.md#sealed-files. */
#ifndef PF_H5SEAL_H
#define PF_H5SEAL_H

#include <hdf5.h>

#include "base/error.h"

#define PF_H5SEAL_BLOCK 512 /* the user block: HDF5 wants a power of two, at least 512 */

/* Create (or truncate) path for writing, with a user block for the seal. Negative on failure. */
hid_t pf_h5seal_create(const char *path);

/* Close a file made by pf_h5seal_create and seal it (pf_h5seal_write). 0, or -1 when closing,
 * reading back or writing failed (errno says why). */
int pf_h5seal_close(hid_t file, const char *path);

/* Write the seal of the closed file at path into its first PF_H5SEAL_BLOCK bytes, which must
 * be its user block. 0, or -1 (errno says why). */
int pf_h5seal_write(const char *path);

/* Check path's seal, then open it read-only. On failure returns a negative id and sets err
 * (PF_EINPUT) to what is wrong with the file, followed by fix: what the user can do. */
hid_t pf_h5seal_open(const char *path, const char *fix, pf_error *err);

#endif
