#!/bin/sh
# fresh_machine.sh demo|test [ROOT]: the README's Quickstart command on a fresh Debian 12.
#
# Makes a minimal Debian 12 root (debootstrap --variant=minbase bookworm, nothing else
# installed: no compiler, no git, no python) in ROOT (default /tmp/prunefair-fresh-MODE, made
# anew), copies this repository's committed tree (git archive HEAD) to ROOT/w/main and the
# shared data the tests read (../shared/data) to ROOT/w/shared/data, and runs
#     cd /w/main && scripts/quickstart.sh MODE
# in it as root, with /proc, /sys and /dev (and what is mounted below them) from the host. The last lines of its output are
# quickstart's own ("N passed, N failed" for test; the demo study's table for demo), then the
# time it took. Needs root and debootstrap (installed when missing). Every mount is undone at
# the end, whatever happens; the root is left for inspection (remove it by hand).
set -eu
cd "$(dirname "$0")/.."
mode=${1:-}
case $mode in demo | test) ;; *) echo "usage: $0 demo|test [ROOT]" >&2; exit 2 ;; esac
root=${2:-/tmp/prunefair-fresh-$mode}
[ "$(id -u)" -eq 0 ] || { echo "fresh_machine: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
. scripts/debian_packages.sh
install_packages fresh_machine debootstrap
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}

umount_all() {
    for m in dev sys proc; do
        mountpoint -q "$root/$m" 2>/dev/null && umount -R -l "$root/$m" || true
    done
}
trap umount_all EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$root"
echo "fresh_machine: debootstrap --variant=minbase bookworm $root ($mirror)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -n 20 "$root.debootstrap.log" >&2; exit 1; }
mkdir -p "$root/w/main" "$root/w/shared"
git archive HEAD | tar -x -C "$root/w/main"
cp -r ../shared/data "$root/w/shared/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# /sys and /dev with everything mounted below them: slurmd needs /sys/fs/cgroup.
mount -t proc proc "$root/proc"
for m in sys dev; do mount --rbind "/$m" "$root/$m" && mount --make-rslave "$root/$m"; done
echo "fresh_machine: chroot $root: cd /w/main && scripts/quickstart.sh $mode ($(git rev-parse --short HEAD))"
start=$(date +%s)
set +e
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    sh -c "cd /w/main && scripts/quickstart.sh $mode" >"$root.out" 2>&1
status=$?
set -e
tail -n 25 "$root.out"
echo "fresh_machine: quickstart.sh $mode exited $status after $(($(date +%s) - start)) s (log: $root.out)"
exit "$status"
