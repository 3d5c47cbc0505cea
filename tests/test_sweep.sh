#!/bin/sh
# test_sweep.sh: a sweep is a study of ordinary studies. Its point folders hold the bytes single
# runs of the same configs write; a sweep killed mid-way and rerun ends with the bytes of one
# that was not; a failed point does not stop the others; a changed sweep is refused in the old
# folder; every mistake in a sweep file stops it before anything runs, naming file:line or the
# point; and the aggregation (sweep.csv, the tables across points) holds the numbers an
# independent computation from the points' own CSV files gives.
set -eu
. "$(dirname "$0")/cli_lib.sh"
PY=/usr/bin/python3
cp "$PF_SRCDIR/tests/data/study.ini" "$WORK/base.ini"
cd "$WORK"
# Two seeds x two widths: 4 points of 12 tasks.
cat >sw.ini <<'EOF'
[sweep]
name = grid
base = base.ini
experiment.seed = 1 | 2
model.hidden = 16,8 | 8
label.model.hidden = wide | narrow
EOF
POINT_FILES="per_participant.csv summary.csv participants.csv stats.csv groups.csv"
SWEEP_FILES="sweep.csv points.csv sweep_stats.csv sweep_ranks.csv tables/model.hidden_ccc_s0.8.md tables/experiment.seed_ccc_s0.5.tex"
same_sweep() { # same_sweep NAME DIR_A DIR_B: every point's numbers and the aggregation identical
    bad=""
    for d in "$2"/points/*/; do
        p=$(basename "$d")
        for f in $POINT_FILES; do
            cmp -s "$d/$f" "$3/points/$p/$f" || bad="$bad points/$p/$f"
        done
    done
    for f in $SWEEP_FILES; do cmp -s "$2/$f" "$3/$f" || bad="$bad $f"; done
    [ -z "$bad" ] && pass "$1: every point's CSVs and the aggregation identical" || fail "$1: differ:$bad"
}

# ---- the plan ----------------------------------------------------------------------------------
run_case "dry run" 0 --sweep sw.ini --dry-run --out "$WORK/dry"
expect_in "$OUT" "points: 4" "point 1: experiment.seed=1, model.hidden=wide: small-" \
    "point 4: experiment.seed=2, model.hidden=narrow: small-" "12 participants, 12 tasks" "tasks: 48"
[ ! -e "$WORK/dry" ] && pass "a dry run creates nothing" || fail "a dry run created $WORK/dry"

# ---- mistakes: exit 2 before anything runs, naming where -------------------------------------------
bad_sweep() { # bad_sweep NAME TEXT EXPECTED...: a sweep file that must be refused
    name=$1 text=$2
    shift 2
    printf '%b' "$text" >bad.ini
    run_case "$name" 2 --sweep bad.ini --out "$WORK/bad"
    expect_in "$ERR" "$@"
    [ ! -e "$WORK/bad" ] && pass "  nothing written" || { fail "  $WORK/bad written"; rm -rf "$WORK/bad"; }
}
HEAD='[sweep]\nname = b\nbase = base.ini\n'
bad_sweep "an unknown line" "${HEAD}model.hidden = 8 | 4\nwhat = 1\n" "bad.ini:5:"
bad_sweep "an axis without values" "${HEAD}model.hidden =\n" "bad.ini:4:" "the axis model.hidden has no values"
bad_sweep "an empty value" "${HEAD}model.hidden = 8 || 4\n" "bad.ini:4:" "value 2 is empty"
bad_sweep "a value twice" "${HEAD}model.hidden = 8 | 8\n" "bad.ini:4:" "'8' is listed twice"
bad_sweep "labels that do not match" "${HEAD}model.hidden = 8 | 4\nlabel.model.hidden = a\n" \
    "bad.ini:5:" "1 labels for the 2 values of model.hidden"
bad_sweep "a zip of unequal axes" "${HEAD}model.hidden = 8 | 4\nexperiment.seed = 1 | 2 | 3\nzip = model.hidden, experiment.seed\n" \
    "bad.ini:6:"
bad_sweep "a value the config refuses" "${HEAD}train.learning_rate = 0.01 | -1\n" \
    "bad.ini, point 2 of 2 (train.learning_rate=-1)" "train.learning_rate"
bad_sweep "a key the config does not know" "${HEAD}model.hiden = 8 | 4\n" "point 1 of 2" "model.hiden"
bad_sweep "a missing base" '[sweep]\nname = b\nbase = nowhere.ini\nmodel.hidden = 8 | 4\n' "nowhere.ini"
bad_sweep "no name" '[sweep]\nbase = base.ini\nmodel.hidden = 8 | 4\n' "no name ="

run_case "--point beyond the sweep" 2 --sweep sw.ini --point 5 --out "$WORK/bad"
expect_in "$ERR" "--point 5: sw.ini has 4 points"
run_case "--point without --sweep" 2 --point 1 base.ini
expect_in "$ERR" "--point needs --sweep SWEEP.ini"
run_case "--shard of a sweep without --point" 2 --sweep sw.ini --shard 1/2
expect_in "$ERR" "--shard only with --point P"
[ ! -e "$WORK/bad" ] && pass "  nothing written" || fail "  $WORK/bad written"

# ---- a sweep -----------------------------------------------------------------------------------
run_case "the sweep" 0 --no-progress --threads 2 --sweep sw.ini --out "$WORK/a"
expect_in "$ERR" "point 1/4 (experiment.seed=1, model.hidden=wide)" "point 4/4 finished"
expect_in "$OUT" "sweep: 4 of 4 points done"
for f in $SWEEP_FILES points.txt sweep.ini; do
    [ -s "$WORK/a/$f" ] && pass "wrote $f" || fail "no $f"
done
n=$(ls -d "$WORK"/a/points/small-* | wc -l)
[ "$n" -eq 4 ] && pass "4 point folders" || fail "$n point folders, expected 4"

# A point is the single run of its config: same folder name, same bytes.
run_case "the single run of point 3" 0 --no-progress --threads 1 --set experiment.seed=2 \
    --set model.hidden=16,8 --set experiment.output_dir="$WORK/single" base.ini
single=$(ls -d "$WORK"/single/small-*)
if [ -d "$WORK/a/points/$(basename "$single")" ]; then pass "point 3's folder is named as its single run names it"
else fail "no point folder $(basename "$single")" "$(ls "$WORK/a/points")"; fi
bad=""
for f in $POINT_FILES tables/results_ccc.md tables/spread_ccc.tex; do
    cmp -s "$single/$f" "$WORK/a/points/$(basename "$single")/$f" || bad="$bad $f"
done
[ -z "$bad" ] && pass "point 3 holds the single run's bytes" || fail "point 3 differs from its single run:$bad"

# Status from the folder alone.
run_case "status" 0 --status "$WORK/a"
expect_in "$OUT" "points: 4: 4 done, 0 partial, 0 failed, 0 not started" "tasks: 48 of 48 done" \
    "point 2/4 (experiment.seed=1, model.hidden=narrow): done, 12 of 12 tasks"

# ---- the aggregation, recomputed from the points' own files -------------------------------------
# sweep.csv: each point's summary.csv rows, behind the point's columns.
if $PY - "$WORK/a" <<'EOF'
import csv, sys, os
d = sys.argv[1]
rows = list(csv.reader(open(os.path.join(d, "sweep.csv"))))
head, rows = rows[0], rows[1:]
assert head[:6] == ["point", "folder", "experiment.seed", "label.experiment.seed", "model.hidden", "label.model.hidden"], head
for pt in range(1, 5):
    mine = [r[6:] for r in rows if r[0] == str(pt)]
    folder = [r[1] for r in rows if r[0] == str(pt)][0]
    theirs = list(csv.reader(open(os.path.join(d, "points", folder, "summary.csv"))))
    assert theirs[0] == head[6:], (theirs[0], head[6:])
    assert mine == theirs[1:], pt
EOF
then pass "sweep.csv holds every point's summary.csv rows"; else fail "sweep.csv is not the points' summaries"; fi
# A table cell pools the participants of the points with its value: wide = points 1 and 3.
if $PY - "$WORK/a" <<'EOF'
import csv, sys, os, statistics
d = sys.argv[1]
pts = {r["point"]: r for r in csv.DictReader(open(os.path.join(d, "points.csv")))}
def pooled(label, crit, sp):
    v = []
    for r in pts.values():
        if r["label.model.hidden"] != label: continue
        for q in csv.DictReader(open(os.path.join(d, "points", r["folder"], "per_participant.csv"))):
            if q["criterion"] == crit and float(q["sparsity"]) == sp and q["bits"] == "32":
                v.append(float(q["ccc"]))
    return v
table = open(os.path.join(d, "tables", "model.hidden_ccc_s0.8.md")).read()
for crit in ["magnitude", "snip", "vr(lambda=0)"]:
    row = [l for l in table.splitlines() if l.startswith("| " + crit.replace("(", "(").replace("_", "\\_"))][0]
    cells = [c.strip().replace("**", "") for c in row.split("|")[2:4]]
    for label, cell in zip(["wide", "narrow"], cells):
        v = pooled(label, crit, 0.8)
        assert len(v) == 24, len(v)
        want = "%.3f ± %.3f" % (statistics.mean(v), statistics.stdev(v))
        assert cell == want, (crit, label, cell, want)
EOF
then pass "table cells are the pooled mean ± sd of the points' participants"; else fail "table cells differ from the pooled participants"; fi
expect_in "$WORK/a/tables/model.hidden_ccc_s0.8.md" "| criterion" "avg. rank" "| wide" "| narrow" \
    "Friedman test" "over the participants of the 2 sweep points with that value, pooled"
expect_in "$WORK/a/sweep_stats.csv" "model.hidden,friedman,all,0.8,32,all,0.8,32,2," "experiment.seed,wilcoxon,vr(lambda=0),0.8,32,magnitude,0.8,32,"

# --report DIR rebuilds the same aggregation from the points' results.h5.
mkdir "$WORK/before" && cp -r "$WORK/a/sweep.csv" "$WORK/a/sweep_stats.csv" "$WORK/a/tables" "$WORK/before/"
rm -rf "$WORK/a/sweep.csv" "$WORK/a/sweep_stats.csv" "$WORK/a/tables"
run_case "report of a sweep folder" 0 --report "$WORK/a"
cmp -s "$WORK/before/sweep.csv" "$WORK/a/sweep.csv" && cmp -s "$WORK/before/sweep_stats.csv" "$WORK/a/sweep_stats.csv" &&
    diff -r "$WORK/before/tables" "$WORK/a/tables" >/dev/null && pass "the rebuilt aggregation is identical" ||
    fail "the rebuilt aggregation differs"

# A rerun finds every point done and computes nothing.
run_case "rerun of a finished sweep" 0 --no-progress --sweep sw.ini --out "$WORK/a"
expect_in "$ERR" "point 1/4 (experiment.seed=1, model.hidden=wide): finished before"
grep -q "tasks ->" "$ERR" && fail "a finished point ran again" || pass "no point ran again"

# ---- a study computed once: shared by two sweeps, or by a single run and a sweep -------------------
# Sweep b beside a: seeds 2 and 3 of the wide network. Seed 2's point is a's point 3: copied from
# a. Seed 3's was run alone before, into its default folder: copied from there.
printf '[sweep]\nname = shared\nbase = base.ini\nexperiment.seed = 2 | 3\nset = model.hidden=16,8\n' >shared.ini
run_case "a single run of seed 3" 0 --no-progress --set experiment.seed=3 base.ini
run_case "a sweep sharing its points" 0 --no-progress --sweep shared.ini --out "$WORK/b"
expect_in "$ERR" "point 1/2 (experiment.seed=2): computed before in $WORK/a/points/small-" \
    "point 2/2 (experiment.seed=3): computed before in $WORK/results/small-" "; copied"
grep -q "tasks ->" "$ERR" && fail "a shared point was computed again" || pass "no shared point was computed again"
p3=$(basename "$single")
bad=""
for f in $POINT_FILES tables/results_ccc.md; do cmp -s "$WORK/a/points/$p3/$f" "$WORK/b/points/$p3/$f" || bad="$bad $f"; done
[ -z "$bad" ] && pass "the copied point holds the same bytes" || fail "the copied point differs:$bad"
[ ! -e "$WORK/b/points/$p3/checkpoints" ] && pass "no checkpoints copied" || fail "checkpoints copied"

# ---- killed in the middle, and rerun --------------------------------------------------------------
# Point 1 runs through (its hold released beforehand); point 2 holds once its first task is
# checkpointed and is killed there: one point done, one partial, two not started.
rm -f "$HOLD"/*
hold_release point1-run
PF_TEST_HOLD="$HOLD" "$RUN" --no-progress --threads 1 --sweep sw.ini --out "$WORK/kill/k" >/dev/null 2>&1 &
pid=$!
if held=$(hold_wait point2-run) && [ "$held" = "$pid" ]; then pass "the sweep holds in point 2"
else fail "the sweep did not hold in point 2 (pid $pid, hold file: ${held:-none})"; fi
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
run_case "status after kill -9" 0 --status "$WORK/kill/k"
expect_in "$OUT" "points: 4: 1 done, 1 partial, 0 failed, 2 not started" \
    "point 2/4 (experiment.seed=1, model.hidden=narrow): partial, 1 of 12 tasks"
run_case "rerun after kill -9" 0 --no-progress --threads 2 --sweep sw.ini --out "$WORK/kill/k"
expect_in "$ERR" "point 1/4 (experiment.seed=1, model.hidden=wide): finished before" "1 tasks resumed from"
same_sweep "killed and rerun" "$WORK/a" "$WORK/kill/k"

# ---- a sweep that changed is refused in the old folder ---------------------------------------------
sed 's/wide | narrow/big | small/' sw.ini >changed.ini
run_case "a sweep with other labels in the old folder" 2 --no-progress --sweep changed.ini --out "$WORK/a"
expect_in "$ERR" "holds another sweep" "'label.model.hidden = wide | narrow' is now 'label.model.hidden = big | small'" "--out"
run_case "a sweep with another --set in the old folder" 2 --no-progress --sweep sw.ini --set train.max_epochs=3 --out "$WORK/a"
expect_in "$ERR" "'set = train.max_epochs=3' is new"
cp base.ini base.keep && printf '[stats]\nalpha = 0.01\n' >>base.ini
run_case "a sweep whose base changed" 2 --no-progress --sweep sw.ini --out "$WORK/a"
expect_in "$ERR" "with another base config" "base = base.ini"
mv base.keep base.ini

# ---- a failed point does not stop the others ---------------------------------------------------------
# Point 1's data is good, point 2's has a NaN target: point 2 fails, 1 and 3 run, exit 1.
awk 'BEGIN { s = 7; for (p = 0; p < 6; p++) for (w = 0; w < 12; w++) {
        s = (s * 1103515245 + 12345) % 2147483648; a = s / 2147483648
        s = (s * 1103515245 + 12345) % 2147483648; b = s / 2147483648
        printf "%sP%d,%.6f,%.6f,%.6f\n", (p + w == 0 ? "p,f1,f2,y\n" : ""), p, a, b, (a + b) / 2 } }' >good.csv
sed 's/^P3,\([^,]*\),\([^,]*\),.*/P3,\1,\2,nan/' good.csv >bad_target.csv
cp good.csv good2.csv
printf '[experiment]\nname = csvs\n[data]\nsource = csv\nparticipant_column = p\ntarget_column = y\nmin_windows = 1\n[train]\nmax_epochs = 3\n[prune]\ncriteria = magnitude,snip\nsparsities = 0.5\n[output]\nfigures = none\n' >csv.ini
printf '[sweep]\nname = data\nbase = csv.ini\ndata.path = %s | %s | %s\nlabel.data.path = good | bad | good2\n' \
    "$WORK/good.csv" "$WORK/bad_target.csv" "$WORK/good2.csv" >data.ini
run_case "a sweep with a failing point" 1 --no-progress --sweep data.ini --out "$WORK/f"
expect_in "$ERR" "point 2/3 (data.path=bad) FAILED" "'nan' is not a number" "point 3/3 finished" \
    "1 of 3 points failed" "--status $WORK/f"
run_case "status of the failed sweep" 0 --status "$WORK/f"
expect_in "$OUT" "points: 3: 2 done, 0 partial, 1 failed" "point 2/3 (data.path=bad): failed"
expect_in "$WORK/f/points.csv" ",failed,0,0,0," ",done,6,6,6,"
expect_in "$WORK/f/tables/data.path_ccc_s0.5.md" "| good " "| bad " "n/a"
run_case "rerun of the failed sweep" 1 --no-progress --sweep data.ini --out "$WORK/f"
expect_in "$ERR" "point 1/3 (data.path=good): finished before" "point 2/3 (data.path=bad) FAILED"

finish
