#!/bin/sh
# test_final.sh: from the study to the device (docs/deploy.md). --report names the variant to
# deploy, within report.size_budget_bytes; --final fits that variant once on every participant
# with the study's own protocol and writes final/model.h5 and final/fitted.csv; --export writes
# it as C, CSV and JSON. The same command gives the same model for any thread count; the
# exported C, compiled here (and for aarch64 under qemu), reproduces fitted.csv -- the model's
# own predictions of every window it was fitted on -- from the data file alone, bit for bit.
# Bad input: exit 2 with the reason, before any training, nothing written.
set -eu
. "$(dirname "$0")/cli_lib.sh"

# ---- data: a CSV study of 16 participants x 12 windows, 4 features, one target ---------------
# An empty feature cell (data.missing = mean fills it per fold), a header name with blanks
# around it (trimmed by prunefair and by experiments/deploy alike), a text column the config
# drops, a quoted field with a comma.
awk 'BEGIN {
    srand(7); print "pid,time,note, f_a ,f_b,f_c,f_d,arousal"
    for (p = 1; p <= 16; p++) for (w = 0; w < 12; w++) {
        a = rand(); b = rand(); c = rand() * 3; d = rand() - 0.5
        y = 0.6 * a - 0.4 * b + 0.2 * c * d + 0.05 * p / 16 + 0.1 * rand()
        if (p == 3 && w == 5) b = ""
        printf "P%02d,%d,\"n, %d\",%.6f,%s,%.6f,%.6f,%.6f\n", p, w, w, a, b == "" ? "" : sprintf("%.6f", b), c, d, y
    }
}' >"$WORK/data.csv"
cat >"$WORK/s.ini" <<EOF
[experiment]
name = fin
[data]
source = csv
path = $WORK/data.csv
participant_column = pid
target_column = arousal
time_column = time
drop_columns = note
missing = mean
[folds]
validation = 0.25
[model]
hidden = 8,4
activation = tanh
[train]
max_epochs = 6
batch_size = 32
learning_rate = 0.01
patience = 2
[prune]
criteria = random,magnitude,vr
sparsities = 0,0.8
vr_lambda = 0.5
[compress]
bits = 32,4
clusters = 0,4
[stats]
bootstrap = 100
[output]
figures = none
EOF

# ---- the study, and the variant it recommends ------------------------------------------------
run_case "the study" 0 --no-progress --out "$WORK/study" "$WORK/s.ini"
run_case "--report names the variant to deploy" 0 --report "$WORK/study"
expect_in "$OUT" "to deploy: " "fit it on every participant: run_experiment --final --variant"
best=$(sed -n "s/^to deploy: \([^ ]*\) .*/\1/p" "$OUT")
# The rule, recomputed from summary.csv and cost.csv: the best mean CCC, within the budget.
pick() { # pick BUDGET: the variant name of the best mean ccc among those stored in <= BUDGET
    awk -F, -v budget="$1" '
        FNR == 1 { file++; next }
        file == 1 { bytes[$1 "," $2 "," $3 "," $4] = $7; next }
        $6 == "ccc" {
            k = $1 "," $2 "," $3 "," $4
            if (budget > 0 && bytes[k] > budget) next
            if (best == "" || $9 > m || ($9 == m && bytes[k] < mb)) { best = k; m = $9; mb = bytes[k] }
        }
        END {
            split(best, p, ",")
            name = p[1] == "dense" ? "dense" : p[1] "@" p[2]
            if (p[3] != 0) name = name "/c" p[3]
            if (p[4] != 32) name = name "/" p[4] "bit"
            print name
        }' "$WORK/study/cost.csv" "$WORK/study/summary.csv"
}
want=$(pick 0)
[ "$best" = "$want" ] && pass "recommended $best: the best mean CCC of summary.csv" \
    || fail "recommended '$best', summary.csv's best is '$want'"
budget=$(awk -F, 'NR > 1 && $1 == "magnitude" && $2 == 0.8 && $3 == 0 && $4 == 4 { print int($7) + 1 }' "$WORK/study/cost.csv")
run_case "--report within a size budget" 0 --set "report.size_budget_bytes=$budget" --report "$WORK/study"
best_b=$(sed -n "s/^to deploy: \([^ ]*\) .*/\1/p" "$OUT")
want_b=$(pick "$budget")
[ "$best_b" = "$want_b" ] && [ "$best_b" != "$best" ] \
    && pass "within $budget bytes: $best_b (summary.csv's best that fits)" \
    || fail "within $budget bytes: '$best_b', expected '$want_b' (and not '$best')"
