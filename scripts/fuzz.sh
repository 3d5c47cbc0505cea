#!/bin/sh
# fuzz.sh: fuzz the two parsers of user input (DESIGN 11) with libFuzzer under ASan/UBSan.
#
#   scripts/fuzz.sh [SECONDS_EACH]     (default 60)
#
# Builds tests/fuzz/fuzz_config.c and fuzz_dataset.c with clang (-fsanitize=fuzzer), seeds
# them with configs/*.ini and tests/data/*.csv, and runs each for SECONDS_EACH. A crash, leak,
# abort (a refused input without a message) or sanitizer report stops with the input saved
# as crash-* in the work folder. Needs clang (Debian: clang).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
work=${FUZZ_DIR:-/tmp/prunefair-fuzz}
mkdir -p "$work/corpus-config" "$work/corpus-dataset"
cp "$src"/configs/*.ini "$work/corpus-config/"
cp "$src"/tests/data/*.csv "$work/corpus-dataset/"
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -std=c11 -I$src/src"
cflags="$cflags $(pkg-config --cflags inih libcrypto)"
libs="-lgsl $(pkg-config --libs openblas inih libcrypto) -lcsv -lm"
cd "$work"
base="$src/src/config.c $src/src/error.c $src/src/numtext.c"
clang $cflags -o fuzz_config "$src/tests/fuzz/fuzz_config.c" $base $libs
data=""
for m in csvfile dataset table again synthetic target source seed; do data="$data $src/src/$m.c"; done
clang $cflags -o fuzz_dataset "$src/tests/fuzz/fuzz_dataset.c" $data $base $libs
./fuzz_config -max_total_time="$secs" -max_len=4096 corpus-config
./fuzz_dataset -max_total_time="$secs" -max_len=8192 -timeout=10 corpus-dataset
echo "fuzz.sh: no crash in ${secs}s per parser"
