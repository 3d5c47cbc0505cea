#!/bin/sh
# test_shard.sh: the same study, whatever runs it. One process, 1 or 2 threads, 2 or 3 shards
# merged, a run killed with SIGKILL or stopped with SIGTERM and resumed: every CSV and table
# byte for byte the same. And what a user meets around that: a finished run is not redone, a
# folder of another config is refused, missing and foreign shards are named at merge.
set -eu
. "$(dirname "$0")/cli_lib.sh"
# The shared small study (tests/data/study.ini: 12 tasks, so shards of 2 and 3 come out even),
# quantised to 4 bits and clustered to 4 centroids per layer as well (four chains,
# docs/compression.md): the compressed variants must come out of shards and resumes unchanged
# too (tables/results_ccc_4bit.md, results_ccc_c4_4bit.md below), and so must the saved
# models, the quantised ones' integers included (/models below: checkpoints carry them).
# Every window's
# prediction is stored (output.save_predictions): task checkpoints and shard files carry them,
# so predictions.csv must come out of every way of running the same, byte for byte.
cp "$PF_SRCDIR/tests/data/study.ini" "$WORK/s.ini"
printf 'save_models = true\nsave_predictions = true\n[compress]\nbits = 32,4\nclusters = 0,4\n' >>"$WORK/s.ini"
FILES="per_participant.csv summary.csv participants.csv stats.csv tables/results_ccc.md tables/spread_ccc.md tables/results_ccc_4bit.md tables/results_ccc_c4.md tables/results_ccc_c4_4bit.md predictions.csv"
same() { # same NAME DIR_A DIR_B: every output file identical
    for f in $FILES; do
        if cmp -s "$2/$f" "$3/$f"; then pass "$1: $f identical"
        else fail "$1: $f differs"; fi
    done
}

run_case "one process, 2 threads" 0 --no-progress --threads 2 --out "$WORK/one" "$WORK/s.ini"
run_case "one process, 1 thread" 0 --no-progress --threads 1 --out "$WORK/one1" "$WORK/s.ini"
same "1 vs 2 threads" "$WORK/one" "$WORK/one1"
[ ! -e "$WORK/one/checkpoints" ] && pass "checkpoints removed after a finished run" || fail "checkpoints left behind"

# Shards: two cuts, shards run in a scrambled order, then merged.
for n in 2 3; do
    for i in $(seq "$n" -1 1); do
        run_case "shard $i/$n" 0 --no-progress --shard "$i/$n" --out "$WORK/s$n" "$WORK/s.ini"
    done
    run_case "status of $n shards" 0 --status "$WORK/s$n"
    expect_in "$OUT" "shards: $n" "done: 12 of 12 tasks" "shard 1/$n: finished"
    run_case "merge of $n shards" 0 --no-progress --merge "$WORK/s$n"
    same "$n shards merged" "$WORK/one" "$WORK/s$n"
done
# results.h5 too: every number but timings and the host, object by object.
if command -v h5diff >/dev/null; then
    for obj in /per_participant /summary /variants /criteria /sparsities /clusters /folds /dataset \
        /stats/tests /stats/mean_ci /stats/sd_ci /stats/friedman_average_rank /models /predictions; do
        if h5diff "$WORK/one/results.h5" "$WORK/s3/results.h5" "$obj" "$obj" >"$WORK/h5diff.txt" 2>&1
        then pass "results.h5 $obj identical after the merge"
        else fail "results.h5 $obj differs after the merge" "$(head -c 400 "$WORK/h5diff.txt")"; fi
    done
else
    fail "h5diff not installed (Debian package hdf5-tools)"
fi
run_case "a finished shard is not rerun" 0 --no-progress --shard 1/3 --out "$WORK/s3" "$WORK/s.ini"
expect_in "$ERR" "shard 1/3 is already finished"

# Shards share the checkpoint folder and run at once: a shard starting up removes only what a
# killed writer of its own tasks left, never another shard's checkpoint being written.
mkdir -p "$WORK/c/checkpoints"
for t in 0 1 2 3 4 5 6 7 8 9 10 11; do : >"$WORK/c/checkpoints/$(printf 'task-%06d.bin.tmp' "$t")"; done
run_case "shard 1/2 beside 12 temporary checkpoint files" 0 --no-progress --shard 1/2 --out "$WORK/c" "$WORK/s.ini"
mine=$(sed -n 's/^shard 1\/2 finished: \([0-9]*\) tasks.*/\1/p' "$OUT")
left=$(ls "$WORK/c/checkpoints" | grep -c '\.tmp$' || true)
[ -n "$mine" ] && [ "$left" -eq $((12 - mine)) ] && pass "shard 1/2 removed its own $mine, left the other shard's $left" \
    || fail "shard 1/2 ran ${mine:-?} tasks and left $left temporary files, expected $((12 - ${mine:-0}))"
run_case "shard 2/2" 0 --no-progress --shard 2/2 --out "$WORK/c" "$WORK/s.ini"
left=$(ls "$WORK/c/checkpoints" | grep -c '\.tmp$' || true)
[ "$left" -eq 0 ] && pass "shard 2/2 removed the rest" || fail "$left temporary files left after both shards"

