/* progress.c: the terminal progress line (see progress.h). */
#include "base/progress.h"

#include <stdio.h>
#include <time.h>

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void pf_progress_duration(double seconds, char *buf, size_t cap)
{
    long s = seconds < 0 ? 0 : (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", s / 60, s % 60);
}

static void draw(const pf_progress *p, double now)
{
    char el[32], left[32] = "?";
    double elapsed = now - p->start;
    pf_progress_duration(elapsed, el, sizeof el);
    if (p->done > 0)
        pf_progress_duration(elapsed / (double)p->done * (double)(p->total - p->done), left,
                             sizeof left);
    fprintf(stderr, "\r[%*zu/%zu %s] %5.1f%%  elapsed %s  left ~%s   ",
            (int)snprintf(NULL, 0, "%zu", p->total), p->done, p->total, p->unit,
            p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, el, left);
    fflush(stderr);
}

void pf_progress_start(pf_progress *p, size_t total, const char *unit, int enabled)
{
    *p = (pf_progress){.total = total, .unit = unit, .enabled = enabled};
    p->start = p->last_draw = seconds_now();
    if (enabled) draw(p, p->start);
}

void pf_progress_tick(pf_progress *p)
{
    p->done++;
    if (!p->enabled) return;
    double now = seconds_now();
    if (now - p->last_draw >= 0.25 || p->done == p->total) {
        draw(p, now);
        p->last_draw = now;
    }
}

void pf_progress_finish(pf_progress *p)
{
    if (p->enabled) fputc('\n', stderr);
}
