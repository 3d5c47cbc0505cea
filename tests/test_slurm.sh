#!/bin/sh
# test_slurm.sh: a study through a real SLURM cluster, started on this machine for the test.
#
# scripts/slurm_local.sh starts munged, slurmctld and slurmd on loopback in a throwaway folder
# (installing Debian's slurmctld, slurmd, slurm-client and munge when missing); experiments/slurm/submit.sh submits a small
# study as a job array of 4 shards (2 at a time) and a chained merge. Mid-run, the program of
# shard 1 is killed by pid (the shard requeues itself and resumes from its checkpoints), shard 2
# gets the USR1 that SLURM sends ahead of a time limit (it stops cleanly and requeues itself),
# and shard 3 is killed with `scancel --signal=KILL` (the array task fails, the merge is cancelled
# by --kill-on-invalid-dep instead of pending forever). Running submit.sh again submits only
# shard 3 and a new merge. The merged CSVs and tables must equal a single-process run byte for
# byte. Then a two-point sweep goes through submit.sh the same way (one array over both points'
# shards, a merge per point, one aggregation), with one shard killed and submitted again. Every
# daemon is stopped by process id at the end, whatever happens.
#
# "Mid-run" is a state, not a moment: every shard runs with the test hold of cli_lib.sh
# (PF_TEST_HOLD, src/hold.h), so it stops after its first finished task until the test has
# killed, signalled or cancelled it and lets it go on. The test passes the same way on a slow
# core and a fast one.
#
# Needs root (slurmd starts jobs as their user); skipped (exit 77) otherwise. About half a minute
# on 2 cores. By hand, from the repository: sh tests/test_slurm.sh (or make check
# TESTS=tests/test_slurm.sh).
set -eu
. "$(dirname "$0")/cli_lib.sh"
case $RUN in /*) ;; *) RUN=$(pwd)/$RUN ;; esac
# The canonical path (no ".."), as submit.sh prints it: under make distcheck the source tree
# is reached as _build/sub/../..
PF_SRCDIR=$(cd "$PF_SRCDIR" && pwd -P)
SUBMIT=$PF_SRCDIR/experiments/slurm/submit.sh
LOCAL=$PF_SRCDIR/scripts/slurm_local.sh
t_start=$(date +%s)

if [ "$(id -u)" -ne 0 ]; then
    echo "# SKIP: the local SLURM cluster needs root (slurmd runs jobs as their user)"
    exit 77
fi
if ! command -v slurmctld >/dev/null && ! command -v /usr/sbin/slurmctld >/dev/null \
    && ! command -v apt-get >/dev/null; then
    echo "# SKIP: no SLURM and no apt-get to install it"
    exit 77
fi

echo "# 4 shards on a local SLURM cluster, one killed, one stopped by USR1, one cancelled;"
echo "# the merge must equal a single-process run byte for byte"
export PF_RUN_EXPERIMENT="$RUN"

CL=$WORK/cluster
stop_cluster() {
    [ -f "$CL/slurm.conf" ] || return 0
    "$LOCAL" stop "$CL" >>"$WORK/stop.txt" 2>&1 || true
}
trap 'stop_cluster; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP

# The shared small study (tests/data/study.ini) with 16 participants: 16 tasks, 4 per shard, so
# a shard held after its first task has 1 or 2 done (2 threads) and work still ahead of it; and
# the shard-count rule below is checked on 16 tasks.
sed 's/^participants = .*/participants = 16/' "$PF_SRCDIR/tests/data/study.ini" >"$WORK/s.ini"
printf '[experiment]\nname = bad\nseeed = 3\n' >"$WORK/bad.ini"

# The shard count rule, without a cluster (--print submits nothing).
sub_case() { # sub_case NAME EXPECTED_STATUS [submit.sh args...]
    name=$1 want=$2
    shift 2
    set +e
    "$SUBMIT" "$@" >"$WORK/sub.out" 2>"$WORK/sub.err"
    got=$?
    set -e
    if [ "$got" -eq "$want" ]; then pass "submit.sh $name: exit $want"
    else fail "submit.sh $name: exit $got, expected $want" "$(cat "$WORK/sub.out" "$WORK/sub.err" | head -c 800)"; fi
}
cd "$WORK"
sub_case "default cut" 0 --print s.ini
expect_in "$WORK/sub.out" "16 tasks in 1 shard (ceil(16 tasks / 50 per shard))" "--array=1%20" \
    "--requeue" "--signal=B:USR1@120" "shard-%A_%a.out" "--dependency=afterok:ARRAY_ID" "--kill-on-invalid-dep=yes"
