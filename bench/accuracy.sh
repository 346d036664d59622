#!/bin/sh
# bench-accuracy: each seed example (examples/seed00N_*.rnn) trained with several --seed values;
# the test accuracy of each run, its spread, and the time each run took (every
# figure with its command and time). Training is seconds to minutes per run: a benchmark, not a test.
# env: BENCH_DATA (data sets, default ../shared/datasets), BENCH_SEEDS (default "1 2 3"),
#      BENCH_EXAMPLES (default: every seed example but seed000, whose run takes ~15 min a seed),
#      BENCH_THREADS (default: rnnlab's own), BENCH_OUT (default bench/accuracy.md),
#      BENCH_PEER (the peer's directory, ../shared/bench): when set, the same seeds of the same
#      models are also trained by bench/reference/peer_accuracy.py (the peer's PyTorch models with
#      Keras's training loop) and listed as RUN-pytorch, for comparison; not for seed000.
#      BENCH_MASKED=1: each example also runs with mask_zero=True on its Embedding layers and
#      bucket_by_length=true on its fit lines, listed as RUN-masked (the padded steps skipped).
: "${srcdir:=.}"
data=${BENCH_DATA:-$srcdir/../shared/datasets}
seeds=${BENCH_SEEDS:-1 2 3}
rnnlab=${RNNLAB:-./rnnlab}
out=${BENCH_OUT:-$srcdir/bench/accuracy.md}
examples=${BENCH_EXAMPLES:-seed002_sms_simplernn seed004_imdb_simplernn_lstm seed003_imdb_lstm seed001_imdb_bilstm}
die() { echo "bench-accuracy: $*" >&2; exit 1; }
[ -f "$data/aclImdb_v1.tar.gz" ] || { echo "bench-accuracy: no $data/aclImdb_v1.tar.gz"; exit 77; }
[ -x "$rnnlab" ] || die "no $rnnlab (run make first)"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
threads=
[ -n "${BENCH_THREADS:-}" ] && threads="--threads $BENCH_THREADS"

# One line per (example, model, seed): example model seed test_accuracy best_epoch epochs seconds
variants=plain
[ "${BENCH_MASKED:-0}" = 1 ] && variants="plain masked"
for ex in $examples; do
  for variant in $variants; do
    script=$srcdir/examples/$ex.rnn
    [ -f "$script" ] || die "no $script"
    suffix=
    if [ "$variant" = masked ]; then
        # mask_zero=True as the Embedding's last argument, bucket_by_length=true on every fit line
        sed -e '/^[[:space:]]*add[[:space:]]*Embedding(/s/)[[:space:]]*$/, mask_zero=True)/' \
            -e '/^[[:space:]]*fit[[:space:]]/s/$/ bucket_by_length=true/' "$script" > "$tmp/$ex.masked.rnn"
        script=$tmp/$ex.masked.rnn
        suffix=-masked
    fi
    for s in $seeds; do
        echo "bench-accuracy: $ex${suffix:+ ($variant)} --seed $s" >&2
        t0=$(date +%s.%N)
        RNNLAB_DATA=$data "$rnnlab" --plain --keep-going --seed "$s" $threads "$script" > "$tmp/log" 2>&1
        t1=$(date +%s.%N)
        # "run 'NAME': N epochs" ends each fit; "restored the weights of epoch K" precedes it when
        # early stopping restored; "test: ... accuracy: A" follows each evaluate.
        awk -v ex="$ex" -v seed="$s" -v suffix="$suffix" -v secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
            /^restored the weights of epoch/ { best = $NF }
            /^run .*: [0-9]+ epochs/ { name = $2; gsub(/[\047:]/, "", name); name = name suffix; epochs = $3; if (best == "") best = epochs }
            /^test: / { for (i = 1; i <= NF; i++) if ($i == "accuracy:") acc = $(i + 1);
                        printf "%s %s %s %s %s %s %.1f\n", ex, name, seed, acc, best, epochs, secs; best = "" }
        ' "$tmp/log" >> "$tmp/runs"
        grep -q '^test: ' "$tmp/log" || { tail -n 5 "$tmp/log" >&2; die "$ex --seed $s printed no test accuracy"; }
    done
  done
done

