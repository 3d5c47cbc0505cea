#!/bin/sh
# bench_load.sh: the loader against pandas.read_csv on a large windows file (issue 22).
#
#   experiments/bench_load.sh [ROUNDS] [FILE]      (default 3 rounds; FILE default: the
#                                                   1,001,600-row /tmp/heist_x200.csv)
#
# Without FILE, builds /tmp/heist_x200.csv with experiments/heist_copies.sh (once). Then, ROUNDS
# times and interleaved, so a busy machine slows every contender alike:
#   - prunefair's load: `run_experiment --dry-run` of configs/heist.ini on FILE with
#     folds.scheme = group_kfold and PF_CACHE_DIR=off, on 2 threads and on 1;
#   - the cached second load: the same dry run with PF_CACHE_DIR a fresh temporary folder, run
#     twice, the second timed (the parsed-data cache, src/data/cache.h);
#   - pandas.read_csv(FILE) in /usr/bin/python3, when it can import pandas (wall time of the
#     whole process, as for prunefair, and peak memory).
# Prints a markdown section (medians of wall time and peak RSS from /usr/bin/time): rows/s and
# MB/s of each, its ratio to pandas, and its peak RSS against the numeric matrix, the
# dataset's n_windows x n_features doubles plus its per-window arrays (y: n_targets doubles,
# time: a double, row: a size_t, participant: an int), computed from what the dry run prints.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
rounds=${1:-3}
file=${2:-}
case $rounds in '' | *[!0-9]* | 0) echo "bench_load.sh: ROUNDS must be a whole number >= 1" >&2; exit 2 ;; esac
if [ -z "$file" ]; then
    file=/tmp/heist_x200.csv
    [ -s "$file" ] || experiments/heist_copies.sh 200 "$file"
fi
[ -r "$file" ] || { echo "bench_load.sh: cannot read $file" >&2; exit 2; }
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)" run_experiment >/dev/null 2>&1 || { echo "bench_load.sh: the build failed (run make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_load.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/bench_load.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cfg=configs/heist.ini
set -- --dry-run --set "data.path=$file" --set folds.scheme=group_kfold "$cfg"

# measure NAME COMMAND...: one timed run, "seconds kilobytes" appended to $tmp/NAME.
measure() {
    name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$tmp/one" "$@" >"$tmp/out" 2>"$tmp/err" || {
        echo "bench_load.sh: $name failed:" >&2
        cat "$tmp/err" >&2
        exit 1
    }
    cat "$tmp/one" >>"$tmp/$name"
}

have_pandas=0
/usr/bin/python3 -c 'import pandas' 2>/dev/null && have_pandas=1
PF_CACHE_DIR=off ./run_experiment --threads 2 "$@" >"$tmp/plan" 2>&1
windows=$(sed -n 's/^windows: //p' "$tmp/plan")
features=$(sed -n 's/^features: \([0-9]*\).*/\1/p' "$tmp/plan")
targets=$(sed -n 's/^targets: //p' "$tmp/plan" | awk -F', *' '{ print NF }')
rows=$(sed -n 's/^rows-read: //p' "$tmp/plan")
bytes=$(wc -c <"$file")

for r in $(seq "$rounds"); do
    PF_CACHE_DIR=off measure t2 ./run_experiment --threads 2 "$@"
    PF_CACHE_DIR=off measure t1 ./run_experiment --threads 1 "$@"
    rm -rf "$tmp/cache"
    mkdir "$tmp/cache"
    PF_CACHE_DIR=$tmp/cache ./run_experiment --threads 2 "$@" >/dev/null 2>&1
    PF_CACHE_DIR=$tmp/cache measure cached ./run_experiment --threads 2 "$@"
    if [ $have_pandas = 1 ]; then
        measure pandas /usr/bin/python3 -c 'import sys, pandas; pandas.read_csv(sys.argv[1])' "$file"
    fi
done

median() { # median COLUMN FILE
    cut -d' ' -f"$1" "$2" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
matrix=$(awk -v n="$windows" -v f="$features" -v t="$targets" 'BEGIN { printf "%.0f", n * (f * 8 + t * 8 + 8 + 8 + 4) }')
pandas_s=
if [ $have_pandas = 1 ]; then pandas_s=$(median 1 "$tmp/pandas"); fi

echo "## Loader: $(basename "$file"), $rows rows, $(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB"
echo
echo "Medians of $rounds interleaved rounds; wall time of the whole process and peak RSS"
echo "(/usr/bin/time). prunefair: \`run_experiment --dry-run\` of $cfg with folds.scheme ="
echo "group_kfold (parse, order, check, folds), PF_CACHE_DIR=off unless cached."
echo "Numeric matrix: $windows windows x ($features features x 8 B + $targets target(s) x 8 B +"
echo "time 8 B + row 8 B + participant 4 B) = $(awk -v m="$matrix" 'BEGIN { printf "%.1f", m / 1e6 }') MB."
echo
echo "| loader | wall s | rows/s | MB/s | vs pandas | peak RSS MB | RSS / matrix |"
echo "|:--|--:|--:|--:|--:|--:|--:|"
for name in t2 t1 cached pandas; do
    [ -s "$tmp/$name" ] || continue
    case $name in
    t2) label="prunefair, 2 threads" ;;
    t1) label="prunefair, 1 thread" ;;
    cached) label="prunefair, cached second load" ;;
    pandas) label="pandas.read_csv" ;;
    esac
    s=$(median 1 "$tmp/$name")
    kb=$(median 2 "$tmp/$name")
    awk -v l="$label" -v s="$s" -v kb="$kb" -v rows="$rows" -v b="$bytes" -v p="$pandas_s" -v m="$matrix" 'BEGIN {
        ratio = p == "" ? "-" : sprintf("%.2fx faster", p / s)
        if (l == "pandas.read_csv") ratio = "1"
        printf "| %s | %.2f | %.2fM | %.0f | %s | %.0f | %.2f |\n", l, s, rows / s / 1e6, b / s / 1e6, ratio, kb * 1024 / 1e6, kb * 1024 / m
    }'
done
if [ $have_pandas = 0 ]; then
    echo
    echo "(pandas not measured: /usr/bin/python3 cannot import pandas; Debian: apt-get install python3-pandas)"
fi
