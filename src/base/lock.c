/* lock.c: run-folder locks with fcntl (see lock.h).
 *
 * The file holds "host pid" of the last process that took it. It is never deleted: removing a
 * lock file while another process waits on it would let two processes hold locks on two
 * different files of the same name. */
#define _XOPEN_SOURCE 700 /* gethostname */
#include "base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int whole_file(int fd, short type, int cmd, struct flock *fl)
{
    memset(fl, 0, sizeof *fl);
    fl->l_type = type;
    fl->l_whence = SEEK_SET;
    return fcntl(fd, cmd, fl);
}

int pf_lock_take(pf_lock *lk, const char *dir, const char *name, pf_error *err)
{
    char path[4200];
    lk->fd = -1;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return pf_error_set(err, PF_ERUNTIME, "cannot create the lock file %s: %s", path,
                            strerror(errno));
    struct flock fl;
    if (whole_file(fd, F_WRLCK, F_SETLK, &fl) != 0) {
        char holder[300] = "";
        ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        struct flock who;
        long pid = whole_file(fd, F_WRLCK, F_GETLK, &who) == 0 ? (long)who.l_pid : -1;
        close(fd);
        char who_text[340];
        if (holder[0])
            snprintf(who_text, sizeof who_text, "%s", holder);
        else
            snprintf(who_text, sizeof who_text, "process %ld", pid);
        return pf_error_set(err, PF_EINPUT,
                            "%s is in use by another run (%s): wait for it to finish or stop "
                            "it, or write this run to another folder (--out DIR)",
                            dir, who_text);
    }
    char host[256] = "unknown", text[320];
    gethostname(host, sizeof host - 1);
    int len = snprintf(text, sizeof text, "host %s, process %ld\n", host, (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)len, 0) != len) {
        close(fd);
        return pf_error_set(err, PF_ERUNTIME, "cannot write the lock file %s: %s", path,
                            strerror(errno));
    }
    lk->fd = fd;
    return PF_OK;
}

void pf_lock_release(pf_lock *lk)
{
    if (lk->fd >= 0) close(lk->fd); /* closing drops the fcntl lock */
    lk->fd = -1;
}
