#!/bin/sh
# test_predictions.sh: output.save_predictions. The stored predictions are the numbers the
# metrics were computed from: awk alone, reading predictions.csv, recomputes every participant's
# CCC, RMSE and Pearson's r (a regression with two outputs) and accuracy and balanced accuracy
# (a high/low classification) of the dense model and of magnitude pruning at 0.8, and finds
# per_participant.csv's values exactly. Each window names its data row and time in the file it
# came from; the windows the margin dropped are listed, marked; --report rebuilds the file byte
# for byte; the traces of the best and the worst participant are drawn.
set -eu
. "$(dirname "$0")/cli_lib.sh"

# recompute WHAT FILE_PRED FILE_PP CRIT SP: every participant of variant (CRIT, SP, 32 bits),
# repeat 0, recomputed from predictions.csv; prints "checked N values, M differ" and fails
# when any differs. WHAT = regression: ccc, rmse, pearson per output, as docs/metrics.md defines
# them (two-pass population moments in window order); classification: accuracy and balanced
# accuracy (recall averaged over the classes present, in class order, the p_<class> columns').
recompute() {
    awk -v WHAT="$1" -v CRIT="$4" -v SP="$5" '
    BEGIN { FS = "," }
    FNR == 1 {
        file++
        for (i = 1; i <= NF; i++) col[file, $i] = i
        if (file == 1) for (i = 1; i <= NF; i++) if ($i ~ /^p_/) cls[++nc] = substr($i, 3)
        next
    }
    file == 1 {
        if ($col[1, "criterion"] != CRIT || $col[1, "sparsity"] != SP || $col[1, "bits"] != 32 ||
            $col[1, "repeat"] != 0 || $col[1, "dropped"] != 0) next
        k = $1 SUBSEP (WHAT == "regression" ? $col[1, "output"] : "")
        if (!(k in n)) { n[k] = 0; keys[++nk] = k }
        m = ++n[k]
        if (WHAT == "regression") {
            x[k, m] = $col[1, "prediction"] + 0; y[k, m] = $col[1, "target"] + 0
            outs[$col[1, "output"]] = 1
        } else {
            x[k, m] = $col[1, "predicted"]; y[k, m] = $col[1, "label"]
        }
        next
    }
    $col[2, "criterion"] == CRIT && $col[2, "sparsity"] == SP && $col[2, "bits"] == 32 &&
    $col[2, "repeat"] == 0 {
        if (WHAT == "regression") {
            for (o in outs) for (j = 1; j <= 3; j++) {
                name = j == 1 ? "ccc" : j == 2 ? "rmse" : "pearson"
                want[$1 SUBSEP o, name] = $col[2, name "[" o "]"]
            }
        } else {
            want[$1 SUBSEP "", "accuracy"] = $col[2, "accuracy"]
            want[$1 SUBSEP "", "balanced_accuracy"] = $col[2, "balanced_accuracy"]
        }
    }
    END {
        for (i = 1; i <= nk; i++) {
            k = keys[i]; m = n[k]; delete got
            if (WHAT == "regression") {
                ma = 0; mb = 0; va = 0; vb = 0; cov = 0; ss = 0
                for (j = 1; j <= m; j++) { ma += x[k, j]; mb += y[k, j] }
                ma /= m; mb /= m
                for (j = 1; j <= m; j++) {
                    da = x[k, j] - ma; db = y[k, j] - mb
                    va += da * da; vb += db * db; cov += da * db
                    e = x[k, j] - y[k, j]; ss += e * e
                }
                va /= m; vb /= m; cov /= m
                sh = ma - mb; den = va + vb + sh * sh
                got["ccc"] = den == 0 ? 0 : 2 * cov / den
                got["rmse"] = sqrt(ss / m)
                r = (va == 0 || vb == 0) ? 0 : cov / sqrt(va * vb)
                got["pearson"] = r > 1 ? 1 : (r < -1 ? -1 : r)
            } else {
                hit = 0; sum = 0; present = 0
                for (j = 1; j <= m; j++) hit += x[k, j] == y[k, j]
                got["accuracy"] = hit / m
                for (c = 1; c <= nc; c++) {
                    t = 0; h = 0
                    for (j = 1; j <= m; j++) if (y[k, j] == cls[c]) { t++; h += x[k, j] == cls[c] }
                    if (t > 0) { sum += h / t; present++ }
                }
                got["balanced_accuracy"] = sum / present
            }
            for (name in got) {
                checked++
                if (!((k, name) in want) || got[name] != want[k, name] + 0) {
                    bad++
                    split(k, part, SUBSEP)
                    printf "  %s %s %s: %.17g from predictions.csv, %s in per_participant.csv\n",
                        part[1], part[2], name, got[name], want[k, name]
                }
            }
        }
        printf "checked %d values, %d differ\n", checked, bad
        exit bad > 0 || checked == 0
    }' "$2" "$3"
}

