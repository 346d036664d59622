#!/bin/sh
# `make bench`: rnnlab against the PyTorch peer (../shared/bench/peer_torch.py), side by side in one
# run with the same thread count, plus the machine's sgemm ceiling (../shared/bench/sgemm_peak.c).
# Writes bench/results.md (table made by bench_report.py). Needs no network.
#
# Environment:
#   RNNLAB             the built program (default: ./rnnlab)
#   BENCH_THREADS      threads for both sides (default 2)
#   BENCH_CONFIGS      space/comma-separated subset (default: all eight; CONFIG_masked is CONFIG with
#                      mask_zero=True and bucket_by_length=true, against the padded CONFIG's peer)
#   BENCH_PEER_STEPS   timed peer steps for every config (default: per config, see peer_steps)
#   BENCH_PEER         peer directory (default: $srcdir/../shared/bench)
#   BENCH_DATA         data sets (default: $RNNLAB_DATA, else $srcdir/../shared/datasets)
#   BENCH_OUT          the table (default: $srcdir/bench/results.md)
#   BENCH_WORK         keep raw logs here (default: a temp dir, removed unless BENCH_KEEP=1)
#   BENCH_DATA_CMD     command for the data pipeline bench (set by `make bench` when bench-data exists)
#   BENCH_SKIP_PEER=1  reuse the peer results already in BENCH_WORK (for reruns of the rnnlab side)
#   BENCH_RUNS         rnnlab runs of each config (default 3): s/epoch is their median, the host's
#                      speed drifting by tens of percent within the hour; inference is timed in the first
#   BENCH_PREDICTS     timed one-review predicts (default 21, after one untimed): their median
#   BENCH_QUIET_WAIT   before each timed run, wait up to this many seconds (default 0) for the
#                      machine to be quiet: CPU busy under BENCH_QUIET_PCT percent (default 10) over 3 s
#   PYTHON3            python with torch for the peer (default /usr/bin/python3)
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
RNNLAB=${RNNLAB:-./rnnlab}
threads=${BENCH_THREADS:-2}
runs=${BENCH_RUNS:-3}
predicts=${BENCH_PREDICTS:-21}
configs=$(echo "${BENCH_CONFIGS:-chollet_rnn chollet_lstm chollet_lstm_masked west_lstm west_lstm_masked bilstm_001 bigru_000 sms_rnn}" | tr ',' ' ')
peer_dir=${BENCH_PEER:-$srcdir/../shared/bench}
data=${BENCH_DATA:-${RNNLAB_DATA:-$srcdir/../shared/datasets}}
out=${BENCH_OUT:-$here/results.md}
py=${PYTHON3:-/usr/bin/python3}
TIME=/usr/bin/time

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$RNNLAB" ] || die "no rnnlab program at $RNNLAB (build first, or set RNNLAB)"
[ -f "$peer_dir/peer_torch.py" ] || die "no peer at $peer_dir/peer_torch.py (set BENCH_PEER)"
[ -d "$data" ] || die "no data sets at $data (set BENCH_DATA)"
[ -x "$TIME" ] || die "$TIME is missing: apt-get install time"
"$py" -c 'import torch, numpy' 2>/dev/null || die "$py cannot import torch and numpy: apt-get install python3-torch python3-numpy"
case $threads in ''|*[!0-9]*) die "BENCH_THREADS must be a number";; esac
case $runs in ''|*[!0-9]*|0) die "BENCH_RUNS must be a number of at least 1";; esac
case $predicts in ''|*[!0-9]*|0) die "BENCH_PREDICTS must be a number of at least 1";; esac
for c in $configs; do [ -f "$here/configs/$c.rnn" ] || die "unknown config $c (no $here/configs/$c.rnn)"; done
RNNLAB=$(cd "$(dirname "$RNNLAB")" && pwd)/$(basename "$RNNLAB")
data=$(cd "$data" && pwd)

