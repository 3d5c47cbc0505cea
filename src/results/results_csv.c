/* results_csv.c: the CSV exports of a run (see results_csv.h).
 *
 * The HDF5 file holds everything, but most analyses start with pandas or R, and a flat table
 * per question is what those read in one line. The exports are views of the study model in
 * results.h, never a second computation: per-participant values come straight from
 * r->value, the summary straight from r->summary (pf_results_summarise), so a number in a CSV
 * is the number in results.h5, tables and figures. Columns follow the task's metric set, so the
 * same code writes a regression run (ccc, rmse, pearson; or ccc[arousal], ..., mean_ccc) and a
 * classification run (accuracy, balanced_accuracy, f1_macro).
 *
 * Numbers go through numtext.h (shortest text that reads back to the same double; NaN as
 * "nan", which pandas and R both read as missing); text that may hold commas or quotes
 * (participant ids, attribute values, names from the data file) is quoted the RFC 4180 way. */
#include "results/results_csv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/csvout.h"
#include "base/numtext.h"
#include "base/outfile.h"

void pf_results_csv_variant_head(FILE *fp, int clustered)
{
    fputs(clustered ? "criterion,sparsity,clusters,bits" : "criterion,sparsity,bits", fp);
}

void pf_results_csv_variant(FILE *fp, const pf_results *r, size_t v, int clustered)
{
    const pf_variant *x = &r->variant[v];
    pf_csvout_field(fp, r->crit[x->crit]);
    pf_numtext_put(fp, ",", x->sparsity);
    if (clustered) fprintf(fp, ",%d", x->clusters);
    fprintf(fp, ",%d", x->bits);
}

/* One row per (participant, variant, repeat), variant-major as the value array is stored: the
 * dense rows first, then criterion by criterion, sparsity by sparsity. */
static int write_per_participant(const pf_results *r, const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "per_participant.csv", err) != PF_OK) return err->code;
    FILE *fp = f.fp;
    fputs("participant,", fp);
    pf_results_csv_variant_head(fp, pf_results_clustered(r));
    fputs(",repeat", fp);
    for (size_t m = 0; m < r->n_metric; m++) {
        fputc(',', fp);
        pf_csvout_field(fp, r->metrics->slot[m].name);
    }
    fputs(",n_windows\n", fp);
    for (size_t v = 0; v < r->n_var; v++)
        for (size_t p = 0; p < r->n_part; p++)
            for (size_t k = 0; k < r->n_rep; k++) {
                pf_csvout_field(fp, r->participant_ids[p]);
                fputc(',', fp);
                pf_results_csv_variant(fp, r, v, pf_results_clustered(r));
                fprintf(fp, ",%zu", k);
                for (size_t m = 0; m < r->n_metric; m++)
                    pf_numtext_put(fp, ",", r->value[pf_results_at(r, m, v, p, k)]);
                fprintf(fp, ",%d\n", r->n_windows[p]);
            }
    return pf_outfile_commit(&f, err);
}

void pf_results_csv_summary_head(FILE *fp, int clustered)
{
    size_t n_fields;
    const pf_summary_field *field = pf_summary_fields(&n_fields);
    pf_results_csv_variant_head(fp, clustered);
    fputs(",achieved_sparsity,metric,higher_is_better,n", fp);
    for (size_t i = 0; i < n_fields; i++)
        if (field[i].in_csv) fprintf(fp, ",%s", field[i].name);
}

void pf_results_csv_summary_row(FILE *fp, const pf_results *r, size_t v, size_t m, int clustered)
{
    size_t n_fields;
    const pf_summary_field *field = pf_summary_fields(&n_fields);
    const pf_summary_full *s = pf_results_summary(r, m, v);
    pf_results_csv_variant(fp, r, v, clustered);
    pf_numtext_put(fp, ",", pf_results_achieved_sparsity(r, v));
    fputc(',', fp);
    pf_csvout_field(fp, r->metrics->slot[m].name);
    fprintf(fp, ",%d,%zu", r->metrics->slot[m].metric->higher_is_better ? 1 : 0, s->s.n);
    for (size_t i = 0; i < n_fields; i++)
        if (field[i].in_csv)
            pf_numtext_put(fp, ",", *(const double *)((const char *)s + field[i].off));
}

