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
expect_in "$OUT" "participants: 122" "windows: 5008" "features: 32 (playerScore," "folds: 122" "tasks: 122" \
    "  Time_Index: time (data.time_column)" "  Cluster: participant attribute (data.attribute_columns)" \
    "data-sha256: b5d91f0825f69dd751a94eeb4b242be472151aaf11efadeef69bf8b80ab3d886" \
    "rows-dropped-empty-target: 0" "attributes: 1 (Cluster)" "criteria: 5 (random, magnitude, snip, fairgrape, vr(lambda=0.5))"
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
# Folds take memory linear in participants (issue 22): leave-one-out over 24,000 participants is
# 24,000 folds of 23,999 non-test participants each, which a training list per fold made 2.3 GB.
run_case "24,000 participants, leave one out" 0 --dry-run --set synthetic.participants=24000 \
    --set synthetic.windows=3 --set synthetic.features=4 --set synthetic.informative=2 \
    --set synthetic.private=1 --set folds.scheme=lopo "$SRC/configs/demo.ini"
expect_in "$OUT" "participants: 24000" "windows: 72000" "folds: 24000" "tasks: 24000"

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
csvcfg() { printf '[data]\nsource = %s\npath = %s\n%b' "$1" "$2" "${3:-}" >"$WORK/data.ini"; }

csvcfg again "$WORK/missing.csv"
run_case "missing data file" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "missing.csv" "No such file or directory" "tried $WORK/missing.csv"
# A relative data.path is taken from where run_experiment starts, and the message says so.
csvcfg csv "rel/missing.csv"
run_case "relative data path" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "tried $(pwd)/rel/missing.csv" "folder run_experiment is started in"

run_case "a game filter on a windowed file" 2 --dry-run --set "data.path=$HEIST" --set data.game=Heist "$SRC/configs/heist.ini"
expect_in "$ERR" "data.game = Heist filters the official AGAIN tick file" "already windowed"

run_case "official AGAIN file not downloaded" 2 --dry-run "$SRC/configs/again.ini"
expect_in "$ERR" "cannot open data file 'data/again/clean_data.csv'" "configs/again.ini say where to download it"

csvcfg again "$WORK"
run_case "a directory as the data file" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "is a folder"

printf 'pid,f1,[output]arousal\nA,1,0.5\nB,2,0.6\n' >"$WORK/nopart.csv"
csvcfg again "$WORK/nopart.csv"
run_case "no participant column" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "no column '[control]player_id' (data.participant_column)" "'pid', 'f1', '[output]arousal'"

printf '[control]player_id,f1,valence\nA,1,0.5\nB,2,0.6\n' >"$WORK/notarget.csv"
csvcfg again "$WORK/notarget.csv"
run_case "no target column" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "[output]arousal" "data.target_column"

printf '[control]player_id,f1,f2,[output]arousal\nA,1,2,0.5\nA,1,oops,0.6\n' >"$WORK/text.csv"
csvcfg again "$WORK/text.csv"
run_case "non-numeric feature cell" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "text.csv'" "'f2' (line 3: 'oops')" "data.na_values"

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

# ---- a researcher's own file (issue 7): every finding has its case -------------------------------
# Every non-numeric column in one message, not one rerun per column.
printf 'id,a,b,c,note,y\np1,1,x,2,hi,0.1\np1,2,3,y,ho,0.2\np2,3,4,5,hu,0.3\n' >"$WORK/many.csv"
csvcfg csv "$WORK/many.csv" 'participant_column = id\ntarget_column = y\n'
run_case "all text columns in one message" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "2 feature columns hold text" "'b' (line 2: 'x')" "'c' (line 3: 'y')"
# A typo in a role column: "did you mean", with the whole header.
csvcfg csv "$WORK/many.csv" 'participant_column = ID\ntarget_column = y\n'
run_case "participant column typo" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "no column 'ID' (data.participant_column)" "did you mean 'id'?" "6 columns: 'id', 'a', 'b', 'c', 'note', 'y'"
run_case "time column typo on Heist" 2 --dry-run --set "data.path=$HEIST" --set data.time_column=Time_index "$SRC/configs/heist.ini"
expect_in "$ERR" "no column 'Time_index' (data.time_column)" "did you mean 'Time_Index'?"
# NA codes and a ;-separated file.
printf 'id;a;b;y\np1;1;NA;0.1\np1;2;-99;0.2\np2;3;4;0.3\np2;4;5;0.4\n' >"$WORK/semi.csv"
csvcfg csv "$WORK/semi.csv" 'participant_column = id\ntarget_column = y\nmin_windows = 1\nna_values = NA, -99\nmissing = mean\n'
run_case "semicolon file, NA codes" 0 --dry-run "$WORK/data.ini"
expect_in "$OUT" "features: 2 (a, b)" "delimiter: semicolon" "cells-missing: 2 (imputed per fold"
csvcfg csv "$WORK/semi.csv" 'participant_column = id\ntarget_column = y\ndelimiter = comma\n'
run_case "semicolon file read with commas" 2 --dry-run "$WORK/data.ini"
expect_in "$ERR" "the header is one field" "data.delimiter = semicolon"
# The plan names every feature and says why each other column is not one.
csvcfg csv "$WORK/many.csv" 'participant_column = id\ntarget_column = y\ndrop_columns = b, c\n'
run_case "dry run lists features and the rest" 0 --dry-run --set data.min_windows=1 "$WORK/data.ini"
expect_in "$OUT" "features: 1 (a)" "  id: participant (data.participant_column)" \
    "  b: excluded by data.drop_columns" "  note: excluded: text, not numbers (line 2: 'hi')"