PF_TASKS_PER_SHARD=5 sub_case "PF_TASKS_PER_SHARD=5" 0 --print --throttle 3 s.ini --partition=p --time=0:10:00 --mem=1G
expect_in "$WORK/sub.out" "16 tasks in 4 shards (ceil(16 tasks / 5 per shard))" "--array=1-4%3" \
    "--partition=p --time=0:10:00 --mem=1G $PF_SRCDIR/experiments/slurm/shard.sbatch"
sub_case "--shards 40" 0 --print --shards 40 s.ini
expect_in "$WORK/sub.out" "16 tasks in 16 shards (--shards 40, at most one shard per task)"
sub_case "a bad throttle" 2 --throttle 0 s.ini
expect_in "$WORK/sub.err" "--throttle must be a whole number >= 1"

# The cluster.
if "$LOCAL" start "$CL" >"$WORK/start.txt" 2>&1; then
    sed 's/^/# /' "$WORK/start.txt"
    pass "local cluster up: $(grep 'cluster up' "$WORK/start.txt" | sed 's/^slurm_local: //')"
else
    fail "scripts/slurm_local.sh start failed" "$(tail -n 30 "$WORK/start.txt")"
    finish
    exit 1
fi
export SLURM_CONF="$CL/slurm.conf"
cat "$CL"/*.pid >"$WORK/daemon_pids"

sub_case "a config that fails --dry-run" 2 bad.ini
expect_in "$WORK/sub.err" "seeed" "fails run_experiment --dry-run" "nothing submitted"
[ -z "$(squeue -h -t all -o %i)" ] && pass "  nothing was submitted" || fail "  a job was submitted for a bad config"
sub_case "an sbatch option the cluster refuses" 2 s.ini --partition=nosuchpartition
expect_in "$WORK/sub.err" "sbatch refuses these options" "nothing submitted"
[ -z "$(squeue -h -t all -o %i)" ] && pass "  nothing was submitted" || fail "  a job was submitted with a bad partition"

# mid_run I: shard I holds (cli_lib.sh) with part of its work done, not all of it.
R=$WORK/run
mid_run() {
    [ -s "$HOLD/shard-$1.held" ] &&
        "$RUN" --status "$R" 2>/dev/null | grep "^shard $1/4: " | grep -v finished | grep -q ' [12] of 4 tasks done'
}
# shard_pid I: the process id of the program running shard I, as its hold file says.
shard_pid() { cat "$HOLD/shard-$1.held"; }
# wait_until SECONDS WHAT COMMAND...: poll 5 times a second; on timeout, fail with the queue.
wait_until() {
    limit=$(($(date +%s) + $1)) what=$2
    shift 2
    while ! "$@"; do
        if [ "$(date +%s)" -gt "$limit" ]; then
            fail "timed out waiting for $what" "$(squeue -t all 2>&1)" "$(tail -n 5 "$R"/logs/* 2>/dev/null)"
            return 1
        fi
        sleep 0.2
    done
}
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }
array_done() { # every task of array $1 has ended
    [ -z "$(squeue -h -t all -j "$1" -o %T 2>/dev/null | grep -v -E '^(COMPLETED|CANCELLED|FAILED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$')" ]
}
job_ended() { case $(job_state "$1") in COMPLETED | CANCELLED | FAILED | TIMEOUT) return 0 ;; esac; return 1; }

run_case "single-process run" 0 --no-progress --threads 2 --out "$WORK/one" "$WORK/s.ini"
# The two-point sweep of the end of the test, in one process: what the cluster must reproduce.
# In a folder of its own: a sweep beside it would copy its finished points instead of running
# them (docs/sweeps.md).
printf '[sweep]\nname = widths\nbase = s.ini\nmodel.hidden = 16,8 | 4\nlabel.model.hidden = wide | narrow\n' >"$WORK/sw.ini"
run_case "a two-point sweep in one process" 0 --no-progress --threads 2 --sweep sw.ini --out "$WORK/alone/swone"
# Every shard holds after its first task; shard 4 is let go at once, the others once the test
# has stopped them. The jobs inherit PF_TEST_HOLD from submit.sh's environment.
export PF_TEST_HOLD="$HOLD"
hold_release shard-4

sub_case "4 shards, 2 at a time" 0 --shards 4 --throttle 2 --out run s.ini
expect_in "$WORK/sub.out" "16 tasks in 4 shards (--shards 4)" "array job: " "merge job: " "status:    "
A=$(sed -n 's/^array job: \([0-9]*\).*/\1/p' "$WORK/sub.out")
M=$(sed -n 's/^merge job: \([0-9]*\).*/\1/p' "$WORK/sub.out")
STATUS_CMD=$(sed -n 's/^status: *//p' "$WORK/sub.out")
[ -n "$A" ] && [ -n "$M" ] || { fail "no job ids in submit.sh output"; finish; exit 1; }
[ "$(job_state "$M")" = PENDING ] && pass "merge job $M waits for array $A" || fail "merge job $M is $(job_state "$M")"

