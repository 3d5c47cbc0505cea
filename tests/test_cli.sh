#!/bin/sh
# test_cli.sh: the program as a user meets it. Dry runs on the real Heist file and the
# synthetic data (the plan's numbers are asserted), --set/--help/--version, and every kind of
# bad input: each must exit 2 with a message that says what is wrong and where, and leave no
# results behind.
set -eu
. "$(dirname "$0")/cli_lib.sh"
HEIST="$AGAIN_DATA_DIR/heist_3000ms.csv"
SRC=$PF_SRCDIR

# ---- the real data ---------------------------------------------------------------------------
run_case "heist dry run" 0 --dry-run --set "data.path=$HEIST" "$SRC/configs/heist.ini"
expect_in "$OUT" "participants: 122" "windows: 5008" "features: 32" "folds: 122" "tasks: 122" \
    "rows-dropped-empty-target: 0" "groups: 4" "criteria: 5 (random, magnitude, snip, fairgrape, vr(lambda=0.5))"
grep -q -E '^config-hash: [0-9a-f]{64}$' "$OUT" && pass "config-hash is 64 hex digits" || fail "config-hash line" "$(cat "$OUT")"
hash1=$(sed -n 's/^config-hash: //p' "$OUT")

run_case "heist dry run, more repeats and threads" 0 --dry-run --threads 1 \
    --set "data.path=$HEIST" --set experiment.repeats=3 "$SRC/configs/heist.ini"
expect_in "$OUT" "tasks: 366" "threads: 1"
run_case "heist dry run, threads do not change the hash" 0 --dry-run --threads 2 \
    --set "data.path=$HEIST" "$SRC/configs/heist.ini"
[ "$(sed -n 's/^config-hash: //p' "$OUT")" = "$hash1" ] && pass "hash independent of --threads" || fail "hash changed with --threads"

run_case "demo dry run (synthetic)" 0 --dry-run "$SRC/configs/demo.ini"
expect_in "$OUT" "participants: 48" "windows: 1920" "features: 30" "folds: 48" "tasks: 48"
run_case "group k-fold" 0 --dry-run --set folds.scheme=group_kfold --set folds.k=4 "$SRC/configs/demo.ini"
expect_in "$OUT" "folds: 4" "tasks: 4"

run_case "--version" 0 --version
expect_in "$OUT" "run_experiment (prunefair)"
run_case "--help" 0 --help
expect_in "$OUT" "--dry-run" "learning_rate" "sparsities"

# ---- usage errors ----------------------------------------------------------------------------
run_case "no config" 2
expect_in "$ERR" "no config file given"
run_case "unknown option" 2 --frobnicate "$SRC/configs/demo.ini"
expect_in "$ERR" "unknown or incomplete option '--frobnicate'"
run_case "bad --threads" 2 --threads many "$SRC/configs/demo.ini"
expect_in "$ERR" "--threads 'many'"

# ---- config errors ---------------------------------------------------------------------------
run_case "missing config" 2 --dry-run "$WORK/nope.ini"
expect_in "$ERR" "cannot open config file '$WORK/nope.ini'" "No such file or directory"

printf '[experiment]\nseed = 1\n[train]\nbatchsize = 32\n' >"$WORK/unknown.ini"
run_case "unknown key" 2 --dry-run "$WORK/unknown.ini"
expect_in "$ERR" "$WORK/unknown.ini:4: unknown key 'batchsize' in section [train]" "did you mean 'batch_size'"

printf '[experimnt]\nseed = 1\n' >"$WORK/section.ini"
run_case "section typo" 2 --dry-run "$WORK/section.ini"
expect_in "$ERR" "section.ini:2: unknown section [experimnt]" "did you mean 'experiment'"

printf '[train]\nmax_epochs = lots\n' >"$WORK/text.ini"
run_case "text for a number" 2 --dry-run "$WORK/text.ini"
expect_in "$ERR" "text.ini:2: train.max_epochs = 'lots'" "not a whole number"

printf '[prune]\nsparsities = 0, 0.5, 1\n' >"$WORK/sparsity.ini"
run_case "sparsity 1 is outside [0, 1)" 2 --dry-run "$WORK/sparsity.ini"
expect_in "$ERR" "sparsity.ini:2: prune.sparsities" "1 is out of range (accepted: 0 to 1 (exclusive))"