run_case "--report refuses --set of a key in the hash" 2 --set train.max_epochs=3 --report "$WORK/study"
expect_in "$ERR" "only keys outside its hash"

# ---- --final --------------------------------------------------------------------------------
V='magnitude@0.8/c4/4bit'
# Into the study's folder (by default the final model goes there: --out names it), so the
# model carries the study's numbers of the variant; the second fit, into a copy of it.
cp -R "$WORK/study" "$WORK/f1"
cp -R "$WORK/study" "$WORK/f2"
run_case "--final $V, 1 thread" 0 --no-progress --threads 1 --final --variant "$V" --export c,csv,json \
    --out "$WORK/f1" "$WORK/s.ini"
expect_in "$OUT" "final model: $V, fitted on 16 participants" "exported: $WORK/f1/final/c/"
for f in model.h5 fitted.csv c/model.c c/model.h csv/parameters.csv json/model.json; do
    [ -s "$WORK/f1/final/$f" ] && pass "final/$f written" || fail "final/$f missing"
done
n=$(($(wc -l <"$WORK/f1/final/fitted.csv") - 1))
[ "$n" -eq $((16 * 12)) ] && pass "fitted.csv: every one of the 192 windows" || fail "fitted.csv has $n rows"
run_case "--final $V, 2 threads" 0 --no-progress --threads 2 --final --variant "$V" --export c \
    --out "$WORK/f2" "$WORK/s.ini"
cmp -s "$WORK/f1/final/fitted.csv" "$WORK/f2/final/fitted.csv" \
    && grep -v 'threads = ' "$WORK/f1/final/c/model.c" >"$WORK/c1" \
    && grep -v 'threads = ' "$WORK/f2/final/c/model.c" >"$WORK/c2" && cmp -s "$WORK/c1" "$WORK/c2" \
    && pass "1 and 2 threads: the same model and predictions" || fail "the final model depends on threads"
grep -q "study        ccc per participant over 16 participants: mean" "$WORK/f1/final/c/model.c" \
    && pass "model.c carries the study's per-participant summary" || fail "no study summary in model.c"
run_case "--export alone on a final folder" 0 --export json "$WORK/f2/final"
[ -s "$WORK/f2/final/json/model.json" ] && pass "--export json FINAL_DIR" || fail "no model.json"

# ---- the exported C reproduces the model's own predictions, from the data file alone --------
# experiments/deploy reads data.csv, picks the model's features by name and prints each row's
# outputs as prunefair's doubles (model_predict_double, "%.17g"); row r of the file is window r
# of fitted.csv (every row of this data is a window).
same_as_fitted() { # same_as_fitted NAME FITTED_CSV OUTPUT_FILE: every window's outputs equal
    if awk 'NR == FNR { if (FNR > 1) { split($0, f, ","); k = (f[2] in n) ? n[f[2]] + 1 : 1
                                       n[f[2]] = k; want[f[2], k] = f[4] } next }
        { row = FNR - 1; if (!(row in n)) next; seen++
          for (k = 1; k <= n[row]; k++) if ($k + 0 != want[row, k] + 0) {
              bad++; if (bad < 4) print "row " row " output " k ": " $k " != " want[row, k] } }
        END { w = 0; for (r in n) w++
              print seen " of " w " windows compared, " bad + 0 " differ"; exit !(seen == w && bad == 0) }' \
        "$2" "$3" >"$WORK/cmp.txt"; then
        pass "$1: $(cat "$WORK/cmp.txt")"
    else
        fail "$1" "$(cat "$WORK/cmp.txt")"
    fi
}
DEPLOY=$PF_SRCDIR/experiments/deploy
if make -s -C "$DEPLOY" MODEL_DIR="$WORK/f1/final/c" OUT="$WORK/predict" >"$WORK/make.txt" 2>&1; then
    "$WORK/predict" "$WORK/data.csv" >"$WORK/x86.txt"
    same_as_fitted "the exported C, compiled here, gives fitted.csv bit for bit" \
        "$WORK/f1/final/fitted.csv" "$WORK/x86.txt"
