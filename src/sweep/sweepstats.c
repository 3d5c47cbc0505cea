/* sweepstats.c: the criteria compared across each axis of a sweep (see sweepstats.h). */
#include "sweep/sweepstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/csvout.h"
#include "base/numtext.h"
#include "base/outfile.h"

static int run_entry(pf_sweepstats_entry *e, const pf_sweepstats *st, const pf_aggregate *g,
                     pf_error *err)
{
    size_t n_blocks = g->sweep->file.group_len[e->group];
    e->value = pf_alloc(n_blocks * st->k, sizeof *e->value, err);
    double *pool = pf_alloc(pf_aggregate_cell_room(g), sizeof *pool, err);
    for (size_t b = 0; pool && e->value && b < n_blocks && err->code == PF_OK; b++)
        for (size_t j = 0; j < st->k && err->code == PF_OK; j++) {
            pf_aggregate_cell cell;
            pf_aggregate_cell_at(g, e->group, b, st->crit[j], e->sp, e->w, &cell, pool, err);
            e->value[b * st->k + j] = cell.mean;
        }
    free(pool);
    if (err->code != PF_OK || st->k < 2) return err->code;
    size_t ref = 0;
    for (size_t j = 0; j < st->k; j++)
        if ((long)st->crit[j] == g->reference) ref = j;
    if (!(e->cmp = pf_compare_alloc(n_blocks, st->k, err))) return err->code;
    return pf_compare_run(e->cmp, e->value, g->higher_is_better, ref, g->alpha, err);
}

int pf_sweepstats_run(pf_sweepstats *st, const pf_aggregate *g, pf_error *err)
{
    memset(st, 0, sizeof *st);
    if (g->n_done == 0) return PF_OK;
    st->k = g->n_crit - 1;
    st->crit = pf_alloc(st->k + 1, sizeof *st->crit, err);
    for (size_t j = 0; st->crit && j < st->k; j++) st->crit[j] = j + 1;
    size_t n_sp = 0;
    for (size_t s = 0; s < g->n_sp; s++) n_sp += g->sparsity[s] > 0;
    size_t n = g->sweep->file.n_groups * n_sp * g->n_chain;
    st->entry = pf_alloc(n + 1, sizeof *st->entry, err);
    if (err->code != PF_OK) return err->code;
    for (size_t gi = 0; gi < g->sweep->file.n_groups; gi++)
        for (size_t w = 0; w < g->n_chain; w++)
            for (size_t s = 0; s < g->n_sp; s++) {
                if (!(g->sparsity[s] > 0)) continue;
                pf_sweepstats_entry *e = &st->entry[st->n++];
                e->group = gi, e->sp = s, e->w = w;
                if (run_entry(e, st, g, err) != PF_OK) return err->code;
            }
    return PF_OK;
}

void pf_sweepstats_free(pf_sweepstats *st)
{
    for (size_t i = 0; st->entry && i < st->n; i++) {
        free(st->entry[i].value);
        pf_compare_free(st->entry[i].cmp);
    }
    free(st->entry), free(st->crit);
    memset(st, 0, sizeof *st);
}

const pf_sweepstats_entry *pf_sweepstats_find(const pf_sweepstats *st, size_t group, size_t sp,
                                              size_t w)
{
    for (size_t i = 0; i < st->n; i++)
        if (st->entry[i].group == group && st->entry[i].sp == sp && st->entry[i].w == w)
            return &st->entry[i];
    return NULL;
}

/* ---- CSV ------------------------------------------------------------------------------------ */

/* axis,sparsity[,clusters],bits: where a row of sweep_ranks.csv belongs. */
static void where(FILE *fp, const pf_aggregate *g, const pf_sweepstats_entry *e)
{
    char axis[PF_SWEEP_MAX_AXES * 2 * PF_MAX_NAME];
    pf_aggregate_group_name(g, e->group, axis, sizeof axis);
    pf_csvout_field(fp, axis);
    pf_numtext_put(fp, ",", g->sparsity[e->sp]);
    if (g->clustered) fprintf(fp, ",%d", g->chain[e->w].clusters);
    fprintf(fp, ",%d", g->chain[e->w].bits);
}

