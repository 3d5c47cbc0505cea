/* results_h5.h: results.h5, the one file that holds a run with its provenance.
 *
 * Schema PF_RESULTS_H5_SCHEMA (docs/results-schema.md): the study model of results.h as it
 * is in memory (variants, metric names, value[metric][variant][participant][repeat], the
 * summary of every (metric, variant), task records, cost, folds and fitted transforms,
 * optional models) plus the config text, its hash, the data file's SHA-256 and the build.
 * The file is sealed (h5seal.h), readable with h5dump and h5py; pf_results_h5_read reads it
 * back for --report. */
#ifndef PF_RESULTS_H5_H
#define PF_RESULTS_H5_H

/* The root attribute schema of every results.h5 this version writes, and the only one it
 * reads. */
#define PF_RESULTS_H5_SCHEMA "prunefair-results/5"

#include <hdf5.h>

#include "base/error.h"
#include "config/config.h"
#include "results/results.h"

/* Everything in r, with provenance from cfg, into an open HDF5 file. */
int pf_results_h5_write(const pf_results *r, const pf_config *cfg, hid_t file, pf_error *err);

/* Read a results.h5 back: the results (summarised) and the config it was run with. A file of
 * another schema version is PF_EINPUT with a message that says which. */
pf_results *pf_results_h5_read(const char *path, pf_config *cfg, pf_error *err);

/* Just the config hash of a results.h5 (malloc'd), or NULL with err set: whether a folder
 * holds this run. */
char *pf_results_h5_read_hash(const char *path, pf_error *err);

#endif
