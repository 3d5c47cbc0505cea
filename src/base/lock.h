/* lock.h: one process at a time in a run folder.
 *
 * Two runs of the same study started on the same folder (a resubmitted job, a second
 * terminal) would write the same checkpoints and the same results files at once. A run takes
 * a lock file in its folder first; a second run finds it held and stops with the holder's
 * host and process id. The lock is a POSIX record lock (fcntl), which the kernel releases when
 * its process ends, however it ends: a run that crashed or was killed never leaves a folder
 * locked, and there is no stale lock to clean up. (On a network file system this needs a lock
 * service, as NFS provides; the file's text still names the holder.)
 * Definitions and the exact rules: docs/usage.md. */
#ifndef PF_LOCK_H
#define PF_LOCK_H

#include "base/error.h"

typedef struct {
    int fd; /* -1: not held */
} pf_lock;

/* Take dir/name (created if missing; dir must exist) for this process. PF_EINPUT when another
 * process holds it: the message names the folder, the holder's host and process id, and what
 * to do; PF_ERUNTIME when the file cannot be created. */
int pf_lock_take(pf_lock *lk, const char *dir, const char *name, pf_error *err);

/* Let it go (also done by the kernel at exit). Harmless on a lock not held. */
void pf_lock_release(pf_lock *lk);

#endif
