#!/bin/sh
# test_cache.sh: the parsed-data cache (src/data/cache.h) as a user meets it. A whole run on the
# real Heist data with a cold cache, a warm one and none gives the same bytes in every CSV and
# table and the same numbers in results.h5; the warm run reads the entry, it does not write it;
# warnings come out the same; off writes nothing; a folder that cannot be written says so once
# and changes nothing else; runs starting at once on a cold cache share one entry; a damaged
# entry is rewritten; a copy of the file under another name hits, with its own name. And the
# rule the key relies on: loading reads no key of the config outside [data].
set -eu
. "$(dirname "$0")/cli_lib.sh"
HEIST=$AGAIN_DATA_DIR/heist_3000ms.csv
if [ ! -r "$HEIST" ]; then
    fail "real data file $HEIST not found (set AGAIN_DATA_DIR to its folder)"
    finish
fi
CONFIG=$PF_SRCDIR/configs/heist.ini

# heist ARGS...: run_experiment on configs/heist.ini, made small (2 folds, 1 epoch, 2 criteria)
# so a run takes a fraction of a second; the data and the loading are the study's own.
heist() {
    "$RUN" --no-progress --set "data.path=$HEIST" --set train.max_epochs=1 --set model.hidden=8 \
        --set prune.criteria=magnitude,vr --set prune.sparsities=0,0.5 --set compress.bits=32,8 \
        --set folds.scheme=group_kfold --set folds.k=2 --set stats.bootstrap=50 \
        --set output.figures=none "$@" "$CONFIG"
}
# run_heist NAME CACHE DIR: a whole run with PF_CACHE_DIR=CACHE into $WORK/DIR.
run_heist() {
    if PF_CACHE_DIR=$2 heist --out "$WORK/$3" >"$WORK/$3.out" 2>"$WORK/$3.err"; then pass "$1: exit 0"
    else fail "$1: failed" "$(head -c 600 "$WORK/$3.err")"; fi
}
# same NAME DIR_A DIR_B: every CSV and table the same bytes (cost.csv but its measured
# latency), and results.h5 the same but for what measures time and memory.
same() {
    diffs=""
    for f in $(cd "$WORK/$2" && find . -name '*.csv' -o -name '*.md' -o -name '*.tex' -o -name config.ini | sort); do
        case $f in
        ./cost.csv)
            cut -d, -f1-7,9- "$WORK/$2/$f" >"$WORK/a.cost" && cut -d, -f1-7,9- "$WORK/$3/$f" >"$WORK/b.cost"
            cmp -s "$WORK/a.cost" "$WORK/b.cost" || diffs="$diffs $f" ;;
        *) cmp -s "$WORK/$2/$f" "$WORK/$3/$f" || diffs="$diffs $f" ;;
        esac
    done
    n=$(cd "$WORK/$2" && find . -name '*.csv' -o -name '*.md' -o -name '*.tex' | wc -l)
    [ -z "$diffs" ] && [ "$n" -ge 12 ] && pass "$1: all $n CSVs and tables identical" \
        || fail "$1: differ:$diffs ($n files)"
    if command -v h5diff >/dev/null; then
        h5diff "$WORK/$2/results.h5" "$WORK/$3/results.h5" >"$WORK/h5diff.txt" 2>&1 || true
        other=$(sed -n 's/^attribute: <\([a-z_]*\) of <\/>>.*/\1/p; s/^dataset: <\([^>]*\)>.*/\1/p' "$WORK/h5diff.txt" |
            grep -v -x -e started -e finished -e wall_seconds -e peak_memory_kb -e /cost/ns_per_window -e /tasks || true)
        [ -z "$other" ] && pass "$1: results.h5 differs only in times and memory" \
            || fail "$1: results.h5 differs in" "$other"
    else
        fail "h5diff not installed (Debian package hdf5-tools)"
    fi
}
entries() { find "$1" -type f -name '*.entry' 2>/dev/null | wc -l; }
# said NAME: what run NAME wrote on stderr, its output folder as OUT.
said() { sed "s|$WORK/$1|OUT|g" "$WORK/$1.err"; }

