#!/bin/sh
# reproduce_heist.sh: the Heist table and figures of docs/heist.md, from scratch.
#
#   experiments/reproduce_heist.sh [HEIST_CSV] [OUT_DIR]
#
# Builds prunefair if needed, then runs configs/heist.ini -- leave-one-participant-out over
# the 122 Heist players, 64-32 ReLU MLP, Adam 1e-3, batch 64, 30 epochs, all five criteria
# over sparsities 0..0.9 -- with 5 repeats (independent seeds per fold, averaged per
# participant before any statistic), which is what a paper table should rest on. About two
# minutes on 2 cores. The numbers do not depend on the thread count.
#
# HEIST_CSV and OUT_DIR are taken relative to the folder you run the script from; the
# defaults, relative to the repository.
set -eu
here=$(pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$here" "$1" ;; esac; }
data=${1:+$(abspath "$1")}
out=${2:+$(abspath "$2")}
cd "$(dirname "$0")/.."
data=${data:-../shared/data/again/heist_3000ms.csv}
out=${out:-results/heist-paper}
if [ ! -x run_experiment ]; then
    [ -x configure ] || autoreconf -fi
    [ -f Makefile ] || ./configure --quiet
    make -j"$(nproc 2>/dev/null || echo 2)"
fi
./run_experiment --set "data.path=$data" --set experiment.repeats=5 --out "$out" configs/heist.ini
echo
echo "paper table:   $out/tables/results_ccc.md (and .tex; spread_ccc.* beside it)"
echo "figures:       $out/figures/*.png, *.pdf"
echo "statistics:    $out/stats.csv"
