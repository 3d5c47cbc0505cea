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

#endif
