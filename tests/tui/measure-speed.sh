#!/bin/sh
# Speed cost of the dashboard: the same fit run with --plain and in the dashboard, each in a
# 100x30 tmux pane (a real terminal for both), alternated N times; prints wall seconds per run
# and the median ratio. Not part of `make check` (it takes minutes).
# Wall time suffers from other load on the machine; CPU time (user+sys) is reported as well.
# usage: tests/tui/measure-speed.sh [RUNS] [EPOCHS] [demo|imdb]
#   (env: RNNLAB, TMUX_BIN; imdb reads $RNNLAB_TEST_DATA/aclImdb_v1.tar.gz: LSTM(32), maxlen 200)
: "${RNNLAB:=./rnnlab}" "${TMUX_BIN:=tmux}"
runs=${1:-3} epochs=${2:-4} data=${3:-demo}
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-speed.XXXXXX") || exit 1
sock=rnnlab-speed-$$
# Each run's tmux server exits with its program; its socket file is removed at the end.
trap 'rm -rf "$work"; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"-*' EXIT
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time"; exit 77; }
if [ "$data" = imdb ]; then
    [ -f "$RNNLAB_TEST_DATA/aclImdb_v1.tar.gz" ] || { echo "no IMDB archive in RNNLAB_TEST_DATA"; exit 77; }
    load="imdb path=$RNNLAB_TEST_DATA/aclImdb_v1.tar.gz" tok="num_words=10000" maxlen=200 words=10000 units=32 batch=128
else
    load=demo tok= maxlen=50 words=100 units=64 batch=32
fi
cat > "$work/fit.rnn" <<EOS
load $load
tokenize $tok
pad maxlen=$maxlen
model new speed
add Embedding($words, 32)
add LSTM($units)
add Dense(1, activation='sigmoid')
compile optimizer=adam loss=binary_crossentropy metrics=accuracy
fit epochs=$epochs batch_size=$batch validation_split=0.2
quit
EOS
one() { # $1 = extra flag; prints "wall cpu" seconds
    rm -f "$work/t"
    # stdout stays the pane's terminal: the dashboard only starts on one.
    "$TMUX_BIN" -L "$sock-$1$i" -f /dev/null new-session -d -x 100 -y 30 \
        "/usr/bin/time -o '$work/t' -f '%e %U %S' '$RNNLAB' $1 -i '$work/fit.rnn'"
    while [ ! -s "$work/t" ]; do sleep 0.2; done
    awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$work/t"
}
: > "$work/plain"; : > "$work/dash"
i=0
while [ "$i" -lt "$runs" ]; do
    p=$(one --plain); d=$(one "")
    echo "run $((i + 1)): plain wall/cpu ${p% *}s/${p#* }s  dashboard ${d% *}s/${d#* }s"
    echo "$p" >> "$work/plain"; echo "$d" >> "$work/dash"
    i=$((i + 1))
done
med() { cut -d' ' -f"$2" "$1" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for k in 1 2; do
    what=$([ "$k" = 1 ] && echo wall || echo cpu)
    awk -v w="$what" -v p="$(med "$work/plain" "$k")" -v d="$(med "$work/dash" "$k")" \
        'BEGIN {printf "median %s: plain %.2fs  dashboard %.2fs  cost %+.1f%%\n", w, p, d, (d / p - 1) * 100}'
done
