/* outfile.h: output files that appear complete or not at all.
 *
 * Every file a run writes goes to "<name>.tmp" first and is renamed into place only after it
 * was written and closed without error. rename() within a folder is atomic on POSIX, so a
 * crash, a full disk or a SIGTERM never leaves a file that looks complete but is not. */
#ifndef PF_OUTFILE_H
#define PF_OUTFILE_H

#include <stdio.h>

#include "base/error.h"

typedef struct {
    FILE *fp;        /* write here between open and commit */
    char tmp[1100];  /* dir/name.tmp */
    char path[1100]; /* dir/name */
} pf_outfile;

/* Open dir/name.tmp for writing. */
int pf_outfile_open(pf_outfile *f, const char *dir, const char *name, pf_error *err);

/* Close, check for write errors, rename into place. On failure the temp file is removed. */
int pf_outfile_commit(pf_outfile *f, pf_error *err);

/* Give up: close and remove the temp file. */
void pf_outfile_abort(pf_outfile *f);

/* Just the names, for writers that open files themselves (HDF5): fills f->tmp and f->path. */
int pf_outfile_names(pf_outfile *f, const char *dir, const char *name, pf_error *err);

/* Flush f->tmp to disk (fsync) and rename it to f->path (for files written by other means). */
int pf_outfile_rename(pf_outfile *f, pf_error *err);

#endif