if [ -n "${BENCH_WORK:-}" ]; then work=$BENCH_WORK; mkdir -p "$work"
else work=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-bench.XXXXXX"); fi
[ -n "${BENCH_WORK:-}" ] || [ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
# Both sides get the same thread count, also for any BLAS/OpenMP pool underneath.
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads NO_COLOR=1 LC_ALL=C.UTF-8
export RNNLAB_DATA="$data"

# Timed peer steps per config: enough for a stable mean (bigru_000 takes ~1-2 s a step, and 4 steps
# gave epochs from 359 to 646 s within a morning).
peer_steps() {
    if [ -n "${BENCH_PEER_STEPS:-}" ]; then echo "$BENCH_PEER_STEPS"; return; fi
    case $1 in
      chollet_rnn) echo 30;; chollet_lstm|west_lstm) echo 20;; bilstm_001) echo 10;;
      bigru_000) echo 10;; sms_rnn) echo 60;; *) echo 10;;
    esac
}

echo "bench: threads=$threads configs='$configs' work=$work"
echo "bench: sgemm ceiling (OpenBLAS, $threads threads)"
mkdir -p "$work/sgemm"
gcc -O2 -I/usr/include/x86_64-linux-gnu/openblas-pthread -o "$work/sgemm/sgemm_peak" \
    "$peer_dir/sgemm_peak.c" -lopenblas || die "cannot compile sgemm_peak.c"
"$work/sgemm/sgemm_peak" > "$work/sgemm.txt" || die "sgemm_peak failed"
cat "$work/sgemm.txt"
# rnnlab's version, the OpenBLAS kernels it runs and whether its own loops take the narrow products
"$RNNLAB" --version > "$work/version.txt" 2>&1 || die "$RNNLAB --version failed"
# Other processes on the machine skew every figure: note how busy it was before each measurement,
# and optionally wait for it to be quiet.
cpu_busy_pct() { # busy percentage of all CPUs over 3 s, from /proc/stat
    set -- $(head -n 1 /proc/stat); t1=$(($2 + $3 + $4 + $5 + $6 + $7 + $8 + ${9:-0})); i1=$(($5 + $6))
    sleep 3
    set -- $(head -n 1 /proc/stat); t2=$(($2 + $3 + $4 + $5 + $6 + $7 + $8 + ${9:-0})); i2=$(($5 + $6))
    echo $(( (100 * ((t2 - t1) - (i2 - i1))) / ((t2 - t1) > 0 ? (t2 - t1) : 1) ))
}
before_run() { # $1 = label
    waited=0; busy=$(cpu_busy_pct)
    while [ "$busy" -gt "${BENCH_QUIET_PCT:-10}" ] && [ "$waited" -lt "${BENCH_QUIET_WAIT:-0}" ]; do
        sleep 7; waited=$((waited + 10)); busy=$(cpu_busy_pct)
    done
    echo "$1: CPU busy ${busy}% just before (waited ${waited}s), load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/loadavg.txt"
}
: > "$work/loadavg.txt"
# A review of about the IMDB mean length (230 words) for the predict timing.
review=$(for i in 1 2 3 4 5 6 7 8; do printf '%s ' "this film was a long and slow story about a family that moves to a small town" \
    "and the acting was fine but the plot never went anywhere"; done)