# Shard 1: its program is killed mid-run; the shard requeues itself.
wait_until 120 "shard 1 mid-run" mid_run 1
[ "$(squeue -h -t RUNNING -j "$A" -o %i | wc -l)" -le 2 ] && pass "at most 2 shards run at once (%2)" \
    || fail "more than 2 shards run" "$(squeue -j "$A")"
if p=$(shard_pid 1) && kill -KILL "$p"; then pass "killed the program of shard 1 mid-run (pid $p)"
else fail "no process for shard 1"; fi
hold_release shard-1 # the requeued shard goes on
# Shard 2: USR1 to its batch shell, which is what slurmstepd does for --signal=B:USR1@120 ahead
# of the time limit; the program stops cleanly (exit 3) and the shard requeues itself. (Not
# through scancel --batch --signal=USR1: SLURM 22.05 delivers it, answers "Job is in
# transitional state" and retries for 18 s, which could signal the requeued run again.)
wait_until 120 "shard 2 mid-run" mid_run 2
if p=$(shard_pid 2) && b=$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f2) \
    && tr '\0' ' ' <"/proc/$b/cmdline" | grep -q slurm_script && kill -USR1 "$b"; then
    pass "USR1 to the batch shell of shard 2 (pid $b) mid-run"
else
    fail "could not signal the batch shell of shard 2"
fi
# Released only once the signalled program has ended: released earlier, it might start its
# remaining tasks before the signal reaches it. The requeued shard goes on.
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_until 60 "shard 2's program to stop" gone "$p"
hold_release shard-2
# Shard 3: the whole array task is killed through SLURM.
wait_until 120 "shard 3 mid-run" mid_run 3
p=$(shard_pid 3)
if scancel --signal=KILL "${A}_3" 2>"$WORK/scancel.err"; then pass "scancel --signal=KILL ${A}_3 mid-run"
else fail "scancel --signal=KILL ${A}_3" "$(cat "$WORK/scancel.err")"; fi
# Released (for its resubmission below) only once the killed program has ended: scancel returns
# before slurmd delivers the KILL, and a shard released earlier may finish its last tasks first.
wait_until 60 "shard 3's program to end" gone "$p"
hold_release shard-3

wait_until 240 "the array to end" array_done "$A"
wait_until 60 "the merge job to end" job_ended "$M"
scontrol show job "${A}_1" | grep -q 'Restarts=1' && pass "shard 1 was requeued once" \
    || fail "shard 1 was not requeued" "$(scontrol show job "${A}_1" | head -8)"
[ "$(job_state "${A}_1")" = COMPLETED ] && pass "requeued shard 1 completed" || fail "shard 1 is $(job_state "${A}_1")"
[ -f "$R/shards/shard-1-of-4.h5" ] && pass "shard 1's file is written" || fail "no shard-1-of-4.h5"
expect_in "$R/logs/shard-${A}_1.out" "restart 0" "killed by signal 9; requeueing ${A}_1" "restart 1" "shard 1/4 done"
expect_in "$R/logs/shard-${A}_1.out" "tasks resumed from"
scontrol show job "${A}_2" | grep -q 'Restarts=1' && [ "$(job_state "${A}_2")" = COMPLETED ] \
    && pass "shard 2 requeued once after USR1 and completed" \
    || fail "shard 2 after USR1" "$(scontrol show job "${A}_2" | head -8)"