printf '[prune]\ncriteria = magnitude,,snip\n' >"$WORK/empty.ini"
run_case "empty list item" 2 --dry-run "$WORK/empty.ini"
expect_in "$ERR" "empty.ini:2: prune.criteria" "item 2 of the list is empty"

run_case "bad --set" 2 --dry-run --set model.hidden=64,x "$SRC/configs/demo.ini"
expect_in "$ERR" "--set model.hidden=64,x" "'x' is not a whole number"

# ---- data errors -----------------------------------------------------------------------------
csvcfg() { printf '[data]\nsource = %s\npath = %s\n%s' "$1" "$2" "${3:-}" >"$WORK/data.ini"; }

csvcfg again "$WORK/missing.csv"
run_case "missing data file" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "missing.csv" "No such file or directory" "data.path"

run_case "a game filter on a windowed file" 2 --dry-run --set "data.path=$HEIST" --set data.game=Heist "$SRC/configs/heist.ini"
expect_in "$ERR" "data.game = Heist filters the official AGAIN tick file" "already windowed"

run_case "official AGAIN file not downloaded" 2 --dry-run "$SRC/configs/again.ini"
expect_in "$ERR" "cannot open data file 'data/again/clean_data.csv'" "configs/again.ini say where to download it"

csvcfg again "$WORK"
run_case "a directory as the data file" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "is a directory"

printf 'pid,f1,[output]arousal\nA,1,0.5\nB,2,0.6\n' >"$WORK/nopart.csv"
csvcfg again "$WORK/nopart.csv"
run_case "no participant column" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "[control]player_id" "data.participant_column"

printf '[control]player_id,f1,valence\nA,1,0.5\nB,2,0.6\n' >"$WORK/notarget.csv"
csvcfg again "$WORK/notarget.csv"
run_case "no target column" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "[output]arousal" "data.target_column"

printf '[control]player_id,f1,f2,[output]arousal\nA,1,2,0.5\nA,1,oops,0.6\n' >"$WORK/text.csv"
csvcfg again "$WORK/text.csv"
run_case "non-numeric feature cell" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "text.csv' line 3" "'f2' (column 3)" "'oops' is not a number"

printf '[control]player_id,f1,f2,[output]arousal\nA,1,2,0.5\nA,1,0.6\n' >"$WORK/ragged.csv"
csvcfg again "$WORK/ragged.csv"
run_case "ragged row" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "ragged.csv' line 3 has 3 fields but the header (line 1) has 4 columns"

printf '[control]player_id,f1,[output]arousal\n' >"$WORK/header.csv"
csvcfg again "$WORK/header.csv"
run_case "header-only file" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "header.csv" "no data rows"

printf '[control]player_id,f1,[output]arousal\nA,1,0.1\nA,2,0.2\nA,3,0.3\nA,4,0.4\nA,5,0.5\n' >"$WORK/one.csv"
csvcfg again "$WORK/one.csv"
run_case "one participant cannot do leave-one-out" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "at least two participants" "1"

# ---- awkward but valid files load ------------------------------------------------------------
printf '\357\273\277"[control]player_id", f1 ,"f,2",[output]arousal\r\n' >"$WORK/edge.csv"
for p in A B; do for i in 1 2 3 4 5; do printf '"%s",%s,"%s.5",0.%s\r\n' $p $i $i $i >>"$WORK/edge.csv"; done; done
printf 'B,9,9,\r\n' >>"$WORK/edge.csv"
csvcfg again "$WORK/edge.csv"
run_case "BOM, CRLF, quotes, padded header, empty target" 0 --dry-run "$WORK/data.ini"
expect_in "$OUT" "participants: 2" "windows: 10" "features: 2" "rows-dropped-empty-target: 1"

# ---- no results left behind by a failed run --------------------------------------------------
csvcfg again "$WORK/ragged.csv"
printf '[experiment]\noutput_dir = %s/res\n' "$WORK" >>"$WORK/data.ini"
run_case "failed run writes nothing" 2 "$WORK/data.ini"
[ ! -e "$WORK/res" ] && pass "no results folder after a data error" || fail "results folder exists after a data error"

finish
