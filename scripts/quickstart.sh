#!/bin/sh
# quickstart.sh: from a fresh Debian 12 machine to a result, in one command.
#
#   scripts/quickstart.sh demo   install what is missing, build, run configs/demo.ini
#   scripts/quickstart.sh test   install what is missing, build, run every test
#
# It installs Debian packages only when they are missing (as root, or through sudo),
# generates and runs configure only when needed, and builds with all cores. The test mode
# prints every test's own lines (cmocka's per-test results, the shell tests' ok/not ok),
# which automake otherwise hides in tests/*.log, and ends with one "N passed, N failed" line.
set -eu
cd "$(dirname "$0")/.."
mode=${1:-demo}
case $mode in demo | test) ;; *) echo "usage: $0 demo|test" >&2; exit 2 ;; esac

PKGS="gcc libc6-dev make autoconf automake pkg-config libgsl-dev libhdf5-dev hdf5-tools
libopenblas-dev libinih-dev libcmocka-dev libssl-dev libcsv-dev gnuplot-nox"
# The tests also run the program on emulated older CPUs (tests/test_kernels.sh), an exported
# model on an emulated AArch64 and compiled for a Cortex-M4 (tests/test_export.sh,
# tests/test_final.sh), and recompute a sweep's aggregation with Debian's python3, standard
# library only (tests/test_sweep.sh).
[ "$mode" = test ] && PKGS="$PKGS qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
gcc-arm-none-eabi libnewlib-arm-none-eabi python3"
. scripts/debian_packages.sh
# shellcheck disable=SC2086
install_packages quickstart $PKGS

jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --quiet
make -j"$jobs"

if [ "$mode" = demo ]; then
    exec ./run_experiment configs/demo.ini
fi

status=0
make -j"$jobs" check >tests/check-summary.txt 2>&1 || status=$?
for log in tests/*.log; do
    [ "$log" = tests/test-suite.log ] && continue
    echo "==== $log"
    cat "$log"
done
grep -E '^(# |PASS|FAIL|ERROR|XFAIL|SKIP)' tests/check-summary.txt || cat tests/check-summary.txt
passed=$(cat tests/*.log | grep -c -E '^\[ +OK +\]|^ok ' || true)
failed=$(cat tests/*.log | grep -c -E '^\[ +FAILED +\] [a-z_]|^not ok ' || true)
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "$passed passed, $failed failed"
exit "$status"
