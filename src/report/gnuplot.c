/* gnuplot.c: running gnuplot on a script beside its data (see gnuplot.h). */
#include "report/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define GP_PATH 4096
#define GP_NAME 256

/* The first executable `name` on PATH into out; 0 when there is none. */
static int find_on_path(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;; p++) {
        size_t len = strcspn(p, ":");
        struct stat st;
        snprintf(out, cap, "%.*s/%s", (int)len, len ? p : ".", name);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return 1;
        p += len;
        if (!*p) return 0;
    }
}

/* The child: cwd = the figures folder, stdin and stdout /dev/null, stderr the pipe. Only
 * async-signal-safe calls here: the parent may be multi-threaded (OpenMP). */
static void exec_child(const char *prog, char *const argv[], const char *cwd, int errfd)
{
    int null = open("/dev/null", O_RDWR);
    if (null < 0 || chdir(cwd) != 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(errfd, 2) < 0)
        _exit(126);
    execv(prog, argv);
    static const char msg[] = "cannot execute gnuplot\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(127);
}

/* Read the child's stderr to the end, keeping what fits in msg. */
static void drain(int fd, char *msg, size_t cap)
{
    size_t n = 0;
    char buf[512];
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        size_t take = (size_t)got < cap - 1 - n ? (size_t)got : cap - 1 - n;
        memcpy(msg + n, buf, take);
        n += take;
    }
    msg[n] = '\0';
}

/* gnuplot's message in one line: newlines to " | ", trailing space trimmed. */
static void one_line(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r')) s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

/* Run `prog script` in dir; PF_OK when it exits 0, else PF_ERUNTIME with its stderr. */
static int run(const char *prog, const char *dir, const char *script, pf_error *err)
{
    int fd[2];
    if (pipe(fd) != 0)
        return pf_error_set(err, PF_ERUNTIME, "cannot run gnuplot: pipe: %s", strerror(errno));
    fcntl(fd[0], F_SETFD, FD_CLOEXEC), fcntl(fd[1], F_SETFD, FD_CLOEXEC);
    char arg0[] = "gnuplot", arg1[GP_NAME + 8];
    snprintf(arg1, sizeof arg1, "%s", script);
    char *const argv[] = {arg0, arg1, NULL};
    pid_t pid = fork();
    if (pid == 0) exec_child(prog, argv, dir, fd[1]);
    close(fd[1]);
    if (pid < 0) {
        close(fd[0]);
        return pf_error_set(err, PF_ERUNTIME, "cannot run gnuplot: fork: %s", strerror(errno));
    }
    char msg[800];
    drain(fd[0], msg, sizeof msg);
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return pf_error_set(err, PF_ERUNTIME, "waiting for gnuplot: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return PF_OK;
    one_line(msg);
    if (WIFSIGNALED(status))
        return pf_error_set(err, PF_ERUNTIME, "gnuplot was killed by signal %d rendering %s/%s%s%s",
                            WTERMSIG(status), dir, script, msg[0] ? ": " : "", msg);
    return pf_error_set(err, PF_ERUNTIME, "gnuplot failed (exit %d) rendering %s/%s: %s",
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1, dir, script,
                        msg[0] ? msg : "(no message)");
}

static int file_nonempty(const char *dir, const char *name, const char *ext)
{
    char path[GP_PATH + GP_NAME + 8];
    struct stat st;
    snprintf(path, sizeof path, "%s/%.*s.%s", dir, GP_NAME, name, ext);
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Remove stale images first, so an image on disk always belongs to the script beside it. */
static void remove_images(const char *dir, const char *name)
{
    char path[GP_PATH + GP_NAME + 8];
    static const char *const exts[] = {"png", "pdf"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%.*s.%s", dir, GP_NAME, name, exts[i]);
        unlink(path);
    }
}

int pf_gnuplot_find(char *out, size_t cap)
{
    return find_on_path("gnuplot", out, cap);
}

int pf_gnuplot_render(const char *prog, const char *dir, const char *name, const char *formats,
                      int *rendered, pf_error *err)
{
    char script[GP_NAME + 8];
    snprintf(script, sizeof script, "%s.gp", name);
    remove_images(dir, name);
    if (run(prog, dir, script, err) != PF_OK) return err->code;
    static const char *const exts[] = {"png", "pdf"};
    for (size_t i = 0; i < 2; i++) {
        const char *ext = exts[i];
        if (!strstr(formats, ext)) continue;
        if (!file_nonempty(dir, name, ext))
            return pf_error_set(err, PF_ERUNTIME, "gnuplot ran %s/%s but wrote no %s.%s", dir,
                                script, name, ext);
        (*rendered)++;
    }
    return PF_OK;
}