else
    fail "experiments/deploy does not build with the system compiler" "$(head -5 "$WORK/make.txt")"
fi
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
    if make -s -C "$DEPLOY" MODEL_DIR="$WORK/f1/final/c" OUT="$WORK/predict-a64" \
        CC=aarch64-linux-gnu-gcc LDFLAGS=-static >"$WORK/make.txt" 2>&1; then
        qemu-aarch64 "$WORK/predict-a64" "$WORK/data.csv" >"$WORK/a64.txt"
        cmp -s "$WORK/x86.txt" "$WORK/a64.txt" && pass "aarch64 under qemu: the same bytes as here" \
            || fail "aarch64 under qemu differs from here" "$(diff "$WORK/x86.txt" "$WORK/a64.txt" | head -3)"
    else
        fail "experiments/deploy does not cross-compile for aarch64" "$(head -5 "$WORK/make.txt")"
    fi
else
    fail "aarch64-linux-gnu-gcc or qemu-aarch64 missing (Debian: gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user; scripts/quickstart.sh test installs them)"
fi

# A classification (high/low arousal per participant, a margin dropping some windows): the
# exported C gives each class's probability as the model did, window by window.
run_case "--final of a classification" 0 --no-progress --set data.task=classification \
    --set data.target_transform=above_median --set data.transform_margin=0.05 \
    --final --variant 'vr(lambda=0.5)@0.8/c4' --export c --out "$WORK/fc" "$WORK/s.ini"
if make -s -C "$DEPLOY" MODEL_DIR="$WORK/fc/final/c" OUT="$WORK/predict-c" >"$WORK/make.txt" 2>&1; then
    "$WORK/predict-c" "$WORK/data.csv" >"$WORK/cls.txt"
    same_as_fitted "classification: the exported C's class probabilities are fitted.csv's" \
        "$WORK/fc/final/fitted.csv" "$WORK/cls.txt"
else
    fail "experiments/deploy does not build the classifier" "$(head -5 "$WORK/make.txt")"
fi

# ---- bad input: exit 2, nothing written -------------------------------------------------------
run_case "a variant the study lacks (sparsity)" 2 --final --variant magnitude@0.5 --out "$WORK/b1" "$WORK/s.ini"
expect_in "$ERR" "sparsity 0.5 is not in the study's grid (prune.sparsities = 0, 0.8)"
run_case "a variant the study lacks (criterion)" 2 --final --variant snip@0.8 --out "$WORK/b1" "$WORK/s.ini"
expect_in "$ERR" "the study has no criterion 'snip' (its criteria: random, magnitude, vr(lambda=0.5))"
run_case "a variant the study lacks (width)" 2 --final --variant magnitude@0.8/8bit --out "$WORK/b1" "$WORK/s.ini"
expect_in "$ERR" "the study has no 8-bit weights (compress.bits)"
run_case "a variant that does not parse" 2 --final --variant magnitude@0.8/4bits --out "$WORK/b1" "$WORK/s.ini"
expect_in "$ERR" "cannot read 's'" "CRITERION@SPARSITY[/cK][/Bbit]"
[ ! -e "$WORK/b1" ] && pass "nothing written for a bad variant" || fail "$WORK/b1 written anyway"
run_case "a final/ that exists" 2 --final --variant "$V" --out "$WORK/f1" "$WORK/s.ini"
expect_in "$ERR" "$WORK/f1/final already exists"
run_case "--final without --variant" 2 --final "$WORK/s.ini"
expect_in "$ERR" "--final and --variant go together"
run_case "--export of a folder without a model" 2 --export c "$WORK/study"
run_case "--export of an unknown format" 2 --export onnx "$WORK/f1/final"
expect_in "$ERR" "unknown format 'onnx' (accepted: c, csv, json)"
sed 's|^path = .*|path = /nonexistent/data.csv|' "$WORK/s.ini" >"$WORK/missing.ini"
run_case "a config whose data is missing" 2 --final --variant "$V" --out "$WORK/b2" "$WORK/missing.ini"
[ ! -e "$WORK/b2/final" ] && pass "nothing written when the data is missing" || fail "final/ written anyway"

finish
