/* hold.h: a test-only pause at a known point of a run (environment variable PF_TEST_HOLD).
 *
 * Tests that stop a run "mid-run" (kill -9, SIGTERM, SLURM's USR1, scancel) must catch it
 * with some tasks finished and some not, on any machine: on a fast CPU a shard can finish all
 * its tasks before a test that polls for it looks. With PF_TEST_HOLD=DIR, once the first task
 * this process computed is checkpointed, the run starts no further task: it writes
 * DIR/<tag>.held (holding its process id) and waits until DIR/<tag>.go exists or a stop
 * signal arrives (then it ends as any stopped run does, exit 3). Tasks already under way on
 * other threads finish first. The tag names the process's part of a study: "run", or
 * "shard-I" for --shard I/N; in a sweep, prefixed with its point: "point2-run". Unset (every real
 * run), it costs one getenv per run. */
#ifndef PF_HOLD_H
#define PF_HOLD_H

#include <signal.h>
#include <stddef.h>

typedef struct {
    char held[4096], go[4096]; /* empty: no hold */
    int announced;             /* DIR/<tag>.held is written */
    int released;              /* DIR/<tag>.go was seen: no further hold */
} pf_hold;

/* Read PF_TEST_HOLD; tag as above. */
void pf_hold_init(pf_hold *h, const char *tag);

/* Called before a task starts, with the number of tasks this process has finished. Returns 1
 * when the task may start, 0 when a stop was raised while held. Not thread-safe: the caller
 * serialises calls (the runner holds a critical section; the other threads wait there too). */
int pf_hold_wait(pf_hold *h, size_t finished, volatile sig_atomic_t *stop);

#endif
