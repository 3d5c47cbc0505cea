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
