#!/bin/sh
# Runs every test of rnnlab and ends with "N passed, N failed[, N skipped]".
# A test is a compiled program tests/<area>/test_* (in the build tree) or a script
# tests/<area>/*.test (in the source tree, run with sh). Exit 0 = pass, 77 = skip, else fail.
# Environment for tests: srcdir, builddir, RNNLAB (the program), RNNLAB_TEST_DATA (data sets).
: "${srcdir:=.}" "${builddir:=.}"
RNNLAB="$builddir/rnnlab"; export RNNLAB srcdir builddir RNNLAB_TEST_DATA PYTHON3 TMUX_BIN
export NO_COLOR=1 LC_ALL=C.UTF-8
log_dir="$builddir/tests/logs"; mkdir -p "$log_dir"
pass=0; fail=0; skip=0; failed=""
run_one() { # $1 = display name, rest = command
    name=$1; shift
    log="$log_dir/$(echo "$name" | tr '/' '_').log"
    start=$(date +%s)
    "$@" >"$log" 2>&1; rc=$?
    secs=$(( $(date +%s) - start ))
    case $rc in
      0) pass=$((pass + 1)); echo "PASS: $name (${secs}s)";;
      77) skip=$((skip + 1)); echo "SKIP: $name ($(tail -n 1 "$log"))";;
      *) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL: $name (status $rc, log $log)"; tail -n 15 "$log" | sed 's/^/    /';;
    esac
}
only=${TESTS_ONLY:-}
for t in "$builddir"/tests/*/test_*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    case "$t" in *.o|*.c|*.log|*.trs) continue;; esac
    name=${t#"$builddir"/}
    [ -n "$only" ] && case "$name" in *$only*) ;; *) continue;; esac
    run_one "$name" "$t"
done
for t in "$srcdir"/tests/*/*.test; do
    [ -f "$t" ] || continue
    name=${t#"$srcdir"/}
    [ -n "$only" ] && case "$name" in *$only*) ;; *) continue;; esac
    run_one "$name" sh "$t"
done
[ -n "$failed" ] && echo "failed:$failed"
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" -eq 0 ]
