/* sweepreport.c: a sweep's folder brought up to date with its points (see sweepreport.h). */
#include "sweep/sweepreport.h"

#include <string.h>

#include "sweep/aggregate.h"
#include "sweep/sweepfigs.h"
#include "sweep/sweepstats.h"
#include "sweep/sweeptables.h"

int pf_sweepreport_write(const pf_sweep *s, pf_sweepreport_info *info, pf_error *err)
{
    pf_sweepreport_info mine;
    if (!info) info = &mine;
    memset(info, 0, sizeof *info);
    pf_sweep_tidy(s);
    pf_aggregate g;
    pf_sweepstats st = {0};
    if (pf_aggregate_load(&g, s, err) == PF_OK &&
        pf_aggregate_write_csv(&g, s->dir, err) == PF_OK &&
        pf_sweepstats_run(&st, &g, err) == PF_OK &&
        pf_sweepstats_write_csv(&st, &g, s->dir, err) == PF_OK &&
        pf_sweeptables_write(&g, &st, s->dir, err) == PF_OK)
        pf_sweepfigs_write(&g, &st, s->dir, &info->n_figures, &info->n_images, err);
    info->n_points = g.n_points, info->n_done = g.n_done;
    if (g.n_done) info->n_tables = st.n * g.cfg[g.first].tables.n;
    pf_sweepstats_free(&st);
    pf_aggregate_free(&g);
    return err->code;
}
