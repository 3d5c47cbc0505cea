/* again.c: AGAIN's column rules, game filter and tick windows (see again.h). */
#include "data/again.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/table.h"

#define GAMES_SHOWN 400 /* bytes of game names quoted when a selection matches nothing */

typedef struct {
    const pf_config *cfg;
    int ticks;            /* 250 ms tick layout, aggregated into windows */
    long c_game, c_genre; /* -1 = absent */
    pf_intern games, genres;
} again_rules;

/* Game and genre names match ignoring case and punctuation: "heist" selects "Heist!". */
static int same_label(const char *a, const char *b)
{
    for (;;) {
        while (*a && !isalnum((unsigned char)*a)) a++;
        while (*b && !isalnum((unsigned char)*b)) b++;
        if (!*a || !*b) return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++)) return 0;
    }
}

static const char *metadata_reason(const char *name)
{
    if (strncmp(name, "[control]", 9) == 0) return "excluded: AGAIN metadata ([control] column)";
    if (strncmp(name, "[string]", 8) == 0) return "excluded: AGAIN text ([string] column)";
    if (strncmp(name, "[output]", 8) == 0) return "excluded: AGAIN label ([output] column)";
    if (strcmp(name, "Cluster") == 0)
        return "excluded: AGAIN's clustering of players, a grouping (data.group_column = "
               "Cluster uses it as one)";
    return NULL;
}

/* A default role column of AGAIN's, used when the config names none and the file has it. */
static int default_role(pf_table *t, long *col, const char *name, pf_role role, const char *why)
{
    long c = pf_table_column(t, name);
    if (*col >= 0 || c < 0 || t->role[c] != PF_ROLE_FEATURE) return PF_OK;
    *col = c;
    if (pf_table_exclude(t, (size_t)c, why) != PF_OK) return t->err->code;
    t->role[c] = role;
    return PF_OK;
}

static int on_header(void *self, pf_table *t, pf_error *err)
{
    again_rules *a = self;
    const pf_config *cfg = a->cfg;
    a->c_game = pf_table_column(t, "[control]game");
    a->c_genre = pf_table_column(t, "[control]genre");
    a->ticks = cfg->layout == PF_LAYOUT_AUTO ? a->c_game >= 0 : cfg->layout == PF_LAYOUT_TICKS;
    t->selecting = a->ticks;
    /* A game filter on a file that has no games would silently select everything. */
    if (!a->ticks && (cfg->game[0] || cfg->genre[0]))
        return pf_error_set(err, PF_EINPUT,
                            "data.%s = %s filters the official AGAIN tick file, but '%s' is "
                            "already windowed (no [control]game column): remove the key, or set "
                            "data.layout = ticks if the file is a tick file",
                            cfg->game[0] ? "game" : "genre", cfg->game[0] ? cfg->game : cfg->genre,
                            t->path);
    if (a->ticks && ((cfg->game[0] && a->c_game < 0) || (cfg->genre[0] && a->c_genre < 0)))
        return pf_error_set(err, PF_EINPUT,
                            "data file '%s' has no [control]%s column to select data.%s = %s; "
                            "leave the key empty to keep every row",
                            t->path, cfg->game[0] ? "game" : "genre",
                            cfg->game[0] ? "game" : "genre", cfg->game[0] ? cfg->game : cfg->genre);
    /* A window's target is the mean of its ticks' targets: a class label has no mean. */
    if (a->ticks && t->labels)
        return pf_error_set(err, PF_EINPUT,
                            "tick windows average the target over %d ms, and class labels cannot "
                            "be averaged: classify windows by data.target_transform = "
                            "above_median (or above_mean) of the averaged target",
                            cfg->window_ms);
    if (a->ticks
            ? default_role(t, &t->c_time, "[control]time_index", PF_ROLE_TIME,
                           "time (AGAIN's [control]time_index)") ||
                  default_role(t, &t->c_session, "[control]session_id", PF_ROLE_SESSION,
                               "session (AGAIN's [control]session_id)")
            : default_role(t, &t->c_time, "Time_Index", PF_ROLE_TIME, "time (AGAIN's Time_Index)"))
        return err->code;
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *why = metadata_reason(t->name[c]);
        if (why && t->role[c] == PF_ROLE_FEATURE && pf_table_exclude(t, c, why) != PF_OK)
            return err->code;
    }
    return PF_OK;
}

/* Is this tick in the selected game and genre? Every game seen is remembered so that a
 * selection matching nothing can list what the file holds. */
static int keep_row(void *self, pf_table *t, char **field, size_t line, int *keep, pf_error *err)
{
    (void)t, (void)line;
    again_rules *a = self;
    size_t ignored;
    *keep = 1;
    if (a->c_game >= 0) {
        if (pf_intern_add(&a->games, field[a->c_game], &ignored, NULL, err) != PF_OK)
            return err->code;
        if (a->cfg->game[0] && !same_label(a->cfg->game, field[a->c_game])) *keep = 0;
    }
    if (a->c_genre >= 0) {
        if (pf_intern_add(&a->genres, field[a->c_genre], &ignored, NULL, err) != PF_OK)
            return err->code;
        if (a->cfg->genre[0] && !same_label(a->cfg->genre, field[a->c_genre])) *keep = 0;
    }
    return PF_OK;
}

static void list_names(char *out, size_t size, char *const *names, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 4 < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s'%s'", i ? ", " : "", names[i]);
}

