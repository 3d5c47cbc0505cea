#!/bin/sh
# test_run.sh: whole runs on small synthetic data. The same config gives the same numbers for
# any thread count; the results folder has every file with the numbers a user relies on;
# results.h5 is readable by h5dump; --report rebuilds the same statistics without training;
# a machine without gnuplot still gets a complete run and a notice.
set -eu
. "$(dirname "$0")/cli_lib.sh"
# The shared small study (tests/data/study.ini), with figures: this test checks them, and the
# notice of a machine without gnuplot.
sed 's/^figures = .*/figures = png,pdf/' "$PF_SRCDIR/tests/data/study.ini" >"$WORK/small.ini"

run_case "small run, 1 thread" 0 --no-progress --threads 1 --out "$WORK/t1" "$WORK/small.ini"
run_case "small run, 2 threads" 0 --no-progress --threads 2 --out "$WORK/t2" "$WORK/small.ini"
expect_in "$OUT" "mean CCC across 12 participants" "vr(lambda=0.5)" "results: $WORK/t2/"
for f in per_participant.csv summary.csv participants.csv stats.csv tables/results_ccc.md; do
    if cmp -s "$WORK/t1/$f" "$WORK/t2/$f"; then pass "$f identical for 1 and 2 threads"
    else fail "$f differs between 1 and 2 threads"; fi
done

# per_participant.csv: header, 12 dense rows + 6 criteria x 3 sparsities x 12 participants
n=$(wc -l <"$WORK/t1/per_participant.csv")
[ "$n" -eq $((1 + 12 + 6 * 3 * 12)) ] && pass "per_participant.csv has 229 lines" || fail "per_participant.csv has $n lines"
head -1 "$WORK/t1/per_participant.csv" >"$WORK/h.txt"
expect_in "$WORK/h.txt" "participant,criterion,sparsity,bits,repeat,ccc,rmse,pearson,n_windows"
# At sparsity 0 every criterion is the dense model: identical CCC per participant.
awk -F, 'NR > 1 && $3 == 0 { v[$1] = v[$1] "|" $6 } END { bad = 0; for (p in v) { n = split(v[p], a, "|"); for (i = 3; i <= n; i++) if (a[i] != a[2]) bad = 1 } exit bad }' \
    "$WORK/t1/per_participant.csv" && pass "sparsity 0 reproduces dense CCC for every criterion" \
    || fail "sparsity 0 differs from dense"
# Achieved sparsity 0.8 of 16*12 + 8*16 + 8 = 328 weights: round(0.2 * 328) = 66 kept.
grep -q '^magnitude,0.8,32,0.7987804878048781,ccc,' "$WORK/t1/summary.csv" \
    && pass "achieved sparsity 1 - 66/328 reported" || fail "achieved sparsity" "$(grep '^magnitude' "$WORK/t1/summary.csv")"
expect_in "$WORK/t1/stats.csv" "ref:wilcoxon@s=0.8,wilcoxon,vr(lambda=0),0.8,32,magnitude,0.8,32,"

if command -v h5dump >/dev/null; then
    h5dump -H "$WORK/t1/results.h5" >"$WORK/h5.txt" 2>&1 && pass "h5dump reads results.h5" || fail "h5dump failed"
    expect_in "$WORK/h5.txt" 'GROUP "dataset"' 'GROUP "per_participant"' 'GROUP "stats"' \
        'DATASET "tasks"' 'GROUP "summary"' 'ATTRIBUTE "config_hash"' 'ATTRIBUTE "git_commit"'
else
    fail "h5dump not installed (Debian package hdf5-tools)"
fi
for f in mean_ccc sd_ccc worst_ccc box_ccc pareto_ccc; do
    [ -s "$WORK/t1/figures/$f.png" ] && [ -s "$WORK/t1/figures/$f.pdf" ] && pass "figure $f.png and .pdf" || fail "figure $f missing"
done

# --report: rebuild statistics, tables and figures from results.h5 alone.
cp "$WORK/t1/stats.csv" "$WORK/stats.before"
rm -rf "$WORK/t1/figures" "$WORK/t1/tables" "$WORK/t1/stats.csv" "$WORK/t1/summary.csv"
# What an earlier report left must not survive: a stale figure from another metric, and the
# staging folders of a report that was interrupted.
mkdir -p "$WORK/t1/figures" "$WORK/t1/.report-99999/tables" "$WORK/t1/.old-99999"
touch "$WORK/t1/figures/mean_rmse.png"
run_case "--report rebuilds" 0 --report "$WORK/t1"
[ ! -e "$WORK/t1/figures/mean_rmse.png" ] && pass "figures/ replaced as a whole: no stale figure" \
    || fail "a figure of an earlier report survived"
