#!/bin/sh
# check_valgrind.sh: valgrind memcheck on a small study, one thread: a run, --report on its
# folder, two shards and their --merge. Any invalid read or write, use of uninitialised memory,
# or a definitely or indirectly lost byte fails (exit 99 from valgrind, then 1 here). What
# libgomp keeps for its thread pool shows as "still reachable" and is not an error.
#
#   scripts/check_valgrind.sh        (after the build: make; installs valgrind when missing)
#
# About 2 minutes on 2 cores; .ci/run runs it after the sanitizer build.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
run="$src/run_experiment"
[ -x "$run" ] || { echo "check_valgrind.sh: build the tree first (make)" >&2; exit 2; }
. "$src/scripts/debian_packages.sh"
command -v valgrind >/dev/null || install_packages check_valgrind.sh valgrind
work=$(mktemp -d /tmp/pf_valgrind_XXXXXX)
trap 'rm -rf "$work"' EXIT
small="--set synthetic.participants=6 --set synthetic.windows=16 --set train.max_epochs=3
       --set prune.criteria=magnitude,snip,fairgrape,vr --set prune.sparsities=0.5
       --set compress.bits=32,4 --set stats.bootstrap=50"
vg() { # NAME ARGS...: one command under memcheck; its log is shown when it fails
    name=$1
    shift
    if valgrind --quiet --error-exitcode=99 --leak-check=full \
        --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
        --log-file="$work/$name.log" "$run" --threads 1 --no-progress "$@" >/dev/null 2>&1; then
        echo "ok - valgrind: $name"
    else
        echo "not ok - valgrind: $name"
        cat "$work/$name.log"
        exit 1
    fi
}
# shellcheck disable=SC2086
vg run $small --out "$work/run" "$src/configs/demo.ini"
vg report --report "$work/run"
# shellcheck disable=SC2086
vg shard-1 $small --shard 1/2 --out "$work/sh" "$src/configs/demo.ini"
# shellcheck disable=SC2086
vg shard-2 $small --shard 2/2 --out "$work/sh" "$src/configs/demo.ini"
vg merge --merge "$work/sh"
cmp -s "$work/run/per_participant.csv" "$work/sh/per_participant.csv" ||
    { echo "not ok - the merged shards differ from the run"; exit 1; }
echo "check_valgrind.sh: no memory error and no lost byte in 5 commands"