check_recomputed() { # check_recomputed WHAT DIR CRIT SP N: N values recomputed, all equal
    if recompute "$1" "$2/predictions.csv" "$2/per_participant.csv" "$3" "$4" >"$WORK/re.txt"; then
        grep -q "^checked $5 values, 0 differ" "$WORK/re.txt" \
            && pass "$3@$4: $5 values recomputed from predictions.csv equal per_participant.csv" \
            || fail "$3@$4: expected $5 values" "$(cat "$WORK/re.txt")"
    else
        fail "$3@$4: recomputed values differ from per_participant.csv" "$(head -8 "$WORK/re.txt")"
    fi
}

# ---- 1. regression, two outputs ----------------------------------------------------------------
# The shared small study (12 participants x 20 windows, 19 variants), with two outputs.
cp "$PF_SRCDIR/tests/data/study.ini" "$WORK/s.ini"
REG="--set synthetic.outputs=2 --set output.save_predictions=true"
run_case "regression with save_predictions" 0 --no-progress $REG --out "$WORK/reg" "$WORK/s.ini"
expect_in "$OUT" "predictions.csv"
P=$WORK/reg/predictions.csv
[ "$(head -1 "$P")" = "participant,window,time,criterion,sparsity,bits,repeat,output,target,prediction,dropped" ] \
    && pass "predictions.csv has the regression header" || fail "header: $(head -1 "$P")"
n=$(($(wc -l <"$P") - 1))
[ "$n" -eq $((19 * 12 * 20 * 2)) ] && pass "one row per (variant, participant, window, output): $n" \
    || fail "predictions.csv has $n rows, expected $((19 * 12 * 20 * 2))"
check_recomputed regression "$WORK/reg" dense 0 72
check_recomputed regression "$WORK/reg" magnitude 0.8 72
# Synthetic windows are numbered in dataset order; no time column; nothing dropped.
awk -F, 'NR > 1 && $4 == "dense" && $8 == "arousal" { if ($2 != w++ || $3 != "" || $11 != 0) bad++ }
         END { exit bad > 0 || w != 240 }' "$P" \
    && pass "windows 0..239 in order, no time, none dropped" || fail "window, time or dropped columns"
if command -v h5ls >/dev/null; then
    h5ls "$WORK/reg/results.h5/predictions" >"$WORK/h5.txt" 2>&1 || true
    expect_in "$WORK/h5.txt" "prediction" "Dataset {19, 1, 240, 2}" "target" "row" "participant"
fi
cp "$P" "$WORK/before.csv"
run_case "--report rebuilds from results.h5" 0 --report "$WORK/reg"
cmp -s "$WORK/before.csv" "$P" && pass "--report rebuilds predictions.csv byte for byte" \
    || fail "--report changed predictions.csv"
run_case "the same study without the key" 0 --no-progress --set synthetic.outputs=2 \
    --out "$WORK/plain" "$WORK/s.ini"
[ ! -e "$WORK/plain/predictions.csv" ] && pass "no predictions.csv without output.save_predictions" \
    || fail "predictions.csv written although output.save_predictions = false"
cmp -s "$WORK/plain/per_participant.csv" "$WORK/reg/per_participant.csv" \
    && pass "storing predictions changes no metric" || fail "per_participant.csv differs with the key"

# ---- 2. classification, with windows dropped by the margin ------------------------------------
CLS="--set data.task=classification --set data.target_transform=above_median"
CLS="$CLS --set data.transform_margin=0.05 --set output.save_predictions=true"
run_case "high/low classification with save_predictions" 0 --no-progress $CLS --out "$WORK/cls" \
    "$WORK/s.ini"
dropped=$(sed -n 's/^\([0-9]*\) windows were dropped: within data.transform_margin.*/\1/p' "$OUT")
P=$WORK/cls/predictions.csv
[ "$(head -1 "$P")" = "participant,window,time,criterion,sparsity,bits,repeat,output,label,predicted,p_low,p_high,dropped" ] \
    && pass "predictions.csv has the classification header" || fail "header: $(head -1 "$P")"