ls -a "$WORK/t1" | grep -q -E '^\.(report|old)-' && fail "staging folders left behind" "$(ls -a "$WORK/t1")" \
    || pass "no staging folders left"
cmp -s "$WORK/stats.before" "$WORK/t1/stats.csv" && pass "rebuilt stats.csv identical" || fail "rebuilt stats.csv differs"
cmp -s "$WORK/t2/summary.csv" "$WORK/t1/summary.csv" && pass "rebuilt summary.csv identical" || fail "rebuilt summary.csv differs"
[ -s "$WORK/t1/tables/results_ccc.tex" ] && [ -s "$WORK/t1/figures/mean_ccc.png" ] && pass "rebuilt tables and figures" || fail "report did not rebuild"
run_case "--report on a folder without results" 2 --report "$WORK"
expect_in "$ERR" "no results.h5"

# No gnuplot on PATH: the run succeeds, says so, and leaves scripts without images.
mkdir -p "$WORK/bin"
PATH="$WORK/bin" run_case "no gnuplot" 0 --no-progress --out "$WORK/nognu" "$WORK/small.ini"
expect_in "$ERR" "notice: gnuplot not found"
[ -s "$WORK/nognu/results.h5" ] && [ -s "$WORK/nognu/figures/mean_ccc.gp" ] && [ ! -e "$WORK/nognu/figures/mean_ccc.png" ] \
    && pass "results and scripts written, no images" || fail "no-gnuplot run incomplete"

# ---- the other task shapes, on built-in data ---------------------------------------------------
# Two outputs: per-output and mean metrics, statistics and figures on mean_ccc.
run_case "two outputs" 0 --no-progress --set synthetic.outputs=2 --out "$WORK/multi" "$WORK/small.ini"
head -1 "$WORK/multi/per_participant.csv" >"$WORK/h.txt"
expect_in "$WORK/h.txt" "repeat,ccc[arousal],rmse[arousal],pearson[arousal],ccc[valence],rmse[valence],pearson[valence],mean_ccc,mean_rmse,mean_pearson,n_windows"
expect_in "$OUT" "mean-over-outputs CCC across 12 participants"
[ -s "$WORK/multi/tables/results_mean_ccc.md" ] && [ -s "$WORK/multi/figures/mean_mean_ccc.gp" ] \
    && pass "tables and figures named after mean_ccc" || fail "multi-output outputs" "$(ls "$WORK/multi/tables" "$WORK/multi/figures")"
# High/low classes per participant: balanced accuracy is the primary metric.
run_case "classification" 0 --no-progress --set data.task=classification \
    --set data.target_transform=above_median --out "$WORK/cls" "$WORK/small.ini"
head -1 "$WORK/cls/per_participant.csv" >"$WORK/h.txt"
expect_in "$WORK/h.txt" "repeat,accuracy,balanced_accuracy,f1_macro,n_windows"
expect_in "$OUT" "balanced accuracy"
[ -s "$WORK/cls/tables/results_balanced_accuracy.md" ] && pass "table named after balanced_accuracy" || fail "classification table missing"
# Every balanced accuracy is a share: in [0, 1].
awk -F, 'NR > 1 && ($7 < 0 || $7 > 1) { bad = 1 } END { exit bad }' "$WORK/cls/per_participant.csv" \
    && pass "balanced accuracy in [0, 1]" || fail "balanced accuracy out of range"
run_case "a metric the task does not have" 2 --dry-run --set data.task=classification \
    --set data.target_transform=above_median --set stats.metric=ccc "$WORK/small.ini"
expect_in "$ERR" "stats.metric = ccc is not a metric of this task" "balanced_accuracy"

# ---- two outputs weighed by learned log-variances (train.output_weighting) --------------------
# The weighting changes the numbers of the equal run above; results.h5 keeps every task's learned
# log-variances (/training), --report rewrites them unchanged, and a run cut in two shards and
# merged gives the same bytes (task checkpoints carry them). One output has nothing to weigh: a
# config error.
unc="--no-progress --set synthetic.outputs=2 --set train.output_weighting=uncertainty"
# shellcheck disable=SC2086
run_case "two outputs, uncertainty weighting" 0 $unc --out "$WORK/unc" "$WORK/small.ini"
cmp -s "$WORK/multi/per_participant.csv" "$WORK/unc/per_participant.csv" \
    && fail "uncertainty weighting gave the numbers of equal weighting" \
    || pass "uncertainty weighting changes the numbers"