for c in $configs; do
    script="$here/configs/$c.rnn"
    # a masked variant (CONFIG_masked: mask_zero=True, bucket_by_length=true) runs against the padded
    # config's peer, which computes every padded step; its figures are reused when measured already
    peer_c=${c%_masked}
    if [ "$peer_c" != "$c" ] && [ -s "$work/$peer_c.peer.json" ]; then
        cp "$work/$peer_c.peer.json" "$work/$c.peer.json"; cp "$work/$peer_c.peer.time" "$work/$c.peer.time"
        echo "bench: $c: peer of $peer_c reused"
    elif [ "${BENCH_SKIP_PEER:-0}" = 1 ] && [ -s "$work/$c.peer.json" ]; then
        echo "bench: $c: peer reused from $work"
    else
        n=$(peer_steps "$peer_c")
        before_run "$c peer"
        echo "bench: $c: peer ($n timed steps after 3 warm-up; its data preparation is not timed)"
        $TIME -v "$py" "$peer_dir/peer_torch.py" "$peer_c" --steps "$n" --threads "$threads" --data "$data" \
            > "$work/$c.peer.json" 2> "$work/$c.peer.time" || { tail -n 5 "$work/$c.peer.time"; die "peer failed on $c"; }
        cat "$work/$c.peer.json"
    fi
    # rnnlab, data preparation only (the lines before `model new`): its wall time, for the record
    # and as the fallback to subtract when the epoch time cannot be read from rnnlab's history.
    sed '/^[[:space:]]*model[[:space:]]/,$d' "$script" > "$work/$c.prep.rnn"
    echo "bench: $c: rnnlab data preparation"
    $TIME -v "$RNNLAB" --plain --threads "$threads" --seed 1 "$work/$c.prep.rnn" \
        > "$work/$c.prep.log" 2> "$work/$c.prep.time" || { cat "$work/$c.prep.log"; die "rnnlab failed on $work/$c.prep.rnn"; }
    # rnnlab's own epoch time, to the millisecond: its history exported as CSV (column `seconds`),
    # of BENCH_RUNS whole runs (the same computation: same seed, same threads). The first run then
    # times inference: one review through predict, BENCH_PREDICTS times after one untimed call (which
    # sizes the workspaces), and evaluate on the whole test split, each timed by rnnlab's `time`.
    run=1
    while [ "$run" -le "$runs" ]; do
        before_run "$c rnnlab"
        echo "bench: $c: rnnlab, the epochs of its fit line (run $run of $runs)"
        suffix=; [ "$run" = 1 ] || suffix=.$run
        rm -f "$work/$c.history$suffix.csv"
        printf 'history\nexport history "%s"\n' "$work/$c.history$suffix.csv" > "$work/history.rnn"
        if [ "$run" = 1 ]; then
            printf 'predict "%s"\n' "$review" >> "$work/history.rnn"
            i=0
            while [ "$i" -lt "$predicts" ]; do printf 'time predict "%s"\n' "$review"; i=$((i + 1)); done >> "$work/history.rnn"
            printf 'time evaluate\n' >> "$work/history.rnn"
        fi
        $TIME -v "$RNNLAB" --plain --threads "$threads" --seed 1 "$script" "$work/history.rnn" \
            > "$work/$c.rnnlab$suffix.log" 2> "$work/$c.rnnlab$suffix.time" ||
            { tail -n 20 "$work/$c.rnnlab$suffix.log"; die "rnnlab failed on $script"; }
        tail -n 2 "$work/$c.rnnlab$suffix.log"
        run=$((run + 1))
    done
done
# The ceiling again at the end; the report takes the higher square-size rate (the stricter ceiling).
"$work/sgemm/sgemm_peak" > "$work/sgemm2.txt" && cat "$work/sgemm2.txt"

if [ -n "${BENCH_DATA_CMD:-}" ]; then
    echo "bench: data pipeline: $BENCH_DATA_CMD"
    BENCH_THREADS=$threads BENCH_DATA_DIR="$data" sh -c "$BENCH_DATA_CMD" > "$work/data-bench.txt" 2>&1 || echo "bench: the data pipeline bench failed (see below)"
    cat "$work/data-bench.txt"
fi

"$py" "$here/bench_report.py" --work "$work" --configs "$configs" --threads "$threads" \
    --runs "$runs" --config-dir "$here/configs" --peer "$peer_dir/peer_torch.py" --out "$out" || die "report failed"
cat "$out"