# Merge refuses what does not add up, and says what to rerun.
run_case "shard 2 of 3 missing: started" 0 --no-progress --shard 1/3 --out "$WORK/m" "$WORK/s.ini"
run_case "shard 3/3" 0 --no-progress --shard 3/3 --out "$WORK/m" "$WORK/s.ini"
run_case "merge with a shard missing" 2 --merge "$WORK/m"
expect_in "$ERR" "1 of 3 shards are missing" "rerun --shard 2/3"
[ ! -e "$WORK/m/results.h5" ] && pass "no results from an incomplete merge" || fail "results written anyway"
run_case "a shard of another config" 0 --no-progress --set experiment.seed=7 --shard 2/3 --out "$WORK/m" "$WORK/s.ini"
run_case "merge with a foreign shard" 2 --merge "$WORK/m"
expect_in "$ERR" "of another config"
# output.save_* is outside the hash but not outside the checkpoints: a shard run without the
# predictions the others stored is refused at the merge, not merged with holes.
run_case "shard 1/2 storing predictions" 0 --no-progress --shard 1/2 --out "$WORK/p" "$WORK/s.ini"
run_case "shard 2/2 without them" 0 --no-progress --set output.save_predictions=false --shard 2/2 \
    --out "$WORK/p" "$WORK/s.ini"
run_case "merge of the two" 2 --merge "$WORK/p"
expect_in "$ERR" "other output.save_* settings"

# Killed with SIGKILL once a task has been checkpointed and before the next starts (the test
# hold of cli_lib.sh), then resumed.
PF_TEST_HOLD="$HOLD" "$RUN" --no-progress --threads 1 --out "$WORK/k" "$WORK/s.ini" >/dev/null 2>&1 &
pid=$!
if held=$(hold_wait run) && [ "$held" = "$pid" ]; then pass "the run holds after its first task"
else fail "the run did not hold (pid $pid, hold file: ${held:-none})"; fi
# A second run on the same folder meanwhile refuses, naming the run that holds it.
run_case "a second run on a folder in use" 2 --no-progress --out "$WORK/k" "$WORK/s.ini"
expect_in "$ERR" "$WORK/k is in use by another run (host $(hostname), process $pid)" "--out DIR"
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ ! -e "$WORK/k/results.h5" ] && pass "killed run left no results.h5" || fail "killed run finished first"
n_ck=$(ls "$WORK/k/checkpoints" | grep -c '^task-.*\.bin$' || true)
[ "$n_ck" -eq 1 ] && pass "killed run kept 1 checkpoint" || fail "killed run kept $n_ck checkpoints, expected 1"
# A checkpoint of another version of the format is refused by name, with what to do.
cp -R "$WORK/k" "$WORK/kold"
ck=$(ls "$WORK/kold/checkpoints"/task-*.bin | head -1)
printf 'PFTASK03' | dd of="$ck" bs=1 count=8 conv=notrunc 2>/dev/null
run_case "resume from a checkpoint of an older format" 2 --no-progress --out "$WORK/kold" "$WORK/s.ini"
expect_in "$ERR" "written by another version of prunefair (format PFTASK03, this one reads PFTASK04); delete it"
# The killed run's lock went with it: the next run (below) takes the folder.
run_case "resume after SIGKILL" 0 --no-progress --out "$WORK/k" "$WORK/s.ini"
expect_in "$ERR" "1 tasks resumed from"
same "resumed after SIGKILL" "$WORK/one" "$WORK/k"

# Stopped with SIGTERM (what SLURM sends): exit 3, a message, and a resume to the same numbers.
rm -f "$HOLD"/*
PF_TEST_HOLD="$HOLD" "$RUN" --no-progress --threads 1 --out "$WORK/t" "$WORK/s.ini" >"$WORK/t.out" 2>"$WORK/t.err" &
pid=$!
hold_wait run >/dev/null || true
kill -TERM "$pid"
set +e
wait "$pid"
status=$?
set -e
[ "$status" -eq 3 ] && pass "SIGTERM: exit 3" || fail "SIGTERM: exit $status, expected 3"
expect_in "$WORK/t.err" "interrupted: 1 tasks finished in this run and 0 before, of 12" "Run the same command again to resume"
[ ! -e "$WORK/t/results.h5" ] && pass "interrupted run wrote no results" || fail "interrupted run wrote results"
run_case "resume after SIGTERM" 0 --no-progress --out "$WORK/t" "$WORK/s.ini"
same "resumed after SIGTERM" "$WORK/one" "$WORK/t"

# A folder holds one run.
run_case "rerun of a finished run" 0 --no-progress --out "$WORK/one" "$WORK/s.ini"
expect_in "$ERR" "already holds this run, finished; rebuilding its report only"
run_case "a folder of another config" 2 --no-progress --set experiment.seed=9 --out "$WORK/one" "$WORK/s.ini"
expect_in "$ERR" "holds a finished run of another config"
run_case "more threads than cores" 0 --dry-run --threads 64 "$WORK/s.ini"
expect_in "$ERR" "warning: 64 threads on"
run_case "bad --shard" 2 --shard 4/3 "$WORK/s.ini"
expect_in "$ERR" "--shard '4/3': expected I/N"

finish
