/* progress.h: a one-line progress display for long runs.
 *
 * On a terminal it redraws "[ 12/122 tasks]  9.8%  elapsed 0:41  left ~6:15" in place, at most
 * a few times a second; in a log (stderr not a terminal, unless forced) it stays quiet, so
 * SLURM logs and CI output are not flooded with carriage returns. Not thread-safe: the caller
 * serialises ticks (the runner does it in an OpenMP critical section). */
#ifndef PF_PROGRESS_H
#define PF_PROGRESS_H

#include <stddef.h>

typedef struct {
    size_t total, done;
    const char *unit;
    int enabled;
    double start, last_draw;
} pf_progress;

void pf_progress_start(pf_progress *p, size_t total, const char *unit, int enabled);
void pf_progress_tick(pf_progress *p);
void pf_progress_finish(pf_progress *p);

/* "1:02:03" or "4:05" into buf. */
void pf_progress_duration(double seconds, char *buf, size_t cap);

#endif
