#!/bin/sh
# slurm_local.sh: a whole SLURM cluster on this one machine, for tests and for trying
# experiments/slurm/ without a real cluster.
#
#   scripts/slurm_local.sh start [DIR]   install slurm-wlm and munge if missing, start munged,
#                                        slurmctld and slurmd on 127.0.0.1, wait until the
#                                        node takes jobs, print the line to use the cluster
#   scripts/slurm_local.sh stop [DIR]    cancel this cluster's jobs, stop the three daemons
#   scripts/slurm_local.sh status [DIR]  say whether each daemon runs
#
#   then:  export SLURM_CONF=DIR/slurm.conf   (sbatch, squeue, scontrol... use this cluster)
#
# DIR (default /tmp/pf-slurm) holds everything the cluster has: its own munge key and socket,
# slurm.conf, a fresh StateSaveLocation and spool on every start, logs and pid files. Nothing
# in /etc is read or changed, so a machine's own munged or SLURM, if any, is left alone.
#
# Why it is built this way:
# - It must run in containers and CI as root, without systemd or cgroups: the daemons are
#   started by hand in the foreground (-D, -F) as background processes, so their process ids
#   are known at once and written to DIR/*.pid; ProctrackType=proctrack/linuxproc and
#   TaskPlugin=task/none need no cgroup.
# - "stop" ends only what "start" started, by those process ids (never by name), so it is safe
#   beside other SLURM or munge daemons and beside other copies of itself in other DIRs.
# - Ports are picked free at start (from /proc/net/tcp), so two clusters or a real slurmd on
#   6817/6818 do not collide. The node is the machine itself (slurmd -C), named after the host.
# - Timings are shortened for quick tests: short KillWait, scheduler passes every 2 s.
# Environment: PF_SLURM_NO_INSTALL=1 fails instead of installing missing packages.
set -eu
PATH=$PATH:/usr/sbin:/sbin

cmd=${1:-}
DIR=${2:-${PF_SLURM_DIR:-/tmp/pf-slurm}}
case $DIR in /*) ;; *) DIR=$(pwd)/$DIR ;; esac
CONF=$DIR/slurm.conf

. "$(dirname "$0")/debian_packages.sh"
say() { echo "slurm_local: $*"; }
die() { echo "slurm_local: error: $*" >&2; exit 1; }

# alive NAME: the daemon whose pid is in DIR/NAME.pid runs.
alive() {
    [ -s "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null
}

# port_free PORT: nobody listens on PORT (IPv4 or IPv6), read from /proc/net/tcp*.
port_free() {
    hex=$(printf '%04X' "$1")
    ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '{ print $2 }' | grep -q ":$hex\$"
}

# wait_for SECONDS COMMAND...: retry COMMAND once a second until it succeeds.
wait_for() {
    secs=$1
    shift
    i=0
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -le "$secs" ] || return 1
        sleep 1
    done
}

install_missing() {
    missing=$(missing_packages munge slurmctld slurmd slurm-client)
    [ -n "$missing" ] || return 0
    [ "${PF_SLURM_NO_INSTALL:-0}" = 1 ] && die "missing Debian packages:$missing (apt-get install$missing)"
    # Their init scripts may try to start the system-wide daemons: that is not this cluster,
    # and without /etc/slurm/slurm.conf they do not start anyway.
    install_packages slurm_local.sh $missing
}

# stop_pid NAME: TERM the daemon in DIR/NAME.pid, wait up to 15 s, then KILL it.
stop_pid() {
    [ -s "$DIR/$1.pid" ] || return 0
    pid=$(cat "$DIR/$1.pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 15 ]; do sleep 1; i=$((i + 1)); done
        if kill -0 "$pid" 2>/dev/null; then
            say "$1 ($pid) did not stop on TERM, killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$DIR/$1.pid"
}

start() {
    if alive slurmctld || alive slurmd || alive munged; then
        die "a cluster already runs in $DIR (scripts/slurm_local.sh stop $DIR first)"
    fi
    install_missing
    command -v slurmctld >/dev/null || die "slurmctld not found after install"
    host=$(hostname -s 2>/dev/null || hostname)
    [ -n "$host" ] || die "this machine has no host name"

    # A fresh tree every start: old job state must not come back.
    rm -rf "$DIR/state" "$DIR/spool" "$DIR/munge" "$DIR/log"
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge" "$DIR/log"
    chmod 700 "$DIR" "$DIR/munge"

    # munged, with its own key and socket. It checks that the key is private to its user.
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 400 "$DIR/munge/munge.key"
    sock=$DIR/munge/munge.socket
    munged --foreground --force --socket="$sock" --key-file="$DIR/munge/munge.key" \
        --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" \
        --seed-file="$DIR/munge/munged.seed" </dev/null >>"$DIR/log/munged.out" 2>&1 &
    echo $! >"$DIR/munged.pid"
    munge_ok() { munge -n -S "$sock" | unmunge -S "$sock"; }
    wait_for 15 munge_ok || { tail -n 5 "$DIR/log/munged.log" "$DIR/log/munged.out" >&2 || true
        stop_pid munged; die "munged did not start (logs above, $DIR/log/)"; }

    # Two free ports for slurmctld and slurmd, from a start that differs per process.
    p=$((20000 + ($$ * 7) % 30000))
    while ! port_free "$p" || ! port_free $((p + 1)); do p=$((p + 2)); done
    node=$(slurmd -C | head -1 | sed "s/^NodeName=[^ ]*//")
    cat >"$CONF" <<EOF
