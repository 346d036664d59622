#!/bin/sh
# bench-data: load + tokenize (num_words=10000, fit on train) + pad (maxlen=500) of all 50,000 IMDB reviews,
# rnnlab (bench/bench_data) against keras_like.py's Python pipeline in the same run.
# Targets: under 1 s, at least 5x faster than Python, peak memory under 600 MB.
# env: BENCH_DATA_DIR (data sets, default ../shared/datasets), BENCH_THREADS, BENCH_RUNS (default 5), PYTHON3.
: "${srcdir:=.}" "${BENCH_RUNS:=5}"
data=${BENCH_DATA_DIR:-$srcdir/../shared/datasets}
driver=${BENCH_DATA_DRIVER:-./bench/bench_data}
[ -f "$data/aclImdb_v1.tar.gz" ] || { echo "bench-data: no $data/aclImdb_v1.tar.gz"; exit 77; }
PY=
for py in "${PYTHON3:-python3}" python3 /usr/bin/python3; do
    if "$py" -c 'import numpy' 2>/dev/null; then PY=$py; break; fi
done
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
timer=
[ -x /usr/bin/time ] && timer="/usr/bin/time -v -o $tmp/time"

echo "bench-data: IMDB load + tokenize(num_words=10000) + pad(maxlen=500), best of $BENCH_RUNS runs, $(nproc) cores"
best=; peak=
for i in $(seq "$BENCH_RUNS"); do
    $timer "$driver" "$data" ${BENCH_THREADS:-} > "$tmp/run" || { echo "bench-data: driver failed"; exit 1; }
    cat "$tmp/run"
    s=$(sed 's/.*"total_s": \([0-9.]*\).*/\1/' "$tmp/run")
    if [ -n "$timer" ]; then
        kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
        echo "  peak memory: $((kb / 1024)) MB"
        [ -z "$peak" ] || [ "$kb" -gt "$peak" ] && peak=$kb
    fi
    best=$(awk -v s="$s" -v b="$best" 'BEGIN { print (b == "" || s + 0 < b + 0) ? s : b }')
    echo "$s" >> "$tmp/totals"
done
# the spread matters as much as the best run: the median and the slowest, too
spread=$(sort -n "$tmp/totals" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
    printf "median %.3f s, slowest %.3f s", m, v[NR] }')

py_s=
if [ -n "$PY" ]; then
    cat > "$tmp/pipeline.py" <<'PYEOF'
import sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from keras_like import Tokenizer, pad_sequences, load_imdb
t0 = time.time()
(xtr, ytr), (xte, yte) = load_imdb(sys.argv[2] + '/aclImdb_v1.tar.gz')
rng = np.random.RandomState(113)
p = rng.permutation(len(xtr)); xtr = [xtr[i] for i in p]; ytr = ytr[p]
p = rng.permutation(len(xte)); xte = [xte[i] for i in p]; yte = yte[p]
t1 = time.time()
tok = Tokenizer(10000); tok.fit_on_texts(xtr)
a = pad_sequences(tok.texts_to_sequences(xtr), 500); b = pad_sequences(tok.texts_to_sequences(xte), 500)
t2 = time.time()
print('{"load_s": %.3f, "tokenize_pad_s": %.3f, "total_s": %.3f, "words": %d, "checksum": %d}'
      % (t1 - t0, t2 - t1, t2 - t0, len(tok.word_index), int(a.sum())))
PYEOF
    bench="${BENCH_PEER:-$srcdir/../shared/bench}"
    if [ -f "$bench/keras_like.py" ]; then
        "$PY" "$tmp/pipeline.py" "$bench" "$data" > "$tmp/py" && cat "$tmp/py"
        py_s=$(sed 's/.*"total_s": \([0-9.]*\).*/\1/' "$tmp/py")
    fi
fi
echo "rnnlab best: ${best} s, $spread (target < 1 s)"
[ -n "$peak" ] && echo "rnnlab peak memory: $((peak / 1024)) MB (target < 600 MB)"
if [ -n "$py_s" ]; then
    awk -v r="$best" -v p="$py_s" 'BEGIN { printf "keras_like.py: %.3f s; rnnlab is %.1fx faster (target >= 5x)\n", p, p / r }'
else
    echo "keras_like.py pipeline not measured (python3 with numpy or ../shared/bench/keras_like.py missing)"
fi
