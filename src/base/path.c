/* path.c: absolute paths, base names and folders (see path.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "base/path.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/outfile.h"

void pf_path_abs(const char *path, char *out, size_t cap)
{
    char cwd[PATH_MAX], real[PATH_MAX];
    if (path[0] != '\0' && realpath(path, real) != NULL) /* exists: without ".." and links */
        snprintf(out, cap, "%s", real);
    else if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
        snprintf(out, cap, "%s", path);
    else
        snprintf(out, cap, "%s/%s", cwd, path[0] == '.' && path[1] == '/' ? path + 2 : path);
}

const char *pf_path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The advice of every message about an output folder. */
#define CHOOSE_ANOTHER "choose another output folder (experiment.output_dir, or --out DIR)"

int pf_path_make_dirs(const char *dir, pf_error *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return pf_error_set(err, PF_EINPUT, "output folder name too long: %s", dir);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            /* A folder the user can change (a file in the way, no permission, a read-only
             * file system) is a bad setting; a full or failing disk is not. */
            int input = errno == ENOTDIR || errno == EACCES || errno == EROFS ||
                        errno == ENAMETOOLONG || errno == EPERM;
            return pf_error_set(err, input ? PF_EINPUT : PF_ERUNTIME,
                                "cannot create folder '%s': %s%s", buf, strerror(errno),
                                input ? "; " CHOOSE_ANOTHER : "");
        }
        if (c == '\0' && stat(buf, &st) == 0 && !S_ISDIR(st.st_mode))
            return pf_error_set(err, PF_EINPUT, "'%s' is a file, not a folder; " CHOOSE_ANOTHER,
                                buf);
        if (c == '\0') return PF_OK;
        *p = c;
    }
}

int pf_path_check_dir(const char *dir, pf_error *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return pf_error_set(err, PF_EINPUT, "output folder name too long: %s", dir);
    struct stat st;
    /* Up to the deepest part that exists. */
    while (stat(buf, &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return pf_error_set(err, PF_EINPUT, "cannot create folder '%s': %s; " CHOOSE_ANOTHER,
                                dir, strerror(errno));
        char *slash = strrchr(buf, '/');
        if (slash == NULL) {
            snprintf(buf, sizeof buf, ".");
            break;
        }
        *(slash == buf ? slash + 1 : slash) = '\0';
    }
    if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode))
        return pf_error_set(err, PF_EINPUT, "'%s' is a file, not a folder; " CHOOSE_ANOTHER, buf);
    if (access(buf, W_OK | X_OK) != 0)
        return pf_error_set(err, PF_EINPUT, "cannot create folder '%s': %s; " CHOOSE_ANOTHER, dir,
                            strerror(errno));
    return PF_OK;
}

/* ---- copying a folder ------------------------------------------------------------------------ */

static int skipped(const char *name, const char *const *skip)
{
    if (name[0] == '.') return 1;
    for (size_t i = 0; skip && skip[i]; i++)
        if (strcmp(name, skip[i]) == 0) return 1;
    return 0;
}

static int copy_file(const char *src, const char *dst_dir, const char *name, pf_error *err)
{
    FILE *in = fopen(src, "rb");
    if (!in) return pf_error_set(err, PF_ERUNTIME, "cannot read '%s': %s", src, strerror(errno));
    pf_outfile f;
    if (pf_outfile_open(&f, dst_dir, name, err) != PF_OK) {
        fclose(in);
        return err->code;
    }
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, f.fp) != n) break;
    int bad = ferror(in);
    fclose(in);
    if (bad) {
        pf_outfile_abort(&f);
        return pf_error_set(err, PF_ERUNTIME, "cannot read '%s'", src);
    }
    return pf_outfile_commit(&f, err);
}

int pf_path_copy_tree(const char *src, const char *dst, const char *const *skip, const char *last,
                      pf_error *err)
{
    if (pf_path_make_dirs(dst, err) != PF_OK) return err->code;
    DIR *d = opendir(src);
    if (!d)
        return pf_error_set(err, PF_ERUNTIME, "cannot read the folder '%s': %s", src,
                            strerror(errno));
    struct dirent *e;
    while (err->code == PF_OK && (e = readdir(d)) != NULL) {
        if (skipped(e->d_name, skip) || (last && strcmp(e->d_name, last) == 0)) continue;
        char from[PATH_MAX], to[PATH_MAX];
        snprintf(from, sizeof from, "%s/%s", src, e->d_name);
        snprintf(to, sizeof to, "%s/%s", dst, e->d_name);
        struct stat st;
        if (stat(from, &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            pf_path_copy_tree(from, to, skip, NULL, err);
        else if (S_ISREG(st.st_mode))
            copy_file(from, dst, e->d_name, err);
    }
    closedir(d);
    if (err->code == PF_OK && last) {
        char from[PATH_MAX];
        snprintf(from, sizeof from, "%s/%s", src, last);
        if (access(from, F_OK) == 0) copy_file(from, dst, last, err);
    }
    return err->code;
}