for i in 2 1; do
    # shellcheck disable=SC2086
    run_case "uncertainty weighting, shard $i/2" 0 $unc --shard "$i/2" --out "$WORK/unc2" "$WORK/small.ini"
done
run_case "uncertainty weighting, shards merged" 0 --no-progress --merge "$WORK/unc2"
cmp -s "$WORK/unc/per_participant.csv" "$WORK/unc2/per_participant.csv" \
    && pass "per_participant.csv identical after the merge" || fail "per_participant.csv differs after the merge"
cp -r "$WORK/unc" "$WORK/uncr"
run_case "--report on the weighted run" 0 --report "$WORK/uncr"
if command -v h5diff >/dev/null; then
    h5dump -H -d /training/output_log_variance "$WORK/unc/results.h5" >"$WORK/lv.txt" 2>&1
    h5dump -a /training/output_weighting "$WORK/unc/results.h5" >>"$WORK/lv.txt" 2>&1
    expect_in "$WORK/lv.txt" 'DATASPACE  SIMPLE { ( 12, 2 ) / ( 12, 2 ) }' '(0): "uncertainty"'
    for b in "$WORK/unc2" "$WORK/uncr"; do
        if h5diff "$WORK/unc/results.h5" "$b/results.h5" /training /training >"$WORK/h5diff.txt" 2>&1
        then pass "/training identical in $(basename "$b")"
        else fail "/training differs in $(basename "$b")" "$(head -c 400 "$WORK/h5diff.txt")"; fi
    done
else
    fail "h5diff not installed (Debian package hdf5-tools)"
fi
run_case "uncertainty weighting of one output" 2 --dry-run --set train.output_weighting=uncertainty "$WORK/small.ini"
expect_in "$ERR" "train.output_weighting = uncertainty weighs the losses of several regression outputs" \
    "this study has 1 output (synthetic.outputs)"

# ---- the target's unit does not change a result (real data) ---------------------------------
# Heist's arousal times 100 (a 0..100 slider instead of 0..1): with the target z-scored per fold
# every CCC is the same to float precision; trained on the raw values it is not.
HEIST="${AGAIN_DATA_DIR:-$PF_SRCDIR/../shared/data/again}/heist_3000ms.csv"
awk -F, 'BEGIN { OFS = ","; CONVFMT = "%.17g" } NR > 1 { $36 = $36 * 100 } { print }' "$HEIST" >"$WORK/heist100.csv"
quick="--no-progress --set prune.criteria=magnitude,vr --set prune.sparsities=0,0.8 --set train.max_epochs=3 --set output.figures=none --set output.tables=none"
for t in zscore none; do
    # shellcheck disable=SC2086
    run_case "Heist, target_scaling = $t" 0 $quick --set data.target_scaling=$t --set "data.path=$HEIST" --out "$WORK/u1$t" "$PF_SRCDIR/configs/heist.ini"
    # shellcheck disable=SC2086
    run_case "Heist x 100, target_scaling = $t" 0 $quick --set data.target_scaling=$t --set "data.path=$WORK/heist100.csv" --out "$WORK/u100$t" "$PF_SRCDIR/configs/heist.ini"
done
# Largest |CCC difference| over every (participant, criterion, sparsity) row.
maxdiff() { paste -d, "$1/per_participant.csv" "$2/per_participant.csv" | awk -F, 'NR > 1 { d = $6 - $15; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.3g\n", m }'; }
d_z=$(maxdiff "$WORK/u1zscore" "$WORK/u100zscore")
d_n=$(maxdiff "$WORK/u1none" "$WORK/u100none")
awk -v d="$d_z" 'BEGIN { exit !(d < 1e-4) }' && pass "zscore: CCC unchanged by the unit (max diff $d_z)" || fail "zscore: CCC moved by $d_z"
# The results file keeps the data's provenance: every column and what it became, the file's
# absolute path and hash, and the fitted transforms; --report keeps them.
if command -v h5dump >/dev/null; then
    run_case "--report on the Heist run" 0 --report "$WORK/u100none"
    h5dump -d /dataset/column_use -a /dataset/path -a /data_sha256 -d /folds/target_scale "$WORK/u100none/results.h5" >"$WORK/prov.txt" 2>&1
    expect_in "$WORK/prov.txt" '"time (data.time_column)"' '"participant attribute (data.attribute_columns)"' "$WORK/heist100.csv" \
        "$(sha256sum "$WORK/heist100.csv" | cut -c1-64)" 'DATASPACE  SIMPLE { ( 122, 1 ) / ( 122, 1 ) }'
