#!/bin/sh
# bench_heist.sh: how fast the Heist study runs, and what pruning buys at inference.
#
#   experiments/bench_heist.sh [ROUNDS]      (default 3)
#
# Runs configs/heist.ini with 1 and with 2 threads, alternating, ROUNDS times each, and
# reports the median wall time of each and their ratio (the speed-up), measured in one run
# of this script because this machine is noisy. The outputs of all runs must be identical
# (the script checks it). It then reads the single-window latencies (dense model vs CSR at
# each sparsity, for magnitude pruning) from the last results.h5.
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-3}
[ -x run_experiment ] || { echo "build first: scripts/quickstart.sh demo" >&2; exit 2; }
tmp=$(mktemp -d /tmp/pf_bench_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for i in $(seq "$rounds"); do
    for t in 1 2; do
        rm -rf "$tmp/t$t" # a finished run in the folder would only rebuild its report
        s=$(date +%s.%N)
        ./run_experiment --no-progress --threads "$t" --out "$tmp/t$t" configs/heist.ini >/dev/null 2>&1
        e=$(date +%s.%N)
        awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f\n", e - s }' >>"$tmp/times$t"
        cp "$tmp/t$t/per_participant.csv" "$tmp/pp$t.csv"
        cmp -s "$tmp/pp$t.csv" "$tmp/pp1.csv" || { echo "outputs differ!" >&2; exit 1; }
    done
done
m1=$(median <"$tmp/times1")
m2=$(median <"$tmp/times2")
echo "Heist study (122 folds, 5 criteria x 6 sparsities), $rounds rounds, median wall time:"
echo "  1 thread : ${m1} s"
echo "  2 threads: ${m2} s"
echo "  speed-up : $(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.2f", a / b }')x   (outputs identical)"
echo "single-window latency, fold 0 test rows (ns per window; dense kernel, then CSR):"
h5dump -d /variants/name -d /cost/ns_per_window "$tmp/t2/results.h5" |
    awk '/DATASET "\/variants\/name"/ { m = 1 } /DATASET "\/cost\/ns_per_window"/ { m = 2 }
         m && /^ *\([0-9]+\):/ { sub(/^ *\([0-9]+\): */, ""); gsub(/[" ]/, ""); v[m] = v[m] $0 }
         END { n = split(v[1], a, ","); split(v[2], b, ",")
               for (i = 1; i <= n; i++) if (a[i] ~ /^(dense|magnitude)/) printf "  %-16s %s\n", a[i], b[i] }'
