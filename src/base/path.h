/* path.h: file and folder names, as messages and provenance need them. */
#ifndef PF_PATH_H
#define PF_PATH_H

#include <stddef.h>

#include "base/error.h"

/* path made absolute against the working directory, for messages that must say which file
 * was tried and for provenance: resolved (no "..", no symbolic links) when it exists. */
void pf_path_abs(const char *path, char *out, size_t cap);

/* The file name of path without its folders, for labels ("heist_3000ms.csv"). */
const char *pf_path_base(const char *path);

/* Create dir (and parents) if needed. PF_EINPUT for a folder the user can change (a file in
 * the way, no permission, a read-only file system), PF_ERUNTIME otherwise. */
int pf_path_make_dirs(const char *dir, pf_error *err);

/* Whether dir could be created (or is already a folder) and written into, without creating
 * anything: the deepest existing ancestor must be a folder this process may write into.
 * PF_EINPUT with the same messages as pf_path_make_dirs otherwise. For checks before a run
 * (--dry-run). */
int pf_path_check_dir(const char *dir, pf_error *err);

/* Copy the regular files under src into dst (folders made as needed), each written to a
 * temporary name and renamed when whole (outfile.h). Names starting with '.' and the names in
 * skip (a NULL-terminated list, files or folders, at any depth; may be NULL) are left out; the
 * file named last (at src's top, may be NULL) is copied after every other, so dst holds it only
 * once everything else is there. PF_ERUNTIME naming the file that failed. */
int pf_path_copy_tree(const char *src, const char *dst, const char *const *skip, const char *last,
                      pf_error *err);

#endif
