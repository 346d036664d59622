#!/bin/sh
# `make bench-predict`: one text's `predict` on bigru_000's model (IMDB vocabulary of 20,000 words,
# maxlen=284, Embedding(20000, 300) -> Bidirectional(GRU(128)) -> Dense(2)), timed by rnnlab's
# `time` command: the median and the quartiles of RUNS timings after one untimed call (which sizes
# the workspaces), for two reviews padded to 284 steps:
#   bench   - the review of `make bench`'s inference table (two sentences eight times, 224 words,
#             23 distinct: its input projection is cheap, repeated rows are projected once)
#   imdb    - a review of the IMDB test split, aclImdb/test/pos/1003_8.txt (214 words, 131 distinct)
# The weights are untrained: the time does not depend on them (no fit, so the script takes seconds).
# Environment: RNNLAB (default ./rnnlab), BENCH_THREADS (2), BENCH_RUNS (30), BENCH_DATA (data sets:
# default $RNNLAB_DATA, else $srcdir/../shared/datasets).
set -eu
srcdir=${srcdir:-.}
rnnlab=${RNNLAB:-./rnnlab}
threads=${BENCH_THREADS:-2}
runs=${BENCH_RUNS:-30}
data=${BENCH_DATA:-${RNNLAB_DATA:-$srcdir/../shared/datasets}}
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-predict.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

die() { echo "bench-predict: $*" >&2; exit 1; }
[ -f "$data/aclImdb_v1.tar.gz" ] || die "no $data/aclImdb_v1.tar.gz (set BENCH_DATA)"

bench_review=$(for i in 1 2 3 4 5 6 7 8; do printf '%s ' "this film was a long and slow story about a family that moves to a small town" \
    "and the acting was fine but the plot never went anywhere"; done)
tar -xzf "$data/aclImdb_v1.tar.gz" -C "$work" aclImdb/test/pos/1003_8.txt || die "cannot read the IMDB archive"
imdb_review=$(sed 's/<br \/>/ /g' "$work/aclImdb/test/pos/1003_8.txt" | tr -d '"\\' | tr '\n' ' ')

cat > "$work/model.rnn" <<'EOF'
load imdb
tokenize num_words=20000 oov_token='[OOV]'
pad maxlen=284
model new bigru_000
add Embedding(20000, 300)
add SpatialDropout1D(0.2)
add Bidirectional(GRU(128))
add Dropout(0.6)
add Dense(2, activation='softmax')
compile optimizer=adam learning_rate=0.001 loss=sparse_categorical_crossentropy metrics=accuracy
EOF

# prints "NAME median Q1 Q3 (ms)" from the timings of `time predict "TEXT"`, RUNS of them
time_review() {
    name=$1 text=$2
    { printf 'predict "%s"\n' "$text"; i=0; while [ $i -lt "$runs" ]; do printf 'time predict "%s"\n' "$text"; i=$((i + 1)); done; } \
        > "$work/$name.rnn"
    "$rnnlab" --plain --threads "$threads" --data-dir "$data" "$work/model.rnn" "$work/$name.rnn" > "$work/$name.log" 2>&1 ||
        { tail -n 5 "$work/$name.log"; die "rnnlab failed on $name"; }
    sed -n 's/.*predict took \([0-9.]*\) ms.*/\1/p' "$work/$name.log" | sort -n |
        awk -v name="$name" '{v[NR] = $1} END {
            if (NR == 0) { print name ": no timings"; exit 1 }
            printf "%-6s predict of one review: median %.3f ms (quartiles %.3f, %.3f; %d runs)\n", name,
                v[int((NR + 1) / 2)], v[int((NR + 3) / 4)], v[int((3 * NR + 3) / 4)], NR }'
}

echo "bench-predict: $rnnlab, $threads threads, load average $(cut -d' ' -f1-3 /proc/loadavg)"
time_review bench "$bench_review"
time_review imdb "$imdb_review"
