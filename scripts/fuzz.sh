#!/bin/sh
# fuzz.sh: fuzz every reader of input from outside (DESIGN 11) with libFuzzer under ASan/UBSan.
#
#   scripts/fuzz.sh [SECONDS_EACH] [HARNESS...]     (default 60; config dataset results sealed)
#   FUZZ_RUNS=2000 scripts/fuzz.sh                  (the same 2000 inputs of each, as CI runs)
#
# Builds tests/fuzz/fuzz_*.c with clang (-fsanitize=fuzzer) and runs each for SECONDS_EACH:
#   config   the INI parser, seeded with configs/*.ini
#   dataset  the CSV/AGAIN loader in every task shape, seeded with tests/data/*.csv
#   results  the readers of results.h5 (--report), shard files (--merge) and task checkpoints
#            (resume), seeded with the files of a real small study the harness writes first
#   sealed   the same readers behind the seal: each input is sealed first, so HDF5 itself is
#            fuzzed (FUZZ_BEHIND_SEAL=1; HDF5 1.10.8's own bugs show up here, see docs/robustness.md)
# A crash, leak, abort (a refused input without a message) or sanitizer report stops with the
# input saved as crash-* in the work folder (FUZZ_DIR, default /tmp/prunefair-fuzz). Needs
# clang (Debian: clang) and a build of the tree (for the generated sources).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-config dataset results sealed}
work=${FUZZ_DIR:-/tmp/prunefair-fuzz}
mkdir -p "$work/corpus-config" "$work/corpus-dataset" "$work/corpus-results" "$work/corpus-sealed"
cp "$src"/configs/*.ini "$work/corpus-config/"
cp "$src"/tests/data/*.csv "$work/corpus-dataset/"
[ -f "$src/src/plot_templates.c" ] || { echo "fuzz.sh: build the tree first (make)" >&2; exit 2; }
. "$src/scripts/debian_packages.sh"
command -v clang >/dev/null || install_packages fuzz.sh clang
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fopenmp -D_POSIX_C_SOURCE=200809L -std=c11 -I$src/src"
cflags="$cflags $(pkg-config --cflags inih libcrypto hdf5-serial 2>/dev/null || pkg-config --cflags inih libcrypto)"
libs="-lgsl $(pkg-config --libs openblas inih libcrypto) -lcsv -lm"
h5libs="$(pkg-config --libs hdf5-serial 2>/dev/null || echo -lhdf5_serial) -lhdf5_serial_hl -fopenmp"
cd "$work"
# Every harness links the whole library (src/<layer>/**/*.c and the generated plot templates):
# the config reads the registries of later layers (criteria, task shapes), so no harness can
# take a hand-picked subset without breaking on the next registry row.
all="$src/src/plot_templates.c $(find "$src/src" -mindepth 2 -name '*.c' | sort | tr '\n' ' ')"
for h in $harnesses; do
    case $h in
    # shellcheck disable=SC2086
    config) clang $cflags -o fuzz_config "$src/tests/fuzz/fuzz_config.c" $all $libs $h5libs ;;
    # shellcheck disable=SC2086
    dataset) clang $cflags -o fuzz_dataset "$src/tests/fuzz/fuzz_dataset.c" $all $libs $h5libs ;;
    results | sealed)
        if [ ! -x fuzz_results ] || [ -z "${built_results:-}" ]; then
            # shellcheck disable=SC2086
            clang $cflags -fopenmp -o fuzz_results "$src/tests/fuzz/fuzz_results.c" $all $libs $h5libs
            built_results=1
        fi
        FUZZ_SEEDS="$work/corpus-$h" ./fuzz_results >/dev/null 2>&1 || true
        ;;
    *) echo "fuzz.sh: unknown harness '$h' (config, dataset, results, sealed)" >&2; exit 2 ;;
    esac
done
# FUZZ_RUNS=N: a fixed number of inputs from a fixed seed instead of a time budget: the same
# inputs every time, which is what CI's smoke run uses.
runs="-max_total_time=$secs"
[ -n "${FUZZ_RUNS:-}" ] && runs="-runs=$FUZZ_RUNS -seed=1"
for h in $harnesses; do
    case $h in
    config) ./fuzz_config $runs -max_len=4096 corpus-config ;;
    dataset) ./fuzz_dataset $runs -max_len=8192 -timeout=10 corpus-dataset ;;
    results) ./fuzz_results $runs -max_len=65536 -timeout=20 -rss_limit_mb=4096 corpus-results ;;
    sealed) # HDF5 asks malloc for absurd sizes on some corrupt headers (8 GB for one string)
        # and copes with NULL: requests over 1 GB get NULL, as they would on a small machine,
        # instead of counting as a finding. Full stacks on malloc, so the suppressions can see
        # which leaks are inside HDF5 (tests/fuzz/lsan.supp says which and why); HDF5's reads
        # of freed or foreign memory through memcpy are suppressed too (tests/fuzz/asan.supp).
        # prunefair's own errors all count, and nothing is suppressed in front of the seal.
        FUZZ_BEHIND_SEAL=1 LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
            ASAN_OPTIONS="suppressions=$src/tests/fuzz/asan.supp:allocator_may_return_null=1:max_allocation_size_mb=1024:fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
            ./fuzz_results $runs -max_len=65536 -timeout=20 -rss_limit_mb=4096 corpus-sealed ;;
    esac
done
echo "fuzz.sh: no finding in ${secs}s per harness ($harnesses)"
