#!/bin/sh
# summary.sh EXEEXT TEST...: the closing line of `make check`, "N passed, N failed[, N skipped]",
# from the harness's result files (tests/FOLDER/NAME.trs); a test without one (not run) failed.
# Exit status 1 when any failed.
exeext=$1; shift
pass=0; fail=0; skip=0; failed=
for t in "$@"; do
    base=${t%"$exeext"}; base=${base%.test}; base=${base%.table}
    result=$(sed -n 's/^:test-result: *//p' "$base.trs" 2>/dev/null)
    case $result in
      PASS|XFAIL) pass=$((pass + 1));;
      SKIP) skip=$((skip + 1));;
      *) fail=$((fail + 1)); failed="$failed $t";;
    esac
done
[ -n "$failed" ] && echo "failed:$failed (logs: tests/FOLDER/NAME.log)"
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" -eq 0 ]
