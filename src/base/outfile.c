/* outfile.c: write to a temporary name, rename when complete; make folders (see outfile.h). */
#define _XOPEN_SOURCE 700 /* fsync */
#include "base/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pf_outfile_names(pf_outfile *f, const char *dir, const char *name, pf_error *err)
{
    f->fp = NULL;
    int n = snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n + 4 >= sizeof f->path)
        return pf_error_set(err, PF_ERUNTIME, "output path too long: %s/%s", dir, name);
    memcpy(f->tmp, f->path, (size_t)n);
    memcpy(f->tmp + n, ".tmp", 5);
    return PF_OK;
}

int pf_outfile_open(pf_outfile *f, const char *dir, const char *name, pf_error *err)
{
    if (pf_outfile_names(f, dir, name, err) != PF_OK) return err->code;
    f->fp = fopen(f->tmp, "w");
    if (!f->fp)
        return pf_error_set(err, PF_ERUNTIME, "cannot write '%s': %s", f->tmp, strerror(errno));
    return PF_OK;
}

/* The bytes reach the disk before the name does: after a crash the name points at a complete
 * file or at nothing. */
static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int pf_outfile_rename(pf_outfile *f, pf_error *err)
{
    if (sync_file(f->tmp) != 0 || rename(f->tmp, f->path) != 0) {
        int e = errno;
        unlink(f->tmp);
        return pf_error_set(err, PF_ERUNTIME, "cannot rename '%s' to '%s': %s", f->tmp, f->path,
                            strerror(e));
    }
    return PF_OK;
}

int pf_outfile_commit(pf_outfile *f, pf_error *err)
{
    int bad = ferror(f->fp);
    int closed = fclose(f->fp);
    f->fp = NULL;
    if (bad || closed != 0) {
        unlink(f->tmp);
        return pf_error_set(err, PF_ERUNTIME, "writing '%s' failed (disk full?)", f->path);
    }
    return pf_outfile_rename(f, err);
}

void pf_outfile_abort(pf_outfile *f)
{
    if (f->fp) fclose(f->fp);
    f->fp = NULL;
    unlink(f->tmp);
}
