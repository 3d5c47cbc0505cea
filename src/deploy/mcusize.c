/* mcusize.c: an exported model compiled for a Cortex-M4 and measured (see mcusize.h). */
#include "deploy/mcusize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MCU_PATH 4096

/* Whether prog is an executable file in one of PATH's folders. */
static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char dir[MCU_PATH];
    for (const char *p = path ? path : ""; *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && n < sizeof dir - strlen(prog) - 2) {
            snprintf(dir, sizeof dir, "%.*s/%s", (int)n, p, prog);
            if (access(dir, X_OK) == 0) return 1;
        }
        p += n + (p[n] == ':');
    }
    return 0;
}

int pf_mcusize_available(void)
{
    return on_path("arm-none-eabi-gcc") && on_path("arm-none-eabi-size");
}

/* Run argv in dir with stdout (and stderr) into the file out; PF_OK when it exits 0. */
static int run(char *const *argv, const char *dir, const char *out, pf_error *err)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || chdir(dir) != 0) _exit(127);
        dup2(fd, STDOUT_FILENO), dup2(fd, STDERR_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0)
        return pf_error_set(err, PF_ERUNTIME, "cannot run %s: %s", argv[0], strerror(errno));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return pf_error_set(err, PF_ERUNTIME, "waiting for %s: %s", argv[0], strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return PF_OK;
    char msg[400] = "";
    FILE *fp = fopen(out, "r");
    if (fp) {
        size_t n = fread(msg, 1, sizeof msg - 1, fp);
        msg[n] = '\0';
        fclose(fp);
        for (char *c = msg; *c; c++)
            if (*c == '\n') *c = ' ';
    }
    return pf_error_set(err, PF_ERUNTIME, "%s failed on %s/model.c: %s", argv[0], dir, msg);
}

/* The sections of arm-none-eabi-size -A into flash and ram. */
static int read_sections(const char *path, pf_mcusize *out, pf_error *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return pf_error_set(err, PF_ERUNTIME, "cannot read %s: %s", path, strerror(errno));
    char line[256], name[128];
    long size, addr;
    int seen = 0;
    while (fgets(line, sizeof line, fp)) {
        if (sscanf(line, "%127s %ld %ld", name, &size, &addr) != 3) continue;
        int text = strcmp(name, ".text") == 0 || strncmp(name, ".text.", 6) == 0;
        int rodata = strcmp(name, ".rodata") == 0 || strncmp(name, ".rodata.", 8) == 0;
        int data = strcmp(name, ".data") == 0 || strncmp(name, ".data.", 6) == 0;
        int bss = strcmp(name, ".bss") == 0 || strncmp(name, ".bss.", 5) == 0;
        if (text || rodata || data) out->flash += size;
        if (data || bss) out->ram += size;
        seen |= text;
    }
    fclose(fp);
    return seen ? PF_OK : pf_error_set(err, PF_ERUNTIME, "no .text in %s", path);
}

/* The frames of -fstack-usage's report ("file:line:col:function<TAB>bytes<TAB>kind"). */
static int read_stack(const char *path, pf_mcusize *out, pf_error *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return pf_error_set(err, PF_ERUNTIME, "cannot read %s: %s", path, strerror(errno));
    char line[512];
    while (fgets(line, sizeof line, fp)) {
        char *tab = strchr(line, '\t');
        if (tab) out->stack += strtol(tab + 1, NULL, 10);
    }
    fclose(fp);
    return PF_OK;
}

int pf_mcusize_measure(const char *dir, pf_mcusize *out, pf_error *err)
{
    *out = (pf_mcusize){0, 0, 0};
    if (!pf_mcusize_available())
        return pf_error_set(err, PF_ERUNTIME,
                            "arm-none-eabi-gcc or arm-none-eabi-size not found (Debian: "
                            "gcc-arm-none-eabi)");
    char tmp[MCU_PATH], log[MCU_PATH + 16], obj[MCU_PATH + 16], su[MCU_PATH + 16];
    if (snprintf(tmp, sizeof tmp, "%s/.m4-XXXXXX", dir) >= (int)sizeof tmp || !mkdtemp(tmp))
        return pf_error_set(err, PF_ERUNTIME, "cannot make a folder in %s: %s", dir,
                            strerror(errno));
    snprintf(log, sizeof log, "%s/out.txt", tmp);
    snprintf(obj, sizeof obj, "%s/m4.o", tmp);
    snprintf(su, sizeof su, "%s/m4.su", tmp);
    char *cc[] = {"arm-none-eabi-gcc",
                  "-std=c99",
                  "-mcpu=cortex-m4",
                  "-mthumb",
                  "-mfloat-abi=hard",
                  "-mfpu=fpv4-sp-d16",
                  "-O2",
                  "-fstack-usage",
                  "-c",
                  "../model.c",
                  "-o",
                  "m4.o",
                  NULL};
    char *size[] = {"arm-none-eabi-size", "-A", "m4.o", NULL};
    if (run(cc, tmp, log, err) == PF_OK && read_stack(su, out, err) == PF_OK &&
        run(size, tmp, log, err) == PF_OK)
        read_sections(log, out, err);
    unlink(log), unlink(obj), unlink(su), rmdir(tmp);
    return err->code;
}
