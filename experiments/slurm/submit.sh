#!/bin/sh
# submit.sh: run a prunefair study on a SLURM cluster, as a job array of shards and one merge;
# or a sweep, as one job array over the shards of all its points, a merge per point and one
# aggregation.
#
#   experiments/slurm/submit.sh [OPTIONS] CONFIG.ini [SBATCH OPTIONS...]
#   experiments/slurm/submit.sh [OPTIONS] SWEEP.ini [SBATCH OPTIONS...]
#
#   --shards N           cut the plan into N shards (at most the number of tasks)
#   --tasks-per-shard T  or: N = ceil(tasks / T)                  (default 50; PF_TASKS_PER_SHARD)
#   --throttle K         at most K shards run at once (%K)        (default 20; PF_THROTTLE)
#   --out DIR            the run folder (default: the `output:` of --dry-run; PF_OUT)
#   --print              print the sbatch commands, submit nothing
#   SBATCH OPTIONS       passed to both jobs: --partition=P --time=HH:MM:SS --mem=4G
#                        --cpus-per-task=C --account=A --qos=Q ... (one thread per CPU given)
#
# What it does, in order, and why:
# 1. Runs `run_experiment --dry-run CONFIG` and refuses (exit 2, nothing submitted) a config that
#    fails it: a typo must not cost a queue wait and a thousand failed jobs.
# 2. Chooses the shard count from the plan: N = ceil(tasks / T), at most the task count, or the
#    N given. A shard should take minutes, not seconds (job start-up costs tens of seconds) nor
#    hours (a lost shard is redone from its last checkpoint, and shorter jobs start sooner);
#    README "Running on a cluster" says how to set T from a measured task time.
# 3. Submits the array `--array=I..%K` of shard.sbatch with `--requeue`, `--signal=B:USR1@120`
#    (120 s before the time limit the shard stops cleanly and requeues itself; PF_SIGNAL_LEAD
#    changes the 120), logs RUN_DIR/logs/shard-%A_%a.out appended to across requeues.
# 4. Submits merge.sbatch with `--dependency=afterok:<array>` and `--kill-on-invalid-dep=yes`:
#    it runs when every shard has succeeded, and is cancelled, not left pending forever, if one
#    failed. If the merge cannot be submitted, the array is cancelled: all or nothing.
# 5. Prints both job ids and the `run_experiment --status RUN_DIR` command to follow the run.
#
# Running it again with the same arguments is how to finish a run after failures: shards whose
# file RUN_DIR/shards/shard-I-of-N.h5 exists are not resubmitted, the others resume from their
# checkpoints, and a new merge is chained. A run folder that already has results.h5 is left as
# it is. The jobs run in the folder submit.sh was started in, so a config's relative paths mean
# what they meant to --dry-run here; the folders must be on a file system every node sees.
#
# A sweep file (one with a [sweep] section, docs/sweeps.md) is submitted the same way, as ONE
# array: `run_experiment --sweep SWEEP --plan-shards T` takes the sweep's folder and cuts every
# point not done into shards that carry about the same work across points (a point of a wider
# network gets more shards), keeping the cut a point's folder already has. Array task K runs
# line K of RUN_DIR/logs/array-S.txt ("point shard of"), each point's merge waits (afterok) for
# that point's array tasks only, and one aggregation job (aggregate.sbatch, afterany) writes the
# tables across the points when every merge has ended. Again, running submit.sh again submits
# only what is missing: the missing shards, the merges of the points not done, an aggregation.
#
# Environment: PF_RUN_EXPERIMENT (the program; default the run_experiment of this repository,
# else the one on PATH), PF_MAX_REQUEUES (read by shard.sbatch, default 5).
# Exit status: 0 submitted (or nothing left to do), 2 bad arguments or config, 1 sbatch failed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cwd=$(pwd)

