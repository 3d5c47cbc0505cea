#!/bin/sh
# check_sanitizers.sh: the whole test suite under AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer, in a separate build folder (the source tree stays untouched).
#
#   scripts/check_sanitizers.sh [BUILD_DIR]      (default: /tmp/prunefair-sanitize)
#
# Any memory error, leak or undefined behaviour makes the failing test exit non-zero, so a
# green run means the suite is clean. It takes about 5 minutes on 2 cores (the SLURM test is
# the slowest under ASan); .ci/run runs it after the plain suite. The qemu part of
# test_kernels.sh is skipped here (PF_SANITIZED): ASan binaries do not run under qemu-user.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-/tmp/prunefair-sanitize}
rm -rf "$build"
git clone -q "$src" "$build" 2>/dev/null || cp -a "$src" "$build"
cd "$build"
[ -x configure ] || autoreconf -fi
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
./configure --quiet --with-again-data="$src/../shared/data/again" CFLAGS="$flags" \
    LDFLAGS="-fsanitize=address,undefined"
make -j"$(nproc 2>/dev/null || echo 2)"
PF_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    make -j"$(nproc 2>/dev/null || echo 2)" check
