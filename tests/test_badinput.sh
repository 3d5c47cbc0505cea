#!/bin/sh
# test_badinput.sh: inputs from the wild. Each case asserts the exit status and that the
# message says what is wrong and where (file and line, key, column) and, where it can, how to
# fix it; and that a failed run leaves no results file that looks complete. Configs with
# overflowing, NaN and infinite numbers, duplicate keys, empty values, a wrong list separator
# and binary garbage; data with NaN and infinite cells, garbage, truncation and a field of two
# million characters; output folders that cannot be made and a disk that fills up mid-run; and
# results or shard files that are not what they claim, given to --report and --merge.
set -eu
. "$(dirname "$0")/cli_lib.sh"
cd "$WORK"

# ---- configs -------------------------------------------------------------------------------
cfg() { printf '%b' "$1" >"$WORK/b.ini"; }
cfg '[train]\nlearning_rate = 1e999\n'
run_case "a number that overflows" 2 --dry-run b.ini
expect_in "$ERR" "b.ini:2: train.learning_rate = '1e999'" "is not a number (accepted: 1e-12 to 10)"
for v in nan inf -inf; do
    cfg "[train]\nlearning_rate = $v\n"
    run_case "learning_rate = $v" 2 --dry-run b.ini
    expect_in "$ERR" "b.ini:2: train.learning_rate = '$v'"
done
cfg '[experiment]\nseed = 99999999999999999999999\n'
run_case "a seed beyond 64 bits" 2 --dry-run b.ini
expect_in "$ERR" "b.ini:2: experiment.seed" "not a whole number from 0 to 18446744073709551615"
cfg '[train]\nmax_epochs = 5\nmax_epochs = 6\n'
run_case "a key set twice" 2 --dry-run b.ini
expect_in "$ERR" "b.ini:3: train.max_epochs is set twice (keep one)"
cfg '[train]\nlearning_rate =\n'
run_case "an empty value" 2 --dry-run b.ini
expect_in "$ERR" "b.ini:2: train.learning_rate = ''"
cfg '[prune]\nsparsities = 0.5; 0.8\n'
run_case "a list separated by semicolons" 2 --dry-run b.ini
expect_in "$ERR" "b.ini:2: prune.sparsities" "contains ';', which starts a comment in INI files"
# Binary garbage, the same bytes every run (a fixed seed), so the message is the same too.
garbage() { awk -v n="$1" 'BEGIN { srand(3); for (i = 0; i < n; i++) printf "%c", 1 + int(rand() * 255) }'; }
garbage 4000 >"$WORK/garbage.ini"
run_case "binary garbage as a config" 2 --dry-run garbage.ini
expect_in "$ERR" "garbage.ini:"
cfg '[compress]\nbits = 32, 8, 8\n'
run_case "a width listed twice" 2 --dry-run b.ini
expect_in "$ERR" "compress.bits lists 8 twice"

# ---- data ------------------------------------------------------------------------------------
data() { printf '%b' "$1" >"$WORK/d.csv"; }
# A small good file whose first row (participant A's first window) is $1: one cell at a time.
first_row() { data "p,f1,f2,y\n$1\nA,2,3,0.5\nB,1,2,0.1\nB,3,3,0.2\nC,4,4,0.3\nC,1,1,0.4\n"; }
printf '[data]\nsource = csv\npath = d.csv\nparticipant_column = p\ntarget_column = y\nmin_windows = 1\n[output]\nfigures = none\ntables = none\n' >"$WORK/c.ini"
first_row 'A,1,2,nan'
run_case "NaN as a target" 2 --dry-run c.ini
expect_in "$ERR" "d.csv' line 2, column 'y' (column 4): 'nan' is not a number"
first_row 'A,1,inf,0.1'
run_case "inf as a feature" 2 --dry-run c.ini
expect_in "$ERR" "'f2' (line 2: 'inf')" "data.na_values"
first_row 'A,1,1e999,0.1'
run_case "a feature that overflows" 2 --dry-run c.ini
expect_in "$ERR" "'f2' (line 2: '1e999')"
garbage 6000 >"$WORK/d.csv"
run_case "binary garbage as data" 2 --dry-run c.ini
expect_in "$ERR" "data file 'd.csv'"
data 'p,f1,f2,y\nA,1,2,0.1\nA,2,3,0.5\nB,1,2,0.1\nB,3,3'
run_case "a truncated data file" 2 --dry-run c.ini
expect_in "$ERR" "d.csv' line 5 has 3 fields but the header (line 1) has 4 columns"
{ printf 'p,f1,f2,y\nA,'; head -c 2000000 /dev/zero | tr '\0' '7'; printf ',2,0.1\nB,1,2,0.3\n'; } >"$WORK/d.csv"
run_case "a field of two million characters" 2 --dry-run c.ini
expect_in "$ERR" "'f1' (line 2: '7777777777"
# A line of 200,000 columns (1.4 MB) is read, not refused: wide feature files exist.
awk 'BEGIN { n = 200000; printf "p,y"; for (j = 0; j < n; j++) printf ",f%d", j; print ""
    for (i = 0; i < 6; i++) { printf "%s,%d", substr("ABC", i % 3 + 1, 1), i; for (j = 0; j < n; j++) printf ",%d", (i * j) % 7; print "" } }' >"$WORK/d.csv"
