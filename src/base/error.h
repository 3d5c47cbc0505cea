/* error.h: how prunefair reports failures.
 *
 * Library functions never print and never exit. They return PF_OK or an exit code and fill a
 * caller-owned pf_error with one sentence that says what is wrong, where (file:line, key,
 * column) and how to fix it. Only the program's main() prints it and chooses the exit status,
 * so the same code serves the CLI, the tests and a future Python binding. */
#ifndef PF_ERROR_H
#define PF_ERROR_H

#include <stddef.h>

enum {
    PF_OK = 0,
    PF_ERUNTIME = 1, /* something failed while running (I/O, memory, a library) */
    PF_EINPUT = 2,   /* the user's input is wrong: usage, config or data */
    PF_EINTR = 3,    /* stopped by a signal; what finished is kept and a rerun resumes */
    PF_EDIVERGED = 4 /* a training diverged (its loss became NaN or infinite); for a run: the
                        other models were finished and written, the diverged ones marked */
};

typedef struct {
    int code;       /* PF_OK, PF_ERUNTIME, PF_EINPUT, PF_EINTR or PF_EDIVERGED */
    char msg[4096]; /* one human-readable sentence, no trailing newline */
} pf_error;

/* Record an error (only the first one: later calls keep the original cause) and return code. */
int pf_error_set(pf_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void pf_error_clear(pf_error *err);

/* The candidate a typo most likely meant, for "did you mean" hints: the one with the fewest
 * edits (insertions, deletions, substitutions; letter case ignored), if that is at most 2 and
 * less than the word's length; NULL when nothing is that close. Ties go to the earlier
 * candidate. */
const char *pf_error_closest(const char *word, const char *const *cands, size_t n);

#endif
