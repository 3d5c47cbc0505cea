/* again.c: AGAIN's column rules, game filter and tick windows (see again.h). */
#include "data/again.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/table.h"

#define GAMES_SHOWN 400 /* bytes of game names quoted when a selection matches nothing */

/* A session of the tick layout while its ticks stream in. */
typedef struct {
    size_t pid, sid;
    double last_t;    /* time of its latest tick */
    size_t n_windows; /* windows made of it so far */
    size_t pending;   /* its ticks waiting in the table's rows */
} tick_session;

typedef struct {
    const pf_config *cfg;
    int ticks;            /* 250 ms tick layout, aggregated into windows */
    long c_game, c_genre; /* -1 = absent */
    pf_intern games, genres;
    /* Streaming the tick layout (see stream_ticks): */
    int stream;   /* aggregate while reading */
    int disorder; /* a session's ticks came out of time order: read again, holding them */
    pf_rows windows;
    tick_session *session;
    size_t n_sessions, cap_sessions;
    size_t *slot; /* 1 + session index by (pid, sid), open addressing; n_slots a power of 2 */
    size_t n_slots;
    size_t n_old; /* rows at the front of the table's already checked (waiting ticks) */
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

/* ---- tick layout, streamed: windows made as the ticks are read --------------------------------
 *
 * A session's windows are its ticks in time order, cut every `per` ticks. When each session's
 * ticks come in time order (sessions may interleave), a window is complete as soon as its
 * `per` ticks have been read: it is made then, and its ticks are dropped from the table's rows,
 * so what is held is the windows and fewer than `per` ticks per session. The means are summed
 * in the same order as cut_windows sums them, so the numbers are the same bit for bit. A tick
 * earlier than its session's latest one sets disorder: pf_again_load then reads the file again
 * holding every tick (aggregate_ticks). */

static size_t session_hash(size_t pid, size_t sid)
{
    return (size_t)((pid * 0x9E3779B97F4A7C15ULL) ^ (sid * 0xC2B2AE3D27D4EB4FULL)) >> 7;
}

/* The index of session (pid, sid), added if new; SIZE_MAX when out of memory. */
static size_t session_of(again_rules *a, size_t pid, size_t sid)
{
    if (2 * (a->n_sessions + 1) > a->n_slots) {
        size_t n = a->n_slots ? 2 * a->n_slots : 256;
        size_t *slot = calloc(n, sizeof *slot);
        if (slot == NULL) return SIZE_MAX;
        for (size_t i = 0; i < a->n_sessions; i++) {
            size_t h = session_hash(a->session[i].pid, a->session[i].sid) & (n - 1);
            while (slot[h]) h = (h + 1) & (n - 1);
            slot[h] = i + 1;
        }
        free(a->slot);
        a->slot = slot;
        a->n_slots = n;
    }
    size_t mask = a->n_slots - 1, h = session_hash(pid, sid) & mask;
    for (; a->slot[h]; h = (h + 1) & mask) {
        tick_session *s = &a->session[a->slot[h] - 1];
        if (s->pid == pid && s->sid == sid) return a->slot[h] - 1;
    }
    if (a->n_sessions == a->cap_sessions) {
        size_t cap = a->cap_sessions ? 2 * a->cap_sessions : 64;
        tick_session *more = realloc(a->session, cap * sizeof *more);
        if (more == NULL) return SIZE_MAX;
        a->session = more;
        a->cap_sessions = cap;
    }
    a->session[a->n_sessions] = (tick_session){pid, sid, -HUGE_VAL, 0, 0};
    a->slot[h] = ++a->n_sessions;
    return a->n_sessions - 1;
}

/* Make the windows the pending ticks complete (last: every session's last window too, if it
 * has half of its ticks), then keep only the ticks still waiting, in file order. */
static int stream_ticks(void *self, pf_table *t, int last, pf_error *err)
{
    again_rules *a = self;
    if (!a->ticks || !a->stream) return PF_OK;
    pf_rows *r = &t->rows;
    size_t per = (size_t)(a->cfg->window_ms / a->cfg->tick_ms), n = r->n;
    if (a->windows.cap == 0) a->windows.n_feat = r->n_feat, a->windows.n_y = r->n_y;
    size_t *of = malloc((n ? n : 1) * sizeof *of), *order = malloc((n ? n : 1) * sizeof *order);
    size_t *start = NULL;
    pf_row_key *k = malloc(per * sizeof *k);
    int status = of && order && k ? PF_OK : PF_ERUNTIME;
    for (size_t s = 0; s < a->n_sessions; s++) a->session[s].pending = 0;
    for (size_t i = 0; status == PF_OK && i < n; i++) {
        size_t s = session_of(a, r->pid[i], r->sid[i]);
        if (s == SIZE_MAX) {
            status = PF_ERUNTIME;
            break;
        }
        tick_session *ss = &a->session[s];
        if (i >= a->n_old && r->t[i] < ss->last_t) { /* out of time order: no window is final */
            a->disorder = 1;
            status = PF_EINPUT; /* stops the reading; pf_again_load reads again */
            break;
        }
        if (i >= a->n_old) ss->last_t = r->t[i];
        of[i] = s;
        ss->pending++;
    }
    /* The ticks grouped by session, each group in file order (a counting sort). */
    if (status == PF_OK && (start = calloc(a->n_sessions + 1, sizeof *start)) == NULL)
        status = PF_ERUNTIME;
    if (status == PF_OK) {
        for (size_t s = 0; s < a->n_sessions; s++) start[s + 1] = start[s] + a->session[s].pending;
        for (size_t i = 0; i < n; i++) order[start[of[i]]++] = i;
        for (size_t s = a->n_sessions; s > 0; s--) start[s] = start[s - 1];
        start[0] = 0;
    }
    size_t made = 0;
    for (size_t s = 0; status == PF_OK && s < a->n_sessions; s++) {
        tick_session *ss = &a->session[s];
        size_t from = start[s], left = ss->pending;
        while (status == PF_OK && (left >= per || (last && left > 0 && 2 * left >= per))) {
            size_t m = left < per ? left : per;
            if ((status = pf_rows_reserve(&a->windows, a->windows.n + 1, err)) != PF_OK) break;
            for (size_t j = 0; j < m; j++) k[j].idx = order[from + j];
            a->windows.t[a->windows.n] = (double)ss->n_windows++;
            average_window(r, k, m, &a->windows);
            for (size_t j = 0; j < m; j++) of[order[from + j]] = SIZE_MAX; /* consumed */
            from += m, left -= m, made += m;
        }
    }
    /* Keep the waiting ticks (all of them at the end are dropped: too few for a window). */
    if (status == PF_OK && made > 0 && !last) {
        size_t out = 0;
        for (size_t i = 0; i < n; i++) {
            if (of[i] == SIZE_MAX) continue;
            if (out != i) pf_rows_move(r, out, i);
            out++;
        }
        r->n = out;
    }
    a->n_old = r->n;
    if (status == PF_OK && last) { /* the windows become the table's rows */
        pf_rows_free(r);
        *r = a->windows;
        memset(&a->windows, 0, sizeof a->windows);
    }
    if (status == PF_ERUNTIME && err->code == PF_OK)
        pf_error_set(err, PF_ERUNTIME, "out of memory making tick windows");
    free(of);
    free(order);
    free(start);
    free(k);
    return status;
}

/* The error of a tick file in which no session fills half a window. */
static int no_window(const pf_table *t, pf_error *err)
{
    return pf_error_set(err, PF_EINPUT,
                        "no session in '%s' has the %d ticks of one window (data.window_ms = %d, "
                        "data.tick_ms = %d; a last window needs half of them)",
                        t->path, t->cfg->window_ms / t->cfg->tick_ms, t->cfg->window_ms,
                        t->cfg->tick_ms);
}

static int aggregate_ticks(pf_table *t, pf_error *err)
{
    const pf_config *cfg = t->cfg;
    size_t per = (size_t)(cfg->window_ms / cfg->tick_ms);
    pf_row_key *k = pf_rows_order(&t->rows, err);
    if (k == NULL) return err->code;
    pf_rows w = {.n_feat = t->n_feat, .n_y = t->rows.n_y};
    size_t n_windows = cut_windows(&t->rows, k, per, NULL);
    int status = n_windows > 0 ? pf_rows_reserve(&w, n_windows, err) : no_window(t, err);
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

static void free_stream(again_rules *a)
{
    pf_rows_free(&a->windows);
    free(a->session);
    free(a->slot);
    pf_intern_free(&a->games);
    pf_intern_free(&a->genres);
}

/* The streamed windows: as aggregate_ticks, an error when no session fills half a window. */
static int streamed_windows(const pf_table *t, pf_error *err)
{
    return t->rows.n > 0 ? PF_OK : no_window(t, err);
}

pf_dataset *pf_again_load(const pf_config *cfg, pf_error *err)
{
    if (cfg->tick_ms <= 0 || cfg->window_ms < cfg->tick_ms || cfg->window_ms % cfg->tick_ms) {
        pf_error_set(err, PF_EINPUT,
                     "data.window_ms (%d) must be a positive multiple of data.tick_ms (%d)",
                     cfg->window_ms, cfg->tick_ms);
        return NULL;
    }
    again_rules a = {.cfg = cfg, .c_game = -1, .c_genre = -1, .stream = 1};
    pf_table_rules rules = {on_header, keep_row, stream_ticks, &a};
    pf_table *t = pf_table_read(cfg, &rules, err);
    if (t == NULL && a.disorder) { /* ticks out of time order: hold them all, then window */
        free_stream(&a);
        a = (again_rules){.cfg = cfg, .c_game = -1, .c_genre = -1};
        pf_error_clear(err);
        t = pf_table_read(cfg, &rules, err);
    }
    pf_dataset *ds = NULL;
    char what[256];
    size_t name_cap;
    if (t && t->n_kept == 0)
        nothing_selected(&a, t, err);
    else if (t && (!a.ticks ||
                   (a.stream ? streamed_windows(t, err) : aggregate_ticks(t, err)) == PF_OK)) {
        describe(&a, what, sizeof what, &name_cap);
        ds = pf_table_to_dataset(t, what, name_cap, err);
    }
    pf_table_free(t);
    free_stream(&a);
    return ds;
}
