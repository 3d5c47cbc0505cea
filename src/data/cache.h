/* cache.h: the parsed-data cache: a data file is parsed once, and later loads of the same
 * bytes with the same data settings read the finished dataset back.
 *
 * Loading a file (data.source = again or csv) reads the CSV, types every column, windows AGAIN
 * ticks and finishes the targets; sweeps and the shards of a study do that again and again on
 * the same file. pf_load_dataset (load.h) asks this cache first and keeps what it loaded.
 *
 * An entry is one file in the cache folder, named after its key: the SHA-256 of
 *   - the entry format ("prunefair-cache/1") and the host's byte order and type sizes,
 *   - the code that makes a dataset: the SHA-256 of the sources of the layers base, config
 *     and data (PF_LOADER_DIGEST, computed by make), and the compiler and its flags,
 *   - the data file's SHA-256 (its bytes, whatever its path: a copy shares the entry),
 *   - every key of [data] in the canonical dump (config.h) but data.path. Loading reads no
 *     key of another section; tests/test_cache.sh fails when a loader starts to.
 * The entry holds the finished dataset, warnings included, but not what depends on the path
 * the file was read from: ds->path is that path made absolute, and the description names
 * its file (pf_dataset_describe), both made again on every read, so that a hit is identical,
 * field by field, to a fresh load from that path.
 *
 * An entry is written under a unique temporary name in the cache folder and renamed into
 * place, so shards writing the same entry at once each publish a whole one. It starts with a
 * text header ("prunefair-cache/1", its key, and the SHA-256 and length of the bytes after
 * the header); an entry cut short, damaged, of another format or whose key is not the one
 * looked up is ignored, and the load parses the file and writes the entry anew. The cache
 * never makes a load fail, and never changes a number: results are the same with it, without
 * it and whatever it holds.
 *
 * The folder: $PF_CACHE_DIR; else $XDG_CACHE_HOME/prunefair; else $HOME/.cache/prunefair.
 * PF_CACHE_DIR=off turns the cache off. A folder that cannot be written turns the writing
 * off, with one notice on stderr. Deleting the folder clears it.
 * Definitions and the exact rules: docs/data.md#the-parsed-data-cache. */
#ifndef PF_CACHE_H
#define PF_CACHE_H

#include <stddef.h>

#include "config/config.h"
#include "data/dataset.h"

#define PF_CACHE_FORMAT "prunefair-cache/1" /* the first line of every entry */

/* The cache folder into out (cap bytes): 1, or 0 when the cache is off (PF_CACHE_DIR=off, or
 * no PF_CACHE_DIR, XDG_CACHE_HOME nor HOME to put it in). */
int pf_cache_dir(char *out, size_t cap);

/* The entry of cfg's data file, whose bytes have the SHA-256 sha256 (64 hex digits): its
 * path into out (cap bytes). 1, or 0 when the cache is off. */
int pf_cache_entry(const pf_config *cfg, const char *sha256, char *out, size_t cap);

/* The finished dataset of cfg's data file from its entry, with the path and description of
 * cfg->data_path; NULL when there is none to use: synthetic data, the cache off, no entry, or
 * one that is cut short, damaged, of another format or key. Never an error. */
pf_dataset *pf_cache_load(const pf_config *cfg);

/* Keep ds, just loaded for cfg and finished, as its entry (nothing for synthetic data or with
 * the cache off). Never an error: a folder that cannot be written is said once on stderr. */
void pf_cache_store(const pf_config *cfg, const pf_dataset *ds);

#endif