/* One side of a test, as stats.csv names it: criterion, sparsity, [clusters,] bits (both
 * sides of a sweep's test are at the entry's sparsity and chain). */
static void side(FILE *fp, const pf_aggregate *g, const pf_sweepstats_entry *e, const char *crit)
{
    fprintf(fp, ",%s", crit);
    pf_numtext_put(fp, ",", g->sparsity[e->sp]);
    if (g->clustered) fprintf(fp, ",%d", g->chain[e->w].clusters);
    fprintf(fp, ",%d", g->chain[e->w].bits);
}

static void test_row(FILE *fp, const pf_aggregate *g, const pf_sweepstats_entry *e,
                     const char *test, const char *a, const char *b, const pf_test_result *t,
                     double p_holm)
{
    char axis[PF_SWEEP_MAX_AXES * 2 * PF_MAX_NAME];
    pf_aggregate_group_name(g, e->group, axis, sizeof axis);
    pf_csvout_field(fp, axis);
    fprintf(fp, ",%s", test);
    side(fp, g, e, a);
    side(fp, g, e, b);
    fprintf(fp, ",%zu", t->n);
    const double v[] = {t->statistic, t->df1, t->df2, t->p_value, p_holm, t->effect_size};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) pf_numtext_put(fp, ",", v[i]);
    fprintf(fp, ",%s\n", pf_compare_status(t->status));
}

static int write_stats(const pf_sweepstats *st, const pf_aggregate *g, const char *dir,
                       pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "sweep_stats.csv", err) != PF_OK) return err->code;
    fputs(g->clustered
              ? "axis,test,criterion_a,sparsity_a,clusters_a,bits_a,criterion_b,sparsity_b,"
                "clusters_b,bits_b,"
              : "axis,test,criterion_a,sparsity_a,bits_a,criterion_b,sparsity_b,bits_b,",
          f.fp);
    fputs("n,statistic,df1,df2,p_value,p_holm,effect_size,status\n", f.fp);
    for (size_t i = 0; i < st->n; i++) {
        const pf_sweepstats_entry *e = &st->entry[i];
        const pf_compare *c = e->cmp;
        if (!c) continue;
        test_row(f.fp, g, e, "friedman", "all", "all", &c->friedman.chi2, NAN);
        test_row(f.fp, g, e, "iman_davenport", "all", "all", &c->friedman.f, NAN);
        for (size_t t = 0; t < c->n_cmp; t++)
            test_row(f.fp, g, e, "wilcoxon", g->crit[st->crit[c->reference]],
                     g->crit[st->crit[c->other[t]]], &c->wilcoxon[t].test, c->p_holm[t]);
    }
    return pf_outfile_commit(&f, err);
}

static int write_ranks(const pf_sweepstats *st, const pf_aggregate *g, const char *dir,
                       pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "sweep_ranks.csv", err) != PF_OK) return err->code;
    fputs(g->clustered ? "axis,sparsity,clusters,bits,criterion,avg_rank,cd,blocks\n"
                       : "axis,sparsity,bits,criterion,avg_rank,cd,blocks\n",
          f.fp);
    for (size_t i = 0; i < st->n; i++) {
        const pf_sweepstats_entry *e = &st->entry[i];
        if (!e->cmp) continue;
        for (size_t j = 0; j < st->k; j++) {
            where(f.fp, g, e);
            fputc(',', f.fp);
            pf_csvout_field(f.fp, g->crit[st->crit[j]]);
            pf_numtext_put(f.fp, ",", e->cmp->avg_rank[j]);
            pf_numtext_put(f.fp, ",", e->cmp->friedman.cd);
            fprintf(f.fp, ",%zu\n", e->cmp->n_blocks);
        }
    }
    return pf_outfile_commit(&f, err);
}

int pf_sweepstats_write_csv(const pf_sweepstats *st, const pf_aggregate *g, const char *dir,
                            pf_error *err)
{
    if (write_stats(st, g, dir, err) != PF_OK) return err->code;
    return write_ranks(st, g, dir, err);
}