expect_in "$R/logs/shard-${A}_2.out" "stopped ahead of the time limit (USR1); requeueing ${A}_2" "shard 2/4 done"
[ "$(job_state "${A}_3")" = CANCELLED ] && pass "shard 3 ended CANCELLED" || fail "shard 3 is $(job_state "${A}_3")"
[ ! -f "$R/shards/shard-3-of-4.h5" ] && pass "shard 3 has no file" || fail "shard 3 has a file after its kill"
scontrol show job "$M" | grep -q 'JobState=CANCELLED Reason=DependencyNeverSatisfied' \
    && pass "merge cancelled by --kill-on-invalid-dep, not left pending" \
    || fail "merge job after a failed shard" "$(scontrol show job "$M" | head -4)"
[ ! -f "$R/results.h5" ] && pass "no results.h5 while a shard is missing" || fail "results.h5 exists without shard 3"

# The same command again: only shard 3 and a new merge.
sub_case "again after the failure" 0 --shards 4 --throttle 2 --out run s.ini
expect_in "$WORK/sub.out" "3 of 4 shards already finished; submitting only shards 3" "array job: " "merge job: "
A2=$(sed -n 's/^array job: \([0-9]*\).*/\1/p' "$WORK/sub.out")
M2=$(sed -n 's/^merge job: \([0-9]*\).*/\1/p' "$WORK/sub.out")
[ -n "$A2" ] && [ -n "$M2" ] || { fail "no job ids in the second submit.sh output"; finish; exit 1; }
wait_until 240 "the resubmitted shard and merge" job_ended "$M2"
[ "$(job_state "${A2}_3")" = COMPLETED ] && pass "resubmitted shard 3 completed" || fail "shard 3 is $(job_state "${A2}_3")"
[ "$(job_state "$M2")" = COMPLETED ] && pass "merge job $M2 completed" \
    || fail "merge job $M2 is $(job_state "$M2")" "$(cat "$R"/logs/merge-"$M2".out 2>/dev/null | tail -n 20)"
[ -s "$R/results.h5" ] && pass "results.h5 written by the merge" || fail "no results.h5"
sub_case "after the merge" 0 --shards 4 --out run s.ini
expect_in "$WORK/sub.out" "already holds a finished run"

expect_in "$R/logs/shard-${A2}_3.out" "tasks resumed from"
for f in per_participant.csv summary.csv stats.csv participants.csv tables/results_ccc.md tables/spread_ccc.md; do
    if cmp -s "$WORK/one/$f" "$R/$f"; then pass "$f: merged shards = single process, byte for byte"
    else fail "$f differs between the merged shards and the single process" \
        "$(diff "$WORK/one/$f" "$R/$f" 2>&1 | head -5)"; fi
done
set +e
sh -c "$STATUS_CMD" >"$WORK/status.txt" 2>&1
st=$?
set -e
[ "$st" -eq 0 ] && pass "the printed status command runs: $STATUS_CMD" || fail "status command exit $st"
expect_in "$WORK/status.txt" "done: 16 of 16 tasks"

# ---- a two-point sweep through submit.sh -------------------------------------------------------
# Two widths of the same study: one job array over the shards of both points, cut by work (the
# wide network's point gets more shards), a merge per point and one aggregation. Point 2's only
# shard is killed through SLURM mid-run: its merge is cancelled, point 1's merge and the
# aggregation still run; submit.sh again submits just that shard, its merge and an aggregation.
# The result must equal the sweep run in one process, byte for byte.
sub_case "a sweep, printed" 0 --print --tasks-per-shard 8 --out sw sw.ini
expect_in "$WORK/sub.out" "sweep widths: 2 points, 32 tasks; 0 points done; 4 shards to run (8 tasks' work per shard)" \
    "--array=1-4%20" "--dependency=afterok:ARRAY_ID_K" "--dependency=afterany:MERGE_IDS" "aggregate.sbatch"
[ ! -e "$WORK/sw" ] && pass "  --print takes no folder" || fail "  --print wrote $WORK/sw"
rm -f "$HOLD"/*
for i in 1 2 3 4 5 6 7 8; do hold_release "point1-shard-$i"; done
sub_case "the sweep on the cluster" 0 --tasks-per-shard 8 --throttle 2 --out sw sw.ini
expect_in "$WORK/sub.out" "4 shards to run" "array job: " "aggregation job: " "merge job: "
SA=$(sed -n 's/^array job: \([0-9]*\).*/\1/p' "$WORK/sub.out")
SM1=$(sed -n 's/^merge job: \([0-9]*\) (point 1,.*/\1/p' "$WORK/sub.out")
SM2=$(sed -n 's/^merge job: \([0-9]*\) (point 2,.*/\1/p' "$WORK/sub.out")
SG=$(sed -n 's/^aggregation job: \([0-9]*\).*/\1/p' "$WORK/sub.out")
[ -n "$SA" ] && [ -n "$SM1" ] && [ -n "$SM2" ] && [ -n "$SG" ] || { fail "no job ids in the sweep's submit.sh output" "$(cat "$WORK/sub.out")"; finish; exit 1; }
MAP=$WORK/sw/logs/array-1.txt
[ "$(grep -c '^1 ' "$MAP")" -eq 3 ] && [ "$(grep -c '^2 ' "$MAP")" -eq 1 ] \
    && pass "the cut by work: 3 shards for the wide point, 1 for the narrow one" || fail "the cut" "$(cat "$MAP")"
