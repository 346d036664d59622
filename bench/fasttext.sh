#!/bin/sh
# bench-fasttext: rnnlab beside Debian's fastText command on IMDB (the 25,000/25,000 split), in one
# run on one machine:
#   classifier  `fasttext supervised -wordNgrams 2` against rnnlab's fastText model in Keras terms
#               (examples/imdb_fasttext_bigrams.rnn: bigrams, Embedding, GlobalAveragePooling1D,
#               Dense): test accuracy, wall time from the archive to the test figure, peak memory;
#   vectors     `fasttext skipgram` against `embeddings train` with the same settings: words per
#               second per thread (each tool's own figure) and the wall time.
# Writes bench/fasttext.md. Skips (77) without the fasttext command or the data set.
# env: BENCH_DATA (data sets, default ../shared/datasets), BENCH_SEEDS (default "1"),
#      BENCH_THREADS (default 2), BENCH_EPOCHS (vectors, default 1), BENCH_OUT, PYTHON3.
: "${srcdir:=.}"
data=${BENCH_DATA:-$srcdir/../shared/datasets}
seeds=${BENCH_SEEDS:-1}
threads=${BENCH_THREADS:-2}
vec_epochs=${BENCH_EPOCHS:-1}
rnnlab=${RNNLAB:-./rnnlab}
out=${BENCH_OUT:-$srcdir/bench/fasttext.md}
python=${PYTHON3:-python3}
archive=$data/aclImdb_v1.tar.gz
command -v fasttext >/dev/null 2>&1 || { echo "bench-fasttext: no fasttext command (apt-get install fasttext)"; exit 77; }
[ -f "$archive" ] || { echo "bench-fasttext: no $archive"; exit 77; }
[ -x "$rnnlab" ] || { echo "bench-fasttext: no $rnnlab (run make first)" >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# timed FILE CMD...: runs CMD with its output in FILE.log; FILE.time gets "WALL_SECONDS PEAK_KB"
timed() {
    name=$1; shift
    /usr/bin/time -f '%e %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.log" 2>&1
}
field() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) if ($i == k) { v = $(i + 1) } } END { print v }' "$1"; }

echo "bench-fasttext: writing the fastText input files" >&2
"$python" "$srcdir/bench/peer/fasttext_data.py" "$archive" "$tmp/train.txt" "$tmp/test.txt" || exit 1
sed 's/^__label__[a-z]* //' "$tmp/train.txt" > "$tmp/words.txt"

rows=
for s in $seeds; do
    echo "bench-fasttext: classifier, seed $s" >&2
    timed ft_sup_$s fasttext supervised -input "$tmp/train.txt" -output "$tmp/ft_$s" -wordNgrams 2 \
        -thread "$threads" -seed "$s" -verbose 0
    fasttext test "$tmp/ft_$s.bin" "$tmp/test.txt" > "$tmp/ft_test_$s.log"
    ft_acc=$(awk '$1 == "P@1" { print $2 }' "$tmp/ft_test_$s.log")
    set -- $(cat "$tmp/ft_sup_$s.time")
    rows="$rows| fastText supervised -wordNgrams 2 | $s | $ft_acc | $1 | $(( $2 / 1024 )) |
"
    timed rl_sup_$s env RNNLAB_DATA="$data" "$rnnlab" --plain --seed "$s" --threads "$threads" \
        "$srcdir/examples/imdb_fasttext_bigrams.rnn"
    rl_acc=$(grep '^test: ' "$tmp/rl_sup_$s.log" | tail -n 1 | sed 's/.*accuracy: \([0-9.]*\).*/\1/')
    [ -n "$rl_acc" ] || { tail -n 5 "$tmp/rl_sup_$s.log" >&2; echo "bench-fasttext: rnnlab printed no test accuracy" >&2; exit 1; }
    set -- $(cat "$tmp/rl_sup_$s.time")
    rows="$rows| rnnlab examples/imdb_fasttext_bigrams.rnn | $s | $rl_acc | $1 | $(( $2 / 1024 )) |
"
done

echo "bench-fasttext: word vectors" >&2
vec="-dim 100 -ws 5 -epoch $vec_epochs -minCount 5 -neg 5 -minn 3 -maxn 6 -bucket 2000000 -lr 0.05 -t 1e-4"
timed ft_vec fasttext skipgram -input "$tmp/words.txt" -output "$tmp/ft_vec" -thread "$threads" $vec -verbose 2
ft_wps=$(tr '\r' '\n' < "$tmp/ft_vec.log" | grep 'words/sec/thread' | tail -n 1 | sed 's/.*words\/sec\/thread: *\([0-9]*\).*/\1/')
timed rl_vec env RNNLAB_DATA="$data" "$rnnlab" --plain --threads "$threads" -c "load imdb; tokenize; \
embeddings train dim=100 window=5 epochs=$vec_epochs min_count=5 negative=5 minn=3 maxn=6 buckets=2000000 lr=0.05 \
sample=1e-4 threads=$threads seed=1; embeddings near good k=8"
rl_wps=$(sed -n 's/.*(\([0-9]*\) words\/s on \([0-9]*\) thread.*/\1 \2/p' "$tmp/rl_vec.log" | awk '{ printf "%d", $1 / $2 }')
near=$(sed -n '/^nearest to/,$p' "$tmp/rl_vec.log" | sed -n '2,9p' | awk '{ printf "%s%s", sep, $1; sep = ", " }')

{
    echo "# rnnlab beside fastText (make bench-fasttext)"
    echo
    echo "$(date -u '+%Y-%m-%d'), $(nproc) cores, $threads threads for each tool, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Both read the IMDB archive's 25,000 train and 25,000 test reviews; fastText's input is written"
    echo "first by bench/peer/fasttext_data.py (Keras's word filters, lower case), not timed; rnnlab's"
    echo "time runs from reading the archive to the test figure."
    echo
    echo "## Classifier"
    echo
    echo "| model | seed | test accuracy | wall s | peak MB |"
    echo "|---|---|---|---|---|"
    printf '%s' "$rows"
    echo
    echo "## Word vectors (skip-gram, dim 100, window 5, $vec_epochs epoch(s), min_count 5, 5 negatives, n-grams 3-6 in 2,000,000 buckets)"
    echo
    echo "| tool | words/s per thread | wall s | peak MB |"
    echo "|---|---|---|---|"
    set -- $(cat "$tmp/ft_vec.time"); echo "| fasttext skipgram (its own figure) | $ft_wps | $1 | $(( $2 / 1024 )) |"
    set -- $(cat "$tmp/rl_vec.time"); echo "| rnnlab embeddings train (load and tokenize included in wall) | $rl_wps | $1 | $(( $2 / 1024 )) |"
    echo
    echo "rnnlab's nearest words to 'good': $near"
} > "$out"
cat "$out"
