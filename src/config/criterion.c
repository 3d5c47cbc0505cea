/* criterion.c: the list of pruning criteria, and what a study makes of it (see criterion.h).
 *
 * One line per criterion, in the order tables, figures and --help show them. Its row is
 * defined in its own file, compress/criteria/NAME.c, as pf_criterion_NAME. */
#include "config/criterion.h"

#include <stdio.h>
#include <string.h>

#include "base/numtext.h"

#define PF_CRITERIA(X) X(random) X(magnitude) X(snip) X(fairgrape) X(vr) X(synflow)

#define DECLARE(name) extern const pf_criterion pf_criterion_##name;
#define ROW(name)     &pf_criterion_##name,
PF_CRITERIA(DECLARE)
static const pf_criterion *const LIST[] = {PF_CRITERIA(ROW)};
#define N_LIST (sizeof LIST / sizeof LIST[0])
_Static_assert(N_LIST <= PF_MAX_CRITERIA, "raise PF_MAX_CRITERIA (config/config.h)");

const pf_criterion *const *pf_criterion_list(size_t *n)
{
    *n = N_LIST;
    return LIST;
}

const pf_criterion *pf_criterion_find(const char *name)
{
    size_t len = strcspn(name, "(");
    for (size_t i = 0; i < N_LIST; i++)
        if (strlen(LIST[i]->name) == len && strncmp(name, LIST[i]->name, len) == 0) return LIST[i];
    return NULL;
}

static size_t position(const pf_criterion *c)
{
    size_t i = 0;
    while (i < N_LIST && LIST[i] != c) i++;
    return i;
}

const void *pf_criterion_options(const pf_config *cfg, const pf_criterion *c)
{
    size_t i = position(c);
    return i < N_LIST ? cfg->criterion_options[i].bytes : NULL;
}

void *pf_criterion_options_mut(pf_config *cfg, const pf_criterion *c)
{
    size_t i = position(c);
    return i < N_LIST ? cfg->criterion_options[i].bytes : NULL;
}

int pf_criterion_in_run(const pf_config *cfg, const pf_criterion *c)
{
    for (size_t i = 0; i < cfg->criteria.n; i++)
        if (strcmp(cfg->criteria.item[i], c->name) == 0) return 1;
    return 0;
}

/* The number list of c's sweep key in cfg. */
static const pf_numlist *sweep_values(const pf_config *cfg, const pf_criterion *c)
{
    for (size_t k = 0; k < c->n_keys; k++)
        if (strcmp(c->keys[k].key, c->sweep) == 0)
            return (const pf_numlist *)((const unsigned char *)pf_criterion_options(cfg, c) +
                                        c->keys[k].off);
    return NULL;
}

size_t pf_criterion_uses(const pf_config *cfg, pf_criterion_use *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->criteria.n; i++) {
        const pf_criterion *c = pf_criterion_find(cfg->criteria.item[i]);
        if (!c) continue; /* the config admits only listed names */
        const pf_numlist *sweep = c->sweep ? sweep_values(cfg, c) : NULL;
        if (!sweep) {
            if (n < cap)
                out[n] = (pf_criterion_use){c, 0.0, ""},
                snprintf(out[n].name, PF_MAX_NAME, "%s", c->name);
            n++;
            continue;
        }
        /* "vr_lambda" sweeps "lambda": the key without the criterion's name. */
        const char *option = c->sweep + strlen(c->name) + 1;
        char num[PF_NUMTEXT_CAP];
        for (size_t j = 0; j < sweep->n; j++, n++)
            if (n < cap) {
                out[n] = (pf_criterion_use){c, sweep->v[j], ""};
                snprintf(out[n].name, PF_MAX_NAME, "%s(%s=%s)", c->name, option,
                         pf_numtext(num, sweep->v[j]));
            }
    }
    return n;
}

pf_criterion_stage pf_criterion_stage_of(const pf_config *cfg, const pf_criterion *c)
{
    pf_criterion_stage st = {0, 1};
    if (c->stage) c->stage(pf_criterion_options(cfg, c), &st);
    return st;
}

int pf_criterion_has_role(const char *name, unsigned role)
{
    const pf_criterion *c = pf_criterion_find(name);
    return c && (c->roles & role);
}
