#!/bin/sh
# Runs fuzz targets one after the other for FUZZ_SECONDS each (FUZZ_JOBS at once, default 1) and
# prints one line per target: executions, coverage (libFuzzer's cov and ft), corpus, and the
# crash, leak or sanitizer report it stopped on. Exit status 1 when any target found something.
# Environment: srcdir (seeds in $srcdir/tests/fuzz/corpus), fuzz_dir (the built fuzz_* programs;
# each target's growing corpus and findings go to $fuzz_dir/work/NAME). Arguments: target names.
: "${FUZZ_SECONDS:=60}" "${FUZZ_JOBS:=1}" "${srcdir:=.}" "${fuzz_dir:=tests/fuzz/build}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# run_target NAME: fuzzes NAME and writes its summary line to work/NAME/summary.
run_target() {
    name=$1 work="$fuzz_dir/work/$1"
    mkdir -p "$work/corpus" "$work/findings"
    seeds="$srcdir/tests/fuzz/corpus/$name" dict="$srcdir/tests/fuzz/corpus/$name.dict"
    set -- -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -close_fd_mask=1 -artifact_prefix="$work/findings/"
    [ -f "$dict" ] && set -- "$@" -dict="$dict"
    [ -d "$seeds" ] || seeds=
    start=$(date +%s)
    "$fuzz_dir/fuzz_$name" "$@" "$work/corpus" $seeds > "$work/log" 2>&1
    rc=$? secs=$(( $(date +%s) - start ))
    # the last status line: "#N DONE cov: C ft: F corp: K/SIZE ..." (or the last pulse before a crash)
    stats=$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$work/log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    [ -n "$execs" ] || execs=$(echo "$stats" | sed -n 's/^#\([0-9]*\).*/\1/p')
    cov=$(echo "$stats" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$stats" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$stats" | sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
    found=$(ls "$work/findings" 2>/dev/null | head -n 1)
    if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
        result="no crash"
    else
        what=$(grep -m 1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:)' "$work/log" | sed 's/^==[0-9]*==//')
        result="FOUND: ${what:-exit status $rc}; input $work/findings/$found; log $work/log"
    fi
    printf 'fuzz_%s: %s execs in %ss, cov %s, ft %s, corpus %s, %s\n' "$name" "${execs:-0}" \
        "$secs" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result" > "$work/summary"
}

# Prints the summaries of the targets of one batch once all of them have finished.
finish_batch() {
    wait
    for name in $batch; do
        cat "$fuzz_dir/work/$name/summary"
        grep -q 'FOUND' "$fuzz_dir/work/$name/summary" && status=1
    done
    batch=
}

status=0 batch=
for name in "$@"; do
    rm -rf "$fuzz_dir/work/$name/findings" "$fuzz_dir/work/$name/summary"
    run_target "$name" &
    batch="$batch $name"
    [ "$(echo $batch | wc -w)" -ge "$FUZZ_JOBS" ] && finish_batch
done
finish_batch
exit $status
