/* rows.c: a data file's rows as read, and their order (see rows.h). */
#include "data/rows.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

int pf_rows_reserve(pf_rows *r, size_t need, pf_error *err)
{
    if (need <= r->cap) return PF_OK;
    size_t cap = r->cap ? r->cap : 256, width = r->n_feat ? r->n_feat : 1;
    while (cap < need) cap *= 2;
    void *p;
    /* Each array is replaced as soon as it has grown, so a failure leaves r consistent. */
#define GROW(field, n)                                                                             \
    do {                                                                                           \
        if ((p = pf_alloc_resize(r->field, n, sizeof *r->field)) == NULL) goto fail;               \
        r->field = p;                                                                              \
        pf_alloc_huge(p, (n) * sizeof *r->field); /* written once: see alloc.h */                  \
    } while (0)
    GROW(x, cap * width);
    GROW(y, cap * (r->n_y ? r->n_y : 1));
    GROW(t, cap);
    GROW(line, cap);
    GROW(rec, cap);
    GROW(pid, cap);
    GROW(sid, cap);
    GROW(gid, cap);
#undef GROW
    r->cap = cap;
    return PF_OK;
fail:
    return pf_error_set(err, PF_ERUNTIME, "out of memory storing %zu rows of %zu features", cap,
                        r->n_feat);
}

void pf_rows_free(pf_rows *r)
{
    free(r->x);
    free(r->y);
    free(r->t);
    free(r->line);
    free(r->rec);
    free(r->pid);
    free(r->sid);
    free(r->gid);
    memset(r, 0, sizeof *r);
}

/* Sorting with the file position as the last key makes qsort stable. */
static int cmp_row_key(const void *pa, const void *pb)
{
    const pf_row_key *a = pa, *b = pb;
    if (a->pid != b->pid) return a->pid < b->pid ? -1 : 1;
    if (a->sid != b->sid) return a->sid < b->sid ? -1 : 1;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

pf_row_key *pf_rows_order(const pf_rows *r, pf_error *err)
{
    pf_row_key *k = pf_alloc(r->n, sizeof *k, err);
    if (k == NULL) return NULL;
    for (size_t i = 0; i < r->n; i++) k[i] = (pf_row_key){r->pid[i], r->sid[i], r->t[i], i};
    qsort(k, r->n, sizeof *k, cmp_row_key);
    return k;
}

void pf_rows_move(pf_rows *r, size_t to, size_t from)
{
    size_t f = r->n_feat, T = r->n_y;
    memcpy(r->x + to * f, r->x + from * f, f * sizeof *r->x);
    memcpy(r->y + to * T, r->y + from * T, T * sizeof *r->y);
    r->t[to] = r->t[from], r->line[to] = r->line[from], r->rec[to] = r->rec[from];
    r->pid[to] = r->pid[from], r->sid[to] = r->sid[from], r->gid[to] = r->gid[from];
}

/* Row i of a before row j in the order pf_rows_order gives (file position last). */
static int row_before(const pf_rows *r, size_t i, size_t j)
{
    pf_row_key a = {r->pid[i], r->sid[i], r->t[i], i}, b = {r->pid[j], r->sid[j], r->t[j], j};
    return cmp_row_key(&a, &b) < 0;
}

/* Rows of width bytes in base moved in place so that row i becomes the old row k[i].idx,
 * following each cycle of the permutation once (done marks the rows already placed). */
static void permute(void *base, size_t width, const pf_row_key *k, size_t n, unsigned char *done,
                    void *tmp)
{
    char *b = base;
    memset(done, 0, n / 8 + 1);
    for (size_t i = 0; i < n; i++) {
        if (done[i / 8] >> (i % 8) & 1) continue;
        memcpy(tmp, b + i * width, width);
        size_t j = i;
        for (; k[j].idx != i; j = k[j].idx) {
            memcpy(b + j * width, b + k[j].idx * width, width);
            done[j / 8] |= (unsigned char)(1u << (j % 8));
        }
        memcpy(b + j * width, tmp, width);
        done[j / 8] |= (unsigned char)(1u << (j % 8));
    }
}

int pf_rows_sort(pf_rows *r, pf_error *err)
{
    size_t n = r->n, i = 1;
    while (i < n && row_before(r, i - 1, i)) i++;
    if (i >= n) return PF_OK; /* already in order, as a file written by participant usually is */
    pf_row_key *k = pf_rows_order(r, err);
    size_t width = r->n_feat > r->n_y ? r->n_feat : r->n_y;
    unsigned char *done = k ? pf_alloc(n / 8 + 1, 1, err) : NULL;
    void *tmp = done ? pf_alloc(width ? width : 1, sizeof(double), err) : NULL;
    if (tmp) {
        permute(r->x, r->n_feat * sizeof *r->x, k, n, done, tmp);
        permute(r->y, r->n_y * sizeof *r->y, k, n, done, tmp);
        permute(r->t, sizeof *r->t, k, n, done, tmp);
        permute(r->line, sizeof *r->line, k, n, done, tmp);
        permute(r->rec, sizeof *r->rec, k, n, done, tmp);
        permute(r->pid, sizeof *r->pid, k, n, done, tmp);
        permute(r->sid, sizeof *r->sid, k, n, done, tmp);
        permute(r->gid, sizeof *r->gid, k, n, done, tmp);
    }
    free(k);
    free(done);
    free(tmp);
    return tmp ? PF_OK : err->code;
}