usage() {
    sed -n '3,13p' "$here/submit.sh" | sed 's/^# \{0,1\}//'
}
die() { # die STATUS MESSAGE
    echo "submit.sh: $2" >&2
    exit "$1"
}
posint() { # posint NAME VALUE: VALUE is a whole number >= 1
    case $2 in '' | *[!0-9]*) die 2 "$1 must be a whole number >= 1, not '$2'" ;; esac
    [ "$2" -ge 1 ] || die 2 "$1 must be a whole number >= 1, not '$2'"
}
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$cwd" "$1" ;; esac; }
quote() { # quote ARG...: the arguments as one line a shell reads back the same
    line=""
    for a in "$@"; do
        case $a in
        *[!A-Za-z0-9_./:=%@,+-]* | '') a="'$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'" ;;
        esac
        line="$line${line:+ }$a"
    done
    printf '%s\n' "$line"
}

tps=${PF_TASKS_PER_SHARD:-}
shards=${PF_SHARDS:-}
throttle=${PF_THROTTLE:-20}
out=${PF_OUT:-}
lead=${PF_SIGNAL_LEAD:-120}
print=0
while [ $# -gt 0 ]; do
    case $1 in
    --shards | --tasks-per-shard | --throttle | --out)
        [ $# -ge 2 ] || die 2 "$1 needs a value"
        case $1 in
        --shards) shards=$2 ;;
        --tasks-per-shard) tps=$2 ;;
        --throttle) throttle=$2 ;;
        --out) out=$2 ;;
        esac
        shift 2
        ;;
    --shards=*) shards=${1#*=}; shift ;;
    --tasks-per-shard=*) tps=${1#*=}; shift ;;
    --throttle=*) throttle=${1#*=}; shift ;;
    --out=*) out=${1#*=}; shift ;;
    --print) print=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) die 2 "unknown option $1 (options of submit.sh go before CONFIG, sbatch options after it; --help)" ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || { usage >&2; exit 2; }
config=$(abspath "$1")
shift
[ -f "$config" ] && [ -r "$config" ] || die 2 "no readable config file $config"
[ -z "$shards" ] || posint "--shards" "$shards"
[ -z "$tps" ] || posint "--tasks-per-shard" "$tps"
posint "--throttle" "$throttle"
posint "PF_SIGNAL_LEAD" "$lead"

prog=${PF_RUN_EXPERIMENT:-}
if [ -z "$prog" ]; then
    if [ -x "$root/run_experiment" ]; then prog=$root/run_experiment
    else prog=$(command -v run_experiment 2>/dev/null) \
        || die 2 "run_experiment not found: build it (make in $root) or set PF_RUN_EXPERIMENT"
    fi
fi
prog=$(abspath "$prog")
[ -x "$prog" ] || die 2 "$prog is not an executable program (PF_RUN_EXPERIMENT)"

tmp=$(mktemp "${TMPDIR:-/tmp}/pf_submit_XXXXXX")
trap 'rm -f "$tmp" "$tmp.err"' EXIT

