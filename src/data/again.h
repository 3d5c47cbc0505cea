/* again.h: the AGAIN corpus's conventions, on top of the generic table (table.h).
 *
 * AGAIN comes in two layouts, and one loader reads both:
 *   - the official clean_data.csv: one row per 250 ms tick, all nine games in one file
 *     (data.layout = ticks, or auto and a "[control]game" column);
 *   - already-windowed per-game exports such as heist_3000ms.csv (data.layout = windows).
 *
 * Column rules: "[control]", "[string]" and "[output]" columns are metadata and never
 * features, nor is "Cluster" (a clustering of players the publishers of the per-game files
 * added: a grouping, not telemetry). Unless the config names them, the time column is
 * "[control]time_index" for ticks and "Time_Index" for windows (when the file has it), and the
 * session column of ticks is "[control]session_id".
 *
 * The tick layout keeps the rows of data.game / data.genre (matched ignoring case and
 * punctuation: "heist" selects "Heist!"), and cuts each (participant, session), in time order,
 * into windows of data.window_ms / data.tick_ms labelled ticks, averaging features (over the
 * ticks that have them) and arousal. A trailing partial window is kept when it holds at least
 * half the ticks: a session that ends 2 s into a 3 s window still says something about those
 * 2 s, while a stub of one or two ticks would be a noisy window weighted like a full one.
 * Columns empty for the selection (another game's telemetry) are excluded by the table's
 * typing, not imputed.
 * The windows are made while the file is read when each session's ticks come in time order
 * (memory: the windows, and fewer than a window's ticks per session); otherwise the file is
 * read again holding every tick. Same windows, same numbers either way.
 * Definitions and the exact rules: docs/data.md#again-files. */
#ifndef PF_AGAIN_H
#define PF_AGAIN_H

#include "base/error.h"
#include "config/config.h"
#include "data/dataset.h"

/* Load cfg->data_path as an AGAIN file. NULL with err filled (PF_EINPUT for the data or the
 * config, PF_ERUNTIME for I/O). */
pf_dataset *pf_again_load(const pf_config *cfg, pf_error *err);

#endif