fi
awk -v d="$d_n" 'BEGIN { exit !(d > 1e-2) }' && pass "none: the unit changes CCC (max diff $d_n), so the check above can fail" || fail "none: CCC moved only $d_n"

# ---- quantisation and groups of people (real data) -------------------------------------------
# The keyboard study at 32, 8 and 4 bits with its three attributes. Adding widths evaluates
# more models but must not move a float32 number; the groups land in groups.csv, stats.csv,
# /groups, a fairness table per width and a gap figure per width; --report rebuilds them.
KEYBOARD="${AGAIN_DATA_DIR:-$PF_SRCDIR/../shared/data/again}/../keyboard/keyboard_features.csv"
kq="--no-progress --set data.path=$KEYBOARD --set prune.criteria=magnitude,vr --set prune.sparsities=0,0.8 --set train.max_epochs=4 --set stats.bootstrap=300 --set compress.clusters=0"
# shellcheck disable=SC2086
run_case "keyboard at 32, 8 and 4 bits" 0 $kq --out "$WORK/kq" "$PF_SRCDIR/configs/keyboard.ini"
# shellcheck disable=SC2086
run_case "keyboard at 32 bits only" 0 $kq --set compress.bits=32 --set output.figures=none --out "$WORK/k32" "$PF_SRCDIR/configs/keyboard.ini"
# 52 participants x 3 widths x (dense + 2 criteria x 2 sparsities) variants.
n=$(wc -l <"$WORK/kq/per_participant.csv")
[ "$n" -eq $((1 + 52 * 3 * 5)) ] && pass "per_participant.csv has every width" || fail "per_participant.csv has $n lines"
awk -F, 'NR == 1 || $4 == 32' "$WORK/kq/per_participant.csv" >"$WORK/kq32.csv"
cmp -s "$WORK/kq32.csv" "$WORK/k32/per_participant.csv" && pass "float32 rows unchanged by the extra widths" \
    || fail "adding widths moved float32 numbers"
# 8 bits is close to float32 (max |delta mean_ccc| small) but not the same model.
awk -F, 'NR > 1 && $4 == 8 { print $1 "," $2 "," $3 "," $13 }' "$WORK/kq/per_participant.csv" | sort >"$WORK/q8.txt"
awk -F, 'NR > 1 && $4 == 32 { print $1 "," $2 "," $3 "," $13 }' "$WORK/kq/per_participant.csv" | sort >"$WORK/q32.txt"
d8=$(paste -d, "$WORK/q8.txt" "$WORK/q32.txt" | awk -F, '{ d = $4 - $8; if (d < 0) d = -d; if (d > m) m = d; s += d } END { printf "%.3g %.3g\n", m, s }')
awk -v d="$d8" 'BEGIN { split(d, a, " "); exit !(a[1] < 0.05 && a[2] > 0) }' \
    && pass "8-bit mean_ccc within 0.05 of float32 and not identical ($d8)" || fail "8-bit vs float32: $d8"
head -1 "$WORK/kq/groups.csv" >"$WORK/h.txt"
expect_in "$WORK/h.txt" "attribute,criterion_a,sparsity_a,bits_a,criterion_b,sparsity_b,bits_b,group,n,compared,mean,mean_delta,gap,gap_lo,gap_hi,gap_delta,ratio,worst_group,kw_h,kw_df,kw_p,kw_p_holm,kw_status"
# sex: 37 women and 15 men; age: band 3 has 2 participants (listed, not compared), one has no
# value (-99); app_version: 43 and 9.
# Each row names the variant, then the dense float32 model its deltas are taken against.
expect_in "$WORK/kq/groups.csv" "sex,dense,0,32,dense,0,32,0,37,1," "sex,dense,0,32,dense,0,32,1,15,1," \
    "age,dense,0,32,dense,0,32,3,2,0," "age,dense,0,32,dense,0,32,*,51,2," \
    "app_version,dense,0,32,dense,0,32,KeyboardStudy_eng,9,1," "sex,magnitude,0.8,4,dense,0,32,*,52,2,"
