#!/bin/sh
# scale_merge.sh: the bookkeeping of a big study, not its training. A 10,000-task plan
# (1,000 synthetic participants x 10 repeats, a 2-unit network, one epoch) cut into SHARDS
# shards (default 1,000): every shard is run, then --status and --merge are timed and the
# merge's peak memory is read from GNU time. Shards run N_JOBS at a time (default: cores).
#
#   experiments/scale_merge.sh [SHARDS] [OUT_DIR]
set -eu
here=$(pwd)
shards=${1:-1000}
out=${2:-}
case $out in "" | /*) ;; *) out="$here/$out" ;; esac
cd "$(dirname "$0")/.."
[ -x run_experiment ] || { echo "build first: scripts/quickstart.sh demo" >&2; exit 2; }
out=${out:-$(mktemp -d /tmp/pf_scale_XXXXXX)}
cfg="$out.ini"
cat >"$cfg" <<'INI'
[experiment]
name = scale
repeats = 10
[synthetic]
participants = 1000
windows = 6
features = 4
informative = 2
private = 1
[data]
min_windows = 2
[model]
hidden = 2
[train]
max_epochs = 1
batch_size = 8
patience = 0
[folds]
validation = 0
[prune]
criteria = magnitude
sparsities = 0,0.5
[stats]
bootstrap = 0
[output]
figures = none
INI
jobs=${N_JOBS:-$(nproc 2>/dev/null || echo 2)}
start=$(date +%s.%N)
seq 1 "$shards" | xargs -P "$jobs" -I{} ./run_experiment --no-progress --threads 1 \
    --shard "{}/$shards" --out "$out" "$cfg" >/dev/null 2>>"$out.log"
mid=$(date +%s.%N)
/usr/bin/time -f '%e %M' -o "$out.status.time" ./run_experiment --status "$out" >"$out.status"
/usr/bin/time -f '%e %M' -o "$out.merge.time" ./run_experiment --no-progress --merge "$out" >/dev/null
echo "plan: $(sed -n 's/^tasks: //p' "$out.status") tasks in $shards shards"
awk -v a="$start" -v b="$mid" -v j="$jobs" 'BEGIN { printf "all shards (%s at a time): %.1f s\n", j, b - a }'
echo "status: $(cut -d' ' -f1 "$out.status.time") s, peak $(cut -d' ' -f2 "$out.status.time") KiB"
echo "merge:  $(cut -d' ' -f1 "$out.merge.time") s, peak $(cut -d' ' -f2 "$out.merge.time") KiB"
tail -1 "$out.status"