/* One row per (variant, metric). worst, tail and best follow the metric's direction
 * (higher_is_better, repeated on every row so a filtered table still says which way is good). */
static int write_summary(const pf_results *r, const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "summary.csv", err) != PF_OK) return err->code;
    pf_results_csv_summary_head(f.fp, pf_results_clustered(r));
    fputc('\n', f.fp);
    for (size_t v = 0; v < r->n_var; v++)
        for (size_t m = 0; m < r->n_metric; m++) {
            pf_results_csv_summary_row(f.fp, r, v, m, pf_results_clustered(r));
            fputc('\n', f.fp);
        }
    return pf_outfile_commit(&f, err);
}

/* One row per participant: who they are, how much data, which fold tested them (empty when
 * the results do not know), and every attribute (data.attribute_columns) for group analysis. */
static int write_participants(const pf_results *r, const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "participants.csv", err) != PF_OK) return err->code;
    FILE *fp = f.fp;
    fputs("participant,n_windows,fold", fp);
    for (size_t a = 0; a < r->n_attributes; a++) {
        fputc(',', fp);
        pf_csvout_field(fp, r->attribute_names[a]);
    }
    fputc('\n', fp);
    for (size_t p = 0; p < r->n_part; p++) {
        pf_csvout_field(fp, r->participant_ids[p]);
        fprintf(fp, ",%d,", r->n_windows[p]);
        if (r->fold_of && r->fold_of[p] >= 0) fprintf(fp, "%d", r->fold_of[p]);
        for (size_t a = 0; a < r->n_attributes; a++) {
            fputc(',', fp);
            pf_csvout_field(fp, r->attribute_values[p * r->n_attributes + a]);
        }
        fputc('\n', fp);
    }
    return pf_outfile_commit(&f, err);
}

/* What each variant costs on a device: one row per variant. Sizes are means over the tasks
 * (masks differ a little between folds); latency was measured once (fold 0), with the kernel
 * named in the row. */
static int write_cost(const pf_results *r, const char *dir, pf_error *err)
{
    pf_outfile f;
    if (pf_outfile_open(&f, dir, "cost.csv", err) != PF_OK) return err->code;
    FILE *fp = f.fp;
    pf_results_csv_variant_head(fp, pf_results_clustered(r));
    fputs(",achieved_sparsity,kept_params,stored_bytes,macs,ns_per_window,kernel\n", fp);
    for (size_t v = 0; v < r->n_var; v++) {
        const pf_variant *x = &r->variant[v];
        double kept = 0, macs = 0;
        size_t n = 0;
        for (size_t fo = 0; fo < r->n_folds; fo++)
            for (size_t k = 0; k < r->n_rep; k++, n++) {
                const pf_task_record *rec = pf_results_record(r, fo, k, v);
                kept += (double)rec->kept_params, macs += (double)rec->macs;
            }
        pf_results_csv_variant(fp, r, v, pf_results_clustered(r));
        const double nums[] = {pf_results_achieved_sparsity(r, v), n ? kept / (double)n : NAN,
                               pf_results_stored_bytes(r, v), n ? macs / (double)n : NAN,
                               r->ns_per_window[v]};
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) pf_numtext_put(fp, ",", nums[i]);
        fprintf(fp, ",%s\n",
                x->bits < 32    ? "int8"
                : v == PF_DENSE ? "float32 dense"
                                : "float32 csr");
    }
    return pf_outfile_commit(&f, err);
}

int pf_results_csv_write(const pf_results *r, const char *dir, pf_error *err)
{
    if (r->summary == NULL)
        return pf_error_set(err, PF_ERUNTIME,
                            "results have no summary: call pf_results_summarise before writing "
                            "the CSV files");
    if (write_per_participant(r, dir, err) == PF_OK && write_summary(r, dir, err) == PF_OK &&
        write_participants(r, dir, err) == PF_OK)
        write_cost(r, dir, err);
    return err->code;
}