# A gap is the spread of the group means written beside it.
awk -F, '$1 == "sex" && $2 == "vr(lambda=0.5)" && $3 == 0.8 && $4 == 4 { if ($8 == "*") g = $13; else if ($10 == 1) { m[++n] = $11 } }
    END { d = m[1] - m[2]; if (d < 0) d = -d; exit !(n == 2 && (d - g < 1e-12 && g - d < 1e-12)) }' "$WORK/kq/groups.csv" \
    && pass "gap = max - min of the group means" || fail "gap does not match the group means"
expect_in "$WORK/kq/stats.csv" "groups:sex@s=0.8/4bit,kruskal_wallis,magnitude,0.8,4,dense,0,32,52," \
    "groups:age@s=0/8bit,kruskal_wallis,dense,0,8,dense,0,32,49," \
    "groups:app_version@s=0.8,kruskal_wallis,vr(lambda=0.5),0.8,32,dense,0,32,52,"
# In a 4- or 8-bit family, a row against dense compares with dense float32 and says so; the
# other criteria are at the family's sparsity and width.
n=$(grep -c '^ref:[a-z_]*@s=[0-9.]*/[48]bit,[a-z_]*,[^,]*,[0-9.]*,[48],dense,0,32,' "$WORK/kq/stats.csv")
[ "$n" -eq 12 ] && pass "12 quantised ref: rows against dense float32 (dense,0,32)" || fail "$n quantised ref: rows against dense,0,32, expected 12"
grep -q '^ref:[^,]*,[a-z_]*,[^,]*,[^,]*,[^,]*,dense,[^,]*,[48],' "$WORK/kq/stats.csv" \
    && fail "a ref: row compares with a quantised dense model" || pass "no ref: row compares with a quantised dense model"
# Tested: per attribute, 2 criteria x 1 pruned sparsity x 3 widths + the dense model at 8 and 4.
n=$(grep -c ',kruskal_wallis,' "$WORK/kq/stats.csv")
[ "$n" -eq $((3 * (2 * 3 + 2))) ] && pass "24 Kruskal-Wallis rows" || fail "$n Kruskal-Wallis rows"
for f in tables/fairness_mean_ccc.md tables/fairness_mean_ccc_4bit.tex tables/results_mean_ccc_8bit.md \
    figures/gap_mean_ccc.png figures/gap_mean_ccc_4bit.pdf figures/size_mean_ccc.png cost.csv; do
    [ -s "$WORK/kq/$f" ] && pass "$f written" || fail "$f missing"
done
expect_in "$WORK/kq/tables/fairness_mean_ccc_4bit.md" "weights quantised after pruning to 4-bit integers" \
    "*age: 1 (n = 40), 2 (n = 9); not compared (fewer than 3): 3 (n = 2); 1 without a value*"
# 17-64-32-2: 3200 weights and 98 biases, 4 bytes each as float32; at 8 bits a byte per weight
# and a float32 scale per row.
expect_in "$WORK/kq/cost.csv" "dense,0,32,0,3200,13192,3200," "dense,0,8,0,3200,3984,3200," ",int8"
if command -v h5dump >/dev/null; then
    h5dump -H "$WORK/kq/results.h5" >"$WORK/h5q.txt" 2>&1
    expect_in "$WORK/h5q.txt" 'GROUP "groups"' 'GROUP "age"' 'DATASET "kw_p_holm"' 'DATASET "widths"' 'DATASET "stored_bytes"'
fi
# FairGRAPE may group by any participant attribute: its groups are the attribute's values
# (age: 3 bands; the participant without a value belongs to none).
run_case "FairGRAPE groups from an attribute, dry run" 0 --dry-run --set "data.path=$KEYBOARD" \
    --set prune.fairgrape_group=age "$PF_SRCDIR/configs/keyboard.ini"
expect_in "$OUT" "groups: 3"
# shellcheck disable=SC2086
run_case "FairGRAPE grouped by sex" 0 $kq --set prune.criteria=fairgrape --set compress.bits=32 \
    --set prune.fairgrape_group=sex --set output.figures=none --out "$WORK/fg" "$PF_SRCDIR/configs/keyboard.ini"
awk -F, '$1 == "fairgrape" && $5 == "mean_ccc" && $8 != "nan" { ok = 1 } END { exit !ok }' "$WORK/fg/summary.csv" \
    && pass "FairGRAPE by sex has results" || fail "FairGRAPE by sex gave no results"
cp "$WORK/kq/groups.csv" "$WORK/groups.before"
run_case "--report rebuilds the group analysis" 0 --report "$WORK/kq"
cmp -s "$WORK/groups.before" "$WORK/kq/groups.csv" && pass "rebuilt groups.csv identical" || fail "rebuilt groups.csv differs"

finish
