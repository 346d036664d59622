# Shared helpers of the app tests (sourced). Env: RNNLAB, srcdir, RNNLAB_TEST_DATA.
: "${RNNLAB:?RNNLAB must name the built program}" "${srcdir:=.}"
export NO_COLOR=1 LC_ALL=C.UTF-8
T=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-app.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" XDG_STATE_HOME="$T/state" XDG_CACHE_HOME="$T/cache"
mkdir -p "$HOME"
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run CMD...: runs rnnlab with stdout in $T/out, stderr in $T/err, status in $rc
run() { "$RNNLAB" "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }

# expect_status N DESCRIPTION
expect_status() {
    [ "$rc" -eq "$1" ] || { fail "$2: status $rc, expected $1"; sed 's/^/    err: /' "$T/err" | head -5; }
}
# expect_one_error_line DESCRIPTION: exactly one line on stderr, non-zero status, no crash
expect_one_error() {
    if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then fail "$1: status $rc, expected a non-zero sysexits status"; fi
    n=$(wc -l <"$T/err")
    [ "$n" -eq 1 ] || { fail "$1: $n lines on stderr, expected one"; sed 's/^/    err: /' "$T/err" | head -5; }
}
# expect_out PATTERN DESCRIPTION (grep -E on stdout)
expect_out() { grep -Eq -- "$1" "$T/out" || { fail "$2: stdout lacks /$1/"; sed 's/^/    out: /' "$T/out" | head -20; }; }
expect_err() { grep -Eq -- "$1" "$T/err" || { fail "$2: stderr lacks /$1/"; sed 's/^/    err: /' "$T/err" | head -5; }; }

# A tiny two-class data set in line files: $T/pos.txt, $T/neg.txt
make_lines() {
    i=0
    : >"$T/pos.txt"; : >"$T/neg.txt"
    while [ $i -lt 40 ]; do
        echo "the film number $i was good and fun" >>"$T/pos.txt"
        echo "the film number $i was bad and dull" >>"$T/neg.txt"
        i=$((i + 1))
    done
}

need_data() { # need_data FILE: skip (77) without the test data set
    if [ -z "${RNNLAB_TEST_DATA:-}" ] || [ ! -f "$RNNLAB_TEST_DATA/$1" ]; then
        echo "no $1 in RNNLAB_TEST_DATA"; exit 77
    fi
}

finish() {
    if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
    echo "all checks passed"; exit 0
}