check_recomputed classification "$WORK/cls" dense 0 24
check_recomputed classification "$WORK/cls" magnitude 0.8 24
# Every dropped window is listed once per (variant, repeat), with no label, class or probability;
# every kept one has a label and probabilities that sum to 1, the larger one its predicted class.
awk -F, -v D="${dropped:-0}" '
    NR == 1 { next }
    $4 == "dense" { all++; if ($13 == 1) nd++ }
    $13 == 1 && ($9 != "" || $10 != "" || $11 != "nan" || $12 != "nan") { bad++ }
    $13 == 0 {
        s = $11 + $12; if (s < 1 - 1e-12 || s > 1 + 1e-12 || $9 == "") bad++
        if (($11 > $12 && $10 != "low") || ($12 > $11 && $10 != "high")) bad++
    }
    END { exit !(D > 0 && nd == D && all == 240 && bad == 0) }' "$P" \
    && pass "the $dropped dropped windows are listed, marked and empty; kept ones consistent" \
    || fail "dropped windows or probabilities wrong (dropped: ${dropped:-none printed})"
# The dropped windows sit among their participant's windows, in window order.
awk -F, 'NR > 1 && $4 == "dense" { if ($1 == p && $2 != w + 1) bad++; p = $1; w = $2 }
         END { exit bad > 0 }' "$P" && pass "dropped windows listed in their place" \
    || fail "windows out of order"

# ---- 3. a CSV file with a time column ----------------------------------------------------------
# 6 participants x 15 windows, written interleaved and out of time order: the loader sorts each
# participant's windows by time, and every prediction row must still name its own data row.
awk 'BEGIN {
    print "pid,t,f1,f2,f3,y"
    for (i = 0; i < 90; i++) {
        p = i % 6; j = int(i / 6); t = (j * 7) % 15
        f1 = sin(i * 0.7 + p); f2 = cos(i * 1.3); f3 = (i * 37 % 11) / 11
        printf "P%d,%d,%.6f,%.6f,%.6f,%.6f\n", p, 100 + 10 * t, f1, f2, f3, 0.5 + 0.3 * f1 - 0.2 * f2 + 0.05 * p
    }
}' >"$WORK/timed.csv"
cat >"$WORK/timed.ini" <<EOF
[experiment]
name = timed
[data]
source = csv
path = $WORK/timed.csv
participant_column = pid
target_column = y
time_column = t
min_windows = 1
[model]
hidden = 8
[train]
max_epochs = 4
patience = 0
[folds]
validation = 0
[prune]
criteria = magnitude,vr
sparsities = 0,0.8
[stats]
bootstrap = 50
[output]
figures = png
save_predictions = true
EOF
run_case "a CSV with a time column" 0 --no-progress --out "$WORK/timed" "$WORK/timed.ini"
awk -F, 'NR == FNR { if (FNR > 1) { who[FNR - 2] = $1; when[FNR - 2] = $2; y[FNR - 2] = $6 }; next }
         FNR > 1 && $4 == "dense" {
             n++
             if (who[$2] != $1 || when[$2] != $3 || y[$2] + 0 != $9 + 0) bad++
             if ($1 == p && $3 <= t) bad++
             p = $1; t = $3
         }
         END { exit !(n == 90 && bad == 0) }' "$WORK/timed.csv" "$WORK/timed/predictions.csv" \
    && pass "each window names its data row, its time and its target; time ascends" \
    || fail "window, time or target do not match the data file"
n=$(ls "$WORK/timed/figures" | grep -c '^trace_P[0-5]\.gp$' || true)
[ "$n" -eq 2 ] && pass "trace figures of the best and the worst participant" \
    || fail "expected 2 trace scripts, found $n" "$(ls "$WORK/timed/figures")"
if command -v gnuplot >/dev/null; then
    n=$(ls "$WORK/timed/figures" | grep -c '^trace_P[0-5]\.png$' || true)
    [ "$n" -eq 2 ] && pass "trace figures rendered" || fail "expected 2 trace PNGs, found $n"
fi
grep -q "t since the participant's first window" "$WORK/timed/figures"/trace_P*.gp \
    && pass "traces are drawn against time" || fail "trace x axis is not time"

finish