static int nothing_selected(const again_rules *a, const pf_table *t, pf_error *err)
{
    char games[GAMES_SHOWN], genres[GAMES_SHOWN];
    list_names(games, sizeof games, a->games.name, a->games.n);
    list_names(genres, sizeof genres, a->genres.name, a->genres.n);
    return pf_error_set(err, PF_EINPUT,
                        "no row of '%s' matches data.game = '%s' and data.genre = '%s' (games in "
                        "the file: %s; genres: %s)",
                        t->path, a->cfg->game, a->cfg->genre, games, genres);
}

/* ---- tick layout: from 250 ms ticks to windows -------------------------------------------- */

/* One window: mean of each feature over the ticks that have it (NAN if none), mean target. */
static void average_window(const pf_rows *ticks, const pf_row_key *k, size_t n, pf_rows *w)
{
    size_t i = w->n++, f = ticks->n_feat;
    double *x = w->x + i * f;
    for (size_t j = 0; j < f; j++) {
        double sum = 0;
        size_t count = 0;
        for (size_t s = 0; s < n; s++) {
            double v = ticks->x[k[s].idx * f + j];
            if (!isnan(v)) sum += v, count++;
        }
        x[j] = count ? sum / (double)count : NAN;
    }
    for (size_t t = 0, T = ticks->n_y; t < T; t++) {
        double sum_y = 0;
        for (size_t s = 0; s < n; s++) sum_y += ticks->y[k[s].idx * T + t];
        w->y[i * T + t] = sum_y / (double)n;
    }
    size_t first = k[0].idx;
    w->line[i] = ticks->line[first];
    w->rec[i] = ticks->rec[first];
    w->pid[i] = ticks->pid[first];
    w->sid[i] = ticks->sid[first];
    w->gid[i] = ticks->gid[first];
}

/* Cut the ordered ticks into windows of `per` ticks and return how many there are; with
 * w == NULL only count them. Ticks without arousal were already dropped, so a window spans
 * the next `per` ticks that have a label. */
static size_t cut_windows(const pf_rows *ticks, const pf_row_key *k, size_t per, pf_rows *w)
{
    size_t n_windows = 0;
    for (size_t a = 0, b; a < ticks->n; a = b) {
        for (b = a; b < ticks->n && k[b].pid == k[a].pid && k[b].sid == k[a].sid;) b++;
        for (size_t s = a, index = 0; s < b; s += per, index++) {
            size_t n = b - s < per ? b - s : per;
            if (2 * n < per) break;
            if (w) {
                w->t[w->n] = (double)index;
                average_window(ticks, k + s, n, w);
            }
            n_windows++;
        }
    }
    return n_windows;
}

static int aggregate_ticks(pf_table *t, pf_error *err)
{
    const pf_config *cfg = t->cfg;
    size_t per = (size_t)(cfg->window_ms / cfg->tick_ms);
    pf_row_key *k = pf_rows_order(&t->rows, err);
    if (k == NULL) return err->code;
    pf_rows w = {.n_feat = t->n_feat, .n_y = t->rows.n_y};
    size_t n_windows = cut_windows(&t->rows, k, per, NULL);
    int status = n_windows > 0 ? pf_rows_reserve(&w, n_windows, err) : PF_EINPUT;
    if (n_windows == 0)
        pf_error_set(err, PF_EINPUT,
                     "no session in '%s' has the %zu ticks of one window (data.window_ms = %d, "
                     "data.tick_ms = %d; a last window needs half of them)",
                     t->path, per, cfg->window_ms, cfg->tick_ms);
    if (status == PF_OK) {
        cut_windows(&t->rows, k, per, &w);
        pf_rows_free(&t->rows);
        t->rows = w;
    } else {
        pf_rows_free(&w);
    }
    free(k);
    return status;
}

/* The description up to the file's name, which pf_dataset_describe adds, cut to *name_cap. */
static void describe(const again_rules *a, char *out, size_t cap, size_t *name_cap)
{
    const pf_config *cfg = a->cfg;
    char what[200];
    if (!a->ticks) {
        snprintf(out, cap, "AGAIN windows: ");
        *name_cap = 200;
        return;
    }
    if (cfg->game[0] && cfg->genre[0])
        snprintf(what, sizeof what, "game=%s, genre=%s", cfg->game, cfg->genre);
    else if (cfg->game[0] || cfg->genre[0])
        snprintf(what, sizeof what, "%s=%s", cfg->game[0] ? "game" : "genre",
                 cfg->game[0] ? cfg->game : cfg->genre);
    else
        snprintf(what, sizeof what, "all games");
    snprintf(out, cap, "AGAIN ticks (%.100s, %d ms windows): ", what, cfg->window_ms);
    *name_cap = 100;
}

pf_dataset *pf_again_load(const pf_config *cfg, pf_error *err)
{
    if (cfg->tick_ms <= 0 || cfg->window_ms < cfg->tick_ms || cfg->window_ms % cfg->tick_ms) {
        pf_error_set(err, PF_EINPUT,
                     "data.window_ms (%d) must be a positive multiple of data.tick_ms (%d)",
                     cfg->window_ms, cfg->tick_ms);
        return NULL;
    }
    again_rules a = {.cfg = cfg, .c_game = -1, .c_genre = -1};
    pf_table_rules rules = {on_header, keep_row, &a};
    pf_table *t = pf_table_read(cfg, &rules, err);
    pf_dataset *ds = NULL;
    char what[256];
    size_t name_cap;
    if (t && t->rows.n == 0)
        nothing_selected(&a, t, err);
    else if (t && (!a.ticks || aggregate_ticks(t, err) == PF_OK)) {
        describe(&a, what, sizeof what, &name_cap);
        ds = pf_table_to_dataset(t, what, name_cap, err);
    }
    pf_table_free(t);
    pf_intern_free(&a.games);
    pf_intern_free(&a.genres);
    return ds;
}