# Enumerated values are case-normalised: the same run, the same hash.
run_case "criteria in capitals" 0 --dry-run --set prune.criteria=Magnitude,VR "$SRC/configs/demo.ini"
expect_in "$OUT" "criteria: 3 (magnitude, vr(lambda=0.5), vr(lambda=1))"
hash_caps=$(sed -n 's/^config-hash: //p' "$OUT")
run_case "criteria in lower case" 0 --dry-run --set prune.criteria=magnitude,vr "$SRC/configs/demo.ini"
[ "$(sed -n 's/^config-hash: //p' "$OUT")" = "$hash_caps" ] && pass "hash independent of letter case" || fail "hash changed with letter case"
# The run folder follows the data, not its path: an edited file is another run.
cp "$WORK/semi.csv" "$WORK/edit.csv"
csvcfg csv "$WORK/edit.csv" 'participant_column = id\ntarget_column = y\nmin_windows = 1\nna_values = NA, -99\nmissing = mean\n'
run_case "data hash, before the edit" 0 --dry-run "$WORK/data.ini"
h_before=$(sed -n 's/^config-hash: //p' "$OUT")
printf 'p3;5;6;0.5\n' >>"$WORK/edit.csv"
run_case "data hash, after the edit" 0 --dry-run "$WORK/data.ini"
[ "$(sed -n 's/^config-hash: //p' "$OUT")" != "$h_before" ] && pass "an edited data file changes the hash" || fail "hash ignores the data"

# The keyboard study with both targets and its attributes: 2377 rows, so the row store grows
# many times with two targets a row (a sanitizer run would catch an overflow there).
KEYBOARD="$AGAIN_DATA_DIR/../keyboard/keyboard_features.csv"
run_case "keyboard, two targets and attributes" 0 --dry-run --set "data.path=$KEYBOARD" \
    --set data.target_column=arousal,valence --set data.attribute_columns=sex,age,app_version \
    "$SRC/configs/keyboard.ini"
expect_in "$OUT" "windows: 2377" "targets: arousal, valence" "attributes: 3 (sex, age, app_version)" \
    "  sex: participant attribute (data.attribute_columns)" \
    "weight-widths: 32, 8, 4 (quantised per channel, ties half_even)" \
    "group-attributes: sex, age, app_version (groups below 3 participants not compared)"
run_case "keyboard, a group attribute that is not an attribute" 2 --dry-run --set "data.path=$KEYBOARD" \
    --set data.attribute_columns=sex --set fairness.attributes=sex,age "$SRC/configs/keyboard.ini"
expect_in "$ERR" "fairness.attributes names 'age', which is not one of data.attribute_columns"

# ---- a dry run checks what a real run would refuse --------------------------------------------
run_case "dry run, --shard 3/2" 2 --dry-run --shard 3/2 "$SRC/configs/demo.ini"
expect_in "$ERR" "--shard '3/2': expected I/N with 1 <= I <= N"
run_case "dry run, --shard 0/2" 2 --dry-run --shard 0/2 "$SRC/configs/demo.ini"
run_case "dry run, --shard 2/4" 0 --dry-run --shard 2/4 "$SRC/configs/demo.ini"
expect_in "$OUT" "shard: 2/4 (12 of 48 tasks)"
run_case "dry run, --threads 5000" 2 --dry-run --threads 5000 "$SRC/configs/demo.ini"
touch "$WORK/a-file"
run_case "dry run, an output folder under a file" 2 --dry-run --out "$WORK/a-file/run" "$SRC/configs/demo.ini"
expect_in "$ERR" "'$WORK/a-file' is a file, not a folder; choose another output folder"
[ ! -e "$WORK/a-file/run" ] && [ ! -d "$WORK/new" ] && pass "  a dry run creates no folder" || fail "  a dry run created a folder"
run_case "dry run, a new output folder" 0 --dry-run --out "$WORK/new/run" "$SRC/configs/demo.ini"
[ ! -e "$WORK/new" ] && pass "  a dry run creates no folder" || fail "  a dry run created $WORK/new"
# A folder holding another config's finished run: refused by a dry run as by a real one.
run_case "a small finished run" 0 --no-progress --set synthetic.participants=6 --set train.max_epochs=2 \
    --set output.figures=none --set output.tables=none --out "$WORK/done" "$SRC/configs/demo.ini"
run_case "dry run into it, another config" 2 --dry-run --set synthetic.participants=6 --out "$WORK/done" \
    "$SRC/configs/demo.ini"
expect_in "$ERR" "holds a finished run of another config"
run_case "dry run into it, the same config" 0 --dry-run --set synthetic.participants=6 --set train.max_epochs=2 \
    --out "$WORK/done" "$SRC/configs/demo.ini"
expect_in "$OUT" "output-holds: this run, finished (a run rebuilds only its report)"

# ---- no results left behind by a failed run --------------------------------------------------
csvcfg again "$WORK/ragged.csv"
printf '[experiment]\noutput_dir = %s/res\n' "$WORK" >>"$WORK/data.ini"
run_case "failed run writes nothing" 2 "$WORK/data.ini"
[ ! -e "$WORK/res" ] && pass "no results folder after a data error" || fail "results folder exists after a data error"

finish