run_case "a line of 200000 columns" 0 --dry-run c.ini
expect_in "$OUT" "features: 200000 (f0, f1, f2,"
data 'p,f1,f2,y\nA,1,2,0.1\nB,1,2,0.2\n'
run_case "participants with one window, min_windows 2" 2 --dry-run --set data.min_windows=2 c.ini
expect_in "$ERR" "d.csv"

# Data that load but would make numbers look wrong later: warned about by name, and the run
# goes on (nothing here is an error).
data 'p,f1,f2,y\nA,1,5,0.1\nA,2,5,0.5\nA,3,5,0.3\nB,1,5,0.1\nB,3,5,0.2\nB,2,5,0.4\nC,4,5,0.3\nC,1,5,0.4\nC,2,5,0.6\n'
run_case "a constant feature" 0 --dry-run c.ini
expect_in "$ERR" "warning: feature 'f2' has the same value (5) in all 9 windows" "data.drop_columns"
run_case "a constant feature, dropped" 0 --dry-run --set data.drop_columns=f2 c.ini
grep -q "warning" "$ERR" && fail "a dropped column is still warned about" "$(cat "$ERR")" || pass "  no warning once it is dropped"
data 'p,f1,f2,y\nA,5,5,0.1\nA,5,5,0.5\nB,5,5,0.1\nB,5,5,0.2\nC,5,5,0.3\nC,5,5,0.4\n'
run_case "all features constant" 0 --dry-run c.ini
expect_in "$ERR" "warning: 2 features have one value each in all 6 windows: 'f1', 'f2'"
data 'p,f1,f2,y\nA,1,2,0.1\nA,2,3,0.5\nA,3,1,0.3\nB,1,2,0.25\nB,3,3,0.25\nB,2,1,0.25\nC,4,4,0.3\nC,1,1,0.4\nC,2,2,0.6\nD,1,1,0.2\n'
run_case "a target with zero variance for a participant, and one with one window" 0 --no-progress \
    --set prune.criteria=magnitude --set prune.sparsities=0.5 --out "$WORK/zv" c.ini
expect_in "$ERR" "warning: 2 of 4 participants ('B', 'D') have one value of target 'y' in every window:" \
    "their CCC and Pearson r are 0 by definition"
awk -F, '$1 == "B" && $2 == "dense" { b = $6 } END { exit !(b == "0") }' "$WORK/zv/per_participant.csv" \
    && pass "  B's CCC is 0, as docs/metrics.md defines it" || fail "  B's CCC" "$(cat "$WORK/zv/per_participant.csv")"

# ---- where results go ------------------------------------------------------------------------
# Text in a numeric column of a file whose blocks are parsed on several threads: the message
# names the first text in the file (line 9002, not 12002 or 25002), whatever the threads.
awk 'BEGIN { print "p,f1,f2,y"
    for (i = 1; i <= 30000; i++)
        printf "%c,%d,%s,0.%d\n", 65 + i % 5, i, (i == 9001 || i == 12001 || i == 25001) ? "oops" i : i % 7, i % 9 }' >"$WORK/d.csv"
for th in 1 2; do
    run_case "text in a numeric column of 30,000 rows, $th thread(s)" 2 --dry-run --threads $th c.ini
    expect_in "$ERR" "1 feature column holds text where numbers belong: 'f2' (line 9002: 'oops9001')"