k=$(grep -n '^2 1 1$' "$MAP" | cut -d: -f1)
wait_until 120 "point 2's shard mid-run" test -s "$HOLD/point2-shard-1.held"
p=$(cat "$HOLD/point2-shard-1.held")
if scancel --signal=KILL "${SA}_$k" 2>"$WORK/scancel.err"; then pass "scancel --signal=KILL ${SA}_$k (point 2's shard) mid-run"
else fail "scancel --signal=KILL ${SA}_$k" "$(cat "$WORK/scancel.err")"; fi
wait_until 60 "point 2's program to end" gone "$p"
hold_release point2-shard-1
wait_until 240 "the sweep's aggregation" job_ended "$SG"
[ "$(job_state "$SM1")" = COMPLETED ] && pass "point 1's merge completed" || fail "point 1's merge is $(job_state "$SM1")"
scontrol show job "$SM2" | grep -q 'JobState=CANCELLED Reason=DependencyNeverSatisfied' \
    && pass "point 2's merge cancelled by --kill-on-invalid-dep" || fail "point 2's merge" "$(scontrol show job "$SM2" | head -4)"
[ "$(job_state "$SG")" = COMPLETED ] && pass "the aggregation ran anyway (afterany)" || fail "the aggregation is $(job_state "$SG")"
expect_in "$WORK/sw/points.csv" ",done,16,16,16," ",partial,"
sub_case "the sweep again" 0 --tasks-per-shard 8 --throttle 2 --out sw sw.ini
expect_in "$WORK/sub.out" "1 points done; 1 shards to run" "merge job: " "aggregation job: "
grep -q "(point 1," "$WORK/sub.out" && fail "point 1 was submitted again" || pass "only point 2 was submitted again"
SG2=$(sed -n 's/^aggregation job: \([0-9]*\).*/\1/p' "$WORK/sub.out")
wait_until 240 "the second aggregation" job_ended "$SG2"
[ -f "$WORK/sw/logs/array-2.txt" ] && [ "$(cat "$WORK/sw/logs/array-2.txt")" = "2 1 1" ] \
    && pass "the second array holds only point 2's shard" || fail "the second map" "$(cat "$WORK/sw/logs/array-2.txt")"
bad=""
for d in "$WORK"/alone/swone/points/*/; do
    for f in per_participant.csv summary.csv stats.csv tables/results_ccc.md; do
        cmp -s "$d/$f" "$WORK/sw/points/$(basename "$d")/$f" || bad="$bad $(basename "$d")/$f"
    done
done
for f in sweep.csv sweep_stats.csv tables/model.hidden_ccc_s0.8.md; do
    cmp -s "$WORK/alone/swone/$f" "$WORK/sw/$f" || bad="$bad $f"
done
[ -z "$bad" ] && pass "the sweep on the cluster = the sweep in one process, byte for byte" \
    || fail "the cluster's sweep differs from one process:$bad"
[ -z "$(ls "$WORK"/sw/points/*/FAILED 2>/dev/null)" ] && pass "no FAILED mark left on a done point" || fail "FAILED marks left" "$(ls "$WORK"/sw/points/*/FAILED)"

# Stop: every daemon this test started ends, found by the pids the start wrote.
"$LOCAL" stop "$CL" >"$WORK/stop.txt" 2>&1 && pass "cluster stopped" || fail "stop failed" "$(cat "$WORK/stop.txt")"
left=""
for p in $(cat "$WORK/daemon_pids"); do kill -0 "$p" 2>/dev/null && left="$left $p"; done
[ -z "$left" ] && pass "munged, slurmctld and slurmd (pids $(echo $(cat "$WORK/daemon_pids"))) are gone" \
    || fail "daemons still running:$left"
echo "# test took $(($(date +%s) - t_start)) s"
finish
