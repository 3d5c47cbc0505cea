#!/bin/sh
# bench.sh: what a study costs on this machine, measured in one run (`make bench`).
#
#   make bench                 (or: experiments/bench.sh [ROUNDS], after a build; ROUNDS = 3)
#
# 1. The training step (experiments/bench_train): samples/s and GFLOP/s of the Heist network
#    at batch 32, 64 and 256 for every kernel this CPU runs, against the single-thread SGEMM
#    rate of OpenBLAS measured in the same rounds (the ceiling).
# 2. The full Heist study (configs/heist.ini: 122 folds, 5 criteria x 6 sparsities, 3 widths,
#    group fairness) on 1 and 2 threads, alternating, ROUNDS times: median wall time, peak
#    memory, the speed-up, and a check that both give the same bytes.
# 3. The reference protocol of ../shared/bench/torch_peer.py (magnitude, SNIP, VR at 0.5, 0.8,
#    0.9) on one thread: its training GFLOP/s as a share of part 1's ceiling, where the time
#    goes (perf, when it runs here), and PyTorch side by side when Debian's python3-torch is
#    installed.
# 4. How time grows: the training of a synthetic study against windows, participants and
#    hidden width (one criterion, one thread).
# 5. Loading and memory at scale: the Heist file copied 200 times (1M rows, 24,400
#    participants) loaded by prunefair on 1 and 2 threads, from the parsed-data cache and by
#    pandas.read_csv (experiments/bench_load.sh), and a leave-one-out plan of all those
#    participants against group_kfold's: time and peak memory.
# Medians of interleaved runs, because this kind of machine is noisy; ratios are the numbers
# to compare across machines. The report goes to stdout and to results/bench/.
set -eu
src=${PF_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${PF_BUILDDIR:-$src}
rounds=${1:-3}
run="$build/run_experiment"
[ -x "$run" ] && [ -x "$build/experiments/bench_train" ] || {
    echo "bench.sh: build first (make bench builds and runs it)" >&2
    exit 2
}
heist="$src/../shared/data/again/heist_3000ms.csv"
peer="$src/../shared/bench/torch_peer.py"
out_dir="$build/results/bench"
mkdir -p "$out_dir"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
report="$out_dir/bench-$(hostname)-$stamp.md"
tmp=$(mktemp -d /tmp/pf_bench_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f\n", e - s }'; }
attr() { h5dump -a "/$2" "$1" | awk -F': ' '/\(0\)/ { gsub(/"/, "", $2); print $2; exit }'; }
# timed NAME ARGS...: run_experiment into $tmp/NAME (fresh), wall seconds to stdout
timed() {
    name=$1
    shift
    rm -rf "${tmp:?}/$name"
    s=$(now)
    "$run" --no-progress --out "$tmp/$name" "$@" >"$tmp/$name.log" 2>&1
    since "$s"
}

{
    echo "# prunefair benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
        "flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f)$' | tr '\n' ' ')"
    echo "prunefair $(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown);" \
        "kernel in use: $("$run" --dry-run "$src/configs/demo.ini" | sed -n 's/^kernel: //p')"
    echo
    echo "## 1. The training step (single thread)"
    echo
    echo '```'
    "$build/experiments/bench_train" "$out_dir/bench-train-$stamp.tsv"
    echo '```'
} | tee "$report"

if [ -r "$heist" ]; then
    for i in $(seq "$rounds"); do
        for t in 1 2; do
            timed "h$t" --threads "$t" --set "data.path=$heist" "$src/configs/heist.ini" >>"$tmp/times$t"
            attr "$tmp/h$t/results.h5" peak_memory_kb >>"$tmp/mem$t"
        done
        cmp -s "$tmp/h1/per_participant.csv" "$tmp/h2/per_participant.csv" || {
            echo "bench.sh: 1 and 2 threads gave different results" >&2
            exit 1
        }
    done
    m1=$(median <"$tmp/times1") m2=$(median <"$tmp/times2")
    {
        echo
        echo "## 2. The full Heist study ($rounds rounds, medians)"
        echo
        echo "| threads | wall time | peak memory |"
        echo "|---:|---:|---:|"
        echo "| 1 | $m1 s | $(median <"$tmp/mem1" | awk '{ printf "%.0f MB", $1 / 1024 }') |"
        echo "| 2 | $m2 s | $(median <"$tmp/mem2" | awk '{ printf "%.0f MB", $1 / 1024 }') |"
        echo
        echo "Speed-up on 2 threads: $(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.2f", a / b }')x, outputs identical."
    } | tee -a "$report"
else
    echo "(no Heist data at $heist: section 2 skipped)" | tee -a "$report"
fi

# 3. The reference protocol end to end, against the ceiling of part 1 and, with PyTorch, side
# by side. Its training work: every fold trains on all windows but its participant's for
# `epochs` epochs (validation 0), at the flops per sample bench_train printed.
if [ -r "$heist" ]; then
    proto="--threads 1 --set data.path=$heist --set prune.criteria=magnitude,snip,vr
        --set prune.sparsities=0.5,0.8,0.9 --set compress.bits=32 --set fairness.attributes=none
        --set output.figures=none --set output.tables=none"
    # shellcheck disable=SC2086
    "$run" --dry-run $proto "$src/configs/heist.ini" >"$tmp/proto.plan"
    P=$(sed -n 's/^participants: //p' "$tmp/proto.plan")
    N=$(sed -n 's/^windows: //p' "$tmp/proto.plan")
    epochs=$(awk -F' *= *' '$1 == "max_epochs" { print $2 }' "$src/configs/heist.ini")
    fps=$(sed -n 's/.*: \([0-9]*\) flops per sample.*/\1/p' "$report")
    ceiling=$(awk -F'\t' 'NR == 2 { print $6 }' "$out_dir/bench-train-$stamp.tsv")
    gflop=$(awk -v n="$N" -v p="$P" -v e="$epochs" -v f="$fps" 'BEGIN { printf "%.1f", n * (p - 1) * e * f / 1e9 }')
    torch_ok=0
    [ -r "$peer" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null && torch_ok=1
    # shellcheck disable=SC2086
    ours_a=$(timed p1 $proto "$src/configs/heist.ini")
    if [ "$torch_ok" = 1 ]; then
        s=$(now)
        /usr/bin/python3 "$peer" --data "$heist" --threads 1 >"$tmp/torch.json"
        theirs=$(since "$s")
    fi
    # shellcheck disable=SC2086
    ours_b=$(timed p2 $proto "$src/configs/heist.ini")
    ours=$(printf '%s\n%s\n' "$ours_a" "$ours_b" | median)
    rate=$(awk -v g="$gflop" -v t="$ours" 'BEGIN { printf "%.1f", g / t }')
    {
        echo
        echo "## 3. The reference protocol end to end (one thread)"
        echo
        echo "LOPO on Heist ($P participants, $N windows), dense training of $epochs epochs then one-shot magnitude,"
        echo "SNIP and VR at 0.5, 0.8, 0.9 (../shared/bench/torch_peer.py's protocol): $gflop GFLOP of training"
        echo "($N x $((P - 1)) windows x $epochs epochs x $fps flops)."
        echo
        echo "| | wall time | GFLOP/s of training | share of the SGEMM ceiling ($ceiling GFLOP/s) | dense mean CCC |"
        echo "|---|---:|---:|---:|---:|"
        echo "| prunefair (median of 2$([ "$torch_ok" = 1 ] && echo ', before and after PyTorch')) | $ours s | $rate | $(awk -v r="$rate" -v c="$ceiling" 'BEGIN { printf "%.0f%%", 100 * r / c }') | $(awk -F, '$1 == "dense" && $5 == "ccc" { printf "%.3f", $8 }' "$tmp/p1/summary.csv") |"
        if [ "$torch_ok" = 1 ]; then
            echo "| PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') (torch_peer.py) | $theirs s | $(awk -v g="$gflop" -v t="$theirs" 'BEGIN { printf "%.1f", g / t }') | $(awk -v g="$gflop" -v t="$theirs" -v c="$ceiling" 'BEGIN { printf "%.0f%%", 100 * g / t / c }') | $(sed -n 's/.*"dense_ccc_mean": *\([-0-9.e]*\).*/\1/p' "$tmp/torch.json" | awk '{ printf "%.3f", $1 }') |"
            echo
            echo "prunefair is $(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')x faster."
        else
            echo
            echo "(PyTorch side by side skipped: needs python3-torch: apt-get install python3-torch)"
        fi
    } | tee -a "$report"
    # Where the time goes, when perf can sample this machine: the product kernel's share.
    # shellcheck disable=SC2086
    if command -v perf >/dev/null 2>&1 &&
        perf record -q -F 999 -o "$tmp/perf.data" "$run" --no-progress --out "$tmp/pp" $proto \
            "$src/configs/heist.ini" >/dev/null 2>&1; then
        perf report -i "$tmp/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
            awk '/^ +[0-9.]+%/ { sub(/%/, "", $1); n++; if (n <= 8) top = top sprintf("%s %s%%, ", $3, $1)
                                 if ($3 ~ /^gemm_/) g += $1 }
                 END { printf "\nProfile (perf, %s): the product kernel %.0f%% of the time; the top: %s\n", "one run", g, substr(top, 1, length(top) - 2) }' |
            tee -a "$report"
    fi
else
    echo "(no Heist data at $heist: section 3 skipped)" | tee -a "$report"
fi

# How time grows, on synthetic data: training dominates, one criterion and one sparsity.
grow="--threads 1 --set prune.criteria=magnitude --set prune.sparsities=0.5 --set compress.bits=32
    --set output.figures=none --set output.tables=none --set folds.validation=0
    --set train.patience=0 --set train.max_epochs=20 --set synthetic.participants=40"
{
    echo
    echo "## 4. How time grows (synthetic data, 40 participants unless varied, 20 epochs, 1 thread)"
    echo
    echo "| varied | value | wall time | per unit of the first |"
    echo "|---|---:|---:|---:|"
} | tee -a "$report"
base=""
for w in 25 50 100; do
    # shellcheck disable=SC2086
    t=$(timed g $grow --set synthetic.windows=$w "$src/configs/demo.ini")
    base=${base:-$t}
    echo "| windows per participant | $w | $t s | $(awk -v t="$t" -v b="$base" -v w="$w" 'BEGIN { printf "%.2f", (t / b) / (w / 25) }') |" | tee -a "$report"
done
base=""
for p in 20 40 80; do
    # shellcheck disable=SC2086
    t=$(timed g $grow --set synthetic.windows=50 --set synthetic.participants=$p "$src/configs/demo.ini")
    base=${base:-$t}
    # LOPO: p folds of (p - 1) participants each, so the work grows as p (p - 1).
    echo "| participants (work ~ p(p-1)) | $p | $t s | $(awk -v t="$t" -v b="$base" -v p="$p" 'BEGIN { printf "%.2f", (t / b) / (p * (p - 1) / 380) }') |" | tee -a "$report"
done
base=""
for h in 16,8 32,16 64,32 128,64; do
    # shellcheck disable=SC2086
    t=$(timed g $grow --set synthetic.windows=50 --set model.hidden=$h "$src/configs/demo.ini")
    a=${h%,*} b=${h#*,}
    wts=$((30 * a + a * b + b))
    base=${base:-$t} bw=${bw:-$wts}
    echo "| hidden widths (weights) | $h ($wts) | $t s | $(awk -v t="$t" -v b="$base" -v w="$wts" -v bw="$bw" 'BEGIN { printf "%.2f", (t / b) / (w / bw) }') |" | tee -a "$report"
done
echo | tee -a "$report"

# 5. Loading and memory at scale, on the Heist file copied 200 times (heist_copies.sh: 1,001,600
# rows, 24,400 participants): the loader against pandas (bench_load.sh), then the plan of a
# leave-one-out study of all those participants against group_kfold's, from the parsed-data
# cache so that only the folds differ.
if [ -r "$heist" ]; then
    big=$tmp/heist_x200.csv
    PF_HEIST=$heist "$src/experiments/heist_copies.sh" 200 "$big" >/dev/null
    {
        echo "## 5. Loading and memory at scale"
        echo
        "$src/experiments/bench_load.sh" "$rounds" "$big"
    } | tee -a "$report"
    export PF_CACHE_DIR="$tmp/cache"
    "$run" --dry-run --set "data.path=$big" "$src/configs/heist.ini" >/dev/null # fills the cache
    for i in $(seq "$rounds"); do
        for scheme in lopo group_kfold; do
            /usr/bin/time -f '%e %M' -o "$tmp/one" "$run" --dry-run --threads 2 --set "data.path=$big" \
                --set folds.scheme=$scheme "$src/configs/heist.ini" >"$tmp/plan.$scheme"
            cat "$tmp/one" >>"$tmp/scale.$scheme"
        done
    done
    unset PF_CACHE_DIR
    {
        echo
        echo "The plan (--dry-run, 2 threads, parsed-data cache warm) of a study of all $(sed -n 's/^participants: //p' "$tmp/plan.lopo") participants, medians of $rounds:"
        echo
        echo "| folds.scheme | folds | wall time | peak memory |"
        echo "|---|---:|---:|---:|"
        for scheme in lopo group_kfold; do
            echo "| $scheme | $(sed -n 's/^folds: //p' "$tmp/plan.$scheme") | $(cut -d' ' -f1 "$tmp/scale.$scheme" | median) s | $(cut -d' ' -f2 "$tmp/scale.$scheme" | median | awk '{ printf "%.0f MB", $1 / 1024 }') |"
        done
        echo
    } | tee -a "$report"
else
    echo "(no Heist data at $heist: section 5 skipped)" | tee -a "$report"
fi
echo "The report: $report" >&2