done
first_row 'A,1,2,0.1'
touch "$WORK/a-file"
run_case "an output folder under a file" 2 --set "experiment.output_dir=$WORK/a-file/x" c.ini
expect_in "$ERR" "'$WORK/a-file' is a file, not a folder" "choose another output folder"
run_case "--out is a file" 2 --out "$WORK/a-file" c.ini
expect_in "$ERR" "'$WORK/a-file' is a file, not a folder"
# A disk that fills up mid-run: a 64 kB tmpfs (the test runs as root in CI; elsewhere skipped).
mkdir -p "$WORK/full"
if mount -t tmpfs -o size=64k tmpfs "$WORK/full" 2>/dev/null; then
    run_case "a disk that fills up" 1 --no-progress --set "experiment.output_dir=$WORK/full" c.ini
    expect_in "$ERR" "No space left on device"
    find "$WORK/full" -name results.h5 | grep -q . && fail "a full disk left a results.h5" \
        || pass "a full disk leaves no results.h5"
    umount "$WORK/full"
else
    echo "# tmpfs not mountable here (not root): the full-disk case is skipped"
fi

# ---- a training that diverges ----------------------------------------------------------------
# Participant D's target is 1e30 on a raw (unscaled) target with plain SGD: every fold that
# trains on D overflows, the fold that holds D out does not. The run finishes that fold,
# writes the results with the others marked, names each diverged model and exits 4.
awk 'BEGIN { print "p,f1,f2,y"; s = 7
    for (q = 0; q < 4; q++) for (i = 0; i < 12; i++) {
        s = (s * 1103515245 + 12345) % 2147483648; a = s / 2147483648
        s = (s * 1103515245 + 12345) % 2147483648; b = s / 2147483648
        printf "%s,%.6f,%.6f,%s\n", substr("ABCD", q + 1, 1), a, b, q == 3 ? "1e30" : sprintf("%.6f", (a + b) / 2) } }' >"$WORK/div.csv"
printf '[data]\nsource = csv\npath = div.csv\nparticipant_column = p\ntarget_column = y\nmin_windows = 1\ntarget_scaling = none\n[train]\noptimizer = sgd\nmax_epochs = 5\n[prune]\ncriteria = magnitude\nsparsities = 0.5\n[folds]\nvalidation = 0\n[output]\nfigures = none\n' >"$WORK/div.ini"
run_case "a training that diverges in 3 of 4 folds" 4 --no-progress --out "$WORK/div" div.ini
expect_in "$ERR" "6 of 8 models diverged (loss NaN or infinite):" "  fold 0, repeat 0, dense" \
    "  fold 2, repeat 0, magnitude@0.5" "lower train.learning_rate"
grep -q "fold 3, repeat 0" "$ERR" && fail "the fold without D was reported as diverged" || pass "the fold that holds D out is not reported"
[ -s "$WORK/div/results.h5" ] && pass "the results are written" || fail "no results.h5"
# D was tested by fold 3, which trained: its numbers are there; A, B and C's are NaN.
awk -F, '$1 == "D" && $2 == "dense" { d = $6 } $1 == "A" && $2 == "dense" { a = $6 }
    END { exit !(d != "nan" && a == "nan") }' "$WORK/div/per_participant.csv" \
    && pass "the finished fold has values, the diverged ones NaN" || fail "values of the diverged folds" "$(cat "$WORK/div/per_participant.csv")"
# The study stays one with diverged models: a rerun into its folder and --report say so again.
run_case "a rerun of the diverged study" 4 --no-progress --out "$WORK/div" div.ini
expect_in "$ERR" "already holds this run, finished" "6 of 8 models diverged" "  fold 1, repeat 0, dense"
run_case "--report of the diverged study" 4 --report "$WORK/div"
expect_in "$ERR" "6 of 8 models diverged" "  fold 2, repeat 0, magnitude@0.5"