# The reference: "RUN CONFIG [ARGS]" per run of an example: the peer's config of the same model, then
# the epochs, batch size and patience of the example's own `fit ... name=RUN` line (patience 0: no
# early stopping).
reference_model() {
    case $1/$2 in
    seed002_sms_simplernn/sms) echo sms_rnn ;;
    seed004_imdb_simplernn_lstm/simplernn) echo chollet_rnn ;;
    seed004_imdb_simplernn_lstm/lstm) echo chollet_lstm ;;
    seed003_imdb_lstm/lstm) echo "west_lstm --elementwise-input-dropout" ;;
    seed001_imdb_bilstm/bilstm) echo bilstm_001 ;;
    esac
}
reference_args() {
    awk '/^fit / { run = ""; e = 10; b = 32; p = 0
                  for (i = 2; i <= NF; i++) { split($i, kv, "=")
                      if (kv[1] == "name") run = kv[2]; else if (kv[1] == "epochs") e = kv[2]
                      else if (kv[1] == "batch_size") b = kv[2]; else if (kv[1] == "patience") p = kv[2] }
                  print run, e, b, p }' "$srcdir/examples/$1.rnn" |
    while read -r run e b p; do
        model=$(reference_model "$1" "$run")
        [ -n "$model" ] && echo "$run $model --epochs $e --batch $b --patience $p"
    done
}
if [ -n "${BENCH_PEER:-}" ]; then
    [ -f "$BENCH_PEER/peer_torch.py" ] || die "no $BENCH_PEER/peer_torch.py"
    python=${PYTHON:-/usr/bin/python3}
    for ex in $examples; do
        reference_args "$ex" | while read -r run config args; do
            echo "bench-accuracy: $ex $run in PyTorch (seeds $seeds)" >&2
            # shellcheck disable=SC2086
            "$python" "$srcdir/bench/reference/peer_accuracy.py" "$config" --peer "$BENCH_PEER" \
                --data "$data" --seeds $seeds $args --runs "$ex" "$run-pytorch" >> "$tmp/runs" ||
                die "the PyTorch reference for $ex failed"
        done || exit 1
    done
fi

{
    echo "# rnnlab accuracy over seeds"
    echo
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) CPUs; command: \`make bench-accuracy\`"
    echo "(BENCH_SEEDS=\"$seeds\" BENCH_EXAMPLES=\"$examples\"${BENCH_THREADS:+ BENCH_THREADS=$BENCH_THREADS}${BENCH_PEER:+ BENCH_PEER=$BENCH_PEER}${BENCH_MASKED:+ BENCH_MASKED=$BENCH_MASKED}),"
    echo "i.e. for each seed \`RNNLAB_DATA=\$DATA rnnlab --plain --keep-going --seed S${threads:+ $threads} examples/EXAMPLE.rnn\`."
    echo "Test accuracy is on the held-out test split (25,000 IMDB reviews; 1,115 SMS messages), after"
    echo "early stopping restored the best epoch where the example asks for it. Seconds are the whole"
    echo "script (data preparation, every fit in it and evaluation)."
    if [ "${BENCH_MASKED:-0}" = 1 ]; then
        echo "Runs named RUN-masked are the same example with mask_zero=True on its Embedding layers and"
        echo "bucket_by_length=true on its fit lines: the padded steps skipped, batches of similar lengths."
    fi
    if [ -n "${BENCH_PEER:-}" ]; then
        echo "Runs named RUN-pytorch are the same model trained by bench/reference/peer_accuracy.py: the"
        echo "peer's PyTorch model and data preparation (the SMS split is seed 42's, as rnnlab's) with Keras's"
        echo "optimizers, validation split and early stopping, on one thread; their seconds are training only."
    fi
    echo
    echo "| example | run | seed | test accuracy | best epoch | epochs | seconds |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    awk '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$tmp/runs"
    echo
    echo "| example | run | runs | min | median | max |"
    echo "|---|---|---:|---:|---:|---:|"
    sort -k1,1 -k2,2 -k4,4n "$tmp/runs" | awk '
        function flush() { if (n) printf "| %s | %s | %d | %s | %s | %s |\n", k1, k2, n, v[1],
                               n % 2 ? v[(n + 1) / 2] : sprintf("%.4f", (v[n / 2] + v[n / 2 + 1]) / 2), v[n] }
        { if ($1 != k1 || $2 != k2) { flush(); n = 0; k1 = $1; k2 = $2 } v[++n] = $4 }
        END { flush() }'
} > "$out"
cat "$out"
