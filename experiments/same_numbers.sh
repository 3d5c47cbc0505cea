#!/bin/sh
# same_numbers.sh REF [CONFIG...]: does this tree compute what commit REF computed?
#
# Builds REF in a git worktree (once; kept under $PF_COMPARE_DIR, default
# /tmp/prunefair-compare), runs every CONFIG (default: configs/demo.ini, heist.ini,
# heist_highlow.ini and keyboard.ini) with REF's program and with this tree's (built here if
# needed), and compares what each run wrote:
#   - every CSV and every table (tables/*.md, *.tex) and every figure's data (figures/*.dat),
#     byte for byte; cost.csv without its ns_per_window column (a wall-clock time);
#   - results.h5 dataset by dataset and attribute by attribute (experiments/h5same.py), set
#     aside: wall-clock times and the machine, clock and build the root attributes describe.
# REF's runs are kept and reused while REF is the same commit. Prints one line per file and
# ends with "N files compared, N differ"; exit 0 when nothing differs, 1 otherwise.
# Needs Debian's python3-h5py (installed when missing). A restructuring that moves no number
# is checked with: experiments/same_numbers.sh <commit before it>
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
[ $# -ge 1 ] || { sed -n 2,3p "$0" >&2; exit 2; }
ref=$(git rev-parse --verify "$1^{commit}") || { echo "same_numbers: no commit '$1'" >&2; exit 2; }
shift
[ $# -gt 0 ] || set -- configs/demo.ini configs/heist.ini configs/heist_highlow.ini configs/keyboard.ini
. scripts/debian_packages.sh
install_packages same_numbers python3-h5py python3-numpy
base=${PF_COMPARE_DIR:-/tmp/prunefair-compare}
tree=$base/tree-$ref
mkdir -p "$base"

if [ ! -x "$tree/run_experiment" ]; then
    echo "same_numbers: building $ref in $tree"
    rm -rf "$tree"
    git worktree prune
    git worktree add -q --detach "$tree" "$ref"
    (cd "$tree" && autoreconf -fi >/dev/null 2>&1 && ./configure --quiet && make -j"$(nproc)" >/dev/null 2>&1)
fi
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)" run_experiment >/dev/null

run() { # run PROGRAM CONFIG OUT: a run into OUT, unless a finished one is there
    [ -f "$3/results.h5" ] && return 0
    rm -rf "$3"
    (cd "$top" && "$1" --no-progress --out "$3" "$2" >"$3.log" 2>&1) \
        || { echo "same_numbers: $1 $2 failed:" >&2; tail -n 5 "$3.log" >&2; exit 1; }
}
no_latency() { # a cost.csv without the ns_per_window column
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ns_per_window") skip = i }
             { out = ""; for (i = 1; i <= NF; i++) if (i != skip) out = out (out == "" ? "" : ",") $i; print out }' "$1"
}

files=0 differ=0
for config in "$@"; do
    name=$(basename "$config" .ini)
    a=$base/runs-$ref/$name b=$base/runs-now/$name
    mkdir -p "$base/runs-$ref" "$base/runs-now"
    rm -rf "$b"
    run "$tree/run_experiment" "$config" "$a"
    run "$top/run_experiment" "$config" "$b"
    list=$( (cd "$a" && find . -name '*.csv' -o -name '*.md' -o -name '*.tex' -o -name '*.dat') | sort)
    blist=$( (cd "$b" && find . -name '*.csv' -o -name '*.md' -o -name '*.tex' -o -name '*.dat') | sort)
    if [ "$list" != "$blist" ]; then
        echo "DIFFER $name: the runs wrote different files"
        echo "$list" >"$base/a.txt"
        echo "$blist" >"$base/b.txt"
        diff "$base/a.txt" "$base/b.txt" | sed 's/^/    /' | head -10
        differ=$((differ + 1))
    fi
    for f in $list; do
        [ -f "$b/$f" ] || continue
        files=$((files + 1))
        case $f in
        */cost.csv) no_latency "$a/$f" >"$base/a.csv" && no_latency "$b/$f" >"$base/b.csv" && cmp -s "$base/a.csv" "$base/b.csv" ;;
        *) cmp -s "$a/$f" "$b/$f" ;;
        esac && continue
        echo "DIFFER $name/${f#./}"
        differ=$((differ + 1))
    done
    files=$((files + 1))
    if /usr/bin/python3 experiments/h5same.py "$a/results.h5" "$b/results.h5" >"$base/h5.txt"; then
        echo "same   $name: $(echo "$list" | wc -l) CSV, table and figure-data files; results.h5: $(tail -n 1 "$base/h5.txt" | sed 's/^h5same: //')"
    else
        echo "DIFFER $name/results.h5:"
        sed 's/^/    /' "$base/h5.txt" | head -20
        differ=$((differ + 1))
    fi
done
echo "same_numbers: $files files compared against $ref, $differ differ"
[ "$differ" -eq 0 ]
