/* groups.c: the scoring rows of a criterion in groups of people, and each group's loss and
 * gradient (see groups.h).
 *
 * Groups are the split's participants (contiguous rows, used in place) or the values of its
 * group array (rows and their target columns gathered into a scratch copy, in row order, so a
 * group's gradient is the same whichever way its rows are stored). One pf_mlp_work sized for
 * the largest group serves all of them: with the CCC loss a group's loss cannot be chunked, so
 * the work has to hold the whole group at once. */
#include "compress/groups.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

void pf_groups_free(pf_groups *gs)
{
    free(gs->off);
    free(gs->perm);
    free(gs->loss);
    if (gs->own_grads) free(gs->grads);
    *gs = (pf_groups){0};
}

static void finish_max_rows(pf_groups *gs)
{
    gs->max_rows = 0;
    for (size_t g = 0; g < gs->n_groups; g++)
        if (gs->off[g + 1] - gs->off[g] > gs->max_rows) gs->max_rows = gs->off[g + 1] - gs->off[g];
}

/* Participants as groups; empty participants are skipped (they carry no gradient). */
static int by_participant(const pf_split *d, pf_groups *gs, pf_error *err)
{
    memset(gs, 0, sizeof *gs);
    if ((gs->off = pf_alloc(d->n_parts + 1, sizeof *gs->off, err)) == NULL) return PF_ERUNTIME;
    gs->off[0] = d->off[0];
    for (size_t p = 0; p < d->n_parts; p++)
        if (d->off[p + 1] > d->off[p]) gs->off[++gs->n_groups] = d->off[p + 1];
    finish_max_rows(gs);
    return PF_OK;
}

/* The split's group values as groups: a stable counting sort of the rows by group index,
 * then the non-empty groups in ascending index order. */
static int by_column(const pf_split *d, pf_groups *gs, pf_error *err)
{
    memset(gs, 0, sizeof *gs);
    size_t n_ids = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->group[i] >= 0 && (size_t)d->group[i] + 1 > n_ids) n_ids = (size_t)d->group[i] + 1;
    size_t *start = pf_alloc(n_ids + 1, sizeof *start, err);
    gs->off = pf_alloc(n_ids + 1, sizeof *gs->off, err);
    gs->perm = pf_alloc(d->n ? d->n : 1, sizeof *gs->perm, err);
    if (start == NULL || gs->off == NULL || gs->perm == NULL) {
        free(start);
        return PF_ERUNTIME;
    }
    for (size_t i = 0; i < d->n; i++)
        if (d->group[i] >= 0) start[d->group[i] + 1]++;
    for (size_t g = 0; g < n_ids; g++) start[g + 1] += start[g];
    for (size_t g = 0; g < n_ids; g++)
        if (start[g + 1] > start[g]) gs->off[++gs->n_groups] = start[g + 1];
    for (size_t i = 0; i < d->n; i++)
        if (d->group[i] >= 0) gs->perm[start[d->group[i]]++] = i;
    free(start);
    finish_max_rows(gs);
    return PF_OK;
}

/* Per-group mean loss and its gradient: grads is n_groups x n_params, loss n_groups. */
static int gradients(const pf_prune_ctx *ctx, const pf_groups *gs, float *grads, double *loss,
                     pf_error *err)
{
    const pf_mlp *m = ctx->model;
    const pf_split *d = ctx->data;
    const pf_loss_spec spec = pf_prune_loss(ctx);
    pf_mlp_work *w = pf_prune_work(ctx, gs->max_rows, err);
    float *xb = NULL, *yb = NULL;
    if (gs->perm != NULL) {
        xb = pf_alloc(gs->max_rows * d->d + 1, sizeof *xb, err);
        yb = pf_alloc(gs->max_rows * d->t + 1, sizeof *yb, err);
    }
    int status =
        w == NULL || (gs->perm != NULL && (xb == NULL || yb == NULL)) ? PF_ERUNTIME : PF_OK;
    for (size_t g = 0; status == PF_OK && g < gs->n_groups; g++) {
        size_t lo = gs->off[g], n = gs->off[g + 1] - lo;
        const float *x = d->x + lo * d->d, *y = d->y + lo * d->t;
        if (gs->perm != NULL) {
            for (size_t i = 0; i < n; i++) {
                size_t r = gs->perm[lo + i];
                memcpy(xb + i * d->d, d->x + r * d->d, d->d * sizeof *xb);
                memcpy(yb + i * d->t, d->y + r * d->t, d->t * sizeof *yb);
            }
            x = xb;
            y = yb;
        }
        loss[g] = pf_mlp_loss_grad(m, w, &spec, x, y, n, grads + g * m->n_params);
    }
    free(xb);
    free(yb);
    pf_prune_work_release(ctx, w);
    return status;
}

/* n_groups x n_params floats for the gradients: the scratch's, grown if needed, or new. */
static float *grads_buffer(const pf_prune_ctx *ctx, pf_groups *gs, pf_error *err)
{
    size_t n = gs->n_groups * ctx->model->n_params;
    pf_prune_scratch *s = ctx->scratch;
    if (s == NULL) {
        gs->own_grads = 1;
        return pf_alloc(n, sizeof(float), err);
    }
    if (n > s->grads_cap) {
        free(s->grads);
        s->grads_cap = 0;
        if ((s->grads = pf_alloc(n, sizeof(float), err)) == NULL) return NULL;
        s->grads_cap = n;
    }
    return s->grads;
}

int pf_groups_gradients(const pf_prune_ctx *ctx, int by_group, pf_groups *gs, pf_error *err)
{
    *gs = (pf_groups){0};
    int status = by_group ? by_column(ctx->data, gs, err) : by_participant(ctx->data, gs, err);
    if (status != PF_OK) return status;
    if (gs->n_groups == 0)
        return pf_error_set(err, PF_EINPUT,
                            "pruning needs rows of at least one group or "
                            "participant, but the scoring data has none");
    gs->grads = grads_buffer(ctx, gs, err);
    gs->loss = pf_alloc(gs->n_groups, sizeof *gs->loss, err);
    if (gs->grads == NULL || gs->loss == NULL) return PF_ERUNTIME;
    return gradients(ctx, gs, gs->grads, gs->loss, err);
}