# ---- cold, warm, none ----------------------------------------------------------------------
C=$WORK/cache
run_heist "cold cache" "$C" cold
[ "$(entries "$C")" -eq 1 ] && pass "the cold run wrote one entry" || fail "entries after the cold run: $(ls -la "$C")"
E=$(find "$C" -name '*.entry')
cp "$E" "$WORK/entry.good"
before=$(ls -i "$E")
run_heist "warm cache" "$C" warm
[ "$(ls -i "$E")" = "$before" ] && cmp -s "$E" "$WORK/entry.good" \
    && pass "the warm run read the entry and did not write it" || fail "the warm run rewrote the entry"
same "cold vs warm" cold warm
mkdir -p "$WORK/home"
HOME=$WORK/home XDG_CACHE_HOME=$WORK/xdg run_heist "no cache (PF_CACHE_DIR=off)" off off
same "cold vs off" cold off
[ -z "$(ls -A "$WORK/home")" ] && [ ! -e "$WORK/xdg" ] && pass "off writes nothing" \
    || fail "off wrote something" "$(find "$WORK/home" "$WORK/xdg" 2>/dev/null)"
said cold >"$WORK/cold.said"
said warm | cmp -s - "$WORK/cold.said" && said off | cmp -s - "$WORK/cold.said" \
    && pass "the same messages on stderr with and without the cache" || fail "stderr differs" "$(said warm | diff - "$WORK/cold.said")"

# ---- a damaged entry, a copy, a folder that cannot be written -------------------------------
head -c 5000 "$WORK/entry.good" >"$E"
run_heist "an entry cut short" "$C" cut
same "cold vs after a cut entry" cold cut
cmp -s "$E" "$WORK/entry.good" && pass "the cut entry was written anew, whole" || fail "the cut entry was not rewritten"
printf '\001' | dd of="$E" bs=1 seek=70000 conv=notrunc 2>/dev/null
run_heist "an entry with a byte changed" "$C" flip
same "cold vs after a changed entry" cold flip
cmp -s "$E" "$WORK/entry.good" && pass "the changed entry was written anew" || fail "the changed entry was not rewritten"

cp "$HEIST" "$WORK/my copy.csv"
PF_CACHE_DIR=$C run_case "--dry-run on a copy" 0 --dry-run --set "data.path=$WORK/my copy.csv" "$CONFIG"
cp "$OUT" "$WORK/copy.cached"
[ "$(entries "$C")" -eq 1 ] && pass "the copy hit the same entry" || fail "the copy made another entry"
PF_CACHE_DIR=off run_case "--dry-run on a copy, no cache" 0 --dry-run --set "data.path=$WORK/my copy.csv" "$CONFIG"
cmp -s "$OUT" "$WORK/copy.cached" && pass "the copy's plan is the same with and without the cache" \
    || fail "the copy's plan differs" "$(diff "$OUT" "$WORK/copy.cached")"
expect_in "$WORK/copy.cached" "data: AGAIN windows: my copy.csv" "data-file: $WORK/my copy.csv"

: >"$WORK/a-file"
run_heist "a cache folder that cannot be written" "$WORK/a-file/cache" unwritable
same "cold vs unwritable" cold unwritable
n=$(grep -c 'parsed-data cache is off' "$WORK/unwritable.err" || true)
[ "$n" -eq 1 ] && pass "one notice says the cache is off" || fail "$n notices" "$(cat "$WORK/unwritable.err")"
expect_in "$WORK/unwritable.err" "cannot write in '$WORK/a-file/cache' (Not a directory)" "set PF_CACHE_DIR"
said unwritable | grep -v 'parsed-data cache is off' >"$WORK/unwritable.rest" || true
cmp -s "$WORK/unwritable.rest" "$WORK/cold.said" && pass "no other message" || fail "other messages" "$(cat "$WORK/unwritable.rest")"

