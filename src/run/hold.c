/* hold.c: the test-only pause of hold.h. */
#include "run/hold.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

void pf_hold_init(pf_hold *h, const char *tag)
{
    const char *dir = getenv("PF_TEST_HOLD");
    h->held[0] = h->go[0] = '\0';
    h->announced = h->released = 0;
    if (!dir || !dir[0]) return;
    snprintf(h->held, sizeof h->held, "%s/%s.held", dir, tag);
    snprintf(h->go, sizeof h->go, "%s/%s.go", dir, tag);
}

static int stop_raised(volatile sig_atomic_t *stop)
{
    return stop && *stop;
}

/* Written under a temporary name and renamed, so a test never reads half a process id. */
static void announce(pf_hold *h)
{
    char tmp[sizeof h->held + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", h->held);
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "%ld\n", (long)getpid());
        if (fclose(f) == 0) rename(tmp, h->held);
    }
    h->announced = 1;
}

int pf_hold_wait(pf_hold *h, size_t finished, volatile sig_atomic_t *stop)
{
    if (!h->held[0] || h->released || finished == 0) return !stop_raised(stop);
    if (!h->announced) announce(h);
    const struct timespec tick = {0, 10 * 1000 * 1000};
    while (!stop_raised(stop) && access(h->go, F_OK) != 0) nanosleep(&tick, NULL);
    h->released = !stop_raised(stop);
    return h->released;
}