# Written by scripts/slurm_local.sh: a one-machine cluster on loopback. Do not edit; restart.
ClusterName=pflocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$p
SlurmdPort=$((p + 1))
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock,cred_expire=10
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/state/slurmctld.pidfile
SlurmdPidFile=$DIR/spool/slurmd.pidfile
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
MinJobAge=600
InactiveLimit=0
MessageTimeout=10
NodeName=$host NodeAddr=127.0.0.1$node State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$CONF"
    slurmctld -D -f "$CONF" </dev/null >>"$DIR/log/slurmctld.out" 2>&1 &
    echo $! >"$DIR/slurmctld.pid"
    if ! wait_for 30 sh -c 'scontrol ping | grep -q UP'; then
        tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmctld.out" >&2 || true
        stop; die "slurmctld did not come up (logs above, $DIR/log/)"
    fi
    slurmd -D -N "$host" -f "$CONF" </dev/null >>"$DIR/log/slurmd.out" 2>&1 &
    echo $! >"$DIR/slurmd.pid"
    if ! wait_for 30 sh -c 'sinfo -h -N -o %T | grep -q -x -E "idle|mixed|allocated"'; then
        tail -n 20 "$DIR/log/slurmd.log" "$DIR/log/slurmd.out" >&2 || true
        sinfo -N -l >&2 || true
        stop; die "slurmd did not register as idle (logs above, $DIR/log/)"
    fi
    say "cluster up in $DIR: node $host ($(sinfo -h -N -o '%c CPUs, %m MB')), partition local, ports $p/$((p + 1))"
    say "pids: munged $(cat "$DIR/munged.pid"), slurmctld $(cat "$DIR/slurmctld.pid"), slurmd $(cat "$DIR/slurmd.pid")"
    echo "export SLURM_CONF=$CONF"
}

# kill_tree PID: KILL PID and every process below it, children first.
kill_tree() {
    for c in $(cat /proc/[0-9]*/stat 2>/dev/null \
        | awk -v p="$1" '{ pid = $1; sub(/.*\) /, ""); split($0, f, " "); if (f[2] == p) print pid }'); do
        kill_tree "$c"
    done
    kill -KILL "$1" 2>/dev/null || true
}

stop() {
    export SLURM_CONF="$CONF"
    # Cancel this cluster's jobs and give their steps KillWait to end, so that slurmd can
    # reap them; slurmstepd processes left after slurmd stops are found by their open files in
    # DIR and ended by pid.
    if alive slurmctld && [ -f "$CONF" ]; then
        scancel --user="$(id -un)" >/dev/null 2>&1 || true
        i=0
        while squeue -h -o %T 2>/dev/null | grep -q -E 'RUNNING|COMPLETING|CONFIGURING' \
            && [ "$i" -lt 20 ]; do
            sleep 1
            i=$((i + 1))
        done
    fi
    stop_pid slurmd
    for d in /proc/[0-9]*; do
        [ "$(cat "$d/comm" 2>/dev/null)" = slurmstepd ] || continue
        for f in "$d"/fd/*; do
            case $(readlink "$f" 2>/dev/null) in
            "$DIR"/*)
                say "ending slurmstepd ${d#/proc/} left by this cluster, and its job's processes"
                kill_tree "${d#/proc/}"
                break
                ;;
            esac
        done
    done
    stop_pid slurmctld
    stop_pid munged
    say "cluster in $DIR stopped"
}

status() {
    for d in munged slurmctld slurmd; do
        if alive "$d"; then say "$d runs (pid $(cat "$DIR/$d.pid"))"; else say "$d does not run"; fi
    done
    if alive slurmctld; then SLURM_CONF=$CONF sinfo -N -l || true; fi
}

case $cmd in
start) start ;;
stop) stop ;;
status) status ;;
*) echo "usage: $0 start|stop|status [DIR]   (DIR default /tmp/pf-slurm)" >&2; exit 2 ;;
esac
