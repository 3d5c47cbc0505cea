#!/bin/sh
# test_kernels.sh: the same study gives the same bytes on every path the dispatcher can take
# (kernel.h): each kernel this CPU runs, forced with PF_KERNEL, and the program run on
# emulated CPUs (qemu-x86_64 -cpu Haswell: AVX2 + FMA; -cpu Nehalem: neither, so the
# portable kernel, and glibc's own functions without FMA too). A regression with a tanh
# network and a classification exercise pf_expf and the cross-entropy loss as well.
set -eu
. "$(dirname "$0")/cli_lib.sh"
cat >"$WORK/k.ini" <<'INI'
[experiment]
name = kernels
[synthetic]
participants = 6
windows = 24
features = 9
informative = 4
private = 1
[model]
hidden = 13,7
activation = tanh
[train]
max_epochs = 6
batch_size = 16
learning_rate = 0.01
patience = 0
[folds]
validation = 0
[prune]
criteria = magnitude,snip,vr
sparsities = 0,0.6
[compress]
bits = 32,4
[stats]
bootstrap = 50
[output]
figures = none
INI
FILES="per_participant.csv summary.csv stats.csv tables/results_ccc.md tables/results_ccc_4bit.md"
CLS="--set data.task=classification --set data.target_transform=above_median --set model.activation=relu"
CFILES="per_participant.csv summary.csv stats.csv"
same() { # same WHAT DIR_A DIR_B FILES
    for f in $4; do
        if cmp -s "$2/$f" "$3/$f"; then pass "$1: $f identical"
        else fail "$1: $f differs" "$(diff "$2/$f" "$3/$f" | head -5)"; fi
    done
}
run_case "auto kernel" 0 --no-progress --out "$WORK/auto" "$WORK/k.ini"
# shellcheck disable=SC2086
run_case "auto kernel, classification" 0 --no-progress $CLS --out "$WORK/cauto" "$WORK/k.ini"
run_case "kernels this CPU runs" 0 --dry-run "$WORK/k.ini"
for k in avx512 avx2 portable; do
    if PF_KERNEL=$k "$RUN" --dry-run "$WORK/k.ini" >/dev/null 2>&1; then
        PF_KERNEL=$k run_case "kernel $k" 0 --no-progress --out "$WORK/$k" "$WORK/k.ini"
        same "kernel $k" "$WORK/auto" "$WORK/$k" "$FILES"
        # shellcheck disable=SC2086
        PF_KERNEL=$k run_case "kernel $k, classification" 0 --no-progress $CLS --out "$WORK/c$k" "$WORK/k.ini"
        same "kernel $k, classification" "$WORK/cauto" "$WORK/c$k" "$CFILES"
    else
        echo "# kernel $k: this CPU cannot run it"
    fi
done
PF_KERNEL=sse9 run_case "unknown kernel" 2 --dry-run "$WORK/k.ini"
expect_in "$ERR" "PF_KERNEL=sse9: kernel 'sse9' is unknown or this CPU cannot run it"

# Emulated CPUs. qemu-user comes with the test packages (scripts/quickstart.sh test). A build
# under AddressSanitizer (scripts/check_sanitizers.sh sets PF_SANITIZED) cannot run in qemu:
# its shadow memory does not fit qemu's address space; the plain build runs this part.
if [ -n "${PF_SANITIZED:-}" ]; then
    echo "# qemu runs skipped: a sanitizer build does not run under qemu-user"
elif command -v qemu-x86_64 >/dev/null; then
    for cpu in Haswell Nehalem; do
        want=avx2; [ $cpu = Nehalem ] && want=portable
        qemu-x86_64 -cpu $cpu "$RUN" --dry-run "$WORK/k.ini" >"$WORK/q$cpu.txt" 2>&1 || true
        expect_in "$WORK/q$cpu.txt" "kernel: $want"
        if qemu-x86_64 -cpu $cpu "$RUN" --no-progress --out "$WORK/q$cpu" "$WORK/k.ini" >"$WORK/q$cpu.out" 2>&1; then
            pass "runs under qemu -cpu $cpu"
            same "qemu -cpu $cpu" "$WORK/auto" "$WORK/q$cpu" "$FILES"
        else
            fail "run under qemu -cpu $cpu failed" "$(tail -3 "$WORK/q$cpu.out")"
        fi
    done
    # shellcheck disable=SC2086
    if qemu-x86_64 -cpu Nehalem "$RUN" --no-progress $CLS --out "$WORK/cqN" "$WORK/k.ini" >"$WORK/cqN.out" 2>&1; then
        same "qemu -cpu Nehalem, classification" "$WORK/cauto" "$WORK/cqN" "$CFILES"
    else
        fail "classification under qemu -cpu Nehalem failed" "$(tail -3 "$WORK/cqN.out")"
    fi
else
    fail "qemu-x86_64 not installed (Debian package qemu-user; scripts/quickstart.sh test installs it)"
fi
finish