# A sweep: one array over the shards of every point, a merge per point, one aggregation.
if grep -q '^[[:space:]]*\[sweep\][[:space:]]*$' "$config"; then
    # 1. The plan, or no submission at all: every point's config and data are checked.
    if ! "$prog" --sweep "$config" ${out:+--out "$(abspath "$out")"} --dry-run >"$tmp" 2>"$tmp.err"; then
        cat "$tmp.err" >&2
        die 2 "$config fails run_experiment --sweep --dry-run (above): nothing submitted"
    fi
    tasks=$(sed -n 's/^tasks: *\([0-9][0-9]*\).*/\1/p' "$tmp" | head -1)
    name=$(sed -n 's/^sweep: *//p' "$tmp" | head -1)
    [ -n "$out" ] || out=$(sed -n 's/^output: *//p' "$tmp" | head -1)
    out=$(abspath "$out")
    # 2. The cut: T tasks' work per shard (--shards N: T = ceil(tasks / N)).
    if [ -n "$shards" ]; then t=$(((tasks + shards - 1) / shards)); else t=${tps:-50}; fi
    plan_opt=""
    [ "$print" -eq 0 ] || plan_opt=--dry-run # --print takes no folder
    "$prog" --sweep "$config" --out "$out" --plan-shards "$t" $plan_opt >"$tmp" 2>"$tmp.err" || {
        cat "$tmp.err" >&2
        die 2 "run_experiment --sweep $config --plan-shards $t failed (above): nothing submitted"
    }
    n_shards=$(grep -c '^shard ' "$tmp" || true)
    n_merge=$(grep -c '^merge ' "$tmp" || true)
    n_points=$(grep -c '^point ' "$tmp" || true)
    n_done=$(grep -c '^point [0-9]* [^ ]* done ' "$tmp" || true)
    echo "submit.sh: sweep $name: $n_points points, $tasks tasks; $n_done points done;" \
        "$n_shards shards to run ($t tasks' work per shard); sweep folder $out"
    grep '^point [0-9]* [^ ]* unloadable ' "$tmp" | while read -r _ p _ _ _ _; do
        echo "submit.sh: point $p: its data cannot be loaded (run_experiment --sweep $config --dry-run says why): not submitted" >&2
    done
    if [ "$n_merge" -eq 0 ]; then
        echo "submit.sh: nothing to submit: every point is done (run_experiment --report $out rebuilds the aggregation)"
        exit 0
    fi
    folder_of() { sed -n "s/^point $1 \([^ ]*\) .*/\1/p" "$tmp"; }
    if [ "$print" -eq 1 ]; then
        [ "$n_shards" -eq 0 ] || quote sbatch --parsable "--job-name=pf-$name" "--array=1-$n_shards%$throttle" \
            --requeue "--signal=B:USR1@$lead" --open-mode=append "--output=$out/logs/shard-%A_%a.out" \
            "--chdir=$cwd" "$@" "$here/shard.sbatch" "$prog" "$config" "$out" "$out/logs/array-S.txt"
        sed -n 's/^merge //p' "$tmp" | while read -r p; do
            quote sbatch --parsable "--job-name=pf-$name-merge-$p" --dependency=afterok:ARRAY_ID_K \
                --kill-on-invalid-dep=yes "--output=$out/logs/merge-p$p-%j.out" "--chdir=$cwd" "$@" \
                "$here/merge.sbatch" "$prog" "$out/points/$(folder_of "$p")"
        done
        quote sbatch --parsable "--job-name=pf-$name-aggregate" --dependency=afterany:MERGE_IDS \
            "--output=$out/logs/aggregate-%j.out" "--chdir=$cwd" "$@" "$here/aggregate.sbatch" "$prog" "$out"
        exit 0
    fi
    command -v sbatch >/dev/null || die 1 "sbatch not found: run this on a SLURM login node"
    mkdir -p "$out/logs" || die 1 "cannot make $out/logs"
    # 3. The array over every missing shard, line K of the map file for array task K.
    k=1
    while [ -e "$out/logs/array-$k.txt" ]; do k=$((k + 1)); done
    map=$out/logs/array-$k.txt
    sed -n 's/^shard //p' "$tmp" >"$map"
    submitted=""
    cancel_all() { [ -z "$submitted" ] || scancel $submitted || true; }
    array_id=""
    if [ "$n_shards" -gt 0 ]; then
        sbatch --test-only "--array=1-$n_shards%$throttle" --requeue "--signal=B:USR1@$lead" --output=/dev/null \
            "--chdir=$cwd" "$@" "$here/shard.sbatch" "$prog" "$config" "$out" "$map" >/dev/null 2>"$tmp.err" || {
            cat "$tmp.err" >&2
            rm -f "$map"
            die 2 "sbatch refuses these options (above): nothing submitted"
        }
        array_id=$(sbatch --parsable "--job-name=pf-$name" "--array=1-$n_shards%$throttle" --requeue \
            "--signal=B:USR1@$lead" --open-mode=append "--output=$out/logs/shard-%A_%a.out" \
            "--chdir=$cwd" "$@" "$here/shard.sbatch" "$prog" "$config" "$out" "$map") \
            || die 1 "sbatch of the shard array failed: nothing submitted"
        array_id=${array_id%%;*}
        submitted=$array_id
    fi
    # 4. A merge per point not done, after that point's array tasks only.
    merges=""
    for p in $(sed -n 's/^merge //p' "$tmp"); do
        deps=$(awk -v p="$p" -v a="$array_id" '$1 == p { d = d ":" a "_" NR } END { print d }' "$map")
        id=$(sbatch --parsable "--job-name=pf-$name-merge-$p" ${deps:+"--dependency=afterok$deps"} \
            --kill-on-invalid-dep=yes "--output=$out/logs/merge-p$p-%j.out" "--chdir=$cwd" "$@" \
            "$here/merge.sbatch" "$prog" "$out/points/$(folder_of "$p")") || {
            cancel_all
            die 1 "sbatch of the merge of point $p failed; jobs cancelled: nothing left submitted"
        }
        id=${id%%;*}
        merges="$merges:$id" submitted="$submitted $id"
        echo "merge job: $id (point $p, $(folder_of "$p"))"
    done
    # 5. The aggregation, when every merge has ended (done or not).
    agg=$(sbatch --parsable "--job-name=pf-$name-aggregate" "--dependency=afterany$merges" \
        "--output=$out/logs/aggregate-%j.out" "--chdir=$cwd" "$@" "$here/aggregate.sbatch" "$prog" "$out") || {
        cancel_all
        die 1 "sbatch of the aggregation failed; jobs cancelled: nothing left submitted"
    }
    agg=${agg%%;*}
    [ -z "$array_id" ] || echo "array job: $array_id ($n_shards shards of $n_merge points, at most $throttle at once; map $map; logs $out/logs/shard-${array_id}_<k>.out)"
    echo "aggregation job: $agg (after every merge; log $out/logs/aggregate-$agg.out)"
    echo "status:    $(quote "$prog" --status "$out")"
    echo "results:   $out/sweep.csv, tables/ and figures/, when the aggregation is done"
    exit 0