# ---- results and shards that are not what they claim ------------------------------------------
run_case "a study to break" 0 --no-progress --out "$WORK/ok" c.ini
mkdir -p "$WORK/bad"
printf 'garbage' >"$WORK/bad/results.h5"
run_case "--report on a file that is not HDF5" 2 --report "$WORK/bad"
expect_in "$ERR" "'$WORK/bad/results.h5' was not written by prunefair: it lacks the seal"
# Every results.h5 and shard file is sealed with the SHA-256 and length of its bytes (see
# src/h5seal.h), checked before HDF5 reads a byte: a copy cut short or damaged is refused.
size=$(wc -c <"$WORK/ok/results.h5")
head -c 3000 "$WORK/ok/results.h5" >"$WORK/bad/results.h5"
run_case "--report on a truncated results.h5" 2 --report "$WORK/bad"
expect_in "$ERR" "'$WORK/bad/results.h5' is cut short: it holds 2488 bytes after its seal, $((size - 512)) were written"
# Corrupt bytes in the middle of a real file, and one flipped bit near its end.
damage() { # FILE OFFSET BYTES
    printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
cp "$WORK/ok/results.h5" "$WORK/bad/results.h5"
damage "$WORK/bad/results.h5" $((size / 2)) XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
run_case "--report on a corrupted results.h5" 2 --report "$WORK/bad"
expect_in "$ERR" "'$WORK/bad/results.h5' is damaged: its bytes changed after it was written" \
    "copy it again from where the run wrote it"
cp "$WORK/ok/results.h5" "$WORK/bad/results.h5"
last=$(tail -c 1 "$WORK/bad/results.h5" | od -An -tu1 | tr -d ' ')
printf "$(printf '\\%03o' $((last ^ 1)))" | dd of="$WORK/bad/results.h5" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
run_case "--report on a results.h5 with one bit flipped" 2 --report "$WORK/bad"
expect_in "$ERR" "is damaged"
# Rerunning the study into a folder whose results.h5 is damaged says so, not "another config".
cp "$WORK/bad/results.h5" "$WORK/ok/results.h5"
run_case "a rerun on a damaged results.h5" 2 --no-progress --out "$WORK/ok" c.ini
expect_in "$ERR" "'$WORK/ok/results.h5' is damaged"

# Shards that are damaged, of another config, or written by another version are refused by
# --merge, and a refused merge writes nothing.
run_case "shard 1/2" 0 --no-progress --shard 1/2 --out "$WORK/sh" c.ini
run_case "shard 2/2" 0 --no-progress --shard 2/2 --out "$WORK/sh" c.ini
run_case "shard 2/2 of another config" 0 --no-progress --shard 2/2 --set train.max_epochs=3 --out "$WORK/sh2" c.ini
shard2="$WORK/sh/shards/shard-2-of-2.h5"
cp "$shard2" "$WORK/good-shard.h5"
cp "$WORK"/sh2/shards/shard-2-of-2.h5 "$shard2"
run_case "--merge with a shard of another config" 2 --merge "$WORK/sh"
expect_in "$ERR" "shard '$shard2' is of another config"
cp "$WORK/good-shard.h5" "$shard2"
damage "$shard2" 700 XXXXXXXX
run_case "--merge with a damaged shard" 2 --merge "$WORK/sh"
expect_in "$ERR" "'$shard2' is damaged" "or delete it and rerun that --shard"
head -c 2000 "$WORK/good-shard.h5" >"$shard2"
run_case "--merge with a shard cut short" 2 --merge "$WORK/sh"
expect_in "$ERR" "'$shard2' is cut short"
# Another version's shard: this version's number edited in place and the file sealed again,
# which is what that version would have written.
reseal() {
    sum=$(tail -c +513 "$1" | sha256sum | cut -c1-64)
    { printf 'prunefair-seal/1\nsha256 %s\nbytes %s\n' "$sum" $(($(wc -c <"$1") - 512))
      head -c 512 /dev/zero; } | head -c 512 | dd of="$1" conv=notrunc 2>/dev/null
}
version=$("$RUN" --version | awk '{ print $NF }')
cp "$WORK/good-shard.h5" "$shard2"
perl -0777 -pi -e "s/(program_version\\0.{1,64}?)\Q$version\E\\0/\${1}9.9.9\\0/s" "$shard2"
reseal "$shard2"
run_case "--merge with a shard of another version" 2 --merge "$WORK/sh"
expect_in "$ERR" "shard '$shard2' was written by prunefair 9.9.9, this is $version"
[ ! -e "$WORK/sh/results.h5" ] && pass "a refused merge writes no results.h5" || fail "a refused merge wrote results.h5"
cp "$WORK/good-shard.h5" "$shard2"
run_case "--merge with the shard restored" 0 --merge "$WORK/sh"
[ -s "$WORK/sh/results.h5" ] && pass "the merge writes results.h5" || fail "no results.h5 after the merge"
finish