# ---- where it goes by default ----------------------------------------------------------------
(unset PF_CACHE_DIR && XDG_CACHE_HOME=$WORK/xdg2 heist --dry-run >/dev/null 2>&1)
[ "$(entries "$WORK/xdg2/prunefair")" -eq 1 ] && pass "no PF_CACHE_DIR: \$XDG_CACHE_HOME/prunefair" || fail "not in \$XDG_CACHE_HOME/prunefair"
(unset PF_CACHE_DIR XDG_CACHE_HOME && HOME=$WORK/home2 heist --dry-run >/dev/null 2>&1)
[ "$(entries "$WORK/home2/.cache/prunefair")" -eq 1 ] && pass "nor XDG_CACHE_HOME: \$HOME/.cache/prunefair" || fail "not in \$HOME/.cache/prunefair"

# ---- warnings, on a hit as on a miss -----------------------------------------------------------
{
    echo "pid,flat,f,y"
    for p in 1 2 3; do for i in 1 2 3 4 5 6; do echo "p$p,7,$i.$p,$((i % 3))"; done; done
} >"$WORK/warn.csv"
printf '[data]\nsource = csv\npath = %s\nparticipant_column = pid\ntarget_column = y\n[output]\nfigures = none\n' \
    "$WORK/warn.csv" >"$WORK/warn.ini"
for k in cold warm; do
    PF_CACHE_DIR=$WORK/wcache "$RUN" --dry-run "$WORK/warn.ini" >"$WORK/w$k.out" 2>"$WORK/w$k.err" || true
done
PF_CACHE_DIR=off "$RUN" --dry-run "$WORK/warn.ini" >"$WORK/woff.out" 2>"$WORK/woff.err" || true
expect_in "$WORK/wcold.err" "warning: feature 'flat' has the same value (7)" "holds only 3 distinct whole numbers"
[ "$(entries "$WORK/wcache")" -eq 1 ] && cmp -s "$WORK/wcold.err" "$WORK/wwarm.err" && cmp -s "$WORK/wcold.err" "$WORK/woff.err" \
    && cmp -s "$WORK/wcold.out" "$WORK/wwarm.out" && pass "the same warnings and plan from a hit" \
    || fail "warnings or plan differ on a hit" "$(diff "$WORK/wcold.err" "$WORK/wwarm.err")"

# ---- runs starting at once on a cold cache ---------------------------------------------------
R=$WORK/race
for i in 1 2 3 4; do PF_CACHE_DIR=$R heist --dry-run >"$WORK/race$i.out" 2>&1 & done
wait
ok=1
for i in 2 3 4; do cmp -s "$WORK/race1.out" "$WORK/race$i.out" || ok=0; done
[ "$ok" -eq 1 ] && grep -q '^data: AGAIN windows' "$WORK/race1.out" && pass "4 runs at once: the same plan" || fail "4 runs at once differ"
[ "$(entries "$R")" -eq 1 ] && [ "$(ls -A "$R" | wc -l)" -eq 1 ] \
    && pass "4 runs at once: one entry, no temporary file left" || fail "left in the cache: $(ls -A "$R")"

# ---- the key: loading reads only [data] --------------------------------------------------------
# The fields of pf_config that [data] keys fill (the rows of config.c's key table), and every
# field the loaders read (all of src/data/ but the generator): besides those, only what load.c
# writes after loading (the data's hash and the run's).
SRC=$PF_SRCDIR/src
fields=$(sed -n 's/^ *[A-Z]*("data", "[a-z_]*", \([a-z_0-9]*\),.*/\1/p' "$SRC/config/config.c" | sort -u)
[ "$(echo "$fields" | wc -l)" -ge 20 ] && pass "[data] has $(echo "$fields" | wc -l) keys" || fail "[data] keys not found in config.c"
stray=""
for f in "$SRC"/data/*.c; do
    [ "$(basename "$f")" = synthetic.c ] && continue
    for used in $(grep -o 'cfg->[a-z_0-9]*' "$f" | sed 's/cfg->//' | sort -u); do
        echo "$fields data_sha256 hash" | tr ' ' '\n' | grep -q -x -e "$used" || stray="$stray $(basename "$f"):$used"
    done
done
[ -z "$stray" ] && pass "the loaders read no config key outside [data] (the cache's key holds them all)" \
    || fail "loaders read keys outside [data], which the cache's key (src/data/cache.c) must then hold:$stray"

finish