fi

# 1. The plan, or no submission at all.
if ! "$prog" --dry-run "$config" >"$tmp" 2>"$tmp.err"; then
    cat "$tmp.err" >&2
    die 2 "$config fails run_experiment --dry-run (above): nothing submitted"
fi
tasks=$(sed -n 's/^tasks: *\([0-9][0-9]*\).*/\1/p' "$tmp" | head -1)
name=$(sed -n 's/^name: *//p' "$tmp" | head -1)
[ -n "$tasks" ] && [ "$tasks" -ge 1 ] || die 2 "--dry-run of $config names no tasks: nothing submitted"
if [ -z "$out" ]; then
    out=$(sed -n 's/^output: *//p' "$tmp" | head -1)
    [ -n "$out" ] || die 2 "--dry-run of $config names no output folder; give --out DIR"
fi
out=$(abspath "$out")
name=${name:-prunefair}

if [ -f "$out/results.h5" ]; then
    echo "submit.sh: $out already holds a finished run (results.h5): nothing to submit."
    echo "           To run it again, move that folder away first."
    exit 0
fi

# 2. How many shards.
if [ -n "$shards" ]; then
    n=$shards rule="--shards $shards"
else
    t=${tps:-50}
    n=$(((tasks + t - 1) / t)) rule="ceil($tasks tasks / $t per shard)"
fi
[ "$n" -le "$tasks" ] || { n=$tasks; rule="$rule, at most one shard per task"; }
# A folder already cut another way keeps its cut: mixing two cuts would double tasks.
prev=$(ls "$out/shards" 2>/dev/null | sed -n 's/^plan-\([0-9][0-9]*\)\.txt$/\1/p; s/^shard-[0-9][0-9]*-of-\([0-9][0-9]*\)\.h5$/\1/p' | sort -u)
if [ -n "$prev" ]; then
    [ "$(echo "$prev" | wc -l)" -eq 1 ] || die 2 "$out/shards holds shards of several cuts ($(echo $prev)); keep one"
    if [ "$prev" -ne "$n" ]; then
        [ -z "$shards" ] && [ -z "$tps" ] || die 2 "$out was already cut into $prev shards, not $n: resubmit with --shards $prev (or use another --out)"
        n=$prev rule="the cut of $out/shards"
    fi
fi
if [ "$print" -eq 0 ] && maxarr=$(scontrol show config 2>/dev/null | sed -n 's/^MaxArraySize *= *\([0-9]*\).*/\1/p') \
    && [ -n "$maxarr" ] && [ "$n" -ge "$maxarr" ]; then
    die 2 "$n shards, but this cluster's MaxArraySize is $maxarr (array indices up to $((maxarr - 1))): use --tasks-per-shard $(((tasks + maxarr - 2) / (maxarr - 1))) or more"
