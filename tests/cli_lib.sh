# cli_lib.sh: small assertions for the end-to-end shell tests (sourced, not run).
# Each check prints "ok N - what" or "not ok N - what" with the evidence, and the script ends
# with finish, which prints "N passed, N failed" and sets the exit status.
: "${PF_BUILDDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${PF_SRCDIR:=$PF_BUILDDIR}"
: "${AGAIN_DATA_DIR:=$PF_SRCDIR/../shared/data/again}"
RUN="$PF_BUILDDIR/run_experiment"
n_ok=0
n_fail=0
WORK=$(mktemp -d /tmp/pf_cli_XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The parsed-data cache (src/data/cache.h) is never the user's own: make check sets a folder the
# suite shares, and a test run by hand gets one in its scratch folder.
: "${PF_CACHE_DIR:=$WORK/cache}"
export PF_CACHE_DIR

pass() { n_ok=$((n_ok + 1)); echo "ok $((n_ok + n_fail)) - $1"; }
fail() { n_fail=$((n_fail + 1)); echo "not ok $((n_ok + n_fail)) - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# run_case NAME EXPECTED_STATUS [args...]: runs run_experiment, keeps stdout/stderr in $OUT/$ERR.
run_case() {
    name=$1 want=$2
    shift 2
    OUT="$WORK/out.txt" ERR="$WORK/err.txt"
    set +e
    "$RUN" "$@" >"$OUT" 2>"$ERR"
    got=$?
    set -e
    if [ "$got" -eq "$want" ]; then pass "$name: exit $want"
    else fail "$name: exit $got, expected $want" "stderr: $(head -c 600 "$ERR")"; fi
}

# expect_in FILE TEXT...: every TEXT occurs in FILE (fixed strings).
expect_in() {
    file=$1
    shift
    for t in "$@"; do
        if grep -q -F -- "$t" "$file"; then pass "  says: $t"
        else fail "  missing: $t" "got: $(head -c 600 "$file")"; fi
    done
}

finish() {
    echo "$n_ok passed, $n_fail failed"
    [ "$n_fail" -eq 0 ]
}

# The test hold (src/hold.h): a run started with PF_TEST_HOLD="$HOLD" pauses once the first
# task it computed is checkpointed, writing $HOLD/TAG.held (its process id), and starts no
# further task until $HOLD/TAG.go exists or a stop signal arrives. TAG is "run", or "shard-I"
# for --shard I/N. So "mid-run" is a state the program reaches, not a moment a test guesses.
HOLD=$WORK/hold
mkdir -p "$HOLD"
# hold_wait TAG: wait until the run tagged TAG holds; prints its process id. The limit only
# ends a test whose run never gets there (it is not a timing assumption).
hold_wait() {
    h=0
    while [ ! -s "$HOLD/$1.held" ]; do
        [ "$h" -lt 6000 ] || { echo "hold_wait: no $HOLD/$1.held after 600 s" >&2; return 1; }
        sleep 0.1
        h=$((h + 1))
    done
    cat "$HOLD/$1.held"
}
# hold_release TAG: let the run tagged TAG (and any later run of it) go on.
hold_release() { : >"$HOLD/$1.go"; }
