/* figfile.c: a sweep figure's .dat and .gp written together, then rendered (see figfile.h). */
#include "sweep/figfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/outfile.h"
#include "report/gnuplot.h"

#define NAME_MAX_BYTES 200

/* ---- checks and the script's head ---- */

int pf_figfile_check(const char *name, const char *formats, pf_error *err)
{
    if (name == NULL || formats == NULL)
        return pf_error_set(err, PF_EINPUT, "figure name or formats is NULL");
    size_t len = strlen(name);
    int ok = len > 0 && len <= NAME_MAX_BYTES && name[0] != '.';
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '_' || *p == '-' || *p == '.';
    if (!ok)
        return pf_error_set(err, PF_EINPUT,
                            "figure name '%s': use letters, digits, '_', '-' and '.' (not first), "
                            "at most %d characters, e.g. cd_ccc_s0.8",
                            name, NAME_MAX_BYTES);
    for (const char *p = formats; *p;) {
        p += strspn(p, " ");
        size_t w = strcspn(p, " ");
        if (w == 0) break;
        if (!((w == 3 && strncmp(p, "png", 3) == 0) || (w == 3 && strncmp(p, "pdf", 3) == 0)))
            return pf_error_set(err, PF_EINPUT,
                                "figure format '%.*s' unknown (accepted: png, pdf; \"\" for none)",
                                (int)w, p);
        p += w;
    }
    return PF_OK;
}

void pf_figfile_head(pf_gptext *gp, const char *name, const char *title, const char *source,
                     const char *formats)
{
    const char *fmts = formats[strspn(formats, " ")] ? formats : "png pdf";
    pf_gptext_add(gp, "# %s.gp: ", name);
    for (const char *p = title; *p; p++) /* one comment line, whatever the title holds */
        if (*p == '\n')
            pf_gptext_add(gp, "; ");
        else
            pf_gptext_add(gp, "%c", (unsigned char)*p < 0x20 ? ' ' : *p);
    pf_gptext_add(gp,
                  "\n#\n"
                  "# Written by prunefair (%s). The numbers are in %s.dat beside this script\n"
                  "# (whitespace-separated, '#' comments name the columns; gnuplot's \"index i\" "
                  "is the i-th\n"
                  "# block, blocks are separated by two blank lines). Re-render from this "
                  "folder:\n"
                  "#     gnuplot %s.gp                          (renders: %s)\n"
                  "#     gnuplot -e \"formats='pdf'\" %s.gp       (only some of: png pdf)\n"
                  "if (!exists(\"formats\")) formats = \"%s\"\n"
                  "DATA = \"%s.dat\"\n"
                  "set encoding utf8\n",
                  source, name, name, fmts, name, fmts, name);
}

/* ---- writing ---- */

static int make_dir(const char *dir, pf_error *err)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) return PF_OK;
    return pf_error_set(err, PF_ERUNTIME, "cannot create the folder '%s': %s", dir,
                        strerror(errno));
}

/* Write text to dir/file's temporary name, left open in f (not yet renamed). */
static int write_tmp(pf_outfile *f, const char *dir, const char *file, const pf_gptext *t,
                     pf_error *err)
{
    if (pf_outfile_open(f, dir, file, err) != PF_OK) return err->code;
    if (t->n > 0 && fwrite(t->s, 1, t->n, f->fp) != t->n) {
        int e = errno;
        pf_outfile_abort(f);
        return pf_error_set(err, PF_ERUNTIME, "cannot write '%s': %s", f->tmp, strerror(e));
    }
    return PF_OK;
}

static void remove_images(const char *dir, const char *name)
{
    char path[1100];
    static const char *const exts[] = {"png", "pdf"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, exts[i]);
        unlink(path);
    }
}

static int write_pair(const char *dir, const char *name, const pf_gptext *dat, const pf_gptext *gp,
                      pf_error *err)
{
    char file[NAME_MAX_BYTES + 8];
    pf_outfile fd, fg;
    snprintf(file, sizeof file, "%s.dat", name);
    if (write_tmp(&fd, dir, file, dat, err) != PF_OK) return err->code;
    snprintf(file, sizeof file, "%s.gp", name);
    if (write_tmp(&fg, dir, file, gp, err) != PF_OK) {
        pf_outfile_abort(&fd);
        return err->code;
    }
    remove_images(dir, name);
    if (pf_outfile_commit(&fd, err) != PF_OK) {
        pf_outfile_abort(&fg);
        return err->code;
    }
    if (pf_outfile_commit(&fg, err) != PF_OK) {
        unlink(fd.path); /* no data without its script */
        return err->code;
    }
    return PF_OK;
}

int pf_figfile_write(const char *dir, const char *name, const pf_gptext *dat, const pf_gptext *gp,
                     const char *formats, int *rendered, pf_error *err)
{
    *rendered = 0;
    if (pf_figfile_check(name, formats, err) != PF_OK) return err->code;
    if (dir == NULL) return pf_error_set(err, PF_EINPUT, "figure folder is NULL");
    if (dat->oom || gp->oom || dat->s == NULL || gp->s == NULL)
        return pf_error_set(err, PF_ERUNTIME, "out of memory writing the figure %s", name);
    if (make_dir(dir, err) != PF_OK) return err->code;
    if (write_pair(dir, name, dat, gp, err) != PF_OK) return err->code;
    char prog[4096];
    if (!formats[strspn(formats, " ")] || !pf_gnuplot_find(prog, sizeof prog)) return PF_OK;
    return pf_gnuplot_render(prog, dir, name, formats, rendered, err);
}