fi

# The shards still to run, as an array spec of ranges: 1-3,5,7-9.
spec="" done_n=0 i=1 start=0
while [ "$i" -le $((n + 1)) ]; do
    if [ "$i" -le "$n" ] && [ ! -f "$out/shards/shard-$i-of-$n.h5" ]; then
        [ "$start" -gt 0 ] || start=$i
    else
        [ "$i" -gt "$n" ] || done_n=$((done_n + 1))
        if [ "$start" -gt 0 ]; then
            r=$start
            [ "$start" -eq $((i - 1)) ] || r="$start-$((i - 1))"
            spec=${spec:+$spec,}$r
            start=0
        fi
    fi
    i=$((i + 1))
done

plural=s
[ "$n" -ne 1 ] || plural=""
echo "submit.sh: $config: $tasks tasks in $n shard$plural ($rule); run folder $out"
[ "$done_n" -eq 0 ] || echo "submit.sh: $done_n of $n shards already finished; submitting only shards ${spec:-none}"

if [ "$print" -eq 1 ]; then
    [ -z "$spec" ] || quote sbatch --parsable "--job-name=pf-$name" "--array=$spec%$throttle" --requeue \
        "--signal=B:USR1@$lead" --open-mode=append "--output=$out/logs/shard-%A_%a.out" "--chdir=$cwd" \
        "$@" "$here/shard.sbatch" "$prog" "$config" "$out" "$n"
    quote sbatch --parsable "--job-name=pf-$name-merge" ${spec:+--dependency=afterok:ARRAY_ID} \
        --kill-on-invalid-dep=yes "--output=$out/logs/merge-%j.out" "--chdir=$cwd" \
        "$@" "$here/merge.sbatch" "$prog" "$out"
    exit 0
fi
command -v sbatch >/dev/null || die 1 "sbatch not found: run this on a SLURM login node"
mkdir -p "$out/logs" || die 1 "cannot make $out/logs"

# 3. The array (its options first checked with --test-only, so bad ones submit nothing).
array_id=""
if [ -n "$spec" ]; then
    sbatch --test-only "--array=$spec%$throttle" --requeue "--signal=B:USR1@$lead" --output=/dev/null \
        "--chdir=$cwd" "$@" "$here/shard.sbatch" "$prog" "$config" "$out" "$n" >/dev/null 2>"$tmp.err" || {
        cat "$tmp.err" >&2
        die 2 "sbatch refuses these options (above): nothing submitted"
    }
    array_id=$(sbatch --parsable "--job-name=pf-$name" "--array=$spec%$throttle" --requeue \
        "--signal=B:USR1@$lead" --open-mode=append "--output=$out/logs/shard-%A_%a.out" \
        "--chdir=$cwd" "$@" "$here/shard.sbatch" "$prog" "$config" "$out" "$n") \
        || die 1 "sbatch of the shard array failed: nothing submitted"
    array_id=${array_id%%;*}
fi

# 4. The merge, chained to the array.
merge_id=$(sbatch --parsable "--job-name=pf-$name-merge" ${array_id:+"--dependency=afterok:$array_id"} \
    --kill-on-invalid-dep=yes "--output=$out/logs/merge-%j.out" "--chdir=$cwd" \
    "$@" "$here/merge.sbatch" "$prog" "$out") || {
    [ -z "$array_id" ] || scancel "$array_id" || true
    die 1 "sbatch of the merge job failed${array_id:+; array job $array_id cancelled}: nothing left submitted"
}
merge_id=${merge_id%%;*}

# 5. What to watch.
if [ -n "$array_id" ]; then
    echo "array job: $array_id (shards $spec, at most $throttle at once; logs $out/logs/shard-${array_id}_<i>.out)"
fi
echo "merge job: $merge_id (${array_id:+after every shard succeeds; }log $out/logs/merge-$merge_id.out)"
echo "status:    $(quote "$prog" --status "$out")"
echo "queue:     squeue -j ${array_id:+$array_id,}$merge_id"
echo "results:   $out/results.h5 and the CSVs, tables and figures beside it, when the merge is done"
